/* lodge-storage-dialog.h: a new storage pool or volume
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_STORAGE_DIALOG (lodge_storage_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LodgeStorageDialog, lodge_storage_dialog, LODGE, STORAGE_DIALOG, AdwWindow)

/* A directory pool of @storage: name and folder. */
GtkWidget  *lodge_storage_dialog_new_pool         (LodgeStorage       *storage);
/* A volume of @pool: name, size, format, allocation, backing volume. */
GtkWidget  *lodge_storage_dialog_new_volume       (LodgeStoragePool   *pool);

/* For tests and the screenshots: fill the form, press Create, read the
 * error shown (NULL when none). */
void        lodge_storage_dialog_fill_pool        (LodgeStorageDialog *self,
                                                   const char         *name,
                                                   const char         *path);
void        lodge_storage_dialog_fill_volume      (LodgeStorageDialog     *self,
                                                   const char             *name,
                                                   gboolean                qcow2,
                                                   double                  size_gib,
                                                   LodgeStorageAllocation  allocation,
                                                   const char             *backing);
GtkWidget  *lodge_storage_dialog_get_create_button (LodgeStorageDialog *self);
const char *lodge_storage_dialog_get_error        (LodgeStorageDialog *self);

G_END_DECLS
