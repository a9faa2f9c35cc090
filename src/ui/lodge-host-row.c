/* lodge-host-row.c: one host in the sidebar
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-host-row"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-host-row.h"
#include "ui/lodge-ui-private.h"

struct _LodgeHostRow
{
  GtkListBoxRow  parent_instance;

  LodgeHost     *host;
  /* Counts down "trying again in N s" while a retry is planned. */
  guint          tick_source;

  GtkImage      *icon;
  GtkLabel      *title_label;
  GtkLabel      *status_label;
  GtkSpinner    *spinner;
  GtkImage      *problem_icon;
  GtkMenuButton *menu_button;
};

G_DEFINE_FINAL_TYPE (LodgeHostRow, lodge_host_row, GTK_TYPE_LIST_BOX_ROW)

static void lodge_host_row_update (LodgeHostRow *self);

static gboolean
lodge_host_row_tick_cb (gpointer user_data)
{
  LodgeHostRow *self = user_data;

  lodge_host_row_update (self);
  return G_SOURCE_CONTINUE;
}

static void
lodge_host_row_update_menu (LodgeHostRow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) first = g_menu_new ();
  g_autoptr(GMenu) second = g_menu_new ();
  const char *uri = lodge_host_get_uri_string (self->host);
  LodgeConnectionState state = lodge_host_get_state (self->host);
  g_autoptr(GMenuItem) item = NULL;

  if (state == LODGE_CONNECTION_STATE_DISCONNECTED || state == LODGE_CONNECTION_STATE_FAILED)
    item = g_menu_item_new (_("_Connect"), NULL);
  else if (state == LODGE_CONNECTION_STATE_RECONNECTING)
    item = g_menu_item_new (_("_Reconnect Now"), NULL);
  if (item != NULL)
    {
      g_menu_item_set_action_and_target (item, "win.host-connect", "s", uri);
      g_menu_append_item (first, item);
      g_clear_object (&item);
    }
  if (state != LODGE_CONNECTION_STATE_DISCONNECTED)
    {
      item = g_menu_item_new (_("_Disconnect"), NULL);
      g_menu_item_set_action_and_target (item, "win.host-disconnect", "s", uri);
      g_menu_append_item (first, item);
      g_clear_object (&item);
    }
  item = g_menu_item_new (_("Host _Overview"), NULL);
  g_menu_item_set_action_and_target (item, "win.host-overview", "s", uri);
  g_menu_append_item (first, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Storage"), NULL);
  g_menu_item_set_action_and_target (item, "win.host-storage", "s", uri);
  g_menu_append_item (first, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Networks"), NULL);
  g_menu_item_set_action_and_target (item, "win.host-networks", "s", uri);
  g_menu_append_item (first, item);
  g_clear_object (&item);

  item = g_menu_item_new (_("_Edit…"), NULL);
  g_menu_item_set_action_and_target (item, "win.host-edit", "s", uri);
  g_menu_append_item (second, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Remove…"), NULL);
  g_menu_item_set_action_and_target (item, "win.host-remove", "s", uri);
  g_menu_append_item (second, item);

  g_menu_append_section (menu, NULL, G_MENU_MODEL (first));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (second));
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));
}

static void
lodge_host_row_update (LodgeHostRow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *status = NULL;
  g_autofree char *description = NULL;
  LodgeConnectionState state;
  gboolean retrying;

  if (self->host == NULL)
    return;

  state = lodge_host_get_state (self->host);
  title = lodge_ui_host_title (self->host);
  status = lodge_ui_host_status (self->host);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->status_label, status);
  {
    g_autofree char *tooltip = g_strdup_printf ("%s\n%s", lodge_host_get_uri_string (self->host), status);

    gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
  }
  gtk_image_set_from_icon_name (self->icon, lodge_ui_host_icon_name (self->host));

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), state == LODGE_CONNECTION_STATE_CONNECTING);
  gtk_spinner_set_spinning (self->spinner, state == LODGE_CONNECTION_STATE_CONNECTING);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_icon),
                          state == LODGE_CONNECTION_STATE_FAILED ||
                          state == LODGE_CONNECTION_STATE_RECONNECTING);

  description = g_strdup_printf ("%s, %s", status, lodge_host_get_uri_string (self->host));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  retrying = lodge_connection_get_retry_time (lodge_host_get_connection (self->host)) > 0;
  if (retrying && self->tick_source == 0)
    self->tick_source = g_timeout_add_seconds (1, lodge_host_row_tick_cb, self);
  else if (!retrying)
    g_clear_handle_id (&self->tick_source, g_source_remove);
}

static void
lodge_host_row_host_notify_cb (LodgeHostRow *self,
                               GParamSpec   *pspec,
                               LodgeHost    *host)
{
  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "disconnected-by-user"))
    lodge_host_row_update_menu (self);
  lodge_host_row_update (self);
}

static void
lodge_host_row_connection_notify_cb (LodgeHostRow    *self,
                                     GParamSpec      *pspec,
                                     LodgeConnection *connection)
{
  lodge_host_row_update (self);
}

static void
lodge_host_row_dispose (GObject *object)
{
  LodgeHostRow *self = LODGE_HOST_ROW (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_object (&self->host);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_HOST_ROW);

  G_OBJECT_CLASS (lodge_host_row_parent_class)->dispose (object);
}

static void
lodge_host_row_class_init (LodgeHostRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_host_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-host-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeHostRow, icon);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostRow, problem_icon);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostRow, menu_button);
}

static void
lodge_host_row_init (LodgeHostRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
lodge_host_row_new (LodgeHost *host)
{
  LodgeHostRow *self;

  g_return_val_if_fail (host == NULL || LODGE_IS_HOST (host), NULL);

  self = g_object_new (LODGE_TYPE_HOST_ROW, NULL);
  if (host == NULL)
    {
      gtk_image_set_from_icon_name (self->icon, "view-app-grid-symbolic");
      gtk_label_set_text (self->title_label, _("All Machines"));
      gtk_widget_set_visible (GTK_WIDGET (self->menu_button), FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("All Machines"),
                                      -1);
      return GTK_WIDGET (self);
    }

  self->host = g_object_ref (host);
  g_signal_connect_object (host, "notify", G_CALLBACK (lodge_host_row_host_notify_cb), self,
                           G_CONNECT_SWAPPED);
  /* The retry countdown starts when the connection plans one. */
  g_signal_connect_object (lodge_host_get_connection (host), "notify::reconnect-delay",
                           G_CALLBACK (lodge_host_row_connection_notify_cb), self,
                           G_CONNECT_SWAPPED);
  lodge_host_row_update_menu (self);
  lodge_host_row_update (self);
  return GTK_WIDGET (self);
}

LodgeHost *
lodge_host_row_get_host (LodgeHostRow *self)
{
  g_return_val_if_fail (LODGE_IS_HOST_ROW (self), NULL);
  return self->host;
}

void
lodge_host_row_set_status (LodgeHostRow *self,
                           const char   *status)
{
  g_return_if_fail (LODGE_IS_HOST_ROW (self));

  gtk_label_set_text (self->status_label, status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, status,
                                  -1);
}

const char *
lodge_host_row_get_title (LodgeHostRow *self)
{
  g_return_val_if_fail (LODGE_IS_HOST_ROW (self), NULL);
  return gtk_label_get_text (self->title_label);
}

const char *
lodge_host_row_get_status (LodgeHostRow *self)
{
  g_return_val_if_fail (LODGE_IS_HOST_ROW (self), NULL);
  return gtk_label_get_text (self->status_label);
}
