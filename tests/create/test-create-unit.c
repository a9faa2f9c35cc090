/* test-create-unit.c: OS database, machine spec, domain builder golden files,
 * acceleration probe and name checks
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-create-unit"

#include "config.h"

#include <glib/gstdio.h>

#include "create/lodge-create.h"
#include "create/lodge-create-private.h"
#include "create/lodge-install-boot.h"
#include "model/lodge-pending-cleanup.h"
#include "lodge-create-test.h"
#include "lodge-test.h"

#define GiB (G_GUINT64_CONSTANT (1) << 30)
#define MiB (G_GUINT64_CONSTANT (1) << 20)

/* A fixed host so that golden files do not depend on this computer. */
static LodgeHostInfo *
make_host (LodgeAcceleration acceleration,
           const char       *network)
{
  LodgeHostInfo *host = lodge_host_info_new ();

  host->memory = 16 * GiB;
  host->cpus = 8;
  host->acceleration = acceleration;
  host->acceleration_reason = acceleration == LODGE_ACCELERATION_KVM
                              ? LODGE_ACCELERATION_REASON_NONE
                              : LODGE_ACCELERATION_REASON_FORCED;
  host->emulator = g_strdup ("/usr/bin/qemu-system-x86_64");
  host->uefi = TRUE;
  host->secure_boot = TRUE;
  host->tpm = TRUE;
  host->network = g_strdup (network);
  return host;
}

typedef struct
{
  const char *golden;       /* file name in tests/create/golden */
  const char *os;           /* short id, or "generic-linux", "generic-windows", NULL: unknown */
  const char *name;
  const char *title;        /* NULL: from the OS */
  const char *cdrom;
  LodgeAcceleration acceleration;
  const char *network;
  const char *install_cmdline;  /* express by initrd injection: the install boot */
} GoldenCase;

static const GoldenCase golden_cases[] = {
  { "fedora37.xml", "fedora37", "fedora37", NULL,
    "/srv/isos/Fedora-Server-dvd-x86_64-37-1.7.iso", LODGE_ACCELERATION_KVM, "default" },
  /* osinfo-db 20221130 has no debian12: Debian 12 gets debian11's data. */
  { "debian12.xml", "debian11", "debian12", "Debian 12",
    "/srv/isos/debian-12.0.0-amd64-netinst.iso", LODGE_ACCELERATION_KVM, "default" },
  { "ubuntu22.04.xml", "ubuntu22.04", "ubuntu22.04", NULL,
    "/srv/isos/ubuntu-22.04.1-live-server-amd64.iso", LODGE_ACCELERATION_KVM, "default" },
  { "win10.xml", "win10", "win10", NULL,
    "/srv/isos/Win10_22H2_English_x64.iso", LODGE_ACCELERATION_KVM, "default" },
  { "win11.xml", "win11", "win11", NULL,
    "/srv/isos/Win11_22H2_English_x64v1.iso", LODGE_ACCELERATION_KVM, "default" },
  { "generic-linux.xml", "generic-linux", "linux", "My Linux",
    "/srv/isos/some-linux.iso", LODGE_ACCELERATION_KVM, "default" },
  /* Unknown OS, emulated, user-mode networking, and text that needs escaping. */
  { "unknown.xml", NULL, "Tom & Jerry's <box>", "Tom & Jerry's \"box\"",
    "/srv/isos/my disk & more.iso", LODGE_ACCELERATION_QEMU, NULL },
  /* Express installs by initrd injection: the install boot's definition
   * (the installer's kernel, its initrd with the preseed, the script's
   * command line as libosinfo writes it; on_reboot destroy). */
  { "debian12-express.xml", "debian11", "debian12", "Debian 12",
    "/srv/isos/debian-12.0.0-amd64-netinst.iso", LODGE_ACCELERATION_KVM, "default",
    "keyboard-configuration/xkb-keymap=us debconf/priority=critical" },
  { "ubuntu22.04-express.xml", "ubuntu22.04", "ubuntu22.04", NULL,
    "/srv/isos/ubuntu-22.04.1-desktop-amd64.iso", LODGE_ACCELERATION_KVM, "default",
    "file=/preseed.cfg locale=en_US keyboard-configuration/layoutcode=us hostname=ubuntu "
    "priority=critical console-setup/ask_detect=false domain=unassigned-domain interface=auto "
    "noprompt boot=casper automatic-ubiquity" },
};

static LodgeOs *
lookup_case_os (LodgeOsDatabase *db,
                const char      *os)
{
  if (os == NULL)
    return lodge_os_database_get_unknown (db);
  if (g_str_equal (os, "generic-linux"))
    return lodge_os_database_get_generic_linux (db);
  if (g_str_equal (os, "generic-windows"))
    return lodge_os_database_get_generic_windows (db);
  return lodge_os_database_lookup (db, os);
}

static char *
build_case (const GoldenCase *c)
{
  LodgeOsDatabase *db = lodge_create_test_get_db ();
  g_autoptr(LodgeHostInfo) host = make_host (c->acceleration, c->network);
  g_autoptr(LodgeMachineSpec) spec = lodge_machine_spec_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *disk = NULL;
  LodgeOs *os = lookup_case_os (db, c->os);
  char *xml;

  g_assert_nonnull (os);
  lodge_machine_spec_set_name (spec, c->name);
  if (c->title != NULL)
    lodge_machine_spec_set_title (spec, c->title);
  lodge_machine_spec_apply_os (spec, c->os ? os : NULL, host);
  disk = g_strdup_printf ("/var/lib/libvirt/images/lodge/%s.qcow2", c->name);
  lodge_machine_spec_set_disk_path (spec, disk);
  lodge_machine_spec_set_cdrom_path (spec, c->cdrom);
  if (c->install_cmdline != NULL)
    {
      g_autofree char *kernel = g_strdup_printf ("/var/lib/libvirt/images/lodge/%s-install-vmlinuz", c->name);
      g_autofree char *initrd = g_strdup_printf ("/var/lib/libvirt/images/lodge/%s-install-initrd.img", c->name);

      g_object_set (spec,
                    "install-kernel", kernel,
                    "install-initrd", initrd,
                    "install-cmdline", c->install_cmdline,
                    NULL);
    }

  xml = lodge_domain_builder_build (spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (xml);
  return xml;
}

static void
test_golden (gconstpointer data)
{
  const GoldenCase *c = data;
  const char *dir = g_getenv ("LODGE_GOLDEN_DIR");
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *xml = build_case (c);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, c->golden, NULL);

  /* LODGE_UPDATE_GOLDEN=1 rewrites the files (review the diff!). */
  if (g_strcmp0 (g_getenv ("LODGE_UPDATE_GOLDEN"), "1") == 0)
    {
      g_file_set_contents (path, xml, -1, &error);
      g_assert_no_error (error);
    }

  g_file_get_contents (path, &expected, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xml, ==, expected);
}

/* Every golden file is a valid libvirt domain (libvirt's own RNG schema). */
static void
test_golden_validate (gconstpointer data)
{
  const GoldenCase *c = data;
  g_autofree char *path = g_build_filename (g_getenv ("LODGE_GOLDEN_DIR"), c->golden, NULL);
  g_autofree char *validator = g_find_program_in_path ("virt-xml-validate");
  const char *argv[] = { "virt-xml-validate", path, "domain", NULL };

  if (validator == NULL)
    {
      if (g_strcmp0 (g_getenv ("LODGE_TEST_NO_SKIP"), "1") == 0)
        g_error ("virt-xml-validate (libvirt-clients) is missing");
      g_test_skip ("virt-xml-validate (libvirt-clients) is missing");
      return;
    }

  lodge_create_test_run (argv);
}

/* Golden files pin down bytes; these pin down the rules behind them. */
static void
test_builder_rules (void)
{
  g_autofree char *fedora = build_case (&golden_cases[0]);
  g_autofree char *win10 = build_case (&golden_cases[3]);
  g_autofree char *win11 = build_case (&golden_cases[4]);
  g_autofree char *unknown = build_case (&golden_cases[6]);
  const char *always[] = {
    "machine='q35'", "<input type='tablet' bus='usb'/>", "<graphics type='spice'>",
    "<listen type='socket'/>", "<channel type='spicevmc'>", "name='com.redhat.spice.0'",
    "name='org.qemu.guest_agent.0'", "<sound model='ich9'/>",
    "<redirdev bus='usb' type='spicevmc'/>\n    <redirdev bus='usb' type='spicevmc'/>",
    "<libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>",
    NULL
  };

  for (guint i = 0; always[i] != NULL; i++)
    {
      g_assert_nonnull (strstr (fedora, always[i]));
      g_assert_nonnull (strstr (win10, always[i]));
      g_assert_nonnull (strstr (win11, always[i]));
      g_assert_nonnull (strstr (unknown, always[i]));
    }

  /* Fedora: virtio everything, UEFI without Secure Boot, KVM. */
  g_assert_nonnull (strstr (fedora, "<domain type='kvm'>"));
  g_assert_nonnull (strstr (fedora, "bus='virtio'"));
  g_assert_nonnull (strstr (fedora, "<model type='virtio'/>"));
  g_assert_nonnull (strstr (fedora, "<os firmware='efi'>"));
  g_assert_nonnull (strstr (fedora, "<feature enabled='no' name='secure-boot'/>"));
  g_assert_null (strstr (fedora, "<tpm"));
  g_assert_nonnull (strstr (fedora, "<libosinfo:os id='http://fedoraproject.org/fedora/37'/>"));

  /* Windows 10: no virtio drivers in the box. */
  g_assert_null (strstr (win10, "bus='virtio'"));
  g_assert_nonnull (strstr (win10, "bus='sata'"));
  g_assert_nonnull (strstr (win10, "<model type='e1000e'/>"));
  g_assert_nonnull (strstr (win10, "<clock offset='localtime'>"));

  /* Windows 11: UEFI, Secure Boot with keys, SMM, TPM 2.0. */
  g_assert_nonnull (strstr (win11, "<os firmware='efi'>"));
  g_assert_nonnull (strstr (win11, "<feature enabled='yes' name='secure-boot'/>"));
  g_assert_nonnull (strstr (win11, "<feature enabled='yes' name='enrolled-keys'/>"));
  g_assert_nonnull (strstr (win11, "<smm state='on'/>"));
  g_assert_nonnull (strstr (win11, "<backend type='emulator' version='2.0'/>"));
  g_assert_nonnull (strstr (win11, "<libosinfo:os id='http://microsoft.com/win/11'/>"));

  /* Unknown: emulated, BIOS, safe devices, everything escaped. */
  g_assert_nonnull (strstr (unknown, "<domain type='qemu'>"));
  g_assert_null (strstr (unknown, "host-passthrough"));
  g_assert_null (strstr (unknown, "firmware='efi'"));
  g_assert_nonnull (strstr (unknown, "<interface type='user'>"));
  g_assert_nonnull (strstr (unknown, "<model type='e1000'/>"));
  g_assert_nonnull (strstr (unknown, "<name>Tom &amp; Jerry&apos;s &lt;box&gt;</name>"));
  g_assert_nonnull (strstr (unknown, "my disk &amp; more.iso"));
  g_assert_nonnull (strstr (unknown, "<libosinfo:os id='http://libosinfo.org/unknown'/>"));
}

/* The unattended-install image: another SATA CD-ROM, never booted. */
static void
test_builder_unattended (void)
{
  LodgeOsDatabase *db = lodge_create_test_get_db ();
  g_autoptr(LodgeMachineSpec) spec = lodge_machine_spec_new ();
  g_autoptr(LodgeHostInfo) host = make_host (LODGE_ACCELERATION_KVM, "default");
  g_autoptr(GError) error = NULL;
  g_autofree char *virtio = NULL;
  g_autofree char *sata = NULL;

  lodge_machine_spec_apply_os (spec, lodge_os_database_lookup (db, "fedora37"), host);
  lodge_machine_spec_set_disk_path (spec, "/pool/fedora37.qcow2");
  lodge_machine_spec_set_cdrom_path (spec, "/isos/fedora.iso");
  g_object_set (spec, "unattended-path", "/pool/fedora37-unattended.iso", NULL);
  virtio = lodge_domain_builder_build (spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (virtio, "<source file='/pool/fedora37-unattended.iso'/>\n"
                                    "      <target dev='sdb' bus='sata'/>\n"
                                    "      <readonly/>\n"
                                    "    </disk>"));

  /* Windows: disk sda, installer sdb, script sdc (drive E:). */
  lodge_machine_spec_apply_os (spec, lodge_os_database_lookup (db, "win10"), host);
  sata = lodge_domain_builder_build (spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (sata, "<source file='/pool/fedora37-unattended.iso'/>\n"
                                  "      <target dev='sdc' bus='sata'/>"));
}

static void
test_builder_errors (void)
{
  g_autoptr(LodgeMachineSpec) spec = lodge_machine_spec_new ();
  g_autoptr(GError) error = NULL;
  char *xml;

  lodge_machine_spec_set_cdrom_path (spec, "/x.iso");
  xml = lodge_domain_builder_build (spec, &error);
  g_assert_null (xml);
  g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME);
  g_clear_error (&error);

  lodge_machine_spec_set_name (spec, "a/b");
  g_assert_null (lodge_domain_builder_build (spec, &error));
  g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME);
  g_clear_error (&error);

  lodge_machine_spec_set_name (spec, "ok");
  lodge_machine_spec_set_cdrom_path (spec, NULL);
  g_assert_null (lodge_domain_builder_build (spec, &error));
  g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  lodge_machine_spec_set_cdrom_path (spec, "/x.iso");
  lodge_machine_spec_set_secure_boot (spec, TRUE);
  g_assert_null (lodge_domain_builder_build (spec, &error));
  g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  lodge_machine_spec_set_firmware (spec, LODGE_SPEC_FIRMWARE_UEFI);
  xml = lodge_domain_builder_build (spec, &error);
  g_assert_no_error (error);
  g_free (xml);
}

static void
test_os_database (void)
{
  LodgeOsDatabase *db = lodge_create_test_get_db ();
  GListModel *list = lodge_os_database_get_os_list (db);
  g_autoptr(LodgeOs) first = NULL;
  g_autoptr(LodgeOs) second = NULL;
  g_autoptr(LodgeOs) third = NULL;
  LodgeOs *fedora;
  guint n_fedora = 0;

  g_assert_true (lodge_os_database_get_loaded (db));
  g_assert_cmpuint (g_list_model_get_n_items (list), >, 500);

  /* The fallbacks come first, in this order. */
  first = g_list_model_get_item (list, 0);
  second = g_list_model_get_item (list, 1);
  third = g_list_model_get_item (list, 2);
  g_assert_true (first == lodge_os_database_get_generic_linux (db));
  g_assert_true (second == lodge_os_database_get_generic_windows (db));
  g_assert_true (third == lodge_os_database_get_unknown (db));
  g_assert_true (lodge_os_get_generic (first));
  g_assert_true (lodge_os_is_linux (first));
  g_assert_true (lodge_os_is_windows (second));
  g_assert_cmpstr (lodge_os_get_id (third), ==, "http://libosinfo.org/unknown");

  fedora = lodge_os_database_lookup (db, "fedora37");
  g_assert_nonnull (fedora);
  g_assert_true (fedora == lodge_os_database_lookup (db, "http://fedoraproject.org/fedora/37"));
  g_assert_cmpstr (lodge_os_get_name (fedora), ==, "Fedora Linux 37");
  g_assert_cmpstr (lodge_os_get_version (fedora), ==, "37");
  g_assert_cmpstr (lodge_os_get_family (fedora), ==, "linux");
  g_assert_cmpstr (lodge_os_get_vendor (fedora), ==, "Fedora Project");
  g_assert_null (lodge_os_database_lookup (db, "no-such-os"));

  /* Search: every word must match. */
  g_assert_true (lodge_os_matches (fedora, "fedora 37"));
  g_assert_true (lodge_os_matches (fedora, "FEDORA"));
  g_assert_false (lodge_os_matches (fedora, "fedora 36"));
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(LodgeOs) os = g_list_model_get_item (list, i);

      if (lodge_os_matches (os, "fedora 37"))
        n_fedora++;
    }
  g_assert_cmpuint (n_fedora, >=, 1);

  /* Loading again completes at once with the same data. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    guint n = g_list_model_get_n_items (list);

    lodge_os_database_load_async (db, NULL, lodge_create_test_store_cb, &result);
    lodge_create_test_wait (&result, 10);
    g_assert_true (lodge_os_database_load_finish (db, result, NULL));
    g_assert_cmpuint (g_list_model_get_n_items (list), ==, n);
  }
}

static void
test_os_devices (void)
{
  LodgeOsDatabase *db = lodge_create_test_get_db ();
  LodgeOs *fedora = lodge_os_database_lookup (db, "fedora37");
  LodgeOs *ubuntu = lodge_os_database_lookup (db, "ubuntu22.04");
  LodgeOs *win10 = lodge_os_database_lookup (db, "win10");
  LodgeOs *win11 = lodge_os_database_lookup (db, "win11");
  LodgeOs *unknown = lodge_os_database_get_unknown (db);
  LodgeOs *generic = lodge_os_database_get_generic_linux (db);

  g_assert_cmpint (lodge_os_get_disk_bus (fedora), ==, LODGE_DISK_BUS_VIRTIO);
  g_assert_cmpint (lodge_os_get_net_model (fedora), ==, LODGE_NET_MODEL_VIRTIO);
  g_assert_cmpint (lodge_os_get_video_model (fedora), ==, LODGE_VIDEO_MODEL_VIRTIO);
  /* osinfo-db turns virtio-gpu off for Ubuntu 22.04 on purpose. */
  g_assert_cmpint (lodge_os_get_video_model (ubuntu), ==, LODGE_VIDEO_MODEL_QXL);
  g_assert_cmpint (lodge_os_get_disk_bus (ubuntu), ==, LODGE_DISK_BUS_VIRTIO);
  g_assert_cmpint (lodge_os_get_video_model (generic), ==, LODGE_VIDEO_MODEL_VIRTIO);

  g_assert_cmpint (lodge_os_get_disk_bus (win10), ==, LODGE_DISK_BUS_SATA);
  g_assert_cmpint (lodge_os_get_net_model (win10), ==, LODGE_NET_MODEL_E1000E);
  g_assert_cmpint (lodge_os_get_video_model (win10), ==, LODGE_VIDEO_MODEL_QXL);
  g_assert_false (lodge_os_needs_tpm (win10));
  g_assert_false (lodge_os_requires_uefi (win10));

  g_assert_true (lodge_os_requires_uefi (win11));
  g_assert_true (lodge_os_needs_tpm (win11));
  g_assert_true (lodge_os_needs_secure_boot (win11));
  g_assert_true (lodge_os_supports_uefi (fedora));
  g_assert_false (lodge_os_requires_uefi (fedora));

  g_assert_cmpint (lodge_os_get_disk_bus (unknown), ==, LODGE_DISK_BUS_SATA);
  g_assert_cmpint (lodge_os_get_net_model (unknown), ==, LODGE_NET_MODEL_E1000);
  g_assert_false (lodge_os_supports_uefi (unknown));

  /* Install scripts: debian, fedora and win10 have them, win11 not (20221130). */
  g_assert_true (lodge_os_has_install_script (lodge_os_database_lookup (db, "debian11")));
  g_assert_true (lodge_os_has_install_script (fedora));
  g_assert_true (lodge_os_has_install_script (win10));
  g_assert_false (lodge_os_has_install_script (win11));
  g_assert_false (lodge_os_has_install_script (unknown));
}

static void
test_spec_resources (void)
{
  LodgeOsDatabase *db = lodge_create_test_get_db ();
  LodgeOs *fedora = lodge_os_database_lookup (db, "fedora37");
  LodgeOs *win11 = lodge_os_database_lookup (db, "win11");
  g_autoptr(LodgeHostInfo) big = make_host (LODGE_ACCELERATION_KVM, NULL);
  g_autoptr(LodgeHostInfo) small = make_host (LODGE_ACCELERATION_KVM, NULL);
  g_autoptr(LodgeMachineSpec) spec = lodge_machine_spec_new ();
  g_auto(GStrv) warnings = NULL;
  LodgeOsResources res;

  lodge_os_get_resources (fedora, &res);
  g_assert_cmpuint (res.memory_recommended, ==, 2 * GiB);
  g_assert_cmpuint (res.storage_recommended, ==, 20 * GiB);
  g_assert_cmpuint (res.memory_minimum, ==, 1 * GiB);

  lodge_machine_spec_apply_os (spec, fedora, big);
  g_assert_cmpuint (lodge_machine_spec_get_memory (spec), ==, 2 * GiB);
  g_assert_cmpuint (lodge_machine_spec_get_disk_size (spec), ==, 20 * GiB);
  g_assert_cmpuint (lodge_machine_spec_get_vcpus (spec), >=, 1);
  g_assert_cmpuint (lodge_machine_spec_get_vcpus (spec), <=, 8);
  g_assert_cmpstr (lodge_machine_spec_get_name (spec), ==, "fedora37");
  g_assert_cmpstr (lodge_machine_spec_get_title (spec), ==, "Fedora Linux 37");

  /* A 2 GiB, 1-CPU host: half its memory, one vCPU. */
  small->memory = 2 * GiB;
  small->cpus = 1;
  lodge_machine_spec_apply_os (spec, fedora, small);
  g_assert_cmpuint (lodge_machine_spec_get_memory (spec), ==, 1 * GiB);
  g_assert_cmpuint (lodge_machine_spec_get_vcpus (spec), ==, 1);

  /* Windows 11 needs 4 GiB: on a 6 GiB host it gets its minimum, not half. */
  small->memory = 6 * GiB;
  lodge_machine_spec_apply_os (spec, win11, small);
  g_assert_cmpuint (lodge_machine_spec_get_memory (spec), ==, 4 * GiB);
  g_assert_cmpint (lodge_machine_spec_get_firmware (spec), ==, LODGE_SPEC_FIRMWARE_UEFI);
  g_assert_true (lodge_machine_spec_get_secure_boot (spec));
  g_assert_true (lodge_machine_spec_get_tpm (spec));

  /* Memory beyond the host's: a warning. */
  warnings = lodge_machine_spec_get_warnings (spec, small);
  g_assert_cmpuint (g_strv_length (warnings), ==, 0);
  g_clear_pointer (&warnings, g_strfreev);
  lodge_machine_spec_set_memory (spec, 8 * GiB);
  warnings = lodge_machine_spec_get_warnings (spec, small);
  g_assert_cmpuint (g_strv_length (warnings), ==, 1);
  g_assert_nonnull (strstr (warnings[0], "memory"));
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static void
test_spec_notify (void)
{
  g_autoptr(LodgeMachineSpec) spec = lodge_machine_spec_new ();
  guint count = 0;

  g_signal_connect_swapped (spec, "notify", G_CALLBACK (count_cb), &count);

  lodge_machine_spec_set_memory (spec, 3 * GiB);
  lodge_machine_spec_set_memory (spec, 3 * GiB);
  g_assert_cmpuint (count, ==, 1);
  lodge_machine_spec_set_name (spec, "a");
  lodge_machine_spec_set_name (spec, "a");
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (lodge_machine_spec_get_memory (spec), ==, 3 * GiB);
}

static void
test_names (void)
{
  const char *bad[] = { NULL, "", "   ", "a/b", "/", "tab\there", "line\nbreak", "bell\a", ".", " .. ",
                        "evil\xe2\x80\xae" "gpj.exe", "isolate\xe2\x81\xa6" "x", "mark\xe2\x80\x8f", NULL };
  g_autofree char *long_name = g_strnfill (201, 'x');
  g_autofree char *longest = g_strnfill (200, 'x');
  const char *good[] = { "fedora37", "My Machine", "Tom & Jerry's <box>", "réseau-été", NULL };

  for (guint i = 1; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (lodge_create_check_name_syntax (bad[i], &error));
      g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME);
      g_assert_nonnull (error->message);
    }
  g_assert_false (lodge_create_check_name_syntax (NULL, NULL));
  g_assert_false (lodge_create_check_name_syntax (long_name, NULL));
  g_assert_true (lodge_create_check_name_syntax (longest, NULL));
  /* Dots inside a name, and joiners inside emoji, are fine. */
  g_assert_true (lodge_create_check_name_syntax ("...", NULL));
  g_assert_true (lodge_create_check_name_syntax ("dev \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", NULL));
  for (guint i = 0; good[i] != NULL; i++)
    g_assert_true (lodge_create_check_name_syntax (good[i], NULL));
}

/* The two small records Lodge reads back: what they may resume or
 * remove, and nothing from bytes of another shape. */
static void
test_record_parsers (void)
{
  const char *uri = "https://example.org/os.iso";
  const char *good = "[download]\nuri=https://example.org/os.iso\netag=\"abc\"\n";
  const char *modified = "[download]\nuri=https://example.org/os.iso\nlast-modified=Tue, 1 Dec 2026\n";
  const char *other = "[download]\nuri=https://example.org/other.iso\netag=x\n";
  const char *no_validator = "[download]\nuri=https://example.org/os.iso\n";
  const char *split_header = "[download]\nuri=https://example.org/os.iso\netag=a\\r\\nX-Evil: 1\n";
  g_autofree char *v1 = lodge_download_sidecar_parse (good, strlen (good), uri);
  g_autofree char *v2 = lodge_download_sidecar_parse (modified, strlen (modified), uri);
  const char *record =
    "[qemu:///system]\n"
    "domains=6f1b2c3d-1234-4abc-8def-0123456789ab;not-a-uuid;../../etc;\n"
    "volumes=lodge/a.qcow2;/abs;lodge/;noslash;lodge/../x/y;\n"
    "[qemu:///session]\n"
    "domains=11111111-2222-3333-4444-555555555555;\n";
  g_auto(GStrv) domains = NULL;
  g_auto(GStrv) volumes = NULL;

  g_assert_cmpstr (v1, ==, "\"abc\"");
  g_assert_cmpstr (v2, ==, "Tue, 1 Dec 2026");
  g_assert_null (lodge_download_sidecar_parse (other, strlen (other), uri));
  g_assert_null (lodge_download_sidecar_parse (no_validator, strlen (no_validator), uri));
  g_assert_null (lodge_download_sidecar_parse (split_header, strlen (split_header), uri));
  g_assert_null (lodge_download_sidecar_parse ("\xff\xfe[", 3, uri));
  g_assert_null (lodge_download_sidecar_parse (NULL, 0, uri));

  lodge_pending_cleanup_parse (record, strlen (record), "qemu:///system", &domains, &volumes);
  g_assert_cmpuint (g_strv_length (domains), ==, 1);
  g_assert_cmpstr (domains[0], ==, "6f1b2c3d-1234-4abc-8def-0123456789ab");
  g_assert_cmpuint (g_strv_length (volumes), ==, 1);
  g_assert_cmpstr (volumes[0], ==, "lodge/a.qcow2");
  g_clear_pointer (&domains, g_strfreev);
  g_clear_pointer (&volumes, g_strfreev);

  lodge_pending_cleanup_parse ("garbage\x01", 8, "qemu:///system", &domains, &volumes);
  g_assert_cmpuint (g_strv_length (domains), ==, 0);
  g_assert_cmpuint (g_strv_length (volumes), ==, 0);
}

static char *
read_model_data (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("LODGE_MODEL_DATA_DIR"), name, NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* The host info is a view over the host's capabilities: the figures,
 * the domain capabilities of the acceleration chosen, locality and the
 * network from the URI. */
static void
test_host_info_from_capabilities (void)
{
  g_autofree char *kvm_xml = read_model_data ("domcaps-q35-kvm.xml");
  g_autofree char *qemu_xml = read_model_data ("domcaps-q35-qemu.xml");
  g_autofree char *dir = g_dir_make_tmp ("lodge-host-info-XXXXXX", NULL);
  g_autofree char *kvm = g_build_filename (dir, "kvm", NULL);
  g_autofree char *cpuinfo = g_build_filename (dir, "cpuinfo", NULL);
  g_autoptr(LodgeHostCapabilities) both =
    lodge_host_capabilities_new_for_test ("lab", "x86_64", 16 * GiB, 8, kvm_xml, qemu_xml);
  g_autoptr(LodgeHostCapabilities) tcg_only =
    lodge_host_capabilities_new_for_test ("lab", "x86_64", 16 * GiB, 8, NULL, qemu_xml);
  g_autoptr(LodgeHostCapabilities) test_driver =
    lodge_host_capabilities_new_for_test ("test", "i686", 8 * GiB, 16, NULL, NULL);
  g_autoptr(LodgeUri) system = lodge_uri_parse ("qemu:///system", NULL);
  g_autoptr(LodgeUri) session = lodge_uri_parse ("qemu:///session", NULL);
  g_autoptr(LodgeUri) remote = lodge_uri_parse ("qemu+ssh://root@localhost/system", NULL);
  g_autoptr(LodgeUri) test = lodge_uri_parse ("test:///default", NULL);
  g_autofree char *force = g_strdup (g_getenv ("LODGE_FORCE_EMULATION"));

  g_unsetenv ("LODGE_FORCE_EMULATION");
  g_file_set_contents (kvm, "", 0, NULL);
  g_file_set_contents (cpuinfo, "processor\t: 0\nflags\t\t: fpu vmx\n", -1, NULL);

  {
    g_autoptr(LodgeHostInfo) info =
      lodge_host_info_new_for_capabilities (both, system, FALSE, kvm, dir, cpuinfo);

    g_assert_cmpuint (info->memory, ==, 16 * GiB);
    g_assert_cmpuint (info->cpus, ==, 8);
    g_assert_cmpint (info->acceleration, ==, LODGE_ACCELERATION_KVM);
    g_assert_cmpint (info->acceleration_reason, ==, LODGE_ACCELERATION_REASON_NONE);
    g_assert_cmpstr (info->emulator, ==, "/usr/bin/qemu-system-x86_64");
    g_assert_cmpstr (info->arch, ==, "x86_64");
    g_assert_cmpstr (info->machine, ==, "q35");
    g_assert_true (info->uefi && info->secure_boot && info->tpm);
    g_assert_true (info->local);
    g_assert_false (info->session);
  }
  /* The user's choice: QEMU's own emulation, its capabilities. */
  {
    g_autoptr(LodgeHostInfo) info =
      lodge_host_info_new_for_capabilities (both, system, TRUE, kvm, dir, cpuinfo);

    g_assert_cmpint (info->acceleration, ==, LODGE_ACCELERATION_QEMU);
    g_assert_cmpint (info->acceleration_reason, ==, LODGE_ACCELERATION_REASON_FORCED);
    g_assert_true (info->uefi);
  }
  /* The hypervisor offers no KVM. */
  {
    g_autoptr(LodgeHostInfo) info =
      lodge_host_info_new_for_capabilities (tcg_only, system, FALSE, kvm, dir, cpuinfo);

    g_assert_cmpint (info->acceleration, ==, LODGE_ACCELERATION_QEMU);
    g_assert_cmpint (info->acceleration_reason, ==, LODGE_ACCELERATION_REASON_NOT_OFFERED);
    g_assert_cmpstr (info->emulator, ==, "/usr/bin/qemu-system-x86_64");
  }
  /* Over SSH, even to localhost: this computer's /dev/kvm says nothing
   * (a missing one here would otherwise refuse KVM). */
  {
    g_autofree char *missing = g_build_filename (dir, "no-kvm", NULL);
    g_autoptr(LodgeHostInfo) info =
      lodge_host_info_new_for_capabilities (both, remote, FALSE, missing, dir, cpuinfo);

    g_assert_false (info->local);
    g_assert_cmpint (info->acceleration, ==, LODGE_ACCELERATION_KVM);
  }
  /* A session: user-mode networking, whatever the host has. */
  {
    g_autoptr(LodgeHostInfo) info =
      lodge_host_info_new_for_capabilities (both, session, FALSE, kvm, dir, cpuinfo);

    g_assert_true (info->session);
    g_assert_null (info->network);
  }
  /* The test driver: no domain capabilities, nothing known of firmware;
   * its i686 is no choice of guest arch. */
  {
    g_autoptr(LodgeHostInfo) info =
      lodge_host_info_new_for_capabilities (test_driver, test, FALSE, kvm, dir, cpuinfo);

    g_assert_true (info->local);
    g_assert_cmpstr (info->arch, ==, "x86_64");
    g_assert_cmpuint (info->cpus, ==, 16);
    g_assert_cmpint (info->acceleration, ==, LODGE_ACCELERATION_KVM);
    g_assert_null (info->emulator);
    g_assert_false (info->uefi);
  }

  if (force != NULL)
    g_setenv ("LODGE_FORCE_EMULATION", force, TRUE);
  g_remove (kvm);
  g_remove (cpuinfo);
  g_rmdir (dir);
}

/* The acceleration decision with fake /dev/kvm, /sys/module and cpuinfo. */
static void
test_acceleration (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lodge-accel-XXXXXX", NULL);
  g_autofree char *kvm = g_build_filename (dir, "kvm", NULL);
  g_autofree char *modules = g_build_filename (dir, "module", NULL);
  g_autofree char *pvm = g_build_filename (modules, "kvm_pvm", NULL);
  g_autofree char *cpu_vmx = g_build_filename (dir, "cpuinfo-vmx", NULL);
  g_autofree char *cpu_none = g_build_filename (dir, "cpuinfo-none", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-kvm", NULL);
  LodgeAccelerationReason reason;

  g_unsetenv ("LODGE_FORCE_EMULATION");
  g_mkdir_with_parents (modules, 0755);
  g_file_set_contents (kvm, "", 0, NULL);
  g_file_set_contents (cpu_vmx, "processor\t: 0\nflags\t\t: fpu vme vmx sse2\n", -1, NULL);
  g_file_set_contents (cpu_none, "processor\t: 0\nflags\t\t: fpu vme sse2 hypervisor\n", -1, NULL);

  g_assert_cmpint (lodge_acceleration_probe_full (FALSE, kvm, modules, cpu_vmx, -1, &reason),
                   ==, LODGE_ACCELERATION_KVM);
  g_assert_cmpint (reason, ==, LODGE_ACCELERATION_REASON_NONE);

  g_assert_cmpint (lodge_acceleration_probe_full (TRUE, kvm, modules, cpu_vmx, 1, &reason),
                   ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (reason, ==, LODGE_ACCELERATION_REASON_FORCED);

  g_setenv ("LODGE_FORCE_EMULATION", "1", TRUE);
  g_assert_cmpint (lodge_acceleration_probe_full (FALSE, kvm, modules, cpu_vmx, 1, &reason),
                   ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (reason, ==, LODGE_ACCELERATION_REASON_FORCED);
  g_unsetenv ("LODGE_FORCE_EMULATION");

  g_assert_cmpint (lodge_acceleration_probe_full (FALSE, missing, modules, cpu_vmx, -1, &reason),
                   ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (reason, ==, LODGE_ACCELERATION_REASON_NO_DEVICE);

  g_assert_cmpint (lodge_acceleration_probe_full (FALSE, kvm, modules, cpu_vmx, 0, &reason),
                   ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (reason, ==, LODGE_ACCELERATION_REASON_NOT_OFFERED);

  g_assert_cmpint (lodge_acceleration_probe_full (FALSE, kvm, modules, cpu_none, -1, &reason),
                   ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (reason, ==, LODGE_ACCELERATION_REASON_UNUSABLE);

  g_mkdir (pvm, 0755);
  g_assert_cmpint (lodge_acceleration_probe_full (FALSE, kvm, modules, cpu_vmx, 1, &reason),
                   ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (reason, ==, LODGE_ACCELERATION_REASON_UNUSABLE);

  /* A /dev/kvm that cannot be opened for writing (a directory here; a
   * chmod would not stop root). */
  g_remove (kvm);
  g_mkdir (kvm, 0755);
  g_assert_cmpint (lodge_acceleration_probe_full (FALSE, kvm, modules, cpu_vmx, 1, &reason),
                   ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (reason, ==, LODGE_ACCELERATION_REASON_NO_PERMISSION);
  g_assert_nonnull (lodge_acceleration_reason_to_string (reason));
  g_assert_null (lodge_acceleration_reason_to_string (LODGE_ACCELERATION_REASON_NONE));

  /* This machine: /dev/kvm is kvm_pvm (ENVIRONMENT.md), never KVM. */
  if (g_file_test ("/sys/module/kvm_pvm", G_FILE_TEST_IS_DIR))
    g_assert_cmpint (lodge_acceleration_probe (FALSE, NULL), ==, LODGE_ACCELERATION_QEMU);

  g_rmdir (kvm);
  g_rmdir (pvm);
  g_rmdir (modules);
  g_remove (cpu_vmx);
  g_remove (cpu_none);
  g_rmdir (dir);
}

static LodgeExpressScript *
generate_script (const char           *short_id,
                 LodgeExpressSettings *settings,
                 GError              **error)
{
  LodgeOs *os = lodge_os_database_lookup (lodge_create_test_get_db (), short_id);
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_nonnull (os);
  lodge_express_generate_async (os, settings, lodge_os_get_disk_bus (os), NULL, NULL,
                                lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  return lodge_express_generate_finish (result, error);
}

static void
test_express (void)
{
  g_autoptr(LodgeExpressSettings) host = lodge_express_settings_new_from_host ();
  g_autoptr(LodgeExpressSettings) settings = NULL;
  const struct {
    const char *os;
    const char *filename;
    LodgeExpressInjection injection;
    const char *target;
  } cases[] = {
    { "fedora37", "fedora.ks", LODGE_EXPRESS_INJECTION_CDROM, "vda" },
    { "debian11", "preseed.cfg", LODGE_EXPRESS_INJECTION_INITRD, "/dev/vda" },
    { "win10", "autounattend.xml", LODGE_EXPRESS_INJECTION_CDROM, NULL },
  };

  /* From this computer: never root, always a time zone, keyboard, language. */
  g_assert_nonnull (host->user_login);
  g_assert_cmpstr (host->user_login, !=, "root");
  g_assert_nonnull (host->user_realname);
  g_assert_nonnull (host->timezone);
  g_assert_nonnull (host->keyboard);
  g_assert_nonnull (host->language);
  g_assert_null (host->user_password);

  settings = lodge_express_settings_copy (host);
  g_free (settings->user_login);
  settings->user_login = g_strdup ("lodgeuser");
  g_free (settings->user_realname);
  settings->user_realname = g_strdup ("Lodge User");
  settings->user_password = g_strdup ("s3cret-Pass");
  settings->hostname = g_strdup ("lodge-guest");
  g_free (settings->timezone);
  settings->timezone = g_strdup ("Europe/Paris");
  g_free (settings->keyboard);
  settings->keyboard = g_strdup ("fr");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LodgeExpressScript) script = NULL;
      g_autoptr(GError) error = NULL;

      script = generate_script (cases[i].os, settings, &error);
      g_assert_no_error (error);
      g_assert_nonnull (script);
      g_assert_cmpstr (script->filename, ==, cases[i].filename);
      g_assert_true (script->injection & cases[i].injection);
      g_assert_nonnull (strstr (script->content, "lodgeuser"));
      g_assert_nonnull (strstr (script->content, "lodge-guest"));
      if (!g_str_equal (cases[i].os, "win10"))
        g_assert_nonnull (strstr (script->content, "Europe/Paris"));
      if (cases[i].target != NULL)
        g_assert_nonnull (strstr (script->content, cases[i].target));
      g_assert_cmpuint (g_strv_length (script->extra_filenames), ==,
                        g_strv_length (script->extra_contents));
      /* Windows Setup calls a helper script that goes along. */
      if (g_str_equal (cases[i].os, "win10"))
        g_assert_true (g_strv_contains ((const char * const *)script->extra_filenames, "windows.cmd"));
    }

  /* Debian and Ubuntu: initrd injection, with the installer's kernel and
   * initrd named by libosinfo's media and the script's kernel arguments. */
  {
    LodgeOsDatabase *db = lodge_create_test_get_db ();
    LodgeOs *debian = lodge_os_database_lookup (db, "debian11");
    LodgeOs *ubuntu = lodge_os_database_lookup (db, "ubuntu22.04");
    g_auto(GStrv) profiles = lodge_express_get_profiles (debian);
    g_autoptr(LodgeExpressScript) script = NULL;
    g_autoptr(LodgeExpressScript) copy = NULL;
    g_autoptr(LodgeExpressScript) uscript = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (g_strv_length (profiles), ==, 2);
    g_assert_cmpstr (profiles[0], ==, "desktop");
    g_assert_cmpstr (profiles[1], ==, "jeos");
    g_assert_cmpint (lodge_express_get_injection_methods (debian, "jeos"), ==, LODGE_EXPRESS_INJECTION_INITRD);
    g_assert_cmpint (lodge_express_choose_injection (LODGE_EXPRESS_INJECTION_INITRD |
                                                     LODGE_EXPRESS_INJECTION_CDROM),
                     ==, LODGE_EXPRESS_INJECTION_CDROM);
    g_assert_cmpint (lodge_express_choose_injection (LODGE_EXPRESS_INJECTION_WEB), ==, 0);
    g_assert_true (lodge_express_is_supported (debian));
    g_assert_true (lodge_express_is_supported (ubuntu));
    g_assert_true (lodge_express_is_supported (lodge_os_database_lookup (db, "fedora37")));
    g_assert_false (lodge_express_is_supported (lodge_os_database_lookup (db, "win11")));

    script = generate_script ("debian11", settings, &error);
    g_assert_no_error (error);
    g_assert_cmpint (script->injection, ==, LODGE_EXPRESS_INJECTION_INITRD);
    g_assert_cmpstr (script->profile, ==, "desktop");
    g_assert_cmpstr (script->command_line, ==, "keyboard-configuration/xkb-keymap=fr debconf/priority=critical");
    g_assert_true (g_strv_contains ((const char * const *)script->kernel_paths, "install.amd/vmlinuz"));
    g_assert_cmpuint (g_strv_length (script->kernel_paths), ==, g_strv_length (script->initrd_paths));
    g_assert_cmpstr (script->initrd_paths[0], ==, "install.amd/initrd.gz");
    copy = lodge_express_script_copy (script);
    g_assert_cmpstr (copy->command_line, ==, script->command_line);
    g_assert_true (g_strv_equal ((const char * const *)copy->initrd_paths,
                                 (const char * const *)script->initrd_paths));

    /* Ubuntu 22.04: only the desktop media takes a script (casper). */
    uscript = generate_script ("ubuntu22.04", settings, &error);
    g_assert_no_error (error);
    g_assert_cmpint (uscript->injection, ==, LODGE_EXPRESS_INJECTION_INITRD);
    g_assert_cmpstr (uscript->filename, ==, "preseed.cfg");
    g_assert_nonnull (strstr (uscript->command_line, "file=/preseed.cfg"));
    g_assert_nonnull (strstr (uscript->command_line, "hostname=lodge-guest"));
    g_assert_cmpstr (uscript->kernel_paths[0], ==, "casper/vmlinuz");
    g_assert_null (uscript->kernel_paths[1]);
  }

  /* No script in osinfo-db 20221130 for Windows 11, nor for unknown OSes. */
  {
    g_autoptr(LodgeExpressScript) script = NULL;
    g_autoptr(GError) error = NULL;

    script = generate_script ("win11", settings, &error);
    g_assert_null (script);
    g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_FOUND);
  }
}

/* Runs argv with stdin_data on its standard input; returns its output. */
static GBytes *
run_filter (const char * const *argv,
            GBytes             *stdin_data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, stdin_data, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return g_steal_pointer (&out);
}

static char *
bytes_to_string (GBytes *bytes)
{
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* The preseed goes into the installer's initrd as one more cpio archive;
 * cpio(1) reads what Lodge writes. */
static void
test_install_initrd (void)
{
  const char *preseed = "d-i passwd/user-password password s3cret\n";
  const char *zcat[] = { "gzip", "-dc", NULL };
  const char *list[] = { "cpio", "-it", "--quiet", NULL };
  const char *extract[] = { "cpio", "-i", "--quiet", "--to-stdout", "preseed.cfg", NULL };
  const char *verbose[] = { "cpio", "-itv", "--quiet", NULL };
  g_autofree char *cpio_path = g_find_program_in_path ("cpio");
  g_autoptr(GBytes) archive = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) names = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GBytes) listing = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GBytes) initrd = NULL;
  g_autoptr(GBytes) tail = NULL;
  g_autoptr(GBytes) tail_plain = NULL;
  g_autoptr(GBytes) tail_contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names_str = NULL;
  g_autofree char *contents_str = NULL;
  g_autofree char *listing_str = NULL;
  gsize offset;

  if (cpio_path == NULL)
    {
      if (g_strcmp0 (g_getenv ("LODGE_TEST_NO_SKIP"), "1") == 0)
        g_error ("cpio is missing");
      g_test_skip ("cpio is missing");
      return;
    }

  archive = lodge_install_boot_make_cpio ("preseed.cfg", preseed, strlen (preseed), &error);
  g_assert_no_error (error);
  plain = run_filter (zcat, archive);
  names = run_filter (list, plain);
  names_str = bytes_to_string (names);
  g_assert_cmpstr (names_str, ==, "preseed.cfg\n");
  contents = run_filter (extract, plain);
  contents_str = bytes_to_string (contents);
  g_assert_cmpstr (contents_str, ==, preseed);
  /* Root's alone. */
  listing = run_filter (verbose, plain);
  listing_str = bytes_to_string (listing);
  g_assert_true (g_str_has_prefix (listing_str, "-rw-------"));

  /* Appended to an initrd of 5 bytes: the original first, zeros to a
   * multiple of 4, then the archive. */
  original = g_bytes_new_static ("ABCDE", 5);
  initrd = lodge_install_boot_append_file (original, "preseed.cfg", preseed, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (initrd, NULL), 5, "ABCDE", 5);
  g_assert_cmpmem ((const char *)g_bytes_get_data (initrd, NULL) + 5, 3, "\0\0\0", 3);
  offset = 8;
  tail = g_bytes_new_from_bytes (initrd, offset, g_bytes_get_size (initrd) - offset);
  tail_plain = run_filter (zcat, tail);
  tail_contents = run_filter (extract, tail_plain);
  g_assert_cmpmem (g_bytes_get_data (tail_contents, NULL), g_bytes_get_size (tail_contents),
                   preseed, strlen (preseed));
}

/* The install boot: the installer's kernel, initrd and arguments, and the
 * installer's reboot stops the machine. Without them: none of that. */
static void
test_builder_install_boot (void)
{
  g_autofree char *express = build_case (&golden_cases[7]);
  g_autofree char *plain = build_case (&golden_cases[1]);

  g_assert_nonnull (strstr (express, "<kernel>/var/lib/libvirt/images/lodge/debian12-install-vmlinuz</kernel>"));
  g_assert_nonnull (strstr (express, "<initrd>/var/lib/libvirt/images/lodge/debian12-install-initrd.img</initrd>"));
  g_assert_nonnull (strstr (express, "<cmdline>keyboard-configuration/xkb-keymap=us debconf/priority=critical</cmdline>"));
  g_assert_nonnull (strstr (express, "<on_reboot>destroy</on_reboot>"));
  g_assert_null (strstr (plain, "<kernel>"));
  g_assert_nonnull (strstr (plain, "<on_reboot>restart</on_reboot>"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (golden_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/create/builder/golden/%s", golden_cases[i].golden);
      g_autofree char *vname = g_strdup_printf ("/create/builder/validate/%s", golden_cases[i].golden);

      g_test_add_data_func (name, &golden_cases[i], test_golden);
      g_test_add_data_func (vname, &golden_cases[i], test_golden_validate);
    }
  g_test_add_func ("/create/builder/rules", test_builder_rules);
  g_test_add_func ("/create/builder/errors", test_builder_errors);
  g_test_add_func ("/create/builder/unattended", test_builder_unattended);
  g_test_add_func ("/create/os/database", test_os_database);
  g_test_add_func ("/create/os/devices", test_os_devices);
  g_test_add_func ("/create/spec/resources", test_spec_resources);
  g_test_add_func ("/create/spec/notify", test_spec_notify);
  g_test_add_func ("/create/names", test_names);
  g_test_add_func ("/create/record-parsers", test_record_parsers);
  g_test_add_func ("/create/acceleration", test_acceleration);
  g_test_add_func ("/create/host-info/from-capabilities", test_host_info_from_capabilities);
  g_test_add_func ("/create/express", test_express);
  g_test_add_func ("/create/express/install-initrd", test_install_initrd);
  g_test_add_func ("/create/builder/install-boot", test_builder_install_boot);

  return g_test_run ();
}
