/* test-ui-migration.c: Move to Another Host… in the real window
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application with two hosts: the system daemon and the second host of
 * tests/common/lodge-second-host.sh over SSH. A small running TCG guest is
 * moved there through the window's machine.move action and its dialog,
 * with its console open: the console follows it; the window shows the move
 * under way and says how it ended. Then it comes back, and a slow move is
 * cancelled: the guest runs on where it was, and nothing of it is left on
 * the other host. Every domain is named lodge-test-ui-PID-... and removed.
 */
#define G_LOG_DOMAIN "test-ui-migration"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "lodge-test.h"
#include "lodge-model-test.h"
#include "lodge-test-host2.h"
#include "model/lodge-migration.h"
#include "ui/lodge-application.h"
#include "ui/lodge-migration-dialog.h"
#include "ui/lodge-window-private.h"

#define URI "qemu:///system"
/* Bounds hangs only: hops take seconds, a boot some more under load. */
#define WAIT_MS 180000

static LodgeApplication *app;
static GSubprocess *notifications;
static LodgeTestHost2 *host2;
static virConnectPtr admin_conn;
static virConnectPtr admin2_conn;
static char *guest_dir;
static char *name;
static guint finished;
static GError *finished_error;

static gboolean
wait_until (LodgeTestCheck check,
            gpointer       data)
{
  return lodge_test_wait_until (check, data, WAIT_MS);
}

static void
remove_domain_on (virConnectPtr conn)
{
  virDomainPtr domain;

  if (conn == NULL || name == NULL)
    return;
  domain = virDomainLookupByName (conn, name);
  if (domain != NULL)
    {
      if (virDomainIsActive (domain) == 1)
        virDomainDestroy (domain);
      if (virDomainIsPersistent (domain) == 1)
        virDomainUndefine (domain);
      virDomainFree (domain);
    }
  virResetLastError ();
}

static void
cleanup (void)
{
  remove_domain_on (admin_conn);
  remove_domain_on (admin2_conn);
}

static void
on_abort (int sig)
{
  signal (sig, SIG_DFL);
  cleanup ();
  if (host2 != NULL)
    lodge_test_host2_stop (host2, NULL);
  raise (sig);
}

static LodgeHost *
host_of (const char *uri)
{
  LodgeHost *host = lodge_host_list_lookup (lodge_application_get_hosts (app), uri);

  g_assert_nonnull (host);
  return host;
}

static gboolean
host_connected (gpointer data)
{
  return lodge_host_get_state (data) == LODGE_CONNECTION_STATE_CONNECTED;
}

typedef struct
{
  LodgeHost    *host;
  LodgeMachine *machine;   /* out */
} Lookup;

/* The test's machine runs on the host. */
static gboolean
runs_on (gpointer data)
{
  Lookup *lookup = data;

  lookup->machine = lodge_connection_lookup_machine (lodge_host_get_connection (lookup->host), name);
  return lookup->machine != NULL &&
         lodge_machine_get_state (lookup->machine) == LODGE_MACHINE_STATE_RUNNING;
}

/* The machine has a few figures on its host's graphs. */
static gboolean
has_history (gpointer data)
{
  Lookup *lookup = data;
  double values[8];

  return lookup->machine != NULL &&
         lodge_stats_history_get_series (lodge_host_get_stats_history (lookup->host),
                                         lodge_machine_get_uuid (lookup->machine),
                                         LODGE_STATS_MEMORY, values, NULL, 8) >= 2;
}

static gboolean
gone_from (gpointer data)
{
  return lodge_connection_lookup_machine (lodge_host_get_connection (data), name) == NULL;
}

static void
migration_finished_cb (LodgeApplication *application,
                       LodgeMigration   *migration,
                       const GError     *error,
                       gpointer          user_data)
{
  g_clear_error (&finished_error);
  finished_error = error != NULL ? g_error_copy (error) : NULL;
  finished++;
}

static gboolean
finished_is (gpointer data)
{
  return finished >= GPOINTER_TO_UINT (data);
}

static LodgeMigrationDialog *
find_migration_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (LODGE_IS_MIGRATION_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return LODGE_MIGRATION_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_checked (gpointer data)
{
  return lodge_migration_dialog_get_can_move (data) ||
         lodge_migration_dialog_get_problems (data) != NULL;
}

static gboolean
phase_is_memory (gpointer data)
{
  return lodge_migration_get_phase (data) == LODGE_MIGRATION_PHASE_MEMORY &&
         lodge_migration_get_memory_processed (data) > 0;
}

static gboolean
toast_says (gpointer data)
{
  LodgeWindow *window = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];
  AdwToast *toast = lodge_window_get_last_toast (window);

  return toast != NULL && strstr (adw_toast_get_title (toast), text) != NULL;
}

/* A desktop notification server of the test's own (Debian's dunst), where
 * Lodge says how a move ended when its window is not in front. */
static gboolean
notifications_owned (gpointer data)
{
  return *(gboolean *) data;
}

static void
notifications_appeared_cb (GDBusConnection *connection,
                           const char      *bus_name,
                           const char      *owner,
                           gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
start_notifications (void)
{
  g_autoptr(GError) error = NULL;
  gboolean owned = FALSE;
  guint watch;

  if (g_find_program_in_path ("dunst") == NULL || g_find_program_in_path ("dunstctl") == NULL)
    lodge_test_skip_all ("no notification server for the test (Debian dunst)");
  notifications = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                    &error, "dunst", NULL);
  g_assert_no_error (error);
  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.freedesktop.Notifications",
                            G_BUS_NAME_WATCHER_FLAGS_NONE, notifications_appeared_cb, NULL,
                            &owned, NULL);
  g_assert_true (wait_until (notifications_owned, &owned));
  g_bus_unwatch_name (watch);
}

/* What the notification server received (closed ones go to its history). */
static char *
notifications_history (void)
{
  char *out = NULL;

  g_spawn_command_line_sync ("dunstctl close-all", NULL, NULL, NULL, NULL);
  g_spawn_command_line_sync ("dunstctl history", &out, NULL, NULL, NULL);
  return out;
}

static gboolean
notified (gpointer data)
{
  g_autofree char *history = notifications_history ();

  return history != NULL && strstr (history, data) != NULL;
}

/* LODGE_TEST_SCREENSHOTS=DIR: the screen as it is now, for review. */
static void
screenshot (const char *file)
{
  const char *dir = g_getenv ("LODGE_TEST_SCREENSHOTS");
  g_autofree char *command = NULL;
  gint64 end = g_get_monotonic_time () + 300000;

  if (dir == NULL)
    return;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  command = g_strdup_printf ("import -window root %s/%s", dir, file);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
}

/* Opens the move dialog of @machine in @window and chooses @to. */
static LodgeMigrationDialog *
open_move_dialog (LodgeWindow  *window,
                  LodgeMachine *machine,
                  LodgeHost    *to)
{
  LodgeMigrationDialog *dialog;

  g_assert_true (lodge_window_select_machine (window, machine) ||
                 lodge_window_get_action_machine (window) == machine);
  g_assert_true (lodge_window_get_action_enabled (window, "machine.move"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.move", NULL));
  dialog = find_migration_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (lodge_migration_dialog_select_host (dialog, to));
  return dialog;
}

static void
test_move_there_and_back (void)
{
  LodgeWindow *window = LODGE_WINDOW (lodge_application_show (app, NULL, NULL));
  LodgeHost *system = host_of (URI), *second = host_of (host2->uri);
  Lookup on_system = { system, NULL }, on_second = { second, NULL };
  LodgeMigrationDialog *dialog;
  LodgeMachine *console_machine;
  gpointer toast[2] = { window, (gpointer) "moved to" };

  g_assert_true (wait_until (runs_on, &on_system));
  g_assert_true (wait_until (has_history, &on_system));

  /* Its console is open, in All Machines. */
  lodge_window_select_host (window, NULL);
  g_assert_true (lodge_window_select_machine (window, on_system.machine));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.open", NULL));
  g_assert_cmpstr (lodge_window_get_visible_page (window), ==, "machine");

  dialog = open_move_dialog (window, on_system.machine, second);
  g_assert_true (wait_until (dialog_checked, dialog));
  g_assert_null (lodge_migration_dialog_get_problems (dialog));
  screenshot ("migration-1-options.png");
  lodge_migration_dialog_move (dialog);
  g_assert_nonnull (lodge_migration_dialog_get_migration (dialog));
  /* The window shows the move under way. */
  g_assert_cmpuint (g_list_model_get_n_items (lodge_application_get_migrations (app)), ==, 1);

  g_assert_true (wait_until (finished_is, GUINT_TO_POINTER (1)));
  g_assert_no_error (finished_error);
  /* The desktop heard of it when Lodge's window was not in front. */
  if (!gtk_window_is_active (GTK_WINDOW (window)))
    {
      g_autofree char *expected = g_strdup_printf ("“%s” moved to Second", name);

      /* Delivered over D-Bus, a moment after the move ended. */
      if (!wait_until (notified, expected))
        {
          g_autofree char *history = notifications_history ();

          g_error ("no notification “%s”; the desktop has: %s", expected, history);
        }
    }
  g_assert_cmpuint (g_list_model_get_n_items (lodge_application_get_migrations (app)), ==, 0);
  g_test_message ("there: %s", lodge_migration_dialog_get_details (dialog));
  g_assert_nonnull (strstr (lodge_migration_dialog_get_details (dialog), " of "));
  g_assert_true (wait_until (toast_says, toast));
  screenshot ("migration-3-done.png");

  /* It runs there and no longer here; the console followed it. */
  g_assert_true (wait_until (runs_on, &on_second));
  g_assert_true (wait_until (gone_from, system));
  g_assert_cmpstr (lodge_window_get_visible_page (window), ==, "machine");
  console_machine = lodge_window_get_action_machine (window);
  g_assert_true (console_machine == on_second.machine);
  g_assert_true (lodge_machine_get_host (console_machine) == second);
  gtk_window_destroy (GTK_WINDOW (dialog));
  /* Its graphs came along: the figures of this computer are on the
   * second host's history. */
  {
    double values[LODGE_STATS_HISTORY_LENGTH];
    guint before = lodge_stats_history_get_series (lodge_host_get_stats_history (system),
                                                   lodge_machine_get_uuid (on_second.machine),
                                                   LODGE_STATS_MEMORY, values, NULL, G_N_ELEMENTS (values));
    guint after = lodge_stats_history_get_series (lodge_host_get_stats_history (second),
                                                  lodge_machine_get_uuid (on_second.machine),
                                                  LODGE_STATS_MEMORY, values, NULL, G_N_ELEMENTS (values));

    g_test_message ("graph samples: %u on this computer, %u on the second host", before, after);
    g_assert_cmpuint (before, >=, 2);
    g_assert_cmpuint (after, >=, before);
  }

  /* And back, the data on this computer's loopback address (the system
   * daemon would listen on every address otherwise). */
  dialog = open_move_dialog (window, on_second.machine, system);
  lodge_migration_dialog_set_data_address (dialog, "127.0.0.1");
  g_assert_true (wait_until (dialog_checked, dialog));
  g_assert_null (lodge_migration_dialog_get_problems (dialog));
  lodge_migration_dialog_move (dialog);
  g_assert_true (wait_until (finished_is, GUINT_TO_POINTER (2)));
  g_assert_no_error (finished_error);
  g_assert_true (wait_until (runs_on, &on_system));
  g_assert_true (wait_until (gone_from, second));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_cancel (void)
{
  LodgeWindow *window = LODGE_WINDOW (lodge_application_show (app, NULL, NULL));
  LodgeHost *system = host_of (URI), *second = host_of (host2->uri);
  Lookup on_system = { system, NULL };
  LodgeMigrationDialog *dialog;
  LodgeMigration *migration;
  gpointer toast[2] = { window, (gpointer) "cancelled" };

  g_assert_true (wait_until (runs_on, &on_system));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-library", NULL);
  dialog = open_move_dialog (window, on_system.machine, second);
  lodge_migration_dialog_set_bandwidth (dialog, 1);
  g_assert_true (wait_until (dialog_checked, dialog));
  lodge_migration_dialog_move (dialog);
  migration = lodge_migration_dialog_get_migration (dialog);
  g_assert_nonnull (migration);
  /* Closing the dialog leaves the move running. */
  g_object_ref (migration);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (wait_until (phase_is_memory, migration));
  g_assert_cmpuint (g_list_model_get_n_items (lodge_application_get_migrations (app)), ==, 1);
  if (g_getenv ("LODGE_TEST_SCREENSHOTS") != NULL)
    {
      /* The move under way, in the window's list of moves. */
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-migrations", NULL);
      screenshot ("migration-2-under-way.png");
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-migrations", NULL);
    }

  /* What the Cancel of the window's list of moves does. */
  lodge_migration_cancel (migration);
  g_assert_true (wait_until (finished_is, GUINT_TO_POINTER (3)));
  g_assert_error (finished_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (wait_until (toast_says, toast));
  g_object_unref (migration);

  /* It runs on here, and nothing of it is on the other host. */
  g_assert_true (runs_on (&on_system));
  {
    virDomainPtr left = virDomainLookupByName (admin2_conn, name);

    if (left != NULL)
      virDomainFree (left);
    virResetLastError ();
    g_assert_null (left);
  }
}

static void
start_guest (void)
{
  g_autofree char *xml = NULL;
  virDomainPtr domain;

  xml = g_strdup_printf (
    "<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
    "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s/vmlinuz</kernel>"
    "<initrd>%s/initrd.img</initrd><cmdline>console=ttyS0 quiet lodge.mode=still</cmdline></os>"
    "<features><acpi/></features><on_poweroff>destroy</on_poweroff>"
    "<devices><controller type='usb' model='none'/><serial type='pty'><target port='0'/></serial>"
    "<console type='pty'><target type='serial' port='0'/></console>"
    "<graphics type='spice'><listen type='none'/></graphics><video><model type='qxl'/></video>"
    "<memballoon model='none'/></devices></domain>",
    name, guest_dir, guest_dir);
  domain = virDomainCreateXML (admin_conn, xml, 0);
  if (domain == NULL)
    g_error ("Could not start the test guest: %s", virGetLastErrorMessage ());
  virDomainFree (domain);
}

static void
silence_libvirt (void        *data,
                 virErrorPtr  error)
{
}

int
main (int   argc,
      char *argv[])
{
  const char *script = g_getenv ("LODGE_SECOND_HOST");
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *start_libvirtd = g_getenv ("LODGE_START_LIBVIRTD");
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* The console that follows the machine leaves the source's SPICE server
   * as it goes away, sometimes while it links. */
  lodge_test_allow_spice_link_end ();
  /* Set-up and clean-up look for domains that may not be there. */
  virSetErrorFunc (NULL, silence_libvirt);

  if (g_getenv ("DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");
  if (geteuid () != 0)
    lodge_test_skip_all ("needs root (qemu:///system and a second libvirtd)");
  guest_dir = g_strdup (g_getenv ("LODGE_GUEST_DIR"));
  if (script == NULL || make_guest == NULL || start_libvirtd == NULL || guest_dir == NULL)
    lodge_test_skip_all ("run through meson: LODGE_SECOND_HOST, LODGE_MAKE_GUEST, "
                         "LODGE_START_LIBVIRTD, LODGE_GUEST_DIR are not set");
  lodge_test_host2_check_preconditions (script);
  {
    char *start_argv[] = { (char *) start_libvirtd, (char *) "start", NULL };
    char *guest_argv[] = { (char *) make_guest, guest_dir, NULL };

    if (!lodge_test_run ("start-libvirtd.sh", start_argv))
      lodge_test_skip_all ("no libvirtd answers on " URI " and none could be started");
    if (!lodge_test_run ("make-guest.sh", guest_argv))
      lodge_test_skip_all ("cannot build the test guest");
  }

  gtk_init ();
  adw_init ();
  start_notifications ();

  name = g_strdup_printf ("lodge-test-ui-%d", (int) getpid ());
  admin_conn = virConnectOpen (URI);
  g_assert_nonnull (admin_conn);
  host2 = lodge_test_host2_new (script, "lodge-host2", "127.0.0.2", 2222, NULL);
  if (!lodge_test_host2_start (host2, &error))
    g_error ("Could not start the second host: %s", error->message);
  admin2_conn = virConnectOpen (host2->uri);
  g_assert_nonnull (admin2_conn);
  cleanup ();
  signal (SIGABRT, on_abort);
  signal (SIGSEGV, on_abort);
  signal (SIGTERM, on_abort);
  start_guest ();

  {
    g_autofree char *tmp = g_dir_make_tmp ("lodge-ui-migration-XXXXXX", NULL);
    g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");
    GVariantBuilder builder;

    g_setenv ("XDG_STATE_HOME", tmp, TRUE);
    g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssb)"));
    g_variant_builder_add (&builder, "(ssb)", URI, "", TRUE);
    g_variant_builder_add (&builder, "(ssb)", host2->uri, "Second", TRUE);
    g_settings_set_value (settings, "hosts", g_variant_builder_end (&builder));
  }
  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (app, "migration-finished", G_CALLBACK (migration_finished_cb), NULL);
  lodge_application_show (app, NULL, NULL);
  g_assert_true (wait_until (host_connected, host_of (URI)));
  g_assert_true (wait_until (host_connected, host_of (host2->uri)));

  g_test_add_func ("/ui/migration/move-there-and-back", test_move_there_and_back);
  g_test_add_func ("/ui/migration/cancel", test_cancel);
  ret = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  cleanup ();
  g_clear_pointer (&admin2_conn, virConnectClose);
  g_clear_pointer (&admin_conn, virConnectClose);
  if (!lodge_test_host2_stop (host2, &error))
    g_printerr ("Could not stop the second host: %s\n", error->message);
  g_clear_pointer (&host2, lodge_test_host2_free);
  g_subprocess_force_exit (notifications);
  g_clear_object (&notifications);
  return ret;
}
