/* test-integration.c: the model against a real libvirtd with real guests
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs root, a libvirtd answering on qemu:///system (started by
 * build-aux/start-libvirtd.sh when missing) and QEMU. Guests are TCG
 * (<domain type='qemu'>): KVM is not usable on every test machine. Every
 * domain is named lodge-test-PID-... and removed at the end, also when a
 * test fails.
 */
#define G_LOG_DOMAIN "test-integration"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "lodge-test.h"
#include "lodge-test-domains.h"
#include "lodge-model-test.h"
#include "model/lodge-model-private.h"

#define URI "qemu:///system"
#define BOOT_MS 120000
#define WAIT_MS 60000

static char *guest_dir;
static char *start_libvirtd;
static char *log_dir;
static virConnectPtr admin_conn;   /* the tests' own connection, for set-up */

static char *
serial_log_path (const char *name)
{
  return g_strdup_printf ("%s/%s.serial.log", log_dir, name);
}

/* A small TCG guest booted from the kernel and initrd of make-guest.sh. */
static char *
guest_xml (const char *name,
           const char *mode,
           const char *extra_devices)
{
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autofree char *log = serial_log_path (name);

  return g_strdup_printf (
    "<domain type='qemu'>\n"
    "  <name>%s</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
    "    <kernel>%s/vmlinuz</kernel>\n"
    "    <initrd>%s/initrd.img</initrd>\n"
    "    <cmdline>console=ttyS0 console=tty0 quiet lodge.mode=%s</cmdline>\n"
    "  </os>\n"
    "  <features><acpi/></features>\n"
    "  <on_poweroff>destroy</on_poweroff>\n"
    "  <devices>\n"
    "    <serial type='pty'><log file='%s' append='off'/></serial>\n"
    "    <graphics type='spice'><listen type='none'/></graphics>\n"
    "    <video><model type='qxl'/></video>\n"
    "    <input type='tablet' bus='usb'/>\n"
    "    %s\n"
    "  </devices>\n"
    "</domain>\n",
    escaped, guest_dir, guest_dir, mode, log, extra_devices ? extra_devices : "");
}

static void
remove_test_domains_full (gboolean also_stale)
{
  lodge_test_remove_domains (admin_conn, also_stale);
}

static void
remove_test_domains (void)
{
  remove_test_domains_full (FALSE);
}

static void continue_libvirtd (void);

static void
on_abort (int sig)
{
  /* A failed assertion: still leave no test machine behind. */
  signal (sig, SIG_DFL);
  continue_libvirtd ();
  remove_test_domains ();
  raise (sig);
}

static void
run_action_ok (LodgeMachine       *machine,
               LodgeMachineAction  action)
{
  g_autoptr(GError) error = NULL;

  lodge_test_run_action (machine, action, &error);
  g_assert_no_error (error);
}

static LodgeConnection *
open_connection (void)
{
  g_autoptr(LodgeConnection) connection = lodge_connection_new (URI);
  g_autoptr(GError) error = NULL;

  lodge_connection_set_stats_interval (connection, 0);
  if (!lodge_test_open (connection, &error))
    g_error ("Could not open %s: %s", URI, error->message);
  return g_steal_pointer (&connection);
}

static LodgeMachine *
define_guest (LodgeConnection *connection,
              const char      *name,
              const char      *mode,
              const char      *extra_devices)
{
  g_autofree char *xml = guest_xml (name, mode, extra_devices);
  virDomainPtr domain = virDomainDefineXML (admin_conn, xml);
  LodgeMachine *machine;

  if (domain == NULL)
    g_error ("Could not define %s: %s", name, virGetLastErrorMessage ());
  virDomainFree (domain);

  /* Lodge learns of it through the DEFINED event. */
  machine = lodge_test_wait_machine (connection, name, TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_SHUT_OFF);
  return g_object_ref (machine);
}

static gboolean
serial_says_ready (gpointer data)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (data, &contents, NULL, NULL))
    return FALSE;
  return strstr (contents, "LODGE-GUEST-READY") != NULL;
}

static gboolean
wait_guest_ready (const char *name)
{
  g_autofree char *log = serial_log_path (name);
  return lodge_test_wait_until (serial_says_ready, log, BOOT_MS);
}

static gboolean
cpu_usage_seen (gpointer data)
{
  return lodge_machine_get_cpu_usage (data) > 0.0;
}

static void
test_lifecycle (void)
{
  g_autoptr(LodgeConnection) connection = open_connection ();
  g_autofree char *name = lodge_test_domain_name ("lifecycle");
  g_autoptr(LodgeMachine) machine = define_guest (connection, name, "busy", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LodgeMachineSample sample;
  guint64 calls;

  /* Start: RUNNING arrives through the lifecycle event. */
  run_action_ok (machine, LODGE_MACHINE_ACTION_START);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  g_assert_cmpint (lodge_machine_get_last_used (machine), >, 0);
  g_assert_true (wait_guest_ready (name));

  /* Statistics: the busy guest uses CPU; one call per tick. */
  calls = lodge_connection_get_stats_calls (connection);
  lodge_connection_set_stats_interval (connection, 1);
  g_assert_true (lodge_test_wait_until (cpu_usage_seen, machine, WAIT_MS));
  g_test_message ("cpu-usage %.1f %%, memory-used %" G_GUINT64_FORMAT " bytes",
                  lodge_machine_get_cpu_usage (machine), lodge_machine_get_memory_used (machine));
  g_assert_cmpfloat (lodge_machine_get_cpu_usage (machine), <=, 100.0);
  g_assert_cmpuint (lodge_machine_get_memory_used (machine), >, 0);
  g_assert_true (lodge_machine_get_sample (machine, &sample));
  g_assert_cmpuint (sample.cpu_time, >, 0);
  g_assert_cmpuint (sample.vcpus, ==, 1);
  g_assert_cmpuint (lodge_connection_get_stats_calls (connection), >, calls);
  lodge_connection_set_stats_interval (connection, 0);

  /* Pause and resume. */
  run_action_ok (machine, LODGE_MACHINE_ACTION_PAUSE);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_PAUSED, WAIT_MS));
  run_action_ok (machine, LODGE_MACHINE_ACTION_RESUME);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  /* ACPI shutdown: the guest powers off by itself. */
  run_action_ok (machine, LODGE_MACHINE_ACTION_SHUTDOWN);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_SHUT_OFF, WAIT_MS));
  g_assert_cmpfloat (lodge_machine_get_cpu_usage (machine), ==, -1.0);

  /* Start again, then force off. */
  run_action_ok (machine, LODGE_MACHINE_ACTION_START);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  run_action_ok (machine, LODGE_MACHINE_ACTION_FORCE_OFF);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_SHUT_OFF, WAIT_MS));

  /* Managed save and restore. */
  run_action_ok (machine, LODGE_MACHINE_ACTION_START);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  run_action_ok (machine, LODGE_MACHINE_ACTION_SAVE);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_SAVED, WAIT_MS));
  g_assert_true (lodge_machine_get_has_managed_save (machine));
  run_action_ok (machine, LODGE_MACHINE_ACTION_START);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  /* Delete while running: forced off and undefined. */
  lodge_machine_delete_async (machine, FALSE, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  g_assert_true (lodge_machine_delete_finish (machine, result, &error));
  g_assert_no_error (error);
  g_assert_null (lodge_connection_lookup_machine (connection, name));
}

static void
test_missing_disk (void)
{
  g_autoptr(LodgeConnection) connection = open_connection ();
  g_autofree char *name = lodge_test_domain_name ("missing-disk");
  g_autofree char *disk = g_strdup_printf ("/nonexistent-lodge-%d/disk.qcow2", (int)getpid ());
  g_autofree char *device = g_strdup_printf ("<disk type='file' device='disk'>"
                                             "<driver name='qemu' type='qcow2'/>"
                                             "<source file='%s'/>"
                                             "<target dev='vda' bus='virtio'/></disk>", disk);
  g_autoptr(LodgeMachine) machine = define_guest (connection, name, "still", device);
  g_autoptr(GError) error = NULL;

  g_assert_false (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_START, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT);
  g_test_message ("libvirt's reason: %s", error->message);
  /* libvirt's own words, naming the file */
  g_assert_nonnull (strstr (error->message, disk));

  /* States stay consistent: no event, still shut off. */
  lodge_test_spin (500);
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_true (lodge_machine_can_start (machine));
}

typedef struct
{
  GArray *states;
  guint   disconnected;
  guint   reconnected;
  pid_t   daemon_pid;
} RestartWatch;

static void
restart_state_cb (LodgeConnection *connection,
                  GParamSpec      *pspec,
                  RestartWatch    *watch)
{
  LodgeConnectionState state = lodge_connection_get_state (connection);
  g_array_append_val (watch->states, state);
}

static void
restart_disconnected_cb (LodgeConnection *connection,
                         RestartWatch    *watch)
{
  watch->disconnected++;
}

static void
restart_reconnected_cb (LodgeConnection *connection,
                        RestartWatch    *watch)
{
  watch->reconnected++;
}

static void
run_script (const char *action)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { start_libvirtd, action, NULL };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("%s %s: %s", start_libvirtd, action, error->message);
  g_test_message ("%s %s: %s%s", start_libvirtd, action, out, err);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s %s failed: %s", start_libvirtd, action, error->message);
}

static gboolean
reconnected_once (gpointer data)
{
  RestartWatch *watch = data;
  return watch->reconnected > 0;
}

/* A daemon whose parent is not waiting for it stays a zombie: gone too. */
static gboolean
process_alive (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  end = strrchr (stat, ')');
  return end != NULL && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

static gboolean
reconnected_or_daemon_gone (gpointer data)
{
  RestartWatch *watch = data;
  return watch->reconnected > 0 || !process_alive (watch->daemon_pid);
}

static void
reopen_admin_conn (void)
{
  if (admin_conn != NULL)
    virConnectClose (admin_conn);
  admin_conn = virConnectOpen (URI);
  if (admin_conn == NULL)
    g_error ("Could not reconnect: %s", virGetLastErrorMessage ());
}

static void
test_daemon_restart (void)
{
  g_autoptr(LodgeConnection) connection = open_connection ();
  g_autofree char *name = lodge_test_domain_name ("restart");
  g_autofree char *gone_name = lodge_test_domain_name ("gone");
  g_autofree char *new_name = lodge_test_domain_name ("new");
  g_autoptr(LodgeMachine) machine = define_guest (connection, name, "still", NULL);
  g_autoptr(LodgeMachine) gone = define_guest (connection, gone_name, "still", NULL);
  g_autofree char *new_xml = guest_xml (new_name, "still", NULL);
  LodgeMachineList *list = lodge_connection_get_machines (connection);
  RestartWatch watch = { g_array_new (FALSE, FALSE, sizeof (LodgeConnectionState)) };
  gboolean seen_reconnecting = FALSE;
  guint delay = 0;
  virDomainPtr *domains = NULL;
  virDomainPtr domain;
  int n;

  run_action_ok (machine, LODGE_MACHINE_ACTION_START);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  g_signal_connect (connection, "notify::state", G_CALLBACK (restart_state_cb), &watch);
  g_signal_connect (connection, "disconnected", G_CALLBACK (restart_disconnected_cb), &watch);
  g_signal_connect (connection, "reconnected", G_CALLBACK (restart_reconnected_cb), &watch);

  /* Kill libvirtd by its pid. */
  run_script ("kill-libvirtd");
  g_assert_true (lodge_test_wait_connection_state (connection, LODGE_CONNECTION_STATE_RECONNECTING,
                                                   WAIT_MS));
  g_assert_cmpuint (watch.disconnected, ==, 1);
  /* The list is kept while the daemon is away. */
  g_assert_true (lodge_machine_list_lookup_uuid (list, lodge_machine_get_uuid (machine)) == machine);
  g_assert_null (lodge_connection_ref_virconnect (connection));
  lodge_test_spin (1500);

  /* Back: meanwhile one machine goes and another comes (whether Lodge sees
   * it through the reconciled list or through events, the end is the same). */
  run_script ("start");
  reopen_admin_conn ();
  domain = virDomainLookupByName (admin_conn, gone_name);
  g_assert_nonnull (domain);
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  virDomainFree (domain);
  domain = virDomainDefineXML (admin_conn, new_xml);
  g_assert_nonnull (domain);
  virDomainFree (domain);

  /* No "Retry": the back-off brings it back by itself. */
  g_assert_cmpint (lodge_connection_get_state (connection), ==,
                   LODGE_CONNECTION_STATE_RECONNECTING);
  g_object_get (connection, "reconnect-delay", &delay, NULL);
  g_assert_cmpuint (delay, >=, 1);
  if (lodge_connection_get_error (connection) != NULL)
    g_test_message ("while away: %s", lodge_connection_get_error (connection)->message);
  g_assert_true (lodge_test_wait_until (reconnected_once, &watch, WAIT_MS));
  g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_null (lodge_connection_get_error (connection));
  g_assert_cmpuint (watch.reconnected, ==, 1);
  g_assert_cmpuint (watch.disconnected, ==, 1);
  for (guint i = 0; i < watch.states->len; i++)
    if (g_array_index (watch.states, LodgeConnectionState, i) == LODGE_CONNECTION_STATE_RECONNECTING)
      seen_reconnecting = TRUE;
  g_assert_true (seen_reconnecting);

  /* The same object, still running (QEMU survived the daemon). */
  g_assert_true (lodge_machine_list_lookup_uuid (list, lodge_machine_get_uuid (machine)) == machine);
  g_assert_true (lodge_machine_get_connection (machine) == connection);
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_RUNNING);
  g_assert_null (lodge_test_wait_machine (connection, gone_name, FALSE, WAIT_MS));
  g_assert_null (lodge_machine_get_connection (gone));
  g_assert_nonnull (lodge_test_wait_machine (connection, new_name, TRUE, WAIT_MS));

  /* The list matches the daemon's. */
  n = virConnectListAllDomains (admin_conn, &domains, 0);
  g_assert_cmpint (n, >=, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, (guint)n);
  for (int i = 0; i < n; i++)
    {
      char uuid[VIR_UUID_STRING_BUFLEN];
      int state;
      LodgeMachine *item;

      virDomainGetUUIDString (domains[i], uuid);
      item = lodge_machine_list_lookup_uuid (list, uuid);
      g_assert_nonnull (item);
      g_assert_cmpint (virDomainGetState (domains[i], &state, NULL, 0), ==, 0);
      g_assert_cmpint (lodge_machine_is_active (item), ==, state != VIR_DOMAIN_SHUTOFF);
      virDomainFree (domains[i]);
    }
  free (domains);

  /* And it keeps following events. (Pause first: libvirtd may still be
   * reconnecting to QEMU, and a destroy would race with that; a pause waits
   * for it.) */
  run_action_ok (machine, LODGE_MACHINE_ACTION_PAUSE);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_PAUSED, WAIT_MS));
  run_action_ok (machine, LODGE_MACHINE_ACTION_FORCE_OFF);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_SHUT_OFF, WAIT_MS));

  /* Tasks may keep the connection alive past this function: it must not
   * follow the daemon (and call these handlers) any more. */
  lodge_connection_close (connection);
  g_signal_handlers_disconnect_by_data (connection, &watch);
  g_array_unref (watch.states);
}

static pid_t
libvirtd_pid (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/run/libvirtd.pid", &contents, NULL, NULL))
    return 0;
  return (pid_t)g_ascii_strtoll (contents, NULL, 10);
}

static void
continue_libvirtd (void)
{
  pid_t pid = libvirtd_pid ();

  if (pid > 0)
    kill (pid, SIGCONT);
}

/* A daemon that hangs (here: stopped with SIGSTOP) keeps its socket open:
 * only the keepalive notices. The main loop must stay free meanwhile. */
static void
test_daemon_hang (void)
{
  g_autoptr(LodgeConnection) connection = open_connection ();
  g_autofree char *name = lodge_test_domain_name ("hang");
  g_autoptr(LodgeMachine) machine = define_guest (connection, name, "still", NULL);
  RestartWatch watch = { g_array_new (FALSE, FALSE, sizeof (LodgeConnectionState)) };
  pid_t pid = libvirtd_pid ();
  guint ticks_before;

  g_assert_cmpint (pid, >, 0);
  g_signal_connect (connection, "disconnected", G_CALLBACK (restart_disconnected_cb), &watch);
  g_signal_connect (connection, "reconnected", G_CALLBACK (restart_reconnected_cb), &watch);
  lodge_connection_set_stats_interval (connection, 1);

  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  ticks_before = (guint)lodge_connection_get_stats_calls (connection);

  /* 5 s keepalive interval, 3 misses: about 20 s. */
  if (!lodge_test_wait_connection_state (connection, LODGE_CONNECTION_STATE_RECONNECTING, 90000))
    {
      kill (pid, SIGCONT);
      g_error ("The keepalive did not notice the hung daemon");
    }
  g_assert_cmpuint (watch.disconnected, ==, 1);
  /* One stats call was stuck; the 1 s ticks did not pile more up (one
   * more may have been answered just before the daemon stopped). */
  g_assert_cmpuint (lodge_connection_get_stats_calls (connection), <=, ticks_before + 2);
  g_assert_true (lodge_connection_lookup_machine (connection, name) == machine);

  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);
  watch.daemon_pid = pid;
  if (lodge_test_wait_until (reconnected_or_daemon_gone, &watch, 90000) &&
      watch.reconnected == 0)
    {
      /* libvirt 9.0's daemon sometimes dies right after it is resumed,
       * while it frees the client whose keepalive timed out (its log ends
       * with "unexpected domain event deregister failure"): seen in two full
       * runs on the development machine, never when this test runs alone. That is the daemon's bug; what Lodge owes
       * is to come back by itself once a daemon answers again. */
      g_test_message ("libvirtd %d exited after it was resumed (libvirt's own fault); "
                      "starting it again", (int)pid);
      run_script ("start");
      reopen_admin_conn ();
    }
  if (!lodge_test_wait_until (reconnected_once, &watch, 90000))
    {
      /* Seen a few times in full runs, never alone: say where it stands. */
      const GError *last = lodge_connection_get_error (connection);
      gint64 retry = lodge_connection_get_retry_time (connection);

      g_error ("Not reconnected 90 s after the daemon went on: state %d, %u reconnections, "
               "last error “%s”, %s", lodge_connection_get_state (connection), watch.reconnected,
               last != NULL ? last->message : "none",
               retry > 0 ? "a retry is due" : "no retry due (an attempt runs, or none is planned)");
    }
  g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_true (lodge_connection_lookup_machine (connection, name) == machine);
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_SHUT_OFF);

  lodge_connection_close (connection);
  g_signal_handlers_disconnect_by_data (connection, &watch);
  g_array_unref (watch.states);
}

int
main (int   argc,
      char *argv[])
{
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  int ret;

  g_test_init (&argc, &argv, NULL);
  lodge_test_quiet_debug ();

  if (geteuid () != 0)
    lodge_test_skip_all ("integration tests need root (qemu:///system)");
  {
    g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");

    if (qemu == NULL)
      lodge_test_skip_all ("qemu-system-x86_64 is not installed");
  }
  start_libvirtd = g_strdup (g_getenv ("LODGE_START_LIBVIRTD"));
  guest_dir = g_strdup (g_getenv ("LODGE_GUEST_DIR"));
  if (start_libvirtd == NULL || guest_dir == NULL || make_guest == NULL)
    lodge_test_skip_all ("run through meson: LODGE_START_LIBVIRTD, LODGE_GUEST_DIR, "
                         "LODGE_MAKE_GUEST are not set");

  lodge_connection_init_events ();

  /* A daemon that answers is reused; else one is started. */
  {
    const char *start_argv[] = { start_libvirtd, "start", NULL };
    int status = 0;

    if (!g_spawn_sync (NULL, (char **)start_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL) ||
        !g_spawn_check_wait_status (status, NULL))
      lodge_test_skip_all ("no libvirtd answers on " URI " and none could be started");
  }
  admin_conn = virConnectOpen (URI);
  if (admin_conn == NULL)
    lodge_test_skip_all ("cannot connect to " URI);

  lodge_test_prepare_guest (make_guest, guest_dir);
  remove_test_domains_full (TRUE);

  /* Serial logs are written by virtlogd (root); keep them next to the guest. */
  log_dir = g_build_filename (guest_dir, "logs", NULL);
  g_mkdir_with_parents (log_dir, 0755);

  signal (SIGABRT, on_abort);
  signal (SIGSEGV, on_abort);
  signal (SIGTERM, on_abort);
  signal (SIGINT, on_abort);

  g_test_add_func ("/integration/lifecycle", test_lifecycle);
  g_test_add_func ("/integration/missing-disk", test_missing_disk);
  g_test_add_func ("/integration/daemon-restart", test_daemon_restart);
  g_test_add_func ("/integration/daemon-hang", test_daemon_hang);

  ret = g_test_run ();

  remove_test_domains ();
  if (admin_conn != NULL)
    virConnectClose (admin_conn);

  return ret;
}
