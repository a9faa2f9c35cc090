/* bench-serial-console.c: how fast the serial console takes a flood
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small TCG guest (tests/guest/make-guest.sh, lodge.mode=flood) writes
 * LODGE_BENCH_SERIAL_BYTES (default 10 MiB) of text on its serial port as
 * fast as it can, then LODGE-FLOOD-DONE. Measured in the same run:
 *
 *   lodge  the model's LodgeTextConsole feeding the console's terminal
 *          (LodgeSerialConsole, VTE) in a window, as the console page does:
 *          from the first flood line received to the marker on screen; the
 *          longest stall of the main loop (a 10 ms timer) and the frames the
 *          terminal drew meanwhile, which say whether the window stayed
 *          responsive; the process's CPU time;
 *   virsh  `virsh console` (under script(1), which gives it the terminal it
 *          insists on) writing the same flood to a pipe that is thrown away.
 *
 * The guest starts paused so that each reader is attached before the first
 * byte. Figures are printed, never asserted. Needs root, libvirtd, QEMU and a
 * display (xvfb-run).
 */
#include "config.h"

#include <gtk/gtk.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vte/vte.h>

#include "console/lodge-console.h"
#include "model/lodge-model.h"

#define URI "qemu:///system"
#define MARKER "LODGE-FLOOD-DONE"
#define FIRST "lodge flood"
#define TIMEOUT_S 900

static virConnectPtr conn;
static virDomainPtr domain;
static char *domain_name;

static void
cleanup (void)
{
  if (domain != NULL)
    {
      virDomainDestroy (domain);
      virDomainUndefine (domain);
      virDomainFree (domain);
      domain = NULL;
    }
}

/* g_error() and failed assertions: the main thread, no libvirt call in
 * flight. */
static void
on_abort (int sig)
{
  signal (sig, SIG_DFL);
  cleanup ();
  raise (sig);
}

static void
start_paused (guint64 bytes)
{
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");
  g_autofree char *xml = g_strdup_printf (
    "<domain type='qemu'>\n"
    "  <name>%s</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
    "    <kernel>%s/vmlinuz</kernel>\n"
    "    <initrd>%s/initrd.img</initrd>\n"
    "    <cmdline>console=ttyS0 quiet lodge.mode=flood lodge.flood=%" G_GUINT64_FORMAT "</cmdline>\n"
    "  </os>\n"
    "  <devices><serial type='pty'/><console type='pty'/></devices>\n"
    "</domain>\n", domain_name, guest_dir, guest_dir, bytes);

  cleanup ();
  domain = virDomainDefineXML (conn, xml);
  if (domain == NULL || virDomainCreateWithFlags (domain, VIR_DOMAIN_START_PAUSED) < 0)
    g_error ("Could not start the guest: %s", virGetLastErrorMessage ());
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* Lodge ----------------------------------------------------------------- */

typedef struct
{
  LodgeSerialConsole *console;
  VteTerminal        *terminal;
  LodgeTextConsole   *text;
  GString            *tail;        /* the end of what came, to find words across chunks */
  guint64             received;
  gint64              first;       /* first flood line received */
  gint64              marker;      /* marker received */
  gint64              on_screen;   /* marker shown */
  gint64              last_tick;
  gint64              max_stall;
  gint64              max_stall_at;   /* after the first flood line */
  guint               frames;
  gint64              last_frame;
  gint64              max_frame_gap;
  double              cpu_start;
  double              cpu;
  gboolean            closed;
} Lodge;

static void
text_received_cb (LodgeTextConsole *text,
                  GBytes           *bytes,
                  Lodge            *lodge)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  lodge_serial_console_feed (lodge->console, data, size);
  lodge->received += size;
  g_string_append_len (lodge->tail, data, size);
  if (lodge->first == 0 && strstr (lodge->tail->str, FIRST) != NULL)
    {
      lodge->first = g_get_monotonic_time ();
      lodge->cpu_start = cpu_seconds ();
    }
  if (lodge->marker == 0 && strstr (lodge->tail->str, MARKER) != NULL)
    lodge->marker = g_get_monotonic_time ();
  if (lodge->tail->len > 64)
    g_string_erase (lodge->tail, 0, lodge->tail->len - 64);
}

static void
text_closed_cb (LodgeTextConsole *text,
                GError           *error,
                Lodge            *lodge)
{
  lodge->closed = TRUE;
  g_printerr ("console closed: %s\n", error != NULL ? error->message : "-");
}

static gboolean
stall_cb (gpointer data)
{
  Lodge *lodge = data;
  gint64 now = g_get_monotonic_time ();

  if (lodge->first != 0 && lodge->on_screen == 0 && lodge->last_tick != 0
      && now - lodge->last_tick > lodge->max_stall)
    {
      lodge->max_stall = now - lodge->last_tick;
      lodge->max_stall_at = lodge->last_tick - lodge->first;
    }
  lodge->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Lodge *lodge = data;
  gint64 now = g_get_monotonic_time ();

  if (lodge->first != 0 && lodge->on_screen == 0)
    {
      lodge->frames++;
      if (lodge->last_frame != 0)
        lodge->max_frame_gap = MAX (lodge->max_frame_gap, now - lodge->last_frame);
      lodge->last_frame = now;
    }
  return G_SOURCE_CONTINUE;
}

/* The rows around the cursor only: reading the whole scroll-back each
 * time would be the benchmark's own cost. */
static gboolean
marker_on_screen (Lodge *lodge)
{
  glong row = 0;
  g_autofree char *text = NULL;

  vte_terminal_get_cursor_position (lodge->terminal, NULL, &row);
  text = vte_terminal_get_text_range (lodge->terminal, MAX (0, row - 3), 0, row,
                                      vte_terminal_get_column_count (lodge->terminal),
                                      NULL, NULL, NULL);
  return text != NULL && strstr (text, MARKER) != NULL;
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  LodgeTextConsole **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = lodge_text_console_open_finish (result, &error);
  if (*out == NULL)
    g_error ("Could not open the console: %s", error->message);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lodge_connection_open_finish (LODGE_CONNECTION (object), result, &error))
    g_error ("Could not connect: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static void
bench_lodge (guint64 bytes)
{
  Lodge lodge = { 0 };
  g_autoptr(LodgeConnection) connection = lodge_connection_new (URI);
  LodgeMachine *machine = NULL;
  GtkWindow *window;
  gboolean connected = FALSE;
  char uuid[VIR_UUID_STRING_BUFLEN];
  gint64 deadline;
  guint stall;

  lodge_connection_open_async (connection, NULL, connected_cb, &connected);
  while (!connected)
    g_main_context_iteration (NULL, TRUE);
  start_paused (bytes);
  /* By UUID: the name was the previous run's machine a moment ago. */
  virDomainGetUUIDString (domain, uuid);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while ((machine = lodge_connection_lookup_machine (connection, uuid)) == NULL
         || !lodge_machine_is_active (machine))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("The machine did not show up");
      g_main_context_iteration (NULL, TRUE);
    }

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1000, 700);
  lodge.console = LODGE_SERIAL_CONSOLE (lodge_serial_console_new ());
  lodge.terminal = VTE_TERMINAL (lodge_serial_console_get_terminal (lodge.console));
  lodge.tail = g_string_new (NULL);
  gtk_window_set_child (window, GTK_WIDGET (lodge.console));
  gtk_window_present (window);
  gtk_widget_add_tick_callback (GTK_WIDGET (lodge.terminal), tick_cb, &lodge, NULL);

  lodge_text_console_open_async (machine, NULL, LODGE_TEXT_CONSOLE_NONE, NULL, opened_cb, &lodge.text);
  while (lodge.text == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (lodge.text, "received", G_CALLBACK (text_received_cb), &lodge);
  g_signal_connect (lodge.text, "closed", G_CALLBACK (text_closed_cb), &lodge);
  stall = g_timeout_add (10, stall_cb, &lodge);

  if (virDomainResume (domain) < 0)
    g_error ("Could not resume: %s", virGetLastErrorMessage ());
  deadline = g_get_monotonic_time () + (gint64) TIMEOUT_S * G_USEC_PER_SEC;
  while (lodge.on_screen == 0 && !lodge.closed && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      if (lodge.marker != 0 && marker_on_screen (&lodge))
        {
          lodge.on_screen = g_get_monotonic_time ();
          lodge.cpu = cpu_seconds () - lodge.cpu_start;
        }
    }
  g_source_remove (stall);
  if (lodge.on_screen == 0)
    g_error ("Lodge: the marker never showed (%" G_GUINT64_FORMAT " bytes came)", lodge.received);

  {
    double s = (lodge.on_screen - lodge.first) / 1e6;
    double frames_s = lodge.frames / s;

    g_print ("lodge: %.2f MB in %.2f s (%.2f MB/s) to the screen; received by %.2f s; "
             "CPU %.2f s; longest main-loop stall %.1f ms (%.2f s in); %u frames (%.1f/s), "
             "longest gap between frames %.1f ms\n",
             lodge.received / 1e6, s, lodge.received / 1e6 / s, (lodge.marker - lodge.first) / 1e6,
             lodge.cpu, lodge.max_stall / 1e3, lodge.max_stall_at / 1e6, lodge.frames, frames_s,
             lodge.max_frame_gap / 1e3);
    g_print ("RESULT lodge_seconds=%.3f lodge_max_stall_ms=%.1f lodge_fps=%.1f\n", s, lodge.max_stall / 1e3, frames_s);
  }

  lodge_text_console_close (lodge.text);
  g_clear_object (&lodge.text);
  gtk_window_destroy (window);
  g_string_free (lodge.tail, TRUE);
  lodge_connection_close (connection);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* virsh console ---------------------------------------------------------- */

static double
bench_virsh (guint64 bytes)
{
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) tail = g_string_new (NULL);
  char *argv[] = { "script", "-qfec", NULL, "/dev/null", NULL };
  GPid pid;
  int out;
  char buffer[65536];
  guint64 received = 0;
  gint64 first = 0, end = 0;
  gboolean resumed = FALSE;

  start_paused (bytes);
  command = g_strdup_printf ("virsh -c " URI " console --force %s", domain_name);
  argv[2] = command;
  if (!g_spawn_async_with_pipes (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                 NULL, NULL, &pid, NULL, &out, NULL, &error))
    g_error ("Could not run virsh console: %s", error->message);

  while (end == 0)
    {
      struct pollfd pfd = { out, POLLIN, 0 };
      ssize_t n;

      /* libvirt's keepalive runs on the main loop: keep it turning, or the
       * daemon drops this process's connection during a long flood. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (poll (&pfd, 1, 20) <= 0)
        continue;
      n = read (out, buffer, sizeof buffer - 1);
      if (n <= 0)
        g_error ("virsh console ended early (%" G_GUINT64_FORMAT " bytes)", received);
      buffer[n] = '\0';
      g_string_append_len (tail, buffer, n);
      /* virsh says it is connected: the guest may start now. */
      if (!resumed && strstr (tail->str, "Escape character") != NULL)
        {
          if (virDomainResume (domain) < 0)
            g_error ("Could not resume: %s", virGetLastErrorMessage ());
          resumed = TRUE;
        }
      if (first != 0)
        received += n;
      if (first == 0 && strstr (tail->str, FIRST) != NULL)
        {
          first = g_get_monotonic_time ();
          received = n;
        }
      if (strstr (tail->str, MARKER) != NULL)
        end = g_get_monotonic_time ();
      if (tail->len > 64)
        g_string_erase (tail, 0, tail->len - 64);
    }
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  close (out);

  {
    double s = (end - first) / 1e6;

    g_print ("virsh console: %.2f MB in %.2f s (%.2f MB/s)\n", received / 1e6, s, received / 1e6 / s);
    g_print ("RESULT virsh_seconds=%.3f\n", s);
    return s;
  }
}

int
main (int   argc,
      char *argv[])
{
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");
  const char *size = g_getenv ("LODGE_BENCH_SERIAL_BYTES");
  guint64 bytes = size != NULL ? g_ascii_strtoull (size, NULL, 10) : 10485760;
  int status = 0;

  if (geteuid () != 0 || make_guest == NULL || guest_dir == NULL || g_getenv ("DISPLAY") == NULL)
    {
      g_printerr ("needs root, LODGE_MAKE_GUEST, LODGE_GUEST_DIR and a display\n");
      return 77;
    }
  if (!g_spawn_sync (NULL, (char *[]) { (char *) make_guest, (char *) guest_dir, NULL }, NULL,
                     G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL) || status != 0)
    g_error ("Could not build the guest");

  gtk_init ();
  lodge_console_prepare_process ();
  lodge_connection_init_events ();
  conn = virConnectOpen (URI);
  if (conn == NULL)
    g_error ("Could not open %s: %s", URI, virGetLastErrorMessage ());
  domain_name = g_strdup_printf ("lodge-test-%d-bench-serial", (int) getpid ());
  signal (SIGABRT, on_abort);
  signal (SIGTRAP, on_abort);

  g_print ("serial console, %" G_GUINT64_FORMAT " bytes of guest output (TCG guest, 16550 UART)\n", bytes);
  bench_virsh (bytes);
  bench_lodge (bytes);

  cleanup ();
  virConnectClose (conn);
  return 0;
}
