/* test-ui-networks.c: a host's virtual networks, through the window
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application with test:///default as its only host. Before the
 * Networks window opens the test adds, through a libvirt connection of its
 * own (test:///default is shared by every connection of the process), an
 * isolated network with a running and a stopped machine on it. The window
 * (win.host-networks) lists the networks with their mode, subnet, DHCP
 * range, state, autostart and machines, and the host's interfaces; New
 * Network refuses a taken name and an overlapping subnet in the dialog and
 * makes a good one; stopping a network that a running machine uses asks
 * first, naming it; deleting one is refused while it runs and confirmed
 * after; autostart follows the switch's action.
 *
 * LODGE_TEST_SCREENSHOTS=DIR keeps PNGs of what was checked.
 */
#define G_LOG_DOMAIN "test-ui-networks"

#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "lodge-test.h"
#include "lodge-test-ui.h"
#include "lodge-model-test.h"
#include "ui/lodge-application.h"
#include "ui/lodge-network-dialog.h"
#include "ui/lodge-networks-page.h"
#include "ui/lodge-ui-private.h"
#include "ui/lodge-window-private.h"

/* Bounds a hang; never a timing assertion. */
#define WAIT_MS 20000
#define URI "test:///default"

static LodgeApplication *app;
static char *tmp_dir;
static virConnectPtr conn;

static gboolean
wait_until (LodgeTestCheck check,
            gpointer       data)
{
  return lodge_test_wait_until (check, data, WAIT_MS);
}

#define save_screenshot lodge_test_ui_save_window_png
#define find_widget     lodge_test_ui_find_widget

static GtkWindow *
find_window (const char *title_prefix)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      const char *title = gtk_window_get_title (window);

      if (title != NULL && g_str_has_prefix (title, title_prefix))
        return window;
    }
  return NULL;
}

static char *
network_uuid (const char *name)
{
  virNetworkPtr network = virNetworkLookupByName (conn, name);
  char uuid[VIR_UUID_STRING_BUFLEN];

  g_assert_nonnull (network);
  g_assert_cmpint (virNetworkGetUUIDString (network, uuid), ==, 0);
  virNetworkFree (network);
  return g_strdup (uuid);
}

/* The window ---------------------------------------------------------------- */

typedef struct
{
  LodgeNetworksPage *page;
  const char        *name;
  const char        *line;      /* a line the row must have, NULL: listed */
  gboolean           absent;    /* the row must be gone */
} RowWait;

static gboolean
row_reached (gpointer data)
{
  RowWait *wait = data;
  g_autofree char *text = lodge_networks_page_dup_network_text (wait->page, wait->name);
  g_auto(GStrv) lines = NULL;

  if (wait->absent)
    return text == NULL;
  if (text == NULL)
    return FALSE;
  if (wait->line == NULL)
    return TRUE;
  lines = g_strsplit (text, "\n", -1);
  return g_strv_contains ((const char * const *) lines, wait->line);
}

static void
assert_row (LodgeNetworksPage *page,
            const char        *name,
            const char        *line,
            gboolean           absent)
{
  RowWait wait = { page, name, line, absent };

  if (!wait_until (row_reached, &wait))
    {
      g_autofree char *text = lodge_networks_page_dup_network_text (page, name);

      g_error ("The row of %s never %s \"%s\"; it says:\n%s", name, absent ? "went" : "said",
               line ? line : "", text ? text : "(not listed)");
    }
}

static gboolean
page_shows_networks (gpointer data)
{
  return g_strcmp0 (lodge_networks_page_get_visible_page (data), "networks") == 0;
}

static gboolean
page_has_error (gpointer data)
{
  return lodge_networks_page_get_last_error (data) != NULL;
}

static gboolean
host_connected (gpointer data)
{
  return lodge_host_get_state (data) == LODGE_CONNECTION_STATE_CONNECTED;
}

static gboolean
dialog_settled (gpointer data)
{
  LodgeNetworksPage *page = data;
  GtkWindow *dialog = lodge_networks_page_get_dialog (page);

  return dialog == NULL || !lodge_network_dialog_get_busy (LODGE_NETWORK_DIALOG (dialog));
}

static gboolean
dialog_gone (gpointer data)
{
  return lodge_networks_page_get_dialog (data) == NULL;
}

/* Fills the open New Network dialog, presses Create and waits for the
 * outcome: the error it shows, or NULL once it closed. */
static char *
dialog_create (LodgeNetworksPage *page,
               const char        *name,
               const char        *mode,
               const char        *subnet)
{
  LodgeNetworkDialog *dialog = LODGE_NETWORK_DIALOG (lodge_networks_page_get_dialog (page));

  g_assert_nonnull (dialog);
  lodge_network_dialog_fill (dialog, name, mode, subnet, NULL, NULL);
  g_assert_true (gtk_widget_get_sensitive (lodge_network_dialog_get_create_button (dialog)));
  /* A click (GtkButton's activate signal clicks only after a delay). */
  g_signal_emit_by_name (lodge_network_dialog_get_create_button (dialog), "clicked");
  g_assert_true (lodge_network_dialog_get_busy (dialog));
  g_assert_true (wait_until (dialog_settled, page));
  dialog = LODGE_NETWORK_DIALOG (lodge_networks_page_get_dialog (page));
  if (dialog == NULL || lodge_network_dialog_get_error (dialog) == NULL)
    {
      g_assert_true (wait_until (dialog_gone, page));
      return NULL;
    }
  return g_strdup (lodge_network_dialog_get_error (dialog));
}

static AdwMessageDialog *
open_message (LodgeNetworksPage *page)
{
  GtkWindow *dialog = lodge_networks_page_get_dialog (page);

  g_assert_nonnull (dialog);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  return ADW_MESSAGE_DIALOG (dialog);
}

static void
test_networks_window (void)
{
  LodgeWindow *main_window = LODGE_WINDOW (lodge_application_show (app, NULL, NULL));
  LodgeHost *host = lodge_host_list_lookup (lodge_application_get_hosts (app), URI);
  g_autofree char *lab_uuid = NULL;
  g_autofree char *new_uuid = NULL;
  g_autofree char *error = NULL;
  virNetworkPtr lab;
  virDomainPtr web, db;
  GtkWindow *window;
  LodgeNetworksPage *page;
  AdwMessageDialog *message;

  g_assert_nonnull (host);
  g_assert_true (wait_until (host_connected, host));

  lab = virNetworkDefineXML (conn, "<network><name>lodge-lab</name>"
                                   "<ip address='10.55.0.1' prefix='24'><dhcp>"
                                   "<range start='10.55.0.100' end='10.55.0.199'/></dhcp></ip></network>");
  g_assert_nonnull (lab);
  g_assert_cmpint (virNetworkCreate (lab), ==, 0);
  lab_uuid = network_uuid ("lodge-lab");
  web = virDomainDefineXML (conn, "<domain type='test'><name>lodge-web</name><memory>65536</memory>"
                                  "<os><type>hvm</type></os><devices><interface type='network'>"
                                  "<source network='lodge-lab'/></interface></devices></domain>");
  db = virDomainDefineXML (conn, "<domain type='test'><name>lodge-db</name><memory>65536</memory>"
                                 "<os><type>hvm</type></os><devices><interface type='network'>"
                                 "<source network='lodge-lab'/></interface></devices></domain>");
  g_assert_nonnull (web);
  g_assert_nonnull (db);
  g_assert_cmpint (virDomainCreate (web), ==, 0);

  /* From the host row's menu action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.host-networks", "s", URI));
  window = find_window ("Networks — ");
  g_assert_nonnull (window);
  g_assert_true (gtk_window_get_transient_for (window) == GTK_WINDOW (main_window));
  {
    g_autofree char *host_title = lodge_ui_host_title (host);
    g_autofree char *expected = g_strdup_printf ("Networks — %s", host_title);

    g_assert_cmpstr (gtk_window_get_title (window), ==, expected);
  }
  page = LODGE_NETWORKS_PAGE (find_widget (GTK_WIDGET (window), LODGE_TYPE_NETWORKS_PAGE));
  g_assert_nonnull (page);
  g_assert_true (lodge_networks_page_get_host (page) == host);
  g_assert_true (wait_until (page_shows_networks, page));

  /* Each row as libvirt has it. */
  assert_row (page, "default", "Running", FALSE);
  assert_row (page, "default", "NAT · 192.168.122.1/24 · bridge virbr0 · Started by hand", FALSE);
  assert_row (page, "default", "DHCP: 192.168.122.2 – 192.168.122.254", FALSE);
  /* test:///default's own machine uses it. */
  assert_row (page, "default", "Machines: test (running)", FALSE);
  assert_row (page, "lodge-lab", "Running", FALSE);
  assert_row (page, "lodge-lab", "DHCP: 10.55.0.100 – 10.55.0.199", FALSE);
  assert_row (page, "lodge-lab", "Machines: lodge-db, lodge-web (running)", FALSE);
  {
    g_autofree char *text = lodge_networks_page_dup_network_text (page, "lodge-lab");

    g_assert_true (g_str_has_prefix (strstr (text, "Isolated · 10.55.0.1/24"), "Isolated · 10.55.0.1/24"));
  }
  {
    g_autofree char *interfaces = lodge_networks_page_dup_interfaces_text (page);

    g_assert_nonnull (strstr (interfaces, "eth1"));
    g_assert_nonnull (strstr (interfaces, "aa:bb:cc:dd:ee:ff"));
    g_assert_nonnull (strstr (interfaces, "Up"));
  }
  /* The keyboard reaches the rows' controls. */
  gtk_widget_grab_focus (GTK_WIDGET (window));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (page), GTK_DIR_TAB_FORWARD));
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

    g_assert_nonnull (focus);
    g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (page)));
  }
  save_screenshot (GTK_WIDGET (window), "networks-1-list.png");

  /* New Network: a free subnet suggested, with its DHCP range. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "networks.new", NULL));
  g_assert_nonnull (lodge_networks_page_get_dialog (page));
  {
    GtkWindow *dialog = lodge_networks_page_get_dialog (page);
    GtkWidget *create = lodge_network_dialog_get_create_button (LODGE_NETWORK_DIALOG (dialog));

    g_assert_true (gtk_window_get_transient_for (dialog) == window);
    /* No name yet: nothing to create. */
    g_assert_false (gtk_widget_get_sensitive (create));
  }
  /* Bad input stays in the dialog, with the model's reason. */
  error = dialog_create (page, "lodge-lab", "isolated", "10.66.0.0/24");
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "exists already"));
  g_clear_pointer (&error, g_free);
  error = dialog_create (page, "lodge-new", "nat", "10.55.0.0/16");
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "“lodge-lab”"));
  save_screenshot (GTK_WIDGET (lodge_networks_page_get_dialog (page)), "networks-2-dialog-error.png");
  g_clear_pointer (&error, g_free);
  error = dialog_create (page, NULL, NULL, "10.55.1.7/24");
  g_assert_nonnull (strstr (error, "10.55.1.0/24"));
  g_clear_pointer (&error, g_free);
  /* A good one: made, running, starting with the host. */
  error = dialog_create (page, "lodge-new", "isolated", "192.168.123.0/24");
  g_assert_null (error);
  assert_row (page, "lodge-new", "Running", FALSE);
  assert_row (page, "lodge-new", "Isolated · 192.168.123.1/24 · Starts with the host", FALSE);
  assert_row (page, "lodge-new", "DHCP: 192.168.123.100 – 192.168.123.254", FALSE);
  new_uuid = network_uuid ("lodge-new");
  save_screenshot (GTK_WIDGET (window), "networks-3-made.png");

  /* Autostart off through the row's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "networks.autostart", "(sb)", new_uuid, FALSE));
  assert_row (page, "lodge-new", "Isolated · 192.168.123.1/24 · Started by hand", FALSE);

  /* Stop with a running machine on it: asked first, naming it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "networks.stop", "s", lab_uuid));
  message = open_message (page);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message), "lodge-web"));
  g_assert_null (strstr (adw_message_dialog_get_body (message), "lodge-db"));
  save_screenshot (GTK_WIDGET (message), "networks-4-stop-confirm.png");
  adw_message_dialog_response (message, "stop");
  assert_row (page, "lodge-lab", "Stopped", FALSE);
  g_assert_cmpint (virNetworkIsActive (lab), ==, 0);

  /* Delete while lodge-web runs: refused, naming it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "networks.delete", "s", lab_uuid));
  message = open_message (page);
  g_assert_false (adw_message_dialog_has_response (message, "delete"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message), "lodge-web"));
  adw_message_dialog_response (message, "cancel");
  lodge_test_spin (100);
  assert_row (page, "lodge-lab", NULL, FALSE);

  /* Once it is shut down: confirmed, naming the machines that use it. */
  g_assert_cmpint (virDomainDestroy (web), ==, 0);
  assert_row (page, "lodge-lab", "Machines: lodge-db, lodge-web", FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "networks.delete", "s", lab_uuid));
  message = open_message (page);
  g_assert_true (adw_message_dialog_has_response (message, "delete"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message), "lodge-db, lodge-web"));
  save_screenshot (GTK_WIDGET (message), "networks-5-delete-confirm.png");
  adw_message_dialog_response (message, "delete");
  assert_row (page, "lodge-lab", NULL, TRUE);
  {
    virNetworkPtr gone = virNetworkLookupByName (conn, "lodge-lab");

    g_assert_null (gone);
    virResetLastError ();
  }

  /* The one made here goes too (nothing uses it). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "networks.delete", "s", new_uuid));
  message = open_message (page);
  adw_message_dialog_response (message, "delete");
  assert_row (page, "lodge-new", NULL, TRUE);
  save_screenshot (GTK_WIDGET (window), "networks-6-after.png");
  g_assert_null (lodge_networks_page_get_last_error (page));

  /* What libvirt refuses shows whole: starting one that runs. */
  {
    g_autofree char *default_uuid = network_uuid ("default");

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "networks.start", "s", default_uuid));
    g_assert_true (wait_until (page_has_error, page));
    g_test_message ("toast: %s", lodge_networks_page_get_last_error (page));
    g_assert_true (g_str_has_prefix (lodge_networks_page_get_last_error (page), "Could not start the network: "));
    {
      GtkWindow *shown = NULL;
      GListModel *toplevels = gtk_window_get_toplevels ();

      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

          if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
            shown = toplevel;
        }
      g_assert_true (ADW_IS_MESSAGE_DIALOG (shown));
      g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (shown)), ==,
                       lodge_networks_page_get_last_error (page));
      save_screenshot (GTK_WIDGET (shown), "networks-7-error.png");
      gtk_window_destroy (shown);
    }
  }

  gtk_window_destroy (window);
  lodge_test_spin (100);

  virDomainUndefine (web);
  virDomainFree (web);
  virDomainUndefine (db);
  virDomainFree (db);
  virNetworkFree (lab);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");

  gtk_init ();
  adw_init ();

  tmp_dir = g_dir_make_tmp ("lodge-ui-networks-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *state_dir = g_build_filename (tmp_dir, "state", NULL);

    g_setenv ("XDG_STATE_HOME", state_dir, TRUE);
  }
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");
    GVariantBuilder builder;

    g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssb)"));
    g_variant_builder_add (&builder, "(ssb)", URI, "", TRUE);
    g_settings_set_value (settings, "hosts", g_variant_builder_end (&builder));
  }

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  conn = virConnectOpen (URI);
  g_assert_nonnull (conn);

  g_test_add_func ("/ui/networks/window", test_networks_window);

  ret = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  virConnectClose (conn);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return ret;
}
