/* test-ui-hosts.c: several hosts in one window
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application with four hosts from its settings: two test-driver
 * files, the system daemon (qemu:///system, as CI provides it) and an
 * address where nothing answers. All Machines lists every machine of the
 * three that answer, each host's row says what it is doing, and Add Host,
 * Edit, Disconnect, Connect and Remove work on the settings and the list.
 */
#define G_LOG_DOMAIN "test-ui-hosts"

#include "config.h"

#include <glib/gstdio.h>

#include "lodge-test.h"
#include "lodge-model-test.h"
#include "ui/lodge-application.h"
#include "ui/lodge-host-dialog.h"
#include "ui/lodge-host-row.h"
#include "ui/lodge-machine-item.h"
#include "ui/lodge-window-private.h"

/* Bounds a hang; never a timing assertion. */
#define WAIT_MS 20000
#define UNREACHABLE "qemu+tcp://127.0.0.9:1/system"

static LodgeApplication *app;
static char *tmp_dir;
static char *uri_a;
static char *uri_b;
static char *uri_c;

static gboolean
wait_until (LodgeTestCheck check,
            gpointer       data)
{
  return lodge_test_wait_until (check, data, WAIT_MS);
}

static char *
write_machines (const char *name,
                guint       count,
                guint       seed)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *count_arg = g_strdup_printf ("%u", count);
  g_autofree char *seed_arg = g_strdup_printf ("%u", seed);
  char *argv[] = { (char *) "python3", (char *) LODGE_GEN_MACHINES, count_arg, path,
                   (char *) "--seed", seed_arg, (char *) "--running-fraction", (char *) "0.5", NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strdup_printf ("test://%s", path);
}

static LodgeHost *
host_of (const char *uri)
{
  LodgeHost *host = lodge_host_list_lookup (lodge_application_get_hosts (app), uri);

  g_assert_nonnull (host);
  return host;
}

static LodgeWindow *
main_window (void)
{
  LodgeWindow *window = LODGE_WINDOW (lodge_application_show (app, NULL, NULL));

  g_assert_true (LODGE_IS_WINDOW (window));
  return window;
}

static const char *
row_status (LodgeWindow *window,
            LodgeHost   *host)
{
  GtkWidget *row = lodge_sidebar_get_row (lodge_window_get_sidebar (window), host);

  g_assert_true (LODGE_IS_HOST_ROW (row));
  return lodge_host_row_get_status (LODGE_HOST_ROW (row));
}

static gboolean
host_connected (gpointer data)
{
  return lodge_host_get_state (data) == LODGE_CONNECTION_STATE_CONNECTED;
}

static gboolean
host_failed (gpointer data)
{
  return lodge_host_get_state (data) == LODGE_CONNECTION_STATE_FAILED;
}

/* The library shows exactly the machines of the hosts (every host's that
 * is connected when @only is NULL). */
typedef struct
{
  LodgeWindow *window;
  LodgeHost   *only;
} Shows;

static gboolean
library_shows_hosts (gpointer data)
{
  Shows *shows = data;
  LodgeHostList *hosts = lodge_application_get_hosts (app);
  GListModel *library = lodge_window_get_library_model (shows->window);
  guint expected = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (hosts)); i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (hosts), i);

      if (shows->only != NULL && host != shows->only)
        continue;
      expected += lodge_host_get_n_machines (host);
    }
  if (g_list_model_get_n_items (library) != expected)
    return FALSE;
  for (guint i = 0; i < expected; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (library, i);
      LodgeHost *host = lodge_machine_get_host (machine);

      if (host == NULL || (shows->only != NULL && host != shows->only))
        return FALSE;
    }
  return TRUE;
}

static gboolean
saved_hosts_are (const char * const *uris)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");
  g_autoptr(GVariant) hosts = g_settings_get_value (settings, "hosts");
  GVariantIter iter;
  const char *uri;
  guint i = 0;

  g_variant_iter_init (&iter, hosts);
  while (g_variant_iter_next (&iter, "(&s&sb)", &uri, NULL, NULL))
    if (uris[i] == NULL || g_strcmp0 (uris[i++], uri) != 0)
      return FALSE;
  return uris[i] == NULL;
}

static void
test_all_machines (void)
{
  LodgeWindow *window = main_window ();
  LodgeHost *a = host_of (uri_a), *b = host_of (uri_b), *system = host_of ("qemu:///system");
  LodgeHost *gone = host_of (UNREACHABLE);
  Shows all = { window, NULL };

  g_assert_true (wait_until (host_connected, a));
  g_assert_true (wait_until (host_connected, b));
  g_assert_true (wait_until (host_connected, system));
  g_assert_true (wait_until (host_failed, gone));

  /* All Machines: every machine of the three that answer. */
  g_assert_null (lodge_window_get_host (window));
  g_assert_true (wait_until (library_shows_hosts, &all));
  g_assert_cmpuint (g_list_model_get_n_items (lodge_window_get_library_model (window)), >=, 12 + 7);
  g_test_message ("All Machines: %u machines of %u + %u + %u",
                  g_list_model_get_n_items (lodge_window_get_library_model (window)),
                  lodge_host_get_n_machines (a), lodge_host_get_n_machines (b),
                  lodge_host_get_n_machines (system));

  /* Each row says what its host does; the unreachable one says why and
   * when it tries again. */
  g_assert_true (g_str_has_suffix (row_status (window, a), "of 12 running"));
  g_assert_cmpstr (lodge_host_row_get_title (LODGE_HOST_ROW (lodge_sidebar_get_row (lodge_window_get_sidebar (window), a))),
                   ==, "Lab");
  g_assert_true (g_str_has_suffix (row_status (window, b), "of 7 running"));
  g_test_message ("unreachable: %s", row_status (window, gone));
  g_assert_true (g_str_has_prefix (row_status (window, gone), "Could not connect"));
  g_assert_nonnull (strstr (row_status (window, gone), "trying again"));

  /* A host alone: only its machines, and the failed one its reason. */
  lodge_sidebar_select_host (lodge_window_get_sidebar (window), b);
  g_assert_true (lodge_window_get_host (window) == b);
  {
    Shows only_b = { window, b };

    g_assert_true (wait_until (library_shows_hosts, &only_b));
  }
  lodge_sidebar_select_host (lodge_window_get_sidebar (window), gone);
  g_assert_cmpstr (lodge_window_get_visible_page (window), ==, "failed");
  lodge_sidebar_select_host (lodge_window_get_sidebar (window), NULL);
  g_assert_null (lodge_window_get_host (window));
  g_assert_true (wait_until (library_shows_hosts, &all));
}

/* Machine actions work on any host from All Machines: each follows its
 * own host. */
static gboolean
machine_paused (gpointer data)
{
  return lodge_machine_get_state (data) == LODGE_MACHINE_STATE_PAUSED;
}

static gboolean
machine_running (gpointer data)
{
  return lodge_machine_get_state (data) == LODGE_MACHINE_STATE_RUNNING;
}

static void
test_actions_on_any_host (void)
{
  LodgeWindow *window = main_window ();
  LodgeHost *b = host_of (uri_b);
  GListModel *machines = G_LIST_MODEL (lodge_host_get_machines (b));
  g_autoptr(LodgeMachine) machine = NULL;

  g_assert_true (wait_until (host_connected, b));
  for (guint i = 0; i < g_list_model_get_n_items (machines) && machine == NULL; i++)
    {
      g_autoptr(LodgeMachine) item = g_list_model_get_item (machines, i);

      if (lodge_machine_get_state (item) == LODGE_MACHINE_STATE_RUNNING)
        machine = g_steal_pointer (&item);
    }
  g_assert_nonnull (machine);

  lodge_sidebar_select_host (lodge_window_get_sidebar (window), NULL);
  g_assert_true (lodge_window_select_machine (window, machine));
  g_assert_true (lodge_window_get_action_enabled (window, "machine.pause"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.pause", NULL));
  g_assert_true (wait_until (machine_paused, machine));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.resume", NULL));
  g_assert_true (wait_until (machine_running, machine));
}

static gboolean
host_disconnected (gpointer data)
{
  return lodge_host_get_state (data) == LODGE_CONNECTION_STATE_DISCONNECTED;
}

static void
test_disconnect_connect (void)
{
  LodgeWindow *window = main_window ();
  LodgeHost *a = host_of (uri_a);
  Shows all = { window, NULL };

  g_assert_true (wait_until (host_connected, a));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.host-disconnect", "s", uri_a));
  g_assert_true (wait_until (host_disconnected, a));
  g_assert_cmpstr (row_status (window, a), ==, "Disconnected");
  /* Its machines leave All Machines; the others stay. */
  g_assert_true (wait_until (library_shows_hosts, &all));
  g_assert_cmpuint (lodge_host_get_n_machines (a), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.host-connect", "s", uri_a));
  g_assert_true (wait_until (host_connected, a));
  g_assert_cmpuint (lodge_host_get_n_machines (a), ==, 12);
  g_assert_true (wait_until (library_shows_hosts, &all));
}

static gboolean
dialog_error_shown (gpointer data)
{
  return lodge_host_dialog_get_error (data) != NULL;
}

static LodgeHostDialog *
find_host_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (LODGE_IS_HOST_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return LODGE_HOST_DIALOG (window);
    }
  return NULL;
}

static gboolean
no_host_dialog (gpointer data)
{
  return find_host_dialog () == NULL;
}

static void
test_add_host (void)
{
  LodgeWindow *window = main_window ();
  LodgeHostList *hosts = lodge_application_get_hosts (app);
  guint before = g_list_model_get_n_items (G_LIST_MODEL (hosts));
  LodgeHostDialog *dialog;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-host", NULL));
  lodge_test_spin (50);
  dialog = find_host_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));

  /* Over SSH: the URI is built from the fields... */
  lodge_host_dialog_set_ssh (dialog, "lab.example.org", "ann", 2222, NULL, TRUE);
  uri = lodge_host_dialog_dup_uri (dialog, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "qemu+ssh://ann@lab.example.org:2222/system");
  g_clear_pointer (&uri, g_free);
  lodge_host_dialog_set_ssh (dialog, "::1", NULL, 0, NULL, FALSE);
  uri = lodge_host_dialog_dup_uri (dialog, &error);
  g_assert_cmpstr (uri, ==, "qemu+ssh://[::1]/session");
  g_clear_pointer (&uri, g_free);

  /* ...and what is wrong is said, with nothing added. */
  lodge_host_dialog_set_ssh (dialog, "", NULL, 0, NULL, TRUE);
  g_assert_null (lodge_host_dialog_dup_uri (dialog, &error));
  g_test_message ("empty host: %s", error->message);
  g_clear_error (&error);
  lodge_host_dialog_set_ssh (dialog, "lab", NULL, 99999, NULL, TRUE);
  g_assert_null (lodge_host_dialog_dup_uri (dialog, &error));
  g_assert_nonnull (strstr (error->message, "65535"));
  g_clear_error (&error);
  lodge_host_dialog_set_ssh (dialog, "lab", NULL, 0, "/nonexistent/key", TRUE);
  g_assert_null (lodge_host_dialog_dup_uri (dialog, &error));
  g_assert_nonnull (strstr (error->message, "/nonexistent/key"));
  g_clear_error (&error);
  lodge_host_dialog_set_uri (dialog, "not a uri");
  lodge_host_dialog_activate (dialog);
  g_assert_nonnull (lodge_host_dialog_get_error (dialog));
  g_test_message ("bad URI: %s", lodge_host_dialog_get_error (dialog));

  /* A host that cannot be reached is checked first, and not added. */
  lodge_host_dialog_set_uri (dialog, "qemu+tcp://127.0.0.9:2/system");
  lodge_host_dialog_activate (dialog);
  g_assert_true (wait_until (dialog_error_shown, dialog));
  g_test_message ("unreachable: %s", lodge_host_dialog_get_error (dialog));
  g_assert_true (g_str_has_prefix (lodge_host_dialog_get_error (dialog), "Lodge could not connect"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (hosts)), ==, before);

  /* One that is there already is not added twice. */
  lodge_host_dialog_set_uri (dialog, uri_a);
  lodge_host_dialog_activate (dialog);
  g_assert_cmpstr (lodge_host_dialog_get_error (dialog), ==, "This host is in Lodge already.");

  /* One that answers is added, kept in the settings, and its machines
   * are in All Machines. */
  lodge_host_dialog_set_uri (dialog, uri_c);
  lodge_host_dialog_activate (dialog);
  g_assert_true (wait_until (no_host_dialog, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (hosts)), ==, before + 1);
  g_assert_true (lodge_host_get_state (host_of (uri_c)) == LODGE_CONNECTION_STATE_CONNECTED);
  {
    const char *expected[] = { uri_a, uri_b, "qemu:///system", UNREACHABLE, uri_c, NULL };
    Shows all = { window, NULL };

    g_assert_true (saved_hosts_are (expected));
    lodge_sidebar_select_host (lodge_window_get_sidebar (window), NULL);
    g_assert_true (wait_until (library_shows_hosts, &all));
  }
}

static void
test_edit_and_remove_host (void)
{
  LodgeWindow *window = main_window ();
  LodgeHost *c = host_of (uri_c);
  g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");
  LodgeHostDialog *dialog;
  AdwMessageDialog *question;
  Shows all = { window, NULL };

  /* Edit: the name in Lodge and autoconnect, saved. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.host-edit", "s", uri_c));
  lodge_test_spin (50);
  dialog = find_host_dialog ();
  g_assert_nonnull (dialog);
  lodge_host_dialog_set_label (dialog, "Spare");
  lodge_host_dialog_set_autoconnect (dialog, FALSE);
  lodge_host_dialog_activate (dialog);
  g_assert_true (wait_until (no_host_dialog, NULL));
  g_assert_cmpstr (lodge_host_get_label (c), ==, "Spare");
  g_assert_false (lodge_host_get_autoconnect (c));
  {
    g_autoptr(GVariant) hosts = g_settings_get_value (settings, "hosts");
    g_autofree char *printed = g_variant_print (hosts, FALSE);

    g_assert_nonnull (strstr (printed, "'Spare', false"));
  }

  /* Remove asks, then forgets the host (nothing changes on it). */
  g_object_ref (c);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.host-remove", "s", uri_c));
  question = lodge_window_get_dialog (window);
  g_assert_nonnull (question);
  adw_message_dialog_response (question, "remove");
  gtk_window_destroy (GTK_WINDOW (question));
  g_assert_null (lodge_host_list_lookup (lodge_application_get_hosts (app), uri_c));
  g_assert_cmpint (lodge_host_get_state (c), ==, LODGE_CONNECTION_STATE_DISCONNECTED);
  g_object_unref (c);
  {
    const char *expected[] = { uri_a, uri_b, "qemu:///system", UNREACHABLE, NULL };

    g_assert_true (saved_hosts_are (expected));
  }
  g_assert_true (wait_until (library_shows_hosts, &all));
}

/* --connect shows a host for this run only. */
static void
test_transient_host (void)
{
  g_autofree char *uri = write_machines ("transient.xml", 3, 4);
  LodgeWindow *window = LODGE_WINDOW (lodge_application_show (app, uri, NULL));
  const char *expected[] = { uri_a, uri_b, "qemu:///system", UNREACHABLE, NULL };

  g_assert_true (lodge_window_get_host (window) == host_of (uri));
  g_assert_true (wait_until (host_connected, host_of (uri)));
  g_assert_true (saved_hosts_are (expected));
  lodge_application_remove_host (app, host_of (uri));
  g_assert_true (saved_hosts_are (expected));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    /* The system daemon is one of the hosts: CI starts it. (Its answer is
     * read here: on stdout it would break the TAP stream.) */
    if (g_spawn_command_line_sync ("virsh -c qemu:///system uri", &out, &err, &ret, NULL) == FALSE ||
        !g_spawn_check_wait_status (ret, NULL))
      lodge_test_skip_all ("no libvirt daemon answers on qemu:///system (start it as root)");
  }

  gtk_init ();
  adw_init ();

  tmp_dir = g_dir_make_tmp ("lodge-ui-hosts-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *state_dir = g_build_filename (tmp_dir, "state", NULL);

    g_setenv ("XDG_STATE_HOME", state_dir, TRUE);
  }
  uri_a = write_machines ("a.xml", 12, 1);
  uri_b = write_machines ("b.xml", 7, 2);
  uri_c = write_machines ("c.xml", 4, 3);

  /* The hosts as a user's settings would hold them. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");
    GVariantBuilder builder;

    g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssb)"));
    g_variant_builder_add (&builder, "(ssb)", uri_a, "Lab", TRUE);
    g_variant_builder_add (&builder, "(ssb)", uri_b, "", TRUE);
    g_variant_builder_add (&builder, "(ssb)", "qemu:///system", "", TRUE);
    g_variant_builder_add (&builder, "(ssb)", UNREACHABLE, "Old box", TRUE);
    g_settings_set_value (settings, "hosts", g_variant_builder_end (&builder));
  }

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/hosts/all-machines", test_all_machines);
  g_test_add_func ("/ui/hosts/actions-on-any-host", test_actions_on_any_host);
  g_test_add_func ("/ui/hosts/disconnect-connect", test_disconnect_connect);
  g_test_add_func ("/ui/hosts/add-host", test_add_host);
  g_test_add_func ("/ui/hosts/edit-and-remove-host", test_edit_and_remove_host);
  g_test_add_func ("/ui/hosts/transient-host", test_transient_host);

  ret = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return ret;
}
