/* auth-screenshots.c: screenshots of the authentication dialogs, for review
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage (under xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session,
 * with GSETTINGS_SCHEMA_DIR set):
 *   auth-screenshots OUTPUT_DIR
 * Not a test: it shows each kind of question over the main window of a
 * host called "Lab Server", with the prompts libvirt 9.0 and OpenSSH 9.2
 * really give, and saves the screen with ImageMagick's import.
 */
#define G_LOG_DOMAIN "auth-screenshots"

#include "config.h"

#include <libvirt/libvirt.h>

#include "model/lodge-model-private.h"
#include "ui/lodge-application.h"
#include "ui/lodge-auth-dialog.h"

static const char *out_dir;
static LodgeApplication *app;
static GtkWindow *window;
static LodgeConnection *connection;

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (10, wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static void
shoot (const char *name)
{
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  g_autofree char *command = g_strdup_printf ("import -window root %s", path);

  spin (700);
  if (system (command) != 0)
    g_warning ("could not run %s", command);
  else
    g_print ("%s\n", path);
}

/* A question of kind the prompt says, @n_before questions of that kind
 * after it (answered: so refused) in one attempt; @remembered: the last
 * refused answer came from the keyring. */
static void
show (const char      *name,
      LodgeAuthSource  source,
      int              cred_type,
      const char      *prompt,
      const char      *challenge,
      guint            n_before,
      gboolean         remembered,
      gboolean         remember)
{
  g_autoptr(LodgeAuthAttempt) attempt =
    lodge_auth_attempt_new (lodge_connection_get_uri (connection), NULL);
  g_autoptr(LodgeAuthRequest) request = NULL;
  LodgeAuthExchange *exchange = NULL;
  LodgeAuthDialog *dialog;

  for (guint i = 0; i <= n_before; i++)
    {
      LodgeAuthPrompt *parsed = source == LODGE_AUTH_SOURCE_OPENSSH
                                ? lodge_auth_prompt_parse_openssh (prompt)
                                : lodge_auth_prompt_parse_libvirt (cred_type, prompt, challenge);

      g_clear_object (&request);
      g_clear_pointer (&exchange, lodge_auth_exchange_unref);
      exchange = lodge_auth_exchange_new (attempt, source, prompt, parsed,
                                          cred_type == VIR_CRED_AUTHNAME, !parsed->echo);
      request = lodge_auth_request_new (exchange, connection);
      if (i < n_before)
        {
          if (remembered && i == n_before - 1)
            lodge_auth_request_answer_remembered (request, "x");
          else
            lodge_auth_request_answer (request, NULL, "x");
        }
    }

  dialog = lodge_auth_dialog_new (window, request);
  lodge_auth_dialog_set_offer_remember (dialog, TRUE);
  lodge_auth_dialog_set_remember (dialog, remember);
  gtk_window_present (GTK_WINDOW (dialog));
  if (lodge_auth_dialog_get_kind (dialog) == LODGE_AUTH_KIND_PASSWORD && n_before > 0)
    lodge_auth_dialog_set_text (dialog, NULL, "typed");
  shoot (name);
  lodge_auth_dialog_respond (dialog, "cancel");
  lodge_auth_exchange_unref (exchange);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  LodgeHost *host;

  if (argc < 2)
    {
      g_printerr ("usage: %s OUTPUT_DIR\n", argv[0]);
      return 2;
    }
  out_dir = argv[1];
  g_mkdir_with_parents (out_dir, 0755);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  gtk_init ();
  adw_init ();

  app = lodge_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  host = lodge_application_add_host (app, "test:///default", "Lab Server", TRUE, FALSE, &error);
  g_assert_no_error (error);
  connection = lodge_host_get_connection (host);
  window = lodge_application_show (app, "test:///default", NULL);
  gtk_window_set_default_size (window, 1000, 680);
  spin (1500);

  show ("auth-01-host-key-libssh.png", LODGE_AUTH_SOURCE_LIBVIRT, VIR_CRED_ECHOPROMPT,
        "Accept SSH host key with hash '26:26:08:13:7f:90:6a:4f:70:00:0a:7f:ee:3c:fd:e1:fa:35:4f:d3:"
        "93:20:b5:2d:67:7b:02:ba:d6:13:66:72' for host '127.0.0.5:2225' (y/n)?",
        NULL, 0, FALSE, FALSE);
  show ("auth-02-host-key-openssh.png", LODGE_AUTH_SOURCE_OPENSSH, 0,
        "The authenticity of host '[127.0.0.5]:2225 ([127.0.0.5]:2225)' can't be established.\n"
        "ED25519 key fingerprint is SHA256:JiYIE3+Qak9wAAp/7jz94fo1T9OTILUtZ3sCutYTZnI.\n"
        "This key is not known by any other names.\n"
        "Are you sure you want to continue connecting (yes/no/[fingerprint])? ",
        NULL, 0, FALSE, FALSE);
  show ("auth-03-password.png", LODGE_AUTH_SOURCE_LIBVIRT, VIR_CRED_PASSPHRASE,
        "Enter root's password for 127.0.0.5", "127.0.0.5", 0, FALSE, FALSE);
  show ("auth-04-password-again.png", LODGE_AUTH_SOURCE_OPENSSH, 0,
        "root@127.0.0.5's password: ", NULL, 1, FALSE, FALSE);
  show ("auth-05-remembered-refused.png", LODGE_AUTH_SOURCE_LIBVIRT, VIR_CRED_PASSPHRASE,
        "Enter root's password for 127.0.0.5", "127.0.0.5", 1, TRUE, TRUE);
  show ("auth-06-passphrase.png", LODGE_AUTH_SOURCE_OPENSSH, 0,
        "Enter passphrase for key '/home/ann/.ssh/id_ed25519': ", NULL, 0, FALSE, FALSE);
  show ("auth-07-other.png", LODGE_AUTH_SOURCE_OPENSSH, 0,
        "(ann@lab) Verification code: ", NULL, 0, FALSE, FALSE);
  show ("auth-08-user-name.png", LODGE_AUTH_SOURCE_LIBVIRT, VIR_CRED_AUTHNAME,
        "Enter username for lab.example.org [ann]", "lab.example.org", 0, FALSE, FALSE);

  gtk_window_destroy (window);
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  return 0;
}
