/* lodge-state-store.c: what Lodge remembers of each machine, in one file
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-state-store"

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "model/lodge-state-store.h"

#define SAVE_DELAY_MS 1000

/* Shared with the writes on workers: a write never replaces the file with
 * older contents than the last one written (a flush at exit may overtake
 * a write that is still on its way). */
typedef struct
{
  gatomicrefcount ref;
  GMutex          lock;
  guint64         last_written;
} Writer;

static Writer *
writer_ref (Writer *writer)
{
  g_atomic_ref_count_inc (&writer->ref);
  return writer;
}

static void
writer_unref (Writer *writer)
{
  if (!g_atomic_ref_count_dec (&writer->ref))
    return;
  g_mutex_clear (&writer->lock);
  g_free (writer);
}

struct _LodgeStateStore
{
  GObject    parent_instance;

  Writer    *writer;
  guint64    generation;
  char      *path;
  GKeyFile  *file;
  guint      save_source;
  gboolean   dirty;
  /* One write at a time: a change made while one runs is written by the
   * next, queued after it. */
  gboolean   writing;
  GPtrArray *waiters;     /* save_async tasks of the next write */
  GPtrArray *in_flight;   /* ... and of the one running */
};

G_DEFINE_FINAL_TYPE (LodgeStateStore, lodge_state_store, G_TYPE_OBJECT)

static void lodge_state_store_write (LodgeStateStore *self);

/* A key file's group names may not hold '[' or ']' (IPv6 hosts) nor
 * control characters: the URI is escaped. */
static char *
group_name (const char *host_uri,
            const char *uuid)
{
  g_autofree char *escaped = g_uri_escape_string (host_uri, ":/@+?&=,;.", FALSE);

  return g_strconcat (escaped, " ", uuid, NULL);
}

typedef struct
{
  Writer  *writer;
  guint64  generation;
  char    *path;
  char    *contents;
} WriteData;

static void
write_data_free (WriteData *data)
{
  writer_unref (data->writer);
  g_free (data->path);
  g_free (data->contents);
  g_free (data);
}

static gboolean
write_file (const WriteData  *data,
            GError          **error)
{
  g_autofree char *dir = g_path_get_dirname (data->path);
  /* Held for the whole write; clang would call it unused. */
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&data->writer->lock);
  gboolean ok;

  if (data->generation <= data->writer->last_written)
    return TRUE; /* newer contents are on disk already */

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not make %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  /* g_file_set_contents writes a new file and renames it over the old:
   * a full disk leaves the old file whole. */
  ok = g_file_set_contents_full (data->path, data->contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  if (ok)
    data->writer->last_written = data->generation;
  return ok;
}

static void
lodge_state_store_write_thread (GTask        *task,
                                gpointer      source_object,
                                gpointer      task_data,
                                GCancellable *cancellable)
{
  GError *error = NULL;

  if (write_file (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
lodge_state_store_write_done_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  LodgeStateStore *self = LODGE_STATE_STORE (object);
  g_autoptr(GPtrArray) done = g_steal_pointer (&self->in_flight);
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not save %s: %s", self->path, error->message);

  for (guint i = 0; done != NULL && i < done->len; i++)
    {
      GTask *waiter = g_ptr_array_index (done, i);

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_boolean (waiter, TRUE);
    }

  if (self->dirty && self->save_source == 0)
    lodge_state_store_write (self);
}

static void
lodge_state_store_write (LodgeStateStore *self)
{
  g_autoptr(GTask) task = NULL;
  WriteData *data;

  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->writing)
    return; /* the done callback writes again */

  if (self->path == NULL)
    {
      self->dirty = FALSE;
      self->in_flight = g_steal_pointer (&self->waiters);
      self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < self->in_flight->len; i++)
        g_task_return_boolean (g_ptr_array_index (self->in_flight, i), TRUE);
      g_clear_pointer (&self->in_flight, g_ptr_array_unref);
      return;
    }

  data = g_new0 (WriteData, 1);
  data->writer = writer_ref (self->writer);
  data->generation = ++self->generation;
  data->path = g_strdup (self->path);
  data->contents = g_key_file_to_data (self->file, NULL, NULL);
  self->dirty = FALSE;
  self->writing = TRUE;
  self->in_flight = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);

  task = g_task_new (self, NULL, lodge_state_store_write_done_cb, NULL);
  g_task_set_source_tag (task, lodge_state_store_write);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
  g_task_run_in_thread (task, lodge_state_store_write_thread);
}

static gboolean
lodge_state_store_save_timeout_cb (gpointer user_data)
{
  LodgeStateStore *self = user_data;

  self->save_source = 0;
  lodge_state_store_write (self);
  return G_SOURCE_REMOVE;
}

static void
lodge_state_store_changed (LodgeStateStore *self)
{
  self->dirty = TRUE;
  if (self->save_source == 0)
    self->save_source = g_timeout_add (SAVE_DELAY_MS, lodge_state_store_save_timeout_cb, self);
}

static void
lodge_state_store_dispose (GObject *object)
{
  LodgeStateStore *self = LODGE_STATE_STORE (object);

  if (self->dirty)
    lodge_state_store_flush (self);
  g_clear_handle_id (&self->save_source, g_source_remove);

  G_OBJECT_CLASS (lodge_state_store_parent_class)->dispose (object);
}

static void
lodge_state_store_finalize (GObject *object)
{
  LodgeStateStore *self = LODGE_STATE_STORE (object);

  g_free (self->path);
  g_key_file_unref (self->file);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  writer_unref (self->writer);

  G_OBJECT_CLASS (lodge_state_store_parent_class)->finalize (object);
}

static void
lodge_state_store_class_init (LodgeStateStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_state_store_dispose;
  object_class->finalize = lodge_state_store_finalize;
}

static void
lodge_state_store_init (LodgeStateStore *self)
{
  self->file = g_key_file_new ();
  self->writer = g_new0 (Writer, 1);
  g_atomic_ref_count_init (&self->writer->ref);
  g_mutex_init (&self->writer->lock);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

LodgeStateStore *
lodge_state_store_new (const char *path)
{
  LodgeStateStore *self = g_object_new (LODGE_TYPE_STATE_STORE, NULL);
  g_autoptr(GError) error = NULL;

  self->path = g_strdup (path);
  if (path != NULL &&
      !g_key_file_load_from_file (self->file, path, G_KEY_FILE_NONE, &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning ("Could not read %s (starting afresh): %s", path, error->message);

  return self;
}

const char *
lodge_state_store_get_path (LodgeStateStore *self)
{
  g_return_val_if_fail (LODGE_IS_STATE_STORE (self), NULL);
  return self->path;
}

gint64
lodge_state_store_get_int64 (LodgeStateStore *self,
                             const char      *host_uri,
                             const char      *uuid,
                             const char      *key,
                             gint64           fallback)
{
  g_autofree char *group = NULL;
  g_autoptr(GError) error = NULL;
  gint64 value;

  g_return_val_if_fail (LODGE_IS_STATE_STORE (self), fallback);
  g_return_val_if_fail (host_uri != NULL && uuid != NULL && key != NULL, fallback);

  group = group_name (host_uri, uuid);
  value = g_key_file_get_int64 (self->file, group, key, &error);
  return error != NULL ? fallback : value;
}

void
lodge_state_store_set_int64 (LodgeStateStore *self,
                             const char      *host_uri,
                             const char      *uuid,
                             const char      *key,
                             gint64           value)
{
  g_autofree char *group = NULL;

  g_return_if_fail (LODGE_IS_STATE_STORE (self));
  g_return_if_fail (host_uri != NULL && uuid != NULL && key != NULL);

  group = group_name (host_uri, uuid);
  g_key_file_set_int64 (self->file, group, key, value);
  lodge_state_store_changed (self);
}

gboolean
lodge_state_store_get_boolean (LodgeStateStore *self,
                               const char      *host_uri,
                               const char      *uuid,
                               const char      *key,
                               gboolean         fallback)
{
  g_autofree char *group = NULL;
  g_autoptr(GError) error = NULL;
  gboolean value;

  g_return_val_if_fail (LODGE_IS_STATE_STORE (self), fallback);
  g_return_val_if_fail (host_uri != NULL && uuid != NULL && key != NULL, fallback);

  group = group_name (host_uri, uuid);
  value = g_key_file_get_boolean (self->file, group, key, &error);
  return error != NULL ? fallback : value;
}

void
lodge_state_store_set_boolean (LodgeStateStore *self,
                               const char      *host_uri,
                               const char      *uuid,
                               const char      *key,
                               gboolean         value)
{
  g_autofree char *group = NULL;

  g_return_if_fail (LODGE_IS_STATE_STORE (self));
  g_return_if_fail (host_uri != NULL && uuid != NULL && key != NULL);

  group = group_name (host_uri, uuid);
  g_key_file_set_boolean (self->file, group, key, value);
  lodge_state_store_changed (self);
}

void
lodge_state_store_forget (LodgeStateStore *self,
                          const char      *host_uri,
                          const char      *uuid)
{
  g_autofree char *group = NULL;

  g_return_if_fail (LODGE_IS_STATE_STORE (self));
  g_return_if_fail (host_uri != NULL && uuid != NULL);

  group = group_name (host_uri, uuid);
  if (g_key_file_remove_group (self->file, group, NULL))
    lodge_state_store_changed (self);
}

void
lodge_state_store_save_async (LodgeStateStore     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (LODGE_IS_STATE_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_state_store_save_async);
  g_ptr_array_add (self->waiters, task);
  self->dirty = TRUE;
  lodge_state_store_write (self);
}

gboolean
lodge_state_store_save_finish (LodgeStateStore  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (LODGE_IS_STATE_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_state_store_flush (LodgeStateStore *self)
{
  g_autoptr(GError) error = NULL;
  WriteData data;

  g_return_if_fail (LODGE_IS_STATE_STORE (self));

  g_clear_handle_id (&self->save_source, g_source_remove);
  if (!self->dirty || self->path == NULL)
    return;
  /* A write already on a worker holds older contents; this one replaces
   * the file after it or before it, and holds everything. */
  data.writer = self->writer;
  data.generation = ++self->generation;
  data.path = self->path;
  data.contents = g_key_file_to_data (self->file, NULL, NULL);
  if (!write_file (&data, &error))
    g_warning ("Could not save %s: %s", self->path, error->message);
  g_free (data.contents);
  self->dirty = FALSE;
}
