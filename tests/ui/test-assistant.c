/* test-assistant.c: the new machine assistant against libvirt's test driver
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real assistant, OS database, media identification and creator on
 * test:///default, with ISOs the test builds with xorriso: no mocks. Steps
 * are driven through the assistant's actions (what its buttons activate)
 * and what a click on a list item does; results are read back from the
 * widgets' state and from libvirt itself.
 */
#define G_LOG_DOMAIN "test-assistant"

#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "lodge-assistant-test.h"
#include "lodge-test.h"
#include "ui/lodge-resources.h"

/* Bounds a hang; never a timing assertion. */
#define WAIT_S 30

/* Owns the connection the assistant is given. */
static LodgeHost *test_host;

static LodgeConnection *connection;
static virConnectPtr    raw;        /* the same in-memory driver state */
static LodgeOsDatabase *db;
static char            *tmp_dir;
static char            *fedora_iso;
static char            *unknown_iso;
/* Grafts that make an ISO with Fedora 37's volume id identify as it. */
static const char      *fedora_extra[] = { NULL, NULL, NULL };

static void
quiet_libvirt_error_cb (void        *data,
                        virErrorPtr  error)
{
}

/* Helpers ---------------------------------------------------------------- */

static LodgeNewMachineAssistant *
open_assistant (void)
{
  g_autofree char *empty = g_build_filename (tmp_dir, "no-downloads", NULL);

  return lodge_assistant_test_open (connection, db, empty);
}

#define wait_page(assistant, page) lodge_assistant_test_wait_page ((assistant), (page), WAIT_S)

static gboolean
name_checked (gpointer data)
{
  return !lodge_new_machine_assistant_get_name_checking (data);
}

static void
set_name (LodgeNewMachineAssistant *assistant,
          const char               *name)
{
  gtk_editable_set_text (lodge_new_machine_assistant_get_name_editable (assistant), name);
  g_assert_true (lodge_new_machine_assistant_get_name_checking (assistant));
  g_assert_false (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.create"));
  g_assert_true (lodge_create_test_wait_until (name_checked, assistant, WAIT_S));
}

static void
open_path (LodgeNewMachineAssistant *assistant,
           const char               *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  lodge_new_machine_assistant_open_file (assistant, file);
}

static LodgeNewMachineAssistant *
assistant_at_review (const char *iso)
{
  LodgeNewMachineAssistant *assistant = open_assistant ();

  open_path (assistant, iso);
  wait_page (assistant, "review");
  g_assert_true (lodge_create_test_wait_until (name_checked, assistant, WAIT_S));
  return assistant;
}

static void
close_assistant (LodgeNewMachineAssistant *assistant)
{
  gtk_window_destroy (GTK_WINDOW (assistant));
}

static gboolean
domain_exists (const char *name)
{
  virDomainPtr dom = virDomainLookupByName (raw, name);

  if (dom == NULL)
    return FALSE;
  virDomainFree (dom);
  return TRUE;
}

static int
count_lodge_volumes (void)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (raw, LODGE_POOL_NAME);
  int n;

  if (pool == NULL)
    return 0;
  virStoragePoolRefresh (pool, 0);
  n = virStoragePoolNumOfVolumes (pool);
  virStoragePoolFree (pool);
  return n;
}

static void
remove_domain_and_disk (const char *name)
{
  virDomainPtr dom = virDomainLookupByName (raw, name);
  virStoragePoolPtr pool = virStoragePoolLookupByName (raw, LODGE_POOL_NAME);
  g_autofree char *vol_name = g_strdup_printf ("%s.qcow2", name);

  if (dom != NULL)
    {
      if (virDomainIsActive (dom) == 1)
        virDomainDestroy (dom);
      virDomainUndefine (dom);
      virDomainFree (dom);
    }
  if (pool != NULL)
    {
      virStorageVolPtr vol = virStorageVolLookupByName (pool, vol_name);

      if (vol != NULL)
        {
          virStorageVolDelete (vol, 0);
          virStorageVolFree (vol);
        }
      virStoragePoolFree (pool);
    }
}

static void
created_cb (LodgeNewMachineAssistant *assistant,
            const char               *uuid,
            char                    **out)
{
  g_assert_null (*out);
  *out = g_strdup (uuid);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
string_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* Tests ------------------------------------------------------------------ */

/* The window comes up on the source step at once, whatever the database
 * does; the OS list shows the generic fallbacks first once loaded. */
static void
test_assistant_opens (void)
{
  g_autoptr(LodgeOsDatabase) fresh = lodge_os_database_new ();
  LodgeNewMachineAssistant *assistant;
  GListModel *results;

  /* A database that is not loaded yet: the assistant loads it, and its
   * first frame does not wait for that. */
  assistant = lodge_new_machine_assistant_new (NULL, connection, fresh, FALSE);
  gtk_window_present (GTK_WINDOW (assistant));
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "source");
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.choose-file"));
  g_assert_false (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.back"));
  g_assert_false (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.create"));

  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.choose-os", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "os");
  results = lodge_new_machine_assistant_get_os_results (assistant);
  g_assert_true (lodge_create_test_wait_until ((LodgeCreateTestCheck) lodge_os_database_get_loaded,
                                               fresh, WAIT_S));
  g_assert_cmpuint (g_list_model_get_n_items (results), >, 100);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LodgeOs) os = g_list_model_get_item (results, i);

      g_assert_true (lodge_os_get_generic (os));
    }

  /* Back returns to the source step. */
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "source");
  close_assistant (assistant);
}

/* An ISO is identified; the review shows the OS and defaults from
 * libosinfo and the host, and the emulation notice (forced in the tests). */
static void
test_assistant_iso (void)
{
  LodgeNewMachineAssistant *assistant = assistant_at_review (fedora_iso);
  LodgeMachineSpec *spec = lodge_new_machine_assistant_get_spec (assistant);
  const LodgeHostInfo *host = lodge_new_machine_assistant_get_host (assistant);
  LodgeOs *os = lodge_new_machine_assistant_get_os (assistant);
  const char *name;

  g_assert_nonnull (os);
  g_assert_cmpstr (lodge_os_get_short_id (os), ==, "fedora37");
  g_assert_cmpstr (lodge_new_machine_assistant_get_os_label (assistant), ==, lodge_os_get_name (os));
  g_assert_nonnull (strstr (lodge_new_machine_assistant_get_os_label (assistant), "37"));
  g_assert_cmpstr (lodge_new_machine_assistant_get_kind_label (assistant), ==, "Installer");
  g_assert_cmpstr (lodge_machine_spec_get_cdrom_path (spec), ==, fedora_iso);
  g_assert_null (lodge_machine_spec_get_import_path (spec));

  /* Defaults: the OS's recommendation capped by the host. */
  g_assert_nonnull (host);
  g_assert_cmpuint (lodge_machine_spec_get_memory (spec), >=, 256 << 20);
  if (host->memory > 0)
    g_assert_cmpuint (lodge_machine_spec_get_memory (spec), <=, host->memory);
  g_assert_cmpuint (lodge_machine_spec_get_vcpus (spec), >=, 1);
  if (host->cpus > 0)
    g_assert_cmpuint (lodge_machine_spec_get_vcpus (spec), <=, host->cpus);
  g_assert_cmpuint (lodge_machine_spec_get_disk_size (spec), >=, G_GUINT64_CONSTANT (1) << 30);
  g_assert_false (lodge_machine_spec_get_throwaway (spec));

  /* LODGE_FORCE_EMULATION=1: software emulation, and the user is told. */
  g_assert_cmpint (lodge_machine_spec_get_acceleration (spec), ==, LODGE_ACCELERATION_QEMU);
  g_assert_nonnull (lodge_new_machine_assistant_get_accel_notice (assistant));

  /* A free name from the OS, checked, and Create ready. */
  name = gtk_editable_get_text (lodge_new_machine_assistant_get_name_editable (assistant));
  g_assert_true (g_str_has_prefix (name, "fedora37"));
  g_assert_cmpstr (lodge_machine_spec_get_name (spec), ==, name);
  g_assert_null (lodge_new_machine_assistant_get_name_error (assistant));
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.create"));
  g_assert_null (lodge_new_machine_assistant_get_error (assistant));

  /* More memory than the host has: allowed, with a warning. */
  g_assert_cmpuint (lodge_new_machine_assistant_get_n_warnings (assistant), ==, 0);
  if (host->memory > 0)
    {
      lodge_machine_spec_set_memory (spec, host->memory + (G_GUINT64_CONSTANT (1) << 30));
      g_assert_cmpuint (lodge_new_machine_assistant_get_n_warnings (assistant), ==, 1);
      lodge_machine_spec_set_memory (spec, 512 << 20);
      g_assert_cmpuint (lodge_new_machine_assistant_get_n_warnings (assistant), ==, 0);
    }

  /* Change… opens the OS list; Back returns to the review. */
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.change-os", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "os");
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "review");

  /* Back to the source, where it came from. */
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "source");
  close_assistant (assistant);
}

/* No media: an OS from the list gives a machine with an empty disk. */
static void
test_assistant_os_only (void)
{
  LodgeNewMachineAssistant *assistant = open_assistant ();
  LodgeOs *debian = lodge_os_database_lookup (db, "debian11");
  LodgeMachineSpec *spec = lodge_new_machine_assistant_get_spec (assistant);
  g_autofree char *uuid = NULL;
  virDomainPtr dom;
  g_autofree char *xml = NULL;

  g_assert_nonnull (debian);
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.choose-os", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "os");
  lodge_new_machine_assistant_pick_os (assistant, debian);
  wait_page (assistant, "review");
  g_assert_null (lodge_new_machine_assistant_get_media (assistant));
  g_assert_null (lodge_machine_spec_get_cdrom_path (spec));
  g_assert_cmpuint (lodge_machine_spec_get_disk_size (spec), >, 0);
  g_assert_true (lodge_create_test_wait_until (name_checked, assistant, WAIT_S));

  set_name (assistant, "lodge-ui-assistant-os-only");
  g_signal_connect (assistant, "created", G_CALLBACK (created_cb), &uuid);
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.create", NULL);
  g_assert_true (lodge_create_test_wait_until (string_set, &uuid, WAIT_S));

  dom = virDomainLookupByUUIDString (raw, uuid);
  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, 0);
  g_assert_nonnull (strstr (xml, "http://debian.org/debian/11"));
  g_assert_nonnull (strstr (xml, "lodge-ui-assistant-os-only.qcow2"));
  virDomainFree (dom);
  remove_domain_and_disk ("lodge-ui-assistant-os-only");
}

/* Names libvirt refuses, and taken ones, are explained under the entry and
 * Create stays off. */
static void
test_assistant_bad_names (void)
{
  LodgeNewMachineAssistant *assistant = assistant_at_review (fedora_iso);
  const char *bad[] = { "", "a/b", "tab\there", "test" /* test:///default's own */ };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      set_name (assistant, bad[i]);
      g_assert_nonnull (lodge_new_machine_assistant_get_name_error (assistant));
      g_assert_cmpstr (lodge_new_machine_assistant_get_name_error (assistant), !=, "");
      g_assert_false (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.create"));
      g_test_message ("“%s”: %s", bad[i], lodge_new_machine_assistant_get_name_error (assistant));
    }

  /* A taken name says so. */
  g_assert_nonnull (strstr (lodge_new_machine_assistant_get_name_error (assistant), "test"));

  set_name (assistant, "lodge-ui-fine name");
  g_assert_null (lodge_new_machine_assistant_get_name_error (assistant));
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.create"));
  close_assistant (assistant);
}

/* Create: a new machine in the connection's list, running, with the ISO. */
static void
test_assistant_create (void)
{
  LodgeNewMachineAssistant *assistant = assistant_at_review (fedora_iso);
  g_autofree char *uuid = NULL;
  LodgeMachine *machine;
  virDomainPtr dom;
  g_autofree char *xml = NULL;
  gboolean saw_progress = FALSE;

  g_object_add_weak_pointer (G_OBJECT (assistant), (gpointer *) &assistant);
  set_name (assistant, "lodge-ui-assistant-a");
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.create"));
  g_signal_connect (assistant, "created", G_CALLBACK (created_cb), &uuid);

  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.create", NULL);
  saw_progress = g_strcmp0 (lodge_new_machine_assistant_get_page (assistant), "progress") == 0;
  g_assert_true (saw_progress);
  g_assert_nonnull (lodge_new_machine_assistant_get_creator (assistant));
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.cancel-create"));
  g_assert_false (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.back"));

  g_assert_true (lodge_create_test_wait_until (string_set, &uuid, WAIT_S));

  /* The machine is in the connection's list when "created" comes, and the
   * assistant closed itself. */
  machine = lodge_connection_lookup_machine (connection, uuid);
  g_assert_nonnull (machine);
  g_assert_cmpstr (lodge_machine_get_name (machine), ==, "lodge-ui-assistant-a");
  /* Gone once the last asynchronous call holding it returned. */
  g_assert_true (lodge_create_test_wait_until (pointer_cleared, &assistant, WAIT_S));

  dom = virDomainLookupByName (raw, "lodge-ui-assistant-a");
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainIsActive (dom), ==, 1);
  xml = virDomainGetXMLDesc (dom, 0);
  g_assert_nonnull (strstr (xml, fedora_iso));
  g_assert_nonnull (strstr (xml, "http://fedoraproject.org/fedora/37"));
  virDomainFree (dom);

  remove_domain_and_disk ("lodge-ui-assistant-a");
}

typedef struct
{
  LodgeNewMachineAssistant *assistant;
  char                     *uuid;
} CancelState;

static gboolean
cancel_settled (gpointer data)
{
  CancelState *state = data;

  return state->uuid != NULL ||
         g_strcmp0 (lodge_new_machine_assistant_get_page (state->assistant), "review") == 0;
}

/* Cancel: the creator removes what it made; the assistant is back on the
 * review with a note, nothing is left. When the test driver was faster
 * than the cancel, the machine was made whole: both are consistent. */
static void
test_assistant_cancel (void)
{
  CancelState state = { NULL, NULL };
  int before = count_lodge_volumes ();

  state.assistant = assistant_at_review (fedora_iso);
  set_name (state.assistant, "lodge-ui-assistant-cancel");

  /* Cancelled while the express script is generated (its result arrives
   * through the main loop, not run yet): always in time. */
  lodge_new_machine_assistant_set_express (state.assistant, TRUE, "alice", "secret", "cancel-host");
  gtk_widget_activate_action (GTK_WIDGET (state.assistant), "assistant.create", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (state.assistant), ==, "progress");
  gtk_widget_activate_action (GTK_WIDGET (state.assistant), "assistant.cancel-create", NULL);
  wait_page (state.assistant, "review");
  g_assert_nonnull (lodge_new_machine_assistant_get_error (state.assistant));
  g_assert_nonnull (strstr (lodge_new_machine_assistant_get_error (state.assistant), "cancel"));
  g_assert_false (domain_exists ("lodge-ui-assistant-cancel"));
  g_assert_cmpint (count_lodge_volumes (), ==, before);
  lodge_new_machine_assistant_set_express (state.assistant, FALSE, NULL, NULL, NULL);

  /* Cancelled while the creator runs. */
  g_signal_connect (state.assistant, "created", G_CALLBACK (created_cb), &state.uuid);
  g_object_add_weak_pointer (G_OBJECT (state.assistant), (gpointer *) &state.assistant);

  gtk_widget_activate_action (GTK_WIDGET (state.assistant), "assistant.create", NULL);
  gtk_widget_activate_action (GTK_WIDGET (state.assistant), "assistant.cancel-create", NULL);
  g_assert_false (lodge_new_machine_assistant_get_action_enabled (state.assistant,
                                                                   "assistant.cancel-create"));
  g_assert_true (lodge_create_test_wait_until (cancel_settled, &state, WAIT_S));

  if (state.uuid == NULL)
    {
      g_assert_nonnull (lodge_new_machine_assistant_get_error (state.assistant));
      g_assert_nonnull (strstr (lodge_new_machine_assistant_get_error (state.assistant), "cancel"));
      g_assert_false (domain_exists ("lodge-ui-assistant-cancel"));
      g_assert_cmpint (count_lodge_volumes (), ==, before);
      g_assert_null (lodge_connection_lookup_machine (connection, "lodge-ui-assistant-cancel"));
      /* And it can be tried again. */
      g_assert_true (lodge_new_machine_assistant_get_action_enabled (state.assistant, "assistant.create"));
      close_assistant (state.assistant);
    }
  else
    {
      g_test_message ("the creation finished before the cancel");
      g_assert_true (domain_exists ("lodge-ui-assistant-cancel"));
      remove_domain_and_disk ("lodge-ui-assistant-cancel");
    }
}

/* Closing the window while creating cancels and waits for the cleanup. */
static void
test_assistant_close_while_creating (void)
{
  LodgeNewMachineAssistant *assistant = assistant_at_review (fedora_iso);
  char *uuid = NULL;
  int before = count_lodge_volumes ();

  set_name (assistant, "lodge-ui-assistant-close");
  g_signal_connect (assistant, "created", G_CALLBACK (created_cb), &uuid);
  g_object_add_weak_pointer (G_OBJECT (assistant), (gpointer *) &assistant);

  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.create", NULL);
  gtk_window_close (GTK_WINDOW (assistant));
  /* Still there: it closes once what was made is removed. */
  g_assert_nonnull (assistant);
  g_assert_true (lodge_create_test_wait_until (pointer_cleared, &assistant, WAIT_S));
  g_assert_null (assistant);

  if (uuid == NULL)
    {
      g_assert_false (domain_exists ("lodge-ui-assistant-close"));
      g_assert_cmpint (count_lodge_volumes (), ==, before);
    }
  else
    remove_domain_and_disk ("lodge-ui-assistant-close");
  g_free (uuid);
}

/* A file that is neither an ISO nor a disk image: a clear error on the
 * source step, naming the file. */
static void
test_assistant_not_media (void)
{
  LodgeNewMachineAssistant *assistant = open_assistant ();
  g_autofree char *path = g_build_filename (tmp_dir, "notes.iso", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "gone.iso", NULL);
  const char *error;

  g_assert_true (g_file_set_contents (path, "These are not the bytes of an ISO image.\n", -1, NULL));
  open_path (assistant, path);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "identify");
  wait_page (assistant, "source");
  error = lodge_new_machine_assistant_get_error (assistant);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "notes.iso"));
  g_test_message ("not media: %s", error);

  /* A file that does not exist. */
  open_path (assistant, missing);
  wait_page (assistant, "source");
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "source");
  error = lodge_new_machine_assistant_get_error (assistant);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "gone.iso"));

  /* The next good file clears the error. */
  open_path (assistant, fedora_iso);
  wait_page (assistant, "review");
  g_assert_null (lodge_new_machine_assistant_get_error (assistant));
  close_assistant (assistant);
}

/* A file dropped on the assistant: the drop target's "drop" is emitted
 * with what GTK hands over for a file manager's drop (a GdkFileList). */
static void
test_assistant_drop (void)
{
  LodgeNewMachineAssistant *assistant = open_assistant ();
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (assistant));
  g_autoptr(GFile) file = g_file_new_for_path (fedora_iso);
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = NULL;
  GSList *files;
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  files = g_slist_prepend (NULL, file);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_slist_free (files);

  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
  wait_page (assistant, "review");
  g_assert_cmpstr (lodge_machine_spec_get_cdrom_path (lodge_new_machine_assistant_get_spec (assistant)),
                   ==, fedora_iso);
  close_assistant (assistant);
}

/* Unknown media: the searchable OS list, generic fallbacks always there. */
static void
test_assistant_unknown_media (void)
{
  LodgeNewMachineAssistant *assistant = open_assistant ();
  GListModel *results = lodge_new_machine_assistant_get_os_results (assistant);
  g_autoptr(LodgeOs) first = NULL;
  gboolean fedora_found = FALSE;
  guint n;

  open_path (assistant, unknown_iso);
  wait_page (assistant, "os");
  g_assert_null (lodge_new_machine_assistant_get_os (assistant));

  gtk_editable_set_text (lodge_new_machine_assistant_get_os_search (assistant), "fedora 37");
  /* GtkSearchEntry delays search-changed a little. */
  {
    gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

    while (g_list_model_get_n_items (results) > 200 && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
  }
  n = g_list_model_get_n_items (results);
  g_assert_cmpuint (n, <, 200);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeOs) os = g_list_model_get_item (results, i);

      fedora_found |= g_strcmp0 (lodge_os_get_short_id (os), "fedora37") == 0;
    }
  g_assert_true (fedora_found);

  /* The generic entries stay in the list; pick "Generic Linux" (the first). */
  first = g_list_model_get_item (results, 0);
  g_assert_true (lodge_os_get_generic (first));
  lodge_new_machine_assistant_pick_os (assistant, first);
  wait_page (assistant, "review");
  g_assert_true (lodge_new_machine_assistant_get_os (assistant) == first);
  g_assert_cmpstr (lodge_new_machine_assistant_get_os_label (assistant), ==, lodge_os_get_name (first));
  g_assert_cmpstr (lodge_machine_spec_get_cdrom_path (lodge_new_machine_assistant_get_spec (assistant)),
                   ==, unknown_iso);
  g_assert_true (lodge_create_test_wait_until (name_checked, assistant, WAIT_S));
  /* Named after the file, as the OS is generic. */
  g_assert_cmpstr (gtk_editable_get_text (lodge_new_machine_assistant_get_name_editable (assistant)),
                   ==, "unknown");

  /* Back goes to the OS list it came from. */
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "os");
  close_assistant (assistant);
}

/* Media in Downloads are found off the main thread and can be picked. */
static void
test_assistant_downloads (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "Downloads", NULL);
  g_autofree char *readme = g_build_filename (dir, "readme.txt", NULL);
  LodgeNewMachineAssistant *assistant;
  g_autofree char *iso = NULL;
  g_autoptr(LodgeMedia) media = NULL;
  GListModel *found;

  g_mkdir_with_parents (dir, 0755);
  iso = lodge_create_test_make_iso (dir, "fedora-in-downloads.iso", "Fedora-S-dvd-x86_64-37",
                                    NULL, (const char * const *) fedora_extra, FALSE);
  g_file_set_contents (readme, "not media", -1, NULL);

  assistant = lodge_new_machine_assistant_new (NULL, connection, db, FALSE);
  lodge_new_machine_assistant_set_downloads_dir (assistant, dir);
  gtk_window_present (GTK_WINDOW (assistant));

  {
    gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

    while ((lodge_new_machine_assistant_get_downloads (assistant) == NULL ||
            g_list_model_get_n_items (lodge_new_machine_assistant_get_downloads (assistant)) == 0) &&
           g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
  }
  found = lodge_new_machine_assistant_get_downloads (assistant);
  g_assert_nonnull (found);
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 1);
  media = g_list_model_get_item (found, 0);
  g_assert_cmpstr (lodge_media_get_path (media), ==, iso);

  lodge_new_machine_assistant_pick_media (assistant, media);
  wait_page (assistant, "review");
  g_assert_cmpstr (lodge_os_get_short_id (lodge_new_machine_assistant_get_os (assistant)), ==, "fedora37");
  close_assistant (assistant);
}

/* Express install: offered for Fedora, needs an account, excludes a
 * throwaway machine; on the test driver the script's image cannot be
 * uploaded, and the assistant says so, leaving nothing. */
static void
test_assistant_express (void)
{
  LodgeNewMachineAssistant *assistant = assistant_at_review (fedora_iso);
  LodgeMachineSpec *spec = lodge_new_machine_assistant_get_spec (assistant);
  int before = count_lodge_volumes ();

  set_name (assistant, "lodge-ui-assistant-express");
  g_assert_true (lodge_new_machine_assistant_get_express_offered (assistant));
  lodge_machine_spec_set_throwaway (spec, TRUE);
  g_assert_true (lodge_new_machine_assistant_get_throwaway_allowed (assistant));

  /* On, but no password yet: Create waits for it. */
  lodge_new_machine_assistant_set_express (assistant, TRUE, "alice", "", "express-host");
  g_assert_false (lodge_machine_spec_get_throwaway (spec));
  g_assert_false (lodge_new_machine_assistant_get_throwaway_allowed (assistant));
  g_assert_false (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.create"));
  lodge_new_machine_assistant_set_express (assistant, TRUE, NULL, "secret", NULL);
  g_assert_true (lodge_new_machine_assistant_get_action_enabled (assistant, "assistant.create"));

  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.create", NULL);
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "progress");
  wait_page (assistant, "review");
  g_assert_nonnull (lodge_new_machine_assistant_get_error (assistant));
  g_test_message ("express: %s", lodge_new_machine_assistant_get_error (assistant));
  g_assert_false (domain_exists ("lodge-ui-assistant-express"));
  g_assert_cmpint (count_lodge_volumes (), ==, before);

  /* Off again: the throwaway switch comes back. */
  lodge_new_machine_assistant_set_express (assistant, FALSE, NULL, NULL, NULL);
  g_assert_true (lodge_new_machine_assistant_get_throwaway_allowed (assistant));
  close_assistant (assistant);
}

/* A disk image to import: the OS is asked for, the review shows the
 * import; the test driver has no local files, so the creator refuses and
 * the assistant shows why, leaving nothing. */
static void
test_assistant_import_refused (void)
{
  LodgeNewMachineAssistant *assistant = open_assistant ();
  g_autofree char *image = g_build_filename (tmp_dir, "old-disk.qcow2", NULL);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", image, "1G", NULL };
  LodgeMachineSpec *spec;
  g_autoptr(LodgeOs) generic = NULL;
  int before = count_lodge_volumes ();

  lodge_create_test_run (argv);
  open_path (assistant, image);
  wait_page (assistant, "os");
  generic = g_list_model_get_item (lodge_new_machine_assistant_get_os_results (assistant), 0);
  lodge_new_machine_assistant_pick_os (assistant, generic);
  wait_page (assistant, "review");

  spec = lodge_new_machine_assistant_get_spec (assistant);
  g_assert_cmpstr (lodge_machine_spec_get_import_path (spec), ==, image);
  g_assert_cmpint (lodge_machine_spec_get_import_format (spec), ==, LODGE_DISK_FORMAT_QCOW2);
  g_assert_null (lodge_machine_spec_get_cdrom_path (spec));
  g_assert_cmpuint (lodge_machine_spec_get_disk_size (spec), ==, G_GUINT64_CONSTANT (1) << 30);

  g_assert_true (lodge_create_test_wait_until (name_checked, assistant, WAIT_S));
  set_name (assistant, "lodge-ui-assistant-import");
  gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.create", NULL);
  wait_page (assistant, "review");
  g_assert_nonnull (lodge_new_machine_assistant_get_error (assistant));
  g_test_message ("import: %s", lodge_new_machine_assistant_get_error (assistant));
  g_assert_false (domain_exists ("lodge-ui-assistant-import"));
  g_assert_cmpint (count_lodge_volumes (), ==, before);
  close_assistant (assistant);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kernel = NULL;
  g_autofree char *graft_kernel = NULL;
  g_autofree char *graft_initrd = NULL;
  int ret;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LODGE_FORCE_EMULATION", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    lodge_test_skip_all ("no display (run under xvfb-run)");
  if (g_find_program_in_path ("xorriso") == NULL)
    lodge_test_skip_all ("xorriso is not installed");

  gtk_init ();
  adw_init ();
  lodge_register_resource ();
  virSetErrorFunc (NULL, quiet_libvirt_error_cb);

  tmp_dir = g_dir_make_tmp ("lodge-assistant-test-XXXXXX", &error);
  g_assert_no_error (error);

  lodge_connection_init_events ();
  /* A host's connection: the assistant reads the host's capabilities. */
  test_host = lodge_host_new ("test:///default", NULL);
  connection = g_object_ref (lodge_host_get_connection (test_host));
  lodge_connection_open_async (connection, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  if (!lodge_connection_open_finish (connection, result, &error))
    g_error ("Could not open test:///default: %s", error->message);
  raw = virConnectOpen ("test:///default");
  g_assert_nonnull (raw);

  /* The application's database: loaded once, shared by every assistant. */
  db = lodge_create_test_get_db ();

  kernel = g_build_filename (tmp_dir, "vmlinuz", NULL);
  g_file_set_contents (kernel, "not really a kernel\n", -1, NULL);
  graft_kernel = g_strdup_printf ("isolinux/vmlinuz=%s", kernel);
  graft_initrd = g_strdup_printf ("isolinux/initrd.gz=%s", kernel);
  fedora_extra[0] = graft_kernel;
  fedora_extra[1] = graft_initrd;
  fedora_iso = lodge_create_test_make_iso (tmp_dir, "Fedora-Server-37.iso", "Fedora-S-dvd-x86_64-37",
                                           NULL, fedora_extra, FALSE);
  unknown_iso = lodge_create_test_make_iso (tmp_dir, "unknown.iso", "LODGE_NOTHING_42",
                                            "Lodge tests", NULL, FALSE);

  g_test_add_func ("/ui/assistant/opens", test_assistant_opens);
  g_test_add_func ("/ui/assistant/iso", test_assistant_iso);
  g_test_add_func ("/ui/assistant/os-only", test_assistant_os_only);
  g_test_add_func ("/ui/assistant/bad-names", test_assistant_bad_names);
  g_test_add_func ("/ui/assistant/create", test_assistant_create);
  g_test_add_func ("/ui/assistant/cancel", test_assistant_cancel);
  g_test_add_func ("/ui/assistant/close-while-creating", test_assistant_close_while_creating);
  g_test_add_func ("/ui/assistant/not-media", test_assistant_not_media);
  g_test_add_func ("/ui/assistant/drop", test_assistant_drop);
  g_test_add_func ("/ui/assistant/unknown-media", test_assistant_unknown_media);
  g_test_add_func ("/ui/assistant/downloads", test_assistant_downloads);
  g_test_add_func ("/ui/assistant/import-refused", test_assistant_import_refused);
  g_test_add_func ("/ui/assistant/express", test_assistant_express);

  ret = g_test_run ();

  virConnectClose (raw);
  g_clear_object (&connection);
  g_clear_object (&test_host);
  {
    const char *rm[] = { "rm", "-rf", tmp_dir, NULL };

    lodge_create_test_run (rm);
  }
  return ret;
}
