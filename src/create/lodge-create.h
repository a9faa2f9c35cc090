/* lodge-create.h: the create layer's public headers
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* How the assistant uses this layer (everything async runs its blocking
 * part on a worker thread and completes on the caller's main context):
 *
 *  1. At start-up, once: lodge_os_database_load_async() on the app's
 *     LodgeOsDatabase (the picker binds lodge_os_database_get_os_list()).
 *  2. When the assistant opens: lodge_host_info_query_async (host,
 *     prefer_emulation, …) → LodgeHostInfo (memory, CPUs, KVM or TCG and
 *     why: lodge_acceleration_reason_to_string(), UEFI/TPM availability);
 *     lodge_media_scanner_scan_async (scanner, NULL, …) lists media in
 *     ~/Downloads as a GListModel of LodgeMedia.
 *  3. A file is picked or dropped: lodge_media_new_for_path_async() →
 *     LodgeMedia (kind, os or NULL → show the OS picker, errors with
 *     messages for people).
 *  4. lodge_machine_spec_new() + lodge_machine_spec_apply_os (spec, os, host)
 *     fills defaults; set cdrom-path (ISO) or import-path/-format (disk
 *     image); lodge_machine_creator_suggest_name_async() for a free name;
 *     bind the review widgets to the spec's properties; check the name
 *     with lodge_machine_creator_check_name_async(); show
 *     lodge_machine_spec_get_warnings().
 *  5. Create: lodge_machine_creator_new (connection, spec) and
 *     lodge_machine_creator_run_async (creator, cancellable, …) with a
 *     progress bar on "progress" and a label from
 *     lodge_create_stage_to_string ("stage"); Cancel = g_cancellable_cancel.
 *     The result is the new domain's UUID (lodge_connection_lookup_machine()
 *     finds the LodgeMachine once libvirt's event arrived).
 */

#include "create/lodge-create-types.h"
#include "create/lodge-create-enums.h"
#include "create/lodge-domain-builder.h"
#include "create/lodge-express.h"
#include "create/lodge-host-info.h"
#include "create/lodge-machine-creator.h"
#include "create/lodge-machine-spec.h"
#include "create/lodge-media.h"
#include "create/lodge-media-scanner.h"
#include "create/lodge-os.h"
#include "create/lodge-os-database.h"
