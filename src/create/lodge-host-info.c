/* lodge-host-info.c: what the host offers a new machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "create/lodge-host-info.h"
#include "create/lodge-create-private.h"
#include "model/lodge-connection.h"

G_DEFINE_BOXED_TYPE (LodgeHostInfo, lodge_host_info, lodge_host_info_copy, lodge_host_info_free)

LodgeHostInfo *
lodge_host_info_new (void)
{
  LodgeHostInfo *info = g_new0 (LodgeHostInfo, 1);

  info->acceleration = LODGE_ACCELERATION_KVM;
  info->arch = g_strdup ("x86_64");
  info->machine = g_strdup ("q35");
  info->local = TRUE;
  return info;
}

LodgeHostInfo *
lodge_host_info_copy (const LodgeHostInfo *info)
{
  LodgeHostInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->emulator = g_strdup (info->emulator);
  copy->arch = g_strdup (info->arch);
  copy->machine = g_strdup (info->machine);
  copy->network = g_strdup (info->network);
  return copy;
}

void
lodge_host_info_free (LodgeHostInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->emulator);
  g_free (info->arch);
  g_free (info->machine);
  g_free (info->network);
  g_free (info);
}

static gboolean
cpuinfo_has_virt_flags (const char *cpuinfo)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (cpuinfo, &contents, NULL, NULL))
    return TRUE; /* cannot tell: do not blame the CPU */

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) flags = NULL;

      if (!g_str_has_prefix (lines[i], "flags"))
        continue;
      flags = g_strsplit_set (strchr (lines[i], ':') ? strchr (lines[i], ':') + 1 : "", " \t", -1);
      for (guint j = 0; flags[j] != NULL; j++)
        {
          if (strcmp (flags[j], "vmx") == 0 || strcmp (flags[j], "svm") == 0)
            return TRUE;
        }
      return FALSE;
    }

  /* No flags line (not x86): nothing to say. */
  return TRUE;
}

LodgeAcceleration
lodge_acceleration_probe_full (gboolean                 prefer_emulation,
                               const char              *dev_kvm,
                               const char              *sys_module_dir,
                               const char              *cpuinfo,
                               int                      domcaps_kvm,
                               LodgeAccelerationReason *reason)
{
  LodgeAccelerationReason why = LODGE_ACCELERATION_REASON_NONE;

  if (prefer_emulation || g_strcmp0 (g_getenv ("LODGE_FORCE_EMULATION"), "1") == 0)
    why = LODGE_ACCELERATION_REASON_FORCED;
  else if (domcaps_kvm == 0)
    why = LODGE_ACCELERATION_REASON_NOT_OFFERED;
  else if (dev_kvm != NULL)
    {
      int fd;

      if (!g_file_test (dev_kvm, G_FILE_TEST_EXISTS))
        why = LODGE_ACCELERATION_REASON_NO_DEVICE;
      else if ((fd = g_open (dev_kvm, O_RDWR | O_CLOEXEC, 0)) < 0)
        why = errno == ENOENT || errno == ENODEV || errno == ENXIO
              ? LODGE_ACCELERATION_REASON_NO_DEVICE
              : LODGE_ACCELERATION_REASON_NO_PERMISSION;
      else
        {
          g_autofree char *pvm = NULL;

          close (fd);
          /* kvm_pvm runs guests inside a container's own VM: stock 64-bit
           * kernels hang under it, and the CPU shows no vmx/svm. */
          if (sys_module_dir != NULL)
            pvm = g_build_filename (sys_module_dir, "kvm_pvm", NULL);
          if (pvm != NULL && g_file_test (pvm, G_FILE_TEST_IS_DIR))
            why = LODGE_ACCELERATION_REASON_UNUSABLE;
          else if (cpuinfo != NULL && !cpuinfo_has_virt_flags (cpuinfo))
            why = LODGE_ACCELERATION_REASON_UNUSABLE;
        }
    }

  if (reason != NULL)
    *reason = why;

  return why == LODGE_ACCELERATION_REASON_NONE ? LODGE_ACCELERATION_KVM
                                               : LODGE_ACCELERATION_QEMU;
}

LodgeAcceleration
lodge_acceleration_probe (gboolean                 prefer_emulation,
                          LodgeAccelerationReason *reason)
{
  return lodge_acceleration_probe_full (prefer_emulation, "/dev/kvm", "/sys/module",
                                        "/proc/cpuinfo", -1, reason);
}

const char *
lodge_acceleration_reason_to_string (LodgeAccelerationReason reason)
{
  switch (reason)
    {
    case LODGE_ACCELERATION_REASON_NONE:
      return NULL;
    case LODGE_ACCELERATION_REASON_FORCED:
      return _("Software emulation was chosen in the preferences: the machine will be slow.");
    case LODGE_ACCELERATION_REASON_NO_DEVICE:
      return _("This computer offers no hardware virtualization (there is no /dev/kvm): "
               "the machine will be emulated and slow. Virtualization may be disabled in the "
               "firmware settings.");
    case LODGE_ACCELERATION_REASON_NO_PERMISSION:
      return _("You are not allowed to use hardware virtualization (/dev/kvm cannot be opened): "
               "the machine will be emulated and slow. Adding your account to the “kvm” group "
               "usually fixes this.");
    case LODGE_ACCELERATION_REASON_UNUSABLE:
      return _("The hardware virtualization on this computer cannot run ordinary guests "
               "(the processor lacks VT-x/AMD-V, or KVM is provided by a nested or paravirtual "
               "module): the machine will be emulated and slow.");
    case LODGE_ACCELERATION_REASON_NOT_OFFERED:
      return _("The hypervisor does not offer hardware virtualization: the machine will be "
               "emulated and slow.");
    default:
      g_assert_not_reached ();
    }
}

/* ---- querying a connection (worker thread) ---- */

typedef struct
{
  char    *emulator;
  char    *domain_type;
  gboolean uefi;
  gboolean secure_boot;
  gboolean tpm;
} DomCaps;

static char *
xpath_string (xmlXPathContextPtr  ctx,
              const char         *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *)expr, ctx);
  char *ret = NULL;

  if (obj != NULL && obj->type == XPATH_STRING && obj->stringval && *obj->stringval)
    ret = g_strdup ((const char *)obj->stringval);
  xmlXPathFreeObject (obj);
  return ret;
}

static gboolean
xpath_exists (xmlXPathContextPtr  ctx,
              const char         *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *)expr, ctx);
  gboolean ret = FALSE;

  if (obj != NULL && obj->type == XPATH_BOOLEAN)
    ret = obj->boolval;
  xmlXPathFreeObject (obj);
  return ret;
}

static gboolean
read_domcaps (virConnectPtr  conn,
              const char    *arch,
              const char    *virttype,
              DomCaps       *caps)
{
  g_autofree char *xml = NULL;
  xmlDocPtr doc;
  xmlXPathContextPtr ctx;

  xml = virConnectGetDomainCapabilities (conn, NULL, arch, "q35", virttype, 0);
  if (xml == NULL)
    {
      virResetLastError ();
      return FALSE;
    }

  doc = xmlReadMemory (xml, strlen (xml), "domcaps.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
  if (doc == NULL)
    return FALSE;
  ctx = xmlXPathNewContext (doc);

  caps->domain_type = xpath_string (ctx, "string(/domainCapabilities/domain)");
  caps->emulator = xpath_string (ctx, "string(/domainCapabilities/path)");
  caps->uefi = xpath_exists (ctx, "boolean(/domainCapabilities/os[@supported='yes']"
                                  "/enum[@name='firmware']/value[text()='efi'])");
  caps->secure_boot = xpath_exists (ctx, "boolean(/domainCapabilities/os[@supported='yes']"
                                         "/loader/enum[@name='secure']/value[text()='yes'])");
  caps->tpm = xpath_exists (ctx, "boolean(/domainCapabilities/devices/tpm[@supported='yes']"
                                 "/enum[@name='backendModel']/value[text()='emulator'])");

  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return TRUE;
}

static void
dom_caps_clear (DomCaps *caps)
{
  g_clear_pointer (&caps->emulator, g_free);
  g_clear_pointer (&caps->domain_type, g_free);
}

static gboolean
uri_is_local (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *host;

  if (parsed == NULL)
    return TRUE;
  host = g_uri_get_host (parsed);
  return host == NULL || *host == '\0' || g_str_equal (host, "localhost");
}

static void
lodge_host_info_query_worker (GTask        *task,
                              gpointer      source_object,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  virConnectPtr conn = task_data;
  g_autoptr(LodgeHostInfo) info = lodge_host_info_new ();
  g_autofree char *uri = NULL;
  DomCaps kvm = { 0 };
  DomCaps qemu = { 0 };
  DomCaps *chosen;
  virNodeInfo node;
  int kvm_offered = -1;
  gboolean prefer_emulation = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task),
                                                                  "prefer-emulation"));

  if (virNodeGetInfo (conn, &node) == 0)
    {
      info->memory = (guint64)node.memory * 1024;
      info->cpus = node.cpus;
    }
  else
    virResetLastError ();

  uri = virConnectGetURI (conn);
  info->local = uri == NULL || uri_is_local (uri);
  info->session = uri != NULL && strstr (uri, "/session") != NULL;

  if (read_domcaps (conn, info->arch, "kvm", &kvm))
    kvm_offered = g_strcmp0 (kvm.domain_type, "kvm") == 0;
  else if (read_domcaps (conn, info->arch, "qemu", &qemu))
    kvm_offered = 0;  /* QEMU answers but KVM does not */

  if (info->local)
    info->acceleration = lodge_acceleration_probe_full (prefer_emulation, "/dev/kvm",
                                                        "/sys/module", "/proc/cpuinfo",
                                                        kvm_offered, &info->acceleration_reason);
  else
    info->acceleration = lodge_acceleration_probe_full (prefer_emulation, NULL, NULL, NULL,
                                                        kvm_offered, &info->acceleration_reason);

  if (info->acceleration == LODGE_ACCELERATION_QEMU && qemu.domain_type == NULL)
    read_domcaps (conn, info->arch, "qemu", &qemu);
  chosen = info->acceleration == LODGE_ACCELERATION_KVM ? &kvm : &qemu;

  info->emulator = g_steal_pointer (&chosen->emulator);
  info->uefi = chosen->uefi;
  info->secure_boot = chosen->secure_boot;
  info->tpm = chosen->tpm;
  dom_caps_clear (&kvm);
  dom_caps_clear (&qemu);

  /* NAT through libvirt's "default" network when it is up; else QEMU's
   * user-mode networking, which always works (session connections). */
  if (!info->session)
    {
      virNetworkPtr net = virNetworkLookupByName (conn, "default");

      if (net != NULL)
        {
          if (virNetworkIsActive (net) == 1)
            info->network = g_strdup ("default");
          virNetworkFree (net);
        }
      virResetLastError ();
    }

  g_task_return_pointer (task, g_steal_pointer (&info), (GDestroyNotify)lodge_host_info_free);
}

void
lodge_host_info_query_async (LodgeConnection     *connection,
                             gboolean             prefer_emulation,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  virConnectPtr conn;

  g_return_if_fail (LODGE_IS_CONNECTION (connection));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_host_info_query_async);

  conn = lodge_connection_ref_virconnect (connection);
  if (conn == NULL)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_CONNECTED,
                               _("Not connected to the hypervisor"));
      return;
    }

  g_object_set_data (G_OBJECT (task), "prefer-emulation", GINT_TO_POINTER (!!prefer_emulation));
  g_task_set_task_data (task, conn, (GDestroyNotify)virConnectClose);
  g_task_run_in_thread (task, lodge_host_info_query_worker);
}

LodgeHostInfo *
lodge_host_info_query_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
