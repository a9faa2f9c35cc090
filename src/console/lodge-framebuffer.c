/* lodge-framebuffer.c: a guest screen as a paintable (damage in, textures out)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-framebuffer"

#include "config.h"

#include <math.h>
#include <string.h>

#include "lodge-framebuffer.h"

/* GTK 4.8 has no texture builder with update regions, so the picture is cut
 * into tiles, each its own render node (a texture, or a cairo node for the
 * cairo renderer). Damage only marks tiles; when the widget draws (once per
 * frame, however many rectangles arrived in between) each damaged tile gets
 * either a new node for the whole tile or, when little of it changed, a
 * small patch node drawn over it. Unchanged tiles and patches keep their
 * node, so the renderer's diff of the frame is exactly what changed, and
 * with GL their uploaded textures stay. The surface memory belongs to the
 * backend and stays valid until lodge_framebuffer_clear_surface().
 *
 * With the cairo renderer the nodes copy nothing: they paint the backend's
 * surface itself, wrapped once in a cairo image (cairo's own RGB24 is
 * SPICE's xRGB), and the renderer reads it when it draws: one copy of the
 * damaged area less per frame (measured: ~11% of the CPU of full-screen
 * updates). cairo keeps a copy-on-write snapshot of that image in every
 * recorded node and copies it only when the image is flushed, marked dirty
 * or finished: we never do the first two, and finish it (one copy, for the
 * nodes GTK still holds) when the surface goes away, while its memory is
 * still valid. */

/* A tile with this many patches is rebuilt whole. */
#define MAX_PATCHES 16

typedef struct
{
  GskRenderNode *node;
  cairo_rectangle_int_t rect;
} Patch;

typedef struct
{
  GskRenderNode *node;
  GArray *patches;
  gboolean dirty;
  cairo_rectangle_int_t damage;
} Tile;

struct _LodgeFramebuffer
{
  GObject parent_instance;

  LodgeFramebufferFormat format;
  int width;
  int height;
  int stride;
  const guint8 *data;

  int columns;
  int rows;
  Tile *tiles;
  guint n_dirty;
  gboolean invalidation_pending;
  gboolean use_cairo;
  int margin;        /* how far cairo nodes reach beyond their area (scaled) */
  guint64 tiles_built;
  /* The surface as a cairo image, for zero-copy cairo nodes (NULL when the
   * format has no cairo equivalent). */
  cairo_surface_t *source;

  guint refresh_interval_ms;
  gint64 last_invalidation;
  guint invalidation_source;
};

static void lodge_framebuffer_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LodgeFramebuffer, lodge_framebuffer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      lodge_framebuffer_paintable_init))

static void
patch_clear (gpointer data)
{
  Patch *patch = data;

  g_clear_pointer (&patch->node, gsk_render_node_unref);
}

static void
lodge_framebuffer_release_source (LodgeFramebuffer *self)
{
  if (self->source == NULL)
    return;
  /* Nodes that GTK still holds get their own copy now, while the memory is
   * still there. */
  cairo_surface_finish (self->source);
  g_clear_pointer (&self->source, cairo_surface_destroy);
}

static cairo_surface_t *
lodge_framebuffer_get_source (LodgeFramebuffer *self)
{
  cairo_format_t format;

  if (self->source != NULL || self->data == NULL)
    return self->source;

  switch (self->format)
    {
    case LODGE_FRAMEBUFFER_FORMAT_XRGB8888:
      format = CAIRO_FORMAT_RGB24;
      break;
    case LODGE_FRAMEBUFFER_FORMAT_RGB565:
      format = CAIRO_FORMAT_RGB16_565;
      break;
    case LODGE_FRAMEBUFFER_FORMAT_XRGB1555:
    default:
      return NULL;
    }
  if (self->stride % 4 != 0 || self->stride < cairo_format_stride_for_width (format, self->width))
    return NULL;

  self->source = cairo_image_surface_create_for_data ((guint8 *) self->data, format,
                                                      self->width, self->height,
                                                      self->stride);
  if (cairo_surface_status (self->source) != CAIRO_STATUS_SUCCESS)
    g_clear_pointer (&self->source, cairo_surface_destroy);
  return self->source;
}

static void
lodge_framebuffer_free_tiles (LodgeFramebuffer *self)
{
  for (int i = 0; i < self->columns * self->rows; i++)
    {
      g_clear_pointer (&self->tiles[i].node, gsk_render_node_unref);
      g_clear_pointer (&self->tiles[i].patches, g_array_unref);
    }
  g_clear_pointer (&self->tiles, g_free);
  self->columns = self->rows = 0;
  self->n_dirty = 0;
  lodge_framebuffer_release_source (self);
}

/* Copies one row of pixels into B8G8R8A8 with alpha forced opaque: SPICE's
 * 32 bpp surface is xRGB with an undefined top byte, and GTK 4.8 has no
 * format that ignores it. */
static inline void
convert_row_xrgb8888 (guint32 *restrict dst, const guint32 *restrict src, int n)
{
  for (int i = 0; i < n; i++)
    dst[i] = src[i] | 0xff000000u;
}

static inline void
convert_row_rgb565 (guint32 *restrict dst, const guint16 *restrict src, int n)
{
  for (int i = 0; i < n; i++)
    {
      guint32 p = src[i];
      guint32 r = (p >> 11) & 0x1f, g = (p >> 5) & 0x3f, b = p & 0x1f;

      r = (r << 3) | (r >> 2);
      g = (g << 2) | (g >> 4);
      b = (b << 3) | (b >> 2);
      dst[i] = 0xff000000u | (r << 16) | (g << 8) | b;
    }
}

static inline void
convert_row_xrgb1555 (guint32 *restrict dst, const guint16 *restrict src, int n)
{
  for (int i = 0; i < n; i++)
    {
      guint32 p = src[i];
      guint32 r = (p >> 10) & 0x1f, g = (p >> 5) & 0x1f, b = p & 0x1f;

      r = (r << 3) | (r >> 2);
      g = (g << 3) | (g >> 2);
      b = (b << 3) | (b >> 2);
      dst[i] = 0xff000000u | (r << 16) | (g << 8) | b;
    }
}

/* The area (x, y, width, height) of the guest's pixels as opaque
 * B8G8R8A8 (the top byte of xRGB set), which cairo's RGB24 also reads. */
static void
convert_area (LodgeFramebuffer *self,
              int               x,
              int               y,
              int               width,
              int               height,
              guint8           *pixels,
              gsize             stride)
{
  for (int row = 0; row < height; row++)
    {
      const guint8 *src = self->data + (gsize) (y + row) * self->stride;
      guint32 *dst = (guint32 *) (pixels + (gsize) row * stride);

      switch (self->format)
        {
        case LODGE_FRAMEBUFFER_FORMAT_RGB565:
          convert_row_rgb565 (dst, (const guint16 *) src + x, width);
          break;
        case LODGE_FRAMEBUFFER_FORMAT_XRGB1555:
          convert_row_xrgb1555 (dst, (const guint16 *) src + x, width);
          break;
        case LODGE_FRAMEBUFFER_FORMAT_XRGB8888:
        default:
          convert_row_xrgb8888 (dst, (const guint32 *) src + x, width);
          break;
        }
    }
}

static GdkTexture *
lodge_framebuffer_build_texture (LodgeFramebuffer *self,
                                 int               x,
                                 int               y,
                                 int               width,
                                 int               height)
{
  g_autoptr(GBytes) bytes = NULL;
  guint32 *pixels;
  gsize dst_stride = (gsize) width * 4;

  g_assert (self->data != NULL);

  pixels = g_malloc (dst_stride * height);
  convert_area (self, x, y, width, height, (guint8 *) pixels, dst_stride);

  bytes = g_bytes_new_take (pixels, dst_stride * height);
  return gdk_memory_texture_new (width, height,
                                 GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                 bytes, dst_stride);
}

/* For the cairo renderer: GTK 4.8 converts a memory texture pixel by pixel
 * through floats every time it draws it, while a cairo node of an RGB24
 * image (xRGB, the top byte ignored, like SPICE's) is painted by pixman
 * directly and only where the frame is damaged. */
static GskRenderNode *
lodge_framebuffer_build_cairo_node (LodgeFramebuffer *self,
                                    int               x,
                                    int               y,
                                    int               width,
                                    int               height)
{
  cairo_surface_t *source = lodge_framebuffer_get_source (self);
  cairo_surface_t *surface = NULL;
  GskRenderNode *node;
  cairo_t *cr;

  if (source == NULL)
    {
      guint8 *pixels;
      int stride;

      /* No cairo format for this one: convert the area into an image of
       * our own. cairo takes the node's snapshot of it without a copy
       * because the image owns its memory and is destroyed right after
       * being recorded. */
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
      pixels = cairo_image_surface_get_data (surface);
      stride = cairo_image_surface_get_stride (surface);
      convert_area (self, x, y, width, height, pixels, stride);
      cairo_surface_mark_dirty (surface);
    }

  /* A margin on every side, which the snapshot clips away again: scaled,
   * cairo draws a node through an image of the node's own extent, and its
   * filter (as wide as the scale is small) would blend the outer rows and
   * columns with the transparency beyond: a light line of whatever is
   * under the widget on the picture's edge, a seam between tiles. With
   * the margin it blends them with their true neighbours (or, for an
   * image of our own and on the screen's edge, with themselves). */
  int m = self->margin;

  node = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (x - m, y - m, width + 2 * m, height + 2 * m));
  cr = gsk_cairo_node_get_draw_context (node);
  if (surface != NULL)
    cairo_set_source_surface (cr, surface, x, y);
  else
    cairo_set_source_surface (cr, source, 0, 0);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_rectangle (cr, x - m, y - m, width + 2 * m, height + 2 * m);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_clear_pointer (&surface, cairo_surface_destroy);
  return node;
}

static GskRenderNode *
lodge_framebuffer_build_texture_node (LodgeFramebuffer *self,
                                      int               x,
                                      int               y,
                                      int               width,
                                      int               height)
{
  g_autoptr(GdkTexture) texture = lodge_framebuffer_build_texture (self, x, y, width, height);

  return gsk_texture_node_new (texture, &GRAPHENE_RECT_INIT (x, y, width, height));
}

typedef GskRenderNode *(*BuildFunc) (LodgeFramebuffer *self,
                                     int               x,
                                     int               y,
                                     int               width,
                                     int               height);

/**
 * lodge_framebuffer_set_use_cairo:
 *
 * Whether to draw the tiles as cairo nodes (fast with GskCairoRenderer)
 * rather than textures (fast with the GL renderer). The display widget
 * picks what suits the renderer of its window.
 */
void
lodge_framebuffer_set_use_cairo (LodgeFramebuffer *self,
                                 gboolean          use_cairo)
{
  g_return_if_fail (LODGE_IS_FRAMEBUFFER (self));

  use_cairo = !!use_cairo;
  if (use_cairo == self->use_cairo)
    return;
  self->use_cairo = use_cairo;
  lodge_framebuffer_invalidate (self, 0, 0, self->width, self->height);
}

/**
 * lodge_framebuffer_flush:
 *
 * Rebuilds the textures of the damaged tiles. Drawing calls it; a caller
 * that wants the textures now (a test, a thumbnail) may too.
 */
void
lodge_framebuffer_flush (LodgeFramebuffer *self)
{
  g_return_if_fail (LODGE_IS_FRAMEBUFFER (self));

  self->invalidation_pending = FALSE;
  if (self->n_dirty == 0 || self->data == NULL)
    return;

  for (int r = 0; r < self->rows; r++)
    for (int c = 0; c < self->columns; c++)
      {
        Tile *tile = &self->tiles[r * self->columns + c];
        int x = c * LODGE_FRAMEBUFFER_TILE_SIZE;
        int y = r * LODGE_FRAMEBUFFER_TILE_SIZE;
        int w = MIN (LODGE_FRAMEBUFFER_TILE_SIZE, self->width - x);
        int h = MIN (LODGE_FRAMEBUFFER_TILE_SIZE, self->height - y);
        cairo_rectangle_int_t *d = &tile->damage;
        BuildFunc build = self->use_cairo
                          ? lodge_framebuffer_build_cairo_node
                          : lodge_framebuffer_build_texture_node;

        if (!tile->dirty)
          continue;

        if (tile->node == NULL || tile->patches->len >= MAX_PATCHES ||
            (gint64) d->width * d->height * 4 >= (gint64) w * h)
          {
            /* Much changed: a new node for the whole tile. */
            g_clear_pointer (&tile->node, gsk_render_node_unref);
            g_array_set_size (tile->patches, 0);
            tile->node = build (self, x, y, w, h);
          }
        else
          {
            Patch patch = { build (self, d->x, d->y, d->width, d->height), *d };

            /* A patch hides the older ones it covers: drop them. */
            for (guint i = tile->patches->len; i > 0; i--)
              {
                Patch *old = &g_array_index (tile->patches, Patch, i - 1);

                if (old->rect.x >= d->x && old->rect.y >= d->y &&
                    old->rect.x + old->rect.width <= d->x + d->width &&
                    old->rect.y + old->rect.height <= d->y + d->height)
                  g_array_remove_index (tile->patches, i - 1);
              }
            g_array_append_val (tile->patches, patch);
          }
        tile->dirty = FALSE;
        self->tiles_built++;
      }
  self->n_dirty = 0;
}

/* Every tile to be built again in this frame (no new frame requested). */
static void
lodge_framebuffer_mark_all_dirty (LodgeFramebuffer *self)
{
  for (int r = 0; r < self->rows; r++)
    for (int c = 0; c < self->columns; c++)
      {
        Tile *tile = &self->tiles[r * self->columns + c];
        int x = c * LODGE_FRAMEBUFFER_TILE_SIZE;
        int y = r * LODGE_FRAMEBUFFER_TILE_SIZE;

        tile->damage = (cairo_rectangle_int_t) {
          x, y,
          MIN (LODGE_FRAMEBUFFER_TILE_SIZE, self->width - x),
          MIN (LODGE_FRAMEBUFFER_TILE_SIZE, self->height - y)
        };
        if (!tile->dirty)
          self->n_dirty++;
        tile->dirty = TRUE;
      }
}

static void
lodge_framebuffer_snapshot (GdkPaintable *paintable,
                            GdkSnapshot  *snapshot,
                            double        width,
                            double        height)
{
  LodgeFramebuffer *self = LODGE_FRAMEBUFFER (paintable);
  double sx, sy;

  if (self->tiles == NULL || width <= 0 || height <= 0)
    return;

  sx = width / self->width;
  sy = height / self->height;
  /* Scaled, cairo nodes need a margin as wide as the filter of the scale:
   * when a smaller picture needs a wider one, they are built again.
   * Unscaled they need none, nor the clip that goes with it, which would
   * cost every frame (measured, a third more instructions for a 64×64
   * update). */
  if (self->use_cairo)
    {
      int margin = sx == 1.0 && sy == 1.0 ? 0 : (int) CLAMP (ceil (1.0 / MIN (sx, sy)) + 1, 2, 64);

      if ((margin == 0) != (self->margin == 0) || margin > self->margin)
        {
          self->margin = margin;
          lodge_framebuffer_mark_all_dirty (self);
        }
    }

  lodge_framebuffer_flush (self);
  for (int r = 0; r < self->rows; r++)
    for (int c = 0; c < self->columns; c++)
      {
        Tile *tile = &self->tiles[r * self->columns + c];
        int x = c * LODGE_FRAMEBUFFER_TILE_SIZE;
        int y = r * LODGE_FRAMEBUFFER_TILE_SIZE;
        int w = MIN (LODGE_FRAMEBUFFER_TILE_SIZE, self->width - x);
        int h = MIN (LODGE_FRAMEBUFFER_TILE_SIZE, self->height - y);
        double x0, y0, x1, y1;

        /* The same nodes as last frame for what did not change: the
         * renderer's diff then leaves them alone. */
        if (tile->node == NULL)
          continue;

        /* Scaled, a tile whose edge fell between two device pixels would
         * cover its share of that pixel and its neighbour the rest, both
         * blended with what is under them (and GL's texture of a cairo
         * node, or a filtered texture, fades at its edge): a light line
         * at every tile border. So each tile is stretched onto whole
         * pixels (the display places the picture on whole device pixels):
         * shared edges round alike, every pixel belongs to one tile. The
         * picture's own edges round too (a fractional fit size): cairo
         * left the last, partly covered column of pixels empty. */
        x0 = round (x * sx);
        y0 = round (y * sy);
        x1 = round ((x + w) * sx);
        y1 = round ((y + h) * sy);
        if (x1 <= x0 || y1 <= y0)
          continue;

        /* Cairo nodes reach a pixel beyond their tile (see
         * lodge_framebuffer_build_cairo_node()): each tile keeps to its
         * own whole pixels. */
        if (self->use_cairo && self->margin > 0)
          gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0));
        gtk_snapshot_save (snapshot);
        if (sx != 1.0 || sy != 1.0)
          {
            gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x0, y0));
            gtk_snapshot_scale (snapshot, (x1 - x0) / w, (y1 - y0) / h);
            gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-x, -y));
          }
        gtk_snapshot_append_node (snapshot, tile->node);
        for (guint i = 0; i < tile->patches->len; i++)
          gtk_snapshot_append_node (snapshot, g_array_index (tile->patches, Patch, i).node);
        gtk_snapshot_restore (snapshot);
        if (self->use_cairo && self->margin > 0)
          gtk_snapshot_pop (snapshot);
      }
}

static int
lodge_framebuffer_get_intrinsic_width (GdkPaintable *paintable)
{
  return LODGE_FRAMEBUFFER (paintable)->width;
}

static int
lodge_framebuffer_get_intrinsic_height (GdkPaintable *paintable)
{
  return LODGE_FRAMEBUFFER (paintable)->height;
}

static void
lodge_framebuffer_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = lodge_framebuffer_snapshot;
  iface->get_intrinsic_width = lodge_framebuffer_get_intrinsic_width;
  iface->get_intrinsic_height = lodge_framebuffer_get_intrinsic_height;
}

static void
lodge_framebuffer_finalize (GObject *object)
{
  LodgeFramebuffer *self = LODGE_FRAMEBUFFER (object);

  g_clear_handle_id (&self->invalidation_source, g_source_remove);
  lodge_framebuffer_free_tiles (self);

  G_OBJECT_CLASS (lodge_framebuffer_parent_class)->finalize (object);
}

static void
lodge_framebuffer_class_init (LodgeFramebufferClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lodge_framebuffer_finalize;

  /* Node types are registered lazily; a framebuffer may be used before
   * any widget (a thumbnail, a test). */
  g_type_ensure (GSK_TYPE_TEXTURE_NODE);
  g_type_ensure (GSK_TYPE_CAIRO_NODE);
}

static void
lodge_framebuffer_init (LodgeFramebuffer *self)
{
}

LodgeFramebuffer *
lodge_framebuffer_new (void)
{
  return g_object_new (LODGE_TYPE_FRAMEBUFFER, NULL);
}

/**
 * lodge_framebuffer_set_surface:
 * @data: the guest surface; must stay valid until the surface is cleared or
 *   replaced
 *
 * Sets a new surface; the whole of it counts as damaged.
 */
void
lodge_framebuffer_set_surface (LodgeFramebuffer       *self,
                               LodgeFramebufferFormat  format,
                               int                     width,
                               int                     height,
                               int                     stride,
                               const guint8           *data)
{
  gboolean size_changed;

  g_return_if_fail (LODGE_IS_FRAMEBUFFER (self));
  g_return_if_fail (width > 0 && height > 0 && data != NULL);
  g_return_if_fail (stride >= width * (format == LODGE_FRAMEBUFFER_FORMAT_XRGB8888 ? 4 : 2));

  size_changed = width != self->width || height != self->height;

  lodge_framebuffer_free_tiles (self);
  self->format = format;
  self->width = width;
  self->height = height;
  self->stride = stride;
  self->data = data;
  self->columns = (width + LODGE_FRAMEBUFFER_TILE_SIZE - 1) / LODGE_FRAMEBUFFER_TILE_SIZE;
  self->rows = (height + LODGE_FRAMEBUFFER_TILE_SIZE - 1) / LODGE_FRAMEBUFFER_TILE_SIZE;
  self->tiles = g_new0 (Tile, self->columns * self->rows);
  for (int i = 0; i < self->columns * self->rows; i++)
    {
      self->tiles[i].patches = g_array_new (FALSE, FALSE, sizeof (Patch));
      g_array_set_clear_func (self->tiles[i].patches, patch_clear);
    }

  if (size_changed)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  lodge_framebuffer_invalidate (self, 0, 0, width, height);
}

/**
 * lodge_framebuffer_clear_surface:
 *
 * Forgets the surface (its memory is about to go away) and the picture.
 */
void
lodge_framebuffer_clear_surface (LodgeFramebuffer *self)
{
  g_return_if_fail (LODGE_IS_FRAMEBUFFER (self));

  if (self->data == NULL && self->tiles == NULL)
    return;

  lodge_framebuffer_free_tiles (self);
  g_clear_handle_id (&self->invalidation_source, g_source_remove);
  self->invalidation_pending = FALSE;
  self->data = NULL;
  self->width = self->height = self->stride = 0;
  gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

static gboolean
lodge_framebuffer_invalidation_cb (gpointer user_data)
{
  LodgeFramebuffer *self = user_data;

  self->invalidation_source = 0;
  self->last_invalidation = g_get_monotonic_time ();
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  return G_SOURCE_REMOVE;
}

/**
 * lodge_framebuffer_invalidate:
 *
 * Marks a rectangle as changed. Cheap: it only flags tiles; the pixels are
 * copied once per frame when the picture is drawn.
 */
void
lodge_framebuffer_invalidate (LodgeFramebuffer *self,
                              int               x,
                              int               y,
                              int               width,
                              int               height)
{
  int c0, c1, r0, r1;

  g_return_if_fail (LODGE_IS_FRAMEBUFFER (self));

  if (self->tiles == NULL)
    return;

  /* Clip: a server may send anything. */
  if (x < 0)
    width += x, x = 0;
  if (y < 0)
    height += y, y = 0;
  width = MIN (width, self->width - x);
  height = MIN (height, self->height - y);
  if (width <= 0 || height <= 0)
    return;

  c0 = x / LODGE_FRAMEBUFFER_TILE_SIZE;
  c1 = (x + width - 1) / LODGE_FRAMEBUFFER_TILE_SIZE;
  r0 = y / LODGE_FRAMEBUFFER_TILE_SIZE;
  r1 = (y + height - 1) / LODGE_FRAMEBUFFER_TILE_SIZE;

  for (int r = r0; r <= r1; r++)
    for (int c = c0; c <= c1; c++)
      {
        Tile *tile = &self->tiles[r * self->columns + c];
        cairo_rectangle_int_t part = {
          MAX (x, c * LODGE_FRAMEBUFFER_TILE_SIZE),
          MAX (y, r * LODGE_FRAMEBUFFER_TILE_SIZE),
          0, 0
        };

        part.width = MIN (x + width, (c + 1) * LODGE_FRAMEBUFFER_TILE_SIZE) - part.x;
        part.height = MIN (y + height, (r + 1) * LODGE_FRAMEBUFFER_TILE_SIZE) - part.y;

        if (!tile->dirty)
          {
            tile->dirty = TRUE;
            tile->damage = part;
            self->n_dirty++;
          }
        else
          {
            /* The bounding box: the damage of a frame is mostly one area. */
            int x1 = MAX (tile->damage.x + tile->damage.width, part.x + part.width);
            int y1 = MAX (tile->damage.y + tile->damage.height, part.y + part.height);

            tile->damage.x = MIN (tile->damage.x, part.x);
            tile->damage.y = MIN (tile->damage.y, part.y);
            tile->damage.width = x1 - tile->damage.x;
            tile->damage.height = y1 - tile->damage.y;
          }
      }

  if (!self->invalidation_pending)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 next = self->last_invalidation + (gint64) self->refresh_interval_ms * 1000;

      self->invalidation_pending = TRUE;
      if (self->refresh_interval_ms == 0 || now >= next)
        {
          self->last_invalidation = now;
          gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
        }
      else if (self->invalidation_source == 0)
        self->invalidation_source = g_timeout_add ((next - now + 999) / 1000,
                                                   lodge_framebuffer_invalidation_cb, self);
    }
}

/**
 * lodge_framebuffer_set_refresh_interval:
 * @interval_ms: the least time between two redraw requests, 0 for every frame
 *
 * A library thumbnail needs one picture a second, not sixty.
 */
void
lodge_framebuffer_set_refresh_interval (LodgeFramebuffer *self,
                                        guint             interval_ms)
{
  g_return_if_fail (LODGE_IS_FRAMEBUFFER (self));
  self->refresh_interval_ms = interval_ms;
}

gboolean
lodge_framebuffer_has_surface (LodgeFramebuffer *self)
{
  g_return_val_if_fail (LODGE_IS_FRAMEBUFFER (self), FALSE);
  return self->data != NULL;
}

int
lodge_framebuffer_get_width (LodgeFramebuffer *self)
{
  g_return_val_if_fail (LODGE_IS_FRAMEBUFFER (self), 0);
  return self->width;
}

int
lodge_framebuffer_get_height (LodgeFramebuffer *self)
{
  g_return_val_if_fail (LODGE_IS_FRAMEBUFFER (self), 0);
  return self->height;
}

/**
 * lodge_framebuffer_to_texture:
 *
 * Returns: (transfer full) (nullable): the whole current picture as one
 *   texture (for a screenshot), or %NULL without a surface
 */
GdkTexture *
lodge_framebuffer_to_texture (LodgeFramebuffer *self)
{
  g_return_val_if_fail (LODGE_IS_FRAMEBUFFER (self), NULL);

  if (self->data == NULL)
    return NULL;
  return lodge_framebuffer_build_texture (self, 0, 0, self->width, self->height);
}

/**
 * lodge_framebuffer_get_tiles_built:
 *
 * Returns: how many tile textures were built so far (for tests and
 *   benchmarks: the cost of a frame is proportional to this)
 */
guint64
lodge_framebuffer_get_tiles_built (LodgeFramebuffer *self)
{
  g_return_val_if_fail (LODGE_IS_FRAMEBUFFER (self), 0);
  return self->tiles_built;
}
