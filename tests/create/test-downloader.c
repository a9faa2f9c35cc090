/* test-downloader.c: LodgeDownloader against libsoup's HTTP server on 127.0.0.1
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real HTTP over loopback, no mocks: the server of lodge-http-test-server.h
 * runs on this thread's main context, the downloader on its worker thread.
 */
#define G_LOG_DOMAIN "test-downloader"
#define _GNU_SOURCE   /* unshare() */

#include "config.h"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "create/lodge-downloader.h"
#include "model/lodge-pending-cleanup.h"
#include "model/lodge-state-store.h"
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
static char                *small_dir;  /* a 1 MiB tmpfs of this process's own (root) */

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

/* Disk full under Lodge's own files ------------------------------------- */

static void
remount_small_dir (const char *size)
{
  g_autofree char *options = g_strdup_printf ("size=%s,mode=0755", size);

  g_assert_cmpint (mount ("tmpfs", small_dir, "tmpfs", MS_REMOUNT, options), ==, 0);
}

/* Fills the tmpfs but for @keep bytes; returns the filler's path. */
static char *
fill_small_dir (gsize keep)
{
  g_autofree char *filler = g_build_filename (small_dir, "filler", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (small_dir);
  g_autoptr(GFileInfo) info =
    g_file_query_filesystem_info (folder, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
  guint64 free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  g_autofree char *data = NULL;
  gsize len = free_bytes > keep ? (gsize) (free_bytes - keep) : 0;

  data = g_malloc0 (len + 1);
  g_assert_true (g_file_set_contents (filler, data, (gssize) len, NULL));
  return g_steal_pointer (&filler);
}

static guint
count_files (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The size is known: refused before anything is written. */
static void
test_disk_full_known_size (void)
{
  g_autofree char *uri = lodge_http_test_server_uri (server, "media.iso");
  g_autofree char *folder = g_build_filename (small_dir, "known", NULL);
  g_autofree char *dest = g_build_filename (folder, "media.iso", NULL);
  g_autoptr(LodgeDownloader) downloader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Progress progress = { 0 };

  setup ();
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  downloader = lodge_downloader_new (uri, dest);
  path = run_download (downloader, &progress, &error);
  g_assert_null (path);
  g_assert_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "only"));
  g_assert_nonnull (strstr (error->message, folder));
  /* No .part, no sidecar. */
  g_assert_cmpuint (count_files (folder), ==, 0);
  g_rmdir (folder);
}

/* The size is unknown (chunked): the disk fills midway; what arrived is
 * kept and, once there is room, resumed to a whole, right file. */
static void
test_disk_full_resume (void)
{
  g_autofree char *uri = lodge_http_test_server_uri (server, "media.iso");
  g_autofree char *dest = g_build_filename (small_dir, "unknown.iso", NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(LodgeDownloader) first = lodge_downloader_new (uri, dest);
  g_autoptr(LodgeDownloader) second = lodge_downloader_new (uri, dest);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Progress progress = { 0 };
  guint64 kept;

  setup ();
  server->no_length = TRUE;
  path = run_download (first, &progress, &error);
  g_assert_null (path);
  g_assert_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "resume"));
  kept = file_size (part);
  g_assert_cmpuint (kept, >, 0);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  remount_small_dir ("16m");
  path = run_download (second, &progress, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, dest);
  g_assert_cmpuint (lodge_downloader_get_resumed_from (second), ==, kept);
  assert_file_is (dest, content_v1);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_remove (dest);
  remount_small_dir ("1m");
}

/* Lodge's per-machine facts: a write that does not fit fails and leaves
 * the last good file; the next start reads that one. */
static void
test_disk_full_state (void)
{
  g_autofree char *file = g_build_filename (small_dir, "state.ini", NULL);
  g_autofree char *filler = NULL;
  g_autoptr(LodgeStateStore) store = lodge_state_store_new (file);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GString *long_uri = g_string_new ("qemu+ssh://host/system?x=");

  lodge_state_store_set_int64 (store, "qemu:///system", "u-1", "last-used", 42);
  lodge_state_store_flush (store);
  g_assert_true (g_file_get_contents (file, &before, NULL, NULL));

  filler = fill_small_dir (0);
  /* More than could ever fit in what is left. */
  while (long_uri->len < 64 * 1024)
    g_string_append (long_uri, "padding-");
  lodge_state_store_set_int64 (store, long_uri->str, "u-2", "last-used", 43);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    /* Said in the log too: a lost "last used" is not worth a dialog. */
    g_test_expect_message ("lodge-state-store", G_LOG_LEVEL_WARNING, "*No space left on device*");
    lodge_state_store_save_async (store, NULL, lodge_create_test_store_cb, &result);
    lodge_create_test_wait (&result, WAIT_S);
    g_assert_false (lodge_state_store_save_finish (store, result, &error));
    g_assert_nonnull (error);
    g_test_message ("state: %s", error->message);
    g_test_assert_expected_messages ();
  }
  g_assert_true (g_file_get_contents (file, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  {
    /* Nor a half-written temporary file beside it. */
    g_autoptr(GDir) dir = g_dir_open (small_dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (name, "state.ini."));
  }
  {
    g_autoptr(LodgeStateStore) next = lodge_state_store_new (file);

    g_assert_cmpint (lodge_state_store_get_int64 (next, "qemu:///system", "u-1", "last-used", 0), ==, 42);
  }

  /* Room again: the change is written. */
  g_remove (filler);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(LodgeStateStore) next = NULL;

    lodge_state_store_save_async (store, NULL, lodge_create_test_store_cb, &result);
    lodge_create_test_wait (&result, WAIT_S);
    g_assert_true (lodge_state_store_save_finish (store, result, &error));
    g_assert_no_error (error);
    next = lodge_state_store_new (file);
    g_assert_cmpint (lodge_state_store_get_int64 (next, long_uri->str, "u-2", "last-used", 0), ==, 43);
  }
  g_string_free (long_uri, TRUE);
  g_remove (file);
}

/* The record of what a failed creation left: a write that does not fit
 * says so and keeps what was recorded. */
static void
test_disk_full_pending (void)
{
  const char *first[] = { "6f1b2c3d-1234-4abc-8def-0123456789ab", NULL };
  g_autofree char *filler = NULL;
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) domains = NULL;
  g_auto(GStrv) volumes = NULL;

  g_assert_true (g_str_has_prefix (g_get_user_state_dir (), small_dir));
  g_assert_true (lodge_pending_cleanup_record ("qemu:///system", first, NULL, &error));
  g_assert_no_error (error);

  filler = fill_small_dir (0);
  for (guint i = 0; i < 2000; i++)
    g_ptr_array_add (many, g_strdup_printf ("lodge/volume-with-a-long-name-%04u.qcow2", i));
  g_ptr_array_add (many, NULL);
  g_assert_false (lodge_pending_cleanup_record ("qemu:///system", NULL,
                                                (const char * const *) many->pdata, &error));
  g_assert_nonnull (error);
  g_test_message ("pending: %s", error->message);

  lodge_pending_cleanup_list ("qemu:///system", &domains, &volumes);
  g_assert_cmpuint (g_strv_length (domains), ==, 1);
  g_assert_cmpstr (domains[0], ==, first[0]);
  g_assert_cmpuint (g_strv_length (volumes), ==, 0);
  g_remove (filler);
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

  /* Disk full: as root, a 1 MiB tmpfs in a mount namespace of this
   * process's own (nothing outside sees it, and it goes with the process),
   * which also holds Lodge's state folder. */
  if (geteuid () == 0)
    {
      g_autofree char *state = NULL;

      small_dir = g_build_filename (tmp_dir, "small", NULL);
      g_assert_cmpint (g_mkdir (small_dir, 0755), ==, 0);
      if (unshare (CLONE_NEWNS) != 0 ||
          mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
          mount ("tmpfs", small_dir, "tmpfs", 0, "size=1m,mode=0755") != 0)
        g_error ("Could not make a small tmpfs: %s", g_strerror (errno));
      state = g_build_filename (small_dir, "state", NULL);
      g_setenv ("XDG_STATE_HOME", state, TRUE);
    }
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
  if (small_dir != NULL)
    {
      g_test_add_func ("/create/disk-full/download-known-size", test_disk_full_known_size);
      g_test_add_func ("/create/disk-full/download-resume", test_disk_full_resume);
      g_test_add_func ("/create/disk-full/state", test_disk_full_state);
      g_test_add_func ("/create/disk-full/pending-cleanup", test_disk_full_pending);
    }
  else
    g_test_message ("not root: the disk-full cases need a tmpfs of their own and are left out");

  ret = g_test_run ();

  lodge_http_test_server_free (server);
  if (small_dir != NULL)
    umount (small_dir);
  g_bytes_unref (content_v1);
  g_bytes_unref (content_v2);
  {
    const char *rm[] = { "rm", "-rf", tmp_dir, NULL };

    lodge_create_test_run (rm);
  }
  g_free (tmp_dir);
  return ret;
}
