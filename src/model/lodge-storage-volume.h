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
/* The pool that lists it (no reference), or NULL once it is unlisted. */
LodgeStoragePool *lodge_storage_volume_get_pool   (LodgeStorageVolume *self);

/* Volume actions (see lodge-storage.h). Grow, delete, wipe, clone and
 * upload are refused while a running machine uses the volume, naming it. */

/* Grows the volume to @capacity bytes; a smaller size is refused (a
 * guest's file systems would lose their end). */
void      lodge_storage_volume_resize_async   (LodgeStorageVolume  *self,
                                               guint64              capacity,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  lodge_storage_volume_resize_finish  (LodgeStorageVolume  *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* Overwrites the content with zeros (a file volume stays sparse). */
void      lodge_storage_volume_wipe_async     (LodgeStorageVolume  *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  lodge_storage_volume_wipe_finish    (LodgeStorageVolume  *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void      lodge_storage_volume_delete_async   (LodgeStorageVolume  *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  lodge_storage_volume_delete_finish  (LodgeStorageVolume  *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* A copy @name in the same pool. A file volume is copied through libvirt's
 * sparse streams (holes stay holes), with progress and cancel; other
 * kinds by libvirt in one call (no progress; a cancel waits for it and
 * removes the copy). The finish function returns the listed copy. */
void      lodge_storage_volume_clone_async    (LodgeStorageVolume      *self,
                                               const char              *name,
                                               LodgeStorageProgressFunc progress,
                                               gpointer                 progress_data,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
LodgeStorageVolume *lodge_storage_volume_clone_finish (LodgeStorageVolume  *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
/* Replaces the volume's content with the local file @path, sent as a
 * sparse stream (its holes are not sent, and stay holes in a file volume,
 * whose size becomes the file's). Cancelled or failed midway, the error
 * says the volume's content is incomplete. */
void      lodge_storage_volume_upload_async   (LodgeStorageVolume      *self,
                                               const char              *path,
                                               LodgeStorageProgressFunc progress,
                                               gpointer                 progress_data,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
gboolean  lodge_storage_volume_upload_finish  (LodgeStorageVolume  *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* Saves the volume's content to the local file @path (replaced only once
 * complete), as a sparse stream: its holes become holes of the file.
 * Cancelled or failed, no file is left behind. */
void      lodge_storage_volume_download_async (LodgeStorageVolume      *self,
                                               const char              *path,
                                               LodgeStorageProgressFunc progress,
                                               gpointer                 progress_data,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
gboolean  lodge_storage_volume_download_finish (LodgeStorageVolume *self,
                                                GAsyncResult       *result,
                                                GError            **error);

G_END_DECLS
