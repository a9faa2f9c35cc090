/* lodge-console-target.c: where a machine's SPICE display is reached
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-console-target"

#include "config.h"

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/lodge-console-target.h"

struct _LodgeConsoleTarget
{
  GObject                 parent_instance;

  LodgeConsoleTargetKind  kind;
  virDomainPtr            domain;     /* FD only */
  int                     index;      /* of the <graphics> for OpenGraphicsFD */
  char                   *host;
  int                     port;
  int                     tls_port;
  char                   *socket_path;
  char                   *password;
};

G_DEFINE_FINAL_TYPE (LodgeConsoleTarget, lodge_console_target, G_TYPE_OBJECT)

static void
lodge_console_target_finalize (GObject *object)
{
  LodgeConsoleTarget *self = LODGE_CONSOLE_TARGET (object);

  /* virDomainFree only drops a local reference: no call to the daemon. */
  g_clear_pointer (&self->domain, virDomainFree);
  g_free (self->host);
  g_free (self->socket_path);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (lodge_console_target_parent_class)->finalize (object);
}

static void
lodge_console_target_class_init (LodgeConsoleTargetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lodge_console_target_finalize;
}

static void
lodge_console_target_init (LodgeConsoleTarget *self)
{
}

/* The driver part of a URI: "qemu" for qemu+ssh://host/system. */
static char *
uri_driver (const char *uri)
{
  gsize n = strcspn (uri, "+:");

  return g_ascii_strdown (uri, n);
}

gboolean
lodge_console_target_connection_has_graphics (LodgeConnection *connection)
{
  g_autofree char *driver = NULL;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), FALSE);

  driver = uri_driver (lodge_connection_get_uri (connection));
  return !g_str_equal (driver, "test");
}

/* Domain XML ------------------------------------------------------------ */

typedef struct
{
  int       depth;
  int       devices_depth;   /* depth of <devices>, 0 outside */
  int       graphics_depth;  /* depth of the chosen <graphics>, 0 outside */
  int       n_graphics;
  gboolean  found;

  int       index;
  char     *listen_type;
  char     *host;
  int       port;
  int       tls_port;
  char     *socket_path;
  char     *password;
} ParseData;

static const char *
attribute (const char **names,
           const char **values,
           const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return values[i];
  return NULL;
}

static int
port_number (const char *text)
{
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, -1, 65535, &value, NULL))
    return -1;
  return (int) value;
}

static void
parse_start_element (GMarkupParseContext  *context,
                     const char           *element,
                     const char          **names,
                     const char          **values,
                     gpointer              user_data,
                     GError              **error)
{
  ParseData *data = user_data;

  data->depth++;

  if (g_str_equal (element, "devices") && data->depth == 2)
    data->devices_depth = data->depth;
  else if (g_str_equal (element, "graphics") && data->devices_depth > 0
           && data->depth == data->devices_depth + 1)
    {
      int index = data->n_graphics++;

      if (data->found || g_strcmp0 (attribute (names, values, "type"), "spice") != 0)
        return;
      data->found = TRUE;
      data->graphics_depth = data->depth;
      data->index = index;
      data->port = port_number (attribute (names, values, "port"));
      data->tls_port = port_number (attribute (names, values, "tlsPort"));
      data->host = g_strdup (attribute (names, values, "listen"));
      data->password = g_strdup (attribute (names, values, "passwd"));
    }
  else if (g_str_equal (element, "listen") && data->graphics_depth > 0
           && data->depth == data->graphics_depth + 1 && data->listen_type == NULL)
    {
      const char *address = attribute (names, values, "address");
      const char *socket_path = attribute (names, values, "socket");

      data->listen_type = g_strdup (attribute (names, values, "type"));
      if (address != NULL)
        {
          g_free (data->host);
          data->host = g_strdup (address);
        }
      if (socket_path != NULL)
        {
          g_free (data->socket_path);
          data->socket_path = g_strdup (socket_path);
        }
    }
}

static void
parse_end_element (GMarkupParseContext  *context,
                   const char           *element,
                   gpointer              user_data,
                   GError              **error)
{
  ParseData *data = user_data;

  if (data->depth == data->graphics_depth)
    data->graphics_depth = 0;
  if (data->depth == data->devices_depth)
    data->devices_depth = 0;
  data->depth--;
}

gboolean
lodge_console_target_parse_xml (const char  *xml,
                                int         *index,
                                char       **listen_type,
                                char       **host,
                                int         *port,
                                int         *tls_port,
                                char       **socket_path,
                                char       **password)
{
  static const GMarkupParser parser = {
    .start_element = parse_start_element,
    .end_element = parse_end_element,
  };
  ParseData data = { .port = -1, .tls_port = -1 };
  g_autoptr(GMarkupParseContext) context = NULL;
  gboolean ok;

  g_return_val_if_fail (xml != NULL, FALSE);

  context = g_markup_parse_context_new (&parser, 0, &data, NULL);
  ok = g_markup_parse_context_parse (context, xml, -1, NULL)
       && g_markup_parse_context_end_parse (context, NULL)
       && data.found;

  if (ok)
    {
      *index = data.index;
      *listen_type = g_steal_pointer (&data.listen_type);
      *host = g_steal_pointer (&data.host);
      *port = data.port;
      *tls_port = data.tls_port;
      *socket_path = g_steal_pointer (&data.socket_path);
      *password = g_steal_pointer (&data.password);
    }
  g_free (data.listen_type);
  g_free (data.host);
  g_free (data.socket_path);
  g_free (data.password);
  return ok;
}

/* Resolving ------------------------------------------------------------- */

typedef struct
{
  virConnectPtr  conn;
  char          *uuid;
  char          *uri;
  char          *hostname;   /* NULL: a local connection */
} ResolveData;

static void
resolve_data_free (gpointer user_data)
{
  ResolveData *data = user_data;

  if (data->conn != NULL)
    virConnectClose (data->conn);
  g_free (data->uuid);
  g_free (data->uri);
  g_free (data->hostname);
  g_free (data);
}

static gboolean
is_any_address (const char *host)
{
  return host == NULL || *host == '\0' || g_str_equal (host, "0.0.0.0")
         || g_str_equal (host, "::") || g_str_equal (host, "[::]");
}

static gboolean
is_loopback (const char *host)
{
  return host != NULL && (g_str_has_prefix (host, "127.") || g_str_equal (host, "::1")
                          || g_str_equal (host, "localhost"));
}

static void
resolve_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ResolveData *data = task_data;
  g_autoptr(LodgeConsoleTarget) self = NULL;
  g_autofree char *driver = uri_driver (data->uri);
  g_autofree char *listen_type = NULL;
  g_autofree char *host = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *password = NULL;
  gboolean local = data->hostname == NULL;
  virDomainPtr domain;
  char *xml;
  int index = 0, port = -1, tls_port = -1;

  domain = virDomainLookupByUUIDString (data->conn, data->uuid);
  if (domain == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "%s", virGetLastErrorMessage ());
      return;
    }

  /* The password is only in the secure XML, which read-only connections
   * may not read. */
  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    xml = virDomainGetXMLDesc (domain, 0);
  if (xml == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "%s", virGetLastErrorMessage ());
      virDomainFree (domain);
      return;
    }

  if (!lodge_console_target_parse_xml (xml, &index, &listen_type, &host, &port, &tls_port,
                                       &socket_path, &password))
    {
      free (xml);
      virDomainFree (domain);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("This machine has no graphical display"));
      return;
    }
  free (xml);

  self = g_object_new (LODGE_TYPE_CONSOLE_TARGET, NULL);
  self->index = index;
  self->password = g_steal_pointer (&password);

  if (local && g_str_equal (driver, "qemu"))
    {
      /* Any listen type, even none: QEMU hands out a connected socket. */
      self->kind = LODGE_CONSOLE_TARGET_FD;
      self->domain = domain;
      g_task_return_pointer (task, g_steal_pointer (&self), g_object_unref);
      return;
    }
  virDomainFree (domain);

  if (g_strcmp0 (listen_type, "socket") == 0 && socket_path != NULL && local)
    {
      self->kind = LODGE_CONSOLE_TARGET_UNIX;
      self->socket_path = g_steal_pointer (&socket_path);
    }
  else if (port > 0 || tls_port > 0)
    {
      self->kind = LODGE_CONSOLE_TARGET_HOST;
      self->port = MAX (port, 0);
      self->tls_port = MAX (tls_port, 0);
      /* An address of the host that runs the machine as seen from it: on
       * another host, its wildcard means that host's name. A loopback
       * address there is out of reach without a tunnel. */
      if (!local && is_loopback (host))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                   _("The display of this machine listens only on %s’s own loopback address"),
                                   data->hostname);
          return;
        }
      if (is_any_address (host))
        self->host = g_strdup (local ? "localhost" : data->hostname);
      else
        self->host = g_steal_pointer (&host);
    }
  else
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("The display of this machine cannot be reached from this computer"));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&self), g_object_unref);
}

void
lodge_console_target_resolve_async (LodgeMachine        *machine,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LodgeConnection *connection;
  ResolveData *data;

  g_return_if_fail (LODGE_IS_MACHINE (machine));

  task = g_task_new (machine, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_console_target_resolve_async);

  connection = lodge_machine_get_connection (machine);
  data = g_new0 (ResolveData, 1);
  data->uuid = g_strdup (lodge_machine_get_uuid (machine));
  if (connection != NULL)
    {
      data->conn = lodge_connection_ref_virconnect (connection);
      data->uri = g_strdup (lodge_connection_get_uri (connection));
      data->hostname = g_strdup (lodge_connection_get_hostname (connection));
    }
  g_task_set_task_data (task, data, resolve_data_free);

  if (data->conn == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("Not connected to the host"));
      return;
    }

  g_task_run_in_thread (task, resolve_thread);
}

LodgeConsoleTarget *
lodge_console_target_resolve_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

LodgeConsoleTargetKind
lodge_console_target_get_kind (LodgeConsoleTarget *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_TARGET (self), LODGE_CONSOLE_TARGET_FD);
  return self->kind;
}

const char *
lodge_console_target_get_host (LodgeConsoleTarget *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_TARGET (self), NULL);
  return self->host;
}

int
lodge_console_target_get_port (LodgeConsoleTarget *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_TARGET (self), 0);
  return self->port;
}

int
lodge_console_target_get_tls_port (LodgeConsoleTarget *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_TARGET (self), 0);
  return self->tls_port;
}

const char *
lodge_console_target_get_socket (LodgeConsoleTarget *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_TARGET (self), NULL);
  return self->socket_path;
}

char *
lodge_console_target_describe (LodgeConsoleTarget *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_TARGET (self), NULL);

  switch (self->kind)
    {
    case LODGE_CONSOLE_TARGET_FD:
      return g_strdup (_("Connected over SPICE through libvirt"));
    case LODGE_CONSOLE_TARGET_UNIX:
      return g_strdup_printf (_("Connected over SPICE on %s"), self->socket_path);
    case LODGE_CONSOLE_TARGET_HOST:
    default:
      return g_strdup_printf (_("Connected over SPICE on %s port %d"), self->host,
                              self->tls_port > 0 ? self->tls_port : self->port);
    }
}

/* Sockets for the channels -------------------------------------------- */

typedef struct
{
  LodgeConsoleTarget *target;
  guint               request_id;
} FdData;

static void
fd_data_free (gpointer user_data)
{
  FdData *data = user_data;

  g_object_unref (data->target);
  g_free (data);
}

static void
open_fd_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  FdData *data = task_data;
  int fd;

  fd = virDomainOpenGraphicsFD (data->target->domain, data->target->index,
                                VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
  g_debug ("Socket for request %u: %d", data->request_id, fd);
  if (fd < 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "%s", virGetLastErrorMessage ());
  else
    g_task_return_int (task, fd);
}

static void
open_fd_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LodgeSpiceSession *session = LODGE_SPICE_SESSION (object);
  FdData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gssize fd;

  fd = g_task_propagate_int (G_TASK (result), &error);
  g_debug ("Giving socket %d to request %u", (int) fd, data->request_id);
  /* A session whose request is gone closes the socket itself. */
  if (fd >= 0)
    lodge_spice_session_give_fd (session, data->request_id, (int) fd);
  else
    lodge_spice_session_fail_fd (session, data->request_id, error->message);
}

static void
lodge_console_target_session_open_fd_cb (LodgeSpiceSession  *session,
                                         guint               request_id,
                                         int                 channel_type,
                                         LodgeConsoleTarget *self)
{
  g_autoptr(GTask) task = NULL;
  FdData *data;

  g_debug ("Opening a socket for request %u", request_id);
  task = g_task_new (session, NULL, open_fd_done_cb, NULL);
  g_task_set_source_tag (task, lodge_console_target_session_open_fd_cb);
  data = g_new0 (FdData, 1);
  data->target = g_object_ref (self);
  data->request_id = request_id;
  g_task_set_task_data (task, data, fd_data_free);
  g_task_run_in_thread (task, open_fd_thread);
}

void
lodge_console_target_connect (LodgeConsoleTarget *self,
                              LodgeSpiceSession  *session)
{
  g_return_if_fail (LODGE_IS_CONSOLE_TARGET (self));
  g_return_if_fail (LODGE_IS_SPICE_SESSION (session));

  switch (self->kind)
    {
    case LODGE_CONSOLE_TARGET_FD:
      lodge_console_target_detach (self, session);
      g_signal_connect_data (session, "open-fd",
                             G_CALLBACK (lodge_console_target_session_open_fd_cb),
                             g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
      lodge_spice_session_connect_fd (session, -1);
      break;
    case LODGE_CONSOLE_TARGET_UNIX:
      lodge_spice_session_connect_unix (session, self->socket_path, self->password);
      break;
    case LODGE_CONSOLE_TARGET_HOST:
    default:
      lodge_spice_session_connect_host (session, self->host, self->port, self->tls_port,
                                        self->password);
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
}
