/* lodge-machine.c: one libvirt domain as a GObject
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include <math.h>
#include <string.h>

#include "model/lodge-model-private.h"
#include "model/lodge-libvirt.h"

struct _LodgeMachine
{
  GObject             parent_instance;

  LodgeConnection    *connection;   /* not owned; NULL once detached */
  char               *uuid;
  char               *name;
  char               *title;
  char               *description;
  char               *os_id;
  LodgeMachineState   state;
  guint64             memory;
  guint               vcpus;
  guint               persistent : 1;
  guint               has_managed_save : 1;
  guint               has_sample : 1;
  double              cpu_usage;
  guint64             memory_used;
  gint64              last_used;
  guint               serial;
  LodgeMachineSample  sample;
};

G_DEFINE_FINAL_TYPE (LodgeMachine, lodge_machine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_UUID,
  PROP_NAME,
  PROP_TITLE,
  PROP_DISPLAY_NAME,
  PROP_DESCRIPTION,
  PROP_STATE,
  PROP_OS_ID,
  PROP_MEMORY,
  PROP_VCPUS,
  PROP_PERSISTENT,
  PROP_HAS_MANAGED_SAVE,
  PROP_CPU_USAGE,
  PROP_MEMORY_USED,
  PROP_LAST_USED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lodge_machine_finalize (GObject *object)
{
  LodgeMachine *self = (LodgeMachine *)object;

  g_free (self->uuid);
  g_free (self->name);
  g_free (self->title);
  g_free (self->description);
  g_free (self->os_id);

  G_OBJECT_CLASS (lodge_machine_parent_class)->finalize (object);
}

static void
lodge_machine_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LodgeMachine *self = LODGE_MACHINE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, lodge_machine_get_display_name (self));
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_OS_ID:
      g_value_set_string (value, self->os_id);
      break;
    case PROP_MEMORY:
      g_value_set_uint64 (value, self->memory);
      break;
    case PROP_VCPUS:
      g_value_set_uint (value, self->vcpus);
      break;
    case PROP_PERSISTENT:
      g_value_set_boolean (value, self->persistent);
      break;
    case PROP_HAS_MANAGED_SAVE:
      g_value_set_boolean (value, self->has_managed_save);
      break;
    case PROP_CPU_USAGE:
      g_value_set_double (value, self->cpu_usage);
      break;
    case PROP_MEMORY_USED:
      g_value_set_uint64 (value, self->memory_used);
      break;
    case PROP_LAST_USED:
      g_value_set_int64 (value, self->last_used);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_machine_class_init (LodgeMachineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lodge_machine_finalize;
  object_class->get_property = lodge_machine_get_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, LODGE_TYPE_CONNECTION, flags);
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LODGE_TYPE_MACHINE_STATE,
                       LODGE_MACHINE_STATE_UNKNOWN, flags);
  properties[PROP_OS_ID] =
    g_param_spec_string ("os-id", NULL, NULL, NULL, flags);
  properties[PROP_MEMORY] =
    g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_VCPUS] =
    g_param_spec_uint ("vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PERSISTENT] =
    g_param_spec_boolean ("persistent", NULL, NULL, TRUE, flags);
  properties[PROP_HAS_MANAGED_SAVE] =
    g_param_spec_boolean ("has-managed-save", NULL, NULL, FALSE, flags);
  properties[PROP_CPU_USAGE] =
    g_param_spec_double ("cpu-usage", NULL, NULL, -1.0, 100.0, -1.0, flags);
  properties[PROP_MEMORY_USED] =
    g_param_spec_uint64 ("memory-used", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_LAST_USED] =
    g_param_spec_int64 ("last-used", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_machine_init (LodgeMachine *self)
{
  self->persistent = TRUE;
  self->cpu_usage = -1.0;
}

/* Setters that notify only on change. */

static gboolean
lodge_machine_set_string (LodgeMachine  *self,
                          char         **field,
                          const char    *value,
                          guint          prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  return TRUE;
}

static void
lodge_machine_set_cpu_usage (LodgeMachine *self,
                             double        cpu_usage)
{
  if (self->cpu_usage == cpu_usage)
    return;
  self->cpu_usage = cpu_usage;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU_USAGE]);
}

static void
lodge_machine_set_memory_used (LodgeMachine *self,
                               guint64       memory_used)
{
  if (self->memory_used == memory_used)
    return;
  self->memory_used = memory_used;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_USED]);
}

void
lodge_machine_set_title (LodgeMachine *self,
                         const char   *title)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));

  if (title != NULL && *title == '\0')
    title = NULL;
  if (lodge_machine_set_string (self, &self->title, title, PROP_TITLE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

void
lodge_machine_set_state (LodgeMachine      *self,
                         LodgeMachineState  state)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));

  if (self->state == state)
    return;

  self->state = state;
  /* Figures of a stopped machine are meaningless: forget them. */
  if (!lodge_machine_is_active (self))
    lodge_machine_clear_stats (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
lodge_machine_set_persistent (LodgeMachine *self,
                              gboolean      persistent)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));

  persistent = !!persistent;
  if (self->persistent == (guint)persistent)
    return;
  self->persistent = persistent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
}

void
lodge_machine_set_has_managed_save (LodgeMachine *self,
                                    gboolean      has_managed_save)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));

  has_managed_save = !!has_managed_save;
  if (self->has_managed_save == (guint)has_managed_save)
    return;
  self->has_managed_save = has_managed_save;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MANAGED_SAVE]);
}

void
lodge_machine_set_last_used (LodgeMachine *self,
                             gint64        last_used)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));

  if (self->last_used == last_used)
    return;
  self->last_used = last_used;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_USED]);
}

LodgeMachine *
lodge_machine_new (LodgeConnection        *connection,
                   const LodgeMachineData *data)
{
  LodgeMachine *self;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (data->uuid != NULL, NULL);

  /* Filled directly: nobody can listen yet, and this runs for thousands of
   * machines when a connection opens. */
  self = g_object_new (LODGE_TYPE_MACHINE, NULL);
  self->connection = connection;
  self->uuid = g_strdup (data->uuid);
  self->name = g_strdup (data->name);
  self->title = (data->title != NULL && *data->title != '\0') ? g_strdup (data->title) : NULL;
  self->description = g_strdup (data->description);
  self->os_id = g_strdup (data->os_id);
  self->state = data->state;
  self->memory = data->memory;
  self->vcpus = data->vcpus;
  self->persistent = !!data->persistent;
  self->has_managed_save = !!data->has_managed_save;

  return self;
}

void
lodge_machine_update (LodgeMachine           *self,
                      const LodgeMachineData *data)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));
  g_return_if_fail (data != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  if (lodge_machine_set_string (self, &self->name, data->name, PROP_NAME) && self->title == NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  lodge_machine_set_title (self, data->title);
  lodge_machine_set_string (self, &self->description, data->description, PROP_DESCRIPTION);
  lodge_machine_set_string (self, &self->os_id, data->os_id, PROP_OS_ID);
  if (self->memory != data->memory)
    {
      self->memory = data->memory;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY]);
    }
  if (self->vcpus != data->vcpus)
    {
      self->vcpus = data->vcpus;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VCPUS]);
    }
  lodge_machine_set_persistent (self, data->persistent);
  lodge_machine_set_has_managed_save (self, data->has_managed_save);
  lodge_machine_set_state (self, data->state);

  g_object_thaw_notify (G_OBJECT (self));
}

void
lodge_machine_apply_sample (LodgeMachine             *self,
                            const LodgeMachineSample *sample)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));
  g_return_if_fail (sample != NULL);

  if (self->has_sample &&
      sample->cpu_time != 0 &&
      sample->cpu_time >= self->sample.cpu_time &&
      sample->timestamp > self->sample.timestamp)
    {
      guint vcpus = sample->vcpus != 0 ? sample->vcpus : self->vcpus;
      double wall_ns = (double)(sample->timestamp - self->sample.timestamp) * 1000.0;
      double usage = 0.0;

      if (vcpus > 0)
        usage = (double)(sample->cpu_time - self->sample.cpu_time) * 100.0 / (wall_ns * vcpus);
      lodge_machine_set_cpu_usage (self, CLAMP (usage, 0.0, 100.0));
    }

  lodge_machine_set_memory_used (self, sample->memory_used);
  self->sample = *sample;
  self->has_sample = TRUE;
}

void
lodge_machine_clear_stats (LodgeMachine *self)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));

  self->has_sample = FALSE;
  memset (&self->sample, 0, sizeof self->sample);
  lodge_machine_set_cpu_usage (self, -1.0);
  lodge_machine_set_memory_used (self, 0);
}

void
lodge_machine_detach (LodgeMachine *self)
{
  g_return_if_fail (LODGE_IS_MACHINE (self));

  if (self->connection == NULL)
    return;
  self->connection = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

guint
lodge_machine_bump_serial (LodgeMachine *self)
{
  return ++self->serial;
}

guint
lodge_machine_get_serial (LodgeMachine *self)
{
  return self->serial;
}

/* Getters */

LodgeConnection *
lodge_machine_get_connection (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), NULL);
  return self->connection;
}

const char *
lodge_machine_get_uuid (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), NULL);
  return self->uuid;
}

const char *
lodge_machine_get_name (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), NULL);
  return self->name;
}

const char *
lodge_machine_get_title (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), NULL);
  return self->title;
}

const char *
lodge_machine_get_display_name (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), NULL);
  return self->title != NULL ? self->title : self->name;
}

const char *
lodge_machine_get_description (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), NULL);
  return self->description;
}

LodgeMachineState
lodge_machine_get_state (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), LODGE_MACHINE_STATE_UNKNOWN);
  return self->state;
}

const char *
lodge_machine_get_os_id (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), NULL);
  return self->os_id;
}

guint64
lodge_machine_get_memory (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), 0);
  return self->memory;
}

guint
lodge_machine_get_vcpus (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), 0);
  return self->vcpus;
}

gboolean
lodge_machine_get_persistent (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->persistent;
}

gboolean
lodge_machine_get_has_managed_save (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->has_managed_save;
}

double
lodge_machine_get_cpu_usage (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), -1.0);
  return self->cpu_usage;
}

guint64
lodge_machine_get_memory_used (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), 0);
  return self->memory_used;
}

gint64
lodge_machine_get_last_used (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), 0);
  return self->last_used;
}

gboolean
lodge_machine_get_sample (LodgeMachine       *self,
                          LodgeMachineSample *sample)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  g_return_val_if_fail (sample != NULL, FALSE);

  if (!self->has_sample)
    return FALSE;
  *sample = self->sample;
  return TRUE;
}

/* What applies in which state */

gboolean
lodge_machine_is_active (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);

  switch (self->state)
    {
    case LODGE_MACHINE_STATE_RUNNING:
    case LODGE_MACHINE_STATE_BLOCKED:
    case LODGE_MACHINE_STATE_PAUSED:
    case LODGE_MACHINE_STATE_SHUTTING_DOWN:
    case LODGE_MACHINE_STATE_SUSPENDED:
      return TRUE;
    case LODGE_MACHINE_STATE_UNKNOWN:
    case LODGE_MACHINE_STATE_SHUT_OFF:
    case LODGE_MACHINE_STATE_CRASHED:
    case LODGE_MACHINE_STATE_SAVED:
    default:
      return FALSE;
    }
}

static gboolean
lodge_machine_is_running (LodgeMachine *self)
{
  return self->state == LODGE_MACHINE_STATE_RUNNING ||
         self->state == LODGE_MACHINE_STATE_BLOCKED;
}

gboolean
lodge_machine_can_start (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL &&
         (self->state == LODGE_MACHINE_STATE_SHUT_OFF ||
          self->state == LODGE_MACHINE_STATE_CRASHED ||
          self->state == LODGE_MACHINE_STATE_SAVED);
}

gboolean
lodge_machine_can_shutdown (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL &&
         (lodge_machine_is_running (self) || self->state == LODGE_MACHINE_STATE_PAUSED);
}

gboolean
lodge_machine_can_force_off (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL && lodge_machine_is_active (self);
}

gboolean
lodge_machine_can_reboot (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL && lodge_machine_is_running (self);
}

gboolean
lodge_machine_can_pause (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL && lodge_machine_is_running (self);
}

gboolean
lodge_machine_can_resume (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL &&
         (self->state == LODGE_MACHINE_STATE_PAUSED ||
          self->state == LODGE_MACHINE_STATE_SUSPENDED);
}

gboolean
lodge_machine_can_save (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL && self->persistent &&
         (lodge_machine_is_running (self) || self->state == LODGE_MACHINE_STATE_PAUSED);
}

gboolean
lodge_machine_can_rename (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL;
}

gboolean
lodge_machine_can_delete (LodgeMachine *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  return self->connection != NULL;
}

/* Actions: each runs on a worker thread with its own reference to the
 * virConnectPtr, looks the domain up by UUID and returns plain results. */

typedef struct
{
  virConnectPtr       conn;
  char               *uuid;
  LodgeMachineAction  action;
  LodgeMachineState   state;
  char               *title;
  gboolean            delete_disks;
  gboolean            inactive;
} ActionData;

static void
action_data_free (ActionData *data)
{
  if (data->conn != NULL)
    virConnectClose (data->conn);
  g_free (data->uuid);
  g_free (data->title);
  g_free (data);
}

/* Worker thread: the last reference to a connection may close it, which
 * talks to the daemon; never leave that to the main thread. */
static void
action_data_release_conn (ActionData *data)
{
  g_clear_pointer (&data->conn, virConnectClose);
}

static virDomainPtr
lookup_domain (ActionData  *data,
               GError     **error)
{
  virDomainPtr domain = virDomainLookupByUUIDString (data->conn, data->uuid);

  if (domain == NULL)
    lodge_model_set_error_from_virt (error, _("Machine not found"));
  return domain;
}

static GTask *
lodge_machine_new_task (LodgeMachine         *self,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data,
                        gpointer              source_tag,
                        ActionData          **data_out)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ActionData *data;

  g_task_set_source_tag (task, source_tag);
  *data_out = NULL;

  if (self->connection == NULL)
    {
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                               _("The machine “%s” no longer exists"),
                               lodge_machine_get_display_name (self));
      return NULL;
    }

  data = g_new0 (ActionData, 1);
  data->conn = lodge_connection_ref_virconnect (self->connection);
  if (data->conn == NULL)
    {
      action_data_free (data);
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                               _("Not connected to %s"),
                               lodge_connection_get_uri (self->connection));
      return NULL;
    }
  data->uuid = g_strdup (self->uuid);
  data->state = self->state;
  g_task_set_task_data (task, data, (GDestroyNotify)action_data_free);
  *data_out = data;

  return g_steal_pointer (&task);
}

static void
lodge_machine_run_action_thread (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable)
{
  ActionData *data = task_data;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain;
  int ret = -1;

  if ((domain = lookup_domain (data, &error)) == NULL)
    {
      action_data_release_conn (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (data->action)
    {
    case LODGE_MACHINE_ACTION_START:
      ret = virDomainCreate (domain);
      break;
    case LODGE_MACHINE_ACTION_SHUTDOWN:
      ret = virDomainShutdown (domain);
      break;
    case LODGE_MACHINE_ACTION_FORCE_OFF:
      ret = virDomainDestroy (domain);
      break;
    case LODGE_MACHINE_ACTION_REBOOT:
      ret = virDomainReboot (domain, 0);
      break;
    case LODGE_MACHINE_ACTION_PAUSE:
      ret = virDomainSuspend (domain);
      break;
    case LODGE_MACHINE_ACTION_RESUME:
      /* A guest that suspended itself is woken up, not resumed. */
      if (data->state == LODGE_MACHINE_STATE_SUSPENDED)
        ret = virDomainPMWakeup (domain, 0);
      else
        ret = virDomainResume (domain);
      break;
    case LODGE_MACHINE_ACTION_SAVE:
      ret = virDomainManagedSave (domain, 0);
      break;
    default:
      g_assert_not_reached ();
    }

  if (ret < 0)
    lodge_model_set_error_from_virt (&error, _("The action failed"));
  virDomainFree (domain);
  action_data_release_conn (data);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
lodge_machine_action_applies (LodgeMachine       *self,
                              LodgeMachineAction  action)
{
  switch (action)
    {
    case LODGE_MACHINE_ACTION_START:
      return lodge_machine_can_start (self);
    case LODGE_MACHINE_ACTION_SHUTDOWN:
      return lodge_machine_can_shutdown (self);
    case LODGE_MACHINE_ACTION_FORCE_OFF:
      return lodge_machine_can_force_off (self);
    case LODGE_MACHINE_ACTION_REBOOT:
      return lodge_machine_can_reboot (self);
    case LODGE_MACHINE_ACTION_PAUSE:
      return lodge_machine_can_pause (self);
    case LODGE_MACHINE_ACTION_RESUME:
      return lodge_machine_can_resume (self);
    case LODGE_MACHINE_ACTION_SAVE:
      return lodge_machine_can_save (self);
    default:
      return FALSE;
    }
}

void
lodge_machine_run_action_async (LodgeMachine        *self,
                                LodgeMachineAction   action,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ActionData *data;

  g_return_if_fail (LODGE_IS_MACHINE (self));
  g_return_if_fail (action <= LODGE_MACHINE_ACTION_SAVE);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (self->connection != NULL && !lodge_machine_action_applies (self, action))
    {
      const char *name = lodge_machine_get_display_name (self);
      g_autofree char *message = NULL;

      if (action == LODGE_MACHINE_ACTION_START)
        message = g_strdup_printf (_("“%s” is already running"), name);
      else if (action == LODGE_MACHINE_ACTION_RESUME)
        message = g_strdup_printf (_("“%s” is not paused"), name);
      else if (action == LODGE_MACHINE_ACTION_SAVE && !self->persistent)
        message = g_strdup_printf (_("“%s” is a temporary machine and cannot keep a saved state"),
                                   name);
      else
        message = g_strdup_printf (_("“%s” is not running"), name);

      g_task_report_error (self, callback, user_data, lodge_machine_run_action_async,
                           g_error_new_literal (LODGE_MODEL_ERROR,
                                                LODGE_MODEL_ERROR_INVALID_STATE, message));
      return;
    }

  task = lodge_machine_new_task (self, cancellable, callback, user_data,
                                 lodge_machine_run_action_async, &data);
  if (task == NULL)
    return;

  data->action = action;
  g_task_run_in_thread (task, lodge_machine_run_action_thread);
}

gboolean
lodge_machine_run_action_finish (LodgeMachine  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Rename */

static void
lodge_machine_rename_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  ActionData *data = task_data;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain;
  unsigned int flags = 0;
  int active;
  int persistent;

  if ((domain = lookup_domain (data, &error)) == NULL)
    {
      action_data_release_conn (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Change the running machine and its definition, whichever exist. */
  active = virDomainIsActive (domain);
  persistent = virDomainIsPersistent (domain);
  if (active == 1)
    flags |= VIR_DOMAIN_AFFECT_LIVE;
  if (persistent == 1 || active != 1)
    flags |= VIR_DOMAIN_AFFECT_CONFIG;

  if (virDomainSetMetadata (domain, VIR_DOMAIN_METADATA_TITLE, data->title,
                            NULL, NULL, flags) < 0)
    lodge_model_set_error_from_virt (&error, _("Could not rename the machine"));
  virDomainFree (domain);
  action_data_release_conn (data);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
lodge_machine_rename_done_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  LodgeMachine *self = LODGE_MACHINE (object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  ActionData *data = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  /* The metadata event updates it too; showing it at once is nicer. */
  lodge_machine_set_title (self, data->title);
  g_task_return_boolean (outer, TRUE);
}

void
lodge_machine_rename_async (LodgeMachine        *self,
                            const char          *title,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GTask *outer;
  ActionData *data;

  g_return_if_fail (LODGE_IS_MACHINE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (title != NULL && strchr (title, '\n') != NULL)
    {
      g_task_report_new_error (self, callback, user_data, lodge_machine_rename_async,
                               LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                               _("A name cannot contain line breaks"));
      return;
    }

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lodge_machine_rename_async);

  task = lodge_machine_new_task (self, cancellable, lodge_machine_rename_done_cb, outer,
                                 lodge_machine_rename_async, &data);
  if (task == NULL)
    return;

  data->title = (title != NULL && *title != '\0') ? g_strdup (title) : NULL;
  g_task_run_in_thread (task, lodge_machine_rename_thread);
}

gboolean
lodge_machine_rename_finish (LodgeMachine  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Delete */

/* From everything down to nothing: older or other drivers reject some. */
static const unsigned int undefine_flags[] = {
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
    VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
    VIR_DOMAIN_UNDEFINE_TPM,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
    VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
    VIR_DOMAIN_UNDEFINE_NVRAM,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE,
  0,
};

static gboolean
is_unsupported_flag_error (void)
{
  virErrorPtr err = virGetLastError ();

  return err != NULL &&
         (err->code == VIR_ERR_INVALID_ARG ||
          err->code == VIR_ERR_NO_SUPPORT ||
          err->code == VIR_ERR_ARGUMENT_UNSUPPORTED);
}

typedef struct
{
  GTaskThreadFunc  func;
  virConnectPtr   *conn;
} ConnThread;

static void
conn_thread_run (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ConnThread *run = g_object_get_data (G_OBJECT (task), "lodge-conn-thread");
  virConnectPtr conn = *run->conn;

  if (conn != NULL)
    lodge_virt_call_begin (conn);
  run->func (task, source_object, task_data, cancellable);
  if (conn != NULL)
    lodge_virt_call_end (conn);
  g_clear_pointer (run->conn, virConnectClose);
}

/* Calls in flight, per connection --------------------------------------- */

static GMutex calls_lock;
static GCond calls_cond;
static GHashTable *calls;      /* virConnectPtr → count */
static guint n_waiting;

void
lodge_virt_call_begin (virConnectPtr conn)
{
  g_return_if_fail (conn != NULL);

  g_mutex_lock (&calls_lock);
  if (calls == NULL)
    calls = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (calls, conn,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (calls, conn)) + 1));
  g_mutex_unlock (&calls_lock);
}

void
lodge_virt_call_end (virConnectPtr conn)
{
  guint n;

  g_return_if_fail (conn != NULL);

  g_mutex_lock (&calls_lock);
  n = calls != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (calls, conn)) : 0;
  g_warn_if_fail (n > 0);
  if (n <= 1)
    g_hash_table_remove (calls, conn);
  else
    g_hash_table_insert (calls, conn, GUINT_TO_POINTER (n - 1));
  g_cond_broadcast (&calls_cond);
  g_mutex_unlock (&calls_lock);
}

gboolean
lodge_virt_wait_calls (virConnectPtr conn,
                       guint         timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean idle = TRUE;

  g_return_val_if_fail (conn != NULL, TRUE);

  g_mutex_lock (&calls_lock);
  n_waiting++;
  while (calls != NULL && g_hash_table_contains (calls, conn))
    if (!g_cond_wait_until (&calls_cond, &calls_lock, deadline))
      {
        idle = !g_hash_table_contains (calls, conn);
        break;
      }
  n_waiting--;
  g_mutex_unlock (&calls_lock);
  return idle;
}

typedef struct
{
  virConnectPtr     conn;
  LodgeVirtEventId *ids;
  guint             n_ids;
  guint             wait_ms;
} EventsClose;

static void
events_close_free (EventsClose *close)
{
  g_free (close->ids);
  g_free (close);
}

static void
events_close_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  EventsClose *close = task_data;

  if (!lodge_virt_wait_calls (close->conn, close->wait_ms))
    g_debug ("Closing a connection's events with a call still waiting after %u ms", close->wait_ms);
  for (guint i = 0; i < close->n_ids; i++)
    {
      int id = close->ids[i].id;

      if (id < 0)
        continue;
      switch (close->ids[i].kind)
        {
        case LODGE_VIRT_EVENT_DOMAIN:
          virConnectDomainEventDeregisterAny (close->conn, id);
          break;
        case LODGE_VIRT_EVENT_NETWORK:
          virConnectNetworkEventDeregisterAny (close->conn, id);
          break;
        case LODGE_VIRT_EVENT_STORAGE_POOL:
          virConnectStoragePoolEventDeregisterAny (close->conn, id);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  virResetLastError ();
  g_clear_pointer (&close->conn, virConnectClose);
  g_task_return_boolean (task, TRUE);
}

void
lodge_virt_close_events_in_thread (virConnectPtr           conn,
                                   const LodgeVirtEventId *ids,
                                   guint                   n_ids,
                                   guint                   wait_ms)
{
  g_autoptr(GTask) task = NULL;
  EventsClose *close;

  g_return_if_fail (conn != NULL);

  close = g_new0 (EventsClose, 1);
  close->conn = conn;
  close->ids = g_memdup2 (ids, sizeof (LodgeVirtEventId) * n_ids);
  close->n_ids = n_ids;
  close->wait_ms = wait_ms;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, lodge_virt_close_events_in_thread);
  g_task_set_task_data (task, close, (GDestroyNotify) events_close_free);
  g_task_run_in_thread (task, events_close_thread);
}

guint
lodge_virt_get_n_waiting (void)
{
  guint n;

  g_mutex_lock (&calls_lock);
  n = n_waiting;
  g_mutex_unlock (&calls_lock);
  return n;
}

void
lodge_virt_task_run_in_thread (GTask           *task,
                               GTaskThreadFunc  func,
                               virConnectPtr   *conn)
{
  ConnThread *run = g_new (ConnThread, 1);

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL && conn != NULL);

  run->func = func;
  run->conn = conn;
  g_object_set_data_full (G_OBJECT (task), "lodge-conn-thread", run, g_free);
  g_task_run_in_thread (task, conn_thread_run);
}

int
lodge_virt_domain_undefine_all (virDomainPtr domain)
{
  int ret = -1;

  g_return_val_if_fail (domain != NULL, -1);

  for (guint i = 0; i < G_N_ELEMENTS (undefine_flags); i++)
    {
      ret = virDomainUndefineFlags (domain, undefine_flags[i]);
      if (ret == 0 || !is_unsupported_flag_error ())
        break;
    }

  return ret;
}

static gboolean
delete_disk_volume (virConnectPtr           conn,
                    const LodgeDiskSource  *source,
                    GError                **error)
{
  virStorageVolPtr vol = NULL;
  gboolean ok = TRUE;

  if (source->path != NULL)
    {
      vol = virStorageVolLookupByPath (conn, source->path);
    }
  else if (source->pool != NULL && source->volume != NULL)
    {
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, source->pool);

      if (pool != NULL)
        {
          vol = virStorageVolLookupByName (pool, source->volume);
          virStoragePoolFree (pool);
        }
    }

  /* A file that no pool knows is not Lodge's to delete. */
  if (vol == NULL)
    {
      virResetLastError ();
      return TRUE;
    }

  if (virStorageVolDelete (vol, 0) < 0)
    {
      lodge_model_set_error_from_virt (error, _("Could not delete a disk"));
      ok = FALSE;
    }
  virStorageVolFree (vol);

  return ok;
}

static void
lodge_machine_delete_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  ActionData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  virDomainPtr domain;
  gboolean persistent;

  if ((domain = lookup_domain (data, &error)) == NULL)
    {
      action_data_release_conn (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  persistent = virDomainIsPersistent (domain) == 1;

  /* Read the disks before the definition is gone. */
  if (data->delete_disks)
    {
      char *xml = virDomainGetXMLDesc (domain, persistent ? VIR_DOMAIN_XML_INACTIVE : 0);

      if (xml == NULL)
        {
          lodge_model_set_error_from_virt (&error, _("Could not read the machine’s disks"));
          goto out;
        }
      disks = lodge_parse_domain_disks (xml, &error);
      free (xml);
      if (disks == NULL)
        goto out;
    }

  if (virDomainIsActive (domain) == 1 && virDomainDestroy (domain) < 0)
    {
      lodge_model_set_error_from_virt (&error, _("Could not stop the machine"));
      goto out;
    }

  if (persistent)
    {
      if (lodge_virt_domain_undefine_all (domain) < 0)
        {
          lodge_model_set_error_from_virt (&error, _("Could not delete the machine"));
          goto out;
        }
    }

  if (disks != NULL)
    {
      for (guint i = 0; i < disks->len; i++)
        {
          g_autoptr(GError) disk_error = NULL;

          if (!delete_disk_volume (data->conn, g_ptr_array_index (disks, i), &disk_error) &&
              error == NULL)
            error = g_steal_pointer (&disk_error);
        }
    }

out:
  virDomainFree (domain);
  action_data_release_conn (data);
  action_data_release_conn (data);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
lodge_machine_delete_done_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  LodgeMachine *self = LODGE_MACHINE (object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* The undefine event removes it too; do not wait for it. A failure to
   * delete a disk still leaves the machine gone. */
  if (self->connection != NULL &&
      (ok || g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND)))
    lodge_connection_machine_removed_by_action (self->connection, self->uuid);

  if (!ok)
    g_task_return_error (outer, g_steal_pointer (&error));
  else
    g_task_return_boolean (outer, TRUE);
}

void
lodge_machine_delete_async (LodgeMachine        *self,
                            gboolean             delete_disks,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GTask *outer;
  ActionData *data;

  g_return_if_fail (LODGE_IS_MACHINE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lodge_machine_delete_async);

  task = lodge_machine_new_task (self, cancellable, lodge_machine_delete_done_cb, outer,
                                 lodge_machine_delete_async, &data);
  if (task == NULL)
    return;

  data->delete_disks = !!delete_disks;
  g_task_run_in_thread (task, lodge_machine_delete_thread);
}

gboolean
lodge_machine_delete_finish (LodgeMachine  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* XML */

static void
lodge_machine_get_xml_thread (GTask        *task,
                              gpointer      source_object,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  ActionData *data = task_data;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain;
  char *xml;

  if ((domain = lookup_domain (data, &error)) == NULL)
    {
      action_data_release_conn (data);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  xml = virDomainGetXMLDesc (domain, data->inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
  if (xml == NULL)
    {
      lodge_model_set_error_from_virt (&error, _("Could not read the machine’s definition"));
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    {
      g_task_return_pointer (task, g_strdup (xml), g_free);
      free (xml);
    }
  virDomainFree (domain);
  action_data_release_conn (data);
}

void
lodge_machine_get_xml_async (LodgeMachine        *self,
                             gboolean             inactive,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ActionData *data;

  g_return_if_fail (LODGE_IS_MACHINE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = lodge_machine_new_task (self, cancellable, callback, user_data,
                                 lodge_machine_get_xml_async, &data);
  if (task == NULL)
    return;

  data->inactive = !!inactive;
  g_task_run_in_thread (task, lodge_machine_get_xml_thread);
}

char *
lodge_machine_get_xml_finish (LodgeMachine  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
