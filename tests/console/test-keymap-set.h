/* test-keymap-set.h: keys whose scancodes the tests check, with the codes a
 * PC keyboard sends in scancode set 1 (0x100 | byte = E0 byte)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

typedef struct
{
  const char *name;
  guint evdev;
  guint xt;
} LodgeTestKey;

static const LodgeTestKey lodge_test_keys[] = {
  { "Escape", 1, 0x01 },
  { "1", 2, 0x02 },
  { "0", 11, 0x0b },
  { "Backspace", 14, 0x0e },
  { "Tab", 15, 0x0f },
  { "Q", 16, 0x10 },
  { "Enter", 28, 0x1c },
  { "Left Ctrl", 29, 0x1d },
  { "A", 30, 0x1e },
  { "Grave", 41, 0x29 },
  { "Left Shift", 42, 0x2a },
  { "Backslash", 43, 0x2b },
  { "Z", 44, 0x2c },
  { "Slash", 53, 0x35 },
  { "Right Shift", 54, 0x36 },
  { "Keypad *", 55, 0x37 },
  { "Left Alt", 56, 0x38 },
  { "Space", 57, 0x39 },
  { "Caps Lock", 58, 0x3a },
  { "F1", 59, 0x3b },
  { "F10", 68, 0x44 },
  { "Num Lock", 69, 0x45 },
  { "Scroll Lock", 70, 0x46 },
  { "Keypad 7", 71, 0x47 },
  { "Keypad -", 74, 0x4a },
  { "Keypad 0", 82, 0x52 },
  { "Keypad .", 83, 0x53 },
  { "ISO \\ (102nd)", 86, 0x56 },
  { "F11", 87, 0x57 },
  { "F12", 88, 0x58 },
  { "Keypad Enter", 96, 0x11c },
  { "Right Ctrl", 97, 0x11d },
  { "Keypad /", 98, 0x135 },
  { "PrintScreen", 99, 0x137 },
  { "Right Alt", 100, 0x138 },
  { "Home", 102, 0x147 },
  { "Up", 103, 0x148 },
  { "Page Up", 104, 0x149 },
  { "Left", 105, 0x14b },
  { "Right", 106, 0x14d },
  { "End", 107, 0x14f },
  { "Down", 108, 0x150 },
  { "Page Down", 109, 0x151 },
  { "Insert", 110, 0x152 },
  { "Delete", 111, 0x153 },
  { "Mute", 113, 0x120 },
  { "Volume Down", 114, 0x12e },
  { "Volume Up", 115, 0x130 },
  { "Power", 116, 0x15e },
  { "Pause", 119, 0x21d },
  { "Left Windows", 125, 0x15b },
  { "Right Windows", 126, 0x15c },
  { "Menu", 127, 0x15d },
  { "Calculator", 140, 0x121 },
  { "Sleep", 142, 0x15f },
  { "Wake", 143, 0x163 },
  { "Mail", 155, 0x16c },
  { "Browser Back", 158, 0x16a },
  { "Browser Forward", 159, 0x169 },
  { "Next Track", 163, 0x119 },
  { "Play/Pause", 164, 0x122 },
  { "Previous Track", 165, 0x110 },
  { "Stop", 166, 0x124 },
  { "Browser Home", 172, 0x132 },
};
