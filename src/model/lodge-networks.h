/* lodge-networks.h: a host's virtual networks and interfaces, kept current
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A service of each LodgeHost (lodge_host_get_networks(), made on first
 * use): a GListModel of LodgeNetwork, sorted by name, and a GListModel of
 * the host's interfaces (LodgeHostInterface; the networks' own bridges
 * left out). Read on a worker
 * thread each time the connection is made, then again after each of
 * libvirt's network lifecycle events and each domain lifecycle event (which
 * machines a network serves comes from the machines' definitions). libvirt
 * lists interfaces only with an interface driver (udev or netcf); without
 * one a local host's come from /sys/class/net, and a remote host's are
 * unknown (interfaces-source tells which). Kept (stale) while the
 * connection is lost and retried; emptied when it is closed or fails.
 * Needs libvirt events on the main loop. Main thread only.
 *
 * Properties: n-items (uint), loaded (bool), error (GError boxed: why the
 * last listing failed, or NULL), interfaces-source (string: "libvirt",
 * "sysfs", or NULL while unknown).
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-network.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_NETWORKS (lodge_networks_get_type ())

G_DECLARE_FINAL_TYPE (LodgeNetworks, lodge_networks, LODGE, NETWORKS, GObject)

gboolean      lodge_networks_get_loaded            (LodgeNetworks *self);
const GError *lodge_networks_get_error             (LodgeNetworks *self);
/* The network with this name or uuid, or NULL (no new reference). */
LodgeNetwork *lodge_networks_lookup                (LodgeNetworks *self,
                                                    const char    *name_or_uuid);
/* A GListModel of LodgeHostInterface, by name. */
GListModel   *lodge_networks_get_interfaces        (LodgeNetworks *self);
const char   *lodge_networks_get_interfaces_source (LodgeNetworks *self);
/* A private IPv4 /24 ("192.168.N.0/24") that no listed network uses and
 * (a local host) no route of this computer reaches, as last read, for a new
 * network's default; the creation checks again. */
char         *lodge_networks_suggest_subnet        (LodgeNetworks *self);

/* Defines a network (mode "nat" or "isolated") on @subnet (IPv4 CIDR of
 * the network, e.g. "10.20.30.0/24": the host takes its first address),
 * with DHCP from @dhcp_start to @dhcp_end (both NULL: no DHCP), starts it
 * and, with @autostart, marks it to start with the host. Refused with
 * LODGE_MODEL_ERROR_INVALID_ARGUMENT, before anything is made, for a bad
 * name, a name taken, a malformed subnet or range, or a subnet that
 * overlaps another network's or (local hosts) a route of the host. When
 * starting fails, the definition is removed again. */
void          lodge_networks_create_async          (LodgeNetworks       *self,
                                                    const char          *name,
                                                    const char          *mode,
                                                    const char          *subnet,
                                                    const char          *dhcp_start,
                                                    const char          *dhcp_end,
                                                    gboolean             autostart,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean      lodge_networks_create_finish         (LodgeNetworks       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Start, stop, autostart, delete the network of this uuid. Stopping a
 * network that running machines use is refused (INVALID_STATE, naming
 * them) unless @force; deleting one is always refused. */
void          lodge_networks_run_action_async      (LodgeNetworks       *self,
                                                    const char          *uuid,
                                                    LodgeNetworkAction   action,
                                                    gboolean             force,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean      lodge_networks_run_action_finish     (LodgeNetworks       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
