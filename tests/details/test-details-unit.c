/* test-details-unit.c: the stats history's arithmetic and ring, clone name
 * suggestions (suite "unit": no libvirt, no display)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-details-unit"

#include "config.h"

#include <string.h>

#include "model/lodge-clone.h"
#include "model/lodge-machine-config.h"
#include "model/lodge-machine-tuning.h"
#include "model/lodge-stats-history.h"

#define UUID "00000000-0000-0000-0000-00000000000a"
#define SEC  G_USEC_PER_SEC

static void
test_rates (void)
{
  g_autoptr(LodgeStatsHistory) history = lodge_stats_history_new (NULL);
  LodgeMachineSample sample = { 0 };
  double values[8];
  gint64 times[8];
  double value;

  /* One sample is no rate yet. */
  sample.timestamp = 10 * SEC;
  sample.vcpus = 2;
  sample.cpu_time = 1000000000;
  lodge_stats_history_add_sample (history, UUID, &sample);
  g_assert_false (lodge_stats_history_get_last (history, UUID, LODGE_STATS_CPU, &value));
  g_assert_cmpuint (lodge_stats_history_get_n_keys (history), ==, 1);

  /* 2 s later: 1 s of CPU on 2 vCPUs in 2 s = 25 %; 4 MB read = 2 MB/s. */
  sample.timestamp = 12 * SEC;
  sample.cpu_time += 1000000000;
  sample.memory_used = 512 << 20;
  sample.block_rd_bytes = 4000000;
  sample.block_wr_bytes = 1000;
  sample.net_rx_bytes = 200;
  sample.net_tx_bytes = 0;
  lodge_stats_history_add_sample (history, UUID, &sample);
  g_assert_true (lodge_stats_history_get_last (history, UUID, LODGE_STATS_CPU, &value));
  g_assert_cmpfloat_with_epsilon (value, 25.0, 0.001);
  g_assert_true (lodge_stats_history_get_last (history, UUID, LODGE_STATS_MEMORY, &value));
  g_assert_cmpfloat_with_epsilon (value, 512 << 20, 1.0);
  g_assert_true (lodge_stats_history_get_last (history, UUID, LODGE_STATS_DISK_READ, &value));
  g_assert_cmpfloat_with_epsilon (value, 2000000.0, 1.0);
  g_assert_true (lodge_stats_history_get_last (history, UUID, LODGE_STATS_DISK_WRITE, &value));
  g_assert_cmpfloat_with_epsilon (value, 500.0, 0.01);
  g_assert_true (lodge_stats_history_get_last (history, UUID, LODGE_STATS_NET_RX, &value));
  g_assert_cmpfloat_with_epsilon (value, 100.0, 0.01);

  /* The same sample twice (a tick that did not read this machine) adds
   * nothing. */
  lodge_stats_history_add_sample (history, UUID, &sample);
  g_assert_cmpuint (lodge_stats_history_get_series (history, UUID, LODGE_STATS_CPU, values, times, 8), ==, 1);

  /* More than 100 % (clock skew) is clamped. */
  sample.timestamp = 13 * SEC;
  sample.cpu_time += 5000000000;
  lodge_stats_history_add_sample (history, UUID, &sample);
  g_assert_true (lodge_stats_history_get_last (history, UUID, LODGE_STATS_CPU, &value));
  g_assert_cmpfloat (value, ==, 100.0);

  /* A restart: counters start over; no negative rate, no sample. */
  sample.timestamp = 14 * SEC;
  sample.cpu_time = 10;
  sample.block_rd_bytes = 0;
  lodge_stats_history_add_sample (history, UUID, &sample);
  g_assert_cmpuint (lodge_stats_history_get_series (history, UUID, LODGE_STATS_CPU, values, times, 8), ==, 2);
  sample.timestamp = 15 * SEC;
  sample.cpu_time = 10 + 500000000;
  lodge_stats_history_add_sample (history, UUID, &sample);
  g_assert_cmpuint (lodge_stats_history_get_series (history, UUID, LODGE_STATS_DISK_READ, values, times, 8), ==, 3);
  g_assert_cmpfloat (values[2], ==, 0.0);
  g_assert_cmpint (times[2], ==, 15 * SEC);
  g_assert_cmpfloat_with_epsilon (lodge_stats_history_get_last (history, UUID, LODGE_STATS_CPU, &value) ? value : -1,
                                  25.0, 0.001);

  /* Unknown keys have nothing. */
  g_assert_cmpuint (lodge_stats_history_get_series (history, "nope", LODGE_STATS_CPU, values, NULL, 8), ==, 0);
  g_assert_false (lodge_stats_history_get_last (history, LODGE_STATS_HOST_KEY, LODGE_STATS_CPU, NULL));
}

/* A machine that moved to another host keeps its graphs there: the old
 * host's samples, then the new host's, whose counters start afresh. */
static void
test_adopt (void)
{
  g_autoptr(LodgeStatsHistory) there = lodge_stats_history_new (NULL);
  g_autoptr(LodgeStatsHistory) here = lodge_stats_history_new (NULL);
  LodgeMachineSample sample = { 0 };
  double values[16];
  gint64 times[16];
  guint n;

  sample.vcpus = 1;
  for (guint i = 0; i <= 4; i++)
    {
      sample.timestamp = (gint64) i * SEC;
      sample.cpu_time = (guint64) i * 500000000;   /* 50 % */
      lodge_stats_history_add_sample (there, UUID, &sample);
    }
  /* On its new host: a new QEMU, counters from 0. */
  sample.timestamp = 6 * SEC;
  sample.cpu_time = 100;
  lodge_stats_history_add_sample (here, UUID, &sample);
  sample.timestamp = 7 * SEC;
  sample.cpu_time = 100 + 250000000;           /* 25 % */
  lodge_stats_history_add_sample (here, UUID, &sample);

  lodge_stats_history_adopt (here, there, UUID);
  n = lodge_stats_history_get_series (here, UUID, LODGE_STATS_CPU, values, times, G_N_ELEMENTS (values));
  g_assert_cmpuint (n, ==, 5);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpfloat_with_epsilon (values[i], 50.0, 0.001);
      g_assert_cmpint (times[i], ==, (gint64) (i + 1) * SEC);
    }
  g_assert_cmpfloat_with_epsilon (values[4], 25.0, 0.001);
  g_assert_cmpint (times[4], ==, 7 * SEC);

  /* The next sample here still has a rate from this host's last one. */
  sample.timestamp = 8 * SEC;
  sample.cpu_time += 750000000;                /* 75 % */
  lodge_stats_history_add_sample (here, UUID, &sample);
  g_assert_true (lodge_stats_history_get_last (here, UUID, LODGE_STATS_CPU, &values[0]));
  g_assert_cmpfloat_with_epsilon (values[0], 75.0, 0.001);

  /* Nothing to adopt: nothing changes. */
  lodge_stats_history_adopt (here, there, "nope");
  g_assert_cmpuint (lodge_stats_history_get_n_keys (here), ==, 1);
}

static void
test_ring (void)
{
  g_autoptr(LodgeStatsHistory) history = lodge_stats_history_new (NULL);
  LodgeMachineSample sample = { 0 };
  double values[LODGE_STATS_HISTORY_LENGTH + 10];
  gint64 times[LODGE_STATS_HISTORY_LENGTH + 10];
  guint n;

  sample.vcpus = 1;
  /* 400 one-second ticks, the machine using i % 100 percent in tick i. */
  for (guint i = 0; i <= 400; i++)
    {
      sample.timestamp = (gint64) i * SEC;
      if (i > 0)
        sample.cpu_time += (guint64) (i % 100) * 10000000;
      lodge_stats_history_add_sample (history, UUID, &sample);
    }

  n = lodge_stats_history_get_series (history, UUID, LODGE_STATS_CPU, values, times, G_N_ELEMENTS (values));
  g_assert_cmpuint (n, ==, LODGE_STATS_HISTORY_LENGTH);
  /* Oldest first: ticks 101..400. */
  for (guint i = 0; i < n; i++)
    {
      guint tick = 101 + i;

      g_assert_cmpint (times[i], ==, (gint64) tick * SEC);
      g_assert_cmpfloat_with_epsilon (values[i], (double) (tick % 100), 0.01);
    }

  /* Asking for fewer gives the newest. */
  n = lodge_stats_history_get_series (history, UUID, LODGE_STATS_CPU, values, times, 3);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (times[2], ==, 400 * SEC);
  g_assert_cmpint (times[0], ==, 398 * SEC);
}

static void
test_suggest_name (void)
{
  const char *none[] = { NULL };
  const char *taken[] = { "web-clone", "web-clone-2", NULL };
  g_autofree char *a = lodge_clone_suggest_name ("web", none);
  g_autofree char *b = lodge_clone_suggest_name ("web", taken);
  g_autofree char *c = lodge_clone_suggest_name ("web", NULL);

  g_assert_cmpstr (a, ==, "web-clone");
  g_assert_cmpstr (b, ==, "web-clone-3");
  g_assert_cmpstr (c, ==, "web-clone");
}

/* Definitions other tools write can hold anything: mutate the rich test
 * machines at random (deterministic seed) and parse every result. Nothing
 * may crash, and what parses keeps the invariants the UI relies on. */
static void
test_config_mutations (void)
{
  static const char *tokens[] = {
    "<disk/>", "<source/>", "<target dev=''/>", "<interface type='network'><mac/></interface>",
    "<boot order='x'/>", "<vcpu current='-1'>0</vcpu>", "<memory unit='EiB'>99999999999999</memory>",
    "<hostdev mode='subsystem' type='usb'><source><vendor id=''/></source></hostdev>",
    "<graphics type='spice'><listen/><gl/></graphics>", "<os firmware='efi'><firmware><feature/></firmware></os>",
    "<video><model><acceleration/></model></video>", "<disk device='cdrom' type='volume'><source pool='p'/></disk>",
    "<metadata><libosinfo:libosinfo xmlns:libosinfo='x'><libosinfo:os/></libosinfo:libosinfo></metadata>",
    " type='", "'", "<", ">", "&amp;", "é", " dev='vda'",
  };
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "rich-node.xml", NULL);
  g_autofree char *node = NULL;
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);
  guint parsed = 0;
  const char *at;

  g_assert_true (g_file_get_contents (path, &node, NULL, NULL));
  for (at = strstr (node, "<domain"); at != NULL; at = strstr (at + 1, "<domain"))
    {
      const char *end = strstr (at, "</domain>");

      g_assert_nonnull (end);
      g_ptr_array_add (domains, g_strndup (at, end + strlen ("</domain>") - at));
    }
  g_assert_cmpuint (domains->len, ==, 3);

  for (guint n = 0; n < 2000; n++)
    {
      g_autoptr(GString) xml = g_string_new (g_ptr_array_index (domains, g_rand_int_range (rand, 0, domains->len)));
      g_autoptr(LodgeMachineConfig) config = NULL;
      g_autoptr(GError) error = NULL;
      guint edits = g_rand_int_range (rand, 1, 7);

      for (guint e = 0; e < edits; e++)
        {
          guint pos = g_rand_int_range (rand, 0, xml->len + 1);

          if (g_rand_boolean (rand))
            g_string_insert (xml, pos, tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))]);
          else
            {
              gsize cut = (gsize) g_rand_int_range (rand, 1, 40);

              g_string_erase (xml, pos, MIN (cut, xml->len - pos));
            }
        }

      config = lodge_machine_config_new_from_xml (xml->str, &error);
      if (config == NULL)
        {
          g_assert_nonnull (error);
          continue;
        }
      parsed++;
      g_assert_cmpuint (lodge_machine_config_get_vcpus (config), >=, 1);
      g_assert_cmpuint (lodge_machine_config_get_vcpus (config), <=, lodge_machine_config_get_max_vcpus (config));
      g_assert_nonnull (lodge_machine_config_get_boot_devices (config));
      for (guint i = 0; i < lodge_machine_config_get_devices (config)->len; i++)
        {
          LodgeDevice *device = g_ptr_array_index (lodge_machine_config_get_devices (config), i);

          g_assert_nonnull (device->summary);
          g_assert_nonnull (device->xml);
          g_assert_nonnull (device->element);
          lodge_device_is_editable (device);
          if (device->target != NULL && (device->kind == LODGE_DEVICE_KIND_DISK
                                         || device->kind == LODGE_DEVICE_KIND_CDROM))
            g_assert_cmpstr (lodge_machine_config_find_disk (config, device->target)->target, ==, device->target);
          if (device->mac != NULL && device->kind == LODGE_DEVICE_KIND_INTERFACE)
            g_assert_nonnull (lodge_machine_config_find_interface (config, device->mac));
        }
    }
  g_test_message ("%u of 2000 mutated definitions parsed", parsed);
  g_assert_cmpuint (parsed, >, 0);
}

/* Priority names and weights, on cgroup v1 (1024) and v2 (100) hosts. */
static void
test_priority (void)
{
  const guint64 defaults[] = { 1024, 100 };

  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    {
      guint64 d = defaults[i];

      g_assert_cmpuint (lodge_cpu_priority_get_shares (LODGE_CPU_PRIORITY_NORMAL, d), ==, d);
      g_assert_cmpuint (lodge_cpu_priority_get_shares (LODGE_CPU_PRIORITY_LOW, d), ==, d / 4);
      g_assert_cmpuint (lodge_cpu_priority_get_shares (LODGE_CPU_PRIORITY_HIGH, d), ==, d * 4);
      for (LodgeCpuPriority p = LODGE_CPU_PRIORITY_LOW; p <= LODGE_CPU_PRIORITY_HIGH; p++)
        g_assert_cmpint (lodge_cpu_priority_from_shares (lodge_cpu_priority_get_shares (p, d), d), ==, p);
      /* Not set: the host's default. Anything else is custom. */
      g_assert_cmpint (lodge_cpu_priority_from_shares (0, d), ==, LODGE_CPU_PRIORITY_NORMAL);
      g_assert_cmpint (lodge_cpu_priority_from_shares (d + 1, d), ==, LODGE_CPU_PRIORITY_CUSTOM);
    }
  /* The smallest weight cgroup v1 takes is 2. */
  g_assert_cmpuint (lodge_cpu_priority_get_shares (LODGE_CPU_PRIORITY_LOW, 4), ==, 2);
}

static void
test_cap (void)
{
  LodgeTuningValues v = { 0 };

  g_assert_cmpuint (lodge_tuning_values_get_cap (&v), ==, 0);
  v.vcpu_quota = -1;
  v.vcpu_period = 100000;
  g_assert_cmpuint (lodge_tuning_values_get_cap (&v), ==, 0);
  v.vcpu_quota = 20000;
  g_assert_cmpuint (lodge_tuning_values_get_cap (&v), ==, 20);
  /* Another period: the share is what counts. */
  v.vcpu_period = 50000;
  v.vcpu_quota = 25000;
  g_assert_cmpuint (lodge_tuning_values_get_cap (&v), ==, 50);
  /* A tiny quota is still a cap. */
  v.vcpu_period = 1000000;
  v.vcpu_quota = 1000;
  g_assert_cmpuint (lodge_tuning_values_get_cap (&v), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/details/stats-history/rates", test_rates);
  g_test_add_func ("/details/stats-history/ring", test_ring);
  g_test_add_func ("/details/stats-history/adopt", test_adopt);
  g_test_add_func ("/details/clone/suggest-name", test_suggest_name);
  g_test_add_func ("/details/config/mutations", test_config_mutations);
  g_test_add_func ("/details/tuning/priority", test_priority);
  g_test_add_func ("/details/tuning/cap", test_cap);

  return g_test_run ();
}
