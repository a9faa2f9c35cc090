/* assistant-screenshots.c: takes screenshots of the new machine assistant for review
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage (under xvfb-run, with LODGE_FORCE_EMULATION=1):
 *   assistant-screenshots OUTPUT_DIR
 * Not a test: it shows each step on test:///default (source with media
 * found in a Downloads folder, the OS list loading and searched, review,
 * a refused name, an error from the creator, an unreadable file) and saves
 * the screen with ImageMagick's import.
 */
#define G_LOG_DOMAIN "assistant-screenshots"

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "lodge-create-test.h"
#include "ui/lodge-new-machine-assistant-private.h"
#include "ui/lodge-resources.h"

/* Owns the connection the assistant is given. */
static LodgeHost *test_host;

static const char *out_dir;
static LodgeConnection *connection;
static char *tmp_dir;
static char *downloads;

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (10, lodge_create_test_wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static void
shot_now (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/assistant-%s.png", out_dir, name);
  const char *argv[] = { "import", "-window", "root", path, NULL };

  lodge_create_test_run (argv);
  g_print ("%s\n", path);
}

static void
shot (const char *name)
{
  /* Past the stack's slide transition. */
  spin (900);
  shot_now (name);
}

static gboolean
page_is (gpointer data)
{
  gpointer *pair = data;

  return g_strcmp0 (lodge_new_machine_assistant_get_page (pair[0]), pair[1]) == 0;
}

static void
wait_page (LodgeNewMachineAssistant *assistant,
           const char               *page)
{
  gpointer pair[2] = { assistant, (gpointer) page };

  lodge_create_test_wait_until (page_is, pair, 30);
}

static LodgeNewMachineAssistant *
open_assistant (LodgeOsDatabase *db)
{
  LodgeNewMachineAssistant *assistant = lodge_new_machine_assistant_new (NULL, connection, db, FALSE);

  lodge_new_machine_assistant_set_downloads_dir (assistant, downloads);
  gtk_window_present (GTK_WINDOW (assistant));
  return assistant;
}

static void
open_path (LodgeNewMachineAssistant *assistant,
           const char               *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  lodge_new_machine_assistant_open_file (assistant, file);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeOsDatabase) fresh = NULL;
  LodgeOsDatabase *db;
  LodgeNewMachineAssistant *assistant;
  g_autofree char *kernel = NULL;
  g_autofree char *graft_kernel = NULL;
  g_autofree char *graft_initrd = NULL;
  g_autofree char *fedora = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *debian = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *image = NULL;
  const char *extra[3] = { NULL, NULL, NULL };

  if (argc != 2)
    g_error ("usage: %s OUTPUT_DIR", argv[0]);
  out_dir = argv[1];
  g_setenv ("LODGE_FORCE_EMULATION", "1", TRUE);

  gtk_init ();
  adw_init ();
  lodge_register_resource ();

  tmp_dir = g_dir_make_tmp ("lodge-assistant-shots-XXXXXX", &error);
  g_assert_no_error (error);
  downloads = g_build_filename (tmp_dir, "Downloads", NULL);
  g_mkdir_with_parents (downloads, 0755);

  kernel = g_build_filename (tmp_dir, "vmlinuz", NULL);
  g_file_set_contents (kernel, "not really a kernel\n", -1, NULL);
  graft_kernel = g_strdup_printf ("isolinux/vmlinuz=%s", kernel);
  graft_initrd = g_strdup_printf ("isolinux/initrd.gz=%s", kernel);
  extra[0] = graft_kernel;
  extra[1] = graft_initrd;
  fedora = lodge_create_test_make_iso (downloads, "Fedora-Server-dvd-x86_64-37-1.7.iso",
                                       "Fedora-S-dvd-x86_64-37", NULL, extra, FALSE);
  {
    g_autofree char *gk = g_strdup_printf ("install.amd/vmlinuz=%s", kernel);
    g_autofree char *gi = g_strdup_printf ("install.amd/initrd.gz=%s", kernel);
    const char *dextra[] = { gk, gi, NULL };
    debian = lodge_create_test_make_iso (downloads, "debian-11.5.0-amd64-netinst.iso",
                                         "Debian 11.5.0 amd64 n", "Debian CD", dextra, FALSE);
  }
  unknown = lodge_create_test_make_iso (downloads, "homemade-rescue.iso", "LODGE_NOTHING_42",
                                        "Lodge tests", NULL, FALSE);
  image = g_build_filename (downloads, "old-server.qcow2", NULL);
  {
    const char *qemu_img[] = { "qemu-img", "create", "-q", "-f", "qcow2", image, "20G", NULL };

    lodge_create_test_run (qemu_img);
  }
  notes = g_build_filename (tmp_dir, "notes.iso", NULL);
  g_file_set_contents (notes, "not an ISO\n", -1, NULL);

  lodge_connection_init_events ();
  /* A host's connection: the assistant reads the host's capabilities. */
  test_host = lodge_host_new ("test:///default", NULL);
  connection = g_object_ref (lodge_host_get_connection (test_host));
  lodge_connection_open_async (connection, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  if (!lodge_connection_open_finish (connection, result, &error))
    g_error ("Could not open test:///default: %s", error->message);

  /* 1. The first frame with a database still loading, and its OS list. */
  fresh = lodge_os_database_new ();
  assistant = open_assistant (fresh);
  spin (30);
  shot_now ("0-first-frame");
  gtk_window_destroy (GTK_WINDOW (assistant));
  /* On the OS step before it is mapped: no slide to wait for. */
  g_clear_object (&fresh);
  fresh = lodge_os_database_new ();
  assistant = lodge_new_machine_assistant_new (NULL, connection, fresh, FALSE);
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.choose-os", NULL);
  gtk_window_present (GTK_WINDOW (assistant));
  spin (60);
  shot_now ("1-os-loading");
  gtk_window_destroy (GTK_WINDOW (assistant));

  db = lodge_create_test_get_db ();

  /* 2. Source with Downloads scanned. */
  assistant = open_assistant (db);
  spin (1500);
  shot ("2-source");

  /* 3. A file that is not media. */
  open_path (assistant, notes);
  wait_page (assistant, "source");
  shot ("3-not-media");

  /* 4. Unknown media: the OS list, searched. */
  open_path (assistant, unknown);
  wait_page (assistant, "os");
  shot ("4-os-list");
  gtk_editable_set_text (lodge_new_machine_assistant_get_os_search (assistant), "debian");
  shot ("5-os-search");

  /* 5. A Fedora ISO: review. */
  open_path (assistant, fedora);
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL);
  open_path (assistant, fedora);
  wait_page (assistant, "review");
  shot ("6-review");
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (lodge_new_machine_assistant_get_name_editable (assistant)),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    /* The notices at the bottom. */
    gtk_widget_grab_focus (GTK_WIDGET (assistant));
    gtk_adjustment_set_value (v, gtk_adjustment_get_upper (v));
    shot ("6b-review-bottom");
    gtk_adjustment_set_value (v, 0);
  }

  /* LODGE_SHOTS_HOLD=N: stay on the review for N seconds (to inspect it
   * through AT-SPI from another process). */
  if (g_getenv ("LODGE_SHOTS_HOLD") != NULL)
    spin (1000 * atoi (g_getenv ("LODGE_SHOTS_HOLD")));

  /* 6. A name libvirt refuses. */
  gtk_editable_set_text (lodge_new_machine_assistant_get_name_editable (assistant), "my/machine");
  shot ("7-bad-name");
  gtk_editable_set_text (lodge_new_machine_assistant_get_name_editable (assistant), "test");
  shot ("8-name-taken");
  gtk_window_destroy (GTK_WINDOW (assistant));

  /* 6b. Express install, then Create: the progress page. */
  assistant = open_assistant (db);
  open_path (assistant, debian);
  wait_page (assistant, "review");
  spin (500);
  {
    GtkWidget *name = GTK_WIDGET (lodge_new_machine_assistant_get_name_editable (assistant));
    GtkWidget *scrolled = gtk_widget_get_ancestor (name, GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
    GtkWidget *express = NULL;
    g_autoptr(GPtrArray) todo = g_ptr_array_new ();

    /* Find the express row through the widget tree (it is private). */
    g_ptr_array_add (todo, scrolled);
    while (todo->len > 0 && express == NULL)
      {
        GtkWidget *w = g_ptr_array_steal_index (todo, todo->len - 1);

        if (ADW_IS_EXPANDER_ROW (w))
          express = w;
        for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (todo, c);
      }
    if (express != NULL)
      {
        GtkWidget *inner = NULL;

        adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (express), TRUE);
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (express), TRUE);
        g_ptr_array_add (todo, express);
        while (todo->len > 0)
          {
            GtkWidget *w = g_ptr_array_steal_index (todo, todo->len - 1);

            if (ADW_IS_PASSWORD_ENTRY_ROW (w))
              inner = w;
            for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
              g_ptr_array_add (todo, c);
          }
        if (inner != NULL)
          gtk_editable_set_text (GTK_EDITABLE (inner), "secret");
        gtk_widget_grab_focus (GTK_WIDGET (assistant));
        spin (300);
        gtk_adjustment_set_value (v, gtk_adjustment_get_upper (v));
        shot ("6c-express");
      }
    gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.create", NULL);
    g_object_add_weak_pointer (G_OBJECT (assistant), (gpointer *) &assistant);
    spin (350);
    shot_now ("6d-progress");
    spin (3000);
    if (assistant != NULL)
      {
        shot ("6e-after-create");
        gtk_window_destroy (GTK_WINDOW (assistant));
      }
  }

  /* 7. A disk image to import, refused by the test driver: the error. */
  assistant = open_assistant (db);
  open_path (assistant, image);
  wait_page (assistant, "os");
  {
    g_autoptr(LodgeOs) generic = g_list_model_get_item (lodge_new_machine_assistant_get_os_results (assistant), 0);

    lodge_new_machine_assistant_pick_os (assistant, generic);
  }
  wait_page (assistant, "review");
  spin (500);
  shot ("9-import-review");
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.create", NULL);
  wait_page (assistant, "review");
  shot ("10-create-error");
  gtk_window_destroy (GTK_WINDOW (assistant));

  return 0;
}
