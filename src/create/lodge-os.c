/* lodge-os.c: one operating system of libosinfo's database
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <string.h>

#include "create/lodge-os.h"
#include "create/lodge-create-private.h"

struct _LodgeOs
{
  GObject     parent_instance;

  OsinfoOs   *os;
  char       *name;
  char       *search_text;
  gboolean    generic;

  /* Names of the devices the OS has drivers for; filled on first use. */
  GHashTable *devices;
};

G_DEFINE_FINAL_TYPE (LodgeOs, lodge_os, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SHORT_ID,
  PROP_NAME,
  PROP_VERSION,
  PROP_VENDOR,
  PROP_FAMILY,
  PROP_DISTRO,
  PROP_RELEASE_DATE,
  PROP_GENERIC,
  PROP_SEARCH_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lodge_os_finalize (GObject *object)
{
  LodgeOs *self = (LodgeOs *)object;

  g_clear_object (&self->os);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->devices, g_hash_table_unref);

  G_OBJECT_CLASS (lodge_os_parent_class)->finalize (object);
}

static void
lodge_os_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  LodgeOs *self = LODGE_OS (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, lodge_os_get_id (self));
      break;
    case PROP_SHORT_ID:
      g_value_set_string (value, lodge_os_get_short_id (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, lodge_os_get_name (self));
      break;
    case PROP_VERSION:
      g_value_set_string (value, lodge_os_get_version (self));
      break;
    case PROP_VENDOR:
      g_value_set_string (value, lodge_os_get_vendor (self));
      break;
    case PROP_FAMILY:
      g_value_set_string (value, lodge_os_get_family (self));
      break;
    case PROP_DISTRO:
      g_value_set_string (value, lodge_os_get_distro (self));
      break;
    case PROP_RELEASE_DATE:
      g_value_set_string (value, lodge_os_get_release_date (self));
      break;
    case PROP_GENERIC:
      g_value_set_boolean (value, self->generic);
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, self->search_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_os_class_init (LodgeOsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lodge_os_finalize;
  object_class->get_property = lodge_os_get_property;

#define RO_STRING(id, nick) \
  properties[id] = g_param_spec_string (nick, NULL, NULL, NULL, \
                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)
  RO_STRING (PROP_ID, "id");
  RO_STRING (PROP_SHORT_ID, "short-id");
  RO_STRING (PROP_NAME, "name");
  RO_STRING (PROP_VERSION, "version");
  RO_STRING (PROP_VENDOR, "vendor");
  RO_STRING (PROP_FAMILY, "family");
  RO_STRING (PROP_DISTRO, "distro");
  RO_STRING (PROP_RELEASE_DATE, "release-date");
  RO_STRING (PROP_SEARCH_TEXT, "search-text");
#undef RO_STRING
  properties[PROP_GENERIC] =
    g_param_spec_boolean ("generic", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_os_init (LodgeOs *self)
{
}

LodgeOs *
lodge_os_new_for_osinfo (OsinfoOs   *os,
                         const char *name_override,
                         gboolean    generic)
{
  LodgeOs *self;
  const char *vendor;
  const char *version;
  const char *short_id;

  g_return_val_if_fail (OSINFO_IS_OS (os), NULL);

  self = g_object_new (LODGE_TYPE_OS, NULL);
  self->os = g_object_ref (os);
  self->generic = generic;
  self->name = g_strdup (name_override ? name_override
                                       : osinfo_product_get_name (OSINFO_PRODUCT (os)));
  if (self->name == NULL)
    self->name = g_strdup (osinfo_entity_get_id (OSINFO_ENTITY (os)));

  vendor = osinfo_product_get_vendor (OSINFO_PRODUCT (os));
  version = osinfo_product_get_version (OSINFO_PRODUCT (os));
  short_id = osinfo_product_get_short_id (OSINFO_PRODUCT (os));
  {
    g_autofree char *joined = g_strjoin (" ",
                                         self->name,
                                         version ? version : "",
                                         short_id ? short_id : "",
                                         vendor ? vendor : "",
                                         NULL);
    self->search_text = g_utf8_casefold (joined, -1);
  }

  return self;
}

OsinfoOs *
lodge_os_get_osinfo (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return self->os;
}

const char *
lodge_os_get_id (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return osinfo_entity_get_id (OSINFO_ENTITY (self->os));
}

const char *
lodge_os_get_short_id (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return osinfo_product_get_short_id (OSINFO_PRODUCT (self->os));
}

const char *
lodge_os_get_name (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return self->name;
}

const char *
lodge_os_get_version (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return osinfo_product_get_version (OSINFO_PRODUCT (self->os));
}

const char *
lodge_os_get_vendor (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return osinfo_product_get_vendor (OSINFO_PRODUCT (self->os));
}

const char *
lodge_os_get_family (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return osinfo_os_get_family (self->os);
}

const char *
lodge_os_get_distro (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return osinfo_os_get_distro (self->os);
}

const char *
lodge_os_get_release_date (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return osinfo_product_get_release_date_string (OSINFO_PRODUCT (self->os));
}

gboolean
lodge_os_get_generic (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  return self->generic;
}

const char *
lodge_os_get_search_text (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), NULL);

  return self->search_text;
}

gboolean
lodge_os_matches (LodgeOs    *self,
                  const char *search)
{
  g_auto(GStrv) words = NULL;
  g_autofree char *folded = NULL;

  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  if (search == NULL || *search == '\0')
    return TRUE;

  /* Every word must appear: "fedora 37" finds "Fedora Linux 37". */
  folded = g_utf8_casefold (search, -1);
  words = g_strsplit_set (folded, " \t", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] != '\0' && strstr (self->search_text, words[i]) == NULL)
        return FALSE;
    }

  return TRUE;
}

gboolean
lodge_os_is_windows (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  return g_strcmp0 (osinfo_os_get_family (self->os), "winnt") == 0 ||
         g_strcmp0 (osinfo_os_get_family (self->os), "win9x") == 0 ||
         g_strcmp0 (osinfo_os_get_distro (self->os), "win") == 0;
}

gboolean
lodge_os_is_linux (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  return g_strcmp0 (osinfo_os_get_family (self->os), "linux") == 0;
}

static gboolean
resources_arch_fits (OsinfoResources *resources)
{
  const char *arch = osinfo_resources_get_architecture (resources);

  return g_strcmp0 (arch, "x86_64") == 0 || g_strcmp0 (arch, "all") == 0;
}

/* Walks the OS and the ones it derives from until a figure is found. */
static void
fill_resources (OsinfoOs         *os,
                LodgeOsResources *out,
                guint             depth)
{
  g_autoptr(OsinfoResourcesList) minimum = osinfo_os_get_minimum_resources (os);
  g_autoptr(OsinfoResourcesList) recommended = osinfo_os_get_recommended_resources (os);
  g_autoptr(OsinfoProductList) parents = NULL;

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (minimum)); i++)
    {
      OsinfoResources *r = OSINFO_RESOURCES (osinfo_list_get_nth (OSINFO_LIST (minimum), i));

      if (!resources_arch_fits (r))
        continue;
      if (out->memory_minimum == 0 && osinfo_resources_get_ram (r) > 0)
        out->memory_minimum = osinfo_resources_get_ram (r);
      if (out->vcpus_minimum == 0 && osinfo_resources_get_n_cpus (r) > 0)
        out->vcpus_minimum = osinfo_resources_get_n_cpus (r);
      if (out->storage_minimum == 0 && osinfo_resources_get_storage (r) > 0)
        out->storage_minimum = osinfo_resources_get_storage (r);
    }

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (recommended)); i++)
    {
      OsinfoResources *r = OSINFO_RESOURCES (osinfo_list_get_nth (OSINFO_LIST (recommended), i));

      if (!resources_arch_fits (r))
        continue;
      if (out->memory_recommended == 0 && osinfo_resources_get_ram (r) > 0)
        out->memory_recommended = osinfo_resources_get_ram (r);
      if (out->vcpus_recommended == 0 && osinfo_resources_get_n_cpus (r) > 0)
        out->vcpus_recommended = osinfo_resources_get_n_cpus (r);
      if (out->storage_recommended == 0 && osinfo_resources_get_storage (r) > 0)
        out->storage_recommended = osinfo_resources_get_storage (r);
    }

  if (depth > 16 ||
      (out->memory_minimum && out->memory_recommended && out->vcpus_minimum &&
       out->storage_minimum && out->storage_recommended))
    return;

  parents = osinfo_product_get_related (OSINFO_PRODUCT (os),
                                        OSINFO_PRODUCT_RELATIONSHIP_DERIVES_FROM);
  if (osinfo_list_get_length (OSINFO_LIST (parents)) > 0)
    fill_resources (OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (parents), 0)), out, depth + 1);
}

void
lodge_os_get_resources (LodgeOs          *self,
                        LodgeOsResources *resources)
{
  g_return_if_fail (LODGE_IS_OS (self));
  g_return_if_fail (resources != NULL);

  memset (resources, 0, sizeof *resources);
  fill_resources (self->os, resources, 0);
}

static GHashTable *
ensure_devices (LodgeOs *self)
{
  g_autoptr(OsinfoDeviceList) list = NULL;

  if (self->devices != NULL)
    return self->devices;

  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* get_all_devices follows derived OSes and honours supported="false". */
  list = osinfo_os_get_all_devices (self->os, NULL);
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoDevice *dev = OSINFO_DEVICE (osinfo_list_get_nth (OSINFO_LIST (list), i));
      const char *name = osinfo_device_get_name (dev);

      if (name != NULL)
        g_hash_table_add (self->devices, g_strdup (name));
    }

  return self->devices;
}

gboolean
lodge_os_supports_device (LodgeOs    *self,
                          const char *device_name)
{
  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);
  g_return_val_if_fail (device_name != NULL, FALSE);

  return g_hash_table_contains (ensure_devices (self), device_name);
}

LodgeDiskBus
lodge_os_get_disk_bus (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), LODGE_DISK_BUS_SATA);

  /* On q35 virtio devices sit on PCIe ports, where QEMU gives them only
   * the virtio 1.0 interface: an OS that knows only legacy virtio needs
   * the transitional model. */
  if (lodge_os_supports_device (self, "virtio1.0-block"))
    return LODGE_DISK_BUS_VIRTIO;
  if (lodge_os_supports_device (self, "virtio-block"))
    return LODGE_DISK_BUS_VIRTIO_TRANSITIONAL;
  return LODGE_DISK_BUS_SATA;
}

LodgeNetModel
lodge_os_get_net_model (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), LODGE_NET_MODEL_E1000);

  if (lodge_os_supports_device (self, "virtio1.0-net"))
    return LODGE_NET_MODEL_VIRTIO;
  if (lodge_os_supports_device (self, "virtio-net"))
    return LODGE_NET_MODEL_VIRTIO_TRANSITIONAL;
  if (lodge_os_supports_device (self, "e1000e"))
    return LODGE_NET_MODEL_E1000E;
  return LODGE_NET_MODEL_E1000;
}

LodgeVideoModel
lodge_os_get_video_model (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), LODGE_VIDEO_MODEL_QXL);

  if (lodge_os_supports_device (self, "virtio1.0-gpu"))
    return LODGE_VIDEO_MODEL_VIRTIO;
  /* QXL also offers plain VGA, so it is the safe choice for everyone else. */
  return LODGE_VIDEO_MODEL_QXL;
}

gboolean
lodge_os_supports_virtio_rng (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  return lodge_os_supports_device (self, "virtio1.0-rng");
}

static gboolean
firmware_listed (LodgeOs    *self,
                 const char *type,
                 gboolean    supported)
{
  g_autoptr(OsinfoFirmwareList) list = osinfo_os_get_complete_firmware_list (self->os, NULL);

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoFirmware *fw = OSINFO_FIRMWARE (osinfo_list_get_nth (OSINFO_LIST (list), i));

      if (g_strcmp0 (osinfo_firmware_get_architecture (fw), "x86_64") != 0)
        continue;
      if (g_strcmp0 (osinfo_firmware_get_firmware_type (fw), type) != 0)
        continue;
      if (!!osinfo_firmware_is_supported (fw) == !!supported)
        return TRUE;
    }

  return FALSE;
}

gboolean
lodge_os_requires_uefi (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  return firmware_listed (self, "bios", FALSE);
}

gboolean
lodge_os_supports_uefi (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  return firmware_listed (self, "efi", TRUE);
}

gboolean
lodge_os_needs_secure_boot (LodgeOs *self)
{
  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  /* osinfo-db does not say it; Windows 11's installer checks both. */
  return lodge_os_needs_tpm (self);
}

gboolean
lodge_os_needs_tpm (LodgeOs *self)
{
  const char *short_id;

  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  short_id = osinfo_product_get_short_id (OSINFO_PRODUCT (self->os));
  return short_id != NULL && g_str_has_prefix (short_id, "win11");
}

gboolean
lodge_os_has_install_script (LodgeOs *self)
{
  g_autoptr(OsinfoInstallScriptList) list = NULL;

  g_return_val_if_fail (LODGE_IS_OS (self), FALSE);

  list = osinfo_os_get_install_script_list (self->os);
  return osinfo_list_get_length (OSINFO_LIST (list)) > 0;
}
