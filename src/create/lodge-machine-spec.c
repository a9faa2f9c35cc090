/* lodge-machine-spec.c: everything a new machine is made from
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "create/lodge-machine-spec.h"
#include "create/lodge-create-enums.h"
#include "create/lodge-create-private.h"
#include "create/lodge-express.h"
#include "create/lodge-host-info.h"
#include "create/lodge-os.h"

#define MiB (G_GUINT64_CONSTANT (1) << 20)
#define GiB (G_GUINT64_CONSTANT (1) << 30)

struct _LodgeMachineSpec
{
  GObject parent_instance;

  GValue  values[LODGE_SPEC_N_PROPS];
};

G_DEFINE_FINAL_TYPE (LodgeMachineSpec, lodge_machine_spec, G_TYPE_OBJECT)

static GParamSpec *properties[LODGE_SPEC_N_PROPS];

static void
lodge_machine_spec_finalize (GObject *object)
{
  LodgeMachineSpec *self = (LodgeMachineSpec *)object;

  for (guint i = 1; i < LODGE_SPEC_N_PROPS; i++)
    g_value_unset (&self->values[i]);

  G_OBJECT_CLASS (lodge_machine_spec_parent_class)->finalize (object);
}

static void
lodge_machine_spec_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LodgeMachineSpec *self = LODGE_MACHINE_SPEC (object);

  if (prop_id == 0 || prop_id >= LODGE_SPEC_N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  g_value_copy (&self->values[prop_id], value);
}

static void
lodge_machine_spec_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LodgeMachineSpec *self = LODGE_MACHINE_SPEC (object);

  if (prop_id == 0 || prop_id >= LODGE_SPEC_N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  if (g_param_values_cmp (pspec, &self->values[prop_id], value) == 0)
    return;

  g_value_copy (value, &self->values[prop_id]);
  g_object_notify_by_pspec (object, pspec);
}

static void
lodge_machine_spec_class_init (LodgeMachineSpecClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lodge_machine_spec_finalize;
  object_class->get_property = lodge_machine_spec_get_property;
  object_class->set_property = lodge_machine_spec_set_property;

  properties[LODGE_SPEC_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_OS_ID] = g_param_spec_string ("os-id", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_WINDOWS] = g_param_spec_boolean ("windows", NULL, NULL, FALSE, flags);
  properties[LODGE_SPEC_PROP_MEMORY] =
    g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, 2 * GiB, flags);
  properties[LODGE_SPEC_PROP_VCPUS] =
    g_param_spec_uint ("vcpus", NULL, NULL, 1, 4096, 2, flags);
  properties[LODGE_SPEC_PROP_DISK_PATH] = g_param_spec_string ("disk-path", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_DISK_FORMAT] =
    g_param_spec_enum ("disk-format", NULL, NULL, LODGE_TYPE_DISK_FORMAT,
                       LODGE_DISK_FORMAT_QCOW2, flags);
  properties[LODGE_SPEC_PROP_DISK_SIZE] =
    g_param_spec_uint64 ("disk-size", NULL, NULL, 0, G_MAXUINT64, 20 * GiB, flags);
  properties[LODGE_SPEC_PROP_CDROM_PATH] = g_param_spec_string ("cdrom-path", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_FIRMWARE] =
    g_param_spec_enum ("firmware", NULL, NULL, LODGE_TYPE_SPEC_FIRMWARE,
                       LODGE_SPEC_FIRMWARE_BIOS, flags);
  properties[LODGE_SPEC_PROP_SECURE_BOOT] = g_param_spec_boolean ("secure-boot", NULL, NULL, FALSE, flags);
  properties[LODGE_SPEC_PROP_TPM] = g_param_spec_boolean ("tpm", NULL, NULL, FALSE, flags);
  properties[LODGE_SPEC_PROP_ACCELERATION] =
    g_param_spec_enum ("acceleration", NULL, NULL, LODGE_TYPE_ACCELERATION,
                       LODGE_ACCELERATION_KVM, flags);
  properties[LODGE_SPEC_PROP_EMULATOR] = g_param_spec_string ("emulator", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_ARCH] = g_param_spec_string ("arch", NULL, NULL, "x86_64", flags);
  properties[LODGE_SPEC_PROP_MACHINE] = g_param_spec_string ("machine", NULL, NULL, "q35", flags);
  properties[LODGE_SPEC_PROP_DISK_BUS] =
    g_param_spec_enum ("disk-bus", NULL, NULL, LODGE_TYPE_DISK_BUS, LODGE_DISK_BUS_SATA, flags);
  properties[LODGE_SPEC_PROP_NET_MODEL] =
    g_param_spec_enum ("net-model", NULL, NULL, LODGE_TYPE_NET_MODEL, LODGE_NET_MODEL_E1000, flags);
  properties[LODGE_SPEC_PROP_VIDEO_MODEL] =
    g_param_spec_enum ("video-model", NULL, NULL, LODGE_TYPE_VIDEO_MODEL,
                       LODGE_VIDEO_MODEL_QXL, flags);
  properties[LODGE_SPEC_PROP_VIRTIO_RNG] = g_param_spec_boolean ("virtio-rng", NULL, NULL, FALSE, flags);
  properties[LODGE_SPEC_PROP_NETWORK] = g_param_spec_string ("network", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_THROWAWAY] = g_param_spec_boolean ("throwaway", NULL, NULL, FALSE, flags);
  properties[LODGE_SPEC_PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_IMPORT_PATH] = g_param_spec_string ("import-path", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_IMPORT_FORMAT] =
    g_param_spec_enum ("import-format", NULL, NULL, LODGE_TYPE_DISK_FORMAT,
                       LODGE_DISK_FORMAT_UNKNOWN, flags);
  properties[LODGE_SPEC_PROP_EXPRESS_SCRIPT] =
    g_param_spec_boxed ("express-script", NULL, NULL, LODGE_TYPE_EXPRESS_SCRIPT, flags);
  properties[LODGE_SPEC_PROP_UNATTENDED_PATH] =
    g_param_spec_string ("unattended-path", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_INSTALL_KERNEL] =
    g_param_spec_string ("install-kernel", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_INSTALL_INITRD] =
    g_param_spec_string ("install-initrd", NULL, NULL, NULL, flags);
  properties[LODGE_SPEC_PROP_INSTALL_CMDLINE] =
    g_param_spec_string ("install-cmdline", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, LODGE_SPEC_N_PROPS, properties);
}

static void
lodge_machine_spec_init (LodgeMachineSpec *self)
{
  for (guint i = 1; i < LODGE_SPEC_N_PROPS; i++)
    {
      g_value_init (&self->values[i], G_PARAM_SPEC_VALUE_TYPE (properties[i]));
      g_param_value_set_default (properties[i], &self->values[i]);
    }
}

LodgeMachineSpec *
lodge_machine_spec_new (void)
{
  return g_object_new (LODGE_TYPE_MACHINE_SPEC, NULL);
}

LodgeMachineSpec *
lodge_machine_spec_copy (LodgeMachineSpec *self)
{
  LodgeMachineSpec *copy;

  g_return_val_if_fail (LODGE_IS_MACHINE_SPEC (self), NULL);

  copy = lodge_machine_spec_new ();
  for (guint i = 1; i < LODGE_SPEC_N_PROPS; i++)
    g_value_copy (&self->values[i], &copy->values[i]);
  return copy;
}

const GValue *
lodge_machine_spec_peek (LodgeMachineSpec *self,
                         LodgeSpecProp     prop)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_SPEC (self), NULL);
  g_return_val_if_fail (prop > 0 && prop < LODGE_SPEC_N_PROPS, NULL);

  return &self->values[prop];
}

static void
set_value (LodgeMachineSpec *self,
           LodgeSpecProp     prop,
           const GValue     *value)
{
  g_object_set_property (G_OBJECT (self), properties[prop]->name, value);
}

#define DEFINE_ACCESSORS(fn, PROP, ctype, gtype, get, set) \
  ctype \
  lodge_machine_spec_get_##fn (LodgeMachineSpec *self) \
  { \
    g_return_val_if_fail (LODGE_IS_MACHINE_SPEC (self), (ctype)0); \
    return (ctype)get (&self->values[LODGE_SPEC_PROP_##PROP]); \
  } \
  void \
  lodge_machine_spec_set_##fn (LodgeMachineSpec *self, ctype v) \
  { \
    g_auto(GValue) value = G_VALUE_INIT; \
    g_return_if_fail (LODGE_IS_MACHINE_SPEC (self)); \
    g_value_init (&value, gtype); \
    set (&value, v); \
    set_value (self, LODGE_SPEC_PROP_##PROP, &value); \
  }

DEFINE_ACCESSORS (name, NAME, const char *, G_TYPE_STRING, g_value_get_string, g_value_set_string)
DEFINE_ACCESSORS (title, TITLE, const char *, G_TYPE_STRING, g_value_get_string, g_value_set_string)
DEFINE_ACCESSORS (os_id, OS_ID, const char *, G_TYPE_STRING, g_value_get_string, g_value_set_string)
DEFINE_ACCESSORS (memory, MEMORY, guint64, G_TYPE_UINT64, g_value_get_uint64, g_value_set_uint64)
DEFINE_ACCESSORS (vcpus, VCPUS, guint, G_TYPE_UINT, g_value_get_uint, g_value_set_uint)
DEFINE_ACCESSORS (disk_path, DISK_PATH, const char *, G_TYPE_STRING, g_value_get_string, g_value_set_string)
DEFINE_ACCESSORS (disk_format, DISK_FORMAT, LodgeDiskFormat, LODGE_TYPE_DISK_FORMAT,
                  g_value_get_enum, g_value_set_enum)
DEFINE_ACCESSORS (disk_size, DISK_SIZE, guint64, G_TYPE_UINT64, g_value_get_uint64, g_value_set_uint64)
DEFINE_ACCESSORS (cdrom_path, CDROM_PATH, const char *, G_TYPE_STRING, g_value_get_string, g_value_set_string)
DEFINE_ACCESSORS (firmware, FIRMWARE, LodgeSpecFirmware, LODGE_TYPE_SPEC_FIRMWARE,
                  g_value_get_enum, g_value_set_enum)
DEFINE_ACCESSORS (secure_boot, SECURE_BOOT, gboolean, G_TYPE_BOOLEAN, g_value_get_boolean, g_value_set_boolean)
DEFINE_ACCESSORS (tpm, TPM, gboolean, G_TYPE_BOOLEAN, g_value_get_boolean, g_value_set_boolean)
DEFINE_ACCESSORS (acceleration, ACCELERATION, LodgeAcceleration, LODGE_TYPE_ACCELERATION,
                  g_value_get_enum, g_value_set_enum)
DEFINE_ACCESSORS (network, NETWORK, const char *, G_TYPE_STRING, g_value_get_string, g_value_set_string)
DEFINE_ACCESSORS (import_path, IMPORT_PATH, const char *, G_TYPE_STRING, g_value_get_string,
                  g_value_set_string)
DEFINE_ACCESSORS (import_format, IMPORT_FORMAT, LodgeDiskFormat, LODGE_TYPE_DISK_FORMAT,
                  g_value_get_enum, g_value_set_enum)
DEFINE_ACCESSORS (express_script, EXPRESS_SCRIPT, const LodgeExpressScript *,
                  LODGE_TYPE_EXPRESS_SCRIPT, g_value_get_boxed, g_value_set_boxed)
DEFINE_ACCESSORS (throwaway, THROWAWAY, gboolean, G_TYPE_BOOLEAN, g_value_get_boolean, g_value_set_boolean)

#undef DEFINE_ACCESSORS

static guint64
round_to_mib (guint64 bytes)
{
  return (bytes + MiB - 1) / MiB * MiB;
}

void
lodge_machine_spec_apply_os (LodgeMachineSpec    *self,
                             LodgeOs             *os,
                             const LodgeHostInfo *host)
{
  LodgeOsResources res = { 0 };
  g_autoptr(LodgeHostInfo) fallback_host = NULL;
  guint64 memory;
  guint64 storage;
  guint vcpus;
  gboolean uefi;

  g_return_if_fail (LODGE_IS_MACHINE_SPEC (self));
  g_return_if_fail (os == NULL || LODGE_IS_OS (os));

  if (host == NULL)
    host = fallback_host = lodge_host_info_new ();

  g_object_freeze_notify (G_OBJECT (self));

  if (os != NULL)
    lodge_os_get_resources (os, &res);

  /* Memory: the recommendation (else the minimum, at least 2 GiB), then
   * at most half the host, but never below the OS's minimum when the host
   * has room for it. */
  /* Recommendations may come from an older OS this one derives from: never
   * below this OS's own minimum. */
  memory = res.memory_recommended ? MAX (res.memory_recommended, res.memory_minimum)
                                  : MAX (res.memory_minimum, 2 * GiB);
  if (host->memory > 0 && memory > host->memory / 2)
    {
      guint64 cap = host->memory / 2;

      if (res.memory_minimum > cap && res.memory_minimum <= host->memory * 3 / 4)
        cap = res.memory_minimum;
      memory = MAX (cap, 256 * MiB);
    }
  lodge_machine_spec_set_memory (self, round_to_mib (memory));

  vcpus = res.vcpus_recommended ? MAX (res.vcpus_recommended, res.vcpus_minimum)
                                : MAX (res.vcpus_minimum, 2);
  if (host->cpus > 0)
    vcpus = MIN (vcpus, host->cpus);
  lodge_machine_spec_set_vcpus (self, MAX (vcpus, 1));

  storage = res.storage_recommended ? MAX (res.storage_recommended, res.storage_minimum)
                                    : MAX (res.storage_minimum, 20 * GiB);
  lodge_machine_spec_set_disk_size (self, round_to_mib (storage));

  if (os != NULL)
    {
      lodge_machine_spec_set_os_id (self, lodge_os_get_id (os));
      g_object_set (self,
                    "windows", lodge_os_is_windows (os),
                    "disk-bus", lodge_os_get_disk_bus (os),
                    "net-model", lodge_os_get_net_model (os),
                    "video-model", lodge_os_get_video_model (os),
                    "virtio-rng", lodge_os_supports_virtio_rng (os),
                    NULL);
      /* UEFI when the OS needs it, or boots with it and the host has it. */
      uefi = lodge_os_requires_uefi (os) || (lodge_os_supports_uefi (os) && host->uefi);
      lodge_machine_spec_set_firmware (self, uefi ? LODGE_SPEC_FIRMWARE_UEFI
                                                  : LODGE_SPEC_FIRMWARE_BIOS);
      lodge_machine_spec_set_secure_boot (self, uefi && lodge_os_needs_secure_boot (os));
      lodge_machine_spec_set_tpm (self, lodge_os_needs_tpm (os));

      if (lodge_machine_spec_get_title (self) == NULL && !lodge_os_get_generic (os))
        lodge_machine_spec_set_title (self, lodge_os_get_name (os));
      if (lodge_machine_spec_get_name (self) == NULL && lodge_os_get_short_id (os) != NULL &&
          !lodge_os_get_generic (os))
        lodge_machine_spec_set_name (self, lodge_os_get_short_id (os));
    }
  else
    {
      lodge_machine_spec_set_os_id (self, NULL);
      g_object_set (self,
                    "windows", FALSE,
                    "disk-bus", LODGE_DISK_BUS_SATA,
                    "net-model", LODGE_NET_MODEL_E1000,
                    "video-model", LODGE_VIDEO_MODEL_QXL,
                    "virtio-rng", FALSE,
                    NULL);
      lodge_machine_spec_set_firmware (self, LODGE_SPEC_FIRMWARE_BIOS);
      lodge_machine_spec_set_secure_boot (self, FALSE);
      lodge_machine_spec_set_tpm (self, FALSE);
    }

  lodge_machine_spec_set_acceleration (self, host->acceleration);
  g_object_set (self,
                "emulator", host->emulator,
                "arch", host->arch ? host->arch : "x86_64",
                "machine", host->machine ? host->machine : "q35",
                NULL);
  lodge_machine_spec_set_network (self, host->network);

  g_object_thaw_notify (G_OBJECT (self));
}

char **
lodge_machine_spec_get_warnings (LodgeMachineSpec    *self,
                                 const LodgeHostInfo *host)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (LODGE_IS_MACHINE_SPEC (self), NULL);

  if (host != NULL && host->memory > 0 && lodge_machine_spec_get_memory (self) > host->memory)
    {
      g_autofree char *want = g_format_size_full (lodge_machine_spec_get_memory (self),
                                                  G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *have = g_format_size_full (host->memory, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *msg = g_strdup_printf (_("The machine is given %s of memory but the host "
                                                "has only %s: it cannot be created with that much."),
                                              want, have);
      g_strv_builder_add (builder, msg);
    }

  if (host != NULL && host->cpus > 0 && lodge_machine_spec_get_vcpus (self) > host->cpus)
    {
      g_autofree char *msg = g_strdup_printf (_("The machine is given %u processors but the host "
                                                "has only %u: it cannot be created with that many."),
                                              lodge_machine_spec_get_vcpus (self), host->cpus);
      g_strv_builder_add (builder, msg);
    }

  if (lodge_machine_spec_get_acceleration (self) == LODGE_ACCELERATION_QEMU)
    {
      const char *why = host ? lodge_acceleration_reason_to_string (host->acceleration_reason) : NULL;

      g_strv_builder_add (builder, why ? why : _("The machine will be emulated in software "
                                                 "and will be slow."));
    }

  if (lodge_machine_spec_get_firmware (self) == LODGE_SPEC_FIRMWARE_UEFI &&
      host != NULL && !host->uefi)
    g_strv_builder_add (builder, _("The operating system needs UEFI firmware but none is "
                                   "installed on the host (the “ovmf” package)."));

  if (lodge_machine_spec_get_tpm (self) && host != NULL && !host->tpm)
    g_strv_builder_add (builder, _("The operating system wants a TPM but no TPM emulator is "
                                   "installed on the host (the “swtpm” package)."));

  return g_strv_builder_end (builder);
}
