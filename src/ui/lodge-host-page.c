/* lodge-host-page.c: the host at a glance
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-host-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-graph.h"
#include "ui/lodge-host-page.h"

#define TOP_N 5

struct _LodgeHostPage
{
  GtkWidget          parent_instance;

  LodgeConnection   *connection;
  LodgeStatsHistory *history;
  gboolean           holds_host;

  GtkWidget         *page;
  AdwActionRow      *host_row;
  AdwActionRow      *hardware_row;
  AdwActionRow      *running_row;
  LodgeGraph        *cpu_graph;
  LodgeGraph        *memory_graph;
  AdwActionRow      *top_rows[TOP_N];
};

G_DEFINE_FINAL_TYPE (LodgeHostPage, lodge_host_page, GTK_TYPE_WIDGET)

static int
compare_cpu (gconstpointer a,
             gconstpointer b)
{
  double ca = lodge_machine_get_cpu_usage (*(LodgeMachine * const *) a);
  double cb = lodge_machine_get_cpu_usage (*(LodgeMachine * const *) b);

  return ca < cb ? 1 : ca > cb ? -1 : 0;
}

static void
lodge_host_page_update (LodgeHostPage *self)
{
  GListModel *machines;
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *running_text = NULL;
  g_autofree char *hardware = NULL;
  guint64 memory_total;
  guint n;

  if (self->connection == NULL)
    return;

  machines = G_LIST_MODEL (lodge_connection_get_machines (self->connection));
  n = g_list_model_get_n_items (machines);
  for (guint i = 0; i < n; i++)
    {
      LodgeMachine *machine = g_list_model_get_item (machines, i);

      if (lodge_machine_is_active (machine))
        g_ptr_array_add (running, machine);
      else
        g_object_unref (machine);
    }

  running_text = g_strdup_printf (ngettext ("%u of %u machine", "%u of %u machines", n), running->len, n);
  adw_action_row_set_subtitle (self->running_row, running_text);

  memory_total = self->history ? lodge_stats_history_get_host_memory_total (self->history) : 0;
  if (memory_total > 0)
    {
      g_autofree char *memory = g_format_size (memory_total);
      guint cpus = lodge_stats_history_get_host_cpus (self->history);

      hardware = g_strdup_printf (ngettext ("%u processor · %s memory", "%u processors · %s memory", cpus),
                                  cpus, memory);
      lodge_graph_set_max_value (self->memory_graph, (double) memory_total);
    }
  adw_action_row_set_subtitle (self->hardware_row, hardware ? hardware : _("Unknown"));

  /* Top consumers: a partial sort would do, but 500 doubles sort in µs. */
  g_ptr_array_sort (running, compare_cpu);
  for (guint i = 0; i < TOP_N; i++)
    {
      AdwActionRow *row = self->top_rows[i];

      if (i < running->len)
        {
          LodgeMachine *machine = g_ptr_array_index (running, i);
          double cpu = lodge_machine_get_cpu_usage (machine);
          g_autofree char *memory = g_format_size (lodge_machine_get_memory_used (machine));
          g_autofree char *subtitle = cpu >= 0
                                      ? g_strdup_printf (_("Processor %.0f %% · memory %s"), cpu, memory)
                                      : g_strdup_printf (_("Memory %s"), memory);

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lodge_machine_get_display_name (machine));
          adw_action_row_set_subtitle (row, subtitle);
          gtk_widget_set_visible (GTK_WIDGET (row), TRUE);
        }
      else
        gtk_widget_set_visible (GTK_WIDGET (row), i == 0);
      if (i == 0 && running->len == 0)
        {
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No machine is running"));
          adw_action_row_set_subtitle (row, NULL);
        }
    }
}

static void
lodge_host_page_history_updated_cb (LodgeHostPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    lodge_host_page_update (self);
}

static void
lodge_host_page_map (GtkWidget *widget)
{
  LodgeHostPage *self = LODGE_HOST_PAGE (widget);

  GTK_WIDGET_CLASS (lodge_host_page_parent_class)->map (widget);
  /* Counted in the history: another host overview may still be shown. */
  if (self->history != NULL && !self->holds_host)
    {
      self->holds_host = TRUE;
      lodge_stats_history_hold_host (self->history);
    }
  lodge_host_page_update (self);
}

static void
lodge_host_page_unmap (GtkWidget *widget)
{
  LodgeHostPage *self = LODGE_HOST_PAGE (widget);

  if (self->history != NULL && self->holds_host)
    {
      self->holds_host = FALSE;
      lodge_stats_history_release_host (self->history);
    }
  GTK_WIDGET_CLASS (lodge_host_page_parent_class)->unmap (widget);
}

static void
lodge_host_page_dispose (GObject *object)
{
  LodgeHostPage *self = (LodgeHostPage *) object;

  g_clear_pointer (&self->page, gtk_widget_unparent);
  g_clear_object (&self->connection);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (lodge_host_page_parent_class)->dispose (object);
}

static void
lodge_host_page_class_init (LodgeHostPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_host_page_dispose;
  widget_class->map = lodge_host_page_map;
  widget_class->unmap = lodge_host_page_unmap;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static AdwActionRow *
add_row (AdwPreferencesGroup *group,
         const char          *title)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
  return ADW_ACTION_ROW (row);
}

static void
lodge_host_page_init (LodgeHostPage *self)
{
  AdwPreferencesGroup *host_group;
  AdwPreferencesGroup *graphs_group;
  AdwPreferencesGroup *top_group;
  GtkWidget *grid;

  self->page = adw_preferences_page_new ();
  gtk_widget_set_parent (self->page, GTK_WIDGET (self));

  host_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (host_group, _("Host"));
  self->host_row = add_row (host_group, _("Connection"));
  self->hardware_row = add_row (host_group, _("Hardware"));
  self->running_row = add_row (host_group, _("Running"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), host_group);

  graphs_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (graphs_group, _("Last 5 Minutes"));
  grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  self->cpu_graph = LODGE_GRAPH (lodge_graph_new (_("Host Processors"), LODGE_GRAPH_UNIT_PERCENT));
  self->memory_graph = LODGE_GRAPH (lodge_graph_new (_("Host Memory"), LODGE_GRAPH_UNIT_BYTES));
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->cpu_graph), 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->memory_graph), 1, 0, 1, 1);
  adw_preferences_group_add (graphs_group, grid);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), graphs_group);

  top_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (top_group, _("Using the Most Processor Time"));
  for (guint i = 0; i < TOP_N; i++)
    self->top_rows[i] = add_row (top_group, "");
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), top_group);
}

GtkWidget *
lodge_host_page_new (LodgeConnection   *connection,
                     LodgeStatsHistory *history)
{
  LodgeHostPage *self;
  g_autofree char *host = NULL;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (history == NULL || LODGE_IS_STATS_HISTORY (history), NULL);

  if (history == NULL)
    history = lodge_stats_history_for_connection (connection);

  self = g_object_new (LODGE_TYPE_HOST_PAGE, NULL);
  self->connection = g_object_ref (connection);
  self->history = g_object_ref (history);

  host = lodge_connection_get_hostname (connection) && *lodge_connection_get_hostname (connection)
         ? g_strdup_printf ("%s (%s)", lodge_connection_get_hostname (connection), lodge_connection_get_uri (connection))
         : g_strdup (lodge_connection_get_uri (connection));
  adw_action_row_set_subtitle (self->host_row, host);

  lodge_graph_set_source (self->cpu_graph, history, LODGE_STATS_HOST_KEY, LODGE_STATS_CPU, -1, NULL, NULL);
  lodge_graph_set_source (self->memory_graph, history, LODGE_STATS_HOST_KEY, LODGE_STATS_MEMORY, -1, NULL, NULL);
  g_signal_connect_object (history, "updated", G_CALLBACK (lodge_host_page_history_updated_cb),
                           self, G_CONNECT_SWAPPED);

  return GTK_WIDGET (self);
}
