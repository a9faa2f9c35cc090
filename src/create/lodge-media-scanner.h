/* lodge-media-scanner.h: installation media and disk images found in a folder
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MEDIA_SCANNER (lodge_media_scanner_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMediaScanner, lodge_media_scanner, LODGE, MEDIA_SCANNER, GObject)

/* Properties:
 *   scanning  boolean  (read-only) a scan is running
 *
 * The scanner is a GListModel of LodgeMedia: files of the folder (not its
 * subfolders) named *.iso, *.img, *.raw, *.qcow2, *.vmdk or *.vdi that
 * identify as an ISO or a disk image, newest first. Items arrive one by one
 * while the scan runs; files that are not media are left out quietly. */
LodgeMediaScanner *lodge_media_scanner_new          (LodgeOsDatabase     *db);

/* directory NULL: the user's Downloads folder. A new scan replaces the
 * items of the previous one. Completes when every file was looked at. */
void               lodge_media_scanner_scan_async   (LodgeMediaScanner   *self,
                                                     const char          *directory,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean           lodge_media_scanner_scan_finish  (LodgeMediaScanner   *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
gboolean           lodge_media_scanner_get_scanning (LodgeMediaScanner   *self);

G_END_DECLS
