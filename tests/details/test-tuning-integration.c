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
#include "tuning-test-util.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-machine-editor.h"
#include "model/lodge-model-private.h"
#include "model/lodge-machine-tuning.h"
#include "../common/lodge-test.h"


static LodgeMachineEditor *editor;

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
  /* More than the 20 % cap let through (≤ 30 % asserted there); a loaded
   * host may give the guest far less than a whole core. */
  return usage > 0.30;
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
  g_clear_pointer (&xml, g_free);
  /* And the running definition libvirt keeps beside QEMU. */
  {
    virDomainPtr dom = virDomainLookupByName (conn, name);

    xml = virDomainGetXMLDesc (dom, 0);
    virDomainFree (dom);
  }
  g_assert_nonnull (strstr (xml, "<total_bytes_sec>2097152</total_bytes_sec>"));
  g_assert_nonnull (strstr (xml, "<read_iops_sec>200</read_iops_sec>"));

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

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  details_test_init_libvirt ();

  tuning_test_start_guest ();
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
  tuning_test_stop_guest ();
  return ret;
}
