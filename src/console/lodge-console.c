/* lodge-console.c: process-wide settings the console's frames depend on
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-console"

#include "config.h"

#include <malloc.h>
#include <string.h>

#include "lodge-console.h"

G_DEFINE_QUARK (lodge-console-error-quark, lodge_console_error)

/* Whether the machine has a GPU that Mesa drives: a DRM render node. */
static gboolean
have_render_node (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

/**
 * lodge_console_prepare_process:
 *
 * Call once, first thing in main(), before gtk_init() or creating the
 * application: it sets environment variables GTK reads when it starts.
 *
 * The renderer: without a GPU render node (/dev/dri/renderD*), or with
 * LIBGL_ALWAYS_SOFTWARE=1, GL means llvmpipe, where GTK 4.8's GL renderer
 * redraws the whole window for every frame (a 64×64 change costs ~45 ms of
 * CPU instead of ~0.6 ms with cairo), and merely loading Mesa when the X11
 * display opens costs ~60 MiB. There it picks the cairo renderer
 * (GSK_RENDERER=cairo) and leaves GL off (GDK_DEBUG=gl-disable), unless the
 * user chose a renderer (GSK_RENDERER set) or GL options (a GDK_DEBUG that
 * mentions gl). With a GPU it changes nothing: GTK's default, GL.
 *
 * Memory: a full-screen frame needs buffers of ~8 MiB (GTK's frame image,
 * spice-client-glib's messages) that are freed right after. glibc gives such
 * a block back to the kernel when it is freed, so the next frame faults in
 * fresh zeroed pages: measured, a third of the CPU of a 1080p frame. Keeping
 * up to 64 MiB of freed heap for reuse makes them cheap.
 */
void
lodge_console_prepare_process (void)
{
  const char *debug = g_getenv ("GDK_DEBUG");

  if (g_getenv ("GSK_RENDERER") == NULL &&
      (!have_render_node () || g_strcmp0 (g_getenv ("LIBGL_ALWAYS_SOFTWARE"), "1") == 0))
    {
      g_setenv ("GSK_RENDERER", "cairo", TRUE);
      if (debug == NULL || debug[0] == '\0')
        g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
      else if (strstr (debug, "gl") == NULL)
        {
          g_autofree char *value = g_strconcat (debug, ",gl-disable", NULL);

          g_setenv ("GDK_DEBUG", value, TRUE);
        }
    }

#ifdef M_TRIM_THRESHOLD
  /* The largest value glibc allows for the first; frames up to 4K (33 MiB)
   * then come from the heap. */
  mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}
