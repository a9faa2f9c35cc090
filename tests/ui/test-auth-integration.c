/* test-auth-integration.c: authentication in Lodge's dialogs, against a
 * second libvirt host over SSH
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real components, no mocks: the application with its agent and askpass
 * server, real LodgeHost/LodgeConnection objects, libvirt's qemu+libssh://
 * and qemu+ssh:// transports, OpenSSH with lodge-askpass, a second host
 * of the test's own (tests/common/lodge-second-host.sh: sshd with a root
 * password, on 127.0.0.5:2225 so that other tests' hosts are not
 * disturbed), and a gnome-keyring-daemon of the test's own on a D-Bus
 * session of its own. The dialogs are answered through their API.
 *
 * The passwords are made at run time and never printed; the last test
 * looks for them in every file Lodge wrote and in everything this program
 * (and its children) printed.
 */
#define G_LOG_DOMAIN "test-auth"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lodge-test.h"
#include "lodge-test-host2.h"
#include "model/lodge-askpass-server.h"
#include "model/lodge-auth-prompt.h"
#include "model/lodge-ssh-tunnel.h"
#include "ui/lodge-application.h"
#include "ui/lodge-auth-dialog.h"
#include "ui/lodge-keyring.h"
#include "ui/lodge-ui-private.h"

/* Bounds a hang; never a timing assertion. */
#define WAIT_MS 60000

#define HOST2_NAME "lodge-host2-auth"
#define HOST2_ADDR "127.0.0.5"
#define HOST2_PORT 2225
/* Nothing listens there. */
#define DOWN_PORT  2299
/* tests/common/lodge-second-host.sh, from meson. */
#define LODGE_TEST_HOST2_SCRIPT (g_getenv ("LODGE_SECOND_HOST"))

static char *tmp_dir;
static char *passwords[4];   /* right, wrong, second right, wrong again */
#define PASSWORD        passwords[0]
#define WRONG           passwords[1]
#define NEW_PASSWORD    passwords[2]
#define WRONG_AGAIN     passwords[3]

static LodgeTestHost2 *host2;
static LodgeApplication *app;
static GtkWindow *main_window;
static char *libssh_uri;
static char *ssh_uri;
static GQueue dialogs = G_QUEUE_INIT;   /* LodgeAuthDialog*, each a reference */
static guint n_dialogs;
static GPid bus_pid;
static GPid keyring_pid;

/* Output capture ----------------------------------------------------------- */

/* Everything written on fds 1 and 2 (this program's TAP, messages and
 * children's output) goes through a pipe to the real output and into this
 * buffer, where the last test looks for secrets. */
static GString *captured;
static GMutex captured_mutex;
static int real_stdout = -1;
static int capture_fd = -1;
static GThread *capture_thread;

static void
write_all (int         fd,
           const char *buf,
           ssize_t     n)
{
  for (ssize_t done = 0; done < n;)
    {
      ssize_t w = write (fd, buf + done, n - done);

      if (w <= 0)
        break;
      done += w;
    }
}

static gpointer
capture_thread_func (gpointer data)
{
  struct pollfd pfd = { capture_fd, POLLIN, 0 };
  char buf[4096];

  for (;;)
    {
      ssize_t n;

      if (poll (&pfd, 1, -1) < 0)
        continue;
      n = read (capture_fd, buf, sizeof buf);
      if (n == 0)
        break;
      if (n < 0)
        continue;
      g_mutex_lock (&captured_mutex);
      g_string_append_len (captured, buf, n);
      g_mutex_unlock (&captured_mutex);
      write_all (real_stdout, buf, n);
    }
  return NULL;
}

/* A failed assertion aborts before the thread passes its message on:
 * what is still in the pipe goes out here (async-signal-safe calls only). */
static void
capture_crash_cb (int sig)
{
  char buf[4096];
  ssize_t n;

  while ((n = read (capture_fd, buf, sizeof buf)) > 0)
    write_all (real_stdout, buf, n);
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
capture_start (void)
{
  int fds[2];

  captured = g_string_new (NULL);
  g_assert_cmpint (pipe (fds), ==, 0);
  real_stdout = dup (STDOUT_FILENO);
  fcntl (real_stdout, F_SETFD, FD_CLOEXEC);
  capture_fd = fds[0];
  fcntl (capture_fd, F_SETFD, FD_CLOEXEC);
  fcntl (capture_fd, F_SETFL, O_NONBLOCK);
  dup2 (fds[1], STDOUT_FILENO);
  dup2 (fds[1], STDERR_FILENO);
  close (fds[1]);
  setvbuf (stdout, NULL, _IOLBF, 0);
  signal (SIGABRT, capture_crash_cb);
  signal (SIGTRAP, capture_crash_cb);
  signal (SIGSEGV, capture_crash_cb);
  capture_thread = g_thread_new ("capture", capture_thread_func, NULL);
}

static void
capture_stop (void)
{
  fflush (stdout);
  fflush (stderr);
  dup2 (real_stdout, STDOUT_FILENO);
  dup2 (real_stdout, STDERR_FILENO);
  /* Children that still hold the pipe (none should) would keep it open. */
  g_thread_join (capture_thread);
  close (capture_fd);
}

/* Waiting ------------------------------------------------------------------ */

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*CheckFunc) (gpointer data);

static gboolean
wait_until (CheckFunc check,
            gpointer  data)
{
  gint64 end = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean ok;

  while (!(ok = check (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

static gboolean
host_settled (gpointer data)
{
  LodgeConnectionState state = lodge_host_get_state (data);

  return state == LODGE_CONNECTION_STATE_CONNECTED || state == LODGE_CONNECTION_STATE_FAILED;
}

/* Waits until the host is connected or failed; returns its state. */
static LodgeConnectionState
wait_host_settled (LodgeHost *host)
{
  g_assert_true (wait_until (host_settled, host));
  return lodge_host_get_state (host);
}

static gboolean
dialog_queued (gpointer data)
{
  return !g_queue_is_empty (&dialogs) || host_settled (data);
}

/* The next question's dialog (asserting its kind), or NULL when the host
 * settled without asking. */
static LodgeAuthDialog *
next_dialog (LodgeHost     *host,
             LodgeAuthKind  kind)
{
  g_autoptr(LodgeAuthDialog) dialog = NULL;

  g_assert_true (wait_until (dialog_queued, host));
  if (g_queue_is_empty (&dialogs))
    return NULL;
  dialog = g_queue_pop_head (&dialogs);
  g_assert_true (LODGE_IS_AUTH_DIALOG (dialog));
  g_assert_nonnull (lodge_auth_dialog_get_request (dialog));
  g_assert_cmpint (lodge_auth_dialog_get_kind (dialog), ==, kind);
  /* Transient for the main window, naming the host by its title. */
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == main_window);
  g_assert_cmpstr (lodge_auth_dialog_get_host_title (dialog), ==, lodge_host_get_label (host));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  return g_steal_pointer (&dialog);
}

static LodgeAuthDialog *
expect_dialog (LodgeHost     *host,
               LodgeAuthKind  kind)
{
  LodgeAuthDialog *dialog = next_dialog (host, kind);

  if (dialog == NULL)
    g_error ("%s settled (%s) without the question expected",
             lodge_host_get_uri_string (host),
             lodge_host_get_error (host) ? lodge_host_get_error (host)->message : "no error");
  return dialog;
}

static void
toplevels_changed_cb (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      gpointer    user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (model, i);

      if (LODGE_IS_AUTH_DIALOG (window))
        {
          n_dialogs++;
          g_queue_push_tail (&dialogs, g_object_ref (window));
        }
    }
}

static void
connect_host (LodgeHost *host)
{
  lodge_application_connect_host (app, host);
}

static void
disconnect_host (LodgeHost *host)
{
  lodge_host_disconnect (host);
  g_assert_cmpint (lodge_host_get_state (host), ==, LODGE_CONNECTION_STATE_DISCONNECTED);
}

static LodgeHost *
add_host (const char *uri,
          const char *label)
{
  g_autoptr(GError) error = NULL;
  LodgeHost *host = lodge_application_add_host (app, uri, label, FALSE, TRUE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (host);
  return host;
}

static void
remove_host (LodgeHost *host)
{
  disconnect_host (host);
  lodge_application_remove_host (app, host);
}

static gsize
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gsize) st.st_size : 0;
}

/* The keyring ------------------------------------------------------------ */

typedef struct
{
  gboolean  done;
  char     *secret;
} Lookup;

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;

  lookup->secret = lodge_keyring_lookup_finish (result, &error);
  g_assert_no_error (error);
  lookup->done = TRUE;
}

static gboolean
lookup_done (gpointer data)
{
  return ((Lookup *) data)->done;
}

/* What the keyring holds for the host's password (NULL: nothing). */
static char *
keyring_password (LodgeHost *host)
{
  g_autoptr(LodgeKeyringKey) key = lodge_keyring_key_new (lodge_host_get_uri_string (host), NULL,
                                                          "root", LODGE_AUTH_KIND_PASSWORD, NULL);
  Lookup lookup = { FALSE, NULL };

  lodge_keyring_lookup_async (key, NULL, lookup_cb, &lookup);
  g_assert_true (wait_until (lookup_done, &lookup));
  return lookup.secret;
}

typedef struct
{
  LodgeHost  *host;
  const char *expected;   /* NULL: nothing stored */
} KeyringState;

static gboolean
keyring_holds (gpointer data)
{
  KeyringState *state = data;
  char *secret = keyring_password (state->host);
  gboolean ok = g_strcmp0 (secret, state->expected) == 0;

  lodge_keyring_free_secret (secret);
  return ok;
}

/* Never prints the secrets it compares. */
static void
assert_keyring_holds (LodgeHost  *host,
                      const char *expected)
{
  KeyringState state = { host, expected };

  if (!wait_until (keyring_holds, &state))
    g_error ("the keyring does not hold the %s", expected == NULL ? "nothing expected"
                                                                  : "password expected");
}

/* Tests: qemu+libssh:// (libvirt's auth callback) -------------------------- */

static LodgeHost *
libssh_host (void)
{
  LodgeHost *host = lodge_host_list_lookup (lodge_application_get_hosts (app), libssh_uri);

  g_assert_nonnull (host);
  return host;
}

static void
assert_failed_with (LodgeHost  *host,
                    GQuark      domain,
                    int         code)
{
  const GError *error;

  g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_FAILED);
  error = lodge_host_get_error (host);
  g_assert_error ((GError *) error, domain, code);
  g_test_message ("%s: %s", lodge_host_get_uri_string (host), error->message);
  /* Not retried by itself: asking again blindly could lock the account. */
  g_assert_cmpint (lodge_connection_get_retry_time (lodge_host_get_connection (host)), ==, 0);
  g_assert_true (g_queue_is_empty (&dialogs));
}

static void
test_libssh_host_key_refused (void)
{
  LodgeHost *host = libssh_host ();
  g_autofree char *known_hosts = g_build_filename (tmp_dir, "known_hosts-libssh", NULL);
  g_autoptr(LodgeAuthDialog) dialog = NULL;
  const char *fingerprint;

  connect_host (host);
  dialog = expect_dialog (host, LODGE_AUTH_KIND_HOST_KEY);
  fingerprint = lodge_auth_dialog_get_fingerprint (dialog);
  g_test_message ("host key %s", fingerprint);
  g_assert_true (lodge_auth_prompt_is_fingerprint (fingerprint));
  g_assert_nonnull (strchr (lodge_auth_request_get_prompt (lodge_auth_dialog_get_request (dialog)),
                            '\''));
  /* Refusing is the default and what Escape does. */
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "refuse");
  g_assert_cmpstr (adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (dialog)), ==, "refuse");
  lodge_auth_dialog_respond (dialog, "refuse");

  assert_failed_with (host, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_HOST_KEY_REFUSED);
  g_assert_nonnull (strstr (lodge_host_get_error (host)->message, HOST2_ADDR));
  /* Nothing was added to known_hosts. */
  g_assert_cmpuint (file_size (known_hosts), ==, 0);
}

static void
test_libssh_password (void)
{
  LodgeHost *host = libssh_host ();
  g_autofree char *known_hosts = g_build_filename (tmp_dir, "known_hosts-libssh", NULL);
  LodgeAuthDialog *dialog;

  /* Accept the key, then a wrong password: asked again, with why. */
  connect_host (host);
  dialog = expect_dialog (host, LODGE_AUTH_KIND_HOST_KEY);
  lodge_auth_dialog_respond (dialog, "accept");
  g_object_unref (dialog);

  dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);
  g_assert_null (lodge_auth_dialog_get_message (dialog));
  g_assert_true (lodge_auth_dialog_get_offer_remember (dialog));
  g_assert_false (lodge_auth_dialog_get_remember (dialog));
  g_assert_cmpstr (lodge_auth_request_get_user (lodge_auth_dialog_get_request (dialog)), ==, "root");
  lodge_auth_dialog_set_text (dialog, NULL, WRONG);
  lodge_auth_dialog_respond (dialog, "log-in");
  g_object_unref (dialog);
  g_assert_cmpuint (file_size (known_hosts), >, 0);

  dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);
  g_assert_nonnull (lodge_auth_dialog_get_message (dialog));
  g_test_message ("asked again: %s", lodge_auth_dialog_get_message (dialog));
  g_assert_cmpuint (lodge_auth_request_get_n_refused (lodge_auth_dialog_get_request (dialog)), ==, 1);
  lodge_auth_dialog_respond (dialog, "cancel");
  g_object_unref (dialog);

  assert_failed_with (host, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_CANCELLED);

  /* The key is known now: only the password; the right one connects. */
  connect_host (host);
  dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);
  g_assert_null (lodge_auth_dialog_get_message (dialog));
  lodge_auth_dialog_set_text (dialog, NULL, PASSWORD);
  lodge_auth_dialog_respond (dialog, "log-in");
  g_object_unref (dialog);
  g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_true (g_queue_is_empty (&dialogs));
  /* Nothing asked to be remembered. */
  assert_keyring_holds (host, NULL);
  disconnect_host (host);
}

static void
test_libssh_gives_up (void)
{
  LodgeHost *host = libssh_host ();
  guint before = n_dialogs;

  /* Wrong again and again: after three refusals Lodge stops asking
   * (libvirt would ask on, and hang once sshd closes). */
  connect_host (host);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LodgeAuthDialog) dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);

      lodge_auth_dialog_set_text (dialog, NULL, i % 2 ? WRONG : WRONG_AGAIN);
      lodge_auth_dialog_respond (dialog, "log-in");
    }
  assert_failed_with (host, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_FAILED);
  g_assert_cmpuint (n_dialogs - before, ==, 3);
}

static void
test_libssh_remember (void)
{
  LodgeHost *host = libssh_host ();
  LodgeAuthDialog *dialog;
  guint before;

  /* Remember: stored once the host took it. */
  connect_host (host);
  dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);
  lodge_auth_dialog_set_text (dialog, NULL, PASSWORD);
  lodge_auth_dialog_set_remember (dialog, TRUE);
  lodge_auth_dialog_respond (dialog, "log-in");
  g_object_unref (dialog);
  g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_CONNECTED);
  assert_keyring_holds (host, PASSWORD);
  disconnect_host (host);

  /* Again: no dialog at all. */
  before = n_dialogs;
  connect_host (host);
  g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (n_dialogs, ==, before);
  disconnect_host (host);

  /* The host's password changes: the remembered one is tried once, the
   * host refuses it, Lodge forgets it and asks; the new one replaces it. */
  g_clear_pointer (&host2, lodge_test_host2_free);
  host2 = lodge_test_host2_start_new (LODGE_TEST_HOST2_SCRIPT, HOST2_NAME, HOST2_ADDR,
                                      HOST2_PORT, NEW_PASSWORD);
  before = n_dialogs;
  connect_host (host);
  dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);
  g_assert_true (lodge_auth_request_get_remembered_refused (lodge_auth_dialog_get_request (dialog)));
  g_assert_nonnull (lodge_auth_dialog_get_message (dialog));
  g_test_message ("after the change: %s", lodge_auth_dialog_get_message (dialog));
  g_assert_true (lodge_auth_dialog_get_remember (dialog));
  assert_keyring_holds (host, NULL);
  lodge_auth_dialog_set_text (dialog, NULL, NEW_PASSWORD);
  lodge_auth_dialog_respond (dialog, "log-in");
  g_object_unref (dialog);
  g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_CONNECTED);
  /* Asked once, not looped. */
  g_assert_cmpuint (n_dialogs - before, ==, 1);
  assert_keyring_holds (host, NEW_PASSWORD);
  disconnect_host (host);

  before = n_dialogs;
  connect_host (host);
  g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (n_dialogs, ==, before);
  disconnect_host (host);
}

/* Tests: qemu+ssh:// (OpenSSH, lodge-askpass) ------------------------------ */

static LodgeHost *
ssh_host (void)
{
  LodgeHost *host = lodge_host_list_lookup (lodge_application_get_hosts (app), ssh_uri);

  g_assert_nonnull (host);
  return host;
}

static void
test_ssh_host_key_refused (void)
{
  LodgeHost *host = ssh_host ();
  g_autofree char *known_hosts = g_build_filename (tmp_dir, "known_hosts-openssh", NULL);
  g_autoptr(LodgeAuthDialog) dialog = NULL;
  const char *fingerprint;

  connect_host (host);
  dialog = expect_dialog (host, LODGE_AUTH_KIND_HOST_KEY);
  fingerprint = lodge_auth_dialog_get_fingerprint (dialog);
  g_test_message ("host key %s", fingerprint);
  g_assert_true (g_str_has_prefix (fingerprint, "SHA256:"));
  g_assert_cmpstr (lodge_auth_request_get_host (lodge_auth_dialog_get_request (dialog)), ==,
                   "[" HOST2_ADDR "]:2225");
  lodge_auth_dialog_respond (dialog, "refuse");

  assert_failed_with (host, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_HOST_KEY_REFUSED);
  g_assert_cmpuint (file_size (known_hosts), ==, 0);
}

/* A console's tunnel, opened on a worker as the console does. */
typedef struct
{
  LodgeUri *uri;
  int       fd;
  GError   *error;
  gboolean  done;
} Tunnel;

static gpointer
open_tunnel_thread (gpointer data)
{
  Tunnel *tunnel = data;

  /* To the host's own sshd, as the host sees it: it speaks first. */
  tunnel->fd = lodge_ssh_tunnel_open (tunnel->uri, NULL, HOST2_ADDR, HOST2_PORT, 20000, NULL,
                                      &tunnel->error);
  g_atomic_int_set (&tunnel->done, TRUE);
  return NULL;
}

static gboolean
tunnel_done (gpointer data)
{
  return g_atomic_int_get (&((Tunnel *) data)->done);
}

/* The host takes passwords only and a tunnel never asks one: it gets
 * through only on the connection libvirt's ssh logged in with. */
static void
assert_tunnel_shares_login (LodgeHost *host)
{
  Tunnel tunnel = { lodge_uri_ref (lodge_host_get_uri (host)), -1 };
  struct pollfd pfd = { .events = POLLIN };
  char banner[9] = "";
  guint before = n_dialogs;
  gsize got = 0;

  g_thread_unref (g_thread_new ("tunnel", open_tunnel_thread, &tunnel));
  g_assert_true (wait_until (tunnel_done, &tunnel));
  g_assert_no_error (tunnel.error);
  pfd.fd = tunnel.fd;
  while (got < 8 && poll (&pfd, 1, WAIT_MS) == 1)
    {
      gssize n = read (tunnel.fd, banner + got, 8 - got);

      if (n <= 0)
        break;
      got += n;
    }
  g_assert_cmpstr (banner, ==, "SSH-2.0-");
  g_assert_cmpuint (n_dialogs, ==, before);
  close (tunnel.fd);
  lodge_uri_unref (tunnel.uri);
}

/* The shared connection's socket, while it lives. */
static gboolean
no_shared_connection (gpointer data)
{
  g_autofree char *dir = lodge_askpass_dup_control_dir ();
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "cm-"))
      return FALSE;
  return TRUE;
}

static void
test_ssh_password (void)
{
  LodgeHost *host = ssh_host ();
  LodgeAuthDialog *dialog;
  guint before;

  connect_host (host);
  dialog = expect_dialog (host, LODGE_AUTH_KIND_HOST_KEY);
  lodge_auth_dialog_respond (dialog, "accept");
  g_object_unref (dialog);

  dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);
  g_assert_cmpstr (lodge_auth_request_get_user (lodge_auth_dialog_get_request (dialog)), ==, "root");
  g_assert_null (lodge_auth_dialog_get_message (dialog));
  lodge_auth_dialog_set_text (dialog, NULL, WRONG);
  lodge_auth_dialog_respond (dialog, "log-in");
  g_object_unref (dialog);

  /* ssh asks again through askpass: the user, not Lodge, answers. */
  dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);
  g_assert_nonnull (lodge_auth_dialog_get_message (dialog));
  lodge_auth_dialog_respond (dialog, "cancel");
  g_object_unref (dialog);
  /* lodge-askpass ended ssh: no empty passwords, no more questions. */
  assert_failed_with (host, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_CANCELLED);

  /* Right, and remembered. */
  connect_host (host);
  dialog = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);
  lodge_auth_dialog_set_text (dialog, NULL, NEW_PASSWORD);
  lodge_auth_dialog_set_remember (dialog, TRUE);
  lodge_auth_dialog_respond (dialog, "log-in");
  g_object_unref (dialog);
  g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_CONNECTED);
  assert_keyring_holds (host, NEW_PASSWORD);
  g_assert_false (no_shared_connection (NULL));
  assert_tunnel_shares_login (host);
  disconnect_host (host);
  /* The shared connection ends with its last user: the next connect logs
   * in again. */
  g_assert_true (wait_until (no_shared_connection, NULL));

  /* Through askpass too, the keyring answers without a dialog. */
  before = n_dialogs;
  connect_host (host);
  g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (n_dialogs, ==, before);
  disconnect_host (host);

  /* Wrong three times: ssh gives up, and so does Lodge. */
  g_clear_pointer (&host2, lodge_test_host2_free);
  host2 = lodge_test_host2_start_new (LODGE_TEST_HOST2_SCRIPT, HOST2_NAME, HOST2_ADDR,
                                      HOST2_PORT, PASSWORD);
  before = n_dialogs;
  connect_host (host);
  /* The remembered one (now wrong) went once; then the user, twice. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LodgeAuthDialog) again = expect_dialog (host, LODGE_AUTH_KIND_PASSWORD);

      g_assert_nonnull (lodge_auth_dialog_get_message (again));
      lodge_auth_dialog_set_text (again, NULL, WRONG);
      lodge_auth_dialog_respond (again, "log-in");
    }
  assert_failed_with (host, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_FAILED);
  g_assert_cmpuint (n_dialogs - before, ==, 2);
  assert_keyring_holds (host, NULL);
}

static void
test_hosts_down (void)
{
  g_autofree char *ssh_down = NULL;
  g_autofree char *libssh_down = NULL;
  g_autofree char *command = g_build_filename (tmp_dir, "ssh-wrapper", NULL);
  g_autofree char *known_hosts = g_build_filename (tmp_dir, "known_hosts-libssh", NULL);
  const char *uris[2];
  guint before = n_dialogs;

  ssh_down = g_strdup_printf ("qemu+ssh://root@%s:%d/system?command=%s", HOST2_ADDR, DOWN_PORT,
                              command);
  libssh_down = g_strdup_printf ("qemu+libssh://root@%s:%d/system?known_hosts=%s&sshauth=password",
                                 HOST2_ADDR, DOWN_PORT, known_hosts);
  uris[0] = ssh_down;
  uris[1] = libssh_down;

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      LodgeHost *host = add_host (uris[i], "Down");
      const GError *error;

      connect_host (host);
      g_assert_cmpint (wait_host_settled (host), ==, LODGE_CONNECTION_STATE_FAILED);
      error = lodge_host_get_error (host);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", uris[i], error->message);
      g_assert_false (g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_CANCELLED));
      g_assert_cmpstr (error->message, !=, "");
      remove_host (host);
    }
  g_assert_cmpuint (n_dialogs, ==, before);
}

/* No secret anywhere ------------------------------------------------------- */

static void
collect_files (const char *dir,
               GPtrArray  *files)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, files);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
}

static gboolean
holds (const char *data,
       gsize       len,
       const char *secret)
{
  gsize n = strlen (secret);

  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, secret, n) == 0)
      return TRUE;
  return FALSE;
}

static void
test_no_secret_anywhere (void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *dirs[] = { "state", "config", "cache", "run" };
  gboolean saw_settings = FALSE;
  gboolean saw_wrapper = FALSE;
  guint n_checked = 0;

  /* What Lodge wrote: its state, its settings (the keyfile backend), the
   * askpass folder, caches. The keyring's own (encrypted) file is the only
   * place secrets may be, and it is not Lodge's. */
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (tmp_dir, dirs[i], NULL);
      collect_files (dir, files);
    }
  g_assert_cmpuint (files->len, >, 0);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (strstr (path, "/run/keyring") != NULL)
        continue;
      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      for (guint p = 0; p < G_N_ELEMENTS (passwords); p++)
        if (holds (contents, len, passwords[p]))
          g_error ("%s holds a password", path);
      n_checked++;
      saw_settings |= g_str_has_suffix (path, "/config/glib-2.0/settings/keyfile");
      saw_wrapper |= strstr (path, "/run/lodge-askpass-") != NULL;
    }
  g_assert_cmpuint (n_checked, >, 0);
  /* The settings keyfile (the hosts) and the askpass folder were read. */
  g_assert_true (saw_settings);
  g_assert_true (saw_wrapper);
  g_test_message ("no secret in %u files", n_checked);

  /* Everything printed so far, children included. */
  fflush (stdout);
  fflush (stderr);
  g_mutex_lock (&captured_mutex);
  g_assert_cmpuint (captured->len, >, 0);
  for (guint p = 0; p < G_N_ELEMENTS (passwords); p++)
    if (holds (captured->str, captured->len, passwords[p]))
      {
        g_mutex_unlock (&captured_mutex);
        g_error ("the test's output holds a password");
      }
  g_test_message ("no secret in %" G_GSIZE_FORMAT " bytes of output", captured->len);
  g_mutex_unlock (&captured_mutex);
}

/* Set-up --------------------------------------------------------------------- */

static gboolean
secrets_owned (gpointer data)
{
  GDBusConnection *connection = data;
  g_autoptr(GVariant) reply =
    g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 "org.freedesktop.DBus", "NameHasOwner",
                                 g_variant_new ("(s)", "org.freedesktop.secrets"),
                                 G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* Daemons of the test end with it, also when it crashes: they hold its
 * output, which meson reads to the end. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* A session bus of the test's own (GTestDBus would unset DISPLAY and
 * XDG_RUNTIME_DIR, and set variables once threads run). Before any thread:
 * it sets DBUS_SESSION_BUS_ADDRESS. */
static void
start_bus (void)
{
  char *argv[] = { (char *) "dbus-daemon", (char *) "--session", (char *) "--nofork",
                   (char *) "--print-address=1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) address = g_string_new (NULL);
  int out_fd = -1;
  char c;

  if (!g_spawn_async_with_pipes (NULL, argv, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                 die_with_parent, NULL, &bus_pid, NULL, &out_fd, NULL, &error))
    g_error ("dbus-daemon: %s", error->message);
  while (read (out_fd, &c, 1) == 1 && c != '\n')
    g_string_append_c (address, c);
  close (out_fd);
  if (address->len == 0)
    g_error ("dbus-daemon gave no address");
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address->str, TRUE);
}

static void
stop_child (GPid *pid)
{
  if (*pid > 0)
    {
      kill (*pid, SIGTERM);
      waitpid (*pid, NULL, 0);
      g_spawn_close_pid (*pid);
      *pid = 0;
    }
}

/* A gnome-keyring-daemon of the test's own on the test's bus, its login
 * keyring made and unlocked with a test password read from its standard
 * input (what PAM does at login). */
static void
start_keyring (void)
{
  g_autofree char *control = g_build_filename (tmp_dir, "run", "keyring", NULL);
  g_autofree char *control_arg = g_strdup_printf ("--control-directory=%s", control);
  char *argv[] = { (char *) "gnome-keyring-daemon", (char *) "--foreground", (char *) "--unlock",
                   (char *) "--components=secrets", control_arg, NULL };
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const char *keyring_password = "lodge-test-keyring";
  int in_fd = -1;

  g_assert_true (g_spawn_async_with_pipes (NULL, argv, NULL,
                                           G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                           /* It prints its variables: not TAP. */
                                           G_SPAWN_STDOUT_TO_DEV_NULL,
                                           die_with_parent, NULL, &keyring_pid, &in_fd, NULL, NULL,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpint (write (in_fd, keyring_password, strlen (keyring_password)), ==,
                   (gssize) strlen (keyring_password));
  close (in_fd);

  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  if (!wait_until (secrets_owned, connection))
    g_error ("gnome-keyring-daemon did not take org.freedesktop.secrets");
}

/* An ssh of the test's own configuration, through libvirt's command=: a
 * known_hosts file that starts empty, passwords only, nothing of root's
 * ~/.ssh. "ssh" is found in PATH, so Lodge's wrapper (askpass) runs it. */
static char *
write_ssh_command (void)
{
  g_autofree char *config = g_build_filename (tmp_dir, "ssh_config", NULL);
  g_autofree char *known_hosts = g_build_filename (tmp_dir, "known_hosts-openssh", NULL);
  g_autofree char *wrapper = g_build_filename (tmp_dir, "ssh-wrapper", NULL);
  g_autofree char *config_text = NULL;
  g_autofree char *wrapper_text = NULL;
  g_autoptr(GError) error = NULL;

  config_text = g_strdup_printf ("Host *\n"
                                 "  UserKnownHostsFile %s\n"
                                 "  GlobalKnownHostsFile /dev/null\n"
                                 "  StrictHostKeyChecking ask\n"
                                 "  PubkeyAuthentication no\n"
                                 "  PreferredAuthentications password\n"
                                 "  NumberOfPasswordPrompts 3\n"
                                 "  ConnectTimeout 20\n"
                                 "  LogLevel ERROR\n", known_hosts);
  wrapper_text = g_strdup_printf ("#!/bin/sh\nexec ssh -F %s \"$@\"\n", config);
  g_file_set_contents (config, config_text, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (known_hosts, "", 0, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (wrapper, wrapper_text, -1, G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&wrapper);
}

static void
set_dirs (void)
{
  const char *dirs[][2] = {
    { "XDG_STATE_HOME", "state" }, { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_DATA_HOME", "data" },
    { "XDG_RUNTIME_DIR", "run" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (tmp_dir, dirs[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (dirs[i][0], dir, TRUE);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = NULL;
  g_autofree char *command = NULL;
  int ret;

  /* Environment first, while there is no thread. */
  tmp_dir = g_dir_make_tmp ("lodge-test-auth-XXXXXX", &error);
  g_assert_no_error (error);
  set_dirs ();
  {
    g_autofree char *helper = lodge_ui_dup_helper_path ("lodge-askpass");

    if (!g_file_test (helper, G_FILE_TEST_IS_EXECUTABLE))
      g_error ("%s was not built", helper);
    if (!lodge_askpass_prepare_process (helper, &error))
      g_error ("%s", error->message);
  }

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");
  if (g_find_program_in_path ("gnome-keyring-daemon") == NULL)
    lodge_test_skip_all ("no gnome-keyring-daemon (apt-get install gnome-keyring)");
  if (g_find_program_in_path ("dbus-daemon") == NULL)
    lodge_test_skip_all ("no dbus-daemon (apt-get install dbus)");
  lodge_test_host2_check_preconditions (LODGE_TEST_HOST2_SCRIPT);

  /* The passwords of this run: never printed. */
  for (guint i = 0; i < G_N_ELEMENTS (passwords); i++)
    passwords[i] = g_strdup_printf ("lodge-%s-%08x%08x", i % 2 ? "bad" : "pw",
                                    g_random_int (), g_random_int ());

  start_bus ();
  /* The last variable is set: threads may start now. */
  capture_start ();
  start_keyring ();

  gtk_init ();
  adw_init ();

  host2 = lodge_test_host2_start_new (LODGE_TEST_HOST2_SCRIPT, HOST2_NAME, HOST2_ADDR,
                                      HOST2_PORT, PASSWORD);

  known_hosts = g_build_filename (tmp_dir, "known_hosts-libssh", NULL);
  g_file_set_contents (known_hosts, "", 0, &error);
  g_assert_no_error (error);
  libssh_uri = g_strdup_printf ("qemu+libssh://root@%s:%d/system?known_hosts=%s&sshauth=password",
                                HOST2_ADDR, HOST2_PORT, known_hosts);
  command = write_ssh_command ();
  ssh_uri = g_strdup_printf ("qemu+ssh://root@%s:%d/system?command=%s", HOST2_ADDR, HOST2_PORT,
                             command);

  /* The hosts as a user's settings hold them: not connected at start. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");
    GVariantBuilder builder;

    g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssb)"));
    g_variant_builder_add (&builder, "(ssb)", libssh_uri, "Auth Lab", FALSE);
    g_variant_builder_add (&builder, "(ssb)", ssh_uri, "Auth Lab (OpenSSH)", FALSE);
    g_settings_set_value (settings, "hosts", g_variant_builder_end (&builder));
    g_settings_sync ();
  }

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  main_window = lodge_application_show (app, NULL, NULL);
  g_signal_connect (gtk_window_get_toplevels (), "items-changed",
                    G_CALLBACK (toplevels_changed_cb), NULL);

  g_test_add_func ("/auth/libssh/host-key-refused", test_libssh_host_key_refused);
  g_test_add_func ("/auth/libssh/password", test_libssh_password);
  g_test_add_func ("/auth/libssh/gives-up", test_libssh_gives_up);
  g_test_add_func ("/auth/libssh/remember", test_libssh_remember);
  g_test_add_func ("/auth/ssh/host-key-refused", test_ssh_host_key_refused);
  g_test_add_func ("/auth/ssh/password", test_ssh_password);
  g_test_add_func ("/auth/down/hosts", test_hosts_down);
  g_test_add_func ("/auth/leaks/no-secret-anywhere", test_no_secret_anywhere);

  ret = g_test_run ();

  gtk_window_destroy (main_window);
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  if (!lodge_test_host2_stop (host2, &error))
    g_printerr ("could not stop the second host: %s\n", error->message);
  lodge_test_host2_free (host2);
  stop_child (&keyring_pid);
  stop_child (&bus_pid);
  capture_stop ();
  {
    char *rm[] = { (char *) "/bin/rm", (char *) "-rf", tmp_dir, NULL };
    lodge_test_run ("rm", rm);
  }

  return ret;
}
