/* lodge-host-row.h: one host in the sidebar
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_HOST_ROW (lodge_host_row_get_type ())

G_DECLARE_FINAL_TYPE (LodgeHostRow, lodge_host_row, LODGE, HOST_ROW, GtkListBoxRow)

/* A row for @host: its name, what it is doing, its URI on hover and a menu
 * of its actions (win.host-* with the URI as target). NULL: the "All
 * Machines" row, whose status the sidebar sets. */
GtkWidget  *lodge_host_row_new        (LodgeHost    *host);
LodgeHost  *lodge_host_row_get_host   (LodgeHostRow *self);
void        lodge_host_row_set_status (LodgeHostRow *self,
                                       const char   *status);
const char *lodge_host_row_get_title  (LodgeHostRow *self);
const char *lodge_host_row_get_status (LodgeHostRow *self);

G_END_DECLS
