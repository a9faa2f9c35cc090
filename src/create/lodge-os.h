/* lodge-os.h: one operating system of libosinfo's database
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_OS (lodge_os_get_type ())

G_DECLARE_FINAL_TYPE (LodgeOs, lodge_os, LODGE, OS, GObject)

/* Resources in bytes (memory, storage) and counts (vcpus). A field is 0
 * when libosinfo has no figure for it. */
typedef struct
{
  guint64 memory_minimum;
  guint64 memory_recommended;
  guint   vcpus_minimum;
  guint   vcpus_recommended;
  guint64 storage_minimum;
  guint64 storage_recommended;
} LodgeOsResources;

/* Properties (read-only, immutable):
 *   id          string  libosinfo id (an URL), e.g. http://fedoraproject.org/fedora/37
 *   short-id    string  e.g. fedora37
 *   name        string  e.g. "Fedora Linux 37"; for generic entries "Generic Linux" etc.
 *   version     string  may be NULL
 *   vendor      string  may be NULL
 *   family      string  e.g. linux, winnt; may be NULL
 *   distro      string  e.g. fedora, win; may be NULL
 *   release-date string YYYY-MM-DD, may be NULL
 *   generic     boolean one of the fallbacks (generic Linux, generic Windows, unknown)
 *   search-text string  lower-case text to match a search against
 */
const char *lodge_os_get_id                 (LodgeOs *self);
const char *lodge_os_get_short_id           (LodgeOs *self);
const char *lodge_os_get_name               (LodgeOs *self);
const char *lodge_os_get_version            (LodgeOs *self);
const char *lodge_os_get_vendor             (LodgeOs *self);
const char *lodge_os_get_family             (LodgeOs *self);
const char *lodge_os_get_distro             (LodgeOs *self);
const char *lodge_os_get_release_date       (LodgeOs *self);
gboolean    lodge_os_get_generic            (LodgeOs *self);
const char *lodge_os_get_search_text        (LodgeOs *self);

/* Whether a case-insensitive search matches name, version, short id or vendor. */
gboolean    lodge_os_matches                (LodgeOs     *self,
                                             const char  *search);

gboolean    lodge_os_is_windows             (LodgeOs *self);
gboolean    lodge_os_is_linux               (LodgeOs *self);

/* libosinfo's x86_64 figures, following derived OSes. */
void        lodge_os_get_resources          (LodgeOs          *self,
                                             LodgeOsResources *resources);

/* A libosinfo device name (e.g. "virtio1.0-block", "qxl", "ich9-hda") the
 * OS has drivers for. */
gboolean    lodge_os_supports_device        (LodgeOs     *self,
                                             const char  *device_name);
LodgeDiskBus    lodge_os_get_disk_bus       (LodgeOs *self);
LodgeNetModel   lodge_os_get_net_model      (LodgeOs *self);
LodgeVideoModel lodge_os_get_video_model    (LodgeOs *self);
/* virtio-rng and the balloon are added when the OS has drivers. */
gboolean    lodge_os_supports_virtio_rng    (LodgeOs *self);

/* UEFI: the OS cannot boot with BIOS. */
gboolean    lodge_os_requires_uefi          (LodgeOs *self);
/* UEFI: the OS boots with UEFI (Lodge then picks it when the host has it). */
gboolean    lodge_os_supports_uefi          (LodgeOs *self);
/* Windows 11 wants Secure Boot and a TPM 2.0. */
gboolean    lodge_os_needs_secure_boot      (LodgeOs *self);
gboolean    lodge_os_needs_tpm              (LodgeOs *self);

/* libosinfo has an unattended install script for it (express install). */
gboolean    lodge_os_has_install_script     (LodgeOs *self);

G_END_DECLS
