/* test-console-integration.c: LodgeDisplay on a real guest
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small TCG guest (tests/guest/make-guest.sh) with SPICE listening
 * nowhere: every channel's socket comes from virDomainOpenGraphicsFD, as
 * in Lodge. The display must show what `virsh screenshot` shows, and keys
 * typed on the X server must reach the guest's kernel: Alt+SysRq+H makes
 * it print its SysRq help on the serial console.
 *
 * Needs root, a libvirtd on qemu:///system (started by
 * build-aux/start-libvirtd.sh when none answers), QEMU and an X display.
 */
#define G_LOG_DOMAIN "test-console-integration"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <gdk/x11/gdkx.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <X11/extensions/XTest.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "console/lodge-console.h"
#include "lodge-test.h"

#define URI "qemu:///system"
#define BOOT_MS 120000
#define WAIT_MS 30000

static virConnectPtr conn;
static virDomainPtr domain;
static char *serial_log;
static char *work_dir;

static void
cleanup (void)
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
  cleanup ();
  raise (sig);
}

static gboolean
serial_contains (const char *text)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (serial_log, &contents, NULL, NULL) &&
         strstr (contents, text) != NULL;
}

static gboolean
wait_until (gboolean (*predicate) (gconstpointer),
            gconstpointer data,
            int           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return TRUE;
}

static gboolean
serial_contains_pred (gconstpointer data)
{
  return serial_contains (data);
}

/* The display asks for a socket: Lodge's UI answers the same way, from a
 * worker thread; here the call is quick and local. */
static void
display_open_fd_cb (LodgeDisplay *display,
                    guint         request_id,
                    int           channel_type,
                    gpointer      user_data)
{
  int fd = virDomainOpenGraphicsFD (domain, 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);

  if (fd < 0)
    lodge_display_fail_fd (display, request_id, virGetLastErrorMessage ());
  else
    lodge_display_give_fd (display, request_id, fd);
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

/* virsh screenshot: QEMU's own picture of the screen (PNG or PPM, by the
 * QEMU version; GDK reads both). */
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

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    g_error ("cannot read the %s screenshot: %s", mime, error->message);
  free (mime);
  return texture;
}

static gboolean
display_has_picture (gconstpointer data)
{
  LodgeDisplay *display = (LodgeDisplay *) data;
  int w = 0;

  return lodge_display_get_state (display) == LODGE_DISPLAY_STATE_CONNECTED &&
         lodge_display_get_guest_size (display, &w, NULL) && w > 0;
}

typedef struct
{
  LodgeDisplay *display;
  guint differing;
  guint total;
} Compare;

static gboolean
display_matches_qemu (gconstpointer data)
{
  Compare *c = (Compare *) data;
  g_autoptr(GdkTexture) qemu = qemu_screenshot ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint32 *pixels = NULL;
  g_autofree guint32 *expected = NULL;
  int w = gdk_texture_get_width (qemu), h = gdk_texture_get_height (qemu), dw, dh;

  if (!lodge_display_get_guest_size (c->display, &dw, &dh) || dw != w || dh != h)
    return FALSE;
  texture = lodge_display_get_screenshot (c->display);
  pixels = g_new (guint32, w * h);
  expected = g_new (guint32, w * h);
  gdk_texture_download (texture, (guchar *) pixels, w * 4);
  gdk_texture_download (qemu, (guchar *) expected, w * 4);

  c->differing = 0;
  c->total = w * h;
  for (int i = 0; i < w * h; i++)
    if (pixels[i] != expected[i])
      c->differing++;
  /* The text cursor blinks: allow a few cells' worth of pixels. */
  return c->differing * 200 < c->total;
}

static void
x_key (guint    keycode,
       gboolean press)
{
  Display *dpy = gdk_x11_display_get_xdisplay (gdk_display_get_default ());

  XTestFakeKeyEvent (dpy, keycode, press, CurrentTime);
  XSync (dpy, False);
  g_usleep (30000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* For people looking: LODGE_TEST_SCREENSHOT_DIR keeps what was shown. */
static void
save_screenshot (GtkWidget  *display,
                 const char *name)
{
  const char *dir = g_getenv ("LODGE_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  lodge_display_save_screenshot (LODGE_DISPLAY (display), path, NULL);
}

static void
test_real_guest (void)
{
  g_autofree char *xml = NULL;
  GtkWidget *window, *display;
  Compare compare = { 0 };
  GdkSurface *surface;

  xml = g_strdup_printf (
    "<domain type='qemu'>\n"
    "  <name>lodge-test-%d-console</name>\n"
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
    "    <graphics type='spice'><listen type='none'/></graphics>\n"
    "    <video><model type='qxl'/></video>\n"
    "    <input type='tablet' bus='usb'/>\n"
    "  </devices>\n"
    "</domain>\n",
    (int) getpid (), g_getenv ("LODGE_GUEST_DIR"), g_getenv ("LODGE_GUEST_DIR"), serial_log);

  domain = virDomainCreateXML (conn, xml, 0);
  if (domain == NULL)
    g_error ("Could not start the guest: %s", virGetLastErrorMessage ());
  g_assert_true (wait_until (serial_contains_pred, "LODGE-GUEST-READY", BOOT_MS));

  window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  display = lodge_display_new ();
  lodge_display_set_resize_guest (LODGE_DISPLAY (display), FALSE);
  lodge_spice_session_set_audio (lodge_display_get_session (LODGE_DISPLAY (display)), FALSE);
  g_signal_connect (display, "open-fd", G_CALLBACK (display_open_fd_cb), NULL);
  gtk_window_set_child (GTK_WINDOW (window), display);
  gtk_window_present (GTK_WINDOW (window));

  lodge_display_connect_fd (LODGE_DISPLAY (display), -1);
  g_assert_true (wait_until (display_has_picture, display, WAIT_MS));

  /* The same picture as QEMU's own screenshot. */
  compare.display = LODGE_DISPLAY (display);
  if (!wait_until (display_matches_qemu, &compare, WAIT_MS))
    g_error ("the display differs from virsh screenshot in %u of %u pixels",
             compare.differing, compare.total);
  g_test_message ("display and virsh screenshot differ in %u of %u pixels",
                  compare.differing, compare.total);
  save_screenshot (display, "before-sysrq.png");

  /* Typed keys reach the guest: Alt+PrintScreen is SysRq, then H. */
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  XSetInputFocus (gdk_x11_display_get_xdisplay (gdk_display_get_default ()),
                  gdk_x11_surface_get_xid (surface), RevertToParent, CurrentTime);
  gtk_widget_grab_focus (display);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  x_key (56 + 8, TRUE);
  x_key (99 + 8, TRUE);
  x_key (35 + 8, TRUE);
  x_key (35 + 8, FALSE);
  x_key (99 + 8, FALSE);
  x_key (56 + 8, FALSE);
  g_assert_true (wait_until (serial_contains_pred, "sysrq: HELP", WAIT_MS));
  g_usleep (500000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  save_screenshot (display, "after-sysrq.png");

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cleanup ();
}

int
main (int   argc,
      char *argv[])
{
  const char *start = g_getenv ("LODGE_START_LIBVIRTD");
  const char *make_guest = g_getenv ("LODGE_MAKE_GUEST");
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");
  int result;

  g_test_init (&argc, &argv, NULL);

  if (geteuid () != 0)
    lodge_test_skip_all ("not root");
  if (g_getenv ("DISPLAY") == NULL)
    lodge_test_skip_all ("no X display (run under xvfb-run)");
  if (g_find_program_in_path ("qemu-system-x86_64") == NULL)
    lodge_test_skip_all ("no qemu-system-x86_64");
  g_assert_nonnull (start);
  g_assert_nonnull (make_guest);
  g_assert_nonnull (guest_dir);

  if (!lodge_test_run ("start-libvirtd", (char *[]) { (char *) start, "start", NULL }))
    lodge_test_skip_all ("no libvirtd");
  if (!lodge_test_run ("make-guest", (char *[]) { (char *) make_guest, (char *) guest_dir, NULL }))
    lodge_test_skip_all ("could not build the test guest");

  gdk_set_allowed_backends ("x11");
  gtk_init ();

  conn = virConnectOpen (URI);
  if (conn == NULL)
    g_error ("Could not open %s: %s", URI, virGetLastErrorMessage ());

  work_dir = g_dir_make_tmp ("lodge-console-XXXXXX", NULL);
  g_assert_nonnull (work_dir);
  g_chmod (work_dir, 0755);
  serial_log = g_build_filename (work_dir, "serial.log", NULL);
  signal (SIGABRT, on_abort);
  signal (SIGTRAP, on_abort);

  g_test_add_func ("/console/integration/real-guest", test_real_guest);
  result = g_test_run ();

  cleanup ();
  g_unlink (serial_log);
  g_rmdir (work_dir);
  virConnectClose (conn);
  return result;
}
