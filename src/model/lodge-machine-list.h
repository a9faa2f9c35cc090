/* lodge-machine-list.h: the machines of one connection as a GListModel
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MACHINE_LIST (lodge_machine_list_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMachineList, lodge_machine_list, LODGE, MACHINE_LIST, GObject)

/* Implements GListModel with item type LodgeMachine. Order is the order
 * machines were added; sorting and filtering belong to the UI.
 * Properties: n-items, n-running (machines with a running QEMU: running,
 * paused, suspended, shutting down; notified on change). */
LodgeMachine *lodge_machine_list_lookup_uuid (LodgeMachineList *self,
                                              const char       *uuid);
guint         lodge_machine_list_get_n_running (LodgeMachineList *self);

G_END_DECLS
