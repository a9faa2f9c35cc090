/* test-networks.c: a host's virtual networks (LodgeNetworks)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /networks/unit/parse, /networks/unit/sysfs (suite unit): the XML parsers, the
 * address checks, a local host's interfaces read from a sysfs-like tree.
 * /networks/test-driver (suite libvirt): the model on test:///default,
 * changed through a connection of the test's own as another program would;
 * the changes arrive through libvirt's events.
 * /networks/system (suite integration, LODGE_TEST_NETWORKS_SYSTEM=1, root):
 * the real system daemon: an isolated network lodge-test-PID-… on a free
 * 10.x subnet made, started, stopped and deleted through the model and
 * through virsh's library, the list following every change; bad input
 * refused with nothing left. /networks/separation: three small TCG guests
 * (tests/guest/make-guest.sh, lodge.mode=net, static addresses): two on
 * one isolated network reach each other, one on a second isolated network
 * reaches its own network's host address but not them, even with a route
 * (libvirt's firewall rules keep them apart), and the model names who is on
 * which network. Everything made is removed, also on failure.
 */
#define G_LOG_DOMAIN "test-networks"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lodge-model-test.h"
#include "lodge-test.h"
#include "lodge-test-domains.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-network-private.h"

#define TIMEOUT_MS 30000

static virConnectPtr system_conn;

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

static gboolean
networks_loaded (gpointer data)
{
  return lodge_networks_get_loaded (data);
}

static void
wait_loaded (LodgeNetworks *networks)
{
  if (!lodge_test_wait_until (networks_loaded, networks, TIMEOUT_MS))
    g_error ("The networks were never listed");
  g_assert_null (lodge_networks_get_error (networks));
}

typedef struct
{
  LodgeNetworks *networks;
  const char    *name;
  int            present;   /* -1: don't care */
  int            active;    /* -1: don't care */
  int            autostart; /* -1: don't care */
  const char    *machines;  /* joined by ",", NULL: don't care */
  const char    *running;   /* joined by ",", NULL: don't care */
} NetworkWait;

static gboolean
network_reached (gpointer data)
{
  NetworkWait *wait = data;
  LodgeNetwork *network = lodge_networks_lookup (wait->networks, wait->name);

  if (wait->present >= 0 && (network != NULL) != wait->present)
    return FALSE;
  if (network == NULL)
    return wait->present == 0;
  if (wait->active >= 0 && lodge_network_get_active (network) != wait->active)
    return FALSE;
  if (wait->autostart >= 0 && lodge_network_get_autostart (network) != wait->autostart)
    return FALSE;
  if (wait->machines != NULL)
    {
      g_autofree char *joined = g_strjoinv (",", (char **) lodge_network_get_machines (network));

      if (g_strcmp0 (joined, wait->machines) != 0)
        return FALSE;
    }
  if (wait->running != NULL)
    {
      g_autofree char *joined = g_strjoinv (",", (char **) lodge_network_get_running_machines (network));

      if (g_strcmp0 (joined, wait->running) != 0)
        return FALSE;
    }
  return TRUE;
}

static LodgeNetwork *
wait_network (NetworkWait wait)
{
  if (!lodge_test_wait_until (network_reached, &wait, TIMEOUT_MS))
    g_error ("Network %s never reached present=%d active=%d autostart=%d machines=%s running=%s",
             wait.name, wait.present, wait.active, wait.autostart,
             wait.machines ? wait.machines : "-", wait.running ? wait.running : "-");
  return lodge_networks_lookup (wait.networks, wait.name);
}

static gboolean
create_network (LodgeNetworks  *networks,
                const char     *name,
                const char     *mode,
                const char     *subnet,
                const char     *dhcp_start,
                const char     *dhcp_end,
                gboolean        autostart,
                GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_networks_create_async (networks, name, mode, subnet, dhcp_start, dhcp_end, autostart,
                               NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  return lodge_networks_create_finish (networks, result, error);
}

static gboolean
run_action (LodgeNetworks       *networks,
            LodgeNetwork        *network,
            LodgeNetworkAction   action,
            gboolean             force,
            GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_networks_run_action_async (networks, lodge_network_get_uuid (network), action, force,
                                   NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, TIMEOUT_MS);
  return lodge_networks_run_action_finish (networks, result, error);
}

/* Pure helpers -------------------------------------------------------------- */

static void
test_networks_parse (void)
{
  g_autoptr(LodgeNetworkData) data = g_new0 (LodgeNetworkData, 1);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) used = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(GArray) routes = NULL;
  LodgeIpv4Subnet subnet, other;
  guint32 address;

  /* NAT with a netmask, DHCP, and an IPv6 address listed after IPv4. */
  g_assert_true (lodge_network_parse_xml (
    "<network><name>n</name><forward mode='nat'/><bridge name='virbr0'/>"
    "<ip family='ipv6' address='fd00:1::1' prefix='64'/>"
    "<ip address='192.168.122.1' netmask='255.255.255.0'><dhcp>"
    "<range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>", data));
  g_assert_cmpstr (data->forward_mode, ==, "nat");
  g_assert_cmpstr (data->bridge, ==, "virbr0");
  g_assert_cmpstrv (data->addresses, ((const char *[]) { "192.168.122.1/24", "fd00:1::1/64", NULL }));
  g_assert_cmpstrv (data->dhcp_ranges, ((const char *[]) { "192.168.122.2-192.168.122.254", NULL }));
  g_assert_cmpuint (data->subnets->len, ==, 1);
  g_assert_cmpuint (g_array_index (data->subnets, LodgeIpv4Subnet, 0).network, ==, 0xc0a87a00);
  g_assert_cmpuint (g_array_index (data->subnets, LodgeIpv4Subnet, 0).prefix, ==, 24);

  /* No <forward>: isolated; <forward/> alone: NAT; a bridge to the host. */
  g_assert_true (lodge_network_parse_xml ("<network><name>i</name><ip address='10.1.0.1' prefix='16'/></network>", data));
  g_assert_cmpstr (data->forward_mode, ==, "isolated");
  g_assert_null (data->bridge);
  g_assert_cmpstrv (data->addresses, ((const char *[]) { "10.1.0.1/16", NULL }));
  g_assert_cmpstrv (data->dhcp_ranges, ((const char *[]) { NULL }));
  g_assert_true (lodge_network_parse_xml ("<network><name>d</name><forward/></network>", data));
  g_assert_cmpstr (data->forward_mode, ==, "nat");
  g_assert_true (lodge_network_parse_xml ("<network><name>b</name><forward mode='bridge'/>"
                                          "<bridge name='br0'/></network>", data));
  g_assert_cmpstr (data->forward_mode, ==, "bridge");
  g_assert_cmpstr (data->bridge, ==, "br0");
  g_assert_cmpuint (data->subnets->len, ==, 0);
  g_assert_false (lodge_network_parse_xml ("<domain/>", data));
  g_assert_false (lodge_network_parse_xml ("<network", data));

  /* The networks a machine's cards use: no repeats, bridges left out. */
  used = lodge_network_parse_domain_networks (
    "<domain><devices><interface type='network'><source network='a'/></interface>"
    "<interface type='bridge'><source bridge='br0'/></interface>"
    "<interface type='network'><source network='b'/></interface>"
    "<interface type='network'><source network='a'/></interface></devices></domain>");
  g_assert_cmpstrv (used, ((const char *[]) { "a", "b", NULL }));
  g_clear_pointer (&used, g_strfreev);
  used = lodge_network_parse_domain_networks ("<domain/>");
  g_assert_cmpstrv (used, ((const char *[]) { NULL }));
  g_assert_null (lodge_network_parse_domain_networks ("<network/>"));

  /* Addresses and subnets. */
  g_assert_true (lodge_network_parse_ipv4 ("10.0.255.1", &address));
  g_assert_cmpuint (address, ==, 0x0a00ff01);
  g_assert_false (lodge_network_parse_ipv4 ("10.0.256.1", &address));
  g_assert_false (lodge_network_parse_ipv4 ("10.0.1", &address));
  g_assert_false (lodge_network_parse_ipv4 ("10.0.1.1.", &address));
  g_assert_true (lodge_network_parse_subnet ("10.20.30.0/24", &subnet, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (subnet.network, ==, 0x0a141e00);
  g_assert_cmpuint (subnet.prefix, ==, 24);
  g_assert_false (lodge_network_parse_subnet ("10.20.30.5/24", &subnet, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "10.20.30.0/24"));
  g_clear_error (&error);
  g_assert_false (lodge_network_parse_subnet ("10.20.30.0/31", &subnet, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lodge_network_parse_subnet ("10.20.30.0", &subnet, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lodge_network_parse_subnet ("300.1.1.0/24", &subnet, &error));
  g_clear_error (&error);

  g_assert_true (lodge_network_parse_subnet ("10.20.0.0/16", &other, NULL));
  g_assert_true (lodge_network_subnets_overlap (&subnet, &other));
  g_assert_true (lodge_network_subnets_overlap (&other, &subnet));
  g_assert_true (lodge_network_parse_subnet ("10.21.0.0/16", &other, NULL));
  g_assert_false (lodge_network_subnets_overlap (&subnet, &other));

  /* DHCP ranges: inside, after the host's address, before broadcast. */
  g_assert_true (lodge_network_check_dhcp_range (&subnet, "10.20.30.2", "10.20.30.254", &error));
  g_assert_no_error (error);
  g_assert_false (lodge_network_check_dhcp_range (&subnet, "10.20.30.1", "10.20.30.9", &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lodge_network_check_dhcp_range (&subnet, "10.20.30.9", "10.20.30.255", &error));
  g_clear_error (&error);
  g_assert_false (lodge_network_check_dhcp_range (&subnet, "10.20.31.9", "10.20.31.20", &error));
  g_clear_error (&error);
  g_assert_false (lodge_network_check_dhcp_range (&subnet, "10.20.30.50", "10.20.30.40", &error));
  g_clear_error (&error);
  g_assert_false (lodge_network_check_dhcp_range (&subnet, "x", "10.20.30.40", &error));
  g_clear_error (&error);

  /* Names. */
  g_assert_true (lodge_network_check_name ("lab-1", NULL));
  g_assert_false (lodge_network_check_name ("", &error));
  g_clear_error (&error);
  g_assert_false (lodge_network_check_name ("a/b", &error));
  g_clear_error (&error);
  g_assert_false (lodge_network_check_name ("a b", &error));
  g_clear_error (&error);

  /* What is built is what is parsed. */
  xml = lodge_network_build_xml ("a&b", "isolated", &subnet, "10.20.30.100", "10.20.30.199");
  g_assert_true (lodge_network_parse_xml (xml, data));
  g_assert_cmpstr (data->forward_mode, ==, "isolated");
  g_assert_cmpstrv (data->addresses, ((const char *[]) { "10.20.30.1/24", NULL }));
  g_assert_cmpstrv (data->dhcp_ranges, ((const char *[]) { "10.20.30.100-10.20.30.199", NULL }));
  g_assert_nonnull (strstr (xml, "<name>a&amp;b</name>"));
  g_clear_pointer (&xml, g_free);
  xml = lodge_network_build_xml ("n", "nat", &subnet, NULL, NULL);
  g_assert_true (lodge_network_parse_xml (xml, data));
  g_assert_cmpstr (data->forward_mode, ==, "nat");
  g_assert_cmpstrv (data->dhcp_ranges, ((const char *[]) { NULL }));

  /* /proc/net/route as this kernel writes it (little-endian hex); the
   * default route is left out. */
  routes = lodge_network_parse_routes (
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "virbr0\t00000A0A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n");
  g_assert_cmpuint (routes->len, ==, 2);
  g_assert_cmpuint (g_array_index (routes, LodgeIpv4Subnet, 0).network, ==, 0xc0000200);
  g_assert_cmpuint (g_array_index (routes, LodgeIpv4Subnet, 0).prefix, ==, 24);
  g_assert_cmpuint (g_array_index (routes, LodgeIpv4Subnet, 1).network, ==, 0x0a0a0000);
  g_assert_cmpuint (g_array_index (routes, LodgeIpv4Subnet, 1).prefix, ==, 16);
}

/* Without an interface driver, a local host's interfaces come from sysfs:
 * a tree like /sys/class/net of the test's own. */
static void
test_networks_sysfs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("lodge-sysfs-XXXXXX", &error);
  const struct { const char *name; gboolean device; const char *mac; const char *state; } nets[] = {
    { "eth9", TRUE, "52:54:00:aa:bb:01\n", "up\n" },
    { "br9", FALSE, "52:54:00:aa:bb:02\n", "up\n" },
    { "lo", FALSE, "00:00:00:00:00:00\n", "unknown\n" },
    { "enp9s0", TRUE, "52:54:00:aa:bb:03\n", "down\n" },
  };
  g_autoptr(GPtrArray) datas = NULL;
  LodgeHostInterfaceData *data;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (nets); i++)
    {
      g_autofree char *dir = g_build_filename (root, nets[i].name, NULL);
      g_autofree char *address = g_build_filename (dir, "address", NULL);
      g_autofree char *state = g_build_filename (dir, "operstate", NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      g_assert_true (g_file_set_contents (address, nets[i].mac, -1, NULL));
      g_assert_true (g_file_set_contents (state, nets[i].state, -1, NULL));
      if (nets[i].device)
        {
          g_autofree char *device = g_build_filename (dir, "device", NULL);

          g_assert_cmpint (symlink (root, device), ==, 0);
        }
    }

  datas = lodge_network_read_sysfs_interfaces (root);
  g_assert_cmpuint (datas->len, ==, 2);
  data = g_ptr_array_index (datas, 0);
  g_assert_cmpstr (data->name, ==, "enp9s0");
  g_assert_cmpstr (data->mac, ==, "52:54:00:aa:bb:03");
  g_assert_false (data->active);
  data = g_ptr_array_index (datas, 1);
  g_assert_cmpstr (data->name, ==, "eth9");
  g_assert_cmpstr (data->mac, ==, "52:54:00:aa:bb:01");
  g_assert_true (data->active);
  g_clear_pointer (&datas, g_ptr_array_unref);

  datas = lodge_network_read_sysfs_interfaces ("/nonexistent/lodge");
  g_assert_cmpuint (datas->len, ==, 0);

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", root);

    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
}

/* The test driver ------------------------------------------------------------ */

static void
test_networks_test_driver (void)
{
  g_autoptr(LodgeHost) host = connect_host ("test:///default");
  LodgeNetworks *networks = lodge_host_get_networks (host);
  virConnectPtr conn = virConnectOpen ("test:///default");
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeHostInterface) iface = NULL;
  LodgeNetwork *dflt, *lab, *made;
  virNetworkPtr vlab;
  virDomainPtr domain;
  guint n_before;

  g_assert_nonnull (conn);
  g_assert_true (networks == lodge_host_get_networks (host));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (networks)) == LODGE_TYPE_NETWORK);
  wait_loaded (networks);

  /* test:///default's own network and interface, as libvirt has them. */
  dflt = lodge_networks_lookup (networks, "default");
  g_assert_nonnull (dflt);
  g_assert_true (dflt == lodge_networks_lookup (networks, lodge_network_get_uuid (dflt)));
  g_assert_true (lodge_network_get_active (dflt));
  g_assert_true (lodge_network_get_persistent (dflt));
  g_assert_cmpstr (lodge_network_get_forward_mode (dflt), ==, "nat");
  g_assert_cmpstr (lodge_network_get_bridge (dflt), ==, "virbr0");
  g_assert_cmpstrv (lodge_network_get_addresses (dflt), ((const char *[]) { "192.168.122.1/24", NULL }));
  g_assert_cmpstrv (lodge_network_get_dhcp_ranges (dflt),
                    ((const char *[]) { "192.168.122.2-192.168.122.254", NULL }));
  g_assert_cmpstr (lodge_networks_get_interfaces_source (networks), ==, "libvirt");
  g_assert_cmpuint (g_list_model_get_n_items (lodge_networks_get_interfaces (networks)), ==, 1);
  iface = g_list_model_get_item (lodge_networks_get_interfaces (networks), 0);
  g_assert_cmpstr (lodge_host_interface_get_name (iface), ==, "eth1");
  g_assert_cmpstr (lodge_host_interface_get_mac (iface), ==, "aa:bb:cc:dd:ee:ff");
  g_assert_true (lodge_host_interface_get_active (iface));

  /* Defined by another program: listed through the event, stopped. */
  n_before = g_list_model_get_n_items (G_LIST_MODEL (networks));
  vlab = virNetworkDefineXML (conn, "<network><name>lodge-lab</name>"
                                    "<ip address='10.55.0.1' prefix='24'/></network>");
  g_assert_nonnull (vlab);
  lab = wait_network ((NetworkWait) { networks, "lodge-lab", 1, 0, 0, NULL, NULL });
  g_assert_cmpstr (lodge_network_get_forward_mode (lab), ==, "isolated");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (networks)), ==, n_before + 1);
  /* Sorted by name: default, lodge-lab. */
  {
    g_autoptr(LodgeNetwork) first = g_list_model_get_item (G_LIST_MODEL (networks), 0);

    g_assert_true (first == dflt);
  }

  /* Started, autostarted through the model: the same object follows. */
  g_assert_true (run_action (networks, lab, LODGE_NETWORK_ACTION_START, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (lab == wait_network ((NetworkWait) { networks, "lodge-lab", 1, 1, -1, NULL, NULL }));
  g_assert_true (run_action (networks, lab, LODGE_NETWORK_ACTION_AUTOSTART_ON, FALSE, &error));
  wait_network ((NetworkWait) { networks, "lodge-lab", 1, 1, 1, NULL, NULL });

  /* A machine on it: listed as attached, then as running. */
  domain = virDomainDefineXML (conn,
    "<domain type='test'><name>lodge-lab-machine</name><memory>65536</memory>"
    "<os><type>hvm</type></os><devices>"
    "<interface type='network'><source network='lodge-lab'/></interface></devices></domain>");
  g_assert_nonnull (domain);
  wait_network ((NetworkWait) { networks, "lodge-lab", 1, 1, 1, "lodge-lab-machine", "" });
  g_assert_cmpint (virDomainCreate (domain), ==, 0);
  wait_network ((NetworkWait) { networks, "lodge-lab", 1, 1, 1, "lodge-lab-machine", "lodge-lab-machine" });

  /* Stop and delete refused while it runs, naming it; stop forced works. */
  g_assert_false (run_action (networks, lab, LODGE_NETWORK_ACTION_STOP, FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "lodge-lab-machine"));
  g_clear_error (&error);
  g_assert_false (run_action (networks, lab, LODGE_NETWORK_ACTION_DELETE, FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "lodge-lab-machine"));
  g_clear_error (&error);
  g_assert_nonnull (lodge_networks_lookup (networks, "lodge-lab"));
  g_assert_true (run_action (networks, lab, LODGE_NETWORK_ACTION_STOP, TRUE, &error));
  g_assert_no_error (error);
  wait_network ((NetworkWait) { networks, "lodge-lab", 1, 0, 1, NULL, NULL });
  g_assert_cmpint (virDomainDestroy (domain), ==, 0);
  wait_network ((NetworkWait) { networks, "lodge-lab", 1, 0, 1, "lodge-lab-machine", "" });

  /* Bad input: nothing made. */
  n_before = g_list_model_get_n_items (G_LIST_MODEL (networks));
  g_assert_false (create_network (networks, "lodge-new", "nat", "192.168.122.128/25", NULL, NULL, FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“default”"));
  g_clear_error (&error);
  g_assert_false (create_network (networks, "lodge-new", "isolated", "10.55.0.0/16", NULL, NULL, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "“lodge-lab”"));
  g_clear_error (&error);
  g_assert_false (create_network (networks, "lodge-lab", "isolated", "10.56.0.0/24", NULL, NULL, FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "exists already"));
  g_clear_error (&error);
  g_assert_false (create_network (networks, "lodge-new", "isolated", "10.56.0.7/24", NULL, NULL, FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (create_network (networks, "lodge-new", "isolated", "10.56.0.0/24",
                                  "10.56.1.2", "10.56.1.9", FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (create_network (networks, "bad/name", "isolated", "10.56.0.0/24", NULL, NULL, FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  {
    virNetworkPtr none = virNetworkLookupByName (conn, "lodge-new");

    g_assert_null (none);
    virResetLastError ();
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (networks)), ==, n_before);

  /* A good one: defined, running, autostarted, with its DHCP range. */
  {
    g_autofree char *suggested = lodge_networks_suggest_subnet (networks);

    g_assert_cmpstr (suggested, ==, "192.168.123.0/24");
  }
  g_assert_true (create_network (networks, "lodge-new", "nat", "192.168.123.0/24",
                                 "192.168.123.100", "192.168.123.199", TRUE, &error));
  g_assert_no_error (error);
  made = wait_network ((NetworkWait) { networks, "lodge-new", 1, 1, 1, "", "" });
  g_assert_cmpstr (lodge_network_get_forward_mode (made), ==, "nat");
  g_assert_true (lodge_network_get_persistent (made));
  g_assert_cmpstrv (lodge_network_get_addresses (made), ((const char *[]) { "192.168.123.1/24", NULL }));
  g_assert_cmpstrv (lodge_network_get_dhcp_ranges (made),
                    ((const char *[]) { "192.168.123.100-192.168.123.199", NULL }));
  {
    g_autofree char *suggested = lodge_networks_suggest_subnet (networks);

    g_assert_cmpstr (suggested, ==, "192.168.124.0/24");
  }

  /* Deleted: running or not, gone. */
  g_assert_true (run_action (networks, made, LODGE_NETWORK_ACTION_DELETE, FALSE, &error));
  g_assert_no_error (error);
  wait_network ((NetworkWait) { networks, "lodge-new", 0, -1, -1, NULL, NULL });
  g_assert_true (run_action (networks, lab, LODGE_NETWORK_ACTION_DELETE, FALSE, &error));
  g_assert_no_error (error);
  wait_network ((NetworkWait) { networks, "lodge-lab", 0, -1, -1, NULL, NULL });

  /* Disconnected: emptied; connected again: listed again. */
  g_object_ref (dflt);
  lodge_host_disconnect (host);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (networks)), ==, 0);
  g_assert_false (lodge_networks_get_loaded (networks));
  {
    g_autoptr(GAsyncResult) result = NULL;

    g_assert_false (run_action (networks, dflt, LODGE_NETWORK_ACTION_STOP, FALSE, &error));
    g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED);
    g_clear_error (&error);
    g_object_unref (dflt);
    lodge_host_connect_async (host, NULL, lodge_test_store_result_cb, &result);
    lodge_test_wait_result (&result, TIMEOUT_MS);
    g_assert_true (lodge_host_connect_finish (host, result, NULL));
    wait_loaded (networks);
    g_assert_nonnull (lodge_networks_lookup (networks, "default"));
  }

  virDomainUndefine (domain);
  virDomainFree (domain);
  virNetworkFree (vlab);
  g_clear_object (&host);
  virConnectClose (conn);
}

/* The real system daemon ---------------------------------------------------- */

#define SYSTEM_PREFIX "lodge-test-"

static gboolean
name_is_ours (const char *name)
{
  g_autofree char *prefix = g_strdup_printf (SYSTEM_PREFIX "%d-", (int) getpid ());

  return g_str_has_prefix (name, prefix);
}

/* libvirt 9.0 leaves a stopped network's dnsmasq pid file behind, and
 * once machines were on it its empty ports/ folder; removed once the
 * network is gone (only ours, by name). */
static void
remove_pid_file (const char *name)
{
  g_autofree char *path = g_strdup_printf ("/run/libvirt/network/%s.pid", name);
  g_autofree char *dir = g_strdup_printf ("/run/libvirt/network/%s", name);
  g_autofree char *ports = g_build_filename (dir, "ports", NULL);

  g_unlink (path);
  g_rmdir (ports);
  g_rmdir (dir);
}

static void
remove_system_networks (void)
{
  virNetworkPtr *list = NULL;
  int n;

  if (system_conn == NULL)
    return;
  n = virConnectListAllNetworks (system_conn, &list, 0);
  for (int i = 0; i < n; i++)
    {
      const char *name = virNetworkGetName (list[i]);

      if (name_is_ours (name))
        {
          if (virNetworkIsActive (list[i]) == 1)
            virNetworkDestroy (list[i]);
          if (virNetworkIsPersistent (list[i]) == 1)
            virNetworkUndefine (list[i]);
          remove_pid_file (name);
        }
      virNetworkFree (list[i]);
    }
  free (list);
  virResetLastError ();
}

static void
on_abort (int sig)
{
  signal (sig, SIG_DFL);
  lodge_test_remove_domains (system_conn, FALSE);
  remove_system_networks ();
  raise (sig);
}

/* Makes an isolated network @name on a free 10.x.y.0/24 (the model
 * refuses taken ones, so a few are tried, from @salt on); returns "10.x.y".
 * With @dhcp, machines get 10.x.y.100 to .199. */
static char *
create_free_network (LodgeNetworks *networks,
                     const char    *name,
                     gboolean       dhcp,
                     guint          salt)
{
  g_autoptr(GError) error = NULL;

  for (guint i = salt; i < salt + 64; i++)
    {
      guint second = 200 + ((guint) getpid () + i) % 50;
      guint third = ((guint) getpid () / 50 + i * 7) % 256;
      g_autofree char *prefix = g_strdup_printf ("10.%u.%u", second, third);
      g_autofree char *subnet = g_strdup_printf ("%s.0/24", prefix);
      g_autofree char *start = g_strdup_printf ("%s.100", prefix);
      g_autofree char *end = g_strdup_printf ("%s.199", prefix);

      if (create_network (networks, name, "isolated", subnet, dhcp ? start : NULL, dhcp ? end : NULL,
                          FALSE, &error))
        return g_steal_pointer (&prefix);
      g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s: %s", subnet, error->message);
      g_clear_error (&error);
    }
  g_error ("No free 10.x subnet for %s", name);
}

static void
test_networks_system (void)
{
  g_autoptr(LodgeHost) host = connect_host ("qemu:///system");
  LodgeNetworks *networks = lodge_host_get_networks (host);
  g_autofree char *name = g_strdup_printf (SYSTEM_PREFIX "%d-iso", (int) getpid ());
  g_autofree char *other_name = g_strdup_printf (SYSTEM_PREFIX "%d-other", (int) getpid ());
  g_autofree char *prefix = NULL;
  g_autofree char *subnet = NULL;
  g_autofree char *dhcp_start = NULL;
  g_autofree char *dhcp_end = NULL;
  g_autoptr(GError) error = NULL;
  LodgeNetwork *network;
  virNetworkPtr vnet;
  char *xml;

  wait_loaded (networks);
  /* The host's interfaces: from libvirt, or this machine's /sys. */
  g_assert_nonnull (lodge_networks_get_interfaces_source (networks));
  g_test_message ("interfaces from %s: %u", lodge_networks_get_interfaces_source (networks),
                  g_list_model_get_n_items (lodge_networks_get_interfaces (networks)));

  /* The host's own route is refused: nothing is defined. And the subnet
   * suggested for a new network is not one of them. */
  {
    g_autofree char *text = NULL;
    g_autofree char *suggested = lodge_networks_suggest_subnet (networks);
    g_autoptr(GArray) routes = NULL;
    LodgeIpv4Subnet subnet_suggested;

    g_assert_true (g_file_get_contents ("/proc/net/route", &text, NULL, NULL));
    routes = lodge_network_parse_routes (text);
    g_test_message ("suggested: %s", suggested);
    g_assert_true (lodge_network_parse_subnet (suggested, &subnet_suggested, NULL));
    for (guint i = 0; i < routes->len; i++)
      g_assert_false (lodge_network_subnets_overlap (&subnet_suggested,
                                                     &g_array_index (routes, LodgeIpv4Subnet, i)));
    if (routes->len > 0)
      {
        const LodgeIpv4Subnet *route = &g_array_index (routes, LodgeIpv4Subnet, 0);
        g_autofree char *address = lodge_network_format_ipv4 (route->network);
        g_autofree char *cidr = g_strdup_printf ("%s/%u", address, route->prefix);

        g_test_message ("a route of this host: %s", cidr);
        g_assert_false (create_network (networks, other_name, "isolated", cidr, NULL, NULL, FALSE, &error));
        g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
        g_test_message ("refused: %s", error->message);
        g_clear_error (&error);
        vnet = virNetworkLookupByName (system_conn, other_name);
        g_assert_null (vnet);
        virResetLastError ();
      }
  }

  prefix = create_free_network (networks, name, TRUE, 0);
  subnet = g_strdup_printf ("%s.0/24", prefix);
  dhcp_start = g_strdup_printf ("%s.100", prefix);
  dhcp_end = g_strdup_printf ("%s.199", prefix);
  g_test_message ("made %s on %s", name, subnet);
  network = wait_network ((NetworkWait) { networks, name, 1, 1, 0, "", "" });
  g_assert_cmpstr (lodge_network_get_forward_mode (network), ==, "isolated");
  g_assert_true (lodge_network_get_persistent (network));
  g_assert_nonnull (lodge_network_get_bridge (network));
  {
    g_autofree char *range = g_strdup_printf ("%s-%s", dhcp_start, dhcp_end);
    g_autofree char *address = g_strdup (subnet);

    strcpy (strrchr (address, '.'), ".1/24");
    g_assert_cmpstrv (lodge_network_get_addresses (network), ((const char *[]) { address, NULL }));
    g_assert_cmpstrv (lodge_network_get_dhcp_ranges (network), ((const char *[]) { range, NULL }));
  }
  /* libvirt runs it: its bridge exists on this machine, and is not listed
   * among the host's interfaces once the list follows. */
  {
    g_autofree char *path = g_build_filename ("/sys/class/net", lodge_network_get_bridge (network), NULL);
    GListModel *interfaces = lodge_networks_get_interfaces (networks);

    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    for (guint i = 0; i < g_list_model_get_n_items (interfaces); i++)
      {
        g_autoptr(LodgeHostInterface) iface = g_list_model_get_item (interfaces, i);

        g_assert_cmpstr (lodge_host_interface_get_name (iface), !=, lodge_network_get_bridge (network));
      }
  }

  /* The same subnet again: refused, naming the network that has it. */
  g_assert_false (create_network (networks, other_name, "nat", subnet, NULL, NULL, FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, name));
  g_clear_error (&error);

  /* Changed by another program: the list follows. */
  vnet = virNetworkLookupByName (system_conn, name);
  g_assert_nonnull (vnet);
  g_assert_cmpint (virNetworkDestroy (vnet), ==, 0);
  wait_network ((NetworkWait) { networks, name, 1, 0, 0, NULL, NULL });
  remove_pid_file (name);
  g_assert_cmpint (virNetworkCreate (vnet), ==, 0);
  wait_network ((NetworkWait) { networks, name, 1, 1, 0, NULL, NULL });

  /* Through the model: autostart, stop, start, delete. */
  g_assert_true (run_action (networks, network, LODGE_NETWORK_ACTION_AUTOSTART_ON, FALSE, &error));
  g_assert_no_error (error);
  wait_network ((NetworkWait) { networks, name, 1, 1, 1, NULL, NULL });
  {
    int autostart = 0;

    g_assert_cmpint (virNetworkGetAutostart (vnet, &autostart), ==, 0);
    g_assert_cmpint (autostart, ==, 1);
  }
  g_assert_true (run_action (networks, network, LODGE_NETWORK_ACTION_AUTOSTART_OFF, FALSE, &error));
  wait_network ((NetworkWait) { networks, name, 1, 1, 0, NULL, NULL });
  g_assert_true (run_action (networks, network, LODGE_NETWORK_ACTION_STOP, FALSE, &error));
  g_assert_no_error (error);
  wait_network ((NetworkWait) { networks, name, 1, 0, 0, NULL, NULL });
  g_assert_cmpint (virNetworkIsActive (vnet), ==, 0);
  remove_pid_file (name);
  g_assert_true (run_action (networks, network, LODGE_NETWORK_ACTION_START, FALSE, &error));
  g_assert_no_error (error);
  wait_network ((NetworkWait) { networks, name, 1, 1, 0, NULL, NULL });
  xml = virNetworkGetXMLDesc (vnet, 0);
  g_assert_nonnull (xml);
  g_assert_null (strstr (xml, "<forward"));
  free (xml);

  g_assert_true (run_action (networks, network, LODGE_NETWORK_ACTION_DELETE, FALSE, &error));
  g_assert_no_error (error);
  wait_network ((NetworkWait) { networks, name, 0, -1, -1, NULL, NULL });
  remove_pid_file (name);
  virNetworkFree (vnet);
  vnet = virNetworkLookupByName (system_conn, name);
  g_assert_null (vnet);
  virResetLastError ();

  g_clear_object (&host);
}

/* Machines on one network reach each other; on another they do not ------- */

static char *guest_dir;

static char *
guest_log (const char *name)
{
  return g_strdup_printf ("%s/logs/%s.serial.log", guest_dir, name);
}

/* A small TCG guest (tests/guest/make-guest.sh, lodge.mode=net) with a
 * card on @network, address @address/24; it pings @pings in turn and says
 * how each went on its serial line. Transient: gone once destroyed. */
static void
start_guest (const char *name,
             const char *network,
             const char *address,
             const char *route,
             const char *pings,
             guint       tries)
{
  g_autofree char *log = guest_log (name);
  g_autofree char *xml = NULL;
  virDomainPtr domain;

  g_unlink (log);
  xml = g_strdup_printf (
    "<domain type='qemu'>\n"
    "  <name>%s</name>\n"
    "  <memory unit='MiB'>128</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
    "    <kernel>%s/vmlinuz</kernel>\n"
    "    <initrd>%s/initrd.img</initrd>\n"
    "    <cmdline>console=ttyS0 quiet lodge.mode=net lodge.ip=%s/24 lodge.ping=%s lodge.tries=%u%s%s</cmdline>\n"
    "  </os>\n"
    "  <features><acpi/></features>\n"
    "  <on_poweroff>destroy</on_poweroff>\n"
    "  <devices>\n"
    "    <serial type='pty'><log file='%s' append='off'/></serial>\n"
    "    <interface type='network'><source network='%s'/><model type='virtio'/></interface>\n"
    "    <controller type='usb' model='none'/>\n"
    "    <memballoon model='none'/>\n"
    "  </devices>\n"
    "</domain>\n",
    name, guest_dir, guest_dir, address, pings, tries,
    route != NULL ? " lodge.route=" : "", route != NULL ? route : "", log, network);
  domain = virDomainCreateXML (system_conn, xml, 0);
  if (domain == NULL)
    g_error ("Could not start %s: %s", name, virGetLastErrorMessage ());
  virDomainFree (domain);
}

typedef struct
{
  const char *name;
  const char *line;
} LogWait;

static gboolean
log_has_line (gpointer data)
{
  LogWait *wait = data;
  g_autofree char *path = guest_log (wait->name);
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, wait->line) != NULL;
}

static char *
wait_log (const char *name,
          const char *line)
{
  LogWait wait = { name, line };
  g_autofree char *path = guest_log (name);
  char *text = NULL;

  /* TCG guests booting side by side on a loaded machine. */
  if (!lodge_test_wait_until (log_has_line, &wait, 180000))
    {
      g_file_get_contents (path, &text, NULL, NULL);
      g_error ("%s never said %s; its serial line:\n%s", name, line, text ? text : "(nothing)");
    }
  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

static void
destroy_guest (const char *name)
{
  virDomainPtr domain = virDomainLookupByName (system_conn, name);

  if (domain != NULL)
    {
      virDomainDestroy (domain);
      virDomainFree (domain);
    }
  virResetLastError ();
}

static void
test_networks_separation (void)
{
  g_autoptr(LodgeHost) host = connect_host ("qemu:///system");
  LodgeNetworks *networks = lodge_host_get_networks (host);
  int pid = (int) getpid ();
  g_autofree char *net_a = g_strdup_printf (SYSTEM_PREFIX "%d-a", pid);
  g_autofree char *net_b = g_strdup_printf (SYSTEM_PREFIX "%d-b", pid);
  g_autofree char *a1 = g_strdup_printf (SYSTEM_PREFIX "%d-a1", pid);
  g_autofree char *a2 = g_strdup_printf (SYSTEM_PREFIX "%d-a2", pid);
  g_autofree char *b1 = g_strdup_printf (SYSTEM_PREFIX "%d-b1", pid);
  g_autofree char *prefix_a = NULL;
  g_autofree char *prefix_b = NULL;
  g_autofree char *a1_ip = NULL, *a2_ip = NULL, *b1_ip = NULL;
  g_autofree char *gateway_a = NULL, *gateway_b = NULL;
  g_autofree char *pings = NULL, *route = NULL, *line = NULL;
  g_autofree char *log_a1 = NULL, *log_a2 = NULL, *log_b1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a_machines = NULL;
  LodgeNetwork *network;

  wait_loaded (networks);
  prefix_a = create_free_network (networks, net_a, FALSE, 0);
  prefix_b = create_free_network (networks, net_b, FALSE, 17);
  g_test_message ("%s on %s.0/24, %s on %s.0/24", net_a, prefix_a, net_b, prefix_b);
  a1_ip = g_strdup_printf ("%s.11", prefix_a);
  a2_ip = g_strdup_printf ("%s.12", prefix_a);
  b1_ip = g_strdup_printf ("%s.11", prefix_b);
  gateway_a = g_strdup_printf ("%s.1", prefix_a);
  gateway_b = g_strdup_printf ("%s.1", prefix_b);

  /* a1 first, so that it answers when the others ask. Each first reaches
   * its own network's host address: its card works. */
  start_guest (a1, net_a, a1_ip, NULL, gateway_a, 20);
  g_free (wait_log (a1, "LODGE-NET-READY"));
  pings = g_strdup_printf ("%s,%s", gateway_a, a1_ip);
  start_guest (a2, net_a, a2_ip, NULL, pings, 20);
  g_clear_pointer (&pings, g_free);
  /* b1 even routes a1's subnet through its own network's host address:
   * libvirt's rules still refuse to carry it across. */
  pings = g_strdup_printf ("%s,%s", gateway_b, a1_ip);
  route = g_strdup_printf ("%s.0/24@%s", prefix_a, gateway_b);
  start_guest (b1, net_b, b1_ip, route, pings, 8);

  /* The model names who is on which network. */
  a_machines = g_strdup_printf ("%s,%s", a1, a2);
  network = wait_network ((NetworkWait) { networks, net_a, 1, 1, -1, a_machines, a_machines });
  g_assert_nonnull (network);
  wait_network ((NetworkWait) { networks, net_b, 1, 1, -1, b1, b1 });

  log_a1 = wait_log (a1, "LODGE-PINGS-DONE");
  log_a2 = wait_log (a2, "LODGE-PINGS-DONE");
  log_b1 = wait_log (b1, "LODGE-PINGS-DONE");
  g_test_message ("a1:\n%s\na2:\n%s\nb1:\n%s", log_a1, log_a2, log_b1);

  line = g_strdup_printf ("LODGE-PING %s ok", gateway_a);
  g_assert_nonnull (strstr (log_a1, line));
  g_assert_nonnull (strstr (log_a2, line));
  g_clear_pointer (&line, g_free);
  /* Same network: a2 reaches a1. */
  line = g_strdup_printf ("LODGE-PING %s ok", a1_ip);
  g_assert_nonnull (strstr (log_a2, line));
  g_clear_pointer (&line, g_free);
  /* Another network: b1 works on its own, and does not reach a1. */
  line = g_strdup_printf ("LODGE-PING %s ok", gateway_b);
  g_assert_nonnull (strstr (log_b1, line));
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("LODGE-PING %s fail", a1_ip);
  g_assert_nonnull (strstr (log_b1, line));

  /* Deleting a network its machines run on is refused, naming them. */
  g_assert_false (run_action (networks, network, LODGE_NETWORK_ACTION_DELETE, FALSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, a1));
  g_assert_nonnull (strstr (error->message, a2));
  g_clear_error (&error);

  destroy_guest (a1);
  destroy_guest (a2);
  destroy_guest (b1);
  wait_network ((NetworkWait) { networks, net_a, 1, 1, -1, "", "" });
  g_assert_true (run_action (networks, network, LODGE_NETWORK_ACTION_DELETE, FALSE, &error));
  g_assert_no_error (error);
  network = lodge_networks_lookup (networks, net_b);
  g_assert_true (run_action (networks, network, LODGE_NETWORK_ACTION_DELETE, FALSE, &error));
  g_assert_no_error (error);
  wait_network ((NetworkWait) { networks, net_a, 0, -1, -1, NULL, NULL });
  wait_network ((NetworkWait) { networks, net_b, 0, -1, -1, NULL, NULL });
  remove_pid_file (net_a);
  remove_pid_file (net_b);
  g_clear_object (&host);
}

int
main (int   argc,
      char *argv[])
{
  gboolean system = g_strcmp0 (g_getenv ("LODGE_TEST_NETWORKS_SYSTEM"), "1") == 0;
  int ret;

  g_test_init (&argc, &argv, NULL);
  lodge_test_quiet_debug ();
  lodge_model_init_libvirt ();
  lodge_connection_init_events ();

  if (system)
    {
      if (geteuid () != 0)
        lodge_test_skip_all ("the system daemon's networks need root");
      system_conn = virConnectOpen ("qemu:///system");
      if (system_conn == NULL)
        lodge_test_skip_all ("no libvirtd answers on qemu:///system");
      {
        g_autofree char *dnsmasq = g_find_program_in_path ("dnsmasq");

        if (dnsmasq == NULL && !g_file_test ("/usr/sbin/dnsmasq", G_FILE_TEST_IS_EXECUTABLE))
          lodge_test_skip_all ("dnsmasq is not installed (package dnsmasq-base)");
      }
      signal (SIGABRT, on_abort);
      signal (SIGSEGV, on_abort);
      signal (SIGTERM, on_abort);
      signal (SIGINT, on_abort);
      g_test_add_func ("/networks/system", test_networks_system);
      /* Real guests: the small test guest of tests/guest/make-guest.sh. */
      guest_dir = g_strdup (g_getenv ("LODGE_GUEST_DIR"));
      if (guest_dir == NULL || g_getenv ("LODGE_MAKE_GUEST") == NULL)
        lodge_test_skip_all ("run through meson: LODGE_GUEST_DIR and LODGE_MAKE_GUEST are not set");
      lodge_test_prepare_guest (g_getenv ("LODGE_MAKE_GUEST"), guest_dir);
      {
        g_autofree char *logs = g_build_filename (guest_dir, "logs", NULL);

        g_mkdir_with_parents (logs, 0755);
      }
      g_test_add_func ("/networks/separation", test_networks_separation);
    }
  else
    {
      g_test_add_func ("/networks/unit/parse", test_networks_parse);
      g_test_add_func ("/networks/unit/sysfs", test_networks_sysfs);
      g_test_add_func ("/networks/test-driver", test_networks_test_driver);
    }

  ret = g_test_run ();

  lodge_test_remove_domains (system_conn, FALSE);
  remove_system_networks ();
  if (system_conn != NULL)
    virConnectClose (system_conn);
  return ret;
}
