/* lodge-remote-window.h: a console window for a remote display address
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What `lodge spice://HOST:PORT`, `lodge vnc://HOST:PORT` or `lodge FILE.vv`
 * opens (SPICE, or VNC through a LodgeVncSession): one display,
 * no library, no libvirt. It connects when created and shows "connecting",
 * "display" or "disconnected" (with the reason and Reconnect).
 */
#pragma once

#include <adwaita.h>

#include "console/lodge-console.h"

G_BEGIN_DECLS

#define LODGE_TYPE_REMOTE_WINDOW (lodge_remote_window_get_type ())

G_DECLARE_FINAL_TYPE (LodgeRemoteWindow, lodge_remote_window, LODGE, REMOTE_WINDOW, AdwApplicationWindow)

/* @from_file: the endpoint came from a connection file (for the wording of
 * the notice about the keys Lodge does not use). Connects at once; opens
 * fullscreen when the endpoint asks for it. */
LodgeRemoteWindow    *lodge_remote_window_new          (GtkApplication       *application,
                                                        LodgeDisplayEndpoint *endpoint,
                                                        gboolean              from_file);
LodgeDisplayEndpoint *lodge_remote_window_get_endpoint (LodgeRemoteWindow    *self);
LodgeDisplay         *lodge_remote_window_get_display  (LodgeRemoteWindow    *self);
/* "connecting", "display" or "disconnected". */
const char           *lodge_remote_window_get_view     (LodgeRemoteWindow    *self);
/* The reason shown on the disconnected page, or NULL. */
const char           *lodge_remote_window_get_message  (LodgeRemoteWindow    *self);
void                  lodge_remote_window_reconnect    (LodgeRemoteWindow    *self);
/* The password prompt of a VNC display while it is open, or NULL; its
 * extra child is the password entry, its responses "connect", "cancel". */
AdwMessageDialog     *lodge_remote_window_get_password_dialog (LodgeRemoteWindow *self);

G_END_DECLS
