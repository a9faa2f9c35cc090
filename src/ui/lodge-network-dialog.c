/* lodge-network-dialog.c: making a virtual network
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The checks (name taken, malformed or overlapping subnet, range outside
 * it) are the model's, made on its worker: the dialog shows what it says.
 */
#define G_LOG_DOMAIN "lodge-network-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-network-dialog.h"

struct _LodgeNetworkDialog
{
  AdwWindow       parent_instance;

  LodgeNetworks  *networks;
  GCancellable   *cancellable;
  gboolean        busy;

  GtkWidget      *cancel_button;
  GtkWidget      *create_button;
  GtkSpinner     *spinner;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  AdwEntryRow    *name_row;
  AdwComboRow    *mode_row;
  AdwEntryRow    *subnet_row;
  GtkSwitch      *dhcp_switch;
  AdwEntryRow    *dhcp_start_row;
  AdwEntryRow    *dhcp_end_row;
  GtkSwitch      *autostart_switch;
};

G_DEFINE_FINAL_TYPE (LodgeNetworkDialog, lodge_network_dialog, ADW_TYPE_WINDOW)

enum {
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The rows of the combo, in order. */
static const char * const modes[] = { "nat", "isolated" };

static void
lodge_network_dialog_update (LodgeNetworkDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  gboolean dhcp = gtk_switch_get_active (self->dhcp_switch);

  gtk_widget_set_sensitive (self->create_button, !self->busy && name[0] != '\0');
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->mode_row),
                               adw_combo_row_get_selected (self->mode_row) == 0
                               ? _("Machines reach other networks through this computer")
                               : _("Machines reach only each other and this computer"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->dhcp_start_row), dhcp);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dhcp_end_row), dhcp);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
lodge_network_dialog_show_error (LodgeNetworkDialog *self,
                                 const char         *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
lodge_network_dialog_changed_cb (LodgeNetworkDialog *self)
{
  lodge_network_dialog_update (self);
}

/* A new subnet brings its default range. */
static void
lodge_network_dialog_subnet_changed_cb (LodgeNetworkDialog *self)
{
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;

  if (lodge_network_default_dhcp_range (gtk_editable_get_text (GTK_EDITABLE (self->subnet_row)),
                                        &start, &end))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->dhcp_start_row), start);
      gtk_editable_set_text (GTK_EDITABLE (self->dhcp_end_row), end);
    }
  lodge_network_dialog_update (self);
}

static void
lodge_network_dialog_cancel_button_clicked_cb (LodgeNetworkDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
lodge_network_dialog_create_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(LodgeNetworkDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;
  if (!lodge_networks_create_finish (LODGE_NETWORKS (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          lodge_network_dialog_show_error (self, error->message);
          lodge_network_dialog_update (self);
        }
      return;
    }
  g_signal_emit (self, signals[CREATED], 0, gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  gtk_window_close (GTK_WINDOW (self));
}

static void
lodge_network_dialog_create_button_clicked_cb (LodgeNetworkDialog *self)
{
  guint mode = adw_combo_row_get_selected (self->mode_row);
  gboolean dhcp = gtk_switch_get_active (self->dhcp_switch);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *subnet = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subnet_row))));
  g_autofree char *start = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->dhcp_start_row))));
  g_autofree char *end = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->dhcp_end_row))));

  if (self->busy)
    return;
  self->busy = TRUE;
  lodge_network_dialog_show_error (self, NULL);
  lodge_network_dialog_update (self);
  lodge_networks_create_async (self->networks, name, modes[MIN (mode, G_N_ELEMENTS (modes) - 1)],
                               subnet, dhcp ? start : NULL, dhcp ? end : NULL,
                               gtk_switch_get_active (self->autostart_switch),
                               self->cancellable, lodge_network_dialog_create_cb, g_object_ref (self));
}

static void
lodge_network_dialog_dispose (GObject *object)
{
  LodgeNetworkDialog *self = LODGE_NETWORK_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->networks);

  G_OBJECT_CLASS (lodge_network_dialog_parent_class)->dispose (object);
}

static void
lodge_network_dialog_class_init (LodgeNetworkDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_network_dialog_dispose;

  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-network-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, mode_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, subnet_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, dhcp_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, dhcp_start_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, dhcp_end_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworkDialog, autostart_switch);
  gtk_widget_class_bind_template_callback (widget_class, lodge_network_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_network_dialog_subnet_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_network_dialog_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_network_dialog_create_button_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lodge_network_dialog_init (LodgeNetworkDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_widget (GTK_WINDOW (self), self->create_button);
  adw_entry_row_set_activates_default (self->name_row, TRUE);
}

LodgeNetworkDialog *
lodge_network_dialog_new (LodgeNetworks *networks)
{
  LodgeNetworkDialog *self;
  g_autofree char *subnet = NULL;

  g_return_val_if_fail (LODGE_IS_NETWORKS (networks), NULL);

  self = g_object_new (LODGE_TYPE_NETWORK_DIALOG, NULL);
  self->networks = g_object_ref (networks);
  subnet = lodge_networks_suggest_subnet (networks);
  gtk_editable_set_text (GTK_EDITABLE (self->subnet_row), subnet);
  lodge_network_dialog_update (self);
  return self;
}

void
lodge_network_dialog_fill (LodgeNetworkDialog *self,
                           const char         *name,
                           const char         *mode,
                           const char         *subnet,
                           const char         *dhcp_start,
                           const char         *dhcp_end)
{
  g_return_if_fail (LODGE_IS_NETWORK_DIALOG (self));

  if (name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  if (mode != NULL)
    adw_combo_row_set_selected (self->mode_row, g_strcmp0 (mode, "isolated") == 0 ? 1 : 0);
  if (subnet != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->subnet_row), subnet);
  if (dhcp_start != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->dhcp_start_row), dhcp_start);
  if (dhcp_end != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->dhcp_end_row), dhcp_end);
}

GtkWidget *
lodge_network_dialog_get_create_button (LodgeNetworkDialog *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK_DIALOG (self), NULL);
  return self->create_button;
}

const char *
lodge_network_dialog_get_error (LodgeNetworkDialog *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK_DIALOG (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

gboolean
lodge_network_dialog_get_busy (LodgeNetworkDialog *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK_DIALOG (self), FALSE);
  return self->busy;
}
