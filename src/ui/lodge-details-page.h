/* lodge-details-page.h: everything about one machine, and its changes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"
#include "model/lodge-stats-history.h"

G_BEGIN_DECLS

#define LODGE_TYPE_DETAILS_PAGE (lodge_details_page_get_type ())

G_DECLARE_FINAL_TYPE (LodgeDetailsPage, lodge_details_page, LODGE, DETAILS_PAGE, GtkWidget)

/* A page with its own header bar (back button, view switcher) and five
 * sections: "overview", "hardware", "performance", "snapshots",
 * "troubleshooting", "xml".
 *
 * Properties: machine (LodgeMachine), history (LodgeStatsHistory: the graphs
 * read it; share the application's one so that they start with the past
 * minutes), show-back-button (boolean, default TRUE).
 * Signals: back () when the back button is clicked. */
GtkWidget         *lodge_details_page_new                (void);
LodgeMachine      *lodge_details_page_get_machine        (LodgeDetailsPage  *self);
void               lodge_details_page_set_machine        (LodgeDetailsPage  *self,
                                                          LodgeMachine      *machine);
LodgeStatsHistory *lodge_details_page_get_history        (LodgeDetailsPage  *self);
void               lodge_details_page_set_history        (LodgeDetailsPage  *self,
                                                          LodgeStatsHistory *history);
void               lodge_details_page_set_show_back_button (LodgeDetailsPage *self,
                                                            gboolean          show);
/* Shows one of the sections named above. */
void               lodge_details_page_show_section       (LodgeDetailsPage  *self,
                                                          const char        *name);
/* What the console says about its connection ("Connected over SPICE",
 * "Not connected"...), shown under Troubleshooting; NULL: unknown. */
void               lodge_details_page_set_console_state  (LodgeDetailsPage  *self,
                                                          const char        *text);
/* Reads everything again (done by itself when the machine's state changes). */
void               lodge_details_page_reload             (LodgeDetailsPage  *self);

/* A window holding a details page (its back button is hidden: the window
 * closes), for the library's and the console's "Details" action. history
 * NULL: the connection's shared one (lodge_stats_history_for_connection). */
GtkWindow         *lodge_details_window_new              (GtkWindow         *parent,
                                                          LodgeMachine      *machine,
                                                          LodgeStatsHistory *history);

G_END_DECLS
