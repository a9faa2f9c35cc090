/* lodge-storage-pool.h: one storage pool of a host, and its volumes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Made and updated by the host's LodgeStorage: the same object for the
 * same uuid while the pool is listed, its properties changed in place by
 * libvirt's events. Main thread only.
 *
 * Properties (read-only, notify on change): name, uuid, pool-type (the
 * XML's type: "dir", "fs", "netfs", "logical", "disk", "iscsi",
 * "iscsi-direct", "scsi", "mpath", "rbd", "gluster", "zfs", "vstorage"…),
 * state (LodgeStoragePoolState), active, persistent, autostart, capacity,
 * allocation, available (bytes), n-volumes, volumes-capacity (the sum of
 * its volumes' capacities: what thin volumes promise).
 * An inactive pool lists no volumes (libvirt cannot say).
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-storage-volume.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_STORAGE_POOL (lodge_storage_pool_get_type ())

G_DECLARE_FINAL_TYPE (LodgeStoragePool, lodge_storage_pool, LODGE, STORAGE_POOL, GObject)

const char            *lodge_storage_pool_get_name             (LodgeStoragePool *self);
const char            *lodge_storage_pool_get_uuid             (LodgeStoragePool *self);
const char            *lodge_storage_pool_get_pool_type        (LodgeStoragePool *self);
LodgeStoragePoolState  lodge_storage_pool_get_state            (LodgeStoragePool *self);
gboolean               lodge_storage_pool_get_active           (LodgeStoragePool *self);
gboolean               lodge_storage_pool_get_persistent       (LodgeStoragePool *self);
gboolean               lodge_storage_pool_get_autostart        (LodgeStoragePool *self);
guint64                lodge_storage_pool_get_capacity         (LodgeStoragePool *self);
guint64                lodge_storage_pool_get_allocation       (LodgeStoragePool *self);
guint64                lodge_storage_pool_get_available        (LodgeStoragePool *self);
guint                  lodge_storage_pool_get_n_volumes        (LodgeStoragePool *self);
guint64                lodge_storage_pool_get_volumes_capacity (LodgeStoragePool *self);
/* volumes-capacity / capacity (1.0: as much promised as the pool holds),
 * 0 when the capacity is 0. */
double                 lodge_storage_pool_get_overcommit       (LodgeStoragePool *self);
/* A GListModel of LodgeStorageVolume, sorted by name; valid while the
 * pool lives, updated in one items-changed per read of the pool. */
GListModel            *lodge_storage_pool_get_volumes          (LodgeStoragePool *self);
/* The volume with this name, path or key, or NULL. */
LodgeStorageVolume    *lodge_storage_pool_lookup_volume        (LodgeStoragePool *self,
                                                                const char       *name_or_path);

/* The storage listing the pool (no reference), NULL once unlisted. */
LodgeStorage          *lodge_storage_pool_get_storage          (LodgeStoragePool *self);

/* Pool actions, for a pool of any type (see lodge-storage.h). */
void      lodge_storage_pool_run_action_async    (LodgeStoragePool       *self,
                                                  LodgeStoragePoolAction  action,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data);
gboolean  lodge_storage_pool_run_action_finish   (LodgeStoragePool       *self,
                                                  GAsyncResult           *result,
                                                  GError                **error);
/* Stops the pool if it runs and removes its definition. With delete_data
 * (only when the user asked for it) first deletes its volumes and what
 * the pool is made of (a directory pool's folder), refused while a running
 * machine uses one of its volumes. */
void      lodge_storage_pool_delete_async        (LodgeStoragePool       *self,
                                                  gboolean                delete_data,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data);
gboolean  lodge_storage_pool_delete_finish       (LodgeStoragePool       *self,
                                                  GAsyncResult           *result,
                                                  GError                **error);
/* A new volume in the running pool: @format "qcow2" or "raw", @capacity
 * bytes (> 0), @allocation (METADATA for qcow2 only), and for a qcow2 a
 * backing volume (@backing, may be NULL; of any pool of the host) that it
 * reads from until written: a linked volume. Refused: a name that is
 * empty, has a '/', is "." or "..", or is taken in the pool. The finish
 * function returns the listed volume (a new reference). */
void      lodge_storage_pool_create_volume_async (LodgeStoragePool       *self,
                                                  const char             *name,
                                                  const char             *format,
                                                  guint64                 capacity,
                                                  LodgeStorageAllocation  allocation,
                                                  LodgeStorageVolume     *backing,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data);
LodgeStorageVolume *lodge_storage_pool_create_volume_finish (LodgeStoragePool  *self,
                                                             GAsyncResult      *result,
                                                             GError           **error);

G_END_DECLS
