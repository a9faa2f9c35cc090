/* lodge-new-machine-assistant.c: the assistant that creates a machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-new-machine"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "create/lodge-downloader.h"
#include "create/lodge-os-download.h"
#include "ui/lodge-new-machine-assistant-private.h"
#include "ui/lodge-ui-private.h"

#define MiB (G_GUINT64_CONSTANT (1) << 20)
#define GiB (G_GUINT64_CONSTANT (1) << 30)

/* Typing a name checks it once the typing pauses, not on every key. */
#define NAME_CHECK_DELAY_MS 200
/* How long "created" waits for libvirt's event to put the new machine into
 * the connection's list before it is emitted anyway. */
#define CREATED_WAIT_S 5

/* The steps, in the order a user meets them:
 *   source    a file (chooser or drop), media found in Downloads, or an OS
 *   download-os  libosinfo's media with a download address, searchable
 *   download  the download's progress, Cancel (keeps the partial file for a
 *             resume), or its error with Retry; when done, on to identify
 *   identify  a spinner while the file is read (or the host, rarely)
 *   os        libosinfo's list, when the media is unknown or for no media
 *   review    name, resources, firmware, throwaway, express, notices
 *   progress  the creator's stage and progress, with Cancel
 * Errors go back to the page they belong to (source or review) and stay
 * there until the next attempt. */
struct _LodgeNewMachineAssistant
{
  AdwWindow             parent_instance;

  LodgeConnection      *connection;
  LodgeOsDatabase      *db;
  gboolean              prefer_emulation;

  /* Everything asynchronous that belongs to the window's life. */
  GCancellable         *cancellable;
  GCancellable         *identify_cancellable;
  GCancellable         *name_cancellable;
  GCancellable         *create_cancellable;

  LodgeHostInfo        *host;
  gboolean              host_queried;
  LodgeMachineSpec     *spec;
  LodgeMedia           *media;
  LodgeOs              *os;

  LodgeMediaScanner    *scanner;
  char                 *downloads_dir;
  gboolean              scan_started;
  GdkFrameClock        *frame_clock;
  gulong                after_paint_id;

  GtkCustomFilter      *os_filter;
  GtkFilterListModel   *os_filter_model;
  GtkSingleSelection   *os_selection;
  char                 *os_search;

  GtkFileChooserNative *chooser;
  LodgeMachineCreator  *creator;
  gboolean              generating_script;
  gboolean              close_after_cancel;

  /* After success: waiting for the machine to show in the list. */
  char                 *created_uuid;
  guint                 created_timeout;
  gulong                machines_changed_id;

  char                 *suggested_name;
  char                 *name_error;
  guint                 name_check_source;
  gboolean              name_valid;
  gboolean              name_checking;

  /* Downloading an OS: the list (built once the database is loaded),
   * the partial files found in the download folder (file name → size),
   * and the running or last download. */
  GListModel           *download_list;
  GtkCustomFilter      *download_filter;
  GtkFilterListModel   *download_filter_model;
  GtkSingleSelection   *download_selection;
  char                 *download_search;
  GHashTable           *partials;
  GHashTable           *complete;
  gboolean              partials_scanned;
  guint                 n_partial_scans;
  gboolean              download_listing;
  gboolean              download_listed;
  LodgeOsDownload      *download_item;
  LodgeDownloader      *downloader;
  GCancellable         *download_cancellable;
  gboolean              download_failed;

  /* Where Back goes from the review and OS pages. */
  const char           *review_back_page;
  const char           *os_back_page;
  gboolean              review_pending;

  /* template children */
  AdwWindowTitle       *window_title;
  GtkWidget            *cancel_button;
  GtkWidget            *back_button;
  GtkButton            *next_button;
  GtkStack             *stack;
  GtkRevealer          *source_error_revealer;
  GtkLabel             *source_error_label;
  GtkSpinner           *scan_spinner;
  GtkListBox           *downloads_list;
  GtkLabel             *downloads_placeholder;
  AdwStatusPage        *identify_page;
  GtkSpinner           *identify_spinner;
  GtkLabel             *os_intro_label;
  GtkSearchEntry       *os_search_entry;
  GtkStack             *os_stack;
  GtkSpinner           *os_spinner;
  GtkListView          *os_list_view;
  GtkRevealer          *download_note_revealer;
  GtkLabel             *download_note_label;
  GtkSearchEntry       *download_search_entry;
  GtkStack             *download_os_stack;
  GtkSpinner           *download_os_spinner;
  GtkListView          *download_list_view;
  AdwStatusPage        *download_page;
  GtkProgressBar       *download_progress_bar;
  GtkLabel             *download_bytes_label;
  GtkLabel             *download_rate_label;
  GtkLabel             *download_error_label;
  GtkWidget            *download_cancel_button;
  GtkWidget            *download_retry_button;
  GtkImage             *review_icon;
  GtkLabel             *review_os_label;
  GtkLabel             *review_kind_label;
  GtkLabel             *review_path_label;
  GtkRevealer          *review_error_revealer;
  GtkWidget            *review_error_box;
  GtkImage             *review_error_icon;
  GtkLabel             *review_error_label;
  AdwEntryRow          *name_row;
  GtkLabel             *name_error_label;
  GtkAdjustment        *memory_adjustment;
  GtkAdjustment        *vcpus_adjustment;
  GtkAdjustment        *disk_adjustment;
  AdwActionRow         *disk_row;
  AdwActionRow         *import_row;
  AdwComboRow          *firmware_row;
  AdwActionRow         *throwaway_row;
  AdwExpanderRow       *express_row;
  AdwEntryRow          *express_user_row;
  AdwEntryRow          *express_password_row;
  AdwEntryRow          *express_host_row;
  GtkWidget            *notices_group;
  AdwActionRow         *accel_row;
  GtkBox               *warnings_box;
  GtkProgressBar       *progress_bar;
  GtkLabel             *stage_label;
};

G_DEFINE_FINAL_TYPE (LodgeNewMachineAssistant, lodge_new_machine_assistant, ADW_TYPE_WINDOW)

enum {
  SIGNAL_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void lodge_new_machine_assistant_update_actions (LodgeNewMachineAssistant *self);
static void lodge_new_machine_assistant_prepare_review (LodgeNewMachineAssistant *self);
static void lodge_new_machine_assistant_open_path      (LodgeNewMachineAssistant *self,
                                                        const char               *path);
static void schedule_name_check                        (LodgeNewMachineAssistant *self);
static void lodge_new_machine_assistant_ensure_os_list (LodgeNewMachineAssistant *self);
static void lodge_new_machine_assistant_ensure_download_list (LodgeNewMachineAssistant *self);
static void lodge_new_machine_assistant_db_load_cb     (GObject                  *object,
                                                        GAsyncResult             *result,
                                                        gpointer                  user_data);

static gboolean
is_page (LodgeNewMachineAssistant *self,
         const char               *page)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), page) == 0;
}

/* After dispose (the window was closed): late results are dropped. */
static gboolean
is_disposed (LodgeNewMachineAssistant *self)
{
  return self->cancellable == NULL;
}

static gboolean
is_creating (LodgeNewMachineAssistant *self)
{
  return self->creator != NULL || self->generating_script || self->created_uuid != NULL;
}

static void
go_to_page (LodgeNewMachineAssistant *self,
            const char               *page)
{
  g_assert (page != NULL);

  /* Pages start hidden (see _init) and stay shown once met. */
  gtk_widget_set_visible (gtk_stack_get_child_by_name (self->stack, page), TRUE);
  gtk_stack_set_visible_child_name (self->stack, page);
  lodge_new_machine_assistant_update_actions (self);
}

/* Messages ------------------------------------------------------------- */

static void
show_source_error (LodgeNewMachineAssistant *self,
                   const char               *message)
{
  gtk_label_set_text (self->source_error_label, message != NULL ? message : "");
  gtk_widget_add_css_class (GTK_WIDGET (self->source_error_label), "error");
  gtk_revealer_set_reveal_child (self->source_error_revealer, message != NULL);
}

/* error: an error (red) or a note (a cancel, which is not a failure). */
static void
show_review_message (LodgeNewMachineAssistant *self,
                     const char               *message,
                     gboolean                  error)
{
  gtk_label_set_text (self->review_error_label, message != NULL ? message : "");
  gtk_image_set_from_icon_name (self->review_error_icon,
                                error ? "dialog-error-symbolic" : "dialog-information-symbolic");
  if (error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->review_error_icon), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->review_error_label), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->review_error_icon), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->review_error_label), "error");
    }
  gtk_revealer_set_reveal_child (self->review_error_revealer, message != NULL);

  /* The message is at the top of the page: make sure it is seen. */
  if (message != NULL)
    {
      GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self->review_error_revealer),
                                                     GTK_TYPE_SCROLLED_WINDOW);

      if (scrolled != NULL)
        gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)), 0);
    }
}

static void
show_name_error (LodgeNewMachineAssistant *self,
                 const char               *message)
{
  g_free (self->name_error);
  self->name_error = g_strdup (message);
  gtk_label_set_text (self->name_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->name_error_label), message != NULL);
  if (message != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      /* Read with the entry by screen readers. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->name_row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->name_row),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

/* Actions -------------------------------------------------------------- */

static gboolean
express_is_complete (LodgeNewMachineAssistant *self)
{
  const char *user;
  const char *password;
  const char *host;

  if (!gtk_widget_get_visible (GTK_WIDGET (self->express_row)) ||
      !adw_expander_row_get_enable_expansion (self->express_row))
    return TRUE;

  user = gtk_editable_get_text (GTK_EDITABLE (self->express_user_row));
  password = gtk_editable_get_text (GTK_EDITABLE (self->express_password_row));
  host = gtk_editable_get_text (GTK_EDITABLE (self->express_host_row));
  return user[0] != '\0' && g_strcmp0 (user, "root") != 0 && password[0] != '\0' && host[0] != '\0';
}

static gboolean
action_is_enabled (LodgeNewMachineAssistant *self,
                   const char               *action)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean source = g_strcmp0 (page, "source") == 0;
  gboolean review = g_strcmp0 (page, "review") == 0;
  gboolean os = g_strcmp0 (page, "os") == 0;
  gboolean download_os = g_strcmp0 (page, "download-os") == 0;
  gboolean download = g_strcmp0 (page, "download") == 0;

  if (g_str_equal (action, "assistant.back"))
    return !is_creating (self) &&
           (os || review || download_os || g_strcmp0 (page, "identify") == 0 ||
            (download && self->download_cancellable == NULL));
  if (g_str_equal (action, "assistant.choose-file") || g_str_equal (action, "assistant.choose-os") ||
      g_str_equal (action, "assistant.choose-download"))
    return source;
  if (g_str_equal (action, "assistant.cancel-download"))
    return download && self->download_cancellable != NULL &&
           !g_cancellable_is_cancelled (self->download_cancellable);
  if (g_str_equal (action, "assistant.retry-download"))
    return download && self->download_cancellable == NULL && self->download_item != NULL;
  if (g_str_equal (action, "assistant.change-os"))
    return review && !is_creating (self);
  if (g_str_equal (action, "assistant.create"))
    return review && !is_creating (self) && self->host != NULL &&
           self->name_valid && !self->name_checking && express_is_complete (self);
  if (g_str_equal (action, "assistant.next"))
    {
      if (os)
        return lodge_os_database_get_loaded (self->db) && self->os_selection != NULL &&
               gtk_single_selection_get_selected_item (self->os_selection) != NULL;
      if (download_os)
        return self->download_selection != NULL &&
               gtk_single_selection_get_selected_item (self->download_selection) != NULL;
      return action_is_enabled (self, "assistant.create");
    }
  if (g_str_equal (action, "assistant.cancel-create"))
    return g_strcmp0 (page, "progress") == 0 && self->create_cancellable != NULL &&
           !g_cancellable_is_cancelled (self->create_cancellable);

  return FALSE;
}

static void
lodge_new_machine_assistant_update_actions (LodgeNewMachineAssistant *self)
{
  static const char * const actions[] = {
    "assistant.back", "assistant.next", "assistant.choose-file", "assistant.choose-os",
    "assistant.change-os", "assistant.create", "assistant.cancel-create",
    "assistant.choose-download", "assistant.cancel-download", "assistant.retry-download",
  };
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean progress = g_strcmp0 (page, "progress") == 0;
  gboolean review = g_strcmp0 (page, "review") == 0;
  gboolean os = g_strcmp0 (page, "os") == 0;
  gboolean download_os = g_strcmp0 (page, "download-os") == 0;
  GtkStackPage *stack_page;

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], action_is_enabled (self, actions[i]));

  gtk_widget_set_visible (self->cancel_button, !progress);
  gtk_widget_set_visible (self->back_button, !progress && g_strcmp0 (page, "source") != 0 &&
                          !(g_strcmp0 (page, "download") == 0 && self->download_cancellable != NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), review || os || download_os);
  gtk_button_set_label (self->next_button, review ? _("C_reate")
                                           : download_os ? _("_Download") : _("_Next"));

  stack_page = gtk_stack_get_page (self->stack, gtk_stack_get_visible_child (self->stack));
  adw_window_title_set_subtitle (self->window_title,
                                 stack_page != NULL ? gtk_stack_page_get_title (stack_page) : NULL);
}

static void
lodge_new_machine_assistant_stack_notify_visible_child_name_cb (LodgeNewMachineAssistant *self,
                                                                GParamSpec               *pspec,
                                                                GtkStack                 *stack)
{
  lodge_new_machine_assistant_update_actions (self);
}

/* The host ---------------------------------------------------------------- */

static void
lodge_new_machine_assistant_host_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  LodgeHostInfo *host = lodge_host_info_query_finish (result, &error);

  if (is_disposed (self))
    {
      g_clear_pointer (&host, lodge_host_info_free);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (host == NULL)
    {
      /* Creation can still go on with what this computer says: the
       * creator reports a real problem with the host clearly. */
      g_warning ("Could not read the host: %s", error->message);
      host = lodge_host_info_new ();
      host->acceleration = lodge_acceleration_probe (self->prefer_emulation,
                                                     &host->acceleration_reason);
    }
  self->host = host;

  if (self->review_pending)
    {
      self->review_pending = FALSE;
      lodge_new_machine_assistant_prepare_review (self);
    }
  lodge_new_machine_assistant_update_actions (self);
}

/* Read once, after the first frame or when first needed. */
static void
lodge_new_machine_assistant_ensure_host (LodgeNewMachineAssistant *self)
{
  LodgeHost *host;

  if (self->host_queried)
    return;

  self->host_queried = TRUE;
  host = lodge_connection_get_host (self->connection);
  if (host == NULL)
    {
      /* A connection of no host (tests): as when the host cannot be read. */
      g_autoptr(GTask) task = g_task_new (NULL, NULL, lodge_new_machine_assistant_host_cb,
                                          g_object_ref (self));

      g_task_set_source_tag (task, lodge_host_info_query_async);
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                               "The connection belongs to no host");
      return;
    }
  lodge_host_info_query_async (host, self->prefer_emulation, self->cancellable,
                               lodge_new_machine_assistant_host_cb, g_object_ref (self));
}

/* Downloads -------------------------------------------------------------- */

static GtkWidget *
lodge_new_machine_assistant_create_media_row (gpointer item,
                                              gpointer user_data)
{
  LodgeMedia *media = LODGE_MEDIA (item);
  gboolean disk = lodge_media_get_kind (media) == LODGE_MEDIA_KIND_DISK_IMAGE;
  g_autofree char *basename = g_path_get_basename (lodge_media_get_path (media));
  g_autofree char *display = g_filename_display_name (basename);
  /* A disk image's own size says little: the guest sees its virtual size. */
  g_autofree char *size = disk ? g_format_size_full (lodge_media_get_virtual_size (media),
                                                     G_FORMAT_SIZE_IEC_UNITS)
                               : g_format_size (lodge_media_get_size (media));
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;
  const char *what;

  if (disk)
    what = _("Disk image");
  else if (lodge_media_get_os (media) == NULL)
    what = _("Unknown medium");
  else if (lodge_media_get_live (media) && !lodge_media_get_installer (media))
    what = _("Live system");
  else
    what = _("Installer");

  /* TRANSLATORS: kind · file name · size, e.g. "Installer · fedora.iso · 2.1 GB" */
  subtitle = g_strdup_printf (_("%s · %s · %s"), what, display, size);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lodge_media_get_label (media));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  icon = gtk_image_new_from_icon_name (disk ? "drive-harddisk-symbolic"
                                            : lodge_ui_os_icon_name (lodge_media_get_os (media)
                                                                     ? lodge_os_get_id (lodge_media_get_os (media))
                                                                     : NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, what, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             g_object_new (GTK_TYPE_IMAGE,
                                           "icon-name", "go-next-symbolic",
                                           "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                           NULL));
  g_object_set_data_full (G_OBJECT (row), "lodge-media", g_object_ref (media), g_object_unref);

  return row;
}

static void
lodge_new_machine_assistant_scanner_notify_scanning_cb (LodgeNewMachineAssistant *self,
                                                        GParamSpec               *pspec,
                                                        LodgeMediaScanner        *scanner)
{
  gboolean scanning = lodge_media_scanner_get_scanning (scanner);

  gtk_spinner_set_spinning (self->scan_spinner, scanning);
  gtk_widget_set_visible (GTK_WIDGET (self->scan_spinner), scanning);
  gtk_label_set_text (self->downloads_placeholder,
                      scanning ? _("Looking for installation media…")
                               : _("No installation media or disk images in Downloads."));
}

static void
lodge_new_machine_assistant_scan_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A Downloads folder that does not exist simply finds nothing. */
  if (!lodge_media_scanner_scan_finish (LODGE_MEDIA_SCANNER (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("Scanning Downloads: %s", error->message);
}

/* Started once the window is on screen: the first frame never waits for it. */
static gboolean
lodge_new_machine_assistant_start_scan_cb (gpointer user_data)
{
  LodgeNewMachineAssistant *self = user_data;

  if (is_disposed (self))
    return G_SOURCE_REMOVE;

  lodge_new_machine_assistant_ensure_host (self);
  /* Loads once per database: nothing to do when the application did. */
  if (!lodge_os_database_get_loaded (self->db))
    lodge_os_database_load_async (self->db, NULL, lodge_new_machine_assistant_db_load_cb, NULL);
  self->scanner = lodge_media_scanner_new (self->db);
  g_signal_connect_object (self->scanner, "notify::scanning",
                           G_CALLBACK (lodge_new_machine_assistant_scanner_notify_scanning_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->downloads_list, G_LIST_MODEL (self->scanner),
                           lodge_new_machine_assistant_create_media_row, NULL, NULL);
  lodge_media_scanner_scan_async (self->scanner, self->downloads_dir, self->cancellable,
                                  lodge_new_machine_assistant_scan_cb, NULL);
  lodge_new_machine_assistant_scanner_notify_scanning_cb (self, NULL, self->scanner);

  return G_SOURCE_REMOVE;
}

/* The frame clock goes with the surface: let go of it before. */
static void
lodge_new_machine_assistant_release_frame_clock (LodgeNewMachineAssistant *self)
{
  if (self->frame_clock == NULL)
    return;

  g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
  g_clear_object (&self->frame_clock);
}

static void
lodge_new_machine_assistant_frame_clock_after_paint_cb (LodgeNewMachineAssistant *self,
                                                        GdkFrameClock            *frame_clock)
{
  lodge_new_machine_assistant_release_frame_clock (self);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, lodge_new_machine_assistant_start_scan_cb,
                   g_object_ref (self), g_object_unref);
}

static void
lodge_new_machine_assistant_unmap (GtkWidget *widget)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  /* Unmapped before its first frame: start again at the next map. */
  if (self->frame_clock != NULL)
    {
      lodge_new_machine_assistant_release_frame_clock (self);
      self->scan_started = FALSE;
    }

  GTK_WIDGET_CLASS (lodge_new_machine_assistant_parent_class)->unmap (widget);
}

static void
lodge_new_machine_assistant_map (GtkWidget *widget)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  GTK_WIDGET_CLASS (lodge_new_machine_assistant_parent_class)->map (widget);

  /* Worker threads (host, database, Downloads) start once the first frame
   * is painted: on a small machine they would compete with it. An idle of
   * low priority would not do: a spinner's frames can starve it. */
  if (!self->scan_started)
    {
      self->scan_started = TRUE;
      self->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
      self->after_paint_id =
        g_signal_connect_swapped (self->frame_clock, "after-paint",
                                  G_CALLBACK (lodge_new_machine_assistant_frame_clock_after_paint_cb),
                                  self);
    }
}

static void
lodge_new_machine_assistant_downloads_list_row_activated_cb (LodgeNewMachineAssistant *self,
                                                             GtkListBoxRow            *row,
                                                             GtkListBox               *list)
{
  LodgeMedia *media = g_object_get_data (G_OBJECT (row), "lodge-media");

  if (media != NULL)
    lodge_new_machine_assistant_pick_media (self, media);
}

/* Identification ---------------------------------------------------------- */

static void
lodge_new_machine_assistant_show_os_page (LodgeNewMachineAssistant *self,
                                          const char               *intro,
                                          const char               *back_page)
{
  lodge_new_machine_assistant_ensure_os_list (self);
  gtk_label_set_text (self->os_intro_label, intro);
  self->os_back_page = back_page;
  go_to_page (self, "os");
  gtk_widget_grab_focus (GTK_WIDGET (self->os_search_entry));
}

static void
lodge_new_machine_assistant_use_media (LodgeNewMachineAssistant *self,
                                       LodgeMedia               *media)
{
  g_autofree char *basename = g_path_get_basename (lodge_media_get_path (media));
  g_autofree char *display = g_filename_display_name (basename);
  g_autofree char *intro = NULL;

  g_set_object (&self->media, media);
  show_source_error (self, NULL);

  if (lodge_media_get_os (media) != NULL)
    {
      g_set_object (&self->os, lodge_media_get_os (media));
      self->review_back_page = "source";
      lodge_new_machine_assistant_prepare_review (self);
      return;
    }

  g_clear_object (&self->os);
  if (lodge_media_get_kind (media) == LODGE_MEDIA_KIND_DISK_IMAGE)
    intro = g_strdup_printf (_("Which operating system is installed on “%s”? Lodge gives the "
                               "machine the devices and resources it works best with."), display);
  else
    intro = g_strdup_printf (_("Lodge does not recognize “%s”. Choose the operating system it "
                               "contains, or a generic one."), display);
  lodge_new_machine_assistant_show_os_page (self, intro, "source");
}

static void
lodge_new_machine_assistant_identify_cb (GObject      *object,
                                         GAsyncResult *result,
                                         gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMedia) media = lodge_media_new_for_path_finish (result, &error);

  if (is_disposed (self) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_set_spinning (self->identify_spinner, FALSE);
  g_clear_object (&self->identify_cancellable);

  if (media == NULL)
    {
      show_source_error (self, error->message);
      go_to_page (self, "source");
      return;
    }

  lodge_new_machine_assistant_use_media (self, media);
}

static void
lodge_new_machine_assistant_open_path (LodgeNewMachineAssistant *self,
                                       const char               *path)
{
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *display = g_filename_display_name (basename);

  g_assert (path != NULL);

  if (is_creating (self))
    return;

  g_cancellable_cancel (self->identify_cancellable);
  g_clear_object (&self->identify_cancellable);
  self->identify_cancellable = g_cancellable_new ();

  adw_status_page_set_title (self->identify_page, _("Identifying…"));
  adw_status_page_set_description (self->identify_page, display);
  gtk_spinner_set_spinning (self->identify_spinner, TRUE);
  show_source_error (self, NULL);
  go_to_page (self, "identify");

  lodge_media_new_for_path_async (self->db, path, self->identify_cancellable,
                                  lodge_new_machine_assistant_identify_cb, g_object_ref (self));
}

void
lodge_new_machine_assistant_open_file (LodgeNewMachineAssistant *self,
                                       GFile                    *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self));
  g_return_if_fail (G_IS_FILE (file));

  if (is_creating (self))
    return;

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *text = g_strdup_printf (_("“%s” is not a file of this computer: copy it "
                                                 "here first."), uri);

      show_source_error (self, text);
      go_to_page (self, "source");
      return;
    }

  lodge_new_machine_assistant_open_path (self, path);
}

static gboolean
lodge_new_machine_assistant_drop_target_drop_cb (LodgeNewMachineAssistant *self,
                                                 const GValue             *value,
                                                 double                    x,
                                                 double                    y,
                                                 GtkDropTarget            *target)
{
  GFile *file = NULL;

  if (is_creating (self) || is_page (self, "progress"))
    return FALSE;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

      if (files != NULL)
        file = files->data;
      g_slist_free (files);
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;

  lodge_new_machine_assistant_open_file (self, file);
  return TRUE;
}

static void
lodge_new_machine_assistant_chooser_response_cb (LodgeNewMachineAssistant *self,
                                                 int                       response,
                                                 GtkFileChooserNative     *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        lodge_new_machine_assistant_open_file (self, file);
    }

  g_clear_object (&self->chooser);
}

static void
lodge_new_machine_assistant_choose_file_action (GtkWidget  *widget,
                                                const char *action_name,
                                                GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);
  g_autoptr(GtkFileFilter) media_filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all_filter = gtk_file_filter_new ();
  static const char * const suffixes[] = { "iso", "img", "raw", "qcow2", "vmdk", "vdi" };
  g_autofree char *downloads = NULL;

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  gtk_file_filter_set_name (media_filter, _("Installation Media and Disk Images"));
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    gtk_file_filter_add_suffix (media_filter, suffixes[i]);
  gtk_file_filter_set_name (all_filter, _("All Files"));
  gtk_file_filter_add_pattern (all_filter, "*");

  self->chooser = gtk_file_chooser_native_new (_("Choose Installation Media or a Disk Image"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), media_filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all_filter);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), media_filter);

  downloads = g_strdup (self->downloads_dir != NULL ? self->downloads_dir
                                                    : g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD));
  if (downloads != NULL && g_file_test (downloads, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (downloads);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }

  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (lodge_new_machine_assistant_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* The OS list ------------------------------------------------------------- */

static gboolean
lodge_new_machine_assistant_os_filter_cb (gpointer item,
                                          gpointer user_data)
{
  LodgeNewMachineAssistant *self = user_data;

  if (self->os_search == NULL || self->os_search[0] == '\0')
    return TRUE;
  /* The generic entries stay: they are the answer when nothing matches. */
  return lodge_os_get_generic (item) || lodge_os_matches (item, self->os_search);
}

/* The generic entries first (in the database's order), then the newest
 * releases: what people look for is usually recent. */
static int
os_compare (gconstpointer a,
            gconstpointer b,
            gpointer      user_data)
{
  LodgeOs *os_a = (LodgeOs *) a;
  LodgeOs *os_b = (LodgeOs *) b;
  int cmp;

  if (lodge_os_get_generic (os_a) || lodge_os_get_generic (os_b))
    return lodge_os_get_generic (os_a) && lodge_os_get_generic (os_b) ? 0
           : lodge_os_get_generic (os_a) ? -1 : 1;

  /* YYYY-MM-DD compares as a string; no date sorts last. */
  cmp = g_strcmp0 (lodge_os_get_release_date (os_b), lodge_os_get_release_date (os_a));
  if (cmp != 0)
    return cmp;
  return g_utf8_collate (lodge_os_get_name (os_a), lodge_os_get_name (os_b));
}

static void
lodge_new_machine_assistant_update_os_stack (LodgeNewMachineAssistant *self)
{
  const char *page;

  if (self->os_filter_model == NULL)
    return;
  if (!lodge_os_database_get_loaded (self->db))
    page = "loading";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->os_filter_model)) == 0)
    page = "empty";
  else
    page = "list";

  gtk_spinner_set_spinning (self->os_spinner, g_str_equal (page, "loading"));
  gtk_stack_set_visible_child_name (self->os_stack, page);
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_os_search_entry_search_changed_cb (LodgeNewMachineAssistant *self,
                                                               GtkSearchEntry           *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  lodge_new_machine_assistant_ensure_os_list (self);
  g_free (self->os_search);
  self->os_search = g_strstrip (g_utf8_strdown (text, -1));
  gtk_filter_changed (GTK_FILTER (self->os_filter), GTK_FILTER_CHANGE_DIFFERENT);

  /* The first real match, not a generic entry, is what Enter picks. */
  if (self->os_search[0] != '\0')
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->os_filter_model));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LodgeOs) os = g_list_model_get_item (G_LIST_MODEL (self->os_filter_model), i);

          if (!lodge_os_get_generic (os))
            {
              gtk_single_selection_set_selected (self->os_selection, i);
              gtk_widget_activate_action (GTK_WIDGET (self->os_list_view), "list.scroll-to-item", "u", i);
              break;
            }
        }
    }
  lodge_new_machine_assistant_update_os_stack (self);
}

static void
lodge_new_machine_assistant_os_search_entry_activate_cb (LodgeNewMachineAssistant *self,
                                                         GtkSearchEntry           *entry)
{
  if (action_is_enabled (self, "assistant.next"))
    gtk_widget_activate_action (GTK_WIDGET (self), "assistant.next", NULL);
}

static void
lodge_new_machine_assistant_os_list_view_activate_cb (LodgeNewMachineAssistant *self,
                                                      guint                     position,
                                                      GtkListView              *view)
{
  g_autoptr(LodgeOs) os = g_list_model_get_item (G_LIST_MODEL (self->os_filter_model), position);

  if (os != NULL)
    lodge_new_machine_assistant_pick_os (self, os);
}

static void
lodge_new_machine_assistant_os_selection_notify_cb (LodgeNewMachineAssistant *self,
                                                    GParamSpec               *pspec,
                                                    GtkSingleSelection       *selection)
{
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_db_notify_loaded_cb (LodgeNewMachineAssistant *self,
                                                 GParamSpec               *pspec,
                                                 LodgeOsDatabase          *db)
{
  lodge_new_machine_assistant_update_os_stack (self);
  if (lodge_os_database_get_loaded (db) && self->download_selection != NULL)
    lodge_new_machine_assistant_ensure_download_list (self);
}

/* The OS list is built when first needed: sorting and showing 790 entries
 * is work the first frame does not need. */
static void
lodge_new_machine_assistant_ensure_os_list (LodgeNewMachineAssistant *self)
{
  GtkSorter *sorter;
  GtkSortListModel *sorted;

  if (self->os_selection != NULL)
    return;

  /* Needed now, whether or not the first frame was painted. */
  if (!lodge_os_database_get_loaded (self->db))
    lodge_os_database_load_async (self->db, NULL, lodge_new_machine_assistant_db_load_cb, NULL);

  sorter = GTK_SORTER (gtk_custom_sorter_new (os_compare, NULL, NULL));
  sorted = gtk_sort_list_model_new (g_object_ref (lodge_os_database_get_os_list (self->db)), sorter);
  self->os_filter_model = gtk_filter_list_model_new (G_LIST_MODEL (sorted),
                                                     g_object_ref (GTK_FILTER (self->os_filter)));
  self->os_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->os_filter_model)));
  g_signal_connect_object (self->os_selection, "notify::selected",
                           G_CALLBACK (lodge_new_machine_assistant_os_selection_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->os_filter_model, "items-changed",
                           G_CALLBACK (lodge_new_machine_assistant_update_os_stack),
                           self, G_CONNECT_SWAPPED);
  gtk_list_view_set_model (self->os_list_view, GTK_SELECTION_MODEL (self->os_selection));
  lodge_new_machine_assistant_update_os_stack (self);
}

static void
os_item_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 24);
  gtk_widget_add_css_class (icon, "lodge-os-icon");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), detail);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_list_item_set_child (item, box);
}

static void
os_item_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  LodgeOs *os = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *labels = gtk_widget_get_next_sibling (icon);
  GtkWidget *name = gtk_widget_get_first_child (labels);
  GtkWidget *detail = gtk_widget_get_next_sibling (name);
  g_autofree char *detail_text = NULL;

  gtk_image_set_from_icon_name (GTK_IMAGE (icon), lodge_ui_os_icon_name (lodge_os_get_id (os)));
  gtk_label_set_text (GTK_LABEL (name), lodge_os_get_name (os));

  if (lodge_os_get_generic (os))
    detail_text = g_strdup (_("When the exact system is not listed"));
  else if (lodge_os_get_vendor (os) != NULL && lodge_os_get_short_id (os) != NULL)
    /* TRANSLATORS: vendor · libosinfo short id, e.g. "Fedora Project · fedora37" */
    detail_text = g_strdup_printf (_("%s · %s"), lodge_os_get_vendor (os), lodge_os_get_short_id (os));
  else
    detail_text = g_strdup (lodge_os_get_short_id (os));
  gtk_label_set_text (GTK_LABEL (detail), detail_text);
}

void
lodge_new_machine_assistant_pick_os (LodgeNewMachineAssistant *self,
                                     LodgeOs                  *os)
{
  g_return_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self));
  g_return_if_fail (LODGE_IS_OS (os));

  if (is_creating (self))
    return;

  g_set_object (&self->os, os);
  /* Back from the review returns to the list it came from. */
  self->review_back_page = "os";
  lodge_new_machine_assistant_prepare_review (self);
}

void
lodge_new_machine_assistant_pick_media (LodgeNewMachineAssistant *self,
                                        LodgeMedia               *media)
{
  g_return_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self));
  g_return_if_fail (LODGE_IS_MEDIA (media));

  if (is_creating (self))
    return;

  lodge_new_machine_assistant_use_media (self, media);
}

static void
lodge_new_machine_assistant_choose_os_action (GtkWidget  *widget,
                                              const char *action_name,
                                              GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  g_clear_object (&self->media);
  g_clear_object (&self->os);
  show_source_error (self, NULL);
  lodge_new_machine_assistant_show_os_page (self,
                                            _("Choose the operating system of the new machine: Lodge "
                                              "gives it the devices and resources it works best with. "
                                              "The machine starts with an empty disk."),
                                            "source");
}

static void
lodge_new_machine_assistant_change_os_action (GtkWidget  *widget,
                                              const char *action_name,
                                              GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  lodge_new_machine_assistant_show_os_page (self,
                                            _("Choose another operating system for this machine."),
                                            "review");
}

/* Downloading an OS -------------------------------------------------------- */

/* Where downloads go: the folder the assistant scans (the user's Downloads
 * unless a test set another), else the downloader's default. */
static char *
lodge_new_machine_assistant_download_folder (LodgeNewMachineAssistant *self)
{
  if (self->downloads_dir != NULL)
    return g_strdup (self->downloads_dir);
  return lodge_downloader_get_default_folder ();
}

static gboolean
lodge_new_machine_assistant_download_filter_cb (gpointer item,
                                                gpointer user_data)
{
  LodgeNewMachineAssistant *self = user_data;

  return lodge_os_download_matches (item, self->download_search);
}

/* "Installer · Server · Fedora-Server-dvd-x86_64-37-1.7.iso", with what a
 * partial file of it holds. */
static char *
lodge_new_machine_assistant_download_detail (LodgeNewMachineAssistant *self,
                                             LodgeOsDownload          *item)
{
  GString *text = g_string_new (NULL);
  gpointer partial = NULL;
  const char *what;

  if (lodge_os_download_get_live (item) && lodge_os_download_get_installer (item))
    what = _("Live system and installer");
  else if (lodge_os_download_get_live (item))
    what = _("Live system");
  else
    what = _("Installer");
  g_string_append (text, what);
  if (lodge_os_download_get_variant (item) != NULL)
    /* TRANSLATORS: the separator between parts of a description */
    g_string_append_printf (text, _(" · %s"), lodge_os_download_get_variant (item));

  /* Before the file name, which is long and ellipsized. */
  if (self->complete != NULL &&
      g_hash_table_contains (self->complete, lodge_os_download_get_file_name (item)))
    g_string_append (text, _(" · already downloaded"));
  else if (self->partials != NULL &&
           g_hash_table_lookup_extended (self->partials, lodge_os_download_get_file_name (item),
                                         NULL, &partial))
    {
      g_autofree char *size = g_format_size (GPOINTER_TO_SIZE (partial));

      /* TRANSLATORS: %s is a size, e.g. "1.2 GB" */
      g_string_append_printf (text, _(" · %s downloaded, resumes"), size);
    }

  g_string_append_printf (text, _(" · %s"), lodge_os_download_get_file_name (item));
  return g_string_free (text, FALSE);
}

static void
download_item_bind_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       gpointer                  user_data)
{
  LodgeNewMachineAssistant *self = user_data;
  LodgeOsDownload *download = gtk_list_item_get_item (item);
  LodgeOs *os = lodge_os_download_get_os (download);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *labels = gtk_widget_get_next_sibling (icon);
  GtkWidget *name = gtk_widget_get_first_child (labels);
  GtkWidget *detail = gtk_widget_get_next_sibling (name);
  g_autofree char *detail_text = lodge_new_machine_assistant_download_detail (self, download);

  gtk_image_set_from_icon_name (GTK_IMAGE (icon), lodge_ui_os_icon_name (lodge_os_get_id (os)));
  gtk_label_set_text (GTK_LABEL (name), lodge_os_get_name (os));
  gtk_label_set_text (GTK_LABEL (detail), detail_text);
}

static void
lodge_new_machine_assistant_update_download_stack (LodgeNewMachineAssistant *self)
{
  const char *page;

  if (!self->download_listed || self->download_filter_model == NULL)
    page = "loading";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->download_filter_model)) == 0)
    page = "empty";
  else
    page = "list";

  gtk_spinner_set_spinning (self->download_os_spinner, g_str_equal (page, "loading"));
  gtk_stack_set_visible_child_name (self->download_os_stack, page);
  lodge_new_machine_assistant_update_actions (self);
}

/* The rows say what is partly or wholly downloaded: bind them again. A
 * filter change would not, as the items stay the same. */
static void
lodge_new_machine_assistant_refresh_download_rows (LodgeNewMachineAssistant *self)
{
  guint n;

  if (self->download_list == NULL)
    return;
  n = g_list_model_get_n_items (self->download_list);
  g_list_model_items_changed (self->download_list, 0, n, n);
}

typedef struct
{
  char       *folder;
  GHashTable *complete;
} PartialScan;

static void
partial_scan_free (PartialScan *scan)
{
  g_free (scan->folder);
  g_clear_pointer (&scan->complete, g_hash_table_unref);
  g_free (scan);
}

/* Worker: "<name>.part" files of the download folder, name → size; and
 * the other files (complete downloads) in scan->complete. */
static void
lodge_new_machine_assistant_scan_partials_thread (GTask        *task,
                                                  gpointer      source_object,
                                                  gpointer      task_data,
                                                  GCancellable *cancellable)
{
  PartialScan *scan = task_data;
  g_autoptr(GHashTable) partials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open (scan->folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (scan->folder, name, NULL);
      g_autofree char *destination = NULL;
      GStatBuf st;

      if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size <= 0)
        continue;
      switch (lodge_downloader_classify_file (scan->folder, name, &destination))
        {
        case LODGE_DOWNLOAD_FILE_RESUMABLE:
          g_hash_table_insert (partials, g_steal_pointer (&destination),
                               GSIZE_TO_POINTER ((gsize) st.st_size));
          break;
        case LODGE_DOWNLOAD_FILE_OTHER:
          g_hash_table_add (scan->complete, g_strdup (name));
          break;
        case LODGE_DOWNLOAD_FILE_PARTIAL:
        case LODGE_DOWNLOAD_FILE_BOOKKEEPING:
        default:
          break;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&partials), (GDestroyNotify) g_hash_table_unref);
}

static void
lodge_new_machine_assistant_scan_partials_cb (GObject      *object,
                                              GAsyncResult *result,
                                              gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  GHashTable *partials = g_task_propagate_pointer (G_TASK (result), NULL);
  PartialScan *scan = g_task_get_task_data (G_TASK (result));

  if (is_disposed (self) || partials == NULL)
    {
      g_clear_pointer (&partials, g_hash_table_unref);
      return;
    }

  g_clear_pointer (&self->partials, g_hash_table_unref);
  self->partials = partials;
  g_clear_pointer (&self->complete, g_hash_table_unref);
  self->complete = g_steal_pointer (&scan->complete);
  self->n_partial_scans++;
  lodge_new_machine_assistant_refresh_download_rows (self);
}

static void
lodge_new_machine_assistant_scan_partials (LodgeNewMachineAssistant *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable,
                                      lodge_new_machine_assistant_scan_partials_cb, g_object_ref (self));
  PartialScan *scan = g_new0 (PartialScan, 1);

  scan->folder = lodge_new_machine_assistant_download_folder (self);
  scan->complete = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_task_data (task, scan, (GDestroyNotify) partial_scan_free);
  g_task_run_in_thread (task, lodge_new_machine_assistant_scan_partials_thread);
}

static void
lodge_new_machine_assistant_download_selection_notify_cb (LodgeNewMachineAssistant *self,
                                                          GParamSpec               *pspec,
                                                          GtkSingleSelection       *selection)
{
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_download_list_cb (GObject      *object,
                                              GAsyncResult *result,
                                              gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = lodge_os_download_list_new_finish (result, &error);
  g_autoptr(GPtrArray) items = NULL;

  if (is_disposed (self))
    return;
  self->download_listed = TRUE;
  if (list == NULL)
    {
      g_warning ("Could not list the media to download: %s", error->message);
      lodge_new_machine_assistant_update_download_stack (self);
      return;
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    g_ptr_array_add (items, g_list_model_get_item (list, i));
  g_list_store_splice (G_LIST_STORE (self->download_list), 0, 0, items->pdata, items->len);
  lodge_new_machine_assistant_update_download_stack (self);
}

/* The models exist from the first need; the items come from a worker
 * thread once the database is loaded. */
static void
lodge_new_machine_assistant_ensure_download_list (LodgeNewMachineAssistant *self)
{
  if (self->download_selection == NULL)
    {
      self->download_list = G_LIST_MODEL (g_list_store_new (LODGE_TYPE_OS_DOWNLOAD));
      self->download_filter_model = gtk_filter_list_model_new (g_object_ref (self->download_list),
                                                               g_object_ref (GTK_FILTER (self->download_filter)));
      self->download_selection =
        gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->download_filter_model)));
      g_signal_connect_object (self->download_selection, "notify::selected",
                               G_CALLBACK (lodge_new_machine_assistant_download_selection_notify_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->download_filter_model, "items-changed",
                               G_CALLBACK (lodge_new_machine_assistant_update_download_stack),
                               self, G_CONNECT_SWAPPED);
      gtk_list_view_set_model (self->download_list_view, GTK_SELECTION_MODEL (self->download_selection));
    }

  if (!lodge_os_database_get_loaded (self->db))
    lodge_os_database_load_async (self->db, NULL, lodge_new_machine_assistant_db_load_cb, NULL);
  else if (!self->download_listing)
    {
      self->download_listing = TRUE;
      lodge_os_download_list_new_async (self->db, self->cancellable,
                                        lodge_new_machine_assistant_download_list_cb, g_object_ref (self));
    }
  lodge_new_machine_assistant_update_download_stack (self);
}

static void
lodge_new_machine_assistant_download_search_entry_search_changed_cb (LodgeNewMachineAssistant *self,
                                                                     GtkSearchEntry           *entry)
{
  g_free (self->download_search);
  self->download_search = g_strstrip (g_utf8_strdown (gtk_editable_get_text (GTK_EDITABLE (entry)), -1));
  if (self->download_filter_model == NULL)
    return;

  gtk_filter_changed (GTK_FILTER (self->download_filter), GTK_FILTER_CHANGE_DIFFERENT);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->download_filter_model)) > 0)
    {
      gtk_single_selection_set_selected (self->download_selection, 0);
      gtk_widget_activate_action (GTK_WIDGET (self->download_list_view), "list.scroll-to-item", "u", 0);
    }
  lodge_new_machine_assistant_update_download_stack (self);
}

static void
lodge_new_machine_assistant_download_search_entry_activate_cb (LodgeNewMachineAssistant *self,
                                                               GtkSearchEntry           *entry)
{
  if (action_is_enabled (self, "assistant.next"))
    gtk_widget_activate_action (GTK_WIDGET (self), "assistant.next", NULL);
}

static void
lodge_new_machine_assistant_download_list_view_activate_cb (LodgeNewMachineAssistant *self,
                                                            guint                     position,
                                                            GtkListView              *view)
{
  g_autoptr(LodgeOsDownload) item = g_list_model_get_item (G_LIST_MODEL (self->download_filter_model),
                                                           position);

  if (item != NULL)
    lodge_new_machine_assistant_pick_download (self, item);
}

static void
show_download_note (LodgeNewMachineAssistant *self,
                    const char               *message)
{
  gtk_label_set_text (self->download_note_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->download_note_revealer, message != NULL);
}

static void
lodge_new_machine_assistant_show_download_list (LodgeNewMachineAssistant *self)
{
  lodge_new_machine_assistant_ensure_download_list (self);
  if (!self->partials_scanned)
    {
      self->partials_scanned = TRUE;
      lodge_new_machine_assistant_scan_partials (self);
    }
  go_to_page (self, "download-os");
  gtk_widget_grab_focus (GTK_WIDGET (self->download_search_entry));
}

static void
lodge_new_machine_assistant_choose_download_action (GtkWidget  *widget,
                                                    const char *action_name,
                                                    GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  show_source_error (self, NULL);
  show_download_note (self, NULL);
  lodge_new_machine_assistant_show_download_list (self);
}

/* "about 3 minutes left" */
static char *
format_time_left (double seconds)
{
  guint s = (guint) (seconds + 0.5);

  if (s < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second left", "%u seconds left", s), s);
  if (s < 3600)
    {
      guint m = (s + 30) / 60;

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %u minute left",
                                           "about %u minutes left", m), m);
    }
  else
    {
      guint h = s / 3600;
      guint m = (s % 3600 + 30) / 60;

      /* TRANSLATORS: hours and minutes, e.g. "about 2 h 5 min left" */
      return g_strdup_printf (_("about %u h %u min left"), h, m);
    }
}

static void
lodge_new_machine_assistant_downloader_progress_cb (LodgeNewMachineAssistant *self,
                                                    guint64                   received,
                                                    guint64                   total,
                                                    double                    rate,
                                                    LodgeDownloader          *downloader)
{
  g_autofree char *got = g_format_size (received);
  g_autofree char *bytes_text = NULL;
  g_autofree char *rate_text = NULL;
  guint64 resumed = lodge_downloader_get_resumed_from (downloader);

  if (total > 0)
    {
      g_autofree char *all = g_format_size (total);

      gtk_progress_bar_set_fraction (self->download_progress_bar, (double) received / (double) total);
      /* TRANSLATORS: sizes, e.g. "1.2 GB of 3.9 GB" */
      bytes_text = g_strdup_printf (_("%s of %s"), got, all);
    }
  else
    {
      gtk_progress_bar_pulse (self->download_progress_bar);
      bytes_text = g_strdup (got);
    }
  gtk_label_set_text (self->download_bytes_label, bytes_text);

  if (rate > 0)
    {
      g_autofree char *speed = g_format_size ((guint64) rate);

      if (total > received)
        {
          g_autofree char *left = format_time_left ((double) (total - received) / rate);

          /* TRANSLATORS: a speed ("4.5 MB") and the time left ("about 3 minutes left") */
          rate_text = g_strdup_printf (_("%s/s · %s"), speed, left);
        }
      else
        /* TRANSLATORS: a speed, e.g. "4.5 MB/s" */
        rate_text = g_strdup_printf (_("%s/s"), speed);
    }
  else if (resumed > 0)
    {
      g_autofree char *from = g_format_size (resumed);

      /* TRANSLATORS: %s is a size, e.g. "1.2 GB" */
      rate_text = g_strdup_printf (_("Resuming after %s already downloaded"), from);
    }
  gtk_label_set_text (self->download_rate_label, rate_text != NULL ? rate_text : "");
}

static void
lodge_new_machine_assistant_download_cb (GObject      *object,
                                         GAsyncResult *result,
                                         gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  LodgeDownloader *downloader = LODGE_DOWNLOADER (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = lodge_downloader_run_finish (downloader, result, &error);
  g_autofree char *partial_name = g_path_get_basename (lodge_downloader_get_destination (downloader));

  if (is_disposed (self) || downloader != self->downloader)
    return;

  g_clear_object (&self->download_cancellable);

  if (path != NULL)
    {
      if (self->partials != NULL)
        g_hash_table_remove (self->partials, partial_name);
      if (self->complete != NULL)
        g_hash_table_add (self->complete, g_steal_pointer (&partial_name));
      self->download_failed = FALSE;
      /* On as if the user had chosen the file. */
      lodge_new_machine_assistant_open_path (self, path);
      return;
    }

  /* What was received is kept; the list says so when the next run can
   * resume it, which only the folder tells. */
  if (lodge_downloader_get_received (downloader) > 0)
    lodge_new_machine_assistant_scan_partials (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *note = NULL;

      if (lodge_downloader_get_received (downloader) > 0)
        note = g_strdup_printf (_("The download of %s was cancelled. What was downloaded is kept: "
                                  "choose it again to resume."),
                                lodge_os_get_name (lodge_os_download_get_os (self->download_item)));
      else
        note = g_strdup_printf (_("The download of %s was cancelled."),
                                lodge_os_get_name (lodge_os_download_get_os (self->download_item)));
      show_download_note (self, note);
      lodge_new_machine_assistant_refresh_download_rows (self);
      lodge_new_machine_assistant_show_download_list (self);
      return;
    }

  self->download_failed = TRUE;
  /* What is kept, if anything, and no stale "Connecting…". */
  gtk_widget_set_visible (GTK_WIDGET (self->download_progress_bar),
                          lodge_downloader_get_received (downloader) > 0);
  if (lodge_downloader_get_received (downloader) > 0)
    {
      g_autofree char *kept = g_format_size (lodge_downloader_get_received (downloader));
      g_autofree char *text = g_strdup_printf (_("%s kept"), kept);

      gtk_label_set_text (self->download_bytes_label, text);
    }
  else
    gtk_label_set_text (self->download_bytes_label, "");
  gtk_label_set_text (self->download_rate_label, "");
  adw_status_page_set_title (self->download_page, _("Download Failed"));
  adw_status_page_set_icon_name (self->download_page, "dialog-error-symbolic");
  gtk_label_set_text (self->download_error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->download_error_label), TRUE);
  gtk_widget_set_visible (self->download_cancel_button, FALSE);
  gtk_widget_set_visible (self->download_retry_button, TRUE);
  gtk_widget_grab_focus (self->download_retry_button);
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_run_download (LodgeNewMachineAssistant *self)
{
  LodgeOs *os = lodge_os_download_get_os (self->download_item);
  g_autofree char *folder = lodge_new_machine_assistant_download_folder (self);
  g_autofree char *destination = g_build_filename (folder, lodge_os_download_get_file_name (self->download_item),
                                                   NULL);
  g_autoptr(GUri) uri = g_uri_parse (lodge_os_download_get_url (self->download_item), G_URI_FLAGS_NONE, NULL);
  g_autofree char *title = g_strdup_printf (_("Downloading %s"), lodge_os_get_name (os));
  g_autofree char *description = NULL;

  if (self->downloader != NULL)
    g_signal_handlers_disconnect_by_data (self->downloader, self);
  g_clear_object (&self->downloader);
  g_cancellable_cancel (self->download_cancellable);
  g_clear_object (&self->download_cancellable);

  self->downloader = lodge_downloader_new (lodge_os_download_get_url (self->download_item), destination);
  self->download_cancellable = g_cancellable_new ();
  self->download_failed = FALSE;
  g_signal_connect_object (self->downloader, "progress",
                           G_CALLBACK (lodge_new_machine_assistant_downloader_progress_cb),
                           self, G_CONNECT_SWAPPED);

  /* TRANSLATORS: a file name and the server it comes from */
  description = g_strdup_printf (_("%s from %s"), lodge_os_download_get_file_name (self->download_item),
                                 uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "?");
  adw_status_page_set_title (self->download_page, title);
  adw_status_page_set_description (self->download_page, description);
  adw_status_page_set_icon_name (self->download_page, "folder-download-symbolic");
  gtk_progress_bar_set_fraction (self->download_progress_bar, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->download_progress_bar), TRUE);
  gtk_label_set_text (self->download_bytes_label, _("Connecting…"));
  gtk_label_set_text (self->download_rate_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->download_error_label), FALSE);
  gtk_widget_set_visible (self->download_cancel_button, TRUE);
  gtk_widget_set_visible (self->download_retry_button, FALSE);
  show_download_note (self, NULL);
  go_to_page (self, "download");
  gtk_widget_grab_focus (self->download_cancel_button);

  lodge_downloader_run_async (self->downloader, self->download_cancellable,
                              lodge_new_machine_assistant_download_cb, g_object_ref (self));
  lodge_new_machine_assistant_update_actions (self);
}

void
lodge_new_machine_assistant_pick_download (LodgeNewMachineAssistant *self,
                                           LodgeOsDownload          *item)
{
  g_return_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self));
  g_return_if_fail (LODGE_IS_OS_DOWNLOAD (item));

  if (is_creating (self) || self->download_cancellable != NULL)
    return;

  g_set_object (&self->download_item, item);

  /* Downloaded before: used as it is, as if chosen. */
  if (self->complete != NULL &&
      g_hash_table_contains (self->complete, lodge_os_download_get_file_name (item)))
    {
      g_autofree char *folder = lodge_new_machine_assistant_download_folder (self);
      g_autofree char *path = g_build_filename (folder, lodge_os_download_get_file_name (item), NULL);

      lodge_new_machine_assistant_open_path (self, path);
      return;
    }

  lodge_new_machine_assistant_run_download (self);
}

void
lodge_new_machine_assistant_start_download (LodgeNewMachineAssistant *self,
                                            LodgeOs                  *os,
                                            const char               *url)
{
  g_autoptr(LodgeOsDownload) item = NULL;

  g_return_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self));
  g_return_if_fail (LODGE_IS_OS (os));
  g_return_if_fail (url != NULL);

  item = lodge_os_download_new (os, url, NULL, FALSE, TRUE);
  lodge_new_machine_assistant_pick_download (self, item);
}

static void
lodge_new_machine_assistant_cancel_download_action (GtkWidget  *widget,
                                                    const char *action_name,
                                                    GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  /* The downloader keeps the partial file and reports the cancel. */
  g_cancellable_cancel (self->download_cancellable);
  gtk_label_set_text (self->download_rate_label, _("Cancelling…"));
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_retry_download_action (GtkWidget  *widget,
                                                   const char *action_name,
                                                   GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  if (self->download_item != NULL && self->download_cancellable == NULL)
    lodge_new_machine_assistant_run_download (self);
}

/* Review ------------------------------------------------------------------ */

static gboolean
bytes_to_mib (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_double (to, (double) (g_value_get_uint64 (from) / MiB));
  return TRUE;
}

static gboolean
mib_to_bytes (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_uint64 (to, (guint64) (g_value_get_double (from) + 0.5) * MiB);
  return TRUE;
}

static gboolean
bytes_to_gib (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_double (to, (double) g_value_get_uint64 (from) / (double) GiB);
  return TRUE;
}

static gboolean
gib_to_bytes (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_uint64 (to, (guint64) (g_value_get_double (from) + 0.5) * GiB);
  return TRUE;
}

static gboolean
uint_to_double (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  g_value_set_double (to, g_value_get_uint (from));
  return TRUE;
}

static gboolean
double_to_uint (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  g_value_set_uint (to, (guint) (g_value_get_double (from) + 0.5));
  return TRUE;
}

static gboolean
firmware_to_selected (GBinding     *binding,
                      const GValue *from,
                      GValue       *to,
                      gpointer      user_data)
{
  g_value_set_uint (to, g_value_get_enum (from) == LODGE_SPEC_FIRMWARE_UEFI ? 1 : 0);
  return TRUE;
}

static gboolean
selected_to_firmware (GBinding     *binding,
                      const GValue *from,
                      GValue       *to,
                      gpointer      user_data)
{
  g_value_set_enum (to, g_value_get_uint (from) == 1 ? LODGE_SPEC_FIRMWARE_UEFI
                                                     : LODGE_SPEC_FIRMWARE_BIOS);
  return TRUE;
}

static void
lodge_new_machine_assistant_update_warnings (LodgeNewMachineAssistant *self)
{
  g_auto(GStrv) warnings = NULL;
  const char *accel_reason = NULL;
  gboolean emulated;
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->warnings_box))) != NULL)
    gtk_box_remove (self->warnings_box, child);

  if (self->host == NULL)
    return;

  emulated = lodge_machine_spec_get_acceleration (self->spec) == LODGE_ACCELERATION_QEMU;
  if (emulated)
    {
      /* The same sentences as lodge_machine_spec_get_warnings(), which lists it too. */
      accel_reason = lodge_acceleration_reason_to_string (self->host->acceleration_reason);
      if (accel_reason == NULL)
        accel_reason = _("The machine will be emulated in software and will be slow.");
      adw_action_row_set_subtitle (self->accel_row, accel_reason);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->accel_row), emulated);

  warnings = lodge_machine_spec_get_warnings (self->spec, self->host);
  for (guint i = 0; warnings[i] != NULL; i++)
    {
      GtkWidget *box;
      GtkWidget *icon;
      GtkWidget *label;

      /* The emulation notice has its own row. */
      if (emulated && g_str_equal (warnings[i], accel_reason))
        continue;

      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      gtk_widget_set_valign (icon, GTK_ALIGN_START);
      gtk_widget_add_css_class (icon, "warning");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Warning"), -1);
      label = gtk_label_new (warnings[i]);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (label, "warning");
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (self->warnings_box, box);
      shown++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->warnings_box), shown > 0);
  gtk_widget_set_visible (self->notices_group, emulated || shown > 0);
}

static void
lodge_new_machine_assistant_spec_notify_cb (LodgeNewMachineAssistant *self,
                                            GParamSpec               *pspec,
                                            LodgeMachineSpec         *spec)
{
  if (g_str_equal (pspec->name, "firmware"))
    {
      gboolean uefi = lodge_machine_spec_get_firmware (spec) == LODGE_SPEC_FIRMWARE_UEFI;

      /* Secure Boot exists only with UEFI; the OS decides whether it wants it. */
      lodge_machine_spec_set_secure_boot (spec, uefi && self->os != NULL &&
                                                lodge_os_needs_secure_boot (self->os));
    }

  lodge_new_machine_assistant_update_warnings (self);
}

static void
lodge_new_machine_assistant_check_name_cb (GObject      *object,
                                           GAsyncResult *result,
                                           gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = lodge_machine_creator_check_name_finish (result, &error);

  if (is_disposed (self) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->name_cancellable);
  self->name_checking = FALSE;
  self->name_valid = ok;
  show_name_error (self, ok ? NULL : error->message);
  lodge_new_machine_assistant_update_actions (self);
}

static gboolean
lodge_new_machine_assistant_check_name_timeout_cb (gpointer user_data)
{
  LodgeNewMachineAssistant *self = user_data;

  self->name_check_source = 0;
  g_cancellable_cancel (self->name_cancellable);
  g_clear_object (&self->name_cancellable);
  self->name_cancellable = g_cancellable_new ();

  lodge_machine_creator_check_name_async (self->connection,
                                          gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
                                          self->name_cancellable,
                                          lodge_new_machine_assistant_check_name_cb,
                                          g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
lodge_new_machine_assistant_name_row_changed_cb (LodgeNewMachineAssistant *self,
                                                 GtkEditable              *editable)
{
  const char *text = gtk_editable_get_text (editable);

  lodge_machine_spec_set_name (self->spec, text);
  if (gtk_widget_get_visible (GTK_WIDGET (self->express_row)) &&
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->express_host_row)), "") == 0)
    gtk_editable_set_text (GTK_EDITABLE (self->express_host_row), text);

  schedule_name_check (self);
}

static void
schedule_name_check (LodgeNewMachineAssistant *self)
{
  self->name_checking = TRUE;
  self->name_valid = FALSE;
  g_cancellable_cancel (self->name_cancellable);
  g_clear_handle_id (&self->name_check_source, g_source_remove);
  self->name_check_source = g_timeout_add (NAME_CHECK_DELAY_MS,
                                           lodge_new_machine_assistant_check_name_timeout_cb,
                                           self);
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_name_row_entry_activated_cb (LodgeNewMachineAssistant *self,
                                                         AdwEntryRow              *row)
{
  if (action_is_enabled (self, "assistant.create"))
    gtk_widget_activate_action (GTK_WIDGET (self), "assistant.create", NULL);
}

/* A throwaway machine is never installed, and an imported disk is kept:
 * the creator refuses both, so the switch is off for them. */
static void
lodge_new_machine_assistant_update_throwaway (LodgeNewMachineAssistant *self)
{
  gboolean import = self->media != NULL &&
                    lodge_media_get_kind (self->media) == LODGE_MEDIA_KIND_DISK_IMAGE;
  gboolean express = gtk_widget_get_visible (GTK_WIDGET (self->express_row)) &&
                     adw_expander_row_get_enable_expansion (self->express_row);

  if (import || express)
    lodge_machine_spec_set_throwaway (self->spec, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->throwaway_row), !import && !express);
}

static void
lodge_new_machine_assistant_express_changed_cb (LodgeNewMachineAssistant *self)
{
  lodge_new_machine_assistant_update_throwaway (self);
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_suggest_name_cb (GObject      *object,
                                             GAsyncResult *result,
                                             gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = lodge_machine_creator_suggest_name_finish (result, &error);

  if (is_disposed (self) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (name == NULL)
    {
      /* The connection went away: the user may still type a name. */
      g_debug ("No name suggestion: %s", error->message);
      name = g_strdup (self->suggested_name);
    }

  /* Only when the user did not type a name meanwhile. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), "") == 0 ||
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), self->suggested_name) == 0)
    {
      g_free (self->suggested_name);
      self->suggested_name = g_strdup (name);
      /* The same text emits no "changed": check it all the same. */
      if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), name) == 0)
        schedule_name_check (self);
      else
        gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
    }
  else
    schedule_name_check (self);
}

/* A name from what the user chose: the OS's short id, else the file name. */
static char *
lodge_new_machine_assistant_base_name (LodgeNewMachineAssistant *self)
{
  g_autofree char *basename = NULL;
  char *dot;

  if (self->os != NULL && !lodge_os_get_generic (self->os) && lodge_os_get_short_id (self->os) != NULL)
    return g_strdup (lodge_os_get_short_id (self->os));
  if (self->media == NULL)
    return g_strdup (_("machine"));

  basename = g_filename_display_basename (lodge_media_get_path (self->media));
  dot = strrchr (basename, '.');
  if (dot != NULL && dot != basename)
    *dot = '\0';
  return g_steal_pointer (&basename);
}

static void
lodge_new_machine_assistant_set_bounds (LodgeNewMachineAssistant *self)
{
  /* The creator refuses more than the host has (a machine bigger than
   * its host only swaps or fails); the host is the bound. */
  double memory_mib = self->host->memory > 0 ? (double) (self->host->memory / MiB) : 1048576.0;
  double cpus = self->host->cpus > 0 ? self->host->cpus : 64;

  gtk_adjustment_set_upper (self->memory_adjustment, MAX (memory_mib, 512));
  gtk_adjustment_set_upper (self->vcpus_adjustment, MAX (cpus, 1));
}

static void
lodge_new_machine_assistant_prepare_review (LodgeNewMachineAssistant *self)
{
  LodgeMediaKind kind = self->media ? lodge_media_get_kind (self->media) : LODGE_MEDIA_KIND_UNKNOWN;
  g_autofree char *base = NULL;
  g_autofree char *path_text = NULL;
  const char *kind_text;
  gboolean express;

  if (self->host == NULL)
    {
      /* Rare: the host is read once the window is on screen. */
      lodge_new_machine_assistant_ensure_host (self);
      self->review_pending = TRUE;
      adw_status_page_set_title (self->identify_page, _("Reading the Host…"));
      adw_status_page_set_description (self->identify_page, NULL);
      gtk_spinner_set_spinning (self->identify_spinner, TRUE);
      go_to_page (self, "identify");
      return;
    }
  gtk_spinner_set_spinning (self->identify_spinner, FALSE);

  lodge_new_machine_assistant_set_bounds (self);

  g_object_freeze_notify (G_OBJECT (self->spec));
  lodge_machine_spec_set_title (self->spec, NULL);
  lodge_machine_spec_set_cdrom_path (self->spec, NULL);
  lodge_machine_spec_set_import_path (self->spec, NULL);
  lodge_machine_spec_set_express_script (self->spec, NULL);
  lodge_machine_spec_apply_os (self->spec, self->os, self->host);
  /* What people see is the name they chose: no separate title. */
  lodge_machine_spec_set_title (self->spec, NULL);
  if (kind == LODGE_MEDIA_KIND_ISO)
    lodge_machine_spec_set_cdrom_path (self->spec, lodge_media_get_path (self->media));
  else if (kind == LODGE_MEDIA_KIND_DISK_IMAGE)
    {
      lodge_machine_spec_set_import_path (self->spec, lodge_media_get_path (self->media));
      lodge_machine_spec_set_import_format (self->spec, lodge_media_get_disk_format (self->media));
      lodge_machine_spec_set_disk_size (self->spec, lodge_media_get_virtual_size (self->media));
      /* An imported disk is kept: the creator refuses a throwaway import. */
      lodge_machine_spec_set_throwaway (self->spec, FALSE);
    }
  lodge_machine_spec_set_name (self->spec, gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  g_object_thaw_notify (G_OBJECT (self->spec));

  /* What was identified. */
  gtk_image_set_from_icon_name (self->review_icon,
                                kind == LODGE_MEDIA_KIND_DISK_IMAGE && self->os == NULL
                                  ? "drive-harddisk-symbolic"
                                  : lodge_ui_os_icon_name (self->os ? lodge_os_get_id (self->os) : NULL));
  gtk_label_set_text (self->review_os_label,
                      self->os != NULL ? lodge_os_get_name (self->os) : _("Unknown Operating System"));

  if (kind == LODGE_MEDIA_KIND_DISK_IMAGE)
    kind_text = _("A disk image, copied into a new disk of the machine");
  else if (kind == LODGE_MEDIA_KIND_ISO && lodge_media_get_live (self->media) &&
           lodge_media_get_installer (self->media))
    kind_text = _("Live system and installer");
  else if (kind == LODGE_MEDIA_KIND_ISO && lodge_media_get_live (self->media))
    kind_text = _("Live system");
  else if (kind == LODGE_MEDIA_KIND_ISO && lodge_media_get_os (self->media) != NULL)
    kind_text = _("Installer");
  else if (kind == LODGE_MEDIA_KIND_ISO)
    kind_text = _("Installation medium, not recognized");
  else
    kind_text = _("An empty disk: attach installation media later");
  gtk_label_set_text (self->review_kind_label, kind_text);

  if (self->media != NULL)
    path_text = g_filename_display_name (lodge_media_get_path (self->media));
  gtk_label_set_text (self->review_path_label, path_text ? path_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->review_path_label), path_text != NULL);

  /* Disk: a new one of a chosen size, or the imported image's. */
  gtk_widget_set_visible (GTK_WIDGET (self->disk_row), kind != LODGE_MEDIA_KIND_DISK_IMAGE);
  gtk_widget_set_visible (GTK_WIDGET (self->import_row), kind == LODGE_MEDIA_KIND_DISK_IMAGE);
  if (kind == LODGE_MEDIA_KIND_DISK_IMAGE)
    {
      LodgeDiskFormat format = lodge_media_get_disk_format (self->media);
      g_autofree char *size = g_format_size_full (lodge_media_get_virtual_size (self->media),
                                                  G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *subtitle = NULL;

      if (format == LODGE_DISK_FORMAT_VMDK || format == LODGE_DISK_FORMAT_VDI)
        /* TRANSLATORS: %s are a format (vmdk) and a size (20 GiB) */
        subtitle = g_strdup_printf (_("Converted from %s to qcow2 · %s"),
                                    lodge_disk_format_to_string (format), size);
      else
        /* TRANSLATORS: %s are a format (qcow2) and a size (20 GiB) */
        subtitle = g_strdup_printf (_("Copied from %s · %s"), lodge_disk_format_to_string (format), size);
      adw_action_row_set_subtitle (self->import_row, subtitle);
    }

  /* Express install: installers whose OS has a script Lodge can hand over. */
  express = kind == LODGE_MEDIA_KIND_ISO && self->os != NULL &&
            lodge_media_get_installer (self->media) &&
            lodge_media_get_takes_install_script (self->media) &&
            lodge_express_is_supported (self->os);
  gtk_widget_set_visible (GTK_WIDGET (self->express_row), express);
  if (express)
    {
      LodgeExpressInjection methods = lodge_express_get_injection_methods (self->os, NULL);

      /* A preseed in the initrd drives a network installer (Debian's and
       * Ubuntu's fetch their packages while they install). */
      adw_expander_row_set_subtitle (self->express_row,
                                     lodge_express_choose_injection (methods) == LODGE_EXPRESS_INJECTION_INITRD
                                     ? _("Install without questions, with this account. The installer "
                                         "downloads packages: the machine needs a network connection")
                                     : _("Install without questions, with this account"));
    }
  if (express && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->express_user_row)), "") == 0)
    {
      g_autoptr(LodgeExpressSettings) settings = lodge_express_settings_new_from_host ();

      if (settings->user_login != NULL && g_strcmp0 (settings->user_login, "root") != 0)
        gtk_editable_set_text (GTK_EDITABLE (self->express_user_row), settings->user_login);
    }

  lodge_new_machine_assistant_update_throwaway (self);
  show_review_message (self, NULL, FALSE);
  lodge_new_machine_assistant_update_warnings (self);

  /* A free name; the check of the name follows from the entry's change. */
  base = lodge_new_machine_assistant_base_name (self);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), "") == 0 ||
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), self->suggested_name) == 0)
    {
      g_free (self->suggested_name);
      self->suggested_name = g_strdup (base);
      self->name_checking = TRUE;
      lodge_machine_creator_suggest_name_async (self->connection, base, self->cancellable,
                                                lodge_new_machine_assistant_suggest_name_cb,
                                                g_object_ref (self));
    }

  go_to_page (self, "review");
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

/* Creation ---------------------------------------------------------------- */

static void
lodge_new_machine_assistant_finish_created (LodgeNewMachineAssistant *self)
{
  g_autofree char *uuid = g_steal_pointer (&self->created_uuid);

  g_clear_handle_id (&self->created_timeout, g_source_remove);
  g_clear_signal_handler (&self->machines_changed_id,
                          lodge_connection_get_machines (self->connection));

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_CREATED], 0, uuid);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

static gboolean
lodge_new_machine_assistant_created_timeout_cb (gpointer user_data)
{
  LodgeNewMachineAssistant *self = user_data;

  self->created_timeout = 0;
  lodge_new_machine_assistant_finish_created (self);
  return G_SOURCE_REMOVE;
}

static void
lodge_new_machine_assistant_machines_changed_cb (LodgeNewMachineAssistant *self,
                                                 guint                     position,
                                                 guint                     removed,
                                                 guint                     added,
                                                 GListModel               *machines)
{
  if (self->created_uuid != NULL &&
      lodge_machine_list_lookup_uuid (LODGE_MACHINE_LIST (machines), self->created_uuid) != NULL)
    lodge_new_machine_assistant_finish_created (self);
}

static void
lodge_new_machine_assistant_creator_notify_cb (LodgeNewMachineAssistant *self,
                                               GParamSpec               *pspec,
                                               LodgeMachineCreator      *creator)
{
  LodgeCreateStage stage = lodge_machine_creator_get_stage (creator);

  gtk_progress_bar_set_fraction (self->progress_bar, lodge_machine_creator_get_progress (creator));
  gtk_label_set_text (self->stage_label, lodge_create_stage_to_string (stage));
}

static void
lodge_new_machine_assistant_creation_failed (LodgeNewMachineAssistant *self,
                                             const GError             *error)
{
  g_clear_object (&self->create_cancellable);

  if (self->close_after_cancel)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_review_message (self, _("Creation was cancelled. Nothing was kept."), FALSE);
  else
    {
      g_autofree char *text = g_strdup_printf (_("The machine could not be created: %s"), error->message);

      show_review_message (self, text, TRUE);
      if (g_error_matches (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NAME_TAKEN) ||
          g_error_matches (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME))
        {
          self->name_valid = FALSE;
          show_name_error (self, error->message);
        }
    }

  go_to_page (self, "review");
}

static void
lodge_new_machine_assistant_run_cb (GObject      *object,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  g_autoptr(LodgeMachineCreator) creator = g_steal_pointer (&self->creator);
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = lodge_machine_creator_run_finish (LODGE_MACHINE_CREATOR (object), result, &error);
  LodgeMachineList *machines;

  if (creator != NULL)
    g_signal_handlers_disconnect_by_data (creator, self);
  if (is_disposed (self))
    return;

  if (uuid == NULL)
    {
      lodge_new_machine_assistant_creation_failed (self, error);
      lodge_new_machine_assistant_update_actions (self);
      return;
    }

  g_clear_object (&self->create_cancellable);
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_label_set_text (self->stage_label, _("Opening the machine…"));

  /* The window opens the machine: wait until the connection knows it. */
  self->created_uuid = g_steal_pointer (&uuid);
  machines = lodge_connection_get_machines (self->connection);
  if (lodge_machine_list_lookup_uuid (machines, self->created_uuid) != NULL)
    {
      lodge_new_machine_assistant_finish_created (self);
      return;
    }
  self->machines_changed_id =
    g_signal_connect_swapped (machines, "items-changed",
                              G_CALLBACK (lodge_new_machine_assistant_machines_changed_cb), self);
  self->created_timeout = g_timeout_add_seconds (CREATED_WAIT_S,
                                                 lodge_new_machine_assistant_created_timeout_cb, self);
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_start_creator (LodgeNewMachineAssistant *self)
{
  g_assert (self->creator == NULL);

  self->creator = lodge_machine_creator_new (self->connection, self->spec);
  g_signal_connect_swapped (self->creator, "notify::stage",
                            G_CALLBACK (lodge_new_machine_assistant_creator_notify_cb), self);
  g_signal_connect_swapped (self->creator, "notify::progress",
                            G_CALLBACK (lodge_new_machine_assistant_creator_notify_cb), self);
  lodge_machine_creator_run_async (self->creator, self->create_cancellable,
                                   lodge_new_machine_assistant_run_cb, g_object_ref (self));
  lodge_new_machine_assistant_update_actions (self);
}

static void
lodge_new_machine_assistant_express_cb (GObject      *object,
                                        GAsyncResult *result,
                                        gpointer      user_data)
{
  g_autoptr(LodgeNewMachineAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeExpressScript) script = lodge_express_generate_finish (result, &error);

  self->generating_script = FALSE;
  if (is_disposed (self))
    return;
  if (script == NULL)
    {
      lodge_new_machine_assistant_creation_failed (self, error);
      lodge_new_machine_assistant_update_actions (self);
      return;
    }

  lodge_machine_spec_set_express_script (self->spec, script);
  lodge_new_machine_assistant_start_creator (self);
}

static void
lodge_new_machine_assistant_create_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  if (!action_is_enabled (self, "assistant.create"))
    return;

  show_review_message (self, NULL, FALSE);
  self->close_after_cancel = FALSE;
  g_clear_object (&self->create_cancellable);
  self->create_cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  lodge_machine_spec_set_express_script (self->spec, NULL);

  if (gtk_widget_get_visible (GTK_WIDGET (self->express_row)) &&
      adw_expander_row_get_enable_expansion (self->express_row))
    {
      g_autoptr(LodgeExpressSettings) settings = lodge_express_settings_new_from_host ();
      LodgeDiskBus bus;

      g_free (settings->user_login);
      settings->user_login = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->express_user_row)));
      g_free (settings->user_password);
      settings->user_password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->express_password_row)));
      g_free (settings->hostname);
      settings->hostname = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->express_host_row)));
      g_object_get (self->spec, "disk-bus", &bus, NULL);

      self->generating_script = TRUE;
      gtk_label_set_text (self->stage_label, _("Preparing the unattended installation…"));
      go_to_page (self, "progress");
      lodge_express_generate_async (self->os, settings, bus, NULL, self->create_cancellable,
                                    lodge_new_machine_assistant_express_cb, g_object_ref (self));
      return;
    }

  gtk_label_set_text (self->stage_label, lodge_create_stage_to_string (LODGE_CREATE_STAGE_CHECKING));
  go_to_page (self, "progress");
  lodge_new_machine_assistant_start_creator (self);
}

static void
lodge_new_machine_assistant_cancel_create_action (GtkWidget  *widget,
                                                  const char *action_name,
                                                  GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  /* The creator removes what it made, then reports the cancel. */
  g_cancellable_cancel (self->create_cancellable);
  gtk_label_set_text (self->stage_label, _("Cancelling…"));
  lodge_new_machine_assistant_update_actions (self);
}

/* Navigation -------------------------------------------------------------- */

static void
lodge_new_machine_assistant_back_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  if (is_page (self, "identify"))
    {
      g_cancellable_cancel (self->identify_cancellable);
      g_clear_object (&self->identify_cancellable);
      self->review_pending = FALSE;
      gtk_spinner_set_spinning (self->identify_spinner, FALSE);
      go_to_page (self, "source");
    }
  else if (is_page (self, "os"))
    go_to_page (self, self->os_back_page != NULL ? self->os_back_page : "source");
  else if (is_page (self, "download-os"))
    go_to_page (self, "source");
  else if (is_page (self, "download") && self->download_cancellable == NULL)
    lodge_new_machine_assistant_show_download_list (self);
  else if (is_page (self, "review"))
    go_to_page (self, self->review_back_page != NULL ? self->review_back_page : "source");
}

static void
lodge_new_machine_assistant_next_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (widget);

  if (is_page (self, "os") && self->os_selection != NULL)
    {
      LodgeOs *os = gtk_single_selection_get_selected_item (self->os_selection);

      if (os != NULL)
        lodge_new_machine_assistant_pick_os (self, os);
    }
  else if (is_page (self, "download-os") && self->download_selection != NULL)
    {
      LodgeOsDownload *item = gtk_single_selection_get_selected_item (self->download_selection);

      if (item != NULL)
        lodge_new_machine_assistant_pick_download (self, item);
    }
  else if (is_page (self, "review"))
    lodge_new_machine_assistant_create_action (widget, "assistant.create", NULL);
}

static gboolean
lodge_new_machine_assistant_close_request (GtkWindow *window)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (window);

  /* Closing while creating is a cancel: the window stays until what was
   * made is removed, so nothing is left behind unseen. */
  if (self->creator != NULL || self->generating_script)
    {
      self->close_after_cancel = TRUE;
      g_cancellable_cancel (self->create_cancellable);
      gtk_label_set_text (self->stage_label, _("Cancelling…"));
      return TRUE;
    }

  return GTK_WINDOW_CLASS (lodge_new_machine_assistant_parent_class)->close_request (window);
}

/* GObject ------------------------------------------------------------------ */

static void
lodge_new_machine_assistant_dispose (GObject *object)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->identify_cancellable);
  g_cancellable_cancel (self->name_cancellable);
  g_cancellable_cancel (self->create_cancellable);
  /* A download stops; its partial file stays for a later resume. */
  g_cancellable_cancel (self->download_cancellable);
  if (self->downloader != NULL)
    g_signal_handlers_disconnect_by_data (self->downloader, self);
  g_clear_handle_id (&self->name_check_source, g_source_remove);
  g_clear_handle_id (&self->created_timeout, g_source_remove);
  lodge_new_machine_assistant_release_frame_clock (self);
  if (self->connection != NULL)
    g_clear_signal_handler (&self->machines_changed_id,
                            lodge_connection_get_machines (self->connection));
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->creator != NULL)
    g_signal_handlers_disconnect_by_data (self->creator, self);
  g_clear_object (&self->creator);

  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_NEW_MACHINE_ASSISTANT);

  g_clear_object (&self->os_selection);
  g_clear_object (&self->os_filter_model);
  g_clear_object (&self->os_filter);
  g_clear_object (&self->download_selection);
  g_clear_object (&self->download_filter_model);
  g_clear_object (&self->download_filter);
  g_clear_object (&self->download_list);
  g_clear_object (&self->download_item);
  g_clear_object (&self->downloader);
  g_clear_object (&self->download_cancellable);
  g_clear_pointer (&self->partials, g_hash_table_unref);
  g_clear_pointer (&self->complete, g_hash_table_unref);
  g_clear_object (&self->scanner);
  g_clear_object (&self->media);
  g_clear_object (&self->os);
  g_clear_object (&self->spec);
  g_clear_object (&self->db);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->identify_cancellable);
  g_clear_object (&self->name_cancellable);
  g_clear_object (&self->create_cancellable);
  g_clear_pointer (&self->host, lodge_host_info_free);

  G_OBJECT_CLASS (lodge_new_machine_assistant_parent_class)->dispose (object);
}

static void
lodge_new_machine_assistant_finalize (GObject *object)
{
  LodgeNewMachineAssistant *self = LODGE_NEW_MACHINE_ASSISTANT (object);

  g_free (self->downloads_dir);
  g_free (self->os_search);
  g_free (self->download_search);
  g_free (self->created_uuid);
  g_free (self->suggested_name);
  g_free (self->name_error);

  G_OBJECT_CLASS (lodge_new_machine_assistant_parent_class)->finalize (object);
}

static void
lodge_new_machine_assistant_class_init (LodgeNewMachineAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lodge_new_machine_assistant_dispose;
  object_class->finalize = lodge_new_machine_assistant_finalize;
  widget_class->map = lodge_new_machine_assistant_map;
  widget_class->unmap = lodge_new_machine_assistant_unmap;
  window_class->close_request = lodge_new_machine_assistant_close_request;

  signals[SIGNAL_CREATED] =
    g_signal_new ("created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lodge/Lodge/lodge-new-machine-assistant.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, window_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, back_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, next_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, source_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, source_error_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, scan_spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, downloads_list);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, downloads_placeholder);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, identify_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, identify_spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, os_intro_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, os_search_entry);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, os_stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, os_spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, os_list_view);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_note_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_note_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_search_entry);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_os_stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_os_spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_list_view);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_bytes_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_rate_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_error_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, download_retry_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, review_icon);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, review_os_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, review_kind_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, review_path_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, review_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, review_error_box);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, review_error_icon);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, review_error_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, name_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, name_error_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, memory_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, vcpus_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, disk_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, disk_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, import_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, throwaway_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, express_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, express_user_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, express_password_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, express_host_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, notices_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, accel_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, warnings_box);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LodgeNewMachineAssistant, stage_label);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_stack_notify_visible_child_name_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_downloads_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_os_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_os_search_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_os_list_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_download_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_download_search_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_download_list_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_name_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_name_row_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_new_machine_assistant_express_changed_cb);

  gtk_widget_class_install_action (widget_class, "assistant.back", NULL,
                                   lodge_new_machine_assistant_back_action);
  gtk_widget_class_install_action (widget_class, "assistant.next", NULL,
                                   lodge_new_machine_assistant_next_action);
  gtk_widget_class_install_action (widget_class, "assistant.choose-file", NULL,
                                   lodge_new_machine_assistant_choose_file_action);
  gtk_widget_class_install_action (widget_class, "assistant.choose-os", NULL,
                                   lodge_new_machine_assistant_choose_os_action);
  gtk_widget_class_install_action (widget_class, "assistant.choose-download", NULL,
                                   lodge_new_machine_assistant_choose_download_action);
  gtk_widget_class_install_action (widget_class, "assistant.cancel-download", NULL,
                                   lodge_new_machine_assistant_cancel_download_action);
  gtk_widget_class_install_action (widget_class, "assistant.retry-download", NULL,
                                   lodge_new_machine_assistant_retry_download_action);
  gtk_widget_class_install_action (widget_class, "assistant.change-os", NULL,
                                   lodge_new_machine_assistant_change_os_action);
  gtk_widget_class_install_action (widget_class, "assistant.create", NULL,
                                   lodge_new_machine_assistant_create_action);
  gtk_widget_class_install_action (widget_class, "assistant.cancel-create", NULL,
                                   lodge_new_machine_assistant_cancel_create_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "assistant.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "assistant.choose-file", NULL);
}

static void
lodge_new_machine_assistant_init (LodgeNewMachineAssistant *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkDropTarget *drop;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->spec = lodge_machine_spec_new ();

  /* The review's controls edit the spec directly. */
  g_object_bind_property_full (self->spec, "memory", self->memory_adjustment, "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               bytes_to_mib, mib_to_bytes, NULL, NULL);
  g_object_bind_property_full (self->spec, "vcpus", self->vcpus_adjustment, "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               uint_to_double, double_to_uint, NULL, NULL);
  g_object_bind_property_full (self->spec, "disk-size", self->disk_adjustment, "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               bytes_to_gib, gib_to_bytes, NULL, NULL);
  g_object_bind_property_full (self->spec, "firmware", self->firmware_row, "selected",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               firmware_to_selected, selected_to_firmware, NULL, NULL);
  g_object_bind_property (self->spec, "throwaway",
                          adw_action_row_get_activatable_widget (self->throwaway_row), "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->spec, "notify",
                           G_CALLBACK (lodge_new_machine_assistant_spec_notify_cb),
                           self, G_CONNECT_SWAPPED);

  /* The OS list: filtered by the search, one selected for Next. */
  self->os_filter = gtk_custom_filter_new (lodge_new_machine_assistant_os_filter_cb, self, NULL);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (os_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (os_item_bind_cb), NULL);
  gtk_list_view_set_factory (self->os_list_view, factory);

  /* The download list: the same rows, other details. */
  self->download_filter = gtk_custom_filter_new (lodge_new_machine_assistant_download_filter_cb, self, NULL);
  g_clear_object (&factory);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (os_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (download_item_bind_cb), self);
  gtk_list_view_set_factory (self->download_list_view, factory);

  /* AdwExpanderRow's own switch has no accessible name in libadwaita 1.2. */
  for (GtkWidget *w = GTK_WIDGET (self->express_row); w != NULL; )
    {
      GtkWidget *next = gtk_widget_get_first_child (w);

      if (GTK_IS_SWITCH (w))
        {
          gtk_accessible_update_property (GTK_ACCESSIBLE (w),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _("Express install"),
                                          -1);
          break;
        }
      /* Depth first, within the row. */
      while (next == NULL && w != GTK_WIDGET (self->express_row))
        {
          next = gtk_widget_get_next_sibling (w);
          if (next == NULL)
            w = gtk_widget_get_parent (w);
        }
      w = next;
    }

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect_swapped (drop, "drop",
                            G_CALLBACK (lodge_new_machine_assistant_drop_target_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  /* Only the first step counts for the first frame: the others are hidden
   * until met, so their styles and sizes are not computed before. */
  gtk_stack_set_visible_child_name (self->stack, "source");
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child != gtk_stack_get_visible_child (self->stack))
      gtk_widget_set_visible (child, FALSE);
}

static void
lodge_new_machine_assistant_db_load_cb (GObject      *object,
                                        GAsyncResult *result,
                                        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lodge_os_database_load_finish (LODGE_OS_DATABASE (object), result, &error))
    g_warning ("Could not load the OS database: %s", error->message);
}

LodgeNewMachineAssistant *
lodge_new_machine_assistant_new (GtkWindow       *parent,
                                 LodgeConnection *connection,
                                 LodgeOsDatabase *db,
                                 gboolean         prefer_emulation)
{
  LodgeNewMachineAssistant *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (db == NULL || LODGE_IS_OS_DATABASE (db), NULL);

  self = g_object_new (LODGE_TYPE_NEW_MACHINE_ASSISTANT, NULL);
  lodge_ui_window_set_parent (GTK_WINDOW (self), parent);
  self->connection = g_object_ref (connection);
  self->db = db != NULL ? g_object_ref (db) : lodge_os_database_new ();
  self->prefer_emulation = prefer_emulation;

  g_signal_connect_object (self->db, "notify::loaded",
                           G_CALLBACK (lodge_new_machine_assistant_db_notify_loaded_cb),
                           self, G_CONNECT_SWAPPED);

  lodge_new_machine_assistant_update_actions (self);
  return self;
}

LodgeConnection *
lodge_new_machine_assistant_get_connection (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->connection;
}

/* For tests ----------------------------------------------------------------- */

const char *
lodge_new_machine_assistant_get_page (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
lodge_new_machine_assistant_get_action_enabled (LodgeNewMachineAssistant *self,
                                                const char               *action)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);

  return action_is_enabled (self, action);
}

const char *
lodge_new_machine_assistant_get_error (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  if (is_page (self, "source") && gtk_revealer_get_reveal_child (self->source_error_revealer))
    return gtk_label_get_text (self->source_error_label);
  if (is_page (self, "review") && gtk_revealer_get_reveal_child (self->review_error_revealer))
    return gtk_label_get_text (self->review_error_label);
  if (is_page (self, "download") && self->download_failed)
    return gtk_label_get_text (self->download_error_label);
  return NULL;
}

const char *
lodge_new_machine_assistant_get_name_error (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->name_error;
}

gboolean
lodge_new_machine_assistant_get_name_checking (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), FALSE);

  return self->name_checking;
}

GtkEditable *
lodge_new_machine_assistant_get_name_editable (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return GTK_EDITABLE (self->name_row);
}

LodgeMachineSpec *
lodge_new_machine_assistant_get_spec (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->spec;
}

LodgeMedia *
lodge_new_machine_assistant_get_media (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->media;
}

LodgeOs *
lodge_new_machine_assistant_get_os (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->os;
}

const LodgeHostInfo *
lodge_new_machine_assistant_get_host (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->host;
}

const char *
lodge_new_machine_assistant_get_os_label (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return gtk_label_get_text (self->review_os_label);
}

const char *
lodge_new_machine_assistant_get_kind_label (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return gtk_label_get_text (self->review_kind_label);
}

const char *
lodge_new_machine_assistant_get_accel_notice (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->accel_row)))
    return NULL;
  return adw_action_row_get_subtitle (self->accel_row);
}

GListModel *
lodge_new_machine_assistant_get_downloads (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->scanner != NULL ? G_LIST_MODEL (self->scanner) : NULL;
}

void
lodge_new_machine_assistant_set_downloads_dir (LodgeNewMachineAssistant *self,
                                               const char               *directory)
{
  g_return_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self));

  g_free (self->downloads_dir);
  self->downloads_dir = g_strdup (directory);
}

GListModel *
lodge_new_machine_assistant_get_os_results (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  lodge_new_machine_assistant_ensure_os_list (self);
  return G_LIST_MODEL (self->os_filter_model);
}

GtkEditable *
lodge_new_machine_assistant_get_os_search (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return GTK_EDITABLE (self->os_search_entry);
}

gboolean
lodge_new_machine_assistant_get_express_offered (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->express_row));
}

void
lodge_new_machine_assistant_set_express (LodgeNewMachineAssistant *self,
                                         gboolean                  enable,
                                         const char               *user,
                                         const char               *password,
                                         const char               *host_name)
{
  g_return_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self));

  adw_expander_row_set_enable_expansion (self->express_row, enable);
  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->express_user_row), user);
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->express_password_row), password);
  if (host_name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->express_host_row), host_name);
}

gboolean
lodge_new_machine_assistant_get_throwaway_allowed (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), FALSE);

  return gtk_widget_get_sensitive (GTK_WIDGET (self->throwaway_row));
}

guint
lodge_new_machine_assistant_get_n_warnings (LodgeNewMachineAssistant *self)
{
  guint n = 0;

  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->warnings_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

LodgeMachineCreator *
lodge_new_machine_assistant_get_creator (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->creator;
}

GListModel *
lodge_new_machine_assistant_get_download_results (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  lodge_new_machine_assistant_ensure_download_list (self);
  return G_LIST_MODEL (self->download_filter_model);
}

GtkEditable *
lodge_new_machine_assistant_get_download_search (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return GTK_EDITABLE (self->download_search_entry);
}

LodgeDownloader *
lodge_new_machine_assistant_get_downloader (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  return self->downloader;
}

gboolean
lodge_new_machine_assistant_get_downloading (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), FALSE);

  return self->download_cancellable != NULL;
}

guint
lodge_new_machine_assistant_get_n_partial_scans (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), 0);

  return self->n_partial_scans;
}

const char *
lodge_new_machine_assistant_get_download_note (LodgeNewMachineAssistant *self)
{
  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->download_note_revealer))
    return NULL;
  return gtk_label_get_text (self->download_note_label);
}

const char *
lodge_new_machine_assistant_get_download_detail (LodgeNewMachineAssistant *self,
                                                 LodgeOsDownload          *item)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (LODGE_IS_NEW_MACHINE_ASSISTANT (self), NULL);
  g_return_val_if_fail (LODGE_IS_OS_DOWNLOAD (item), NULL);

  /* Kept on the item so the caller gets a borrowed string. */
  text = lodge_new_machine_assistant_download_detail (self, item);
  g_object_set_data_full (G_OBJECT (item), "lodge-test-detail", g_steal_pointer (&text), g_free);
  return g_object_get_data (G_OBJECT (item), "lodge-test-detail");
}
