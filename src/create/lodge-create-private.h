/* lodge-create-private.h: what several files of the create layer share
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <osinfo/osinfo.h>

#include "create/lodge-create-types.h"
#include "create/lodge-host-info.h"
#include "create/lodge-os.h"
#include "create/lodge-os-database.h"
#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_OS_ID_UNKNOWN        "http://libosinfo.org/unknown"
#define LODGE_OS_ID_GENERIC_WINDOWS "http://microsoft.com/win/10"

LodgeOs  *lodge_os_new_for_osinfo            (OsinfoOs   *os,
                                              const char *name_override,
                                              gboolean    generic);
OsinfoOs *lodge_os_get_osinfo                (LodgeOs    *self);

/* Name checks that need no connection: empty, too long, '/', control
 * characters. */
/* A download's sidecar (its .part's "[download]" keys: uri, etag or
 * last-modified): the validator to resume @uri with, or NULL when it
 * cannot be resumed (another URI, no validator, not a key file). Pure:
 * any bytes, any thread. */
char     *lodge_download_sidecar_parse       (const char  *data,
                                              gsize        len,
                                              const char  *uri);

gboolean  lodge_create_check_name_syntax     (const char  *name,
                                              GError     **error);

/* The acceleration decision with every input explicit, for tests:
 * dev_kvm (e.g. "/dev/kvm"), sys_module_dir (e.g. "/sys/module"),
 * cpuinfo (e.g. "/proc/cpuinfo"), domcaps_kvm: -1 unknown, 0 not offered,
 * 1 offered. */
LodgeAcceleration lodge_acceleration_probe_full (gboolean                 prefer_emulation,
                                                 const char              *dev_kvm,
                                                 const char              *sys_module_dir,
                                                 const char              *cpuinfo,
                                                 int                      domcaps_kvm,
                                                 LodgeAccelerationReason *reason);

/* What the host's capabilities offer a new machine (the view behind
 * lodge_host_info_query_async()), with the local acceleration checks on
 * the files given (as for lodge_acceleration_probe_full()). Pure but for
 * those reads, for tests. */
LodgeHostInfo    *lodge_host_info_new_for_capabilities (LodgeHostCapabilities *caps,
                                                        const LodgeUri        *uri,
                                                        gboolean               prefer_emulation,
                                                        const char            *dev_kvm,
                                                        const char            *sys_module_dir,
                                                        const char            *cpuinfo);

G_END_DECLS

G_BEGIN_DECLS
/* Only valid once loaded; read-only afterwards, so worker threads may
 * identify media against it. */
OsinfoDb *lodge_os_database_get_osinfo_db  (LodgeOsDatabase *self);
G_END_DECLS

G_BEGIN_DECLS

/* LodgeMachineSpec keeps its properties in a GValue table that the
 * builder and the creator read directly. */
typedef enum
{
  LODGE_SPEC_PROP_0,
  LODGE_SPEC_PROP_NAME,
  LODGE_SPEC_PROP_TITLE,
  LODGE_SPEC_PROP_OS_ID,
  LODGE_SPEC_PROP_WINDOWS,
  LODGE_SPEC_PROP_MEMORY,
  LODGE_SPEC_PROP_VCPUS,
  LODGE_SPEC_PROP_DISK_PATH,
  LODGE_SPEC_PROP_DISK_FORMAT,
  LODGE_SPEC_PROP_DISK_SIZE,
  LODGE_SPEC_PROP_CDROM_PATH,
  LODGE_SPEC_PROP_FIRMWARE,
  LODGE_SPEC_PROP_SECURE_BOOT,
  LODGE_SPEC_PROP_TPM,
  LODGE_SPEC_PROP_ACCELERATION,
  LODGE_SPEC_PROP_EMULATOR,
  LODGE_SPEC_PROP_ARCH,
  LODGE_SPEC_PROP_MACHINE,
  LODGE_SPEC_PROP_DISK_BUS,
  LODGE_SPEC_PROP_NET_MODEL,
  LODGE_SPEC_PROP_VIDEO_MODEL,
  LODGE_SPEC_PROP_VIRTIO_RNG,
  LODGE_SPEC_PROP_NETWORK,
  LODGE_SPEC_PROP_THROWAWAY,
  LODGE_SPEC_PROP_UUID,
  LODGE_SPEC_PROP_IMPORT_PATH,
  LODGE_SPEC_PROP_IMPORT_FORMAT,
  LODGE_SPEC_PROP_EXPRESS_SCRIPT,
  LODGE_SPEC_PROP_UNATTENDED_PATH,
  LODGE_SPEC_PROP_INSTALL_KERNEL,
  LODGE_SPEC_PROP_INSTALL_INITRD,
  LODGE_SPEC_PROP_INSTALL_CMDLINE,
  LODGE_SPEC_N_PROPS
} LodgeSpecProp;

const GValue *lodge_machine_spec_peek (LodgeMachineSpec *self,
                                       LodgeSpecProp     prop);
#define SPEC_STRING(spec, p)  g_value_get_string (lodge_machine_spec_peek ((spec), LODGE_SPEC_PROP_##p))
#define SPEC_BOOL(spec, p)    g_value_get_boolean (lodge_machine_spec_peek ((spec), LODGE_SPEC_PROP_##p))
#define SPEC_UINT(spec, p)    g_value_get_uint (lodge_machine_spec_peek ((spec), LODGE_SPEC_PROP_##p))
#define SPEC_UINT64(spec, p)  g_value_get_uint64 (lodge_machine_spec_peek ((spec), LODGE_SPEC_PROP_##p))
#define SPEC_BOXED(spec, p)   g_value_get_boxed (lodge_machine_spec_peek ((spec), LODGE_SPEC_PROP_##p))
#define SPEC_ENUM(spec, p)    g_value_get_enum (lodge_machine_spec_peek ((spec), LODGE_SPEC_PROP_##p))

G_END_DECLS
