/* lodge-stats-history.c: the last minutes of every machine's figures
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-stats-history"

#include "config.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "model/lodge-connection.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-machine-list.h"
#include "model/lodge-model-private.h"
#include "model/lodge-stats-history.h"

#define LENGTH LODGE_STATS_HISTORY_LENGTH

/* One ring per key: floats keep 500 machines' five minutes under 4 MB. */
typedef struct
{
  gint64             times[LENGTH];
  float              values[LODGE_STATS_N_KINDS][LENGTH];
  guint              head;          /* next slot to write */
  guint              count;
  LodgeMachineSample last;
  gboolean           has_last;
  gint64             seen;          /* monotonic µs of the last sample */
} Entry;

typedef struct
{
  guint64 cpu_busy;    /* ns */
  guint64 cpu_total;
  guint64 mem_total;   /* bytes */
  guint64 mem_used;
  guint   cpus;
  gint64  timestamp;
  gboolean ok;
} HostSample;

struct _LodgeStatsHistory
{
  GObject parent_instance;

  LodgeConnection *connection;    /* weak */
  gulong stats_handler;
  GHashTable *entries;            /* uuid → Entry */
  guint ticks;

  guint    host_holds;
  gboolean host_running;
  int host_ncpu;
  int host_nmem;
  HostSample host_last;
  guint64 host_memory_total;
  guint host_cpus;
};

G_DEFINE_FINAL_TYPE (LodgeStatsHistory, lodge_stats_history, G_TYPE_OBJECT)

enum {
  UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static Entry *
lookup_entry (LodgeStatsHistory *self,
              const char        *key,
              gboolean           create)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL && create)
    {
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->entries, g_strdup (key), entry);
    }
  return entry;
}

static void
entry_push (Entry        *entry,
            gint64        timestamp,
            const double  values[LODGE_STATS_N_KINDS])
{
  entry->times[entry->head] = timestamp;
  for (guint k = 0; k < LODGE_STATS_N_KINDS; k++)
    entry->values[k][entry->head] = (float) values[k];
  entry->head = (entry->head + 1) % LENGTH;
  entry->count = MIN (entry->count + 1, LENGTH);
}

/* Appends every sample of @from, oldest first. */
static void
entry_push_all (Entry       *entry,
                const Entry *from)
{
  guint start = (from->head + LENGTH - from->count) % LENGTH;

  for (guint i = 0; i < from->count; i++)
    {
      guint slot = (start + i) % LENGTH;
      double values[LODGE_STATS_N_KINDS];

      for (guint k = 0; k < LODGE_STATS_N_KINDS; k++)
        values[k] = from->values[k][slot];
      entry_push (entry, from->times[slot], values);
    }
}

static double
rate (guint64 now,
      guint64 before,
      double  seconds)
{
  return now >= before ? (double) (now - before) / seconds : 0.0;
}

void
lodge_stats_history_add_sample (LodgeStatsHistory        *self,
                                const char               *uuid,
                                const LodgeMachineSample *sample)
{
  double values[LODGE_STATS_N_KINDS] = { 0 };
  const LodgeMachineSample *last;
  Entry *entry;
  double seconds;

  g_return_if_fail (LODGE_IS_STATS_HISTORY (self));
  g_return_if_fail (uuid != NULL && sample != NULL);

  entry = lookup_entry (self, uuid, TRUE);
  last = &entry->last;
  entry->seen = g_get_monotonic_time ();

  if (entry->has_last && sample->timestamp == last->timestamp)
    return;

  /* A counter that went back means the machine restarted: start over. */
  if (!entry->has_last
      || sample->timestamp <= last->timestamp
      || sample->cpu_time < last->cpu_time)
    {
      entry->last = *sample;
      entry->has_last = TRUE;
      return;
    }

  seconds = (double) (sample->timestamp - last->timestamp) / G_USEC_PER_SEC;
  values[LODGE_STATS_CPU] = 100.0 * (double) (sample->cpu_time - last->cpu_time)
                            / (seconds * 1e9 * MAX (sample->vcpus, 1));
  values[LODGE_STATS_CPU] = CLAMP (values[LODGE_STATS_CPU], 0.0, 100.0);
  values[LODGE_STATS_MEMORY] = (double) sample->memory_used;
  values[LODGE_STATS_DISK_READ] = rate (sample->block_rd_bytes, last->block_rd_bytes, seconds);
  values[LODGE_STATS_DISK_WRITE] = rate (sample->block_wr_bytes, last->block_wr_bytes, seconds);
  values[LODGE_STATS_NET_RX] = rate (sample->net_rx_bytes, last->net_rx_bytes, seconds);
  values[LODGE_STATS_NET_TX] = rate (sample->net_tx_bytes, last->net_tx_bytes, seconds);

  entry_push (entry, sample->timestamp, values);
  entry->last = *sample;
}

/* Host figures, on a worker. */

/* What the host worker needs; the parameter counts and the node's size do
 * not change, so after the first read a tick costs two calls. */
typedef struct
{
  virConnectPtr conn;
  int           ncpu;
  int           nmem;
  guint         cpus;
  guint64       mem_total;
} HostRequest;

static void
host_request_free (HostRequest *request)
{
  g_clear_pointer (&request->conn, virConnectClose);
  g_free (request);
}

static void
host_stats_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  HostRequest *request = task_data;
  virConnectPtr conn = request->conn;
  HostSample *sample = g_new0 (HostSample, 1);
  virNodeCPUStatsPtr cpu = NULL;
  virNodeMemoryStatsPtr mem = NULL;
  virNodeInfo info;
  int ncpu = request->ncpu;
  int nmem = request->nmem;
  guint64 idle = 0;
  guint64 mem_free = 0;
  guint64 buffers = 0;
  guint64 cached = 0;

  sample->timestamp = g_get_monotonic_time ();

  sample->cpus = request->cpus;
  if (sample->cpus == 0 && virNodeGetInfo (conn, &info) == 0)
    {
      sample->cpus = info.cpus;
      request->mem_total = (guint64) info.memory * 1024;
    }

  if ((ncpu > 0 || virNodeGetCPUStats (conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &ncpu, 0) == 0) && ncpu > 0)
    {
      cpu = g_new0 (virNodeCPUStats, ncpu);
      if (virNodeGetCPUStats (conn, VIR_NODE_CPU_STATS_ALL_CPUS, cpu, &ncpu, 0) == 0)
        {
          for (int i = 0; i < ncpu; i++)
            {
              sample->cpu_total += cpu[i].value;
              if (g_str_equal (cpu[i].field, VIR_NODE_CPU_STATS_IDLE)
                  || g_str_equal (cpu[i].field, VIR_NODE_CPU_STATS_IOWAIT))
                idle += cpu[i].value;
              /* "utilization" is a percentage some drivers add: not time. */
              if (g_str_equal (cpu[i].field, VIR_NODE_CPU_STATS_UTILIZATION))
                sample->cpu_total -= cpu[i].value;
            }
          sample->cpu_busy = sample->cpu_total - MIN (idle, sample->cpu_total);
          sample->ok = TRUE;
        }
    }

  if ((nmem > 0 || virNodeGetMemoryStats (conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &nmem, 0) == 0)
      && nmem > 0)
    {
      mem = g_new0 (virNodeMemoryStats, nmem);
      if (virNodeGetMemoryStats (conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, mem, &nmem, 0) == 0)
        for (int i = 0; i < nmem; i++)
          {
            if (g_str_equal (mem[i].field, VIR_NODE_MEMORY_STATS_TOTAL))
              sample->mem_total = mem[i].value * 1024;
            else if (g_str_equal (mem[i].field, VIR_NODE_MEMORY_STATS_FREE))
              mem_free = mem[i].value * 1024;
            else if (g_str_equal (mem[i].field, VIR_NODE_MEMORY_STATS_BUFFERS))
              buffers = mem[i].value * 1024;
            else if (g_str_equal (mem[i].field, VIR_NODE_MEMORY_STATS_CACHED))
              cached = mem[i].value * 1024;
          }
      if (sample->mem_total > 0)
        sample->mem_used = sample->mem_total - MIN (sample->mem_total, mem_free + buffers + cached);
    }
  if (sample->mem_total == 0)
    sample->mem_total = request->mem_total;

  request->ncpu = sample->ok ? ncpu : 0;
  request->nmem = sample->mem_used > 0 ? nmem : 0;
  request->cpus = sample->cpus;
  virResetLastError ();
  g_free (cpu);
  g_free (mem);
  g_task_return_pointer (task, sample, g_free);
}

static void
lodge_stats_history_host_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  LodgeStatsHistory *self = LODGE_STATS_HISTORY (object);
  g_autofree HostSample *sample = g_task_propagate_pointer (G_TASK (result), NULL);
  HostRequest *request = g_task_get_task_data (G_TASK (result));
  double values[LODGE_STATS_N_KINDS] = { 0 };
  Entry *entry;

  self->host_running = FALSE;
  self->host_ncpu = request->ncpu;
  self->host_nmem = request->nmem;
  if (sample == NULL)
    return;

  self->host_memory_total = sample->mem_total;
  self->host_cpus = sample->cpus;

  if (sample->ok && self->host_last.ok && sample->cpu_total > self->host_last.cpu_total)
    {
      values[LODGE_STATS_CPU] = 100.0 * (double) (sample->cpu_busy - MIN (sample->cpu_busy, self->host_last.cpu_busy))
                                / (double) (sample->cpu_total - self->host_last.cpu_total);
      values[LODGE_STATS_MEMORY] = (double) sample->mem_used;
      entry = lookup_entry (self, LODGE_STATS_HOST_KEY, TRUE);
      entry->seen = sample->timestamp;
      entry_push (entry, sample->timestamp, values);
      g_signal_emit (self, signals[UPDATED], 0);
    }
  self->host_last = *sample;
}

static void
lodge_stats_history_read_host (LodgeStatsHistory *self)
{
  g_autoptr(GTask) task = NULL;
  HostRequest *request;
  virConnectPtr conn;

  if (self->host_holds == 0 || self->host_running || self->connection == NULL)
    return;

  conn = lodge_connection_ref_virconnect (self->connection);
  if (conn == NULL)
    return;

  request = g_new0 (HostRequest, 1);
  request->conn = conn;
  request->ncpu = self->host_ncpu;
  request->nmem = self->host_nmem;
  request->cpus = self->host_cpus;
  request->mem_total = self->host_memory_total;
  self->host_running = TRUE;
  task = g_task_new (self, NULL, lodge_stats_history_host_cb, NULL);
  g_task_set_source_tag (task, lodge_stats_history_read_host);
  g_task_set_task_data (task, request, (GDestroyNotify) host_request_free);
  lodge_virt_task_run_in_thread (task, host_stats_thread, &request->conn);
}

static gboolean
entry_is_stale (gpointer key,
                gpointer value,
                gpointer user_data)
{
  Entry *entry = value;
  gint64 now = *(gint64 *) user_data;

  return entry->seen < now - 10 * 60 * G_USEC_PER_SEC;
}

static void
lodge_stats_history_connection_stats_updated_cb (LodgeStatsHistory *self,
                                                 LodgeConnection   *connection)
{
  LodgeMachineList *machines = lodge_connection_get_machines (connection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (machines));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (G_LIST_MODEL (machines), i);
      LodgeMachineSample sample;

      if (lodge_machine_get_sample (machine, &sample))
        lodge_stats_history_add_sample (self, lodge_machine_get_uuid (machine), &sample);
    }

  /* Forget machines gone for ten minutes, now and then. */
  if (++self->ticks % 60 == 0)
    {
      gint64 now = g_get_monotonic_time ();

      g_hash_table_foreach_remove (self->entries, entry_is_stale, &now);
    }

  lodge_stats_history_read_host (self);
  g_signal_emit (self, signals[UPDATED], 0);
}

static void
lodge_stats_history_dispose (GObject *object)
{
  LodgeStatsHistory *self = (LodgeStatsHistory *) object;

  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->stats_handler, self->connection);
      g_object_remove_weak_pointer (G_OBJECT (self->connection), (gpointer *) &self->connection);
      self->connection = NULL;
    }

  G_OBJECT_CLASS (lodge_stats_history_parent_class)->dispose (object);
}

static void
lodge_stats_history_finalize (GObject *object)
{
  LodgeStatsHistory *self = (LodgeStatsHistory *) object;

  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (lodge_stats_history_parent_class)->finalize (object);
}

static void
lodge_stats_history_class_init (LodgeStatsHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_stats_history_dispose;
  object_class->finalize = lodge_stats_history_finalize;

  signals[UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lodge_stats_history_init (LodgeStatsHistory *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

LodgeStatsHistory *
lodge_stats_history_new (LodgeConnection *connection)
{
  LodgeStatsHistory *self = g_object_new (LODGE_TYPE_STATS_HISTORY, NULL);

  if (connection != NULL)
    {
      self->connection = connection;
      g_object_add_weak_pointer (G_OBJECT (connection), (gpointer *) &self->connection);
      self->stats_handler =
        g_signal_connect_object (connection, "stats-updated",
                                 G_CALLBACK (lodge_stats_history_connection_stats_updated_cb),
                                 self, G_CONNECT_SWAPPED);
    }
  return self;
}

LodgeStatsHistory *
lodge_stats_history_for_connection (LodgeConnection *connection)
{
  LodgeStatsHistory *history;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);

  history = g_object_get_data (G_OBJECT (connection), "lodge-stats-history");
  if (history == NULL)
    {
      history = lodge_stats_history_new (connection);
      g_object_set_data_full (G_OBJECT (connection), "lodge-stats-history", history, g_object_unref);
    }
  return history;
}

guint
lodge_stats_history_get_series (LodgeStatsHistory *self,
                                const char        *key,
                                LodgeStatsKind     kind,
                                double            *values,
                                gint64            *times,
                                guint              max)
{
  Entry *entry;
  guint n;
  guint start;

  g_return_val_if_fail (LODGE_IS_STATS_HISTORY (self), 0);
  g_return_val_if_fail (kind < LODGE_STATS_N_KINDS, 0);

  entry = key ? lookup_entry (self, key, FALSE) : NULL;
  if (entry == NULL)
    return 0;

  n = MIN (entry->count, max);
  start = (entry->head + LENGTH - n) % LENGTH;
  for (guint i = 0; i < n; i++)
    {
      guint slot = (start + i) % LENGTH;

      if (values != NULL)
        values[i] = entry->values[kind][slot];
      if (times != NULL)
        times[i] = entry->times[slot];
    }
  return n;
}

gboolean
lodge_stats_history_get_last (LodgeStatsHistory *self,
                              const char        *key,
                              LodgeStatsKind     kind,
                              double            *value)
{
  double last;

  if (lodge_stats_history_get_series (self, key, kind, &last, NULL, 1) == 0)
    return FALSE;
  if (value != NULL)
    *value = last;
  return TRUE;
}

guint
lodge_stats_history_get_n_keys (LodgeStatsHistory *self)
{
  g_return_val_if_fail (LODGE_IS_STATS_HISTORY (self), 0);

  return g_hash_table_size (self->entries)
         - (g_hash_table_contains (self->entries, LODGE_STATS_HOST_KEY) ? 1 : 0);
}

void
lodge_stats_history_hold_host (LodgeStatsHistory *self)
{
  g_return_if_fail (LODGE_IS_STATS_HISTORY (self));

  self->host_holds++;
  lodge_stats_history_read_host (self);
}

void
lodge_stats_history_release_host (LodgeStatsHistory *self)
{
  g_return_if_fail (LODGE_IS_STATS_HISTORY (self));
  g_return_if_fail (self->host_holds > 0);

  self->host_holds--;
}

guint64
lodge_stats_history_get_host_memory_total (LodgeStatsHistory *self)
{
  g_return_val_if_fail (LODGE_IS_STATS_HISTORY (self), 0);
  return self->host_memory_total;
}

guint
lodge_stats_history_get_host_cpus (LodgeStatsHistory *self)
{
  g_return_val_if_fail (LODGE_IS_STATS_HISTORY (self), 0);
  return self->host_cpus;
}

void
lodge_stats_history_adopt (LodgeStatsHistory *self,
                           LodgeStatsHistory *from,
                           const char        *uuid)
{
  Entry *old;
  Entry *current;
  g_autofree Entry *merged = NULL;

  g_return_if_fail (LODGE_IS_STATS_HISTORY (self));
  g_return_if_fail (LODGE_IS_STATS_HISTORY (from));
  g_return_if_fail (uuid != NULL);

  old = lookup_entry (from, uuid, FALSE);
  if (old == NULL || self == from)
    return;

  /* The source's samples first, then what this host recorded since. The
   * counters of the new QEMU process start afresh: rates come from this
   * host's own samples only. */
  merged = g_new0 (Entry, 1);
  entry_push_all (merged, old);
  current = lookup_entry (self, uuid, FALSE);
  if (current != NULL)
    {
      entry_push_all (merged, current);
      merged->last = current->last;
      merged->has_last = current->has_last;
      merged->seen = current->seen;
    }
  else
    merged->seen = old->seen;
  g_hash_table_insert (self->entries, g_strdup (uuid), g_steal_pointer (&merged));
}
