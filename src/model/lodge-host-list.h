/* lodge-host-list.h: the hosts Lodge knows, as a GListModel
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Item type LodgeHost, in the order they were added; one host per URI.
 * The application owns the list and keeps it in its settings; the model
 * knows nothing of settings. Main thread only.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_HOST_LIST (lodge_host_list_get_type ())

G_DECLARE_FINAL_TYPE (LodgeHostList, lodge_host_list, LODGE, HOST_LIST, GObject)

LodgeHostList *lodge_host_list_new      (void);
/* Appends @host; FALSE (nothing added) when a host of that URI is there. */
gboolean       lodge_host_list_add      (LodgeHostList *self,
                                         LodgeHost     *host);
/* Removes @host (and disconnects it); FALSE when it was not in the list. */
gboolean       lodge_host_list_remove   (LodgeHostList *self,
                                         LodgeHost     *host);
/* The host of @uri, or NULL (borrowed). */
LodgeHost     *lodge_host_list_lookup   (LodgeHostList *self,
                                         const char    *uri);
/* Position of @host, or -1. */
int            lodge_host_list_find     (LodgeHostList *self,
                                         LodgeHost     *host);

G_END_DECLS
