/* lodge-downloader.c: one file downloaded over HTTP, with progress, cancel and resume
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <libsoup/soup.h>

#include "create/lodge-downloader.h"
#include "create/lodge-create-private.h"

/* At most this often a progress report reaches the main context. */
#define PROGRESS_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)
/* Beside a destination: the body so far, and the server's validator. */
#define PART_SUFFIX    ".part"
#define SIDECAR_SUFFIX ".part.lodge"

/* The rate is a moving average over samples this far apart. */
#define RATE_SAMPLE_US (250 * G_TIME_SPAN_MILLISECOND)
#define READ_SIZE (64 * 1024)
#define SIDECAR_GROUP "download"

struct _LodgeDownloader
{
  GObject  parent_instance;

  char    *uri;
  char    *destination;

  guint64  received;
  guint64  total;
  double   rate;
  guint64  resumed_from;
  gboolean running;
};

G_DEFINE_FINAL_TYPE (LodgeDownloader, lodge_downloader, G_TYPE_OBJECT)
G_DEFINE_QUARK (lodge-download-error-quark, lodge_download_error)

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What the worker shares with the main context. Figures are under lock. */
typedef struct
{
  char         *uri;
  char         *destination;
  char         *part;
  char         *sidecar;
  GMainContext *context;
  GWeakRef      self;

  GMutex        lock;
  guint64       received;
  guint64       total;
  double        rate;
  guint64       resumed_from;
  gboolean      post_pending;
} Job;

static void
job_clear (Job *job)
{
  g_free (job->uri);
  g_free (job->destination);
  g_free (job->part);
  g_free (job->sidecar);
  g_main_context_unref (job->context);
  g_weak_ref_clear (&job->self);
  g_mutex_clear (&job->lock);
}

static Job *
job_ref (Job *job)
{
  return g_atomic_rc_box_acquire (job);
}

static void
job_unref (Job *job)
{
  g_atomic_rc_box_release_full (job, (GDestroyNotify) job_clear);
}

/* Main context: hands the latest figures to the object. */
static void
job_deliver (Job *job)
{
  g_autoptr(LodgeDownloader) self = g_weak_ref_get (&job->self);
  guint64 received, total, resumed_from;
  double rate;
  gboolean changed;

  g_mutex_lock (&job->lock);
  received = job->received;
  total = job->total;
  rate = job->rate;
  resumed_from = job->resumed_from;
  job->post_pending = FALSE;
  g_mutex_unlock (&job->lock);

  if (self == NULL)
    return;

  changed = self->received != received || self->total != total || self->rate != rate;
  self->received = received;
  self->total = total;
  self->rate = rate;
  self->resumed_from = resumed_from;
  if (changed)
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, received, total, rate);
}

static gboolean
job_deliver_cb (gpointer data)
{
  job_deliver (data);
  return G_SOURCE_REMOVE;
}

/* Worker: the same priority as the GTask's result, and queued before it,
 * so the last figures arrive before the completion. */
static void
job_post (Job *job)
{
  g_autoptr(GSource) source = NULL;

  g_mutex_lock (&job->lock);
  if (job->post_pending)
    {
      g_mutex_unlock (&job->lock);
      return;
    }
  job->post_pending = TRUE;
  g_mutex_unlock (&job->lock);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, job_deliver_cb, job_ref (job), (GDestroyNotify) job_unref);
  g_source_set_static_name (source, "[lodge] download progress");
  g_source_attach (source, job->context);
}

static void
job_set_figures (Job     *job,
                 guint64  received,
                 guint64  total,
                 double   rate)
{
  g_mutex_lock (&job->lock);
  job->received = received;
  job->total = total;
  job->rate = rate;
  g_mutex_unlock (&job->lock);
}

/* Errors ------------------------------------------------------------------ */

static void set_no_space_error (GError     **error,
                                const char  *path,
                                guint64      received);

static void
set_write_error (GError     **error,
                 const char  *path,
                 const GError *cause)
{
  g_autofree char *display = g_filename_display_name (path);

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ||
      g_error_matches (cause, G_FILE_ERROR, G_FILE_ERROR_NOSPC))
    {
      set_no_space_error (error, path, 0);
      return;
    }
  g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_WRITE,
               /* TRANSLATORS: a file path, then why, e.g. "Permission denied" */
               _("Could not write “%s”: %s"), display, cause->message);
}

/* The disk of the folder the download goes to fills up (or would). */
static void
set_no_space_error (GError     **error,
                    const char  *path,
                    guint64      received)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *display = g_filename_display_name (dir);

  if (received == 0)
    g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_NO_SPACE,
                 /* TRANSLATORS: a folder */
                 _("The disk holding “%s” is full. Free some space, or choose another folder."),
                 display);
  else
    {
      g_autofree char *got = g_format_size (received);

      g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_NO_SPACE,
                   /* TRANSLATORS: a folder, then a size ("1.2 GB") */
                   _("The disk holding “%s” filled up after %s. What was received is kept: "
                     "free some space and try again to resume."), display, got);
    }
}

/* Refused before anything is written: the rest of the file would not fit
 * in the folder's file system. */
static gboolean
check_free_space (Job      *job,
                  guint64   needed,
                  GError  **error)
{
  g_autofree char *dir = g_path_get_dirname (job->part);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFileInfo) info = NULL;
  guint64 free_bytes;

  info = g_file_query_filesystem_info (folder, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return TRUE;   /* cannot tell: the writes will */
  free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  if (free_bytes >= needed)
    return TRUE;

  {
    g_autofree char *display = g_filename_display_name (dir);
    g_autofree char *need = g_format_size (needed);
    g_autofree char *have = g_format_size (free_bytes);

    g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_NO_SPACE,
                 /* TRANSLATORS: sizes ("3.9 GB", "1.2 GB"), then a folder */
                 _("The download needs %s but only %s is free in “%s”. Free some space, or "
                   "choose another folder."), need, have, display);
  }
  return FALSE;
}

static void
set_truncated_error (GError  **error,
                     guint64   received,
                     guint64   total)
{
  g_autofree char *got = g_format_size (received);

  if (total > 0)
    {
      g_autofree char *all = g_format_size (total);

      g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_TRUNCATED,
                   /* TRANSLATORS: sizes, e.g. "The server closed the connection after 1.2 GB of 3.9 GB…" */
                   _("The server closed the connection after %s of %s. What was received is kept: "
                     "try again to resume."), got, all);
    }
  else
    g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_TRUNCATED,
                 _("The server closed the connection after %s. What was received is kept: "
                   "try again to resume."), got);
}

static void
set_connect_error (GError       **error,
                   const char    *uri,
                   const GError  *cause)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *host = parsed != NULL && g_uri_get_host (parsed) != NULL ? g_uri_get_host (parsed) : uri;

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_CONNECT,
                 /* TRANSLATORS: %s is a host name */
                 _("The server %s refused the connection. It may be down: try again later."), host);
  else if (cause->domain == G_RESOLVER_ERROR)
    g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_CONNECT,
                 /* TRANSLATORS: %s is a host name */
                 _("The server %s could not be found. Check the network connection."), host);
  else
    g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_CONNECT,
                 /* TRANSLATORS: a host name, then why, e.g. "Network is unreachable" */
                 _("Could not connect to %s: %s"), host, cause->message);
}

/* The partial file ---------------------------------------------------------- */

char *
lodge_download_sidecar_parse (const char *data,
                              gsize       len,
                              const char *uri)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *saved_uri = NULL;
  char *validator;

  g_return_val_if_fail (uri != NULL, NULL);

  if (data == NULL || !g_key_file_load_from_data (keys, data, len, G_KEY_FILE_NONE, NULL))
    return NULL;

  saved_uri = g_key_file_get_string (keys, SIDECAR_GROUP, "uri", NULL);
  if (g_strcmp0 (saved_uri, uri) != 0)
    return NULL;
  validator = g_key_file_get_string (keys, SIDECAR_GROUP, "etag", NULL);
  if (validator == NULL)
    validator = g_key_file_get_string (keys, SIDECAR_GROUP, "last-modified", NULL);
  /* It goes into a request header as it is. */
  if (validator != NULL && (*validator == '\0' || strpbrk (validator, "\r\n") != NULL))
    g_clear_pointer (&validator, g_free);
  return validator;
}

/* The bytes already there, when they can be resumed: same URL and a
 * validator for If-Range. Otherwise 0. */
static guint64
read_partial (Job   *job,
              char **validator)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  GStatBuf st;

  *validator = NULL;
  if (g_stat (job->part, &st) != 0 || st.st_size <= 0)
    return 0;
  if (!g_file_get_contents (job->sidecar, &data, &len, NULL))
    return 0;
  *validator = lodge_download_sidecar_parse (data, len, job->uri);
  if (*validator == NULL)
    return 0;

  return (guint64) st.st_size;
}

static gboolean
write_sidecar (Job                 *job,
               SoupMessageHeaders  *headers,
               GError             **error)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  const char *etag = soup_message_headers_get_one (headers, "ETag");
  const char *modified = soup_message_headers_get_one (headers, "Last-Modified");

  /* A weak ETag cannot be used with If-Range (RFC 9110, 13.1.5). */
  if (etag != NULL && g_str_has_prefix (etag, "W/"))
    etag = NULL;

  if (etag == NULL && modified == NULL)
    {
      /* Nothing to resume against: no sidecar, a later run starts over. */
      g_unlink (job->sidecar);
      return TRUE;
    }

  g_key_file_set_string (keys, SIDECAR_GROUP, "uri", job->uri);
  if (etag != NULL)
    g_key_file_set_string (keys, SIDECAR_GROUP, "etag", etag);
  if (modified != NULL)
    g_key_file_set_string (keys, SIDECAR_GROUP, "last-modified", modified);
  return g_key_file_save_to_file (keys, job->sidecar, error);
}

static void
remove_partial (Job *job)
{
  g_unlink (job->part);
  g_unlink (job->sidecar);
}

/* The transfer -------------------------------------------------------------- */

typedef enum
{
  ATTEMPT_DONE,
  ATTEMPT_FAILED,
  ATTEMPT_RESTART,   /* the partial file cannot be resumed: again from zero */
} Attempt;

static Attempt
attempt_download (Job           *job,
                  SoupSession   *session,
                  gboolean       may_resume,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GFile) part_file = g_file_new_for_path (job->part);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *validator = NULL;
  g_autofree guchar *buffer = NULL;
  SoupMessageHeaders *response;
  guint64 offset = 0;
  guint64 total = 0;
  guint64 received;
  guint64 sample_bytes;
  gint64 sample_time;
  gint64 last_post = 0;
  double rate = 0;
  guint status;
  gboolean append = FALSE;
  gboolean write_failed = FALSE;

  msg = soup_message_new (SOUP_METHOD_GET, job->uri);
  if (msg == NULL)
    {
      g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_FAILED,
                   _("“%s” is not a web address Lodge can download from."), job->uri);
      return ATTEMPT_FAILED;
    }

  if (may_resume)
    offset = read_partial (job, &validator);
  if (offset > 0)
    {
      soup_message_headers_set_range (soup_message_get_request_headers (msg), (goffset) offset, -1);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "If-Range", validator);
    }

  body = soup_session_send (session, msg, cancellable, &local_error);
  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_connect_error (error, job->uri, local_error);
      return ATTEMPT_FAILED;
    }

  status = soup_message_get_status (msg);
  response = soup_message_get_response_headers (msg);
  if (status == SOUP_STATUS_PARTIAL_CONTENT && offset > 0)
    {
      goffset start = 0, end = 0, length = 0;

      if (!soup_message_headers_get_content_range (response, &start, &end, &length) ||
          (guint64) start != offset)
        {
          g_debug ("%s: unexpected Content-Range, starting again", job->uri);
          return ATTEMPT_RESTART;
        }
      if (length > 0)
        total = (guint64) length;
      else if (soup_message_headers_get_encoding (response) == SOUP_ENCODING_CONTENT_LENGTH)
        total = offset + (guint64) soup_message_headers_get_content_length (response);
      append = TRUE;
    }
  else if (status == SOUP_STATUS_OK)
    {
      /* A fresh copy, or the file changed since the partial one. */
      offset = 0;
      if (soup_message_headers_get_encoding (response) == SOUP_ENCODING_CONTENT_LENGTH)
        total = (guint64) soup_message_headers_get_content_length (response);
    }
  else if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && offset > 0)
    return ATTEMPT_RESTART;
  else
    {
      if (status == SOUP_STATUS_NOT_FOUND)
        g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_HTTP,
                     /* TRANSLATORS: %u is the HTTP status (404), %s its text (Not Found) */
                     _("The server has no file at this address (HTTP %u %s)."),
                     status, soup_message_get_reason_phrase (msg));
      else
        g_set_error (error, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_HTTP,
                     /* TRANSLATORS: %u is the HTTP status (503), %s its text (Service Unavailable) */
                     _("The server refused the download (HTTP %u %s)."),
                     status, soup_message_get_reason_phrase (msg));
      return ATTEMPT_FAILED;
    }

  if (total > offset && !check_free_space (job, total - offset, error))
    return ATTEMPT_FAILED;

  if (!append && !write_sidecar (job, response, &local_error))
    {
      set_write_error (error, job->sidecar, local_error);
      return ATTEMPT_FAILED;
    }

  if (append)
    out = g_file_append_to (part_file, G_FILE_CREATE_NONE, NULL, &local_error);
  else
    out = g_file_replace (part_file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &local_error);
  if (out == NULL)
    {
      /* Nothing of this download on disk: no sidecar either. */
      if (!append)
        g_unlink (job->sidecar);
      set_write_error (error, job->part, local_error);
      return ATTEMPT_FAILED;
    }

  received = offset;
  g_mutex_lock (&job->lock);
  job->resumed_from = offset;
  g_mutex_unlock (&job->lock);
  job_set_figures (job, received, total, 0);
  job_post (job);

  sample_bytes = received;
  sample_time = g_get_monotonic_time ();
  buffer = g_malloc (READ_SIZE);
  for (;;)
    {
      gssize n = g_input_stream_read (body, buffer, READ_SIZE, cancellable, &local_error);
      gint64 now;

      if (n <= 0)
        break;
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buffer, (gsize) n, NULL,
                                      cancellable, &local_error))
        {
          write_failed = TRUE;
          break;
        }
      received += (guint64) n;

      now = g_get_monotonic_time ();
      if (now - sample_time >= RATE_SAMPLE_US)
        {
          double instant = (double) (received - sample_bytes) * G_USEC_PER_SEC / (double) (now - sample_time);

          rate = rate == 0 ? instant : 0.7 * rate + 0.3 * instant;
          sample_bytes = received;
          sample_time = now;
        }
      if (now - last_post >= PROGRESS_INTERVAL_US)
        {
          job_set_figures (job, received, total, rate);
          job_post (job);
          last_post = now;
        }
    }

  job_set_figures (job, received, total, rate);
  job_post (job);

  /* What arrived stays on disk even after a cancel: it is what a resume
   * starts from. */
  if (local_error == NULL)
    {
      if (!g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &local_error))
        write_failed = TRUE;
    }
  else
    g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (write_failed && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        set_no_space_error (error, job->part, received);
      else if (write_failed)
        set_write_error (error, job->part, local_error);
      else
        {
          g_debug ("%s: %s", job->uri, local_error->message);
          set_truncated_error (error, received, total);
        }
      return ATTEMPT_FAILED;
    }

  if (total > 0 && received < total)
    {
      set_truncated_error (error, received, total);
      return ATTEMPT_FAILED;
    }
  if (total > 0 && received > total)
    {
      /* More than announced: the partial file was not what we thought. */
      g_debug ("%s: %" G_GUINT64_FORMAT " bytes, %" G_GUINT64_FORMAT " announced",
               job->uri, received, total);
      return ATTEMPT_RESTART;
    }

  if (g_rename (job->part, job->destination) != 0)
    {
      int saved = errno;
      g_autoptr(GError) cause = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved),
                                                     g_strerror (saved));

      set_write_error (error, job->destination, cause);
      return ATTEMPT_FAILED;
    }
  g_unlink (job->sidecar);

  return ATTEMPT_DONE;
}

static void
lodge_downloader_run_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *folder = g_path_get_dirname (job->destination);
  GError *error = NULL;
  gboolean may_resume = TRUE;

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;
      g_autoptr(GError) cause = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved),
                                                     g_strerror (saved));

      set_write_error (&error, job->part, cause);
      g_task_return_error (task, error);
      return;
    }

  /* A session of its own, used on this thread only. No content decoder:
   * the bytes on disk must be the server's, for ranges and sizes. */
  session = soup_session_new_with_options ("user-agent", "Lodge/" PACKAGE_VERSION,
                                           "timeout", 60,
                                           NULL);
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);

  /* At most one restart from zero. */
  for (guint i = 0; i < 2; i++)
    {
      switch (attempt_download (job, session, may_resume, cancellable, &error))
        {
        case ATTEMPT_DONE:
          g_task_return_pointer (task, g_strdup (job->destination), g_free);
          return;
        case ATTEMPT_FAILED:
          g_task_return_error (task, error);
          return;
        case ATTEMPT_RESTART:
          remove_partial (job);
          may_resume = FALSE;
          break;
        default:
          g_assert_not_reached ();
        }
    }

  g_task_return_new_error (task, LODGE_DOWNLOAD_ERROR, LODGE_DOWNLOAD_ERROR_FAILED,
                           _("The server sent something other than what it announced."));
}

/* Public ---------------------------------------------------------------- */

static void
lodge_downloader_finalize (GObject *object)
{
  LodgeDownloader *self = LODGE_DOWNLOADER (object);

  g_free (self->uri);
  g_free (self->destination);

  G_OBJECT_CLASS (lodge_downloader_parent_class)->finalize (object);
}

static void
lodge_downloader_class_init (LodgeDownloaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lodge_downloader_finalize;

  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_DOUBLE);
}

static void
lodge_downloader_init (LodgeDownloader *self)
{
}

LodgeDownloader *
lodge_downloader_new (const char *uri,
                      const char *destination)
{
  LodgeDownloader *self;

  g_return_val_if_fail (uri != NULL, NULL);

  self = g_object_new (LODGE_TYPE_DOWNLOADER, NULL);
  self->uri = g_strdup (uri);
  if (destination != NULL)
    self->destination = g_strdup (destination);
  else
    {
      g_autofree char *folder = lodge_downloader_get_default_folder ();
      g_autofree char *name = lodge_downloader_file_name_for_uri (uri);

      self->destination = g_build_filename (folder, name, NULL);
    }
  return self;
}

const char *
lodge_downloader_get_uri (LodgeDownloader *self)
{
  g_return_val_if_fail (LODGE_IS_DOWNLOADER (self), NULL);

  return self->uri;
}

const char *
lodge_downloader_get_destination (LodgeDownloader *self)
{
  g_return_val_if_fail (LODGE_IS_DOWNLOADER (self), NULL);

  return self->destination;
}

char *
lodge_downloader_get_partial_path (LodgeDownloader *self)
{
  g_return_val_if_fail (LODGE_IS_DOWNLOADER (self), NULL);

  return g_strconcat (self->destination, PART_SUFFIX, NULL);
}

LodgeDownloadFile
lodge_downloader_classify_file (const char  *folder,
                                const char  *name,
                                char       **destination_name)
{
  g_autofree char *path = NULL;
  g_autofree char *sidecar = NULL;

  g_return_val_if_fail (folder != NULL, LODGE_DOWNLOAD_FILE_OTHER);
  g_return_val_if_fail (name != NULL, LODGE_DOWNLOAD_FILE_OTHER);

  if (destination_name != NULL)
    *destination_name = NULL;
  if (g_str_has_suffix (name, SIDECAR_SUFFIX))
    return LODGE_DOWNLOAD_FILE_BOOKKEEPING;
  if (!g_str_has_suffix (name, PART_SUFFIX) || strlen (name) == strlen (PART_SUFFIX))
    return LODGE_DOWNLOAD_FILE_OTHER;

  if (destination_name != NULL)
    *destination_name = g_strndup (name, strlen (name) - strlen (PART_SUFFIX));
  /* Without the server's validator beside it (none is kept when the
   * server sent none) the next run starts over. */
  path = g_build_filename (folder, name, NULL);
  sidecar = g_strconcat (path, ".lodge", NULL);
  return g_file_test (sidecar, G_FILE_TEST_IS_REGULAR) ? LODGE_DOWNLOAD_FILE_RESUMABLE
                                                       : LODGE_DOWNLOAD_FILE_PARTIAL;
}

guint64
lodge_downloader_get_received (LodgeDownloader *self)
{
  g_return_val_if_fail (LODGE_IS_DOWNLOADER (self), 0);

  return self->received;
}

guint64
lodge_downloader_get_total (LodgeDownloader *self)
{
  g_return_val_if_fail (LODGE_IS_DOWNLOADER (self), 0);

  return self->total;
}

double
lodge_downloader_get_rate (LodgeDownloader *self)
{
  g_return_val_if_fail (LODGE_IS_DOWNLOADER (self), 0);

  return self->rate;
}

guint64
lodge_downloader_get_resumed_from (LodgeDownloader *self)
{
  g_return_val_if_fail (LODGE_IS_DOWNLOADER (self), 0);

  return self->resumed_from;
}

static void
lodge_downloader_run_done_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  LodgeDownloader *self = g_task_get_source_object (outer);
  GError *error = NULL;
  char *path = g_task_propagate_pointer (G_TASK (result), &error);

  /* The last figures, even when the idle that carried them was merged. */
  job_deliver (g_task_get_task_data (G_TASK (result)));
  self->running = FALSE;

  if (path == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, path, g_free);
}

void
lodge_downloader_run_async (LodgeDownloader     *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (LODGE_IS_DOWNLOADER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (!self->running);

  self->running = TRUE;
  self->received = 0;
  self->total = 0;
  self->rate = 0;
  self->resumed_from = 0;

  job = g_atomic_rc_box_new0 (Job);
  job->uri = g_strdup (self->uri);
  job->destination = g_strdup (self->destination);
  job->part = g_strconcat (self->destination, PART_SUFFIX, NULL);
  job->sidecar = g_strconcat (self->destination, SIDECAR_SUFFIX, NULL);
  job->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&job->self, self);
  g_mutex_init (&job->lock);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lodge_downloader_run_async);

  /* The inner task runs the thread; the outer one completes after the
   * last progress was delivered. */
  task = g_task_new (NULL, cancellable, lodge_downloader_run_done_cb, g_steal_pointer (&outer));
  g_task_set_task_data (task, job, (GDestroyNotify) job_unref);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, lodge_downloader_run_thread);
}

char *
lodge_downloader_run_finish (LodgeDownloader  *self,
                             GAsyncResult     *result,
                             GError          **error)
{
  g_return_val_if_fail (LODGE_IS_DOWNLOADER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
lodge_downloader_get_default_folder (void)
{
  const char *downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  if (downloads != NULL)
    return g_strdup (downloads);
  return g_build_filename (g_get_user_data_dir (), "lodge", "downloads", NULL);
}

char *
lodge_downloader_file_name_for_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *unescaped = NULL;
  const char *path;
  const char *slash;
  GString *name;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_PATH, NULL);
  path = parsed != NULL ? g_uri_get_path (parsed) : NULL;
  if (path == NULL)
    return g_strdup ("download");

  slash = strrchr (path, '/');
  unescaped = g_uri_unescape_string (slash != NULL ? slash + 1 : path, "/");
  if (unescaped == NULL || unescaped[0] == '\0' ||
      g_str_equal (unescaped, ".") || g_str_equal (unescaped, ".."))
    return g_strdup ("download");

  /* No hidden files, no control characters. */
  name = g_string_new (NULL);
  for (const char *p = unescaped; *p != '\0'; p++)
    g_string_append_c (name, (guchar) *p < 0x20 || *p == 0x7f ? '_' : *p);
  if (name->str[0] == '.')
    name->str[0] = '_';
  return g_string_free (name, FALSE);
}
