/* lodge-spice-session.c: a SPICE connection feeding a framebuffer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-spice-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>
#include <spice-client.h>
#include <spice/vd_agent.h>

#include "lodge-console-enums.h"
#include "lodge-spice-session.h"

/* The SPICE backend: owns a SpiceSession, keeps the channels the console
 * uses (main, display 0, inputs, cursor; playback and record through
 * spice_audio_get()), feeds the picture into a LodgeFramebuffer and turns
 * what happens on the channels into plain properties. A read-only session
 * (library thumbnails) sends no input and touches no clipboard.
 *
 * Sockets: when the session is opened on a file descriptor, every further
 * channel asks for its own socket through SpiceChannel::open-fd; that is
 * surfaced as LodgeSpiceSession::open-fd with a request id, which the owner
 * answers with lodge_spice_session_give_fd() (from virDomainOpenGraphicsFD,
 * which this layer knows nothing about). */

struct _LodgeSpiceSession
{
  LodgeDisplaySource parent_instance;

  SpiceSession *session;
  SpiceMainChannel *main;
  SpiceDisplayChannel *display;
  SpiceInputsChannel *inputs;
  gboolean inputs_open;
  SpiceCursorChannel *cursor_channel;
  SpiceAudio *audio_object;

  LodgeFramebuffer *framebuffer;

  GHashTable *fd_requests;
  guint next_request_id;

  gboolean agent_connected;
  gboolean read_only;
  gboolean audio;
  gboolean record_audio;
  char *tls_ca_file;
  char *tls_host_subject;

  GdkClipboard *clipboard;
  guint32 guest_clipboard_type;
  gboolean setting_clipboard;
  gboolean clipboard_from_guest;
  gboolean clipboard_offered;
};

enum {
  PROP_0,
  PROP_AGENT_CONNECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LodgeSpiceSession, lodge_spice_session, LODGE_TYPE_DISPLAY_SOURCE)

static void lodge_spice_session_teardown (LodgeSpiceSession *self);
static void lodge_spice_session_end_with (LodgeSpiceSession *self,
                                          LodgeConsoleError  code,
                                          const char        *reason);
#define lodge_spice_session_end(self, reason) \
  lodge_spice_session_end_with ((self), LODGE_CONSOLE_ERROR_FAILED, (reason))

static void
lodge_spice_session_set_cursor_internal (LodgeSpiceSession *self,
                                         GdkCursor         *cursor,
                                         gboolean           visible)
{
  lodge_display_source_set_cursor (LODGE_DISPLAY_SOURCE (self), cursor, visible);
}

static void
lodge_spice_session_update_capabilities (LodgeSpiceSession *self)
{
  LodgeDisplayCapabilities caps = LODGE_DISPLAY_CAPABILITY_NONE;

  if (self->audio_object != NULL)
    caps |= LODGE_DISPLAY_CAPABILITY_AUDIO;
  if (self->agent_connected && !self->read_only)
    caps |= LODGE_DISPLAY_CAPABILITY_AGENT | LODGE_DISPLAY_CAPABILITY_CLIPBOARD |
            LODGE_DISPLAY_CAPABILITY_FILE_COPY | LODGE_DISPLAY_CAPABILITY_GUEST_RESIZE;
  lodge_display_source_set_capabilities (LODGE_DISPLAY_SOURCE (self), caps);
}

static LodgeFramebufferFormat
format_from_spice (int format, gboolean *ok)
{
  *ok = TRUE;
  switch (format)
    {
    case SPICE_SURFACE_FMT_32_xRGB:
    case SPICE_SURFACE_FMT_32_ARGB:
      return LODGE_FRAMEBUFFER_FORMAT_XRGB8888;
    case SPICE_SURFACE_FMT_16_565:
      return LODGE_FRAMEBUFFER_FORMAT_RGB565;
    case SPICE_SURFACE_FMT_16_555:
      return LODGE_FRAMEBUFFER_FORMAT_XRGB1555;
    default:
      *ok = FALSE;
      return LODGE_FRAMEBUFFER_FORMAT_XRGB8888;
    }
}

/* Display channel */

static void
lodge_spice_session_display_primary_create_cb (LodgeSpiceSession *self,
                                               int                format,
                                               int                width,
                                               int                height,
                                               int                stride,
                                               int                shmid,
                                               gpointer           imgdata,
                                               SpiceChannel      *channel)
{
  LodgeFramebufferFormat fb_format;
  gboolean ok;

  fb_format = format_from_spice (format, &ok);
  if (!ok || width <= 0 || height <= 0 || imgdata == NULL)
    {
      g_warning ("Unsupported primary surface: format %d, %dx%d", format, width, height);
      lodge_framebuffer_clear_surface (self->framebuffer);
      return;
    }

  g_debug ("Primary surface %dx%d, format %d, stride %d", width, height, format, stride);
  lodge_framebuffer_set_surface (self->framebuffer, fb_format, width, height, stride, imgdata);
}

static void
lodge_spice_session_display_primary_destroy_cb (LodgeSpiceSession *self,
                                                SpiceChannel      *channel)
{
  lodge_framebuffer_clear_surface (self->framebuffer);
}

static void
lodge_spice_session_display_invalidate_cb (LodgeSpiceSession *self,
                                           int                x,
                                           int                y,
                                           int                width,
                                           int                height,
                                           SpiceChannel      *channel)
{
  lodge_framebuffer_invalidate (self->framebuffer, x, y, width, height);
}

/* Cursor channel */

static void
lodge_spice_session_cursor_notify_cb (LodgeSpiceSession *self,
                                      GParamSpec        *pspec,
                                      SpiceCursorChannel *channel)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkCursor) cursor = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SpiceCursorShape *shape = NULL;

  g_object_get (channel, "cursor", &shape, NULL);
  if (shape == NULL || shape->data == NULL || shape->width == 0 || shape->height == 0)
    {
      if (shape != NULL)
        g_boxed_free (SPICE_TYPE_CURSOR_SHAPE, shape);
      lodge_spice_session_set_cursor_internal (self, NULL, TRUE);
      return;
    }

  /* spice-client-glib hands the shape over as straight-alpha RGBA bytes. */
  bytes = g_bytes_new (shape->data, (gsize) shape->width * shape->height * 4);
  texture = gdk_memory_texture_new (shape->width, shape->height, GDK_MEMORY_R8G8B8A8,
                                    bytes, (gsize) shape->width * 4);
  cursor = gdk_cursor_new_from_texture (texture,
                                        MIN (shape->hot_spot_x, shape->width - 1),
                                        MIN (shape->hot_spot_y, shape->height - 1),
                                        NULL);
  g_boxed_free (SPICE_TYPE_CURSOR_SHAPE, shape);

  lodge_spice_session_set_cursor_internal (self, cursor, TRUE);
}

static void
lodge_spice_session_cursor_hide_cb (LodgeSpiceSession  *self,
                                    SpiceCursorChannel *channel)
{
  lodge_spice_session_set_cursor_internal (self,
                                           lodge_display_source_get_cursor (LODGE_DISPLAY_SOURCE (self)),
                                           FALSE);
}

static void
lodge_spice_session_cursor_reset_cb (LodgeSpiceSession  *self,
                                     SpiceCursorChannel *channel)
{
  lodge_spice_session_set_cursor_internal (self, NULL, TRUE);
}

/* Main channel */

static const char *
reason_for_event (SpiceChannelEvent event)
{
  switch (event)
    {
    case SPICE_CHANNEL_CLOSED:
      return _("The connection was closed");
    case SPICE_CHANNEL_ERROR_CONNECT:
      return _("Could not connect to the display");
    case SPICE_CHANNEL_ERROR_TLS:
      return _("The secure connection failed: the certificate may not match");
    case SPICE_CHANNEL_ERROR_LINK:
      return _("The display server refused the connection");
    case SPICE_CHANNEL_ERROR_AUTH:
      return _("Authentication failed: the password may be wrong");
    case SPICE_CHANNEL_ERROR_IO:
      return _("The connection to the display broke");
    default:
      return _("The display was disconnected");
    }
}

static LodgeConsoleError
code_for_event (SpiceChannelEvent event)
{
  switch (event)
    {
    case SPICE_CHANNEL_CLOSED:
    case SPICE_CHANNEL_ERROR_IO:
      return LODGE_CONSOLE_ERROR_CLOSED;
    case SPICE_CHANNEL_ERROR_CONNECT:
      return LODGE_CONSOLE_ERROR_CONNECTION_FAILED;
    case SPICE_CHANNEL_ERROR_AUTH:
      return LODGE_CONSOLE_ERROR_AUTH_FAILED;
    default:
      return LODGE_CONSOLE_ERROR_FAILED;
    }
}

static void
lodge_spice_session_main_channel_event_cb (LodgeSpiceSession *self,
                                           SpiceChannelEvent  event,
                                           SpiceChannel      *channel)
{
  if ((gpointer) channel != (gpointer) self->main)
    return;

  switch (event)
    {
    case SPICE_CHANNEL_OPENED:
      lodge_display_source_set_state (LODGE_DISPLAY_SOURCE (self), LODGE_DISPLAY_STATE_CONNECTED, NULL);
      break;
    case SPICE_CHANNEL_SWITCHING:
      break;
    case SPICE_CHANNEL_CLOSED:
    case SPICE_CHANNEL_ERROR_CONNECT:
    case SPICE_CHANNEL_ERROR_TLS:
    case SPICE_CHANNEL_ERROR_LINK:
    case SPICE_CHANNEL_ERROR_AUTH:
    case SPICE_CHANNEL_ERROR_IO:
    default:
      {
        const GError *error = spice_channel_get_error (channel);
        g_autofree char *reason = NULL;

        if (error != NULL && event != SPICE_CHANNEL_CLOSED)
          reason = g_strdup_printf ("%s (%s)", reason_for_event (event), error->message);
        else
          reason = g_strdup (reason_for_event (event));
        g_debug ("Main channel event %d: %s", event, reason);
        lodge_spice_session_end_with (self, code_for_event (event), reason);
      }
      break;
    }
}

static void
lodge_spice_session_update_mouse_mode (LodgeSpiceSession *self)
{
  int mode = 0;
  gboolean server;

  if (self->main != NULL)
    g_object_get (self->main, "mouse-mode", &mode, NULL);
  server = mode == SPICE_MOUSE_MODE_SERVER;
  lodge_display_source_set_server_mouse (LODGE_DISPLAY_SOURCE (self), server);
}

static void
lodge_spice_session_main_mouse_update_cb (LodgeSpiceSession *self,
                                          SpiceChannel      *channel)
{
  lodge_spice_session_update_mouse_mode (self);
}

static void lodge_spice_session_offer_clipboard (LodgeSpiceSession *self);

static void
lodge_spice_session_main_agent_update_cb (LodgeSpiceSession *self,
                                          SpiceChannel      *channel)
{
  gboolean connected = FALSE;

  g_object_get (channel, "agent-connected", &connected, NULL);
  if (connected != self->agent_connected)
    {
      self->agent_connected = connected;
      self->clipboard_offered = FALSE;
      lodge_spice_session_update_capabilities (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_CONNECTED]);
    }
  /* Also emitted when the agent's capabilities arrive. */
  if (connected && !self->clipboard_offered)
    lodge_spice_session_offer_clipboard (self);
}

/* Clipboard: the CLIPBOARD selection, UTF-8 text and PNG images. */

static gboolean
lodge_spice_session_main_clipboard_grab_cb (LodgeSpiceSession *self,
                                            guint              selection,
                                            guint32           *types,
                                            guint              n_types,
                                            SpiceMainChannel  *channel)
{
  guint32 wanted = 0;

  if (self->clipboard == NULL || self->read_only ||
      selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD)
    return TRUE;

  for (guint i = 0; i < n_types; i++)
    {
      if (types[i] == VD_AGENT_CLIPBOARD_UTF8_TEXT)
        {
          wanted = types[i];
          break;
        }
      if (types[i] == VD_AGENT_CLIPBOARD_IMAGE_PNG)
        wanted = types[i];
    }

  /* The guest owns the clipboard now: fetch what it has at once, so that
   * a paste on the host never waits on the guest. */
  self->guest_clipboard_type = wanted;
  if (wanted != 0)
    spice_main_channel_clipboard_selection_request (channel, selection, wanted);
  return TRUE;
}

static void
lodge_spice_session_main_clipboard_cb (LodgeSpiceSession *self,
                                       guint              selection,
                                       guint              type,
                                       const guchar      *data,
                                       guint              size,
                                       SpiceMainChannel  *channel)
{
  if (self->clipboard == NULL || selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD)
    return;

  if (type == VD_AGENT_CLIPBOARD_UTF8_TEXT)
    {
      g_autofree char *text = g_strndup ((const char *) data, size);

      if (g_utf8_validate (text, -1, NULL))
        {
          self->setting_clipboard = TRUE;
          gdk_clipboard_set_text (self->clipboard, text);
          self->setting_clipboard = FALSE;
          self->clipboard_from_guest = TRUE;
        }
    }
  else if (type == VD_AGENT_CLIPBOARD_IMAGE_PNG)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (data, size);
      g_autoptr(GdkTexture) texture = gdk_texture_new_from_bytes (bytes, NULL);

      if (texture != NULL)
        {
          self->setting_clipboard = TRUE;
          gdk_clipboard_set_texture (self->clipboard, texture);
          self->setting_clipboard = FALSE;
          self->clipboard_from_guest = TRUE;
        }
    }
}

typedef struct
{
  LodgeSpiceSession *self;
  SpiceMainChannel *main;
  guint selection;
  guint32 type;
} ClipboardRequest;

static void
clipboard_request_free (ClipboardRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->main);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClipboardRequest, clipboard_request_free)

static void
lodge_spice_session_read_text_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(ClipboardRequest) request = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);

  if (text == NULL)
    text = g_strdup ("");
  if (request->self->main == request->main)
    spice_main_channel_clipboard_selection_notify (request->main, request->selection,
                                                   request->type, (const guchar *) text,
                                                   strlen (text));
}

static void
lodge_spice_session_read_texture_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(ClipboardRequest) request = user_data;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object),
                                                                    result, NULL);
  g_autoptr(GBytes) png = NULL;

  if (texture != NULL)
    png = gdk_texture_save_to_png_bytes (texture);
  if (request->self->main == request->main)
    spice_main_channel_clipboard_selection_notify (request->main, request->selection,
                                                   request->type,
                                                   png ? g_bytes_get_data (png, NULL) : NULL,
                                                   png ? g_bytes_get_size (png) : 0);
}

static gboolean
lodge_spice_session_main_clipboard_request_cb (LodgeSpiceSession *self,
                                               guint              selection,
                                               guint              type,
                                               SpiceMainChannel  *channel)
{
  ClipboardRequest *request;

  if (self->clipboard == NULL || self->read_only ||
      selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD)
    return FALSE;

  request = g_new0 (ClipboardRequest, 1);
  request->self = g_object_ref (self);
  request->main = g_object_ref (channel);
  request->selection = selection;
  request->type = type;

  if (type == VD_AGENT_CLIPBOARD_UTF8_TEXT)
    gdk_clipboard_read_text_async (self->clipboard, NULL,
                                   lodge_spice_session_read_text_cb, request);
  else if (type == VD_AGENT_CLIPBOARD_IMAGE_PNG)
    gdk_clipboard_read_texture_async (self->clipboard, NULL,
                                      lodge_spice_session_read_texture_cb, request);
  else
    {
      clipboard_request_free (request);
      return FALSE;
    }
  return TRUE;
}

static void
lodge_spice_session_offer_clipboard (LodgeSpiceSession *self)
{
  GdkContentFormats *formats;
  guint32 types[2];
  guint n_types = 0;

  if (self->clipboard == NULL || self->main == NULL || self->read_only ||
      !self->agent_connected ||
      !spice_main_channel_agent_test_capability (self->main, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND))
    return;

  /* What this session put there came from the guest. */
  if (self->setting_clipboard || self->clipboard_from_guest)
    return;

  formats = gdk_clipboard_get_formats (self->clipboard);
  if (gdk_content_formats_contain_gtype (formats, G_TYPE_STRING) ||
      gdk_content_formats_contain_mime_type (formats, "text/plain;charset=utf-8") ||
      gdk_content_formats_contain_mime_type (formats, "text/plain"))
    types[n_types++] = VD_AGENT_CLIPBOARD_UTF8_TEXT;
  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE) ||
      gdk_content_formats_contain_mime_type (formats, "image/png"))
    types[n_types++] = VD_AGENT_CLIPBOARD_IMAGE_PNG;

  self->clipboard_offered = TRUE;
  if (n_types > 0)
    spice_main_channel_clipboard_selection_grab (self->main,
                                                 VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD,
                                                 types, n_types);
}

static void
lodge_spice_session_clipboard_changed_cb (LodgeSpiceSession *self,
                                          GdkClipboard      *clipboard)
{
  if (self->setting_clipboard)
    return;
  self->clipboard_from_guest = FALSE;
  self->clipboard_offered = FALSE;
  lodge_spice_session_offer_clipboard (self);
}

/* Channels */

static void
lodge_spice_session_inputs_channel_event_cb (LodgeSpiceSession *self,
                                             SpiceChannelEvent  event,
                                             SpiceChannel      *channel)
{
  if ((gpointer) channel == (gpointer) self->inputs)
    self->inputs_open = event == SPICE_CHANNEL_OPENED;
}

static void
lodge_spice_session_channel_open_fd_cb (LodgeSpiceSession *self,
                                        int                with_tls,
                                        SpiceChannel      *channel)
{
  guint id = ++self->next_request_id;
  int type = 0;

  g_object_get (channel, "channel-type", &type, NULL);
  g_hash_table_insert (self->fd_requests, GUINT_TO_POINTER (id), g_object_ref (channel));
  g_debug ("Channel %s asks for a socket (request %u)",
           spice_channel_type_to_string (type), id);
  lodge_display_source_request_fd (LODGE_DISPLAY_SOURCE (self), id, type);
}

static void
lodge_spice_session_channel_new_cb (LodgeSpiceSession *self,
                                    SpiceChannel      *channel,
                                    SpiceSession      *session)
{
  int id = 0;

  g_object_get (channel, "channel-id", &id, NULL);

  /* The microphone only when the user allowed it: SpiceAudio, connected
   * after this handler, never sees the channel. */
  if (SPICE_IS_RECORD_CHANNEL (channel) && !self->record_audio)
    {
      g_signal_stop_emission_by_name (session, "channel-new");
      return;
    }

  g_signal_connect_object (channel, "open-fd",
                           G_CALLBACK (lodge_spice_session_channel_open_fd_cb),
                           self, G_CONNECT_SWAPPED);

  if (SPICE_IS_MAIN_CHANNEL (channel))
    {
      self->main = SPICE_MAIN_CHANNEL (channel);
      g_signal_connect_object (channel, "channel-event",
                               G_CALLBACK (lodge_spice_session_main_channel_event_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (channel, "main-mouse-update",
                               G_CALLBACK (lodge_spice_session_main_mouse_update_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (channel, "main-agent-update",
                               G_CALLBACK (lodge_spice_session_main_agent_update_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (channel, "main-clipboard-selection-grab",
                               G_CALLBACK (lodge_spice_session_main_clipboard_grab_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (channel, "main-clipboard-selection",
                               G_CALLBACK (lodge_spice_session_main_clipboard_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (channel, "main-clipboard-selection-request",
                               G_CALLBACK (lodge_spice_session_main_clipboard_request_cb),
                               self, G_CONNECT_SWAPPED);
      lodge_spice_session_update_mouse_mode (self);
    }
  else if (SPICE_IS_DISPLAY_CHANNEL (channel) && id == 0)
    {
      SpiceDisplayPrimary primary;

      self->display = SPICE_DISPLAY_CHANNEL (channel);
      g_signal_connect_object (channel, "display-primary-create",
                               G_CALLBACK (lodge_spice_session_display_primary_create_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (channel, "display-primary-destroy",
                               G_CALLBACK (lodge_spice_session_display_primary_destroy_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (channel, "display-invalidate",
                               G_CALLBACK (lodge_spice_session_display_invalidate_cb),
                               self, G_CONNECT_SWAPPED);
      if (spice_display_channel_get_primary (channel, 0, &primary))
        lodge_spice_session_display_primary_create_cb (self, primary.format, primary.width,
                                                       primary.height, primary.stride,
                                                       primary.shmid, primary.data, channel);
      spice_channel_connect (channel);
    }
  else if (SPICE_IS_INPUTS_CHANNEL (channel))
    {
      if (!self->read_only)
        {
          self->inputs = SPICE_INPUTS_CHANNEL (channel);
          self->inputs_open = FALSE;
          g_signal_connect_object (channel, "channel-event",
                                   G_CALLBACK (lodge_spice_session_inputs_channel_event_cb),
                                   self, G_CONNECT_SWAPPED);
          spice_channel_connect (channel);
        }
    }
  else if (SPICE_IS_CURSOR_CHANNEL (channel) && id == 0)
    {
      if (!self->read_only)
        {
          self->cursor_channel = SPICE_CURSOR_CHANNEL (channel);
          g_signal_connect_object (channel, "notify::cursor",
                                   G_CALLBACK (lodge_spice_session_cursor_notify_cb),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (channel, "cursor-hide",
                                   G_CALLBACK (lodge_spice_session_cursor_hide_cb),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (channel, "cursor-reset",
                                   G_CALLBACK (lodge_spice_session_cursor_reset_cb),
                                   self, G_CONNECT_SWAPPED);
          spice_channel_connect (channel);
        }
    }
}

static void
lodge_spice_session_channel_destroy_cb (LodgeSpiceSession *self,
                                        SpiceChannel      *channel,
                                        SpiceSession      *session)
{
  if ((gpointer) channel == (gpointer) self->main)
    self->main = NULL;
  else if ((gpointer) channel == (gpointer) self->display)
    {
      self->display = NULL;
      lodge_framebuffer_clear_surface (self->framebuffer);
    }
  else if ((gpointer) channel == (gpointer) self->inputs)
    {
      self->inputs = NULL;
      self->inputs_open = FALSE;
    }
  else if ((gpointer) channel == (gpointer) self->cursor_channel)
    self->cursor_channel = NULL;
}

static void
lodge_spice_session_session_disconnected_cb (LodgeSpiceSession *self,
                                             SpiceSession      *session)
{
  if (lodge_display_source_get_state (LODGE_DISPLAY_SOURCE (self)) != LODGE_DISPLAY_STATE_DISCONNECTED)
    lodge_spice_session_end_with (self, LODGE_CONSOLE_ERROR_CLOSED, _("The connection was closed"));
}

/* Retiring a SpiceSession.
 *
 * spice_session_disconnect() destroys the channels at once, and destroying
 * a channel clears its session pointer while the channel's coroutine may
 * still run (it resumes after a signal it emitted, a socket wait): the
 * coroutine then reads the session through NULL ("spice_session_get_read_only:
 * assertion 'SPICE_IS_SESSION(self)' failed", "g_object_get: assertion
 * 'G_IS_OBJECT (object)' failed"). So a retired session first hangs up
 * every channel and is kept, with its channels, until no coroutine runs:
 * a running coroutine holds a reference on its channel and its socket,
 * which it drops when it exits. Only then is the session disconnected and
 * released. Nothing of ours is connected to it any more. */

#define RETIRE_POLL_MS 10
/* A coroutine that never exits (a server that stops answering in the
 * middle of the handshake) must not keep the session for ever. */
#define RETIRE_MAX_POLLS 1000

typedef struct
{
  SpiceSession *session;
  guint polls;
} RetiredSession;

/* Hangs up the channels still running; TRUE when none runs. */
static gboolean
retired_session_quiet (SpiceSession *session)
{
  GList *channels = spice_session_get_channels (session);
  gboolean quiet = TRUE;

  for (GList *l = channels; l != NULL; l = l->next)
    {
      SpiceChannel *channel = l->data;
      g_autoptr(GSocket) socket = NULL;

      g_object_get (channel, "socket", &socket, NULL);
      /* The session's own reference is the only one of an idle channel.
       * Hang up again every time: a coroutine that had not started yet
       * when it was first told to ignores it. */
      if (socket != NULL || g_atomic_int_get (&G_OBJECT (channel)->ref_count) > 1)
        {
          quiet = FALSE;
          spice_channel_disconnect (channel, SPICE_CHANNEL_NONE);
        }
    }
  g_list_free (channels);
  return quiet;
}

static void
retired_session_free (RetiredSession *retired)
{
  /* The disconnection holds its own reference until it is done. */
  spice_session_disconnect (retired->session);
  g_object_unref (retired->session);
  g_free (retired);
}

static gboolean
retired_session_poll_cb (gpointer user_data)
{
  RetiredSession *retired = user_data;

  if (!retired_session_quiet (retired->session) && ++retired->polls < RETIRE_MAX_POLLS)
    return G_SOURCE_CONTINUE;
  if (retired->polls >= RETIRE_MAX_POLLS)
    g_debug ("A SPICE channel did not stop: disconnecting its session anyway");
  retired_session_free (retired);
  return G_SOURCE_REMOVE;
}

/* Takes @session (our handlers already gone from it and its channels). */
static void
retire_spice_session (SpiceSession *session)
{
  RetiredSession *retired = g_new0 (RetiredSession, 1);

  retired->session = session;
  if (retired_session_quiet (session))
    retired_session_free (retired);
  else
    g_timeout_add (RETIRE_POLL_MS, retired_session_poll_cb, retired);
}

/* Drops the SpiceSession (if any) and everything that came from it. */
static void
lodge_spice_session_teardown (LodgeSpiceSession *self)
{
  /* First: the picture may still read the display channel's surface,
   * which disconnecting frees without telling us (our handlers are gone). */
  lodge_framebuffer_clear_surface (self->framebuffer);
  /* The channels asking for a socket: their references. */
  g_hash_table_remove_all (self->fd_requests);

  if (self->session != NULL)
    {
      SpiceSession *session = g_steal_pointer (&self->session);
      GList *channels = spice_session_get_channels (session);

      /* Events of the old channels must not reach a new session, nor a
       * finalized LodgeSpiceSession. */
      for (GList *l = channels; l != NULL; l = l->next)
        g_signal_handlers_disconnect_by_data (l->data, self);
      g_list_free (channels);
      g_signal_handlers_disconnect_by_data (session, self);
      retire_spice_session (session);
    }

  self->main = NULL;
  self->display = NULL;
  self->inputs = NULL;
  self->inputs_open = FALSE;
  self->cursor_channel = NULL;
  self->audio_object = NULL;
  lodge_spice_session_set_cursor_internal (self, NULL, TRUE);
  if (self->agent_connected)
    {
      self->agent_connected = FALSE;
      lodge_spice_session_update_capabilities (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_CONNECTED]);
    }
  else
    lodge_spice_session_update_capabilities (self);
}

/* The session ends: everything that came from it goes, and the state
 * says why (NULL: no reason to show). */
static void
lodge_spice_session_end_with (LodgeSpiceSession *self,
                              LodgeConsoleError  code,
                              const char        *reason)
{
  g_autoptr(GError) error = NULL;

  if (reason != NULL)
    error = g_error_new_literal (LODGE_CONSOLE_ERROR, code, reason);
  lodge_spice_session_teardown (self);
  lodge_display_source_set_state (LODGE_DISPLAY_SOURCE (self), LODGE_DISPLAY_STATE_DISCONNECTED, error);
}

static SpiceSession *
lodge_spice_session_prepare (LodgeSpiceSession *self)
{
  lodge_spice_session_teardown (self);

  self->session = spice_session_new ();
  /* Not spice-client-glib's own "read-only": with it, the main channel still
   * starts the guest agent when the server has one (SPICE_MSGC_MAIN_AGENT_START,
   * then its capabilities) and then refuses to send what it wrote, with
   * "Try to send message while read-only" for every message. A read-only
   * LodgeSpiceSession holds itself back instead: no inputs, cursor or
   * recording channel, no clipboard, file copy or resolution request (see
   * every use of self->read_only). What the client library sends on its
   * own is the handshake of any client (the agent start, the mouse mode
   * request), which takes nothing from the guest. */
  if (self->tls_ca_file != NULL)
    g_object_set (self->session, "ca-file", self->tls_ca_file, NULL);
  if (self->tls_host_subject != NULL)
    g_object_set (self->session,
                  "cert-subject", self->tls_host_subject,
                  "verify", SPICE_SESSION_VERIFY_SUBJECT,
                  NULL);
  g_signal_connect_object (self->session, "channel-new",
                           G_CALLBACK (lodge_spice_session_channel_new_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "channel-destroy",
                           G_CALLBACK (lodge_spice_session_channel_destroy_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "disconnected",
                           G_CALLBACK (lodge_spice_session_session_disconnected_cb),
                           self, G_CONNECT_SWAPPED);
  if (self->audio && !self->read_only)
    self->audio_object = spice_audio_get (self->session, NULL);

  lodge_spice_session_update_capabilities (self);
  lodge_display_source_set_state (LODGE_DISPLAY_SOURCE (self), LODGE_DISPLAY_STATE_CONNECTING, NULL);
  return self->session;
}

/* A local server (a socket from virDomainOpenGraphicsFD, a unix socket,
 * loopback) costs nothing to send raw pixels to, while decoding its
 * default GLZ/QUIC images costs the client CPU for every update: ask it
 * for none. */
static void
lodge_spice_session_prefer_raw_images (LodgeSpiceSession *self)
{
  g_object_set (self->session, "preferred-compression", SPICE_IMAGE_COMPRESSION_OFF, NULL);
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static void
lodge_spice_session_start (LodgeSpiceSession *self)
{
  if (!spice_session_connect (self->session))
    {
      lodge_spice_session_end (self, _("Could not connect to the display"));
    }
}

/* GObject */

static void
lodge_spice_session_dispose (GObject *object)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (object);

  lodge_spice_session_teardown (self);
  if (self->clipboard != NULL)
    g_signal_handlers_disconnect_by_data (self->clipboard, self);
  g_clear_object (&self->clipboard);

  G_OBJECT_CLASS (lodge_spice_session_parent_class)->dispose (object);
}

static void
lodge_spice_session_finalize (GObject *object)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (object);

  g_clear_pointer (&self->fd_requests, g_hash_table_unref);
  g_free (self->tls_ca_file);
  g_free (self->tls_host_subject);

  G_OBJECT_CLASS (lodge_spice_session_parent_class)->finalize (object);
}

static void
lodge_spice_session_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (object);

  switch (prop_id)
    {
    case PROP_AGENT_CONNECTED:
      g_value_set_boolean (value, self->agent_connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* LodgeDisplaySource */

static void lodge_spice_session_set_clipboard_internal (LodgeSpiceSession *self,
                                                        GdkClipboard      *clipboard);

static void
lodge_spice_session_source_disconnect (LodgeDisplaySource *source)
{
  lodge_spice_session_end (LODGE_SPICE_SESSION (source), NULL);
}

static void
lodge_spice_session_source_give_fd (LodgeDisplaySource *source,
                                    guint               request_id,
                                    int                 fd)
{
  lodge_spice_session_give_fd (LODGE_SPICE_SESSION (source), request_id, fd);
}

static void
lodge_spice_session_source_fail_fd (LodgeDisplaySource *source,
                                    guint               request_id,
                                    const char         *message)
{
  lodge_spice_session_fail_fd (LODGE_SPICE_SESSION (source), request_id, message);
}

static gboolean
lodge_spice_session_source_has_inputs (LodgeDisplaySource *source)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (source);

  return self->inputs != NULL && !self->read_only;
}

static gboolean
lodge_spice_session_source_get_inputs_ready (LodgeDisplaySource *source)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (source);

  /* The channel's calls are only valid once it is open. */
  return self->inputs != NULL && self->inputs_open && !self->read_only;
}

static void
lodge_spice_session_source_key_event (LodgeDisplaySource *source,
                                      guint               scancode,
                                      gboolean            press)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (source);

  if (press)
    spice_inputs_channel_key_press (self->inputs, scancode);
  else
    spice_inputs_channel_key_release (self->inputs, scancode);
}

static LodgeKeyLocks
lodge_spice_session_source_get_key_locks (LodgeDisplaySource *source)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (source);
  int modifiers = 0;

  if (self->inputs == NULL)
    return 0;
  g_object_get (self->inputs, "key-modifiers", &modifiers, NULL);
  return modifiers & (LODGE_KEY_LOCK_SCROLL | LODGE_KEY_LOCK_NUM | LODGE_KEY_LOCK_CAPS);
}

static void
lodge_spice_session_source_set_key_locks (LodgeDisplaySource *source,
                                          LodgeKeyLocks       locks)
{
  spice_inputs_channel_set_key_locks (LODGE_SPICE_SESSION (source)->inputs, locks);
}

static void
lodge_spice_session_source_pointer_position (LodgeDisplaySource *source,
                                             int                 x,
                                             int                 y,
                                             guint               button_state)
{
  spice_inputs_channel_position (LODGE_SPICE_SESSION (source)->inputs, x, y, 0, button_state);
}

static void
lodge_spice_session_source_pointer_motion (LodgeDisplaySource *source,
                                           int                 dx,
                                           int                 dy,
                                           guint               button_state)
{
  spice_inputs_channel_motion (LODGE_SPICE_SESSION (source)->inputs, dx, dy, button_state);
}

static void
lodge_spice_session_source_pointer_button (LodgeDisplaySource *source,
                                           LodgeMouseButton    button,
                                           gboolean            press,
                                           guint               button_state)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (source);

  if (press)
    spice_inputs_channel_button_press (self->inputs, button, button_state);
  else
    spice_inputs_channel_button_release (self->inputs, button, button_state);
}

static void
lodge_spice_session_source_request_guest_size (LodgeDisplaySource *source,
                                               int                 width,
                                               int                 height)
{
  LodgeSpiceSession *self = LODGE_SPICE_SESSION (source);

  if (self->main == NULL || !self->agent_connected || self->read_only ||
      width < 64 || height < 64)
    return;
  spice_main_channel_update_display_enabled (self->main, 0, TRUE, FALSE);
  spice_main_channel_update_display (self->main, 0, 0, 0, width & ~1, height, TRUE);
}

static void
lodge_spice_session_source_set_clipboard (LodgeDisplaySource *source,
                                          GdkClipboard       *clipboard)
{
  lodge_spice_session_set_clipboard_internal (LODGE_SPICE_SESSION (source), clipboard);
}

static void
lodge_spice_session_class_init (LodgeSpiceSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LodgeDisplaySourceClass *source_class = LODGE_DISPLAY_SOURCE_CLASS (klass);

  object_class->dispose = lodge_spice_session_dispose;
  object_class->finalize = lodge_spice_session_finalize;
  object_class->get_property = lodge_spice_session_get_property;

  properties[PROP_AGENT_CONNECTED] =
    g_param_spec_boolean ("agent-connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  source_class->disconnect = lodge_spice_session_source_disconnect;
  source_class->give_fd = lodge_spice_session_source_give_fd;
  source_class->fail_fd = lodge_spice_session_source_fail_fd;
  source_class->has_inputs = lodge_spice_session_source_has_inputs;
  source_class->get_inputs_ready = lodge_spice_session_source_get_inputs_ready;
  source_class->key_event = lodge_spice_session_source_key_event;
  source_class->get_key_locks = lodge_spice_session_source_get_key_locks;
  source_class->set_key_locks = lodge_spice_session_source_set_key_locks;
  source_class->pointer_position = lodge_spice_session_source_pointer_position;
  source_class->pointer_motion = lodge_spice_session_source_pointer_motion;
  source_class->pointer_button = lodge_spice_session_source_pointer_button;
  source_class->request_guest_size = lodge_spice_session_source_request_guest_size;
  source_class->set_clipboard = lodge_spice_session_source_set_clipboard;
}

static void
lodge_spice_session_init (LodgeSpiceSession *self)
{
  /* The base's, for the life of the session. */
  self->framebuffer = lodge_display_source_get_framebuffer (LODGE_DISPLAY_SOURCE (self));
  self->fd_requests = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->audio = TRUE;
}

/* Public API */

LodgeSpiceSession *
lodge_spice_session_new (void)
{
  return g_object_new (LODGE_TYPE_SPICE_SESSION, NULL);
}

/**
 * lodge_spice_session_get_framebuffer:
 *
 * Returns: (transfer none): the picture, a #GdkPaintable
 */
LodgeFramebuffer *
lodge_spice_session_get_framebuffer (LodgeSpiceSession *self)
{
  g_return_val_if_fail (LODGE_IS_SPICE_SESSION (self), NULL);
  return self->framebuffer;
}

LodgeDisplayState
lodge_spice_session_get_state (LodgeSpiceSession *self)
{
  g_return_val_if_fail (LODGE_IS_SPICE_SESSION (self), LODGE_DISPLAY_STATE_DISCONNECTED);
  return lodge_display_source_get_state (LODGE_DISPLAY_SOURCE (self));
}

const char *
lodge_spice_session_get_disconnect_reason (LodgeSpiceSession *self)
{
  g_return_val_if_fail (LODGE_IS_SPICE_SESSION (self), NULL);
  return lodge_display_source_get_disconnect_reason (LODGE_DISPLAY_SOURCE (self));
}

/**
 * lodge_spice_session_set_read_only:
 *
 * A read-only session (a thumbnail) opens only the main and display
 * channels and sends the guest no input, clipboard, file or resolution
 * request. Takes effect on the next connect.
 */
void
lodge_spice_session_set_read_only (LodgeSpiceSession *self,
                                   gboolean           read_only)
{
  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));
  self->read_only = !!read_only;
}

/**
 * lodge_spice_session_set_audio:
 *
 * Whether to play the guest's sound (on by default). Takes effect on the
 * next connect.
 */
void
lodge_spice_session_set_audio (LodgeSpiceSession *self,
                               gboolean           audio)
{
  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));
  self->audio = !!audio;
}

/**
 * lodge_spice_session_set_record_audio:
 *
 * Whether the guest may record from the microphone (off by default; needs
 * audio on). Takes effect on the next connect.
 */
void
lodge_spice_session_set_record_audio (LodgeSpiceSession *self,
                                      gboolean           record_audio)
{
  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));
  self->record_audio = !!record_audio;
}

gboolean
lodge_spice_session_get_record_audio (LodgeSpiceSession *self)
{
  g_return_val_if_fail (LODGE_IS_SPICE_SESSION (self), FALSE);
  return self->record_audio;
}

/**
 * lodge_spice_session_set_tls:
 * @ca_file: (nullable): the PEM file of the certificate authority that
 *   signed the server's certificate (libvirt: its spice_tls_x509_cert_dir's
 *   ca-cert.pem)
 * @host_subject: (nullable): the subject the server's certificate must
 *   have (libvirt's <graphics> may name one); %NULL checks the host name
 *
 * For a TLS port. Takes effect on the next connect.
 */
void
lodge_spice_session_set_tls (LodgeSpiceSession *self,
                             const char        *ca_file,
                             const char        *host_subject)
{
  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));

  g_free (self->tls_ca_file);
  self->tls_ca_file = g_strdup (ca_file);
  g_free (self->tls_host_subject);
  self->tls_host_subject = g_strdup (host_subject);
}

/**
 * lodge_spice_session_connect_uri:
 * @uri: a spice:// URI (host, port, tls-port, password as query parameters)
 */
void
lodge_spice_session_connect_uri (LodgeSpiceSession *self,
                                 const char        *uri)
{
  g_autofree char *host = NULL;
  g_autofree char *unix_path = NULL;

  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));
  g_return_if_fail (uri != NULL);

  g_object_set (lodge_spice_session_prepare (self), "uri", uri, NULL);
  g_object_get (self->session, "host", &host, "unix-path", &unix_path, NULL);
  if (unix_path != NULL || is_loopback (host))
    lodge_spice_session_prefer_raw_images (self);
  lodge_spice_session_start (self);
}

/**
 * lodge_spice_session_connect_host:
 * @port: the plain port, or 0
 * @tls_port: the TLS port, or 0
 * @password: (nullable): the SPICE password
 */
void
lodge_spice_session_connect_host (LodgeSpiceSession *self,
                                  const char        *host,
                                  int                port,
                                  int                tls_port,
                                  const char        *password)
{
  SpiceSession *session;
  g_autofree char *port_str = NULL;
  g_autofree char *tls_port_str = NULL;

  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));
  g_return_if_fail (host != NULL);
  g_return_if_fail (port > 0 || tls_port > 0);

  if (port > 0)
    port_str = g_strdup_printf ("%d", port);
  if (tls_port > 0)
    tls_port_str = g_strdup_printf ("%d", tls_port);

  session = lodge_spice_session_prepare (self);
  g_object_set (session,
                "host", host,
                "port", port_str,
                "tls-port", tls_port_str,
                "password", password,
                NULL);
  if (is_loopback (host))
    lodge_spice_session_prefer_raw_images (self);
  lodge_spice_session_start (self);
}

/**
 * lodge_spice_session_connect_unix:
 * @path: the path of the server's unix socket
 */
void
lodge_spice_session_connect_unix (LodgeSpiceSession *self,
                                  const char        *path,
                                  const char        *password)
{
  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));
  g_return_if_fail (path != NULL);

  g_object_set (lodge_spice_session_prepare (self),
                "unix-path", path,
                "password", password,
                NULL);
  lodge_spice_session_prefer_raw_images (self);
  lodge_spice_session_start (self);
}

/**
 * lodge_spice_session_connect_fd:
 * @fd: a socket connected to the server for the main channel (taken over),
 *   or -1 to ask for it through #LodgeSpiceSession::open-fd as well
 *
 * Every further channel asks for its socket through
 * #LodgeSpiceSession::open-fd.
 */
void
lodge_spice_session_connect_fd (LodgeSpiceSession *self,
                                int                fd)
{
  lodge_spice_session_connect_fd_full (self, fd, NULL, TRUE);
}

/**
 * lodge_spice_session_connect_fd_full:
 * @fd: as for lodge_spice_session_connect_fd()
 * @password: (nullable): the SPICE password, for sockets that reach the
 *   server without skipping it (a tunnel to another host)
 * @local: whether the server runs on this computer: a local one is asked
 *   for raw pictures, a remote one for compressed ones
 */
void
lodge_spice_session_connect_fd_full (LodgeSpiceSession *self,
                                     int                fd,
                                     const char        *password,
                                     gboolean           local)
{
  SpiceSession *session;

  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));

  session = lodge_spice_session_prepare (self);
  if (password != NULL)
    g_object_set (session, "password", password, NULL);
  if (local)
    lodge_spice_session_prefer_raw_images (self);
  else
    /* Also when the machine was made to send raw pictures (Lodge makes
     * them so, for this computer's consoles). */
    g_object_set (session, "preferred-compression", SPICE_IMAGE_COMPRESSION_AUTO_GLZ, NULL);
  if (!spice_session_open_fd (session, fd))
    {
      lodge_spice_session_end (self, _("Could not connect to the display"));
    }
}

/**
 * lodge_spice_session_give_fd:
 * @request_id: from #LodgeSpiceSession::open-fd
 * @fd: a connected socket (taken over)
 */
void
lodge_spice_session_give_fd (LodgeSpiceSession *self,
                             guint              request_id,
                             int                fd)
{
  SpiceChannel *channel;

  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));
  g_return_if_fail (fd >= 0);

  channel = g_hash_table_lookup (self->fd_requests, GUINT_TO_POINTER (request_id));
  if (channel == NULL)
    {
      /* The session went away meanwhile. */
      close (fd);
      return;
    }
  g_object_ref (channel);
  g_hash_table_remove (self->fd_requests, GUINT_TO_POINTER (request_id));
  spice_channel_open_fd (channel, fd);
  g_object_unref (channel);
}

/**
 * lodge_spice_session_fail_fd:
 * @message: why no socket could be had, for the user
 *
 * Gives up on the connection.
 */
void
lodge_spice_session_fail_fd (LodgeSpiceSession *self,
                             guint              request_id,
                             const char        *message)
{
  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));

  if (!g_hash_table_contains (self->fd_requests, GUINT_TO_POINTER (request_id)))
    return;
  lodge_spice_session_end (self, message ? message : _("Could not connect to the display"));
}

void
lodge_spice_session_disconnect (LodgeSpiceSession *self)
{
  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));

  lodge_spice_session_end (self, NULL);
}

/* The input calls of LodgeDisplaySource, kept under their SPICE names for
 * the callers that hold a LodgeSpiceSession. */

gboolean
lodge_spice_session_get_inputs_ready (LodgeSpiceSession *self)
{
  return lodge_display_source_get_inputs_ready (LODGE_DISPLAY_SOURCE (self));
}

gboolean
lodge_spice_session_has_inputs (LodgeSpiceSession *self)
{
  return lodge_display_source_has_inputs (LODGE_DISPLAY_SOURCE (self));
}

void
lodge_spice_session_key_press (LodgeSpiceSession *self,
                               guint              scancode)
{
  lodge_display_source_key_press (LODGE_DISPLAY_SOURCE (self), scancode);
}

void
lodge_spice_session_key_release (LodgeSpiceSession *self,
                                 guint              scancode)
{
  lodge_display_source_key_release (LODGE_DISPLAY_SOURCE (self), scancode);
}

LodgeKeyLocks
lodge_spice_session_get_key_locks (LodgeSpiceSession *self)
{
  return lodge_display_source_get_key_locks (LODGE_DISPLAY_SOURCE (self));
}

void
lodge_spice_session_set_key_locks (LodgeSpiceSession *self,
                                   LodgeKeyLocks      locks)
{
  lodge_display_source_set_key_locks (LODGE_DISPLAY_SOURCE (self), locks);
}

gboolean
lodge_spice_session_get_server_mouse (LodgeSpiceSession *self)
{
  return lodge_display_source_get_server_mouse (LODGE_DISPLAY_SOURCE (self));
}

void
lodge_spice_session_mouse_position (LodgeSpiceSession *self,
                                    int                x,
                                    int                y,
                                    guint              button_state)
{
  lodge_display_source_pointer_position (LODGE_DISPLAY_SOURCE (self), x, y, button_state);
}

void
lodge_spice_session_mouse_motion (LodgeSpiceSession *self,
                                  int                dx,
                                  int                dy,
                                  guint              button_state)
{
  lodge_display_source_pointer_motion (LODGE_DISPLAY_SOURCE (self), dx, dy, button_state);
}

void
lodge_spice_session_mouse_button (LodgeSpiceSession *self,
                                  LodgeMouseButton   button,
                                  gboolean           press,
                                  guint              button_state)
{
  lodge_display_source_pointer_button (LODGE_DISPLAY_SOURCE (self), button, press, button_state);
}

/**
 * lodge_spice_session_get_cursor:
 *
 * Returns: (transfer none) (nullable): the guest's cursor shape, or %NULL
 *   for the default one
 */
GdkCursor *
lodge_spice_session_get_cursor (LodgeSpiceSession *self)
{
  g_return_val_if_fail (LODGE_IS_SPICE_SESSION (self), NULL);
  return lodge_display_source_get_cursor (LODGE_DISPLAY_SOURCE (self));
}

gboolean
lodge_spice_session_get_cursor_visible (LodgeSpiceSession *self)
{
  g_return_val_if_fail (LODGE_IS_SPICE_SESSION (self), TRUE);
  return lodge_display_source_get_cursor_visible (LODGE_DISPLAY_SOURCE (self));
}

gboolean
lodge_spice_session_get_agent_connected (LodgeSpiceSession *self)
{
  g_return_val_if_fail (LODGE_IS_SPICE_SESSION (self), FALSE);
  return self->agent_connected;
}

/**
 * lodge_spice_session_request_guest_size:
 * @width: device pixels
 * @height: device pixels
 *
 * Asks the guest agent to change the guest's resolution.
 */
void
lodge_spice_session_request_guest_size (LodgeSpiceSession *self,
                                        int                width,
                                        int                height)
{
  lodge_display_source_request_guest_size (LODGE_DISPLAY_SOURCE (self), width, height);
}

static void
lodge_spice_session_file_copy_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (spice_main_channel_file_copy_finish (SPICE_MAIN_CHANNEL (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * lodge_spice_session_copy_files_async:
 * @files: (array zero-terminated=1): the files to copy into the guest
 * @progress_callback: (nullable): called with bytes done and total
 *
 * Copies files into the guest through the agent (into the guest user's
 * download folder). Cancel with @cancellable.
 */
void
lodge_spice_session_copy_files_async (LodgeSpiceSession     *self,
                                      GFile                **files,
                                      GCancellable          *cancellable,
                                      GFileProgressCallback  progress_callback,
                                      gpointer               progress_data,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LODGE_IS_SPICE_SESSION (self));
  g_return_if_fail (files != NULL && files[0] != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_spice_session_copy_files_async);

  if (self->main == NULL || !self->agent_connected || self->read_only)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Files can be copied only to a machine running the guest agent"));
      return;
    }

  spice_main_channel_file_copy_async (self->main, files, G_FILE_COPY_NONE, cancellable,
                                      progress_callback, progress_data,
                                      lodge_spice_session_file_copy_cb,
                                      g_steal_pointer (&task));
}

gboolean
lodge_spice_session_copy_files_finish (LodgeSpiceSession  *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * lodge_spice_session_set_clipboard:
 * @clipboard: (nullable): the clipboard to share with the guest, or %NULL
 *   to share none
 */
static void
lodge_spice_session_set_clipboard_internal (LodgeSpiceSession *self,
                                            GdkClipboard      *clipboard)
{
  if (self->clipboard == clipboard)
    return;
  if (self->clipboard != NULL)
    g_signal_handlers_disconnect_by_data (self->clipboard, self);
  g_set_object (&self->clipboard, clipboard);
  self->clipboard_from_guest = FALSE;
  if (clipboard != NULL)
    {
      g_signal_connect_object (clipboard, "changed",
                               G_CALLBACK (lodge_spice_session_clipboard_changed_cb),
                               self, G_CONNECT_SWAPPED);
      lodge_spice_session_offer_clipboard (self);
    }
}

void
lodge_spice_session_set_clipboard (LodgeSpiceSession *self,
                                   GdkClipboard      *clipboard)
{
  lodge_display_source_set_clipboard (LODGE_DISPLAY_SOURCE (self), clipboard);
}
