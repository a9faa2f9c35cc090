/* lodge-ssh-tunnel.c: a stream to a display on a remote host, through ssh
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-ssh-tunnel"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "model/lodge-askpass-server.h"
#include "model/lodge-ssh-tunnel.h"
#include "model/lodge-types.h"

/* ssh prints this on stderr once it is logged in (LocalCommand runs after
 * authentication): -W itself says nothing when it works. */
#define READY_LINE "lodge-ssh-tunnel-ready"
/* The script on the host writes this byte before it becomes netcat. */
#define READY_BYTE 'L'
/* Tunnels being set up to one host at once: sshd's MaxStartups (10 by
 * default) drops connections that are still logging in beyond it, and a
 * library of thumbnails asks for many at once. */
#define MAX_STARTING_PER_HOST 4
/* What is kept of ssh's stderr for an error message. */
#define MAX_STDERR 4096

/* Run by the host's sh with the socket as $1 and netcat= (or "") as $2.
 * A socket below a folder the SSH user may not enter looks missing to
 * test -S: say that it is not theirs instead (libvirt's domain folders
 * are QEMU's user's; libvirt's group is not enough). nc -q0 ends when
 * the client closes the channel (OpenBSD nc would wait for the server,
 * which never closes, otherwise); other nc have no -q. */
static const char remote_script[] =
  "s=$1 n=$2; "
  "if ! test -S \"$s\"; then d=${s%/*}; while [ -n \"$d\" ]; do "
  "if test -d \"$d/\" && ! test -x \"$d/\"; then exit 92; fi; d=${d%/*}; done; exit 90; fi; "
  "test -w \"$s\" || exit 92; "
  "if [ -n \"$n\" ]; then c=$n; "
  "elif command -v nc >/dev/null 2>&1; then c=nc; "
  "elif command -v socat >/dev/null 2>&1; then c=socat; "
  "else exit 91; fi; "
  "printf L; "
  "if [ \"$c\" = socat ]; then exec socat - \"UNIX-CONNECT:$s\"; fi; "
  "q=; if \"$c\" -q 2>&1 | grep 'requires an argument' >/dev/null; then q=-q0; fi; "
  "exec \"$c\" $q -U \"$s\"";

static gboolean
is_ssh_transport (const LodgeUri *uri)
{
  const char *transport = lodge_uri_get_transport (uri);

  return g_strcmp0 (transport, "ssh") == 0 || g_strcmp0 (transport, "libssh") == 0
         || g_strcmp0 (transport, "libssh2") == 0;
}

static gboolean
param_is_true (const LodgeUri *uri,
               const char     *name)
{
  const char *value = lodge_uri_get_param (uri, name);

  /* libvirt reads these as integers: any non-zero value. */
  return value != NULL && *value != '\0' && g_strcmp0 (value, "0") != 0;
}

static const char *
host_of (const LodgeUri *uri)
{
  const char *host = lodge_uri_get_host (uri);

  /* libvirt's own default for qemu+ssh:///system. */
  return host != NULL ? host : "localhost";
}

/* ssh and its options for @uri, up to the destination. */
static GStrvBuilder *
build_ssh_options (const LodgeUri  *uri,
                   guint            connect_timeout_s,
                   GError         **error)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  const char *command = lodge_uri_get_param (uri, "command");
  const char *keyfile = lodge_uri_get_param (uri, "keyfile");
  const char *known_hosts = lodge_uri_get_param (uri, "known_hosts");
  const char *verify = lodge_uri_get_param (uri, "known_hosts_verify");
  const char *user = lodge_uri_get_user (uri);
  gboolean no_verify = param_is_true (uri, "no_verify");

  if (!is_ssh_transport (uri))
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED,
                   _("%s is not reached over SSH"), lodge_uri_get_string (uri));
      return NULL;
    }

  g_strv_builder_add (argv, command != NULL && *command != '\0' ? command : "ssh");
  if (lodge_uri_get_port (uri) > 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", lodge_uri_get_port (uri));

      g_strv_builder_add_many (argv, "-p", text, NULL);
    }
  if (user != NULL)
    g_strv_builder_add_many (argv, "-l", user, NULL);
  if (keyfile != NULL && *keyfile != '\0')
    g_strv_builder_add_many (argv, "-i", keyfile, NULL);
  /* No terminal, no escape character, and never a question: there is no
   * one to answer it. */
  g_strv_builder_add_many (argv, "-T", "-e", "none", "-o", "BatchMode=yes", NULL);
  {
    g_autofree char *timeout = g_strdup_printf ("ConnectTimeout=%u", MAX (connect_timeout_s, 1));

    g_strv_builder_add_many (argv, "-o", timeout, NULL);
  }
  /* A host that goes away ends the tunnel (and the console) within a
   * minute instead of TCP's hours. */
  g_strv_builder_add_many (argv, "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", NULL);

  /* The host key rules of the URI: libvirt's ssh transport knows
   * no_verify; known_hosts and known_hosts_verify are those of its libssh
   * transports, and mean the same to ssh. */
  if (no_verify || g_strcmp0 (verify, "ignore") == 0)
    g_strv_builder_add_many (argv, "-o", "StrictHostKeyChecking=no", NULL);
  else if (g_strcmp0 (verify, "auto") == 0)
    g_strv_builder_add_many (argv, "-o", "StrictHostKeyChecking=accept-new", NULL);
  if (g_strcmp0 (verify, "ignore") == 0)
    g_strv_builder_add_many (argv, "-o", "UserKnownHostsFile=/dev/null", NULL);
  else if (known_hosts != NULL && *known_hosts != '\0')
    {
      g_autofree char *option = g_strconcat ("UserKnownHostsFile=", known_hosts, NULL);

      g_strv_builder_add_many (argv, "-o", option, NULL);
    }

  return g_steal_pointer (&argv);
}

GStrv
lodge_ssh_tunnel_build_argv (const LodgeUri  *uri,
                             const char      *socket_path,
                             const char      *address,
                             int              port,
                             guint            connect_timeout_s,
                             GError         **error)
{
  g_autoptr(GStrvBuilder) argv = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (socket_path != NULL || (address != NULL && port > 0 && port <= 65535), NULL);

  argv = build_ssh_options (uri, connect_timeout_s, error);
  if (argv == NULL)
    return NULL;

  if (socket_path == NULL)
    {
      g_autofree char *forward = NULL;

      /* An IPv6 address in brackets, as ssh reads host:port. */
      if (strchr (address, ':') != NULL && address[0] != '[')
        forward = g_strdup_printf ("[%s]:%d", address, port);
      else
        forward = g_strdup_printf ("%s:%d", address, port);
      g_strv_builder_add_many (argv,
                               "-o", "PermitLocalCommand=yes",
                               "-o", "LocalCommand=echo " READY_LINE " >&2",
                               "-W", forward, NULL);
    }

  g_strv_builder_add_many (argv, "--", host_of (uri), NULL);

  if (socket_path != NULL)
    {
      const char *netcat = lodge_uri_get_param (uri, "netcat");
      g_autofree char *script = g_shell_quote (remote_script);
      g_autofree char *path = g_shell_quote (socket_path);
      g_autofree char *program = g_shell_quote (netcat != NULL ? netcat : "");
      g_autofree char *remote = NULL;

      /* One string: ssh hands it to the user's login shell on the host,
       * which may not be sh (libvirt does the same for its own socket). */
      remote = g_strdup_printf ("sh -c %s lodge-ssh-tunnel %s %s", script, path, program);
      g_strv_builder_add (argv, remote);
    }

  return g_strv_builder_end (argv);
}

/* Is libvirt's ssh to this host a shared connection that a tunnel may go
 * through (lodge-askpass-server.h)? "ssh -O check" asks it, at once,
 * without the network. */
static gboolean
shared_connection_alive (const LodgeUri *uri)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *dir = lodge_askpass_dup_control_dir ();
  g_auto(GStrv) argv = NULL;

  if (dir == NULL)
    return FALSE;
  builder = build_ssh_options (uri, 1, NULL);
  if (builder == NULL)
    return FALSE;
  g_strv_builder_add_many (builder, "-O", "check", "--", host_of (uri), NULL);
  argv = g_strv_builder_end (builder);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "LODGE_SSH_TUNNEL", "1", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, NULL);
  return process != NULL && g_subprocess_wait_check (process, NULL, NULL);
}

/* Starting tunnels, per host ------------------------------------------- */

static GMutex starting_lock;
static GCond starting_cond;
static GHashTable *starting;   /* host key → count */

static gboolean
starting_enter (const char   *key,
                gint64        deadline,
                GCancellable *cancellable)
{
  gboolean ok = TRUE;

  g_mutex_lock (&starting_lock);
  if (starting == NULL)
    starting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Waits in short steps: a cancellable cannot wake a GCond. */
  while (GPOINTER_TO_UINT (g_hash_table_lookup (starting, key)) >= MAX_STARTING_PER_HOST)
    {
      gint64 now = g_get_monotonic_time ();

      if (now >= deadline || g_cancellable_is_cancelled (cancellable))
        {
          ok = FALSE;
          break;
        }
      g_cond_wait_until (&starting_cond, &starting_lock, MIN (deadline, now + 50 * G_TIME_SPAN_MILLISECOND));
    }
  if (ok)
    g_hash_table_insert (starting, g_strdup (key),
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (starting, key)) + 1));
  g_mutex_unlock (&starting_lock);
  return ok;
}

static void
starting_leave (const char *key)
{
  guint count;

  g_mutex_lock (&starting_lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (starting, key));
  g_assert (count > 0);
  if (count == 1)
    g_hash_table_remove (starting, key);
  else
    g_hash_table_insert (starting, g_strdup (key), GUINT_TO_POINTER (count - 1));
  g_cond_broadcast (&starting_cond);
  g_mutex_unlock (&starting_lock);
}

/* After the tunnel is up ------------------------------------------------ */

/* ssh lives on with the channel; GSubprocess reaps it. What it still says
 * (a forward refused later, the host gone) is read on the main context so
 * that its pipe never fills, and logged. */
typedef struct
{
  GSubprocess  *process;
  GInputStream *stream;
  GString      *said;
  char         *host;
} Drain;

static void
drain_free (Drain *drain)
{
  g_clear_object (&drain->process);
  g_clear_object (&drain->stream);
  g_string_free (drain->said, TRUE);
  g_free (drain->host);
  g_free (drain);
}

static void drain_next (Drain *drain);

static void
drain_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Drain *drain = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      if (drain->said->len > 0)
        g_debug ("Tunnel to %s: %s", drain->host, drain->said->str);
      drain_free (drain);
      return;
    }
  g_string_append_len (drain->said, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (drain->said->len > MAX_STDERR)
    g_string_erase (drain->said, 0, drain->said->len - MAX_STDERR);
  drain_next (drain);
}

static void
drain_next (Drain *drain)
{
  g_input_stream_read_bytes_async (drain->stream, 1024, G_PRIORITY_LOW, NULL, drain_read_cb, drain);
}

/* Opening --------------------------------------------------------------- */

/* What ssh said, for people: its lines without the ready line, trimmed. */
static char *
stderr_text (GString *said)
{
  g_auto(GStrv) lines = g_strsplit (said->str, "\n", -1);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (g_strdelimit (lines[i], "\r", ' '));

      if (*line == '\0' || g_str_equal (line, READY_LINE))
        continue;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, line);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
set_exit_error (GError        **error,
                GSubprocess    *process,
                GString        *said,
                const char     *host,
                const char     *socket_path)
{
  g_autofree char *text = stderr_text (said);
  int status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;

  if (socket_path != NULL && status == LODGE_SSH_TUNNEL_EXIT_NO_SOCKET)
    g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                 _("The display’s socket %s does not exist on %s"), socket_path, host);
  else if (socket_path != NULL && status == LODGE_SSH_TUNNEL_EXIT_NOT_ALLOWED)
    g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                 _("The SSH user on %s may not open the display’s socket %s (only root and QEMU’s "
                   "user may)"), host, socket_path);
  else if (socket_path != NULL && status == LODGE_SSH_TUNNEL_EXIT_NO_NETCAT)
    g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                 _("To show this display, %s needs nc (netcat) or socat"), host);
  else if (*text != '\0')
    /* Translators: the first %s is a host name, the second what ssh said */
    g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                 _("Could not reach %s over SSH: %s"), host, text);
  else
    g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                 _("Could not reach %s over SSH (ssh ended with status %d)"), host, status);
}

/* Reads what is there: 1, 0 at the end (ssh closed its stderr), -1 when
 * nothing is there now. */
static int
read_stderr (int      fd,
             GString *said)
{
  char buffer[1024];
  gssize n;

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n == 0 ? 0 : -1;
  g_string_append_len (said, buffer, n);
  if (said->len > MAX_STDERR)
    g_string_erase (said, 0, said->len - MAX_STDERR);
  return 1;
}

static gboolean
has_ready_line (GString *said)
{
  return strstr (said->str, READY_LINE "\n") != NULL;
}

int
lodge_ssh_tunnel_open (const LodgeUri  *uri,
                       const char      *socket_path,
                       const char      *address,
                       int              port,
                       guint            timeout_ms,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GString) said = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *key = NULL;
  gboolean shared;
  const char *host;
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  GPollFD cancel_fd = { -1 };
  gboolean has_cancel_fd = FALSE;
  gboolean ready = FALSE;
  gboolean ended = FALSE;
  int sv[2] = { -1, -1 };
  int err_fd;

  g_return_val_if_fail (uri != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  shared = shared_connection_alive (uri);
  argv = lodge_ssh_tunnel_build_argv (uri, socket_path, address, port,
                                      MAX (timeout_ms / 2000, 1), error);
  if (argv == NULL)
    return -1;
  host = host_of (uri);
  key = g_strdup_printf ("%s@%s:%d", lodge_uri_get_user (uri) ? lodge_uri_get_user (uri) : "",
                         host, lodge_uri_get_port (uri));

  if (!starting_enter (key, deadline, cancellable))
    {
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_TIMED_OUT,
                     _("%s did not answer within %u seconds"), host, timeout_ms / 1000);
      return -1;
    }

  /* Close-on-exec: another tunnel spawned meanwhile on another thread
   * must not inherit this end, or ssh would never see it close. */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      int saved = errno;

      starting_leave (key);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create a socket: %s"), g_strerror (saved));
      return -1;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Through libvirt's shared connection, if it is there; never one of
   * its own (Lodge's ssh wrapper reads this). */
  g_subprocess_launcher_setenv (launcher, "LODGE_SSH_TUNNEL", "1", TRUE);
  g_subprocess_launcher_take_stdin_fd (launcher, fcntl (sv[1], F_DUPFD_CLOEXEC, 3));
  g_subprocess_launcher_take_stdout_fd (launcher, sv[1]);
  sv[1] = -1;
  g_debug ("Tunnel to %s: %s", host, socket_path != NULL ? socket_path : address);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &local_error);
  /* The child's copies of our end are in the child now. */
  g_clear_object (&launcher);
  if (process == NULL)
    {
      close (sv[0]);
      starting_leave (key);
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                   _("Could not run %s: %s"), argv[0], local_error->message);
      return -1;
    }
  err_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stderr_pipe (process)));

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &cancel_fd))
    has_cancel_fd = TRUE;
  /* Through a shared connection ssh runs no LocalCommand: it is logged in
   * already. (The script on the host still says when it found the
   * socket.) */
  if (shared && socket_path == NULL)
    ready = TRUE;

  while (!ready && !ended)
    {
      GPollFD fds[3] = {
        { .fd = err_fd, .events = G_IO_IN },
        /* -W's stdout is the display's: only the script writes first. */
        { .fd = socket_path != NULL ? sv[0] : -1, .events = G_IO_IN },
      };
      guint n_fds = 2;
      gint64 now = g_get_monotonic_time ();
      int r;

      if (has_cancel_fd)
        fds[n_fds++] = cancel_fd;
      if (g_cancellable_is_cancelled (cancellable) || now >= deadline)
        break;
      r = g_poll (fds, n_fds, (int) MAX ((deadline - now) / 1000, 1));
      if (r < 0 && errno != EINTR)
        break;
      if (r <= 0)
        continue;

      if (fds[0].revents != 0 && read_stderr (err_fd, said) == 0)
        ended = TRUE;
      if (socket_path == NULL && has_ready_line (said))
        ready = TRUE;
      if (socket_path != NULL && fds[1].revents != 0)
        {
          char byte = 0;
          gssize n;

          do
            n = read (sv[0], &byte, 1);
          while (n < 0 && errno == EINTR);
          if (n == 1 && byte == READY_BYTE)
            ready = TRUE;
          else
            ended = TRUE;
        }
    }
  if (has_cancel_fd)
    g_cancellable_release_fd (cancellable);
  starting_leave (key);

  if (ready)
    {
      Drain *drain = g_new0 (Drain, 1);

      g_debug ("Tunnel to %s up after %.0f ms", host,
               (g_get_monotonic_time () - start) / 1000.0);
      drain->process = g_steal_pointer (&process);
      drain->stream = g_object_ref (g_subprocess_get_stderr_pipe (drain->process));
      drain->said = g_string_new (NULL);
      drain->host = g_strdup (host);
      drain_next (drain);
      return sv[0];
    }

  close (sv[0]);
  if (!ended)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_autofree char *text = stderr_text (said);

          if (*text != '\0')
            /* Translators: the first %s is a host name, the last what ssh said */
            g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_TIMED_OUT,
                         _("%s did not answer within %u seconds: %s"), host, timeout_ms / 1000, text);
          else
            g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_TIMED_OUT,
                         _("%s did not answer within %u seconds"), host, timeout_ms / 1000);
        }
      return -1;
    }

  /* ssh closed its stderr or our socket: it is ending; what it said is
   * complete once it has. */
  if (!g_subprocess_wait (process, cancellable, error))
    {
      g_subprocess_force_exit (process);
      return -1;
    }
  /* Whatever ssh left behind may still hold the pipe: take what is there. */
  g_unix_set_fd_nonblocking (err_fd, TRUE, NULL);
  while (read_stderr (err_fd, said) > 0)
    ;
  set_exit_error (error, process, said, host, socket_path);
  return -1;
}
