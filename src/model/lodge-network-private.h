/* lodge-network-private.h: what the network files of the model share
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Workers read networks into plain data (no GObject); the main thread
 * makes or updates the objects from it. The parsers and address helpers
 * are pure and unit-tested.
 */
#pragma once

#include "model/lodge-connection.h"
#include "model/lodge-networks.h"

G_BEGIN_DECLS

typedef struct
{
  char     *uuid;
  char     *name;
  gboolean  active;
  gboolean  persistent;
  gboolean  autostart;
  char     *forward_mode;
  char     *bridge;
  GStrv     addresses;
  GStrv     dhcp_ranges;
  GStrv     machines;
  GStrv     running_machines;
  GArray   *subnets;        /* LodgeIpv4Subnet of its IPv4 addresses */
} LodgeNetworkData;

void lodge_network_data_free (LodgeNetworkData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeNetworkData, lodge_network_data_free)

typedef struct
{
  char     *name;
  char     *mac;
  gboolean  active;
} LodgeHostInterfaceData;

void lodge_host_interface_data_free (LodgeHostInterfaceData *data);

/* An IPv4 subnet, host byte order. */
typedef struct
{
  guint32 network;
  guint   prefix;
} LodgeIpv4Subnet;

/* Fills forward_mode, bridge, addresses, dhcp_ranges and subnets from a
 * network's XML; FALSE when it is malformed. */
gboolean  lodge_network_parse_xml            (const char        *xml,
                                              LodgeNetworkData  *data);
/* The networks a domain's <interface type='network'> cards use, in
 * document order, no repeats; NULL on malformed XML. */
GStrv     lodge_network_parse_domain_networks (const char       *domain_xml);
/* "A.B.C.D" in host byte order; FALSE when it is not one. */
gboolean  lodge_network_parse_ipv4           (const char        *text,
                                              guint32           *address);
char     *lodge_network_format_ipv4          (guint32            address);
/* "A.B.C.D/N" with 8 <= N <= 30 and no host bits set;
 * LODGE_MODEL_ERROR_INVALID_ARGUMENT with a message that says why. */
gboolean  lodge_network_parse_subnet         (const char        *cidr,
                                              LodgeIpv4Subnet   *subnet,
                                              GError           **error);
gboolean  lodge_network_subnets_overlap      (const LodgeIpv4Subnet *a,
                                              const LodgeIpv4Subnet *b);
/* A DHCP range inside @subnet, above the host's address (the first) and
 * below the broadcast address, start <= end. */
gboolean  lodge_network_check_dhcp_range     (const LodgeIpv4Subnet *subnet,
                                              const char        *start,
                                              const char        *end,
                                              GError           **error);
/* A network name libvirt and the user can both live with: not empty, at
 * most 50 characters, no '/', no space or control characters. */
gboolean  lodge_network_check_name           (const char        *name,
                                              GError           **error);
/* The definition of a new network ("nat" or "isolated"). */
char     *lodge_network_build_xml            (const char        *name,
                                              const char        *mode,
                                              const LodgeIpv4Subnet *subnet,
                                              const char        *dhcp_start,
                                              const char        *dhcp_end);
/* The routes of /proc/net/route's text (LodgeIpv4Subnet), default route
 * left out. */
GArray   *lodge_network_parse_routes         (const char        *proc_net_route);

/* The physical interfaces under @root (/sys/class/net: those with a
 * device behind them), by name; blocking (a worker's, or a test's). */
GPtrArray *lodge_network_read_sysfs_interfaces (const char *root);

/* Main thread. */
LodgeNetwork       *lodge_network_new            (const LodgeNetworkData       *data);
void                lodge_network_update         (LodgeNetwork                 *self,
                                                  const LodgeNetworkData       *data);
LodgeHostInterface *lodge_host_interface_new     (const LodgeHostInterfaceData *data);

/* Made by lodge_host_get_networks(); follows the connection through a
 * weak pointer. @local: the host is this machine (its /sys and /proc tell
 * about its interfaces and routes). */
LodgeNetworks      *lodge_networks_new           (LodgeConnection              *connection,
                                                  gboolean                      local);

G_END_DECLS
