/* test-details-libvirt.c: machine details, edits, snapshots and clones
 * against libvirt's test driver (suite "libvirt")
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-details-libvirt"

#include "config.h"

#include <string.h>

#include "details-test-util.h"
#include "model/lodge-clone.h"
#include "model/lodge-model-private.h"
#include "model/lodge-machine-config.h"
#include "model/lodge-machine-editor.h"
#include "model/lodge-machine-tuning.h"
#include "model/lodge-snapshots.h"
#include "model/lodge-stats-history.h"

#define RICH_UUID    "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define RUNNING_UUID "0f1d7c5a-3e0b-4bb4-9a4e-2a3c4d5e6f70"
#define UEFI_UUID    "4a6e2e63-9f53-4d3c-a1a4-0e7a9c1b2d3e"

/* Each test gets its own private copy of the test host. */
static virConnectPtr
open_node (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "rich-node.xml", NULL);
  g_autofree char *uri = g_strdup_printf ("test://%s", path);
  virConnectPtr conn = virConnectOpen (uri);

  g_assert_nonnull (conn);
  return conn;
}

static char *
dump_inactive (virConnectPtr  conn,
               const char    *uuid)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);
  char *xml;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  virDomainFree (dom);
  g_assert_nonnull (xml);
  return xml;
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
  g_assert_nonnull (config);
  return config;
}

static gboolean
edit_finish (LodgeMachineEditor *editor,
             LodgeEditOutcome   *outcome,
             GError            **error)
{
  g_autoptr(GAsyncResult) result = details_test_wait ();

  return lodge_machine_editor_edit_finish (editor, result, outcome, error);
}

static guint
count_kind (LodgeMachineConfig *config,
            LodgeDeviceKind     kind)
{
  g_autoptr(GPtrArray) devices = lodge_machine_config_get_devices_of_kind (config, kind);

  return devices->len;
}

static void
test_config_rich (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, RICH_UUID);
  g_autoptr(LodgeMachineConfig) config = load (editor, FALSE);
  g_autoptr(GPtrArray) usb = NULL;
  g_autoptr(GPtrArray) graphics = NULL;
  const char * const *boot;
  GPtrArray *devices;
  LodgeDevice *device;
  guint other = 0;

  g_assert_cmpstr (lodge_machine_config_get_name (config), ==, "lodge-test-details-rich");
  g_assert_cmpstr (lodge_machine_config_get_uuid (config), ==, RICH_UUID);
  g_assert_cmpstr (lodge_machine_config_get_title (config), ==, "Rich <machine> & “friends”");
  g_assert_cmpstr (lodge_machine_config_get_description (config), ==, "Made by another tool\nwith two lines");
  g_assert_cmpstr (lodge_machine_config_get_os_id (config), ==, "http://debian.org/debian/11");
  g_assert_cmpstr (lodge_machine_config_get_hypervisor (config), ==, "test");
  g_assert_false (lodge_machine_config_get_is_live (config));
  g_assert_cmpuint (lodge_machine_config_get_memory (config), ==, G_GUINT64_CONSTANT (2) << 30);
  g_assert_cmpuint (lodge_machine_config_get_current_memory (config), ==, G_GUINT64_CONSTANT (1536) << 20);
  g_assert_cmpuint (lodge_machine_config_get_vcpus (config), ==, 2);
  g_assert_cmpuint (lodge_machine_config_get_max_vcpus (config), ==, 4);
  g_assert_cmpstr (lodge_machine_config_get_cpu_mode (config), ==, "host-model");
  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_BIOS);
  g_assert_false (lodge_machine_config_get_has_pflash (config));
  g_assert_false (lodge_machine_config_get_autostart (config));

  boot = lodge_machine_config_get_boot_devices (config);
  g_assert_cmpuint (g_strv_length ((char **) boot), ==, 2);
  g_assert_cmpstr (boot[0], ==, "cdrom");
  g_assert_cmpstr (boot[1], ==, "hd");
  g_assert_false (lodge_machine_config_get_has_device_boot_order (config));

  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_DISK), ==, 4);
  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_CDROM), ==, 1);
  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_FLOPPY), ==, 1);
  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_INTERFACE), ==, 4);
  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_GRAPHICS), ==, 2);
  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_VIDEO), ==, 1);
  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_SOUND), ==, 1);
  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_USB_HOST), ==, 2);

  device = lodge_machine_config_find_disk (config, "vda");
  g_assert_nonnull (device);
  g_assert_cmpstr (device->source, ==, "/default-pool/rich-root.qcow2");
  g_assert_cmpstr (device->format, ==, "qcow2");
  g_assert_cmpstr (device->bus, ==, "virtio");
  g_assert_true (lodge_device_is_editable (device));

  device = lodge_machine_config_find_disk (config, "sdb");
  g_assert_cmpstr (device->source_type, ==, "block");
  g_assert_cmpstr (device->source, ==, "/dev/sdz");
  g_assert_true (device->shareable);

  device = lodge_machine_config_find_disk (config, "vdc");
  g_assert_cmpstr (device->source, ==, "rbd://ceph.example.com/pool/image");
  g_assert_false (lodge_device_is_editable (device));

  device = lodge_machine_config_find_disk (config, "vdd");
  g_assert_cmpstr (device->pool, ==, "default-pool");
  g_assert_cmpstr (device->volume, ==, "rich-data.img");
  g_assert_cmpstr (device->source, ==, "default-pool/rich-data.img");

  device = lodge_machine_config_find_disk (config, "sda");
  g_assert_cmpint (device->kind, ==, LODGE_DEVICE_KIND_CDROM);
  g_assert_null (device->source);
  g_assert_true (device->readonly);

  /* MAC lookups ignore case; link state and sources are read. */
  device = lodge_machine_config_find_interface (config, "52:54:00:aa:bb:02");
  g_assert_nonnull (device);
  g_assert_cmpstr (device->net_type, ==, "bridge");
  g_assert_cmpstr (device->source, ==, "br0");
  g_assert_cmpstr (device->model, ==, "e1000e");
  g_assert_false (device->link_up);
  device = lodge_machine_config_find_interface (config, "52:54:00:AA:BB:01");
  g_assert_cmpstr (device->source, ==, "default");
  g_assert_true (device->link_up);
  device = lodge_machine_config_find_interface (config, "52:54:00:aa:bb:04");
  g_assert_cmpstr (device->net_type, ==, "direct");
  g_assert_cmpstr (device->source, ==, "eth0");

  graphics = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_GRAPHICS);
  device = g_ptr_array_index (graphics, 0);
  g_assert_cmpstr (device->model, ==, "spice");
  g_assert_cmpstr (device->listen, ==, "none");
  g_assert_false (device->gl);
  device = g_ptr_array_index (graphics, 1);
  g_assert_cmpstr (device->model, ==, "vnc");
  g_assert_cmpstr (device->listen, ==, "127.0.0.1");

  usb = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_USB_HOST);
  device = g_ptr_array_index (usb, 0);
  g_assert_cmpstr (device->vendor_id, ==, "046d");
  g_assert_cmpstr (device->product_id, ==, "c52b");
  device = g_ptr_array_index (usb, 1);
  g_assert_null (device->vendor_id);
  g_assert_cmpuint (device->usb_bus, ==, 1);
  g_assert_cmpuint (device->usb_device, ==, 5);

  /* Everything Lodge does not edit is still listed, read-only, with a name
   * and its XML. */
  devices = lodge_machine_config_get_devices (config);
  for (guint i = 0; i < devices->len; i++)
    {
      device = g_ptr_array_index (devices, i);

      g_assert_nonnull (device->summary);
      g_assert_nonnull (device->xml);
      g_assert_true (g_str_has_prefix (device->xml, "<"));
      if (device->kind == LODGE_DEVICE_KIND_OTHER)
        {
          g_assert_false (lodge_device_is_editable (device));
          other++;
        }
    }
  /* controllers ×2, pci hostdev, filesystem, redirdev, smartcard, channels
   * ×2, serial, console, input, watchdog, rng, panic, memballoon, and
   * whatever the driver adds (e.g. a default PS/2 input). */
  g_assert_cmpuint (other, >=, 16);

  virConnectClose (conn);
}

static void
test_config_uefi (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, UEFI_UUID);
  g_autoptr(LodgeMachineConfig) config = load (editor, FALSE);

  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_UEFI);
  g_assert_true (lodge_machine_config_get_has_pflash (config));
  g_assert_true (lodge_machine_config_get_secure_boot (config));
  g_assert_cmpstr (lodge_machine_config_get_loader (config), ==, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  g_assert_cmpstr (lodge_machine_config_get_nvram (config), ==, "/var/lib/libvirt/qemu/nvram/uefi_VARS.fd");
  g_assert_true (lodge_machine_config_get_is_q35 (config));
  g_assert_cmpuint (lodge_machine_config_get_devices (config)->len, >=, 0);

  virConnectClose (conn);
}

static void
test_config_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMachineConfig) minimal = NULL;
  LodgeMachineConfig *config;

  config = lodge_machine_config_new_from_xml ("<domain><name>x</name>", &error);
  g_assert_null (config);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  config = lodge_machine_config_new_from_xml ("<network><name>x</name></network>", &error);
  g_assert_null (config);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  config = lodge_machine_config_new_from_xml ("", &error);
  g_assert_null (config);
  g_clear_error (&error);

  /* Nothing but a name: defaults, no crash. */
  minimal = lodge_machine_config_new_from_xml ("<domain type='kvm'><name>m</name>"
                                               "<memory unit='bogus'>12</memory>"
                                               "<vcpu current='9'>x</vcpu><devices>text<foo/>"
                                               "<disk/><interface/><hostdev/><graphics/></devices>"
                                               "</domain>", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lodge_machine_config_get_vcpus (minimal), ==, 1);
  g_assert_cmpuint (lodge_machine_config_get_max_vcpus (minimal), ==, 1);
  g_assert_cmpuint (lodge_machine_config_get_devices (minimal)->len, ==, 5);
  g_assert_null (lodge_machine_config_get_uuid (minimal));
  g_assert_null (lodge_machine_config_find_disk (minimal, "vda"));
}

static void
assert_define_rejected (LodgeMachineEditor *editor,
                        virConnectPtr       conn,
                        const char         *xml,
                        guint               expected_line)
{
  g_autofree char *before = dump_inactive (conn, RICH_UUID);
  g_autofree char *after = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint line = 12345;

  lodge_machine_editor_define_xml_async (editor, xml, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  g_assert_false (lodge_machine_editor_define_xml_finish (editor, result, &line, &error));
  g_assert_nonnull (error);
  g_test_message ("rejected (line %u): %s", line, error->message);
  g_assert_cmpstr (error->message, !=, "");
  if (expected_line != G_MAXUINT)
    g_assert_cmpuint (line, ==, expected_line);

  after = dump_inactive (conn, RICH_UUID);
  g_assert_cmpstr (before, ==, after);
}

static char *
replace (const char *text,
         const char *old,
         const char *new)
{
  g_auto(GStrv) parts = g_strsplit (text, old, 2);

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  return g_strjoin (new, parts[0], parts[1], NULL);
}

static void
test_rejected_edits (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, RICH_UUID);
  g_autofree char *original = dump_inactive (conn, RICH_UUID);
  g_autofree char *bad_element = replace (original, "<devices>", "<devices>\n    <bogus-device/>");
  g_autofree char *bad_xml = replace (original, "</name>", "</nam>");
  g_autofree char *other_uuid = replace (original, RICH_UUID, "11111111-2222-3333-4444-555555555555");
  g_autofree char *bad_memory = replace (original, "<memory unit='KiB'>2097152</memory>",
                                         "<memory unit='KiB'>lots</memory>");
  g_autofree char *after = NULL;
  const char *no_such[] = { "vdz", NULL };
  LodgeEditOutcome outcome;
  g_autoptr(GError) error = NULL;
  guint devices_line = 0;
  guint memory_line = 0;

  {
    g_auto(GStrv) lines = g_strsplit (original, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      {
        if (devices_line == 0 && strstr (lines[i], "<devices>") != NULL)
          devices_line = i + 1;   /* libvirt names the element that holds the bogus one */
        if (memory_line == 0 && strstr (lines[i], "<memory") != NULL)
          memory_line = i + 1;
      }
  }

  /* Schema: libvirt names the element; Lodge finds its line. */
  assert_define_rejected (editor, conn, bad_element, devices_line);
  /* Not well-formed: the parser names the line. */
  assert_define_rejected (editor, conn, bad_xml, 2);
  /* Another UUID would define a second machine. */
  assert_define_rejected (editor, conn, other_uuid, 3);
  /* A value libvirt refuses. */
  assert_define_rejected (editor, conn, bad_memory, G_MAXUINT);
  assert_define_rejected (editor, conn, "", G_MAXUINT);

  lodge_machine_editor_set_memory_async (editor, 0, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  lodge_machine_editor_set_vcpus_async (editor, 0, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_clear_error (&error);

  lodge_machine_editor_set_boot_order_async (editor, no_such, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  lodge_machine_editor_set_graphics_async (editor, "rdp", FALSE, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_clear_error (&error);

  lodge_machine_editor_set_graphics_async (editor, "vnc", TRUE, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_clear_error (&error);

  /* Shrinking a disk destroys data. */
  lodge_machine_editor_resize_disk_async (editor, "vda", 1024, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_clear_error (&error);

  lodge_machine_editor_change_media_async (editor, "vda", "/tmp/x.iso", NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  lodge_machine_editor_remove_interface_async (editor, "00:00:00:00:00:00", NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_clear_error (&error);

  lodge_machine_editor_add_interface_async (editor, "vhostuser", "x", NULL, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_clear_error (&error);

  after = dump_inactive (conn, RICH_UUID);
  g_assert_cmpstr (original, ==, after);

  virConnectClose (conn);
}

static void
test_accepted_edits (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, RICH_UUID);
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *edited = NULL;
  const char *order[] = { "vda", "52:54:00:AA:BB:01", NULL };
  LodgeEditOutcome outcome = 99;
  guint line = 99;

  lodge_machine_editor_set_memory_async (editor, G_GUINT64_CONSTANT (3) << 30, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, LODGE_EDIT_APPLIED);

  lodge_machine_editor_set_vcpus_async (editor, 6, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);

  lodge_machine_editor_set_autostart_async (editor, TRUE, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);

  lodge_machine_editor_set_description_async (editor, "New <description> & more", NULL,
                                              details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);

  lodge_machine_editor_set_boot_order_async (editor, order, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);

  config = load (editor, FALSE);
  g_assert_cmpuint (lodge_machine_config_get_memory (config), ==, G_GUINT64_CONSTANT (3) << 30);
  g_assert_cmpuint (lodge_machine_config_get_current_memory (config), ==, G_GUINT64_CONSTANT (3) << 30);
  g_assert_cmpuint (lodge_machine_config_get_vcpus (config), ==, 6);
  g_assert_cmpuint (lodge_machine_config_get_max_vcpus (config), ==, 6);
  g_assert_true (lodge_machine_config_get_autostart (config));
  g_assert_cmpstr (lodge_machine_config_get_description (config), ==, "New <description> & more");
  g_assert_true (lodge_machine_config_get_has_device_boot_order (config));
  g_assert_cmpuint (g_strv_length ((char **) lodge_machine_config_get_boot_devices (config)), ==, 0);
  g_assert_cmpuint (lodge_machine_config_find_disk (config, "vda")->boot_order, ==, 1);
  g_assert_cmpuint (lodge_machine_config_find_interface (config, "52:54:00:aa:bb:01")->boot_order, ==, 2);
  g_assert_cmpuint (lodge_machine_config_find_disk (config, "vdd")->boot_order, ==, 0);

  /* Shrink back: current first, then the maximum. */
  lodge_machine_editor_set_memory_async (editor, G_GUINT64_CONSTANT (1) << 30, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  g_clear_object (&config);
  config = load (editor, TRUE);
  g_assert_cmpuint (lodge_machine_config_get_memory (config), ==, G_GUINT64_CONSTANT (1) << 30);

  /* Display and sound through a validated redefinition. */
  lodge_machine_editor_set_graphics_async (editor, "spice", TRUE, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  lodge_machine_editor_set_sound_async (editor, NULL, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  g_clear_object (&config);
  config = load (editor, TRUE);
  {
    g_autoptr(GPtrArray) graphics = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_GRAPHICS);
    LodgeDevice *first = g_ptr_array_index (graphics, 0);

    g_assert_cmpstr (first->model, ==, "spice");
    g_assert_true (first->gl);
    g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_SOUND), ==, 0);
  }

  /* Edit XML: a new title, kept. */
  xml = dump_inactive (conn, RICH_UUID);
  edited = replace (xml, "<title>Rich &lt;machine&gt; &amp; “friends”</title>", "<title>Edited by hand</title>");
  lodge_machine_editor_define_xml_async (editor, edited, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  g_assert_true (lodge_machine_editor_define_xml_finish (editor, result, &line, &error));
  g_assert_no_error (error);
  g_clear_object (&config);
  config = load (editor, TRUE);
  g_assert_cmpstr (lodge_machine_config_get_title (config), ==, "Edited by hand");

  virConnectClose (conn);
}

static void
test_running_edits (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, RUNNING_UUID);
  g_autoptr(LodgeMachineConfig) config = load (editor, FALSE);
  g_autoptr(GError) error = NULL;
  LodgeEditOutcome outcome = 99;

  g_assert_true (lodge_machine_config_get_is_live (config));
  g_assert_true (lodge_machine_config_can_set_memory_live (config, 256 << 20));
  g_assert_false (lodge_machine_config_can_set_memory_live (config, G_GUINT64_CONSTANT (1) << 30));
  g_assert_true (lodge_machine_config_can_set_vcpus_live (config, 2));
  g_assert_false (lodge_machine_config_can_set_vcpus_live (config, 3));

  /* Within the boot maximum: live. */
  lodge_machine_editor_set_memory_async (editor, 256 << 20, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, LODGE_EDIT_APPLIED);

  /* Above it: only from the next boot. */
  lodge_machine_editor_set_memory_async (editor, G_GUINT64_CONSTANT (1) << 30, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, LODGE_EDIT_APPLIES_AT_NEXT_BOOT);

  lodge_machine_editor_set_vcpus_async (editor, 4, NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, LODGE_EDIT_APPLIES_AT_NEXT_BOOT);

  /* Display changes need a new QEMU. */
  lodge_machine_editor_set_sound_async (editor, "ich9", NULL, details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, LODGE_EDIT_APPLIES_AT_NEXT_BOOT);

  g_clear_object (&config);
  config = load (editor, TRUE);
  g_assert_cmpuint (lodge_machine_config_get_memory (config), ==, G_GUINT64_CONSTANT (1) << 30);
  g_assert_cmpuint (lodge_machine_config_get_vcpus (config), ==, 4);
  g_clear_object (&config);
  config = load (editor, FALSE);
  g_assert_true (lodge_machine_config_get_is_live (config));
  g_assert_cmpuint (lodge_machine_config_get_current_memory (config), ==, 256 << 20);

  virConnectClose (conn);
}

/* Performance and limits on the test driver: what it reports is read,
 * and bad values are refused before libvirt with the definition kept. */
static void
test_tuning (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, RUNNING_UUID);
  g_autoptr(LodgeMachineTuning) tuning = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  LodgeDiskLimits both = { .total_iops_sec = 100, .write_iops_sec = 10 };
  LodgeNicLimits peak_only = { .outbound = { 0, 100, 0 } };
  virDomainPtr dom;

  lodge_machine_editor_get_tuning_async (editor, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  tuning = lodge_machine_editor_get_tuning_finish (editor, result, &error);
  g_assert_no_error (error);
  g_assert_true (tuning->active);
  g_assert_true (tuning->persistent);
  g_assert_cmpuint (tuning->host_cpus, >, 0);
  g_assert_cmpuint (tuning->live.vcpus, >=, 1);
  g_assert_cmpuint (tuning->config.max_memory, >, 0);
  g_assert_cmpuint (tuning->default_shares, >, 0);
  g_assert_true (lodge_machine_tuning_get_current (tuning) == &tuning->live);
  g_test_message ("test driver: scheduler %d, memory limits %d, %u disks, %u cards",
                  tuning->has_scheduler, tuning->has_memory_limits, tuning->disks->len, tuning->nics->len);

  dom = virDomainLookupByUUIDString (conn, RUNNING_UUID);
  before = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);

  lodge_machine_editor_set_cpu_cap_async (editor, 101, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, NULL, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "101"));
  g_clear_error (&error);

  lodge_machine_editor_set_vcpu_counts_async (editor, 3, 2, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, NULL, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  lodge_machine_editor_set_memory_sizes_async (editor, 0, 1 << 30, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, NULL, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  lodge_machine_editor_set_memory_limits_async (editor, 512 << 20, 0, 256 << 20, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, NULL, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  lodge_machine_editor_set_disk_limits_async (editor, "vda", &both, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, NULL, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  lodge_machine_editor_set_nic_limits_async (editor, "52:54:00:00:00:99", &peak_only, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, NULL, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  after = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  g_assert_cmpstr (before, ==, after);
  virDomainFree (dom);
  virConnectClose (conn);
}

static GPtrArray *
list_snapshots (LodgeSnapshots *snapshots)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *list;

  lodge_snapshots_list_async (snapshots, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  list = lodge_snapshots_list_finish (snapshots, result, &error);
  g_assert_no_error (error);
  return list;
}

static char *
create_snapshot (LodgeSnapshots *snapshots,
                 const char     *name,
                 const char     *description,
                 GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_snapshots_create_async (snapshots, name, description, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  return lodge_snapshots_create_finish (snapshots, result, error);
}

static gboolean
snapshot_action_finish (LodgeSnapshots *snapshots,
                        GError        **error)
{
  g_autoptr(GAsyncResult) result = details_test_wait ();

  return lodge_snapshots_action_finish (snapshots, result, error);
}

static void
test_snapshots (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeSnapshots) snapshots = lodge_snapshots_new_for_virconnect (conn, RUNNING_UUID);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *automatic = NULL;
  LodgeSnapshot *snapshot;

  list = list_snapshots (snapshots);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  first = create_snapshot (snapshots, "first", "Before <changes>", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "first");
  second = create_snapshot (snapshots, "second", NULL, &error);
  g_assert_no_error (error);

  /* Back to the first, then a sibling of the second. */
  lodge_snapshots_revert_async (snapshots, "first", NULL, details_test_ready_cb, NULL);
  g_assert_true (snapshot_action_finish (snapshots, &error));
  g_assert_no_error (error);
  third = create_snapshot (snapshots, "third", "sibling", &error);
  g_assert_no_error (error);
  automatic = create_snapshot (snapshots, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (automatic);
  g_assert_cmpstr (automatic, !=, "");

  list = list_snapshots (snapshots);
  g_assert_cmpuint (list->len, ==, 4);
  snapshot = g_ptr_array_index (list, 0);
  g_assert_cmpstr (snapshot->name, ==, "first");
  g_assert_cmpuint (snapshot->depth, ==, 0);
  g_assert_null (snapshot->parent);
  g_assert_cmpuint (snapshot->n_children, ==, 2);
  g_assert_cmpstr (snapshot->description, ==, "Before <changes>");
  g_assert_cmpstr (snapshot->state, ==, "running");
  g_assert_true (snapshot->has_memory);
  g_assert_false (snapshot->is_external);
  g_assert_cmpint (snapshot->creation_time, >, 0);
  for (guint i = 1; i < list->len; i++)
    {
      snapshot = g_ptr_array_index (list, i);
      g_assert_cmpuint (snapshot->depth, >=, 1);
      if (g_str_equal (snapshot->name, automatic))
        {
          g_assert_true (snapshot->is_current);
          g_assert_cmpstr (snapshot->parent, ==, "third");
          g_assert_cmpuint (snapshot->depth, ==, 2);
        }
      else
        g_assert_false (snapshot->is_current);
    }
  g_clear_pointer (&list, g_ptr_array_unref);

  lodge_snapshots_set_description_async (snapshots, "second", "Now described & <escaped>", NULL,
                                         details_test_ready_cb, NULL);
  g_assert_true (snapshot_action_finish (snapshots, &error));
  g_assert_no_error (error);

  lodge_snapshots_delete_async (snapshots, "first", NULL, details_test_ready_cb, NULL);
  g_assert_true (snapshot_action_finish (snapshots, &error));
  g_assert_no_error (error);

  lodge_snapshots_delete_async (snapshots, "no-such-snapshot", NULL, details_test_ready_cb, NULL);
  g_assert_false (snapshot_action_finish (snapshots, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = list_snapshots (snapshots);
  g_assert_cmpuint (list->len, ==, 3);
  for (guint i = 0; i < list->len; i++)
    {
      snapshot = g_ptr_array_index (list, i);
      /* The children of the deleted root became roots. */
      if (g_str_equal (snapshot->name, "second"))
        {
          g_assert_null (snapshot->parent);
          g_assert_cmpstr (snapshot->description, ==, "Now described & <escaped>");
        }
    }

  virConnectClose (conn);
}

static void
test_snapshots_uefi (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeSnapshots) snapshots = lodge_snapshots_new_for_virconnect (conn, UEFI_UUID);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  /* UEFI: Lodge asks for an external disk-only snapshot. The test driver
   * may do it or refuse it; either way the answer is clear, never an
   * internal snapshot that QEMU would refuse. */
  name = create_snapshot (snapshots, "uefi", NULL, &error);
  if (name == NULL)
    {
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "UEFI"));
    }
  else
    {
      g_autoptr(GPtrArray) list = list_snapshots (snapshots);
      LodgeSnapshot *snapshot = g_ptr_array_index (list, 0);

      g_assert_false (snapshot->has_memory);
    }

  virConnectClose (conn);
}

static char *
run_clone (LodgeClone     *clone,
           const char     *name,
           LodgeCloneMode  mode,
           GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_clone_run_async (clone, name, mode, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  return lodge_clone_run_finish (clone, result, error);
}

static int
count_volumes (virConnectPtr conn)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, "default-pool");
  int n;

  g_assert_nonnull (pool);
  virStoragePoolRefresh (pool, 0);
  n = virStoragePoolNumOfVolumes (pool);
  virStoragePoolFree (pool);
  return n;
}

static void
test_clone (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeClone) rich = lodge_clone_new_for_virconnect (conn, RICH_UUID);
  g_autoptr(LodgeClone) running = lodge_clone_new_for_virconnect (conn, RUNNING_UUID);
  g_autoptr(LodgeClone) simple = NULL;
  g_autoptr(LodgeMachineEditor) editor = NULL;
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *suggested = NULL;
  const char *taken[] = { "a-clone", NULL };
  virDomainPtr dom;
  int volumes = count_volumes (conn);
  LodgeDevice *disk;

  /* A network disk cannot be copied: refused, nothing left behind. */
  uuid = run_clone (rich, "lodge-test-details-rich-copy", LODGE_CLONE_FULL, &error);
  g_assert_null (uuid);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count_volumes (conn), ==, volumes);

  /* A running machine's disks change under the copy. */
  uuid = run_clone (running, "lodge-test-details-running-copy", LODGE_CLONE_FULL, &error);
  g_assert_null (uuid);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* Names are unique. */
  uuid = run_clone (running, "lodge-test-details-rich", LODGE_CLONE_FULL, &error);
  g_assert_null (uuid);
  g_clear_error (&error);

  /* A plain machine with a disk in the pool, shut off: copied. */
  dom = virDomainLookupByUUIDString (conn, RUNNING_UUID);
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);

  simple = lodge_clone_new_for_virconnect (conn, RUNNING_UUID);
  uuid = run_clone (simple, "lodge-test-details-copy", LODGE_CLONE_FULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uuid);
  g_assert_cmpstr (uuid, !=, RUNNING_UUID);
  g_assert_cmpfloat (lodge_clone_get_progress (simple), >=, 0.0);
  g_assert_cmpint (count_volumes (conn), ==, volumes + 1);

  editor = lodge_machine_editor_new_for_virconnect (conn, uuid);
  config = load (editor, TRUE);
  g_assert_cmpstr (lodge_machine_config_get_name (config), ==, "lodge-test-details-copy");
  disk = lodge_machine_config_find_disk (config, "vda");
  g_assert_cmpstr (disk->source, ==, "/default-pool/lodge-test-details-copy-vda.img");
  /* The CD stays shared; the NIC gets a new MAC. */
  g_assert_cmpstr (lodge_machine_config_find_disk (config, "hdc")->source, ==, "/default-pool/install.iso");
  g_assert_null (lodge_machine_config_find_interface (config, "52:54:00:cc:dd:01"));
  g_assert_cmpuint (count_kind (config, LODGE_DEVICE_KIND_INTERFACE), ==, 1);

  suggested = lodge_clone_suggest_name ("a", taken);
  g_assert_cmpstr (suggested, ==, "a-clone-2");

  /* A UEFI machine's copy gets a variable store of its own (the test host
   * has no file to copy: the copy starts from the template), and the pool
   * Lodge opened on the store's directory is gone again. */
  {
    g_autoptr(LodgeClone) uefi = lodge_clone_new_for_virconnect (conn, UEFI_UUID);
    g_autoptr(LodgeMachineEditor) uefi_editor = NULL;
    g_autoptr(LodgeMachineConfig) uefi_config = NULL;
    g_autofree char *uefi_uuid = NULL;
    int pools = virConnectNumOfStoragePools (conn);

    uefi_uuid = run_clone (uefi, "lodge-test-details-uefi-copy", LODGE_CLONE_FULL, &error);
    g_assert_no_error (error);
    uefi_editor = lodge_machine_editor_new_for_virconnect (conn, uefi_uuid);
    uefi_config = load (uefi_editor, TRUE);
    g_assert_cmpstr (lodge_machine_config_get_nvram (uefi_config), ==,
                     "/var/lib/libvirt/qemu/nvram/lodge-test-details-uefi-copy_VARS.fd");
    g_assert_cmpstr (lodge_machine_config_get_loader (uefi_config), ==, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
    g_assert_cmpint (virConnectNumOfStoragePools (conn), ==, pools);
  }

  virConnectClose (conn);
}

/* The host's USB devices as node devices of the test host: the stick is
 * listed (the root hub is not), and giving it to a machine adds it. */
static void
test_host_usb (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, RICH_UUID);
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) usb = NULL;
  g_autoptr(GPtrArray) given = NULL;
  LodgeEditOutcome outcome = 99;
  LodgeDevice *device;

  lodge_machine_editor_list_host_usb_async (editor, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  usb = lodge_machine_editor_list_host_usb_finish (editor, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (usb->len, ==, 1);
  device = g_ptr_array_index (usb, 0);
  g_assert_cmpint (device->kind, ==, LODGE_DEVICE_KIND_USB_HOST);
  g_assert_cmpstr (device->vendor_id, ==, "1234");
  g_assert_cmpstr (device->product_id, ==, "5678");
  g_assert_cmpuint (device->usb_bus, ==, 1);
  g_assert_cmpuint (device->usb_device, ==, 5);
  g_assert_cmpstr (device->summary, ==, "Lodge Test Devices Lodge Test Stick");

  lodge_machine_editor_add_usb_host_async (editor, device->vendor_id, device->product_id, NULL,
                                           details_test_ready_cb, NULL);
  g_assert_true (edit_finish (editor, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, LODGE_EDIT_APPLIED);
  config = load (editor, TRUE);
  given = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_USB_HOST);
  g_assert_cmpuint (given->len, ==, 3);
  g_assert_cmpstr (((LodgeDevice *) g_ptr_array_index (given, 2))->vendor_id, ==, "1234");
  g_assert_cmpstr (((LodgeDevice *) g_ptr_array_index (given, 2))->product_id, ==, "5678");

  virConnectClose (conn);
}

static LodgeMachineConfig *
set_firmware (virConnectPtr   conn,
              const char     *uuid,
              LodgeFirmware   firmware,
              gboolean        secure_boot,
              GError        **error)
{
  g_autoptr(LodgeMachineEditor) editor = lodge_machine_editor_new_for_virconnect (conn, uuid);
  LodgeEditOutcome outcome = 99;

  lodge_machine_editor_set_firmware_async (editor, firmware, secure_boot, NULL, details_test_ready_cb, NULL);
  if (!edit_finish (editor, &outcome, error))
    return NULL;
  g_assert_cmpint (outcome, ==, LODGE_EDIT_APPLIED);
  return load (editor, TRUE);
}

/* Firmware: BIOS to UEFI, Secure Boot on (with SMM), back to BIOS; what
 * Lodge or libvirt refuses leaves the definition as it was. */
static void
test_firmware (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  virDomainPtr dom;

  config = set_firmware (conn, RICH_UUID, LODGE_FIRMWARE_UEFI, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_UEFI);
  g_assert_false (lodge_machine_config_get_secure_boot (config));
  g_assert_nonnull (strstr (lodge_machine_config_get_xml (config), "<os firmware='efi'>"));
  g_assert_nonnull (strstr (lodge_machine_config_get_xml (config), "<feature enabled='no' name='secure-boot'/>"));
  /* The rest of the definition is kept. */
  g_assert_cmpuint (lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_USB_HOST)->len, ==, 2);
  g_clear_object (&config);

  config = set_firmware (conn, RICH_UUID, LODGE_FIRMWARE_UEFI, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_UEFI);
  g_assert_true (lodge_machine_config_get_secure_boot (config));
  g_assert_nonnull (strstr (lodge_machine_config_get_xml (config), "<smm state='on'/>"));
  g_assert_nonnull (strstr (lodge_machine_config_get_xml (config), "<feature enabled='yes' name='enrolled-keys'/>"));
  g_clear_object (&config);

  config = set_firmware (conn, RICH_UUID, LODGE_FIRMWARE_BIOS, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_BIOS);
  g_assert_false (lodge_machine_config_get_has_pflash (config));
  g_assert_null (strstr (lodge_machine_config_get_xml (config), "firmware"));
  g_assert_null (strstr (lodge_machine_config_get_xml (config), "<loader"));
  g_clear_object (&config);

  /* A machine with a fixed OVMF loader and variable store goes to BIOS. */
  config = set_firmware (conn, UEFI_UUID, LODGE_FIRMWARE_BIOS, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lodge_machine_config_get_firmware (config), ==, LODGE_FIRMWARE_BIOS);
  g_assert_null (lodge_machine_config_get_nvram (config));
  g_assert_null (lodge_machine_config_get_loader (config));
  g_clear_object (&config);

  /* Refused: running; Secure Boot without Q35. Nothing changes. */
  before = dump_inactive (conn, RUNNING_UUID);
  config = set_firmware (conn, RUNNING_UUID, LODGE_FIRMWARE_UEFI, FALSE, &error);
  g_assert_null (config);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);

  dom = virDomainLookupByUUIDString (conn, RUNNING_UUID);
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);
  config = set_firmware (conn, RUNNING_UUID, LODGE_FIRMWARE_UEFI, TRUE, &error);
  g_assert_null (config);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);
  after = dump_inactive (conn, RUNNING_UUID);
  g_assert_cmpstr (before, ==, after);

  virConnectClose (conn);
}

static void
test_gone_machine (void)
{
  virConnectPtr conn = open_node ();
  g_autoptr(LodgeMachineEditor) editor =
    lodge_machine_editor_new_for_virconnect (conn, "00000000-0000-0000-0000-000000000000");
  g_autoptr(LodgeSnapshots) snapshots =
    lodge_snapshots_new_for_virconnect (conn, "00000000-0000-0000-0000-000000000000");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LodgeEditOutcome outcome;

  lodge_machine_editor_load_async (editor, FALSE, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  g_assert_null (lodge_machine_editor_load_finish (editor, result, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  lodge_machine_editor_set_memory_async (editor, 1 << 30, NULL, details_test_ready_cb, NULL);
  g_assert_false (edit_finish (editor, &outcome, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  lodge_snapshots_list_async (snapshots, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  g_assert_null (lodge_snapshots_list_finish (snapshots, result, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);

  virConnectClose (conn);
}

static gboolean
history_has_running (gpointer data)
{
  LodgeStatsHistory *history = data;

  return lodge_stats_history_get_series (history, RUNNING_UUID, LODGE_STATS_CPU, NULL, NULL, 10) >= 2;
}

/* The history follows the connection's ticks: one bulk call each, and a
 * series for the running machine only. */
static void
test_history_follows_connection (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "rich-node.xml", NULL);
  g_autofree char *uri = g_strdup_printf ("test://%s", path);
  g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
  g_autoptr(LodgeStatsHistory) history = lodge_stats_history_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  guint64 calls;

  lodge_connection_open_async (connection, NULL, details_test_ready_cb, NULL);
  result = details_test_wait ();
  g_assert_true (lodge_connection_open_finish (connection, result, &error));
  g_assert_no_error (error);

  lodge_connection_set_stats_interval (connection, 1);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!history_has_running (history) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (history_has_running (history));

  /* One shared history per connection for the pages that open later. */
  g_assert_true (lodge_stats_history_for_connection (connection) == lodge_stats_history_for_connection (connection));
  g_assert_true (lodge_stats_history_for_connection (connection) != history);

  calls = lodge_connection_get_stats_calls (connection);
  /* Three ticks: at least three samples; never more than one call each. */
  g_assert_cmpuint (lodge_stats_history_get_n_keys (history), ==, 1);
  g_assert_cmpuint (lodge_stats_history_get_series (history, RICH_UUID, LODGE_STATS_CPU, NULL, NULL, 10), ==, 0);
  g_assert_cmpuint (calls, >=, 3);

  lodge_connection_close (connection);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  details_test_init_libvirt ();
  lodge_connection_init_events ();

  g_test_add_func ("/details/config/rich", test_config_rich);
  g_test_add_func ("/details/config/uefi", test_config_uefi);
  g_test_add_func ("/details/config/bad-input", test_config_bad_input);
  g_test_add_func ("/details/editor/rejected-edits-leave-definition", test_rejected_edits);
  g_test_add_func ("/details/editor/accepted-edits", test_accepted_edits);
  g_test_add_func ("/details/editor/running-edits", test_running_edits);
  g_test_add_func ("/details/editor/tuning", test_tuning);
  g_test_add_func ("/details/editor/host-usb", test_host_usb);
  g_test_add_func ("/details/editor/firmware", test_firmware);
  g_test_add_func ("/details/editor/gone-machine", test_gone_machine);
  g_test_add_func ("/details/snapshots/tree", test_snapshots);
  g_test_add_func ("/details/snapshots/uefi", test_snapshots_uefi);
  g_test_add_func ("/details/clone/full", test_clone);
  g_test_add_func ("/details/stats-history/follows-connection", test_history_follows_connection);

  return g_test_run ();
}
