/* lodge-text-console.c: a machine's serial port or text console, open
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-text-console"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-text-console.h"

/* Read at most this much per wake-up of the main loop: a guest that
 * writes without end must not starve the rest of the window. libvirt
 * wakes the loop again while data is waiting. */
#define RECV_CHUNK  (64 * 1024)
#define RECV_BUDGET (256 * 1024)

struct _LodgeTextConsole
{
  GObject          parent_instance;

  char            *alias;
  virConnectPtr    conn;
  virStreamPtr     stream;          /* NULL once closed */
  LodgeConnection *connection;      /* weak: says when the host is lost */
  gulong           disconnected_handler;
  GByteArray      *pending;         /* to send when writable */
  guint64          received;
  gboolean         watching_writable;
};

G_DEFINE_FINAL_TYPE (LodgeTextConsole, lodge_text_console, G_TYPE_OBJECT)

enum {
  SIGNAL_RECEIVED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Listing (pure) ------------------------------------------------------ */

static gboolean
is_serial (const LodgeDevice *device)
{
  return g_str_equal (device->element, "serial");
}

/* A <console> whose target is a serial port (the first one, or the one of
 * its port) is that port again: libvirt even gives it the same alias. */
static gboolean
mirrors_serial (const LodgeDevice *console,
                GPtrArray         *devices)
{
  int port = console->target_port >= 0 ? console->target_port : 0;

  if (console->target_type != NULL && !g_str_equal (console->target_type, "serial"))
    return FALSE;
  for (guint i = 0; i < devices->len; i++)
    {
      const LodgeDevice *other = g_ptr_array_index (devices, i);

      if (!is_serial (other))
        continue;
      if ((console->alias != NULL && g_strcmp0 (console->alias, other->alias) == 0)
          || (other->target_port >= 0 ? other->target_port : 0) == port)
        return TRUE;
    }
  return FALSE;
}

GPtrArray *
lodge_text_console_list_for_config (LodgeMachineConfig *config)
{
  GPtrArray *devices;
  GPtrArray *list;

  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (config), NULL);

  devices = lodge_machine_config_get_devices (config);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_device_unref);
  /* Serial ports first, then the consoles, each in document order. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < devices->len; i++)
      {
        LodgeDevice *device = g_ptr_array_index (devices, i);
        gboolean serial;

        if (!g_str_equal (device->element, "serial") && !g_str_equal (device->element, "console"))
          continue;
        serial = is_serial (device);
        if (serial != (pass == 0))
          continue;
        /* libvirt opens only consoles on a pseudo-terminal. */
        if (g_strcmp0 (device->char_type, "pty") != 0)
          continue;
        if (!serial && mirrors_serial (device, devices))
          continue;
        g_ptr_array_add (list, lodge_device_ref (device));
      }
  return list;
}

char *
lodge_text_console_describe (const LodgeDevice *device,
                             guint              index)
{
  g_return_val_if_fail (device != NULL, NULL);

  if (is_serial (device))
    /* Translators: a serial port of a machine; %u counts from 1 */
    return g_strdup_printf (_("Serial %u"), index + 1);
  if (g_strcmp0 (device->target_type, "virtio") == 0)
    /* Translators: a virtio text console of a machine; %u counts from 1 */
    return g_strdup_printf (_("Text Console %u"), index + 1);
  /* Translators: another kind of text console; %u counts from 1 */
  return g_strdup_printf (_("Console %u"), index + 1);
}

char **
lodge_text_console_describe_all (GPtrArray *consoles)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  guint n_serial = 0, n_virtio = 0, n_other = 0;
  char **names;

  for (guint i = 0; consoles != NULL && i < consoles->len; i++)
    {
      const LodgeDevice *device = g_ptr_array_index (consoles, i);
      guint *counter = is_serial (device) ? &n_serial
                       : g_strcmp0 (device->target_type, "virtio") == 0 ? &n_virtio
                       : &n_other;
      g_autofree char *name = lodge_text_console_describe (device, (*counter)++);

      g_strv_builder_add (builder, name);
    }
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}

/* Listing and opening (worker threads) -------------------------------- */

typedef struct
{
  virConnectPtr          conn;
  char                  *uuid;
  char                  *name;
  char                  *alias;
  LodgeTextConsoleFlags  flags;
  /* results of opening */
  virStreamPtr           stream;
  virConnectPtr          stream_conn;   /* the stream's reference */
  char                  *opened_alias;
} TaskData;

static void
task_data_free (TaskData *data)
{
  /* Opened, but nobody took it (rare: the caller never finished). */
  if (data->stream != NULL)
    {
      virStreamAbort (data->stream);
      virStreamFree (data->stream);
    }
  g_clear_pointer (&data->stream_conn, virConnectClose);
  g_clear_pointer (&data->conn, virConnectClose);
  g_free (data->uuid);
  g_free (data->name);
  g_free (data->alias);
  g_free (data->opened_alias);
  g_free (data);
}

/* The running machine's consoles, or NULL with the error. */
static GPtrArray *
read_consoles (TaskData      *data,
               virDomainPtr  *domain_out,
               GError       **error)
{
  g_autoptr(LodgeMachineConfig) config = NULL;
  virDomainPtr domain;
  char *xml;
  int active;

  domain = virDomainLookupByUUIDString (data->conn, data->uuid);
  if (domain == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Machine not found"));
      return NULL;
    }
  active = virDomainIsActive (domain);
  if (active != 1)
    {
      if (active < 0)
        lodge_model_set_error_from_virt (error, _("Could not read the machine’s state"));
      else
        g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                     _("“%s” is not running"), data->name);
      virDomainFree (domain);
      return NULL;
    }
  xml = virDomainGetXMLDesc (domain, 0);
  if (xml == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Could not read the machine’s definition"));
      virDomainFree (domain);
      return NULL;
    }
  config = lodge_machine_config_new_from_xml (xml, error);
  free (xml);
  if (config == NULL)
    {
      virDomainFree (domain);
      return NULL;
    }
  if (domain_out != NULL)
    *domain_out = domain;
  else
    virDomainFree (domain);
  return lodge_text_console_list_for_config (config);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *consoles = read_consoles (task_data, NULL, &error);

  if (consoles == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, consoles, (GDestroyNotify) g_ptr_array_unref);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TaskData *data = task_data;
  g_autoptr(GPtrArray) consoles = NULL;
  const LodgeDevice *chosen = NULL;
  GError *error = NULL;
  virDomainPtr domain = NULL;
  virStreamPtr stream;
  unsigned int flags = 0;

  consoles = read_consoles (data, &domain, &error);
  if (consoles == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < consoles->len && chosen == NULL; i++)
    {
      const LodgeDevice *device = g_ptr_array_index (consoles, i);

      if (data->alias == NULL || g_strcmp0 (device->alias, data->alias) == 0)
        chosen = device;
    }
  if (chosen == NULL || chosen->alias == NULL)
    {
      if (consoles->len == 0)
        g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                                 _("“%s” has no serial port or text console"), data->name);
      else
        g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                                 _("“%s” has no console “%s”"), data->name,
                                 data->alias != NULL ? data->alias : "");
      virDomainFree (domain);
      return;
    }

  stream = virStreamNew (data->conn, VIR_STREAM_NONBLOCK);
  if (stream == NULL)
    {
      lodge_model_set_error_from_virt (&error, _("Could not open the console"));
      virDomainFree (domain);
      g_task_return_error (task, error);
      return;
    }
  if (data->flags & LODGE_TEXT_CONSOLE_TAKE_OVER)
    flags |= VIR_DOMAIN_CONSOLE_FORCE;
  if (virDomainOpenConsole (domain, chosen->alias, stream, flags) < 0)
    {
      virErrorPtr err = virGetLastError ();

      /* The device is a pseudo-terminal (listed only then), so the one way
       * this operation fails is another client's session. */
      if (err != NULL && err->code == VIR_ERR_OPERATION_FAILED)
        {
          g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_BUSY,
                       _("Another client is using this console"));
          virResetLastError ();
        }
      else
        lodge_model_set_error_from_virt_prefixed (&error, _("Could not open the console"));
      virStreamFree (stream);
      virDomainFree (domain);
      g_task_return_error (task, error);
      return;
    }
  virDomainFree (domain);

  data->opened_alias = g_strdup (chosen->alias);
  if (g_task_return_error_if_cancelled (task))
    {
      virStreamAbort (stream);
      virStreamFree (stream);
      return;
    }
  data->stream = stream;
  virConnectRef (data->conn);
  data->stream_conn = data->conn;
  g_task_return_boolean (task, TRUE);
}

static TaskData *
task_data_new (GTask        *task,
               LodgeMachine *machine)
{
  LodgeConnection *connection = lodge_machine_get_connection (machine);
  TaskData *data = g_new0 (TaskData, 1);

  data->uuid = g_strdup (lodge_machine_get_uuid (machine));
  data->name = g_strdup (lodge_machine_get_display_name (machine));
  data->conn = connection != NULL ? lodge_connection_ref_virconnect (connection) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  if (data->conn == NULL)
    {
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                               _("Not connected to the host of “%s”"), data->name);
      return NULL;
    }
  return data;
}

void
lodge_text_console_list_async (LodgeMachine        *machine,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *data;

  g_return_if_fail (LODGE_IS_MACHINE (machine));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (machine, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_text_console_list_async);
  data = task_data_new (task, machine);
  if (data != NULL)
    lodge_virt_task_run_in_thread (task, list_thread, &data->conn);
}

GPtrArray *
lodge_text_console_list_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lodge_text_console_list_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lodge_text_console_open_async (LodgeMachine          *machine,
                               const char            *alias,
                               LodgeTextConsoleFlags  flags,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskData *data;

  g_return_if_fail (LODGE_IS_MACHINE (machine));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (machine, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_text_console_open_async);
  data = task_data_new (task, machine);
  if (data == NULL)
    return;
  data->alias = g_strdup (alias);
  data->flags = flags;
  /* The console follows the connection it was opened on. */
  g_object_set_data_full (G_OBJECT (task), "lodge-connection",
                          g_object_ref (lodge_machine_get_connection (machine)), g_object_unref);
  lodge_virt_task_run_in_thread (task, open_thread, &data->conn);
}

/* The stream (main thread) -------------------------------------------- */

typedef struct
{
  virConnectPtr conn;
  virStreamPtr  stream;
  gboolean      finish;
} ReleaseData;

static void
release_data_free (ReleaseData *data)
{
  g_clear_pointer (&data->conn, virConnectClose);
  g_free (data);
}

static void
release_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ReleaseData *data = task_data;

  if (data->finish)
    virStreamFinish (data->stream);
  else
    virStreamAbort (data->stream);
  virStreamFree (data->stream);
  virResetLastError ();
}

/* Gives the stream back off the main thread: aborting and freeing a
 * stream talk to the daemon. */
static void
lodge_text_console_release (LodgeTextConsole *self,
                            gboolean          finish)
{
  g_autoptr(GTask) task = NULL;
  ReleaseData *data;

  if (self->stream == NULL)
    return;

  virStreamEventRemoveCallback (self->stream);
  data = g_new0 (ReleaseData, 1);
  data->stream = g_steal_pointer (&self->stream);
  data->conn = g_steal_pointer (&self->conn);
  data->finish = finish;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, lodge_text_console_release);
  g_task_set_task_data (task, data, (GDestroyNotify) release_data_free);
  lodge_virt_task_run_in_thread (task, release_thread, &data->conn);
  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->disconnected_handler, self->connection);
      g_object_remove_weak_pointer (G_OBJECT (self->connection), (gpointer *) &self->connection);
      self->connection = NULL;
    }
}

static void
lodge_text_console_end (LodgeTextConsole *self,
                        gboolean          finish,
                        GError           *error)
{
  /* Alive until the end, whatever the signal handlers do. */
  G_GNUC_UNUSED g_autoptr(LodgeTextConsole) keep = g_object_ref (self);

  if (self->stream == NULL)
    return;
  lodge_text_console_release (self, finish);
  g_byte_array_set_size (self->pending, 0);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

static void
lodge_text_console_update_events (LodgeTextConsole *self)
{
  gboolean writable = self->pending->len > 0;
  int events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

  if (self->stream == NULL || writable == self->watching_writable)
    return;
  self->watching_writable = writable;
  if (writable)
    events |= VIR_STREAM_EVENT_WRITABLE;
  virStreamEventUpdateCallback (self->stream, events);
}

static void
lodge_text_console_ended_with_error (LodgeTextConsole *self,
                                     const char       *fallback)
{
  g_autoptr(GError) error = NULL;
  virErrorPtr err = virGetLastError ();

  if (err != NULL && err->message != NULL)
    error = g_error_new (LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT,
                         /* Translators: %s is libvirt's message */
                         _("The console was closed: %s"), err->message);
  else
    error = g_error_new_literal (LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED, fallback);
  virResetLastError ();
  lodge_text_console_end (self, FALSE, error);
}

static void
lodge_text_console_flush (LodgeTextConsole *self)
{
  while (self->stream != NULL && self->pending->len > 0)
    {
      int sent = virStreamSend (self->stream, (const char *) self->pending->data, self->pending->len);

      if (sent == -2)
        break;
      if (sent < 0)
        {
          lodge_text_console_ended_with_error (self, _("The console was closed"));
          return;
        }
      g_byte_array_remove_range (self->pending, 0, sent);
    }
  lodge_text_console_update_events (self);
}

static void
lodge_text_console_receive (LodgeTextConsole *self)
{
  g_autoptr(GByteArray) buffer = g_byte_array_sized_new (RECV_CHUNK);
  gboolean eof = FALSE;
  gboolean failed = FALSE;

  while (buffer->len < RECV_BUDGET)
    {
      guint old = buffer->len;
      int n;

      g_byte_array_set_size (buffer, old + RECV_CHUNK);
      n = virStreamRecv (self->stream, (char *) buffer->data + old, RECV_CHUNK);
      g_byte_array_set_size (buffer, old + MAX (n, 0));
      if (n == -2)
        break;
      if (n == 0)
        {
          eof = TRUE;
          break;
        }
      if (n < 0)
        {
          failed = TRUE;
          break;
        }
    }

  if (buffer->len > 0)
    {
      g_autoptr(GBytes) bytes = NULL;
      G_GNUC_UNUSED g_autoptr(LodgeTextConsole) keep = g_object_ref (self);

      self->received += buffer->len;
      bytes = g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
      g_signal_emit (self, signals[SIGNAL_RECEIVED], 0, bytes);
      if (self->stream == NULL)
        return;
    }

  if (failed)
    lodge_text_console_ended_with_error (self, _("The console was closed"));
  else if (eof)
    {
      g_autoptr(GError) error =
        g_error_new_literal (LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                             _("The console was closed: the machine stopped, or another client took it over"));

      lodge_text_console_end (self, TRUE, error);
    }
}

static void
lodge_text_console_stream_event_cb (virStreamPtr stream,
                                    int          events,
                                    void        *opaque)
{
  LodgeTextConsole *self = opaque;

  if (self->stream != stream)
    return;
  if (events & VIR_STREAM_EVENT_READABLE)
    lodge_text_console_receive (self);
  if (self->stream != NULL && (events & VIR_STREAM_EVENT_WRITABLE))
    lodge_text_console_flush (self);
  /* What is still readable is read first: the last words of a guest
   * before the hang-up. */
  if (self->stream != NULL && (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
      && !(events & VIR_STREAM_EVENT_READABLE))
    lodge_text_console_ended_with_error (self, _("The console was closed"));
}

static void
lodge_text_console_connection_disconnected_cb (LodgeTextConsole *self,
                                               LodgeConnection  *connection)
{
  g_autoptr(GError) error =
    g_error_new_literal (LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                         _("The connection to the host was lost"));

  lodge_text_console_end (self, FALSE, error);
}

LodgeTextConsole *
lodge_text_console_open_finish (GAsyncResult  *result,
                                GError       **error)
{
  LodgeTextConsole *self;
  LodgeConnection *connection;
  TaskData *data;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lodge_text_console_open_async, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  data = g_task_get_task_data (G_TASK (result));
  connection = g_object_get_data (G_OBJECT (result), "lodge-connection");
  self = g_object_new (LODGE_TYPE_TEXT_CONSOLE, NULL);
  self->alias = g_strdup (data->opened_alias);
  self->stream = g_steal_pointer (&data->stream);
  self->conn = g_steal_pointer (&data->stream_conn);
  if (virStreamEventAddCallback (self->stream,
                                 VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR
                                 | VIR_STREAM_EVENT_HANGUP,
                                 lodge_text_console_stream_event_cb, self, NULL) < 0)
    {
      lodge_model_set_error_from_virt (error, _("Could not watch the console"));
      g_object_unref (self);
      return NULL;
    }
  if (connection != NULL)
    {
      self->connection = connection;
      g_object_add_weak_pointer (G_OBJECT (connection), (gpointer *) &self->connection);
      self->disconnected_handler =
        g_signal_connect_swapped (connection, "disconnected",
                                  G_CALLBACK (lodge_text_console_connection_disconnected_cb), self);
    }
  return self;
}

const char *
lodge_text_console_get_alias (LodgeTextConsole *self)
{
  g_return_val_if_fail (LODGE_IS_TEXT_CONSOLE (self), NULL);

  return self->alias;
}

gboolean
lodge_text_console_get_is_open (LodgeTextConsole *self)
{
  g_return_val_if_fail (LODGE_IS_TEXT_CONSOLE (self), FALSE);

  return self->stream != NULL;
}

guint64
lodge_text_console_get_received (LodgeTextConsole *self)
{
  g_return_val_if_fail (LODGE_IS_TEXT_CONSOLE (self), 0);

  return self->received;
}

gboolean
lodge_text_console_write (LodgeTextConsole *self,
                          const char       *data,
                          gsize             length)
{
  g_return_val_if_fail (LODGE_IS_TEXT_CONSOLE (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (self->stream == NULL)
    return FALSE;
  g_byte_array_append (self->pending, (const guint8 *) data, length);
  lodge_text_console_flush (self);
  return TRUE;
}

void
lodge_text_console_close (LodgeTextConsole *self)
{
  g_return_if_fail (LODGE_IS_TEXT_CONSOLE (self));

  lodge_text_console_end (self, FALSE, NULL);
}

/* GObject ------------------------------------------------------------- */

static void
lodge_text_console_dispose (GObject *object)
{
  LodgeTextConsole *self = LODGE_TEXT_CONSOLE (object);

  /* Dropped without close(): no signal, just let go. */
  lodge_text_console_release (self, FALSE);
  g_clear_pointer (&self->conn, virConnectClose);

  G_OBJECT_CLASS (lodge_text_console_parent_class)->dispose (object);
}

static void
lodge_text_console_finalize (GObject *object)
{
  LodgeTextConsole *self = LODGE_TEXT_CONSOLE (object);

  g_free (self->alias);
  g_byte_array_unref (self->pending);

  G_OBJECT_CLASS (lodge_text_console_parent_class)->finalize (object);
}

static void
lodge_text_console_class_init (LodgeTextConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_text_console_dispose;
  object_class->finalize = lodge_text_console_finalize;

  signals[SIGNAL_RECEIVED] =
    g_signal_new ("received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
lodge_text_console_init (LodgeTextConsole *self)
{
  self->pending = g_byte_array_new ();
}
