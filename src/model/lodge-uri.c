/* lodge-uri.c: a libvirt connection URI, parsed once, with one set of rules
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-uri"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "model/lodge-types.h"
#include "model/lodge-uri.h"

struct _LodgeUri
{
  gatomicrefcount  ref;
  char            *string;
  char            *driver;
  char            *transport;
  char            *user;
  char            *host;
  int              port;
  char            *path;
  GHashTable      *params;
};

G_DEFINE_BOXED_TYPE (LodgeUri, lodge_uri, lodge_uri_ref, lodge_uri_unref)

static const char * const network_transports[] = {
  "ssh", "libssh", "libssh2", "tcp", "tls", "ext", NULL
};

static gboolean
invalid (GError     **error,
         const char  *uri,
         const char  *why)
{
  g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a libvirt connection address: %s"), uri, why);
  return FALSE;
}

static gboolean
is_name (const char *s)
{
  if (*s == '\0' || !g_ascii_isalpha (*s))
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '-' && *s != '_')
      return FALSE;
  return TRUE;
}

LodgeUri *
lodge_uri_parse (const char  *uri,
                 GError     **error)
{
  g_autoptr(LodgeUri) self = NULL;
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *scheme = NULL;
  const char *plus;
  const char *query;

  g_return_val_if_fail (uri != NULL, NULL);

  if (strchr (uri, ':') == NULL)
    {
      invalid (error, uri, _("it does not start with a driver such as “qemu:”"));
      return NULL;
    }
  /* libvirt URIs are not always valid RFC 3986 ones (test:///ABS/PATH
   * with spaces, say), so parse leniently, without DNS rules on hosts. */
  parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED_QUERY |
                             G_URI_FLAGS_PARSE_RELAXED, &local_error);
  if (parsed == NULL)
    {
      invalid (error, uri, local_error->message);
      return NULL;
    }

  self = g_new0 (LodgeUri, 1);
  g_atomic_ref_count_init (&self->ref);
  self->string = g_strdup (uri);
  self->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  scheme = g_ascii_strdown (g_uri_get_scheme (parsed), -1);
  plus = strchr (scheme, '+');
  if (plus != NULL)
    {
      self->driver = g_strndup (scheme, plus - scheme);
      self->transport = g_strdup (plus + 1);
      if (!is_name (self->transport))
        {
          invalid (error, uri, _("its transport is not a name"));
          return NULL;
        }
    }
  else
    self->driver = g_strdup (scheme);
  if (!is_name (self->driver))
    {
      invalid (error, uri, _("its driver is not a name"));
      return NULL;
    }

  if (g_uri_get_user (parsed) != NULL && *g_uri_get_user (parsed) != '\0')
    self->user = g_strdup (g_uri_get_user (parsed));
  if (g_uri_get_host (parsed) != NULL && *g_uri_get_host (parsed) != '\0')
    self->host = g_strdup (g_uri_get_host (parsed));
  self->port = MAX (g_uri_get_port (parsed), 0);
  if (self->port > 65535)
    {
      invalid (error, uri, _("its port is out of range"));
      return NULL;
    }
  if (self->port > 0 && self->host == NULL)
    {
      invalid (error, uri, _("it has a port but no host"));
      return NULL;
    }
  self->path = g_strdup (g_uri_get_path (parsed));

  query = g_uri_get_query (parsed);
  if (query != NULL && *query != '\0')
    {
      GHashTable *params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &local_error);

      if (params == NULL)
        {
          invalid (error, uri, local_error->message);
          return NULL;
        }
      g_hash_table_unref (self->params);
      self->params = params;
    }

  return g_steal_pointer (&self);
}

LodgeUri *
lodge_uri_ref (LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lodge_uri_unref (LodgeUri *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_free (self->string);
  g_free (self->driver);
  g_free (self->transport);
  g_free (self->user);
  g_free (self->host);
  g_free (self->path);
  g_clear_pointer (&self->params, g_hash_table_unref);
  g_free (self);
}

const char *
lodge_uri_get_string (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->string;
}

const char *
lodge_uri_get_driver (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->driver;
}

const char *
lodge_uri_get_transport (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->transport;
}

const char *
lodge_uri_get_user (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->user;
}

const char *
lodge_uri_get_host (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

int
lodge_uri_get_port (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

const char *
lodge_uri_get_path (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

const char *
lodge_uri_get_param (const LodgeUri *self,
                     const char     *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->params, name);
}

gboolean
lodge_uri_is_remote (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->host != NULL ||
         (self->transport != NULL &&
          g_strv_contains (network_transports, self->transport));
}

gboolean
lodge_uri_is_system (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return g_str_equal (self->path, "/system");
}

gboolean
lodge_uri_is_session (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return g_str_equal (self->path, "/session");
}

gboolean
lodge_uri_is_test (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return g_str_equal (self->driver, "test");
}

gboolean
lodge_uri_has_local_files (const LodgeUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return !lodge_uri_is_remote (self) && !lodge_uri_is_test (self);
}

char *
lodge_uri_build_ssh (const char *user,
                     const char *host,
                     int         port,
                     gboolean    system,
                     const char *keyfile)
{
  g_autofree char *query = NULL;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (host != NULL && *host != '\0', NULL);
  g_return_val_if_fail (port >= 0 && port <= 65535, NULL);

  if (keyfile != NULL && *keyfile != '\0')
    {
      g_autofree char *escaped = g_uri_escape_string (keyfile, "/", FALSE);

      query = g_strconcat ("keyfile=", escaped, NULL);
    }
  uri = g_uri_build_with_user (G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS,
                               "qemu+ssh",
                               user != NULL && *user != '\0' ? user : NULL, NULL, NULL,
                               host, port > 0 ? port : -1,
                               system ? "/system" : "/session", query, NULL);
  return g_uri_to_string (uri);
}
