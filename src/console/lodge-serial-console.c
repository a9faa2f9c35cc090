/* lodge-serial-console.c: a terminal for a machine's serial or text console
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-serial-console"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>
#include <vte/vte.h>

#include "console/lodge-serial-console.h"

/* Enough for a boot log with a kernel's worth of messages, bounded so
 * that a guest printing without end costs a fixed amount of memory. */
#define SCROLLBACK_LINES 10000
#define FONT_SCALE_MIN   0.5
#define FONT_SCALE_MAX   3.0
#define FONT_SCALE_STEP  1.2

struct _LodgeSerialConsole
{
  GtkWidget       parent_instance;

  char           *status;
  char           *search_text;
  double          font_scale;

  GtkWidget      *box;              /* the only child but the menu */
  GtkRevealer    *status_revealer;
  GtkLabel       *status_label;
  GtkButton      *status_button;
  GtkSearchBar   *search_bar;
  GtkSearchEntry *search_entry;
  VteTerminal    *terminal;
  GtkWidget      *context_menu;
};

G_DEFINE_FINAL_TYPE (LodgeSerialConsole, lodge_serial_console, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FONT_SCALE,
  N_PROPS
};

enum {
  SIGNAL_INPUT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
lodge_serial_console_update_actions (LodgeSerialConsole *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean connected = self->status == NULL;
  gboolean searching = self->search_text != NULL && *self->search_text != '\0';

  gtk_widget_action_set_enabled (widget, "serial.copy",
                                 vte_terminal_get_has_selection (self->terminal));
  gtk_widget_action_set_enabled (widget, "serial.paste", connected);
  gtk_widget_action_set_enabled (widget, "serial.zoom-in", self->font_scale < FONT_SCALE_MAX - 0.001);
  gtk_widget_action_set_enabled (widget, "serial.zoom-out", self->font_scale > FONT_SCALE_MIN + 0.001);
  gtk_widget_action_set_enabled (widget, "serial.zoom-reset", self->font_scale != 1.0);
  gtk_widget_action_set_enabled (widget, "serial.find-next", searching);
  gtk_widget_action_set_enabled (widget, "serial.find-previous", searching);
}

/* Input ----------------------------------------------------------------- */

static void
lodge_serial_console_terminal_commit_cb (LodgeSerialConsole *self,
                                         const char         *text,
                                         guint               size,
                                         VteTerminal        *terminal)
{
  g_autoptr(GBytes) bytes = NULL;

  /* Typed or pasted; nothing goes anywhere without a stream. */
  if (self->status != NULL || size == 0)
    return;
  bytes = g_bytes_new (text, size);
  g_signal_emit (self, signals[SIGNAL_INPUT], 0, bytes);
}

static void
lodge_serial_console_terminal_selection_changed_cb (LodgeSerialConsole *self,
                                                    VteTerminal        *terminal)
{
  lodge_serial_console_update_actions (self);
}

/* Search ---------------------------------------------------------------- */

/* Whether the pattern changed. */
static gboolean
lodge_serial_console_set_search_text (LodgeSerialConsole *self,
                                      const char         *text)
{
  g_autoptr(VteRegex) regex = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pattern = NULL;

  if (g_strcmp0 (self->search_text, text) == 0)
    return FALSE;
  g_free (self->search_text);
  self->search_text = g_strdup (text);
  lodge_serial_console_update_actions (self);

  if (text == NULL || *text == '\0')
    {
      vte_terminal_search_set_regex (self->terminal, NULL, 0);
      return TRUE;
    }
  /* What the user typed, literally. */
  pattern = g_regex_escape_string (text, -1);
  regex = vte_regex_new_for_search (pattern, -1,
                                    PCRE2_UTF | PCRE2_MULTILINE | PCRE2_CASELESS, &error);
  if (regex == NULL)
    {
      g_warning ("Cannot search for “%s”: %s", text, error->message);
      vte_terminal_search_set_regex (self->terminal, NULL, 0);
      return TRUE;
    }
  vte_terminal_search_set_regex (self->terminal, regex, 0);
  vte_terminal_search_set_wrap_around (self->terminal, TRUE);
  return TRUE;
}

static gboolean
lodge_serial_console_selection_matches (LodgeSerialConsole *self)
{
  g_autofree char *selected = NULL;
  g_autofree char *haystack = NULL;
  g_autofree char *needle = NULL;

  if (!vte_terminal_get_has_selection (self->terminal))
    return FALSE;
  selected = vte_terminal_get_text_selected (self->terminal, VTE_FORMAT_TEXT);
  if (selected == NULL)
    return FALSE;
  haystack = g_utf8_casefold (selected, -1);
  needle = g_utf8_casefold (self->search_text, -1);
  return strstr (haystack, needle) != NULL;
}

static gboolean
lodge_serial_console_search (LodgeSerialConsole *self,
                             gboolean            backwards)
{
  gboolean found;
  gboolean on_match;

  if (self->search_text == NULL || *self->search_text == '\0')
    return FALSE;
  /* VTE looks around the selection, not in it, and drops the selection
   * when it finds nothing there: the only match, already selected, is
   * then found again from the end. */
  on_match = lodge_serial_console_selection_matches (self);
  found = backwards ? vte_terminal_search_find_previous (self->terminal)
                    : vte_terminal_search_find_next (self->terminal);
  if (!found && on_match)
    found = backwards ? vte_terminal_search_find_previous (self->terminal)
                      : vte_terminal_search_find_next (self->terminal);
  /* Said in red, and to screen readers through the entry's state. */
  if (found)
    gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->search_entry),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               found ? GTK_ACCESSIBLE_INVALID_FALSE : GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  return found;
}

static void
lodge_serial_console_search_entry_search_changed_cb (LodgeSerialConsole *self,
                                                     GtkSearchEntry     *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  /* Already searched for (lodge_serial_console_find). */
  if (!lodge_serial_console_set_search_text (self, text))
    return;
  if (*text == '\0')
    {
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      vte_terminal_unselect_all (self->terminal);
      return;
    }
  /* From the newest line backwards: what was just printed is what one
   * looks for first. */
  lodge_serial_console_search (self, TRUE);
}

static void
lodge_serial_console_search_entry_activate_cb (LodgeSerialConsole *self,
                                               GtkSearchEntry     *entry)
{
  lodge_serial_console_search (self, TRUE);
}

static void
lodge_serial_console_search_entry_next_match_cb (LodgeSerialConsole *self,
                                                 GtkSearchEntry     *entry)
{
  lodge_serial_console_search (self, FALSE);
}

static void
lodge_serial_console_search_entry_previous_match_cb (LodgeSerialConsole *self,
                                                     GtkSearchEntry     *entry)
{
  lodge_serial_console_search (self, TRUE);
}

static void
lodge_serial_console_search_entry_stop_search_cb (LodgeSerialConsole *self,
                                                  GtkSearchEntry     *entry)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* Actions --------------------------------------------------------------- */

static void
lodge_serial_console_copy_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (widget);

  vte_terminal_copy_clipboard_format (self->terminal, VTE_FORMAT_TEXT);
}

static void
lodge_serial_console_paste_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (widget);

  /* The text comes back through "commit". */
  vte_terminal_paste_clipboard (self->terminal);
}

static void
lodge_serial_console_select_all_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  vte_terminal_select_all (LODGE_SERIAL_CONSOLE (widget)->terminal);
}

static void
lodge_serial_console_zoom_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (widget);

  if (g_str_equal (action_name, "serial.zoom-in"))
    lodge_serial_console_set_font_scale (self, self->font_scale * FONT_SCALE_STEP);
  else if (g_str_equal (action_name, "serial.zoom-out"))
    lodge_serial_console_set_font_scale (self, self->font_scale / FONT_SCALE_STEP);
  else
    lodge_serial_console_set_font_scale (self, 1.0);
}

static void
lodge_serial_console_find_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (widget);

  if (g_str_equal (action_name, "serial.find"))
    {
      gtk_search_bar_set_search_mode (self->search_bar, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
  else
    lodge_serial_console_search (self, g_str_equal (action_name, "serial.find-previous"));
}

/* Context menu ---------------------------------------------------------- */

static void
lodge_serial_console_terminal_pressed_cb (LodgeSerialConsole *self,
                                          int                 n_press,
                                          double              x,
                                          double              y,
                                          GtkGestureClick    *gesture)
{
  graphene_point_t point;

  if (!gtk_widget_compute_point (GTK_WIDGET (self->terminal), GTK_WIDGET (self),
                                 &GRAPHENE_POINT_INIT (x, y), &point))
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu),
                               &(GdkRectangle) { (int) point.x, (int) point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static GMenuModel *
lodge_serial_console_build_menu (void)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) edit = g_menu_new ();
  g_autoptr(GMenu) find = g_menu_new ();
  g_autoptr(GMenu) zoom = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;

  item = g_menu_item_new (_("_Copy"), "serial.copy");
  g_menu_item_set_attribute (item, "accel", "s", "<Control><Shift>c");
  g_menu_append_item (edit, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Paste"), "serial.paste");
  g_menu_item_set_attribute (item, "accel", "s", "<Control><Shift>v");
  g_menu_append_item (edit, item);
  g_clear_object (&item);
  g_menu_append (edit, _("Select _All"), "serial.select-all");
  item = g_menu_item_new (_("_Find…"), "serial.find");
  g_menu_item_set_attribute (item, "accel", "s", "<Control><Shift>f");
  g_menu_append_item (find, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("Zoom _In"), "serial.zoom-in");
  g_menu_item_set_attribute (item, "accel", "s", "<Control>plus");
  g_menu_append_item (zoom, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("Zoom _Out"), "serial.zoom-out");
  g_menu_item_set_attribute (item, "accel", "s", "<Control>minus");
  g_menu_append_item (zoom, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Normal Size"), "serial.zoom-reset");
  g_menu_item_set_attribute (item, "accel", "s", "<Control>0");
  g_menu_append_item (zoom, item);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (edit));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (find));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (zoom));
  return G_MENU_MODEL (menu);
}

/* Public API ------------------------------------------------------------ */

GtkWidget *
lodge_serial_console_new (void)
{
  return g_object_new (LODGE_TYPE_SERIAL_CONSOLE, NULL);
}

void
lodge_serial_console_feed (LodgeSerialConsole *self,
                           const char         *data,
                           gsize               length)
{
  g_return_if_fail (LODGE_IS_SERIAL_CONSOLE (self));
  g_return_if_fail (data != NULL || length == 0);

  vte_terminal_feed (self->terminal, data, (gssize) length);
}

void
lodge_serial_console_reset (LodgeSerialConsole *self)
{
  g_return_if_fail (LODGE_IS_SERIAL_CONSOLE (self));

  vte_terminal_reset (self->terminal, TRUE, TRUE);
}

void
lodge_serial_console_set_status (LodgeSerialConsole *self,
                                 const char         *message,
                                 const char         *button_label,
                                 const char         *action_name)
{
  g_return_if_fail (LODGE_IS_SERIAL_CONSOLE (self));

  if (g_strcmp0 (self->status, message) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (message);
    }
  if (message != NULL)
    gtk_label_set_text (self->status_label, message);
  gtk_revealer_set_reveal_child (self->status_revealer, message != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->status_button),
                          message != NULL && button_label != NULL && action_name != NULL);
  if (button_label != NULL)
    gtk_button_set_label (self->status_button, button_label);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->status_button), action_name);
  vte_terminal_set_input_enabled (self->terminal, message == NULL);
  lodge_serial_console_update_actions (self);
}

const char *
lodge_serial_console_get_status (LodgeSerialConsole *self)
{
  g_return_val_if_fail (LODGE_IS_SERIAL_CONSOLE (self), NULL);

  return self->status;
}

void
lodge_serial_console_set_name (LodgeSerialConsole *self,
                               const char         *name)
{
  g_return_if_fail (LODGE_IS_SERIAL_CONSOLE (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->terminal),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  name != NULL ? name : _("Text console"), -1);
}

double
lodge_serial_console_get_font_scale (LodgeSerialConsole *self)
{
  g_return_val_if_fail (LODGE_IS_SERIAL_CONSOLE (self), 1.0);

  return self->font_scale;
}

void
lodge_serial_console_set_font_scale (LodgeSerialConsole *self,
                                     double              scale)
{
  g_return_if_fail (LODGE_IS_SERIAL_CONSOLE (self));

  scale = CLAMP (scale, FONT_SCALE_MIN, FONT_SCALE_MAX);
  /* Steps that come back to 1 land on 1. */
  if (G_APPROX_VALUE (scale, 1.0, 0.01))
    scale = 1.0;
  if (scale == self->font_scale)
    return;
  self->font_scale = scale;
  vte_terminal_set_font_scale (self->terminal, scale);
  lodge_serial_console_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FONT_SCALE]);
}

gboolean
lodge_serial_console_find (LodgeSerialConsole *self,
                           const char         *text,
                           gboolean            backwards)
{
  g_return_val_if_fail (LODGE_IS_SERIAL_CONSOLE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  /* The entry's own search-changed comes later (it waits for typing to
   * pause): the pattern is set here. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  lodge_serial_console_set_search_text (self, text);
  return lodge_serial_console_search (self, backwards);
}

gboolean
lodge_serial_console_get_search_visible (LodgeSerialConsole *self)
{
  g_return_val_if_fail (LODGE_IS_SERIAL_CONSOLE (self), FALSE);

  return gtk_search_bar_get_search_mode (self->search_bar);
}

char *
lodge_serial_console_get_text (LodgeSerialConsole *self)
{
  GtkAdjustment *adjustment;
  glong cursor_row = 0;
  glong kept, first;

  g_return_val_if_fail (LODGE_IS_SERIAL_CONSOLE (self), NULL);

  /* Rows are counted from the terminal's first line ever; the adjustment
   * spans the ones still kept, and the cursor is on the newest. */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->terminal));
  kept = (glong) (gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_lower (adjustment));
  vte_terminal_get_cursor_position (self->terminal, NULL, &cursor_row);
  first = MAX (0, cursor_row - kept);
  return vte_terminal_get_text_range (self->terminal, first, 0,
                                      cursor_row + vte_terminal_get_row_count (self->terminal),
                                      vte_terminal_get_column_count (self->terminal),
                                      NULL, NULL, NULL);
}

char *
lodge_serial_console_get_selected_text (LodgeSerialConsole *self)
{
  g_return_val_if_fail (LODGE_IS_SERIAL_CONSOLE (self), NULL);

  if (!vte_terminal_get_has_selection (self->terminal))
    return NULL;
  return vte_terminal_get_text_selected (self->terminal, VTE_FORMAT_TEXT);
}

GtkWidget *
lodge_serial_console_get_terminal (LodgeSerialConsole *self)
{
  g_return_val_if_fail (LODGE_IS_SERIAL_CONSOLE (self), NULL);

  return GTK_WIDGET (self->terminal);
}

/* GObject --------------------------------------------------------------- */

static void
lodge_serial_console_dispose (GObject *object)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (object);

  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (lodge_serial_console_parent_class)->dispose (object);
}

static void
lodge_serial_console_finalize (GObject *object)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (object);

  g_free (self->status);
  g_free (self->search_text);

  G_OBJECT_CLASS (lodge_serial_console_parent_class)->finalize (object);
}

/* No layout manager: the context menu is a child too, and a popover is
 * placed with gtk_popover_present(), not allocated. */
static void
lodge_serial_console_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  gtk_widget_measure (LODGE_SERIAL_CONSOLE (widget)->box, orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static void
lodge_serial_console_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (widget);

  gtk_widget_allocate (self->box, width, height, baseline, NULL);
  gtk_popover_present (GTK_POPOVER (self->context_menu));
}

static void
lodge_serial_console_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_FONT_SCALE:
      g_value_set_double (value, self->font_scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_serial_console_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LodgeSerialConsole *self = LODGE_SERIAL_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_FONT_SCALE:
      lodge_serial_console_set_font_scale (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_shortcut (GtkShortcutController *controller,
              guint                  keyval,
              GdkModifierType        modifiers,
              const char            *action_name)
{
  gtk_shortcut_controller_add_shortcut (controller,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (keyval, modifiers),
                                                          gtk_named_action_new (action_name)));
}

static void
lodge_serial_console_class_init (LodgeSerialConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_serial_console_dispose;
  object_class->finalize = lodge_serial_console_finalize;
  object_class->get_property = lodge_serial_console_get_property;
  object_class->set_property = lodge_serial_console_set_property;
  widget_class->measure = lodge_serial_console_measure;
  widget_class->size_allocate = lodge_serial_console_size_allocate;

  properties[PROP_FONT_SCALE] =
    g_param_spec_double ("font-scale", NULL, NULL, FONT_SCALE_MIN, FONT_SCALE_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* What to send to the guest: typed keys and pasted text. */
  signals[SIGNAL_INPUT] =
    g_signal_new ("input", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);

  gtk_widget_class_install_action (widget_class, "serial.copy", NULL, lodge_serial_console_copy_action);
  gtk_widget_class_install_action (widget_class, "serial.paste", NULL, lodge_serial_console_paste_action);
  gtk_widget_class_install_action (widget_class, "serial.select-all", NULL,
                                   lodge_serial_console_select_all_action);
  gtk_widget_class_install_action (widget_class, "serial.zoom-in", NULL, lodge_serial_console_zoom_action);
  gtk_widget_class_install_action (widget_class, "serial.zoom-out", NULL, lodge_serial_console_zoom_action);
  gtk_widget_class_install_action (widget_class, "serial.zoom-reset", NULL, lodge_serial_console_zoom_action);
  gtk_widget_class_install_action (widget_class, "serial.find", NULL, lodge_serial_console_find_action);
  gtk_widget_class_install_action (widget_class, "serial.find-next", NULL, lodge_serial_console_find_action);
  gtk_widget_class_install_action (widget_class, "serial.find-previous", NULL,
                                   lodge_serial_console_find_action);

  gtk_widget_class_set_css_name (widget_class, "lodgeserialconsole");
}

static void
lodge_serial_console_init (LodgeSerialConsole *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkWidget *box;
  GtkWidget *button;
  GtkWidget *scrollbar;
  GtkEventController *controller;
  GtkGesture *gesture;
  g_autoptr(GMenuModel) menu = NULL;
  GdkRGBA foreground, background;

  self->font_scale = 1.0;
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, widget);

  /* The status line: why there is no stream, and what to do. */
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (box, "lodge-serial-status");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_width_chars (self->status_label, 30);
  gtk_label_set_xalign (self->status_label, 0.0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->status_label), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));
  self->status_button = GTK_BUTTON (gtk_button_new ());
  gtk_button_set_use_underline (self->status_button, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->status_button), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->status_button), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_button));
  self->status_revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (self->status_revealer, box);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->status_revealer));

  /* The search bar. */
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (box, "linked");
  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_editable_set_width_chars (GTK_EDITABLE (self->search_entry), 30);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Find in the console"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->search_entry));
  button = gtk_button_new_from_icon_name ("go-up-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "serial.find-previous");
  gtk_widget_set_tooltip_text (button, _("Previous Match"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Previous Match"), -1);
  gtk_box_append (GTK_BOX (box), button);
  button = gtk_button_new_from_icon_name ("go-down-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "serial.find-next");
  gtk_widget_set_tooltip_text (button, _("Next Match"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Next Match"), -1);
  gtk_box_append (GTK_BOX (box), button);
  self->search_bar = GTK_SEARCH_BAR (gtk_search_bar_new ());
  gtk_search_bar_set_child (self->search_bar, box);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_show_close_button (self->search_bar, TRUE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->search_bar));
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (lodge_serial_console_search_entry_search_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "activate",
                           G_CALLBACK (lodge_serial_console_search_entry_activate_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "next-match",
                           G_CALLBACK (lodge_serial_console_search_entry_next_match_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "previous-match",
                           G_CALLBACK (lodge_serial_console_search_entry_previous_match_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "stop-search",
                           G_CALLBACK (lodge_serial_console_search_entry_stop_search_cb),
                           self, G_CONNECT_SWAPPED);

  /* The terminal and its scroll bar. */
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_vexpand (box, TRUE);
  self->terminal = VTE_TERMINAL (vte_terminal_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->terminal), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->terminal), TRUE);
  vte_terminal_set_scrollback_lines (self->terminal, SCROLLBACK_LINES);
  vte_terminal_set_scroll_on_output (self->terminal, FALSE);
  vte_terminal_set_scroll_on_keystroke (self->terminal, TRUE);
  vte_terminal_set_mouse_autohide (self->terminal, TRUE);
  /* Light text on dark, like the guest's own console. */
  gdk_rgba_parse (&foreground, "#deddda");
  gdk_rgba_parse (&background, "#1e1e1e");
  vte_terminal_set_colors (self->terminal, &foreground, &background, NULL, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->terminal));
  scrollbar = gtk_scrollbar_new (GTK_ORIENTATION_VERTICAL,
                                 gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->terminal)));
  gtk_box_append (GTK_BOX (box), scrollbar);
  gtk_box_append (GTK_BOX (self->box), box);
  lodge_serial_console_set_name (self, NULL);
  g_signal_connect_object (self->terminal, "commit",
                           G_CALLBACK (lodge_serial_console_terminal_commit_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->terminal, "selection-changed",
                           G_CALLBACK (lodge_serial_console_terminal_selection_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* The context menu. */
  menu = lodge_serial_console_build_menu ();
  self->context_menu = gtk_popover_menu_new_from_model (menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
  gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->context_menu, widget);
  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (gesture, "pressed",
                           G_CALLBACK (lodge_serial_console_terminal_pressed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->terminal), GTK_EVENT_CONTROLLER (gesture));

  /* Before the terminal sees them: it would send them to the guest. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_C, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "serial.copy");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_V, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "serial.paste");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_F, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "serial.find");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_plus, GDK_CONTROL_MASK, "serial.zoom-in");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_equal, GDK_CONTROL_MASK, "serial.zoom-in");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_KP_Add, GDK_CONTROL_MASK, "serial.zoom-in");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_minus, GDK_CONTROL_MASK, "serial.zoom-out");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "serial.zoom-out");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_0, GDK_CONTROL_MASK, "serial.zoom-reset");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), GDK_KEY_KP_0, GDK_CONTROL_MASK, "serial.zoom-reset");
  gtk_widget_add_controller (widget, controller);

  lodge_serial_console_update_actions (self);
}
