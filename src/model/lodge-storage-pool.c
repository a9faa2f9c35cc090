/* lodge-storage-pool.c: one storage pool of a host, and its volumes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-storage"

#include "config.h"

#include "model/lodge-model-enums.h"
#include "model/lodge-storage-private.h"

struct _LodgeStoragePool
{
  GObject                parent_instance;

  char                  *name;
  char                  *uuid;
  char                  *pool_type;
  LodgeStoragePoolState  state;
  gboolean               active;
  gboolean               persistent;
  gboolean               autostart;
  guint64                capacity;
  guint64                allocation;
  guint64                available;
  guint64                volumes_capacity;

  GListStore            *volumes;       /* LodgeStorageVolume, by name */
  GHashTable            *volumes_by_key; /* key → LodgeStorageVolume (borrowed) */
  /* key → GWeakRef of a volume dropped from the list: one that comes back
   * (a file volume an upload makes anew, or a read that saw it missing)
   * is the same object again for whoever still holds it. */
  GHashTable            *unlisted;

  LodgeStorage          *storage;       /* listing it; cleared when unlisted */
};

G_DEFINE_FINAL_TYPE (LodgeStoragePool, lodge_storage_pool, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_UUID,
  PROP_POOL_TYPE,
  PROP_STATE,
  PROP_ACTIVE,
  PROP_PERSISTENT,
  PROP_AUTOSTART,
  PROP_CAPACITY,
  PROP_ALLOCATION,
  PROP_AVAILABLE,
  PROP_N_VOLUMES,
  PROP_VOLUMES_CAPACITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
lodge_storage_pool_data_free (LodgeStoragePoolData *data)
{
  if (data == NULL)
    return;
  g_free (data->uuid);
  g_free (data->name);
  g_free (data->pool_type);
  g_clear_pointer (&data->volumes, g_ptr_array_unref);
  g_free (data);
}

static void
unlink_volumes (LodgeStoragePool *self)
{
  guint n = self->volumes != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->volumes)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeStorageVolume) volume = g_list_model_get_item (G_LIST_MODEL (self->volumes), i);
      lodge_storage_volume_set_pool (volume, NULL);
    }
}

static void
lodge_storage_pool_dispose (GObject *object)
{
  LodgeStoragePool *self = (LodgeStoragePool *)object;

  unlink_volumes (self);

  g_clear_pointer (&self->volumes_by_key, g_hash_table_unref);
  g_clear_pointer (&self->unlisted, g_hash_table_unref);
  g_clear_object (&self->volumes);

  G_OBJECT_CLASS (lodge_storage_pool_parent_class)->dispose (object);
}

static void
lodge_storage_pool_finalize (GObject *object)
{
  LodgeStoragePool *self = (LodgeStoragePool *)object;

  g_free (self->name);
  g_free (self->uuid);
  g_free (self->pool_type);

  G_OBJECT_CLASS (lodge_storage_pool_parent_class)->finalize (object);
}

static void
lodge_storage_pool_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LodgeStoragePool *self = LODGE_STORAGE_POOL (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_POOL_TYPE:
      g_value_set_string (value, self->pool_type);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_PERSISTENT:
      g_value_set_boolean (value, self->persistent);
      break;
    case PROP_AUTOSTART:
      g_value_set_boolean (value, self->autostart);
      break;
    case PROP_CAPACITY:
      g_value_set_uint64 (value, self->capacity);
      break;
    case PROP_ALLOCATION:
      g_value_set_uint64 (value, self->allocation);
      break;
    case PROP_AVAILABLE:
      g_value_set_uint64 (value, self->available);
      break;
    case PROP_N_VOLUMES:
      g_value_set_uint (value, lodge_storage_pool_get_n_volumes (self));
      break;
    case PROP_VOLUMES_CAPACITY:
      g_value_set_uint64 (value, self->volumes_capacity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_storage_pool_class_init (LodgeStoragePoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lodge_storage_pool_dispose;
  object_class->finalize = lodge_storage_pool_finalize;
  object_class->get_property = lodge_storage_pool_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, ro);
  properties[PROP_POOL_TYPE] = g_param_spec_string ("pool-type", NULL, NULL, NULL, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LODGE_TYPE_STORAGE_POOL_STATE,
                       LODGE_STORAGE_POOL_STATE_INACTIVE, ro);
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, ro);
  properties[PROP_PERSISTENT] = g_param_spec_boolean ("persistent", NULL, NULL, FALSE, ro);
  properties[PROP_AUTOSTART] = g_param_spec_boolean ("autostart", NULL, NULL, FALSE, ro);
  properties[PROP_CAPACITY] =
    g_param_spec_uint64 ("capacity", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_ALLOCATION] =
    g_param_spec_uint64 ("allocation", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_AVAILABLE] =
    g_param_spec_uint64 ("available", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_N_VOLUMES] = g_param_spec_uint ("n-volumes", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_VOLUMES_CAPACITY] =
    g_param_spec_uint64 ("volumes-capacity", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
lodge_storage_pool_init (LodgeStoragePool *self)
{
  self->volumes = g_list_store_new (LODGE_TYPE_STORAGE_VOLUME);
  self->volumes_by_key = g_hash_table_new (g_str_hash, g_str_equal);
  self->unlisted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, weak_ref_free);
}

static void
set_string (LodgeStoragePool  *self,
            char             **field,
            const char        *value,
            guint              prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_boolean (LodgeStoragePool *self,
             gboolean         *field,
             gboolean          value,
             guint             prop)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint64 (LodgeStoragePool *self,
            guint64          *field,
            guint64           value,
            guint             prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static const char *
volume_data_key (const LodgeStorageVolumeData *data)
{
  /* Every driver gives a key; a name is unique in its pool otherwise. */
  return data->key != NULL ? data->key : data->name;
}

/* The volumes as read, in one items-changed: the same object for the same
 * key, updated in place. */
static void
lodge_storage_pool_update_volumes (LodgeStoragePool *self,
                                   GPtrArray        *volumes)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (volumes->len, g_object_unref);
  g_autoptr(GHashTable) by_key = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->volumes));
  gboolean same = n_old == volumes->len;

  for (guint i = 0; i < volumes->len; i++)
    {
      const LodgeStorageVolumeData *data = g_ptr_array_index (volumes, i);
      LodgeStorageVolume *volume = g_hash_table_lookup (self->volumes_by_key, volume_data_key (data));
      GWeakRef *weak;

      if (volume != NULL && !g_hash_table_contains (by_key, volume_data_key (data)))
        {
          lodge_storage_volume_update (volume, data);
          g_object_ref (volume);
        }
      else if ((weak = g_hash_table_lookup (self->unlisted, volume_data_key (data))) != NULL &&
               (volume = g_weak_ref_get (weak)) != NULL)
        lodge_storage_volume_update (volume, data);
      else
        volume = lodge_storage_volume_new (data);

      if (same)
        {
          g_autoptr(LodgeStorageVolume) old = g_list_model_get_item (G_LIST_MODEL (self->volumes), i);
          same = old == volume;
        }
      g_ptr_array_add (items, volume);
      g_hash_table_insert (by_key, (gpointer) volume_data_key (data), volume);
    }

  if (same)
    return;

  /* Dropped volumes lose their pool and are remembered; the kept and new
   * ones have it. */
  {
    GHashTableIter iter;
    GWeakRef *weak;

    g_hash_table_iter_init (&iter, self->unlisted);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &weak))
      {
        g_autoptr(GObject) alive = g_weak_ref_get (weak);

        if (alive == NULL)
          g_hash_table_iter_remove (&iter);
      }
  }
  for (guint i = 0; i < n_old; i++)
    {
      g_autoptr(LodgeStorageVolume) old = g_list_model_get_item (G_LIST_MODEL (self->volumes), i);
      const char *key = lodge_storage_volume_get_key (old);

      if (key == NULL)
        key = lodge_storage_volume_get_name (old);
      if (key != NULL && !g_hash_table_contains (by_key, key))
        {
          GWeakRef *weak = g_new0 (GWeakRef, 1);

          g_weak_ref_init (weak, old);
          g_hash_table_replace (self->unlisted, g_strdup (key), weak);
        }
    }
  unlink_volumes (self);
  for (guint i = 0; i < items->len; i++)
    {
      LodgeStorageVolume *volume = g_ptr_array_index (items, i);
      const char *key = lodge_storage_volume_get_key (volume);

      g_hash_table_remove (self->unlisted, key != NULL ? key : lodge_storage_volume_get_name (volume));
      lodge_storage_volume_set_pool (volume, self);
    }

  /* The keys of the table must outlive it: take them from the volumes. */
  g_hash_table_remove_all (self->volumes_by_key);
  for (guint i = 0; i < items->len; i++)
    {
      LodgeStorageVolume *volume = g_ptr_array_index (items, i);
      const char *key = lodge_storage_volume_get_key (volume);

      g_hash_table_insert (self->volumes_by_key,
                           (gpointer) (key != NULL ? key : lodge_storage_volume_get_name (volume)),
                           volume);
    }
  g_list_store_splice (self->volumes, 0, n_old, items->pdata, items->len);
}

void
lodge_storage_pool_update (LodgeStoragePool           *self,
                           const LodgeStoragePoolData *data)
{
  guint64 volumes_capacity = 0;
  guint n_before;

  g_return_if_fail (LODGE_IS_STORAGE_POOL (self));
  g_return_if_fail (data != NULL);

  for (guint i = 0; data->volumes != NULL && i < data->volumes->len; i++)
    {
      const LodgeStorageVolumeData *volume = g_ptr_array_index (data->volumes, i);
      volumes_capacity += volume->capacity;
    }

  n_before = lodge_storage_pool_get_n_volumes (self);

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->name, data->name, PROP_NAME);
  set_string (self, &self->uuid, data->uuid, PROP_UUID);
  set_string (self, &self->pool_type, data->pool_type, PROP_POOL_TYPE);
  if (self->state != data->state)
    {
      self->state = data->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  set_boolean (self, &self->active, data->active, PROP_ACTIVE);
  set_boolean (self, &self->persistent, data->persistent, PROP_PERSISTENT);
  set_boolean (self, &self->autostart, data->autostart, PROP_AUTOSTART);
  set_uint64 (self, &self->capacity, data->capacity, PROP_CAPACITY);
  set_uint64 (self, &self->allocation, data->allocation, PROP_ALLOCATION);
  set_uint64 (self, &self->available, data->available, PROP_AVAILABLE);
  set_uint64 (self, &self->volumes_capacity, volumes_capacity, PROP_VOLUMES_CAPACITY);
  if (data->volumes != NULL)
    lodge_storage_pool_update_volumes (self, data->volumes);
  if (lodge_storage_pool_get_n_volumes (self) != n_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_VOLUMES]);
  g_object_thaw_notify (G_OBJECT (self));
}

LodgeStoragePool *
lodge_storage_pool_new (const LodgeStoragePoolData *data)
{
  LodgeStoragePool *self;

  g_return_val_if_fail (data != NULL, NULL);

  self = g_object_new (LODGE_TYPE_STORAGE_POOL, NULL);
  /* Nobody listens yet: the notifications cost nothing. */
  lodge_storage_pool_update (self, data);
  return self;
}

const char *
lodge_storage_pool_get_name (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), NULL);
  return self->name;
}

const char *
lodge_storage_pool_get_uuid (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), NULL);
  return self->uuid;
}

const char *
lodge_storage_pool_get_pool_type (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), NULL);
  return self->pool_type;
}

LodgeStoragePoolState
lodge_storage_pool_get_state (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), LODGE_STORAGE_POOL_STATE_INACTIVE);
  return self->state;
}

gboolean
lodge_storage_pool_get_active (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), FALSE);
  return self->active;
}

gboolean
lodge_storage_pool_get_persistent (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), FALSE);
  return self->persistent;
}

gboolean
lodge_storage_pool_get_autostart (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), FALSE);
  return self->autostart;
}

guint64
lodge_storage_pool_get_capacity (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), 0);
  return self->capacity;
}

guint64
lodge_storage_pool_get_allocation (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), 0);
  return self->allocation;
}

guint64
lodge_storage_pool_get_available (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), 0);
  return self->available;
}

guint
lodge_storage_pool_get_n_volumes (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), 0);
  return self->volumes != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->volumes)) : 0;
}

guint64
lodge_storage_pool_get_volumes_capacity (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), 0);
  return self->volumes_capacity;
}

double
lodge_storage_pool_get_overcommit (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), 0.0);

  if (self->capacity == 0)
    return 0.0;
  return (double) self->volumes_capacity / (double) self->capacity;
}

GListModel *
lodge_storage_pool_get_volumes (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), NULL);
  return G_LIST_MODEL (self->volumes);
}

LodgeStorageVolume *
lodge_storage_pool_lookup_volume (LodgeStoragePool *self,
                                  const char       *name_or_path)
{
  guint n;

  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), NULL);
  g_return_val_if_fail (name_or_path != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->volumes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeStorageVolume) volume = g_list_model_get_item (G_LIST_MODEL (self->volumes), i);

      if (g_strcmp0 (lodge_storage_volume_get_name (volume), name_or_path) == 0 ||
          g_strcmp0 (lodge_storage_volume_get_path (volume), name_or_path) == 0 ||
          g_strcmp0 (lodge_storage_volume_get_key (volume), name_or_path) == 0)
        return volume; /* the store keeps its reference */
    }
  return NULL;
}

void
lodge_storage_pool_set_storage (LodgeStoragePool *self,
                                LodgeStorage     *storage)
{
  g_return_if_fail (LODGE_IS_STORAGE_POOL (self));
  self->storage = storage;
}

LodgeStorage *
lodge_storage_pool_get_storage (LodgeStoragePool *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), NULL);
  return self->storage;
}
