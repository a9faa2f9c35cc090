/* lodge-migration.h: moves a machine to another host, live when it runs
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

/* One migration of one machine to the host of another connection. Set the
 * options, optionally check, then start; a LodgeMigration runs once.
 *
 * A running or paused machine is migrated live by libvirt (its memory is
 * copied while it runs, then it switches over in a short pause). A machine
 * that is shut off has its definition moved, and with COPY_ALL the disk
 * files the destination lacks are streamed there first through libvirt's
 * storage (holes kept; files of a pool or of a folder libvirt can open as
 * one, no backing chains). Either way the machine is defined on the
 * destination when it was persistent on the source, and undefined on the
 * source unless keep-source is set.
 *
 * Threads: every libvirt call runs on worker threads (the migration on one,
 * libvirt's job statistics of the source on another, at least once a
 * second; cancel and post-copy on short-lived ones). Properties change and
 * are notified on the main context of the thread that called start, never
 * elsewhere; the object must be used from that thread only.
 *
 * Options (read-write, set before start; changing them later is an error):
 *   machine            LodgeMachine*     construct-only
 *   destination        LodgeConnection*  construct-only; must be connected
 *   live               boolean  copy memory while the machine runs (default
 *                               TRUE); FALSE pauses it for the whole copy.
 *                               Ignored for a machine that is shut off.
 *   storage            LodgeMigrationStorage  SHARED (default): the
 *                               destination must reach every disk at the same
 *                               path; COPY_ALL: disks the destination lacks
 *                               are copied, their volumes created there by
 *                               libvirt in the pool whose folder holds that
 *                               path (same path as on the source)
 *   peer-to-peer       boolean  the source's daemon talks to the destination
 *                               itself (default FALSE: Lodge drives both)
 *   peer-uri           string   with peer-to-peer: the destination's URI as
 *                               the source's daemon reaches it (default: the
 *                               destination connection's URI)
 *   keep-source        boolean  keep the definition on the source (a copy,
 *                               shut off there) instead of moving it
 *   bandwidth          guint64  MiB/s, 0 for no limit
 *   auto-converge      boolean  slow the guest down when it dirties memory
 *                               faster than it can be copied
 *   compressed         boolean  compress the memory stream
 *   post-copy          boolean  allow switching to post-copy while running
 *                               (lodge_migration_start_post_copy_async)
 *   max-downtime       guint64  ms the switch-over may pause, 0: libvirt's
 *   migrate-uri        string   where the source's QEMU connects to, e.g.
 *                               tcp://192.0.2.1 (default: what the
 *                               destination announces)
 *   listen-address     string   address the destination's QEMU listens on
 *
 * Progress (read-only, notified on change, updated about twice a second
 * while running; byte counts from libvirt's job statistics of the source):
 *   phase              LodgeMigrationPhase
 *   memory-processed, memory-remaining, memory-total    guint64 bytes
 *   disk-processed, disk-remaining, disk-total          guint64 bytes (of
 *                      the copied disks; once done, their whole size when the
 *                      copy went by too quickly to be read)
 *   rate               guint64  bytes/s being transferred now
 *   dirty-rate         guint64  bytes/s the guest dirties
 *   expected-downtime  guint64  ms, libvirt's estimate while copying
 *   downtime           guint64  ms the switch-over took (once done)
 *   elapsed            guint64  ms since the job started
 *
 * Errors are LODGE_MODEL_ERROR (messages name the machine and the host),
 * or G_IO_ERROR_CANCELLED after lodge_migration_cancel () or the start's
 * cancellable. After a failure or a cancel the machine runs on the source
 * as before and nothing of it is left on the destination.
 */
#define LODGE_TYPE_MIGRATION (lodge_migration_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMigration, lodge_migration, LODGE, MIGRATION, GObject)

LodgeMigration       *lodge_migration_new                 (LodgeMachine          *machine,
                                                           LodgeConnection       *destination);
LodgeMachine         *lodge_migration_get_machine         (LodgeMigration        *self);
LodgeConnection      *lodge_migration_get_destination     (LodgeMigration        *self);

gboolean              lodge_migration_get_live            (LodgeMigration        *self);
void                  lodge_migration_set_live            (LodgeMigration        *self,
                                                           gboolean               live);
LodgeMigrationStorage lodge_migration_get_storage         (LodgeMigration        *self);
void                  lodge_migration_set_storage         (LodgeMigration        *self,
                                                           LodgeMigrationStorage  storage);
gboolean              lodge_migration_get_peer_to_peer    (LodgeMigration        *self);
void                  lodge_migration_set_peer_to_peer    (LodgeMigration        *self,
                                                           gboolean               peer_to_peer);
const char           *lodge_migration_get_peer_uri        (LodgeMigration        *self);
void                  lodge_migration_set_peer_uri        (LodgeMigration        *self,
                                                           const char            *uri);
gboolean              lodge_migration_get_keep_source     (LodgeMigration        *self);
void                  lodge_migration_set_keep_source     (LodgeMigration        *self,
                                                           gboolean               keep_source);
guint64               lodge_migration_get_bandwidth       (LodgeMigration        *self);
void                  lodge_migration_set_bandwidth       (LodgeMigration        *self,
                                                           guint64                mib_per_second);
gboolean              lodge_migration_get_auto_converge   (LodgeMigration        *self);
void                  lodge_migration_set_auto_converge   (LodgeMigration        *self,
                                                           gboolean               auto_converge);
gboolean              lodge_migration_get_compressed      (LodgeMigration        *self);
void                  lodge_migration_set_compressed      (LodgeMigration        *self,
                                                           gboolean               compressed);
gboolean              lodge_migration_get_post_copy       (LodgeMigration        *self);
void                  lodge_migration_set_post_copy       (LodgeMigration        *self,
                                                           gboolean               post_copy);
guint64               lodge_migration_get_max_downtime    (LodgeMigration        *self);
void                  lodge_migration_set_max_downtime    (LodgeMigration        *self,
                                                           guint64                ms);
const char           *lodge_migration_get_migrate_uri     (LodgeMigration        *self);
void                  lodge_migration_set_migrate_uri     (LodgeMigration        *self,
                                                           const char            *uri);
const char           *lodge_migration_get_listen_address  (LodgeMigration        *self);
void                  lodge_migration_set_listen_address  (LodgeMigration        *self,
                                                           const char            *address);

LodgeMigrationPhase   lodge_migration_get_phase             (LodgeMigration      *self);
guint64               lodge_migration_get_memory_processed  (LodgeMigration      *self);
guint64               lodge_migration_get_memory_remaining  (LodgeMigration      *self);
guint64               lodge_migration_get_memory_total      (LodgeMigration      *self);
guint64               lodge_migration_get_disk_processed    (LodgeMigration      *self);
guint64               lodge_migration_get_disk_remaining    (LodgeMigration      *self);
guint64               lodge_migration_get_disk_total        (LodgeMigration      *self);
guint64               lodge_migration_get_rate              (LodgeMigration      *self);
guint64               lodge_migration_get_dirty_rate        (LodgeMigration      *self);
guint64               lodge_migration_get_expected_downtime (LodgeMigration      *self);
guint64               lodge_migration_get_downtime          (LodgeMigration      *self);
guint64               lodge_migration_get_elapsed           (LodgeMigration      *self);

/* What would stop the migration with the current options: the same
 * architecture, a compatible CPU (skipped for emulated, TCG machines),
 * enough free memory, no machine of that name or UUID on the destination,
 * every disk reachable there or to be copied into a pool there, a state
 * that can move. Fails with all the problems found, one per line (the
 * code is the first one's). start runs the same checks first. */
void                  lodge_migration_check_async         (LodgeMigration        *self,
                                                           GCancellable          *cancellable,
                                                           GAsyncReadyCallback    callback,
                                                           gpointer               user_data);
gboolean              lodge_migration_check_finish        (LodgeMigration        *self,
                                                           GAsyncResult          *result,
                                                           GError               **error);

/* Runs the migration. Completes when the machine runs (or is defined) on
 * the destination, or with the error; the progress properties are final
 * by then. */
void                  lodge_migration_start_async         (LodgeMigration        *self,
                                                           GCancellable          *cancellable,
                                                           GAsyncReadyCallback    callback,
                                                           gpointer               user_data);
gboolean              lodge_migration_start_finish        (LodgeMigration        *self,
                                                           GAsyncResult          *result,
                                                           GError               **error);

/* Aborts a running migration (libvirt's virDomainAbortJob, off the main
 * thread); start then fails with G_IO_ERROR_CANCELLED. Does nothing when
 * not running. A migration in post-copy cannot be cancelled: the machine
 * already runs on the destination. */
void                  lodge_migration_cancel              (LodgeMigration        *self);

/* Switches a running migration that allows it (post-copy option) to
 * post-copy: the machine goes on on the destination at once and fetches
 * the rest of its memory from the source. */
void                  lodge_migration_start_post_copy_async  (LodgeMigration     *self,
                                                              GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
gboolean              lodge_migration_start_post_copy_finish (LodgeMigration     *self,
                                                              GAsyncResult       *result,
                                                              GError            **error);

G_END_DECLS
