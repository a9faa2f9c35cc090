/* lodge-state-store.h: what Lodge remembers of each machine, in one file
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small per-machine facts that are Lodge's own, not libvirt's ("last used",
 * the console's choices), keyed by host URI and machine UUID, in one key
 * file. Read once when made; changes are written after a short delay on a
 * worker thread, one write at a time, so that two hosts never overwrite
 * each other's facts and the main thread never waits for the disk.
 * Main thread only (the writes happen on a worker).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LODGE_TYPE_STATE_STORE (lodge_state_store_get_type ())

G_DECLARE_FINAL_TYPE (LodgeStateStore, lodge_state_store, LODGE, STATE_STORE, GObject)

/* @path: the key file (NULL: kept in memory only, for tests). A missing or
 * unreadable file starts empty; the first write replaces it. */
LodgeStateStore *lodge_state_store_new          (const char      *path);
const char      *lodge_state_store_get_path     (LodgeStateStore *self);

gint64           lodge_state_store_get_int64    (LodgeStateStore *self,
                                                 const char      *host_uri,
                                                 const char      *uuid,
                                                 const char      *key,
                                                 gint64           fallback);
void             lodge_state_store_set_int64    (LodgeStateStore *self,
                                                 const char      *host_uri,
                                                 const char      *uuid,
                                                 const char      *key,
                                                 gint64           value);
gboolean         lodge_state_store_get_boolean  (LodgeStateStore *self,
                                                 const char      *host_uri,
                                                 const char      *uuid,
                                                 const char      *key,
                                                 gboolean         fallback);
void             lodge_state_store_set_boolean  (LodgeStateStore *self,
                                                 const char      *host_uri,
                                                 const char      *uuid,
                                                 const char      *key,
                                                 gboolean         value);
/* Forgets a machine (deleted). */
void             lodge_state_store_forget       (LodgeStateStore *self,
                                                 const char      *host_uri,
                                                 const char      *uuid);

/* Writes what changed now, on a worker; @callback (may be NULL) runs once
 * the file is on disk (or could not be written: see the error). */
void             lodge_state_store_save_async   (LodgeStateStore     *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean         lodge_state_store_save_finish  (LodgeStateStore     *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Blocks until the file is written: at exit only. */
void             lodge_state_store_flush        (LodgeStateStore     *self);

G_END_DECLS
