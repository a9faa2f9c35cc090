/* test-console-page-integration.c: the console page on a real guest
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application and window on qemu:///system with a small TCG guest
 * (tests/guest/make-guest.sh) whose SPICE listens nowhere. The library's
 * thumbnail of the running guest shows its screen; machine.open shows the
 * console page, connected through virDomainOpenGraphicsFD, with the same
 * picture as `virsh screenshot`; forced off, the page says "not running"
 * and offers Start, which starts the guest and connects again.
 *
 * Needs root, a libvirtd (build-aux/start-libvirtd.sh starts one when none
 * answers), QEMU and an X display.
 */
#define G_LOG_DOMAIN "test-console-page-integration"

#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lodge-test.h"
#include "lodge-test-ui.h"
#include "ui/lodge-application.h"
#include "ui/lodge-console-page.h"
#include "ui/lodge-thumbnail.h"
#include "ui/lodge-window-private.h"

#define URI "qemu:///system"
#define BOOT_MS 120000
#define WAIT_MS 30000

static virConnectPtr conn;
static virDomainPtr domain;
static char *domain_name;
static char *work_dir;
static char *serial_log;
static LodgeApplication *app;

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

static void
on_abort (int sig)
{
  signal (sig, SIG_DFL);
  cleanup ();
  raise (sig);
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
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

/* QEMU's own picture of the screen. */
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
  return c->differing * 200 < c->total;
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type,
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

typedef struct
{
  LodgeWindow *window;
  Compare      compare;
} Check;

static gboolean
library_shown (gpointer data)
{
  Check *check = data;
  const char *page = lodge_window_get_visible_page (check->window);

  return g_strcmp0 (page, "grid") == 0 || g_strcmp0 (page, "list") == 0;
}

static gboolean
machine_listed (gpointer data)
{
  Check *check = data;

  return lodge_connection_lookup_machine (lodge_window_get_connection (check->window),
                                          domain_name) != NULL;
}

static gboolean
thumbnail_shows_screen (gpointer data)
{
  Check *check = data;
  GtkWidget *thumbnail = find_widget (GTK_WIDGET (check->window), LODGE_TYPE_THUMBNAIL, domain_name);
  GtkWidget *picture;

  if (thumbnail == NULL || !lodge_thumbnail_get_has_picture (LODGE_THUMBNAIL (thumbnail)))
    return FALSE;
  picture = gtk_widget_get_first_child (thumbnail);
  if (!GTK_IS_PICTURE (picture) || gtk_picture_get_paintable (GTK_PICTURE (picture)) == NULL)
    return FALSE;
  g_clear_object (&check->compare.ours);
  check->compare.ours =
    lodge_framebuffer_to_texture (LODGE_FRAMEBUFFER (gtk_picture_get_paintable (GTK_PICTURE (picture))));
  return matches_qemu (&check->compare);
}

static gboolean
no_thumbnail_sessions (gpointer data)
{
  return lodge_thumbnail_get_n_sessions () == 0;
}

static LodgeConsolePage *
console_page (LodgeWindow *window)
{
  return LODGE_CONSOLE_PAGE (find_widget (GTK_WIDGET (window), LODGE_TYPE_CONSOLE_PAGE, NULL));
}

static gboolean
page_shows_screen (gpointer data)
{
  Check *check = data;
  LodgeConsolePage *page = console_page (check->window);
  LodgeDisplay *display = lodge_console_page_get_display (page);
  int w = 0;

  if (g_strcmp0 (lodge_console_page_get_view (page), "display") != 0
      || !lodge_display_get_guest_size (display, &w, NULL) || w == 0)
    return FALSE;
  g_clear_object (&check->compare.ours);
  check->compare.ours = lodge_display_get_screenshot (display);
  return matches_qemu (&check->compare);
}

static gboolean
page_not_running (gpointer data)
{
  Check *check = data;

  return g_strcmp0 (lodge_console_page_get_view (console_page (check->window)), "not-running") == 0;
}

static gboolean
page_has_picture (gpointer data)
{
  Check *check = data;
  LodgeConsolePage *page = console_page (check->window);
  int w = 0;

  return g_strcmp0 (lodge_console_page_get_view (page), "display") == 0
         && lodge_display_get_guest_size (lodge_console_page_get_display (page), &w, NULL) && w > 0;
}

static GtkWidget *
find_start_button (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child)
          && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), "console.start") == 0)
        return child;
      found = find_start_button (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
save_screenshot (LodgeWindow *window,
                 const char  *name)
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

static void
force_off_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lodge_machine_run_action_finish (LODGE_MACHINE (object), result, &error));
}

#define DESTROY_ROUNDS 20

static void
test_real_guest (void)
{
  g_autofree char *xml = NULL;
  Check check = { 0 };
  LodgeWindow *window;
  LodgeMachine *machine;
  LodgeConsolePage *page;
  GtkWidget *start;

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
    "    <graphics type='spice'><listen type='none'/></graphics>\n"
    "    <video><model type='qxl'/></video>\n"
    "    <input type='tablet' bus='usb'/>\n"
    "  </devices>\n"
    "</domain>\n",
    domain_name, g_getenv ("LODGE_GUEST_DIR"), g_getenv ("LODGE_GUEST_DIR"), serial_log);

  domain = virDomainDefineXML (conn, xml);
  if (domain == NULL)
    g_error ("Could not define the guest: %s", virGetLastErrorMessage ());
  if (virDomainCreate (domain) < 0)
    g_error ("Could not start the guest: %s", virGetLastErrorMessage ());
  g_assert_true (lodge_test_ui_wait_until (serial_says_ready, NULL, BOOT_MS));

  window = LODGE_WINDOW (lodge_application_show (app, URI, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 900);
  check.window = window;
  g_assert_true (lodge_test_ui_wait_until (library_shown, &check, WAIT_MS));
  g_assert_true (lodge_test_ui_wait_until (machine_listed, &check, WAIT_MS));
  machine = lodge_connection_lookup_machine (lodge_window_get_connection (window), domain_name);
  /* Only this machine in view, whatever else the host runs. */
  gtk_editable_set_text (lodge_window_get_search_entry (window), domain_name);

  /* The library's live thumbnail: a read-only session through
   * virDomainOpenGraphicsFD. */
  if (!lodge_test_ui_wait_until (thumbnail_shows_screen, &check, WAIT_MS))
    g_error ("the thumbnail differs from virsh screenshot in %u of %u pixels",
             check.compare.differing, check.compare.total);
  g_assert_cmpuint (lodge_thumbnail_get_n_sessions (), >=, 1);
  save_screenshot (window, "library-thumbnail.png");

  /* Filtered out of the library: its thumbnail lets go of the session. */
  gtk_editable_set_text (lodge_window_get_search_entry (window), "zzz-nothing-matches");
  g_assert_true (lodge_test_ui_wait_until (no_thumbnail_sessions, NULL, WAIT_MS));
  gtk_editable_set_text (lodge_window_get_search_entry (window), domain_name);

  /* machine.open: the console page, its picture QEMU's. */
  g_assert_true (lodge_window_select_machine (window, machine));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.open", NULL));
  page = console_page (window);
  g_assert_nonnull (page);
  if (!lodge_test_ui_wait_until (page_shows_screen, &check, WAIT_MS))
    g_error ("the console shows “%s” and differs from virsh screenshot in %u of %u pixels (%s)",
             lodge_console_page_get_view (page), check.compare.differing, check.compare.total,
             lodge_console_page_get_status (page));
  g_test_message ("console and virsh screenshot differ in %u of %u pixels",
                  check.compare.differing, check.compare.total);
  g_assert_nonnull (strstr (lodge_console_page_get_status (page), "libvirt"));
  save_screenshot (window, "console.png");

  /* Forced off: "not running", no picture, a Start button. */
  lodge_machine_run_action_async (machine, LODGE_MACHINE_ACTION_FORCE_OFF, NULL, force_off_cb, NULL);
  g_assert_true (lodge_test_ui_wait_until (page_not_running, &check, WAIT_MS));
  g_assert_false (lodge_display_get_guest_size (lodge_console_page_get_display (page), NULL, NULL));
  start = find_start_button (GTK_WIDGET (page));
  g_assert_nonnull (start);
  g_assert_true (gtk_widget_is_drawable (start));
  g_assert_true (gtk_widget_is_sensitive (start));
  save_screenshot (window, "not-running.png");

  /* Start: the guest boots and the page connects by itself. */
  g_unlink (serial_log);
  g_signal_emit_by_name (start, "clicked");
  g_assert_true (lodge_test_ui_wait_until (page_has_picture, &check, BOOT_MS));
  g_assert_true (lodge_test_ui_wait_until (serial_says_ready, NULL, BOOT_MS));
  /* The guest's screen again (text that changes after the banner may
   * still differ from QEMU's own picture: reported, not asserted). */
  if (!lodge_test_ui_wait_until (page_shows_screen, &check, WAIT_MS))
    g_test_message ("after Start the console differs from virsh screenshot in %u of %u pixels",
                    check.compare.differing, check.compare.total);
  g_assert_true (page_has_picture (&check));
  save_screenshot (window, "after-start.png");

  /* Fault loop: destroyed behind Lodge's back (as a crash or another
   * program would) 20 times while the console is open. Each time the page
   * says the machine is not running, with no critical warning (fatal
   * here) and no crash; started again, it shows the screen again. */
  for (guint round = 0; round < DESTROY_ROUNDS; round++)
    {
      g_assert_cmpint (virDomainDestroy (domain), ==, 0);
      if (!lodge_test_ui_wait_until (page_not_running, &check, WAIT_MS))
        g_error ("round %u: the page shows “%s” after the machine was destroyed", round,
                 lodge_console_page_get_view (page));
      g_assert_nonnull (strstr (lodge_console_page_get_status (page), "not running"));
      g_assert_cmpint (virDomainCreate (domain), ==, 0);
      if (!lodge_test_ui_wait_until (page_has_picture, &check, BOOT_MS))
        g_error ("round %u: no picture after the restart (“%s”: %s)", round,
                 lodge_console_page_get_view (page), lodge_console_page_get_status (page));
    }
  g_test_message ("destroyed and restarted %u times under an open console", DESTROY_ROUNDS);

  /* Back to the library: the page lets go. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-library", NULL));
  g_assert_null (lodge_console_page_get_machine (page));

  g_clear_object (&check.compare.ours);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cleanup ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  int result;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* What lodge's main() does first: the renderer that suits this host. */
  lodge_console_prepare_process ();
  g_test_init (&argc, &argv, NULL);
  /* A page left, or reconnected, while its channels still log in ends
   * their links. */
  lodge_test_allow_spice_link_end ();
  /* spice-glib warns about connections QEMU drops (a guest forced off):
   * only criticals are fatal here. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);

  lodge_test_ui_need_real_guest ();

  work_dir = g_dir_make_tmp ("lodge-console-page-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (work_dir, 0755);
  serial_log = g_build_filename (work_dir, "serial.log", NULL);
  config = g_build_filename (work_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  domain_name = g_strdup_printf ("lodge-test-%d-console-page", (int) getpid ());

  gtk_init ();
  adw_init ();

  conn = virConnectOpen (URI);
  if (conn == NULL)
    g_error ("Could not open %s: %s", URI, virGetLastErrorMessage ());
  signal (SIGABRT, on_abort);
  signal (SIGTRAP, on_abort);

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/console-page/integration/real-guest", test_real_guest);
  result = g_test_run ();

  cleanup ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  virConnectClose (conn);
  g_unlink (serial_log);
  {
    g_autofree char *ini = g_build_filename (config, "lodge", "console.ini", NULL);
    g_autofree char *dir = g_build_filename (config, "lodge", NULL);
    g_unlink (ini);
    g_rmdir (dir);
    g_rmdir (config);
  }
  g_rmdir (work_dir);
  return result;
}
