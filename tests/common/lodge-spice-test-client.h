/* lodge-spice-test-client.h: drives the SPICE test server
 * (tests/console/lodge-spice-test-server.c) from a window test
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server runs as a child: commands go to its stdin, one per line;
 * every line it prints (events, "listening") is queued as it arrives on
 * the main loop, and a test waits for the first that starts with a prefix.
 */
#pragma once

#include <gio/gio.h>
#include <string.h>

#include "lodge-test-ui.h"

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
  GCancellable     *cancellable;
  GQueue            lines;
  int               port;
  int               wait_ms;
} LodgeSpiceTestServer;

static inline void lodge_spice_test_server_read (LodgeSpiceTestServer *server);

static inline void
lodge_spice_test_server_read_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  LodgeSpiceTestServer *server = user_data;
  char *line;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  if (line == NULL || (gpointer) object != (gpointer) server->out)
    {
      g_free (line);
      return;
    }
  if (g_test_verbose ())
    g_printerr ("server %d: %s\n", server->port, line);
  g_queue_push_tail (&server->lines, line);
  lodge_spice_test_server_read (server);
}

static inline void
lodge_spice_test_server_read (LodgeSpiceTestServer *server)
{
  g_data_input_stream_read_line_async (server->out, G_PRIORITY_DEFAULT, server->cancellable,
                                       lodge_spice_test_server_read_cb, server);
}

typedef struct
{
  LodgeSpiceTestServer *server;
  const char           *prefix;
  char                 *line;
} LodgeSpiceTestLineWait;

static inline gboolean
lodge_spice_test_server_line_arrived (gpointer data)
{
  LodgeSpiceTestLineWait *wait = data;

  while (!g_queue_is_empty (&wait->server->lines))
    {
      char *line = g_queue_pop_head (&wait->server->lines);

      if (g_str_has_prefix (line, wait->prefix))
        {
          wait->line = line;
          return TRUE;
        }
      g_free (line);
    }
  return FALSE;
}

/* The first line starting with @prefix (NULL after the server's wait
 * limit); drops the lines before it. */
static inline char *
lodge_spice_test_server_wait_line (LodgeSpiceTestServer *server,
                                   const char           *prefix)
{
  LodgeSpiceTestLineWait wait = { server, prefix, NULL };

  lodge_test_ui_wait_until (lodge_spice_test_server_line_arrived, &wait, server->wait_ms);
  return wait.line;
}

static inline void G_GNUC_PRINTF (2, 3)
lodge_spice_test_server_send (LodgeSpiceTestServer *server,
                              const char           *format,
                              ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat (text, "\n", NULL);
  g_assert_true (g_output_stream_write_all (server->in, line, strlen (line), NULL, NULL, NULL));
  g_output_stream_flush (server->in, NULL, NULL);
}

/* An 800×600 server on @port, once it listens; @wait_ms bounds each wait
 * for a line. */
static inline LodgeSpiceTestServer *
lodge_spice_test_server_start (const char *path,
                               int         port,
                               int         wait_ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port_arg = g_strdup_printf ("%d", port);
  g_autofree char *line = NULL;
  LodgeSpiceTestServer *server = g_new0 (LodgeSpiceTestServer, 1);

  server->port = port;
  server->wait_ms = wait_ms;
  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                      &error, path, "--port", port_arg,
                                      "--width=800", "--height=600", NULL);
  g_assert_no_error (error);
  server->in = g_object_ref (g_subprocess_get_stdin_pipe (server->process));
  server->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  server->cancellable = g_cancellable_new ();
  lodge_spice_test_server_read (server);
  line = lodge_spice_test_server_wait_line (server, "listening");
  g_assert_nonnull (line);
  return server;
}

static inline void
lodge_spice_test_server_stop (LodgeSpiceTestServer *server)
{
  if (server == NULL)
    return;
  g_cancellable_cancel (server->cancellable);
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->cancellable);
  g_clear_object (&server->in);
  g_clear_object (&server->out);
  g_clear_object (&server->process);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_queue_clear_full (&server->lines, g_free);
  g_free (server);
}
