/* lodge-networks-page.c: a host's virtual networks and interfaces
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Networks are few: a row each (gtk_list_box_bind_model over the model
 * sorted by name), whose buttons name the network by uuid in the page's
 * actions. The model refuses what would cut running machines off; the page
 * asks first, naming them.
 */
#define G_LOG_DOMAIN "lodge-networks-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-network-dialog.h"
#include "ui/lodge-networks-page.h"
#include "ui/lodge-ui-private.h"

static const char *
mode_label (const char *mode)
{
  static const struct { const char *mode; const char *label; } labels[] = {
    { "nat", N_("NAT") },
    { "isolated", N_("Isolated") },
    { "route", N_("Routed") },
    { "open", N_("Open") },
    { "bridge", N_("Bridge to the host") },
    { "private", N_("Macvtap (private)") },
    { "vepa", N_("Macvtap (VEPA)") },
    { "passthrough", N_("Macvtap (passthrough)") },
    { "hostdev", N_("Host device") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (mode, labels[i].mode) == 0)
      return _(labels[i].label);
  return mode != NULL ? mode : "";
}

/* "a, b (running)" */
static char *
machines_text (LodgeNetwork *network)
{
  const char * const *all = lodge_network_get_machines (network);
  const char * const *running = lodge_network_get_running_machines (network);
  GString *text = g_string_new (NULL);

  if (all[0] == NULL)
    {
      g_string_free (text, TRUE);
      return g_strdup (_("No machine uses it"));
    }
  for (guint i = 0; all[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      if (g_strv_contains (running, all[i]))
        /* Translators: a machine's name in a list of those that use a network. */
        g_string_append_printf (text, _("%s (running)"), all[i]);
      else
        g_string_append (text, all[i]);
    }
  {
    g_autofree char *list = g_string_free (text, FALSE);

    /* Translators: the machines that use a network, by name. */
    return g_strdup_printf (_("Machines: %s"), list);
  }
}

/* A network's row -------------------------------------------------------- */

#define LODGE_TYPE_NETWORK_ROW (lodge_network_row_get_type ())
G_DECLARE_FINAL_TYPE (LodgeNetworkRow, lodge_network_row, LODGE, NETWORK_ROW, GtkListBoxRow)

struct _LodgeNetworkRow
{
  GtkListBoxRow  parent_instance;

  LodgeNetwork  *network;
  GtkImage      *icon;
  GtkLabel      *name_label;
  GtkLabel      *state_label;
  GtkLabel      *details_label;
  GtkLabel      *dhcp_label;
  GtkLabel      *machines_label;
  GtkSwitch     *autostart_switch;
  GtkButton     *run_button;
  GtkButton     *delete_button;
};

G_DEFINE_FINAL_TYPE (LodgeNetworkRow, lodge_network_row, GTK_TYPE_LIST_BOX_ROW)

static void lodge_network_row_autostart_switch_notify_active_cb (LodgeNetworkRow *self,
                                                                 GParamSpec      *pspec,
                                                                 GtkSwitch       *toggle);

static void
lodge_network_row_update (LodgeNetworkRow *self)
{
  LodgeNetwork *network = self->network;
  const char *name = lodge_network_get_name (network);
  const char *uuid = lodge_network_get_uuid (network);
  const char * const *addresses = lodge_network_get_addresses (network);
  const char * const *ranges = lodge_network_get_dhcp_ranges (network);
  gboolean active = lodge_network_get_active (network);
  const char *bridge = lodge_network_get_bridge (network);
  g_autofree char *machines = machines_text (network);
  g_autofree char *accessible = NULL;
  g_autofree char *run_label = NULL;
  g_autofree char *delete_label = NULL;
  g_autofree char *autostart_label = NULL;
  GString *details = g_string_new (mode_label (lodge_network_get_forward_mode (network)));

  gtk_label_set_label (self->name_label, name);
  gtk_label_set_label (self->state_label, active ? C_("network", "Running") : C_("network", "Stopped"));
  gtk_image_set_from_icon_name (self->icon, active ? "network-wired-symbolic" : "network-wired-disconnected-symbolic");

  for (guint i = 0; addresses[i] != NULL; i++)
    g_string_append_printf (details, " · %s", addresses[i]);
  if (bridge != NULL)
    /* Translators: the host's bridge device of a network, like virbr0. */
    g_string_append_printf (details, _(" · bridge %s"), bridge);
  g_string_append_printf (details, " · %s", lodge_network_get_autostart (network) ? _("Starts with the host")
                                                                                  : _("Started by hand"));
  gtk_label_set_label (self->details_label, details->str);
  g_string_free (details, TRUE);

  if (ranges[0] != NULL)
    {
      GString *joined = g_string_new (NULL);
      g_autofree char *text = NULL;

      for (guint i = 0; ranges[i] != NULL; i++)
        {
          g_auto(GStrv) ends = g_strsplit (ranges[i], "-", 2);

          if (joined->len > 0)
            g_string_append (joined, ", ");
          g_string_append_printf (joined, "%s – %s", ends[0], ends[1] != NULL ? ends[1] : "");
        }
      /* Translators: the addresses a network's DHCP server gives out. */
      text = g_strdup_printf (_("DHCP: %s"), joined->str);
      g_string_free (joined, TRUE);
      gtk_label_set_label (self->dhcp_label, text);
    }
  else
    gtk_label_set_label (self->dhcp_label, _("No DHCP"));
  gtk_label_set_label (self->machines_label, machines);

  g_signal_handlers_block_by_func (self->autostart_switch, lodge_network_row_autostart_switch_notify_active_cb, self);
  gtk_switch_set_active (self->autostart_switch, lodge_network_get_autostart (network));
  gtk_widget_set_sensitive (GTK_WIDGET (self->autostart_switch), lodge_network_get_persistent (network));
  g_signal_handlers_unblock_by_func (self->autostart_switch, lodge_network_row_autostart_switch_notify_active_cb, self);
  /* Translators: %s is a network's name. */
  autostart_label = g_strdup_printf (_("Start %s with the host"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->autostart_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, autostart_label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->autostart_switch), _("Start with the host"));

  gtk_button_set_icon_name (self->run_button, active ? "media-playback-stop-symbolic" : "media-playback-start-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), active ? "networks.stop" : "networks.start");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->run_button), "s", uuid);
  run_label = g_strdup_printf (active ? _("Stop %s") : _("Start %s"), name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_button), active ? _("Stop") : _("Start"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button), GTK_ACCESSIBLE_PROPERTY_LABEL, run_label, -1);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->delete_button), "s", uuid);
  /* Translators: %s is a network's name. */
  delete_label = g_strdup_printf (_("Delete %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->delete_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  delete_label, -1);

  accessible = g_strdup_printf ("%s, %s", name, active ? C_("network", "Running") : C_("network", "Stopped"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
lodge_network_row_network_notify_cb (LodgeNetworkRow *self,
                                     GParamSpec      *pspec,
                                     LodgeNetwork    *network)
{
  lodge_network_row_update (self);
}

static void
lodge_network_row_autostart_switch_notify_active_cb (LodgeNetworkRow *self,
                                                     GParamSpec      *pspec,
                                                     GtkSwitch       *toggle)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "networks.autostart", "(sb)",
                              lodge_network_get_uuid (self->network), gtk_switch_get_active (toggle));
}

static void
lodge_network_row_dispose (GObject *object)
{
  LodgeNetworkRow *self = LODGE_NETWORK_ROW (object);

  g_clear_object (&self->network);

  G_OBJECT_CLASS (lodge_network_row_parent_class)->dispose (object);
}

static void
lodge_network_row_class_init (LodgeNetworkRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lodge_network_row_dispose;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "row");
}

static GtkLabel *
caption_label (gboolean dim)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_width_chars (GTK_LABEL (label), 20);
  gtk_widget_add_css_class (label, "caption");
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  return GTK_LABEL (label);
}

static void
lodge_network_row_init (LodgeNetworkRow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *info = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->icon = g_object_new (GTK_TYPE_IMAGE, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                             "valign", GTK_ALIGN_START, "margin-top", 2, NULL);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->icon));

  self->name_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->name_label, 0);
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "heading");
  self->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "dim-label");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->name_label));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->state_label));
  gtk_box_append (GTK_BOX (info), top);

  self->details_label = caption_label (TRUE);
  self->dhcp_label = caption_label (TRUE);
  self->machines_label = caption_label (FALSE);
  gtk_box_append (GTK_BOX (info), GTK_WIDGET (self->details_label));
  gtk_box_append (GTK_BOX (info), GTK_WIDGET (self->dhcp_label));
  gtk_box_append (GTK_BOX (info), GTK_WIDGET (self->machines_label));
  gtk_widget_set_hexpand (info, TRUE);
  gtk_box_append (GTK_BOX (box), info);

  {
    GtkWidget *autostart = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
    GtkWidget *label = gtk_label_new (_("Autostart"));

    gtk_widget_add_css_class (label, "caption");
    gtk_widget_add_css_class (label, "dim-label");
    gtk_widget_set_valign (autostart, GTK_ALIGN_CENTER);
    self->autostart_switch = GTK_SWITCH (gtk_switch_new ());
    gtk_widget_set_halign (GTK_WIDGET (self->autostart_switch), GTK_ALIGN_CENTER);
    g_signal_connect_swapped (self->autostart_switch, "notify::active",
                              G_CALLBACK (lodge_network_row_autostart_switch_notify_active_cb), self);
    gtk_box_append (GTK_BOX (autostart), label);
    gtk_box_append (GTK_BOX (autostart), GTK_WIDGET (self->autostart_switch));
    gtk_box_append (GTK_BOX (box), autostart);
  }

  self->run_button = GTK_BUTTON (gtk_button_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->run_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->run_button), "flat");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->run_button));

  self->delete_button = GTK_BUTTON (gtk_button_new_from_icon_name ("user-trash-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (self->delete_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->delete_button), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->delete_button), _("Delete"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->delete_button), "networks.delete");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->delete_button));

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), box);
}

static GtkWidget *
lodge_network_row_new (LodgeNetwork *network)
{
  LodgeNetworkRow *self = g_object_new (LODGE_TYPE_NETWORK_ROW, NULL);

  self->network = g_object_ref (network);
  g_signal_connect_object (network, "notify", G_CALLBACK (lodge_network_row_network_notify_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_network_row_update (self);
  return GTK_WIDGET (self);
}

static GtkWidget *
interface_row_new (gpointer item,
                   gpointer user_data)
{
  LodgeHostInterface *iface = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *state = gtk_label_new (lodge_host_interface_get_active (iface) ? C_("interface", "Up")
                                                                            : C_("interface", "Down"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lodge_host_interface_get_name (iface));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), lodge_host_interface_get_mac (iface) != NULL
                                                     ? lodge_host_interface_get_mac (iface) : "");
  gtk_widget_add_css_class (state, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             g_object_new (GTK_TYPE_IMAGE, "icon-name", "network-wired-symbolic",
                                           "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL));
  return row;
}

/* The page ---------------------------------------------------------------- */

struct _LodgeNetworksPage
{
  GtkWidget           parent_instance;

  LodgeHost          *host;
  LodgeNetworks      *networks;
  GtkSortListModel   *sorted;
  GtkWindow          *dialog;      /* weak */
  char               *last_error;

  AdwToastOverlay    *toast_overlay;
  GtkStack           *stack;
  GtkSpinner         *spinner;
  AdwStatusPage      *error_status;
  GtkListBox         *network_list;
  GtkWidget          *no_networks_label;
  AdwPreferencesGroup *interfaces_group;
  GtkListBox         *interface_list;
};

G_DEFINE_FINAL_TYPE (LodgeNetworksPage, lodge_networks_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HOST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lodge_networks_page_update (LodgeNetworksPage *self)
{
  LodgeConnectionState state = lodge_host_get_state (self->host);
  const char *source = lodge_networks_get_interfaces_source (self->networks);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->networks));
  guint n_interfaces = g_list_model_get_n_items (lodge_networks_get_interfaces (self->networks));
  const char *page;

  if (n > 0 || lodge_networks_get_loaded (self->networks))
    page = "networks";
  else if (lodge_networks_get_error (self->networks) != NULL)
    {
      adw_status_page_set_description (self->error_status, lodge_networks_get_error (self->networks)->message);
      page = "error";
    }
  else if (state == LODGE_CONNECTION_STATE_DISCONNECTED || state == LODGE_CONNECTION_STATE_FAILED)
    page = "disconnected";
  else
    page = "loading";

  gtk_spinner_set_spinning (self->spinner, g_str_equal (page, "loading"));
  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_widget_set_visible (GTK_WIDGET (self->network_list), n > 0);
  gtk_widget_set_visible (self->no_networks_label, n == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "networks.new",
                                 state == LODGE_CONNECTION_STATE_CONNECTED);

  if (g_strcmp0 (source, "sysfs") == 0)
    adw_preferences_group_set_description (self->interfaces_group,
                                           _("libvirt cannot list this host’s interfaces: these are read from this computer."));
  else if (source == NULL && lodge_networks_get_loaded (self->networks))
    adw_preferences_group_set_description (self->interfaces_group,
                                           _("libvirt cannot list this host’s interfaces."));
  else if (n_interfaces == 0 && lodge_networks_get_loaded (self->networks))
    adw_preferences_group_set_description (self->interfaces_group, _("libvirt lists no interfaces on this host."));
  else
    adw_preferences_group_set_description (self->interfaces_group, _("As libvirt lists them."));
  gtk_widget_set_visible (GTK_WIDGET (self->interface_list), n_interfaces > 0);
}

static void
lodge_networks_page_notify_cb (LodgeNetworksPage *self)
{
  lodge_networks_page_update (self);
}

/* libvirt's reasons are long: a dialog shows them whole (a toast would cut
 * them short). */
static void
lodge_networks_page_show_error (LodgeNetworksPage *self,
                                const GError      *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              _("The Network Was Not Changed"), error->message);

  g_free (self->last_error);
  self->last_error = g_strdup (error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lodge_networks_page_action_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(LodgeNetworksPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_networks_run_action_finish (LODGE_NETWORKS (object), result, &error))
    lodge_networks_page_show_error (self, error);
}

static void
lodge_networks_page_run (LodgeNetworksPage  *self,
                         const char         *uuid,
                         LodgeNetworkAction  action,
                         gboolean            force)
{
  lodge_networks_run_action_async (self->networks, uuid, action, force, NULL,
                                   lodge_networks_page_action_cb, g_object_ref (self));
}

static LodgeNetwork *
lodge_networks_page_network (LodgeNetworksPage *self,
                             GVariant          *parameter)
{
  const char *uuid = NULL;

  if (g_variant_is_of_type (parameter, G_VARIANT_TYPE_STRING))
    uuid = g_variant_get_string (parameter, NULL);
  else
    g_variant_get_child (parameter, 0, "&s", &uuid);
  return uuid != NULL ? lodge_networks_lookup (self->networks, uuid) : NULL;
}

static void
lodge_networks_page_start_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (widget);

  lodge_networks_page_run (self, g_variant_get_string (parameter, NULL), LODGE_NETWORK_ACTION_START, FALSE);
}

static void
lodge_networks_page_autostart_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (widget);
  const char *uuid;
  gboolean on;

  g_variant_get (parameter, "(&sb)", &uuid, &on);
  lodge_networks_page_run (self, uuid, on ? LODGE_NETWORK_ACTION_AUTOSTART_ON : LODGE_NETWORK_ACTION_AUTOSTART_OFF,
                           FALSE);
}

typedef struct
{
  LodgeNetworksPage  *page;
  char               *uuid;
  LodgeNetworkAction  action;
} Confirm;

static void
confirm_free (Confirm *confirm)
{
  g_object_unref (confirm->page);
  g_free (confirm->uuid);
  g_free (confirm);
}

static void
lodge_networks_page_confirm_response_cb (AdwMessageDialog *dialog,
                                         const char       *response,
                                         Confirm          *confirm)
{
  if (g_strcmp0 (response, "stop") == 0 || g_strcmp0 (response, "delete") == 0)
    lodge_networks_page_run (confirm->page, confirm->uuid, confirm->action, TRUE);
}

static void
lodge_networks_page_confirm (LodgeNetworksPage  *self,
                             LodgeNetwork       *network,
                             LodgeNetworkAction  action,
                             const char         *heading,
                             const char         *body,
                             const char         *response,
                             const char         *label)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, body);
  Confirm *confirm = g_new0 (Confirm, 1);

  confirm->page = g_object_ref (self);
  confirm->uuid = g_strdup (lodge_network_get_uuid (network));
  confirm->action = action;
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  if (response != NULL)
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), response, label);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                                  ADW_RESPONSE_DESTRUCTIVE);
    }
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (lodge_networks_page_confirm_response_cb),
                         confirm, (GClosureNotify) confirm_free, 0);
  g_set_weak_pointer (&self->dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lodge_networks_page_stop_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (widget);
  LodgeNetwork *network = lodge_networks_page_network (self, parameter);
  const char * const *running;
  g_autofree char *heading = NULL;
  g_autofree char *list = NULL;
  g_autofree char *body = NULL;

  if (network == NULL)
    return;
  running = lodge_network_get_running_machines (network);
  if (running[0] == NULL)
    {
      lodge_networks_page_run (self, lodge_network_get_uuid (network), LODGE_NETWORK_ACTION_STOP, FALSE);
      return;
    }
  /* Translators: %s is a network's name. */
  heading = g_strdup_printf (_("Stop %s?"), lodge_network_get_name (network));
  list = g_strjoinv (", ", (char **) running);
  /* Translators: %s is a list of machines' names. */
  body = g_strdup_printf (_("These running machines lose their connection to it: %s."), list);
  lodge_networks_page_confirm (self, network, LODGE_NETWORK_ACTION_STOP, heading, body, "stop", _("_Stop"));
}

static void
lodge_networks_page_delete_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (widget);
  LodgeNetwork *network = lodge_networks_page_network (self, parameter);
  const char * const *running;
  const char * const *all;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  if (network == NULL)
    return;
  running = lodge_network_get_running_machines (network);
  all = lodge_network_get_machines (network);
  /* Translators: %s is a network's name. */
  heading = g_strdup_printf (_("Delete %s?"), lodge_network_get_name (network));
  if (running[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) running);

      g_free (heading);
      heading = g_strdup_printf (_("%s Is in Use"), lodge_network_get_name (network));
      /* Translators: %s is a list of machines' names. */
      body = g_strdup_printf (_("It cannot be deleted while these machines run on it: %s. Shut them down first."),
                              list);
      lodge_networks_page_confirm (self, network, LODGE_NETWORK_ACTION_DELETE, heading, body, NULL, NULL);
      return;
    }
  if (all[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) all);

      /* Translators: %s is a list of machines' names. */
      body = g_strdup_printf (_("These machines use it and will not start until their network card is "
                                "moved to another network: %s."), list);
    }
  else
    body = g_strdup (_("Its settings are removed from the host. No machine uses it."));
  lodge_networks_page_confirm (self, network, LODGE_NETWORK_ACTION_DELETE, heading, body, "delete", _("_Delete"));
}

static void
lodge_networks_page_dialog_created_cb (LodgeNetworksPage *self,
                                       const char        *name,
                                       LodgeNetworkDialog *dialog)
{
  g_autofree char *text = g_strdup_printf (_("Network %s made"), name);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
lodge_networks_page_new_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (widget);
  LodgeNetworkDialog *dialog = lodge_network_dialog_new (self->networks);

  lodge_ui_window_set_parent (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  g_signal_connect_object (dialog, "created", G_CALLBACK (lodge_networks_page_dialog_created_cb),
                           self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
lodge_networks_page_create_row (gpointer item,
                                gpointer user_data)
{
  return lodge_network_row_new (LODGE_NETWORK (item));
}

/* GObject ------------------------------------------------------------------- */

static void
lodge_networks_page_constructed (GObject *object)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (object);

  G_OBJECT_CLASS (lodge_networks_page_parent_class)->constructed (object);

  g_assert (self->host != NULL);
  self->networks = g_object_ref (lodge_host_get_networks (self->host));
  g_signal_connect_object (self->networks, "notify", G_CALLBACK (lodge_networks_page_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host, "notify::state", G_CALLBACK (lodge_networks_page_notify_cb),
                           self, G_CONNECT_SWAPPED);
  /* The model keeps them by name too; sorted here so that a rename by
   * another program cannot leave one out of place. */
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->networks)),
    GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (LODGE_TYPE_NETWORK, NULL, "name"))));
  gtk_list_box_bind_model (self->network_list, G_LIST_MODEL (self->sorted),
                           lodge_networks_page_create_row, NULL, NULL);
  gtk_list_box_bind_model (self->interface_list, lodge_networks_get_interfaces (self->networks),
                           interface_row_new, NULL, NULL);
  g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (lodge_networks_page_notify_cb),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (lodge_networks_get_interfaces (self->networks), "items-changed",
                           G_CALLBACK (lodge_networks_page_notify_cb), self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  lodge_networks_page_update (self);
}

static void
lodge_networks_page_dispose (GObject *object)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (object);

  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  g_clear_weak_pointer (&self->dialog);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_NETWORKS_PAGE);
  g_clear_object (&self->sorted);
  g_clear_object (&self->networks);
  g_clear_object (&self->host);
  g_clear_pointer (&self->last_error, g_free);

  G_OBJECT_CLASS (lodge_networks_page_parent_class)->dispose (object);
}

static void
lodge_networks_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_object (value, self->host);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_networks_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LodgeNetworksPage *self = LODGE_NETWORKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_networks_page_class_init (LodgeNetworksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = lodge_networks_page_constructed;
  object_class->dispose = lodge_networks_page_dispose;
  object_class->get_property = lodge_networks_page_get_property;
  object_class->set_property = lodge_networks_page_set_property;

  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, LODGE_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-networks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworksPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworksPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworksPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworksPage, error_status);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworksPage, network_list);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworksPage, no_networks_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworksPage, interfaces_group);
  gtk_widget_class_bind_template_child (widget_class, LodgeNetworksPage, interface_list);

  gtk_widget_class_install_action (widget_class, "networks.new", NULL, lodge_networks_page_new_action);
  gtk_widget_class_install_action (widget_class, "networks.start", "s", lodge_networks_page_start_action);
  gtk_widget_class_install_action (widget_class, "networks.stop", "s", lodge_networks_page_stop_action);
  gtk_widget_class_install_action (widget_class, "networks.delete", "s", lodge_networks_page_delete_action);
  gtk_widget_class_install_action (widget_class, "networks.autostart", "(sb)", lodge_networks_page_autostart_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "networks.new", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lodgenetworkspage");
}

static void
lodge_networks_page_init (LodgeNetworksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
lodge_networks_page_new (LodgeHost *host)
{
  g_return_val_if_fail (LODGE_IS_HOST (host), NULL);

  return g_object_new (LODGE_TYPE_NETWORKS_PAGE, "host", host, NULL);
}

LodgeHost *
lodge_networks_page_get_host (LodgeNetworksPage *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS_PAGE (self), NULL);
  return self->host;
}

const char *
lodge_networks_page_get_visible_page (LodgeNetworksPage *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

static void
collect_texts (GtkWidget *widget,
               GString   *texts)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && gtk_label_get_text (GTK_LABEL (child))[0] != '\0')
        {
          if (texts->len > 0)
            g_string_append_c (texts, '\n');
          g_string_append (texts, gtk_label_get_text (GTK_LABEL (child)));
        }
      collect_texts (child, texts);
    }
}

char *
lodge_networks_page_dup_network_text (LodgeNetworksPage *self,
                                      const char        *name)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (LODGE_IS_NETWORKS_PAGE (self), NULL);

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->network_list, i)) != NULL; i++)
    if (g_strcmp0 (lodge_network_get_name (LODGE_NETWORK_ROW (row)->network), name) == 0)
      {
        GString *texts = g_string_new (NULL);

        collect_texts (GTK_WIDGET (row), texts);
        return g_string_free (texts, FALSE);
      }
  return NULL;
}

char *
lodge_networks_page_dup_interfaces_text (LodgeNetworksPage *self)
{
  GString *texts = g_string_new (NULL);

  g_return_val_if_fail (LODGE_IS_NETWORKS_PAGE (self), NULL);

  collect_texts (GTK_WIDGET (self->interfaces_group), texts);
  return g_string_free (texts, FALSE);
}

const char *
lodge_networks_page_get_last_error (LodgeNetworksPage *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS_PAGE (self), NULL);
  return self->last_error;
}

GtkWindow *
lodge_networks_page_get_dialog (LodgeNetworksPage *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS_PAGE (self), NULL);
  return self->dialog;
}
