/* lodge-framebuffer.h: a guest screen as a paintable (damage in, textures out)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_FRAMEBUFFER (lodge_framebuffer_get_type ())
G_DECLARE_FINAL_TYPE (LodgeFramebuffer, lodge_framebuffer, LODGE, FRAMEBUFFER, GObject)

/* Side of the square tiles the picture is cut into. */
#define LODGE_FRAMEBUFFER_TILE_SIZE 256

LodgeFramebuffer *lodge_framebuffer_new            (void);
void              lodge_framebuffer_set_surface    (LodgeFramebuffer       *self,
                                                    LodgeFramebufferFormat  format,
                                                    int                     width,
                                                    int                     height,
                                                    int                     stride,
                                                    const guint8           *data);
void              lodge_framebuffer_clear_surface  (LodgeFramebuffer       *self);
void              lodge_framebuffer_invalidate     (LodgeFramebuffer       *self,
                                                    int                     x,
                                                    int                     y,
                                                    int                     width,
                                                    int                     height);
gboolean          lodge_framebuffer_has_surface    (LodgeFramebuffer       *self);
int               lodge_framebuffer_get_width      (LodgeFramebuffer       *self);
int               lodge_framebuffer_get_height     (LodgeFramebuffer       *self);
void              lodge_framebuffer_flush          (LodgeFramebuffer       *self);
void              lodge_framebuffer_set_use_cairo  (LodgeFramebuffer       *self,
                                                    gboolean                use_cairo);
void              lodge_framebuffer_set_refresh_interval (LodgeFramebuffer *self,
                                                    guint                   interval_ms);
GdkTexture       *lodge_framebuffer_to_texture     (LodgeFramebuffer       *self);
guint64           lodge_framebuffer_get_tiles_built (LodgeFramebuffer      *self);

G_END_DECLS
