/* main.c: lodge's entry point
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "console/lodge-console.h"
#include "model/lodge-askpass-server.h"
#include "ui/lodge-application.h"
#include "ui/lodge-ui-private.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LodgeApplication) app = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source;
  gboolean needs_settings = TRUE;
  int status;

  /* Renderer and allocator policy for the console: cairo without a GPU
   * render node (GL would be llvmpipe), GTK's default otherwise. Before
   * anything initialises GTK. */
  lodge_console_prepare_process ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Without its schema GSettings aborts; say what is missing instead
   * (--version and --help need no settings). */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--version") || g_str_has_prefix (argv[i], "--help")
        || g_str_equal (argv[i], "-h"))
      needs_settings = FALSE;
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL && needs_settings)
    {
      g_printerr (_("lodge: the settings schema %s is not installed; "
                    "install Lodge, or set GSETTINGS_SCHEMA_DIR to the build's data folder\n"),
                  APPLICATION_ID);
      return 1;
    }

  /* OpenSSH's questions come to Lodge's dialogs (model/lodge-askpass-server.h).
   * It sets environment variables: before GLib, GTK or libvirt start any
   * thread. */
  if (needs_settings)
    {
      g_autofree char *helper = lodge_ui_dup_helper_path ("lodge-askpass");
      g_autoptr(GError) error = NULL;

      if (!lodge_askpass_prepare_process (helper, &error))
        g_warning ("Questions of ssh will not reach Lodge: %s", error->message);
    }

  if (g_strcmp0 (g_getenv ("LODGE_BENCH_EXIT_AFTER_FIRST_FRAME"), "1") == 0)
    g_printerr ("lodge-bench: main at %.1f ms\n", lodge_ui_ms_since_process_start ());

  app = lodge_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);

  /* A second instance hands its command line over and never starts its
   * askpass server: its private folder goes here. */
  lodge_askpass_cleanup_process ();

  return status;
}
