/* lodge-askpass.c: ssh's SSH_ASKPASS program, asking through Lodge
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * OpenSSH runs it with the question as its only argument and reads the
 * answer from its standard output. It hands the question to the Lodge that
 * started ssh (LODGE_ASKPASS_ADDRESS, see model/lodge-askpass-server.h),
 * waits as long as the user takes, and prints the answer. Without an
 * answer it exits 1; when the user cancelled it also ends its ssh, which
 * would otherwise send empty passwords and ask again.
 *
 * Nothing is translated here: what it prints on errors goes to ssh's
 * standard error, which libvirt reads for its error message.
 */
#define G_LOG_DOMAIN "lodge-askpass"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "lodge-askpass-protocol.h"

/* Only an ssh parent is ended: the same program could be some other
 * tool's SSH_ASKPASS. */
static gboolean
parent_is_ssh (pid_t parent)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", (int) parent);
  g_autofree char *comm = NULL;

  if (!g_file_get_contents (path, &comm, NULL, NULL))
    return FALSE;
  g_strchomp (comm);
  return g_str_equal (comm, "ssh");
}

int
main (int   argc,
      char *argv[])
{
  const char *prompt = argc > 1 ? argv[1] : "";
  const char *address = g_getenv (LODGE_ASKPASS_ADDRESS_VARIABLE);
  const char *hint = g_getenv ("SSH_ASKPASS_PROMPT");
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder details;
  pid_t parent = getppid ();
  char *answer = NULL;

  if (address == NULL || address[0] == '\0')
    {
      g_printerr ("lodge-askpass: %s is not set: run by ssh from Lodge only\n",
                  LODGE_ASKPASS_ADDRESS_VARIABLE);
      return 1;
    }

  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                                                       NULL, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("lodge-askpass: cannot reach Lodge: %s\n", error->message);
      return 1;
    }

  g_variant_builder_init (&details, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&details, "{sv}", "ssh-pid", g_variant_new_uint32 ((guint32) parent));
  if (hint != NULL)
    g_variant_builder_add (&details, "{sv}", "hint", g_variant_new_string (hint));

  /* No time limit: a person answers. */
  reply = g_dbus_connection_call_sync (connection, NULL, LODGE_ASKPASS_OBJECT_PATH,
                                       LODGE_ASKPASS_INTERFACE, "Ask",
                                       g_variant_new ("(s@a{sv})", prompt,
                                                      g_variant_builder_end (&details)),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                       G_MAXINT, NULL, &error);
  if (reply == NULL)
    {
      g_autofree char *name = g_dbus_error_get_remote_error (error);

      if (g_strcmp0 (name, LODGE_ASKPASS_ERROR_CANCELLED) == 0)
        {
          if (parent_is_ssh (parent))
            kill (parent, SIGTERM);
        }
      else
        g_printerr ("lodge-askpass: %s\n", error->message);
      return 1;
    }

  g_variant_get (reply, "(s)", &answer);
  fputs (answer, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  memset (answer, 0, strlen (answer));
  g_free (answer);

  return ferror (stdout) ? 1 : 0;
}
