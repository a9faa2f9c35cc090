/* lodge-bench-gtk-floor.c: the least a GTK 4 window costs per frame
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A 1920×1080 window in which a 64×64 area changes 60 times a second, with
 * no SPICE and no console: what any GTK 4 client pays per frame for the
 * small-area workload of bench-console.py. It runs with the environment
 * Lodge gives itself (lodge_console_prepare_process()).
 */
#define G_LOG_DOMAIN "lodge-bench-gtk-floor"

#include "config.h"

#include <gtk/gtk.h>

#include "console/lodge-console.h"

static guint n_frames;

static void
floor_area_draw_cb (GtkDrawingArea *area,
                    cairo_t        *cr,
                    int             width,
                    int             height,
                    gpointer        user_data)
{
  cairo_set_source_rgb (cr, (n_frames % 256) / 255.0, 0.5, 0.25);
  cairo_paint (cr);
}

static gboolean
floor_tick_cb (gpointer user_data)
{
  n_frames++;
  gtk_widget_queue_draw (GTK_WIDGET (user_data));
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  GtkWidget *window, *fixed, *area;

  lodge_console_prepare_process ();
  gtk_init ();

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "GTK floor");
  gtk_window_set_default_size (GTK_WINDOW (window), 1920, 1080);
  fixed = gtk_fixed_new ();
  area = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 64);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 64);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), floor_area_draw_cb, NULL, NULL);
  gtk_fixed_put (GTK_FIXED (fixed), area, 500, 500);
  gtk_window_set_child (GTK_WINDOW (window), fixed);
  gtk_window_present (GTK_WINDOW (window));

  g_timeout_add (1000 / 60, floor_tick_cb, area);
  while (g_list_model_get_n_items (gtk_window_get_toplevels ()) > 0)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}
