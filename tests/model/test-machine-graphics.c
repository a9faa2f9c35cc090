/* test-machine-graphics.c: how a machine's display is reached, from saved
 * definitions
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Running definitions as libvirt writes them (the files in tests/model/graphics:
 * SPICE listening nowhere, on a socket, on an address, with TLS and a
 * password, TLS only; VNC; none) read for a host reached four ways: this
 * computer's QEMU, SSH, plain TCP, and the test driver.
 */
#include "config.h"

#include <string.h>

#include "model/lodge-machine-config.h"
#include "model/lodge-machine-graphics.h"
#include "model/lodge-types.h"

#define LOCAL "qemu:///system"
#define SSH "qemu+ssh://root@lab.example:2222/system?keyfile=/root/.ssh/lab"
#define TCP "qemu+tcp://lab.example/system"
#define TEST "test:///default"

#define SPICE LODGE_GRAPHICS_PROTOCOL_SPICE
#define VNC LODGE_GRAPHICS_PROTOCOL_VNC
#define NONE LODGE_GRAPHICS_LISTEN_NONE
#define SOCKET LODGE_GRAPHICS_LISTEN_SOCKET
#define ADDRESS LODGE_GRAPHICS_LISTEN_ADDRESS
#define VIA_LIBVIRT LODGE_GRAPHICS_ROUTE_LIBVIRT
#define VIA_SSH LODGE_GRAPHICS_ROUTE_SSH
#define DIRECT LODGE_GRAPHICS_ROUTE_DIRECT
#define OK -1

#define SOCKET_PATH "/var/lib/libvirt/qemu/domain-3-socket/spice.sock"

typedef struct
{
  const char            *file;
  const char            *uri;
  int                    error;          /* a LodgeModelError, or OK */
  LodgeGraphicsProtocol  protocol;
  LodgeGraphicsListen    listen;
  LodgeGraphicsRoute     route;
  guint                  index;
  const char            *socket;
  const char            *address;
  const char            *connect_host;
  int                    port;
  int                    tls_port;
  const char            *password;
  const char            *host_name;      /* NULL: this computer */
} Case;

static const Case cases[] = {
  /* Nowhere: only this computer's QEMU hands out sockets. */
  { "spice-none.xml", LOCAL, OK, SPICE, NONE, VIA_LIBVIRT, 0, NULL, NULL, NULL, -1, -1, NULL, NULL },
  { "spice-none.xml", SSH, LODGE_MODEL_ERROR_NOT_SUPPORTED },
  { "spice-none.xml", TCP, LODGE_MODEL_ERROR_NOT_SUPPORTED },
  { "spice-none.xml", TEST, LODGE_MODEL_ERROR_NOT_SUPPORTED },

  /* A unix socket: through libvirt here, a tunnel from a host over SSH,
   * out of reach over TCP. */
  { "spice-socket.xml", LOCAL, OK, SPICE, SOCKET, VIA_LIBVIRT, 0, SOCKET_PATH, NULL, NULL, -1, -1, NULL, NULL },
  { "spice-socket.xml", SSH, OK, SPICE, SOCKET, VIA_SSH, 0, SOCKET_PATH, NULL, NULL, -1, -1, NULL, "lab.example" },
  { "spice-socket.xml", TCP, LODGE_MODEL_ERROR_NOT_SUPPORTED },
  { "spice-socket.xml", TEST, OK, SPICE, SOCKET, DIRECT, 0, SOCKET_PATH, NULL, NULL, -1, -1, NULL, NULL },
  /* Not running: no socket chosen yet. */
  { "spice-socket-stopped.xml", SSH, LODGE_MODEL_ERROR_NOT_SUPPORTED },

  /* Loopback: the tunnel starts on the host, where it is reachable. */
  { "spice-address.xml", LOCAL, OK, SPICE, ADDRESS, VIA_LIBVIRT, 0, NULL, "127.0.0.1", NULL, 5901, -1, NULL, NULL },
  { "spice-address.xml", SSH, OK, SPICE, ADDRESS, VIA_SSH, 0, NULL, "127.0.0.1", "127.0.0.1", 5901, -1, NULL, "lab.example" },
  { "spice-address.xml", TCP, LODGE_MODEL_ERROR_NOT_SUPPORTED },
  { "spice-address.xml", TEST, OK, SPICE, ADDRESS, DIRECT, 0, NULL, "127.0.0.1", "127.0.0.1", 5901, -1, NULL, NULL },

  /* The SPICE display after a VNC one, with TLS and a password. */
  { "spice-tls.xml", LOCAL, OK, SPICE, ADDRESS, VIA_LIBVIRT, 1, NULL, "192.0.2.1", NULL, 5902, 5903, "s&cret", NULL },
  { "spice-tls.xml", SSH, OK, SPICE, ADDRESS, VIA_SSH, 1, NULL, "192.0.2.1", "192.0.2.1", 5902, 5903, "s&cret", "lab.example" },
  { "spice-tls.xml", TCP, OK, SPICE, ADDRESS, DIRECT, 1, NULL, "192.0.2.1", "192.0.2.1", 5902, 5903, "s&cret", "lab.example" },

  /* TLS only: a tunnel cannot start TLS (SPICE over a client's socket
   * begins in the clear); directly, the host's name for its wildcard. */
  { "spice-tls-only.xml", SSH, LODGE_MODEL_ERROR_NOT_SUPPORTED },
  { "spice-tls-only.xml", TCP, OK, SPICE, ADDRESS, DIRECT, 0, NULL, "0.0.0.0", "lab.example", -1, 5904, NULL, "lab.example" },

  /* VNC is described too; whether it can be shown is the UI's matter. */
  { "vnc.xml", LOCAL, OK, VNC, ADDRESS, VIA_LIBVIRT, 0, NULL, "0.0.0.0", NULL, 5900, -1, NULL, NULL },
  { "vnc.xml", SSH, OK, VNC, ADDRESS, VIA_SSH, 0, NULL, "0.0.0.0", "127.0.0.1", 5900, -1, NULL, "lab.example" },
  { "vnc.xml", TEST, OK, VNC, ADDRESS, DIRECT, 0, NULL, "0.0.0.0", "localhost", 5900, -1, NULL, NULL },

  { "headless.xml", LOCAL, LODGE_MODEL_ERROR_NOT_FOUND },
  { "headless.xml", SSH, LODGE_MODEL_ERROR_NOT_FOUND },
};

static LodgeMachineConfig *
load (const char *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "graphics", file, NULL);
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  LodgeMachineConfig *config;

  g_file_get_contents (path, &xml, NULL, &error);
  g_assert_no_error (error);
  config = lodge_machine_config_new_from_xml (xml, &error);
  g_assert_no_error (error);
  return config;
}

static void
test_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(LodgeMachineConfig) config = load (c->file);
      g_autoptr(LodgeMachineGraphics) graphics = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s on %s", c->file, c->uri);
      graphics = lodge_machine_graphics_new_for_config (config, c->uri, &error);
      if (c->error != OK)
        {
          g_assert_error (error, LODGE_MODEL_ERROR, c->error);
          g_assert_null (graphics);
          /* Says why, for people. */
          g_assert_cmpuint (strlen (error->message), >, 20);
          continue;
        }
      g_assert_no_error (error);
      g_assert_nonnull (graphics);
      g_assert_cmpint (lodge_machine_graphics_get_protocol (graphics), ==, c->protocol);
      g_assert_cmpint (lodge_machine_graphics_get_listen (graphics), ==, c->listen);
      g_assert_cmpint (lodge_machine_graphics_get_route (graphics), ==, c->route);
      g_assert_cmpuint (lodge_machine_graphics_get_index (graphics), ==, c->index);
      g_assert_cmpstr (lodge_machine_graphics_get_socket (graphics), ==, c->socket);
      g_assert_cmpstr (lodge_machine_graphics_get_address (graphics), ==, c->address);
      g_assert_cmpstr (lodge_machine_graphics_get_connect_host (graphics), ==, c->connect_host);
      g_assert_cmpint (lodge_machine_graphics_get_port (graphics), ==, c->port);
      g_assert_cmpint (lodge_machine_graphics_get_tls_port (graphics), ==, c->tls_port);
      g_assert_cmpstr (lodge_machine_graphics_get_password (graphics), ==, c->password);
      g_assert_cmpint (lodge_machine_graphics_get_is_remote (graphics), ==, c->host_name != NULL);
      g_assert_cmpstr (lodge_machine_graphics_get_host_name (graphics), ==, c->host_name);
    }
}

/* The messages name the way out. */
static void
test_messages (void)
{
  g_autoptr(LodgeMachineConfig) none = load ("spice-none.xml");
  g_autoptr(LodgeMachineConfig) tls_only = load ("spice-tls-only.xml");
  g_autoptr(LodgeMachineConfig) headless = load ("headless.xml");
  g_autoptr(GError) error = NULL;

  g_assert_null (lodge_machine_graphics_new_for_config (none, SSH, &error));
  g_assert_nonnull (strstr (error->message, "lab.example"));
  g_assert_nonnull (strstr (error->message, "<listen type='socket'/>"));
  g_clear_error (&error);

  g_assert_null (lodge_machine_graphics_new_for_config (tls_only, SSH, &error));
  g_assert_nonnull (strstr (error->message, "TLS"));
  g_clear_error (&error);

  g_assert_null (lodge_machine_graphics_new_for_config (headless, LOCAL, &error));
  g_assert_cmpstr (error->message, ==, "This machine has no graphical display");
  g_clear_error (&error);

  g_assert_null (lodge_machine_graphics_new_for_config (none, "not a uri", &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
}

/* What the machine config reads of a <graphics>, for the above. */
static void
test_config_fields (void)
{
  g_autoptr(LodgeMachineConfig) config = load ("spice-tls.xml");
  g_autoptr(GPtrArray) graphics = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_GRAPHICS);
  LodgeDevice *vnc, *spice;

  g_assert_cmpuint (graphics->len, ==, 2);
  vnc = g_ptr_array_index (graphics, 0);
  spice = g_ptr_array_index (graphics, 1);
  g_assert_cmpstr (vnc->model, ==, "vnc");
  g_assert_cmpstr (vnc->listen_type, ==, "address");
  g_assert_cmpstr (vnc->listen_address, ==, "0.0.0.0");
  g_assert_cmpint (vnc->port, ==, 5900);
  g_assert_cmpint (vnc->tls_port, ==, -1);
  g_assert_null (vnc->password);
  g_assert_cmpstr (spice->model, ==, "spice");
  g_assert_cmpstr (spice->listen, ==, "192.0.2.1");
  g_assert_cmpint (spice->port, ==, 5902);
  g_assert_cmpint (spice->tls_port, ==, 5903);
  g_assert_cmpstr (spice->password, ==, "s&cret");
  g_assert_null (spice->socket);

  g_clear_object (&config);
  g_clear_pointer (&graphics, g_ptr_array_unref);
  config = load ("spice-socket-stopped.xml");
  graphics = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_GRAPHICS);
  spice = g_ptr_array_index (graphics, 0);
  g_assert_cmpstr (spice->listen_type, ==, "socket");
  g_assert_cmpstr (spice->listen, ==, "socket");
  g_assert_null (spice->socket);
  g_assert_cmpint (spice->port, ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/machine-graphics/cases", test_cases);
  g_test_add_func ("/machine-graphics/messages", test_messages);
  g_test_add_func ("/machine-graphics/config-fields", test_config_fields);

  return g_test_run ();
}
