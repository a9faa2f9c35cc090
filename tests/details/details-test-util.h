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

/* Runs the main loop until the pending async call completes; returns the
 * result (caller unrefs). */
static inline GAsyncResult *
details_test_wait (void)
{
  GAsyncResult *result;

  while (details_test_result == NULL)
    g_main_context_iteration (NULL, TRUE);
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
