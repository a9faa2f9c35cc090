/* lodge-machine-item.h: one machine in the library's grid or list
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MACHINE_ITEM (lodge_machine_item_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMachineItem, lodge_machine_item, LODGE, MACHINE_ITEM, GtkWidget)

GtkWidget    *lodge_machine_item_new          (gboolean          list_layout);
LodgeMachine *lodge_machine_item_get_machine  (LodgeMachineItem *self);
void          lodge_machine_item_set_machine  (LodgeMachineItem *self,
                                               LodgeMachine     *machine);
/* Shows the machine menu pointing at (x, y) in the item's coordinates,
 * or at its centre when x < 0. */
void          lodge_machine_item_popup_menu   (LodgeMachineItem *self,
                                               GMenuModel       *menu,
                                               double            x,
                                               double            y);

/* Whether the item names the machine's host (All Machines). */
void          lodge_machine_item_set_show_host  (LodgeMachineItem *self,
                                                 gboolean          show_host);

G_END_DECLS
