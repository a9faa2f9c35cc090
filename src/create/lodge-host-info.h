/* lodge-host-info.h: what the host offers a new machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create-types.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

/* Plain data, filled on a worker thread by lodge_host_info_query_async()
 * or by hand (tests). Strings are owned by the struct. */
struct _LodgeHostInfo
{
  guint64                 memory;              /* bytes of host RAM; 0 unknown */
  guint                   cpus;                /* host CPUs; 0 unknown */
  LodgeAcceleration       acceleration;
  LodgeAccelerationReason acceleration_reason; /* why QEMU (TCG) was chosen */
  char                   *emulator;            /* QEMU binary, NULL: libvirt's default */
  char                   *arch;                /* "x86_64" */
  char                   *machine;             /* "q35" */
  gboolean                uefi;                /* UEFI firmware is installed (ovmf) */
  gboolean                secure_boot;         /* ... with Secure Boot */
  gboolean                tpm;                 /* a TPM emulator (swtpm) */
  gboolean                session;             /* a per-user (session) connection */
  gboolean                local;               /* the hypervisor runs on this computer */
  char                   *network;             /* libvirt network for NICs; NULL: user-mode networking */
};

#define LODGE_TYPE_HOST_INFO (lodge_host_info_get_type ())

GType          lodge_host_info_get_type    (void) G_GNUC_CONST;
/* x86_64, q35, KVM, nothing else known. */
LodgeHostInfo *lodge_host_info_new         (void);
LodgeHostInfo *lodge_host_info_copy        (const LodgeHostInfo *info);
void           lodge_host_info_free        (LodgeHostInfo       *info);

/* What the host's capabilities (lodge_host_get_capabilities_async(): node
 * info, domain capabilities for KVM and QEMU, the default network, read
 * once per connection) offer a new machine, with the acceleration decided
 * by lodge_acceleration_probe() for a hypervisor on this computer.
 * prefer_emulation is the user's preference; LODGE_FORCE_EMULATION=1 in
 * the environment forces it too. Fails as the capabilities do
 * (LODGE_MODEL_ERROR_NOT_CONNECTED when the host is not connected). */
void           lodge_host_info_query_async  (LodgeHost           *host,
                                             gboolean             prefer_emulation,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
LodgeHostInfo *lodge_host_info_query_finish (GAsyncResult        *result,
                                             GError             **error);

/* The local checks alone: /dev/kvm openable, not the kvm_pvm module, the
 * CPU has vmx or svm. Blocking but quick (a few file reads). */
LodgeAcceleration lodge_acceleration_probe  (gboolean                 prefer_emulation,
                                             LodgeAccelerationReason *reason);

/* A sentence for the notice shown when the machine will be emulated (NULL
 * for LODGE_ACCELERATION_REASON_NONE). Translated. */
const char    *lodge_acceleration_reason_to_string (LodgeAccelerationReason reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeHostInfo, lodge_host_info_free)

G_END_DECLS
