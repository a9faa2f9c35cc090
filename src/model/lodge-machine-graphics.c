/* lodge-machine-graphics.c: how this computer reaches a machine's display
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-machine-graphics"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/lodge-libvirt.h"
#include "model/lodge-machine-graphics.h"
#include "model/lodge-model-private.h"
#include "model/lodge-ssh-tunnel.h"
#include "model/lodge-uri.h"

struct _LodgeMachineGraphics
{
  gatomicrefcount        ref;
  LodgeGraphicsProtocol  protocol;
  LodgeGraphicsListen    listen;
  LodgeGraphicsRoute     route;
  guint                  index;
  char                  *socket;
  char                  *address;
  char                  *connect_host;
  int                    port;
  int                    tls_port;
  char                  *password;
  char                  *host_name;     /* NULL: this computer */
  LodgeUri              *uri;
  virDomainPtr           domain;        /* ROUTE_LIBVIRT */
};

G_DEFINE_BOXED_TYPE (LodgeMachineGraphics, lodge_machine_graphics,
                     lodge_machine_graphics_ref, lodge_machine_graphics_unref)

LodgeMachineGraphics *
lodge_machine_graphics_ref (LodgeMachineGraphics *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

static void
free_domain_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  virDomainFree (task_data);
}

void
lodge_machine_graphics_unref (LodgeMachineGraphics *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref))
    return;

  if (self->domain != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      /* The domain may hold the last reference to a connection that was
       * closed meanwhile: dropping it then talks to the daemon. */
      g_task_set_source_tag (task, lodge_machine_graphics_unref);
      g_task_set_task_data (task, self->domain, NULL);
      g_task_run_in_thread (task, free_domain_thread);
    }
  g_free (self->socket);
  g_free (self->address);
  g_free (self->connect_host);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->host_name);
  g_clear_pointer (&self->uri, lodge_uri_unref);
  g_free (self);
}

/* Reading a definition ------------------------------------------------- */

static gboolean
is_any_address (const char *address)
{
  return address == NULL || *address == '\0' || g_str_equal (address, "0.0.0.0")
         || g_str_equal (address, "::") || g_str_equal (address, "[::]");
}

static gboolean
is_loopback (const char *address)
{
  return address != NULL && (g_str_has_prefix (address, "127.") || g_str_equal (address, "::1")
                             || g_str_equal (address, "[::1]") || g_str_equal (address, "localhost"));
}

static gboolean
is_ssh_transport (const LodgeUri *uri)
{
  const char *transport = lodge_uri_get_transport (uri);

  return g_strcmp0 (transport, "ssh") == 0 || g_strcmp0 (transport, "libssh") == 0
         || g_strcmp0 (transport, "libssh2") == 0;
}

/* The first SPICE display, else the first VNC one; *index is its place
 * among the definition's <graphics>. */
static LodgeDevice *
choose_device (LodgeMachineConfig  *config,
               guint               *index,
               GError             **error)
{
  g_autoptr(GPtrArray) all = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_GRAPHICS);
  const char *wanted[] = { "spice", "vnc" };

  for (guint w = 0; w < G_N_ELEMENTS (wanted); w++)
    for (guint i = 0; i < all->len; i++)
      {
        LodgeDevice *device = g_ptr_array_index (all, i);

        if (g_strcmp0 (device->model, wanted[w]) == 0)
          {
            *index = i;
            return lodge_device_ref (device);
          }
      }

  if (all->len > 0)
    {
      LodgeDevice *device = g_ptr_array_index (all, 0);

      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED,
                   /* Translators: %s is a kind of display, such as sdl or egl-headless */
                   _("This machine’s display (%s) cannot be shown in a window"),
                   device->model != NULL ? device->model : "?");
      return NULL;
    }
  g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                       _("This machine has no graphical display"));
  return NULL;
}

static LodgeGraphicsListen
listen_of (const LodgeDevice *device)
{
  if (g_strcmp0 (device->listen_type, "none") == 0)
    return LODGE_GRAPHICS_LISTEN_NONE;
  if (g_strcmp0 (device->listen_type, "socket") == 0
      || (device->listen_type == NULL && device->socket != NULL))
    return LODGE_GRAPHICS_LISTEN_SOCKET;
  return LODGE_GRAPHICS_LISTEN_ADDRESS;
}

static gboolean
not_supported (GError     **error,
               const char  *message)
{
  g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED, message);
  return FALSE;
}

/* Decides the route, and where it leads. */
static gboolean
choose_route (LodgeMachineGraphics  *self,
              GError               **error)
{
  gboolean remote = self->host_name != NULL;
  g_autofree char *message = NULL;

  if (!remote && g_str_equal (lodge_uri_get_driver (self->uri), "qemu"))
    {
      /* Any listen type, even none: QEMU hands out connected sockets. */
      self->route = LODGE_GRAPHICS_ROUTE_LIBVIRT;
      return TRUE;
    }

  if (self->listen == LODGE_GRAPHICS_LISTEN_NONE)
    {
      if (remote)
        message = g_strdup_printf (_("The display of this machine listens nowhere: only programs on %s "
                                     "itself can reach it. To see it from here, let it listen on a "
                                     "socket (<listen type='socket'/>) and start it again."),
                                   self->host_name);
      else
        message = g_strdup (_("The display of this machine listens nowhere: only libvirt’s own "
                              "QEMU driver can reach it"));
      return not_supported (error, message);
    }

  if (remote && is_ssh_transport (self->uri))
    {
      self->route = LODGE_GRAPHICS_ROUTE_SSH;
      if (self->listen == LODGE_GRAPHICS_LISTEN_SOCKET)
        return self->socket != NULL
               || not_supported (error, _("The display of this machine has no socket yet"));
      if (self->port <= 0 && self->tls_port > 0)
        return not_supported (error, _("The display of this machine takes only encrypted (TLS) "
                                       "connections, which Lodge cannot pass through SSH yet"));
      if (self->port <= 0)
        return not_supported (error, _("The display of this machine has no port yet"));
      /* The tunnel starts on the host: its wildcard is its loopback. */
      if (self->address == NULL || g_str_equal (self->address, "0.0.0.0") || *self->address == '\0')
        self->connect_host = g_strdup ("127.0.0.1");
      else if (is_any_address (self->address))
        self->connect_host = g_strdup ("localhost");
      else
        self->connect_host = g_strdup (self->address);
      return TRUE;
    }

  self->route = LODGE_GRAPHICS_ROUTE_DIRECT;
  if (self->listen == LODGE_GRAPHICS_LISTEN_SOCKET)
    {
      if (remote)
        {
          message = g_strdup_printf (_("The display of this machine is a socket on %s, which only a "
                                       "connection over SSH can reach"), self->host_name);
          return not_supported (error, message);
        }
      return self->socket != NULL
             || not_supported (error, _("The display of this machine has no socket yet"));
    }
  if (self->port <= 0 && self->tls_port <= 0)
    return not_supported (error, _("The display of this machine has no port yet"));
  if (remote && is_loopback (self->address))
    {
      message = g_strdup_printf (_("The display of this machine listens only on %s’s own loopback "
                                   "address, which only a connection over SSH can reach"),
                                 self->host_name);
      return not_supported (error, message);
    }
  /* An address of the machine's host as seen from it: its wildcard means
   * that host's name from here. */
  if (is_any_address (self->address))
    self->connect_host = g_strdup (remote ? self->host_name : "localhost");
  else
    self->connect_host = g_strdup (self->address);
  return TRUE;
}

LodgeMachineGraphics *
lodge_machine_graphics_new_for_config (LodgeMachineConfig  *config,
                                       const char          *uri,
                                       GError             **error)
{
  g_autoptr(LodgeMachineGraphics) self = NULL;
  g_autoptr(LodgeDevice) device = NULL;
  g_autoptr(LodgeUri) parsed = NULL;
  guint index = 0;

  g_return_val_if_fail (LODGE_IS_MACHINE_CONFIG (config), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  parsed = lodge_uri_parse (uri, error);
  if (parsed == NULL)
    return NULL;
  device = choose_device (config, &index, error);
  if (device == NULL)
    return NULL;

  self = g_new0 (LodgeMachineGraphics, 1);
  g_atomic_ref_count_init (&self->ref);
  self->uri = g_steal_pointer (&parsed);
  self->protocol = g_str_equal (device->model, "spice") ? LODGE_GRAPHICS_PROTOCOL_SPICE
                                                        : LODGE_GRAPHICS_PROTOCOL_VNC;
  self->index = index;
  self->listen = listen_of (device);
  if (self->listen == LODGE_GRAPHICS_LISTEN_SOCKET)
    self->socket = g_strdup (device->socket);
  else if (self->listen == LODGE_GRAPHICS_LISTEN_ADDRESS)
    self->address = g_strdup (device->listen_address);
  self->port = device->port > 0 ? device->port : -1;
  self->tls_port = device->tls_port > 0 ? device->tls_port : -1;
  if (device->password != NULL && *device->password != '\0')
    self->password = g_strdup (device->password);
  if (lodge_uri_is_remote (self->uri))
    self->host_name = g_strdup (lodge_uri_get_host (self->uri) != NULL
                                ? lodge_uri_get_host (self->uri) : "localhost");

  if (!choose_route (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

#define GETTER(type, field, fallback)                                          \
  type                                                                         \
  lodge_machine_graphics_get_##field (const LodgeMachineGraphics *self)        \
  {                                                                            \
    g_return_val_if_fail (self != NULL, fallback);                             \
    return self->field;                                                        \
  }

GETTER (LodgeGraphicsProtocol, protocol, LODGE_GRAPHICS_PROTOCOL_SPICE)
GETTER (LodgeGraphicsListen, listen, LODGE_GRAPHICS_LISTEN_NONE)
GETTER (LodgeGraphicsRoute, route, LODGE_GRAPHICS_ROUTE_LIBVIRT)
GETTER (guint, index, 0)
GETTER (const char *, socket, NULL)
GETTER (const char *, address, NULL)
GETTER (const char *, connect_host, NULL)
GETTER (int, port, -1)
GETTER (int, tls_port, -1)
GETTER (const char *, password, NULL)
GETTER (const char *, host_name, NULL)

#undef GETTER

gboolean
lodge_machine_graphics_get_is_remote (const LodgeMachineGraphics *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->host_name != NULL;
}

/* Channels -------------------------------------------------------------- */

int
lodge_machine_graphics_open_channel (LodgeMachineGraphics  *self,
                                     guint                  timeout_ms,
                                     GCancellable          *cancellable,
                                     GError               **error)
{
  int fd;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  switch (self->route)
    {
    case LODGE_GRAPHICS_ROUTE_LIBVIRT:
      g_assert (self->domain != NULL);
      fd = virDomainOpenGraphicsFD (self->domain, self->index, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
      if (fd < 0)
        lodge_model_set_error_from_virt (error, _("Could not connect to the display"));
      return fd;

    case LODGE_GRAPHICS_ROUTE_SSH:
      return lodge_ssh_tunnel_open (self->uri,
                                    self->listen == LODGE_GRAPHICS_LISTEN_SOCKET ? self->socket : NULL,
                                    self->connect_host, self->port,
                                    timeout_ms > 0 ? timeout_ms : LODGE_SSH_TUNNEL_TIMEOUT_MS,
                                    cancellable, error);

    case LODGE_GRAPHICS_ROUTE_DIRECT:
    default:
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED,
                           _("This display is reached by connecting to it, not through a channel"));
      return -1;
    }
}

static void
open_channel_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  int fd;

  fd = lodge_machine_graphics_open_channel (task_data, 0, cancellable, &error);
  if (fd < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Late: nobody takes it any more. */
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_int (task, fd);
  else
    close (fd);
}

void
lodge_machine_graphics_open_channel_async (LodgeMachineGraphics *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_machine_graphics_open_channel_async);
  g_task_set_task_data (task, lodge_machine_graphics_ref (self),
                        (GDestroyNotify) lodge_machine_graphics_unref);
  g_task_run_in_thread (task, open_channel_thread);
}

int
lodge_machine_graphics_open_channel_finish (LodgeMachineGraphics  *self,
                                            GAsyncResult          *result,
                                            GError               **error)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lodge_machine_graphics_open_channel_async, -1);

  return (int) g_task_propagate_int (G_TASK (result), error);
}

/* Reading a machine's graphics ---------------------------------------- */

typedef struct
{
  virConnectPtr  conn;
  char          *uuid;
  char          *uri;
} GetData;

static void
get_data_free (GetData *data)
{
  /* Already closed on the worker by lodge_virt_task_run_in_thread(). */
  g_clear_pointer (&data->conn, virConnectClose);
  g_free (data->uuid);
  g_free (data->uri);
  g_free (data);
}

static void
get_graphics_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GetData *data = task_data;
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(LodgeMachineGraphics) graphics = NULL;
  GError *error = NULL;
  virDomainPtr domain;
  char *xml;

  domain = virDomainLookupByUUIDString (data->conn, data->uuid);
  if (domain == NULL)
    {
      lodge_model_set_error_from_virt (&error, _("Machine not found"));
      g_task_return_error (task, error);
      return;
    }

  /* The password is only in the secure definition, which read-only
   * connections may not read. */
  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    xml = virDomainGetXMLDesc (domain, 0);
  if (xml == NULL)
    {
      lodge_model_set_error_from_virt (&error, _("Could not read the machine’s definition"));
      virDomainFree (domain);
      g_task_return_error (task, error);
      return;
    }
  config = lodge_machine_config_new_from_xml (xml, &error);
  free (xml);
  if (config != NULL)
    graphics = lodge_machine_graphics_new_for_config (config, data->uri, &error);
  if (graphics == NULL)
    {
      virDomainFree (domain);
      g_task_return_error (task, error);
      return;
    }

  if (graphics->route == LODGE_GRAPHICS_ROUTE_LIBVIRT)
    graphics->domain = domain;
  else
    virDomainFree (domain);
  g_task_return_pointer (task, g_steal_pointer (&graphics), (GDestroyNotify) lodge_machine_graphics_unref);
}

void
lodge_machine_get_graphics_async (LodgeMachine        *machine,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LodgeConnection *connection;
  GetData *data;

  g_return_if_fail (LODGE_IS_MACHINE (machine));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (machine, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_machine_get_graphics_async);

  connection = lodge_machine_get_connection (machine);
  if (connection == NULL)
    {
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                               _("The machine “%s” no longer exists"),
                               lodge_machine_get_display_name (machine));
      return;
    }

  data = g_new0 (GetData, 1);
  data->conn = lodge_connection_ref_virconnect (connection);
  data->uuid = g_strdup (lodge_machine_get_uuid (machine));
  data->uri = g_strdup (lodge_connection_get_uri (connection));
  g_task_set_task_data (task, data, (GDestroyNotify) get_data_free);
  if (data->conn == NULL)
    {
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                               _("Not connected to %s"), data->uri);
      return;
    }

  lodge_virt_task_run_in_thread (task, get_graphics_thread, &data->conn);
}

LodgeMachineGraphics *
lodge_machine_get_graphics_finish (LodgeMachine  *machine,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (g_task_is_valid (result, machine), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
