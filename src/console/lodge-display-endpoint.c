/* lodge-display-endpoint.c: where a remote display is and how to open it
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-display-endpoint"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lodge-display-endpoint.h"

/* Connection files are a few kilobytes; anything this big is not one. */
#define VV_MAX_SIZE (1024 * 1024)
#define VV_GROUP "virt-viewer"

struct _LodgeDisplayEndpoint
{
  gatomicrefcount       ref;
  LodgeDisplayProtocol  protocol;
  char                 *host;
  int                   port;
  int                   tls_port;
  char                 *socket;
  char                 *password;
  char                 *ca_certificate;
  char                 *ca_file;
  char                 *host_subject;
  char                 *proxy;
  char                 *title;
  char                 *release_cursor;
  char                 *secure_attention;
  char                 *usb_filter;
  LodgeDisplayToggle    fullscreen;
  LodgeDisplayToggle    delete_this_file;
  LodgeDisplayToggle    enable_usbredir;
  LodgeDisplayToggle    enable_smartcard;
  LodgeDisplayToggle    enable_usb_autoshare;
  char                **unknown_keys;
};

G_DEFINE_BOXED_TYPE (LodgeDisplayEndpoint, lodge_display_endpoint,
                     lodge_display_endpoint_ref, lodge_display_endpoint_unref)

static LodgeDisplayEndpoint *
endpoint_new (void)
{
  LodgeDisplayEndpoint *self = g_new0 (LodgeDisplayEndpoint, 1);

  g_atomic_ref_count_init (&self->ref);
  self->port = -1;
  self->tls_port = -1;
  return self;
}

static void
free_secret (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

LodgeDisplayEndpoint *
lodge_display_endpoint_ref (LodgeDisplayEndpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lodge_display_endpoint_unref (LodgeDisplayEndpoint *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref))
    return;

  g_free (self->host);
  g_free (self->socket);
  free_secret (self->password);
  g_free (self->ca_certificate);
  g_free (self->ca_file);
  g_free (self->host_subject);
  free_secret (self->proxy);
  g_free (self->title);
  g_free (self->release_cursor);
  g_free (self->secure_attention);
  g_free (self->usb_filter);
  g_strfreev (self->unknown_keys);
  g_free (self);
}

/* Takes @unknown, a GPtrArray of strings, however things went. */
static void
endpoint_take_unknown_keys (LodgeDisplayEndpoint *self,
                            GPtrArray            *unknown)
{
  g_assert (self->unknown_keys == NULL);

  g_ptr_array_add (unknown, NULL);
  self->unknown_keys = (char **) g_ptr_array_free (unknown, FALSE);
}

/* Ports ----------------------------------------------------------------- */

/* A port from 1 to 65535; "" is none. The message names the text. */
static gboolean
parse_port (const char  *text,
            gboolean     tls,
            int         *port,
            GError     **error)
{
  guint64 value;
  g_autoptr(GError) local_error = NULL;

  g_assert (text != NULL);

  if (*text == '\0')
    {
      *port = -1;
      return TRUE;
    }

  if (g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &value, &local_error))
    {
      *port = (int) value;
      return TRUE;
    }

  if (g_error_matches (local_error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
    g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                 tls ? _("The TLS port %s is out of range: ports go from 1 to 65535")
                     : _("The port %s is out of range: ports go from 1 to 65535"),
                 text);
  else
    g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                 tls ? _("The TLS port “%s” is not a number")
                     : _("The port “%s” is not a number"),
                 text);
  return FALSE;
}

/* URIs ------------------------------------------------------------------ */

typedef struct
{
  const char           *scheme;
  LodgeDisplayProtocol  protocol;
  gboolean              tls;
  gboolean              unix_socket;
} Scheme;

static const Scheme schemes[] = {
  { "spice", LODGE_DISPLAY_PROTOCOL_SPICE, FALSE, FALSE },
  { "spice+tls", LODGE_DISPLAY_PROTOCOL_SPICE, TRUE, FALSE },
  { "spice+unix", LODGE_DISPLAY_PROTOCOL_SPICE, FALSE, TRUE },
  { "vnc", LODGE_DISPLAY_PROTOCOL_VNC, FALSE, FALSE },
  { "vnc+unix", LODGE_DISPLAY_PROTOCOL_VNC, FALSE, TRUE },
};

/* The port text of an authority GUri refused, for the message:
 * "[::1]:99999" → "99999". */
static char *
uri_port_text (const char *uri)
{
  const char *start = strstr (uri, "://");
  const char *end;
  const char *at;
  const char *colon;

  if (start == NULL)
    return g_strdup ("");
  start += 3;
  end = start + strcspn (start, "/?#");
  at = g_strstr_len (start, end - start, "@");
  while (at != NULL)
    {
      start = at + 1;
      at = g_strstr_len (start, end - start, "@");
    }
  if (*start == '[')
    {
      const char *bracket = g_strstr_len (start, end - start, "]");

      if (bracket != NULL)
        start = bracket;
    }
  colon = g_strstr_len (start, end - start, ":");
  if (colon == NULL)
    return g_strdup ("");
  return g_strndup (colon + 1, end - colon - 1);
}

static gboolean
uri_error (GError      *uri_error,
           const char  *uri,
           const Scheme *scheme,
           GError     **error)
{
  if (g_error_matches (uri_error, G_URI_ERROR, G_URI_ERROR_BAD_PORT))
    {
      g_autofree char *text = uri_port_text (uri);
      int port;

      /* An empty port is valid in a URI; whatever GUri refused is not. */
      if (!parse_port (text, scheme->tls, &port, error))
        return FALSE;
      g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                   _("The port “%s” is out of range: ports go from 1 to 65535"), text);
    }
  else if (scheme->unix_socket && g_error_matches (uri_error, G_URI_ERROR, G_URI_ERROR_BAD_PATH))
    g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_SOCKET,
                 _("The socket path is not valid: %s"), uri_error->message);
  else
    g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_ADDRESS,
                 _("The address is not valid: %s"), uri_error->message);
  return FALSE;
}

/* GUri takes spaces, and decodes %2F, in a host name: no resolver does. */
static gboolean
host_is_valid (const char *host)
{
  for (const char *p = host; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f || strchr ("/?#@\\", *p) != NULL)
      return FALSE;
  return TRUE;
}

/* The query: port=, tls-port= and password=, as spice-gtk reads them; the
 * rest is listed as unknown. */
static gboolean
read_uri_query (LodgeDisplayEndpoint  *self,
                const Scheme          *scheme,
                const char            *query,
                GPtrArray             *unknown,
                GError               **error)
{
  GUriParamsIter iter;
  char *attr;
  char *value;
  g_autoptr(GError) local_error = NULL;

  g_uri_params_iter_init (&iter, query, -1, "&", G_URI_PARAMS_NONE);
  while (g_uri_params_iter_next (&iter, &attr, &value, &local_error))
    {
      g_autofree char *key = attr;
      g_autofree char *text = value;
      gboolean network = !scheme->unix_socket;

      if (network && g_str_equal (key, "port") && scheme->protocol == LODGE_DISPLAY_PROTOCOL_SPICE)
        {
          if (self->port != -1)
            {
              g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                                   _("The port is given twice"));
              return FALSE;
            }
          if (!parse_port (text, FALSE, &self->port, error))
            return FALSE;
        }
      else if (network && g_str_equal (key, "tls-port")
               && scheme->protocol == LODGE_DISPLAY_PROTOCOL_SPICE)
        {
          if (self->tls_port != -1)
            {
              g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                                   _("The TLS port is given twice"));
              return FALSE;
            }
          if (!parse_port (text, TRUE, &self->tls_port, error))
            return FALSE;
        }
      else if (g_str_equal (key, "password"))
        {
          free_secret (self->password);
          self->password = g_steal_pointer (&text);
        }
      else
        g_ptr_array_add (unknown, g_steal_pointer (&key));

      if (text != NULL)
        memset (text, 0, strlen (text));
    }

  if (local_error != NULL)
    {
      g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_ADDRESS,
                   _("The address is not valid: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * lodge_display_endpoint_new_from_uri:
 * @uri: a spice://, spice+tls://, spice+unix://, vnc:// or vnc+unix:// URI
 * @error: return location for a LODGE_CONSOLE_ERROR
 *
 * Surrounding white space is ignored. A SPICE address needs a port or a
 * TLS port; a VNC one without a port gets 5900.
 *
 * Returns: (transfer full): the endpoint, or %NULL with @error set
 */
LodgeDisplayEndpoint *
lodge_display_endpoint_new_from_uri (const char  *uri,
                                     GError     **error)
{
  g_autoptr(LodgeDisplayEndpoint) self = NULL;
  g_autoptr(GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  const char *scheme_name;
  const Scheme *scheme = NULL;
  const char *host;
  const char *query;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  text = g_strstrip (g_strdup (uri != NULL ? uri : ""));
  if (*text == '\0')
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_ADDRESS,
                           _("No address given"));
      return NULL;
    }

  scheme_name = g_uri_peek_scheme (text);
  if (scheme_name == NULL)
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_ADDRESS,
                           _("The address does not say its protocol: it should begin with "
                             "spice://, spice+tls://, spice+unix://, vnc:// or vnc+unix://"));
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_str_equal (scheme_name, schemes[i].scheme))
      scheme = &schemes[i];
  if (scheme == NULL)
    {
      g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_UNKNOWN_PROTOCOL,
                   _("Lodge cannot open “%s:” addresses, only spice://, spice+tls://, "
                     "spice+unix://, vnc:// and vnc+unix:// ones"),
                   scheme_name);
      return NULL;
    }

  /* The query stays encoded: its values are decoded one by one, so an
   * escaped & stays in its value. */
  parsed = g_uri_parse (text, G_URI_FLAGS_ENCODED_QUERY, &local_error);
  if (parsed == NULL)
    {
      uri_error (local_error, text, scheme, error);
      return NULL;
    }

  self = endpoint_new ();
  self->protocol = scheme->protocol;
  host = g_uri_get_host (parsed);

  /* Neither remote-viewer nor Lodge reads credentials there: say so. */
  if (g_uri_get_userinfo (parsed) != NULL)
    g_ptr_array_add (unknown, g_strdup ("user"));

  if (scheme->unix_socket)
    {
      const char *path = g_uri_get_path (parsed);

      /* spice+unix://run/x.sock is a host "run" and a path "/x.sock". */
      if ((host != NULL && *host != '\0') || !g_path_is_absolute (path))
        {
          g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_SOCKET,
                       _("The socket path must be absolute, as in %s:///run/display.sock"),
                       scheme->scheme);
          return NULL;
        }
      self->socket = g_strdup (path);
    }
  else
    {
      if (host == NULL || *host == '\0')
        {
          g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_MISSING_HOST,
                               _("The address has no host name"));
          return NULL;
        }
      if (!host_is_valid (host))
        {
          g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_ADDRESS,
                       _("The host name “%s” is not valid"), host);
          return NULL;
        }
      self->host = g_strdup (host);
      if (scheme->tls)
        self->tls_port = g_uri_get_port (parsed);
      else
        self->port = g_uri_get_port (parsed);
      if (self->port == 0 || self->tls_port == 0)
        {
          g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                               _("The port 0 is out of range: ports go from 1 to 65535"));
          return NULL;
        }
    }

  query = g_uri_get_query (parsed);
  if (query != NULL && !read_uri_query (self, scheme, query, unknown, error))
    return NULL;

  if (self->protocol == LODGE_DISPLAY_PROTOCOL_VNC && self->socket == NULL && self->port == -1)
    self->port = LODGE_DISPLAY_ENDPOINT_VNC_DEFAULT_PORT;
  if (self->protocol == LODGE_DISPLAY_PROTOCOL_SPICE && self->socket == NULL
      && self->port == -1 && self->tls_port == -1)
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                           _("The address has no port: give one, as in spice://HOST:5900"));
      return NULL;
    }

  endpoint_take_unknown_keys (self, g_steal_pointer (&unknown));
  return g_steal_pointer (&self);
}

/* .vv files ------------------------------------------------------------- */

typedef enum
{
  VV_TYPE,
  VV_STRING,
  VV_PORT,
  VV_TLS_PORT,
  VV_CA,
  VV_TOGGLE,
  VV_IGNORED,
} VvKind;

#define FIELD(name) G_STRUCT_OFFSET (LodgeDisplayEndpoint, name)

static const struct
{
  const char *key;
  VvKind      kind;
  gsize       offset;
} vv_keys[] = {
  { "type", VV_TYPE, 0 },
  { "host", VV_STRING, FIELD (host) },
  { "port", VV_PORT, FIELD (port) },
  { "tls-port", VV_TLS_PORT, FIELD (tls_port) },
  { "password", VV_STRING, FIELD (password) },
  { "ca", VV_CA, 0 },
  { "host-subject", VV_STRING, FIELD (host_subject) },
  { "proxy", VV_STRING, FIELD (proxy) },
  { "title", VV_STRING, FIELD (title) },
  { "release-cursor", VV_STRING, FIELD (release_cursor) },
  { "secure-attention", VV_STRING, FIELD (secure_attention) },
  { "usb-filter", VV_STRING, FIELD (usb_filter) },
  { "fullscreen", VV_TOGGLE, FIELD (fullscreen) },
  { "delete-this-file", VV_TOGGLE, FIELD (delete_this_file) },
  { "enable-usbredir", VV_TOGGLE, FIELD (enable_usbredir) },
  { "enable-smartcard", VV_TOGGLE, FIELD (enable_smartcard) },
  { "enable-usb-autoshare", VV_TOGGLE, FIELD (enable_usb_autoshare) },
  /* virt-viewer's format has no socket key; "x-" is its prefix for
   * extensions. */
  { "x-lodge-socket", VV_STRING, FIELD (socket) },
  /* These gate which virt-viewer versions may open the file: nothing for
   * Lodge to honour, nor to warn about. */
  { "version", VV_IGNORED, 0 },
  { "versions", VV_IGNORED, 0 },
  { "newer-version-url", VV_IGNORED, 0 },
};

#undef FIELD

/* 1/0 as virt-viewer writes them, true/false as GKeyFile does. */
static gboolean
parse_toggle (const char          *key,
              const char          *text,
              LodgeDisplayToggle  *toggle,
              GError             **error)
{
  if (g_str_equal (text, "1") || g_ascii_strcasecmp (text, "true") == 0)
    *toggle = LODGE_DISPLAY_TOGGLE_ON;
  else if (g_str_equal (text, "0") || g_ascii_strcasecmp (text, "false") == 0)
    *toggle = LODGE_DISPLAY_TOGGLE_OFF;
  else
    {
      g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                   _("The value of %s must be 1, 0, true or false, not “%s”"), key, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_vv_key (LodgeDisplayEndpoint  *self,
             const char            *key,
             char                  *value,
             char                 **type,
             GPtrArray             *unknown,
             GError               **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (vv_keys); i++)
    {
      gpointer field = G_STRUCT_MEMBER_P (self, vv_keys[i].offset);

      if (!g_str_equal (key, vv_keys[i].key))
        continue;

      /* A PEM certificate keeps its last line end. */
      if (vv_keys[i].kind != VV_CA)
        g_strstrip (value);

      switch (vv_keys[i].kind)
        {
        case VV_TYPE:
          g_free (*type);
          *type = g_strdup (value);
          return TRUE;

        case VV_STRING:
          free_secret (*(char **) field);
          *(char **) field = g_strdup (value);
          return TRUE;

        case VV_PORT:
        case VV_TLS_PORT:
          /* oVirt writes -1 for a port it does not offer. */
          if (g_str_equal (value, "-1"))
            {
              *(int *) field = -1;
              return TRUE;
            }
          return parse_port (value, vv_keys[i].kind == VV_TLS_PORT, field, error);

        case VV_CA:
          g_clear_pointer (&self->ca_certificate, g_free);
          g_clear_pointer (&self->ca_file, g_free);
          if (strstr (value, "-----BEGIN") != NULL)
            self->ca_certificate = g_strdup (value);
          else if (g_path_is_absolute (value))
            self->ca_file = g_strdup (value);
          else
            {
              g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                                   _("The value of ca is neither a PEM certificate nor the "
                                     "absolute path of one"));
              return FALSE;
            }
          return TRUE;

        case VV_TOGGLE:
          return parse_toggle (key, value, field, error);

        case VV_IGNORED:
          return TRUE;

        default:
          g_assert_not_reached ();
        }
    }

  g_ptr_array_add (unknown, g_strdup (key));
  return TRUE;
}

/* The keys that contradict the address: listed as not honoured. */
static void
drop_unused_ports (LodgeDisplayEndpoint *self,
                   GPtrArray            *unknown)
{
  if (self->socket != NULL && self->port != -1)
    {
      self->port = -1;
      g_ptr_array_add (unknown, g_strdup ("port"));
    }
  if ((self->socket != NULL || self->protocol == LODGE_DISPLAY_PROTOCOL_VNC)
      && self->tls_port != -1)
    {
      self->tls_port = -1;
      g_ptr_array_add (unknown, g_strdup ("tls-port"));
    }
}

/**
 * lodge_display_endpoint_new_from_vv_data:
 * @data: the contents of a virt-viewer connection file (.vv)
 * @len: the length of @data, or -1 when it ends with a NUL
 * @error: return location for a LODGE_CONSOLE_ERROR
 *
 * Reads the [virt-viewer] group: type (spice or vnc), host, port, tls-port,
 * password, ca (PEM with \n escapes, or an absolute path), host-subject,
 * proxy, title, release-cursor, secure-attention, usb-filter and the
 * toggles fullscreen, delete-this-file, enable-usbredir, enable-smartcard
 * and enable-usb-autoshare (1/0 or true/false). A unix socket instead of a
 * host: x-lodge-socket=/absolute/path. An empty value counts as absent;
 * -1 as a port too. Other keys, and other groups as "[group]", are listed
 * by lodge_display_endpoint_get_unknown_keys(); so are ports that do not
 * apply (a TLS port for VNC, ports beside a socket).
 *
 * The messages do not name the file: prefix them with its name.
 *
 * Returns: (transfer full): the endpoint, or %NULL with @error set
 */
LodgeDisplayEndpoint *
lodge_display_endpoint_new_from_vv_data (const char  *data,
                                         gsize        len,
                                         GError     **error)
{
  g_autoptr(LodgeDisplayEndpoint) self = NULL;
  g_autoptr(GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GKeyFile) key_file = NULL;
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *type = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len == (gsize) -1)
    len = strlen (data);
  if (len > VV_MAX_SIZE)
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                           _("The connection file is larger than 1 MiB: it is not one"));
      return NULL;
    }
  if (len == 0)
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                           _("The connection file is empty"));
      return NULL;
    }

  /* GKeyFile's own message quotes the line it could not read, which may
   * hold the password: this one does not. */
  key_file = g_key_file_new ();
  if (!g_key_file_load_from_data (key_file, data, len, G_KEY_FILE_NONE, NULL))
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                           _("This is not a connection file: it is not made of [groups] "
                             "and key=value lines"));
      return NULL;
    }
  if (!g_key_file_has_group (key_file, VV_GROUP))
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                           _("This is not a connection file: it has no [virt-viewer] group"));
      return NULL;
    }

  self = endpoint_new ();

  keys = g_key_file_get_keys (key_file, VV_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *value = g_key_file_get_string (key_file, VV_GROUP, keys[i], &local_error);
      gboolean ok;

      if (value == NULL)
        {
          g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                       _("The value of %s is not valid text"), keys[i]);
          return NULL;
        }
      ok = value[strspn (value, " \t\r\n")] == '\0'
           || read_vv_key (self, keys[i], value, &type, unknown, error);
      memset (value, 0, strlen (value));
      if (!ok)
        return NULL;
    }

  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (!g_str_equal (groups[i], VV_GROUP))
      g_ptr_array_add (unknown, g_strdup_printf ("[%s]", groups[i]));

  if (type == NULL)
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                           _("The connection file does not give its type: spice or vnc"));
      return NULL;
    }
  if (g_ascii_strcasecmp (type, "spice") == 0)
    self->protocol = LODGE_DISPLAY_PROTOCOL_SPICE;
  else if (g_ascii_strcasecmp (type, "vnc") == 0)
    self->protocol = LODGE_DISPLAY_PROTOCOL_VNC;
  else
    {
      g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_UNKNOWN_PROTOCOL,
                   _("Lodge cannot open displays of type “%s”, only spice and vnc ones"), type);
      return NULL;
    }

  if (self->socket != NULL)
    {
      if (self->host != NULL)
        {
          g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                               _("The connection file gives both a host and a socket"));
          return NULL;
        }
      if (!g_path_is_absolute (self->socket))
        {
          g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_SOCKET,
                       _("The socket path “%s” is not absolute"), self->socket);
          return NULL;
        }
    }
  else if (self->host == NULL)
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_MISSING_HOST,
                           _("The connection file has no host"));
      return NULL;
    }
  else
    {
      /* The same rules as in an address (found by fuzz-vv): no spaces or
       * controls, and an international name in its ASCII form, as GUri
       * gives it, so that the file and its address name one host. */
      g_autofree char *ascii = host_is_valid (self->host) ? g_hostname_to_ascii (self->host) : NULL;

      if (ascii == NULL)
        {
          g_set_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE,
                       _("The host name “%s” in the connection file is not valid"), self->host);
          return NULL;
        }
      g_free (self->host);
      self->host = g_steal_pointer (&ascii);
    }

  drop_unused_ports (self, unknown);
  if (self->protocol == LODGE_DISPLAY_PROTOCOL_VNC && self->socket == NULL && self->port == -1)
    self->port = LODGE_DISPLAY_ENDPOINT_VNC_DEFAULT_PORT;
  if (self->protocol == LODGE_DISPLAY_PROTOCOL_SPICE && self->socket == NULL
      && self->port == -1 && self->tls_port == -1)
    {
      g_set_error_literal (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_PORT,
                           _("The connection file has neither a port nor a tls-port"));
      return NULL;
    }

  endpoint_take_unknown_keys (self, g_steal_pointer (&unknown));
  return g_steal_pointer (&self);
}

LodgeDisplayEndpoint *
lodge_display_endpoint_new_from_vv_file (GFile         *file,
                                         GCancellable  *cancellable,
                                         GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *buffer = NULL;
  LodgeDisplayEndpoint *self;
  gsize len = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  /* One byte more than allowed tells a file that is too big. */
  buffer = g_malloc (VV_MAX_SIZE + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, VV_MAX_SIZE + 1, &len,
                                cancellable, error))
    return NULL;

  self = lodge_display_endpoint_new_from_vv_data (buffer, len, error);
  memset (buffer, 0, len);
  return self;
}

/* Getters --------------------------------------------------------------- */

LodgeDisplayProtocol
lodge_display_endpoint_get_protocol (const LodgeDisplayEndpoint *self)
{
  g_return_val_if_fail (self != NULL, LODGE_DISPLAY_PROTOCOL_SPICE);

  return self->protocol;
}

#define STRING_GETTER(name) \
  const char * \
  lodge_display_endpoint_get_##name (const LodgeDisplayEndpoint *self) \
  { \
    g_return_val_if_fail (self != NULL, NULL); \
    return self->name; \
  }

#define TOGGLE_GETTER(name) \
  LodgeDisplayToggle \
  lodge_display_endpoint_get_##name (const LodgeDisplayEndpoint *self) \
  { \
    g_return_val_if_fail (self != NULL, LODGE_DISPLAY_TOGGLE_UNSET); \
    return self->name; \
  }

STRING_GETTER (host)
STRING_GETTER (socket)
STRING_GETTER (password)
STRING_GETTER (ca_certificate)
STRING_GETTER (ca_file)
STRING_GETTER (host_subject)
STRING_GETTER (proxy)
STRING_GETTER (title)
STRING_GETTER (release_cursor)
STRING_GETTER (secure_attention)
STRING_GETTER (usb_filter)
TOGGLE_GETTER (fullscreen)
TOGGLE_GETTER (delete_this_file)
TOGGLE_GETTER (enable_usbredir)
TOGGLE_GETTER (enable_smartcard)
TOGGLE_GETTER (enable_usb_autoshare)

#undef STRING_GETTER
#undef TOGGLE_GETTER

int
lodge_display_endpoint_get_port (const LodgeDisplayEndpoint *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->port;
}

int
lodge_display_endpoint_get_tls_port (const LodgeDisplayEndpoint *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->tls_port;
}

const char * const *
lodge_display_endpoint_get_unknown_keys (const LodgeDisplayEndpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->unknown_keys;
}

/**
 * lodge_display_endpoint_to_uri:
 * @self: an endpoint
 *
 * spice://HOST:PORT, spice+tls://HOST:TLS-PORT, spice://HOST:PORT?tls-port=T
 * with both, vnc://HOST:PORT, or spice+unix:// or vnc+unix:// with the
 * socket's path; IPv6 hosts in brackets, parts percent-encoded.
 *
 * Returns: (transfer full): the URI, without the password
 */
char *
lodge_display_endpoint_to_uri (const LodgeDisplayEndpoint *self)
{
  gboolean spice;
  g_autofree char *query = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  spice = self->protocol == LODGE_DISPLAY_PROTOCOL_SPICE;
  if (self->socket != NULL)
    return g_uri_join (G_URI_FLAGS_NONE, spice ? "spice+unix" : "vnc+unix",
                       NULL, "", -1, self->socket, NULL, NULL);

  if (spice && self->port == -1)
    return g_uri_join (G_URI_FLAGS_NONE, "spice+tls", NULL, self->host, self->tls_port,
                       "", NULL, NULL);
  if (spice && self->tls_port != -1)
    query = g_strdup_printf ("tls-port=%d", self->tls_port);
  return g_uri_join (G_URI_FLAGS_ENCODED_QUERY, spice ? "spice" : "vnc", NULL, self->host,
                     self->port, "", query, NULL);
}
