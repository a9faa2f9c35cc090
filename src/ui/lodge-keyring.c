/* lodge-keyring.c: remembered passwords and passphrases, in the keyring
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-keyring"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "ui/lodge-keyring.h"

static const SecretSchema lodge_keyring_schema = {
  "org.lodge.Lodge.Credential", SECRET_SCHEMA_NONE,
  {
    { "uri", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "key", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

LodgeKeyringKey *
lodge_keyring_key_new (const char    *uri,
                       const char    *host,
                       const char    *user,
                       LodgeAuthKind  kind,
                       const char    *key)
{
  LodgeKeyringKey *self;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (kind == LODGE_AUTH_KIND_PASSWORD || kind == LODGE_AUTH_KIND_PASSPHRASE, NULL);

  self = g_new0 (LodgeKeyringKey, 1);
  self->uri = g_strdup (uri);
  self->host = g_strdup (host != NULL ? host : "");
  self->user = g_strdup (user != NULL ? user : "");
  self->kind = kind;
  self->key = g_strdup (key != NULL ? key : "");
  return self;
}

LodgeKeyringKey *
lodge_keyring_key_new_for_request (LodgeAuthRequest *request)
{
  LodgeAuthKind kind;
  const char *uri;

  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (request), NULL);

  kind = lodge_auth_request_get_kind (request);
  uri = lodge_auth_request_get_uri (request);
  if (uri == NULL || (kind != LODGE_AUTH_KIND_PASSWORD && kind != LODGE_AUTH_KIND_PASSPHRASE))
    return NULL;

  return lodge_keyring_key_new (uri, lodge_auth_request_get_host (request),
                                lodge_auth_request_get_user (request), kind,
                                lodge_auth_request_get_key_file (request));
}

LodgeKeyringKey *
lodge_keyring_key_copy (const LodgeKeyringKey *key)
{
  return lodge_keyring_key_new (key->uri, key->host, key->user, key->kind, key->key);
}

void
lodge_keyring_key_free (LodgeKeyringKey *key)
{
  if (key == NULL)
    return;
  g_free (key->uri);
  g_free (key->host);
  g_free (key->user);
  g_free (key->key);
  g_free (key);
}

static const char *
kind_name (LodgeAuthKind kind)
{
  return kind == LODGE_AUTH_KIND_PASSPHRASE ? "passphrase" : "password";
}

/* What finds the secret again: the URI and who, not the host as a
 * transport spelled it. */
static GHashTable *
lookup_attributes (const LodgeKeyringKey *key)
{
  /* Copies: libsecret keeps the table until its call completes, after
   * the caller's key may be gone. */
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (char *) "uri", g_strdup (key->uri));
  g_hash_table_insert (attributes, (char *) "user", g_strdup (key->user));
  g_hash_table_insert (attributes, (char *) "kind", g_strdup (kind_name (key->kind)));
  g_hash_table_insert (attributes, (char *) "key", g_strdup (key->key));
  return attributes;
}

void
lodge_keyring_lookup_async (const LodgeKeyringKey *key,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (key != NULL);

  attributes = lookup_attributes (key);
  secret_password_lookupv (&lodge_keyring_schema, attributes, cancellable, callback, user_data);
}

char *
lodge_keyring_lookup_finish (GAsyncResult  *result,
                             GError       **error)
{
  return secret_password_lookup_finish (result, error);
}

void
lodge_keyring_store_async (const LodgeKeyringKey *key,
                           const char            *secret,
                           GCancellable          *cancellable,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (key != NULL);
  g_return_if_fail (secret != NULL);

  attributes = lookup_attributes (key);
  g_hash_table_insert (attributes, (char *) "host", g_strdup (key->host));
  if (key->kind == LODGE_AUTH_KIND_PASSPHRASE)
    /* Translators: the name of a secret in the keyring application; %s
     * is a private key's file. */
    label = g_strdup_printf (_("Lodge: passphrase of the key %s"), key->key);
  else if (key->user[0] != '\0')
    /* Translators: the name of a secret in the keyring application: a
     * user's password on a host. */
    label = g_strdup_printf (_("Lodge: password of %s on %s"), key->user,
                             key->host[0] != '\0' ? key->host : key->uri);
  else
    label = g_strdup_printf (_("Lodge: password for %s"), key->uri);

  secret_password_storev (&lodge_keyring_schema, attributes, SECRET_COLLECTION_DEFAULT, label,
                          secret, cancellable, callback, user_data);
}

gboolean
lodge_keyring_store_finish (GAsyncResult  *result,
                            GError       **error)
{
  return secret_password_store_finish (result, error);
}

void
lodge_keyring_clear_async (const LodgeKeyringKey *key,
                           GCancellable          *cancellable,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (key != NULL);

  attributes = lookup_attributes (key);
  secret_password_clearv (&lodge_keyring_schema, attributes, cancellable, callback, user_data);
}

gboolean
lodge_keyring_clear_finish (GAsyncResult  *result,
                            GError       **error)
{
  return secret_password_clear_finish (result, error);
}

void
lodge_keyring_free_secret (char *secret)
{
  if (secret != NULL)
    secret_password_free (secret);
}
