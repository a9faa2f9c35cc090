/* test-details-ui.c: the details page on the real model and libvirt's test
 * driver, under a display (suite "ui")
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With LODGE_DETAILS_SHOW=SECTION the window stays open on that section
 * (for looking at it, e.g. screenshots); the tests do not run then.
 * LODGE_DETAILS_POPUP=TOOLTIP opens the menu button with that tooltip;
 * LODGE_DETAILS_EXPAND=TITLE[,TITLE…] expands the expander rows so titled.
 */
#define G_LOG_DOMAIN "test-details-ui"

#include "config.h"

#include <adwaita.h>
#include <libvirt/libvirt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lodge-test.h"
#include "model/lodge-model.h"
#include "model/lodge-model-private.h"
#include "model/lodge-machine-config.h"
#include "model/lodge-stats-history.h"
#include "ui/lodge-details-page.h"
#include "ui/lodge-graph.h"
#include "ui/lodge-host-page.h"

void lodge_register_resource (void);

#define RICH_NAME    "lodge-test-details-rich"
#define RUNNING_NAME "lodge-test-details-running"
#define WAIT_MS      10000

static LodgeConnection *connection;
static LodgeStatsHistory *history;

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*CheckFunc) (gpointer data);

static gboolean
wait_until (CheckFunc check,
            gpointer  data)
{
  gint64 end = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean ok;

  while (!(ok = check (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

/* Finds a row (AdwPreferencesRow) by title anywhere under widget. */
static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_rows_with_prefix (GtkWidget  *widget,
                        const char *prefix)
{
  guint n = 0;

  if (ADW_IS_PREFERENCES_ROW (widget)
      && g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), prefix))
    n++;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows_with_prefix (child, prefix);
  return n;
}

typedef struct
{
  GtkWidget  *root;
  const char *title;
} RowCheck;

static gboolean
row_exists (gpointer data)
{
  RowCheck *check = data;

  return find_row (check->root, check->title) != NULL;
}

static gboolean
connection_ready (gpointer data)
{
  return lodge_connection_get_state (connection) == LODGE_CONNECTION_STATE_CONNECTED
         && lodge_connection_lookup_machine (connection, RICH_NAME) != NULL;
}

/* Five minutes of made-up but plausible figures, so that the graphs show
 * something without waiting five minutes. */
static void
feed_history (LodgeMachine *machine)
{
  LodgeMachineSample sample = { 0 };
  gint64 now = g_get_monotonic_time ();

  sample.vcpus = 2;
  for (int i = 0; i <= 300; i++)
    {
      double t = i / 300.0;

      sample.timestamp = now - (gint64) (300 - i) * G_USEC_PER_SEC;
      sample.cpu_time += (guint64) ((0.25 + 0.2 * sin (t * 12.0) + (i % 37 == 0 ? 0.5 : 0)) * 2e9);
      sample.memory_used = (guint64) ((300 + 120 * t + 20 * sin (t * 30)) * 1024 * 1024);
      sample.block_rd_bytes += (guint64) ((i > 40 && i < 90 ? 40e6 : 1e5) * (1 + sin (t * 50)));
      sample.block_wr_bytes += (guint64) ((i > 150 && i < 170 ? 25e6 : 2e5));
      sample.net_rx_bytes += (guint64) (3e5 + 2e5 * sin (t * 20));
      sample.net_tx_bytes += (guint64) (1e5 + 5e4 * cos (t * 17));
      lodge_stats_history_add_sample (history, lodge_machine_get_uuid (machine), &sample);
    }
}

static GtkWindow *
open_details (const char   *name,
              GtkWidget   **page_out)
{
  LodgeMachine *machine = lodge_connection_lookup_machine (connection, name);
  GtkWindow *window;

  g_assert_nonnull (machine);
  window = lodge_details_window_new (NULL, machine, history);
  gtk_window_present (window);
  *page_out = adw_window_get_content (ADW_WINDOW (window));
  g_assert_true (LODGE_IS_DETAILS_PAGE (*page_out));
  return window;
}

static void
clipboard_ready_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_rich_machine_shown (void)
{
  GtkWidget *page;
  GtkWindow *window;
  RowCheck check = { NULL, "Disk vda (virtio)" };
  GtkWidget *row;

  /* While shown, the graphs get one point a second; then the interval the
   * connection had comes back. */
  lodge_connection_set_stats_interval (connection, 3);
  window = open_details (RICH_NAME, &page);
  check.root = page;
  g_assert_true (wait_until (row_exists, &check));
  g_assert_cmpuint (lodge_connection_get_stats_interval (connection), ==, 1);

  /* Every disk kind, the empty CD, the floppy, all four interfaces. */
  g_assert_nonnull (find_row (page, "Disk sdb (scsi)"));
  g_assert_nonnull (find_row (page, "Disk vdc (virtio)"));
  g_assert_nonnull (find_row (page, "CD/DVD Drive sda"));
  g_assert_nonnull (find_row (page, "Floppy Drive fda"));
  g_assert_cmpuint (count_rows_with_prefix (page, "virtio 52:54:00"), >=, 1);
  g_assert_nonnull (find_row (page, "e1000e 52:54:00:aa:bb:02"));
  /* The read-only rest, in one expander. */
  row = find_type (page, ADW_TYPE_EXPANDER_ROW);
  g_assert_nonnull (row);
  g_test_message ("read-only: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  g_assert_true (g_str_has_suffix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), " devices"));
  g_assert_cmpuint (g_ascii_strtoull (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), NULL, 10), >=, 16);

  for (guint i = 0; i < 5; i++)
    {
      const char *sections[] = { "overview", "hardware", "snapshots", "troubleshooting", "xml" };

      lodge_details_page_show_section (LODGE_DETAILS_PAGE (page), sections[i]);
      g_main_context_iteration (NULL, FALSE);
    }

  /* Troubleshooting: the XML goes to the clipboard. */
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (page);
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *text = NULL;

    gtk_widget_activate_action (page, "details.copy-xml", NULL);
    gdk_clipboard_read_text_async (clipboard, NULL, clipboard_ready_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    text = gdk_clipboard_read_text_finish (clipboard, result, NULL);
    g_assert_nonnull (text);
    g_assert_true (g_str_has_prefix (text, "<domain"));
    g_assert_nonnull (strstr (text, RICH_NAME));
  }

  gtk_window_destroy (window);
  g_assert_cmpuint (lodge_connection_get_stats_interval (connection), ==, 3);
  lodge_connection_set_stats_interval (connection, 1);
}

static gboolean
memory_is_1_gib (gpointer data)
{
  const char *uuid = data;
  virConnectPtr conn = lodge_connection_ref_virconnect (connection);
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);
  g_autofree char *xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  g_autoptr(LodgeMachineConfig) config = lodge_machine_config_new_from_xml (xml, NULL);

  virDomainFree (dom);
  virConnectClose (conn);
  return lodge_machine_config_get_current_memory (config) == G_GUINT64_CONSTANT (1) << 30;
}

static gboolean
label_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data));
}

static gboolean
graph_has_data (gpointer data)
{
  return g_strcmp0 (lodge_graph_get_value_text (LODGE_GRAPH (data)), "No data yet") != 0;
}

static void
test_edits_through_page (void)
{
  GtkWidget *page;
  GtkWindow *window = open_details (RUNNING_NAME, &page);
  LodgeMachine *machine = lodge_details_page_get_machine (LODGE_DETAILS_PAGE (page));
  RowCheck check = { page, "Disk vda (virtio)" };
  GtkWidget *memory_row;
  GtkWidget *spin;
  GtkWidget *apply;
  GtkWidget *graph;
  GtkWidget *error_label = NULL;
  GtkTextView *xml_view = NULL;

  g_assert_true (wait_until (row_exists, &check));

  /* Graphs: the history's figures, given to screen readers as text. */
  graph = find_type (page, LODGE_TYPE_GRAPH);
  g_assert_nonnull (graph);
  g_assert_true (wait_until (graph_has_data, graph));
  g_test_message ("first graph says: %s", lodge_graph_get_value_text (LODGE_GRAPH (graph)));

  /* Memory through the row's spin button and the Apply button. */
  lodge_details_page_show_section (LODGE_DETAILS_PAGE (page), "hardware");
  memory_row = find_row (page, "Memory");
  g_assert_nonnull (memory_row);
  spin = find_type (memory_row, GTK_TYPE_SPIN_BUTTON);
  g_assert_nonnull (spin);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 1024);
  apply = gtk_widget_get_ancestor (memory_row, ADW_TYPE_PREFERENCES_GROUP);
  apply = find_type (apply, GTK_TYPE_BUTTON);
  /* The group's header suffix is the first button of the group. */
  while (apply != NULL && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (apply)), "_Apply") != 0)
    apply = NULL;
  g_assert_nonnull (apply);
  g_assert_true (gtk_widget_get_sensitive (apply));
  g_signal_emit_by_name (apply, "clicked");
  g_assert_true (wait_until (memory_is_1_gib, (gpointer) lodge_machine_get_uuid (machine)));

  /* Edit XML: a broken definition is refused with the line named. */
  lodge_details_page_show_section (LODGE_DETAILS_PAGE (page), "xml");
  {
    GtkWidget *stack = find_type (page, ADW_TYPE_VIEW_STACK);
    GtkWidget *xml_page = adw_view_stack_get_child_by_name (ADW_VIEW_STACK (stack), "xml");
    GtkWidget *it;

    xml_view = GTK_TEXT_VIEW (find_type (xml_page, GTK_TYPE_TEXT_VIEW));
    for (it = gtk_widget_get_first_child (xml_page); it != NULL; it = gtk_widget_get_next_sibling (it))
      if (GTK_IS_LABEL (it) && gtk_widget_has_css_class (it, "error"))
        error_label = it;
  }
  g_assert_nonnull (xml_view);
  g_assert_nonnull (error_label);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (xml_view), "<domain>\n  <name>x</nam>\n</domain>", -1);
  gtk_widget_activate_action (page, "details.save-xml", NULL);
  g_assert_true (wait_until (label_visible, error_label));
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error_label)), "Line 2:"));

  gtk_window_destroy (window);
}

static AdwMessageDialog *
find_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog () != NULL;
}

static gboolean
machine_exists (gpointer data)
{
  return lodge_connection_lookup_machine (connection, data) != NULL;
}

static void
test_clone_through_page (void)
{
  GtkWidget *page;
  GtkWindow *window = open_details ("lodge-test-details-uefi", &page);
  RowCheck check = { page, "Make a Copy" };
  GtkWidget *row;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  g_assert_true (wait_until (row_exists, &check));
  row = find_row (page, "Make a Copy");
  g_signal_emit_by_name (row, "activated");
  g_assert_true (wait_until (dialog_shown, NULL));
  dialog = find_dialog ();
  entry = find_type (adw_message_dialog_get_extra_child (dialog), GTK_TYPE_ENTRY);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "lodge-test-details-uefi-clone");
  adw_message_dialog_response (dialog, "ok");

  /* No disks to copy: done at once; the new machine arrives by event. */
  g_assert_true (wait_until (machine_exists, (gpointer) "lodge-test-details-uefi-clone"));

  gtk_window_destroy (window);
}

static GtkWidget *
find_by_tooltip (GtkWidget  *widget,
                 const char *tooltip)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_tooltip (child, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static LodgeMachineConfig *
inactive_config (const char *name)
{
  virConnectPtr conn = lodge_connection_ref_virconnect (connection);
  virDomainPtr dom = virDomainLookupByName (conn, name);
  g_autofree char *xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);

  virDomainFree (dom);
  virConnectClose (conn);
  return lodge_machine_config_new_from_xml (xml, NULL);
}

static gboolean
rich_has_test_stick (gpointer data)
{
  g_autoptr(LodgeMachineConfig) config = inactive_config (RICH_NAME);
  g_autoptr(GPtrArray) usb = lodge_machine_config_get_devices_of_kind (config, LODGE_DEVICE_KIND_USB_HOST);

  for (guint i = 0; i < usb->len; i++)
    if (g_strcmp0 (((LodgeDevice *) g_ptr_array_index (usb, i))->vendor_id, "1234") == 0)
      return TRUE;
  return FALSE;
}

/* The "give a USB device" picker lists the test host's node devices (not
 * its root hub) and gives the picked one to the machine. */
static void
test_usb_picker (void)
{
  GtkWidget *page;
  GtkWindow *window = open_details (RICH_NAME, &page);
  RowCheck check = { page, "Disk vda (virtio)" };
  RowCheck listed = { NULL, "Lodge Test Devices Lodge Test Stick" };
  RowCheck given = { page, "USB device 1234:5678" };
  GtkWidget *button;
  GtkWidget *popover;
  GtkWidget *row;

  g_assert_true (wait_until (row_exists, &check));
  lodge_details_page_show_section (LODGE_DETAILS_PAGE (page), "hardware");
  button = find_by_tooltip (page, "Give a USB Device to the Machine");
  g_assert_true (GTK_IS_MENU_BUTTON (button));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  listed.root = popover;
  g_assert_true (wait_until (row_exists, &listed));
  g_assert_null (find_row (popover, "Linux Foundation 2.0 root hub"));
  row = find_row (popover, listed.title);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "1234:5678 · 1.5");

  g_signal_emit_by_name (gtk_widget_get_ancestor (row, GTK_TYPE_LIST_BOX), "row-activated", row);
  g_assert_true (wait_until (rich_has_test_stick, NULL));
  g_assert_true (wait_until (row_exists, &given));
  g_assert_false (gtk_widget_get_visible (popover));

  gtk_window_destroy (window);
}

static gboolean
firmware_is_bios (gpointer data)
{
  g_autoptr(LodgeMachineConfig) config = inactive_config (data);

  return lodge_machine_config_get_firmware (config) == LODGE_FIRMWARE_BIOS;
}

static gboolean
widget_sensitive (gpointer data)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (data));
}

static gboolean
subtitle_starts_bios (gpointer data)
{
  return g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (data)), "BIOS");
}

/* Firmware: not while running (said on the row); off, a dialog with the
 * warning changes UEFI to BIOS. */
static void
test_firmware_through_page (void)
{
  GtkWidget *page;
  GtkWindow *window = open_details (RUNNING_NAME, &page);
  RowCheck check = { page, "Disk vda (virtio)" };
  AdwMessageDialog *dialog;
  GtkWidget *extra;
  GtkWidget *button;
  GtkWidget *row;
  GList *checks = NULL;

  g_assert_true (wait_until (row_exists, &check));
  row = find_row (page, "Firmware");
  button = find_by_tooltip (row, "Change Firmware…");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));
  g_test_message ("running: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Shut the machine down"));
  gtk_window_destroy (window);

  window = open_details ("lodge-test-details-uefi", &page);
  row = NULL;
  {
    RowCheck fw = { page, "Firmware" };

    g_assert_true (wait_until (row_exists, &fw));
    row = find_row (page, "Firmware");
  }
  button = find_by_tooltip (row, "Change Firmware…");
  g_assert_true (wait_until (widget_sensitive, button));
  g_test_message ("off: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "UEFI with Secure Boot"));

  g_signal_emit_by_name (button, "clicked");
  g_assert_true (wait_until (dialog_shown, NULL));
  dialog = find_dialog ();
  extra = adw_message_dialog_get_extra_child (dialog);
  for (GtkWidget *it = gtk_widget_get_first_child (extra); it != NULL; it = gtk_widget_get_next_sibling (it))
    if (GTK_IS_CHECK_BUTTON (it))
      checks = g_list_append (checks, it);
    else if (GTK_IS_LABEL (it))
      {
        g_test_message ("warning: %s", gtk_label_get_text (GTK_LABEL (it)));
        g_assert_true (gtk_widget_has_css_class (it, "warning"));
        g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (it)), "may no longer start"));
      }
  g_assert_cmpuint (g_list_length (checks), ==, 3);
  /* Now UEFI with Secure Boot (Q35). */
  g_assert_false (gtk_check_button_get_active (checks->data));
  g_assert_true (gtk_check_button_get_active (checks->next->data));
  g_assert_true (gtk_check_button_get_active (checks->next->next->data));
  g_assert_true (gtk_widget_get_sensitive (checks->next->next->data));
  gtk_check_button_set_active (checks->data, TRUE);
  /* Secure Boot is a UEFI matter. */
  g_assert_false (gtk_widget_get_sensitive (checks->next->next->data));
  g_list_free (checks);
  adw_message_dialog_response (dialog, "ok");

  g_assert_true (wait_until (firmware_is_bios, (gpointer) "lodge-test-details-uefi"));
  g_assert_true (wait_until (subtitle_starts_bios, row));

  gtk_window_destroy (window);
}

static void
test_host_page (void)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = lodge_host_page_new (connection, history);
  RowCheck check = { page, "lodge-test-details-running" };
  GtkWidget *row;

  adw_window_set_content (ADW_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));

  /* The one running machine is among the top consumers after a tick. */
  g_assert_true (wait_until (row_exists, &check));
  row = find_row (page, "Running");
  g_assert_nonnull (row);
  {
    g_autofree char *expected = g_strdup_printf ("1 of %u machines",
                                                 g_list_model_get_n_items (G_LIST_MODEL (lodge_connection_get_machines (connection))));

    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected);
  }
  g_assert_nonnull (find_type (page, LODGE_TYPE_GRAPH));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  const char *show = g_getenv ("LODGE_DETAILS_SHOW");

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    lodge_test_skip_all ("no display");
  adw_init ();
  lodge_register_resource ();
  lodge_connection_init_events ();

  path = g_test_build_filename (G_TEST_DIST, "rich-node.xml", NULL);
  uri = g_getenv ("LODGE_DETAILS_URI") ? g_strdup (g_getenv ("LODGE_DETAILS_URI"))
                                       : g_strdup_printf ("test://%s", path);
  connection = lodge_connection_new (uri);
  lodge_connection_set_stats_interval (connection, 1);
  history = lodge_stats_history_new (connection);
  lodge_connection_open_async (connection, NULL, NULL, NULL);
  if (g_strcmp0 (show, "host") == 0)
    {
      GtkWidget *window = adw_window_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

      while (lodge_connection_get_state (connection) != LODGE_CONNECTION_STATE_CONNECTED)
        g_main_context_iteration (NULL, TRUE);
      gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
      gtk_box_append (GTK_BOX (box), lodge_host_page_new (connection, history));
      gtk_widget_set_vexpand (gtk_widget_get_last_child (box), TRUE);
      adw_window_set_content (ADW_WINDOW (window), box);
      gtk_window_set_default_size (GTK_WINDOW (window), 900, 980);
      gtk_window_present (GTK_WINDOW (window));
      while (TRUE)
        g_main_context_iteration (NULL, TRUE);
    }

  if (g_getenv ("LODGE_DETAILS_URI") != NULL)
    while (lodge_connection_get_state (connection) != LODGE_CONNECTION_STATE_CONNECTED
           || lodge_connection_lookup_machine (connection, g_getenv ("LODGE_DETAILS_MACHINE")) == NULL)
      g_main_context_iteration (NULL, TRUE);
  else
    {
      g_assert_true (wait_until (connection_ready, NULL));
      feed_history (lodge_connection_lookup_machine (connection, RUNNING_NAME));
    }

  if (show != NULL)
    {
      GtkWidget *page;
      GtkWindow *window;

      if (g_strcmp0 (show, "snapshots") == 0)
        {
          virConnectPtr conn = lodge_connection_ref_virconnect (connection);
          virDomainPtr dom = virDomainLookupByName (conn, RUNNING_NAME);
          const char *snaps[] = {
            "<domainsnapshot><name>Fresh install</name><description>Debian right after the installer</description></domainsnapshot>",
            "<domainsnapshot><name>Before upgrade</name></domainsnapshot>",
            "<domainsnapshot><name>Upgraded</name><description>All updates in</description></domainsnapshot>",
          };

          for (guint i = 0; i < G_N_ELEMENTS (snaps); i++)
            {
              virDomainSnapshotPtr snap = virDomainSnapshotCreateXML (dom, snaps[i], 0);

              virDomainSnapshotFree (snap);
              if (i == 1)
                {
                  snap = virDomainSnapshotLookupByName (dom, "Fresh install", 0);
                  virDomainRevertToSnapshot (snap, 0);
                  virDomainSnapshotFree (snap);
                }
            }
          virDomainFree (dom);
          virConnectClose (conn);
        }

      window = open_details (g_getenv ("LODGE_DETAILS_MACHINE") ? g_getenv ("LODGE_DETAILS_MACHINE")
                                                                           : RUNNING_NAME, &page);

      gtk_window_set_default_size (window, g_getenv ("LODGE_DETAILS_WIDTH") ? atoi (g_getenv ("LODGE_DETAILS_WIDTH")) : 900, 980);
      /* Keep the made-up figures: the test driver's own are all zero. */
      if (g_getenv ("LODGE_DETAILS_URI") == NULL)
        lodge_connection_set_stats_interval (connection, 0);
      lodge_details_page_show_section (LODGE_DETAILS_PAGE (page), show);
      if (g_getenv ("LODGE_DETAILS_SCROLL") != NULL)
        {
          GtkWidget *stack = find_type (page, ADW_TYPE_VIEW_STACK);
          GtkWidget *section = adw_view_stack_get_child_by_name (ADW_VIEW_STACK (stack), show);
          GtkWidget *scrolled = find_type (section, GTK_TYPE_SCROLLED_WINDOW);
          gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
          guint wake = g_timeout_add (20, wake_cb, NULL);
          GtkAdjustment *adj;

          while (g_get_monotonic_time () < end)
            g_main_context_iteration (NULL, TRUE);
          g_source_remove (wake);
          adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
          gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) * g_ascii_strtod (g_getenv ("LODGE_DETAILS_SCROLL"), NULL));
        }
      if (g_getenv ("LODGE_DETAILS_BREAK_XML") != NULL)
        {
          GtkWidget *stack = find_type (page, ADW_TYPE_VIEW_STACK);
          GtkWidget *xml_page = adw_view_stack_get_child_by_name (ADW_VIEW_STACK (stack), "xml");
          GtkTextView *view = GTK_TEXT_VIEW (find_type (xml_page, GTK_TYPE_TEXT_VIEW));
          RowCheck loaded = { page, "Disk vda (virtio)" };
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
          GtkTextIter start;
          GtkTextIter end;
          g_autofree char *text = NULL;
          g_autofree char *broken = NULL;
          g_auto(GStrv) parts = NULL;

          wait_until (row_exists, &loaded);
          gtk_text_buffer_get_bounds (buffer, &start, &end);
          text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
          parts = g_strsplit (text, "<devices>", 2);
          broken = g_strjoinv ("<devices>\n    <watchdog model='nonsense'/>", parts);
          gtk_text_buffer_set_text (buffer, broken, -1);
          gtk_widget_activate_action (page, "details.save-xml", NULL);
        }
      if (g_getenv ("LODGE_DETAILS_ACTION") != NULL)
        {
          RowCheck loaded = { page, "Disk vda (virtio)" };

          wait_until (row_exists, &loaded);
          if (g_getenv ("LODGE_DETAILS_ACTION_TARGET") != NULL)
            gtk_widget_activate_action (page, g_getenv ("LODGE_DETAILS_ACTION"), "s",
                                        g_getenv ("LODGE_DETAILS_ACTION_TARGET"));
          else
            gtk_widget_activate_action (page, g_getenv ("LODGE_DETAILS_ACTION"), NULL);
        }
      if (g_getenv ("LODGE_DETAILS_EXPAND") != NULL)
        {
          gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
          guint wake = g_timeout_add (20, wake_cb, NULL);
          g_auto(GStrv) titles = g_strsplit (g_getenv ("LODGE_DETAILS_EXPAND"), ",", -1);

          while (g_get_monotonic_time () < end)
            g_main_context_iteration (NULL, TRUE);
          g_source_remove (wake);
          /* Expander rows by their titles, e.g. "Exact Values". */
          for (guint i = 0; titles[i] != NULL; i++)
            {
              GtkWidget *expander = find_row (page, titles[i]);

              if (ADW_IS_EXPANDER_ROW (expander))
                adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
            }
        }
      if (g_getenv ("LODGE_DETAILS_POPUP") != NULL)
        {
          GtkWidget *button;
          gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
          guint wake = g_timeout_add (20, wake_cb, NULL);

          while (g_get_monotonic_time () < end)
            g_main_context_iteration (NULL, TRUE);
          g_source_remove (wake);
          /* A menu button by its tooltip, e.g. the USB picker's. */
          button = find_by_tooltip (page, g_getenv ("LODGE_DETAILS_POPUP"));
          if (GTK_IS_MENU_BUTTON (button))
            gtk_menu_button_popup (GTK_MENU_BUTTON (button));
        }
      while (TRUE)
        g_main_context_iteration (NULL, TRUE);
    }

  g_test_add_func ("/details/ui/rich-machine-shown", test_rich_machine_shown);
  g_test_add_func ("/details/ui/edits-through-page", test_edits_through_page);
  g_test_add_func ("/details/ui/clone-through-page", test_clone_through_page);
  g_test_add_func ("/details/ui/usb-picker", test_usb_picker);
  g_test_add_func ("/details/ui/firmware-through-page", test_firmware_through_page);
  g_test_add_func ("/details/ui/host-page", test_host_page);

  return g_test_run ();
}
