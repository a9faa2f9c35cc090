/* lodge-graph.c: a line graph of the last minutes of a figure
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-graph"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-graph.h"

#define WINDOW_USEC   (300 * G_USEC_PER_SEC)
#define PADDING       12
#define PLOT_HEIGHT   72
#define LINE_WIDTH    2.0f

struct _LodgeGraph
{
  GtkWidget          parent_instance;

  GtkWidget         *header;
  GtkLabel          *title_label;
  GtkLabel          *value_label;

  LodgeStatsHistory *history;
  gulong             updated_handler;
  char              *key;
  LodgeStatsKind     kind;
  int                secondary_kind;
  char              *primary_label;
  char              *secondary_label;
  LodgeGraphUnit     unit;
  double             max_value;

  double             values[2][LODGE_STATS_HISTORY_LENGTH];
  gint64             times[2][LODGE_STATS_HISTORY_LENGTH];
  guint              n[2];
  gint64             now;
  char              *value_text;
};

G_DEFINE_FINAL_TYPE (LodgeGraph, lodge_graph, GTK_TYPE_WIDGET)

char *
lodge_graph_format_value (LodgeGraphUnit unit,
                          double         value)
{
  g_autofree char *size = NULL;

  switch (unit)
    {
    case LODGE_GRAPH_UNIT_PERCENT:
      /* Translators: a percentage of CPU use */
      return g_strdup_printf (_("%.0f %%"), value);
    case LODGE_GRAPH_UNIT_BYTES:
      return g_format_size ((guint64) MAX (value, 0));
    case LODGE_GRAPH_UNIT_BYTES_PER_SECOND:
    default:
      size = g_format_size ((guint64) MAX (value, 0));
      /* Translators: a rate, e.g. "3.1 MB/s" */
      return g_strdup_printf (_("%s/s"), size);
    }
}

static void
lodge_graph_update_text (LodgeGraph *self)
{
  g_autofree char *text = NULL;

  if (self->n[0] == 0)
    text = g_strdup (_("No data yet"));
  else if (self->secondary_kind < 0)
    text = lodge_graph_format_value (self->unit, self->values[0][self->n[0] - 1]);
  else
    {
      g_autofree char *a = lodge_graph_format_value (self->unit, self->values[0][self->n[0] - 1]);
      g_autofree char *b = self->n[1] > 0
                           ? lodge_graph_format_value (self->unit, self->values[1][self->n[1] - 1])
                           : g_strdup ("—");

      /* Translators: "Read 3 MB/s · Write 1 MB/s" */
      text = g_strdup_printf (_("%s %s · %s %s"),
                              self->primary_label ? self->primary_label : "", a,
                              self->secondary_label ? self->secondary_label : "", b);
    }

  if (g_strcmp0 (text, self->value_text) != 0)
    {
      g_free (self->value_text);
      self->value_text = g_steal_pointer (&text);
      gtk_label_set_text (self->value_label, self->value_text);
    }

  /* Screen readers get the shape too, in words: the highest point. */
  if (self->n[0] > 1)
    {
      double peak = 0;
      g_autofree char *peak_text = NULL;
      g_autofree char *description = NULL;

      for (guint i = 0; i < self->n[0]; i++)
        peak = MAX (peak, self->values[0][i]);
      peak_text = lodge_graph_format_value (self->unit, peak);
      /* Translators: "12 %; at most 40 % in the last 5 minutes" */
      description = g_strdup_printf (_("%s; at most %s in the last 5 minutes"), self->value_text, peak_text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
    }
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->value_text, -1);
}

void
lodge_graph_refresh (LodgeGraph *self)
{
  g_return_if_fail (LODGE_IS_GRAPH (self));

  self->n[0] = self->n[1] = 0;
  if (self->history != NULL && self->key != NULL)
    {
      self->n[0] = lodge_stats_history_get_series (self->history, self->key, self->kind,
                                                   self->values[0], self->times[0],
                                                   LODGE_STATS_HISTORY_LENGTH);
      if (self->secondary_kind >= 0)
        self->n[1] = lodge_stats_history_get_series (self->history, self->key,
                                                     (LodgeStatsKind) self->secondary_kind,
                                                     self->values[1], self->times[1],
                                                     LODGE_STATS_HISTORY_LENGTH);
    }
  self->now = g_get_monotonic_time ();

  lodge_graph_update_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lodge_graph_history_updated_cb (LodgeGraph        *self,
                                LodgeStatsHistory *history)
{
  /* Nobody sees a graph that is not mapped; read it when shown. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    lodge_graph_refresh (self);
}

static double
lodge_graph_scale_max (LodgeGraph *self)
{
  double max = 0;

  if (self->unit == LODGE_GRAPH_UNIT_PERCENT)
    return 100.0;
  if (self->unit == LODGE_GRAPH_UNIT_BYTES && self->max_value > 0)
    return self->max_value;

  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < self->n[s]; i++)
      max = MAX (max, self->values[s][i]);

  /* Round up to a calm scale; at least 1 KiB/s so idle noise stays flat. */
  max = MAX (max * 1.15, self->unit == LODGE_GRAPH_UNIT_BYTES ? 1024.0 * 1024.0 : 1024.0);
  return max;
}

static void
lodge_graph_snapshot_series (LodgeGraph            *self,
                             GtkSnapshot           *snapshot,
                             guint                  series,
                             const graphene_rect_t *plot,
                             double                 max,
                             const GdkRGBA         *line,
                             const GdkRGBA         *fill)
{
  const double *values = self->values[series];
  const gint64 *times = self->times[series];
  guint n = self->n[series];
  float prev_x;

  if (n == 0)
    return;

  /* A step graph from plain rectangles: no path API in GTK 4.8, and
   * rectangles are what GSK draws fastest. */
  prev_x = plot->origin.x + plot->size.width
           - (float) ((double) (self->now - times[0]) / WINDOW_USEC) * plot->size.width
           - 2.0f;
  for (guint i = 0; i < n; i++)
    {
      float x = plot->origin.x + plot->size.width
                - (float) ((double) (self->now - times[i]) / WINDOW_USEC) * plot->size.width;
      float left = MAX (prev_x, plot->origin.x);
      float right = MIN (x, plot->origin.x + plot->size.width);
      float h = (float) (CLAMP (values[i] / max, 0.0, 1.0) * plot->size.height);
      float top = plot->origin.y + plot->size.height - h;

      if (right > left)
        {
          gtk_snapshot_append_color (snapshot, fill,
                                     &GRAPHENE_RECT_INIT (left, top, right - left, h));
          gtk_snapshot_append_color (snapshot, line,
                                     &GRAPHENE_RECT_INIT (left, top - LINE_WIDTH / 2,
                                                          right - left, LINE_WIDTH));
        }
      /* The vertical edge between two steps keeps the line continuous. */
      if (i > 0 && right > plot->origin.x && right <= plot->origin.x + plot->size.width)
        {
          float prev_h = (float) (CLAMP (values[i - 1] / max, 0.0, 1.0) * plot->size.height);
          float y0 = plot->origin.y + plot->size.height - MAX (h, prev_h);
          float y1 = plot->origin.y + plot->size.height - MIN (h, prev_h);

          if (left > plot->origin.x)
            gtk_snapshot_append_color (snapshot, line,
                                       &GRAPHENE_RECT_INIT (left - LINE_WIDTH / 2, y0 - LINE_WIDTH / 2,
                                                            LINE_WIDTH, y1 - y0 + LINE_WIDTH));
        }
      prev_x = x;
    }
}

static void
lodge_graph_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  LodgeGraph *self = LODGE_GRAPH (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int header_height = gtk_widget_get_height (self->header);
  GdkRGBA color;
  GdkRGBA grid;
  GdkRGBA blue = { 0.208f, 0.518f, 0.894f, 1.0f };     /* Adwaita blue 3 */
  GdkRGBA blue_fill = { 0.208f, 0.518f, 0.894f, 0.25f };
  GdkRGBA orange = { 0.902f, 0.380f, 0.0f, 1.0f };      /* Adwaita orange 4 */
  GdkRGBA orange_fill = { 0.902f, 0.380f, 0.0f, 0.15f };
  graphene_rect_t plot;
  double max;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  grid = color;
  grid.alpha = 0.12f;

  plot = GRAPHENE_RECT_INIT (PADDING, header_height + 6,
                             MAX (width - 2 * PADDING, 1),
                             MAX (height - header_height - 6 - PADDING, 1));
  max = lodge_graph_scale_max (self);

  for (guint i = 0; i <= 4; i++)
    {
      float y = plot.origin.y + plot.size.height * i / 4.0f;

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (plot.origin.x, y - 0.5f, plot.size.width, 1));
    }

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (plot.origin.x, plot.origin.y - LINE_WIDTH,
                                                         plot.size.width, plot.size.height + LINE_WIDTH));
  lodge_graph_snapshot_series (self, snapshot, 0, &plot, max, &blue, &blue_fill);
  if (self->secondary_kind >= 0)
    lodge_graph_snapshot_series (self, snapshot, 1, &plot, max, &orange, &orange_fill);
  gtk_snapshot_pop (snapshot);

  gtk_widget_snapshot_child (widget, self->header, snapshot);
}

static void
lodge_graph_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  LodgeGraph *self = LODGE_GRAPH (widget);
  int child_min = 0;
  int child_nat = 0;

  gtk_widget_measure (self->header, orientation, -1, &child_min, &child_nat, NULL, NULL);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MAX (child_min, 120);
      *natural = MAX (child_nat, 240);
    }
  else
    {
      *minimum = child_min + 6 + PLOT_HEIGHT / 2 + PADDING;
      *natural = child_nat + 6 + PLOT_HEIGHT + PADDING;
    }
}

static void
lodge_graph_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  LodgeGraph *self = LODGE_GRAPH (widget);
  int header_height = 0;

  gtk_widget_measure (self->header, GTK_ORIENTATION_VERTICAL, width, NULL, &header_height, NULL, NULL);
  gtk_widget_size_allocate (self->header,
                            &(GtkAllocation) { 0, 0, width, header_height }, -1);
}

static void
lodge_graph_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lodge_graph_parent_class)->map (widget);
  lodge_graph_refresh (LODGE_GRAPH (widget));
}

static void
lodge_graph_dispose (GObject *object)
{
  LodgeGraph *self = (LodgeGraph *) object;

  if (self->history != NULL)
    g_clear_signal_handler (&self->updated_handler, self->history);
  g_clear_object (&self->history);
  g_clear_pointer (&self->header, gtk_widget_unparent);

  G_OBJECT_CLASS (lodge_graph_parent_class)->dispose (object);
}

static void
lodge_graph_finalize (GObject *object)
{
  LodgeGraph *self = (LodgeGraph *) object;

  g_free (self->key);
  g_free (self->primary_label);
  g_free (self->secondary_label);
  g_free (self->value_text);

  G_OBJECT_CLASS (lodge_graph_parent_class)->finalize (object);
}

static void
lodge_graph_class_init (LodgeGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_graph_dispose;
  object_class->finalize = lodge_graph_finalize;

  widget_class->snapshot = lodge_graph_snapshot;
  widget_class->measure = lodge_graph_measure;
  widget_class->size_allocate = lodge_graph_size_allocate;
  widget_class->map = lodge_graph_map;

  gtk_widget_class_set_css_name (widget_class, "lodge-graph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lodge_graph_init (LodgeGraph *self)
{
  GtkWidget *title;
  GtkWidget *value;

  self->secondary_kind = -1;

  self->header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_margin_start (self->header, PADDING);
  gtk_widget_set_margin_end (self->header, PADDING);
  gtk_widget_set_margin_top (self->header, 8);
  title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  value = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (value, "numeric");
  gtk_widget_add_css_class (value, "caption");
  gtk_widget_add_css_class (value, "dim-label");
  gtk_box_append (GTK_BOX (self->header), title);
  gtk_box_append (GTK_BOX (self->header), value);
  gtk_widget_set_parent (self->header, GTK_WIDGET (self));
  self->title_label = GTK_LABEL (title);
  self->value_label = GTK_LABEL (value);

  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
lodge_graph_new (const char     *title,
                 LodgeGraphUnit  unit)
{
  LodgeGraph *self = g_object_new (LODGE_TYPE_GRAPH, NULL);

  self->unit = unit;
  gtk_label_set_text (self->title_label, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  lodge_graph_update_text (self);
  return GTK_WIDGET (self);
}

void
lodge_graph_set_source (LodgeGraph        *self,
                        LodgeStatsHistory *history,
                        const char        *key,
                        LodgeStatsKind     kind,
                        int                secondary_kind,
                        const char        *primary_label,
                        const char        *secondary_label)
{
  g_return_if_fail (LODGE_IS_GRAPH (self));
  g_return_if_fail (history == NULL || LODGE_IS_STATS_HISTORY (history));

  if (self->history != NULL)
    g_clear_signal_handler (&self->updated_handler, self->history);
  g_set_object (&self->history, history);
  if (history != NULL)
    self->updated_handler =
      g_signal_connect_object (history, "updated", G_CALLBACK (lodge_graph_history_updated_cb),
                               self, G_CONNECT_SWAPPED);

  g_free (self->key);
  self->key = g_strdup (key);
  self->kind = kind;
  self->secondary_kind = secondary_kind;
  g_free (self->primary_label);
  self->primary_label = g_strdup (primary_label);
  g_free (self->secondary_label);
  self->secondary_label = g_strdup (secondary_label);

  lodge_graph_refresh (self);
}

void
lodge_graph_set_max_value (LodgeGraph *self,
                           double      max_value)
{
  g_return_if_fail (LODGE_IS_GRAPH (self));

  self->max_value = max_value;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
lodge_graph_get_value_text (LodgeGraph *self)
{
  g_return_val_if_fail (LODGE_IS_GRAPH (self), NULL);
  return self->value_text;
}
