/* lodge-window.h: the main window: the library of one connection's machines
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"
#include "ui/lodge-application.h"

G_BEGIN_DECLS

#define LODGE_TYPE_WINDOW (lodge_window_get_type ())

G_DECLARE_FINAL_TYPE (LodgeWindow, lodge_window, LODGE, WINDOW, AdwApplicationWindow)

/* The main window: a sidebar of the application's hosts with All
 * Machines first, and the library of the one selected. */
LodgeWindow     *lodge_window_new                   (LodgeApplication *application);
/* The host shown (NULL: All Machines), and its connection. */
LodgeHost       *lodge_window_get_host              (LodgeWindow      *self);
void             lodge_window_select_host           (LodgeWindow      *self,
                                                     LodgeHost        *host);
LodgeConnection *lodge_window_get_connection        (LodgeWindow      *self);
/* Opens the machine's page once the connection has its machines; says so
 * when there is no such machine. */
void             lodge_window_open_machine_by_name  (LodgeWindow      *self,
                                                     const char       *name_or_uuid);
/* Carries out the deletions still waiting behind an undo toast. */
void             lodge_window_flush_pending_deletes (LodgeWindow      *self);

G_END_DECLS
