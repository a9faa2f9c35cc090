/* lodge-machine-page.c: the page of one opened machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-machine-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-machine-page.h"
#include "ui/lodge-ui-private.h"

/* For now a placeholder that names the machine and its state: the console
 * widget (issue 3) takes its place. */
struct _LodgeMachinePage
{
  GtkWidget       parent_instance;

  LodgeMachine   *machine;

  GtkWidget      *box;
  AdwWindowTitle *window_title;
  AdwStatusPage  *status_page;
  GtkLabel       *state_label;
  GtkMenuButton  *menu_button;
};

G_DEFINE_FINAL_TYPE (LodgeMachinePage, lodge_machine_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MACHINE,
  N_PROPS
};

enum {
  SIGNAL_BACK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
lodge_machine_page_update (LodgeMachinePage *self)
{
  const char *name;
  LodgeMachineState state;

  if (self->machine == NULL)
    return;

  name = lodge_machine_get_display_name (self->machine);
  state = lodge_machine_get_state (self->machine);
  adw_window_title_set_title (self->window_title, name);
  adw_window_title_set_subtitle (self->window_title, lodge_ui_state_label (state));
  adw_status_page_set_title (self->status_page, name);
  adw_status_page_set_icon_name (self->status_page,
                                 lodge_ui_os_icon_name (lodge_machine_get_os_id (self->machine)));
  gtk_label_set_text (self->state_label, lodge_ui_state_label (state));
}

static void
lodge_machine_page_machine_notify_cb (LodgeMachinePage *self,
                                      GParamSpec       *pspec,
                                      LodgeMachine     *machine)
{
  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "display-name")
      || g_str_equal (pspec->name, "os-id"))
    lodge_machine_page_update (self);
}

LodgeMachine *
lodge_machine_page_get_machine (LodgeMachinePage *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_PAGE (self), NULL);

  return self->machine;
}

void
lodge_machine_page_set_machine (LodgeMachinePage *self,
                                LodgeMachine     *machine)
{
  g_return_if_fail (LODGE_IS_MACHINE_PAGE (self));
  g_return_if_fail (machine == NULL || LODGE_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_func (self->machine,
                                          lodge_machine_page_machine_notify_cb, self);
  g_set_object (&self->machine, machine);
  if (machine != NULL)
    g_signal_connect_object (machine, "notify",
                             G_CALLBACK (lodge_machine_page_machine_notify_cb),
                             self, G_CONNECT_SWAPPED);
  lodge_machine_page_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

void
lodge_machine_page_set_menu (LodgeMachinePage *self,
                             GMenuModel       *menu)
{
  g_return_if_fail (LODGE_IS_MACHINE_PAGE (self));

  gtk_menu_button_set_menu_model (self->menu_button, menu);
}

static void
lodge_machine_page_back_button_clicked_cb (LodgeMachinePage *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static void
lodge_machine_page_dispose (GObject *object)
{
  LodgeMachinePage *self = LODGE_MACHINE_PAGE (object);

  lodge_machine_page_set_machine (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_MACHINE_PAGE);

  G_OBJECT_CLASS (lodge_machine_page_parent_class)->dispose (object);
}

static void
lodge_machine_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LodgeMachinePage *self = LODGE_MACHINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_machine_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LodgeMachinePage *self = LODGE_MACHINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      lodge_machine_page_set_machine (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_machine_page_class_init (LodgeMachinePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_machine_page_dispose;
  object_class->get_property = lodge_machine_page_get_property;
  object_class->set_property = lodge_machine_page_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL,
                         LODGE_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user wants to go back to the library. */
  signals[SIGNAL_BACK] =
    g_signal_new ("back",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lodge/Lodge/lodge-machine-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeMachinePage, box);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachinePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachinePage, status_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachinePage, state_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeMachinePage, menu_button);
  gtk_widget_class_bind_template_callback (widget_class, lodge_machine_page_back_button_clicked_cb);

  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Escape, 0, "back", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "back", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
lodge_machine_page_init (LodgeMachinePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
