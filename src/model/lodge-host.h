/* lodge-host.h: one libvirt host (one URI) and everything Lodge knows of it
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A LodgeHost owns its LodgeConnection (and through it the machines), the
 * history of their figures, the host's capabilities, read once per
 * connection on a worker thread, and the host's services (the pending
 * cleanup of failed creations, the throwaway watcher, the storage pools,
 * the virtual networks).
 * Main thread only.
 *
 * Properties: uri (string, construct), label (string: the user's name for
 * the host, NULL: none), autoconnect (bool), connection, machines, state
 * (LodgeConnectionState, the connection's), error (GError boxed, the
 * connection's last one), disconnected-by-user (bool: closed on purpose),
 * capabilities (LodgeHostCapabilities boxed, NULL until read), n-machines,
 * n-running.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-host-capabilities.h"
#include "model/lodge-pending-cleanup.h"
#include "model/lodge-stats-history.h"
#include "model/lodge-networks.h"
#include "model/lodge-storage.h"
#include "model/lodge-throwaway-watcher.h"
#include "model/lodge-types.h"
#include "model/lodge-uri.h"

G_BEGIN_DECLS

#define LODGE_TYPE_HOST (lodge_host_get_type ())

G_DECLARE_FINAL_TYPE (LodgeHost, lodge_host, LODGE, HOST, GObject)

/* NULL with LODGE_MODEL_ERROR_INVALID_ARGUMENT when @uri is not a libvirt
 * URI. Nothing is opened yet. */
LodgeHost            *lodge_host_new                 (const char    *uri,
                                                      GError       **error);

LodgeUri             *lodge_host_get_uri             (LodgeHost     *self);
const char           *lodge_host_get_uri_string      (LodgeHost     *self);
const char           *lodge_host_get_label           (LodgeHost     *self);
void                  lodge_host_set_label           (LodgeHost     *self,
                                                      const char    *label);
gboolean              lodge_host_get_autoconnect     (LodgeHost     *self);
void                  lodge_host_set_autoconnect     (LodgeHost     *self,
                                                      gboolean       autoconnect);
LodgeConnection      *lodge_host_get_connection      (LodgeHost     *self);
LodgeMachineList     *lodge_host_get_machines        (LodgeHost     *self);
LodgeStatsHistory    *lodge_host_get_stats_history   (LodgeHost     *self);
LodgeConnectionState  lodge_host_get_state           (LodgeHost     *self);
const GError         *lodge_host_get_error           (LodgeHost     *self);
gboolean              lodge_host_get_disconnected_by_user (LodgeHost *self);
/* The host's services, made on first use and kept while the host lives:
 * the record of what failed creations left (run each time the connection
 * is made, and after every reconnection), and the watcher that deletes
 * throwaway machines' overlays. */
LodgePendingCleanup  *lodge_host_get_pending_cleanup   (LodgeHost     *self);
LodgeThrowawayWatcher *lodge_host_get_throwaway_watcher (LodgeHost    *self);
/* The host's storage pools, made on first use and kept while the host
 * lives (a GListModel of LodgeStoragePool; see lodge-storage.h). */
LodgeStorage         *lodge_host_get_storage         (LodgeHost     *self);
/* The host's virtual networks and interfaces, made on first use and kept
 * while the host lives (see lodge-networks.h). */
LodgeNetworks        *lodge_host_get_networks        (LodgeHost     *self);
/* The capabilities read since the last (re)connection, or NULL. */
LodgeHostCapabilities *lodge_host_get_capabilities   (LodgeHost     *self);
guint                 lodge_host_get_n_machines      (LodgeHost     *self);
guint                 lodge_host_get_n_running       (LodgeHost     *self);

/* Opens the connection (nothing when it is open or opening); completes
 * once connected and listed, or with the error. A host that cannot be
 * reached keeps trying by itself with back-off; one whose user refused to
 * authenticate waits for the next connect. */
void                  lodge_host_connect_async       (LodgeHost          *self,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean              lodge_host_connect_finish      (LodgeHost          *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
/* Closes the connection on purpose: no reconnection until connect. */
void                  lodge_host_disconnect          (LodgeHost     *self);

/* The capabilities, read now if they are not known yet (several callers
 * share one read). */
void                  lodge_host_get_capabilities_async  (LodgeHost          *self,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
LodgeHostCapabilities *lodge_host_get_capabilities_finish (LodgeHost         *self,
                                                          GAsyncResult       *result,
                                                          GError            **error);

/* The host a connection belongs to (NULL for a connection made without
 * one, as some tests do). */
LodgeHost            *lodge_connection_get_host      (LodgeConnection *connection);
/* The host of a machine, through its connection. */
LodgeHost            *lodge_machine_get_host         (LodgeMachine    *machine);

G_END_DECLS
