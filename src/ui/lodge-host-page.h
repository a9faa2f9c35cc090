/* lodge-host-page.h: the host at a glance
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"
#include "model/lodge-stats-history.h"

G_BEGIN_DECLS

#define LODGE_TYPE_HOST_PAGE (lodge_host_page_get_type ())

G_DECLARE_FINAL_TYPE (LodgeHostPage, lodge_host_page, LODGE, HOST_PAGE, GtkWidget)

/* Host CPU and memory over the last 5 minutes, how many machines run, and
 * the five machines using the most CPU. While shown it asks the history for
 * the host's figures (lodge_stats_history_hold_host), so they cost
 * nothing when nobody looks. Content only: no header bar. */
/* history NULL: the connection's shared one. */
GtkWidget *lodge_host_page_new (LodgeConnection   *connection,
                                LodgeStatsHistory *history);

G_END_DECLS
