/* test-create-media.c: identifying ISOs and disk images, and bad input
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-create-media"

#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "create/lodge-create.h"
#include "lodge-create-test.h"
#include "lodge-test.h"

static char *tmpdir;

static LodgeMedia *
identify (const char  *path,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_media_new_for_path_async (lodge_create_test_get_db (), path, NULL,
                                  lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  return lodge_media_new_for_path_finish (result, error);
}

typedef struct
{
  const char *file;
  const char *volume_id;
  const char *publisher;
  const char *kernel_dir;   /* a directory with a kernel, e.g. "install.amd" */
  const char *expected;     /* short id, NULL: nothing matches */
  gboolean    takes_script; /* libosinfo's installer-script for the medium */
} IsoCase;

static const IsoCase iso_cases[] = {
  { "debian.iso", "Debian 11.5.0 amd64 n", "Debian CD", "install.amd", "debian11", TRUE },
  { "fedora.iso", "Fedora-S-dvd-x86_64-37", NULL, "isolinux", "fedora37", TRUE },
  /* Debian 12's osinfo-db has no install script for Windows 11. */
  { "win11.iso", "CCCOMA_X64FRE_EN-US_DV9", "MICROSOFT CORPORATION", NULL, "win11", FALSE },
  /* Ubuntu's desktop installer takes a preseed; the server's (subiquity)
   * does not, so no express install is offered for it. */
  { "ubuntu.iso", "Ubuntu 22.04.1 LTS amd64", NULL, "casper", "ubuntu22.04", TRUE },
  { "ubuntu-server.iso", "Ubuntu-Server 22.04.1 LTS amd64", NULL, "casper", "ubuntu22.04", FALSE },
  { "nothing.iso", "LODGE_NOTHING_42", "Lodge tests", NULL, NULL, TRUE },
};

static char *
make_case_iso (const IsoCase *c)
{
  g_autofree char *kernel = g_build_filename (tmpdir, "vmlinuz", NULL);
  g_autofree char *graft_kernel = NULL;
  g_autofree char *graft_initrd = NULL;
  const char *extra[3] = { NULL, NULL, NULL };

  g_file_set_contents (kernel, "not really a kernel\n", -1, NULL);
  if (c->kernel_dir != NULL)
    {
      graft_kernel = g_strdup_printf ("%s/vmlinuz=%s", c->kernel_dir, kernel);
      graft_initrd = g_strdup_printf ("%s/initrd.gz=%s", c->kernel_dir, kernel);
      extra[0] = graft_kernel;
      extra[1] = graft_initrd;
    }

  return lodge_create_test_make_iso (tmpdir, c->file, c->volume_id, c->publisher, extra, FALSE);
}

static void
test_iso (gconstpointer data)
{
  const IsoCase *c = data;
  g_autofree char *iso = make_case_iso (c);
  g_autoptr(LodgeMedia) media = NULL;
  g_autoptr(GError) error = NULL;

  media = identify (iso, &error);
  g_assert_no_error (error);
  g_assert_nonnull (media);
  g_assert_cmpint (lodge_media_get_kind (media), ==, LODGE_MEDIA_KIND_ISO);
  g_assert_cmpstr (lodge_media_get_volume_id (media), ==, c->volume_id);
  g_assert_cmpstr (lodge_media_get_path (media), ==, iso);
  g_assert_cmpuint (lodge_media_get_size (media), >, 0);

  if (c->expected != NULL)
    {
      g_assert_nonnull (lodge_media_get_os (media));
      g_assert_cmpstr (lodge_os_get_short_id (lodge_media_get_os (media)), ==, c->expected);
      g_assert_cmpstr (lodge_media_get_label (media), ==,
                       lodge_os_get_name (lodge_media_get_os (media)));
      g_assert_true (lodge_media_get_installer (media));
      g_assert_cmpint (lodge_media_get_takes_install_script (media), ==, c->takes_script);
    }
  else
    {
      g_assert_null (lodge_media_get_os (media));
      g_assert_cmpstr (lodge_media_get_label (media), ==, c->volume_id);
      /* Unidentified: the OS the user picks decides. */
      g_assert_true (lodge_media_get_takes_install_script (media));
    }

  g_remove (iso);
}

static void
assert_fails (const char       *path,
              int               code)
{
  g_autoptr(LodgeMedia) media = NULL;
  g_autoptr(GError) error = NULL;

  media = identify (path, &error);
  g_assert_null (media);
  g_assert_error (error, LODGE_CREATE_ERROR, code);
  /* The message names the file for the user. */
  {
    g_autofree char *base = g_path_get_basename (path);
    g_assert_nonnull (strstr (error->message, base));
  }
}

static void
test_not_an_iso (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "notes.iso", NULL);
  g_autofree char *big = g_build_filename (tmpdir, "zeros.iso", NULL);
  g_autofree char *zeros = g_malloc0 (64 * 1024);

  g_file_set_contents (path, "This is a text file, not an ISO image.\n", -1, NULL);
  assert_fails (path, LODGE_CREATE_ERROR_NOT_MEDIA);

  /* Large enough to hold a volume descriptor, but none there. */
  g_file_set_contents (big, zeros, 64 * 1024, NULL);
  assert_fails (big, LODGE_CREATE_ERROR_NOT_MEDIA);

  g_remove (path);
  g_remove (big);
}

static void
test_truncated_iso (void)
{
  g_autofree char *iso = make_case_iso (&iso_cases[1]);
  g_autofree char *cut = g_build_filename (tmpdir, "cut.iso", NULL);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (iso, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 40 * 1024);
  /* Keep the volume descriptors, lose the rest. */
  g_file_set_contents (cut, contents, 36 * 1024, NULL);
  assert_fails (cut, LODGE_CREATE_ERROR_TRUNCATED);

  /* Cut inside the volume descriptor itself. */
  g_file_set_contents (cut, contents, 32 * 1024 + 64, NULL);
  assert_fails (cut, LODGE_CREATE_ERROR_TRUNCATED);

  g_remove (cut);
  g_remove (iso);
}

static void
test_unreadable (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "folder.iso", NULL);
  g_autofree char *fifo = g_build_filename (tmpdir, "pipe.iso", NULL);
  g_autofree char *below_file = NULL;
  g_autofree char *iso = make_case_iso (&iso_cases[3]);

  /* root reads any file whatever its mode: a folder, a FIFO and a path
   * through a file are unreadable for everyone. */
  g_mkdir (dir, 0755);
  assert_fails (dir, LODGE_CREATE_ERROR_UNREADABLE);

  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  assert_fails (fifo, LODGE_CREATE_ERROR_UNREADABLE);

  below_file = g_build_filename (iso, "inside.iso", NULL);
  assert_fails (below_file, LODGE_CREATE_ERROR_NOT_FOUND);

  /* A mode-000 file is unreadable for a normal user. */
  if (geteuid () != 0)
    {
      g_chmod (iso, 0);
      assert_fails (iso, LODGE_CREATE_ERROR_UNREADABLE);
      g_chmod (iso, 0644);
    }

  g_rmdir (dir);
  g_remove (fifo);
  g_remove (iso);
}

static void
test_missing (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "does-not-exist.iso", NULL);

  assert_fails (path, LODGE_CREATE_ERROR_NOT_FOUND);
}

static void
test_disk_images (void)
{
  const struct {
    const char *file;
    const char *qemu_format;
    LodgeDiskFormat format;
  } cases[] = {
    { "disk.qcow2", "qcow2", LODGE_DISK_FORMAT_QCOW2 },
    { "disk.vmdk", "vmdk", LODGE_DISK_FORMAT_VMDK },
    { "disk.vdi", "vdi", LODGE_DISK_FORMAT_VDI },
    { "disk.img", "raw", LODGE_DISK_FORMAT_RAW },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (tmpdir, cases[i].file, NULL);
      const char *argv[] = { "qemu-img", "create", "-q", "-f", cases[i].qemu_format, path, "64M", NULL };
      g_autoptr(LodgeMedia) media = NULL;
      g_autoptr(GError) error = NULL;
      guint64 vsize = 0;

      lodge_create_test_run (argv);

      g_assert_cmpint (lodge_disk_image_probe (path, &vsize, &error), ==, cases[i].format);
      g_assert_no_error (error);
      g_assert_cmpuint (vsize, ==, 64 << 20);

      media = identify (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (lodge_media_get_kind (media), ==, LODGE_MEDIA_KIND_DISK_IMAGE);
      g_assert_cmpint (lodge_media_get_disk_format (media), ==, cases[i].format);
      g_assert_cmpuint (lodge_media_get_virtual_size (media), ==, 64 << 20);
      g_assert_null (lodge_media_get_os (media));
      g_assert_null (lodge_media_get_volume_id (media));
      g_remove (path);
    }
}

static void
set_mtime (const char *path,
           guint64     seconds)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (g_file_set_attribute_uint64 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, seconds,
                                              G_FILE_QUERY_INFO_NONE, NULL, NULL));
}

static void
test_scanner (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "Downloads", NULL);
  g_autofree char *sub = g_build_filename (dir, "older", NULL);
  g_autofree char *iso = NULL;
  g_autofree char *qcow2 = g_build_filename (dir, "server.qcow2", NULL);
  g_autofree char *text = g_build_filename (dir, "fake.iso", NULL);
  g_autofree char *notes = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *nested = NULL;
  const char *qemu_argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", qcow2, "32M", NULL };
  g_autoptr(LodgeMediaScanner) scanner = lodge_media_scanner_new (lodge_create_test_get_db ());
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMedia) first = NULL;
  g_autoptr(LodgeMedia) second = NULL;

  g_mkdir_with_parents (sub, 0755);
  iso = lodge_create_test_make_iso (dir, "Fedora.iso", "Fedora-S-dvd-x86_64-37", NULL, NULL, FALSE);
  nested = lodge_create_test_make_iso (sub, "nested.iso", "Fedora-S-dvd-x86_64-37", NULL, NULL, FALSE);
  lodge_create_test_run (qemu_argv);
  g_file_set_contents (text, "not an image", -1, NULL);
  g_file_set_contents (notes, "notes", -1, NULL);
  set_mtime (iso, 1700000000);
  set_mtime (qcow2, 1800000000);

  g_assert_false (lodge_media_scanner_get_scanning (scanner));
  lodge_media_scanner_scan_async (scanner, dir, NULL, lodge_create_test_store_cb, &result);
  g_assert_true (lodge_media_scanner_get_scanning (scanner));
  lodge_create_test_wait (&result, 60);
  g_assert_true (lodge_media_scanner_scan_finish (scanner, result, &error));
  g_assert_no_error (error);
  g_assert_false (lodge_media_scanner_get_scanning (scanner));

  /* The qcow2 is newer; the text file, the notes and the subfolder are out. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (scanner)), ==, 2);
  first = g_list_model_get_item (G_LIST_MODEL (scanner), 0);
  second = g_list_model_get_item (G_LIST_MODEL (scanner), 1);
  g_assert_cmpstr (lodge_media_get_path (first), ==, qcow2);
  g_assert_cmpint (lodge_media_get_kind (first), ==, LODGE_MEDIA_KIND_DISK_IMAGE);
  g_assert_cmpstr (lodge_media_get_path (second), ==, iso);
  g_assert_cmpstr (lodge_os_get_short_id (lodge_media_get_os (second)), ==, "fedora37");

  /* A folder that does not exist holds nothing, without an error. */
  g_clear_object (&result);
  lodge_media_scanner_scan_async (scanner, "/nonexistent/Downloads",
                                  NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  g_assert_true (lodge_media_scanner_scan_finish (scanner, result, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (scanner)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *xorriso = g_find_program_in_path ("xorriso");
  g_autofree char *qemu_img = g_find_program_in_path ("qemu-img");
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (xorriso == NULL || qemu_img == NULL)
    lodge_test_skip_all ("xorriso or qemu-img is not installed");

  tmpdir = g_dir_make_tmp ("lodge-media-XXXXXX", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (iso_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/create/media/iso/%s", iso_cases[i].file);
      g_test_add_data_func (name, &iso_cases[i], test_iso);
    }
  g_test_add_func ("/create/media/not-an-iso", test_not_an_iso);
  g_test_add_func ("/create/media/truncated", test_truncated_iso);
  g_test_add_func ("/create/media/unreadable", test_unreadable);
  g_test_add_func ("/create/media/missing", test_missing);
  g_test_add_func ("/create/media/disk-images", test_disk_images);
  g_test_add_func ("/create/media/scanner", test_scanner);

  ret = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_free (tmpdir);
  return ret;
}
