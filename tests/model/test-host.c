/* test-host.c: LodgeHost, LodgeHostList and the host's capabilities
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /host-capabilities/ (suite unit): the one parser of domain capabilities,
 * on documents saved from libvirt 9.0 with QEMU 7.2 (q35, KVM and TCG).
 * /host/ (suite libvirt): hosts on libvirt's test driver, and one that
 * cannot be reached; the host's services (pending cleanup, throwaway
 * watcher).
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lodge-model-test.h"
#include "model/lodge-model.h"
#include "model/lodge-model-private.h"
#include "model/lodge-worker-private.h"

#define TIMEOUT_MS 20000

static char *
read_data (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_domcaps_parse (void)
{
  g_autofree char *kvm_xml = read_data ("domcaps-q35-kvm.xml");
  g_autofree char *qemu_xml = read_data ("domcaps-q35-qemu.xml");
  g_autoptr(LodgeDomainCapabilities) kvm = lodge_domain_capabilities_parse (kvm_xml, NULL);
  g_autoptr(LodgeDomainCapabilities) qemu = lodge_domain_capabilities_parse (qemu_xml, NULL);

  g_assert_nonnull (kvm);
  g_assert_cmpstr (kvm->domain_type, ==, "kvm");
  g_assert_cmpstr (kvm->emulator, ==, "/usr/bin/qemu-system-x86_64");
  g_assert_cmpstr (kvm->arch, ==, "x86_64");
  g_assert_cmpstr (kvm->machine, ==, "pc-q35-7.2");
  g_assert_true (kvm->uefi);
  g_assert_true (kvm->secure_boot);
  g_assert_true (kvm->tpm);

  g_assert_nonnull (qemu);
  g_assert_cmpstr (qemu->domain_type, ==, "qemu");
  g_assert_true (qemu->uefi);
}

static void
test_domcaps_invalid (void)
{
  const char *bad[] = { "", "<capabilities/>", "<domainCapabilities>", "not xml" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeDomainCapabilities) caps = lodge_domain_capabilities_parse (bad[i], &error);

      g_assert_null (caps);
      g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
    }
}

/* The "kvm" answer counts only when the hypervisor says kvm: a driver that
 * answers any virt type with "qemu" offers no KVM. */
static void
test_host_capabilities_kvm_only_when_kvm (void)
{
  g_autofree char *qemu_xml = read_data ("domcaps-q35-qemu.xml");
  g_autoptr(LodgeHostCapabilities) caps =
    lodge_host_capabilities_new_for_test ("lab", "x86_64", 8ull << 30, 4, qemu_xml, qemu_xml);

  g_assert_null (lodge_host_capabilities_get_kvm (caps));
  g_assert_nonnull (lodge_host_capabilities_get_qemu (caps));
  g_assert_true (lodge_host_capabilities_has_domain_capabilities (caps));
  g_assert_cmpuint (lodge_host_capabilities_get_memory (caps), ==, 8ull << 30);
  g_assert_cmpuint (lodge_host_capabilities_get_cpus (caps), ==, 4);
  g_assert_cmpstr (lodge_host_capabilities_get_hostname (caps), ==, "lab");
}

/* Hosts on the test driver ------------------------------------------------ */

static gboolean
host_in_state (gpointer data)
{
  gpointer *pair = data;

  return (int) lodge_host_get_state (pair[0]) == GPOINTER_TO_INT (pair[1]);
}

static void
wait_host_state (LodgeHost            *host,
                 LodgeConnectionState  state)
{
  gpointer pair[2] = { host, GINT_TO_POINTER (state) };

  if (!lodge_test_wait_until (host_in_state, pair, TIMEOUT_MS))
    g_error ("%s never reached state %d (it is %d)", lodge_host_get_uri_string (host), state,
             lodge_host_get_state (host));
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_host_connect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeHost) host = lodge_host_new ("test:///default", &error);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LodgeHostCapabilities) caps = NULL;
  guint state_notes = 0, label_notes = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (lodge_host_get_uri_string (host), ==, "test:///default");
  g_assert_true (lodge_uri_is_test (lodge_host_get_uri (host)));
  g_assert_true (lodge_connection_get_host (lodge_host_get_connection (host)) == host);
  g_assert_nonnull (lodge_host_get_stats_history (host));
  g_assert_cmpint (lodge_host_get_state (host), ==, LODGE_CONNECTION_STATE_DISCONNECTED);
  g_assert_false (lodge_host_get_disconnected_by_user (host));
  g_assert_null (lodge_host_get_capabilities (host));

  g_signal_connect (host, "notify::state", G_CALLBACK (count_notify_cb), &state_notes);
  g_signal_connect (host, "notify::label", G_CALLBACK (count_notify_cb), &label_notes);

  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_true (lodge_host_connect_finish (host, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lodge_host_get_state (host), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (state_notes, >=, 2);   /* connecting, connected */

  /* test:///default: one running machine. */
  g_assert_cmpuint (lodge_host_get_n_machines (host), ==, 1);
  g_assert_cmpuint (lodge_host_get_n_running (host), ==, 1);
  {
    g_autoptr(LodgeMachine) machine = g_list_model_get_item (G_LIST_MODEL (lodge_host_get_machines (host)), 0);

    g_assert_true (lodge_machine_get_host (machine) == host);
  }

  /* Capabilities: read once on connect, shared by every caller. */
  g_clear_object (&result);
  lodge_host_get_capabilities_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  caps = lodge_host_get_capabilities_finish (host, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (caps);
  g_assert_true (caps == lodge_host_get_capabilities (host));
  g_assert_cmpuint (lodge_host_capabilities_get_memory (caps), >, 0);
  g_assert_cmpuint (lodge_host_capabilities_get_cpus (caps), >, 0);
  g_assert_cmpstr (lodge_host_capabilities_get_arch (caps), ==, "i686");
  /* The test driver has no domain capabilities: nobody asks it. */
  g_assert_false (lodge_host_capabilities_has_domain_capabilities (caps));
  g_assert_null (lodge_host_capabilities_get_kvm (caps));

  /* Label and autoconnect notify on change only. */
  lodge_host_set_label (host, "Lab");
  lodge_host_set_label (host, "Lab");
  g_assert_cmpuint (label_notes, ==, 1);
  g_assert_cmpstr (lodge_host_get_label (host), ==, "Lab");
  lodge_host_set_label (host, "");
  g_assert_null (lodge_host_get_label (host));
  g_assert_cmpuint (label_notes, ==, 2);

  /* Disconnected by the user: the list empties, and it stays so. */
  lodge_host_disconnect (host);
  g_assert_cmpint (lodge_host_get_state (host), ==, LODGE_CONNECTION_STATE_DISCONNECTED);
  g_assert_true (lodge_host_get_disconnected_by_user (host));
  g_assert_cmpuint (lodge_host_get_n_machines (host), ==, 0);
  g_assert_cmpint (lodge_connection_get_retry_time (lodge_host_get_connection (host)), ==, 0);

  /* And connects again when asked. */
  g_clear_object (&result);
  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  g_assert_false (lodge_host_get_disconnected_by_user (host));
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_true (lodge_host_connect_finish (host, result, NULL));
  g_assert_cmpuint (lodge_host_get_n_machines (host), ==, 1);
}

static void
test_host_invalid_uri (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeHost) host = lodge_host_new ("not a uri", &error);

  g_assert_null (host);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
}

static gboolean
retry_planned (gpointer data)
{
  return lodge_connection_get_retry_time (data) > 0;
}

/* A host nobody answers for (nothing listens on 127.0.0.9:1): it fails with
 * the reason and keeps trying by itself with back-off. */
static void
test_host_unreachable_retries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeHost) host =
    lodge_host_new ("qemu+tcp://127.0.0.9:1/system", &error);
  g_autoptr(GAsyncResult) result = NULL;
  LodgeConnection *connection;
  gint64 retry;

  g_assert_no_error (error);
  connection = lodge_host_get_connection (host);

  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_false (lodge_host_connect_finish (host, result, &error));
  g_assert_nonnull (error);
  g_test_message ("unreachable: %s", error->message);
  g_assert_cmpint (lodge_host_get_state (host), ==, LODGE_CONNECTION_STATE_FAILED);
  g_assert_nonnull (lodge_host_get_error (host));

  /* A retry is planned, within the back-off's first delay. */
  retry = lodge_connection_get_retry_time (connection);
  g_assert_cmpint (retry, >, 0);
  g_assert_cmpint (retry, <=, g_get_monotonic_time () + 2 * G_USEC_PER_SEC);

  /* It comes, fails again, and the next is planned later (back-off). */
  {
    guint first_delay;

    g_object_get (connection, "reconnect-delay", &first_delay, NULL);
    while (lodge_connection_get_retry_time (connection) == retry)
      g_main_context_iteration (NULL, TRUE);
    wait_host_state (host, LODGE_CONNECTION_STATE_FAILED);
    {
      guint delay;

      if (!lodge_test_wait_until (retry_planned, connection, TIMEOUT_MS))
        g_error ("no second retry was planned");
      g_object_get (connection, "reconnect-delay", &delay, NULL);
      g_assert_cmpuint (delay, >, first_delay);
    }
  }

  /* A user who disconnects stops the retries. */
  lodge_host_disconnect (host);
  g_assert_cmpint (lodge_connection_get_retry_time (connection), ==, 0);
  g_assert_cmpint (lodge_host_get_state (host), ==, LODGE_CONNECTION_STATE_DISCONNECTED);
}

static void
test_host_list (void)
{
  g_autoptr(LodgeHostList) list = lodge_host_list_new ();
  g_autoptr(LodgeHost) a = lodge_host_new ("test:///default", NULL);
  g_autoptr(LodgeHost) b = lodge_host_new ("qemu:///session", NULL);
  g_autoptr(LodgeHost) a_again = lodge_host_new ("test:///default", NULL);
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == LODGE_TYPE_HOST);
  g_assert_true (lodge_host_list_add (list, a));
  g_assert_true (lodge_host_list_add (list, b));
  /* One host per URI. */
  g_assert_false (lodge_host_list_add (list, a_again));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_true (lodge_host_list_lookup (list, "qemu:///session") == b);
  g_assert_null (lodge_host_list_lookup (list, "qemu:///system"));
  g_assert_cmpint (lodge_host_list_find (list, b), ==, 1);

  /* Removing a host disconnects it. */
  lodge_host_connect_async (a, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_true (lodge_host_list_remove (list, a));
  g_assert_false (lodge_host_list_remove (list, a));
  g_assert_cmpint (lodge_host_get_state (a), ==, LODGE_CONNECTION_STATE_DISCONNECTED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_cmpint (lodge_host_list_find (list, a), ==, -1);
}

static void
pending_finished_cb (LodgePendingCleanup *pending,
                     guint                n_pending,
                     int                 *last)
{
  *last = (int) n_pending;
}

static gboolean
int_is_set (gpointer data)
{
  return *(int *) data >= 0;
}

static guint
n_recorded (const char *uri)
{
  g_auto(GStrv) domains = NULL;
  g_auto(GStrv) volumes = NULL;

  lodge_pending_cleanup_list (uri, &domains, &volumes);
  return g_strv_length (domains) + g_strv_length (volumes);
}

/* The record of what failed creations left runs when the host connects,
 * and again after every reconnection. */
static void
test_host_pending_cleanup (void)
{
  /* A URI of its own: any host of a URI runs its record, and the other
   * tests' hosts of test:///default may still be running theirs. */
  g_autofree char *dir = g_dir_make_tmp ("lodge-test-host-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "pending.xml", NULL);
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  const char *gone[] = { "5c0d6a1e-0000-4000-8000-0000000000aa", NULL };
  g_autoptr(LodgeHost) host = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LodgePendingCleanup *pending;
  int last = -1;

  g_assert_true (g_file_set_contents (path,
                                      "<node><domain type='test'><name>kept</name>"
                                      "<memory>65536</memory><os><type>hvm</type></os>"
                                      "</domain></node>", -1, NULL));
  host = lodge_host_new (uri, &error);
  g_assert_no_error (error);

  /* Made once, kept. */
  pending = lodge_host_get_pending_cleanup (host);
  g_assert_true (LODGE_IS_PENDING_CLEANUP (pending));
  g_assert_true (pending == lodge_host_get_pending_cleanup (host));
  g_signal_connect (pending, "finished", G_CALLBACK (pending_finished_cb), &last);

  g_assert_true (lodge_pending_cleanup_record (uri, gone, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_recorded (uri), ==, 1);

  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_true (lodge_host_connect_finish (host, result, &error));
  g_assert_true (lodge_test_wait_until (int_is_set, &last, TIMEOUT_MS));
  g_assert_cmpint (last, ==, 0);
  g_assert_cmpuint (n_recorded (uri), ==, 0);

  /* Lost and back: it runs again. */
  last = -1;
  g_assert_true (lodge_pending_cleanup_record (uri, gone, NULL, &error));
  lodge_connection_simulate_lost (lodge_host_get_connection (host));
  lodge_connection_reconnect_now (lodge_host_get_connection (host));
  wait_host_state (host, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_true (lodge_test_wait_until (int_is_set, &last, TIMEOUT_MS));
  g_assert_cmpint (last, ==, 0);
  g_assert_cmpuint (n_recorded (uri), ==, 0);

  lodge_host_disconnect (host);
  g_unlink (path);
  g_rmdir (dir);
}

static void
overlay_removed_cb (LodgeThrowawayWatcher *watcher,
                    const char            *uuid,
                    const char            *path,
                    const GError          *error,
                    char                 **removed)
{
  g_assert_no_error ((GError *) error);
  g_free (*removed);
  *removed = g_strdup (uuid);
}

static gboolean
string_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* The throwaway watcher, made on first use, sweeps Lodge's pool: an
 * overlay whose machine is gone goes. */
static void
test_host_throwaway_watcher (void)
{
  g_autoptr(LodgeHost) host = lodge_host_new ("test:///default", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeWorkerConnection) conn = NULL;
  g_autoptr(LodgeWorkerPool) pool = NULL;
  g_autoptr(LodgeWorkerVolume) overlay = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name = g_strdup_printf (LODGE_THROWAWAY_PREFIX "%s.qcow2", uuid);
  g_autofree char *xml = g_strdup_printf ("<volume><name>%s</name><capacity>1048576</capacity>"
                                          "<target><format type='qcow2'/></target></volume>", name);
  g_autofree char *removed = NULL;
  LodgeThrowawayWatcher *watcher;

  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_true (lodge_host_connect_finish (host, result, &error));

  /* An overlay left by a machine that is gone (the driver lives in this
   * process: made here, from the main thread). */
  conn = lodge_worker_connection_new (lodge_host_get_connection (host), &error);
  g_assert_no_error (error);
  pool = lodge_worker_pool_ensure (conn, LODGE_POOL_NAME, "/lodge-test-host", &error);
  g_assert_no_error (error);
  overlay = lodge_worker_pool_create_volume (pool, xml, &error);
  g_assert_no_error (error);
  g_assert_true (lodge_worker_pool_has_volume (pool, name));

  watcher = lodge_host_get_throwaway_watcher (host);
  g_assert_true (LODGE_IS_THROWAWAY_WATCHER (watcher));
  g_assert_true (watcher == lodge_host_get_throwaway_watcher (host));
  g_signal_connect (watcher, "overlay-removed", G_CALLBACK (overlay_removed_cb), &removed);

  g_assert_true (lodge_test_wait_until (string_set, &removed, TIMEOUT_MS));
  g_assert_cmpstr (removed, ==, uuid);
  g_assert_false (lodge_worker_pool_has_volume (pool, name));

  lodge_host_disconnect (host);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lodge_connection_init_events ();

  g_test_add_func ("/host-capabilities/parse", test_domcaps_parse);
  g_test_add_func ("/host-capabilities/invalid", test_domcaps_invalid);
  g_test_add_func ("/host-capabilities/kvm-only-when-kvm", test_host_capabilities_kvm_only_when_kvm);
  g_test_add_func ("/host/connect", test_host_connect);
  g_test_add_func ("/host/invalid-uri", test_host_invalid_uri);
  g_test_add_func ("/host/unreachable-retries", test_host_unreachable_retries);
  g_test_add_func ("/host/list", test_host_list);
  g_test_add_func ("/host/pending-cleanup", test_host_pending_cleanup);
  g_test_add_func ("/host/throwaway-watcher", test_host_throwaway_watcher);

  return g_test_run ();
}
