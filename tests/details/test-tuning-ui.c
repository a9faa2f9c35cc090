/* test-tuning-ui.c: the details page's Performance and Limits on a real
 * small guest, driven like a user, checked in the kernel (suite
 * "integration": root, libvirtd, QEMU, a display)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-tuning-ui"

#include "config.h"

#include <adwaita.h>

#include "details-test-util.h"
#include "model/lodge-machine-tuning.h"
#include "tuning-test-util.h"
#include "ui/lodge-details-page.h"
#include "ui/lodge-performance-section.h"

void lodge_register_resource (void);

#define UI_WAIT_MS 30000

static LodgeConnection *connection;
static GtkWidget *section;

/* Runs the main loop until check passes or UI_WAIT_MS went by. */
static gboolean
ui_wait_until (CheckFunc check,
               gpointer  data)
{
  gint64 end = g_get_monotonic_time () + (gint64) UI_WAIT_MS * 1000;

  while (!check (data))
    {
      if (g_get_monotonic_time () > end)
        return check (data);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  return TRUE;
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type,
             const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    {
      const char *text = NULL;

      if (ADW_IS_PREFERENCES_ROW (widget))
        text = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
      else if (ADW_IS_PREFERENCES_GROUP (widget))
        text = adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget));
      else if (GTK_IS_BUTTON (widget))
        text = gtk_button_get_label (GTK_BUTTON (widget));
      if (title == NULL || g_strcmp0 (text, title) == 0)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
row (const char *title)
{
  GtkWidget *found = find_widget (section, ADW_TYPE_PREFERENCES_ROW, title);

  g_assert_nonnull (found);
  return found;
}

static GtkSpinButton *
row_spin (const char *title)
{
  return GTK_SPIN_BUTTON (find_widget (row (title), GTK_TYPE_SPIN_BUTTON, NULL));
}

static GtkWidget *
apply_button (const char *group_title)
{
  GtkWidget *group = find_widget (section, ADW_TYPE_PREFERENCES_GROUP, group_title);

  g_assert_nonnull (group);
  return find_widget (group, GTK_TYPE_BUTTON, "_Apply");
}

static gboolean
subtitle_is (gpointer data)
{
  const char **want = data;

  return g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row (want[0]))), want[1]) == 0;
}

static gboolean
machine_listed (gpointer data)
{
  return lodge_connection_get_state (connection) == LODGE_CONNECTION_STATE_CONNECTED
         && lodge_connection_lookup_machine (connection, name) != NULL;
}

typedef struct
{
  const char *controller;
  const char *file;
  guint64     value;
} CgroupCheck;

static gboolean
cgroup_has (gpointer data)
{
  CgroupCheck *check = data;
  g_auto(Cgroup) cg = { 0 };

  cgroup_find (check->controller, &cg);
  return cgroup_read_number (&cg, check->file) == check->value;
}

static AdwMessageDialog *
message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return message_dialog () != NULL;
}

static void
test_priority_and_cap (void)
{
  g_auto(Cgroup) cg = { 0 };
  const char *loaded[] = { "Processor Cap", "Running with no cap" };
  const char *capped[] = { "Processor Cap", "Running with 30 % of a core" };
  CgroupCheck shares = { "cpu", NULL, 0 };
  CgroupCheck quota = { "cpu", NULL, 30000 };
  g_autofree char *weight_text = NULL;
  const char *weighted[] = { "Weight", NULL };
  guint64 default_shares;
  guint64 high;

  /* Loaded: the running machine's values are said. */
  g_assert_true (ui_wait_until (subtitle_is, loaded));
  cgroup_find ("cpu", &cg);
  default_shares = cgroup_read_number (&cg, cg.v2 ? "cpu.weight" : "cpu.shares");
  high = lodge_cpu_priority_get_shares (LODGE_CPU_PRIORITY_HIGH, default_shares);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row ("Priority"))), ==, LODGE_CPU_PRIORITY_NORMAL);
  g_assert_false (gtk_widget_get_sensitive (apply_button ("Processor")));

  /* High, as a user picks it: the exact weight below follows, Apply
   * becomes possible, and the kernel gets it. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (row ("Priority")), LODGE_CPU_PRIORITY_HIGH);
  g_assert_cmpuint ((guint64) gtk_spin_button_get_value (row_spin ("Weight")), ==, high);
  g_assert_true (gtk_widget_get_sensitive (apply_button ("Processor")));
  gtk_widget_activate (apply_button ("Processor"));
  shares.file = cg.v2 ? "cpu.weight" : "cpu.shares";
  shares.value = high;
  g_assert_true (ui_wait_until (cgroup_has, &shares));

  /* Read back from the running machine and shown. */
  weight_text = g_strdup_printf ("Running with %" G_GUINT64_FORMAT, high);
  weighted[1] = weight_text;
  g_assert_true (ui_wait_until (subtitle_is, weighted));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row ("Priority"))), ==, LODGE_CPU_PRIORITY_HIGH);
  g_assert_false (gtk_widget_get_sensitive (apply_button ("Processor")));

  /* A cap typed into the simple control. */
  gtk_spin_button_set_value (row_spin ("Processor Cap"), 30);
  gtk_widget_activate (apply_button ("Processor"));
  quota.file = cg.v2 ? "vcpu0/cpu.max" : "vcpu0/cpu.cfs_quota_us";
  if (!cg.v2)
    g_assert_true (ui_wait_until (cgroup_has, &quota));
  g_assert_true (ui_wait_until (subtitle_is, capped));
}

/* Tab from the top of the page reaches the simple controls, the exact
 * values once expanded, and the Apply buttons. */
static void
test_keyboard (void)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (section));
  g_autoptr(GPtrArray) reached = g_ptr_array_new ();
  GtkWidget *wanted[] = {
    row ("Priority"),
    GTK_WIDGET (row_spin ("Processor Cap")),
    GTK_WIDGET (row_spin ("Weight")),
    GTK_WIDGET (row_spin ("Memory Limit")),
    GTK_WIDGET (row_spin ("Disk vda")),
    apply_button ("Memory"),
  };

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row ("Exact Values")), TRUE);
  gtk_spin_button_set_value (row_spin ("Memory Limit"), 2048);   /* Apply is focusable when enabled */
  gtk_widget_grab_focus (row ("Priority"));
  for (guint i = 0; i < 200; i++)
    {
      GtkWidget *focus;

      g_main_context_iteration (NULL, FALSE);
      focus = gtk_root_get_focus (GTK_ROOT (root));
      for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
        g_ptr_array_add (reached, w);
      if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
        break;
    }
  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    {
      g_test_message ("reached by Tab: %s %s", G_OBJECT_TYPE_NAME (wanted[i]),
                      g_ptr_array_find (reached, wanted[i], NULL) ? "yes" : "NO");
      g_assert_true (g_ptr_array_find (reached, wanted[i], NULL));
    }
  gtk_spin_button_set_value (row_spin ("Memory Limit"), 0);
}

static void
test_bad_limit_said (void)
{
  AdwMessageDialog *dialog;
  g_auto(Cgroup) cg = { 0 };
  const char *loaded[] = { "Memory Limit", "Running with no limit" };

  g_assert_true (ui_wait_until (subtitle_is, loaded));
  cgroup_find ("memory", &cg);

  /* 64 MiB under a 160 MiB machine: a message, the kernel's limit kept. */
  gtk_spin_button_set_value (row_spin ("Memory Limit"), 64);
  gtk_widget_activate (apply_button ("Memory"));
  g_assert_true (ui_wait_until (dialog_shown, NULL));
  dialog = message_dialog ();
  g_test_message ("%s: %s", adw_message_dialog_get_heading (dialog), adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "64"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "160"));
  g_assert_cmpuint (cgroup_read_number (&cg, cg.v2 ? "memory.max" : "memory.limit_in_bytes"),
                    >=, G_GUINT64_CONSTANT (1) << 62);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int    argc,
      char **argv)
{
  GtkWindow *window;
  GtkWidget *page;
  int ret;

  g_test_init (&argc, &argv, NULL);
  details_test_init_libvirt ();
  if (!gtk_init_check ())
    lodge_test_skip_all ("no display (run under xvfb-run)");
  adw_init ();
  lodge_register_resource ();
  lodge_connection_init_events ();

  tuning_test_start_guest ();

  connection = lodge_connection_new (URI);
  lodge_connection_open_async (connection, NULL, NULL, NULL);
  g_assert_true (ui_wait_until (machine_listed, NULL));

  window = lodge_details_window_new (NULL, lodge_connection_lookup_machine (connection, name), NULL);
  gtk_window_set_default_size (window, 900, 900);
  gtk_window_present (window);
  page = adw_window_get_content (ADW_WINDOW (window));
  lodge_details_page_show_section (LODGE_DETAILS_PAGE (page), "performance");
  section = find_widget (page, LODGE_TYPE_PERFORMANCE_SECTION, NULL);
  g_assert_nonnull (section);

  g_test_add_func ("/tuning/ui/priority-and-cap", test_priority_and_cap);
  g_test_add_func ("/tuning/ui/keyboard", test_keyboard);
  g_test_add_func ("/tuning/ui/bad-limit-said", test_bad_limit_said);

  ret = g_test_run ();

  gtk_window_destroy (window);
  g_clear_object (&connection);
  tuning_test_stop_guest ();
  return ret;
}
