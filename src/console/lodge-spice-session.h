/* lodge-spice-session.h: a SPICE connection feeding a framebuffer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lodge-types.h"
#include "lodge-framebuffer.h"
#include "lodge-display-source.h"

G_BEGIN_DECLS

#define LODGE_TYPE_SPICE_SESSION (lodge_spice_session_get_type ())
G_DECLARE_FINAL_TYPE (LodgeSpiceSession, lodge_spice_session, LODGE, SPICE_SESSION, LodgeDisplaySource)

LodgeSpiceSession *lodge_spice_session_new             (void);
LodgeFramebuffer  *lodge_spice_session_get_framebuffer (LodgeSpiceSession *self);
LodgeDisplayState  lodge_spice_session_get_state       (LodgeSpiceSession *self);
const char        *lodge_spice_session_get_disconnect_reason (LodgeSpiceSession *self);
void               lodge_spice_session_set_read_only   (LodgeSpiceSession *self,
                                                        gboolean           read_only);
void               lodge_spice_session_set_audio       (LodgeSpiceSession *self,
                                                        gboolean           audio);
void               lodge_spice_session_set_record_audio (LodgeSpiceSession *self,
                                                        gboolean           record_audio);
gboolean           lodge_spice_session_get_record_audio (LodgeSpiceSession *self);
void               lodge_spice_session_set_tls         (LodgeSpiceSession *self,
                                                        const char        *ca_file,
                                                        const char        *host_subject);

void               lodge_spice_session_connect_uri     (LodgeSpiceSession *self,
                                                        const char        *uri);
void               lodge_spice_session_connect_host    (LodgeSpiceSession *self,
                                                        const char        *host,
                                                        int                port,
                                                        int                tls_port,
                                                        const char        *password);
void               lodge_spice_session_connect_unix    (LodgeSpiceSession *self,
                                                        const char        *path,
                                                        const char        *password);
void               lodge_spice_session_connect_fd      (LodgeSpiceSession *self,
                                                        int                fd);
void               lodge_spice_session_connect_fd_full (LodgeSpiceSession *self,
                                                        int                fd,
                                                        const char        *password,
                                                        gboolean           local);
void               lodge_spice_session_give_fd         (LodgeSpiceSession *self,
                                                        guint              request_id,
                                                        int                fd);
void               lodge_spice_session_fail_fd         (LodgeSpiceSession *self,
                                                        guint              request_id,
                                                        const char        *message);
void               lodge_spice_session_disconnect      (LodgeSpiceSession *self);

gboolean           lodge_spice_session_has_inputs      (LodgeSpiceSession *self);
/* Whether keys and the pointer reach the guest now: the inputs channel is
 * open (they are dropped before). */
gboolean           lodge_spice_session_get_inputs_ready (LodgeSpiceSession *self);
void               lodge_spice_session_key_press       (LodgeSpiceSession *self,
                                                        guint              scancode);
void               lodge_spice_session_key_release     (LodgeSpiceSession *self,
                                                        guint              scancode);
LodgeKeyLocks      lodge_spice_session_get_key_locks   (LodgeSpiceSession *self);
void               lodge_spice_session_set_key_locks   (LodgeSpiceSession *self,
                                                        LodgeKeyLocks      locks);
gboolean           lodge_spice_session_get_server_mouse (LodgeSpiceSession *self);
void               lodge_spice_session_mouse_position  (LodgeSpiceSession *self,
                                                        int                x,
                                                        int                y,
                                                        guint              button_state);
void               lodge_spice_session_mouse_motion    (LodgeSpiceSession *self,
                                                        int                dx,
                                                        int                dy,
                                                        guint              button_state);
void               lodge_spice_session_mouse_button    (LodgeSpiceSession *self,
                                                        LodgeMouseButton   button,
                                                        gboolean           press,
                                                        guint              button_state);

GdkCursor         *lodge_spice_session_get_cursor      (LodgeSpiceSession *self);
gboolean           lodge_spice_session_get_cursor_visible (LodgeSpiceSession *self);

gboolean           lodge_spice_session_get_agent_connected (LodgeSpiceSession *self);
void               lodge_spice_session_request_guest_size (LodgeSpiceSession *self,
                                                        int                width,
                                                        int                height);
void               lodge_spice_session_set_clipboard   (LodgeSpiceSession *self,
                                                        GdkClipboard      *clipboard);
void               lodge_spice_session_copy_files_async (LodgeSpiceSession    *self,
                                                        GFile               **files,
                                                        GCancellable         *cancellable,
                                                        GFileProgressCallback progress_callback,
                                                        gpointer              progress_data,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean           lodge_spice_session_copy_files_finish (LodgeSpiceSession  *self,
                                                        GAsyncResult       *result,
                                                        GError            **error);

G_END_DECLS
