/* lodge-storage-volume.c: one storage volume of a host's pool
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-storage"

#include "config.h"

#include "model/lodge-storage-private.h"

struct _LodgeStorageVolume
{
  GObject  parent_instance;

  char    *name;
  char    *path;
  char    *key;
  char    *format;
  char    *vol_type;
  char    *backing_path;
  guint64  capacity;
  guint64  allocation;

  LodgeStoragePool *pool;  /* the pool listing it; cleared when unlisted */
};

G_DEFINE_FINAL_TYPE (LodgeStorageVolume, lodge_storage_volume, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_PATH,
  PROP_KEY,
  PROP_FORMAT,
  PROP_VOL_TYPE,
  PROP_CAPACITY,
  PROP_ALLOCATION,
  PROP_BACKING_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
lodge_storage_volume_data_free (LodgeStorageVolumeData *data)
{
  if (data == NULL)
    return;
  g_free (data->name);
  g_free (data->key);
  g_free (data->path);
  g_free (data->format);
  g_free (data->vol_type);
  g_free (data->backing_path);
  g_free (data);
}

static void
lodge_storage_volume_finalize (GObject *object)
{
  LodgeStorageVolume *self = (LodgeStorageVolume *)object;

  g_free (self->name);
  g_free (self->path);
  g_free (self->key);
  g_free (self->format);
  g_free (self->vol_type);
  g_free (self->backing_path);

  G_OBJECT_CLASS (lodge_storage_volume_parent_class)->finalize (object);
}

static void
lodge_storage_volume_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LodgeStorageVolume *self = LODGE_STORAGE_VOLUME (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_FORMAT:
      g_value_set_string (value, self->format);
      break;
    case PROP_VOL_TYPE:
      g_value_set_string (value, self->vol_type);
      break;
    case PROP_CAPACITY:
      g_value_set_uint64 (value, self->capacity);
      break;
    case PROP_ALLOCATION:
      g_value_set_uint64 (value, self->allocation);
      break;
    case PROP_BACKING_PATH:
      g_value_set_string (value, self->backing_path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_storage_volume_class_init (LodgeStorageVolumeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lodge_storage_volume_finalize;
  object_class->get_property = lodge_storage_volume_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, ro);
  properties[PROP_FORMAT] = g_param_spec_string ("format", NULL, NULL, NULL, ro);
  properties[PROP_VOL_TYPE] = g_param_spec_string ("vol-type", NULL, NULL, NULL, ro);
  properties[PROP_CAPACITY] =
    g_param_spec_uint64 ("capacity", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_ALLOCATION] =
    g_param_spec_uint64 ("allocation", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BACKING_PATH] = g_param_spec_string ("backing-path", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_storage_volume_init (LodgeStorageVolume *self)
{
}

static void
set_string (LodgeStorageVolume  *self,
            char               **field,
            const char          *value,
            guint                prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint64 (LodgeStorageVolume *self,
            guint64            *field,
            guint64             value,
            guint               prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
lodge_storage_volume_update (LodgeStorageVolume           *self,
                             const LodgeStorageVolumeData *data)
{
  g_return_if_fail (LODGE_IS_STORAGE_VOLUME (self));
  g_return_if_fail (data != NULL);

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->name, data->name, PROP_NAME);
  set_string (self, &self->path, data->path, PROP_PATH);
  set_string (self, &self->key, data->key, PROP_KEY);
  set_string (self, &self->format, data->format, PROP_FORMAT);
  set_string (self, &self->vol_type, data->vol_type, PROP_VOL_TYPE);
  set_uint64 (self, &self->capacity, data->capacity, PROP_CAPACITY);
  set_uint64 (self, &self->allocation, data->allocation, PROP_ALLOCATION);
  set_string (self, &self->backing_path, data->backing_path, PROP_BACKING_PATH);
  g_object_thaw_notify (G_OBJECT (self));
}

LodgeStorageVolume *
lodge_storage_volume_new (const LodgeStorageVolumeData *data)
{
  LodgeStorageVolume *self;

  g_return_val_if_fail (data != NULL, NULL);

  self = g_object_new (LODGE_TYPE_STORAGE_VOLUME, NULL);
  self->name = g_strdup (data->name);
  self->path = g_strdup (data->path);
  self->key = g_strdup (data->key);
  self->format = g_strdup (data->format);
  self->vol_type = g_strdup (data->vol_type);
  self->backing_path = g_strdup (data->backing_path);
  self->capacity = data->capacity;
  self->allocation = data->allocation;

  return self;
}

const char *
lodge_storage_volume_get_name (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), NULL);
  return self->name;
}

const char *
lodge_storage_volume_get_path (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), NULL);
  return self->path;
}

const char *
lodge_storage_volume_get_key (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), NULL);
  return self->key;
}

const char *
lodge_storage_volume_get_format (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), NULL);
  return self->format;
}

const char *
lodge_storage_volume_get_vol_type (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), NULL);
  return self->vol_type;
}

guint64
lodge_storage_volume_get_capacity (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), 0);
  return self->capacity;
}

guint64
lodge_storage_volume_get_allocation (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), 0);
  return self->allocation;
}

const char *
lodge_storage_volume_get_backing_path (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), NULL);
  return self->backing_path;
}

LodgeStoragePool *
lodge_storage_volume_get_pool (LodgeStorageVolume *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), NULL);
  return self->pool;
}

void
lodge_storage_volume_set_pool (LodgeStorageVolume *self,
                               LodgeStoragePool   *pool)
{
  g_return_if_fail (LODGE_IS_STORAGE_VOLUME (self));
  self->pool = pool;
}
