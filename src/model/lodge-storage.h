/* lodge-storage.h: a host's storage pools, kept current
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A service of each LodgeHost (lodge_host_get_storage(), made on first
 * use): a GListModel of LodgeStoragePool. Read on a worker thread each time
 * the connection is made (after a reconnection too, updating the pools in
 * place), then kept current by libvirt's storage-pool lifecycle and refresh
 * events, each re-reading its pool and volumes on a worker. Kept (stale)
 * while the connection is lost and retried; emptied when it is closed or
 * fails. Needs libvirt events on the main loop
 * (lodge_connection_init_events()). Main thread only.
 *
 * Properties: n-items (uint), loaded (bool: the pools of the current
 * connection are listed), error (GError boxed: why the last listing
 * failed, or NULL).
 *
 * Actions (here, on LodgeStoragePool and on LodgeStorageVolume) run their
 * libvirt calls on a worker thread and, once done, read the pool again
 * (volumes have no events of their own): when the callback runs, the list
 * shows what the action did. Errors are LODGE_MODEL_ERROR with a message
 * for people (INVALID_ARGUMENT for bad input, INVALID_STATE for a volume a
 * running machine uses), or G_IO_ERROR_CANCELLED. An action that fails
 * removes what it made.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-storage-pool.h"
#include "model/lodge-storage-volume.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_STORAGE (lodge_storage_get_type ())

G_DECLARE_FINAL_TYPE (LodgeStorage, lodge_storage, LODGE, STORAGE, GObject)

gboolean          lodge_storage_get_loaded   (LodgeStorage *self);
const GError     *lodge_storage_get_error    (LodgeStorage *self);
/* The pool with this name or uuid, or NULL (no new reference). */
LodgeStoragePool *lodge_storage_lookup_pool  (LodgeStorage *self,
                                              const char   *name_or_uuid);

/* A persistent directory pool on the host's folder @path (absolute, an
 * existing folder), started and set to start with the host. Refused with
 * a clear message: a name that is empty, has a '/' or is taken; a path that
 * is not absolute, does not exist or is no folder. The finish function
 * returns the listed pool (a new reference). */
void              lodge_storage_create_dir_pool_async  (LodgeStorage        *self,
                                                        const char          *name,
                                                        const char          *path,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
LodgeStoragePool *lodge_storage_create_dir_pool_finish (LodgeStorage        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
