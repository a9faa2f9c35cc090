/* lodge-domain-builder.h: a machine spec in, libvirt domain XML out
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "create/lodge-create-types.h"

G_BEGIN_DECLS

/* Pure: no I/O, the same spec always gives the same bytes. The disk is
 * written only when disk-path is set (the creator sets it to the volume it
 * made). Errors: LODGE_CREATE_ERROR_INVALID_NAME / _INVALID_CONFIG. */
char *lodge_domain_builder_build (LodgeMachineSpec  *spec,
                                  GError           **error);

G_END_DECLS
