/* lodge-console.h: the console layer's public API
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "console/lodge-types.h"
#include "console/lodge-console-enums.h"
#include "console/lodge-framebuffer.h"
#include "console/lodge-display-source.h"
#include "console/lodge-spice-session.h"
#include "console/lodge-vnc-session.h"
#include "console/lodge-display.h"
#include "console/lodge-display-endpoint.h"
#include "console/lodge-serial-console.h"

G_BEGIN_DECLS

void lodge_console_prepare_process (void);

G_END_DECLS
