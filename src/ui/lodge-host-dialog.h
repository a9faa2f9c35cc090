/* lodge-host-dialog.h: Add Host, and the settings of one host
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"
#include "ui/lodge-application.h"

G_BEGIN_DECLS

#define LODGE_TYPE_HOST_DIALOG (lodge_host_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LodgeHostDialog, lodge_host_dialog, LODGE, HOST_DIALOG, AdwWindow)

/* Add Host: this computer (system or session), another over SSH (builds
 * the qemu+ssh:// URI) or any libvirt URI. Connects before it keeps the
 * host; a host that cannot be reached is not added, and the dialog says
 * why. Signals: added (LodgeHost *host) once the host is in the list. */
LodgeHostDialog *lodge_host_dialog_new_add   (GtkWindow        *parent,
                                              LodgeApplication *application);
/* The host's name in Lodge and whether it connects at start. */
LodgeHostDialog *lodge_host_dialog_new_edit  (GtkWindow        *parent,
                                              LodgeHost        *host);

/* For tests: the URI the form describes now (NULL when incomplete, with
 * the reason in @error), and the settings rows. */
char            *lodge_host_dialog_dup_uri   (LodgeHostDialog  *self,
                                              GError          **error);
void             lodge_host_dialog_set_ssh   (LodgeHostDialog  *self,
                                              const char       *address,
                                              const char       *user,
                                              int               port,
                                              const char       *keyfile,
                                              gboolean          system);
void             lodge_host_dialog_set_uri   (LodgeHostDialog  *self,
                                              const char       *uri);
void             lodge_host_dialog_set_label (LodgeHostDialog  *self,
                                              const char       *label);
void             lodge_host_dialog_set_autoconnect (LodgeHostDialog *self,
                                                    gboolean         autoconnect);
/* Presses the dialog's main button (Connect or Done). */
void             lodge_host_dialog_activate  (LodgeHostDialog  *self);
/* The error shown, or NULL. */
const char      *lodge_host_dialog_get_error (LodgeHostDialog  *self);

G_END_DECLS
