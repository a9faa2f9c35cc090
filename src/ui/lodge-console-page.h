/* lodge-console-page.h: the console of one machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "console/lodge-console.h"
#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_CONSOLE_PAGE (lodge_console_page_get_type ())

G_DECLARE_FINAL_TYPE (LodgeConsolePage, lodge_console_page, LODGE, CONSOLE_PAGE, GtkWidget)

/* A page with its own header bar showing a machine's screen. It connects
 * while the machine runs and disconnects when it stops or when the machine
 * is set to NULL (do that when the page is left).
 *
 * Views ("view" property): "connecting", "display", "serial" (a text
 * console, see "source"), "not-running" (with a Start button) and
 * "disconnected" (with the reason and Reconnect).
 * Source ("source" property, console.source action): "display", or the
 * alias of one of the machine's text consoles (serial ports, virtio
 * consoles), opened through the model (LodgeTextConsole). A machine
 * without a graphical display opens on its first text console.
 * console.take-over ends another client's session of the text console;
 * console.copy, console.paste and console.find act on it.
 * Actions: console.send-key (i: a LodgeSendKey), console.fit,
 * console.original-size, console.zoom-in, console.zoom-out,
 * console.resize-guest, console.share-clipboard (per machine, kept in
 * $XDG_CONFIG_HOME/lodge/console.ini), console.fullscreen (F11),
 * console.screenshot, console.reconnect, console.start,
 * console.cancel-transfer. Its menu also links machine.details, which
 * the window may provide.
 * Signals: back () when the user asks to go back to the library. */
GtkWidget     *lodge_console_page_new            (void);
LodgeMachine  *lodge_console_page_get_machine    (LodgeConsolePage *self);
void           lodge_console_page_set_machine    (LodgeConsolePage *self,
                                                  LodgeMachine     *machine);
/* Machine actions shown in a section of the page's menu. */
void           lodge_console_page_set_menu       (LodgeConsolePage *self,
                                                  GMenuModel       *menu);
LodgeDisplay  *lodge_console_page_get_display    (LodgeConsolePage *self);
const char    *lodge_console_page_get_view       (LodgeConsolePage *self);
/* What the page says about its connection, for the details page. */
const char    *lodge_console_page_get_status     (LodgeConsolePage *self);
void           lodge_console_page_reconnect      (LodgeConsolePage *self);
const char    *lodge_console_page_get_source     (LodgeConsolePage *self);
void           lodge_console_page_set_source     (LodgeConsolePage *self,
                                                  const char       *source);
LodgeSerialConsole *lodge_console_page_get_serial_console (LodgeConsolePage *self);
gboolean       lodge_console_page_get_fullscreen (LodgeConsolePage *self);
void           lodge_console_page_set_fullscreen (LodgeConsolePage *self,
                                                  gboolean          fullscreen);

G_END_DECLS
