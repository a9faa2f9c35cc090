/* bench-model.c: how fast the model opens, lists and samples many machines
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, as medians of several runs on libvirt's test driver:
 *   - open + list of 500 and 2,000 machines (from the URI to a filled
 *     LodgeMachineList), and the part of it spent on the main thread;
 *   - main-thread time of one stats tick with 500 running machines;
 *   - libvirt calls per stats tick.
 * Environment: LODGE_BENCH_MACHINES_500, LODGE_BENCH_MACHINES_2000,
 * LODGE_BENCH_RUNNING_500 (paths of gen-machines.py files), LODGE_BENCH_RUNS.
 */
#define G_LOG_DOMAIN "bench-model"

#include "config.h"

#include <stdlib.h>

#include "lodge-model-test.h"
#include "model/lodge-model-private.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  if (values->len == 0)
    return 0;
  if (values->len % 2 == 1)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1) +
          g_array_index (values, double, values->len / 2)) / 2;
}

static const char *
require_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run through meson (meson test --benchmark)", name);
  return value;
}

static void
bench_open (const char *label,
            const char *path,
            guint       runs)
{
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  g_autoptr(GArray) totals = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) mains = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) drivers = g_array_new (FALSE, FALSE, sizeof (double));
  guint n_items = 0;

  for (guint run = 0; run < runs; run++)
    {
      g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
      g_autoptr(GError) error = NULL;
      gint64 start;
      double total_ms;
      double main_ms;

      /* The same file opened by libvirt alone, for scale: the test
       * driver's XML parsing is most of the time. Interleaved with the
       * model's runs so that both see the same machine load. */
      {
        virConnectPtr conn;
        double ms;

        start = g_get_monotonic_time ();
        conn = virConnectOpen (uri);
        if (conn == NULL)
          g_error ("%s: %s", uri, virGetLastErrorMessage ());
        ms = (g_get_monotonic_time () - start) / 1000.0;
        virConnectClose (conn);
        g_array_append_val (drivers, ms);
      }

      lodge_connection_set_stats_interval (connection, 0);
      start = g_get_monotonic_time ();
      if (!lodge_test_open (connection, &error))
        g_error ("%s: %s", uri, error->message);
      total_ms = (g_get_monotonic_time () - start) / 1000.0;
      main_ms = lodge_connection_get_last_apply_usec (connection) / 1000.0;
      g_array_append_val (totals, total_ms);
      g_array_append_val (mains, main_ms);
      n_items = g_list_model_get_n_items (G_LIST_MODEL (lodge_connection_get_machines (connection)));
      lodge_connection_close (connection);
      /* Closing frees the driver's copy on a worker thread: let it finish
       * before the next run. */
      lodge_test_spin (300);
    }

  g_print ("open+list %-5s machines: %7.1f ms median (%u runs), of which main thread %6.1f ms "
           "(%u listed); libvirt's virConnectOpen alone: %7.1f ms\n",
           label, median (totals), runs, median (mains), n_items, median (drivers));
}

static void
stats_updated_cb (LodgeConnection *connection,
                  guint           *ticks)
{
  (*ticks)++;
}

static gboolean
tick_done (gpointer data)
{
  guint *ticks = data;
  return ticks[0] >= ticks[1];
}

static void
bench_stats (const char *path,
             guint       n_ticks)
{
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
  g_autoptr(GArray) mains = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rounds = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  guint ticks[2] = { 0, 0 };
  guint64 calls_before;
  guint n_running;

  lodge_connection_set_stats_interval (connection, 0);
  if (!lodge_test_open (connection, &error))
    g_error ("%s: %s", uri, error->message);
  n_running = lodge_machine_list_get_n_running (lodge_connection_get_machines (connection));
  g_signal_connect (connection, "stats-updated", G_CALLBACK (stats_updated_cb), &ticks[0]);

  calls_before = lodge_connection_get_stats_calls (connection);
  for (guint i = 0; i < n_ticks; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double main_us;
      double round_ms;

      ticks[1] = i + 1;
      lodge_connection_update_stats_now (connection);
      if (!lodge_test_wait_until (tick_done, ticks, 10000))
        g_error ("A stats tick did not complete");
      round_ms = (g_get_monotonic_time () - start) / 1000.0;
      main_us = (double)lodge_connection_get_last_tick_usec (connection);
      g_array_append_val (mains, main_us);
      g_array_append_val (rounds, round_ms);
    }

  g_print ("stats tick, %u running machines: main thread %6.0f us median, "
           "whole tick (worker + main) %5.1f ms median (%u ticks)\n",
           n_running, median (mains), median (rounds), n_ticks);
  g_print ("libvirt calls per stats tick: %.2f (%" G_GUINT64_FORMAT " calls for %u ticks)\n",
           (double)(lodge_connection_get_stats_calls (connection) - calls_before) / n_ticks,
           lodge_connection_get_stats_calls (connection) - calls_before, n_ticks);
}

int
main (int   argc,
      char *argv[])
{
  const char *runs_env = g_getenv ("LODGE_BENCH_RUNS");
  guint runs = runs_env != NULL ? (guint)atoi (runs_env) : 7;

  lodge_connection_init_events ();

  bench_open ("500", require_env ("LODGE_BENCH_MACHINES_500"), runs);
  bench_open ("2,000", require_env ("LODGE_BENCH_MACHINES_2000"), runs);
  bench_stats (require_env ("LODGE_BENCH_RUNNING_500"), 25);

  return 0;
}
