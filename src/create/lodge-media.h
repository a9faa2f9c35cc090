/* lodge-media.h: an installation medium (ISO) or a disk image to import
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MEDIA (lodge_media_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMedia, lodge_media, LODGE, MEDIA, GObject)

/* Properties (read-only, immutable):
 *   path          string          absolute path
 *   kind          LodgeMediaKind  ISO or disk image
 *   os            LodgeOs         what libosinfo identified; NULL when nothing matched
 *                                 (and always for disk images)
 *   volume-id     string          ISO volume id, NULL for disk images
 *   publisher-id  string          ISO publisher, may be NULL
 *   installer     boolean         libosinfo says it installs an OS (TRUE when unidentified)
 *   live          boolean         libosinfo says it runs live
 *   disk-format   LodgeDiskFormat for disk images (raw for ISOs)
 *   size          guint64         file size, bytes
 *   virtual-size  guint64         disk size a disk image gives the guest (0 for ISOs)
 *   label         string          OS name, else volume id, else file name
 */

/* Reads and identifies the file on a worker thread. The database is loaded
 * first when it is not yet. Errors (LODGE_CREATE_ERROR): NOT_FOUND (missing),
 * UNREADABLE (no permission, not a regular file), NOT_MEDIA (neither an ISO
 * nor a disk image), TRUNCATED (an ISO shorter than its volume). */
void            lodge_media_new_for_path_async  (LodgeOsDatabase     *db,
                                                 const char          *path,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
LodgeMedia     *lodge_media_new_for_path_finish (GAsyncResult        *result,
                                                 GError             **error);

const char     *lodge_media_get_path            (LodgeMedia *self);
LodgeMediaKind  lodge_media_get_kind            (LodgeMedia *self);
LodgeOs        *lodge_media_get_os              (LodgeMedia *self);
const char     *lodge_media_get_volume_id       (LodgeMedia *self);
const char     *lodge_media_get_publisher_id    (LodgeMedia *self);
gboolean        lodge_media_get_installer       (LodgeMedia *self);
/* FALSE when libosinfo says this medium ignores install scripts. */
gboolean        lodge_media_get_takes_install_script (LodgeMedia *self);
gboolean        lodge_media_get_live            (LodgeMedia *self);
LodgeDiskFormat lodge_media_get_disk_format     (LodgeMedia *self);
guint64         lodge_media_get_size            (LodgeMedia *self);
guint64         lodge_media_get_virtual_size    (LodgeMedia *self);
const char     *lodge_media_get_label           (LodgeMedia *self);

/* Sniffs the header of a disk image (qcow2, vmdk, vdi; raw for .img/.raw
 * files whose size is a multiple of 512). Blocking: call it on a worker
 * thread. Returns LODGE_DISK_FORMAT_UNKNOWN for anything else; fills
 * virtual_size when not NULL. */
LodgeDiskFormat lodge_disk_image_probe          (const char  *path,
                                                 guint64     *virtual_size,
                                                 GError     **error);

G_END_DECLS
