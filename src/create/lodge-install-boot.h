/* lodge-install-boot.h: the installer's kernel and initrd for initrd injection
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian's and Ubuntu's installers read a preseed file from the root of
 * their initrd. Lodge takes the installer's kernel and initrd out of the
 * installation image and appends a small cpio archive with the script to
 * the initrd: the kernel unpacks concatenated archives one after the other
 * into the same root. Everything here blocks: worker threads only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A gzip-compressed cpio archive ("newc" format) holding one regular file
 * /name (mode 0600, owned by root) with contents, and the trailer. */
GBytes   *lodge_install_boot_make_cpio   (const char    *name,
                                          const char    *contents,
                                          gsize          length,
                                          GError       **error);

/* The original initrd, zero-padded to a multiple of 4 bytes, followed by
 * that archive. */
GBytes   *lodge_install_boot_append_file (GBytes        *initrd,
                                          const char    *name,
                                          const char    *contents,
                                          GError       **error);

/* Copies the file at inner_path ("install.amd/vmlinuz") of the ISO 9660
 * image iso to dest, with xorriso's osirrox. Errors: G_IO_ERROR_NOT_FOUND
 * when the image has no such file; LODGE_CREATE_ERROR_FAILED otherwise. */
gboolean  lodge_install_boot_extract     (const char    *iso,
                                          const char    *inner_path,
                                          const char    *dest,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* Runs xorriso with args (after the program's name) on the calling
 * (worker) thread. TRUE when it exited with status 0; *stderr_text gets
 * what it printed there whenever it ran. Errors: xorriso is missing, it
 * could not be started, or G_IO_ERROR_CANCELLED (it is stopped). */
gboolean  lodge_install_boot_run_xorriso (const char * const  *args,
                                          GCancellable        *cancellable,
                                          char               **stderr_text,
                                          GError             **error);

G_END_DECLS
