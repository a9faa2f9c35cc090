/* lodge-stats-history.h: the last minutes of every machine's figures
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-machine.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

typedef enum
{
  LODGE_STATS_CPU,          /* percent of the machine's vCPUs, 0..100 */
  LODGE_STATS_MEMORY,       /* bytes in use */
  LODGE_STATS_DISK_READ,    /* bytes per second */
  LODGE_STATS_DISK_WRITE,
  LODGE_STATS_NET_RX,
  LODGE_STATS_NET_TX,
  LODGE_STATS_N_KINDS
} LodgeStatsKind;

/* The key of the host's own series (CPU % of all host CPUs and memory in
 * use), recorded while lodge_stats_history_hold_host() holds. */
#define LODGE_STATS_HOST_KEY "host"

/* How many samples each series keeps: 5 minutes at one a second. */
#define LODGE_STATS_HISTORY_LENGTH 300

#define LODGE_TYPE_STATS_HISTORY (lodge_stats_history_get_type ())

G_DECLARE_FINAL_TYPE (LodgeStatsHistory, lodge_stats_history, LODGE, STATS_HISTORY, GObject)

/* Follows connection's stats-updated signal (connection may be NULL, then
 * samples come only from lodge_stats_history_add_sample()). Emits
 * ::updated () after each tick it recorded. Costs no libvirt call: it reads
 * the samples the connection's one bulk call produced. */
LodgeStatsHistory *lodge_stats_history_new        (LodgeConnection          *connection);

/* The history shared by everything that shows figures of this connection,
 * made on first use and kept on the connection (a borrowed reference).
 * Call it right after lodge_connection_new() so the graphs have the past
 * minutes when a details page opens. */
LodgeStatsHistory *lodge_stats_history_for_connection (LodgeConnection  *connection);

/* Records one machine's raw counters (the connection's per-tick sample);
 * rates come from the difference to its previous sample. */
void      lodge_stats_history_add_sample  (LodgeStatsHistory        *self,
                                           const char               *uuid,
                                           const LodgeMachineSample *sample);

/* Copies the last values of a series, oldest first, into values (and their
 * g_get_monotonic_time () stamps into times when not NULL). Returns how many
 * (≤ max, ≤ LODGE_STATS_HISTORY_LENGTH); 0 for an unknown key. */
guint     lodge_stats_history_get_series  (LodgeStatsHistory        *self,
                                           const char               *key,
                                           LodgeStatsKind            kind,
                                           double                   *values,
                                           gint64                   *times,
                                           guint                     max);
/* The newest value, FALSE when there is none. */
gboolean  lodge_stats_history_get_last    (LodgeStatsHistory        *self,
                                           const char               *key,
                                           LodgeStatsKind            kind,
                                           double                   *value);
/* Number of machines (keys, without the host) with a history. */
guint     lodge_stats_history_get_n_keys  (LodgeStatsHistory        *self);

/* A machine that moved here from the host of @from keeps its graphs: its
 * samples there come before the ones recorded here. */
void      lodge_stats_history_adopt       (LodgeStatsHistory        *self,
                                           LodgeStatsHistory        *from,
                                           const char               *uuid);

/* Host figures: while held (counted: one hold per host overview shown),
 * each tick also reads virNodeGetCPUStats and virNodeGetMemoryStats on a
 * worker thread (two calls more per tick). Host memory total in bytes,
 * 0 unknown. */
void      lodge_stats_history_hold_host    (LodgeStatsHistory   *self);
void      lodge_stats_history_release_host (LodgeStatsHistory   *self);
guint64   lodge_stats_history_get_host_memory_total (LodgeStatsHistory *self);
guint     lodge_stats_history_get_host_cpus         (LodgeStatsHistory *self);

G_END_DECLS
