/* lodge-test.h: small helpers shared by Lodge's test programs
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* Exit code meson reads as "skipped". */
#define LODGE_TEST_SKIP 77

/* A suite may skip only when its precondition is truly missing. CI sets
 * LODGE_TEST_NO_SKIP=1 because it provides every precondition: there a
 * missing one is a failure, not a silent skip. */
static inline void G_GNUC_NORETURN
lodge_test_skip_all (const char *why)
{
  if (g_strcmp0 (g_getenv ("LODGE_TEST_NO_SKIP"), "1") == 0)
    {
      g_printerr ("precondition missing and skipping is not allowed here: %s\n", why);
      exit (1);
    }
  g_print ("1..0 # SKIP %s\n", why);
  exit (LODGE_TEST_SKIP);
}

/* Runs a helper program (a set-up script) to its end; FALSE, with the
 * reason printed, when it could not run or failed. */
static inline gboolean
lodge_test_run (const char  *what,
                char       **argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("%s: %s\n", what, error->message);
      return FALSE;
    }
  return TRUE;
}

/* spice-glib reports a channel that ends while it links ("incomplete link
 * header", "incomplete link reply") at warning or critical level.
 * Consoles that follow a machine to another host, or pages left while
 * their channels still log in through slower tunnels, do that on purpose;
 * anything else stays fatal.
 *
 * In a test program every warning and critical is fatal, and GTest forgets
 * a fatal handler at the start of each test case. So a handler of spice's
 * log domain takes these messages (the default one would print "Bail
 * out!", which fails the TAP run whatever happens next) and, right before
 * GLib asks whether the message is fatal, sets the fatal handler that says
 * no. */
static inline gboolean
lodge_test_is_spice_link_end (const char *log_domain,
                              const char *message)
{
  return g_strcmp0 (log_domain, "GSpice") == 0 && message != NULL &&
         strstr (message, "incomplete link") != NULL;
}

static inline gboolean
lodge_test_spice_link_end_fatal_cb (const char     *log_domain,
                                    GLogLevelFlags  log_level,
                                    const char     *message,
                                    gpointer        user_data)
{
  return !lodge_test_is_spice_link_end (log_domain, message);
}

static inline void
lodge_test_spice_log_cb (const char     *log_domain,
                         GLogLevelFlags  log_level,
                         const char     *message,
                         gpointer        user_data)
{
  if (lodge_test_is_spice_link_end (log_domain, message))
    {
      g_test_log_set_fatal_handler (lodge_test_spice_link_end_fatal_cb, NULL);
      g_printerr ("%s (expected here): %s\n", log_domain, message);
      return;
    }
  g_log_default_handler (log_domain, log_level, message, user_data);
}

/* After g_test_init(). */
static inline void
lodge_test_allow_spice_link_end (void)
{
  g_log_set_handler ("GSpice", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL |
                     G_LOG_FLAG_RECURSION, lodge_test_spice_log_cb, NULL);
}
