/* lodge-auth-request.c: a credential question from libvirt for the UI
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include <string.h>

#include "model/lodge-model-private.h"

struct _LodgeAuthExchange
{
  gatomicrefcount  ref;
  GMutex           mutex;
  GCond            cond;
  char            *uri;
  char            *prompt;
  gboolean         needs_username;
  gboolean         needs_password;
  /* Under mutex: */
  gboolean         done;
  gboolean         cancelled;
  char            *username;
  char            *password;
};

struct _LodgeAuthRequest
{
  GObject            parent_instance;
  LodgeAuthExchange *exchange;
};

G_DEFINE_FINAL_TYPE (LodgeAuthRequest, lodge_auth_request, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_PROMPT,
  PROP_NEEDS_USERNAME,
  PROP_NEEDS_PASSWORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

LodgeAuthExchange *
lodge_auth_exchange_new (const char *uri,
                         const char *prompt,
                         gboolean    needs_username,
                         gboolean    needs_password)
{
  LodgeAuthExchange *exchange = g_new0 (LodgeAuthExchange, 1);

  g_atomic_ref_count_init (&exchange->ref);
  g_mutex_init (&exchange->mutex);
  g_cond_init (&exchange->cond);
  exchange->uri = g_strdup (uri);
  exchange->prompt = g_strdup (prompt);
  exchange->needs_username = needs_username;
  exchange->needs_password = needs_password;

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

  g_mutex_clear (&exchange->mutex);
  g_cond_clear (&exchange->cond);
  g_free (exchange->uri);
  g_free (exchange->prompt);
  g_free (exchange->username);
  if (exchange->password != NULL)
    memset (exchange->password, 0, strlen (exchange->password));
  g_free (exchange->password);
  g_free (exchange);
}

/* Returns FALSE when the exchange was already finished. */
static gboolean
lodge_auth_exchange_finish (LodgeAuthExchange *exchange,
                            gboolean           cancelled,
                            const char        *username,
                            const char        *password)
{
  gboolean finished = FALSE;

  g_mutex_lock (&exchange->mutex);
  if (!exchange->done)
    {
      exchange->done = TRUE;
      exchange->cancelled = cancelled;
      exchange->username = g_strdup (username);
      exchange->password = g_strdup (password);
      finished = TRUE;
      g_cond_broadcast (&exchange->cond);
    }
  g_mutex_unlock (&exchange->mutex);

  return finished;
}

static void
lodge_auth_exchange_cancellable_cancelled_cb (GCancellable      *cancellable,
                                              LodgeAuthExchange *exchange)
{
  lodge_auth_exchange_finish (exchange, TRUE, NULL, NULL);
}

gboolean
lodge_auth_exchange_wait (LodgeAuthExchange  *exchange,
                          GCancellable       *cancellable,
                          char              **username,
                          char              **password)
{
  gulong handler = 0;
  gboolean answered;

  g_assert (exchange != NULL);

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable,
                                     G_CALLBACK (lodge_auth_exchange_cancellable_cancelled_cb),
                                     exchange, NULL);

  g_mutex_lock (&exchange->mutex);
  while (!exchange->done)
    g_cond_wait (&exchange->cond, &exchange->mutex);
  answered = !exchange->cancelled;
  if (answered)
    {
      *username = g_strdup (exchange->username);
      *password = g_strdup (exchange->password);
    }
  g_mutex_unlock (&exchange->mutex);

  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);

  return answered;
}

LodgeAuthRequest *
lodge_auth_request_new (LodgeAuthExchange *exchange)
{
  LodgeAuthRequest *self = g_object_new (LODGE_TYPE_AUTH_REQUEST, NULL);

  self->exchange = lodge_auth_exchange_ref (exchange);

  return self;
}

static void
lodge_auth_request_dispose (GObject *object)
{
  LodgeAuthRequest *self = (LodgeAuthRequest *)object;

  /* A request dropped without an answer must not leave the worker waiting. */
  if (self->exchange != NULL)
    {
      lodge_auth_exchange_finish (self->exchange, TRUE, NULL, NULL);
      g_clear_pointer (&self->exchange, lodge_auth_exchange_unref);
    }

  G_OBJECT_CLASS (lodge_auth_request_parent_class)->dispose (object);
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
    case PROP_NEEDS_USERNAME:
      g_value_set_boolean (value, lodge_auth_request_get_needs_username (self));
      break;
    case PROP_NEEDS_PASSWORD:
      g_value_set_boolean (value, lodge_auth_request_get_needs_password (self));
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
  object_class->get_property = lodge_auth_request_get_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROMPT] =
    g_param_spec_string ("prompt", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEEDS_USERNAME] =
    g_param_spec_boolean ("needs-username", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEEDS_PASSWORD] =
    g_param_spec_boolean ("needs-password", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_auth_request_init (LodgeAuthRequest *self)
{
}

const char *
lodge_auth_request_get_uri (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange != NULL ? self->exchange->uri : NULL;
}

const char *
lodge_auth_request_get_prompt (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), NULL);
  return self->exchange != NULL ? self->exchange->prompt : NULL;
}

gboolean
lodge_auth_request_get_needs_username (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), FALSE);
  return self->exchange != NULL && self->exchange->needs_username;
}

gboolean
lodge_auth_request_get_needs_password (LodgeAuthRequest *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (self), FALSE);
  return self->exchange != NULL && self->exchange->needs_password;
}

void
lodge_auth_request_answer (LodgeAuthRequest *self,
                           const char       *username,
                           const char       *password)
{
  g_return_if_fail (LODGE_IS_AUTH_REQUEST (self));
  g_return_if_fail (self->exchange != NULL);

  if (!lodge_auth_exchange_finish (self->exchange, FALSE, username, password))
    g_warning ("Authentication request answered twice");
}

void
lodge_auth_request_cancel (LodgeAuthRequest *self)
{
  g_return_if_fail (LODGE_IS_AUTH_REQUEST (self));
  g_return_if_fail (self->exchange != NULL);

  lodge_auth_exchange_finish (self->exchange, TRUE, NULL, NULL);
}
