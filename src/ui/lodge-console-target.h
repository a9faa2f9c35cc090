/* lodge-console-target.h: a machine's display, connected to a SPICE session
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "console/lodge-console.h"
#include "model/lodge-model.h"

G_BEGIN_DECLS

/* The ui layer's answer to the console layer's question "which socket?",
 * shared by the console page and the library thumbnails. The model says
 * how the display is reached (LodgeMachineGraphics) and opens each
 * channel's socket (through libvirt, or an SSH tunnel to a remote host);
 * this passes them to the session, and says what the console can show. */
#define LODGE_TYPE_CONSOLE_TARGET (lodge_console_target_get_type ())

G_DECLARE_FINAL_TYPE (LodgeConsoleTarget, lodge_console_target, LODGE, CONSOLE_TARGET, GObject)

/* Whether the machine's connection can have graphics at all (not the
 * test driver). */
gboolean                lodge_console_target_connection_has_graphics (LodgeConnection *connection);

/* Fails with the model's errors (LODGE_MODEL_ERROR_NOT_FOUND when the
 * machine has no display, NOT_SUPPORTED when it cannot be reached from
 * here), or G_IO_ERROR_NOT_SUPPORTED for a display the console cannot
 * show (VNC, for now). */
void                    lodge_console_target_resolve_async  (LodgeMachine        *machine,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
LodgeConsoleTarget     *lodge_console_target_resolve_finish (GAsyncResult        *result,
                                                             GError             **error);

LodgeMachineGraphics   *lodge_console_target_get_graphics   (LodgeConsoleTarget  *self);
/* A short description for the user ("Connected over SPICE through
 * libvirt"...). */
char                   *lodge_console_target_describe       (LodgeConsoleTarget  *self);

/* Connects @session to the display. For channels from the model it
 * answers the session's open-fd requests (on worker threads) until
 * lodge_console_target_detach(), which also gives up on the sockets
 * still being opened. */
void                    lodge_console_target_connect        (LodgeConsoleTarget  *self,
                                                             LodgeSpiceSession   *session);
void                    lodge_console_target_detach         (LodgeConsoleTarget  *self,
                                                             LodgeSpiceSession   *session);

G_END_DECLS
