/* test-console.c: LodgeDisplay against the SPICE test server
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input goes through the X server (XTest), so keys travel the whole way:
 * X keycode -> GTK hardware keycode -> XT scancode -> SPICE -> the test
 * server, which prints the bytes it receives.
 */
#define G_LOG_DOMAIN "test-console"

#include "config.h"

#include <gio/gio.h>
#include <gtk/gtk.h>
#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>
#include <X11/extensions/Xfixes.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "console/lodge-console.h"
#include "console/lodge-keymap.h"
#include "lodge-test.h"
#include "test-keymap-set.h"

#define TIMEOUT_MS 10000

typedef struct
{
  GSubprocess *server;
  GDataInputStream *server_out;
  GOutputStream *server_in;
  GCancellable *server_cancellable;
  GQueue lines;
  int port;
  gboolean use_fd;
  const char *password;
  int tls_port;
  char *tls_dir;

  GtkWidget *window;
  GtkWidget *display;
  GtkWidget *button;

  gboolean audio;
  gboolean record_connected;
} Fixture;

static const char *server_path;

/* Server */

static void server_read_line (Fixture *f);

static void
server_read_line_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  char *line;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  /* A stream of a server that has been stopped meanwhile. */
  if (line == NULL || (gpointer) object != (gpointer) f->server_out)
    {
      g_free (line);
      return;
    }
  if (g_test_verbose ())
    g_printerr ("server: %s\n", line);
  if (g_str_equal (line, "channel record connected"))
    f->record_connected = TRUE;
  g_queue_push_tail (&f->lines, line);
  server_read_line (f);
}

static void
server_read_line (Fixture *f)
{
  g_data_input_stream_read_line_async (f->server_out, G_PRIORITY_DEFAULT,
                                       f->server_cancellable, server_read_line_cb, f);
}

static void G_GNUC_PRINTF (2, 3)
server_send (Fixture    *f,
             const char *format,
             ...)
{
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat (text, "\n", NULL);
  g_assert_true (g_output_stream_write_all (f->server_in, line, strlen (line), NULL, NULL, NULL));
  g_output_stream_flush (f->server_in, NULL, NULL);
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef gboolean (*Predicate) (Fixture *f, gconstpointer data);

static gboolean
wait_for (Fixture       *f,
          Predicate      predicate,
          gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  while (!predicate (f, data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

/* Returns the first line starting with @prefix (removing it and every line
 * before it), or NULL after the timeout. */
static char *
wait_line (Fixture    *f,
           const char *prefix)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  for (;;)
    {
      while (!g_queue_is_empty (&f->lines))
        {
          char *line = g_queue_pop_head (&f->lines);

          if (g_str_has_prefix (line, prefix))
            return line;
          g_free (line);
        }
      if (g_get_monotonic_time () > deadline)
        return NULL;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
drop_lines (Fixture *f)
{
  iterate ();
  g_queue_clear_full (&f->lines, g_free);
}

/* Sync with the server so that every event it printed so far is read. */
static void
server_sync (Fixture *f)
{
  static guint token;
  g_autofree char *expected = g_strdup_printf ("sync %u", ++token);
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  server_send (f, "%s", expected);
  for (;;)
    {
      for (GList *l = f->lines.head; l != NULL; l = l->next)
        if (g_str_equal (l->data, expected))
          {
            g_free (l->data);
            g_queue_delete_link (&f->lines, l);
            return;
          }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static int
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) any = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
server_start (Fixture    *f,
              const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) extra_args = g_strsplit (extra ? extra : "", " ", -1);
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, g_strdup (server_path));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", f->port));
  g_ptr_array_add (argv, g_strdup ("--width=800"));
  g_ptr_array_add (argv, g_strdup ("--height=600"));
  for (guint i = 0; extra_args[i] != NULL; i++)
    if (*extra_args[i] != '\0')
      g_ptr_array_add (argv, g_strdup (extra_args[i]));
  if (f->tls_port > 0)
    {
      g_ptr_array_add (argv, g_strdup_printf ("--tls-port=%d", f->tls_port));
      g_ptr_array_add (argv, g_strdup_printf ("--tls-dir=%s", f->tls_dir));
    }
  g_ptr_array_add (argv, NULL);

  f->server = g_subprocess_newv ((const char * const *) argv->pdata,
                                 G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                 &error);
  g_assert_no_error (error);
  f->server_in = g_object_ref (g_subprocess_get_stdin_pipe (f->server));
  f->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  f->server_cancellable = g_cancellable_new ();
  server_read_line (f);

  line = wait_line (f, "listening");
  g_assert_nonnull (line);
}

static void
server_stop (Fixture *f)
{
  if (f->server == NULL)
    return;
  g_cancellable_cancel (f->server_cancellable);
  g_clear_object (&f->server_cancellable);
  g_subprocess_force_exit (f->server);
  g_subprocess_wait (f->server, NULL, NULL);
  g_clear_object (&f->server_in);
  g_clear_object (&f->server_out);
  g_clear_object (&f->server);
  iterate ();
  g_queue_clear_full (&f->lines, g_free);
}

/* Pixels */

static guint32
pattern_pixel (int x,
               int y,
               int seed)
{
  guint32 r = (x + seed) & 0xff;
  guint32 g = (y + 2 * seed) & 0xff;
  guint32 b = ((x ^ y) + 3 * seed) & 0xff;

  return 0xff000000u | (r << 16) | (g << 8) | b;
}

typedef struct
{
  int width;
  int height;
  guint32 *pixels;
} Frame;

static void
frame_init_pattern (Frame *frame,
                    int    width,
                    int    height,
                    int    seed)
{
  g_free (frame->pixels);
  frame->width = width;
  frame->height = height;
  frame->pixels = g_new (guint32, width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      frame->pixels[y * width + x] = pattern_pixel (x, y, seed);
}

static void
frame_fill (Frame   *frame,
            int      x0,
            int      y0,
            int      w,
            int      h,
            guint32  rgb)
{
  for (int y = y0; y < y0 + h; y++)
    for (int x = x0; x < x0 + w; x++)
      frame->pixels[y * frame->width + x] = 0xff000000u | rgb;
}

static gboolean
display_shows (Fixture       *f,
               gconstpointer  data)
{
  const Frame *frame = data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint32 *pixels = NULL;
  int w, h;

  if (!lodge_display_get_guest_size (LODGE_DISPLAY (f->display), &w, &h) ||
      w != frame->width || h != frame->height)
    return FALSE;
  /* The guest surface as the client holds it. */
  texture = lodge_display_get_screenshot (LODGE_DISPLAY (f->display));
  pixels = g_new (guint32, w * h);
  gdk_texture_download (texture, (guchar *) pixels, w * 4);
  if (memcmp (pixels, frame->pixels, (gsize) w * h * 4) != 0)
    return FALSE;

  /* And what the widget draws, through its tiles and the renderer, when
   * the picture is unscaled: 800×600 in the middle of 1000×600. */
  if (w == 800 && h == 600 &&
      gtk_widget_get_width (f->display) == 1000 && gtk_widget_get_height (f->display) == 600)
    {
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (f->display);
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      g_autoptr(GdkTexture) drawn = NULL;
      g_autofree guint32 *widget_pixels = g_new (guint32, 1000 * 600);
      GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (f->window));

      gdk_paintable_snapshot (paintable, snapshot, 1000, 600);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        return FALSE;
      drawn = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, 1000, 600));
      gdk_texture_download (drawn, (guchar *) widget_pixels, 1000 * 4);
      for (int y = 0; y < 600; y++)
        if (memcmp (widget_pixels + y * 1000 + 100, frame->pixels + y * 800, 800 * 4) != 0 ||
            widget_pixels[y * 1000 + 99] != 0xff000000u ||
            widget_pixels[y * 1000 + 900] != 0xff000000u)
          return FALSE;
    }
  return TRUE;
}

static gboolean
is_connected (Fixture       *f,
              gconstpointer  data)
{
  int w;

  return lodge_display_get_state (LODGE_DISPLAY (f->display)) == LODGE_DISPLAY_STATE_CONNECTED &&
         lodge_display_get_guest_size (LODGE_DISPLAY (f->display), &w, NULL);
}

static gboolean
is_disconnected (Fixture       *f,
                 gconstpointer  data)
{
  return lodge_display_get_state (LODGE_DISPLAY (f->display)) ==
         LODGE_DISPLAY_STATE_DISCONNECTED;
}

/* Fixture */

static void
display_open_fd_cb (LodgeDisplay *display,
                    guint         request_id,
                    int           channel_type,
                    Fixture      *f)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", f->port, NULL, &error);
  g_assert_no_error (error);
  lodge_display_give_fd (display, request_id,
                         dup (g_socket_get_fd (g_socket_connection_get_socket (connection))));
}

static void
display_connect (Fixture *f)
{
  if (f->use_fd)
    lodge_display_connect_fd (LODGE_DISPLAY (f->display), -1);
  else
    lodge_display_connect_host (LODGE_DISPLAY (f->display), "127.0.0.1",
                                f->tls_port > 0 ? 0 : f->port, f->tls_port, f->password);
  g_assert_true (wait_for (f, is_connected, NULL));
}

static void
fixture_setup_full (Fixture    *f,
                    const char *server_args,
                    gboolean    resize_guest)
{
  GtkWidget *overlay;

  f->port = free_port ();
  server_start (f, server_args);

  f->window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (f->window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 600);
  overlay = gtk_overlay_new ();
  f->display = lodge_display_new ();
  lodge_display_set_resize_guest (LODGE_DISPLAY (f->display), resize_guest);
  lodge_spice_session_set_audio (lodge_display_get_session (LODGE_DISPLAY (f->display)), f->audio);
  g_signal_connect (f->display, "open-fd", G_CALLBACK (display_open_fd_cb), f);
  /* Somewhere else to put the focus, in a corner the pointer tests avoid. */
  f->button = gtk_button_new_with_label ("Elsewhere");
  gtk_widget_set_halign (f->button, GTK_ALIGN_START);
  gtk_widget_set_valign (f->button, GTK_ALIGN_END);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), f->display);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), f->button);
  gtk_window_set_child (GTK_WINDOW (f->window), overlay);
  gtk_window_present (GTK_WINDOW (f->window));

  display_connect (f);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_full (f, "--no-agent", FALSE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  iterate ();
  server_stop (f);
  if (f->tls_dir != NULL)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->tls_dir);

      g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
      g_clear_pointer (&f->tls_dir, g_free);
    }
}

/* X input */

static Display *
xdisplay (void)
{
  return gdk_x11_display_get_xdisplay (gdk_display_get_default ());
}

static void
focus_display (Fixture *f)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  /* No window manager under Xvfb: give the window the X focus directly. */
  while (!gtk_widget_get_mapped (f->window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  XSetInputFocus (xdisplay (), gdk_x11_surface_get_xid (surface), RevertToParent, CurrentTime);
  XSync (xdisplay (), False);
  gtk_widget_grab_focus (f->display);
  while (!gtk_widget_has_focus (f->display) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_has_focus (f->display));
  iterate ();
}

static void
x_key (guint    keycode,
       gboolean press)
{
  XTestFakeKeyEvent (xdisplay (), keycode, press, CurrentTime);
  XSync (xdisplay (), False);
}

/* Moves the X pointer over the point (x, y) of the display widget. */
static void
x_pointer_to (Fixture *f,
              double   x,
              double   y)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  graphene_point_t p;
  double sx, sy;
  int rx, ry;
  Window child;

  g_assert_true (gtk_widget_compute_point (f->display, f->window, &GRAPHENE_POINT_INIT (x, y), &p));
  gtk_native_get_surface_transform (GTK_NATIVE (f->window), &sx, &sy);
  XTranslateCoordinates (xdisplay (), gdk_x11_surface_get_xid (surface),
                         DefaultRootWindow (xdisplay ()),
                         (int) (p.x + sx), (int) (p.y + sy), &rx, &ry, &child);
  XTestFakeMotionEvent (xdisplay (), -1, rx, ry, CurrentTime);
  XSync (xdisplay (), False);
}

static void
x_button (guint    button,
          gboolean press)
{
  XTestFakeButtonEvent (xdisplay (), button, press, CurrentTime);
  XSync (xdisplay (), False);
}

/* Collects the keyboard bytes the server received up to a sync. */
static GByteArray *
server_kbd_bytes (Fixture *f)
{
  GByteArray *bytes = g_byte_array_new ();

  server_sync (f);
  while (!g_queue_is_empty (&f->lines))
    {
      g_autofree char *line = g_queue_pop_head (&f->lines);
      guint8 byte;

      if (g_str_has_prefix (line, "kbd "))
        {
          byte = (guint8) g_ascii_strtoull (line + 4, NULL, 16);
          g_byte_array_append (bytes, &byte, 1);
        }
    }
  return bytes;
}

static void
append_scancode (GByteArray *bytes,
                 guint       xt,
                 gboolean    release)
{
  guint8 b[3];
  guint n = 0;

  if (xt == LODGE_XT_PAUSE)
    {
      b[n++] = 0xe1;
      b[n++] = release ? 0x9d : 0x1d;
      b[n++] = release ? 0xc5 : 0x45;
    }
  else
    {
      if (xt & 0x100)
        b[n++] = 0xe0;
      b[n++] = (xt & 0xff) | (release ? 0x80 : 0);
    }
  g_byte_array_append (bytes, b, n);
}

static void
assert_bytes_equal (GByteArray *got,
                    GByteArray *expected,
                    const char *what)
{
  if (got->len != expected->len || memcmp (got->data, expected->data, got->len) != 0)
    {
      g_autofree char *g = g_strdup (""), *e = g_strdup ("");

      for (guint i = 0; i < got->len; i++)
        {
          char *t = g_strdup_printf ("%s %02x", g, got->data[i]);
          g_free (g);
          g = t;
        }
      for (guint i = 0; i < expected->len; i++)
        {
          char *t = g_strdup_printf ("%s %02x", e, expected->data[i]);
          g_free (e);
          e = t;
        }
      g_error ("%s: server got [%s ], expected [%s ]", what, g, e);
    }
}

/* Tests */

static void
test_full_update (Fixture       *f,
                  gconstpointer  data)
{
  Frame frame = { 0 };

  /* The server draws pattern 0 at start. */
  frame_init_pattern (&frame, 800, 600, 0);
  g_assert_true (wait_for (f, display_shows, &frame));

  server_send (f, "pattern 7");
  frame_init_pattern (&frame, 800, 600, 7);
  g_assert_true (wait_for (f, display_shows, &frame));

  server_send (f, "pattern 200");
  frame_init_pattern (&frame, 800, 600, 200);
  g_assert_true (wait_for (f, display_shows, &frame));
  g_free (frame.pixels);
}

static gboolean
framebuffer_idle (Fixture       *f,
                  gconstpointer  data)
{
  const guint64 *before = data;
  LodgeFramebuffer *fb =
    lodge_spice_session_get_framebuffer (lodge_display_get_session (LODGE_DISPLAY (f->display)));

  return lodge_framebuffer_get_tiles_built (fb) > *before;
}

static void
test_partial_update (Fixture       *f,
                     gconstpointer  data)
{
  LodgeFramebuffer *fb =
    lodge_spice_session_get_framebuffer (lodge_display_get_session (LODGE_DISPLAY (f->display)));
  Frame frame = { 0 };
  guint64 before;

  frame_init_pattern (&frame, 800, 600, 0);
  g_assert_true (wait_for (f, display_shows, &frame));

  /* Let the damage of the first frame settle: its invalidation may come a
   * moment after its pixels. */
  do
    {
      before = lodge_framebuffer_get_tiles_built (fb);
      for (int i = 0; i < 20; i++)
        {
          g_usleep (10000);
          iterate ();
        }
      lodge_framebuffer_flush (fb);
    }
  while (lodge_framebuffer_get_tiles_built (fb) != before);

  /* Inside one tile: only that tile is rebuilt. */
  server_send (f, "rect 10 20 30 40 123456");
  frame_fill (&frame, 10, 20, 30, 40, 0x123456);
  g_assert_true (wait_for (f, framebuffer_idle, &before));
  g_assert_true (wait_for (f, display_shows, &frame));
  g_assert_cmpuint (lodge_framebuffer_get_tiles_built (fb) - before, <=, 2);

  /* Across tile borders, and at the screen's edge. */
  server_send (f, "rect 250 250 20 20 ff00ff");
  server_send (f, "rect 780 590 20 10 00ff00");
  server_send (f, "rect 0 0 1 1 ffffff");
  frame_fill (&frame, 250, 250, 20, 20, 0xff00ff);
  frame_fill (&frame, 780, 590, 20, 10, 0x00ff00);
  frame_fill (&frame, 0, 0, 1, 1, 0xffffff);
  g_assert_true (wait_for (f, display_shows, &frame));
  g_free (frame.pixels);
}

static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  focus_display (f);
  drop_lines (f);

  for (guint i = 0; i < G_N_ELEMENTS (lodge_test_keys); i++)
    {
      const LodgeTestKey *key = &lodge_test_keys[i];
      g_autoptr(GByteArray) expected = g_byte_array_new ();
      g_autoptr(GByteArray) got = NULL;

      x_key (key->evdev + 8, TRUE);
      x_key (key->evdev + 8, FALSE);
      iterate ();
      /* Wait until the release reached the server. */
      append_scancode (expected, key->xt, FALSE);
      append_scancode (expected, key->xt, TRUE);
      {
        gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;
        GByteArray *acc = g_byte_array_new ();

        while (acc->len < expected->len && g_get_monotonic_time () < deadline)
          {
            g_autoptr(GByteArray) more = server_kbd_bytes (f);

            g_byte_array_append (acc, more->data, more->len);
          }
        got = acc;
      }
      /* Lock keys toggle the host's state too: the display then syncs the
       * guest's locks, which the server answers with extra bytes. */
      if (key->xt == 0x3a || key->xt == 0x45 || key->xt == 0x46)
        g_byte_array_set_size (got, MIN (got->len, expected->len));
      assert_bytes_equal (got, expected, key->name);

      /* Toggle lock keys back. */
      if (key->xt == 0x3a || key->xt == 0x45 || key->xt == 0x46)
        {
          x_key (key->evdev + 8, TRUE);
          x_key (key->evdev + 8, FALSE);
          iterate ();
          g_usleep (50000);
          iterate ();
          drop_lines (f);
        }
    }
}

static void
test_focus_loss_releases (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GByteArray) got = g_byte_array_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  focus_display (f);
  drop_lines (f);

  /* A and Right Ctrl held, then focus moves away: both are released. */
  x_key (30 + 8, TRUE);
  x_key (97 + 8, TRUE);
  iterate ();
  append_scancode (expected, 0x1e, FALSE);
  append_scancode (expected, 0x11d, FALSE);
  while (got->len < expected->len && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GByteArray) more = server_kbd_bytes (f);
      g_byte_array_append (got, more->data, more->len);
    }
  assert_bytes_equal (got, expected, "held keys");

  gtk_widget_grab_focus (f->button);
  iterate ();
  g_byte_array_set_size (got, 0);
  g_byte_array_set_size (expected, 0);
  append_scancode (expected, 0x1e, TRUE);
  append_scancode (expected, 0x11d, TRUE);
  while (got->len < expected->len && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GByteArray) more = server_kbd_bytes (f);
      g_byte_array_append (got, more->data, more->len);
    }
  assert_bytes_equal (got, expected, "released on focus loss");

  /* The X keys are still down: let them go without the display seeing it. */
  x_key (30 + 8, FALSE);
  x_key (97 + 8, FALSE);
  iterate ();
  g_byte_array_set_size (got, 0);
  {
    g_autoptr(GByteArray) more = server_kbd_bytes (f);
    g_assert_cmpuint (more->len, ==, 0);
  }
}

static void
test_send_keys (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GByteArray) got = g_byte_array_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  const guint8 ctrl_alt_del[] = { 0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d };
  const guint8 ctrl_alt_f2[] = { 0x1d, 0x38, 0x3c, 0xbc, 0xb8, 0x9d };
  const guint8 sysrq[] = { 0x38, 0x54, 0xd4, 0xb8 };
  const guint8 print[] = { 0xe0, 0x37, 0xe0, 0xb7 };
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  drop_lines (f);
  lodge_display_send_keys (LODGE_DISPLAY (f->display), LODGE_SEND_KEY_CTRL_ALT_DEL);
  lodge_display_send_keys (LODGE_DISPLAY (f->display), LODGE_SEND_KEY_CTRL_ALT_F2);
  lodge_display_send_keys (LODGE_DISPLAY (f->display), LODGE_SEND_KEY_SYSRQ);
  lodge_display_send_keys (LODGE_DISPLAY (f->display), LODGE_SEND_KEY_PRINT_SCREEN);
  g_byte_array_append (expected, ctrl_alt_del, sizeof ctrl_alt_del);
  g_byte_array_append (expected, ctrl_alt_f2, sizeof ctrl_alt_f2);
  g_byte_array_append (expected, sysrq, sizeof sysrq);
  g_byte_array_append (expected, print, sizeof print);
  while (got->len < expected->len && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GByteArray) more = server_kbd_bytes (f);
      g_byte_array_append (got, more->data, more->len);
    }
  assert_bytes_equal (got, expected, "send-keys");
}

static void
test_lock_sync (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GByteArray) got = g_byte_array_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  focus_display (f);
  /* The guest says Caps Lock is on; the host's is off. */
  server_send (f, "leds 4");
  server_sync (f);
  g_usleep (200000);
  iterate ();
  drop_lines (f);

  x_key (30 + 8, TRUE);
  x_key (30 + 8, FALSE);
  iterate ();
  /* The server toggles Caps Lock in the guest (3a ba) before the key. */
  g_byte_array_append (expected, (const guint8 *) "\x3a\xba\x1e\x9e", 4);
  while (got->len < expected->len && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GByteArray) more = server_kbd_bytes (f);
      g_byte_array_append (got, more->data, more->len);
    }
  assert_bytes_equal (got, expected, "lock sync");
}

static void
expect_tablet (Fixture *f,
               int      x,
               int      y)
{
  g_autofree char *expected = g_strdup_printf ("tablet %d %d ", x, y);
  g_autofree char *line = wait_line (f, expected);

  if (line == NULL)
    g_error ("the server never saw the pointer at %d,%d", x, y);
}

static void
set_display_size (Fixture *f,
                  int      width,
                  int      height)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  while ((gtk_widget_get_width (f->display) != width ||
          gtk_widget_get_height (f->display) != height) &&
         g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpint (gtk_widget_get_width (f->display), ==, width);
  g_assert_cmpint (gtk_widget_get_height (f->display), ==, height);
}

static void
test_mouse (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *line = NULL;

  focus_display (f);

  /* 1000×600 widget, 800×600 guest: scale 1, 100 px bars left and right. */
  set_display_size (f, 1000, 600);
  drop_lines (f);
  x_pointer_to (f, 500, 300);
  expect_tablet (f, 400, 300);
  x_pointer_to (f, 100, 0);
  expect_tablet (f, 0, 0);
  x_pointer_to (f, 899, 599);
  expect_tablet (f, 799, 599);
  /* Over the bar: clamped to the edge. */
  x_pointer_to (f, 950, 10);
  expect_tablet (f, 799, 10);

  /* 640×300 widget: scale 0.5, picture 400×300 at x = 120. */
  set_display_size (f, 640, 300);
  drop_lines (f);
  x_pointer_to (f, 320, 150);
  expect_tablet (f, 400, 300);
  x_pointer_to (f, 121, 1);
  expect_tablet (f, 2, 2);
  x_pointer_to (f, 519, 299);
  expect_tablet (f, 798, 598);

  /* Buttons: left, right, middle, back, forward. The server hands a press
   * to the tablet as a wheel event of 0 with the new button state, and a
   * release as a button event. */
  {
    const struct { guint x_button; guint state; } buttons[] = {
      { 1, 1 },   /* spice-server's local state: left 1, right 2, middle 4 */
      { 3, 2 },
      { 2, 4 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
      {
        g_autofree char *press = g_strdup_printf ("wheel 0 %u", buttons[i].state);

        drop_lines (f);
        x_button (buttons[i].x_button, TRUE);
        line = wait_line (f, "wheel 0 ");
        g_assert_nonnull (line);
        g_assert_cmpstr (line, ==, press);
        g_clear_pointer (&line, g_free);
        x_button (buttons[i].x_button, FALSE);
        line = wait_line (f, "tablet-buttons ");
        g_assert_cmpstr (line, ==, "tablet-buttons 0");
        g_clear_pointer (&line, g_free);
      }
  }

  x_button (4, TRUE);
  x_button (4, FALSE);
  line = wait_line (f, "wheel -1");
  g_assert_nonnull (line);
  g_clear_pointer (&line, g_free);
  x_button (5, TRUE);
  x_button (5, FALSE);
  line = wait_line (f, "wheel 1");
  g_assert_nonnull (line);
  g_clear_pointer (&line, g_free);

  /* The first click grabbed the keyboard shortcuts; Ctrl+Alt releases. */
  g_assert_true (lodge_display_get_grabbed (LODGE_DISPLAY (f->display)));
  x_key (29 + 8, TRUE);
  x_key (56 + 8, TRUE);
  x_key (56 + 8, FALSE);
  x_key (29 + 8, FALSE);
  {
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

    while (lodge_display_get_grabbed (LODGE_DISPLAY (f->display)) &&
           g_get_monotonic_time () < deadline)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  }
  g_assert_false (lodge_display_get_grabbed (LODGE_DISPLAY (f->display)));
}

static gboolean
lodge_display_get_grabbed_pred (Fixture       *f,
                                gconstpointer  data)
{
  return lodge_display_get_grabbed (LODGE_DISPLAY (f->display));
}

static gboolean
is_released (Fixture       *f,
             gconstpointer  data)
{
  return !lodge_display_get_grabbed (LODGE_DISPLAY (f->display));
}

/* Presses the X keycodes of @keys (evdev codes, 0-terminated) in order,
 * then lets them go in reverse; returns whether the grab ended. */
static gboolean
press_combo (Fixture     *f,
             const guint *keys)
{
  guint n = 0;

  while (keys[n] != 0)
    x_key (keys[n++] + 8, TRUE);
  for (guint i = n; i > 0; i--)
    x_key (keys[i - 1] + 8, FALSE);
  /* Every event handled: the server has printed its bytes by a sync. */
  iterate ();
  server_sync (f);
  iterate ();
  return is_released (f, NULL);
}

static void
grab_display (Fixture *f)
{
  x_pointer_to (f, 500, 300);
  x_button (1, TRUE);
  x_button (1, FALSE);
  g_assert_true (wait_for (f, lodge_display_get_grabbed_pred, NULL));
}

static void
expect_kbd (Fixture     *f,
            const char  *what,
            const guint *xt_codes,
            const gboolean *releases,
            guint        n)
{
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GByteArray) got = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  for (guint i = 0; i < n; i++)
    append_scancode (expected, xt_codes[i], releases[i]);
  do
    {
      g_autoptr(GByteArray) more = server_kbd_bytes (f);

      g_byte_array_append (got, more->data, more->len);
    }
  while (got->len < expected->len && g_get_monotonic_time () < deadline);
  /* And nothing more comes. */
  iterate ();
  {
    g_autoptr(GByteArray) more = server_kbd_bytes (f);

    g_byte_array_append (got, more->data, more->len);
  }
  assert_bytes_equal (got, expected, what);
}

#define EV_LEFT_CTRL 29
#define EV_LEFT_ALT 56
#define EV_LEFT_SHIFT 42
#define EV_F12 88
#define EV_G 34
#define EV_DELETE 111

static void
test_release_key (Fixture       *f,
                  gconstpointer  data)
{
  LodgeDisplay *display = LODGE_DISPLAY (f->display);
  const guint ctrl_alt[] = { EV_LEFT_CTRL, EV_LEFT_ALT, 0 };
  const guint shift_f12[] = { EV_LEFT_SHIFT, EV_F12, 0 };
  const guint ctrl_alt_g[] = { EV_LEFT_CTRL, EV_LEFT_ALT, EV_G, 0 };
  g_autofree char *label = NULL;

  focus_display (f);

  /* The default: Ctrl+Alt, and what the hint shows. */
  g_assert_cmpstr (lodge_display_get_release_key (display), ==, "<Control><Alt>");
  label = lodge_display_get_release_label (display);
  g_assert_cmpstr (label, ==, "Ctrl+Alt");
  g_clear_pointer (&label, g_free);
  grab_display (f);
  drop_lines (f);
  /* Ctrl+Alt+Del is the guest's, and the grab stays. */
  g_assert_false (press_combo (f, (const guint[]) { EV_LEFT_CTRL, EV_LEFT_ALT, EV_DELETE, 0 }));
  expect_kbd (f, "Ctrl+Alt+Del goes to the guest",
              (const guint[]) { 0x1d, 0x38, 0x153, 0x153, 0x38, 0x1d },
              (const gboolean[]) { FALSE, FALSE, FALSE, TRUE, TRUE, TRUE }, 6);
  /* Ctrl+Alt alone releases when let go; the guest saw both go down and
   * lets go of both. */
  g_assert_true (press_combo (f, ctrl_alt));
  expect_kbd (f, "Ctrl+Alt releases", (const guint[]) { 0x1d, 0x38, 0x38, 0x1d },
              (const gboolean[]) { FALSE, FALSE, TRUE, TRUE }, 4);

  /* Shift+F12: Ctrl+Alt is now the guest's, Shift+F12 releases. */
  g_test_expect_message ("lodge-display", G_LOG_LEVEL_WARNING, "Not a release key*");
  g_assert_false (lodge_display_set_release_key (display, "<Hyper>"));
  g_test_assert_expected_messages ();
  g_assert_true (lodge_display_set_release_key (display, "<Shift>F12"));
  g_assert_cmpstr (lodge_display_get_release_key (display), ==, "<Shift>F12");
  label = lodge_display_get_release_label (display);
  g_assert_cmpstr (label, ==, "Shift+F12");
  g_clear_pointer (&label, g_free);
  grab_display (f);
  drop_lines (f);
  g_assert_false (press_combo (f, ctrl_alt));
  expect_kbd (f, "Ctrl+Alt goes to the guest", (const guint[]) { 0x1d, 0x38, 0x38, 0x1d },
              (const gboolean[]) { FALSE, FALSE, TRUE, TRUE }, 4);
  /* F12 alone, or with Ctrl, is the guest's too. */
  g_assert_false (press_combo (f, (const guint[]) { EV_F12, 0 }));
  expect_kbd (f, "F12 goes to the guest", (const guint[]) { 0x58, 0x58 },
              (const gboolean[]) { FALSE, TRUE }, 2);
  g_assert_true (press_combo (f, shift_f12));
  /* Shift went down in the guest and was let go at once; F12 never. */
  expect_kbd (f, "Shift+F12 releases", (const guint[]) { 0x2a, 0x2a },
              (const gboolean[]) { FALSE, TRUE }, 2);
  /* Not grabbed: Shift+F12 is an ordinary key again. */
  g_assert_true (press_combo (f, shift_f12));
  expect_kbd (f, "Shift+F12 when not grabbed",
              (const guint[]) { 0x2a, 0x58, 0x58, 0x2a },
              (const gboolean[]) { FALSE, FALSE, TRUE, TRUE }, 4);

  /* Ctrl+Alt+G, set through the property as the UI binds it. */
  g_object_set (display, "release-key", "<Control><Alt>g", NULL);
  label = lodge_display_get_release_label (display);
  g_assert_cmpstr (label, ==, "Ctrl+Alt+G");
  grab_display (f);
  drop_lines (f);
  g_assert_false (press_combo (f, ctrl_alt));
  expect_kbd (f, "Ctrl+Alt, not G", (const guint[]) { 0x1d, 0x38, 0x38, 0x1d },
              (const gboolean[]) { FALSE, FALSE, TRUE, TRUE }, 4);
  g_assert_true (press_combo (f, ctrl_alt_g));
  /* Ctrl and Alt went down and are let go (in scancode order); G never
   * reaches the guest, nor do the releases of the keys let go after. */
  expect_kbd (f, "Ctrl+Alt+G releases", (const guint[]) { 0x1d, 0x38, 0x1d, 0x38 },
              (const gboolean[]) { FALSE, FALSE, TRUE, TRUE }, 4);

  /* Ctrl+Alt+Shift: Ctrl+Alt alone no longer releases. */
  g_object_set (display, "release-key", "<Control><Alt><Shift>", NULL);
  grab_display (f);
  drop_lines (f);
  g_assert_false (press_combo (f, ctrl_alt));
  expect_kbd (f, "Ctrl+Alt, not Shift", (const guint[]) { 0x1d, 0x38, 0x38, 0x1d },
              (const gboolean[]) { FALSE, FALSE, TRUE, TRUE }, 4);
  g_assert_true (press_combo (f, (const guint[]) { EV_LEFT_CTRL, EV_LEFT_ALT, EV_LEFT_SHIFT, 0 }));
  /* Released when Shift goes up: Ctrl and Alt with it, once. */
  expect_kbd (f, "Ctrl+Alt+Shift releases", (const guint[]) { 0x1d, 0x38, 0x2a, 0x2a, 0x1d, 0x38 },
              (const gboolean[]) { FALSE, FALSE, FALSE, TRUE, TRUE, TRUE }, 6);
}

static gboolean
cursor_is (Fixture       *f,
           gconstpointer  data)
{
  GdkCursor *cursor = gtk_widget_get_cursor (f->display);
  const char *name = data;

  if (cursor == NULL)
    return FALSE;
  if (name != NULL)
    return g_strcmp0 (gdk_cursor_get_name (cursor), name) == 0;
  return gdk_cursor_get_texture (cursor) != NULL;
}

typedef struct
{
  int size;
  int hot_x;
  int hot_y;
} CursorCheck;

static gboolean
cursor_texture_is (Fixture       *f,
                   gconstpointer  data)
{
  const CursorCheck *check = data;
  GdkCursor *cursor = gtk_widget_get_cursor (f->display);
  GdkTexture *texture = cursor ? gdk_cursor_get_texture (cursor) : NULL;

  return texture != NULL &&
         gdk_texture_get_width (texture) == check->size &&
         gdk_texture_get_height (texture) == check->size &&
         gdk_cursor_get_hotspot_x (cursor) == check->hot_x &&
         gdk_cursor_get_hotspot_y (cursor) == check->hot_y;
}

/* What the X server shows with the pointer over the picture: the cursor
 * GTK made of the texture, in device pixels. */
static gboolean
x_cursor_is (Fixture       *f,
             gconstpointer  data)
{
  const CursorCheck *check = data;
  XFixesCursorImage *image;
  gboolean same;

  image = XFixesGetCursorImage (xdisplay ());
  if (image == NULL)
    return FALSE;
  same = image->width == check->size && image->height == check->size &&
         image->xhot == check->hot_x && image->yhot == check->hot_y;
  XFree (image);
  return same;
}

static void
assert_cursor (Fixture *f,
               int      size,
               int      hot_x,
               int      hot_y)
{
  CursorCheck check = { size, hot_x, hot_y };

  if (!wait_for (f, cursor_texture_is, &check))
    {
      GdkCursor *cursor = gtk_widget_get_cursor (f->display);
      GdkTexture *texture = cursor ? gdk_cursor_get_texture (cursor) : NULL;

      g_error ("the cursor is %d×%d at %d,%d, not %d×%d at %d,%d",
               texture ? gdk_texture_get_width (texture) : 0,
               texture ? gdk_texture_get_height (texture) : 0,
               cursor ? gdk_cursor_get_hotspot_x (cursor) : -1,
               cursor ? gdk_cursor_get_hotspot_y (cursor) : -1,
               size, size, hot_x, hot_y);
    }
  x_pointer_to (f, gtk_widget_get_width (f->display) / 2.0,
                gtk_widget_get_height (f->display) / 2.0);
  g_assert_true (wait_for (f, x_cursor_is, &check));
}

static void
test_cursor (Fixture       *f,
             gconstpointer  data)
{
  LodgeDisplay *display = LODGE_DISPLAY (f->display);
  int sf = gtk_widget_get_scale_factor (f->display);
  GdkCursor *cursor;
  GdkTexture *texture;
  guint32 pixels[32 * 32];
  g_autofree guint32 *big = NULL;

  /* 1000×600 widget, 800×600 guest: one guest pixel is one logical pixel,
   * that is sf device pixels, and an X cursor is in device pixels. (At
   * scale factor 2 the window could not be that big on the test's
   * screen.) */
  if (sf == 1)
    set_display_size (f, 1000, 600);
  server_send (f, "cursor 32 32 4 5");
  g_assert_true (wait_for (f, cursor_is, NULL));
  if (sf == 1)
    {
      assert_cursor (f, 32, 4, 5);
      cursor = gtk_widget_get_cursor (f->display);
      texture = gdk_cursor_get_texture (cursor);
      /* Downloaded as premultiplied B8G8R8A8 (0xAARRGGBB words). */
      gdk_texture_download (texture, (guchar *) pixels, 32 * 4);
      g_assert_cmphex (pixels[0], ==, 0xffff0000);
      g_assert_cmphex (pixels[20], ==, 0x80000080);
      g_assert_cmphex (pixels[31 * 32], ==, 0);
    }

  /* Fit into 640×300: half size, and the hotspot with it. */
  set_display_size (f, 640, 300);
  assert_cursor (f, 16 * sf, 2 * sf, (5 * sf) / 2);

  /* Zoom 2: a guest pixel is two device pixels whatever the scale
   * factor; a whole factor keeps the pixels hard. */
  lodge_display_set_zoom (display, 2.0);
  lodge_display_set_scaling (display, LODGE_DISPLAY_SCALING_ZOOM);
  assert_cursor (f, 64, 8, 10);
  cursor = gtk_widget_get_cursor (f->display);
  big = g_new (guint32, 64 * 64);
  gdk_texture_download (gdk_cursor_get_texture (cursor), (guchar *) big, 64 * 4);
  g_assert_cmphex (big[0], ==, 0xffff0000);
  g_assert_cmphex (big[1 + 64], ==, 0xffff0000);
  g_assert_cmphex (big[40], ==, 0x80000080);
  g_assert_cmphex (big[41 + 64], ==, 0x80000080);
  g_assert_cmphex (big[63 * 64], ==, 0);

  /* One to one: a guest pixel is a device pixel, the shape as it came. */
  lodge_display_set_scaling (display, LODGE_DISPLAY_SCALING_ONE_TO_ONE);
  assert_cursor (f, 32, 4, 5);
  lodge_display_set_scaling (display, LODGE_DISPLAY_SCALING_FIT);

  server_send (f, "cursor-hide");
  g_assert_true (wait_for (f, cursor_is, "none"));

  /* A new shape takes the current scale at once. */
  set_display_size (f, 500, 300);
  server_send (f, "cursor 16 16 0 0");
  assert_cursor (f, 8 * sf, 0, 0);
}

static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  Frame frame = { 0 };
  g_autofree char *line = NULL;

  server_send (f, "pattern 3");
  frame_init_pattern (&frame, 800, 600, 3);
  g_assert_true (wait_for (f, display_shows, &frame));

  /* The client hangs up and comes back. */
  lodge_display_disconnect (LODGE_DISPLAY (f->display));
  g_assert_true (is_disconnected (f, NULL));
  g_assert_false (lodge_display_get_guest_size (LODGE_DISPLAY (f->display), NULL, NULL));
  line = wait_line (f, "client disconnected");
  g_assert_nonnull (line);
  display_connect (f);
  g_assert_true (wait_for (f, display_shows, &frame));

  /* The server goes away: a reason, no stale picture. */
  server_stop (f);
  g_assert_true (wait_for (f, is_disconnected, NULL));
  g_assert_nonnull (lodge_display_get_disconnect_reason (LODGE_DISPLAY (f->display)));
  g_assert_false (lodge_display_get_guest_size (LODGE_DISPLAY (f->display), NULL, NULL));

  /* And comes back (a guest reboot): connect again. */
  server_start (f, "--no-agent");
  display_connect (f);
  frame_init_pattern (&frame, 800, 600, 0);
  g_assert_true (wait_for (f, display_shows, &frame));
  g_free (frame.pixels);
}

static void
test_server_dies_mid_stream (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *line = NULL;

  /* Full frames flowing, then the server is gone: a reason, no picture,
   * no crash; and the display connects again afterwards. */
  server_send (f, "stream-full 0");
  line = wait_line (f, "stream ");
  g_assert_nonnull (line);
  server_stop (f);
  g_assert_true (wait_for (f, is_disconnected, NULL));
  g_assert_nonnull (lodge_display_get_disconnect_reason (LODGE_DISPLAY (f->display)));
  g_assert_false (lodge_display_get_guest_size (LODGE_DISPLAY (f->display), NULL, NULL));

  server_start (f, "--no-agent");
  display_connect (f);
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  /* Nothing listens on this port. */
  server_stop (f);
  lodge_display_connect_host (LODGE_DISPLAY (f->display), "127.0.0.1", f->port, 0, NULL);
  g_assert_true (wait_for (f, is_disconnected, NULL));
  g_assert_nonnull (lodge_display_get_disconnect_reason (LODGE_DISPLAY (f->display)));
}

static void
test_resize_guest_size_change (Fixture       *f,
                               gconstpointer  data)
{
  Frame frame = { 0 };

  /* The guest changes resolution: the picture follows. */
  server_send (f, "resize 640 480");
  frame_init_pattern (&frame, 640, 480, 0);
  g_assert_true (wait_for (f, display_shows, &frame));
  server_send (f, "resize 1280 720");
  frame_init_pattern (&frame, 1280, 720, 0);
  g_assert_true (wait_for (f, display_shows, &frame));
  /* Many changes in a row: no crash, the last one wins. */
  for (int i = 0; i < 50; i++)
    server_send (f, "resize %d %d", 320 + i * 8, 240 + i * 4);
  frame_init_pattern (&frame, 320 + 49 * 8, 240 + 49 * 4, 0);
  g_assert_true (wait_for (f, display_shows, &frame));
  g_free (frame.pixels);
}

static void
relative_fixture_setup (Fixture       *f,
                        gconstpointer  data)
{
  fixture_setup_full (f, "--no-tablet", FALSE);
}

static gboolean
is_server_mouse (Fixture       *f,
                 gconstpointer  data)
{
  return lodge_spice_session_get_server_mouse (lodge_display_get_session (LODGE_DISPLAY (f->display)));
}

static void
test_relative_mouse (Fixture       *f,
                     gconstpointer  data)
{
  int dx = 0, dy = 0;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  /* No tablet: the server has only a relative mouse. */
  g_assert_true (wait_for (f, is_server_mouse, NULL));
  focus_display (f);
  set_display_size (f, 1000, 600);
  x_pointer_to (f, 500, 300);
  server_sync (f);
  g_usleep (100000);
  drop_lines (f);

  /* Scale 1: 20 px right and 10 down move the guest's pointer as much. */
  x_pointer_to (f, 520, 310);
  while ((dx != 20 || dy != 10) && g_get_monotonic_time () < deadline)
    {
      server_sync (f);
      while (!g_queue_is_empty (&f->lines))
        {
          g_autofree char *line = g_queue_pop_head (&f->lines);
          int a, b, c;
          unsigned int buttons;

          if (sscanf (line, "mouse %d %d %d %u", &a, &b, &c, &buttons) == 4)
            {
              dx += a;
              dy += b;
            }
        }
    }
  g_assert_cmpint (dx, ==, 20);
  g_assert_cmpint (dy, ==, 10);
}

static void
password_fixture_setup (Fixture       *f,
                        gconstpointer  data)
{
  f->password = "s3cret";
  fixture_setup_full (f, "--password=s3cret", FALSE);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  /* Connected with the right one by the fixture; now a wrong one. */
  lodge_display_disconnect (LODGE_DISPLAY (f->display));
  lodge_display_connect_host (LODGE_DISPLAY (f->display), "127.0.0.1", f->port, 0, "wrong");
  g_assert_true (wait_for (f, is_disconnected, NULL));
  g_assert_nonnull (lodge_display_get_disconnect_reason (LODGE_DISPLAY (f->display)));
  g_assert_nonnull (strstr (lodge_display_get_disconnect_reason (LODGE_DISPLAY (f->display)),
                            "password"));
  g_assert_false (lodge_display_get_guest_size (LODGE_DISPLAY (f->display), NULL, NULL));
}

/* TLS: a CA, a server certificate for 127.0.0.1 it signed, and a second
 * CA that signed nothing of the server's. */
static void
tls_fixture_setup (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *script = NULL;
  g_autofree char *ca = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  f->tls_dir = g_dir_make_tmp ("lodge-tls-XXXXXX", &error);
  g_assert_no_error (error);
  script = g_strdup_printf (
    "cd '%s' && "
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca-cert.pem -days 2 "
    "  -subj '/CN=Lodge Test CA' && "
    "openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr "
    "  -subj '/CN=127.0.0.1' && "
    "openssl x509 -req -in server.csr -CA ca-cert.pem -CAkey ca-key.pem -CAcreateserial "
    "  -out server-cert.pem -days 2 && "
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout other-key.pem -out other-ca.pem -days 2 "
    "  -subj '/CN=Some Other CA'",
    f->tls_dir);
  g_assert_true (g_spawn_sync (NULL, (char *[]) { "/bin/sh", "-c", script, NULL }, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  f->port = free_port ();
  f->tls_port = free_port ();
  ca = g_build_filename (f->tls_dir, "ca-cert.pem", NULL);
  /* fixture_setup_full picks its own port: keep ours. */
  {
    GtkWidget *overlay;

    server_start (f, "--no-agent");
    f->window = gtk_window_new ();
    gtk_window_set_decorated (GTK_WINDOW (f->window), FALSE);
    gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 600);
    overlay = gtk_overlay_new ();
    f->display = lodge_display_new ();
    lodge_display_set_resize_guest (LODGE_DISPLAY (f->display), FALSE);
    lodge_spice_session_set_audio (lodge_display_get_session (LODGE_DISPLAY (f->display)), FALSE);
    f->button = gtk_button_new_with_label ("Elsewhere");
    gtk_overlay_set_child (GTK_OVERLAY (overlay), f->display);
    gtk_overlay_add_overlay (GTK_OVERLAY (overlay), f->button);
    gtk_window_set_child (GTK_WINDOW (f->window), overlay);
    gtk_window_present (GTK_WINDOW (f->window));
  }
  lodge_spice_session_set_tls (lodge_display_get_session (LODGE_DISPLAY (f->display)), ca, NULL);
  display_connect (f);
}

static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  Frame frame = { 0 };
  g_autofree char *other = g_build_filename (f->tls_dir, "other-ca.pem", NULL);
  const char *reason;

  /* Connected over TLS only, with the right CA: the picture arrives. */
  g_test_message ("connected over TLS");
  server_send (f, "pattern 5");
  frame_init_pattern (&frame, 800, 600, 5);
  g_assert_true (wait_for (f, display_shows, &frame));
  g_free (frame.pixels);

  /* A certificate the CA we trust did not sign: refused, and said so. */
  lodge_display_disconnect (LODGE_DISPLAY (f->display));
  lodge_spice_session_set_tls (lodge_display_get_session (LODGE_DISPLAY (f->display)), other, NULL);
  lodge_display_connect_host (LODGE_DISPLAY (f->display), "127.0.0.1", 0, f->tls_port, NULL);
  g_assert_true (wait_for (f, is_disconnected, NULL));
  reason = lodge_display_get_disconnect_reason (LODGE_DISPLAY (f->display));
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "certificate"));
  g_assert_false (lodge_display_get_guest_size (LODGE_DISPLAY (f->display), NULL, NULL));
}

/* With the agent */

static void
agent_fixture_setup (Fixture       *f,
                     gconstpointer  data)
{
  fixture_setup_full (f, "", TRUE);
}

static void
test_agent_resize (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *line = NULL;
  int w = 0, h = 0;

  set_display_size (f, 900, 500);
  /* Debounced, then the guest follows the widget. */
  for (;;)
    {
      g_free (line);
      line = wait_line (f, "agent-monitors ");
      g_assert_nonnull (line);
      if (g_str_equal (line, "agent-monitors 900 500"))
        break;
    }
  {
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

    while (g_get_monotonic_time () < deadline &&
           !(lodge_display_get_guest_size (LODGE_DISPLAY (f->display), &w, &h) &&
             w == 900 && h == 500))
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  }
  g_assert_cmpint (w, ==, 900);
  g_assert_cmpint (h, ==, 500);
}

static void
clipboard_read_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static char *
read_clipboard (GdkClipboard *clipboard)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_read_cb, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  return text;
}

static void
test_agent_clipboard (Fixture       *f,
                      gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (f->display);
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;
  g_autofree char *line = NULL;
  g_autofree char *expected = NULL;
  const char *host_text = "héllo from the host";

  /* Guest to host. */
  server_send (f, "clipboard hello from the guest");
  for (;;)
    {
      g_autofree char *text = NULL;

      g_usleep (20000);
      iterate ();
      text = read_clipboard (clipboard);
      if (g_str_equal (text, "hello from the guest"))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }

  /* Host to guest: the guest is offered the text, asks for it, gets it. */
  drop_lines (f);
  gdk_clipboard_set_text (clipboard, host_text);
  line = wait_line (f, "agent-grab 1");
  g_assert_nonnull (line);
  g_clear_pointer (&line, g_free);
  line = wait_line (f, "agent-clipboard 1 ");
  g_assert_nonnull (line);
  {
    GString *hex = g_string_new (NULL);

    for (const char *p = host_text; *p; p++)
      g_string_append_printf (hex, "%02x", (guint8) *p);
    expected = g_strdup_printf ("agent-clipboard 1 %zu %s", strlen (host_text), hex->str);
    g_string_free (hex, TRUE);
  }
  g_assert_cmpstr (line, ==, expected);
}

static void
test_agent_clipboard_image (Fixture       *f,
                            gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (f->display);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guint32 pixels[4] = { 0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff };
  g_autofree char *line = NULL;

  /* Host to guest: a texture goes out as a PNG. */
  bytes = g_bytes_new (pixels, sizeof pixels);
  texture = gdk_memory_texture_new (2, 2, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes, 8);
  drop_lines (f);
  gdk_clipboard_set_texture (clipboard, texture);
  line = wait_line (f, "agent-grab ");
  g_assert_cmpstr (line, ==, "agent-grab 2");
  g_clear_pointer (&line, g_free);
  line = wait_line (f, "agent-clipboard 2 ");
  g_assert_nonnull (line);
  /* The PNG signature. */
  g_assert_nonnull (strstr (line, " 89504e470d0a1a0a"));
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
  goffset progress;
} CopyResult;

static void
copy_progress_cb (goffset  current,
                  goffset  total,
                  gpointer user_data)
{
  CopyResult *r = user_data;

  g_assert_cmpint (current, <=, total);
  r->progress = current;
}

static void
copy_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CopyResult *r = user_data;

  r->ok = lodge_display_copy_files_finish (LODGE_DISPLAY (object), result, &r->error);
  r->done = TRUE;
}

static GFile *
make_file (const char *name,
           gsize       size,
           char      **sha256)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autofree guint8 *data = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (size);

  for (gsize i = 0; i < size; i++)
    data[i] = g_rand_int (rand) & 0xff;
  g_rand_free (rand);
  g_assert_true (g_file_set_contents (path, (const char *) data, size, NULL));
  *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
  return g_file_new_for_path (path);
}

static void
test_agent_file_copy (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *sha = NULL;
  g_autofree char *name = g_strdup_printf ("lodge-test-copy-%d.bin", (int) getpid ());
  g_autoptr(GFile) file = make_file (name, 300 * 1024 + 7, &sha);
  GFile *files[] = { file, NULL };
  g_autofree char *expected = g_strdup_printf ("agent-file %s %d %s", name, 300 * 1024 + 7, sha);
  g_autofree char *line = NULL;
  CopyResult r = { 0 };

  lodge_display_copy_files_async (LODGE_DISPLAY (f->display), files, NULL,
                                  copy_progress_cb, &r, copy_done_cb, &r);
  line = wait_line (f, "agent-file ");
  g_assert_cmpstr (line, ==, expected);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (r.progress, ==, 300 * 1024 + 7);
  g_file_delete (file, NULL, NULL);
}

static void
test_agent_file_copy_cancel (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *sha = NULL;
  g_autoptr(GFile) file = make_file ("lodge-test-cancel.bin", 16 * 1024 * 1024, &sha);
  GFile *files[] = { file, NULL };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CopyResult r = { 0 };
  g_autofree char *line = NULL;

  lodge_display_copy_files_async (LODGE_DISPLAY (f->display), files, cancellable,
                                  copy_progress_cb, &r, copy_done_cb, &r);
  line = wait_line (f, "agent-file-start ");
  g_assert_nonnull (line);
  g_cancellable_cancel (cancellable);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  /* The guest never got the whole file. */
  server_sync (f);
  for (GList *l = f->lines.head; l != NULL; l = l->next)
    g_assert_false (g_str_has_prefix (l->data, "agent-file lodge-test-cancel.bin"));
  g_file_delete (file, NULL, NULL);
}

static void
test_no_agent_file_copy (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *sha = NULL;
  g_autoptr(GFile) file = make_file ("lodge-test-noagent.bin", 10, &sha);
  GFile *files[] = { file, NULL };
  CopyResult r = { 0 };

  lodge_display_copy_files_async (LODGE_DISPLAY (f->display), files, NULL, NULL, NULL,
                                  copy_done_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&r.error);
  g_file_delete (file, NULL, NULL);
}

/* spice-client-glib's warning when a read-only session is asked to send
 * input or configuration: a bug of ours every time. */
static guint read_only_warnings;

static void
spice_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  if (message != NULL && strstr (message, "while read-only") != NULL)
    read_only_warnings++;
  g_log_default_handler (log_domain, log_level, message, user_data);
}

/* Runs the main loop for @ms milliseconds. */
static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

static gboolean
thumbnail_shows (Fixture       *f,
                 gconstpointer  data)
{
  LodgeFramebuffer *fb = (LodgeFramebuffer *) data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint32 *pixels = NULL;
  Frame frame = { 0 };
  gboolean same;

  if (!lodge_framebuffer_has_surface (fb))
    return FALSE;
  texture = lodge_framebuffer_to_texture (fb);
  pixels = g_new (guint32, 800 * 600);
  gdk_texture_download (texture, (guchar *) pixels, 800 * 4);
  frame_init_pattern (&frame, 800, 600, 11);
  same = memcmp (pixels, frame.pixels, sizeof (guint32) * 800 * 600) == 0;
  g_free (frame.pixels);
  return same;
}

static void
test_thumbnail (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(LodgeSpiceSession) session = lodge_spice_session_new ();
  LodgeFramebuffer *fb = lodge_spice_session_get_framebuffer (session);
  g_autoptr(GdkPaintable) paintable = NULL;
  guint handler;

  handler = g_log_set_handler ("GSpice", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE,
                               spice_log_cb, NULL);
  read_only_warnings = 0;

  /* A library thumbnail: a read-only session, no widget, one refresh a
   * second. (SPICE takes one client at a time: the display steps aside.) */
  lodge_display_disconnect (LODGE_DISPLAY (f->display));
  lodge_spice_session_set_read_only (session, TRUE);
  lodge_spice_session_set_audio (session, FALSE);
  lodge_framebuffer_set_refresh_interval (fb, 1000);
  lodge_spice_session_connect_host (session, "127.0.0.1", f->port, 0, NULL);
  server_send (f, "pattern 11");
  g_assert_true (wait_for (f, thumbnail_shows, fb));
  g_assert_cmpint (lodge_spice_session_get_state (session), ==, LODGE_DISPLAY_STATE_CONNECTED);
  g_assert_false (lodge_spice_session_has_inputs (session));

  /* It draws in any size, as a GtkPicture would ask. */
  paintable = g_object_ref (GDK_PAINTABLE (fb));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, 800);
  {
    GtkSnapshot *snapshot = gtk_snapshot_new ();
    g_autoptr(GskRenderNode) node = NULL;

    gdk_paintable_snapshot (paintable, snapshot, 160, 120);
    node = gtk_snapshot_free_to_node (snapshot);
    g_assert_nonnull (node);
  }
  /* With an agent (the agent fixture), what the client tells it when it
   * connects must not be a read-only session's. */
  iterate_for (300);
  lodge_spice_session_disconnect (session);
  iterate_for (100);
  g_log_remove_handler ("GSpice", handler);
  g_assert_cmpuint (read_only_warnings, ==, 0);
}

static void
test_connect_fd (Fixture       *f,
                 gconstpointer  data)
{
  Frame frame = { 0 };

  /* Every channel's socket comes from the open-fd signal. */
  lodge_display_disconnect (LODGE_DISPLAY (f->display));
  f->use_fd = TRUE;
  display_connect (f);
  server_send (f, "pattern 9");
  frame_init_pattern (&frame, 800, 600, 9);
  g_assert_true (wait_for (f, display_shows, &frame));
  g_free (frame.pixels);
}

static void
test_churn (Fixture       *f,
            gconstpointer  data)
{
  Frame frame = { 0 };
  guint handler;

  handler = g_log_set_handler ("GSpice", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE,
                               spice_log_cb, NULL);
  read_only_warnings = 0;
  lodge_display_disconnect (LODGE_DISPLAY (f->display));

  /* Connect, hang up and drop the session at every stage of the
   * handshake: no channel coroutine may use a freed session, no handler of
   * ours may run on a freed object (criticals are fatal here). */
  for (guint i = 0; i < 50; i++)
    {
      /* Even rounds: a thumbnail's read-only session on its own; odd
       * ones: a display widget and its session. */
      g_autoptr(LodgeSpiceSession) session = NULL;
      GtkWidget *display = NULL;

      if (i % 2 == 0)
        {
          session = lodge_spice_session_new ();
          lodge_spice_session_set_read_only (session, TRUE);
          lodge_spice_session_set_audio (session, FALSE);
          lodge_spice_session_connect_host (session, "127.0.0.1", f->port, 0, NULL);
        }
      else
        {
          display = g_object_ref_sink (lodge_display_new ());
          lodge_spice_session_set_audio (lodge_display_get_session (LODGE_DISPLAY (display)),
                                         FALSE);
          lodge_display_connect_host (LODGE_DISPLAY (display), "127.0.0.1", f->port, 0, NULL);
        }
      /* 0 to 12 ms of handshake. */
      iterate_for ((i * 7) % 13);
      if (i % 3 == 0)
        {
          if (session != NULL)
            lodge_spice_session_disconnect (session);
          else
            lodge_display_disconnect (LODGE_DISPLAY (display));
        }
      g_clear_object (&display);
      /* The session goes with its last reference, connected or not. */
    }

  /* Let the old channels wind down, then the display still works. */
  iterate_for (500);
  display_connect (f);
  server_send (f, "pattern 5");
  frame_init_pattern (&frame, 800, 600, 5);
  g_assert_true (wait_for (f, display_shows, &frame));
  g_free (frame.pixels);
  lodge_display_disconnect (LODGE_DISPLAY (f->display));
  iterate_for (200);

  g_log_remove_handler ("GSpice", handler);
  g_assert_cmpuint (read_only_warnings, ==, 0);
}

/* Counts the pixels of the picture, drawn @width×@height by @renderer,
 * that differ from @rgb. */
static guint
count_seam_pixels (GskRenderer      *renderer,
                   LodgeFramebuffer *fb,
                   gboolean          use_cairo,
                   int               width,
                   int               height,
                   guint32           rgb)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) drawn = NULL;
  g_autofree guint32 *pixels = g_new (guint32, (gsize) width * height);
  guint wrong = 0;

  lodge_framebuffer_set_use_cairo (fb, use_cairo);
  /* On a background that a seam would show through. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (GDK_PAINTABLE (fb), snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  drawn = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_texture_download (drawn, (guchar *) pixels, width * 4);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (pixels[y * width + x] != (0xff000000u | rgb))
        {
          if (wrong == 0)
            g_test_message ("%s, %d×%d: pixel %d,%d is %08x, not %08x",
                            use_cairo ? "cairo nodes" : "textures", width, height,
                            x, y, pixels[y * width + x], 0xff000000u | rgb);
          wrong++;
        }
  return wrong;
}

static void
test_no_seams (Fixture       *f,
               gconstpointer  data)
{
  /* A uniform 1024×768 picture (tiles 256 wide: edges at 256, 512, 768)
   * drawn at sizes that put the tile edges between device pixels: fit
   * scaling in a window (877×600: 1024×700 fitted into 1000×600), a
   * library thumbnail, a slight enlargement. */
  static const int sizes[][2] = {
    { 877, 600 }, { 1000, 750 }, { 997, 600 }, { 733, 550 }, { 160, 120 }, { 213, 160 }, { 1283, 962 },
  };
  const int width = 1024, height = 768;
  const guint32 rgb = 0x3366cc;
  g_autofree guint32 *surface = g_new (guint32, width * height);
  g_autoptr(LodgeFramebuffer) fb = lodge_framebuffer_new ();
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (f->window));

  for (int i = 0; i < width * height; i++)
    surface[i] = rgb;
  lodge_framebuffer_set_surface (fb, LODGE_FRAMEBUFFER_FORMAT_XRGB8888, width, height,
                                 width * 4, (const guint8 *) surface);

  /* Both kinds of tiles, through this test's renderer. */
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (int use_cairo = 0; use_cairo <= 1; use_cairo++)
      g_assert_cmpuint (count_seam_pixels (renderer, fb, use_cairo,
                                           sizes[i][0], sizes[i][1], rgb), ==, 0);

  /* And a patch over a tile (a small update) does not seam either. */
  lodge_framebuffer_invalidate (fb, 300, 200, 20, 20);
  for (int use_cairo = 0; use_cairo <= 1; use_cairo++)
    {
      lodge_framebuffer_invalidate (fb, 300, 200, 20, 20);
      g_assert_cmpuint (count_seam_pixels (renderer, fb, use_cairo, 1000, 750, rgb), ==, 0);
    }
  lodge_framebuffer_clear_surface (fb);
}

/* Audio --------------------------------------------------------------- */

/* A sound server of the test's own (LODGE_TEST_AUDIO=1, the console-audio
 * test): PulseAudio with a null sink, in a private runtime directory,
 * reached through PULSE_SERVER by spice-client-glib's GStreamer backend
 * (autoaudiosink finds pulsesink) and by parec, which records the sink's
 * monitor: what Lodge plays is what the test hears.
 *
 * The null sink runs with norewinds=1. GStreamer's pulsesink writes its
 * first buffer ahead of the read index (to honour its latency), which makes
 * PulseAudio 16's null sink rewind; after such a rewind it stopped reading
 * the stream for up to a second and dropped what had been written, so
 * that only 0.1-0.4 s of a 1.5 s tone reached its monitor (the same with
 * a plain gst-launch-1.0 audiotestsrc ! pulsesink, so not Lodge's doing).
 * A sound card's sink or PipeWire does not lose the audio that way. */
static char *pulse_dir;
static char *pulse_server;
static GSubprocess *pulse_daemon;

/* Runs pactl on the test's sound server; its output, or NULL. */
static char *
pactl (const char *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, g_strdup ("pactl"));
  g_ptr_array_add (argv, g_strdup_printf ("--server=%s", pulse_server));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return NULL;
  return g_steal_pointer (&out);
}

static gboolean
pulse_answers (void)
{
  g_autofree char *out = pactl ("info", NULL);

  return out != NULL;
}

/* The number of @kind ("sink-inputs", "source-outputs") the sound server
 * has: streams that reached it. */
static guint
pulse_count (const char *kind)
{
  g_autofree char *out = pactl ("list", "short", kind, NULL);
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (out == NULL)
    return 0;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      n++;
  return n;
}

static gboolean
pulse_has (Fixture       *f,
           gconstpointer  data)
{
  return pulse_count (data) > 0;
}

static void
pulse_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *state = NULL;
  gint64 deadline;

  if (g_find_program_in_path ("pulseaudio") == NULL || g_find_program_in_path ("parec") == NULL ||
      g_find_program_in_path ("pactl") == NULL)
    lodge_test_skip_all ("no pulseaudio, parec and pactl (Debian pulseaudio, pulseaudio-utils)");

  pulse_dir = g_dir_make_tmp ("lodge-pulse-XXXXXX", &error);
  g_assert_no_error (error);
  socket = g_build_filename (pulse_dir, "native", NULL);
  runtime = g_build_filename (pulse_dir, "runtime", NULL);
  state = g_build_filename (pulse_dir, "state", NULL);
  pulse_server = g_strdup_printf ("unix:%s", socket);
  protocol = g_strdup_printf ("module-native-protocol-unix auth-anonymous=1 socket=%s", socket);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        (g_test_verbose () ? 0 : G_SUBPROCESS_FLAGS_STDERR_SILENCE));
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", pulse_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", pulse_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "PULSE_RUNTIME_PATH", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "PULSE_STATE_PATH", state, TRUE);
  pulse_daemon = g_subprocess_launcher_spawn (launcher, &error,
                                              "pulseaudio", "--daemonize=no", "-n",
                                              /* Gone by itself if this test dies. */
                                              "--exit-idle-time=20", "--use-pid-file=no",
                                              "--disable-shm=yes", "--system=no",
                                              "-L", "module-null-sink sink_name=lodge_test rate=44100 channels=2 norewinds=1",
                                              "-L", protocol, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;
  while (!pulse_answers ())
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the test's PulseAudio never answered on %s", pulse_server);
      g_usleep (50000);
    }
  g_setenv ("PULSE_SERVER", pulse_server, TRUE);
}

static void
pulse_stop (void)
{
  g_autofree char *command = NULL;

  if (pulse_daemon == NULL)
    return;
  g_subprocess_send_signal (pulse_daemon, SIGTERM);
  g_subprocess_wait (pulse_daemon, NULL, NULL);
  g_clear_object (&pulse_daemon);
  command = g_strdup_printf ("rm -rf '%s'", pulse_dir);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  g_clear_pointer (&pulse_dir, g_free);
  g_clear_pointer (&pulse_server, g_free);
}

static void
audio_fixture_setup (Fixture       *f,
                     gconstpointer  data)
{
  f->audio = TRUE;
  fixture_setup_full (f, "--no-agent --audio", FALSE);
}

/* The power of @freq in @n samples (Goertzel). */
static double
tone_power (const gint16 *x,
            gsize         n,
            double        freq)
{
  double c = 2 * cos (2 * G_PI * freq / 44100);
  double s1 = 0, s2 = 0;

  for (gsize i = 0; i < n; i++)
    {
      double s0 = x[i] + c * s1 - s2;

      s2 = s1;
      s1 = s0;
    }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/* What parec recorded from the sink's monitor (44.1 kHz mono), in 100 ms
 * windows: how many were loud, the loudest, and how many quiet windows
 * follow the last loud one. */
#define AUDIO_WINDOW 4410

typedef struct
{
  char *contents;
  gsize n;
  gsize loud_windows;
  gsize quiet_after;
  gsize best;
  double best_rms;
} Recording;

static void
recording_clear (Recording *r)
{
  g_clear_pointer (&r->contents, g_free);
  memset (r, 0, sizeof *r);
}

static void
recording_read (Recording  *r,
                const char *path)
{
  const gint16 *samples;
  gsize length = 0;

  recording_clear (r);
  if (!g_file_get_contents (path, &r->contents, &length, NULL))
    return;
  samples = (const gint16 *) r->contents;
  r->n = length / 2;
  for (gsize start = 0; start + AUDIO_WINDOW <= r->n; start += AUDIO_WINDOW)
    {
      double sum = 0, rms;

      for (gsize i = start; i < start + AUDIO_WINDOW; i++)
        sum += (double) samples[i] * samples[i];
      rms = sqrt (sum / AUDIO_WINDOW);
      if (rms > 1000)
        {
          r->loud_windows++;
          r->quiet_after = 0;
        }
      else if (r->loud_windows > 0)
        r->quiet_after++;
      if (rms > r->best_rms)
        {
          r->best_rms = rms;
          r->best = start;
        }
    }
}

typedef struct
{
  const char *path;
  Recording *recording;
} RecordingWait;

/* The tone came and went: the monitor recorded loud windows and then
 * 300 ms of quiet (the stream stays open, so the sink keeps running and
 * the monitor keeps recording while nothing plays). */
static gboolean
tone_played_out (Fixture       *f,
                 gconstpointer  data)
{
  const RecordingWait *wait = data;

  recording_read (wait->recording, wait->path);
  return wait->recording->loud_windows > 0 && wait->recording->quiet_after >= 3;
}

static void
test_audio_playback (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) parec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (pulse_dir, "monitor.raw", NULL);
  g_autofree char *server_arg = g_strdup_printf ("--server=%s", pulse_server);
  g_autofree char *line = NULL;
  Recording recording = { 0 };
  RecordingWait wait = { path, &recording };
  const gint16 *samples;
  guint64 frames, rate;

  /* Lodge took the playback channel; the microphone was not allowed. */
  line = wait_line (f, "channel playback connected");
  g_assert_nonnull (line);
  g_clear_pointer (&line, g_free);

  /* Record what reaches the sound server's sink, once parec's stream is
   * there. */
  g_subprocess_launcher_set_stdout_file_path (launcher, path);
  parec = g_subprocess_launcher_spawn (launcher, &error, "parec", server_arg,
                                       "--device=lodge_test.monitor", "--raw",
                                       "--format=s16le", "--rate=44100", "--channels=1",
                                       "--latency-msec=20", NULL);
  g_assert_no_error (error);
  g_assert_true (wait_for (f, pulse_has, "source-outputs"));

  /* The guest opens its sound card: Lodge's stream reaches the sound
   * server before the first sample. */
  server_send (f, "playback-start");
  g_assert_true (wait_for (f, pulse_has, "sink-inputs"));

  /* The guest plays 1.5 s of 440 Hz. */
  drop_lines (f);
  server_send (f, "tone 440 1500");
  line = wait_line (f, "tone-done ");
  g_assert_nonnull (line);
  {
    char *end = NULL;

    frames = g_ascii_strtoull (line + strlen ("tone-done "), &end, 10);
    rate = g_ascii_strtoull (end, NULL, 10);
    g_test_message ("the playback channel took %" G_GUINT64_FORMAT " frames at %" G_GUINT64_FORMAT " Hz",
                    frames, rate);
    /* The client's playback channel took the whole tone. */
    g_assert_cmpuint (rate, >, 0);
    g_assert_cmpuint (frames, >=, rate * 15 / 10);
  }

  /* Until the sink has played out what Lodge gave it. */
  g_assert_true (wait_for (f, tone_played_out, &wait));
  server_send (f, "playback-stop");
  g_subprocess_send_signal (parec, SIGTERM);
  g_subprocess_wait (parec, NULL, NULL);
  recording_read (&recording, path);

  samples = (const gint16 *) recording.contents;
  if (g_test_verbose ())
    for (gsize start = 0; start + AUDIO_WINDOW <= recording.n; start += AUDIO_WINDOW)
      {
        double sum = 0;

        for (gsize i = start; i < start + AUDIO_WINDOW; i++)
          sum += (double) samples[i] * samples[i];
        g_test_message ("%5.1f s: RMS %.0f", (double) start / 44100, sqrt (sum / AUDIO_WINDOW));
      }
  g_test_message ("recorded %" G_GSIZE_FORMAT " samples from the sink's monitor; loudest 100 ms: "
                  "RMS %.0f; %" G_GSIZE_FORMAT " loud windows",
                  recording.n, recording.best_rms, recording.loud_windows);
  /* Sent at amplitude 12000 (RMS 8485): it arrives at that level... */
  g_assert_cmpfloat (recording.best_rms, >, 6000);
  g_assert_cmpfloat (recording.best_rms, <, 11000);
  /* ...and nearly whole: of the 15 windows of 100 ms that the tone covers
   * (14 or 15 loud ones when it is cut between two), a window or two may
   * go to a late wake-up on a loaded machine, not more. */
  g_assert_cmpuint (recording.loud_windows, >=, 12);
  g_assert_cmpuint (recording.loud_windows, <=, 18);
  /* ...and it is the same tone: 440 Hz stands far above its neighbours
   * and its octaves. */
  {
    double p440 = tone_power (samples + recording.best, AUDIO_WINDOW, 440);
    const double others[] = { 220, 330, 550, 880, 1000, 1320 };

    for (guint i = 0; i < G_N_ELEMENTS (others); i++)
      {
        double p = tone_power (samples + recording.best, AUDIO_WINDOW, others[i]);

        g_test_message ("power at %.0f Hz: %.3g of 440 Hz's", others[i], p / p440);
        g_assert_cmpfloat (p * 100, <, p440);
      }
  }
  recording_clear (&recording);

  /* Recording stayed off: the client never opened the record channel. */
  server_sync (f);
  g_assert_false (f->record_connected);
}

static void
test_audio_record_allowed (Fixture       *f,
                           gconstpointer  data)
{
  LodgeSpiceSession *session = lodge_display_get_session (LODGE_DISPLAY (f->display));
  g_autofree char *line = NULL;

  line = wait_line (f, "channel playback connected");
  g_assert_nonnull (line);
  server_sync (f);
  g_assert_false (f->record_connected);

  /* Once the user allows it, the next connection records. */
  lodge_display_disconnect (LODGE_DISPLAY (f->display));
  lodge_spice_session_set_record_audio (session, TRUE);
  display_connect (f);
  g_clear_pointer (&line, g_free);
  line = wait_line (f, "channel record connected");
  g_assert_nonnull (line);
  g_assert_true (f->record_connected);

  /* And stops again when taken back. */
  lodge_display_disconnect (LODGE_DISPLAY (f->display));
  lodge_spice_session_set_record_audio (session, FALSE);
  f->record_connected = FALSE;
  display_connect (f);
  g_clear_pointer (&line, g_free);
  line = wait_line (f, "channel playback connected");
  g_assert_nonnull (line);
  server_sync (f);
  g_assert_false (f->record_connected);
}

static gboolean
shows_uniform (Fixture       *f,
               gconstpointer  data)
{
  const int *size = data;
  g_autoptr(GdkTexture) texture = NULL;
  int w, h;
  g_autofree guint32 *pixels = NULL;

  if (!lodge_display_get_guest_size (LODGE_DISPLAY (f->display), &w, &h) ||
      w != size[0] || h != size[1])
    return FALSE;
  texture = lodge_display_get_screenshot (LODGE_DISPLAY (f->display));
  pixels = g_new (guint32, (gsize) w * h);
  gdk_texture_download (texture, (guchar *) pixels, w * 4);
  for (int i = 0; i < w * h; i++)
    if (pixels[i] != (0xff000000u | (guint32) size[2]))
      return FALSE;
  return TRUE;
}

/* Counts the pixels of the display widget, as the X server shows them,
 * that are neither the picture's @rgb nor the black bars. */
static guint
count_light_pixels_on_screen (Fixture *f,
                              guint32  rgb)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  int width = gtk_widget_get_width (f->display);
  int height = gtk_widget_get_height (f->display);
  graphene_point_t p;
  double sx, sy;
  XImage *image;
  guint wrong = 0;

  g_assert_true (gtk_widget_compute_point (f->display, f->window, &GRAPHENE_POINT_INIT (0, 0), &p));
  gtk_native_get_surface_transform (GTK_NATIVE (f->window), &sx, &sy);
  image = XGetImage (xdisplay (), gdk_x11_surface_get_xid (surface), (int) (p.x + sx), (int) (p.y + sy),
                     width, height, AllPlanes, ZPixmap);
  g_assert_nonnull (image);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel = XGetPixel (image, x, y) & 0xffffff;

        if (pixel != rgb && pixel != 0)
          {
            if (wrong == 0)
              g_test_message ("on screen, %d×%d: pixel %d,%d is %06x", width, height, x, y, pixel);
            wrong++;
          }
      }
  XDestroyImage (image);
  return wrong;
}

/* Whether the window shows the picture in @rgb, with nothing else than
 * black bars around it: for the first frames after a change it may not
 * yet, and once it does it stays so. */
static gboolean
screen_shows_only (Fixture       *f,
                   gconstpointer  data)
{
  const guint32 *rgb = data;

  iterate_for (20);
  return count_light_pixels_on_screen (f, *rgb) == 0;
}

static void
set_window_size_for_display (Fixture *f,
                             int      width,
                             int      height,
                             int      above)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height + above);
  while ((gtk_widget_get_width (f->display) != width ||
          gtk_widget_get_height (f->display) != height) &&
         g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpint (gtk_widget_get_width (f->display), ==, width);
  g_assert_cmpint (gtk_widget_get_height (f->display), ==, height);
}

static void
test_no_light_edges (Fixture       *f,
                     gconstpointer  data)
{
  /* Guest screens fitted into windows whose scale puts the picture's edges
   * and its tile edges (every 256 pixels) between device pixels, the
   * widget at the top of its window or below a header bar as on the
   * console page. A new colour at every size: what a frame failed to
   * paint would still show the colour before, and an edge that blends
   * with what is under the widget shows light. */
  static const int cases[][4] = {
    /* guest, widget */
    { 1024, 768, 1000, 600 }, { 1024, 768, 877, 600 }, { 1024, 768, 900, 601 },
    { 1024, 768, 933, 613 }, { 1024, 768, 1000, 653 }, { 1024, 768, 800, 700 },
    { 1024, 768, 700, 733 }, { 1024, 768, 997, 599 }, { 1024, 768, 640, 479 },
    { 800, 600, 1000, 653 }, { 800, 600, 1000, 600 }, { 800, 600, 913, 577 },
    { 800, 600, 555, 444 }, { 800, 600, 811, 517 }, { 800, 600, 1001, 751 },
    { 640, 480, 1000, 653 }, { 640, 480, 333, 251 },
  };
  guint failed = 0;

  /* Nothing over the picture. */
  gtk_widget_set_visible (f->button, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int above = i % 2 ? 47 : 0;
      int size[3] = { cases[i][0], cases[i][1], 0x3366cc + (int) i * 0x0a0400 };
      guint32 rgb = size[2];

      gtk_widget_set_margin_top (f->display, above);
      set_window_size_for_display (f, cases[i][2], cases[i][3], above);
      server_send (f, "resize %d %d", size[0], size[1]);
      server_send (f, "rect 0 0 %d %d %06x", size[0], size[1], rgb);
      g_assert_true (wait_for (f, shows_uniform, size));
      /* What reaches the screen. */
      if (!wait_for (f, screen_shows_only, &rgb))
        {
          g_test_message ("%d×%d in %d×%d (%d below the top): %u pixels on screen neither "
                          "the picture nor a bar", size[0], size[1], cases[i][2], cases[i][3],
                          above, count_light_pixels_on_screen (f, rgb));
          failed++;
        }
    }
  g_assert_cmpuint (failed, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  gboolean audio = g_strcmp0 (g_getenv ("LODGE_TEST_AUDIO"), "1") == 0;
  int result;

  g_test_init (&argc, &argv, NULL);
  /* spice-client-glib warns about what it then reports as a channel error
   * (a certificate it refuses, a connection reset), which the tests check:
   * only criticals are fatal here. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);

  if (g_getenv ("DISPLAY") == NULL)
    lodge_test_skip_all ("no X display (run under xvfb-run)");
  gdk_set_allowed_backends ("x11");
  gtk_init ();
  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    lodge_test_skip_all ("not an X11 display");

  server_path = g_getenv ("LODGE_SPICE_TEST_SERVER");
  g_assert_nonnull (server_path);

  /* The sound tests run on their own, with a sound server of their own. */
  if (audio)
    {
      pulse_start ();
      g_test_add ("/console/audio/playback-reaches-sound-server", Fixture, NULL,
                  audio_fixture_setup, test_audio_playback, fixture_teardown);
      g_test_add ("/console/audio/record-only-when-allowed", Fixture, NULL,
                  audio_fixture_setup, test_audio_record_allowed, fixture_teardown);
      result = g_test_run ();
      pulse_stop ();
      return result;
    }

#define ADD(path, setup, func) \
  g_test_add (path, Fixture, NULL, setup, func, fixture_teardown)
  ADD ("/console/spice/full-update", fixture_setup, test_full_update);
  ADD ("/console/spice/partial-update", fixture_setup, test_partial_update);
  ADD ("/console/spice/guest-resolution", fixture_setup, test_resize_guest_size_change);
  ADD ("/console/spice/keys", fixture_setup, test_keys);
  ADD ("/console/spice/focus-loss-releases-keys", fixture_setup, test_focus_loss_releases);
  ADD ("/console/spice/send-keys", fixture_setup, test_send_keys);
  ADD ("/console/spice/lock-sync", fixture_setup, test_lock_sync);
  ADD ("/console/spice/mouse", fixture_setup, test_mouse);
  ADD ("/console/spice/release-key", fixture_setup, test_release_key);
  ADD ("/console/spice/cursor", fixture_setup, test_cursor);
  ADD ("/console/spice/reconnect", fixture_setup, test_reconnect);
  ADD ("/console/spice/unreachable", fixture_setup, test_unreachable);
  ADD ("/console/spice/server-dies-mid-stream", fixture_setup, test_server_dies_mid_stream);
  ADD ("/console/spice/connect-fd", fixture_setup, test_connect_fd);
  ADD ("/console/spice/thumbnail", fixture_setup, test_thumbnail);
  ADD ("/console/agent/thumbnail", agent_fixture_setup, test_thumbnail);
  ADD ("/console/picture/no-seams-when-scaled", fixture_setup, test_no_seams);
  ADD ("/console/picture/no-light-edges-at-fit-sizes", fixture_setup, test_no_light_edges);
  ADD ("/console/spice/connect-disconnect-churn", fixture_setup, test_churn);
  ADD ("/console/spice/relative-mouse", relative_fixture_setup, test_relative_mouse);
  ADD ("/console/spice/wrong-password", password_fixture_setup, test_wrong_password);
  ADD ("/console/spice/tls", tls_fixture_setup, test_tls);
  ADD ("/console/agent/resize", agent_fixture_setup, test_agent_resize);
  ADD ("/console/agent/clipboard-image", agent_fixture_setup, test_agent_clipboard_image);
  ADD ("/console/agent/file-copy", agent_fixture_setup, test_agent_file_copy);
  ADD ("/console/agent/file-copy-cancel", agent_fixture_setup, test_agent_file_copy_cancel);
  ADD ("/console/spice/file-copy-without-agent", fixture_setup, test_no_agent_file_copy);
  ADD ("/console/agent/clipboard", agent_fixture_setup, test_agent_clipboard);
#undef ADD

  return g_test_run ();
}
