/* lodge-machine-graphics.h: how this computer reaches a machine's display
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain value, read off the main thread from the machine's running
 * definition (secure, for its password) and the connection's URI:
 *
 *   lodge_machine_get_graphics_async (machine, cancellable, got_cb, data);
 *   ...
 *   graphics = lodge_machine_get_graphics_finish (machine, result, &error);
 *   switch (lodge_machine_graphics_get_route (graphics))
 *     LIBVIRT, SSH: every channel asks for its socket, answered by
 *                   lodge_machine_graphics_open_channel_async()
 *     DIRECT:       connect to get_connect_host()/get_port()/get_tls_port()
 *                   or to the unix socket get_socket()
 *
 * Routes: a local QEMU hands out connected sockets itself
 * (virDomainOpenGraphicsFD: any listen type, no port, no password); a
 * host reached over SSH (qemu+ssh://, qemu+libssh://) gets a tunnel per
 * channel (lodge-ssh-tunnel.h) to the display's unix socket or to its
 * address as that host sees it, so nothing listens on the network; other
 * drivers and transports are reached directly, when the display listens
 * where this computer can reach it.
 *
 * Immutable and reference counted: read it from any thread. Errors are
 * LODGE_MODEL_ERROR: NOT_FOUND (no graphical display), NOT_SUPPORTED (a
 * display this computer cannot reach, with why and what to change),
 * FAILED, TIMED_OUT, LIBVIRT.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-machine-config.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MACHINE_GRAPHICS (lodge_machine_graphics_get_type ())

typedef struct _LodgeMachineGraphics LodgeMachineGraphics;

GType                  lodge_machine_graphics_get_type      (void) G_GNUC_CONST;

/* Pure (unit-tested): the display a client should use (the first SPICE
 * one, else the first VNC one) of @config, a running definition, on a
 * host reached through @uri. */
LodgeMachineGraphics  *lodge_machine_graphics_new_for_config (LodgeMachineConfig         *config,
                                                              const char                 *uri,
                                                              GError                    **error);
LodgeMachineGraphics  *lodge_machine_graphics_ref           (LodgeMachineGraphics       *self);
void                   lodge_machine_graphics_unref         (LodgeMachineGraphics       *self);

LodgeGraphicsProtocol  lodge_machine_graphics_get_protocol  (const LodgeMachineGraphics *self);
LodgeGraphicsListen    lodge_machine_graphics_get_listen    (const LodgeMachineGraphics *self);
LodgeGraphicsRoute     lodge_machine_graphics_get_route     (const LodgeMachineGraphics *self);
/* Which <graphics> of the definition it is (0 for the first). */
guint                  lodge_machine_graphics_get_index     (const LodgeMachineGraphics *self);
/* LISTEN_SOCKET: the socket's path on the machine's host. */
const char            *lodge_machine_graphics_get_socket    (const LodgeMachineGraphics *self);
/* LISTEN_ADDRESS: the address as the machine's host sees it ("0.0.0.0",
 * "127.0.0.1"…), and where a client connects: from this computer (DIRECT:
 * a host name for a wildcard) or from the host (SSH: loopback for a
 * wildcard). */
const char            *lodge_machine_graphics_get_address   (const LodgeMachineGraphics *self);
const char            *lodge_machine_graphics_get_connect_host (const LodgeMachineGraphics *self);
/* -1 when there is none. */
int                    lodge_machine_graphics_get_port      (const LodgeMachineGraphics *self);
int                    lodge_machine_graphics_get_tls_port  (const LodgeMachineGraphics *self);
/* The display's password, NULL when none (or when the connection may not
 * read the secure definition). LIBVIRT routes skip it. */
const char            *lodge_machine_graphics_get_password  (const LodgeMachineGraphics *self);
/* Whether the machine's host is another computer, and its name. */
gboolean               lodge_machine_graphics_get_is_remote (const LodgeMachineGraphics *self);
const char            *lodge_machine_graphics_get_host_name (const LodgeMachineGraphics *self);

/* Worker threads only (blocking): a socket connected to the display for
 * one channel, taken over by the caller; -1 with the error. @timeout_ms
 * bounds an SSH tunnel (0: LODGE_SSH_TUNNEL_TIMEOUT_MS). DIRECT routes have
 * none: LODGE_MODEL_ERROR_NOT_SUPPORTED. */
int                    lodge_machine_graphics_open_channel  (LodgeMachineGraphics       *self,
                                                             guint                       timeout_ms,
                                                             GCancellable               *cancellable,
                                                             GError                    **error);
/* The same on a worker thread, for the main thread. */
void                   lodge_machine_graphics_open_channel_async  (LodgeMachineGraphics  *self,
                                                                   GCancellable          *cancellable,
                                                                   GAsyncReadyCallback    callback,
                                                                   gpointer               user_data);
int                    lodge_machine_graphics_open_channel_finish (LodgeMachineGraphics  *self,
                                                                   GAsyncResult          *result,
                                                                   GError               **error);

/* Reads the machine's graphics on a worker thread (the machine should be
 * running: only then are sockets and ports known). */
void                   lodge_machine_get_graphics_async     (LodgeMachine               *machine,
                                                             GCancellable               *cancellable,
                                                             GAsyncReadyCallback         callback,
                                                             gpointer                    user_data);
LodgeMachineGraphics  *lodge_machine_get_graphics_finish    (LodgeMachine               *machine,
                                                             GAsyncResult               *result,
                                                             GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeMachineGraphics, lodge_machine_graphics_unref)

G_END_DECLS
