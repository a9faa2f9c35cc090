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

#include "create/lodge-host-info.h"
#include "create/lodge-create-private.h"
#include "model/lodge-model.h"

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

/* ---- a view over the host's capabilities ---- */

LodgeHostInfo *
lodge_host_info_new_for_capabilities (LodgeHostCapabilities *caps,
                                      const LodgeUri        *uri,
                                      gboolean               prefer_emulation,
                                      const char            *dev_kvm,
                                      const char            *sys_module_dir,
                                      const char            *cpuinfo)
{
  g_autoptr(LodgeHostInfo) info = lodge_host_info_new ();
  const LodgeDomainCapabilities *kvm = lodge_host_capabilities_get_kvm (caps);
  const LodgeDomainCapabilities *chosen;
  int kvm_offered = -1;

  g_return_val_if_fail (caps != NULL && uri != NULL, NULL);

  info->memory = lodge_host_capabilities_get_memory (caps);
  info->cpus = lodge_host_capabilities_get_cpus (caps);
  info->local = !lodge_uri_is_remote (uri);
  info->session = lodge_uri_is_session (uri);

  /* A hypervisor that describes its domains was asked for the host's own
   * arch; without that (the test driver) nothing is known beyond the
   * default. */
  if (lodge_host_capabilities_has_domain_capabilities (caps))
    {
      g_free (info->arch);
      info->arch = g_strdup (lodge_host_capabilities_get_arch (caps));
      kvm_offered = kvm != NULL;
    }

  /* /dev/kvm and the CPU say something only about this computer. */
  if (info->local)
    info->acceleration = lodge_acceleration_probe_full (prefer_emulation, dev_kvm, sys_module_dir,
                                                        cpuinfo, kvm_offered,
                                                        &info->acceleration_reason);
  else
    info->acceleration = lodge_acceleration_probe_full (prefer_emulation, NULL, NULL, NULL,
                                                        kvm_offered, &info->acceleration_reason);

  chosen = info->acceleration == LODGE_ACCELERATION_KVM ? kvm : lodge_host_capabilities_get_qemu (caps);
  if (chosen != NULL)
    {
      info->emulator = g_strdup (chosen->emulator);
      info->uefi = chosen->uefi;
      info->secure_boot = chosen->secure_boot;
      info->tpm = chosen->tpm;
    }

  /* NAT through libvirt's "default" network when it is up; else QEMU's
   * user-mode networking, which always works (session connections). */
  if (!info->session)
    info->network = g_strdup (lodge_host_capabilities_get_default_network (caps));

  return g_steal_pointer (&info);
}

typedef struct
{
  LodgeUri              *uri;
  LodgeHostCapabilities *caps;
  gboolean               prefer_emulation;
} Query;

static void
query_free (Query *query)
{
  g_clear_pointer (&query->uri, lodge_uri_unref);
  g_clear_pointer (&query->caps, lodge_host_capabilities_unref);
  g_free (query);
}

/* The local checks read a few files: not on the main thread. */
static void
lodge_host_info_query_worker (GTask        *task,
                              gpointer      source_object,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  Query *query = task_data;

  g_task_return_pointer (task,
                         lodge_host_info_new_for_capabilities (query->caps, query->uri,
                                                               query->prefer_emulation, "/dev/kvm",
                                                               "/sys/module", "/proc/cpuinfo"),
                         (GDestroyNotify)lodge_host_info_free);
}

static void
lodge_host_info_query_capabilities_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Query *query = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  query->caps = lodge_host_get_capabilities_finish (LODGE_HOST (object), result, &error);
  if (query->caps == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_run_in_thread (task, lodge_host_info_query_worker);
}

void
lodge_host_info_query_async (LodgeHost           *host,
                             gboolean             prefer_emulation,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Query *query;

  g_return_if_fail (LODGE_IS_HOST (host));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_host_info_query_async);
  query = g_new0 (Query, 1);
  query->uri = lodge_uri_ref (lodge_host_get_uri (host));
  query->prefer_emulation = prefer_emulation;
  g_task_set_task_data (task, query, (GDestroyNotify)query_free);

  lodge_host_get_capabilities_async (host, cancellable, lodge_host_info_query_capabilities_cb,
                                     g_steal_pointer (&task));
}

LodgeHostInfo *
lodge_host_info_query_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
