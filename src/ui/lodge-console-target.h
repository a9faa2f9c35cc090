/* lodge-console-target.h: where a machine's SPICE display is reached
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "console/lodge-console.h"
#include "model/lodge-model.h"

G_BEGIN_DECLS

/* The ui layer's answer to the console layer's question "which socket?":
 * resolved from the domain (lookup by UUID, XML with its password) on a
 * worker thread, shared by the console page and the library thumbnails.
 *   FD    local QEMU: every channel from virDomainOpenGraphicsFD (no port,
 *         no password)
 *   HOST  SPICE on TCP (remote connections, other drivers)
 *   UNIX  SPICE on a unix socket of this host (other drivers) */
typedef enum
{
  LODGE_CONSOLE_TARGET_FD,
  LODGE_CONSOLE_TARGET_HOST,
  LODGE_CONSOLE_TARGET_UNIX,
} LodgeConsoleTargetKind;

#define LODGE_TYPE_CONSOLE_TARGET (lodge_console_target_get_type ())

G_DECLARE_FINAL_TYPE (LodgeConsoleTarget, lodge_console_target, LODGE, CONSOLE_TARGET, GObject)

/* Whether the machine's connection can have graphics at all (not the
 * test driver). */
gboolean                lodge_console_target_connection_has_graphics (LodgeConnection *connection);

/* Fails with G_IO_ERROR_NOT_FOUND when the machine has no SPICE display,
 * G_IO_ERROR_NOT_SUPPORTED when it cannot be reached from here. */
void                    lodge_console_target_resolve_async  (LodgeMachine        *machine,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
LodgeConsoleTarget     *lodge_console_target_resolve_finish (GAsyncResult        *result,
                                                             GError             **error);

LodgeConsoleTargetKind  lodge_console_target_get_kind       (LodgeConsoleTarget  *self);
const char             *lodge_console_target_get_host       (LodgeConsoleTarget  *self);
int                     lodge_console_target_get_port       (LodgeConsoleTarget  *self);
int                     lodge_console_target_get_tls_port   (LodgeConsoleTarget  *self);
const char             *lodge_console_target_get_socket     (LodgeConsoleTarget  *self);
/* A short description for the user ("SPICE over a local socket"...). */
char                   *lodge_console_target_describe       (LodgeConsoleTarget  *self);

/* Connects @session to the target. For FD targets it answers the
 * session's open-fd requests (on worker threads) until
 * lodge_console_target_detach() or until the session is gone. */
void                    lodge_console_target_connect        (LodgeConsoleTarget  *self,
                                                             LodgeSpiceSession   *session);
void                    lodge_console_target_detach         (LodgeConsoleTarget  *self,
                                                             LodgeSpiceSession   *session);

/* For tests: the graphics of a domain XML as the resolver reads them. */
gboolean                lodge_console_target_parse_xml      (const char          *xml,
                                                             int                 *index,
                                                             char               **listen_type,
                                                             char               **host,
                                                             int                 *port,
                                                             int                 *tls_port,
                                                             char               **socket_path,
                                                             char               **password);

G_END_DECLS
