/* lodge-preferences-window.c: the preferences window
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-preferences-window.h"

/* Every row is bound to its GSettings key: changes apply at once. */
struct _LodgePreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  GtkSwitch            *list_switch;
  GtkSpinButton        *interval_spin;
  AdwEntryRow          *uri_row;
  GtkSwitch            *emulation_switch;
};

G_DEFINE_FINAL_TYPE (LodgePreferencesWindow, lodge_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
view_mode_get_mapping (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  g_value_set_boolean (value, g_strcmp0 (g_variant_get_string (variant, NULL), "list") == 0);
  return TRUE;
}

static GVariant *
view_mode_set_mapping (const GValue       *value,
                       const GVariantType *expected_type,
                       gpointer            user_data)
{
  return g_variant_new_string (g_value_get_boolean (value) ? "list" : "grid");
}

static gboolean
interval_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant));
  return TRUE;
}

static GVariant *
interval_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) CLAMP (g_value_get_double (value), 0, 3600));
}

static void
lodge_preferences_window_uri_row_apply_cb (LodgePreferencesWindow *self,
                                           AdwEntryRow            *row)
{
  g_autofree char *uri = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  g_settings_set_string (self->settings, "default-uri", uri);
}

static void
lodge_preferences_window_dispose (GObject *object)
{
  LodgePreferencesWindow *self = LODGE_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (lodge_preferences_window_parent_class)->dispose (object);
}

static void
lodge_preferences_window_class_init (LodgePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lodge/Lodge/lodge-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgePreferencesWindow, list_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgePreferencesWindow, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, LodgePreferencesWindow, uri_row);
  gtk_widget_class_bind_template_child (widget_class, LodgePreferencesWindow, emulation_switch);
  gtk_widget_class_bind_template_callback (widget_class, lodge_preferences_window_uri_row_apply_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
lodge_preferences_window_init (LodgePreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

LodgePreferencesWindow *
lodge_preferences_window_new (GSettings *settings)
{
  LodgePreferencesWindow *self;
  g_autofree char *uri = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (LODGE_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind_with_mapping (settings, "view-mode", self->list_switch, "active",
                                G_SETTINGS_BIND_DEFAULT,
                                view_mode_get_mapping, view_mode_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (settings, "stats-interval", self->interval_spin, "value",
                                G_SETTINGS_BIND_DEFAULT,
                                interval_get_mapping, interval_set_mapping, NULL, NULL);
  g_settings_bind (settings, "force-emulation", self->emulation_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  uri = g_settings_get_string (settings, "default-uri");
  gtk_editable_set_text (GTK_EDITABLE (self->uri_row), uri);

  return self;
}
