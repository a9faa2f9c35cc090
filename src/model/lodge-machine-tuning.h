/* lodge-machine-tuning.h: a machine's performance and limits
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the kernel gives a machine's QEMU process: CPU weight and cap,
 * memory size and limits, disk and network rates. Read and changed through
 * LodgeMachineEditor on worker threads (lodge-machine-editor-tuning.c);
 * every change holds for the running machine where libvirt allows it and
 * is saved in the definition.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-machine-editor.h"

G_BEGIN_DECLS

/* Priority as people choose it: a CPU weight (cgroup v1 cpu.shares,
 * cgroup v2 cpu.weight) relative to the host's default one. */
typedef enum
{
  LODGE_CPU_PRIORITY_LOW,
  LODGE_CPU_PRIORITY_NORMAL,
  LODGE_CPU_PRIORITY_HIGH,
  LODGE_CPU_PRIORITY_CUSTOM,   /* a weight of none of the three */
} LodgeCpuPriority;

/* A period of 100 ms; a cap of N % is a quota of N ms in it. */
#define LODGE_CPU_PERIOD_US 100000

/* Disk rates: 0 is "no limit". Total and read/write of one kind exclude
 * each other (QEMU's throttling). */
typedef struct
{
  guint64 total_bytes_sec;
  guint64 read_bytes_sec;
  guint64 write_bytes_sec;
  guint64 total_iops_sec;
  guint64 read_iops_sec;
  guint64 write_iops_sec;
} LodgeDiskLimits;

/* One direction of a network card, as libvirt's <bandwidth>: average and
 * peak in KiB/s, burst in KiB; 0 is "no limit". */
typedef struct
{
  guint average;
  guint peak;
  guint burst;
} LodgeRateLimit;

typedef struct
{
  LodgeRateLimit inbound;    /* to the machine */
  LodgeRateLimit outbound;   /* from the machine */
} LodgeNicLimits;

/* The values of one definition (the running one, or the saved one). */
typedef struct
{
  guint    vcpus;
  guint    max_vcpus;
  guint64  cpu_shares;        /* 0: not set (the host's default) or unknown */
  guint64  vcpu_period;       /* µs; 0: not set */
  gint64   vcpu_quota;        /* µs per period for each vCPU; ≤ 0: no cap */
  guint64  memory;            /* bytes: current (balloon) */
  guint64  max_memory;        /* bytes: maximum for a boot */
  guint64  hard_limit;        /* bytes; 0: none */
  guint64  soft_limit;
  guint64  swap_hard_limit;
} LodgeTuningValues;

typedef struct
{
  char            *target;    /* "vda" */
  LodgeDiskLimits  live;      /* valid when the machine runs */
  LodgeDiskLimits  config;
} LodgeDiskTuning;

typedef struct
{
  char            *mac;
  char            *net_type;  /* network, bridge, user, ethernet… */
  char            *device;    /* the host's tap device ("vnet3") while running, or NULL */
  LodgeNicLimits   live;
  LodgeNicLimits   config;
} LodgeNicTuning;

typedef struct
{
  /*< private >*/
  gatomicrefcount    ref_count;
  /*< public >*/
  gboolean           active;
  gboolean           persistent;
  guint              host_cpus;        /* 0: unknown */
  guint64            default_shares;   /* the host's weight for "Normal" */
  gboolean           has_scheduler;    /* the driver reports CPU weight and cap */
  gboolean           has_memory_limits;
  LodgeTuningValues  live;             /* valid when active */
  LodgeTuningValues  config;           /* valid when persistent */
  GPtrArray         *disks;            /* LodgeDiskTuning */
  GPtrArray         *nics;             /* LodgeNicTuning */
} LodgeMachineTuning;

#define LODGE_TYPE_MACHINE_TUNING (lodge_machine_tuning_get_type ())

GType               lodge_machine_tuning_get_type    (void) G_GNUC_CONST;
LodgeMachineTuning *lodge_machine_tuning_ref         (LodgeMachineTuning *self);
void                lodge_machine_tuning_unref       (LodgeMachineTuning *self);
/* The values in effect: the running machine's, else the saved ones. */
const LodgeTuningValues *lodge_machine_tuning_get_current (LodgeMachineTuning *self);
LodgeDiskTuning    *lodge_machine_tuning_find_disk   (LodgeMachineTuning *self,
                                                      const char         *target);
LodgeNicTuning     *lodge_machine_tuning_find_nic    (LodgeMachineTuning *self,
                                                      const char         *mac);

/* Pure helpers. */
guint64             lodge_cpu_priority_get_shares    (LodgeCpuPriority    priority,
                                                      guint64             default_shares);
LodgeCpuPriority    lodge_cpu_priority_from_shares   (guint64             shares,
                                                      guint64             default_shares);
/* A cap in % of a host core for each vCPU, 0 when none. */
guint               lodge_tuning_values_get_cap      (const LodgeTuningValues *values);
gboolean            lodge_disk_limits_equal          (const LodgeDiskLimits   *a,
                                                      const LodgeDiskLimits   *b);
gboolean            lodge_nic_limits_equal           (const LodgeNicLimits    *a,
                                                      const LodgeNicLimits    *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeMachineTuning, lodge_machine_tuning_unref)

/* Reads what the running machine has now (VIR_DOMAIN_AFFECT_LIVE) and what
 * its definition says (_CONFIG). Parts the driver cannot report are left
 * at zero. */
void                lodge_machine_editor_get_tuning_async  (LodgeMachineEditor  *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
LodgeMachineTuning *lodge_machine_editor_get_tuning_finish (LodgeMachineEditor  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* The changes below complete with lodge_machine_editor_edit_finish(). Bad
 * values are refused with LODGE_MODEL_ERROR_INVALID_ARGUMENT and a message
 * that names them; the machine is then unchanged. */

/* CPU weight (cpu_shares); 0 returns to the host's default. */
void     lodge_machine_editor_set_cpu_shares_async   (LodgeMachineEditor  *self,
                                                      guint64              shares,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* Cap of each vCPU in % of a host core (1–100; 0 removes the cap):
 * vcpu_quota over a vcpu_period of LODGE_CPU_PERIOD_US. */
void     lodge_machine_editor_set_cpu_cap_async      (LodgeMachineEditor  *self,
                                                      guint                percent,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* vCPUs now and at most, each at most the host's CPUs. The maximum changes
 * at the next start; the current count is hot-plugged when the guest
 * allows it (else it too waits for the next start). */
void     lodge_machine_editor_set_vcpu_counts_async  (LodgeMachineEditor  *self,
                                                      guint                vcpus,
                                                      guint                max_vcpus,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* Memory in bytes: current (the balloon, live up to the running maximum)
 * and maximum (next start). */
void     lodge_machine_editor_set_memory_sizes_async (LodgeMachineEditor  *self,
                                                      guint64              memory,
                                                      guint64              max_memory,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* Limits of the machine's process in bytes, 0 for none: hard (the kernel
 * reclaims, then kills, above it), soft (reclaimed first when the host runs
 * short) and memory plus swap. A hard limit below the machine's memory is
 * refused. */
void     lodge_machine_editor_set_memory_limits_async (LodgeMachineEditor *self,
                                                       guint64             hard_limit,
                                                       guint64             soft_limit,
                                                       guint64             swap_hard_limit,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
/* QEMU's I/O throttling of one disk (virDomainSetBlockIoTune). */
void     lodge_machine_editor_set_disk_limits_async  (LodgeMachineEditor    *self,
                                                      const char            *target,
                                                      const LodgeDiskLimits *limits,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
/* Traffic shaping of one card (virDomainSetInterfaceParameters); the host
 * kernel's tc does it, so a kernel without its queues refuses. */
void     lodge_machine_editor_set_nic_limits_async   (LodgeMachineEditor    *self,
                                                      const char            *mac,
                                                      const LodgeNicLimits  *limits,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);

G_END_DECLS
