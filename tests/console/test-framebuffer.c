/* test-framebuffer.c: pixel formats and the cost of damage
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-framebuffer"

#include "config.h"

#include <string.h>

#include "console/lodge-framebuffer.h"

static guint32 *
download (LodgeFramebuffer *fb)
{
  g_autoptr(GdkTexture) texture = lodge_framebuffer_to_texture (fb);
  int w = lodge_framebuffer_get_width (fb), h = lodge_framebuffer_get_height (fb);
  guint32 *pixels = g_new (guint32, w * h);

  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, w);
  gdk_texture_download (texture, (guchar *) pixels, w * 4);
  return pixels;
}

static void
test_framebuffer_xrgb (void)
{
  g_autoptr(LodgeFramebuffer) fb = lodge_framebuffer_new ();
  /* Stride wider than the row, garbage in the x byte. */
  guint32 surface[3 * 4] = {
    0x00ff0000, 0x1200ff00, 0xff0000ff, 0xdeadbeef,
    0xab123456, 0x00000000, 0x77ffffff, 0xdeadbeef,
    0x01010101, 0x02020202, 0x03030303, 0xdeadbeef,
  };
  g_autofree guint32 *pixels = NULL;

  lodge_framebuffer_set_surface (fb, LODGE_FRAMEBUFFER_FORMAT_XRGB8888, 3, 3, 16,
                                 (const guint8 *) surface);
  pixels = download (fb);
  g_assert_cmphex (pixels[0], ==, 0xffff0000);
  g_assert_cmphex (pixels[1], ==, 0xff00ff00);
  g_assert_cmphex (pixels[2], ==, 0xff0000ff);
  g_assert_cmphex (pixels[3], ==, 0xff123456);
  g_assert_cmphex (pixels[4], ==, 0xff000000);
  g_assert_cmphex (pixels[5], ==, 0xffffffff);
  g_assert_cmphex (pixels[8], ==, 0xff030303);
}

static void
test_framebuffer_16bpp (void)
{
  g_autoptr(LodgeFramebuffer) fb = lodge_framebuffer_new ();
  guint16 rgb565[4] = { 0xf800, 0x07e0, 0x001f, 0x8410 };
  guint16 xrgb1555[4] = { 0x7c00, 0x03e0, 0x001f, 0xffff };
  g_autofree guint32 *a = NULL;
  g_autofree guint32 *b = NULL;

  lodge_framebuffer_set_surface (fb, LODGE_FRAMEBUFFER_FORMAT_RGB565, 2, 2, 4,
                                 (const guint8 *) rgb565);
  a = download (fb);
  g_assert_cmphex (a[0], ==, 0xffff0000);
  g_assert_cmphex (a[1], ==, 0xff00ff00);
  g_assert_cmphex (a[2], ==, 0xff0000ff);
  g_assert_cmphex (a[3], ==, 0xff848284);

  lodge_framebuffer_set_surface (fb, LODGE_FRAMEBUFFER_FORMAT_XRGB1555, 2, 2, 4,
                                 (const guint8 *) xrgb1555);
  b = download (fb);
  g_assert_cmphex (b[0], ==, 0xffff0000);
  g_assert_cmphex (b[1], ==, 0xff00ff00);
  g_assert_cmphex (b[2], ==, 0xff0000ff);
  g_assert_cmphex (b[3], ==, 0xffffffff);
}

static void
test_framebuffer_damage_cost (void)
{
  g_autoptr(LodgeFramebuffer) fb = lodge_framebuffer_new ();
  const int w = 1920, h = 1080;
  g_autofree guint8 *surface = g_malloc0 ((gsize) w * h * 4);
  const int columns = (w + 255) / 256, rows = (h + 255) / 256;
  guint64 before;

  lodge_framebuffer_set_surface (fb, LODGE_FRAMEBUFFER_FORMAT_XRGB8888, w, h, w * 4, surface);
  lodge_framebuffer_flush (fb);
  g_assert_cmpuint (lodge_framebuffer_get_tiles_built (fb), ==, columns * rows);

  /* Nothing damaged, nothing rebuilt. */
  before = lodge_framebuffer_get_tiles_built (fb);
  lodge_framebuffer_flush (fb);
  g_assert_cmpuint (lodge_framebuffer_get_tiles_built (fb), ==, before);

  /* Many small rectangles in one tile between two frames: one rebuild. */
  for (int i = 0; i < 1000; i++)
    lodge_framebuffer_invalidate (fb, 300 + i % 64, 10 + i % 100, 8, 8);
  lodge_framebuffer_flush (fb);
  g_assert_cmpuint (lodge_framebuffer_get_tiles_built (fb) - before, ==, 1);

  /* A 64×64 area across a corner of four tiles. */
  before = lodge_framebuffer_get_tiles_built (fb);
  lodge_framebuffer_invalidate (fb, 480, 480, 64, 64);
  lodge_framebuffer_flush (fb);
  g_assert_cmpuint (lodge_framebuffer_get_tiles_built (fb) - before, ==, 4);

  /* Out of bounds and empty rectangles are ignored, partial ones clipped. */
  before = lodge_framebuffer_get_tiles_built (fb);
  lodge_framebuffer_invalidate (fb, -100, -100, 50, 50);
  lodge_framebuffer_invalidate (fb, w, h, 10, 10);
  lodge_framebuffer_invalidate (fb, 10, 10, 0, 10);
  lodge_framebuffer_flush (fb);
  g_assert_cmpuint (lodge_framebuffer_get_tiles_built (fb) - before, ==, 0);
  lodge_framebuffer_invalidate (fb, w - 5, h - 5, 100, 100);
  lodge_framebuffer_flush (fb);
  g_assert_cmpuint (lodge_framebuffer_get_tiles_built (fb) - before, ==, 1);

  /* The change shows. */
  surface[((gsize) (h - 1) * w + (w - 1)) * 4 + 2] = 0xff;
  lodge_framebuffer_invalidate (fb, w - 1, h - 1, 1, 1);
  {
    g_autofree guint32 *pixels = download (fb);
    g_assert_cmphex (pixels[(gsize) (h - 1) * w + (w - 1)], ==, 0xffff0000);
  }

  lodge_framebuffer_clear_surface (fb);
  g_assert_false (lodge_framebuffer_has_surface (fb));
  g_assert_null (lodge_framebuffer_to_texture (fb));
}

static void
invalidate_contents_cb (GdkPaintable *paintable,
                        guint        *count)
{
  (*count)++;
}

static void
test_framebuffer_coalesced_signal (void)
{
  g_autoptr(LodgeFramebuffer) fb = lodge_framebuffer_new ();
  g_autofree guint8 *surface = g_malloc0 (640 * 480 * 4);
  guint count = 0;

  lodge_framebuffer_set_surface (fb, LODGE_FRAMEBUFFER_FORMAT_XRGB8888, 640, 480, 640 * 4,
                                 surface);
  lodge_framebuffer_flush (fb);
  g_signal_connect (fb, "invalidate-contents", G_CALLBACK (invalidate_contents_cb), &count);

  /* One redraw request per frame, however many rectangles. */
  for (int i = 0; i < 500; i++)
    lodge_framebuffer_invalidate (fb, i % 600, i % 400, 10, 10);
  g_assert_cmpuint (count, ==, 1);
  lodge_framebuffer_flush (fb);
  lodge_framebuffer_invalidate (fb, 0, 0, 1, 1);
  g_assert_cmpuint (count, ==, 2);
}

static void
test_framebuffer_refresh_interval (void)
{
  g_autoptr(LodgeFramebuffer) fb = lodge_framebuffer_new ();
  g_autofree guint8 *surface = g_malloc0 (64 * 64 * 4);
  guint count = 0;

  /* A thumbnail: at most one redraw request per interval, and the damage
   * of the interval is not lost. */
  lodge_framebuffer_set_refresh_interval (fb, 200);
  lodge_framebuffer_set_surface (fb, LODGE_FRAMEBUFFER_FORMAT_XRGB8888, 64, 64, 64 * 4, surface);
  lodge_framebuffer_flush (fb);
  g_signal_connect (fb, "invalidate-contents", G_CALLBACK (invalidate_contents_cb), &count);

  for (int i = 0; i < 100; i++)
    {
      lodge_framebuffer_invalidate (fb, i % 60, 0, 4, 4);
      lodge_framebuffer_flush (fb);
    }
  g_assert_cmpuint (count, <=, 1);
  while (count < 1)
    g_main_context_iteration (NULL, TRUE);
  lodge_framebuffer_invalidate (fb, 0, 0, 4, 4);
  while (count < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/console/framebuffer/xrgb", test_framebuffer_xrgb);
  g_test_add_func ("/console/framebuffer/16bpp", test_framebuffer_16bpp);
  g_test_add_func ("/console/framebuffer/damage-cost", test_framebuffer_damage_cost);
  g_test_add_func ("/console/framebuffer/coalesced-signal", test_framebuffer_coalesced_signal);
  g_test_add_func ("/console/framebuffer/refresh-interval", test_framebuffer_refresh_interval);

  return g_test_run ();
}
