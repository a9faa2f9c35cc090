/* lodge-os-download.h: installation media libosinfo knows a download address for
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create-types.h"
#include "create/lodge-os.h"

G_BEGIN_DECLS

#define LODGE_TYPE_OS_DOWNLOAD (lodge_os_download_get_type ())

G_DECLARE_FINAL_TYPE (LodgeOsDownload, lodge_os_download, LODGE, OS_DOWNLOAD, GObject)

/* One x86_64 medium (ISO) of an OS with its URL in libosinfo.
 *   os          the LodgeOs
 *   url         where to download it
 *   file-name   the last segment of the URL: the name it gets on disk
 *   variant     e.g. "Server", "Workstation"; NULL when the OS has one medium
 *   live, installer  what libosinfo says of the medium
 * libosinfo has no sizes: the size is known once the download starts. */
LodgeOsDownload *lodge_os_download_new           (LodgeOs         *os,
                                                  const char      *url,
                                                  const char      *variant,
                                                  gboolean         live,
                                                  gboolean         installer);
LodgeOs         *lodge_os_download_get_os        (LodgeOsDownload *self);
const char      *lodge_os_download_get_url       (LodgeOsDownload *self);
const char      *lodge_os_download_get_file_name (LodgeOsDownload *self);
const char      *lodge_os_download_get_variant   (LodgeOsDownload *self);
gboolean         lodge_os_download_get_live      (LodgeOsDownload *self);
gboolean         lodge_os_download_get_installer (LodgeOsDownload *self);
/* Whether a case-insensitive (lower-case) search matches the OS or the variant. */
gboolean         lodge_os_download_matches       (LodgeOsDownload *self,
                                                  const char      *search);

/* Every downloadable x86_64 medium of a loaded database, newest release
 * first (then by name and variant). Empty when the database is not
 * loaded. About 25 ms for osinfo-db's 600 media: the async variant reads
 * the (loaded, read-only) database on a worker thread. */
GListModel      *lodge_os_download_list_new        (LodgeOsDatabase      *db);
void             lodge_os_download_list_new_async  (LodgeOsDatabase      *db,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GListModel      *lodge_os_download_list_new_finish (GAsyncResult         *result,
                                                    GError              **error);

G_END_DECLS
