/* lodge-graph.h: a line graph of the last minutes of a figure
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "model/lodge-stats-history.h"

G_BEGIN_DECLS

typedef enum
{
  LODGE_GRAPH_UNIT_PERCENT,          /* 0..100, fixed scale */
  LODGE_GRAPH_UNIT_BYTES,            /* scale: max-value when set, else automatic */
  LODGE_GRAPH_UNIT_BYTES_PER_SECOND, /* automatic scale */
} LodgeGraphUnit;

#define LODGE_TYPE_GRAPH (lodge_graph_get_type ())

G_DECLARE_FINAL_TYPE (LodgeGraph, lodge_graph, LODGE, GRAPH, GtkWidget)

/* Draws one or two series of a LodgeStatsHistory over the last 5 minutes
 * with GtkSnapshot, redrawn on the history's ::updated. The title and the
 * current value(s) are shown on top and given to screen readers as the
 * graph's accessible label and description. */
GtkWidget   *lodge_graph_new          (const char        *title,
                                       LodgeGraphUnit     unit);
void         lodge_graph_set_source   (LodgeGraph        *self,
                                       LodgeStatsHistory *history,
                                       const char        *key,
                                       LodgeStatsKind     kind,
                                       int                secondary_kind, /* -1: none */
                                       const char        *primary_label,
                                       const char        *secondary_label);
/* Top of the scale for LODGE_GRAPH_UNIT_BYTES (e.g. the machine's memory);
 * 0: automatic. */
void         lodge_graph_set_max_value (LodgeGraph       *self,
                                        double            max_value);
/* The text given to screen readers and shown: "12 %", "1.2 GB",
 * "Read 3.1 MB/s · Write 0 bytes/s". */
const char  *lodge_graph_get_value_text (LodgeGraph      *self);
/* Re-reads the history (done by itself on ::updated). */
void         lodge_graph_refresh       (LodgeGraph       *self);

/* Formats a value as the graph does. */
char        *lodge_graph_format_value  (LodgeGraphUnit    unit,
                                        double            value);

G_END_DECLS
