/* lodge-details-page.c: everything about one machine, and its changes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-details-page"

#include "config.h"

#include <glib/gi18n.h>

#include "model/lodge-clone.h"
#include "model/lodge-machine-config.h"
#include "model/lodge-machine-editor.h"
#include "model/lodge-snapshots.h"
#include "ui/lodge-details-page.h"
#include "ui/lodge-graph.h"
#include "ui/lodge-performance-section.h"
#include "ui/lodge-ui-private.h"

struct _LodgeDetailsPage
{
  GtkWidget           parent_instance;

  LodgeMachine       *machine;
  LodgeStatsHistory  *history;
  LodgeMachineEditor *editor;
  LodgeSnapshots     *snapshots;
  LodgeMachineConfig *config;          /* live when running, else inactive */
  LodgeMachineConfig *inactive_config;
  GCancellable       *cancellable;
  GPtrArray          *disk_usage;
  GPtrArray          *dynamic_rows;    /* rows made from the definition */
  GPtrArray          *snapshot_rows;
  GPtrArray          *boot_entries;
  GPtrArray          *snapshot_list;
  char               *log_text;
  gint64              start_time;
  guint               uptime_source;
  guint               filling : 1;
  guint               xml_dirty : 1;
  guint               holds_fast_stats : 1;

  /* template children */
  GtkWidget          *box;
  GtkWidget          *back_button;
  AdwViewSwitcherTitle *switcher_title;
  AdwToastOverlay    *toast_overlay;
  AdwViewStack       *stack;
  LodgePerformanceSection *performance_section;
  GtkImage           *os_image;
  GtkLabel           *name_label;
  GtkLabel           *kind_label;
  AdwActionRow       *os_row;
  AdwActionRow       *state_row;
  AdwActionRow       *uptime_row;
  AdwActionRow       *addresses_row;
  AdwActionRow       *host_row;
  AdwEntryRow        *description_row;
  GtkGrid            *graphs_grid;
  AdwActionRow       *clone_row;
  AdwActionRow       *memory_row;
  AdwActionRow       *vcpus_row;
  GtkSpinButton      *memory_spin;
  GtkSpinButton      *vcpus_spin;
  GtkAdjustment      *memory_adjustment;
  GtkAdjustment      *vcpus_adjustment;
  GtkWidget          *resources_apply_button;
  AdwPreferencesGroup *disks_group;
  AdwPreferencesGroup *network_group;
  AdwComboRow        *display_row;
  AdwActionRow       *gl_row;
  GtkSwitch          *gl_switch;
  AdwComboRow        *sound_row;
  AdwPreferencesGroup *usb_group;
  GtkListBox         *usb_list;
  GtkPopover         *usb_popover;
  AdwActionRow       *firmware_row;
  GtkSwitch          *autostart_switch;
  AdwPreferencesGroup *boot_group;
  GtkWidget          *boot_apply_button;
  AdwPreferencesGroup *other_group;
  AdwPreferencesGroup *snapshots_group;
  AdwActionRow       *console_row;
  GtkTextView        *log_view;
  GtkTextView        *xml_view;
  GtkLabel           *xml_error_label;

  LodgeGraph         *cpu_graph;
  LodgeGraph         *memory_graph;
  LodgeGraph         *disk_graph;
  LodgeGraph         *net_graph;
};

G_DEFINE_FINAL_TYPE (LodgeDetailsPage, lodge_details_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_HISTORY,
  PROP_SHOW_BACK_BUTTON,
  N_PROPS
};

enum {
  SIGNAL_BACK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *sound_models[] = { NULL, "ich9", "ich6", "ac97" };

typedef struct
{
  char      *key;        /* disk target or MAC */
  GtkWidget *check;
  GtkWidget *row;
} BootEntry;

static void
boot_entry_free (BootEntry *entry)
{
  g_free (entry->key);
  g_free (entry);
}

static void lodge_details_page_load_all       (LodgeDetailsPage *self);
static void lodge_details_page_fill_snapshots (LodgeDetailsPage *self);
static void lodge_details_page_hold_fast_stats (LodgeDetailsPage *self,
                                               gboolean          hold);

/* Messages */

static void
lodge_details_page_toast (LodgeDetailsPage *self,
                          const char       *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
lodge_details_page_show_error (LodgeDetailsPage *self,
                               const char       *heading,
                               const GError     *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Which machine, then libvirt's own words. */
  if (self->machine != NULL)
    body = g_strdup_printf ("%s\n\n%s", lodge_machine_get_display_name (self->machine),
                            error ? error->message : "");
  else
    body = g_strdup (error ? error->message : NULL);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static const char *
lodge_details_page_name (LodgeDetailsPage *self)
{
  return self->machine ? lodge_machine_get_display_name (self->machine) : "";
}

/* Edits: one completion for all of them. */

typedef struct
{
  LodgeDetailsPage *self;
  char             *done;
  char             *failed;
} EditCall;

static EditCall *
edit_call_new (LodgeDetailsPage *self,
               const char       *done,
               const char       *failed)
{
  EditCall *call = g_new0 (EditCall, 1);

  call->self = g_object_ref (self);
  call->done = g_strdup (done);
  call->failed = g_strdup (failed);
  return call;
}

static void
edit_call_free (EditCall *call)
{
  g_object_unref (call->self);
  g_free (call->done);
  g_free (call->failed);
  g_free (call);
}

static void
lodge_details_page_edit_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  EditCall *call = user_data;
  LodgeDetailsPage *self = call->self;
  g_autoptr(GError) error = NULL;
  LodgeEditOutcome outcome = LODGE_EDIT_APPLIED;

  if (!lodge_machine_editor_edit_finish (LODGE_MACHINE_EDITOR (object), result, &outcome, &error))
    lodge_details_page_show_error (self, call->failed, error);
  else if (outcome == LODGE_EDIT_APPLIES_AT_NEXT_BOOT)
    {
      g_autofree char *text = g_strdup_printf (_("%s: applies at next boot"), call->done);

      lodge_details_page_toast (self, text);
    }
  else
    lodge_details_page_toast (self, call->done);

  if (self->machine != NULL)
    lodge_details_page_load_all (self);
  edit_call_free (call);
}

#define EDIT_CB(self, done, failed) \
  lodge_details_page_edit_cb, edit_call_new ((self), (done), (failed))

/* Filling the page from the definition */

static void
lodge_details_page_clear_rows (LodgeDetailsPage *self,
                               GPtrArray        *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (rows, 0);
}

static GtkWidget *
lodge_details_page_add_row (LodgeDetailsPage    *self,
                            AdwPreferencesGroup *group,
                            const char          *title,
                            const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->dynamic_rows, row);
  return row;
}

static GtkWidget *
lodge_details_page_row_button (GtkWidget  *row,
                               const char *icon_name,
                               const char *tooltip,
                               const char *action_name,
                               const char *target)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  /* Icon-only: screen readers need the words too. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return button;
}

static const LodgeDiskUsage *
lodge_details_page_find_usage (LodgeDetailsPage *self,
                               const char       *target)
{
  for (guint i = 0; self->disk_usage != NULL && i < self->disk_usage->len; i++)
    {
      const LodgeDiskUsage *usage = g_ptr_array_index (self->disk_usage, i);

      if (g_strcmp0 (usage->target, target) == 0)
        return usage;
    }
  return NULL;
}

static char *
lodge_details_page_disk_subtitle (LodgeDetailsPage *self,
                                  LodgeDevice      *device)
{
  const LodgeDiskUsage *usage = lodge_details_page_find_usage (self, device->target);
  g_autoptr(GString) text = g_string_new (NULL);

  if (device->source == NULL)
    return g_strdup (device->kind == LODGE_DEVICE_KIND_DISK ? _("No file") : _("Empty"));

  g_string_append (text, device->source);
  if (usage != NULL && device->kind == LODGE_DEVICE_KIND_DISK)
    {
      g_autofree char *capacity = g_format_size (usage->capacity);
      g_autofree char *used = g_format_size (usage->allocation);

      /* Translators: "path · 20 GB, 3.1 GB used · qcow2" */
      g_string_append_printf (text, _(" · %s, %s used"), capacity, used);
    }
  if (device->format != NULL)
    g_string_append_printf (text, " · %s", device->format);
  if (device->readonly && device->kind == LODGE_DEVICE_KIND_DISK)
    g_string_append_printf (text, " · %s", _("read-only"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
lodge_details_page_fill_disks (LodgeDetailsPage *self)
{
  GPtrArray *devices = lodge_machine_config_get_devices (self->config);

  for (guint i = 0; i < devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (device->kind != LODGE_DEVICE_KIND_DISK && device->kind != LODGE_DEVICE_KIND_CDROM
          && device->kind != LODGE_DEVICE_KIND_FLOPPY)
        continue;

      if (device->kind == LODGE_DEVICE_KIND_CDROM)
        title = g_strdup_printf (_("CD/DVD Drive %s"), device->target ? device->target : "");
      else if (device->kind == LODGE_DEVICE_KIND_FLOPPY)
        title = g_strdup_printf (_("Floppy Drive %s"), device->target ? device->target : "");
      else
        title = g_strdup_printf (_("Disk %s (%s)"), device->target ? device->target : "",
                                 device->bus ? device->bus : _("unknown bus"));
      subtitle = lodge_details_page_disk_subtitle (self, device);
      row = lodge_details_page_add_row (self, self->disks_group, title, subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name (device->kind == LODGE_DEVICE_KIND_DISK
                                                               ? "drive-harddisk-symbolic"
                                                               : "media-optical-symbolic"));

      if (device->target == NULL || !lodge_device_is_editable (device))
        continue;

      if (device->kind == LODGE_DEVICE_KIND_DISK)
        {
          if (device->source != NULL && !device->readonly)
            lodge_details_page_row_button (row, "zoom-in-symbolic", _("Grow Disk…"),
                                           "details.grow-disk", device->target);
        }
      else
        {
          lodge_details_page_row_button (row, "document-open-symbolic",
                                         device->source ? _("Change Disc…") : _("Insert Disc…"),
                                         "details.insert-media", device->target);
          if (device->source != NULL)
            lodge_details_page_row_button (row, "media-eject-symbolic", _("Eject"),
                                           "details.eject-media", device->target);
        }
      lodge_details_page_row_button (row, "user-trash-symbolic", _("Remove…"),
                                     "details.remove-disk", device->target);
    }
}

static void
lodge_details_page_link_switch_notify_cb (GtkSwitch        *sw,
                                          GParamSpec       *pspec,
                                          LodgeDetailsPage *self)
{
  const char *mac = g_object_get_data (G_OBJECT (sw), "mac");
  gboolean up = gtk_switch_get_active (sw);

  if (self->filling)
    return;

  lodge_machine_editor_set_interface_link_async (self->editor, mac, up, self->cancellable,
                                                 EDIT_CB (self,
                                                          up ? _("Network cable connected")
                                                             : _("Network cable disconnected"),
                                                          _("Could not change the network link")));
}

static void
lodge_details_page_fill_network (LodgeDetailsPage *self)
{
  g_autoptr(GPtrArray) nics = lodge_machine_config_get_devices_of_kind (self->config,
                                                                       LODGE_DEVICE_KIND_INTERFACE);

  for (guint i = 0; i < nics->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (nics, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row;
      GtkWidget *sw;

      title = g_strdup_printf ("%s %s", device->model ? device->model : _("Network interface"),
                               device->mac ? device->mac : "");
      if (g_strcmp0 (device->net_type, "network") == 0)
        subtitle = g_strdup_printf (_("Virtual network “%s”"), device->source ? device->source : "");
      else if (g_strcmp0 (device->net_type, "bridge") == 0)
        subtitle = g_strdup_printf (_("Bridge %s"), device->source ? device->source : "");
      else if (g_strcmp0 (device->net_type, "user") == 0)
        subtitle = g_strdup (_("User-mode networking"));
      else
        subtitle = g_strdup_printf ("%s %s", device->net_type ? device->net_type : "",
                                    device->source ? device->source : "");

      row = lodge_details_page_add_row (self, self->network_group, title, subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("network-wired-symbolic"));
      if (device->mac == NULL)
        continue;

      if (g_strcmp0 (device->net_type, "network") == 0 || g_strcmp0 (device->net_type, "bridge") == 0)
        {
          lodge_details_page_row_button (row, "document-edit-symbolic", _("Change Connection…"),
                                         "details.edit-interface", device->mac);
        }

      sw = gtk_switch_new ();
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (sw), device->link_up);
      gtk_widget_set_tooltip_text (sw, _("Cable Connected"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Cable connected"), -1);
      g_object_set_data_full (G_OBJECT (sw), "mac", g_strdup (device->mac), g_free);
      g_signal_connect_object (sw, "notify::active",
                               G_CALLBACK (lodge_details_page_link_switch_notify_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
      lodge_details_page_row_button (row, "user-trash-symbolic", _("Remove…"),
                                     "details.remove-interface", device->mac);
    }
}

static void
lodge_details_page_fill_display (LodgeDetailsPage *self)
{
  g_autoptr(GPtrArray) graphics = lodge_machine_config_get_devices_of_kind (self->inactive_config,
                                                                           LODGE_DEVICE_KIND_GRAPHICS);
  g_autoptr(GPtrArray) sound = lodge_machine_config_get_devices_of_kind (self->inactive_config,
                                                                        LODGE_DEVICE_KIND_SOUND);
  LodgeDevice *first = graphics->len > 0 ? g_ptr_array_index (graphics, 0) : NULL;
  guint sound_index = 0;

  adw_combo_row_set_selected (self->display_row, first && g_strcmp0 (first->model, "vnc") == 0 ? 1 : 0);
  gtk_switch_set_active (self->gl_switch, first != NULL && first->gl);
  gtk_widget_set_sensitive (GTK_WIDGET (self->gl_row), first == NULL || g_strcmp0 (first->model, "vnc") != 0);
  if (first != NULL && g_strcmp0 (first->model, "spice") != 0 && g_strcmp0 (first->model, "vnc") != 0)
    {
      g_autofree char *subtitle = g_strdup_printf (_("Now %s"), first->model);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->display_row), subtitle);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->display_row), NULL);

  if (sound->len > 0)
    {
      LodgeDevice *card = g_ptr_array_index (sound, 0);

      for (guint i = 1; i < G_N_ELEMENTS (sound_models); i++)
        if (g_strcmp0 (card->model, sound_models[i]) == 0)
          sound_index = i;
    }
  adw_combo_row_set_selected (self->sound_row, sound_index);
}

static void
lodge_details_page_fill_usb (LodgeDetailsPage *self)
{
  g_autoptr(GPtrArray) usb = lodge_machine_config_get_devices_of_kind (self->config,
                                                                      LODGE_DEVICE_KIND_USB_HOST);

  if (usb->len == 0)
    {
      GtkWidget *row = lodge_details_page_add_row (self, self->usb_group, _("None"),
                                                   _("Give the machine a USB device of the host with +"));

      gtk_widget_add_css_class (row, "dim-label");
    }

  for (guint i = 0; i < usb->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (usb, i);
      GtkWidget *row = lodge_details_page_add_row (self, self->usb_group, device->summary, NULL);

      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("media-removable-symbolic"));
      if (device->vendor_id != NULL && device->product_id != NULL)
        {
          g_autofree char *id = g_strdup_printf ("%s:%s", device->vendor_id, device->product_id);

          lodge_details_page_row_button (row, "user-trash-symbolic", _("Take Back from the Machine"),
                                         "details.remove-usb", id);
        }
    }
}

static void
lodge_details_page_boot_check_toggled_cb (LodgeDetailsPage *self)
{
  if (!self->filling)
    gtk_widget_set_sensitive (self->boot_apply_button, TRUE);
}

static void
lodge_details_page_boot_up_clicked_cb (GtkButton        *button,
                                       LodgeDetailsPage *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "row");

  for (guint i = 1; i < self->boot_entries->len; i++)
    {
      BootEntry *entry = g_ptr_array_index (self->boot_entries, i);

      if (entry->row == row)
        {
          BootEntry *above = g_ptr_array_index (self->boot_entries, i - 1);
          GtkWidget *parent = gtk_widget_get_parent (row);

          /* Move the row above its neighbour in the list box. */
          g_ptr_array_index (self->boot_entries, i - 1) = entry;
          g_ptr_array_index (self->boot_entries, i) = above;
          g_object_ref (row);
          gtk_list_box_remove (GTK_LIST_BOX (parent), row);
          gtk_list_box_insert (GTK_LIST_BOX (parent), row, gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (above->row)));
          g_object_unref (row);
          gtk_widget_set_sensitive (self->boot_apply_button, TRUE);
          break;
        }
    }
}

static int
boot_rank (LodgeMachineConfig *config,
           LodgeDevice        *device,
           guint               index)
{
  const char * const *boot = lodge_machine_config_get_boot_devices (config);
  const char *dev = device->kind == LODGE_DEVICE_KIND_DISK ? "hd"
                    : device->kind == LODGE_DEVICE_KIND_CDROM ? "cdrom"
                    : device->kind == LODGE_DEVICE_KIND_FLOPPY ? "fd" : "network";

  if (lodge_machine_config_get_has_device_boot_order (config))
    return device->boot_order > 0 ? (int) device->boot_order * 1000 + (int) index : -1;

  for (guint i = 0; boot != NULL && boot[i] != NULL; i++)
    if (g_str_equal (boot[i], dev))
      return (int) (i + 1) * 1000 + (int) index;
  return -1;
}

static int
compare_boot_rank (gconstpointer a,
                   gconstpointer b)
{
  int ra = GPOINTER_TO_INT (g_object_get_data (*(GObject * const *) a, "rank"));
  int rb = GPOINTER_TO_INT (g_object_get_data (*(GObject * const *) b, "rank"));

  /* Checked devices first in their order, then the others. */
  if (ra < 0 && rb < 0)
    return 0;
  if (ra < 0)
    return 1;
  if (rb < 0)
    return -1;
  return ra - rb;
}

static void
lodge_details_page_fill_boot (LodgeDetailsPage *self)
{
  GPtrArray *devices = lodge_machine_config_get_devices (self->inactive_config);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  g_ptr_array_set_size (self->boot_entries, 0);

  for (guint i = 0; i < devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (devices, i);
      const char *key = device->kind == LODGE_DEVICE_KIND_INTERFACE ? device->mac : device->target;
      GtkWidget *row;
      GtkWidget *check;
      GtkWidget *up;
      BootEntry *entry;
      int rank;

      if (key == NULL
          || (device->kind != LODGE_DEVICE_KIND_DISK && device->kind != LODGE_DEVICE_KIND_CDROM
              && device->kind != LODGE_DEVICE_KIND_FLOPPY && device->kind != LODGE_DEVICE_KIND_INTERFACE))
        continue;

      rank = boot_rank (self->inactive_config, device, i);
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), device->summary);
      if (device->source != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), device->source);
      check = gtk_check_button_new ();
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), rank >= 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Boot from this device"), -1);
      g_signal_connect_object (check, "toggled", G_CALLBACK (lodge_details_page_boot_check_toggled_cb),
                               self, G_CONNECT_SWAPPED);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      up = gtk_button_new_from_icon_name ("go-up-symbolic");
      gtk_widget_set_valign (up, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (up, "flat");
      gtk_widget_set_tooltip_text (up, _("Boot Earlier"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (up), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Boot earlier"), -1);
      g_object_set_data (G_OBJECT (up), "row", row);
      g_signal_connect_object (up, "clicked", G_CALLBACK (lodge_details_page_boot_up_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), up);
      g_object_set_data (G_OBJECT (row), "rank", GINT_TO_POINTER (rank));

      entry = g_new0 (BootEntry, 1);
      entry->key = g_strdup (key);
      entry->check = check;
      entry->row = row;
      g_object_set_data_full (G_OBJECT (row), "entry", entry, (GDestroyNotify) boot_entry_free);
      g_ptr_array_add (rows, row);
    }

  g_ptr_array_sort (rows, compare_boot_rank);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);

      adw_preferences_group_add (self->boot_group, row);
      g_ptr_array_add (self->dynamic_rows, row);
      g_ptr_array_add (self->boot_entries, g_object_get_data (G_OBJECT (row), "entry"));
    }
  gtk_widget_set_sensitive (self->boot_apply_button, FALSE);
}

static void
lodge_details_page_fill_other (LodgeDetailsPage *self)
{
  GPtrArray *devices = lodge_machine_config_get_devices (self->config);
  GtkWidget *expander = adw_expander_row_new ();
  guint n = 0;

  for (guint i = 0; i < devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (devices, i);
      GtkWidget *row;

      /* Network disks and the like are listed, read-only, with the disks. */
      if (device->kind != LODGE_DEVICE_KIND_OTHER)
        continue;

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), device->summary);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), device->xml);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
      n++;
    }

  {
    g_autofree char *title = g_strdup_printf (ngettext ("%u device", "%u devices", n), n);

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
  }
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander),
                                 _("Controllers, channels, consoles, input and more"));
  adw_preferences_group_add (self->other_group, expander);
  g_ptr_array_add (self->dynamic_rows, expander);
}

/* BIOS or UEFI of a PC machine; custom loaders and other architectures
 * are for Edit XML. */
static gboolean
lodge_details_page_firmware_editable (LodgeMachineConfig *config)
{
  const char *arch = lodge_machine_config_get_arch (config);

  return lodge_machine_config_get_firmware (config) != LODGE_FIRMWARE_OTHER
         && (g_strcmp0 (arch, "x86_64") == 0 || g_strcmp0 (arch, "i686") == 0);
}

static const char *
firmware_text (LodgeMachineConfig *config)
{
  switch (lodge_machine_config_get_firmware (config))
    {
    case LODGE_FIRMWARE_UEFI:
      return lodge_machine_config_get_secure_boot (config) ? _("UEFI with Secure Boot") : _("UEFI");
    case LODGE_FIRMWARE_BIOS:
      return lodge_machine_config_get_kernel (config) ? _("Direct kernel boot") : _("BIOS");
    case LODGE_FIRMWARE_OTHER:
    default:
      return _("Other");
    }
}

static void
lodge_details_page_fill (LodgeDetailsPage *self)
{
  LodgeMachineConfig *config = self->config;
  LodgeMachineConfig *inactive = self->inactive_config;
  g_autofree char *firmware = NULL;
  gboolean active;
  guint64 memory_mib;

  if (config == NULL || inactive == NULL)
    return;

  self->filling = TRUE;
  active = lodge_machine_is_active (self->machine);

  lodge_details_page_clear_rows (self, self->dynamic_rows);

  /* Overview */
  gtk_editable_set_text (GTK_EDITABLE (self->description_row),
                         lodge_machine_config_get_description (inactive)
                         ? lodge_machine_config_get_description (inactive) : "");

  /* Resources: what the definition will boot with. */
  memory_mib = lodge_machine_config_get_current_memory (inactive) / (1024 * 1024);
  gtk_adjustment_set_value (self->memory_adjustment, (double) memory_mib);
  gtk_adjustment_set_value (self->vcpus_adjustment, lodge_machine_config_get_vcpus (inactive));
  if (active && (lodge_machine_config_get_current_memory (config) != lodge_machine_config_get_current_memory (inactive)))
    {
      g_autofree char *now = g_format_size_full (lodge_machine_config_get_current_memory (config),
                                                 G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *subtitle = g_strdup_printf (_("%s now; the new value applies at next boot"), now);

      adw_action_row_set_subtitle (self->memory_row, subtitle);
    }
  else if (active)
    {
      g_autofree char *max = g_format_size_full (lodge_machine_config_get_memory (config),
                                                 G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *subtitle = g_strdup_printf (_("Changes live up to %s"), max);

      adw_action_row_set_subtitle (self->memory_row, subtitle);
    }
  else
    adw_action_row_set_subtitle (self->memory_row, NULL);

  if (active && lodge_machine_config_get_vcpus (config) != lodge_machine_config_get_vcpus (inactive))
    {
      g_autofree char *subtitle = g_strdup_printf (ngettext ("%u now; the new value applies at next boot",
                                                             "%u now; the new value applies at next boot",
                                                             lodge_machine_config_get_vcpus (config)),
                                                   lodge_machine_config_get_vcpus (config));

      adw_action_row_set_subtitle (self->vcpus_row, subtitle);
    }
  else
    adw_action_row_set_subtitle (self->vcpus_row, NULL);
  gtk_widget_set_sensitive (self->resources_apply_button, FALSE);

  lodge_details_page_fill_disks (self);
  lodge_details_page_fill_network (self);
  lodge_details_page_fill_display (self);
  lodge_details_page_fill_usb (self);
  lodge_details_page_fill_boot (self);
  lodge_details_page_fill_other (self);

  firmware = lodge_machine_config_get_loader (inactive) && *lodge_machine_config_get_loader (inactive)
             ? g_strdup_printf ("%s · %s", firmware_text (inactive), lodge_machine_config_get_loader (inactive))
             : g_strdup (firmware_text (inactive));
  if (!lodge_details_page_firmware_editable (inactive))
    {
      g_autofree char *text = g_strdup_printf ("%s\n%s", firmware,
                                               _("Lodge changes BIOS and UEFI of PC machines only; use Edit XML"));

      adw_action_row_set_subtitle (self->firmware_row, text);
    }
  else if (active)
    {
      g_autofree char *text = g_strdup_printf ("%s\n%s", firmware,
                                               _("Shut the machine down to change its firmware"));

      adw_action_row_set_subtitle (self->firmware_row, text);
    }
  else
    adw_action_row_set_subtitle (self->firmware_row, firmware);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.change-firmware",
                                 !active && lodge_details_page_firmware_editable (inactive));
  gtk_switch_set_active (self->autostart_switch, lodge_machine_config_get_autostart (config));

  if (!self->xml_dirty)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view),
                                lodge_machine_config_get_xml (inactive), -1);
      self->xml_dirty = FALSE;
    }

  self->filling = FALSE;
}

/* Loading */

static void
lodge_details_page_update_uptime (LodgeDetailsPage *self)
{
  g_autofree char *text = NULL;

  if (self->machine == NULL || !lodge_machine_is_active (self->machine))
    text = g_strdup (_("Not running"));
  else if (self->start_time <= 0)
    text = g_strdup (_("Unknown"));
  else
    {
      gint64 seconds = MAX (0, g_get_real_time () / G_USEC_PER_SEC - self->start_time);

      if (seconds < 60)
        text = g_strdup_printf (ngettext ("%d second", "%d seconds", (int) seconds), (int) seconds);
      else if (seconds < 3600)
        text = g_strdup_printf (ngettext ("%d minute", "%d minutes", (int) (seconds / 60)), (int) (seconds / 60));
      else if (seconds < 86400)
        /* Translators: hours and minutes, e.g. "3 h 05 min" */
        text = g_strdup_printf (_("%d h %02d min"), (int) (seconds / 3600), (int) (seconds % 3600 / 60));
      else
        text = g_strdup_printf (ngettext ("%d day", "%d days", (int) (seconds / 86400)), (int) (seconds / 86400));
    }
  adw_action_row_set_subtitle (self->uptime_row, text);
}

static gboolean
lodge_details_page_uptime_tick_cb (gpointer user_data)
{
  lodge_details_page_update_uptime (LODGE_DETAILS_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

static void
lodge_details_page_loaded (LodgeDetailsPage *self,
                           GObject          *object,
                           GAsyncResult     *result,
                           gboolean          inactive)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMachineConfig) config = NULL;

  config = lodge_machine_editor_load_finish (LODGE_MACHINE_EDITOR (object), result, &error);
  if (config == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Could not read “%s”: %s"),
                                                   lodge_details_page_name (self), error->message);

          lodge_details_page_toast (self, text);
        }
      return;
    }

  if (inactive)
    g_set_object (&self->inactive_config, config);
  else
    g_set_object (&self->config, config);
  lodge_details_page_fill (self);
  if (inactive)
    lodge_details_page_fill_snapshots (self);
}

static void
lodge_details_page_load_live_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;

  lodge_details_page_loaded (self, object, result, FALSE);
}

static void
lodge_details_page_load_inactive_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;

  lodge_details_page_loaded (self, object, result, TRUE);
}

static void
lodge_details_page_addresses_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;
  g_auto(GStrv) addresses = lodge_machine_editor_get_addresses_finish (LODGE_MACHINE_EDITOR (object), result, NULL);
  g_autofree char *text = NULL;

  if (addresses == NULL)
    return;
  if (addresses[0] == NULL)
    text = g_strdup (lodge_machine_is_active (self->machine)
                     ? _("Unknown (no guest agent, no DHCP lease)") : _("Not running"));
  else
    text = g_strjoinv ("\n", addresses);
  adw_action_row_set_subtitle (self->addresses_row, text);
}

static void
lodge_details_page_start_time_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 start = lodge_machine_editor_get_start_time_finish (LODGE_MACHINE_EDITOR (object), result, &error);

  if (error != NULL)
    return;
  self->start_time = start;
  lodge_details_page_update_uptime (self);
}

static void
lodge_details_page_disk_usage_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;
  GPtrArray *usage = lodge_machine_editor_get_disk_usage_finish (LODGE_MACHINE_EDITOR (object), result, NULL);

  if (usage == NULL)
    return;
  g_clear_pointer (&self->disk_usage, g_ptr_array_unref);
  self->disk_usage = usage;
  lodge_details_page_fill (self);
}

static void
lodge_details_page_log_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = lodge_machine_editor_read_log_finish (LODGE_MACHINE_EDITOR (object), result, &error);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_free (self->log_text);
  self->log_text = g_steal_pointer (&log);
  gtk_text_buffer_set_text (buffer, self->log_text ? self->log_text : error->message, -1);

  /* The newest lines matter most: show the end. */
  {
    GtkTextIter end;

    gtk_text_buffer_get_end_iter (buffer, &end);
    gtk_text_buffer_place_cursor (buffer, &end);
    gtk_text_view_scroll_to_mark (self->log_view, gtk_text_buffer_get_insert (buffer), 0, TRUE, 0, 1);
  }
}

/* Snapshots */

static void
lodge_details_page_fill_snapshots (LodgeDetailsPage *self)
{
  lodge_details_page_clear_rows (self, self->snapshot_rows);

  if (self->inactive_config != NULL && lodge_machine_config_get_has_pflash (self->inactive_config))
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("This machine uses UEFI firmware"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("libvirt 9.0 cannot save the firmware’s variables in a snapshot, "
                                     "so Lodge takes snapshots of the disks only (external), "
                                     "and going back to them needs a newer libvirt."));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-information-symbolic"));
      adw_preferences_group_add (self->snapshots_group, row);
      g_ptr_array_add (self->snapshot_rows, row);
    }

  if (self->snapshot_list == NULL || self->snapshot_list->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Snapshots"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("A snapshot keeps the machine as it is now, to come back to later"));
      gtk_widget_add_css_class (row, "dim-label");
      adw_preferences_group_add (self->snapshots_group, row);
      g_ptr_array_add (self->snapshot_rows, row);
      return;
    }

  for (guint i = 0; i < self->snapshot_list->len; i++)
    {
      LodgeSnapshot *snapshot = g_ptr_array_index (self->snapshot_list, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (snapshot->creation_time);
      g_autofree char *date = when ? g_date_time_format (when, "%x %X") : g_strdup ("");
      g_autoptr(GString) subtitle = g_string_new (date);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon;

      if (snapshot->has_memory)
        g_string_append_printf (subtitle, " · %s", _("with memory"));
      else if (g_strcmp0 (snapshot->state, "shutoff") == 0)
        g_string_append_printf (subtitle, " · %s", _("machine off"));
      if (snapshot->is_external)
        g_string_append_printf (subtitle, " · %s", _("disks only"));
      if (snapshot->is_current)
        g_string_append_printf (subtitle, " · %s", _("current"));
      if (snapshot->description != NULL && *snapshot->description != '\0')
        g_string_append_printf (subtitle, "\n%s", snapshot->description);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), snapshot->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      icon = gtk_image_new_from_icon_name (snapshot->is_current ? "emblem-ok-symbolic" : "camera-photo-symbolic");
      /* The tree: children indented under their parent. */
      gtk_widget_set_margin_start (icon, 24 * MIN (snapshot->depth, 8));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      lodge_details_page_row_button (row, "edit-undo-symbolic", _("Go Back to This Snapshot…"),
                                     "details.revert-snapshot", snapshot->name);
      lodge_details_page_row_button (row, "document-edit-symbolic", _("Edit Description…"),
                                     "details.describe-snapshot", snapshot->name);
      lodge_details_page_row_button (row, "user-trash-symbolic", _("Delete…"),
                                     "details.delete-snapshot", snapshot->name);
      adw_preferences_group_add (self->snapshots_group, row);
      g_ptr_array_add (self->snapshot_rows, row);
    }
}

static void
lodge_details_page_snapshots_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *list = lodge_snapshots_list_finish (LODGE_SNAPSHOTS (object), result, &error);

  if (list == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("No snapshots: %s", error->message);
    }
  g_clear_pointer (&self->snapshot_list, g_ptr_array_unref);
  self->snapshot_list = list;
  lodge_details_page_fill_snapshots (self);
}

static void
lodge_details_page_snapshot_action_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  EditCall *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_snapshots_action_finish (LODGE_SNAPSHOTS (object), result, &error))
    lodge_details_page_show_error (call->self, call->failed, error);
  else
    lodge_details_page_toast (call->self, call->done);

  if (call->self->machine != NULL)
    lodge_details_page_load_all (call->self);
  edit_call_free (call);
}

static void
lodge_details_page_load_all (LodgeDetailsPage *self)
{
  LodgeConnection *connection;
  gboolean active;

  if (self->machine == NULL || self->editor == NULL)
    return;

  active = lodge_machine_is_active (self->machine);
  adw_view_switcher_title_set_subtitle (self->switcher_title, lodge_machine_get_display_name (self->machine));
  if (lodge_machine_get_os_id (self->machine) != NULL)
    {
      g_autofree char *os = g_strdup_printf ("%s (%s)", lodge_ui_os_family_name (lodge_machine_get_os_id (self->machine)),
                                             lodge_machine_get_os_id (self->machine));

      adw_action_row_set_subtitle (self->os_row, os);
    }
  else
    adw_action_row_set_subtitle (self->os_row, _("Unknown"));
  adw_action_row_set_subtitle (self->state_row, lodge_ui_state_label (lodge_machine_get_state (self->machine)));
  gtk_label_set_text (self->name_label, lodge_machine_get_display_name (self->machine));
  gtk_label_set_text (self->kind_label, lodge_ui_state_label (lodge_machine_get_state (self->machine)));
  gtk_image_set_from_icon_name (self->os_image, lodge_ui_os_icon_name (lodge_machine_get_os_id (self->machine)));
  connection = lodge_machine_get_connection (self->machine);
  if (connection != NULL)
    {
      const char *hostname = lodge_connection_get_hostname (connection);
      g_autofree char *host = hostname && *hostname
                              ? g_strdup_printf ("%s (%s)", hostname, lodge_connection_get_uri (connection))
                              : g_strdup (lodge_connection_get_uri (connection));

      adw_action_row_set_subtitle (self->host_row, host);
    }
  lodge_details_page_update_uptime (self);

  /* Two loads: the live definition (what runs) and the inactive one (what
   * the next boot gets, and what edits change). */
  lodge_machine_editor_load_async (self->editor, FALSE, self->cancellable,
                                   lodge_details_page_load_live_cb, g_object_ref (self));
  lodge_machine_editor_load_async (self->editor, TRUE, self->cancellable,
                                   lodge_details_page_load_inactive_cb, g_object_ref (self));
  lodge_machine_editor_get_disk_usage_async (self->editor, self->cancellable,
                                             lodge_details_page_disk_usage_cb, g_object_ref (self));
  lodge_machine_editor_get_addresses_async (self->editor, self->cancellable,
                                            lodge_details_page_addresses_cb, g_object_ref (self));
  if (active)
    lodge_machine_editor_get_start_time_async (self->editor, self->cancellable,
                                               lodge_details_page_start_time_cb, g_object_ref (self));
  lodge_snapshots_list_async (self->snapshots, self->cancellable,
                              lodge_details_page_snapshots_cb, g_object_ref (self));
  lodge_machine_editor_read_log_async (self->editor, 256 * 1024, self->cancellable,
                                       lodge_details_page_log_cb, g_object_ref (self));
  lodge_performance_section_reload (self->performance_section);
}

void
lodge_details_page_reload (LodgeDetailsPage *self)
{
  g_return_if_fail (LODGE_IS_DETAILS_PAGE (self));
  lodge_details_page_load_all (self);
}

/* Callbacks from the template */

static void
lodge_details_page_back_button_clicked_cb (LodgeDetailsPage *self)
{
  g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static void
lodge_details_page_description_row_apply_cb (LodgeDetailsPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->description_row));

  lodge_machine_editor_set_description_async (self->editor, text, self->cancellable,
                                              EDIT_CB (self, _("Description saved"),
                                                       _("Could not change the description")));
}

static void
lodge_details_page_resources_changed_cb (LodgeDetailsPage *self)
{
  guint64 memory;
  guint vcpus;

  if (self->filling || self->inactive_config == NULL)
    return;

  memory = (guint64) gtk_adjustment_get_value (self->memory_adjustment) * 1024 * 1024;
  vcpus = (guint) gtk_adjustment_get_value (self->vcpus_adjustment);
  gtk_widget_set_sensitive (self->resources_apply_button,
                            memory / (1024 * 1024) != lodge_machine_config_get_current_memory (self->inactive_config) / (1024 * 1024)
                            || vcpus != lodge_machine_config_get_vcpus (self->inactive_config));
}

static void
lodge_details_page_resources_apply_button_clicked_cb (LodgeDetailsPage *self)
{
  guint64 memory = (guint64) gtk_adjustment_get_value (self->memory_adjustment) * 1024 * 1024;
  guint vcpus = (guint) gtk_adjustment_get_value (self->vcpus_adjustment);

  if (self->inactive_config == NULL)
    return;

  gtk_widget_set_sensitive (self->resources_apply_button, FALSE);
  if (memory / (1024 * 1024) != lodge_machine_config_get_current_memory (self->inactive_config) / (1024 * 1024))
    lodge_machine_editor_set_memory_async (self->editor, memory, self->cancellable,
                                           EDIT_CB (self, _("Memory changed"),
                                                    _("Could not change the memory")));
  if (vcpus != lodge_machine_config_get_vcpus (self->inactive_config))
    lodge_machine_editor_set_vcpus_async (self->editor, vcpus, self->cancellable,
                                          EDIT_CB (self, _("Processors changed"),
                                                   _("Could not change the number of processors")));
}

static void
lodge_details_page_display_changed_cb (LodgeDetailsPage *self)
{
  const char *type;
  gboolean gl;

  if (self->filling)
    return;

  type = adw_combo_row_get_selected (self->display_row) == 1 ? "vnc" : "spice";
  gl = gtk_switch_get_active (self->gl_switch) && g_str_equal (type, "spice");
  lodge_machine_editor_set_graphics_async (self->editor, type, gl, self->cancellable,
                                           EDIT_CB (self, _("Display changed"),
                                                    _("Could not change the display")));
}

static void
lodge_details_page_sound_changed_cb (LodgeDetailsPage *self)
{
  guint selected;

  if (self->filling)
    return;

  selected = adw_combo_row_get_selected (self->sound_row);
  lodge_machine_editor_set_sound_async (self->editor,
                                        selected < G_N_ELEMENTS (sound_models) ? sound_models[selected] : NULL,
                                        self->cancellable,
                                        EDIT_CB (self, _("Sound card changed"),
                                                 _("Could not change the sound card")));
}

static void
lodge_details_page_autostart_changed_cb (LodgeDetailsPage *self)
{
  gboolean on;

  if (self->filling)
    return;

  on = gtk_switch_get_active (self->autostart_switch);
  lodge_machine_editor_set_autostart_async (self->editor, on, self->cancellable,
                                            EDIT_CB (self, on ? _("The machine will start with the host")
                                                              : _("The machine will not start with the host"),
                                                     _("Could not change starting with the host")));
}

static void
lodge_details_page_boot_apply_button_clicked_cb (LodgeDetailsPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) order = NULL;

  for (guint i = 0; i < self->boot_entries->len; i++)
    {
      BootEntry *entry = g_ptr_array_index (self->boot_entries, i);

      if (gtk_check_button_get_active (GTK_CHECK_BUTTON (entry->check)))
        g_strv_builder_add (builder, entry->key);
    }
  order = g_strv_builder_end (builder);
  gtk_widget_set_sensitive (self->boot_apply_button, FALSE);
  lodge_machine_editor_set_boot_order_async (self->editor, (const char * const *) order, self->cancellable,
                                             EDIT_CB (self, _("Boot order changed"),
                                                      _("Could not change the boot order")));
}

/* USB */

static void
lodge_details_page_host_usb_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) usb = lodge_machine_editor_list_host_usb_finish (LODGE_MACHINE_EDITOR (object), result, &error);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->usb_list))) != NULL)
    gtk_list_box_remove (self->usb_list, child);

  if (usb == NULL || usb->len == 0)
    {
      GtkWidget *label = gtk_label_new (usb == NULL ? error->message : _("The host has no USB devices to give"));

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 12);
      gtk_list_box_append (self->usb_list, label);
      return;
    }

  for (guint i = 0; i < usb->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (usb, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = g_strdup_printf ("%s:%s · %u.%u", device->vendor_id, device->product_id,
                                                   device->usb_bus, device->usb_device);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), device->summary);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "vendor", g_strdup (device->vendor_id), g_free);
      g_object_set_data_full (G_OBJECT (row), "product", g_strdup (device->product_id), g_free);
      gtk_list_box_append (self->usb_list, row);
    }
}

static void
lodge_details_page_usb_popover_show_cb (LodgeDetailsPage *self)
{
  lodge_machine_editor_list_host_usb_async (self->editor, self->cancellable,
                                            lodge_details_page_host_usb_cb, g_object_ref (self));
}

static void
lodge_details_page_usb_list_row_activated_cb (LodgeDetailsPage *self,
                                              GtkListBoxRow    *row)
{
  const char *vendor = g_object_get_data (G_OBJECT (row), "vendor");
  const char *product = g_object_get_data (G_OBJECT (row), "product");

  if (vendor == NULL || product == NULL)
    return;
  gtk_popover_popdown (self->usb_popover);
  lodge_machine_editor_add_usb_host_async (self->editor, vendor, product, self->cancellable,
                                           EDIT_CB (self, _("USB device given to the machine"),
                                                    _("Could not give the USB device to the machine")));
}

/* Dialogs */

typedef void (*AskFunc) (LodgeDetailsPage *self, GtkWidget *extra, const char *target);

typedef struct
{
  LodgeDetailsPage *self;
  AskFunc           func;
  GtkWidget        *extra;
  char             *target;
} AskData;

static void
ask_data_free (AskData *data)
{
  g_object_unref (data->self);
  g_clear_object (&data->extra);
  g_free (data->target);
  g_free (data);
}

static void
lodge_details_page_ask_response_cb (AdwMessageDialog *dialog,
                                    const char       *response,
                                    AskData          *data)
{
  if (g_str_equal (response, "ok"))
    data->func (data->self, data->extra, data->target);
}

static void
lodge_details_page_ask (LodgeDetailsPage *self,
                        const char       *heading,
                        const char       *body,
                        GtkWidget        *extra,
                        const char       *ok_label,
                        gboolean          destructive,
                        AskFunc           func,
                        const char       *target)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  AskData *data = g_new0 (AskData, 1);

  data->self = g_object_ref (self);
  data->func = func;
  data->extra = extra ? g_object_ref (extra) : NULL;
  data->target = g_strdup (target);

  lodge_ui_dialog_add_choice (ADW_MESSAGE_DIALOG (dialog), "ok", ok_label, destructive);
  if (extra != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  g_signal_connect_data (dialog, "response", G_CALLBACK (lodge_details_page_ask_response_cb),
                         data, (GClosureNotify) (void (*) (void)) ask_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
size_spin_new (double value,
               double lower,
               double upper)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, 1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Size in GiB"), -1);
  return spin;
}

static void
do_grow_disk (LodgeDetailsPage *self,
              GtkWidget        *extra,
              const char       *target)
{
  guint64 bytes = (guint64) gtk_spin_button_get_value (GTK_SPIN_BUTTON (extra)) * 1024 * 1024 * 1024;

  lodge_machine_editor_resize_disk_async (self->editor, target, bytes, self->cancellable,
                                          EDIT_CB (self, _("Disk grown"), _("Could not grow the disk")));
}

static void
lodge_details_page_grow_disk_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);
  const char *target = g_variant_get_string (param, NULL);
  const LodgeDiskUsage *usage = lodge_details_page_find_usage (self, target);
  double current = usage ? (double) usage->capacity / (1024.0 * 1024 * 1024) : 1;
  const char *body = _("The guest sees the new space at the end of the disk; grow its partition "
                        "and file system from inside. Disks cannot shrink. New size in GiB:");

  lodge_details_page_ask (self, _("Grow Disk"), body,
                          size_spin_new (MAX (1, current + 1), MAX (1, current), 65536),
                          _("_Grow"), FALSE, do_grow_disk, target);
}

static void
do_remove_disk (LodgeDetailsPage *self,
                GtkWidget        *extra,
                const char       *target)
{
  lodge_machine_editor_remove_disk_async (self->editor, target, self->cancellable,
                                          EDIT_CB (self, _("Disk removed"), _("Could not remove the disk")));
}

static void
lodge_details_page_remove_disk_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *param)
{
  const char *target = g_variant_get_string (param, NULL);
  g_autofree char *heading = g_strdup_printf (_("Remove %s?"), target);

  lodge_details_page_ask (LODGE_DETAILS_PAGE (widget), heading,
                          _("The machine no longer sees this disk. Its file is kept."),
                          NULL, _("_Remove"), TRUE, do_remove_disk, target);
}

typedef struct
{
  LodgeDetailsPage *self;
  char             *target;   /* NULL: add a disk from the file */
} ChooseData;

static void
lodge_details_page_file_chooser_response_cb (GtkNativeDialog *native,
                                             int              response,
                                             ChooseData      *data)
{
  LodgeDetailsPage *self = data->self;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL && data->target != NULL)
        lodge_machine_editor_change_media_async (self->editor, data->target, path, self->cancellable,
                                                 EDIT_CB (self, _("Disc inserted"), _("Could not insert the disc")));
      else if (path != NULL)
        lodge_machine_editor_add_disk_async (self->editor, LODGE_DEVICE_KIND_DISK, path, 0, NULL, NULL,
                                             self->cancellable,
                                             EDIT_CB (self, _("Disk added"), _("Could not add the disk")));
    }

  g_object_unref (data->self);
  g_free (data->target);
  g_free (data);
  g_object_unref (native);
}

static void
lodge_details_page_choose_file (LodgeDetailsPage *self,
                                const char       *title,
                                const char       *target)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *native;
  ChooseData *data = g_new0 (ChooseData, 1);

  data->self = g_object_ref (self);
  data->target = g_strdup (target);
  native = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (lodge_details_page_file_chooser_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
lodge_details_page_insert_media_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *param)
{
  lodge_details_page_choose_file (LODGE_DETAILS_PAGE (widget), _("Choose a Disc Image"),
                                  g_variant_get_string (param, NULL));
}

static void
lodge_details_page_eject_media_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);

  lodge_machine_editor_change_media_async (self->editor, g_variant_get_string (param, NULL), NULL,
                                           self->cancellable,
                                           EDIT_CB (self, _("Disc ejected"), _("Could not eject the disc")));
}

static void
do_add_new_disk (LodgeDetailsPage *self,
                 GtkWidget        *extra,
                 const char       *target)
{
  guint64 bytes = (guint64) gtk_spin_button_get_value (GTK_SPIN_BUTTON (extra)) * 1024 * 1024 * 1024;

  lodge_machine_editor_add_disk_async (self->editor, LODGE_DEVICE_KIND_DISK, NULL, bytes, NULL, NULL,
                                       self->cancellable,
                                       EDIT_CB (self, _("Disk added"), _("Could not add a disk")));
}

static void
lodge_details_page_add_new_disk_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *param)
{
  lodge_details_page_ask (LODGE_DETAILS_PAGE (widget), _("New Disk"),
                          _("A new empty disk in the host’s default storage pool. Size in GiB:"),
                          size_spin_new (10, 1, 65536), _("_Add"), FALSE, do_add_new_disk, NULL);
}

static void
lodge_details_page_add_existing_disk_action (GtkWidget  *widget,
                                             const char *action_name,
                                             GVariant   *param)
{
  lodge_details_page_choose_file (LODGE_DETAILS_PAGE (widget), _("Choose a Disk File"), NULL);
}

static void
lodge_details_page_add_cdrom_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);

  lodge_machine_editor_add_disk_async (self->editor, LODGE_DEVICE_KIND_CDROM, NULL, 0, NULL, NULL,
                                       self->cancellable,
                                       EDIT_CB (self, _("CD/DVD drive added"), _("Could not add a CD/DVD drive")));
}

static void
do_add_interface (LodgeDetailsPage *self,
                  GtkWidget        *extra,
                  const char       *target)
{
  GtkWidget *entry = g_object_get_data (G_OBJECT (extra), "entry");
  GtkWidget *bridge = g_object_get_data (G_OBJECT (extra), "bridge");
  const char *source = gtk_editable_get_text (GTK_EDITABLE (entry));

  lodge_machine_editor_add_interface_async (self->editor,
                                            gtk_check_button_get_active (GTK_CHECK_BUTTON (bridge)) ? "bridge" : "network",
                                            *source ? source : "default", NULL, self->cancellable,
                                            EDIT_CB (self, _("Network interface added"),
                                                     _("Could not add a network interface")));
}

static void
lodge_details_page_add_interface_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *param)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *bridge = gtk_check_button_new_with_mnemonic (_("It is a host _bridge, not a virtual network"));

  gtk_editable_set_text (GTK_EDITABLE (entry), "default");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Network or bridge name"), -1);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), bridge);
  g_object_set_data (G_OBJECT (box), "entry", entry);
  g_object_set_data (G_OBJECT (box), "bridge", bridge);
  lodge_details_page_ask (LODGE_DETAILS_PAGE (widget), _("Add Network Interface"),
                          _("Name of the virtual network or bridge to connect to:"),
                          box, _("_Add"), FALSE, do_add_interface, NULL);
}

static void
do_edit_interface (LodgeDetailsPage *self,
                   GtkWidget        *extra,
                   const char       *mac)
{
  GtkWidget *entry = g_object_get_data (G_OBJECT (extra), "entry");
  GtkWidget *bridge = g_object_get_data (G_OBJECT (extra), "bridge");
  GtkWidget *model = g_object_get_data (G_OBJECT (extra), "model");
  const char *models[] = { "virtio", "e1000e", "rtl8139" };
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (model));
  const char *source = gtk_editable_get_text (GTK_EDITABLE (entry));

  lodge_machine_editor_set_interface_source_async (self->editor, mac,
                                                   gtk_check_button_get_active (GTK_CHECK_BUTTON (bridge))
                                                   ? "bridge" : "network",
                                                   *source ? source : "default",
                                                   selected < G_N_ELEMENTS (models) ? models[selected] : NULL,
                                                   self->cancellable,
                                                   EDIT_CB (self, _("Network interface changed"),
                                                            _("Could not change the network interface")));
}

static void
lodge_details_page_edit_interface_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);
  const char *mac = g_variant_get_string (param, NULL);
  LodgeDevice *device = self->inactive_config ? lodge_machine_config_find_interface (self->inactive_config, mac) : NULL;
  const char *models[] = { "virtio", "e1000e", "rtl8139", NULL };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *bridge = gtk_check_button_new_with_mnemonic (_("It is a host _bridge, not a virtual network"));
  GtkWidget *model = gtk_drop_down_new_from_strings (models);
  g_autofree char *heading = g_strdup_printf (_("Interface %s"), mac);

  if (device != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (entry), device->source ? device->source : "");
      gtk_check_button_set_active (GTK_CHECK_BUTTON (bridge), g_strcmp0 (device->net_type, "bridge") == 0);
      for (guint i = 0; models[i] != NULL; i++)
        if (g_strcmp0 (device->model, models[i]) == 0)
          gtk_drop_down_set_selected (GTK_DROP_DOWN (model), i);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Network or bridge name"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (model), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Model"), -1);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), bridge);
  gtk_box_append (GTK_BOX (box), model);
  g_object_set_data (G_OBJECT (box), "entry", entry);
  g_object_set_data (G_OBJECT (box), "bridge", bridge);
  g_object_set_data (G_OBJECT (box), "model", model);
  lodge_details_page_ask (self, heading,
                          _("The virtual network or bridge it connects to, and the card the guest sees. "
                            "A new card model applies at next boot."),
                          box, _("_Change"), FALSE, do_edit_interface, mac);
}

static void
do_remove_interface (LodgeDetailsPage *self,
                     GtkWidget        *extra,
                     const char       *mac)
{
  lodge_machine_editor_remove_interface_async (self->editor, mac, self->cancellable,
                                               EDIT_CB (self, _("Network interface removed"),
                                                        _("Could not remove the network interface")));
}

static void
lodge_details_page_remove_interface_action (GtkWidget  *widget,
                                            const char *action_name,
                                            GVariant   *param)
{
  const char *mac = g_variant_get_string (param, NULL);
  g_autofree char *heading = g_strdup_printf (_("Remove Interface %s?"), mac);

  lodge_details_page_ask (LODGE_DETAILS_PAGE (widget), heading, NULL, NULL, _("_Remove"), TRUE,
                          do_remove_interface, mac);
}

static void
lodge_details_page_remove_usb_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);
  g_auto(GStrv) ids = g_strsplit (g_variant_get_string (param, NULL), ":", 2);

  if (g_strv_length (ids) != 2)
    return;
  lodge_machine_editor_remove_usb_host_async (self->editor, ids[0], ids[1], self->cancellable,
                                              EDIT_CB (self, _("USB device given back to the host"),
                                                       _("Could not take the USB device back")));
}

/* Firmware */

static void
do_change_firmware (LodgeDetailsPage *self,
                    GtkWidget        *extra,
                    const char       *target)
{
  GtkWidget *uefi = g_object_get_data (G_OBJECT (extra), "uefi");
  GtkWidget *secure = g_object_get_data (G_OBJECT (extra), "secure");
  gboolean to_uefi = gtk_check_button_get_active (GTK_CHECK_BUTTON (uefi));
  gboolean to_secure = to_uefi && gtk_widget_get_sensitive (secure)
                       && gtk_check_button_get_active (GTK_CHECK_BUTTON (secure));

  lodge_machine_editor_set_firmware_async (self->editor, to_uefi ? LODGE_FIRMWARE_UEFI : LODGE_FIRMWARE_BIOS,
                                           to_secure, self->cancellable,
                                           EDIT_CB (self, _("Firmware changed"),
                                                    _("Could not change the firmware")));
}

static void
lodge_details_page_firmware_choice_toggled_cb (GtkCheckButton *uefi,
                                               GtkWidget      *secure)
{
  gboolean q35 = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (secure), "q35"));

  gtk_widget_set_sensitive (secure, q35 && gtk_check_button_get_active (uefi));
}

static void
lodge_details_page_change_firmware_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);
  LodgeMachineConfig *config = self->inactive_config;
  GtkWidget *box;
  GtkWidget *bios;
  GtkWidget *uefi;
  GtkWidget *secure;
  GtkWidget *warning;
  gboolean q35;

  if (config == NULL || self->editor == NULL)
    return;

  q35 = lodge_machine_config_get_is_q35 (config);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  bios = gtk_check_button_new_with_mnemonic (_("_BIOS (SeaBIOS): for older systems and most installers"));
  uefi = gtk_check_button_new_with_mnemonic (_("_UEFI (OVMF): what current PCs use"));
  gtk_check_button_set_group (GTK_CHECK_BUTTON (uefi), GTK_CHECK_BUTTON (bios));
  secure = gtk_check_button_new_with_mnemonic (q35 ? _("_Secure Boot: starts only signed systems (Windows 11, most Linux)")
                                                   : _("_Secure Boot: needs the Q35 chipset, which this machine has not"));
  g_object_set_data (G_OBJECT (secure), "q35", GINT_TO_POINTER (q35));
  gtk_widget_set_margin_start (secure, 24);
  gtk_label_set_wrap (GTK_LABEL (gtk_widget_get_last_child (bios)), TRUE);
  gtk_label_set_wrap (GTK_LABEL (gtk_widget_get_last_child (uefi)), TRUE);
  gtk_label_set_wrap (GTK_LABEL (gtk_widget_get_last_child (secure)), TRUE);
  g_signal_connect_object (uefi, "toggled", G_CALLBACK (lodge_details_page_firmware_choice_toggled_cb), secure, 0);

  gtk_check_button_set_active (GTK_CHECK_BUTTON (secure), lodge_machine_config_get_secure_boot (config));
  if (lodge_machine_config_get_firmware (config) == LODGE_FIRMWARE_UEFI)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (uefi), TRUE);
  else
    gtk_check_button_set_active (GTK_CHECK_BUTTON (bios), TRUE);
  lodge_details_page_firmware_choice_toggled_cb (GTK_CHECK_BUTTON (uefi), secure);

  warning = gtk_label_new (_("An installed operating system may no longer start: one installed with BIOS "
                             "does not start with UEFI, nor the other way round, and one that needs "
                             "Secure Boot may refuse to run without it. The firmware’s stored settings "
                             "(its NVRAM, with the boot entries) start afresh."));
  gtk_label_set_wrap (GTK_LABEL (warning), TRUE);
  gtk_label_set_xalign (GTK_LABEL (warning), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (warning), 48);
  gtk_widget_set_margin_top (warning, 6);
  gtk_widget_add_css_class (warning, "warning");

  gtk_box_append (GTK_BOX (box), bios);
  gtk_box_append (GTK_BOX (box), uefi);
  gtk_box_append (GTK_BOX (box), secure);
  gtk_box_append (GTK_BOX (box), warning);
  g_object_set_data (G_OBJECT (box), "uefi", uefi);
  g_object_set_data (G_OBJECT (box), "secure", secure);

  lodge_details_page_ask (self, _("Change Firmware?"),
                          _("The firmware starts the machine before its operating system does."),
                          box, _("C_hange"), TRUE, do_change_firmware, NULL);
}

/* Snapshot actions */

static void
lodge_details_page_create_snapshot_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = lodge_snapshots_create_finish (LODGE_SNAPSHOTS (object), result, &error);

  if (name == NULL)
    lodge_details_page_show_error (self, _("Could not take a snapshot"), error);
  else
    {
      g_autofree char *text = g_strdup_printf (_("Snapshot “%s” taken"), name);

      lodge_details_page_toast (self, text);
    }
  lodge_details_page_load_all (self);
}

static void
do_take_snapshot (LodgeDetailsPage *self,
                  GtkWidget        *extra,
                  const char       *target)
{
  GtkWidget *name = g_object_get_data (G_OBJECT (extra), "name");
  GtkWidget *description = g_object_get_data (G_OBJECT (extra), "description");

  /* A running machine pauses while its memory is saved: say so. */
  lodge_details_page_toast (self, _("Taking the snapshot…"));
  lodge_snapshots_create_async (self->snapshots, gtk_editable_get_text (GTK_EDITABLE (name)),
                                gtk_editable_get_text (GTK_EDITABLE (description)), self->cancellable,
                                lodge_details_page_create_snapshot_cb, g_object_ref (self));
}

static void
lodge_details_page_take_snapshot_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *name = gtk_entry_new ();
  GtkWidget *description = gtk_entry_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *suggested = g_date_time_format (now, "%Y-%m-%d_%H-%M-%S");
  gboolean running = self->machine && lodge_machine_is_active (self->machine);

  gtk_editable_set_text (GTK_EDITABLE (name), suggested);
  gtk_entry_set_placeholder_text (GTK_ENTRY (description), _("Description (optional)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (name), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Snapshot name"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (description), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Description"), -1);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), description);
  g_object_set_data (G_OBJECT (box), "name", name);
  g_object_set_data (G_OBJECT (box), "description", description);
  lodge_details_page_ask (self, _("Take Snapshot"),
                          running ? _("The machine keeps running. Its memory is saved too, so going back "
                                      "resumes it exactly where it is now.")
                                  : _("The snapshot keeps the disks as they are now."),
                          box, _("_Take"), FALSE, do_take_snapshot, NULL);
}

static void
do_revert_snapshot (LodgeDetailsPage *self,
                    GtkWidget        *extra,
                    const char       *name)
{
  g_autofree char *done = g_strdup_printf (_("Back to snapshot “%s”"), name);

  lodge_details_page_toast (self, _("Going back to the snapshot…"));
  lodge_snapshots_revert_async (self->snapshots, name, self->cancellable,
                                lodge_details_page_snapshot_action_cb,
                                edit_call_new (self, done, _("Could not go back to the snapshot")));
}

static void
lodge_details_page_revert_snapshot_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *param)
{
  const char *name = g_variant_get_string (param, NULL);
  g_autofree char *heading = g_strdup_printf (_("Go Back to “%s”?"), name);

  lodge_details_page_ask (LODGE_DETAILS_PAGE (widget), heading,
                          _("Everything that changed in the machine since this snapshot is lost, "
                            "unless you take a snapshot first."),
                          NULL, _("_Go Back"), TRUE, do_revert_snapshot, name);
}

static void
do_delete_snapshot (LodgeDetailsPage *self,
                    GtkWidget        *extra,
                    const char       *name)
{
  lodge_snapshots_delete_async (self->snapshots, name, self->cancellable,
                                lodge_details_page_snapshot_action_cb,
                                edit_call_new (self, _("Snapshot deleted"), _("Could not delete the snapshot")));
}

static void
lodge_details_page_delete_snapshot_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *param)
{
  const char *name = g_variant_get_string (param, NULL);
  g_autofree char *heading = g_strdup_printf (_("Delete Snapshot “%s”?"), name);

  lodge_details_page_ask (LODGE_DETAILS_PAGE (widget), heading,
                          _("The machine stays as it is; only the way back to this point is gone. "
                            "Later snapshots are kept."),
                          NULL, _("_Delete"), TRUE, do_delete_snapshot, name);
}

static void
do_describe_snapshot (LodgeDetailsPage *self,
                      GtkWidget        *extra,
                      const char       *name)
{
  lodge_snapshots_set_description_async (self->snapshots, name, gtk_editable_get_text (GTK_EDITABLE (extra)),
                                         self->cancellable, lodge_details_page_snapshot_action_cb,
                                         edit_call_new (self, _("Description saved"),
                                                        _("Could not change the description")));
}

static void
lodge_details_page_describe_snapshot_action (GtkWidget  *widget,
                                             const char *action_name,
                                             GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);
  const char *name = g_variant_get_string (param, NULL);
  GtkWidget *entry = gtk_entry_new ();

  for (guint i = 0; self->snapshot_list != NULL && i < self->snapshot_list->len; i++)
    {
      LodgeSnapshot *snapshot = g_ptr_array_index (self->snapshot_list, i);

      if (g_str_equal (snapshot->name, name) && snapshot->description != NULL)
        gtk_editable_set_text (GTK_EDITABLE (entry), snapshot->description);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Description"), -1);
  lodge_details_page_ask (self, _("Snapshot Description"), name, entry, _("_Save"), FALSE,
                          do_describe_snapshot, name);
}

/* Clone */

typedef struct
{
  LodgeDetailsPage *self;
  GtkWidget        *dialog;
  GtkWidget        *progress;
  GCancellable     *cancellable;
  char             *name;
} CloneRun;

static void
clone_run_free (CloneRun *run)
{
  g_object_unref (run->self);
  g_object_unref (run->cancellable);
  if (run->dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (run->dialog), (gpointer *) &run->dialog);
  g_free (run->name);
  g_free (run);
}

static void
lodge_details_page_clone_progress_cb (LodgeClone *clone,
                                      GParamSpec *pspec,
                                      GtkWidget  *progress)
{
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (progress), lodge_clone_get_progress (clone));
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (progress), lodge_clone_get_stage (clone));
}

static void
lodge_details_page_clone_done_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  CloneRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = lodge_clone_run_finish (LODGE_CLONE (object), result, &error);

  /* Cancel closed the dialog already. */
  if (run->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (run->dialog));
  if (uuid == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lodge_details_page_toast (run->self, _("Copy cancelled"));
      else
        lodge_details_page_show_error (run->self, _("Could not copy the machine"), error);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("“%s” is ready"), run->name);

      lodge_details_page_toast (run->self, text);
    }
  clone_run_free (run);
}

static void
lodge_details_page_clone_cancel_cb (AdwMessageDialog *dialog,
                                    const char       *response,
                                    GCancellable     *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static void
do_clone (LodgeDetailsPage *self,
          GtkWidget        *extra,
          const char       *target)
{
  GtkWidget *entry = g_object_get_data (G_OBJECT (extra), "entry");
  GtkWidget *linked = g_object_get_data (G_OBJECT (extra), "linked");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(LodgeClone) clone = lodge_clone_new (self->machine);
  CloneRun *run = g_new0 (CloneRun, 1);

  run->self = g_object_ref (self);
  run->cancellable = g_cancellable_new ();
  run->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));
  run->progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (run->progress), TRUE);
  run->dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        _("Copying the Machine"), run->name);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (run->dialog), "cancel", _("_Cancel"));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (run->dialog), run->progress);
  /* The dialog stays until the copy ends or is cancelled. */
  g_signal_connect_object (run->dialog, "response", G_CALLBACK (lodge_details_page_clone_cancel_cb),
                           run->cancellable, 0);
  g_signal_connect_object (clone, "notify::progress", G_CALLBACK (lodge_details_page_clone_progress_cb),
                           run->progress, 0);
  g_signal_connect_object (clone, "notify::stage", G_CALLBACK (lodge_details_page_clone_progress_cb),
                           run->progress, 0);
  /* Not a strong reference: the dialog goes with its window when that is
   * closed during the copy, and must not outlive it. */
  g_object_add_weak_pointer (G_OBJECT (run->dialog), (gpointer *) &run->dialog);
  gtk_window_present (GTK_WINDOW (run->dialog));

  lodge_clone_run_async (clone, run->name,
                         gtk_check_button_get_active (GTK_CHECK_BUTTON (linked)) ? LODGE_CLONE_LINKED : LODGE_CLONE_FULL,
                         run->cancellable, lodge_details_page_clone_done_cb, run);
}

static void
lodge_details_page_clone_row_activated_cb (LodgeDetailsPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *linked = gtk_check_button_new_with_mnemonic (_("_Linked copy: instant, shares the original’s disks "
                                                            "(the original must be off and have no snapshots)"));
  g_autofree char *name = NULL;

  if (self->machine == NULL)
    return;

  name = lodge_clone_suggest_name (lodge_machine_get_name (self->machine), NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name of the copy"), -1);
  gtk_label_set_wrap (GTK_LABEL (gtk_widget_get_last_child (linked)), TRUE);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), linked);
  g_object_set_data (G_OBJECT (box), "entry", entry);
  g_object_set_data (G_OBJECT (box), "linked", linked);
  lodge_details_page_ask (self, _("Make a Copy"),
                          _("A full copy duplicates every disk: it takes time and space, and is independent."),
                          box, _("_Copy"), FALSE, do_clone, NULL);
}

/* Troubleshooting and XML */

static void
lodge_details_page_copy (LodgeDetailsPage *self,
                         const char       *text,
                         const char       *toast)
{
  if (text == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  lodge_details_page_toast (self, toast);
}

static void
lodge_details_page_copy_log_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);

  lodge_details_page_copy (self, self->log_text, _("Log copied"));
}

static void
lodge_details_page_copy_xml_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);

  if (self->config != NULL)
    lodge_details_page_copy (self, lodge_machine_config_get_xml (self->config), _("XML copied"));
}

static void
lodge_details_page_reload_log_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);

  if (self->editor != NULL)
    lodge_machine_editor_read_log_async (self->editor, 256 * 1024, self->cancellable,
                                         lodge_details_page_log_cb, g_object_ref (self));
}

static void
lodge_details_page_xml_changed_cb (LodgeDetailsPage *self)
{
  if (!self->filling)
    self->xml_dirty = TRUE;
}

static void
lodge_details_page_show_xml_error (LodgeDetailsPage *self,
                                   const char       *message,
                                   guint             line)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->xml_view);
  GtkTextIter start;
  GtkTextIter end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, "error", &start, &end);

  if (message == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->xml_error_label), FALSE);
      return;
    }

  if (line > 0)
    {
      g_autofree char *text = g_strdup_printf (_("Line %u: %s"), line, message);

      gtk_label_set_text (self->xml_error_label, text);
      gtk_text_buffer_get_iter_at_line (buffer, &start, (int) line - 1);
      end = start;
      gtk_text_iter_forward_to_line_end (&end);
      gtk_text_buffer_apply_tag_by_name (buffer, "error", &start, &end);
      gtk_text_buffer_place_cursor (buffer, &start);
      gtk_text_view_scroll_to_iter (self->xml_view, &start, 0.1, FALSE, 0, 0);
    }
  else
    gtk_label_set_text (self->xml_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->xml_error_label), TRUE);
}

static void
lodge_details_page_define_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(LodgeDetailsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  guint line = 0;

  if (!lodge_machine_editor_define_xml_finish (LODGE_MACHINE_EDITOR (object), result, &line, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lodge_details_page_show_xml_error (self, error->message, line);
      return;
    }

  lodge_details_page_show_xml_error (self, NULL, 0);
  self->xml_dirty = FALSE;
  lodge_details_page_toast (self, lodge_machine_is_active (self->machine)
                                  ? _("Definition saved: applies at next boot")
                                  : _("Definition saved"));
  lodge_details_page_load_all (self);
}

static void
lodge_details_page_save_xml_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->xml_view);
  g_autofree char *xml = NULL;
  GtkTextIter start;
  GtkTextIter end;

  if (self->editor == NULL)
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  xml = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lodge_machine_editor_define_xml_async (self->editor, xml, self->cancellable,
                                         lodge_details_page_define_cb, g_object_ref (self));
}

static void
lodge_details_page_revert_xml_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *param)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);

  self->xml_dirty = FALSE;
  lodge_details_page_show_xml_error (self, NULL, 0);
  if (self->inactive_config != NULL)
    {
      self->filling = TRUE;
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view),
                                lodge_machine_config_get_xml (self->inactive_config), -1);
      self->filling = FALSE;
    }
}

/* The machine */

static void
lodge_details_page_machine_notify_cb (LodgeDetailsPage *self,
                                      GParamSpec       *pspec,
                                      LodgeMachine     *machine)
{
  if (g_str_equal (pspec->name, "state"))
    lodge_details_page_load_all (self);
  else if (g_str_equal (pspec->name, "display-name"))
    {
      adw_view_switcher_title_set_subtitle (self->switcher_title, lodge_machine_get_display_name (machine));
      gtk_label_set_text (self->name_label, lodge_machine_get_display_name (machine));
    }
}

static void
lodge_details_page_update_graphs (LodgeDetailsPage *self)
{
  const char *uuid = self->machine ? lodge_machine_get_uuid (self->machine) : NULL;

  lodge_graph_set_source (self->cpu_graph, self->history, uuid, LODGE_STATS_CPU, -1, NULL, NULL);
  lodge_graph_set_source (self->memory_graph, self->history, uuid, LODGE_STATS_MEMORY, -1, NULL, NULL);
  lodge_graph_set_source (self->disk_graph, self->history, uuid, LODGE_STATS_DISK_READ,
                          LODGE_STATS_DISK_WRITE, _("Read"), _("Write"));
  lodge_graph_set_source (self->net_graph, self->history, uuid, LODGE_STATS_NET_RX,
                          LODGE_STATS_NET_TX, _("Received"), _("Sent"));
  if (self->machine != NULL)
    lodge_graph_set_max_value (self->memory_graph, (double) lodge_machine_get_memory (self->machine));
}

LodgeMachine *
lodge_details_page_get_machine (LodgeDetailsPage *self)
{
  g_return_val_if_fail (LODGE_IS_DETAILS_PAGE (self), NULL);
  return self->machine;
}

void
lodge_details_page_set_machine (LodgeDetailsPage *self,
                                LodgeMachine     *machine)
{
  g_return_if_fail (LODGE_IS_DETAILS_PAGE (self));
  g_return_if_fail (machine == NULL || LODGE_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  /* Work in flight for the previous machine is dropped. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_func (self->machine, lodge_details_page_machine_notify_cb, self);
  lodge_details_page_hold_fast_stats (self, FALSE);
  g_set_object (&self->machine, machine);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    lodge_details_page_hold_fast_stats (self, TRUE);
  g_clear_object (&self->editor);
  g_clear_object (&self->snapshots);
  g_clear_object (&self->config);
  g_clear_object (&self->inactive_config);
  g_clear_pointer (&self->disk_usage, g_ptr_array_unref);
  g_clear_pointer (&self->snapshot_list, g_ptr_array_unref);
  self->xml_dirty = FALSE;
  self->start_time = 0;

  /* Before load_all(), which reloads it too. */
  lodge_performance_section_set_machine (self->performance_section, machine);
  if (machine != NULL)
    {
      self->editor = lodge_machine_editor_new (machine);
      self->snapshots = lodge_snapshots_new (machine);
      g_signal_connect_object (machine, "notify", G_CALLBACK (lodge_details_page_machine_notify_cb),
                               self, G_CONNECT_SWAPPED);
      lodge_details_page_load_all (self);
    }
  lodge_details_page_update_graphs (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

LodgeStatsHistory *
lodge_details_page_get_history (LodgeDetailsPage *self)
{
  g_return_val_if_fail (LODGE_IS_DETAILS_PAGE (self), NULL);
  return self->history;
}

void
lodge_details_page_set_history (LodgeDetailsPage  *self,
                                LodgeStatsHistory *history)
{
  g_return_if_fail (LODGE_IS_DETAILS_PAGE (self));

  if (g_set_object (&self->history, history))
    {
      lodge_details_page_update_graphs (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
    }
}

void
lodge_details_page_set_show_back_button (LodgeDetailsPage *self,
                                         gboolean          show)
{
  g_return_if_fail (LODGE_IS_DETAILS_PAGE (self));

  if (gtk_widget_get_visible (self->back_button) == !!show)
    return;
  gtk_widget_set_visible (self->back_button, show);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_BACK_BUTTON]);
}

void
lodge_details_page_show_section (LodgeDetailsPage *self,
                                 const char       *name)
{
  g_return_if_fail (LODGE_IS_DETAILS_PAGE (self));
  g_return_if_fail (name != NULL);

  adw_view_stack_set_visible_child_name (self->stack, name);
}

void
lodge_details_page_set_console_state (LodgeDetailsPage *self,
                                      const char       *text)
{
  g_return_if_fail (LODGE_IS_DETAILS_PAGE (self));

  adw_action_row_set_subtitle (self->console_row, text ? text : _("Unknown"));
}

/* The graphs promise one point a second: while a details page is shown,
 * its connection's stats tick every second (a count in the model lets
 * several pages and the preferences share). */
static void
lodge_details_page_hold_fast_stats (LodgeDetailsPage *self,
                                    gboolean          hold)
{
  LodgeConnection *connection;

  if (self->machine == NULL || (connection = lodge_machine_get_connection (self->machine)) == NULL)
    return;
  if (hold == self->holds_fast_stats)
    return;
  self->holds_fast_stats = hold;

  if (hold)
    lodge_connection_hold_fast_stats (connection);
  else
    lodge_connection_release_fast_stats (connection);
}

static void
lodge_details_page_map (GtkWidget *widget)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);

  GTK_WIDGET_CLASS (lodge_details_page_parent_class)->map (widget);
  if (self->uptime_source == 0)
    self->uptime_source = g_timeout_add_seconds (1, lodge_details_page_uptime_tick_cb, self);
  lodge_details_page_hold_fast_stats (self, TRUE);
}

static void
lodge_details_page_unmap (GtkWidget *widget)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (widget);

  g_clear_handle_id (&self->uptime_source, g_source_remove);
  lodge_details_page_hold_fast_stats (self, FALSE);
  GTK_WIDGET_CLASS (lodge_details_page_parent_class)->unmap (widget);
}

static void
lodge_details_page_dispose (GObject *object)
{
  LodgeDetailsPage *self = (LodgeDetailsPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->uptime_source, g_source_remove);
  lodge_details_page_hold_fast_stats (self, FALSE);
  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_func (self->machine, lodge_details_page_machine_notify_cb, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_DETAILS_PAGE);
  g_clear_object (&self->machine);
  g_clear_object (&self->history);
  g_clear_object (&self->editor);
  g_clear_object (&self->snapshots);
  g_clear_object (&self->config);
  g_clear_object (&self->inactive_config);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->disk_usage, g_ptr_array_unref);
  g_clear_pointer (&self->snapshot_list, g_ptr_array_unref);

  G_OBJECT_CLASS (lodge_details_page_parent_class)->dispose (object);
}

static void
lodge_details_page_finalize (GObject *object)
{
  LodgeDetailsPage *self = (LodgeDetailsPage *) object;

  g_clear_pointer (&self->dynamic_rows, g_ptr_array_unref);
  g_clear_pointer (&self->snapshot_rows, g_ptr_array_unref);
  g_clear_pointer (&self->boot_entries, g_ptr_array_unref);
  g_free (self->log_text);

  G_OBJECT_CLASS (lodge_details_page_parent_class)->finalize (object);
}

static void
lodge_details_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_SHOW_BACK_BUTTON:
      g_value_set_boolean (value, gtk_widget_get_visible (self->back_button));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_details_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LodgeDetailsPage *self = LODGE_DETAILS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      lodge_details_page_set_machine (self, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      lodge_details_page_set_history (self, g_value_get_object (value));
      break;
    case PROP_SHOW_BACK_BUTTON:
      lodge_details_page_set_show_back_button (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_details_page_class_init (LodgeDetailsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_details_page_dispose;
  object_class->finalize = lodge_details_page_finalize;
  object_class->get_property = lodge_details_page_get_property;
  object_class->set_property = lodge_details_page_set_property;
  widget_class->map = lodge_details_page_map;
  widget_class->unmap = lodge_details_page_unmap;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, LODGE_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, LODGE_TYPE_STATS_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_BACK_BUTTON] =
    g_param_spec_boolean ("show-back-button", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_BACK] =
    g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (LODGE_TYPE_PERFORMANCE_SECTION);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-details-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, box);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, performance_section);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, os_image);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, kind_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, os_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, state_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, uptime_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, addresses_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, host_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, description_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, graphs_grid);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, clone_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, vcpus_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, memory_spin);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, vcpus_spin);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, memory_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, vcpus_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, resources_apply_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, disks_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, network_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, display_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, gl_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, gl_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, sound_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, usb_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, usb_list);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, usb_popover);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, boot_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, boot_apply_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, other_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, snapshots_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, console_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, log_view);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, xml_view);
  gtk_widget_class_bind_template_child (widget_class, LodgeDetailsPage, xml_error_label);

  gtk_widget_class_bind_template_callback (widget_class, lodge_details_page_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_details_page_description_row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_details_page_clone_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_details_page_resources_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_details_page_resources_apply_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_details_page_usb_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_details_page_usb_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_details_page_boot_apply_button_clicked_cb);

  gtk_widget_class_install_action (widget_class, "details.grow-disk", "s", lodge_details_page_grow_disk_action);
  gtk_widget_class_install_action (widget_class, "details.remove-disk", "s", lodge_details_page_remove_disk_action);
  gtk_widget_class_install_action (widget_class, "details.insert-media", "s", lodge_details_page_insert_media_action);
  gtk_widget_class_install_action (widget_class, "details.eject-media", "s", lodge_details_page_eject_media_action);
  gtk_widget_class_install_action (widget_class, "details.add-new-disk", NULL, lodge_details_page_add_new_disk_action);
  gtk_widget_class_install_action (widget_class, "details.add-existing-disk", NULL,
                                   lodge_details_page_add_existing_disk_action);
  gtk_widget_class_install_action (widget_class, "details.add-cdrom", NULL, lodge_details_page_add_cdrom_action);
  gtk_widget_class_install_action (widget_class, "details.add-interface", NULL,
                                   lodge_details_page_add_interface_action);
  gtk_widget_class_install_action (widget_class, "details.edit-interface", "s",
                                   lodge_details_page_edit_interface_action);
  gtk_widget_class_install_action (widget_class, "details.remove-interface", "s",
                                   lodge_details_page_remove_interface_action);
  gtk_widget_class_install_action (widget_class, "details.remove-usb", "s", lodge_details_page_remove_usb_action);
  gtk_widget_class_install_action (widget_class, "details.change-firmware", NULL,
                                   lodge_details_page_change_firmware_action);
  gtk_widget_class_install_action (widget_class, "details.take-snapshot", NULL,
                                   lodge_details_page_take_snapshot_action);
  gtk_widget_class_install_action (widget_class, "details.revert-snapshot", "s",
                                   lodge_details_page_revert_snapshot_action);
  gtk_widget_class_install_action (widget_class, "details.delete-snapshot", "s",
                                   lodge_details_page_delete_snapshot_action);
  gtk_widget_class_install_action (widget_class, "details.describe-snapshot", "s",
                                   lodge_details_page_describe_snapshot_action);
  gtk_widget_class_install_action (widget_class, "details.copy-log", NULL, lodge_details_page_copy_log_action);
  gtk_widget_class_install_action (widget_class, "details.copy-xml", NULL, lodge_details_page_copy_xml_action);
  gtk_widget_class_install_action (widget_class, "details.reload-log", NULL, lodge_details_page_reload_log_action);
  gtk_widget_class_install_action (widget_class, "details.save-xml", NULL, lodge_details_page_save_xml_action);
  gtk_widget_class_install_action (widget_class, "details.revert-xml", NULL, lodge_details_page_revert_xml_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  g_type_ensure (LODGE_TYPE_GRAPH);
}

static void
lodge_details_page_init (LodgeDetailsPage *self)
{
  GtkTextBuffer *xml_buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Subtitles carry machine data (paths, URIs, names): never markup. */
  {
    AdwActionRow *plain[] = { self->os_row, self->state_row, self->uptime_row, self->addresses_row,
                              self->host_row, self->memory_row, self->vcpus_row, self->firmware_row,
                              self->console_row };

    for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (plain[i]), FALSE);
  }

  self->cancellable = g_cancellable_new ();
  self->dynamic_rows = g_ptr_array_new ();
  self->snapshot_rows = g_ptr_array_new ();
  self->boot_entries = g_ptr_array_new ();

  self->cpu_graph = LODGE_GRAPH (lodge_graph_new (_("Processor"), LODGE_GRAPH_UNIT_PERCENT));
  self->memory_graph = LODGE_GRAPH (lodge_graph_new (_("Memory"), LODGE_GRAPH_UNIT_BYTES));
  self->disk_graph = LODGE_GRAPH (lodge_graph_new (_("Disk"), LODGE_GRAPH_UNIT_BYTES_PER_SECOND));
  self->net_graph = LODGE_GRAPH (lodge_graph_new (_("Network"), LODGE_GRAPH_UNIT_BYTES_PER_SECOND));
  gtk_grid_attach (self->graphs_grid, GTK_WIDGET (self->cpu_graph), 0, 0, 1, 1);
  gtk_grid_attach (self->graphs_grid, GTK_WIDGET (self->memory_graph), 1, 0, 1, 1);
  gtk_grid_attach (self->graphs_grid, GTK_WIDGET (self->disk_graph), 0, 1, 1, 1);
  gtk_grid_attach (self->graphs_grid, GTK_WIDGET (self->net_graph), 1, 1, 1, 1);

  xml_buffer = gtk_text_view_get_buffer (self->xml_view);
  gtk_text_buffer_create_tag (xml_buffer, "error", "background", "rgba(224,27,36,0.25)", NULL);
  g_signal_connect_object (xml_buffer, "changed", G_CALLBACK (lodge_details_page_xml_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->display_row, "notify::selected",
                           G_CALLBACK (lodge_details_page_display_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->gl_switch, "notify::active",
                           G_CALLBACK (lodge_details_page_display_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sound_row, "notify::selected",
                           G_CALLBACK (lodge_details_page_sound_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->autostart_switch, "notify::active",
                           G_CALLBACK (lodge_details_page_autostart_changed_cb), self, G_CONNECT_SWAPPED);
  lodge_details_page_set_console_state (self, NULL);
  /* Until the definition says what the firmware is. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.change-firmware", FALSE);
}

GtkWidget *
lodge_details_page_new (void)
{
  return g_object_new (LODGE_TYPE_DETAILS_PAGE, NULL);
}

/* A window for the page */

static void
lodge_details_window_page_back_cb (LodgeDetailsPage *page,
                                   GtkWindow        *window)
{
  gtk_window_close (window);
}

GtkWindow *
lodge_details_window_new (GtkWindow         *parent,
                          LodgeMachine      *machine,
                          LodgeStatsHistory *history)
{
  GtkWidget *window;
  GtkWidget *page;
  g_autofree char *title = NULL;

  g_return_val_if_fail (LODGE_IS_MACHINE (machine), NULL);

  window = adw_window_new ();
  title = g_strdup_printf (_("Details of %s"), lodge_machine_get_display_name (machine));
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 820);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), parent);
      gtk_window_set_application (GTK_WINDOW (window), gtk_window_get_application (parent));
    }

  if (history == NULL && lodge_machine_get_connection (machine) != NULL)
    history = lodge_stats_history_for_connection (lodge_machine_get_connection (machine));

  page = lodge_details_page_new ();
  lodge_details_page_set_history (LODGE_DETAILS_PAGE (page), history);
  lodge_details_page_set_machine (LODGE_DETAILS_PAGE (page), machine);
  lodge_details_page_set_show_back_button (LODGE_DETAILS_PAGE (page), FALSE);
  adw_window_set_content (ADW_WINDOW (window), page);
  g_signal_connect_object (page, "back", G_CALLBACK (lodge_details_window_page_back_cb), window, 0);

  return GTK_WINDOW (window);
}
