/* lodge-auth-request.h: a credential question from libvirt for the UI
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_AUTH_REQUEST (lodge_auth_request_get_type ())

G_DECLARE_FINAL_TYPE (LodgeAuthRequest, lodge_auth_request, LODGE, AUTH_REQUEST, GObject)

/* LodgeConnection emits ::authenticate (LodgeAuthRequest *) on the main
 * thread while its worker waits; a handler keeps a reference and later calls
 * answer() or cancel(), exactly once. With no handler the request is
 * cancelled and the open fails with LODGE_MODEL_ERROR_AUTH_CANCELLED. */
const char *lodge_auth_request_get_uri            (LodgeAuthRequest *self);
const char *lodge_auth_request_get_prompt         (LodgeAuthRequest *self);
gboolean    lodge_auth_request_get_needs_username (LodgeAuthRequest *self);
gboolean    lodge_auth_request_get_needs_password (LodgeAuthRequest *self);
void        lodge_auth_request_answer             (LodgeAuthRequest *self,
                                                   const char       *username,
                                                   const char       *password);
void        lodge_auth_request_cancel             (LodgeAuthRequest *self);

G_END_DECLS
