/* lodge-ssh-tunnel.h: a stream to a display on a remote host, through ssh
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libvirt cannot pass file descriptors over SSH, so a console of a machine
 * on a qemu+ssh:// host gets each of its channels through an ssh process of
 * its own: the system's ssh, run the way libvirt runs it for that URI
 * (user, port, keyfile=, command=, no_verify=, known_hosts=), never asking
 * anything on a terminal (BatchMode). Where libvirt's own ssh to that host
 * is a shared connection (Lodge's ssh wrapper, lodge-askpass-server.h),
 * the tunnel goes through it: no second login, so hosts that take only a
 * password work too. Its stdin and stdout are one end of a socket pair;
 * the caller gets the other end:
 *   a unix socket on the host   ssh HOST sh -c '… exec nc -U PATH'
 *                               (or socat; netcat= names another program)
 *   an address and port         ssh -W ADDRESS:PORT HOST (no program there)
 * No port is opened anywhere. Model-internal; not in lodge-model.h.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-uri.h"

G_BEGIN_DECLS

/* How long a tunnel may take to come up, unless the caller says. */
#define LODGE_SSH_TUNNEL_TIMEOUT_MS 20000

/* Exit codes of the script run on the host for a unix socket. */
#define LODGE_SSH_TUNNEL_EXIT_NO_SOCKET  90
#define LODGE_SSH_TUNNEL_EXIT_NO_NETCAT  91
#define LODGE_SSH_TUNNEL_EXIT_NOT_ALLOWED 92

/* Pure (unit-tested): the command line of the ssh process for @uri, to
 * @socket_path on the host, or (when NULL) to @address:@port as the host
 * sees them. @connect_timeout_s bounds ssh's TCP connection and
 * handshake. NULL with LODGE_MODEL_ERROR_NOT_SUPPORTED when @uri is not
 * reached over SSH. */
GStrv  lodge_ssh_tunnel_build_argv (const LodgeUri  *uri,
                                    const char      *socket_path,
                                    const char      *address,
                                    int              port,
                                    guint            connect_timeout_s,
                                    GError         **error);

/* Blocking (worker threads only): runs ssh and waits, at most
 * @timeout_ms, until it is through to the host (for a socket: until the
 * script there found it). Returns the caller's end of the socket pair
 * (close-on-exec, blocking), or -1 with LODGE_MODEL_ERROR_FAILED and what
 * ssh said, LODGE_MODEL_ERROR_TIMED_OUT, or G_IO_ERROR_CANCELLED. ssh
 * ends when the caller closes the socket. At most a few tunnels to one
 * host are set up at once: sshd drops connections beyond its MaxStartups. */
int    lodge_ssh_tunnel_open       (const LodgeUri  *uri,
                                    const char      *socket_path,
                                    const char      *address,
                                    int              port,
                                    guint            timeout_ms,
                                    GCancellable    *cancellable,
                                    GError         **error);

G_END_DECLS
