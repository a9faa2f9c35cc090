/* lodge-machine-config.h: a domain definition, parsed for the details page
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

/* What a device is, as far as Lodge understands it. Everything else is
 * LODGE_DEVICE_KIND_OTHER and shown read-only with its element name. */
typedef enum
{
  LODGE_DEVICE_KIND_DISK,
  LODGE_DEVICE_KIND_CDROM,
  LODGE_DEVICE_KIND_FLOPPY,
  LODGE_DEVICE_KIND_INTERFACE,
  LODGE_DEVICE_KIND_GRAPHICS,
  LODGE_DEVICE_KIND_VIDEO,
  LODGE_DEVICE_KIND_SOUND,
  LODGE_DEVICE_KIND_USB_HOST,
  LODGE_DEVICE_KIND_OTHER,
} LodgeDeviceKind;

typedef enum
{
  LODGE_FIRMWARE_BIOS,
  LODGE_FIRMWARE_UEFI,
  LODGE_FIRMWARE_OTHER,   /* e.g. test driver, s390 or a custom loader */
} LodgeFirmware;

#define LODGE_TYPE_DEVICE (lodge_device_get_type ())

/* One <devices> child. Fields are read-only for users; strings may be NULL
 * when the definition does not say. */
typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;
  /*< public >*/
  LodgeDeviceKind kind;
  char     *element;      /* the element name: "disk", "interface", "watchdog"... */
  char     *xml;          /* the element as XML, for libvirt's device calls */
  char     *alias;        /* <alias name=''/> of a running machine */
  char     *summary;      /* one line for people, e.g. "virtio disk vda" */
  guint     boot_order;   /* <boot order=''/>, 0 when none */

  /* disks, CD-ROMs, floppies */
  char     *target;       /* "vda", "sdb" */
  char     *bus;          /* virtio, sata, ide, scsi, usb, fdc, xen... */
  char     *source_type;  /* file, block, volume, network, dir, nvme... */
  char     *source;       /* path, device, "pool/volume" or "protocol://host/name"; NULL = empty */
  char     *pool;         /* source_type volume: the pool and volume names */
  char     *volume;
  char     *format;       /* <driver type=''/>: qcow2, raw... */
  gboolean  readonly;
  gboolean  shareable;

  /* interfaces: mac, net_type (network, bridge, user, direct...), source
   * (network or bridge name), model, link_up */
  char     *mac;
  char     *net_type;
  char     *model;        /* also video and sound model, graphics type */
  gboolean  link_up;

  /* graphics: model = spice/vnc/sdl/rdp..., listen = address, "none",
   * "socket"; gl for SPICE OpenGL. video: model and accel3d */
  char     *listen;
  gboolean  gl;
  gboolean  accel3d;

  /* graphics, how a client reaches it: the first <listen>'s type
   * ("address", "network", "socket", "none"; NULL when the definition has
   * none and only a listen='' attribute or a port), its address or unix
   * socket (a live definition names them even when libvirt chose them),
   * the ports (-1 when none or not yet chosen: autoport on a machine that
   * is not running) and the password (only in a secure definition). */
  char     *listen_type;
  char     *listen_address;
  char     *socket;
  int       port;
  int       tls_port;
  char     *password;

  /* serial ports and consoles: the character device's type (<serial
   * type=''>: pty, file, unix...), the target's type ("isa-serial",
   * "serial", "virtio"...; NULL when not said) and port (-1 when none) */
  char     *char_type;
  char     *target_type;
  int       target_port;

  /* USB host devices: vendor/product ids as 4 hex digits, or bus/device */
  char     *vendor_id;
  char     *product_id;
  guint     usb_bus;
  guint     usb_device;
} LodgeDevice;

GType        lodge_device_get_type (void) G_GNUC_CONST;
LodgeDevice *lodge_device_ref      (LodgeDevice *device);
void         lodge_device_unref    (LodgeDevice *device);
/* Whether Lodge's details page can change this device (the others are
 * listed read-only). */
gboolean     lodge_device_is_editable (const LodgeDevice *device);
const char  *lodge_device_kind_to_string (LodgeDeviceKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeDevice, lodge_device_unref)

#define LODGE_TYPE_MACHINE_CONFIG (lodge_machine_config_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMachineConfig, lodge_machine_config, LODGE, MACHINE_CONFIG, GObject)

/* Parses a domain XML (any: from libvirt, the test driver or another tool).
 * Unknown elements never fail the parse; only XML that is not a <domain>
 * does, with LODGE_MODEL_ERROR_INVALID_ARGUMENT. No I/O: safe on any
 * thread. */
LodgeMachineConfig *lodge_machine_config_new_from_xml (const char          *xml,
                                                       GError             **error);

const char     *lodge_machine_config_get_xml           (LodgeMachineConfig *self);
const char     *lodge_machine_config_get_name          (LodgeMachineConfig *self);
const char     *lodge_machine_config_get_uuid          (LodgeMachineConfig *self);
const char     *lodge_machine_config_get_title         (LodgeMachineConfig *self);
const char     *lodge_machine_config_get_description   (LodgeMachineConfig *self);
/* <domain type=''>: kvm, qemu, test, xen... */
const char     *lodge_machine_config_get_hypervisor    (LodgeMachineConfig *self);
const char     *lodge_machine_config_get_arch          (LodgeMachineConfig *self);
const char     *lodge_machine_config_get_machine_type  (LodgeMachineConfig *self);
/* The libosinfo id from <metadata><libosinfo:libosinfo><libosinfo:os id=''/>. */
const char     *lodge_machine_config_get_os_id         (LodgeMachineConfig *self);
/* true when the machine was started from a running (live) definition. */
gboolean        lodge_machine_config_get_is_live       (LodgeMachineConfig *self);

/* Memory in bytes: current (balloon target), configured maximum for this
 * boot (<memory>) and hot-plug maximum (<maxMemory>, 0 when none). */
guint64         lodge_machine_config_get_memory        (LodgeMachineConfig *self);
guint64         lodge_machine_config_get_current_memory (LodgeMachineConfig *self);
guint64         lodge_machine_config_get_max_memory    (LodgeMachineConfig *self);
/* vCPUs: active now (<vcpu current=''>) and maximum (<vcpu>). */
guint           lodge_machine_config_get_vcpus         (LodgeMachineConfig *self);
guint           lodge_machine_config_get_max_vcpus     (LodgeMachineConfig *self);
const char     *lodge_machine_config_get_cpu_mode      (LodgeMachineConfig *self);

LodgeFirmware   lodge_machine_config_get_firmware      (LodgeMachineConfig *self);
/* The firmware file (<loader>) and whether it is pflash (then libvirt 9.0
 * refuses internal snapshots). */
const char     *lodge_machine_config_get_loader        (LodgeMachineConfig *self);
gboolean        lodge_machine_config_get_has_pflash    (LodgeMachineConfig *self);
gboolean        lodge_machine_config_get_secure_boot   (LodgeMachineConfig *self);
/* The firmware variable store: <nvram> path (NULL when libvirt picks it,
 * as with firmware autoselection) and its template. */
const char     *lodge_machine_config_get_nvram         (LodgeMachineConfig *self);
const char     *lodge_machine_config_get_nvram_template (LodgeMachineConfig *self);
/* Whether the chipset is Q35 (Secure Boot needs it, with SMM). */
gboolean        lodge_machine_config_get_is_q35        (LodgeMachineConfig *self);
/* Kernel for direct kernel boot, NULL otherwise. */
const char     *lodge_machine_config_get_kernel        (LodgeMachineConfig *self);
/* The <os><boot dev=''/> list ("hd", "cdrom", "network", "fd"). */
const char * const *lodge_machine_config_get_boot_devices (LodgeMachineConfig *self);
/* Whether devices carry their own <boot order=''/> (libvirt forbids both). */
gboolean        lodge_machine_config_get_has_device_boot_order (LodgeMachineConfig *self);

/* Every <devices> child, in document order, as LodgeDevice. */
GPtrArray      *lodge_machine_config_get_devices       (LodgeMachineConfig *self);
/* Devices of one kind, in document order (new array, elements shared). */
GPtrArray      *lodge_machine_config_get_devices_of_kind (LodgeMachineConfig *self,
                                                          LodgeDeviceKind     kind);
/* The disk, CD-ROM or floppy with this target ("vda"), or NULL. */
LodgeDevice    *lodge_machine_config_find_disk         (LodgeMachineConfig *self,
                                                        const char         *target);
/* The interface with this MAC address (case-insensitive), or NULL. */
LodgeDevice    *lodge_machine_config_find_interface    (LodgeMachineConfig *self,
                                                        const char         *mac);

/* What can change without a reboot on this (live) definition: memory up to
 * the boot maximum, vCPUs up to the maximum. These are what libvirt allows
 * in principle; the hypervisor may still refuse, and the editor then
 * reports "applies at next boot". */
gboolean        lodge_machine_config_can_set_memory_live (LodgeMachineConfig *self,
                                                          guint64             bytes);
gboolean        lodge_machine_config_can_set_vcpus_live  (LodgeMachineConfig *self,
                                                          guint               vcpus);

/* Filled in by whoever loads the definition (the editor): not in the XML. */
gboolean        lodge_machine_config_get_autostart     (LodgeMachineConfig *self);
void            lodge_machine_config_set_autostart     (LodgeMachineConfig *self,
                                                        gboolean            autostart);

G_END_DECLS
