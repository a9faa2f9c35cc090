/* lodge-auth-request.c: a credential question from libvirt for the UI
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include <string.h>

#include "model/lodge-model-private.h"

#define N_KINDS (LODGE_AUTH_KIND_USERNAME + 1)

/* Attempts ---------------------------------------------------------------- */

struct _LodgeAuthAttempt
{
  gatomicrefcount   ref;
  GMutex            mutex;
  char             *uri;
  GCancellable     *cancellable;
  /* Under mutex: */
  guint             n_asked[N_KINDS];
  gboolean          remembered_sent[N_KINDS];
  gboolean          last_remembered[N_KINDS];
  gboolean          secret_sent;
  LodgeAuthOutcome  outcome;
  char             *refused_host;
};

LodgeAuthAttempt *
lodge_auth_attempt_new (const char   *uri,
                        GCancellable *cancellable)
{
  LodgeAuthAttempt *attempt = g_new0 (LodgeAuthAttempt, 1);

  g_atomic_ref_count_init (&attempt->ref);
  g_mutex_init (&attempt->mutex);
  attempt->uri = g_strdup (uri);
  attempt->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  return attempt;
}

LodgeAuthAttempt *
lodge_auth_attempt_ref (LodgeAuthAttempt *attempt)
{
  g_atomic_ref_count_inc (&attempt->ref);
  return attempt;
}

void
lodge_auth_attempt_unref (LodgeAuthAttempt *attempt)
{
  if (!g_atomic_ref_count_dec (&attempt->ref))
    return;

  g_mutex_clear (&attempt->mutex);
  g_free (attempt->uri);
  g_clear_object (&attempt->cancellable);
  g_free (attempt->refused_host);
  g_free (attempt);
}

const char *
lodge_auth_attempt_get_uri (LodgeAuthAttempt *attempt)
{
  return attempt->uri;
}

LodgeAuthOutcome
lodge_auth_attempt_get_outcome (LodgeAuthAttempt  *attempt,
                                char             **host)
{
  LodgeAuthOutcome outcome;

  g_mutex_lock (&attempt->mutex);
  outcome = attempt->outcome;
  if (host != NULL)
    *host = g_strdup (attempt->refused_host);
  g_mutex_unlock (&attempt->mutex);

  return outcome;
}

gboolean
lodge_auth_attempt_get_secret_sent (LodgeAuthAttempt *attempt)
{
  gboolean sent;

  g_mutex_lock (&attempt->mutex);
  sent = attempt->secret_sent;
  g_mutex_unlock (&attempt->mutex);

  return sent;
}

/* Exchanges --------------------------------------------------------------- */

struct _LodgeAuthExchange
{
  gatomicrefcount        ref;
  GMutex                 mutex;
  GCond                  cond;
  LodgeAuthAttempt      *attempt;         /* may be NULL */
  LodgeAuthSource        source;
  char                  *prompt;
  LodgeAuthPrompt       *parsed;
  gboolean               needs_username;
  gboolean               needs_password;
  guint                  n_refused;
  gboolean               remembered_refused;
  GCancellable          *cancellable;     /* the attempt's */
  gulong                 cancelled_id;
  GWeakRef               request;
  /* Under mutex: */
  gboolean               done;
  gboolean               cancelled;
  gboolean               by_request;      /* finished through the request's API */
  char                  *echo_answer;
  char                  *secret_answer;
  GMainContext          *context;         /* where the request and done_func live */
  LodgeAuthExchangeDone  done_func;
  gpointer               done_data;
};

struct _LodgeAuthRequest
{
  GObject            parent_instance;
  LodgeAuthExchange *exchange;
  LodgeConnection   *connection;         /* weak */
  char              *uri_host;
  char              *uri_user;
};

G_DEFINE_FINAL_TYPE (LodgeAuthRequest, lodge_auth_request, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_PROMPT,
  PROP_KIND,
  PROP_HOST,
  PROP_USER,
  PROP_FINGERPRINT,
  PROP_N_REFUSED,
  PROP_REMEMBERED_REFUSED,
  PROP_NEEDS_USERNAME,
  PROP_NEEDS_PASSWORD,
  PROP_FINISHED,
  N_PROPS
};

enum {
  WITHDRAWN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
wipe (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
lodge_auth_exchange_cancelled_cb (GCancellable      *cancellable,
                                  LodgeAuthExchange *exchange);

LodgeAuthExchange *
lodge_auth_exchange_new (LodgeAuthAttempt *attempt,
                         LodgeAuthSource   source,
                         const char       *prompt,
                         LodgeAuthPrompt  *parsed,
                         gboolean          needs_username,
                         gboolean          needs_password)
{
  LodgeAuthExchange *exchange = g_new0 (LodgeAuthExchange, 1);
  gboolean born_finished = FALSE;

  g_assert (parsed != NULL);

  g_atomic_ref_count_init (&exchange->ref);
  g_mutex_init (&exchange->mutex);
  g_cond_init (&exchange->cond);
  g_weak_ref_init (&exchange->request, NULL);
  exchange->source = source;
  exchange->prompt = g_strdup (prompt);
  exchange->parsed = parsed;
  exchange->needs_username = needs_username;
  exchange->needs_password = needs_password;

  if (attempt != NULL)
    {
      LodgeAuthKind kind = parsed->kind;

      exchange->attempt = lodge_auth_attempt_ref (attempt);

      g_mutex_lock (&attempt->mutex);
      exchange->n_refused = attempt->n_asked[kind];
      exchange->remembered_refused = exchange->n_refused > 0 && attempt->last_remembered[kind];
      if (attempt->outcome != LODGE_AUTH_OUTCOME_NONE)
        born_finished = TRUE;
      else if (attempt->n_asked[kind] >= LODGE_AUTH_MAX_TRIES)
        {
          attempt->outcome = LODGE_AUTH_OUTCOME_GAVE_UP;
          born_finished = TRUE;
        }
      else
        attempt->n_asked[kind]++;
      g_mutex_unlock (&attempt->mutex);

      if (born_finished)
        {
          exchange->done = TRUE;
          exchange->cancelled = TRUE;
        }
      else if (attempt->cancellable != NULL)
        {
          /* Runs at once when the attempt is already cancelled. */
          exchange->cancellable = g_object_ref (attempt->cancellable);
          exchange->cancelled_id =
            g_cancellable_connect (exchange->cancellable,
                                   G_CALLBACK (lodge_auth_exchange_cancelled_cb),
                                   exchange, NULL);
        }
    }

  return exchange;
}

LodgeAuthExchange *
lodge_auth_exchange_ref (LodgeAuthExchange *exchange)
{
  g_atomic_ref_count_inc (&exchange->ref);
  return exchange;
}

void
lodge_auth_exchange_unref (LodgeAuthExchange *exchange)
{
  if (!g_atomic_ref_count_dec (&exchange->ref))
    return;

  if (exchange->cancellable != NULL)
    {
      g_cancellable_disconnect (exchange->cancellable, exchange->cancelled_id);
      g_clear_object (&exchange->cancellable);
    }
  g_mutex_clear (&exchange->mutex);
  g_cond_clear (&exchange->cond);
  g_weak_ref_clear (&exchange->request);
  g_clear_pointer (&exchange->attempt, lodge_auth_attempt_unref);
  g_free (exchange->prompt);
  lodge_auth_prompt_free (exchange->parsed);
  g_free (exchange->echo_answer);
  wipe (&exchange->secret_answer);
  g_clear_pointer (&exchange->context, g_main_context_unref);
  g_free (exchange);
}

gboolean
lodge_auth_exchange_get_finished (LodgeAuthExchange *exchange)
{
  gboolean done;

  g_mutex_lock (&exchange->mutex);
  done = exchange->done;
  g_mutex_unlock (&exchange->mutex);

  return done;
}

/* What goes back to ssh: one line, the shown or the hidden answer. */
static char *
lodge_auth_exchange_dup_answer_locked (LodgeAuthExchange *exchange)
{
  if (exchange->cancelled)
    return NULL;
  if (exchange->parsed->echo)
    return g_strdup (exchange->echo_answer != NULL ? exchange->echo_answer : "");
  if (exchange->secret_answer != NULL)
    return g_strdup (exchange->secret_answer);
  return g_strdup (exchange->echo_answer != NULL ? exchange->echo_answer : "");
}

/* In the exchange's context, after it finished: the done function, and
 * the request learns it is over. */
static gboolean
lodge_auth_exchange_notify_cb (gpointer user_data)
{
  LodgeAuthExchange *exchange = user_data;
  g_autoptr(LodgeAuthRequest) request = g_weak_ref_get (&exchange->request);
  LodgeAuthExchangeDone func;
  gpointer data;
  char *answer;
  gboolean by_request;

  g_mutex_lock (&exchange->mutex);
  func = g_steal_pointer (&exchange->done_func);
  data = g_steal_pointer (&exchange->done_data);
  answer = func != NULL ? lodge_auth_exchange_dup_answer_locked (exchange) : NULL;
  by_request = exchange->by_request;
  g_mutex_unlock (&exchange->mutex);

  if (func != NULL)
    func (exchange, answer, data);
  wipe (&answer);

  if (request != NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (request), properties[PROP_FINISHED]);
      if (!by_request)
        g_signal_emit (request, signals[WITHDRAWN], 0);
    }

  return G_SOURCE_REMOVE;
}

static void
lodge_auth_exchange_schedule_notify (LodgeAuthExchange *exchange,
                                     GMainContext      *context)
{
  lodge_main_context_post (context, "[lodge] auth exchange finished",
                           lodge_auth_exchange_notify_cb,
                           lodge_auth_exchange_ref (exchange),
                           (GDestroyNotify) lodge_auth_exchange_unref);
}

/* Returns FALSE when the exchange was already finished. */
static gboolean
lodge_auth_exchange_finish (LodgeAuthExchange *exchange,
                            gboolean           cancelled,
                            gboolean           by_request,
                            gboolean           remembered,
                            const char        *echo_answer,
                            const char        *secret_answer)
{
  g_autoptr(GMainContext) context = NULL;
  LodgeAuthKind kind = exchange->parsed->kind;

  g_mutex_lock (&exchange->mutex);
  if (exchange->done)
    {
      g_mutex_unlock (&exchange->mutex);
      return FALSE;
    }

  /* The attempt first: the worker reads its outcome as soon as it wakes.
   * (Locks are always taken in this order: exchange, then attempt.) */
  if (exchange->attempt != NULL)
    {
      LodgeAuthAttempt *attempt = exchange->attempt;

      g_mutex_lock (&attempt->mutex);
      if (cancelled && by_request && attempt->outcome == LODGE_AUTH_OUTCOME_NONE)
        attempt->outcome = LODGE_AUTH_OUTCOME_CANCELLED;
      if (!cancelled)
        {
          attempt->last_remembered[kind] = remembered;
          if (remembered)
            attempt->remembered_sent[kind] = TRUE;
          if (secret_answer != NULL &&
              (kind == LODGE_AUTH_KIND_PASSWORD || kind == LODGE_AUTH_KIND_PASSPHRASE ||
               exchange->needs_password))
            attempt->secret_sent = TRUE;
        }
      g_mutex_unlock (&attempt->mutex);
    }

  exchange->done = TRUE;
  exchange->cancelled = cancelled;
  exchange->by_request = by_request;
  exchange->echo_answer = g_strdup (echo_answer);
  exchange->secret_answer = g_strdup (secret_answer);
  if (exchange->context != NULL)
    context = g_main_context_ref (exchange->context);
  g_cond_broadcast (&exchange->cond);
  g_mutex_unlock (&exchange->mutex);

  if (context != NULL)
    lodge_auth_exchange_schedule_notify (exchange, context);

  return TRUE;
}

static void
lodge_auth_exchange_cancelled_cb (GCancellable      *cancellable,
                                  LodgeAuthExchange *exchange)
{
  lodge_auth_exchange_finish (exchange, TRUE, FALSE, FALSE, NULL, NULL);
}

void
lodge_auth_exchange_withdraw (LodgeAuthExchange *exchange)
{
  lodge_auth_exchange_finish (exchange, TRUE, FALSE, FALSE, NULL, NULL);
}

gboolean
lodge_auth_exchange_wait (LodgeAuthExchange  *exchange,
                          char              **echo_answer,
                          char              **secret_answer)
{
  gboolean answered;

  g_assert (exchange != NULL);

  g_mutex_lock (&exchange->mutex);
  while (!exchange->done)
    g_cond_wait (&exchange->cond, &exchange->mutex);
  answered = !exchange->cancelled;
  if (answered)
    {
      *echo_answer = g_strdup (exchange->echo_answer);
      *secret_answer = g_strdup (exchange->secret_answer);
    }
  g_mutex_unlock (&exchange->mutex);

  return answered;
}

void
lodge_auth_exchange_set_done_func (LodgeAuthExchange     *exchange,
                                   GMainContext          *context,
                                   LodgeAuthExchangeDone  func,
                                   gpointer               user_data)
{
  g_autoptr(GMainContext) where = NULL;
  gboolean done;

  g_mutex_lock (&exchange->mutex);
  g_assert (exchange->done_func == NULL);
  if (exchange->context == NULL)
    exchange->context = context != NULL ? g_main_context_ref (context)
                                        : g_main_context_ref_thread_default ();
  where = g_main_context_ref (exchange->context);
  exchange->done_func = func;
  exchange->done_data = user_data;
  done = exchange->done;
  g_mutex_unlock (&exchange->mutex);

  if (done)
    lodge_auth_exchange_schedule_notify (exchange, where);
}

/* Requests ---------------------------------------------------------------- */

LodgeAuthRequest *
lodge_auth_request_new (LodgeAuthExchange *exchange,
                        LodgeConnection   *connection)
{
  LodgeAuthRequest *self = g_object_new (LODGE_TYPE_AUTH_REQUEST, NULL);

  self->exchange = lodge_auth_exchange_ref (exchange);
  g_set_weak_pointer (&self->connection, connection);
  g_weak_ref_set (&exchange->request, self);

  g_mutex_lock (&exchange->mutex);
  if (exchange->context == NULL)
    exchange->context = g_main_context_ref_thread_default ();
  g_mutex_unlock (&exchange->mutex);

  if (exchange->attempt != NULL && exchange->attempt->uri != NULL)
    {
      g_autoptr(LodgeUri) uri = lodge_uri_parse (exchange->attempt->uri, NULL);

      if (uri != NULL)
        {
          self->uri_host = g_strdup (lodge_uri_get_host (uri));
          self->uri_user = g_strdup (lodge_uri_get_user (uri));
        }
    }

  return self;
}

static void
lodge_auth_request_dispose (GObject *object)
{
  LodgeAuthRequest *self = (LodgeAuthRequest *)object;

  /* A request dropped without an answer must not leave the worker (or
   * ssh) waiting: nobody was there to answer, that is a cancel. */
  if (self->exchange != NULL)
    {
      lodge_auth_exchange_finish (self->exchange, TRUE, TRUE, FALSE, NULL, NULL);
      g_clear_pointer (&self->exchange, lodge_auth_exchange_unref);
    }
  g_clear_weak_pointer (&self->connection);

  G_OBJECT_CLASS (lodge_auth_request_parent_class)->dispose (object);
}

static void
lodge_auth_request_finalize (GObject *object)
{
  LodgeAuthRequest *self = (LodgeAuthRequest *)object;

  g_free (self->uri_host);
  g_free (self->uri_user);

  G_OBJECT_CLASS (lodge_auth_request_parent_class)->finalize (object);
}

static void
lodge_auth_request_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LodgeAuthRequest *self = LODGE_AUTH_REQUEST (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, lodge_auth_request_get_uri (self));
      break;
    case PROP_PROMPT:
      g_value_set_string (value, lodge_auth_request_get_prompt (self));
      break;
    case PROP_KIND:
      g_value_set_enum (value, lodge_auth_request_get_kind (self));
      break;
    case PROP_HOST:
      g_value_set_string (value, lodge_auth_request_get_host (self));
      break;
    case PROP_USER:
      g_value_set_string (value, lodge_auth_request_get_user (self));
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, lodge_auth_request_get_fingerprint (self));
      break;
    case PROP_N_REFUSED:
      g_value_set_uint (value, lodge_auth_request_get_n_refused (self));
      break;
    case PROP_REMEMBERED_REFUSED:
      g_value_set_boolean (value, lodge_auth_request_get_remembered_refused (self));
      break;
    case PROP_NEEDS_USERNAME:
      g_value_set_boolean (value, lodge_auth_request_get_needs_username (self));
      break;
    case PROP_NEEDS_PASSWORD:
      g_value_set_boolean (value, lodge_auth_request_get_needs_password (self));
      break;
    case PROP_FINISHED:
      g_value_set_boolean (value, lodge_auth_request_get_finished (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_auth_request_class_init (LodgeAuthRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_auth_request_dispose;
  object_class->finalize = lodge_auth_request_finalize;
  object_class->get_property = lodge_auth_request_get_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROMPT] =
    g_param_spec_string ("prompt", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, LODGE_TYPE_AUTH_KIND, LODGE_AUTH_KIND_OTHER,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_REFUSED] =
    g_param_spec_uint ("n-refused", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REMEMBERED_REFUSED] =
    g_param_spec_boolean ("remembered-refused", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEEDS_USERNAME] =
    g_param_spec_boolean ("needs-username", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEEDS_PASSWORD] =
    g_param_spec_boolean ("needs-password", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FINISHED] =
    g_param_spec_boolean ("finished", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[WITHDRAWN] =
    g_signal_new ("withdrawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lodge_auth_request_init (LodgeAuthRequest *self)
{
}

LodgeConnection *
lodge_auth_request_get_connection (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->connection;
}

const char *
lodge_auth_request_get_uri (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange->attempt != NULL ? self->exchange->attempt->uri : NULL;
}

const char *
lodge_auth_request_get_prompt (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange->prompt;
}

LodgeAuthKind
lodge_auth_request_get_kind (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), LODGE_AUTH_KIND_OTHER);
  return self->exchange->parsed->kind;
}

const char *
lodge_auth_request_get_host (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange->parsed->host != NULL ? self->exchange->parsed->host : self->uri_host;
}

const char *
lodge_auth_request_get_user (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange->parsed->user != NULL ? self->exchange->parsed->user : self->uri_user;
}

const char *
lodge_auth_request_get_fingerprint (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange->parsed->fingerprint;
}

const char *
lodge_auth_request_get_key_type (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange->parsed->key_type;
}

const char *
lodge_auth_request_get_key_file (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange->parsed->key_file;
}

gboolean
lodge_auth_request_get_echo (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), FALSE);
  return self->exchange->parsed->echo;
}

guint
lodge_auth_request_get_n_refused (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), 0);
  return self->exchange->n_refused;
}

gboolean
lodge_auth_request_get_remembered_refused (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), FALSE);
  return self->exchange->remembered_refused;
}

gboolean
lodge_auth_request_get_can_use_remembered (LodgeAuthRequest *self)
{
  LodgeAuthAttempt *attempt;
  gboolean can;

  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), FALSE);

  attempt = self->exchange->attempt;
  if (attempt == NULL)
    return self->exchange->n_refused == 0;

  g_mutex_lock (&attempt->mutex);
  can = !attempt->remembered_sent[self->exchange->parsed->kind];
  g_mutex_unlock (&attempt->mutex);

  return can;
}

gboolean
lodge_auth_request_get_needs_username (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), FALSE);
  return self->exchange->needs_username;
}

gboolean
lodge_auth_request_get_needs_password (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), FALSE);
  return self->exchange->needs_password;
}

gboolean
lodge_auth_request_get_finished (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), TRUE);
  return lodge_auth_exchange_get_finished (self->exchange);
}

void
lodge_auth_request_answer (LodgeAuthRequest *self,
                           const char       *username,
                           const char       *password)
{
  g_return_if_fail (LODGE_IS_AUTH_REQUEST (self));

  if (!lodge_auth_exchange_finish (self->exchange, FALSE, TRUE, FALSE, username, password))
    g_debug ("An authentication request was answered after it finished");
}

void
lodge_auth_request_accept_host_key (LodgeAuthRequest *self,
                                    gboolean          accept)
{
  LodgeAuthExchange *exchange;
  const char *word;

  g_return_if_fail (LODGE_IS_AUTH_REQUEST (self));
  g_return_if_fail (lodge_auth_request_get_kind (self) == LODGE_AUTH_KIND_HOST_KEY);

  exchange = self->exchange;
  if (exchange->source == LODGE_AUTH_SOURCE_OPENSSH)
    word = accept ? "yes" : "no";
  else
    word = accept ? "y" : "n";

  /* Recorded first: the worker may read the outcome as soon as the
   * answer is in. */
  if (!accept && exchange->attempt != NULL && !lodge_auth_exchange_get_finished (exchange))
    {
      LodgeAuthAttempt *attempt = exchange->attempt;

      g_mutex_lock (&attempt->mutex);
      if (attempt->outcome == LODGE_AUTH_OUTCOME_NONE)
        {
          attempt->outcome = LODGE_AUTH_OUTCOME_HOST_KEY_REFUSED;
          g_free (attempt->refused_host);
          attempt->refused_host = g_strdup (lodge_auth_request_get_host (self));
        }
      g_mutex_unlock (&attempt->mutex);
    }

  if (!lodge_auth_exchange_finish (exchange, FALSE, TRUE, FALSE, word, NULL))
    g_debug ("A host key question was answered after it finished");
}

gboolean
lodge_auth_request_answer_remembered (LodgeAuthRequest *self,
                                      const char       *secret)
{
  LodgeAuthExchange *exchange;
  LodgeAuthAttempt *attempt;
  LodgeAuthKind kind;

  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  exchange = self->exchange;
  attempt = exchange->attempt;
  kind = exchange->parsed->kind;

  if (lodge_auth_exchange_get_finished (exchange))
    return FALSE;

  if (attempt == NULL)
    {
      if (exchange->n_refused > 0)
        return FALSE;
    }
  else
    {
      gboolean sent;

      /* Claimed under the lock: two questions of one kind at once cannot
       * both get the remembered secret. */
      g_mutex_lock (&attempt->mutex);
      sent = attempt->remembered_sent[kind];
      attempt->remembered_sent[kind] = TRUE;
      g_mutex_unlock (&attempt->mutex);
      if (sent)
        return FALSE;
    }

  return lodge_auth_exchange_finish (exchange, FALSE, TRUE, TRUE, NULL, secret);
}

void
lodge_auth_request_cancel (LodgeAuthRequest *self)
{
  g_return_if_fail (LODGE_IS_AUTH_REQUEST (self));

  lodge_auth_exchange_finish (self->exchange, TRUE, TRUE, FALSE, NULL, NULL);
}
