/* lodge-display-geometry.c: where the guest picture sits in the widget
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-display-geometry"

#include "config.h"

#include <math.h>

#include "lodge-display-geometry.h"

/**
 * lodge_display_geometry_compute:
 *
 * Fit keeps the aspect ratio and centres the picture (letterboxing);
 * one-to-one maps a guest pixel to a device pixel, so on a scale factor 2
 * display it is half a logical pixel.
 */
void
lodge_display_geometry_compute (LodgeDisplayGeometry *geometry,
                                LodgeDisplayScaling   scaling,
                                double                zoom,
                                int                   widget_width,
                                int                   widget_height,
                                int                   scale_factor,
                                int                   guest_width,
                                int                   guest_height)
{
  double scale;

  g_return_if_fail (geometry != NULL);

  if (scale_factor < 1)
    scale_factor = 1;

  if (guest_width <= 0 || guest_height <= 0 || widget_width <= 0 || widget_height <= 0)
    {
      *geometry = (LodgeDisplayGeometry) { 0, 0, 0, 0, 1.0 };
      return;
    }

  switch (scaling)
    {
    case LODGE_DISPLAY_SCALING_ONE_TO_ONE:
      scale = 1.0 / scale_factor;
      break;
    case LODGE_DISPLAY_SCALING_ZOOM:
      scale = (zoom > 0 ? zoom : 1.0) / scale_factor;
      break;
    case LODGE_DISPLAY_SCALING_FIT:
    default:
      scale = MIN ((double) widget_width / guest_width,
                   (double) widget_height / guest_height);
      break;
    }

  geometry->scale = scale;
  geometry->width = guest_width * scale;
  geometry->height = guest_height * scale;
  /* Centre, and snap the origin to a device pixel so that 1:1 stays sharp. */
  geometry->x = round ((widget_width - geometry->width) / 2 * scale_factor) / scale_factor;
  geometry->y = round ((widget_height - geometry->height) / 2 * scale_factor) / scale_factor;
}

/**
 * lodge_display_geometry_to_guest:
 *
 * Maps a widget point to the guest pixel under it, clamped to the guest
 * screen.
 *
 * Returns: whether the point lies on the picture (not on the letterbox)
 */
gboolean
lodge_display_geometry_to_guest (const LodgeDisplayGeometry *geometry,
                                 int                         guest_width,
                                 int                         guest_height,
                                 double                      widget_x,
                                 double                      widget_y,
                                 int                        *guest_x,
                                 int                        *guest_y)
{
  double gx, gy;
  gboolean inside;

  g_return_val_if_fail (geometry != NULL, FALSE);

  if (geometry->scale <= 0 || guest_width <= 0 || guest_height <= 0)
    {
      *guest_x = *guest_y = 0;
      return FALSE;
    }

  gx = floor ((widget_x - geometry->x) / geometry->scale);
  gy = floor ((widget_y - geometry->y) / geometry->scale);
  inside = gx >= 0 && gy >= 0 && gx < guest_width && gy < guest_height;

  *guest_x = (int) CLAMP (gx, 0, guest_width - 1);
  *guest_y = (int) CLAMP (gy, 0, guest_height - 1);
  return inside;
}
