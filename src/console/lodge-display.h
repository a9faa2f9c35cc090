/* lodge-display.h: the remote display widget
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Using it (include "console/lodge-console.h", link lodge_console_dep):
 *
 *   GtkWidget *display = lodge_display_new ();
 *
 *   // A local machine: every channel's socket from virDomainOpenGraphicsFD.
 *   g_signal_connect (display, "open-fd", G_CALLBACK (open_fd_cb), machine);
 *   lodge_display_connect_fd (LODGE_DISPLAY (display), -1);
 *   ...
 *   static void
 *   open_fd_cb (LodgeDisplay *display, guint request_id, int channel_type,
 *               gpointer user_data)
 *   {
 *     // On a worker thread: fd = virDomainOpenGraphicsFD (dom, 0, 0);
 *     // back on the main thread:
 *     lodge_display_give_fd (display, request_id, fd);
 *     // or lodge_display_fail_fd (display, request_id, message);
 *   }
 *
 *   // Any protocol: a LodgeDisplaySource made and connected by the caller.
 *   lodge_display_set_source (display, LODGE_DISPLAY_SOURCE (vnc_session));
 *
 *   // Or a SPICE server on the network / a unix socket:
 *   lodge_display_connect_host (display, host, port, tls_port, password);
 *   lodge_display_connect_unix (display, path, password);
 *   lodge_display_connect_uri (display, "spice://host:5900");
 *
 * State: the "state" property (LodgeDisplayState: disconnected, connecting,
 * connected) with notify::state, "disconnect-reason" (translated, for the
 * user; NULL after lodge_display_disconnect()), and the "disconnected"
 * signal. A guest reboot or shutdown ends in DISCONNECTED with a reason and
 * no picture; connect again for the next run.
 *
 * Picture: "scaling" (fit, the default, keeps the aspect ratio; one-to-one
 * is one guest pixel per device pixel, also on HiDPI; zoom uses "zoom"),
 * lodge_display_zoom_in/out(), lodge_display_save_screenshot() (PNG).
 *
 * Input: the widget takes every key while it has the focus (grab it with
 * gtk_widget_grab_focus()); application shortcuts that must work over the
 * console belong in a capture-phase controller of the window. The first
 * click inhibits the system shortcuts ("grabbed"); the "release-key"
 * (default Ctrl+Alt, let go after all were held; or modifiers and a key,
 * such as Shift+F12, which the guest never sees) ends it: show
 * lodge_display_get_release_label() in the UI while grabbed.
 * lodge_display_send_keys() for the send-key menu.
 *
 * Agent: "resize-guest" (on; debounced) and "share-clipboard" (on).
 * Files dropped on the display come as the "files-dropped" signal; copy
 * them with lodge_display_copy_files_async() (progress callback, cancel
 * with the GCancellable).
 * Audio: lodge_spice_session_set_audio()/set_record_audio() on
 * lodge_display_get_session() before connecting (playback on, recording
 * off by default).
 *
 * Thumbnails need no widget: a read-only LodgeSpiceSession
 * (lodge_spice_session_set_read_only()) and its LodgeFramebuffer, a
 * GdkPaintable, in a GtkPicture, with
 * lodge_framebuffer_set_refresh_interval (fb, 1000).
 */
#pragma once

#include <gtk/gtk.h>

#include "lodge-types.h"
#include "lodge-spice-session.h"

G_BEGIN_DECLS

#define LODGE_TYPE_DISPLAY (lodge_display_get_type ())
G_DECLARE_FINAL_TYPE (LodgeDisplay, lodge_display, LODGE, DISPLAY, GtkWidget)

GtkWidget          *lodge_display_new                  (void);
LodgeSpiceSession  *lodge_display_get_session          (LodgeDisplay        *self);
LodgeDisplaySource *lodge_display_get_source           (LodgeDisplay        *self);
void                lodge_display_set_source           (LodgeDisplay        *self,
                                                        LodgeDisplaySource  *source);

/* Connecting */
void                lodge_display_connect_uri          (LodgeDisplay        *self,
                                                        const char          *uri);
void                lodge_display_connect_host         (LodgeDisplay        *self,
                                                        const char          *host,
                                                        int                  port,
                                                        int                  tls_port,
                                                        const char          *password);
void                lodge_display_connect_unix         (LodgeDisplay        *self,
                                                        const char          *path,
                                                        const char          *password);
void                lodge_display_connect_fd           (LodgeDisplay        *self,
                                                        int                  fd);
void                lodge_display_give_fd              (LodgeDisplay        *self,
                                                        guint                request_id,
                                                        int                  fd);
void                lodge_display_fail_fd              (LodgeDisplay        *self,
                                                        guint                request_id,
                                                        const char          *message);
void                lodge_display_disconnect           (LodgeDisplay        *self);
LodgeDisplayState   lodge_display_get_state            (LodgeDisplay        *self);
const char         *lodge_display_get_disconnect_reason (LodgeDisplay       *self);

/* Picture */
LodgeDisplayScaling lodge_display_get_scaling          (LodgeDisplay        *self);
void                lodge_display_set_scaling          (LodgeDisplay        *self,
                                                        LodgeDisplayScaling  scaling);
double              lodge_display_get_zoom             (LodgeDisplay        *self);
void                lodge_display_set_zoom             (LodgeDisplay        *self,
                                                        double               zoom);
void                lodge_display_zoom_in              (LodgeDisplay        *self);
void                lodge_display_zoom_out             (LodgeDisplay        *self);
gboolean            lodge_display_get_guest_size       (LodgeDisplay        *self,
                                                        int                 *width,
                                                        int                 *height);
gboolean            lodge_display_widget_to_guest      (LodgeDisplay        *self,
                                                        double               x,
                                                        double               y,
                                                        int                 *guest_x,
                                                        int                 *guest_y);
gboolean            lodge_display_save_screenshot      (LodgeDisplay        *self,
                                                        const char          *filename,
                                                        GError             **error);
GdkTexture         *lodge_display_get_screenshot       (LodgeDisplay        *self);

/* Input */
void                lodge_display_send_keys            (LodgeDisplay        *self,
                                                        LodgeSendKey         keys);
gboolean            lodge_display_get_grabbed          (LodgeDisplay        *self);
void                lodge_display_release_grab         (LodgeDisplay        *self);
const char         *lodge_display_get_release_key      (LodgeDisplay        *self);
gboolean            lodge_display_set_release_key      (LodgeDisplay        *self,
                                                        const char          *accelerator);
char               *lodge_display_get_release_label    (LodgeDisplay        *self);

/* Guest agent */
void                lodge_display_copy_files_async     (LodgeDisplay         *self,
                                                        GFile               **files,
                                                        GCancellable         *cancellable,
                                                        GFileProgressCallback progress_callback,
                                                        gpointer              progress_data,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean            lodge_display_copy_files_finish    (LodgeDisplay         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
gboolean            lodge_display_get_resize_guest     (LodgeDisplay        *self);
void                lodge_display_set_resize_guest     (LodgeDisplay        *self,
                                                        gboolean             resize_guest);
gboolean            lodge_display_get_share_clipboard  (LodgeDisplay        *self);
void                lodge_display_set_share_clipboard  (LodgeDisplay        *self,
                                                        gboolean             share_clipboard);

G_END_DECLS
