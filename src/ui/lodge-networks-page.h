/* lodge-networks-page.h: a host's virtual networks and interfaces
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_NETWORKS_PAGE (lodge_networks_page_get_type ())

G_DECLARE_FINAL_TYPE (LodgeNetworksPage, lodge_networks_page, LODGE, NETWORKS_PAGE, GtkWidget)

/* The networks of the host's LodgeNetworks (name, mode, subnets, DHCP
 * range, state, autostart, the machines that use each) with start, stop,
 * autostart and delete on each row and New Network…, and the host's
 * interfaces. Kept current by the model's events. Content only: no header
 * bar.
 *
 * Actions (on the page): networks.new, networks.start (s: uuid),
 * networks.stop (s), networks.delete (s: asks first), networks.autostart
 * ((sb): uuid, on). */
GtkWidget  *lodge_networks_page_new               (LodgeHost         *host);
LodgeHost  *lodge_networks_page_get_host          (LodgeNetworksPage *self);

/* For tests and screenshots: which page shows ("loading", "disconnected",
 * "error", "networks"); the visible texts of a network's row, one per
 * line (NULL: not listed); the interfaces' rows' texts; the last error
 * shown in a toast (NULL: none yet); the New Network dialog open now. */
const char *lodge_networks_page_get_visible_page  (LodgeNetworksPage *self);
char       *lodge_networks_page_dup_network_text  (LodgeNetworksPage *self,
                                                   const char        *name);
char       *lodge_networks_page_dup_interfaces_text (LodgeNetworksPage *self);
const char *lodge_networks_page_get_last_error    (LodgeNetworksPage *self);
GtkWindow  *lodge_networks_page_get_dialog        (LodgeNetworksPage *self);

G_END_DECLS
