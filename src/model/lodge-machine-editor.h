/* lodge-machine-editor.h: changes to one machine's definition and devices
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-machine-config.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MACHINE_EDITOR (lodge_machine_editor_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMachineEditor, lodge_machine_editor, LODGE, MACHINE_EDITOR, GObject)

/* How an edit took effect. */
typedef enum
{
  LODGE_EDIT_APPLIED = 0,             /* in effect now (machine off: from its next start) */
  LODGE_EDIT_APPLIES_AT_NEXT_BOOT,    /* saved, but the running machine keeps the old value */
} LodgeEditOutcome;

LodgeMachineEditor *lodge_machine_editor_new                (LodgeMachine       *machine);
const char         *lodge_machine_editor_get_uuid           (LodgeMachineEditor *self);

/* Reads the definition on a worker thread: the live one when the machine
 * runs (is_live is then TRUE), else the inactive one; inactive forces the
 * latter. Autostart is filled in. */
void                lodge_machine_editor_load_async   (LodgeMachineEditor  *self,
                                                       gboolean             inactive,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
LodgeMachineConfig *lodge_machine_editor_load_finish  (LodgeMachineEditor  *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Every edit below completes with lodge_machine_editor_edit_finish(). On
 * error nothing was changed (libvirt refuses an edit as a whole) and the
 * GError carries libvirt's message. */
gboolean            lodge_machine_editor_edit_finish  (LodgeMachineEditor  *self,
                                                       GAsyncResult        *result,
                                                       LodgeEditOutcome    *outcome,
                                                       GError             **error);

/* Memory in bytes and vCPUs: live where the hypervisor allows (balloon up
 * to the boot maximum, vCPU hot-plug up to the maximum), always saved in
 * the definition. */
void     lodge_machine_editor_set_memory_async      (LodgeMachineEditor  *self,
                                                     guint64              bytes,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void     lodge_machine_editor_set_vcpus_async       (LodgeMachineEditor  *self,
                                                     guint                vcpus,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void     lodge_machine_editor_set_autostart_async   (LodgeMachineEditor  *self,
                                                     gboolean             autostart,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* NULL or "" removes the description. */
void     lodge_machine_editor_set_description_async (LodgeMachineEditor  *self,
                                                     const char          *description,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* order: disk targets ("vda") and interface MAC addresses, first boots
 * first. Devices not listed are not booted from. Replaces <os><boot/>. */
void     lodge_machine_editor_set_boot_order_async  (LodgeMachineEditor  *self,
                                                     const char * const  *order,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

/* Adds a disk (kind DISK) or CD/DVD drive (kind CDROM). path: an existing
 * file or device; or NULL to create a new volume of new_capacity bytes
 * (qcow2) in pool (NULL: "default") for a disk, or an empty drive for a
 * CD/DVD. bus NULL: virtio for disks, sata for CD/DVD. */
void     lodge_machine_editor_add_disk_async        (LodgeMachineEditor  *self,
                                                     LodgeDeviceKind      kind,
                                                     const char          *path,
                                                     guint64              new_capacity,
                                                     const char          *pool,
                                                     const char          *bus,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* Detaches the disk or drive with this target. Its file is kept. */
void     lodge_machine_editor_remove_disk_async     (LodgeMachineEditor  *self,
                                                     const char          *target,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* Grows a disk to bytes: virDomainBlockResize while running, the storage
 * volume when off. Shrinking is refused (it destroys data). */
void     lodge_machine_editor_resize_disk_async     (LodgeMachineEditor  *self,
                                                     const char          *target,
                                                     guint64              bytes,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* Inserts or changes (path) or ejects (path NULL) a CD/DVD or floppy. */
void     lodge_machine_editor_change_media_async    (LodgeMachineEditor  *self,
                                                     const char          *target,
                                                     const char          *path,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

/* net_type: "network" (source = network name) or "bridge" (source =
 * bridge); model NULL: virtio. */
void     lodge_machine_editor_add_interface_async   (LodgeMachineEditor  *self,
                                                     const char          *net_type,
                                                     const char          *source,
                                                     const char          *model,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void     lodge_machine_editor_remove_interface_async (LodgeMachineEditor *self,
                                                      const char         *mac,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
void     lodge_machine_editor_set_interface_link_async (LodgeMachineEditor *self,
                                                        const char         *mac,
                                                        gboolean            up,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
/* Changes source and/or model (NULL keeps each). */
void     lodge_machine_editor_set_interface_source_async (LodgeMachineEditor *self,
                                                          const char         *mac,
                                                          const char         *net_type,
                                                          const char         *source,
                                                          const char         *model,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);

/* Display: type "spice" or "vnc"; gl switches SPICE OpenGL (and a virtio
 * video card with 3D acceleration). Applies at next boot when running. */
void     lodge_machine_editor_set_graphics_async    (LodgeMachineEditor  *self,
                                                     const char          *type,
                                                     gboolean             gl,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* Sound card model ("ich9", "ich6", "ac97"); NULL removes all sound cards. */
void     lodge_machine_editor_set_sound_async       (LodgeMachineEditor  *self,
                                                     const char          *model,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

/* Firmware: BIOS, or UEFI (picked by libvirt from the host's firmware
 * descriptors) with or without Secure Boot, which needs the Q35 chipset
 * (SMM is switched on with it). Only while the machine is shut off
 * (LODGE_MODEL_ERROR_INVALID_STATE otherwise). The old firmware variable
 * store (NVRAM) is removed when it is the machine's own (libvirt's
 * NAME_VARS.fd, used by no other machine), so that the next start makes a
 * new one from the new firmware's template; boot entries kept there are
 * lost. An installed OS may not start with another firmware. */
void     lodge_machine_editor_set_firmware_async    (LodgeMachineEditor  *self,
                                                     LodgeFirmware        firmware,
                                                     gboolean             secure_boot,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

/* USB host devices, by vendor and product id (4 hex digits). */
void     lodge_machine_editor_add_usb_host_async    (LodgeMachineEditor  *self,
                                                     const char          *vendor_id,
                                                     const char          *product_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void     lodge_machine_editor_remove_usb_host_async (LodgeMachineEditor  *self,
                                                     const char          *vendor_id,
                                                     const char          *product_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* The host's USB devices (virConnectListAllNodeDevices), as LodgeDevice of
 * kind USB_HOST whose summary is "Vendor Product"; root hubs left out. */
void       lodge_machine_editor_list_host_usb_async  (LodgeMachineEditor  *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray *lodge_machine_editor_list_host_usb_finish (LodgeMachineEditor  *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* "Edit XML": defines xml with VIR_DOMAIN_DEFINE_VALIDATE. It must keep the
 * machine's UUID. On error the definition is unchanged and *error_line (if
 * not NULL) is the 1-based line the error names, or 0 when it names none. */
void     lodge_machine_editor_define_xml_async      (LodgeMachineEditor  *self,
                                                     const char          *xml,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean lodge_machine_editor_define_xml_finish     (LodgeMachineEditor  *self,
                                                     GAsyncResult        *result,
                                                     guint               *error_line,
                                                     GError             **error);

/* The QEMU log of a local machine (/var/log/libvirt/qemu/NAME.log as root,
 * ~/.cache/libvirt/qemu/log/NAME.log for session), its last max_bytes. */
void     lodge_machine_editor_read_log_async        (LodgeMachineEditor  *self,
                                                     gsize                max_bytes,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char    *lodge_machine_editor_read_log_finish       (LodgeMachineEditor  *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* IP addresses: from the guest agent, else the DHCP leases of its networks.
 * A NULL-terminated array of "ADDRESS/PREFIX (iface)" strings; empty when
 * none is known. */
void     lodge_machine_editor_get_addresses_async   (LodgeMachineEditor  *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GStrv    lodge_machine_editor_get_addresses_finish  (LodgeMachineEditor  *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Size and use of each disk (virDomainGetBlockInfo): a GPtrArray of
 * LodgeDiskUsage, one per disk, CD-ROM or floppy that has a medium. */
typedef struct
{
  char    *target;
  guint64  capacity;    /* bytes the guest sees */
  guint64  allocation;  /* bytes in use on the host */
  guint64  physical;    /* size of the file or device on the host */
} LodgeDiskUsage;

void       lodge_disk_usage_free                    (LodgeDiskUsage      *usage);
void       lodge_machine_editor_get_disk_usage_async (LodgeMachineEditor *self,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
GPtrArray *lodge_machine_editor_get_disk_usage_finish (LodgeMachineEditor *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);

/* When the machine's QEMU started (unix time), from its pid file on this
 * computer; 0 when unknown (remote host, not running). For "uptime". */
void     lodge_machine_editor_get_start_time_async  (LodgeMachineEditor  *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gint64   lodge_machine_editor_get_start_time_finish (LodgeMachineEditor  *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
