/* lodge-remote-window.c: a console window for a remote display address
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-remote-window"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ui/lodge-remote-window.h"
#include "ui/lodge-ui-private.h"

/* The pointer this close to the top of a fullscreen window brings the
 * Leave Fullscreen button down. */
#define REVEAL_EDGE_PX 4

struct _LodgeRemoteWindow
{
  AdwApplicationWindow  parent_instance;

  LodgeDisplayEndpoint *endpoint;
  gboolean              from_file;
  /* The CA of a file that carries it inline: spice-client-glib wants a
   * file; removed with the window. */
  char                 *ca_tmp_path;
  char                 *message;
  /* A VNC address: its session, for the window's life. */
  LodgeVncSession      *vnc;
  AdwMessageDialog     *password_dialog;
  GtkEntry             *password_entry;

  /* Template */
  AdwToastOverlay      *toast_overlay;
  GtkOverlay           *overlay;
  GtkRevealer          *fullscreen_revealer;
  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  AdwStatusPage        *connecting_page;
  GtkSpinner           *connecting_spinner;
  LodgeDisplay         *display;
  AdwStatusPage        *disconnected_page;
  GtkWidget            *reconnect_button;
  GtkWidget            *send_key_button;
};

G_DEFINE_FINAL_TYPE (LodgeRemoteWindow, lodge_remote_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ENDPOINT,
  PROP_FROM_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

LodgeDisplayEndpoint *
lodge_remote_window_get_endpoint (LodgeRemoteWindow *self)
{
  g_return_val_if_fail (LODGE_IS_REMOTE_WINDOW (self), NULL);

  return self->endpoint;
}

LodgeDisplay *
lodge_remote_window_get_display (LodgeRemoteWindow *self)
{
  g_return_val_if_fail (LODGE_IS_REMOTE_WINDOW (self), NULL);

  return self->display;
}

const char *
lodge_remote_window_get_view (LodgeRemoteWindow *self)
{
  g_return_val_if_fail (LODGE_IS_REMOTE_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
lodge_remote_window_get_message (LodgeRemoteWindow *self)
{
  g_return_val_if_fail (LODGE_IS_REMOTE_WINDOW (self), NULL);

  return self->message;
}

AdwMessageDialog *
lodge_remote_window_get_password_dialog (LodgeRemoteWindow *self)
{
  g_return_val_if_fail (LODGE_IS_REMOTE_WINDOW (self), NULL);

  return self->password_dialog;
}

/* "host:port" as people write it (IPv6 in brackets), or the socket. */
static char *
lodge_remote_window_dup_address (LodgeRemoteWindow *self)
{
  const char *host = lodge_display_endpoint_get_host (self->endpoint);
  const char *socket = lodge_display_endpoint_get_socket (self->endpoint);
  int port = lodge_display_endpoint_get_port (self->endpoint);

  if (port < 0)
    port = lodge_display_endpoint_get_tls_port (self->endpoint);
  if (host == NULL)
    return g_strdup (socket != NULL ? socket : "");
  if (strchr (host, ':') != NULL)
    return port >= 0 ? g_strdup_printf ("[%s]:%d", host, port) : g_strdup_printf ("[%s]", host);
  return port >= 0 ? g_strdup_printf ("%s:%d", host, port) : g_strdup (host);
}

static void
lodge_remote_window_update_actions (LodgeRemoteWindow *self)
{
  LodgeDisplayState state = lodge_display_get_state (self->display);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "remote.send-key",
                                 state == LODGE_DISPLAY_STATE_CONNECTED);
  /* A menu button does not follow its items' actions. */
  gtk_widget_set_sensitive (self->send_key_button, state == LODGE_DISPLAY_STATE_CONNECTED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "remote.reconnect",
                                 state == LODGE_DISPLAY_STATE_DISCONNECTED);
}

static void
lodge_remote_window_show_view (LodgeRemoteWindow *self,
                               const char        *view)
{
  g_assert (view != NULL);

  gtk_spinner_set_spinning (self->connecting_spinner, g_str_equal (view, "connecting"));
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), view) != 0)
    {
      gtk_stack_set_visible_child_name (self->stack, view);
      /* Keys go to the guest once its screen is there; Reconnect is the
       * one thing to do on the disconnected page. */
      if (g_str_equal (view, "display"))
        gtk_widget_grab_focus (GTK_WIDGET (self->display));
      else if (g_str_equal (view, "disconnected") && gtk_widget_get_visible (self->reconnect_button))
        gtk_widget_grab_focus (self->reconnect_button);
    }
  lodge_remote_window_update_actions (self);
}

static void
lodge_remote_window_show_disconnected (LodgeRemoteWindow *self,
                                       const char        *title,
                                       const char        *message,
                                       gboolean           can_reconnect)
{
  g_free (self->message);
  self->message = g_strdup (message);
  adw_status_page_set_title (self->disconnected_page, title);
  adw_status_page_set_description (self->disconnected_page, message);
  gtk_widget_set_visible (self->reconnect_button, can_reconnect);
  lodge_remote_window_show_view (self, "disconnected");
}

static void
lodge_remote_window_display_state_cb (LodgeRemoteWindow *self,
                                      GParamSpec        *pspec,
                                      LodgeDisplay      *display)
{
  switch (lodge_display_get_state (display))
    {
    case LODGE_DISPLAY_STATE_CONNECTING:
      lodge_remote_window_show_view (self, "connecting");
      break;
    case LODGE_DISPLAY_STATE_CONNECTED:
      lodge_remote_window_show_view (self, "display");
      break;
    case LODGE_DISPLAY_STATE_DISCONNECTED:
    default:
      {
        const char *reason = lodge_display_get_disconnect_reason (display);

        lodge_remote_window_show_disconnected (self, _("Disconnected"),
                                               reason != NULL ? reason
                                                              : _("The connection to the remote display ended."),
                                               TRUE);
      }
      break;
    }
}

/* The CA for a TLS port, as LodgeSpiceSession takes it: a file. FALSE
 * when an inline CA could not be written (the page says why). */
static gboolean
lodge_remote_window_prepare_tls (LodgeRemoteWindow *self)
{
  const char *ca_file = lodge_display_endpoint_get_ca_file (self->endpoint);
  const char *ca = lodge_display_endpoint_get_ca_certificate (self->endpoint);
  const char *subject = lodge_display_endpoint_get_host_subject (self->endpoint);

  if (lodge_display_endpoint_get_tls_port (self->endpoint) < 0)
    return TRUE;
  if (ca != NULL && self->ca_tmp_path == NULL)
    {
      g_autoptr(GError) error = NULL;
      int fd = g_file_open_tmp ("lodge-ca-XXXXXX.pem", &self->ca_tmp_path, &error);

      if (fd < 0 || !g_file_set_contents (self->ca_tmp_path, ca, -1, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not keep the certificate authority of the file: %s"),
                                                      error->message);

          if (fd >= 0)
            close (fd);
          lodge_remote_window_show_disconnected (self, _("Cannot Connect"), message, FALSE);
          return FALSE;
        }
      close (fd);
    }
  if (self->ca_tmp_path != NULL)
    ca_file = self->ca_tmp_path;
  lodge_spice_session_set_tls (lodge_display_get_session (self->display), ca_file, subject);
  return TRUE;
}

/* VNC password ----------------------------------------------------------- */

static gboolean
lodge_remote_window_destroy_dialog_cb (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

/* @destroy: FALSE from the dialog's response: it goes once the response
 * has been emitted (its buttons close it after their response too). */
static void
lodge_remote_window_close_password_dialog (LodgeRemoteWindow *self,
                                           gboolean           destroy)
{
  AdwMessageDialog *dialog = g_steal_pointer (&self->password_dialog);

  if (self->password_entry != NULL)
    g_signal_handlers_disconnect_by_data (self->password_entry, self);
  self->password_entry = NULL;
  if (dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (dialog, self);
      if (destroy)
        gtk_window_destroy (GTK_WINDOW (dialog));
      else
        g_idle_add_full (G_PRIORITY_DEFAULT, lodge_remote_window_destroy_dialog_cb,
                         g_object_ref (dialog), g_object_unref);
    }
}

static void
lodge_remote_window_password_response_cb (LodgeRemoteWindow *self,
                                          const char        *response,
                                          AdwMessageDialog  *dialog)
{
  g_autofree char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_entry)));

  lodge_remote_window_close_password_dialog (self, FALSE);
  if (g_strcmp0 (response, "connect") == 0)
    lodge_vnc_session_answer_password (self->vnc, password);
  else
    {
      lodge_display_disconnect (self->display);
      lodge_remote_window_show_disconnected (self, _("Not Connected"),
                                             _("The display asks for a password."), TRUE);
    }
}

static void
lodge_remote_window_vnc_password_required_cb (LodgeRemoteWindow *self,
                                              LodgeVncSession   *session)
{
  g_autofree char *address = lodge_remote_window_dup_address (self);
  GtkWidget *entry;

  lodge_remote_window_close_password_dialog (self, TRUE);
  self->password_dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                      _("Password Required"), NULL));
  adw_message_dialog_format_body (self->password_dialog,
                                  _("The display at %s asks for a password."), address);
  /* A GtkEntry: GTK 4.8's GtkPasswordEntry reads itself after it is
   * gone when its window is destroyed. */
  entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Password"),
                                  -1);
  self->password_entry = GTK_ENTRY (entry);
  adw_message_dialog_set_extra_child (self->password_dialog, entry);
  adw_message_dialog_add_responses (self->password_dialog,
                                    "cancel", _("_Cancel"),
                                    "connect", _("C_onnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (self->password_dialog, "connect",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (self->password_dialog, "connect");
  adw_message_dialog_set_close_response (self->password_dialog, "cancel");
  g_signal_connect_object (self->password_dialog, "response",
                           G_CALLBACK (lodge_remote_window_password_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->password_dialog));
  gtk_widget_grab_focus (entry);
}

/* A VNC address: a LodgeVncSession shown by the display. */
static void
lodge_remote_window_connect_vnc (LodgeRemoteWindow *self)
{
  const char *socket = lodge_display_endpoint_get_socket (self->endpoint);
  const char *password = lodge_display_endpoint_get_password (self->endpoint);
  int port = lodge_display_endpoint_get_port (self->endpoint);

  if (self->vnc == NULL)
    {
      self->vnc = lodge_vnc_session_new ();
      g_signal_connect_object (self->vnc, "password-required",
                               G_CALLBACK (lodge_remote_window_vnc_password_required_cb),
                               self, G_CONNECT_SWAPPED);
      /* A password typed earlier stays for Reconnect. */
      if (password != NULL)
        lodge_vnc_session_set_password (self->vnc, password);
    }
  lodge_display_set_source (self->display, LODGE_DISPLAY_SOURCE (self->vnc));
  if (socket != NULL)
    lodge_vnc_session_connect_unix (self->vnc, socket);
  else
    lodge_vnc_session_connect_host (self->vnc, lodge_display_endpoint_get_host (self->endpoint),
                                    port > 0 ? port : LODGE_DISPLAY_ENDPOINT_VNC_DEFAULT_PORT);
}

void
lodge_remote_window_reconnect (LodgeRemoteWindow *self)
{
  const char *socket;
  gboolean vnc;

  g_return_if_fail (LODGE_IS_REMOTE_WINDOW (self));

  vnc = lodge_display_endpoint_get_protocol (self->endpoint) == LODGE_DISPLAY_PROTOCOL_VNC;
  if (!vnc && !lodge_remote_window_prepare_tls (self))
    return;

  socket = lodge_display_endpoint_get_socket (self->endpoint);
  if (socket == NULL &&
      (lodge_display_endpoint_get_host (self->endpoint) == NULL ||
       (lodge_display_endpoint_get_port (self->endpoint) <= 0 &&
        lodge_display_endpoint_get_tls_port (self->endpoint) <= 0)))
    {
      lodge_remote_window_show_disconnected (self, _("Cannot Connect"),
                                             _("The address names no host and port to connect to."),
                                             FALSE);
      return;
    }

  lodge_remote_window_show_view (self, "connecting");
  if (vnc)
    lodge_remote_window_connect_vnc (self);
  else if (socket != NULL)
    lodge_display_connect_unix (self->display, socket,
                                lodge_display_endpoint_get_password (self->endpoint));
  else
    lodge_display_connect_host (self->display,
                                lodge_display_endpoint_get_host (self->endpoint),
                                lodge_display_endpoint_get_port (self->endpoint),
                                lodge_display_endpoint_get_tls_port (self->endpoint),
                                lodge_display_endpoint_get_password (self->endpoint));
  /* A connection that fails at once leaves no notify behind. */
  lodge_remote_window_display_state_cb (self, NULL, self->display);
}

/* Title and notices from the endpoint, then connect. */
static void
lodge_remote_window_setup (LodgeRemoteWindow *self)
{
  g_autofree char *address = lodge_remote_window_dup_address (self);
  const char *title = lodge_display_endpoint_get_title (self->endpoint);
  const char * const *unknown = lodge_display_endpoint_get_unknown_keys (self->endpoint);

  if (title != NULL && title[0] != '\0')
    {
      /* virt-viewer's %d is the monitor: one monitor here. */
      g_autoptr(GString) shown = g_string_new (title);

      g_string_replace (shown, "%d", "1", 0);
      adw_window_title_set_title (self->window_title, shown->str);
      adw_window_title_set_subtitle (self->window_title, address);
      gtk_window_set_title (GTK_WINDOW (self), shown->str);
    }
  else
    {
      adw_window_title_set_title (self->window_title, address);
      gtk_window_set_title (GTK_WINDOW (self), address);
    }
  adw_status_page_set_description (self->connecting_page, address);

  if (unknown != NULL && unknown[0] != NULL)
    {
      g_autofree char *keys = g_strjoinv (", ", (char **) unknown);
      g_autofree char *text = self->from_file ? g_strdup_printf (_("Not used from this file: %s"), keys)
                                              : g_strdup_printf (_("Not used from this address: %s"), keys);
      AdwToast *toast = adw_toast_new (text);

      /* Long enough to read a list of keys. */
      adw_toast_set_timeout (toast, 10);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }

  if (lodge_display_endpoint_get_fullscreen (self->endpoint) == LODGE_DISPLAY_TOGGLE_ON)
    gtk_window_fullscreen (GTK_WINDOW (self));

  lodge_remote_window_reconnect (self);
}

/* Fullscreen ------------------------------------------------------------ */

static void
lodge_remote_window_fullscreened_cb (GtkWindow  *window,
                                     GParamSpec *pspec,
                                     gpointer    user_data)
{
  LodgeRemoteWindow *self = LODGE_REMOTE_WINDOW (window);
  gboolean fullscreen = gtk_window_is_fullscreen (window);

  /* The guest's screen gets all of the monitor. */
  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), !fullscreen);
  gtk_widget_set_visible (GTK_WIDGET (self->fullscreen_revealer), fullscreen);
  gtk_revealer_set_reveal_child (self->fullscreen_revealer, FALSE);
}

static void
lodge_remote_window_motion_cb (LodgeRemoteWindow        *self,
                               double                    x,
                               double                    y,
                               GtkEventControllerMotion *controller)
{
  gboolean near_top;

  if (!gtk_window_is_fullscreen (GTK_WINDOW (self)))
    return;
  /* Down at the edge; up again once the pointer is below the button. */
  near_top = y <= REVEAL_EDGE_PX ||
             (gtk_revealer_get_reveal_child (self->fullscreen_revealer) &&
              y <= gtk_widget_get_height (GTK_WIDGET (self->fullscreen_revealer)) + 12);
  if (near_top != gtk_revealer_get_reveal_child (self->fullscreen_revealer))
    gtk_revealer_set_reveal_child (self->fullscreen_revealer, near_top);
}

/* Actions ---------------------------------------------------------------- */

static void
lodge_remote_window_reconnect_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  lodge_remote_window_reconnect (LODGE_REMOTE_WINDOW (widget));
}

static void
lodge_remote_window_send_key_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LodgeRemoteWindow *self = LODGE_REMOTE_WINDOW (widget);
  int keys = g_variant_get_int32 (parameter);

  if (keys < LODGE_SEND_KEY_CTRL_ALT_DEL || keys > LODGE_SEND_KEY_SYSRQ)
    return;
  lodge_display_send_keys (self->display, (LodgeSendKey) keys);
  gtk_widget_grab_focus (GTK_WIDGET (self->display));
}

/* GObject ---------------------------------------------------------------- */

static void
lodge_remote_window_constructed (GObject *object)
{
  LodgeRemoteWindow *self = LODGE_REMOTE_WINDOW (object);

  G_OBJECT_CLASS (lodge_remote_window_parent_class)->constructed (object);

  g_assert (self->endpoint != NULL);
  lodge_remote_window_setup (self);
}

static void
lodge_remote_window_dispose (GObject *object)
{
  LodgeRemoteWindow *self = LODGE_REMOTE_WINDOW (object);

  lodge_remote_window_close_password_dialog (self, TRUE);
  if (self->display != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->display, self);
      lodge_display_disconnect (self->display);
    }
  if (self->vnc != NULL)
    g_signal_handlers_disconnect_by_data (self->vnc, self);
  g_clear_object (&self->vnc);
  if (self->ca_tmp_path != NULL)
    g_unlink (self->ca_tmp_path);
  g_clear_pointer (&self->ca_tmp_path, g_free);
  g_clear_pointer (&self->endpoint, lodge_display_endpoint_unref);
  g_clear_pointer (&self->message, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_REMOTE_WINDOW);

  G_OBJECT_CLASS (lodge_remote_window_parent_class)->dispose (object);
}

static void
lodge_remote_window_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LodgeRemoteWindow *self = LODGE_REMOTE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_value_set_boxed (value, self->endpoint);
      break;
    case PROP_FROM_FILE:
      g_value_set_boolean (value, self->from_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_remote_window_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LodgeRemoteWindow *self = LODGE_REMOTE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      self->endpoint = g_value_dup_boxed (value);
      break;
    case PROP_FROM_FILE:
      self->from_file = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_remote_window_class_init (LodgeRemoteWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = lodge_remote_window_constructed;
  object_class->dispose = lodge_remote_window_dispose;
  object_class->get_property = lodge_remote_window_get_property;
  object_class->set_property = lodge_remote_window_set_property;

  properties[PROP_ENDPOINT] =
    g_param_spec_boxed ("endpoint", NULL, NULL, LODGE_TYPE_DISPLAY_ENDPOINT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FROM_FILE] =
    g_param_spec_boolean ("from-file", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LODGE_TYPE_DISPLAY);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lodge/Lodge/lodge-remote-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, overlay);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, fullscreen_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, connecting_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, display);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, disconnected_page);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, reconnect_button);
  gtk_widget_class_bind_template_child (widget_class, LodgeRemoteWindow, send_key_button);

  /* GtkWindow's own property: the toggle button and F11 follow the window
   * manager's state too. */
  gtk_widget_class_install_property_action (widget_class, "remote.fullscreen", "fullscreened");
  gtk_widget_class_install_action (widget_class, "remote.reconnect", NULL,
                                   lodge_remote_window_reconnect_action);
  gtk_widget_class_install_action (widget_class, "remote.send-key", "i",
                                   lodge_remote_window_send_key_action);
}

static void
lodge_remote_window_init (LodgeRemoteWindow *self)
{
  GtkEventController *controller;
  GtkShortcutController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  {
    g_autoptr(GMenuModel) keys = lodge_ui_send_key_menu_new ("remote.send-key");

    gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->send_key_button), keys);
  }

  g_signal_connect_object (self->display, "notify::state",
                           G_CALLBACK (lodge_remote_window_display_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::fullscreened",
                    G_CALLBACK (lodge_remote_window_fullscreened_cb), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->fullscreen_revealer), FALSE);

  /* The display takes every key it has the focus for: F11 must be seen
   * before it (lodge-display.h, Input). */
  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (shortcuts), GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (shortcuts,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_F11, 0),
                                                          gtk_named_action_new ("remote.fullscreen")));
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (shortcuts));

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "motion",
                           G_CALLBACK (lodge_remote_window_motion_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->overlay), controller);
}

LodgeRemoteWindow *
lodge_remote_window_new (GtkApplication       *application,
                         LodgeDisplayEndpoint *endpoint,
                         gboolean              from_file)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (endpoint != NULL, NULL);

  return g_object_new (LODGE_TYPE_REMOTE_WINDOW,
                       "application", application,
                       "endpoint", endpoint,
                       "from-file", from_file,
                       NULL);
}
