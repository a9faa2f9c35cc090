/* lodge-machine-page.h: the page of one opened machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MACHINE_PAGE (lodge_machine_page_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMachinePage, lodge_machine_page, LODGE, MACHINE_PAGE, GtkWidget)

LodgeMachine *lodge_machine_page_get_machine (LodgeMachinePage *self);
void          lodge_machine_page_set_machine (LodgeMachinePage *self,
                                              LodgeMachine     *machine);
void          lodge_machine_page_set_menu    (LodgeMachinePage *self,
                                              GMenuModel       *menu);

G_END_DECLS
