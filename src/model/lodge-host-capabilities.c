/* lodge-host-capabilities.c: what a host is and offers, read once
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-host-capabilities"

#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "model/lodge-host-capabilities.h"
#include "model/lodge-model-private.h"

struct _LodgeHostCapabilities
{
  gatomicrefcount          ref;
  char                    *hostname;
  char                    *arch;
  char                    *cpu_model;
  guint64                  memory;
  guint                    cpus;
  gboolean                 has_domcaps;
  LodgeDomainCapabilities *kvm;
  LodgeDomainCapabilities *qemu;
  char                    *default_network;

  /* Other (arch, machine, virt type) triples asked for later, read once
   * each: "arch/machine/type" → LodgeDomainCapabilities (NULL stored as a
   * miss). Any thread. */
  GMutex                   lock;
  GHashTable              *more;
};

G_DEFINE_BOXED_TYPE (LodgeHostCapabilities, lodge_host_capabilities,
                     lodge_host_capabilities_ref, lodge_host_capabilities_unref)

/* Domain capabilities ---------------------------------------------------- */

static char *
xpath_string (xmlXPathContextPtr  ctx,
              const char         *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  char *ret = NULL;

  if (obj != NULL && obj->type == XPATH_STRING && obj->stringval != NULL && *obj->stringval != '\0')
    ret = g_strdup ((const char *) obj->stringval);
  xmlXPathFreeObject (obj);
  return ret;
}

static gboolean
xpath_true (xmlXPathContextPtr  ctx,
            const char         *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  gboolean ret = obj != NULL && obj->type == XPATH_BOOLEAN && obj->boolval;

  xmlXPathFreeObject (obj);
  return ret;
}

LodgeDomainCapabilities *
lodge_domain_capabilities_parse (const char  *xml,
                                 GError     **error)
{
  g_autoptr(LodgeDomainCapabilities) caps = NULL;
  xmlDocPtr doc;
  xmlXPathContextPtr ctx;

  g_return_val_if_fail (xml != NULL, NULL);

  doc = xmlReadMemory (xml, strlen (xml), "domcaps.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL || xmlDocGetRootElement (doc) == NULL ||
      !xmlStrEqual (xmlDocGetRootElement (doc)->name, (const xmlChar *) "domainCapabilities"))
    {
      if (doc != NULL)
        xmlFreeDoc (doc);
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("The host described its domain capabilities in a form Lodge cannot read"));
      return NULL;
    }

  ctx = xmlXPathNewContext (doc);
  caps = g_new0 (LodgeDomainCapabilities, 1);
  caps->domain_type = xpath_string (ctx, "string(/domainCapabilities/domain)");
  caps->emulator = xpath_string (ctx, "string(/domainCapabilities/path)");
  caps->arch = xpath_string (ctx, "string(/domainCapabilities/arch)");
  caps->machine = xpath_string (ctx, "string(/domainCapabilities/machine)");
  caps->uefi = xpath_true (ctx, "boolean(/domainCapabilities/os[@supported='yes']"
                                "/enum[@name='firmware']/value[text()='efi'])");
  caps->secure_boot = xpath_true (ctx, "boolean(/domainCapabilities/os[@supported='yes']"
                                       "/loader/enum[@name='secure']/value[text()='yes'])");
  caps->tpm = xpath_true (ctx, "boolean(/domainCapabilities/devices/tpm[@supported='yes']"
                               "/enum[@name='backendModel']/value[text()='emulator'])");
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);

  return g_steal_pointer (&caps);
}

void
lodge_domain_capabilities_free (LodgeDomainCapabilities *caps)
{
  if (caps == NULL)
    return;
  g_free (caps->domain_type);
  g_free (caps->emulator);
  g_free (caps->arch);
  g_free (caps->machine);
  g_free (caps);
}

/* Host capabilities ------------------------------------------------------ */

static LodgeHostCapabilities *
host_capabilities_new (void)
{
  LodgeHostCapabilities *self = g_new0 (LodgeHostCapabilities, 1);

  g_atomic_ref_count_init (&self->ref);
  g_mutex_init (&self->lock);
  self->more = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) lodge_domain_capabilities_free);
  return self;
}

LodgeHostCapabilities *
lodge_host_capabilities_ref (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lodge_host_capabilities_unref (LodgeHostCapabilities *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_free (self->hostname);
  g_free (self->arch);
  g_free (self->cpu_model);
  lodge_domain_capabilities_free (self->kvm);
  lodge_domain_capabilities_free (self->qemu);
  g_free (self->default_network);
  g_hash_table_unref (self->more);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* A KVM answer is KVM's only when the hypervisor says so (some drivers
 * answer any virt type with their own). */
static void
set_domcaps (LodgeHostCapabilities *self,
             const char            *kvm_xml,
             const char            *qemu_xml)
{
  if (kvm_xml != NULL)
    {
      self->has_domcaps = TRUE;
      self->kvm = lodge_domain_capabilities_parse (kvm_xml, NULL);
      if (self->kvm != NULL && g_strcmp0 (self->kvm->domain_type, "kvm") != 0)
        g_clear_pointer (&self->kvm, lodge_domain_capabilities_free);
    }
  if (qemu_xml != NULL)
    {
      self->has_domcaps = TRUE;
      self->qemu = lodge_domain_capabilities_parse (qemu_xml, NULL);
    }
}

LodgeHostCapabilities *
lodge_host_capabilities_new_for_test (const char *hostname,
                                      const char *arch,
                                      guint64     memory,
                                      guint       cpus,
                                      const char *kvm_domcaps_xml,
                                      const char *qemu_domcaps_xml)
{
  LodgeHostCapabilities *self = host_capabilities_new ();

  self->hostname = g_strdup (hostname);
  self->arch = g_strdup (arch != NULL ? arch : "x86_64");
  self->memory = memory;
  self->cpus = cpus;
  set_domcaps (self, kvm_domcaps_xml, qemu_domcaps_xml);
  return self;
}

static char *
capabilities_host_field (const char *caps_xml,
                         const char *expr)
{
  xmlDocPtr doc;
  xmlXPathContextPtr ctx;
  char *value;

  if (caps_xml == NULL)
    return NULL;
  doc = xmlReadMemory (caps_xml, strlen (caps_xml), "caps.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    return NULL;
  ctx = xmlXPathNewContext (doc);
  value = xpath_string (ctx, expr);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return value;
}

static char *
read_domcaps_xml (virConnectPtr  conn,
                  const char    *arch,
                  const char    *machine,
                  const char    *virttype)
{
  char *xml = virConnectGetDomainCapabilities (conn, NULL, arch, machine, virttype, 0);

  if (xml == NULL)
    {
      g_debug ("No domain capabilities for %s/%s/%s: %s", arch, machine, virttype,
               virGetLastErrorMessage ());
      virResetLastError ();
    }
  return xml;
}

LodgeHostCapabilities *
lodge_host_capabilities_read (virConnectPtr   conn,
                              GError        **error)
{
  g_autoptr(LodgeHostCapabilities) self = host_capabilities_new ();
  g_autofree char *caps_xml = NULL;
  g_autofree char *kvm = NULL;
  g_autofree char *qemu = NULL;
  virNodeInfo node;
  char *hostname;

  g_return_val_if_fail (conn != NULL, NULL);

  if (virNodeGetInfo (conn, &node) == 0)
    {
      self->memory = (guint64) node.memory * 1024;
      self->cpus = node.cpus;
    }
  else if (virConnectIsAlive (conn) != 1)
    {
      lodge_model_set_error_from_virt (error, _("The host stopped answering"));
      return NULL;
    }
  virResetLastError ();

  hostname = virConnectGetHostname (conn);
  self->hostname = g_strdup (hostname);
  free (hostname);
  virResetLastError ();

  caps_xml = virConnectGetCapabilities (conn);
  virResetLastError ();
  self->arch = capabilities_host_field (caps_xml, "string(/capabilities/host/cpu/arch)");
  if (self->arch == NULL)
    self->arch = g_strdup ("x86_64");
  self->cpu_model = capabilities_host_field (caps_xml, "string(/capabilities/host/cpu/model)");

  kvm = read_domcaps_xml (conn, self->arch, "q35", "kvm");
  qemu = read_domcaps_xml (conn, self->arch, "q35", "qemu");
  set_domcaps (self, kvm, qemu);

  /* libvirt's "default" network, when it is up (NAT for new machines). */
  {
    virNetworkPtr net = virNetworkLookupByName (conn, "default");

    if (net != NULL)
      {
        if (virNetworkIsActive (net) == 1)
          self->default_network = g_strdup ("default");
        virNetworkFree (net);
      }
    virResetLastError ();
  }

  return g_steal_pointer (&self);
}

const LodgeDomainCapabilities *
lodge_host_capabilities_lookup_domain (LodgeHostCapabilities *self,
                                       virConnectPtr          conn,
                                       const char            *arch,
                                       const char            *machine,
                                       const char            *virttype)
{
  g_autofree char *key = NULL;
  g_autofree char *xml = NULL;
  LodgeDomainCapabilities *caps;
  gpointer value;

  g_return_val_if_fail (self != NULL, NULL);

  if (!self->has_domcaps)
    return NULL;
  if (arch == NULL)
    arch = self->arch;
  if (virttype == NULL)
    virttype = "kvm";

  /* The two read at connect time answer most questions. */
  if (g_strcmp0 (arch, self->arch) == 0 && (machine == NULL || g_str_has_prefix (machine, "q35") ||
                                            g_str_has_prefix (machine, "pc-q35")))
    {
      if (g_str_equal (virttype, "kvm"))
        return self->kvm;
      if (g_str_equal (virttype, "qemu"))
        return self->qemu;
    }

  key = g_strdup_printf ("%s/%s/%s", arch, machine != NULL ? machine : "", virttype);
  g_mutex_lock (&self->lock);
  if (g_hash_table_lookup_extended (self->more, key, NULL, &value))
    {
      g_mutex_unlock (&self->lock);
      return value;
    }
  g_mutex_unlock (&self->lock);

  xml = conn != NULL ? read_domcaps_xml (conn, arch, machine, virttype) : NULL;
  caps = xml != NULL ? lodge_domain_capabilities_parse (xml, NULL) : NULL;

  g_mutex_lock (&self->lock);
  /* Two workers may have asked at once: keep the first answer. */
  if (g_hash_table_lookup_extended (self->more, key, NULL, &value))
    {
      lodge_domain_capabilities_free (caps);
      caps = value;
    }
  else
    g_hash_table_insert (self->more, g_steal_pointer (&key), caps);
  g_mutex_unlock (&self->lock);

  return caps;
}

const char *
lodge_host_capabilities_get_hostname (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->hostname;
}

const char *
lodge_host_capabilities_get_arch (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->arch;
}

const char *
lodge_host_capabilities_get_cpu_model (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cpu_model;
}

guint64
lodge_host_capabilities_get_memory (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->memory;
}

guint
lodge_host_capabilities_get_cpus (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->cpus;
}

const LodgeDomainCapabilities *
lodge_host_capabilities_get_kvm (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->kvm;
}

const LodgeDomainCapabilities *
lodge_host_capabilities_get_qemu (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->qemu;
}

gboolean
lodge_host_capabilities_has_domain_capabilities (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->has_domcaps;
}

const char *
lodge_host_capabilities_get_default_network (LodgeHostCapabilities *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->default_network;
}
