/* lodge-machine-editor-tuning.c: a machine's performance and limits
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each operation has its task data and thread function. Every change is
 * asked of the running machine and of its definition in one libvirt call
 * (VIR_DOMAIN_AFFECT_LIVE | _CONFIG), so that libvirt applies all of it or
 * none; only sizes that the running machine cannot take (a new maximum)
 * wait for the next start.
 */
#define G_LOG_DOMAIN "lodge-machine-editor-tuning"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "model/lodge-machine-editor-private.h"
#include "model/lodge-machine-tuning.h"

/* LodgeMachineTuning */

G_DEFINE_BOXED_TYPE (LodgeMachineTuning, lodge_machine_tuning,
                     lodge_machine_tuning_ref, lodge_machine_tuning_unref)

static void
disk_tuning_free (LodgeDiskTuning *disk)
{
  g_free (disk->target);
  g_free (disk);
}

static void
nic_tuning_free (LodgeNicTuning *nic)
{
  g_free (nic->mac);
  g_free (nic->net_type);
  g_free (nic->device);
  g_free (nic);
}

static LodgeMachineTuning *
lodge_machine_tuning_new (void)
{
  LodgeMachineTuning *self = g_new0 (LodgeMachineTuning, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_tuning_free);
  self->nics = g_ptr_array_new_with_free_func ((GDestroyNotify) nic_tuning_free);
  return self;
}

LodgeMachineTuning *
lodge_machine_tuning_ref (LodgeMachineTuning *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lodge_machine_tuning_unref (LodgeMachineTuning *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->disks);
  g_ptr_array_unref (self->nics);
  g_free (self);
}

const LodgeTuningValues *
lodge_machine_tuning_get_current (LodgeMachineTuning *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->active ? &self->live : &self->config;
}

LodgeDiskTuning *
lodge_machine_tuning_find_disk (LodgeMachineTuning *self,
                                const char         *target)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->disks->len; i++)
    {
      LodgeDiskTuning *disk = g_ptr_array_index (self->disks, i);

      if (g_strcmp0 (disk->target, target) == 0)
        return disk;
    }
  return NULL;
}

LodgeNicTuning *
lodge_machine_tuning_find_nic (LodgeMachineTuning *self,
                               const char         *mac)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->nics->len; i++)
    {
      LodgeNicTuning *nic = g_ptr_array_index (self->nics, i);

      if (mac != NULL && g_ascii_strcasecmp (nic->mac, mac) == 0)
        return nic;
    }
  return NULL;
}

guint64
lodge_cpu_priority_get_shares (LodgeCpuPriority priority,
                               guint64          default_shares)
{
  if (default_shares == 0)
    default_shares = 1024;

  /* A quarter and four times the default: under contention a High machine
   * gets 16 times the CPU time of a Low one. */
  switch (priority)
    {
    case LODGE_CPU_PRIORITY_LOW:
      return MAX (default_shares / 4, 2);
    case LODGE_CPU_PRIORITY_HIGH:
      return default_shares * 4;
    case LODGE_CPU_PRIORITY_NORMAL:
    case LODGE_CPU_PRIORITY_CUSTOM:
    default:
      return default_shares;
    }
}

LodgeCpuPriority
lodge_cpu_priority_from_shares (guint64 shares,
                                guint64 default_shares)
{
  if (shares == 0)
    return LODGE_CPU_PRIORITY_NORMAL;
  for (LodgeCpuPriority p = LODGE_CPU_PRIORITY_LOW; p <= LODGE_CPU_PRIORITY_HIGH; p++)
    if (lodge_cpu_priority_get_shares (p, default_shares) == shares)
      return p;
  return LODGE_CPU_PRIORITY_CUSTOM;
}

guint
lodge_tuning_values_get_cap (const LodgeTuningValues *values)
{
  guint64 period;

  g_return_val_if_fail (values != NULL, 0);

  if (values->vcpu_quota <= 0)
    return 0;
  period = values->vcpu_period > 0 ? values->vcpu_period : LODGE_CPU_PERIOD_US;
  return (guint) MAX (1, ((guint64) values->vcpu_quota * 100 + period / 2) / period);
}

gboolean
lodge_disk_limits_equal (const LodgeDiskLimits *a,
                         const LodgeDiskLimits *b)
{
  return memcmp (a, b, sizeof *a) == 0;
}

gboolean
lodge_nic_limits_equal (const LodgeNicLimits *a,
                        const LodgeNicLimits *b)
{
  return memcmp (a, b, sizeof *a) == 0;
}

/* Worker helpers */

static void
edit_task_free (LodgeEditTask *task)
{
  lodge_edit_task_clear (task);
  g_free (task);
}

static void
set_invalid (GError     **error,
             const char  *message)
{
  g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT, message);
}

/* libvirt's error, said in terms of what the user asked where the kernel's
 * own words say little. */
static void
set_error_explained (GError **error)
{
  const char *message = virGetLastErrorMessage ();

  if (message != NULL && strstr (message, "Device or resource busy") != NULL)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("The machine uses more memory than that limit now, and the kernel could not "
                     "reclaim it (%s)"), message);
      virResetLastError ();
    }
  else if (message != NULL
           && (strstr (message, "sfq") != NULL || strstr (message, "police") != NULL
               || strstr (message, "TC action") != NULL || strstr (message, "qdisc kind") != NULL))
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED,
                   _("The host’s kernel cannot limit network traffic: its traffic control lacks "
                     "the “sfq” queue or the “police” action (%s)"), message);
      virResetLastError ();
    }
  else
    lodge_model_set_error_from_virt (error, NULL);
}

static guint
host_cpus (virConnectPtr conn)
{
  virNodeInfo info;

  if (virNodeGetInfo (conn, &info) < 0)
    {
      virResetLastError ();
      return 0;
    }
  return info.cpus;
}

/* Reading */

static gboolean
read_scheduler (virDomainPtr        dom,
                unsigned int        flags,
                LodgeTuningValues  *values)
{
  virTypedParameterPtr params;
  char *type;
  int n = 0;
  gboolean found;
  long long quota = 0;

  type = virDomainGetSchedulerType (dom, &n);
  if (type == NULL || n <= 0)
    {
      free (type);
      virResetLastError ();
      return FALSE;
    }
  free (type);

  params = g_new0 (virTypedParameter, n);
  if (virDomainGetSchedulerParametersFlags (dom, params, &n, flags) < 0)
    {
      g_free (params);
      virResetLastError ();
      return FALSE;
    }
  found = virTypedParamsGetULLong (params, n, VIR_DOMAIN_SCHEDULER_CPU_SHARES, (unsigned long long *) &values->cpu_shares) == 1;
  virTypedParamsGetULLong (params, n, VIR_DOMAIN_SCHEDULER_VCPU_PERIOD, (unsigned long long *) &values->vcpu_period);
  if (virTypedParamsGetLLong (params, n, VIR_DOMAIN_SCHEDULER_VCPU_QUOTA, &quota) == 1)
    values->vcpu_quota = quota;
  virTypedParamsClear (params, n);
  g_free (params);
  virResetLastError ();
  return found;
}

static guint64
limit_bytes (virTypedParameterPtr  params,
             int                   n,
             const char           *name)
{
  unsigned long long kib = 0;

  if (virTypedParamsGetULLong (params, n, name, &kib) != 1 || kib >= VIR_DOMAIN_MEMORY_PARAM_UNLIMITED)
    return 0;
  return (guint64) kib * 1024;
}

static gboolean
read_memory_limits (virDomainPtr        dom,
                    unsigned int        flags,
                    LodgeTuningValues  *values)
{
  virTypedParameterPtr params;
  int n = 0;

  if (virDomainGetMemoryParameters (dom, NULL, &n, flags) < 0 || n <= 0)
    {
      virResetLastError ();
      return FALSE;
    }
  params = g_new0 (virTypedParameter, n);
  if (virDomainGetMemoryParameters (dom, params, &n, flags) < 0)
    {
      g_free (params);
      virResetLastError ();
      return FALSE;
    }
  values->hard_limit = limit_bytes (params, n, VIR_DOMAIN_MEMORY_HARD_LIMIT);
  values->soft_limit = limit_bytes (params, n, VIR_DOMAIN_MEMORY_SOFT_LIMIT);
  values->swap_hard_limit = limit_bytes (params, n, VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT);
  virTypedParamsClear (params, n);
  g_free (params);
  return TRUE;
}

static void
read_disk_limits (virDomainPtr      dom,
                  const char       *target,
                  unsigned int      flags,
                  LodgeDiskLimits  *limits)
{
  virTypedParameterPtr params;
  int n = 0;

  if (virDomainGetBlockIoTune (dom, target, NULL, &n, flags) < 0 || n <= 0)
    {
      virResetLastError ();
      return;
    }
  params = g_new0 (virTypedParameter, n);
  if (virDomainGetBlockIoTune (dom, target, params, &n, flags) == 0)
    {
      virTypedParamsGetULLong (params, n, VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC, (unsigned long long *) &limits->total_bytes_sec);
      virTypedParamsGetULLong (params, n, VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC, (unsigned long long *) &limits->read_bytes_sec);
      virTypedParamsGetULLong (params, n, VIR_DOMAIN_BLOCK_IOTUNE_WRITE_BYTES_SEC, (unsigned long long *) &limits->write_bytes_sec);
      virTypedParamsGetULLong (params, n, VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC, (unsigned long long *) &limits->total_iops_sec);
      virTypedParamsGetULLong (params, n, VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC, (unsigned long long *) &limits->read_iops_sec);
      virTypedParamsGetULLong (params, n, VIR_DOMAIN_BLOCK_IOTUNE_WRITE_IOPS_SEC, (unsigned long long *) &limits->write_iops_sec);
      virTypedParamsClear (params, n);
    }
  g_free (params);
  virResetLastError ();
}

static void
read_nic_limits (virDomainPtr     dom,
                 const char      *mac,
                 unsigned int     flags,
                 LodgeNicLimits  *limits)
{
  virTypedParameterPtr params;
  int n = 0;

  if (virDomainGetInterfaceParameters (dom, mac, NULL, &n, flags) < 0 || n <= 0)
    {
      virResetLastError ();
      return;
    }
  params = g_new0 (virTypedParameter, n);
  if (virDomainGetInterfaceParameters (dom, mac, params, &n, flags) == 0)
    {
      virTypedParamsGetUInt (params, n, VIR_DOMAIN_BANDWIDTH_IN_AVERAGE, &limits->inbound.average);
      virTypedParamsGetUInt (params, n, VIR_DOMAIN_BANDWIDTH_IN_PEAK, &limits->inbound.peak);
      virTypedParamsGetUInt (params, n, VIR_DOMAIN_BANDWIDTH_IN_BURST, &limits->inbound.burst);
      virTypedParamsGetUInt (params, n, VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE, &limits->outbound.average);
      virTypedParamsGetUInt (params, n, VIR_DOMAIN_BANDWIDTH_OUT_PEAK, &limits->outbound.peak);
      virTypedParamsGetUInt (params, n, VIR_DOMAIN_BANDWIDTH_OUT_BURST, &limits->outbound.burst);
      virTypedParamsClear (params, n);
    }
  g_free (params);
  virResetLastError ();
}

/* <interface><mac address=''/><target dev=''/>: the tap of each card of a
 * running machine, by MAC address. */
static char *
tap_device (const char *live_xml,
            const char *mac)
{
  xmlDoc *doc = xmlReadMemory (live_xml, strlen (live_xml), "domain.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *devices;
  char *ret = NULL;

  if (doc == NULL)
    return NULL;
  devices = lodge_xml_child (xmlDocGetRootElement (doc), "devices");
  for (xmlNode *it = devices ? devices->children : NULL; it != NULL && ret == NULL; it = it->next)
    {
      g_autofree char *address = NULL;

      if (it->type != XML_ELEMENT_NODE || !g_str_equal ((const char *) it->name, "interface"))
        continue;
      address = lodge_xml_prop (lodge_xml_child (it, "mac"), "address");
      if (address != NULL && g_ascii_strcasecmp (address, mac) == 0)
        ret = lodge_xml_prop (lodge_xml_child (it, "target"), "dev");
    }
  xmlFreeDoc (doc);
  return ret;
}

static void
values_from_config (LodgeMachineConfig *config,
                    LodgeTuningValues  *values)
{
  values->vcpus = lodge_machine_config_get_vcpus (config);
  values->max_vcpus = lodge_machine_config_get_max_vcpus (config);
  values->memory = lodge_machine_config_get_current_memory (config);
  values->max_memory = lodge_machine_config_get_memory (config);
  if (values->memory == 0)
    values->memory = values->max_memory;
}

/* The weight a machine without one of its own gets on this host: libvirt
 * writes cpu.shares 1024 on cgroup v1 and leaves cpu.weight at 100 on v2. */
static guint64
default_shares (virConnectPtr       conn,
                LodgeMachineTuning *tuning,
                gboolean            set_in_config)
{
  g_autoptr(LodgeUri) uri = NULL;

  /* A running machine that asked for nothing shows the default itself. */
  if (tuning->active && tuning->persistent && !set_in_config && tuning->live.cpu_shares > 0)
    return tuning->live.cpu_shares;

  uri = lodge_virt_connect_get_uri (conn);
  if (uri != NULL && !lodge_uri_is_remote (uri) && g_str_equal (lodge_uri_get_driver (uri), "qemu")
      && !g_file_test ("/sys/fs/cgroup/cpu", G_FILE_TEST_IS_DIR)
      && g_file_test ("/sys/fs/cgroup/cgroup.controllers", G_FILE_TEST_EXISTS))
    return 100;
  if (tuning->active && tuning->live.cpu_shares == 100)
    return 100;
  return 1024;
}

static void
get_tuning_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  LodgeEditTask *data = task_data;
  g_autoptr(LodgeMachineTuning) tuning = lodge_machine_tuning_new ();
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(LodgeMachineConfig) live = NULL;
  g_autofree char *live_xml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  LodgeEditCtx ctx = { 0 };
  gboolean config_shares_set = FALSE;

  if (!lodge_edit_ctx_open (&ctx, data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  tuning->active = ctx.active;
  tuning->persistent = ctx.persistent;
  tuning->host_cpus = host_cpus (data->conn);

  config = lodge_edit_ctx_get_config (&ctx, TRUE, &error);
  if (config == NULL)
    goto fail;
  values_from_config (config, &tuning->config);

  if (ctx.persistent)
    {
      tuning->has_scheduler = read_scheduler (ctx.dom, VIR_DOMAIN_AFFECT_CONFIG, &tuning->config);
      tuning->has_memory_limits = read_memory_limits (ctx.dom, VIR_DOMAIN_AFFECT_CONFIG, &tuning->config);
      config_shares_set = tuning->config.cpu_shares > 0;
    }

  if (ctx.active)
    {
      live_xml = lodge_edit_get_xml (ctx.dom, FALSE, &error);
      if (live_xml == NULL || (live = lodge_machine_config_new_from_xml (live_xml, &error)) == NULL)
        goto fail;
      values_from_config (live, &tuning->live);
      tuning->has_scheduler |= read_scheduler (ctx.dom, VIR_DOMAIN_AFFECT_LIVE, &tuning->live);
      tuning->has_memory_limits |= read_memory_limits (ctx.dom, VIR_DOMAIN_AFFECT_LIVE, &tuning->live);
    }
  tuning->default_shares = default_shares (data->conn, tuning, config_shares_set);

  /* Disks and cards of the definition in effect. */
  devices = g_ptr_array_ref (lodge_machine_config_get_devices (live != NULL ? live : config));
  for (guint i = 0; i < devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (devices, i);

      if (device->kind == LODGE_DEVICE_KIND_DISK && device->target != NULL)
        {
          LodgeDiskTuning *disk = g_new0 (LodgeDiskTuning, 1);

          disk->target = g_strdup (device->target);
          if (ctx.active)
            read_disk_limits (ctx.dom, device->target, VIR_DOMAIN_AFFECT_LIVE, &disk->live);
          if (ctx.persistent)
            read_disk_limits (ctx.dom, device->target, VIR_DOMAIN_AFFECT_CONFIG, &disk->config);
          g_ptr_array_add (tuning->disks, disk);
        }
      else if (device->kind == LODGE_DEVICE_KIND_INTERFACE && device->mac != NULL)
        {
          LodgeNicTuning *nic = g_new0 (LodgeNicTuning, 1);

          nic->mac = g_strdup (device->mac);
          nic->net_type = g_strdup (device->net_type);
          if (ctx.active)
            {
              nic->device = tap_device (live_xml, device->mac);
              read_nic_limits (ctx.dom, device->mac, VIR_DOMAIN_AFFECT_LIVE, &nic->live);
            }
          if (ctx.persistent)
            read_nic_limits (ctx.dom, device->mac, VIR_DOMAIN_AFFECT_CONFIG, &nic->config);
          g_ptr_array_add (tuning->nics, nic);
        }
    }

  lodge_edit_ctx_close (&ctx);
  g_task_return_pointer (task, g_steal_pointer (&tuning), (GDestroyNotify) lodge_machine_tuning_unref);
  return;

fail:
  lodge_edit_ctx_close (&ctx);
  g_task_return_error (task, g_steal_pointer (&error));
}

/* CPU weight and cap */

typedef struct
{
  LodgeEditTask base;
  guint64       shares;
  guint         percent;
} CpuTask;

static gboolean
set_scheduler (LodgeEditCtx          *ctx,
               virTypedParameterPtr   params,
               int                    n,
               GError               **error)
{
  if (virDomainSetSchedulerParametersFlags (ctx->dom, params, n, lodge_edit_ctx_affect_flags (ctx)) < 0)
    {
      set_error_explained (error);
      return FALSE;
    }
  return TRUE;
}

static void
cpu_shares_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CpuTask *data = task_data;
  virTypedParameter param = { 0 };
  GError *error = NULL;
  LodgeEditCtx ctx = { 0 };
  gboolean ok = FALSE;

  /* cgroup v1 takes 2–262144, v2 1–10000: libvirt and the kernel judge. */
  if (lodge_edit_ctx_open (&ctx, &data->base, &error))
    {
      guint64 shares = data->shares;

      /* The host's default, said as a number: libvirt has no "unset". */
      if (shares == 0)
        {
          LodgeMachineTuning probe = { .active = ctx.active, .persistent = ctx.persistent };

          read_scheduler (ctx.dom, ctx.active ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG,
                          ctx.active ? &probe.live : &probe.config);
          shares = default_shares (data->base.conn, &probe, TRUE);
        }
      g_strlcpy (param.field, VIR_DOMAIN_SCHEDULER_CPU_SHARES, sizeof param.field);
      param.type = VIR_TYPED_PARAM_ULLONG;
      param.value.ul = shares;
      ok = set_scheduler (&ctx, &param, 1, &error);
      lodge_edit_ctx_close (&ctx);
    }
  lodge_edit_task_return (task, ok, LODGE_EDIT_APPLIED, error);
}

static void
cpu_cap_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CpuTask *data = task_data;
  GError *error = NULL;
  LodgeEditCtx ctx = { 0 };
  gboolean ok = FALSE;

  if (data->percent > 100)
    {
      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("A cap of %u %% is more than a whole host core: each processor can be capped "
                     "at 1 to 100 %%"), data->percent);
      lodge_edit_task_return (task, FALSE, LODGE_EDIT_APPLIED, error);
      return;
    }

  if (lodge_edit_ctx_open (&ctx, &data->base, &error))
    {
      virTypedParameter params[2] = { { { 0 } } };

      g_strlcpy (params[0].field, VIR_DOMAIN_SCHEDULER_VCPU_PERIOD, sizeof params[0].field);
      params[0].type = VIR_TYPED_PARAM_ULLONG;
      params[0].value.ul = LODGE_CPU_PERIOD_US;
      g_strlcpy (params[1].field, VIR_DOMAIN_SCHEDULER_VCPU_QUOTA, sizeof params[1].field);
      params[1].type = VIR_TYPED_PARAM_LLONG;

      if (data->percent > 0)
        {
          params[1].value.l = (long long) data->percent * LODGE_CPU_PERIOD_US / 100;
          ok = set_scheduler (&ctx, params, 2, &error);
        }
      else
        {
          /* No cap: the running machine takes -1 ("unlimited"; libvirt
           * skips a 0 there), the definition 0 (no <quota> at all). */
          ok = TRUE;
          if (ctx.active)
            {
              params[1].value.l = -1;
              ok = virDomainSetSchedulerParametersFlags (ctx.dom, &params[1], 1, VIR_DOMAIN_AFFECT_LIVE) == 0;
            }
          if (ok && ctx.persistent)
            {
              params[1].value.l = 0;
              params[0].value.ul = 0;
              ok = virDomainSetSchedulerParametersFlags (ctx.dom, params, 2, VIR_DOMAIN_AFFECT_CONFIG) == 0;
            }
          if (!ok)
            set_error_explained (&error);
        }
      lodge_edit_ctx_close (&ctx);
    }
  lodge_edit_task_return (task, ok, LODGE_EDIT_APPLIED, error);
}

/* vCPUs and memory sizes */

typedef struct
{
  LodgeEditTask base;
  guint64       current;
  guint64       maximum;
} SizesTask;

static void
vcpu_counts_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  SizesTask *data = task_data;
  guint vcpus = data->current;
  guint max_vcpus = data->maximum;
  guint cpus = host_cpus (data->base.conn);
  LodgeEditOutcome outcome = LODGE_EDIT_APPLIED;
  GError *error = NULL;
  LodgeEditCtx ctx = { 0 };
  gboolean ok = FALSE;
  int live_max;
  int live_now;

  if (vcpus == 0)
    set_invalid (&error, _("A machine needs at least one processor"));
  else if (vcpus > max_vcpus)
    g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                 _("%u processors is more than the maximum of %u"), vcpus, max_vcpus);
  else if (cpus > 0 && max_vcpus > cpus)
    g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                 ngettext ("A maximum of %u processors is more than the host has (%u processor)",
                           "A maximum of %u processors is more than the host has (%u processors)", cpus),
                 max_vcpus, cpus);
  if (error != NULL || !lodge_edit_ctx_open (&ctx, &data->base, &error))
    {
      lodge_edit_task_return (task, FALSE, outcome, error);
      return;
    }

  if (ctx.persistent)
    {
      int config_max = virDomainGetVcpusFlags (ctx.dom, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM);

      /* Keep current ≤ maximum at every step. */
      if (config_max < 0)
        goto fail;
      if (max_vcpus >= (guint) config_max)
        ok = virDomainSetVcpusFlags (ctx.dom, max_vcpus, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM) == 0
             && virDomainSetVcpusFlags (ctx.dom, vcpus, VIR_DOMAIN_AFFECT_CONFIG) == 0;
      else
        ok = virDomainSetVcpusFlags (ctx.dom, vcpus, VIR_DOMAIN_AFFECT_CONFIG) == 0
             && virDomainSetVcpusFlags (ctx.dom, max_vcpus, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM) == 0;
      if (!ok)
        goto fail;
    }

  if (ctx.active)
    {
      live_max = virDomainGetVcpusFlags (ctx.dom, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_VCPU_MAXIMUM);
      live_now = virDomainGetVcpusFlags (ctx.dom, VIR_DOMAIN_AFFECT_LIVE);
      if (live_max < 0 || live_now < 0)
        goto fail;
      if ((guint) live_max != max_vcpus)
        outcome = LODGE_EDIT_APPLIES_AT_NEXT_BOOT;
      if ((guint) live_now != vcpus)
        {
          if (vcpus <= (guint) live_max && virDomainSetVcpusFlags (ctx.dom, vcpus, VIR_DOMAIN_AFFECT_LIVE) == 0)
            ;
          else if (ctx.persistent)
            {
              /* No hot-plug (or the guest refused the unplug). */
              g_debug ("vCPUs not changed live: %s", virGetLastErrorMessage ());
              virResetLastError ();
              outcome = LODGE_EDIT_APPLIES_AT_NEXT_BOOT;
            }
          else
            goto fail;
        }
    }

  lodge_edit_ctx_close (&ctx);
  lodge_edit_task_return (task, TRUE, outcome, NULL);
  return;

fail:
  set_error_explained (&error);
  lodge_edit_ctx_close (&ctx);
  lodge_edit_task_return (task, FALSE, outcome, error);
}

static void
memory_sizes_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  SizesTask *data = task_data;
  unsigned long kib = data->current / 1024;
  unsigned long max_kib = data->maximum / 1024;
  LodgeEditOutcome outcome = LODGE_EDIT_APPLIED;
  GError *error = NULL;
  LodgeEditCtx ctx = { 0 };

  if (kib == 0)
    set_invalid (&error, _("Memory must not be zero"));
  else if (kib > max_kib)
    {
      g_autofree char *current = g_format_size_full (data->current, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *maximum = g_format_size_full (data->maximum, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("Memory of %s is more than the maximum of %s"), current, maximum);
    }
  if (error != NULL || !lodge_edit_ctx_open (&ctx, &data->base, &error))
    {
      lodge_edit_task_return (task, FALSE, outcome, error);
      return;
    }

  if (ctx.persistent)
    {
      g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (&ctx, TRUE, &error);
      gboolean ok;

      if (config == NULL)
        {
          lodge_edit_ctx_close (&ctx);
          lodge_edit_task_return (task, FALSE, outcome, error);
          return;
        }
      if (data->maximum >= lodge_machine_config_get_memory (config))
        ok = virDomainSetMemoryFlags (ctx.dom, max_kib, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_MEM_MAXIMUM) == 0
             && virDomainSetMemoryFlags (ctx.dom, kib, VIR_DOMAIN_AFFECT_CONFIG) == 0;
      else
        ok = virDomainSetMemoryFlags (ctx.dom, kib, VIR_DOMAIN_AFFECT_CONFIG) == 0
             && virDomainSetMemoryFlags (ctx.dom, max_kib, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_MEM_MAXIMUM) == 0;
      if (!ok)
        goto fail;
    }

  if (ctx.active)
    {
      unsigned long live_max = virDomainGetMaxMemory (ctx.dom);

      if (live_max == 0)
        goto fail;
      if (live_max != max_kib)
        outcome = LODGE_EDIT_APPLIES_AT_NEXT_BOOT;
      /* The balloon moves within the running maximum only. */
      if (kib <= live_max && virDomainSetMemoryFlags (ctx.dom, kib, VIR_DOMAIN_AFFECT_LIVE) == 0)
        ;
      else if (ctx.persistent)
        {
          g_debug ("Memory not changed live: %s", virGetLastErrorMessage ());
          virResetLastError ();
          outcome = LODGE_EDIT_APPLIES_AT_NEXT_BOOT;
        }
      else
        goto fail;
    }

  lodge_edit_ctx_close (&ctx);
  lodge_edit_task_return (task, TRUE, outcome, NULL);
  return;

fail:
  set_error_explained (&error);
  lodge_edit_ctx_close (&ctx);
  lodge_edit_task_return (task, FALSE, outcome, error);
}

/* Memory limits */

typedef struct
{
  LodgeEditTask base;
  guint64       hard;
  guint64       soft;
  guint64       swap;
} MemoryLimitsTask;

static void
add_limit (virTypedParameterPtr *params,
           int                  *n,
           int                  *max,
           const char           *name,
           guint64               bytes)
{
  virTypedParamsAddULLong (params, n, max, name,
                           bytes == 0 ? VIR_DOMAIN_MEMORY_PARAM_UNLIMITED : bytes / 1024);
}

static void
memory_limits_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  MemoryLimitsTask *data = task_data;
  virTypedParameterPtr params = NULL;
  GError *error = NULL;
  LodgeEditCtx ctx = { 0 };
  gboolean ok = FALSE;
  int n = 0;
  int max = 0;

  if (data->soft > 0 && data->hard > 0 && data->soft > data->hard)
    set_invalid (&error, _("The soft limit must not be above the hard limit"));
  else if (data->swap > 0 && data->hard > 0 && data->swap < data->hard)
    set_invalid (&error, _("The limit of memory and swap must not be below the hard limit"));
  else if (data->swap > 0 && data->hard == 0)
    set_invalid (&error, _("A limit of memory and swap needs a hard limit"));
  if (error != NULL || !lodge_edit_ctx_open (&ctx, &data->base, &error))
    {
      lodge_edit_task_return (task, FALSE, LODGE_EDIT_APPLIED, error);
      return;
    }

  /* Below the guest's memory the kernel would reclaim and then kill QEMU
   * (or refuse outright, when it cannot reclaim). */
  {
    g_autoptr(LodgeMachineConfig) config = lodge_edit_ctx_get_config (&ctx, FALSE, &error);
    guint64 memory = config != NULL ? lodge_machine_config_get_memory (config) : 0;

    if (config == NULL)
      goto out;
    if (data->hard > 0 && data->hard < memory)
      {
        g_autofree char *hard = g_format_size_full (data->hard, G_FORMAT_SIZE_IEC_UNITS);
        g_autofree char *mem = g_format_size_full (memory, G_FORMAT_SIZE_IEC_UNITS);

        g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                     _("A hard limit of %s is below the machine’s memory (%s): the kernel would stop "
                       "the machine when it uses it"), hard, mem);
        goto out;
      }
  }

  /* libvirt orders the three itself (swap ≥ hard at every step). */
  add_limit (&params, &n, &max, VIR_DOMAIN_MEMORY_HARD_LIMIT, data->hard);
  add_limit (&params, &n, &max, VIR_DOMAIN_MEMORY_SOFT_LIMIT, data->soft);
  add_limit (&params, &n, &max, VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT, data->swap);
  ok = virDomainSetMemoryParameters (ctx.dom, params, n, lodge_edit_ctx_affect_flags (&ctx)) == 0;
  if (!ok)
    set_error_explained (&error);
  virTypedParamsFree (params, n);

out:
  lodge_edit_ctx_close (&ctx);
  lodge_edit_task_return (task, ok, LODGE_EDIT_APPLIED, error);
}

/* Disk and network rates */

typedef struct
{
  LodgeEditTask    base;
  char            *device;   /* disk target or card MAC */
  LodgeDiskLimits  disk;
  LodgeNicLimits   nic;
} RateTask;

static void
rate_task_free (RateTask *data)
{
  lodge_edit_task_clear (&data->base);
  g_free (data->device);
  g_free (data);
}

static void
disk_limits_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  RateTask *data = task_data;
  const LodgeDiskLimits *l = &data->disk;
  virTypedParameterPtr params = NULL;
  GError *error = NULL;
  LodgeEditCtx ctx = { 0 };
  gboolean ok = FALSE;
  int n = 0;
  int max = 0;

  if (l->total_bytes_sec > 0 && (l->read_bytes_sec > 0 || l->write_bytes_sec > 0))
    set_invalid (&error, _("A total rate and separate read and write rates cannot be set together"));
  else if (l->total_iops_sec > 0 && (l->read_iops_sec > 0 || l->write_iops_sec > 0))
    set_invalid (&error, _("A total of operations and separate read and write operations cannot be set together"));
  if (error != NULL || !lodge_edit_ctx_open (&ctx, &data->base, &error))
    {
      lodge_edit_task_return (task, FALSE, LODGE_EDIT_APPLIED, error);
      return;
    }

  virTypedParamsAddULLong (&params, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC, l->total_bytes_sec);
  virTypedParamsAddULLong (&params, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC, l->read_bytes_sec);
  virTypedParamsAddULLong (&params, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_WRITE_BYTES_SEC, l->write_bytes_sec);
  virTypedParamsAddULLong (&params, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC, l->total_iops_sec);
  virTypedParamsAddULLong (&params, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC, l->read_iops_sec);
  virTypedParamsAddULLong (&params, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_WRITE_IOPS_SEC, l->write_iops_sec);
  ok = virDomainSetBlockIoTune (ctx.dom, data->device, params, n, lodge_edit_ctx_affect_flags (&ctx)) == 0;
  if (!ok)
    set_error_explained (&error);
  virTypedParamsFree (params, n);
  lodge_edit_ctx_close (&ctx);
  lodge_edit_task_return (task, ok, LODGE_EDIT_APPLIED, error);
}

static gboolean
check_rate (const LodgeRateLimit  *rate,
            GError               **error)
{
  if ((rate->peak > 0 || rate->burst > 0) && rate->average == 0)
    {
      set_invalid (error, _("A peak or burst needs an average rate"));
      return FALSE;
    }
  if (rate->peak > 0 && rate->peak < rate->average)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("A peak of %u KiB/s is below the average of %u KiB/s"), rate->peak, rate->average);
      return FALSE;
    }
  return TRUE;
}

static void
nic_limits_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  RateTask *data = task_data;
  const LodgeNicLimits *l = &data->nic;
  virTypedParameterPtr params = NULL;
  g_autoptr(LodgeMachineConfig) config = NULL;
  GError *error = NULL;
  LodgeEditCtx ctx = { 0 };
  LodgeDevice *device;
  gboolean ok = FALSE;
  int n = 0;
  int max = 0;

  if (!check_rate (&l->inbound, &error) || !check_rate (&l->outbound, &error)
      || !lodge_edit_ctx_open (&ctx, &data->base, &error))
    {
      lodge_edit_task_return (task, FALSE, LODGE_EDIT_APPLIED, error);
      return;
    }

  config = lodge_edit_ctx_get_config (&ctx, FALSE, &error);
  if (config == NULL)
    goto out;
  device = lodge_machine_config_find_interface (config, data->device);
  if (device == NULL)
    {
      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                   _("The machine has no network interface %s"), data->device);
      goto out;
    }
  /* libvirt shapes traffic on a tap of the host; user networking has none. */
  if (g_strcmp0 (device->net_type, "user") == 0)
    {
      set_invalid (&error, _("Traffic of a card on user networking (no network or bridge of the host) "
                             "cannot be limited"));
      goto out;
    }

  virTypedParamsAddUInt (&params, &n, &max, VIR_DOMAIN_BANDWIDTH_IN_AVERAGE, l->inbound.average);
  virTypedParamsAddUInt (&params, &n, &max, VIR_DOMAIN_BANDWIDTH_IN_PEAK, l->inbound.peak);
  virTypedParamsAddUInt (&params, &n, &max, VIR_DOMAIN_BANDWIDTH_IN_BURST, l->inbound.burst);
  virTypedParamsAddUInt (&params, &n, &max, VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE, l->outbound.average);
  virTypedParamsAddUInt (&params, &n, &max, VIR_DOMAIN_BANDWIDTH_OUT_PEAK, l->outbound.peak);
  virTypedParamsAddUInt (&params, &n, &max, VIR_DOMAIN_BANDWIDTH_OUT_BURST, l->outbound.burst);
  ok = virDomainSetInterfaceParameters (ctx.dom, data->device, params, n, lodge_edit_ctx_affect_flags (&ctx)) == 0;
  if (!ok)
    set_error_explained (&error);
  virTypedParamsFree (params, n);

out:
  lodge_edit_ctx_close (&ctx);
  lodge_edit_task_return (task, ok, LODGE_EDIT_APPLIED, error);
}

/* Public API */

void
lodge_machine_editor_get_tuning_async (LodgeMachineEditor  *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));

  lodge_machine_editor_run (self, g_new0 (LodgeEditTask, 1), (GDestroyNotify) edit_task_free,
                            lodge_machine_editor_get_tuning_async, get_tuning_thread,
                            cancellable, callback, user_data);
}

LodgeMachineTuning *
lodge_machine_editor_get_tuning_finish (LodgeMachineEditor  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lodge_machine_editor_get_tuning_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cpu_task_free (CpuTask *data)
{
  lodge_edit_task_clear (&data->base);
  g_free (data);
}

void
lodge_machine_editor_set_cpu_shares_async (LodgeMachineEditor  *self,
                                           guint64              shares,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  CpuTask *data;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));

  data = g_new0 (CpuTask, 1);
  data->shares = shares;
  lodge_machine_editor_run (self, data, (GDestroyNotify) cpu_task_free,
                            lodge_machine_editor_set_cpu_shares_async, cpu_shares_thread,
                            cancellable, callback, user_data);
}

void
lodge_machine_editor_set_cpu_cap_async (LodgeMachineEditor  *self,
                                        guint                percent,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  CpuTask *data;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));

  data = g_new0 (CpuTask, 1);
  data->percent = percent;
  lodge_machine_editor_run (self, data, (GDestroyNotify) cpu_task_free,
                            lodge_machine_editor_set_cpu_cap_async, cpu_cap_thread,
                            cancellable, callback, user_data);
}

static void
sizes_task_free (SizesTask *data)
{
  lodge_edit_task_clear (&data->base);
  g_free (data);
}

void
lodge_machine_editor_set_vcpu_counts_async (LodgeMachineEditor  *self,
                                            guint                vcpus,
                                            guint                max_vcpus,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  SizesTask *data;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));

  data = g_new0 (SizesTask, 1);
  data->current = vcpus;
  data->maximum = max_vcpus;
  lodge_machine_editor_run (self, data, (GDestroyNotify) sizes_task_free,
                            lodge_machine_editor_set_vcpu_counts_async, vcpu_counts_thread,
                            cancellable, callback, user_data);
}

void
lodge_machine_editor_set_memory_sizes_async (LodgeMachineEditor  *self,
                                             guint64              memory,
                                             guint64              max_memory,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  SizesTask *data;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));

  data = g_new0 (SizesTask, 1);
  data->current = memory;
  data->maximum = max_memory;
  lodge_machine_editor_run (self, data, (GDestroyNotify) sizes_task_free,
                            lodge_machine_editor_set_memory_sizes_async, memory_sizes_thread,
                            cancellable, callback, user_data);
}

static void
memory_limits_task_free (MemoryLimitsTask *data)
{
  lodge_edit_task_clear (&data->base);
  g_free (data);
}

void
lodge_machine_editor_set_memory_limits_async (LodgeMachineEditor  *self,
                                              guint64              hard_limit,
                                              guint64              soft_limit,
                                              guint64              swap_hard_limit,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  MemoryLimitsTask *data;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));

  data = g_new0 (MemoryLimitsTask, 1);
  data->hard = hard_limit;
  data->soft = soft_limit;
  data->swap = swap_hard_limit;
  lodge_machine_editor_run (self, data, (GDestroyNotify) memory_limits_task_free,
                            lodge_machine_editor_set_memory_limits_async, memory_limits_thread,
                            cancellable, callback, user_data);
}

void
lodge_machine_editor_set_disk_limits_async (LodgeMachineEditor    *self,
                                            const char            *target,
                                            const LodgeDiskLimits *limits,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data)
{
  RateTask *data;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));
  g_return_if_fail (target != NULL);
  g_return_if_fail (limits != NULL);

  data = g_new0 (RateTask, 1);
  data->device = g_strdup (target);
  data->disk = *limits;
  lodge_machine_editor_run (self, data, (GDestroyNotify) rate_task_free,
                            lodge_machine_editor_set_disk_limits_async, disk_limits_thread,
                            cancellable, callback, user_data);
}

void
lodge_machine_editor_set_nic_limits_async (LodgeMachineEditor   *self,
                                           const char           *mac,
                                           const LodgeNicLimits *limits,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data)
{
  RateTask *data;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));
  g_return_if_fail (mac != NULL);
  g_return_if_fail (limits != NULL);

  data = g_new0 (RateTask, 1);
  data->device = g_strdup (mac);
  data->nic = *limits;
  lodge_machine_editor_run (self, data, (GDestroyNotify) rate_task_free,
                            lodge_machine_editor_set_nic_limits_async, nic_limits_thread,
                            cancellable, callback, user_data);
}
