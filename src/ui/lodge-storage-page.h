/* lodge-storage-page.h: a host's storage pools and their volumes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_STORAGE_PAGE (lodge_storage_page_get_type ())

G_DECLARE_FINAL_TYPE (LodgeStoragePage, lodge_storage_page, LODGE, STORAGE_PAGE, GtkWidget)

/* The pools of the host's LodgeStorage (name, type, state, autostart,
 * space used, and what thin volumes promise), and the volumes of the
 * selected one, kept current by the model's events; with the actions on
 * them (storage.* on the page). Content only: no header bar. */
GtkWidget        *lodge_storage_page_new               (LodgeHost        *host);
LodgeHost        *lodge_storage_page_get_host          (LodgeStoragePage *self);

/* For tests and the screenshots: which page shows ("loading",
 * "disconnected", "error", "empty", "pools"), and beside the pools which
 * ("none", "inactive", "no-volumes", "volumes"). */
const char       *lodge_storage_page_get_visible_page  (LodgeStoragePage *self);
const char       *lodge_storage_page_get_volumes_page  (LodgeStoragePage *self);
GtkListBox       *lodge_storage_page_get_pool_list     (LodgeStoragePage *self);
GtkColumnView    *lodge_storage_page_get_volume_view   (LodgeStoragePage *self);
LodgeStoragePool *lodge_storage_page_get_selected_pool (LodgeStoragePage *self);
/* FALSE when no pool of that name is listed. */
gboolean          lodge_storage_page_select_pool       (LodgeStoragePage *self,
                                                        const char       *name);
/* The visible texts of a pool's row, one per line, or NULL when the pool is
 * not listed. */
char             *lodge_storage_page_dup_pool_text     (LodgeStoragePage *self,
                                                        const char       *name);
/* Whether a pool's row warns that its volumes are promised nearly all (or
 * more than) the space the pool has. */
gboolean          lodge_storage_page_get_pool_warns    (LodgeStoragePage *self,
                                                        const char       *name);

/* The volume of that name in the selected pool; FALSE when not listed. */
gboolean          lodge_storage_page_select_volume     (LodgeStoragePage *self,
                                                        const char       *name);
/* What the file choosers lead to: upload asks first, download starts. */
void              lodge_storage_page_upload_file       (LodgeStoragePage *self,
                                                        const char       *path);
void              lodge_storage_page_download_file     (LodgeStoragePage *self,
                                                        const char       *path);
/* For tests: the dialog the page opened last while it is open, the text
 * of the last toast, whether a clone, upload or download runs. */
GtkWindow        *lodge_storage_page_get_dialog        (LodgeStoragePage *self);
const char       *lodge_storage_page_get_last_message  (LodgeStoragePage *self);
gboolean          lodge_storage_page_get_transferring  (LodgeStoragePage *self);

G_END_DECLS
