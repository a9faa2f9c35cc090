/* networks-screenshots.c: the Networks window of the system daemon, for review
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage (root, under xvfb-run, with GSETTINGS_SCHEMA_DIR set):
 *   networks-screenshots OUTPUT_DIR
 * Not a test: with qemu:///system as the only host, it makes an isolated
 * network lodge-test-PID-screenshot on a free 10.x subnet through the model,
 * opens the Networks window (win.host-networks), then New Network, and saves
 * the screen with ImageMagick's import; the network is deleted at the end.
 */
#define G_LOG_DOMAIN "networks-screenshots"

#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>

#include "lodge-model-test.h"
#include "ui/lodge-application.h"
#include "ui/lodge-networks-page.h"
#include "ui/lodge-window-private.h"

#define URI "qemu:///system"

static const char *out_dir;

static void
shoot (const char *name)
{
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  g_autofree char *command = g_strdup_printf ("import -window root %s", path);

  lodge_test_spin (1500);
  if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL))
    g_printerr ("could not run: %s\n", command);
  else
    g_print ("saved %s\n", path);
}

static gboolean
loaded (gpointer data)
{
  return lodge_networks_get_loaded (data);
}

static gboolean
done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static GtkWidget *
find_page (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (LODGE_IS_NETWORKS_PAGE (child))
        return child;
      if ((found = find_page (child)) != NULL)
        return found;
    }
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LodgeApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("lodge-test-%d-screenshot", (int) getpid ());
  LodgeWindow *window;
  LodgeHost *host;
  LodgeNetworks *networks;
  LodgeNetwork *network = NULL;
  GtkWidget *page;

  if (argc != 2)
    {
      g_printerr ("usage: %s OUTPUT_DIR\n", argv[0]);
      return 2;
    }
  out_dir = argv[1];
  g_mkdir_with_parents (out_dir, 0755);

  gtk_init ();
  adw_init ();
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");
    GVariantBuilder builder;

    g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssb)"));
    g_variant_builder_add (&builder, "(ssb)", URI, "", TRUE);
    g_settings_set_value (settings, "hosts", g_variant_builder_end (&builder));
  }
  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);

  window = LODGE_WINDOW (lodge_application_show (app, NULL, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  host = lodge_host_list_lookup (lodge_application_get_hosts (app), URI);
  networks = lodge_host_get_networks (host);
  if (!lodge_test_wait_until (loaded, networks, 30000))
    g_error ("the networks of %s were never listed", URI);

  for (guint i = 0; i < 32 && network == NULL; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *subnet = g_strdup_printf ("10.%u.%u.0/24", 200 + (getpid () + i) % 50, (i * 11) % 256);
      g_autofree char *start = g_strdup_printf ("10.%u.%u.100", 200 + (getpid () + i) % 50, (i * 11) % 256);
      g_autofree char *end = g_strdup_printf ("10.%u.%u.199", 200 + (getpid () + i) % 50, (i * 11) % 256);

      lodge_networks_create_async (networks, name, "isolated", subnet, start, end, FALSE, NULL,
                                   lodge_test_store_result_cb, &result);
      lodge_test_wait_until (done, &result, 30000);
      if (lodge_networks_create_finish (networks, result, NULL))
        {
          lodge_test_spin (500);
          network = lodge_networks_lookup (networks, name);
        }
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.host-networks", "s", URI);
  shoot ("networks-system.png");

  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

        if ((page = find_page (GTK_WIDGET (toplevel))) != NULL)
          break;
      }
  }
  if (page != NULL)
    {
      gtk_widget_activate_action (page, "networks.new", NULL);
      shoot ("networks-system-new.png");
    }

  if (network != NULL)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *pid_file = g_strdup_printf ("/run/libvirt/network/%s.pid", name);

      lodge_networks_run_action_async (networks, lodge_network_get_uuid (network), LODGE_NETWORK_ACTION_DELETE,
                                       FALSE, NULL, lodge_test_store_result_cb, &result);
      lodge_test_wait_until (done, &result, 30000);
      g_unlink (pid_file);
    }
  g_application_quit (G_APPLICATION (app));
  return 0;
}
