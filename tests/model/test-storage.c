/* test-storage.c: a host's storage pools and volumes (LodgeStorage)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /storage/ (suite libvirt): the model against libvirt's test driver.
 * test:///default is shared by every connection of the process: the tests
 * change it through a connection of their own, as another program would,
 * and see the changes arrive through libvirt's events. Each test removes
 * what it defined.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lodge-model-test.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-model.h"
#include "model/lodge-model-private.h"
#include "model/lodge-storage-private.h"

#define TIMEOUT_MS 20000
#define GIB (G_GUINT64_CONSTANT (1) << 30)

static gboolean
storage_loaded (gpointer data)
{
  return lodge_storage_get_loaded (data);
}

static gboolean
host_connected (gpointer data)
{
  return lodge_host_get_state (data) == LODGE_CONNECTION_STATE_CONNECTED;
}

static LodgeHost *
connect_host (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  LodgeHost *host = lodge_host_new (uri, &error);

  g_assert_no_error (error);
  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_true (lodge_host_connect_finish (host, result, &error));
  g_assert_no_error (error);
  return host;
}

static void
wait_loaded (LodgeStorage *storage)
{
  if (!lodge_test_wait_until (storage_loaded, storage, TIMEOUT_MS))
    g_error ("The storage pools were never listed");
  g_assert_null (lodge_storage_get_error (storage));
}

typedef struct
{
  LodgeStorage *storage;
  const char   *name;
  gboolean      present;
} PoolWait;

static gboolean
pool_presence_reached (gpointer data)
{
  PoolWait *wait = data;

  return (lodge_storage_lookup_pool (wait->storage, wait->name) != NULL) == wait->present;
}

static LodgeStoragePool *
wait_pool (LodgeStorage *storage,
           const char   *name,
           gboolean      present)
{
  PoolWait wait = { storage, name, present };

  if (!lodge_test_wait_until (pool_presence_reached, &wait, TIMEOUT_MS))
    g_error ("Pool %s never became %s", name, present ? "listed" : "unlisted");
  return lodge_storage_lookup_pool (storage, name);
}

typedef struct
{
  LodgeStoragePool *pool;
  gboolean          active;
} ActiveWait;

static gboolean
pool_active_reached (gpointer data)
{
  ActiveWait *wait = data;

  return lodge_storage_pool_get_active (wait->pool) == wait->active;
}

static void
wait_active (LodgeStoragePool *pool,
             gboolean          active)
{
  ActiveWait wait = { pool, active };

  if (!lodge_test_wait_until (pool_active_reached, &wait, TIMEOUT_MS))
    g_error ("Pool %s never became %s", lodge_storage_pool_get_name (pool),
             active ? "active" : "inactive");
}

typedef struct
{
  LodgeStoragePool *pool;
  guint             n;
} VolumesWait;

static gboolean
pool_n_volumes_reached (gpointer data)
{
  VolumesWait *wait = data;

  return lodge_storage_pool_get_n_volumes (wait->pool) == wait->n;
}

static void
wait_n_volumes (LodgeStoragePool *pool,
                guint             n)
{
  VolumesWait wait = { pool, n };

  if (!lodge_test_wait_until (pool_n_volumes_reached, &wait, TIMEOUT_MS))
    g_error ("Pool %s has %u volumes, not %u", lodge_storage_pool_get_name (pool),
             lodge_storage_pool_get_n_volumes (pool), n);
}

static void
count_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        guint      *count)
{
  (*count)++;
}

static char *
dir_pool_xml (const char *name,
              const char *path)
{
  return g_strdup_printf ("<pool type='dir'><name>%s</name>"
                          "<target><path>%s</path></target></pool>", name, path);
}

/* The figures are libvirt's own, read through another connection. */
static void
assert_pool_matches_libvirt (LodgeStoragePool *pool,
                             virConnectPtr     conn)
{
  virStoragePoolPtr vpool = virStoragePoolLookupByName (conn, lodge_storage_pool_get_name (pool));
  virStoragePoolInfo info;
  char uuid[VIR_UUID_STRING_BUFLEN];

  g_assert_nonnull (vpool);
  g_assert_cmpint (virStoragePoolGetInfo (vpool, &info), ==, 0);
  g_assert_cmpint (virStoragePoolGetUUIDString (vpool, uuid), ==, 0);
  g_assert_cmpstr (lodge_storage_pool_get_uuid (pool), ==, uuid);
  g_assert_cmpuint (lodge_storage_pool_get_capacity (pool), ==, info.capacity);
  g_assert_cmpuint (lodge_storage_pool_get_allocation (pool), ==, info.allocation);
  g_assert_cmpuint (lodge_storage_pool_get_available (pool), ==, info.available);
  g_assert_cmpint (lodge_storage_pool_get_state (pool), ==, lodge_storage_pool_state_from_virt (info.state));
  virStoragePoolFree (vpool);
}

/* Pure helpers ------------------------------------------------------------ */

static void
test_storage_parse (void)
{
  g_autoptr(LodgeStorageVolumeData) data = g_new0 (LodgeStorageVolumeData, 1);
  g_autofree char *type = NULL;

  g_assert_true (lodge_storage_parse_pool_xml ("<pool type='iscsi-direct'><name>a</name></pool>", &type));
  g_assert_cmpstr (type, ==, "iscsi-direct");
  g_assert_false (lodge_storage_parse_pool_xml ("<volume/>", &type));
  g_assert_false (lodge_storage_parse_pool_xml ("not xml", &type));

  g_assert_true (lodge_storage_parse_volume_xml (
    "<volume type='file'><name>a.qcow2</name>"
    "<target><path>/p/a.qcow2</path><format type='qcow2'/></target>"
    "<backingStore><path>/p/base.img</path><format type='raw'/></backingStore></volume>", data));
  g_assert_cmpstr (data->vol_type, ==, "file");
  g_assert_cmpstr (data->path, ==, "/p/a.qcow2");
  g_assert_cmpstr (data->format, ==, "qcow2");
  g_assert_cmpstr (data->backing_path, ==, "/p/base.img");

  g_assert_true (lodge_storage_parse_volume_xml ("<volume type='block'><target><path>/dev/sda</path></target></volume>", data));
  g_assert_cmpstr (data->vol_type, ==, "block");
  g_assert_null (data->format);
  g_assert_null (data->backing_path);
  g_assert_false (lodge_storage_parse_volume_xml ("<pool/>", data));

  g_assert_cmpint (lodge_storage_pool_state_from_virt (VIR_STORAGE_POOL_INACCESSIBLE), ==,
                   LODGE_STORAGE_POOL_STATE_INACCESSIBLE);
  g_assert_cmpint (lodge_storage_pool_state_from_virt (VIR_STORAGE_POOL_RUNNING), ==,
                   LODGE_STORAGE_POOL_STATE_RUNNING);
}

static void
test_storage_action_helpers (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pool = lodge_storage_dir_pool_xml ("a&b", "/var/tmp/x");
  g_autofree char *thin = lodge_storage_volume_xml ("d.qcow2", "qcow2", 1024, LODGE_STORAGE_ALLOCATION_NONE, NULL, NULL);
  g_autofree char *full = lodge_storage_volume_xml ("d.raw", "raw", 1024, LODGE_STORAGE_ALLOCATION_FULL, NULL, NULL);
  g_autofree char *linked = lodge_storage_volume_xml ("l.qcow2", "qcow2", 2048, LODGE_STORAGE_ALLOCATION_METADATA,
                                                     "/p/base.qcow2", "qcow2");
  g_autoptr(LodgeStorageVolumeData) data = g_new0 (LodgeStorageVolumeData, 1);

  g_assert_true (lodge_storage_check_name ("disk.qcow2", TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_storage_check_name ("..disk", TRUE, &error));
  for (guint i = 0; i < 5; i++)
    {
      const char *bad[] = { "", ".", "..", "a/b", "../x" };

      g_assert_false (lodge_storage_check_name (bad[i], i % 2 == 0, &error));
      g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_false (lodge_storage_check_name (NULL, FALSE, &error));
  g_clear_error (&error);

  g_assert_cmpstr (pool, ==, "<pool type='dir'><name>a&amp;b</name><target><path>/var/tmp/x</path></target></pool>");
  g_assert_nonnull (strstr (thin, "<capacity unit='bytes'>1024</capacity><allocation unit='bytes'>0</allocation>"));
  g_assert_nonnull (strstr (full, "<capacity unit='bytes'>1024</capacity><allocation unit='bytes'>1024</allocation>"));
  g_assert_null (strstr (thin, "backingStore"));
  g_assert_true (lodge_storage_parse_volume_xml (linked, data));
  g_assert_cmpstr (data->format, ==, "qcow2");
  g_assert_cmpstr (data->backing_path, ==, "/p/base.qcow2");
}

/* The test driver --------------------------------------------------------- */

static void
test_storage_list (void)
{
  g_autoptr(LodgeHost) host = connect_host ("test:///default");
  LodgeStorage *storage = lodge_host_get_storage (host);
  virConnectPtr conn = virConnectOpen ("test:///default");
  g_autoptr(LodgeStoragePool) pool = NULL;

  g_assert_true (storage == lodge_host_get_storage (host));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (storage)) == LODGE_TYPE_STORAGE_POOL);
  wait_loaded (storage);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, 1);
  pool = g_list_model_get_item (G_LIST_MODEL (storage), 0);
  g_assert_true (pool == lodge_storage_lookup_pool (storage, "default-pool"));
  g_assert_true (pool == lodge_storage_lookup_pool (storage, lodge_storage_pool_get_uuid (pool)));
  g_assert_cmpstr (lodge_storage_pool_get_name (pool), ==, "default-pool");
  g_assert_cmpstr (lodge_storage_pool_get_pool_type (pool), ==, "dir");
  g_assert_cmpint (lodge_storage_pool_get_state (pool), ==, LODGE_STORAGE_POOL_STATE_RUNNING);
  g_assert_true (lodge_storage_pool_get_active (pool));
  g_assert_true (lodge_storage_pool_get_persistent (pool));
  g_assert_cmpuint (lodge_storage_pool_get_capacity (pool), >, 0);
  assert_pool_matches_libvirt (pool, conn);
  g_assert_cmpuint (lodge_storage_pool_get_n_volumes (pool), ==, 0);
  g_assert_cmpfloat (lodge_storage_pool_get_overcommit (pool), ==, 0.0);

  /* Disconnected: emptied, and listed again when connected. */
  lodge_host_disconnect (host);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, 0);
  g_assert_false (lodge_storage_get_loaded (storage));
  g_assert_null (lodge_storage_lookup_pool (storage, "default-pool"));

  {
    g_autoptr(GAsyncResult) result = NULL;

    lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
    lodge_test_wait_result (&result, TIMEOUT_MS);
    g_assert_true (lodge_host_connect_finish (host, result, NULL));
    wait_loaded (storage);
    g_assert_nonnull (lodge_storage_lookup_pool (storage, "default-pool"));
  }

  g_clear_object (&host);
  virConnectClose (conn);
}

static void
test_storage_events (void)
{
  g_autoptr(LodgeHost) host = connect_host ("test:///default");
  LodgeStorage *storage = lodge_host_get_storage (host);
  virConnectPtr conn = virConnectOpen ("test:///default");
  g_autofree char *dir = g_dir_make_tmp ("lodge-storage-XXXXXX", NULL);
  g_autofree char *xml = dir_pool_xml ("events-pool", dir);
  g_autofree char *vol_xml = NULL;
  g_autofree char *linked_xml = NULL;
  g_autofree char *vol_path = NULL;
  LodgeStoragePool *pool;
  LodgeStorageVolume *volume;
  virStoragePoolPtr vpool;
  virStorageVolPtr vol;
  GListModel *volumes;
  guint volumes_changed = 0;

  g_assert_nonnull (conn);
  g_assert_nonnull (dir);
  wait_loaded (storage);

  /* Defined: listed, inactive, without volumes. */
  vpool = virStoragePoolDefineXML (conn, xml, 0);
  g_assert_nonnull (vpool);
  pool = g_object_ref (wait_pool (storage, "events-pool", TRUE));
  g_assert_cmpstr (lodge_storage_pool_get_pool_type (pool), ==, "dir");
  g_assert_false (lodge_storage_pool_get_active (pool));
  g_assert_true (lodge_storage_pool_get_persistent (pool));
  g_assert_cmpint (lodge_storage_pool_get_state (pool), ==, LODGE_STORAGE_POOL_STATE_INACTIVE);
  g_assert_false (lodge_storage_pool_get_autostart (pool));

  /* Started: the same object, running. */
  g_assert_cmpint (virStoragePoolCreate (vpool, 0), ==, 0);
  wait_active (pool, TRUE);
  g_assert_true (pool == lodge_storage_lookup_pool (storage, "events-pool"));
  g_assert_cmpint (lodge_storage_pool_get_state (pool), ==, LODGE_STORAGE_POOL_STATE_RUNNING);
  assert_pool_matches_libvirt (pool, conn);

  /* A thin volume larger than the pool, then a refresh: it appears and
   * the pool is overcommitted. */
  volumes = lodge_storage_pool_get_volumes (pool);
  g_assert_true (g_list_model_get_item_type (volumes) == LODGE_TYPE_STORAGE_VOLUME);
  g_signal_connect (volumes, "items-changed", G_CALLBACK (count_items_changed_cb), &volumes_changed);
  vol_xml = g_strdup_printf ("<volume><name>big.qcow2</name>"
                             "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                             "<allocation unit='bytes'>0</allocation>"
                             "<target><format type='qcow2'/></target></volume>",
                             lodge_storage_pool_get_capacity (pool) * 2);
  vol = virStorageVolCreateXML (vpool, vol_xml, 0);
  g_assert_nonnull (vol);
  vol_path = virStorageVolGetPath (vol);
  virStorageVolFree (vol);
  g_assert_cmpint (virStoragePoolRefresh (vpool, 0), ==, 0);
  wait_n_volumes (pool, 1);
  g_assert_cmpuint (volumes_changed, ==, 1);
  volume = lodge_storage_pool_lookup_volume (pool, "big.qcow2");
  g_assert_nonnull (volume);
  g_assert_cmpstr (lodge_storage_volume_get_name (volume), ==, "big.qcow2");
  g_assert_cmpstr (lodge_storage_volume_get_path (volume), ==, vol_path);
  g_assert_nonnull (lodge_storage_volume_get_key (volume));
  g_assert_cmpstr (lodge_storage_volume_get_format (volume), ==, "qcow2");
  g_assert_cmpstr (lodge_storage_volume_get_vol_type (volume), ==, "file");
  g_assert_null (lodge_storage_volume_get_backing_path (volume));
  g_assert_cmpuint (lodge_storage_volume_get_capacity (volume), ==, lodge_storage_pool_get_capacity (pool) * 2);
  g_assert_cmpuint (lodge_storage_pool_get_volumes_capacity (pool), ==, lodge_storage_volume_get_capacity (volume));
  g_assert_cmpfloat_with_epsilon (lodge_storage_pool_get_overcommit (pool), 2.0, 1e-9);

  /* A linked volume on it: the volume list grows in one change, the first
   * volume object is kept, and the sum grows. */
  linked_xml = g_strdup_printf ("<volume><name>linked.qcow2</name>"
                                "<capacity unit='GiB'>1</capacity>"
                                "<target><format type='qcow2'/></target>"
                                "<backingStore><path>%s</path><format type='qcow2'/></backingStore>"
                                "</volume>", vol_path);
  vol = virStorageVolCreateXML (vpool, linked_xml, 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  g_assert_cmpint (virStoragePoolRefresh (vpool, 0), ==, 0);
  wait_n_volumes (pool, 2);
  g_assert_cmpuint (volumes_changed, ==, 2);
  g_assert_true (volume == lodge_storage_pool_lookup_volume (pool, "big.qcow2"));
  g_assert_cmpstr (lodge_storage_volume_get_backing_path (lodge_storage_pool_lookup_volume (pool, "linked.qcow2")),
                   ==, vol_path);
  g_assert_cmpuint (lodge_storage_pool_get_volumes_capacity (pool), ==,
                    lodge_storage_pool_get_capacity (pool) * 2 + GIB);

  /* Gone and back under the same key (as an upload makes a file volume
   * anew): whoever held it holds the listed one again. */
  {
    g_autoptr(LodgeStorageVolume) held = g_object_ref (lodge_storage_pool_lookup_volume (pool, "linked.qcow2"));
    virStorageVolPtr linked = virStorageVolLookupByName (vpool, "linked.qcow2");

    g_assert_nonnull (linked);
    g_assert_cmpint (virStorageVolDelete (linked, 0), ==, 0);
    virStorageVolFree (linked);
    g_assert_cmpint (virStoragePoolRefresh (vpool, 0), ==, 0);
    wait_n_volumes (pool, 1);
    g_assert_null (lodge_storage_volume_get_pool (held));
    vol = virStorageVolCreateXML (vpool, linked_xml, 0);
    g_assert_nonnull (vol);
    virStorageVolFree (vol);
    g_assert_cmpint (virStoragePoolRefresh (vpool, 0), ==, 0);
    wait_n_volumes (pool, 2);
    g_assert_true (lodge_storage_pool_lookup_volume (pool, "linked.qcow2") == held);
    g_assert_true (lodge_storage_volume_get_pool (held) == pool);
  }

  /* Stopped: inactive, no volumes listed; the same object. */
  g_assert_cmpint (virStoragePoolDestroy (vpool), ==, 0);
  wait_active (pool, FALSE);
  g_assert_true (pool == lodge_storage_lookup_pool (storage, "events-pool"));
  wait_n_volumes (pool, 0);
  g_assert_cmpuint (lodge_storage_pool_get_volumes_capacity (pool), ==, 0);

  /* Autostart is a property, read with the next event. */
  g_assert_cmpint (virStoragePoolSetAutostart (vpool, 1), ==, 0);
  g_assert_cmpint (virStoragePoolCreate (vpool, 0), ==, 0);
  wait_active (pool, TRUE);
  g_assert_true (lodge_storage_pool_get_autostart (pool));
  g_assert_cmpint (virStoragePoolDestroy (vpool), ==, 0);
  wait_active (pool, FALSE);

  /* Undefined: gone from the list. */
  g_assert_cmpint (virStoragePoolUndefine (vpool), ==, 0);
  wait_pool (storage, "events-pool", FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, 1);
  virStoragePoolFree (vpool);

  /* A transient pool: created and destroyed, it comes and goes. */
  vpool = virStoragePoolCreateXML (conn, xml, 0);
  g_assert_nonnull (vpool);
  g_clear_object (&pool);
  pool = g_object_ref (wait_pool (storage, "events-pool", TRUE));
  wait_active (pool, TRUE);
  g_assert_false (lodge_storage_pool_get_persistent (pool));
  g_assert_cmpint (virStoragePoolDestroy (vpool), ==, 0);
  wait_pool (storage, "events-pool", FALSE);
  virStoragePoolFree (vpool);

  g_clear_object (&pool);
  g_clear_object (&host);
  virConnectClose (conn);
  g_rmdir (dir);
}

static void
test_storage_many_kinds (void)
{
  static const char *kinds[] = {
    "dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi", "mpath", "rbd",
    "gluster", "zfs", "vstorage",
  };
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "storage-pools.xml", NULL);
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  g_autoptr(LodgeHost) host = connect_host (uri);
  LodgeStorage *storage = lodge_host_get_storage (host);
  LodgeStoragePool *pool;
  LodgeStorageVolume *volume;

  wait_loaded (storage);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, G_N_ELEMENTS (kinds));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strconcat ("kind-", kinds[i], NULL);

      pool = lodge_storage_lookup_pool (storage, name);
      g_assert_nonnull (pool);
      g_assert_cmpstr (lodge_storage_pool_get_pool_type (pool), ==, kinds[i]);
      g_assert_cmpint (lodge_storage_pool_get_state (pool), ==, LODGE_STORAGE_POOL_STATE_RUNNING);
    }

  /* Listed by name. */
  for (guint i = 1; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(LodgeStoragePool) a = g_list_model_get_item (G_LIST_MODEL (storage), i - 1);
      g_autoptr(LodgeStoragePool) b = g_list_model_get_item (G_LIST_MODEL (storage), i);

      g_assert_cmpint (g_strcmp0 (lodge_storage_pool_get_name (a), lodge_storage_pool_get_name (b)), <, 0);
    }

  /* The thin volume of the file: 150 GiB promised on a 100 GiB pool. */
  pool = lodge_storage_lookup_pool (storage, "kind-dir");
  g_assert_cmpuint (lodge_storage_pool_get_n_volumes (pool), ==, 1);
  volume = lodge_storage_pool_lookup_volume (pool, "thin.qcow2");
  g_assert_nonnull (volume);
  g_assert_cmpuint (lodge_storage_volume_get_capacity (volume), ==, 150 * GIB);
  g_assert_cmpuint (lodge_storage_volume_get_allocation (volume), ==, 2 << 20);
  g_assert_cmpuint (lodge_storage_pool_get_volumes_capacity (pool), ==, 150 * GIB);
  g_assert_cmpfloat_with_epsilon (lodge_storage_pool_get_overcommit (pool),
                                  (double) (150 * GIB) / lodge_storage_pool_get_capacity (pool), 1e-9);
}

static gboolean
pool_action (LodgeStoragePool       *pool,
             LodgeStoragePoolAction  action,
             GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_storage_pool_run_action_async (pool, action, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  return lodge_storage_pool_run_action_finish (pool, result, error);
}

/* Pools of every kind libvirt reports (the test driver's, from
 * data/storage-pools.xml): stopped, started and deleted through the
 * model, whatever their type. */
static void
test_storage_actions_any_kind (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "storage-pools.xml", NULL);
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  g_autoptr(LodgeHost) host = connect_host (uri);
  LodgeStorage *storage = lodge_host_get_storage (host);
  guint n;

  wait_loaded (storage);
  n = g_list_model_get_n_items (G_LIST_MODEL (storage));
  g_assert_cmpuint (n, >, 10);
  while (g_list_model_get_n_items (G_LIST_MODEL (storage)) > 0)
    {
      g_autoptr(LodgeStoragePool) pool = g_list_model_get_item (G_LIST_MODEL (storage), 0);
      g_autofree char *name = g_strdup (lodge_storage_pool_get_name (pool));
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s (%s)", name, lodge_storage_pool_get_pool_type (pool));
      g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_STOP, &error));
      g_assert_no_error (error);
      g_assert_false (lodge_storage_pool_get_active (pool));
      g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_START, &error));
      g_assert_no_error (error);
      g_assert_true (lodge_storage_pool_get_active (pool));
      lodge_storage_pool_delete_async (pool, FALSE, NULL, lodge_test_store_result_cb, &result);
      lodge_test_wait_result (&result, TIMEOUT_MS);
      g_assert_true (lodge_storage_pool_delete_finish (pool, result, &error));
      g_assert_no_error (error);
      g_assert_null (lodge_storage_lookup_pool (storage, name));
      g_assert_null (lodge_storage_pool_get_storage (pool));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, --n);
    }

  /* An unlisted pool: a clear error, no call. */
  {
    g_autoptr(LodgeStoragePool) gone = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(LodgeStoragePoolData) data = g_new0 (LodgeStoragePoolData, 1);

    data->uuid = g_strdup ("00000000-0000-0000-0000-000000000000");
    data->name = g_strdup ("never-listed");
    gone = lodge_storage_pool_new (data);
    lodge_storage_pool_run_action_async (gone, LODGE_STORAGE_POOL_ACTION_START, NULL, lodge_test_store_result_cb, &result);
    lodge_test_wait_result (&result, TIMEOUT_MS);
    g_assert_false (lodge_storage_pool_run_action_finish (gone, result, &error));
    g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  }
}

static void
test_storage_reconnect (void)
{
  g_autoptr(LodgeHost) host = connect_host ("test:///default");
  LodgeConnection *connection = lodge_host_get_connection (host);
  LodgeStorage *storage = lodge_host_get_storage (host);
  virConnectPtr conn = virConnectOpen ("test:///default");
  g_autofree char *dir = g_dir_make_tmp ("lodge-storage-XXXXXX", NULL);
  g_autofree char *xml = dir_pool_xml ("reconnect-pool", dir);
  g_autoptr(LodgeStoragePool) before = NULL;
  virStoragePoolPtr vpool;
  guint changes = 0;

  wait_loaded (storage);
  before = g_object_ref (lodge_storage_lookup_pool (storage, "default-pool"));
  g_assert_nonnull (before);

  /* Lost: kept while it retries; back: listed again in place. */
  lodge_connection_simulate_lost (connection);
  g_assert_false (lodge_storage_get_loaded (storage));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, 1);
  g_signal_connect (storage, "items-changed", G_CALLBACK (count_items_changed_cb), &changes);
  lodge_connection_reconnect_now (connection);
  g_assert_true (lodge_test_wait_until (host_connected, host, TIMEOUT_MS));
  wait_loaded (storage);
  g_assert_true (before == lodge_storage_lookup_pool (storage, "default-pool"));
  g_assert_cmpuint (changes, ==, 0);

  /* Events arrive on the new connection, once each. */
  vpool = virStoragePoolDefineXML (conn, xml, 0);
  g_assert_nonnull (vpool);
  wait_pool (storage, "reconnect-pool", TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, 2);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpint (virStoragePoolUndefine (vpool), ==, 0);
  virStoragePoolFree (vpool);
  wait_pool (storage, "reconnect-pool", FALSE);
  g_assert_cmpuint (changes, ==, 2);

  /* Lost twice in a row, before the first listing ended: still one list. */
  lodge_connection_simulate_lost (connection);
  lodge_connection_reconnect_now (connection);
  g_assert_true (lodge_test_wait_until (host_connected, host, TIMEOUT_MS));
  lodge_connection_simulate_lost (connection);
  lodge_connection_reconnect_now (connection);
  g_assert_true (lodge_test_wait_until (host_connected, host, TIMEOUT_MS));
  wait_loaded (storage);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, 1);
  g_assert_true (before == lodge_storage_lookup_pool (storage, "default-pool"));

  /* Disconnected by the user: emptied. */
  lodge_host_disconnect (host);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (storage)), ==, 0);

  g_clear_object (&host);
  virConnectClose (conn);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lodge_test_quiet_debug ();
  lodge_model_init_libvirt ();
  lodge_connection_init_events ();

  g_test_add_func ("/storage/parse", test_storage_parse);
  g_test_add_func ("/storage/action-helpers", test_storage_action_helpers);
  g_test_add_func ("/storage/list", test_storage_list);
  g_test_add_func ("/storage/events", test_storage_events);
  g_test_add_func ("/storage/many-kinds", test_storage_many_kinds);
  g_test_add_func ("/storage/reconnect", test_storage_reconnect);
  g_test_add_func ("/storage/actions-any-kind", test_storage_actions_any_kind);

  return g_test_run ();
}
