/* test-uri.c: lodge-uri, the one reading of a libvirt URI
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "model/lodge-types.h"
#include "model/lodge-uri.h"

typedef struct
{
  const char *uri;
  const char *driver;
  const char *transport;
  const char *user;
  const char *host;
  int port;
  const char *path;
  gboolean remote;
  gboolean system;
  gboolean session;
  gboolean local_files;
} Case;

static const Case cases[] = {
  { "qemu:///system", "qemu", NULL, NULL, NULL, 0, "/system", FALSE, TRUE, FALSE, TRUE },
  { "qemu:///session", "qemu", NULL, NULL, NULL, 0, "/session", FALSE, FALSE, TRUE, TRUE },
  { "QEMU:///system", "qemu", NULL, NULL, NULL, 0, "/system", FALSE, TRUE, FALSE, TRUE },
  { "qemu+unix:///system?socket=/run/x/libvirt-sock", "qemu", "unix", NULL, NULL, 0, "/system",
    FALSE, TRUE, FALSE, TRUE },
  { "qemu+ssh://root@lab.example.org/system", "qemu", "ssh", "root", "lab.example.org", 0, "/system",
    TRUE, TRUE, FALSE, FALSE },
  /* Over ssh even to localhost: remote (no file descriptors pass). */
  { "qemu+ssh://localhost/system", "qemu", "ssh", NULL, "localhost", 0, "/system",
    TRUE, TRUE, FALSE, FALSE },
  { "qemu+ssh://ann@127.0.0.2:2222/session", "qemu", "ssh", "ann", "127.0.0.2", 2222, "/session",
    TRUE, FALSE, TRUE, FALSE },
  { "qemu+libssh://root@[::1]:22/system", "qemu", "libssh", "root", "::1", 22, "/system",
    TRUE, TRUE, FALSE, FALSE },
  { "qemu+tls://host.example/system", "qemu", "tls", NULL, "host.example", 0, "/system",
    TRUE, TRUE, FALSE, FALSE },
  { "qemu://host.example/system", "qemu", NULL, NULL, "host.example", 0, "/system",
    TRUE, TRUE, FALSE, FALSE },
  { "test:///default", "test", NULL, NULL, NULL, 0, "/default", FALSE, FALSE, FALSE, FALSE },
  { "test:///var/tmp/lodge/machines-500.xml", "test", NULL, NULL, NULL, 0,
    "/var/tmp/lodge/machines-500.xml", FALSE, FALSE, FALSE, FALSE },
  { "lxc:///", "lxc", NULL, NULL, NULL, 0, "/", FALSE, FALSE, FALSE, TRUE },
};

static void
test_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeUri) uri = lodge_uri_parse (c->uri, &error);

      g_test_message ("%s", c->uri);
      g_assert_no_error (error);
      g_assert_nonnull (uri);
      g_assert_cmpstr (lodge_uri_get_string (uri), ==, c->uri);
      g_assert_cmpstr (lodge_uri_get_driver (uri), ==, c->driver);
      g_assert_cmpstr (lodge_uri_get_transport (uri), ==, c->transport);
      g_assert_cmpstr (lodge_uri_get_user (uri), ==, c->user);
      g_assert_cmpstr (lodge_uri_get_host (uri), ==, c->host);
      g_assert_cmpint (lodge_uri_get_port (uri), ==, c->port);
      g_assert_cmpstr (lodge_uri_get_path (uri), ==, c->path);
      g_assert_cmpint (lodge_uri_is_remote (uri), ==, c->remote);
      g_assert_cmpint (lodge_uri_is_system (uri), ==, c->system);
      g_assert_cmpint (lodge_uri_is_session (uri), ==, c->session);
      g_assert_cmpint (lodge_uri_has_local_files (uri), ==, c->local_files);
      g_assert_cmpint (lodge_uri_is_test (uri), ==, g_str_equal (c->driver, "test"));
    }
}

static void
test_params (void)
{
  g_autoptr(LodgeUri) uri = NULL;

  uri = lodge_uri_parse ("qemu+ssh://root@127.0.0.2:2222/system?keyfile=/var/tmp/my%20keys/id&no_verify=1&command=/usr/bin/ssh",
                         NULL);
  g_assert_nonnull (uri);
  g_assert_cmpstr (lodge_uri_get_param (uri, "keyfile"), ==, "/var/tmp/my keys/id");
  g_assert_cmpstr (lodge_uri_get_param (uri, "no_verify"), ==, "1");
  g_assert_cmpstr (lodge_uri_get_param (uri, "command"), ==, "/usr/bin/ssh");
  g_assert_null (lodge_uri_get_param (uri, "socket"));
}

static void
test_invalid (void)
{
  const char *bad[] = {
    "",
    "system",
    "/var/run/libvirt",
    "qemu+ssh://host:99999/system",
    "qemu+ssh://host:port/system",
    "qemu+ss h://host/system",
    "1qemu:///system",
    "qemu+://host/system",
    "qemu+ssh://host/system?keyfile=%zz",
    "qemu://:22/system",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeUri) uri = lodge_uri_parse (bad[i], &error);

      g_test_message ("“%s”: %s", bad[i], error != NULL ? error->message : "(accepted)");
      g_assert_null (uri);
      g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_build_ssh (void)
{
  struct {
    const char *user, *host;
    int port;
    gboolean system;
    const char *keyfile, *expected;
  } builds[] = {
    { "root", "lab.example.org", 0, TRUE, NULL, "qemu+ssh://root@lab.example.org/system" },
    { NULL, "lab", 2222, FALSE, NULL, "qemu+ssh://lab:2222/session" },
    { "ann", "10.0.0.5", 22, TRUE, "/home/ann/.ssh/id lab",
      "qemu+ssh://ann@10.0.0.5:22/system?keyfile=/home/ann/.ssh/id%20lab" },
    { "a@b", "::1", 0, TRUE, NULL, "qemu+ssh://a%40b@[::1]/system" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (builds); i++)
    {
      g_autofree char *built = lodge_uri_build_ssh (builds[i].user, builds[i].host, builds[i].port,
                                                    builds[i].system, builds[i].keyfile);
      g_autoptr(LodgeUri) back = NULL;

      g_assert_cmpstr (built, ==, builds[i].expected);
      /* And it reads back as what was asked. */
      back = lodge_uri_parse (built, NULL);
      g_assert_nonnull (back);
      g_assert_cmpstr (lodge_uri_get_transport (back), ==, "ssh");
      g_assert_cmpstr (lodge_uri_get_host (back), ==, builds[i].host);
      g_assert_cmpstr (lodge_uri_get_user (back), ==, builds[i].user);
      g_assert_cmpint (lodge_uri_get_port (back), ==, builds[i].port);
      g_assert_cmpint (lodge_uri_is_system (back), ==, builds[i].system);
      g_assert_cmpstr (lodge_uri_get_param (back, "keyfile"), ==, builds[i].keyfile);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/uri/parse", test_parse);
  g_test_add_func ("/uri/params", test_params);
  g_test_add_func ("/uri/invalid", test_invalid);
  g_test_add_func ("/uri/build-ssh", test_build_ssh);

  return g_test_run ();
}
