/* lodge-create-types.h: forward declarations and enums of the create layer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _LodgeOs                LodgeOs;
typedef struct _LodgeOsDatabase        LodgeOsDatabase;
typedef struct _LodgeMedia             LodgeMedia;
typedef struct _LodgeMachineSpec       LodgeMachineSpec;
typedef struct _LodgeHostInfo          LodgeHostInfo;
typedef struct _LodgeMachineCreator    LodgeMachineCreator;

/* How the guest's CPU runs: hardware virtualization or QEMU's TCG. */
typedef enum
{
  LODGE_ACCELERATION_KVM = 0,
  LODGE_ACCELERATION_QEMU,
} LodgeAcceleration;

/* Why LODGE_ACCELERATION_QEMU was chosen (for the notice the UI shows). */
typedef enum
{
  LODGE_ACCELERATION_REASON_NONE = 0,      /* KVM is used */
  LODGE_ACCELERATION_REASON_FORCED,        /* preference or LODGE_FORCE_EMULATION=1 */
  LODGE_ACCELERATION_REASON_NO_DEVICE,     /* no /dev/kvm */
  LODGE_ACCELERATION_REASON_NO_PERMISSION, /* /dev/kvm cannot be opened */
  LODGE_ACCELERATION_REASON_UNUSABLE,      /* a KVM that cannot run stock guests (kvm_pvm, no vmx/svm) */
  LODGE_ACCELERATION_REASON_NOT_OFFERED,   /* the hypervisor does not offer KVM (domain capabilities) */
} LodgeAccelerationReason;

typedef enum
{
  LODGE_SPEC_FIRMWARE_BIOS = 0,
  LODGE_SPEC_FIRMWARE_UEFI,
} LodgeSpecFirmware;

/* VIRTIO_TRANSITIONAL: an OS that only knows legacy (pre-1.0) virtio
 * devices; on q35 those need the transitional model. */
typedef enum
{
  LODGE_DISK_BUS_SATA = 0,
  LODGE_DISK_BUS_VIRTIO,
  LODGE_DISK_BUS_VIRTIO_TRANSITIONAL,
} LodgeDiskBus;

typedef enum
{
  LODGE_NET_MODEL_E1000 = 0,
  LODGE_NET_MODEL_E1000E,
  LODGE_NET_MODEL_VIRTIO,
  LODGE_NET_MODEL_VIRTIO_TRANSITIONAL,
} LodgeNetModel;

typedef enum
{
  LODGE_VIDEO_MODEL_QXL = 0,
  LODGE_VIDEO_MODEL_VIRTIO,
  LODGE_VIDEO_MODEL_VGA,
} LodgeVideoModel;

typedef enum
{
  LODGE_MEDIA_KIND_UNKNOWN = 0,
  LODGE_MEDIA_KIND_ISO,
  LODGE_MEDIA_KIND_DISK_IMAGE,
} LodgeMediaKind;

typedef enum
{
  LODGE_DISK_FORMAT_UNKNOWN = 0,
  LODGE_DISK_FORMAT_RAW,
  LODGE_DISK_FORMAT_QCOW2,
  LODGE_DISK_FORMAT_VMDK,
  LODGE_DISK_FORMAT_VDI,
} LodgeDiskFormat;

/* The stages of LodgeMachineCreator, in order. */
typedef enum
{
  LODGE_CREATE_STAGE_IDLE = 0,
  LODGE_CREATE_STAGE_CHECKING,         /* name, media, free space */
  LODGE_CREATE_STAGE_PREPARING_STORAGE,/* Lodge's pool */
  LODGE_CREATE_STAGE_CREATING_DISK,
  LODGE_CREATE_STAGE_DEFINING,
  LODGE_CREATE_STAGE_STARTING,
  LODGE_CREATE_STAGE_CLEANING_UP,      /* after a failure or cancel */
  LODGE_CREATE_STAGE_DONE,
  LODGE_CREATE_STAGE_FAILED,
} LodgeCreateStage;

#define LODGE_CREATE_ERROR (lodge_create_error_quark ())

typedef enum
{
  LODGE_CREATE_ERROR_FAILED,
  LODGE_CREATE_ERROR_NOT_LOADED,       /* the OS database is not loaded yet */
  LODGE_CREATE_ERROR_NOT_FOUND,        /* a file or an OS id that does not exist */
  LODGE_CREATE_ERROR_UNREADABLE,       /* a file that cannot be read */
  LODGE_CREATE_ERROR_NOT_MEDIA,        /* neither an ISO nor a disk image */
  LODGE_CREATE_ERROR_TRUNCATED,        /* an ISO cut short */
  LODGE_CREATE_ERROR_INVALID_NAME,
  LODGE_CREATE_ERROR_NAME_TAKEN,
  LODGE_CREATE_ERROR_NO_SPACE,         /* disk larger than the pool's free space */
  LODGE_CREATE_ERROR_INVALID_CONFIG,
  LODGE_CREATE_ERROR_NOT_CONNECTED,
} LodgeCreateError;

GQuark      lodge_create_error_quark            (void);

const char *lodge_acceleration_to_string        (LodgeAcceleration acceleration);
const char *lodge_disk_format_to_string         (LodgeDiskFormat   format);
LodgeDiskFormat lodge_disk_format_from_string   (const char       *str);

G_END_DECLS
