/* lodge-keymap.h: hardware keycodes to PC XT scancodes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* XT scancodes as spice_inputs_channel_key_press() takes them: a byte, or
 * 0x100 | byte for keys sent with the 0xE0 prefix, or 0x200 | byte for 0xE1. */
#define LODGE_XT_EXTENDED       0x100
/* Pause sends E1 1D 45 and has no break code of its own: send LODGE_XT_PAUSE
 * then LODGE_XT_NUM_LOCK, both pressed and released together. */
#define LODGE_XT_PAUSE          0x21d
#define LODGE_XT_NUM_LOCK       0x45
/* What PrintScreen sends while Alt is held. */
#define LODGE_XT_SYSRQ          0x54
#define LODGE_XT_PRINT_SCREEN   0x137
#define LODGE_XT_MAX            0x3ff

/* Linux evdev KEY_* codes this layer names. */
#define LODGE_EVDEV_SYSRQ       99
#define LODGE_EVDEV_PAUSE       119

guint lodge_keymap_evdev_to_xt    (guint evdev_code);
guint lodge_keymap_hardware_to_xt (guint hardware_keycode);

G_END_DECLS
