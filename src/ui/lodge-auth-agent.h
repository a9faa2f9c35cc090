/* lodge-auth-agent.h: answers the hosts' credential questions
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each LodgeAuthRequest: a password or key passphrase the user asked
 * Lodge to remember is looked up in the keyring (asynchronously) and sent,
 * at most once per attempt to connect (the model enforces it); otherwise,
 * and when the host refused the remembered one, a LodgeAuthDialog asks.
 * A refused remembered secret is forgotten at once. What the user typed
 * with Remember ticked is stored once the connection succeeds, never
 * before: a wrong password is not kept.
 *
 * Signals: dialog-shown (LodgeAuthDialog *dialog), for tests and
 * screenshots. Properties: use-keyring (bool, default TRUE).
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"
#include "ui/lodge-auth-dialog.h"

G_BEGIN_DECLS

#define LODGE_TYPE_AUTH_AGENT (lodge_auth_agent_get_type ())

G_DECLARE_FINAL_TYPE (LodgeAuthAgent, lodge_auth_agent, LODGE, AUTH_AGENT, GObject)

/* @application (may be NULL) gives the main window when a request comes
 * without a parent. */
LodgeAuthAgent *lodge_auth_agent_new             (GtkApplication   *application);
/* Answers @request from the keyring or through a dialog transient for
 * @parent (NULL: the application's main window, once there is one). */
void            lodge_auth_agent_handle          (LodgeAuthAgent   *self,
                                                  LodgeAuthRequest *request,
                                                  GtkWindow        *parent);
gboolean        lodge_auth_agent_get_use_keyring (LodgeAuthAgent   *self);
void            lodge_auth_agent_set_use_keyring (LodgeAuthAgent   *self,
                                                  gboolean          use_keyring);
/* Secrets waiting for their connection to succeed before they are stored,
 * and keyring calls under way (for tests: wait until 0). */
guint           lodge_auth_agent_get_n_pending   (LodgeAuthAgent   *self);

G_END_DECLS
