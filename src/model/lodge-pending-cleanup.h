/* lodge-pending-cleanup.h: what a failed creation could not remove yet
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_PENDING_CLEANUP (lodge_pending_cleanup_get_type ())

G_DECLARE_FINAL_TYPE (LodgePendingCleanup, lodge_pending_cleanup, LODGE, PENDING_CLEANUP, GObject)

/* A service of each LodgeHost (lodge_host_get_pending_cleanup()). When
 * the daemon goes away in the middle of a creation, the creator cannot
 * remove what it had made (a volume, a definition). It writes those down
 * in a small record, $XDG_STATE_HOME/lodge/pending-cleanups.ini (one group
 * per connection URI: domains by UUID, which the creator picks before
 * defining; volumes as "pool/name"), so that they are removed later even
 * if Lodge is closed in between. The host runs the record each time its
 * connection is made (the first time, and after every reconnection);
 * lodge_pending_cleanup_run() runs it now. Only what a creation made
 * itself is listed.
 *
 * Signals (main thread):
 *   finished (guint n_pending)  after each run: what is still listed
 */
/* Tries now. */
void                 lodge_pending_cleanup_run           (LodgePendingCleanup *self);
/* What was left after the last run (0 before the first). */
guint                lodge_pending_cleanup_get_n_pending (LodgePendingCleanup *self);

/* Adds to the record (any thread; blocking file I/O: worker threads).
 * domain_uuids and volumes ("pool/name") may be NULL or empty. */
gboolean             lodge_pending_cleanup_record        (const char          *uri,
                                                          const char * const  *domain_uuids,
                                                          const char * const  *volumes,
                                                          GError             **error);
/* What the record lists for uri (any thread, blocking), for tests: domain
 * UUIDs and "pool/name" volumes, each NULL-terminated (maybe empty). */
void                 lodge_pending_cleanup_list          (const char          *uri,
                                                          char              ***domain_uuids,
                                                          char              ***volumes);

/* The same from a record's bytes (any bytes; pure, any thread): only
 * entries of the creator's shapes, a UUID or "pool/name"; each list
 * NULL-terminated (maybe empty). */
void                 lodge_pending_cleanup_parse         (const char          *data,
                                                          gsize                len,
                                                          const char          *uri,
                                                          char              ***domain_uuids,
                                                          char              ***volumes);

G_END_DECLS
