/* lodge-downloader.h: one file downloaded over HTTP, with progress, cancel and resume
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LODGE_DOWNLOAD_ERROR (lodge_download_error_quark ())

typedef enum
{
  LODGE_DOWNLOAD_ERROR_FAILED,
  LODGE_DOWNLOAD_ERROR_HTTP,        /* the server answered with an error status */
  LODGE_DOWNLOAD_ERROR_CONNECT,     /* no connection: refused, host unknown, no network */
  LODGE_DOWNLOAD_ERROR_TRUNCATED,   /* the body ended early (the partial file is kept) */
  LODGE_DOWNLOAD_ERROR_WRITE,       /* the file could not be written */
  LODGE_DOWNLOAD_ERROR_NO_SPACE,    /* the folder's disk is (or would be) full; a partial file is kept */
} LodgeDownloadError;

GQuark lodge_download_error_quark (void);

#define LODGE_TYPE_DOWNLOADER (lodge_downloader_get_type ())

G_DECLARE_FINAL_TYPE (LodgeDownloader, lodge_downloader, LODGE, DOWNLOADER, GObject)

/* Downloads uri to destination. The body goes to "<destination>.part",
 * and beside it "<destination>.part.lodge" keeps the URL and the
 * server's validator (ETag, else Last-Modified); the .part is renamed to
 * destination once its size matches what the server announced.
 *
 * A cancel, or a connection lost mid-body, keeps both: the next run of a
 * downloader for the same destination sends "Range: bytes=N-" with
 * "If-Range", appends on a matching 206 and starts again from zero on a
 * 200 (the file changed on the server).
 *
 * The transfer runs on a worker thread; "progress" is emitted on the
 * thread-default main context of the caller of run_async, at most about
 * ten times a second, and once more at the end.
 *
 * Signals:
 *   progress (guint64 received, guint64 total, double rate)
 *       received counts the bytes of the file, resumed ones included;
 *       total is 0 while unknown; rate is in bytes a second.
 */
LodgeDownloader *lodge_downloader_new                  (const char           *uri,
                                                        const char           *destination);
const char      *lodge_downloader_get_uri              (LodgeDownloader      *self);
const char      *lodge_downloader_get_destination      (LodgeDownloader      *self);
char            *lodge_downloader_get_partial_path     (LodgeDownloader      *self);

/* Figures of the last progress emitted. */
guint64          lodge_downloader_get_received         (LodgeDownloader      *self);
guint64          lodge_downloader_get_total            (LodgeDownloader      *self);
double           lodge_downloader_get_rate             (LodgeDownloader      *self);
/* Where the running (or last) transfer started: > 0 when it resumed. */
guint64          lodge_downloader_get_resumed_from     (LodgeDownloader      *self);

/* Completes with the destination path. Errors: G_IO_ERROR_CANCELLED, or
 * LODGE_DOWNLOAD_ERROR with a message for people. */
void             lodge_downloader_run_async            (LodgeDownloader      *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
char            *lodge_downloader_run_finish           (LodgeDownloader      *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* What a file of a download folder is to the downloader (it looks at the
 * disk: worker threads). For "<name>.part" files *destination_name is
 * <name>. */
typedef enum
{
  LODGE_DOWNLOAD_FILE_OTHER,        /* not the downloader's (a finished download?) */
  LODGE_DOWNLOAD_FILE_RESUMABLE,    /* a partial body that the next run resumes */
  LODGE_DOWNLOAD_FILE_PARTIAL,      /* a partial body that the next run starts over */
  LODGE_DOWNLOAD_FILE_BOOKKEEPING,  /* the downloader's note beside a partial body */
} LodgeDownloadFile;

LodgeDownloadFile lodge_downloader_classify_file       (const char           *folder,
                                                        const char           *name,
                                                        char                **destination_name);

/* The folder downloads go to: the user's Downloads folder, or
 * $XDG_DATA_HOME/lodge/downloads when there is none. */
char            *lodge_downloader_get_default_folder   (void);
/* The file name for uri: its last path segment, unescaped, made safe;
 * "download" when it has none. */
char            *lodge_downloader_file_name_for_uri    (const char           *uri);

G_END_DECLS
