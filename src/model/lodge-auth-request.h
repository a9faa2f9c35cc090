/* lodge-auth-request.h: a credential question from libvirt for the UI
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_AUTH_REQUEST (lodge_auth_request_get_type ())

G_DECLARE_FINAL_TYPE (LodgeAuthRequest, lodge_auth_request, LODGE, AUTH_REQUEST, GObject)

/* LodgeConnection emits ::authenticate (LodgeAuthRequest *) on the main
 * thread while its attempt to connect waits; a handler keeps a reference
 * and later answers, exactly once. With no handler the request is
 * cancelled and the open fails with LODGE_MODEL_ERROR_AUTH_CANCELLED.
 *
 * The questions come from libvirt's auth callback (the libssh transport,
 * SASL, the test driver) or from OpenSSH through Lodge's askpass program
 * (lodge-askpass-server.h); both look the same here.
 *
 * Within one attempt to connect, questions of one kind are counted: a
 * second password question means the host refused the first answer
 * (n-refused), and after a few refusals the attempt gives up by itself
 * (LODGE_MODEL_ERROR_AUTH_FAILED) rather than ask without end. A
 * remembered secret is sent at most once per kind and attempt.
 *
 * Signals: withdrawn () the question no longer needs an answer (the
 * attempt ended or was cancelled, ssh went away): close its dialog.
 * Properties (read-only): kind (LodgeAuthKind), uri, prompt, host, user,
 * fingerprint, n-refused, remembered-refused, needs-username,
 * needs-password, finished. */

/* The connection that asks, or NULL (a question Lodge could not tie to
 * one of its connections). */
LodgeConnection *lodge_auth_request_get_connection     (LodgeAuthRequest *self);
/* The URI being opened, or NULL when no connection is known. */
const char      *lodge_auth_request_get_uri            (LodgeAuthRequest *self);
/* The question as libvirt or ssh wrote it. */
const char      *lodge_auth_request_get_prompt         (LodgeAuthRequest *self);
LodgeAuthKind    lodge_auth_request_get_kind           (LodgeAuthRequest *self);
/* The host the prompt names ("[127.0.0.5]:2225"), else the URI's host;
 * NULL when neither says. */
const char      *lodge_auth_request_get_host           (LodgeAuthRequest *self);
/* The user the prompt names, else the URI's; may be NULL. */
const char      *lodge_auth_request_get_user           (LodgeAuthRequest *self);
/* LODGE_AUTH_KIND_HOST_KEY: the key's fingerprint ("SHA256:…", or hex
 * pairs of a hash) and type ("ED25519"), when the prompt says. */
const char      *lodge_auth_request_get_fingerprint    (LodgeAuthRequest *self);
const char      *lodge_auth_request_get_key_type       (LodgeAuthRequest *self);
/* LODGE_AUTH_KIND_PASSPHRASE: the private key's file, when known. */
const char      *lodge_auth_request_get_key_file       (LodgeAuthRequest *self);
/* Whether an answer may be shown as it is typed. */
gboolean         lodge_auth_request_get_echo           (LodgeAuthRequest *self);
/* How many earlier answers of this kind the host refused in this attempt. */
guint            lodge_auth_request_get_n_refused      (LodgeAuthRequest *self);
/* The last refused answer was a remembered one (from the keyring). */
gboolean         lodge_auth_request_get_remembered_refused (LodgeAuthRequest *self);
/* A remembered answer may still be given (none of this kind was sent in
 * this attempt). */
gboolean         lodge_auth_request_get_can_use_remembered (LodgeAuthRequest *self);
gboolean         lodge_auth_request_get_needs_username (LodgeAuthRequest *self);
gboolean         lodge_auth_request_get_needs_password (LodgeAuthRequest *self);
/* Answered, cancelled or withdrawn. */
gboolean         lodge_auth_request_get_finished       (LodgeAuthRequest *self);

/* The user's answer: @username for a user name or any question whose
 * answer is shown, @password for a password, passphrase or hidden answer. */
void             lodge_auth_request_answer             (LodgeAuthRequest *self,
                                                        const char       *username,
                                                        const char       *password);
/* LODGE_AUTH_KIND_HOST_KEY: refusing is an answer (the connection then
 * fails with LODGE_MODEL_ERROR_HOST_KEY_REFUSED), not a cancel. */
void             lodge_auth_request_accept_host_key    (LodgeAuthRequest *self,
                                                        gboolean          accept);
/* A secret from the keyring, not from the user. FALSE, and the request
 * stays open, when a remembered secret of this kind was already sent in
 * this attempt: ask the user instead. */
gboolean         lodge_auth_request_answer_remembered  (LodgeAuthRequest *self,
                                                        const char       *secret);
/* The user does not want to answer: the attempt fails with
 * LODGE_MODEL_ERROR_AUTH_CANCELLED and asks nothing more. */
void             lodge_auth_request_cancel             (LodgeAuthRequest *self);

G_END_DECLS
