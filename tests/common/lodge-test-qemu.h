/* lodge-test-qemu.h: a bare QEMU with a VNC server, for display tests
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * qemu-system-x86_64 under TCG with no disk and std VGA (SeaBIOS draws its
 * banner in the 720x400 text mode), VNC on a unix socket or on 127.0.0.1
 * (a free port QEMU finds itself; lodge_test_qemu_vnc_port() names it),
 * QMP on a unix socket, optionally the small test guest of tests/guest
 * (LODGE_GUEST_DIR, built by make-guest.sh) with its serial line in a
 * file. No libvirt. Every file is in the caller's directory; stop removes
 * them.
 */
#pragma once

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

/* Bounds a hang while QEMU starts. */
#define LODGE_TEST_QEMU_START_MS 60000

/* A test that aborts takes its QEMU with it. */
static inline void
lodge_test_qemu_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

typedef struct
{
  GSubprocess       *process;
  char              *vnc_socket;
  char              *qmp_socket;
  char              *serial_log;
  GSocketConnection *qmp;
  GDataInputStream  *qmp_in;
} LodgeTestQemu;

/* Sends one QMP command and returns its answer line (events skipped). */
static inline char *
lodge_test_qemu_command (LodgeTestQemu *qemu,
                         const char    *json)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (qemu->qmp));
  g_autofree char *line = g_strconcat (json, "\n", NULL);

  g_assert_true (g_output_stream_write_all (out, line, strlen (line), NULL, NULL, &error));
  g_assert_no_error (error);
  for (;;)
    {
      char *answer = g_data_input_stream_read_line_utf8 (qemu->qmp_in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (answer);
      if (strstr (answer, "\"event\"") == NULL)
        return answer;
      g_free (answer);
    }
}

/* @vnc_options: what follows the address in -vnc, such as ",password=on";
 * @tcp: 127.0.0.1 instead of a unix socket; @guest: boot the test guest;
 * @paused: -S (resume with {"execute": "cont"}). */
static inline LodgeTestQemu *
lodge_test_qemu_start (const char *dir,
                       const char *vnc_options,
                       gboolean    tcp,
                       gboolean    guest,
                       gboolean    paused)
{
  static int serial;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *answer = NULL;
  LodgeTestQemu *qemu = g_new0 (LodgeTestQemu, 1);
  gint64 deadline = g_get_monotonic_time () + (gint64) LODGE_TEST_QEMU_START_MS * 1000;

  serial++;
  qemu->vnc_socket = g_strdup_printf ("%s/vnc-%d.sock", dir, serial);
  qemu->qmp_socket = g_strdup_printf ("%s/qmp-%d.sock", dir, serial);
  qemu->serial_log = g_strdup_printf ("%s/serial-%d.log", dir, serial);

#define ARG(...) g_ptr_array_add (argv, g_strdup_printf (__VA_ARGS__))
  ARG ("qemu-system-x86_64");
  ARG ("-nodefaults");
  ARG ("-machine");
  ARG ("pc,accel=tcg");
  ARG ("-m");
  ARG ("256");
  ARG ("-vga");
  ARG ("std");
  ARG ("-display");
  ARG ("none");
  ARG ("-vnc");
  if (tcp)
    ARG ("127.0.0.1:%d,to=2000%s", g_random_int_range (40, 900), vnc_options);
  else
    ARG ("unix:%s%s", qemu->vnc_socket, vnc_options);
  ARG ("-qmp");
  ARG ("unix:%s,server=on,wait=off", qemu->qmp_socket);
  if (paused)
    ARG ("-S");
  if (guest)
    {
      const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");

      g_assert_nonnull (guest_dir);
      ARG ("-kernel");
      ARG ("%s/vmlinuz", guest_dir);
      ARG ("-initrd");
      ARG ("%s/initrd.img", guest_dir);
      ARG ("-serial");
      ARG ("file:%s", qemu->serial_log);
      ARG ("-append");
      ARG ("console=ttyS0 console=tty0 quiet lodge.mode=still");
    }
#undef ARG
  g_ptr_array_add (argv, NULL);

  /* QEMU says on stdout where VNC listens: not TAP. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, lodge_test_qemu_child_setup, NULL, NULL);
  qemu->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* The socket exists a moment before QEMU listens on it. */
  address = g_unix_socket_address_new (qemu->qmp_socket);
  while (qemu->qmp == NULL)
    {
      qemu->qmp = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
      if (qemu->qmp == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
            g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_clear_error (&error);
          g_usleep (10000);
        }
    }
  /* The greeting comes once QEMU runs its main loop: VNC listens by then. */
  qemu->qmp_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (qemu->qmp)));
  greeting = g_data_input_stream_read_line_utf8 (qemu->qmp_in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (greeting, "QMP"));
  answer = lodge_test_qemu_command (qemu, "{\"execute\": \"qmp_capabilities\"}");
  g_assert_nonnull (strstr (answer, "\"return\""));
  return qemu;
}

/* The TCP port QEMU chose, from query-vnc (the server's "service", not
 * one of its clients'). */
static inline int
lodge_test_qemu_vnc_port (LodgeTestQemu *qemu)
{
  g_autofree char *answer = lodge_test_qemu_command (qemu, "{\"execute\": \"query-vnc\"}");
  char *clients = strstr (answer, "\"clients\": [");
  const char *service;

  /* Client entries hold objects, no arrays: the first ']' ends them. */
  if (clients != NULL)
    {
      char *end = strchr (clients, ']');

      g_assert_nonnull (end);
      memmove (clients, end + 1, strlen (end + 1) + 1);
    }
  service = strstr (answer, "\"service\": \"");

  g_assert_nonnull (service);
  return atoi (service + strlen ("\"service\": \""));
}

static inline void
lodge_test_qemu_stop (LodgeTestQemu *qemu)
{
  if (qemu == NULL)
    return;
  g_subprocess_force_exit (qemu->process);
  g_subprocess_wait (qemu->process, NULL, NULL);
  g_clear_object (&qemu->qmp_in);
  g_clear_object (&qemu->qmp);
  g_clear_object (&qemu->process);
  g_unlink (qemu->vnc_socket);
  g_unlink (qemu->qmp_socket);
  g_unlink (qemu->serial_log);
  g_free (qemu->vnc_socket);
  g_free (qemu->qmp_socket);
  g_free (qemu->serial_log);
  g_free (qemu);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeTestQemu, lodge_test_qemu_stop)
