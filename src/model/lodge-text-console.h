/* lodge-text-console.h: a machine's serial port or text console, open
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The character stream of one of a running machine's consoles, opened
 * with virDomainOpenConsole() on the machine's own connection, so that it
 * works on every host the connection reaches (a plain libvirt stream):
 *
 *   lodge_text_console_list_async (machine, cancellable, listed_cb, data);
 *   lodge_text_console_open_async (machine, "serial0", 0, cancellable, opened_cb, data);
 *   ...
 *   console = lodge_text_console_open_finish (result, &error);
 *   g_signal_connect (console, "received", ...);   what the guest wrote
 *   lodge_text_console_write (console, "root\r", 5);
 *   lodge_text_console_close (console);
 *
 * Opening runs on a worker thread. Once open, the stream is non-blocking
 * and driven by libvirt's events on the main loop (gvir_event_register):
 * reading and writing never wait for the host. Closing gives the stream
 * back on a worker, since that talks to the daemon.
 *
 * Signals (main thread):
 *   received (GBytes *data)  bytes from the guest
 *   closed (GError *error)   the stream ended and is gone: error says why
 *                            (the guest stopped, another client took the
 *                            console over, the connection was lost), or
 *                            NULL after lodge_text_console_close()
 *
 * Errors of opening are LODGE_MODEL_ERROR: INVALID_STATE (the machine is
 * not running), NOT_FOUND (no such console, or none at all), BUSY (another
 * client holds the console: open again with
 * LODGE_TEXT_CONSOLE_TAKE_OVER), NOT_CONNECTED, LIBVIRT.
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-machine-config.h"
#include "model/lodge-types.h"

G_BEGIN_DECLS

typedef enum
{
  LODGE_TEXT_CONSOLE_NONE      = 0,
  /* Ends another client's session of the console (VIR_DOMAIN_CONSOLE_FORCE). */
  LODGE_TEXT_CONSOLE_TAKE_OVER = 1 << 0,
} LodgeTextConsoleFlags;

/* Pure (unit-tested): the consoles of @config that can be opened (a
 * running definition: they need their alias), as LodgeDevice (elements
 * "serial" and "console" on a pseudo-terminal), serial ports first; a
 * <console> that only mirrors a serial port is left out. New array,
 * elements shared. */
GPtrArray            *lodge_text_console_list_for_config (LodgeMachineConfig  *config);
/* "Serial 1", "Text Console 1"... for a device of that list; @index is
 * its place among the consoles of its kind. */
char                 *lodge_text_console_describe        (const LodgeDevice   *device,
                                                          guint                index);
/* The same names for every device of @consoles (from the list above),
 * NULL-terminated. */
char                **lodge_text_console_describe_all    (GPtrArray           *consoles);

/* Reads the running definition on a worker: the list above. */
void                  lodge_text_console_list_async      (LodgeMachine        *machine,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GPtrArray            *lodge_text_console_list_finish     (GAsyncResult        *result,
                                                          GError             **error);

#define LODGE_TYPE_TEXT_CONSOLE (lodge_text_console_get_type ())

G_DECLARE_FINAL_TYPE (LodgeTextConsole, lodge_text_console, LODGE, TEXT_CONSOLE, GObject)

/* @alias: the device's alias ("serial0", "console1"), or NULL for the
 * first console of the list. */
void                  lodge_text_console_open_async      (LodgeMachine          *machine,
                                                          const char            *alias,
                                                          LodgeTextConsoleFlags  flags,
                                                          GCancellable          *cancellable,
                                                          GAsyncReadyCallback    callback,
                                                          gpointer               user_data);
LodgeTextConsole     *lodge_text_console_open_finish     (GAsyncResult          *result,
                                                          GError               **error);

const char           *lodge_text_console_get_alias       (LodgeTextConsole      *self);
/* Whether the stream is still open (no "closed" yet). */
gboolean              lodge_text_console_get_is_open     (LodgeTextConsole      *self);
/* Queues @data for the guest and sends what the stream takes now; the
 * rest goes when it is writable again. FALSE once closed. */
gboolean              lodge_text_console_write           (LodgeTextConsole      *self,
                                                          const char            *data,
                                                          gsize                  length);
/* Ends the session; "closed" is emitted with a NULL error. */
void                  lodge_text_console_close           (LodgeTextConsole      *self);
/* Bytes received so far (for benchmarks). */
guint64               lodge_text_console_get_received    (LodgeTextConsole      *self);

G_END_DECLS
