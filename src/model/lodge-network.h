/* lodge-network.h: one virtual network of a host, and one host interface
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Made and updated by the host's LodgeNetworks: the same object for the
 * same uuid while the network is listed, its properties changed in place
 * (one notify each) after libvirt's events. Main thread only.
 *
 * LodgeNetwork properties (read-only): name, uuid, active, persistent,
 * autostart, forward-mode (the XML's <forward mode=>: "nat", "route",
 * "open", "bridge", "private", "vepa", "passthrough", "hostdev"; "isolated"
 * without <forward>), bridge (the bridge's name or NULL), addresses (GStrv
 * of "ADDRESS/PREFIX", the host's address on the network: IPv4 first),
 * dhcp-ranges (GStrv of "START-END"), machines (GStrv: the machines whose
 * definition attaches a card to it, by name), running-machines (GStrv: those
 * of them that run).
 *
 * LodgeHostInterface properties (read-only): name, mac, active.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_NETWORK (lodge_network_get_type ())

G_DECLARE_FINAL_TYPE (LodgeNetwork, lodge_network, LODGE, NETWORK, GObject)

const char         *lodge_network_get_name             (LodgeNetwork *self);
const char         *lodge_network_get_uuid             (LodgeNetwork *self);
gboolean            lodge_network_get_active           (LodgeNetwork *self);
gboolean            lodge_network_get_persistent       (LodgeNetwork *self);
gboolean            lodge_network_get_autostart        (LodgeNetwork *self);
const char         *lodge_network_get_forward_mode     (LodgeNetwork *self);
const char         *lodge_network_get_bridge           (LodgeNetwork *self);
const char * const *lodge_network_get_addresses        (LodgeNetwork *self);
const char * const *lodge_network_get_dhcp_ranges      (LodgeNetwork *self);
const char * const *lodge_network_get_machines         (LodgeNetwork *self);
const char * const *lodge_network_get_running_machines (LodgeNetwork *self);

/* Pure: the DHCP range a new network on @subnet ("A.B.C.0/N") gets by
 * default: its 100th to 254th addresses on a /24 or larger, else its 2nd
 * to the last before broadcast. FALSE when @subnet is not a subnet. */
gboolean            lodge_network_default_dhcp_range   (const char  *subnet,
                                                        char       **start,
                                                        char       **end);

#define LODGE_TYPE_HOST_INTERFACE (lodge_host_interface_get_type ())

G_DECLARE_FINAL_TYPE (LodgeHostInterface, lodge_host_interface, LODGE, HOST_INTERFACE, GObject)

const char *lodge_host_interface_get_name   (LodgeHostInterface *self);
const char *lodge_host_interface_get_mac    (LodgeHostInterface *self);
gboolean    lodge_host_interface_get_active (LodgeHostInterface *self);

G_END_DECLS
