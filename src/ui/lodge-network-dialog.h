/* lodge-network-dialog.h: making a virtual network
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_NETWORK_DIALOG (lodge_network_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LodgeNetworkDialog, lodge_network_dialog, LODGE, NETWORK_DIALOG, AdwWindow)

/* Name, NAT or isolated, IPv4 subnet (a free one suggested), DHCP range
 * (filled from the subnet), start with the host. Create makes it through
 * the model; a refusal shows in the dialog, which stays open. Emits
 * "created" (the network's name) and closes once it is made. */
LodgeNetworkDialog *lodge_network_dialog_new       (LodgeNetworks      *networks);

/* For tests: fill the fields (NULL: leave as is; @mode "nat" or
 * "isolated"), the Create button, the error shown (NULL: none), whether a
 * creation runs. */
void                lodge_network_dialog_fill      (LodgeNetworkDialog *self,
                                                    const char         *name,
                                                    const char         *mode,
                                                    const char         *subnet,
                                                    const char         *dhcp_start,
                                                    const char         *dhcp_end);
GtkWidget          *lodge_network_dialog_get_create_button (LodgeNetworkDialog *self);
const char         *lodge_network_dialog_get_error (LodgeNetworkDialog *self);
gboolean            lodge_network_dialog_get_busy  (LodgeNetworkDialog *self);

G_END_DECLS
