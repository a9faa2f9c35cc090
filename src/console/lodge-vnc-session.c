/* lodge-vnc-session.c: a VNC connection feeding a framebuffer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-vnc-session"

#include "config.h"

#include <gdk/gdkkeysyms.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gi18n.h>
#include <gvnc.h>
#include <string.h>
#include <unistd.h>

#include "lodge-console-enums.h"
#include "lodge-keymap.h"
#include "lodge-vnc-session.h"

/* One VncConnection per connection attempt (gvnc's cannot be reopened).
 * gvnc runs the protocol in a coroutine on the main loop and draws into a
 * VncFramebuffer: a VncBaseFramebuffer over our own XRGB8888 buffer, which
 * LodgeFramebuffer reads in place; each update is then invalidated there.
 * The buffer belongs to the VncFramebuffer object (object data), so a
 * coroutine still running after we let go never writes into freed memory.
 *
 * A retired connection is shut down and its signals disconnected; gvnc
 * keeps it alive until its coroutine ends. */

/* QEMU's extended key event takes "qnum" codes: XT, with 0xE0-prefixed
 * keys as 0x80 | byte; Pause is 0xC6. */
#define QNUM_PAUSE 0xc6

/* Relative motion, with QEMU's pointer-type-change extension: the
 * position's offset from this point. */
#define RELATIVE_ORIGIN 0x7fff

/* Button mask bits of a VNC pointer event. */
#define VNC_BUTTON_WHEEL_UP (1 << 3)
#define VNC_BUTTON_WHEEL_DOWN (1 << 4)
#define VNC_BUTTON_WHEEL_LEFT (1 << 5)
#define VNC_BUTTON_WHEEL_RIGHT (1 << 6)

struct _LodgeVncSession
{
  LodgeDisplaySource parent_instance;

  VncConnection *conn;
  VncFramebuffer *vnc_framebuffer;
  LodgeFramebuffer *framebuffer;

  char *password;
  gboolean read_only;
  gboolean initialized;
  gboolean awaiting_password;
  gboolean skip_num_lock;
  int button_mask;
  /* The last absolute position: a button event carries one. */
  int last_x;
  int last_y;
  /* The first error gvnc reports names the cause; "disconnected" follows. */
  GError *error;
  char *desktop_name;

  guint next_request_id;
  guint pending_request_id;

  GdkClipboard *clipboard;
  char *guest_text;
  GCancellable *clipboard_cancellable;
};

enum {
  PROP_0,
  PROP_DESKTOP_NAME,
  N_PROPS
};

enum {
  PASSWORD_REQUIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LodgeVncSession, lodge_vnc_session, LODGE_TYPE_DISPLAY_SOURCE)

/* The first cause wins (gvnc reports an error and then the
 * disconnection), except that an authentication failure says more than
 * the generic error gvnc reports just before it. */
static void
lodge_vnc_session_note_error (LodgeVncSession   *self,
                              LodgeConsoleError  code,
                              const char        *message)
{
  gboolean auth = code == LODGE_CONSOLE_ERROR_AUTH_FAILED ||
                  code == LODGE_CONSOLE_ERROR_AUTH_UNSUPPORTED;

  if (self->error != NULL && auth &&
      !g_error_matches (self->error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_AUTH_FAILED) &&
      !g_error_matches (self->error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_AUTH_UNSUPPORTED))
    g_clear_error (&self->error);
  if (self->error == NULL)
    self->error = g_error_new_literal (LODGE_CONSOLE_ERROR, code, message);
}

static void
lodge_vnc_session_drop_framebuffer (LodgeVncSession *self)
{
  /* The picture reads the buffer: it lets go first. */
  lodge_framebuffer_clear_surface (self->framebuffer);
  g_clear_object (&self->vnc_framebuffer);
}

/* Lets go of the connection (if any) and all that came from it. */
static void
lodge_vnc_session_teardown (LodgeVncSession *self)
{
  if (self->conn != NULL)
    {
      VncConnection *conn = g_steal_pointer (&self->conn);

      g_signal_handlers_disconnect_by_data (conn, self);
      vnc_connection_shutdown (conn);
      g_object_unref (conn);
    }
  lodge_vnc_session_drop_framebuffer (self);
  g_cancellable_cancel (self->clipboard_cancellable);
  g_clear_object (&self->clipboard_cancellable);
  self->initialized = FALSE;
  self->awaiting_password = FALSE;
  self->pending_request_id = 0;
  self->button_mask = 0;
  self->skip_num_lock = FALSE;
  lodge_display_source_set_cursor (LODGE_DISPLAY_SOURCE (self), NULL, TRUE);
  lodge_display_source_set_server_mouse (LODGE_DISPLAY_SOURCE (self), FALSE);
  lodge_display_source_set_capabilities (LODGE_DISPLAY_SOURCE (self), LODGE_DISPLAY_CAPABILITY_NONE);
}

static void
lodge_vnc_session_end (LodgeVncSession *self,
                       const GError    *error)
{
  lodge_vnc_session_teardown (self);
  lodge_display_source_set_state (LODGE_DISPLAY_SOURCE (self), LODGE_DISPLAY_STATE_DISCONNECTED, error);
}

/* Picture */

static gboolean
lodge_vnc_session_make_framebuffer (LodgeVncSession *self)
{
  const VncPixelFormat *remote = vnc_connection_get_pixel_format (self->conn);
  int width = vnc_connection_get_width (self->conn);
  int height = vnc_connection_get_height (self->conn);
  VncPixelFormat local = {
    .bits_per_pixel = 32,
    .depth = 24,
    .byte_order = G_BYTE_ORDER,
    .true_color_flag = 1,
    .red_max = 255,
    .green_max = 255,
    .blue_max = 255,
    .red_shift = 16,
    .green_shift = 8,
    .blue_shift = 0,
  };
  VncBaseFramebuffer *fb;
  guint8 *buffer;
  int stride;

  if (width <= 0 || height <= 0 || remote == NULL)
    return FALSE;
  stride = width * 4;
  buffer = g_malloc0 ((gsize) stride * height);
  fb = vnc_base_framebuffer_new (buffer, width, height, stride, &local, remote);
  g_object_set_data_full (G_OBJECT (fb), "lodge-buffer", buffer, g_free);

  if (!vnc_connection_set_framebuffer (self->conn, VNC_FRAMEBUFFER (fb)))
    {
      g_object_unref (fb);
      return FALSE;
    }
  /* The new surface first: the old one may be read until it is replaced. */
  lodge_framebuffer_set_surface (self->framebuffer, LODGE_FRAMEBUFFER_FORMAT_XRGB8888,
                                 width, height, stride, buffer);
  g_clear_object (&self->vnc_framebuffer);
  self->vnc_framebuffer = VNC_FRAMEBUFFER (fb);
  return TRUE;
}

static void
lodge_vnc_session_request_update (LodgeVncSession *self,
                                  gboolean         incremental)
{
  vnc_connection_framebuffer_update_request (self->conn, incremental, 0, 0,
                                             vnc_connection_get_width (self->conn),
                                             vnc_connection_get_height (self->conn));
}

static void
lodge_vnc_session_conn_framebuffer_update_cb (LodgeVncSession *self,
                                              int              x,
                                              int              y,
                                              int              width,
                                              int              height,
                                              VncConnection   *conn)
{
  lodge_framebuffer_invalidate (self->framebuffer, x, y, width, height);
  lodge_vnc_session_request_update (self, TRUE);
}

static void
lodge_vnc_session_conn_desktop_resize_cb (LodgeVncSession *self,
                                          int              width,
                                          int              height,
                                          VncConnection   *conn)
{
  /* QEMU repeats the size it has with its first updates: the buffer
   * stays. Either way the rest of that update is gone: ask for all of
   * the screen again, or a still screen stays black. */
  if (self->vnc_framebuffer != NULL &&
      vnc_framebuffer_get_width (self->vnc_framebuffer) == width &&
      vnc_framebuffer_get_height (self->vnc_framebuffer) == height)
    {
      lodge_vnc_session_request_update (self, FALSE);
      return;
    }
  g_debug ("Desktop resized to %dx%d", width, height);
  if (lodge_vnc_session_make_framebuffer (self))
    lodge_vnc_session_request_update (self, FALSE);
}

static void
lodge_vnc_session_conn_pixel_format_changed_cb (LodgeVncSession *self,
                                                VncPixelFormat  *format,
                                                VncConnection   *conn)
{
  if (lodge_vnc_session_make_framebuffer (self))
    lodge_vnc_session_request_update (self, FALSE);
}

/* Pointer */

static void
lodge_vnc_session_conn_cursor_changed_cb (LodgeVncSession *self,
                                          VncCursor       *cursor,
                                          VncConnection   *conn)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkCursor) gdk_cursor = NULL;
  int width, height;

  if (cursor == NULL)
    {
      lodge_display_source_set_cursor (LODGE_DISPLAY_SOURCE (self), NULL, TRUE);
      return;
    }
  width = vnc_cursor_get_width (cursor);
  height = vnc_cursor_get_height (cursor);
  if (width == 0 || height == 0)
    {
      /* An empty shape: the guest hides its pointer. */
      lodge_display_source_set_cursor (LODGE_DISPLAY_SOURCE (self), NULL, FALSE);
      return;
    }
  bytes = g_bytes_new (vnc_cursor_get_data (cursor), (gsize) width * height * 4);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, width * 4);
  gdk_cursor = gdk_cursor_new_from_texture (texture,
                                            MIN (vnc_cursor_get_hotx (cursor), width - 1),
                                            MIN (vnc_cursor_get_hoty (cursor), height - 1),
                                            NULL);
  lodge_display_source_set_cursor (LODGE_DISPLAY_SOURCE (self), gdk_cursor, TRUE);
}

static void
lodge_vnc_session_conn_pointer_mode_changed_cb (LodgeVncSession *self,
                                                gboolean         absolute,
                                                VncConnection   *conn)
{
  lodge_display_source_set_server_mouse (LODGE_DISPLAY_SOURCE (self), !absolute);
}

/* Clipboard: VNC cut text is Latin-1. */

static void
lodge_vnc_session_conn_server_cut_text_cb (LodgeVncSession *self,
                                           const char      *text,
                                           VncConnection   *conn)
{
  g_autofree char *utf8 = NULL;

  if (self->read_only || text == NULL)
    return;
  utf8 = g_convert (text, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
  if (utf8 == NULL)
    return;
  g_free (self->guest_text);
  self->guest_text = g_strdup (utf8);
  if (self->clipboard != NULL)
    gdk_clipboard_set_text (self->clipboard, utf8);
}

static void
lodge_vnc_session_read_text_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  LodgeVncSession *self;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  g_autofree char *latin1 = NULL;
  gsize length = 0;

  if (text == NULL || g_cancellable_is_cancelled (G_CANCELLABLE (user_data)))
    {
      g_object_unref (user_data);
      return;
    }
  self = g_object_get_data (user_data, "lodge-vnc-session");
  g_object_unref (user_data);
  if (self == NULL || self->conn == NULL || !self->initialized)
    return;
  /* What Latin-1 cannot hold becomes "?". */
  latin1 = g_convert_with_fallback (text, -1, "ISO-8859-1", "UTF-8", "?", NULL, &length, NULL);
  if (latin1 != NULL && g_strcmp0 (text, self->guest_text) != 0)
    vnc_connection_client_cut_text (self->conn, latin1, length);
}

static void
lodge_vnc_session_clipboard_changed_cb (LodgeVncSession *self,
                                        GdkClipboard    *clipboard)
{
  GCancellable *cancellable;

  /* Our own copy of the guest's text comes back here: not sent again. */
  if (gdk_clipboard_is_local (clipboard) || self->conn == NULL || !self->initialized ||
      self->read_only)
    return;
  if (self->clipboard_cancellable == NULL)
    {
      self->clipboard_cancellable = g_cancellable_new ();
      g_object_set_data (G_OBJECT (self->clipboard_cancellable), "lodge-vnc-session", self);
    }
  cancellable = g_object_ref (self->clipboard_cancellable);
  gdk_clipboard_read_text_async (clipboard, cancellable, lodge_vnc_session_read_text_cb, cancellable);
}

/* Authentication */

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static gboolean
value_array_has (GValueArray *array,
                 guint        value)
{
  for (guint i = 0; i < array->n_values; i++)
    if ((guint) g_value_get_enum (g_value_array_get_nth (array, i)) == value)
      return TRUE;
  return FALSE;
}

static void
lodge_vnc_session_conn_auth_choose_type_cb (LodgeVncSession *self,
                                            GValueArray     *types,
                                            VncConnection   *conn)
{
  if (value_array_has (types, VNC_CONNECTION_AUTH_NONE))
    vnc_connection_set_auth_type (conn, VNC_CONNECTION_AUTH_NONE);
  else if (value_array_has (types, VNC_CONNECTION_AUTH_VNC))
    vnc_connection_set_auth_type (conn, VNC_CONNECTION_AUTH_VNC);
  else
    {
      lodge_vnc_session_note_error (self, LODGE_CONSOLE_ERROR_AUTH_UNSUPPORTED,
                                    _("The display server asks for a kind of authentication Lodge does not support"));
      vnc_connection_shutdown (conn);
    }
}

static void
lodge_vnc_session_conn_auth_credential_cb (LodgeVncSession *self,
                                           GValueArray     *credentials,
                                           VncConnection   *conn)
{
  for (guint i = 0; i < credentials->n_values; i++)
    {
      int type = g_value_get_enum (g_value_array_get_nth (credentials, i));

      switch (type)
        {
        case VNC_CONNECTION_CREDENTIAL_PASSWORD:
          if (self->password != NULL)
            vnc_connection_set_credential (conn, type, self->password);
          else
            self->awaiting_password = TRUE;
          break;
        case VNC_CONNECTION_CREDENTIAL_CLIENTNAME:
          vnc_connection_set_credential (conn, type, "lodge");
          break;
        default:
          lodge_vnc_session_note_error (self, LODGE_CONSOLE_ERROR_AUTH_UNSUPPORTED,
                                        _("The display server asks for a user name, which Lodge does not support"));
          vnc_connection_shutdown (conn);
          return;
        }
    }
  /* gvnc waits for the answer: the owner may take its time. */
  if (self->awaiting_password)
    g_signal_emit (self, signals[PASSWORD_REQUIRED], 0);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
lodge_vnc_session_conn_auth_failure_cb (LodgeVncSession *self,
                                        const char      *reason,
                                        VncConnection   *conn)
{
  g_debug ("Authentication failed: %s", reason);
  lodge_vnc_session_note_error (self, LODGE_CONSOLE_ERROR_AUTH_FAILED,
                                _("Authentication failed: the password may be wrong"));
}

static void
lodge_vnc_session_conn_auth_unsupported_cb (LodgeVncSession *self,
                                            guint            auth_type,
                                            VncConnection   *conn)
{
  g_debug ("Unsupported authentication %u", auth_type);
  lodge_vnc_session_note_error (self, LODGE_CONSOLE_ERROR_AUTH_UNSUPPORTED,
                                _("The display server asks for a kind of authentication Lodge does not support"));
}

/* Connection */

static void
lodge_vnc_session_conn_error_cb (LodgeVncSession *self,
                                 const char      *message,
                                 VncConnection   *conn)
{
  g_autofree char *reason = NULL;

  g_debug ("VNC error: %s", message);
  if (self->initialized)
    reason = g_strdup_printf (_("The connection to the display broke (%s)"), message);
  else
    reason = g_strdup_printf (_("Could not connect to the display (%s)"), message);
  lodge_vnc_session_note_error (self,
                                self->initialized ? LODGE_CONSOLE_ERROR_CLOSED
                                                  : LODGE_CONSOLE_ERROR_CONNECTION_FAILED,
                                reason);
}

static void
lodge_vnc_session_conn_initialized_cb (LodgeVncSession *self,
                                       VncConnection   *conn)
{
  /* The order is the server's preference where it has a choice. */
  gint32 encodings[] = {
    VNC_CONNECTION_ENCODING_EXT_KEY_EVENT,
    VNC_CONNECTION_ENCODING_EXTENDED_DESKTOP_RESIZE,
    VNC_CONNECTION_ENCODING_DESKTOP_RESIZE,
    VNC_CONNECTION_ENCODING_DESKTOP_NAME,
    VNC_CONNECTION_ENCODING_WMVi,
    VNC_CONNECTION_ENCODING_LED_STATE,
    VNC_CONNECTION_ENCODING_ALPHA_CURSOR,
    VNC_CONNECTION_ENCODING_RICH_CURSOR,
    VNC_CONNECTION_ENCODING_XCURSOR,
    VNC_CONNECTION_ENCODING_POINTER_CHANGE,
    VNC_CONNECTION_ENCODING_ZRLE,
    VNC_CONNECTION_ENCODING_HEXTILE,
    VNC_CONNECTION_ENCODING_RRE,
    VNC_CONNECTION_ENCODING_COPY_RECT,
    VNC_CONNECTION_ENCODING_RAW,
  };
  LodgeDisplayCapabilities caps = LODGE_DISPLAY_CAPABILITY_NONE;
  const char *name;

  self->initialized = TRUE;
  self->awaiting_password = FALSE;
  if (!lodge_vnc_session_make_framebuffer (self) ||
      !vnc_connection_set_encodings (conn, G_N_ELEMENTS (encodings), encodings))
    {
      lodge_vnc_session_note_error (self, LODGE_CONSOLE_ERROR_FAILED,
                                    _("The display server sent a screen Lodge cannot show"));
      vnc_connection_shutdown (conn);
      return;
    }
  lodge_vnc_session_request_update (self, FALSE);

  name = vnc_connection_get_name (conn);
  if (g_strcmp0 (name, self->desktop_name) != 0)
    {
      g_free (self->desktop_name);
      self->desktop_name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESKTOP_NAME]);
    }

  lodge_display_source_set_server_mouse (LODGE_DISPLAY_SOURCE (self),
                                         !vnc_connection_get_abs_pointer (conn));
  if (!self->read_only)
    caps |= LODGE_DISPLAY_CAPABILITY_CLIPBOARD | LODGE_DISPLAY_CAPABILITY_GUEST_RESIZE;
  lodge_display_source_set_capabilities (LODGE_DISPLAY_SOURCE (self), caps);
  lodge_display_source_set_state (LODGE_DISPLAY_SOURCE (self), LODGE_DISPLAY_STATE_CONNECTED, NULL);
}

static void
lodge_vnc_session_conn_disconnected_cb (LodgeVncSession *self,
                                        VncConnection   *conn)
{
  g_autoptr(GError) error = NULL;

  if (self->error != NULL)
    error = g_steal_pointer (&self->error);
  else if (self->initialized)
    error = g_error_new_literal (LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_CLOSED,
                                 _("The connection was closed"));
  else
    error = g_error_new_literal (LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_CONNECTION_FAILED,
                                 _("Could not connect to the display"));
  g_debug ("Disconnected: %s", error->message);
  lodge_vnc_session_end (self, error);
}

/* A new VncConnection, connected to us; the state says CONNECTING. */
static VncConnection *
lodge_vnc_session_prepare (LodgeVncSession *self)
{
  struct {
    const char *name;
    GCallback callback;
  } handlers[] = {
    { "vnc-framebuffer-update", G_CALLBACK (lodge_vnc_session_conn_framebuffer_update_cb) },
    { "vnc-desktop-resize", G_CALLBACK (lodge_vnc_session_conn_desktop_resize_cb) },
    { "vnc-pixel-format-changed", G_CALLBACK (lodge_vnc_session_conn_pixel_format_changed_cb) },
    { "vnc-cursor-changed", G_CALLBACK (lodge_vnc_session_conn_cursor_changed_cb) },
    { "vnc-pointer-mode-changed", G_CALLBACK (lodge_vnc_session_conn_pointer_mode_changed_cb) },
    { "vnc-server-cut-text", G_CALLBACK (lodge_vnc_session_conn_server_cut_text_cb) },
    { "vnc-auth-choose-type", G_CALLBACK (lodge_vnc_session_conn_auth_choose_type_cb) },
    { "vnc-auth-credential", G_CALLBACK (lodge_vnc_session_conn_auth_credential_cb) },
    { "vnc-auth-failure", G_CALLBACK (lodge_vnc_session_conn_auth_failure_cb) },
    { "vnc-auth-unsupported", G_CALLBACK (lodge_vnc_session_conn_auth_unsupported_cb) },
    { "vnc-error", G_CALLBACK (lodge_vnc_session_conn_error_cb) },
    { "vnc-initialized", G_CALLBACK (lodge_vnc_session_conn_initialized_cb) },
    { "vnc-disconnected", G_CALLBACK (lodge_vnc_session_conn_disconnected_cb) },
  };

  lodge_vnc_session_teardown (self);
  g_clear_error (&self->error);

  self->conn = vnc_connection_new ();
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    g_signal_connect_object (self->conn, handlers[i].name, handlers[i].callback,
                             self, G_CONNECT_SWAPPED);
  /* Others may watch the same desktop. */
  vnc_connection_set_shared (self->conn, TRUE);

  lodge_display_source_set_state (LODGE_DISPLAY_SOURCE (self), LODGE_DISPLAY_STATE_CONNECTING, NULL);
  return self->conn;
}

/* gvnc fails at once only for bad arguments; the rest comes as signals. */
static void
lodge_vnc_session_check_open (LodgeVncSession *self,
                              gboolean         opened)
{
  if (!opened)
    {
      g_autoptr(GError) error = g_error_new_literal (LODGE_CONSOLE_ERROR,
                                                     LODGE_CONSOLE_ERROR_CONNECTION_FAILED,
                                                     _("Could not connect to the display"));

      lodge_vnc_session_end (self, error);
    }
}

/* Keys */

/* US layout keysyms of the XT scancodes, for servers without QEMU's
 * extended key events; keypad keys as their keypad keysyms. */
static guint
xt_to_keysym (guint scancode)
{
  static const guint16 plain[0x59] = {
    [0x01] = GDK_KEY_Escape,
    [0x02] = GDK_KEY_1, [0x03] = GDK_KEY_2, [0x04] = GDK_KEY_3, [0x05] = GDK_KEY_4,
    [0x06] = GDK_KEY_5, [0x07] = GDK_KEY_6, [0x08] = GDK_KEY_7, [0x09] = GDK_KEY_8,
    [0x0a] = GDK_KEY_9, [0x0b] = GDK_KEY_0, [0x0c] = GDK_KEY_minus, [0x0d] = GDK_KEY_equal,
    [0x0e] = GDK_KEY_BackSpace, [0x0f] = GDK_KEY_Tab,
    [0x10] = GDK_KEY_q, [0x11] = GDK_KEY_w, [0x12] = GDK_KEY_e, [0x13] = GDK_KEY_r,
    [0x14] = GDK_KEY_t, [0x15] = GDK_KEY_y, [0x16] = GDK_KEY_u, [0x17] = GDK_KEY_i,
    [0x18] = GDK_KEY_o, [0x19] = GDK_KEY_p, [0x1a] = GDK_KEY_bracketleft,
    [0x1b] = GDK_KEY_bracketright, [0x1c] = GDK_KEY_Return, [0x1d] = GDK_KEY_Control_L,
    [0x1e] = GDK_KEY_a, [0x1f] = GDK_KEY_s, [0x20] = GDK_KEY_d, [0x21] = GDK_KEY_f,
    [0x22] = GDK_KEY_g, [0x23] = GDK_KEY_h, [0x24] = GDK_KEY_j, [0x25] = GDK_KEY_k,
    [0x26] = GDK_KEY_l, [0x27] = GDK_KEY_semicolon, [0x28] = GDK_KEY_apostrophe,
    [0x29] = GDK_KEY_grave, [0x2a] = GDK_KEY_Shift_L, [0x2b] = GDK_KEY_backslash,
    [0x2c] = GDK_KEY_z, [0x2d] = GDK_KEY_x, [0x2e] = GDK_KEY_c, [0x2f] = GDK_KEY_v,
    [0x30] = GDK_KEY_b, [0x31] = GDK_KEY_n, [0x32] = GDK_KEY_m, [0x33] = GDK_KEY_comma,
    [0x34] = GDK_KEY_period, [0x35] = GDK_KEY_slash, [0x36] = GDK_KEY_Shift_R,
    [0x37] = GDK_KEY_KP_Multiply, [0x38] = GDK_KEY_Alt_L, [0x39] = GDK_KEY_space,
    [0x3a] = GDK_KEY_Caps_Lock,
    [0x3b] = GDK_KEY_F1, [0x3c] = GDK_KEY_F2, [0x3d] = GDK_KEY_F3, [0x3e] = GDK_KEY_F4,
    [0x3f] = GDK_KEY_F5, [0x40] = GDK_KEY_F6, [0x41] = GDK_KEY_F7, [0x42] = GDK_KEY_F8,
    [0x43] = GDK_KEY_F9, [0x44] = GDK_KEY_F10, [0x45] = GDK_KEY_Num_Lock,
    [0x46] = GDK_KEY_Scroll_Lock,
    [0x47] = GDK_KEY_KP_7, [0x48] = GDK_KEY_KP_8, [0x49] = GDK_KEY_KP_9,
    [0x4a] = GDK_KEY_KP_Subtract, [0x4b] = GDK_KEY_KP_4, [0x4c] = GDK_KEY_KP_5,
    [0x4d] = GDK_KEY_KP_6, [0x4e] = GDK_KEY_KP_Add, [0x4f] = GDK_KEY_KP_1,
    [0x50] = GDK_KEY_KP_2, [0x51] = GDK_KEY_KP_3, [0x52] = GDK_KEY_KP_0,
    [0x53] = GDK_KEY_KP_Decimal, [0x54] = GDK_KEY_Sys_Req, [0x56] = GDK_KEY_less,
    [0x57] = GDK_KEY_F11, [0x58] = GDK_KEY_F12,
  };
  static const struct { guint16 xt; guint16 keysym; } extended[] = {
    { 0x11c, GDK_KEY_KP_Enter }, { 0x11d, GDK_KEY_Control_R }, { 0x135, GDK_KEY_KP_Divide },
    { 0x137, GDK_KEY_Print }, { 0x138, GDK_KEY_Alt_R }, { 0x147, GDK_KEY_Home },
    { 0x148, GDK_KEY_Up }, { 0x149, GDK_KEY_Page_Up }, { 0x14b, GDK_KEY_Left },
    { 0x14d, GDK_KEY_Right }, { 0x14f, GDK_KEY_End }, { 0x150, GDK_KEY_Down },
    { 0x151, GDK_KEY_Page_Down }, { 0x152, GDK_KEY_Insert }, { 0x153, GDK_KEY_Delete },
    { 0x15b, GDK_KEY_Super_L }, { 0x15c, GDK_KEY_Super_R }, { 0x15d, GDK_KEY_Menu },
  };

  if (scancode == LODGE_XT_PAUSE)
    return GDK_KEY_Pause;
  if (scancode < G_N_ELEMENTS (plain))
    return plain[scancode];
  for (guint i = 0; i < G_N_ELEMENTS (extended); i++)
    if (extended[i].xt == scancode)
      return extended[i].keysym;
  return 0;
}

static guint
xt_to_qnum (guint scancode)
{
  if (scancode == LODGE_XT_PAUSE)
    return QNUM_PAUSE;
  if (scancode & LODGE_XT_EXTENDED)
    return 0x80 | (scancode & 0x7f);
  return scancode & 0xff;
}

/* LodgeDisplaySource */

static void
lodge_vnc_session_source_disconnect (LodgeDisplaySource *source)
{
  lodge_vnc_session_end (LODGE_VNC_SESSION (source), NULL);
}

static void
lodge_vnc_session_source_give_fd (LodgeDisplaySource *source,
                                  guint               request_id,
                                  int                 fd)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);

  if (request_id == 0 || request_id != self->pending_request_id || self->conn == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  self->pending_request_id = 0;
  lodge_vnc_session_check_open (self, vnc_connection_open_fd (self->conn, fd));
}

static void
lodge_vnc_session_source_fail_fd (LodgeDisplaySource *source,
                                  guint               request_id,
                                  const char         *message)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (request_id == 0 || request_id != self->pending_request_id)
    return;
  error = g_error_new_literal (LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_CONNECTION_FAILED,
                               message != NULL ? message : _("Could not connect to the display"));
  lodge_vnc_session_end (self, error);
}

static gboolean
lodge_vnc_session_source_has_inputs (LodgeDisplaySource *source)
{
  return !LODGE_VNC_SESSION (source)->read_only;
}

static gboolean
lodge_vnc_session_source_get_inputs_ready (LodgeDisplaySource *source)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);

  return self->conn != NULL && self->initialized && !self->read_only;
}

static void
lodge_vnc_session_source_key_event (LodgeDisplaySource *source,
                                    guint               scancode,
                                    gboolean            press)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);
  guint keysym;

  /* The display follows Pause with Num Lock, as the XT sequence does; in
   * VNC Pause is one key. */
  if (scancode == LODGE_XT_NUM_LOCK && self->skip_num_lock)
    {
      self->skip_num_lock = FALSE;
      return;
    }
  self->skip_num_lock = scancode == LODGE_XT_PAUSE;

  keysym = xt_to_keysym (scancode);
  if (vnc_connection_get_ext_key_event (self->conn))
    vnc_connection_key_event (self->conn, press, keysym, xt_to_qnum (scancode));
  else if (keysym != 0)
    vnc_connection_key_event (self->conn, press, keysym, 0);
}

static LodgeKeyLocks
lodge_vnc_session_source_get_key_locks (LodgeDisplaySource *source)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);

  if (self->conn == NULL || !self->initialized)
    return 0;
  /* The same bits as LodgeKeyLocks. */
  return vnc_connection_get_ledstate (self->conn) &
         (LODGE_KEY_LOCK_SCROLL | LODGE_KEY_LOCK_NUM | LODGE_KEY_LOCK_CAPS);
}

static void
lodge_vnc_session_send_pointer (LodgeVncSession *self,
                                int              x,
                                int              y)
{
  vnc_connection_pointer_event (self->conn, self->button_mask,
                                CLAMP (x, 0, G_MAXUINT16), CLAMP (y, 0, G_MAXUINT16));
}

static void
lodge_vnc_session_source_pointer_position (LodgeDisplaySource *source,
                                           int                 x,
                                           int                 y,
                                           guint               button_state)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);

  self->button_mask = button_state & 0x7;
  self->last_x = x;
  self->last_y = y;
  lodge_vnc_session_send_pointer (self, x, y);
}

static void
lodge_vnc_session_source_pointer_motion (LodgeDisplaySource *source,
                                         int                 dx,
                                         int                 dy,
                                         guint               button_state)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);

  self->button_mask = button_state & 0x7;
  lodge_vnc_session_send_pointer (self, RELATIVE_ORIGIN + dx, RELATIVE_ORIGIN + dy);
}

static int
button_bit (LodgeMouseButton button)
{
  switch (button)
    {
    case LODGE_MOUSE_BUTTON_LEFT:
      return 1 << 0;
    case LODGE_MOUSE_BUTTON_MIDDLE:
      return 1 << 1;
    case LODGE_MOUSE_BUTTON_RIGHT:
      return 1 << 2;
    case LODGE_MOUSE_BUTTON_WHEEL_UP:
      return VNC_BUTTON_WHEEL_UP;
    case LODGE_MOUSE_BUTTON_WHEEL_DOWN:
      return VNC_BUTTON_WHEEL_DOWN;
    case LODGE_MOUSE_BUTTON_BACK:
      return VNC_BUTTON_WHEEL_LEFT;
    case LODGE_MOUSE_BUTTON_FORWARD:
      return VNC_BUTTON_WHEEL_RIGHT;
    default:
      return 0;
    }
}

static void
lodge_vnc_session_source_pointer_button (LodgeDisplaySource *source,
                                         LodgeMouseButton    button,
                                         gboolean            press,
                                         guint               button_state)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);
  int bit = button_bit (button);

  if (press)
    self->button_mask |= bit;
  else
    self->button_mask &= ~bit;
  /* A button event carries a position: where the pointer last was, or no
   * motion in relative mode. */
  if (lodge_display_source_get_server_mouse (source))
    lodge_vnc_session_send_pointer (self, RELATIVE_ORIGIN, RELATIVE_ORIGIN);
  else
    lodge_vnc_session_send_pointer (self, self->last_x, self->last_y);
}

static void
lodge_vnc_session_source_request_guest_size (LodgeDisplaySource *source,
                                             int                 width,
                                             int                 height)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);
  VncConnectionResizeStatus status;

  if (self->conn == NULL || !self->initialized || self->read_only ||
      width < 64 || height < 64)
    return;
  status = vnc_connection_set_size (self->conn, width, height);
  if (status == VNC_CONNECTION_RESIZE_STATUS_UNSUPPORTED)
    {
      /* The server has no extended desktop size: stop asking. */
      lodge_display_source_set_capabilities (source,
                                             lodge_display_source_get_capabilities (source) &
                                             ~LODGE_DISPLAY_CAPABILITY_GUEST_RESIZE);
    }
}

static void
lodge_vnc_session_source_set_clipboard (LodgeDisplaySource *source,
                                        GdkClipboard       *clipboard)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (source);

  if (self->clipboard == clipboard)
    return;
  if (self->clipboard != NULL)
    g_signal_handlers_disconnect_by_data (self->clipboard, self);
  g_set_object (&self->clipboard, clipboard);
  if (clipboard != NULL)
    g_signal_connect_object (clipboard, "changed",
                             G_CALLBACK (lodge_vnc_session_clipboard_changed_cb),
                             self, G_CONNECT_SWAPPED);
}

/* GObject */

static void
lodge_vnc_session_dispose (GObject *object)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (object);

  lodge_vnc_session_teardown (self);
  if (self->clipboard != NULL)
    g_signal_handlers_disconnect_by_data (self->clipboard, self);
  g_clear_object (&self->clipboard);

  G_OBJECT_CLASS (lodge_vnc_session_parent_class)->dispose (object);
}

static void
lodge_vnc_session_finalize (GObject *object)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (object);

  g_clear_error (&self->error);
  g_free (self->password);
  g_free (self->desktop_name);
  g_free (self->guest_text);

  G_OBJECT_CLASS (lodge_vnc_session_parent_class)->finalize (object);
}

static void
lodge_vnc_session_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LodgeVncSession *self = LODGE_VNC_SESSION (object);

  switch (prop_id)
    {
    case PROP_DESKTOP_NAME:
      g_value_set_string (value, self->desktop_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_vnc_session_class_init (LodgeVncSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  LodgeDisplaySourceClass *source_class = LODGE_DISPLAY_SOURCE_CLASS (klass);

  object_class->dispose = lodge_vnc_session_dispose;
  object_class->finalize = lodge_vnc_session_finalize;
  object_class->get_property = lodge_vnc_session_get_property;

  source_class->disconnect = lodge_vnc_session_source_disconnect;
  source_class->give_fd = lodge_vnc_session_source_give_fd;
  source_class->fail_fd = lodge_vnc_session_source_fail_fd;
  source_class->has_inputs = lodge_vnc_session_source_has_inputs;
  source_class->get_inputs_ready = lodge_vnc_session_source_get_inputs_ready;
  source_class->key_event = lodge_vnc_session_source_key_event;
  source_class->get_key_locks = lodge_vnc_session_source_get_key_locks;
  source_class->pointer_position = lodge_vnc_session_source_pointer_position;
  source_class->pointer_motion = lodge_vnc_session_source_pointer_motion;
  source_class->pointer_button = lodge_vnc_session_source_pointer_button;
  source_class->request_guest_size = lodge_vnc_session_source_request_guest_size;
  source_class->set_clipboard = lodge_vnc_session_source_set_clipboard;

  properties[PROP_DESKTOP_NAME] =
    g_param_spec_string ("desktop-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LodgeVncSession::password-required:
   *
   * The server asks for a password and none was set: answer with
   * lodge_vnc_session_answer_password() (now or later), or disconnect.
   */
  signals[PASSWORD_REQUIRED] =
    g_signal_new ("password-required", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lodge_vnc_session_init (LodgeVncSession *self)
{
  /* The base's, for the life of the session. */
  self->framebuffer = lodge_display_source_get_framebuffer (LODGE_DISPLAY_SOURCE (self));
}

/* Public API */

LodgeVncSession *
lodge_vnc_session_new (void)
{
  return g_object_new (LODGE_TYPE_VNC_SESSION, NULL);
}

/**
 * lodge_vnc_session_set_password:
 * @password: (nullable): the VNC password, used when the server asks
 */
void
lodge_vnc_session_set_password (LodgeVncSession *self,
                                const char      *password)
{
  g_return_if_fail (LODGE_IS_VNC_SESSION (self));

  g_free (self->password);
  self->password = g_strdup (password);
}

/**
 * lodge_vnc_session_set_read_only:
 *
 * A read-only session (a thumbnail) sends the guest no input, clipboard or
 * size request.
 */
void
lodge_vnc_session_set_read_only (LodgeVncSession *self,
                                 gboolean         read_only)
{
  g_return_if_fail (LODGE_IS_VNC_SESSION (self));
  self->read_only = !!read_only;
}

void
lodge_vnc_session_connect_host (LodgeVncSession *self,
                                const char      *host,
                                int              port)
{
  g_autofree char *port_text = NULL;
  VncConnection *conn;

  g_return_if_fail (LODGE_IS_VNC_SESSION (self));
  g_return_if_fail (host != NULL);

  conn = lodge_vnc_session_prepare (self);
  if (port <= 0 || port > 65535)
    {
      g_autoptr(GError) error = g_error_new (LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                                             _("“%d” is not a port number"), port);

      lodge_vnc_session_end (self, error);
      return;
    }
  port_text = g_strdup_printf ("%d", port);
  lodge_vnc_session_check_open (self, vnc_connection_open_host (conn, host, port_text));
}

void
lodge_vnc_session_connect_unix (LodgeVncSession *self,
                                const char      *path)
{
  g_autoptr(GSocketAddress) address = NULL;
  VncConnection *conn;

  g_return_if_fail (LODGE_IS_VNC_SESSION (self));
  g_return_if_fail (path != NULL);

  conn = lodge_vnc_session_prepare (self);
  address = g_unix_socket_address_new (path);
  lodge_vnc_session_check_open (self, vnc_connection_open_addr (conn, address, NULL));
}

/**
 * lodge_vnc_session_connect_fd:
 * @fd: a connected socket (taken over), or -1 to ask for one through
 *   LodgeDisplaySource::open-fd
 */
void
lodge_vnc_session_connect_fd (LodgeVncSession *self,
                              int              fd)
{
  VncConnection *conn;

  g_return_if_fail (LODGE_IS_VNC_SESSION (self));

  conn = lodge_vnc_session_prepare (self);
  if (fd >= 0)
    {
      lodge_vnc_session_check_open (self, vnc_connection_open_fd (conn, fd));
      return;
    }
  self->pending_request_id = ++self->next_request_id;
  if (self->pending_request_id == 0)
    self->pending_request_id = ++self->next_request_id;
  lodge_display_source_request_fd (LODGE_DISPLAY_SOURCE (self), self->pending_request_id, 0);
}

/**
 * lodge_vnc_session_answer_password:
 *
 * The answer to #LodgeVncSession::password-required; it is also kept for
 * the next connection.
 */
void
lodge_vnc_session_answer_password (LodgeVncSession *self,
                                   const char      *password)
{
  g_return_if_fail (LODGE_IS_VNC_SESSION (self));
  g_return_if_fail (password != NULL);

  lodge_vnc_session_set_password (self, password);
  if (self->conn == NULL || !self->awaiting_password)
    return;
  self->awaiting_password = FALSE;
  vnc_connection_set_credential (self->conn, VNC_CONNECTION_CREDENTIAL_PASSWORD, password);
}

const char *
lodge_vnc_session_get_desktop_name (LodgeVncSession *self)
{
  g_return_val_if_fail (LODGE_IS_VNC_SESSION (self), NULL);
  return self->desktop_name;
}

gboolean
lodge_vnc_session_get_scancodes (LodgeVncSession *self)
{
  g_return_val_if_fail (LODGE_IS_VNC_SESSION (self), FALSE);
  return self->conn != NULL && self->initialized && vnc_connection_get_ext_key_event (self->conn);
}
