/* lodge-serial-console.h: a terminal for a machine's serial or text console
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LODGE_TYPE_SERIAL_CONSOLE (lodge_serial_console_get_type ())

G_DECLARE_FINAL_TYPE (LodgeSerialConsole, lodge_serial_console, LODGE, SERIAL_CONSOLE, GtkWidget)

/* A VTE terminal over a character stream it does not own: whoever holds
 * the stream feeds what arrives (lodge_serial_console_feed) and sends
 * what the user types or pastes ("input"). It knows nothing of libvirt.
 *
 * Above the terminal, a status line says why there is no stream
 * (lodge_serial_console_set_status), with one button for what can be done
 * about it; typing is off while it shows. A search bar finds text in the
 * scroll-back.
 *
 * Actions: serial.copy (Ctrl+Shift+C), serial.paste (Ctrl+Shift+V),
 * serial.select-all, serial.zoom-in (Ctrl+plus), serial.zoom-out
 * (Ctrl+minus), serial.zoom-reset (Ctrl+0), serial.find (Ctrl+Shift+F),
 * serial.find-next, serial.find-previous (Enter and Shift+Enter, or
 * Ctrl+G and Ctrl+Shift+G, in the search entry). The same in the
 * terminal's context menu.
 * Properties: font-scale (double, 0.5 to 3).
 * Signals: input (GBytes *data) what to send to the guest. */
GtkWidget  *lodge_serial_console_new            (void);

/* Shows bytes from the guest (any encoding but UTF-8 shows as such). */
void        lodge_serial_console_feed           (LodgeSerialConsole *self,
                                                 const char         *data,
                                                 gsize               length);
/* Forgets the screen and the scroll-back (another console). */
void        lodge_serial_console_reset          (LodgeSerialConsole *self);

/* @message NULL: connected, the user can type. Otherwise the status line
 * shows it, with a button labelled @button_label (with a mnemonic) that
 * activates @action_name (both may be NULL: no button). */
void        lodge_serial_console_set_status     (LodgeSerialConsole *self,
                                                 const char         *message,
                                                 const char         *button_label,
                                                 const char         *action_name);
const char *lodge_serial_console_get_status     (LodgeSerialConsole *self);

/* Read by screen readers ("Serial 1"). */
void        lodge_serial_console_set_name       (LodgeSerialConsole *self,
                                                 const char         *name);

double      lodge_serial_console_get_font_scale (LodgeSerialConsole *self);
void        lodge_serial_console_set_font_scale (LodgeSerialConsole *self,
                                                 double              scale);

/* Shows the search bar with @text and selects the next (or previous)
 * match, wrapping around; FALSE when there is none. Plain text, not a
 * pattern; case is ignored. */
gboolean    lodge_serial_console_find           (LodgeSerialConsole *self,
                                                 const char         *text,
                                                 gboolean            backwards);
gboolean    lodge_serial_console_get_search_visible (LodgeSerialConsole *self);

/* Everything in the scroll-back and on the screen, lines joined by "\n";
 * and the selected text (NULL when none). */
char       *lodge_serial_console_get_text       (LodgeSerialConsole *self);
char       *lodge_serial_console_get_selected_text (LodgeSerialConsole *self);
/* The terminal itself (tests: the size of a character cell). */
GtkWidget  *lodge_serial_console_get_terminal   (LodgeSerialConsole *self);

G_END_DECLS
