/* lodge-migration-dialog.h: Move to Another Host…
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"
#include "ui/lodge-application.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MIGRATION_DIALOG (lodge_migration_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMigrationDialog, lodge_migration_dialog, LODGE, MIGRATION_DIALOG, AdwWindow)

/* Moves @machine to another connected host of the application: live for a
 * running or paused machine, its definition for one that is off; checks
 * first and says what stands in the way; then shows the progress, with
 * cancel (and post-copy when allowed). Closing it while the move runs
 * leaves the move to go on (the window shows it). */
LodgeMigrationDialog *lodge_migration_dialog_new          (GtkWindow            *parent,
                                                           LodgeApplication     *application,
                                                           LodgeMachine         *machine);

/* For tests: choose the destination, set options, press Move; the
 * migration once started, and the problems the check found. */
gboolean              lodge_migration_dialog_select_host  (LodgeMigrationDialog *self,
                                                           LodgeHost            *host);
void                  lodge_migration_dialog_set_copy_storage (LodgeMigrationDialog *self,
                                                               gboolean              copy);
void                  lodge_migration_dialog_set_bandwidth (LodgeMigrationDialog *self,
                                                            guint64               mib_per_second);
void                  lodge_migration_dialog_set_data_address (LodgeMigrationDialog *self,
                                                               const char           *address);
gboolean              lodge_migration_dialog_get_can_move (LodgeMigrationDialog *self);
const char           *lodge_migration_dialog_get_problems (LodgeMigrationDialog *self);
void                  lodge_migration_dialog_move         (LodgeMigrationDialog *self);
LodgeMigration       *lodge_migration_dialog_get_migration (LodgeMigrationDialog *self);
const char           *lodge_migration_dialog_get_details  (LodgeMigrationDialog *self);

G_END_DECLS
