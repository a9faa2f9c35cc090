/* lodge-keymap.c: hardware keycodes to PC XT scancodes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-keymap"

#include "config.h"

#include "lodge-keymap.h"
#include "lodge-keymap-table.h"

/**
 * lodge_keymap_evdev_to_xt:
 * @evdev_code: a Linux input event code (KEY_*)
 *
 * Returns: the XT scancode (see lodge-keymap.h), or 0 if the key has none.
 */
guint
lodge_keymap_evdev_to_xt (guint evdev_code)
{
  if (evdev_code >= G_N_ELEMENTS (lodge_keymap_evdev_to_xt_table))
    return 0;
  return lodge_keymap_evdev_to_xt_table[evdev_code];
}

/**
 * lodge_keymap_hardware_to_xt:
 * @hardware_keycode: a GDK hardware keycode
 *
 * On X11 (with the evdev or libinput driver) and on Wayland, GDK's hardware
 * keycode is the evdev code plus 8.
 *
 * Returns: the XT scancode, or 0 if the key has none.
 */
guint
lodge_keymap_hardware_to_xt (guint hardware_keycode)
{
  if (hardware_keycode < 8)
    return 0;
  return lodge_keymap_evdev_to_xt (hardware_keycode - 8);
}
