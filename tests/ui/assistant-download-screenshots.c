/* assistant-download-screenshots.c: screenshots of the assistant's download steps
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage (under xvfb-run, with LODGE_FORCE_EMULATION=1):
 *   assistant-download-screenshots OUTPUT_DIR
 * Not a test: shows the source step, the list of OSes to download (all,
 * then searched), a download under way from a slow server on 127.0.0.1,
 * the list after a cancel, and an error, saving the screen with
 * ImageMagick's import.
 */
#define G_LOG_DOMAIN "assistant-download-screenshots"

#include "config.h"

#include <glib/gstdio.h>

#include "lodge-create-test.h"
#include "lodge-http-test-server.h"
#include "ui/lodge-new-machine-assistant-private.h"
#include "ui/lodge-resources.h"

/* Owns the connection the assistant is given. */
static LodgeHost *test_host;

static const char *out_dir;

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (10, lodge_create_test_wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static void
shot (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/download-%s.png", out_dir, name);
  const char *argv[] = { "import", "-window", "root", path, NULL };

  /* Past the stack's slide transition. */
  spin (900);
  lodge_create_test_run (argv);
  g_print ("%s\n", path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(GBytes) content = NULL;
  LodgeConnection *connection;
  LodgeNewMachineAssistant *assistant;
  LodgeHttpTestServer *server;
  LodgeOsDatabase *db;
  LodgeOs *os;

  if (argc != 2)
    {
      g_printerr ("Usage: %s OUTPUT_DIR\n", argv[0]);
      return 2;
    }
  out_dir = argv[1];
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  gtk_init ();
  adw_init ();
  lodge_register_resource ();

  tmp_dir = g_dir_make_tmp ("lodge-download-shots-XXXXXX", &error);
  g_assert_no_error (error);
  lodge_connection_init_events ();
  /* A host's connection: the assistant reads the host's capabilities. */
  test_host = lodge_host_new ("test:///default", NULL);
  connection = g_object_ref (lodge_host_get_connection (test_host));
  lodge_connection_open_async (connection, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  g_assert_true (lodge_connection_open_finish (connection, result, NULL));
  db = lodge_create_test_get_db ();
  os = lodge_os_database_lookup (db, "fedora37");

  /* 40 MB at about 2.5 MB/s. */
  content = lodge_http_test_make_content (40 * 1024 * 1024, 7);
  server = lodge_http_test_server_new ("Fedora-Workstation-Live-x86_64-37-1.7.iso", content, "\"x\"");
  server->chunk_size = 128 * 1024;
  server->interval_ms = 50;
  uri = lodge_http_test_server_uri (server, "Fedora-Workstation-Live-x86_64-37-1.7.iso");
  missing = lodge_http_test_server_uri (server, "gone.iso");

  assistant = lodge_new_machine_assistant_new (NULL, connection, db, FALSE);
  lodge_new_machine_assistant_set_downloads_dir (assistant, tmp_dir);
  gtk_window_present (GTK_WINDOW (assistant));
  shot ("1-source");

  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.choose-download", NULL);
  shot ("2-list");
  gtk_editable_set_text (lodge_new_machine_assistant_get_download_search (assistant), "debian");
  shot ("3-list-searched");

  lodge_new_machine_assistant_start_download (assistant, os, uri);
  spin (3000);
  shot ("4-progress");

  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.cancel-download", NULL);
  gtk_editable_set_text (lodge_new_machine_assistant_get_download_search (assistant), "fedora linux 37");
  spin (1000);
  shot ("5-cancelled");

  lodge_new_machine_assistant_start_download (assistant, os, missing);
  shot ("6-error");

  gtk_window_destroy (GTK_WINDOW (assistant));
  lodge_http_test_server_free (server);
  {
    const char *rm[] = { "rm", "-rf", tmp_dir, NULL };

    lodge_create_test_run (rm);
  }
  return 0;
}
