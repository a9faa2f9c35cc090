/* bench-create.c: creation figures
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints medians of several runs:
 *  - OS database load (a fresh libosinfo loader each time, on a worker
 *    thread, as the application does) and the main thread's share of it;
 *  - identification of a small ISO;
 *  - creation on test:///default (Lodge's own work: checks, pool, volume,
 *    define, start, all in memory);
 *  - creation on qemu:///system when root and a daemon answer: from "Create"
 *    to the start call (Lodge's part) and the start call itself (QEMU's
 *    start, the hypervisor's own time), then the machine is removed.
 */
#define G_LOG_DOMAIN "bench-create"

#include "config.h"

#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "create/lodge-create.h"
#include "model/lodge-model.h"
#include "lodge-create-test.h"

#define RUNS 5
#define MiB  (G_GUINT64_CONSTANT (1) << 20)
#define GiB  (G_GUINT64_CONSTANT (1) << 30)

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static void
quiet_libvirt_error_cb (void        *data,
                        virErrorPtr  error)
{
}

/* Main-thread time spent while waiting: the time between iterations is
 * idle (poll); we count the time inside dispatches. */
static double
wait_counting_busy (GAsyncResult **result)
{
  gint64 busy = 0;

  while (*result == NULL)
    {
      gint64 t0;

      g_main_context_iteration (NULL, FALSE) ? (void)0 : g_usleep (200);
      t0 = g_get_monotonic_time ();
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      busy += g_get_monotonic_time () - t0;
    }
  return busy / 1000.0;
}

static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1000.0 + usage.ru_utime.tv_usec / 1000.0 +
         usage.ru_stime.tv_sec * 1000.0 + usage.ru_stime.tv_usec / 1000.0;
}

static void
bench_database (void)
{
  double total[RUNS], main_thread[RUNS], cpu[RUNS];

  for (guint i = 0; i < RUNS; i++)
    {
      g_autoptr(LodgeOsDatabase) db = lodge_os_database_new ();
      g_autoptr(GAsyncResult) result = NULL;
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_ms ();

      lodge_os_database_load_async (db, NULL, lodge_create_test_store_cb, &result);
      main_thread[i] = wait_counting_busy (&result);
      g_assert_true (lodge_os_database_load_finish (db, result, NULL));
      total[i] = (g_get_monotonic_time () - t0) / 1000.0;
      cpu[i] = cpu_ms () - c0;
    }

  g_print ("OS database load: %.0f ms median wall, %.0f ms CPU (%u runs); main thread busy "
           "%.1f ms of it\n", median (total, RUNS), median (cpu, RUNS), RUNS,
           median (main_thread, RUNS));
}

static void
bench_identify (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lodge-bench-XXXXXX", NULL);
  g_autofree char *iso = lodge_create_test_make_iso (dir, "fedora.iso", "Fedora-S-dvd-x86_64-37",
                                                     NULL, NULL, FALSE);
  LodgeOsDatabase *db = lodge_create_test_get_db ();
  double times[RUNS];

  for (guint i = 0; i < RUNS; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(LodgeMedia) media = NULL;
      gint64 t0 = g_get_monotonic_time ();

      lodge_media_new_for_path_async (db, iso, NULL, lodge_create_test_store_cb, &result);
      lodge_create_test_wait (&result, 60);
      media = lodge_media_new_for_path_finish (result, NULL);
      g_assert_nonnull (lodge_media_get_os (media));
      times[i] = (g_get_monotonic_time () - t0) / 1000.0;
    }

  g_print ("ISO identification: %.1f ms median (%u runs)\n", median (times, RUNS), RUNS);
  g_remove (iso);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", dir);
  }
}

typedef struct
{
  gint64 start;
  gint64 starting;   /* when the stage STARTING was seen */
} StageTimes;

static void
stage_cb (LodgeMachineCreator *creator,
          GParamSpec          *pspec,
          StageTimes          *times)
{
  if (lodge_machine_creator_get_stage (creator) == LODGE_CREATE_STAGE_STARTING && times->starting == 0)
    times->starting = g_get_monotonic_time ();
}

/* lodge-bench-create-* machines and volumes of an interrupted run. */
static void
remove_leftovers (virConnectPtr raw)
{
  virDomainPtr *doms = NULL;
  virStoragePoolPtr pool;
  int n = virConnectListAllDomains (raw, &doms, 0);

  for (int i = 0; i < n; i++)
    {
      if (g_str_has_prefix (virDomainGetName (doms[i]), "lodge-bench-create-"))
        {
          virDomainDestroy (doms[i]);
          virDomainUndefineFlags (doms[i], VIR_DOMAIN_UNDEFINE_NVRAM);
        }
      virDomainFree (doms[i]);
    }
  free (doms);

  pool = virStoragePoolLookupByName (raw, LODGE_POOL_NAME);
  if (pool != NULL)
    {
      virStorageVolPtr *vols = NULL;

      n = virStoragePoolListAllVolumes (pool, &vols, 0);
      for (int i = 0; i < n; i++)
        {
          if (g_str_has_prefix (virStorageVolGetName (vols[i]), "lodge-bench-create-"))
            virStorageVolDelete (vols[i], 0);
          virStorageVolFree (vols[i]);
        }
      free (vols);
      virStoragePoolFree (pool);
    }
  virResetLastError ();
}

/* Creates and removes RUNS machines; returns medians in ms. */
static gboolean
bench_creation (const char *uri,
                const char *cdrom,
                double     *lodge_part,
                double     *start_part,
                double     *total_out)
{
  g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
  g_autoptr(GAsyncResult) opened = NULL;
  double lodge[RUNS], start[RUNS], total[RUNS];
  virConnectPtr raw;

  lodge_connection_open_async (connection, NULL, lodge_create_test_store_cb, &opened);
  lodge_create_test_wait (&opened, 60);
  if (!lodge_connection_open_finish (connection, opened, NULL))
    return FALSE;
  raw = virConnectOpen (uri);
  remove_leftovers (raw);

  for (guint i = 0; i < RUNS + 1; i++)
    {
      g_autofree char *name = g_strdup_printf ("lodge-bench-create-%u", i);
      g_autoptr(LodgeMachineSpec) spec = lodge_machine_spec_new ();
      g_autoptr(LodgeMachineCreator) creator = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *uuid = NULL;
      g_autofree char *vol_path = NULL;
      StageTimes times = { 0 };
      gint64 end;
      g_autoptr(LodgeHostInfo) host = lodge_host_info_new ();

      host->acceleration = LODGE_ACCELERATION_QEMU;
      lodge_machine_spec_apply_os (spec, NULL, host);
      lodge_machine_spec_set_name (spec, name);
      lodge_machine_spec_set_cdrom_path (spec, cdrom);
      lodge_machine_spec_set_memory (spec, 256 * MiB);
      lodge_machine_spec_set_vcpus (spec, 1);
      lodge_machine_spec_set_disk_size (spec, 1 * GiB);

      creator = lodge_machine_creator_new (connection, spec);
      g_signal_connect (creator, "notify::stage", G_CALLBACK (stage_cb), &times);
      times.start = g_get_monotonic_time ();
      lodge_machine_creator_run_async (creator, NULL, lodge_create_test_store_cb, &result);
      lodge_create_test_wait (&result, 120);
      uuid = lodge_machine_creator_run_finish (creator, result, &error);
      end = g_get_monotonic_time ();
      if (uuid == NULL)
        {
          g_printerr ("creation on %s failed: %s\n", uri, error->message);
          remove_leftovers (raw);
          virConnectClose (raw);
          return FALSE;
        }
      vol_path = g_strdup (lodge_machine_creator_get_volume_path (creator));

      /* The first run pays one-time costs (QEMU capabilities, the pool). */
      if (i > 0)
        {
          lodge[i - 1] = (times.starting - times.start) / 1000.0;
          start[i - 1] = (end - times.starting) / 1000.0;
          total[i - 1] = (end - times.start) / 1000.0;
        }

      {
        virDomainPtr dom = virDomainLookupByUUIDString (raw, uuid);
        virStorageVolPtr vol = virStorageVolLookupByPath (raw, vol_path);

        if (dom != NULL)
          {
            virDomainDestroy (dom);
            virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_NVRAM);
            virDomainFree (dom);
          }
        if (vol != NULL)
          {
            virStorageVolDelete (vol, 0);
            virStorageVolFree (vol);
          }
      }
    }

  remove_leftovers (raw);
  virConnectClose (raw);
  *lodge_part = median (lodge, RUNS);
  *start_part = median (start, RUNS);
  *total_out = median (total, RUNS);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  double lodge, start, total;

  virSetErrorFunc (NULL, quiet_libvirt_error_cb);
  g_setenv ("LODGE_FORCE_EMULATION", "1", TRUE);
  lodge_connection_init_events ();

  bench_database ();
  bench_identify ();

  if (bench_creation ("test:///default", "/isos/none.iso", &lodge, &start, &total))
    g_print ("Creation on test:///default: %.1f ms median to the start call, %.1f ms total "
             "(%u runs)\n", lodge, total, RUNS);

  if (geteuid () == 0)
    {
      virConnectPtr probe = virConnectOpen ("qemu:///system");

      if (probe != NULL)
        {
          g_autofree char *dir = g_dir_make_tmp ("lodge-bench-XXXXXX", NULL);
          g_autofree char *iso = NULL;

          virConnectClose (probe);
          g_chmod (dir, 0755);
          iso = lodge_create_test_make_iso (dir, "boot.iso", "LODGE_BENCH", NULL, NULL, TRUE);
          g_chmod (iso, 0644);
          if (bench_creation ("qemu:///system", iso, &lodge, &start, &total))
            g_print ("Creation on qemu:///system (TCG): %.0f ms median from Create to the start "
                     "call (checks, volume, define), %.0f ms for the start call (QEMU's own "
                     "start), %.0f ms total (%u runs)\n", lodge, start, total, RUNS);
          {
            g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
            if (system (cmd) != 0)
              g_printerr ("could not remove %s\n", dir);
          }
        }
      else
        g_print ("Creation on qemu:///system: skipped (no daemon answers)\n");
    }
  else
    g_print ("Creation on qemu:///system: skipped (needs root)\n");

  return 0;
}
