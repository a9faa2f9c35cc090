/* bench-ui-assistant.c: the new machine assistant's first frame after the click
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, in milliseconds, the time from the "New" click (creating the
 * assistant) to the end of its first painted frame, over a parent window on
 * test:///default: the first opening in the process (templates and types
 * built), then the median, minimum and maximum of later openings, with the
 * OS database loaded and while it is still loading on a worker thread.
 * Needs a display (xvfb-run). Figures only: nothing is asserted.
 */
#define G_LOG_DOMAIN "bench-ui-assistant"

#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "ui/lodge-new-machine-assistant.h"
#include "ui/lodge-resources.h"

#define RUNS 15

/* Owns the connection the assistant is given. */
static LodgeHost *test_host;

static LodgeConnection *connection;
static double last_construct_ms;
static double last_cpu_ms;
static gint64 painted_cpu;
static GtkWindow *parent;
static gint64 painted_at;

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin_until (gboolean *flag,
            guint     limit_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) limit_s * G_USEC_PER_SEC;
  guint wake = g_timeout_add (5, wake_cb, NULL);

  while (!*flag && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static void
spin_ms (guint ms)
{
  gboolean never = FALSE;
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (5, wake_cb, NULL);

  while (!never && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

/* The main thread's CPU time: what the click costs Lodge, apart from
 * waiting for a busy machine. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  if (!*painted)
    {
      painted_at = g_get_monotonic_time ();
      painted_cpu = thread_cpu_us ();
    }
  *painted = TRUE;
}

static void
realize_cb (GtkWidget *widget,
            gboolean  *painted)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                    G_CALLBACK (after_paint_cb), painted);
}

static double
open_once (LodgeOsDatabase *db)
{
  gboolean painted = FALSE;
  LodgeNewMachineAssistant *assistant;
  gint64 clicked = g_get_monotonic_time ();
  gint64 clicked_cpu = thread_cpu_us ();

  assistant = lodge_new_machine_assistant_new (parent, connection, db, FALSE);
  last_construct_ms = (g_get_monotonic_time () - clicked) / 1000.0;
  g_signal_connect (assistant, "realize", G_CALLBACK (realize_cb), &painted);
  gtk_window_present (GTK_WINDOW (assistant));
  spin_until (&painted, 30);
  if (!painted)
    g_error ("The assistant never painted");

  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (GTK_WIDGET (assistant)), &painted);
  gtk_window_destroy (GTK_WINDOW (assistant));
  spin_ms (100);
  last_cpu_ms = (painted_cpu - clicked_cpu) / 1000.0;
  return (painted_at - clicked) / 1000.0;
}

/* The same for an empty dialog-sized AdwWindow: what any new window costs
 * here (the renderer's setup, the X round trips) whatever its content. */
static double
open_empty_once (void)
{
  gboolean painted = FALSE;
  GtkWidget *window;
  gint64 clicked = g_get_monotonic_time ();
  gint64 clicked_cpu = thread_cpu_us ();

  window = adw_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 620, 680);
  g_signal_connect (window, "realize", G_CALLBACK (realize_cb), &painted);
  gtk_window_present (GTK_WINDOW (window));
  spin_until (&painted, 30);
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (window), &painted);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_ms (100);
  last_cpu_ms = (painted_cpu - clicked_cpu) / 1000.0;
  return (painted_at - clicked) / 1000.0;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
report (const char *what,
        double     *values,
        guint       n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  g_print ("%s: median %.1f ms, min %.1f ms, max %.1f ms (%u runs)\n",
           what, values[n / 2], values[0], values[n - 1], n);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeOsDatabase) db = NULL;
  double loaded[RUNS];
  double loading[RUNS];
  double cpu[RUNS];
  double construct[RUNS];
  gboolean done = FALSE;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("bench-ui-assistant: no display (run under xvfb-run)\n");
      return 77;
    }
  g_setenv ("LODGE_FORCE_EMULATION", "1", TRUE);
  /* As src/main.c does: without a GPU, cairo and no GL (unless asked). */
  if (!g_file_test ("/dev/dri", G_FILE_TEST_IS_DIR) && g_getenv ("GSK_RENDERER") == NULL)
    {
      if (g_getenv ("GDK_DEBUG") == NULL)
        g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
      g_setenv ("GSK_RENDERER", "cairo", FALSE);
    }
  g_print ("renderer: %s\n", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "GTK's default");

  gtk_init ();
  adw_init ();
  lodge_register_resource ();

  lodge_connection_init_events ();
  /* A host's connection: the assistant reads the host's capabilities. */
  test_host = lodge_host_new ("test:///default", NULL);
  connection = g_object_ref (lodge_host_get_connection (test_host));
  lodge_connection_open_async (connection, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!lodge_connection_open_finish (connection, result, &error))
    g_error ("Could not open test:///default: %s", error->message);
  g_clear_object (&result);

  parent = GTK_WINDOW (adw_application_window_new (NULL));
  gtk_window_set_default_size (parent, 1000, 700);
  gtk_window_present (parent);
  spin_ms (500);

  /* The application's database, loaded at start-up. */
  db = lodge_os_database_new ();
  lodge_os_database_load_async (db, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  done = lodge_os_database_load_finish (db, result, &error);
  if (!done)
    g_error ("Could not load the OS database: %s", error->message);

  {
    double first = open_once (db);

    g_print ("assistant first frame, first opening: %.1f ms (main thread cpu %.1f ms, "
             "constructing %.1f ms)\n", first, last_cpu_ms, last_construct_ms);
  }
  for (guint i = 0; i < RUNS; i++)
    {
      loaded[i] = open_once (db);
      cpu[i] = last_cpu_ms;
      construct[i] = last_construct_ms;
    }
  report ("assistant first frame, database loaded", loaded, RUNS);
  report ("  main thread cpu from click to first frame", cpu, RUNS);
  report ("  constructing the assistant", construct, RUNS);

  /* A click during start-up: the database loads on a worker thread meanwhile. */
  for (guint i = 0; i < RUNS; i++)
    {
      g_autoptr(LodgeOsDatabase) fresh = lodge_os_database_new ();

      loading[i] = open_once (fresh);
      cpu[i] = last_cpu_ms;
      /* Let that load finish before the next run. */
      while (!lodge_os_database_get_loaded (fresh))
        g_main_context_iteration (NULL, TRUE);
    }
  report ("assistant first frame, database still loading", loading, RUNS);
  report ("  main thread cpu from click to first frame", cpu, RUNS);

  for (guint i = 0; i < RUNS; i++)
    {
      loaded[i] = open_empty_once ();
      cpu[i] = last_cpu_ms;
    }
  report ("baseline: an empty AdwWindow's first frame", loaded, RUNS);
  report ("  main thread cpu from click to first frame", cpu, RUNS);

  gtk_window_destroy (parent);
  g_clear_object (&connection);
  g_clear_object (&test_host);
  return 0;
}
