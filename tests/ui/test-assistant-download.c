/* test-assistant-download.c: the assistant's "Download an OS" path over real HTTP
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real assistant on test:///default downloads an ISO built by the test
 * (xorriso, Fedora 37's volume id) from libsoup's server on 127.0.0.1
 * (tests/create/lodge-http-test-server.h), then identifies it and reaches
 * the review, as if the file had been chosen. Steps are driven through the
 * assistant's actions and the private header (which gives it the test
 * server's address instead of libosinfo's).
 */
#define G_LOG_DOMAIN "test-assistant-download"

#include "config.h"

#include <glib/gstdio.h>

#include "lodge-assistant-test.h"
#include "lodge-http-test-server.h"
#include "lodge-test.h"
#include "ui/lodge-resources.h"

/* Bounds a hang; never a timing assertion. */
#define WAIT_S 30
#define ISO_NAME "Fedora-S-dvd-x86_64-37.iso"

/* Owns the connection the assistant is given. */
static LodgeHost *test_host;

static LodgeConnection     *connection;
static LodgeOsDatabase     *db;
static LodgeHttpTestServer *server;
static GBytes              *iso_bytes;
static char                *tmp_dir;

/* Helpers ---------------------------------------------------------------- */

static char *
new_downloads_dir (void)
{
  static guint n;
  char *dir = g_strdup_printf ("%s/downloads-%u", tmp_dir, ++n);

  g_mkdir_with_parents (dir, 0755);
  return dir;
}

static LodgeNewMachineAssistant *
open_assistant (const char *downloads)
{
  return lodge_assistant_test_open (connection, db, downloads);
}

#define wait_page(assistant, page) lodge_assistant_test_wait_page ((assistant), (page), WAIT_S)

static gboolean
some_bytes_received (gpointer data)
{
  LodgeDownloader *downloader = lodge_new_machine_assistant_get_downloader (data);

  return downloader != NULL && lodge_downloader_get_received (downloader) > 0;
}

static gboolean
error_shown (gpointer data)
{
  return lodge_new_machine_assistant_get_error (data) != NULL;
}

static gboolean
list_filled (gpointer data)
{
  return g_list_model_get_n_items (data) > 0;
}

static LodgeOs *
fedora37 (void)
{
  LodgeOs *os = lodge_os_database_lookup (db, "fedora37");

  g_assert_nonnull (os);
  return os;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return 0;
  return (guint64) st.st_size;
}

static void
assert_file_is_iso (const char *path)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, g_bytes_get_size (iso_bytes));
  g_assert_true (memcmp (data, g_bytes_get_data (iso_bytes, NULL), length) == 0);
}

/* At the review with the downloaded file, identified as Fedora 37. */
static void
assert_review_of (LodgeNewMachineAssistant *assistant,
                  const char               *path)
{
  LodgeMedia *media;

  wait_page (assistant, "review");
  media = lodge_new_machine_assistant_get_media (assistant);
  g_assert_nonnull (media);
  g_assert_cmpstr (lodge_media_get_path (media), ==, path);
  g_assert_cmpstr (lodge_machine_spec_get_cdrom_path (lodge_new_machine_assistant_get_spec (assistant)),
                   ==, path);
  g_assert_true (lodge_new_machine_assistant_get_os (assistant) == fedora37 ());
  assert_file_is_iso (path);
}

static void
close_assistant (LodgeNewMachineAssistant *assistant)
{
  gtk_window_destroy (GTK_WINDOW (assistant));
}

/* Tests ------------------------------------------------------------------ */

/* The source step offers it; the list is libosinfo's media, searchable. */
static void
test_list (void)
{
  g_autofree char *downloads = new_downloads_dir ();
  LodgeNewMachineAssistant *assistant = open_assistant (downloads);
  GListModel *results;
  guint all;
  gboolean found = FALSE;

  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.choose-download"));
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.choose-download", NULL);
  wait_page (assistant, "download-os");
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.back"));

  /* Listed on a worker thread. */
  results = lodge_new_machine_assistant_get_download_results (assistant);
  g_assert_true (lodge_create_test_wait_until (list_filled, results, WAIT_S));
  all = g_list_model_get_n_items (results);
  g_assert_cmpuint (all, >, 10);

  gtk_editable_set_text (lodge_new_machine_assistant_get_download_search (assistant), "fedora linux 37");
  /* The search entry's changes arrive after its delay. */
  for (gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
       g_list_model_get_n_items (results) == all && g_get_monotonic_time () < end; )
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (results), <, all);
  g_assert_cmpuint (g_list_model_get_n_items (results), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(LodgeOsDownload) item = g_list_model_get_item (results, i);

      if (lodge_os_download_get_os (item) == fedora37 ())
        found = TRUE;
    }
  g_assert_true (found);
  /* Enter (Next) would download the first match. */
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.next"));

  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL);
  wait_page (assistant, "source");
  close_assistant (assistant);
}

/* Downloaded, then on exactly as a chosen ISO: identified, review. */
static void
test_to_review (void)
{
  g_autofree char *downloads = new_downloads_dir ();
  g_autofree char *uri = lodge_http_test_server_uri (server, ISO_NAME);
  g_autofree char *dest = g_build_filename (downloads, ISO_NAME, NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  LodgeNewMachineAssistant *assistant = open_assistant (downloads);

  lodge_http_test_server_reset (server);
  lodge_new_machine_assistant_start_download (assistant, fedora37 (), uri);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "download");
  g_assert_true (lodge_new_machine_assistant_get_downloading (assistant));

  assert_review_of (assistant, dest);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (lodge_downloader_get_received (lodge_new_machine_assistant_get_downloader (assistant)),
                    ==, g_bytes_get_size (iso_bytes));
  g_assert_cmpuint (server->n_requests, ==, 1);
  close_assistant (assistant);
}

/* Cancel keeps the .part; the list says it resumes; a second download
 * sends a Range and ends at the review with an identical file. */
static void
test_cancel_resume (void)
{
  g_autofree char *downloads = new_downloads_dir ();
  g_autofree char *uri = lodge_http_test_server_uri (server, ISO_NAME);
  g_autofree char *dest = g_build_filename (downloads, ISO_NAME, NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(LodgeOsDownload) item = lodge_os_download_new (fedora37 (), uri, NULL, FALSE, TRUE);
  LodgeNewMachineAssistant *assistant = open_assistant (downloads);
  guint64 kept;

  lodge_http_test_server_reset (server);
  server->chunk_size = 8 * 1024;
  server->interval_ms = 50;
  lodge_new_machine_assistant_start_download (assistant, fedora37 (), uri);
  g_assert_true (lodge_create_test_wait_until (some_bytes_received, assistant, WAIT_S));
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.cancel-download"));
  g_assert_false (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.back"));
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.cancel-download", NULL);

  wait_page (assistant, "download-os");
  g_assert_nonnull (lodge_new_machine_assistant_get_download_note (assistant));
  g_test_message ("note: %s", lodge_new_machine_assistant_get_download_note (assistant));
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  kept = file_size (part);
  g_assert_cmpuint (kept, >, 0);
  g_assert_cmpuint (kept, <, g_bytes_get_size (iso_bytes));

  /* The list offers the resume. */
  for (gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
       strstr (lodge_new_machine_assistant_get_download_detail (assistant, item), "resumes") == NULL &&
       g_get_monotonic_time () < end; )
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("detail: %s", lodge_new_machine_assistant_get_download_detail (assistant, item));
  g_assert_nonnull (strstr (lodge_new_machine_assistant_get_download_detail (assistant, item), "resumes"));

  lodge_http_test_server_reset (server);
  lodge_new_machine_assistant_pick_download (assistant, item);
  assert_review_of (assistant, dest);
  g_assert_cmpuint (server->n_ranged, ==, 1);
  g_assert_cmpuint (server->n_partial, ==, 1);
  g_assert_cmpuint (lodge_downloader_get_resumed_from (lodge_new_machine_assistant_get_downloader (assistant)),
                    ==, kept);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  close_assistant (assistant);
}

/* A server that sends neither ETag nor Last-Modified gives nothing to
 * resume against: after a cancel the list does not promise a resume, and
 * the next download starts from zero (no Range) and is still whole. */
typedef struct
{
  LodgeNewMachineAssistant *assistant;
  guint                     n_scans;
} ScanCheck;

static gboolean
partials_rescanned (gpointer data)
{
  ScanCheck *check = data;

  return lodge_new_machine_assistant_get_n_partial_scans (check->assistant) > check->n_scans;
}

static void
test_cancel_without_validators (void)
{
  g_autofree char *downloads = new_downloads_dir ();
  g_autofree char *uri = lodge_http_test_server_uri (server, ISO_NAME);
  g_autofree char *dest = g_build_filename (downloads, ISO_NAME, NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(LodgeOsDownload) item = lodge_os_download_new (fedora37 (), uri, NULL, FALSE, TRUE);
  LodgeNewMachineAssistant *assistant = open_assistant (downloads);
  ScanCheck check = { assistant, 0 };

  lodge_http_test_server_reset (server);
  server->no_validators = TRUE;
  server->chunk_size = 8 * 1024;
  server->interval_ms = 50;
  lodge_new_machine_assistant_start_download (assistant, fedora37 (), uri);
  g_assert_true (lodge_create_test_wait_until (some_bytes_received, assistant, WAIT_S));
  check.n_scans = lodge_new_machine_assistant_get_n_partial_scans (assistant);
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.cancel-download", NULL);
  wait_page (assistant, "download-os");
  g_assert_true (file_size (part) > 0);

  /* The folder was looked at again after the cancel. */
  g_assert_true (lodge_create_test_wait_until (partials_rescanned, &check, WAIT_S));
  g_test_message ("detail: %s", lodge_new_machine_assistant_get_download_detail (assistant, item));
  g_assert_null (strstr (lodge_new_machine_assistant_get_download_detail (assistant, item), "resumes"));

  server->chunk_size = 0;
  server->interval_ms = 0;
  lodge_new_machine_assistant_pick_download (assistant, item);
  assert_review_of (assistant, dest);
  g_assert_cmpuint (server->n_ranged, ==, 0);
  close_assistant (assistant);
}

/* Errors stay on the download page with Retry; a retry resumes. */
static void
test_error_retry (void)
{
  g_autofree char *downloads = new_downloads_dir ();
  g_autofree char *missing = lodge_http_test_server_uri (server, "missing.iso");
  g_autofree char *uri = lodge_http_test_server_uri (server, ISO_NAME);
  g_autofree char *dest = g_build_filename (downloads, ISO_NAME, NULL);
  LodgeNewMachineAssistant *assistant = open_assistant (downloads);

  lodge_http_test_server_reset (server);
  lodge_new_machine_assistant_start_download (assistant, fedora37 (), missing);
  g_assert_true (lodge_create_test_wait_until (error_shown, assistant, WAIT_S));
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "download");
  g_test_message ("404: %s", lodge_new_machine_assistant_get_error (assistant));
  g_assert_nonnull (strstr (lodge_new_machine_assistant_get_error (assistant), "404"));
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.retry-download"));
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.back"));
  g_assert_false (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.cancel-download"));
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL);
  wait_page (assistant, "download-os");

  /* The server goes away mid-body: the error, then Retry resumes. */
  server->chunk_size = 16 * 1024;
  server->close_after = 64 * 1024;
  lodge_new_machine_assistant_start_download (assistant, fedora37 (), uri);
  g_assert_true (lodge_create_test_wait_until (error_shown, assistant, WAIT_S));
  g_test_message ("closed: %s", lodge_new_machine_assistant_get_error (assistant));
  g_assert_nonnull (strstr (lodge_new_machine_assistant_get_error (assistant), "kept"));

  lodge_http_test_server_reset (server);
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.retry-download", NULL);
  assert_review_of (assistant, dest);
  g_assert_cmpuint (server->n_partial, ==, 1);
  close_assistant (assistant);
}

/* A file downloaded before is used as it is: no request. */
static void
test_already_downloaded (void)
{
  g_autofree char *downloads = new_downloads_dir ();
  g_autofree char *uri = lodge_http_test_server_uri (server, ISO_NAME);
  g_autofree char *dest = g_build_filename (downloads, ISO_NAME, NULL);
  g_autoptr(LodgeOsDownload) item = lodge_os_download_new (fedora37 (), uri, NULL, FALSE, TRUE);
  g_autoptr(GError) error = NULL;
  LodgeNewMachineAssistant *assistant;

  g_file_set_contents (dest, g_bytes_get_data (iso_bytes, NULL), (gssize) g_bytes_get_size (iso_bytes), &error);
  g_assert_no_error (error);
  assistant = open_assistant (downloads);
  lodge_http_test_server_reset (server);
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.choose-download", NULL);
  wait_page (assistant, "download-os");
  for (gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
       strstr (lodge_new_machine_assistant_get_download_detail (assistant, item), "already downloaded") == NULL &&
       g_get_monotonic_time () < end; )
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (strstr (lodge_new_machine_assistant_get_download_detail (assistant, item),
                            "already downloaded"));

  lodge_new_machine_assistant_pick_download (assistant, item);
  assert_review_of (assistant, dest);
  g_assert_cmpuint (server->n_requests, ==, 0);
  close_assistant (assistant);
}

/* Closing the window mid-download stops it and keeps the .part. */
static void
test_close_while_downloading (void)
{
  g_autofree char *downloads = new_downloads_dir ();
  g_autofree char *uri = lodge_http_test_server_uri (server, ISO_NAME);
  g_autofree char *dest = g_build_filename (downloads, ISO_NAME, NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  LodgeNewMachineAssistant *assistant = open_assistant (downloads);
  gint64 end;

  lodge_http_test_server_reset (server);
  server->chunk_size = 8 * 1024;
  server->interval_ms = 50;
  lodge_new_machine_assistant_start_download (assistant, fedora37 (), uri);
  g_assert_true (lodge_create_test_wait_until (some_bytes_received, assistant, WAIT_S));
  close_assistant (assistant);

  /* The worker notices the cancel at its next read. */
  end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (file_size (part), >, 0);
  lodge_http_test_server_reset (server);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kernel = NULL;
  g_autofree char *graft_kernel = NULL;
  g_autofree char *graft_initrd = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *iso_data = NULL;
  gsize iso_length = 0;
  const char *extra[] = { NULL, NULL, NULL };
  int ret;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LODGE_FORCE_EMULATION", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");
  if (g_find_program_in_path ("xorriso") == NULL)
    lodge_test_skip_all ("xorriso is not installed");

  gtk_init ();
  adw_init ();
  lodge_register_resource ();

  tmp_dir = g_dir_make_tmp ("lodge-assistant-download-XXXXXX", &error);
  g_assert_no_error (error);

  lodge_connection_init_events ();
  /* A host's connection: the assistant reads the host's capabilities. */
  test_host = lodge_host_new ("test:///default", NULL);
  connection = g_object_ref (lodge_host_get_connection (test_host));
  lodge_connection_open_async (connection, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  if (!lodge_connection_open_finish (connection, result, &error))
    g_error ("Could not open test:///default: %s", error->message);
  db = lodge_create_test_get_db ();

  /* An ISO that identifies as Fedora 37, served from memory. */
  kernel = g_build_filename (tmp_dir, "vmlinuz", NULL);
  g_file_set_contents (kernel, "not really a kernel\n", -1, NULL);
  graft_kernel = g_strdup_printf ("isolinux/vmlinuz=%s", kernel);
  graft_initrd = g_strdup_printf ("isolinux/initrd.gz=%s", kernel);
  extra[0] = graft_kernel;
  extra[1] = graft_initrd;
  iso = lodge_create_test_make_iso (tmp_dir, "served.iso", "Fedora-S-dvd-x86_64-37", NULL, extra, FALSE);
  g_file_get_contents (iso, &iso_data, &iso_length, &error);
  g_assert_no_error (error);
  iso_bytes = g_bytes_new_take (g_steal_pointer (&iso_data), iso_length);
  g_test_message ("served ISO: %" G_GSIZE_FORMAT " bytes", iso_length);
  server = lodge_http_test_server_new (ISO_NAME, iso_bytes, "\"iso-1\"");

  g_test_add_func ("/ui/assistant-download/list", test_list);
  g_test_add_func ("/ui/assistant-download/to-review", test_to_review);
  g_test_add_func ("/ui/assistant-download/cancel-resume", test_cancel_resume);
  g_test_add_func ("/ui/assistant-download/cancel-without-validators", test_cancel_without_validators);
  g_test_add_func ("/ui/assistant-download/error-retry", test_error_retry);
  g_test_add_func ("/ui/assistant-download/already-downloaded", test_already_downloaded);
  g_test_add_func ("/ui/assistant-download/close-while-downloading", test_close_while_downloading);

  ret = g_test_run ();

  lodge_http_test_server_free (server);
  g_bytes_unref (iso_bytes);
  g_clear_object (&connection);
  g_clear_object (&test_host);
  {
    const char *rm[] = { "rm", "-rf", tmp_dir, NULL };

    lodge_create_test_run (rm);
  }
  return ret;
}
