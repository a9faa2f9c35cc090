/* test-serial-console.c: LodgeSerialConsole without a guest
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The terminal in a real window (a display: Xvfb in CI): what is fed shows,
 * the scroll-back is bounded, typing and pasting come out as "input" only
 * while connected, copy puts the selection on the clipboard, search finds
 * text forwards and backwards, zoom changes the font within its limits.
 * The whole path through libvirt is in test-serial-console-integration.
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <string.h>
#include <vte/vte.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>

#include "console/lodge-console.h"
#include "lodge-test-ui.h"

#define WAIT_MS 20000

typedef struct
{
  GtkWindow          *window;
  LodgeSerialConsole *console;
  VteTerminal        *terminal;
  GString            *input;
} Fixture;

static void
console_input_cb (LodgeSerialConsole *console,
                  GBytes             *bytes,
                  Fixture            *fixture)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  g_string_append_len (fixture->input, data, size);
}

static gboolean
mapped (gpointer data)
{
  Fixture *fixture = data;

  /* Allocated: the grid fills the window (no longer VTE's 80×24). */
  return gtk_widget_get_mapped (GTK_WIDGET (fixture->terminal))
         && gtk_widget_get_height (GTK_WIDGET (fixture->terminal)) > 300
         && vte_terminal_get_row_count (fixture->terminal) != 24;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 800, 500);
  fixture->console = LODGE_SERIAL_CONSOLE (lodge_serial_console_new ());
  fixture->terminal = VTE_TERMINAL (lodge_serial_console_get_terminal (fixture->console));
  fixture->input = g_string_new (NULL);
  g_signal_connect (fixture->console, "input", G_CALLBACK (console_input_cb), fixture);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->console));
  gtk_window_present (fixture->window);
  g_assert_true (lodge_test_ui_wait_until (mapped, fixture, WAIT_MS));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_string_free (fixture->input, TRUE);
}

static gboolean
shows (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];
  g_autofree char *all = lodge_serial_console_get_text (fixture->console);

  return all != NULL && strstr (all, text) != NULL;
}

/* VTE takes in what it is fed on the main loop, in slices. */
static void
wait_shows (Fixture    *fixture,
            const char *text)
{
  if (!lodge_test_ui_wait_until (shows, (gpointer[]) { fixture, (gpointer) text }, WAIT_MS))
    {
      g_autofree char *all = lodge_serial_console_get_text (fixture->console);
      g_error ("the terminal does not show “%s”: %s", text, all);
    }
}

static void
feed (Fixture    *fixture,
      const char *text)
{
  lodge_serial_console_feed (fixture->console, text, strlen (text));
}

static void
test_feed_and_scrollback (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autoptr(GString) many = g_string_new (NULL);

  feed (fixture, "first line\r\nsecond line\r\n");
  wait_shows (fixture, "first line\nsecond line");

  /* 30000 lines: the oldest are gone, the newest are all there. */
  for (guint i = 0; i < 30000; i++)
    g_string_append_printf (many, "line %u\r\n", i);
  lodge_serial_console_feed (fixture->console, many->str, many->len);
  wait_shows (fixture, "line 29999\n");
  text = lodge_serial_console_get_text (fixture->console);
  g_assert_null (strstr (text, "first line"));
  g_assert_null (strstr (text, "line 100\n"));
  g_assert_nonnull (strstr (text, "line 29999\n"));
  g_assert_nonnull (strstr (text, "line 25000\n"));
  g_assert_cmpuint (strlen (text), <, 30000 * 8);

  lodge_serial_console_reset (fixture->console);
  g_clear_pointer (&text, g_free);
  text = lodge_serial_console_get_text (fixture->console);
  g_assert_null (strstr (text, "line 29999"));
}

static void
test_input_only_when_connected (Fixture       *fixture,
                                gconstpointer  data)
{
  vte_terminal_feed_child (fixture->terminal, "ls\r", -1);
  g_assert_cmpstr (fixture->input->str, ==, "ls\r");

  /* A status line: no stream, nothing to send. */
  g_string_truncate (fixture->input, 0);
  lodge_serial_console_set_status (fixture->console, "The console was closed",
                                   "_Reconnect", "win.nothing");
  g_assert_cmpstr (lodge_serial_console_get_status (fixture->console), ==, "The console was closed");
  vte_terminal_feed_child (fixture->terminal, "ls\r", -1);
  g_assert_cmpstr (fixture->input->str, ==, "");
  g_assert_false (vte_terminal_get_input_enabled (fixture->terminal));

  lodge_serial_console_set_status (fixture->console, NULL, NULL, NULL);
  g_assert_null (lodge_serial_console_get_status (fixture->console));
  vte_terminal_feed_child (fixture->terminal, "x", -1);
  g_assert_cmpstr (fixture->input->str, ==, "x");
}

typedef struct
{
  char     *text;
  gboolean  done;
} ReadText;

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadText *read = user_data;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  read->done = TRUE;
}

static gboolean
read_done (gpointer data)
{
  return ((ReadText *) data)->done;
}

static gboolean
input_has (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];

  return strstr (fixture->input->str, text) != NULL;
}

static void
test_copy_and_paste (Fixture       *fixture,
                     gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->console));
  ReadText read = { 0 };

  feed (fixture, "copy me please\r\n");
  wait_shows (fixture, "copy me please");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->console), "serial.select-all", NULL));
  g_assert_true (vte_terminal_get_has_selection (fixture->terminal));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->console), "serial.copy", NULL));
  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &read);
  g_assert_true (lodge_test_ui_wait_until (read_done, &read, WAIT_MS));
  g_assert_nonnull (read.text);
  g_assert_nonnull (strstr (read.text, "copy me please"));
  g_free (read.text);

  /* Pasted text goes to the guest as input. */
  gdk_clipboard_set_text (clipboard, "pasted words");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->console), "serial.paste", NULL));
  g_assert_true (lodge_test_ui_wait_until (input_has, (gpointer[]) { fixture, "pasted words" }, WAIT_MS));
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *selected = NULL;
  glong row_first, row_second;

  feed (fixture, "alpha one\r\nbeta\r\nalpha two\r\n");
  wait_shows (fixture, "alpha two");
  g_assert_false (lodge_serial_console_get_search_visible (fixture->console));

  /* Case ignored, and what the user typed is not a pattern. */
  g_assert_true (lodge_serial_console_find (fixture->console, "BETA", TRUE));
  selected = lodge_serial_console_get_selected_text (fixture->console);
  g_assert_cmpstr (selected, ==, "beta");
  g_clear_pointer (&selected, g_free);
  g_assert_true (lodge_serial_console_get_search_visible (fixture->console));
  /* The only match, already selected, is found again. */
  g_assert_true (lodge_serial_console_find (fixture->console, "beta", TRUE));
  g_assert_true (lodge_serial_console_find (fixture->console, "beta", FALSE));
  selected = lodge_serial_console_get_selected_text (fixture->console);
  g_assert_cmpstr (selected, ==, "beta");
  g_clear_pointer (&selected, g_free);
  g_assert_false (lodge_serial_console_find (fixture->console, "a.p", TRUE));
  g_assert_false (lodge_serial_console_find (fixture->console, "gamma", TRUE));

  /* Two matches: backwards from the end finds the newest first, then the
   * other; next goes back to the newest. */
  vte_terminal_unselect_all (fixture->terminal);
  g_assert_true (lodge_serial_console_find (fixture->console, "alpha", TRUE));
  selected = lodge_serial_console_get_selected_text (fixture->console);
  g_assert_cmpstr (selected, ==, "alpha");
  g_clear_pointer (&selected, g_free);
  vte_terminal_get_cursor_position (fixture->terminal, NULL, &row_first);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->console), "serial.find-previous", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->console), "serial.find-next", NULL));
  g_assert_true (vte_terminal_get_has_selection (fixture->terminal));
  vte_terminal_get_cursor_position (fixture->terminal, NULL, &row_second);
  g_assert_cmpint (row_first, ==, row_second);
}

typedef struct
{
  Fixture *fixture;
  glong    height;
  glong    rows;
} Height;

static gboolean
fewer_rows (gpointer data)
{
  Height *h = data;

  return vte_terminal_get_row_count (h->fixture->terminal) < h->rows;
}

static gboolean
height_differs (gpointer data)
{
  Height *h = data;

  return vte_terminal_get_char_height (h->fixture->terminal) != h->height;
}

static void
test_zoom (Fixture       *fixture,
           gconstpointer  data)
{
  GtkWidget *widget = GTK_WIDGET (fixture->console);
  Height h = { fixture, vte_terminal_get_char_height (fixture->terminal), 0 };
  glong rows = vte_terminal_get_row_count (fixture->terminal);

  g_assert_cmpfloat (lodge_serial_console_get_font_scale (fixture->console), ==, 1.0);
  g_assert_true (gtk_widget_activate_action (widget, "serial.zoom-in", NULL));
  g_assert_cmpfloat (lodge_serial_console_get_font_scale (fixture->console), >, 1.1);
  g_assert_true (lodge_test_ui_wait_until (height_differs, &h, WAIT_MS));
  g_assert_cmpint (vte_terminal_get_char_height (fixture->terminal), >, h.height);
  /* Bigger letters, fewer rows in the same window (once laid out). */
  h.rows = rows;
  g_assert_true (lodge_test_ui_wait_until (fewer_rows, &h, WAIT_MS));

  g_assert_true (gtk_widget_activate_action (widget, "serial.zoom-reset", NULL));
  g_assert_cmpfloat (lodge_serial_console_get_font_scale (fixture->console), ==, 1.0);
  h.height = vte_terminal_get_char_height (fixture->terminal);
  g_assert_true (gtk_widget_activate_action (widget, "serial.zoom-out", NULL));
  g_assert_true (lodge_test_ui_wait_until (height_differs, &h, WAIT_MS));
  g_assert_cmpint (vte_terminal_get_char_height (fixture->terminal), <, h.height);

  /* Within limits, however often asked. */
  for (guint i = 0; i < 30; i++)
    gtk_widget_activate_action (widget, "serial.zoom-in", NULL);
  g_assert_cmpfloat (lodge_serial_console_get_font_scale (fixture->console), ==, 3.0);
  for (guint i = 0; i < 30; i++)
    gtk_widget_activate_action (widget, "serial.zoom-out", NULL);
  g_assert_cmpfloat (lodge_serial_console_get_font_scale (fixture->console), ==, 0.5);
  /* Back to 1 by steps lands on 1 exactly. */
  lodge_serial_console_set_font_scale (fixture->console, 1.0 / 1.2);
  gtk_widget_activate_action (widget, "serial.zoom-in", NULL);
  g_assert_cmpfloat (lodge_serial_console_get_font_scale (fixture->console), ==, 1.0);
}

/* Real keys through the X server (XTest), to the focused terminal. */
static Display *
xdisplay (void)
{
  return gdk_x11_display_get_xdisplay (gdk_display_get_default ());
}

static void
x_key (KeySym   keysym,
       gboolean press)
{
  XTestFakeKeyEvent (xdisplay (), XKeysymToKeycode (xdisplay (), keysym), press, CurrentTime);
  XSync (xdisplay (), False);
}

static void
x_type (const KeySym *modifiers,
        guint         n_modifiers,
        KeySym        key)
{
  for (guint i = 0; i < n_modifiers; i++)
    x_key (modifiers[i], TRUE);
  x_key (key, TRUE);
  x_key (key, FALSE);
  for (guint i = n_modifiers; i > 0; i--)
    x_key (modifiers[i - 1], FALSE);
}

static gboolean
terminal_focused (gpointer data)
{
  Fixture *fixture = data;

  return gtk_widget_has_focus (GTK_WIDGET (fixture->terminal));
}

static gboolean
clipboard_changed (gpointer data)
{
  GdkClipboard *clipboard = ((gpointer *) data)[0];

  return (gpointer) gdk_clipboard_get_content (clipboard) != ((gpointer *) data)[1];
}

static gboolean
zoomed (gpointer data)
{
  return lodge_serial_console_get_font_scale (((Fixture *) data)->console) > 1.0;
}

static gboolean
not_zoomed (gpointer data)
{
  return lodge_serial_console_get_font_scale (((Fixture *) data)->console) == 1.0;
}

static gboolean
searching (gpointer data)
{
  return lodge_serial_console_get_search_visible (((Fixture *) data)->console);
}

static void
test_real_keys (Fixture       *fixture,
                gconstpointer  data)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (fixture->window));
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->console));
  const KeySym ctrl_shift[] = { XK_Control_L, XK_Shift_L };
  const KeySym ctrl[] = { XK_Control_L };
  ReadText read = { 0 };
  GdkContentProvider *content;

  /* No window manager under Xvfb: the X focus is given directly. */
  XSetInputFocus (xdisplay (), gdk_x11_surface_get_xid (surface), RevertToParent, CurrentTime);
  XSync (xdisplay (), False);
  gtk_widget_grab_focus (GTK_WIDGET (fixture->terminal));
  g_assert_true (lodge_test_ui_wait_until (terminal_focused, fixture, WAIT_MS));

  /* Typed keys are input, Enter a carriage return. */
  x_type (NULL, 0, XK_l);
  x_type (NULL, 0, XK_s);
  x_type (NULL, 0, XK_Return);
  g_assert_true (lodge_test_ui_wait_until (input_has, (gpointer[]) { fixture, "ls\r" }, WAIT_MS));

  /* Ctrl+Shift+V pastes, and is not sent as a key; Ctrl+Shift+C copies. */
  g_string_truncate (fixture->input, 0);
  gdk_clipboard_set_text (clipboard, "from the clipboard");
  x_type (ctrl_shift, 2, XK_V);
  g_assert_true (lodge_test_ui_wait_until (input_has, (gpointer[]) { fixture, "from the clipboard" }, WAIT_MS));
  g_assert_cmpstr (fixture->input->str, ==, "from the clipboard");

  feed (fixture, "select this\r\n");
  wait_shows (fixture, "select this");
  vte_terminal_select_all (fixture->terminal);
  g_string_truncate (fixture->input, 0);
  content = gdk_clipboard_get_content (clipboard);
  x_type (ctrl_shift, 2, XK_C);
  g_assert_true (lodge_test_ui_wait_until (clipboard_changed, (gpointer[]) { clipboard, content }, WAIT_MS));
  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &read);
  g_assert_true (lodge_test_ui_wait_until (read_done, &read, WAIT_MS));
  g_assert_nonnull (strstr (read.text, "select this"));
  g_free (read.text);
  g_assert_cmpstr (fixture->input->str, ==, "");

  /* Ctrl+plus zooms, Ctrl+0 goes back; neither reaches the guest. */
  x_type (ctrl, 1, XK_plus);
  g_assert_true (lodge_test_ui_wait_until (zoomed, fixture, WAIT_MS));
  x_type (ctrl, 1, XK_0);
  g_assert_true (lodge_test_ui_wait_until (not_zoomed, fixture, WAIT_MS));
  g_assert_cmpstr (fixture->input->str, ==, "");

  /* Ctrl+Shift+F opens the search bar. */
  x_type (ctrl_shift, 2, XK_F);
  g_assert_true (lodge_test_ui_wait_until (searching, fixture, WAIT_MS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add ("/serial-console/feed-and-scrollback", Fixture, NULL,
              fixture_set_up, test_feed_and_scrollback, fixture_tear_down);
  g_test_add ("/serial-console/input-only-when-connected", Fixture, NULL,
              fixture_set_up, test_input_only_when_connected, fixture_tear_down);
  g_test_add ("/serial-console/copy-and-paste", Fixture, NULL,
              fixture_set_up, test_copy_and_paste, fixture_tear_down);
  g_test_add ("/serial-console/search", Fixture, NULL,
              fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/serial-console/zoom", Fixture, NULL,
              fixture_set_up, test_zoom, fixture_tear_down);
  g_test_add ("/serial-console/real-keys", Fixture, NULL,
              fixture_set_up, test_real_keys, fixture_tear_down);
  return g_test_run ();
}
