/* lodge-host-capabilities.h: what a host is and offers, read once
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain, immutable data read on a worker thread when a host connects
 * (node info, the capabilities, domain capabilities for KVM and for QEMU's
 * emulation) and kept by its LodgeHost until it reconnects. The creator and
 * the machine editor both ask it: there is one parser of domain
 * capabilities. Thread-safe: a reference may cross threads.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

/* What one <domainCapabilities> document says (arch, machine, virt type). */
typedef struct
{
  char     *domain_type;   /* "kvm", "qemu" */
  char     *emulator;      /* QEMU binary */
  char     *arch;
  char     *machine;       /* canonical machine type, e.g. pc-q35-7.2 */
  gboolean  uefi;          /* firmware "efi" offered */
  gboolean  secure_boot;   /* a loader with secure='yes' */
  gboolean  tpm;           /* an emulated TPM (swtpm) */
} LodgeDomainCapabilities;

/* Pure: NULL with LODGE_MODEL_ERROR_INVALID_ARGUMENT on malformed XML. */
LodgeDomainCapabilities *lodge_domain_capabilities_parse (const char  *xml,
                                                          GError     **error);
void                     lodge_domain_capabilities_free  (LodgeDomainCapabilities *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeDomainCapabilities, lodge_domain_capabilities_free)

#define LODGE_TYPE_HOST_CAPABILITIES (lodge_host_capabilities_get_type ())

typedef struct _LodgeHostCapabilities LodgeHostCapabilities;

GType                  lodge_host_capabilities_get_type (void) G_GNUC_CONST;
LodgeHostCapabilities *lodge_host_capabilities_ref      (LodgeHostCapabilities *self);
void                   lodge_host_capabilities_unref    (LodgeHostCapabilities *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeHostCapabilities, lodge_host_capabilities_unref)

/* For tests: a host of @arch with @memory bytes and @cpus CPUs, with the
 * given domain capabilities documents (either may be NULL). */
LodgeHostCapabilities *lodge_host_capabilities_new_for_test (const char *hostname,
                                                             const char *arch,
                                                             guint64     memory,
                                                             guint       cpus,
                                                             const char *kvm_domcaps_xml,
                                                             const char *qemu_domcaps_xml);

/* The host's name as it says (virConnectGetHostname); NULL unknown. */
const char            *lodge_host_capabilities_get_hostname  (LodgeHostCapabilities *self);
/* The host's CPU architecture ("x86_64"). */
const char            *lodge_host_capabilities_get_arch      (LodgeHostCapabilities *self);
/* The host CPU's model name from the capabilities; NULL unknown. */
const char            *lodge_host_capabilities_get_cpu_model (LodgeHostCapabilities *self);
/* Bytes of RAM and number of CPUs (node info); 0 unknown. */
guint64                lodge_host_capabilities_get_memory    (LodgeHostCapabilities *self);
guint                  lodge_host_capabilities_get_cpus      (LodgeHostCapabilities *self);
/* Domain capabilities of the host's arch and q35 for "kvm" and "qemu" (TCG),
 * NULL when that virt type is not offered (KVM: also when the hypervisor
 * answers for "kvm" with another domain type). */
const LodgeDomainCapabilities *lodge_host_capabilities_get_kvm  (LodgeHostCapabilities *self);
const LodgeDomainCapabilities *lodge_host_capabilities_get_qemu (LodgeHostCapabilities *self);
/* Whether the host answered for domain capabilities at all (the test
 * driver does not): callers then ask nothing of them. */
gboolean               lodge_host_capabilities_has_domain_capabilities (LodgeHostCapabilities *self);
/* libvirt's "default" network when it exists and is active; else NULL. */
const char            *lodge_host_capabilities_get_default_network (LodgeHostCapabilities *self);

G_END_DECLS
