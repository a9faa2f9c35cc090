/* test-connection.c: the model against libvirt's test driver
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-connection"

#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "lodge-test.h"
#include "lodge-model-test.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"

#define DEFAULT_URI "test:///default"
#define WAIT_MS 10000

static char *tmpdir;

static char *
write_node_file (const char *name,
                 const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static char *
test_uri_for (const char *path)
{
  return g_strconcat ("test://", path, NULL);
}

static LodgeConnection *
open_connection (const char *uri)
{
  g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
  g_autoptr(GError) error = NULL;

  lodge_connection_set_stats_interval (connection, 0);
  if (!lodge_test_open (connection, &error))
    g_error ("Could not open %s: %s", uri, error->message);
  g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_CONNECTED);
  return g_steal_pointer (&connection);
}

/* A machine whose state is not the wanted one is brought there. */
static void
ensure_running (LodgeMachine *machine)
{
  g_autoptr(GError) error = NULL;

  if (lodge_machine_get_state (machine) == LODGE_MACHINE_STATE_PAUSED)
    lodge_test_run_action (machine, LODGE_MACHINE_ACTION_RESUME, &error);
  else if (!lodge_machine_is_active (machine))
    lodge_test_run_action (machine, LODGE_MACHINE_ACTION_START, &error);
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
}

static void
state_notify_cb (LodgeConnection *connection,
                 GParamSpec      *pspec,
                 GArray          *states)
{
  LodgeConnectionState state = lodge_connection_get_state (connection);
  g_array_append_val (states, state);
}

static void
test_open_default (void)
{
  g_autoptr(LodgeConnection) connection = lodge_connection_new (DEFAULT_URI);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (LodgeConnectionState));
  g_autoptr(GError) error = NULL;
  LodgeMachineList *list;
  LodgeMachine *machine;
  virConnectPtr conn;

  g_assert_cmpstr (lodge_connection_get_uri (connection), ==, DEFAULT_URI);
  g_assert_null (lodge_connection_get_hostname (connection));
  g_assert_cmpint (lodge_connection_get_state (connection), ==,
                   LODGE_CONNECTION_STATE_DISCONNECTED);
  g_assert_cmpuint (lodge_connection_get_stats_interval (connection), ==, 2);
  g_assert_null (lodge_connection_ref_virconnect (connection));

  g_signal_connect (connection, "notify::state", G_CALLBACK (state_notify_cb), states);
  g_assert_true (lodge_test_open (connection, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (g_array_index (states, LodgeConnectionState, 0), ==,
                   LODGE_CONNECTION_STATE_CONNECTING);
  g_assert_cmpint (g_array_index (states, LodgeConnectionState, 1), ==,
                   LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_null (lodge_connection_get_error (connection));

  list = lodge_connection_get_machines (connection);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), >=, 1);

  machine = lodge_connection_lookup_machine (connection, "test");
  g_assert_nonnull (machine);
  g_assert_true (lodge_machine_get_connection (machine) == connection);
  g_assert_cmpstr (lodge_machine_get_name (machine), ==, "test");
  g_assert_true (lodge_connection_lookup_machine (connection,
                                                  lodge_machine_get_uuid (machine)) == machine);
  g_assert_true (lodge_machine_list_lookup_uuid (list, lodge_machine_get_uuid (machine)) == machine);
  g_assert_null (lodge_connection_lookup_machine (connection, "no-such-machine"));
  g_assert_cmpuint (lodge_machine_get_vcpus (machine), >, 0);
  g_assert_cmpuint (lodge_machine_get_memory (machine), >, 0);
  g_assert_true (lodge_machine_get_persistent (machine));

  /* Opening again when connected succeeds at once. */
  g_assert_true (lodge_test_open (connection, &error));

  conn = lodge_connection_ref_virconnect (connection);
  g_assert_nonnull (conn);
  g_assert_cmpint (virConnectIsAlive (conn), ==, 1);
  virConnectClose (conn);

  lodge_connection_close (connection);
  g_assert_cmpint (lodge_connection_get_state (connection), ==,
                   LODGE_CONNECTION_STATE_DISCONNECTED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_null (lodge_connection_ref_virconnect (connection));

  /* Tasks may keep the connection alive past this function. */
  g_signal_handlers_disconnect_by_data (connection, states);
}

static void
test_actions (void)
{
  g_autoptr(LodgeConnection) connection = open_connection (DEFAULT_URI);
  g_autoptr(LodgeMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  LodgeMachineList *list = lodge_connection_get_machines (connection);

  machine = g_object_ref (lodge_connection_lookup_machine (connection, "test"));
  ensure_running (machine);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), >=, 1);

  g_assert_true (lodge_machine_can_pause (machine));
  g_assert_false (lodge_machine_can_start (machine));
  g_assert_false (lodge_machine_can_resume (machine));

  /* Pause: the state changes through the event. */
  g_assert_true (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_PAUSE, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_PAUSED, WAIT_MS));
  g_assert_true (lodge_machine_can_resume (machine));

  /* An action that does not apply is refused without asking libvirt. */
  g_assert_false (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_PAUSE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_assert_nonnull (strstr (error->message, "test"));
  g_clear_error (&error);

  g_assert_true (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_RESUME, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  /* Managed save, then start restores it. */
  g_assert_true (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_SAVE, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_SAVED, WAIT_MS));
  lodge_test_spin (100);
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_SAVED);
  g_assert_true (lodge_machine_get_has_managed_save (machine));
  g_assert_true (lodge_machine_can_start (machine));
  g_assert_false (lodge_machine_is_active (machine));

  g_assert_true (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_START, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  g_assert_false (lodge_machine_get_has_managed_save (machine));

  g_assert_false (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_START, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  /* Reboot keeps it running. */
  g_assert_true (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_REBOOT, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  /* ACPI shutdown (the test driver obeys at once). */
  g_assert_true (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_SHUTDOWN, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_SHUT_OFF, WAIT_MS));
  g_assert_cmpfloat (lodge_machine_get_cpu_usage (machine), ==, -1.0);

  g_assert_false (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_FORCE_OFF, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_SAVE, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_true (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_START, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  g_assert_cmpint (lodge_machine_get_last_used (machine), >, 0);

  g_assert_true (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_FORCE_OFF, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_SHUT_OFF, WAIT_MS));

  ensure_running (machine);
}

/* libvirt's own refusal comes back with libvirt's message. */
static void
test_libvirt_error (void)
{
  g_autoptr(LodgeConnection) connection = open_connection (DEFAULT_URI);
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMachine) machine = NULL;
  virConnectPtr conn = lodge_connection_ref_virconnect (connection);
  virDomainPtr domain;
  const char *xml =
    "<domain type='test'><name>lodge-test-vanishing</name><memory>65536</memory>"
    "<os><type>hvm</type></os></domain>";

  domain = virDomainDefineXML (conn, xml);
  g_assert_nonnull (domain);
  machine = lodge_test_wait_machine (connection, "lodge-test-vanishing", TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  g_object_ref (machine);

  /* Gone behind Lodge's back; its event is not processed yet. */
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  virDomainFree (domain);

  g_assert_false (lodge_test_run_action (machine, LODGE_MACHINE_ACTION_START, &error));
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
  /* libvirt's text, not one of ours */
  g_assert_nonnull (strstr (error->message, "lodge-test-vanishing") != NULL
                    ? error->message : strstr (error->message, "omain"));
  g_test_message ("libvirt said: %s", error->message);
  g_clear_error (&error);

  g_assert_null (lodge_test_wait_machine (connection, "lodge-test-vanishing", FALSE, WAIT_MS));
  g_assert_null (lodge_machine_get_connection (machine));
  g_assert_false (lodge_machine_can_start (machine));

  virConnectClose (conn);
}

static void
rename_machine (LodgeMachine  *machine,
                const char    *title,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_machine_rename_async (machine, title, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  lodge_machine_rename_finish (machine, result, error);
}

static char *
get_xml (LodgeMachine *machine,
         gboolean      inactive)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *xml;

  lodge_machine_get_xml_async (machine, inactive, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  xml = lodge_machine_get_xml_finish (machine, result, &error);
  g_assert_no_error (error);
  return xml;
}

typedef struct
{
  LodgeMachine *machine;
  const char   *title;
} TitleWait;

static gboolean
title_reached (gpointer data)
{
  TitleWait *wait = data;
  return g_strcmp0 (lodge_machine_get_title (wait->machine), wait->title) == 0;
}

static void
test_rename (void)
{
  g_autoptr(LodgeConnection) connection = open_connection (DEFAULT_URI);
  g_autoptr(LodgeConnection) other = open_connection (DEFAULT_URI);
  g_autoptr(GError) error = NULL;
  const char *title = "Tïtle <with> & \"quotes\" 'and' Ünïcödé 日本";
  LodgeMachine *machine = lodge_connection_lookup_machine (connection, "test");
  LodgeMachine *other_machine = lodge_connection_lookup_machine (other, "test");
  TitleWait wait = { other_machine, title };
  g_autofree char *xml = NULL;
  g_autofree char *escaped = NULL;

  ensure_running (machine);

  rename_machine (machine, title, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lodge_machine_get_title (machine), ==, title);
  g_assert_cmpstr (lodge_machine_get_display_name (machine), ==, title);
  g_assert_cmpstr (lodge_machine_get_name (machine), ==, "test");
  g_assert_true (lodge_connection_lookup_machine (connection, title) == machine);

  xml = get_xml (machine, FALSE);
  escaped = g_markup_escape_text (title, -1);
  g_assert_nonnull (strstr (xml, "<title>"));
  g_clear_pointer (&xml, g_free);
  xml = get_xml (machine, TRUE);
  g_assert_nonnull (strstr (xml, "<title>"));

  /* Another connection learns it from the metadata event. */
  g_assert_true (lodge_test_wait_until (title_reached, &wait, WAIT_MS));
  g_assert_cmpstr (lodge_machine_get_display_name (other_machine), ==, title);

  rename_machine (machine, "", &error);
  g_assert_no_error (error);
  g_assert_null (lodge_machine_get_title (machine));
  g_assert_cmpstr (lodge_machine_get_display_name (machine), ==, "test");
  wait.title = NULL;
  g_assert_true (lodge_test_wait_until (title_reached, &wait, WAIT_MS));

  rename_machine (machine, "two\nlines", &error);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT);
  g_assert_null (lodge_machine_get_title (machine));
}

static void
test_two_connections (void)
{
  g_autoptr(LodgeConnection) a = open_connection (DEFAULT_URI);
  g_autoptr(LodgeConnection) b = open_connection (DEFAULT_URI);
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMachine) machine_a = g_object_ref (lodge_connection_lookup_machine (a, "test"));
  LodgeMachine *machine_b = lodge_connection_lookup_machine (b, "test");

  g_assert_true (machine_a != machine_b);
  ensure_running (machine_a);
  g_assert_true (lodge_test_wait_state (machine_b, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  g_assert_true (lodge_test_run_action (machine_a, LODGE_MACHINE_ACTION_PAUSE, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine_a, LODGE_MACHINE_STATE_PAUSED, WAIT_MS));
  g_assert_true (lodge_test_wait_state (machine_b, LODGE_MACHINE_STATE_PAUSED, WAIT_MS));

  /* Closing one leaves the other working. */
  lodge_connection_close (a);
  g_assert_null (lodge_machine_get_connection (machine_a));
  g_assert_true (lodge_test_run_action (machine_b, LODGE_MACHINE_ACTION_RESUME, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (machine_b, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
}

static void
test_define_undefine (void)
{
  g_autoptr(LodgeConnection) connection = open_connection (DEFAULT_URI);
  virConnectPtr conn = lodge_connection_ref_virconnect (connection);
  const char *xml =
    "<domain type='test'><name>lodge-test-events</name><memory>65536</memory>"
    "<os><type>hvm</type></os></domain>";
  const char *transient_xml =
    "<domain type='test'><name>lodge-test-transient</name><memory>65536</memory>"
    "<os><type>hvm</type></os></domain>";
  LodgeMachineList *list = lodge_connection_get_machines (connection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_autofree char *uuid = NULL;
  LodgeMachine *machine;
  virDomainPtr domain;

  /* Defined elsewhere: appears through the DEFINED event. */
  domain = virDomainDefineXML (conn, xml);
  g_assert_nonnull (domain);
  machine = lodge_test_wait_machine (connection, "lodge-test-events", TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n + 1);
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_true (lodge_machine_get_persistent (machine));

  g_assert_cmpint (virDomainCreate (domain), ==, 0);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  /* Undefined while running: becomes transient, stays listed. */
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  lodge_test_spin (200);
  g_assert_true (lodge_connection_lookup_machine (connection, "lodge-test-events") == machine);
  g_assert_false (lodge_machine_get_persistent (machine));
  g_assert_false (lodge_machine_can_save (machine));

  /* ...and goes when it stops. */
  g_assert_cmpint (virDomainDestroy (domain), ==, 0);
  g_assert_null (lodge_test_wait_machine (connection, "lodge-test-events", FALSE, WAIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  virDomainFree (domain);

  /* A transient machine appears when started and goes when stopped. */
  domain = virDomainCreateXML (conn, transient_xml, 0);
  g_assert_nonnull (domain);
  machine = lodge_test_wait_machine (connection, "lodge-test-transient", TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  g_assert_false (lodge_machine_get_persistent (machine));
  g_assert_cmpint (virDomainDestroy (domain), ==, 0);
  g_assert_null (lodge_test_wait_machine (connection, "lodge-test-transient", FALSE, WAIT_MS));
  virDomainFree (domain);

  /* Renaming the domain itself (virDomainRename) keeps the object. */
  domain = virDomainDefineXML (conn, xml);
  g_assert_nonnull (domain);
  machine = lodge_test_wait_machine (connection, "lodge-test-events", TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  if (virDomainRename (domain, "lodge-test-renamed", 0) == 0)
    {
      g_assert_true (lodge_test_wait_machine (connection, "lodge-test-renamed", TRUE, WAIT_MS)
                     == machine);
      g_assert_cmpstr (lodge_machine_get_name (machine), ==, "lodge-test-renamed");
    }
  else
    {
      g_test_message ("virDomainRename: %s", virGetLastErrorMessage ());
    }
  virDomainFree (domain);
  uuid = g_strdup (lodge_machine_get_uuid (machine));
  domain = virDomainLookupByUUIDString (conn, uuid);
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  virDomainFree (domain);
  g_assert_null (lodge_test_wait_machine (connection, uuid, FALSE, WAIT_MS));

  virConnectClose (conn);
}

/* A machine defined then started: each event asks for a read of a
 * machine not listed yet, and the reads may end in any order. Here the
 * first (it read "shut off") ends last: the list keeps what libvirt says
 * now. (The create-integration test once saw a new machine stay "shut
 * off" while it ran.) */
static gboolean
one_read_held (gpointer data)
{
  return lodge_connection_get_n_held_reads (data) == 1;
}

static gboolean
no_refresh_left (gpointer data)
{
  return lodge_connection_get_n_refreshing (data) == 0;
}

static void
test_new_machine_reads_out_of_order (void)
{
  g_autoptr(LodgeConnection) connection = open_connection (DEFAULT_URI);
  virConnectPtr conn = lodge_connection_ref_virconnect (connection);
  const char *xml = "<domain type='test'><name>lodge-test-late-read</name><memory>65536</memory>"
                    "<os><type>hvm</type></os></domain>";
  LodgeMachine *machine;
  virDomainPtr domain;

  lodge_connection_hold_first_reads (connection);
  domain = virDomainDefineXML (conn, xml);
  g_assert_nonnull (domain);
  /* The read for "defined" has read "shut off", and waits. */
  g_assert_true (lodge_test_wait_until (one_read_held, connection, WAIT_MS));
  g_assert_null (lodge_connection_lookup_machine (connection, "lodge-test-late-read"));

  /* The read for "started" ends first. */
  g_assert_cmpint (virDomainCreate (domain), ==, 0);
  machine = lodge_test_wait_machine (connection, "lodge-test-late-read", TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  lodge_connection_release_held_reads (connection);
  g_assert_true (lodge_test_wait_until (no_refresh_left, connection, WAIT_MS));
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_RUNNING);

  virDomainDestroy (domain);
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  virDomainFree (domain);
  virConnectClose (conn);
}

static gboolean
volume_exists (virConnectPtr  conn,
               const char    *path)
{
  virStorageVolPtr vol = virStorageVolLookupByPath (conn, path);

  if (vol == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  virStorageVolFree (vol);
  return TRUE;
}

static char *
create_volume (virConnectPtr  conn,
               const char    *name)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, "default-pool");
  g_autofree char *xml = g_strdup_printf ("<volume><name>%s</name>"
                                          "<capacity unit='MiB'>1</capacity></volume>", name);
  virStorageVolPtr vol;
  char *path;
  char *ret;

  g_assert_nonnull (pool);
  vol = virStorageVolCreateXML (pool, xml, 0);
  g_assert_nonnull (vol);
  path = virStorageVolGetPath (vol);
  ret = g_strdup (path);
  free (path);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  return ret;
}

static void
delete_machine (LodgeMachine  *machine,
                gboolean       delete_disks,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lodge_machine_delete_async (machine, delete_disks, NULL, lodge_test_store_result_cb, &result);
  lodge_test_wait_result (&result, WAIT_MS);
  lodge_machine_delete_finish (machine, result, error);
}

static void
test_delete (void)
{
  g_autoptr(LodgeConnection) connection = open_connection (DEFAULT_URI);
  virConnectPtr conn = lodge_connection_ref_virconnect (connection);
  g_autofree char *disk = create_volume (conn, "lodge-test-disk.img");
  g_autofree char *cdrom = create_volume (conn, "lodge-test-cdrom.iso");
  g_autofree char *kept = create_volume (conn, "lodge-test-kept.img");
  g_autofree char *xml = NULL;
  g_autofree char *xml2 = NULL;
  g_autoptr(LodgeMachine) machine = NULL;
  g_autoptr(GError) error = NULL;
  virDomainPtr domain;

  xml = g_strdup_printf ("<domain type='test'><name>lodge-test-delete</name>"
                         "<memory>65536</memory><os><type>hvm</type></os><devices>"
                         "<disk type='file' device='disk'><source file='%s'/>"
                         "<target dev='hda'/></disk>"
                         "<disk type='file' device='cdrom'><source file='%s'/>"
                         "<target dev='hdc'/></disk>"
                         "</devices></domain>", disk, cdrom);
  domain = virDomainDefineXML (conn, xml);
  g_assert_nonnull (domain);
  g_assert_cmpint (virDomainCreate (domain), ==, 0);
  virDomainFree (domain);

  machine = lodge_test_wait_machine (connection, "lodge-test-delete", TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  g_object_ref (machine);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  /* Running, with disks: stopped, undefined, its disk volume deleted, the
   * CD-ROM's volume kept. */
  delete_machine (machine, TRUE, &error);
  g_assert_no_error (error);
  g_assert_null (lodge_connection_lookup_machine (connection, "lodge-test-delete"));
  g_assert_null (lodge_machine_get_connection (machine));
  domain = virDomainLookupByName (conn, "lodge-test-delete");
  g_assert_null (domain);
  virResetLastError ();
  g_assert_false (volume_exists (conn, disk));
  g_assert_true (volume_exists (conn, cdrom));

  /* Without deleting disks, with a managed save. */
  xml2 = g_strdup_printf ("<domain type='test'><name>lodge-test-delete2</name>"
                          "<memory>65536</memory><os><type>hvm</type></os><devices>"
                          "<disk type='file' device='disk'><source file='%s'/>"
                          "<target dev='hda'/></disk></devices></domain>", kept);
  domain = virDomainDefineXML (conn, xml2);
  g_assert_nonnull (domain);
  g_assert_cmpint (virDomainCreate (domain), ==, 0);
  g_assert_cmpint (virDomainManagedSave (domain, 0), ==, 0);
  virDomainFree (domain);
  g_clear_object (&machine);
  machine = lodge_test_wait_machine (connection, "lodge-test-delete2", TRUE, WAIT_MS);
  g_assert_nonnull (machine);
  g_object_ref (machine);
  g_assert_true (lodge_test_wait_state (machine, LODGE_MACHINE_STATE_SAVED, WAIT_MS));

  delete_machine (machine, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (lodge_connection_lookup_machine (connection, "lodge-test-delete2"));
  g_assert_true (volume_exists (conn, kept));

  /* A detached machine cannot be deleted twice. */
  delete_machine (machine, FALSE, &error);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);

  virConnectClose (conn);
}

static void
test_invalid_uri (void)
{
  static const char *uris[] = {
    "bogus+nothing:///nowhere",
    "test:///nonexistent/lodge/file.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(LodgeConnection) connection = lodge_connection_new (uris[i]);
      g_autoptr(GError) error = NULL;

      g_assert_false (lodge_test_open (connection, &error));
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, !=, "");
      g_test_message ("%s: %s", uris[i], error->message);
      g_assert_cmpint (lodge_connection_get_state (connection), ==,
                       LODGE_CONNECTION_STATE_FAILED);
      g_assert_nonnull (lodge_connection_get_error (connection));
      g_assert_cmpstr (lodge_connection_get_error (connection)->message, ==, error->message);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lodge_connection_get_machines (connection))),
                        ==, 0);
    }
}

/* Authentication through ::authenticate, with the test driver's <auth>. */

typedef struct
{
  const char *username;
  const char *password;
  gboolean    cancel;
  gboolean    later;
  guint       n_requests;
  LodgeAuthRequest *kept;
} AuthAnswer;

static void
authenticate_cb (LodgeConnection  *connection,
                 LodgeAuthRequest *request,
                 AuthAnswer       *answer)
{
  answer->n_requests++;
  g_assert_cmpstr (lodge_auth_request_get_uri (request), ==, lodge_connection_get_uri (connection));
  /* The test driver asks for the user name, then for the password. */
  g_assert_true (lodge_auth_request_get_needs_username (request) !=
                 lodge_auth_request_get_needs_password (request));
  g_assert_nonnull (lodge_auth_request_get_prompt (request));

  if (answer->later)
    answer->kept = g_object_ref (request);
  else if (answer->cancel)
    lodge_auth_request_cancel (request);
  else
    lodge_auth_request_answer (request, answer->username, answer->password);
}

static gboolean
auth_request_kept (gpointer data)
{
  return ((AuthAnswer *)data)->kept != NULL;
}

static void
test_auth (void)
{
  g_autofree char *path = write_node_file ("auth.xml",
    "<node><auth><user password='s3cret'>alice</user></auth>"
    "<domain type='test'><name>guarded</name><memory>65536</memory>"
    "<os><type>hvm</type></os></domain></node>");
  g_autofree char *uri = test_uri_for (path);

  /* Right answer */
  {
    g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
    g_autoptr(GError) error = NULL;
    AuthAnswer answer = { "alice", "s3cret" };

    g_signal_connect (connection, "authenticate", G_CALLBACK (authenticate_cb), &answer);
    g_assert_true (lodge_test_open (connection, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (answer.n_requests, ==, 2);
    g_assert_nonnull (lodge_connection_lookup_machine (connection, "guarded"));
    g_signal_handlers_disconnect_by_data (connection, &answer);
  }

  /* Answered later, from a "dialog" */
  {
    g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    AuthAnswer answer = { .later = TRUE };

    g_signal_connect (connection, "authenticate", G_CALLBACK (authenticate_cb), &answer);
    lodge_connection_open_async (connection, NULL, lodge_test_store_result_cb, &result);
    g_assert_true (lodge_test_wait_until (auth_request_kept, &answer, WAIT_MS));
    lodge_test_spin (50);
    g_assert_null (result);
    g_assert_cmpint (lodge_connection_get_state (connection), ==,
                     LODGE_CONNECTION_STATE_CONNECTING);
    lodge_auth_request_answer (answer.kept, "alice", "s3cret");
    g_clear_object (&answer.kept);
    g_assert_true (lodge_test_wait_until (auth_request_kept, &answer, WAIT_MS));
    lodge_auth_request_answer (answer.kept, "alice", "s3cret");
    g_clear_object (&answer.kept);
    lodge_test_wait_result (&result, WAIT_MS);
    g_assert_true (lodge_connection_open_finish (connection, result, &error));
    g_assert_no_error (error);
    g_signal_handlers_disconnect_by_data (connection, &answer);
  }

  /* Wrong password: libvirt's refusal */
  {
    g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
    g_autoptr(GError) error = NULL;
    AuthAnswer answer = { "alice", "wrong" };

    g_signal_connect (connection, "authenticate", G_CALLBACK (authenticate_cb), &answer);
    g_assert_false (lodge_test_open (connection, &error));
    g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_FAILED);
    g_test_message ("wrong password: %s", error->message);
    g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_FAILED);
    /* Never asked again blindly: no retry is planned after a refusal. */
    g_assert_cmpint (lodge_connection_get_retry_time (connection), ==, 0);
    g_signal_handlers_disconnect_by_data (connection, &answer);
  }

  /* Cancelled by the user, and nobody to ask */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
      g_autoptr(GError) error = NULL;
      AuthAnswer answer = { .cancel = TRUE };

      if (i == 0)
        g_signal_connect (connection, "authenticate", G_CALLBACK (authenticate_cb), &answer);
      g_assert_false (lodge_test_open (connection, &error));
      g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_AUTH_CANCELLED);
      g_assert_cmpuint (answer.n_requests, ==, i == 0 ? 1 : 0);
      g_assert_cmpint (lodge_connection_get_retry_time (connection), ==, 0);
      g_signal_handlers_disconnect_by_data (connection, &answer);
    }

  /* The caller's cancellable ends a pending question. */
  {
    g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    AuthAnswer answer = { .later = TRUE };

    g_signal_connect (connection, "authenticate", G_CALLBACK (authenticate_cb), &answer);
    lodge_connection_open_async (connection, cancellable, lodge_test_store_result_cb, &result);
    g_assert_true (lodge_test_wait_until (auth_request_kept, &answer, WAIT_MS));
    g_cancellable_cancel (cancellable);
    lodge_test_wait_result (&result, WAIT_MS);
    g_assert_false (lodge_connection_open_finish (connection, result, &error));
    g_assert_nonnull (error);
    g_clear_object (&answer.kept);
    g_assert_cmpint (lodge_connection_get_state (connection), !=,
                     LODGE_CONNECTION_STATE_CONNECTED);
    g_signal_handlers_disconnect_by_data (connection, &answer);
  }
}

/* Many machines, from gen-machines.py files */

static void
count_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        guint      *n_signals)
{
  (*n_signals)++;
}

static void
stats_updated_cb (LodgeConnection *connection,
                  guint           *n_ticks)
{
  (*n_ticks)++;
}

static gboolean
ticks_reached (gpointer data)
{
  guint *counts = data;
  return counts[0] >= counts[1];
}

static void
check_many (const char *env_name)
{
  const char *path = g_getenv (env_name);
  g_autofree char *uri = NULL;
  g_autofree char *expected_path = NULL;
  g_autoptr(GKeyFile) expected = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeConnection) connection = NULL;
  g_auto(GStrv) groups = NULL;
  LodgeMachineList *list;
  guint counts[LODGE_MACHINE_STATE_SAVED + 1] = { 0 };
  guint n_items_changed = 0;
  guint n_titled = 0;
  guint n_os = 0;
  guint total;
  guint n;
  guint ticks[2] = { 0, 0 };
  guint64 calls;

  if (path == NULL)
    {
      g_test_skip ("LODGE_TEST_MACHINES_* not set (run through meson)");
      if (g_strcmp0 (g_getenv ("LODGE_TEST_NO_SKIP"), "1") == 0)
        g_test_fail ();
      return;
    }

  uri = test_uri_for (path);
  expected_path = g_strconcat (path, ".expected", NULL);
  g_key_file_load_from_file (expected, expected_path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  total = g_key_file_get_integer (expected, "summary", "total", NULL);

  connection = lodge_connection_new (uri);
  lodge_connection_set_stats_interval (connection, 0);
  list = lodge_connection_get_machines (connection);
  g_signal_connect (list, "items-changed", G_CALLBACK (count_items_changed_cb), &n_items_changed);
  g_assert_true (lodge_test_open (connection, &error));
  g_assert_no_error (error);

  /* The whole list arrives in one change. */
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n, ==, total);
  g_assert_cmpuint (n_items_changed, ==, 1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LodgeMachine) machine = g_list_model_get_item (G_LIST_MODEL (list), i);

      counts[lodge_machine_get_state (machine)]++;
      if (lodge_machine_get_title (machine) != NULL)
        n_titled++;
      if (lodge_machine_get_os_id (machine) != NULL)
        n_os++;
      g_assert_true (lodge_machine_list_lookup_uuid (list, lodge_machine_get_uuid (machine))
                     == machine);
    }
  g_assert_cmpuint (counts[LODGE_MACHINE_STATE_RUNNING], ==,
                    g_key_file_get_integer (expected, "summary", "running", NULL));
  g_assert_cmpuint (counts[LODGE_MACHINE_STATE_PAUSED], ==,
                    g_key_file_get_integer (expected, "summary", "paused", NULL));
  g_assert_cmpuint (counts[LODGE_MACHINE_STATE_SHUT_OFF], ==,
                    g_key_file_get_integer (expected, "summary", "shut-off", NULL));
  g_assert_cmpuint (n_titled, ==, g_key_file_get_integer (expected, "summary", "with-title", NULL));
  g_assert_cmpuint (n_os, ==, g_key_file_get_integer (expected, "summary", "with-os", NULL));
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==,
                    counts[LODGE_MACHINE_STATE_RUNNING] + counts[LODGE_MACHINE_STATE_PAUSED]);

  /* Every listed sample machine, field by field, found by uuid and name. */
  groups = g_key_file_get_groups (expected, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *title = NULL;
      g_autofree char *state = NULL;
      g_autofree char *os_id = NULL;
      const char *uuid;
      LodgeMachine *machine;

      if (!g_str_has_prefix (groups[i], "machine "))
        continue;
      uuid = groups[i] + strlen ("machine ");
      name = g_key_file_get_string (expected, groups[i], "name", NULL);
      title = g_key_file_get_string (expected, groups[i], "title", NULL);
      state = g_key_file_get_string (expected, groups[i], "state", NULL);
      os_id = g_key_file_get_string (expected, groups[i], "os-id", NULL);

      machine = lodge_machine_list_lookup_uuid (list, uuid);
      g_assert_nonnull (machine);
      g_assert_cmpstr (lodge_machine_get_name (machine), ==, name);
      g_assert_cmpstr (lodge_machine_get_title (machine), ==, title);
      g_assert_cmpstr (lodge_machine_get_display_name (machine), ==, title != NULL ? title : name);
      g_assert_cmpstr (lodge_machine_state_to_string (lodge_machine_get_state (machine)), ==, state);
      g_assert_cmpstr (lodge_machine_get_os_id (machine), ==, os_id);
      g_assert_cmpuint (lodge_machine_get_memory (machine), ==,
                        g_key_file_get_uint64 (expected, groups[i], "memory", NULL));
      g_assert_cmpuint (lodge_machine_get_vcpus (machine), ==,
                        g_key_file_get_integer (expected, groups[i], "vcpus", NULL));
      g_assert_true (lodge_connection_lookup_machine (connection, name) == machine);
      g_assert_true (lodge_connection_lookup_machine (connection, uuid) == machine);
      if (strlen (name) == 200)
        g_assert_cmpuint (g_utf8_strlen (lodge_machine_get_display_name (machine), -1), ==, 200);
    }

  /* A stats tick is exactly one libvirt call, however many machines. */
  g_signal_connect (connection, "stats-updated", G_CALLBACK (stats_updated_cb), &ticks[0]);
  for (guint tick = 1; tick <= 3; tick++)
    {
      calls = lodge_connection_get_stats_calls (connection);
      lodge_connection_update_stats_now (connection);
      /* A second request while one runs is merged into it. */
      lodge_connection_update_stats_now (connection);
      ticks[1] = tick;
      g_assert_true (lodge_test_wait_until (ticks_reached, ticks, WAIT_MS));
      g_assert_cmpuint (lodge_connection_get_stats_calls (connection), ==, calls + 1);
    }
  g_test_message ("%s: main-thread time of the last tick: %" G_GINT64_FORMAT " us",
                  env_name, lodge_connection_get_last_tick_usec (connection));

  g_signal_handlers_disconnect_by_data (connection, &ticks[0]);
  g_signal_handlers_disconnect_by_data (list, &n_items_changed);
}

static void
test_many_500 (void)
{
  check_many ("LODGE_TEST_MACHINES_500");
}

static void
test_many_2000 (void)
{
  check_many ("LODGE_TEST_MACHINES_2000");
}

static void
test_stats_interval (void)
{
  g_autoptr(LodgeConnection) connection = open_connection (DEFAULT_URI);
  guint ticks[2] = { 0, 3 };
  LodgeMachine *machine = lodge_connection_lookup_machine (connection, "test");
  LodgeMachineSample sample;
  guint64 calls;

  ensure_running (machine);
  g_signal_connect (connection, "stats-updated", G_CALLBACK (stats_updated_cb), &ticks[0]);
  calls = lodge_connection_get_stats_calls (connection);
  lodge_connection_set_stats_interval (connection, 1);
  g_assert_cmpuint (lodge_connection_get_stats_interval (connection), ==, 1);
  g_assert_true (lodge_test_wait_until (ticks_reached, ticks, 20000));
  g_assert_cmpuint (lodge_connection_get_stats_calls (connection) - calls, ==, ticks[0]);

  /* The test driver reports only states, still a sample is kept. */
  g_assert_true (lodge_machine_get_sample (machine, &sample));
  g_assert_cmpint (sample.timestamp, >, 0);

  lodge_connection_set_stats_interval (connection, 0);
  lodge_test_spin (100);
  calls = lodge_connection_get_stats_calls (connection);
  lodge_test_spin (1500);
  g_assert_cmpuint (lodge_connection_get_stats_calls (connection), ==, calls);
  g_signal_handlers_disconnect_by_data (connection, &ticks[0]);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gint64
stored_last_used (const char *path,
                  const char *uri,
                  const char *uuid)
{
  g_autoptr(LodgeStateStore) store = lodge_state_store_new (path);

  return lodge_state_store_get_int64 (store, uri, uuid, "last-used", 0);
}

/* "Last used" of two hosts in one store: each connection records its own
 * machines, and neither overwrites the other's (the old usage.ini was
 * rewritten whole by each connection). */
static void
test_usage_file (void)
{
  const char *uuid = "7e3c5f1e-4b1a-4c55-9d7e-3f0f9b2d1a01";
  g_autofree char *node_a = write_node_file ("usage-a.xml",
    "<node><domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
    "<name>used</name><uuid>7e3c5f1e-4b1a-4c55-9d7e-3f0f9b2d1a01</uuid>"
    "<memory>65536</memory><os><type>hvm</type></os>"
    "<test:runstate>5</test:runstate></domain></node>");
  /* Another host with a machine of the same UUID (a copy moved there). */
  g_autofree char *node_b = write_node_file ("usage-b.xml",
    "<node><domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
    "<name>used-too</name><uuid>7e3c5f1e-4b1a-4c55-9d7e-3f0f9b2d1a01</uuid>"
    "<memory>65536</memory><os><type>hvm</type></os>"
    "<test:runstate>5</test:runstate></domain></node>");
  g_autofree char *uri_a = test_uri_for (node_a);
  g_autofree char *uri_b = test_uri_for (node_b);
  g_autofree char *path = g_build_filename (tmpdir, "state", "machines.ini", NULL);
  g_autoptr(GError) error = NULL;
  gint64 last_used_a, last_used_b;

  {
    g_autoptr(LodgeStateStore) store = lodge_state_store_new (path);
    g_autoptr(LodgeConnection) a = lodge_connection_new (uri_a);
    g_autoptr(LodgeConnection) b = lodge_connection_new (uri_b);
    g_autoptr(GAsyncResult) result = NULL;
    LodgeMachine *machine_a, *machine_b;

    lodge_connection_set_state_store (a, store);
    lodge_connection_set_state_store (b, store);
    lodge_connection_set_stats_interval (a, 0);
    lodge_connection_set_stats_interval (b, 0);
    g_assert_true (lodge_test_open (a, &error));
    g_assert_true (lodge_test_open (b, &error));
    machine_a = lodge_connection_lookup_machine (a, "used");
    machine_b = lodge_connection_lookup_machine (b, "used-too");
    g_assert_cmpint (lodge_machine_get_last_used (machine_a), ==, 0);
    g_assert_cmpint (lodge_machine_get_last_used (machine_b), ==, 0);

    g_assert_true (lodge_test_run_action (machine_a, LODGE_MACHINE_ACTION_START, &error));
    g_assert_true (lodge_test_wait_state (machine_a, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
    last_used_a = lodge_machine_get_last_used (machine_a);
    g_assert_cmpint (last_used_a, >, 0);
    /* Written shortly after, off the main thread. */
    g_assert_true (lodge_test_wait_until (file_exists, path, WAIT_MS));

    /* The other host's machine starts later; its time does not replace the
     * first host's in the file. */
    while (g_get_real_time () / G_USEC_PER_SEC == last_used_a)
      g_usleep (50000);
    g_assert_true (lodge_test_run_action (machine_b, LODGE_MACHINE_ACTION_START, &error));
    g_assert_true (lodge_test_wait_state (machine_b, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
    last_used_b = lodge_machine_get_last_used (machine_b);
    g_assert_cmpint (last_used_b, >, last_used_a);
    lodge_state_store_save_async (store, NULL, lodge_test_store_result_cb, &result);
    lodge_test_wait_result (&result, WAIT_MS);
    g_assert_true (lodge_state_store_save_finish (store, result, &error));
    g_assert_no_error (error);
  }

  g_assert_cmpint (stored_last_used (path, uri_a, uuid), ==, last_used_a);
  g_assert_cmpint (stored_last_used (path, uri_b, uuid), ==, last_used_b);

  {
    g_autoptr(LodgeStateStore) store = lodge_state_store_new (path);
    g_autoptr(LodgeConnection) connection = lodge_connection_new (uri_a);
    LodgeMachine *machine;

    lodge_connection_set_state_store (connection, store);
    lodge_connection_set_stats_interval (connection, 0);
    g_assert_true (lodge_test_open (connection, &error));
    /* A private copy of the file: shut off again. */
    machine = lodge_connection_lookup_machine (connection, "used");
    g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_SHUT_OFF);
    g_assert_cmpint (lodge_machine_get_last_used (machine), ==, last_used_a);
  }
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* The store itself: URIs that a key file's group names cannot hold, what a
 * flush at exit writes, forgetting, and a file that cannot be written. */
static void
test_state_store (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "store", "machines.ini", NULL);
  const char *v6 = "qemu+ssh://root@[::1]:2222/system?keyfile=/a b";
  const char *uuid = "0d9c2c0a-54a1-4f5e-9d1a-1f2e3d4c5b6a";

  {
    g_autoptr(LodgeStateStore) store = lodge_state_store_new (path);

    g_assert_cmpint (lodge_state_store_get_int64 (store, v6, uuid, "last-used", -1), ==, -1);
    lodge_state_store_set_int64 (store, v6, uuid, "last-used", 42);
    lodge_state_store_set_boolean (store, v6, uuid, "scale", TRUE);
    lodge_state_store_set_boolean (store, "qemu:///system", uuid, "scale", FALSE);
    g_assert_cmpint (lodge_state_store_get_int64 (store, v6, uuid, "last-used", -1), ==, 42);
    /* Nothing on disk before the delay... */
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    /* ...and everything after a flush (what the application does at exit). */
    lodge_state_store_flush (store);
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr(LodgeStateStore) store = lodge_state_store_new (path);

    g_assert_cmpint (lodge_state_store_get_int64 (store, v6, uuid, "last-used", -1), ==, 42);
    g_assert_true (lodge_state_store_get_boolean (store, v6, uuid, "scale", FALSE));
    g_assert_false (lodge_state_store_get_boolean (store, "qemu:///system", uuid, "scale", TRUE));
    lodge_state_store_forget (store, v6, uuid);
    g_assert_false (lodge_state_store_get_boolean (store, v6, uuid, "scale", FALSE));
  }
  {
    g_autoptr(LodgeStateStore) store = lodge_state_store_new (path);

    /* Disposing the store wrote the forgetting. */
    g_assert_cmpint (lodge_state_store_get_int64 (store, v6, uuid, "last-used", -1), ==, -1);
    g_assert_false (lodge_state_store_get_boolean (store, "qemu:///system", uuid, "scale", TRUE));
  }

  /* A place that cannot be written (a file where the folder should be):
   * the save says so, and the store keeps working in memory. */
  {
    g_autofree char *blocker = g_build_filename (tmpdir, "blocker", NULL);
    g_autofree char *bad = g_build_filename (blocker, "machines.ini", NULL);
    g_autoptr(LodgeStateStore) store = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
    g_test_expect_message ("lodge-state-store", G_LOG_LEVEL_WARNING, "Could not read*");
    store = lodge_state_store_new (bad);
    g_test_assert_expected_messages ();
    lodge_state_store_set_int64 (store, "qemu:///system", uuid, "last-used", 7);
    g_test_expect_message ("lodge-state-store", G_LOG_LEVEL_WARNING, "Could not save*");
    lodge_state_store_save_async (store, NULL, lodge_test_store_result_cb, &result);
    lodge_test_wait_result (&result, WAIT_MS);
    g_test_assert_expected_messages ();
    g_assert_false (lodge_state_store_save_finish (store, result, &error));
    g_assert_nonnull (error);
    g_assert_cmpint (lodge_state_store_get_int64 (store, "qemu:///system", uuid, "last-used", 0), ==, 7);
    g_test_expect_message ("lodge-state-store", G_LOG_LEVEL_WARNING, "Could not save*");
    lodge_state_store_set_int64 (store, "qemu:///system", uuid, "last-used", 8);
    /* The last reference may be a finished write's task on its worker:
     * wait until the store is gone (its dispose writes what changed). */
    {
      gpointer gone = store;

      g_object_add_weak_pointer (G_OBJECT (store), &gone);
      g_clear_object (&result);
      g_clear_object (&store);
      g_assert_true (lodge_test_wait_until (pointer_is_null, &gone, WAIT_MS));
    }
    g_test_assert_expected_messages ();
  }
}

/* A session closes once the calls on its connection have ended: libvirt
 * 9.0 crashed when a close ran beside another thread's call on the same
 * connection (over qemu+libssh://). */
static gboolean
n_waiting_is (gpointer data)
{
  return lodge_virt_get_n_waiting () == GPOINTER_TO_UINT (data);
}

static void
test_close_waits_for_calls (void)
{
  g_autoptr(LodgeConnection) connection = open_connection (DEFAULT_URI);
  virConnectPtr conn = lodge_connection_ref_virconnect (connection);

  /* A call under way on a worker: this test says so itself. */
  lodge_virt_call_begin (conn);
  lodge_connection_close (connection);
  g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_DISCONNECTED);
  /* The close waits for it, off the main thread. */
  g_assert_true (lodge_test_wait_until (n_waiting_is, GUINT_TO_POINTER (1), WAIT_MS));
  lodge_virt_call_end (conn);
  g_assert_true (lodge_test_wait_until (n_waiting_is, GUINT_TO_POINTER (0), WAIT_MS));
  virConnectClose (conn);
}

static void
test_reconnect_now_failed (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "later.xml", NULL);
  g_autofree char *uri = test_uri_for (path);
  g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
  g_autoptr(GError) error = NULL;

  g_assert_false (lodge_test_open (connection, &error));
  g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_FAILED);

  /* The "Retry" button once the problem is fixed. */
  g_free (write_node_file ("later.xml",
    "<node><domain type='test'><name>late</name><memory>65536</memory>"
    "<os><type>hvm</type></os></domain></node>"));
  lodge_connection_reconnect_now (connection);
  g_assert_true (lodge_test_wait_connection_state (connection, LODGE_CONNECTION_STATE_CONNECTED,
                                                   WAIT_MS));
  g_assert_null (lodge_connection_get_error (connection));
  g_assert_nonnull (lodge_connection_lookup_machine (connection, "late"));
}

/* Reconnection with the test driver: each connection to a file gets a fresh
 * copy, so after a (simulated) loss the list goes back to the file's
 * contents, and the list must be reconciled in place. A mirror kept only
 * through items-changed (as GTK keeps one) must end up equal to it. */

static void
mirror_items_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         GPtrArray  *mirror)
{
  g_assert_cmpuint (position + removed, <=, mirror->len);
  g_ptr_array_remove_range (mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (mirror, position + i, g_list_model_get_item (model, position + i));
}

static void
count_signal_cb (LodgeConnection *connection,
                 guint           *count)
{
  (*count)++;
}

static gboolean
count_reached (gpointer data)
{
  guint *counts = data;
  return counts[0] >= counts[1];
}

#define RECONCILE_DOMAIN(name, uuid, state) \
  "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>" \
  "<name>" name "</name><uuid>" uuid "</uuid><memory>65536</memory>" \
  "<os><type>hvm</type></os><test:runstate>" state "</test:runstate></domain>"

static void
test_reconcile (void)
{
  g_autofree char *path = write_node_file ("reconcile.xml",
    "<node>"
    RECONCILE_DOMAIN ("a", "aaaaaaaa-0000-4000-8000-000000000001", "1")
    RECONCILE_DOMAIN ("b", "aaaaaaaa-0000-4000-8000-000000000002", "5")
    RECONCILE_DOMAIN ("c", "aaaaaaaa-0000-4000-8000-000000000003", "3")
    RECONCILE_DOMAIN ("d", "aaaaaaaa-0000-4000-8000-000000000004", "5")
    "</node>");
  g_autofree char *uri = test_uri_for (path);
  g_autoptr(LodgeConnection) connection = open_connection (uri);
  g_autoptr(GPtrArray) mirror = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LodgeMachine) a = NULL;
  g_autoptr(LodgeMachine) b = NULL;
  g_autoptr(LodgeMachine) c = NULL;
  g_autoptr(LodgeMachine) d = NULL;
  g_autoptr(LodgeMachine) e = NULL;
  g_autoptr(GError) error = NULL;
  LodgeMachineList *list = lodge_connection_get_machines (connection);
  virConnectPtr conn = lodge_connection_ref_virconnect (connection);
  guint disconnected[2] = { 0, 1 };
  guint reconnected[2] = { 0, 1 };
  virDomainPtr domain;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    g_ptr_array_add (mirror, g_list_model_get_item (G_LIST_MODEL (list), i));
  g_signal_connect (list, "items-changed", G_CALLBACK (mirror_items_changed_cb), mirror);
  g_signal_connect (connection, "disconnected", G_CALLBACK (count_signal_cb), &disconnected[0]);
  g_signal_connect (connection, "reconnected", G_CALLBACK (count_signal_cb), &reconnected[0]);

  a = g_object_ref (lodge_connection_lookup_machine (connection, "a"));
  b = g_object_ref (lodge_connection_lookup_machine (connection, "b"));
  c = g_object_ref (lodge_connection_lookup_machine (connection, "c"));
  d = g_object_ref (lodge_connection_lookup_machine (connection, "d"));
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 2);

  /* Changes that the next copy of the file will not have. */
  domain = virDomainDefineXML (conn, RECONCILE_DOMAIN ("e", "aaaaaaaa-0000-4000-8000-000000000005", "5"));
  g_assert_nonnull (domain);
  virDomainFree (domain);
  e = lodge_test_wait_machine (connection, "e", TRUE, WAIT_MS);
  g_assert_nonnull (e);
  g_object_ref (e);
  domain = virDomainLookupByName (conn, "d");
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  virDomainFree (domain);
  g_assert_null (lodge_test_wait_machine (connection, "d", FALSE, WAIT_MS));
  lodge_test_run_action (b, LODGE_MACHINE_ACTION_START, &error);
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (b, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));
  lodge_test_run_action (a, LODGE_MACHINE_ACTION_PAUSE, &error);
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (a, LODGE_MACHINE_STATE_PAUSED, WAIT_MS));
  virConnectClose (conn);

  /* Lost: the list stays as it was. */
  lodge_connection_simulate_lost (connection);
  g_assert_cmpint (lodge_connection_get_state (connection), ==,
                   LODGE_CONNECTION_STATE_RECONNECTING);
  g_assert_cmpuint (disconnected[0], ==, 1);
  g_assert_null (lodge_connection_ref_virconnect (connection));
  g_assert_true (lodge_connection_lookup_machine (connection, "e") == e);
  g_assert_cmpint (lodge_machine_get_state (b), ==, LODGE_MACHINE_STATE_RUNNING);

  /* Back by itself after the first back-off. */
  g_assert_true (lodge_test_wait_until (count_reached, reconnected, WAIT_MS));
  g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (disconnected[0], ==, 1);

  /* Same objects, states of the fresh copy; e gone, d back (as a new
   * object: it was removed). */
  g_assert_true (lodge_connection_lookup_machine (connection, "a") == a);
  g_assert_true (lodge_connection_lookup_machine (connection, "b") == b);
  g_assert_true (lodge_connection_lookup_machine (connection, "c") == c);
  g_assert_cmpint (lodge_machine_get_state (a), ==, LODGE_MACHINE_STATE_RUNNING);
  g_assert_cmpint (lodge_machine_get_state (b), ==, LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_cmpint (lodge_machine_get_state (c), ==, LODGE_MACHINE_STATE_PAUSED);
  g_assert_null (lodge_connection_lookup_machine (connection, "e"));
  g_assert_null (lodge_machine_get_connection (e));
  g_assert_nonnull (lodge_connection_lookup_machine (connection, "d"));
  g_assert_true (lodge_connection_lookup_machine (connection, "d") != d);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 4);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 2);

  g_assert_cmpuint (mirror->len, ==, g_list_model_get_n_items (G_LIST_MODEL (list)));
  for (guint i = 0; i < mirror->len; i++)
    {
      g_autoptr(LodgeMachine) item = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_assert_true (g_ptr_array_index (mirror, i) == item);
    }

  /* "Retry" skips the wait. */
  lodge_connection_simulate_lost (connection);
  lodge_connection_reconnect_now (connection);
  reconnected[1] = 2;
  g_assert_true (lodge_test_wait_until (count_reached, reconnected, WAIT_MS));
  g_assert_cmpuint (disconnected[0], ==, 2);

  /* Actions work on the reconnected objects. */
  lodge_test_run_action (c, LODGE_MACHINE_ACTION_RESUME, &error);
  g_assert_no_error (error);
  g_assert_true (lodge_test_wait_state (c, LODGE_MACHINE_STATE_RUNNING, WAIT_MS));

  g_signal_handlers_disconnect_by_func (list, mirror_items_changed_cb, mirror);
  g_signal_handlers_disconnect_by_data (connection, &disconnected[0]);
  g_signal_handlers_disconnect_by_data (connection, &reconnected[0]);
}

/* Refusing to log in again after a loss stops the retries until "Retry". */
static void
test_reconnect_auth_cancelled (void)
{
  g_autofree char *path = write_node_file ("auth-again.xml",
    "<node><auth><user password='pw'>bob</user></auth>"
    "<domain type='test'><name>kept</name><uuid>bbbbbbbb-0000-4000-8000-000000000001</uuid>"
    "<memory>65536</memory>"
    "<os><type>hvm</type></os></domain></node>");
  g_autofree char *uri = test_uri_for (path);
  g_autoptr(LodgeConnection) connection = lodge_connection_new (uri);
  g_autoptr(LodgeMachine) kept = NULL;
  g_autoptr(GError) error = NULL;
  AuthAnswer answer = { "bob", "pw" };
  guint reconnected[2] = { 0, 1 };

  g_signal_connect (connection, "authenticate", G_CALLBACK (authenticate_cb), &answer);
  g_signal_connect (connection, "reconnected", G_CALLBACK (count_signal_cb), &reconnected[0]);
  lodge_connection_set_stats_interval (connection, 0);
  g_assert_true (lodge_test_open (connection, &error));
  g_assert_no_error (error);
  kept = g_object_ref (lodge_connection_lookup_machine (connection, "kept"));

  answer.cancel = TRUE;
  lodge_connection_simulate_lost (connection);
  g_assert_true (lodge_test_wait_connection_state (connection, LODGE_CONNECTION_STATE_FAILED,
                                                   WAIT_MS));
  g_assert_error (lodge_connection_get_error (connection), LODGE_MODEL_ERROR,
                  LODGE_MODEL_ERROR_AUTH_CANCELLED);
  g_assert_true (lodge_connection_lookup_machine (connection, "kept") == kept);

  /* No more questions by itself. */
  answer.n_requests = 0;
  lodge_test_spin (2500);
  g_assert_cmpuint (answer.n_requests, ==, 0);
  g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_FAILED);

  answer.cancel = FALSE;
  lodge_connection_reconnect_now (connection);
  g_assert_true (lodge_test_wait_until (count_reached, reconnected, WAIT_MS));
  g_assert_cmpint (lodge_connection_get_state (connection), ==, LODGE_CONNECTION_STATE_CONNECTED);
  g_assert_true (lodge_connection_lookup_machine (connection, "kept") == kept);
  g_assert_true (lodge_machine_get_connection (kept) == connection);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lodge_connection_get_machines (connection))),
                    ==, 1);
  g_signal_handlers_disconnect_by_data (connection, &answer);
  g_signal_handlers_disconnect_by_data (connection, &reconnected[0]);
}

/* The threaded read used for remote hosts gives what the plain one gives,
 * in the same order. */
static void
test_fetch_threads (void)
{
  const char *path = g_getenv ("LODGE_TEST_MACHINES_500");
  g_autofree char *uri = NULL;
  g_autoptr(GPtrArray) one = NULL;
  g_autoptr(GPtrArray) five = NULL;
  virDomainPtr *domains = NULL;
  virConnectPtr conn;
  int n;

  if (path == NULL)
    {
      g_test_skip ("LODGE_TEST_MACHINES_500 not set (run through meson)");
      if (g_strcmp0 (g_getenv ("LODGE_TEST_NO_SKIP"), "1") == 0)
        g_test_fail ();
      return;
    }

  uri = test_uri_for (path);
  conn = virConnectOpen (uri);
  g_assert_nonnull (conn);
  n = virConnectListAllDomains (conn, &domains, 0);
  g_assert_cmpint (n, ==, 500);

  one = lodge_machine_data_fetch_all (domains, n, 1);
  five = lodge_machine_data_fetch_all (domains, n, 5);
  g_assert_cmpuint (one->len, ==, 500);
  g_assert_cmpuint (five->len, ==, 500);
  for (guint i = 0; i < one->len; i++)
    {
      LodgeMachineData *a = g_ptr_array_index (one, i);
      LodgeMachineData *b = g_ptr_array_index (five, i);

      g_assert_cmpstr (a->uuid, ==, b->uuid);
      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpstr (a->title, ==, b->title);
      g_assert_cmpstr (a->os_id, ==, b->os_id);
      g_assert_cmpint (a->state, ==, b->state);
      g_assert_cmpuint (a->memory, ==, b->memory);
    }

  for (int i = 0; i < n; i++)
    virDomainFree (domains[i]);
  free (domains);
  virConnectClose (conn);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  lodge_test_quiet_debug ();
  lodge_connection_init_events ();

  tmpdir = g_dir_make_tmp ("lodge-test-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/connection/open-default", test_open_default);
  g_test_add_func ("/connection/actions", test_actions);
  g_test_add_func ("/connection/libvirt-error", test_libvirt_error);
  g_test_add_func ("/connection/rename", test_rename);
  g_test_add_func ("/connection/two-connections", test_two_connections);
  g_test_add_func ("/connection/define-undefine", test_define_undefine);
  g_test_add_func ("/connection/new-machine-reads-out-of-order", test_new_machine_reads_out_of_order);
  g_test_add_func ("/connection/delete", test_delete);
  g_test_add_func ("/connection/invalid-uri", test_invalid_uri);
  g_test_add_func ("/connection/auth", test_auth);
  g_test_add_func ("/connection/many-500", test_many_500);
  g_test_add_func ("/connection/many-2000", test_many_2000);
  g_test_add_func ("/connection/fetch-threads", test_fetch_threads);
  g_test_add_func ("/connection/stats-interval", test_stats_interval);
  g_test_add_func ("/connection/usage-file", test_usage_file);
  g_test_add_func ("/connection/state-store", test_state_store);
  g_test_add_func ("/connection/close-waits-for-calls", test_close_waits_for_calls);
  g_test_add_func ("/connection/reconnect-now-failed", test_reconnect_now_failed);
  g_test_add_func ("/connection/reconcile", test_reconcile);
  g_test_add_func ("/connection/reconnect-auth-cancelled", test_reconnect_auth_cancelled);

  ret = g_test_run ();

  {
    g_autoptr(GFile) dir = g_file_new_for_path (tmpdir);
    g_autoptr(GFileEnumerator) children = NULL;
    GFileInfo *info;
    g_autofree char *state = g_build_filename (tmpdir, "state", "usage.ini", NULL);
    g_autofree char *state_dir = g_build_filename (tmpdir, "state", NULL);

    g_unlink (state);
    g_rmdir (state_dir);
    children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, 0, NULL, NULL);
    while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)))
      {
        g_autofree char *child = g_build_filename (tmpdir, g_file_info_get_name (info), NULL);
        g_unlink (child);
        g_object_unref (info);
      }
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);

  return ret;
}
