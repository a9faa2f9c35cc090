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
/* Every host, in the sidebar's order. */
LodgeHostList    *lodge_application_get_hosts         (LodgeApplication *self);
/* What Lodge remembers of each machine ("last used", console choices). */
LodgeStateStore  *lodge_application_get_state_store   (LodgeApplication *self);
/* Adds the host of @uri (or returns the one there is). @remember: kept in
 * the settings for the next runs, else for this run only. Not connected:
 * see lodge_application_connect_host(). NULL with an error for a bad URI. */
LodgeHost        *lodge_application_add_host          (LodgeApplication *self,
                                                       const char       *uri,
                                                       const char       *label,
                                                       gboolean          autoconnect,
                                                       gboolean          remember,
                                                       GError          **error);
/* What every host needs before it connects (authentication through
 * Lodge's dialogs, the shared store); done by add/insert_host too. */
void              lodge_application_prepare_host      (LodgeApplication *self,
                                                       LodgeHost        *host);
/* Adds a host made (and maybe connected) elsewhere, as Add Host does after
 * its check; kept in the settings. FALSE when one of that URI is there. */
gboolean          lodge_application_insert_host       (LodgeApplication *self,
                                                       LodgeHost        *host);
/* Forgets a host (removes nothing on it) and disconnects. */
void              lodge_application_remove_host       (LodgeApplication *self,
                                                       LodgeHost        *host);
/* Connects (or retries now); the host's state says how it goes. */
void              lodge_application_connect_host      (LodgeApplication *self,
                                                       LodgeHost        *host);
/* Runs @migration (set up, not started) for as long as it takes, also
 * when its dialog and the windows close; says how it ended with
 * ::migration-finished (LodgeMigration *, const GError * or NULL) and, when
 * no Lodge window is active, a desktop notification. */
void              lodge_application_start_migration   (LodgeApplication *self,
                                                       LodgeMigration   *migration);
/* The migrations under way (LodgeMigration). */
GListModel       *lodge_application_get_migrations    (LodgeApplication *self);
/* The connection of the host of @uri, or NULL. */
LodgeConnection  *lodge_application_get_connection    (LodgeApplication *self,
                                                       const char       *uri);
/* Raises the window (creating it); with @uri, adds that host for this run
 * when it is new, connects it and shows it; opens the named machine when
 * @machine is not NULL. Returns the window. */
GtkWindow        *lodge_application_show              (LodgeApplication *self,
                                                       const char       *uri,
                                                       const char       *machine);
/* What the command line does with an argument that names a remote display:
 * a spice://, spice+tls://, spice+unix://, vnc:// or vnc+unix:// URI, a
 * .vv file (a path relative to @cwd, or a file:// URI), or any file whose
 * content is one. Opens a console window for it and returns it; a .vv file
 * with delete-this-file=1 is deleted once read. NULL with @error set when
 * the argument names a display that cannot be opened (bad URI, unreadable
 * or invalid file); NULL with @error unset when it names none (a machine). */
GtkWindow        *lodge_application_open_display      (LodgeApplication *self,
                                                       const char       *argument,
                                                       GFile            *cwd,
                                                       GError          **error);

G_END_DECLS
