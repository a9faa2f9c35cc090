/* lodge-pending-cleanup.c: what a failed creation could not remove yet
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-pending-cleanup"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "model/lodge-connection.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-pending-cleanup.h"

#define KEY_DOMAINS  "domains"
#define KEY_VOLUMES  "volumes"

/* The record is read and written by worker threads (creators, runs). */
static GMutex record_lock;

struct _LodgePendingCleanup
{
  GObject          parent_instance;

  LodgeConnection *connection;   /* weak: its host owns us */
  char            *uri;
  guint            n_pending;
  gboolean         running;
  gboolean         again;        /* asked again during a run */
};

G_DEFINE_FINAL_TYPE (LodgePendingCleanup, lodge_pending_cleanup, G_TYPE_OBJECT)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- the record (any thread, under record_lock) ---- */

static char *
record_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "lodge", "pending-cleanups.ini", NULL);
}

static GKeyFile *
record_load (void)
{
  g_autofree char *path = record_path ();
  GKeyFile *file = g_key_file_new ();

  /* Missing or unreadable: nothing is pending. */
  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL);
  return file;
}

static gboolean
record_save (GKeyFile  *file,
             GError   **error)
{
  g_autofree char *path = record_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);
  gsize len = 0;

  if (groups == NULL || groups[0] == NULL)
    {
      g_unlink (path);
      return TRUE;
    }

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  data = g_key_file_to_data (file, &len, NULL);
  return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static void
merge_list (GKeyFile           *file,
            const char         *group,
            const char         *key,
            const char * const *more)
{
  g_auto(GStrv) old = g_key_file_get_string_list (file, group, key, NULL, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) merged = NULL;

  if (old != NULL)
    g_strv_builder_addv (builder, (const char **)old);
  for (guint i = 0; more != NULL && more[i] != NULL; i++)
    if (old == NULL || !g_strv_contains ((const char * const *)old, more[i]))
      g_strv_builder_add (builder, more[i]);
  merged = g_strv_builder_end (builder);

  if (merged[0] != NULL)
    g_key_file_set_string_list (file, group, key, (const char * const *)merged, g_strv_length (merged));
}

gboolean
lodge_pending_cleanup_record (const char         *uri,
                              const char * const *domain_uuids,
                              const char * const *volumes,
                              GError            **error)
{
  g_autoptr(GKeyFile) file = NULL;
  gboolean ok;

  g_return_val_if_fail (uri != NULL, FALSE);

  if ((domain_uuids == NULL || domain_uuids[0] == NULL) && (volumes == NULL || volumes[0] == NULL))
    return TRUE;

  g_mutex_lock (&record_lock);
  file = record_load ();
  merge_list (file, uri, KEY_DOMAINS, domain_uuids);
  merge_list (file, uri, KEY_VOLUMES, volumes);
  ok = record_save (file, error);
  g_mutex_unlock (&record_lock);
  return ok;
}

/* Only what the creator writes: domains by UUID, volumes as "pool/name"
 * with neither part empty. Anything else in the file (edited by hand,
 * damaged) is ignored, never acted on. */
static char **
record_get_entries (GKeyFile   *file,
                    const char *uri,
                    const char *key)
{
  g_auto(GStrv) list = g_key_file_get_string_list (file, uri, key, NULL, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    {
      const char *entry = list[i];
      const char *slash = strchr (entry, '/');
      gboolean valid;

      if (g_str_equal (key, KEY_DOMAINS))
        valid = g_uuid_string_is_valid (entry);
      else
        valid = slash != NULL && slash != entry && slash[1] != '\0' && strchr (slash + 1, '/') == NULL &&
                g_utf8_validate (entry, -1, NULL);
      if (valid)
        g_strv_builder_add (builder, entry);
    }
  return g_strv_builder_end (builder);
}

void
lodge_pending_cleanup_parse (const char   *data,
                             gsize         len,
                             const char   *uri,
                             char       ***domain_uuids,
                             char       ***volumes)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();

  g_return_if_fail (uri != NULL);

  if (data != NULL)
    g_key_file_load_from_data (file, data, len, G_KEY_FILE_NONE, NULL);
  if (domain_uuids != NULL)
    *domain_uuids = record_get_entries (file, uri, KEY_DOMAINS);
  if (volumes != NULL)
    *volumes = record_get_entries (file, uri, KEY_VOLUMES);
}

void
lodge_pending_cleanup_list (const char   *uri,
                            char       ***domain_uuids,
                            char       ***volumes)
{
  g_autoptr(GKeyFile) file = NULL;

  g_return_if_fail (uri != NULL);

  g_mutex_lock (&record_lock);
  file = record_load ();
  g_mutex_unlock (&record_lock);

  if (domain_uuids != NULL)
    *domain_uuids = record_get_entries (file, uri, KEY_DOMAINS);
  if (volumes != NULL)
    *volumes = record_get_entries (file, uri, KEY_VOLUMES);
}

/* ---- the run (worker thread) ---- */

/* TRUE when the domain is gone (removed now, or already); FALSE when it
 * must wait (the daemon is still away). */
static gboolean
remove_domain (virConnectPtr  conn,
               const char    *uuid)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);
  gboolean done;

  if (dom != NULL)
    {
      if (virDomainIsActive (dom) == 1)
        virDomainDestroy (dom);
      if (virDomainIsPersistent (dom) == 1)
        lodge_virt_domain_undefine_all (dom);
      virDomainFree (dom);
      virResetLastError ();
      dom = virDomainLookupByUUIDString (conn, uuid);
    }
  done = dom == NULL && virConnectIsAlive (conn) == 1;
  if (dom != NULL)
    virDomainFree (dom);
  virResetLastError ();
  return done;
}

static gboolean
remove_volume (virConnectPtr  conn,
               const char    *pool_and_name)
{
  const char *slash = strchr (pool_and_name, '/');
  g_autofree char *pool_name = NULL;
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  gboolean done;

  if (slash == NULL)
    return TRUE;   /* not ours: drop it */
  pool_name = g_strndup (pool_and_name, slash - pool_and_name);

  pool = virStoragePoolLookupByName (conn, pool_name);
  if (pool == NULL)
    {
      /* No pool, no volume. */
      virResetLastError ();
      return virConnectIsAlive (conn) == 1;
    }
  /* After a restart the pool may not be started yet; the file may be
   * there without libvirt having seen it. */
  if (virStoragePoolIsActive (pool) == 0)
    virStoragePoolCreate (pool, 0);
  virStoragePoolRefresh (pool, 0);
  virResetLastError ();

  vol = virStorageVolLookupByName (pool, slash + 1);
  if (vol == NULL)
    done = virConnectIsAlive (conn) == 1 && virStoragePoolIsActive (pool) == 1;
  else
    {
      done = virStorageVolDelete (vol, 0) == 0;
      if (!done)
        {
          g_autoptr(GError) error = NULL;

          lodge_model_set_error_from_virt (&error, NULL);
          g_warning ("Could not remove the volume %s of a failed creation: %s",
                     pool_and_name, error->message);
        }
      virStorageVolFree (vol);
    }
  virResetLastError ();
  virStoragePoolFree (pool);
  return done;
}

typedef struct
{
  char          *uri;
  virConnectPtr  conn;     /* NULL: not connected, only count */
} Run;

static void
run_free (Run *run)
{
  /* Closed on the worker by lodge_virt_task_run_in_thread(). */
  g_assert (run->conn == NULL);
  g_free (run->uri);
  g_free (run);
}

static void
run_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Run *run = task_data;
  const char *uri = run->uri;
  virConnectPtr conn = run->conn;
  g_autoptr(GKeyFile) file = NULL;
  g_autoptr(GStrvBuilder) domains_left = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) volumes_left = g_strv_builder_new ();
  g_auto(GStrv) domains = NULL;
  g_auto(GStrv) volumes = NULL;
  g_auto(GStrv) left_d = NULL;
  g_auto(GStrv) left_v = NULL;
  g_autoptr(GError) error = NULL;

  /* Held for the whole run: a creator that records meanwhile waits, and
   * its entries are not lost by our write. */
  g_mutex_lock (&record_lock);
  file = record_load ();
  domains = record_get_entries (file, uri, KEY_DOMAINS);
  volumes = record_get_entries (file, uri, KEY_VOLUMES);

  /* Domains first: a defined domain keeps its disk in use. */
  for (guint i = 0; domains != NULL && domains[i] != NULL; i++)
    if (conn == NULL || !remove_domain (conn, domains[i]))
      g_strv_builder_add (domains_left, domains[i]);
  for (guint i = 0; volumes != NULL && volumes[i] != NULL; i++)
    if (conn == NULL || !remove_volume (conn, volumes[i]))
      g_strv_builder_add (volumes_left, volumes[i]);

  left_d = g_strv_builder_end (domains_left);
  left_v = g_strv_builder_end (volumes_left);
  g_key_file_remove_group (file, uri, NULL);
  merge_list (file, uri, KEY_DOMAINS, (const char * const *)left_d);
  merge_list (file, uri, KEY_VOLUMES, (const char * const *)left_v);
  if (!record_save (file, &error))
    g_warning ("Could not update the record of pending cleanups: %s", error->message);
  g_mutex_unlock (&record_lock);

  g_task_return_int (task, g_strv_length (left_d) + g_strv_length (left_v));
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  LodgePendingCleanup *self = LODGE_PENDING_CLEANUP (object);
  gssize left = g_task_propagate_int (G_TASK (result), NULL);

  self->running = FALSE;
  self->n_pending = left > 0 ? (guint)left : 0;

  if (self->again)
    {
      self->again = FALSE;
      lodge_pending_cleanup_run (self);
      return;
    }

  g_signal_emit (self, signals[FINISHED], 0, self->n_pending);
}

void
lodge_pending_cleanup_run (LodgePendingCleanup *self)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (LODGE_IS_PENDING_CLEANUP (self));

  if (self->running)
    {
      self->again = TRUE;
      return;
    }

  run = g_new0 (Run, 1);
  run->uri = g_strdup (self->uri);
  /* Without a connection the run only counts what waits. */
  if (self->connection != NULL &&
      lodge_connection_get_state (self->connection) == LODGE_CONNECTION_STATE_CONNECTED)
    run->conn = lodge_connection_ref_virconnect (self->connection);

  self->running = TRUE;
  task = g_task_new (self, NULL, run_cb, NULL);
  g_task_set_source_tag (task, lodge_pending_cleanup_run);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  lodge_virt_task_run_in_thread (task, run_worker, &run->conn);
}

/* ---- the object ---- */

static void
lodge_pending_cleanup_dispose (GObject *object)
{
  LodgePendingCleanup *self = (LodgePendingCleanup *)object;

  if (self->connection != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->connection), (gpointer *)&self->connection);
      self->connection = NULL;
    }

  G_OBJECT_CLASS (lodge_pending_cleanup_parent_class)->dispose (object);
}

static void
lodge_pending_cleanup_finalize (GObject *object)
{
  LodgePendingCleanup *self = (LodgePendingCleanup *)object;

  g_free (self->uri);

  G_OBJECT_CLASS (lodge_pending_cleanup_parent_class)->finalize (object);
}

static void
lodge_pending_cleanup_class_init (LodgePendingCleanupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_pending_cleanup_dispose;
  object_class->finalize = lodge_pending_cleanup_finalize;

  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
lodge_pending_cleanup_init (LodgePendingCleanup *self)
{
}

LodgePendingCleanup *
lodge_pending_cleanup_new (LodgeConnection *connection)
{
  LodgePendingCleanup *self;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);

  self = g_object_new (LODGE_TYPE_PENDING_CLEANUP, NULL);
  self->connection = connection;
  self->uri = g_strdup (lodge_connection_get_uri (connection));
  g_object_add_weak_pointer (G_OBJECT (connection), (gpointer *)&self->connection);
  return self;
}

guint
lodge_pending_cleanup_get_n_pending (LodgePendingCleanup *self)
{
  g_return_val_if_fail (LODGE_IS_PENDING_CLEANUP (self), 0);

  return self->n_pending;
}
