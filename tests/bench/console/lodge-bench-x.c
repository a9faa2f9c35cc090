/* lodge-bench-x.c: what a benchmark needs from the X server
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   lodge-bench-x frames SECONDS   counts the frames clients put on screen
 *                                  (XDamage bursts on the root window,
 *                                  inferiors included) and prints
 *                                  "frames N"
 *   lodge-bench-x keys N KEYCODE   focuses the biggest mapped top-level
 *                                  window and presses KEYCODE N times,
 *                                  printing "press T" (CLOCK_MONOTONIC, µs)
 *                                  before each press
 *   lodge-bench-x wait-window      waits until a top-level window is mapped
 *
 * The same measure for any client, so that Lodge and remote-viewer are
 * counted alike.
 */
#define G_LOG_DOMAIN "lodge-bench-x"

#include <glib.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/XTest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Window
biggest_window (Display *dpy)
{
  Window root = DefaultRootWindow (dpy), parent, *children = NULL, best = None;
  unsigned int n = 0;
  long best_area = 0;

  if (!XQueryTree (dpy, root, &root, &parent, &children, &n))
    return None;
  for (unsigned int i = 0; i < n; i++)
    {
      XWindowAttributes attrs;

      if (XGetWindowAttributes (dpy, children[i], &attrs) && attrs.map_state == IsViewable &&
          (long) attrs.width * attrs.height > best_area)
        {
          best_area = (long) attrs.width * attrs.height;
          best = children[i];
        }
    }
  XFree (children);
  return best;
}

static int
count_frames (Display *dpy,
              double   seconds)
{
  int event_base, error_base;
  Damage damage;
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  long frames = 0;
  int fd = ConnectionNumber (dpy);

  if (!XDamageQueryExtension (dpy, &event_base, &error_base))
    {
      fprintf (stderr, "no DAMAGE extension\n");
      return 1;
    }
  damage = XDamageCreate (dpy, DefaultRootWindow (dpy), XDamageReportNonEmpty);
  XSync (dpy, False);

  while (g_get_monotonic_time () < end)
    {
      while (XPending (dpy))
        {
          XEvent event;

          XNextEvent (dpy, &event);
          if (event.type == event_base + XDamageNotify)
            {
              frames++;
              XDamageSubtract (dpy, damage, None, None);
            }
        }
      {
        fd_set set;
        struct timeval tv = { 0, 2000 };

        FD_ZERO (&set);
        FD_SET (fd, &set);
        select (fd + 1, &set, NULL, NULL, &tv);
      }
    }
  XDamageDestroy (dpy, damage);
  printf ("frames %ld\n", frames);
  return 0;
}

static int
press_keys (Display *dpy,
            int      n,
            int      keycode)
{
  Window window = biggest_window (dpy);

  if (window == None)
    {
      fprintf (stderr, "no window\n");
      return 1;
    }
  XSetInputFocus (dpy, window, RevertToParent, CurrentTime);
  XSync (dpy, False);
  g_usleep (300000);

  for (int i = 0; i < n; i++)
    {
      printf ("press %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
      fflush (stdout);
      XTestFakeKeyEvent (dpy, keycode, True, CurrentTime);
      XFlush (dpy);
      g_usleep (40000);
      XTestFakeKeyEvent (dpy, keycode, False, CurrentTime);
      XFlush (dpy);
      g_usleep (60000);
    }
  XSync (dpy, False);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  Display *dpy = XOpenDisplay (NULL);

  if (dpy == NULL)
    {
      fprintf (stderr, "cannot open the X display\n");
      return 1;
    }
  if (argc == 3 && strcmp (argv[1], "frames") == 0)
    return count_frames (dpy, g_ascii_strtod (argv[2], NULL));
  if (argc == 4 && strcmp (argv[1], "keys") == 0)
    return press_keys (dpy, atoi (argv[2]), atoi (argv[3]));
  if (argc == 2 && strcmp (argv[1], "wait-window") == 0)
    {
      gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

      while (biggest_window (dpy) == None && g_get_monotonic_time () < end)
        g_usleep (50000);
      return biggest_window (dpy) == None;
    }
  fprintf (stderr, "usage: lodge-bench-x frames SECONDS | keys N KEYCODE | wait-window\n");
  return 2;
}
