/* lodge-host.c: one libvirt host (one URI) and everything Lodge knows of it
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-host"

#include "config.h"

#include "model/lodge-host.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-storage-private.h"
#include "model/lodge-network-private.h"

struct _LodgeHost
{
  GObject                parent_instance;

  LodgeUri              *uri;
  char                  *label;
  gboolean               autoconnect;
  gboolean               disconnected_by_user;

  LodgeConnection       *connection;
  LodgeStatsHistory     *stats_history;
  LodgePendingCleanup   *pending_cleanup;
  LodgeThrowawayWatcher *throwaway_watcher;
  LodgeStorage          *storage;
  LodgeNetworks         *networks;

  LodgeHostCapabilities *capabilities;
  /* Tasks waiting for the capabilities read under way. */
  GPtrArray             *capabilities_waiters;
  gboolean               capabilities_reading;
  /* Bumped when the connection (re)connects: a read of an older
   * connection is dropped. */
  guint                  capabilities_serial;
};

G_DEFINE_FINAL_TYPE (LodgeHost, lodge_host, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_LABEL,
  PROP_AUTOCONNECT,
  PROP_CONNECTION,
  PROP_MACHINES,
  PROP_STATE,
  PROP_ERROR,
  PROP_DISCONNECTED_BY_USER,
  PROP_CAPABILITIES,
  PROP_N_MACHINES,
  PROP_N_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lodge_host_read_capabilities (LodgeHost *self);

/* Capabilities ------------------------------------------------------------ */

typedef struct
{
  virConnectPtr conn;
  guint         serial;
} CapsRead;

static void
caps_read_free (CapsRead *read)
{
  /* Closed on the worker by lodge_virt_task_run_in_thread(). */
  g_assert (read->conn == NULL);
  g_free (read);
}

static void
lodge_host_caps_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  CapsRead *read = task_data;
  g_autoptr(GError) error = NULL;
  LodgeHostCapabilities *caps = lodge_host_capabilities_read (read->conn, &error);

  if (caps == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, caps, (GDestroyNotify) lodge_host_capabilities_unref);
}

static void
lodge_host_caps_done_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  LodgeHost *self = LODGE_HOST (object);
  CapsRead *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeHostCapabilities) caps = g_task_propagate_pointer (G_TASK (result), &error);

  if (read->serial != self->capabilities_serial)
    return; /* an older connection's: a newer read is on its way */

  self->capabilities_reading = FALSE;
  waiters = g_steal_pointer (&self->capabilities_waiters);
  self->capabilities_waiters = g_ptr_array_new_with_free_func (g_object_unref);

  if (caps != NULL)
    {
      g_clear_pointer (&self->capabilities, lodge_host_capabilities_unref);
      self->capabilities = lodge_host_capabilities_ref (caps);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPABILITIES]);
    }
  else
    g_debug ("%s: could not read the capabilities: %s",
             lodge_uri_get_string (self->uri), error->message);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (caps != NULL)
        g_task_return_pointer (waiter, lodge_host_capabilities_ref (caps),
                               (GDestroyNotify) lodge_host_capabilities_unref);
      else
        g_task_return_error (waiter, g_error_copy (error));
    }
}

static void
lodge_host_read_capabilities (LodgeHost *self)
{
  g_autoptr(GTask) task = NULL;
  CapsRead *read;

  read = g_new0 (CapsRead, 1);
  read->conn = lodge_connection_ref_virconnect (self->connection);
  read->serial = self->capabilities_serial;

  task = g_task_new (self, NULL, lodge_host_caps_done_cb, NULL);
  g_task_set_source_tag (task, lodge_host_read_capabilities);
  g_task_set_task_data (task, read, (GDestroyNotify) caps_read_free);

  if (read->conn == NULL)
    {
      /* Not connected: answer the waiters now. */
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                               _("Not connected to %s"), lodge_uri_get_string (self->uri));
      return;
    }
  self->capabilities_reading = TRUE;
  lodge_virt_task_run_in_thread (task, lodge_host_caps_thread, &read->conn);
}

void
lodge_host_get_capabilities_async (LodgeHost          *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LODGE_IS_HOST (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_host_get_capabilities_async);

  if (self->capabilities != NULL)
    {
      g_task_return_pointer (task, lodge_host_capabilities_ref (self->capabilities),
                             (GDestroyNotify) lodge_host_capabilities_unref);
      return;
    }
  g_ptr_array_add (self->capabilities_waiters, g_steal_pointer (&task));
  if (!self->capabilities_reading)
    lodge_host_read_capabilities (self);
}

LodgeHostCapabilities *
lodge_host_get_capabilities_finish (LodgeHost     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Connection -------------------------------------------------------------- */

static void
lodge_host_connection_notify_state_cb (LodgeHost       *self,
                                       GParamSpec      *pspec,
                                       LodgeConnection *connection)
{
  if (lodge_connection_get_state (connection) == LODGE_CONNECTION_STATE_CONNECTED)
    {
      /* A new connection may be to a changed host (upgraded, another
       * daemon): read it again. */
      self->capabilities_serial++;
      self->capabilities_reading = FALSE;
      lodge_host_read_capabilities (self);
      /* What a creation could not remove when an earlier connection was
       * lost (in this session or an earlier one) goes now. */
      lodge_pending_cleanup_run (lodge_host_get_pending_cleanup (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
lodge_host_connection_notify_error_cb (LodgeHost       *self,
                                       GParamSpec      *pspec,
                                       LodgeConnection *connection)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
lodge_host_machines_notify_n_items_cb (LodgeHost        *self,
                                       GParamSpec       *pspec,
                                       LodgeMachineList *machines)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MACHINES]);
}

static void
lodge_host_machines_notify_n_running_cb (LodgeHost        *self,
                                         GParamSpec       *pspec,
                                         LodgeMachineList *machines)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
}

static void
lodge_host_set_disconnected_by_user (LodgeHost *self,
                                     gboolean   value)
{
  if (self->disconnected_by_user == value)
    return;
  self->disconnected_by_user = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCONNECTED_BY_USER]);
}

static void
lodge_host_open_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_connection_open_finish (LODGE_CONNECTION (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lodge_host_connect_async (LodgeHost          *self,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  LodgeConnectionState state;

  g_return_if_fail (LODGE_IS_HOST (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_host_connect_async);
  lodge_host_set_disconnected_by_user (self, FALSE);

  state = lodge_connection_get_state (self->connection);
  if (state == LODGE_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (state == LODGE_CONNECTION_STATE_CONNECTING || state == LODGE_CONNECTION_STATE_RECONNECTING)
    {
      /* Already on its way (or retrying): try now rather than wait. */
      lodge_connection_reconnect_now (self->connection);
      g_task_return_boolean (task, TRUE);
      return;
    }
  lodge_connection_open_async (self->connection, cancellable, lodge_host_open_cb,
                               g_steal_pointer (&task));
}

gboolean
lodge_host_connect_finish (LodgeHost     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_host_disconnect (LodgeHost *self)
{
  g_return_if_fail (LODGE_IS_HOST (self));

  lodge_host_set_disconnected_by_user (self, TRUE);
  lodge_connection_close (self->connection);
}

/* Object ------------------------------------------------------------------ */

static void
lodge_host_constructed (GObject *object)
{
  LodgeHost *self = LODGE_HOST (object);

  G_OBJECT_CLASS (lodge_host_parent_class)->constructed (object);

  self->connection = lodge_connection_new (lodge_uri_get_string (self->uri));
  lodge_connection_set_host (self->connection, self);
  /* Made now, so that the graphs have the past minutes when a details
   * page opens. */
  self->stats_history = lodge_stats_history_new (self->connection);

  g_signal_connect_object (self->connection, "notify::state",
                           G_CALLBACK (lodge_host_connection_notify_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "notify::error",
                           G_CALLBACK (lodge_host_connection_notify_error_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (lodge_connection_get_machines (self->connection), "notify::n-items",
                           G_CALLBACK (lodge_host_machines_notify_n_items_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (lodge_connection_get_machines (self->connection), "notify::n-running",
                           G_CALLBACK (lodge_host_machines_notify_n_running_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
lodge_host_dispose (GObject *object)
{
  LodgeHost *self = LODGE_HOST (object);

  if (self->connection != NULL)
    {
      lodge_connection_set_host (self->connection, NULL);
      lodge_connection_close (self->connection);
    }
  g_clear_object (&self->stats_history);
  g_clear_object (&self->pending_cleanup);
  g_clear_object (&self->throwaway_watcher);
  g_clear_object (&self->storage);
  g_clear_object (&self->networks);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (lodge_host_parent_class)->dispose (object);
}

static void
lodge_host_finalize (GObject *object)
{
  LodgeHost *self = LODGE_HOST (object);

  g_clear_pointer (&self->uri, lodge_uri_unref);
  g_free (self->label);
  g_clear_pointer (&self->capabilities, lodge_host_capabilities_unref);
  g_clear_pointer (&self->capabilities_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (lodge_host_parent_class)->finalize (object);
}

static void
lodge_host_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LodgeHost *self = LODGE_HOST (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, lodge_uri_get_string (self->uri));
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_AUTOCONNECT:
      g_value_set_boolean (value, self->autoconnect);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_MACHINES:
      g_value_set_object (value, lodge_host_get_machines (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, lodge_host_get_state (self));
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, lodge_host_get_error (self));
      break;
    case PROP_DISCONNECTED_BY_USER:
      g_value_set_boolean (value, self->disconnected_by_user);
      break;
    case PROP_CAPABILITIES:
      g_value_set_boxed (value, self->capabilities);
      break;
    case PROP_N_MACHINES:
      g_value_set_uint (value, lodge_host_get_n_machines (self));
      break;
    case PROP_N_RUNNING:
      g_value_set_uint (value, lodge_host_get_n_running (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_host_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  LodgeHost *self = LODGE_HOST (object);

  switch (prop_id)
    {
    case PROP_URI:
      self->uri = lodge_uri_parse (g_value_get_string (value), NULL);
      g_assert (self->uri != NULL); /* lodge_host_new() checked it */
      break;
    case PROP_LABEL:
      lodge_host_set_label (self, g_value_get_string (value));
      break;
    case PROP_AUTOCONNECT:
      lodge_host_set_autoconnect (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_host_class_init (LodgeHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = lodge_host_constructed;
  object_class->dispose = lodge_host_dispose;
  object_class->finalize = lodge_host_finalize;
  object_class->get_property = lodge_host_get_property;
  object_class->set_property = lodge_host_set_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, rw);
  properties[PROP_AUTOCONNECT] = g_param_spec_boolean ("autoconnect", NULL, NULL, TRUE, rw);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, LODGE_TYPE_CONNECTION, ro);
  properties[PROP_MACHINES] =
    g_param_spec_object ("machines", NULL, NULL, LODGE_TYPE_MACHINE_LIST, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LODGE_TYPE_CONNECTION_STATE,
                       LODGE_CONNECTION_STATE_DISCONNECTED, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_DISCONNECTED_BY_USER] =
    g_param_spec_boolean ("disconnected-by-user", NULL, NULL, FALSE, ro);
  properties[PROP_CAPABILITIES] =
    g_param_spec_boxed ("capabilities", NULL, NULL, LODGE_TYPE_HOST_CAPABILITIES, ro);
  properties[PROP_N_MACHINES] = g_param_spec_uint ("n-machines", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_RUNNING] = g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_host_init (LodgeHost *self)
{
  self->autoconnect = TRUE;
  self->capabilities_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

LodgeHost *
lodge_host_new (const char  *uri,
                GError     **error)
{
  g_autoptr(LodgeUri) parsed = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = lodge_uri_parse (uri, error);
  if (parsed == NULL)
    return NULL;

  return g_object_new (LODGE_TYPE_HOST, "uri", uri, NULL);
}

LodgeUri *
lodge_host_get_uri (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  return self->uri;
}

const char *
lodge_host_get_uri_string (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  return lodge_uri_get_string (self->uri);
}

const char *
lodge_host_get_label (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  return self->label;
}

void
lodge_host_set_label (LodgeHost  *self,
                      const char *label)
{
  g_return_if_fail (LODGE_IS_HOST (self));

  if (label != NULL && *label == '\0')
    label = NULL;
  if (g_strcmp0 (self->label, label) == 0)
    return;
  g_free (self->label);
  self->label = g_strdup (label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

gboolean
lodge_host_get_autoconnect (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), FALSE);
  return self->autoconnect;
}

void
lodge_host_set_autoconnect (LodgeHost *self,
                            gboolean   autoconnect)
{
  g_return_if_fail (LODGE_IS_HOST (self));

  autoconnect = !!autoconnect;
  if (self->autoconnect == autoconnect)
    return;
  self->autoconnect = autoconnect;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOCONNECT]);
}

LodgeConnection *
lodge_host_get_connection (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  return self->connection;
}

LodgeMachineList *
lodge_host_get_machines (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  return lodge_connection_get_machines (self->connection);
}

LodgeStatsHistory *
lodge_host_get_stats_history (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  return self->stats_history;
}

LodgeConnectionState
lodge_host_get_state (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), LODGE_CONNECTION_STATE_DISCONNECTED);
  return lodge_connection_get_state (self->connection);
}

const GError *
lodge_host_get_error (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  return lodge_connection_get_error (self->connection);
}

gboolean
lodge_host_get_disconnected_by_user (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), FALSE);
  return self->disconnected_by_user;
}

LodgePendingCleanup *
lodge_host_get_pending_cleanup (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);

  if (self->pending_cleanup == NULL)
    self->pending_cleanup = lodge_pending_cleanup_new (self->connection);
  return self->pending_cleanup;
}

LodgeThrowawayWatcher *
lodge_host_get_throwaway_watcher (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);

  /* Made on first use: it listens to the host's events from then on. */
  if (self->throwaway_watcher == NULL)
    self->throwaway_watcher = lodge_throwaway_watcher_new (self->connection);
  return self->throwaway_watcher;
}

LodgeStorage *
lodge_host_get_storage (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);

  /* Made on first use: it follows the connection from then on. */
  if (self->storage == NULL)
    self->storage = lodge_storage_new (self->connection);
  return self->storage;
}

LodgeNetworks *
lodge_host_get_networks (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);

  /* Made on first use: it follows the connection from then on. Interfaces
   * and routes of a local host can be read from this machine's /sys. */
  if (self->networks == NULL)
    self->networks = lodge_networks_new (self->connection, lodge_uri_has_local_files (self->uri));
  return self->networks;
}

LodgeHostCapabilities *
lodge_host_get_capabilities (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), NULL);
  return self->capabilities;
}

guint
lodge_host_get_n_machines (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (lodge_host_get_machines (self)));
}

guint
lodge_host_get_n_running (LodgeHost *self)
{
  g_return_val_if_fail (LODGE_IS_HOST (self), 0);
  return lodge_machine_list_get_n_running (lodge_host_get_machines (self));
}

LodgeHost *
lodge_machine_get_host (LodgeMachine *machine)
{
  LodgeConnection *connection;

  g_return_val_if_fail (LODGE_IS_MACHINE (machine), NULL);

  connection = lodge_machine_get_connection (machine);
  return connection != NULL ? lodge_connection_get_host (connection) : NULL;
}
