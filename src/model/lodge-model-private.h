/* lodge-model-private.h: what the files of the model layer share
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "model/lodge-clone.h"
#include "model/lodge-model.h"
#include "model/lodge-host-capabilities.h"
#include "model/lodge-machine-editor.h"
#include "model/lodge-snapshots.h"

G_BEGIN_DECLS

#define LODGE_LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

/* What a worker thread reads about one domain: plain data, no GObject. */
typedef struct
{
  char              *uuid;
  char              *name;
  char              *title;
  char              *description;
  char              *os_id;
  LodgeMachineState  state;
  guint64            memory;        /* bytes */
  guint              vcpus;
  gboolean           persistent;
  gboolean           has_managed_save;
} LodgeMachineData;

void              lodge_machine_data_free   (LodgeMachineData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeMachineData, lodge_machine_data_free)

/* Worker thread only: reads everything the model shows about a domain. */
LodgeMachineData *lodge_machine_data_fetch  (virDomainPtr       domain,
                                             GError           **error);

/* Worker thread: the same for many domains, in their order, skipping those
 * that vanished; n_threads > 1 keeps that many requests in flight. */
GPtrArray        *lodge_machine_data_fetch_all (virDomainPtr *domains,
                                                int           n,
                                                guint         n_threads);

/* The model's one conversion of libvirt's thread-local last error into a
 * GError of LODGE_MODEL_ERROR (worker threads): the code mapped by
 * lodge_model_error_code_from_virt(), libvirt's message kept, libvirt's
 * error reset. @fallback (may be NULL) is the message when libvirt set
 * none. */
void              lodge_model_set_error_from_virt (GError     **error,
                                                   const char  *fallback);
/* The same with what was being done before libvirt's message: "@prefix:
 * message" (@prefix alone when libvirt set none). */
void              lodge_model_set_error_from_virt_prefixed (GError     **error,
                                                            const char  *prefix);
/* Pure: libvirt's error code (virErrorNumber) as a LodgeModelError: a
 * domain, snapshot, pool, volume, network… that does not exist is
 * NOT_FOUND; an operation invalid in the current state INVALID_STATE;
 * authentication cancelled or refused AUTH_CANCELLED / AUTH_FAILED; an
 * operation the driver does not support NOT_SUPPORTED; a bad argument
 * INVALID_ARGUMENT; anything else LIBVIRT. */
LodgeModelError   lodge_model_error_code_from_virt (int virt_code);
/* Worker threads: the connection's URI read once by lodge-uri, or NULL
 * when libvirt cannot say. */
LodgeUri         *lodge_virt_connect_get_uri     (virConnectPtr conn);
/* Silences libvirt's default error printing (errors become GErrors). */
void              lodge_model_init_libvirt        (void);

LodgeMachineState lodge_machine_state_from_virt (int      state,
                                                 int      reason,
                                                 gboolean has_managed_save);

/* Pure helpers, unit-tested. */
char             *lodge_parse_libosinfo_os_id  (const char *metadata_xml);

typedef struct
{
  char *path;     /* <source file=> or <source dev=>, or NULL */
  char *pool;     /* <source pool= volume=> */
  char *volume;
} LodgeDiskSource;

void              lodge_disk_source_free       (LodgeDiskSource *source);

/* The sources of the domain's device='disk' disks (never floppy or lun, and
 * no CD-ROM but Lodge's own express-install image), in document order;
 * NULL on malformed XML. */
GPtrArray        *lodge_parse_domain_disks     (const char  *domain_xml,
                                                GError     **error);

/* A credential question crossing from the opening worker thread to the
 * main thread, where a LodgeAuthRequest wraps it. */
typedef struct _LodgeAuthExchange LodgeAuthExchange;

LodgeAuthExchange *lodge_auth_exchange_new   (const char        *uri,
                                              const char        *prompt,
                                              gboolean           needs_username,
                                              gboolean           needs_password);
LodgeAuthExchange *lodge_auth_exchange_ref   (LodgeAuthExchange *exchange);
void               lodge_auth_exchange_unref (LodgeAuthExchange *exchange);
/* Worker thread: waits for the answer; FALSE when cancelled (also through
 * cancellable). The strings are the caller's. */
gboolean           lodge_auth_exchange_wait  (LodgeAuthExchange *exchange,
                                              GCancellable      *cancellable,
                                              char             **username,
                                              char             **password);
/* Main thread. */
LodgeAuthRequest  *lodge_auth_request_new    (LodgeAuthExchange *exchange);

/* LodgeMachine, main thread only. */
LodgeMachine     *lodge_machine_new            (LodgeConnection        *connection,
                                                const LodgeMachineData *data);
void              lodge_machine_update         (LodgeMachine           *self,
                                                const LodgeMachineData *data);
void              lodge_machine_set_state      (LodgeMachine           *self,
                                                LodgeMachineState       state);
void              lodge_machine_set_title      (LodgeMachine           *self,
                                                const char             *title);
void              lodge_machine_set_persistent (LodgeMachine           *self,
                                                gboolean                persistent);
void              lodge_machine_set_has_managed_save (LodgeMachine     *self,
                                                      gboolean          has_managed_save);
void              lodge_machine_set_last_used  (LodgeMachine           *self,
                                                gint64                  last_used);
/* Applies one stats sample; cpu-usage comes from the delta to the last one. */
void              lodge_machine_apply_sample   (LodgeMachine             *self,
                                                const LodgeMachineSample *sample);
void              lodge_machine_clear_stats    (LodgeMachine           *self);
/* The connection forgets the machine (removed, or the connection went away). */
void              lodge_machine_detach         (LodgeMachine           *self);
/* Bumped on every lifecycle event, so that a refresh that was read before the
 * latest event is not applied over it. */
guint             lodge_machine_bump_serial    (LodgeMachine           *self);
guint             lodge_machine_get_serial     (LodgeMachine           *self);

/* LodgeMachineList, main thread only. */
LodgeMachineList *lodge_machine_list_new       (void);
/* Appends the machines (LodgeMachine*) in one items-changed. */
void              lodge_machine_list_append    (LodgeMachineList *self,
                                                GPtrArray        *machines);
/* Removes the machine with this uuid; returns it (a new reference) or NULL. */
LodgeMachine     *lodge_machine_list_remove    (LodgeMachineList *self,
                                                const char       *uuid);
void              lodge_machine_list_clear     (LodgeMachineList *self);

/* LodgeConnection, main thread only. */
/* A new reference to the connection's virConnectPtr for a worker (close
 * it there with virConnectClose, or hand it to
 * lodge_virt_task_run_in_thread()), or NULL when not connected. Also
 * declared in lodge-connection.h until ui/lodge-console-target.c stops
 * calling libvirt itself. */
gpointer          lodge_connection_ref_virconnect (LodgeConnection *self);
/* The host that owns the connection (a weak pointer; NULL detaches). */
void              lodge_connection_set_host    (LodgeConnection *self,
                                                LodgeHost       *host);
void              lodge_connection_machine_removed_by_action (LodgeConnection *self,
                                                              const char      *uuid);
/* Main-thread time the last stats tick cost, in µs (for the benchmark). */
gint64            lodge_connection_get_last_tick_usec (LodgeConnection *self);
/* Acts as if the daemon had gone away (close callback): for tests of the
 * reconnection on drivers that never close, like the test driver. */
void              lodge_connection_simulate_lost (LodgeConnection *self);
/* Main-thread time the last (re)connection spent building and applying the
 * machine list, in µs (for the benchmark). */
gint64            lodge_connection_get_last_apply_usec (LodgeConnection *self);

/* The details objects on a virConnectPtr directly (a reference is taken)
 * rather than a LodgeMachine: for tests, which have no LodgeConnection. */
LodgeMachineEditor *lodge_machine_editor_new_for_virconnect (virConnectPtr  conn,
                                                             const char    *uuid);
LodgeSnapshots     *lodge_snapshots_new_for_virconnect      (virConnectPtr  conn,
                                                             const char    *uuid);
LodgeClone         *lodge_clone_new_for_virconnect          (virConnectPtr  conn,
                                                             const char    *uuid);

/* A host's services, made by its getters (main thread). They follow the
 * connection, which the host owns, through a weak pointer. */
LodgePendingCleanup   *lodge_pending_cleanup_new   (LodgeConnection *connection);
LodgeThrowawayWatcher *lodge_throwaway_watcher_new (LodgeConnection *connection);

/* LodgeHostCapabilities, worker threads. */

/* Reads the node info, capabilities, domain capabilities (KVM and QEMU,
 * the host's arch, q35) and the default network. */
LodgeHostCapabilities *lodge_host_capabilities_read (virConnectPtr   conn,
                                                     GError        **error);
/* The domain capabilities for another arch, machine type or virt type
 * ("kvm", "qemu"; NULL arch: the host's), read through @conn the first time
 * and kept with the capabilities. NULL when the host has none (the test
 * driver) or does not offer that combination. */
const LodgeDomainCapabilities *lodge_host_capabilities_lookup_domain (LodgeHostCapabilities *self,
                                                                      virConnectPtr          conn,
                                                                      const char            *arch,
                                                                      const char            *machine,
                                                                      const char            *virttype);

G_END_DECLS
