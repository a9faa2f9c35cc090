/* lodge-migration-dialog.c: Move to Another Host…
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-migration-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "model/lodge-migration.h"
#include "ui/lodge-migration-dialog.h"
#include "ui/lodge-ui-private.h"

struct _LodgeMigrationDialog
{
  AdwWindow         parent_instance;

  LodgeApplication *application;
  LodgeMachine     *machine;
  /* The hosts in the destination row, in its order. */
  GPtrArray        *destinations;
  /* The check of the current choices (replaced when they change). */
  LodgeMigration   *checked;
  GCancellable     *check_cancellable;
  gboolean          can_move;
  char             *problems;
  LodgeMigration   *migration;     /* once started */
  guint             check_source;

  AdwWindowTitle   *window_title;
  GtkButton        *cancel_button;
  GtkButton        *move_button;
  GtkStack         *stack;
  AdwComboRow      *destination_row;
  AdwComboRow      *storage_row;
  GtkSwitch        *keep_switch;
  GtkSwitch        *p2p_switch;
  GtkSpinButton    *bandwidth_spin;
  GtkSwitch        *converge_switch;
  GtkSwitch        *compress_switch;
  GtkSwitch        *postcopy_switch;
  GtkSpinButton    *downtime_spin;
  AdwEntryRow      *address_row;
  GtkLabel         *summary_label;
  GtkLabel         *problems_label;
  AdwStatusPage    *progress_page;
  GtkProgressBar   *progress_bar;
  GtkLabel         *details_label;
  GtkButton        *postcopy_button;
  GtkButton        *abort_button;
};

G_DEFINE_FINAL_TYPE (LodgeMigrationDialog, lodge_migration_dialog, ADW_TYPE_WINDOW)

static LodgeHost *
lodge_migration_dialog_get_destination (LodgeMigrationDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->destination_row);

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->destinations->len)
    return NULL;
  return g_ptr_array_index (self->destinations, selected);
}

/* A migration with the dialog's choices (not started). */
static LodgeMigration *
lodge_migration_dialog_build (LodgeMigrationDialog *self)
{
  LodgeHost *destination = lodge_migration_dialog_get_destination (self);
  LodgeMigration *migration;
  g_autofree char *address = NULL;

  if (destination == NULL)
    return NULL;

  migration = lodge_migration_new (self->machine, lodge_host_get_connection (destination));
  lodge_migration_set_storage (migration, adw_combo_row_get_selected (self->storage_row) == 1
                                          ? LODGE_MIGRATION_STORAGE_COPY_ALL
                                          : LODGE_MIGRATION_STORAGE_SHARED);
  lodge_migration_set_keep_source (migration, gtk_switch_get_active (self->keep_switch));
  lodge_migration_set_peer_to_peer (migration, gtk_switch_get_active (self->p2p_switch));
  lodge_migration_set_bandwidth (migration, (guint64) gtk_spin_button_get_value (self->bandwidth_spin));
  lodge_migration_set_auto_converge (migration, gtk_switch_get_active (self->converge_switch));
  lodge_migration_set_compressed (migration, gtk_switch_get_active (self->compress_switch));
  lodge_migration_set_post_copy (migration, gtk_switch_get_active (self->postcopy_switch));
  lodge_migration_set_max_downtime (migration, (guint64) gtk_spin_button_get_value (self->downtime_spin));

  /* Where the memory goes: the other host's address as this network sees
   * it, and where its QEMU listens (both the same address). */
  address = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->address_row))));
  if (address[0] != '\0')
    {
      g_autofree char *uri = strchr (address, ':') != NULL && address[0] != '['
                             ? g_strdup_printf ("tcp://[%s]", address)
                             : g_strdup_printf ("tcp://%s", address);

      lodge_migration_set_migrate_uri (migration, uri);
      lodge_migration_set_listen_address (migration, address);
    }
  return migration;
}

static void
lodge_migration_dialog_show_problems (LodgeMigrationDialog *self,
                                      const char           *problems)
{
  g_free (self->problems);
  self->problems = g_strdup (problems);
  gtk_label_set_text (self->problems_label, problems != NULL ? problems : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), problems != NULL);
}

static void
lodge_migration_dialog_update_move_button (LodgeMigrationDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->move_button),
                            self->can_move && self->migration == NULL);
}

static void
lodge_migration_dialog_check_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  LodgeMigrationDialog *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = lodge_migration_check_finish (LODGE_MIGRATION (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  if (LODGE_MIGRATION (object) == self->checked)
    {
      self->can_move = ok;
      lodge_migration_dialog_show_problems (self, ok ? NULL : error->message);
      lodge_migration_dialog_update_move_button (self);
    }
  g_object_unref (self);
}

static gboolean
lodge_migration_dialog_check_timeout_cb (gpointer user_data)
{
  LodgeMigrationDialog *self = user_data;

  self->check_source = 0;
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->checked);

  self->checked = lodge_migration_dialog_build (self);
  if (self->checked == NULL)
    {
      lodge_migration_dialog_show_problems (self, _("No other host is connected: connect one, or add "
                                                    "one with Add Host, to move the machine there."));
      return G_SOURCE_REMOVE;
    }
  self->check_cancellable = g_cancellable_new ();
  lodge_migration_check_async (self->checked, self->check_cancellable,
                               lodge_migration_dialog_check_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
lodge_migration_dialog_update_summary (LodgeMigrationDialog *self)
{
  LodgeHost *destination = lodge_migration_dialog_get_destination (self);
  g_autofree char *to = destination != NULL ? lodge_ui_host_title (destination) : NULL;
  g_autofree char *text = NULL;
  const char *name = lodge_machine_get_display_name (self->machine);

  if (to == NULL)
    text = g_strdup ("");
  else if (lodge_machine_is_active (self->machine))
    text = g_strdup_printf (_("“%s” keeps running while its memory is copied to %s, then stops for "
                              "a moment and goes on there. Nothing inside it notices."), name, to);
  else
    text = g_strdup_printf (_("“%s” is off: its definition moves to %s."), name, to);
  gtk_label_set_text (self->summary_label, text);
}

/* Every choice checks again, once the changes settle. */
static void
lodge_migration_dialog_changed_cb (LodgeMigrationDialog *self)
{
  self->can_move = FALSE;
  lodge_migration_dialog_update_move_button (self);
  lodge_migration_dialog_update_summary (self);
  g_clear_handle_id (&self->check_source, g_source_remove);
  self->check_source = g_timeout_add (150, lodge_migration_dialog_check_timeout_cb, self);
}

/* Progress ---------------------------------------------------------------- */

static void
lodge_migration_dialog_update_progress (LodgeMigrationDialog *self)
{
  LodgeMigration *migration = self->migration;
  LodgeMigrationPhase phase = lodge_migration_get_phase (migration);
  g_autofree char *details = lodge_ui_migration_details (migration);
  double fraction = lodge_ui_migration_fraction (migration);

  adw_status_page_set_description (self->progress_page, lodge_ui_migration_phase_label (phase));
  gtk_label_set_text (self->details_label, details);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  else
    gtk_progress_bar_pulse (self->progress_bar);

  gtk_widget_set_visible (GTK_WIDGET (self->postcopy_button),
                          lodge_migration_get_post_copy (migration) &&
                          phase == LODGE_MIGRATION_PHASE_MEMORY);
  gtk_widget_set_visible (GTK_WIDGET (self->abort_button),
                          phase != LODGE_MIGRATION_PHASE_DONE &&
                          phase != LODGE_MIGRATION_PHASE_CANCELLED &&
                          phase != LODGE_MIGRATION_PHASE_FAILED &&
                          phase != LODGE_MIGRATION_PHASE_POST_COPY);
}

static void
lodge_migration_dialog_migration_notify_cb (LodgeMigrationDialog *self,
                                            GParamSpec           *pspec,
                                            LodgeMigration       *migration)
{
  lodge_migration_dialog_update_progress (self);
}

static void
lodge_migration_dialog_migration_finished_cb (LodgeMigrationDialog *self,
                                              LodgeMigration       *migration,
                                              const GError         *error,
                                              LodgeApplication     *application)
{
  g_autofree char *title = NULL;
  LodgeHost *destination;

  if (migration != self->migration)
    return;

  destination = lodge_connection_get_host (lodge_migration_get_destination (migration));
  title = destination != NULL ? lodge_ui_host_title (destination) : NULL;
  lodge_migration_dialog_update_progress (self);
  if (error == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Moved to %s"), title != NULL ? title : "");

      adw_status_page_set_title (self->progress_page, text);
      adw_status_page_set_icon_name (self->progress_page, "object-select-symbolic");
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      adw_status_page_set_title (self->progress_page, _("Move Cancelled"));
      adw_status_page_set_description (self->progress_page,
                                       _("The machine runs on as before; nothing of it was left on the other host."));
      adw_status_page_set_icon_name (self->progress_page, "process-stop-symbolic");
    }
  else
    {
      adw_status_page_set_title (self->progress_page, _("Could Not Move"));
      adw_status_page_set_description (self->progress_page, error->message);
      adw_status_page_set_icon_name (self->progress_page, "dialog-error-symbolic");
    }
  gtk_button_set_label (self->cancel_button, _("_Close"));
}

void
lodge_migration_dialog_move (LodgeMigrationDialog *self)
{
  g_autofree char *to = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (LODGE_IS_MIGRATION_DIALOG (self));

  if (!self->can_move || self->migration != NULL)
    return;

  self->migration = lodge_migration_dialog_build (self);
  if (self->migration == NULL)
    return;
  to = lodge_ui_host_title (lodge_migration_dialog_get_destination (self));
  title = g_strdup_printf (_("Moving to %s"), to);
  adw_status_page_set_title (self->progress_page, title);
  g_signal_connect_object (self->migration, "notify",
                           G_CALLBACK (lodge_migration_dialog_migration_notify_cb), self,
                           G_CONNECT_SWAPPED);
  /* The application runs it: it goes on when this dialog is closed. */
  lodge_application_start_migration (self->application, self->migration);

  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_widget_set_visible (GTK_WIDGET (self->move_button), FALSE);
  gtk_button_set_label (self->cancel_button, _("_Hide"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->cancel_button),
                               _("The move goes on; the window shows how it does"));
  lodge_migration_dialog_update_progress (self);
}

static void
lodge_migration_dialog_move_button_clicked_cb (LodgeMigrationDialog *self)
{
  lodge_migration_dialog_move (self);
}

static void
lodge_migration_dialog_cancel_button_clicked_cb (LodgeMigrationDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
lodge_migration_dialog_abort_button_clicked_cb (LodgeMigrationDialog *self)
{
  if (self->migration != NULL)
    {
      adw_status_page_set_description (self->progress_page, _("Cancelling…"));
      lodge_migration_cancel (self->migration);
    }
}

static void
lodge_migration_dialog_postcopy_cb (GObject      *object,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  g_autoptr(LodgeMigrationDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_migration_start_post_copy_finish (LODGE_MIGRATION (object), result, &error))
    gtk_label_set_text (self->details_label, error->message);
}

static void
lodge_migration_dialog_postcopy_button_clicked_cb (LodgeMigrationDialog *self)
{
  if (self->migration != NULL)
    lodge_migration_start_post_copy_async (self->migration, NULL, lodge_migration_dialog_postcopy_cb,
                                           g_object_ref (self));
}

/* Object ------------------------------------------------------------------ */

static void
lodge_migration_dialog_dispose (GObject *object)
{
  LodgeMigrationDialog *self = LODGE_MIGRATION_DIALOG (object);

  g_clear_handle_id (&self->check_source, g_source_remove);
  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->checked);
  g_clear_object (&self->migration);
  g_clear_object (&self->machine);
  g_clear_object (&self->application);
  g_clear_pointer (&self->destinations, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_MIGRATION_DIALOG);

  G_OBJECT_CLASS (lodge_migration_dialog_parent_class)->dispose (object);
}

static void
lodge_migration_dialog_finalize (GObject *object)
{
  LodgeMigrationDialog *self = LODGE_MIGRATION_DIALOG (object);

  g_free (self->problems);

  G_OBJECT_CLASS (lodge_migration_dialog_parent_class)->finalize (object);
}

static void
lodge_migration_dialog_class_init (LodgeMigrationDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_migration_dialog_dispose;
  object_class->finalize = lodge_migration_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-migration-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, move_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, destination_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, storage_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, keep_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, p2p_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, bandwidth_spin);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, converge_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, compress_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, postcopy_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, downtime_spin);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, problems_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, progress_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, details_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, postcopy_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeMigrationDialog, abort_button);
  gtk_widget_class_bind_template_callback (widget_class, lodge_migration_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_migration_dialog_move_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_migration_dialog_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_migration_dialog_abort_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_migration_dialog_postcopy_button_clicked_cb);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0,
                                (GtkShortcutFunc) gtk_window_close, NULL);
}

static void
lodge_migration_dialog_init (LodgeMigrationDialog *self)
{
  self->destinations = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->move_button));
}

LodgeMigrationDialog *
lodge_migration_dialog_new (GtkWindow        *parent,
                            LodgeApplication *application,
                            LodgeMachine     *machine)
{
  LodgeMigrationDialog *self;
  LodgeHostList *hosts;
  LodgeHost *source;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *title = NULL;
  guint n;

  g_return_val_if_fail (LODGE_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (LODGE_IS_MACHINE (machine), NULL);

  self = g_object_new (LODGE_TYPE_MIGRATION_DIALOG, NULL);
  lodge_ui_window_set_parent (GTK_WINDOW (self), parent);
  self->application = g_object_ref (application);
  self->machine = g_object_ref (machine);

  title = g_strdup_printf (_("Move “%s”"), lodge_machine_get_display_name (machine));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  source = lodge_machine_get_host (machine);
  if (source != NULL)
    {
      g_autofree char *from = lodge_ui_host_title (source);
      g_autofree char *subtitle = g_strdup_printf (_("from %s"), from);

      adw_window_title_set_subtitle (self->window_title, subtitle);
    }

  /* Every other host that is connected. */
  hosts = lodge_application_get_hosts (application);
  n = g_list_model_get_n_items (G_LIST_MODEL (hosts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (hosts), i);
      g_autofree char *host_title = NULL;

      if (host == source || lodge_host_get_state (host) != LODGE_CONNECTION_STATE_CONNECTED)
        continue;
      host_title = lodge_ui_host_title (host);
      gtk_string_list_append (names, host_title);
      g_ptr_array_add (self->destinations, g_object_ref (host));
    }
  adw_combo_row_set_model (self->destination_row, G_LIST_MODEL (names));
  g_signal_connect_object (application, "migration-finished",
                           G_CALLBACK (lodge_migration_dialog_migration_finished_cb), self,
                           G_CONNECT_SWAPPED);
  /* A machine that is off moves its definition: live options do not apply. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->postcopy_switch), lodge_machine_is_active (machine));
  gtk_widget_set_sensitive (GTK_WIDGET (self->converge_switch), lodge_machine_is_active (machine));
  lodge_migration_dialog_changed_cb (self);
  return self;
}

gboolean
lodge_migration_dialog_select_host (LodgeMigrationDialog *self,
                                    LodgeHost            *host)
{
  guint index;

  g_return_val_if_fail (LODGE_IS_MIGRATION_DIALOG (self), FALSE);

  if (!g_ptr_array_find (self->destinations, host, &index))
    return FALSE;
  adw_combo_row_set_selected (self->destination_row, index);
  lodge_migration_dialog_changed_cb (self);
  return TRUE;
}

void
lodge_migration_dialog_set_copy_storage (LodgeMigrationDialog *self,
                                         gboolean              copy)
{
  g_return_if_fail (LODGE_IS_MIGRATION_DIALOG (self));
  adw_combo_row_set_selected (self->storage_row, copy ? 1 : 0);
}

void
lodge_migration_dialog_set_bandwidth (LodgeMigrationDialog *self,
                                      guint64               mib_per_second)
{
  g_return_if_fail (LODGE_IS_MIGRATION_DIALOG (self));
  gtk_spin_button_set_value (self->bandwidth_spin, (double) mib_per_second);
  lodge_migration_dialog_changed_cb (self);
}

void
lodge_migration_dialog_set_data_address (LodgeMigrationDialog *self,
                                         const char           *address)
{
  g_return_if_fail (LODGE_IS_MIGRATION_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address != NULL ? address : "");
  lodge_migration_dialog_changed_cb (self);
}

gboolean
lodge_migration_dialog_get_can_move (LodgeMigrationDialog *self)
{
  g_return_val_if_fail (LODGE_IS_MIGRATION_DIALOG (self), FALSE);
  return self->can_move;
}

const char *
lodge_migration_dialog_get_problems (LodgeMigrationDialog *self)
{
  g_return_val_if_fail (LODGE_IS_MIGRATION_DIALOG (self), NULL);
  return self->problems;
}

LodgeMigration *
lodge_migration_dialog_get_migration (LodgeMigrationDialog *self)
{
  g_return_val_if_fail (LODGE_IS_MIGRATION_DIALOG (self), NULL);
  return self->migration;
}

const char *
lodge_migration_dialog_get_details (LodgeMigrationDialog *self)
{
  g_return_val_if_fail (LODGE_IS_MIGRATION_DIALOG (self), NULL);
  return gtk_label_get_text (self->details_label);
}
