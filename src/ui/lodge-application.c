/* lodge-application.c: the application: command line, connections, windows
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-application"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "create/lodge-pending-cleanup.h"
#include "model/lodge-stats-history.h"
#include "ui/lodge-application.h"
#include "ui/lodge-preferences-window.h"
#include "ui/lodge-resources.h"
#include "ui/lodge-ui-private.h"
#include "ui/lodge-window.h"

struct _LodgeApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  /* uri → LodgeConnection: the application owns every connection; windows
   * only show one. */
  GHashTable     *connections;
  char           *connect_uri;
  /* Loaded when first needed (New, a dropped file): ~0.5 s of CPU that a
   * session which never creates a machine does not pay. */
  LodgeOsDatabase *os_database;
};

G_DEFINE_FINAL_TYPE (LodgeApplication, lodge_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "connect", 'c', 0, G_OPTION_ARG_STRING, NULL,
    N_("Connect to the libvirt URI, e.g. qemu:///system"), N_("URI") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and quit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL, NULL, NULL },
  { NULL }
};

GSettings *
lodge_application_get_settings (LodgeApplication *self)
{
  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);

  return self->settings;
}

static void
lodge_application_os_database_loaded_cb (GObject      *object,
                                         GAsyncResult *result,
                                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The assistant shows the error when it needs the list. */
  if (!lodge_os_database_load_finish (LODGE_OS_DATABASE (object), result, &error))
    g_warning ("Could not load the operating system database: %s", error->message);
}

LodgeOsDatabase *
lodge_application_get_os_database (LodgeApplication *self)
{
  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);

  if (self->os_database == NULL)
    {
      self->os_database = lodge_os_database_new ();
      lodge_os_database_load_async (self->os_database, NULL,
                                    lodge_application_os_database_loaded_cb, NULL);
    }

  return self->os_database;
}

char *
lodge_application_dup_default_uri (LodgeApplication *self)
{
  g_autofree char *setting = NULL;

  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);

  if (self->connect_uri != NULL)
    return g_strdup (self->connect_uri);

  setting = g_settings_get_string (self->settings, "default-uri");
  if (setting != NULL && setting[0] != '\0')
    return g_steal_pointer (&setting);

  return g_strdup (lodge_connection_default_uri ());
}

/* Authentication -------------------------------------------------------- */

static void
lodge_application_auth_response_cb (AdwMessageDialog *dialog,
                                    const char       *response,
                                    LodgeAuthRequest *request)
{
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
  GtkWidget *user_entry = g_object_get_data (G_OBJECT (box), "lodge-user");
  GtkWidget *password_entry = g_object_get_data (G_OBJECT (box), "lodge-password");

  if (g_strcmp0 (response, "log-in") == 0)
    lodge_auth_request_answer (request,
                               user_entry != NULL ? gtk_editable_get_text (GTK_EDITABLE (user_entry)) : NULL,
                               password_entry != NULL ? gtk_editable_get_text (GTK_EDITABLE (password_entry)) : NULL);
  else
    lodge_auth_request_cancel (request);
}

static void
lodge_application_connection_authenticate_cb (LodgeApplication *self,
                                              LodgeAuthRequest *request,
                                              LodgeConnection  *connection)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *box;
  GtkWidget *focus = NULL;
  const char *prompt = lodge_auth_request_get_prompt (request);

  if (prompt != NULL && prompt[0] != '\0')
    body = g_strdup_printf ("%s\n%s", lodge_auth_request_get_uri (request), prompt);
  else
    body = g_strdup (lodge_auth_request_get_uri (request));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Authentication Required"), body));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  if (lodge_auth_request_get_needs_username (request))
    {
      GtkWidget *entry = gtk_entry_new ();

      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("User name"));
      gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("User name"),
                                      -1);
      gtk_box_append (GTK_BOX (box), entry);
      g_object_set_data (G_OBJECT (box), "lodge-user", entry);
      focus = entry;
    }
  if (lodge_auth_request_get_needs_password (request))
    {
      GtkWidget *entry = gtk_password_entry_new ();

      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
      g_object_set (entry, "placeholder-text", _("Password"), "activates-default", TRUE, NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Password"),
                                      -1);
      gtk_box_append (GTK_BOX (box), entry);
      g_object_set_data (G_OBJECT (box), "lodge-password", entry);
      if (focus == NULL)
        focus = entry;
    }
  adw_message_dialog_set_extra_child (dialog, box);
  lodge_ui_dialog_add_choice (dialog, "log-in", _("_Log In"), FALSE);
  g_signal_connect_data (dialog, "response",
                         G_CALLBACK (lodge_application_auth_response_cb),
                         g_object_ref (request), (GClosureNotify) g_object_unref, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  if (focus != NULL)
    gtk_widget_grab_focus (focus);
}

/* Connections ----------------------------------------------------------- */

static void
lodge_application_open_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The window follows the connection's state and shows the error. */
  if (!lodge_connection_open_finish (LODGE_CONNECTION (object), result, &error))
    {
      g_debug ("Could not open %s: %s",
               lodge_connection_get_uri (LODGE_CONNECTION (object)), error->message);
      return;
    }

  /* What a creation could not remove when an earlier session lost this
   * host goes now (on a worker thread), and again at each reconnection. */
  lodge_pending_cleanup_get_for_connection (LODGE_CONNECTION (object));
}

LodgeConnection *
lodge_application_get_connection (LodgeApplication *self,
                                  const char       *uri)
{
  LodgeConnection *connection;
  g_autofree char *usage_dir = NULL;
  g_autofree char *usage_file = NULL;

  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  connection = g_hash_table_lookup (self->connections, uri);
  if (connection != NULL)
    return connection;

  connection = lodge_connection_new (uri);
  g_hash_table_insert (self->connections, g_strdup (uri), connection);
  /* From the first tick on, so that graphs show the past minutes. */
  lodge_stats_history_for_connection (connection);

  usage_dir = g_build_filename (g_get_user_state_dir (), "lodge", NULL);
  if (g_mkdir_with_parents (usage_dir, 0700) == 0)
    {
      usage_file = g_build_filename (usage_dir, "usage.ini", NULL);
      lodge_connection_set_usage_file (connection, usage_file);
    }
  lodge_connection_set_stats_interval (connection,
                                       g_settings_get_uint (self->settings, "stats-interval"));
  g_signal_connect_object (connection, "authenticate",
                           G_CALLBACK (lodge_application_connection_authenticate_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_connection_open_async (connection, NULL, lodge_application_open_cb, NULL);

  return connection;
}

void
lodge_application_retry_connection (LodgeApplication *self,
                                    LodgeConnection  *connection)
{
  LodgeConnectionState state;

  g_return_if_fail (LODGE_IS_APPLICATION (self));
  g_return_if_fail (LODGE_IS_CONNECTION (connection));

  state = lodge_connection_get_state (connection);
  if (state == LODGE_CONNECTION_STATE_FAILED || state == LODGE_CONNECTION_STATE_DISCONNECTED)
    lodge_connection_open_async (connection, NULL, lodge_application_open_cb, NULL);
  else if (state == LODGE_CONNECTION_STATE_RECONNECTING)
    lodge_connection_reconnect_now (connection);
}

static void
lodge_application_settings_changed_cb (LodgeApplication *self,
                                       const char       *key,
                                       GSettings        *settings)
{
  GHashTableIter iter;
  gpointer connection;
  guint interval = g_settings_get_uint (settings, "stats-interval");

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &connection))
    lodge_connection_set_stats_interval (connection, interval);
}

GtkWindow *
lodge_application_show (LodgeApplication *self,
                        const char       *uri,
                        const char       *machine)
{
  LodgeConnection *connection;
  LodgeWindow *window = NULL;

  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  connection = lodge_application_get_connection (self, uri);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (LODGE_IS_WINDOW (l->data) && lodge_window_get_connection (l->data) == connection)
        {
          window = l->data;
          break;
        }
    }

  if (window == NULL)
    window = lodge_window_new (self, connection);

  gtk_window_present (GTK_WINDOW (window));

  if (machine != NULL && machine[0] != '\0')
    lodge_window_open_machine_by_name (window, machine);

  return GTK_WINDOW (window);
}

/* Actions ---------------------------------------------------------------- */

static void
lodge_application_about_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  LodgeApplication *self = user_data;
  static const char *developers[] = { "The Lodge authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Lodge"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("The Lodge authors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Run and manage virtual machines on this computer and others."),
                        "copyright", "© 2026 The Lodge authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
lodge_application_preferences_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  LodgeApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  LodgePreferencesWindow *preferences;

  preferences = lodge_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
lodge_application_shortcuts_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  LodgeApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* Every window builds its shortcuts window when first asked. */
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.shortcuts", NULL);
}

static void
lodge_application_help_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  LodgeApplication *self = user_data;

  gtk_show_uri (gtk_application_get_active_window (GTK_APPLICATION (self)),
                "help:lodge", GDK_CURRENT_TIME);
}

static void
lodge_application_quit_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  LodgeApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  /* Closing the windows carries out deletions still waiting behind their
   * undo toasts; each holds the application until libvirt is done. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (LODGE_IS_WINDOW (l->data))
        lodge_window_flush_pending_deletes (l->data);
      gtk_window_destroy (l->data);
    }
}

static const GActionEntry app_actions[] = {
  { "about", lodge_application_about_action },
  { "preferences", lodge_application_preferences_action },
  { "shortcuts", lodge_application_shortcuts_action },
  { "help", lodge_application_help_action },
  { "quit", lodge_application_quit_action },
};

/* GApplication ------------------------------------------------------------ */

static int
lodge_application_handle_local_options (GApplication *application,
                                        GVariantDict *options)
{
  LodgeApplication *self = LODGE_APPLICATION (application);
  const char *connect = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "lodge", PACKAGE_VERSION);
      return 0;
    }

  /* Known this early so that startup can open the connection while GTK
   * initialises (see lodge_application_startup). */
  if (g_variant_dict_lookup (options, "connect", "&s", &connect) && connect[0] != '\0'
      && self->connect_uri == NULL)
    self->connect_uri = g_strdup (connect);

  return -1;
}

static int
lodge_application_command_line (GApplication            *application,
                                GApplicationCommandLine *command_line)
{
  LodgeApplication *self = LODGE_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *connect = NULL;
  g_autofree char *uri = NULL;
  g_autofree const char **remaining = NULL;
  const char *machine = NULL;

  g_variant_dict_lookup (options, "connect", "s", &connect);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&s", &remaining);

  if (remaining != NULL && remaining[0] != NULL)
    {
      if (remaining[1] != NULL)
        {
          g_application_command_line_printerr (command_line, "%s\n",
                                               _("Give at most one machine name or UUID."));
          return 1;
        }
      machine = remaining[0];
    }

  if (connect != NULL && connect[0] != '\0')
    {
      /* The first --connect becomes this run's default. */
      if (self->connect_uri == NULL)
        self->connect_uri = g_strdup (connect);
      uri = g_strdup (connect);
    }
  else
    uri = lodge_application_dup_default_uri (self);

  lodge_application_show (self, uri, machine);
  return 0;
}

static void
lodge_application_activate (GApplication *application)
{
  LodgeApplication *self = LODGE_APPLICATION (application);
  g_autofree char *uri = lodge_application_dup_default_uri (self);

  lodge_application_show (self, uri, NULL);
}

static void
lodge_application_startup (GApplication *application)
{
  LodgeApplication *self = LODGE_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "F1", NULL };

  g_autofree char *uri = NULL;

  /* Here, not in init: --version and --help run without the schema. */
  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed::stats-interval",
                           G_CALLBACK (lodge_application_settings_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* Before the first connection: libvirt's events on the main loop. */
  lodge_connection_init_events ();

  /* Only the primary instance starts up: open its connection now, before
   * GTK initialises, so that libvirt (on a worker thread) and GTK's start
   * run side by side. With thousands of machines that is most of the time
   * to the first populated frame. */
  uri = lodge_application_dup_default_uri (self);
  lodge_application_get_connection (self, uri);

  G_APPLICATION_CLASS (lodge_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);

  gtk_window_set_default_icon_name (APPLICATION_ID);
}

static void
lodge_application_shutdown (GApplication *application)
{
  LodgeApplication *self = LODGE_APPLICATION (application);
  GHashTableIter iter;
  gpointer connection;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &connection))
    lodge_connection_close (connection);

  G_APPLICATION_CLASS (lodge_application_parent_class)->shutdown (application);
}

static void
lodge_application_dispose (GObject *object)
{
  LodgeApplication *self = LODGE_APPLICATION (object);

  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->connect_uri, g_free);
  g_clear_object (&self->os_database);

  G_OBJECT_CLASS (lodge_application_parent_class)->dispose (object);
}

static void
lodge_application_class_init (LodgeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = lodge_application_dispose;

  application_class->handle_local_options = lodge_application_handle_local_options;
  application_class->command_line = lodge_application_command_line;
  application_class->activate = lodge_application_activate;
  application_class->startup = lodge_application_startup;
  application_class->shutdown = lodge_application_shutdown;

  /* The resources live in a static library: register them by hand so the
   * linker keeps them. */
  lodge_register_resource ();
}

static void
lodge_application_init (LodgeApplication *self)
{
  self->connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[NAME|UUID]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Run and manage virtual machines. With a machine's name or UUID, open it."));
}

LodgeApplication *
lodge_application_new (void)
{
  return g_object_new (LODGE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}
