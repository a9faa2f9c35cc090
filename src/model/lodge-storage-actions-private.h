/* lodge-storage-actions-private.h: what the storage actions share
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One action's plain data, crossing to its worker thread and back
 * (lodge-storage-actions.c runs them; lodge-storage-transfer.c has the
 * streams).
 */
#pragma once

#include "model/lodge-storage-private.h"

G_BEGIN_DECLS

enum
{
  LODGE_STORAGE_VOLUME_ACTION_RESIZE,
  LODGE_STORAGE_VOLUME_ACTION_WIPE,
  LODGE_STORAGE_VOLUME_ACTION_DELETE,
};

typedef struct
{
  virConnectPtr             conn;          /* closed by the worker */
  char                     *pool_uuid;     /* the pool acted on, read again after */
  char                     *vol_key;       /* the volume acted on */

  /* What to do. */
  int                       action;
  gboolean                  flag;
  char                     *name;
  char                     *path;
  char                     *format;
  char                     *backing_key;
  guint64                   capacity;
  LodgeStorageAllocation    allocation;

  /* Progress: called on @context. */
  LodgeStorageProgressFunc  progress;
  gpointer                  progress_data;
  GMainContext             *context;
  gint64                    last_progress;
  guint64                   total;

  /* Results. */
  gboolean                  returns_pool;  /* return the pool of pool_uuid */
  char                     *result_name;   /* return this volume of the pool */
  LodgeStoragePoolData     *pool_data;     /* the pool after acting */
  gboolean                  pool_gone;
} LodgeStorageAction;

/* Main thread. NULL with an error when the host is not connected or the
 * object no longer listed. */
LodgeStorageAction *lodge_storage_action_new        (LodgeStorage        *storage,
                                                     const char          *pool_uuid,
                                                     GError             **error);
LodgeStorageAction *lodge_storage_volume_action_new (LodgeStorageVolume  *volume,
                                                     GError             **error);
void                lodge_storage_action_free       (LodgeStorageAction  *action);
/* Runs @func on a worker (it returns a boolean); the outer task's
 * callback comes once the pool's reading is applied. Takes @action. */
void                lodge_storage_action_run        (LodgeStorageAction  *action,
                                                     LodgeStorage        *storage,
                                                     gpointer             source_object,
                                                     gpointer             source_tag,
                                                     GTaskThreadFunc      func,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

/* Worker thread. */
virStoragePoolPtr   lodge_storage_action_lookup_pool   (LodgeStorageAction  *action,
                                                        GError             **error);
virStorageVolPtr    lodge_storage_action_lookup_volume (LodgeStorageAction  *action,
                                                        GError             **error);
void                lodge_storage_action_read_pool     (LodgeStorageAction  *action);
gboolean            lodge_storage_action_find_users    (LodgeStorageAction  *action,
                                                        virStorageVolPtr    *vols,
                                                        guint                n_vols,
                                                        char               **users,
                                                        GError             **error);
/* FALSE with INVALID_STATE naming the running machines that use @vol. */
gboolean            lodge_storage_action_check_unused  (LodgeStorageAction  *action,
                                                        virStorageVolPtr     vol,
                                                        GError             **error);
/* @done bytes of action->total; at most ten calls a second unless @force. */
void                lodge_storage_action_progress      (LodgeStorageAction  *action,
                                                        guint64              done,
                                                        gboolean             force);

G_END_DECLS
