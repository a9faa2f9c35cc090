/* lodge-model-test.h: waiting for the model in test programs
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-model.h"

/* The model works through the main loop: these helpers iterate it until a
 * condition holds or a generous time limit passes (a limit guards against
 * hangs only; tests never assert on timings). */

static inline gboolean
lodge_test_wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*LodgeTestCheck) (gpointer data);

static inline gboolean
lodge_test_wait_until (LodgeTestCheck check,
                       gpointer       data,
                       guint          timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  guint wake = g_timeout_add (20, lodge_test_wake_cb, NULL);
  gboolean ok;

  while (!(ok = check (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  return ok;
}

/* Iterates the main loop for about ms milliseconds. */
static inline void
lodge_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;
  guint wake = g_timeout_add (10, lodge_test_wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static inline gboolean
lodge_test_result_ready (gpointer data)
{
  return *(GAsyncResult **)data != NULL;
}

static inline void
lodge_test_store_result_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* Waits for an async result stored by lodge_test_store_result_cb. */
static inline GAsyncResult *
lodge_test_wait_result (GAsyncResult **result,
                        guint          timeout_ms)
{
  if (!lodge_test_wait_until (lodge_test_result_ready, result, timeout_ms))
    g_error ("Timed out waiting for an asynchronous result");
  return *result;
}

typedef struct
{
  LodgeMachine      *machine;
  LodgeMachineState  state;
} LodgeTestStateWait;

static inline gboolean
lodge_test_state_reached (gpointer data)
{
  LodgeTestStateWait *wait = data;
  return lodge_machine_get_state (wait->machine) == wait->state;
}

static inline gboolean
lodge_test_wait_state (LodgeMachine      *machine,
                       LodgeMachineState  state,
                       guint              timeout_ms)
{
  LodgeTestStateWait wait = { machine, state };
  return lodge_test_wait_until (lodge_test_state_reached, &wait, timeout_ms);
}

typedef struct
{
  LodgeConnection      *connection;
  LodgeConnectionState  state;
} LodgeTestConnectionWait;

static inline gboolean
lodge_test_connection_state_reached (gpointer data)
{
  LodgeTestConnectionWait *wait = data;
  return lodge_connection_get_state (wait->connection) == wait->state;
}

static inline gboolean
lodge_test_wait_connection_state (LodgeConnection      *connection,
                                  LodgeConnectionState  state,
                                  guint                 timeout_ms)
{
  LodgeTestConnectionWait wait = { connection, state };
  return lodge_test_wait_until (lodge_test_connection_state_reached, &wait, timeout_ms);
}

/* Opens and waits; returns FALSE with error set on failure. */
static inline gboolean
lodge_test_open (LodgeConnection  *connection,
                 GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_connection_open_async (connection, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, 60000);
  return lodge_connection_open_finish (connection, result, error);
}

static inline gboolean
lodge_test_run_action (LodgeMachine        *machine,
                       LodgeMachineAction   action,
                       GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_machine_run_action_async (machine, action, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, 120000);
  return lodge_machine_run_action_finish (machine, result, error);
}

static inline gboolean
lodge_test_machine_present (gpointer data)
{
  gpointer *pair = data;
  return lodge_connection_lookup_machine (pair[0], pair[1]) != NULL;
}

static inline gboolean
lodge_test_machine_absent (gpointer data)
{
  return !lodge_test_machine_present (data);
}

/* Waits until a machine of this name (or uuid) is listed, or not listed. */
static inline LodgeMachine *
lodge_test_wait_machine (LodgeConnection *connection,
                         const char      *name_or_uuid,
                         gboolean         present,
                         guint            timeout_ms)
{
  gpointer pair[2] = { connection, (gpointer)name_or_uuid };

  lodge_test_wait_until (present ? lodge_test_machine_present : lodge_test_machine_absent,
                         pair, timeout_ms);
  return lodge_connection_lookup_machine (connection, name_or_uuid);
}

static GLogFunc lodge_test_previous_log_handler;

static inline void
lodge_test_log_handler (const char     *log_domain,
                        GLogLevelFlags  log_level,
                        const char     *message,
                        gpointer        user_data)
{
  /* libvirt-glib's event loop logs every timer update: drop debug output
   * unless asked for with G_MESSAGES_DEBUG. */
  if ((log_level & G_LOG_LEVEL_DEBUG) != 0 && g_getenv ("G_MESSAGES_DEBUG") == NULL)
    return;
  lodge_test_previous_log_handler (log_domain, log_level, message, user_data);
}

/* Call after g_test_init (), which installs the handler this one wraps. */
static inline void
lodge_test_quiet_debug (void)
{
  lodge_test_previous_log_handler = g_log_set_default_handler (lodge_test_log_handler, NULL);
}
