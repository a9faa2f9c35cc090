/* lodge-storage-volume.h: one storage volume of a host's pool
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Made and updated by its pool (lodge_storage_pool_get_volumes()): the
 * same object for the same key while the pool is listed. Main thread only.
 *
 * Properties (read-only, notify on change): name, path, key, format (the
 * target format of the XML: "qcow2", "raw", "iso"…, NULL when it has none),
 * vol-type ("file", "block", "dir", "network", "netdir", "ploop"),
 * capacity, allocation (bytes: a thin volume's allocation is below its
 * capacity), backing-path (the backing store's path, or NULL).
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_STORAGE_VOLUME (lodge_storage_volume_get_type ())

G_DECLARE_FINAL_TYPE (LodgeStorageVolume, lodge_storage_volume, LODGE, STORAGE_VOLUME, GObject)

const char *lodge_storage_volume_get_name         (LodgeStorageVolume *self);
const char *lodge_storage_volume_get_path         (LodgeStorageVolume *self);
const char *lodge_storage_volume_get_key          (LodgeStorageVolume *self);
const char *lodge_storage_volume_get_format       (LodgeStorageVolume *self);
const char *lodge_storage_volume_get_vol_type     (LodgeStorageVolume *self);
guint64     lodge_storage_volume_get_capacity     (LodgeStorageVolume *self);
guint64     lodge_storage_volume_get_allocation   (LodgeStorageVolume *self);
const char *lodge_storage_volume_get_backing_path (LodgeStorageVolume *self);

G_END_DECLS
