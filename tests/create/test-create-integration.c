/* test-create-integration.c: creating real machines with a real libvirtd
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs root and a libvirt daemon on qemu:///system (started through
 * build-aux/start-libvirtd.sh when none answers). Guests run under TCG
 * (LODGE_FORCE_EMULATION=1). Every machine is named lodge-test-create-*
 * and removed at the start (leftovers of a crashed run), at the end, and
 * from an abort handler.
 */
#define G_LOG_DOMAIN "test-create-integration"
#define _GNU_SOURCE   /* memmem() */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "create/lodge-create.h"
#include "model/lodge-model.h"
#include "model/lodge-machine-editor.h"
#include "lodge-create-test.h"
#include "lodge-test.h"

#define URI     "qemu:///system"
#define PREFIX  "lodge-test-create-"
#define MiB     (G_GUINT64_CONSTANT (1) << 20)
#define GiB     (G_GUINT64_CONSTANT (1) << 30)

static LodgeHost       *lodge_host;
static LodgeConnection *connection;   /* lodge_host's */
static LodgeHostInfo   *host;
static char            *tmpdir;
static char            *boot_iso;

static void
quiet_libvirt_error_cb (void        *data,
                        virErrorPtr  error)
{
}

/* Removes every lodge-test-create-* domain and volume (and throwaway
 * overlays of such domains). Uses its own connection: it also runs from
 * the abort handler. */
static void
cleanup_leftovers (void)
{
  virConnectPtr conn = virConnectOpen (URI);
  virDomainPtr *doms = NULL;
  virStoragePoolPtr pool;
  int n;

  if (conn == NULL)
    return;

  n = virConnectListAllDomains (conn, &doms, 0);
  for (int i = 0; i < n; i++)
    {
      const char *name = virDomainGetName (doms[i]);

      if (name != NULL && g_str_has_prefix (name, PREFIX))
        {
          if (virDomainIsActive (doms[i]) == 1)
            virDomainDestroy (doms[i]);
          if (virDomainIsPersistent (doms[i]) == 1)
            virDomainUndefineFlags (doms[i], VIR_DOMAIN_UNDEFINE_NVRAM |
                                             VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                             VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
        }
      virDomainFree (doms[i]);
    }
  free (doms);

  pool = virStoragePoolLookupByName (conn, LODGE_POOL_NAME);
  if (pool != NULL)
    {
      virStorageVolPtr *vols = NULL;

      virStoragePoolRefresh (pool, 0);
      n = virStoragePoolListAllVolumes (pool, &vols, 0);
      for (int i = 0; i < n; i++)
        {
          const char *name = virStorageVolGetName (vols[i]);

          if (name != NULL && g_str_has_prefix (name, PREFIX))
            virStorageVolDelete (vols[i], 0);
          virStorageVolFree (vols[i]);
        }
      free (vols);
      virStoragePoolFree (pool);
    }

  virResetLastError ();
  virConnectClose (conn);
}

/* Set while test_daemon_lost has the daemon down: a failing test still
 * brings it back for everyone else. */
static gboolean daemon_down;

static void
abort_handler (int signum)
{
  signal (signum, SIG_DFL);
  if (daemon_down)
    {
      g_autofree char *cmd = g_strdup_printf ("'%s' start", g_getenv ("LODGE_START_LIBVIRTD"));

      if (system (cmd) != 0)
        g_printerr ("could not start libvirtd again\n");
    }
  cleanup_leftovers ();
  raise (signum);
}

/* What is left of our test machines and disks. */
static guint
count_leftovers (void)
{
  virConnectPtr conn = virConnectOpen (URI);
  virDomainPtr *doms = NULL;
  virStoragePoolPtr pool;
  guint count = 0;
  int n;

  g_assert_nonnull (conn);
  n = virConnectListAllDomains (conn, &doms, 0);
  for (int i = 0; i < n; i++)
    {
      if (g_str_has_prefix (virDomainGetName (doms[i]), PREFIX))
        count++;
      virDomainFree (doms[i]);
    }
  free (doms);

  pool = virStoragePoolLookupByName (conn, LODGE_POOL_NAME);
  if (pool != NULL)
    {
      virStorageVolPtr *vols = NULL;

      virStoragePoolRefresh (pool, 0);
      n = virStoragePoolListAllVolumes (pool, &vols, 0);
      for (int i = 0; i < n; i++)
        {
          const char *name = virStorageVolGetName (vols[i]);

          if (g_str_has_prefix (name, PREFIX) || g_str_has_prefix (name, LODGE_THROWAWAY_PREFIX))
            count++;
          virStorageVolFree (vols[i]);
        }
      free (vols);
      virStoragePoolFree (pool);
    }

  virResetLastError ();
  virConnectClose (conn);
  return count;
}

static LodgeMachineSpec *
make_spec (const char *name)
{
  LodgeMachineSpec *spec = lodge_machine_spec_new ();

  /* isolinux boots with BIOS: an unknown OS keeps it so. */
  lodge_machine_spec_apply_os (spec, NULL, host);
  lodge_machine_spec_set_name (spec, name);
  lodge_machine_spec_set_cdrom_path (spec, boot_iso);
  lodge_machine_spec_set_memory (spec, 256 * MiB);
  lodge_machine_spec_set_vcpus (spec, 1);
  lodge_machine_spec_set_disk_size (spec, 1 * GiB);
  return spec;
}

static char *
run_creator (LodgeMachineSpec     *spec,
             LodgeMachineCreator **out_creator,
             GError              **error)
{
  g_autoptr(LodgeMachineCreator) creator = lodge_machine_creator_new (connection, spec);
  g_autoptr(GAsyncResult) result = NULL;
  char *uuid;

  lodge_machine_creator_run_async (creator, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 120);
  uuid = lodge_machine_creator_run_finish (creator, result, error);
  if (out_creator != NULL)
    *out_creator = g_steal_pointer (&creator);
  return uuid;
}

typedef struct
{
  const char        *name;
  LodgeMachineState  state;
} StateWait;

static gboolean
machine_in_state (gpointer data)
{
  StateWait *wait = data;
  LodgeMachine *machine = lodge_connection_lookup_machine (connection, wait->name);

  return machine != NULL && lodge_machine_get_state (machine) == wait->state;
}

/* isolinux's 800x600 menu is on the screen (see lodge_create_test_make_iso). */
static gboolean
screen_shows_menu (const char *name)
{
  g_autofree char *shot = g_build_filename (tmpdir, "screen.img", NULL);
  const char *argv[] = { "virsh", "-q", "-c", URI, "screenshot", name, shot, NULL };
  g_autofree char *data = NULL;
  gsize len = 0;
  int status = 0;
  guint width = 0, height = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL) ||
      !g_file_get_contents (shot, &data, &len, NULL))
    return FALSE;

  /* QEMU writes PNG (IHDR: big-endian width and height) or PPM ("P6 W H"). */
  if (len > 24 && memcmp (data, "\x89PNG", 4) == 0)
    {
      const guint8 *p = (const guint8 *)data + 16;

      width = (guint)p[0] << 24 | (guint)p[1] << 16 | (guint)p[2] << 8 | p[3];
      height = (guint)p[4] << 24 | (guint)p[5] << 16 | (guint)p[6] << 8 | p[7];
    }
  else if (len > 2 && data[0] == 'P' && data[1] == '6')
    sscanf (data + 2, " %u %u", &width, &height);

  if (width != 800 || height != 600)
    return FALSE;

  /* To look at it: LODGE_CREATE_SCREENSHOT=/tmp/x.png */
  if (g_getenv ("LODGE_CREATE_SCREENSHOT") != NULL)
    g_file_set_contents (g_getenv ("LODGE_CREATE_SCREENSHOT"), data, len, NULL);
  return TRUE;
}

static void
test_create_boot_delete (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec (PREFIX "boot");
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *disk = NULL;
  StateWait wait = { PREFIX "boot", LODGE_MACHINE_STATE_RUNNING };
  LodgeMachine *machine;
  gint64 end;
  gboolean drawn = FALSE;

  uuid = run_creator (spec, &creator, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uuid);
  disk = g_strdup (lodge_machine_creator_get_volume_path (creator));
  g_assert_nonnull (disk);
  g_assert_true (g_str_has_prefix (disk, "/var/lib/libvirt/images/lodge/"));
  g_assert_true (g_file_test (disk, G_FILE_TEST_IS_REGULAR));

  /* The model shows it running. */
  g_assert_true (lodge_create_test_wait_until (machine_in_state, &wait, 60));
  machine = lodge_connection_lookup_machine (connection, PREFIX "boot");
  g_assert_cmpstr (lodge_machine_get_uuid (machine), ==, uuid);
  g_assert_cmpstr (lodge_machine_get_os_id (machine), ==, "http://libosinfo.org/unknown");

  /* isolinux's menu on the screen (a few seconds under TCG). */
  end = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  while (!(drawn = screen_shows_menu (PREFIX "boot")) && g_get_monotonic_time () < end)
    g_usleep (G_USEC_PER_SEC);
  g_assert_true (drawn);

  /* Delete it with its disk. */
  lodge_machine_delete_async (machine, TRUE, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  g_assert_true (lodge_machine_delete_finish (machine, result, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (disk, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_leftovers (), ==, 0);
}

static void
overlay_removed_cb (LodgeThrowawayWatcher *watcher,
                    const char            *uuid,
                    const char            *path,
                    const GError          *error,
                    char                 **removed)
{
  g_assert_no_error ((GError *)error);
  g_free (*removed);
  *removed = g_strdup (uuid);
}

static gboolean
string_equals (gpointer data)
{
  char **pair = data;

  return pair[0] != NULL && g_strcmp0 (pair[0], pair[1]) == 0;
}

static void
test_throwaway (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec (PREFIX "throwaway");
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *overlay = NULL;
  char *removed[2] = { NULL, NULL };
  StateWait wait = { PREFIX "throwaway", LODGE_MACHINE_STATE_RUNNING };
  LodgeThrowawayWatcher *watcher = lodge_host_get_throwaway_watcher (lodge_host);
  virConnectPtr conn;
  virDomainPtr dom;
  gulong handler;

  handler = g_signal_connect (watcher, "overlay-removed", G_CALLBACK (overlay_removed_cb), &removed[0]);

  lodge_machine_spec_set_throwaway (spec, TRUE);
  uuid = run_creator (spec, &creator, &error);
  g_assert_no_error (error);
  overlay = g_strdup (lodge_machine_creator_get_volume_path (creator));
  g_assert_nonnull (overlay);
  g_assert_true (g_file_test (overlay, G_FILE_TEST_IS_REGULAR));
  g_assert_true (lodge_create_test_wait_until (machine_in_state, &wait, 60));

  conn = virConnectOpen (URI);
  dom = virDomainLookupByUUIDString (conn, uuid);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainIsPersistent (dom), ==, 0);

  /* Force off: the domain vanishes, and so does every file. */
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);
  virConnectClose (conn);

  removed[1] = uuid;
  g_assert_true (lodge_create_test_wait_until (string_equals, removed, 60));
  g_assert_false (g_file_test (overlay, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_leftovers (), ==, 0);

  g_signal_handler_disconnect (watcher, handler);
  g_free (removed[0]);
}

/* Windows 11's hardware on a real libvirtd: UEFI by autoselection with
 * Secure Boot and enrolled keys, SMM, a TPM 2.0 emulator. No Windows here:
 * the firmware runs, finds nothing to boot, and waits. */
static void
test_uefi_secure_boot_tpm (void)
{
  g_autoptr(LodgeMachineSpec) spec = lodge_machine_spec_new ();
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *nvram = NULL;
  StateWait wait = { PREFIX "win11", LODGE_MACHINE_STATE_RUNNING };
  LodgeOs *win11 = lodge_os_database_lookup (lodge_create_test_get_db (), "win11");
  LodgeMachine *machine;
  virConnectPtr conn;
  virDomainPtr dom;

  if (!host->uefi || !host->secure_boot || !host->tpm)
    {
      if (g_strcmp0 (g_getenv ("LODGE_TEST_NO_SKIP"), "1") == 0)
        g_error ("UEFI with Secure Boot or swtpm is missing (ovmf, swtpm, swtpm-tools)");
      g_test_skip ("UEFI with Secure Boot or swtpm is missing (ovmf, swtpm, swtpm-tools)");
      return;
    }

  g_assert_nonnull (win11);
  lodge_machine_spec_set_name (spec, PREFIX "win11");
  lodge_machine_spec_apply_os (spec, win11, host);
  g_assert_true (lodge_machine_spec_get_secure_boot (spec));
  g_assert_true (lodge_machine_spec_get_tpm (spec));
  lodge_machine_spec_set_cdrom_path (spec, boot_iso);
  /* Small: nothing is installed. */
  lodge_machine_spec_set_memory (spec, 512 * MiB);
  lodge_machine_spec_set_vcpus (spec, 1);
  lodge_machine_spec_set_disk_size (spec, 1 * GiB);

  creator = lodge_machine_creator_new (connection, spec);
  lodge_machine_creator_run_async (creator, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 120);
  uuid = lodge_machine_creator_run_finish (creator, result, &error);
  g_assert_no_error (error);
  g_assert_true (lodge_create_test_wait_until (machine_in_state, &wait, 60));

  conn = virConnectOpen (URI);
  dom = virDomainLookupByUUIDString (conn, uuid);
  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, 0);
  /* libvirt picked a Secure Boot OVMF and made the NVRAM from the template
   * with Microsoft's keys. */
  g_assert_nonnull (strstr (xml, "secure='yes'"));
  g_assert_nonnull (strstr (xml, "<nvram"));
  g_assert_nonnull (strstr (xml, "<tpm model='tpm-crb'>"));
  {
    const char *start = strstr (xml, "<nvram");
    const char *path = start ? strchr (start, '>') : NULL;
    const char *end = path ? strstr (path, "</nvram>") : NULL;

    if (path != NULL && end != NULL)
      nvram = g_strndup (path + 1, end - path - 1);
  }
  g_test_message ("nvram: %s", nvram ? nvram : "(none)");
  g_assert_nonnull (nvram);
  g_assert_true (g_file_test (nvram, G_FILE_TEST_IS_REGULAR));
  virDomainFree (dom);
  virConnectClose (conn);

  machine = lodge_connection_lookup_machine (connection, PREFIX "win11");
  g_clear_object (&result);
  lodge_machine_delete_async (machine, TRUE, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  g_assert_true (lodge_machine_delete_finish (machine, result, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (nvram, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_leftovers (), ==, 0);
}

/* Express install: the kickstart reaches the guest on a second CD-ROM
 * labelled OEMDRV (Anaconda loads ks.cfg from it by itself). No Fedora
 * here: the test checks the image and the definition, not an install. */
static void
test_express (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec (PREFIX "express");
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(LodgeExpressSettings) settings = lodge_express_settings_new_from_host ();
  g_autoptr(LodgeExpressScript) script = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMedia) media = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *unattended = NULL;
  g_autofree char *extracted = g_build_filename (tmpdir, "ks.cfg", NULL);
  g_autofree char *ks = NULL;
  LodgeOs *fedora = lodge_os_database_lookup (lodge_create_test_get_db (), "fedora37");
  virConnectPtr conn;
  virDomainPtr dom;

  g_assert_true (lodge_express_is_supported (fedora));
  /* By initrd injection (test_express_initrd). */
  g_assert_true (lodge_express_is_supported (lodge_os_database_lookup (lodge_create_test_get_db (),
                                                                       "debian11")));

  settings->user_password = g_strdup ("lodge-pass");
  settings->hostname = g_strdup ("lodge-express-guest");
  lodge_express_generate_async (fedora, settings, LODGE_DISK_BUS_VIRTIO, NULL, NULL,
                                lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  script = lodge_express_generate_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  lodge_machine_spec_set_express_script (spec, script);
  creator = lodge_machine_creator_new (connection, spec);
  lodge_machine_creator_run_async (creator, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 120);
  uuid = lodge_machine_creator_run_finish (creator, result, &error);
  g_assert_no_error (error);

  conn = virConnectOpen (URI);
  dom = virDomainLookupByUUIDString (conn, uuid);
  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  {
    const char *start = strstr (xml, "/var/lib/libvirt/images/lodge/" PREFIX "express-unattended.iso");
    g_assert_nonnull (start);
    unattended = g_strndup (start, strchr (start, '\'') - start);
  }
  virDomainFree (dom);
  virConnectClose (conn);

  /* A readable ISO with the right label and the script. */
  g_clear_object (&result);
  lodge_media_new_for_path_async (lodge_create_test_get_db (), unattended, NULL,
                                  lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  media = lodge_media_new_for_path_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lodge_media_get_volume_id (media), ==, "OEMDRV");
  {
    const char *argv[] = { "xorriso", "-osirrox", "on", "-indev", unattended,
                           "-extract", "/ks.cfg", extracted, NULL };

    lodge_create_test_run (argv);
  }
  g_assert_true (g_file_get_contents (extracted, &ks, NULL, NULL));
  g_assert_cmpstr (ks, ==, script->content);
  g_assert_nonnull (strstr (ks, "lodge-express-guest"));

  cleanup_leftovers ();
  g_assert_cmpuint (count_leftovers (), ==, 0);
}

static void
import_progress_cb (LodgeMachineCreator *creator,
                    GParamSpec          *pspec,
                    double              *max_import)
{
  if (lodge_machine_creator_get_stage (creator) == LODGE_CREATE_STAGE_CREATING_DISK)
    *max_import = MAX (*max_import, lodge_machine_creator_get_progress (creator));
}

/* A VMDK is converted into a qcow2 volume of Lodge's pool. */
static void
test_import (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec (PREFIX "import");
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *image = g_build_filename (tmpdir, "old disk.vmdk", NULL);
  g_autofree char *info = NULL;
  const char *create_argv[] = { "qemu-img", "create", "-q", "-f", "vmdk", image, "96M", NULL };
  double max_import = 0.0;
  virConnectPtr conn;
  virStorageVolPtr vol;
  virStorageVolInfo vol_info;

  lodge_create_test_run (create_argv);
  lodge_machine_spec_set_cdrom_path (spec, NULL);
  lodge_machine_spec_set_import_path (spec, image);
  lodge_machine_spec_set_import_format (spec, LODGE_DISK_FORMAT_VMDK);

  creator = lodge_machine_creator_new (connection, spec);
  g_signal_connect (creator, "notify::progress", G_CALLBACK (import_progress_cb), &max_import);
  lodge_machine_creator_run_async (creator, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 120);
  uuid = lodge_machine_creator_run_finish (creator, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uuid);
  g_assert_cmpfloat (max_import, >=, 0.3);

  conn = virConnectOpen (URI);
  vol = virStorageVolLookupByPath (conn, lodge_machine_creator_get_volume_path (creator));
  g_assert_nonnull (vol);
  g_assert_cmpint (virStorageVolGetInfo (vol, &vol_info), ==, 0);
  g_assert_cmpuint (vol_info.capacity, ==, 96 * MiB);
  info = virStorageVolGetXMLDesc (vol, 0);
  g_assert_nonnull (strstr (info, "<format type='qcow2'/>"));
  virStorageVolFree (vol);
  virConnectClose (conn);
  /* The original stays. */
  g_assert_true (g_file_test (image, G_FILE_TEST_IS_REGULAR));

  cleanup_leftovers ();
  g_assert_cmpuint (count_leftovers (), ==, 0);
}

/* A throwaway run of an existing disk: the guest writes to an overlay;
 * when it stops the overlay goes and the disk is as it was. */
static void
test_throwaway_existing_disk (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec (PREFIX "throwaway-disk");
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *overlay = NULL;
  g_autofree char *base = g_build_filename (tmpdir, "base.qcow2", NULL);
  g_autofree char *vol_xml = NULL;
  const char *create_argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", base, "64M", NULL };
  char *removed[2] = { NULL, NULL };
  StateWait wait = { PREFIX "throwaway-disk", LODGE_MACHINE_STATE_RUNNING };
  LodgeThrowawayWatcher *watcher = lodge_host_get_throwaway_watcher (lodge_host);
  virConnectPtr conn;
  virDomainPtr dom;
  virStorageVolPtr vol;
  virStorageVolInfo info;
  gulong handler;

  lodge_create_test_run (create_argv);
  g_chmod (base, 0644);
  handler = g_signal_connect (watcher, "overlay-removed", G_CALLBACK (overlay_removed_cb), &removed[0]);

  lodge_machine_spec_set_throwaway (spec, TRUE);
  lodge_machine_spec_set_disk_path (spec, base);
  lodge_machine_spec_set_disk_format (spec, LODGE_DISK_FORMAT_QCOW2);
  uuid = run_creator (spec, &creator, &error);
  g_assert_no_error (error);
  overlay = g_strdup (lodge_machine_creator_get_volume_path (creator));
  g_assert_nonnull (overlay);
  g_assert_cmpstr (overlay, !=, base);
  g_assert_true (lodge_create_test_wait_until (machine_in_state, &wait, 60));

  /* The overlay has the base's size and sits on it. */
  conn = virConnectOpen (URI);
  vol = virStorageVolLookupByPath (conn, overlay);
  g_assert_nonnull (vol);
  g_assert_cmpint (virStorageVolGetInfo (vol, &info), ==, 0);
  g_assert_cmpuint (info.capacity, ==, 64 * MiB);
  vol_xml = virStorageVolGetXMLDesc (vol, 0);
  g_assert_nonnull (strstr (vol_xml, base));
  virStorageVolFree (vol);

  dom = virDomainLookupByUUIDString (conn, uuid);
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);
  virConnectClose (conn);

  removed[1] = uuid;
  g_assert_true (lodge_create_test_wait_until (string_equals, removed, 60));
  g_assert_false (g_file_test (overlay, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (base, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_leftovers (), ==, 0);

  g_signal_handler_disconnect (watcher, handler);
  g_free (removed[0]);
}

/* ---- hostile input: each refused with its message, or taken literally,
 * and nothing left behind ---- */

/* Relative (a name cannot hold "/"): looked for where the daemon, QEMU
 * and this test run. */
#define SHELL_WITNESS "lodge-hostile-shell"

typedef enum
{
  MEDIA_GIVEN,        /* boot_iso */
  MEDIA_MISSING,
  MEDIA_LOOP,         /* a symlink to itself */
  MEDIA_FOLDER,
  MEDIA_VANISHES,     /* removed while the disk is made */
} HostileMedia;

typedef struct
{
  const char   *path;       /* test path, after /create/integration/hostile/ */
  const char   *name;       /* NULL: PREFIX + path */
  guint64       memory;     /* 0: make_spec's; G_MAXUINT64: host's + 1 GiB */
  guint         vcpus;      /* 0: make_spec's; G_MAXUINT: host's + 1 */
  guint64       disk_size;  /* 0: make_spec's */
  gboolean      zero_memory;
  HostileMedia  media;
  GQuark      (*domain) (void);
  int           code;       /* -1: created, the name taken literally */
  const char   *message;    /* part of the error's message */
} HostileCase;

static const HostileCase hostile_cases[] = {
  { "name-empty", "", 0, 0, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_NAME, "needs a name" },
  { "name-spaces", "    ", 0, 0, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_NAME, "needs a name" },
  { "name-slash", PREFIX "a/b", 0, 0, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_NAME, "“/”" },
  { "name-dot-dot", "..", 0, 0, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_NAME, "“..”" },
  { "name-300", NULL /* 300 letters, made below */, 0, 0, 0, FALSE, MEDIA_GIVEN,
    lodge_create_error_quark, LODGE_CREATE_ERROR_INVALID_NAME, "too long" },
  { "name-taken", PREFIX "taken", 0, 0, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_NAME_TAKEN, PREFIX "taken" },
  { "name-control", PREFIX "tab\there", 0, 0, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_NAME, "control characters" },
  { "name-rtl-override", PREFIX "\xe2\x80\xae" "exe.txt", 0, 0, 0, FALSE, MEDIA_GIVEN,
    lodge_create_error_quark, LODGE_CREATE_ERROR_INVALID_NAME, "direction of text" },
  /* Closing <name> takes a "/"; markup without one is only text. */
  { "name-xml", PREFIX "</name><devices>", 0, 0, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_NAME, "“/”" },
  { "name-markup", PREFIX "<devices><disk type='file'>&amp;\"", 0, 0, 0, FALSE, MEDIA_GIVEN,
    NULL, -1, NULL },
  { "name-shell", PREFIX "$(touch " SHELL_WITNESS ");`touch " SHELL_WITNESS "`|&>'\"*",
    0, 0, 0, FALSE, MEDIA_GIVEN, NULL, -1, NULL },
  { "memory-zero", NULL, 0, 0, 0, TRUE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_CONFIG, "at least 64 MiB" },
  { "memory-above-host", NULL, G_MAXUINT64, 0, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_CONFIG, "but the host has only" },
  { "vcpus-above-host", NULL, 0, G_MAXUINT, 0, FALSE, MEDIA_GIVEN, lodge_create_error_quark,
    LODGE_CREATE_ERROR_INVALID_CONFIG, "processors, but the host has only" },
  { "disk-above-free-space", NULL, 0, 0, G_GUINT64_CONSTANT (1) << 50, FALSE, MEDIA_GIVEN,
    lodge_create_error_quark, LODGE_CREATE_ERROR_NO_SPACE, "" },
  { "media-missing", NULL, 0, 0, 0, FALSE, MEDIA_MISSING, lodge_create_error_quark,
    LODGE_CREATE_ERROR_NOT_FOUND, "no longer exists" },
  { "media-symlink-loop", NULL, 0, 0, 0, FALSE, MEDIA_LOOP, lodge_create_error_quark,
    LODGE_CREATE_ERROR_UNREADABLE, "leads back to itself" },
  { "media-folder", NULL, 0, 0, 0, FALSE, MEDIA_FOLDER, lodge_create_error_quark,
    LODGE_CREATE_ERROR_UNREADABLE, "is a folder, not a file" },
  /* libvirt refuses the definition after the disk was made: the disk goes. */
  { "emulator-not-qemu", NULL, 0, 0, 0, FALSE, MEDIA_GIVEN, lodge_model_error_quark,
    LODGE_MODEL_ERROR_LIBVIRT, "Could not set up the machine" },
  { "media-vanishes", NULL, 0, 0, 0, FALSE, MEDIA_VANISHES, lodge_create_error_quark,
    LODGE_CREATE_ERROR_NOT_FOUND, "no longer exists" },
};


static void
remove_media_cb (LodgeMachineCreator *creator,
                 GParamSpec          *pspec,
                 const char          *path)
{
  if (lodge_machine_creator_get_stage (creator) == LODGE_CREATE_STAGE_CREATING_DISK)
    g_remove (path);
}

/* A defined (not running) machine of the test's own, for the name and the
 * XML editor's cases. */
static void
define_plain_domain (const char *name,
                     const char *uuid)
{
  virConnectPtr conn = virConnectOpen (URI);
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autofree char *xml =
    g_strdup_printf ("<domain type='qemu'><name>%s</name><uuid>%s</uuid>"
                     "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                     "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>",
                     escaped, uuid);
  virDomainPtr dom;

  g_assert_nonnull (conn);
  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    g_error ("Could not define %s: %s", name, virGetLastErrorMessage ());
  virDomainFree (dom);
  virConnectClose (conn);
}

static char *
replace_once (const char *text,
              const char *old,
              const char *new)
{
  g_auto(GStrv) parts = g_strsplit (text, old, 2);

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  return g_strjoin (new, parts[0], parts[1], NULL);
}

static char *
dump_definition (const char *uuid)
{
  virConnectPtr conn = virConnectOpen (URI);
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);
  char *xml;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  virDomainFree (dom);
  virConnectClose (conn);
  return xml;
}

static void
delete_created (const char *uuid)
{
  LodgeMachine *machine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while ((machine = lodge_machine_list_lookup_uuid (lodge_connection_get_machines (connection), uuid)) == NULL &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (machine);
  lodge_machine_delete_async (machine, TRUE, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 120);
  g_assert_true (lodge_machine_delete_finish (machine, result, &error));
  g_assert_no_error (error);
}

static void
test_hostile (gconstpointer data)
{
  const HostileCase *c = data;
  g_autofree char *long_name = NULL;
  g_autofree char *default_name = g_strconcat (PREFIX, c->path, NULL);
  const char *name = c->name != NULL ? c->name : default_name;
  g_autoptr(LodgeMachineSpec) spec = NULL;
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *media = NULL;
  g_autofree char *taken_uuid = NULL;

  if (g_str_equal (c->path, "name-300"))
    {
      GString *s = g_string_new (PREFIX);

      while (s->len < 300)
        g_string_append_c (s, 'x');
      name = long_name = g_string_free (s, FALSE);
    }
  if (c->code == LODGE_CREATE_ERROR_NAME_TAKEN)
    {
      taken_uuid = g_uuid_string_random ();
      define_plain_domain (name, taken_uuid);
    }

  spec = make_spec (name);
  if (c->zero_memory)
    lodge_machine_spec_set_memory (spec, 0);
  else if (c->memory == G_MAXUINT64)
    lodge_machine_spec_set_memory (spec, host->memory + GiB);
  if (c->vcpus == G_MAXUINT)
    lodge_machine_spec_set_vcpus (spec, host->cpus + 1);
  if (c->disk_size != 0)
    lodge_machine_spec_set_disk_size (spec, c->disk_size);
  if (g_str_equal (c->path, "emulator-not-qemu"))
    {
      g_autofree char *fake = g_build_filename (tmpdir, "not-qemu", NULL);

      g_assert_true (g_file_set_contents (fake, "#!/bin/sh\nexit 1\n", -1, NULL));
      g_chmod (fake, 0755);
      g_object_set (spec, "emulator", fake, NULL);
    }

  switch (c->media)
    {
    case MEDIA_GIVEN:
      break;
    case MEDIA_MISSING:
      media = g_build_filename (tmpdir, "gone.iso", NULL);
      lodge_machine_spec_set_cdrom_path (spec, media);
      break;
    case MEDIA_LOOP:
      media = g_build_filename (tmpdir, "loop.iso", NULL);
      g_assert_cmpint (symlink (media, media), ==, 0);
      lodge_machine_spec_set_cdrom_path (spec, media);
      break;
    case MEDIA_FOLDER:
      media = g_build_filename (tmpdir, "folder.iso", NULL);
      g_assert_cmpint (g_mkdir (media, 0755), ==, 0);
      lodge_machine_spec_set_cdrom_path (spec, media);
      break;
    case MEDIA_VANISHES:
      {
        g_autofree char *contents = NULL;
        gsize len = 0;

        media = g_build_filename (tmpdir, "vanishing.iso", NULL);
        g_assert_true (g_file_get_contents (boot_iso, &contents, &len, NULL));
        g_assert_true (g_file_set_contents (media, contents, len, NULL));
        g_chmod (media, 0644);
        lodge_machine_spec_set_cdrom_path (spec, media);
      }
      break;
    }
  g_remove ("/" SHELL_WITNESS);
  g_remove (SHELL_WITNESS);

  creator = lodge_machine_creator_new (connection, spec);
  if (c->media == MEDIA_VANISHES)
    g_signal_connect (creator, "notify::stage", G_CALLBACK (remove_media_cb), media);
  lodge_machine_creator_run_async (creator, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 120);
  uuid = lodge_machine_creator_run_finish (creator, result, &error);

  if (c->code < 0)
    {
      /* Taken literally: that exact name, one <devices>, nothing run. */
      g_autofree char *xml = NULL;
      virConnectPtr conn;
      virDomainPtr dom;

      g_assert_no_error (error);
      g_assert_nonnull (uuid);
      conn = virConnectOpen (URI);
      dom = virDomainLookupByUUIDString (conn, uuid);
      g_assert_nonnull (dom);
      g_assert_cmpstr (virDomainGetName (dom), ==, name);
      xml = virDomainGetXMLDesc (dom, 0);
      g_assert_nonnull (strstr (xml, "<devices>"));
      g_assert_null (strstr (strstr (xml, "<devices>") + 1, "<devices>"));
      virDomainFree (dom);
      virConnectClose (conn);
      g_assert_false (g_file_test ("/" SHELL_WITNESS, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (SHELL_WITNESS, G_FILE_TEST_EXISTS));
      delete_created (uuid);
    }
  else
    {
      g_assert_null (uuid);
      g_assert_error (error, c->domain (), c->code);
      g_test_message ("%s: %s", c->path, error->message);
      g_assert_nonnull (strstr (error->message, c->message));
      g_assert_cmpint (lodge_machine_creator_get_stage (creator), ==, LODGE_CREATE_STAGE_FAILED);
    }

  if (taken_uuid != NULL)
    {
      /* The machine that had the name is untouched. */
      g_autofree char *xml = dump_definition (taken_uuid);

      g_assert_nonnull (strstr (xml, "<memory unit='KiB'>65536</memory>"));
      cleanup_leftovers ();
    }
  g_assert_cmpuint (count_leftovers (), ==, 0);
  if (media != NULL)
    {
      g_remove (media);
      g_rmdir (media);
    }
}

/* The XML editor on the real daemon: refused edits leave the definition
 * as it was. */
static void
test_hostile_xml (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *other = g_uuid_string_random ();
  g_autofree char *before = NULL;
  g_autofree char *other_before = NULL;
  g_autoptr(LodgeMachineEditor) editor = NULL;
  LodgeMachine *machine = NULL;
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  struct { const char *what; char *xml; } edits[3];

  define_plain_domain (PREFIX "xml", uuid);
  define_plain_domain (PREFIX "xml-other", other);
  before = dump_definition (uuid);
  other_before = dump_definition (other);
  while ((machine = lodge_machine_list_lookup_uuid (lodge_connection_get_machines (connection), uuid)) == NULL &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (machine);
  editor = lodge_machine_editor_new (machine);

  edits[0].what = "malformed";
  edits[0].xml = g_strdup_printf ("<domain type='qemu'><name>%s</nam></domain>", PREFIX "xml");
  edits[1].what = "another machine's UUID";
  edits[1].xml = replace_once (before, uuid, other);
  edits[2].what = "a type this host cannot run";
  edits[2].xml = replace_once (before, "type='qemu'", "type='xen'");

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;
      guint line = 0;

      lodge_machine_editor_define_xml_async (editor, edits[i].xml, NULL,
                                             lodge_create_test_store_cb, &result);
      lodge_create_test_wait (&result, 60);
      g_assert_false (lodge_machine_editor_define_xml_finish (editor, result, &line, &error));
      g_assert_nonnull (error);
      g_test_message ("%s: %s", edits[i].what, error->message);
      g_assert_cmpstr (error->message, !=, "");
      after = dump_definition (uuid);
      g_assert_cmpstr (after, ==, before);
      g_free (edits[i].xml);
    }
  {
    g_autofree char *other_after = dump_definition (other);

    g_assert_cmpstr (other_after, ==, other_before);
  }

  cleanup_leftovers ();
  g_assert_cmpuint (count_leftovers (), ==, 0);
}

/* Fails when a regular file below @dir (followed no further than 4
 * levels) contains @secret. Files over 64 MiB (other machines' disks)
 * are not read: what could hold it (an initrd, an unattended image) is
 * small. */
static void
assert_no_file_holds_at (const char *dir,
                         const char *secret,
                         guint       depth)
{
  g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
  const char *name;
  GStatBuf st;

  if (folder == NULL || depth > 4)
    return;
  while ((name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        assert_no_file_holds_at (path, secret, depth + 1);
      else if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size <= 64 << 20 &&
               g_file_get_contents (path, &contents, &len, NULL) &&
               memmem (contents, len, secret, strlen (secret)) != NULL)
        g_error ("%s holds the password", path);
    }
}

static void
assert_no_file_holds (const char *dir,
                      const char *secret)
{
  assert_no_file_holds_at (dir, secret, 0);
}

/* ---- express install by initrd injection (Debian) ---- */

/* The guest's /init: shows what the installer would see (its /preseed.cfg
 * and its command line) on the serial port, once a second, until a line
 * comes back; then reboots, as the installer does at its end. */
static const char debian_init[] =
  "#!/bin/busybox sh\n"
  "/bin/busybox mkdir -p /proc /dev\n"
  "/bin/busybox mount -t proc proc /proc\n"
  "/bin/busybox mount -t devtmpfs dev /dev\n"
  "while :; do\n"
  "  { echo LODGE-PRESEED-BEGIN; /bin/busybox cat /preseed.cfg;\n"
  "    echo \"LODGE-CMDLINE $(/bin/busybox cat /proc/cmdline)\"; echo LODGE-PRESEED-END; } >/dev/ttyS0 2>&1\n"
  "  if read -t 1 line </dev/ttyS0; then /bin/busybox reboot -f; fi\n"
  "done\n";

/* An ISO that libosinfo takes for Debian 11's netinst, with the small
 * guest kernel as the installer's kernel and a busybox initrd. */
static char *
make_debian_iso (void)
{
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");
  g_autofree char *kernel = NULL;
  g_autofree char *root = g_build_filename (tmpdir, "debian-initrd", NULL);
  g_autofree char *bin = g_build_filename (root, "bin", NULL);
  g_autofree char *init = g_build_filename (root, "init", NULL);
  g_autofree char *busybox = g_build_filename (bin, "busybox", NULL);
  g_autofree char *initrd = g_build_filename (tmpdir, "debian-initrd.gz", NULL);
  g_autofree char *busybox_data = NULL;
  g_autofree char *pack = NULL;
  g_autofree char *kernel_graft = NULL;
  g_autofree char *initrd_graft = NULL;
  gsize busybox_len = 0;

  g_assert_nonnull (make_guest);
  g_assert_nonnull (guest_dir);
  {
    const char *argv[] = { make_guest, guest_dir, NULL };

    lodge_create_test_run (argv);
  }
  kernel = g_build_filename (guest_dir, "vmlinuz", NULL);
  g_assert_true (g_file_test (kernel, G_FILE_TEST_IS_REGULAR));

  g_mkdir_with_parents (bin, 0755);
  g_assert_true (g_file_get_contents ("/bin/busybox", &busybox_data, &busybox_len, NULL));
  g_assert_true (g_file_set_contents (busybox, busybox_data, busybox_len, NULL));
  g_chmod (busybox, 0755);
  g_assert_true (g_file_set_contents (init, debian_init, -1, NULL));
  g_chmod (init, 0755);
  pack = g_strdup_printf ("cd '%s' && find . | cpio -o -H newc --quiet | gzip -9 > '%s'", root, initrd);
  {
    const char *argv[] = { "sh", "-c", pack, NULL };

    lodge_create_test_run (argv);
  }

  kernel_graft = g_strdup_printf ("install.amd/vmlinuz=%s", kernel);
  initrd_graft = g_strdup_printf ("install.amd/initrd.gz=%s", initrd);
  {
    const char *grafts[] = { kernel_graft, initrd_graft, NULL };
    char *iso = lodge_create_test_make_iso (tmpdir, "debian.iso", "Debian 11.5.0 amd64 n", "Debian CD",
                                            grafts, FALSE);

    g_chmod (iso, 0644);
    return iso;
  }
}

static gboolean
volume_exists (virConnectPtr  conn,
               const char    *name)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, LODGE_POOL_NAME);
  virStorageVolPtr vol = NULL;

  if (pool != NULL)
    {
      virStoragePoolRefresh (pool, 0);
      vol = virStorageVolLookupByName (pool, name);
      virStoragePoolFree (pool);
    }
  virResetLastError ();
  if (vol == NULL)
    return FALSE;
  virStorageVolFree (vol);
  return TRUE;
}

/* Reads the serial console until the guest has shown the whole preseed
 * (the limit only guards against a hang), then answers it. */
static char *
read_preseed_from_console (virConnectPtr conn,
                           virDomainPtr  dom)
{
  virStreamPtr st = virStreamNew (conn, 0);
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 end = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  const char *begin;
  char *text = NULL;

  g_assert_nonnull (st);
  g_assert_cmpint (virDomainOpenConsole (dom, NULL, st, VIR_DOMAIN_CONSOLE_FORCE), ==, 0);
  while (g_get_monotonic_time () < end)
    {
      char buf[4096];
      int n = virStreamRecv (st, buf, sizeof buf);

      if (n <= 0)
        break;
      g_string_append_len (out, buf, n);
      if ((begin = strstr (out->str, "LODGE-PRESEED-BEGIN")) != NULL &&
          strstr (begin, "LODGE-PRESEED-END") != NULL)
        {
          const char *stop = strstr (begin, "LODGE-PRESEED-END");

          text = g_strndup (begin, stop - begin);
          break;
        }
    }
  /* Tell the "installer" to reboot. */
  for (guint i = 0; text != NULL && i < 3; i++)
    {
      if (virStreamSend (st, "go\r", 3) < 0)
        break;
      g_usleep (G_USEC_PER_SEC / 2);
    }
  virStreamAbort (st);
  virStreamFree (st);
  virResetLastError ();
  if (text == NULL)
    g_test_message ("console: %s", out->str);
  return text;
}

static gboolean
domain_stopped (gpointer data)
{
  virDomainPtr dom = data;

  return virDomainIsActive (dom) == 0;
}

static void
test_express_initrd (void)
{
  g_autoptr(LodgeMachineSpec) spec = lodge_machine_spec_new ();
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(LodgeExpressSettings) settings = lodge_express_settings_new_from_host ();
  g_autoptr(LodgeExpressScript) script = NULL;
  g_autoptr(LodgeMedia) media = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = make_debian_iso ();
  g_autofree char *uuid = NULL;
  g_autofree char *live = NULL;
  g_autofree char *persistent = NULL;
  g_autofree char *after = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *disk = NULL;
  LodgeOs *debian;
  LodgeMachine *machine;
  virConnectPtr conn;
  virDomainPtr dom;

  /* libosinfo takes it for Debian 11's installer. */
  lodge_media_new_for_path_async (lodge_create_test_get_db (), iso, NULL,
                                  lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  media = lodge_media_new_for_path_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  debian = lodge_media_get_os (media);
  g_assert_nonnull (debian);
  g_assert_cmpstr (lodge_os_get_short_id (debian), ==, "debian11");
  g_assert_true (lodge_express_is_supported (debian));

  g_free (settings->user_login);
  settings->user_login = g_strdup ("lodgeuser");
  settings->user_password = g_strdup ("lodge-pass");
  settings->hostname = g_strdup ("lodge-preseed-guest");
  g_free (settings->timezone);
  settings->timezone = g_strdup ("Europe/Paris");
  g_free (settings->keyboard);
  settings->keyboard = g_strdup ("fr");

  lodge_machine_spec_set_name (spec, PREFIX "debian");
  lodge_machine_spec_apply_os (spec, debian, host);
  lodge_machine_spec_set_firmware (spec, LODGE_SPEC_FIRMWARE_BIOS);
  lodge_machine_spec_set_secure_boot (spec, FALSE);
  lodge_machine_spec_set_tpm (spec, FALSE);
  lodge_machine_spec_set_memory (spec, 256 * MiB);
  lodge_machine_spec_set_vcpus (spec, 1);
  lodge_machine_spec_set_disk_size (spec, 1 * GiB);
  lodge_machine_spec_set_cdrom_path (spec, iso);

  lodge_express_generate_async (debian, settings, LODGE_DISK_BUS_VIRTIO, NULL, NULL,
                                lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  script = lodge_express_generate_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (script->injection, ==, LODGE_EXPRESS_INJECTION_INITRD);

  lodge_machine_spec_set_express_script (spec, script);

  /* An image without the installer's kernel: a clear error, nothing left. */
  {
    g_autoptr(LodgeMachineSpec) wrong = lodge_machine_spec_copy (spec);

    lodge_machine_spec_set_cdrom_path (wrong, boot_iso);
    uuid = run_creator (wrong, NULL, &error);
    g_assert_null (uuid);
    g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_FOUND);
    g_test_message ("no kernel: %s", error->message);
    g_assert_nonnull (strstr (error->message, "install.amd/vmlinuz"));
    g_assert_cmpuint (count_leftovers (), ==, 0);
    g_clear_error (&error);
  }

  /* A failure after the kernel and initrd volumes exist (the definition
   * is refused): they go with the disk. */
  {
    g_autoptr(LodgeMachineSpec) wrong = lodge_machine_spec_copy (spec);

    lodge_machine_spec_set_memory (wrong, 32 * MiB);
    uuid = run_creator (wrong, NULL, &error);
    g_assert_null (uuid);
    g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG);
    g_assert_cmpuint (count_leftovers (), ==, 0);
    g_clear_error (&error);
  }

  uuid = run_creator (spec, &creator, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uuid);
  disk = g_strdup (lodge_machine_creator_get_volume_path (creator));

  conn = virConnectOpen (URI);
  dom = virDomainLookupByUUIDString (conn, uuid);
  g_assert_nonnull (dom);

  /* Running the install boot; the next boot is the disk's. */
  live = virDomainGetXMLDesc (dom, 0);
  g_assert_nonnull (strstr (live, "<kernel>/var/lib/libvirt/images/lodge/" PREFIX "debian-install-vmlinuz</kernel>"));
  g_assert_nonnull (strstr (live, "<initrd>/var/lib/libvirt/images/lodge/" PREFIX "debian-install-initrd.img</initrd>"));
  g_assert_nonnull (strstr (live, "<on_reboot>destroy</on_reboot>"));
  persistent = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  g_assert_null (strstr (persistent, "<kernel>"));
  g_assert_null (strstr (persistent, "<initrd>"));
  g_assert_null (strstr (persistent, "<cmdline>"));
  g_assert_nonnull (strstr (persistent, "<on_reboot>restart</on_reboot>"));
  /* QEMU has read them: the kernel and the initrd with the password are
   * gone from the pool already. */
  g_assert_false (volume_exists (conn, PREFIX "debian-install-initrd.img"));
  g_assert_false (volume_exists (conn, PREFIX "debian-install-vmlinuz"));

  /* What the guest saw. */
  seen = read_preseed_from_console (conn, dom);
  g_assert_nonnull (seen);
  {
    /* Shown without the password: secrets never reach test output. */
    g_autofree char *shown = NULL;
    g_auto(GStrv) lines = g_strsplit (seen, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], "password") != NULL)
        {
          g_free (lines[i]);
          lines[i] = g_strdup ("(a password line)");
        }
    g_test_message ("guest saw:\n%s", shown = g_strjoinv ("\n", lines));
  }
  g_assert_nonnull (strstr (seen, "lodge-pass"));
  g_assert_nonnull (strstr (seen, "d-i passwd/username lodgeuser"));
  g_assert_nonnull (strstr (seen, "d-i netcfg/get_hostname string lodge-preseed-guest"));
  g_assert_nonnull (strstr (seen, "d-i time/zone select Europe/Paris"));
  g_assert_nonnull (strstr (seen, "d-i partman-auto/disk string /dev/vda"));
  g_assert_nonnull (strstr (seen, "keyboard-configuration/xkb-keymap=fr"));
  g_assert_nonnull (strstr (seen, "debconf/priority=critical"));

  /* The "installer" reboots: the machine stops and stays defined, booting
   * its disk next time. */
  g_assert_true (lodge_create_test_wait_until (domain_stopped, dom, 120));
  g_assert_cmpint (virDomainIsPersistent (dom), ==, 1);
  after = virDomainGetXMLDesc (dom, 0);
  g_assert_null (strstr (after, "<kernel>"));
  g_assert_nonnull (strstr (after, disk));
  virDomainFree (dom);

  /* Deleted with its disks: nothing of it stays. */
  {
    StateWait wait = { PREFIX "debian", LODGE_MACHINE_STATE_SHUT_OFF };

    g_assert_true (lodge_create_test_wait_until (machine_in_state, &wait, 60));
  }
  machine = lodge_connection_lookup_machine (connection, PREFIX "debian");
  lodge_machine_delete_async (machine, TRUE, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  g_assert_true (lodge_machine_delete_finish (machine, result, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (disk, G_FILE_TEST_EXISTS));
  g_assert_false (volume_exists (conn, PREFIX "debian-install-initrd.img"));
  virConnectClose (conn);
  g_assert_cmpuint (count_leftovers (), ==, 0);

  /* Nothing Lodge keeps holds the password: its state, its data (images,
   * downloads), the pool. */
  {
    g_autofree char *data = g_build_filename (g_get_user_data_dir (), "lodge", NULL);
    const char *dirs[] = { g_get_user_state_dir (), data, "/var/lib/libvirt/images/lodge" };

    for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
      assert_no_file_holds (dirs[i], "lodge-pass");
  }
}

/* ---- the daemon goes away in the middle of a creation ---- */

static void
run_libvirtd_script (const char *command)
{
  const char *argv[] = { g_getenv ("LODGE_START_LIBVIRTD"), command, NULL };

  lodge_create_test_run (argv);
}

/* The qemu-img children of this process, stopped (SIGSTOP) or continued. */
static guint
signal_qemu_img (int signum)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint count = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *close_paren;
      int ppid = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (stat_path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …" */
      close_paren = strrchr (stat, ')');
      if (strstr (stat, "(qemu-img)") == NULL || close_paren == NULL ||
          sscanf (close_paren + 2, "%*c %d", &ppid) != 1 || ppid != getpid ())
        continue;
      if (kill (atoi (name), signum) == 0)
        count++;
    }
  return count;
}

typedef struct
{
  gboolean killed;
  guint    frozen;
} DaemonKill;

/* Once the disk volume exists and the import into it runs (its progress
 * is past 0.3): the daemon goes. The import's qemu-img is held still
 * meanwhile, so that the creation cannot be over before the daemon is gone. */
static void
lost_stage_cb (LodgeMachineCreator *creator,
               GParamSpec          *pspec,
               DaemonKill          *kill_state)
{
  if (kill_state->killed || lodge_machine_creator_get_stage (creator) != LODGE_CREATE_STAGE_CREATING_DISK ||
      lodge_machine_creator_get_progress (creator) <= 0.3)
    return;

  kill_state->killed = TRUE;
  kill_state->frozen = signal_qemu_img (SIGSTOP);
  daemon_down = TRUE;
  run_libvirtd_script ("kill-libvirtd");
  signal_qemu_img (SIGCONT);
}

static void
pending_finished_cb (LodgePendingCleanup *pending,
                     guint                n_pending,
                     int                 *last)
{
  *last = (int)n_pending;
}

static gboolean
int_is_zero (gpointer data)
{
  return *(int *)data == 0;
}

static void
test_daemon_lost (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec (PREFIX "lost");
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *image = g_build_filename (tmpdir, "lost.raw", NULL);
  g_autofree char *fill = NULL;
  LodgePendingCleanup *pending = lodge_host_get_pending_cleanup (lodge_host);
  DaemonKill kill_state = { 0 };
  int last = -1;
  gulong handler;

  if (g_getenv ("LODGE_START_LIBVIRTD") == NULL)
    {
      if (g_strcmp0 (g_getenv ("LODGE_TEST_NO_SKIP"), "1") == 0)
        g_error ("LODGE_START_LIBVIRTD is not set: cannot restart the daemon");
      g_test_skip ("LODGE_START_LIBVIRTD is not set: cannot restart the daemon");
      return;
    }

  /* A disk image to import (data, not holes: qemu-img copies it all). */
  fill = g_strdup_printf ("head -c %" G_GUINT64_FORMAT " /dev/zero | tr '\\0' '\\1' > '%s'",
                          (guint64)(256 * MiB), image);
  {
    const char *argv[] = { "sh", "-c", fill, NULL };

    lodge_create_test_run (argv);
  }
  lodge_machine_spec_set_cdrom_path (spec, NULL);
  lodge_machine_spec_set_import_path (spec, image);
  lodge_machine_spec_set_import_format (spec, LODGE_DISK_FORMAT_RAW);

  handler = g_signal_connect (pending, "finished", G_CALLBACK (pending_finished_cb), &last);
  creator = lodge_machine_creator_new (connection, spec);
  g_signal_connect (creator, "notify::progress", G_CALLBACK (lost_stage_cb), &kill_state);
  lodge_machine_creator_run_async (creator, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 300);
  uuid = lodge_machine_creator_run_finish (creator, result, &error);

  /* Whatever happens next, the daemon comes back for the other users. */
  run_libvirtd_script ("start");
  daemon_down = FALSE;

  g_assert_true (kill_state.killed);
  g_test_message ("qemu-img held: %u; error: %s", kill_state.frozen, error ? error->message : "(none)");
  g_assert_null (uuid);
  g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_CONNECTED);
  g_assert_nonnull (strstr (error->message, "connection to the virtualization service was lost"));
  /* The volume could not be removed with the daemon away: it is on
   * record, with the domain (its definition was under way). */
  g_assert_cmpuint (kill_state.frozen, >, 0);
  g_assert_true (g_file_test ("/var/lib/libvirt/images/lodge/" PREFIX "lost.qcow2", G_FILE_TEST_EXISTS));
  {
    g_auto(GStrv) domains = NULL;
    g_auto(GStrv) volumes = NULL;

    lodge_pending_cleanup_list (URI, &domains, &volumes);
    g_assert_true (g_strv_contains ((const char * const *)volumes, LODGE_POOL_NAME "/" PREFIX "lost.qcow2"));
    g_assert_cmpuint (g_strv_length (domains), ==, 1);
  }
  last = -1;

  /* The connection comes back by itself; the pending cleanup runs then. */
  lodge_connection_reconnect_now (connection);
  g_assert_true (lodge_create_test_wait_until (int_is_zero, &last, 120));
  g_assert_cmpuint (lodge_pending_cleanup_get_n_pending (pending), ==, 0);
  g_assert_false (g_file_test ("/var/lib/libvirt/images/lodge/" PREFIX "lost.qcow2", G_FILE_TEST_EXISTS));
  {
    g_auto(GStrv) domains = NULL;
    g_auto(GStrv) volumes = NULL;

    lodge_pending_cleanup_list (URI, &domains, &volumes);
    g_assert_cmpuint (g_strv_length (domains) + g_strv_length (volumes), ==, 0);
  }
  g_assert_cmpuint (count_leftovers (), ==, 0);
  g_signal_handler_disconnect (pending, handler);
}

static void
test_host_info (void)
{
  g_assert_cmpint (host->acceleration, ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (host->acceleration_reason, ==, LODGE_ACCELERATION_REASON_FORCED);
  g_assert_cmpuint (host->memory, >, 0);
  g_assert_cmpuint (host->cpus, >, 0);
  g_assert_nonnull (host->emulator);
  g_assert_false (host->session);
  g_assert_true (host->local);
  g_test_message ("host: %" G_GUINT64_FORMAT " MiB, %u CPUs, uefi %d, secure boot %d, tpm %d, "
                  "network %s, emulator %s", host->memory >> 20, host->cpus, host->uefi,
                  host->secure_boot, host->tpm, host->network ? host->network : "(user)",
                  host->emulator);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *start = g_getenv ("LODGE_START_LIBVIRTD");
  int ret;

  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, quiet_libvirt_error_cb);

  if (geteuid () != 0)
    lodge_test_skip_all ("creation integration tests need root (qemu:///system)");
  {
    g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");
    g_autofree char *xorriso = g_find_program_in_path ("xorriso");

    if (qemu == NULL || xorriso == NULL ||
        !g_file_test ("/usr/lib/ISOLINUX/isolinux.bin", G_FILE_TEST_EXISTS))
      lodge_test_skip_all ("qemu-system-x86_64, xorriso or isolinux is not installed");
  }
  if (start != NULL)
    {
      const char *start_argv[] = { start, "start", NULL };
      int status = 0;

      if (!g_spawn_sync (NULL, (char **)start_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                         NULL, NULL, NULL, NULL, &status, NULL) ||
          !g_spawn_check_wait_status (status, NULL))
        lodge_test_skip_all ("no libvirtd answers on " URI " and none could be started");
    }

  lodge_connection_init_events ();
  lodge_host = lodge_host_new (URI, &error);
  g_assert_no_error (error);
  connection = lodge_host_get_connection (lodge_host);
  lodge_connection_open_async (connection, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  if (!lodge_connection_open_finish (connection, result, &error))
    lodge_test_skip_all ("cannot connect to " URI);
  g_clear_object (&result);

  /* Leftovers of an earlier run that died. */
  cleanup_leftovers ();
  signal (SIGABRT, abort_handler);
  signal (SIGTERM, abort_handler);

  lodge_host_info_query_async (lodge_host, FALSE, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  host = lodge_host_info_query_finish (result, &error);
  g_assert_no_error (error);

  /* QEMU runs as another user: the ISO's folder must be searchable. */
  tmpdir = g_dir_make_tmp ("lodge-create-int-XXXXXX", NULL);
  g_chmod (tmpdir, 0755);
  boot_iso = lodge_create_test_make_iso (tmpdir, "boot.iso", "LODGE_TEST_BOOT", "Lodge tests",
                                         NULL, TRUE);
  g_chmod (boot_iso, 0644);

  g_test_add_func ("/create/integration/host-info", test_host_info);
  g_test_add_func ("/create/integration/create-boot-delete", test_create_boot_delete);
  g_test_add_func ("/create/integration/throwaway", test_throwaway);
  g_test_add_func ("/create/integration/throwaway-existing-disk", test_throwaway_existing_disk);
  g_test_add_func ("/create/integration/import", test_import);
  g_test_add_func ("/create/integration/express", test_express);
  g_test_add_func ("/create/integration/uefi-secure-boot-tpm", test_uefi_secure_boot_tpm);
  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/create/integration/hostile/%s",
                                               hostile_cases[i].path);

      g_test_add_data_func (path, &hostile_cases[i], test_hostile);
    }
  g_test_add_func ("/create/integration/hostile/xml-editor", test_hostile_xml);
  g_test_add_func ("/create/integration/express-initrd", test_express_initrd);
  g_test_add_func ("/create/integration/daemon-lost", test_daemon_lost);

  ret = g_test_run ();

  cleanup_leftovers ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  return ret;
}
