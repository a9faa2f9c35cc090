/* lodge-ui-util.c: helpers shared by the files of the ui layer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <time.h>
#include <unistd.h>

#include "console/lodge-types.h"
#include "ui/lodge-ui-private.h"

typedef struct
{
  const char *needle;
  const char *family;
  const char *icon_name;
} OsFamily;

/* Checked in order against the libosinfo id (a URL such as
 * "http://fedoraproject.org/fedora/37"); the first match wins. */
static const OsFamily os_families[] = {
  { "fedora",    N_("Fedora"),       "utilities-terminal-symbolic" },
  { "rhel",      N_("Red Hat Enterprise Linux"), "utilities-terminal-symbolic" },
  { "redhat",    N_("Red Hat Enterprise Linux"), "utilities-terminal-symbolic" },
  { "centos",    N_("CentOS"),       "utilities-terminal-symbolic" },
  { "debian",    N_("Debian"),       "utilities-terminal-symbolic" },
  { "ubuntu",    N_("Ubuntu"),       "utilities-terminal-symbolic" },
  { "opensuse",  N_("openSUSE"),     "utilities-terminal-symbolic" },
  { "suse",      N_("SUSE"),         "utilities-terminal-symbolic" },
  { "archlinux", N_("Arch Linux"),   "utilities-terminal-symbolic" },
  { "alpine",    N_("Alpine Linux"), "utilities-terminal-symbolic" },
  { "linux",     N_("Linux"),        "utilities-terminal-symbolic" },
  { "microsoft", N_("Windows"),      "video-display-symbolic" },
  { "win",       N_("Windows"),      "video-display-symbolic" },
  { "freebsd",   N_("FreeBSD"),      "network-server-symbolic" },
  { "openbsd",   N_("OpenBSD"),      "network-server-symbolic" },
  { "netbsd",    N_("NetBSD"),       "network-server-symbolic" },
  { "bsd",       N_("BSD"),          "network-server-symbolic" },
  { "android",   N_("Android"),      "phone-symbolic" },
};

static const OsFamily *
find_os_family (const char *os_id)
{
  g_autofree char *lower = NULL;

  if (os_id == NULL || os_id[0] == '\0')
    return NULL;

  lower = g_ascii_strdown (os_id, -1);
  for (guint i = 0; i < G_N_ELEMENTS (os_families); i++)
    if (strstr (lower, os_families[i].needle) != NULL)
      return &os_families[i];

  return NULL;
}

const char *
lodge_ui_os_icon_name (const char *os_id)
{
  const OsFamily *family = find_os_family (os_id);

  return family != NULL ? family->icon_name : "computer-symbolic";
}

const char *
lodge_ui_os_family_name (const char *os_id)
{
  const OsFamily *family = find_os_family (os_id);

  if (family != NULL)
    return _(family->family);
  if (os_id == NULL || os_id[0] == '\0')
    return _("Unknown system");
  return _("Other system");
}

const char *
lodge_ui_state_label (LodgeMachineState state)
{
  switch (state)
    {
    case LODGE_MACHINE_STATE_RUNNING:
    case LODGE_MACHINE_STATE_BLOCKED:
      return C_("machine state", "Running");
    case LODGE_MACHINE_STATE_PAUSED:
      return C_("machine state", "Paused");
    case LODGE_MACHINE_STATE_SHUTTING_DOWN:
      return C_("machine state", "Shutting down");
    case LODGE_MACHINE_STATE_SHUT_OFF:
      return C_("machine state", "Off");
    case LODGE_MACHINE_STATE_CRASHED:
      return C_("machine state", "Crashed");
    case LODGE_MACHINE_STATE_SUSPENDED:
      return C_("machine state", "Suspended");
    case LODGE_MACHINE_STATE_SAVED:
      return C_("machine state", "Saved");
    case LODGE_MACHINE_STATE_UNKNOWN:
    default:
      return C_("machine state", "Unknown");
    }
}

const char *
lodge_ui_state_css_class (LodgeMachineState state)
{
  switch (state)
    {
    case LODGE_MACHINE_STATE_RUNNING:
    case LODGE_MACHINE_STATE_BLOCKED:
    case LODGE_MACHINE_STATE_SHUTTING_DOWN:
      return "running";
    case LODGE_MACHINE_STATE_PAUSED:
    case LODGE_MACHINE_STATE_SUSPENDED:
      return "paused";
    case LODGE_MACHINE_STATE_CRASHED:
      return "crashed";
    case LODGE_MACHINE_STATE_SAVED:
      return "saved";
    case LODGE_MACHINE_STATE_SHUT_OFF:
    case LODGE_MACHINE_STATE_UNKNOWN:
    default:
      return "off";
    }
}

int
lodge_ui_state_sort_key (LodgeMachineState state)
{
  switch (state)
    {
    case LODGE_MACHINE_STATE_RUNNING:
    case LODGE_MACHINE_STATE_BLOCKED:
      return 0;
    case LODGE_MACHINE_STATE_SHUTTING_DOWN:
      return 1;
    case LODGE_MACHINE_STATE_PAUSED:
    case LODGE_MACHINE_STATE_SUSPENDED:
      return 2;
    case LODGE_MACHINE_STATE_SAVED:
      return 3;
    case LODGE_MACHINE_STATE_CRASHED:
      return 4;
    case LODGE_MACHINE_STATE_SHUT_OFF:
      return 5;
    case LODGE_MACHINE_STATE_UNKNOWN:
    default:
      return 6;
    }
}

char *
lodge_ui_usage_text (LodgeMachine *machine)
{
  double cpu;
  guint64 used;
  g_autofree char *memory = NULL;

  g_return_val_if_fail (LODGE_IS_MACHINE (machine), NULL);

  if (!lodge_machine_is_active (machine))
    return NULL;

  cpu = lodge_machine_get_cpu_usage (machine);
  used = lodge_machine_get_memory_used (machine);
  if (cpu < 0 && used == 0)
    return NULL;

  if (used > 0)
    memory = g_format_size (used);

  if (cpu >= 0 && memory != NULL)
    /* Translators: processor use in percent, then memory use like "310.5 MB" */
    return g_strdup_printf (_("%.0f %% CPU · %s"), cpu, memory);
  if (cpu >= 0)
    return g_strdup_printf (_("%.0f %% CPU"), cpu);
  return g_steal_pointer (&memory);
}

double
lodge_ui_ms_since_process_start (void)
{
  g_autofree char *contents = NULL;
  const char *p;
  struct timespec now;
  unsigned long long start_ticks = 0;
  long ticks_per_second = sysconf (_SC_CLK_TCK);

  if (!g_file_get_contents ("/proc/self/stat", &contents, NULL, NULL))
    return -1;

  /* The command name may contain spaces: fields are counted after ')'. */
  p = strrchr (contents, ')');
  if (p == NULL)
    return -1;
  p++;
  /* starttime is field 22; after ")" comes field 3. */
  for (int field = 3; field < 22 && p != NULL; field++)
    {
      p = strchr (p + 1, ' ');
    }
  if (p == NULL || sscanf (p, " %llu", &start_ticks) != 1 || ticks_per_second <= 0)
    return -1;

  clock_gettime (CLOCK_BOOTTIME, &now);
  return (now.tv_sec * 1000.0 + now.tv_nsec / 1e6)
         - (start_ticks * 1000.0 / ticks_per_second);
}

static void
lodge_ui_window_parent_destroyed_cb (GtkWindow *window)
{
  gtk_window_set_transient_for (window, NULL);
  gtk_window_destroy (window);
}

void
lodge_ui_window_set_parent (GtkWindow *window,
                            GtkWindow *parent)
{
  g_return_if_fail (GTK_IS_WINDOW (window));
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  /* Ours does that, and lets go of the parent first. */
  gtk_window_set_destroy_with_parent (window, FALSE);
  if (parent != NULL)
    g_signal_connect_object (parent, "destroy", G_CALLBACK (lodge_ui_window_parent_destroyed_cb),
                             window, G_CONNECT_SWAPPED);
  gtk_window_set_transient_for (window, parent);
}

void
lodge_ui_dialog_add_choice (AdwMessageDialog *dialog,
                            const char       *id,
                            const char       *label,
                            gboolean          destructive)
{
  g_return_if_fail (ADW_IS_MESSAGE_DIALOG (dialog));
  g_return_if_fail (id != NULL && label != NULL);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), id, label, NULL);
  adw_message_dialog_set_response_appearance (dialog, id,
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE
                                                          : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, destructive ? "cancel" : id);
  adw_message_dialog_set_close_response (dialog, "cancel");
}

/* Hosts ------------------------------------------------------------------- */

char *
lodge_ui_host_title (LodgeHost *host)
{
  LodgeUri *uri;
  const char *label;

  g_return_val_if_fail (LODGE_IS_HOST (host), NULL);

  label = lodge_host_get_label (host);
  if (label != NULL)
    return g_strdup (label);

  uri = lodge_host_get_uri (host);
  if (lodge_uri_is_test (uri))
    {
      const char *path = lodge_uri_get_path (uri);

      g_autofree char *base = NULL;

      if (g_strcmp0 (path, "/default") == 0 || path == NULL || *path == '\0')
        return g_strdup (_("Test Driver"));
      base = g_path_get_basename (path);
      /* Translators: a host of libvirt's test driver, %s its file */
      return g_strdup_printf (_("Test: %s"), base);
    }
  if (lodge_uri_is_remote (uri))
    {
      const char *host_name = lodge_uri_get_host (uri);

      if (host_name == NULL)
        return g_strdup (lodge_uri_get_string (uri));
      if (lodge_uri_is_session (uri) && lodge_uri_get_user (uri) != NULL)
        /* Translators: a user's own machines on another computer: user@host */
        return g_strdup_printf (_("%s@%s"), lodge_uri_get_user (uri), host_name);
      return g_strdup (host_name);
    }
  if (lodge_uri_is_session (uri))
    return g_strdup (_("This Computer (Session)"));
  if (lodge_uri_is_system (uri))
    return g_strdup (_("This Computer"));
  return g_strdup (lodge_uri_get_string (uri));
}

char *
lodge_ui_host_status (LodgeHost *host)
{
  LodgeConnection *connection;
  const GError *error;
  gint64 retry;
  guint seconds = 0;

  g_return_val_if_fail (LODGE_IS_HOST (host), NULL);

  connection = lodge_host_get_connection (host);
  error = lodge_host_get_error (host);
  retry = lodge_connection_get_retry_time (connection);
  if (retry > 0)
    seconds = (guint) MAX (0, (retry - g_get_monotonic_time () + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  switch (lodge_host_get_state (host))
    {
    case LODGE_CONNECTION_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case LODGE_CONNECTION_STATE_CONNECTED:
      {
        guint n = lodge_host_get_n_machines (host);
        guint running = lodge_host_get_n_running (host);

        if (n == 0)
          return g_strdup (_("No machines"));
        /* Translators: machines of a host: "2 of 12 running" */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u running", "%u of %u running", n),
                                running, n);
      }
    case LODGE_CONNECTION_STATE_RECONNECTING:
      if (retry > 0)
        /* Translators: the connection to a host was lost */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Lost: trying again in %u second",
                                             "Lost: trying again in %u seconds", seconds), seconds);
      return g_strdup (_("Lost: reconnecting…"));
    case LODGE_CONNECTION_STATE_FAILED:
      if (retry > 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Could not connect (trying again in %u second): %s",
                                             "Could not connect (trying again in %u seconds): %s",
                                             seconds),
                                seconds, error != NULL ? error->message : _("unknown error"));
      return g_strdup_printf (_("Could not connect: %s"),
                              error != NULL ? error->message : _("unknown error"));
    case LODGE_CONNECTION_STATE_DISCONNECTED:
    default:
      if (lodge_host_get_disconnected_by_user (host))
        return g_strdup (_("Disconnected"));
      return g_strdup (_("Not connected"));
    }
}

const char *
lodge_ui_host_icon_name (LodgeHost *host)
{
  g_return_val_if_fail (LODGE_IS_HOST (host), NULL);

  return lodge_uri_is_remote (lodge_host_get_uri (host)) ? "network-server-symbolic"
                                                         : "computer-symbolic";
}

/* Migrations -------------------------------------------------------------- */

const char *
lodge_ui_migration_phase_label (LodgeMigrationPhase phase)
{
  switch (phase)
    {
    case LODGE_MIGRATION_PHASE_NONE:
    case LODGE_MIGRATION_PHASE_SETUP:
      return _("Getting the other host ready…");
    case LODGE_MIGRATION_PHASE_DISKS:
      return _("Copying the disks…");
    case LODGE_MIGRATION_PHASE_MEMORY:
      return _("Copying the memory while the machine runs…");
    case LODGE_MIGRATION_PHASE_POST_COPY:
      return _("Running on the other host; the rest of its memory follows…");
    case LODGE_MIGRATION_PHASE_FINISHING:
      return _("Switching over…");
    case LODGE_MIGRATION_PHASE_DONE:
      return _("Done");
    case LODGE_MIGRATION_PHASE_CANCELLED:
      return _("Cancelled");
    case LODGE_MIGRATION_PHASE_FAILED:
    default:
      return _("Failed");
    }
}

double
lodge_ui_migration_fraction (LodgeMigration *migration)
{
  guint64 done, remaining;

  g_return_val_if_fail (LODGE_IS_MIGRATION (migration), -1);

  if (lodge_migration_get_phase (migration) == LODGE_MIGRATION_PHASE_DONE)
    return 1.0;
  done = lodge_migration_get_memory_processed (migration) + lodge_migration_get_disk_processed (migration);
  remaining = lodge_migration_get_memory_remaining (migration) + lodge_migration_get_disk_remaining (migration);
  if (done + remaining == 0)
    return -1;
  return (double) done / (double) (done + remaining);
}

char *
lodge_ui_migration_details (LodgeMigration *migration)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint64 done, total, rate, dirty, downtime, elapsed;

  g_return_val_if_fail (LODGE_IS_MIGRATION (migration), NULL);

  done = lodge_migration_get_memory_processed (migration) + lodge_migration_get_disk_processed (migration);
  total = done + lodge_migration_get_memory_remaining (migration) +
          lodge_migration_get_disk_remaining (migration);
  rate = lodge_migration_get_rate (migration);
  dirty = lodge_migration_get_dirty_rate (migration);
  downtime = lodge_migration_get_phase (migration) == LODGE_MIGRATION_PHASE_DONE
             ? lodge_migration_get_downtime (migration)
             : lodge_migration_get_expected_downtime (migration);
  elapsed = lodge_migration_get_elapsed (migration) / 1000;

  if (total > 0)
    {
      g_autofree char *a = g_format_size_full (done, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *b = g_format_size_full (total, G_FORMAT_SIZE_IEC_UNITS);

      /* Translators: data of a migration sent so far, of all to send */
      g_ptr_array_add (parts, g_strdup_printf (_("%s of %s"), a, b));
    }
  if (rate > 0)
    {
      g_autofree char *r = g_format_size_full (rate, G_FORMAT_SIZE_IEC_UNITS);

      g_ptr_array_add (parts, g_strdup_printf (_("%s/s"), r));
    }
  if (dirty > 0)
    {
      g_autofree char *d = g_format_size_full (dirty, G_FORMAT_SIZE_IEC_UNITS);

      g_ptr_array_add (parts, g_strdup_printf (_("the machine changes %s/s"), d));
    }
  if (downtime > 0)
    g_ptr_array_add (parts, lodge_migration_get_phase (migration) == LODGE_MIGRATION_PHASE_DONE
                            ? g_strdup_printf (_("paused %" G_GUINT64_FORMAT " ms"), downtime)
                            : g_strdup_printf (_("expected pause %" G_GUINT64_FORMAT " ms"), downtime));
  g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT,
                                           elapsed / 60, elapsed % 60));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Helpers ------------------------------------------------------------------ */

char *
lodge_ui_dup_helper_path (const char *name)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  g_return_val_if_fail (name != NULL, NULL);

  /* Tests and "lodge-dev run" use the build directory's programs, which
   * may differ from an installed Lodge. */
  if (self != NULL && g_str_has_prefix (self, LODGE_BUILD_ROOT "/"))
    return g_build_filename (LODGE_BUILD_ROOT, "src", name, NULL);
  return g_build_filename (LIBEXECDIR, name, NULL);
}

/* The send-key menu: key combinations a window manager or the host would
 * take for itself, in groups. Targets are LodgeSendKey values. */
static const struct
{
  const char *label;
  int         group;
} send_keys[] = {
  [LODGE_SEND_KEY_CTRL_ALT_DEL]       = { N_("Ctrl+Alt+Del"), 0 },
  [LODGE_SEND_KEY_CTRL_ALT_BACKSPACE] = { N_("Ctrl+Alt+Backspace"), 0 },
  [LODGE_SEND_KEY_CTRL_ALT_F1]        = { N_("Ctrl+Alt+F1"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F2]        = { N_("Ctrl+Alt+F2"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F3]        = { N_("Ctrl+Alt+F3"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F4]        = { N_("Ctrl+Alt+F4"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F5]        = { N_("Ctrl+Alt+F5"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F6]        = { N_("Ctrl+Alt+F6"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F7]        = { N_("Ctrl+Alt+F7"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F8]        = { N_("Ctrl+Alt+F8"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F9]        = { N_("Ctrl+Alt+F9"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F10]       = { N_("Ctrl+Alt+F10"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F11]       = { N_("Ctrl+Alt+F11"), 1 },
  [LODGE_SEND_KEY_CTRL_ALT_F12]       = { N_("Ctrl+Alt+F12"), 1 },
  [LODGE_SEND_KEY_PRINT_SCREEN]       = { N_("Print Screen"), 2 },
  [LODGE_SEND_KEY_SYSRQ]              = { N_("SysRq"), 2 },
};

GMenuModel *
lodge_ui_send_key_menu_new (const char *action)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) section = NULL;
  int group = -1;

  g_return_val_if_fail (action != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (send_keys); i++)
    {
      g_autoptr(GMenuItem) item = NULL;

      if (send_keys[i].group != group)
        {
          if (section != NULL)
            g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
          g_clear_object (&section);
          section = g_menu_new ();
          group = send_keys[i].group;
        }
      item = g_menu_item_new (_(send_keys[i].label), NULL);
      g_menu_item_set_action_and_target_value (item, action, g_variant_new_int32 ((gint32) i));
      g_menu_append_item (section, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  return G_MENU_MODEL (menu);
}
