/* lodge-window.c: the main window: the library of one connection's machines
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-window"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "ui/lodge-machine-item.h"
#include "ui/lodge-console-page.h"
#include "ui/lodge-details-page.h"
#include "ui/lodge-host-page.h"
#include "ui/lodge-networks-page.h"
#include "ui/lodge-storage-page.h"
#include "ui/lodge-new-machine-assistant.h"
#include "ui/lodge-host-dialog.h"
#include "ui/lodge-migration-dialog.h"
#include "ui/lodge-sidebar.h"
#include "ui/lodge-ui-private.h"
#include "ui/lodge-window-private.h"

/* How long the undo toast of a deletion stays, in seconds. */
#define DELETE_UNDO_TIMEOUT 7
/* Longer error texts go into a dialog behind a toast's "Details" button. */
#define TOAST_MAX_CHARS 90

/* A deletion waiting behind its undo toast: the machine is hidden from the
 * library meanwhile and nothing is removed until the toast goes away. */
typedef struct
{
  LodgeMachine *machine;
  AdwToast     *toast;
  gboolean      delete_disks;
} PendingDelete;

struct _LodgeWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  LodgeHostList        *hosts;          /* the application's */
  LodgeHost            *host;           /* shown; NULL: every host's machines */
  /* A machine whose console was shown when it moved: its console follows
   * it to the destination once the machine appears there. */
  char                 *follow_uuid;
  LodgeHost            *follow_host;
  /* Every host's machines one after the other (All Machines). */
  GtkFlattenListModel  *all_machines;
  GtkSortListModel     *sort_model;
  GtkFilterListModel   *filter_model;
  GtkSingleSelection   *selection;
  GtkFilter            *filter;
  GMenuModel           *machine_menu;

  char                 *view_mode;
  char                 *sort_by;
  char                 *search_casefold;
  char                 *pending_open;

  /* machine → nothing; holds a reference and a notify handler on every
   * machine of the connection, to sort and filter again when the sort key
   * or the name of one changes. */
  GHashTable           *watched;
  guint                 resort_source;
  /* uuid → PendingDelete */
  GHashTable           *pending_deletes;
  LodgeMachine         *selected_machine;
  AdwMessageDialog     *dialog;
  AdwToast             *last_toast;

  gboolean              machines_attached;
  /* Tiles made while the connection lists its machines: see
   * lodge_window_premake_tiles_cb(). */
  GPtrArray            *premade_tiles;
  gboolean              premade_list_layout;
  guint                 premake_source;
  gboolean              bench_armed;
  gulong                bench_after_paint_id;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwLeaflet           *leaflet;
  LodgeSidebar         *sidebar;
  AdwHeaderBar         *header_bar;
  GtkButton            *back_button;
  GtkMenuButton        *migrations_button;
  GtkListBox           *migrations_list;
  GtkWidget            *library_box;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *machine_menu_button;
  GtkMenuButton        *primary_menu_button;
  GtkMenuButton        *sort_menu_button;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  GtkStack             *library_stack;
  GtkSpinner           *connecting_spinner;
  AdwStatusPage        *connecting_page;
  AdwStatusPage        *failed_page;
  GtkGridView          *grid_view;
  GtkListView          *list_view;
  LodgeConsolePage     *machine_page;
};

G_DEFINE_FINAL_TYPE (LodgeWindow, lodge_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_HOST,
  PROP_VIEW_MODE,
  PROP_SORT_BY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lodge_window_update_actions      (LodgeWindow *self);
static void lodge_window_bench_mark          (const char  *what);
static void lodge_window_update_library_page (LodgeWindow *self);
static void lodge_window_premake_tiles       (LodgeWindow *self);
static void lodge_window_update_host_state   (LodgeWindow *self);

static void
pending_delete_free (gpointer data)
{
  PendingDelete *pending = data;

  g_clear_object (&pending->machine);
  g_clear_object (&pending->toast);
  g_free (pending);
}

static const char *
machine_name (LodgeMachine *machine)
{
  return lodge_machine_get_display_name (machine);
}

/* Toasts -------------------------------------------------------------- */

/* libadwaita 1.2 crashes later when a toast is dismissed while its show
 * animation still runs: wait until it has fully appeared. */
#define TOAST_SHOW_MS 600

static gboolean
lodge_window_dismiss_toast_cb (gpointer data)
{
  adw_toast_dismiss (data);
  return G_SOURCE_REMOVE;
}

static void
lodge_window_dismiss_toast (AdwToast *toast)
{
  gint64 *shown_at = g_object_get_data (G_OBJECT (toast), "lodge-shown-at");
  gint64 elapsed_ms = shown_at != NULL ? (g_get_monotonic_time () - *shown_at) / 1000
                                       : TOAST_SHOW_MS;

  if (elapsed_ms >= TOAST_SHOW_MS)
    adw_toast_dismiss (toast);
  else
    g_timeout_add_full (G_PRIORITY_DEFAULT, TOAST_SHOW_MS - elapsed_ms,
                        lodge_window_dismiss_toast_cb,
                        g_object_ref (toast), g_object_unref);
}

static AdwToast *
lodge_window_add_toast (LodgeWindow *self,
                        const char  *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (markup);

  g_object_set_data_full (G_OBJECT (toast), "lodge-shown-at",
                          g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)),
                          g_free);
  g_set_object (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  return toast;
}

static void
lodge_window_present_dialog (LodgeWindow      *self,
                             AdwMessageDialog *dialog)
{
  g_set_weak_pointer (&self->dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lodge_window_error_toast_button_clicked_cb (LodgeWindow *self,
                                            AdwToast    *toast)
{
  const char *heading = g_object_get_data (G_OBJECT (toast), "lodge-heading");
  const char *details = g_object_get_data (G_OBJECT (toast), "lodge-details");
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, details));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  lodge_window_present_dialog (self, dialog);
}

/* Shows "HEADING: MESSAGE" as a toast, or the heading alone with a button
 * that shows the whole message when it is too long for a toast. */
static void
lodge_window_show_error (LodgeWindow  *self,
                         const char   *heading,
                         const GError *error)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", heading, error->message);
  AdwToast *toast;

  g_debug ("%s", text);

  if (g_utf8_strlen (text, -1) <= TOAST_MAX_CHARS)
    {
      toast = lodge_window_add_toast (self, text);
      return;
    }

  toast = lodge_window_add_toast (self, heading);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_timeout (toast, 10);
  g_object_set_data_full (G_OBJECT (toast), "lodge-heading", g_strdup (heading), g_free);
  g_object_set_data_full (G_OBJECT (toast), "lodge-details", g_strdup (error->message), g_free);
  g_signal_connect_object (toast, "button-clicked",
                           G_CALLBACK (lodge_window_error_toast_button_clicked_cb),
                           self, G_CONNECT_SWAPPED);
}

/* Sorting and filtering ----------------------------------------------- */

static int
state_sort_key_cb (LodgeMachine *machine)
{
  return lodge_ui_state_sort_key (lodge_machine_get_state (machine));
}

typedef struct
{
  char *name;
  char *key;
} NameKey;

static void
name_key_free (gpointer data)
{
  NameKey *name_key = data;

  g_free (name_key->name);
  g_free (name_key->key);
  g_free (name_key);
}

/* The collation key of a machine's display name, kept on the machine and
 * made again only when the name changes: computing it for every
 * comparison would cost more than the sort. */
static const char *
machine_name_key (LodgeMachine *machine)
{
  static GQuark quark;
  const char *name = lodge_machine_get_display_name (machine);
  NameKey *name_key;

  if (quark == 0)
    quark = g_quark_from_static_string ("lodge-window-name-key");

  name_key = g_object_get_qdata (G_OBJECT (machine), quark);
  if (name_key == NULL || g_strcmp0 (name_key->name, name) != 0)
    {
      g_autofree char *folded = g_utf8_casefold (name != NULL ? name : "", -1);

      name_key = g_new0 (NameKey, 1);
      name_key->name = g_strdup (name);
      name_key->key = g_utf8_collate_key_for_filename (folded, -1);
      g_object_set_qdata_full (G_OBJECT (machine), quark, name_key, name_key_free);
    }

  return name_key->key;
}

static int
lodge_window_compare_names (gconstpointer a,
                            gconstpointer b,
                            gpointer      user_data)
{
  int result = strcmp (machine_name_key ((LodgeMachine *) a),
                       machine_name_key ((LodgeMachine *) b));

  return result < 0 ? -1 : result > 0 ? 1 : 0;
}

static GtkSorter *
lodge_window_create_sorter (const char *sort_by)
{
  GtkMultiSorter *multi = gtk_multi_sorter_new ();
  GtkCustomSorter *by_name;

  if (g_strcmp0 (sort_by, "state") == 0)
    {
      GtkExpression *expression;

      expression = gtk_cclosure_expression_new (G_TYPE_INT, NULL, 0, NULL,
                                                G_CALLBACK (state_sort_key_cb), NULL, NULL);
      gtk_multi_sorter_append (multi, GTK_SORTER (gtk_numeric_sorter_new (expression)));
    }
  else if (g_strcmp0 (sort_by, "last-used") == 0)
    {
      GtkNumericSorter *by_time;

      by_time = gtk_numeric_sorter_new (gtk_property_expression_new (LODGE_TYPE_MACHINE, NULL,
                                                                     "last-used"));
      gtk_numeric_sorter_set_sort_order (by_time, GTK_SORT_DESCENDING);
      gtk_multi_sorter_append (multi, GTK_SORTER (by_time));
    }

  /* Ties, and the "name" order: by the name users see, numbers in their
   * numeric order ("web 2" before "web 10"). */
  by_name = gtk_custom_sorter_new (lodge_window_compare_names, NULL, NULL);
  gtk_multi_sorter_append (multi, GTK_SORTER (by_name));

  return GTK_SORTER (multi);
}

static gboolean
lodge_window_resort_cb (gpointer user_data)
{
  LodgeWindow *self = user_data;
  GtkSorter *sorter = gtk_sort_list_model_get_sorter (self->sort_model);

  self->resort_source = 0;
  lodge_window_bench_mark ("resort");
  if (sorter != NULL)
    gtk_sorter_changed (sorter, GTK_SORTER_CHANGE_DIFFERENT);
  if (self->search_casefold != NULL)
    gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);

  return G_SOURCE_REMOVE;
}

static void
lodge_window_queue_resort (LodgeWindow *self)
{
  if (self->resort_source == 0)
    self->resort_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE,
                                           lodge_window_resort_cb, self, NULL);
}

static void
lodge_window_watched_machine_notify_cb (LodgeWindow  *self,
                                        GParamSpec   *pspec,
                                        LodgeMachine *machine)
{
  const char *name = pspec->name;

  if (g_str_equal (name, "display-name")
      || (g_str_equal (name, "state") && g_strcmp0 (self->sort_by, "state") == 0)
      || (g_str_equal (name, "last-used") && g_strcmp0 (self->sort_by, "last-used") == 0))
    lodge_window_queue_resort (self);
}

static void
lodge_window_unwatch_all (LodgeWindow *self)
{
  GHashTableIter iter;
  gpointer machine;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &machine, NULL))
    g_signal_handlers_disconnect_by_func (machine, lodge_window_watched_machine_notify_cb, self);
  g_hash_table_remove_all (self->watched);
}

static void
lodge_window_watch_machine (LodgeWindow  *self,
                            LodgeMachine *machine)
{
  if (g_hash_table_contains (self->watched, machine))
    return;

  g_hash_table_add (self->watched, g_object_ref (machine));
  g_signal_connect_swapped (machine, "notify::display-name",
                            G_CALLBACK (lodge_window_watched_machine_notify_cb), self);
  g_signal_connect_swapped (machine, "notify::state",
                            G_CALLBACK (lodge_window_watched_machine_notify_cb), self);
  g_signal_connect_swapped (machine, "notify::last-used",
                            G_CALLBACK (lodge_window_watched_machine_notify_cb), self);
}

static void
lodge_window_machines_items_changed_cb (LodgeWindow *self,
                                        guint        position,
                                        guint        removed,
                                        guint        added,
                                        GListModel  *machines)
{
  if (removed > 0)
    {
      GHashTableIter iter;
      gpointer machine;

      /* Forget machines that left their host's list (a deletion, a host
       * removed or disconnected). */
      g_hash_table_iter_init (&iter, self->watched);
      while (g_hash_table_iter_next (&iter, &machine, NULL))
        {
          LodgeConnection *connection = lodge_machine_get_connection (machine);

          if (connection == NULL ||
              lodge_machine_list_lookup_uuid (lodge_connection_get_machines (connection),
                                              lodge_machine_get_uuid (machine)) != machine)
            {
              g_signal_handlers_disconnect_by_func (machine,
                                                    lodge_window_watched_machine_notify_cb,
                                                    self);
              g_hash_table_iter_remove (&iter);
            }
        }
    }

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (machines, i);

      lodge_window_watch_machine (self, machine);
    }

  lodge_window_update_library_page (self);
}

static gboolean
lodge_window_filter_func (gpointer item,
                          gpointer user_data)
{
  LodgeWindow *self = user_data;
  LodgeMachine *machine = item;
  g_autofree char *display = NULL;
  g_autofree char *name = NULL;

  if (g_hash_table_size (self->pending_deletes) > 0
      && g_hash_table_contains (self->pending_deletes, lodge_machine_get_uuid (machine)))
    return FALSE;

  if (self->search_casefold == NULL)
    return TRUE;

  display = g_utf8_casefold (lodge_machine_get_display_name (machine), -1);
  if (strstr (display, self->search_casefold) != NULL)
    return TRUE;
  name = g_utf8_casefold (lodge_machine_get_name (machine), -1);
  return strstr (name, self->search_casefold) != NULL;
}

static void
lodge_window_search_entry_search_changed_cb (LodgeWindow    *self,
                                             GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *normalized = NULL;

  g_clear_pointer (&self->search_casefold, g_free);
  if (text != NULL && text[0] != '\0')
    {
      normalized = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);
      self->search_casefold = g_utf8_casefold (normalized, -1);
    }
  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
  lodge_window_update_library_page (self);
}

static void
lodge_window_search_entry_stop_search_cb (LodgeWindow    *self,
                                          GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

/* The library's page --------------------------------------------------- */

/* CPU time of the process so far, in ms (-1 unknown): it says what the
 * wall clock cannot on a busy machine. */
static double
lodge_window_bench_cpu_ms (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return -1;
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

static void
lodge_window_bench_mark (const char *what)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_strcmp0 (g_getenv ("LODGE_BENCH_EXIT_AFTER_FIRST_FRAME"), "1") == 0;
  if (enabled)
    g_printerr ("lodge-bench: %s at %.1f ms, cpu %.0f ms\n", what,
                lodge_ui_ms_since_process_start (), lodge_window_bench_cpu_ms ());
}

static void
lodge_window_bench_after_paint_cb (LodgeWindow   *self,
                                   GdkFrameClock *frame_clock)
{
  lodge_window_bench_mark ("painted");
  g_signal_handler_disconnect (frame_clock, self->bench_after_paint_id);
  self->bench_after_paint_id = 0;

  g_print ("lodge-first-populated-frame: %.1f ms (monotonic %.6f s, %u machines, cpu %.0f ms)\n",
           lodge_ui_ms_since_process_start (),
           g_get_monotonic_time () / 1e6,
           g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)),
           lodge_window_bench_cpu_ms ());
  fflush (stdout);
  g_application_quit (g_application_get_default ());
}

/* LODGE_BENCH_FIRST_FRAME_MACHINES=N: the frame to report is the first
 * that shows at least N machines (every host's, in All Machines). */
static guint
lodge_window_bench_machines (void)
{
  static gint64 machines = -1;

  if (machines < 0)
    {
      const char *value = g_getenv ("LODGE_BENCH_FIRST_FRAME_MACHINES");

      machines = value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
    }
  return (guint) machines;
}

/* LODGE_BENCH_EXIT_AFTER_FIRST_FRAME=1: report when the first frame that
 * shows machines has been painted, then quit (tests/bench/ui). */
static void
lodge_window_bench_arm (LodgeWindow *self)
{
  GdkFrameClock *frame_clock;

  if (self->bench_armed
      || g_strcmp0 (g_getenv ("LODGE_BENCH_EXIT_AFTER_FIRST_FRAME"), "1") != 0)
    return;

  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (frame_clock == NULL)
    return;

  self->bench_armed = TRUE;
  self->bench_after_paint_id =
    g_signal_connect_swapped (frame_clock, "after-paint",
                              G_CALLBACK (lodge_window_bench_after_paint_cb), self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}


/* Of the hosts shown: whether any is still on its way to a machine list. */
static gboolean
lodge_window_any_host_connecting (LodgeWindow *self)
{
  guint n;

  if (self->host != NULL)
    {
      LodgeConnectionState state = lodge_host_get_state (self->host);

      return state == LODGE_CONNECTION_STATE_CONNECTING ||
             state == LODGE_CONNECTION_STATE_RECONNECTING ||
             (state == LODGE_CONNECTION_STATE_DISCONNECTED && !lodge_host_get_disconnected_by_user (self->host));
    }
  n = self->hosts != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->hosts)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      if (lodge_host_get_state (host) == LODGE_CONNECTION_STATE_CONNECTING)
        return TRUE;
    }
  return FALSE;
}

static void
lodge_window_update_library_page (LodgeWindow *self)
{
  LodgeConnectionState state = LODGE_CONNECTION_STATE_CONNECTED;
  guint n_all = 0;
  guint n_shown;
  const char *page;

  if (self->host != NULL)
    {
      state = lodge_host_get_state (self->host);
      n_all = lodge_host_get_n_machines (self->host);
    }
  else if (self->all_machines != NULL)
    n_all = g_list_model_get_n_items (G_LIST_MODEL (self->all_machines));
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  if (state == LODGE_CONNECTION_STATE_FAILED ||
      (state == LODGE_CONNECTION_STATE_DISCONNECTED && self->host != NULL &&
       lodge_host_get_disconnected_by_user (self->host)))
    {
      g_autofree char *title = lodge_ui_host_title (self->host);
      g_autofree char *status = lodge_ui_host_status (self->host);

      adw_status_page_set_title (self->failed_page,
                                 state == LODGE_CONNECTION_STATE_FAILED ? _("Could Not Connect")
                                                                        : _("Disconnected"));
      adw_status_page_set_description (self->failed_page, status);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->failed_page),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      page = "failed";
    }
  else if (n_all == 0 && lodge_window_any_host_connecting (self))
    page = "connecting";
  else if (n_shown == 0 && self->search_casefold != NULL)
    page = "no-results";
  else if (n_shown == 0)
    page = "empty";
  else
    page = g_strcmp0 (self->view_mode, "list") == 0 ? "list" : "grid";

  /* Only the view on screen gets the model: a view builds its rows (a list
   * view 200 of them) even while hidden, and that is most of the cost of
   * the first frame. */
  if (g_str_equal (page, "grid") || g_str_equal (page, "list"))
    {
      gboolean list = g_str_equal (page, "list");
      GtkSelectionModel *model = GTK_SELECTION_MODEL (self->selection);

      if (list && gtk_list_view_get_model (self->list_view) == NULL)
        {
          gtk_grid_view_set_model (self->grid_view, NULL);
          gtk_list_view_set_model (self->list_view, model);
        }
      else if (!list && gtk_grid_view_get_model (self->grid_view) == NULL)
        {
          gtk_list_view_set_model (self->list_view, NULL);
          gtk_grid_view_set_model (self->grid_view, model);
        }
    }

  gtk_spinner_set_spinning (self->connecting_spinner, g_str_equal (page, "connecting"));
  gtk_stack_set_visible_child_name (self->library_stack, page);

  if (n_shown > 0 && n_shown >= lodge_window_bench_machines () && !self->bench_armed)
    {
      lodge_window_bench_mark ("library filled");
      lodge_window_bench_arm (self);
    }
}

/* The views get the machines once the connection has listed them all: the
 * model fills its list one machine at a time, and sorting, filtering and
 * laying out the views once for the whole list is much cheaper than once
 * per machine. The list stays attached across reconnections. */
static void
lodge_window_attach_machines (LodgeWindow *self)
{
  GListModel *machines;

  if (self->machines_attached)
    return;

  if (self->host != NULL)
    {
      LodgeConnectionState state = lodge_host_get_state (self->host);

      if (state != LODGE_CONNECTION_STATE_CONNECTED && state != LODGE_CONNECTION_STATE_RECONNECTING)
        return;
      machines = G_LIST_MODEL (lodge_host_get_machines (self->host));
    }
  else
    /* Each host fills its part in one step when it has listed them. */
    machines = G_LIST_MODEL (self->all_machines);
  if (machines == NULL)
    return;

  self->machines_attached = TRUE;
  g_signal_connect_swapped (machines, "items-changed",
                            G_CALLBACK (lodge_window_machines_items_changed_cb), self);
  for (guint i = 0, n = g_list_model_get_n_items (machines); i < n; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (machines, i);

      lodge_window_watch_machine (self, machine);
    }
  gtk_sort_list_model_set_model (self->sort_model, machines);
}

static void
lodge_window_update_host_state (LodgeWindow *self)
{
  LodgeConnectionState state = LODGE_CONNECTION_STATE_CONNECTED;

  lodge_window_attach_machines (self);
  lodge_window_premake_tiles (self);
  if (self->host != NULL)
    state = lodge_host_get_state (self->host);
  if (state == LODGE_CONNECTION_STATE_CONNECTED)
    lodge_window_bench_mark ("connected");
  if (state == LODGE_CONNECTION_STATE_RECONNECTING)
    {
      g_autofree char *title = lodge_ui_host_title (self->host);
      g_autofree char *text = g_strdup_printf (_("Connection to %s lost. Reconnecting…"), title);

      gtk_label_set_text (self->banner_label, text);
    }
  gtk_revealer_set_reveal_child (self->banner_revealer,
                                 state == LODGE_CONNECTION_STATE_RECONNECTING);

  if (self->pending_open != NULL)
    {
      g_autofree char *name = g_steal_pointer (&self->pending_open);

      lodge_window_open_machine_by_name (self, name);
    }

  lodge_window_update_library_page (self);
  lodge_window_update_actions (self);
}

static void
lodge_window_host_notify_state_cb (LodgeWindow *self,
                                   GParamSpec  *pspec,
                                   LodgeHost   *host)
{
  /* Every host counts in All Machines: its actions, a machine waiting to
   * be opened. */
  if (self->host == NULL || host == self->host)
    lodge_window_update_host_state (self);
  else
    /* Another host coming or going changes where a machine may move. */
    lodge_window_update_actions (self);
}

static void
lodge_window_retry_button_clicked_cb (LodgeWindow *self,
                                      GtkButton   *button)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->host != NULL && LODGE_IS_APPLICATION (app))
    lodge_application_connect_host (LODGE_APPLICATION (app), self->host);
}

/* Selection and machine actions --------------------------------------- */

LodgeMachine *
lodge_window_get_action_machine (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "machine") == 0)
    return lodge_console_page_get_machine (self->machine_page);

  return self->selected_machine;
}

static const char * const machine_actions[] = {
  "machine.open", "machine.menu", "machine.details", "machine.start", "machine.shutdown",
  "machine.force-off", "machine.reboot", "machine.pause", "machine.resume",
  "machine.save", "machine.rename", "machine.delete", "machine.pause-resume",
  "machine.move",
};

/* Whether a machine can go to another host now: another host is connected
 * and it is in a state that moves (running, paused, or off). */
static gboolean
lodge_window_can_move (LodgeWindow  *self,
                       LodgeMachine *machine)
{
  LodgeHost *source = lodge_machine_get_host (machine);
  LodgeMachineState state = lodge_machine_get_state (machine);
  guint n;

  if (source == NULL || self->hosts == NULL)
    return FALSE;
  if (state != LODGE_MACHINE_STATE_RUNNING && state != LODGE_MACHINE_STATE_PAUSED &&
      state != LODGE_MACHINE_STATE_SHUT_OFF && state != LODGE_MACHINE_STATE_BLOCKED)
    return FALSE;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->hosts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      if (host != source && lodge_host_get_state (host) == LODGE_CONNECTION_STATE_CONNECTED)
        return TRUE;
    }
  return FALSE;
}

/* Whether a machine.* action applies to the action machine now: the one
 * place that decides. */
gboolean
lodge_window_get_action_enabled (LodgeWindow *self,
                                 const char  *action)
{
  LodgeMachine *machine;
  gboolean connected;

  g_return_val_if_fail (LODGE_IS_WINDOW (self), FALSE);

  machine = lodge_window_get_action_machine (self);
  if (machine == NULL)
    return FALSE;
  /* Open is for the library: the machine page shows its machine already. */
  if (g_str_equal (action, "machine.open"))
    return g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "machine") != 0;
  if (g_str_equal (action, "machine.menu") || g_str_equal (action, "machine.details"))
    return TRUE;

  /* Each machine follows its own host. */
  connected = lodge_machine_get_connection (machine) != NULL
    && lodge_connection_get_state (lodge_machine_get_connection (machine)) == LODGE_CONNECTION_STATE_CONNECTED;
  if (!connected)
    return FALSE;

  if (g_str_equal (action, "machine.start"))
    return lodge_machine_can_start (machine);
  if (g_str_equal (action, "machine.shutdown"))
    return lodge_machine_can_shutdown (machine);
  if (g_str_equal (action, "machine.force-off"))
    return lodge_machine_can_force_off (machine);
  if (g_str_equal (action, "machine.reboot"))
    return lodge_machine_can_reboot (machine);
  if (g_str_equal (action, "machine.pause"))
    return lodge_machine_can_pause (machine);
  if (g_str_equal (action, "machine.resume"))
    return lodge_machine_can_resume (machine);
  if (g_str_equal (action, "machine.pause-resume"))
    return lodge_machine_can_pause (machine) || lodge_machine_can_resume (machine);
  if (g_str_equal (action, "machine.save"))
    return lodge_machine_can_save (machine);
  if (g_str_equal (action, "machine.rename"))
    return lodge_machine_can_rename (machine);
  if (g_str_equal (action, "machine.delete"))
    return lodge_machine_can_delete (machine);
  if (g_str_equal (action, "machine.move"))
    return lodge_window_can_move (self, machine);

  return FALSE;
}

/* Where New makes a machine: the host shown, or in All Machines the first
 * connected host, this computer's before others. */
static LodgeHost *
lodge_window_get_target_host (LodgeWindow *self)
{
  LodgeHost *remote = NULL;
  guint n;

  if (self->host != NULL)
    return lodge_host_get_state (self->host) == LODGE_CONNECTION_STATE_CONNECTED ? self->host : NULL;

  n = self->hosts != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->hosts)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      if (lodge_host_get_state (host) != LODGE_CONNECTION_STATE_CONNECTED)
        continue;
      if (!lodge_uri_is_remote (lodge_host_get_uri (host)))
        return host;
      if (remote == NULL)
        remote = host;
    }
  return remote;
}

static gboolean
lodge_window_get_action_enabled_new_machine (LodgeWindow *self)
{
  return lodge_window_get_target_host (self) != NULL;
}

static void
lodge_window_update_actions (LodgeWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-machine",
                                 lodge_window_get_action_enabled_new_machine (self));
  for (guint i = 0; i < G_N_ELEMENTS (machine_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), machine_actions[i],
                                   lodge_window_get_action_enabled (self, machine_actions[i]));
  gtk_widget_set_sensitive (GTK_WIDGET (self->machine_menu_button),
                            lodge_window_get_action_machine (self) != NULL);
}

static void
lodge_window_selected_machine_notify_cb (LodgeWindow  *self,
                                         GParamSpec   *pspec,
                                         LodgeMachine *machine)
{
  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "persistent")
      || g_str_equal (pspec->name, "has-managed-save"))
    lodge_window_update_actions (self);
}

static void
lodge_window_set_selected_machine (LodgeWindow  *self,
                                   LodgeMachine *machine)
{
  if (self->selected_machine == machine)
    return;

  if (self->selected_machine != NULL)
    g_signal_handlers_disconnect_by_func (self->selected_machine,
                                          lodge_window_selected_machine_notify_cb, self);
  g_set_object (&self->selected_machine, machine);
  if (machine != NULL)
    g_signal_connect_object (machine, "notify",
                             G_CALLBACK (lodge_window_selected_machine_notify_cb),
                             self, G_CONNECT_SWAPPED);
  lodge_window_update_actions (self);
}

static void
lodge_window_selection_notify_selected_item_cb (LodgeWindow        *self,
                                                GParamSpec         *pspec,
                                                GtkSingleSelection *selection)
{
  lodge_window_set_selected_machine (self, gtk_single_selection_get_selected_item (selection));
}

gboolean
lodge_window_select_machine (LodgeWindow  *self,
                             LodgeMachine *machine)
{
  guint n;

  g_return_val_if_fail (LODGE_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (LODGE_IS_MACHINE (machine), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeMachine) item = g_list_model_get_item (G_LIST_MODEL (self->filter_model), i);

      if (item == machine)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }

  return FALSE;
}

static void
lodge_window_show_machine_page (LodgeWindow  *self,
                                LodgeMachine *machine)
{
  lodge_console_page_set_machine (self->machine_page, machine);
  gtk_stack_set_visible_child_name (self->main_stack, "machine");
  gtk_widget_grab_focus (GTK_WIDGET (self->machine_page));
  lodge_window_update_actions (self);
}

static void
lodge_window_show_library (LodgeWindow *self)
{
  GtkWidget *view;

  gtk_stack_set_visible_child_name (self->main_stack, "library");
  lodge_console_page_set_machine (self->machine_page, NULL);
  view = g_strcmp0 (self->view_mode, "list") == 0 ? GTK_WIDGET (self->list_view)
                                                   : GTK_WIDGET (self->grid_view);
  gtk_widget_grab_focus (view);
  lodge_window_update_actions (self);
}

static void
lodge_window_show_library_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  lodge_window_show_library (LODGE_WINDOW (widget));
}

static void
lodge_window_machine_page_back_cb (LodgeWindow      *self,
                                   LodgeConsolePage *page)
{
  lodge_window_show_library (self);
}

static void
lodge_window_view_activate_cb (LodgeWindow *self,
                               guint        position,
                               GtkWidget   *view)
{
  g_autoptr(LodgeMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->filter_model),
                                                           position);

  if (machine != NULL)
    lodge_window_show_machine_page (self, machine);
}

void
lodge_window_open_machine_by_name (LodgeWindow *self,
                                   const char  *name_or_uuid)
{
  LodgeMachine *machine = NULL;
  gboolean waiting = FALSE;
  guint n;

  g_return_if_fail (LODGE_IS_WINDOW (self));
  g_return_if_fail (name_or_uuid != NULL);

  /* The host shown, else the first host that has it. */
  n = self->hosts != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->hosts)) : 0;
  for (guint i = 0; i < n && machine == NULL; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (G_LIST_MODEL (self->hosts), i);

      if (self->host != NULL && host != self->host)
        continue;
      if (lodge_host_get_state (host) != LODGE_CONNECTION_STATE_CONNECTED)
        {
          waiting |= lodge_host_get_state (host) == LODGE_CONNECTION_STATE_CONNECTING;
          continue;
        }
      machine = lodge_connection_lookup_machine (lodge_host_get_connection (host), name_or_uuid);
    }

  if (machine == NULL && waiting)
    {
      g_free (self->pending_open);
      self->pending_open = g_strdup (name_or_uuid);
      return;
    }
  if (machine == NULL)
    {
      g_autofree char *where = self->host != NULL ? lodge_ui_host_title (self->host)
                                                  : g_strdup (_("any host"));
      g_autofree char *text = g_strdup_printf (_("There is no machine “%s” on %s"),
                                               name_or_uuid, where);
      lodge_window_add_toast (self, text);
      return;
    }

  lodge_window_select_machine (self, machine);
  lodge_window_show_machine_page (self, machine);
}

typedef struct
{
  LodgeWindow        *window;
  LodgeMachineAction  action;
} ActionData;

static const char *
action_error_format (LodgeMachineAction action)
{
  switch (action)
    {
    case LODGE_MACHINE_ACTION_START:
      return _("Could not start “%s”");
    case LODGE_MACHINE_ACTION_SHUTDOWN:
      return _("Could not shut down “%s”");
    case LODGE_MACHINE_ACTION_FORCE_OFF:
      return _("Could not force off “%s”");
    case LODGE_MACHINE_ACTION_REBOOT:
      return _("Could not reboot “%s”");
    case LODGE_MACHINE_ACTION_PAUSE:
      return _("Could not pause “%s”");
    case LODGE_MACHINE_ACTION_RESUME:
      return _("Could not resume “%s”");
    case LODGE_MACHINE_ACTION_SAVE:
      return _("Could not save the state of “%s”");
    default:
      return _("Could not change “%s”");
    }
}

static void
lodge_window_run_action_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  LodgeMachine *machine = LODGE_MACHINE (object);
  ActionData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_machine_run_action_finish (machine, result, &error))
    {
      g_autofree char *heading = NULL;

      /* Translators: the format strings take the machine's name */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      heading = g_strdup_printf (action_error_format (data->action), machine_name (machine));
#pragma GCC diagnostic pop
      lodge_window_show_error (data->window, heading, error);
    }

  lodge_window_update_actions (data->window);
  g_object_unref (data->window);
  g_free (data);
}

static void
lodge_window_run_action (LodgeWindow        *self,
                         LodgeMachine       *machine,
                         LodgeMachineAction  action)
{
  ActionData *data;

  g_assert (LODGE_IS_WINDOW (self));

  if (machine == NULL)
    return;

  data = g_new0 (ActionData, 1);
  data->window = g_object_ref (self);
  data->action = action;
  lodge_machine_run_action_async (machine, action, NULL, lodge_window_run_action_cb, data);
}

static void
lodge_window_machine_open_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeMachine *machine = lodge_window_get_action_machine (self);

  if (machine != NULL)
    lodge_window_show_machine_page (self, machine);
}

static void
lodge_window_console_view_notify_cb (LodgeDetailsPage *page,
                                     GParamSpec       *pspec,
                                     LodgeConsolePage *console)
{
  const char *status = lodge_console_page_get_status (console);

  /* The console may since show another machine. */
  if (lodge_console_page_get_machine (console) != lodge_details_page_get_machine (page))
    status = _("No console open for this machine");
  lodge_details_page_set_console_state (page, status != NULL ? status : "");
}

static void
lodge_window_machine_details_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeMachine *machine = lodge_window_get_action_machine (self);
  GtkWindow *window;
  GtkWidget *page;

  if (machine == NULL)
    return;

  window = lodge_details_window_new (GTK_WINDOW (self), machine, NULL);
  page = adw_window_get_content (ADW_WINDOW (window));

  /* Troubleshooting shows how this window's console is doing with it. */
  if (LODGE_IS_DETAILS_PAGE (page))
    {
      if (lodge_console_page_get_machine (self->machine_page) == machine)
        {
          lodge_window_console_view_notify_cb (LODGE_DETAILS_PAGE (page), NULL, self->machine_page);
          g_signal_connect_object (self->machine_page, "notify::view",
                                   G_CALLBACK (lodge_window_console_view_notify_cb),
                                   page, G_CONNECT_SWAPPED);
        }
      else
        lodge_details_page_set_console_state (LODGE_DETAILS_PAGE (page),
                                              _("No console open for this machine"));
    }

  gtk_window_present (window);
}

/* The host of a win.host-* action: the URI it names, or for '' the host
 * shown (or the selected machine's in All Machines). */
static LodgeHost *
lodge_window_action_host (LodgeWindow *self,
                          GVariant    *parameter)
{
  const char *uri = parameter != NULL ? g_variant_get_string (parameter, NULL) : "";
  LodgeMachine *machine;

  if (uri[0] != '\0')
    return self->hosts != NULL ? lodge_host_list_lookup (self->hosts, uri) : NULL;
  if (self->host != NULL)
    return self->host;
  machine = lodge_window_get_action_machine (self);
  if (machine != NULL)
    return lodge_machine_get_host (machine);
  return lodge_window_get_target_host (self);
}

/* A host's page in a window of its own, over this one: the pages have no
 * header bar. */
static void
lodge_window_present_host_window (LodgeWindow *self,
                                  const char  *title,
                                  GtkWidget   *page,
                                  int          width,
                                  int          height)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_window_set_title (GTK_WINDOW (window), title);
  lodge_ui_window_set_parent (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);

  gtk_window_present (GTK_WINDOW (window));
}

static void
lodge_window_host_overview_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeHost *host = lodge_window_action_host (self, parameter);
  g_autofree char *host_title = NULL;
  g_autofree char *title = NULL;

  if (host == NULL)
    return;

  host_title = lodge_ui_host_title (host);
  title = g_strdup_printf (_("Host Overview — %s"), host_title);
  lodge_window_present_host_window (self, title,
                                    lodge_host_page_new (lodge_host_get_connection (host), NULL),
                                    640, 560);
}

/* A host's storage pools and volumes (read-only for now). */
static void
lodge_window_host_storage_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeHost *host = lodge_window_action_host (self, parameter);
  g_autofree char *host_title = NULL;
  g_autofree char *title = NULL;

  if (host == NULL)
    return;

  host_title = lodge_ui_host_title (host);
  /* Translators: the title of a window; %s is a host's name. */
  title = g_strdup_printf (_("Storage — %s"), host_title);
  lodge_window_present_host_window (self, title, lodge_storage_page_new (host), 900, 600);
}

/* A host's virtual networks and interfaces. */
static void
lodge_window_host_networks_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeHost *host = lodge_window_action_host (self, parameter);
  g_autofree char *host_title = NULL;
  g_autofree char *title = NULL;

  if (host == NULL)
    return;

  host_title = lodge_ui_host_title (host);
  /* Translators: the title of a window; %s is a host's name. */
  title = g_strdup_printf (_("Networks — %s"), host_title);
  lodge_window_present_host_window (self, title, lodge_networks_page_new (host), 760, 640);
}

static void
lodge_window_host_connect_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeHost *host = lodge_window_action_host (self, parameter);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (host != NULL && LODGE_IS_APPLICATION (app))
    lodge_application_connect_host (LODGE_APPLICATION (app), host);
}

static void
lodge_window_host_disconnect_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LodgeHost *host = lodge_window_action_host (LODGE_WINDOW (widget), parameter);

  if (host != NULL)
    lodge_host_disconnect (host);
}

static void
lodge_window_host_edit_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeHost *host = lodge_window_action_host (self, parameter);

  if (host != NULL)
    gtk_window_present (GTK_WINDOW (lodge_host_dialog_new_edit (GTK_WINDOW (self), host)));
}

static void
lodge_window_edit_host_button_clicked_cb (LodgeWindow *self,
                                          GtkButton   *button)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.host-edit", "s", "");
}

static void
lodge_window_add_host_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (LODGE_IS_APPLICATION (app))
    gtk_window_present (GTK_WINDOW (lodge_host_dialog_new_add (GTK_WINDOW (self),
                                                               LODGE_APPLICATION (app))));
}

static void
lodge_window_remove_host_response_cb (AdwMessageDialog *dialog,
                                      const char       *response,
                                      LodgeHost        *host)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;

  if (g_strcmp0 (response, "remove") == 0 && LODGE_IS_APPLICATION (app))
    lodge_application_remove_host (LODGE_APPLICATION (app), host);
}

static void
lodge_window_host_remove_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeHost *host = lodge_window_action_host (self, parameter);
  g_autofree char *title = NULL;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (host == NULL)
    return;

  title = lodge_ui_host_title (host);
  heading = g_strdup_printf (_("Remove “%s”?"), title);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
    _("Lodge stops showing this host and its machines. Nothing on the host is changed: its "
      "machines keep running and can be added again at any time.")));
  lodge_ui_dialog_add_choice (dialog, "remove", _("_Remove"), TRUE);
  g_signal_connect_data (dialog, "response", G_CALLBACK (lodge_window_remove_host_response_cb),
                         g_object_ref (host), (GClosureNotify) g_object_unref, 0);
  lodge_window_present_dialog (self, dialog);
}

static void
lodge_window_machine_move_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeMachine *machine = lodge_window_get_action_machine (self);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (machine == NULL || !LODGE_IS_APPLICATION (app))
    return;
  gtk_window_present (GTK_WINDOW (lodge_migration_dialog_new (GTK_WINDOW (self),
                                                              LODGE_APPLICATION (app), machine)));
}

/* Moves under way: a row each in the header's popover. */
static void
lodge_window_migration_row_update_cb (GtkWidget      *row,
                                      GParamSpec     *pspec,
                                      LodgeMigration *migration)
{
  GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *bar = gtk_widget_get_next_sibling (title);
  GtkWidget *details = gtk_widget_get_next_sibling (bar);
  g_autofree char *text = lodge_ui_migration_details (migration);
  double fraction = lodge_ui_migration_fraction (migration);

  if (fraction >= 0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), fraction);
  gtk_label_set_text (GTK_LABEL (details), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
lodge_window_migration_cancel_clicked_cb (GtkButton      *button,
                                          LodgeMigration *migration)
{
  lodge_migration_cancel (migration);
}

static GtkWidget *
lodge_window_create_migration_row_cb (gpointer item,
                                      gpointer user_data)
{
  LodgeMigration *migration = item;
  LodgeHost *destination = lodge_connection_get_host (lodge_migration_get_destination (migration));
  g_autofree char *to = destination != NULL ? lodge_ui_host_title (destination) : g_strdup ("");
  g_autofree char *heading = g_strdup_printf (_("“%s” to %s"),
                                              lodge_machine_get_display_name (lodge_migration_get_machine (migration)),
                                              to);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (heading);
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *details = gtk_label_new (NULL);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_label_set_wrap (GTK_LABEL (details), TRUE);
  gtk_widget_add_css_class (details, "caption");
  gtk_widget_add_css_class (details, "numeric");
  gtk_widget_set_halign (cancel, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), details);
  gtk_box_append (GTK_BOX (box), cancel);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, heading, -1);
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (lodge_window_migration_cancel_clicked_cb),
                           migration, 0);
  g_signal_connect_object (migration, "notify", G_CALLBACK (lodge_window_migration_row_update_cb),
                           row, G_CONNECT_SWAPPED);
  lodge_window_migration_row_update_cb (row, NULL, migration);
  return row;
}

/* Shows (or hides) the list of moves under way. */
static void
lodge_window_show_migrations_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->migrations_button)))
    return;
  if (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (self->migrations_button))))
    gtk_menu_button_popdown (self->migrations_button);
  else
    gtk_menu_button_popup (self->migrations_button);
}

static void
lodge_window_migrations_items_changed_cb (LodgeWindow *self,
                                          guint        position,
                                          guint        removed,
                                          guint        added,
                                          GListModel  *migrations)
{
  gtk_widget_set_visible (GTK_WIDGET (self->migrations_button),
                          g_list_model_get_n_items (migrations) > 0);
}

/* The console of a machine that moved follows it: shown again once the
 * machine is listed on its new host. */
static gboolean
lodge_window_follow_machine (LodgeWindow *self)
{
  LodgeMachine *machine;

  if (self->follow_uuid == NULL || self->follow_host == NULL)
    return TRUE;
  machine = lodge_machine_list_lookup_uuid (lodge_host_get_machines (self->follow_host),
                                            self->follow_uuid);
  if (machine == NULL || !lodge_machine_is_active (machine))
    return FALSE;
  g_signal_handlers_disconnect_by_data (lodge_host_get_machines (self->follow_host), self);
  g_clear_pointer (&self->follow_uuid, g_free);
  g_clear_object (&self->follow_host);
  lodge_window_show_machine_page (self, machine);
  return TRUE;
}

static void
lodge_window_follow_items_changed_cb (LodgeWindow *self)
{
  lodge_window_follow_machine (self);
}

static void
lodge_window_application_migration_finished_cb (LodgeWindow      *self,
                                                LodgeMigration   *migration,
                                                const GError     *error,
                                                LodgeApplication *application)
{
  LodgeMachine *machine = lodge_migration_get_machine (migration);
  LodgeHost *destination = lodge_connection_get_host (lodge_migration_get_destination (migration));
  g_autofree char *to = destination != NULL ? lodge_ui_host_title (destination) : g_strdup ("");
  g_autofree char *text = NULL;
  const char *name = lodge_machine_get_display_name (machine);

  if (error == NULL)
    text = g_strdup_printf (_("“%s” moved to %s"), name, to);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    text = g_strdup_printf (_("Moving “%s” was cancelled: it runs on as before"), name);
  if (text != NULL)
    lodge_window_add_toast (self, text);
  else
    {
      g_autofree char *heading = g_strdup_printf (_("Could not move “%s”"), name);

      lodge_window_show_error (self, heading, error);
    }

  /* Its console was open: it follows the machine to its new host. */
  if (error == NULL && destination != NULL &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "machine") == 0 &&
      lodge_console_page_get_machine (self->machine_page) != NULL &&
      g_strcmp0 (lodge_machine_get_uuid (lodge_console_page_get_machine (self->machine_page)),
                 lodge_machine_get_uuid (machine)) == 0)
    {
      if (self->follow_host != NULL)
        g_signal_handlers_disconnect_by_data (lodge_host_get_machines (self->follow_host), self);
      g_free (self->follow_uuid);
      self->follow_uuid = g_strdup (lodge_machine_get_uuid (machine));
      g_set_object (&self->follow_host, destination);
      if (!lodge_window_follow_machine (self))
        {
          g_signal_connect_object (lodge_host_get_machines (destination), "items-changed",
                                   G_CALLBACK (lodge_window_follow_items_changed_cb), self,
                                   G_CONNECT_SWAPPED);
          /* Listed but not running yet: wait for its state too. */
          g_signal_connect_object (lodge_host_get_machines (destination), "notify::n-running",
                                   G_CALLBACK (lodge_window_follow_items_changed_cb), self,
                                   G_CONNECT_SWAPPED);
        }
    }
}

static void
lodge_window_machine_state_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  static const struct {
    const char         *name;
    LodgeMachineAction  action;
  } actions[] = {
    { "machine.start",    LODGE_MACHINE_ACTION_START },
    { "machine.shutdown", LODGE_MACHINE_ACTION_SHUTDOWN },
    { "machine.reboot",   LODGE_MACHINE_ACTION_REBOOT },
    { "machine.pause",    LODGE_MACHINE_ACTION_PAUSE },
    { "machine.resume",   LODGE_MACHINE_ACTION_RESUME },
    { "machine.save",     LODGE_MACHINE_ACTION_SAVE },
  };
  LodgeWindow *self = LODGE_WINDOW (widget);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (action_name, actions[i].name))
      lodge_window_run_action (self, lodge_window_get_action_machine (self), actions[i].action);
}

/* One key for both: pauses a running machine, resumes a paused one. */
static void
lodge_window_machine_pause_resume_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeMachine *machine = lodge_window_get_action_machine (self);

  if (machine == NULL)
    return;
  if (lodge_machine_can_pause (machine))
    lodge_window_run_action (self, machine, LODGE_MACHINE_ACTION_PAUSE);
  else if (lodge_machine_can_resume (machine))
    lodge_window_run_action (self, machine, LODGE_MACHINE_ACTION_RESUME);
}

static void
lodge_window_force_off_response_cb (LodgeWindow      *self,
                                    const char       *response,
                                    AdwMessageDialog *dialog)
{
  LodgeMachine *machine = g_object_get_data (G_OBJECT (dialog), "lodge-machine");

  if (g_strcmp0 (response, "force-off") == 0)
    lodge_window_run_action (self, machine, LODGE_MACHINE_ACTION_FORCE_OFF);
}

static void
lodge_window_machine_force_off_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeMachine *machine = lodge_window_get_action_machine (self);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (machine == NULL)
    return;

  heading = g_strdup_printf (_("Force Off “%s”?"), machine_name (machine));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("The machine stops at once, as if its power cord were pulled. Unsaved work inside it is lost.")));
  lodge_ui_dialog_add_choice (dialog, "force-off", _("_Force Off"), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "lodge-machine", g_object_ref (machine), g_object_unref);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (lodge_window_force_off_response_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_window_present_dialog (self, dialog);
}

static void
lodge_window_rename_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  LodgeMachine *machine = LODGE_MACHINE (object);
  g_autoptr(LodgeWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_machine_rename_finish (machine, result, &error))
    {
      g_autofree char *heading = g_strdup_printf (_("Could not rename “%s”"),
                                                  machine_name (machine));
      lodge_window_show_error (self, heading, error);
    }
}

static void
lodge_window_rename_response_cb (LodgeWindow      *self,
                                 const char       *response,
                                 AdwMessageDialog *dialog)
{
  LodgeMachine *machine = g_object_get_data (G_OBJECT (dialog), "lodge-machine");
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *title = NULL;

  if (g_strcmp0 (response, "rename") != 0)
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  if (g_strcmp0 (title, lodge_machine_get_display_name (machine)) == 0)
    return;

  lodge_machine_rename_async (machine, title, NULL, lodge_window_rename_cb, g_object_ref (self));
}

static void
lodge_window_machine_rename_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeMachine *machine = lodge_window_get_action_machine (self);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (machine == NULL)
    return;

  heading = g_strdup_printf (_("Rename “%s”"), machine_name (machine));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("The new name is the machine's title: its libvirt name stays the same.")));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), lodge_machine_get_display_name (machine));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New name"),
                                  -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  lodge_ui_dialog_add_choice (dialog, "rename", _("_Rename"), FALSE);
  g_object_set_data_full (G_OBJECT (dialog), "lodge-machine", g_object_ref (machine), g_object_unref);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (lodge_window_rename_response_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_window_present_dialog (self, dialog);
  gtk_widget_grab_focus (entry);
}

/* Deletion with undo --------------------------------------------------- */

static void
lodge_window_delete_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  LodgeMachine *machine = LODGE_MACHINE (object);
  GWeakRef *window_ref = user_data;
  g_autoptr(LodgeWindow) self = g_weak_ref_get (window_ref);
  g_autoptr(GError) error = NULL;

  if (!lodge_machine_delete_finish (machine, result, &error))
    {
      if (self != NULL)
        {
          g_autofree char *heading = g_strdup_printf (_("Could not delete “%s”"),
                                                      machine_name (machine));
          lodge_window_show_error (self, heading, error);
        }
      else
        g_warning ("Could not delete “%s”: %s", machine_name (machine), error->message);
    }

  g_weak_ref_clear (window_ref);
  g_free (window_ref);
  /* Held since the deletion started: quitting waits for it. */
  g_application_release (g_application_get_default ());
}

/* Carries out a deletion whose undo time is over. */
static void
lodge_window_carry_out_delete (LodgeWindow   *self,
                               PendingDelete *pending)
{
  GWeakRef *window_ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (window_ref, self);
  g_application_hold (g_application_get_default ());
  lodge_machine_delete_async (pending->machine, pending->delete_disks, NULL,
                              lodge_window_delete_cb, window_ref);
}

static void
lodge_window_delete_toast_dismissed_cb (LodgeWindow *self,
                                        AdwToast    *toast)
{
  const char *uuid = g_object_get_data (G_OBJECT (toast), "lodge-uuid");
  PendingDelete *pending;
  gpointer key;

  if (self->pending_deletes == NULL
      || !g_hash_table_steal_extended (self->pending_deletes, uuid, &key, (gpointer *) &pending))
    return; /* undone, or already carried out */

  lodge_window_carry_out_delete (self, pending);
  g_free (key);
  pending_delete_free (pending);
  /* Stays hidden: the list drops it when libvirt's event arrives, or it
   * comes back if deleting fails. */
  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
}

static void
lodge_window_undo_delete_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  const char *uuid = g_variant_get_string (parameter, NULL);
  g_autoptr(AdwToast) toast = NULL;
  PendingDelete *pending;

  pending = g_hash_table_lookup (self->pending_deletes, uuid);
  if (pending == NULL)
    return;

  toast = g_object_ref (pending->toast);
  g_hash_table_remove (self->pending_deletes, uuid);
  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_LESS_STRICT);
  lodge_window_update_library_page (self);
  lodge_window_dismiss_toast (toast);
}

void
lodge_window_flush_pending_deletes (LodgeWindow *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (LODGE_IS_WINDOW (self));

  if (self->pending_deletes == NULL)
    return;

  g_hash_table_iter_init (&iter, self->pending_deletes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      lodge_window_carry_out_delete (self, value);
      g_hash_table_iter_remove (&iter);
    }
}

static void
lodge_window_delete_response_cb (LodgeWindow      *self,
                                 const char       *response,
                                 AdwMessageDialog *dialog)
{
  LodgeMachine *machine = g_object_get_data (G_OBJECT (dialog), "lodge-machine");
  GtkCheckButton *check = GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog));
  PendingDelete *pending;
  g_autofree char *text = NULL;
  const char *uuid;

  if (g_strcmp0 (response, "delete") != 0)
    return;

  uuid = lodge_machine_get_uuid (machine);
  if (g_hash_table_contains (self->pending_deletes, uuid))
    return;

  pending = g_new0 (PendingDelete, 1);
  pending->machine = g_object_ref (machine);
  pending->delete_disks = gtk_check_button_get_active (check);

  text = g_strdup_printf (_("“%s” deleted"), machine_name (machine));
  pending->toast = g_object_ref (lodge_window_add_toast (self, text));
  adw_toast_set_timeout (pending->toast, DELETE_UNDO_TIMEOUT);
  adw_toast_set_button_label (pending->toast, _("_Undo"));
  /* Target first: the toast's button must never see the action alone. */
  adw_toast_set_action_target_value (pending->toast, g_variant_new_string (uuid));
  adw_toast_set_action_name (pending->toast, "win.undo-delete");
  g_object_set_data_full (G_OBJECT (pending->toast), "lodge-uuid", g_strdup (uuid), g_free);
  g_signal_connect_object (pending->toast, "dismissed",
                           G_CALLBACK (lodge_window_delete_toast_dismissed_cb),
                           self, G_CONNECT_SWAPPED);
  g_hash_table_insert (self->pending_deletes, g_strdup (uuid), pending);

  if (lodge_console_page_get_machine (self->machine_page) == machine)
    lodge_window_show_library (self);

  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_MORE_STRICT);
  lodge_window_update_library_page (self);
}

static void
lodge_window_machine_delete_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeMachine *machine = lodge_window_get_action_machine (self);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *check;

  if (machine == NULL)
    return;

  heading = g_strdup_printf (_("Delete “%s”?"), machine_name (machine));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("The machine, its settings and its saved state are removed. Its disks are kept unless you choose otherwise.")));
  check = gtk_check_button_new_with_mnemonic (_("Also delete its _disks"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), FALSE);
  gtk_widget_set_halign (check, GTK_ALIGN_CENTER);
  adw_message_dialog_set_extra_child (dialog, check);
  lodge_ui_dialog_add_choice (dialog, "delete", _("_Delete"), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "lodge-machine", g_object_ref (machine), g_object_unref);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (lodge_window_delete_response_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_window_present_dialog (self, dialog);
}

/* Context menu --------------------------------------------------------- */

static LodgeMachineItem *
lodge_window_find_item_widget (LodgeWindow  *self,
                               LodgeMachine *machine)
{
  GtkWidget *view = g_strcmp0 (self->view_mode, "list") == 0 ? GTK_WIDGET (self->list_view)
                                                             : GTK_WIDGET (self->grid_view);

  /* The views' children are their recycled rows or cells; each holds one
   * LodgeMachineItem. */
  for (GtkWidget *child = gtk_widget_get_first_child (view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *item = gtk_widget_get_first_child (child);

      if (LODGE_IS_MACHINE_ITEM (item)
          && lodge_machine_item_get_machine (LODGE_MACHINE_ITEM (item)) == machine)
        return LODGE_MACHINE_ITEM (item);
    }

  return NULL;
}

static void
lodge_window_machine_menu_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);
  LodgeMachine *machine = lodge_window_get_action_machine (self);
  LodgeMachineItem *item;

  if (machine == NULL)
    return;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "machine") == 0)
    {
      gtk_menu_button_popup (self->machine_menu_button);
      return;
    }

  item = lodge_window_find_item_widget (self, machine);
  if (item != NULL)
    lodge_machine_item_popup_menu (item, self->machine_menu, -1, -1);
  else
    gtk_menu_button_popup (self->machine_menu_button);
}

static void
lodge_window_item_context_menu_cb (LodgeWindow      *self,
                                   double            x,
                                   double            y,
                                   LodgeMachineItem *item)
{
  LodgeMachine *machine = lodge_machine_item_get_machine (item);

  if (machine == NULL)
    return;

  /* The menu acts on the selected machine: select the one clicked. */
  lodge_window_select_machine (self, machine);
  lodge_machine_item_popup_menu (item, self->machine_menu, x, y);
}

/* Views ---------------------------------------------------------------- */

/* A grid keeps up to 30 rows of its 6 columns alive (GTK 4.8), a list
 * about 200 rows. */
#define PREMADE_TILES 192
#define PREMADE_TILES_PER_IDLE 8

/* While the connection opens and lists its machines (half a second for
 * the test driver's 2,000, more for a remote host) the main thread has
 * nothing to do: it makes the tiles the first layout will need then, a
 * few at a time, so that the first populated frame only binds them. */
static gboolean
lodge_window_premake_tiles_cb (gpointer user_data)
{
  LodgeWindow *self = user_data;

  if (self->machines_attached)
    {
      self->premake_source = 0;
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < PREMADE_TILES_PER_IDLE && self->premade_tiles->len < PREMADE_TILES; i++)
    g_ptr_array_add (self->premade_tiles,
                     g_object_ref_sink (lodge_machine_item_new (self->premade_list_layout)));

  if (self->premade_tiles->len < PREMADE_TILES)
    return G_SOURCE_CONTINUE;

  self->premake_source = 0;
  return G_SOURCE_REMOVE;
}

static void
lodge_window_premake_tiles (LodgeWindow *self)
{
  gboolean list_layout = g_strcmp0 (self->view_mode, "list") == 0;

  if (self->premade_tiles == NULL || self->premake_source != 0 || self->machines_attached)
    return;

  if (list_layout != self->premade_list_layout)
    g_ptr_array_set_size (self->premade_tiles, 0);
  self->premade_list_layout = list_layout;
  if (self->premade_tiles->len < PREMADE_TILES)
    self->premake_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, lodge_window_premake_tiles_cb,
                                            self, NULL);
}

static void
lodge_window_factory_setup_cb (GtkSignalListItemFactory *factory,
                               GtkListItem              *list_item,
                               LodgeWindow              *self)
{
  gboolean list_layout = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "lodge-list"));
  g_autoptr(GtkWidget) item = NULL;

  if (self->premade_tiles->len > 0 && self->premade_list_layout == list_layout)
    item = g_ptr_array_steal_index_fast (self->premade_tiles, self->premade_tiles->len - 1);
  else
    item = g_object_ref_sink (lodge_machine_item_new (list_layout));

  g_signal_connect_object (item, "context-menu",
                           G_CALLBACK (lodge_window_item_context_menu_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_list_item_set_child (list_item, item);
}

static void
lodge_window_factory_bind_cb (GtkSignalListItemFactory *factory,
                              GtkListItem              *list_item,
                              LodgeWindow              *self)
{
  LodgeMachineItem *item = LODGE_MACHINE_ITEM (gtk_list_item_get_child (list_item));

  lodge_machine_item_set_show_host (item, self->host == NULL);
  lodge_machine_item_set_machine (item, gtk_list_item_get_item (list_item));
}

static void
lodge_window_factory_unbind_cb (GtkSignalListItemFactory *factory,
                                GtkListItem              *list_item,
                                LodgeWindow              *self)
{
  lodge_machine_item_set_machine (LODGE_MACHINE_ITEM (gtk_list_item_get_child (list_item)), NULL);
}

static GtkListItemFactory *
lodge_window_create_factory (LodgeWindow *self,
                             gboolean     list_layout)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "lodge-list", GINT_TO_POINTER (list_layout));
  g_signal_connect (factory, "setup", G_CALLBACK (lodge_window_factory_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (lodge_window_factory_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (lodge_window_factory_unbind_cb), self);
  return factory;
}

/* Other window actions --------------------------------------------------- */

static void
lodge_window_shortcuts_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (widget);

  /* Built when first asked for. GtkApplication would build it from
   * gtk/help-overlay.ui for every window as it opens, which is a few
   * milliseconds more before the first frame. */
  if (gtk_application_window_get_help_overlay (window) == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/org/lodge/Lodge/lodge-shortcuts-window.ui");

      gtk_application_window_set_help_overlay (window,
                                               GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder,
                                                                                             "help_overlay")));
    }
  gtk_widget_activate_action (widget, "win.show-help-overlay", NULL);
}

static void
lodge_window_search_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "library") != 0)
    return;

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
lodge_window_assistant_created_cb (LodgeWindow              *self,
                                   const char               *uuid,
                                   LodgeNewMachineAssistant *assistant)
{
  LodgeConnection *connection = lodge_new_machine_assistant_get_connection (assistant);
  LodgeHost *host = connection != NULL ? lodge_connection_get_host (connection) : NULL;
  LodgeMachine *machine;

  /* Only when the window shows that host (or all of them). */
  if (host == NULL || (self->host != NULL && self->host != host))
    return;

  machine = lodge_connection_lookup_machine (connection, uuid);
  if (machine != NULL)
    {
      /* Straight into the new machine: its console shows it booting. */
      lodge_window_select_machine (self, machine);
      lodge_window_open_machine_by_name (self, uuid);
    }
}

static LodgeNewMachineAssistant *
lodge_window_present_assistant (LodgeWindow *self)
{
  LodgeApplication *app = LODGE_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  LodgeNewMachineAssistant *assistant;
  LodgeHost *host = lodge_window_get_target_host (self);

  g_return_val_if_fail (host != NULL, NULL);

  assistant = lodge_new_machine_assistant_new (GTK_WINDOW (self), lodge_host_get_connection (host),
                                               app != NULL ? lodge_application_get_os_database (app)
                                                           : NULL,
                                               g_settings_get_boolean (self->settings,
                                                                       "force-emulation"));
  g_signal_connect_object (assistant, "created",
                           G_CALLBACK (lodge_window_assistant_created_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (assistant));
  return assistant;
}

/* An ISO or disk image dropped on the window starts a new machine from it. */
static gboolean
lodge_window_drop_target_drop_cb (LodgeWindow   *self,
                                  const GValue  *value,
                                  double         x,
                                  double         y,
                                  GtkDropTarget *target)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files != NULL)
        file = files->data;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL || !gtk_widget_is_sensitive (GTK_WIDGET (self))
      || !lodge_window_get_action_enabled_new_machine (self))
    return FALSE;

  lodge_new_machine_assistant_open_file (lodge_window_present_assistant (self), file);
  return TRUE;
}

static void
lodge_window_new_machine_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LodgeWindow *self = LODGE_WINDOW (widget);

  if (lodge_window_get_action_enabled_new_machine (self))
    lodge_window_present_assistant (self);
}

/* Properties ----------------------------------------------------------- */

static void
lodge_window_set_view_mode (LodgeWindow *self,
                            const char  *view_mode)
{
  if (g_strcmp0 (view_mode, "list") != 0)
    view_mode = "grid";

  if (g_strcmp0 (self->view_mode, view_mode) == 0)
    return;

  g_free (self->view_mode);
  self->view_mode = g_strdup (view_mode);
  lodge_window_premake_tiles (self);
  lodge_window_update_library_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_MODE]);
}

static void
lodge_window_set_sort_by (LodgeWindow *self,
                          const char  *sort_by)
{
  g_autoptr(GtkSorter) sorter = NULL;

  if (g_strcmp0 (sort_by, "state") != 0 && g_strcmp0 (sort_by, "last-used") != 0)
    sort_by = "name";

  if (g_strcmp0 (self->sort_by, sort_by) == 0)
    return;

  g_free (self->sort_by);
  self->sort_by = g_strdup (sort_by);
  sorter = lodge_window_create_sorter (sort_by);
  gtk_sort_list_model_set_sorter (self->sort_model, sorter);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_BY]);
}

LodgeConnection *
lodge_window_get_connection (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  return self->host != NULL ? lodge_host_get_connection (self->host) : NULL;
}

LodgeHost *
lodge_window_get_host (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  return self->host;
}

static void
lodge_window_update_title (LodgeWindow *self)
{
  if (self->host != NULL)
    {
      g_autofree char *title = lodge_ui_host_title (self->host);

      adw_window_title_set_title (self->window_title, title);
      adw_window_title_set_subtitle (self->window_title, lodge_host_get_uri_string (self->host));
    }
  else
    {
      adw_window_title_set_title (self->window_title, _("All Machines"));
      adw_window_title_set_subtitle (self->window_title, NULL);
    }
}

static void
lodge_window_shown_host_notify_label_cb (LodgeWindow *self,
                                         GParamSpec  *pspec,
                                         LodgeHost   *host)
{
  lodge_window_update_title (self);
}

void
lodge_window_select_host (LodgeWindow *self,
                          LodgeHost   *host)
{
  GListModel *machines;

  g_return_if_fail (LODGE_IS_WINDOW (self));
  g_return_if_fail (host == NULL || LODGE_IS_HOST (host));

  if (self->host == host)
    return;

  machines = gtk_sort_list_model_get_model (self->sort_model);
  if (machines != NULL)
    g_signal_handlers_disconnect_by_func (machines, lodge_window_machines_items_changed_cb, self);
  if (self->host != NULL)
    g_signal_handlers_disconnect_by_func (self->host, lodge_window_shown_host_notify_label_cb, self);
  lodge_window_unwatch_all (self);
  lodge_window_show_library (self);
  g_set_object (&self->host, host);

  self->machines_attached = FALSE;
  gtk_sort_list_model_set_model (self->sort_model, NULL);
  if (host != NULL)
    g_signal_connect_object (host, "notify::label",
                             G_CALLBACK (lodge_window_shown_host_notify_label_cb), self,
                             G_CONNECT_SWAPPED);
  lodge_window_update_title (self);
  lodge_sidebar_select_host (self->sidebar, host);

  lodge_window_update_host_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

static void
lodge_window_sidebar_notify_selected_host_cb (LodgeWindow  *self,
                                              GParamSpec   *pspec,
                                              LodgeSidebar *sidebar)
{
  lodge_window_select_host (self, lodge_sidebar_get_selected_host (sidebar));
}

static void
lodge_window_sidebar_activated_cb (LodgeWindow  *self,
                                   LodgeSidebar *sidebar)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
lodge_window_back_button_clicked_cb (LodgeWindow *self,
                                     GtkButton   *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
lodge_window_leaflet_notify_folded_cb (LodgeWindow *self,
                                       GParamSpec  *pspec,
                                       AdwLeaflet  *leaflet)
{
  gboolean folded = adw_leaflet_get_folded (leaflet);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), folded);
  /* Window buttons at the window's edges: both header bars when folded. */
  adw_header_bar_set_show_end_title_buttons (lodge_sidebar_get_header_bar (self->sidebar), folded);
  adw_header_bar_set_show_start_title_buttons (self->header_bar, folded);
}

static void
lodge_window_hosts_items_changed_cb (LodgeWindow *self,
                                     guint        position,
                                     guint        removed,
                                     guint        added,
                                     GListModel  *hosts)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LodgeHost) host = g_list_model_get_item (hosts, i);

      g_signal_connect_object (host, "notify::state",
                               G_CALLBACK (lodge_window_host_notify_state_cb), self,
                               G_CONNECT_SWAPPED);
    }
  lodge_window_update_host_state (self);
}

static gpointer
lodge_window_map_host_to_machines (gpointer item,
                                   gpointer user_data)
{
  GListModel *machines = G_LIST_MODEL (g_object_ref (lodge_host_get_machines (item)));

  g_object_unref (item);
  return machines;
}

/* Accessors for tests -------------------------------------------------- */

GListModel *
lodge_window_get_library_model (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->filter_model);
}

GtkEditable *
lodge_window_get_search_entry (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}

const char *
lodge_window_get_visible_page (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "machine") == 0)
    return "machine";
  return gtk_stack_get_visible_child_name (self->library_stack);
}

LodgeSidebar *
lodge_window_get_sidebar (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  return self->sidebar;
}

AdwMessageDialog *
lodge_window_get_dialog (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  return self->dialog;
}

AdwToast *
lodge_window_get_last_toast (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), NULL);

  return self->last_toast;
}

guint
lodge_window_get_n_pending_deletes (LodgeWindow *self)
{
  g_return_val_if_fail (LODGE_IS_WINDOW (self), 0);

  return g_hash_table_size (self->pending_deletes);
}

/* GObject -------------------------------------------------------------- */

static gboolean
lodge_window_close_request (GtkWindow *window)
{
  LodgeWindow *self = LODGE_WINDOW (window);
  int width;
  int height;

  lodge_window_flush_pending_deletes (self);

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (lodge_window_parent_class)->close_request (window);
}

static void
lodge_window_constructed (GObject *object)
{
  LodgeWindow *self = LODGE_WINDOW (object);

  G_OBJECT_CLASS (lodge_window_parent_class)->constructed (object);

  lodge_window_update_title (self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               MAX (360, g_settings_get_int (self->settings, "window-width")),
                               MAX (300, g_settings_get_int (self->settings, "window-height")));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
lodge_window_dispose (GObject *object)
{
  LodgeWindow *self = LODGE_WINDOW (object);

  if (self->bench_after_paint_id != 0)
    {
      GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

      if (frame_clock != NULL)
        g_signal_handler_disconnect (frame_clock, self->bench_after_paint_id);
      self->bench_after_paint_id = 0;
    }

  if (self->pending_deletes != NULL)
    lodge_window_flush_pending_deletes (self);
  if (self->sort_model != NULL && gtk_sort_list_model_get_model (self->sort_model) != NULL)
    g_signal_handlers_disconnect_by_func (gtk_sort_list_model_get_model (self->sort_model),
                                          lodge_window_machines_items_changed_cb, self);
  if (self->host != NULL)
    g_signal_handlers_disconnect_by_data (self->host, self);
  if (self->hosts != NULL)
    g_signal_handlers_disconnect_by_data (self->hosts, self);
  if (self->watched != NULL)
    lodge_window_unwatch_all (self);
  lodge_window_set_selected_machine (self, NULL);
  g_clear_handle_id (&self->resort_source, g_source_remove);
  g_clear_handle_id (&self->premake_source, g_source_remove);
  g_clear_pointer (&self->premade_tiles, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_WINDOW);

  g_clear_weak_pointer (&self->dialog);
  g_clear_object (&self->last_toast);
  g_clear_object (&self->selection);
  if (self->follow_host != NULL)
    g_signal_handlers_disconnect_by_data (lodge_host_get_machines (self->follow_host), self);
  g_clear_object (&self->follow_host);
  g_clear_pointer (&self->follow_uuid, g_free);
  g_clear_object (&self->host);
  g_clear_object (&self->all_machines);
  g_clear_object (&self->hosts);
  g_clear_object (&self->machine_menu);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->pending_deletes, g_hash_table_unref);
  g_clear_pointer (&self->watched, g_hash_table_unref);

  G_OBJECT_CLASS (lodge_window_parent_class)->dispose (object);
}

static void
lodge_window_finalize (GObject *object)
{
  LodgeWindow *self = LODGE_WINDOW (object);

  g_free (self->view_mode);
  g_free (self->sort_by);
  g_free (self->search_casefold);
  g_free (self->pending_open);

  G_OBJECT_CLASS (lodge_window_parent_class)->finalize (object);
}

static void
lodge_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LodgeWindow *self = LODGE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_object (value, self->host);
      break;
    case PROP_VIEW_MODE:
      g_value_set_string (value, self->view_mode);
      break;
    case PROP_SORT_BY:
      g_value_set_string (value, self->sort_by);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LodgeWindow *self = LODGE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HOST:
      lodge_window_select_host (self, g_value_get_object (value));
      break;
    case PROP_VIEW_MODE:
      lodge_window_set_view_mode (self, g_value_get_string (value));
      break;
    case PROP_SORT_BY:
      lodge_window_set_sort_by (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_window_class_init (LodgeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  static const char * const state_actions[] = {
    "machine.start", "machine.shutdown", "machine.reboot",
    "machine.pause", "machine.resume", "machine.save",
  };

  object_class->constructed = lodge_window_constructed;
  object_class->dispose = lodge_window_dispose;
  object_class->finalize = lodge_window_finalize;
  object_class->get_property = lodge_window_get_property;
  object_class->set_property = lodge_window_set_property;
  window_class->close_request = lodge_window_close_request;

  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL,
                         LODGE_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW_MODE] =
    g_param_spec_string ("view-mode", NULL, NULL,
                         "grid",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_BY] =
    g_param_spec_string ("sort-by", NULL, NULL,
                         "name",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LODGE_TYPE_CONSOLE_PAGE);
  g_type_ensure (LODGE_TYPE_SIDEBAR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lodge/Lodge/lodge-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, migrations_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, migrations_list);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, library_box);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, machine_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, sort_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, library_stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, connecting_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, grid_view);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, LodgeWindow, machine_page);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_search_entry_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_retry_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_machine_page_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_leaflet_notify_folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_sidebar_notify_selected_host_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_sidebar_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_window_edit_host_button_clicked_cb);

  gtk_widget_class_install_action (widget_class, "win.new-machine", NULL,
                                   lodge_window_new_machine_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL,
                                   lodge_window_search_action);
  gtk_widget_class_install_action (widget_class, "win.add-host", NULL,
                                   lodge_window_add_host_action);
  gtk_widget_class_install_action (widget_class, "win.host-connect", "s",
                                   lodge_window_host_connect_action);
  gtk_widget_class_install_action (widget_class, "win.host-disconnect", "s",
                                   lodge_window_host_disconnect_action);
  gtk_widget_class_install_action (widget_class, "win.host-edit", "s",
                                   lodge_window_host_edit_action);
  gtk_widget_class_install_action (widget_class, "win.host-remove", "s",
                                   lodge_window_host_remove_action);
  gtk_widget_class_install_action (widget_class, "win.show-library", NULL,
                                   lodge_window_show_library_action);
  gtk_widget_class_install_action (widget_class, "win.undo-delete", "s",
                                   lodge_window_undo_delete_action);
  gtk_widget_class_install_action (widget_class, "win.shortcuts", NULL,
                                   lodge_window_shortcuts_action);
  gtk_widget_class_install_property_action (widget_class, "win.view-mode", "view-mode");
  gtk_widget_class_install_property_action (widget_class, "win.sort-by", "sort-by");

  gtk_widget_class_install_action (widget_class, "machine.open", NULL,
                                   lodge_window_machine_open_action);
  gtk_widget_class_install_action (widget_class, "machine.menu", NULL,
                                   lodge_window_machine_menu_action);
  gtk_widget_class_install_action (widget_class, "machine.details", NULL,
                                   lodge_window_machine_details_action);
  gtk_widget_class_install_action (widget_class, "win.host-overview", "s",
                                   lodge_window_host_overview_action);
  gtk_widget_class_install_action (widget_class, "win.host-storage", "s",
                                   lodge_window_host_storage_action);
  gtk_widget_class_install_action (widget_class, "win.host-networks", "s",
                                   lodge_window_host_networks_action);
  for (guint i = 0; i < G_N_ELEMENTS (state_actions); i++)
    gtk_widget_class_install_action (widget_class, state_actions[i], NULL,
                                     lodge_window_machine_state_action);
  gtk_widget_class_install_action (widget_class, "machine.pause-resume", NULL,
                                   lodge_window_machine_pause_resume_action);
  gtk_widget_class_install_action (widget_class, "machine.force-off", NULL,
                                   lodge_window_machine_force_off_action);
  gtk_widget_class_install_action (widget_class, "machine.rename", NULL,
                                   lodge_window_machine_rename_action);
  gtk_widget_class_install_action (widget_class, "machine.delete", NULL,
                                   lodge_window_machine_delete_action);
  gtk_widget_class_install_action (widget_class, "machine.move", NULL,
                                   lodge_window_machine_move_action);
  gtk_widget_class_install_action (widget_class, "win.show-migrations", NULL,
                                   lodge_window_show_migrations_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_question, GDK_CONTROL_MASK,
                                       "win.shortcuts", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-machine", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK,
                                       "win.view-mode", "s", "grid");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_CONTROL_MASK,
                                       "win.view-mode", "s", "list");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_S, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "machine.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_D, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "machine.shutdown", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_R, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "machine.reboot", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_P, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "machine.pause-resume", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_K, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "machine.force-off", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "machine.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_ALT_MASK,
                                       "machine.details", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "machine.details", NULL);
  /* Menus show the last accelerator added for an action. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "machine.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "machine.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "machine.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "machine.menu", NULL);
}

static void
lodge_window_init (LodgeWindow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GtkListItemFactory) grid_factory = NULL;
  g_autoptr(GtkListItemFactory) list_factory = NULL;

  /* The property actions read these while the template is built. */
  self->view_mode = g_strdup ("grid");
  self->sort_by = g_strdup ("name");
  self->premade_tiles = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));

  {
    GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };
    GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);

    gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
    g_signal_connect_object (drop, "drop", G_CALLBACK (lodge_window_drop_target_drop_cb),
                             self, G_CONNECT_SWAPPED);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  }

  self->settings = g_settings_new (APPLICATION_ID);
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->pending_deletes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 pending_delete_free);

  builder = gtk_builder_new_from_resource ("/org/lodge/Lodge/lodge-menus.ui");
  self->machine_menu = g_object_ref (G_MENU_MODEL (gtk_builder_get_object (builder, "machine_menu")));
  gtk_menu_button_set_menu_model (self->primary_menu_button,
                                  G_MENU_MODEL (gtk_builder_get_object (builder, "primary_menu")));
  gtk_menu_button_set_menu_model (self->sort_menu_button,
                                  G_MENU_MODEL (gtk_builder_get_object (builder, "sort_menu")));
  gtk_menu_button_set_menu_model (self->machine_menu_button, self->machine_menu);
  lodge_console_page_set_menu (self->machine_page, self->machine_menu);

  /* machines → sorted → filtered → selection, shared by both views. */
  self->sort_model = gtk_sort_list_model_new (NULL, NULL);
  self->filter = GTK_FILTER (gtk_custom_filter_new (lodge_window_filter_func, self, NULL));
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (self->sort_model), self->filter);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filter_model));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (lodge_window_selection_notify_selected_item_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (lodge_window_update_library_page),
                           self, G_CONNECT_SWAPPED);
  {
    g_autoptr(GtkSorter) sorter = lodge_window_create_sorter (self->sort_by);
    gtk_sort_list_model_set_sorter (self->sort_model, sorter);
  }

  grid_factory = lodge_window_create_factory (self, FALSE);
  list_factory = lodge_window_create_factory (self, TRUE);
  gtk_grid_view_set_factory (self->grid_view, grid_factory);
  gtk_list_view_set_factory (self->list_view, list_factory);

  g_object_bind_property (self->search_button, "active",
                          self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, self->library_box);

  g_settings_bind (self->settings, "view-mode", self, "view-mode", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sort-by", self, "sort-by", G_SETTINGS_BIND_DEFAULT);

  lodge_window_update_title (self);
  lodge_window_update_actions (self);
  lodge_window_update_library_page (self);
}

/* The application's hosts, in the sidebar and (all their machines) in
 * All Machines. */
static void
lodge_window_set_hosts (LodgeWindow   *self,
                        LodgeHostList *hosts)
{
  g_autoptr(GtkMapListModel) map = NULL;

  g_assert (self->hosts == NULL);

  self->hosts = g_object_ref (hosts);
  map = gtk_map_list_model_new (G_LIST_MODEL (g_object_ref (hosts)),
                                lodge_window_map_host_to_machines, NULL, NULL);
  self->all_machines = gtk_flatten_list_model_new (G_LIST_MODEL (g_steal_pointer (&map)));
  g_signal_connect_object (hosts, "items-changed",
                           G_CALLBACK (lodge_window_hosts_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  lodge_sidebar_set_hosts (self->sidebar, hosts);
  lodge_window_hosts_items_changed_cb (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (hosts)),
                                       G_LIST_MODEL (hosts));
}

LodgeWindow *
lodge_window_new (LodgeApplication *application)
{
  LodgeWindow *self;

  g_return_val_if_fail (LODGE_IS_APPLICATION (application), NULL);

  self = g_object_new (LODGE_TYPE_WINDOW, "application", application, NULL);
  lodge_window_set_hosts (self, lodge_application_get_hosts (application));
  gtk_list_box_bind_model (self->migrations_list, lodge_application_get_migrations (application),
                           lodge_window_create_migration_row_cb, NULL, NULL);
  g_signal_connect_object (lodge_application_get_migrations (application), "items-changed",
                           G_CALLBACK (lodge_window_migrations_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  lodge_window_migrations_items_changed_cb (self, 0, 0, 0, lodge_application_get_migrations (application));
  g_signal_connect_object (application, "migration-finished",
                           G_CALLBACK (lodge_window_application_migration_finished_cb), self,
                           G_CONNECT_SWAPPED);
  return self;
}
