/* lodge-throwaway-watcher.h: removes throwaway machines' overlays when they stop
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_THROWAWAY_WATCHER (lodge_throwaway_watcher_get_type ())

G_DECLARE_FINAL_TYPE (LodgeThrowawayWatcher, lodge_throwaway_watcher, LODGE, THROWAWAY_WATCHER, GObject)

/* Overlay volumes are named "throwaway-<domain uuid>.qcow2" in Lodge's pool. */
#define LODGE_THROWAWAY_PREFIX "throwaway-"

/* A service of each LodgeHost (lodge_host_get_throwaway_watcher(), made
 * on first use): listens to libvirt's lifecycle events and deletes a
 * throwaway machine's overlay when its domain stops. When made and after
 * a reconnection it also sweeps overlays whose domain is gone (Lodge was
 * not running when the guest stopped). Needs libvirt events on the main
 * loop (lodge_connection_init_events()).
 *
 * Signals:
 *   overlay-removed (const char *uuid, const char *path, const GError *error_or_null)
 */
/* Follows the domain and deletes path when it stops (or at once when the
 * domain is already gone). */
void                   lodge_throwaway_watcher_watch              (LodgeThrowawayWatcher *self,
                                                                   const char            *uuid,
                                                                   const char            *path);
/* While held, an overlay named for uuid is never removed: a creator holds
 * the uuid from before it makes the overlay until its domain runs (or the
 * creation failed), so that a sweep cannot take it for an orphan. Both on
 * the main thread; release looks again at a watched overlay. */
void                   lodge_throwaway_watcher_hold               (LodgeThrowawayWatcher *self,
                                                                   const char            *uuid);
void                   lodge_throwaway_watcher_release            (LodgeThrowawayWatcher *self,
                                                                   const char            *uuid);
/* How many overlays are followed now. */
guint                  lodge_throwaway_watcher_get_n_watched      (LodgeThrowawayWatcher *self);

G_END_DECLS
