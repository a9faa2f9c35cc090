/* bench-details.c: what the details' monitoring costs with 500 running
 * machines (test driver): libvirt calls per stats tick, main-thread time of
 * a tick (the model applying samples + the stats history recording them),
 * and the idle CPU of Lodge and of virt-manager on the same file.
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-details MACHINES.xml [LODGE-BINARY [DETAILS-PAGE-PROGRAM]]
 * Prints figures; asserts nothing about time.
 */
#define G_LOG_DOMAIN "bench-details"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/lodge-model.h"
#include "model/lodge-model-private.h"
#include "model/lodge-stats-history.h"

#define TICKS        20
#define IDLE_SETTLE  8
#define IDLE_MEASURE 20

static LodgeConnection *connection;
static GArray *history_usec;
static GArray *tick_usec;
static gint64 tick_start;

static void
bench_before_cb (LodgeConnection *self)
{
  tick_start = g_get_monotonic_time ();
}

static void
bench_after_cb (LodgeConnection *self)
{
  gint64 history = g_get_monotonic_time () - tick_start;
  gint64 apply = lodge_connection_get_last_tick_usec (self);
  gint64 total = history + apply;

  g_array_append_val (history_usec, history);
  g_array_append_val (tick_usec, total);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
median_ms (GArray *values)
{
  g_array_sort (values, compare_int64);
  return values->len ? g_array_index (values, gint64, values->len / 2) / 1000.0 : 0.0;
}

static double
max_ms (GArray *values)
{
  gint64 max = 0;

  for (guint i = 0; i < values->len; i++)
    max = MAX (max, g_array_index (values, gint64, i));
  return max / 1000.0;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
run_in_process (const char *uri)
{
  g_autoptr(LodgeStatsHistory) history = NULL;
  guint64 calls_before;
  guint ticks_before;
  gint64 deadline;
  guint wake;

  lodge_connection_init_events ();
  connection = lodge_connection_new (uri);
  history_usec = g_array_new (FALSE, FALSE, sizeof (gint64));
  tick_usec = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Handlers run in the order connected: before, the history, after. */
  g_signal_connect (connection, "stats-updated", G_CALLBACK (bench_before_cb), NULL);
  history = lodge_stats_history_new (connection);
  g_signal_connect (connection, "stats-updated", G_CALLBACK (bench_after_cb), NULL);

  lodge_connection_set_stats_interval (connection, 1);
  lodge_connection_open_async (connection, NULL, NULL, NULL);
  wake = g_timeout_add (20, wake_cb, NULL);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (lodge_connection_get_state (connection) != LODGE_CONNECTION_STATE_CONNECTED
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  /* Two warm-up ticks, then measure. */
  while (tick_usec->len < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_array_set_size (tick_usec, 0);
  g_array_set_size (history_usec, 0);
  calls_before = lodge_connection_get_stats_calls (connection);
  ticks_before = 0;

  deadline = g_get_monotonic_time () + (TICKS + 30) * G_USEC_PER_SEC;
  while (tick_usec->len < TICKS && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  printf ("details-bench: machines running: %u\n",
          lodge_machine_list_get_n_running (lodge_connection_get_machines (connection)));
  printf ("details-bench: machines with a history: %u\n", lodge_stats_history_get_n_keys (history));
  printf ("details-bench: ticks measured: %u\n", tick_usec->len - ticks_before);
  printf ("details-bench: libvirt stats calls per tick: %.2f\n",
          tick_usec->len ? (double) (lodge_connection_get_stats_calls (connection) - calls_before) / tick_usec->len : 0.0);
  printf ("details-bench: main-thread cost of the stats history per tick: median %.3f ms, max %.3f ms\n",
          median_ms (history_usec), max_ms (history_usec));
  printf ("details-bench: main-thread cost of a tick (model + history): median %.3f ms, max %.3f ms (budget 5 ms)\n",
          median_ms (tick_usec), max_ms (tick_usec));

  lodge_connection_close (connection);
  g_clear_object (&connection);
}

/* Idle CPU of a GUI program under its own Xvfb: user+system time of the
 * process over IDLE_MEASURE seconds after IDLE_SETTLE seconds. */
static gboolean
read_cpu_ticks (GPid     pid,
                guint64 *ticks)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  after = strrchr (contents, ')');
  if (after == NULL)
    return FALSE;
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return FALSE;
  /* utime and stime: fields 14 and 15, here 11 and 12 after the name. */
  *ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  return TRUE;
}

static double
idle_cpu (const char  *label,
          const char  *command)
{
  g_autofree char *dir = g_dir_make_tmp ("lodge-bench-details-XXXXXX", NULL);
  g_autofree char *pidfile = g_build_filename (dir, "pid", NULL);
  g_autofree char *script = g_strdup_printf ("echo $$ > %s; exec %s", pidfile, command);
  g_autofree char *pid_text = NULL;
  const char *argv[] = { "xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "dbus-run-session", "--",
                         "sh", "-c", script, NULL };
  g_autoptr(GError) error = NULL;
  guint64 before = 0;
  guint64 after = 0;
  GPid runner;
  GPid pid = 0;
  double percent = -1;

  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                      | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &runner, &error))
    {
      printf ("details-bench: %s idle CPU: not measured (%s)\n", label, error->message);
      return -1;
    }

  for (int i = 0; i < 100 && pid == 0; i++)
    {
      g_usleep (G_USEC_PER_SEC / 10);
      if (g_file_get_contents (pidfile, &pid_text, NULL, NULL))
        pid = (GPid) g_ascii_strtoll (pid_text, NULL, 10);
    }

  if (pid > 0)
    {
      g_usleep (IDLE_SETTLE * G_USEC_PER_SEC);
      if (read_cpu_ticks (pid, &before))
        {
          g_usleep (IDLE_MEASURE * G_USEC_PER_SEC);
          if (read_cpu_ticks (pid, &after))
            percent = 100.0 * (double) (after - before) / sysconf (_SC_CLK_TCK) / IDLE_MEASURE;
        }
      kill (pid, SIGTERM);
    }

  waitpid (runner, NULL, 0);
  g_spawn_close_pid (runner);
  g_unlink (pidfile);
  g_rmdir (dir);

  if (percent < 0)
    printf ("details-bench: %s idle CPU: not measured (it did not stay up)\n", label);
  else
    printf ("details-bench: %s idle CPU: %.2f %% of a core (%d s after %d s)\n",
            label, percent, IDLE_MEASURE, IDLE_SETTLE);
  return percent;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *uri = NULL;
  g_autofree char *lodge_cmd = NULL;
  g_autofree char *manager_cmd = NULL;
  double lodge;
  double manager;

  if (argc < 2)
    {
      g_printerr ("usage: %s MACHINES.xml [LODGE-BINARY]\n", argv[0]);
      return 2;
    }

  uri = g_strdup_printf ("test://%s", argv[1]);
  run_in_process (uri);

  if (argc < 3 || g_getenv ("LODGE_BENCH_NO_IDLE") != NULL)
    return 0;

  /* Same file, same run, one after the other (2 cores: not side by side). */
  /* A build-tree binary finds its schema next to it (meson's data dir). */
  {
    g_autofree char *bin_dir = g_path_get_dirname (argv[2]);
    g_autofree char *schema_dir = g_build_filename (bin_dir, "..", "data", NULL);

    lodge_cmd = g_strdup_printf ("env GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR='%s' %s --connect '%s'",
                                 schema_dir, argv[2], uri);
  }
  lodge = idle_cpu ("Lodge", lodge_cmd);
  if (g_find_program_in_path ("virt-manager") != NULL)
    {
      manager_cmd = g_strdup_printf ("virt-manager --no-fork --connect '%s'", uri);
      manager = idle_cpu ("virt-manager", manager_cmd);
      if (lodge > 0 && manager > 0)
        printf ("details-bench: idle CPU virt-manager / Lodge: %.1f×\n", manager / lodge);
      else if (lodge >= 0 && manager > 0)
        printf ("details-bench: idle CPU: Lodge below the clock's resolution, virt-manager %.2f %%\n", manager);
    }
  else
    printf ("details-bench: virt-manager idle CPU: not measured (not installed)\n");

  /* The details page itself, open on a running machine of the same file:
   * ticks every second, four graphs redrawn. */
  if (argc >= 4)
    {
      g_autofree char *xml = NULL;
      g_autofree char *name = NULL;
      g_autofree char *page_cmd = NULL;
      const char *start;
      const char *end;

      if (g_file_get_contents (argv[1], &xml, NULL, NULL)
          && (start = strstr (xml, "<name>")) != NULL
          && (end = strstr (start, "</name>")) != NULL)
        name = g_strndup (start + 6, end - start - 6);
      if (name != NULL && strchr (name, '\'') == NULL)
        {
          g_autofree char *cairo_cmd = NULL;

          page_cmd = g_strdup_printf ("env LODGE_DETAILS_SHOW=overview LODGE_DETAILS_URI='%s' "
                                      "LODGE_DETAILS_MACHINE='%s' %s", uri, name, argv[3]);
          idle_cpu ("Lodge details page (1 s ticks, 4 graphs, default renderer)", page_cmd);
          /* Without a GPU the GL renderer runs on llvmpipe: most of the
           * figure above is software GL drawing each second's frame. */
          cairo_cmd = g_strdup_printf ("env GSK_RENDERER=cairo %s", page_cmd + strlen ("env "));
          idle_cpu ("Lodge details page (1 s ticks, 4 graphs, GSK_RENDERER=cairo)", cairo_cmd);
        }
    }

  return 0;
}
