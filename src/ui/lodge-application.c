/* lodge-application.c: the application: command line, connections, windows
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-application"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "model/lodge-askpass-server.h"
#include "ui/lodge-application.h"
#include "ui/lodge-auth-agent.h"
#include "ui/lodge-preferences-window.h"
#include "ui/lodge-remote-window.h"
#include "ui/lodge-resources.h"
#include "ui/lodge-ui-private.h"
#include "ui/lodge-window.h"

struct _LodgeApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  /* Every host; the windows show them. */
  LodgeHostList  *hosts;
  /* Hosts added for this run only (--connect): not saved. */
  GHashTable     *transient_hosts;
  gboolean        loading_hosts;
  /* What Lodge remembers of each machine of every host. */
  LodgeStateStore *state_store;
  /* Migrations under way: they go on when their dialog is closed. */
  GListStore     *migrations;
  char           *connect_uri;
  /* Loaded when first needed (New, a dropped file): ~0.5 s of CPU that a
   * session which never creates a machine does not pay. */
  LodgeOsDatabase *os_database;
  /* Credential questions of every host: the keyring, else a dialog. */
  LodgeAuthAgent *auth_agent;
  /* OpenSSH's questions (qemu+ssh://), brought to the hosts' ::authenticate. */
  LodgeAskpassServer *askpass;
};

G_DEFINE_FINAL_TYPE (LodgeApplication, lodge_application, ADW_TYPE_APPLICATION)

enum {
  MIGRATION_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

/* The host Lodge adds the first time it runs. */
static char *
lodge_application_dup_first_uri (LodgeApplication *self)
{
  g_autofree char *setting = g_settings_get_string (self->settings, "default-uri");

  if (setting != NULL && setting[0] != '\0')
    return g_steal_pointer (&setting);
  return g_strdup (lodge_connection_default_uri ());
}

LodgeHostList *
lodge_application_get_hosts (LodgeApplication *self)
{
  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);

  return self->hosts;
}

LodgeStateStore *
lodge_application_get_state_store (LodgeApplication *self)
{
  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);

  return self->state_store;
}

/* Authentication -------------------------------------------------------- */

/* A host's connection, or the askpass server for a question it could tie
 * to no connection. */
static void
lodge_application_connection_authenticate_cb (LodgeApplication *self,
                                              LodgeAuthRequest *request,
                                              GObject          *source)
{
  /* NULL parent: the main window, once there is one. */
  lodge_auth_agent_handle (self->auth_agent, request, NULL);
}

/* Hosts ------------------------------------------------------------------ */

static void
lodge_application_save_hosts (LodgeApplication *self)
{
  GVariantBuilder builder;
  guint n;

  if (self->loading_hosts)
    return;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssb)"));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->hosts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);
      const char *label = lodge_host_get_label (host);

      if (g_hash_table_contains (self->transient_hosts, host))
        continue;
      g_variant_builder_add (&builder, "(ssb)", lodge_host_get_uri_string (host),
                             label != NULL ? label : "", lodge_host_get_autoconnect (host));
    }
  g_settings_set_value (self->settings, "hosts", g_variant_builder_end (&builder));
}

static void
lodge_application_host_notify_cb (LodgeApplication *self,
                                   GParamSpec       *pspec,
                                   LodgeHost        *host)
{
  lodge_application_save_hosts (self);
}

static void
lodge_application_host_connect_cb (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The sidebar and the library follow the host's state and show why. */
  if (!lodge_host_connect_finish (LODGE_HOST (object), result, &error))
    g_debug ("Could not connect to %s: %s",
             lodge_host_get_uri_string (LODGE_HOST (object)), error->message);
}

void
lodge_application_connect_host (LodgeApplication *self,
                                LodgeHost        *host)
{
  g_return_if_fail (LODGE_IS_APPLICATION (self));
  g_return_if_fail (LODGE_IS_HOST (host));

  lodge_host_connect_async (host, NULL, lodge_application_host_connect_cb, NULL);
}

static GQuark lodge_application_prepared_quark (void);
G_DEFINE_QUARK (lodge-application-prepared, lodge_application_prepared)

/* Everything a host needs before it connects: the shared "last used"
 * store, the refresh interval, authentication through Lodge's dialogs.
 * Once per host. */
void
lodge_application_prepare_host (LodgeApplication *self,
                                LodgeHost        *host)
{
  LodgeConnection *connection;

  g_return_if_fail (LODGE_IS_APPLICATION (self));
  g_return_if_fail (LODGE_IS_HOST (host));

  if (g_object_get_qdata (G_OBJECT (host), lodge_application_prepared_quark ()) == self)
    return;
  g_object_set_qdata (G_OBJECT (host), lodge_application_prepared_quark (), self);
  connection = lodge_host_get_connection (host);

  lodge_connection_set_state_store (connection, self->state_store);
  lodge_connection_set_stats_interval (connection,
                                       g_settings_get_uint (self->settings, "stats-interval"));
  g_signal_connect_object (connection, "authenticate",
                           G_CALLBACK (lodge_application_connection_authenticate_cb),
                           self, G_CONNECT_SWAPPED);
  if (self->askpass != NULL)
    lodge_askpass_server_add_connection (self->askpass, connection);
  g_signal_connect_object (host, "notify::label",
                           G_CALLBACK (lodge_application_host_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (host, "notify::autoconnect",
                           G_CALLBACK (lodge_application_host_notify_cb), self, G_CONNECT_SWAPPED);
}

LodgeHost *
lodge_application_add_host (LodgeApplication  *self,
                            const char        *uri,
                            const char        *label,
                            gboolean           autoconnect,
                            gboolean           remember,
                            GError           **error)
{
  g_autoptr(LodgeHost) host = NULL;
  LodgeHost *existing;

  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  existing = lodge_host_list_lookup (self->hosts, uri);
  if (existing != NULL)
    {
      /* Kept from now on when asked to remember a host of this run. */
      if (remember && g_hash_table_remove (self->transient_hosts, existing))
        lodge_application_save_hosts (self);
      return existing;
    }

  host = lodge_host_new (uri, error);
  if (host == NULL)
    return NULL;
  lodge_host_set_label (host, label);
  lodge_host_set_autoconnect (host, autoconnect);
  lodge_application_prepare_host (self, host);
  if (!remember)
    g_hash_table_add (self->transient_hosts, host);
  lodge_host_list_add (self->hosts, host);
  lodge_application_save_hosts (self);

  return host;
}

gboolean
lodge_application_insert_host (LodgeApplication *self,
                               LodgeHost        *host)
{
  g_return_val_if_fail (LODGE_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (LODGE_IS_HOST (host), FALSE);

  lodge_application_prepare_host (self, host);
  if (!lodge_host_list_add (self->hosts, host))
    return FALSE;
  lodge_application_save_hosts (self);
  return TRUE;
}

void
lodge_application_remove_host (LodgeApplication *self,
                               LodgeHost        *host)
{
  g_autoptr(LodgeHost) removed = NULL;

  g_return_if_fail (LODGE_IS_APPLICATION (self));
  g_return_if_fail (LODGE_IS_HOST (host));

  /* Removes nothing on the host: only Lodge forgets it. */
  removed = g_object_ref (host);
  g_hash_table_remove (self->transient_hosts, host);
  if (lodge_host_list_remove (self->hosts, host))
    lodge_application_save_hosts (self);
}

/* The hosts of the settings, in their order; the first run adds one. */
static void
lodge_application_load_hosts (LodgeApplication *self)
{
  g_autoptr(GVariant) saved = g_settings_get_value (self->settings, "hosts");
  GVariantIter iter;
  const char *uri, *label;
  gboolean autoconnect;

  self->loading_hosts = TRUE;
  g_variant_iter_init (&iter, saved);
  while (g_variant_iter_next (&iter, "(&s&sb)", &uri, &label, &autoconnect))
    {
      g_autoptr(GError) error = NULL;

      if (lodge_application_add_host (self, uri, label, autoconnect, TRUE, &error) == NULL)
        g_warning ("Leaving out a saved host: %s", error->message);
    }
  self->loading_hosts = FALSE;

  if (g_variant_n_children (saved) == 0)
    {
      g_autofree char *first = lodge_application_dup_first_uri (self);
      g_autoptr(GError) error = NULL;

      if (lodge_application_add_host (self, first, NULL, TRUE, TRUE, &error) == NULL)
        g_warning ("Could not add the first host: %s", error->message);
    }
}

LodgeConnection *
lodge_application_get_connection (LodgeApplication *self,
                                  const char       *uri)
{
  LodgeHost *host;

  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  host = lodge_host_list_lookup (self->hosts, uri);
  return host != NULL ? lodge_host_get_connection (host) : NULL;
}

static void
lodge_application_settings_changed_cb (LodgeApplication *self,
                                       const char       *key,
                                       GSettings        *settings)
{
  guint interval = g_settings_get_uint (settings, "stats-interval");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->hosts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      lodge_connection_set_stats_interval (lodge_host_get_connection (host), interval);
    }
}

GtkWindow *
lodge_application_show (LodgeApplication *self,
                        const char       *uri,
                        const char       *machine)
{
  LodgeWindow *window = NULL;
  LodgeHost *host = NULL;

  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);

  if (uri != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* A host named on the command line is shown for this run; Add Host
       * keeps it. */
      host = lodge_application_add_host (self, uri, NULL, TRUE, FALSE, &error);
      if (host == NULL)
        g_warning ("%s", error->message);
      else if (lodge_host_get_state (host) == LODGE_CONNECTION_STATE_DISCONNECTED ||
               lodge_host_get_state (host) == LODGE_CONNECTION_STATE_FAILED)
        lodge_application_connect_host (self, host);
    }

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (LODGE_IS_WINDOW (l->data))
        {
          window = l->data;
          break;
        }
    }

  if (window == NULL)
    window = lodge_window_new (self);
  if (host != NULL)
    lodge_window_select_host (window, host);

  gtk_window_present (GTK_WINDOW (window));

  if (machine != NULL && machine[0] != '\0')
    lodge_window_open_machine_by_name (window, machine);

  return GTK_WINDOW (window);
}

/* Remote displays ---------------------------------------------------------- */

static gboolean
lodge_application_is_display_scheme (const char *scheme)
{
  static const char * const schemes[] = { "spice", "spice+tls", "spice+unix", "vnc", "vnc+unix", NULL };

  return scheme != NULL && g_strv_contains (schemes, scheme);
}

static GFile *
lodge_application_file_for_argument (const char *argument,
                                     GFile      *cwd)
{
  g_autofree char *scheme = g_uri_parse_scheme (argument);

  if (scheme != NULL && g_ascii_strcasecmp (scheme, "file") == 0)
    return g_file_new_for_uri (argument);
  if (scheme != NULL || g_path_is_absolute (argument) || cwd == NULL)
    return g_file_new_for_commandline_arg (argument);
  return g_file_resolve_relative_path (cwd, argument);
}

GtkWindow *
lodge_application_open_display (LodgeApplication  *self,
                                const char        *argument,
                                GFile             *cwd,
                                GError           **error)
{
  g_autoptr(LodgeDisplayEndpoint) endpoint = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *basename = NULL;
  LodgeRemoteWindow *window;

  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (argument != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  scheme = g_uri_parse_scheme (argument);
  if (scheme != NULL)
    {
      char *lower = g_ascii_strdown (scheme, -1);

      g_free (scheme);
      scheme = lower;
    }

  if (lodge_application_is_display_scheme (scheme))
    {
      endpoint = lodge_display_endpoint_new_from_uri (argument, error);
      if (endpoint == NULL)
        return NULL;
    }
  else if (scheme == NULL || g_str_equal (scheme, "file"))
    {
      g_autoptr(GError) local_error = NULL;
      gboolean named_vv;

      file = lodge_application_file_for_argument (argument, cwd);
      basename = g_file_get_basename (file);
      named_vv = basename != NULL && g_str_has_suffix (basename, ".vv");
      /* Any other name is a machine's, unless a file of that name holds a
       * connection file (a browser's download without its suffix). */
      if (!named_vv && g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_REGULAR)
        return NULL;
      endpoint = lodge_display_endpoint_new_from_vv_file (file, NULL, &local_error);
      if (endpoint == NULL)
        {
          g_autofree char *name = g_file_get_parse_name (file);

          if (!named_vv)
            return NULL;
          /* GIO's messages name the file already. */
          if (local_error->domain == G_IO_ERROR)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, local_error->domain, local_error->code,
                         _("Cannot open “%s”: %s"), name, local_error->message);
          return NULL;
        }
    }
  else
    return NULL;

  /* As remote-viewer does: the file held a one-time password. */
  if (file != NULL && lodge_display_endpoint_get_delete_this_file (endpoint) == LODGE_DISPLAY_TOGGLE_ON)
    {
      g_autoptr(GError) delete_error = NULL;

      if (!g_file_delete (file, NULL, &delete_error))
        g_warning ("Could not delete the connection file as it asks: %s", delete_error->message);
    }

  window = lodge_remote_window_new (GTK_APPLICATION (self), endpoint, file != NULL);
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

/* Migrations ------------------------------------------------------------- */

GListModel *
lodge_application_get_migrations (LodgeApplication *self)
{
  g_return_val_if_fail (LODGE_IS_APPLICATION (self), NULL);

  return G_LIST_MODEL (self->migrations);
}

static gboolean
lodge_application_has_active_window (LodgeApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (gtk_window_is_active (l->data))
      return TRUE;
  return FALSE;
}

/* A move under way: where the machine came from (its machine object
 * forgets its host once it is gone from there). */
typedef struct
{
  LodgeApplication *self;
  LodgeHost        *source;
} MigrationRun;

static void
migration_run_free (MigrationRun *run)
{
  g_clear_object (&run->self);
  g_clear_object (&run->source);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MigrationRun, migration_run_free)

static void
lodge_application_migration_done_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(MigrationRun) run = user_data;
  LodgeApplication *self = run->self;
  LodgeMigration *migration = LODGE_MIGRATION (object);
  LodgeMachine *machine = lodge_migration_get_machine (migration);
  LodgeHost *destination = lodge_connection_get_host (lodge_migration_get_destination (migration));
  g_autofree char *to = destination != NULL ? lodge_ui_host_title (destination) : NULL;
  g_autoptr(GError) error = NULL;
  guint position;

  lodge_migration_start_finish (migration, result, &error);
  if (g_list_store_find (self->migrations, migration, &position))
    g_list_store_remove (self->migrations, position);

  /* The machine keeps its past on its new host: the graphs of the last
   * minutes and when it was last used. */
  if (error == NULL && destination != NULL && run->source != NULL)
    {
      LodgeHost *source = run->source;
      const char *uuid = lodge_machine_get_uuid (machine);
      gint64 last_used = lodge_state_store_get_int64 (self->state_store, lodge_host_get_uri_string (source),
                                                      uuid, "last-used", 0);

      lodge_stats_history_adopt (lodge_host_get_stats_history (destination),
                                 lodge_host_get_stats_history (source), uuid);
      if (last_used > 0)
        lodge_state_store_set_int64 (self->state_store, lodge_host_get_uri_string (destination),
                                     uuid, "last-used", last_used);
    }

  g_signal_emit (self, signals[MIGRATION_FINISHED], 0, migration, error);

  /* Said on the desktop when nobody looks at Lodge (its window closed or
   * in the background). */
  if (!lodge_application_has_active_window (self) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *title = NULL;
      const char *name = lodge_machine_get_display_name (machine);

      if (error == NULL)
        title = g_strdup_printf (_("“%s” moved to %s"), name, to != NULL ? to : "");
      else
        title = g_strdup_printf (_("Could not move “%s”"), name);
      notification = g_notification_new (title);
      if (error != NULL)
        g_notification_set_body (notification, error->message);
      g_application_send_notification (G_APPLICATION (self), NULL, notification);
    }
  g_application_release (G_APPLICATION (self));
}

void
lodge_application_start_migration (LodgeApplication *self,
                                   LodgeMigration   *migration)
{
  g_return_if_fail (LODGE_IS_APPLICATION (self));
  g_return_if_fail (LODGE_IS_MIGRATION (migration));

  g_list_store_append (self->migrations, migration);
  /* Lodge stays until the move is over, even with its windows closed. */
  g_application_hold (G_APPLICATION (self));
  {
    MigrationRun *run = g_new0 (MigrationRun, 1);
    LodgeHost *source = lodge_machine_get_host (lodge_migration_get_machine (migration));

    run->self = g_object_ref (self);
    run->source = source != NULL ? g_object_ref (source) : NULL;
    lodge_migration_start_async (migration, NULL, lodge_application_migration_done_cb, run);
  }
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
  g_autofree const char **remaining = NULL;
  g_autoptr(GFile) cwd = NULL;
  const char *machine = NULL;
  guint n_displays = 0, n_failed = 0;

  g_variant_dict_lookup (options, "connect", "s", &connect);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&s", &remaining);
  if (g_application_command_line_get_cwd (command_line) != NULL)
    cwd = g_file_new_for_path (g_application_command_line_get_cwd (command_line));

  /* Remote displays (URIs, .vv files) open windows of their own; what is
   * left names a machine of the library. */
  for (guint i = 0; remaining != NULL && remaining[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (lodge_application_open_display (self, remaining[i], cwd, &error) != NULL)
        n_displays++;
      else if (error != NULL)
        {
          g_application_command_line_printerr (command_line, "lodge: %s\n", error->message);
          n_failed++;
        }
      else if (machine != NULL)
        {
          g_application_command_line_printerr (command_line, "%s\n",
                                               _("Give at most one machine name or UUID."));
          return 1;
        }
      else
        machine = remaining[i];
    }

  if (n_displays > 0 && machine == NULL && (connect == NULL || connect[0] == '\0'))
    return 0;
  if (n_failed > 0 && n_displays == 0 && machine == NULL && (connect == NULL || connect[0] == '\0'))
    return 1;

  lodge_application_show (self, connect != NULL && connect[0] != '\0' ? connect : NULL, machine);
  return 0;
}

static void
lodge_application_activate (GApplication *application)
{
  lodge_application_show (LODGE_APPLICATION (application), NULL, NULL);
}

static void
lodge_application_startup (GApplication *application)
{
  LodgeApplication *self = LODGE_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "F1", NULL };

  /* Here, not in init: --version and --help run without the schema. */
  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed::stats-interval",
                           G_CALLBACK (lodge_application_settings_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* Before the first connection: libvirt's events on the main loop. */
  lodge_connection_init_events ();

  /* Only the primary instance starts up: open its hosts now, before GTK
   * initialises, so that libvirt (on worker threads) and GTK's start run
   * side by side. With thousands of machines that is most of the time to
   * the first populated frame. */
  {
    g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "lodge", NULL);
    g_autofree char *path = g_build_filename (dir, "machines.ini", NULL);

    self->state_store = lodge_state_store_new (path);
  }
  self->auth_agent = lodge_auth_agent_new (GTK_APPLICATION (self));
  {
    g_autoptr(GError) error = NULL;

    /* main() prepared the process; a test program may not have. */
    self->askpass = lodge_askpass_server_new (&error);
    if (self->askpass == NULL)
      g_debug ("No askpass server: %s", error->message);
    else
      g_signal_connect_object (self->askpass, "authenticate",
                               G_CALLBACK (lodge_application_connection_authenticate_cb),
                               self, G_CONNECT_SWAPPED);
  }
  lodge_application_load_hosts (self);
  if (self->connect_uri != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (lodge_application_add_host (self, self->connect_uri, NULL, TRUE, FALSE, &error) == NULL)
        g_warning ("%s", error->message);
    }
  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (self->hosts)); i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      if (lodge_host_get_autoconnect (host))
        lodge_application_connect_host (self, host);
    }

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

  /* Machines keep running: only Lodge's connections close. */
  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (self->hosts)); i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      lodge_connection_close (lodge_host_get_connection (host));
    }
  if (self->state_store != NULL)
    lodge_state_store_flush (self->state_store);
  if (self->askpass != NULL)
    lodge_askpass_server_stop (self->askpass);

  G_APPLICATION_CLASS (lodge_application_parent_class)->shutdown (application);
}

static void
lodge_application_dispose (GObject *object)
{
  LodgeApplication *self = LODGE_APPLICATION (object);

  g_clear_pointer (&self->transient_hosts, g_hash_table_unref);
  g_clear_object (&self->hosts);
  g_clear_object (&self->state_store);
  g_clear_object (&self->migrations);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->connect_uri, g_free);
  g_clear_object (&self->os_database);
  g_clear_object (&self->askpass);
  g_clear_object (&self->auth_agent);

  G_OBJECT_CLASS (lodge_application_parent_class)->dispose (object);
}

static void
lodge_application_class_init (LodgeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = lodge_application_dispose;

  /* A migration ended: done (error NULL), cancelled or failed. */
  signals[MIGRATION_FINISHED] =
    g_signal_new ("migration-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, LODGE_TYPE_MIGRATION, G_TYPE_ERROR);

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
  self->hosts = lodge_host_list_new ();
  self->migrations = g_list_store_new (LODGE_TYPE_MIGRATION);
  self->transient_hosts = g_hash_table_new (NULL, NULL);

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[NAME|UUID|URI|FILE.vv…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Run and manage virtual machines. With a machine's name or UUID, open it; "
                                              "with a spice:// address or a .vv file, open that remote display."));
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
