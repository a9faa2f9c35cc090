/* lodge-machine-config.c: a domain definition, parsed for the details page
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-machine-config"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "model/lodge-details-private.h"
#include "model/lodge-machine-config.h"

struct _LodgeMachineConfig
{
  GObject parent_instance;

  char *xml;
  char *name;
  char *uuid;
  char *title;
  char *description;
  char *hypervisor;
  char *arch;
  char *machine_type;
  char *os_id;
  char *cpu_mode;
  char *loader;
  char *nvram;
  char *nvram_template;
  char *kernel;
  GStrv boot_devices;
  GPtrArray *devices;

  guint64 memory;
  guint64 current_memory;
  guint64 max_memory;
  guint vcpus;
  guint max_vcpus;

  LodgeFirmware firmware;
  guint has_pflash : 1;
  guint secure_boot : 1;
  guint has_device_boot_order : 1;
  guint is_live : 1;
  guint autostart : 1;
};

G_DEFINE_FINAL_TYPE (LodgeMachineConfig, lodge_machine_config, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (LodgeDevice, lodge_device, lodge_device_ref, lodge_device_unref)

LodgeDevice *
lodge_device_ref (LodgeDevice *device)
{
  g_return_val_if_fail (device != NULL, NULL);

  g_atomic_ref_count_inc (&device->ref_count);
  return device;
}

void
lodge_device_unref (LodgeDevice *device)
{
  g_return_if_fail (device != NULL);

  if (!g_atomic_ref_count_dec (&device->ref_count))
    return;

  g_free (device->element);
  g_free (device->xml);
  g_free (device->alias);
  g_free (device->summary);
  g_free (device->target);
  g_free (device->bus);
  g_free (device->source_type);
  g_free (device->source);
  g_free (device->pool);
  g_free (device->volume);
  g_free (device->format);
  g_free (device->mac);
  g_free (device->net_type);
  g_free (device->model);
  g_free (device->listen);
  g_free (device->listen_type);
  g_free (device->listen_address);
  g_free (device->socket);
  if (device->password != NULL)
    memset (device->password, 0, strlen (device->password));
  g_free (device->password);
  g_free (device->char_type);
  g_free (device->target_type);
  g_free (device->vendor_id);
  g_free (device->product_id);
  g_free (device);
}

gboolean
lodge_device_is_editable (const LodgeDevice *device)
{
  g_return_val_if_fail (device != NULL, FALSE);

  switch (device->kind)
    {
    case LODGE_DEVICE_KIND_DISK:
    case LODGE_DEVICE_KIND_CDROM:
    case LODGE_DEVICE_KIND_FLOPPY:
      /* Network and NVMe sources have no file Lodge can resize or swap. */
      return device->source_type == NULL
             || g_str_equal (device->source_type, "file")
             || g_str_equal (device->source_type, "block")
             || g_str_equal (device->source_type, "volume");
    case LODGE_DEVICE_KIND_INTERFACE:
      return device->mac != NULL;
    case LODGE_DEVICE_KIND_GRAPHICS:
    case LODGE_DEVICE_KIND_VIDEO:
    case LODGE_DEVICE_KIND_SOUND:
    case LODGE_DEVICE_KIND_USB_HOST:
      return TRUE;
    case LODGE_DEVICE_KIND_OTHER:
    default:
      return FALSE;
    }
}

const char *
lodge_device_kind_to_string (LodgeDeviceKind kind)
{
  switch (kind)
    {
    case LODGE_DEVICE_KIND_DISK: return "disk";
    case LODGE_DEVICE_KIND_CDROM: return "cdrom";
    case LODGE_DEVICE_KIND_FLOPPY: return "floppy";
    case LODGE_DEVICE_KIND_INTERFACE: return "interface";
    case LODGE_DEVICE_KIND_GRAPHICS: return "graphics";
    case LODGE_DEVICE_KIND_VIDEO: return "video";
    case LODGE_DEVICE_KIND_SOUND: return "sound";
    case LODGE_DEVICE_KIND_USB_HOST: return "usb-host";
    case LODGE_DEVICE_KIND_OTHER:
    default:
      return "other";
    }
}

/* libxml2 helpers: all return newly allocated GLib strings. */

static gboolean
is_element (xmlNode    *node,
            const char *name)
{
  return node != NULL
         && node->type == XML_ELEMENT_NODE
         && (name == NULL || g_strcmp0 ((const char *) node->name, name) == 0);
}

static xmlNode *
child_element (xmlNode    *node,
               const char *name)
{
  if (node == NULL)
    return NULL;

  for (xmlNode *it = node->children; it != NULL; it = it->next)
    if (is_element (it, name))
      return it;

  return NULL;
}

static char *
get_prop (xmlNode    *node,
          const char *name)
{
  xmlChar *value;
  char *ret;

  if (node == NULL)
    return NULL;

  value = xmlGetProp (node, (const xmlChar *) name);
  if (value == NULL)
    return NULL;

  ret = g_strdup ((const char *) value);
  xmlFree (value);
  return ret;
}

static char *
child_prop (xmlNode    *node,
            const char *child,
            const char *name)
{
  return get_prop (child_element (node, child), name);
}

static char *
get_text (xmlNode *node)
{
  xmlChar *value;
  char *ret;

  if (node == NULL)
    return NULL;

  value = xmlNodeGetContent (node);
  if (value == NULL)
    return NULL;

  ret = g_strstrip (g_strdup ((const char *) value));
  xmlFree (value);
  return ret;
}

static char *
child_text (xmlNode    *node,
            const char *child)
{
  return get_text (child_element (node, child));
}

static gboolean
prop_is (xmlNode    *node,
         const char *name,
         const char *value)
{
  g_autofree char *v = get_prop (node, name);

  return g_strcmp0 (v, value) == 0;
}

static guint64
parse_uint (const char *text,
            guint64     fallback)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &value, NULL))
    return fallback;
  return value;
}

/* libvirt memory elements carry a unit (KiB when absent). */
static guint64
memory_bytes (xmlNode *node)
{
  g_autofree char *text = get_text (node);
  g_autofree char *unit = get_prop (node, "unit");
  guint64 value = parse_uint (text, 0);
  guint64 scale = 1024;

  if (node == NULL)
    return 0;

  if (unit == NULL || g_ascii_strcasecmp (unit, "KiB") == 0 || g_ascii_strcasecmp (unit, "k") == 0)
    scale = 1024;
  else if (g_ascii_strcasecmp (unit, "b") == 0 || g_ascii_strcasecmp (unit, "bytes") == 0)
    scale = 1;
  else if (g_ascii_strcasecmp (unit, "KB") == 0)
    scale = 1000;
  else if (g_ascii_strcasecmp (unit, "MiB") == 0 || g_ascii_strcasecmp (unit, "M") == 0)
    scale = 1024 * 1024;
  else if (g_ascii_strcasecmp (unit, "MB") == 0)
    scale = 1000 * 1000;
  else if (g_ascii_strcasecmp (unit, "GiB") == 0 || g_ascii_strcasecmp (unit, "G") == 0)
    scale = G_GUINT64_CONSTANT (1024) * 1024 * 1024;
  else if (g_ascii_strcasecmp (unit, "GB") == 0)
    scale = G_GUINT64_CONSTANT (1000) * 1000 * 1000;
  else if (g_ascii_strcasecmp (unit, "TiB") == 0 || g_ascii_strcasecmp (unit, "T") == 0)
    scale = G_GUINT64_CONSTANT (1024) * 1024 * 1024 * 1024;
  else if (g_ascii_strcasecmp (unit, "TB") == 0)
    scale = G_GUINT64_CONSTANT (1000) * 1000 * 1000 * 1000;

  if (scale != 0 && value > G_MAXUINT64 / scale)
    return G_MAXUINT64;
  return value * scale;
}

static char *
node_to_xml (xmlDoc  *doc,
             xmlNode *node)
{
  xmlBuffer *buffer = xmlBufferCreate ();
  char *ret;

  xmlNodeDump (buffer, doc, node, 0, 0);
  ret = g_strdup ((const char *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  return ret;
}

static void
parse_disk (LodgeDevice *device,
            xmlNode     *node)
{
  g_autofree char *disk_device = get_prop (node, "device");
  xmlNode *source = child_element (node, "source");

  if (g_strcmp0 (disk_device, "cdrom") == 0)
    device->kind = LODGE_DEVICE_KIND_CDROM;
  else if (g_strcmp0 (disk_device, "floppy") == 0)
    device->kind = LODGE_DEVICE_KIND_FLOPPY;
  else
    device->kind = LODGE_DEVICE_KIND_DISK;

  device->source_type = get_prop (node, "type");
  device->target = child_prop (node, "target", "dev");
  device->bus = child_prop (node, "target", "bus");
  device->format = child_prop (node, "driver", "type");
  device->readonly = child_element (node, "readonly") != NULL;
  device->shareable = child_element (node, "shareable") != NULL;

  if (source != NULL)
    {
      g_autofree char *file = get_prop (source, "file");
      g_autofree char *dev = get_prop (source, "dev");
      g_autofree char *dir = get_prop (source, "dir");
      g_autofree char *protocol = get_prop (source, "protocol");

      device->pool = get_prop (source, "pool");
      device->volume = get_prop (source, "volume");

      if (file != NULL)
        device->source = g_steal_pointer (&file);
      else if (dev != NULL)
        device->source = g_steal_pointer (&dev);
      else if (dir != NULL)
        device->source = g_steal_pointer (&dir);
      else if (device->pool != NULL && device->volume != NULL)
        device->source = g_strdup_printf ("%s/%s", device->pool, device->volume);
      else if (protocol != NULL)
        {
          g_autofree char *name = get_prop (source, "name");
          g_autofree char *host = child_prop (source, "host", "name");

          device->source = g_strdup_printf ("%s://%s/%s", protocol,
                                            host ? host : "", name ? name : "");
        }
    }

  if (device->kind == LODGE_DEVICE_KIND_CDROM)
    device->summary = g_strdup_printf (_("%s CD/DVD drive %s"),
                                       device->bus ? device->bus : "", device->target ? device->target : "");
  else if (device->kind == LODGE_DEVICE_KIND_FLOPPY)
    device->summary = g_strdup_printf (_("Floppy drive %s"), device->target ? device->target : "");
  else
    device->summary = g_strdup_printf (_("%s disk %s"),
                                       device->bus ? device->bus : "", device->target ? device->target : "");
  g_strstrip (device->summary);
}

static void
parse_interface (LodgeDevice *device,
                 xmlNode     *node)
{
  xmlNode *source = child_element (node, "source");
  xmlNode *link = child_element (node, "link");

  device->kind = LODGE_DEVICE_KIND_INTERFACE;
  device->net_type = get_prop (node, "type");
  device->mac = child_prop (node, "mac", "address");
  device->model = child_prop (node, "model", "type");
  device->target = child_prop (node, "target", "dev");
  device->link_up = link == NULL || !prop_is (link, "state", "down");

  if (source != NULL)
    {
      const char *attrs[] = { "network", "bridge", "dev", "path", "address", NULL };

      for (guint i = 0; attrs[i] != NULL && device->source == NULL; i++)
        device->source = get_prop (source, attrs[i]);
    }

  if (device->source != NULL)
    device->summary = g_strdup_printf (_("Network interface %s (%s %s)"),
                                       device->mac ? device->mac : "",
                                       device->net_type ? device->net_type : "",
                                       device->source);
  else
    device->summary = g_strdup_printf (_("Network interface %s (%s)"),
                                       device->mac ? device->mac : "",
                                       device->net_type ? device->net_type : "");
}

/* A port attribute: -1 when absent, "-1" (autoport, not chosen yet) or
 * not a port. */
static int
parse_port (xmlNode    *node,
            const char *name)
{
  g_autofree char *text = get_prop (node, name);
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 1, 65535, &value, NULL))
    return -1;
  return (int) value;
}

static void
parse_graphics (LodgeDevice *device,
                xmlNode     *node)
{
  xmlNode *listen = child_element (node, "listen");
  xmlNode *gl = child_element (node, "gl");

  device->kind = LODGE_DEVICE_KIND_GRAPHICS;
  device->model = get_prop (node, "type");
  device->gl = gl != NULL && prop_is (gl, "enable", "yes");
  device->port = parse_port (node, "port");
  device->tls_port = parse_port (node, "tlsPort");
  device->password = get_prop (node, "passwd");
  /* VNC may name its socket on <graphics> itself. */
  device->socket = get_prop (node, "socket");

  if (listen != NULL)
    {
      g_autofree char *type = get_prop (listen, "type");

      device->listen_type = g_strdup (type);
      device->listen_address = get_prop (listen, "address");
      if (g_strcmp0 (type, "socket") == 0)
        {
          g_autofree char *path = get_prop (listen, "socket");

          if (path != NULL)
            {
              g_free (device->socket);
              device->socket = g_steal_pointer (&path);
            }
        }

      if (g_strcmp0 (type, "address") == 0 || type == NULL)
        device->listen = get_prop (listen, "address");
      else
        device->listen = g_steal_pointer (&type);
    }
  if (device->listen_address == NULL)
    device->listen_address = get_prop (node, "listen");
  if (device->listen == NULL)
    device->listen = get_prop (node, "listen");

  device->summary = g_strdup_printf (_("Display %s"), device->model ? device->model : "");
}

static void
parse_usb_host (LodgeDevice *device,
                xmlNode     *node)
{
  xmlNode *source = child_element (node, "source");
  xmlNode *address = child_element (source, "address");

  device->kind = LODGE_DEVICE_KIND_USB_HOST;

  if (source != NULL)
    {
      g_autofree char *vendor = child_prop (source, "vendor", "id");
      g_autofree char *product = child_prop (source, "product", "id");

      /* Ids are written "0x1234"; keep the 4 hex digits. */
      if (vendor != NULL)
        device->vendor_id = g_ascii_strdown (g_str_has_prefix (vendor, "0x") ? vendor + 2 : vendor, -1);
      if (product != NULL)
        device->product_id = g_ascii_strdown (g_str_has_prefix (product, "0x") ? product + 2 : product, -1);
    }

  if (address != NULL)
    {
      g_autofree char *bus = get_prop (address, "bus");
      g_autofree char *dev = get_prop (address, "device");

      device->usb_bus = parse_uint (bus, 0);
      device->usb_device = parse_uint (dev, 0);
    }

  if (device->vendor_id != NULL && device->product_id != NULL)
    device->summary = g_strdup_printf (_("USB device %s:%s"), device->vendor_id, device->product_id);
  else
    device->summary = g_strdup_printf (_("USB device %u.%u"), device->usb_bus, device->usb_device);
}

static LodgeDevice *
parse_device (xmlDoc  *doc,
              xmlNode *node)
{
  LodgeDevice *device = g_new0 (LodgeDevice, 1);
  const char *element = (const char *) node->name;
  g_autofree char *boot = child_prop (node, "boot", "order");

  g_atomic_ref_count_init (&device->ref_count);
  device->element = g_strdup (element);
  device->xml = node_to_xml (doc, node);
  device->alias = child_prop (node, "alias", "name");
  device->boot_order = parse_uint (boot, 0);
  device->kind = LODGE_DEVICE_KIND_OTHER;
  device->target_port = -1;

  if (g_str_equal (element, "disk"))
    parse_disk (device, node);
  else if (g_str_equal (element, "interface"))
    parse_interface (device, node);
  else if (g_str_equal (element, "graphics"))
    parse_graphics (device, node);
  else if (g_str_equal (element, "video"))
    {
      xmlNode *model = child_element (node, "model");
      xmlNode *accel = child_element (model, "acceleration");

      device->kind = LODGE_DEVICE_KIND_VIDEO;
      device->model = get_prop (model, "type");
      device->accel3d = accel != NULL && prop_is (accel, "accel3d", "yes");
      device->summary = g_strdup_printf (_("Video %s"), device->model ? device->model : "");
    }
  else if (g_str_equal (element, "sound"))
    {
      device->kind = LODGE_DEVICE_KIND_SOUND;
      device->model = get_prop (node, "model");
      device->summary = g_strdup_printf (_("Sound %s"), device->model ? device->model : "");
    }
  else if (g_str_equal (element, "hostdev")
           && prop_is (node, "mode", "subsystem")
           && prop_is (node, "type", "usb"))
    parse_usb_host (device, node);
  else if (g_str_equal (element, "serial") || g_str_equal (element, "console"))
    {
      g_autofree char *port = child_prop (node, "target", "port");

      /* Listed read-only like other devices; the console page opens them. */
      device->char_type = get_prop (node, "type");
      device->target_type = child_prop (node, "target", "type");
      device->target_port = port != NULL ? (int) parse_uint (port, 0) : -1;
    }

  if (device->summary == NULL)
    {
      g_autofree char *type = get_prop (node, "type");
      g_autofree char *model = get_prop (node, "model");
      const char *detail = type ? type : model;

      /* Read-only listing of what Lodge does not edit: element and type. */
      if (detail != NULL)
        device->summary = g_strdup_printf ("%s (%s)", element, detail);
      else
        device->summary = g_strdup (element);
    }

  return device;
}

static void
parse_os (LodgeMachineConfig *self,
          xmlNode            *os)
{
  g_autoptr(GStrvBuilder) boots = g_strv_builder_new ();
  g_autofree char *firmware = get_prop (os, "firmware");
  xmlNode *loader = child_element (os, "loader");
  xmlNode *type = child_element (os, "type");

  self->arch = get_prop (type, "arch");
  self->machine_type = get_prop (type, "machine");
  self->kernel = child_text (os, "kernel");
  if (self->kernel != NULL && self->kernel[0] == '\0')
    g_clear_pointer (&self->kernel, g_free);

  for (xmlNode *it = os ? os->children : NULL; it != NULL; it = it->next)
    if (is_element (it, "boot"))
      {
        g_autofree char *dev = get_prop (it, "dev");

        if (dev != NULL)
          g_strv_builder_add (boots, dev);
      }
  self->boot_devices = g_strv_builder_end (boots);

  self->nvram = child_text (os, "nvram");
  if (self->nvram != NULL && self->nvram[0] == '\0')
    g_clear_pointer (&self->nvram, g_free);
  self->nvram_template = child_prop (os, "nvram", "template");

  if (loader != NULL)
    {
      self->loader = get_text (loader);
      self->has_pflash = prop_is (loader, "type", "pflash");
      self->secure_boot = prop_is (loader, "secure", "yes");
    }

  if (g_strcmp0 (firmware, "efi") == 0)
    {
      self->firmware = LODGE_FIRMWARE_UEFI;
      /* firmware='efi' resolves to a pflash loader on x86. */
      self->has_pflash = TRUE;
      xmlNode *features = child_element (os, "firmware");

      for (xmlNode *f = features ? features->children : NULL; f != NULL; f = f->next)
        if (is_element (f, "feature") && prop_is (f, "name", "secure-boot")
            && prop_is (f, "enabled", "yes"))
          self->secure_boot = TRUE;
    }
  else if (self->loader != NULL && self->loader[0] != '\0')
    {
      g_autofree char *lower = g_ascii_strdown (self->loader, -1);

      if (strstr (lower, "ovmf") || strstr (lower, "edk2") || strstr (lower, "aavmf")
          || strstr (lower, "uefi") || strstr (lower, "efi"))
        self->firmware = LODGE_FIRMWARE_UEFI;
      else
        self->firmware = LODGE_FIRMWARE_OTHER;
    }
  else if (g_strcmp0 (self->arch, "x86_64") == 0 || g_strcmp0 (self->arch, "i686") == 0
           || g_strcmp0 (firmware, "bios") == 0)
    self->firmware = LODGE_FIRMWARE_BIOS;
  else
    self->firmware = LODGE_FIRMWARE_OTHER;
}

static void
parse_metadata (LodgeMachineConfig *self,
                xmlNode            *metadata)
{
  for (xmlNode *it = metadata ? metadata->children : NULL; it != NULL; it = it->next)
    {
      if (!is_element (it, "libosinfo"))
        continue;

      for (xmlNode *os = it->children; os != NULL; os = os->next)
        if (is_element (os, "os"))
          {
            self->os_id = get_prop (os, "id");
            return;
          }
    }
}

/* libxml2 is safe on several threads once initialized; do it once. */
void
lodge_machine_config_init_xml (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      xmlInitParser ();
      g_once_init_leave (&initialized, 1);
    }
}

LodgeMachineConfig *
lodge_machine_config_new_from_xml (const char  *xml,
                                   GError     **error)
{
  g_autoptr(LodgeMachineConfig) self = NULL;
  xmlDoc *doc;
  xmlNode *root;
  xmlNode *vcpu;
  xmlNode *devices;
  g_autofree char *vcpus = NULL;
  g_autofree char *current_vcpus = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (xml != NULL, NULL);

  lodge_machine_config_init_xml ();
  xmlResetLastError ();
  doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      const xmlError *xerr = xmlGetLastError ();
      g_autofree char *message = xerr && xerr->message ? g_strstrip (g_strdup (xerr->message)) : NULL;

      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("The definition is not valid XML: %s"),
                   message ? message : _("unknown error"));
      return NULL;
    }

  root = xmlDocGetRootElement (doc);
  if (!is_element (root, "domain"))
    {
      xmlFreeDoc (doc);
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("The definition is not a libvirt domain"));
      return NULL;
    }

  self = g_object_new (LODGE_TYPE_MACHINE_CONFIG, NULL);
  self->xml = g_strdup (xml);
  self->hypervisor = get_prop (root, "type");
  id = get_prop (root, "id");
  self->is_live = id != NULL && !g_str_equal (id, "-1");
  self->name = child_text (root, "name");
  self->uuid = child_text (root, "uuid");
  self->title = child_text (root, "title");
  self->description = child_text (root, "description");
  self->memory = memory_bytes (child_element (root, "memory"));
  self->current_memory = memory_bytes (child_element (root, "currentMemory"));
  if (self->current_memory == 0)
    self->current_memory = self->memory;
  self->max_memory = memory_bytes (child_element (root, "maxMemory"));
  self->cpu_mode = child_prop (root, "cpu", "mode");

  vcpu = child_element (root, "vcpu");
  vcpus = get_text (vcpu);
  current_vcpus = get_prop (vcpu, "current");
  self->max_vcpus = MAX (1, parse_uint (vcpus, 1));
  self->vcpus = CLAMP (parse_uint (current_vcpus, self->max_vcpus), 1, self->max_vcpus);

  parse_os (self, child_element (root, "os"));
  parse_metadata (self, child_element (root, "metadata"));

  self->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_device_unref);
  devices = child_element (root, "devices");
  for (xmlNode *it = devices ? devices->children : NULL; it != NULL; it = it->next)
    {
      LodgeDevice *device;

      if (!is_element (it, NULL))
        continue;

      device = parse_device (doc, it);
      if (device->boot_order > 0)
        self->has_device_boot_order = TRUE;
      g_ptr_array_add (self->devices, device);
    }

  xmlFreeDoc (doc);
  return g_steal_pointer (&self);
}

static void
lodge_machine_config_finalize (GObject *object)
{
  LodgeMachineConfig *self = (LodgeMachineConfig *) object;

  g_free (self->xml);
  g_free (self->name);
  g_free (self->uuid);
  g_free (self->title);
  g_free (self->description);
  g_free (self->hypervisor);
  g_free (self->arch);
  g_free (self->machine_type);
  g_free (self->os_id);
  g_free (self->cpu_mode);
  g_free (self->loader);
  g_free (self->nvram);
  g_free (self->nvram_template);
  g_free (self->kernel);
  g_strfreev (self->boot_devices);
  g_clear_pointer (&self->devices, g_ptr_array_unref);

  G_OBJECT_CLASS (lodge_machine_config_parent_class)->finalize (object);
}

static void
lodge_machine_config_class_init (LodgeMachineConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lodge_machine_config_finalize;
}

static void
lodge_machine_config_init (LodgeMachineConfig *self)
{
}

#define GETTER(type, field)                                                    \
  type                                                                         \
  lodge_machine_config_get_##field (LodgeMachineConfig *self)                  \
  {                                                                            \
    g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), (type) 0);           \
    return self->field;                                                        \
  }

GETTER (const char *, xml)
GETTER (const char *, name)
GETTER (const char *, uuid)
GETTER (const char *, title)
GETTER (const char *, description)
GETTER (const char *, hypervisor)
GETTER (const char *, arch)
GETTER (const char *, machine_type)
GETTER (const char *, os_id)
GETTER (guint64, memory)
GETTER (guint64, current_memory)
GETTER (guint64, max_memory)
GETTER (guint, vcpus)
GETTER (guint, max_vcpus)
GETTER (const char *, cpu_mode)
GETTER (LodgeFirmware, firmware)
GETTER (const char *, loader)
GETTER (const char *, nvram)
GETTER (const char *, nvram_template)
GETTER (const char *, kernel)
GETTER (GPtrArray *, devices)

#undef GETTER

gboolean
lodge_machine_config_get_is_live (LodgeMachineConfig *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), FALSE);
  return self->is_live;
}

gboolean
lodge_machine_config_get_has_pflash (LodgeMachineConfig *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), FALSE);
  return self->has_pflash;
}

gboolean
lodge_machine_config_get_secure_boot (LodgeMachineConfig *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), FALSE);
  return self->secure_boot;
}

gboolean
lodge_machine_config_get_is_q35 (LodgeMachineConfig *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), FALSE);
  return self->machine_type != NULL && strstr (self->machine_type, "q35") != NULL;
}

gboolean
lodge_machine_config_get_has_device_boot_order (LodgeMachineConfig *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), FALSE);
  return self->has_device_boot_order;
}

const char * const *
lodge_machine_config_get_boot_devices (LodgeMachineConfig *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), NULL);
  return (const char * const *) self->boot_devices;
}

GPtrArray *
lodge_machine_config_get_devices_of_kind (LodgeMachineConfig *self,
                                          LodgeDeviceKind     kind)
{
  GPtrArray *ret;

  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), NULL);

  ret = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_device_unref);
  for (guint i = 0; i < self->devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (self->devices, i);

      if (device->kind == kind)
        g_ptr_array_add (ret, lodge_device_ref (device));
    }

  return ret;
}

LodgeDevice *
lodge_machine_config_find_disk (LodgeMachineConfig *self,
                                const char         *target)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), NULL);
  g_return_val_if_fail (target != NULL, NULL);

  for (guint i = 0; i < self->devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (self->devices, i);

      if ((device->kind == LODGE_DEVICE_KIND_DISK
           || device->kind == LODGE_DEVICE_KIND_CDROM
           || device->kind == LODGE_DEVICE_KIND_FLOPPY)
          && g_strcmp0 (device->target, target) == 0)
        return device;
    }

  return NULL;
}

LodgeDevice *
lodge_machine_config_find_interface (LodgeMachineConfig *self,
                                     const char         *mac)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), NULL);
  g_return_val_if_fail (mac != NULL, NULL);

  for (guint i = 0; i < self->devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (self->devices, i);

      if (device->kind == LODGE_DEVICE_KIND_INTERFACE
          && device->mac != NULL
          && g_ascii_strcasecmp (device->mac, mac) == 0)
        return device;
    }

  return NULL;
}

gboolean
lodge_machine_config_can_set_memory_live (LodgeMachineConfig *self,
                                          guint64             bytes)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), FALSE);

  /* The balloon can move between a small floor and the boot maximum. */
  return self->is_live && bytes > 0 && bytes <= self->memory;
}

gboolean
lodge_machine_config_can_set_vcpus_live (LodgeMachineConfig *self,
                                         guint               vcpus)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), FALSE);

  return self->is_live && vcpus > 0 && vcpus <= self->max_vcpus;
}

gboolean
lodge_machine_config_get_autostart (LodgeMachineConfig *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (self), FALSE);
  return self->autostart;
}

void
lodge_machine_config_set_autostart (LodgeMachineConfig *self,
                                    gboolean            autostart)
{
  g_return_if_fail (LODGE_IS_MACHINE_CONFIG (self));
  self->autostart = !!autostart;
}
