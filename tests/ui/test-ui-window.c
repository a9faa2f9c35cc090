/* test-ui-window.c: the main window against libvirt's test driver
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application, window and model on test:///default and on
 * generated test-driver files: no mocks. Actions go through the window's
 * actions (what menus, buttons and shortcuts activate) and their effect is
 * read back from the model, which learns it from libvirt's events.
 */
#define G_LOG_DOMAIN "test-ui-window"

#include "config.h"

#include <glib/gstdio.h>

#include "lodge-test.h"
#include "model/lodge-pending-cleanup.h"
#include "ui/lodge-details-page.h"
#include "ui/lodge-host-dialog.h"
#include "ui/lodge-application.h"
#include "ui/lodge-window-private.h"

/* Bounds a hang; never a timing assertion. */
#define WAIT_MS 10000

static LodgeApplication *app;
static char *tmp_dir;

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*CheckFunc) (gpointer data);

static gboolean
wait_until (CheckFunc check,
            gpointer  data)
{
  gint64 end = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean ok;

  while (!(ok = check (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
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

typedef struct
{
  LodgeWindow *window;
  const char  *page;
} PageCheck;

static gboolean
page_is (gpointer data)
{
  PageCheck *check = data;

  return g_strcmp0 (lodge_window_get_visible_page (check->window), check->page) == 0;
}

static gboolean
page_shows_machines (gpointer data)
{
  LodgeWindow *window = data;
  const char *page = lodge_window_get_visible_page (window);

  return g_strcmp0 (page, "grid") == 0 || g_strcmp0 (page, "list") == 0;
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

typedef struct
{
  GListModel *model;
  guint       n;
} CountCheck;

static gboolean
count_is (gpointer data)
{
  CountCheck *check = data;

  return g_list_model_get_n_items (check->model) == check->n;
}

static gboolean
dialog_open (gpointer data)
{
  return lodge_window_get_dialog (data) != NULL;
}

static LodgeWindow *
show_window (const char *uri)
{
  LodgeWindow *window = LODGE_WINDOW (lodge_application_show (app, uri, NULL));

  g_assert_true (LODGE_IS_WINDOW (window));
  return window;
}

static LodgeWindow *
default_window (void)
{
  LodgeWindow *window = show_window ("test:///default");

  g_assert_true (wait_until (page_shows_machines, window));
  return window;
}

static LodgeMachine *
default_machine (LodgeWindow *window)
{
  LodgeMachine *machine = lodge_connection_lookup_machine (lodge_window_get_connection (window), "test");

  g_assert_nonnull (machine);
  g_assert_true (lodge_window_select_machine (window, machine));
  g_assert_true (lodge_window_get_action_machine (window) == machine);
  return machine;
}

static void
activate_and_wait_state (LodgeWindow       *window,
                         LodgeMachine      *machine,
                         const char        *action,
                         LodgeMachineState  state)
{
  StateCheck check = { machine, state };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  if (!wait_until (state_is, &check))
    g_error ("%s: machine state %d, expected %d", action,
             lodge_machine_get_state (machine), state);
}

/* Tests ------------------------------------------------------------------ */

static void
test_window_opens (void)
{
  LodgeWindow *window = show_window ("test:///default");
  GListModel *library = lodge_window_get_library_model (window);
  g_autoptr(LodgeMachine) first = NULL;
  CountCheck count = { library, 1 };

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Lodge");
  g_assert_true (wait_until (page_shows_machines, window));
  g_assert_true (wait_until (count_is, &count));

  first = g_list_model_get_item (library, 0);
  g_assert_cmpstr (lodge_machine_get_name (first), ==, "test");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  /* A second show for the same URI raises the same window. */
  g_assert_true (show_window ("test:///default") == window);
}

static GtkWindow *
find_shortcuts_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (GTK_IS_SHORTCUTS_WINDOW (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }
  return NULL;
}

static gboolean
shortcuts_window_shown (gpointer data)
{
  return find_shortcuts_window () != NULL;
}

/* The shortcuts window is built when asked for, from the menu's action
 * and from Ctrl+?, over the window that asked. */
static void
test_window_shortcuts (void)
{
  LodgeWindow *window = default_window ();
  GtkWindow *shortcuts;

  g_assert_null (find_shortcuts_window ());
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.shortcuts", NULL));
  g_assert_true (wait_until (shortcuts_window_shown, NULL));
  shortcuts = find_shortcuts_window ();
  g_assert_true (gtk_window_get_transient_for (shortcuts) == GTK_WINDOW (window));
  gtk_window_destroy (shortcuts);
  spin (50);
  g_assert_null (find_shortcuts_window ());
}

static void
test_window_search (void)
{
  LodgeWindow *window = default_window ();
  GListModel *library = lodge_window_get_library_model (window);
  GtkEditable *entry = lodge_window_get_search_entry (window);
  CountCheck none = { library, 0 };
  CountCheck one = { library, 1 };
  PageCheck no_results = { window, "no-results" };

  gtk_editable_set_text (entry, "no such machine");
  g_assert_true (wait_until (count_is, &none));
  g_assert_true (wait_until (page_is, &no_results));

  /* Case does not matter, a part of the name is enough. */
  gtk_editable_set_text (entry, "TES");
  g_assert_true (wait_until (count_is, &one));
  g_assert_true (wait_until (page_shows_machines, window));

  gtk_editable_set_text (entry, "");
  g_assert_true (wait_until (count_is, &one));
}

static void
test_window_actions (void)
{
  LodgeWindow *window = default_window ();
  LodgeMachine *machine = default_machine (window);
  AdwMessageDialog *dialog;
  StateCheck running = { machine, LODGE_MACHINE_STATE_RUNNING };

  if (lodge_machine_get_state (machine) != LODGE_MACHINE_STATE_RUNNING)
    activate_and_wait_state (window, machine, "machine.start", LODGE_MACHINE_STATE_RUNNING);
  g_assert_true (wait_until (state_is, &running));

  /* What cannot apply is refused: a running machine cannot be started. */
  g_assert_false (lodge_window_get_action_enabled (window, "machine.start"));
  g_assert_false (lodge_window_get_action_enabled (window, "machine.resume"));

  g_assert_true (lodge_window_get_action_enabled (window, "machine.pause"));
  activate_and_wait_state (window, machine, "machine.pause", LODGE_MACHINE_STATE_PAUSED);
  g_assert_true (lodge_window_get_action_enabled (window, "machine.resume"));
  g_assert_false (lodge_window_get_action_enabled (window, "machine.pause"));
  activate_and_wait_state (window, machine, "machine.resume", LODGE_MACHINE_STATE_RUNNING);
  /* Ctrl+Shift+P's action does whichever applies. */
  activate_and_wait_state (window, machine, "machine.pause-resume", LODGE_MACHINE_STATE_PAUSED);
  activate_and_wait_state (window, machine, "machine.pause-resume", LODGE_MACHINE_STATE_RUNNING);

  activate_and_wait_state (window, machine, "machine.shutdown", LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_false (lodge_window_get_action_enabled (window, "machine.pause"));
  activate_and_wait_state (window, machine, "machine.start", LODGE_MACHINE_STATE_RUNNING);

  /* Force off asks first; cancelling changes nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.force-off", NULL));
  g_assert_true (wait_until (dialog_open, window));
  dialog = lodge_window_get_dialog (window);
  respond (dialog, "cancel");
  spin (200);
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_RUNNING);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.force-off", NULL));
  g_assert_true (wait_until (dialog_open, window));
  dialog = lodge_window_get_dialog (window);
  respond (dialog, "force-off");
  {
    StateCheck off = { machine, LODGE_MACHINE_STATE_SHUT_OFF };
    g_assert_true (wait_until (state_is, &off));
  }

  activate_and_wait_state (window, machine, "machine.start", LODGE_MACHINE_STATE_RUNNING);
}

static void
test_window_save_state (void)
{
  LodgeWindow *window = default_window ();
  LodgeMachine *machine = default_machine (window);
  StateCheck running = { machine, LODGE_MACHINE_STATE_RUNNING };

  g_assert_true (wait_until (state_is, &running));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.save", NULL));
  {
    StateCheck saved = { machine, LODGE_MACHINE_STATE_SAVED };
    StateCheck off = { machine, LODGE_MACHINE_STATE_SHUT_OFF };

    /* The test driver's managed save leaves the machine off with a save
     * image: SAVED in Lodge's terms (or plain off if the model reads no
     * image). */
    g_assert_true (wait_until (state_is, &saved) || state_is (&off));
  }
  activate_and_wait_state (window, machine, "machine.start", LODGE_MACHINE_STATE_RUNNING);
}

static gboolean
display_name_is (gpointer data)
{
  gpointer *pair = data;

  return g_strcmp0 (lodge_machine_get_display_name (pair[0]), pair[1]) == 0;
}

static void
test_window_rename (void)
{
  LodgeWindow *window = default_window ();
  LodgeMachine *machine = default_machine (window);
  const char *new_name = "Renamed <b>&amp;</b> & < “machine” ✓";
  AdwMessageDialog *dialog;
  GtkEditable *entry;
  gpointer renamed[2] = { machine, (gpointer) new_name };
  gpointer restored[2] = { machine, (gpointer) "test" };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.rename", NULL));
  g_assert_true (wait_until (dialog_open, window));
  dialog = lodge_window_get_dialog (window);
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  /* Prefilled with the current name. */
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "test");
  gtk_editable_set_text (entry, new_name);
  respond (dialog, "rename");
  g_assert_true (wait_until (display_name_is, renamed));
  g_assert_cmpstr (lodge_machine_get_name (machine), ==, "test");

  /* The name is text, never markup: pages and toasts that show it must not
   * choke on it (a markup error would be a fatal warning here). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.open", NULL));
  spin (300);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-library", NULL));
  spin (300);

  /* An empty title gives the machine its libvirt name back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.rename", NULL));
  g_assert_true (wait_until (dialog_open, window));
  dialog = lodge_window_get_dialog (window);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "");
  respond (dialog, "rename");
  g_assert_true (wait_until (display_name_is, restored));
}

static void
test_window_delete_undo (void)
{
  LodgeWindow *window = default_window ();
  LodgeMachine *machine = default_machine (window);
  GListModel *library = lodge_window_get_library_model (window);
  g_autofree char *uuid = g_strdup (lodge_machine_get_uuid (machine));
  AdwMessageDialog *dialog;
  GtkWidget *check;
  CountCheck none = { library, 0 };
  CountCheck one = { library, 1 };
  PageCheck empty = { window, "empty" };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.delete", NULL));
  g_assert_true (wait_until (dialog_open, window));
  dialog = lodge_window_get_dialog (window);
  check = adw_message_dialog_get_extra_child (dialog);
  g_assert_true (GTK_IS_CHECK_BUTTON (check));
  /* Disks are kept unless the user asks. */
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  respond (dialog, "delete");

  /* Hidden at once, but nothing is deleted while the undo toast shows. */
  g_assert_true (wait_until (count_is, &none));
  g_assert_true (wait_until (page_is, &empty));
  g_assert_cmpuint (lodge_window_get_n_pending_deletes (window), ==, 1);
  g_assert_nonnull (lodge_window_get_last_toast (window));
  g_assert_true (lodge_connection_lookup_machine (lodge_window_get_connection (window), uuid) == machine);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-delete", "s", uuid));
  g_assert_true (wait_until (count_is, &one));
  g_assert_cmpuint (lodge_window_get_n_pending_deletes (window), ==, 0);
  spin (300);
  g_assert_true (lodge_connection_lookup_machine (lodge_window_get_connection (window), uuid) == machine);
}

static char *
generate_machines (guint count)
{
  g_autofree char *name = g_strdup_printf ("machines-%u.xml", count);
  g_autofree char *count_str = g_strdup_printf ("%u", count);
  char *path = g_build_filename (tmp_dir, name, NULL);
  const char *argv[] = { "python3", LODGE_GEN_MACHINES, count_str, path, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     NULL, NULL, &status, &error))
    g_error ("gen-machines.py: %s", error->message);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return path;
}

typedef struct
{
  LodgeConnection *connection;
  const char      *uuid;
} GoneCheck;

static gboolean
machine_gone (gpointer data)
{
  GoneCheck *check = data;

  return lodge_connection_lookup_machine (check->connection, check->uuid) == NULL;
}

static void
test_window_delete (void)
{
  g_autofree char *path = generate_machines (20);
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  LodgeWindow *window = show_window (uri);
  GListModel *library = lodge_window_get_library_model (window);
  g_autoptr(LodgeMachine) machine = NULL;
  g_autofree char *uuid = NULL;
  CountCheck all = { library, 20 };
  CountCheck fewer = { library, 19 };
  GoneCheck gone;

  g_assert_true (wait_until (count_is, &all));
  machine = g_list_model_get_item (library, 3);
  uuid = g_strdup (lodge_machine_get_uuid (machine));
  g_assert_true (lodge_window_select_machine (window, machine));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.delete", NULL));
  g_assert_true (wait_until (dialog_open, window));
  respond (lodge_window_get_dialog (window), "delete");
  g_assert_true (wait_until (count_is, &fewer));
  g_assert_nonnull (lodge_connection_lookup_machine (lodge_window_get_connection (window), uuid));

  /* The toast goes away without undo: now the machine is deleted. */
  spin (600);
  adw_toast_dismiss (lodge_window_get_last_toast (window));
  gone.connection = lodge_window_get_connection (window);
  gone.uuid = uuid;
  g_assert_true (wait_until (machine_gone, &gone));
  g_assert_cmpuint (g_list_model_get_n_items (library), ==, 19);
  g_assert_cmpuint (lodge_window_get_n_pending_deletes (window), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_view_mode (void)
{
  LodgeWindow *window = default_window ();
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *mode = NULL;
  PageCheck list = { window, "list" };
  PageCheck grid = { window, "grid" };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.view-mode", "s", "list"));
  g_assert_true (wait_until (page_is, &list));
  mode = g_settings_get_string (settings, "view-mode");
  g_assert_cmpstr (mode, ==, "list");

  /* And the other way: the setting drives the window. */
  g_settings_set_string (settings, "view-mode", "grid");
  g_assert_true (wait_until (page_is, &grid));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sort-by", "s", "state"));
  g_clear_pointer (&mode, g_free);
  mode = g_settings_get_string (settings, "sort-by");
  g_assert_cmpstr (mode, ==, "state");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sort-by", "s", "name"));
}

static void
test_window_open_page (void)
{
  LodgeWindow *window = default_window ();
  LodgeMachine *machine = default_machine (window);
  PageCheck page = { window, "machine" };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.open", NULL));
  g_assert_true (wait_until (page_is, &page));
  g_assert_true (lodge_window_get_action_machine (window) == machine);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-library", NULL));
  g_assert_true (wait_until (page_shows_machines, window));
}

static void
test_window_many (void)
{
  g_autofree char *path = generate_machines (500);
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  LodgeWindow *window = show_window (uri);
  GListModel *library = lodge_window_get_library_model (window);
  CountCheck all = { library, 500 };
  g_autoptr(LodgeMachine) first = NULL;
  g_autoptr(LodgeMachine) last = NULL;

  g_assert_true (wait_until (count_is, &all));
  g_assert_true (wait_until (page_shows_machines, window));

  /* Sorted by state: running machines first, shut off ones last. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sort-by", "s", "state"));
  spin (100);
  first = g_list_model_get_item (library, 0);
  last = g_list_model_get_item (library, 499);
  g_assert_cmpint (lodge_machine_get_state (first), ==, LODGE_MACHINE_STATE_RUNNING);
  g_assert_cmpint (lodge_machine_get_state (last), ==, LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sort-by", "s", "name"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_new_machine (void)
{
  LodgeWindow *window = default_window ();
  GtkWindow *assistant = NULL;

  /* New opens the creation assistant over the window, for its connection. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-machine", NULL));
  spin (200);
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (g_str_equal (G_OBJECT_TYPE_NAME (l->data), "LodgeNewMachineAssistant"))
        assistant = l->data;
  }
  g_assert_nonnull (assistant);
  g_assert_true (gtk_window_get_transient_for (assistant) == GTK_WINDOW (window));
  gtk_window_destroy (assistant);
  spin (100);
}

static GtkWindow *
find_toplevel (const char *type_name)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (g_str_equal (G_OBJECT_TYPE_NAME (l->data), type_name))
      return l->data;
  return NULL;
}

static gboolean
find_row_with_subtitle (GtkWidget  *widget,
                        const char *subtitle)
{
  if (ADW_IS_ACTION_ROW (widget)
      && g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), subtitle) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_row_with_subtitle (child, subtitle))
      return TRUE;
  return FALSE;
}

static gboolean
details_window_open (gpointer data)
{
  return find_toplevel ("LodgeDetailsWindow") != NULL || find_toplevel ("AdwWindow") != NULL;
}

static void
test_window_details (void)
{
  LodgeWindow *window = default_window ();
  LodgeMachine *machine = default_machine (window);
  GtkWindow *details = NULL;
  LodgeDetailsPage *page = NULL;
  GtkWidget *child;

  /* Details is there for any machine, and opens a window with its page. */
  g_assert_true (lodge_window_get_action_enabled (window, "machine.details"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.details", NULL));
  g_assert_true (wait_until (details_window_open, NULL));
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL && page == NULL; l = l->next)
      for (child = gtk_widget_get_first_child (l->data); child != NULL && page == NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          GtkWidget *w = child;

          /* The page is the window's content or one level below it. */
          while (w != NULL && !LODGE_IS_DETAILS_PAGE (w))
            w = gtk_widget_get_first_child (w);
          if (w != NULL)
            {
              page = LODGE_DETAILS_PAGE (w);
              details = GTK_WINDOW (l->data);
            }
        }
  }
  g_assert_nonnull (page);
  g_assert_true (lodge_details_page_get_machine (page) == machine);
  /* Troubleshooting says how the window's console is doing: none open. */
  g_assert_true (find_row_with_subtitle (GTK_WIDGET (page), "No console open for this machine"));
  g_assert_true (gtk_window_get_transient_for (details) == GTK_WINDOW (window));
  gtk_window_destroy (details);
  spin (100);

  /* The host overview opens over the window, titled for the host. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.host-overview", "s", ""));
  g_assert_true (wait_until (details_window_open, NULL));
  details = find_toplevel ("AdwWindow");
  g_assert_nonnull (details);
  g_assert_cmpstr (gtk_window_get_title (details), ==, "Host Overview — Test Driver");
  gtk_window_destroy (details);
  spin (100);
}

static void
test_window_drop_file (void)
{
  LodgeWindow *window = default_window ();
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/lodge-test.iso");
  GtkDropTarget *drop = NULL;
  GtkWindow *assistant;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && drop == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        drop = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (drop);

  /* A file dropped on the library opens the assistant on that file. */
  g_value_init (&value, G_TYPE_FILE);
  g_value_set_object (&value, file);
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  spin (200);
  assistant = find_toplevel ("LodgeNewMachineAssistant");
  g_assert_nonnull (assistant);
  g_assert_true (gtk_window_get_transient_for (assistant) == GTK_WINDOW (window));
  gtk_window_destroy (assistant);
  spin (100);

  /* Every assistant shares the application's one OS database. */
  g_assert_true (lodge_application_get_os_database (app) == lodge_application_get_os_database (app));
}

static void
test_window_bad_uri (void)
{
  LodgeWindow *window = show_window ("test:///no/such/file.xml");
  PageCheck failed = { window, "failed" };

  g_assert_true (wait_until (page_is, &failed));
  /* The host's settings open from there (its URI cannot be changed: a
   * host is its URI; Add Host makes another). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.host-edit", "s", ""));
  spin (100);
  {
    GtkWindow *dialog = find_toplevel ("LodgeHostDialog");

    g_assert_nonnull (dialog);
    g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (window));
    gtk_window_destroy (dialog);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
weak_ref_cleared (gpointer data)
{
  g_autoptr(GObject) object = g_weak_ref_get (data);

  return object == NULL;
}

/* A dialog closed while something still holds it (an assistant's host
 * query, a host dialog's connection attempt), whose window then goes away
 * first: it must not point at the freed window when it is let go.  A fresh
 * machine's CI run crashed there. */
static void
test_window_dialog_outlives_window (void)
{
  LodgeWindow *window = default_window ();
  GtkWindow *dialog = GTK_WINDOW (lodge_host_dialog_new_add (GTK_WINDOW (window), LODGE_APPLICATION (app)));
  GWeakRef weak;

  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (window));
  g_object_ref (dialog);
  gtk_window_present (dialog);
  spin (50);
  gtk_window_destroy (dialog);

  g_weak_ref_init (&weak, window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (wait_until (weak_ref_cleared, &weak));
  g_weak_ref_clear (&weak);
  g_assert_null (gtk_window_get_transient_for (dialog));
  g_object_unref (dialog);

  /* And a dialog still open goes with its window. */
  window = default_window ();
  dialog = GTK_WINDOW (lodge_host_dialog_new_add (GTK_WINDOW (window), LODGE_APPLICATION (app)));
  g_weak_ref_init (&weak, dialog);
  gtk_window_present (dialog);
  spin (50);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (wait_until (weak_ref_cleared, &weak));
  g_weak_ref_clear (&weak);
}

/* What a creation could not remove before its host went away is listed
 * in a record; the application removes it as soon as the connection is
 * open again, here in a new session. */
#define PENDING_KEEP_UUID "5c0d6a1e-0000-4000-8000-000000000001"
#define PENDING_GONE_UUID "5c0d6a1e-0000-4000-8000-000000000002"

static gboolean
pending_record_empty (gpointer data)
{
  g_auto(GStrv) domains = NULL;
  g_auto(GStrv) volumes = NULL;

  lodge_pending_cleanup_list (data, &domains, &volumes);
  return g_strv_length (domains) == 0 && g_strv_length (volumes) == 0;
}

static void
test_window_pending_cleanup (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "pending.xml", NULL);
  g_autofree char *uri = g_strconcat ("test://", path, NULL);
  const char *gone[] = { PENDING_GONE_UUID, NULL };
  g_autoptr(GError) error = NULL;
  LodgeWindow *window;
  LodgeConnection *connection;
  GListModel *library;
  CountCheck one;
  g_auto(GStrv) domains = NULL;
  g_auto(GStrv) volumes = NULL;
  const char *xml =
    "<node>"
    "<domain type='test'><name>kept</name><uuid>" PENDING_KEEP_UUID "</uuid>"
    "<memory>65536</memory><os><type>hvm</type></os></domain>"
    "<domain type='test'><name>half-made</name><uuid>" PENDING_GONE_UUID "</uuid>"
    "<memory>65536</memory><os><type>hvm</type></os></domain>"
    "</node>";

  g_assert_true (g_file_set_contents (path, xml, -1, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_pending_cleanup_record (uri, gone, NULL, &error));
  g_assert_no_error (error);
  lodge_pending_cleanup_list (uri, &domains, &volumes);
  g_assert_cmpstrv (domains, gone);

  window = show_window (uri);
  connection = lodge_window_get_connection (window);
  library = lodge_window_get_library_model (window);
  one = (CountCheck) { library, 1 };
  g_assert_true (wait_until (pending_record_empty, uri));
  g_assert_true (wait_until (count_is, &one));
  g_assert_nonnull (lodge_connection_lookup_machine (connection, "kept"));
  g_assert_null (lodge_connection_lookup_machine (connection, "half-made"));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");

  gtk_init ();
  adw_init ();

  tmp_dir = g_dir_make_tmp ("lodge-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  /* The application's records (usage, pending cleanups) stay here. */
  {
    g_autofree char *state_dir = g_build_filename (tmp_dir, "state", NULL);

    g_setenv ("XDG_STATE_HOME", state_dir, TRUE);
  }

  /* Startup opens the default connection: make it the test driver's, not
   * the system daemon. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.lodge.Lodge");

    g_settings_set_string (settings, "default-uri", "test:///default");
  }

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/window/opens", test_window_opens);
  g_test_add_func ("/ui/window/search", test_window_search);
  g_test_add_func ("/ui/window/shortcuts", test_window_shortcuts);
  g_test_add_func ("/ui/window/actions", test_window_actions);
  g_test_add_func ("/ui/window/save-state", test_window_save_state);
  g_test_add_func ("/ui/window/rename", test_window_rename);
  g_test_add_func ("/ui/window/delete-undo", test_window_delete_undo);
  g_test_add_func ("/ui/window/delete", test_window_delete);
  g_test_add_func ("/ui/window/view-mode", test_window_view_mode);
  g_test_add_func ("/ui/window/open-page", test_window_open_page);
  g_test_add_func ("/ui/window/many", test_window_many);
  g_test_add_func ("/ui/window/new-machine", test_window_new_machine);
  g_test_add_func ("/ui/window/bad-uri", test_window_bad_uri);
  g_test_add_func ("/ui/window/details", test_window_details);
  g_test_add_func ("/ui/window/drop-file", test_window_drop_file);
  g_test_add_func ("/ui/window/dialog-outlives-window", test_window_dialog_outlives_window);
  g_test_add_func ("/ui/window/pending-cleanup", test_window_pending_cleanup);

  ret = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
