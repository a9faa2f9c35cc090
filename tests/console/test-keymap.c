/* test-keymap.c: the evdev -> XT scancode table
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-keymap"

#include "config.h"

#include "console/lodge-keymap.h"
#include "test-keymap-set.h"

/* The expected codes are those of a PC keyboard in scancode set 1, written
 * down independently of the generated table. */
static void
test_keymap_set (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (lodge_test_keys); i++)
    {
      const LodgeTestKey *key = &lodge_test_keys[i];
      guint xt = lodge_keymap_evdev_to_xt (key->evdev);

      if (xt != key->xt)
        g_error ("%s (evdev %u): expected 0x%x, table has 0x%x",
                 key->name, key->evdev, key->xt, xt);
      g_assert_cmpuint (lodge_keymap_hardware_to_xt (key->evdev + 8), ==, xt);
    }
}

static void
test_keymap_full_keyboard (void)
{
  guint n = 0;
  gboolean seen[LODGE_XT_MAX + 1] = { FALSE };

  /* Every key of a 105-key keyboard: evdev 1..88 (main block, function
   * keys, keypad; 84 is unused), 96..111 (keypad enter, right modifiers,
   * navigation), 119 (Pause), 125..127 (Windows, menu). */
  for (guint evdev = 1; evdev <= 127; evdev++)
    {
      guint xt;

      if ((evdev >= 89 && evdev <= 95) || (evdev >= 112 && evdev <= 118) ||
          (evdev >= 120 && evdev <= 124) || evdev == 84)
        continue;
      xt = lodge_keymap_evdev_to_xt (evdev);
      if (xt == 0)
        g_error ("evdev %u has no scancode", evdev);
      /* No two keys of the main keyboard share a code. */
      g_assert_cmpuint (xt, <, G_N_ELEMENTS (seen));
      g_assert_false (seen[xt]);
      seen[xt] = TRUE;
      n++;
    }
  g_assert_cmpuint (n, >=, 105);
}

static void
test_keymap_out_of_range (void)
{
  g_assert_cmpuint (lodge_keymap_evdev_to_xt (0), ==, 0);
  g_assert_cmpuint (lodge_keymap_evdev_to_xt (0x2ff), ==, 0);
  g_assert_cmpuint (lodge_keymap_evdev_to_xt (G_MAXUINT), ==, 0);
  g_assert_cmpuint (lodge_keymap_hardware_to_xt (0), ==, 0);
  g_assert_cmpuint (lodge_keymap_hardware_to_xt (7), ==, 0);
  /* Every value fits what the console tracks. */
  for (guint evdev = 0; evdev < 0x300; evdev++)
    g_assert_cmpuint (lodge_keymap_evdev_to_xt (evdev), <=, LODGE_XT_MAX);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/console/keymap/test-set", test_keymap_set);
  g_test_add_func ("/console/keymap/full-keyboard", test_keymap_full_keyboard);
  g_test_add_func ("/console/keymap/out-of-range", test_keymap_out_of_range);

  return g_test_run ();
}
