/* ui-screenshots.c: takes screenshots of Lodge's windows for review
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage (under xvfb-run, with GSETTINGS_SCHEMA_DIR set):
 *   ui-screenshots OUTPUT_DIR MANY_MACHINES.xml
 * Not a test: it only shows the windows in their states (library as grid and
 * list, empty, connection failed, search without results, machine menu,
 * delete dialog, undo toast, machine page, preferences, shortcuts, All
 * Machines of several hosts, Add Host, a host's settings, a narrow window)
 * and saves the screen with ImageMagick's import.
 */
#define G_LOG_DOMAIN "ui-screenshots"

#include "config.h"

#include <glib/gstdio.h>

#include "ui/lodge-application.h"
#include "ui/lodge-console-page.h"
#include "ui/lodge-host-dialog.h"
#include "ui/lodge-window-private.h"

static const char *out_dir;

/* The first widget of type below widget (depth first), or NULL. */
static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) && gtk_widget_get_visible (child))
        return child;
      if ((found = find_descendant (child, type)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (10, wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

/* What a click on a response button does: respond, then destroy. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
wait_page (LodgeWindow *window,
           const char  *page)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_strcmp0 (lodge_window_get_visible_page (window), page) != 0
         && g_get_monotonic_time () < end)
    spin (20);
}

static void
shoot (const char *name)
{
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  g_autofree char *command = g_strdup_printf ("import -window root %s", path);

  spin (700);
  if (system (command) != 0)
    g_warning ("could not run %s", command);
  else
    g_print ("%s\n", path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LodgeApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *many_uri = NULL;
  g_autofree char *empty_path = NULL;
  g_autofree char *empty_uri = NULL;
  LodgeWindow *window;
  LodgeWindow *other;
  g_autoptr(LodgeMachine) machine = NULL;
  GListModel *library;

  if (argc < 3)
    {
      g_printerr ("usage: %s OUTPUT_DIR MANY_MACHINES.xml\n", argv[0]);
      return 2;
    }
  out_dir = argv[1];
  many_uri = g_strconcat ("test://", argv[2], NULL);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  gtk_init ();
  adw_init ();

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);

  window = LODGE_WINDOW (lodge_application_show (app, many_uri, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  wait_page (window, "grid");
  shoot ("01-grid.png");

  library = lodge_window_get_library_model (window);
  machine = g_list_model_get_item (library, 1);
  lodge_window_select_machine (window, machine);
  gtk_widget_activate_action (GTK_WIDGET (window), "machine.menu", NULL);
  shoot ("02-context-menu.png");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.view-mode", "s", "list");
  wait_page (window, "list");
  shoot ("03-list.png");

  gtk_editable_set_text (lodge_window_get_search_entry (window), "Машина");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  shoot ("04-search.png");
  gtk_editable_set_text (lodge_window_get_search_entry (window), "no such machine");
  wait_page (window, "no-results");
  shoot ("05-no-results.png");
  gtk_editable_set_text (lodge_window_get_search_entry (window), "");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.view-mode", "s", "grid");
  wait_page (window, "grid");

  lodge_window_select_machine (window, machine);
  gtk_widget_activate_action (GTK_WIDGET (window), "machine.delete", NULL);
  shoot ("06-delete-dialog.png");
  respond (lodge_window_get_dialog (window), "delete");
  shoot ("07-undo-toast.png");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-delete", "s",
                              lodge_machine_get_uuid (machine));
  spin (1000);

  lodge_window_select_machine (window, machine);
  gtk_widget_activate_action (GTK_WIDGET (window), "machine.open", NULL);
  shoot ("08-machine-page.png");
  {
    /* The console menu: the first menu button of the console page. */
    GtkWidget *page = find_descendant (GTK_WIDGET (window), LODGE_TYPE_CONSOLE_PAGE);
    GtkWidget *button = page != NULL ? find_descendant (page, GTK_TYPE_MENU_BUTTON) : NULL;

    if (button != NULL)
      {
        gtk_menu_button_popup (GTK_MENU_BUTTON (button));
        shoot ("08b-console-menu.png");
        gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
      }
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-library", NULL);

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  shoot ("09-preferences.png");
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (ADW_IS_PREFERENCES_WINDOW (l->data))
      {
        gtk_window_destroy (l->data);
        break;
      }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.shortcuts", NULL);
  shoot ("10-shortcuts.png");
  {
    GtkWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window))
                         ? GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)))
                         : NULL;
    if (overlay != NULL)
      gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
  }
  gtk_window_destroy (GTK_WINDOW (window));

  empty_path = g_build_filename (out_dir, "empty.xml", NULL);
  g_file_set_contents (empty_path, "<node/>\n", -1, NULL);
  empty_uri = g_strconcat ("test://", empty_path, NULL);
  other = LODGE_WINDOW (lodge_application_show (app, empty_uri, NULL));
  wait_page (other, "empty");
  shoot ("11-empty.png");
  gtk_window_destroy (GTK_WINDOW (other));

  other = LODGE_WINDOW (lodge_application_show (app, "test:///no/such/file.xml", NULL));
  wait_page (other, "failed");
  shoot ("12-failed.png");
  gtk_window_destroy (GTK_WINDOW (other));

  /* Several hosts: All Machines, Add Host, a host's settings. */
  other = LODGE_WINDOW (lodge_application_show (app, NULL, NULL));
  gtk_window_set_default_size (GTK_WINDOW (other), 1200, 800);
  lodge_window_select_host (other, NULL);
  spin (1500);
  shoot ("13-all-machines.png");
  {
    LodgeHostDialog *dialog = lodge_host_dialog_new_add (GTK_WINDOW (other), app);

    lodge_host_dialog_set_ssh (dialog, "lab.example.org", "root", 0, NULL, TRUE);
    gtk_window_present (GTK_WINDOW (dialog));
    shoot ("14-add-host.png");
    lodge_host_dialog_set_uri (dialog, "qemu+tcp://127.0.0.9:3/system");
    lodge_host_dialog_activate (dialog);
    spin (1500);
    shoot ("15-add-host-failed.png");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  {
    LodgeHost *host = lodge_host_list_lookup (lodge_application_get_hosts (app), many_uri);
    LodgeHostDialog *dialog = lodge_host_dialog_new_edit (GTK_WINDOW (other), host);

    gtk_window_present (GTK_WINDOW (dialog));
    shoot ("16-edit-host.png");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  gtk_window_set_default_size (GTK_WINDOW (other), 500, 700);
  spin (500);
  shoot ("17-narrow.png");
  gtk_window_destroy (GTK_WINDOW (other));

  spin (200);
  return 0;
}
