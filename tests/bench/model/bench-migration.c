/* bench-migration.c: a live migration through Lodge against virsh's
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One small TCG guest (1 vCPU, 256 MiB, its serial port scrolling) goes
 * from the system daemon to the second host of tests/common/
 * lodge-second-host.sh and back, alternately through LodgeMigration
 * (Lodge drives both daemons, as virsh does) and through a spawned
 * `virsh migrate --live --persistent --undefinesource`. Prints the median
 * wall times of each way for each, Lodge's checks alone, and how often
 * Lodge's progress properties changed during its hops. Never asserts on
 * times.
 *
 * Needs root, QEMU, sshd. Environment as the migration test's, plus
 * LODGE_BENCH_RUNS (default 5 per tool and way).
 */
#define G_LOG_DOMAIN "bench-migration"

#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "lodge-test.h"
#include "lodge-test-host2.h"
#include "lodge-model-test.h"

#define HOP_MS 180000
#define WAIT_MS 60000

static LodgeTestHost2 *host2;
static virConnectPtr admin_conn;
static virConnectPtr admin2_conn;
static char *guest_name;

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_autoptr(GArray) sorted = g_array_copy (values);

  g_array_sort (sorted, compare_doubles);
  if (sorted->len == 0)
    return 0;
  if (sorted->len % 2 == 1)
    return g_array_index (sorted, double, sorted->len / 2);
  return (g_array_index (sorted, double, sorted->len / 2 - 1) +
          g_array_index (sorted, double, sorted->len / 2)) / 2;
}

static const char *
require_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    lodge_test_skip_all ("run through meson (meson test --benchmark): an environment variable is missing");
  return value;
}

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* The guest is on this host only: the other side has let it go (a hop
 * started while the old side still removes it fails). */
typedef struct
{
  virConnectPtr here;
  virConnectPtr there;
} Where;

static gboolean
domain_running_on (virConnectPtr conn)
{
  virDomainPtr domain = virDomainLookupByName (conn, guest_name);
  int state = VIR_DOMAIN_NOSTATE;

  if (domain != NULL && virDomainGetState (domain, &state, NULL, 0) < 0)
    state = VIR_DOMAIN_NOSTATE;
  g_clear_pointer (&domain, virDomainFree);
  virResetLastError ();
  return state == VIR_DOMAIN_RUNNING;
}

static gboolean
only_here (gpointer data)
{
  Where *where = data;
  virDomainPtr other = virDomainLookupByName (where->there, guest_name);

  g_clear_pointer (&other, virDomainFree);
  virResetLastError ();
  return other == NULL && domain_running_on (where->here);
}

static void
wait_only_on (virConnectPtr here,
              virConnectPtr there)
{
  Where where = { here, there };

  if (!lodge_test_wait_until (only_here, &where, WAIT_MS))
    g_error ("%s did not settle on one host", guest_name);
}

static void
count_update_cb (LodgeMigration *migration,
                 GParamSpec     *pspec,
                 guint          *updates)
{
  (*updates)++;
}

/* One hop through Lodge; its wall time in s. */
static double
hop_lodge (LodgeConnection *from,
           LodgeConnection *to,
           gboolean         way_back,
           double          *update_hz)
{
  LodgeMachine *machine = lodge_test_wait_machine (from, guest_name, TRUE, WAIT_MS);
  g_autoptr(LodgeMigration) migration = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint updates = 0;
  double t0;
  double wall;

  if (machine == NULL)
    g_error ("Lodge does not list %s on %s", guest_name, lodge_connection_get_uri (from));
  migration = lodge_migration_new (machine, to);
  if (way_back)
    {
      lodge_migration_set_listen_address (migration, "127.0.0.1");
      lodge_migration_set_migrate_uri (migration, "tcp://127.0.0.1");
    }
  g_signal_connect (migration, "notify::elapsed", G_CALLBACK (count_update_cb), &updates);

  t0 = now_s ();
  lodge_migration_start_async (migration, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, HOP_MS);
  wall = now_s () - t0;
  if (!lodge_migration_start_finish (migration, result, &error))
    g_error ("Lodge's migration failed: %s", error->message);
  *update_hz = updates / wall;
  return wall;
}

/* One hop through virsh; its wall time in s. */
static double
hop_virsh (const char *from_uri,
           const char *to_uri,
           gboolean    way_back)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *common[] = { "virsh", "-q", "-c", from_uri, "migrate", "--live", "--persistent",
                           "--undefinesource", guest_name, to_uri };
  const char *back[] = { "--listen-address", "127.0.0.1", "--migrateuri", "tcp://127.0.0.1" };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  double t0;

  for (guint i = 0; i < G_N_ELEMENTS (common); i++)
    g_ptr_array_add (argv, (char *) common[i]);
  for (guint i = 0; way_back && i < G_N_ELEMENTS (back); i++)
    g_ptr_array_add (argv, (char *) back[i]);
  g_ptr_array_add (argv, NULL);

  t0 = now_s ();
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("virsh migrate failed: %s %s", error->message, err ? err : "");
  return now_s () - t0;
}

static double
check_lodge (LodgeConnection *from,
             LodgeConnection *to)
{
  LodgeMachine *machine = lodge_test_wait_machine (from, guest_name, TRUE, WAIT_MS);
  g_autoptr(LodgeMigration) migration = lodge_migration_new (machine, to);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double t0 = now_s ();

  lodge_migration_check_async (migration, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  if (!lodge_migration_check_finish (migration, result, &error))
    g_error ("Lodge's check refused: %s", error->message);
  return now_s () - t0;
}

static LodgeConnection *
open_connection (const char *uri)
{
  g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
  g_autoptr(GError) error = NULL;

  lodge_connection_set_stats_interval (connection, 0);
  if (!lodge_test_open (connection, &error))
    g_error ("Could not open %s: %s", uri, error->message);
  return g_steal_pointer (&connection);
}

static void
remove_guest (virConnectPtr conn)
{
  virDomainPtr domain = conn ? virDomainLookupByName (conn, guest_name) : NULL;

  if (domain != NULL)
    {
      virDomainDestroy (domain);
      virDomainUndefine (domain);
      virDomainFree (domain);
    }
  virResetLastError ();
}

int
main (int   argc,
      char *argv[])
{
  const char *start_libvirtd = require_env ("LODGE_START_LIBVIRTD");
  const char *make_guest = require_env ("LODGE_MAKE_GUEST");
  const char *guest_dir = require_env ("LODGE_GUEST_DIR");
  const char *script = require_env ("LODGE_SECOND_HOST");
  const char *name2 = g_getenv ("LODGE_HOST2_NAME");
  const char *addr2 = g_getenv ("LODGE_HOST2_ADDR");
  const char *port2 = g_getenv ("LODGE_HOST2_SSH_PORT");
  guint runs = g_getenv ("LODGE_BENCH_RUNS") ? (guint) atoi (g_getenv ("LODGE_BENCH_RUNS")) : 5;
  g_autoptr(GArray) lodge_there = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) lodge_back = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) virsh_there = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) virsh_back = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) checks = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(LodgeConnection) source = NULL;
  g_autoptr(LodgeConnection) destination = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  virDomainPtr domain;

  if (geteuid () != 0)
    lodge_test_skip_all ("the migration benchmark needs root");
  lodge_test_host2_check_preconditions (script);
  {
    const char *start_argv[] = { start_libvirtd, "start", NULL };
    const char *guest_argv[] = { make_guest, guest_dir, NULL };

    if (!lodge_test_run ("start-libvirtd", (char **) start_argv) ||
        !lodge_test_run ("make-guest", (char **) guest_argv))
      lodge_test_skip_all ("no libvirt daemon or no test guest");
  }
  lodge_test_quiet_debug ();
  lodge_connection_init_events ();

  host2 = lodge_test_host2_start_new (script, name2 ? name2 : "lodge-host2",
                                      addr2 ? addr2 : "127.0.0.2",
                                      port2 ? (guint) atoi (port2) : 2222, NULL);
  admin_conn = virConnectOpen ("qemu:///system");
  admin2_conn = virConnectOpen (host2->uri);
  if (admin_conn == NULL || admin2_conn == NULL)
    g_error ("Could not connect: %s", virGetLastErrorMessage ());
  source = open_connection ("qemu:///system");
  destination = open_connection (host2->uri);

  guest_name = g_strdup_printf ("lodge-bench-%d-migration", (int) getpid ());
  xml = g_strdup_printf ("<domain type='qemu'><name>%s</name>"
                         "<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                         "<os><type arch='x86_64' machine='pc'>hvm</type>"
                         "<kernel>%s/vmlinuz</kernel><initrd>%s/initrd.img</initrd>"
                         "<cmdline>console=ttyS0 quiet lodge.mode=scroll</cmdline></os>"
                         "<features><acpi/></features>"
                         "<devices><controller type='usb' model='none'/>"
                         "<serial type='pty'><target port='0'/></serial>"
                         "<memballoon model='none'/></devices></domain>",
                         guest_name, guest_dir, guest_dir);
  domain = virDomainDefineXML (admin_conn, xml);
  if (domain == NULL || virDomainCreate (domain) < 0)
    g_error ("Could not start the guest: %s", virGetLastErrorMessage ());
  virDomainFree (domain);
  /* Let it boot: its memory is what moves. */
  lodge_test_spin (5000);

  for (guint i = 0; i < 2 * runs; i++)
    {
      gboolean lodge = i % 2 == 0;
      double hz = 0;
      double there;
      double back;

      wait_only_on (admin_conn, admin2_conn);
      if (lodge)
        {
          double check = check_lodge (source, destination);

          g_array_append_val (checks, check);
          there = hop_lodge (source, destination, FALSE, &hz);
          g_array_append_val (rates, hz);
          wait_only_on (admin2_conn, admin_conn);
          back = hop_lodge (destination, source, TRUE, &hz);
          g_array_append_val (rates, hz);
          g_array_append_val (lodge_there, there);
          g_array_append_val (lodge_back, back);
        }
      else
        {
          there = hop_virsh ("qemu:///system", host2->uri, FALSE);
          wait_only_on (admin2_conn, admin_conn);
          back = hop_virsh (host2->uri, "qemu:///system", TRUE);
          g_array_append_val (virsh_there, there);
          g_array_append_val (virsh_back, back);
        }
      g_print ("run %u (%s): there %.2f s, back %.2f s\n", i / 2 + 1, lodge ? "Lodge" : "virsh",
               there, back);
    }

  g_print ("live migration of a 256 MiB TCG guest, medians of %u runs each, alternating:\n", runs);
  g_print ("  to the second host:   Lodge %.2f s, virsh %.2f s\n", median (lodge_there), median (virsh_there));
  g_print ("  back to this host:    Lodge %.2f s, virsh %.2f s\n", median (lodge_back), median (virsh_back));
  g_print ("  Lodge's checks alone: %.2f s (also part of each Lodge hop)\n", median (checks));
  g_print ("  Lodge's progress updates: %.1f Hz median over its hops\n", median (rates));

  remove_guest (admin_conn);
  remove_guest (admin2_conn);
  {
    g_autofree char *log = g_strdup_printf ("/var/log/libvirt/qemu/%s.log", guest_name);
    g_autofree char *log2 = g_strdup_printf ("%s/qemu/%s.log", host2->logs, guest_name);

    g_unlink (log);
    g_unlink (log2);
  }
  lodge_connection_close (source);
  lodge_connection_close (destination);
  virConnectClose (admin_conn);
  virConnectClose (admin2_conn);
  if (!lodge_test_host2_stop (host2, &error))
    g_printerr ("Could not stop the second host: %s\n", error->message);
  lodge_test_host2_free (host2);
  return 0;
}
