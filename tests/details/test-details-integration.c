/* test-details-integration.c: details against a real libvirtd and a real
 * (tiny, TCG) QEMU guest (suite "integration": root and libvirtd)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-details-integration"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "details-test-util.h"
#include "model/lodge-clone.h"
#include "model/lodge-model-private.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-machine-config.h"
#include "model/lodge-machine-editor.h"
#include "model/lodge-snapshots.h"
#include "model/lodge-stats-history.h"
#include "../common/lodge-test.h"

#define URI        "qemu:///system"
#define PREFIX     "lodge-test-details-"
#define POOL       PREFIX "pool"
#define GUEST      PREFIX "guest"
#define DISK_SIZE  (64 << 20)
#define NVRAM_DIR  "/var/lib/libvirt/qemu/nvram"
#define OVMF_VARS  "/usr/share/OVMF/OVMF_VARS_4M.fd"

static virConnectPtr conn;
static char *pool_dir;
static char *guest_uuid;
static char *disk_path;

static char *
run_qemu_io (const char *command)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "qemu-io", "-f", "qcow2", "-c", command, disk_path, NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  return g_strdup_printf ("%s%s%s", status == 0 ? "" : "FAILED ", out, err);
}

/* Removes every machine, volume and pool a run of this test made, also
 * those a crashed run left behind. */
static void
cleanup_all (void)
{
  virDomainPtr *domains = NULL;
  virStoragePoolPtr pool;
  int n;

  n = virConnectListAllDomains (conn, &domains, 0);
  for (int i = 0; i < n; i++)
    {
      if (g_str_has_prefix (virDomainGetName (domains[i]), PREFIX))
        {
          if (virDomainIsActive (domains[i]) == 1)
            virDomainDestroy (domains[i]);
          virDomainUndefineFlags (domains[i], VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                                              | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                                              | VIR_DOMAIN_UNDEFINE_NVRAM);
        }
      virDomainFree (domains[i]);
    }
  free (domains);

  pool = virStoragePoolLookupByName (conn, POOL);
  if (pool != NULL)
    {
      virStorageVolPtr *vols = NULL;
      int nv;

      g_autofree char *xml = virStoragePoolGetXMLDesc (pool, 0);
      const char *start = xml ? strstr (xml, "<path>") : NULL;
      const char *end = start ? strstr (start, "</path>") : NULL;

      /* A crashed run's directory: its path is in the pool. */
      if (pool_dir == NULL && start != NULL && end != NULL)
        pool_dir = g_strndup (start + 6, end - start - 6);

      virStoragePoolRefresh (pool, 0);
      nv = virStoragePoolListAllVolumes (pool, &vols, 0);
      for (int i = 0; i < nv; i++)
        {
          virStorageVolDelete (vols[i], 0);
          virStorageVolFree (vols[i]);
        }
      free (vols);
      virStoragePoolDestroy (pool);
      virStoragePoolUndefine (pool);
      virStoragePoolFree (pool);
    }
  virResetLastError ();

  /* Variable stores a crashed run left (this test's names only). */
  {
    g_autoptr(GDir) dir = g_dir_open (NVRAM_DIR, 0, NULL);
    const char *file;

    while (dir != NULL && (file = g_dir_read_name (dir)) != NULL)
      if (g_str_has_prefix (file, PREFIX))
        {
          g_autofree char *path = g_build_filename (NVRAM_DIR, file, NULL);

          g_unlink (path);
        }
  }

  if (pool_dir != NULL)
    {
      g_autofree char *cd1 = g_build_filename (pool_dir, "cd1.iso", NULL);
      g_autofree char *cd2 = g_build_filename (pool_dir, "cd2.iso", NULL);

      g_unlink (cd1);
      g_unlink (cd2);
      g_rmdir (pool_dir);
      g_clear_pointer (&pool_dir, g_free);
    }
}

static void
setup (void)
{
  g_autofree char *pool_xml = NULL;
  g_autofree char *domain_xml = NULL;
  g_autofree char *cd1 = NULL;
  g_autofree char *cd2 = NULL;
  g_autoptr(GError) error = NULL;
  char uuid[VIR_UUID_STRING_BUFLEN];
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  virDomainPtr dom;

  cleanup_all ();

  pool_dir = g_build_filename ("/var/tmp", PREFIX "XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp_full (pool_dir, 0755));
  pool_xml = g_strdup_printf ("<pool type='dir'><name>" POOL "</name>"
                              "<target><path>%s</path></target></pool>", pool_dir);
  pool = virStoragePoolDefineXML (conn, pool_xml, 0);
  g_assert_nonnull (pool);
  g_assert_cmpint (virStoragePoolCreate (pool, 0), ==, 0);

  vol = virStorageVolCreateXML (pool,
                                "<volume><name>" GUEST ".qcow2</name>"
                                "<capacity unit='bytes'>67108864</capacity>"
                                "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  disk_path = virStorageVolGetPath (vol);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);

  /* Two "discs": QEMU takes any file as a CD. */
  cd1 = g_build_filename (pool_dir, "cd1.iso", NULL);
  cd2 = g_build_filename (pool_dir, "cd2.iso", NULL);
  g_file_set_contents (cd1, "first disc", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (cd2, "second disc", -1, &error);
  g_assert_no_error (error);
  g_chmod (cd1, 0644);
  g_chmod (cd2, 0644);

  /* A machine without an OS: SeaBIOS runs, finds nothing to boot and waits,
   * which is all the details need (a running QEMU with devices). */
  domain_xml = g_strdup_printf (
    "<domain type='qemu'>"
    "  <name>" GUEST "</name>"
    "  <memory unit='MiB'>128</memory>"
    "  <vcpu>1</vcpu>"
    "  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
    "  <features><acpi/><apic/></features>"
    "  <devices>"
    "    <disk type='file' device='disk'>"
    "      <driver name='qemu' type='qcow2'/>"
    "      <source file='%s'/>"
    "      <target dev='vda' bus='virtio'/>"
    "    </disk>"
    "    <disk type='file' device='cdrom'>"
    "      <driver name='qemu' type='raw'/>"
    "      <target dev='hdc' bus='ide'/>"
    "      <readonly/>"
    "    </disk>"
    "    <interface type='user'><mac address='52:54:00:1d:e7:01'/><model type='virtio'/></interface>"
    "    <graphics type='vnc' autoport='yes'><listen type='none'/></graphics>"
    "    <video><model type='vga'/></video>"
    "    <memballoon model='virtio'/>"
    "  </devices>"
    "</domain>", disk_path);
  dom = virDomainDefineXML (conn, domain_xml);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainGetUUIDString (dom, uuid), ==, 0);
  guest_uuid = g_strdup (uuid);
  virDomainFree (dom);
}

static void
guest_start (const char *uuid)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);

  g_assert_nonnull (dom);
  if (virDomainIsActive (dom) != 1 && virDomainCreate (dom) < 0)
    g_error ("could not start the guest: %s", virGetLastErrorMessage ());
  virDomainFree (dom);
}

static void
guest_stop (const char *uuid)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);

  g_assert_nonnull (dom);
  if (virDomainIsActive (dom) == 1 && virDomainDestroy (dom) < 0)
    g_error ("could not stop the guest: %s", virGetLastErrorMessage ());
  virDomainFree (dom);
}

static gboolean
guest_is_active (const char *uuid)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);
  gboolean active;

  g_assert_nonnull (dom);
  active = virDomainIsActive (dom) == 1;
  virDomainFree (dom);
  return active;
}

static LodgeMachineConfig *
load (LodgeMachineEditor *editor,
      gboolean            inactive)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LodgeMachineConfig *config;

  lodge_machine_editor_load_async (editor, inactive, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  config = lodge_machine_editor_load_finish (editor, result, &error);
  g_assert_no_error (error);
  return config;
}

static LodgeDevice *
must_disk (LodgeMachineConfig *config,
           const char         *target)
{
  LodgeDevice *device = lodge_machine_config_find_disk (config, target);

  if (device == NULL)
    g_error ("no disk %s in: %s", target, lodge_machine_config_get_xml (config));
  return device;
}

static LodgeDevice *
must_interface (LodgeMachineConfig *config,
                const char         *mac)
{
  LodgeDevice *device = lodge_machine_config_find_interface (config, mac);

  if (device == NULL)
    g_error ("no interface %s in: %s", mac, lodge_machine_config_get_xml (config));
  return device;
}

static LodgeEditOutcome
edit_ok (LodgeMachineEditor *editor)
{
  g_autoptr(GAsyncResult) result = details_test_wait ();
  g_autoptr(GError) error = NULL;
  LodgeEditOutcome outcome = 99;

  lodge_machine_editor_edit_finish (editor, result, &outcome, &error);
  g_assert_no_error (error);
  return outcome;
}

/* Stats: through the real connection's bulk tick into the history. */
static void
open_connection_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  details_test_ready_cb (object, result, user_data);
}

static void
test_stats (void)
{
  g_autoptr(LodgeConnection) connection = lodge_connection_new (URI);
  g_autoptr(LodgeStatsHistory) history = lodge_stats_history_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double values[LODGE_STATS_HISTORY_LENGTH];
  gint64 deadline;
  guint n = 0;
  double host_memory = 0;

  guest_start (guest_uuid);

  lodge_connection_open_async (connection, NULL, open_connection_cb, NULL);
  result = details_test_wait ();
  g_assert_true (lodge_connection_open_finish (connection, result, &error));
  g_assert_no_error (error);
  lodge_connection_set_stats_interval (connection, 1);
  lodge_stats_history_hold_host (history);

  /* Until three samples of the guest exist (each a rate from two ticks). */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      n = lodge_stats_history_get_series (history, guest_uuid, LODGE_STATS_CPU, values, NULL,
                                          G_N_ELEMENTS (values));
      if (n >= 3 && lodge_stats_history_get_last (history, LODGE_STATS_HOST_KEY, LODGE_STATS_MEMORY, &host_memory))
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (n, >=, 3);

  /* A running guest uses CPU: some of its samples are above zero. */
  {
    double total = 0;

    for (guint i = 0; i < n; i++)
      {
        g_assert_cmpfloat (values[i], >=, 0.0);
        g_assert_cmpfloat (values[i], <=, 100.0);
        total += values[i];
      }
    g_test_message ("guest CPU over %u samples: %.2f %% total", n, total);
    g_assert_cmpfloat (total, >, 0.0);
  }
  g_assert_true (lodge_stats_history_get_last (history, guest_uuid, LODGE_STATS_MEMORY, values));
  g_assert_cmpfloat (values[0], >, 0.0);
  g_assert_cmpfloat (host_memory, >, 0.0);
  g_assert_cmpuint (lodge_stats_history_get_host_memory_total (history), >, 0);

  lodge_stats_history_release_host (history);
  lodge_connection_close (connection);
}

static void
test_running_edits (void)
{
  g_autoptr(LodgeMachineEditor) editor = NULL;
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autofree char *cd1 = g_build_filename (pool_dir, "cd1.iso", NULL);
  g_autofree char *cd2 = g_build_filename (pool_dir, "cd2.iso", NULL);
  virDomainBlockInfo info;
  virDomainPtr dom;
  LodgeDevice *device;

  guest_start (guest_uuid);
  editor = lodge_machine_editor_new_for_virconnect (conn, guest_uuid);

  /* Grow the disk under the running guest. */
  lodge_machine_editor_resize_disk_async (editor, "vda", 96 << 20, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  dom = virDomainLookupByUUIDString (conn, guest_uuid);
  g_assert_cmpint (virDomainGetBlockInfo (dom, "vda", &info, 0), ==, 0);
  g_assert_cmpuint (info.capacity, ==, 96 << 20);
  virDomainFree (dom);

  /* Insert, change and eject a CD while running. */
  lodge_machine_editor_change_media_async (editor, "hdc", cd1, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, FALSE);
  g_assert_cmpstr (must_disk (config, "hdc")->source, ==, cd1);
  g_clear_object (&config);

  lodge_machine_editor_change_media_async (editor, "hdc", cd2, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, FALSE);
  g_assert_cmpstr (must_disk (config, "hdc")->source, ==, cd2);
  g_clear_object (&config);
  config = load (editor, TRUE);
  g_assert_cmpstr (must_disk (config, "hdc")->source, ==, cd2);
  g_clear_object (&config);

  lodge_machine_editor_change_media_async (editor, "hdc", NULL, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, FALSE);
  g_assert_null (must_disk (config, "hdc")->source);
  g_clear_object (&config);

  /* Hot-plug a new virtio disk, then unplug it. */
  lodge_machine_editor_add_disk_async (editor, LODGE_DEVICE_KIND_DISK, NULL, 16 << 20, POOL, NULL,
                                       NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, FALSE);
  device = lodge_machine_config_find_disk (config, "vdb");
  g_assert_nonnull (device);
  g_assert_true (g_str_has_suffix (device->source, GUEST "-vdb.qcow2"));
  g_clear_object (&config);

  lodge_machine_editor_remove_disk_async (editor, "vdb", NULL, details_test_ready_cb, NULL);
  edit_ok (editor);
  config = load (editor, TRUE);
  g_assert_null (lodge_machine_config_find_disk (config, "vdb"));
  g_clear_object (&config);

  /* Link down and up on the live NIC. */
  lodge_machine_editor_set_interface_link_async (editor, "52:54:00:1d:e7:01", FALSE, NULL,
                                                 details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, FALSE);
  g_assert_false (must_interface (config, "52:54:00:1d:e7:01")->link_up);
  g_clear_object (&config);
  lodge_machine_editor_set_interface_link_async (editor, "52:54:00:1d:e7:01", TRUE, NULL,
                                                 details_test_ready_cb, NULL);
  edit_ok (editor);

  /* Memory through the balloon: live. More than booted with: next boot. */
  lodge_machine_editor_set_memory_async (editor, 96 << 20, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  lodge_machine_editor_set_memory_async (editor, 160 << 20, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIES_AT_NEXT_BOOT);
  config = load (editor, TRUE);
  g_assert_cmpuint (lodge_machine_config_get_memory (config), ==, 160 << 20);
  g_clear_object (&config);

  /* The QEMU log of a local machine. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *log = NULL;

    lodge_machine_editor_read_log_async (editor, 64 * 1024, NULL, details_test_ready_cb, NULL);
    result = details_test_wait ();
    log = lodge_machine_editor_read_log_finish (editor, result, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (log, "qemu"));
  }

  guest_stop (guest_uuid);
}

static void
test_snapshot_restores_disk (void)
{
  g_autoptr(LodgeSnapshots) snapshots = lodge_snapshots_new_for_virconnect (conn, guest_uuid);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *name = NULL;
  g_autofree char *out = NULL;
  LodgeSnapshot *snapshot;

  guest_stop (guest_uuid);
  out = run_qemu_io ("write -P 0x41 0 64k");
  g_assert_false (g_str_has_prefix (out, "FAILED"));
  g_clear_pointer (&out, g_free);

  /* A running machine's snapshot includes its memory. */
  guest_start (guest_uuid);
  lodge_snapshots_create_async (snapshots, "marker-a", "disk says A", NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  name = lodge_snapshots_create_finish (snapshots, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  lodge_snapshots_list_async (snapshots, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  list = lodge_snapshots_list_finish (snapshots, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (list->len, ==, 1);
  snapshot = g_ptr_array_index (list, 0);
  g_assert_cmpstr (snapshot->name, ==, "marker-a");
  g_assert_true (snapshot->has_memory);
  g_assert_true (snapshot->is_current);
  g_assert_false (snapshot->is_external);

  /* Change the disk behind the snapshot's back. */
  guest_stop (guest_uuid);
  out = run_qemu_io ("write -P 0x42 0 64k");
  g_assert_false (g_str_has_prefix (out, "FAILED"));
  g_clear_pointer (&out, g_free);
  out = run_qemu_io ("read -P 0x42 0 64k");
  g_assert_null (strstr (out, "Pattern verification failed"));
  g_clear_pointer (&out, g_free);

  /* Revert: the machine runs again (memory was saved) and the disk says A. */
  lodge_snapshots_revert_async (snapshots, "marker-a", NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  g_assert_true (lodge_snapshots_action_finish (snapshots, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (guest_is_active (guest_uuid));

  guest_stop (guest_uuid);
  out = run_qemu_io ("read -P 0x41 0 64k");
  g_test_message ("%s", out);
  g_assert_false (g_str_has_prefix (out, "FAILED"));
  g_assert_null (strstr (out, "Pattern verification failed"));
  g_clear_pointer (&out, g_free);

  lodge_snapshots_delete_async (snapshots, "marker-a", NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  g_assert_true (lodge_snapshots_action_finish (snapshots, result, &error));
  g_assert_no_error (error);
}

static void
clone_and_boot (LodgeCloneMode  mode,
                const char     *name)
{
  g_autoptr(LodgeClone) clone = lodge_clone_new_for_virconnect (conn, guest_uuid);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMachineEditor) editor = NULL;
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autofree char *uuid = NULL;
  virDomainPtr dom;

  guest_stop (guest_uuid);
  lodge_clone_run_async (clone, name, mode, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  uuid = lodge_clone_run_finish (clone, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uuid);
  g_assert_cmpfloat (lodge_clone_get_progress (clone), >=, 0.0);

  editor = lodge_machine_editor_new_for_virconnect (conn, uuid);
  config = load (editor, TRUE);
  g_assert_cmpstr (must_disk (config, "vda")->source, !=, disk_path);
  g_assert_null (lodge_machine_config_find_interface (config, "52:54:00:1d:e7:01"));

  /* The copy boots, and so does the original next to it. */
  guest_start (uuid);
  guest_start (guest_uuid);
  g_assert_true (guest_is_active (uuid));
  g_assert_true (guest_is_active (guest_uuid));
  guest_stop (guest_uuid);

  dom = virDomainLookupByUUIDString (conn, uuid);
  virDomainDestroy (dom);
  virDomainFree (dom);
}

static void
test_clone_full (void)
{
  clone_and_boot (LODGE_CLONE_FULL, PREFIX "full-clone");
}

static void
test_clone_linked (void)
{
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, guest_uuid);
  g_autoptr(LodgeMachineConfig) config = NULL;

  clone_and_boot (LODGE_CLONE_LINKED, PREFIX "linked-clone");

  /* The original now writes to its own overlay; the base is shared. */
  config = load (editor, TRUE);
  g_assert_cmpstr (must_disk (config, "vda")->source, !=, disk_path);
  g_assert_cmpstr (must_disk (config, "vda")->format, ==, "qcow2");
}

static LodgeEditOutcome
edit_fails (LodgeMachineEditor *editor)
{
  g_autoptr(GAsyncResult) result = details_test_wait ();
  g_autoptr(GError) error = NULL;
  LodgeEditOutcome outcome = 99;

  g_assert_false (lodge_machine_editor_edit_finish (editor, result, &outcome, &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  return outcome;
}

/* Device edits on the definition of a machine that is off, and one that a
 * running machine refuses for a reason other than hot-plug. */
static void
test_definition_edits (void)
{
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, guest_uuid);
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GPtrArray) nics = NULL;
  g_autoptr(GPtrArray) usb = NULL;
  g_autofree char *extra_disk = g_build_filename (pool_dir, PREFIX "extra.qcow2", NULL);
  g_autofree char *new_mac = NULL;
  const char *order[] = { "hdc", "vda", NULL };
  const char *qemu_img[] = { "qemu-img", "create", "-q", "-f", "qcow2", extra_disk, "8M", NULL };
  LodgeDevice *device;
  virNetworkPtr network;
  int status = 0;

  guest_stop (guest_uuid);

  /* Interfaces: add, change source and model, remove. */
  lodge_machine_editor_add_interface_async (editor, "network", "default", NULL, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, TRUE);
  nics = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_INTERFACE);
  g_assert_cmpuint (nics->len, ==, 2);
  device = g_ptr_array_index (nics, 1);
  g_assert_cmpstr (device->net_type, ==, "network");
  g_assert_cmpstr (device->source, ==, "default");
  g_assert_cmpstr (device->model, ==, "virtio");
  new_mac = g_strdup (device->mac);
  g_clear_pointer (&nics, g_ptr_array_unref);
  g_clear_object (&config);

  lodge_machine_editor_set_interface_source_async (editor, new_mac, "bridge", "br-lodge", "e1000e", NULL,
                                                   details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, TRUE);
  device = must_interface (config, new_mac);
  g_assert_cmpstr (device->net_type, ==, "bridge");
  g_assert_cmpstr (device->source, ==, "br-lodge");
  g_assert_cmpstr (device->model, ==, "e1000e");
  g_clear_object (&config);

  lodge_machine_editor_remove_interface_async (editor, new_mac, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, TRUE);
  g_assert_null (lodge_machine_config_find_interface (config, new_mac));
  g_clear_object (&config);

  /* A USB device of the host, by ids (checked when the machine starts). */
  lodge_machine_editor_add_usb_host_async (editor, "1D6C", "0abc", NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, TRUE);
  usb = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_USB_HOST);
  g_assert_cmpuint (usb->len, ==, 1);
  g_assert_cmpstr (((LodgeDevice *) g_ptr_array_index (usb, 0))->vendor_id, ==, "1d6c");
  g_clear_pointer (&usb, g_ptr_array_unref);
  g_clear_object (&config);
  lodge_machine_editor_remove_usb_host_async (editor, "1d6c", "0ABC", NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, TRUE);
  g_assert_cmpuint (lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_USB_HOST)->len, ==, 0);
  g_clear_object (&config);

  /* An existing disk file, and an empty CD/DVD drive on the default bus. */
  g_spawn_sync (NULL, (char **) qemu_img, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL);
  g_assert_cmpint (status, ==, 0);
  lodge_machine_editor_add_disk_async (editor, LODGE_DEVICE_KIND_DISK, extra_disk, 0, NULL, NULL,
                                       NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  lodge_machine_editor_add_disk_async (editor, LODGE_DEVICE_KIND_CDROM, NULL, 0, NULL, NULL,
                                       NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, TRUE);
  device = lodge_machine_config_find_disk (config, "vdb");
  g_assert_nonnull (device);
  g_assert_cmpstr (device->source, ==, extra_disk);
  g_assert_cmpstr (device->format, ==, "qcow2");
  device = lodge_machine_config_find_disk (config, "sda");
  g_assert_nonnull (device);
  g_assert_cmpint (device->kind, ==, LODGE_DEVICE_KIND_CDROM);
  g_assert_cmpstr (device->bus, ==, "sata");
  g_clear_object (&config);

  /* The machine still starts with all that, then loses them again. */
  guest_start (guest_uuid);
  guest_stop (guest_uuid);
  lodge_machine_editor_remove_disk_async (editor, "vdb", NULL, details_test_ready_cb, NULL);
  edit_ok (editor);
  lodge_machine_editor_remove_disk_async (editor, "sda", NULL, details_test_ready_cb, NULL);
  edit_ok (editor);

  /* Boot order, display and sound through validated redefinitions. */
  lodge_machine_editor_set_boot_order_async (editor, order, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  lodge_machine_editor_set_graphics_async (editor, "spice", FALSE, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  lodge_machine_editor_set_sound_async (editor, "ich9", NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
  config = load (editor, TRUE);
  g_assert_null (lodge_machine_config_find_disk (config, "vdb"));
  g_assert_cmpuint (must_disk (config, "hdc")->boot_order, ==, 1);
  g_assert_cmpuint (must_disk (config, "vda")->boot_order, ==, 2);
  g_assert_cmpstr (((LodgeDevice *) g_ptr_array_index (lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_GRAPHICS), 0))->model,
                   ==, "spice");
  g_assert_cmpuint (lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_SOUND)->len, ==, 1);
  g_clear_object (&config);
  guest_start (guest_uuid);
  g_assert_true (guest_is_active (guest_uuid));

  /* Running, a NIC on a network that is not active: refused now, not
   * pushed to a next boot that would fail. */
  network = virNetworkLookupByName (conn, "default");
  if (network != NULL && virNetworkIsActive (network) == 0)
    {
      lodge_machine_editor_add_interface_async (editor, "network", "default", NULL, NULL, details_test_ready_cb, NULL);
      edit_fails (editor);
      config = load (editor, TRUE);
      g_assert_cmpuint (lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_INTERFACE)->len, ==, 1);
      g_clear_object (&config);
    }
  else
    g_test_message ("network 'default' is active here: the refusal is not exercised");
  g_clear_pointer (&network, virNetworkFree);
  virResetLastError ();

  guest_stop (guest_uuid);
  g_unlink (extra_disk);
}

static gboolean
clone_leftovers (const char *name)
{
  virDomainPtr dom = virDomainLookupByName (conn, name);
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, POOL);
  virStorageVolPtr *vols = NULL;
  gboolean found = dom != NULL;
  int n;

  g_clear_pointer (&dom, virDomainFree);
  virStoragePoolRefresh (pool, 0);
  n = virStoragePoolListAllVolumes (pool, &vols, 0);
  for (int i = 0; i < n; i++)
    {
      if (g_str_has_prefix (virStorageVolGetName (vols[i]), name))
        found = TRUE;
      virStorageVolFree (vols[i]);
    }
  free (vols);
  virStoragePoolFree (pool);
  virResetLastError ();
  return found;
}

static void
test_clone_cancel (void)
{
  g_autoptr(LodgeClone) clone = lodge_clone_new_for_virconnect (conn, guest_uuid);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  gint64 deadline;

  guest_stop (guest_uuid);
  lodge_clone_run_async (clone, PREFIX "cancelled", LODGE_CLONE_FULL, cancellable, details_test_ready_cb, NULL);
  g_cancellable_cancel (cancellable);
  result = details_test_wait ();
  uuid = lodge_clone_run_finish (clone, result, &error);
  g_assert_null (uuid);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The worker finishes in the background and removes what it made. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (clone_leftovers (PREFIX "cancelled") && g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 5);
  g_assert_false (clone_leftovers (PREFIX "cancelled"));
}

static gboolean
read_file (const char  *path,
           GBytes     **bytes)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  *bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  return TRUE;
}

/* The <os> part of a definition, for messages. */
static char *
os_part (const char *xml)
{
  const char *start = strstr (xml, "<os");
  const char *end = start ? strstr (start, "</os>") : NULL;

  return end ? g_strndup (start, end + 5 - start) : g_strdup (xml);
}

/* OVMF writes its variables (boot options…) once it has come up: the
 * store then differs from the template it was made from. */
static gboolean
nvram_written_by_firmware (const char *path,
                           const char *template_path)
{
  g_autoptr(GBytes) now = NULL;
  g_autoptr(GBytes) template = NULL;

  return read_file (path, &now) && read_file (template_path, &template) && !g_bytes_equal (now, template);
}

static char *
live_xml (const char *uuid)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);
  char *xml;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, 0);
  virDomainFree (dom);
  g_assert_nonnull (xml);
  return xml;
}

static char *
dump_inactive (const char *uuid)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);
  char *xml;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  virDomainFree (dom);
  g_assert_nonnull (xml);
  return xml;
}

/* A disk-less machine; os_attr and os_inner go into <os>. */
static char *
define_uefi_machine (const char *name,
                     const char *machine,
                     const char *os_attr,
                     const char *os_inner)
{
  g_autofree char *xml = NULL;
  char uuid[VIR_UUID_STRING_BUFLEN];
  virDomainPtr dom;

  xml = g_strdup_printf ("<domain type='qemu'><name>%s</name>"
                         "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                         "<os %s><type arch='x86_64' machine='%s'>hvm</type>%s</os>"
                         "<features><acpi/></features>"
                         "<devices><serial type='pty'/><memballoon model='none'/></devices></domain>",
                         name, os_attr ? os_attr : "", machine, os_inner ? os_inner : "");
  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    g_error ("could not define %s: %s", name, virGetLastErrorMessage ());
  g_assert_cmpint (virDomainGetUUIDString (dom, uuid), ==, 0);
  virDomainFree (dom);
  return g_strdup (uuid);
}

static void
firmware_ok (const char    *uuid,
             LodgeFirmware  firmware,
             gboolean       secure_boot)
{
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, uuid);

  lodge_machine_editor_set_firmware_async (editor, firmware, secure_boot, NULL, details_test_ready_cb, NULL);
  g_assert_cmpint (edit_ok (editor), ==, LODGE_EDIT_APPLIED);
}

/* A shut-off BIOS machine becomes UEFI (libvirt picks OVMF and makes its
 * variable store from the template at start), gets Secure Boot, loses it
 * (a new store: the old one held other keys) and goes back to BIOS (its
 * store removed). OVMF starts under TCG here. */
static void
test_firmware_switch (void)
{
  g_autofree char *uuid = NULL;
  g_autofree char *nvram = g_build_filename (NVRAM_DIR, PREFIX "fw_VARS.fd", NULL);
  g_autofree char *foreign = g_build_filename (NVRAM_DIR, PREFIX "shared-store.fd", NULL);
  g_autoptr(LodgeMachineEditor) editor = NULL;
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 started;

  if (!g_file_test ("/usr/share/qemu/firmware/60-edk2-x86_64.json", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no OVMF firmware descriptors (package ovmf)");
      return;
    }

  uuid = define_uefi_machine (PREFIX "fw", "q35", NULL, NULL);
  editor = lodge_machine_editor_new_for_virconnect (conn, uuid);
  config = load (editor, TRUE);
  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_BIOS);
  g_clear_object (&config);

  /* BIOS → UEFI: autoselection, Secure Boot explicitly off. */
  firmware_ok (uuid, LODGE_FIRMWARE_UEFI, FALSE);
  config = load (editor, TRUE);
  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_UEFI);
  g_assert_false (lodge_machine_config_get_secure_boot (config));
  g_assert_nonnull (strstr (lodge_machine_config_get_xml (config), "<os firmware='efi'>"));
  g_clear_object (&config);
  g_assert_false (g_file_test (nvram, G_FILE_TEST_EXISTS));

  started = g_get_monotonic_time ();
  guest_start (uuid);
  g_test_message ("UEFI machine started in %.2f s", (g_get_monotonic_time () - started) / 1e6);
  xml = live_xml (uuid);
  {
    g_autofree char *os = os_part (xml);

    g_test_message ("%s", os);
  }
  g_assert_nonnull (strstr (xml, "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"));
  g_assert_nonnull (strstr (xml, "<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>" NVRAM_DIR "/" PREFIX "fw_VARS.fd</nvram>"));
  g_clear_pointer (&xml, g_free);
  g_assert_true (g_file_test (nvram, G_FILE_TEST_EXISTS));
  /* OVMF really runs under TCG: it writes its variables, and keeps
   * running. */
  {
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

    while (!nvram_written_by_firmware (nvram, OVMF_VARS) && g_get_monotonic_time () < deadline)
      g_usleep (G_USEC_PER_SEC / 5);
    g_assert_true (nvram_written_by_firmware (nvram, OVMF_VARS));
    g_test_message ("OVMF wrote its variables %.1f s after the start", (g_get_monotonic_time () - started) / 1e6);
  }
  g_assert_true (guest_is_active (uuid));

  /* Running: refused, definition unchanged. */
  before = dump_inactive (uuid);
  lodge_machine_editor_set_firmware_async (editor, LODGE_FIRMWARE_BIOS, FALSE, NULL, details_test_ready_cb, NULL);
  edit_fails (editor);
  after = dump_inactive (uuid);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&before, g_free);
  g_clear_pointer (&after, g_free);
  guest_stop (uuid);

  /* Secure Boot on: SMM and the enrolled-keys build; the old store (other
   * template) is removed and a new one made at start. */
  firmware_ok (uuid, LODGE_FIRMWARE_UEFI, TRUE);
  g_assert_false (g_file_test (nvram, G_FILE_TEST_EXISTS));
  guest_start (uuid);
  xml = live_xml (uuid);
  {
    g_autofree char *os = os_part (xml);

    g_test_message ("%s", os);
  }
  g_assert_nonnull (strstr (xml, "secure='yes'"));
  g_assert_nonnull (strstr (xml, "OVMF_CODE_4M.ms.fd") ? xml : strstr (xml, "OVMF_CODE_4M.secboot.fd"));
  g_assert_nonnull (strstr (xml, "<smm state='on'/>"));
  g_clear_pointer (&xml, g_free);
  g_assert_true (g_file_test (nvram, G_FILE_TEST_EXISTS));
  g_usleep (G_USEC_PER_SEC);
  g_assert_true (guest_is_active (uuid));
  guest_stop (uuid);

  /* UEFI → BIOS: the machine's own store goes. */
  firmware_ok (uuid, LODGE_FIRMWARE_BIOS, FALSE);
  g_assert_false (g_file_test (nvram, G_FILE_TEST_EXISTS));
  config = load (editor, TRUE);
  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_BIOS);
  g_assert_null (strstr (lodge_machine_config_get_xml (config), "firmware"));
  g_assert_null (strstr (lodge_machine_config_get_xml (config), "<loader"));
  g_assert_null (strstr (lodge_machine_config_get_xml (config), "<nvram"));
  g_clear_object (&config);
  guest_start (uuid);
  g_assert_true (guest_is_active (uuid));
  guest_stop (uuid);

  /* A store the definition names but that is not libvirt's name for this
   * machine may be someone else's: it stays. */
  {
    g_autofree char *template = NULL;
    g_autofree char *fixed = NULL;
    g_autofree char *uuid2 = NULL;
    g_autoptr(LodgeMachineEditor) editor2 = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (OVMF_VARS, &template, &length, &error));
    g_assert_true (g_file_set_contents (foreign, template, length, &error));
    fixed = g_strdup_printf ("<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"
                             "<nvram template='" OVMF_VARS "'>%s</nvram>", foreign);
    uuid2 = define_uefi_machine (PREFIX "fw-fixed", "pc", NULL, fixed);
    editor2 = lodge_machine_editor_new_for_virconnect (conn, uuid2);
    config = load (editor2, TRUE);
    g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_UEFI);
    g_assert_cmpstr (lodge_machine_config_get_nvram (config), ==, foreign);
    g_clear_object (&config);
    firmware_ok (uuid2, LODGE_FIRMWARE_BIOS, FALSE);
    g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
    config = load (editor2, TRUE);
    g_assert_null (lodge_machine_config_get_nvram (config));
    g_clear_object (&config);
  }
  g_unlink (foreign);
}


static gboolean
nvram_clone_leftovers (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s_VARS.fd", name);
  g_autofree char *path = g_build_filename (NVRAM_DIR, file, NULL);

  return clone_leftovers (name) || g_file_test (path, G_FILE_TEST_EXISTS);
}

/* A UEFI machine whose variables differ from the template: a copy gets its
 * own store holding the same bytes; a failed or cancelled copy leaves no
 * store behind; deleting the copy removes its store. */
static void
test_clone_uefi_nvram (void)
{
  g_autofree char *uuid = NULL;
  g_autofree char *clone_uuid = NULL;
  g_autofree char *source_path = g_build_filename (NVRAM_DIR, PREFIX "nv_VARS.fd", NULL);
  g_autofree char *clone_path = g_build_filename (NVRAM_DIR, PREFIX "nv-clone_VARS.fd", NULL);
  g_autofree char *xml = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) source_bytes = NULL;
  g_autoptr(GBytes) clone_bytes = NULL;
  g_autoptr(GBytes) template_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LodgeClone) clone = NULL;
  gsize length = 0;
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  virDomainPtr dom;
  gint64 deadline;

  if (!g_file_test ("/usr/share/qemu/firmware/60-edk2-x86_64.json", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no OVMF firmware descriptors (package ovmf)");
      return;
    }

  /* Autoselected UEFI (as Lodge makes them) with a disk in the pool. */
  pool = virStoragePoolLookupByName (conn, POOL);
  vol = virStorageVolCreateXML (pool,
                                "<volume><name>" PREFIX "nv.qcow2</name>"
                                "<capacity unit='bytes'>16777216</capacity>"
                                "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  {
    g_autofree char *os = g_strdup ("<firmware><feature enabled='no' name='enrolled-keys'/>"
                                    "<feature enabled='no' name='secure-boot'/></firmware>");
    g_autofree char *disk_xml = NULL;
    virDomainPtr d;

    uuid = define_uefi_machine (PREFIX "nv", "q35", "firmware='efi'", os);
    d = virDomainLookupByUUIDString (conn, uuid);
    disk_xml = g_strdup_printf ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                                "<source file='%s'/><target dev='vda' bus='virtio'/></disk>",
                                virStorageVolGetPath (vol));
    g_assert_cmpint (virDomainAttachDeviceFlags (d, disk_xml, VIR_DOMAIN_AFFECT_CONFIG), ==, 0);
    virDomainFree (d);
  }
  virStorageVolFree (vol);

  /* Its store: the template with a marker where OVMF keeps free space. */
  g_assert_true (g_file_get_contents (OVMF_VARS, &contents, &length, &error));
  template_bytes = g_bytes_new (contents, length);
  memcpy (contents + length - 16, "LODGE-NVRAM-MARK", 16);
  g_assert_true (g_file_set_contents (source_path, contents, length, &error));
  g_chmod (source_path, 0600);
  g_assert_true (read_file (source_path, &source_bytes));
  g_assert_false (g_bytes_equal (source_bytes, template_bytes));

  /* A full copy: its own store, same bytes. */
  clone = lodge_clone_new_for_virconnect (conn, uuid);
  lodge_clone_run_async (clone, PREFIX "nv-clone", LODGE_CLONE_FULL, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  clone_uuid = lodge_clone_run_finish (clone, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (read_file (clone_path, &clone_bytes));
  g_assert_true (g_bytes_equal (clone_bytes, source_bytes));
  g_assert_cmpstr (clone_path, !=, source_path);
  g_clear_pointer (&source_bytes, g_bytes_unref);
  g_assert_true (read_file (source_path, &source_bytes));
  g_assert_true (g_bytes_equal (clone_bytes, source_bytes));

  /* libvirt uses it when the copy starts (and not the template). */
  guest_start (clone_uuid);
  xml = live_xml (clone_uuid);
  g_assert_nonnull (strstr (xml, clone_path));
  g_clear_pointer (&xml, g_free);
  guest_stop (clone_uuid);
  {
    g_autoptr(GBytes) after_boot = NULL;

    g_assert_true (read_file (clone_path, &after_boot));
    g_assert_true (g_bytes_get_size (after_boot) == g_bytes_get_size (source_bytes));
  }

  /* Deleting the copy with everything libvirt keeps removes its store,
   * not the original's. */
  dom = virDomainLookupByUUIDString (conn, clone_uuid);
  g_assert_cmpint (lodge_virt_domain_undefine_all (dom), ==, 0);
  virDomainFree (dom);
  g_assert_false (g_file_test (clone_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (source_path, G_FILE_TEST_EXISTS));

  /* A copy that fails after its store was made (its disk's name is taken)
   * removes the store again. */
  vol = virStorageVolCreateXML (pool,
                                "<volume><name>" PREFIX "nv-fail-vda.qcow2</name>"
                                "<capacity unit='bytes'>1048576</capacity>"
                                "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  g_clear_object (&clone);
  clone = lodge_clone_new_for_virconnect (conn, uuid);
  lodge_clone_run_async (clone, PREFIX "nv-fail", LODGE_CLONE_FULL, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  g_clear_pointer (&clone_uuid, g_free);
  clone_uuid = lodge_clone_run_finish (clone, result, &error);
  g_assert_null (clone_uuid);
  g_assert_nonnull (error);
  g_test_message ("failed as it should: %s", error->message);
  g_clear_error (&error);
  g_clear_object (&result);
  virStorageVolDelete (vol, 0);
  virStorageVolFree (vol);
  g_assert_false (nvram_clone_leftovers (PREFIX "nv-fail"));

  /* Cancelled: nothing left, store included. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_clear_object (&clone);
    clone = lodge_clone_new_for_virconnect (conn, uuid);
    lodge_clone_run_async (clone, PREFIX "nv-cancelled", LODGE_CLONE_FULL, cancellable,
                           details_test_ready_cb, NULL);
    g_cancellable_cancel (cancellable);
    result = details_test_wait ();
    g_assert_null (lodge_clone_run_finish (clone, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    while (nvram_clone_leftovers (PREFIX "nv-cancelled") && g_get_monotonic_time () < deadline)
      g_usleep (G_USEC_PER_SEC / 5);
    g_assert_false (nvram_clone_leftovers (PREFIX "nv-cancelled"));
  }

  virStoragePoolFree (pool);
}

/* UEFI (pflash) firmware: libvirt 9.0 makes no internal snapshot of it;
 * Lodge takes an external disk-only one and explains what it cannot do. */
static void
test_uefi_snapshot (void)
{
  g_autofree char *xml = NULL;
  g_autoptr(LodgeSnapshots) snapshots = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *name = NULL;
  char uuid[VIR_UUID_STRING_BUFLEN];
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  virDomainPtr dom;
  LodgeSnapshot *snapshot;

  if (!g_file_test ("/usr/share/OVMF/OVMF_CODE_4M.fd", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no OVMF firmware (package ovmf)");
      return;
    }

  pool = virStoragePoolLookupByName (conn, POOL);
  vol = virStorageVolCreateXML (pool,
                                "<volume><name>" PREFIX "uefi.qcow2</name>"
                                "<capacity unit='bytes'>16777216</capacity>"
                                "<target><format type='qcow2'/></target></volume>", 0);
  g_assert_nonnull (vol);
  xml = g_strdup_printf ("<domain type='qemu'><name>" PREFIX "uefi</name>"
                         "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                         "<os><type arch='x86_64' machine='q35'>hvm</type>"
                         "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"
                         "<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'/></os>"
                         "<features><acpi/></features>"
                         "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                         "<source file='%s'/><target dev='vda' bus='virtio'/></disk></devices></domain>",
                         virStorageVolGetPath (vol));
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  dom = virDomainDefineXML (conn, xml);
  g_assert_nonnull (dom);
  virDomainGetUUIDString (dom, uuid);
  virDomainFree (dom);

  snapshots = lodge_snapshots_new_for_virconnect (conn, uuid);
  lodge_snapshots_create_async (snapshots, "before", "UEFI", NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  name = lodge_snapshots_create_finish (snapshots, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  lodge_snapshots_list_async (snapshots, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  list = lodge_snapshots_list_finish (snapshots, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (list->len, ==, 1);
  snapshot = g_ptr_array_index (list, 0);
  g_assert_true (snapshot->is_external);
  g_assert_false (snapshot->has_memory);

  /* Going back is what libvirt 9.0 cannot do: a clear error, not a crash. */
  lodge_snapshots_revert_async (snapshots, "before", NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  if (lodge_snapshots_action_finish (snapshots, result, &error))
    g_test_message ("this libvirt can revert external snapshots");
  else
    {
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "UEFI"));
    }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  details_test_init_libvirt ();
  lodge_connection_init_events ();

  if (getuid () != 0)
    lodge_test_skip_all ("needs root for qemu:///system");
  if (!g_file_test ("/usr/bin/qemu-io", G_FILE_TEST_IS_EXECUTABLE))
    lodge_test_skip_all ("needs qemu-io (qemu-utils)");

  conn = virConnectOpen (URI);
  if (conn == NULL && g_getenv ("LODGE_START_LIBVIRTD") != NULL)
    {
      /* The shared helper starts a daemon only when none answers. */
      const char *argv_start[] = { g_getenv ("LODGE_START_LIBVIRTD"), "start", NULL };
      int status = 0;

      virResetLastError ();
      if (g_spawn_sync (NULL, (char **) argv_start, NULL, 0, NULL, NULL, NULL, NULL, &status, NULL)
          && g_spawn_check_wait_status (status, NULL))
        conn = virConnectOpen (URI);
    }
  if (conn == NULL)
    lodge_test_skip_all ("no libvirt daemon answers at " URI);

  setup ();

  g_test_add_func ("/details/integration/stats-change", test_stats);
  g_test_add_func ("/details/integration/running-edits", test_running_edits);
  g_test_add_func ("/details/integration/definition-edits", test_definition_edits);
  g_test_add_func ("/details/integration/snapshot-restores-disk", test_snapshot_restores_disk);
  g_test_add_func ("/details/integration/clone-full-boots", test_clone_full);
  g_test_add_func ("/details/integration/clone-cancel-cleans-up", test_clone_cancel);
  g_test_add_func ("/details/integration/clone-linked-boots", test_clone_linked);
  g_test_add_func ("/details/integration/uefi-snapshot", test_uefi_snapshot);
  g_test_add_func ("/details/integration/firmware-switch", test_firmware_switch);
  g_test_add_func ("/details/integration/clone-uefi-nvram", test_clone_uefi_nvram);

  ret = g_test_run ();

  cleanup_all ();
  virConnectClose (conn);
  g_free (guest_uuid);
  g_free (disk_path);
  return ret;
}
