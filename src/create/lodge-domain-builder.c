/* lodge-domain-builder.c: a machine spec in, libvirt domain XML out
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <stdarg.h>

#include <glib/gi18n-lib.h>

#include "create/lodge-domain-builder.h"
#include "create/lodge-create-private.h"
#include "create/lodge-machine-spec.h"

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

/* A tiny indenting writer: every attribute value and text is escaped. */
typedef struct
{
  GString *out;
  guint    depth;
} Writer;

static void
indent (Writer *w)
{
  for (guint i = 0; i < w->depth; i++)
    g_string_append (w->out, "  ");
}

/* attrs: name, value pairs ending with NULL; a NULL value skips the pair. */
static void
append_attrs (Writer  *w,
              va_list  ap)
{
  const char *name;

  while ((name = va_arg (ap, const char *)) != NULL)
    {
      const char *value = va_arg (ap, const char *);
      g_autofree char *escaped = NULL;

      if (value == NULL)
        continue;
      escaped = g_markup_escape_text (value, -1);
      g_string_append_printf (w->out, " %s='%s'", name, escaped);
    }
}

static void G_GNUC_NULL_TERMINATED
open_elem (Writer     *w,
           const char *elem,
           ...)
{
  va_list ap;

  indent (w);
  g_string_append_printf (w->out, "<%s", elem);
  va_start (ap, elem);
  append_attrs (w, ap);
  va_end (ap);
  g_string_append (w->out, ">\n");
  w->depth++;
}

static void
close_elem (Writer     *w,
            const char *elem)
{
  w->depth--;
  indent (w);
  g_string_append_printf (w->out, "</%s>\n", elem);
}

static void G_GNUC_NULL_TERMINATED
empty_elem (Writer     *w,
            const char *elem,
            ...)
{
  va_list ap;

  indent (w);
  g_string_append_printf (w->out, "<%s", elem);
  va_start (ap, elem);
  append_attrs (w, ap);
  va_end (ap);
  g_string_append (w->out, "/>\n");
}

static void G_GNUC_NULL_TERMINATED
text_elem (Writer     *w,
           const char *elem,
           const char *text,
           ...)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  va_list ap;

  indent (w);
  g_string_append_printf (w->out, "<%s", elem);
  va_start (ap, text);
  append_attrs (w, ap);
  va_end (ap);
  g_string_append_printf (w->out, ">%s</%s>\n", escaped, elem);
}

static const char *
net_model_name (LodgeNetModel model)
{
  switch (model)
    {
    case LODGE_NET_MODEL_VIRTIO: return "virtio";
    case LODGE_NET_MODEL_VIRTIO_TRANSITIONAL: return "virtio-transitional";
    case LODGE_NET_MODEL_E1000E: return "e1000e";
    case LODGE_NET_MODEL_E1000:
    default: return "e1000";
    }
}

static const char *
video_model_name (LodgeVideoModel model)
{
  switch (model)
    {
    case LODGE_VIDEO_MODEL_VIRTIO: return "virtio";
    case LODGE_VIDEO_MODEL_VGA: return "vga";
    case LODGE_VIDEO_MODEL_QXL:
    default: return "qxl";
    }
}

static void
write_disk (Writer           *w,
            LodgeMachineSpec *spec)
{
  const char *path = SPEC_STRING (spec, DISK_PATH);
  LodgeDiskBus bus = SPEC_ENUM (spec, DISK_BUS);
  const char *format = lodge_disk_format_to_string (SPEC_ENUM (spec, DISK_FORMAT));
  gboolean virtio = bus != LODGE_DISK_BUS_SATA;

  open_elem (w, "disk", "type", "file", "device", "disk",
             "model", bus == LODGE_DISK_BUS_VIRTIO_TRANSITIONAL ? "virtio-transitional" : NULL,
             NULL);
  empty_elem (w, "driver", "name", "qemu", "type", format ? format : "qcow2",
              "discard", "unmap", NULL);
  empty_elem (w, "source", "file", path, NULL);
  empty_elem (w, "target", "dev", virtio ? "vda" : "sda", "bus", virtio ? "virtio" : "sata", NULL);
  /* The disk first: a new disk is blank, so the firmware moves on to the
   * CD-ROM; once the OS is installed the machine boots it instead of
   * starting the installer again. */
  empty_elem (w, "boot", "order", "1", NULL);
  close_elem (w, "disk");
}

static void
write_cdrom (Writer           *w,
             LodgeMachineSpec *spec)
{
  const char *path = SPEC_STRING (spec, CDROM_PATH);
  gboolean sata_disk = SPEC_STRING (spec, DISK_PATH) != NULL &&
                       SPEC_ENUM (spec, DISK_BUS) == LODGE_DISK_BUS_SATA;

  open_elem (w, "disk", "type", "file", "device", "cdrom", NULL);
  empty_elem (w, "driver", "name", "qemu", "type", "raw", NULL);
  empty_elem (w, "source", "file", path, NULL);
  /* sda is the disk when it sits on SATA too. */
  empty_elem (w, "target", "dev", sata_disk ? "sdb" : "sda", "bus", "sata", NULL);
  empty_elem (w, "readonly", NULL);
  empty_elem (w, "boot", "order", SPEC_STRING (spec, DISK_PATH) ? "2" : "1", NULL);
  close_elem (w, "disk");
}

/* The small image with the unattended install script: after the disk and
 * the installer, never booted. Windows finds E:\windows.cmd on it. */
static void
write_unattended_cdrom (Writer           *w,
                        LodgeMachineSpec *spec)
{
  guint sata = 0;
  char dev[] = "sda";

  if (SPEC_STRING (spec, DISK_PATH) != NULL && SPEC_ENUM (spec, DISK_BUS) == LODGE_DISK_BUS_SATA)
    sata++;
  if (SPEC_STRING (spec, CDROM_PATH) != NULL)
    sata++;
  dev[2] = (char)('a' + sata);

  open_elem (w, "disk", "type", "file", "device", "cdrom", NULL);
  empty_elem (w, "driver", "name", "qemu", "type", "raw", NULL);
  empty_elem (w, "source", "file", SPEC_STRING (spec, UNATTENDED_PATH), NULL);
  empty_elem (w, "target", "dev", dev, "bus", "sata", NULL);
  empty_elem (w, "readonly", NULL);
  close_elem (w, "disk");
}

static gboolean
check_spec (LodgeMachineSpec  *spec,
            GError           **error)
{
  const char *disk = SPEC_STRING (spec, DISK_PATH);
  const char *cdrom = SPEC_STRING (spec, CDROM_PATH);

  if (!lodge_create_check_name_syntax (SPEC_STRING (spec, NAME), error))
    return FALSE;

  if (SPEC_UINT64 (spec, MEMORY) < (G_GUINT64_CONSTANT (64) << 20))
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                   _("A machine needs at least 64 MiB of memory"));
      return FALSE;
    }

  if (disk == NULL && cdrom == NULL)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                   _("A machine needs a disk or an installation image to start from"));
      return FALSE;
    }

  if (SPEC_BOOL (spec, SECURE_BOOT) && SPEC_ENUM (spec, FIRMWARE) != LODGE_SPEC_FIRMWARE_UEFI)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                   _("Secure Boot needs UEFI firmware"));
      return FALSE;
    }

  return TRUE;
}

char *
lodge_domain_builder_build (LodgeMachineSpec  *spec,
                            GError           **error)
{
  g_autoptr(GString) out = NULL;
  Writer w = { 0 };
  gboolean kvm;
  gboolean uefi;
  gboolean secure_boot;
  gboolean windows;
  const char *title;
  const char *os_id;
  const char *network;
  const char *install_kernel;
  g_autofree char *memory = NULL;
  g_autofree char *vcpus = NULL;

  g_return_val_if_fail (LODGE_IS_MACHINE_SPEC (spec), NULL);

  if (!check_spec (spec, error))
    return NULL;

  kvm = SPEC_ENUM (spec, ACCELERATION) == LODGE_ACCELERATION_KVM;
  uefi = SPEC_ENUM (spec, FIRMWARE) == LODGE_SPEC_FIRMWARE_UEFI;
  secure_boot = uefi && SPEC_BOOL (spec, SECURE_BOOT);
  windows = SPEC_BOOL (spec, WINDOWS);
  title = SPEC_STRING (spec, TITLE);
  os_id = SPEC_STRING (spec, OS_ID);
  network = SPEC_STRING (spec, NETWORK);
  install_kernel = SPEC_STRING (spec, INSTALL_KERNEL);
  memory = g_strdup_printf ("%" G_GUINT64_FORMAT, SPEC_UINT64 (spec, MEMORY) / 1024);
  vcpus = g_strdup_printf ("%u", SPEC_UINT (spec, VCPUS));

  out = g_string_new (NULL);
  w.out = out;

  open_elem (&w, "domain", "type", kvm ? "kvm" : "qemu", NULL);
  text_elem (&w, "name", SPEC_STRING (spec, NAME), NULL);
  if (SPEC_STRING (spec, UUID) != NULL)
    text_elem (&w, "uuid", SPEC_STRING (spec, UUID), NULL);
  if (title != NULL && *title != '\0')
    text_elem (&w, "title", title, NULL);

  open_elem (&w, "metadata", NULL);
  open_elem (&w, "libosinfo:libosinfo", "xmlns:libosinfo", LIBOSINFO_NS, NULL);
  empty_elem (&w, "libosinfo:os", "id", os_id ? os_id : LODGE_OS_ID_UNKNOWN, NULL);
  close_elem (&w, "libosinfo:libosinfo");
  close_elem (&w, "metadata");

  text_elem (&w, "memory", memory, "unit", "KiB", NULL);
  text_elem (&w, "currentMemory", memory, "unit", "KiB", NULL);
  text_elem (&w, "vcpu", vcpus, NULL);

  /* Firmware by autoselection: libvirt finds OVMF (and its NVRAM template)
   * from the firmware descriptors, with or without Secure Boot. */
  open_elem (&w, "os", "firmware", uefi ? "efi" : NULL, NULL);
  text_elem (&w, "type", "hvm", "arch", SPEC_STRING (spec, ARCH), "machine", SPEC_STRING (spec, MACHINE),
             NULL);
  /* The install boot of an initrd injection: the installer's own kernel,
   * its initrd with the script inside, the script's arguments. */
  if (install_kernel != NULL)
    {
      text_elem (&w, "kernel", install_kernel, NULL);
      if (SPEC_STRING (spec, INSTALL_INITRD) != NULL)
        text_elem (&w, "initrd", SPEC_STRING (spec, INSTALL_INITRD), NULL);
      if (SPEC_STRING (spec, INSTALL_CMDLINE) != NULL && *SPEC_STRING (spec, INSTALL_CMDLINE) != '\0')
        text_elem (&w, "cmdline", SPEC_STRING (spec, INSTALL_CMDLINE), NULL);
    }
  if (uefi)
    {
      open_elem (&w, "firmware", NULL);
      empty_elem (&w, "feature", "enabled", secure_boot ? "yes" : "no", "name", "enrolled-keys", NULL);
      empty_elem (&w, "feature", "enabled", secure_boot ? "yes" : "no", "name", "secure-boot", NULL);
      close_elem (&w, "firmware");
      if (secure_boot)
        empty_elem (&w, "loader", "secure", "yes", NULL);
    }
  close_elem (&w, "os");

  open_elem (&w, "features", NULL);
  empty_elem (&w, "acpi", NULL);
  empty_elem (&w, "apic", NULL);
  if (windows && kvm)
    {
      open_elem (&w, "hyperv", "mode", "custom", NULL);
      empty_elem (&w, "relaxed", "state", "on", NULL);
      empty_elem (&w, "vapic", "state", "on", NULL);
      empty_elem (&w, "spinlocks", "state", "on", "retries", "8191", NULL);
      close_elem (&w, "hyperv");
    }
  empty_elem (&w, "vmport", "state", "off", NULL);
  if (secure_boot)
    empty_elem (&w, "smm", "state", "on", NULL);
  close_elem (&w, "features");

  /* host-passthrough aborts QEMU under TCG; "maximum" gives TCG every
   * feature it emulates (Windows 11 and x86-64-v2 distributions need some). */
  empty_elem (&w, "cpu", "mode", kvm ? "host-passthrough" : "maximum", "check", "none", NULL);

  open_elem (&w, "clock", "offset", windows ? "localtime" : "utc", NULL);
  empty_elem (&w, "timer", "name", "rtc", "tickpolicy", "catchup", NULL);
  empty_elem (&w, "timer", "name", "pit", "tickpolicy", "delay", NULL);
  empty_elem (&w, "timer", "name", "hpet", "present", "no", NULL);
  if (windows && kvm)
    empty_elem (&w, "timer", "name", "hypervclock", "present", "yes", NULL);
  close_elem (&w, "clock");

  text_elem (&w, "on_poweroff", "destroy", NULL);
  /* When the installer reboots, the install boot ends: the machine stops,
   * and its persistent definition (without the kernel) boots the disk. */
  text_elem (&w, "on_reboot", install_kernel != NULL ? "destroy" : "restart", NULL);
  text_elem (&w, "on_crash", "destroy", NULL);

  open_elem (&w, "pm", NULL);
  empty_elem (&w, "suspend-to-mem", "enabled", "no", NULL);
  empty_elem (&w, "suspend-to-disk", "enabled", "no", NULL);
  close_elem (&w, "pm");

  open_elem (&w, "devices", NULL);
  if (SPEC_STRING (spec, EMULATOR) != NULL)
    text_elem (&w, "emulator", SPEC_STRING (spec, EMULATOR), NULL);
  if (SPEC_STRING (spec, DISK_PATH) != NULL)
    write_disk (&w, spec);
  if (SPEC_STRING (spec, CDROM_PATH) != NULL)
    write_cdrom (&w, spec);
  if (SPEC_STRING (spec, UNATTENDED_PATH) != NULL)
    write_unattended_cdrom (&w, spec);

  empty_elem (&w, "controller", "type", "usb", "model", "qemu-xhci", "ports", "15", NULL);
  empty_elem (&w, "controller", "type", "virtio-serial", NULL);

  if (network != NULL)
    {
      open_elem (&w, "interface", "type", "network", NULL);
      empty_elem (&w, "source", "network", network, NULL);
    }
  else
    open_elem (&w, "interface", "type", "user", NULL);
  empty_elem (&w, "model", "type", net_model_name (SPEC_ENUM (spec, NET_MODEL)), NULL);
  close_elem (&w, "interface");

  /* The console has no pointer grab: an absolute tablet keeps the guest
   * pointer under the host's. */
  empty_elem (&w, "input", "type", "tablet", "bus", "usb", NULL);
  empty_elem (&w, "input", "type", "keyboard", "bus", "usb", NULL);

  /* A socket, not "none": this computer's console gets its sockets from
   * libvirt either way, but a console on another computer reaches the
   * machine's host over SSH and needs something there to connect to.
   * Only the host's root and QEMU's user can open the socket. */
  open_elem (&w, "graphics", "type", "spice", NULL);
  empty_elem (&w, "listen", "type", "socket", NULL);
  empty_elem (&w, "image", "compression", "off", NULL);
  close_elem (&w, "graphics");

  empty_elem (&w, "sound", "model", "ich9", NULL);
  empty_elem (&w, "audio", "id", "1", "type", "spice", NULL);

  open_elem (&w, "video", NULL);
  empty_elem (&w, "model", "type", video_model_name (SPEC_ENUM (spec, VIDEO_MODEL)),
              "heads", "1", "primary", "yes", NULL);
  close_elem (&w, "video");

  open_elem (&w, "channel", "type", "spicevmc", NULL);
  empty_elem (&w, "target", "type", "virtio", "name", "com.redhat.spice.0", NULL);
  close_elem (&w, "channel");
  open_elem (&w, "channel", "type", "unix", NULL);
  empty_elem (&w, "target", "type", "virtio", "name", "org.qemu.guest_agent.0", NULL);
  close_elem (&w, "channel");

  empty_elem (&w, "redirdev", "bus", "usb", "type", "spicevmc", NULL);
  empty_elem (&w, "redirdev", "bus", "usb", "type", "spicevmc", NULL);

  /* A serial console for text-mode guests and the serial view. */
  open_elem (&w, "serial", "type", "pty", NULL);
  empty_elem (&w, "target", "port", "0", NULL);
  close_elem (&w, "serial");
  open_elem (&w, "console", "type", "pty", NULL);
  empty_elem (&w, "target", "type", "serial", "port", "0", NULL);
  close_elem (&w, "console");

  if (SPEC_BOOL (spec, TPM))
    {
      open_elem (&w, "tpm", "model", "tpm-crb", NULL);
      empty_elem (&w, "backend", "type", "emulator", "version", "2.0", NULL);
      close_elem (&w, "tpm");
    }

  if (SPEC_BOOL (spec, VIRTIO_RNG))
    {
      open_elem (&w, "rng", "model", "virtio", NULL);
      text_elem (&w, "backend", "/dev/urandom", "model", "random", NULL);
      close_elem (&w, "rng");
    }

  /* The balloon lets the guest report its memory use (virtio guests). */
  empty_elem (&w, "memballoon", "model",
              SPEC_ENUM (spec, DISK_BUS) == LODGE_DISK_BUS_VIRTIO ? "virtio" : "none", NULL);

  close_elem (&w, "devices");
  close_elem (&w, "domain");

  return g_string_free (g_steal_pointer (&out), FALSE);
}
