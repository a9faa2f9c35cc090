/* lodge-connection.c: one libvirt connection and the machines it holds
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libvirt-glib/libvirt-glib.h>

#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-uri.h"

#define RECONNECT_DELAY_MIN   1
#define RECONNECT_DELAY_MAX  30
#define KEEPALIVE_INTERVAL    5
#define KEEPALIVE_COUNT       3
/* A call that waited longer than the keepalive allows, and then some. */
/* A statistics call that waited this long: the host is not answering.
 * Shorter than the keepalive's give-up time (interval × (count + 1)): see
 * lodge_connection_stall_timeout_cb(). */
#define STALL_SECONDS         12
/* How long a closing session waits for the calls in flight on it: longer
 * than the keepalive takes to end them on a host that stopped answering. */
#define CLOSE_WAIT_SECONDS    30

#define STATS_TYPES (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | \
                     VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU | \
                     VIR_DOMAIN_STATS_BLOCK | VIR_DOMAIN_STATS_INTERFACE)

/* A Session is one virConnectPtr with its event registrations. libvirt's
 * callbacks hold references to the session, never to the LodgeConnection,
 * so a connection can go away while libvirt still holds callbacks: they
 * see owner == NULL and do nothing. */
typedef struct
{
  gatomicrefcount   ref;
  virConnectPtr     conn;
  LodgeConnection  *owner;       /* main thread; NULL once detached */
  int               lifecycle_id;
  int               metadata_id;
  gboolean          close_registered;
  gboolean          ready;       /* its machine list has been applied */
  guint             id;          /* distinguishes results of an older session */
  GHashTable       *pending;     /* uuids of events that came before ready */
} Session;

struct _LodgeConnection
{
  GObject               parent_instance;

  char                 *uri;
  char                 *hostname;
  LodgeConnectionState  state;
  GError               *error;
  LodgeMachineList     *machines;
  GMainContext         *context;

  Session              *session;        /* connected and ready, or NULL */
  guint                 generation;     /* bumped on close: stale results are dropped */
  guint                 n_sessions;     /* gives each session its id */
  GTask                *open_task;      /* the caller's open_async, while in progress */
  GCancellable         *attempt_cancellable;
  LodgeAuthAttempt     *auth_attempt;   /* the questions of the running attempt */
  gulong                open_cancelled_id;
  GCancellable         *open_cancellable;
  gboolean              attempt_running;
  gboolean              was_connected;  /* since the last open_async () */
  guint                 retry_source;
  guint                 reconnect_delay;

  guint                 stats_interval;
  /* While > 0 the stats tick every second, whatever stats_interval says. */
  guint                 fast_stats_holds;
  guint                 stats_source;
  gboolean              stats_running;
  guint64               stats_calls;
  gint64                last_tick_usec;
  guint                 stall_source;   /* the running tick takes too long */
  gint64                last_apply_usec;

  guint                 change_serial;  /* bumped by each refresh request and removal */
  GHashTable           *removed;        /* uuid -> change_serial when removed */
  GHashTable           *applied;        /* uuid -> change_serial of the newest refresh applied */
  guint                 n_refreshing;   /* refreshes asked for, not done */
  struct ReadGate      *first_read_gate;  /* tests: holds the first read of a new machine */
  GHashTable           *gate_given;       /* tests: uuids whose first read it held */

  LodgeStateStore      *state_store;    /* "last used", shared by every host */

  LodgeHost            *host;           /* weak: the host owns the connection */
  gint64                retry_time;     /* monotonic µs of the next attempt; 0 none */
};

static void read_gate_unref (struct ReadGate *gate);

G_DEFINE_FINAL_TYPE (LodgeConnection, lodge_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_HOSTNAME,
  PROP_STATE,
  PROP_ERROR,
  PROP_MACHINES,
  PROP_STATS_INTERVAL,
  PROP_RECONNECT_DELAY,
  N_PROPS
};

enum {
  AUTHENTICATE,
  DISCONNECTED,
  RECONNECTED,
  STATS_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void lodge_connection_start_attempt   (LodgeConnection *self);
static void lodge_connection_refresh_machine (LodgeConnection *self,
                                              const char      *uuid);
static void lodge_connection_update_stats_timer (LodgeConnection *self);

/* Sessions */

static Session *
session_new (virConnectPtr    conn,
             LodgeConnection *owner)
{
  Session *session = g_new0 (Session, 1);

  g_atomic_ref_count_init (&session->ref);
  session->conn = conn;
  session->owner = owner;
  session->lifecycle_id = -1;
  session->metadata_id = -1;
  session->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return session;
}

static Session *
session_ref (Session *session)
{
  g_atomic_ref_count_inc (&session->ref);
  return session;
}

static void
session_unref (Session *session)
{
  if (!g_atomic_ref_count_dec (&session->ref))
    return;
  g_hash_table_unref (session->pending);
  g_free (session);
}

static void
session_unref_cb (void *opaque)
{
  session_unref (opaque);
}

static void lodge_connection_close_cb (virConnectPtr  conn,
                                       int            reason,
                                       void          *opaque);

/* Worker thread: drops the registrations and the connection, once the
 * calls in flight on it ended (lodge-libvirt.h). */
static void
session_close (Session *session)
{
  if (session->conn != NULL && !lodge_virt_wait_calls (session->conn, CLOSE_WAIT_SECONDS * 1000))
    g_debug ("Closing a connection with a call still waiting after %d s", CLOSE_WAIT_SECONDS);
  if (session->lifecycle_id >= 0)
    virConnectDomainEventDeregisterAny (session->conn, session->lifecycle_id);
  if (session->metadata_id >= 0)
    virConnectDomainEventDeregisterAny (session->conn, session->metadata_id);
  session->lifecycle_id = session->metadata_id = -1;
  if (session->close_registered)
    virConnectUnregisterCloseCallback (session->conn, lodge_connection_close_cb);
  session->close_registered = FALSE;
  virResetLastError ();
  g_clear_pointer (&session->conn, virConnectClose);
}

static void
session_close_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  session_close (task_data);
  g_task_return_boolean (task, TRUE);
}

/* Main thread: the session stops feeding its owner; closing (which may
 * talk to a dead daemon) happens on a worker thread. */
static void
session_detach (Session *session)
{
  g_autoptr(GTask) task = NULL;

  session->owner = NULL;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, session_detach);
  g_task_set_task_data (task, session, (GDestroyNotify)session_unref);
  g_task_run_in_thread (task, session_close_thread);
}

/* Properties */

static void
lodge_connection_set_state (LodgeConnection      *self,
                            LodgeConnectionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
lodge_connection_set_error (LodgeConnection *self,
                            const GError    *error)
{
  if (self->error == NULL && error == NULL)
    return;
  if (self->error != NULL && error != NULL &&
      self->error->domain == error->domain && self->error->code == error->code &&
      g_strcmp0 (self->error->message, error->message) == 0)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
lodge_connection_set_reconnect_delay (LodgeConnection *self,
                                      guint            delay)
{
  if (self->reconnect_delay == delay)
    return;
  self->reconnect_delay = delay;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_DELAY]);
}

/* "Last used" */

static void
lodge_connection_mark_used (LodgeConnection *self,
                            LodgeMachine    *machine)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  lodge_machine_set_last_used (machine, now);
  if (self->state_store != NULL)
    lodge_state_store_set_int64 (self->state_store, self->uri, lodge_machine_get_uuid (machine),
                                 "last-used", now);
}

static LodgeMachine *
lodge_connection_create_machine (LodgeConnection        *self,
                                 const LodgeMachineData *data)
{
  LodgeMachine *machine = lodge_machine_new (self, data);

  if (self->state_store != NULL)
    {
      gint64 last_used = lodge_state_store_get_int64 (self->state_store, self->uri, data->uuid,
                                                      "last-used", 0);

      if (last_used > 0)
        lodge_machine_set_last_used (machine, last_used);
    }
  if (lodge_machine_is_active (machine))
    lodge_connection_mark_used (self, machine);

  return machine;
}

/* Object */

static void
lodge_connection_stop (LodgeConnection *self)
{
  self->generation++;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->stats_source, g_source_remove);
  if (self->attempt_cancellable != NULL)
    g_cancellable_cancel (self->attempt_cancellable);
  if (self->session != NULL)
    {
      session_detach (self->session);
      self->session = NULL;
    }
}

static void
lodge_connection_detach_machines (LodgeConnection *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->machines));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);
      lodge_machine_detach (machine);
    }
}

static void
lodge_connection_dispose (GObject *object)
{
  LodgeConnection *self = (LodgeConnection *)object;

  g_clear_handle_id (&self->stall_source, g_source_remove);
  lodge_connection_stop (self);
  if (self->machines != NULL)
    lodge_connection_detach_machines (self);
  g_clear_object (&self->machines);
  g_clear_object (&self->attempt_cancellable);
  g_clear_pointer (&self->auth_attempt, lodge_auth_attempt_unref);

  G_OBJECT_CLASS (lodge_connection_parent_class)->dispose (object);
}

static void
lodge_connection_finalize (GObject *object)
{
  LodgeConnection *self = (LodgeConnection *)object;

  g_free (self->uri);
  g_free (self->hostname);
  g_clear_error (&self->error);
  g_clear_object (&self->state_store);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->removed, g_hash_table_unref);
  g_clear_pointer (&self->applied, g_hash_table_unref);
  g_clear_pointer (&self->gate_given, g_hash_table_unref);
  g_clear_pointer (&self->first_read_gate, read_gate_unref);

  G_OBJECT_CLASS (lodge_connection_parent_class)->finalize (object);
}

static void
lodge_connection_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LodgeConnection *self = LODGE_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_HOSTNAME:
      g_value_set_string (value, self->hostname);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_MACHINES:
      g_value_set_object (value, self->machines);
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_uint (value, lodge_connection_get_stats_interval (self));
      break;
    case PROP_RECONNECT_DELAY:
      g_value_set_uint (value, self->reconnect_delay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_connection_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LodgeConnection *self = LODGE_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI:
      {
        g_autoptr(GUri) parsed = NULL;

        self->uri = g_value_dup_string (value);
        parsed = g_uri_parse (self->uri, G_URI_FLAGS_NON_DNS, NULL);
        if (parsed != NULL && g_uri_get_host (parsed) != NULL && *g_uri_get_host (parsed) != '\0')
          self->hostname = g_strdup (g_uri_get_host (parsed));
      }
      break;
    case PROP_STATS_INTERVAL:
      lodge_connection_set_stats_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_connection_class_init (LodgeConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lodge_connection_dispose;
  object_class->finalize = lodge_connection_finalize;
  object_class->get_property = lodge_connection_get_property;
  object_class->set_property = lodge_connection_set_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOSTNAME] =
    g_param_spec_string ("hostname", NULL, NULL, NULL, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LODGE_TYPE_CONNECTION_STATE,
                       LODGE_CONNECTION_STATE_DISCONNECTED, ro);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_MACHINES] =
    g_param_spec_object ("machines", NULL, NULL, LODGE_TYPE_MACHINE_LIST, ro);
  properties[PROP_STATS_INTERVAL] =
    g_param_spec_uint ("stats-interval", NULL, NULL, 0, 3600, 2,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECONNECT_DELAY] =
    g_param_spec_uint ("reconnect-delay", NULL, NULL, 0, RECONNECT_DELAY_MAX, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[AUTHENTICATE] =
    g_signal_new ("authenticate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LODGE_TYPE_AUTH_REQUEST);
  signals[DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[STATS_UPDATED] =
    g_signal_new ("stats-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lodge_connection_init (LodgeConnection *self)
{
  self->machines = lodge_machine_list_new ();
  self->context = g_main_context_ref_thread_default ();
  self->stats_interval = 2;
  self->removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->applied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->gate_given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
lodge_connection_init_events (void)
{
  static gsize initialized = 0;

  lodge_model_init_libvirt ();
  if (g_once_init_enter (&initialized))
    {
      gvir_event_register ();
      g_once_init_leave (&initialized, 1);
    }
}

const char *
lodge_connection_default_uri (void)
{
  return geteuid () == 0 ? "qemu:///system" : "qemu:///session";
}

LodgeConnection *
lodge_connection_new (const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  /* Harmless when the application already did it. */
  lodge_connection_init_events ();

  return g_object_new (LODGE_TYPE_CONNECTION, "uri", uri, NULL);
}

const char *
lodge_connection_get_uri (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);
  return self->uri;
}

const char *
lodge_connection_get_hostname (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);
  return self->hostname;
}

LodgeConnectionState
lodge_connection_get_state (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), LODGE_CONNECTION_STATE_DISCONNECTED);
  return self->state;
}

const GError *
lodge_connection_get_error (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);
  return self->error;
}

LodgeMachineList *
lodge_connection_get_machines (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);
  return self->machines;
}

gpointer
lodge_connection_ref_virconnect (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);

  if (self->session == NULL || self->session->conn == NULL)
    return NULL;
  virConnectRef (self->session->conn);
  return self->session->conn;
}

LodgeMachine *
lodge_connection_lookup_machine (LodgeConnection *self,
                                 const char      *name_or_uuid)
{
  LodgeMachine *machine;
  guint n;

  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);

  machine = lodge_machine_list_lookup_uuid (self->machines, name_or_uuid);
  if (machine == NULL && strlen (name_or_uuid) == VIR_UUID_STRING_BUFLEN - 1)
    {
      g_autofree char *lower = g_ascii_strdown (name_or_uuid, -1);
      machine = lodge_machine_list_lookup_uuid (self->machines, lower);
    }
  if (machine != NULL)
    return machine;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->machines));
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LodgeMachine) item = g_list_model_get_item (G_LIST_MODEL (self->machines), i);
          const char *value = pass == 0 ? lodge_machine_get_name (item)
                                        : lodge_machine_get_title (item);

          if (g_strcmp0 (value, name_or_uuid) == 0)
            return item;
        }
    }

  return NULL;
}

/* Authentication: libvirt calls back on the opening worker thread; the
 * question goes to the main thread as ::authenticate and the worker waits.
 * The askpass server brings OpenSSH's questions the same way
 * (lodge_connection_ask). */

typedef struct
{
  LodgeConnection   *self;        /* a reference */
  LodgeAuthExchange *exchange;
} AuthEmit;

void
lodge_connection_emit_authenticate (LodgeConnection  *self,
                                    LodgeAuthRequest *request)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));

  if (g_signal_has_handler_pending (self, signals[AUTHENTICATE], 0, FALSE))
    g_signal_emit (self, signals[AUTHENTICATE], 0, request);
  else
    lodge_auth_request_cancel (request);
}

static gboolean
lodge_connection_emit_authenticate_cb (gpointer user_data)
{
  AuthEmit *emit = user_data;
  g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (emit->exchange, emit->self);

  /* Unanswered and unreferenced: disposing the request cancels it. */
  lodge_connection_emit_authenticate (emit->self, request);

  g_object_unref (emit->self);
  lodge_auth_exchange_unref (emit->exchange);
  g_free (emit);

  return G_SOURCE_REMOVE;
}

LodgeAuthAttempt *
lodge_connection_get_auth_attempt (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);

  return self->attempt_running ? self->auth_attempt : NULL;
}

typedef struct
{
  LodgeConnection  *self;
  LodgeAuthAttempt *attempt;
} AuthData;

static int
lodge_connection_auth_cb (virConnectCredentialPtr cred,
                          unsigned int            ncred,
                          void                   *cbdata)
{
  AuthData *auth = cbdata;
  g_autofree char *echo_answer = NULL;
  g_autofree char *secret_answer = NULL;
  gboolean needs_username = FALSE;
  gboolean needs_password = FALSE;
  int main_cred = -1;
  LodgeAuthExchange *exchange;
  gboolean answered;

  /* One question per call: a hidden one decides its kind, else the
   * first shown one. */
  for (guint i = 0; i < ncred; i++)
    {
      switch (cred[i].type)
        {
        case VIR_CRED_AUTHNAME:
        case VIR_CRED_ECHOPROMPT:
          needs_username = TRUE;
          if (main_cred < 0)
            main_cred = i;
          break;
        case VIR_CRED_PASSPHRASE:
        case VIR_CRED_NOECHOPROMPT:
          needs_password = TRUE;
          main_cred = i;
          break;
        default:
          break;
        }
    }

  if (main_cred < 0)
    {
      for (guint i = 0; i < ncred; i++)
        {
          cred[i].result = strdup (cred[i].defresult != NULL ? cred[i].defresult : "");
          cred[i].resultlen = strlen (cred[i].result);
        }
      return 0;
    }

  exchange = lodge_auth_exchange_new (auth->attempt, LODGE_AUTH_SOURCE_LIBVIRT,
                                      cred[main_cred].prompt,
                                      lodge_auth_prompt_parse_libvirt (cred[main_cred].type,
                                                                       cred[main_cred].prompt,
                                                                       cred[main_cred].challenge),
                                      needs_username, needs_password);
  /* Born finished after a cancel or too many refusals: nobody is asked. */
  if (!lodge_auth_exchange_get_finished (exchange))
    {
      AuthEmit *emit = g_new0 (AuthEmit, 1);

      emit->self = g_object_ref (auth->self);
      emit->exchange = lodge_auth_exchange_ref (exchange);
      lodge_main_context_post (auth->self->context, "[lodge] authenticate",
                               lodge_connection_emit_authenticate_cb, emit, NULL);
    }

  answered = lodge_auth_exchange_wait (exchange, &echo_answer, &secret_answer);
  lodge_auth_exchange_unref (exchange);

  if (!answered)
    return -1;

  for (guint i = 0; i < ncred; i++)
    {
      const char *value;

      switch (cred[i].type)
        {
        case VIR_CRED_AUTHNAME:
        case VIR_CRED_ECHOPROMPT:
          value = echo_answer;
          if ((value == NULL || value[0] == '\0') && cred[i].type == VIR_CRED_AUTHNAME)
            value = cred[i].defresult;
          break;
        case VIR_CRED_PASSPHRASE:
        case VIR_CRED_NOECHOPROMPT:
          value = secret_answer;
          break;
        default:
          value = cred[i].defresult;
          break;
        }
      cred[i].result = strdup (value != NULL ? value : "");
      cred[i].resultlen = strlen (cred[i].result);
    }

  if (secret_answer != NULL)
    memset (secret_answer, 0, strlen (secret_answer));

  return 0;
}

/* Events, on the main thread */

static void
lodge_connection_remove_machine (LodgeConnection *self,
                                 const char      *uuid)
{
  g_autoptr(LodgeMachine) machine = lodge_machine_list_remove (self->machines, uuid);

  if (machine != NULL)
    lodge_machine_detach (machine);

  /* A refresh asked for before this must not bring it back. */
  g_hash_table_insert (self->removed, g_strdup (uuid), GUINT_TO_POINTER (++self->change_serial));
  g_hash_table_remove (self->applied, uuid);
}

void
lodge_connection_machine_removed_by_action (LodgeConnection *self,
                                            const char      *uuid)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));
  lodge_connection_remove_machine (self, uuid);
}

static LodgeConnection *
session_get_ready_owner (Session      *session,
                         virDomainPtr  domain,
                         char          uuid[VIR_UUID_STRING_BUFLEN])
{
  if (session->owner == NULL || virDomainGetUUIDString (domain, uuid) < 0)
    return NULL;

  /* The list is still being read: remember to look at it afterwards. */
  if (!session->ready)
    {
      g_hash_table_add (session->pending, g_strdup (uuid));
      return NULL;
    }

  return session->owner;
}

static int
lodge_connection_lifecycle_cb (virConnectPtr  conn,
                               virDomainPtr   domain,
                               int            event,
                               int            detail,
                               void          *opaque)
{
  Session *session = opaque;
  char uuid[VIR_UUID_STRING_BUFLEN];
  LodgeConnection *self;
  LodgeMachine *machine;

  if ((self = session_get_ready_owner (session, domain, uuid)) == NULL)
    return 0;

  g_debug ("%s: event %d detail %d for %s", self->uri, event, detail, virDomainGetName (domain));

  machine = lodge_machine_list_lookup_uuid (self->machines, uuid);
  if (machine == NULL)
    {
      /* A new machine (defined, or a transient one started). */
      if (event != VIR_DOMAIN_EVENT_UNDEFINED)
        lodge_connection_refresh_machine (self, uuid);
      return 0;
    }

  lodge_machine_bump_serial (machine);

  /* Apply what the event says at once; the refresh that follows reads the
   * exact state (reason, managed save) and the rest. */
  switch ((virDomainEventType)event)
    {
    case VIR_DOMAIN_EVENT_DEFINED:
      lodge_machine_set_persistent (machine, TRUE);
      break;

    case VIR_DOMAIN_EVENT_UNDEFINED:
      /* A rename is UNDEFINED(RENAMED) then DEFINED(RENAMED), same uuid. */
      if (detail == VIR_DOMAIN_EVENT_UNDEFINED_RENAMED)
        return 0;
      if (lodge_machine_is_active (machine))
        lodge_machine_set_persistent (machine, FALSE);
      else
        lodge_connection_remove_machine (self, uuid);
      return 0;

    case VIR_DOMAIN_EVENT_STARTED:
      lodge_machine_set_has_managed_save (machine, FALSE);
      lodge_machine_set_state (machine, LODGE_MACHINE_STATE_RUNNING);
      lodge_connection_mark_used (self, machine);
      break;

    case VIR_DOMAIN_EVENT_SUSPENDED:
      lodge_machine_set_state (machine, LODGE_MACHINE_STATE_PAUSED);
      break;

    case VIR_DOMAIN_EVENT_RESUMED:
      lodge_machine_set_state (machine, LODGE_MACHINE_STATE_RUNNING);
      break;

    case VIR_DOMAIN_EVENT_STOPPED:
      if (!lodge_machine_get_persistent (machine))
        {
          /* Transient machines vanish when they stop. */
          lodge_connection_remove_machine (self, uuid);
          return 0;
        }
      /* Most likely a managed save (a save to a file looks the same; the
       * refresh below tells them apart). */
      if (detail == VIR_DOMAIN_EVENT_STOPPED_SAVED)
        {
          lodge_machine_set_has_managed_save (machine, TRUE);
          lodge_machine_set_state (machine, LODGE_MACHINE_STATE_SAVED);
        }
      else if (detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED)
        lodge_machine_set_state (machine, LODGE_MACHINE_STATE_CRASHED);
      else
        lodge_machine_set_state (machine, LODGE_MACHINE_STATE_SHUT_OFF);
      break;

    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      lodge_machine_set_state (machine, LODGE_MACHINE_STATE_SUSPENDED);
      break;

    case VIR_DOMAIN_EVENT_CRASHED:
      lodge_machine_set_state (machine, LODGE_MACHINE_STATE_CRASHED);
      break;

    case VIR_DOMAIN_EVENT_SHUTDOWN:
    default:
      break;
    }

  lodge_connection_refresh_machine (self, uuid);

  return 0;
}

static void
lodge_connection_metadata_change_cb (virConnectPtr  conn,
                                     virDomainPtr   domain,
                                     int            type,
                                     const char    *nsuri,
                                     void          *opaque)
{
  Session *session = opaque;
  char uuid[VIR_UUID_STRING_BUFLEN];
  LodgeConnection *self;
  LodgeMachine *machine;

  if ((self = session_get_ready_owner (session, domain, uuid)) == NULL)
    return;

  if (type == VIR_DOMAIN_METADATA_ELEMENT && g_strcmp0 (nsuri, LODGE_LIBOSINFO_NS) != 0)
    return;

  if ((machine = lodge_machine_list_lookup_uuid (self->machines, uuid)) != NULL)
    lodge_machine_bump_serial (machine);
  lodge_connection_refresh_machine (self, uuid);
}

static void lodge_connection_lost (LodgeConnection *self);

static void
lodge_connection_close_cb (virConnectPtr  conn,
                           int            reason,
                           void          *opaque)
{
  Session *session = opaque;
  LodgeConnection *self = session->owner;

  if (self == NULL || self->session != session)
    return;

  g_debug ("%s: connection closed (reason %d)", self->uri, reason);
  lodge_connection_lost (self);
}

/* Refreshing one machine */

/* Tests only: a read waits here, once done, until the test opens it. */
typedef struct ReadGate
{
  GMutex lock;
  GCond  cond;
  guint  n_waiting;
  gboolean open;
} ReadGate;

static ReadGate *
read_gate_ref (ReadGate *gate)
{
  return g_atomic_rc_box_acquire (gate);
}

static void
read_gate_clear (ReadGate *gate)
{
  g_mutex_clear (&gate->lock);
  g_cond_clear (&gate->cond);
}

static void
read_gate_unref (struct ReadGate *gate)
{
  g_atomic_rc_box_release_full (gate, (GDestroyNotify) read_gate_clear);
}

static void
read_gate_pass (ReadGate *gate)
{
  g_mutex_lock (&gate->lock);
  gate->n_waiting++;
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->lock);
  gate->n_waiting--;
  g_mutex_unlock (&gate->lock);
}

typedef struct
{
  virConnectPtr     conn;
  char             *uuid;
  guint             serial;
  guint             session_id;
  guint             change_serial;
  struct ReadGate  *gate;       /* tests: wait here once read */
  LodgeMachineData *data;       /* result; NULL when the domain is gone */
} RefreshData;

static void
refresh_data_free (RefreshData *refresh)
{
  g_clear_pointer (&refresh->gate, read_gate_unref);
  if (refresh->conn != NULL)
    virConnectClose (refresh->conn);
  g_free (refresh->uuid);
  lodge_machine_data_free (refresh->data);
  g_free (refresh);
}

static void
lodge_connection_refresh_thread (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable)
{
  RefreshData *refresh = task_data;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain;

  lodge_virt_call_begin (refresh->conn);
  domain = virDomainLookupByUUIDString (refresh->conn, refresh->uuid);
  lodge_virt_call_end (refresh->conn);
  if (domain == NULL)
    {
      virErrorPtr err = virGetLastError ();
      gboolean gone = err != NULL && err->code == VIR_ERR_NO_DOMAIN;

      /* Read before closing: virConnectClose resets the thread's error. */
      if (!gone)
        lodge_model_set_error_from_virt (&error, "Lookup failed");
      virResetLastError ();
      g_clear_pointer (&refresh->conn, virConnectClose);
      if (gone)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The last reference may close the connection: not on the main thread. */
  g_clear_pointer (&refresh->conn, virConnectClose);

  /* The domain keeps its connection alive until freed, here. */
  lodge_virt_call_begin (virDomainGetConnect (domain));
  refresh->data = lodge_machine_data_fetch (domain, &error);
  lodge_virt_call_end (virDomainGetConnect (domain));
  virDomainFree (domain);
  if (refresh->gate != NULL)
    read_gate_pass (refresh->gate);

  if (refresh->data == NULL && !g_error_matches (error, LODGE_MODEL_ERROR,
                                                 LODGE_MODEL_ERROR_NOT_FOUND))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
lodge_connection_refresh_done_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  LodgeConnection *self = LODGE_CONNECTION (object);
  RefreshData *refresh = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  LodgeMachine *machine;

  self->n_refreshing--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_debug ("Could not refresh %s: %s", refresh->uuid, error->message);
      return;
    }

  /* Read through a session that is gone (closed, or lost since). */
  if (self->session == NULL || refresh->session_id != self->session->id)
    return;

  machine = lodge_machine_list_lookup_uuid (self->machines, refresh->uuid);

  /* A later event asked for a newer read: this one is stale. */
  if (machine != NULL && lodge_machine_get_serial (machine) != refresh->serial)
    return;

  /* Reads run side by side and may end in any order: one asked for
   * before a read that was applied already is stale too. (Events for a
   * machine not listed yet, such as defined then started, each ask for a
   * read, and no serial tells them apart.) */
  {
    gpointer applied_at;

    if (g_hash_table_lookup_extended (self->applied, refresh->uuid, NULL, &applied_at) &&
        GPOINTER_TO_UINT (applied_at) > refresh->change_serial)
      return;
  }

  /* Removed after this read was asked for: stale too. */
  if (machine == NULL)
    {
      gpointer removed_at;

      if (g_hash_table_lookup_extended (self->removed, refresh->uuid, NULL, &removed_at) &&
          GPOINTER_TO_UINT (removed_at) > refresh->change_serial)
        return;
    }

  if (refresh->data == NULL)
    {
      lodge_connection_remove_machine (self, refresh->uuid);
      return;
    }

  g_hash_table_insert (self->applied, g_strdup (refresh->uuid),
                       GUINT_TO_POINTER (refresh->change_serial));
  if (machine != NULL)
    {
      lodge_machine_update (machine, refresh->data);
    }
  else
    {
      g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

      g_ptr_array_add (added, lodge_connection_create_machine (self, refresh->data));
      lodge_machine_list_append (self->machines, added);
    }
}

static void
lodge_connection_refresh_machine (LodgeConnection *self,
                                  const char      *uuid)
{
  g_autoptr(GTask) task = NULL;
  LodgeMachine *machine;
  RefreshData *refresh;

  if (self->session == NULL)
    return;

  machine = lodge_machine_list_lookup_uuid (self->machines, uuid);

  refresh = g_new0 (RefreshData, 1);
  refresh->conn = lodge_connection_ref_virconnect (self);
  refresh->uuid = g_strdup (uuid);
  refresh->serial = machine != NULL ? lodge_machine_get_serial (machine) : 0;
  refresh->session_id = self->session->id;
  refresh->change_serial = ++self->change_serial;
  if (machine == NULL && self->first_read_gate != NULL &&
      g_hash_table_add (self->gate_given, g_strdup (uuid)))
    refresh->gate = read_gate_ref (self->first_read_gate);
  self->n_refreshing++;

  task = g_task_new (self, NULL, lodge_connection_refresh_done_cb, NULL);
  g_task_set_source_tag (task, lodge_connection_refresh_machine);
  g_task_set_task_data (task, refresh, (GDestroyNotify)refresh_data_free);
  g_task_run_in_thread (task, lodge_connection_refresh_thread);
}

/* Opening and reconnecting */

typedef struct
{
  char         *uri;
  guint         generation;
  Session      *session;     /* result */
  GPtrArray    *machines;    /* result: LodgeMachineData* */
  GCancellable *cancellable;
  LodgeAuthAttempt *attempt;
} OpenData;

static void
open_data_free (OpenData *open)
{
  /* Not applied (closed meanwhile): drop it off the main thread. */
  if (open->session != NULL)
    session_detach (g_steal_pointer (&open->session));
  g_clear_pointer (&open->machines, g_ptr_array_unref);
  g_clear_object (&open->cancellable);
  g_clear_pointer (&open->attempt, lodge_auth_attempt_unref);
  g_free (open->uri);
  g_free (open);
}

/* Worker thread, on failure: the session was never shown to anyone. */
static void
open_data_drop_session (OpenData *open)
{
  Session *session = g_steal_pointer (&open->session);

  session->owner = NULL;
  session_close (session);
  session_unref (session);
}

static gboolean
session_register (Session     *session,
                  const char  *uri,
                  GError     **error)
{
  session->lifecycle_id =
    virConnectDomainEventRegisterAny (session->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                      VIR_DOMAIN_EVENT_CALLBACK (lodge_connection_lifecycle_cb),
                                      session_ref (session), session_unref_cb);
  if (session->lifecycle_id < 0)
    {
      session_unref (session);
      lodge_model_set_error_from_virt (error, _("Could not follow the machines’ events"));
      return FALSE;
    }

  /* Not every driver has it; titles then change on the next refresh. */
  session->metadata_id =
    virConnectDomainEventRegisterAny (session->conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                      VIR_DOMAIN_EVENT_CALLBACK (lodge_connection_metadata_change_cb),
                                      session_ref (session), session_unref_cb);
  if (session->metadata_id < 0)
    {
      session_unref (session);
      virResetLastError ();
    }

  /* The test driver runs inside this process and never closes; it also
   * never releases the callback's data. */
  if (g_str_has_prefix (uri, "test:"))
    return TRUE;

  if (virConnectRegisterCloseCallback (session->conn, lodge_connection_close_cb,
                                       session_ref (session), session_unref_cb) == 0)
    session->close_registered = TRUE;
  else
    {
      session_unref (session);
      virResetLastError ();
    }

  return TRUE;
}

/* Worker thread: why virConnectOpenAuth failed, in the terms of what the
 * questions decided. OpenSSH's failures come back as libvirt's "Cannot
 * recv data: …" with ssh's own (untranslated) words. */
static void
lodge_connection_set_open_error (GError           **error,
                                 const char        *uri,
                                 LodgeAuthAttempt  *attempt,
                                 GCancellable      *cancellable)
{
  g_autofree char *host = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      virResetLastError ();
      return;
    }

  switch (lodge_auth_attempt_get_outcome (attempt, &host))
    {
    case LODGE_AUTH_OUTCOME_CANCELLED:
      virResetLastError ();
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_CANCELLED,
                   _("Authentication for %s was cancelled"), uri);
      return;
    case LODGE_AUTH_OUTCOME_HOST_KEY_REFUSED:
      virResetLastError ();
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_HOST_KEY_REFUSED,
                   _("The key of host %s was refused, so Lodge did not connect"),
                   host != NULL ? host : uri);
      return;
    case LODGE_AUTH_OUTCOME_GAVE_UP:
      virResetLastError ();
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_FAILED,
                   _("The host refused the answers %d times: Lodge stopped asking"),
                   LODGE_AUTH_MAX_TRIES);
      return;
    case LODGE_AUTH_OUTCOME_NONE:
    default:
      break;
    }

  lodge_model_set_error_from_virt (&local_error, _("Could not connect"));
  {
    g_autoptr(LodgeUri) parsed = lodge_uri_parse (uri, NULL);
    g_autofree char *message = NULL;
    int code;

    if (lodge_auth_classify_ssh_failure (local_error->message,
                                         parsed != NULL && lodge_uri_get_host (parsed) != NULL
                                         ? lodge_uri_get_host (parsed) : uri,
                                         &code, &message))
      {
        g_set_error_literal (error, LODGE_MODEL_ERROR, code, message);
        return;
      }
  }
  g_propagate_error (error, g_steal_pointer (&local_error));
}

static void
lodge_connection_open_thread (GTask        *task,
                              gpointer      source_object,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  LodgeConnection *self = source_object;
  OpenData *open = task_data;
  static int credtypes[] = {
    VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_ECHOPROMPT,
    VIR_CRED_NOECHOPROMPT, VIR_CRED_REALM, VIR_CRED_EXTERNAL,
  };
  AuthData auth = { self, open->attempt };
  virConnectAuth conn_auth = {
    credtypes, G_N_ELEMENTS (credtypes), lodge_connection_auth_cb, &auth,
  };
  g_autoptr(GError) error = NULL;
  virDomainPtr *domains = NULL;
  virConnectPtr conn;
  int n;

  conn = virConnectOpenAuth (open->uri, &conn_auth, 0);
  if (conn == NULL)
    {
      lodge_connection_set_open_error (&error, open->uri, open->attempt, open->cancellable);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Notices a dead daemon or host within ~20 s even without a socket
   * error. Only remote connections have it. */
  if (virConnectSetKeepAlive (conn, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT) < 0)
    virResetLastError ();

  open->session = session_new (conn, self);

  /* Events first, list second: an event that comes in between is kept in
   * session->pending and looked at once the list is applied. */
  if (!session_register (open->session, open->uri, &error))
    {
      open_data_drop_session (open);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  n = virConnectListAllDomains (conn, &domains, 0);
  if (n < 0)
    {
      lodge_model_set_error_from_virt (&error, _("Could not list the machines"));
      open_data_drop_session (open);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The test driver runs in this process behind one lock: threads would
   * only wait for each other there. */
  open->machines = lodge_machine_data_fetch_all (domains, n,
                                                 g_str_has_prefix (open->uri, "test:")
                                                 ? 1 : (guint)(n + 7) / 8);
  for (int i = 0; i < n; i++)
    virDomainFree (domains[i]);
  free (domains);

  if (g_cancellable_set_error_if_cancelled (open->cancellable, &error))
    {
      open_data_drop_session (open);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_boolean (task, TRUE);
}

/* Updates the list in place after a reconnection: the same objects for the
 * same uuids, so the UI keeps its selection and rows. */
static void
lodge_connection_reconcile (LodgeConnection *self,
                            GPtrArray       *datas)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  guint n;

  for (guint i = 0; i < datas->len; i++)
    {
      LodgeMachineData *data = g_ptr_array_index (datas, i);
      LodgeMachine *machine = lodge_machine_list_lookup_uuid (self->machines, data->uuid);

      g_hash_table_add (seen, data->uuid);
      if (machine != NULL)
        {
          gboolean was_active = lodge_machine_is_active (machine);

          lodge_machine_bump_serial (machine);
          lodge_machine_update (machine, data);
          if (!was_active && lodge_machine_is_active (machine))
            lodge_connection_mark_used (self, machine);
        }
      else
        g_ptr_array_add (added, lodge_connection_create_machine (self, data));
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->machines));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);

      if (!g_hash_table_contains (seen, lodge_machine_get_uuid (machine)))
        g_ptr_array_add (gone, g_strdup (lodge_machine_get_uuid (machine)));
    }
  for (guint i = 0; i < gone->len; i++)
    lodge_connection_remove_machine (self, g_ptr_array_index (gone, i));

  lodge_machine_list_append (self->machines, added);
}

static void
lodge_connection_schedule_retry (LodgeConnection *self);

static gboolean
lodge_connection_error_is_auth (const GError *error)
{
  return g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_CANCELLED) ||
         g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_FAILED) ||
         g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_HOST_KEY_REFUSED);
}

static void
lodge_connection_finish_open_task (LodgeConnection *self,
                                   GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->open_task);

  if (self->open_cancellable != NULL)
    {
      g_cancellable_disconnect (self->open_cancellable, self->open_cancelled_id);
      self->open_cancelled_id = 0;
      g_clear_object (&self->open_cancellable);
    }

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
lodge_connection_open_done_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  LodgeConnection *self = LODGE_CONNECTION (object);
  OpenData *open = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean reconnecting;
  GHashTableIter iter;
  gpointer key;
  Session *session;
  gint64 start = g_get_monotonic_time ();

  if (open->generation != self->generation)
    return; /* closed meanwhile; open_data_free() drops the session */

  self->attempt_running = FALSE;
  g_clear_object (&self->attempt_cancellable);
  g_clear_pointer (&self->auth_attempt, lodge_auth_attempt_unref);
  reconnecting = self->state == LODGE_CONNECTION_STATE_RECONNECTING;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_debug ("%s: open failed: %s", self->uri, error->message);
      lodge_connection_set_error (self, error);

      /* A user who refused to authenticate does not want to be asked again
       * every few seconds: stop until "Retry". */
      if (reconnecting && !lodge_connection_error_is_auth (error))
        {
          lodge_connection_schedule_retry (self);
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          lodge_connection_set_state (self, LODGE_CONNECTION_STATE_DISCONNECTED);
          lodge_connection_finish_open_task (self, g_steal_pointer (&error));
        }
      else
        {
          gboolean retry = !lodge_connection_error_is_auth (error);

          if (self->state != LODGE_CONNECTION_STATE_FAILED)
            lodge_connection_set_reconnect_delay (self, 0);
          lodge_connection_set_state (self, LODGE_CONNECTION_STATE_FAILED);
          lodge_connection_finish_open_task (self, g_steal_pointer (&error));
          /* A host that could not be reached may come up later: keep
           * trying with back-off, as after a loss. Not after the user
           * refused to authenticate or the host refused the credentials:
           * asking again blindly could lock the account. */
          if (retry)
            lodge_connection_schedule_retry (self);
        }
      return;
    }

  session = self->session = g_steal_pointer (&open->session);
  session->id = ++self->n_sessions;

  /* After a loss the list still holds the machines seen before: update it
   * in place. The first time it is empty and this is one append. */
  lodge_connection_reconcile (self, open->machines);

  /* Events that came while the list was read may describe changes the list
   * missed: read those machines again. */
  session->ready = TRUE;
  g_hash_table_iter_init (&iter, session->pending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      LodgeMachine *machine = lodge_machine_list_lookup_uuid (self->machines, key);

      if (machine != NULL)
        lodge_machine_bump_serial (machine);
      lodge_connection_refresh_machine (self, key);
    }
  g_hash_table_remove_all (session->pending);
  self->last_apply_usec = g_get_monotonic_time () - start;

  lodge_connection_set_error (self, NULL);
  lodge_connection_set_reconnect_delay (self, 0);
  lodge_connection_set_state (self, LODGE_CONNECTION_STATE_CONNECTED);
  lodge_connection_update_stats_timer (self);

  if (self->was_connected)
    g_signal_emit (self, signals[RECONNECTED], 0);
  self->was_connected = TRUE;
  lodge_connection_finish_open_task (self, NULL);
}

static gpointer
lodge_connection_open_thread_main (gpointer data)
{
  g_autoptr(GTask) task = data;

  lodge_connection_open_thread (task, g_task_get_source_object (task),
                                g_task_get_task_data (task), g_task_get_cancellable (task));
  return NULL;
}

static void
lodge_connection_start_attempt (LodgeConnection *self)
{
  g_autoptr(GTask) task = NULL;
  OpenData *open;

  g_assert (!self->attempt_running);

  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_time = 0;
  g_clear_object (&self->attempt_cancellable);
  self->attempt_cancellable = g_cancellable_new ();
  self->attempt_running = TRUE;
  /* Each attempt asks afresh: a remembered secret may be tried once
   * again, a refusal counts from zero. */
  g_clear_pointer (&self->auth_attempt, lodge_auth_attempt_unref);
  self->auth_attempt = lodge_auth_attempt_new (self->uri, self->attempt_cancellable);

  open = g_new0 (OpenData, 1);
  open->uri = g_strdup (self->uri);
  open->generation = self->generation;
  open->cancellable = g_object_ref (self->attempt_cancellable);
  open->attempt = lodge_auth_attempt_ref (self->auth_attempt);

  task = g_task_new (self, NULL, lodge_connection_open_done_cb, NULL);
  g_task_set_source_tag (task, lodge_connection_start_attempt);
  g_task_set_task_data (task, open, (GDestroyNotify)open_data_free);
  /* A thread of its own, not GTask's shared pool: opening a host that
   * does not answer can block for minutes (TCP and ssh time-outs), and a
   * few such hosts would take the pool's threads from every other host's
   * statistics and actions. */
  g_thread_unref (g_thread_new ("lodge-open", lodge_connection_open_thread_main,
                                g_steal_pointer (&task)));
}

static gboolean
lodge_connection_retry_timeout_cb (gpointer user_data)
{
  LodgeConnection *self = user_data;

  self->retry_source = 0;
  self->retry_time = 0;
  if (!self->attempt_running)
    lodge_connection_start_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
lodge_connection_schedule_retry (LodgeConnection *self)
{
  guint delay;

  if (self->reconnect_delay == 0)
    delay = RECONNECT_DELAY_MIN;
  else
    delay = MIN (self->reconnect_delay * 2, RECONNECT_DELAY_MAX);

  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_seconds (delay, lodge_connection_retry_timeout_cb, self);
  self->retry_time = g_get_monotonic_time () + (gint64) delay * G_USEC_PER_SEC;
  /* Notified after retry_time is set: a view may read both. */
  lodge_connection_set_reconnect_delay (self, delay);
}

static void
lodge_connection_lost (LodgeConnection *self)
{
  guint n;

  if (self->session == NULL)
    return;

  session_detach (self->session);
  self->session = NULL;
  g_clear_handle_id (&self->stats_source, g_source_remove);

  /* Stats of a lost host are unknown, its states stale until re-read. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->machines));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);
      lodge_machine_clear_stats (machine);
    }

  lodge_connection_set_reconnect_delay (self, 0);
  lodge_connection_set_state (self, LODGE_CONNECTION_STATE_RECONNECTING);
  g_signal_emit (self, signals[DISCONNECTED], 0);
  lodge_connection_schedule_retry (self);
}

static void
lodge_connection_open_cancelled_cb (GCancellable    *cancellable,
                                    LodgeConnection *self)
{
  /* May run on any thread; cancelling a GCancellable is thread-safe, and
   * the attempt's cancellable lives as long as the attempt. */
  GCancellable *attempt = self->attempt_cancellable;

  if (attempt != NULL)
    g_cancellable_cancel (attempt);
}

void
lodge_connection_open_async (LodgeConnection     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LODGE_IS_CONNECTION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_connection_open_async);

  if (self->state == LODGE_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->open_task != NULL || self->attempt_running ||
      self->state == LODGE_CONNECTION_STATE_RECONNECTING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Already connecting to %s"), self->uri);
      return;
    }

  self->open_task = g_steal_pointer (&task);
  lodge_connection_set_reconnect_delay (self, 0);
  lodge_connection_set_state (self, LODGE_CONNECTION_STATE_CONNECTING);
  lodge_connection_start_attempt (self);

  if (cancellable != NULL)
    {
      self->open_cancellable = g_object_ref (cancellable);
      self->open_cancelled_id =
        g_cancellable_connect (cancellable, G_CALLBACK (lodge_connection_open_cancelled_cb),
                               self, NULL);
    }
}

gboolean
lodge_connection_open_finish (LodgeConnection  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_connection_close (LodgeConnection *self)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));

  lodge_connection_stop (self);
  self->attempt_running = FALSE;
  g_clear_object (&self->attempt_cancellable);
  g_clear_pointer (&self->auth_attempt, lodge_auth_attempt_unref);
  lodge_connection_finish_open_task (self,
                                     g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("The connection was closed")));

  lodge_connection_detach_machines (self);
  lodge_machine_list_clear (self->machines);
  self->was_connected = FALSE;
  lodge_connection_set_reconnect_delay (self, 0);
  lodge_connection_set_state (self, LODGE_CONNECTION_STATE_DISCONNECTED);
}

void
lodge_connection_reconnect_now (LodgeConnection *self)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));

  switch (self->state)
    {
    case LODGE_CONNECTION_STATE_RECONNECTING:
      if (!self->attempt_running)
        lodge_connection_start_attempt (self);
      break;
    case LODGE_CONNECTION_STATE_FAILED:
      if (self->retry_source != 0)
        {
          if (!self->attempt_running)
            lodge_connection_start_attempt (self);
          break;
        }
      G_GNUC_FALLTHROUGH;
    case LODGE_CONNECTION_STATE_DISCONNECTED:
      lodge_connection_open_async (self, NULL, NULL, NULL);
      break;
    case LODGE_CONNECTION_STATE_CONNECTING:
    case LODGE_CONNECTION_STATE_CONNECTED:
    default:
      break;
    }
}

/* The ssh processes that carry libvirt's connection to the host of @uri
 * (qemu+ssh://: children of this process running ssh to that host with
 * libvirt's remote end, virt-ssh-helper or nc on its socket) get SIGTERM.
 * Console tunnels to the same host are left alone. */
static void
lodge_connection_end_ssh_transport (const char *uri)
{
  g_autoptr(LodgeUri) parsed = lodge_uri_parse (uri, NULL);
  g_autoptr(GDir) proc = NULL;
  const char *name;
  pid_t self_pid = getpid ();

  if (parsed == NULL || g_strcmp0 (lodge_uri_get_transport (parsed), "ssh") != 0 ||
      lodge_uri_get_host (parsed) == NULL)
    return;
  proc = g_dir_open ("/proc", 0, NULL);
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = NULL;
      g_autofree char *stat = NULL;
      g_autofree char *cmdline_path = NULL;
      g_autofree char *cmdline = NULL;
      gsize length = 0;
      const char *after;
      gboolean to_host = FALSE, libvirt_end = FALSE;
      pid_t pid, ppid;

      if (!g_ascii_isdigit (name[0]))
        continue;
      pid = (pid_t) g_ascii_strtoll (name, NULL, 10);
      stat_path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          (after = strrchr (stat, ')')) == NULL ||
          sscanf (after + 1, " %*c %d", &ppid) != 1 || ppid != self_pid ||
          strstr (stat, "(ssh)") == NULL)
        continue;
      cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (cmdline_path, &cmdline, &length, NULL))
        continue;
      for (const char *arg = cmdline; arg < cmdline + length; arg += strlen (arg) + 1)
        {
          to_host |= g_str_equal (arg, lodge_uri_get_host (parsed)) ||
                     (g_str_has_suffix (arg, lodge_uri_get_host (parsed)) &&
                      strchr (arg, '@') != NULL);
          libvirt_end |= strstr (arg, "virt-ssh-helper") != NULL ||
                         strstr (arg, "libvirt-sock") != NULL;
        }
      if (to_host && libvirt_end)
        kill (pid, SIGTERM);
    }
}

/* A statistics call has waited STALL_SECONDS: the host does not answer.
 * Over an ssh transport, libvirt 9.0 cannot close a connection while a
 * call waits on it: its keepalive gives up, the close never completes (the
 * host never looks lost), and when the stream ends later it crashes in the
 * waiting thread. So Lodge ends the ssh process first, before the
 * keepalive gives up: libvirt sees the stream end, the call fails, and the
 * connection closes and reconnects like any lost one. (Over a local socket
 * the keepalive alone does it.) */
static gboolean
lodge_connection_stall_timeout_cb (gpointer user_data)
{
  LodgeConnection *self = user_data;

  self->stall_source = 0;
  if (!self->stats_running)
    return G_SOURCE_REMOVE;
  g_debug ("%s: no answer for %d s: ending its ssh transport", self->uri, STALL_SECONDS);
  lodge_connection_end_ssh_transport (self->uri);
  return G_SOURCE_REMOVE;
}

/* Statistics: one virConnectGetAllDomainStats per tick for every active
 * machine, on a worker thread; the main thread only matches uuids. */

typedef struct
{
  char               uuid[VIR_UUID_STRING_BUFLEN];
  LodgeMachineSample sample;
} StatsRecord;

typedef struct
{
  virConnectPtr  conn;
  guint          session_id;
  GArray        *records;    /* StatsRecord */
  gboolean       lost;
} StatsData;

static void
stats_data_free (StatsData *stats)
{
  if (stats->conn != NULL)
    virConnectClose (stats->conn);
  g_clear_pointer (&stats->records, g_array_unref);
  g_free (stats);
}

static gboolean
param_has_suffix (const char *field,
                  const char *prefix,
                  const char *suffix)
{
  gsize prefix_len = strlen (prefix);

  return strncmp (field, prefix, prefix_len) == 0 && g_str_has_suffix (field + prefix_len, suffix);
}

static guint64
param_to_uint64 (const virTypedParameter *param)
{
  switch (param->type)
    {
    case VIR_TYPED_PARAM_INT:
      return param->value.i > 0 ? (guint64)param->value.i : 0;
    case VIR_TYPED_PARAM_UINT:
      return param->value.ui;
    case VIR_TYPED_PARAM_LLONG:
      return param->value.l > 0 ? (guint64)param->value.l : 0;
    case VIR_TYPED_PARAM_ULLONG:
      return param->value.ul;
    default:
      return 0;
    }
}

static void
stats_record_read (StatsRecord            *record,
                   const virDomainStatsRecord *source)
{
  guint64 balloon_current = 0;
  guint64 balloon_rss = 0;

  for (int i = 0; i < source->nparams; i++)
    {
      const virTypedParameter *param = &source->params[i];
      const char *field = param->field;

      switch (field[0])
        {
        case 'c':
          if (strcmp (field, "cpu.time") == 0)
            record->sample.cpu_time = param_to_uint64 (param);
          break;
        case 'b':
          if (strcmp (field, "balloon.current") == 0)
            balloon_current = param_to_uint64 (param);
          else if (strcmp (field, "balloon.rss") == 0)
            balloon_rss = param_to_uint64 (param);
          else if (param_has_suffix (field, "block.", ".rd.bytes"))
            record->sample.block_rd_bytes += param_to_uint64 (param);
          else if (param_has_suffix (field, "block.", ".wr.bytes"))
            record->sample.block_wr_bytes += param_to_uint64 (param);
          break;
        case 'n':
          if (param_has_suffix (field, "net.", ".rx.bytes"))
            record->sample.net_rx_bytes += param_to_uint64 (param);
          else if (param_has_suffix (field, "net.", ".tx.bytes"))
            record->sample.net_tx_bytes += param_to_uint64 (param);
          break;
        case 'v':
          if (strcmp (field, "vcpu.current") == 0)
            record->sample.vcpus = (guint)param_to_uint64 (param);
          break;
        default:
          break;
        }
    }

  record->sample.memory_used = (balloon_rss != 0 ? balloon_rss : balloon_current) * 1024;
}

static void
lodge_connection_stats_thread (GTask        *task,
                               gpointer      source_object,
                               gpointer      task_data,
                               GCancellable *cancellable)
{
  StatsData *stats = task_data;
  virDomainStatsRecordPtr *records = NULL;
  g_autoptr(GError) error = NULL;
  gint64 timestamp;
  int n;

  lodge_virt_call_begin (stats->conn);
  n = virConnectGetAllDomainStats (stats->conn, STATS_TYPES, &records,
                                   VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
  lodge_virt_call_end (stats->conn);
  timestamp = g_get_monotonic_time ();

  if (n < 0)
    {
      lodge_model_set_error_from_virt (&error, "Could not read statistics");
      stats->lost = virConnectIsAlive (stats->conn) == 0;
      virResetLastError ();
      g_clear_pointer (&stats->conn, virConnectClose);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  stats->records = g_array_sized_new (FALSE, TRUE, sizeof (StatsRecord), n);
  g_array_set_size (stats->records, n);
  for (int i = 0; i < n; i++)
    {
      StatsRecord *record = &g_array_index (stats->records, StatsRecord, i);

      if (virDomainGetUUIDString (records[i]->dom, record->uuid) < 0)
        {
          record->uuid[0] = '\0';
          continue;
        }
      record->sample.timestamp = timestamp;
      stats_record_read (record, records[i]);
    }
  virDomainStatsRecordListFree (records);
  g_clear_pointer (&stats->conn, virConnectClose);

  g_task_return_boolean (task, TRUE);
}

static void
lodge_connection_stats_done_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  LodgeConnection *self = LODGE_CONNECTION (object);
  StatsData *stats = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gint64 start;

  self->stats_running = FALSE;
  g_clear_handle_id (&self->stall_source, g_source_remove);
  self->stats_calls++;

  /* A tick of an older session: its "lost" is not this one's. */
  if (self->session == NULL || stats->session_id != self->session->id)
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_debug ("%s: %s", self->uri, error->message);
      if (stats->lost)
        lodge_connection_lost (self);
      return;
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < stats->records->len; i++)
    {
      const StatsRecord *record = &g_array_index (stats->records, StatsRecord, i);
      LodgeMachine *machine;

      if (record->uuid[0] == '\0')
        continue;
      machine = lodge_machine_list_lookup_uuid (self->machines, record->uuid);
      /* A machine between its start and its STARTED event is still shown
       * as stopped: its figures wait for the event. */
      if (machine != NULL && lodge_machine_is_active (machine))
        lodge_machine_apply_sample (machine, &record->sample);
    }
  self->last_tick_usec = g_get_monotonic_time () - start;

  g_signal_emit (self, signals[STATS_UPDATED], 0);
}

void
lodge_connection_update_stats_now (LodgeConnection *self)
{
  g_autoptr(GTask) task = NULL;
  StatsData *stats;

  g_return_if_fail (LODGE_IS_CONNECTION (self));

  if (self->session == NULL || self->stats_running)
    return;

  stats = g_new0 (StatsData, 1);
  stats->conn = lodge_connection_ref_virconnect (self);
  stats->session_id = self->session->id;
  self->stats_running = TRUE;
  if (self->stall_source == 0)
    self->stall_source = g_timeout_add_seconds (STALL_SECONDS, lodge_connection_stall_timeout_cb, self);

  task = g_task_new (self, NULL, lodge_connection_stats_done_cb, NULL);
  g_task_set_source_tag (task, lodge_connection_update_stats_now);
  g_task_set_task_data (task, stats, (GDestroyNotify)stats_data_free);
  g_task_run_in_thread (task, lodge_connection_stats_thread);
}

static gboolean
lodge_connection_stats_timeout_cb (gpointer user_data)
{
  LodgeConnection *self = user_data;

  /* A slow host: skip this tick rather than pile calls up. */
  if (!self->stats_running)
    lodge_connection_update_stats_now (self);
  return G_SOURCE_CONTINUE;
}

static void
lodge_connection_update_stats_timer (LodgeConnection *self)
{
  guint interval = self->fast_stats_holds > 0 ? 1 : self->stats_interval;

  g_clear_handle_id (&self->stats_source, g_source_remove);

  if (interval == 0 || self->session == NULL)
    return;

  /* Second granularity lets GLib batch wakeups: idle CPU stays low. */
  self->stats_source = g_timeout_add_seconds (interval, lodge_connection_stats_timeout_cb, self);
  lodge_connection_update_stats_now (self);
}

guint
lodge_connection_get_stats_interval (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), 0);
  return self->fast_stats_holds > 0 ? 1 : self->stats_interval;
}

void
lodge_connection_set_stats_interval (LodgeConnection *self,
                                     guint            seconds)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));

  if (self->stats_interval == seconds)
    return;
  self->stats_interval = seconds;
  if (self->fast_stats_holds > 0)
    return;
  lodge_connection_update_stats_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS_INTERVAL]);
}

void
lodge_connection_hold_fast_stats (LodgeConnection *self)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));

  if (self->fast_stats_holds++ == 0 && self->stats_interval != 1)
    {
      lodge_connection_update_stats_timer (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS_INTERVAL]);
    }
}

void
lodge_connection_release_fast_stats (LodgeConnection *self)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));
  g_return_if_fail (self->fast_stats_holds > 0);

  if (--self->fast_stats_holds == 0 && self->stats_interval != 1)
    {
      lodge_connection_update_stats_timer (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS_INTERVAL]);
    }
}

guint64
lodge_connection_get_stats_calls (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), 0);
  return self->stats_calls;
}

gint64
lodge_connection_get_last_tick_usec (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), 0);
  return self->last_tick_usec;
}

void
lodge_connection_simulate_lost (LodgeConnection *self)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));
  lodge_connection_lost (self);
}

void
lodge_connection_hold_first_reads (LodgeConnection *self)
{
  ReadGate *gate;

  g_return_if_fail (LODGE_IS_CONNECTION (self));
  g_return_if_fail (self->first_read_gate == NULL);
  gate = g_atomic_rc_box_new0 (ReadGate);
  g_mutex_init (&gate->lock);
  g_cond_init (&gate->cond);
  self->first_read_gate = gate;
}

guint
lodge_connection_get_n_held_reads (LodgeConnection *self)
{
  guint n;

  g_return_val_if_fail (LODGE_IS_CONNECTION (self), 0);
  g_return_val_if_fail (self->first_read_gate != NULL, 0);
  g_mutex_lock (&self->first_read_gate->lock);
  n = self->first_read_gate->n_waiting;
  g_mutex_unlock (&self->first_read_gate->lock);
  return n;
}

void
lodge_connection_release_held_reads (LodgeConnection *self)
{
  ReadGate *gate;

  g_return_if_fail (LODGE_IS_CONNECTION (self));
  gate = g_steal_pointer (&self->first_read_gate);
  g_return_if_fail (gate != NULL);
  g_mutex_lock (&gate->lock);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->lock);
  read_gate_unref (gate);
}

guint
lodge_connection_get_n_refreshing (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), 0);
  return self->n_refreshing;
}

gint64
lodge_connection_get_last_apply_usec (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), 0);
  return self->last_apply_usec;
}

void
lodge_connection_set_state_store (LodgeConnection *self,
                                  LodgeStateStore *store)
{
  guint n;

  g_return_if_fail (LODGE_IS_CONNECTION (self));
  g_return_if_fail (store == NULL || LODGE_IS_STATE_STORE (store));

  if (!g_set_object (&self->state_store, store) || store == NULL)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->machines));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);
      gint64 last_used = lodge_state_store_get_int64 (store, self->uri, lodge_machine_get_uuid (machine),
                                                      "last-used", 0);

      if (last_used > lodge_machine_get_last_used (machine))
        lodge_machine_set_last_used (machine, last_used);
    }
}

LodgeStateStore *
lodge_connection_get_state_store (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);

  return self->state_store;
}

gint64
lodge_connection_get_retry_time (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), 0);

  return self->retry_source != 0 ? self->retry_time : 0;
}

void
lodge_connection_set_host (LodgeConnection *self,
                           LodgeHost       *host)
{
  g_return_if_fail (LODGE_IS_CONNECTION (self));

  self->host = host;
}

LodgeHost *
lodge_connection_get_host (LodgeConnection *self)
{
  g_return_val_if_fail (LODGE_IS_CONNECTION (self), NULL);

  return self->host;
}
