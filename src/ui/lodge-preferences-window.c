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
  GtkSwitch            *emulation_switch;
  AdwComboRow          *release_key_row;
  GtkStringList        *release_keys;   /* accelerators, one per row item */
  gboolean              updating_release_key;
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

/* The console's release key: a few usual choices, and whatever else the
 * setting holds (set with gsettings), shown as it is. */
static const char * const release_key_choices[] = {
  "<Control><Alt>",
  "<Control><Alt><Shift>",
  "<Shift>F12",
  "<Control><Alt>g",
  NULL
};
#define N_RELEASE_KEY_CHOICES (G_N_ELEMENTS (release_key_choices) - 1)

static void
lodge_preferences_window_release_key_changed_cb (LodgePreferencesWindow *self,
                                                 const char             *key,
                                                 GSettings              *settings)
{
  g_autofree char *accel = g_settings_get_string (settings, "console-release-key");
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint selected = GTK_INVALID_LIST_POSITION;
  guint n;

  /* Rebuild the list only when the setting is not one of its items. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->release_keys));
  for (guint i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->release_keys, i), accel))
      selected = i;
  if (selected == GTK_INVALID_LIST_POSITION)
    {
      g_autoptr(GtkStringList) accels = gtk_string_list_new (release_key_choices);
      GdkModifierType mods;
      guint keyval;

      if (gtk_accelerator_parse (accel, &keyval, &mods) && (keyval != 0 || mods != 0))
        {
          for (guint i = 0; i < N_RELEASE_KEY_CHOICES; i++)
            if (g_str_equal (release_key_choices[i], accel))
              selected = i;
          if (selected == GTK_INVALID_LIST_POSITION)
            {
              gtk_string_list_append (accels, accel);
              selected = N_RELEASE_KEY_CHOICES;
            }
        }
      else
        selected = 0;
      n = g_list_model_get_n_items (G_LIST_MODEL (accels));
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *label = NULL;

          gtk_accelerator_parse (gtk_string_list_get_string (accels, i), &keyval, &mods);
          label = gtk_accelerator_get_label (keyval, mods);
          gtk_string_list_append (labels, label);
        }
      g_set_object (&self->release_keys, accels);
      self->updating_release_key = TRUE;
      adw_combo_row_set_model (self->release_key_row, G_LIST_MODEL (labels));
      self->updating_release_key = FALSE;
    }
  adw_combo_row_set_selected (self->release_key_row, selected);
}

static void
lodge_preferences_window_release_key_row_selected_cb (LodgePreferencesWindow *self,
                                                      GParamSpec             *pspec,
                                                      AdwComboRow            *row)
{
  guint selected = adw_combo_row_get_selected (row);
  g_autofree char *current = NULL;
  const char *accel;

  if (self->updating_release_key || self->settings == NULL || self->release_keys == NULL ||
      selected >= g_list_model_get_n_items (G_LIST_MODEL (self->release_keys)))
    return;
  accel = gtk_string_list_get_string (self->release_keys, selected);
  current = g_settings_get_string (self->settings, "console-release-key");
  if (!g_str_equal (current, accel))
    g_settings_set_string (self->settings, "console-release-key", accel);
}

static void
lodge_preferences_window_dispose (GObject *object)
{
  LodgePreferencesWindow *self = LODGE_PREFERENCES_WINDOW (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->release_keys);
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
  gtk_widget_class_bind_template_child (widget_class, LodgePreferencesWindow, emulation_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgePreferencesWindow, release_key_row);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
lodge_preferences_window_init (LodgePreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->release_keys = gtk_string_list_new (NULL);
}

LodgePreferencesWindow *
lodge_preferences_window_new (GSettings *settings)
{
  LodgePreferencesWindow *self;

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

  g_signal_connect_object (settings, "changed::console-release-key",
                           G_CALLBACK (lodge_preferences_window_release_key_changed_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_preferences_window_release_key_changed_cb (self, "console-release-key", settings);
  g_signal_connect_object (self->release_key_row, "notify::selected",
                           G_CALLBACK (lodge_preferences_window_release_key_row_selected_cb),
                           self, G_CONNECT_SWAPPED);


  return self;
}
