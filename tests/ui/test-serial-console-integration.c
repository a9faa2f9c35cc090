/* test-serial-console-integration.c: text consoles on real guests
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application and window on qemu:///system with small TCG guests
 * (tests/guest/make-guest.sh, lodge.mode=echo: the guest answers every
 * line it reads on its serial port with "echo: LINE"):
 *
 * - a machine without graphics opens on its serial console by itself; a
 *   line typed in the terminal, and one pasted from the clipboard, reach
 *   the guest, whose answers show in the terminal; search finds them;
 *   zoom changes the font;
 * - another client (the test, through virDomainOpenConsole) takes the
 *   console over: the page says so; Reconnect then finds the console busy
 *   and offers Take Over, which takes it back;
 * - forced off, the page says the machine is not running and keeps the
 *   text; Start boots it and the console shows its banner;
 * - a machine with SPICE and a serial port opens on its display, and the
 *   console menu switches to the serial console and back.
 *
 * Needs root, a libvirtd (build-aux/start-libvirtd.sh starts one when none
 * answers), QEMU and an X display.
 */
#define G_LOG_DOMAIN "test-serial-console-integration"

#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vte/vte.h>

#include "lodge-test.h"
#include "lodge-test-ui.h"
#include "ui/lodge-application.h"
#include "ui/lodge-console-page.h"
#include "ui/lodge-window-private.h"

#define URI "qemu:///system"
#define BOOT_MS 120000
#define WAIT_MS 30000

static virConnectPtr conn;
static virDomainPtr domains[2];
static char *domain_names[2];
static char *serial_logs[2];
static char *work_dir;
static LodgeApplication *app;

static void
cleanup (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    if (domains[i] != NULL)
      {
        virDomainDestroy (domains[i]);
        virDomainUndefine (domains[i]);
        virDomainFree (domains[i]);
        domains[i] = NULL;
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
serial_log_says_ready (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (data, &contents, NULL, NULL) &&
         strstr (contents, "LODGE-GUEST-READY") != NULL;
}

static virDomainPtr
start_guest (guint    index,
             gboolean graphics)
{
  g_autofree char *xml = NULL;
  virDomainPtr domain;
  const char *guest_dir = g_getenv ("LODGE_GUEST_DIR");

  xml = g_strdup_printf (
    "<domain type='qemu'>\n"
    "  <name>%s</name>\n"
    "  <memory unit='MiB'>256</memory>\n"
    "  <vcpu>1</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
    "    <kernel>%s/vmlinuz</kernel>\n"
    "    <initrd>%s/initrd.img</initrd>\n"
    "    <cmdline>console=ttyS0 quiet lodge.mode=echo</cmdline>\n"
    "  </os>\n"
    "  <features><acpi/></features>\n"
    "  <devices>\n"
    "    <serial type='pty'><log file='%s' append='on'/></serial>\n"
    "    <console type='pty'><target type='serial' port='0'/></console>\n"
    "%s"
    "  </devices>\n"
    "</domain>\n",
    domain_names[index], guest_dir, guest_dir, serial_logs[index],
    graphics ? "    <graphics type='spice'><listen type='none'/></graphics>\n"
               "    <video><model type='qxl'/></video>\n" : "");

  domain = virDomainDefineXML (conn, xml);
  if (domain == NULL)
    g_error ("Could not define the guest: %s", virGetLastErrorMessage ());
  domains[index] = domain;
  if (virDomainCreate (domain) < 0)
    g_error ("Could not start the guest: %s", virGetLastErrorMessage ());
  return domain;
}

typedef struct
{
  LodgeWindow      *window;
  LodgeConsolePage *page;
  const char       *text;
  const char       *name;
} Check;

static LodgeSerialConsole *
serial_console (Check *check)
{
  return lodge_console_page_get_serial_console (check->page);
}

static gboolean
machine_listed (gpointer data)
{
  Check *check = data;

  return lodge_connection_lookup_machine (lodge_window_get_connection (check->window),
                                          check->name) != NULL;
}

/* The serial view, with a stream: no status line. */
static gboolean
serial_connected (gpointer data)
{
  Check *check = data;

  return g_strcmp0 (lodge_console_page_get_view (check->page), "serial") == 0
         && lodge_serial_console_get_status (serial_console (check)) == NULL;
}

static gboolean
terminal_shows (gpointer data)
{
  Check *check = data;
  g_autofree char *text = lodge_serial_console_get_text (serial_console (check));

  return text != NULL && strstr (text, check->text) != NULL;
}

static gboolean
status_contains (gpointer data)
{
  Check *check = data;
  const char *status = lodge_serial_console_get_status (serial_console (check));

  return status != NULL && strstr (status, check->text) != NULL;
}

static gboolean
action_enabled (LodgeConsolePage *page,
                const char       *name)
{
  /* The page's actions are widget actions: ask the muxer through a
   * throwaway actionable. */
  GtkWidget *button = gtk_button_new ();
  gboolean enabled;

  gtk_widget_set_parent (button, GTK_WIDGET (page));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), name);
  enabled = gtk_widget_get_sensitive (button);
  gtk_widget_unparent (button);
  return enabled;
}

static gboolean
page_offers_take_over (gpointer data)
{
  Check *check = data;

  return action_enabled (check->page, "console.take-over");
}

/* Types @line into the terminal as the keyboard does (VTE's commit path,
 * like a key press), then Enter. */
static void
type_line (Check      *check,
           const char *line)
{
  VteTerminal *terminal = VTE_TERMINAL (lodge_serial_console_get_terminal (serial_console (check)));

  vte_terminal_feed_child (terminal, line, -1);
  vte_terminal_feed_child (terminal, "\r", 1);
}

static double
char_height (Check *check)
{
  return vte_terminal_get_char_height (VTE_TERMINAL (lodge_serial_console_get_terminal (serial_console (check))));
}

typedef struct
{
  Check  *check;
  double  than;
} Taller;

static gboolean
font_taller (gpointer data)
{
  Taller *taller = data;

  return char_height (taller->check) > taller->than;
}

static gboolean
font_back (gpointer data)
{
  Taller *taller = data;

  return char_height (taller->check) == taller->than;
}

static void
test_no_graphics (void)
{
  g_autofree char *hello = g_strdup_printf ("hello-%d", (int) getpid ());
  g_autofree char *pasted = g_strdup_printf ("pasted-%d\n", (int) getpid ());
  g_autofree char *echo_hello = g_strdup_printf ("echo: %s", hello);
  g_autofree char *echo_pasted = g_strdup_printf ("echo: pasted-%d", (int) getpid ());
  g_autofree char *again = g_strdup_printf ("again-%d", (int) getpid ());
  g_autofree char *echo_again = g_strdup_printf ("echo: %s", again);
  g_autofree char *selected = NULL;
  Check check = { 0 };
  LodgeMachine *machine;
  virDomainPtr domain;
  virStreamPtr other;
  Taller taller;
  double scale;

  domain = start_guest (0, FALSE);
  g_assert_true (lodge_test_ui_wait_until (serial_log_says_ready, serial_logs[0], BOOT_MS));

  check.window = LODGE_WINDOW (lodge_application_show (app, URI, NULL));
  gtk_window_set_default_size (GTK_WINDOW (check.window), 1000, 700);
  check.name = domain_names[0];
  g_assert_true (lodge_test_ui_wait_until (machine_listed, &check, WAIT_MS));
  machine = lodge_connection_lookup_machine (lodge_window_get_connection (check.window), check.name);
  gtk_editable_set_text (lodge_window_get_search_entry (check.window), check.name);

  /* machine.open: no display, so the serial console, connected. */
  g_assert_true (lodge_window_select_machine (check.window, machine));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.window), "machine.open", NULL));
  check.page = LODGE_CONSOLE_PAGE (lodge_test_ui_find_widget (GTK_WIDGET (check.window), LODGE_TYPE_CONSOLE_PAGE));
  g_assert_nonnull (check.page);
  if (!lodge_test_ui_wait_until (serial_connected, &check, WAIT_MS))
    g_error ("the page shows “%s” (%s)", lodge_console_page_get_view (check.page),
             lodge_console_page_get_status (check.page));
  g_assert_cmpstr (lodge_console_page_get_source (check.page), ==, "serial0");
  g_assert_nonnull (strstr (lodge_console_page_get_status (check.page), "Serial 1"));

  /* Typed: the guest answers on the same line. */
  type_line (&check, hello);
  check.text = echo_hello;
  if (!lodge_test_ui_wait_until (terminal_shows, &check, WAIT_MS))
    {
      g_autofree char *text = lodge_serial_console_get_text (serial_console (&check));
      g_error ("no “%s” in the terminal: %s", echo_hello, text);
    }

  /* Pasted from the clipboard through the page's menu action (the text
   * ends with a new line: the guest answers). */
  gdk_clipboard_set_text (gdk_display_get_clipboard (gdk_display_get_default ()), pasted);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.page), "console.paste", NULL));
  check.text = echo_pasted;
  g_assert_true (lodge_test_ui_wait_until (terminal_shows, &check, WAIT_MS));
  lodge_test_ui_save_screenshot ("serial-console.png");

  /* Search: the answer is found and selected; garbage is not. */
  g_assert_true (lodge_serial_console_find (serial_console (&check), echo_hello, TRUE));
  selected = lodge_serial_console_get_selected_text (serial_console (&check));
  g_assert_nonnull (selected);
  g_assert_nonnull (strstr (selected, hello));
  g_assert_true (lodge_serial_console_get_search_visible (serial_console (&check)));
  /* Found again from the selection, the only match (Enter in the entry). */
  g_assert_true (lodge_serial_console_find (serial_console (&check), echo_hello, TRUE));
  lodge_test_ui_save_screenshot ("serial-console-search.png");
  g_assert_false (lodge_serial_console_find (serial_console (&check), "zzz-nowhere-zzz", FALSE));

  /* Zoom through the page's menu actions: a taller font, and back. */
  taller.check = &check;
  taller.than = char_height (&check);
  g_assert_cmpfloat (taller.than, >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.page), "console.zoom-in", NULL));
  scale = lodge_serial_console_get_font_scale (serial_console (&check));
  g_assert_cmpfloat (scale, >, 1.0);
  g_assert_true (lodge_test_ui_wait_until (font_taller, &taller, WAIT_MS));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.page), "console.original-size", NULL));
  g_assert_cmpfloat (lodge_serial_console_get_font_scale (serial_console (&check)), ==, 1.0);
  g_assert_true (lodge_test_ui_wait_until (font_back, &taller, WAIT_MS));

  /* Another client takes the console over: the page's stream ends. */
  other = virStreamNew (conn, 0);
  g_assert_nonnull (other);
  if (virDomainOpenConsole (domain, "serial0", other, VIR_DOMAIN_CONSOLE_FORCE) < 0)
    g_error ("the test could not take the console: %s", virGetLastErrorMessage ());
  check.text = "closed";
  if (!lodge_test_ui_wait_until (status_contains, &check, WAIT_MS))
    g_error ("the page does not say its console was closed: %s",
             lodge_serial_console_get_status (serial_console (&check)));
  g_assert_cmpstr (lodge_console_page_get_view (check.page), ==, "serial");

  /* Reconnect: busy, and Take Over is offered. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.page), "console.reconnect", NULL));
  check.text = "Another client";
  if (!lodge_test_ui_wait_until (status_contains, &check, WAIT_MS))
    g_error ("the page does not say the console is busy: %s",
             lodge_serial_console_get_status (serial_console (&check)));
  g_assert_true (lodge_test_ui_wait_until (page_offers_take_over, &check, WAIT_MS));
  lodge_test_ui_save_screenshot ("serial-console-busy.png");

  /* Take Over: ours again, the other client's stream ends. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.page), "console.take-over", NULL));
  g_assert_true (lodge_test_ui_wait_until (serial_connected, &check, WAIT_MS));
  {
    char buffer[256];
    /* The other stream is blocking: it returns at once, ended or failed. */
    int n = virStreamRecv (other, buffer, sizeof buffer);

    while (n > 0)
      n = virStreamRecv (other, buffer, sizeof buffer);
    g_assert_cmpint (n, <=, 0);
    virResetLastError ();
    virStreamAbort (other);
    virStreamFree (other);
    virResetLastError ();
  }
  type_line (&check, again);
  check.text = echo_again;
  g_assert_true (lodge_test_ui_wait_until (terminal_shows, &check, WAIT_MS));

  /* Forced off: a clear status, the text kept, Start offered. */
  virDomainDestroy (domain);
  check.text = "is not running";
  if (!lodge_test_ui_wait_until (status_contains, &check, WAIT_MS))
    g_error ("the page does not say the machine stopped: %s",
             lodge_serial_console_get_status (serial_console (&check)));
  g_assert_cmpstr (lodge_console_page_get_view (check.page), ==, "serial");
  check.text = echo_again;
  g_assert_true (terminal_shows (&check));
  g_assert_true (action_enabled (check.page, "console.start"));
  lodge_test_ui_save_screenshot ("serial-console-stopped.png");

  /* Start: the console opens by itself and shows the boot banner. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.page), "console.start", NULL));
  check.text = "LODGE-GUEST-READY";
  if (!lodge_test_ui_wait_until (terminal_shows, &check, BOOT_MS))
    {
      g_autofree char *text = lodge_serial_console_get_text (serial_console (&check));
      g_error ("no banner in the terminal (%s): %s",
               lodge_serial_console_get_status (serial_console (&check)), text);
    }
  g_assert_true (serial_connected (&check));
  lodge_test_ui_save_screenshot ("serial-console-boot.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.window), "win.show-library", NULL));
  g_assert_null (lodge_console_page_get_machine (check.page));
  gtk_window_destroy (GTK_WINDOW (check.window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
display_shown (gpointer data)
{
  Check *check = data;

  return g_strcmp0 (lodge_console_page_get_view (check->page), "display") == 0;
}

static void
test_switch_views (void)
{
  g_autofree char *hello = g_strdup_printf ("switch-%d", (int) getpid ());
  g_autofree char *echo_hello = g_strdup_printf ("echo: %s", hello);
  Check check = { 0 };
  LodgeMachine *machine;
  GtkWidget *source_button;

  start_guest (1, TRUE);
  g_assert_true (lodge_test_ui_wait_until (serial_log_says_ready, serial_logs[1], BOOT_MS));

  check.window = LODGE_WINDOW (lodge_application_show (app, URI, NULL));
  gtk_window_set_default_size (GTK_WINDOW (check.window), 1000, 700);
  check.name = domain_names[1];
  g_assert_true (lodge_test_ui_wait_until (machine_listed, &check, WAIT_MS));
  machine = lodge_connection_lookup_machine (lodge_window_get_connection (check.window), check.name);
  gtk_editable_set_text (lodge_window_get_search_entry (check.window), check.name);
  g_assert_true (lodge_window_select_machine (check.window, machine));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.window), "machine.open", NULL));
  check.page = LODGE_CONSOLE_PAGE (lodge_test_ui_find_widget (GTK_WIDGET (check.window), LODGE_TYPE_CONSOLE_PAGE));

  /* A display: the page opens on it, and the chooser offers both. */
  g_assert_true (lodge_test_ui_wait_until (display_shown, &check, WAIT_MS));
  g_assert_cmpstr (lodge_console_page_get_source (check.page), ==, "display");
  source_button = lodge_test_ui_find_widget (GTK_WIDGET (check.page), GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (source_button);
  for (; source_button != NULL; source_button = gtk_widget_get_next_sibling (source_button))
    if (GTK_IS_MENU_BUTTON (source_button)
        && g_strcmp0 (gtk_menu_button_get_label (GTK_MENU_BUTTON (source_button)), "Display") == 0)
      break;
  g_assert_nonnull (source_button);
  g_assert_true (gtk_widget_get_visible (source_button));
  g_assert_cmpint (g_menu_model_get_n_items (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (source_button))),
                   ==, 2);

  /* To the serial console, as the menu item does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.page), "console.source", "s", "serial0"));
  g_assert_true (lodge_test_ui_wait_until (serial_connected, &check, WAIT_MS));
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (source_button)), ==, "Serial 1");
  g_assert_false (action_enabled (check.page, "console.screenshot"));
  g_assert_true (action_enabled (check.page, "console.copy"));
  type_line (&check, hello);
  check.text = echo_hello;
  g_assert_true (lodge_test_ui_wait_until (terminal_shows, &check, WAIT_MS));
  lodge_test_ui_save_screenshot ("serial-console-switched.png");

  /* And back to the display: its picture is there again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (check.page), "console.source", "s", "display"));
  g_assert_true (lodge_test_ui_wait_until (display_shown, &check, WAIT_MS));
  g_assert_true (action_enabled (check.page, "console.screenshot"));
  g_assert_false (action_enabled (check.page, "console.copy"));

  gtk_window_destroy (GTK_WINDOW (check.window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  int result;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  lodge_console_prepare_process ();
  g_test_init (&argc, &argv, NULL);
  lodge_test_allow_spice_link_end ();
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);

  lodge_test_ui_need_real_guest ();

  work_dir = g_dir_make_tmp ("lodge-serial-console-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (work_dir, 0755);
  config = g_build_filename (work_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    {
      g_autofree char *log = g_strdup_printf ("serial-%u.log", i);

      serial_logs[i] = g_build_filename (work_dir, log, NULL);
      domain_names[i] = g_strdup_printf ("lodge-test-%d-serial-%s", (int) getpid (),
                                         i == 0 ? "text" : "display");
    }

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

  g_test_add_func ("/serial-console/integration/no-graphics", test_no_graphics);
  g_test_add_func ("/serial-console/integration/switch-views", test_switch_views);
  result = g_test_run ();

  cleanup ();
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  virConnectClose (conn);
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    {
      g_unlink (serial_logs[i]);
      g_free (serial_logs[i]);
      g_free (domain_names[i]);
    }
  {
    g_autofree char *dir = g_build_filename (config, "lodge", NULL);
    g_autofree char *store = NULL;
    GDir *d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        store = g_build_filename (dir, name, NULL);
        g_unlink (store);
        g_clear_pointer (&store, g_free);
      }
    g_clear_pointer (&d, g_dir_close);
    g_rmdir (dir);
    g_rmdir (config);
  }
  g_rmdir (work_dir);
  return result;
}
