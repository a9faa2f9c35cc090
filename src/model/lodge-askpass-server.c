/* lodge-askpass-server.c: OpenSSH's questions, answered in Lodge's dialogs
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lodge-askpass-protocol.h"
#include "model/lodge-askpass-server.h"
#include "model/lodge-model-private.h"

#define SHIM_PREFIX "lodge-askpass-"
/* ssh's shared connections (ControlPath) in the private folder. */
#define CONTROL_PREFIX "cm-"

static const char introspection_xml[] =
  "<node>"
  "  <interface name='" LODGE_ASKPASS_INTERFACE "'>"
  "    <method name='Ask'>"
  "      <arg type='s' name='prompt' direction='in'/>"
  "      <arg type='a{sv}' name='details' direction='in'/>"
  "      <arg type='s' name='answer' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* One lodge-askpass on its own connection. */
typedef struct
{
  LodgeAskpassServer    *server;        /* weak: NULL once stopped */
  GDBusConnection       *connection;
  guint                  registration_id;
  gulong                 closed_id;
  GDBusMethodInvocation *invocation;    /* until answered */
  LodgeAuthExchange     *exchange;
} Peer;

struct _LodgeAskpassServer
{
  GObject        parent_instance;

  GDBusServer   *server;
  GDBusNodeInfo *node_info;
  char          *dir;
  char          *socket_path;
  GPtrArray     *connections;   /* LodgeConnection*, weak */
  GPtrArray     *peers;         /* Peer*, each a reference */
  guint          n_questions;
};

G_DEFINE_FINAL_TYPE (LodgeAskpassServer, lodge_askpass_server, G_TYPE_OBJECT)

enum {
  AUTHENTICATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Process set-up ---------------------------------------------------------- */

/* The real ssh: the first in PATH that is not a wrapper of a Lodge (a
 * Lodge started by a Lodge, a test that prepares twice). */
static char *
find_real_ssh (const char *path)
{
  g_auto(GStrv) dirs = g_strsplit (path != NULL ? path : "/usr/bin:/bin", ":", -1);

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *base = NULL;
      g_autofree char *candidate = NULL;

      if (dirs[i][0] != '/')
        continue;
      base = g_path_get_basename (dirs[i]);
      if (g_str_has_prefix (base, SHIM_PREFIX))
        continue;
      candidate = g_build_filename (dirs[i], "ssh", NULL);
      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE) &&
          !g_file_test (candidate, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&candidate);
    }
  return NULL;
}

gboolean
lodge_askpass_prepare_process (const char  *helper,
                               GError     **error)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  const char *path = g_getenv ("PATH");
  g_autofree char *template = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *address = NULL;
  g_autofree char *real_ssh = NULL;

  g_return_val_if_fail (helper != NULL && g_path_is_absolute (helper), FALSE);

  /* The runtime folder is the user's own (0700, tmpfs); the temporary
   * folder is shared, but mkdtemp makes ours 0700 there too. */
  if (runtime == NULL || !g_path_is_absolute (runtime) ||
      !g_file_test (runtime, G_FILE_TEST_IS_DIR))
    runtime = g_get_tmp_dir ();
  template = g_build_filename (runtime, SHIM_PREFIX "XXXXXX", NULL);
  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not make a private folder in %s: %s", runtime, g_strerror (saved));
      return FALSE;
    }

  socket_path = g_build_filename (template, "socket", NULL);
  escaped = g_dbus_address_escape_value (socket_path);
  address = g_strconcat ("unix:path=", escaped, NULL);

  real_ssh = find_real_ssh (path);
  if (real_ssh != NULL)
    {
      g_autofree char *wrapper = g_build_filename (template, "ssh", NULL);
      g_autofree char *q_helper = g_shell_quote (helper);
      g_autofree char *q_address = g_shell_quote (address);
      g_autofree char *q_ssh = g_shell_quote (real_ssh);
      g_autofree char *q_dir = g_shell_quote (template);
      g_autofree char *script = NULL;
      g_autofree char *new_path = NULL;

      script = g_strdup_printf ("#!/bin/sh\n"
                                "# Written by Lodge (pid %d) for its connections over OpenSSH:\n"
                                "# ssh asks its questions in Lodge's dialogs, never on a terminal.\n"
                                "# libvirt passes only a few variables to ssh, so they are set here.\n"
                                "SSH_ASKPASS=%s\n"
                                "SSH_ASKPASS_REQUIRE=force\n"
                                "LODGE_ASKPASS_ADDRESS=%s\n"
                                "export SSH_ASKPASS SSH_ASKPASS_REQUIRE LODGE_ASKPASS_ADDRESS\n"
                                "# The first ssh to a host (libvirt's) logs in once for all:\n"
                                "# the consoles' tunnels (LODGE_SSH_TUNNEL) go through its\n"
                                "# connection, with no second password, and it ends %d s after\n"
                                "# the last of them. Its name: the host, port, user, key and\n"
                                "# configuration file of this command line (short: a socket's\n"
                                "# path has at most 107 bytes).\n"
                                "h= p= l= i= F= skip=\n"
                                "for a do\n"
                                "  if [ -n \"$skip\" ]; then\n"
                                "    case $skip in h) h=$a; break;; p) p=$a;; l) l=$a;; i) i=$a;; F) F=$a;; esac\n"
                                "    skip=; continue\n"
                                "  fi\n"
                                "  case $a in\n"
                                "    --) skip=h;;\n"
                                "    -?*) o=${a#-}; f=${o%%\"${o#?}\"}; v=${o#?}\n"
                                "      case $f in [BbcDEeFIiJLlmOoPpQRSWw])\n"
                                "        if [ -z \"$v\" ]; then skip=$f\n"
                                "        else case $f in p) p=$v;; l) l=$v;; i) i=$v;; F) F=$v;; esac; fi;;\n"
                                "      esac;;\n"
                                "    *) h=$a; break;;\n"
                                "  esac\n"
                                "done\n"
                                "c=%s/" CONTROL_PREFIX "$(printf '%%s\\n' \"$h\" \"$p\" \"$l\" \"$i\" \"$F\" | md5sum | cut -c1-20)\n"
                                "if [ -n \"${LODGE_SSH_TUNNEL-}\" ]; then\n"
                                "  set -- -o ControlMaster=no -o \"ControlPath=$c\" \"$@\"\n"
                                "else\n"
                                "  set -- -o ControlMaster=auto -o \"ControlPath=$c\" -o ControlPersist=%d \"$@\"\n"
                                "fi\n"
                                "# A host that stops answering (the link cut) ends ssh within\n"
                                "# about 15 s, so Lodge sees it lost instead of waiting on TCP.\n"
                                "exec %s -o ServerAliveInterval=5 -o ServerAliveCountMax=3 \"$@\"\n",
                                (int) getpid (), q_helper, q_address,
                                LODGE_ASKPASS_CONTROL_PERSIST_S, q_dir,
                                LODGE_ASKPASS_CONTROL_PERSIST_S, q_ssh);
      if (!g_file_set_contents_full (wrapper, script, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                     0700, error))
        return FALSE;

      new_path = path != NULL && path[0] != '\0' ? g_strconcat (template, ":", path, NULL)
                                                 : g_strdup (template);
      g_setenv ("PATH", new_path, TRUE);
    }

  g_setenv (LODGE_ASKPASS_ADDRESS_VARIABLE, address, TRUE);
  g_setenv ("SSH_ASKPASS", helper, TRUE);
  g_setenv ("SSH_ASKPASS_REQUIRE", "force", TRUE);

  return TRUE;
}

/* The socket's path, from the address prepare_process() set. */
static char *
dup_socket_path (void)
{
  const char *address = g_getenv (LODGE_ASKPASS_ADDRESS_VARIABLE);

  if (address == NULL || !g_str_has_prefix (address, "unix:path="))
    return NULL;
  return g_uri_unescape_string (address + strlen ("unix:path="), NULL);
}

char *
lodge_askpass_dup_control_dir (void)
{
  g_autofree char *socket_path = dup_socket_path ();
  g_autofree char *dir = NULL;
  g_autofree char *wrapper = NULL;

  if (socket_path == NULL)
    return NULL;
  dir = g_path_get_dirname (socket_path);
  /* Only where the wrapper runs ssh: it makes the shared connections. */
  wrapper = g_build_filename (dir, "ssh", NULL);
  if (!g_file_test (wrapper, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  return g_steal_pointer (&dir);
}

/* The shared connections' sockets: their ssh end by themselves once idle
 * (ControlPersist), and nothing new can join them. */
static void
remove_control_sockets (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, CONTROL_PREFIX))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_unlink (path);
      }
}

void
lodge_askpass_cleanup_process (void)
{
  g_autofree char *socket_path = dup_socket_path ();
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *wrapper = NULL;

  if (socket_path == NULL)
    return;
  dir = g_path_get_dirname (socket_path);
  base = g_path_get_basename (dir);
  /* Only a folder of ours. */
  if (!g_str_has_prefix (base, SHIM_PREFIX) || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return;

  wrapper = g_build_filename (dir, "ssh", NULL);
  g_unlink (socket_path);
  g_unlink (wrapper);
  remove_control_sockets (dir);
  g_rmdir (dir);
}

/* Reading ssh's command line ------------------------------------------------ */

gboolean
lodge_askpass_parse_ssh_command_line (const char * const  *argv,
                                      char               **user,
                                      char               **host,
                                      int                 *port)
{
  /* ssh's options that take a value (ssh(1) of OpenSSH 9.2). */
  static const char with_value[] = "BbcDEeFIiJLlmOoPpQRSWw";
  g_autofree char *l_user = NULL;
  int l_port = 0;
  const char *destination = NULL;
  guint i;

  g_return_val_if_fail (user != NULL && host != NULL && port != NULL, FALSE);
  *user = NULL;
  *host = NULL;
  *port = 0;

  if (argv == NULL || argv[0] == NULL)
    return FALSE;

  for (i = 1; argv[i] != NULL; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--"))
        {
          destination = argv[i + 1];
          break;
        }
      if (arg[0] != '-' || arg[1] == '\0')
        {
          destination = arg;
          break;
        }

      /* Flags may be grouped ("-Tq"); one with a value ends the group and
       * takes the rest of it, or the next argument. */
      for (const char *f = arg + 1; *f != '\0'; f++)
        {
          const char *value;

          if (strchr (with_value, *f) == NULL)
            continue;
          value = f[1] != '\0' ? f + 1 : argv[i + 1];
          if (f[1] == '\0' && argv[i + 1] != NULL)
            i++;
          if (value != NULL && *f == 'l')
            {
              g_free (l_user);
              l_user = g_strdup (value);
            }
          else if (value != NULL && *f == 'p')
            l_port = (int) g_ascii_strtoll (value, NULL, 10);
          break;
        }
    }

  if (destination == NULL || destination[0] == '\0')
    return FALSE;

  if (g_str_has_prefix (destination, "ssh://"))
    {
      g_autoptr(GUri) uri = g_uri_parse (destination, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || g_uri_get_host (uri) == NULL)
        return FALSE;
      *host = g_strdup (g_uri_get_host (uri));
      *user = g_strdup (g_uri_get_user (uri) != NULL ? g_uri_get_user (uri) : l_user);
      *port = l_port != 0 ? l_port : MAX (g_uri_get_port (uri), 0);
      return TRUE;
    }
  else
    {
      const char *at = strrchr (destination, '@');

      if (at != NULL)
        {
          *user = g_strndup (destination, at - destination);
          *host = g_strdup (at + 1);
        }
      else
        {
          *user = g_strdup (l_user);
          *host = g_strdup (destination);
        }
      *port = l_port;
    }

  return TRUE;
}

/* The parent of @pid, from /proc (0 when unknown). */
static pid_t
read_parent_pid (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *p;
  int ppid = 0;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  /* "pid (comm) state ppid …": comm may hold anything, up to the last ')'. */
  p = strrchr (contents, ')');
  if (p == NULL || sscanf (p + 1, " %*c %d", &ppid) != 1)
    return 0;
  return ppid;
}

static char **
read_command_line (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL) || len == 0)
    return NULL;
  for (gsize start = 0; start < len; start += strlen (contents + start) + 1)
    g_ptr_array_add (args, g_strdup (contents + start));
  g_ptr_array_add (args, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&args), FALSE);
}

/* Connections ---------------------------------------------------------------- */

static void
lodge_askpass_server_connection_gone_cb (gpointer  user_data,
                                         GObject  *where_the_object_was)
{
  LodgeAskpassServer *self = user_data;

  g_ptr_array_remove (self->connections, where_the_object_was);
}

void
lodge_askpass_server_add_connection (LodgeAskpassServer *self,
                                     LodgeConnection    *connection)
{
  g_return_if_fail (LODGE_IS_ASKPASS_SERVER (self));
  g_return_if_fail (LODGE_IS_CONNECTION (connection));

  if (g_ptr_array_find (self->connections, connection, NULL))
    return;
  g_ptr_array_add (self->connections, connection);
  g_object_weak_ref (G_OBJECT (connection), lodge_askpass_server_connection_gone_cb, self);
}

void
lodge_askpass_server_remove_connection (LodgeAskpassServer *self,
                                        LodgeConnection    *connection)
{
  g_return_if_fail (LODGE_IS_ASKPASS_SERVER (self));

  if (g_ptr_array_remove (self->connections, connection))
    g_object_weak_unref (G_OBJECT (connection), lodge_askpass_server_connection_gone_cb, self);
}

static gboolean
same_port (int a,
           int b)
{
  return (a == 0 ? 22 : a) == (b == 0 ? 22 : b);
}

/* The connection whose attempt runs this ssh: ssh is a child of this
 * process (libvirt forks it from the worker) and its command line names
 * the URI's host, port and user. */
static LodgeConnection *
lodge_askpass_server_find_connection (LodgeAskpassServer *self,
                                      pid_t               ssh_pid)
{
  g_auto(GStrv) argv = NULL;
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *joined = NULL;
  LodgeConnection *found = NULL;
  int port = 0;

  if (read_parent_pid (ssh_pid) != getpid ())
    return NULL;
  argv = read_command_line (ssh_pid);
  if (!lodge_askpass_parse_ssh_command_line ((const char * const *) argv, &user, &host, &port))
    return NULL;
  joined = g_strjoinv (" ", argv);

  for (guint i = 0; i < self->connections->len; i++)
    {
      LodgeConnection *connection = g_ptr_array_index (self->connections, i);
      g_autoptr(LodgeUri) uri = NULL;

      if (lodge_connection_get_auth_attempt (connection) == NULL)
        continue;
      uri = lodge_uri_parse (lodge_connection_get_uri (connection), NULL);
      if (uri == NULL || g_strcmp0 (lodge_uri_get_transport (uri), "ssh") != 0)
        continue;
      if (g_strcmp0 (lodge_uri_get_host (uri), host) != 0 ||
          !same_port (lodge_uri_get_port (uri), port) ||
          (lodge_uri_get_user (uri) != NULL && g_strcmp0 (lodge_uri_get_user (uri), user) != 0))
        continue;

      /* Two URIs to one host (system and session): the remote command
       * names the daemon's path. */
      if (found == NULL || strstr (joined, lodge_uri_get_path (uri)) != NULL)
        found = connection;
    }

  return found;
}

/* Peers ----------------------------------------------------------------------- */

static Peer *
peer_ref (Peer *peer)
{
  return g_rc_box_acquire (peer);
}

static void
peer_clear (Peer *peer)
{
  if (peer->invocation != NULL)
    g_clear_object (&peer->invocation);
  g_clear_pointer (&peer->exchange, lodge_auth_exchange_unref);
  if (peer->connection != NULL)
    {
      g_clear_signal_handler (&peer->closed_id, peer->connection);
      if (peer->registration_id != 0)
        g_dbus_connection_unregister_object (peer->connection, peer->registration_id);
      peer->registration_id = 0;
      g_clear_object (&peer->connection);
    }
}

static void
peer_unref (Peer *peer)
{
  g_rc_box_release_full (peer, (GDestroyNotify) peer_clear);
}

/* Back to lodge-askpass: the answer, or "cancelled". */
static void
lodge_askpass_server_exchange_done_cb (LodgeAuthExchange *exchange,
                                       const char        *answer,
                                       gpointer           user_data)
{
  Peer *peer = user_data;
  GDBusMethodInvocation *invocation = g_steal_pointer (&peer->invocation);

  if (invocation != NULL)
    {
      if (answer != NULL)
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", answer));
      else
        g_dbus_method_invocation_return_dbus_error (invocation, LODGE_ASKPASS_ERROR_CANCELLED,
                                                    "No answer");
    }
  peer_unref (peer);
}

static void
lodge_askpass_server_ask (LodgeAskpassServer    *self,
                          Peer                  *peer,
                          GDBusMethodInvocation *invocation,
                          const char            *prompt,
                          GVariant              *details)
{
  g_autoptr(LodgeAuthRequest) request = NULL;
  LodgeAuthPrompt *parsed;
  LodgeConnection *connection = NULL;
  LodgeAuthAttempt *attempt = NULL;
  GCredentials *credentials;
  pid_t ssh_pid = 0;
  guint32 claimed_pid = 0;

  if (peer->exchange != NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR,
                                                     G_DBUS_ERROR_LIMITS_EXCEEDED,
                                                     "One question per connection");
      return;
    }

  self->n_questions++;

  /* The kernel's word for who asks, not the helper's. */
  credentials = g_dbus_connection_get_peer_credentials (peer->connection);
  if (credentials != NULL)
    {
      pid_t helper = g_credentials_get_unix_pid (credentials, NULL);

      if (helper > 0)
        ssh_pid = read_parent_pid (helper);
    }
  if (ssh_pid <= 0 && g_variant_lookup (details, "ssh-pid", "u", &claimed_pid))
    ssh_pid = (pid_t) claimed_pid;
  if (ssh_pid > 0)
    connection = lodge_askpass_server_find_connection (self, ssh_pid);
  if (connection != NULL)
    attempt = lodge_connection_get_auth_attempt (connection);

  parsed = lodge_auth_prompt_parse_openssh (prompt);
  /* Ours to answer, once. */
  peer->invocation = invocation;
  peer->exchange = lodge_auth_exchange_new (attempt, LODGE_AUTH_SOURCE_OPENSSH, prompt, parsed,
                                            parsed->echo && parsed->kind != LODGE_AUTH_KIND_HOST_KEY,
                                            !parsed->echo);
  g_debug ("askpass: a question of kind %d from ssh %d, for %s", parsed->kind, (int) ssh_pid,
           connection != NULL ? lodge_connection_get_uri (connection) : "no connection");

  lodge_auth_exchange_set_done_func (peer->exchange, NULL,
                                     lodge_askpass_server_exchange_done_cb, peer_ref (peer));
  if (lodge_auth_exchange_get_finished (peer->exchange))
    return;

  request = lodge_auth_request_new (peer->exchange, connection);
  if (connection != NULL)
    lodge_connection_emit_authenticate (connection, request);
  else if (g_signal_has_handler_pending (self, signals[AUTHENTICATE], 0, FALSE))
    g_signal_emit (self, signals[AUTHENTICATE], 0, request);
  else
    lodge_auth_request_cancel (request);
}

static void
lodge_askpass_server_method_call (GDBusConnection       *connection,
                                  const char            *sender,
                                  const char            *object_path,
                                  const char            *interface_name,
                                  const char            *method_name,
                                  GVariant              *parameters,
                                  GDBusMethodInvocation *invocation,
                                  gpointer               user_data)
{
  Peer *peer = user_data;
  g_autoptr(GVariant) details = NULL;
  const char *prompt;

  if (peer->server == NULL || !g_str_equal (method_name, "Ask"))
    {
      g_dbus_method_invocation_return_dbus_error (invocation, LODGE_ASKPASS_ERROR_CANCELLED,
                                                  "Not asking");
      return;
    }

  g_variant_get (parameters, "(&s@a{sv})", &prompt, &details);
  lodge_askpass_server_ask (peer->server, peer, invocation, prompt, details);
}

static const GDBusInterfaceVTable askpass_vtable = {
  lodge_askpass_server_method_call, NULL, NULL, { 0 }
};

static void
lodge_askpass_server_peer_closed_cb (GDBusConnection *connection,
                                     gboolean         remote_peer_vanished,
                                     GError          *error,
                                     Peer            *peer)
{
  LodgeAskpassServer *self = peer->server;

  /* ssh (and so its helper) went away before the answer: the dialog
   * closes. */
  if (peer->exchange != NULL)
    lodge_auth_exchange_withdraw (peer->exchange);
  g_clear_object (&peer->invocation);
  if (self != NULL)
    g_ptr_array_remove (self->peers, peer);
}

static gboolean
lodge_askpass_server_new_connection_cb (GDBusServer        *server,
                                        GDBusConnection    *connection,
                                        LodgeAskpassServer *self)
{
  g_autoptr(GError) error = NULL;
  Peer *peer = g_rc_box_new0 (Peer);

  peer->server = self;
  peer->connection = g_object_ref (connection);
  peer->registration_id =
    g_dbus_connection_register_object (connection, LODGE_ASKPASS_OBJECT_PATH,
                                       self->node_info->interfaces[0], &askpass_vtable,
                                       peer, NULL, &error);
  if (peer->registration_id == 0)
    {
      g_warning ("Could not answer an askpass helper: %s", error->message);
      peer_unref (peer);
      return FALSE;
    }
  peer->closed_id = g_signal_connect (connection, "closed",
                                      G_CALLBACK (lodge_askpass_server_peer_closed_cb), peer);
  g_ptr_array_add (self->peers, peer);

  return TRUE;
}

/* Object ----------------------------------------------------------------------- */

LodgeAskpassServer *
lodge_askpass_server_new (GError **error)
{
  g_autoptr(LodgeAskpassServer) self = g_object_new (LODGE_TYPE_ASKPASS_SERVER, NULL);
  const char *address = g_getenv (LODGE_ASKPASS_ADDRESS_VARIABLE);
  g_autofree char *guid = g_dbus_generate_guid ();

  self->socket_path = dup_socket_path ();
  if (self->socket_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "%s is not set: the process was not prepared for askpass",
                   LODGE_ASKPASS_ADDRESS_VARIABLE);
      return NULL;
    }
  self->dir = g_path_get_dirname (self->socket_path);

  self->server = g_dbus_server_new_sync (address,
                                         G_DBUS_SERVER_FLAGS_AUTHENTICATION_REQUIRE_SAME_USER,
                                         guid, NULL, NULL, error);
  if (self->server == NULL)
    return NULL;
  g_signal_connect_object (self->server, "new-connection",
                           G_CALLBACK (lodge_askpass_server_new_connection_cb), self, 0);
  g_dbus_server_start (self->server);

  return g_steal_pointer (&self);
}

void
lodge_askpass_server_stop (LodgeAskpassServer *self)
{
  g_autoptr(GPtrArray) peers = NULL;

  g_return_if_fail (LODGE_IS_ASKPASS_SERVER (self));

  if (self->server != NULL)
    {
      g_dbus_server_stop (self->server);
      g_clear_object (&self->server);
    }

  peers = g_steal_pointer (&self->peers);
  self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_unref);
  for (guint i = 0; i < peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (peers, i);

      peer->server = NULL;
      if (peer->exchange != NULL)
        lodge_auth_exchange_withdraw (peer->exchange);
      if (peer->connection != NULL)
        g_dbus_connection_close (peer->connection, NULL, NULL, NULL);
    }

  if (self->dir != NULL)
    {
      lodge_askpass_cleanup_process ();
      g_clear_pointer (&self->dir, g_free);
    }
}

guint
lodge_askpass_server_get_n_questions (LodgeAskpassServer *self)
{
  g_return_val_if_fail (LODGE_IS_ASKPASS_SERVER (self), 0);

  return self->n_questions;
}

static void
lodge_askpass_server_dispose (GObject *object)
{
  LodgeAskpassServer *self = (LodgeAskpassServer *)object;

  lodge_askpass_server_stop (self);
  while (self->connections->len > 0)
    lodge_askpass_server_remove_connection (self, g_ptr_array_index (self->connections, 0));

  G_OBJECT_CLASS (lodge_askpass_server_parent_class)->dispose (object);
}

static void
lodge_askpass_server_finalize (GObject *object)
{
  LodgeAskpassServer *self = (LodgeAskpassServer *)object;

  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->peers, g_ptr_array_unref);
  g_free (self->socket_path);
  g_free (self->dir);

  G_OBJECT_CLASS (lodge_askpass_server_parent_class)->finalize (object);
}

static void
lodge_askpass_server_class_init (LodgeAskpassServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_askpass_server_dispose;
  object_class->finalize = lodge_askpass_server_finalize;

  signals[AUTHENTICATE] =
    g_signal_new ("authenticate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LODGE_TYPE_AUTH_REQUEST);
}

static void
lodge_askpass_server_init (LodgeAskpassServer *self)
{
  self->node_info = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  self->connections = g_ptr_array_new ();
  self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_unref);
}
