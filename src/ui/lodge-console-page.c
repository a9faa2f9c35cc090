/* lodge-console-page.c: the console of one machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-console-page"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "ui/lodge-console-page.h"
#include "ui/lodge-console-target.h"
#include "ui/lodge-ui-private.h"

/* A SPICE session ends before libvirt's lifecycle event says why: wait
 * this long before calling an end "disconnected" while the machine still
 * runs, so that a shutdown shows "not running" without a flash. */
#define DISCONNECT_GRACE_MS 2500
/* Fullscreen: the pointer within this many pixels of the top reveals the
 * header bar. */
#define REVEAL_EDGE 4
#define HIDE_HEADER_DELAY_MS 600
/* The spinner appears only when connecting takes a while: a local console
 * is up before, and no frame is drawn for nothing. (With GTK 4.8's GL
 * renderer on llvmpipe every spinner frame redraws the whole window, and
 * a continuous animation starves spice-client-glib's idle callbacks that
 * open its channels: the connection then never completes.) */
#define SPINNER_DELAY_MS 1000

struct _LodgeConsolePage
{
  GtkWidget           parent_instance;

  LodgeMachine       *machine;
  LodgeConsoleTarget *target;
  GCancellable       *cancellable;       /* resolving the target */
  GCancellable       *copy_cancellable;  /* copying dropped files */
  GPtrArray          *copy_files;        /* NULL-terminated, while copying */
  GMenu              *menu;
  GMenuModel         *console_menu;      /* the template's */
  GMenuModel         *machine_menu;
  char               *error_message;     /* why the last connection ended */
  char               *status;
  gboolean            was_active;
  gboolean            resolving;
  gboolean            fullscreen;
  gboolean            share_microphone;
  gboolean            header_in_revealer;
  guint               grace_source;
  guint               hide_header_source;
  guint               spinner_source;
  gulong              fullscreened_handler;
  GtkWindow          *toplevel;
  GSettings          *settings;

  /* What the page shows: "display" or a text console's alias. */
  char               *source;
  gboolean            source_chosen;     /* by the user, not by default */
  gboolean            no_graphics;       /* the machine has no display */
  /* Text consoles: the list (LodgeDevice) and their names. */
  GPtrArray          *text_consoles;
  char              **text_console_names;
  GCancellable       *text_cancellable;  /* listing */
  GCancellable       *open_cancellable;  /* opening one */
  gboolean            listing;
  LodgeTextConsole   *text_console;
  gboolean            text_opening;
  gboolean            text_busy;         /* another client holds it */
  gboolean            text_seen;         /* shown since the machine was set */
  GMenu              *sources_menu;

  /* template children */
  GtkOverlay         *overlay;
  GtkRevealer        *fullscreen_revealer;
  GtkBox             *content_box;
  AdwHeaderBar       *header_bar;
  AdwWindowTitle     *window_title;
  GtkMenuButton      *menu_button;
  GtkMenuButton      *source_button;
  GtkToggleButton    *fullscreen_button;
  GtkStack           *stack;
  GtkSpinner         *connecting_spinner;
  LodgeDisplay       *display;
  LodgeSerialConsole *serial_console;
  GtkRevealer        *grab_revealer;
  GtkLabel           *grab_label;
  GtkRevealer        *transfer_revealer;
  GtkLabel           *transfer_label;
  GtkProgressBar     *transfer_progress;
  AdwStatusPage      *not_running_page;
  AdwStatusPage      *disconnected_page;
};

G_DEFINE_FINAL_TYPE (LodgeConsolePage, lodge_console_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_VIEW,
  PROP_FIT,
  PROP_RESIZE_GUEST,
  PROP_SHARE_CLIPBOARD,
  PROP_SHARE_MICROPHONE,
  PROP_FULLSCREEN,
  PROP_SOURCE,
  N_PROPS
};

enum {
  SIGNAL_BACK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void lodge_console_page_connect (LodgeConsolePage *self);
static void lodge_console_page_update  (LodgeConsolePage *self);
static void lodge_console_page_open_text (LodgeConsolePage      *self,
                                          LodgeTextConsoleFlags  flags);

/* Per-machine choices ------------------------------------------------- */

/* Kept with everything Lodge remembers of the machine, in the store its
 * host shares with every other (lodge_connection_set_state_store). */
static gboolean
settings_get_boolean (LodgeMachine *machine,
                      const char   *key,
                      gboolean      fallback)
{
  LodgeConnection *connection = lodge_machine_get_connection (machine);
  LodgeStateStore *store = connection != NULL ? lodge_connection_get_state_store (connection) : NULL;

  if (store == NULL)
    return fallback;
  return lodge_state_store_get_boolean (store, lodge_connection_get_uri (connection),
                                        lodge_machine_get_uuid (machine), key, fallback);
}

static void
settings_set_boolean (LodgeMachine *machine,
                      const char   *key,
                      gboolean      value)
{
  LodgeConnection *connection = lodge_machine_get_connection (machine);
  LodgeStateStore *store = connection != NULL ? lodge_connection_get_state_store (connection) : NULL;

  /* Written off the main thread, shortly after. */
  if (store != NULL)
    lodge_state_store_set_boolean (store, lodge_connection_get_uri (connection),
                                   lodge_machine_get_uuid (machine), key, value);
}

/* The microphone is the guest's only when the user allowed it, per
 * machine; SPICE opens or leaves out the record channel when it connects,
 * so a change reconnects a console that is open. */
static void
lodge_console_page_set_share_microphone (LodgeConsolePage *self,
                                         gboolean          share)
{
  share = !!share;
  if (self->share_microphone == share)
    return;

  self->share_microphone = share;
  lodge_spice_session_set_record_audio (lodge_display_get_session (self->display), share);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARE_MICROPHONE]);
}

/* Toasts -------------------------------------------------------------- */

static void
lodge_console_page_toast (LodgeConsolePage *self,
                          const char       *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  else
    g_message ("%s", text);
}

/* Text consoles ------------------------------------------------------- */

static gboolean
lodge_console_page_shows_text (LodgeConsolePage *self)
{
  return self->source != NULL && !g_str_equal (self->source, "display");
}

static const char *
lodge_console_page_text_console_name (LodgeConsolePage *self,
                                      const char       *alias)
{
  for (guint i = 0; self->text_consoles != NULL && i < self->text_consoles->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (self->text_consoles, i);

      if (g_strcmp0 (device->alias, alias) == 0)
        return self->text_console_names[i];
    }
  return NULL;
}

/* The console's name for people, or its alias while the list is read. */
static const char *
lodge_console_page_source_name (LodgeConsolePage *self)
{
  const char *name = lodge_console_page_text_console_name (self, self->source);

  return name != NULL ? name : self->source;
}

static void
lodge_console_page_stop_text (LodgeConsolePage *self)
{
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  if (self->text_console != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->text_console, self);
      lodge_text_console_close (self->text_console);
      g_clear_object (&self->text_console);
    }
  self->text_opening = FALSE;
  self->text_busy = FALSE;
}

static void
lodge_console_page_text_not_running (LodgeConsolePage *self)
{
  g_autofree char *text = NULL;

  /* Translators: the machine's name */
  text = g_strdup_printf (_("“%s” is not running"),
                          self->machine != NULL ? lodge_machine_get_display_name (self->machine) : "");
  lodge_serial_console_set_status (self->serial_console, text, _("_Start"), "console.start");
}

static void
lodge_console_page_text_console_received_cb (LodgeConsolePage *self,
                                              GBytes           *bytes,
                                              LodgeTextConsole *console)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  lodge_serial_console_feed (self->serial_console, data, size);
}

static void
lodge_console_page_text_console_closed_cb (LodgeConsolePage *self,
                                           GError           *error,
                                           LodgeTextConsole *console)
{
  g_signal_handlers_disconnect_by_data (console, self);
  g_clear_object (&self->text_console);
  if (self->machine != NULL && lodge_machine_is_active (self->machine))
    lodge_serial_console_set_status (self->serial_console,
                                     error != NULL ? error->message : _("The console was closed"),
                                     _("_Reconnect"), "console.reconnect");
  else
    lodge_console_page_text_not_running (self);
  lodge_console_page_update (self);
}

static void
lodge_console_page_text_input_cb (LodgeConsolePage   *self,
                                  GBytes             *bytes,
                                  LodgeSerialConsole *serial_console)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (self->text_console != NULL)
    lodge_text_console_write (self->text_console, data, size);
}

static void
lodge_console_page_open_text_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LodgeConsolePage) self = user_data;
  g_autoptr(LodgeTextConsole) console = NULL;
  g_autoptr(GError) error = NULL;

  console = lodge_text_console_open_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if ((gpointer) object != (gpointer) self->machine || !self->text_opening)
    {
      if (console != NULL)
        lodge_text_console_close (console);
      return;
    }

  self->text_opening = FALSE;
  g_clear_object (&self->open_cancellable);
  if (console != NULL)
    {
      self->text_console = g_steal_pointer (&console);
      g_signal_connect_object (self->text_console, "received",
                               G_CALLBACK (lodge_console_page_text_console_received_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->text_console, "closed",
                               G_CALLBACK (lodge_console_page_text_console_closed_cb),
                               self, G_CONNECT_SWAPPED);
      lodge_serial_console_set_status (self->serial_console, NULL, NULL, NULL);
    }
  else if (g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_BUSY))
    {
      g_autofree char *text = NULL;

      self->text_busy = TRUE;
      /* Translators: %s is a console's name, "Serial 1" */
      text = g_strdup_printf (_("Another client is using %s (virsh console, or Lodge on another "
                                "computer). Take it over to use it here: the other client is "
                                "disconnected."), lodge_console_page_source_name (self));
      lodge_serial_console_set_status (self->serial_console, text, _("_Take Over"), "console.take-over");
    }
  else if (g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE))
    lodge_console_page_text_not_running (self);
  else
    lodge_serial_console_set_status (self->serial_console, error->message,
                                     _("_Reconnect"), "console.reconnect");
  lodge_console_page_update (self);
}

static void
lodge_console_page_open_text (LodgeConsolePage      *self,
                              LodgeTextConsoleFlags  flags)
{
  g_autofree char *text = NULL;

  g_assert (lodge_console_page_shows_text (self));

  lodge_console_page_stop_text (self);
  if (self->machine == NULL || !lodge_machine_is_active (self->machine))
    {
      lodge_console_page_text_not_running (self);
      lodge_console_page_update (self);
      return;
    }

  /* Translators: %s is a console's name, "Serial 1" */
  text = g_strdup_printf (_("Connecting to %s…"), lodge_console_page_source_name (self));
  lodge_serial_console_set_status (self->serial_console, text, NULL, NULL);
  self->open_cancellable = g_cancellable_new ();
  self->text_opening = TRUE;
  lodge_text_console_open_async (self->machine, self->source, flags, self->open_cancellable,
                                 lodge_console_page_open_text_cb, g_object_ref (self));
  lodge_console_page_update (self);
}

/* The chooser names what is shown. */
static void
lodge_console_page_update_source_label (LodgeConsolePage *self)
{
  gtk_menu_button_set_label (self->source_button,
                             lodge_console_page_shows_text (self)
                             ? lodge_console_page_source_name (self) : _("Display"));
}

static void
lodge_console_page_rebuild_sources (LodgeConsolePage *self)
{
  guint n;

  g_menu_remove_all (self->sources_menu);
  if (!self->no_graphics)
    g_menu_append (self->sources_menu, _("_Graphical Display"), "console.source::display");
  for (guint i = 0; self->text_consoles != NULL && i < self->text_consoles->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (self->text_consoles, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (self->text_console_names[i], NULL);

      g_menu_item_set_action_and_target_value (item, "console.source",
                                               g_variant_new_string (device->alias));
      g_menu_append_item (self->sources_menu, item);
    }
  n = g_menu_model_get_n_items (G_MENU_MODEL (self->sources_menu));
  gtk_widget_set_visible (GTK_WIDGET (self->source_button), n > 1);
  lodge_console_page_update_source_label (self);
}

static void
lodge_console_page_set_source_internal (LodgeConsolePage *self,
                                        const char       *source)
{
  gboolean same_text;

  if (g_strcmp0 (self->source, source) == 0)
    return;

  /* Back to the display keeps the text console open, and its output. */
  same_text = self->text_console != NULL
              && g_strcmp0 (lodge_text_console_get_alias (self->text_console), source) == 0;
  g_free (self->source);
  self->source = g_strdup (source);
  if (lodge_console_page_shows_text (self) && !same_text)
    {
      lodge_console_page_stop_text (self);
      lodge_serial_console_reset (self->serial_console);
      lodge_serial_console_set_name (self->serial_console, lodge_console_page_source_name (self));
      self->text_seen = FALSE;
      lodge_console_page_open_text (self, LODGE_TEXT_CONSOLE_NONE);
    }
  lodge_console_page_update_source_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  lodge_console_page_update (self);
}

/* Once the display and the text consoles are known: a machine without a
 * display shows its first text console, unless the user chose. */
static void
lodge_console_page_follow_source (LodgeConsolePage *self)
{
  lodge_console_page_rebuild_sources (self);
  if (self->listing || !self->no_graphics)
    return;
  if (self->text_consoles != NULL && self->text_consoles->len > 0)
    {
      LodgeDevice *first = g_ptr_array_index (self->text_consoles, 0);

      if (!self->source_chosen && !lodge_console_page_shows_text (self))
        lodge_console_page_set_source_internal (self, first->alias);
    }
  else if (self->machine != NULL)
    {
      g_free (self->error_message);
      /* Translators: the machine's name */
      self->error_message = g_strdup_printf (_("“%s” has no graphical display and no text console"),
                                             lodge_machine_get_display_name (self->machine));
    }
}

static void
lodge_console_page_list_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(LodgeConsolePage) self = user_data;
  g_autoptr(GPtrArray) consoles = NULL;
  g_autoptr(GError) error = NULL;

  consoles = lodge_text_console_list_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || (gpointer) object != (gpointer) self->machine)
    return;

  self->listing = FALSE;
  g_clear_object (&self->text_cancellable);
  if (error != NULL)
    g_debug ("No text consoles of %s: %s", lodge_machine_get_name (self->machine), error->message);
  g_clear_pointer (&self->text_consoles, g_ptr_array_unref);
  g_clear_pointer (&self->text_console_names, g_strfreev);
  self->text_consoles = consoles != NULL ? g_steal_pointer (&consoles)
                        : g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_device_unref);
  self->text_console_names = lodge_text_console_describe_all (self->text_consoles);
  if (lodge_console_page_shows_text (self))
    lodge_serial_console_set_name (self->serial_console, lodge_console_page_source_name (self));
  lodge_console_page_follow_source (self);
  /* A machine started again: its console opens again. */
  if (lodge_console_page_shows_text (self) && self->text_console == NULL && !self->text_opening)
    lodge_console_page_open_text (self, LODGE_TEXT_CONSOLE_NONE);
  lodge_console_page_update (self);
}

/* State --------------------------------------------------------------- */

static void
lodge_console_page_set_status (LodgeConsolePage *self,
                               const char       *status)
{
  g_free (self->status);
  self->status = g_strdup (status);
}

static void
lodge_console_page_update_actions (LodgeConsolePage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const char *view = gtk_stack_get_visible_child_name (self->stack);
  gboolean shown = g_strcmp0 (view, "display") == 0;
  gboolean text = g_strcmp0 (view, "serial") == 0;
  gboolean active = self->machine != NULL && lodge_machine_is_active (self->machine);

  gtk_widget_action_set_enabled (widget, "console.send-key", shown);
  gtk_widget_action_set_enabled (widget, "console.screenshot", shown);
  /* Zoom and original size apply to the text console's font too. */
  gtk_widget_action_set_enabled (widget, "console.original-size", shown || text);
  gtk_widget_action_set_enabled (widget, "console.zoom-in", shown || text);
  gtk_widget_action_set_enabled (widget, "console.zoom-out", shown || text);
  gtk_widget_action_set_enabled (widget, "console.copy", text);
  gtk_widget_action_set_enabled (widget, "console.paste", text && self->text_console != NULL);
  gtk_widget_action_set_enabled (widget, "console.find", text);
  gtk_widget_action_set_enabled (widget, "console.take-over",
                                 text && active && self->text_busy && !self->text_opening);
  gtk_widget_action_set_enabled (widget, "console.reconnect",
                                 active && (text ? !self->text_opening : !self->resolving));
  gtk_widget_action_set_enabled (widget, "console.start",
                                 self->machine != NULL && lodge_machine_can_start (self->machine));
  gtk_widget_action_set_enabled (widget, "console.cancel-transfer", self->copy_cancellable != NULL);
}

static gboolean
lodge_console_page_spinner_cb (gpointer user_data)
{
  LodgeConsolePage *self = user_data;

  self->spinner_source = 0;
  gtk_spinner_set_spinning (self->connecting_spinner, TRUE);
  return G_SOURCE_REMOVE;
}

static void
lodge_console_page_update (LodgeConsolePage *self)
{
  const char *view;
  const char *old_view = gtk_stack_get_visible_child_name (self->stack);

  gboolean shows_text = lodge_console_page_shows_text (self);

  /* Whatever ended the stream, a stopped machine is what to say. */
  if (shows_text && self->machine != NULL && !lodge_machine_is_active (self->machine)
      && self->text_console == NULL && !self->text_opening)
    lodge_console_page_text_not_running (self);

  if (self->machine == NULL)
    view = "connecting";
  /* A text console keeps what the guest said, after it stopped too. */
  else if (shows_text && (self->text_seen || lodge_machine_is_active (self->machine)))
    view = "serial";
  else if (!lodge_machine_is_active (self->machine))
    view = "not-running";
  /* No display: the text consoles are still being listed. */
  else if (self->no_graphics && self->listing)
    view = "connecting";
  else if (lodge_display_get_state (self->display) == LODGE_DISPLAY_STATE_CONNECTED)
    view = "display";
  else if (self->error_message != NULL && self->grace_source == 0 && !self->resolving)
    view = "disconnected";
  else
    view = "connecting";

  if (self->machine != NULL)
    {
      const char *name = lodge_machine_get_display_name (self->machine);
      LodgeMachineState state = lodge_machine_get_state (self->machine);
      g_autofree char *title = NULL;
      g_autofree char *description = NULL;

      adw_window_title_set_title (self->window_title, name);
      adw_window_title_set_subtitle (self->window_title,
                                     state == LODGE_MACHINE_STATE_RUNNING
                                     ? NULL : lodge_ui_state_label (state));
      /* Translators: the machine's name */
      title = g_strdup_printf (_("“%s” Is Not Running"), name);
      adw_status_page_set_title (self->not_running_page, title);
      /* A status page's description is markup; the reason is text (ssh's
       * words, a definition's XML). */
      if (self->error_message != NULL)
        description = g_markup_escape_text (self->error_message, -1);
      adw_status_page_set_description (self->disconnected_page, description);
    }

  if (g_str_equal (view, "serial"))
    {
      const char *status = lodge_serial_console_get_status (self->serial_console);
      const char *name = lodge_console_page_text_console_name (self, self->source);

      self->text_seen = TRUE;
      if (status != NULL)
        lodge_console_page_set_status (self, status);
      else
        {
          /* Translators: %s is a console's name, "Serial 1" */
          g_autofree char *text_status = g_strdup_printf (_("%s, connected through libvirt"),
                                                          name != NULL ? name : self->source);
          lodge_console_page_set_status (self, text_status);
        }
    }
  else if (g_str_equal (view, "not-running"))
    lodge_console_page_set_status (self, _("Not connected: the machine is not running"));
  else if (g_str_equal (view, "disconnected"))
    lodge_console_page_set_status (self, self->error_message);
  else if (g_str_equal (view, "connecting"))
    lodge_console_page_set_status (self, _("Connecting"));
  else if (self->target != NULL)
    {
      g_autofree char *text = lodge_console_target_describe (self->target);
      lodge_console_page_set_status (self, text);
    }

  /* Without a machine the page is not in use (the library is shown):
   * a spinner there would keep the window's frame clock running. */
  if (!g_str_equal (view, "connecting") || self->machine == NULL)
    {
      g_clear_handle_id (&self->spinner_source, g_source_remove);
      gtk_spinner_set_spinning (self->connecting_spinner, FALSE);
    }
  else if (self->spinner_source == 0 && !gtk_spinner_get_spinning (self->connecting_spinner))
    self->spinner_source = g_timeout_add (SPINNER_DELAY_MS, lodge_console_page_spinner_cb, self);
  if (g_strcmp0 (old_view, view) != 0)
    {
      gtk_stack_set_visible_child_name (self->stack, view);
      if (g_str_equal (view, "display"))
        gtk_widget_grab_focus (GTK_WIDGET (self->display));
      else if (g_str_equal (view, "serial"))
        gtk_widget_grab_focus (lodge_serial_console_get_terminal (self->serial_console));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
    }
  lodge_console_page_update_actions (self);
}

static void
lodge_console_page_stop (LodgeConsolePage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->grace_source, g_source_remove);
  if (self->copy_cancellable != NULL)
    g_cancellable_cancel (self->copy_cancellable);
  self->resolving = FALSE;
  if (self->target != NULL)
    lodge_console_target_detach (self->target, lodge_display_get_session (self->display));
  g_clear_object (&self->target);
  /* notify::state comes back while error_message is still clear. */
  g_clear_pointer (&self->error_message, g_free);
  lodge_display_disconnect (self->display);
  lodge_console_page_stop_text (self);
  g_cancellable_cancel (self->text_cancellable);
  g_clear_object (&self->text_cancellable);
  self->listing = FALSE;
  self->no_graphics = FALSE;
}

static void
lodge_console_page_resolve_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(LodgeConsolePage) self = user_data;
  g_autoptr(LodgeConsoleTarget) target = NULL;
  g_autoptr(GError) error = NULL;

  target = lodge_console_target_resolve_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || (gpointer) object != (gpointer) self->machine)
    return;

  self->resolving = FALSE;
  g_clear_object (&self->cancellable);
  if (target == NULL)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error->message);
      /* A machine without graphics opens on its text console. */
      if (g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND))
        {
          self->no_graphics = TRUE;
          lodge_console_page_follow_source (self);
        }
      lodge_console_page_update (self);
      return;
    }

  self->target = g_steal_pointer (&target);
  lodge_display_set_share_clipboard (self->display,
                                     settings_get_boolean (self->machine, "share-clipboard", TRUE));
  lodge_display_set_resize_guest (self->display,
                                  settings_get_boolean (self->machine, "resize-guest", TRUE));
  lodge_console_page_set_share_microphone (self,
                                           settings_get_boolean (self->machine, "share-microphone",
                                                                 FALSE));
  lodge_console_target_connect (self->target, lodge_display_get_session (self->display));
  lodge_console_page_update (self);
}

static void
lodge_console_page_connect (LodgeConsolePage *self)
{
  g_assert (LODGE_IS_CONSOLE_PAGE (self));

  lodge_console_page_stop (self);
  if (self->machine == NULL || !lodge_machine_is_active (self->machine))
    {
      lodge_console_page_update (self);
      return;
    }

  self->cancellable = g_cancellable_new ();
  self->resolving = TRUE;
  lodge_console_target_resolve_async (self->machine, self->cancellable,
                                      lodge_console_page_resolve_cb, g_object_ref (self));
  self->text_cancellable = g_cancellable_new ();
  self->listing = TRUE;
  lodge_text_console_list_async (self->machine, self->text_cancellable,
                                 lodge_console_page_list_cb, g_object_ref (self));
  lodge_console_page_update (self);
}

static gboolean
lodge_console_page_grace_cb (gpointer user_data)
{
  LodgeConsolePage *self = user_data;

  self->grace_source = 0;
  lodge_console_page_update (self);
  return G_SOURCE_REMOVE;
}

static void
lodge_console_page_display_state_cb (LodgeConsolePage *self,
                                     GParamSpec       *pspec,
                                     LodgeDisplay     *display)
{
  LodgeDisplayState state = lodge_display_get_state (display);

  if (state == LODGE_DISPLAY_STATE_CONNECTED)
    g_clear_pointer (&self->error_message, g_free);
  else if (state == LODGE_DISPLAY_STATE_DISCONNECTED && self->target != NULL)
    {
      const char *reason = lodge_display_get_disconnect_reason (display);

      /* Not asked for: the guest went away, or the connection broke. */
      g_free (self->error_message);
      self->error_message = g_strdup (reason != NULL ? reason : _("The connection was closed"));
      lodge_console_target_detach (self->target, lodge_display_get_session (display));
      g_clear_object (&self->target);
      g_clear_handle_id (&self->grace_source, g_source_remove);
      if (self->machine != NULL && lodge_machine_is_active (self->machine))
        self->grace_source = g_timeout_add (DISCONNECT_GRACE_MS, lodge_console_page_grace_cb, self);
    }
  lodge_console_page_update (self);
}

static void
lodge_console_page_machine_notify_cb (LodgeConsolePage *self,
                                      GParamSpec       *pspec,
                                      LodgeMachine     *machine)
{
  if (g_str_equal (pspec->name, "state"))
    {
      gboolean active = lodge_machine_is_active (machine);

      if (active && !self->was_active)
        lodge_console_page_connect (self);
      else if (!active && self->was_active)
        lodge_console_page_stop (self);
      self->was_active = active;
      lodge_console_page_update (self);
    }
  else if (g_str_equal (pspec->name, "display-name"))
    lodge_console_page_update (self);
}

/* Grab hint ----------------------------------------------------------- */

static void
lodge_console_page_display_grabbed_cb (LodgeConsolePage *self,
                                       GParamSpec       *pspec,
                                       LodgeDisplay     *display)
{
  g_autofree char *keys = lodge_display_get_release_label (display);
  g_autofree char *text = NULL;

  /* Translators: %s is a key combination such as Ctrl+Alt */
  text = g_strdup_printf (_("%s releases the keyboard"), keys);
  gtk_label_set_text (self->grab_label, text);
  gtk_revealer_set_reveal_child (self->grab_revealer, lodge_display_get_grabbed (display));
}

/* File drop ----------------------------------------------------------- */

static void
lodge_console_page_copy_progress_cb (goffset  current,
                                     goffset  total,
                                     gpointer user_data)
{
  LodgeConsolePage *self = user_data;

  if (total > 0)
    gtk_progress_bar_set_fraction (self->transfer_progress, (double) current / total);
  else
    gtk_progress_bar_pulse (self->transfer_progress);
}

static void
lodge_console_page_copy_files_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(LodgeConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_display_copy_files_finish (LODGE_DISPLAY (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not copy the files: %s"), error->message);
      lodge_console_page_toast (self, text);
    }
  else if (error == NULL)
    lodge_console_page_toast (self, _("Files copied to the guest"));

  g_clear_object (&self->copy_cancellable);
  g_clear_pointer (&self->copy_files, g_ptr_array_unref);
  gtk_revealer_set_reveal_child (self->transfer_revealer, FALSE);
  lodge_console_page_update_actions (self);
}

static void
file_unref0 (gpointer file)
{
  if (file != NULL)
    g_object_unref (file);
}

static void
lodge_console_page_display_files_dropped_cb (LodgeConsolePage *self,
                                             gpointer          files_pointer,
                                             LodgeDisplay     *display)
{
  GFile **files = files_pointer;
  GPtrArray *copy;
  g_autofree char *text = NULL;

  if (files == NULL || files[0] == NULL)
    return;
  if (self->copy_cancellable != NULL)
    {
      lodge_console_page_toast (self, _("Wait until the files being copied are in the guest"));
      return;
    }

  /* The copy needs the files until it is done; the signal's array is
   * only valid during the emission. */
  copy = g_ptr_array_new_with_free_func (file_unref0);
  for (guint i = 0; files[i] != NULL; i++)
    g_ptr_array_add (copy, g_object_ref (files[i]));
  g_ptr_array_add (copy, NULL);
  self->copy_files = copy;

  if (copy->len == 2)
    {
      g_autofree char *name = g_file_get_basename (files[0]);
      /* Translators: a file name */
      text = g_strdup_printf (_("Copying “%s” to the guest"), name);
    }
  else
    text = g_strdup_printf (ngettext ("Copying %u file to the guest",
                                      "Copying %u files to the guest", copy->len - 1),
                            copy->len - 1);
  gtk_label_set_text (self->transfer_label, text);
  gtk_progress_bar_set_fraction (self->transfer_progress, 0.0);
  gtk_revealer_set_reveal_child (self->transfer_revealer, TRUE);

  self->copy_cancellable = g_cancellable_new ();
  lodge_display_copy_files_async (display, (GFile **) copy->pdata, self->copy_cancellable,
                                  lodge_console_page_copy_progress_cb, self,
                                  lodge_console_page_copy_files_cb, g_object_ref (self));
  lodge_console_page_update_actions (self);
}

/* Fullscreen ---------------------------------------------------------- */

static void
lodge_console_page_place_header (LodgeConsolePage *self,
                                 gboolean          in_revealer)
{
  GtkWidget *header = GTK_WIDGET (self->header_bar);

  if (self->header_in_revealer == in_revealer)
    return;

  g_object_ref (header);
  if (in_revealer)
    {
      gtk_box_remove (self->content_box, header);
      gtk_revealer_set_child (self->fullscreen_revealer, header);
      gtk_revealer_set_reveal_child (self->fullscreen_revealer, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->fullscreen_revealer), TRUE);
    }
  else
    {
      gtk_revealer_set_child (self->fullscreen_revealer, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->fullscreen_revealer), FALSE);
      gtk_box_prepend (self->content_box, header);
    }
  g_object_unref (header);
  self->header_in_revealer = in_revealer;
  gtk_toggle_button_set_active (self->fullscreen_button, in_revealer);
  gtk_button_set_icon_name (GTK_BUTTON (self->fullscreen_button),
                            in_revealer ? "view-restore-symbolic" : "view-fullscreen-symbolic");
}

static void
lodge_console_page_apply_fullscreen (LodgeConsolePage *self,
                                     gboolean          fullscreen)
{
  if (self->fullscreen == fullscreen)
    return;
  self->fullscreen = fullscreen;
  g_clear_handle_id (&self->hide_header_source, g_source_remove);
  lodge_console_page_place_header (self, fullscreen);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FULLSCREEN]);
}

static void
lodge_console_page_toplevel_fullscreened_cb (LodgeConsolePage *self,
                                             GParamSpec       *pspec,
                                             GtkWindow        *window)
{
  /* The window manager (or a key of its own) may change it too. */
  lodge_console_page_apply_fullscreen (self, gtk_window_is_fullscreen (window));
}

gboolean
lodge_console_page_get_fullscreen (LodgeConsolePage *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_PAGE (self), FALSE);

  return self->fullscreen;
}

void
lodge_console_page_set_fullscreen (LodgeConsolePage *self,
                                   gboolean          fullscreen)
{
  GtkRoot *root;

  g_return_if_fail (LODGE_IS_CONSOLE_PAGE (self));

  fullscreen = !!fullscreen;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    {
      if (fullscreen)
        gtk_window_fullscreen (GTK_WINDOW (root));
      else
        gtk_window_unfullscreen (GTK_WINDOW (root));
    }
  /* The window says when it is done; the header moves now so that the
   * page looks right at once. */
  lodge_console_page_apply_fullscreen (self, fullscreen);
}

static gboolean
lodge_console_page_hide_header_cb (gpointer user_data)
{
  LodgeConsolePage *self = user_data;

  self->hide_header_source = 0;
  if (self->fullscreen && !gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (self->menu_button))))
    gtk_revealer_set_reveal_child (self->fullscreen_revealer, FALSE);
  return G_SOURCE_REMOVE;
}

static void
lodge_console_page_motion_cb (LodgeConsolePage         *self,
                              double                    x,
                              double                    y,
                              GtkEventControllerMotion *controller)
{
  int header_height;

  if (!self->fullscreen)
    return;

  header_height = gtk_widget_get_height (GTK_WIDGET (self->header_bar));
  if (y <= REVEAL_EDGE)
    {
      g_clear_handle_id (&self->hide_header_source, g_source_remove);
      gtk_revealer_set_reveal_child (self->fullscreen_revealer, TRUE);
    }
  else if (gtk_revealer_get_reveal_child (self->fullscreen_revealer)
           && y > header_height + 8 && self->hide_header_source == 0)
    self->hide_header_source = g_timeout_add (HIDE_HEADER_DELAY_MS,
                                              lodge_console_page_hide_header_cb, self);
  else if (y <= header_height)
    g_clear_handle_id (&self->hide_header_source, g_source_remove);
}

/* Actions ------------------------------------------------------------- */

static void
lodge_console_page_send_key_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);
  int keys = g_variant_get_int32 (parameter);

  if (keys < LODGE_SEND_KEY_CTRL_ALT_DEL || keys > LODGE_SEND_KEY_SYSRQ)
    return;
  lodge_display_send_keys (self->display, (LodgeSendKey) keys);
  gtk_widget_grab_focus (GTK_WIDGET (self->display));
}

static void
lodge_console_page_original_size_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);

  if (lodge_console_page_shows_text (self))
    gtk_widget_activate_action (GTK_WIDGET (self->serial_console), "serial.zoom-reset", NULL);
  else
    lodge_display_set_scaling (self->display, LODGE_DISPLAY_SCALING_ONE_TO_ONE);
}

static void
lodge_console_page_zoom_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);

  if (lodge_console_page_shows_text (self))
    gtk_widget_activate_action (GTK_WIDGET (self->serial_console),
                                g_str_equal (action_name, "console.zoom-in")
                                ? "serial.zoom-in" : "serial.zoom-out", NULL);
  else if (g_str_equal (action_name, "console.zoom-in"))
    lodge_display_zoom_in (self->display);
  else
    lodge_display_zoom_out (self->display);
}

static void
lodge_console_page_reconnect_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);

  /* The text console alone: the display stays as it is. */
  if (lodge_console_page_shows_text (self))
    lodge_console_page_open_text (self, LODGE_TEXT_CONSOLE_NONE);
  else
    lodge_console_page_reconnect (self);
}

static void
lodge_console_page_take_over_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);

  if (lodge_console_page_shows_text (self))
    lodge_console_page_open_text (self, LODGE_TEXT_CONSOLE_TAKE_OVER);
}

/* The page's menu is not inside the terminal: its items reach the
 * terminal's own actions from here. */
static void
lodge_console_page_text_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);
  g_autofree char *name = g_strconcat ("serial.", action_name + strlen ("console."), NULL);

  gtk_widget_activate_action (GTK_WIDGET (self->serial_console), name, NULL);
}

static void
lodge_console_page_start_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(LodgeConsolePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_machine_run_action_finish (LODGE_MACHINE (object), result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not start “%s”: %s"),
                                               lodge_machine_get_display_name (LODGE_MACHINE (object)),
                                               error->message);
      lodge_console_page_toast (self, text);
    }
}

static void
lodge_console_page_start_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);

  if (self->machine == NULL)
    return;
  /* The window's machine.start reports errors the way the library does;
   * without a window, start it here. */
  if (!gtk_widget_activate_action (widget, "machine.start", NULL))
    lodge_machine_run_action_async (self->machine, LODGE_MACHINE_ACTION_START, NULL,
                                    lodge_console_page_start_cb, g_object_ref (self));
}

static void
lodge_console_page_cancel_transfer_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);

  if (self->copy_cancellable != NULL)
    g_cancellable_cancel (self->copy_cancellable);
}

static void
lodge_console_page_screenshot_response_cb (LodgeConsolePage     *self,
                                           int                   response,
                                           GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        lodge_console_page_toast (self, _("Screenshots can only be saved to local files"));
      else if (!lodge_display_save_screenshot (self->display, path, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Could not save the screenshot: %s"),
                                                   error->message);
          lodge_console_page_toast (self, text);
        }
      else
        lodge_console_page_toast (self, _("Screenshot saved"));
    }
  g_object_unref (chooser);
}

static void
lodge_console_page_screenshot_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");
  g_autofree char *name = NULL;
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  GtkFileChooserNative *chooser;

  if (self->machine == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save Screenshot"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* Translators: the machine's name and a date, the name of a PNG file */
  name = g_strdup_printf (_("%s %s.png"), lodge_machine_get_display_name (self->machine), stamp);
  g_strdelimit (name, "/", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (pictures);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }
  g_signal_connect_object (chooser, "response",
                           G_CALLBACK (lodge_console_page_screenshot_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
lodge_console_page_back_button_clicked_cb (LodgeConsolePage *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

/* Public API ---------------------------------------------------------- */

GtkWidget *
lodge_console_page_new (void)
{
  return g_object_new (LODGE_TYPE_CONSOLE_PAGE, NULL);
}

LodgeMachine *
lodge_console_page_get_machine (LodgeConsolePage *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_PAGE (self), NULL);

  return self->machine;
}

void
lodge_console_page_set_machine (LodgeConsolePage *self,
                                LodgeMachine     *machine)
{
  g_return_if_fail (LODGE_IS_CONSOLE_PAGE (self));
  g_return_if_fail (machine == NULL || LODGE_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_func (self->machine,
                                          lodge_console_page_machine_notify_cb, self);
  lodge_console_page_stop (self);
  if (machine == NULL && self->fullscreen)
    lodge_console_page_set_fullscreen (self, FALSE);
  g_set_object (&self->machine, machine);
  /* Each machine opens on its display (or its first text console). */
  g_free (self->source);
  self->source = g_strdup ("display");
  self->source_chosen = FALSE;
  self->text_seen = FALSE;
  g_clear_pointer (&self->text_consoles, g_ptr_array_unref);
  g_clear_pointer (&self->text_console_names, g_strfreev);
  lodge_serial_console_reset (self->serial_console);
  lodge_serial_console_set_status (self->serial_console, NULL, NULL, NULL);
  lodge_console_page_rebuild_sources (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);

  if (machine != NULL)
    {
      g_signal_connect_object (machine, "notify",
                               G_CALLBACK (lodge_console_page_machine_notify_cb),
                               self, G_CONNECT_SWAPPED);
      self->was_active = lodge_machine_is_active (machine);
      lodge_console_page_connect (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIZE_GUEST]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARE_CLIPBOARD]);
    }
  else
    lodge_console_page_update (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

void
lodge_console_page_set_menu (LodgeConsolePage *self,
                             GMenuModel       *menu)
{
  g_return_if_fail (LODGE_IS_CONSOLE_PAGE (self));
  g_return_if_fail (menu == NULL || G_IS_MENU_MODEL (menu));

  if (self->machine_menu != NULL)
    g_menu_remove (self->menu, 0);
  g_set_object (&self->machine_menu, menu);
  if (menu != NULL)
    g_menu_prepend_section (self->menu, NULL, menu);
}

LodgeDisplay *
lodge_console_page_get_display (LodgeConsolePage *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_PAGE (self), NULL);

  return self->display;
}

const char *
lodge_console_page_get_view (LodgeConsolePage *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
lodge_console_page_get_status (LodgeConsolePage *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_PAGE (self), NULL);

  return self->status;
}

LodgeSerialConsole *
lodge_console_page_get_serial_console (LodgeConsolePage *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_PAGE (self), NULL);

  return self->serial_console;
}

const char *
lodge_console_page_get_source (LodgeConsolePage *self)
{
  g_return_val_if_fail (LODGE_IS_CONSOLE_PAGE (self), NULL);

  return self->source;
}

void
lodge_console_page_set_source (LodgeConsolePage *self,
                               const char       *source)
{
  g_return_if_fail (LODGE_IS_CONSOLE_PAGE (self));
  g_return_if_fail (source != NULL);

  self->source_chosen = TRUE;
  lodge_console_page_set_source_internal (self, source);
}

void
lodge_console_page_reconnect (LodgeConsolePage *self)
{
  g_return_if_fail (LODGE_IS_CONSOLE_PAGE (self));

  lodge_console_page_connect (self);
}

/* GObject ------------------------------------------------------------- */

static void
lodge_console_page_root (GtkWidget *widget)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (lodge_console_page_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    {
      self->toplevel = GTK_WINDOW (root);
      self->fullscreened_handler =
        g_signal_connect_object (root, "notify::fullscreened",
                                 G_CALLBACK (lodge_console_page_toplevel_fullscreened_cb),
                                 self, G_CONNECT_SWAPPED);
    }
}

static void
lodge_console_page_unroot (GtkWidget *widget)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (widget);

  if (self->toplevel != NULL)
    g_clear_signal_handler (&self->fullscreened_handler, self->toplevel);
  self->toplevel = NULL;

  GTK_WIDGET_CLASS (lodge_console_page_parent_class)->unroot (widget);
}

static void
lodge_console_page_dispose (GObject *object)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (object);

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_func (self->machine,
                                          lodge_console_page_machine_notify_cb, self);
  if (self->display != NULL)
    lodge_console_page_stop (self);
  g_clear_object (&self->machine);
  g_clear_object (&self->settings);
  g_clear_handle_id (&self->hide_header_source, g_source_remove);
  g_clear_handle_id (&self->spinner_source, g_source_remove);
  g_clear_object (&self->copy_cancellable);
  g_clear_pointer (&self->copy_files, g_ptr_array_unref);
  g_clear_pointer (&self->text_consoles, g_ptr_array_unref);
  g_clear_pointer (&self->text_console_names, g_strfreev);
  /* The header may be in the revealer: both go with the template. */
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_CONSOLE_PAGE);
  g_clear_object (&self->menu);
  g_clear_object (&self->machine_menu);
  g_clear_object (&self->sources_menu);

  G_OBJECT_CLASS (lodge_console_page_parent_class)->dispose (object);
}

static void
lodge_console_page_finalize (GObject *object)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (object);

  g_free (self->error_message);
  g_free (self->status);
  g_free (self->source);

  G_OBJECT_CLASS (lodge_console_page_parent_class)->finalize (object);
}

static void
lodge_console_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;
    case PROP_VIEW:
      g_value_set_string (value, lodge_console_page_get_view (self));
      break;
    case PROP_FIT:
      g_value_set_boolean (value, lodge_display_get_scaling (self->display) == LODGE_DISPLAY_SCALING_FIT);
      break;
    case PROP_RESIZE_GUEST:
      g_value_set_boolean (value, lodge_display_get_resize_guest (self->display));
      break;
    case PROP_SHARE_CLIPBOARD:
      g_value_set_boolean (value, lodge_display_get_share_clipboard (self->display));
      break;
    case PROP_SHARE_MICROPHONE:
      g_value_set_boolean (value, self->share_microphone);
      break;
    case PROP_FULLSCREEN:
      g_value_set_boolean (value, self->fullscreen);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_console_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LodgeConsolePage *self = LODGE_CONSOLE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      lodge_console_page_set_machine (self, g_value_get_object (value));
      break;
    case PROP_FIT:
      lodge_display_set_scaling (self->display,
                                 g_value_get_boolean (value) ? LODGE_DISPLAY_SCALING_FIT
                                                             : LODGE_DISPLAY_SCALING_ONE_TO_ONE);
      break;
    case PROP_RESIZE_GUEST:
      if (lodge_display_get_resize_guest (self->display) != g_value_get_boolean (value))
        {
          lodge_display_set_resize_guest (self->display, g_value_get_boolean (value));
          if (self->machine != NULL)
            settings_set_boolean (self->machine, "resize-guest", g_value_get_boolean (value));
        }
      break;
    case PROP_SHARE_CLIPBOARD:
      if (lodge_display_get_share_clipboard (self->display) != g_value_get_boolean (value))
        {
          lodge_display_set_share_clipboard (self->display, g_value_get_boolean (value));
          if (self->machine != NULL)
            settings_set_boolean (self->machine, "share-clipboard", g_value_get_boolean (value));
        }
      break;
    case PROP_SHARE_MICROPHONE:
      if (self->share_microphone != g_value_get_boolean (value))
        {
          lodge_console_page_set_share_microphone (self, g_value_get_boolean (value));
          if (self->machine != NULL)
            {
              settings_set_boolean (self->machine, "share-microphone", self->share_microphone);
              if (self->target != NULL)
                lodge_console_page_reconnect (self);
            }
        }
      break;
    case PROP_FULLSCREEN:
      lodge_console_page_set_fullscreen (self, g_value_get_boolean (value));
      break;
    case PROP_SOURCE:
      lodge_console_page_set_source (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The display's own notifications become the page's, for the property
 * actions of the menu. */
static void
lodge_console_page_display_notify_cb (LodgeConsolePage *self,
                                      GParamSpec       *pspec,
                                      LodgeDisplay     *display)
{
  if (g_str_equal (pspec->name, "scaling"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
  else if (g_str_equal (pspec->name, "resize-guest"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIZE_GUEST]);
  else if (g_str_equal (pspec->name, "share-clipboard"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARE_CLIPBOARD]);
}

static void
lodge_console_page_class_init (LodgeConsolePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_console_page_dispose;
  object_class->finalize = lodge_console_page_finalize;
  object_class->get_property = lodge_console_page_get_property;
  object_class->set_property = lodge_console_page_set_property;
  widget_class->root = lodge_console_page_root;
  widget_class->unroot = lodge_console_page_unroot;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, LODGE_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "connecting",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIT] =
    g_param_spec_boolean ("fit", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESIZE_GUEST] =
    g_param_spec_boolean ("resize-guest", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHARE_CLIPBOARD] =
    g_param_spec_boolean ("share-clipboard", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHARE_MICROPHONE] =
    g_param_spec_boolean ("share-microphone", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FULLSCREEN] =
    g_param_spec_boolean ("fullscreen", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* "display", or the alias of the text console shown. */
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, "display",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user wants to go back to the library. */
  signals[SIGNAL_BACK] =
    g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (LODGE_TYPE_DISPLAY);
  g_type_ensure (LODGE_TYPE_SERIAL_CONSOLE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lodge/Lodge/lodge-console-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, console_menu);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, overlay);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, fullscreen_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, content_box);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, menu_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, source_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, serial_console);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, fullscreen_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, display);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, grab_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, grab_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, transfer_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, transfer_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, transfer_progress);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, not_running_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeConsolePage, disconnected_page);
  gtk_widget_class_bind_template_callback (widget_class, lodge_console_page_back_button_clicked_cb);

  gtk_widget_class_install_action (widget_class, "console.send-key", "i",
                                   lodge_console_page_send_key_action);
  gtk_widget_class_install_property_action (widget_class, "console.fit", "fit");
  gtk_widget_class_install_action (widget_class, "console.original-size", NULL,
                                   lodge_console_page_original_size_action);
  gtk_widget_class_install_action (widget_class, "console.zoom-in", NULL,
                                   lodge_console_page_zoom_action);
  gtk_widget_class_install_action (widget_class, "console.zoom-out", NULL,
                                   lodge_console_page_zoom_action);
  gtk_widget_class_install_property_action (widget_class, "console.resize-guest", "resize-guest");
  gtk_widget_class_install_property_action (widget_class, "console.share-clipboard",
                                            "share-clipboard");
  gtk_widget_class_install_property_action (widget_class, "console.share-microphone",
                                            "share-microphone");
  gtk_widget_class_install_property_action (widget_class, "console.fullscreen", "fullscreen");
  gtk_widget_class_install_action (widget_class, "console.screenshot", NULL,
                                   lodge_console_page_screenshot_action);
  gtk_widget_class_install_action (widget_class, "console.reconnect", NULL,
                                   lodge_console_page_reconnect_action);
  gtk_widget_class_install_action (widget_class, "console.start", NULL,
                                   lodge_console_page_start_action);
  gtk_widget_class_install_action (widget_class, "console.cancel-transfer", NULL,
                                   lodge_console_page_cancel_transfer_action);
  gtk_widget_class_install_property_action (widget_class, "console.source", "source");
  gtk_widget_class_install_action (widget_class, "console.take-over", NULL,
                                   lodge_console_page_take_over_action);
  gtk_widget_class_install_action (widget_class, "console.copy", NULL,
                                   lodge_console_page_text_action);
  gtk_widget_class_install_action (widget_class, "console.paste", NULL,
                                   lodge_console_page_text_action);
  gtk_widget_class_install_action (widget_class, "console.find", NULL,
                                   lodge_console_page_text_action);

  /* Over the status pages only: the display keeps every key it gets. */
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Escape, 0, "back", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "back", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lodgeconsolepage");
}

static void
lodge_console_page_init (LodgeConsolePage *self)
{
  GtkEventController *controller;
  GtkShortcut *shortcut;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Send Key, the template's menu, and room for the window's machine
   * actions. */
  self->menu = g_menu_new ();
  {
    g_autoptr(GMenuModel) keys = lodge_ui_send_key_menu_new ("console.send-key");
    g_autoptr(GMenu) section = g_menu_new ();

    g_menu_append_submenu (section, _("Send _Key"), keys);
    g_menu_append_section (self->menu, NULL, G_MENU_MODEL (section));
  }
  g_menu_append_section (self->menu, NULL, self->console_menu);
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (self->menu));
  self->source = g_strdup ("display");
  self->sources_menu = g_menu_new ();
  gtk_menu_button_set_menu_model (self->source_button, G_MENU_MODEL (self->sources_menu));
  g_signal_connect_object (self->serial_console, "input",
                           G_CALLBACK (lodge_console_page_text_input_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->display, "notify::state",
                           G_CALLBACK (lodge_console_page_display_state_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->display, "notify::grabbed",
                           G_CALLBACK (lodge_console_page_display_grabbed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->display, "notify::release-key",
                           G_CALLBACK (lodge_console_page_display_grabbed_cb),
                           self, G_CONNECT_SWAPPED);
  /* The console layer reads no settings: the release key comes from here. */
  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "console-release-key", self->display, "release-key",
                   G_SETTINGS_BIND_GET);
  lodge_console_page_display_grabbed_cb (self, NULL, self->display);
  g_signal_connect_object (self->display, "notify",
                           G_CALLBACK (lodge_console_page_display_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->display, "files-dropped",
                           G_CALLBACK (lodge_console_page_display_files_dropped_cb),
                           self, G_CONNECT_SWAPPED);

  /* F11 must work while the display has every key: capture phase. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_F11, 0),
                               gtk_named_action_new ("console.fullscreen"));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "motion",
                           G_CALLBACK (lodge_console_page_motion_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  lodge_console_page_update (self);
}
