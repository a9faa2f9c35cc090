/* lodge-askpass-server.h: OpenSSH's questions, answered in Lodge's dialogs
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Over qemu+ssh:// libvirt runs ssh as a child of Lodge and never calls
 * its auth callback: ssh asks for passwords and host keys by itself, on
 * the terminal Lodge was started from (where nobody looks), or fails.
 * OpenSSH runs SSH_ASKPASS instead when SSH_ASKPASS_REQUIRE=force. That
 * program is lodge-askpass (src/lodge-askpass.c): it hands the prompt to
 * this server over a private peer-to-peer D-Bus connection and prints the
 * answer.
 *
 * libvirt 9.0 gives ssh only a few variables of Lodge's environment
 * (DISPLAY, HOME, PATH, SSH_ASKPASS, TERM, XDG_RUNTIME_DIR…), not
 * SSH_ASKPASS_REQUIRE nor LODGE_ASKPASS_ADDRESS. So the process set-up also
 * puts an "ssh" of Lodge's own first in PATH: a small script that sets
 * them and runs the real ssh.
 *
 * The server ties each question to the connection whose attempt started
 * that ssh (its command line: host, port, user) and emits it as that
 * connection's ::authenticate, so one handler serves both transports.
 * A question no connection claims comes as the server's own
 * ::authenticate (LodgeAuthRequest *).
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_ASKPASS_SERVER (lodge_askpass_server_get_type ())

G_DECLARE_FINAL_TYPE (LodgeAskpassServer, lodge_askpass_server, LODGE, ASKPASS_SERVER, GObject)

/* Once per process, before any thread exists (setenv is not thread-safe):
 * makes a private folder (0700, under $XDG_RUNTIME_DIR, else the temporary
 * folder) with the ssh wrapper, and sets LODGE_ASKPASS_ADDRESS,
 * SSH_ASKPASS (@helper, the lodge-askpass program), SSH_ASKPASS_REQUIRE
 * and PATH. */
gboolean            lodge_askpass_prepare_process      (const char          *helper,
                                                        GError             **error);

/* Seconds a shared ssh connection (see below) lives on after its last
 * user. */
#define LODGE_ASKPASS_CONTROL_PERSIST_S 2

/* The ssh wrapper also makes the first ssh to a host a shared connection
 * (OpenSSH's ControlMaster), named after the host, port, user, key file
 * (-i) and configuration file (-F) of its command line. An ssh run later
 * with the same ones and LODGE_SSH_TUNNEL=1 in its environment goes
 * through it when it is there, without logging in again, and never makes
 * one. This returns the folder where they are (for tests), or NULL when
 * the process was not prepared or no ssh was found to wrap. */
char               *lodge_askpass_dup_control_dir      (void);

/* Removes what lodge_askpass_prepare_process() made (the server does it
 * when it stops; a process that never started one calls this). */
void                lodge_askpass_cleanup_process      (void);

/* Listens at LODGE_ASKPASS_ADDRESS (NULL, with the reason, when the process
 * was not prepared). Main thread. */
LodgeAskpassServer *lodge_askpass_server_new           (GError             **error);
/* The connections whose questions it brings (weak references). */
void                lodge_askpass_server_add_connection    (LodgeAskpassServer *self,
                                                            LodgeConnection    *connection);
void                lodge_askpass_server_remove_connection (LodgeAskpassServer *self,
                                                            LodgeConnection    *connection);
/* Stops listening; questions still open are withdrawn, and the private
 * folder is removed. Disposing does the same. */
void                lodge_askpass_server_stop          (LodgeAskpassServer *self);
/* How many questions it has received (for tests). */
guint               lodge_askpass_server_get_n_questions (LodgeAskpassServer *self);

/* Pure, for tests: reads ssh's command line (as libvirt runs it: options,
 * then the destination, then the remote command). @port is 0 when none is
 * given. FALSE when no destination is found. */
gboolean            lodge_askpass_parse_ssh_command_line (const char * const *argv,
                                                          char              **user,
                                                          char              **host,
                                                          int                *port);

G_END_DECLS
