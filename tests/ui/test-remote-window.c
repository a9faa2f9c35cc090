/* test-remote-window.c: `lodge spice://…`, `lodge vnc://…` and `lodge FILE.vv`
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application's command-line handler, given a command line as a second
 * instance would hand it over, against the SPICE test server of
 * tests/console on 127.0.0.1: the console window it opens shows the
 * server's picture, then the disconnected page once the server is gone. A
 * .vv file opens fullscreen, is deleted when it asks, and its unknown key
 * is named. Bad URIs and files print their reason and exit with 1.
 * `lodge vnc://127.0.0.1:PORT` against QEMU's own VNC server (password
 * on): the password prompt, then SeaBIOS's screen; a .vv file of type vnc
 * with a wrong password shows the reason, with the right one the screen,
 * and the disconnected page once QEMU is gone.
 *
 * LODGE_TEST_SCREENSHOTS=DIR keeps what the screen showed.
 */
#define G_LOG_DOMAIN "test-remote-window"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "lodge-test.h"
#include "lodge-spice-test-client.h"
#include "lodge-test-qemu.h"
#include "ui/lodge-application.h"
#include "ui/lodge-remote-window.h"

/* Bounds a hang; never a timing assertion. */
#define WAIT_MS 15000

static const char *server_path;

typedef LodgeSpiceTestServer Server;
#define server_wait_line lodge_spice_test_server_wait_line
#define server_send      lodge_spice_test_server_send
#define server_stop      lodge_spice_test_server_stop

static char *tmp_dir;
static int server_port;
static LodgeApplication *app;
static GString *printerr_text;

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
wait_until (LodgeTestCheck check,
            gpointer       data)
{
  return lodge_test_ui_wait_until (check, data, WAIT_MS);
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (10, lodge_test_ui_wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static Server *
server_start (int port)
{
  return lodge_spice_test_server_start (server_path, port, WAIT_MS);
}

/* The test server's pattern (see lodge-spice-test-server.c). */
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

static gboolean
texture_shows_pattern (GdkTexture *texture,
                       int         seed)
{
  int w, h;
  g_autofree guint32 *pixels = NULL;

  if (texture == NULL)
    return FALSE;
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  if (w != 800 || h != 600)
    return FALSE;
  pixels = g_new (guint32, w * h);
  gdk_texture_download (texture, (guchar *) pixels, w * 4);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (pixels[y * w + x] != pattern_pixel (x, y, seed))
        return FALSE;
  return TRUE;
}

static int
free_port_block (int n)
{
  /* Ports that nothing listens on now; a clash would only fail a test. */
  for (int base = 20000 + (getpid () % 2000) * 16; base < 60000; base += 97)
    {
      gboolean all_free = TRUE;

      for (int i = 0; i < n && all_free; i++)
        {
          g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                    G_SOCKET_PROTOCOL_TCP, NULL);
          g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
          g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, base + i);

          all_free = g_socket_bind (socket, address, FALSE, NULL);
        }
      if (all_free)
        return base;
    }
  g_assert_not_reached ();
}


/* The application ------------------------------------------------------- */

static void
printerr_cb (const char *text)
{
  g_string_append (printerr_text, text);
  if (g_test_verbose ())
    fputs (text, stderr);
}

/* The command line of `lodge ARGS…` run from @cwd, as the primary instance
 * gets it: through GApplication's ::command-line. Returns the status. */
static int
run_command_line (const char         *cwd,
                  const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GApplicationCommandLine) command_line = NULL;
  GVariantDict options;
  GVariantBuilder platform;
  int status = -1;

  g_ptr_array_add (argv, (gpointer) "lodge");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert_value (&options, G_OPTION_REMAINING, g_variant_new_strv (args, -1));
  g_variant_builder_init (&platform, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&platform, "{sv}", "cwd", g_variant_new_bytestring (cwd));

  command_line = g_object_new (G_TYPE_APPLICATION_COMMAND_LINE,
                               "arguments", g_variant_new_bytestring_array ((const char * const *) argv->pdata, -1),
                               "options", g_variant_dict_end (&options),
                               "platform-data", g_variant_builder_end (&platform),
                               NULL);
  g_string_truncate (printerr_text, 0);
  g_signal_emit_by_name (app, "command-line", command_line, &status);
  return status;
}

static GList *
remote_windows (void)
{
  GList *found = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (LODGE_IS_REMOTE_WINDOW (l->data))
      found = g_list_prepend (found, l->data);
  return found;
}

static guint
n_library_windows (void)
{
  guint n = 0;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (!LODGE_IS_REMOTE_WINDOW (l->data))
      n++;
  return n;
}

static void
close_remote_windows (void)
{
  g_autoptr(GList) windows = remote_windows ();

  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  iterate ();
}

/* The one remote window the last command line opened. */
static LodgeRemoteWindow *
the_remote_window (void)
{
  g_autoptr(GList) windows = remote_windows ();

  g_assert_cmpuint (g_list_length (windows), ==, 1);
  return windows->data;
}

typedef struct
{
  LodgeRemoteWindow *window;
  const char        *view;
  int                seed;
} ViewWait;

static gboolean
view_is (gpointer data)
{
  ViewWait *wait = data;

  return g_strcmp0 (lodge_remote_window_get_view (wait->window), wait->view) == 0;
}

static gboolean
shows_pattern (gpointer data)
{
  ViewWait *wait = data;
  LodgeDisplay *display = lodge_remote_window_get_display (wait->window);
  g_autoptr(GdkTexture) texture = NULL;
  int w;

  if (!view_is (data) || !lodge_display_get_guest_size (display, &w, NULL))
    return FALSE;
  texture = lodge_display_get_screenshot (display);
  return texture_shows_pattern (texture, wait->seed);
}

static gboolean
is_fullscreen (gpointer data)
{
  return gtk_window_is_fullscreen (data);
}

static GtkLabel *
find_label (GtkWidget  *widget,
            const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && strstr (gtk_label_get_text (GTK_LABEL (child)), text) != NULL &&
          gtk_widget_is_visible (child))
        return GTK_LABEL (child);
      found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;

  return find_label (wait->root, wait->text) != NULL;
}

static void
save_screenshot (const char *name)
{
  const char *dir = g_getenv ("LODGE_TEST_SCREENSHOTS");
  g_autofree char *command = NULL;

  if (dir == NULL)
    dir = g_getenv ("LODGE_TEST_SCREENSHOT_DIR");
  if (dir == NULL)
    return;
  /* Lets transitions end: for people looking, not for the checks. */
  spin (600);
  command = g_strdup_printf ("import -window root '%s/%s'", dir, name);
  if (system (command) != 0)
    g_test_message ("could not save %s", name);
}

static gboolean
inputs_ready (gpointer data)
{
  LodgeDisplay *display = lodge_remote_window_get_display (data);

  return lodge_spice_session_get_inputs_ready (lodge_display_get_session (display));
}

/* Tests ------------------------------------------------------------------ */

static void
test_uri (void)
{
  Server *server = server_start (server_port);
  g_autofree char *uri = g_strdup_printf ("spice://127.0.0.1:%d", server_port);
  const char *args[] = { uri, NULL };
  LodgeRemoteWindow *window;
  ViewWait wait;
  g_autofree char *title = g_strdup_printf ("127.0.0.1:%d", server_port);
  guint library_before = n_library_windows ();

  g_assert_cmpint (run_command_line (tmp_dir, args), ==, 0);
  window = the_remote_window ();
  /* No library window comes with it. */
  g_assert_cmpuint (n_library_windows (), ==, library_before);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, title);

  wait = (ViewWait) { window, "display", 42 };
  server_send (server, "pattern 42");
  g_assert_true (wait_until (shows_pattern, &wait));
  save_screenshot ("remote-uri-display.png");
  if (g_getenv ("LODGE_TEST_SCREENSHOTS") != NULL || g_getenv ("LODGE_TEST_SCREENSHOT_DIR") != NULL)
    {
      /* The Send Key menu, open (the window's only menu button). */
      GtkWidget *button = lodge_test_ui_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);

      g_assert_nonnull (button);
      gtk_menu_button_popup (GTK_MENU_BUTTON (button));
      save_screenshot ("remote-send-key-menu.png");
      gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
    }

  /* Send Key reaches the server, once the inputs channel is open (it may
   * open after the first picture). */
  g_assert_true (wait_until (inputs_ready, window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "remote.send-key", "i", 0));
  {
    g_autofree char *line = server_wait_line (server, "kbd ");

    g_assert_nonnull (line);
  }

  server_stop (server);
  wait = (ViewWait) { window, "disconnected", 0 };
  g_assert_true (wait_until (view_is, &wait));
  g_assert_nonnull (lodge_remote_window_get_message (window));
  g_assert_cmpstr (lodge_remote_window_get_message (window), !=, "");
  g_test_message ("disconnected: %s", lodge_remote_window_get_message (window));
  save_screenshot ("remote-uri-disconnected.png");

  /* Reconnect, once the server is back. */
  server = server_start (server_port);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "remote.reconnect", NULL));
  wait = (ViewWait) { window, "display", 9 };
  server_send (server, "pattern 9");
  g_assert_true (wait_until (shows_pattern, &wait));

  close_remote_windows ();
  server_stop (server);
}

static void
test_vv_file (void)
{
  Server *server = server_start (server_port);
  g_autofree char *path = g_build_filename (tmp_dir, "remote.vv", NULL);
  g_autofree char *content = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "remote.vv", NULL };
  LodgeRemoteWindow *window;
  ViewWait wait;
  LabelWait toast;

  content = g_strdup_printf ("[virt-viewer]\n"
                             "type=spice\n"
                             "host=127.0.0.1\n"
                             "port=%d\n"
                             "title=Test desktop %%d\n"
                             "fullscreen=1\n"
                             "delete-this-file=1\n"
                             "frobnicate=yes\n",
                             server_port);
  g_file_set_contents (path, content, -1, &error);
  g_assert_no_error (error);

  /* A path relative to the directory the command ran in. */
  g_assert_cmpint (run_command_line (tmp_dir, args), ==, 0);
  window = the_remote_window ();
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Test desktop 1");

  toast = (LabelWait) { GTK_WIDGET (window), "Not used from this file: frobnicate" };
  g_assert_true (wait_until (label_shown, &toast));
  g_assert_true (wait_until (is_fullscreen, window));

  wait = (ViewWait) { window, "display", 5 };
  server_send (server, "pattern 5");
  g_assert_true (wait_until (shows_pattern, &wait));
  save_screenshot ("remote-vv-fullscreen.png");

  close_remote_windows ();
  server_stop (server);
}

static int
count_lit_pixels (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint32 *pixels = g_new (guint32, width * height);
  int lit = 0;

  gdk_texture_download (texture, (guchar *) pixels, width * 4);
  for (int i = 0; i < width * height; i++)
    if ((pixels[i] & 0xffffff) != 0)
      lit++;
  return lit;
}

/* QEMU's SeaBIOS banner on the screen: 720x400 text with some lines. */
static gboolean
shows_bios_text (gpointer data)
{
  LodgeDisplay *display = lodge_remote_window_get_display (data);
  g_autoptr(GdkTexture) texture = NULL;
  int w, h;

  if (g_strcmp0 (lodge_remote_window_get_view (data), "display") != 0 ||
      !lodge_display_get_guest_size (display, &w, &h) || w != 720 || h != 400)
    return FALSE;
  texture = lodge_display_get_screenshot (display);
  return texture != NULL && count_lit_pixels (texture) > 200;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
password_asked (gpointer data)
{
  return lodge_remote_window_get_password_dialog (data) != NULL;
}

static void
test_vnc (void)
{
  g_autoptr(LodgeTestQemu) qemu = lodge_test_qemu_start (tmp_dir, ",password=on", TRUE, FALSE, FALSE);
  g_autofree char *uri = g_strdup_printf ("vnc://127.0.0.1:%d", lodge_test_qemu_vnc_port (qemu));
  g_autofree char *path = g_build_filename (tmp_dir, "vnc.vv", NULL);
  g_autofree char *content = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { uri, NULL };
  const char *file_args[] = { "vnc.vv", NULL };
  LodgeRemoteWindow *window;
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  ViewWait wait;

  answer = lodge_test_qemu_command (qemu, "{\"execute\": \"change-vnc-password\", "
                                          "\"arguments\": {\"password\": \"lodge-pw\"}}");
  g_assert_nonnull (strstr (answer, "\"return\""));

  /* The address alone: the server asks, the prompt answers. */
  g_assert_cmpint (run_command_line (tmp_dir, args), ==, 0);
  window = the_remote_window ();
  g_assert_true (LODGE_IS_VNC_SESSION (lodge_display_get_source (lodge_remote_window_get_display (window))));
  g_assert_true (wait_until (password_asked, window));
  dialog = lodge_remote_window_get_password_dialog (window);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  entry = adw_message_dialog_get_extra_child (dialog);
  g_assert_true (GTK_IS_ENTRY (entry));
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), "lodge-pw");
  save_screenshot ("remote-vnc-password.png");
  adw_message_dialog_response (dialog, "connect");
  g_assert_null (lodge_remote_window_get_password_dialog (window));
  g_assert_true (wait_until (shows_bios_text, window));
  /* The prompt is gone from the screen too. */
  g_assert_true (wait_until (is_null, &dialog));
  save_screenshot ("remote-vnc-display.png");
  close_remote_windows ();

  /* A .vv file of type vnc with a wrong password: the reason shows. */
  content = g_strdup_printf ("[virt-viewer]\n"
                             "type=vnc\n"
                             "host=127.0.0.1\n"
                             "port=%d\n"
                             "password=not-it\n",
                             lodge_test_qemu_vnc_port (qemu));
  g_file_set_contents (path, content, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_command_line (tmp_dir, file_args), ==, 0);
  window = the_remote_window ();
  wait = (ViewWait) { window, "disconnected", 0 };
  g_assert_true (wait_until (view_is, &wait));
  g_assert_nonnull (strstr (lodge_remote_window_get_message (window), "password"));
  save_screenshot ("remote-vnc-bad-password.png");

  close_remote_windows ();
  g_unlink (path);

  /* The same file once the server takes its password; then the server
   * gone: the disconnected page names it. */
  answer = lodge_test_qemu_command (qemu, "{\"execute\": \"change-vnc-password\", "
                                          "\"arguments\": {\"password\": \"not-it\"}}");
  g_assert_nonnull (strstr (answer, "\"return\""));
  g_file_set_contents (path, content, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_command_line (tmp_dir, file_args), ==, 0);
  window = the_remote_window ();
  g_assert_true (wait_until (shows_bios_text, window));
  g_subprocess_force_exit (qemu->process);
  wait = (ViewWait) { window, "disconnected", 0 };
  g_assert_true (wait_until (view_is, &wait));
  g_assert_nonnull (lodge_remote_window_get_message (window));
  g_test_message ("disconnected: %s", lodge_remote_window_get_message (window));
  save_screenshot ("remote-vnc-disconnected.png");
  close_remote_windows ();
  g_unlink (path);
}

static void
test_errors (void)
{
  g_autofree char *bad_path = g_build_filename (tmp_dir, "bad.vv", NULL);
  g_autoptr(GError) error = NULL;
  guint library_before = n_library_windows ();

  {
    const char *args[] = { "spice://127.0.0.1:99999", NULL };

    g_assert_cmpint (run_command_line (tmp_dir, args), ==, 1);
    g_test_message ("bad URI: %s", printerr_text->str);
    g_assert_true (g_str_has_prefix (printerr_text->str, "lodge: "));
    g_assert_cmpuint (printerr_text->len, >, strlen ("lodge: \n"));
  }
  {
    const char *args[] = { "spice+unix://", NULL };

    g_assert_cmpint (run_command_line (tmp_dir, args), ==, 1);
    g_test_message ("bad URI: %s", printerr_text->str);
    g_assert_true (g_str_has_prefix (printerr_text->str, "lodge: "));
  }

  g_file_set_contents (bad_path, "this is not a connection file\n\x01\x02", -1, &error);
  g_assert_no_error (error);
  {
    const char *args[] = { "bad.vv", NULL };

    g_assert_cmpint (run_command_line (tmp_dir, args), ==, 1);
    g_test_message ("invalid .vv: %s", printerr_text->str);
    g_assert_nonnull (strstr (printerr_text->str, "bad.vv"));
  }
  {
    const char *args[] = { "missing.vv", NULL };

    g_assert_cmpint (run_command_line (tmp_dir, args), ==, 1);
    g_test_message ("missing .vv: %s", printerr_text->str);
    g_assert_nonnull (strstr (printerr_text->str, "missing.vv"));
  }

  /* Nothing opened for any of them. */
  g_assert_null (remote_windows ());
  g_assert_cmpuint (n_library_windows (), ==, library_before);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  /* What lodge's main() does first: the renderer that suits this host. */
  lodge_console_prepare_process ();
  g_test_init (&argc, &argv, NULL);
  lodge_test_allow_spice_link_end ();
  /* spice-glib warns about the connection the server drops (the point of
   * a test here): only criticals are fatal. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);

  server_path = g_getenv ("LODGE_SPICE_TEST_SERVER");
  if (server_path == NULL)
    g_error ("LODGE_SPICE_TEST_SERVER is not set (run through meson test)");
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");

  gtk_init ();
  adw_init ();

  tmp_dir = g_dir_make_tmp ("lodge-remote-window-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *state_dir = g_build_filename (tmp_dir, "state", NULL);

    g_setenv ("XDG_STATE_HOME", state_dir, TRUE);
  }
  /* Startup opens the default connection: the test driver's, not a
   * daemon's. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");

    g_settings_set_string (settings, "default-uri", "test:///default");
  }
  server_port = free_port_block (1);
  printerr_text = g_string_new (NULL);
  g_set_printerr_handler (printerr_cb);

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/remote-window/uri", test_uri);
  g_test_add_func ("/remote-window/vv-file", test_vv_file);
  g_test_add_func ("/remote-window/vnc", test_vnc);
  g_test_add_func ("/remote-window/errors", test_errors);

  result = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return result;
}
