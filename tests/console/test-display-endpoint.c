/* test-display-endpoint.c: spice:// and vnc:// URIs, and .vv files
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-display-endpoint"

#include "config.h"

#include <string.h>

#include "console/lodge-console-enums.h"
#include "console/lodge-display-endpoint.h"

#define SPICE LODGE_DISPLAY_PROTOCOL_SPICE
#define VNC LODGE_DISPLAY_PROTOCOL_VNC
#define PASSWORD "s3cr3t-pw"

/* Comma-separated, "" for none. */
static char *
join_unknown (const LodgeDisplayEndpoint *endpoint)
{
  return g_strjoinv (",", (char **) lodge_display_endpoint_get_unknown_keys (endpoint));
}

/* URIs ------------------------------------------------------------------ */

typedef struct
{
  const char           *uri;
  LodgeDisplayProtocol  protocol;
  const char           *host;
  int                   port;
  int                   tls_port;
  const char           *socket;
  const char           *password;
  const char           *unknown;
  const char           *to_uri;
} GoodUri;

static const GoodUri good_uris[] = {
  { "spice://localhost:5900", SPICE, "localhost", 5900, -1, NULL, NULL, "",
    "spice://localhost:5900" },
  { "  spice://host.example.org:5930/\n", SPICE, "host.example.org", 5930, -1, NULL, NULL, "",
    "spice://host.example.org:5930" },
  { "SPICE://Host:1", SPICE, "Host", 1, -1, NULL, NULL, "", "spice://Host:1" },
  { "spice://host?port=5900&tls-port=5901", SPICE, "host", 5900, 5901, NULL, NULL, "",
    "spice://host:5900?tls-port=5901" },
  { "spice://host?tls-port=5901", SPICE, "host", -1, 5901, NULL, NULL, "",
    "spice+tls://host:5901" },
  { "spice://host:5900?tls-port=65535", SPICE, "host", 5900, 65535, NULL, NULL, "",
    "spice://host:5900?tls-port=65535" },
  { "spice+tls://secure.example.org:5901", SPICE, "secure.example.org", -1, 5901, NULL, NULL,
    "", "spice+tls://secure.example.org:5901" },
  { "spice+tls://h:5901?port=5900", SPICE, "h", 5900, 5901, NULL, NULL, "",
    "spice://h:5900?tls-port=5901" },
  { "spice://[::1]:5900", SPICE, "::1", 5900, -1, NULL, NULL, "", "spice://[::1]:5900" },
  { "spice://[2001:db8::15]?port=5900&tls-port=5901", SPICE, "2001:db8::15", 5900, 5901, NULL,
    NULL, "", "spice://[2001:db8::15]:5900?tls-port=5901" },
  { "spice://%6Cocalhost:5900", SPICE, "localhost", 5900, -1, NULL, NULL, "",
    "spice://localhost:5900" },
  { "spice://host:5900?password=" PASSWORD, SPICE, "host", 5900, -1, NULL, PASSWORD, "",
    "spice://host:5900" },
  { "spice://host:5900?password=a%26b%3Dc%20d", SPICE, "host", 5900, -1, NULL, "a&b=c d", "",
    "spice://host:5900" },
  { "spice://user@host:5900?zoom=2&password=x&color-depth=16", SPICE, "host", 5900, -1, NULL,
    "x", "user,zoom,color-depth", "spice://host:5900" },
  { "spice+unix:///run/lodge/display.sock", SPICE, NULL, -1, -1, "/run/lodge/display.sock",
    NULL, "", "spice+unix:///run/lodge/display.sock" },
  { "spice+unix:///tmp/with%20space.sock?password=" PASSWORD "&port=1", SPICE, NULL, -1, -1,
    "/tmp/with space.sock", PASSWORD, "port", "spice+unix:///tmp/with%20space.sock" },
  { "vnc://vnc.example.org:5901", VNC, "vnc.example.org", 5901, -1, NULL, NULL, "",
    "vnc://vnc.example.org:5901" },
  { "vnc://vnc.example.org", VNC, "vnc.example.org", 5900, -1, NULL, NULL, "",
    "vnc://vnc.example.org:5900" },
  { "vnc://[fe80::1]", VNC, "fe80::1", 5900, -1, NULL, NULL, "", "vnc://[fe80::1]:5900" },
  { "vnc://h:5900?tls-port=5901&password=" PASSWORD, VNC, "h", 5900, -1, NULL, PASSWORD,
    "tls-port", "vnc://h:5900" },
  { "vnc+unix:///run/vnc.sock", VNC, NULL, -1, -1, "/run/vnc.sock", NULL, "",
    "vnc+unix:///run/vnc.sock" },
};

typedef struct
{
  const char        *uri;
  int                code;      /* LodgeConsoleError */
  const char        *names;     /* a part of the message */
} BadUri;

static const BadUri bad_uris[] = {
  { "", LODGE_CONSOLE_ERROR_INVALID_ADDRESS, "No address" },
  { "   \t\n", LODGE_CONSOLE_ERROR_INVALID_ADDRESS, "No address" },
  { "localhost", LODGE_CONSOLE_ERROR_INVALID_ADDRESS, "protocol" },
  { "://host:5900", LODGE_CONSOLE_ERROR_INVALID_ADDRESS, "protocol" },
  { "rdp://host:3389", LODGE_CONSOLE_ERROR_UNKNOWN_PROTOCOL, "“rdp:”" },
  { "http://host:5900", LODGE_CONSOLE_ERROR_UNKNOWN_PROTOCOL, "“http:”" },
  { "host:5900", LODGE_CONSOLE_ERROR_UNKNOWN_PROTOCOL, "“host:”" },
  { "spice://:5900", LODGE_CONSOLE_ERROR_MISSING_HOST, "host name" },
  { "spice:///", LODGE_CONSOLE_ERROR_MISSING_HOST, "host name" },
  { "vnc://", LODGE_CONSOLE_ERROR_MISSING_HOST, "host name" },
  { "spice+tls://?port=5900", LODGE_CONSOLE_ERROR_MISSING_HOST, "host name" },
  { "spice://host", LODGE_CONSOLE_ERROR_INVALID_PORT, "no port" },
  { "spice://host:", LODGE_CONSOLE_ERROR_INVALID_PORT, "no port" },
  { "spice://host:abc", LODGE_CONSOLE_ERROR_INVALID_PORT, "“abc” is not a number" },
  { "spice://host:65536", LODGE_CONSOLE_ERROR_INVALID_PORT, "65536 is out of range" },
  { "spice://[::1]:99999", LODGE_CONSOLE_ERROR_INVALID_PORT, "99999 is out of range" },
  { "spice+tls://host:70000", LODGE_CONSOLE_ERROR_INVALID_PORT, "TLS port 70000" },
  { "spice://host:0", LODGE_CONSOLE_ERROR_INVALID_PORT, "0 is out of range" },
  { "vnc://host:-1", LODGE_CONSOLE_ERROR_INVALID_PORT, "“-1” is not a number" },
  { "spice://host?port=59x0", LODGE_CONSOLE_ERROR_INVALID_PORT, "“59x0” is not a number" },
  { "spice://host?port=0", LODGE_CONSOLE_ERROR_INVALID_PORT, "0 is out of range" },
  { "spice://host?tls-port=123456", LODGE_CONSOLE_ERROR_INVALID_PORT, "TLS port 123456" },
  { "spice://host:5900?port=5901", LODGE_CONSOLE_ERROR_INVALID_PORT, "port is given twice" },
  { "spice+tls://host:5901?tls-port=5902", LODGE_CONSOLE_ERROR_INVALID_PORT,
    "TLS port is given twice" },
  { "spice+unix://run/display.sock", LODGE_CONSOLE_ERROR_INVALID_SOCKET, "must be absolute" },
  { "spice+unix://", LODGE_CONSOLE_ERROR_INVALID_SOCKET, "must be absolute" },
  { "spice+unix:relative.sock", LODGE_CONSOLE_ERROR_INVALID_SOCKET, "must be absolute" },
  { "vnc+unix://localhost/run/vnc.sock", LODGE_CONSOLE_ERROR_INVALID_SOCKET,
    "vnc+unix:///run" },
  { "spice://ho st:5900", LODGE_CONSOLE_ERROR_INVALID_ADDRESS, "“ho st” is not valid" },
  { "vnc://a%2Fb", LODGE_CONSOLE_ERROR_INVALID_ADDRESS, "“a/b” is not valid" },
  { "spice://[::1:5900", LODGE_CONSOLE_ERROR_INVALID_ADDRESS, "not valid" },
  { "spice://host:5900?password=%zz", LODGE_CONSOLE_ERROR_INVALID_ADDRESS, "not valid" },
  { "spice://host?password=" PASSWORD "&port=x", LODGE_CONSOLE_ERROR_INVALID_PORT,
    "“x”" },
};

static void
assert_endpoint_matches_uri (const LodgeDisplayEndpoint *endpoint,
                             const GoodUri              *c)
{
  g_autofree char *unknown = join_unknown (endpoint);

  g_assert_cmpint (lodge_display_endpoint_get_protocol (endpoint), ==, c->protocol);
  g_assert_cmpstr (lodge_display_endpoint_get_host (endpoint), ==, c->host);
  g_assert_cmpint (lodge_display_endpoint_get_port (endpoint), ==, c->port);
  g_assert_cmpint (lodge_display_endpoint_get_tls_port (endpoint), ==, c->tls_port);
  g_assert_cmpstr (lodge_display_endpoint_get_socket (endpoint), ==, c->socket);
  g_assert_cmpstr (unknown, ==, c->unknown);
}

static void
test_uri_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_uris); i++)
    {
      const GoodUri *c = &good_uris[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeDisplayEndpoint) endpoint = NULL;
      g_autofree char *uri = NULL;

      g_test_message ("%s", c->uri);
      endpoint = lodge_display_endpoint_new_from_uri (c->uri, &error);
      g_assert_no_error (error);
      g_assert_nonnull (endpoint);
      assert_endpoint_matches_uri (endpoint, c);
      g_assert_cmpstr (lodge_display_endpoint_get_password (endpoint), ==, c->password);

      /* What only a file sets stays unset. */
      g_assert_null (lodge_display_endpoint_get_ca_certificate (endpoint));
      g_assert_null (lodge_display_endpoint_get_title (endpoint));
      g_assert_cmpint (lodge_display_endpoint_get_fullscreen (endpoint), ==,
                       LODGE_DISPLAY_TOGGLE_UNSET);

      uri = lodge_display_endpoint_to_uri (endpoint);
      g_assert_cmpstr (uri, ==, c->to_uri);
    }
}

/* to_uri() reads back to the same address, and says it the same way. */
static void
test_uri_round_trip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_uris); i++)
    {
      const GoodUri *c = &good_uris[i];
      GoodUri again = *c;
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeDisplayEndpoint) first = NULL;
      g_autoptr(LodgeDisplayEndpoint) second = NULL;
      g_autofree char *uri = NULL;
      g_autofree char *uri_again = NULL;

      first = lodge_display_endpoint_new_from_uri (c->uri, &error);
      g_assert_no_error (error);
      uri = lodge_display_endpoint_to_uri (first);
      g_test_message ("%s → %s", c->uri, uri);
      second = lodge_display_endpoint_new_from_uri (uri, &error);
      g_assert_no_error (error);

      again.unknown = "";
      assert_endpoint_matches_uri (second, &again);
      g_assert_null (lodge_display_endpoint_get_password (second));
      uri_again = lodge_display_endpoint_to_uri (second);
      g_assert_cmpstr (uri_again, ==, uri);
    }
}

static void
test_uri_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_uris); i++)
    {
      const BadUri *c = &bad_uris[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeDisplayEndpoint) endpoint = NULL;

      endpoint = lodge_display_endpoint_new_from_uri (c->uri, &error);
      g_test_message ("%s: %s", c->uri, error != NULL ? error->message : "(no error)");
      g_assert_null (endpoint);
      g_assert_error (error, LODGE_CONSOLE_ERROR, c->code);
      g_assert_nonnull (strstr (error->message, c->names));
      g_assert_null (strstr (error->message, PASSWORD));
    }

  g_assert_null (lodge_display_endpoint_new_from_uri (NULL, NULL));
}

/* The password appears in no URI made for display, and in no message. */
static void
test_uri_password_hidden (void)
{
  const char *uris[] = {
    "spice://host:5900?password=" PASSWORD,
    "spice://host?port=5900&tls-port=5901&password=" PASSWORD,
    "spice+tls://host:5901?password=" PASSWORD,
    "spice+unix:///run/d.sock?password=" PASSWORD,
    "vnc://host?password=" PASSWORD,
  };

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeDisplayEndpoint) endpoint = lodge_display_endpoint_new_from_uri (uris[i], &error);
      g_autofree char *uri = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (lodge_display_endpoint_get_password (endpoint), ==, PASSWORD);
      uri = lodge_display_endpoint_to_uri (endpoint);
      g_assert_null (strstr (uri, PASSWORD));
      g_assert_null (strstr (uri, "password"));
    }
}

static void
test_boxed (void)
{
  g_autoptr(LodgeDisplayEndpoint) endpoint =
    lodge_display_endpoint_new_from_uri ("vnc://host", NULL);
  LodgeDisplayEndpoint *copy;

  g_assert_true (G_TYPE_IS_BOXED (LODGE_TYPE_DISPLAY_ENDPOINT));
  g_assert_true (G_TYPE_IS_ENUM (LODGE_TYPE_DISPLAY_PROTOCOL));
  g_assert_true (G_TYPE_IS_ENUM (LODGE_TYPE_CONSOLE_ERROR));
  copy = g_boxed_copy (LODGE_TYPE_DISPLAY_ENDPOINT, endpoint);
  g_assert_true (copy == endpoint);
  g_boxed_free (LODGE_TYPE_DISPLAY_ENDPOINT, copy);
  g_assert_cmpint (lodge_display_endpoint_get_port (endpoint), ==, 5900);
}

/* .vv files ------------------------------------------------------------- */

#define PEM_LINE_1 "MIIBszCCAVmgAwIBAgIUTm9UQVJlYWxDZXJ0aWZpY2F0ZTAKBggqhkjOPQQDAjAP"

static LodgeDisplayEndpoint *
load_data_file (const char  *name,
                GError     **error)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return lodge_display_endpoint_new_from_vv_file (file, NULL, error);
}

/* Every key Lodge reads, and some it does not. */
static void
test_vv_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeDisplayEndpoint) endpoint = load_data_file ("spice-full.vv", &error);
  g_autofree char *unknown = NULL;
  g_autofree char *uri = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (lodge_display_endpoint_get_protocol (endpoint), ==, SPICE);
  g_assert_cmpstr (lodge_display_endpoint_get_host (endpoint), ==, "spice.example.org");
  g_assert_cmpint (lodge_display_endpoint_get_port (endpoint), ==, 5900);
  g_assert_cmpint (lodge_display_endpoint_get_tls_port (endpoint), ==, 5901);
  g_assert_null (lodge_display_endpoint_get_socket (endpoint));
  g_assert_cmpstr (lodge_display_endpoint_get_password (endpoint), ==, PASSWORD);
  g_assert_cmpstr (lodge_display_endpoint_get_ca_certificate (endpoint), ==,
                   "-----BEGIN CERTIFICATE-----\n"
                   PEM_LINE_1 "\n"
                   "MQ0wCwYDVQQDDARMb2RnZTAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBa\n"
                   "-----END CERTIFICATE-----\n");
  g_assert_null (lodge_display_endpoint_get_ca_file (endpoint));
  g_assert_cmpstr (lodge_display_endpoint_get_host_subject (endpoint), ==,
                   "C=XX,L=City,O=Example,CN=spice.example.org");
  g_assert_cmpstr (lodge_display_endpoint_get_title (endpoint), ==,
                   "Desk %d - Press Shift+F12 to release the cursor");
  g_assert_cmpstr (lodge_display_endpoint_get_release_cursor (endpoint), ==, "shift+f12");
  g_assert_cmpstr (lodge_display_endpoint_get_secure_attention (endpoint), ==, "ctrl+alt+end");
  g_assert_cmpstr (lodge_display_endpoint_get_usb_filter (endpoint), ==,
                   "0x03,-1,-1,-1,0|-1,-1,-1,-1,1");
  g_assert_cmpstr (lodge_display_endpoint_get_proxy (endpoint), ==,
                   "http://proxy.example.org:3128");
  g_assert_cmpint (lodge_display_endpoint_get_fullscreen (endpoint), ==, LODGE_DISPLAY_TOGGLE_ON);
  g_assert_cmpint (lodge_display_endpoint_get_delete_this_file (endpoint), ==,
                   LODGE_DISPLAY_TOGGLE_ON);
  g_assert_cmpint (lodge_display_endpoint_get_enable_usbredir (endpoint), ==,
                   LODGE_DISPLAY_TOGGLE_ON);
  g_assert_cmpint (lodge_display_endpoint_get_enable_smartcard (endpoint), ==,
                   LODGE_DISPLAY_TOGGLE_OFF);
  g_assert_cmpint (lodge_display_endpoint_get_enable_usb_autoshare (endpoint), ==,
                   LODGE_DISPLAY_TOGGLE_ON);

  /* version is virt-viewer's own business: not listed. */
  unknown = join_unknown (endpoint);
  g_assert_cmpstr (unknown, ==, "toggle-fullscreen,tls-ciphers,secure-channels");

  uri = lodge_display_endpoint_to_uri (endpoint);
  g_assert_cmpstr (uri, ==, "spice://spice.example.org:5900?tls-port=5901");
}

static void
test_vv_samples (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeDisplayEndpoint) vnc = load_data_file ("vnc-minimal.vv", &error);
  g_autoptr(LodgeDisplayEndpoint) ovirt = NULL;
  g_autoptr(LodgeDisplayEndpoint) missing = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *uri = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (lodge_display_endpoint_get_protocol (vnc), ==, VNC);
  g_assert_cmpstr (lodge_display_endpoint_get_host (vnc), ==, "192.0.2.10");
  g_assert_cmpint (lodge_display_endpoint_get_port (vnc), ==, 5900);
  g_assert_cmpstr (lodge_display_endpoint_get_password (vnc), ==, "vnc-pw");
  g_assert_cmpstr (lodge_display_endpoint_get_title (vnc), ==, "Build machine");
  g_assert_cmpint (lodge_display_endpoint_get_fullscreen (vnc), ==, LODGE_DISPLAY_TOGGLE_UNSET);
  g_assert_null (lodge_display_endpoint_get_unknown_keys (vnc)[0]);

  ovirt = load_data_file ("spice-ovirt-tls.vv", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lodge_display_endpoint_get_host (ovirt), ==, "2001:db8::15");
  g_assert_cmpint (lodge_display_endpoint_get_port (ovirt), ==, -1);
  g_assert_cmpint (lodge_display_endpoint_get_tls_port (ovirt), ==, 5902);
  g_assert_cmpint (lodge_display_endpoint_get_fullscreen (ovirt), ==, LODGE_DISPLAY_TOGGLE_OFF);
  unknown = join_unknown (ovirt);
  g_assert_cmpstr (unknown, ==, "[ovirt]");
  uri = lodge_display_endpoint_to_uri (ovirt);
  g_assert_cmpstr (uri, ==, "spice+tls://[2001:db8::15]:5902");
  g_assert_null (strstr (uri, "ovirt-ticket"));

  missing = load_data_file ("no-such-file.vv", &error);
  g_assert_null (missing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

typedef struct
{
  const char          *data;
  const char          *key;     /* which getter */
  LodgeDisplayToggle   toggle;
} VvToggle;

static void
test_vv_toggles (void)
{
  static const VvToggle cases[] = {
    { "fullscreen=1", "fullscreen", LODGE_DISPLAY_TOGGLE_ON },
    { "fullscreen=0", "fullscreen", LODGE_DISPLAY_TOGGLE_OFF },
    { "fullscreen=true", "fullscreen", LODGE_DISPLAY_TOGGLE_ON },
    { "fullscreen=FALSE", "fullscreen", LODGE_DISPLAY_TOGGLE_OFF },
    { "fullscreen=", "fullscreen", LODGE_DISPLAY_TOGGLE_UNSET },
    { "delete-this-file=1", "delete-this-file", LODGE_DISPLAY_TOGGLE_ON },
    { "enable-usbredir=0", "enable-usbredir", LODGE_DISPLAY_TOGGLE_OFF },
    { "enable-smartcard=true", "enable-smartcard", LODGE_DISPLAY_TOGGLE_ON },
    { "enable-usb-autoshare=0", "enable-usb-autoshare", LODGE_DISPLAY_TOGGLE_OFF },
    { "enable-usb-autoshare = 1 ", "enable-usb-autoshare", LODGE_DISPLAY_TOGGLE_ON },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *data = g_strdup_printf ("[virt-viewer]\ntype=spice\nhost=h\nport=1\n%s\n",
                                               cases[i].data);
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeDisplayEndpoint) endpoint =
        lodge_display_endpoint_new_from_vv_data (data, -1, &error);
      LodgeDisplayToggle (*get) (const LodgeDisplayEndpoint *) = NULL;

      g_test_message ("%s", cases[i].data);
      g_assert_no_error (error);
      if (g_str_equal (cases[i].key, "fullscreen"))
        get = lodge_display_endpoint_get_fullscreen;
      else if (g_str_equal (cases[i].key, "delete-this-file"))
        get = lodge_display_endpoint_get_delete_this_file;
      else if (g_str_equal (cases[i].key, "enable-usbredir"))
        get = lodge_display_endpoint_get_enable_usbredir;
      else if (g_str_equal (cases[i].key, "enable-smartcard"))
        get = lodge_display_endpoint_get_enable_smartcard;
      else
        get = lodge_display_endpoint_get_enable_usb_autoshare;
      g_assert_cmpint (get (endpoint), ==, cases[i].toggle);
    }
}

typedef struct
{
  const char *data;
  const char *host;
  int         port;
  int         tls_port;
  const char *socket;
  const char *ca_file;
  const char *unknown;
} VvGood;

static void
test_vv_good (void)
{
  static const VvGood cases[] = {
    /* Unknown keys in their order, other groups after them. */
    { "[virt-viewer]\ntype=spice\nhost=h\nport=5900\nzoom=150\nusername=me\n"
      "[x-broker]\na=b\n",
      "h", 5900, -1, NULL, NULL, "zoom,username,[x-broker]" },
    /* Comments, a group before, case in the type. */
    { "# made by a broker\n[other]\nk=v\n\n[virt-viewer]\ntype=Spice\nhost=h\ntls-port=5901\n",
      "h", -1, 5901, NULL, NULL, "[other]" },
    /* A TLS port means nothing to VNC: listed, not used. */
    { "[virt-viewer]\ntype=vnc\nhost=h\ntls-port=5901\n", "h", 5900, -1, NULL, NULL,
      "tls-port" },
    { "[virt-viewer]\ntype=vnc\nhost=h\nport=\n", "h", 5900, -1, NULL, NULL, "" },
    /* A socket: ports beside it are listed. */
    { "[virt-viewer]\ntype=spice\nx-lodge-socket=/run/d.sock\nport=5900\n", NULL, -1, -1,
      "/run/d.sock", NULL, "port" },
    { "[virt-viewer]\ntype=vnc\nx-lodge-socket=/run/v.sock\n", NULL, -1, -1, "/run/v.sock",
      NULL, "" },
    /* The CA as a path. */
    { "[virt-viewer]\ntype=spice\nhost=h\nport=1\nca=/etc/pki/ca.pem\n", "h", 1, -1, NULL,
      "/etc/pki/ca.pem", "" },
    /* Windows line ends; a key given twice counts once, the last. */
    { "[virt-viewer]\r\ntype=spice\r\nhost=h\r\nport=1\r\nport=2\r\n", "h", 2, -1, NULL, NULL,
      "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeDisplayEndpoint) endpoint =
        lodge_display_endpoint_new_from_vv_data (cases[i].data, strlen (cases[i].data), &error);
      g_autofree char *unknown = NULL;

      g_test_message ("%s", cases[i].data);
      g_assert_no_error (error);
      g_assert_cmpstr (lodge_display_endpoint_get_host (endpoint), ==, cases[i].host);
      g_assert_cmpint (lodge_display_endpoint_get_port (endpoint), ==, cases[i].port);
      g_assert_cmpint (lodge_display_endpoint_get_tls_port (endpoint), ==, cases[i].tls_port);
      g_assert_cmpstr (lodge_display_endpoint_get_socket (endpoint), ==, cases[i].socket);
      g_assert_cmpstr (lodge_display_endpoint_get_ca_file (endpoint), ==, cases[i].ca_file);
      unknown = join_unknown (endpoint);
      g_assert_cmpstr (unknown, ==, cases[i].unknown);
    }
}

typedef struct
{
  const char        *data;
  int                code;      /* LodgeConsoleError */
  const char        *names;
} VvBad;

static void
test_vv_bad (void)
{
  static const VvBad cases[] = {
    { "", LODGE_CONSOLE_ERROR_INVALID_FILE, "empty" },
    { "password " PASSWORD "\n", LODGE_CONSOLE_ERROR_INVALID_FILE, "not a connection file" },
    { "\x89PNG\r\n\x1a\n", LODGE_CONSOLE_ERROR_INVALID_FILE, "not a connection file" },
    { "[remote-viewer]\ntype=spice\nhost=h\nport=1\n", LODGE_CONSOLE_ERROR_INVALID_FILE,
      "[virt-viewer]" },
    { "[virt-viewer]\nhost=h\nport=1\n", LODGE_CONSOLE_ERROR_INVALID_FILE, "type" },
    { "[virt-viewer]\ntype=rdp\nhost=h\nport=1\n", LODGE_CONSOLE_ERROR_UNKNOWN_PROTOCOL,
      "“rdp”" },
    { "[virt-viewer]\ntype=spice\nport=5900\npassword=" PASSWORD "\n",
      LODGE_CONSOLE_ERROR_MISSING_HOST, "no host" },
    { "[virt-viewer]\ntype=vnc\nhost=\nport=5900\n", LODGE_CONSOLE_ERROR_MISSING_HOST,
      "no host" },
    { "[virt-viewer]\ntype=spice\nhost=h\n", LODGE_CONSOLE_ERROR_INVALID_PORT,
      "neither a port nor a tls-port" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=-1\ntls-port=-1\n",
      LODGE_CONSOLE_ERROR_INVALID_PORT, "neither a port nor a tls-port" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=five\n", LODGE_CONSOLE_ERROR_INVALID_PORT,
      "“five” is not a number" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=65536\n", LODGE_CONSOLE_ERROR_INVALID_PORT,
      "65536 is out of range" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=0\n", LODGE_CONSOLE_ERROR_INVALID_PORT,
      "0 is out of range" },
    { "[virt-viewer]\ntype=spice\nhost=h\ntls-port=-2\n", LODGE_CONSOLE_ERROR_INVALID_PORT,
      "TLS port “-2”" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=1\nfullscreen=yes\n",
      LODGE_CONSOLE_ERROR_INVALID_FILE, "fullscreen must be 1, 0, true or false, not “yes”" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=1\nca=MIIB\n", LODGE_CONSOLE_ERROR_INVALID_FILE,
      "ca is neither" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=1\ntitle=bad\xff\xfe text\n",
      LODGE_CONSOLE_ERROR_INVALID_FILE, "title is not valid" },
    { "[virt-viewer]\ntype=spice\nhost=h\nx-lodge-socket=/run/d.sock\n",
      LODGE_CONSOLE_ERROR_INVALID_FILE, "both a host and a socket" },
    { "[virt-viewer]\ntype=spice\nx-lodge-socket=run/d.sock\n",
      LODGE_CONSOLE_ERROR_INVALID_SOCKET, "“run/d.sock” is not absolute" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LodgeDisplayEndpoint) endpoint =
        lodge_display_endpoint_new_from_vv_data (cases[i].data, strlen (cases[i].data), &error);

      {
        /* Some cases are not text: escape them for the TAP log. */
        g_autofree char *shown = g_strescape (cases[i].data, NULL);

        g_test_message ("%s: %s", shown, error != NULL ? error->message : "(no error)");
      }
      g_assert_null (endpoint);
      g_assert_error (error, LODGE_CONSOLE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].names));
      g_assert_null (strstr (error->message, PASSWORD));
    }
}

/* Limits that keep a hostile file cheap. */
static void
test_vv_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeDisplayEndpoint) endpoint = NULL;
  gsize size = 1024 * 1024 + 1;
  g_autofree char *big = g_malloc (size);
  const char nul_inside[] = "[virt-viewer]\ntype=spice\nhost=h\0x\nport=1\n";

  memset (big, '#', size);
  big[size - 1] = '\n';
  endpoint = lodge_display_endpoint_new_from_vv_data (big, size, &error);
  g_assert_null (endpoint);
  g_assert_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE);
  g_assert_nonnull (strstr (error->message, "1 MiB"));
  g_clear_error (&error);

  /* A NUL inside: an error or an endpoint, never a crash. */
  endpoint = lodge_display_endpoint_new_from_vv_data (nul_inside, sizeof nul_inside - 1, &error);
  g_assert_true ((endpoint == NULL) != (error == NULL));
  g_clear_pointer (&endpoint, lodge_display_endpoint_unref);
  g_clear_error (&error);

  endpoint = lodge_display_endpoint_new_from_vv_data (NULL, 0, &error);
  g_assert_error (error, LODGE_CONSOLE_ERROR, LODGE_CONSOLE_ERROR_INVALID_FILE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/console/endpoint/uri/good", test_uri_good);
  g_test_add_func ("/console/endpoint/uri/round-trip", test_uri_round_trip);
  g_test_add_func ("/console/endpoint/uri/bad", test_uri_bad);
  g_test_add_func ("/console/endpoint/uri/password-hidden", test_uri_password_hidden);
  g_test_add_func ("/console/endpoint/boxed", test_boxed);
  g_test_add_func ("/console/endpoint/vv/full", test_vv_full);
  g_test_add_func ("/console/endpoint/vv/samples", test_vv_samples);
  g_test_add_func ("/console/endpoint/vv/toggles", test_vv_toggles);
  g_test_add_func ("/console/endpoint/vv/good", test_vv_good);
  g_test_add_func ("/console/endpoint/vv/bad", test_vv_bad);
  g_test_add_func ("/console/endpoint/vv/limits", test_vv_limits);

  return g_test_run ();
}
