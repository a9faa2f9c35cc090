/* lodge-connection.h: one libvirt connection and the machines it holds
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-state-store.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

/* Signals (all on the main thread):
 *   authenticate (LodgeAuthRequest *request)  libvirt asks for credentials
 *   disconnected ()   the daemon went away; state is RECONNECTING, the
 *                     machine list is kept (stale) and retried with back-off
 *   reconnected ()    connected again; the list was reconciled in place
 *                     (same LodgeMachine objects for the same uuids)
 *   stats-updated ()  after each stats tick, once every machine's cpu-usage,
 *                     memory-used and sample are updated
 * Properties: uri, hostname, state (LodgeConnectionState), error (GError
 * boxed, may be NULL), machines, stats-interval (uint, s), reconnect-delay
 * (uint, s: wait before the next attempt while RECONNECTING). */
#define LODGE_TYPE_CONNECTION (lodge_connection_get_type ())

G_DECLARE_FINAL_TYPE (LodgeConnection, lodge_connection, LODGE, CONNECTION, GObject)

/* Must be called once, on the main thread, before the first connection is
 * opened: libvirt's events then arrive on the default GLib main context. */
void                 lodge_connection_init_events      (void);

/* The URI the application should use when none is given: qemu:///system
 * when running as root, else qemu:///session. */
const char          *lodge_connection_default_uri      (void);

LodgeConnection     *lodge_connection_new              (const char           *uri);
const char          *lodge_connection_get_uri          (LodgeConnection      *self);
/* Short human name: the host name for remote URIs, "This computer" style
 * names are the UI's business (NULL for local URIs such as qemu:///system). */
const char          *lodge_connection_get_hostname     (LodgeConnection      *self);
LodgeConnectionState lodge_connection_get_state        (LodgeConnection      *self);
/* The last open/reconnect error, or NULL. */
const GError        *lodge_connection_get_error        (LodgeConnection      *self);
/* A GListModel of LodgeMachine; valid for the connection's whole life,
 * filled once connected, kept across reconnections. */
LodgeMachineList    *lodge_connection_get_machines     (LodgeConnection      *self);

/* Opens the URI on a worker thread. Completes when connected and the
 * machine list is filled, or with the error. Afterwards the connection
 * follows libvirt's events and reconnects by itself if the daemon goes away. */
void                 lodge_connection_open_async       (LodgeConnection      *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean             lodge_connection_open_finish      (LodgeConnection      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* Closes on purpose: no reconnection. The machine list is emptied. */
void                 lodge_connection_close            (LodgeConnection      *self);
/* Skip the back-off wait and try to reconnect now (a "Retry" button). */
void                 lodge_connection_reconnect_now    (LodgeConnection      *self);
/* When the next attempt starts (g_get_monotonic_time () µs) while a lost
 * or unreachable host is retried with back-off; 0 when none is planned.
 * Changes are notified through reconnect-delay. */
gint64               lodge_connection_get_retry_time   (LodgeConnection      *self);

/* Seconds between two stats ticks; 0 stops statistics. Default 2. While
 * fast stats are held, get returns 1 and a set takes effect on release. */
guint                lodge_connection_get_stats_interval (LodgeConnection    *self);
void                 lodge_connection_set_stats_interval (LodgeConnection    *self,
                                                          guint               seconds);
/* While held (counted: several views may hold at once) the stats tick
 * every second, for live graphs; the interval above comes back after the
 * last release, also when it was changed meanwhile. */
void                 lodge_connection_hold_fast_stats    (LodgeConnection    *self);
void                 lodge_connection_release_fast_stats (LodgeConnection    *self);
/* How many virConnectGetAllDomainStats calls were made: for tests and
 * benchmarks that check one call per tick. */
guint64              lodge_connection_get_stats_calls    (LodgeConnection    *self);

/* Reads statistics now (unless a tick is already running) without waiting
 * for the next tick; works also with an interval of 0. */
void                 lodge_connection_update_stats_now   (LodgeConnection    *self);

/* Where "last used" times are kept between runs (shared by every host's
 * connection): read for each machine listed, written when one starts.
 * NULL: not kept. */
void                 lodge_connection_set_state_store  (LodgeConnection      *self,
                                                        LodgeStateStore      *store);
LodgeStateStore     *lodge_connection_get_state_store  (LodgeConnection      *self);

/* Finds a machine by name, title or UUID string; NULL when none. */
LodgeMachine        *lodge_connection_lookup_machine   (LodgeConnection      *self,
                                                        const char           *name_or_uuid);

G_END_DECLS
