/* lodge-window-private.h: what the ui tests look at inside the window
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ui/lodge-sidebar.h"
#include "ui/lodge-window.h"

G_BEGIN_DECLS

/* The sorted and filtered machines the views show. */
GListModel       *lodge_window_get_library_model     (LodgeWindow  *self);
GtkEditable      *lodge_window_get_search_entry      (LodgeWindow  *self);
/* "connecting", "failed", "empty", "no-results", "grid" or "list";
 * "machine" when a machine's page is open. */
const char       *lodge_window_get_visible_page      (LodgeWindow  *self);
gboolean          lodge_window_select_machine        (LodgeWindow  *self,
                                                      LodgeMachine *machine);
/* The machine that machine.* actions apply to. */
LodgeMachine     *lodge_window_get_action_machine    (LodgeWindow  *self);
/* Whether a machine.* action is enabled (GTK has no public query). */
gboolean          lodge_window_get_action_enabled    (LodgeWindow  *self,
                                                      const char   *action);
/* The dialog the window opened last, while it is open; NULL otherwise. */
AdwMessageDialog *lodge_window_get_dialog            (LodgeWindow  *self);
LodgeSidebar     *lodge_window_get_sidebar           (LodgeWindow  *self);
/* The last toast shown, and how many deletes wait behind an undo toast. */
AdwToast         *lodge_window_get_last_toast        (LodgeWindow  *self);
guint             lodge_window_get_n_pending_deletes (LodgeWindow  *self);

G_END_DECLS
