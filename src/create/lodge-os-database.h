/* lodge-os-database.h: libosinfo's database, loaded once off the main thread
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_OS_DATABASE (lodge_os_database_get_type ())

G_DECLARE_FINAL_TYPE (LodgeOsDatabase, lodge_os_database, LODGE, OS_DATABASE, GObject)

/* Properties:
 *   loaded  boolean  (read-only, notified once when the load completes)
 */
LodgeOsDatabase *lodge_os_database_new             (void);

/* Loads the database on a worker thread. Loading happens once: calls made
 * while loading wait for the same load, calls made afterwards complete at
 * once (from an idle). */
void             lodge_os_database_load_async      (LodgeOsDatabase     *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean         lodge_os_database_load_finish     (LodgeOsDatabase     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
gboolean         lodge_os_database_get_loaded      (LodgeOsDatabase     *self);

/* A GListModel of LodgeOs for a searchable picker: first the generic
 * fallbacks (generic Linux, generic Windows, unknown), then every OS by name.
 * Empty until loaded, then filled once (items-changed). Transfer none. */
GListModel      *lodge_os_database_get_os_list     (LodgeOsDatabase     *self);

/* By libosinfo id (http://…) or short id (fedora37). NULL when unknown or
 * not loaded. Transfer none. */
LodgeOs         *lodge_os_database_lookup          (LodgeOsDatabase     *self,
                                                    const char          *id);

/* The fallbacks; NULL until loaded. Transfer none. */
LodgeOs         *lodge_os_database_get_generic_linux   (LodgeOsDatabase *self);
LodgeOs         *lodge_os_database_get_generic_windows (LodgeOsDatabase *self);
LodgeOs         *lodge_os_database_get_unknown         (LodgeOsDatabase *self);

G_END_DECLS
