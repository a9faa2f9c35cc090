/* lodge-machine-creator.h: volume + definition + start as one transaction
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create-types.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MACHINE_CREATOR (lodge_machine_creator_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMachineCreator, lodge_machine_creator, LODGE, MACHINE_CREATOR, GObject)

/* Properties (read-only, notified on the main thread while running):
 *   connection  LodgeConnection
 *   spec        LodgeMachineSpec  (copied when run starts: later edits do not count)
 *   stage       LodgeCreateStage
 *   progress    double   0..1
 *   volume-path string   the disk (or overlay) created, once created; NULL after a cleanup
 */
LodgeMachineCreator *lodge_machine_creator_new          (LodgeConnection     *connection,
                                                         LodgeMachineSpec    *spec);
LodgeConnection     *lodge_machine_creator_get_connection (LodgeMachineCreator *self);
LodgeMachineSpec    *lodge_machine_creator_get_spec     (LodgeMachineCreator *self);
LodgeCreateStage     lodge_machine_creator_get_stage    (LodgeMachineCreator *self);
double               lodge_machine_creator_get_progress (LodgeMachineCreator *self);
const char          *lodge_machine_creator_get_volume_path (LodgeMachineCreator *self);

/* Runs the transaction on a worker thread: checks (name free and valid,
 * media still there, disk not larger than the pool's free space), Lodge's
 * pool (created, built and started on first use), a thin qcow2 volume,
 * the definition, the start. Throwaway specs: an overlay volume and a
 * transient domain, handed to the host's LodgeThrowawayWatcher (so the
 * connection must be a LodgeHost's: LODGE_CREATE_ERROR_INVALID_CONFIG
 * otherwise). On failure or cancel everything created is removed before
 * the error is returned (G_IO_ERROR_CANCELLED for a cancel). When the
 * connection to the daemon is lost meanwhile, the error is
 * LODGE_CREATE_ERROR_NOT_CONNECTED and what was made is written down for
 * the LodgePendingCleanup of the URI's host, which removes it once the
 * connection is back.
 * Express installs: a kickstart/unattend goes on a small CD-ROM volume; a
 * preseed (initrd injection) goes into the installer's initrd, taken with
 * its kernel from the ISO: the machine is defined and started with them
 * (on_reboot destroy), then its persistent definition is replaced by one
 * that boots the disk, and the kernel and initrd volumes are removed (QEMU
 * holds them in memory). Returns the new domain's UUID. Run once per
 * creator. */
void                 lodge_machine_creator_run_async    (LodgeMachineCreator *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
char                *lodge_machine_creator_run_finish   (LodgeMachineCreator *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* A translated line for a stage ("Creating the disk…"). */
const char          *lodge_create_stage_to_string       (LodgeCreateStage     stage);

/* Checks a name for the review step: syntax (empty, '/', control
 * characters) and that no machine on the connection has it. */
void                 lodge_machine_creator_check_name_async  (LodgeConnection     *connection,
                                                              const char          *name,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean             lodge_machine_creator_check_name_finish (GAsyncResult        *result,
                                                              GError             **error);

/* A free name from base: base itself, else base-2, base-3… ('/' and
 * control characters become '-'). */
void                 lodge_machine_creator_suggest_name_async  (LodgeConnection     *connection,
                                                                const char          *base,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
char                *lodge_machine_creator_suggest_name_finish (GAsyncResult        *result,
                                                                GError             **error);

/* The directory Lodge's pool uses for a connection URI: under the user's
 * data dir for session URIs, under /var/lib/libvirt/images otherwise. */
char                *lodge_machine_creator_pool_path_for_uri (const char *uri);

G_END_DECLS
