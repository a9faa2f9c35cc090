/* test-console-remote-integration.c: consoles of machines on another host
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A second libvirt host reached over SSH (tests/common/lodge-second-host.sh,
 * on 127.0.0.4:2224) runs a small TCG guest (tests/guest/make-guest.sh).
 * The real application connects to it with qemu+ssh://; the library's
 * thumbnail and the console page show the guest's screen, the same as
 * `virsh screenshot` over that connection, each channel through an SSH
 * tunnel: to the display's unix socket (<listen type='socket'/>), then to
 * a loopback port (<listen type='address' address='127.0.0.1'/>, ssh -W).
 * Then hosts that refuse: a key the host does not know and a port nothing
 * listens on give ssh's words quickly, with the main loop running; with
 * the host's sshd gone (libvirt's own session stays), Reconnect on the
 * console page ends on the disconnected page with that error. Last, a
 * display that listens nowhere: the page says how to make it reachable.
 *
 * Needs root, sshd, QEMU and an X display; not the first host's daemon.
 */
#define G_LOG_DOMAIN "test-console-remote-integration"

#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lodge-test.h"
#include "lodge-test-host2.h"
#include "model/lodge-askpass-server.h"
#include "ui/lodge-application.h"
#include "ui/lodge-console-page.h"
#include "ui/lodge-thumbnail.h"
#include "ui/lodge-ui-private.h"
#include "ui/lodge-window-private.h"

#define HOST2_NAME "lodge-host2-console"
#define HOST2_ADDR "127.0.0.4"
#define HOST2_SSH_PORT 2224
#define BOOT_MS 120000
#define WAIT_MS 60000
/* Bounds a refused tunnel; never a timing assertion (the tunnel itself
 * gives up after 20 s). */
#define REFUSED_MS 30000

static LodgeTestHost2 *host2;
static virConnectPtr conn;
static virDomainPtr domain;
static char *domain_name;
static char *work_dir;
static char *serial_log;
static LodgeApplication *app;
static LodgeWindow *window;

static void
destroy_domain (void)
{
  if (domain != NULL)
    {
      virDomainDestroy (domain);
      virDomainFree (domain);
      domain = NULL;
    }
}

static void
on_abort (int sig)
{
  signal (sig, SIG_DFL);
  destroy_domain ();
  if (host2 != NULL)
    lodge_test_host2_stop (host2, NULL);
  raise (sig);
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*CheckFunc) (gpointer data);

static gboolean
wait_until (CheckFunc check,
            gpointer  data,
            int       timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean ok;

  while (!(ok = check (data)) && g_get_monotonic_time () < end)
    {
      gint64 drained = g_get_monotonic_time () + 200 * 1000;

      /* A check may take a while (a screenshot over SSH): then one
       * iteration would only run the wake timer, ready again, and never
       * the idle callbacks that spice-glib's channels resume through.
       * Run whatever is ready, at every priority. */
      g_main_context_iteration (NULL, TRUE);
      while (g_main_context_pending (NULL) && g_get_monotonic_time () < drained)
        g_main_context_iteration (NULL, FALSE);
    }
  g_source_remove (wake);
  return ok;
}

static gboolean
serial_says_ready (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (serial_log, &contents, NULL, NULL) &&
         strstr (contents, "LODGE-GUEST-READY") != NULL;
}

static int
stream_sink (virStreamPtr  stream,
             const char   *data,
             size_t        n,
             void         *opaque)
{
  g_byte_array_append (opaque, (const guint8 *) data, n);
  return n;
}

/* QEMU's own picture of the screen, over the SSH connection. */
static GdkTexture *
qemu_screenshot (void)
{
  virStreamPtr stream = virStreamNew (conn, 0);
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GdkTexture *texture;
  char *mime;

  mime = virDomainScreenshot (domain, stream, 0, 0);
  g_assert_nonnull (mime);
  g_assert_cmpint (virStreamRecvAll (stream, stream_sink, data), ==, 0);
  virStreamFinish (stream);
  virStreamFree (stream);
  free (mime);

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  texture = gdk_texture_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  return texture;
}

typedef struct
{
  GdkTexture *ours;
  GdkTexture *qemu;
  guint       differing;
  guint       total;
} Compare;

/* Whether @ours is QEMU's screen now, but for a blinking cursor. */
static gboolean
matches_qemu (Compare *c)
{
  g_autoptr(GdkTexture) qemu = qemu_screenshot ();
  int w = gdk_texture_get_width (qemu), h = gdk_texture_get_height (qemu);
  g_autofree guint32 *a = NULL;
  g_autofree guint32 *b = NULL;

  if (c->ours == NULL || gdk_texture_get_width (c->ours) != w || gdk_texture_get_height (c->ours) != h)
    return FALSE;
  a = g_new (guint32, w * h);
  b = g_new (guint32, w * h);
  gdk_texture_download (c->ours, (guchar *) a, w * 4);
  gdk_texture_download (qemu, (guchar *) b, w * 4);
  c->differing = 0;
  c->total = w * h;
  for (int i = 0; i < w * h; i++)
    if (a[i] != b[i])
      c->differing++;
  g_set_object (&c->qemu, qemu);
  return c->differing * 200 < c->total;
}

/* For people looking at a failure: both pictures, when asked for. */
static void
save_compare (Compare *c)
{
  const char *dir = g_getenv ("LODGE_TEST_SCREENSHOT_DIR");
  g_autofree char *ours = NULL;
  g_autofree char *qemu = NULL;

  if (dir == NULL || c->ours == NULL || c->qemu == NULL)
    return;
  ours = g_build_filename (dir, "compare-ours.png", NULL);
  qemu = g_build_filename (dir, "compare-qemu.png", NULL);
  gdk_texture_save_to_png (c->ours, ours);
  gdk_texture_save_to_png (c->qemu, qemu);
}

static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *machine_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        {
          LodgeMachine *m = NULL;

          if (machine_name == NULL)
            return child;
          g_object_get (child, "machine", &m, NULL);
          if (m != NULL && g_str_equal (lodge_machine_get_name (m), machine_name))
            {
              g_object_unref (m);
              return child;
            }
          g_clear_object (&m);
        }
      found = find_widget (child, type, machine_name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static LodgeConsolePage *
console_page (void)
{
  return LODGE_CONSOLE_PAGE (find_widget (GTK_WIDGET (window), LODGE_TYPE_CONSOLE_PAGE, NULL));
}

/* Connected to the second host; its library may still be empty. */
static gboolean
host_connected (gpointer data)
{
  return lodge_connection_get_state (lodge_window_get_connection (window)) == LODGE_CONNECTION_STATE_CONNECTED;
}

static gboolean
machine_listed (gpointer data)
{
  return lodge_connection_lookup_machine (lodge_window_get_connection (window), domain_name) != NULL;
}

static gboolean
thumbnail_shows_screen (gpointer data)
{
  Compare *compare = data;
  GtkWidget *thumbnail = find_widget (GTK_WIDGET (window), LODGE_TYPE_THUMBNAIL, domain_name);
  GtkWidget *picture;

  if (thumbnail == NULL || !lodge_thumbnail_get_has_picture (LODGE_THUMBNAIL (thumbnail)))
    return FALSE;
  picture = gtk_widget_get_first_child (thumbnail);
  if (!GTK_IS_PICTURE (picture) || gtk_picture_get_paintable (GTK_PICTURE (picture)) == NULL)
    return FALSE;
  g_clear_object (&compare->ours);
  compare->ours = lodge_framebuffer_to_texture (LODGE_FRAMEBUFFER (gtk_picture_get_paintable (GTK_PICTURE (picture))));
  return matches_qemu (compare);
}

static gboolean
page_has_picture (gpointer data)
{
  LodgeConsolePage *page = console_page ();
  int w = 0;

  return page != NULL && g_strcmp0 (lodge_console_page_get_view (page), "display") == 0
         && lodge_display_get_guest_size (lodge_console_page_get_display (page), &w, NULL) && w > 0;
}

static gboolean
page_shows_screen (gpointer data)
{
  Compare *compare = data;

  if (!page_has_picture (NULL))
    return FALSE;
  g_clear_object (&compare->ours);
  compare->ours = lodge_display_get_screenshot (lodge_console_page_get_display (console_page ()));
  return matches_qemu (compare);
}

static gboolean
page_disconnected (gpointer data)
{
  return g_strcmp0 (lodge_console_page_get_view (console_page ()), "disconnected") == 0;
}

static void
save_screenshot (const char *name)
{
  const char *dir = g_getenv ("LODGE_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;

  if (dir == NULL)
    return;
  /* Let the window draw what it shows now. */
  {
    gint64 end = g_get_monotonic_time () + 700000;
    guint wake = g_timeout_add (20, wake_cb, NULL);

    while (g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (wake);
  }
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root %s", path);
  if (system (command) != 0)
    g_test_message ("could not save %s", path);
}

/* A guest on the second host with this <graphics>; booted when @boot. */
static void
start_guest (const char *suffix,
             const char *graphics,
             gboolean    boot)
{
  g_autofree char *xml = NULL;

  g_free (domain_name);
  domain_name = g_strdup_printf ("lodge-test-%d-remote-%s", (int) getpid (), suffix);
  g_unlink (serial_log);
  xml = g_strdup_printf (
    "<domain type='qemu'>\n"
    "  <name>%s</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
    "    <kernel>%s/vmlinuz</kernel>\n"
    "    <initrd>%s/initrd.img</initrd>\n"
    "    <cmdline>console=ttyS0 console=tty0 quiet lodge.mode=still</cmdline>\n"
    "  </os>\n"
    "  <features><acpi/></features>\n"
    "  <devices>\n"
    "    <serial type='pty'><log file='%s' append='off'/></serial>\n"
    "    %s\n"
    "    <video><model type='qxl'/></video>\n"
    "    <input type='tablet' bus='usb'/>\n"
    "  </devices>\n"
    "</domain>\n",
    domain_name, g_getenv ("LODGE_GUEST_DIR"), g_getenv ("LODGE_GUEST_DIR"), serial_log, graphics);

  /* Transient: the second host's stop removes whatever is left. */
  domain = virDomainCreateXML (conn, xml, 0);
  if (domain == NULL)
    g_error ("Could not start the guest on the second host: %s", virGetLastErrorMessage ());
  if (boot)
    g_assert_true (wait_until (serial_says_ready, NULL, BOOT_MS));
}

static LodgeMachine *
show_machine (void)
{
  LodgeMachine *machine;

  g_assert_true (wait_until (machine_listed, NULL, WAIT_MS));
  machine = lodge_connection_lookup_machine (lodge_window_get_connection (window), domain_name);
  gtk_editable_set_text (lodge_window_get_search_entry (window), domain_name);
  return machine;
}

static void
graphics_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  LodgeMachineGraphics **graphics = user_data;
  g_autoptr(GError) error = NULL;

  *graphics = lodge_machine_get_graphics_finish (LODGE_MACHINE (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* Opens the machine's console page; the time to its first picture. */
static double
open_console (LodgeMachine *machine,
              Compare      *compare)
{
  gint64 start;
  double first_ms;

  g_assert_true (lodge_window_select_machine (window, machine));
  start = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.open", NULL));
  g_assert_nonnull (console_page ());
  if (!wait_until (page_has_picture, NULL, WAIT_MS))
    g_error ("the console shows “%s”: %s", lodge_console_page_get_view (console_page ()),
             lodge_console_page_get_status (console_page ()));
  first_ms = (g_get_monotonic_time () - start) / 1000.0;
  if (!wait_until (page_shows_screen, compare, WAIT_MS))
    {
      save_compare (compare);
      g_error ("the console differs from virsh screenshot in %u of %u pixels",
               compare->differing, compare->total);
    }
  g_test_message ("console and virsh screenshot differ in %u of %u pixels",
                  compare->differing, compare->total);
  return first_ms;
}

static void
test_socket (void)
{
  g_autoptr(LodgeMachineGraphics) graphics = NULL;
  Compare compare = { 0 };
  LodgeMachine *machine;
  double first_ms;

  start_guest ("socket", "<graphics type='spice'><listen type='socket'/></graphics>", TRUE);
  machine = show_machine ();

  /* What the model says: a socket on another host, through SSH. */
  lodge_machine_get_graphics_async (machine, NULL, graphics_cb, &graphics);
  g_assert_true (wait_until (is_set, &graphics, WAIT_MS));
  g_assert_cmpint (lodge_machine_graphics_get_route (graphics), ==, LODGE_GRAPHICS_ROUTE_SSH);
  g_assert_cmpint (lodge_machine_graphics_get_listen (graphics), ==, LODGE_GRAPHICS_LISTEN_SOCKET);
  g_assert_true (lodge_machine_graphics_get_is_remote (graphics));
  g_assert_cmpstr (lodge_machine_graphics_get_host_name (graphics), ==, HOST2_ADDR);
  g_assert_nonnull (lodge_machine_graphics_get_socket (graphics));

  /* The library's thumbnail: a read-only session through the tunnels. */
  if (!wait_until (thumbnail_shows_screen, &compare, WAIT_MS))
    {
      save_compare (&compare);
      g_error ("the thumbnail differs from virsh screenshot in %u of %u pixels",
               compare.differing, compare.total);
    }
  save_screenshot ("remote-thumbnail.png");

  first_ms = open_console (machine, &compare);
  g_test_message ("first picture of the remote console (socket) %.0f ms after machine.open", first_ms);
  g_assert_nonnull (strstr (lodge_console_page_get_status (console_page ()), "SSH"));
  save_screenshot ("remote-console-socket.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-library", NULL));
  g_clear_object (&compare.ours);
  g_clear_object (&compare.qemu);
}

static void
test_address (void)
{
  Compare compare = { 0 };
  LodgeMachine *machine;
  double first_ms;

  /* The guest before it: one TCG guest at a time on a small machine. */
  destroy_domain ();
  /* Without autoport libvirt would make it listen nowhere. */
  start_guest ("address", "<graphics type='spice' autoport='yes'>"
                          "<listen type='address' address='127.0.0.1'/></graphics>", TRUE);
  machine = show_machine ();

  first_ms = open_console (machine, &compare);
  g_test_message ("first picture of the remote console (loopback port) %.0f ms after machine.open",
                  first_ms);
  save_screenshot ("remote-console-address.png");
  g_clear_object (&compare.ours);
  g_clear_object (&compare.qemu);
}

typedef struct
{
  int     fd;
  GError *error;
  gboolean done;
} Opened;

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Opened *opened = user_data;

  opened->fd = lodge_machine_graphics_open_channel_finish (g_task_get_task_data (G_TASK (result)),
                                                           result, &opened->error);
  opened->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((Opened *) data)->done;
}

static gboolean
tick_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* A tunnel of this machine's display through @uri fails with @words. */
static void
assert_refused (LodgeMachineConfig *config,
                const char         *uri,
                const char         *words)
{
  g_autoptr(LodgeMachineGraphics) graphics = NULL;
  g_autoptr(GError) error = NULL;
  Opened opened = { -1 };
  guint ticks = 0, tick;
  gint64 start;

  graphics = lodge_machine_graphics_new_for_config (config, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lodge_machine_graphics_get_route (graphics), ==, LODGE_GRAPHICS_ROUTE_SSH);

  start = g_get_monotonic_time ();
  tick = g_timeout_add (10, tick_cb, &ticks);
  lodge_machine_graphics_open_channel_async (graphics, NULL, opened_cb, &opened);
  g_assert_true (wait_until (is_done, &opened, REFUSED_MS));
  g_source_remove (tick);

  g_assert_cmpint (opened.fd, ==, -1);
  g_assert_error (opened.error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED);
  g_test_message ("%s: “%s” after %.0f ms, the main loop ran %u ticks meanwhile", uri,
                  opened.error->message, (g_get_monotonic_time () - start) / 1000.0, ticks);
  g_assert_nonnull (strstr (opened.error->message, HOST2_ADDR));
  g_assert_nonnull (strstr (opened.error->message, words));
  g_clear_error (&opened.error);
}

/* Asks the shared connection that libvirt's ssh made (Lodge's ssh
 * wrapper, lodge-askpass-server.h) to take no one new: libvirt's session
 * goes on, and a new tunnel has to log in by itself. */
static void
stop_sharing (void)
{
  g_autofree char *port = g_strdup_printf ("%d", HOST2_SSH_PORT);
  const char *ssh = lodge_test_host2_get (host2, "SSH_COMMAND");
  const char *argv[] = { "/usr/bin/env", "LODGE_SSH_TUNNEL=1", ssh, "-p", port, "-l", "root",
                         "-O", "stop", "--", HOST2_ADDR, NULL };

  g_assert_nonnull (lodge_askpass_dup_control_dir ());
  if (!lodge_test_run ("ssh -O stop", (char **) argv))
    g_error ("the shared connection to %s did not stop", HOST2_ADDR);
}

static void
test_refused (void)
{
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_build_filename (work_dir, "stranger", NULL);
  g_autofree char *wrong_key = NULL;
  g_autofree char *keygen = NULL;
  g_autofree char *closed_port = NULL;
  const char * const kill_sshd[] = { "sh", "-c", "kill $(cat /run/sshd.pid)", NULL };
  LodgeConsolePage *page;
  char *xml;

  /* The guest listening on the loopback port is running; its definition. */
  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_SECURE);
  g_assert_nonnull (xml);
  config = lodge_machine_config_new_from_xml (xml, &error);
  free (xml);
  g_assert_no_error (error);

  /* A key the host does not know (BatchMode: no password asked). */
  keygen = g_find_program_in_path ("ssh-keygen");
  g_assert_nonnull (keygen);
  g_assert_true (lodge_test_run ("ssh-keygen", (char *[]) { keygen, "-q", "-t", "ed25519", "-N", "",
                                                            "-f", key, NULL }));
  wrong_key = g_strdup_printf ("qemu+ssh://root@%s:%d/system?keyfile=%s&known_hosts=%s",
                               HOST2_ADDR, HOST2_SSH_PORT, key,
                               lodge_test_host2_get (host2, "KNOWN_HOSTS"));
  assert_refused (config, wrong_key, "Permission denied");

  /* A port nothing listens on (the next one, which the harness does not use). */
  closed_port = g_strdup_printf ("qemu+ssh://root@%s:%d/system?keyfile=%s",
                                 HOST2_ADDR, HOST2_SSH_PORT + 1, key);
  assert_refused (config, closed_port, "Connection refused");

  /* The host's sshd goes away; libvirt's session stays, and the console
   * with it: its channels go through that session's connection. */
  page = console_page ();
  g_assert_true (wait_until (page_has_picture, NULL, WAIT_MS));
  g_assert_true (lodge_test_host2_exec (host2, kill_sshd, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "console.reconnect", NULL));
  g_assert_false (page_has_picture (NULL));
  if (!wait_until (page_has_picture, NULL, WAIT_MS))
    g_error ("the console shows “%s”: %s", lodge_console_page_get_view (page),
             lodge_console_page_get_status (page));

  /* That connection takes no one new (libvirt's session goes on):
   * reconnecting the console ends on the disconnected page, with ssh's
   * words. */
  stop_sharing ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "console.reconnect", NULL));
  if (!wait_until (page_disconnected, NULL, REFUSED_MS))
    g_error ("the console shows “%s”: %s", lodge_console_page_get_view (page),
             lodge_console_page_get_status (page));
  g_test_message ("after the host's sshd stopped: “%s”", lodge_console_page_get_status (page));
  g_assert_nonnull (strstr (lodge_console_page_get_status (page), "Connection refused"));
  save_screenshot ("remote-console-refused.png");

  /* The page still answers: back to the library. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-library", NULL));
  g_assert_null (lodge_console_page_get_machine (page));
  g_unlink (key);
  {
    g_autofree char *pub = g_strconcat (key, ".pub", NULL);
    g_unlink (pub);
  }
}

static GtkLabel *
find_label_containing (GtkWidget  *widget,
                       const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && strstr (gtk_label_get_text (GTK_LABEL (child)), text) != NULL)
        return GTK_LABEL (child);
      found = find_label_containing (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A display that listens nowhere cannot be reached from another computer:
 * the page says so, with the way out, as text (not markup). */
static void
test_listens_nowhere (void)
{
  LodgeConsolePage *page;
  LodgeMachine *machine;
  GtkLabel *label;

  destroy_domain ();
  /* The page gives up before any channel: no need to wait for a boot. */
  start_guest ("nowhere", "<graphics type='spice'><listen type='none'/></graphics>", FALSE);
  machine = show_machine ();
  g_assert_true (lodge_window_select_machine (window, machine));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.open", NULL));
  page = console_page ();
  g_assert_true (wait_until (page_disconnected, NULL, WAIT_MS));
  g_test_message ("%s", lodge_console_page_get_status (page));
  g_assert_nonnull (strstr (lodge_console_page_get_status (page), HOST2_ADDR));
  g_assert_nonnull (strstr (lodge_console_page_get_status (page), "<listen type='socket'/>"));
  label = find_label_containing (GTK_WIDGET (page), "<listen type='socket'/>");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (label)));
  save_screenshot ("remote-console-nowhere.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-library", NULL));
}

int
main (int   argc,
      char *argv[])
{
  const char *script = g_getenv ("LODGE_SECOND_HOST");
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  int result;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* What lodge's main() does first: the renderer that suits this host,
   * and ssh through Lodge's wrapper (shared connections, askpass). */
  lodge_console_prepare_process ();
  {
    g_autofree char *helper = lodge_ui_dup_helper_path ("lodge-askpass");

    if (!lodge_askpass_prepare_process (helper, &error))
      g_error ("%s", error->message);
  }
  g_test_init (&argc, &argv, NULL);
  /* spice-glib warns about connections that end (a refused tunnel is the
   * point of a test): only criticals are fatal here. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);
  lodge_test_allow_spice_link_end ();

  if (g_getenv ("DISPLAY") == NULL)
    lodge_test_skip_all ("no X display (run under xvfb-run)");
  if (g_find_program_in_path ("qemu-system-x86_64") == NULL)
    lodge_test_skip_all ("no qemu-system-x86_64");
  lodge_test_host2_check_preconditions (script);
  g_assert_nonnull (make_guest);
  g_assert_nonnull (guest_dir);
  if (!lodge_test_run ("make-guest", (char *[]) { (char *) make_guest, (char *) guest_dir, NULL }))
    lodge_test_skip_all ("could not build the test guest");

  /* Under /var/tmp, which the second host shares (its virtlogd writes the
   * serial log). */
  work_dir = g_build_filename ("/var/tmp", "lodge-console-remote-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (work_dir));
  g_chmod (work_dir, 0755);
  serial_log = g_build_filename (work_dir, "serial.log", NULL);
  config = g_build_filename (work_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  host2 = lodge_test_host2_start_new (script, HOST2_NAME, HOST2_ADDR, HOST2_SSH_PORT, NULL);
  signal (SIGABRT, on_abort);
  signal (SIGTRAP, on_abort);

  gtk_init ();
  adw_init ();

  conn = virConnectOpen (host2->uri);
  if (conn == NULL)
    g_error ("Could not open %s: %s", host2->uri, virGetLastErrorMessage ());

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  window = LODGE_WINDOW (lodge_application_show (app, host2->uri, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 900);
  if (!wait_until (host_connected, NULL, WAIT_MS))
    g_error ("not connected to %s: the window shows “%s”", host2->uri, lodge_window_get_visible_page (window));

  /* In this order: each leaves its guest to the next. */
  g_test_add_func ("/console-remote/socket", test_socket);
  g_test_add_func ("/console-remote/address", test_address);
  g_test_add_func ("/console-remote/refused", test_refused);
  g_test_add_func ("/console-remote/listens-nowhere", test_listens_nowhere);
  result = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  destroy_domain ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  virConnectClose (conn);
  if (!lodge_test_host2_stop (host2, &error))
    g_printerr ("could not stop the second host: %s\n", error->message);
  g_clear_pointer (&host2, lodge_test_host2_free);
  lodge_askpass_cleanup_process ();
  g_unlink (serial_log);
  {
    g_autofree char *ini = g_build_filename (config, "lodge", "console.ini", NULL);
    g_autofree char *dir = g_build_filename (config, "lodge", NULL);
    g_unlink (ini);
    g_rmdir (dir);
    g_rmdir (config);
  }
  g_rmdir (work_dir);
  g_free (domain_name);
  return result;
}
