/* lodge-host-dialog.c: Add Host, and the settings of one host
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-host-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-host-dialog.h"
#include "ui/lodge-ui-private.h"

typedef enum
{
  KIND_SYSTEM,
  KIND_SESSION,
  KIND_SSH,
  KIND_URI,
} Kind;

struct _LodgeHostDialog
{
  AdwWindow         parent_instance;

  LodgeApplication *application;   /* Add Host */
  LodgeHost        *host;          /* Edit; or the host being checked */
  GCancellable     *cancellable;
  gboolean          checking;

  AdwWindowTitle   *window_title;
  GtkButton        *cancel_button;
  GtkButton        *done_button;
  GtkRevealer      *error_revealer;
  GtkLabel         *error_label;
  AdwPreferencesGroup *kind_group;
  AdwComboRow      *kind_row;
  AdwPreferencesGroup *ssh_group;
  AdwEntryRow      *address_row;
  AdwEntryRow      *user_row;
  AdwEntryRow      *port_row;
  AdwEntryRow      *keyfile_row;
  AdwComboRow      *scope_row;
  AdwPreferencesGroup *uri_group;
  AdwEntryRow      *uri_row;
  AdwEntryRow      *label_row;
  GtkSwitch        *autoconnect_switch;
};

G_DEFINE_FINAL_TYPE (LodgeHostDialog, lodge_host_dialog, ADW_TYPE_WINDOW)

enum {
  ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The entry that has the focus lets it go first: GTK 4.8 warns when a
 * focused text field goes away with its window. */
static void
lodge_host_dialog_close (LodgeHostDialog *self)
{
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
lodge_host_dialog_show_error (LodgeHostDialog *self,
                              const char      *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static const char *
entry_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

char *
lodge_host_dialog_dup_uri (LodgeHostDialog  *self,
                           GError          **error)
{
  g_autofree char *address = NULL;
  g_autofree char *user = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *keyfile = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(LodgeUri) parsed = NULL;
  guint64 port = 0;

  g_return_val_if_fail (LODGE_IS_HOST_DIALOG (self), NULL);

  switch ((Kind) adw_combo_row_get_selected (self->kind_row))
    {
    case KIND_SYSTEM:
      return g_strdup ("qemu:///system");
    case KIND_SESSION:
      return g_strdup ("qemu:///session");
    case KIND_SSH:
      address = g_strstrip (g_strdup (entry_text (self->address_row)));
      user = g_strstrip (g_strdup (entry_text (self->user_row)));
      port_text = g_strstrip (g_strdup (entry_text (self->port_row)));
      keyfile = g_strstrip (g_strdup (entry_text (self->keyfile_row)));
      if (address[0] == '\0')
        {
          g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                               _("Give the host’s name or address."));
          return NULL;
        }
      if (strpbrk (address, "/?#@ ") != NULL)
        {
          g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a host name or address."), address);
          return NULL;
        }
      if (port_text[0] != '\0' &&
          (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL)))
        {
          g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                       _("The port must be a number from 1 to 65535, not “%s”."), port_text);
          return NULL;
        }
      if (keyfile[0] != '\0' && !g_file_test (keyfile, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                       _("There is no key file “%s”."), keyfile);
          return NULL;
        }
      /* A bare IPv6 address is written in brackets by the builder. */
      if (address[0] == '[' && address[strlen (address) - 1] == ']')
        {
          address[strlen (address) - 1] = '\0';
          memmove (address, address + 1, strlen (address));
        }
      uri = lodge_uri_build_ssh (user, address, (int) port,
                                 adw_combo_row_get_selected (self->scope_row) == 0, keyfile);
      break;
    case KIND_URI:
    default:
      uri = g_strstrip (g_strdup (entry_text (self->uri_row)));
      if (uri[0] == '\0')
        {
          g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                               _("Give a libvirt connection URI, such as qemu+ssh://root@server/system."));
          return NULL;
        }
      break;
    }

  parsed = lodge_uri_parse (uri, error);
  if (parsed == NULL)
    return NULL;
  return g_steal_pointer (&uri);
}

static void
lodge_host_dialog_update (LodgeHostDialog *self)
{
  Kind kind = adw_combo_row_get_selected (self->kind_row);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *description = NULL;

  if (self->application == NULL)
    return; /* Edit: nothing depends on the form */

  /* A field that goes away gives the focus back first (hidden with the
   * focus, GTK 4.8's text field keeps blinking and warns). */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

    if (focus != NULL &&
        ((kind != KIND_SSH && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->ssh_group))) ||
         (kind != KIND_URI && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->uri_row)))))
      gtk_widget_grab_focus (GTK_WIDGET (self->kind_row));
  }
  gtk_widget_set_visible (GTK_WIDGET (self->ssh_group), kind == KIND_SSH);
  gtk_widget_set_visible (GTK_WIDGET (self->uri_row), kind == KIND_URI);

  uri = lodge_host_dialog_dup_uri (self, &error);
  if (uri != NULL && kind != KIND_URI)
    description = g_strdup_printf (_("Lodge connects to %s"), uri);
  adw_preferences_group_set_description (self->uri_group, description);
  gtk_widget_set_visible (GTK_WIDGET (self->uri_group), kind == KIND_URI || description != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->done_button), uri != NULL && !self->checking);
}

static void
lodge_host_dialog_changed_cb (LodgeHostDialog *self)
{
  lodge_host_dialog_show_error (self, NULL);
  lodge_host_dialog_update (self);
}

static void
lodge_host_dialog_set_checking (LodgeHostDialog *self,
                                gboolean         checking)
{
  self->checking = checking;
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_group), !checking);
  gtk_widget_set_sensitive (GTK_WIDGET (self->ssh_group), !checking);
  gtk_widget_set_sensitive (GTK_WIDGET (self->uri_group), !checking);
  gtk_button_set_label (self->done_button, checking ? _("Connecting…") : _("C_onnect"));
  lodge_host_dialog_update (self);
}

static void
lodge_host_dialog_connect_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(LodgeHostDialog) self = user_data;
  LodgeHost *host = LODGE_HOST (object);
  g_autoptr(GError) error = NULL;

  if (!lodge_host_connect_finish (host, result, &error))
    {
      /* Closed meanwhile: the host goes with the dialog. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      lodge_host_dialog_set_checking (self, FALSE);
      if (self->host == host)
        {
          g_autofree char *message = g_strdup_printf (_("Lodge could not connect: %s"), error->message);

          lodge_host_disconnect (host);
          g_clear_object (&self->host);
          lodge_host_dialog_show_error (self, message);
        }
      return;
    }

  if (self->host != host)
    return;
  lodge_host_dialog_set_checking (self, FALSE);
  if (!lodge_application_insert_host (self->application, host))
    {
      lodge_host_dialog_show_error (self, _("This host is in Lodge already."));
      lodge_host_disconnect (host);
      g_clear_object (&self->host);
      return;
    }
  g_signal_emit (self, signals[ADDED], 0, host);
  lodge_host_dialog_close (self);
}

static void
lodge_host_dialog_add (LodgeHostDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = lodge_host_dialog_dup_uri (self, &error);
  const char *label;

  if (uri == NULL)
    {
      lodge_host_dialog_show_error (self, error->message);
      return;
    }
  if (lodge_host_list_lookup (lodge_application_get_hosts (self->application), uri) != NULL)
    {
      lodge_host_dialog_show_error (self, _("This host is in Lodge already."));
      return;
    }

  g_clear_object (&self->host);
  self->host = lodge_host_new (uri, &error);
  if (self->host == NULL)
    {
      lodge_host_dialog_show_error (self, error->message);
      return;
    }
  label = entry_text (self->label_row);
  lodge_host_set_label (self->host, label[0] != '\0' ? label : NULL);
  lodge_host_set_autoconnect (self->host, gtk_switch_get_active (self->autoconnect_switch));
  /* Passwords and host keys are asked in Lodge's own dialogs. */
  lodge_application_prepare_host (self->application, self->host);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  lodge_host_dialog_show_error (self, NULL);
  lodge_host_dialog_set_checking (self, TRUE);
  lodge_host_connect_async (self->host, self->cancellable, lodge_host_dialog_connect_cb,
                            g_object_ref (self));
}

static void
lodge_host_dialog_apply_edit (LodgeHostDialog *self)
{
  const char *label = entry_text (self->label_row);

  lodge_host_set_label (self->host, label[0] != '\0' ? label : NULL);
  lodge_host_set_autoconnect (self->host, gtk_switch_get_active (self->autoconnect_switch));
  lodge_host_dialog_close (self);
}

void
lodge_host_dialog_activate (LodgeHostDialog *self)
{
  g_return_if_fail (LODGE_IS_HOST_DIALOG (self));

  if (self->application != NULL)
    {
      if (!self->checking)
        lodge_host_dialog_add (self);
    }
  else
    lodge_host_dialog_apply_edit (self);
}

static void
lodge_host_dialog_done_button_clicked_cb (LodgeHostDialog *self)
{
  lodge_host_dialog_activate (self);
}

static void
lodge_host_dialog_cancel_button_clicked_cb (LodgeHostDialog *self)
{
  lodge_host_dialog_close (self);
}

static void
lodge_host_dialog_key_chosen_cb (GtkNativeDialog *chooser,
                                 int              response,
                                 LodgeHostDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->keyfile_row), path);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
lodge_host_dialog_choose_key_clicked_cb (LodgeHostDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (ssh_dir);

  chooser = gtk_file_chooser_native_new (_("Choose a Key File"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  if (g_file_query_exists (folder, NULL))
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (lodge_host_dialog_key_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
lodge_host_dialog_dispose (GObject *object)
{
  LodgeHostDialog *self = LODGE_HOST_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* A host still being checked was never added: it goes away. */
  if (self->host != NULL && self->application != NULL && self->checking)
    lodge_host_disconnect (self->host);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->host);
  g_clear_object (&self->application);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_HOST_DIALOG);

  G_OBJECT_CLASS (lodge_host_dialog_parent_class)->dispose (object);
}

static void
lodge_host_dialog_class_init (LodgeHostDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_host_dialog_dispose;

  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, LODGE_TYPE_HOST);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-host-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, done_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, kind_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, ssh_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, keyfile_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, scope_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, uri_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, uri_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, label_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeHostDialog, autoconnect_switch);
  gtk_widget_class_bind_template_callback (widget_class, lodge_host_dialog_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_host_dialog_done_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_host_dialog_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_host_dialog_choose_key_clicked_cb);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0,
                                (GtkShortcutFunc) gtk_window_close, NULL);
}

static void
lodge_host_dialog_init (LodgeHostDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->done_button));
}

LodgeHostDialog *
lodge_host_dialog_new_add (GtkWindow        *parent,
                           LodgeApplication *application)
{
  LodgeHostDialog *self;

  g_return_val_if_fail (LODGE_IS_APPLICATION (application), NULL);

  self = g_object_new (LODGE_TYPE_HOST_DIALOG, NULL);
  lodge_ui_window_set_parent (GTK_WINDOW (self), parent);
  self->application = g_object_ref (application);
  gtk_window_set_title (GTK_WINDOW (self), _("Add Host"));
  adw_window_title_set_title (self->window_title, _("Add Host"));
  gtk_button_set_label (self->done_button, _("C_onnect"));
  /* Most hosts added by hand are other computers. */
  adw_combo_row_set_selected (self->kind_row, KIND_SSH);
  lodge_host_dialog_update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
  return self;
}

LodgeHostDialog *
lodge_host_dialog_new_edit (GtkWindow *parent,
                            LodgeHost *host)
{
  LodgeHostDialog *self;
  g_autofree char *title = NULL;
  const char *label;

  g_return_val_if_fail (LODGE_IS_HOST (host), NULL);

  self = g_object_new (LODGE_TYPE_HOST_DIALOG, NULL);
  lodge_ui_window_set_parent (GTK_WINDOW (self), parent);
  self->host = g_object_ref (host);
  title = lodge_ui_host_title (host);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, lodge_host_get_uri_string (host));
  gtk_button_set_label (self->done_button, _("_Done"));
  gtk_widget_set_visible (GTK_WIDGET (self->kind_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->ssh_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->uri_row), FALSE);
  adw_preferences_group_set_description (self->uri_group, lodge_host_get_uri_string (host));
  label = lodge_host_get_label (host);
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), label != NULL ? label : "");
  gtk_switch_set_active (self->autoconnect_switch, lodge_host_get_autoconnect (host));
  gtk_widget_grab_focus (GTK_WIDGET (self->label_row));
  return self;
}

void
lodge_host_dialog_set_ssh (LodgeHostDialog *self,
                           const char      *address,
                           const char      *user,
                           int              port,
                           const char      *keyfile,
                           gboolean         system)
{
  g_autofree char *port_text = port > 0 ? g_strdup_printf ("%d", port) : g_strdup ("");

  g_return_if_fail (LODGE_IS_HOST_DIALOG (self));

  adw_combo_row_set_selected (self->kind_row, KIND_SSH);
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address != NULL ? address : "");
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user != NULL ? user : "");
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port_text);
  gtk_editable_set_text (GTK_EDITABLE (self->keyfile_row), keyfile != NULL ? keyfile : "");
  adw_combo_row_set_selected (self->scope_row, system ? 0 : 1);
}

void
lodge_host_dialog_set_uri (LodgeHostDialog *self,
                           const char      *uri)
{
  g_return_if_fail (LODGE_IS_HOST_DIALOG (self));

  adw_combo_row_set_selected (self->kind_row, KIND_URI);
  gtk_editable_set_text (GTK_EDITABLE (self->uri_row), uri);
}

const char *
lodge_host_dialog_get_error (LodgeHostDialog *self)
{
  g_return_val_if_fail (LODGE_IS_HOST_DIALOG (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

void
lodge_host_dialog_set_label (LodgeHostDialog *self,
                             const char      *label)
{
  g_return_if_fail (LODGE_IS_HOST_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), label != NULL ? label : "");
}

void
lodge_host_dialog_set_autoconnect (LodgeHostDialog *self,
                                   gboolean         autoconnect)
{
  g_return_if_fail (LODGE_IS_HOST_DIALOG (self));
  gtk_switch_set_active (self->autoconnect_switch, autoconnect);
}
