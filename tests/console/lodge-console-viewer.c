/* lodge-console-viewer.c: a window with a LodgeDisplay, for trying the
 * console without the main UI and for the benchmarks
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: lodge-console-viewer [--size WxH] [--scaling fit|1:1] [--fd]
 *                             [--screenshot FILE] [--quit-after MS] spice://HOST:PORT
 *
 * --fd connects the way Lodge does for local machines: the display asks for
 * every channel's socket through LodgeDisplay::open-fd and this program
 * answers with a socket it connected itself.
 * With LODGE_VIEWER_STATS=1 it prints "painted N" (frames drawn) on exit.
 */
#define G_LOG_DOMAIN "lodge-console-viewer"

#include "config.h"

#include <gio/gio.h>
#include <gtk/gtk.h>

#include "console/lodge-console.h"

static char *host;
static int port;
static guint64 painted;
static char *screenshot;

static void
viewer_display_open_fd_cb (LodgeDisplay *display,
                           guint         request_id,
                           int           channel_type,
                           gpointer      user_data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  connection = g_socket_client_connect_to_host (client, host, port, NULL, &error);
  if (connection == NULL)
    {
      lodge_display_fail_fd (display, request_id, error->message);
      return;
    }
  socket = g_socket_connection_get_socket (connection);
  lodge_display_give_fd (display, request_id, dup (g_socket_get_fd (socket)));
}

static void
viewer_display_state_cb (LodgeDisplay *display,
                         GParamSpec   *pspec,
                         gpointer      user_data)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (LODGE_TYPE_DISPLAY_STATE);
  GEnumValue *value = g_enum_get_value (klass, lodge_display_get_state (display));

  g_print ("state %s%s%s\n", value->value_nick,
           lodge_display_get_disconnect_reason (display) ? ": " : "",
           lodge_display_get_disconnect_reason (display) ?: "");
}

static void
viewer_frame_clock_after_paint_cb (GdkFrameClock *clock,
                                   gpointer       user_data)
{
  painted++;
}

static void
viewer_window_realize_cb (GtkWidget *window,
                          gpointer   user_data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (viewer_frame_clock_after_paint_cb), NULL);
}

static gboolean
viewer_quit_cb (gpointer user_data)
{
  LodgeDisplay *display = user_data;

  if (screenshot != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!lodge_display_save_screenshot (display, screenshot, &error))
        g_printerr ("%s\n", error->message);
    }
  if (g_strcmp0 (g_getenv ("LODGE_VIEWER_STATS"), "1") == 0)
    g_print ("painted %" G_GUINT64_FORMAT "\n", painted);
  exit (0);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *size = NULL;
  g_autofree char *scaling = NULL;
  gboolean use_fd = FALSE;
  int quit_after = 0;
  int width = 1024, height = 768;
  GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "Window size", "WxH" },
    { "scaling", 0, 0, G_OPTION_ARG_STRING, &scaling, "fit or 1:1", "MODE" },
    { "fd", 0, 0, G_OPTION_ARG_NONE, &use_fd, "Connect every channel through open-fd", NULL },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &screenshot, "Save a screenshot on quit", "FILE" },
    { "quit-after", 0, 0, G_OPTION_ARG_INT, &quit_after, "Quit after MS milliseconds", "MS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("spice://HOST:PORT");
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  GtkWidget *window, *display;

  /* What Lodge's main() does: the benchmarks measure the real thing. */
  lodge_console_prepare_process ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error ? error->message : "usage: lodge-console-viewer spice://HOST:PORT");
      return 2;
    }
  uri = g_uri_parse (argv[1], G_URI_FLAGS_NONE, &error);
  if (uri == NULL || g_uri_get_port (uri) <= 0)
    {
      g_printerr ("bad URI: %s\n", argv[1]);
      return 2;
    }
  host = g_strdup (g_uri_get_host (uri));
  port = g_uri_get_port (uri);
  if (size != NULL)
    sscanf (size, "%dx%d", &width, &height);

  gtk_init ();

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Lodge console viewer");
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  g_signal_connect (window, "realize", G_CALLBACK (viewer_window_realize_cb), NULL);

  display = lodge_display_new ();
  lodge_spice_session_set_audio (lodge_display_get_session (LODGE_DISPLAY (display)), FALSE);
  if (g_strcmp0 (scaling, "1:1") == 0)
    lodge_display_set_scaling (LODGE_DISPLAY (display), LODGE_DISPLAY_SCALING_ONE_TO_ONE);
  g_signal_connect (display, "notify::state", G_CALLBACK (viewer_display_state_cb), NULL);
  g_signal_connect (display, "open-fd", G_CALLBACK (viewer_display_open_fd_cb), NULL);
  gtk_window_set_child (GTK_WINDOW (window), display);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_grab_focus (display);

  if (use_fd)
    lodge_display_connect_fd (LODGE_DISPLAY (display), -1);
  else
    lodge_display_connect_uri (LODGE_DISPLAY (display), argv[1]);

  if (quit_after > 0)
    g_timeout_add (quit_after, viewer_quit_cb, display);

  while (g_list_model_get_n_items (gtk_window_get_toplevels ()) > 0)
    g_main_context_iteration (NULL, TRUE);
  viewer_quit_cb (display);
  return 0;
}
