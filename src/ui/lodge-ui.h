/* lodge-ui.h: the ui layer's public headers
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ui/lodge-application.h"
#include "ui/lodge-window.h"
