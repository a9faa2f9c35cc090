/* test-storage-integration.c: storage actions on the real libvirtd
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /storage-integration/ (suite integration: root and the system libvirtd):
 * LodgeStorage's pool and volume actions on directory pools this test
 * makes in folders of its own (lodge-test-<pid>-…), checked on disk: the
 * files, their qcow2 headers (qemu-img info), their sizes and how much of
 * them is allocated (st_blocks). A machine that uses a volume is a real
 * TCG guest (no OS: it sits in its firmware). Everything it made goes at
 * the end, also after a failure where it can.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lodge-model-test.h"
#include "lodge-test.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-model.h"
#include "model/lodge-model-private.h"
#include "model/lodge-storage-private.h"

#define URI        "qemu:///system"
#define TIMEOUT_MS 60000
#define MIB        (G_GUINT64_CONSTANT (1) << 20)
#define GIB        (G_GUINT64_CONSTANT (1) << 30)

static virConnectPtr conn;
static LodgeHost *host;
static LodgeStorage *storage;
static char *prefix;     /* lodge-test-<pid> */
static char *root;       /* /var/tmp/lodge-test-<pid>-storage */

/* Helpers ------------------------------------------------------------------- */

static char *
test_name (const char *what)
{
  return g_strdup_printf ("%s-%s", prefix, what);
}

static char *
test_dir (const char *what)
{
  g_autofree char *dir = g_build_filename (root, what, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return g_steal_pointer (&dir);
}

static guint64
allocated (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return (guint64) st.st_blocks * 512;
}

static guint64
file_size (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return st.st_size;
}

/* A sparse file of @size with @data_mib MiB of 0x5a bytes at @data_offset. */
static void
write_sparse (const char *path,
              guint64     size,
              guint64     data_offset,
              guint       data_mib)
{
  g_autofree guint8 *block = g_malloc (MIB);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  g_assert_cmpint (fd, >=, 0);
  memset (block, 0x5a, MIB);
  g_assert_cmpint (ftruncate (fd, size), ==, 0);
  g_assert_cmpint (lseek (fd, data_offset, SEEK_SET), ==, data_offset);
  for (guint i = 0; i < data_mib; i++)
    g_assert_cmpint (write (fd, block, MIB), ==, MIB);
  g_assert_cmpint (close (fd), ==, 0);
}

static gboolean
same_content (const char *a,
              const char *b)
{
  g_autofree char *a_q = g_shell_quote (a);
  g_autofree char *b_q = g_shell_quote (b);
  g_autofree char *cmd = g_strdup_printf ("cmp -s %s %s", a_q, b_q);
  int status = 0;

  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  return g_spawn_check_wait_status (status, NULL);
}

/* qemu-img's view of an image, as JSON text. */
static char *
qemu_img_info (const char *path)
{
  const char *argv[] = { "qemu-img", "info", "-U", "--output=json", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static void
assert_qemu_img (const char *path,
                 const char *format,
                 guint64     virtual_size,
                 const char *backing)
{
  g_autofree char *info = qemu_img_info (path);
  g_autofree char *want_format = g_strdup_printf ("\"format\": \"%s\"", format);
  g_autofree char *want_size = g_strdup_printf ("\"virtual-size\": %" G_GUINT64_FORMAT ",", virtual_size);

  g_test_message ("%s", info);
  g_assert_nonnull (strstr (info, want_format));
  g_assert_nonnull (strstr (info, want_size));
  if (backing != NULL)
    {
      g_autofree char *want_backing = g_strdup_printf ("\"backing-filename\": \"%s\"", backing);
      g_assert_nonnull (strstr (info, want_backing));
    }
  else
    g_assert_null (strstr (info, "backing-filename"));
}

static gboolean
libvirt_has_pool (const char *name)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, name);

  if (pool == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  virStoragePoolFree (pool);
  return TRUE;
}

/* Removes a pool of this test by name, whatever its state. */
static void
remove_pool (const char *name)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, name);

  if (pool == NULL)
    {
      virResetLastError ();
      return;
    }
  if (virStoragePoolIsActive (pool) == 1)
    virStoragePoolDestroy (pool);
  if (virStoragePoolIsPersistent (pool) == 1)
    virStoragePoolUndefine (pool);
  virResetLastError ();
  virStoragePoolFree (pool);
}

/* Every pool and domain whose name starts with this run's prefix. */
static void
cleanup_all (void)
{
  virStoragePoolPtr *pools = NULL;
  virDomainPtr *domains = NULL;
  int n;

  n = virConnectListAllDomains (conn, &domains, 0);
  for (int i = 0; i < n; i++)
    {
      if (g_str_has_prefix (virDomainGetName (domains[i]), prefix))
        {
          virDomainDestroy (domains[i]);
          virDomainUndefine (domains[i]);
        }
      virDomainFree (domains[i]);
    }
  free (domains);
  n = virConnectListAllStoragePools (conn, &pools, 0);
  for (int i = 0; i < n; i++)
    {
      if (g_str_has_prefix (virStoragePoolGetName (pools[i]), prefix))
        remove_pool (virStoragePoolGetName (pools[i]));
      virStoragePoolFree (pools[i]);
    }
  free (pools);
  virResetLastError ();
  if (root != NULL)
    {
      g_autofree char *quoted = g_shell_quote (root);
      g_autofree char *cmd = g_strdup_printf ("rm -rf %s", quoted);

      g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
    }
}

static LodgeStoragePool *
create_pool (const char *name,
             const char *path,
             GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_storage_create_dir_pool_async (storage, name, path, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  return lodge_storage_create_dir_pool_finish (storage, result, error);
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

static gboolean
pool_delete (LodgeStoragePool *pool,
             gboolean          delete_data,
             GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_storage_pool_delete_async (pool, delete_data, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  return lodge_storage_pool_delete_finish (pool, result, error);
}

static LodgeStorageVolume *
create_volume (LodgeStoragePool       *pool,
               const char             *name,
               const char             *format,
               guint64                 capacity,
               LodgeStorageAllocation  allocation,
               LodgeStorageVolume     *backing,
               GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_storage_pool_create_volume_async (pool, name, format, capacity, allocation, backing, NULL,
                                          lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  return lodge_storage_pool_create_volume_finish (pool, result, error);
}

typedef enum { VOL_RESIZE, VOL_WIPE, VOL_DELETE } VolAction;

static gboolean
volume_action (LodgeStorageVolume *volume,
               VolAction           action,
               guint64             capacity,
               GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  switch (action)
    {
    case VOL_RESIZE:
      lodge_storage_volume_resize_async (volume, capacity, NULL, lodge_test_store_result_cb, &result);
      lodge_test_wait_result (&result, TIMEOUT_MS);
      return lodge_storage_volume_resize_finish (volume, result, error);
    case VOL_WIPE:
      lodge_storage_volume_wipe_async (volume, NULL, lodge_test_store_result_cb, &result);
      lodge_test_wait_result (&result, TIMEOUT_MS);
      return lodge_storage_volume_wipe_finish (volume, result, error);
    case VOL_DELETE:
    default:
      lodge_storage_volume_delete_async (volume, NULL, lodge_test_store_result_cb, &result);
      lodge_test_wait_result (&result, TIMEOUT_MS);
      return lodge_storage_volume_delete_finish (volume, result, error);
    }
}

typedef struct
{
  guint         calls;
  guint64       done;
  guint64       total;
  gboolean      monotonic;
  GCancellable *cancel_at_first;  /* cancelled at the first call with done > 0 */
} Progress;

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *progress = user_data;

  if (done < progress->done)
    progress->monotonic = FALSE;
  progress->calls++;
  progress->done = done;
  progress->total = total;
  if (progress->cancel_at_first != NULL && done > 0)
    g_cancellable_cancel (progress->cancel_at_first);
}

/* A running TCG machine with the file as its disk (no OS: it stays in its
 * firmware). Returns its name. */
typedef struct
{
  const char *xml;
  char       *error;
  gint        done;
} StartUser;

static gpointer
start_user_thread (gpointer data)
{
  StartUser *start = data;
  virDomainPtr domain = virDomainCreateXML (conn, start->xml, 0);

  if (domain == NULL)
    start->error = g_strdup (virGetLastErrorMessage ());
  else
    virDomainFree (domain);
  g_atomic_int_set (&start->done, TRUE);
  return NULL;
}

static char *
start_user (const char *disk_path,
            const char *format)
{
  g_autofree char *name = test_name ("user");
  g_autofree char *xml = g_markup_printf_escaped (
    "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
    "<devices><disk type='file' device='disk'><driver name='qemu' type='%s'/>"
    "<source file='%s'/><target dev='vda' bus='virtio'/></disk>"
    "<controller type='usb' model='none'/><memballoon model='none'/></devices></domain>",
    name, format, disk_path);
  g_autoptr(GThread) thread = NULL;
  StartUser start = { xml, NULL, FALSE };

  /* On a thread of its own: starting a guest can take tens of seconds on
   * a loaded machine, and the main loop must keep answering the daemon's
   * keepalive for Lodge's connection (it dropped it once, in CI). */
  thread = g_thread_new ("start-user", start_user_thread, &start);
  while (!g_atomic_int_get (&start.done))
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  g_thread_join (g_steal_pointer (&thread));
  if (start.error != NULL)
    g_error ("could not start %s: %s", name, start.error);
  g_free (start.error);
  return g_steal_pointer (&name);
}

static void
stop_user (const char *name)
{
  virDomainPtr domain = virDomainLookupByName (conn, name);

  g_assert_nonnull (domain);
  g_assert_cmpint (virDomainDestroy (domain), ==, 0);
  virDomainFree (domain);
}

/* Pools ----------------------------------------------------------------------- */

static void
test_pool_bad_input (void)
{
  g_autofree char *dir = test_dir ("bad");
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *name = test_name ("bad");
  g_autofree char *taken = test_name ("taken");
  g_autoptr(LodgeStoragePool) pool = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));

  pool = create_pool (name, missing, &error);
  g_assert_null (pool);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "does not exist"));
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  pool = create_pool (name, file, &error);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "is not a folder"));
  g_clear_error (&error);

  pool = create_pool (name, "relative/path", &error);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  pool = create_pool ("", dir, &error);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  pool = create_pool ("lodge-test-a/b", dir, &error);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/"));
  g_clear_error (&error);

  /* Nothing was made of any of them. */
  g_assert_false (libvirt_has_pool (name));

  /* A name taken (by a transient pool made behind Lodge's back). */
  {
    g_autofree char *xml = lodge_storage_dir_pool_xml (taken, dir);
    virStoragePoolPtr other = virStoragePoolCreateXML (conn, xml, 0);

    g_assert_nonnull (other);
    pool = create_pool (taken, dir, &error);
    g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "exists already"));
    g_clear_error (&error);
    /* Still the other one's, running and transient. */
    g_assert_cmpint (virStoragePoolIsActive (other), ==, 1);
    g_assert_cmpint (virStoragePoolIsPersistent (other), ==, 0);
    virStoragePoolDestroy (other);
    virStoragePoolFree (other);
  }
}

static void
test_pool_lifecycle (void)
{
  g_autofree char *dir = test_dir ("life");
  g_autofree char *name = test_name ("life");
  g_autofree char *dropped = g_build_filename (dir, "dropped.img", NULL);
  g_autoptr(LodgeStoragePool) pool = NULL;
  g_autoptr(GError) error = NULL;
  virStoragePoolPtr vpool;
  int autostart = -1;

  pool = create_pool (name, dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pool);
  g_assert_true (pool == lodge_storage_lookup_pool (storage, name));
  g_assert_cmpstr (lodge_storage_pool_get_pool_type (pool), ==, "dir");
  g_assert_true (lodge_storage_pool_get_active (pool));
  g_assert_true (lodge_storage_pool_get_persistent (pool));
  g_assert_true (lodge_storage_pool_get_autostart (pool));
  vpool = virStoragePoolLookupByName (conn, name);
  g_assert_nonnull (vpool);
  g_assert_cmpint (virStoragePoolIsActive (vpool), ==, 1);
  g_assert_cmpint (virStoragePoolGetAutostart (vpool, &autostart), ==, 0);
  g_assert_cmpint (autostart, ==, 1);

  /* Stop, start, autostart off and on: libvirt and the model agree. */
  g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_STOP, &error));
  g_assert_no_error (error);
  g_assert_false (lodge_storage_pool_get_active (pool));
  g_assert_cmpint (virStoragePoolIsActive (vpool), ==, 0);
  g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_AUTOSTART_OFF, &error));
  g_assert_false (lodge_storage_pool_get_autostart (pool));
  g_assert_cmpint (virStoragePoolGetAutostart (vpool, &autostart), ==, 0);
  g_assert_cmpint (autostart, ==, 0);
  g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_START, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_storage_pool_get_active (pool));
  g_assert_cmpint (virStoragePoolIsActive (vpool), ==, 1);
  g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_AUTOSTART_ON, &error));
  g_assert_true (lodge_storage_pool_get_autostart (pool));

  /* A file put there behind libvirt's back shows after a refresh. */
  write_sparse (dropped, 4 * MIB, 0, 1);
  g_assert_null (lodge_storage_pool_lookup_volume (pool, "dropped.img"));
  g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_REFRESH, &error));
  g_assert_no_error (error);
  g_assert_nonnull (lodge_storage_pool_lookup_volume (pool, "dropped.img"));

  /* Stopping a stopped pool: libvirt's reason, and nothing changes. */
  g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_STOP, &error));
  g_assert_false (pool_action (pool, LODGE_STORAGE_POOL_ACTION_STOP, &error));
  g_assert_nonnull (error);
  g_test_message ("stopping twice: %s", error->message);
  g_clear_error (&error);

  /* Deleted without its data: the definition goes, the folder and its
   * file stay. */
  g_assert_true (pool_delete (pool, FALSE, &error));
  g_assert_no_error (error);
  g_assert_null (lodge_storage_lookup_pool (storage, name));
  g_assert_null (lodge_storage_pool_get_storage (pool));
  g_assert_false (libvirt_has_pool (name));
  g_assert_true (g_file_test (dropped, G_FILE_TEST_IS_REGULAR));
  virStoragePoolFree (vpool);

  /* Made again on the same folder, then deleted with its data: its
   * volumes and its folder go. */
  g_clear_object (&pool);
  pool = create_pool (name, dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lodge_storage_pool_lookup_volume (pool, "dropped.img"));
  g_assert_true (pool_action (pool, LODGE_STORAGE_POOL_ACTION_STOP, &error));
  g_assert_true (pool_delete (pool, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (libvirt_has_pool (name));
  g_assert_null (lodge_storage_lookup_pool (storage, name));
  g_assert_false (g_file_test (dropped, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static gboolean
pool_listed (gpointer name)
{
  return lodge_storage_lookup_pool (storage, name) != NULL;
}

/* A transient pool made by another program: stop makes it go; any pool
 * libvirt lists can be stopped and deleted. */
static void
test_pool_transient (void)
{
  g_autofree char *dir = test_dir ("transient");
  g_autofree char *name = test_name ("transient");
  g_autofree char *xml = lodge_storage_dir_pool_xml (name, dir);
  virStoragePoolPtr vpool = virStoragePoolCreateXML (conn, xml, 0);
  LodgeStoragePool *pool;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (vpool);
  /* Listed through libvirt's event. */
  g_assert_true (lodge_test_wait_until (pool_listed, name, TIMEOUT_MS));
  pool = lodge_storage_lookup_pool (storage, name);
  g_assert_nonnull (pool);
  g_object_ref (pool);
  g_assert_false (lodge_storage_pool_get_persistent (pool));
  g_assert_true (pool_delete (pool, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (libvirt_has_pool (name));
  g_assert_null (lodge_storage_lookup_pool (storage, name));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  g_object_unref (pool);
  virStoragePoolFree (vpool);
}

/* Volumes --------------------------------------------------------------------- */

static LodgeStoragePool *volumes_pool;

static void
ensure_volumes_pool (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;

  if (volumes_pool != NULL)
    return;
  dir = test_dir ("volumes");
  name = test_name ("volumes");
  volumes_pool = create_pool (name, dir, &error);
  g_assert_no_error (error);
}

static void
test_volume_create (void)
{
  g_autoptr(LodgeStorageVolume) thin = NULL;
  g_autoptr(LodgeStorageVolume) meta = NULL;
  g_autoptr(LodgeStorageVolume) full = NULL;
  g_autoptr(LodgeStorageVolume) linked = NULL;
  g_autoptr(GError) error = NULL;
  LodgeStorageVolume *none;

  ensure_volumes_pool ();

  /* A 10 GiB qcow2, thin: a qcow2 header, under 1 MiB allocated. */
  thin = create_volume (volumes_pool, "thin.qcow2", "qcow2", 10 * GIB, LODGE_STORAGE_ALLOCATION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (thin == lodge_storage_pool_lookup_volume (volumes_pool, "thin.qcow2"));
  g_assert_cmpstr (lodge_storage_volume_get_format (thin), ==, "qcow2");
  g_assert_cmpuint (lodge_storage_volume_get_capacity (thin), ==, 10 * GIB);
  assert_qemu_img (lodge_storage_volume_get_path (thin), "qcow2", 10 * GIB, NULL);
  g_test_message ("thin qcow2: %" G_GUINT64_FORMAT " bytes allocated", allocated (lodge_storage_volume_get_path (thin)));
  g_assert_cmpuint (allocated (lodge_storage_volume_get_path (thin)), <, MIB);

  /* Metadata preallocated: more allocated than thin, far less than full. */
  meta = create_volume (volumes_pool, "meta.qcow2", "qcow2", 1 * GIB, LODGE_STORAGE_ALLOCATION_METADATA, NULL, &error);
  g_assert_no_error (error);
  assert_qemu_img (lodge_storage_volume_get_path (meta), "qcow2", 1 * GIB, NULL);
  g_test_message ("metadata qcow2 1 GiB: %" G_GUINT64_FORMAT " bytes allocated", allocated (lodge_storage_volume_get_path (meta)));
  g_assert_cmpuint (allocated (lodge_storage_volume_get_path (meta)), >, allocated (lodge_storage_volume_get_path (thin)));
  g_assert_cmpuint (allocated (lodge_storage_volume_get_path (meta)), <, 64 * MIB);

  /* A raw volume fully allocated. */
  full = create_volume (volumes_pool, "full.raw", "raw", 16 * MIB, LODGE_STORAGE_ALLOCATION_FULL, NULL, &error);
  g_assert_no_error (error);
  assert_qemu_img (lodge_storage_volume_get_path (full), "raw", 16 * MIB, NULL);
  g_assert_cmpuint (file_size (lodge_storage_volume_get_path (full)), ==, 16 * MIB);
  g_assert_cmpuint (allocated (lodge_storage_volume_get_path (full)), >=, 16 * MIB);

  /* A linked qcow2 on the thin one. */
  linked = create_volume (volumes_pool, "linked.qcow2", "qcow2", 10 * GIB, LODGE_STORAGE_ALLOCATION_NONE, thin, &error);
  g_assert_no_error (error);
  assert_qemu_img (lodge_storage_volume_get_path (linked), "qcow2", 10 * GIB, lodge_storage_volume_get_path (thin));
  g_assert_cmpstr (lodge_storage_volume_get_backing_path (linked), ==, lodge_storage_volume_get_path (thin));

  /* Bad input: each refused, nothing made. */
  {
    static const struct { const char *name; const char *format; guint64 size; LodgeStorageAllocation alloc; gboolean backing; const char *says; } bad[] = {
      { "thin.qcow2", "qcow2", GIB, LODGE_STORAGE_ALLOCATION_NONE, FALSE, "already" },
      { "../escape.qcow2", "qcow2", GIB, LODGE_STORAGE_ALLOCATION_NONE, FALSE, "/" },
      { "..", "qcow2", GIB, LODGE_STORAGE_ALLOCATION_NONE, FALSE, "name" },
      { "", "qcow2", GIB, LODGE_STORAGE_ALLOCATION_NONE, FALSE, "name" },
      { "zero.raw", "raw", 0, LODGE_STORAGE_ALLOCATION_NONE, FALSE, "size" },
      { "meta.raw", "raw", GIB, LODGE_STORAGE_ALLOCATION_METADATA, FALSE, "qcow2" },
      { "linked.raw", "raw", GIB, LODGE_STORAGE_ALLOCATION_NONE, TRUE, "qcow2" },
      { "odd.vmdk", "vmdk", GIB, LODGE_STORAGE_ALLOCATION_NONE, FALSE, "vmdk" },
    };
    guint n = lodge_storage_pool_get_n_volumes (volumes_pool);

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(LodgeStorageVolume) volume =
          create_volume (volumes_pool, bad[i].name, bad[i].format, bad[i].size, bad[i].alloc,
                         bad[i].backing ? thin : NULL, &error);

        g_assert_null (volume);
        g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
        g_test_message ("%s: %s", bad[i].name, error->message);
        g_assert_nonnull (strstr (error->message, bad[i].says));
        g_clear_error (&error);
      }
    /* Larger than the pool's disk, fully allocated: libvirt refuses, and
     * no file is left. */
    {
      g_autoptr(LodgeStorageVolume) volume =
        create_volume (volumes_pool, "huge.raw", "raw", G_GUINT64_CONSTANT (1) << 50,
                       LODGE_STORAGE_ALLOCATION_FULL, NULL, &error);
      g_autofree char *path = g_build_filename (root, "volumes", "huge.raw", NULL);

      g_assert_null (volume);
      g_assert_nonnull (error);
      g_test_message ("huge: %s", error->message);
      g_clear_error (&error);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
    g_assert_cmpuint (lodge_storage_pool_get_n_volumes (volumes_pool), ==, n);
    none = lodge_storage_pool_lookup_volume (volumes_pool, "zero.raw");
    g_assert_null (none);
  }
}

static void
test_volume_resize_wipe_delete (void)
{
  g_autoptr(LodgeStorageVolume) disk = NULL;
  g_autoptr(LodgeStorageVolume) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *path = NULL;
  g_autofree char *raw_path = NULL;
  g_autofree char *zeros = NULL;

  ensure_volumes_pool ();
  disk = create_volume (volumes_pool, "grow.qcow2", "qcow2", 1 * GIB, LODGE_STORAGE_ALLOCATION_NONE, NULL, &error);
  g_assert_no_error (error);
  path = g_strdup (lodge_storage_volume_get_path (disk));

  /* Grow: qemu-img sees it, the model too. */
  g_assert_true (volume_action (disk, VOL_RESIZE, 2 * GIB, &error));
  g_assert_no_error (error);
  assert_qemu_img (path, "qcow2", 2 * GIB, NULL);
  g_assert_cmpuint (lodge_storage_volume_get_capacity (disk), ==, 2 * GIB);

  /* Shrink: refused with the reason, the size kept. */
  g_assert_false (volume_action (disk, VOL_RESIZE, 1 * GIB, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "only grow"));
  g_clear_error (&error);
  assert_qemu_img (path, "qcow2", 2 * GIB, NULL);

  /* Wipe: a raw volume written with data reads zeros after, and stays
   * sparse. */
  raw = create_volume (volumes_pool, "wipe.raw", "raw", 8 * MIB, LODGE_STORAGE_ALLOCATION_NONE, NULL, &error);
  g_assert_no_error (error);
  raw_path = g_strdup (lodge_storage_volume_get_path (raw));
  write_sparse (raw_path, 8 * MIB, 2 * MIB, 2);
  zeros = g_build_filename (root, "zeros.img", NULL);
  write_sparse (zeros, 8 * MIB, 0, 0);
  g_assert_false (same_content (raw_path, zeros));
  g_assert_true (volume_action (raw, VOL_WIPE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (same_content (raw_path, zeros));

  /* Wipe a qcow2: still a qcow2 of its size, thin again, reading zeros
   * (libvirt alone would leave a raw file of zeros). */
  {
    g_autofree char *write_cmd = g_strdup_printf ("qemu-io -f qcow2 -c 'write -P 0x55 0 4M' %s", path);
    g_autofree char *read_cmd = g_strdup_printf ("qemu-io -f qcow2 -c 'read -P 0 0 4M' %s", path);
    g_autofree char *out = NULL;
    g_autofree char *written = NULL;
    int status = 0;

    /* qemu-io's report is read here: on stdout it would break the TAP stream. */
    g_assert_true (g_spawn_command_line_sync (write_cmd, &written, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpuint (allocated (path), >=, 4 * MIB);
    g_assert_true (volume_action (disk, VOL_WIPE, 0, &error));
    g_assert_no_error (error);
    assert_qemu_img (path, "qcow2", 2 * GIB, NULL);
    g_assert_cmpuint (allocated (path), <, MIB);
    g_assert_true (g_spawn_command_line_sync (read_cmd, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_null (strstr (out, "Pattern verification failed"));
    g_assert_true (disk == lodge_storage_pool_lookup_volume (volumes_pool, "grow.qcow2"));
  }

  /* Delete while a running machine uses it: refused, naming the machine;
   * the file is kept. Once it stopped: deleted. */
  user = start_user (path, "qcow2");
  g_assert_false (volume_action (disk, VOL_DELETE, 0, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, user));
  g_clear_error (&error);
  g_assert_false (volume_action (disk, VOL_WIPE, 0, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (volume_action (disk, VOL_RESIZE, 3 * GIB, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_clear_error (&error);
  assert_qemu_img (path, "qcow2", 2 * GIB, NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_nonnull (lodge_storage_pool_lookup_volume (volumes_pool, "grow.qcow2"));
  /* Its pool cannot lose its data either. */
  g_assert_false (pool_delete (volumes_pool, TRUE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, user));
  g_clear_error (&error);
  g_assert_true (lodge_storage_pool_get_active (volumes_pool));
  /* Nor be copied half-written. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    lodge_storage_volume_clone_async (disk, "busy-copy.qcow2", NULL, NULL, NULL, lodge_test_store_result_cb, &result);
    lodge_test_wait_result (&result, TIMEOUT_MS);
    g_assert_null (lodge_storage_volume_clone_finish (disk, result, &error));
    g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
    g_clear_error (&error);
    g_assert_null (lodge_storage_pool_lookup_volume (volumes_pool, "busy-copy.qcow2"));
  }
  stop_user (user);

  g_assert_true (volume_action (disk, VOL_DELETE, 0, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_null (lodge_storage_pool_lookup_volume (volumes_pool, "grow.qcow2"));
  g_assert_null (lodge_storage_volume_get_pool (disk));
  g_assert_true (volume_action (raw, VOL_DELETE, 0, &error));
}

/* Clone, upload, download ------------------------------------------------------ */

static void
test_volume_clone (void)
{
  g_autoptr(LodgeStorageVolume) source = NULL;
  g_autoptr(LodgeStorageVolume) copy = NULL;
  g_autoptr(LodgeStorageVolume) qcow = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  Progress progress = { 0, 0, 0, TRUE, NULL };
  g_autofree char *cancelled_path = NULL;

  ensure_volumes_pool ();
  source = create_volume (volumes_pool, "source.raw", "raw", 256 * MIB, LODGE_STORAGE_ALLOCATION_NONE, NULL, &error);
  g_assert_no_error (error);
  write_sparse (lodge_storage_volume_get_path (source), 256 * MIB, 64 * MIB, 8);

  lodge_storage_volume_clone_async (source, "copy.raw", progress_cb, &progress, NULL,
                                    lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  copy = lodge_storage_volume_clone_finish (source, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_true (copy == lodge_storage_pool_lookup_volume (volumes_pool, "copy.raw"));
  g_assert_true (same_content (lodge_storage_volume_get_path (source), lodge_storage_volume_get_path (copy)));
  g_test_message ("clone: %" G_GUINT64_FORMAT " bytes allocated of %" G_GUINT64_FORMAT,
                  allocated (lodge_storage_volume_get_path (copy)), file_size (lodge_storage_volume_get_path (copy)));
  g_assert_cmpuint (allocated (lodge_storage_volume_get_path (copy)), <, 16 * MIB);
  g_assert_cmpuint (progress.calls, >, 0);
  g_assert_true (progress.monotonic);
  g_assert_cmpuint (progress.total, ==, 256 * MIB);
  g_assert_cmpuint (progress.done, ==, progress.total);

  /* A qcow2 with data stays a qcow2 of the same size. */
  qcow = create_volume (volumes_pool, "source.qcow2", "qcow2", 4 * GIB, LODGE_STORAGE_ALLOCATION_NONE, NULL, &error);
  g_assert_no_error (error);
  lodge_storage_volume_clone_async (qcow, "copy.qcow2", NULL, NULL, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  {
    g_autoptr(LodgeStorageVolume) qcopy = lodge_storage_volume_clone_finish (qcow, result, &error);

    g_clear_object (&result);
    g_assert_no_error (error);
    assert_qemu_img (lodge_storage_volume_get_path (qcopy), "qcow2", 4 * GIB, NULL);
  }

  /* A name taken: refused, nothing overwritten. */
  lodge_storage_volume_clone_async (source, "copy.qcow2", NULL, NULL, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_null (lodge_storage_volume_clone_finish (source, result, &error));
  g_clear_object (&result);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Cancelled midway (a volume full of data takes a while): no copy left. */
  write_sparse (lodge_storage_volume_get_path (source), 256 * MIB, 0, 256);
  cancellable = g_cancellable_new ();
  progress = (Progress) { 0, 0, 0, TRUE, cancellable };
  lodge_storage_volume_clone_async (source, "cancelled.raw", progress_cb, &progress, cancellable,
                                    lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_null (lodge_storage_volume_clone_finish (source, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (progress.done, <, progress.total);
  cancelled_path = g_build_filename (root, "volumes", "cancelled.raw", NULL);
  g_assert_false (g_file_test (cancelled_path, G_FILE_TEST_EXISTS));
  g_assert_null (lodge_storage_pool_lookup_volume (volumes_pool, "cancelled.raw"));
}

static void
test_volume_transfer (void)
{
  g_autoptr(LodgeStorageVolume) volume = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *local = g_build_filename (root, "local.img", NULL);
  g_autofree char *back = g_build_filename (root, "back.img", NULL);
  g_autofree char *busy = g_build_filename (root, "busy.img", NULL);
  g_autofree char *user = NULL;
  Progress progress = { 0, 0, 0, TRUE, NULL };
  const char *path;

  ensure_volumes_pool ();
  /* The volume holds 32 MiB of data already: an upload replaces all of it,
   * including where the file has holes. */
  volume = create_volume (volumes_pool, "upload.raw", "raw", 32 * MIB, LODGE_STORAGE_ALLOCATION_FULL, NULL, &error);
  g_assert_no_error (error);
  path = lodge_storage_volume_get_path (volume);
  write_sparse (path, 32 * MIB, 0, 32);

  /* 1 GiB with 10 MiB of data in the middle. */
  write_sparse (local, GIB, 512 * MIB, 10);
  lodge_storage_volume_upload_async (volume, local, progress_cb, &progress, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  {
    gboolean ok = lodge_storage_volume_upload_finish (volume, result, &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_clear_object (&result);
  g_assert_true (same_content (local, path));
  g_test_message ("upload: %" G_GUINT64_FORMAT " bytes allocated of %" G_GUINT64_FORMAT, allocated (path), file_size (path));
  g_assert_cmpuint (allocated (path), <, 20 * MIB);
  g_assert_cmpuint (progress.total, ==, GIB);
  g_assert_cmpuint (progress.done, ==, GIB);
  g_assert_true (progress.monotonic);

  /* Downloaded: the same bytes, the same holes. */
  progress = (Progress) { 0, 0, 0, TRUE, NULL };
  lodge_storage_volume_download_async (volume, back, progress_cb, &progress, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  {
    gboolean ok = lodge_storage_volume_download_finish (volume, result, &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_clear_object (&result);
  g_assert_true (same_content (local, back));
  g_test_message ("download: %" G_GUINT64_FORMAT " bytes allocated of %" G_GUINT64_FORMAT, allocated (back), file_size (back));
  g_assert_cmpuint (allocated (back), <, 20 * MIB);
  g_assert_cmpuint (progress.done, ==, GIB);

  /* A download cancelled midway leaves no file, not even a partial one
   * beside it. */
  write_sparse (local, 256 * MIB, 0, 256);
  lodge_storage_volume_upload_async (volume, local, NULL, NULL, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_true (lodge_storage_volume_upload_finish (volume, result, &error));
  g_clear_object (&result);
  g_unlink (back);
  cancellable = g_cancellable_new ();
  progress = (Progress) { 0, 0, 0, TRUE, cancellable };
  lodge_storage_volume_download_async (volume, back, progress_cb, &progress, cancellable,
                                       lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_false (lodge_storage_volume_download_finish (volume, result, &error));
  g_clear_object (&result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (g_file_test (back, G_FILE_TEST_EXISTS));
  {
    g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
    const char *entry;

    while ((entry = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (entry, "back.img"));
  }

  /* An upload cancelled midway says the content is incomplete. */
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  progress = (Progress) { 0, 0, 0, TRUE, cancellable };
  lodge_storage_volume_upload_async (volume, local, progress_cb, &progress, cancellable,
                                     lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_false (lodge_storage_volume_upload_finish (volume, result, &error));
  g_clear_object (&result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "incomplete"));
  g_clear_error (&error);

  /* Uploading into a volume a running machine uses: refused. */
  write_sparse (busy, 4 * MIB, 0, 1);
  user = start_user (lodge_storage_volume_get_path (volume), "raw");
  lodge_storage_volume_upload_async (volume, busy, NULL, NULL, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_false (lodge_storage_volume_upload_finish (volume, result, &error));
  g_clear_object (&result);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, user));
  g_clear_error (&error);
  stop_user (user);

  /* A missing local file: a clear error. */
  lodge_storage_volume_upload_async (volume, "/nonexistent/lodge-test.img", NULL, NULL, NULL,
                                     lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_false (lodge_storage_volume_upload_finish (volume, result, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/lodge-test.img"));
}

static void
test_pool_delete_with_data (void)
{
  g_autoptr(LodgeStorageVolume) leftover = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (root, "volumes", NULL);
  g_autofree char *name = test_name ("volumes");

  ensure_volumes_pool ();
  g_clear_object (&leftover);
  leftover = create_volume (volumes_pool, "leftover.qcow2", "qcow2", GIB, LODGE_STORAGE_ALLOCATION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pool_delete (volumes_pool, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (libvirt_has_pool (name));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_clear_object (&volumes_pool);
}

/* A failed assertion aborts, a timeout terminates: what this run made
 * still goes. */
static void
abort_cb (int signum)
{
  static gboolean once;

  if (!once && conn != NULL)
    {
      once = TRUE;
      cleanup_all ();
    }
  signal (signum, SIG_DFL);
  raise (signum);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  lodge_test_quiet_debug ();
  lodge_model_init_libvirt ();
  lodge_connection_init_events ();

  if (getuid () != 0)
    lodge_test_skip_all ("needs root for qemu:///system");
  if (!g_file_test ("/usr/bin/qemu-img", G_FILE_TEST_IS_EXECUTABLE))
    lodge_test_skip_all ("needs qemu-img (qemu-utils)");

  conn = virConnectOpen (URI);
  if (conn == NULL && g_getenv ("LODGE_START_LIBVIRTD") != NULL)
    {
      const char *argv_start[] = { g_getenv ("LODGE_START_LIBVIRTD"), "start", NULL };
      int status = 0;

      virResetLastError ();
      if (g_spawn_sync (NULL, (char **) argv_start, NULL, 0, NULL, NULL, NULL, NULL, &status, NULL)
          && g_spawn_check_wait_status (status, NULL))
        conn = virConnectOpen (URI);
    }
  if (conn == NULL)
    lodge_test_skip_all ("no libvirt daemon answers at " URI);

  prefix = g_strdup_printf ("lodge-test-%d", (int) getpid ());
  root = g_strdup_printf ("/var/tmp/%s-storage", prefix);
  g_assert_cmpint (g_mkdir_with_parents (root, 0755), ==, 0);
  signal (SIGABRT, abort_cb);
  signal (SIGTERM, abort_cb);  /* a timeout */

  host = lodge_host_new (URI, &error);
  g_assert_no_error (error);
  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  g_assert_true (lodge_host_connect_finish (host, result, &error));
  g_assert_no_error (error);
  storage = lodge_host_get_storage (host);
  g_assert_true (lodge_test_wait_until ((LodgeTestCheck) lodge_storage_get_loaded, storage, TIMEOUT_MS));

  g_test_add_func ("/storage-integration/pool/bad-input", test_pool_bad_input);
  g_test_add_func ("/storage-integration/pool/lifecycle", test_pool_lifecycle);
  g_test_add_func ("/storage-integration/pool/transient", test_pool_transient);
  g_test_add_func ("/storage-integration/volume/create", test_volume_create);
  g_test_add_func ("/storage-integration/volume/resize-wipe-delete", test_volume_resize_wipe_delete);
  g_test_add_func ("/storage-integration/volume/clone", test_volume_clone);
  g_test_add_func ("/storage-integration/volume/upload-download", test_volume_transfer);
  g_test_add_func ("/storage-integration/volume/pool-delete-with-data", test_pool_delete_with_data);

  ret = g_test_run ();

  g_clear_object (&volumes_pool);
  g_clear_object (&host);
  cleanup_all ();
  virConnectClose (conn);
  g_free (root);
  g_free (prefix);
  return ret;
}
