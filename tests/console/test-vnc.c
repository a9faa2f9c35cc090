/* test-vnc.c: LodgeVncSession against QEMU's own VNC server
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case starts qemu-system-x86_64 (TCG, no disk, std VGA, VNC on a
 * unix socket of the test's own or on 127.0.0.1, QMP on a unix socket)
 * and drives a LodgeVncSession to it:
 *   frames    started paused: the first picture is QEMU's 640x480
 *             placeholder; once running, SeaBIOS sets the 720x400 text
 *             mode (a desktop resize) and draws text (pixels not black)
 *   tcp       the same through vnc://127.0.0.1:PORT (the port QMP names)
 *   keys      the small test guest of tests/guest boots; connected once
 *             its screen is still, keys typed through the session are
 *             echoed by its console (tty0 has ECHO on): many pixels
 *             change, far more than the cursor blinking does; still
 *             again, the picture is QEMU's screendump but for the cursor
 *   password  password=on with the password set over QMP: a wrong one
 *             ends in AUTH_FAILED, none asks through password-required
 *             and the right answer connects
 *   gone      QEMU killed: the session ends with CLOSED and a reason
 *   refused   no server at the socket, or a port nothing listens on:
 *             CONNECTION_FAILED
 */
#define G_LOG_DOMAIN "test-vnc"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lodge-test.h"
#include "lodge-test-qemu.h"
#include "console/lodge-console.h"
#include "console/lodge-keymap.h"

/* Bounds a hang; never a timing assertion. TCG boots slowly under load. */
#define TIMEOUT_MS 90000

static char *tmp_dir;

typedef gboolean (*Predicate) (gpointer data);

static gboolean
wait_for (Predicate predicate,
          gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) TIMEOUT_MS * 1000;

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

/* Predicates -------------------------------------------------------------- */

static gboolean
is_connected (gpointer data)
{
  return lodge_display_source_get_state (data) == LODGE_DISPLAY_STATE_CONNECTED;
}

static gboolean
has_scancodes (gpointer data)
{
  return lodge_vnc_session_get_scancodes (data);
}

static gboolean
has_server_mouse (gpointer data)
{
  return lodge_display_source_get_server_mouse (data);
}

static gboolean
is_disconnected (gpointer data)
{
  return lodge_display_source_get_state (data) == LODGE_DISPLAY_STATE_DISCONNECTED;
}

static LodgeFramebuffer *
framebuffer_of (gpointer session)
{
  return lodge_display_source_get_framebuffer (LODGE_DISPLAY_SOURCE (session));
}

static gboolean
has_size (LodgeFramebuffer *fb,
          int               width,
          int               height)
{
  return lodge_framebuffer_has_surface (fb) &&
         lodge_framebuffer_get_width (fb) == width &&
         lodge_framebuffer_get_height (fb) == height;
}

static gboolean
is_text_mode (gpointer data)
{
  return has_size (framebuffer_of (data), 720, 400);
}

static gboolean
is_placeholder (gpointer data)
{
  return has_size (framebuffer_of (data), 640, 480);
}

static guint32 *
download (LodgeFramebuffer *fb,
          int              *n)
{
  g_autoptr(GdkTexture) texture = lodge_framebuffer_to_texture (fb);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  guint32 *pixels = g_new (guint32, width * height);

  gdk_texture_download (texture, (guchar *) pixels, width * 4);
  *n = width * height;
  return pixels;
}

static int
count_lit (LodgeFramebuffer *fb)
{
  int n = 0, lit = 0;
  g_autofree guint32 *pixels = NULL;

  if (!lodge_framebuffer_has_surface (fb))
    return 0;
  pixels = download (fb, &n);
  for (int i = 0; i < n; i++)
    if ((pixels[i] & 0xffffff) != 0)
      lit++;
  return lit;
}

static gboolean
shows_text (gpointer data)
{
  LodgeFramebuffer *fb = framebuffer_of (data);

  /* SeaBIOS's banner: some hundreds of lit pixels in 720x400. */
  return has_size (fb, 720, 400) && count_lit (fb) > 200;
}

/* Cases ------------------------------------------------------------------- */

static void
count_cb (gpointer data)
{
  guint *count = data;

  (*count)++;
}

static void
test_frames (void)
{
  g_autoptr(LodgeTestQemu) qemu = lodge_test_qemu_start (tmp_dir, "", FALSE, FALSE, TRUE);
  g_autoptr(LodgeVncSession) session = lodge_vnc_session_new ();
  g_autofree char *answer = NULL;
  g_autofree guint32 *pixels = NULL;
  guint resizes = 0;
  int n;

  lodge_vnc_session_connect_unix (session, qemu->vnc_socket);
  g_assert_cmpint (lodge_display_source_get_state (LODGE_DISPLAY_SOURCE (session)), ==,
                   LODGE_DISPLAY_STATE_CONNECTING);
  g_assert_true (wait_for (is_connected, session));
  g_assert_true (wait_for (is_placeholder, session));
  g_assert_cmpstr (lodge_vnc_session_get_desktop_name (session), ==, "QEMU");
  /* QEMU offers its extended key events, and an absolute pointer only
   * with a tablet: without one, it says the mouse is relative. */
  g_assert_true (wait_for (has_scancodes, session));
  g_assert_true (wait_for (has_server_mouse, session));

  g_signal_connect_swapped (framebuffer_of (session), "invalidate-size",
                            G_CALLBACK (count_cb), &resizes);
  answer = lodge_test_qemu_command (qemu, "{\"execute\": \"cont\"}");
  g_assert_nonnull (strstr (answer, "\"return\""));

  /* The desktop resize to SeaBIOS's text mode, then its text. */
  g_assert_true (wait_for (is_text_mode, session));
  g_assert_true (wait_for (shows_text, session));
  pixels = download (framebuffer_of (session), &n);
  g_assert_cmpint (n, ==, 720 * 400);
  g_assert_cmpuint (resizes, >=, 1);
  g_signal_handlers_disconnect_by_data (framebuffer_of (session), &resizes);

  lodge_display_source_disconnect (LODGE_DISPLAY_SOURCE (session));
  g_assert_cmpint (lodge_display_source_get_state (LODGE_DISPLAY_SOURCE (session)), ==,
                   LODGE_DISPLAY_STATE_DISCONNECTED);
  /* Asked for: no reason. */
  g_assert_null (lodge_display_source_get_disconnect_error (LODGE_DISPLAY_SOURCE (session)));
  g_assert_false (lodge_framebuffer_has_surface (framebuffer_of (session)));
}

static void
test_tcp (void)
{
  g_autoptr(LodgeTestQemu) qemu = lodge_test_qemu_start (tmp_dir, "", TRUE, FALSE, FALSE);
  g_autoptr(LodgeVncSession) session = lodge_vnc_session_new ();
  g_autoptr(LodgeDisplayEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("vnc://127.0.0.1:%d", lodge_test_qemu_vnc_port (qemu));

  endpoint = lodge_display_endpoint_new_from_uri (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lodge_display_endpoint_get_protocol (endpoint), ==, LODGE_DISPLAY_PROTOCOL_VNC);
  lodge_vnc_session_connect_host (session, lodge_display_endpoint_get_host (endpoint),
                                  lodge_display_endpoint_get_port (endpoint));
  g_assert_true (wait_for (is_connected, session));
  g_assert_true (wait_for (shows_text, session));
}

static int
pixels_changed (LodgeFramebuffer *fb,
                const guint32    *before)
{
  int n = 0, changed = 0;
  g_autofree guint32 *now = download (fb, &n);

  for (int i = 0; i < n; i++)
    if (now[i] != before[i])
      changed++;
  return changed;
}

static gboolean
guest_is_ready (gpointer data)
{
  LodgeTestQemu *qemu = data;
  g_autofree char *log = NULL;

  /* The init prints this after its banner on tty0. */
  return g_file_get_contents (qemu->serial_log, &log, NULL, NULL) &&
         strstr (log, "LODGE-GUEST-READY") != NULL;
}

typedef struct
{
  LodgeFramebuffer *fb;
  guint32 *before;
  int threshold;
} Changed;

static gboolean
has_changed (gpointer data)
{
  Changed *c = data;

  return pixels_changed (c->fb, c->before) > c->threshold;
}

static gboolean
settled (gpointer data)
{
  Changed *c = data;
  int n;

  /* Two looks 300 ms apart that differ by no more than a blinking
   * cursor (8×16 at most). */
  g_free (c->before);
  c->before = download (c->fb, &n);
  for (int i = 0; i < 300; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return pixels_changed (c->fb, c->before) <= 8 * 16;
}

/* QEMU's own picture (QMP screendump, PPM), as a texture. */
static GdkTexture *
qemu_screendump (LodgeTestQemu *qemu)
{
  g_autofree char *path = g_build_filename (tmp_dir, "screendump.ppm", NULL);
  g_autofree char *command = g_strdup_printf ("{\"execute\": \"screendump\", "
                                              "\"arguments\": {\"filename\": \"%s\"}}", path);
  g_autofree char *answer = lodge_test_qemu_command (qemu, command);
  g_autoptr(GError) error = NULL;
  GdkTexture *texture;

  g_assert_nonnull (strstr (answer, "\"return\""));
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return texture;
}

static int
count_differing (GdkTexture *a,
                 GdkTexture *b)
{
  int w = gdk_texture_get_width (a), h = gdk_texture_get_height (a);
  g_autofree guint32 *pa = g_new (guint32, w * h);
  g_autofree guint32 *pb = g_new (guint32, w * h);
  int n = 0;

  g_assert_cmpint (gdk_texture_get_width (b), ==, w);
  g_assert_cmpint (gdk_texture_get_height (b), ==, h);
  gdk_texture_download (a, (guchar *) pa, w * 4);
  gdk_texture_download (b, (guchar *) pb, w * 4);
  for (int i = 0; i < w * h; i++)
    if (pa[i] != pb[i])
      n++;
  return n;
}

static void
test_keys (void)
{
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");
  g_autoptr(LodgeTestQemu) qemu = NULL;
  g_autoptr(LodgeVncSession) session = lodge_vnc_session_new ();
  Changed c = { 0 };
  /* "x" ten times: XT 0x2d. */
  const guint key = 0x2d;

  g_assert_nonnull (make_guest);
  g_assert_nonnull (guest_dir);
  g_assert_true (lodge_test_run ("make-guest",
                                 (char *[]) { (char *) make_guest, (char *) guest_dir, NULL }));

  qemu = lodge_test_qemu_start (tmp_dir, "", FALSE, TRUE, FALSE);
  /* Connected once the guest's screen is still: the first picture is
   * all there is to see. */
  g_assert_true (wait_for (guest_is_ready, qemu));
  lodge_vnc_session_connect_unix (session, qemu->vnc_socket);
  g_assert_true (wait_for (is_connected, session));

  c.fb = framebuffer_of (session);
  g_assert_true (wait_for (settled, &c));
  /* Ten glyphs of about 30 lit pixels each: well above the cursor. */
  c.threshold = 8 * 16 * 2;
  for (int i = 0; i < 10; i++)
    {
      lodge_display_source_key_press (LODGE_DISPLAY_SOURCE (session), key);
      lodge_display_source_key_release (LODGE_DISPLAY_SOURCE (session), key);
    }
  g_assert_true (wait_for (has_changed, &c));
  g_free (c.before);

  /* Once still again, the picture is QEMU's own, but for the cursor. */
  c.before = NULL;
  g_assert_true (wait_for (settled, &c));
  {
    g_autoptr(GdkTexture) ours = lodge_framebuffer_to_texture (c.fb);
    g_autoptr(GdkTexture) theirs = qemu_screendump (qemu);
    int differing = count_differing (ours, theirs);

    g_test_message ("%d pixels differ from QEMU's screendump", differing);
    g_assert_cmpint (differing, <=, 8 * 16);
  }
  g_free (c.before);
}

static void
password_required_cb (LodgeVncSession *session,
                      gpointer         user_data)
{
  int *asked = user_data;

  (*asked)++;
  lodge_vnc_session_answer_password (session, "lodge-secret");
}

static void
test_password (void)
{
  g_autoptr(LodgeTestQemu) qemu = lodge_test_qemu_start (tmp_dir, ",password=on", FALSE, FALSE, FALSE);
  g_autoptr(LodgeVncSession) session = lodge_vnc_session_new ();
  g_autofree char *answer = NULL;
  const GError *error;
  int asked = 0;

  answer = lodge_test_qemu_command (qemu, "{\"execute\": \"change-vnc-password\", "
                              "\"arguments\": {\"password\": \"lodge-secret\"}}");
  g_assert_nonnull (strstr (answer, "\"return\""));

  /* A wrong password. */
  lodge_vnc_session_set_password (session, "wrong");
  lodge_vnc_session_connect_unix (session, qemu->vnc_socket);
  g_assert_true (wait_for (is_disconnected, session));
  error = lodge_display_source_get_disconnect_error (LODGE_DISPLAY_SOURCE (session));
  g_assert_error ((GError *) error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "password"));

  /* None: the session asks, the answer connects. */
  lodge_vnc_session_set_password (session, NULL);
  g_signal_connect (session, "password-required", G_CALLBACK (password_required_cb), &asked);
  lodge_vnc_session_connect_unix (session, qemu->vnc_socket);
  g_assert_true (wait_for (is_connected, session));
  g_assert_cmpint (asked, ==, 1);
  g_assert_null (lodge_display_source_get_disconnect_error (LODGE_DISPLAY_SOURCE (session)));
}

static void
test_gone (void)
{
  g_autoptr(LodgeTestQemu) qemu = lodge_test_qemu_start (tmp_dir, "", FALSE, FALSE, FALSE);
  g_autoptr(LodgeVncSession) session = lodge_vnc_session_new ();
  const GError *error;

  lodge_vnc_session_connect_unix (session, qemu->vnc_socket);
  g_assert_true (wait_for (is_connected, session));
  g_subprocess_send_signal (qemu->process, SIGKILL);
  g_assert_true (wait_for (is_disconnected, session));
  error = lodge_display_source_get_disconnect_error (LODGE_DISPLAY_SOURCE (session));
  g_assert_error ((GError *) error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_CLOSED);
  g_assert_cmpstr (lodge_display_source_get_disconnect_reason (LODGE_DISPLAY_SOURCE (session)), ==,
                   error->message);
  g_assert_false (lodge_framebuffer_has_surface (framebuffer_of (session)));
}

static void
test_refused (void)
{
  g_autoptr(LodgeVncSession) session = lodge_vnc_session_new ();
  g_autofree char *missing = g_build_filename (tmp_dir, "nobody.sock", NULL);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) bound = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  int port;

  lodge_vnc_session_connect_unix (session, missing);
  g_assert_true (wait_for (is_disconnected, session));
  g_assert_error ((GError *) lodge_display_source_get_disconnect_error (LODGE_DISPLAY_SOURCE (session)),
                  LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_CONNECTION_FAILED);

  /* A port bound but not listening refuses connections. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  bound = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (bound), FALSE, &error));
  address = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));

  lodge_vnc_session_connect_host (session, "127.0.0.1", port);
  g_assert_true (wait_for (is_disconnected, session));
  g_assert_error ((GError *) lodge_display_source_get_disconnect_error (LODGE_DISPLAY_SOURCE (session)),
                  LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_CONNECTION_FAILED);
  g_assert_nonnull (lodge_display_source_get_disconnect_reason (LODGE_DISPLAY_SOURCE (session)));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *qemu = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  qemu = g_find_program_in_path ("qemu-system-x86_64");
  if (qemu == NULL)
    lodge_test_skip_all ("qemu-system-x86_64 is not installed");

  tmp_dir = g_dir_make_tmp ("lodge-test-vnc-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/vnc/frames", test_frames);
  g_test_add_func ("/vnc/tcp", test_tcp);
  g_test_add_func ("/vnc/keys", test_keys);
  g_test_add_func ("/vnc/password", test_password);
  g_test_add_func ("/vnc/gone", test_gone);
  g_test_add_func ("/vnc/refused", test_refused);

  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
