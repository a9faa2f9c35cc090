/* lodge-machine-spec.h: everything a new machine is made from
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "create/lodge-create-types.h"
#include "create/lodge-express.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MACHINE_SPEC (lodge_machine_spec_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMachineSpec, lodge_machine_spec, LODGE, MACHINE_SPEC, GObject)

/* Properties (read-write, notified only on change; bind them to widgets):
 *   name          string   libvirt name (unique, no '/' or control characters)
 *   title         string   what people see; may be NULL
 *   os-id         string   libosinfo id written into <metadata>; NULL: unknown
 *   windows       boolean  Windows guest: local-time clock, Hyper-V enlightenments with KVM
 *   memory        guint64  bytes (>= 64 MiB)
 *   vcpus         guint
 *   disk-path     string   an existing disk to use; NULL: the creator makes a new volume
 *   disk-format   LodgeDiskFormat  of disk-path (qcow2 for new volumes)
 *   disk-size     guint64  bytes, for the new volume; 0: no disk at all
 *   cdrom-path    string   ISO attached as a SATA CD-ROM and booted first; may be NULL
 *   firmware      LodgeSpecFirmware
 *   secure-boot   boolean  with UEFI: Secure Boot with Microsoft keys enrolled (needs SMM)
 *   tpm           boolean  a TPM 2.0 emulator (swtpm)
 *   acceleration  LodgeAcceleration  domain type kvm or qemu (TCG)
 *   emulator      string   QEMU binary; NULL: libvirt's default
 *   arch          string   default "x86_64"
 *   machine       string   default "q35"
 *   disk-bus      LodgeDiskBus
 *   net-model     LodgeNetModel
 *   video-model   LodgeVideoModel
 *   virtio-rng    boolean  a virtio RNG fed from /dev/urandom
 *   network       string   libvirt network name; NULL: QEMU user-mode networking
 *   throwaway     boolean  run as a transient domain on an overlay removed when it stops
 *   uuid          string   NULL: libvirt picks one (the creator sets it for throwaways)
 *   import-path   string   a disk image (qcow2, raw, vmdk, vdi) copied into a new qcow2
 *                          volume with qemu-img (local hypervisors only); NULL: none
 *   import-format LodgeDiskFormat  of import-path (LodgeMedia's disk-format)
 *   express-script LodgeExpressScript  an unattended install script (from
 *                          lodge_express_generate_async()); the creator puts it on a
 *                          small CD-ROM image next to the installer, or (initrd
 *                          injection) into the installer's initrd
 *   unattended-path string that image, set by the creator; attached as a second CD-ROM
 *   install-kernel  string  the installer's kernel booted directly for the install
 *                          boot (initrd injection), set by the creator; NULL: none
 *   install-initrd  string  its initrd (with the script), set by the creator
 *   install-cmdline string  its command line
 *                          With install-kernel the builder writes the install
 *                          boot's XML: <kernel>/<initrd>/<cmdline> and
 *                          on_reboot destroy (the installer's reboot stops it).
 */
LodgeMachineSpec *lodge_machine_spec_new          (void);
LodgeMachineSpec *lodge_machine_spec_copy         (LodgeMachineSpec    *self);

/* Fills os-id, windows, resources (libosinfo's recommendation capped by
 * the host), devices, firmware, Secure Boot and TPM from the OS, and
 * acceleration, emulator, arch, machine and network from the host. Name
 * and title are set from the OS when still empty. os NULL: an unknown OS. */
void              lodge_machine_spec_apply_os     (LodgeMachineSpec    *self,
                                                   LodgeOs             *os,
                                                   const LodgeHostInfo *host);

/* Translated warnings for the review step (memory beyond the host's, more
 * vCPUs than the host has, emulation); NULL-terminated, may be empty. */
char            **lodge_machine_spec_get_warnings (LodgeMachineSpec    *self,
                                                   const LodgeHostInfo *host);

const char       *lodge_machine_spec_get_name        (LodgeMachineSpec *self);
void              lodge_machine_spec_set_name        (LodgeMachineSpec *self, const char *name);
const char       *lodge_machine_spec_get_title       (LodgeMachineSpec *self);
void              lodge_machine_spec_set_title       (LodgeMachineSpec *self, const char *title);
const char       *lodge_machine_spec_get_os_id       (LodgeMachineSpec *self);
void              lodge_machine_spec_set_os_id       (LodgeMachineSpec *self, const char *os_id);
guint64           lodge_machine_spec_get_memory      (LodgeMachineSpec *self);
void              lodge_machine_spec_set_memory      (LodgeMachineSpec *self, guint64 memory);
guint             lodge_machine_spec_get_vcpus       (LodgeMachineSpec *self);
void              lodge_machine_spec_set_vcpus       (LodgeMachineSpec *self, guint vcpus);
const char       *lodge_machine_spec_get_disk_path   (LodgeMachineSpec *self);
void              lodge_machine_spec_set_disk_path   (LodgeMachineSpec *self, const char *path);
LodgeDiskFormat   lodge_machine_spec_get_disk_format (LodgeMachineSpec *self);
void              lodge_machine_spec_set_disk_format (LodgeMachineSpec *self, LodgeDiskFormat format);
guint64           lodge_machine_spec_get_disk_size   (LodgeMachineSpec *self);
void              lodge_machine_spec_set_disk_size   (LodgeMachineSpec *self, guint64 size);
const char       *lodge_machine_spec_get_cdrom_path  (LodgeMachineSpec *self);
void              lodge_machine_spec_set_cdrom_path  (LodgeMachineSpec *self, const char *path);
LodgeSpecFirmware lodge_machine_spec_get_firmware    (LodgeMachineSpec *self);
void              lodge_machine_spec_set_firmware    (LodgeMachineSpec *self, LodgeSpecFirmware firmware);
gboolean          lodge_machine_spec_get_secure_boot (LodgeMachineSpec *self);
void              lodge_machine_spec_set_secure_boot (LodgeMachineSpec *self, gboolean secure_boot);
gboolean          lodge_machine_spec_get_tpm         (LodgeMachineSpec *self);
void              lodge_machine_spec_set_tpm         (LodgeMachineSpec *self, gboolean tpm);
LodgeAcceleration lodge_machine_spec_get_acceleration (LodgeMachineSpec *self);
void              lodge_machine_spec_set_acceleration (LodgeMachineSpec *self, LodgeAcceleration acceleration);
const char       *lodge_machine_spec_get_network     (LodgeMachineSpec *self);
void              lodge_machine_spec_set_network     (LodgeMachineSpec *self, const char *network);
const char       *lodge_machine_spec_get_import_path (LodgeMachineSpec *self);
void              lodge_machine_spec_set_import_path (LodgeMachineSpec *self, const char *path);
LodgeDiskFormat   lodge_machine_spec_get_import_format (LodgeMachineSpec *self);
void              lodge_machine_spec_set_import_format (LodgeMachineSpec *self, LodgeDiskFormat format);
const LodgeExpressScript *lodge_machine_spec_get_express_script (LodgeMachineSpec *self);
void              lodge_machine_spec_set_express_script (LodgeMachineSpec *self,
                                                         const LodgeExpressScript *script);
gboolean          lodge_machine_spec_get_throwaway   (LodgeMachineSpec *self);
void              lodge_machine_spec_set_throwaway   (LodgeMachineSpec *self, gboolean throwaway);

G_END_DECLS
