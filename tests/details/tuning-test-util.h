/* tuning-test-util.h: the small busy guest of the tuning tests, and where
 * its cgroups are
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One guest per test program: 160 MiB, 1 of 2 vCPUs (one to hot-plug), a
 * raw disk vda to throttle, a tap (type ethernet, managed by libvirt) to
 * shape and a user-mode card that cannot be; its kernel keeps its vCPU
 * busy (make-guest.sh's lodge.mode=busy). Named lodge-test-PID-tuning and
 * removed at the end, also when a test aborts.
 */
#pragma once

#include <fcntl.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/lodge-test.h"

#define URI      "qemu:///system"
#define BOOT_MS  120000
#define NIC_MAC  "52:54:00:7e:11:01"
#define USER_MAC "52:54:00:7e:11:02"

static virConnectPtr conn;
static char *name;
static char *uuid;
static char *work_dir;
static char *serial_log;
static char *tap;

typedef gboolean (*CheckFunc) (gpointer data);

static gboolean
wait_until (CheckFunc check,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!check (data))
    {
      if (g_get_monotonic_time () > end)
        return check (data);
      g_usleep (50 * 1000);
    }
  return TRUE;
}

static gboolean
serial_says_ready (gpointer data)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (serial_log, &text, NULL, NULL) && strstr (text, "LODGE-GUEST-READY") != NULL;
}

/* The guest's cgroups */

typedef struct
{
  gboolean v2;       /* the controller lives on the cgroup2 hierarchy */
  char    *dir;      /* the machine's directory (not its emulator/ child) */
} Cgroup;

static void
cgroup_clear (Cgroup *cg)
{
  g_clear_pointer (&cg->dir, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cgroup, cgroup_clear)

static char *
cgroup2_mount (void)
{
  g_autofree char *mounts = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mounts", &mounts, NULL, NULL));
  lines = g_strsplit (mounts, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 4);

      if (g_strv_length (fields) >= 3 && g_str_equal (fields[2], "cgroup2"))
        return g_strdup (fields[1]);
    }
  return NULL;
}

static int
qemu_pid (void)
{
  g_autofree char *path = g_strdup_printf ("/run/libvirt/qemu/%s.pid", name);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return atoi (text);
}

/* Where libvirt put the machine for this controller ("cpu", "memory"):
 * the v1 hierarchy that has it, else the unified one. */
static void
cgroup_find (const char *controller,
             Cgroup     *out)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cgroup", qemu_pid ());
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  char *v2_path = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  out->dir = NULL;
  for (guint i = 0; lines[i] != NULL && out->dir == NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ":", 3);
      g_auto(GStrv) controllers = NULL;

      if (g_strv_length (fields) != 3)
        continue;
      if (fields[1][0] == '\0')
        {
          v2_path = g_strdup (fields[2]);
          continue;
        }
      controllers = g_strsplit (fields[1], ",", -1);
      if (g_strv_contains ((const char * const *) controllers, controller) && !g_str_equal (fields[2], "/"))
        out->dir = g_build_filename ("/sys/fs/cgroup", fields[1], fields[2], NULL);
    }
  out->v2 = out->dir == NULL;
  if (out->v2)
    {
      g_autofree char *mount = cgroup2_mount ();

      g_assert_nonnull (mount);
      g_assert_nonnull (v2_path);
      out->dir = g_build_filename (mount, v2_path, NULL);
    }
  g_free (v2_path);

  /* QEMU's main thread sits in emulator/; the limits are on its parent. */
  if (g_str_has_suffix (out->dir, "/emulator"))
    out->dir[strlen (out->dir) - strlen ("/emulator")] = '\0';
  g_test_message ("%s controller: %s (%s)", controller, out->dir, out->v2 ? "cgroup v2" : "cgroup v1");
}

static char *
cgroup_read (Cgroup     *cg,
             const char *file)
{
  g_autofree char *path = g_build_filename (cg->dir, file, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return g_strstrip (text);
}

static guint64
cgroup_read_number (Cgroup     *cg,
                    const char *file)
{
  g_autofree char *text = cgroup_read (cg, file);

  if (g_str_equal (text, "max"))
    return G_MAXUINT64;
  return g_ascii_strtoull (text, NULL, 10);
}

static void
remove_guest (void)
{
  virDomainPtr dom;

  if (conn == NULL || name == NULL)
    return;
  dom = virDomainLookupByName (conn, name);
  if (dom != NULL)
    {
      if (virDomainIsActive (dom) == 1)
        virDomainDestroy (dom);
      virDomainUndefine (dom);
      virDomainFree (dom);
    }
  virResetLastError ();
}

static void
remove_files (void)
{
  g_autofree char *disk = NULL;

  if (work_dir == NULL)
    return;
  disk = g_build_filename (work_dir, "disk.raw", NULL);
  g_unlink (disk);
  g_unlink (serial_log);
  g_rmdir (work_dir);
}

static void
on_abort (int sig)
{
  remove_guest ();
  remove_files ();
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
start_guest (const char *guest_dir)
{
  g_autofree char *disk = g_build_filename (work_dir, "disk.raw", NULL);
  g_autofree char *xml = NULL;
  virDomainPtr dom;
  char buf[VIR_UUID_STRING_BUFLEN];
  int fd;

  fd = g_open (disk, O_CREAT | O_WRONLY, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 16 << 20), ==, 0);
  close (fd);

  /* 1 of 2 vCPUs (one to hot-plug), a disk to throttle, a tap to shape
   * and a user-mode card that cannot be. */
  xml = g_strdup_printf (
    "<domain type='qemu'>"
    "  <name>%s</name>"
    "  <memory unit='MiB'>160</memory>"
    "  <vcpu current='1'>2</vcpu>"
    "  <os><type arch='x86_64' machine='pc'>hvm</type>"
    "    <kernel>%s/vmlinuz</kernel><initrd>%s/initrd.img</initrd>"
    "    <cmdline>console=ttyS0 quiet lodge.mode=busy</cmdline></os>"
    "  <features><acpi/></features>"
    "  <devices>"
    "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
    "      <source file='%s'/><target dev='vda' bus='virtio'/></disk>"
    "    <interface type='ethernet'><mac address='" NIC_MAC "'/>"
    "      <target dev='%s' managed='yes'/><model type='virtio'/></interface>"
    "    <interface type='user'><mac address='" USER_MAC "'/><model type='virtio'/></interface>"
    "    <serial type='pty'><log file='%s' append='off'/></serial>"
    "    <memballoon model='virtio'/>"
    "  </devices>"
    "</domain>", name, guest_dir, guest_dir, disk, tap, serial_log);
  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    g_error ("could not define the guest: %s", virGetLastErrorMessage ());
  if (virDomainCreate (dom) < 0)
    g_error ("could not start the guest: %s", virGetLastErrorMessage ());
  g_assert_cmpint (virDomainGetUUIDString (dom, buf), ==, 0);
  uuid = g_strdup (buf);
  virDomainFree (dom);
  g_assert_true (wait_until (serial_says_ready, NULL, BOOT_MS));
}

/* Checks the preconditions (skips when one is missing), builds the guest
 * once and starts it; returns when it says it is ready. */
static void
tuning_test_start_guest (void)
{
  const char *start = g_getenv ("LODGE_START_LIBVIRTD");
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");

  if (getuid () != 0)
    lodge_test_skip_all ("needs root for qemu:///system and the cgroup files");
  if (g_find_program_in_path ("tc") == NULL)
    lodge_test_skip_all ("needs tc (iproute2)");
  g_assert_nonnull (start);
  g_assert_nonnull (make_guest);
  g_assert_nonnull (guest_dir);
  if (!lodge_test_run ("start-libvirtd", (char *[]) { (char *) start, "start", NULL }))
    lodge_test_skip_all ("no libvirtd");
  if (!lodge_test_run ("make-guest", (char *[]) { (char *) make_guest, (char *) guest_dir, NULL }))
    lodge_test_skip_all ("could not build the test guest");

  conn = virConnectOpen (URI);
  if (conn == NULL)
    lodge_test_skip_all ("no libvirt daemon answers at " URI);

  name = g_strdup_printf ("lodge-test-%d-tuning", (int) getpid ());
  tap = g_strdup_printf ("ltt%d", (int) getpid () % 1000000);
  work_dir = g_build_filename ("/var/tmp", "lodge-test-tuning-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp_full (work_dir, 0755));
  serial_log = g_build_filename (work_dir, "serial.log", NULL);
  signal (SIGABRT, on_abort);
  signal (SIGTRAP, on_abort);

  start_guest (guest_dir);
}

static void
tuning_test_stop_guest (void)
{
  remove_guest ();
  remove_files ();
  virConnectClose (conn);
}
