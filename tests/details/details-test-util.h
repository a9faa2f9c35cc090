/* details-test-util.h: helpers for the details tests
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "model/lodge-model.h"

static GAsyncResult *details_test_result;

static inline void
details_test_ready_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_assert_null (details_test_result);
  details_test_result = g_object_ref (result);
}

static inline gboolean
details_test_wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until the pending async call completes; returns the
 * result (caller unrefs). */
static inline GAsyncResult *
details_test_wait (void)
{
  GAsyncResult *result;
  /* Bounds a hang (and says so), never a timing assertion. */
  gint64 end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (100, details_test_wake_cb, NULL);

  while (details_test_result == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  if (details_test_result == NULL)
    g_error ("An edit or read of the machine did not finish in 120 s");
  result = details_test_result;
  details_test_result = NULL;
  return result;
}

static inline void
details_test_silent_error (void       *data,
                           virErrorPtr error)
{
}

static inline void
details_test_init_libvirt (void)
{
  virInitialize ();
  virSetErrorFunc (NULL, details_test_silent_error);
}

#define DETAILS_WAIT(call)                                       \
  ({ call; details_test_wait (); })
