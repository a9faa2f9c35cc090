/* lodge-storage.c: a host's storage pools, kept current
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-storage"

#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-storage-private.h"

/* How long closing waits for the reads in flight on its connection (see
 * lodge-libvirt.h). */
#define CLOSE_WAIT_MS 30000

/* A Session is one virConnectPtr with the storage events registered on it.
 * libvirt's callbacks hold references to the session, never to the
 * LodgeStorage: once detached (owner == NULL, on the main thread) they do
 * nothing, and a worker deregisters them before dropping the connection. */
typedef struct
{
  gatomicrefcount  ref;
  virConnectPtr    conn;          /* closed on a worker by session_close() */
  LodgeStorage    *owner;         /* main thread; NULL once detached */
  int              lifecycle_id;  /* written by the load worker, read by the closing one */
  int              refresh_id;
  gboolean         loading;       /* main thread: the load worker runs */
  gboolean         ready;         /* main thread: the listing was applied */
  GHashTable      *pending;       /* main thread: uuids of events before ready */
} Session;

struct _LodgeStorage
{
  GObject          parent_instance;

  LodgeConnection *connection;    /* weak: its host owns us */
  gulong           state_id;
  Session         *session;       /* NULL while not connected */

  GPtrArray       *pools;         /* LodgeStoragePool, the list's items */
  GHashTable      *by_uuid;       /* uuid → LodgeStoragePool (borrowed) */
  /* uuid → READ_* flags: one read per pool at a time; an event during a
   * read asks for another once it is done. Reset with the session. */
  GHashTable      *reads;

  gboolean         loaded;
  GError          *error;
};

enum {
  READ_RUNNING = 1 << 0,
  READ_AGAIN   = 1 << 1,
  READ_STALE   = 1 << 2,  /* an action's reading came first: drop this one */
};

static void lodge_storage_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LodgeStorage, lodge_storage, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lodge_storage_list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_LOADED,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lodge_storage_read_pool (LodgeStorage *self,
                                     const char   *uuid);

/* Reading (worker threads) ------------------------------------------------ */

static xmlNode *
xml_child (xmlNode    *node,
           const char *name)
{
  for (xmlNode *child = node != NULL ? node->children : NULL; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, (const xmlChar *) name))
      return child;
  return NULL;
}

static char *
xml_prop (xmlNode    *node,
          const char *name)
{
  xmlChar *value;
  char *ret = NULL;

  if (node == NULL)
    return NULL;
  value = xmlGetProp (node, (const xmlChar *) name);
  if (value != NULL && *value != '\0')
    ret = g_strdup ((const char *) value);
  xmlFree (value);
  return ret;
}

static char *
xml_text (xmlNode *node)
{
  xmlChar *value;
  char *ret = NULL;

  if (node == NULL)
    return NULL;
  value = xmlNodeGetContent (node);
  if (value != NULL)
    ret = g_strstrip (g_strdup ((const char *) value));
  xmlFree (value);
  if (ret != NULL && *ret == '\0')
    g_clear_pointer (&ret, g_free);
  return ret;
}

static xmlDoc *
xml_parse (const char *xml,
           const char *root)
{
  xmlDoc *doc;

  if (xml == NULL)
    return NULL;
  doc = xmlReadMemory (xml, strlen (xml), "storage.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc != NULL && (xmlDocGetRootElement (doc) == NULL ||
                      !xmlStrEqual (xmlDocGetRootElement (doc)->name, (const xmlChar *) root)))
    g_clear_pointer (&doc, xmlFreeDoc);
  return doc;
}

gboolean
lodge_storage_parse_pool_xml (const char  *xml,
                              char       **pool_type)
{
  xmlDoc *doc = xml_parse (xml, "pool");

  g_return_val_if_fail (pool_type != NULL, FALSE);

  if (doc == NULL)
    return FALSE;
  *pool_type = xml_prop (xmlDocGetRootElement (doc), "type");
  xmlFreeDoc (doc);
  return TRUE;
}

gboolean
lodge_storage_parse_volume_xml (const char             *xml,
                                LodgeStorageVolumeData *data)
{
  xmlDoc *doc = xml_parse (xml, "volume");
  xmlNode *root, *target, *backing;

  g_return_val_if_fail (data != NULL, FALSE);

  if (doc == NULL)
    return FALSE;
  root = xmlDocGetRootElement (doc);
  target = xml_child (root, "target");
  backing = xml_child (root, "backingStore");

  g_free (data->vol_type);
  data->vol_type = xml_prop (root, "type");
  g_free (data->path);
  data->path = xml_text (xml_child (target, "path"));
  g_free (data->format);
  data->format = xml_prop (xml_child (target, "format"), "type");
  g_free (data->backing_path);
  data->backing_path = xml_text (xml_child (backing, "path"));
  xmlFreeDoc (doc);
  return TRUE;
}

LodgeStoragePoolState
lodge_storage_pool_state_from_virt (int state)
{
  switch (state)
    {
    case VIR_STORAGE_POOL_BUILDING:
      return LODGE_STORAGE_POOL_STATE_BUILDING;
    case VIR_STORAGE_POOL_RUNNING:
      return LODGE_STORAGE_POOL_STATE_RUNNING;
    case VIR_STORAGE_POOL_DEGRADED:
      return LODGE_STORAGE_POOL_STATE_DEGRADED;
    case VIR_STORAGE_POOL_INACCESSIBLE:
      return LODGE_STORAGE_POOL_STATE_INACCESSIBLE;
    case VIR_STORAGE_POOL_INACTIVE:
    default:
      return LODGE_STORAGE_POOL_STATE_INACTIVE;
    }
}

static const char *
vol_type_from_virt (int type)
{
  switch (type)
    {
    case VIR_STORAGE_VOL_FILE:    return "file";
    case VIR_STORAGE_VOL_BLOCK:   return "block";
    case VIR_STORAGE_VOL_DIR:     return "dir";
    case VIR_STORAGE_VOL_NETWORK: return "network";
    case VIR_STORAGE_VOL_NETDIR:  return "netdir";
    case VIR_STORAGE_VOL_PLOOP:   return "ploop";
    default:                      return NULL;
    }
}

/* NULL with *error unset: the volume vanished (skipped). */
static LodgeStorageVolumeData *
volume_data_read (virStorageVolPtr   vol,
                  GError           **error)
{
  g_autoptr(LodgeStorageVolumeData) data = g_new0 (LodgeStorageVolumeData, 1);
  virStorageVolInfo info;
  char *xml;

  if (virStorageVolGetInfo (vol, &info) < 0 ||
      (xml = virStorageVolGetXMLDesc (vol, 0)) == NULL)
    {
      g_autoptr(GError) local = NULL;

      lodge_model_set_error_from_virt (&local, _("Could not read a storage volume"));
      if (!g_error_matches (local, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  data->name = g_strdup (virStorageVolGetName (vol));
  data->key = g_strdup (virStorageVolGetKey (vol));
  data->capacity = info.capacity;
  data->allocation = info.allocation;
  lodge_storage_parse_volume_xml (xml, data);
  free (xml);
  if (data->vol_type == NULL)
    data->vol_type = g_strdup (vol_type_from_virt (info.type));

  return g_steal_pointer (&data);
}

static int
compare_volume_data (gconstpointer a,
                     gconstpointer b)
{
  const LodgeStorageVolumeData *va = *(LodgeStorageVolumeData **) a;
  const LodgeStorageVolumeData *vb = *(LodgeStorageVolumeData **) b;

  return g_strcmp0 (va->name, vb->name);
}

LodgeStoragePoolData *
lodge_storage_pool_data_read (virStoragePoolPtr   pool,
                              GError            **error)
{
  g_autoptr(LodgeStoragePoolData) data = g_new0 (LodgeStoragePoolData, 1);
  char uuid[VIR_UUID_STRING_BUFLEN];
  virStoragePoolInfo info;
  int active, persistent, autostart = 0;
  char *xml;

  g_return_val_if_fail (pool != NULL, NULL);

  if (virStoragePoolGetUUIDString (pool, uuid) < 0 ||
      virStoragePoolGetInfo (pool, &info) < 0 ||
      (active = virStoragePoolIsActive (pool)) < 0 ||
      (persistent = virStoragePoolIsPersistent (pool)) < 0 ||
      virStoragePoolGetAutostart (pool, &autostart) < 0 ||
      (xml = virStoragePoolGetXMLDesc (pool, 0)) == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not read a storage pool"));
      return NULL;
    }

  data->uuid = g_strdup (uuid);
  data->name = g_strdup (virStoragePoolGetName (pool));
  lodge_storage_parse_pool_xml (xml, &data->pool_type);
  free (xml);
  data->state = lodge_storage_pool_state_from_virt (info.state);
  data->active = active == 1;
  data->persistent = persistent == 1;
  data->autostart = autostart != 0;
  data->capacity = info.capacity;
  data->allocation = info.allocation;
  data->available = info.available;
  data->volumes = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_storage_volume_data_free);

  if (data->active)
    {
      virStorageVolPtr *vols = NULL;
      int n = virStoragePoolListAllVolumes (pool, &vols, 0);

      if (n < 0)
        {
          /* The pool is listed without its volumes (a pool that stopped
           * meanwhile sends an event that reads it again). */
          g_autoptr(GError) local = NULL;

          lodge_model_set_error_from_virt (&local, NULL);
          g_debug ("Could not list the volumes of pool %s: %s", data->name, local->message);
          n = 0;
        }
      for (int i = 0; i < n; i++)
        {
          g_autoptr(GError) local = NULL;
          LodgeStorageVolumeData *volume = volume_data_read (vols[i], &local);

          if (volume != NULL)
            g_ptr_array_add (data->volumes, volume);
          else if (local != NULL)
            g_debug ("Pool %s: %s", data->name, local->message);
          virStorageVolFree (vols[i]);
        }
      free (vols);
      g_ptr_array_sort (data->volumes, compare_volume_data);
    }

  return g_steal_pointer (&data);
}

/* Sessions ---------------------------------------------------------------- */

static Session *
session_new (virConnectPtr  conn,
             LodgeStorage  *owner)
{
  Session *session = g_new0 (Session, 1);

  g_atomic_ref_count_init (&session->ref);
  session->conn = conn;
  session->owner = owner;
  session->lifecycle_id = -1;
  session->refresh_id = -1;
  session->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return session;
}

static Session *
session_ref (Session *session)
{
  g_atomic_ref_count_inc (&session->ref);
  return session;
}

static void
session_unref (Session *session)
{
  if (!g_atomic_ref_count_dec (&session->ref))
    return;
  g_hash_table_unref (session->pending);
  g_free (session);
}

static void
session_unref_cb (void *opaque)
{
  session_unref (opaque);
}

/* Main thread, once the load worker (which registers) has ended. */
static void
session_close (Session *session)
{
  const LodgeVirtEventId ids[] = {
    { LODGE_VIRT_EVENT_STORAGE_POOL, session->lifecycle_id },
    { LODGE_VIRT_EVENT_STORAGE_POOL, session->refresh_id },
  };

  if (session->conn == NULL)
    return;
  lodge_virt_close_events_in_thread (g_steal_pointer (&session->conn), ids, G_N_ELEMENTS (ids),
                                     CLOSE_WAIT_MS);
  session->lifecycle_id = session->refresh_id = -1;
}

/* Main thread: the session stops feeding its owner. It is closed once its
 * load worker, which registers the events, has ended. */
static void
session_detach (Session *session)
{
  session->owner = NULL;
  if (!session->loading)
    session_close (session);
  session_unref (session);
}

/* Events (main thread, through gvir_event_register) ---------------------- */

static void
session_pool_changed (Session           *session,
                      virStoragePoolPtr  pool)
{
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (session->owner == NULL || virStoragePoolGetUUIDString (pool, uuid) < 0)
    return;
  if (!session->ready)
    {
      /* Read again once the listing under way is applied. */
      g_hash_table_add (session->pending, g_strdup (uuid));
      return;
    }
  lodge_storage_read_pool (session->owner, uuid);
}

static void
lodge_storage_pool_lifecycle_cb (virConnectPtr      conn,
                                 virStoragePoolPtr  pool,
                                 int                event,
                                 int                detail,
                                 void              *opaque)
{
  /* Defined, undefined, started, stopped, created, deleted: whatever it
   * was, the pool is read again (not found: it goes). */
  session_pool_changed (opaque, pool);
}

static void
lodge_storage_pool_refresh_cb (virConnectPtr      conn,
                               virStoragePoolPtr  pool,
                               void              *opaque)
{
  session_pool_changed (opaque, pool);
}

/* The list ---------------------------------------------------------------- */

static void
lodge_storage_set_loaded (LodgeStorage *self,
                          gboolean      loaded)
{
  if (self->loaded == loaded)
    return;
  self->loaded = loaded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
lodge_storage_set_error (LodgeStorage *self,
                         const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
lodge_storage_items_changed (LodgeStorage *self,
                             guint         position,
                             guint         removed,
                             guint         added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
unlink_pools (LodgeStorage *self)
{
  for (guint i = 0; i < self->pools->len; i++)
    lodge_storage_pool_set_storage (g_ptr_array_index (self->pools, i), NULL);
}

static void
lodge_storage_clear (LodgeStorage *self)
{
  guint n = self->pools->len;

  if (n == 0)
    return;
  unlink_pools (self);
  g_hash_table_remove_all (self->by_uuid);
  g_ptr_array_set_size (self->pools, 0);
  lodge_storage_items_changed (self, 0, n, 0);
}

/* One pool read: updated in place, appended, or gone. */
static void
lodge_storage_apply_pool (LodgeStorage               *self,
                          const char                 *uuid,
                          const LodgeStoragePoolData *data)
{
  LodgeStoragePool *pool = g_hash_table_lookup (self->by_uuid, uuid);

  if (pool != NULL && data != NULL)
    {
      lodge_storage_pool_update (pool, data);
    }
  else if (pool != NULL)
    {
      guint position;

      g_assert (g_ptr_array_find (self->pools, pool, &position));
      lodge_storage_pool_set_storage (pool, NULL);
      g_hash_table_remove (self->by_uuid, uuid);
      g_ptr_array_remove_index (self->pools, position);
      lodge_storage_items_changed (self, position, 1, 0);
    }
  else if (data != NULL)
    {
      pool = lodge_storage_pool_new (data);
      lodge_storage_pool_set_storage (pool, self);
      g_ptr_array_add (self->pools, pool);
      g_hash_table_insert (self->by_uuid, (gpointer) lodge_storage_pool_get_uuid (pool), pool);
      lodge_storage_items_changed (self, self->pools->len - 1, 0, 1);
    }
}

/* A whole listing, in one items-changed: the same object for the same
 * uuid (after a reconnection too). */
static void
lodge_storage_apply_all (LodgeStorage *self,
                         GPtrArray    *datas)
{
  g_autoptr(GPtrArray) pools = g_ptr_array_new_full (datas->len, g_object_unref);
  guint n_old = self->pools->len;
  gboolean same = n_old == datas->len;

  for (guint i = 0; i < datas->len; i++)
    {
      const LodgeStoragePoolData *data = g_ptr_array_index (datas, i);
      LodgeStoragePool *pool = g_hash_table_lookup (self->by_uuid, data->uuid);

      if (pool != NULL)
        {
          lodge_storage_pool_update (pool, data);
          g_object_ref (pool);
        }
      else
        pool = lodge_storage_pool_new (data);
      same = same && g_ptr_array_index (self->pools, i) == pool;
      g_ptr_array_add (pools, pool);
    }

  if (same)
    return;

  unlink_pools (self);
  g_hash_table_remove_all (self->by_uuid);
  for (guint i = 0; i < pools->len; i++)
    {
      LodgeStoragePool *pool = g_ptr_array_index (pools, i);
      lodge_storage_pool_set_storage (pool, self);
      g_hash_table_insert (self->by_uuid, (gpointer) lodge_storage_pool_get_uuid (pool), pool);
    }
  g_ptr_array_unref (self->pools);
  self->pools = g_steal_pointer (&pools);
  lodge_storage_items_changed (self, 0, n_old, self->pools->len);
}

/* Reading one pool -------------------------------------------------------- */

typedef struct
{
  Session       *session;
  virConnectPtr  conn;
  char          *uuid;
} PoolRead;

static void
pool_read_free (PoolRead *read)
{
  g_assert (read->conn == NULL); /* closed on the worker */
  session_unref (read->session);
  g_free (read->uuid);
  g_free (read);
}

static void
lodge_storage_read_pool_thread (GTask        *task,
                                gpointer      source_object,
                                gpointer      task_data,
                                GCancellable *cancellable)
{
  PoolRead *read = task_data;
  g_autoptr(GError) error = NULL;
  virStoragePoolPtr pool;
  LodgeStoragePoolData *data;

  pool = virStoragePoolLookupByUUIDString (read->conn, read->uuid);
  if (pool == NULL)
    {
      lodge_model_set_error_from_virt (&error, _("Could not find a storage pool"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = lodge_storage_pool_data_read (pool, &error);
  virStoragePoolFree (pool);
  if (data == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, data, (GDestroyNotify) lodge_storage_pool_data_free);
}

static void
lodge_storage_read_pool_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  LodgeStorage *self = LODGE_STORAGE (object);
  PoolRead *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(LodgeStoragePoolData) data = NULL;
  g_autoptr(GError) error = NULL;
  guint flags;

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (read->session != self->session)
    return; /* an older connection's */

  flags = GPOINTER_TO_UINT (g_hash_table_lookup (self->reads, read->uuid));
  g_hash_table_remove (self->reads, read->uuid);

  if ((flags & READ_STALE) != 0)
    ; /* begun before an action whose result is shown: read again below */
  else if (data != NULL)
    lodge_storage_apply_pool (self, read->uuid, data);
  else if (g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND))
    lodge_storage_apply_pool (self, read->uuid, NULL);
  else
    g_debug ("%s", error->message);

  if ((flags & READ_AGAIN) != 0)
    lodge_storage_read_pool (self, read->uuid);
}

static void
lodge_storage_read_pool (LodgeStorage *self,
                         const char   *uuid)
{
  g_autoptr(GTask) task = NULL;
  guint flags = GPOINTER_TO_UINT (g_hash_table_lookup (self->reads, uuid));
  PoolRead *read;

  g_assert (self->session != NULL);

  if ((flags & READ_RUNNING) != 0)
    {
      /* What this event changed may have been read already: read again. */
      g_hash_table_insert (self->reads, g_strdup (uuid), GUINT_TO_POINTER (flags | READ_AGAIN));
      return;
    }
  g_hash_table_insert (self->reads, g_strdup (uuid), GUINT_TO_POINTER (READ_RUNNING));

  read = g_new0 (PoolRead, 1);
  read->session = session_ref (self->session);
  read->conn = self->session->conn;
  virConnectRef (read->conn);
  read->uuid = g_strdup (uuid);

  task = g_task_new (self, NULL, lodge_storage_read_pool_cb, NULL);
  g_task_set_source_tag (task, lodge_storage_read_pool);
  g_task_set_task_data (task, read, (GDestroyNotify) pool_read_free);
  lodge_virt_task_run_in_thread (task, lodge_storage_read_pool_thread, &read->conn);
}

/* Loading, once per connection -------------------------------------------- */

typedef struct
{
  Session       *session;
  virConnectPtr  conn;
} Load;

static void
load_free (Load *load)
{
  g_assert (load->conn == NULL); /* closed on the worker */
  session_unref (load->session);
  g_free (load);
}

static int
compare_pool_data (gconstpointer a,
                   gconstpointer b)
{
  const LodgeStoragePoolData *pa = *(LodgeStoragePoolData **) a;
  const LodgeStoragePoolData *pb = *(LodgeStoragePoolData **) b;

  return g_strcmp0 (pa->name, pb->name);
}

static void
lodge_storage_load_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  Load *load = task_data;
  Session *session = load->session;
  g_autoptr(GPtrArray) datas = NULL;
  g_autoptr(GError) error = NULL;
  virStoragePoolPtr *pools = NULL;
  int n;

  /* Registered before listing: a change made meanwhile is read again. */
  session->lifecycle_id =
    virConnectStoragePoolEventRegisterAny (load->conn, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                           VIR_STORAGE_POOL_EVENT_CALLBACK (lodge_storage_pool_lifecycle_cb),
                                           session_ref (session), session_unref_cb);
  if (session->lifecycle_id < 0)
    session_unref (session);
  session->refresh_id =
    virConnectStoragePoolEventRegisterAny (load->conn, NULL, VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                           VIR_STORAGE_POOL_EVENT_CALLBACK (lodge_storage_pool_refresh_cb),
                                           session_ref (session), session_unref_cb);
  if (session->refresh_id < 0)
    session_unref (session);
  if (session->lifecycle_id < 0 || session->refresh_id < 0)
    {
      /* Listed once, not kept current (a driver without storage events). */
      lodge_model_set_error_from_virt (&error, NULL);
      g_debug ("Could not follow the storage pools: %s", error->message);
      g_clear_error (&error);
    }

  n = virConnectListAllStoragePools (load->conn, &pools, 0);
  if (n < 0)
    {
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not list the storage pools"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  datas = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_storage_pool_data_free);
  for (int i = 0; i < n; i++)
    {
      LodgeStoragePoolData *data = NULL;

      if (error == NULL)
        {
          data = lodge_storage_pool_data_read (pools[i], &error);
          /* Vanished between the listing and its reading: skipped. */
          if (g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND))
            g_clear_error (&error);
        }
      if (data != NULL)
        g_ptr_array_add (datas, data);
      virStoragePoolFree (pools[i]);
    }
  free (pools);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_ptr_array_sort (datas, compare_pool_data);
  g_task_return_pointer (task, g_steal_pointer (&datas), (GDestroyNotify) g_ptr_array_unref);
}

static void
lodge_storage_load_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  LodgeStorage *self = LODGE_STORAGE (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  Session *session = load->session;
  g_autoptr(GPtrArray) datas = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;

  datas = g_task_propagate_pointer (G_TASK (result), &error);
  session->loading = FALSE;
  if (session->owner == NULL)
    {
      /* Detached while loading: close it now that its events are known. */
      session_close (session);
      return;
    }
  g_assert (session == self->session);

  if (datas != NULL)
    {
      lodge_storage_apply_all (self, datas);
      lodge_storage_set_error (self, NULL);
      lodge_storage_set_loaded (self, TRUE);
    }
  else
    {
      g_debug ("%s", error->message);
      lodge_storage_set_error (self, error);
    }

  /* Events that came while listing may describe changes it missed. */
  session->ready = TRUE;
  g_hash_table_iter_init (&iter, session->pending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    lodge_storage_read_pool (self, key);
  g_hash_table_remove_all (session->pending);
}

static void
lodge_storage_stop (LodgeStorage *self)
{
  if (self->session != NULL)
    session_detach (g_steal_pointer (&self->session));
  g_hash_table_remove_all (self->reads);
  lodge_storage_set_loaded (self, FALSE);
}

static void
lodge_storage_start (LodgeStorage *self)
{
  g_autoptr(GTask) task = NULL;
  virConnectPtr conn;
  Load *load;

  lodge_storage_stop (self);

  conn = lodge_connection_ref_virconnect (self->connection);
  if (conn == NULL)
    return;
  self->session = session_new (conn, self);
  self->session->loading = TRUE;

  load = g_new0 (Load, 1);
  load->session = session_ref (self->session);
  load->conn = conn;
  virConnectRef (load->conn);

  task = g_task_new (self, NULL, lodge_storage_load_cb, NULL);
  g_task_set_source_tag (task, lodge_storage_start);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  lodge_virt_task_run_in_thread (task, lodge_storage_load_thread, &load->conn);
}

static void
lodge_storage_connection_notify_state_cb (LodgeStorage    *self,
                                          GParamSpec      *pspec,
                                          LodgeConnection *connection)
{
  switch (lodge_connection_get_state (connection))
    {
    case LODGE_CONNECTION_STATE_CONNECTED:
      /* A new virConnectPtr (first connection or reconnection). */
      lodge_storage_start (self);
      break;
    case LODGE_CONNECTION_STATE_RECONNECTING:
      /* Lost: the pools stay (stale) and are updated in place once back,
       * as the machines are. */
      lodge_storage_stop (self);
      break;
    case LODGE_CONNECTION_STATE_DISCONNECTED:
    case LODGE_CONNECTION_STATE_FAILED:
      lodge_storage_stop (self);
      lodge_storage_clear (self);
      break;
    case LODGE_CONNECTION_STATE_CONNECTING:
    default:
      break;
    }
}

/* Object ------------------------------------------------------------------ */

static GType
lodge_storage_get_item_type (GListModel *model)
{
  return LODGE_TYPE_STORAGE_POOL;
}

static guint
lodge_storage_get_n_items (GListModel *model)
{
  LodgeStorage *self = LODGE_STORAGE (model);

  return self->pools->len;
}

static gpointer
lodge_storage_get_item (GListModel *model,
                        guint       position)
{
  LodgeStorage *self = LODGE_STORAGE (model);

  if (position >= self->pools->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->pools, position));
}

static void
lodge_storage_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lodge_storage_get_item_type;
  iface->get_n_items = lodge_storage_get_n_items;
  iface->get_item = lodge_storage_get_item;
}

static void
lodge_storage_dispose (GObject *object)
{
  LodgeStorage *self = (LodgeStorage *)object;

  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->state_id, self->connection);
      g_object_remove_weak_pointer (G_OBJECT (self->connection), (gpointer *)&self->connection);
      self->connection = NULL;
    }
  if (self->session != NULL)
    session_detach (g_steal_pointer (&self->session));
  if (self->pools != NULL)
    {
      unlink_pools (self);
      g_hash_table_remove_all (self->by_uuid);
      g_ptr_array_set_size (self->pools, 0);
    }

  G_OBJECT_CLASS (lodge_storage_parent_class)->dispose (object);
}

static void
lodge_storage_finalize (GObject *object)
{
  LodgeStorage *self = (LodgeStorage *)object;

  g_clear_pointer (&self->pools, g_ptr_array_unref);
  g_clear_pointer (&self->by_uuid, g_hash_table_unref);
  g_clear_pointer (&self->reads, g_hash_table_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (lodge_storage_parent_class)->finalize (object);
}

static void
lodge_storage_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LodgeStorage *self = LODGE_STORAGE (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->pools->len);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_storage_class_init (LodgeStorageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lodge_storage_dispose;
  object_class->finalize = lodge_storage_finalize;
  object_class->get_property = lodge_storage_get_property;

  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_storage_init (LodgeStorage *self)
{
  self->pools = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
  self->reads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

LodgeStorage *
lodge_storage_new (LodgeConnection *connection)
{
  LodgeStorage *self;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);

  self = g_object_new (LODGE_TYPE_STORAGE, NULL);
  self->connection = connection;
  g_object_add_weak_pointer (G_OBJECT (connection), (gpointer *)&self->connection);
  self->state_id =
    g_signal_connect_object (connection, "notify::state",
                             G_CALLBACK (lodge_storage_connection_notify_state_cb),
                             self, G_CONNECT_SWAPPED);

  if (lodge_connection_get_state (connection) == LODGE_CONNECTION_STATE_CONNECTED)
    lodge_storage_start (self);
  return self;
}

gboolean
lodge_storage_get_loaded (LodgeStorage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE (self), FALSE);
  return self->loaded;
}

const GError *
lodge_storage_get_error (LodgeStorage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE (self), NULL);
  return self->error;
}

LodgeStoragePool *
lodge_storage_lookup_pool (LodgeStorage *self,
                           const char   *name_or_uuid)
{
  LodgeStoragePool *pool;

  g_return_val_if_fail (LODGE_IS_STORAGE (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);

  pool = g_hash_table_lookup (self->by_uuid, name_or_uuid);
  if (pool != NULL)
    return pool;
  for (guint i = 0; i < self->pools->len; i++)
    {
      pool = g_ptr_array_index (self->pools, i);
      if (g_strcmp0 (lodge_storage_pool_get_name (pool), name_or_uuid) == 0)
        return pool;
    }
  return NULL;
}

virConnectPtr
lodge_storage_ref_conn (LodgeStorage  *self,
                        GError       **error)
{
  virConnectPtr conn;

  g_return_val_if_fail (LODGE_IS_STORAGE (self), NULL);

  conn = self->connection != NULL ? lodge_connection_ref_virconnect (self->connection) : NULL;
  if (conn == NULL)
    g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                         _("The host is not connected"));
  return conn;
}

void
lodge_storage_apply_action (LodgeStorage               *self,
                            const char                 *uuid,
                            const LodgeStoragePoolData *data)
{
  guint flags;

  g_return_if_fail (LODGE_IS_STORAGE (self));
  g_return_if_fail (uuid != NULL);

  if (self->session == NULL)
    return; /* not connected: the next listing shows it */
  lodge_storage_apply_pool (self, uuid, data);
  /* A read in flight may have begun before the action: its result is
   * dropped, and the pool read once more after it. */
  flags = GPOINTER_TO_UINT (g_hash_table_lookup (self->reads, uuid));
  if ((flags & READ_RUNNING) != 0)
    g_hash_table_insert (self->reads, g_strdup (uuid), GUINT_TO_POINTER (flags | READ_STALE | READ_AGAIN));
}
