/* lodge-worker-private.h: a host's domains and storage, for worker threads
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The blocking operations that the model's own workers and the create
 * layer's (the machine creator's transaction) run on a host: look up,
 * define, start and remove domains; find, make and start a storage pool;
 * find, create, fill and delete volumes. libvirt stays behind opaque
 * handles, so that a layer using this header needs no libvirt of its own
 * (the model is the only layer that calls it). Errors are the model's one
 * conversion (lodge_model_set_error_from_virt): a domain, pool or volume
 * that does not exist is LODGE_MODEL_ERROR_NOT_FOUND. A call that is one
 * libvirt call gives libvirt's message alone (the caller says what it was
 * doing with g_prefix_error()); one of several steps says which failed.
 *
 * Threads: lodge_worker_connection_new() on the main thread, everything
 * else on one worker thread, handles freed there too (the last reference
 * to a libvirt connection may talk to the daemon).
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

typedef struct _LodgeWorkerConnection LodgeWorkerConnection;
typedef struct _LodgeWorkerDomain     LodgeWorkerDomain;
typedef struct _LodgeWorkerPool       LodgeWorkerPool;
typedef struct _LodgeWorkerVolume     LodgeWorkerVolume;

/* Connection ------------------------------------------------------------- */

/* Main thread: the connection's libvirt connection as it is now, for one
 * worker; NULL with LODGE_MODEL_ERROR_NOT_CONNECTED when not connected. */
LodgeWorkerConnection *lodge_worker_connection_new      (LodgeConnection       *connection,
                                                         GError               **error);
void                   lodge_worker_connection_free     (LodgeWorkerConnection *self);
/* FALSE once the daemon, or the link to it, is gone: calls failed for
 * that reason rather than for what they asked. */
gboolean               lodge_worker_connection_is_alive (LodgeWorkerConnection *self);

/* Domains ---------------------------------------------------------------- */

LodgeWorkerDomain *lodge_worker_domain_lookup_by_name  (LodgeWorkerConnection  *conn,
                                                        const char             *name,
                                                        GError                **error);
LodgeWorkerDomain *lodge_worker_domain_lookup_by_uuid  (LodgeWorkerConnection  *conn,
                                                        const char             *uuid,
                                                        GError                **error);
/* Whether a domain of that name exists; FALSE with @error when that
 * cannot be known (an error other than NOT_FOUND). */
gboolean           lodge_worker_domain_name_exists     (LodgeWorkerConnection  *conn,
                                                        const char             *name,
                                                        gboolean               *exists,
                                                        GError                **error);
/* A persistent definition (not started). */
LodgeWorkerDomain *lodge_worker_domain_define          (LodgeWorkerConnection  *conn,
                                                        const char             *xml,
                                                        GError                **error);
/* A transient domain, started. */
LodgeWorkerDomain *lodge_worker_domain_create_transient (LodgeWorkerConnection *conn,
                                                         const char            *xml,
                                                         GError               **error);
/* Starts a defined domain. */
gboolean           lodge_worker_domain_start           (LodgeWorkerDomain      *domain,
                                                        GError                **error);
/* Stops it at once (power off) if it runs, and undefines it with
 * everything libvirt keeps for it (lodge_virt_domain_undefine_all) if it
 * is persistent: the domain is gone unless this fails. */
gboolean           lodge_worker_domain_remove          (LodgeWorkerDomain      *domain,
                                                        GError                **error);
/* Newly allocated; NULL only if libvirt cannot say. */
char              *lodge_worker_domain_get_uuid        (LodgeWorkerDomain      *domain);
void               lodge_worker_domain_free            (LodgeWorkerDomain      *domain);

/* Storage pools ---------------------------------------------------------- */

LodgeWorkerPool   *lodge_worker_pool_lookup            (LodgeWorkerConnection  *conn,
                                                        const char             *name,
                                                        GError                **error);
/* A directory pool @name on @path: defined, built (its folder made with
 * its parents) and set to autostart when it does not exist, started (and
 * built again when its folder was removed) when it does not run, and
 * refreshed (files added behind libvirt's back, the free space). */
LodgeWorkerPool   *lodge_worker_pool_ensure            (LodgeWorkerConnection  *conn,
                                                        const char             *name,
                                                        const char             *path,
                                                        GError                **error);
/* Bytes free in the pool. */
gboolean           lodge_worker_pool_get_available     (LodgeWorkerPool        *pool,
                                                        guint64                *available,
                                                        GError                **error);
/* Whether the pool has a volume of that name. */
gboolean           lodge_worker_pool_has_volume        (LodgeWorkerPool        *pool,
                                                        const char             *name);
LodgeWorkerVolume *lodge_worker_pool_lookup_volume     (LodgeWorkerPool        *pool,
                                                        const char             *name,
                                                        GError                **error);
/* A new volume from libvirt's volume XML (no preallocation: a qcow2
 * stays thin). */
LodgeWorkerVolume *lodge_worker_pool_create_volume     (LodgeWorkerPool        *pool,
                                                        const char             *xml,
                                                        GError                **error);
void               lodge_worker_pool_free              (LodgeWorkerPool        *pool);

/* Volumes ---------------------------------------------------------------- */

/* The volume at @path in any pool of the host. */
LodgeWorkerVolume *lodge_worker_volume_lookup_by_path  (LodgeWorkerConnection  *conn,
                                                        const char             *path,
                                                        GError                **error);
const char        *lodge_worker_volume_get_name        (LodgeWorkerVolume      *volume);
/* Newly allocated. */
char              *lodge_worker_volume_get_path        (LodgeWorkerVolume      *volume,
                                                        GError                **error);
/* The size the guest sees, in bytes. */
gboolean           lodge_worker_volume_get_capacity    (LodgeWorkerVolume      *volume,
                                                        guint64                *capacity,
                                                        GError                **error);
/* Writes @data from the volume's start through libvirt's stream: works
 * for remote hosts too. */
gboolean           lodge_worker_volume_upload          (LodgeWorkerVolume      *volume,
                                                        const guint8           *data,
                                                        gsize                   len,
                                                        GError                **error);
gboolean           lodge_worker_volume_delete          (LodgeWorkerVolume      *volume,
                                                        GError                **error);
void               lodge_worker_volume_free            (LodgeWorkerVolume      *volume);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeWorkerConnection, lodge_worker_connection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeWorkerDomain, lodge_worker_domain_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeWorkerPool, lodge_worker_pool_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeWorkerVolume, lodge_worker_volume_free)

G_END_DECLS
