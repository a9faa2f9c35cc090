/* lodge-test-ui.h: helpers of the test programs that show windows
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <stdlib.h>
#include <unistd.h>

#include "lodge-test.h"

typedef gboolean (*LodgeTestCheck) (gpointer data);

static inline gboolean
lodge_test_ui_wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @check holds, at most @timeout_ms; whether it
 * held. A 20 ms timer wakes the loop so that conditions outside it (a
 * file, a guest) are seen too. */
static inline gboolean
lodge_test_ui_wait_until (LodgeTestCheck check,
                          gpointer       data,
                          int            timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (20, lodge_test_ui_wake_cb, NULL);
  gboolean ok;

  while (!(ok = check (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

/* The first widget of @type below @widget, depth first. */
static inline GtkWidget *
lodge_test_ui_find_widget (GtkWidget *widget,
                           GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      found = lodge_test_ui_find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline gboolean
lodge_test_ui_never (gpointer data)
{
  return FALSE;
}

/* For people looking: with LODGE_TEST_SCREENSHOT_DIR set, the X screen
 * (ImageMagick's import) once the window has drawn what it shows now. */
static inline void
lodge_test_ui_save_screenshot (const char *name)
{
  const char *dir = g_getenv ("LODGE_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;

  if (dir == NULL)
    return;
  lodge_test_ui_wait_until (lodge_test_ui_never, NULL, 700);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root %s", path);
  if (system (command) != 0)
    g_test_message ("could not save %s", path);
}

/* What a window test on a real guest needs, or it skips: root, an X
 * display, QEMU, a libvirtd (started by $LODGE_START_LIBVIRTD when none
 * answers) and the small guest built by $LODGE_MAKE_GUEST into
 * $LODGE_GUEST_DIR. */
static inline void
lodge_test_ui_need_real_guest (void)
{
  const char *start = g_getenv ("LODGE_START_LIBVIRTD");
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");

  if (geteuid () != 0)
    lodge_test_skip_all ("not root");
  if (g_getenv ("DISPLAY") == NULL)
    lodge_test_skip_all ("no X display (run under xvfb-run)");
  if (g_find_program_in_path ("qemu-system-x86_64") == NULL)
    lodge_test_skip_all ("no qemu-system-x86_64");
  g_assert_nonnull (start);
  g_assert_nonnull (make_guest);
  g_assert_nonnull (guest_dir);

  if (!lodge_test_run ("start-libvirtd", (char *[]) { (char *) start, "start", NULL }))
    lodge_test_skip_all ("no libvirtd");
  if (!lodge_test_run ("make-guest", (char *[]) { (char *) make_guest, (char *) guest_dir, NULL }))
    lodge_test_skip_all ("could not build the test guest");
}

/* Saves what @window shows, drawn by GTK itself (no screen grabber), as
 * @name in $LODGE_TEST_SCREENSHOTS (or $LODGE_TEST_SCREENSHOT_DIR); does
 * nothing when neither is set. */
static inline void
lodge_test_ui_save_window_png (GtkWidget  *window,
                               const char *name)
{
  const char *dir = g_getenv ("LODGE_TEST_SCREENSHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL)
    dir = g_getenv ("LODGE_TEST_SCREENSHOT_DIR");
  if (dir == NULL)
    return;
  /* Lets the last frames settle; only when screenshots are asked for. */
  lodge_test_ui_wait_until (lodge_test_ui_never, NULL, 500);
  g_mkdir_with_parents (dir, 0755);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  if (!gdk_texture_save_to_png (texture, path))
    g_test_message ("could not save %s", path);
  else
    g_test_message ("saved %s", path);
}
