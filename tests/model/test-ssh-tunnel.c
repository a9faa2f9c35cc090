/* test-ssh-tunnel.c: the ssh command line of a display tunnel, from URIs
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What libvirt's URI parameters become (user, port, keyfile=, command=,
 * no_verify=, known_hosts=, known_hosts_verify=, netcat=), and the script
 * the host runs for a unix socket, run here by sh as the host's login
 * shell would (with echo for netcat: it prints what nc would be given).
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/lodge-ssh-tunnel.h"
#include "model/lodge-types.h"
#include "model/lodge-uri.h"

/* What every tunnel has, after the user's own options. */
#define COMMON "-T", "-e", "none", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", \
               "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3"
#define FORWARD(target) "-o", "PermitLocalCommand=yes", \
                        "-o", "LocalCommand=echo lodge-ssh-tunnel-ready >&2", "-W", target

static GStrv
argv_for (const char *uri_string,
          const char *socket_path,
          const char *address,
          int         port,
          GError    **error)
{
  g_autoptr(LodgeUri) uri = lodge_uri_parse (uri_string, NULL);

  g_assert_nonnull (uri);
  return lodge_ssh_tunnel_build_argv (uri, socket_path, address, port, 10, error);
}

static void
assert_argv (GStrv              argv,
             const char * const expected[])
{
  g_autofree char *got = g_strjoinv ("|", argv);
  g_autofree char *want = g_strjoinv ("|", (char **) expected);

  g_assert_cmpstr (got, ==, want);
}

static void
test_tcp (void)
{
  struct
  {
    const char *uri;
    const char *address;
    const char *expected[40];
  } cases[] = {
    { "qemu+ssh://lab.example/system", "127.0.0.1",
      { "ssh", COMMON, FORWARD ("127.0.0.1:5900"), "--", "lab.example", NULL } },
    /* User, port, a key file with a space (escaped in the URI). */
    { "qemu+ssh://ann@lab.example:2222/system?keyfile=/home/ann/.ssh/lab%20key", "127.0.0.1",
      { "ssh", "-p", "2222", "-l", "ann", "-i", "/home/ann/.ssh/lab key", COMMON,
        FORWARD ("127.0.0.1:5900"), "--", "lab.example", NULL } },
    /* command= is the ssh to run (the harness's wrapper with its own
     * config); no_tty=1 changes nothing: there is never a terminal. */
    { "qemu+ssh://root@127.0.0.2:2222/system?command=/var/tmp/f1-ssh/ssh&no_tty=1", "127.0.0.1",
      { "/var/tmp/f1-ssh/ssh", "-p", "2222", "-l", "root", COMMON, FORWARD ("127.0.0.1:5900"),
        "--", "127.0.0.2", NULL } },
    { "qemu+ssh://root@127.0.0.2:2222/system?keyfile=/k&no_verify=1", "127.0.0.1",
      { "ssh", "-p", "2222", "-l", "root", "-i", "/k", COMMON, "-o", "StrictHostKeyChecking=no",
        FORWARD ("127.0.0.1:5900"), "--", "127.0.0.2", NULL } },
    { "qemu+ssh://root@127.0.0.2/system?no_verify=0", "127.0.0.1",
      { "ssh", "-l", "root", COMMON, FORWARD ("127.0.0.1:5900"), "--", "127.0.0.2", NULL } },
    /* libssh's parameters mean the same to ssh. */
    { "qemu+libssh://root@127.0.0.2:2222/system?keyfile=/k&known_hosts=/var/tmp/kh&sshauth=privkey",
      "127.0.0.1",
      { "ssh", "-p", "2222", "-l", "root", "-i", "/k", COMMON, "-o", "UserKnownHostsFile=/var/tmp/kh",
        FORWARD ("127.0.0.1:5900"), "--", "127.0.0.2", NULL } },
    { "qemu+libssh://h/system?known_hosts=/var/tmp/kh&known_hosts_verify=auto", "127.0.0.1",
      { "ssh", COMMON, "-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=/var/tmp/kh",
        FORWARD ("127.0.0.1:5900"), "--", "h", NULL } },
    { "qemu+libssh2://h/system?known_hosts=/var/tmp/kh&known_hosts_verify=ignore", "127.0.0.1",
      { "ssh", COMMON, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        FORWARD ("127.0.0.1:5900"), "--", "h", NULL } },
    /* The address as the host sees it; IPv6 in brackets. */
    { "qemu+ssh://lab.example/system", "192.0.2.7",
      { "ssh", COMMON, FORWARD ("192.0.2.7:5900"), "--", "lab.example", NULL } },
    { "qemu+ssh://lab.example/system", "::1",
      { "ssh", COMMON, FORWARD ("[::1]:5900"), "--", "lab.example", NULL } },
    /* No host: libvirt's own default. An IPv6 host as ssh takes it. */
    { "qemu+ssh:///system", "127.0.0.1",
      { "ssh", COMMON, FORWARD ("127.0.0.1:5900"), "--", "localhost", NULL } },
    { "qemu+ssh://root@[::1]:22/system", "127.0.0.1",
      { "ssh", "-p", "22", "-l", "root", COMMON, FORWARD ("127.0.0.1:5900"), "--", "::1", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) argv = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].uri);
      argv = argv_for (cases[i].uri, NULL, cases[i].address, 5900, &error);
      g_assert_no_error (error);
      assert_argv (argv, cases[i].expected);
    }
}

static void
test_socket (void)
{
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  argv = argv_for ("qemu+ssh://root@lab.example/system?netcat=/opt/bin/nc",
                   "/var/lib/libvirt/qemu/domain-1-web/spice.sock", NULL, 0, &error);
  g_assert_no_error (error);
  n = g_strv_length (argv);
  g_assert_cmpstr (argv[0], ==, "ssh");
  g_assert_cmpstr (argv[n - 3], ==, "--");
  g_assert_cmpstr (argv[n - 2], ==, "lab.example");
  /* No -W, no local command: the script on the host says when it is in. */
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (argv[i], !=, "-W");
      g_assert_null (strstr (argv[i], "LocalCommand"));
    }

  /* One string for the host's shell: sh, its script, and its arguments. */
  g_assert_true (g_shell_parse_argv (argv[n - 1], NULL, &words, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (words), ==, 6);
  g_assert_cmpstr (words[0], ==, "sh");
  g_assert_cmpstr (words[1], ==, "-c");
  g_assert_cmpstr (words[3], ==, "lodge-ssh-tunnel");
  g_assert_cmpstr (words[4], ==, "/var/lib/libvirt/qemu/domain-1-web/spice.sock");
  g_assert_cmpstr (words[5], ==, "/opt/bin/nc");
}

static void
test_not_ssh (void)
{
  const char *uris[] = { "qemu+tcp://lab.example/system", "qemu://lab.example/system",
                         "qemu:///system", "qemu+tls://lab.example/system" };

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) argv = argv_for (uris[i], NULL, "127.0.0.1", 5900, &error);

      g_assert_null (argv);
      g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED);
    }
}

/* The script, as the host runs it. */
typedef struct
{
  char *dir;
  char *path;
  GSocket *listener;
} Host;

static void
host_run (Host        *host,
          const char  *uri,
          const char  *path_env,
          char       **out,
          int         *status)
{
  g_auto(GStrv) argv = argv_for (uri, host->path, NULL, 0, NULL);
  const char *sh_argv[] = { "/bin/sh", "-c", argv[g_strv_length (argv) - 1], NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "PATH", path_env, TRUE);
  g_autoptr(GError) error = NULL;

  g_spawn_sync (NULL, (char **) sh_argv, envp, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                out, NULL, status, &error);
  g_assert_no_error (error);
}

static void
test_script (void)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *empty_dir = NULL;
  g_autofree char *sh_link = NULL;
  Host host = { 0 };
  int status = 0;

  host.dir = g_dir_make_tmp ("lodge-ssh-tunnel-XXXXXX", &error);
  g_assert_no_error (error);
  /* Quotes and spaces survive both shells. */
  host.path = g_build_filename (host.dir, "it's a \"display\" $HOME.sock", NULL);
  /* A PATH with a shell and nothing else. */
  empty_dir = g_build_filename (host.dir, "bin", NULL);
  g_mkdir (empty_dir, 0700);
  sh_link = g_build_filename (empty_dir, "sh", NULL);
  g_assert_no_errno (symlink ("/bin/sh", sh_link));

  /* No socket there: exit 90, and nothing on the channel. */
  host_run (&host, "qemu+ssh://h/system?netcat=echo", g_getenv ("PATH"), &out, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL) == FALSE);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, LODGE_SSH_TUNNEL_EXIT_NO_SOCKET);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  host.listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  address = g_unix_socket_address_new (host.path);
  g_assert_true (g_socket_bind (host.listener, address, TRUE, &error));
  g_assert_no_error (error);

  /* The ready byte, then netcat on the socket: echo says what it got. */
  host_run (&host, "qemu+ssh://h/system?netcat=echo", g_getenv ("PATH"), &out, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  expected = g_strdup_printf ("L-U %s\n", host.path);
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&out, g_free);

  /* Neither nc nor socat on the host: exit 91. */
  host_run (&host, "qemu+ssh://h/system", empty_dir, &out, &status);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, LODGE_SSH_TUNNEL_EXIT_NO_NETCAT);
  g_assert_cmpstr (out, ==, "");

  g_socket_close (host.listener, NULL);
  g_object_unref (host.listener);
  g_unlink (host.path);
  g_unlink (sh_link);
  g_rmdir (empty_dir);
  g_rmdir (host.dir);
  g_free (host.path);
  g_free (host.dir);
}

/* A host that is not there: ssh's own words, quickly, never a hang. */
static void
test_refused (void)
{
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(LodgeUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri_string = NULL;
  g_autofree char *ssh = g_find_program_in_path ("ssh");
  gint64 start;
  int port, fd;

  if (ssh == NULL)
    {
      g_test_skip ("no ssh");
      return;
    }

  /* A port on loopback that was free a moment ago. */
  probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (probe, address, FALSE, &error));
  bound = g_socket_get_local_address (probe, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (probe, NULL);

  uri_string = g_strdup_printf ("qemu+ssh://nobody@127.0.0.1:%d/system?known_hosts=/dev/null", port);
  uri = lodge_uri_parse (uri_string, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  fd = lodge_ssh_tunnel_open (uri, NULL, "127.0.0.1", 5900, 20000, NULL, &error);
  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Connection refused"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
}

static void
test_cancelled (void)
{
  g_autoptr(LodgeUri) uri = lodge_uri_parse ("qemu+ssh://h/system", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_cmpint (lodge_ssh_tunnel_open (uri, NULL, "127.0.0.1", 5900, 20000, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ssh-tunnel/tcp", test_tcp);
  g_test_add_func ("/ssh-tunnel/socket", test_socket);
  g_test_add_func ("/ssh-tunnel/not-ssh", test_not_ssh);
  g_test_add_func ("/ssh-tunnel/script", test_script);
  g_test_add_func ("/ssh-tunnel/refused", test_refused);
  g_test_add_func ("/ssh-tunnel/cancelled", test_cancelled);

  return g_test_run ();
}
