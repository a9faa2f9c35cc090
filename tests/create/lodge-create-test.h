/* lodge-create-test.h: shared helpers of the create layer's tests
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create.h"

/* Iterates the main loop until *result is set; the limit only guards
 * against hangs (tests never assert on timings). */
static inline gboolean
lodge_create_test_wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static inline void
lodge_create_test_store_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static inline GAsyncResult *
lodge_create_test_wait (GAsyncResult **result,
                        guint          timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, lodge_create_test_wake_cb, NULL);

  while (*result == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  if (*result == NULL)
    g_error ("Timed out waiting for an asynchronous result");
  return *result;
}

typedef gboolean (*LodgeCreateTestCheck) (gpointer data);

static inline gboolean
lodge_create_test_wait_until (LodgeCreateTestCheck check,
                              gpointer             data,
                              guint                timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, lodge_create_test_wake_cb, NULL);
  gboolean ok;

  while (!(ok = check (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

/* Loads the OS database (once per process). */
static inline LodgeOsDatabase *
lodge_create_test_get_db (void)
{
  static LodgeOsDatabase *db;

  if (db == NULL)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      db = lodge_os_database_new ();
      lodge_os_database_load_async (db, NULL, lodge_create_test_store_cb, &result);
      lodge_create_test_wait (&result, 60);
      if (!lodge_os_database_load_finish (db, result, &error))
        g_error ("Could not load the OS database: %s", error->message);
    }

  return db;
}

/* Runs a command line (argv) and fails the test when it fails. */
static inline void
lodge_create_test_run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("Could not run %s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", argv[0], error->message, err ? err : "");
}

/* Builds an ISO 9660 image with xorriso. With bootable, isolinux boots
 * the kernel/initrd pair given (or nothing when NULL); extra_files is a
 * NULL-terminated list of "path-in-iso=local-path". */
static inline char *
lodge_create_test_make_iso (const char         *dir,
                            const char         *file_name,
                            const char         *volume_id,
                            const char         *publisher,
                            const char * const *extra_files,
                            gboolean            bootable)
{
  g_autofree char *tree = g_build_filename (dir, "tree-XXXXXX", NULL);
  g_autofree char *iso = g_build_filename (dir, file_name, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *readme = NULL;

  g_assert_nonnull (g_mkdtemp (tree));
  readme = g_build_filename (tree, "README.TXT", NULL);
  g_file_set_contents (readme, "Lodge test medium\n", -1, NULL);

  g_ptr_array_add (argv, g_strdup ("xorriso"));
  g_ptr_array_add (argv, g_strdup ("-as"));
  g_ptr_array_add (argv, g_strdup ("mkisofs"));
  g_ptr_array_add (argv, g_strdup ("-quiet"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup (iso));
  g_ptr_array_add (argv, g_strdup ("-V"));
  g_ptr_array_add (argv, g_strdup (volume_id));
  if (publisher != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-publisher"));
      g_ptr_array_add (argv, g_strdup (publisher));
    }
  if (bootable)
    {
      const char *modules[] = { "ldlinux.c32", "vesamenu.c32", "libcom32.c32", "libutil.c32" };
      g_autofree char *isolinux = g_build_filename (tree, "isolinux", NULL);
      g_autofree char *bin = g_build_filename (isolinux, "isolinux.bin", NULL);
      g_autofree char *cfg = g_build_filename (isolinux, "isolinux.cfg", NULL);
      g_autofree char *bin_data = NULL;
      gsize bin_len;

      g_mkdir_with_parents (isolinux, 0755);
      g_assert_true (g_file_get_contents ("/usr/lib/ISOLINUX/isolinux.bin", &bin_data, &bin_len, NULL));
      g_file_set_contents (bin, bin_data, bin_len, NULL);
      for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
        {
          g_autofree char *from = g_build_filename ("/usr/lib/syslinux/modules/bios", modules[i], NULL);
          g_autofree char *to = g_build_filename (isolinux, modules[i], NULL);
          g_autofree char *mod_data = NULL;
          gsize mod_len;

          g_assert_true (g_file_get_contents (from, &mod_data, &mod_len, NULL));
          g_file_set_contents (to, mod_data, mod_len, NULL);
        }
      /* A graphical menu at 800x600 that waits for ever: a screen of
       * that size proves isolinux itself runs (BIOS and QEMU's "not
       * initialized" screen are 720x400 and 640x480). */
      g_file_set_contents (cfg,
                           "UI vesamenu.c32\n"
                           "MENU RESOLUTION 800 600\n"
                           "MENU TITLE Lodge test medium\n"
                           "TIMEOUT 0\n"
                           "LABEL disk\n"
                           "  MENU LABEL Boot from the first disk\n"
                           "  LOCALBOOT 0x80\n", -1, NULL);

      g_ptr_array_add (argv, g_strdup ("-b"));
      g_ptr_array_add (argv, g_strdup ("isolinux/isolinux.bin"));
      g_ptr_array_add (argv, g_strdup ("-c"));
      g_ptr_array_add (argv, g_strdup ("isolinux/boot.cat"));
      g_ptr_array_add (argv, g_strdup ("-no-emul-boot"));
      g_ptr_array_add (argv, g_strdup ("-boot-load-size"));
      g_ptr_array_add (argv, g_strdup ("4"));
      g_ptr_array_add (argv, g_strdup ("-boot-info-table"));
    }
  g_ptr_array_add (argv, g_strdup ("-graft-points"));
  for (guint i = 0; extra_files != NULL && extra_files[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra_files[i]));
  g_ptr_array_add (argv, g_strdup (tree));
  g_ptr_array_add (argv, NULL);

  lodge_create_test_run ((const char * const *)argv->pdata);
  return g_steal_pointer (&iso);
}
