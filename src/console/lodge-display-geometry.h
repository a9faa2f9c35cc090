/* lodge-display-geometry.h: where the guest picture sits in the widget
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lodge-types.h"

G_BEGIN_DECLS

/* All in widget (logical) coordinates; scale is logical pixels per guest
 * pixel. */
typedef struct
{
  double x;
  double y;
  double width;
  double height;
  double scale;
} LodgeDisplayGeometry;

void     lodge_display_geometry_compute  (LodgeDisplayGeometry *geometry,
                                          LodgeDisplayScaling   scaling,
                                          double                zoom,
                                          int                   widget_width,
                                          int                   widget_height,
                                          int                   scale_factor,
                                          int                   guest_width,
                                          int                   guest_height);
gboolean lodge_display_geometry_to_guest (const LodgeDisplayGeometry *geometry,
                                          int                         guest_width,
                                          int                         guest_height,
                                          double                      widget_x,
                                          double                      widget_y,
                                          int                        *guest_x,
                                          int                        *guest_y);

G_END_DECLS
