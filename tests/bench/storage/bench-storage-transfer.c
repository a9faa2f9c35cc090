/* bench-storage-transfer.c: sparse upload and download, against virsh
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On the system libvirtd (root), in a directory pool of its own
 * (lodge-test-<pid>-bench in /var/tmp): a 1 GiB file with 10 MiB of data
 * in the middle, uploaded into a raw volume and downloaded back, ROUNDS
 * times each way by Lodge (LodgeStorageVolume's upload and download) and by
 * `virsh vol-upload --sparse` / `vol-download --sparse`, interleaved in the
 * same run. Prints the median wall time of each, the rate (bytes of the
 * file per second), Lodge's rate against virsh's, what a virsh call costs
 * before it moves a byte (its figures include starting and connecting),
 * and how many bytes each result allocates on disk (st_blocks). Checks the
 * contents are equal.
 */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>

#include "lodge-model-test.h"
#include "lodge-test.h"
#include "model/lodge-model.h"
#include "model/lodge-model-private.h"

#define URI     "qemu:///system"
#define ROUNDS  5
#define MIB     (G_GUINT64_CONSTANT (1) << 20)
#define GIB     (G_GUINT64_CONSTANT (1) << 30)
#define WAIT_MS 120000

static char *prefix;
static char *dir;

static guint64
allocated (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return (guint64) st.st_blocks * 512;
}

static void
run (const char *command)
{
  g_autofree char *out = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;

  if (!g_spawn_command_line_sync (command, &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s", command, error->message);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : da > db;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_double);
  return values[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LodgeHost) host = NULL;
  g_autoptr(LodgeStoragePool) pool = NULL;
  g_autoptr(LodgeStorageVolume) volume = NULL;
  g_autofree char *source = NULL;
  g_autofree char *lodge_back = NULL;
  g_autofree char *virsh_back = NULL;
  g_autofree guint8 *block = g_malloc (MIB);
  double up_lodge[ROUNDS], up_virsh[ROUNDS], down_lodge[ROUNDS], down_virsh[ROUNDS], virsh_start[ROUNDS];
  guint64 alloc_up_lodge = 0, alloc_up_virsh = 0, alloc_down_lodge = 0, alloc_down_virsh = 0;
  virConnectPtr conn;
  LodgeStorage *storage;
  int fd;

  g_test_init (&argc, &argv, NULL);
  lodge_test_quiet_debug ();
  lodge_model_init_libvirt ();
  lodge_connection_init_events ();

  if (getuid () != 0)
    lodge_test_skip_all ("needs root for qemu:///system");
  conn = virConnectOpen (URI);
  if (conn == NULL)
    lodge_test_skip_all ("no libvirt daemon answers at " URI);
  virConnectClose (conn);

  prefix = g_strdup_printf ("lodge-test-%d-bench", (int) getpid ());
  dir = g_strdup_printf ("/var/tmp/%s", prefix);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  source = g_strdup_printf ("/var/tmp/%s-source.img", prefix);
  lodge_back = g_strdup_printf ("/var/tmp/%s-lodge.img", prefix);
  virsh_back = g_strdup_printf ("/var/tmp/%s-virsh.img", prefix);

  /* 1 GiB, 10 MiB of data at 512 MiB. */
  fd = open (source, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  memset (block, 0x6b, MIB);
  g_assert_cmpint (ftruncate (fd, GIB), ==, 0);
  g_assert_cmpint (lseek (fd, 512 * MIB, SEEK_SET), ==, 512 * MIB);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (write (fd, block, MIB), ==, MIB);
  close (fd);

  host = lodge_host_new (URI, &error);
  g_assert_no_error (error);
  lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  g_assert_true (lodge_host_connect_finish (host, result, &error));
  g_clear_object (&result);
  storage = lodge_host_get_storage (host);
  g_assert_true (lodge_test_wait_until ((LodgeTestCheck) lodge_storage_get_loaded, storage, WAIT_MS));

  lodge_storage_create_dir_pool_async (storage, prefix, dir, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  pool = lodge_storage_create_dir_pool_finish (storage, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  lodge_storage_pool_create_volume_async (pool, "bench.img", "raw", GIB, LODGE_STORAGE_ALLOCATION_NONE, NULL,
                                          NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  volume = lodge_storage_pool_create_volume_finish (pool, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *up = g_strdup_printf ("virsh -q -c " URI " vol-upload --sparse --pool %s bench.img %s",
                                             prefix, source);
      g_autofree char *down = g_strdup_printf ("virsh -q -c " URI " vol-download --sparse --pool %s bench.img %s",
                                               prefix, virsh_back);
      gint64 t0;

      /* Lodge up, Lodge down. */
      t0 = g_get_monotonic_time ();
      lodge_storage_volume_upload_async (volume, source, NULL, NULL, NULL, lodge_test_store_result_cb, &result);
      lodge_test_wait_result (&result, WAIT_MS);
      up_lodge[round] = (g_get_monotonic_time () - t0) / 1e6;
      g_assert_true (lodge_storage_volume_upload_finish (volume, result, &error));
      g_assert_no_error (error);
      g_clear_object (&result);
      alloc_up_lodge = allocated (lodge_storage_volume_get_path (volume));

      g_unlink (lodge_back);
      t0 = g_get_monotonic_time ();
      lodge_storage_volume_download_async (volume, lodge_back, NULL, NULL, NULL, lodge_test_store_result_cb, &result);
      lodge_test_wait_result (&result, WAIT_MS);
      down_lodge[round] = (g_get_monotonic_time () - t0) / 1e6;
      g_assert_true (lodge_storage_volume_download_finish (volume, result, &error));
      g_assert_no_error (error);
      g_clear_object (&result);
      alloc_down_lodge = allocated (lodge_back);

      /* virsh up, virsh down (into a fresh file). */
      t0 = g_get_monotonic_time ();
      run (up);
      up_virsh[round] = (g_get_monotonic_time () - t0) / 1e6;
      alloc_up_virsh = allocated (lodge_storage_volume_get_path (volume));
      g_unlink (virsh_back);
      t0 = g_get_monotonic_time ();
      run (down);
      down_virsh[round] = (g_get_monotonic_time () - t0) / 1e6;
      alloc_down_virsh = allocated (virsh_back);

      /* What a virsh call costs before it moves a byte: start, connect,
       * look the volume up. */
      {
        g_autofree char *info = g_strdup_printf ("virsh -q -c " URI " vol-info --pool %s bench.img", prefix);

        t0 = g_get_monotonic_time ();
        run (info);
        virsh_start[round] = (g_get_monotonic_time () - t0) / 1e6;
      }
    }

  {
    g_autofree char *cmp1 = g_strdup_printf ("cmp %s %s", source, lodge_back);
    g_autofree char *cmp2 = g_strdup_printf ("cmp %s %s", source, virsh_back);

    run (cmp1);
    run (cmp2);
  }

  {
    double ul = median (up_lodge, ROUNDS), uv = median (up_virsh, ROUNDS);
    double dl = median (down_lodge, ROUNDS), dv = median (down_virsh, ROUNDS);

    g_print ("sparse 1 GiB file, 10 MiB of data, %d rounds each, medians:\n", ROUNDS);
    g_print ("  upload   lodge %.3f s (%.0f MiB/s)  virsh --sparse %.3f s (%.0f MiB/s)  lodge/virsh rate %.2f\n",
             ul, 1024 / ul, uv, 1024 / uv, uv / ul);
    g_print ("  download lodge %.3f s (%.0f MiB/s)  virsh --sparse %.3f s (%.0f MiB/s)  lodge/virsh rate %.2f\n",
             dl, 1024 / dl, dv, 1024 / dv, dv / dl);
    g_print ("  a virsh call that moves nothing (vol-info): %.3f s; without it virsh takes %.3f s up, %.3f s down\n",
             median (virsh_start, ROUNDS), uv - median (virsh_start, ROUNDS), dv - median (virsh_start, ROUNDS));
    g_print ("  allocated after upload:   lodge %.1f MiB, virsh %.1f MiB\n",
             alloc_up_lodge / (double) MIB, alloc_up_virsh / (double) MIB);
    g_print ("  allocated after download: lodge %.1f MiB, virsh %.1f MiB\n",
             alloc_down_lodge / (double) MIB, alloc_down_virsh / (double) MIB);
  }

  lodge_storage_pool_delete_async (pool, TRUE, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  g_assert_true (lodge_storage_pool_delete_finish (pool, result, &error));
  g_unlink (source);
  g_unlink (lodge_back);
  g_unlink (virsh_back);
  return 0;
}
