/* lodge-storage-transfer.c: volumes copied through libvirt's streams
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Clone, upload and download, sparse both ways: a hole of the source is
 * sent as its length (VIR_STORAGE_VOL_{UP,DOWN}LOAD_SPARSE_STREAM), and
 * written as a hole (lseek and ftruncate). Streams work for remote hosts
 * too. libvirt's receiving side skips over a hole in a file that exists,
 * leaving whatever was there: so a file volume is made again empty before
 * content is sent into it.
 */
#define G_LOG_DOMAIN "lodge-storage"
/* SEEK_DATA and SEEK_HOLE */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-storage-actions-private.h"

typedef struct
{
  LodgeStorageAction *action;
  GCancellable       *cancellable;
  int                 fd;           /* the local file, or -1 */
  virStreamPtr        out;          /* clone: the upload stream */
  guint64             done;         /* bytes of data and holes */
  int                 saved_errno;  /* of a local read or write */
  gboolean            cancelled;
} Transfer;

static gboolean
transfer_step (Transfer *transfer,
               guint64   bytes)
{
  if (g_cancellable_is_cancelled (transfer->cancellable))
    {
      transfer->cancelled = TRUE;
      return FALSE;
    }
  transfer->done += bytes;
  lodge_storage_action_progress (transfer->action, transfer->done, FALSE);
  return TRUE;
}

/* Sending a local file ------------------------------------------------------ */

static int
file_source_cb (virStreamPtr  st,
                char         *data,
                size_t        nbytes,
                void         *opaque)
{
  Transfer *transfer = opaque;
  ssize_t got;

  if (g_cancellable_is_cancelled (transfer->cancellable))
    {
      transfer->cancelled = TRUE;
      return -1;
    }
  do
    got = read (transfer->fd, data, nbytes);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    {
      transfer->saved_errno = errno;
      return -1;
    }
  if (!transfer_step (transfer, got))
    return -1;
  return got;
}

/* Where the file's data or hole around the offset ends (like virsh's). */
static int
file_source_hole_cb (virStreamPtr  st,
                     int          *in_data,
                     long long    *length,
                     void         *opaque)
{
  Transfer *transfer = opaque;
  off_t cur, end, data, hole;

  if ((cur = lseek (transfer->fd, 0, SEEK_CUR)) < 0 ||
      (end = lseek (transfer->fd, 0, SEEK_END)) < 0 ||
      lseek (transfer->fd, cur, SEEK_SET) < 0)
    goto error;

  if (cur >= end)
    {
      *in_data = 0;
      *length = 0;
      return 0;
    }
  data = lseek (transfer->fd, cur, SEEK_DATA);
  if (data < 0 && errno == ENXIO)
    {
      /* A hole up to the end. */
      *in_data = 0;
      *length = end - cur;
    }
  else if (data < 0)
    goto error;
  else if (data > cur)
    {
      *in_data = 0;
      *length = data - cur;
    }
  else
    {
      hole = lseek (transfer->fd, cur, SEEK_HOLE);
      if (hole < 0)
        goto error;
      *in_data = 1;
      *length = hole - cur;
    }
  if (lseek (transfer->fd, cur, SEEK_SET) < 0)
    goto error;
  return 0;

error:
  transfer->saved_errno = errno;
  return -1;
}

static int
file_source_skip_cb (virStreamPtr  st,
                     long long     length,
                     void         *opaque)
{
  Transfer *transfer = opaque;

  if (lseek (transfer->fd, length, SEEK_CUR) < 0)
    {
      transfer->saved_errno = errno;
      return -1;
    }
  return transfer_step (transfer, length) ? 0 : -1;
}

/* Receiving into a local file, or into another stream -------------------------- */

static int
file_sink_cb (virStreamPtr  st,
              const char   *data,
              size_t        nbytes,
              void         *opaque)
{
  Transfer *transfer = opaque;
  size_t written = 0;

  while (written < nbytes)
    {
      ssize_t n = write (transfer->fd, data + written, nbytes - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          transfer->saved_errno = errno;
          return -1;
        }
      written += n;
    }
  return transfer_step (transfer, nbytes) ? (int) nbytes : -1;
}

static int
file_sink_hole_cb (virStreamPtr  st,
                   long long     length,
                   void         *opaque)
{
  Transfer *transfer = opaque;
  off_t pos = lseek (transfer->fd, length, SEEK_CUR);

  /* The file grows over the hole without writing it. */
  if (pos < 0 || ftruncate (transfer->fd, pos) < 0)
    {
      transfer->saved_errno = errno;
      return -1;
    }
  return transfer_step (transfer, length) ? 0 : -1;
}

static int
stream_sink_cb (virStreamPtr  st,
                const char   *data,
                size_t        nbytes,
                void         *opaque)
{
  Transfer *transfer = opaque;
  size_t sent = 0;

  while (sent < nbytes)
    {
      int n = virStreamSend (transfer->out, data + sent, nbytes - sent);

      if (n == -2)
        continue;
      if (n < 0)
        return -1;
      sent += n;
    }
  return transfer_step (transfer, nbytes) ? (int) nbytes : -1;
}

static int
stream_sink_hole_cb (virStreamPtr  st,
                     long long     length,
                     void         *opaque)
{
  Transfer *transfer = opaque;

  if (virStreamSendHole (transfer->out, length, 0) < 0)
    return -1;
  return transfer_step (transfer, length) ? 0 : -1;
}

/* The error of a failed transfer: cancelled, local, or libvirt's. */
static void
transfer_set_error (Transfer    *transfer,
                    GError     **error,
                    const char  *what)
{
  if (transfer->cancelled)
    {
      virResetLastError ();
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", what);
    }
  else if (transfer->saved_errno != 0)
    {
      virResetLastError ();
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED, "%s: %s", what,
                   g_strerror (transfer->saved_errno));
    }
  else
    lodge_model_set_error_from_virt_prefixed (error, what);
}

/* Bytes the stream of a volume carries: its file's size for a file volume. */
static guint64
stream_length (virStorageVolPtr vol)
{
  virStorageVolInfo info;

  if (virStorageVolGetInfoFlags (vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) == 0)
    return info.allocation;
  virResetLastError ();
  if (virStorageVolGetInfo (vol, &info) == 0)
    return info.capacity;
  virResetLastError ();
  return 0;
}

/* A file volume's XML: whether it is a file, in a pool of files. */
static gboolean
is_file_volume (virStorageVolPtr vol)
{
  virStorageVolInfo info;

  if (virStorageVolGetInfo (vol, &info) < 0)
    {
      virResetLastError ();
      return FALSE;
    }
  return info.type == VIR_STORAGE_VOL_FILE;
}

/* Makes the file volume @name of @pool anew, empty (raw, size 0): what is
 * sent into it then is all it holds. */
static virStorageVolPtr
create_empty (virStoragePoolPtr   pool,
              const char         *name,
              GError            **error)
{
  g_autofree char *xml = lodge_storage_volume_xml (name, "raw", 0, LODGE_STORAGE_ALLOCATION_NONE, NULL, NULL);
  virStorageVolPtr vol = virStorageVolCreateXML (pool, xml, 0);

  if (vol == NULL)
    lodge_model_set_error_from_virt_prefixed (error, _("Could not create the volume"));
  return vol;
}

/* Clone ---------------------------------------------------------------------- */

static gboolean
clone_by_stream (LodgeStorageAction  *action,
                 virStoragePoolPtr    pool,
                 virStorageVolPtr     source,
                 GCancellable        *cancellable,
                 GError             **error)
{
  Transfer transfer = { action, cancellable, -1, NULL, 0, 0, FALSE };
  virStreamPtr in = NULL;
  virStorageVolPtr copy;
  gboolean ok = FALSE;

  copy = create_empty (pool, action->name, error);
  if (copy == NULL)
    return FALSE;

  in = virStreamNew (action->conn, 0);
  transfer.out = virStreamNew (action->conn, 0);
  if (in == NULL || transfer.out == NULL ||
      virStorageVolDownload (source, in, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0)
    lodge_model_set_error_from_virt_prefixed (error, _("Could not read the volume"));
  else if (virStorageVolUpload (copy, transfer.out, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not write the copy"));
      virStreamAbort (in);
    }
  else if (virStreamSparseRecvAll (in, stream_sink_cb, stream_sink_hole_cb, &transfer) < 0)
    {
      /* libvirt aborted the stream it read. */
      transfer_set_error (&transfer, error, transfer.cancelled ? _("Copy cancelled") : _("Could not copy the volume"));
      virStreamAbort (transfer.out);
    }
  else if (virStreamFinish (in) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not read the volume"));
      virStreamAbort (transfer.out);
    }
  else if (virStreamFinish (transfer.out) < 0)
    lodge_model_set_error_from_virt_prefixed (error, _("Could not write the copy"));
  else
    ok = TRUE;
  virResetLastError ();

  if (in != NULL)
    virStreamFree (in);
  if (transfer.out != NULL)
    virStreamFree (transfer.out);
  if (ok)
    lodge_storage_action_progress (action, transfer.done, TRUE);
  else if (virStorageVolDelete (copy, 0) < 0)
    {
      g_autoptr(GError) local = NULL;

      lodge_model_set_error_from_virt (&local, NULL);
      g_warning ("Could not remove the unfinished copy %s: %s", action->name, local->message);
    }
  virStorageVolFree (copy);
  return ok;
}

static gboolean
clone_by_libvirt (LodgeStorageAction  *action,
                  virStoragePoolPtr    pool,
                  virStorageVolPtr     source,
                  GCancellable        *cancellable,
                  GError             **error)
{
  g_autoptr(LodgeStorageVolumeData) data = g_new0 (LodgeStorageVolumeData, 1);
  g_autofree char *xml = NULL;
  virStorageVolInfo info;
  virStorageVolPtr copy;
  char *source_xml;

  if (virStorageVolGetInfo (source, &info) < 0 || (source_xml = virStorageVolGetXMLDesc (source, 0)) == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not read the volume"));
      return FALSE;
    }
  lodge_storage_parse_volume_xml (source_xml, data);
  free (source_xml);
  xml = lodge_storage_volume_xml (action->name, data->format != NULL ? data->format : "raw", info.capacity,
                                  LODGE_STORAGE_ALLOCATION_NONE, NULL, NULL);
  /* One call that cannot be interrupted: a cancel waits for it. */
  copy = virStorageVolCreateXMLFrom (pool, xml, source, 0);
  if (copy == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not copy the volume"));
      return FALSE;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      virStorageVolDelete (copy, 0);
      virResetLastError ();
      virStorageVolFree (copy);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Copy cancelled"));
      return FALSE;
    }
  virStorageVolFree (copy);
  return TRUE;
}

static void
clone_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LodgeStorageAction *action = task_data;
  g_autoptr(GError) error = NULL;
  virStoragePoolPtr pool = NULL;
  virStorageVolPtr source, existing;
  gboolean ok = FALSE;

  /* A disk a running machine writes to would be copied half-written. */
  source = lodge_storage_action_lookup_volume (action, &error);
  if (source != NULL && lodge_storage_action_check_unused (action, source, &error))
    pool = lodge_storage_action_lookup_pool (action, &error);
  if (pool == NULL)
    ;
  else if ((existing = virStorageVolLookupByName (pool, action->name)) != NULL)
    {
      virStorageVolFree (existing);
      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("The pool has a volume named “%s” already"), action->name);
    }
  else
    {
      virResetLastError ();
      action->total = stream_length (source);
      if (is_file_volume (source))
        ok = clone_by_stream (action, pool, source, cancellable, &error);
      else
        ok = clone_by_libvirt (action, pool, source, cancellable, &error);
    }
  if (ok)
    action->result_name = g_strdup (action->name);
  if (source != NULL)
    virStorageVolFree (source);
  if (pool != NULL)
    virStoragePoolFree (pool);
  lodge_storage_action_read_pool (action);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lodge_storage_volume_clone_async (LodgeStorageVolume       *self,
                                  const char               *name,
                                  LodgeStorageProgressFunc  progress,
                                  gpointer                  progress_data,
                                  GCancellable             *cancellable,
                                  GAsyncReadyCallback       callback,
                                  gpointer                  user_data)
{
  g_autoptr(GError) error = NULL;
  LodgeStorageAction *action = NULL;

  g_return_if_fail (LODGE_IS_STORAGE_VOLUME (self));

  if (lodge_storage_check_name (name, TRUE, &error))
    action = lodge_storage_volume_action_new (self, &error);
  if (action == NULL)
    {
      g_task_report_error (self, callback, user_data, lodge_storage_volume_clone_async,
                           g_steal_pointer (&error));
      return;
    }
  action->name = g_strdup (name);
  action->progress = progress;
  action->progress_data = progress_data;
  lodge_storage_action_run (action, lodge_storage_pool_get_storage (lodge_storage_volume_get_pool (self)),
                            self, lodge_storage_volume_clone_async, clone_thread,
                            cancellable, callback, user_data);
}

LodgeStorageVolume *
lodge_storage_volume_clone_finish (LodgeStorageVolume  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Upload ----------------------------------------------------------------------- */

static void
upload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LodgeStorageAction *action = task_data;
  Transfer transfer = { action, cancellable, -1, NULL, 0, 0, FALSE };
  g_autoptr(GError) error = NULL;
  virStorageVolPtr vol = NULL;
  virStreamPtr st = NULL;
  gboolean started = FALSE;
  gboolean ok = FALSE;
  struct stat st_buf;

  transfer.fd = g_open (action->path, O_RDONLY | O_CLOEXEC, 0);
  if (transfer.fd < 0 || fstat (transfer.fd, &st_buf) < 0)
    {
      int saved = errno;
      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("Could not read %s: %s"), action->path, g_strerror (saved));
      goto out;
    }
  if (!S_ISREG (st_buf.st_mode))
    {
      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("%s is not a file"), action->path);
      goto out;
    }
  action->total = st_buf.st_size;

  vol = lodge_storage_action_lookup_volume (action, &error);
  if (vol == NULL || !lodge_storage_action_check_unused (action, vol, &error))
    goto out;

  if (is_file_volume (vol))
    {
      virStoragePoolPtr pool = virStoragePoolLookupByVolume (vol);
      g_autofree char *name = g_strdup (virStorageVolGetName (vol));

      if (pool == NULL)
        {
          lodge_model_set_error_from_virt_prefixed (&error, _("Could not find the volume’s pool"));
          goto out;
        }
      /* The upload replaces everything: the old file goes first (see
       * the top of this file). */
      if (virStorageVolDelete (vol, 0) < 0)
        {
          lodge_model_set_error_from_virt_prefixed (&error, _("Could not empty the volume"));
          virStoragePoolFree (pool);
          goto out;
        }
      virStorageVolFree (vol);
      vol = create_empty (pool, name, &error);
      virStoragePoolFree (pool);
      if (vol == NULL)
        {
          g_prefix_error (&error, _("The volume was emptied but not made again: "));
          goto out;
        }
    }

  started = TRUE;
  st = virStreamNew (action->conn, 0);
  if (st == NULL || virStorageVolUpload (vol, st, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0)
    lodge_model_set_error_from_virt_prefixed (&error, _("Could not write the volume"));
  else if (virStreamSparseSendAll (st, file_source_cb, file_source_hole_cb, file_source_skip_cb, &transfer) < 0)
    transfer_set_error (&transfer, &error, transfer.cancelled ? _("Upload cancelled")
                                                              : _("Could not upload the file"));
  else if (virStreamFinish (st) < 0)
    lodge_model_set_error_from_virt_prefixed (&error, _("Could not upload the file"));
  else
    ok = TRUE;
  if (ok)
    lodge_storage_action_progress (action, transfer.done, TRUE);

out:
  if (!ok && started)
    {
      GError *incomplete = g_error_new (error->domain, error->code,
                                        /* Translators: %s says why an upload stopped. */
                                        _("%s. The volume’s content is incomplete."), error->message);
      g_error_free (error);
      error = incomplete;
    }
  if (st != NULL)
    virStreamFree (st);
  if (vol != NULL)
    virStorageVolFree (vol);
  if (transfer.fd >= 0)
    close (transfer.fd);
  virResetLastError ();
  lodge_storage_action_read_pool (action);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Upload and download: the same start, their own thread. */
static void
volume_transfer_start (LodgeStorageVolume       *self,
                       const char               *path,
                       LodgeStorageProgressFunc  progress,
                       gpointer                  progress_data,
                       gpointer                  source_tag,
                       GTaskThreadFunc           thread,
                       GCancellable             *cancellable,
                       GAsyncReadyCallback       callback,
                       gpointer                  user_data)
{
  g_autoptr(GError) error = NULL;
  LodgeStorageAction *action = lodge_storage_volume_action_new (self, &error);

  if (action == NULL)
    {
      g_task_report_error (self, callback, user_data, source_tag, g_steal_pointer (&error));
      return;
    }
  action->path = g_strdup (path);
  action->progress = progress;
  action->progress_data = progress_data;
  lodge_storage_action_run (action, lodge_storage_pool_get_storage (lodge_storage_volume_get_pool (self)),
                            self, source_tag, thread, cancellable, callback, user_data);
}

void
lodge_storage_volume_upload_async (LodgeStorageVolume       *self,
                                   const char               *path,
                                   LodgeStorageProgressFunc  progress,
                                   gpointer                  progress_data,
                                   GCancellable             *cancellable,
                                   GAsyncReadyCallback       callback,
                                   gpointer                  user_data)
{
  g_return_if_fail (LODGE_IS_STORAGE_VOLUME (self));
  g_return_if_fail (path != NULL);

  volume_transfer_start (self, path, progress, progress_data, lodge_storage_volume_upload_async,
                         upload_thread, cancellable, callback, user_data);
}

gboolean
lodge_storage_volume_upload_finish (LodgeStorageVolume  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Download --------------------------------------------------------------------- */

static void
download_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  LodgeStorageAction *action = task_data;
  Transfer transfer = { action, cancellable, -1, NULL, 0, 0, FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *partial = NULL;
  virStorageVolPtr vol;
  virStreamPtr st = NULL;
  gboolean ok = FALSE;

  vol = lodge_storage_action_lookup_volume (action, &error);
  if (vol == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  action->total = stream_length (vol);

  /* Written beside the file and renamed once complete: a failure leaves
   * neither a partial file nor a damaged old one. */
  partial = g_strdup_printf ("%s.XXXXXX", action->path);
  transfer.fd = g_mkstemp_full (partial, O_WRONLY | O_CLOEXEC, 0644);
  if (transfer.fd < 0)
    {
      int saved = errno;
      g_autofree char *dir = g_path_get_dirname (action->path);
      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("Could not write in %s: %s"), dir, g_strerror (saved));
      g_clear_pointer (&partial, g_free);
    }
  else if ((st = virStreamNew (action->conn, 0)) == NULL ||
           virStorageVolDownload (vol, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0)
    lodge_model_set_error_from_virt_prefixed (&error, _("Could not read the volume"));
  else if (virStreamSparseRecvAll (st, file_sink_cb, file_sink_hole_cb, &transfer) < 0)
    transfer_set_error (&transfer, &error, transfer.cancelled ? _("Download cancelled")
                                                              : _("Could not download the volume"));
  else if (virStreamFinish (st) < 0)
    lodge_model_set_error_from_virt_prefixed (&error, _("Could not download the volume"));
  else if (close (transfer.fd) < 0 || (transfer.fd = -1, g_rename (partial, action->path) < 0))
    {
      int saved = errno;
      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                   _("Could not write %s: %s"), action->path, g_strerror (saved));
      transfer.fd = -1;
    }
  else
    ok = TRUE;
  virResetLastError ();

  if (transfer.fd >= 0)
    close (transfer.fd);
  if (!ok && partial != NULL)
    g_unlink (partial);
  if (ok)
    lodge_storage_action_progress (action, transfer.done, TRUE);
  if (st != NULL)
    virStreamFree (st);
  virStorageVolFree (vol);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lodge_storage_volume_download_async (LodgeStorageVolume       *self,
                                     const char               *path,
                                     LodgeStorageProgressFunc  progress,
                                     gpointer                  progress_data,
                                     GCancellable             *cancellable,
                                     GAsyncReadyCallback       callback,
                                     gpointer                  user_data)
{
  g_return_if_fail (LODGE_IS_STORAGE_VOLUME (self));
  g_return_if_fail (path != NULL);

  volume_transfer_start (self, path, progress, progress_data, lodge_storage_volume_download_async,
                         download_thread, cancellable, callback, user_data);
}

gboolean
lodge_storage_volume_download_finish (LodgeStorageVolume  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
