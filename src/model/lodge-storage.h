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

G_END_DECLS
