/* lodge-auth-prompt.h: what a credential question asks, read from its text
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure: no I/O. Questions come from libvirt's auth callback (a VIR_CRED_*
 * type, a prompt and a challenge) or from OpenSSH through SSH_ASKPASS (a
 * prompt only). Both are reduced to one kind and the facts the prompt
 * names (host, user, fingerprint, key file), so that one dialog serves
 * both transports.
 */
#pragma once

#include <glib-object.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

typedef struct
{
  LodgeAuthKind  kind;
  /* What the prompt names; each may be NULL. host is as written there:
   * "127.0.0.2:2222", "[127.0.0.5]:2225", "example.org". */
  char          *host;
  char          *user;
  /* A host key's: "SHA256:…" (OpenSSH) or hex pairs "26:26:08:…" (libvirt
   * 9.0's libssh transport: the SHA-256 hash in hexadecimal). */
  char          *fingerprint;
  char          *key_type;     /* "ED25519", when the prompt says */
  char          *key_file;     /* the private key of a passphrase */
  /* The answer may be shown while typed (a user name, a yes/no). */
  gboolean       echo;
} LodgeAuthPrompt;

void             lodge_auth_prompt_free           (LodgeAuthPrompt *prompt);
LodgeAuthPrompt *lodge_auth_prompt_copy           (const LodgeAuthPrompt *prompt);

/* @cred_type is a VIR_CRED_* value. libvirt translates its prompts, so the
 * kind never depends on English words alone: a host-key question is
 * recognised by its quoted fingerprint and host, a password by its type;
 * the English text only adds the user or the key file. */
LodgeAuthPrompt *lodge_auth_prompt_parse_libvirt  (int              cred_type,
                                                   const char      *prompt,
                                                   const char      *challenge);
/* A prompt OpenSSH gives its askpass program (OpenSSH does not translate). */
LodgeAuthPrompt *lodge_auth_prompt_parse_openssh  (const char      *prompt);

/* Why an SSH connection failed, from libvirt's message (OpenSSH's own words
 * come through "Cannot recv data: …"; libssh's through libvirt's): FALSE
 * when it is no refusal; else *code (LODGE_MODEL_ERROR_AUTH_FAILED or
 * _HOST_KEY_REFUSED) and a message for people in *message. @host names
 * the host (the URI's) in it. */
gboolean         lodge_auth_classify_ssh_failure  (const char      *libvirt_message,
                                                   const char      *host,
                                                   int             *code,
                                                   char           **message);

/* TRUE for "SHA256:<base64>", "MD5:<hex pairs>" or hex pairs "aa:bb:…". */
gboolean         lodge_auth_prompt_is_fingerprint (const char      *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeAuthPrompt, lodge_auth_prompt_free)

G_END_DECLS
