/* lodge-throwaway-watcher.c: removes throwaway machines' overlays when they stop
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-throwaway-watcher"

#include "config.h"

#include <string.h>

#include "model/lodge-connection.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-throwaway-watcher.h"

struct _LodgeThrowawayWatcher
{
  GObject          parent_instance;

  LodgeConnection *connection;    /* weak: its host owns us */
  virConnectPtr    conn;          /* the one our callback is registered on */
  int              callback_id;
  GHashTable      *watched;       /* uuid → overlay path */
  gulong           reconnected_id;

  /* uuids whose overlay is being made and whose domain does not run yet:
   * a sweep must not take them for orphans. Read by removal workers. */
  GMutex           held_lock;
  GHashTable      *held;          /* uuid → count */
};

G_DEFINE_FINAL_TYPE (LodgeThrowawayWatcher, lodge_throwaway_watcher, G_TYPE_OBJECT)

enum {
  OVERLAY_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void register_events (LodgeThrowawayWatcher *self);

/* Deregistering talks to the daemon: on a worker, never on the main
 * thread. The callback holds only a weak reference to the watcher. */
typedef struct
{
  virConnectPtr conn;
  int           callback_id;
} Unregister;

static void
unregister_free (Unregister *unregister)
{
  if (unregister->conn != NULL)
    virConnectClose (unregister->conn);
  g_free (unregister);
}

static void
unregister_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Unregister *unregister = task_data;

  if (unregister->callback_id >= 0)
    virConnectDomainEventDeregisterAny (unregister->conn, unregister->callback_id);
  virResetLastError ();
  g_clear_pointer (&unregister->conn, virConnectClose);
  g_task_return_boolean (task, TRUE);
}

static void
unregister_events (LodgeThrowawayWatcher *self)
{
  g_autoptr(GTask) task = NULL;
  Unregister *unregister;

  if (self->conn == NULL)
    return;

  unregister = g_new0 (Unregister, 1);
  unregister->conn = g_steal_pointer (&self->conn);
  unregister->callback_id = self->callback_id;
  self->callback_id = -1;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, unregister_events);
  g_task_set_task_data (task, unregister, (GDestroyNotify)unregister_free);
  g_task_run_in_thread (task, unregister_worker);
}

static void
lodge_throwaway_watcher_dispose (GObject *object)
{
  LodgeThrowawayWatcher *self = (LodgeThrowawayWatcher *)object;

  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->reconnected_id, self->connection);
      g_object_remove_weak_pointer (G_OBJECT (self->connection), (gpointer *)&self->connection);
      self->connection = NULL;
    }
  unregister_events (self);
  g_clear_pointer (&self->watched, g_hash_table_unref);

  G_OBJECT_CLASS (lodge_throwaway_watcher_parent_class)->dispose (object);
}

static void
lodge_throwaway_watcher_finalize (GObject *object)
{
  LodgeThrowawayWatcher *self = (LodgeThrowawayWatcher *)object;

  g_clear_pointer (&self->held, g_hash_table_unref);
  g_mutex_clear (&self->held_lock);

  G_OBJECT_CLASS (lodge_throwaway_watcher_parent_class)->finalize (object);
}

static void
lodge_throwaway_watcher_class_init (LodgeThrowawayWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_throwaway_watcher_dispose;
  object_class->finalize = lodge_throwaway_watcher_finalize;

  signals[OVERLAY_REMOVED] =
    g_signal_new ("overlay-removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
lodge_throwaway_watcher_init (LodgeThrowawayWatcher *self)
{
  self->callback_id = -1;
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&self->held_lock);
  self->held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
lodge_throwaway_watcher_is_held (LodgeThrowawayWatcher *self,
                                 const char            *uuid)
{
  gboolean held;

  g_mutex_lock (&self->held_lock);
  held = g_hash_table_contains (self->held, uuid);
  g_mutex_unlock (&self->held_lock);

  return held;
}

/* ---- deleting an overlay (worker thread) ---- */

typedef struct
{
  virConnectPtr conn;
  char         *uuid;
  char         *path;
} Removal;

static void
removal_free (Removal *removal)
{
  if (removal->conn != NULL)
    virConnectClose (removal->conn);
  g_free (removal->uuid);
  g_free (removal->path);
  g_free (removal);
}

static void
remove_overlay_worker (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  LodgeThrowawayWatcher *self = source_object;
  Removal *removal = task_data;
  virStorageVolPtr vol;
  virDomainPtr dom;
  g_autoptr(GError) error = NULL;

  /* Being created: its domain does not run yet, but it is no orphan. */
  if (lodge_throwaway_watcher_is_held (self, removal->uuid))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "being created");
      return;
    }

  /* Still running (a second event, or a sweep racing a start): keep it. */
  dom = virDomainLookupByUUIDString (removal->conn, removal->uuid);
  if (dom != NULL)
    {
      int active = virDomainIsActive (dom);

      virDomainFree (dom);
      if (active == 1)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "still running");
          return;
        }
    }
  virResetLastError ();

  vol = virStorageVolLookupByPath (removal->conn, removal->path);
  if (vol == NULL)
    {
      /* Gone already: nothing to do. */
      virResetLastError ();
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Again now that the volume was found: a creator holds the uuid before
   * it makes the overlay, so an overlay that exists and is held is one
   * being created, not an orphan. */
  if (lodge_throwaway_watcher_is_held (self, removal->uuid))
    {
      virStorageVolFree (vol);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "being created");
      return;
    }

  if (virStorageVolDelete (vol, 0) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not remove a throwaway machine’s disk"));
      virStorageVolFree (vol);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  virStorageVolFree (vol);
  g_task_return_boolean (task, TRUE);
}

static void
remove_overlay_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LodgeThrowawayWatcher *self = LODGE_THROWAWAY_WATCHER (object);
  Removal *removal = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    return;

  /* A transient domain that stops sends STOPPED and UNDEFINED: two
   * removals race, and only the first one that finishes reports. */
  if (self->watched == NULL || !g_hash_table_remove (self->watched, removal->uuid))
    return;

  if (error != NULL)
    g_warning ("%s", error->message);

  g_signal_emit (self, signals[OVERLAY_REMOVED], 0, removal->uuid, removal->path, error);
}

static void
remove_overlay (LodgeThrowawayWatcher *self,
                const char            *uuid,
                const char            *path)
{
  g_autoptr(GTask) task = NULL;
  Removal *removal;

  if (self->connection == NULL)
    return;

  removal = g_new0 (Removal, 1);
  removal->conn = lodge_connection_ref_virconnect (self->connection);
  removal->uuid = g_strdup (uuid);
  removal->path = g_strdup (path);
  if (removal->conn == NULL)
    {
      /* Not connected: the sweep after the reconnection will do it. */
      removal_free (removal);
      return;
    }

  task = g_task_new (self, NULL, remove_overlay_cb, NULL);
  g_task_set_source_tag (task, remove_overlay);
  g_task_set_task_data (task, removal, (GDestroyNotify)removal_free);
  /* The last reference may talk to the daemon: closed on the worker. */
  lodge_virt_task_run_in_thread (task, remove_overlay_worker, &removal->conn);
}

/* ---- lifecycle events (main thread, through gvir_event_register) ---- */

static int
lodge_throwaway_watcher_lifecycle_cb (virConnectPtr  conn,
                                      virDomainPtr   dom,
                                      int            event,
                                      int            detail,
                                      void          *opaque)
{
  GWeakRef *ref = opaque;
  g_autoptr(LodgeThrowawayWatcher) self = g_weak_ref_get (ref);
  char uuid[VIR_UUID_STRING_BUFLEN];
  const char *path;

  if (self == NULL)
    return 0;
  if (event != VIR_DOMAIN_EVENT_STOPPED && event != VIR_DOMAIN_EVENT_UNDEFINED)
    return 0;
  if (virDomainGetUUIDString (dom, uuid) < 0)
    return 0;

  path = g_hash_table_lookup (self->watched, uuid);
  if (path != NULL)
    remove_overlay (self, uuid, path);

  return 0;
}

static void
weak_ref_free (void *data)
{
  GWeakRef *ref = data;

  g_weak_ref_clear (ref);
  g_free (ref);
}

/* ---- sweeping overlays whose domain is gone (worker thread) ---- */

typedef struct
{
  char *uuid;
  char *path;
} Orphan;

static void
orphan_free (gpointer data)
{
  Orphan *orphan = data;

  g_free (orphan->uuid);
  g_free (orphan->path);
  g_free (orphan);
}

static void
sweep_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  virConnectPtr conn = task_data;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (orphan_free);
  virStoragePoolPtr pool;
  virStorageVolPtr *vols = NULL;
  int n;

  pool = virStoragePoolLookupByName (conn, LODGE_POOL_NAME);
  if (pool == NULL)
    {
      virResetLastError ();
      g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify)g_ptr_array_unref);
      return;
    }

  if (virStoragePoolIsActive (pool) == 1)
    virStoragePoolRefresh (pool, 0);
  n = virStoragePoolListAllVolumes (pool, &vols, 0);
  for (int i = 0; i < n; i++)
    {
      const char *name = virStorageVolGetName (vols[i]);

      if (name != NULL && g_str_has_prefix (name, LODGE_THROWAWAY_PREFIX) &&
          g_str_has_suffix (name, ".qcow2"))
        {
          char *path = virStorageVolGetPath (vols[i]);
          Orphan *orphan = g_new0 (Orphan, 1);

          orphan->uuid = g_strndup (name + strlen (LODGE_THROWAWAY_PREFIX),
                                    strlen (name) - strlen (LODGE_THROWAWAY_PREFIX) - strlen (".qcow2"));
          orphan->path = g_strdup (path);
          free (path);
          g_ptr_array_add (found, orphan);
        }
      virStorageVolFree (vols[i]);
    }
  free (vols);
  virStoragePoolFree (pool);
  virResetLastError ();

  g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify)g_ptr_array_unref);
}

static void
sweep_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  LodgeThrowawayWatcher *self = LODGE_THROWAWAY_WATCHER (object);
  g_autoptr(GPtrArray) found = g_task_propagate_pointer (G_TASK (result), NULL);

  if (found == NULL)
    return;

  /* Each is followed; the removal checks whether its domain still runs. */
  for (guint i = 0; i < found->len; i++)
    {
      Orphan *orphan = g_ptr_array_index (found, i);

      lodge_throwaway_watcher_watch (self, orphan->uuid, orphan->path);
    }
}

/* Registering talks to the daemon: done on a worker thread too. */
static void
register_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  virConnectPtr conn = task_data;
  GWeakRef *ref = g_new0 (GWeakRef, 1);
  int id;

  g_weak_ref_init (ref, source_object);
  id = virConnectDomainEventRegisterAny (conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK (lodge_throwaway_watcher_lifecycle_cb),
                                         ref, weak_ref_free);
  if (id < 0)
    {
      weak_ref_free (ref);
      virResetLastError ();
    }

  /* Set before the sweep returns the task. */
  g_object_set_data (G_OBJECT (task), "callback-id", GINT_TO_POINTER (id));
  sweep_worker (task, source_object, task_data, cancellable);
}

static void
register_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  LodgeThrowawayWatcher *self = LODGE_THROWAWAY_WATCHER (object);
  virConnectPtr conn = user_data;

  self->conn = conn;
  self->callback_id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "callback-id"));
  sweep_cb (object, result, NULL);
}

static void
register_events (LodgeThrowawayWatcher *self)
{
  g_autoptr(GTask) task = NULL;
  virConnectPtr conn;

  unregister_events (self);
  if (self->connection == NULL)
    return;

  conn = lodge_connection_ref_virconnect (self->connection);
  if (conn == NULL)
    return;

  /* The task keeps a reference for the worker; register_cb takes another. */
  virConnectRef (conn);
  task = g_task_new (self, NULL, register_cb, conn);
  g_task_set_source_tag (task, register_events);
  g_task_set_task_data (task, conn, (GDestroyNotify)virConnectClose);
  g_task_run_in_thread (task, register_worker);
}

static void
lodge_throwaway_watcher_connection_reconnected_cb (LodgeThrowawayWatcher *self,
                                                   LodgeConnection       *connection)
{
  register_events (self);
}

LodgeThrowawayWatcher *
lodge_throwaway_watcher_new (LodgeConnection *connection)
{
  LodgeThrowawayWatcher *self;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);

  self = g_object_new (LODGE_TYPE_THROWAWAY_WATCHER, NULL);
  self->connection = connection;
  g_object_add_weak_pointer (G_OBJECT (connection), (gpointer *)&self->connection);
  self->reconnected_id =
    g_signal_connect_object (connection, "reconnected",
                             G_CALLBACK (lodge_throwaway_watcher_connection_reconnected_cb),
                             self, G_CONNECT_SWAPPED);

  register_events (self);
  return self;
}

void
lodge_throwaway_watcher_watch (LodgeThrowawayWatcher *self,
                               const char            *uuid,
                               const char            *path)
{
  g_return_if_fail (LODGE_IS_THROWAWAY_WATCHER (self));
  g_return_if_fail (uuid != NULL);
  g_return_if_fail (path != NULL);

  g_hash_table_replace (self->watched, g_strdup (uuid), g_strdup (path));
  /* The guest may have stopped before we listened: the removal checks. */
  remove_overlay (self, uuid, path);
}

void
lodge_throwaway_watcher_hold (LodgeThrowawayWatcher *self,
                              const char            *uuid)
{
  guint count;

  g_return_if_fail (LODGE_IS_THROWAWAY_WATCHER (self));
  g_return_if_fail (uuid != NULL);

  g_mutex_lock (&self->held_lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->held, uuid));
  g_hash_table_replace (self->held, g_strdup (uuid), GUINT_TO_POINTER (count + 1));
  g_mutex_unlock (&self->held_lock);
}

void
lodge_throwaway_watcher_release (LodgeThrowawayWatcher *self,
                                 const char            *uuid)
{
  guint count;

  g_return_if_fail (LODGE_IS_THROWAWAY_WATCHER (self));
  g_return_if_fail (uuid != NULL);

  g_mutex_lock (&self->held_lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->held, uuid));
  if (count > 1)
    g_hash_table_replace (self->held, g_strdup (uuid), GUINT_TO_POINTER (count - 1));
  else
    g_hash_table_remove (self->held, uuid);
  g_mutex_unlock (&self->held_lock);

  /* A stop that came while it was held was skipped: look again (the
   * removal keeps the overlay of a domain that runs). */
  if (count <= 1 && self->watched != NULL)
    {
      const char *path = g_hash_table_lookup (self->watched, uuid);

      if (path != NULL)
        remove_overlay (self, uuid, path);
    }
}

guint
lodge_throwaway_watcher_get_n_watched (LodgeThrowawayWatcher *self)
{
  g_return_val_if_fail (LODGE_IS_THROWAWAY_WATCHER (self), 0);

  return g_hash_table_size (self->watched);
}
