/* test-tuning-integration.c: performance and limits set through Lodge's
 * model reach the kernel and QEMU of a real small TCG guest (suite
 * "integration": root, libvirtd, QEMU)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each check reads what the host really has: the guest's cgroup files
 * (found through /proc/<qemu pid>/cgroup; cgroup v1 and v2 both handled),
 * QEMU's block throttling through its monitor, and the tap's queueing
 * discipline through tc. A host kernel without sfq and police (this CI's)
 * cannot shape traffic: there the test proves the clear refusal, the
 * cleanup, and the saved definition instead.
 */
#define G_LOG_DOMAIN "test-tuning-integration"

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "details-test-util.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-machine-editor.h"
#include "model/lodge-model-private.h"
#include "model/lodge-machine-tuning.h"
#include "../common/lodge-test.h"

#define URI      "qemu:///system"
#define BOOT_MS  120000
#define NIC_MAC  "52:54:00:7e:11:01"
#define USER_MAC "52:54:00:7e:11:02"

static virConnectPtr conn;
static char *name;
static char *uuid;
static char *work_dir;
static char *serial_log;
static char *tap;
static LodgeMachineEditor *editor;

/* Waiting for conditions */

typedef gboolean (*CheckFunc) (gpointer data);

static gboolean
wait_until (CheckFunc check,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!check (data))
    {
      if (g_get_monotonic_time () > end)
        return check (data);
      g_usleep (50 * 1000);
    }
  return TRUE;
}

static gboolean
serial_says_ready (gpointer data)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (serial_log, &text, NULL, NULL) && strstr (text, "LODGE-GUEST-READY") != NULL;
}

/* The guest's cgroups */

typedef struct
{
  gboolean v2;       /* the controller lives on the cgroup2 hierarchy */
  char    *dir;      /* the machine's directory (not its emulator/ child) */
} Cgroup;

static void
cgroup_clear (Cgroup *cg)
{
  g_clear_pointer (&cg->dir, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cgroup, cgroup_clear)

static char *
cgroup2_mount (void)
{
  g_autofree char *mounts = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mounts", &mounts, NULL, NULL));
  lines = g_strsplit (mounts, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 4);

      if (g_strv_length (fields) >= 3 && g_str_equal (fields[2], "cgroup2"))
        return g_strdup (fields[1]);
    }
  return NULL;
}

static int
qemu_pid (void)
{
  g_autofree char *path = g_strdup_printf ("/run/libvirt/qemu/%s.pid", name);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return atoi (text);
}

/* Where libvirt put the machine for this controller ("cpu", "memory"):
 * the v1 hierarchy that has it, else the unified one. */
static void
cgroup_find (const char *controller,
             Cgroup     *out)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cgroup", qemu_pid ());
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  char *v2_path = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  out->dir = NULL;
  for (guint i = 0; lines[i] != NULL && out->dir == NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ":", 3);
      g_auto(GStrv) controllers = NULL;

      if (g_strv_length (fields) != 3)
        continue;
      if (fields[1][0] == '\0')
        {
          v2_path = g_strdup (fields[2]);
          continue;
        }
      controllers = g_strsplit (fields[1], ",", -1);
      if (g_strv_contains ((const char * const *) controllers, controller) && !g_str_equal (fields[2], "/"))
        out->dir = g_build_filename ("/sys/fs/cgroup", fields[1], fields[2], NULL);
    }
  out->v2 = out->dir == NULL;
  if (out->v2)
    {
      g_autofree char *mount = cgroup2_mount ();

      g_assert_nonnull (mount);
      g_assert_nonnull (v2_path);
      out->dir = g_build_filename (mount, v2_path, NULL);
    }
  g_free (v2_path);

  /* QEMU's main thread sits in emulator/; the limits are on its parent. */
  if (g_str_has_suffix (out->dir, "/emulator"))
    out->dir[strlen (out->dir) - strlen ("/emulator")] = '\0';
  g_test_message ("%s controller: %s (%s)", controller, out->dir, out->v2 ? "cgroup v2" : "cgroup v1");
}

static char *
cgroup_read (Cgroup     *cg,
             const char *file)
{
  g_autofree char *path = g_build_filename (cg->dir, file, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return g_strstrip (text);
}

static guint64
cgroup_read_number (Cgroup     *cg,
                    const char *file)
{
  g_autofree char *text = cgroup_read (cg, file);

  if (g_str_equal (text, "max"))
    return G_MAXUINT64;
  return g_ascii_strtoull (text, NULL, 10);
}

/* Lodge's calls */

static void
expect_edit (LodgeEditOutcome expected)
{
  g_autoptr(GAsyncResult) result = details_test_wait ();
  g_autoptr(GError) error = NULL;
  LodgeEditOutcome outcome = 99;

  g_assert_true (lodge_machine_editor_edit_finish (editor, result, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, expected);
}

static GError *
expect_refusal (void)
{
  g_autoptr(GAsyncResult) result = details_test_wait ();
  GError *error = NULL;

  g_assert_false (lodge_machine_editor_edit_finish (editor, result, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  return error;
}

static LodgeMachineTuning *
get_tuning (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LodgeMachineTuning *tuning;

  lodge_machine_editor_get_tuning_async (editor, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  tuning = lodge_machine_editor_get_tuning_finish (editor, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tuning);
  return tuning;
}

static char *
inactive_xml (void)
{
  virDomainPtr dom = virDomainLookupByName (conn, name);
  char *xml;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  virDomainFree (dom);
  return xml;
}

static char *
run (const char * const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s%s", argv[0], out, err);
  return g_steal_pointer (&out);
}

/* The tests */

static void
test_cpu_weight (void)
{
  g_autoptr(LodgeMachineTuning) before = get_tuning ();
  g_autoptr(LodgeMachineTuning) after = NULL;
  g_auto(Cgroup) cg = { 0 };
  guint64 high = lodge_cpu_priority_get_shares (LODGE_CPU_PRIORITY_HIGH, before->default_shares);
  guint64 normal = lodge_cpu_priority_get_shares (LODGE_CPU_PRIORITY_NORMAL, before->default_shares);

  g_assert_true (before->active);
  g_assert_true (before->has_scheduler);
  cgroup_find ("cpu", &cg);
  /* Untouched, the machine has the host's default, which Lodge calls Normal. */
  g_assert_cmpuint (before->live.cpu_shares, ==, cgroup_read_number (&cg, cg.v2 ? "cpu.weight" : "cpu.shares"));
  g_assert_cmpint (lodge_cpu_priority_from_shares (before->live.cpu_shares, before->default_shares),
                   ==, LODGE_CPU_PRIORITY_NORMAL);

  lodge_machine_editor_set_cpu_shares_async (editor, high, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  g_assert_cmpuint (cgroup_read_number (&cg, cg.v2 ? "cpu.weight" : "cpu.shares"), ==, high);

  after = get_tuning ();
  g_assert_cmpuint (after->live.cpu_shares, ==, high);
  g_assert_cmpuint (after->config.cpu_shares, ==, high);
  g_assert_cmpint (lodge_cpu_priority_from_shares (after->live.cpu_shares, after->default_shares),
                   ==, LODGE_CPU_PRIORITY_HIGH);

  /* Back to the default. */
  lodge_machine_editor_set_cpu_shares_async (editor, 0, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  g_assert_cmpuint (cgroup_read_number (&cg, cg.v2 ? "cpu.weight" : "cpu.shares"), ==, normal);
}

static guint64
vcpu_time (void)
{
  virDomainPtr dom = virDomainLookupByName (conn, name);
  virVcpuInfo info[2];
  int n;
  guint64 total = 0;

  g_assert_nonnull (dom);
  n = virDomainGetVcpus (dom, info, G_N_ELEMENTS (info), NULL, 0);
  g_assert_cmpint (n, >, 0);
  for (int i = 0; i < n; i++)
    total += info[i].cpuTime;
  virDomainFree (dom);
  return total;
}

/* CPU time of the guest's vCPUs over interval_ms, as a share of one core. */
static double
vcpu_usage (guint interval_ms)
{
  guint64 t0 = vcpu_time ();
  gint64 w0 = g_get_monotonic_time ();
  guint64 t1;
  gint64 w1;

  g_usleep (interval_ms * 1000);
  t1 = vcpu_time ();
  w1 = g_get_monotonic_time ();
  return (double) (t1 - t0) / ((w1 - w0) * 1000.0);
}

static gboolean
guest_uses_cpu (gpointer data)
{
  double usage = vcpu_usage (1000);

  g_test_message ("uncapped: %.0f %% of a core", usage * 100);
  return usage >= 0.4;
}

static void
test_cpu_cap (void)
{
  g_autoptr(LodgeMachineTuning) tuning = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_auto(Cgroup) cg = { 0 };
  g_autofree char *vcpu0 = NULL;
  double usage;

  cgroup_find ("cpu", &cg);
  vcpu0 = g_build_filename (cg.dir, "vcpu0", NULL);
  g_assert_true (g_file_test (vcpu0, G_FILE_TEST_IS_DIR));

  lodge_machine_editor_set_cpu_cap_async (editor, 20, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  if (cg.v2)
    {
      g_autofree char *max = cgroup_read (&cg, "vcpu0/cpu.max");

      g_assert_cmpstr (max, ==, "20000 100000");
    }
  else
    {
      g_assert_cmpuint (cgroup_read_number (&cg, "vcpu0/cpu.cfs_quota_us"), ==, 20000);
      g_assert_cmpuint (cgroup_read_number (&cg, "vcpu0/cpu.cfs_period_us"), ==, 100000);
    }
  tuning = get_tuning ();
  g_assert_cmpuint (lodge_tuning_values_get_cap (&tuning->live), ==, 20);
  g_assert_cmpuint (lodge_tuning_values_get_cap (&tuning->config), ==, 20);
  xml = inactive_xml ();
  g_assert_nonnull (strstr (xml, "<quota>20000</quota>"));
  g_clear_pointer (&xml, g_free);

  /* The kernel holds the busy guest to it: a load beside it only lowers
   * the figure. */
  usage = vcpu_usage (3000);
  g_test_message ("capped at 20 %%: %.0f %% of a core", usage * 100);
  g_assert_cmpfloat (usage, <=, 0.30);

  /* Bad input: refused, nothing changed. */
  lodge_machine_editor_set_cpu_cap_async (editor, 150, NULL, details_test_ready_cb, NULL);
  error = expect_refusal ();
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "150"));
  if (!cg.v2)
    g_assert_cmpuint (cgroup_read_number (&cg, "vcpu0/cpu.cfs_quota_us"), ==, 20000);

  /* No cap: the kernel's "unlimited", no <quota> left in the definition,
   * and the guest (busy) soon uses more than the cap allowed. */
  lodge_machine_editor_set_cpu_cap_async (editor, 0, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  if (cg.v2)
    {
      g_autofree char *max = cgroup_read (&cg, "vcpu0/cpu.max");

      g_assert_true (g_str_has_prefix (max, "max"));
    }
  else
    g_assert_cmpint ((gint64) cgroup_read_number (&cg, "vcpu0/cpu.cfs_quota_us"), ==, -1);
  xml = inactive_xml ();
  g_assert_null (strstr (xml, "<quota>"));
  g_assert_true (wait_until (guest_uses_cpu, NULL, 60000));
}

static void
test_memory_limits (void)
{
  g_autoptr(LodgeMachineTuning) tuning = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Cgroup) cg = { 0 };
  const char *hard_file;
  const char *soft_file;

  cgroup_find ("memory", &cg);
  hard_file = cg.v2 ? "memory.max" : "memory.limit_in_bytes";
  soft_file = cg.v2 ? "memory.high" : "memory.soft_limit_in_bytes";

  lodge_machine_editor_set_memory_limits_async (editor, 1024 * 1024 * 1024ull, 512 * 1024 * 1024ull, 0,
                                                NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  g_assert_cmpuint (cgroup_read_number (&cg, hard_file), ==, 1024 * 1024 * 1024ull);
  g_assert_cmpuint (cgroup_read_number (&cg, soft_file), ==, 512 * 1024 * 1024ull);
  tuning = get_tuning ();
  g_assert_true (tuning->has_memory_limits);
  g_assert_cmpuint (tuning->live.hard_limit, ==, 1024 * 1024 * 1024ull);
  g_assert_cmpuint (tuning->live.soft_limit, ==, 512 * 1024 * 1024ull);
  g_assert_cmpuint (tuning->config.hard_limit, ==, 1024 * 1024 * 1024ull);
  g_assert_cmpuint (tuning->live.swap_hard_limit, ==, 0);

  /* Below the machine's 160 MiB: refused with the values named, the
   * kernel's limit unchanged. */
  lodge_machine_editor_set_memory_limits_async (editor, 64 * 1024 * 1024ull, 0, 0,
                                                NULL, details_test_ready_cb, NULL);
  error = expect_refusal ();
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "64"));
  g_assert_nonnull (strstr (error->message, "160"));
  g_assert_cmpuint (cgroup_read_number (&cg, hard_file), ==, 1024 * 1024 * 1024ull);
  g_clear_error (&error);

  /* Soft above hard: refused before libvirt. */
  lodge_machine_editor_set_memory_limits_async (editor, 256 * 1024 * 1024ull, 512 * 1024 * 1024ull, 0,
                                                NULL, details_test_ready_cb, NULL);
  error = expect_refusal ();
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);

  /* No limits: the kernel's largest value again. */
  lodge_machine_editor_set_memory_limits_async (editor, 0, 0, 0, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  g_assert_cmpuint (cgroup_read_number (&cg, hard_file), >=, G_GUINT64_CONSTANT (1) << 62);
}

static void
test_sizes (void)
{
  g_autoptr(LodgeMachineTuning) tuning = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vcpu1 = NULL;
  g_auto(Cgroup) cg = { 0 };
  virDomainPtr dom;

  /* Hot-plug the second vCPU (the machine started with 1 of 2). */
  lodge_machine_editor_set_vcpu_counts_async (editor, 2, 2, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  dom = virDomainLookupByName (conn, name);
  g_assert_cmpint (virDomainGetVcpusFlags (dom, VIR_DOMAIN_AFFECT_LIVE), ==, 2);
  virDomainFree (dom);
  cgroup_find ("cpu", &cg);
  vcpu1 = g_build_filename (cg.dir, "vcpu1", NULL);
  g_assert_true (g_file_test (vcpu1, G_FILE_TEST_IS_DIR));

  /* More than the host has: refused. */
  lodge_machine_editor_set_vcpu_counts_async (editor, 2, 4096, NULL, details_test_ready_cb, NULL);
  error = expect_refusal ();
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "4096"));
  g_clear_error (&error);

  /* A bigger maximum waits for the next start; the balloon moves now. */
  lodge_machine_editor_set_memory_sizes_async (editor, 128 * 1024 * 1024ull, 192 * 1024 * 1024ull,
                                               NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIES_AT_NEXT_BOOT);
  tuning = get_tuning ();
  g_assert_cmpuint (tuning->live.max_memory, ==, 160 * 1024 * 1024ull);
  g_assert_cmpuint (tuning->config.max_memory, ==, 192 * 1024 * 1024ull);
  g_assert_cmpuint (tuning->config.memory, ==, 128 * 1024 * 1024ull);

  lodge_machine_editor_set_memory_sizes_async (editor, 256 * 1024 * 1024ull, 192 * 1024 * 1024ull,
                                               NULL, details_test_ready_cb, NULL);
  error = expect_refusal ();
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
}

static void
test_disk_limits (void)
{
  LodgeDiskLimits limits = { .total_bytes_sec = 2097152, .read_iops_sec = 200 };
  LodgeDiskLimits bad = { .total_bytes_sec = 1048576, .read_bytes_sec = 1024 };
  LodgeDiskLimits none = { 0 };
  g_autoptr(LodgeMachineTuning) tuning = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *block = NULL;
  g_autofree char *xml = NULL;
  LodgeDiskTuning *disk;

  lodge_machine_editor_set_disk_limits_async (editor, "vda", &limits, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);

  /* QEMU's own view of the disk's throttling. */
  block = run ((const char *[]) { "virsh", "-c", URI, "qemu-monitor-command", name,
                                  "{\"execute\":\"query-block\"}", NULL });
  g_test_message ("query-block: %.300s", block);
  g_assert_nonnull (strstr (block, "\"bps\":2097152"));
  g_assert_nonnull (strstr (block, "\"iops_rd\":200"));

  tuning = get_tuning ();
  disk = lodge_machine_tuning_find_disk (tuning, "vda");
  g_assert_nonnull (disk);
  g_assert_true (lodge_disk_limits_equal (&disk->live, &limits));
  g_assert_true (lodge_disk_limits_equal (&disk->config, &limits));
  xml = inactive_xml ();
  g_assert_nonnull (strstr (xml, "<total_bytes_sec>2097152</total_bytes_sec>"));

  lodge_machine_editor_set_disk_limits_async (editor, "vda", &bad, NULL, details_test_ready_cb, NULL);
  error = expect_refusal ();
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);

  lodge_machine_editor_set_disk_limits_async (editor, "vda", &none, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  g_clear_pointer (&block, g_free);
  block = run ((const char *[]) { "virsh", "-c", URI, "qemu-monitor-command", name,
                                  "{\"execute\":\"query-block\"}", NULL });
  g_assert_null (strstr (block, "\"bps\":2097152"));
}

static char *
tc_qdisc (void)
{
  return run ((const char *[]) { "tc", "qdisc", "show", "dev", tap, NULL });
}

static void
test_nic_limits (void)
{
  LodgeNicLimits limits = { .inbound = { 1000, 2000, 100 }, .outbound = { 500, 0, 0 } };
  LodgeNicLimits none = { { 0 } };
  g_autoptr(LodgeMachineTuning) tuning = get_tuning ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *qdisc = NULL;
  LodgeNicTuning *nic = lodge_machine_tuning_find_nic (tuning, NIC_MAC);

  g_assert_nonnull (nic);
  g_assert_cmpstr (nic->device, ==, tap);

  lodge_machine_editor_set_nic_limits_async (editor, NIC_MAC, &limits, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  if (lodge_machine_editor_edit_finish (editor, result, NULL, &error))
    {
      /* A kernel with the queues: libvirt's htb class carries the rate. */
      qdisc = tc_qdisc ();
      g_test_message ("tc qdisc show dev %s: %s", tap, qdisc);
      g_assert_nonnull (strstr (qdisc, "htb"));
      g_clear_pointer (&tuning, lodge_machine_tuning_unref);
      tuning = get_tuning ();
      nic = lodge_machine_tuning_find_nic (tuning, NIC_MAC);
      g_assert_true (lodge_nic_limits_equal (&nic->live, &limits));
    }
  else
    {
      /* This CI's kernel: no sfq, no police. Said plainly. */
      g_test_message ("%s", error->message);
      g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED);
      g_assert_nonnull (strstr (error->message, "sfq"));
      g_clear_error (&error);
    }
  g_clear_object (&result);

  /* Clearing works on every kernel and leaves the tap without shaping. */
  lodge_machine_editor_set_nic_limits_async (editor, NIC_MAC, &none, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  qdisc = (g_free (qdisc), tc_qdisc ());
  g_test_message ("after clearing: %s", qdisc);
  g_assert_null (strstr (qdisc, "htb"));
  g_assert_null (strstr (qdisc, "ingress"));

  /* User networking has no tap: refused before libvirt. */
  lodge_machine_editor_set_nic_limits_async (editor, USER_MAC, &limits, NULL, details_test_ready_cb, NULL);
  error = expect_refusal ();
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Peak below average: refused. */
  limits.inbound.peak = 10;
  lodge_machine_editor_set_nic_limits_async (editor, NIC_MAC, &limits, NULL, details_test_ready_cb, NULL);
  error = expect_refusal ();
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
}

/* Last: stops the guest. Off, every value is the definition's, and a
 * change is saved for the next start. */
static void
test_saved_when_off (void)
{
  LodgeNicLimits limits = { .inbound = { 1000, 2000, 100 } };
  LodgeNicLimits none = { { 0 } };
  g_autoptr(LodgeMachineTuning) tuning = NULL;
  g_autofree char *xml = NULL;
  virDomainPtr dom = virDomainLookupByName (conn, name);

  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);

  lodge_machine_editor_set_cpu_cap_async (editor, 50, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  lodge_machine_editor_set_nic_limits_async (editor, NIC_MAC, &limits, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);

  tuning = get_tuning ();
  g_assert_false (tuning->active);
  g_assert_cmpuint (lodge_tuning_values_get_cap (lodge_machine_tuning_get_current (tuning)), ==, 50);
  g_assert_true (lodge_nic_limits_equal (&lodge_machine_tuning_find_nic (tuning, NIC_MAC)->config, &limits));
  xml = inactive_xml ();
  g_assert_nonnull (strstr (xml, "<inbound average='1000' peak='2000' burst='100'/>"));

  lodge_machine_editor_set_nic_limits_async (editor, NIC_MAC, &none, NULL, details_test_ready_cb, NULL);
  expect_edit (LODGE_EDIT_APPLIED);
  g_clear_pointer (&xml, g_free);
  xml = inactive_xml ();
  g_assert_null (strstr (xml, "<inbound"));
  g_assert_null (strstr (xml, "<outbound"));

  /* What is left starts on this kernel (a <bandwidth> would not). */
  dom = virDomainLookupByName (conn, name);
  if (virDomainCreate (dom) < 0)
    g_error ("the machine no longer starts: %s", virGetLastErrorMessage ());
  virDomainDestroy (dom);
  virDomainFree (dom);
}

/* Set-up */

static void
remove_guest (void)
{
  virDomainPtr dom;

  if (conn == NULL || name == NULL)
    return;
  dom = virDomainLookupByName (conn, name);
  if (dom != NULL)
    {
      if (virDomainIsActive (dom) == 1)
        virDomainDestroy (dom);
      virDomainUndefine (dom);
      virDomainFree (dom);
    }
  virResetLastError ();
}

static void
on_abort (int sig)
{
  remove_guest ();
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
start_guest (const char *guest_dir)
{
  g_autofree char *disk = g_build_filename (work_dir, "disk.raw", NULL);
  g_autofree char *xml = NULL;
  virDomainPtr dom;
  char buf[VIR_UUID_STRING_BUFLEN];
  int fd;

  fd = g_open (disk, O_CREAT | O_WRONLY, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 16 << 20), ==, 0);
  close (fd);

  /* 1 of 2 vCPUs (one to hot-plug), a disk to throttle, a tap to shape
   * and a user-mode card that cannot be. */
  xml = g_strdup_printf (
    "<domain type='qemu'>"
    "  <name>%s</name>"
    "  <memory unit='MiB'>160</memory>"
    "  <vcpu current='1'>2</vcpu>"
    "  <os><type arch='x86_64' machine='pc'>hvm</type>"
    "    <kernel>%s/vmlinuz</kernel><initrd>%s/initrd.img</initrd>"
    "    <cmdline>console=ttyS0 quiet lodge.mode=busy</cmdline></os>"
    "  <features><acpi/></features>"
    "  <devices>"
    "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
    "      <source file='%s'/><target dev='vda' bus='virtio'/></disk>"
    "    <interface type='ethernet'><mac address='" NIC_MAC "'/>"
    "      <target dev='%s' managed='yes'/><model type='virtio'/></interface>"
    "    <interface type='user'><mac address='" USER_MAC "'/><model type='virtio'/></interface>"
    "    <serial type='pty'><log file='%s' append='off'/></serial>"
    "    <memballoon model='virtio'/>"
    "  </devices>"
    "</domain>", name, guest_dir, guest_dir, disk, tap, serial_log);
  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    g_error ("could not define the guest: %s", virGetLastErrorMessage ());
  if (virDomainCreate (dom) < 0)
    g_error ("could not start the guest: %s", virGetLastErrorMessage ());
  g_assert_cmpint (virDomainGetUUIDString (dom, buf), ==, 0);
  uuid = g_strdup (buf);
  virDomainFree (dom);
  g_assert_true (wait_until (serial_says_ready, NULL, BOOT_MS));
}

int
main (int    argc,
      char **argv)
{
  const char *start = g_getenv ("LODGE_START_LIBVIRTD");
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  details_test_init_libvirt ();

  if (getuid () != 0)
    lodge_test_skip_all ("needs root for qemu:///system and the cgroup files");
  if (g_find_program_in_path ("tc") == NULL)
    lodge_test_skip_all ("needs tc (iproute2)");
  g_assert_nonnull (start);
  g_assert_nonnull (make_guest);
  g_assert_nonnull (guest_dir);
  if (!lodge_test_run ("start-libvirtd", (char *[]) { (char *) start, "start", NULL }))
    lodge_test_skip_all ("no libvirtd");
  if (!lodge_test_run ("make-guest", (char *[]) { (char *) make_guest, (char *) guest_dir, NULL }))
    lodge_test_skip_all ("could not build the test guest");

  conn = virConnectOpen (URI);
  if (conn == NULL)
    lodge_test_skip_all ("no libvirt daemon answers at " URI);

  name = g_strdup_printf ("lodge-test-%d-tuning", (int) getpid ());
  tap = g_strdup_printf ("ltt%d", (int) getpid () % 1000000);
  work_dir = g_build_filename ("/var/tmp", "lodge-test-tuning-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp_full (work_dir, 0755));
  serial_log = g_build_filename (work_dir, "serial.log", NULL);
  signal (SIGABRT, on_abort);
  signal (SIGTRAP, on_abort);

  start_guest (guest_dir);
  editor = lodge_machine_editor_new_for_virconnect (conn, uuid);

  g_test_add_func ("/tuning/integration/cpu-weight", test_cpu_weight);
  g_test_add_func ("/tuning/integration/cpu-cap", test_cpu_cap);
  g_test_add_func ("/tuning/integration/memory-limits", test_memory_limits);
  g_test_add_func ("/tuning/integration/vcpus-and-memory", test_sizes);
  g_test_add_func ("/tuning/integration/disk-limits", test_disk_limits);
  g_test_add_func ("/tuning/integration/nic-limits", test_nic_limits);
  g_test_add_func ("/tuning/integration/saved-when-off", test_saved_when_off);

  ret = g_test_run ();

  g_clear_object (&editor);
  remove_guest ();
  {
    g_autofree char *disk = g_build_filename (work_dir, "disk.raw", NULL);

    g_unlink (disk);
    g_unlink (serial_log);
    g_rmdir (work_dir);
  }
  virConnectClose (conn);
  return ret;
}
