/* lodge-machine-item.c: one machine in the library's grid or list
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-machine-item"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-machine-item.h"
#include "ui/lodge-thumbnail.h"
#include "ui/lodge-ui-private.h"

/* Items are recycled by the grid and list views: set_machine() is called on
 * bind and with NULL on unbind, so only visible machines have handlers. */
struct _LodgeMachineItem
{
  GtkWidget     parent_instance;

  LodgeMachine *machine;
  GtkWidget    *popover;
  gboolean      list_layout;
  gboolean      show_host;

  GtkBox       *box;
  LodgeThumbnail *thumbnail;
  GtkImage     *os_image;
  GtkLabel     *name_label;
  GtkLabel     *status_label;
  GtkLabel     *usage_label;
};

G_DEFINE_FINAL_TYPE (LodgeMachineItem, lodge_machine_item, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CONTEXT_MENU,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
lodge_machine_item_update_name (LodgeMachineItem *self)
{
  const char *name = lodge_machine_get_display_name (self->machine);

  gtk_label_set_text (self->name_label, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
}

static void
lodge_machine_item_update_usage (LodgeMachineItem *self)
{
  g_autofree char *text = lodge_ui_usage_text (self->machine);

  /* In the list the column keeps its place so that rows line up. */
  gtk_widget_set_visible (GTK_WIDGET (self->usage_label), self->list_layout || text != NULL);
  gtk_label_set_text (self->usage_label, text != NULL ? text : "");
}

/* The state's dot, the state and the OS in one label: one widget
 * instead of four. The dot's colours read on light and dark styles. */
static void
lodge_machine_item_update_status (LodgeMachineItem *self)
{
  LodgeMachineState state = lodge_machine_get_state (self->machine);
  const char *os_id = lodge_machine_get_os_id (self->machine);
  const char *label = lodge_ui_state_label (state);
  const char *css_class = lodge_ui_state_css_class (state);
  const char *color = "#9a9996";
  g_autofree char *markup = NULL;

  if (g_str_equal (css_class, "running"))
    color = "#26a269";
  else if (g_str_equal (css_class, "paused"))
    color = "#e5a50a";
  else if (g_str_equal (css_class, "crashed"))
    color = "#e01b24";
  else if (g_str_equal (css_class, "saved"))
    color = "#3584e4";

  gtk_image_set_from_icon_name (self->os_image, lodge_ui_os_icon_name (os_id));
  if (self->show_host && lodge_machine_get_host (self->machine) != NULL)
    {
      g_autofree char *host = lodge_ui_host_title (lodge_machine_get_host (self->machine));

      /* Where several hosts are shown, each machine names its own. */
      markup = g_markup_printf_escaped ("<span foreground=\"%s\">●</span> %s  <span alpha=\"60%%\">%s</span>%s"
                                        "<span alpha=\"60%%\">%s</span>",
                                        color, label, lodge_ui_os_family_name (os_id),
                                        self->list_layout ? "  ·  " : "\n", host);
    }
  else
    markup = g_markup_printf_escaped ("<span foreground=\"%s\">●</span> %s  <span alpha=\"60%%\">%s</span>",
                                      color, label, lodge_ui_os_family_name (os_id));
  gtk_label_set_markup (self->status_label, markup);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, label,
                                  -1);
  lodge_machine_item_update_usage (self);
}

static void
lodge_machine_item_machine_notify_cb (LodgeMachineItem *self,
                                      GParamSpec       *pspec,
                                      LodgeMachine     *machine)
{
  const char *name = pspec->name;

  if (g_str_equal (name, "cpu-usage") || g_str_equal (name, "memory-used"))
    lodge_machine_item_update_usage (self);
  else if (g_str_equal (name, "state") || g_str_equal (name, "os-id"))
    lodge_machine_item_update_status (self);
  else if (g_str_equal (name, "display-name"))
    lodge_machine_item_update_name (self);
}

void
lodge_machine_item_set_machine (LodgeMachineItem *self,
                                LodgeMachine     *machine)
{
  g_return_if_fail (LODGE_IS_MACHINE_ITEM (self));
  g_return_if_fail (machine == NULL || LODGE_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_func (self->machine,
                                          lodge_machine_item_machine_notify_cb,
                                          self);
  g_set_object (&self->machine, machine);
  lodge_thumbnail_set_machine (self->thumbnail, machine);

  if (self->popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->popover));

  if (machine == NULL)
    return;

  g_signal_connect_object (machine, "notify",
                           G_CALLBACK (lodge_machine_item_machine_notify_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_machine_item_update_name (self);
  lodge_machine_item_update_status (self);
}

LodgeMachine *
lodge_machine_item_get_machine (LodgeMachineItem *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_ITEM (self), NULL);

  return self->machine;
}

void
lodge_machine_item_popup_menu (LodgeMachineItem *self,
                               GMenuModel       *menu,
                               double            x,
                               double            y)
{
  GdkRectangle rect;

  g_return_if_fail (LODGE_IS_MACHINE_ITEM (self));
  g_return_if_fail (G_IS_MENU_MODEL (menu));

  if (self->popover == NULL)
    {
      self->popover = gtk_popover_menu_new_from_model (menu);
      gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), x >= 0);
    }
  else
    gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->popover), menu);

  if (x < 0)
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  rect = (GdkRectangle) { (int) x, (int) y, 1, 1 };
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover), &rect);
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

static void
lodge_machine_item_click_pressed_cb (LodgeMachineItem *self,
                                     int               n_press,
                                     double            x,
                                     double            y,
                                     GtkGestureClick  *gesture)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (gesture));

  if (event == NULL || !gdk_event_triggers_context_menu (event))
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, signals[SIGNAL_CONTEXT_MENU], 0, x, y);
}

static void
lodge_machine_item_long_press_pressed_cb (LodgeMachineItem     *self,
                                          double                x,
                                          double                y,
                                          GtkGestureLongPress  *gesture)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, signals[SIGNAL_CONTEXT_MENU], 0, x, y);
}

static void
lodge_machine_item_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  LodgeMachineItem *self = LODGE_MACHINE_ITEM (widget);

  gtk_widget_measure (GTK_WIDGET (self->box), orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static void
lodge_machine_item_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  LodgeMachineItem *self = LODGE_MACHINE_ITEM (widget);

  gtk_widget_allocate (GTK_WIDGET (self->box), width, height, baseline, NULL);
  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));
}

static GtkSizeRequestMode
lodge_machine_item_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
lodge_machine_item_dispose (GObject *object)
{
  LodgeMachineItem *self = LODGE_MACHINE_ITEM (object);

  lodge_machine_item_set_machine (self, NULL);
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_MACHINE_ITEM);

  G_OBJECT_CLASS (lodge_machine_item_parent_class)->dispose (object);
}

static void
lodge_machine_item_class_init (LodgeMachineItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_machine_item_dispose;

  widget_class->measure = lodge_machine_item_measure;
  widget_class->size_allocate = lodge_machine_item_size_allocate;
  widget_class->get_request_mode = lodge_machine_item_get_request_mode;

  /* Asks the window to select this machine and show its menu at (x, y). */
  signals[SIGNAL_CONTEXT_MENU] =
    g_signal_new ("context-menu",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lodge/Lodge/lodge-machine-item.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeMachineItem, box);
  g_type_ensure (LODGE_TYPE_THUMBNAIL);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachineItem, thumbnail);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachineItem, os_image);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachineItem, name_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachineItem, status_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachineItem, usage_label);

  gtk_widget_class_set_css_name (widget_class, "lodgemachineitem");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lodge_machine_item_init (LodgeMachineItem *self)
{
  GtkGesture *click;
  GtkGesture *long_press;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* A running machine's live screen takes the place of its OS icon. */
  g_object_bind_property (self->thumbnail, "has-picture", self->os_image, "visible",
                          G_BINDING_INVERT_BOOLEAN | G_BINDING_SYNC_CREATE);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect_swapped (click, "pressed",
                            G_CALLBACK (lodge_machine_item_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect_swapped (long_press, "pressed",
                            G_CALLBACK (lodge_machine_item_long_press_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (long_press));
}

GtkWidget *
lodge_machine_item_new (gboolean list_layout)
{
  LodgeMachineItem *self = g_object_new (LODGE_TYPE_MACHINE_ITEM, NULL);

  self->list_layout = list_layout;
  if (list_layout)
    {
      /* One row: icon, name, state and system, usage. */
      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->box), GTK_ORIENTATION_HORIZONTAL);
      gtk_box_set_spacing (self->box, 12);
      gtk_image_set_pixel_size (self->os_image, 32);
      lodge_thumbnail_set_width (self->thumbnail, 56);
      gtk_widget_set_hexpand (GTK_WIDGET (self->name_label), TRUE);
      gtk_label_set_xalign (self->name_label, 0.0);
      gtk_label_set_justify (self->name_label, GTK_JUSTIFY_LEFT);
      gtk_label_set_max_width_chars (self->name_label, 60);
      gtk_label_set_xalign (self->status_label, 0.0);
      gtk_label_set_justify (self->status_label, GTK_JUSTIFY_LEFT);
      gtk_widget_set_size_request (GTK_WIDGET (self->status_label), 220, -1);
      gtk_label_set_xalign (self->usage_label, 1.0);
      gtk_widget_set_size_request (GTK_WIDGET (self->usage_label), 150, -1);
      gtk_widget_add_css_class (GTK_WIDGET (self), "list");
    }
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "grid");

  return GTK_WIDGET (self);
}

void
lodge_machine_item_set_show_host (LodgeMachineItem *self,
                                  gboolean          show_host)
{
  g_return_if_fail (LODGE_IS_MACHINE_ITEM (self));

  show_host = !!show_host;
  if (self->show_host == show_host)
    return;
  self->show_host = show_host;
  if (self->machine != NULL)
    lodge_machine_item_update_status (self);
}
