/* lodge-vnc-session.h: a VNC connection feeding a framebuffer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A LodgeDisplaySource on gvnc (no GTK inside gvnc):
 *
 *   LodgeVncSession *vnc = lodge_vnc_session_new ();
 *   lodge_vnc_session_set_password (vnc, password);       // optional
 *   g_signal_connect (vnc, "password-required", G_CALLBACK (ask_cb), NULL);
 *   lodge_vnc_session_connect_host (vnc, "127.0.0.1", 5901);
 *   lodge_display_set_source (display, LODGE_DISPLAY_SOURCE (vnc));
 *
 * Or lodge_vnc_session_connect_unix() (a server's unix socket) or
 * lodge_vnc_session_connect_fd() (a connected socket, or -1 to ask for one
 * through LodgeDisplaySource::open-fd, as virDomainOpenGraphicsFD gives).
 *
 * "password-required": the server asks for a password and none was set;
 * answer with lodge_vnc_session_answer_password(), or disconnect. The
 * state stays CONNECTING meanwhile.
 *
 * Keys: XT scancodes go as QEMU's extended key events when the server
 * offers them, as US-layout keysyms otherwise. The pointer is absolute
 * unless the server says it is relative ("server-mouse"). The desktop
 * size follows the server; guest resize asks for a size through the
 * extended desktop size message. Clipboard: VNC cut text (Latin-1).
 * Authentication: none and VNC password; others end with
 * LODGE_CONSOLE_ERROR_AUTH_UNSUPPORTED.
 */
#pragma once

#include <gtk/gtk.h>

#include "lodge-types.h"
#include "lodge-display-source.h"

G_BEGIN_DECLS

#define LODGE_TYPE_VNC_SESSION (lodge_vnc_session_get_type ())
G_DECLARE_FINAL_TYPE (LodgeVncSession, lodge_vnc_session, LODGE, VNC_SESSION, LodgeDisplaySource)

LodgeVncSession *lodge_vnc_session_new              (void);
void             lodge_vnc_session_set_password     (LodgeVncSession *self,
                                                     const char      *password);
void             lodge_vnc_session_set_read_only    (LodgeVncSession *self,
                                                     gboolean         read_only);
void             lodge_vnc_session_connect_host     (LodgeVncSession *self,
                                                     const char      *host,
                                                     int              port);
void             lodge_vnc_session_connect_unix     (LodgeVncSession *self,
                                                     const char      *path);
void             lodge_vnc_session_connect_fd       (LodgeVncSession *self,
                                                     int              fd);
void             lodge_vnc_session_answer_password  (LodgeVncSession *self,
                                                     const char      *password);
/* The server's name for its desktop, or NULL before it is known. */
const char      *lodge_vnc_session_get_desktop_name (LodgeVncSession *self);
/* Whether keys go as scancodes (QEMU's extended key events). */
gboolean         lodge_vnc_session_get_scancodes    (LodgeVncSession *self);

G_END_DECLS
