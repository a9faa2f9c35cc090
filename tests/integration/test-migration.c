/* test-migration.c: LodgeMigration between two real libvirt hosts
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first host is the system daemon (qemu:///system, started by
 * build-aux/start-libvirtd.sh when none answers); the second one is
 * tests/common/lodge-second-host.sh's, reached over SSH (lodge-host2 on
 * 127.0.0.2:2222 unless LODGE_HOST2_* say otherwise). Guests are small TCG
 * machines whose serial port counts lines ("line N:"): after a live
 * migration the destination's serial log goes on with line N+1, so the
 * guest never restarted. Every domain is named lodge-test-PID-... and
 * removed at the end, also when a test fails.
 */
#define G_LOG_DOMAIN "test-migration"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "lodge-test.h"
#include "lodge-test-domains.h"
#include "lodge-test-host2.h"
#include "lodge-model-test.h"

#define URI "qemu:///system"
/* Generous: a hop takes 1-4 s here, much more on a loaded 2-core machine. */
#define BOOT_MS 120000
#define HOP_MS 180000
#define WAIT_MS 60000
/* Slow migrations: 1 MiB/s copies the guest's ~90 MiB in about 90 s. */
#define SLOW_MIB_PER_S 1

static char *guest_dir;
static char *start_libvirtd;
static LodgeTestHost2 *host2;
static virConnectPtr admin_conn;    /* the tests' own connections, for set-up */
static virConnectPtr admin2_conn;
static LodgeConnection *source;     /* Lodge's connections to both hosts */
static LodgeConnection *destination;

/* --------------------------------------------------------------- guests -- */

/* Serial logs are per host: /var/log/libvirt is the second host's own. */
static char *
host_log (const char *name)
{
  return g_strdup_printf ("/var/log/libvirt/qemu/%s-serial.log", name);
}

static char *
host2_log (const char *name)
{
  return g_strdup_printf ("%s/qemu/%s-serial.log", host2->logs, name);
}

static char *
image_path (const char *name)
{
  return g_strdup_printf ("/var/lib/libvirt/images/%s.qcow2", name);
}

static char *
host2_image_path (const char *name)
{
  return g_strdup_printf ("%s/%s.qcow2", host2->images, name);
}

static char *
guest_xml (const char *name,
           const char *disk)
{
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autofree char *log = host_log (name);
  g_autofree char *disk_xml = NULL;

  if (disk != NULL)
    disk_xml = g_strdup_printf ("<disk type='file' device='disk'>"
                                "<driver name='qemu' type='qcow2'/>"
                                "<source file='%s'/>"
                                "<target dev='vda' bus='virtio'/></disk>", disk);
  return g_strdup_printf (
    "<domain type='qemu'>\n"
    "  <name>%s</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
    "    <kernel>%s/vmlinuz</kernel>\n"
    "    <initrd>%s/initrd.img</initrd>\n"
    "    <cmdline>console=ttyS0 quiet lodge.mode=scroll</cmdline>\n"
    "  </os>\n"
    "  <features><acpi/></features>\n"
    "  <on_poweroff>destroy</on_poweroff>\n"
    "  <devices>\n"
    "    <controller type='usb' model='none'/>\n"
    "    <serial type='pty'><log file='%s' append='on'/><target port='0'/></serial>\n"
    "    <console type='pty'><target type='serial' port='0'/></console>\n"
    "    <memballoon model='none'/>\n"
    "    %s\n"
    "  </devices>\n"
    "</domain>\n",
    escaped, guest_dir, guest_dir, log, disk_xml ? disk_xml : "");
}

/* The serial logs and libvirt's own log of the domain, on both hosts. */
static void
remove_logs (const char *name)
{
  char *logs[] = { host_log (name), host2_log (name),
                   g_strdup_printf ("/var/log/libvirt/qemu/%s.log", name),
                   g_strdup_printf ("%s/qemu/%s.log", host2->logs, name) };

  for (guint i = 0; i < G_N_ELEMENTS (logs); i++)
    {
      g_unlink (logs[i]);
      for (guint j = 0; j < 3; j++)
        {
          g_autofree char *backup = g_strdup_printf ("%s.%u", logs[i], j);
          g_unlink (backup);
        }
      g_free (logs[i]);
    }
}

static void
remove_test_domains_on (virConnectPtr conn,
                        gboolean      also_stale)
{
  lodge_test_remove_domains (conn, also_stale);
}

static void
remove_test_images (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/var/lib/libvirt/images", 0, NULL);
  g_autofree char *prefix = g_strdup_printf ("lodge-test-%d-", (int) getpid ());
  const char *file;

  while (dir != NULL && (file = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (file, prefix))
      {
        g_autofree char *path = g_build_filename ("/var/lib/libvirt/images", file, NULL);
        g_unlink (path);
      }
}

static void
cleanup_all (void)
{
  remove_test_domains_on (admin_conn, FALSE);
  remove_test_domains_on (admin2_conn, FALSE);
  remove_test_images ();
}

static void
on_abort (int sig)
{
  /* A failed assertion: still leave nothing behind. */
  signal (sig, SIG_DFL);
  cleanup_all ();
  if (host2 != NULL)
    lodge_test_host2_stop (host2, NULL);
  raise (sig);
}

/* The last "line N:" a guest printed into a serial log (or its rotated
 * backup: virtlogd rotates at 2 MiB, about 35 s of this guest), or -1. */
static gint64
last_counter (const char *log)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = i == 0 ? g_strdup (log) : g_strdup_printf ("%s.0", log);
      g_autofree char *contents = NULL;
      gsize length = 0;
      const char *at;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      for (at = contents + length; at > contents; at--)
        {
          gint64 n;
          char *end = NULL;

          if (strncmp (at - 1, "line ", 5) != 0)
            continue;
          n = g_ascii_strtoll (at + 4, &end, 10);
          if (end != at + 4 && *end == ':')
            return n;
        }
    }
  return -1;
}

static gboolean
log_has_counter (const char *log,
                 gint64      n)
{
  g_autofree char *needle = g_strdup_printf ("line %" G_GINT64_FORMAT ":", n);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = i == 0 ? g_strdup (log) : g_strdup_printf ("%s.%u", log, i - 1);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, NULL) &&
          g_strstr_len (contents, length, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The guest kernel did not crash (a migration that corrupts memory shows
 * as an oops on the serial port, while libvirt still says "running"). */
static void
assert_no_crash (const char *log)
{
  static const char * const signs[] = { "Oops:", "BUG:", "Kernel panic", "general protection fault" };

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = i == 0 ? g_strdup (log) : g_strdup_printf ("%s.%u", log, i - 1);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (signs); j++)
        if (g_strstr_len (contents, length, signs[j]) != NULL)
          g_error ("The guest's kernel crashed after a migration (“%s” in %s)", signs[j], path);
    }
}

typedef struct
{
  const char *from;
  const char *to;
  gint64      last;
  gint64      next;
} Continuity;

/* The destination goes on where the source stopped: "line N+1:" (or N+2,
 * when the switch cut "line 12|3:" in two). */
static gboolean
counter_continues (gpointer data)
{
  Continuity *c = data;

  c->last = last_counter (c->from);
  if (c->last < 0)
    return FALSE;
  for (gint64 n = c->last + 1; n <= c->last + 2; n++)
    if (log_has_counter (c->to, n))
      {
        c->next = n;
        return TRUE;
      }
  return FALSE;
}

static void
assert_counter_continues (const char *from,
                          const char *to)
{
  Continuity c = { from, to, -1, -1 };

  if (!lodge_test_wait_until (counter_continues, &c, WAIT_MS))
    g_error ("The serial counter did not go on: %s stops at line %" G_GINT64_FORMAT
             ", %s has no line after it", from, c.last, to);
  g_test_message ("serial counter: %s ends at line %" G_GINT64_FORMAT ", %s goes on with %"
                  G_GINT64_FORMAT, from, c.last, to, c.next);
}

typedef struct
{
  const char *log;
  gint64      above;
} CounterWait;

static gboolean
counter_above (gpointer data)
{
  CounterWait *wait = data;

  return last_counter (wait->log) > wait->above;
}

/* The guest runs and prints: its counter moves on. */
static void
assert_counter_advances (const char *log)
{
  CounterWait wait = { log, last_counter (log) };

  g_assert_cmpint (wait.above, >=, 0);
  if (!lodge_test_wait_until (counter_above, &wait, WAIT_MS))
    g_error ("The guest's counter in %s stays at %" G_GINT64_FORMAT, log, wait.above);
}

static gboolean
counter_seen (gpointer data)
{
  return last_counter (data) >= 0;
}

/* Defines and starts a guest on the first host; Lodge's machine for it. */
static LodgeMachine *
start_guest (const char *name,
             const char *disk)
{
  g_autofree char *xml = guest_xml (name, disk);
  g_autofree char *log = host_log (name);
  virDomainPtr domain;
  LodgeMachine *machine;

  remove_logs (name);
  domain = virDomainDefineXML (admin_conn, xml);
  if (domain == NULL)
    g_error ("Could not define %s: %s", name, virGetLastErrorMessage ());
  if (virDomainCreate (domain) < 0)
    g_error ("Could not start %s: %s", name, virGetLastErrorMessage ());
  virDomainFree (domain);

  machine = lodge_test_wait_machine (source, name, TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  if (!lodge_test_wait_until (counter_seen, log, BOOT_MS))
    g_error ("%s did not boot (no counter in %s)", name, log);
  return g_object_ref (machine);
}

static gboolean
domain_state_on (virConnectPtr  conn,
                 const char    *name,
                 int           *state)
{
  virDomainPtr domain = virDomainLookupByName (conn, name);
  gboolean found = domain != NULL;

  if (domain != NULL && virDomainGetState (domain, state, NULL, 0) < 0)
    found = FALSE;
  g_clear_pointer (&domain, virDomainFree);
  virResetLastError ();
  return found;
}

static gboolean
defined_on (virConnectPtr  conn,
            const char    *name)
{
  int state;
  return domain_state_on (conn, name, &state);
}

static gboolean
running_on (virConnectPtr  conn,
            const char    *name)
{
  int state = VIR_DOMAIN_NOSTATE;
  return domain_state_on (conn, name, &state) && state == VIR_DOMAIN_RUNNING;
}

typedef struct
{
  virConnectPtr  conn;
  const char    *name;
} RunningOn;

static gboolean
running_on_cb (gpointer data)
{
  RunningOn *r = data;
  return running_on (r->conn, r->name);
}

/* On the destination, libvirt resumes the guest just after the job that
 * the source reports finished: wait for it (a condition, not a time). */
static void
assert_comes_running_on (virConnectPtr  conn,
                         const char    *name)
{
  RunningOn r = { conn, name };
  int state = VIR_DOMAIN_NOSTATE;

  if (!lodge_test_wait_until (running_on_cb, &r, WAIT_MS))
    {
      gboolean found = domain_state_on (conn, name, &state);

      g_error ("%s is not running on the destination (%s, state %d)", name,
               found ? "defined there" : "not there", state);
    }
}

/* ------------------------------------------------------------ helpers -- */

static gboolean
run_migration (LodgeMigration  *migration,
               guint            timeout_ms,
               GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gboolean ok;

  lodge_migration_start_async (migration, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, timeout_ms);
  ok = lodge_migration_start_finish (migration, result, error);
  if (!ok)
    g_test_message ("migration failed: %s", (*error)->message);
  return ok;
}

static gboolean
run_check (LodgeMigration  *migration,
           GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_migration_check_async (migration, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  return lodge_migration_check_finish (migration, result, error);
}

/* The way back to the first host: its daemon would listen on every
 * address, and announce its hostname. */
static void
set_way_back (LodgeMigration *migration)
{
  lodge_migration_set_listen_address (migration, "127.0.0.1");
  lodge_migration_set_migrate_uri (migration, "tcp://127.0.0.1");
}

/* Progress as the main thread saw it. */
typedef struct
{
  gint64  time;     /* monotonic µs */
  LodgeMigrationPhase phase;
  guint64 memory_processed;
  guint64 memory_remaining;
  guint64 disk_processed;
  guint64 disk_remaining;
  guint64 elapsed;
} Sample;

static void
record_sample_cb (LodgeMigration *migration,
                  GParamSpec     *pspec,
                  GArray         *samples)
{
  Sample sample = {
    g_get_monotonic_time (),
    lodge_migration_get_phase (migration),
    lodge_migration_get_memory_processed (migration),
    lodge_migration_get_memory_remaining (migration),
    lodge_migration_get_disk_processed (migration),
    lodge_migration_get_disk_remaining (migration),
    lodge_migration_get_elapsed (migration),
  };

  g_array_append_val (samples, sample);
}

typedef struct
{
  LodgeMigration      *migration;
  LodgeMigrationPhase  phase;
  guint64              processed;  /* memory + disk, at least */
} PhaseWait;

static gboolean
phase_reached (gpointer data)
{
  PhaseWait *wait = data;
  LodgeMigration *migration = wait->migration;

  return lodge_migration_get_phase (migration) == wait->phase &&
         lodge_migration_get_memory_processed (migration) +
         lodge_migration_get_disk_processed (migration) >= wait->processed;
}

static gboolean
phase_is_final (gpointer data)
{
  LodgeMigrationPhase phase = lodge_migration_get_phase (data);

  return phase == LODGE_MIGRATION_PHASE_DONE || phase == LODGE_MIGRATION_PHASE_FAILED ||
         phase == LODGE_MIGRATION_PHASE_CANCELLED;
}

static gboolean
volume_file_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

/* -------------------------------------------------------------- tests -- */

/* Running guest to the second host (Lodge drives both daemons) and back
 * (peer to peer: the second host's daemon talks to the first's). */
static void
test_live_there_and_back (void)
{
  g_autofree char *name = lodge_test_domain_name ("live");
  g_autofree char *log = host_log (name);
  g_autofree char *log2 = host2_log (name);
  g_autoptr(LodgeMachine) machine = start_guest (name, NULL);
  g_autoptr(LodgeMigration) there = lodge_migration_new (machine, destination);
  g_autoptr(LodgeMigration) back = NULL;
  g_autoptr(GError) error = NULL;
  LodgeMachine *remote;
  gint64 t0;

  g_assert_cmpint (lodge_migration_get_phase (there), ==, LODGE_MIGRATION_PHASE_NONE);
  g_assert_true (lodge_migration_get_live (there));

  t0 = g_get_monotonic_time ();
  g_assert_true (run_migration (there, HOP_MS, &error));
  g_assert_no_error (error);
  g_test_message ("there: %.2f s, libvirt job %" G_GUINT64_FORMAT " ms, downtime %" G_GUINT64_FORMAT
                  " ms, %" G_GUINT64_FORMAT " MiB of memory",
                  (g_get_monotonic_time () - t0) / 1e6, lodge_migration_get_elapsed (there),
                  lodge_migration_get_downtime (there),
                  lodge_migration_get_memory_processed (there) >> 20);
  g_assert_cmpint (lodge_migration_get_phase (there), ==, LODGE_MIGRATION_PHASE_DONE);
  g_assert_cmpuint (lodge_migration_get_elapsed (there), >, 0);
  g_assert_cmpuint (lodge_migration_get_memory_processed (there), >, 0);

  /* Gone from the source (and its definition moved), running there. */
  g_assert_null (lodge_test_wait_machine (source, name, FALSE, WAIT_MS));
  g_assert_false (defined_on (admin_conn, name));
  remote = lodge_test_wait_machine (destination, name, TRUE, WAIT_MS);
  g_assert_nonnull (remote);
  g_assert_true (lodge_test_wait_state (remote, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  g_assert_true (lodge_machine_get_persistent (remote));
  assert_counter_continues (log, log2);

  back = lodge_migration_new (remote, source);
  lodge_migration_set_peer_to_peer (back, TRUE);
  lodge_migration_set_peer_uri (back, host2->host_uri_from_remote);
  set_way_back (back);
  t0 = g_get_monotonic_time ();
  g_assert_true (run_migration (back, HOP_MS, &error));
  g_assert_no_error (error);
  g_test_message ("back (peer to peer): %.2f s, downtime %" G_GUINT64_FORMAT " ms",
                  (g_get_monotonic_time () - t0) / 1e6, lodge_migration_get_downtime (back));
  g_assert_cmpint (lodge_migration_get_phase (back), ==, LODGE_MIGRATION_PHASE_DONE);

  g_assert_null (lodge_test_wait_machine (destination, name, FALSE, WAIT_MS));
  g_assert_false (defined_on (admin2_conn, name));
  g_assert_nonnull (lodge_test_wait_machine (source, name, TRUE, WAIT_MS));
  g_assert_true (running_on (admin_conn, name));
  assert_counter_continues (log2, log);
  assert_counter_advances (log);
  assert_no_crash (log);
  assert_no_crash (log2);

  /* A migration runs once. */
  g_assert_false (run_migration (there, WAIT_MS, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  remove_test_domains_on (admin_conn, FALSE);
  remove_logs (name);
}

/* Runs a program from PATH to its end, or fails the test. */
static void
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s %s", argv[0], error->message, err ? err : "");
}

static void
write_pattern_disk (const char *path)
{
  const char *create[] = { "qemu-img", "create", "-q", "-f", "qcow2", path, "64M", NULL };
  const char *write[] = { "qemu-io", "-f", "qcow2", "-c", "write -q -P 0xab 0 8M",
                          "-c", "write -q -P 0xcd 32M 4M", path, NULL };

  run_tool (create);
  run_tool (write);
}

static void
assert_pattern_disk (const char *path)
{
  const char *argv[] = { "qemu-io", "-U", "-r", "-f", "qcow2", "-c", "read -q -P 0xab 0 8M",
                         "-c", "read -q -P 0xcd 32M 4M", "-c", "read -q -P 0 8M 24M", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL) || strstr (out, "Pattern verification failed") != NULL)
    g_error ("The data of %s changed: %s%s", path, out, err);
}

/* A disk only the first host has: refused without copying storage, naming
 * the disk; copied into the second host's pool with it, data intact. */
static void
test_copy_storage (void)
{
  g_autofree char *name = lodge_test_domain_name ("storage");
  g_autofree char *disk = image_path (name);
  g_autofree char *disk2 = host2_image_path (name);
  g_autofree char *log = host_log (name);
  g_autofree char *log2 = host2_log (name);
  g_autoptr(LodgeMachine) machine = NULL;
  g_autoptr(LodgeMigration) refused = NULL;
  g_autoptr(LodgeMigration) copy = NULL;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain;

  write_pattern_disk (disk);
  machine = start_guest (name, disk);

  refused = lodge_migration_new (machine, destination);
  g_assert_false (run_check (refused, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_test_message ("check: %s", error->message);
  g_assert_nonnull (strstr (error->message, "vda"));
  g_assert_nonnull (strstr (error->message, disk));
  g_assert_nonnull (strstr (error->message, name));
  g_clear_error (&error);
  /* start runs the same checks and leaves everything as it was */
  g_assert_false (run_migration (refused, HOP_MS, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, disk));
  g_clear_error (&error);
  g_assert_cmpint (lodge_migration_get_phase (refused), ==, LODGE_MIGRATION_PHASE_FAILED);
  g_assert_true (running_on (admin_conn, name));
  g_assert_false (g_file_test (disk2, G_FILE_TEST_EXISTS));

  copy = lodge_migration_new (machine, destination);
  lodge_migration_set_storage (copy, LODGE_MIGRATION_STORAGE_COPY_ALL);
  g_assert_true (run_check (copy, &error));
  g_assert_no_error (error);
  g_assert_true (run_migration (copy, HOP_MS, &error));
  g_assert_no_error (error);
  g_test_message ("copied %" G_GUINT64_FORMAT " MiB of disk, %" G_GUINT64_FORMAT " MiB of memory",
                  lodge_migration_get_disk_processed (copy) >> 20,
                  lodge_migration_get_memory_processed (copy) >> 20);
  g_assert_cmpuint (lodge_migration_get_disk_total (copy), >, 0);

  assert_comes_running_on (admin2_conn, name);
  g_assert_false (defined_on (admin_conn, name));
  assert_counter_continues (log, log2);
  assert_counter_advances (log2);
  assert_no_crash (log2);
  g_assert_true (g_file_test (disk2, G_FILE_TEST_IS_REGULAR));

  /* The copy holds the data written before; the guest never writes to it. */
  domain = virDomainLookupByName (admin2_conn, name);
  g_assert_nonnull (domain);
  virDomainDestroy (domain);
  virDomainFree (domain);
  assert_pattern_disk (disk2);
  remove_test_domains_on (admin2_conn, FALSE);
  g_unlink (disk2);
  g_unlink (disk);
  remove_logs (name);
}

/* A slow migration reports its progress at least once a second, with
 * figures that make sense, and ends DONE. */
static void
test_progress (void)
{
  g_autofree char *name = lodge_test_domain_name ("progress");
  g_autoptr(LodgeMachine) machine = start_guest (name, NULL);
  g_autoptr(LodgeMigration) migration = lodge_migration_new (machine, destination);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  PhaseWait memory = { migration, LODGE_MIGRATION_PHASE_MEMORY, 1 };
  const Sample *first = NULL;
  const Sample *last = NULL;
  guint n_memory = 0;
  gint64 max_gap = 0;
  double seconds;

  lodge_migration_set_bandwidth (migration, 8);
  lodge_migration_set_max_downtime (migration, 500);
  g_signal_connect (migration, "notify::elapsed", G_CALLBACK (record_sample_cb), samples);
  g_signal_connect (migration, "notify::phase", G_CALLBACK (record_sample_cb), samples);

  lodge_migration_start_async (migration, NULL, lodge_test_store_result_cb, &result);
  g_assert_cmpint (lodge_migration_get_phase (migration), ==, LODGE_MIGRATION_PHASE_SETUP);
  g_assert_true (lodge_test_wait_until (phase_reached, &memory, HOP_MS));
  lodge_test_wait_result (&result, HOP_MS);
  g_assert_true (lodge_migration_start_finish (migration, result, &error));
  g_assert_no_error (error);
  g_signal_handlers_disconnect_by_data (migration, samples);

  /* The samples of the memory phase. */
  for (guint i = 0; i < samples->len; i++)
    {
      const Sample *sample = &g_array_index (samples, Sample, i);

      if (sample->phase != LODGE_MIGRATION_PHASE_MEMORY)
        continue;
      if (first == NULL)
        first = sample;
      else
        {
          max_gap = MAX (max_gap, sample->time - last->time);
          /* processed never goes back */
          g_assert_cmpuint (sample->memory_processed, >=, last->memory_processed);
          g_assert_cmpuint (sample->elapsed, >=, last->elapsed);
        }
      last = sample;
      n_memory++;
    }
  g_assert_nonnull (first);
  seconds = (last->time - first->time) / 1e6;
  g_test_message ("%u updates in %.1f s of copying memory (%.1f Hz, longest gap %.2f s), "
                  "processed %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " MiB, remaining %"
                  G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " MiB",
                  n_memory, seconds, (n_memory - 1) / MAX (seconds, 0.001), max_gap / 1e6,
                  first->memory_processed >> 20, last->memory_processed >> 20,
                  first->memory_remaining >> 20, last->memory_remaining >> 20);
  /* ~90 MiB at 8 MiB/s: seconds of copying, sampled twice a second. */
  g_assert_cmpfloat (seconds, >=, 3.0);
  g_assert_cmpfloat ((n_memory - 1) / seconds, >=, 1.0);
  g_assert_cmpuint (last->memory_processed, >, first->memory_processed);
  g_assert_cmpuint (last->memory_remaining, <, first->memory_remaining);

  g_assert_cmpint (lodge_migration_get_phase (migration), ==, LODGE_MIGRATION_PHASE_DONE);
  g_assert_cmpuint (lodge_migration_get_memory_total (migration), >=, 256 << 20);
  g_assert_cmpuint (lodge_migration_get_memory_remaining (migration), ==, 0);
  assert_comes_running_on (admin2_conn, name);
  remove_test_domains_on (admin2_conn, FALSE);
  remove_logs (name);
}

/* Cancelled while copying (slowly) a disk the second host lacks: the guest
 * runs on as before, nothing of it stays on the second host. */
static void
test_cancel (void)
{
  g_autofree char *name = lodge_test_domain_name ("cancel");
  g_autofree char *disk = image_path (name);
  g_autofree char *disk2 = host2_image_path (name);
  g_autofree char *log = host_log (name);
  g_autoptr(LodgeMachine) machine = NULL;
  g_autoptr(LodgeMigration) migration = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PhaseWait copying = { NULL, LODGE_MIGRATION_PHASE_DISKS, 2 << 20 };
  gint64 t0;

  write_pattern_disk (disk);
  machine = start_guest (name, disk);
  migration = lodge_migration_new (machine, destination);
  copying.migration = migration;
  lodge_migration_set_storage (migration, LODGE_MIGRATION_STORAGE_COPY_ALL);
  lodge_migration_set_bandwidth (migration, SLOW_MIB_PER_S);

  lodge_migration_start_async (migration, NULL, lodge_test_store_result_cb, &result);
  g_assert_true (lodge_test_wait_until (phase_reached, &copying, HOP_MS));
  g_test_message ("cancelling at %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " KiB of disk",
                  lodge_migration_get_disk_processed (migration) >> 10,
                  lodge_migration_get_disk_total (migration) >> 10);
  /* libvirt made the volume on the destination for the copy. */
  g_assert_true (g_file_test (disk2, G_FILE_TEST_EXISTS));
  g_assert_true (defined_on (admin2_conn, name));

  t0 = g_get_monotonic_time ();
  lodge_migration_cancel (migration);
  lodge_test_wait_result (&result, HOP_MS);
  g_assert_false (lodge_migration_start_finish (migration, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("cancelled in %.2f s: %s", (g_get_monotonic_time () - t0) / 1e6, error->message);
  g_assert_nonnull (strstr (error->message, name));
  g_assert_cmpint (lodge_migration_get_phase (migration), ==, LODGE_MIGRATION_PHASE_CANCELLED);

  /* Still running on the source, still counting, still its definition. */
  g_assert_true (running_on (admin_conn, name));
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_RUNNING);
  g_assert_true (lodge_connection_lookup_machine (source, name) == machine);
  assert_counter_advances (log);
  /* Nothing left there: no domain, no volume. */
  g_assert_false (defined_on (admin2_conn, name));
  g_assert_null (lodge_connection_lookup_machine (destination, name));
  g_assert_true (lodge_test_wait_until (volume_file_gone, disk2, WAIT_MS));
  g_assert_true (g_file_test (disk, G_FILE_TEST_IS_REGULAR));

  /* Cancelling what is over does nothing. */
  lodge_migration_cancel (migration);
  remove_test_domains_on (admin_conn, FALSE);
  g_unlink (disk);
  remove_logs (name);
}

/* A machine of the same name on the destination: refused by the check and
 * by start, with the reason. */
static void
test_name_taken (void)
{
  g_autofree char *name = lodge_test_domain_name ("taken");
  g_autofree char *xml = guest_xml (name, NULL);
  g_autoptr(LodgeMachine) machine = NULL;
  g_autoptr(LodgeMigration) migration = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  virDomainPtr other;

  /* Another machine (its own UUID) of the same name on the second host. */
  other = virDomainDefineXML (admin2_conn, xml);
  g_assert_nonnull (other);
  virDomainFree (other);

  machine = start_guest (name, NULL);
  migration = lodge_migration_new (machine, destination);
  g_assert_false (run_check (migration, &error));
  g_test_message ("check: %s", error->message);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  expected = g_strdup_printf ("already has a machine called “%s”", name);
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);

  g_assert_false (run_migration (migration, HOP_MS, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_true (running_on (admin_conn, name));
  /* The other machine is untouched. */
  g_assert_true (defined_on (admin2_conn, name));
  remove_test_domains_on (admin2_conn, FALSE);
  remove_test_domains_on (admin_conn, FALSE);
  remove_logs (name);
}

/* A machine that is off: its definition moves; with keep-source it is
 * copied. */
static void
test_shut_off (void)
{
  g_autofree char *name = lodge_test_domain_name ("off");
  g_autofree char *xml = guest_xml (name, NULL);
  g_autoptr(LodgeMigration) copy = NULL;
  g_autoptr(LodgeMigration) move = NULL;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain = virDomainDefineXML (admin_conn, xml);
  LodgeMachine *machine;
  LodgeMachine *remote;

  g_assert_nonnull (domain);
  virDomainFree (domain);
  machine = lodge_test_wait_machine (source, name, TRUE, WAIT_MS);
  g_assert_nonnull (machine);

  copy = lodge_migration_new (machine, destination);
  lodge_migration_set_keep_source (copy, TRUE);
  g_assert_true (run_migration (copy, HOP_MS, &error));
  g_assert_no_error (error);
  g_assert_true (defined_on (admin_conn, name));
  remote = lodge_test_wait_machine (destination, name, TRUE, WAIT_MS);
  g_assert_nonnull (remote);
  g_assert_cmpint (lodge_machine_get_state (remote), ==, LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_cmpstr (lodge_machine_get_uuid (remote), ==, lodge_machine_get_uuid (machine));

  /* Back, moved this time: the first host has it already, so it is
   * refused until that copy goes. */
  move = lodge_migration_new (remote, source);
  g_assert_false (run_check (move, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  remove_test_domains_on (admin_conn, FALSE);
  g_assert_null (lodge_test_wait_machine (source, name, FALSE, WAIT_MS));
  g_assert_true (run_migration (move, HOP_MS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lodge_migration_get_phase (move), ==, LODGE_MIGRATION_PHASE_DONE);
  g_assert_true (defined_on (admin_conn, name));
  g_assert_false (defined_on (admin2_conn, name));
  g_assert_null (lodge_test_wait_machine (destination, name, FALSE, WAIT_MS));
  remove_test_domains_on (admin_conn, FALSE);
}

/* The checks compare a KVM machine's processor with what the destination
 * can give it (these guests run under TCG here, whose processor is QEMU's
 * own, so the machines are only defined): a model the destination's KVM
 * cannot provide is refused, naming it; one it can passes. */
/* @text with its first @from replaced by @to. */
static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

static char *
kvm_guest_xml (const char *name,
               const char *model)
{
  g_autofree char *xml = guest_xml (name, NULL);
  g_autofree char *kvm = replace_once (xml, "<domain type='qemu'>", "<domain type='kvm'>");
  g_autofree char *cpu = g_strdup_printf ("<vcpu>1</vcpu>\n  <cpu mode='custom' match='exact'>"
                                          "<model fallback='forbid'>%s</model></cpu>", model);

  return replace_once (kvm, "<vcpu>1</vcpu>", cpu);
}

static void
test_cpu_incompatible (void)
{
  const struct { const char *model; gboolean usable; } cases[] = {
    { "Opteron_G5", FALSE },
    { "pentium3", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = lodge_test_domain_name (cases[i].usable ? "cpu-ok" : "cpu-no");
      g_autofree char *xml = kvm_guest_xml (name, cases[i].model);
      g_autoptr(LodgeMigration) move = NULL;
      g_autoptr(GError) error = NULL;
      virDomainPtr domain = virDomainDefineXML (admin_conn, xml);
      LodgeMachine *machine;

      if (domain == NULL)
        g_error ("Could not define a KVM machine with a %s processor: %s", cases[i].model,
                 virGetLastErrorMessage ());
      virDomainFree (domain);
      machine = lodge_test_wait_machine (source, name, TRUE, WAIT_MS);
      g_assert_nonnull (machine);

      move = lodge_migration_new (machine, destination);
      if (cases[i].usable)
        {
          g_assert_true (run_check (move, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (run_check (move, &error));
          g_test_message ("check: %s", error->message);
          g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INCOMPATIBLE);
          g_assert_nonnull (strstr (error->message, cases[i].model));
          g_assert_nonnull (strstr (error->message, "cannot be given to it"));
        }
      g_assert_false (defined_on (admin2_conn, name));
      remove_test_domains_on (admin_conn, FALSE);
    }
}

/* A machine that is off with a disk only the first host has: refused
 * without copying storage; with it, the file is streamed there, data
 * intact, and the machine boots there from it. */
static void
test_shut_off_with_disk (void)
{
  g_autofree char *name = lodge_test_domain_name ("offdisk");
  g_autofree char *disk = image_path (name);
  g_autofree char *disk2 = host2_image_path (name);
  g_autofree char *log2 = host2_log (name);
  g_autofree char *xml = NULL;
  g_autoptr(LodgeMigration) refused = NULL;
  g_autoptr(LodgeMigration) move = NULL;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain;
  LodgeMachine *machine;

  write_pattern_disk (disk);
  xml = guest_xml (name, disk);
  remove_logs (name);
  domain = virDomainDefineXML (admin_conn, xml);
  g_assert_nonnull (domain);
  virDomainFree (domain);
  machine = lodge_test_wait_machine (source, name, TRUE, WAIT_MS);
  g_assert_nonnull (machine);

  refused = lodge_migration_new (machine, destination);
  g_assert_false (run_check (refused, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, disk));
  g_clear_error (&error);

  move = lodge_migration_new (machine, destination);
  lodge_migration_set_storage (move, LODGE_MIGRATION_STORAGE_COPY_ALL);
  g_assert_true (run_migration (move, HOP_MS, &error));
  g_assert_no_error (error);
  g_test_message ("streamed %" G_GUINT64_FORMAT " KiB of disk file in %" G_GUINT64_FORMAT " ms",
                  lodge_migration_get_disk_processed (move) >> 10, lodge_migration_get_elapsed (move));
  g_assert_cmpuint (lodge_migration_get_disk_total (move), >, 0);
  g_assert_cmpuint (lodge_migration_get_disk_remaining (move), ==, 0);
  g_assert_false (defined_on (admin_conn, name));
  g_assert_null (lodge_test_wait_machine (source, name, FALSE, WAIT_MS));
  g_assert_true (defined_on (admin2_conn, name));
  assert_pattern_disk (disk2);
  /* The source's file stays: it was copied, not moved. */
  g_assert_true (g_file_test (disk, G_FILE_TEST_IS_REGULAR));

  domain = virDomainLookupByName (admin2_conn, name);
  g_assert_nonnull (domain);
  if (virDomainCreate (domain) < 0)
    g_error ("%s does not start on the second host: %s", name, virGetLastErrorMessage ());
  virDomainFree (domain);
  if (!lodge_test_wait_until (counter_seen, log2, BOOT_MS))
    g_error ("%s did not boot on the second host", name);

  remove_test_domains_on (admin2_conn, FALSE);
  g_unlink (disk2);
  g_unlink (disk);
  remove_logs (name);
}

static gboolean
post_copy_or_end (gpointer data)
{
  PhaseWait *wait = data;

  return phase_reached (wait) || phase_is_final (wait->migration);
}

/* Whether QEMU, which libvirt runs as its own user, may use userfaultfd,
 * which post-copy needs (build-aux/lodge-dev test allows it while the tests
 * run). */
static gboolean
userfaultfd_allowed (void)
{
  g_autofree char *value = NULL;

  return g_file_get_contents ("/proc/sys/vm/unprivileged_userfaultfd", &value, NULL, NULL) &&
         g_ascii_strtoll (value, NULL, 10) == 1;
}

/* Post-copy allowed, then switched to while copying: the guest goes on on
 * the destination at once. Where QEMU cannot do post-copy (it needs
 * userfaultfd for QEMU's user: vm.unprivileged_userfaultfd), the migration
 * fails at once, saying so and how to allow it, and the guest runs on. */
static void
test_post_copy (void)
{
  g_autofree char *name = lodge_test_domain_name ("postcopy");
  g_autofree char *log = host_log (name);
  g_autofree char *log2 = host2_log (name);
  g_autoptr(LodgeMachine) machine = start_guest (name, NULL);
  g_autoptr(LodgeMigration) migration = lodge_migration_new (machine, destination);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) switched = NULL;
  g_autoptr(GError) error = NULL;
  PhaseWait copying = { migration, LODGE_MIGRATION_PHASE_MEMORY, 2 << 20 };
  PhaseWait post_copy = { migration, LODGE_MIGRATION_PHASE_POST_COPY, 0 };

  /* Not allowed: refused. */
  lodge_migration_start_post_copy_async (migration, NULL, lodge_test_store_result_cb, &switched);
  lodge_test_wait_result (&switched, WAIT_MS);
  g_assert_false (lodge_migration_start_post_copy_finish (migration, switched, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_clear_object (&switched);

  lodge_migration_set_post_copy (migration, TRUE);
  lodge_migration_set_bandwidth (migration, SLOW_MIB_PER_S);
  lodge_migration_start_async (migration, NULL, lodge_test_store_result_cb, &result);
  g_assert_true (lodge_test_wait_until (post_copy_or_end, &copying, HOP_MS));
  if (phase_is_final (migration))
    {
      lodge_test_wait_result (&result, HOP_MS);
      g_assert_false (lodge_migration_start_finish (migration, result, &error));
      if (userfaultfd_allowed ())
        g_error ("post-copy failed though the kernel allows userfaultfd: %s", error->message);
      g_test_message ("no post-copy here: %s", error->message);
      g_assert_nonnull (strstr (error->message, "vm.unprivileged_userfaultfd=1"));
      g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT);
      g_assert_nonnull (strstr (error->message, "ostcopy is not supported"));
      g_assert_nonnull (strstr (error->message, "still runs"));
      g_assert_true (running_on (admin_conn, name));
      assert_counter_advances (log);
      g_assert_false (defined_on (admin2_conn, name));
    }
  else
    {
      lodge_migration_start_post_copy_async (migration, NULL, lodge_test_store_result_cb, &switched);
      lodge_test_wait_result (&switched, WAIT_MS);
      g_assert_true (lodge_migration_start_post_copy_finish (migration, switched, &error));
      g_assert_no_error (error);
      g_assert_true (lodge_test_wait_until (post_copy_or_end, &post_copy, HOP_MS));
      lodge_test_wait_result (&result, HOP_MS);
      g_assert_true (lodge_migration_start_finish (migration, result, &error));
      g_assert_no_error (error);
      assert_comes_running_on (admin2_conn, name);
      assert_counter_continues (log, log2);
    }
  remove_test_domains_on (admin_conn, FALSE);
  remove_test_domains_on (admin2_conn, FALSE);
  remove_logs (name);
}

/* The destination's daemon dies in the middle: a clear error, and the
 * guest runs on the source. */
static void
test_destination_killed (void)
{
  g_autofree char *name = lodge_test_domain_name ("killed");
  g_autofree char *log = host_log (name);
  g_autoptr(LodgeMachine) machine = start_guest (name, NULL);
  g_autoptr(LodgeMigration) migration = lodge_migration_new (machine, destination);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PhaseWait copying = { migration, LODGE_MIGRATION_PHASE_MEMORY, 2 << 20 };
  const char *kill_argv[] = { "sh", "-c", "kill -9 $(cat /run/libvirtd.pid)", NULL };
  gint64 t0;

  lodge_migration_set_bandwidth (migration, SLOW_MIB_PER_S);
  lodge_migration_start_async (migration, NULL, lodge_test_store_result_cb, &result);
  g_assert_true (lodge_test_wait_until (phase_reached, &copying, HOP_MS));

  t0 = g_get_monotonic_time ();
  if (!lodge_test_host2_exec (host2, kill_argv, NULL, &error))
    g_error ("Could not kill the second host's libvirtd: %s", error->message);
  lodge_test_wait_result (&result, HOP_MS);
  g_assert_false (lodge_migration_start_finish (migration, result, &error));
  g_test_message ("%.2f s after the kill: %s", (g_get_monotonic_time () - t0) / 1e6, error->message);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED);
  g_assert_nonnull (strstr (error->message, name));
  g_assert_nonnull (strstr (error->message, "still runs"));
  g_assert_true (phase_is_final (migration));
  g_assert_cmpint (lodge_migration_get_phase (migration), ==, LODGE_MIGRATION_PHASE_FAILED);

  g_assert_true (running_on (admin_conn, name));
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  assert_counter_advances (log);
  remove_test_domains_on (admin_conn, FALSE);
  remove_logs (name);
}

/* ---------------------------------------------------------------- main -- */

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

int
main (int   argc,
      char *argv[])
{
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *script = g_getenv ("LODGE_SECOND_HOST");
  const char *name2 = g_getenv ("LODGE_HOST2_NAME");
  const char *addr2 = g_getenv ("LODGE_HOST2_ADDR");
  const char *port2 = g_getenv ("LODGE_HOST2_SSH_PORT");
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  lodge_test_quiet_debug ();

  if (geteuid () != 0)
    lodge_test_skip_all ("migration tests need root (qemu:///system and a second libvirtd)");
  {
    g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");
    g_autofree char *qemu_io = g_find_program_in_path ("qemu-io");

    if (qemu == NULL || qemu_io == NULL)
      lodge_test_skip_all ("qemu-system-x86_64 or qemu-io is not installed");
  }
  start_libvirtd = g_strdup (g_getenv ("LODGE_START_LIBVIRTD"));
  guest_dir = g_strdup (g_getenv ("LODGE_GUEST_DIR"));
  if (start_libvirtd == NULL || guest_dir == NULL || make_guest == NULL || script == NULL)
    lodge_test_skip_all ("run through meson: LODGE_START_LIBVIRTD, LODGE_GUEST_DIR, "
                         "LODGE_MAKE_GUEST, LODGE_SECOND_HOST are not set");
  lodge_test_host2_check_preconditions (script);

  lodge_connection_init_events ();

  {
    const char *start_argv[] = { start_libvirtd, "start", NULL };
    int status = 0;

    if (!g_spawn_sync (NULL, (char **) start_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL) ||
        !g_spawn_check_wait_status (status, NULL))
      lodge_test_skip_all ("no libvirtd answers on " URI " and none could be started");
  }
  admin_conn = virConnectOpen (URI);
  if (admin_conn == NULL)
    lodge_test_skip_all ("cannot connect to " URI);
  lodge_test_prepare_guest (make_guest, guest_dir);
  remove_test_domains_on (admin_conn, TRUE);

  host2 = lodge_test_host2_new (script, name2 ? name2 : "lodge-host2", addr2 ? addr2 : "127.0.0.2",
                                port2 ? (guint) g_ascii_strtoull (port2, NULL, 10) : 2222, NULL);
  if (!lodge_test_host2_start (host2, &error))
    g_error ("Could not start the second host: %s", error->message);
  admin2_conn = virConnectOpen (host2->uri);
  if (admin2_conn == NULL)
    g_error ("Could not connect to %s: %s", host2->uri, virGetLastErrorMessage ());
  remove_test_domains_on (admin2_conn, TRUE);

  signal (SIGABRT, on_abort);
  signal (SIGSEGV, on_abort);
  signal (SIGTERM, on_abort);
  signal (SIGINT, on_abort);

  source = open_connection (URI);
  destination = open_connection (host2->uri);

  g_test_add_func ("/migration/live-there-and-back", test_live_there_and_back);
  g_test_add_func ("/migration/copy-storage", test_copy_storage);
  g_test_add_func ("/migration/progress", test_progress);
  g_test_add_func ("/migration/cancel", test_cancel);
  g_test_add_func ("/migration/name-taken", test_name_taken);
  g_test_add_func ("/migration/shut-off", test_shut_off);
  g_test_add_func ("/migration/shut-off-with-disk", test_shut_off_with_disk);
  g_test_add_func ("/migration/cpu-incompatible", test_cpu_incompatible);
  g_test_add_func ("/migration/post-copy", test_post_copy);
  /* Last: it kills the second host's daemon. */
  g_test_add_func ("/migration/destination-killed", test_destination_killed);

  ret = g_test_run ();

  lodge_connection_close (source);
  lodge_connection_close (destination);
  g_clear_object (&source);
  g_clear_object (&destination);
  cleanup_all ();
  g_clear_pointer (&admin2_conn, virConnectClose);
  g_clear_pointer (&admin_conn, virConnectClose);
  if (!lodge_test_host2_stop (host2, &error))
    g_printerr ("Could not stop the second host: %s\n", error->message);
  g_clear_pointer (&host2, lodge_test_host2_free);

  return ret;
}
