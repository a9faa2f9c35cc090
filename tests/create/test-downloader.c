/* test-downloader.c: LodgeDownloader against libsoup's HTTP server on 127.0.0.1
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real HTTP over loopback, no mocks: the server of lodge-http-test-server.h
 * runs on this thread's main context, the downloader on its worker thread.
 */
#define G_LOG_DOMAIN "test-downloader"

#include "config.h"

#include <glib/gstdio.h>

#include "create/lodge-downloader.h"
#include "create/lodge-os-download.h"
#include "lodge-create-test.h"
#include "lodge-http-test-server.h"

#define FILE_SIZE (5 * 1024 * 1024 + 123)
/* Bounds a hang; never a timing assertion. */
#define WAIT_S 60

static LodgeHttpTestServer *server;
static GBytes              *content_v1;
static GBytes              *content_v2;
static char                *tmp_dir;

typedef struct
{
  guint64       last_received;
  guint64       last_total;
  guint         n_reports;
  gboolean      monotonic;
  guint64       cancel_at;      /* cancels once this many bytes arrived (0: never) */
  GCancellable *cancellable;
} Progress;

static void
progress_cb (LodgeDownloader *downloader,
             guint64          received,
             guint64          total,
             double           rate,
             Progress        *progress)
{
  if (progress->n_reports > 0 && received < progress->last_received)
    progress->monotonic = FALSE;
  if (total > 0 && received > total)
    progress->monotonic = FALSE;
  g_assert_cmpfloat (rate, >=, 0);
  progress->last_received = received;
  progress->last_total = total;
  progress->n_reports++;

  if (progress->cancel_at > 0 && received >= progress->cancel_at)
    g_cancellable_cancel (progress->cancellable);
}

/* Runs a download to its end; returns the path or NULL with error set. */
static char *
run_download (LodgeDownloader  *downloader,
              Progress         *progress,
              GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gulong id;
  char *path;

  progress->monotonic = TRUE;
  progress->cancellable = cancellable;
  id = g_signal_connect (downloader, "progress", G_CALLBACK (progress_cb), progress);
  lodge_downloader_run_async (downloader, cancellable, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, WAIT_S);
  path = lodge_downloader_run_finish (downloader, result, error);
  g_signal_handler_disconnect (downloader, id);
  progress->cancellable = NULL;
  return path;
}

static char *
dest_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
assert_file_is (const char *path,
                GBytes     *expected)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, g_bytes_get_size (expected));
  g_assert_true (memcmp (data, g_bytes_get_data (expected, NULL), length) == 0);
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
setup (void)
{
  lodge_http_test_server_reset (server);
  lodge_http_test_server_set_content (server, content_v1, "\"v1\"");
}

/* Tests ------------------------------------------------------------------ */

static void
test_full (void)
{
  g_autofree char *uri = lodge_http_test_server_uri (server, "media.iso");
  g_autofree char *dest = dest_path ("full.iso");
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(LodgeDownloader) downloader = lodge_downloader_new (uri, dest);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Progress progress = { 0 };

  setup ();
  /* Paced, so that several reports are made. */
  server->chunk_size = 256 * 1024;
  server->interval_ms = 5;
  path = run_download (downloader, &progress, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, dest);
  assert_file_is (dest, content_v1);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  g_assert_true (progress.monotonic);
  g_assert_cmpuint (progress.n_reports, >=, 2);
  g_assert_cmpuint (progress.last_received, ==, FILE_SIZE);
  g_assert_cmpuint (progress.last_total, ==, FILE_SIZE);
  g_assert_cmpuint (lodge_downloader_get_received (downloader), ==, FILE_SIZE);
  g_assert_cmpuint (lodge_downloader_get_resumed_from (downloader), ==, 0);
  g_assert_cmpuint (server->n_ranged, ==, 0);
}

/* Cancel midway: the .part stays; a new downloader resumes with Range. */
static void
test_cancel_resume (void)
{
  g_autofree char *uri = lodge_http_test_server_uri (server, "media.iso");
  g_autofree char *dest = dest_path ("resume.iso");
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(LodgeDownloader) first = lodge_downloader_new (uri, dest);
  g_autoptr(LodgeDownloader) second = lodge_downloader_new (uri, dest);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Progress progress = { .cancel_at = 1024 * 1024 };
  guint64 kept;

  setup ();
  server->chunk_size = 64 * 1024;
  server->interval_ms = 10;
  path = run_download (first, &progress, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (path);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  kept = file_size (part);
  g_assert_cmpuint (kept, >=, 1024 * 1024);
  g_assert_cmpuint (kept, <, FILE_SIZE);
  g_clear_error (&error);

  server->chunk_size = 0;
  progress = (Progress) { 0 };
  path = run_download (second, &progress, &error);
  g_assert_no_error (error);
  assert_file_is (dest, content_v1);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (server->n_ranged, ==, 1);
  g_assert_cmpuint (server->n_partial, ==, 1);
  g_assert_cmpstr (server->last_if_range, ==, "\"v1\"");
  g_assert_cmpuint (lodge_downloader_get_resumed_from (second), ==, kept);
  g_assert_true (progress.monotonic);
  g_assert_cmpuint (progress.last_received, ==, FILE_SIZE);
  g_assert_cmpuint (progress.last_total, ==, FILE_SIZE);
}

/* The file changed on the server: If-Range fails, 200, from zero. */
static void
test_etag_changed (void)
{
  g_autofree char *uri = lodge_http_test_server_uri (server, "media.iso");
  g_autofree char *dest = dest_path ("changed.iso");
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(LodgeDownloader) first = lodge_downloader_new (uri, dest);
  g_autoptr(LodgeDownloader) second = lodge_downloader_new (uri, dest);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Progress progress = { .cancel_at = 1024 * 1024 };

  setup ();
  server->chunk_size = 64 * 1024;
  server->interval_ms = 10;
  path = run_download (first, &progress, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (file_size (part), >, 0);
  g_clear_error (&error);

  lodge_http_test_server_reset (server);
  lodge_http_test_server_set_content (server, content_v2, "\"v2\"");
  progress = (Progress) { 0 };
  path = run_download (second, &progress, &error);
  g_assert_no_error (error);
  assert_file_is (dest, content_v2);
  g_assert_cmpuint (server->n_ranged, ==, 1);
  g_assert_cmpstr (server->last_if_range, ==, "\"v1\"");
  g_assert_cmpuint (server->n_partial, ==, 0);
  g_assert_cmpuint (lodge_downloader_get_resumed_from (second), ==, 0);
  g_assert_true (progress.monotonic);
  g_assert_cmpuint (progress.last_received, ==, FILE_SIZE);
}

static void
test_not_found (void)
{
  g_autofree char *uri = lodge_http_test_server_uri (server, "nothing-here.iso");
  g_autofree char *dest = dest_path ("nothing-here.iso");
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(LodgeDownloader) downloader = lodge_downloader_new (uri, dest);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Progress progress = { 0 };

  setup ();
  path = run_download (downloader, &progress, &error);
  g_assert_null (path);
  g_assert_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_HTTP);
  g_test_message ("404: %s", error->message);
  g_assert_nonnull (strstr (error->message, "404"));
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *dest = dest_path ("refused.iso");
  g_autoptr(LodgeDownloader) downloader = NULL;
  g_autofree char *path = NULL;
  Progress progress = { 0 };

  /* A port that was free a moment ago and has no listener. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  uri = g_strdup_printf ("http://127.0.0.1:%u/media.iso",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  downloader = lodge_downloader_new (uri, dest);
  path = run_download (downloader, &progress, &error);
  g_assert_null (path);
  g_assert_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_CONNECT);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
}

/* The server goes away mid-body: an error, and the .part to resume. */
static void
test_closed_early (void)
{
  g_autofree char *uri = lodge_http_test_server_uri (server, "media.iso");
  g_autofree char *dest = dest_path ("closed.iso");
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(LodgeDownloader) downloader = lodge_downloader_new (uri, dest);
  g_autoptr(LodgeDownloader) again = lodge_downloader_new (uri, dest);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Progress progress = { 0 };

  setup ();
  server->chunk_size = 256 * 1024;
  server->close_after = 2 * 1024 * 1024;
  path = run_download (downloader, &progress, &error);
  g_assert_null (path);
  g_assert_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_TRUNCATED);
  g_test_message ("closed: %s", error->message);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (file_size (part), ==, 2 * 1024 * 1024);
  g_clear_error (&error);

  /* And it resumes from there. */
  lodge_http_test_server_reset (server);
  path = run_download (again, &progress, &error);
  g_assert_no_error (error);
  assert_file_is (dest, content_v1);
  g_assert_cmpuint (server->n_partial, ==, 1);
  g_assert_cmpuint (lodge_downloader_get_resumed_from (again), ==, 2 * 1024 * 1024);
}

static void
test_not_writable (void)
{
  g_autofree char *uri = lodge_http_test_server_uri (server, "media.iso");
  g_autofree char *blocker = dest_path ("a-file");
  /* A folder below a regular file: fails even for root. */
  g_autofree char *dest = g_build_filename (blocker, "sub", "media.iso", NULL);
  g_autoptr(LodgeDownloader) downloader = lodge_downloader_new (uri, dest);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Progress progress = { 0 };

  setup ();
  g_file_set_contents (blocker, "x", 1, &error);
  g_assert_no_error (error);
  path = run_download (downloader, &progress, &error);
  g_assert_null (path);
  g_assert_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_WRITE);
  g_test_message ("not writable: %s", error->message);
  g_assert_nonnull (strstr (error->message, blocker));
}

static void
test_file_names (void)
{
  g_autofree char *a = lodge_downloader_file_name_for_uri ("https://example.org/pub/Fedora-37%20x.iso?x=1");
  g_autofree char *b = lodge_downloader_file_name_for_uri ("https://example.org/");
  g_autofree char *c = lodge_downloader_file_name_for_uri ("https://example.org/.hidden");
  g_autofree char *folder = lodge_downloader_get_default_folder ();
  g_autoptr(LodgeDownloader) downloader = lodge_downloader_new ("https://example.org/pub/a.iso", NULL);
  g_autofree char *expected = g_build_filename (folder, "a.iso", NULL);

  g_assert_cmpstr (a, ==, "Fedora-37 x.iso");
  g_assert_cmpstr (b, ==, "download");
  g_assert_cmpstr (c, ==, "_hidden");
  g_assert_nonnull (folder);
  g_assert_cmpstr (lodge_downloader_get_destination (downloader), ==, expected);
}

/* libosinfo's downloadable media: x86_64, http(s), with their OS. */
static void
test_os_download_list (void)
{
  LodgeOsDatabase *db = lodge_create_test_get_db ();
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GListModel) list = lodge_os_download_list_new (db);
  gint64 took = g_get_monotonic_time () - start;
  guint n = g_list_model_get_n_items (list);
  gboolean fedora = FALSE;

  /* A figure for the report, not an assertion. */
  g_test_message ("%u downloadable media, listed in %.1f ms", n, took / 1000.0);
  g_assert_cmpuint (n, >, 10);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeOsDownload) item = g_list_model_get_item (list, i);
      const char *url = lodge_os_download_get_url (item);

      g_assert_true (g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://"));
      g_assert_nonnull (lodge_os_download_get_os (item));
      g_assert_nonnull (lodge_os_download_get_file_name (item));
      if (g_strcmp0 (lodge_os_get_short_id (lodge_os_download_get_os (item)), "fedora37") == 0)
        fedora = TRUE;
    }
  g_assert_true (fedora);

  /* The same from a worker thread. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GListModel) async_list = NULL;

    lodge_os_download_list_new_async (db, NULL, lodge_create_test_store_cb, &result);
    lodge_create_test_wait (&result, WAIT_S);
    async_list = lodge_os_download_list_new_finish (result, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (async_list), ==, n);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("lodge-download-test-XXXXXX", &error);
  g_assert_no_error (error);
  content_v1 = lodge_http_test_make_content (FILE_SIZE, 1);
  content_v2 = lodge_http_test_make_content (FILE_SIZE, 2);
  server = lodge_http_test_server_new ("media.iso", content_v1, "\"v1\"");

  g_test_add_func ("/create/download/full", test_full);
  g_test_add_func ("/create/download/cancel-resume", test_cancel_resume);
  g_test_add_func ("/create/download/etag-changed", test_etag_changed);
  g_test_add_func ("/create/download/not-found", test_not_found);
  g_test_add_func ("/create/download/connection-refused", test_connection_refused);
  g_test_add_func ("/create/download/closed-early", test_closed_early);
  g_test_add_func ("/create/download/not-writable", test_not_writable);
  g_test_add_func ("/create/download/file-names", test_file_names);
  g_test_add_func ("/create/download/os-list", test_os_download_list);

  ret = g_test_run ();

  lodge_http_test_server_free (server);
  g_bytes_unref (content_v1);
  g_bytes_unref (content_v2);
  {
    const char *rm[] = { "rm", "-rf", tmp_dir, NULL };

    lodge_create_test_run (rm);
  }
  g_free (tmp_dir);
  return ret;
}
