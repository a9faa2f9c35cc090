/* lodge-sidebar.h: the window's list of hosts, with "All Machines" first
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_SIDEBAR (lodge_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (LodgeSidebar, lodge_sidebar, LODGE, SIDEBAR, GtkWidget)

/* Properties: hosts (LodgeHostList), selected-host (LodgeHost, NULL: All
 * Machines). Signals: activated () a row was activated (the window then
 * shows the content when the leaflet is folded). */
GtkWidget     *lodge_sidebar_new               (void);
void           lodge_sidebar_set_hosts         (LodgeSidebar  *self,
                                                LodgeHostList *hosts);
LodgeHost     *lodge_sidebar_get_selected_host (LodgeSidebar  *self);
void           lodge_sidebar_select_host       (LodgeSidebar  *self,
                                                LodgeHost     *host);
/* The sidebar's own header bar (the window shows its window buttons when
 * the leaflet is folded). */
AdwHeaderBar  *lodge_sidebar_get_header_bar    (LodgeSidebar  *self);
/* For tests: the row of @host (NULL: All Machines). */
GtkWidget     *lodge_sidebar_get_row           (LodgeSidebar  *self,
                                                LodgeHost     *host);

G_END_DECLS
