/* lodge-performance-section.h: a machine's performance and limits
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_PERFORMANCE_SECTION (lodge_performance_section_get_type ())

G_DECLARE_FINAL_TYPE (LodgePerformanceSection, lodge_performance_section, LODGE, PERFORMANCE_SECTION, AdwBin)

/* The details page's "Performance and Limits": priority, processor cap,
 * memory limit, disk and network rates first, the exact values one click
 * below; each shows what the running machine has and says when a change
 * waits for the next start. Reads and changes go through the machine's
 * editor on worker threads.
 *
 * Property: machine (LodgeMachine). */
GtkWidget    *lodge_performance_section_new         (void);
LodgeMachine *lodge_performance_section_get_machine (LodgePerformanceSection *self);
void          lodge_performance_section_set_machine (LodgePerformanceSection *self,
                                                     LodgeMachine            *machine);
/* Reads the values again (the details page does on each state change). */
void          lodge_performance_section_reload      (LodgePerformanceSection *self);

G_END_DECLS
