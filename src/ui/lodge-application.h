/* lodge-application.h: the application: command line, connections, windows
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"
#include "create/lodge-create.h"

G_BEGIN_DECLS

#define LODGE_TYPE_APPLICATION (lodge_application_get_type ())

G_DECLARE_FINAL_TYPE (LodgeApplication, lodge_application, LODGE, APPLICATION, AdwApplication)

LodgeApplication *lodge_application_new               (void);
GSettings        *lodge_application_get_settings      (LodgeApplication *self);
/* libosinfo's database, shared by every window and assistant; loading
 * starts (off the main thread) on the first call. */
LodgeOsDatabase  *lodge_application_get_os_database   (LodgeApplication *self);
/* --connect, else the default-uri setting, else the model's default. */
char             *lodge_application_dup_default_uri   (LodgeApplication *self);
/* The application's connection to uri, created and opened when new. */
LodgeConnection  *lodge_application_get_connection    (LodgeApplication *self,
                                                       const char       *uri);
/* Opens a failed connection again, or reconnects a lost one now. */
void              lodge_application_retry_connection  (LodgeApplication *self,
                                                       LodgeConnection  *connection);
/* Raises the window showing uri (creating it) and opens the named machine
 * in it when machine is not NULL. Returns the window. */
GtkWindow        *lodge_application_show              (LodgeApplication *self,
                                                       const char       *uri,
                                                       const char       *machine);

G_END_DECLS
