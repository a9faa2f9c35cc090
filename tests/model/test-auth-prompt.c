/* test-auth-prompt.c: reading credential questions of libvirt and OpenSSH
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The prompts are the ones libvirt 9.0 and OpenSSH 9.2 give on Debian 12
 * (measured against the second host of tests/common/lodge-second-host.sh).
 */
#include "config.h"

#include <libvirt/libvirt.h>

#include "model/lodge-auth-prompt.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth-prompt/parse", test_parse);
  g_test_add_func ("/auth-prompt/fingerprint", test_fingerprint);

  return g_test_run ();
}
