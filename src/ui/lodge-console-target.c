/* lodge-console-target.c: a machine's display, connected to a SPICE session
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-console-target"

#include "config.h"

#include <glib/gi18n.h>

#include "model/lodge-uri.h"
#include "ui/lodge-console-target.h"

struct _LodgeConsoleTarget
{
  GObject               parent_instance;

  LodgeMachineGraphics *graphics;
  /* The sockets being opened for the attached session; cancelled on
   * detach (an SSH tunnel may take seconds to give up). */
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (LodgeConsoleTarget, lodge_console_target, G_TYPE_OBJECT)

static void
lodge_console_target_dispose (GObject *object)
{
  LodgeConsoleTarget *self = LODGE_CONSOLE_TARGET (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lodge_console_target_parent_class)->dispose (object);
}

static void
lodge_console_target_finalize (GObject *object)
{
  LodgeConsoleTarget *self = LODGE_CONSOLE_TARGET (object);

  g_clear_pointer (&self->graphics, lodge_machine_graphics_unref);

  G_OBJECT_CLASS (lodge_console_target_parent_class)->finalize (object);
}

static void
lodge_console_target_class_init (LodgeConsoleTargetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_console_target_dispose;
  object_class->finalize = lodge_console_target_finalize;
}

static void
lodge_console_target_init (LodgeConsoleTarget *self)
{
}

gboolean
lodge_console_target_connection_has_graphics (LodgeConnection *connection)
{
  g_autoptr(LodgeUri) uri = NULL;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), FALSE);

  uri = lodge_uri_parse (lodge_connection_get_uri (connection), NULL);
  return uri != NULL && !lodge_uri_is_test (uri);
}

/* Resolving ------------------------------------------------------------- */

static void
lodge_console_target_get_graphics_cb (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LodgeMachineGraphics) graphics = NULL;
  LodgeConsoleTarget *self;
  GError *error = NULL;

  graphics = lodge_machine_get_graphics_finish (LODGE_MACHINE (object), result, &error);
  if (graphics == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (lodge_machine_graphics_get_protocol (graphics) != LODGE_GRAPHICS_PROTOCOL_SPICE)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("This machine’s display uses VNC, which Lodge cannot show yet"));
      return;
    }

  self = g_object_new (LODGE_TYPE_CONSOLE_TARGET, NULL);
  self->graphics = g_steal_pointer (&graphics);
  g_task_return_pointer (task, self, g_object_unref);
}

void
lodge_console_target_resolve_async (LodgeMachine        *machine,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (LODGE_IS_MACHINE (machine));

  task = g_task_new (machine, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_console_target_resolve_async);
  lodge_machine_get_graphics_async (machine, cancellable, lodge_console_target_get_graphics_cb, task);
}

LodgeConsoleTarget *
lodge_console_target_resolve_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

LodgeMachineGraphics *
lodge_console_target_get_graphics (LodgeConsoleTarget *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_TARGET (self), NULL);
  return self->graphics;
}

char *
lodge_console_target_describe (LodgeConsoleTarget *self)
{
  LodgeMachineGraphics *graphics;

  g_return_val_if_fail (LODGE_IS_CONSOLE_TARGET (self), NULL);

  graphics = self->graphics;
  switch (lodge_machine_graphics_get_route (graphics))
    {
    case LODGE_GRAPHICS_ROUTE_LIBVIRT:
      return g_strdup (_("Connected over SPICE through libvirt"));
    case LODGE_GRAPHICS_ROUTE_SSH:
      /* Translators: %s is a host name */
      return g_strdup_printf (_("Connected over SPICE through SSH to %s"),
                              lodge_machine_graphics_get_host_name (graphics));
    case LODGE_GRAPHICS_ROUTE_DIRECT:
    default:
      if (lodge_machine_graphics_get_listen (graphics) == LODGE_GRAPHICS_LISTEN_SOCKET)
        return g_strdup_printf (_("Connected over SPICE on %s"), lodge_machine_graphics_get_socket (graphics));
      return g_strdup_printf (_("Connected over SPICE on %s port %d"),
                              lodge_machine_graphics_get_connect_host (graphics),
                              lodge_machine_graphics_get_tls_port (graphics) > 0
                              ? lodge_machine_graphics_get_tls_port (graphics)
                              : lodge_machine_graphics_get_port (graphics));
    }
}

/* Sockets for the channels -------------------------------------------- */

typedef struct
{
  LodgeSpiceSession *session;
  guint              request_id;
} FdRequest;

static void
fd_request_free (FdRequest *request)
{
  g_object_unref (request->session);
  g_free (request);
}

static void
lodge_console_target_open_channel_cb (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  FdRequest *request = user_data;
  LodgeMachineGraphics *graphics = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  int fd;

  fd = lodge_machine_graphics_open_channel_finish (graphics, result, &error);
  g_debug ("Socket for request %u: %d", request->request_id, fd);
  /* Detached meanwhile: the session wants nothing any more. A session
   * whose request is gone closes the socket itself. */
  if (fd >= 0)
    lodge_spice_session_give_fd (request->session, request->request_id, fd);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lodge_spice_session_fail_fd (request->session, request->request_id, error->message);
  fd_request_free (request);
}

static void
lodge_console_target_session_open_fd_cb (LodgeSpiceSession  *session,
                                         guint               request_id,
                                         int                 channel_type,
                                         LodgeConsoleTarget *self)
{
  FdRequest *request = g_new0 (FdRequest, 1);

  g_debug ("Opening a socket for request %u", request_id);
  request->session = g_object_ref (session);
  request->request_id = request_id;
  lodge_machine_graphics_open_channel_async (self->graphics, self->cancellable,
                                             lodge_console_target_open_channel_cb, request);
}

void
lodge_console_target_connect (LodgeConsoleTarget *self,
                              LodgeSpiceSession  *session)
{
  LodgeMachineGraphics *graphics;

  g_return_if_fail (LODGE_IS_CONSOLE_TARGET (self));
  g_return_if_fail (LODGE_IS_SPICE_SESSION (session));

  graphics = self->graphics;
  lodge_console_target_detach (self, session);
  self->cancellable = g_cancellable_new ();

  switch (lodge_machine_graphics_get_route (graphics))
    {
    case LODGE_GRAPHICS_ROUTE_LIBVIRT:
    case LODGE_GRAPHICS_ROUTE_SSH:
      g_signal_connect_object (session, "open-fd",
                               G_CALLBACK (lodge_console_target_session_open_fd_cb),
                               self, 0);
      /* libvirt's sockets skip the password; a tunnel reaches the server
       * as any client does. */
      lodge_spice_session_connect_fd_full (session, -1, lodge_machine_graphics_get_password (graphics),
                                           !lodge_machine_graphics_get_is_remote (graphics));
      break;
    case LODGE_GRAPHICS_ROUTE_DIRECT:
    default:
      if (lodge_machine_graphics_get_listen (graphics) == LODGE_GRAPHICS_LISTEN_SOCKET)
        lodge_spice_session_connect_unix (session, lodge_machine_graphics_get_socket (graphics),
                                          lodge_machine_graphics_get_password (graphics));
      else
        lodge_spice_session_connect_host (session, lodge_machine_graphics_get_connect_host (graphics),
                                          MAX (lodge_machine_graphics_get_port (graphics), 0),
                                          MAX (lodge_machine_graphics_get_tls_port (graphics), 0),
                                          lodge_machine_graphics_get_password (graphics));
      break;
    }
}

void
lodge_console_target_detach (LodgeConsoleTarget *self,
                             LodgeSpiceSession  *session)
{
  g_return_if_fail (LODGE_IS_CONSOLE_TARGET (self));
  g_return_if_fail (LODGE_IS_SPICE_SESSION (session));

  g_signal_handlers_disconnect_by_func (session, lodge_console_target_session_open_fd_cb, self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}
