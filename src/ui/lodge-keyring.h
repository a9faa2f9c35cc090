/* lodge-keyring.h: remembered passwords and passphrases, in the keyring
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lodge's own secret schema, "org.lodge.Lodge.Credential", through
 * libsecret's asynchronous calls (the Secret Service answers over D-Bus;
 * the main thread never waits). Attributes: uri (the host's libvirt URI),
 * host and user (as the question named them), kind ("password" or
 * "passphrase") and key (a passphrase's key file, else ""). Secrets go
 * nowhere else: not to GSettings, files or logs.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

typedef struct
{
  char          *uri;
  char          *host;
  char          *user;
  LodgeAuthKind  kind;     /* PASSWORD or PASSPHRASE */
  char          *key;
} LodgeKeyringKey;

/* NULL when the question cannot be remembered: not a password or key
 * passphrase, or not tied to one of Lodge's hosts. */
LodgeKeyringKey *lodge_keyring_key_new_for_request (LodgeAuthRequest *request);
LodgeKeyringKey *lodge_keyring_key_new          (const char        *uri,
                                                 const char        *host,
                                                 const char        *user,
                                                 LodgeAuthKind      kind,
                                                 const char        *key);
LodgeKeyringKey *lodge_keyring_key_copy         (const LodgeKeyringKey *key);
void             lodge_keyring_key_free         (LodgeKeyringKey   *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeKeyringKey, lodge_keyring_key_free)

/* The secret, or NULL (with no error) when none is stored. Free it with
 * lodge_keyring_free_secret() (it wipes the memory). */
void             lodge_keyring_lookup_async     (const LodgeKeyringKey *key,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char            *lodge_keyring_lookup_finish    (GAsyncResult        *result,
                                                 GError             **error);
/* Stores in the default collection (the login keyring), replacing one. */
void             lodge_keyring_store_async      (const LodgeKeyringKey *key,
                                                 const char          *secret,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean         lodge_keyring_store_finish     (GAsyncResult        *result,
                                                 GError             **error);
/* Forgets it; TRUE when there was one. */
void             lodge_keyring_clear_async      (const LodgeKeyringKey *key,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean         lodge_keyring_clear_finish     (GAsyncResult        *result,
                                                 GError             **error);
void             lodge_keyring_free_secret      (char                *secret);

G_END_DECLS
