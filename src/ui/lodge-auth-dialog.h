/* lodge-auth-dialog.h: one credential question of a host, as a dialog
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_AUTH_DIALOG (lodge_auth_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LodgeAuthDialog, lodge_auth_dialog, LODGE, AUTH_DIALOG, AdwMessageDialog)

/* A dialog for @request, transient for @parent, naming the host (its
 * title when the request's connection belongs to a LodgeHost, else the URI,
 * else the host the prompt names). It answers the request when the user
 * responds, and closes by itself when the request is withdrawn.
 *
 * A host key: its fingerprint and what it means; Refuse (the default, also
 * on Escape) or Accept. A password, passphrase, user name or other
 * question: the entries it needs, Cancel or Connect, and a Remember check
 * (off unless set) when the agent offers one. A question asked again says
 * that the host refused the last answer.
 *
 * Responses: "accept", "refuse", "log-in", "cancel". Signals:
 * answered (const char *response) once, right after the request was
 * answered, while the entries still hold what was typed. */
LodgeAuthDialog  *lodge_auth_dialog_new                (GtkWindow        *parent,
                                                        LodgeAuthRequest *request);
LodgeAuthRequest *lodge_auth_dialog_get_request        (LodgeAuthDialog  *self);
LodgeAuthKind     lodge_auth_dialog_get_kind           (LodgeAuthDialog  *self);
/* How the dialog names the host. */
const char       *lodge_auth_dialog_get_host_title     (LodgeAuthDialog  *self);
/* The fingerprint shown (host keys, as the question gave it), or NULL. */
const char       *lodge_auth_dialog_get_fingerprint    (LodgeAuthDialog  *self);
/* Why it asks again ("The host refused the password…"), or NULL. */
const char       *lodge_auth_dialog_get_message        (LodgeAuthDialog  *self);

/* Whether the Remember check is shown, and its state. */
void              lodge_auth_dialog_set_offer_remember (LodgeAuthDialog  *self,
                                                        gboolean          offer);
gboolean          lodge_auth_dialog_get_offer_remember (LodgeAuthDialog  *self);
void              lodge_auth_dialog_set_remember       (LodgeAuthDialog  *self,
                                                        gboolean          remember);
gboolean          lodge_auth_dialog_get_remember       (LodgeAuthDialog  *self);

/* What is typed: @shown into the user name (or shown answer) entry,
 * @hidden into the password (or hidden answer) entry; NULL leaves one. */
void              lodge_auth_dialog_set_text           (LodgeAuthDialog  *self,
                                                        const char       *shown,
                                                        const char       *hidden);
/* The password or hidden answer typed (valid while the dialog lives). */
const char       *lodge_auth_dialog_get_secret         (LodgeAuthDialog  *self);

/* As if the user clicked the response's button; then the dialog goes. */
void              lodge_auth_dialog_respond            (LodgeAuthDialog  *self,
                                                        const char       *response);

G_END_DECLS
