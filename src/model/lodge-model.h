/* lodge-model.h: the model layer's public headers
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "model/lodge-types.h"
#include "model/lodge-auth-request.h"
#include "model/lodge-connection.h"
#include "model/lodge-machine.h"
#include "model/lodge-machine-graphics.h"
#include "model/lodge-machine-list.h"
#include "model/lodge-model-enums.h"
