/* lodge-new-machine-assistant.h: the assistant that creates a machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "create/lodge-create.h"
#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_NEW_MACHINE_ASSISTANT (lodge_new_machine_assistant_get_type ())

G_DECLARE_FINAL_TYPE (LodgeNewMachineAssistant, lodge_new_machine_assistant,
                      LODGE, NEW_MACHINE_ASSISTANT, AdwWindow)

/* A modal window over parent: source (a file chosen or dropped, media
 * found in Downloads, an OS from libosinfo's list), the OS when the media
 * is unknown, review, then creation with progress and cancel.
 *
 * db is the application's OS database; it may still be loading (the
 * assistant shows a spinner where it needs it and never waits for it).
 * NULL: the assistant loads a database of its own.
 * prefer_emulation: the "force-emulation" setting.
 *
 * Signals:
 *   created (const char *uuid)  the machine exists and its LodgeMachine is in
 *                               the connection's list (or 5 s passed);
 *                               the assistant closes itself right after.
 */
LodgeNewMachineAssistant *lodge_new_machine_assistant_new       (GtkWindow                *parent,
                                                                 LodgeConnection          *connection,
                                                                 LodgeOsDatabase          *db,
                                                                 gboolean                  prefer_emulation);
LodgeConnection          *lodge_new_machine_assistant_get_connection (LodgeNewMachineAssistant *self);
/* Starts from this file, as if it were chosen or dropped (for a drop on
 * the main window). Must be a local file. */
void                      lodge_new_machine_assistant_open_file (LodgeNewMachineAssistant *self,
                                                                 GFile                    *file);

G_END_DECLS
