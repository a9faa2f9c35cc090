/* test-auth-prompt.c: reading credential questions of libvirt and OpenSSH,
 * and what one attempt to connect makes of them
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The prompts are the ones libvirt 9.0 and OpenSSH 9.2 give on Debian 12
 * (measured against the second host of tests/common/lodge-second-host.sh).
 */
#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include <libvirt/libvirt.h>

#include "model/lodge-askpass-server.h"
#include "model/lodge-auth-prompt.h"
#include "model/lodge-model-private.h"

typedef struct
{
  int            cred_type;   /* -1: an OpenSSH prompt */
  const char    *prompt;
  const char    *challenge;
  LodgeAuthKind  kind;
  const char    *host;
  const char    *user;
  const char    *fingerprint;
  const char    *key_type;
  const char    *key_file;
  gboolean       echo;
} Case;

#define OPENSSH (-1)

static const Case cases[] = {
  /* libvirt's libssh transport */
  { VIR_CRED_ECHOPROMPT,
    "Accept SSH host key with hash '22:53:dc:0b:61:34:a1:ef:16:0c:4d:7f:3e:55:9b:a2' for host "
    "'127.0.0.2:2222' (y/n)?", NULL,
    LODGE_AUTH_KIND_HOST_KEY, "127.0.0.2:2222", NULL,
    "22:53:dc:0b:61:34:a1:ef:16:0c:4d:7f:3e:55:9b:a2", NULL, NULL, TRUE },
  /* The same in another language: the quotes carry it. */
  { VIR_CRED_ECHOPROMPT,
    "SSH-Hostschlüssel mit Hash '22:53:dc:0b' für Host '[::1]:22' akzeptieren (y/n)?", NULL,
    LODGE_AUTH_KIND_HOST_KEY, "[::1]:22", NULL, "22:53:dc:0b", NULL, NULL, TRUE },
  /* An echo prompt without a fingerprint is just a question. */
  { VIR_CRED_ECHOPROMPT, "Enter the 'realm' for 'x'", NULL,
    LODGE_AUTH_KIND_OTHER, NULL, NULL, NULL, NULL, NULL, TRUE },
  { VIR_CRED_PASSPHRASE, "Enter root's password for 127.0.0.2", "127.0.0.2",
    LODGE_AUTH_KIND_PASSWORD, "127.0.0.2", "root", NULL, NULL, NULL, FALSE },
  /* Translated: no user, the host from the challenge. */
  { VIR_CRED_PASSPHRASE, "Mot de passe de root pour 127.0.0.2", "127.0.0.2",
    LODGE_AUTH_KIND_PASSWORD, "127.0.0.2", NULL, NULL, NULL, NULL, FALSE },
  { VIR_CRED_NOECHOPROMPT, "Passphrase for key '/home/ann/.ssh/id_ed25519'", NULL,
    LODGE_AUTH_KIND_PASSPHRASE, NULL, NULL, NULL, NULL, "/home/ann/.ssh/id_ed25519", FALSE },
  { VIR_CRED_AUTHNAME, "Enter username for lab.example.org [ann]", "lab.example.org",
    LODGE_AUTH_KIND_USERNAME, "lab.example.org", NULL, NULL, NULL, NULL, TRUE },
  { VIR_CRED_REALM, "Realm", NULL,
    LODGE_AUTH_KIND_OTHER, NULL, NULL, NULL, NULL, NULL, TRUE },
  /* Keyboard-interactive questions are not passwords unless they say so. */
  { VIR_CRED_NOECHOPROMPT, "Enter the one-time code", NULL,
    LODGE_AUTH_KIND_OTHER, NULL, NULL, NULL, NULL, NULL, FALSE },
  { VIR_CRED_NOECHOPROMPT, "Password: ", "lab",
    LODGE_AUTH_KIND_PASSWORD, "lab", NULL, NULL, NULL, NULL, FALSE },

  /* OpenSSH 9.2 through SSH_ASKPASS */
  { OPENSSH,
    "The authenticity of host '[127.0.0.5]:2225 ([127.0.0.5]:2225)' can't be established.\n"
    "ED25519 key fingerprint is SHA256:JiYIE3+Qak9wAAp/7jz94fo1T9OTILUtZ3sCutYTZnI.\n"
    "This key is not known by any other names.\n"
    "Are you sure you want to continue connecting (yes/no/[fingerprint])? ", NULL,
    LODGE_AUTH_KIND_HOST_KEY, "[127.0.0.5]:2225", NULL,
    "SHA256:JiYIE3+Qak9wAAp/7jz94fo1T9OTILUtZ3sCutYTZnI", "ED25519", NULL, TRUE },
  { OPENSSH,
    "The authenticity of host 'lab.example.org (192.0.2.7)' can't be established.\n"
    "ECDSA key fingerprint is MD5:0b:61:34:a1.\n"
    "Are you sure you want to continue connecting (yes/no/[fingerprint])? ", NULL,
    LODGE_AUTH_KIND_HOST_KEY, "lab.example.org", NULL, "MD5:0b:61:34:a1", "ECDSA", NULL, TRUE },
  /* What ssh asks after an answer it did not understand. */
  { OPENSSH, "Please type 'yes', 'no' or the fingerprint: ", NULL,
    LODGE_AUTH_KIND_HOST_KEY, NULL, NULL, NULL, NULL, NULL, TRUE },
  { OPENSSH, "root@127.0.0.5's password: ", NULL,
    LODGE_AUTH_KIND_PASSWORD, "127.0.0.5", "root", NULL, NULL, NULL, FALSE },
  { OPENSSH, "ann@corp.example@lab.example.org's password: ", NULL,
    LODGE_AUTH_KIND_PASSWORD, "lab.example.org", "ann@corp.example", NULL, NULL, NULL, FALSE },
  { OPENSSH, "(root@127.0.0.5) Password: ", NULL,
    LODGE_AUTH_KIND_PASSWORD, "127.0.0.5", "root", NULL, NULL, NULL, FALSE },
  { OPENSSH, "(ann@lab) Verification code: ", NULL,
    LODGE_AUTH_KIND_OTHER, "lab", "ann", NULL, NULL, NULL, FALSE },
  { OPENSSH, "Enter passphrase for key '/root/.ssh/id_ed25519': ", NULL,
    LODGE_AUTH_KIND_PASSPHRASE, NULL, NULL, NULL, NULL, "/root/.ssh/id_ed25519", FALSE },
  { OPENSSH, "Enter PIN for ED25519-SK key /root/.ssh/id_ed25519_sk: ", NULL,
    LODGE_AUTH_KIND_OTHER, NULL, NULL, NULL, NULL, NULL, FALSE },
  { OPENSSH, "", NULL,
    LODGE_AUTH_KIND_OTHER, NULL, NULL, NULL, NULL, NULL, FALSE },
};

static void
test_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(LodgeAuthPrompt) prompt = NULL;
      g_autoptr(LodgeAuthPrompt) copy = NULL;

      g_test_message ("%u: %s", i, c->prompt);
      if (c->cred_type == OPENSSH)
        prompt = lodge_auth_prompt_parse_openssh (c->prompt);
      else
        prompt = lodge_auth_prompt_parse_libvirt (c->cred_type, c->prompt, c->challenge);

      g_assert_cmpint (prompt->kind, ==, c->kind);
      g_assert_cmpstr (prompt->host, ==, c->host);
      g_assert_cmpstr (prompt->user, ==, c->user);
      g_assert_cmpstr (prompt->fingerprint, ==, c->fingerprint);
      g_assert_cmpstr (prompt->key_type, ==, c->key_type);
      g_assert_cmpstr (prompt->key_file, ==, c->key_file);
      g_assert_cmpint (prompt->echo, ==, c->echo);

      copy = lodge_auth_prompt_copy (prompt);
      g_assert_cmpint (copy->kind, ==, prompt->kind);
      g_assert_cmpstr (copy->fingerprint, ==, prompt->fingerprint);
    }

  /* NULL prompts do not crash. */
  {
    g_autoptr(LodgeAuthPrompt) a = lodge_auth_prompt_parse_openssh (NULL);
    g_autoptr(LodgeAuthPrompt) b = lodge_auth_prompt_parse_libvirt (VIR_CRED_PASSPHRASE, NULL, NULL);

    g_assert_cmpint (a->kind, ==, LODGE_AUTH_KIND_OTHER);
    g_assert_cmpint (b->kind, ==, LODGE_AUTH_KIND_PASSWORD);
    g_assert_null (b->user);
  }
}

static void
test_fingerprint (void)
{
  static const struct { const char *text; gboolean ok; } fps[] = {
    { "SHA256:JiYIE3+Qak9wAAp/7jz94fo1T9OTILUtZ3sCutYTZnI", TRUE },
    { "SHA256:", FALSE },
    { "SHA256:abc def", FALSE },
    { "MD5:22:53:dc", TRUE },
    { "22:53:dc:0b", TRUE },
    { "22:53", TRUE },
    { "22", FALSE },
    { "22:5", FALSE },
    { "zz:53:dc", FALSE },
    { "127.0.0.2:2222", FALSE },
    { "", FALSE },
    { NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fps); i++)
    g_assert_cmpint (lodge_auth_prompt_is_fingerprint (fps[i].text), ==, fps[i].ok);
}

static void
test_ssh_failure (void)
{
  static const struct {
    const char *message;
    int code;           /* -1: not a refusal */
    const char *part;   /* in the message for people */
  } failures[] = {
    /* OpenSSH 9.2 through libvirt 9.0, three wrong passwords */
    { "Cannot recv data: Permission denied, please try again.\n"
      "Permission denied, please try again.\n"
      "root@127.0.0.5: Permission denied (publickey,password).: Connection reset by peer",
      LODGE_MODEL_ERROR_AUTH_FAILED, "root@127.0.0.5: Permission denied (publickey,password)." },
    { "Cannot recv data: Host key verification failed.: Connection reset by peer",
      LODGE_MODEL_ERROR_HOST_KEY_REFUSED, "could not be verified" },
    { "Cannot recv data: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
      "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
      "Host key verification failed.: Connection reset by peer",
      LODGE_MODEL_ERROR_HOST_KEY_REFUSED, "not the one known" },
    /* libssh through libvirt */
    { "authentication failed: !!! SSH HOST KEY VERIFICATION FAILED !!!: Identity of host "
      "'127.0.0.2:2222' differs from stored identity.",
      LODGE_MODEL_ERROR_HOST_KEY_REFUSED, "not the one known" },
    { "Cannot recv data: ssh: connect to host 127.0.0.5 port 2299: Connection refused: "
      "Connection reset by peer", -1, NULL },
    { "unable to connect to server at '127.0.0.5:2299': Connection refused", -1, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (failures); i++)
    {
      g_autofree char *message = NULL;
      int code = -1;
      gboolean refusal = lodge_auth_classify_ssh_failure (failures[i].message, "lab",
                                                          &code, &message);

      g_assert_cmpint (refusal, ==, failures[i].code >= 0);
      if (!refusal)
        continue;
      g_assert_cmpint (code, ==, failures[i].code);
      g_assert_nonnull (strstr (message, failures[i].part));
      g_assert_nonnull (strstr (message, "lab"));
      g_test_message ("%s", message);
    }
}

/* How the askpass server finds the connection whose ssh asks. */
static void
test_ssh_command_line (void)
{
  static const struct {
    const char *argv[16];
    gboolean ok;
    const char *user;
    const char *host;
    int port;
  } lines[] = {
    /* What libvirt 9.0 runs, through a command= wrapper and Lodge's. */
    { { "/usr/bin/ssh", "-F", "/tmp/x/ssh_config", "-p", "2225", "-l", "root", "-T", "-e", "none",
        "--", "127.0.0.5", "sh", "-c", "'virt-ssh-helper qemu:///system'", NULL },
      TRUE, "root", "127.0.0.5", 2225 },
    { { "ssh", "-T", "-e", "none", "--", "lab.example.org", "sh", "-c", "x", NULL },
      TRUE, NULL, "lab.example.org", 0 },
    { { "ssh", "-p2222", "-lann", "-Tq", "ann2@lab", "true", NULL },
      TRUE, "ann2", "lab", 2222 },
    { { "ssh", "-oBatchMode=yes", "-i", "/k", "ssh://bob@host:2200", NULL },
      TRUE, "bob", "host", 2200 },
    { { "ssh", "-l", "root", "-p", "22", NULL }, FALSE, NULL, NULL, 0 },
    { { NULL }, FALSE, NULL, NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autofree char *user = NULL;
      g_autofree char *host = NULL;
      int port = -1;

      g_assert_cmpint (lodge_askpass_parse_ssh_command_line (lines[i].argv, &user, &host, &port),
                       ==, lines[i].ok);
      if (!lines[i].ok)
        continue;
      g_assert_cmpstr (user, ==, lines[i].user);
      g_assert_cmpstr (host, ==, lines[i].host);
      g_assert_cmpint (port, ==, lines[i].port);
    }
}

/* One attempt's questions, as the connection's worker and the askpass
 * server make them (no libvirt here: the exchanges are made by hand). */

static LodgeAuthExchange *
password_exchange (LodgeAuthAttempt *attempt)
{
  return lodge_auth_exchange_new (attempt, LODGE_AUTH_SOURCE_OPENSSH, "root@lab's password: ",
                                  lodge_auth_prompt_parse_openssh ("root@lab's password: "),
                                  FALSE, TRUE);
}

static void
store_answer_cb (LodgeAuthExchange *exchange,
                 const char        *answer,
                 gpointer           user_data)
{
  char **out = user_data;

  *out = g_strdup (answer != NULL ? answer : "(cancelled)");
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
spin_until_set (char **value)
{
  while (*value == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_attempt_remembered_once (void)
{
  g_autoptr(LodgeAuthAttempt) attempt = lodge_auth_attempt_new ("qemu+ssh://root@lab/system", NULL);
  LodgeAuthExchange *exchanges[LODGE_AUTH_MAX_TRIES + 1];
  /* Not g_autofree: on an array it would free the first element only. */
  char *answers[LODGE_AUTH_MAX_TRIES + 1] = { NULL, };

  /* First question: the keyring's secret goes, once. */
  exchanges[0] = password_exchange (attempt);
  lodge_auth_exchange_set_done_func (exchanges[0], NULL, store_answer_cb, &answers[0]);
  {
    g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (exchanges[0], NULL);

    g_assert_cmpint (lodge_auth_request_get_kind (request), ==, LODGE_AUTH_KIND_PASSWORD);
    g_assert_cmpstr (lodge_auth_request_get_host (request), ==, "lab");
    g_assert_cmpstr (lodge_auth_request_get_user (request), ==, "root");
    g_assert_cmpstr (lodge_auth_request_get_uri (request), ==, "qemu+ssh://root@lab/system");
    g_assert_cmpuint (lodge_auth_request_get_n_refused (request), ==, 0);
    g_assert_false (lodge_auth_request_get_remembered_refused (request));
    g_assert_true (lodge_auth_request_get_can_use_remembered (request));
    g_assert_true (lodge_auth_request_answer_remembered (request, "kept"));
    g_assert_true (lodge_auth_request_get_finished (request));
    /* Only once. */
    g_assert_false (lodge_auth_request_answer_remembered (request, "kept"));
  }
  spin_until_set (&answers[0]);
  g_assert_cmpstr (answers[0], ==, "kept");
  g_assert_true (lodge_auth_attempt_get_secret_sent (attempt));

  /* The host asks again: it refused the remembered one. Never again from
   * the keyring in this attempt; the user answers. */
  exchanges[1] = password_exchange (attempt);
  lodge_auth_exchange_set_done_func (exchanges[1], NULL, store_answer_cb, &answers[1]);
  {
    g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (exchanges[1], NULL);

    g_assert_cmpuint (lodge_auth_request_get_n_refused (request), ==, 1);
    g_assert_true (lodge_auth_request_get_remembered_refused (request));
    g_assert_false (lodge_auth_request_get_can_use_remembered (request));
    g_assert_false (lodge_auth_request_answer_remembered (request, "kept"));
    g_assert_false (lodge_auth_request_get_finished (request));
    lodge_auth_request_answer (request, NULL, "typed");
  }
  spin_until_set (&answers[1]);
  g_assert_cmpstr (answers[1], ==, "typed");

  /* A refusal of the user's answer is not a remembered one. */
  exchanges[2] = password_exchange (attempt);
  {
    g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (exchanges[2], NULL);

    g_assert_cmpuint (lodge_auth_request_get_n_refused (request), ==, 2);
    g_assert_false (lodge_auth_request_get_remembered_refused (request));
    lodge_auth_request_answer (request, NULL, "typed again");
  }
  g_assert_cmpint (lodge_auth_attempt_get_outcome (attempt, NULL), ==, LODGE_AUTH_OUTCOME_NONE);

  /* Enough: the next one is not asked at all. */
  exchanges[3] = password_exchange (attempt);
  g_assert_true (lodge_auth_exchange_get_finished (exchanges[3]));
  lodge_auth_exchange_set_done_func (exchanges[3], NULL, store_answer_cb, &answers[3]);
  spin_until_set (&answers[3]);
  g_assert_cmpstr (answers[3], ==, "(cancelled)");
  g_assert_cmpint (lodge_auth_attempt_get_outcome (attempt, NULL), ==, LODGE_AUTH_OUTCOME_GAVE_UP);

  for (guint i = 0; i < G_N_ELEMENTS (exchanges); i++)
    lodge_auth_exchange_unref (exchanges[i]);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    g_free (answers[i]);

  /* A new attempt starts afresh. */
  {
    g_autoptr(LodgeAuthAttempt) next = lodge_auth_attempt_new ("qemu+ssh://root@lab/system", NULL);
    LodgeAuthExchange *exchange = password_exchange (next);
    g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (exchange, NULL);

    g_assert_cmpuint (lodge_auth_request_get_n_refused (request), ==, 0);
    g_assert_true (lodge_auth_request_get_can_use_remembered (request));
    lodge_auth_exchange_unref (exchange);
  }
}

static void
test_attempt_host_key (void)
{
  const char *prompt = "Accept SSH host key with hash '22:53:dc' for host 'lab:22' (y/n)?";

  /* Refusing is an answer ("n"), and what the attempt ends with. */
  for (guint accept = 0; accept < 2; accept++)
    {
      g_autoptr(LodgeAuthAttempt) attempt = lodge_auth_attempt_new ("qemu+libssh://lab/system", NULL);
      LodgeAuthExchange *exchange =
        lodge_auth_exchange_new (attempt, LODGE_AUTH_SOURCE_LIBVIRT, prompt,
                                 lodge_auth_prompt_parse_libvirt (VIR_CRED_ECHOPROMPT, prompt, NULL),
                                 TRUE, FALSE);
      g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (exchange, NULL);
      g_autofree char *shown = NULL;
      g_autofree char *hidden = NULL;
      g_autofree char *host = NULL;

      g_assert_cmpint (lodge_auth_request_get_kind (request), ==, LODGE_AUTH_KIND_HOST_KEY);
      g_assert_cmpstr (lodge_auth_request_get_fingerprint (request), ==, "22:53:dc");
      g_assert_cmpstr (lodge_auth_request_get_host (request), ==, "lab:22");
      lodge_auth_request_accept_host_key (request, accept);
      g_assert_true (lodge_auth_exchange_wait (exchange, &shown, &hidden));
      g_assert_cmpstr (shown, ==, accept ? "y" : "n");
      g_assert_null (hidden);
      g_assert_cmpint (lodge_auth_attempt_get_outcome (attempt, &host), ==,
                       accept ? LODGE_AUTH_OUTCOME_NONE : LODGE_AUTH_OUTCOME_HOST_KEY_REFUSED);
      g_assert_cmpstr (host, ==, accept ? NULL : "lab:22");
      g_assert_false (lodge_auth_attempt_get_secret_sent (attempt));
      lodge_auth_exchange_unref (exchange);
    }

  /* OpenSSH wants the words. */
  {
    const char *text = "The authenticity of host 'lab (192.0.2.1)' can't be established.\n"
                       "ED25519 key fingerprint is SHA256:abc.\n"
                       "Are you sure you want to continue connecting (yes/no/[fingerprint])? ";
    LodgeAuthExchange *exchange =
      lodge_auth_exchange_new (NULL, LODGE_AUTH_SOURCE_OPENSSH, text,
                               lodge_auth_prompt_parse_openssh (text), FALSE, FALSE);
    g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (exchange, NULL);
    g_autofree char *answer = NULL;

    lodge_auth_exchange_set_done_func (exchange, NULL, store_answer_cb, &answer);
    lodge_auth_request_accept_host_key (request, TRUE);
    spin_until_set (&answer);
    g_assert_cmpstr (answer, ==, "yes");
    lodge_auth_exchange_unref (exchange);
  }
}

static void
test_attempt_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LodgeAuthAttempt) attempt = lodge_auth_attempt_new ("qemu+ssh://lab/system", cancellable);
  LodgeAuthExchange *exchange = password_exchange (attempt);
  LodgeAuthExchange *later;
  guint n_withdrawn = 0;
  guint n_finished = 0;

  /* The user cancels: the attempt ends so, and asks nothing more. */
  {
    g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (exchange, NULL);

    lodge_auth_request_cancel (request);
    g_assert_cmpint (lodge_auth_attempt_get_outcome (attempt, NULL), ==,
                     LODGE_AUTH_OUTCOME_CANCELLED);
  }
  later = password_exchange (attempt);
  g_assert_true (lodge_auth_exchange_get_finished (later));
  lodge_auth_exchange_unref (later);
  lodge_auth_exchange_unref (exchange);

  /* Dropped unanswered: a cancel too (nobody was there to answer). */
  {
    g_autoptr(LodgeAuthAttempt) other = lodge_auth_attempt_new ("qemu+ssh://lab/system", NULL);
    LodgeAuthExchange *dropped = password_exchange (other);

    g_object_unref (lodge_auth_request_new (dropped, NULL));
    g_assert_true (lodge_auth_exchange_get_finished (dropped));
    g_assert_cmpint (lodge_auth_attempt_get_outcome (other, NULL), ==,
                     LODGE_AUTH_OUTCOME_CANCELLED);
    lodge_auth_exchange_unref (dropped);
  }

  /* Withdrawn (the attempt was cancelled, ssh went away): the request
   * says so, and that is no decision of the user's. */
  {
    g_autoptr(GCancellable) withdraw = g_cancellable_new ();
    g_autoptr(LodgeAuthAttempt) other = lodge_auth_attempt_new ("qemu+ssh://lab/system", withdraw);
    LodgeAuthExchange *pending = password_exchange (other);
    g_autoptr(LodgeAuthRequest) request = lodge_auth_request_new (pending, NULL);

    g_signal_connect (request, "withdrawn", G_CALLBACK (count_cb), &n_withdrawn);
    g_signal_connect (request, "notify::finished", G_CALLBACK (count_notify_cb), &n_finished);
    g_cancellable_cancel (withdraw);
    g_assert_true (lodge_auth_request_get_finished (request));
    while (n_withdrawn == 0)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (n_withdrawn, ==, 1);
    g_assert_cmpuint (n_finished, ==, 1);
    g_assert_cmpint (lodge_auth_attempt_get_outcome (other, NULL), ==, LODGE_AUTH_OUTCOME_NONE);
    lodge_auth_exchange_unref (pending);
  }
}

/* Lodge's ssh wrapper, run with a stand-in ssh that prints what it is
 * given: what it adds for a shared connection. */
static char *fake_dir;

static char **
run_wrapper (gboolean            tunnel,
             const char * const *args)
{
  g_autofree char *dir = lodge_askpass_dup_control_dir ();
  g_autofree char *wrapper = g_build_filename (dir, "ssh", NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *out = NULL;

  g_strv_builder_add (builder, wrapper);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  if (tunnel)
    g_subprocess_launcher_setenv (launcher, "LODGE_SSH_TUNNEL", "1", TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "LODGE_SSH_TUNNEL");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return g_strsplit (out, "\n", -1);
}

/* The value of "-o NAME=…" in what the stand-in ssh got, NULL if none. */
static const char *
option_value (char       **got,
              const char  *name)
{
  gsize len = strlen (name);

  for (guint i = 0; got[i] != NULL && got[i + 1] != NULL; i++)
    if (g_str_equal (got[i], "-o") && strncmp (got[i + 1], name, len) == 0 && got[i + 1][len] == '=')
      return got[i + 1] + len + 1;
  return NULL;
}

static void
test_wrapper_shared (void)
{
  /* As libvirt runs it, then a tunnel to the same host (its own options,
   * the URI's key), then to another host, then with another key. */
  const char *libvirt_args[] = { "-p", "2222", "-l", "root", "-i", "/k", "-T", "-e", "none", "--",
                                 "lab.example", "sh -c 'nc -U /run/libvirt/libvirt-sock'", NULL };
  const char *tunnel_args[] = { "-p", "2222", "-l", "root", "-i", "/k", "-T", "-o", "BatchMode=yes",
                                "-W", "127.0.0.1:5900", "--", "lab.example", NULL };
  const char *other_host[] = { "-p", "2222", "-l", "root", "-i", "/k", "--", "lab2.example", NULL };
  const char *other_key[] = { "-p2222", "-lroot", "-i/k2", "lab.example", "true", NULL };
  g_auto(GStrv) master = run_wrapper (FALSE, libvirt_args);
  g_auto(GStrv) client = run_wrapper (TRUE, tunnel_args);
  g_auto(GStrv) host2 = run_wrapper (TRUE, other_host);
  g_auto(GStrv) key2 = run_wrapper (FALSE, other_key);
  g_autofree char *dir = lodge_askpass_dup_control_dir ();
  const char *path = option_value (master, "ControlPath");
  guint n = g_strv_length (master);

  g_assert_nonnull (path);
  g_assert_true (g_str_has_prefix (path, dir));
  /* Short enough for a socket wherever the folder is. */
  g_assert_cmpuint (strlen (path) - strlen (dir), <, 30);
  g_assert_cmpstr (option_value (master, "ControlMaster"), ==, "auto");
  g_assert_cmpstr (option_value (master, "ControlPersist"), !=, NULL);
  /* Its own arguments follow, unchanged and last. */
  g_assert_cmpuint (n, >, 2);
  g_assert_cmpstr (master[n - 2], ==, libvirt_args[G_N_ELEMENTS (libvirt_args) - 2]);
  g_assert_cmpstr (master[n - 3], ==, "lab.example");

  g_assert_cmpstr (option_value (client, "ControlPath"), ==, path);
  g_assert_cmpstr (option_value (client, "ControlMaster"), ==, "no");
  g_assert_null (option_value (client, "ControlPersist"));

  g_assert_cmpstr (option_value (host2, "ControlPath"), !=, path);
  g_assert_cmpstr (option_value (host2, "ControlMaster"), ==, "no");
  g_assert_cmpstr (option_value (key2, "ControlPath"), !=, path);
  g_assert_cmpstr (option_value (key2, "ControlPath"), !=, option_value (host2, "ControlPath"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fake_ssh = NULL;
  g_autofree char *path = NULL;
  int ret;

  /* Before any thread: a stand-in ssh first in PATH, and the process
   * prepared as Lodge's is (the wrapper runs the stand-in). */
  fake_dir = g_dir_make_tmp ("lodge-test-askpass-XXXXXX", &error);
  g_assert_no_error (error);
  fake_ssh = g_build_filename (fake_dir, "ssh", NULL);
  g_file_set_contents_full (fake_ssh, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n", -1,
                            G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error (error);
  path = g_strconcat (fake_dir, ":", g_getenv ("PATH"), NULL);
  g_setenv ("PATH", path, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", fake_dir, TRUE);
  if (!lodge_askpass_prepare_process ("/bin/false", &error))
    g_error ("%s", error->message);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth-prompt/parse", test_parse);
  g_test_add_func ("/auth-prompt/fingerprint", test_fingerprint);
  g_test_add_func ("/auth-prompt/ssh-failure", test_ssh_failure);
  g_test_add_func ("/auth-prompt/ssh-command-line", test_ssh_command_line);
  g_test_add_func ("/askpass/wrapper-shared", test_wrapper_shared);
  g_test_add_func ("/auth-attempt/remembered-once", test_attempt_remembered_once);
  g_test_add_func ("/auth-attempt/host-key", test_attempt_host_key);
  g_test_add_func ("/auth-attempt/cancel", test_attempt_cancel);

  ret = g_test_run ();
  lodge_askpass_cleanup_process ();
  g_unlink (fake_ssh);
  g_rmdir (fake_dir);
  return ret;
}
