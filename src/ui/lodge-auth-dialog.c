/* lodge-auth-dialog.c: one credential question of a host, as a dialog
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-auth-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ui/lodge-auth-dialog.h"
#include "ui/lodge-ui-private.h"

struct _LodgeAuthDialog
{
  AdwMessageDialog     parent_instance;

  LodgeAuthRequest    *request;
  gulong               withdrawn_id;
  gboolean             answered;
  gboolean             offer_remember;
  char                *host_title;

  /* Template */
  GtkLabel            *message_label;
  GtkWidget           *host_key_box;
  GtkLabel            *fingerprint_title;
  GtkLabel            *fingerprint_label;
  GtkWidget           *entries_list;
  AdwEntryRow         *username_row;
  AdwPasswordEntryRow *password_row;
  AdwEntryRow         *answer_row;
  GtkCheckButton      *remember_check;
};

G_DEFINE_FINAL_TYPE (LodgeAuthDialog, lodge_auth_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  ANSWERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* How the host is named: the user's own name for it when Lodge knows the
 * host, else the URI, else what the prompt says. */
static char *
dup_host_title (LodgeAuthRequest *request)
{
  LodgeConnection *connection = lodge_auth_request_get_connection (request);
  LodgeHost *host = connection != NULL ? lodge_connection_get_host (connection) : NULL;

  if (host != NULL)
    return lodge_ui_host_title (host);
  if (lodge_auth_request_get_uri (request) != NULL)
    return g_strdup (lodge_auth_request_get_uri (request));
  if (lodge_auth_request_get_host (request) != NULL)
    return g_strdup (lodge_auth_request_get_host (request));
  return g_strdup (_("the host"));
}

static void
lodge_auth_dialog_set_message (LodgeAuthDialog *self,
                               const char      *message)
{
  gtk_label_set_label (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

/* A fingerprint laid out to be compared by eye: hex pairs eight to a
 * line, a hash after its "SHA256:" on a line of its own. Never cut inside
 * a pair or a hash. */
static char *
format_fingerprint (const char *fingerprint)
{
  GString *text = g_string_new (NULL);
  const char *colon = strchr (fingerprint, ':');
  guint pairs = 0;

  /* "SHA256:<base64>", "MD5:aa:bb…": the name on its own line. */
  if (colon != NULL && colon - fingerprint > 2)
    {
      g_string_append_len (text, fingerprint, colon - fingerprint + 1);
      g_string_append_c (text, '\n');
      fingerprint = colon + 1;
    }
  if (strchr (fingerprint, ':') == NULL)
    {
      g_string_append (text, fingerprint);
      return g_string_free (text, FALSE);
    }
  for (const char *p = fingerprint; *p != '\0'; p++)
    {
      g_string_append_c (text, *p);
      if (*p == ':' && ++pairs % 8 == 0)
        g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

static void
lodge_auth_dialog_set_up_host_key (LodgeAuthDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);
  const char *fingerprint = lodge_auth_request_get_fingerprint (self->request);
  const char *key_type = lodge_auth_request_get_key_type (self->request);
  g_autofree char *body = NULL;

  adw_message_dialog_set_heading (dialog, _("Connect to an Unknown Host?"));
  body = g_strdup_printf (_("Lodge cannot confirm that it is really connecting to “%s”: "
                            "the key of this host is not known yet."), self->host_title);
  adw_message_dialog_set_body (dialog, body);

  if (key_type != NULL)
    {
      /* Translators: %s is a key type such as ED25519 or RSA. */
      g_autofree char *title = g_strdup_printf (_("Fingerprint of the host’s %s key"), key_type);
      gtk_label_set_label (self->fingerprint_title, title);
    }
  if (fingerprint != NULL)
    {
      g_autofree char *text = format_fingerprint (fingerprint);
      gtk_label_set_label (self->fingerprint_label, text);
    }
  else
    /* No fingerprint in the question: show the question itself. */
    gtk_label_set_label (self->fingerprint_label, lodge_auth_request_get_prompt (self->request));
  gtk_widget_set_visible (self->host_key_box, TRUE);

  /* Refusing is the safe answer: the default, and what Escape does. */
  adw_message_dialog_add_responses (dialog,
                                    "refuse", _("_Refuse"),
                                    "accept", _("_Accept and Connect"),
                                    NULL);
  adw_message_dialog_set_default_response (dialog, "refuse");
  adw_message_dialog_set_close_response (dialog, "refuse");
}

static void
lodge_auth_dialog_set_up_entries (LodgeAuthDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);
  LodgeAuthKind kind = lodge_auth_request_get_kind (self->request);
  const char *user = lodge_auth_request_get_user (self->request);
  const char *key_file = lodge_auth_request_get_key_file (self->request);
  guint n_refused = lodge_auth_request_get_n_refused (self->request);
  g_autofree char *body = NULL;

  switch (kind)
    {
    case LODGE_AUTH_KIND_PASSWORD:
      if (user != NULL)
        /* Translators: a user name, then a host's name. */
        body = g_strdup_printf (_("Enter the password of “%s” on “%s”."), user, self->host_title);
      else
        body = g_strdup_printf (_("Enter the password for “%s”."), self->host_title);
      gtk_widget_set_visible (GTK_WIDGET (self->password_row), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->username_row),
                              lodge_auth_request_get_needs_username (self->request));
      if (lodge_auth_request_get_remembered_refused (self->request))
        lodge_auth_dialog_set_message (self, _("The host refused the remembered password, "
                                               "so Lodge forgot it."));
      else if (n_refused > 0)
        lodge_auth_dialog_set_message (self, _("The host refused the password. Try again."));
      break;

    case LODGE_AUTH_KIND_PASSPHRASE:
      if (key_file != NULL)
        /* Translators: a private key's file, then a host's name. */
        body = g_strdup_printf (_("Enter the passphrase of the key “%s” to connect to “%s”."),
                                key_file, self->host_title);
      else
        body = g_strdup_printf (_("Enter the passphrase of your key to connect to “%s”."),
                                self->host_title);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("Passphrase"));
      gtk_check_button_set_label (self->remember_check, _("_Remember this passphrase"));
      gtk_widget_set_visible (GTK_WIDGET (self->password_row), TRUE);
      if (lodge_auth_request_get_remembered_refused (self->request))
        lodge_auth_dialog_set_message (self, _("The remembered passphrase was wrong, "
                                               "so Lodge forgot it."));
      else if (n_refused > 0)
        lodge_auth_dialog_set_message (self, _("The passphrase was wrong. Try again."));
      break;

    case LODGE_AUTH_KIND_USERNAME:
      body = g_strdup_printf (_("Enter your user name on “%s”."), self->host_title);
      gtk_widget_set_visible (GTK_WIDGET (self->username_row), TRUE);
      break;

    case LODGE_AUTH_KIND_OTHER:
    case LODGE_AUTH_KIND_HOST_KEY:
    default:
      {
        g_autofree char *prompt = g_strstrip (g_strdup (lodge_auth_request_get_prompt (self->request)));

        /* Translators: a host's name, then its question as it wrote it. */
        body = g_strdup_printf (_("“%s” asks: %s"), self->host_title, prompt);
        if (lodge_auth_request_get_echo (self->request))
          gtk_widget_set_visible (GTK_WIDGET (self->answer_row), TRUE);
        else
          {
            adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("Answer"));
            gtk_widget_set_visible (GTK_WIDGET (self->password_row), TRUE);
          }
        if (n_refused > 0)
          lodge_auth_dialog_set_message (self, _("The host did not accept the answer. Try again."));
      }
      break;
    }

  adw_message_dialog_set_body (dialog, body);
  gtk_widget_set_visible (self->entries_list, TRUE);
  lodge_ui_dialog_add_choice (dialog, "log-in", _("C_onnect"), FALSE);
}

static void
lodge_auth_dialog_request_withdrawn_cb (LodgeAuthDialog  *self,
                                        LodgeAuthRequest *request)
{
  /* Nobody waits for the answer any more (the attempt ended). */
  self->answered = TRUE;
  gtk_window_destroy (GTK_WINDOW (self));
}

LodgeAuthDialog *
lodge_auth_dialog_new (GtkWindow        *parent,
                       LodgeAuthRequest *request)
{
  LodgeAuthDialog *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (LODGE_IS_AUTH_REQUEST (request), NULL);

  self = g_object_new (LODGE_TYPE_AUTH_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->request = g_object_ref (request);
  self->host_title = dup_host_title (request);
  if (lodge_auth_request_get_kind (request) == LODGE_AUTH_KIND_HOST_KEY)
    lodge_auth_dialog_set_up_host_key (self);
  else
    lodge_auth_dialog_set_up_entries (self);

  self->withdrawn_id = g_signal_connect_object (request, "withdrawn",
                                                G_CALLBACK (lodge_auth_dialog_request_withdrawn_cb),
                                                self, G_CONNECT_SWAPPED);
  return self;
}

static void
lodge_auth_dialog_response (AdwMessageDialog *dialog,
                            const char       *response)
{
  LodgeAuthDialog *self = LODGE_AUTH_DIALOG (dialog);

  /* Closing after a response emits the close response too: one answer. */
  if (!self->answered && self->request != NULL && !lodge_auth_request_get_finished (self->request))
    {
      LodgeAuthKind kind = lodge_auth_request_get_kind (self->request);

      self->answered = TRUE;
      if (g_strcmp0 (response, "accept") == 0)
        lodge_auth_request_accept_host_key (self->request, TRUE);
      else if (g_strcmp0 (response, "refuse") == 0)
        lodge_auth_request_accept_host_key (self->request, FALSE);
      else if (g_strcmp0 (response, "log-in") == 0)
        {
          const char *shown = NULL;
          const char *hidden = NULL;

          if (gtk_widget_get_visible (GTK_WIDGET (self->username_row)))
            shown = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
          else if (gtk_widget_get_visible (GTK_WIDGET (self->answer_row)))
            shown = gtk_editable_get_text (GTK_EDITABLE (self->answer_row));
          if (gtk_widget_get_visible (GTK_WIDGET (self->password_row)))
            hidden = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
          if (kind == LODGE_AUTH_KIND_USERNAME)
            hidden = NULL;
          lodge_auth_request_answer (self->request, shown, hidden);
        }
      else
        lodge_auth_request_cancel (self->request);

      g_signal_emit (self, signals[ANSWERED], 0, response);
    }

  if (ADW_MESSAGE_DIALOG_CLASS (lodge_auth_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (lodge_auth_dialog_parent_class)->response (dialog, response);
}

static void
lodge_auth_dialog_map (GtkWidget *widget)
{
  LodgeAuthDialog *self = LODGE_AUTH_DIALOG (widget);

  GTK_WIDGET_CLASS (lodge_auth_dialog_parent_class)->map (widget);

  /* Typing goes to the first entry; a host key keeps the focus on its
   * fingerprint, so that Enter refuses. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->username_row)) &&
      gtk_editable_get_text (GTK_EDITABLE (self->username_row))[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  else if (gtk_widget_get_visible (GTK_WIDGET (self->password_row)))
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  else if (gtk_widget_get_visible (GTK_WIDGET (self->answer_row)))
    gtk_widget_grab_focus (GTK_WIDGET (self->answer_row));
}

static void
lodge_auth_dialog_dispose (GObject *object)
{
  LodgeAuthDialog *self = (LodgeAuthDialog *)object;

  /* A dialog that goes without an answer cancels its question. */
  if (self->request != NULL)
    {
      if (!self->answered)
        lodge_auth_request_cancel (self->request);
      g_clear_signal_handler (&self->withdrawn_id, self->request);
      g_clear_object (&self->request);
    }

  /* libadwaita 1.2's password row leaves a handler on its text's
   * notify::has-focus: if the focus left the text after the row is gone
   * (the window finalized later than destroyed), it would run on a freed
   * row. The focus leaves now, while the rows live. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_AUTH_DIALOG);

  G_OBJECT_CLASS (lodge_auth_dialog_parent_class)->dispose (object);
}

static void
lodge_auth_dialog_finalize (GObject *object)
{
  LodgeAuthDialog *self = (LodgeAuthDialog *)object;

  g_free (self->host_title);

  G_OBJECT_CLASS (lodge_auth_dialog_parent_class)->finalize (object);
}

static void
lodge_auth_dialog_class_init (LodgeAuthDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = lodge_auth_dialog_dispose;
  object_class->finalize = lodge_auth_dialog_finalize;
  widget_class->map = lodge_auth_dialog_map;
  dialog_class->response = lodge_auth_dialog_response;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-auth-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, host_key_box);
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, fingerprint_title);
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, entries_list);
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, answer_row);
  gtk_widget_class_bind_template_child (widget_class, LodgeAuthDialog, remember_check);

  signals[ANSWERED] =
    g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lodge_auth_dialog_init (LodgeAuthDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

LodgeAuthRequest *
lodge_auth_dialog_get_request (LodgeAuthDialog *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_DIALOG (self), NULL);
  return self->request;
}

LodgeAuthKind
lodge_auth_dialog_get_kind (LodgeAuthDialog *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_DIALOG (self), LODGE_AUTH_KIND_OTHER);
  return self->request != NULL ? lodge_auth_request_get_kind (self->request) : LODGE_AUTH_KIND_OTHER;
}

const char *
lodge_auth_dialog_get_host_title (LodgeAuthDialog *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_DIALOG (self), NULL);
  return self->host_title;
}

const char *
lodge_auth_dialog_get_fingerprint (LodgeAuthDialog *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_DIALOG (self), NULL);
  if (!gtk_widget_get_visible (self->host_key_box))
    return NULL;
  return lodge_auth_request_get_fingerprint (self->request);
}

const char *
lodge_auth_dialog_get_message (LodgeAuthDialog *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_DIALOG (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->message_label)))
    return NULL;
  return gtk_label_get_label (self->message_label);
}

void
lodge_auth_dialog_set_offer_remember (LodgeAuthDialog *self,
                                      gboolean         offer)
{
  LodgeAuthKind kind;

  g_return_if_fail (LODGE_IS_AUTH_DIALOG (self));

  kind = lodge_auth_dialog_get_kind (self);
  self->offer_remember = offer && (kind == LODGE_AUTH_KIND_PASSWORD ||
                                   kind == LODGE_AUTH_KIND_PASSPHRASE);
  gtk_widget_set_visible (GTK_WIDGET (self->remember_check), self->offer_remember);
}

gboolean
lodge_auth_dialog_get_offer_remember (LodgeAuthDialog *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_DIALOG (self), FALSE);
  return self->offer_remember;
}

void
lodge_auth_dialog_set_remember (LodgeAuthDialog *self,
                                gboolean         remember)
{
  g_return_if_fail (LODGE_IS_AUTH_DIALOG (self));
  gtk_check_button_set_active (self->remember_check, remember);
}

gboolean
lodge_auth_dialog_get_remember (LodgeAuthDialog *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_DIALOG (self), FALSE);
  return self->offer_remember && gtk_check_button_get_active (self->remember_check);
}

void
lodge_auth_dialog_set_text (LodgeAuthDialog *self,
                            const char      *shown,
                            const char      *hidden)
{
  g_return_if_fail (LODGE_IS_AUTH_DIALOG (self));

  if (shown != NULL)
    {
      if (gtk_widget_get_visible (GTK_WIDGET (self->answer_row)))
        gtk_editable_set_text (GTK_EDITABLE (self->answer_row), shown);
      else
        gtk_editable_set_text (GTK_EDITABLE (self->username_row), shown);
    }
  if (hidden != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), hidden);
}

const char *
lodge_auth_dialog_get_secret (LodgeAuthDialog *self)
{
  g_return_val_if_fail (LODGE_IS_AUTH_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

void
lodge_auth_dialog_respond (LodgeAuthDialog *self,
                           const char      *response)
{
  g_return_if_fail (LODGE_IS_AUTH_DIALOG (self));
  g_return_if_fail (response != NULL);

  g_object_ref (self);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), response);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}
