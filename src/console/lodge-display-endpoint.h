/* lodge-display-endpoint.h: where a remote display is and how to open it
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain value: protocol, host, ports or unix socket, credentials and the
 * session options of a connection file. Pure (no I/O but reading a file),
 * immutable and reference counted: read it from any thread.
 *
 *   endpoint = lodge_display_endpoint_new_from_uri ("spice://[::1]:5900", &error);
 *   endpoint = lodge_display_endpoint_new_from_vv_file (file, NULL, &error);
 *   if (lodge_display_endpoint_get_unknown_keys (endpoint)[0] != NULL)
 *     warn that these keys are not honoured;
 *
 * URIs, as remote-viewer takes them:
 *   spice://HOST:PORT                  spice://HOST?port=P&tls-port=T
 *   spice+tls://HOST:TLS-PORT          spice+unix:///path/to/socket
 *   vnc://HOST[:PORT] (5900 if none)   vnc+unix:///path/to/socket
 * Hosts may be IPv6 addresses in brackets; parts are percent-decoded. The
 * query may also carry password=; other query keys are listed as unknown.
 *
 * .vv files (virt-viewer's format): the [virt-viewer] group, see
 * lodge_display_endpoint_new_from_vv_data(). Ports are -1 when absent.
 *
 * Errors are LODGE_CONSOLE_ERROR; their messages name the problem and
 * never contain the password.
 */
#pragma once

#include <gio/gio.h>

#include "lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_DISPLAY_ENDPOINT (lodge_display_endpoint_get_type ())

/* What a client uses for a VNC address without a port. */
#define LODGE_DISPLAY_ENDPOINT_VNC_DEFAULT_PORT 5900

GType                 lodge_display_endpoint_get_type             (void) G_GNUC_CONST;

LodgeDisplayEndpoint *lodge_display_endpoint_new_from_uri         (const char                 *uri,
                                                                   GError                    **error);
LodgeDisplayEndpoint *lodge_display_endpoint_new_from_vv_data     (const char                 *data,
                                                                   gsize                       len,
                                                                   GError                    **error);
/* Reads @file (at most 1 MiB) synchronously: errors of GIO as they come,
 * then those of _new_from_vv_data(). It never deletes the file, even with
 * delete-this-file: the caller does, once it has what it needs. */
LodgeDisplayEndpoint *lodge_display_endpoint_new_from_vv_file     (GFile                      *file,
                                                                   GCancellable               *cancellable,
                                                                   GError                    **error);
LodgeDisplayEndpoint *lodge_display_endpoint_ref                  (LodgeDisplayEndpoint       *self);
void                  lodge_display_endpoint_unref                (LodgeDisplayEndpoint       *self);

LodgeDisplayProtocol  lodge_display_endpoint_get_protocol         (const LodgeDisplayEndpoint *self);
/* NULL with a unix socket. IPv6 addresses without brackets. */
const char           *lodge_display_endpoint_get_host             (const LodgeDisplayEndpoint *self);
/* -1 when there is none. */
int                   lodge_display_endpoint_get_port             (const LodgeDisplayEndpoint *self);
int                   lodge_display_endpoint_get_tls_port         (const LodgeDisplayEndpoint *self);
/* An absolute path, or NULL. */
const char           *lodge_display_endpoint_get_socket           (const LodgeDisplayEndpoint *self);
const char           *lodge_display_endpoint_get_password         (const LodgeDisplayEndpoint *self);
/* The CA certificate: PEM text (escapes decoded), or the path of a file
 * holding it; at most one of the two is set. */
const char           *lodge_display_endpoint_get_ca_certificate   (const LodgeDisplayEndpoint *self);
const char           *lodge_display_endpoint_get_ca_file          (const LodgeDisplayEndpoint *self);
const char           *lodge_display_endpoint_get_host_subject     (const LodgeDisplayEndpoint *self);
/* A proxy URL (http://user:pass@host:port): it may hold credentials. */
const char           *lodge_display_endpoint_get_proxy            (const LodgeDisplayEndpoint *self);
/* As the file gives it: virt-viewer replaces %d with the monitor number. */
const char           *lodge_display_endpoint_get_title            (const LodgeDisplayEndpoint *self);
/* Key combinations in SPICE hotkey form ("shift+f12"), as given. */
const char           *lodge_display_endpoint_get_release_cursor   (const LodgeDisplayEndpoint *self);
const char           *lodge_display_endpoint_get_secure_attention (const LodgeDisplayEndpoint *self);
/* A SPICE USB filter ("-1,-1,-1,-1,1|…"), as given. */
const char           *lodge_display_endpoint_get_usb_filter       (const LodgeDisplayEndpoint *self);
LodgeDisplayToggle    lodge_display_endpoint_get_fullscreen       (const LodgeDisplayEndpoint *self);
LodgeDisplayToggle    lodge_display_endpoint_get_delete_this_file (const LodgeDisplayEndpoint *self);
LodgeDisplayToggle    lodge_display_endpoint_get_enable_usbredir  (const LodgeDisplayEndpoint *self);
LodgeDisplayToggle    lodge_display_endpoint_get_enable_smartcard (const LodgeDisplayEndpoint *self);
LodgeDisplayToggle    lodge_display_endpoint_get_enable_usb_autoshare (const LodgeDisplayEndpoint *self);
/* The keys Lodge read but does not honour, in the order given ("[group]"
 * for a whole group other than [virt-viewer]); empty, never NULL. */
const char * const   *lodge_display_endpoint_get_unknown_keys     (const LodgeDisplayEndpoint *self);

/* A URI for display and logs, which _new_from_uri() reads back to the same
 * address; never the password, nor the options of a file. */
char                 *lodge_display_endpoint_to_uri               (const LodgeDisplayEndpoint *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeDisplayEndpoint, lodge_display_endpoint_unref)

G_END_DECLS
