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
#include "model/lodge-auth-prompt.h"

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

/* Authentication. One attempt to connect keeps what was asked during it,
 * whether the question came through libvirt's callback on the opening
 * worker or through the askpass server on the main thread. Thread-safe. */
typedef struct _LodgeAuthAttempt LodgeAuthAttempt;

typedef enum
{
  LODGE_AUTH_OUTCOME_NONE = 0,          /* the questions decided nothing */
  LODGE_AUTH_OUTCOME_CANCELLED,         /* the user cancelled a question */
  LODGE_AUTH_OUTCOME_HOST_KEY_REFUSED,  /* the user refused the host key */
  LODGE_AUTH_OUTCOME_GAVE_UP,           /* the host refused too many answers */
} LodgeAuthOutcome;

/* Questions of one kind in one attempt; the next one is not asked and
 * the attempt gives up (libvirt's libssh transport would ask without end,
 * and hangs once sshd stops listening). */
#define LODGE_AUTH_MAX_TRIES 3

LodgeAuthAttempt  *lodge_auth_attempt_new         (const char        *uri,
                                                   GCancellable      *cancellable);
LodgeAuthAttempt  *lodge_auth_attempt_ref         (LodgeAuthAttempt  *attempt);
void               lodge_auth_attempt_unref       (LodgeAuthAttempt  *attempt);
const char        *lodge_auth_attempt_get_uri     (LodgeAuthAttempt  *attempt);
/* What the questions decided; @host (may be NULL) gets the host the
 * refused key belongs to, as the prompt named it. */
LodgeAuthOutcome   lodge_auth_attempt_get_outcome (LodgeAuthAttempt  *attempt,
                                                   char             **host);
/* Whether a password or passphrase was sent in this attempt. */
gboolean           lodge_auth_attempt_get_secret_sent (LodgeAuthAttempt *attempt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeAuthAttempt, lodge_auth_attempt_unref)

typedef enum
{
  LODGE_AUTH_SOURCE_LIBVIRT,   /* answers "y"/"n" to a host key */
  LODGE_AUTH_SOURCE_OPENSSH,   /* answers "yes"/"no" */
} LodgeAuthSource;

/* One question crossing to the main thread, where a LodgeAuthRequest
 * wraps it. */
typedef struct _LodgeAuthExchange LodgeAuthExchange;

/* Takes @parsed. @attempt may be NULL. A question that comes once the
 * attempt was cancelled, or after too many answers of its kind, is born
 * finished (not answered): check lodge_auth_exchange_get_finished(). */
LodgeAuthExchange *lodge_auth_exchange_new   (LodgeAuthAttempt  *attempt,
                                              LodgeAuthSource    source,
                                              const char        *prompt,
                                              LodgeAuthPrompt   *parsed,
                                              gboolean           needs_username,
                                              gboolean           needs_password);
LodgeAuthExchange *lodge_auth_exchange_ref   (LodgeAuthExchange *exchange);
void               lodge_auth_exchange_unref (LodgeAuthExchange *exchange);
gboolean           lodge_auth_exchange_get_finished (LodgeAuthExchange *exchange);
/* Worker thread: waits for the answer; FALSE when cancelled (also through
 * the attempt's cancellable). The strings are the caller's: the shown
 * answer (user name, "y"/"n") and the hidden one (password). */
gboolean           lodge_auth_exchange_wait  (LodgeAuthExchange *exchange,
                                              char             **echo_answer,
                                              char             **secret_answer);
/* Called once, in @context (NULL: the thread's default), when the
 * exchange is finished: @answer is
 * what to send back (NULL when cancelled or withdrawn). */
typedef void     (*LodgeAuthExchangeDone)    (LodgeAuthExchange *exchange,
                                              const char        *answer,
                                              gpointer           user_data);
void               lodge_auth_exchange_set_done_func (LodgeAuthExchange     *exchange,
                                                      GMainContext          *context,
                                                      LodgeAuthExchangeDone  func,
                                                      gpointer               user_data);
/* Whoever asked does not wait any longer (ssh went away): the request is
 * withdrawn, not answered. */
void               lodge_auth_exchange_withdraw (LodgeAuthExchange *exchange);
/* Main thread. @connection may be NULL. */
LodgeAuthRequest  *lodge_auth_request_new    (LodgeAuthExchange *exchange,
                                              LodgeConnection   *connection);

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
/* The questions of the attempt to connect that is running, or NULL. */
LodgeAuthAttempt *lodge_connection_get_auth_attempt  (LodgeConnection  *self);
/* Emits ::authenticate, or cancels @request when nobody listens. */
void              lodge_connection_emit_authenticate (LodgeConnection  *self,
                                                      LodgeAuthRequest *request);
void              lodge_connection_machine_removed_by_action (LodgeConnection *self,
                                                              const char      *uuid);
/* Main-thread time the last stats tick cost, in µs (for the benchmark). */
gint64            lodge_connection_get_last_tick_usec (LodgeConnection *self);
/* Acts as if the daemon had gone away (close callback): for tests of the
 * reconnection on drivers that never close, like the test driver. */
void              lodge_connection_simulate_lost (LodgeConnection *self);
/* For tests of reads that end out of order: from now on, the first read
 * of each machine not listed yet waits, once it has read, until the held
 * reads are released (how many wait now: get_n_held_reads). And how many
 * reads are asked for and not done. */
void              lodge_connection_hold_first_reads    (LodgeConnection *self);
guint             lodge_connection_get_n_held_reads    (LodgeConnection *self);
void              lodge_connection_release_held_reads  (LodgeConnection *self);
guint             lodge_connection_get_n_refreshing (LodgeConnection *self);
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
