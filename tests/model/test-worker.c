/* test-worker.c: the worker-side domain and storage operations
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against libvirt's test driver (suite libvirt): what the machine creator,
 * the pending cleanup and the throwaway watcher do on a host, and the
 * errors they get (a missing domain, pool or volume is NOT_FOUND).
 */
#include "config.h"

#include "lodge-model-test.h"
#include "model/lodge-model-private.h"
#include "model/lodge-worker-private.h"

#define TIMEOUT_MS 20000
#define POOL "lodge-test-worker"

static LodgeConnection *connection;

static void
run_in_thread_cb (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GTestFunc func = task_data;

  func ();
  g_task_return_boolean (task, TRUE);
}

/* The operations are for worker threads: the checks run on one. */
static void
run_on_worker (GTestFunc func)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_task_data (task, func, NULL);
  g_task_run_in_thread_sync (task, run_in_thread_cb);
  g_assert_true (g_task_propagate_boolean (task, NULL));
}

static LodgeWorkerConnection *
worker_connection (void)
{
  g_autoptr(GError) error = NULL;
  LodgeWorkerConnection *conn = lodge_worker_connection_new (connection, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conn);
  return conn;
}

static void
test_not_connected (void)
{
  g_autoptr(LodgeConnection) closed = lodge_connection_new ("test:///default");
  g_autoptr(GError) error = NULL;

  g_assert_null (lodge_worker_connection_new (closed, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED);
}

static void
storage_checks (void)
{
  g_autoptr(LodgeWorkerConnection) conn = worker_connection ();
  g_autoptr(LodgeWorkerPool) pool = NULL;
  g_autoptr(LodgeWorkerPool) again = NULL;
  g_autoptr(LodgeWorkerVolume) volume = NULL;
  g_autoptr(LodgeWorkerVolume) by_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint64 available = 0;
  guint64 capacity = 0;
  const guint8 data[] = "Lodge";

  g_assert_true (lodge_worker_connection_is_alive (conn));

  g_assert_null (lodge_worker_pool_lookup (conn, "lodge-no-such-pool", &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Made on first use, found afterwards. */
  pool = lodge_worker_pool_ensure (conn, POOL, "/lodge-test-worker", &error);
  g_assert_no_error (error);
  g_assert_nonnull (pool);
  again = lodge_worker_pool_ensure (conn, POOL, "/lodge-test-worker", &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_clear_pointer (&again, lodge_worker_pool_free);
  again = lodge_worker_pool_lookup (conn, POOL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);

  g_assert_true (lodge_worker_pool_get_available (pool, &available, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (available, >, 0);

  g_assert_false (lodge_worker_pool_has_volume (pool, "disk.qcow2"));
  g_assert_null (lodge_worker_pool_lookup_volume (pool, "disk.qcow2", &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  volume = lodge_worker_pool_create_volume (pool,
                                            "<volume><name>disk.qcow2</name>"
                                            "<capacity unit='bytes'>1048576</capacity>"
                                            "<target><format type='qcow2'/></target></volume>",
                                            &error);
  g_assert_no_error (error);
  g_assert_nonnull (volume);
  g_assert_cmpstr (lodge_worker_volume_get_name (volume), ==, "disk.qcow2");
  g_assert_true (lodge_worker_pool_has_volume (pool, "disk.qcow2"));

  /* A second volume of the same name is refused, with libvirt's words. */
  g_assert_null (lodge_worker_pool_create_volume (pool,
                                                  "<volume><name>disk.qcow2</name>"
                                                  "<capacity>1</capacity></volume>", &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT);
  g_clear_error (&error);

  path = lodge_worker_volume_get_path (volume, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, "/lodge-test-worker/disk.qcow2");
  by_path = lodge_worker_volume_lookup_by_path (conn, path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lodge_worker_volume_get_name (by_path), ==, "disk.qcow2");
  g_assert_true (lodge_worker_volume_get_capacity (by_path, &capacity, &error));
  g_assert_cmpuint (capacity, ==, 1048576);

  /* The test driver streams nothing: said so, not a generic failure. */
  g_assert_false (lodge_worker_volume_upload (volume, data, sizeof data, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_assert_true (lodge_worker_volume_delete (volume, &error));
  g_assert_no_error (error);
  g_assert_false (lodge_worker_pool_has_volume (pool, "disk.qcow2"));
  g_assert_null (lodge_worker_volume_lookup_by_path (conn, path, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Deleted twice: libvirt knows it is gone. */
  g_assert_false (lodge_worker_volume_delete (by_path, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == LODGE_MODEL_ERROR);
}

static void
test_storage (void)
{
  run_on_worker (storage_checks);
}

#define DOMAIN_XML(name) \
  "<domain type='test'><name>" name "</name><memory>65536</memory>" \
  "<os><type>hvm</type></os></domain>"

static void
domain_checks (void)
{
  g_autoptr(LodgeWorkerConnection) conn = worker_connection ();
  g_autoptr(LodgeWorkerDomain) domain = NULL;
  g_autoptr(LodgeWorkerDomain) transient = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *transient_uuid = NULL;
  gboolean exists = FALSE;

  /* test:///default has a machine named "test". */
  g_assert_true (lodge_worker_domain_name_exists (conn, "test", &exists, &error));
  g_assert_no_error (error);
  g_assert_true (exists);
  g_assert_true (lodge_worker_domain_name_exists (conn, "lodge-test-worker", &exists, &error));
  g_assert_false (exists);
  g_assert_null (lodge_worker_domain_lookup_by_uuid (conn, "00000000-0000-0000-0000-000000000000", &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (lodge_worker_domain_define (conn, "<domain>", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  domain = lodge_worker_domain_define (conn, DOMAIN_XML ("lodge-test-worker"), &error);
  g_assert_no_error (error);
  g_assert_nonnull (domain);
  uuid = lodge_worker_domain_get_uuid (domain);
  g_assert_nonnull (uuid);
  g_assert_true (lodge_worker_domain_name_exists (conn, "lodge-test-worker", &exists, &error));
  g_assert_true (exists);

  g_assert_true (lodge_worker_domain_start (domain, &error));
  g_assert_no_error (error);
  /* Started twice: refused (the test driver says so as an internal
   * error, QEMU's as an invalid operation). */
  g_assert_false (lodge_worker_domain_start (domain, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == LODGE_MODEL_ERROR);
  g_clear_error (&error);

  /* Running and persistent: stopped and undefined. */
  g_assert_true (lodge_worker_domain_remove (domain, &error));
  g_assert_no_error (error);
  g_assert_null (lodge_worker_domain_lookup_by_uuid (conn, uuid, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  transient = lodge_worker_domain_create_transient (conn, DOMAIN_XML ("lodge-test-worker-2"), &error);
  g_assert_no_error (error);
  g_assert_nonnull (transient);
  transient_uuid = lodge_worker_domain_get_uuid (transient);
  g_assert_true (lodge_worker_domain_remove (transient, &error));
  g_assert_no_error (error);
  g_assert_null (lodge_worker_domain_lookup_by_uuid (conn, transient_uuid, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
}

static void
test_domains (void)
{
  run_on_worker (domain_checks);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  lodge_connection_init_events ();
  connection = lodge_connection_new ("test:///default");
  lodge_connection_open_async (connection, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  if (!lodge_connection_open_finish (connection, result, &error))
    g_error ("Could not open test:///default: %s", error->message);

  g_test_add_func ("/worker/not-connected", test_not_connected);
  g_test_add_func ("/worker/storage", test_storage);
  g_test_add_func ("/worker/domains", test_domains);

  return g_test_run ();
}
