/* bench-tuning.c: how long a live change takes to reach the kernel, from
 * the call the Apply button makes to the value in the guest's cgroup file
 * (root, libvirtd, QEMU; the small guest of the tuning tests)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints medians; asserts nothing about time. The cgroup file is read
 * every 0.5 ms on the main thread, which also runs the editor's callbacks.
 */
#define G_LOG_DOMAIN "bench-tuning"

#include "config.h"

#include <stdio.h>

#include "details-test-util.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-machine-editor.h"
#include "model/lodge-machine-tuning.h"
#include "model/lodge-model-private.h"
#include "tuning-test-util.h"

#define ROUNDS 15

typedef enum { CHANGE_CAP, CHANGE_WEIGHT, CHANGE_MEMORY_LIMIT } Change;

static LodgeMachineEditor *editor;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return values->len ? g_array_index (values, double, values->len / 2) : 0;
}

/* One change: ms until the file shows it (*to_kernel) and until the edit
 * reported its end (*to_done). */
static void
measure (Change   change,
         guint    round,
         double  *to_kernel,
         double  *to_done)
{
  g_auto(Cgroup) cg = { 0 };
  const char *file;
  guint64 want;
  gint64 start;
  gboolean seen = FALSE;
  gboolean done = FALSE;

  cgroup_find (change == CHANGE_MEMORY_LIMIT ? "memory" : "cpu", &cg);
  switch (change)
    {
    case CHANGE_CAP:
      want = (10 + round % 2 * 10) * 1000;
      file = cg.v2 ? NULL : "vcpu0/cpu.cfs_quota_us";
      start = g_get_monotonic_time ();
      lodge_machine_editor_set_cpu_cap_async (editor, want / 1000, NULL, details_test_ready_cb, NULL);
      break;
    case CHANGE_WEIGHT:
      want = round % 2 ? 2048 : 512;
      file = cg.v2 ? "cpu.weight" : "cpu.shares";
      start = g_get_monotonic_time ();
      lodge_machine_editor_set_cpu_shares_async (editor, want, NULL, details_test_ready_cb, NULL);
      break;
    case CHANGE_MEMORY_LIMIT:
    default:
      want = (guint64) (512 + round % 2 * 256) << 20;
      file = cg.v2 ? "memory.max" : "memory.limit_in_bytes";
      start = g_get_monotonic_time ();
      lodge_machine_editor_set_memory_limits_async (editor, want, 0, 0, NULL, details_test_ready_cb, NULL);
      break;
    }

  while (!seen || !done)
    {
      gint64 now;

      g_main_context_iteration (NULL, FALSE);
      now = g_get_monotonic_time ();
      if (!done && details_test_result != NULL)
        {
          g_autoptr(GAsyncResult) result = details_test_wait ();
          g_autoptr(GError) error = NULL;

          if (!lodge_machine_editor_edit_finish (editor, result, NULL, &error))
            g_error ("%s", error->message);
          *to_done = (now - start) / 1000.0;
          done = TRUE;
        }
      if (!seen)
        {
          if (file == NULL)
            {
              g_autofree char *max = cgroup_read (&cg, "vcpu0/cpu.max");

              seen = g_ascii_strtoull (max, NULL, 10) == want;
            }
          else
            seen = cgroup_read_number (&cg, file) == want;
          if (seen)
            *to_kernel = (now - start) / 1000.0;
        }
      if (now - start > 10 * G_USEC_PER_SEC)
        g_error ("the change did not arrive in 10 s");
      g_usleep (500);
    }
}

int
main (int    argc,
      char **argv)
{
  const char *labels[] = { "processor cap", "CPU weight", "memory limit" };

  g_test_init (&argc, &argv, NULL);
  details_test_init_libvirt ();
  tuning_test_start_guest ();
  editor = lodge_machine_editor_new_for_virconnect (conn, uuid);

  for (Change change = CHANGE_CAP; change <= CHANGE_MEMORY_LIMIT; change++)
    {
      g_autoptr(GArray) kernel = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) done = g_array_new (FALSE, FALSE, sizeof (double));

      for (guint round = 0; round < ROUNDS; round++)
        {
          double k = 0;
          double d = 0;

          measure (change, round, &k, &d);
          g_array_append_val (kernel, k);
          g_array_append_val (done, d);
        }
      double kernel_median = median (kernel);   /* sorts: max is last */
      double done_median = median (done);

      printf ("tuning-bench: %s: in the cgroup file after median %.1f ms (max %.1f ms), "
              "edit reported done after median %.1f ms, %u changes (target 100 ms)\n",
              labels[change], kernel_median, g_array_index (kernel, double, kernel->len - 1),
              done_median, ROUNDS);
    }

  g_clear_object (&editor);
  tuning_test_stop_guest ();
  return 0;
}
