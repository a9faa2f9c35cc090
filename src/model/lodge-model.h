/* lodge-model.h: the model layer's public headers
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "model/lodge-types.h"
#include "model/lodge-auth-request.h"
#include "model/lodge-connection.h"
#include "model/lodge-host.h"
#include "model/lodge-host-capabilities.h"
#include "model/lodge-host-list.h"
#include "model/lodge-state-store.h"
#include "model/lodge-uri.h"
#include "model/lodge-machine.h"
#include "model/lodge-machine-graphics.h"
#include "model/lodge-machine-list.h"
#include "model/lodge-pending-cleanup.h"
#include "model/lodge-network.h"
#include "model/lodge-networks.h"
#include "model/lodge-storage.h"
#include "model/lodge-storage-pool.h"
#include "model/lodge-storage-volume.h"
#include "model/lodge-throwaway-watcher.h"
#include "model/lodge-migration.h"
#include "model/lodge-text-console.h"
#include "model/lodge-model-enums.h"
