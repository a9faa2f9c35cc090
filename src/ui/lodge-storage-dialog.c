/* lodge-storage-dialog.c: a new storage pool or volume
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One small form for both: the model checks the input, and its message
 * shows above the form, which stays open to be corrected. Once made, the
 * dialog emits ::created with the new pool or volume and closes.
 */
#define G_LOG_DOMAIN "lodge-storage-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-storage-dialog.h"

struct _LodgeStorageDialog
{
  AdwWindow          parent_instance;

  LodgeStorage      *storage;   /* pool mode */
  LodgeStoragePool  *pool;      /* volume mode */
  GPtrArray         *backings;  /* LodgeStorageVolume, the backing row's items after "None" */
  GCancellable      *cancellable;
  gboolean           busy;

  AdwWindowTitle    *window_title;
  GtkStack          *create_stack;
  GtkWidget         *create_button;
  GtkSpinner        *spinner;
  GtkRevealer       *error_revealer;
  GtkLabel          *error_label;
  GtkWidget         *pool_group;
  AdwEntryRow       *pool_name_row;
  AdwEntryRow       *path_row;
  GtkWidget         *volume_group;
  AdwEntryRow       *volume_name_row;
  GtkSpinButton     *size_spin;
  AdwComboRow       *format_row;
  AdwComboRow       *allocation_row;
  AdwComboRow       *backing_row;
};

G_DEFINE_FINAL_TYPE (LodgeStorageDialog, lodge_storage_dialog, ADW_TYPE_WINDOW)

enum
{
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
lodge_storage_dialog_is_qcow2 (LodgeStorageDialog *self)
{
  return adw_combo_row_get_selected (self->format_row) == 0;
}

static void
lodge_storage_dialog_update (LodgeStorageDialog *self)
{
  gboolean ready;

  if (self->storage != NULL)
    ready = *gtk_editable_get_text (GTK_EDITABLE (self->pool_name_row)) != '\0' &&
            *gtk_editable_get_text (GTK_EDITABLE (self->path_row)) != '\0';
  else
    ready = *gtk_editable_get_text (GTK_EDITABLE (self->volume_name_row)) != '\0';
  gtk_widget_set_sensitive (self->create_button, ready && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->backing_row), lodge_storage_dialog_is_qcow2 (self) && !self->busy);
  gtk_stack_set_visible_child_name (self->create_stack, self->busy ? "busy" : "button");
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
lodge_storage_dialog_show_error (LodgeStorageDialog *self,
                                 const char         *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
lodge_storage_dialog_changed_cb (LodgeStorageDialog *self)
{
  lodge_storage_dialog_update (self);
}

static void
lodge_storage_dialog_set_allocations (LodgeStorageDialog *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, _("None (thin)"));
  if (lodge_storage_dialog_is_qcow2 (self))
    gtk_string_list_append (list, _("Metadata"));
  gtk_string_list_append (list, _("Full"));
  adw_combo_row_set_model (self->allocation_row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (self->allocation_row, 0);
}

static void
lodge_storage_dialog_format_changed_cb (LodgeStorageDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->volume_name_row));
  gboolean qcow2 = lodge_storage_dialog_is_qcow2 (self);
  const char *from = qcow2 ? ".img" : ".qcow2";
  const char *to = qcow2 ? ".qcow2" : ".img";

  /* The name's extension follows the format while it is Lodge's. */
  if (g_str_has_suffix (text, from))
    {
      g_autofree char *base = g_strndup (text, strlen (text) - strlen (from));
      g_autofree char *name = g_strconcat (base, to, NULL);

      gtk_editable_set_text (GTK_EDITABLE (self->volume_name_row), name);
    }
  lodge_storage_dialog_set_allocations (self);
  if (!qcow2)
    adw_combo_row_set_selected (self->backing_row, 0);
  lodge_storage_dialog_update (self);
}

static void
lodge_storage_dialog_cancel_button_clicked_cb (LodgeStorageDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
lodge_storage_dialog_done (LodgeStorageDialog *self,
                           GObject            *created,
                           const GError       *error)
{
  self->busy = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  lodge_storage_dialog_update (self);
  if (created == NULL)
    {
      lodge_storage_dialog_show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[CREATED], 0, created);
  gtk_window_close (GTK_WINDOW (self));
}

static void
lodge_storage_dialog_pool_created_cb (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(LodgeStorageDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeStoragePool) pool = lodge_storage_create_dir_pool_finish (LODGE_STORAGE (object), result, &error);

  lodge_storage_dialog_done (self, G_OBJECT (pool), error);
}

static void
lodge_storage_dialog_volume_created_cb (GObject      *object,
                                        GAsyncResult *result,
                                        gpointer      user_data)
{
  g_autoptr(LodgeStorageDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeStorageVolume) volume =
    lodge_storage_pool_create_volume_finish (LODGE_STORAGE_POOL (object), result, &error);

  lodge_storage_dialog_done (self, G_OBJECT (volume), error);
}

static void
lodge_storage_dialog_create_button_clicked_cb (LodgeStorageDialog *self)
{
  if (self->busy || !gtk_widget_get_sensitive (self->create_button))
    return;
  self->busy = TRUE;
  lodge_storage_dialog_show_error (self, NULL);
  lodge_storage_dialog_update (self);

  if (self->storage != NULL)
    {
      g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pool_name_row))));
      g_autofree char *path = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->path_row))));

      lodge_storage_create_dir_pool_async (self->storage, name, path, self->cancellable,
                                           lodge_storage_dialog_pool_created_cb, g_object_ref (self));
    }
  else
    {
      gboolean qcow2 = lodge_storage_dialog_is_qcow2 (self);
      guint selected = adw_combo_row_get_selected (self->allocation_row);
      guint backing = adw_combo_row_get_selected (self->backing_row);
      LodgeStorageAllocation allocation;
      guint64 capacity;

      /* Rows: none, [metadata,] full. */
      if (selected == 0)
        allocation = LODGE_STORAGE_ALLOCATION_NONE;
      else if (qcow2 && selected == 1)
        allocation = LODGE_STORAGE_ALLOCATION_METADATA;
      else
        allocation = LODGE_STORAGE_ALLOCATION_FULL;
      /* Whole MiB of the GiB shown. */
      capacity = (guint64) (gtk_spin_button_get_value (self->size_spin) * 1024.0 + 0.5) << 20;
      lodge_storage_pool_create_volume_async (self->pool,
                                              gtk_editable_get_text (GTK_EDITABLE (self->volume_name_row)),
                                              qcow2 ? "qcow2" : "raw", capacity, allocation,
                                              qcow2 && backing > 0 && backing <= self->backings->len
                                                ? g_ptr_array_index (self->backings, backing - 1) : NULL,
                                              self->cancellable,
                                              lodge_storage_dialog_volume_created_cb, g_object_ref (self));
    }
}

static void
lodge_storage_dialog_chooser_response_cb (LodgeStorageDialog   *self,
                                          int                   response,
                                          GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->path_row), path);
    }
  g_object_unref (chooser);
}

static void
lodge_storage_dialog_choose_button_clicked_cb (LodgeStorageDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Choose a Folder for the Pool"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_swapped (chooser, "response", G_CALLBACK (lodge_storage_dialog_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
lodge_storage_dialog_close_request (GtkWindow *window)
{
  LodgeStorageDialog *self = LODGE_STORAGE_DIALOG (window);

  /* What is under way finishes in the model; the dialog just goes. */
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (lodge_storage_dialog_parent_class)->close_request (window);
}

static void
lodge_storage_dialog_dispose (GObject *object)
{
  LodgeStorageDialog *self = LODGE_STORAGE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_STORAGE_DIALOG);
  g_clear_object (&self->storage);
  g_clear_object (&self->pool);
  g_clear_pointer (&self->backings, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lodge_storage_dialog_parent_class)->dispose (object);
}

static void
lodge_storage_dialog_class_init (LodgeStorageDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lodge_storage_dialog_dispose;
  window_class->close_request = lodge_storage_dialog_close_request;

  /* ::created (GObject *pool_or_volume) */
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_OBJECT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-storage-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, create_stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, pool_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, pool_name_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, path_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, volume_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, volume_name_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, size_spin);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, allocation_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeStorageDialog, backing_row);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_dialog_format_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_dialog_create_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_dialog_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_dialog_choose_button_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lodge_storage_dialog_init (LodgeStorageDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->backings = g_ptr_array_new_with_free_func (g_object_unref);
}

GtkWidget *
lodge_storage_dialog_new_pool (LodgeStorage *storage)
{
  LodgeStorageDialog *self;

  g_return_val_if_fail (LODGE_IS_STORAGE (storage), NULL);

  self = g_object_new (LODGE_TYPE_STORAGE_DIALOG, NULL);
  self->storage = g_object_ref (storage);
  gtk_window_set_title (GTK_WINDOW (self), _("New Storage Pool"));
  adw_window_title_set_title (self->window_title, _("New Storage Pool"));
  gtk_widget_set_visible (self->volume_group, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->path_row), "/var/lib/libvirt/images/");
  lodge_storage_dialog_update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->pool_name_row));
  return GTK_WIDGET (self);
}

GtkWidget *
lodge_storage_dialog_new_volume (LodgeStoragePool *pool)
{
  g_autoptr(GtkStringList) backings = gtk_string_list_new (NULL);
  LodgeStorageDialog *self;
  GListModel *volumes;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (pool), NULL);

  self = g_object_new (LODGE_TYPE_STORAGE_DIALOG, NULL);
  self->pool = g_object_ref (pool);
  gtk_window_set_title (GTK_WINDOW (self), _("New Volume"));
  adw_window_title_set_title (self->window_title, _("New Volume"));
  /* Translators: the subtitle of the New Volume dialog; %s is a pool's name. */
  subtitle = g_strdup_printf (_("In pool %s"), lodge_storage_pool_get_name (pool));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_visible (self->pool_group, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->volume_name_row), "disk.qcow2");

  /* Backing volumes: the images of this pool. */
  gtk_string_list_append (backings, _("None"));
  volumes = lodge_storage_pool_get_volumes (pool);
  for (guint i = 0; i < g_list_model_get_n_items (volumes); i++)
    {
      g_autoptr(LodgeStorageVolume) volume = g_list_model_get_item (volumes, i);
      const char *format = lodge_storage_volume_get_format (volume);

      if (g_strcmp0 (format, "qcow2") != 0 && g_strcmp0 (format, "raw") != 0)
        continue;
      gtk_string_list_append (backings, lodge_storage_volume_get_name (volume));
      g_ptr_array_add (self->backings, g_object_ref (volume));
    }
  adw_combo_row_set_model (self->backing_row, G_LIST_MODEL (backings));
  lodge_storage_dialog_set_allocations (self);
  lodge_storage_dialog_update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->volume_name_row));
  return GTK_WIDGET (self);
}

void
lodge_storage_dialog_fill_pool (LodgeStorageDialog *self,
                                const char         *name,
                                const char         *path)
{
  g_return_if_fail (LODGE_IS_STORAGE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->pool_name_row), name);
  gtk_editable_set_text (GTK_EDITABLE (self->path_row), path);
}

void
lodge_storage_dialog_fill_volume (LodgeStorageDialog     *self,
                                  const char             *name,
                                  gboolean                qcow2,
                                  double                  size_gib,
                                  LodgeStorageAllocation  allocation,
                                  const char             *backing)
{
  g_return_if_fail (LODGE_IS_STORAGE_DIALOG (self));

  adw_combo_row_set_selected (self->format_row, qcow2 ? 0 : 1);
  gtk_editable_set_text (GTK_EDITABLE (self->volume_name_row), name);
  gtk_spin_button_set_value (self->size_spin, size_gib);
  if (allocation == LODGE_STORAGE_ALLOCATION_NONE)
    adw_combo_row_set_selected (self->allocation_row, 0);
  else if (allocation == LODGE_STORAGE_ALLOCATION_METADATA)
    adw_combo_row_set_selected (self->allocation_row, 1);
  else
    adw_combo_row_set_selected (self->allocation_row, qcow2 ? 2 : 1);
  adw_combo_row_set_selected (self->backing_row, 0);
  for (guint i = 0; backing != NULL && i < self->backings->len; i++)
    if (g_strcmp0 (lodge_storage_volume_get_name (g_ptr_array_index (self->backings, i)), backing) == 0)
      adw_combo_row_set_selected (self->backing_row, i + 1);
}

GtkWidget *
lodge_storage_dialog_get_create_button (LodgeStorageDialog *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_DIALOG (self), NULL);
  return self->create_button;
}

const char *
lodge_storage_dialog_get_error (LodgeStorageDialog *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_DIALOG (self), NULL);
  return gtk_revealer_get_reveal_child (self->error_revealer) ? gtk_label_get_label (self->error_label) : NULL;
}
