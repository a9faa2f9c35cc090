/* test-geometry.c: picture placement and pointer mapping
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-geometry"

#include "config.h"

#include "console/lodge-display-geometry.h"

static void
test_geometry_fit_letterbox (void)
{
  LodgeDisplayGeometry g;
  int x, y;

  /* 4:3 guest in a wide widget: bars left and right. */
  lodge_display_geometry_compute (&g, LODGE_DISPLAY_SCALING_FIT, 1.0, 1000, 480, 1, 640, 480);
  g_assert_cmpfloat (g.scale, ==, 1.0);
  g_assert_cmpfloat (g.x, ==, 180);
  g_assert_cmpfloat (g.y, ==, 0);

  g_assert_false (lodge_display_geometry_to_guest (&g, 640, 480, 179.9, 10, &x, &y));
  g_assert_cmpint (x, ==, 0);
  g_assert_true (lodge_display_geometry_to_guest (&g, 640, 480, 180, 0, &x, &y));
  g_assert_cmpint (x, ==, 0);
  g_assert_cmpint (y, ==, 0);
  g_assert_true (lodge_display_geometry_to_guest (&g, 640, 480, 819.5, 479.5, &x, &y));
  g_assert_cmpint (x, ==, 639);
  g_assert_cmpint (y, ==, 479);
  g_assert_false (lodge_display_geometry_to_guest (&g, 640, 480, 900, 100, &x, &y));
  g_assert_cmpint (x, ==, 639);

  /* Tall widget: bars above and below, scaled down by 2. */
  lodge_display_geometry_compute (&g, LODGE_DISPLAY_SCALING_FIT, 1.0, 960, 1000, 1, 1920, 1080);
  g_assert_cmpfloat (g.scale, ==, 0.5);
  g_assert_cmpfloat (g.width, ==, 960);
  g_assert_cmpfloat (g.height, ==, 540);
  g_assert_cmpfloat (g.y, ==, 230);
  g_assert_true (lodge_display_geometry_to_guest (&g, 1920, 1080, 480.2, 500.4, &x, &y));
  g_assert_cmpint (x, ==, 960);
  g_assert_cmpint (y, ==, 540);

  /* Scaled up. */
  lodge_display_geometry_compute (&g, LODGE_DISPLAY_SCALING_FIT, 1.0, 1600, 1000, 1, 800, 600);
  g_assert_cmpfloat (g.scale, ==, 1000.0 / 600);
  g_assert_true (lodge_display_geometry_to_guest (&g, 800, 600,
                                                  g.x + 400 * g.scale + 0.5,
                                                  g.y + 300 * g.scale + 0.5, &x, &y));
  g_assert_cmpint (x, ==, 400);
  g_assert_cmpint (y, ==, 300);
}

static void
test_geometry_one_to_one_hidpi (void)
{
  LodgeDisplayGeometry g;
  int x, y;

  /* Scale factor 2: a guest pixel is half a logical pixel. */
  lodge_display_geometry_compute (&g, LODGE_DISPLAY_SCALING_ONE_TO_ONE, 1.0, 800, 600, 2,
                                  1280, 800);
  g_assert_cmpfloat (g.scale, ==, 0.5);
  g_assert_cmpfloat (g.width, ==, 640);
  g_assert_cmpfloat (g.x, ==, 80);
  g_assert_cmpfloat (g.y, ==, 100);
  g_assert_true (lodge_display_geometry_to_guest (&g, 1280, 800, 80.5, 100.0, &x, &y));
  g_assert_cmpint (x, ==, 1);
  g_assert_cmpint (y, ==, 0);

  /* Odd leftover space: the origin stays on a device pixel. */
  lodge_display_geometry_compute (&g, LODGE_DISPLAY_SCALING_ONE_TO_ONE, 1.0, 101, 101, 2,
                                  100, 100);
  g_assert_cmpfloat (g.x * 2, ==, (int) (g.x * 2));

  /* Zoom 2 at scale 1 doubles. */
  lodge_display_geometry_compute (&g, LODGE_DISPLAY_SCALING_ZOOM, 2.0, 800, 600, 1, 200, 100);
  g_assert_cmpfloat (g.scale, ==, 2.0);
  g_assert_cmpfloat (g.x, ==, 200);
  g_assert_cmpfloat (g.y, ==, 200);
}

static void
test_geometry_empty (void)
{
  LodgeDisplayGeometry g;
  int x = -1, y = -1;

  lodge_display_geometry_compute (&g, LODGE_DISPLAY_SCALING_FIT, 1.0, 800, 600, 1, 0, 0);
  g_assert_false (lodge_display_geometry_to_guest (&g, 0, 0, 10, 10, &x, &y));
  g_assert_cmpint (x, ==, 0);
  g_assert_cmpint (y, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/console/geometry/fit-letterbox", test_geometry_fit_letterbox);
  g_test_add_func ("/console/geometry/one-to-one-hidpi", test_geometry_one_to_one_hidpi);
  g_test_add_func ("/console/geometry/empty", test_geometry_empty);

  return g_test_run ();
}
