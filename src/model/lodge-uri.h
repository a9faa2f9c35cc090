/* lodge-uri.h: a libvirt connection URI, parsed once, with one set of rules
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * driver[+transport]://[user@][host][:port]/path[?param=value&…]
 *
 * Pure: no I/O, no libvirt. The one place where Lodge decides what a URI
 * means (remote or not, system or session, where a host's files live).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LODGE_TYPE_URI (lodge_uri_get_type ())

typedef struct _LodgeUri LodgeUri;

GType        lodge_uri_get_type        (void) G_GNUC_CONST;

/* NULL with LODGE_MODEL_ERROR_INVALID_ARGUMENT when @uri is not a libvirt
 * URI (no "driver:" scheme, a bad port, bad escapes). */
LodgeUri    *lodge_uri_parse           (const char  *uri,
                                        GError     **error);
LodgeUri    *lodge_uri_ref             (LodgeUri    *self);
void         lodge_uri_unref           (LodgeUri    *self);

/* The string it was parsed from. */
const char  *lodge_uri_get_string      (const LodgeUri *self);
/* "qemu", "test", "lxc", … (lower case). */
const char  *lodge_uri_get_driver      (const LodgeUri *self);
/* "ssh", "libssh", "libssh2", "tcp", "tls", "unix", "ext", or NULL. */
const char  *lodge_uri_get_transport   (const LodgeUri *self);
const char  *lodge_uri_get_user        (const LodgeUri *self);
/* NULL when the URI names no host. */
const char  *lodge_uri_get_host        (const LodgeUri *self);
/* 0 when the URI names no port. */
int          lodge_uri_get_port        (const LodgeUri *self);
/* "/system", "/session", a test driver's file; "" when none. */
const char  *lodge_uri_get_path        (const LodgeUri *self);
/* A query parameter, unescaped (keyfile, socket, command, no_verify…). */
const char  *lodge_uri_get_param       (const LodgeUri *self,
                                        const char     *name);

/* Remote: reached over the network (a host, or a network transport; so
 * qemu+ssh://localhost/system is remote: libvirt cannot pass file
 * descriptors over it). Local: this computer's own daemon through its
 * socket. */
gboolean     lodge_uri_is_remote       (const LodgeUri *self);
/* The system daemon (path /system), a user's session (/session). */
gboolean     lodge_uri_is_system       (const LodgeUri *self);
gboolean     lodge_uri_is_session      (const LodgeUri *self);
/* libvirt's test driver (its machines and storage live in memory). */
gboolean     lodge_uri_is_test         (const LodgeUri *self);
/* Files the host's machines use are files of this computer: local, and
 * not the test driver. */
gboolean     lodge_uri_has_local_files (const LodgeUri *self);

/* A qemu+ssh:// URI for a host: @user and @keyfile may be NULL, @port 0
 * for ssh's default. Escapes what must be escaped. */
char        *lodge_uri_build_ssh       (const char  *user,
                                        const char  *host,
                                        int          port,
                                        gboolean     system,
                                        const char  *keyfile);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeUri, lodge_uri_unref)

G_END_DECLS
