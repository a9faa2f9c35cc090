/* lodge-machine-editor.c: changes to one machine's definition and devices
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-machine-editor"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <unistd.h>

#include "model/lodge-connection.h"
#include "model/lodge-details-private.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-machine.h"
#include "model/lodge-machine-editor.h"
#include "model/lodge-machine-editor-private.h"

struct _LodgeMachineEditor
{
  GObject parent_instance;

  LodgeDomainTarget target;
};

G_DEFINE_FINAL_TYPE (LodgeMachineEditor, lodge_machine_editor, G_TYPE_OBJECT)

/* Shared by the editor's files (lodge-machine-editor-private.h). */

void
lodge_edit_task_clear (LodgeEditTask *task)
{
  g_clear_pointer (&task->conn, virConnectClose);
  g_clear_pointer (&task->uuid, g_free);
}

gboolean
lodge_edit_ctx_open (LodgeEditCtx   *ctx,
                     LodgeEditTask  *task,
                     GError        **error)
{
  ctx->dom = lodge_details_lookup_domain (task->conn, task->uuid, error);
  if (ctx->dom == NULL)
    return FALSE;
  ctx->active = virDomainIsActive (ctx->dom) == 1;
  ctx->persistent = virDomainIsPersistent (ctx->dom) == 1;
  return TRUE;
}

void
lodge_edit_ctx_close (LodgeEditCtx *ctx)
{
  g_clear_pointer (&ctx->dom, virDomainFree);
}

char *
lodge_edit_get_xml (virDomainPtr   dom,
                    gboolean       inactive,
                    GError       **error)
{
  unsigned int flags = inactive ? VIR_DOMAIN_XML_INACTIVE : 0;
  char *xml;

  /* SECURE keeps passwords across a redefine; read-only connections may
   * not ask for it. */
  xml = virDomainGetXMLDesc (dom, flags | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    xml = virDomainGetXMLDesc (dom, flags);
  if (xml == NULL)
    lodge_model_set_error_from_virt (error, NULL);
  return xml;
}

LodgeMachineConfig *
lodge_edit_ctx_get_config (LodgeEditCtx  *ctx,
                           gboolean       inactive,
                           GError       **error)
{
  g_autofree char *xml = lodge_edit_get_xml (ctx->dom, inactive || !ctx->active, error);

  if (xml == NULL)
    return NULL;
  return lodge_machine_config_new_from_xml (xml, error);
}

unsigned int
lodge_edit_ctx_affect_flags (LodgeEditCtx *ctx)
{
  unsigned int flags = 0;

  if (ctx->active)
    flags |= VIR_DOMAIN_AFFECT_LIVE;
  if (ctx->persistent)
    flags |= VIR_DOMAIN_AFFECT_CONFIG;
  return flags;
}

void
lodge_edit_task_return (GTask            *task,
                        gboolean          ok,
                        LodgeEditOutcome  outcome,
                        GError           *error)
{
  LodgeEditTask *data = g_task_get_task_data (task);

  data->outcome = outcome;
  if (ok)
    {
      g_assert (error == NULL);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

void
lodge_machine_editor_run (LodgeMachineEditor  *self,
                          gpointer             task_data,
                          GDestroyNotify       free_func,
                          gpointer             source_tag,
                          GTaskThreadFunc      thread,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  LodgeEditTask *data = task_data;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, task_data, free_func);

  data->uuid = g_strdup (self->target.uuid);
  data->conn = lodge_domain_target_ref_conn (&self->target, &error);
  if (data->conn == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lodge_virt_task_run_in_thread (task, thread, &data->conn);
}

/* The operations that predate typed task data. One struct carries the
 * inputs of any of them to the worker. New operations get a struct and a
 * thread function of their own (lodge-machine-editor-tuning.c). */

typedef enum
{
  OP_LOAD,
  OP_MEMORY,
  OP_VCPUS,
  OP_AUTOSTART,
  OP_DESCRIPTION,
  OP_BOOT_ORDER,
  OP_ADD_DISK,
  OP_REMOVE_DISK,
  OP_RESIZE_DISK,
  OP_MEDIA,
  OP_ADD_NIC,
  OP_REMOVE_NIC,
  OP_NIC_LINK,
  OP_NIC_SOURCE,
  OP_GRAPHICS,
  OP_SOUND,
  OP_ADD_USB,
  OP_REMOVE_USB,
  OP_LIST_USB,
  OP_DEFINE,
  OP_LOG,
  OP_ADDRESSES,
  OP_START_TIME,
  OP_DISK_USAGE,
} OpKind;

typedef struct
{
  LodgeEditTask    base;
  OpKind           kind;
  guint64          number;
  gboolean         flag;
  LodgeDeviceKind  device_kind;
  char            *s1;
  char            *s2;
  char            *s3;
  char            *s4;
  GStrv            strv;

  /* result, read by lodge_machine_editor_define_xml_finish() */
  guint            error_line;
} Op;

static void
op_free (Op *op)
{
  lodge_edit_task_clear (&op->base);
  g_free (op->s1);
  g_free (op->s2);
  g_free (op->s3);
  g_free (op->s4);
  g_strfreev (op->strv);
  g_free (op);
}

typedef int (*DeviceFunc) (virDomainPtr dom, const char *xml, unsigned int flags);

static gboolean attach_by_redefine (LodgeEditCtx               *ctx,
                                    const char        *xml,
                                    LodgeEditOutcome  *outcome,
                                    GError           **error);

static gboolean
live_change_unsupported (void)
{
  virErrorPtr err = virGetLastError ();
  g_autofree char *lower = NULL;

  if (err == NULL)
    return FALSE;
  if (err->code == VIR_ERR_OPERATION_UNSUPPORTED || err->code == VIR_ERR_CONFIG_UNSUPPORTED
      || err->code == VIR_ERR_NO_SUPPORT || err->code == VIR_ERR_ARGUMENT_UNSUPPORTED)
    return TRUE;

  lower = g_ascii_strdown (err->message ? err->message : "", -1);
  return strstr (lower, "hotplug") != NULL || strstr (lower, "hot-plug") != NULL
         || strstr (lower, "hotunplug") != NULL || strstr (lower, "hot unplug") != NULL
         || strstr (lower, "unplug") != NULL || strstr (lower, "live update") != NULL
         || strstr (lower, "cannot change") != NULL || strstr (lower, "unable to change") != NULL;
}

/* Applies a device change live and in the definition; when the running
 * machine refuses it (no hot-plug for that bus, say), saves it for the
 * next boot. */
static gboolean
apply_device (LodgeEditCtx               *ctx,
              DeviceFunc         func,
              const char        *xml,
              unsigned int       extra_flags,
              LodgeEditOutcome  *outcome,
              GError           **error)
{
  *outcome = LODGE_EDIT_APPLIED;

  if (func (ctx->dom, xml, lodge_edit_ctx_affect_flags (ctx) | extra_flags) == 0)
    return TRUE;

  /* Drivers without device calls (the test driver): adding a device to a
   * machine that is off is a change of its definition. */
  if (func == virDomainAttachDeviceFlags && !ctx->active && ctx->persistent
      && virGetLastErrorCode () == VIR_ERR_NO_SUPPORT)
    return attach_by_redefine (ctx, xml, outcome, error);

  /* Only "cannot do that while running" earns a next-boot change; an error
   * about the device itself (a missing file, an inactive network) would
   * just break the next boot, so it is reported. libvirt applies nothing
   * of a LIVE|CONFIG change that fails. */
  if (ctx->active && ctx->persistent && live_change_unsupported ())
    {
      g_autofree char *live_message = g_strdup (virGetLastErrorMessage ());

      if (func (ctx->dom, xml, VIR_DOMAIN_AFFECT_CONFIG | extra_flags) == 0)
        {
          g_debug ("Live change refused (%s), saved for next boot", live_message);
          *outcome = LODGE_EDIT_APPLIES_AT_NEXT_BOOT;
          return TRUE;
        }
    }

  lodge_model_set_error_from_virt (error, NULL);
  return FALSE;
}

/* XML fragments: parse, edit with libxml2, serialize. */

static xmlDoc *
parse_fragment (const char  *xml,
                GError     **error)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "device.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

  if (doc == NULL)
    g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                         _("Could not read the device definition"));
  return doc;
}




/* A device taken from a definition, without what only the running
 * instance has. */
static xmlDoc *
device_doc (LodgeDevice  *device,
            GError      **error)
{
  xmlDoc *doc = parse_fragment (device->xml, error);

  if (doc != NULL)
    lodge_xml_remove_children (xmlDocGetRootElement (doc), "alias");
  return doc;
}

static const char *
path_source_type (const char *path)
{
  return g_str_has_prefix (path, "/dev/") ? "block" : "file";
}

/* Memory and vCPUs */

static gboolean
set_memory (LodgeEditCtx               *ctx,
            guint64            bytes,
            LodgeEditOutcome  *outcome,
            GError           **error)
{
  g_autoptr(LodgeMachineConfig) live = NULL;
  unsigned long kib = bytes / 1024;

  if (kib == 0)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("Memory must not be zero"));
      return FALSE;
    }

  *outcome = LODGE_EDIT_APPLIED;

  if (ctx->persistent)
    {
      g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, TRUE, error);

      if (config == NULL)
        return FALSE;

      /* Raise the maximum first when growing, lower it last when shrinking,
       * so that current ≤ maximum holds at every step. */
      if (bytes > lodge_machine_config_get_memory (config))
        {
          if (virDomainSetMemoryFlags (ctx->dom, kib, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_MEM_MAXIMUM) < 0
              || virDomainSetMemoryFlags (ctx->dom, kib, VIR_DOMAIN_AFFECT_CONFIG) < 0)
            goto fail;
        }
      else
        {
          if (virDomainSetMemoryFlags (ctx->dom, kib, VIR_DOMAIN_AFFECT_CONFIG) < 0
              || virDomainSetMemoryFlags (ctx->dom, kib, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_MEM_MAXIMUM) < 0)
            goto fail;
        }
    }

  if (!ctx->active)
    return TRUE;

  live = lodge_edit_ctx_get_config (ctx, FALSE, error);
  if (live == NULL)
    return FALSE;

  if (lodge_machine_config_can_set_memory_live (live, bytes)
      && virDomainSetMemoryFlags (ctx->dom, kib, VIR_DOMAIN_AFFECT_LIVE) == 0)
    return TRUE;

  if (!ctx->persistent)
    goto fail;

  g_debug ("Memory not changed live: %s", virGetLastErrorMessage ());
  *outcome = LODGE_EDIT_APPLIES_AT_NEXT_BOOT;
  return TRUE;

fail:
  lodge_model_set_error_from_virt (error, NULL);
  return FALSE;
}

static gboolean
set_vcpus (LodgeEditCtx               *ctx,
           guint              vcpus,
           LodgeEditOutcome  *outcome,
           GError           **error)
{
  g_autoptr(LodgeMachineConfig) live = NULL;

  if (vcpus == 0)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("A machine needs at least one processor"));
      return FALSE;
    }

  *outcome = LODGE_EDIT_APPLIED;

  if (ctx->persistent)
    {
      g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, TRUE, error);

      if (config == NULL)
        return FALSE;

      if (vcpus > lodge_machine_config_get_max_vcpus (config))
        {
          if (virDomainSetVcpusFlags (ctx->dom, vcpus, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM) < 0)
            goto fail;
        }
      if (virDomainSetVcpusFlags (ctx->dom, vcpus, VIR_DOMAIN_AFFECT_CONFIG) < 0)
        goto fail;
    }

  if (!ctx->active)
    return TRUE;

  live = lodge_edit_ctx_get_config (ctx, FALSE, error);
  if (live == NULL)
    return FALSE;

  if (lodge_machine_config_get_vcpus (live) == vcpus)
    return TRUE;

  if (lodge_machine_config_can_set_vcpus_live (live, vcpus)
      && virDomainSetVcpusFlags (ctx->dom, vcpus, VIR_DOMAIN_AFFECT_LIVE) == 0)
    return TRUE;

  if (!ctx->persistent)
    goto fail;

  g_debug ("vCPUs not changed live: %s", virGetLastErrorMessage ());
  *outcome = LODGE_EDIT_APPLIES_AT_NEXT_BOOT;
  return TRUE;

fail:
  lodge_model_set_error_from_virt (error, NULL);
  return FALSE;
}

/* Edits of the whole definition: read the inactive XML, change it, define
 * it with validation. libvirt refuses a bad result as a whole. */

/* Saves doc (and frees it) as the machine's persistent definition,
 * validated by libvirt; an error names what libvirt refused. */
static gboolean
define_document (LodgeEditCtx     *ctx,
                 xmlDoc  *doc,
                 GError **error)
{
  g_autofree char *new_xml = lodge_xml_node_to_string (doc, NULL);
  virDomainPtr defined;

  xmlFreeDoc (doc);
  defined = virDomainDefineXMLFlags (virDomainGetConnect (ctx->dom), new_xml,
                                     VIR_DOMAIN_DEFINE_VALIDATE);
  if (defined == NULL)
    {
      lodge_model_set_error_from_virt (error, NULL);
      return FALSE;
    }
  virDomainFree (defined);
  return TRUE;
}

gboolean
lodge_edit_ctx_edit_definition (LodgeEditCtx      *ctx,
                                gpointer           data,
                                LodgeDocEdit       edit,
                                LodgeEditOutcome  *outcome,
                                GError           **error)
{
  g_autofree char *xml = NULL;
  xmlDoc *doc;

  if (!ctx->persistent)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                           _("This machine is temporary (transient): its definition cannot be changed"));
      return FALSE;
    }

  xml = lodge_edit_get_xml (ctx->dom, TRUE, error);
  if (xml == NULL)
    return FALSE;

  doc = parse_fragment (xml, error);
  if (doc == NULL)
    return FALSE;

  if (!edit (doc, data, error))
    {
      xmlFreeDoc (doc);
      return FALSE;
    }

  if (!define_document (ctx, doc, error))
    return FALSE;

  *outcome = ctx->active ? LODGE_EDIT_APPLIES_AT_NEXT_BOOT : LODGE_EDIT_APPLIED;
  return TRUE;
}

static gboolean
attach_by_redefine (LodgeEditCtx               *ctx,
                    const char        *xml,
                    LodgeEditOutcome  *outcome,
                    GError           **error)
{
  g_autofree char *domain_xml = lodge_edit_get_xml (ctx->dom, TRUE, error);
  xmlDoc *device;
  xmlDoc *doc;

  if (domain_xml == NULL)
    return FALSE;
  device = parse_fragment (xml, error);
  if (device == NULL)
    return FALSE;
  doc = parse_fragment (domain_xml, error);
  if (doc == NULL)
    {
      xmlFreeDoc (device);
      return FALSE;
    }
  xmlAddChild (lodge_xml_ensure_child (xmlDocGetRootElement (doc), "devices"),
               xmlDocCopyNode (xmlDocGetRootElement (device), doc, 1));
  xmlFreeDoc (device);
  if (!define_document (ctx, doc, error))
    return FALSE;

  *outcome = LODGE_EDIT_APPLIED;
  return TRUE;
}

static gboolean
edit_boot_order (xmlDoc   *doc,
                 gpointer  data,
                 GError  **error)
{
  Op *op = data;
  xmlNode *root = xmlDocGetRootElement (doc);
  xmlNode *devices = lodge_xml_child (root, "devices");
  guint found = 0;

  /* Per-device order and <os><boot/> cannot be mixed. */
  lodge_xml_remove_children (lodge_xml_child (root, "os"), "boot");

  for (xmlNode *it = devices ? devices->children : NULL; it != NULL; it = it->next)
    {
      g_autofree char *key = NULL;

      if (it->type != XML_ELEMENT_NODE)
        continue;

      lodge_xml_remove_children (it, "boot");

      if (g_str_equal ((const char *) it->name, "disk"))
        {
          xmlNode *target = lodge_xml_child (it, "target");
          xmlChar *dev = target ? xmlGetProp (target, (const xmlChar *) "dev") : NULL;

          key = g_strdup ((const char *) dev);
          xmlFree (dev);
        }
      else if (g_str_equal ((const char *) it->name, "interface"))
        {
          xmlNode *mac = lodge_xml_child (it, "mac");
          xmlChar *address = mac ? xmlGetProp (mac, (const xmlChar *) "address") : NULL;

          key = address ? g_ascii_strdown ((const char *) address, -1) : NULL;
          xmlFree (address);
        }

      for (guint i = 0; key != NULL && op->strv[i] != NULL; i++)
        if (g_ascii_strcasecmp (op->strv[i], key) == 0)
          {
            xmlNode *boot = xmlNewChild (it, NULL, (const xmlChar *) "boot", NULL);
            g_autofree char *order = g_strdup_printf ("%u", i + 1);

            lodge_xml_set_prop (boot, "order", order);
            found++;
            break;
          }
    }

  if (found != g_strv_length (op->strv))
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                           _("A boot device is not part of the machine"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
edit_graphics (xmlDoc   *doc,
               gpointer  data,
               GError  **error)
{
  Op *op = data;
  xmlNode *root = xmlDocGetRootElement (doc);
  xmlNode *devices = lodge_xml_ensure_child (root, "devices");
  xmlNode *graphics = lodge_xml_child (devices, "graphics");
  xmlNode *video = lodge_xml_child (devices, "video");
  const char *type = op->s1;

  if (g_strcmp0 (type, "spice") != 0 && g_strcmp0 (type, "vnc") != 0)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("Unknown display type “%s”"), type);
      return FALSE;
    }
  if (op->flag && !g_str_equal (type, "spice"))
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("3D acceleration needs a SPICE display"));
      return FALSE;
    }

  if (graphics == NULL)
    graphics = xmlNewChild (devices, NULL, (const xmlChar *) "graphics", NULL);
  else
    {
      xmlChar *old = xmlGetProp (graphics, (const xmlChar *) "type");

      /* Type-specific children (channels, image compression…) do not carry
       * over from one protocol to the other. */
      if (g_strcmp0 ((const char *) old, type) != 0)
        {
          xmlNode *replacement = xmlNewNode (NULL, (const xmlChar *) "graphics");

          xmlReplaceNode (graphics, replacement);
          xmlFreeNode (graphics);
          graphics = replacement;
        }
      xmlFree (old);
    }

  lodge_xml_set_prop (graphics, "type", type);
  lodge_xml_remove_children (graphics, "gl");
  if (op->flag)
    {
      xmlNode *gl = xmlNewChild (graphics, NULL, (const xmlChar *) "gl", NULL);

      lodge_xml_set_prop (gl, "enable", "yes");
      /* SPICE GL needs a local socket, not a TCP port. */
      xmlUnsetProp (graphics, (const xmlChar *) "autoport");
      xmlUnsetProp (graphics, (const xmlChar *) "port");
      lodge_xml_remove_children (graphics, "listen");
      lodge_xml_set_prop (xmlNewChild (graphics, NULL, (const xmlChar *) "listen", NULL), "type", "none");
    }
  if (lodge_xml_child (graphics, "listen") == NULL && xmlHasProp (graphics, (const xmlChar *) "port") == NULL)
    lodge_xml_set_prop (xmlNewChild (graphics, NULL, (const xmlChar *) "listen", NULL), "type", "none");

  if (op->flag)
    {
      xmlNode *model;
      xmlNode *accel;

      if (video == NULL)
        video = xmlNewChild (devices, NULL, (const xmlChar *) "video", NULL);
      lodge_xml_remove_children (video, "model");
      lodge_xml_remove_children (video, "address");
      model = xmlNewChild (video, NULL, (const xmlChar *) "model", NULL);
      lodge_xml_set_prop (model, "type", "virtio");
      accel = xmlNewChild (model, NULL, (const xmlChar *) "acceleration", NULL);
      lodge_xml_set_prop (accel, "accel3d", "yes");
    }
  else if (video != NULL)
    {
      xmlNode *model = lodge_xml_child (video, "model");

      lodge_xml_remove_children (model, "acceleration");
    }

  return TRUE;
}

static gboolean
edit_sound (xmlDoc   *doc,
            gpointer  data,
            GError  **error)
{
  Op *op = data;
  xmlNode *root = xmlDocGetRootElement (doc);
  xmlNode *devices = lodge_xml_ensure_child (root, "devices");

  lodge_xml_remove_children (devices, "sound");
  if (op->s1 != NULL)
    lodge_xml_set_prop (xmlNewChild (devices, NULL, (const xmlChar *) "sound", NULL), "model", op->s1);
  return TRUE;
}

/* Disks */

static char *
next_target (LodgeMachineConfig *config,
             const char         *bus)
{
  const char *prefix = "sd";

  if (g_strcmp0 (bus, "virtio") == 0)
    prefix = "vd";
  else if (g_strcmp0 (bus, "ide") == 0)
    prefix = "hd";
  else if (g_strcmp0 (bus, "fdc") == 0)
    prefix = "fd";
  else if (g_strcmp0 (bus, "xen") == 0)
    prefix = "xvd";

  for (char letter = 'a'; letter <= 'z'; letter++)
    {
      g_autofree char *target = g_strdup_printf ("%s%c", prefix, letter);

      if (lodge_machine_config_find_disk (config, target) == NULL)
        return g_steal_pointer (&target);
    }
  return NULL;
}

static char *
volume_format (virStorageVolPtr vol)
{
  g_autofree char *xml = virStorageVolGetXMLDesc (vol, 0);
  const char *start;
  const char *end;

  /* <format type='qcow2'/> inside <target>: a tiny search is enough. */
  if (xml == NULL || (start = strstr (xml, "<format type='")) == NULL)
    return NULL;
  start += strlen ("<format type='");
  end = strchr (start, '\'');
  return end ? g_strndup (start, end - start) : NULL;
}

static char *
guess_format (virConnectPtr  conn,
              const char    *path)
{
  virStorageVolPtr vol = virStorageVolLookupByPath (conn, path);
  char *format = NULL;

  if (vol != NULL)
    {
      format = volume_format (vol);
      virStorageVolFree (vol);
    }
  else
    virResetLastError ();

  if (format == NULL || g_str_equal (format, "iso"))
    {
      g_free (format);
      format = g_strdup (g_str_has_suffix (path, ".qcow2") ? "qcow2" : "raw");
    }
  return format;
}

static gboolean
add_disk (LodgeEditCtx               *ctx,
          Op                *op,
          LodgeEditOutcome  *outcome,
          GError           **error)
{
  virConnectPtr conn = virDomainGetConnect (ctx->dom);
  g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, FALSE, error);
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autofree char *target = NULL;
  g_autofree char *path = g_strdup (op->s1);
  g_autofree char *format = NULL;
  g_autofree char *escaped = NULL;
  gboolean cdrom = op->device_kind == LODGE_DEVICE_KIND_CDROM;
  const char *bus = op->s3 ? op->s3 : (cdrom ? "sata" : "virtio");
  const char *hypervisor;
  virStorageVolPtr created = NULL;
  gboolean ok;

  if (config == NULL)
    return FALSE;

  target = next_target (config, bus);
  if (target == NULL)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                           _("No free place for another disk on this bus"));
      return FALSE;
    }

  if (path == NULL && !cdrom)
    {
      const char *pool_name = op->s2 ? op->s2 : "default";
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, pool_name);
      g_autofree char *vol_name = NULL;
      g_autofree char *vol_xml = NULL;
      g_autofree char *escaped_name = NULL;

      if (pool == NULL)
        {
          lodge_model_set_error_from_virt_prefixed (error, _("Storage pool not found"));
          return FALSE;
        }

      vol_name = g_strdup_printf ("%s-%s.qcow2", lodge_machine_config_get_name (config), target);
      escaped_name = g_markup_escape_text (vol_name, -1);
      vol_xml = g_strdup_printf ("<volume><name>%s</name>"
                                 "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                                 "<target><format type='qcow2'/></target></volume>",
                                 escaped_name, op->number);
      created = virStorageVolCreateXML (pool, vol_xml, 0);
      virStoragePoolFree (pool);
      if (created == NULL)
        {
          lodge_model_set_error_from_virt_prefixed (error, _("Could not create the disk"));
          return FALSE;
        }
      path = virStorageVolGetPath (created);
      format = g_strdup ("qcow2");
    }
  else if (path != NULL)
    format = guess_format (conn, path);

  hypervisor = lodge_machine_config_get_hypervisor (config);
  g_string_append_printf (xml, "<disk type='%s' device='%s'>",
                          path ? path_source_type (path) : "file",
                          cdrom ? "cdrom" : "disk");
  if (format != NULL && (g_strcmp0 (hypervisor, "qemu") == 0 || g_strcmp0 (hypervisor, "kvm") == 0))
    g_string_append_printf (xml, "<driver name='qemu' type='%s'/>", format);
  if (path != NULL)
    {
      escaped = g_markup_escape_text (path, -1);
      g_string_append_printf (xml, "<source %s='%s'/>",
                              g_str_equal (path_source_type (path), "block") ? "dev" : "file",
                              escaped);
    }
  g_string_append_printf (xml, "<target dev='%s' bus='%s'/>", target, bus);
  if (cdrom)
    g_string_append (xml, "<readonly/>");
  g_string_append (xml, "</disk>");

  ok = apply_device (ctx, virDomainAttachDeviceFlags, xml->str, 0, outcome, error);
  if (!ok && created != NULL)
    virStorageVolDelete (created, 0);
  g_clear_pointer (&created, virStorageVolFree);
  return ok;
}

static gboolean
remove_device (LodgeEditCtx               *ctx,
               LodgeDevice       *device,
               LodgeEditOutcome  *outcome,
               GError           **error)
{
  xmlDoc *doc = device_doc (device, error);
  g_autofree char *xml = NULL;

  if (doc == NULL)
    return FALSE;
  xml = lodge_xml_node_to_string (doc, NULL);
  xmlFreeDoc (doc);

  return apply_device (ctx, virDomainDetachDeviceFlags, xml, 0, outcome, error);
}

static gboolean
remove_disk (LodgeEditCtx               *ctx,
             Op                *op,
             LodgeEditOutcome  *outcome,
             GError           **error)
{
  g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, FALSE, error);
  LodgeDevice *device;

  if (config == NULL)
    return FALSE;

  device = lodge_machine_config_find_disk (config, op->s1);
  if (device == NULL)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                   _("The machine has no disk “%s”"), op->s1);
      return FALSE;
    }
  return remove_device (ctx, device, outcome, error);
}

static gboolean
resize_disk (LodgeEditCtx               *ctx,
             Op                *op,
             LodgeEditOutcome  *outcome,
             GError           **error)
{
  g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, FALSE, error);
  virDomainBlockInfo info;
  LodgeDevice *device;

  if (config == NULL)
    return FALSE;

  device = lodge_machine_config_find_disk (config, op->s1);
  if (device == NULL || device->kind != LODGE_DEVICE_KIND_DISK || device->source == NULL)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                   _("The machine has no disk “%s” that can grow"), op->s1);
      return FALSE;
    }

  if (virDomainGetBlockInfo (ctx->dom, op->s1, &info, 0) == 0 && op->number < info.capacity)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("Disks can only grow: shrinking would destroy the data at their end"));
      return FALSE;
    }
  virResetLastError ();

  *outcome = LODGE_EDIT_APPLIED;

  if (ctx->active)
    {
      if (virDomainBlockResize (ctx->dom, op->s1, op->number, VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0)
        {
          lodge_model_set_error_from_virt (error, NULL);
          return FALSE;
        }
      return TRUE;
    }
  else
    {
      virStorageVolPtr vol = NULL;
      int ret;

      if (device->pool != NULL && device->volume != NULL)
        {
          virStoragePoolPtr pool = virStoragePoolLookupByName (virDomainGetConnect (ctx->dom), device->pool);

          if (pool != NULL)
            {
              vol = virStorageVolLookupByName (pool, device->volume);
              virStoragePoolFree (pool);
            }
        }
      else
        vol = virStorageVolLookupByPath (virDomainGetConnect (ctx->dom), device->source);

      if (vol == NULL)
        {
          lodge_model_set_error_from_virt_prefixed (error, _("The disk is not a storage volume libvirt knows"));
          return FALSE;
        }

      ret = virStorageVolResize (vol, op->number, 0);
      virStorageVolFree (vol);
      if (ret < 0)
        {
          lodge_model_set_error_from_virt (error, NULL);
          return FALSE;
        }
      return TRUE;
    }
}

static gboolean
change_media (LodgeEditCtx               *ctx,
              Op                *op,
              LodgeEditOutcome  *outcome,
              GError           **error)
{
  g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, FALSE, error);
  g_autofree char *xml = NULL;
  LodgeDevice *device;
  xmlNode *root;
  xmlDoc *doc;

  if (config == NULL)
    return FALSE;

  device = lodge_machine_config_find_disk (config, op->s1);
  if (device == NULL
      || (device->kind != LODGE_DEVICE_KIND_CDROM && device->kind != LODGE_DEVICE_KIND_FLOPPY))
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                   _("The machine has no CD/DVD drive “%s”"), op->s1);
      return FALSE;
    }

  doc = device_doc (device, error);
  if (doc == NULL)
    return FALSE;

  root = xmlDocGetRootElement (doc);
  lodge_xml_remove_children (root, "source");
  lodge_xml_remove_children (root, "backingStore");
  if (op->s2 != NULL)
    {
      const char *type = path_source_type (op->s2);
      xmlNode *source = xmlNewNode (NULL, (const xmlChar *) "source");
      xmlNode *target = lodge_xml_child (root, "target");

      lodge_xml_set_prop (root, "type", type);
      lodge_xml_set_prop (source, g_str_equal (type, "block") ? "dev" : "file", op->s2);
      /* Keep the usual order: <source> before <target>. */
      if (target != NULL)
        xmlAddPrevSibling (target, source);
      else
        xmlAddChild (root, source);
    }
  xml = lodge_xml_node_to_string (doc, NULL);
  xmlFreeDoc (doc);

  /* FORCE: eject even when the guest has locked the tray. */
  return apply_device (ctx, virDomainUpdateDeviceFlags, xml,
                       op->s2 == NULL ? VIR_DOMAIN_DEVICE_MODIFY_FORCE : 0, outcome, error);
}

/* Network interfaces */

static gboolean
add_interface (LodgeEditCtx               *ctx,
               Op                *op,
               LodgeEditOutcome  *outcome,
               GError           **error)
{
  g_autofree char *source = g_markup_escape_text (op->s2 ? op->s2 : "default", -1);
  g_autofree char *model = g_markup_escape_text (op->s3 ? op->s3 : "virtio", -1);
  g_autofree char *xml = NULL;
  const char *type = op->s1 ? op->s1 : "network";

  if (!g_str_equal (type, "network") && !g_str_equal (type, "bridge"))
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("Unknown network type “%s”"), type);
      return FALSE;
    }

  xml = g_strdup_printf ("<interface type='%s'><source %s='%s'/><model type='%s'/></interface>",
                         type, type, source, model);
  return apply_device (ctx, virDomainAttachDeviceFlags, xml, 0, outcome, error);
}

static LodgeDevice *
find_interface (LodgeMachineConfig  *config,
                const char          *mac,
                GError             **error)
{
  LodgeDevice *device = lodge_machine_config_find_interface (config, mac);

  if (device == NULL)
    g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                 _("The machine has no network interface %s"), mac);
  return device;
}

static gboolean
update_interface (LodgeEditCtx               *ctx,
                  Op                *op,
                  LodgeEditOutcome  *outcome,
                  GError           **error)
{
  g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, FALSE, error);
  g_autofree char *xml = NULL;
  LodgeDevice *device;
  xmlNode *root;
  xmlDoc *doc;

  if (config == NULL || (device = find_interface (config, op->s1, error)) == NULL)
    return FALSE;

  doc = device_doc (device, error);
  if (doc == NULL)
    return FALSE;
  root = xmlDocGetRootElement (doc);

  if (op->kind == OP_NIC_LINK)
    lodge_xml_set_prop (lodge_xml_ensure_child (root, "link"), "state", op->flag ? "up" : "down");
  else
    {
      if (op->s2 != NULL && op->s3 != NULL)
        {
          xmlNode *source;

          if (!g_str_equal (op->s2, "network") && !g_str_equal (op->s2, "bridge"))
            {
              xmlFreeDoc (doc);
              g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("Unknown network type “%s”"), op->s2);
              return FALSE;
            }
          lodge_xml_set_prop (root, "type", op->s2);
          lodge_xml_remove_children (root, "source");
          lodge_xml_remove_children (root, "target");
          source = xmlNewChild (root, NULL, (const xmlChar *) "source", NULL);
          lodge_xml_set_prop (source, op->s2, op->s3);
        }
      if (op->s4 != NULL)
        lodge_xml_set_prop (lodge_xml_ensure_child (root, "model"), "type", op->s4);
    }

  xml = lodge_xml_node_to_string (doc, NULL);
  xmlFreeDoc (doc);
  return apply_device (ctx, virDomainUpdateDeviceFlags, xml, 0, outcome, error);
}

static gboolean
remove_interface (LodgeEditCtx               *ctx,
                  Op                *op,
                  LodgeEditOutcome  *outcome,
                  GError           **error)
{
  g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, FALSE, error);
  LodgeDevice *device;

  if (config == NULL || (device = find_interface (config, op->s1, error)) == NULL)
    return FALSE;
  return remove_device (ctx, device, outcome, error);
}

/* USB host devices */

static char *
usb_host_xml (const char *vendor_id,
              const char *product_id)
{
  g_autofree char *vendor = g_markup_escape_text (vendor_id, -1);
  g_autofree char *product = g_markup_escape_text (product_id, -1);

  return g_strdup_printf ("<hostdev mode='subsystem' type='usb' managed='yes'>"
                          "<source><vendor id='0x%s'/><product id='0x%s'/></source>"
                          "</hostdev>", vendor, product);
}

static gboolean
remove_usb_host (LodgeEditCtx               *ctx,
                 Op                *op,
                 LodgeEditOutcome  *outcome,
                 GError           **error)
{
  g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, FALSE, error);
  g_autoptr(GPtrArray) usb = NULL;

  if (config == NULL)
    return FALSE;

  usb = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_USB_HOST);
  for (guint i = 0; i < usb->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (usb, i);

      if (g_strcmp0 (device->vendor_id, op->s1) == 0 && g_strcmp0 (device->product_id, op->s2) == 0)
        return remove_device (ctx, device, outcome, error);
    }

  g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
               _("The machine does not use USB device %s:%s"), op->s1, op->s2);
  return FALSE;
}

static GPtrArray *
list_host_usb (virConnectPtr   conn,
               GError        **error)
{
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_device_unref);
  virNodeDevicePtr *devices = NULL;
  int n;

  n = virConnectListAllNodeDevices (conn, &devices, VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV);
  if (n < 0)
    {
      lodge_model_set_error_from_virt (error, NULL);
      return NULL;
    }

  for (int i = 0; i < n; i++)
    {
      g_autofree char *xml = virNodeDeviceGetXMLDesc (devices[i], 0);
      g_autofree char *vendor = NULL;
      g_autofree char *product = NULL;
      g_autofree char *vendor_name = NULL;
      g_autofree char *product_name = NULL;
      g_autofree char *bus = NULL;
      g_autofree char *dev = NULL;
      xmlNode *capability = NULL;
      LodgeDevice *device;
      xmlDoc *doc;

      virNodeDeviceFree (devices[i]);
      if (xml == NULL)
        {
          virResetLastError ();
          continue;
        }
      doc = xmlReadMemory (xml, strlen (xml), "nodedev.xml", NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
      if (doc == NULL)
        continue;

      /* <device><capability type='usb_device'><bus/><device/><product id=''>
       * name</product><vendor id=''>name</vendor></capability></device> */
      for (xmlNode *it = xmlDocGetRootElement (doc)->children; it != NULL; it = it->next)
        {
          g_autofree char *type = lodge_xml_prop (it, "type");

          if (it->type == XML_ELEMENT_NODE && g_str_equal ((const char *) it->name, "capability")
              && g_strcmp0 (type, "usb_device") == 0)
            capability = it;
        }
      vendor = lodge_xml_prop (lodge_xml_child (capability, "vendor"), "id");
      product = lodge_xml_prop (lodge_xml_child (capability, "product"), "id");
      vendor_name = lodge_xml_text (lodge_xml_child (capability, "vendor"));
      product_name = lodge_xml_text (lodge_xml_child (capability, "product"));
      bus = lodge_xml_text (lodge_xml_child (capability, "bus"));
      dev = lodge_xml_text (lodge_xml_child (capability, "device"));
      xmlFreeDoc (doc);

      /* Root hubs belong to the host. */
      if (vendor == NULL || product == NULL || g_ascii_strcasecmp (vendor, "0x1d6b") == 0)
        continue;

      device = g_new0 (LodgeDevice, 1);
      g_atomic_ref_count_init (&device->ref_count);
      device->kind = LODGE_DEVICE_KIND_USB_HOST;
      device->element = g_strdup ("hostdev");
      device->vendor_id = g_ascii_strdown (g_str_has_prefix (vendor, "0x") ? vendor + 2 : vendor, -1);
      device->product_id = g_ascii_strdown (g_str_has_prefix (product, "0x") ? product + 2 : product, -1);
      device->usb_bus = bus ? g_ascii_strtoull (bus, NULL, 10) : 0;
      device->usb_device = dev ? g_ascii_strtoull (dev, NULL, 10) : 0;
      device->xml = usb_host_xml (device->vendor_id, device->product_id);
      if (vendor_name != NULL)
        g_strstrip (vendor_name);
      if (product_name != NULL)
        g_strstrip (product_name);
      device->summary = g_strdup_printf ("%s %s",
                                         vendor_name && *vendor_name ? vendor_name : device->vendor_id,
                                         product_name && *product_name ? product_name : device->product_id);
      g_ptr_array_add (ret, device);
    }
  free (devices);

  return g_steal_pointer (&ret);
}

/* Edit XML */

static guint
line_of_element (const char *xml,
                 const char *name)
{
  g_autofree char *needle = g_strdup_printf ("<%s", name);
  const char *at = xml;
  guint line = 1;

  /* The first start tag of that name (not a prefix of a longer name). */
  while ((at = strstr (at, needle)) != NULL)
    {
      char next = at[strlen (needle)];

      if (next == ' ' || next == '>' || next == '/' || next == '\t' || next == '\n' || next == '\r')
        break;
      at++;
    }
  if (at == NULL)
    return 0;

  for (const char *p = xml; p < at; p++)
    if (*p == '\n')
      line++;
  return line;
}

/* The line libvirt's message names: "…:LINE: …" or "line LINE" from the
 * XML parser; else the first element a schema or definition error names. */
static guint
error_line_from_message (const char *xml,
                         const char *message)
{
  g_autoptr(GRegex) number = g_regex_new ("(?::(\\d+):|[Ll]ine (\\d+))", 0, 0, NULL);
  g_autoptr(GRegex) element = g_regex_new ("[Ee]lement[s]? '?<?([A-Za-z][A-Za-z0-9_:-]*)'?", 0, 0, NULL);
  g_autoptr(GMatchInfo) info = NULL;

  if (message == NULL)
    return 0;

  if (g_regex_match (number, message, 0, &info))
    {
      g_autofree char *a = g_match_info_fetch (info, 1);
      g_autofree char *b = g_match_info_fetch (info, 2);
      const char *digits = (a && *a) ? a : b;

      return (guint) g_ascii_strtoull (digits, NULL, 10);
    }
  g_clear_pointer (&info, g_match_info_free);

  if (g_regex_match (element, message, 0, &info))
    {
      do
        {
          g_autofree char *name = g_match_info_fetch (info, 1);
          guint line;

          if (g_strcmp0 (name, "domain") == 0)
            continue;
          line = line_of_element (xml, name);
          if (line > 0)
            return line;
        }
      while (g_match_info_next (info, NULL));
    }
  return 0;
}

static gboolean
define_xml (Op      *op,
            GError **error)
{
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GError) parse_error = NULL;
  xmlDoc *doc;
  virDomainPtr dom;

  /* Check well-formedness here to name the line, and the UUID: a different
   * one would define a second machine instead of changing this one. */
  /* libvirt's own libxml2 use on this thread may have left an error. */
  xmlResetLastError ();
  doc = xmlReadMemory (op->s1, strlen (op->s1), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      const xmlError *xerr = xmlGetLastError ();
      g_autofree char *message = xerr && xerr->message ? g_strstrip (g_strdup (xerr->message)) : NULL;

      op->error_line = xerr ? MAX (xerr->line, 0) : 0;
      if (message != NULL)
        g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT, message);
      else
        g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                             _("The definition is not well-formed XML"));
      return FALSE;
    }
  xmlFreeDoc (doc);

  config = lodge_machine_config_new_from_xml (op->s1, &parse_error);
  if (config == NULL)
    {
      op->error_line = 1;
      g_propagate_error (error, g_steal_pointer (&parse_error));
      return FALSE;
    }
  if (g_ascii_strcasecmp (lodge_machine_config_get_uuid (config) ? lodge_machine_config_get_uuid (config) : "",
                          op->base.uuid) != 0)
    {
      op->error_line = line_of_element (op->s1, "uuid");
      if (op->error_line == 0)
        op->error_line = line_of_element (op->s1, "domain");
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("The definition must keep the machine’s UUID %s"), op->base.uuid);
      return FALSE;
    }

  dom = virDomainDefineXMLFlags (op->base.conn, op->s1, VIR_DOMAIN_DEFINE_VALIDATE);
  if (dom == NULL)
    {
      op->error_line = error_line_from_message (op->s1, virGetLastErrorMessage ());
      lodge_model_set_error_from_virt (error, NULL);
      return FALSE;
    }
  virDomainFree (dom);
  return TRUE;
}

/* Troubleshooting and overview */

/* QEMU's files (logs, pid files) are this computer's when its driver is
 * reached through a local socket. */
static gboolean
uri_has_local_qemu_files (LodgeUri *uri)
{
  return uri != NULL && g_str_equal (lodge_uri_get_driver (uri), "qemu") && !lodge_uri_is_remote (uri);
}

static char *
read_log (Op      *op,
          GError **error)
{
  g_autoptr(LodgeUri) uri = lodge_virt_connect_get_uri (op->base.conn);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  virDomainPtr dom;
  const char *name;
  gsize length = 0;

  if (!uri_has_local_qemu_files (uri))
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                           _("The log is only available for machines on this computer"));
      return NULL;
    }

  dom = lodge_details_lookup_domain (op->base.conn, op->base.uuid, error);
  if (dom == NULL)
    return NULL;
  name = virDomainGetName (dom);

  if (lodge_uri_is_session (uri))
    path = g_build_filename (g_get_user_cache_dir (), "libvirt", "qemu", "log", name, NULL);
  else
    path = g_build_filename ("/var/log/libvirt/qemu", name, NULL);
  virDomainFree (dom);

  {
    g_autofree char *with_ext = g_strconcat (path, ".log", NULL);

    if (!g_file_get_contents (with_ext, &contents, &length, error))
      return NULL;
  }

  if (op->number > 0 && length > op->number)
    {
      const char *start = contents + length - op->number;
      const char *newline = strchr (start, '\n');

      return g_strdup (newline ? newline + 1 : start);
    }
  return g_steal_pointer (&contents);
}

static void
add_addresses (GPtrArray              *out,
               virDomainInterfacePtr  *ifaces,
               int                     n)
{
  for (int i = 0; i < n; i++)
    {
      for (guint j = 0; j < ifaces[i]->naddrs; j++)
        {
          virDomainIPAddressPtr addr = &ifaces[i]->addrs[j];

          /* Loopback and link-local addresses say nothing to users. */
          if (g_str_has_prefix (addr->addr, "127.") || g_str_equal (addr->addr, "::1")
              || g_str_has_prefix (addr->addr, "fe80:"))
            continue;
          g_ptr_array_add (out, g_strdup_printf ("%s/%u (%s)", addr->addr, addr->prefix,
                                                 ifaces[i]->name ? ifaces[i]->name : "?"));
        }
      virDomainInterfaceFree (ifaces[i]);
    }
}

static GStrv
get_addresses (Op      *op,
               GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  virDomainInterfacePtr *ifaces = NULL;
  virDomainPtr dom;
  int n;

  dom = lodge_details_lookup_domain (op->base.conn, op->base.uuid, error);
  if (dom == NULL)
    return NULL;

  if (virDomainIsActive (dom) == 1)
    {
      n = virDomainInterfaceAddresses (dom, &ifaces, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0);
      if (n < 0)
        {
          virResetLastError ();
          n = virDomainInterfaceAddresses (dom, &ifaces, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0);
        }
      if (n > 0)
        add_addresses (out, ifaces, n);
      free (ifaces);
      virResetLastError ();
    }
  virDomainFree (dom);

  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static gint64
get_start_time (Op *op)
{
  g_autoptr(LodgeUri) uri = lodge_virt_connect_get_uri (op->base.conn);
  g_autofree char *path = NULL;
  virDomainPtr dom;
  GStatBuf st;
  gint64 ret = 0;

  if (!uri_has_local_qemu_files (uri))
    return 0;

  dom = virDomainLookupByUUIDString (op->base.conn, op->base.uuid);
  if (dom == NULL)
    {
      virResetLastError ();
      return 0;
    }

  /* libvirt writes the pid file when QEMU starts. */
  if (virDomainIsActive (dom) == 1)
    {
      g_autofree char *file = g_strconcat (virDomainGetName (dom), ".pid", NULL);

      if (lodge_uri_is_session (uri))
        path = g_build_filename (g_get_user_runtime_dir (), "libvirt", "qemu", "run", file, NULL);
      else
        path = g_build_filename ("/run/libvirt/qemu", file, NULL);
      if (g_stat (path, &st) == 0)
        ret = st.st_mtime;
    }
  virDomainFree (dom);
  return ret;
}

void
lodge_disk_usage_free (LodgeDiskUsage *usage)
{
  if (usage == NULL)
    return;
  g_free (usage->target);
  g_free (usage);
}

static GPtrArray *
get_disk_usage (LodgeEditCtx     *ctx,
                GError **error)
{
  g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (ctx, FALSE, error);
  GPtrArray *ret;
  GPtrArray *devices;

  if (config == NULL)
    return NULL;

  ret = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_disk_usage_free);
  devices = lodge_machine_config_get_devices (config);
  for (guint i = 0; i < devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (devices, i);
      virDomainBlockInfo info;
      LodgeDiskUsage *usage;

      if (device->target == NULL || device->source == NULL
          || (device->kind != LODGE_DEVICE_KIND_DISK && device->kind != LODGE_DEVICE_KIND_CDROM
              && device->kind != LODGE_DEVICE_KIND_FLOPPY))
        continue;

      /* A missing file or a network disk has no figures: skip it. */
      if (virDomainGetBlockInfo (ctx->dom, device->target, &info, 0) < 0)
        {
          virResetLastError ();
          continue;
        }
      usage = g_new0 (LodgeDiskUsage, 1);
      usage->target = g_strdup (device->target);
      usage->capacity = info.capacity;
      usage->allocation = info.allocation;
      usage->physical = info.physical;
      g_ptr_array_add (ret, usage);
    }
  return ret;
}

static void
editor_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GError) error = NULL;
  LodgeEditOutcome outcome = LODGE_EDIT_APPLIED;
  LodgeEditCtx ctx = { 0 };
  gboolean ok = FALSE;

  /* Operations that need no domain handle first. */
  switch (op->kind)
    {
    case OP_LIST_USB:
      {
        GPtrArray *list = list_host_usb (op->base.conn, &error);

        if (list == NULL)
          g_task_return_error (task, g_steal_pointer (&error));
        else
          g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
        return;
      }
    case OP_DEFINE:
      if (define_xml (op, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    case OP_LOG:
      {
        char *log = read_log (op, &error);

        if (log == NULL)
          g_task_return_error (task, g_steal_pointer (&error));
        else
          g_task_return_pointer (task, log, g_free);
        return;
      }
    case OP_ADDRESSES:
      {
        GStrv addresses = get_addresses (op, &error);

        if (addresses == NULL)
          g_task_return_error (task, g_steal_pointer (&error));
        else
          g_task_return_pointer (task, addresses, (GDestroyNotify) g_strfreev);
        return;
      }
    case OP_START_TIME:
      g_task_return_int (task, get_start_time (op));
      return;
    default:
      break;
    }

  if (!lodge_edit_ctx_open (&ctx, &op->base, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (op->kind)
    {
    case OP_LOAD:
      {
        g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (&ctx, op->flag, &error);
        int autostart = 0;

        if (config != NULL)
          {
            if (ctx.persistent && virDomainGetAutostart (ctx.dom, &autostart) == 0)
              lodge_machine_config_set_autostart (config, autostart != 0);
            virResetLastError ();
            g_task_return_pointer (task, g_steal_pointer (&config), g_object_unref);
          }
        else
          g_task_return_error (task, g_steal_pointer (&error));
        virDomainFree (ctx.dom);
        return;
      }

    case OP_DISK_USAGE:
      {
        GPtrArray *usage = get_disk_usage (&ctx, &error);

        if (usage != NULL)
          g_task_return_pointer (task, usage, (GDestroyNotify) g_ptr_array_unref);
        else
          g_task_return_error (task, g_steal_pointer (&error));
        virDomainFree (ctx.dom);
        return;
      }

    case OP_MEMORY:
      ok = set_memory (&ctx, op->number, &outcome, &error);
      break;

    case OP_VCPUS:
      ok = set_vcpus (&ctx, (guint) op->number, &outcome, &error);
      break;

    case OP_AUTOSTART:
      ok = virDomainSetAutostart (ctx.dom, op->flag ? 1 : 0) == 0;
      if (!ok)
        lodge_model_set_error_from_virt (&error, NULL);
      break;

    case OP_DESCRIPTION:
      ok = virDomainSetMetadata (ctx.dom, VIR_DOMAIN_METADATA_DESCRIPTION,
                                 op->s1 && *op->s1 ? op->s1 : NULL, NULL, NULL,
                                 lodge_edit_ctx_affect_flags (&ctx)) == 0;
      if (!ok)
        lodge_model_set_error_from_virt (&error, NULL);
      break;

    case OP_BOOT_ORDER:
      ok = lodge_edit_ctx_edit_definition (&ctx, op, edit_boot_order, &outcome, &error);
      break;

    case OP_GRAPHICS:
      ok = lodge_edit_ctx_edit_definition (&ctx, op, edit_graphics, &outcome, &error);
      break;

    case OP_SOUND:
      ok = lodge_edit_ctx_edit_definition (&ctx, op, edit_sound, &outcome, &error);
      break;

    case OP_ADD_DISK:
      ok = add_disk (&ctx, op, &outcome, &error);
      break;

    case OP_REMOVE_DISK:
      ok = remove_disk (&ctx, op, &outcome, &error);
      break;

    case OP_RESIZE_DISK:
      ok = resize_disk (&ctx, op, &outcome, &error);
      break;

    case OP_MEDIA:
      ok = change_media (&ctx, op, &outcome, &error);
      break;

    case OP_ADD_NIC:
      ok = add_interface (&ctx, op, &outcome, &error);
      break;

    case OP_REMOVE_NIC:
      ok = remove_interface (&ctx, op, &outcome, &error);
      break;

    case OP_NIC_LINK:
    case OP_NIC_SOURCE:
      ok = update_interface (&ctx, op, &outcome, &error);
      break;

    case OP_ADD_USB:
      {
        g_autofree char *xml = usb_host_xml (op->s1, op->s2);

        ok = apply_device (&ctx, virDomainAttachDeviceFlags, xml, 0, &outcome, &error);
      }
      break;

    case OP_REMOVE_USB:
      ok = remove_usb_host (&ctx, op, &outcome, &error);
      break;

    case OP_LIST_USB:
    case OP_DEFINE:
    case OP_LOG:
    case OP_ADDRESSES:
    case OP_START_TIME:
    default:
      g_assert_not_reached ();
    }

  virDomainFree (ctx.dom);
  op->base.outcome = outcome;

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static Op *
op_new (OpKind kind)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  return op;
}

static void
run_op (LodgeMachineEditor  *self,
        Op                  *op,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  lodge_machine_editor_run (self, op, (GDestroyNotify) op_free, source_tag, editor_thread,
                            cancellable, callback, user_data);
}

static void
lodge_machine_editor_finalize (GObject *object)
{
  LodgeMachineEditor *self = (LodgeMachineEditor *) object;

  lodge_domain_target_clear (&self->target);

  G_OBJECT_CLASS (lodge_machine_editor_parent_class)->finalize (object);
}

static void
lodge_machine_editor_class_init (LodgeMachineEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lodge_machine_editor_finalize;
}

static void
lodge_machine_editor_init (LodgeMachineEditor *self)
{
}

LodgeMachineEditor *
lodge_machine_editor_new (LodgeMachine *machine)
{
  LodgeMachineEditor *self;

  g_return_val_if_fail (LODGE_IS_MACHINE (machine), NULL);

  self = g_object_new (LODGE_TYPE_MACHINE_EDITOR, NULL);
  lodge_domain_target_init_machine (&self->target, machine);
  return self;
}

LodgeMachineEditor *
lodge_machine_editor_new_for_virconnect (virConnectPtr  conn,
                                         const char    *uuid)
{
  LodgeMachineEditor *self;

  g_return_val_if_fail (conn != NULL, NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  self = g_object_new (LODGE_TYPE_MACHINE_EDITOR, NULL);
  lodge_domain_target_init_conn (&self->target, conn, uuid);
  return self;
}

LodgeMachine *
lodge_machine_editor_get_machine (LodgeMachineEditor *self)
{
  return self->target.machine;
}

const char *
lodge_machine_editor_get_uuid (LodgeMachineEditor *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_EDITOR (self), NULL);
  return self->target.uuid;
}

void
lodge_machine_editor_load_async (LodgeMachineEditor  *self,
                                 gboolean             inactive,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  Op *op;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));

  op = op_new (OP_LOAD);
  op->flag = inactive;
  run_op (self, op, lodge_machine_editor_load_async, cancellable, callback, user_data);
}

LodgeMachineConfig *
lodge_machine_editor_load_finish (LodgeMachineEditor  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
lodge_machine_editor_edit_finish (LodgeMachineEditor  *self,
                                  GAsyncResult        *result,
                                  LodgeEditOutcome    *outcome,
                                  GError             **error)
{
  LodgeEditTask *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  /* Every edit's task data starts with a LodgeEditTask. */
  data = g_task_get_task_data (G_TASK (result));
  if (outcome != NULL)
    *outcome = data->outcome;
  return g_task_propagate_boolean (G_TASK (result), error);
}

#define EDIT_PRELUDE(kind_)                                     \
  Op *op;                                                       \
  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));            \
  op = op_new (kind_)

#define EDIT_RUN(fn)                                            \
  run_op (self, op, fn, cancellable, callback, user_data)

void
lodge_machine_editor_set_memory_async (LodgeMachineEditor  *self,
                                       guint64              bytes,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  EDIT_PRELUDE (OP_MEMORY);
  op->number = bytes;
  EDIT_RUN (lodge_machine_editor_set_memory_async);
}

void
lodge_machine_editor_set_vcpus_async (LodgeMachineEditor  *self,
                                      guint                vcpus,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  EDIT_PRELUDE (OP_VCPUS);
  op->number = vcpus;
  EDIT_RUN (lodge_machine_editor_set_vcpus_async);
}

void
lodge_machine_editor_set_autostart_async (LodgeMachineEditor  *self,
                                          gboolean             autostart,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  EDIT_PRELUDE (OP_AUTOSTART);
  op->flag = autostart;
  EDIT_RUN (lodge_machine_editor_set_autostart_async);
}

void
lodge_machine_editor_set_description_async (LodgeMachineEditor  *self,
                                            const char          *description,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  EDIT_PRELUDE (OP_DESCRIPTION);
  op->s1 = g_strdup (description);
  EDIT_RUN (lodge_machine_editor_set_description_async);
}

void
lodge_machine_editor_set_boot_order_async (LodgeMachineEditor  *self,
                                           const char * const  *order,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  EDIT_PRELUDE (OP_BOOT_ORDER);
  g_return_if_fail (order != NULL);
  op->strv = g_strdupv ((char **) order);
  EDIT_RUN (lodge_machine_editor_set_boot_order_async);
}

void
lodge_machine_editor_add_disk_async (LodgeMachineEditor  *self,
                                     LodgeDeviceKind      kind,
                                     const char          *path,
                                     guint64              new_capacity,
                                     const char          *pool,
                                     const char          *bus,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  EDIT_PRELUDE (OP_ADD_DISK);
  g_return_if_fail (kind == LODGE_DEVICE_KIND_DISK || kind == LODGE_DEVICE_KIND_CDROM);
  g_return_if_fail (path != NULL || kind == LODGE_DEVICE_KIND_CDROM || new_capacity > 0);
  op->device_kind = kind;
  op->s1 = g_strdup (path);
  op->number = new_capacity;
  op->s2 = g_strdup (pool);
  op->s3 = g_strdup (bus);
  EDIT_RUN (lodge_machine_editor_add_disk_async);
}

void
lodge_machine_editor_remove_disk_async (LodgeMachineEditor  *self,
                                        const char          *target,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  EDIT_PRELUDE (OP_REMOVE_DISK);
  g_return_if_fail (target != NULL);
  op->s1 = g_strdup (target);
  EDIT_RUN (lodge_machine_editor_remove_disk_async);
}

void
lodge_machine_editor_resize_disk_async (LodgeMachineEditor  *self,
                                        const char          *target,
                                        guint64              bytes,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  EDIT_PRELUDE (OP_RESIZE_DISK);
  g_return_if_fail (target != NULL);
  op->s1 = g_strdup (target);
  op->number = bytes;
  EDIT_RUN (lodge_machine_editor_resize_disk_async);
}

void
lodge_machine_editor_change_media_async (LodgeMachineEditor  *self,
                                         const char          *target,
                                         const char          *path,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  EDIT_PRELUDE (OP_MEDIA);
  g_return_if_fail (target != NULL);
  op->s1 = g_strdup (target);
  op->s2 = g_strdup (path);
  EDIT_RUN (lodge_machine_editor_change_media_async);
}

void
lodge_machine_editor_add_interface_async (LodgeMachineEditor  *self,
                                          const char          *net_type,
                                          const char          *source,
                                          const char          *model,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  EDIT_PRELUDE (OP_ADD_NIC);
  op->s1 = g_strdup (net_type);
  op->s2 = g_strdup (source);
  op->s3 = g_strdup (model);
  EDIT_RUN (lodge_machine_editor_add_interface_async);
}

void
lodge_machine_editor_remove_interface_async (LodgeMachineEditor  *self,
                                             const char          *mac,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  EDIT_PRELUDE (OP_REMOVE_NIC);
  g_return_if_fail (mac != NULL);
  op->s1 = g_strdup (mac);
  EDIT_RUN (lodge_machine_editor_remove_interface_async);
}

void
lodge_machine_editor_set_interface_link_async (LodgeMachineEditor  *self,
                                               const char          *mac,
                                               gboolean             up,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  EDIT_PRELUDE (OP_NIC_LINK);
  g_return_if_fail (mac != NULL);
  op->s1 = g_strdup (mac);
  op->flag = up;
  EDIT_RUN (lodge_machine_editor_set_interface_link_async);
}

void
lodge_machine_editor_set_interface_source_async (LodgeMachineEditor  *self,
                                                 const char          *mac,
                                                 const char          *net_type,
                                                 const char          *source,
                                                 const char          *model,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  EDIT_PRELUDE (OP_NIC_SOURCE);
  g_return_if_fail (mac != NULL);
  op->s1 = g_strdup (mac);
  op->s2 = g_strdup (net_type);
  op->s3 = g_strdup (source);
  op->s4 = g_strdup (model);
  EDIT_RUN (lodge_machine_editor_set_interface_source_async);
}

void
lodge_machine_editor_set_graphics_async (LodgeMachineEditor  *self,
                                         const char          *type,
                                         gboolean             gl,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  EDIT_PRELUDE (OP_GRAPHICS);
  g_return_if_fail (type != NULL);
  op->s1 = g_strdup (type);
  op->flag = gl;
  EDIT_RUN (lodge_machine_editor_set_graphics_async);
}

void
lodge_machine_editor_set_sound_async (LodgeMachineEditor  *self,
                                      const char          *model,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  EDIT_PRELUDE (OP_SOUND);
  op->s1 = g_strdup (model);
  EDIT_RUN (lodge_machine_editor_set_sound_async);
}

void
lodge_machine_editor_add_usb_host_async (LodgeMachineEditor  *self,
                                         const char          *vendor_id,
                                         const char          *product_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  EDIT_PRELUDE (OP_ADD_USB);
  g_return_if_fail (vendor_id != NULL && product_id != NULL);
  op->s1 = g_ascii_strdown (vendor_id, -1);
  op->s2 = g_ascii_strdown (product_id, -1);
  EDIT_RUN (lodge_machine_editor_add_usb_host_async);
}

void
lodge_machine_editor_remove_usb_host_async (LodgeMachineEditor  *self,
                                            const char          *vendor_id,
                                            const char          *product_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  EDIT_PRELUDE (OP_REMOVE_USB);
  g_return_if_fail (vendor_id != NULL && product_id != NULL);
  op->s1 = g_ascii_strdown (vendor_id, -1);
  op->s2 = g_ascii_strdown (product_id, -1);
  EDIT_RUN (lodge_machine_editor_remove_usb_host_async);
}

void
lodge_machine_editor_list_host_usb_async (LodgeMachineEditor  *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  EDIT_PRELUDE (OP_LIST_USB);
  EDIT_RUN (lodge_machine_editor_list_host_usb_async);
}

GPtrArray *
lodge_machine_editor_list_host_usb_finish (LodgeMachineEditor  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lodge_machine_editor_define_xml_async (LodgeMachineEditor  *self,
                                       const char          *xml,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  EDIT_PRELUDE (OP_DEFINE);
  g_return_if_fail (xml != NULL);
  op->s1 = g_strdup (xml);
  EDIT_RUN (lodge_machine_editor_define_xml_async);
}

gboolean
lodge_machine_editor_define_xml_finish (LodgeMachineEditor  *self,
                                        GAsyncResult        *result,
                                        guint               *error_line,
                                        GError             **error)
{
  Op *op;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (error_line != NULL)
    *error_line = op->error_line;
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_machine_editor_read_log_async (LodgeMachineEditor  *self,
                                     gsize                max_bytes,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  EDIT_PRELUDE (OP_LOG);
  op->number = max_bytes;
  EDIT_RUN (lodge_machine_editor_read_log_async);
}

char *
lodge_machine_editor_read_log_finish (LodgeMachineEditor  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lodge_machine_editor_get_addresses_async (LodgeMachineEditor  *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  EDIT_PRELUDE (OP_ADDRESSES);
  EDIT_RUN (lodge_machine_editor_get_addresses_async);
}

GStrv
lodge_machine_editor_get_addresses_finish (LodgeMachineEditor  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lodge_machine_editor_get_start_time_async (LodgeMachineEditor  *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  EDIT_PRELUDE (OP_START_TIME);
  EDIT_RUN (lodge_machine_editor_get_start_time_async);
}

gint64
lodge_machine_editor_get_start_time_finish (LodgeMachineEditor  *self,
                                            GAsyncResult        *result,
                                            GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

void
lodge_machine_editor_get_disk_usage_async (LodgeMachineEditor  *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  EDIT_PRELUDE (OP_DISK_USAGE);
  EDIT_RUN (lodge_machine_editor_get_disk_usage_async);
}

GPtrArray *
lodge_machine_editor_get_disk_usage_finish (LodgeMachineEditor  *self,
                                            GAsyncResult        *result,
                                            GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
