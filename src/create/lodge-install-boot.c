/* lodge-install-boot.c: the installer's kernel and initrd for initrd injection
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "create/lodge-install-boot.h"
#include "create/lodge-create-types.h"

/* One "newc" header: magic and 13 fields of 8 hex digits, then the name
 * with its NUL, padded to 4 bytes; the data, padded to 4 bytes. */
static void
append_entry (GByteArray *out,
              guint       ino,
              guint       mode,
              const char *name,
              const void *data,
              gsize       length)
{
  static const guint8 zeros[4] = { 0 };
  gsize name_size = strlen (name) + 1;
  g_autofree char *header = NULL;

  header = g_strdup_printf ("070701"
                            "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                            ino, mode, 0u, 0u, 1u, 0u, (guint)length,
                            0u, 0u, 0u, 0u, (guint)name_size, 0u);
  g_byte_array_append (out, (const guint8 *)header, 110);
  g_byte_array_append (out, (const guint8 *)name, name_size);
  g_byte_array_append (out, zeros, (4 - out->len % 4) % 4);
  if (length > 0)
    g_byte_array_append (out, data, length);
  g_byte_array_append (out, zeros, (4 - out->len % 4) % 4);
}

GBytes *
lodge_install_boot_make_cpio (const char  *name,
                              const char  *contents,
                              gsize        length,
                              GError     **error)
{
  g_autoptr(GByteArray) archive = g_byte_array_new ();
  g_autoptr(GZlibCompressor) compressor = NULL;
  g_autoptr(GOutputStream) memory = NULL;
  g_autoptr(GOutputStream) gzip = NULL;
  gsize written;
  GBytes *bytes;

  g_return_val_if_fail (name != NULL && *name != '\0' && strchr (name, '/') == NULL, NULL);
  g_return_val_if_fail (contents != NULL || length == 0, NULL);

  /* A regular file (0100000), readable by root only. */
  append_entry (archive, 1, 0100600, name, contents, length);
  append_entry (archive, 0, 0, "TRAILER!!!", NULL, 0);

  compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  memory = g_memory_output_stream_new_resizable ();
  gzip = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  if (!g_output_stream_write_all (gzip, archive->data, archive->len, &written, NULL, error) ||
      !g_output_stream_close (gzip, NULL, error))
    {
      memset (archive->data, 0, archive->len);
      return NULL;
    }
  /* The archive holds the script (and its password) in clear. */
  memset (archive->data, 0, archive->len);

  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  return bytes;
}

GBytes *
lodge_install_boot_append_file (GBytes      *initrd,
                                const char  *name,
                                const char  *contents,
                                GError     **error)
{
  static const guint8 zeros[4] = { 0 };
  g_autoptr(GBytes) cpio = NULL;
  GByteArray *out;
  gsize size;

  g_return_val_if_fail (initrd != NULL, NULL);

  cpio = lodge_install_boot_make_cpio (name, contents, contents ? strlen (contents) : 0, error);
  if (cpio == NULL)
    return NULL;

  size = g_bytes_get_size (initrd);
  out = g_byte_array_sized_new (size + 4 + g_bytes_get_size (cpio));
  g_byte_array_append (out, g_bytes_get_data (initrd, NULL), size);
  /* The kernel skips zeros between archives; a new one starts aligned. */
  g_byte_array_append (out, zeros, (4 - out->len % 4) % 4);
  g_byte_array_append (out, g_bytes_get_data (cpio, NULL), g_bytes_get_size (cpio));
  return g_byte_array_free_to_bytes (out);
}

gboolean
lodge_install_boot_run_xorriso (const char * const  *args,
                                GCancellable        *cancellable,
                                char               **stderr_text,
                                GError             **error)
{
  g_autofree char *xorriso = g_find_program_in_path ("xorriso");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;

  g_return_val_if_fail (args != NULL, FALSE);

  if (stderr_text != NULL)
    *stderr_text = NULL;
  if (xorriso == NULL)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                   _("The unattended installation needs xorriso, which is not installed"));
      return FALSE;
    }

  g_ptr_array_add (argv, xorriso);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* stderr is read as it comes (communicate): a pipe nobody reads can fill
   * up and stop xorriso, and its words make the error message. */
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, NULL, &err, error))
    {
      g_subprocess_force_exit (process);
      return FALSE;
    }

  if (stderr_text != NULL)
    *stderr_text = g_steal_pointer (&err);
  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

gboolean
lodge_install_boot_extract (const char    *iso,
                            const char    *inner_path,
                            const char    *dest,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (iso != NULL && inner_path != NULL && dest != NULL, FALSE);

  absolute = g_str_has_prefix (inner_path, "/") ? g_strdup (inner_path)
                                                : g_strconcat ("/", inner_path, NULL);
  {
    const char *args[] = { "-osirrox", "on", "-indev", iso, "-extract", absolute, dest, NULL };

    if (lodge_install_boot_run_xorriso (args, cancellable, &err, &local_error) &&
        g_file_test (dest, G_FILE_TEST_IS_REGULAR))
      return TRUE;
  }

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (local_error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                     _("Could not read the installation image: %s"), local_error->message);
      return FALSE;
    }

  if (err != NULL && strstr (err, "No such file or directory") != NULL)
    {
      g_autofree char *display = g_filename_display_name (iso);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   /* Translators: "install.amd/vmlinuz" is not in "debian.iso" */
                   _("“%s” is not in “%s”"), absolute, display);
      return FALSE;
    }

  {
    g_autofree char *display = g_filename_display_name (iso);

    g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                 _("Could not read “%s” from “%s”"), absolute, display);
  }
  return FALSE;
}
