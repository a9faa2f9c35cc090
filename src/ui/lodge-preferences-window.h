/* lodge-preferences-window.h: the preferences window
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LODGE_TYPE_PREFERENCES_WINDOW (lodge_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (LodgePreferencesWindow, lodge_preferences_window, LODGE, PREFERENCES_WINDOW, AdwPreferencesWindow)

LodgePreferencesWindow *lodge_preferences_window_new (GSettings *settings);

G_END_DECLS
