/* test-remote-host.c: a host over SSH that is down, hangs, or goes away
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A LodgeHost on a second libvirt host of tests/common/lodge-second-host.sh
 * (an instance of this test's own, lodge-host2-link on 127.0.0.6:2226),
 * reached over qemu+ssh://:
 *  - down when Lodge starts: it fails with the reason, tries again by
 *    itself, and connects once the host is up;
 *  - hanging (the libvirt end of its SSH session stopped): only the
 *    keepalive notices; the main loop never stalls meanwhile, the host is
 *    "lost" and comes back by itself when the session answers again;
 *  - gone (the host stopped while connected): lost at once, back when it
 *    is up again, its machines reconciled.
 */
#define G_LOG_DOMAIN "test-remote-host"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lodge-test.h"
#include "lodge-test-host2.h"
#include "lodge-model-test.h"

/* Bounds hangs only: the keepalive needs ~15 s, back-off up to 30 s. */
#define WAIT_MS 120000

static LodgeTestHost2 *host2;

static void
on_abort (int sig)
{
  signal (sig, SIG_DFL);
  if (host2 != NULL)
    {
      const char * const cont[] = { "pkill", "-CONT", "-f", "virt-ssh-helper", NULL };

      lodge_test_host2_exec (host2, cont, NULL, NULL);
      lodge_test_host2_stop (host2, NULL);
    }
  raise (sig);
}

typedef struct
{
  LodgeHost            *host;
  LodgeConnectionState  state;
} StateWait;

static gboolean
host_in_state (gpointer data)
{
  StateWait *wait = data;

  return lodge_host_get_state (wait->host) == wait->state;
}

static gboolean
wait_state (LodgeHost            *host,
            LodgeConnectionState  state)
{
  StateWait wait = { host, state };

  return lodge_test_wait_until (host_in_state, &wait, WAIT_MS);
}

/* The main loop's heartbeat: the longest gap between two 100 ms ticks. */
typedef struct
{
  gint64 last;
  gint64 longest;
} Heartbeat;

static gboolean
heartbeat_cb (gpointer user_data)
{
  Heartbeat *beat = user_data;
  gint64 now = g_get_monotonic_time ();

  if (beat->last != 0)
    beat->longest = MAX (beat->longest, now - beat->last);
  beat->last = now;
  return G_SOURCE_CONTINUE;
}

static void
start_host2 (void)
{
  g_autoptr(GError) error = NULL;

  if (!lodge_test_host2_start (host2, &error))
    g_error ("Could not start the second host: %s", error->message);
}

static void
define_machine (const char *name)
{
  g_autofree char *xml = g_strdup_printf ("<domain type='qemu'><name>%s</name>"
                                          "<memory unit='MiB'>64</memory><os><type>hvm</type></os>"
                                          "</domain>", name);
  g_autofree char *path = g_strdup ("/var/tmp/lodge-remote-host.xml");
  const char * const argv[] = { "virsh", "-q", "-c", "qemu:///system", "define", path, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  /* /var/tmp is shared with the second host. */
  if (!lodge_test_host2_exec (host2, argv, NULL, &error))
    g_error ("Could not define a machine on the second host: %s", error->message);
  g_unlink (path);
}

static void
test_down_hang_gone (void)
{
  g_autoptr(LodgeHost) host = lodge_host_new (host2->uri, NULL);
  LodgeConnection *connection = lodge_host_get_connection (host);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Heartbeat beat = { 0 };
  guint heartbeat;
  const char * const stop_helper[] = { "pkill", "-STOP", "-f", "virt-ssh-helper", NULL };
  const char * const cont_helper[] = { "pkill", "-CONT", "-f", "virt-ssh-helper", NULL };

  g_assert_nonnull (host);
  lodge_connection_set_stats_interval (connection, 1);

  /* Down: a clear failure, and it keeps trying by itself. */
  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  g_assert_false (lodge_host_connect_finish (host, result, &error));
  g_test_message ("host down: %s", error->message);
  g_assert_cmpint (lodge_host_get_state (host), ==, LODGE_CONNECTION_STATE_FAILED);
  g_assert_cmpint (lodge_connection_get_retry_time (connection), >, 0);

  start_host2 ();
  define_machine ("lodge-test-remote-host");
  g_assert_true (wait_state (host, LODGE_CONNECTION_STATE_CONNECTED));
  g_assert_nonnull (lodge_connection_lookup_machine (connection, "lodge-test-remote-host"));

  /* Hanging: the far end of the session stops answering. The keepalive
   * notices; the main loop runs on meanwhile. */
  heartbeat = g_timeout_add (100, heartbeat_cb, &beat);
  g_assert_true (lodge_test_host2_exec (host2, stop_helper, NULL, NULL));
  if (!wait_state (host, LODGE_CONNECTION_STATE_RECONNECTING))
    {
      lodge_test_host2_exec (host2, cont_helper, NULL, NULL);
      g_error ("the keepalive did not notice the hung session");
    }
  g_test_message ("hang noticed; longest main-loop gap %" G_GINT64_FORMAT " ms",
                  beat.longest / 1000);
  /* Generous for a loaded machine: frozen would be the keepalive's 15 s. */
  g_assert_cmpint (beat.longest, <, 2 * G_USEC_PER_SEC);
  /* The machines stay listed (stale) while it is lost. */
  g_assert_nonnull (lodge_connection_lookup_machine (connection, "lodge-test-remote-host"));
  g_assert_true (lodge_test_host2_exec (host2, cont_helper, NULL, NULL));
  /* A new session comes up by itself. */
  g_assert_true (wait_state (host, LODGE_CONNECTION_STATE_CONNECTED));
  g_source_remove (heartbeat);

  /* Gone: the host stops while connected; lost at once, back when up. */
  g_assert_true (lodge_test_host2_stop (host2, NULL));
  g_assert_true (wait_state (host, LODGE_CONNECTION_STATE_RECONNECTING));
  g_assert_cmpint (lodge_connection_get_retry_time (connection), >, 0);
  start_host2 ();
  g_assert_true (wait_state (host, LODGE_CONNECTION_STATE_CONNECTED));
  /* The second host's state is new at each start: the machine defined
   * before is gone, and the list says so. */
  g_assert_null (lodge_connection_lookup_machine (connection, "lodge-test-remote-host"));

  lodge_host_disconnect (host);
}

int
main (int   argc,
      char *argv[])
{
  const char *script = g_getenv ("LODGE_SECOND_HOST");
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  lodge_test_quiet_debug ();

  if (geteuid () != 0)
    lodge_test_skip_all ("a second libvirt host needs root");
  lodge_test_host2_check_preconditions (script);
  lodge_connection_init_events ();

  host2 = lodge_test_host2_new (script, "lodge-host2-link", "127.0.0.6", 2226, NULL);
  /* Down when the test starts. */
  lodge_test_host2_stop (host2, NULL);
  signal (SIGABRT, on_abort);
  signal (SIGSEGV, on_abort);
  signal (SIGTERM, on_abort);

  g_test_add_func ("/remote-host/down-hang-gone", test_down_hang_gone);
  ret = g_test_run ();

  if (!lodge_test_host2_stop (host2, &error))
    g_printerr ("Could not stop the second host: %s\n", error->message);
  g_clear_pointer (&host2, lodge_test_host2_free);
  return ret;
}
