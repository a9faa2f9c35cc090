/* lodge-sidebar.c: the window's list of hosts, with "All Machines" first
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-sidebar"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-host-row.h"
#include "ui/lodge-sidebar.h"

struct _LodgeSidebar
{
  GtkWidget      parent_instance;

  LodgeHostList *hosts;
  LodgeHost     *selected_host;
  GtkWidget     *all_row;
  /* The hosts whose counts the All Machines row adds up. */
  GPtrArray     *watched;
  guint          update_source;

  GtkWidget     *box;
  AdwHeaderBar  *header_bar;
  GtkListBox    *list_box;
};

G_DEFINE_FINAL_TYPE (LodgeSidebar, lodge_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HOSTS,
  PROP_SELECTED_HOST,
  N_PROPS
};

enum {
  ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The All Machines row: how many run, of how many, on the hosts that are
 * connected. Updated once per main-loop turn however many hosts change. */
static gboolean
lodge_sidebar_update_all_cb (gpointer user_data)
{
  LodgeSidebar *self = user_data;
  guint n = 0, running = 0, connected = 0, hosts = 0;
  g_autofree char *status = NULL;

  self->update_source = 0;
  if (self->hosts != NULL)
    hosts = g_list_model_get_n_items (G_LIST_MODEL (self->hosts));
  for (guint i = 0; i < hosts; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      if (lodge_host_get_state (host) != LODGE_CONNECTION_STATE_CONNECTED)
        continue;
      connected++;
      n += lodge_host_get_n_machines (host);
      running += lodge_host_get_n_running (host);
    }

  if (connected == 0)
    status = g_strdup (hosts == 0 ? _("No hosts") : _("No host connected"));
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u running", "%u of %u running", n),
                              running, n);
  lodge_host_row_set_status (LODGE_HOST_ROW (self->all_row), status);
  return G_SOURCE_REMOVE;
}

static void
lodge_sidebar_queue_update_all (LodgeSidebar *self)
{
  if (self->update_source == 0)
    self->update_source = g_idle_add (lodge_sidebar_update_all_cb, self);
}

static void
lodge_sidebar_host_notify_cb (LodgeSidebar *self,
                              GParamSpec   *pspec,
                              LodgeHost    *host)
{
  lodge_sidebar_queue_update_all (self);
}

static void
lodge_sidebar_unwatch_all (LodgeSidebar *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i),
                                          lodge_sidebar_host_notify_cb, self);
  g_ptr_array_set_size (self->watched, 0);
}

static void
lodge_sidebar_hosts_items_changed_cb (LodgeSidebar *self,
                                      guint         position,
                                      guint         removed,
                                      guint         added,
                                      GListModel   *hosts)
{
  guint n = g_list_model_get_n_items (hosts);

  lodge_sidebar_unwatch_all (self);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (hosts, i);

      g_signal_connect_object (host, "notify::state", G_CALLBACK (lodge_sidebar_host_notify_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (host, "notify::n-machines", G_CALLBACK (lodge_sidebar_host_notify_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (host, "notify::n-running", G_CALLBACK (lodge_sidebar_host_notify_cb),
                               self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->watched, g_object_ref (host));
    }
  lodge_sidebar_queue_update_all (self);

  /* A removed host that was shown: show them all. */
  if (self->selected_host != NULL &&
      lodge_host_list_find (LODGE_HOST_LIST (hosts), self->selected_host) < 0)
    lodge_sidebar_select_host (self, NULL);
}

static GtkWidget *
lodge_sidebar_create_row_cb (gpointer item,
                             gpointer user_data)
{
  return lodge_host_row_new (item);
}

/* The list box holds the All Machines row first, then the bound hosts: a
 * bound list box takes no other rows, so the first row is a header of
 * the list instead; see lodge_sidebar_set_hosts(). */

static void
lodge_sidebar_list_box_row_selected_cb (LodgeSidebar  *self,
                                        GtkListBoxRow *row,
                                        GtkListBox    *list_box)
{
  LodgeHost *host = NULL;

  if (row == NULL)
    return;
  if (LODGE_IS_HOST_ROW (row))
    host = lodge_host_row_get_host (LODGE_HOST_ROW (row));
  if (host == self->selected_host)
    return;

  g_set_object (&self->selected_host, host);
  /* One selection across both lists. */
  if (host != NULL)
    gtk_list_box_unselect_all (GTK_LIST_BOX (gtk_widget_get_parent (self->all_row)));
  else
    gtk_list_box_unselect_all (self->list_box);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_HOST]);
}

static void
lodge_sidebar_list_box_row_activated_cb (LodgeSidebar  *self,
                                         GtkListBoxRow *row,
                                         GtkListBox    *list_box)
{
  g_signal_emit (self, signals[ACTIVATED], 0);
}

static void
lodge_sidebar_dispose (GObject *object)
{
  LodgeSidebar *self = LODGE_SIDEBAR (object);

  g_clear_handle_id (&self->update_source, g_source_remove);
  if (self->watched != NULL)
    lodge_sidebar_unwatch_all (self);
  if (self->hosts != NULL)
    g_signal_handlers_disconnect_by_data (self->hosts, self);
  g_clear_object (&self->hosts);
  g_clear_object (&self->selected_host);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_SIDEBAR);

  G_OBJECT_CLASS (lodge_sidebar_parent_class)->dispose (object);
}

static void
lodge_sidebar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LodgeSidebar *self = LODGE_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_HOSTS:
      g_value_set_object (value, self->hosts);
      break;
    case PROP_SELECTED_HOST:
      g_value_set_object (value, self->selected_host);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_sidebar_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LodgeSidebar *self = LODGE_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_HOSTS:
      lodge_sidebar_set_hosts (self, g_value_get_object (value));
      break;
    case PROP_SELECTED_HOST:
      lodge_sidebar_select_host (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_sidebar_class_init (LodgeSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_sidebar_dispose;
  object_class->get_property = lodge_sidebar_get_property;
  object_class->set_property = lodge_sidebar_set_property;

  properties[PROP_HOSTS] =
    g_param_spec_object ("hosts", NULL, NULL, LODGE_TYPE_HOST_LIST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_HOST] =
    g_param_spec_object ("selected-host", NULL, NULL, LODGE_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACTIVATED] = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeSidebar, box);
  gtk_widget_class_bind_template_child (widget_class, LodgeSidebar, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LodgeSidebar, list_box);
  gtk_widget_class_bind_template_callback (widget_class, lodge_sidebar_list_box_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_sidebar_list_box_row_activated_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lodge-sidebar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lodge_sidebar_init (LodgeSidebar *self)
{
  GtkWidget *all_box;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);

  /* All Machines, in a list box of its own above the hosts' (a list box
   * bound to a model takes no other rows). */
  all_box = gtk_list_box_new ();
  gtk_widget_add_css_class (all_box, "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (all_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("All Machines"),
                                  -1);
  self->all_row = lodge_host_row_new (NULL);
  gtk_list_box_append (GTK_LIST_BOX (all_box), self->all_row);
  g_signal_connect_object (all_box, "row-selected",
                           G_CALLBACK (lodge_sidebar_list_box_row_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (all_box, "row-activated",
                           G_CALLBACK (lodge_sidebar_list_box_row_activated_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_insert_child_after (GTK_BOX (self->box), all_box, GTK_WIDGET (self->header_bar));
  gtk_box_insert_child_after (GTK_BOX (self->box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL),
                              all_box);
  gtk_list_box_select_row (GTK_LIST_BOX (all_box), GTK_LIST_BOX_ROW (self->all_row));
  lodge_sidebar_queue_update_all (self);
}

GtkWidget *
lodge_sidebar_new (void)
{
  return g_object_new (LODGE_TYPE_SIDEBAR, NULL);
}

void
lodge_sidebar_set_hosts (LodgeSidebar  *self,
                         LodgeHostList *hosts)
{
  g_return_if_fail (LODGE_IS_SIDEBAR (self));
  g_return_if_fail (hosts == NULL || LODGE_IS_HOST_LIST (hosts));

  if (self->hosts == hosts)
    return;
  if (self->hosts != NULL)
    g_signal_handlers_disconnect_by_data (self->hosts, self);
  g_set_object (&self->hosts, hosts);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (hosts),
                           lodge_sidebar_create_row_cb, self, NULL);
  if (hosts != NULL)
    {
      g_signal_connect_object (hosts, "items-changed",
                               G_CALLBACK (lodge_sidebar_hosts_items_changed_cb), self,
                               G_CONNECT_SWAPPED);
      lodge_sidebar_hosts_items_changed_cb (self, 0, 0, 0, G_LIST_MODEL (hosts));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOSTS]);
}

LodgeHost *
lodge_sidebar_get_selected_host (LodgeSidebar *self)
{
  g_return_val_if_fail (LODGE_IS_SIDEBAR (self), NULL);
  return self->selected_host;
}

GtkWidget *
lodge_sidebar_get_row (LodgeSidebar *self,
                       LodgeHost    *host)
{
  int index;

  g_return_val_if_fail (LODGE_IS_SIDEBAR (self), NULL);

  if (host == NULL)
    return self->all_row;
  if (self->hosts == NULL || (index = lodge_host_list_find (self->hosts, host)) < 0)
    return NULL;
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list_box, index));
}

void
lodge_sidebar_select_host (LodgeSidebar *self,
                           LodgeHost    *host)
{
  GtkWidget *row;

  g_return_if_fail (LODGE_IS_SIDEBAR (self));
  g_return_if_fail (host == NULL || LODGE_IS_HOST (host));

  row = lodge_sidebar_get_row (self, host);
  if (row == NULL)
    return;
  gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (row)), GTK_LIST_BOX_ROW (row));
}

AdwHeaderBar *
lodge_sidebar_get_header_bar (LodgeSidebar *self)
{
  g_return_val_if_fail (LODGE_IS_SIDEBAR (self), NULL);
  return self->header_bar;
}
