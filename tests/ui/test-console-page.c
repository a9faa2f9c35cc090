/* test-console-page.c: the console page and the library thumbnails
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real page, model and console layers against libvirt's test driver
 * (a node file whose domains name a SPICE port in their XML) and the SPICE
 * test server of tests/console listening on that port: the page reads the
 * address from the domain XML as it does for any machine that is not on a
 * local QEMU, and the server reports what reaches it. No mocks.
 */
#define G_LOG_DOMAIN "test-console-page"

#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "lodge-test.h"
#include "lodge-spice-test-client.h"
#include "ui/lodge-console-page.h"
#include "ui/lodge-preferences-window.h"
#include "ui/lodge-resources.h"
#include "ui/lodge-thumbnail.h"

/* Bounds a hang; never a timing assertion. */
#define WAIT_MS 15000
#define N_LIST_MACHINES 60
#define ITEM_HEIGHT 100
#define LIST_HEIGHT 300

static const char *server_path;

typedef LodgeSpiceTestServer Server;
#define server_wait_line lodge_spice_test_server_wait_line
#define server_send      lodge_spice_test_server_send
#define server_stop      lodge_spice_test_server_stop

static char *tmp_dir;
static char *node_path;
static int base_port;
static LodgeConnection *connection;

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
wait_until (LodgeTestCheck check,
            gpointer       data)
{
  return lodge_test_ui_wait_until (check, data, WAIT_MS);
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (10, lodge_test_ui_wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}


/* Every event the server printed before this call is in server->lines. */
static void
server_sync (Server *server)
{
  static guint token;
  g_autofree char *expected = g_strdup_printf ("sync %u", ++token);
  g_autofree char *line = NULL;
  GQueue before = G_QUEUE_INIT;

  server_send (server, "%s", expected);
  for (;;)
    {
      line = server_wait_line (server, "");
      g_assert_nonnull (line);
      if (g_str_equal (line, expected))
        break;
      g_queue_push_tail (&before, g_steal_pointer (&line));
    }
  /* Put back what came before the token. */
  while (!g_queue_is_empty (&before))
    g_queue_push_head (&server->lines, g_queue_pop_tail (&before));
}

static Server *
server_start (int port)
{
  return lodge_spice_test_server_start (server_path, port, WAIT_MS);
}

static GByteArray *
server_kbd_bytes (Server *server)
{
  GByteArray *bytes = g_byte_array_new ();

  server_sync (server);
  while (!g_queue_is_empty (&server->lines))
    {
      g_autofree char *line = g_queue_pop_head (&server->lines);

      if (g_str_has_prefix (line, "kbd "))
        {
          guint8 byte = (guint8) g_ascii_strtoull (line + 4, NULL, 16);
          g_byte_array_append (bytes, &byte, 1);
        }
    }
  return bytes;
}

/* Pixels ----------------------------------------------------------------- */

/* The test server's pattern (see lodge-spice-test-server.c). */
static guint32
pattern_pixel (int x,
               int y,
               int seed)
{
  guint32 r = (x + seed) & 0xff;
  guint32 g = (y + 2 * seed) & 0xff;
  guint32 b = ((x ^ y) + 3 * seed) & 0xff;

  return 0xff000000u | (r << 16) | (g << 8) | b;
}

static gboolean
texture_shows_pattern (GdkTexture *texture,
                       int         seed)
{
  int w, h;
  g_autofree guint32 *pixels = NULL;

  if (texture == NULL)
    return FALSE;
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  if (w != 800 || h != 600)
    return FALSE;
  pixels = g_new (guint32, w * h);
  gdk_texture_download (texture, (guchar *) pixels, w * 4);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (pixels[y * w + x] != pattern_pixel (x, y, seed))
        return FALSE;
  return TRUE;
}

/* Test driver ------------------------------------------------------------ */

static void
append_domain (GString    *xml,
               const char *name,
               int         index,
               int         port)
{
  g_string_append_printf (xml,
    "<domain type='test'>\n"
    "  <name>%s</name>\n"
    "  <uuid>6c0d6e5a-1111-4222-8333-%012d</uuid>\n"
    "  <memory>262144</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os><type>hvm</type></os>\n"
    "  <devices>\n",
    name, index);
  if (port > 0)
    g_string_append_printf (xml,
      "    <graphics type='vnc' port='%d' autoport='no'/>\n"
      "    <graphics type='spice' port='%d' autoport='no' listen='127.0.0.1'>\n"
      "      <listen type='address' address='127.0.0.1'/>\n"
      "    </graphics>\n",
      port + 1000, port);
  g_string_append (xml,
    "  </devices>\n"
    "  <test:runstate>1</test:runstate>\n"
    "</domain>\n");
}

static int
free_port_block (int n)
{
  /* Ports that nothing listens on now; a clash would only fail a test. */
  for (int base = 20000 + (getpid () % 2000) * 16; base < 60000; base += 97)
    {
      gboolean all_free = TRUE;

      for (int i = 0; i < n && all_free; i++)
        {
          g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                    G_SOCKET_PROTOCOL_TCP, NULL);
          g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
          g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, base + i);

          all_free = g_socket_bind (socket, address, FALSE, NULL);
        }
      if (all_free)
        return base;
    }
  g_assert_not_reached ();
}

static void
write_node_file (void)
{
  g_autoptr(GString) xml = g_string_new ("<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n");
  g_autoptr(GError) error = NULL;

  base_port = free_port_block (N_LIST_MACHINES + 2);
  append_domain (xml, "console", 0, base_port);
  append_domain (xml, "headless", 1, 0);
  for (int i = 0; i < N_LIST_MACHINES; i++)
    {
      g_autofree char *name = g_strdup_printf ("thumb-%02d", i);
      append_domain (xml, name, 100 + i, base_port + 1 + i);
    }
  g_string_append (xml, "</node>\n");

  node_path = g_build_filename (tmp_dir, "node.xml", NULL);
  g_file_set_contents (node_path, xml->str, -1, &error);
  g_assert_no_error (error);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (lodge_connection_open_finish (LODGE_CONNECTION (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static LodgeMachine *
machine (const char *name)
{
  LodgeMachine *m = lodge_connection_lookup_machine (connection, name);

  g_assert_nonnull (m);
  return m;
}

typedef struct
{
  LodgeMachine      *machine;
  LodgeMachineState  state;
} StateCheck;

static gboolean
state_is (gpointer data)
{
  StateCheck *check = data;

  return lodge_machine_get_state (check->machine) == check->state;
}

static void
run_action_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lodge_machine_run_action_finish (LODGE_MACHINE (object), result, &error));
  g_assert_no_error (error);
}

/* Page fixture ---------------------------------------------------------- */

typedef struct
{
  Server           *server;
  GtkWidget        *window;
  LodgeConsolePage *page;
} Fixture;

typedef struct
{
  LodgeConsolePage *page;
  const char       *view;
} ViewCheck;

static gboolean
view_is (gpointer data)
{
  ViewCheck *check = data;

  return g_strcmp0 (lodge_console_page_get_view (check->page), check->view) == 0;
}

static void
assert_view (LodgeConsolePage *page,
             const char       *view)
{
  ViewCheck check = { page, view };

  if (!wait_until (view_is, &check))
    g_error ("the page shows “%s”, not “%s” (%s)", lodge_console_page_get_view (page), view,
             lodge_console_page_get_status (page));
}

typedef struct
{
  LodgeConsolePage *page;
  int               seed;
} PixelCheck;

static gboolean
page_shows_pattern (gpointer data)
{
  PixelCheck *check = data;
  LodgeDisplay *display = lodge_console_page_get_display (check->page);
  g_autoptr(GdkTexture) texture = NULL;
  int w;

  if (!lodge_display_get_guest_size (display, &w, NULL))
    return FALSE;
  texture = lodge_display_get_screenshot (display);
  return texture_shows_pattern (texture, check->seed);
}

static void
assert_shows_pattern (Fixture *f,
                      int      seed)
{
  PixelCheck check = { f->page, seed };

  server_send (f->server, "pattern %d", seed);
  g_assert_true (wait_until (page_shows_pattern, &check));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = server_start (base_port);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  f->page = LODGE_CONSOLE_PAGE (lodge_console_page_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  lodge_console_page_set_machine (f->page, NULL);
  gtk_window_destroy (GTK_WINDOW (f->window));
  iterate ();
  server_stop (f->server);
}

static void
connect_console (Fixture *f)
{
  lodge_console_page_set_machine (f->page, machine ("console"));
  assert_view (f->page, "display");
  assert_shows_pattern (f, 7);
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      found = find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The page's main menu button (the display/text console chooser is
 * another). */
static GtkMenuButton *
find_console_menu_button (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkMenuButton *found;

      if (GTK_IS_MENU_BUTTON (child)
          && g_strcmp0 (gtk_widget_get_tooltip_text (child), "Console Menu") == 0)
        return GTK_MENU_BUTTON (child);
      found = find_console_menu_button (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* For people looking: LODGE_TEST_SCREENSHOT_DIR keeps what was shown. */
static void
save_screenshot (const char *name)
{
  const char *dir = g_getenv ("LODGE_TEST_SCREENSHOT_DIR");
  g_autofree char *command = NULL;

  if (dir == NULL)
    return;
  spin (600);
  command = g_strdup_printf ("import -window root %s/%s", dir, name);
  if (system (command) != 0)
    g_test_message ("could not save %s", name);
}

static GtkLabel *
find_label (GtkWidget  *widget,
            const char *suffix)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && g_str_has_suffix (gtk_label_get_text (GTK_LABEL (child)), suffix))
        return GTK_LABEL (child);
      found = find_label (child, suffix);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Tests ----------------------------------------------------------------- */

static void
test_shows_pixels (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *expected = NULL;

  connect_console (f);
  assert_shows_pattern (f, 42);
  expected = g_strdup_printf ("port %d", base_port);
  g_assert_nonnull (strstr (lodge_console_page_get_status (f->page), expected));
  save_screenshot ("page-display.png");

  /* Scale: original size, zoom, fit again; the check item follows. */
  {
    LodgeDisplay *display = lodge_console_page_get_display (f->page);
    gboolean fit = FALSE;

    g_object_get (f->page, "fit", &fit, NULL);
    g_assert_true (fit);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "console.original-size", NULL));
    g_assert_cmpint (lodge_display_get_scaling (display), ==, LODGE_DISPLAY_SCALING_ONE_TO_ONE);
    g_object_get (f->page, "fit", &fit, NULL);
    g_assert_false (fit);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "console.zoom-in", NULL));
    g_assert_cmpint (lodge_display_get_scaling (display), ==, LODGE_DISPLAY_SCALING_ZOOM);
    g_assert_cmpfloat (lodge_display_get_zoom (display), >, 1.0);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "console.fit", NULL));
    g_assert_cmpint (lodge_display_get_scaling (display), ==, LODGE_DISPLAY_SCALING_FIT);
  }
  if (g_getenv ("LODGE_TEST_SCREENSHOT_DIR") != NULL)
    {
      GtkMenuButton *button = find_console_menu_button (GTK_WIDGET (f->page));

      gtk_menu_button_popup (button);
      save_screenshot ("page-menu.png");
      gtk_menu_button_popdown (button);
    }
}

/* The menu's Send Key items, activated as the popover menu does: the
 * item's action with its target. */
static void
test_send_key_menu (Fixture       *f,
                    gconstpointer  data)
{
  static const struct {
    const char   *label;
    const guint8  bytes[8];
    guint         n;
  } expected[] = {
    { "Ctrl+Alt+Del", { 0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d }, 8 },
    { "Ctrl+Alt+Backspace", { 0x1d, 0x38, 0x0e, 0x8e, 0xb8, 0x9d }, 6 },
    { "Ctrl+Alt+F1", { 0x1d, 0x38, 0x3b, 0xbb, 0xb8, 0x9d }, 6 },
    { "Ctrl+Alt+F2", { 0x1d, 0x38, 0x3c, 0xbc, 0xb8, 0x9d }, 6 },
    { "Ctrl+Alt+F10", { 0x1d, 0x38, 0x44, 0xc4, 0xb8, 0x9d }, 6 },
    { "Ctrl+Alt+F11", { 0x1d, 0x38, 0x57, 0xd7, 0xb8, 0x9d }, 6 },
    { "Ctrl+Alt+F12", { 0x1d, 0x38, 0x58, 0xd8, 0xb8, 0x9d }, 6 },
    { "Print Screen", { 0xe0, 0x37, 0xe0, 0xb7 }, 4 },
    { "SysRq", { 0x38, 0x54, 0xd4, 0xb8 }, 4 },
  };
  GtkMenuButton *button = NULL;
  GMenuModel *menu, *send_key = NULL;
  guint found = 0;

  connect_console (f);
  spin (300);
  g_queue_clear_full (&f->server->lines, g_free);
  server_sync (f->server);
  g_queue_clear_full (&f->server->lines, g_free);

  /* The page's menu button and its Send Key submenu. */
  button = find_console_menu_button (GTK_WIDGET (f->page));
  g_assert_nonnull (button);
  menu = gtk_menu_button_get_menu_model (button);
  g_assert_nonnull (menu);
  {
    /* the first section → its submenu */
    GMenuModel *section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);

    g_assert_nonnull (section);
    send_key = g_menu_model_get_item_link (section, 0, G_MENU_LINK_SUBMENU);
    g_object_unref (section);
  }
  g_assert_nonnull (send_key);

  for (int s = 0; s < g_menu_model_get_n_items (send_key); s++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (send_key, s, G_MENU_LINK_SECTION);

      for (int i = 0; i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *label = NULL, *action = NULL;
          g_autoptr(GVariant) target = NULL;
          g_autoptr(GByteArray) got = g_byte_array_new ();
          gint64 deadline;
          guint e;

          g_assert_true (g_menu_model_get_item_attribute (section, i, "label", "s", &label));
          g_assert_true (g_menu_model_get_item_attribute (section, i, "action", "s", &action));
          target = g_menu_model_get_item_attribute_value (section, i, "target", G_VARIANT_TYPE_INT32);
          g_assert_nonnull (target);
          g_assert_cmpstr (action, ==, "console.send-key");

          for (e = 0; e < G_N_ELEMENTS (expected); e++)
            if (g_str_equal (expected[e].label, label))
              break;
          if (e == G_N_ELEMENTS (expected))
            continue;
          found++;

          g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), action, target));
          deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
          while (got->len < expected[e].n && g_get_monotonic_time () < deadline)
            {
              g_autoptr(GByteArray) more = server_kbd_bytes (f->server);
              g_byte_array_append (got, more->data, more->len);
            }
          if (got->len != expected[e].n || memcmp (got->data, expected[e].bytes, got->len) != 0)
            {
              g_autofree char *hex = g_strnfill (0, 0);
              for (guint b = 0; b < got->len; b++)
                {
                  char *more = g_strdup_printf ("%s %02x", hex, got->data[b]);
                  g_free (hex);
                  hex = more;
                }
              g_error ("%s sent%s", label, hex);
            }
        }
    }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (expected));
  g_object_unref (send_key);
}

static gboolean
display_disconnected (gpointer data)
{
  return lodge_display_get_state (data) == LODGE_DISPLAY_STATE_DISCONNECTED;
}

static GtkWidget *
find_button_with_action (GtkWidget  *widget,
                         const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child)
          && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      found = find_button_with_action (child, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Forced off: no stale picture, "not running" with a Start button that
 * starts it; the page connects again by itself. */
static void
test_force_off_and_start (Fixture       *f,
                          gconstpointer  data)
{
  LodgeMachine *m = machine ("console");
  LodgeDisplay *display;
  StateCheck off = { m, LODGE_MACHINE_STATE_SHUT_OFF };
  StateCheck running = { m, LODGE_MACHINE_STATE_RUNNING };
  GtkWidget *start;
  int w;

  connect_console (f);
  display = lodge_console_page_get_display (f->page);

  lodge_machine_run_action_async (m, LODGE_MACHINE_ACTION_FORCE_OFF, NULL, run_action_cb, NULL);
  g_assert_true (wait_until (state_is, &off));
  assert_view (f->page, "not-running");
  save_screenshot ("page-not-running.png");
  g_assert_true (wait_until (display_disconnected, display));
  g_assert_false (lodge_display_get_guest_size (display, &w, NULL));

  start = find_button_with_action (GTK_WIDGET (f->page), "console.start");
  g_assert_nonnull (start);
  g_assert_true (gtk_widget_is_drawable (start));
  g_assert_true (gtk_widget_is_sensitive (start));
  g_signal_emit_by_name (start, "clicked");
  g_assert_true (wait_until (state_is, &running));
  assert_view (f->page, "display");
  assert_shows_pattern (f, 9);
}

/* The server goes away while the machine runs: "disconnected" with a
 * reason, and Reconnect works once it is back. */
static void
test_disconnected_and_reconnect (Fixture       *f,
                                 gconstpointer  data)
{
  GtkWidget *reconnect;
  const char *status;

  connect_console (f);
  server_stop (f->server);
  f->server = NULL;
  assert_view (f->page, "disconnected");
  save_screenshot ("page-disconnected.png");
  status = lodge_console_page_get_status (f->page);
  g_assert_nonnull (status);
  g_assert_cmpstr (status, !=, "");
  g_assert_false (lodge_display_get_guest_size (lodge_console_page_get_display (f->page), NULL, NULL));

  f->server = server_start (base_port);
  reconnect = find_button_with_action (GTK_WIDGET (f->page), "console.reconnect");
  g_assert_nonnull (reconnect);
  g_assert_true (gtk_widget_is_sensitive (reconnect));
  g_signal_emit_by_name (reconnect, "clicked");
  assert_view (f->page, "display");
  assert_shows_pattern (f, 11);
}

static void
test_no_graphics (Fixture       *f,
                  gconstpointer  data)
{
  lodge_console_page_set_machine (f->page, machine ("headless"));
  assert_view (f->page, "disconnected");
  g_assert_nonnull (strstr (lodge_console_page_get_status (f->page), "no graphical display"));
}

static void
test_fullscreen (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *header;

  connect_console (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "console.fullscreen", NULL));
  g_assert_true (lodge_console_page_get_fullscreen (f->page));
  spin (300);
  /* The header bar now lives in the revealer over the display. */
  header = NULL;
  for (GtkWidget *w = gtk_widget_get_first_child (gtk_widget_get_first_child (GTK_WIDGET (f->page)));
       w != NULL; w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_REVEALER (w))
      header = gtk_revealer_get_child (GTK_REVEALER (w));
  g_assert_true (ADW_IS_HEADER_BAR (header));
  g_assert_true (lodge_console_page_get_fullscreen (f->page));
  save_screenshot ("page-fullscreen.png");
  gtk_revealer_set_reveal_child (GTK_REVEALER (gtk_widget_get_parent (header)), TRUE);
  save_screenshot ("page-fullscreen-revealed.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "console.fullscreen", NULL));
  g_assert_false (lodge_console_page_get_fullscreen (f->page));
  g_assert_false (GTK_IS_REVEALER (gtk_widget_get_parent (header)));
  assert_view (f->page, "display");
}

/* Share Clipboard is kept per machine. */
static void
test_share_clipboard_per_machine (Fixture       *f,
                                  gconstpointer  data)
{
  LodgeConsolePage *other;
  gboolean share = TRUE;

  connect_console (f);
  g_object_get (f->page, "share-clipboard", &share, NULL);
  g_assert_true (share);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "console.share-clipboard", NULL));
  g_assert_false (lodge_display_get_share_clipboard (lodge_console_page_get_display (f->page)));

  /* Another page for the same machine reads the choice when it has
   * found the machine's display (here: nothing listens any more). */
  lodge_console_page_set_machine (f->page, NULL);
  server_stop (f->server);
  f->server = NULL;
  other = LODGE_CONSOLE_PAGE (g_object_ref_sink (lodge_console_page_new ()));
  lodge_console_page_set_machine (other, machine ("console"));
  assert_view (other, "disconnected");
  g_assert_false (lodge_display_get_share_clipboard (lodge_console_page_get_display (other)));

  /* And back, for the other tests. */
  g_object_set (other, "share-clipboard", TRUE, NULL);
  lodge_console_page_set_machine (other, NULL);
  g_object_unref (other);
}

/* Share Microphone is off unless the user allows it, kept per machine,
 * and reconnects an open console so that SPICE opens the record channel
 * (which tests/console checks against the server). */
static void
test_share_microphone_per_machine (Fixture       *f,
                                   gconstpointer  data)
{
  LodgeConsolePage *other;
  LodgeSpiceSession *session;
  gboolean share = TRUE;

  connect_console (f);
  session = lodge_display_get_session (lodge_console_page_get_display (f->page));
  g_object_get (f->page, "share-microphone", &share, NULL);
  g_assert_false (share);
  g_assert_false (lodge_spice_session_get_record_audio (session));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "console.share-microphone", NULL));
  g_object_get (f->page, "share-microphone", &share, NULL);
  g_assert_true (share);
  g_assert_true (lodge_spice_session_get_record_audio (session));
  /* Connected again, with the record channel allowed. */
  assert_view (f->page, "display");
  assert_shows_pattern (f, 7);

  lodge_console_page_set_machine (f->page, NULL);
  server_stop (f->server);
  f->server = NULL;
  other = LODGE_CONSOLE_PAGE (g_object_ref_sink (lodge_console_page_new ()));
  lodge_console_page_set_machine (other, machine ("console"));
  assert_view (other, "disconnected");
  g_object_get (other, "share-microphone", &share, NULL);
  g_assert_true (share);
  g_assert_true (lodge_spice_session_get_record_audio (lodge_display_get_session (lodge_console_page_get_display (other))));

  /* And back, for the other tests. */
  g_object_set (other, "share-microphone", FALSE, NULL);
  lodge_console_page_set_machine (other, NULL);
  g_object_unref (other);
}

static gboolean
agent_connected (gpointer data)
{
  return lodge_spice_session_get_agent_connected (lodge_display_get_session (data));
}

typedef struct
{
  GtkWidget *page;
  gboolean   shown;
} TransferCheck;

/* The progress row shows while the copy runs (its Cancel is enabled) and
 * goes away once it is done. */
static gboolean
transfer_done (gpointer data)
{
  TransferCheck *check = data;
  GtkWidget *cancel = find_button_with_action (check->page, "console.cancel-transfer");
  GtkWidget *revealer = gtk_widget_get_ancestor (cancel, GTK_TYPE_REVEALER);

  if (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)) && gtk_widget_is_sensitive (cancel))
    check->shown = TRUE;
  return check->shown && !gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
}

/* Files dropped on the display are copied into the guest through the
 * agent, with a progress row. */
static void
test_file_drop (Fixture       *f,
                gconstpointer  data)
{
  LodgeDisplay *display;
  g_autofree char *path = NULL;
  g_autofree char *contents = g_strnfill (200 * 1024, 'x');
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, contents, -1);
  g_autofree char *expected = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GFile) file = NULL;
  GFile *files[2];
  TransferCheck check = { GTK_WIDGET (f->page), FALSE };

  connect_console (f);
  display = lodge_console_page_get_display (f->page);
  g_assert_true (wait_until (agent_connected, display));

  path = g_build_filename (tmp_dir, "dropped.bin", NULL);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  file = g_file_new_for_path (path);
  files[0] = file;
  files[1] = NULL;
  g_signal_emit_by_name (display, "files-dropped", files);

  expected = g_strdup_printf ("agent-file dropped.bin %d %s", 200 * 1024, sha);
  line = server_wait_line (f->server, "agent-file ");
  g_assert_cmpstr (line, ==, expected);
  g_assert_true (wait_until (transfer_done, &check));
  g_unlink (path);
}

/* Thumbnails ------------------------------------------------------------ */

static void
thumb_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *thumbnail = lodge_thumbnail_new ();

  gtk_widget_set_size_request (box, -1, ITEM_HEIGHT);
  lodge_thumbnail_set_width (LODGE_THUMBNAIL (thumbnail), 120);
  gtk_box_append (GTK_BOX (box), thumbnail);
  gtk_list_item_set_child (item, box);
}

static void
thumb_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *thumbnail = gtk_widget_get_first_child (gtk_list_item_get_child (item));

  lodge_thumbnail_set_machine (LODGE_THUMBNAIL (thumbnail), gtk_list_item_get_item (item));
}

static void
thumb_unbind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkWidget *thumbnail = gtk_widget_get_first_child (gtk_list_item_get_child (item));

  lodge_thumbnail_set_machine (LODGE_THUMBNAIL (thumbnail), NULL);
}

static gboolean
thumb_filter (gpointer item,
              gpointer user_data)
{
  return g_str_has_prefix (lodge_machine_get_name (item), "thumb-");
}

static int
thumb_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return g_strcmp0 (lodge_machine_get_name ((LodgeMachine *) a),
                    lodge_machine_get_name ((LodgeMachine *) b));
}

typedef struct
{
  GtkWidget *list;
  guint      max_sessions;
  const char *name;
} ThumbCheck;

static LodgeThumbnail *
find_thumbnail (GtkWidget  *list,
                const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_widget_get_first_child (row);
      GtkWidget *thumbnail = box != NULL ? gtk_widget_get_first_child (box) : NULL;

      if (LODGE_IS_THUMBNAIL (thumbnail)
          && lodge_thumbnail_get_machine (LODGE_THUMBNAIL (thumbnail)) != NULL
          && g_str_equal (lodge_machine_get_name (lodge_thumbnail_get_machine (LODGE_THUMBNAIL (thumbnail))), name))
        return LODGE_THUMBNAIL (thumbnail);
    }
  return NULL;
}

static gboolean
thumbnail_shows_pattern (gpointer data)
{
  ThumbCheck *check = data;
  LodgeThumbnail *thumbnail = find_thumbnail (check->list, check->name);
  GtkWidget *picture;
  GdkPaintable *paintable;
  g_autoptr(GdkTexture) texture = NULL;

  check->max_sessions = MAX (check->max_sessions, lodge_thumbnail_get_n_sessions ());
  if (thumbnail == NULL || !lodge_thumbnail_get_has_picture (thumbnail))
    return FALSE;
  picture = gtk_widget_get_first_child (GTK_WIDGET (thumbnail));
  paintable = gtk_picture_get_paintable (GTK_PICTURE (picture));
  if (paintable == NULL)
    return FALSE;
  texture = lodge_framebuffer_to_texture (LODGE_FRAMEBUFFER (paintable));
  return texture_shows_pattern (texture, 13);
}

static gboolean
no_sessions (gpointer data)
{
  ThumbCheck *check = data;

  check->max_sessions = MAX (check->max_sessions, lodge_thumbnail_get_n_sessions ());
  return lodge_thumbnail_get_n_sessions () == 0;
}

static GtkWidget *
thumbnail_window (GtkWidget **list,
                  GtkWidget **scrolled)
{
  GtkListItemFactory *factory;
  GtkFilterListModel *filtered;
  GtkSortListModel *sorted;
  GtkWidget *window;

  filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (lodge_connection_get_machines (connection))),
                                        GTK_FILTER (gtk_custom_filter_new (thumb_filter, NULL, NULL)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, N_LIST_MACHINES);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (filtered),
                                    GTK_SORTER (gtk_custom_sorter_new (thumb_compare, NULL, NULL)));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (thumb_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (thumb_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (thumb_unbind_cb), NULL);
  *list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted))),
                             factory);
  *scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (*scrolled), *list);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 400, LIST_HEIGHT);
  gtk_window_set_child (GTK_WINDOW (window), *scrolled);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
test_thumbnails (void)
{
  GtkWidget *window, *scrolled, *list;
  Server *first, *last;
  ThumbCheck check = { NULL, 0, "thumb-00" };
  /* Rows that can show at once in the viewport, plus one cut in half. */
  guint visible = LIST_HEIGHT / ITEM_HEIGHT + 1;

  first = server_start (base_port + 1);
  last = server_start (base_port + N_LIST_MACHINES);
  server_send (first, "pattern 13");
  server_send (last, "pattern 13");

  /* Test-driver connections have no graphics: no thumbnails there. */
  lodge_thumbnail_set_allow_test_driver (FALSE);
  window = thumbnail_window (&list, &scrolled);
  spin (1500);
  g_assert_cmpuint (lodge_thumbnail_get_n_sessions (), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));

  /* Allowed (as for a real host): the first rows get pictures; the
   * list keeps more rows than it shows, but only those in view open a
   * session. */
  lodge_thumbnail_set_allow_test_driver (TRUE);
  window = thumbnail_window (&list, &scrolled);
  check.list = list;
  g_assert_true (wait_until (thumbnail_shows_pattern, &check));
  save_screenshot ("thumbnails.png");
  spin (1500);
  check.max_sessions = MAX (check.max_sessions, lodge_thumbnail_get_n_sessions ());
  g_test_message ("at most %u sessions for %u visible rows", check.max_sessions, visible);
  g_assert_cmpuint (check.max_sessions, >, 0);
  g_assert_cmpuint (check.max_sessions, <=, visible);

  /* Scrolled to the end: the top rows let go, the last one shows. */
  g_assert_true (gtk_widget_activate_action (list, "list.scroll-to-item", "u", N_LIST_MACHINES - 1));
  check.name = "thumb-59";
  g_assert_true (wait_until (thumbnail_shows_pattern, &check));
  g_assert_cmpuint (check.max_sessions, <=, visible);
  {
    LodgeThumbnail *top = find_thumbnail (list, "thumb-00");
    g_assert_true (top == NULL || !lodge_thumbnail_get_has_picture (top));
  }

  /* Gone from the screen: no session left. */
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (wait_until (no_sessions, &check));
  g_assert_cmpuint (check.max_sessions, <=, visible);
  lodge_thumbnail_set_allow_test_driver (FALSE);

  server_stop (first);
  server_stop (last);
}

typedef struct
{
  GtkWidget *list;
  GtkWidget *window;
  guint32    rgb;
  guint      wrong;
} SeamCheck;

/* The thumbnail of thumb-00 as the X server shows it: every pixel is the
 * picture's uniform colour or the list's background (beside the picture,
 * as in the widget's corner), none a blend of the two (a seam, an edge
 * between pixels). */
static gboolean
thumbnail_has_no_seams (gpointer data)
{
  SeamCheck *check = data;
  LodgeThumbnail *thumbnail = find_thumbnail (check->list, "thumb-00");
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (check->window));
  Display *xdisplay = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  graphene_point_t p;
  double sx, sy;
  XImage *image;
  guint32 background;
  int width, height;
  guint picture = 0;

  spin (50);
  if (thumbnail == NULL || !lodge_thumbnail_get_has_picture (thumbnail))
    return FALSE;
  width = gtk_widget_get_width (GTK_WIDGET (thumbnail));
  height = gtk_widget_get_height (GTK_WIDGET (thumbnail));
  if (width <= 0 || height <= 0 ||
      !gtk_widget_compute_point (GTK_WIDGET (thumbnail), check->window, &GRAPHENE_POINT_INIT (0, 0), &p))
    return FALSE;
  gtk_native_get_surface_transform (GTK_NATIVE (check->window), &sx, &sy);
  image = XGetImage (xdisplay, gdk_x11_surface_get_xid (surface), (int) (p.x + sx), (int) (p.y + sy),
                     width, height, AllPlanes, ZPixmap);
  g_assert_nonnull (image);
  background = XGetPixel (image, 0, 0) & 0xffffff;
  check->wrong = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel = XGetPixel (image, x, y) & 0xffffff;

        if (pixel == check->rgb)
          picture++;
        else if (pixel != background)
          {
            if (check->wrong == 0)
              g_test_message ("thumbnail %d×%d: pixel %d,%d is %06x", width, height, x, y, pixel);
            check->wrong++;
          }
      }
  XDestroyImage (image);
  if (g_test_verbose ())
    g_test_message ("thumbnail %d×%d: %u picture pixels, %u others", width, height, picture, check->wrong);
  /* Drawn (most of the widget is the picture), and nothing between. */
  return picture > (guint) width * height / 2 && check->wrong == 0;
}

/* Guest screens whose thumbnail is a fraction of a pixel off the widget's
 * pixels (in 120×100: 1024×700 is 120×82.03, 700×1024 68.36×100), over
 * several tiles, in a new colour each. */
static void
test_thumbnail_no_seams (void)
{
  static const int sizes[][2] = { { 1024, 700 }, { 700, 1024 }, { 1280, 720 }, { 1366, 768 }, { 999, 1000 } };
  GtkWidget *window, *scrolled, *list;
  Server *server;
  SeamCheck check = { NULL, NULL, 0, 0 };

  server = server_start (base_port + 1);
  lodge_thumbnail_set_allow_test_driver (TRUE);
  window = thumbnail_window (&list, &scrolled);
  check.list = list;
  check.window = window;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      check.rgb = 0x3366cc + i * 0x0a0400;
      server_send (server, "resize %d %d", sizes[i][0], sizes[i][1]);
      server_send (server, "rect 0 0 %d %d %06x", sizes[i][0], sizes[i][1], check.rgb);
      if (!wait_until (thumbnail_has_no_seams, &check))
        g_error ("the thumbnail of %d×%d shows %u pixels between the picture and what is under it",
                 sizes[i][0], sizes[i][1], check.wrong);
    }
  save_screenshot ("thumbnail-no-seams.png");
  gtk_window_destroy (GTK_WINDOW (window));
  lodge_thumbnail_set_allow_test_driver (FALSE);
  server_stop (server);
}

typedef struct
{
  LodgeDisplay *display;
  const char   *key;
} ReleaseKeyCheck;

static gboolean
release_key_is (gpointer data)
{
  ReleaseKeyCheck *check = data;

  return g_strcmp0 (lodge_display_get_release_key (check->display), check->key) == 0;
}

/* The release key: a setting, chosen in the preferences, bound to the
 * page's display and shown in its grab hint. */
static void
test_release_key_setting (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");
  LodgeDisplay *display = lodge_console_page_get_display (f->page);
  LodgePreferencesWindow *prefs;
  AdwComboRow *row;
  GListModel *labels;
  GtkLabel *hint;
  ReleaseKeyCheck check = { display, NULL };

  g_assert_cmpstr (lodge_display_get_release_key (display), ==, "<Control><Alt>");
  hint = find_label (GTK_WIDGET (f->page), "releases the keyboard");
  g_assert_nonnull (hint);
  g_assert_cmpstr (gtk_label_get_text (hint), ==, "Ctrl+Alt releases the keyboard");

  prefs = lodge_preferences_window_new (settings);
  gtk_window_present (GTK_WINDOW (prefs));
  row = ADW_COMBO_ROW (find_widget (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW));
  g_assert_nonnull (row);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  labels = adw_combo_row_get_model (row);
  g_assert_cmpuint (g_list_model_get_n_items (labels), ==, 4);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (labels), 0), ==, "Ctrl+Alt");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (labels), 2), ==, "Shift+F12");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (labels), 3), ==, "Ctrl+Alt+G");

  /* Chosen in the preferences: stored, and the display and hint follow. */
  adw_combo_row_set_selected (row, 2);
  {
    g_autofree char *stored = g_settings_get_string (settings, "console-release-key");

    g_assert_cmpstr (stored, ==, "<Shift>F12");
  }
  check.key = "<Shift>F12";
  g_assert_true (wait_until (release_key_is, &check));
  g_assert_cmpstr (gtk_label_get_text (hint), ==, "Shift+F12 releases the keyboard");
  if (g_getenv ("LODGE_TEST_SCREENSHOT_DIR") != NULL)
    {

      /* The row's popover open, for people to look at. */
      gtk_widget_activate (GTK_WIDGET (row));
      save_screenshot ("preferences-release-key.png");
    }

  /* Set elsewhere (gsettings) to something not in the list: shown as an
   * item of its own. */
  g_settings_set_string (settings, "console-release-key", "<Super>Escape");
  check.key = "<Super>Escape";
  g_assert_true (wait_until (release_key_is, &check));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, 5);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 4);
  g_assert_cmpstr (gtk_label_get_text (hint), ==, "Super+Escape releases the keyboard");

  gtk_window_destroy (GTK_WINDOW (prefs));
  if (g_getenv ("LODGE_TEST_SCREENSHOT_DIR") != NULL)
    {
      /* The hint as a grab shows it (a grab needs a real click). */
      GtkRevealer *revealer = GTK_REVEALER (gtk_widget_get_ancestor (GTK_WIDGET (hint), GTK_TYPE_REVEALER));

      connect_console (f);
      gtk_revealer_set_reveal_child (revealer, TRUE);
      save_screenshot ("grab-hint.png");
      gtk_revealer_set_reveal_child (revealer, FALSE);
    }

  /* Nonsense there leaves the display's key as it was. */
  g_test_expect_message ("lodge-display", G_LOG_LEVEL_WARNING, "Not a release key*");
  g_settings_set_string (settings, "console-release-key", "<Bogus>");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (lodge_display_get_release_key (display), ==, "<Super>Escape");

  g_settings_reset (settings, "console-release-key");
  check.key = "<Control><Alt>";
  g_assert_true (wait_until (release_key_is, &check));
  g_assert_cmpstr (gtk_label_get_text (hint), ==, "Ctrl+Alt releases the keyboard");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *store_path = NULL;
  g_autoptr(LodgeStateStore) store = NULL;
  g_autofree char *config = NULL;
  gboolean opened = FALSE;
  int result;

  /* What lodge's main() does first: the renderer that suits this host. */
  lodge_console_prepare_process ();
  g_test_init (&argc, &argv, NULL);
  /* A page left, or reconnected, while its channels still log in ends
   * their links. */
  lodge_test_allow_spice_link_end ();
  /* spice-glib warns about every connection a server drops (the point of
   * some tests): only criticals are fatal here. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);

  server_path = g_getenv ("LODGE_SPICE_TEST_SERVER");
  if (server_path == NULL)
    g_error ("LODGE_SPICE_TEST_SERVER is not set (run through meson test)");
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");

  tmp_dir = g_dir_make_tmp ("lodge-console-page-XXXXXX", &error);
  g_assert_no_error (error);
  /* Per-machine choices go to a config directory of the test's own. */
  config = g_build_filename (tmp_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  gtk_init ();
  adw_init ();
  lodge_register_resource ();
  lodge_connection_init_events ();

  write_node_file ();
  uri = g_strdup_printf ("test://%s", node_path);
  connection = lodge_connection_new (uri);
  /* Per-machine choices: in a store of the test's own. */
  store_path = g_build_filename (tmp_dir, "machines.ini", NULL);
  store = lodge_state_store_new (store_path);
  lodge_connection_set_state_store (connection, store);
  lodge_connection_open_async (connection, NULL, open_cb, &opened);
  g_assert_true (wait_until (is_true, &opened));

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/console-page/shows-pixels", test_shows_pixels);
  ADD ("/console-page/send-key-menu", test_send_key_menu);
  ADD ("/console-page/force-off-and-start", test_force_off_and_start);
  ADD ("/console-page/disconnected-and-reconnect", test_disconnected_and_reconnect);
  ADD ("/console-page/no-graphics", test_no_graphics);
  ADD ("/console-page/fullscreen", test_fullscreen);
  ADD ("/console-page/share-clipboard-per-machine", test_share_clipboard_per_machine);
  ADD ("/console-page/share-microphone-per-machine", test_share_microphone_per_machine);
  ADD ("/console-page/file-drop", test_file_drop);
  ADD ("/console-page/release-key-setting", test_release_key_setting);
#undef ADD
  g_test_add_func ("/console-page/thumbnails", test_thumbnails);
  g_test_add_func ("/console-page/thumbnail-no-seams", test_thumbnail_no_seams);

  result = g_test_run ();

  lodge_connection_close (connection);
  g_clear_object (&connection);
  g_clear_object (&store);
  g_unlink (store_path);
  g_rmdir (config);
  g_unlink (node_path);
  g_rmdir (tmp_dir);
  return result;
}
