/* bench-ui-storage.c: the Storage window's volume list over a big pool
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-ui-storage URI [VOLUMES] [RUNS]
 *
 * In process, over a host on URI (a test-driver file with one pool of
 * VOLUMES volumes, made by gen-storage-pool.py), connected beforehand as
 * the main window's host menu finds it: builds the Storage window the way
 * the win.host-storage action does (src/ui/lodge-window.c), which lists the
 * host's pools on a worker and selects the first one itself, then reports,
 * from the action, in milliseconds:
 *  - first-rows: the end of the first painted frame (GdkFrameClock
 *    "after-paint") in which the column view's first row shows its volume's
 *    name;
 *  - model-all: when the column view's model holds every volume;
 *  - all-frame: the end of the first frame painted after that;
 *  - stall: the longest the main loop went without dispatching a 4 ms
 *    timeout between the action and all-frame (what a click waits for at
 *    worst while it loads), the window's construction included;
 *  - construct: the action itself (making and presenting the window);
 *  - cpu: the main thread's CPU time from the action to first-rows.
 * A new host (new connection, new LodgeStorage) for each run; the first
 * run of the process is reported apart (types, CSS and fonts made then).
 * Lines "lodge-storage-run: key=value…" for bench-ui-storage.py. Needs a
 * display (xvfb-run). Figures only: nothing is asserted.
 */
#define G_LOG_DOMAIN "bench-ui-storage"

#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "ui/lodge-resources.h"
#include "ui/lodge-storage-page.h"

#define HEARTBEAT_MS 4
#define LIMIT_S 120

typedef struct
{
  LodgeStoragePage *page;
  GtkColumnView    *view;
  guint             expected;
  gint64            action;
  gint64            action_cpu;
  gint64            first_rows;
  gint64            first_rows_cpu;
  guint             first_rows_n;
  gint64            model_all;
  gint64            all_frame;
  gint64            last_beat;
  gint64            max_gap;
  gboolean          done;
} Run;

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (5, wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  Run *run = user_data;
  gint64 now = g_get_monotonic_time ();

  if (run->all_frame == 0)
    run->max_gap = MAX (run->max_gap, now - run->last_beat);
  run->last_beat = now;
  return G_SOURCE_CONTINUE;
}

/* A mapped label under @widget that says @text. */
static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_mapped (child))
        continue;
      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text) == 0)
        return TRUE;
      if (shows_label (child, text))
        return TRUE;
    }
  return FALSE;
}

static gboolean
shows_rows (Run *run)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (run->view));
  g_autoptr(GObject) first = NULL;

  if (g_strcmp0 (lodge_storage_page_get_volumes_page (run->page), "volumes") != 0 ||
      !gtk_widget_get_mapped (GTK_WIDGET (run->view)) || g_list_model_get_n_items (model) == 0)
    return FALSE;
  first = g_list_model_get_item (model, 0);
  return shows_label (GTK_WIDGET (run->view), lodge_storage_volume_get_name (LODGE_STORAGE_VOLUME (first)));
}

static void
after_paint_cb (GdkFrameClock *clock,
                Run           *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->first_rows == 0 && shows_rows (run))
    {
      run->first_rows = now;
      run->first_rows_cpu = thread_cpu_us ();
      run->first_rows_n = g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (run->view)));
    }
  if (run->first_rows != 0 && run->model_all != 0 && run->all_frame == 0)
    {
      run->all_frame = now;
      /* The heartbeat's gap up to this frame's end counts too. */
      run->max_gap = MAX (run->max_gap, now - run->last_beat);
      run->done = TRUE;
    }
}

static void
realize_cb (GtkWidget *widget,
            Run       *run)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint", G_CALLBACK (after_paint_cb), run);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Run        *run)
{
  if (run->model_all == 0 && g_list_model_get_n_items (model) >= run->expected)
    run->model_all = g_get_monotonic_time ();
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static LodgeHost *
connect_host (const char *uri)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LodgeHost *host = lodge_host_new (uri, &error);

  if (host == NULL)
    g_error ("%s: %s", uri, error->message);
  lodge_host_connect_async (host, NULL, store_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!lodge_host_connect_finish (host, result, &error))
    g_error ("Could not connect to %s: %s", uri, error->message);
  return host;
}

/* What lodge_window_host_storage_action() does, timed. */
static void
open_once (GtkWindow  *parent,
           const char *uri,
           guint       expected,
           const char *label)
{
  g_autoptr(LodgeHost) host = connect_host (uri);
  Run run = { .expected = expected };
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *page;
  gint64 constructed;
  gint64 end;
  guint heartbeat;

  /* Whatever the connection started (its machines) settles first. */
  spin_ms (300);

  run.action = run.last_beat = g_get_monotonic_time ();
  run.action_cpu = thread_cpu_us ();
  heartbeat = g_timeout_add (HEARTBEAT_MS, heartbeat_cb, &run);

  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Storage — bench");
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  page = lodge_storage_page_new (host);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);
  run.page = LODGE_STORAGE_PAGE (page);
  run.view = lodge_storage_page_get_volume_view (run.page);
  g_signal_connect (gtk_column_view_get_model (run.view), "items-changed", G_CALLBACK (items_changed_cb), &run);
  items_changed_cb (G_LIST_MODEL (gtk_column_view_get_model (run.view)), 0, 0, 0, &run);
  g_signal_connect (window, "realize", G_CALLBACK (realize_cb), &run);
  gtk_window_present (GTK_WINDOW (window));
  constructed = g_get_monotonic_time ();

  end = run.action + (gint64) LIMIT_S * G_USEC_PER_SEC;
  while (!run.done && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (heartbeat);
  if (!run.done)
    g_print ("lodge-storage-run: %s timeout after %d s (page %s, volumes page %s, %u volumes)\n", label,
             LIMIT_S, lodge_storage_page_get_visible_page (run.page),
             lodge_storage_page_get_volumes_page (run.page),
             g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (run.view))));
  else
    g_print ("lodge-storage-run: %s first-rows=%.1f model-all=%.1f all-frame=%.1f stall=%.1f "
             "construct=%.1f cpu=%.1f rows-at-first=%u volumes=%u\n",
             label, (run.first_rows - run.action) / 1000.0, (run.model_all - run.action) / 1000.0,
             (run.all_frame - run.action) / 1000.0, run.max_gap / 1000.0,
             (constructed - run.action) / 1000.0, (run.first_rows_cpu - run.action_cpu) / 1000.0,
             run.first_rows_n,
             g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (run.view))));

  g_signal_handlers_disconnect_by_data (gtk_column_view_get_model (run.view), &run);
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (window), &run);
  gtk_window_destroy (GTK_WINDOW (window));
  lodge_host_disconnect (host);
  spin_ms (300);
}

int
main (int   argc,
      char *argv[])
{
  const char *uri;
  guint expected;
  guint runs;
  GtkWindow *parent;

  if (argc < 2)
    {
      g_printerr ("usage: bench-ui-storage URI [VOLUMES] [RUNS]\n");
      return 2;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("bench-ui-storage: no display (run under xvfb-run)\n");
      return 77;
    }
  uri = argv[1];
  expected = argc > 2 ? (guint) atoi (argv[2]) : 5000;
  runs = argc > 3 ? (guint) atoi (argv[3]) : 5;

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

  /* The main window the action is run from. */
  parent = GTK_WINDOW (adw_application_window_new (NULL));
  gtk_window_set_default_size (parent, 1000, 700);
  gtk_window_present (parent);
  spin_ms (500);

  open_once (parent, uri, expected, "first-in-process");
  for (guint i = 0; i < runs; i++)
    {
      g_autofree char *label = g_strdup_printf ("run-%u", i + 1);

      open_once (parent, uri, expected, label);
    }

  gtk_window_destroy (parent);
  return 0;
}
