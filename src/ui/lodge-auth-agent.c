/* lodge-auth-agent.c: answers the hosts' credential questions
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-auth-agent"

#include "config.h"

#include <string.h>

#include "ui/lodge-auth-agent.h"
#include "ui/lodge-keyring.h"
#include "ui/lodge-window.h"

/* A secret typed with Remember ticked, kept until its connection is up. */
typedef struct
{
  LodgeAuthAgent  *agent;        /* weak: the agent owns this */
  LodgeConnection *connection;   /* weak */
  gulong           state_id;
  LodgeKeyringKey *key;
  char            *secret;
} PendingStore;

struct _LodgeAuthAgent
{
  GObject          parent_instance;

  GtkApplication  *application;    /* weak */
  gboolean         use_keyring;
  GHashTable      *pending_stores; /* LodgeConnection* -> PendingStore* */
  guint            n_calls;        /* keyring calls under way */
  GCancellable    *cancellable;
  GPtrArray       *waiting;        /* requests waiting for a main window */
  gulong           window_added_id;
};

G_DEFINE_FINAL_TYPE (LodgeAuthAgent, lodge_auth_agent, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USE_KEYRING,
  N_PROPS
};

enum {
  DIALOG_SHOWN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
wipe_secret (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

/* Keyring calls ------------------------------------------------------------ */

static void
lodge_auth_agent_store_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(LodgeAuthAgent) self = user_data;
  g_autoptr(GError) error = NULL;

  self->n_calls--;
  /* The message never holds the secret. */
  if (!lodge_keyring_store_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not remember a secret in the keyring: %s", error->message);
}

static void
lodge_auth_agent_clear_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(LodgeAuthAgent) self = user_data;
  g_autoptr(GError) error = NULL;

  self->n_calls--;
  if (!lodge_keyring_clear_finish (result, &error) && error != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not forget a secret in the keyring: %s", error->message);
}

static void
lodge_auth_agent_forget (LodgeAuthAgent        *self,
                         const LodgeKeyringKey *key)
{
  self->n_calls++;
  lodge_keyring_clear_async (key, self->cancellable, lodge_auth_agent_clear_cb,
                             g_object_ref (self));
}

/* Secrets that wait for their connection --------------------------------- */

static void
pending_store_free (PendingStore *pending)
{
  if (pending->connection != NULL)
    {
      g_clear_signal_handler (&pending->state_id, pending->connection);
      g_clear_weak_pointer (&pending->connection);
    }
  lodge_keyring_key_free (pending->key);
  wipe_secret (pending->secret);
  g_free (pending);
}

static void
lodge_auth_agent_connection_state_cb (LodgeConnection *connection,
                                      GParamSpec      *pspec,
                                      PendingStore    *pending)
{
  LodgeAuthAgent *self = pending->agent;

  switch (lodge_connection_get_state (connection))
    {
    case LODGE_CONNECTION_STATE_CONNECTED:
      /* The host took it: now it is worth keeping. */
      self->n_calls++;
      lodge_keyring_store_async (pending->key, pending->secret, self->cancellable,
                                 lodge_auth_agent_store_cb, g_object_ref (self));
      g_hash_table_remove (self->pending_stores, connection);
      break;
    case LODGE_CONNECTION_STATE_FAILED:
    case LODGE_CONNECTION_STATE_DISCONNECTED:
      g_hash_table_remove (self->pending_stores, connection);
      break;
    case LODGE_CONNECTION_STATE_CONNECTING:
    case LODGE_CONNECTION_STATE_RECONNECTING:
    default:
      break;
    }
}

static void
lodge_auth_agent_keep_until_connected (LodgeAuthAgent        *self,
                                       LodgeConnection       *connection,
                                       const LodgeKeyringKey *key,
                                       const char            *secret)
{
  PendingStore *pending = g_new0 (PendingStore, 1);

  pending->agent = self;
  g_set_weak_pointer (&pending->connection, connection);
  pending->key = lodge_keyring_key_copy (key);
  pending->secret = g_strdup (secret);
  pending->state_id = g_signal_connect (connection, "notify::state",
                                        G_CALLBACK (lodge_auth_agent_connection_state_cb), pending);
  /* The last answer of an attempt is the one that worked. */
  g_hash_table_replace (self->pending_stores, connection, pending);
}

/* Dialogs ------------------------------------------------------------------ */

typedef struct
{
  LodgeAuthAgent  *agent;   /* a reference */
  LodgeKeyringKey *key;     /* NULL: nothing to remember */
} DialogData;

static void
dialog_data_free (gpointer data,
                  GClosure *closure)
{
  DialogData *dialog_data = data;

  g_object_unref (dialog_data->agent);
  lodge_keyring_key_free (dialog_data->key);
  g_free (dialog_data);
}

static void
lodge_auth_agent_dialog_answered_cb (LodgeAuthDialog *dialog,
                                     const char      *response,
                                     DialogData      *data)
{
  LodgeAuthAgent *self = data->agent;
  LodgeAuthRequest *request = lodge_auth_dialog_get_request (dialog);
  LodgeConnection *connection = lodge_auth_request_get_connection (request);

  if (data->key == NULL || connection == NULL || g_strcmp0 (response, "log-in") != 0)
    return;

  if (lodge_auth_dialog_get_remember (dialog))
    lodge_auth_agent_keep_until_connected (self, connection, data->key,
                                           lodge_auth_dialog_get_secret (dialog));
  else
    g_hash_table_remove (self->pending_stores, connection);
}

static GtkWindow *
lodge_auth_agent_main_window (LodgeAuthAgent *self)
{
  GtkWindow *active;

  if (self->application == NULL)
    return NULL;

  for (GList *l = gtk_application_get_windows (self->application); l != NULL; l = l->next)
    if (LODGE_IS_WINDOW (l->data))
      return l->data;

  active = gtk_application_get_active_window (self->application);
  return active != NULL && !LODGE_IS_AUTH_DIALOG (active) ? active : NULL;
}

static void
lodge_auth_agent_show_dialog (LodgeAuthAgent   *self,
                              LodgeAuthRequest *request,
                              GtkWindow        *parent,
                              gboolean          remember);

static void
lodge_auth_agent_window_added_cb (LodgeAuthAgent *self,
                                  GtkWindow      *window,
                                  GtkApplication *application)
{
  g_autoptr(GPtrArray) waiting = NULL;

  if (!LODGE_IS_WINDOW (window))
    return;

  g_clear_signal_handler (&self->window_added_id, application);
  waiting = g_steal_pointer (&self->waiting);
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      LodgeAuthRequest *request = g_ptr_array_index (waiting, i);

      if (!lodge_auth_request_get_finished (request))
        lodge_auth_agent_show_dialog (self, request, window,
                                      lodge_auth_request_get_remembered_refused (request));
    }
}

static void
lodge_auth_agent_show_dialog (LodgeAuthAgent   *self,
                              LodgeAuthRequest *request,
                              GtkWindow        *parent,
                              gboolean          remember)
{
  LodgeAuthDialog *dialog;
  DialogData *data;

  if (parent == NULL)
    parent = lodge_auth_agent_main_window (self);

  /* Lodge opens its hosts before its first window: the question waits
   * for it, so that the dialog is not a stray window. */
  if (parent == NULL && self->application != NULL)
    {
      if (self->waiting == NULL)
        self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (self->waiting, g_object_ref (request));
      if (self->window_added_id == 0)
        self->window_added_id =
          g_signal_connect_object (self->application, "window-added",
                                   G_CALLBACK (lodge_auth_agent_window_added_cb),
                                   self, G_CONNECT_SWAPPED);
      return;
    }

  dialog = lodge_auth_dialog_new (parent, request);
  data = g_new0 (DialogData, 1);
  data->agent = g_object_ref (self);
  data->key = self->use_keyring ? lodge_keyring_key_new_for_request (request) : NULL;
  lodge_auth_dialog_set_offer_remember (dialog, data->key != NULL);
  lodge_auth_dialog_set_remember (dialog, remember);
  g_signal_connect_data (dialog, "answered", G_CALLBACK (lodge_auth_agent_dialog_answered_cb),
                         data, dialog_data_free, 0);

  g_signal_emit (self, signals[DIALOG_SHOWN], 0, dialog);
  /* The signal's handler may have answered already. */
  if (!lodge_auth_request_get_finished (request))
    gtk_window_present (GTK_WINDOW (dialog));
  else
    gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Requests ----------------------------------------------------------------- */

typedef struct
{
  LodgeAuthAgent   *agent;
  LodgeAuthRequest *request;
  GtkWindow        *parent;    /* weak */
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_object_unref (lookup->agent);
  g_object_unref (lookup->request);
  g_clear_weak_pointer (&lookup->parent);
  g_free (lookup);
}

static void
lodge_auth_agent_lookup_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  Lookup *lookup = user_data;
  LodgeAuthAgent *self = lookup->agent;
  g_autoptr(GError) error = NULL;
  char *secret;

  self->n_calls--;
  secret = lodge_keyring_lookup_finish (result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("No keyring to ask: %s", error->message);

  /* Answered meanwhile, or the attempt ended. */
  if (lodge_auth_request_get_finished (lookup->request))
    {
      lodge_keyring_free_secret (secret);
      lookup_free (lookup);
      return;
    }

  /* Once per attempt: the model says no to a second time. */
  if (secret != NULL && lodge_auth_request_answer_remembered (lookup->request, secret))
    {
      g_debug ("Answered a question of %s from the keyring",
               lodge_auth_request_get_uri (lookup->request));
      lodge_keyring_free_secret (secret);
      lookup_free (lookup);
      return;
    }

  lodge_auth_agent_show_dialog (self, lookup->request, lookup->parent, secret != NULL);
  lodge_keyring_free_secret (secret);
  lookup_free (lookup);
}

void
lodge_auth_agent_handle (LodgeAuthAgent   *self,
                         LodgeAuthRequest *request,
                         GtkWindow        *parent)
{
  g_autoptr(LodgeKeyringKey) key = NULL;

  g_return_if_fail (LODGE_IS_AUTH_AGENT (self));
  g_return_if_fail (LODGE_IS_AUTH_REQUEST (request));
  g_return_if_fail (!parent || GTK_IS_WINDOW (parent));

  if (lodge_auth_request_get_finished (request))
    return;

  if (self->use_keyring)
    key = lodge_keyring_key_new_for_request (request);

  if (key != NULL && lodge_auth_request_get_remembered_refused (request))
    {
      /* The host refused what the keyring held: it is wrong now. The
       * dialog says so, and Remember stays ticked for the new one. */
      lodge_auth_agent_forget (self, key);
      lodge_auth_agent_show_dialog (self, request, parent, TRUE);
    }
  else if (key != NULL && lodge_auth_request_get_can_use_remembered (request))
    {
      Lookup *lookup = g_new0 (Lookup, 1);

      lookup->agent = g_object_ref (self);
      lookup->request = g_object_ref (request);
      g_set_weak_pointer (&lookup->parent, parent);
      self->n_calls++;
      lodge_keyring_lookup_async (key, self->cancellable, lodge_auth_agent_lookup_cb, lookup);
    }
  else
    lodge_auth_agent_show_dialog (self, request, parent, FALSE);
}

/* Object ------------------------------------------------------------------- */

LodgeAuthAgent *
lodge_auth_agent_new (GtkApplication *application)
{
  LodgeAuthAgent *self;

  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);

  self = g_object_new (LODGE_TYPE_AUTH_AGENT, NULL);
  g_set_weak_pointer (&self->application, application);
  return self;
}

gboolean
lodge_auth_agent_get_use_keyring (LodgeAuthAgent *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_AGENT (self), FALSE);
  return self->use_keyring;
}

void
lodge_auth_agent_set_use_keyring (LodgeAuthAgent *self,
                                  gboolean        use_keyring)
{
  g_return_if_fail (LODGE_IS_AUTH_AGENT (self));

  use_keyring = !!use_keyring;
  if (self->use_keyring == use_keyring)
    return;
  self->use_keyring = use_keyring;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USE_KEYRING]);
}

guint
lodge_auth_agent_get_n_pending (LodgeAuthAgent *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_AGENT (self), 0);
  return g_hash_table_size (self->pending_stores) + self->n_calls;
}

static void
lodge_auth_agent_dispose (GObject *object)
{
  LodgeAuthAgent *self = (LodgeAuthAgent *)object;

  g_cancellable_cancel (self->cancellable);
  g_hash_table_remove_all (self->pending_stores);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  if (self->application != NULL)
    g_clear_signal_handler (&self->window_added_id, self->application);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (lodge_auth_agent_parent_class)->dispose (object);
}

static void
lodge_auth_agent_finalize (GObject *object)
{
  LodgeAuthAgent *self = (LodgeAuthAgent *)object;

  g_clear_pointer (&self->pending_stores, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lodge_auth_agent_parent_class)->finalize (object);
}

static void
lodge_auth_agent_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LodgeAuthAgent *self = LODGE_AUTH_AGENT (object);

  switch (prop_id)
    {
    case PROP_USE_KEYRING:
      g_value_set_boolean (value, self->use_keyring);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_auth_agent_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LodgeAuthAgent *self = LODGE_AUTH_AGENT (object);

  switch (prop_id)
    {
    case PROP_USE_KEYRING:
      lodge_auth_agent_set_use_keyring (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_auth_agent_class_init (LodgeAuthAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_auth_agent_dispose;
  object_class->finalize = lodge_auth_agent_finalize;
  object_class->get_property = lodge_auth_agent_get_property;
  object_class->set_property = lodge_auth_agent_set_property;

  properties[PROP_USE_KEYRING] =
    g_param_spec_boolean ("use-keyring", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DIALOG_SHOWN] =
    g_signal_new ("dialog-shown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LODGE_TYPE_AUTH_DIALOG);
}

static void
lodge_auth_agent_init (LodgeAuthAgent *self)
{
  self->use_keyring = TRUE;
  self->cancellable = g_cancellable_new ();
  self->pending_stores = g_hash_table_new_full (NULL, NULL, NULL,
                                                (GDestroyNotify) pending_store_free);
}
