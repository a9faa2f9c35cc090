/* lodge-storage-private.h: what the storage files of the model share
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Workers read pools and volumes into plain data (no GObject); the main
 * thread makes or updates the objects from it.
 */
#pragma once

#include <libvirt/libvirt.h>

#include "model/lodge-storage.h"

G_BEGIN_DECLS

typedef struct
{
  char    *name;
  char    *key;
  char    *path;
  char    *format;        /* NULL when the XML has none */
  char    *vol_type;
  char    *backing_path;  /* NULL: no backing store */
  guint64  capacity;
  guint64  allocation;
} LodgeStorageVolumeData;

void lodge_storage_volume_data_free (LodgeStorageVolumeData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeStorageVolumeData, lodge_storage_volume_data_free)

typedef struct
{
  char                  *uuid;
  char                  *name;
  char                  *pool_type;
  LodgeStoragePoolState  state;
  gboolean               active;
  gboolean               persistent;
  gboolean               autostart;
  guint64                capacity;
  guint64                allocation;
  guint64                available;
  GPtrArray             *volumes;   /* LodgeStorageVolumeData, by name */
} LodgeStoragePoolData;

void lodge_storage_pool_data_free (LodgeStoragePoolData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeStoragePoolData, lodge_storage_pool_data_free)

/* Worker threads. A pool or volume that vanished while it was read:
 * LODGE_MODEL_ERROR_NOT_FOUND. Volumes that vanish between the listing and
 * their reading are left out. */
LodgeStoragePoolData *lodge_storage_pool_data_read (virStoragePoolPtr   pool,
                                                    GError            **error);

/* Pure helpers, unit-tested. FALSE on malformed XML. */
gboolean lodge_storage_parse_pool_xml   (const char             *xml,
                                         char                  **pool_type);
/* Fills path, format, vol_type and backing_path. */
gboolean lodge_storage_parse_volume_xml (const char             *xml,
                                         LodgeStorageVolumeData *data);
LodgeStoragePoolState lodge_storage_pool_state_from_virt (int state);

/* Main thread. */
LodgeStoragePool   *lodge_storage_pool_new      (const LodgeStoragePoolData   *data);
void                lodge_storage_pool_update   (LodgeStoragePool             *self,
                                                 const LodgeStoragePoolData   *data);
LodgeStorageVolume *lodge_storage_volume_new    (const LodgeStorageVolumeData *data);
void                lodge_storage_volume_update (LodgeStorageVolume           *self,
                                                 const LodgeStorageVolumeData *data);

/* Back links of the listed objects (main thread; cleared when unlisted). */
void                lodge_storage_pool_set_storage (LodgeStoragePool   *self,
                                                    LodgeStorage       *storage);
void                lodge_storage_volume_set_pool  (LodgeStorageVolume *self,
                                                    LodgeStoragePool   *pool);

/* Main thread: a new reference to the current libvirt connection, for one
 * action's worker; NULL with LODGE_MODEL_ERROR_NOT_CONNECTED. */
virConnectPtr       lodge_storage_ref_conn         (LodgeStorage       *self,
                                                    GError            **error);
/* Main thread: what an action's worker read of its pool after acting
 * (NULL: the pool is gone), applied at once; a read in flight, which may
 * have begun before the action, is made again. */
void                lodge_storage_apply_action     (LodgeStorage               *self,
                                                    const char                 *uuid,
                                                    const LodgeStoragePoolData *data);

/* Pure helpers of the actions, unit-tested. */
/* A pool or volume name: not empty, no '/', not "." or "..". */
gboolean            lodge_storage_check_name       (const char  *name,
                                                    gboolean     volume,
                                                    GError     **error);
char               *lodge_storage_dir_pool_xml     (const char  *name,
                                                    const char  *path);
/* @backing_path/@backing_format may be NULL. */
char               *lodge_storage_volume_xml       (const char             *name,
                                                    const char             *format,
                                                    guint64                 capacity,
                                                    LodgeStorageAllocation  allocation,
                                                    const char             *backing_path,
                                                    const char             *backing_format);

/* Made by lodge_host_get_storage(); follows the connection through a weak
 * pointer. */
LodgeStorage       *lodge_storage_new           (LodgeConnection              *connection);

G_END_DECLS
