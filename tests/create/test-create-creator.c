/* test-create-creator.c: the creation transaction against libvirt's test driver
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-create-creator"

#include "config.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "create/lodge-create.h"
#include "model/lodge-model.h"
#include "lodge-create-test.h"
#include "lodge-test.h"

#define GiB (G_GUINT64_CONSTANT (1) << 30)

static LodgeHost       *lodge_host;
static LodgeConnection *connection;   /* lodge_host's */
static virConnectPtr    raw;      /* the same in-memory driver state */

static void
quiet_libvirt_error_cb (void        *data,
                        virErrorPtr  error)
{
}

static LodgeMachineSpec *
make_spec (const char *name)
{
  LodgeMachineSpec *spec = lodge_machine_spec_new ();
  g_autoptr(LodgeHostInfo) host = lodge_host_info_new ();

  host->acceleration = LODGE_ACCELERATION_QEMU;
  lodge_machine_spec_apply_os (spec, lodge_os_database_lookup (lodge_create_test_get_db (), "fedora37"),
                               host);
  lodge_machine_spec_set_name (spec, name);
  lodge_machine_spec_set_cdrom_path (spec, "/isos/Fedora-Server-dvd-x86_64-37-1.7.iso");
  lodge_machine_spec_set_disk_size (spec, 10 * GiB);
  return spec;
}

typedef struct
{
  GArray *stages;
  double  last_progress;
  gboolean progress_went_back;
} Observed;

static void
observe_stage_cb (LodgeMachineCreator *creator,
                  GParamSpec          *pspec,
                  Observed            *observed)
{
  LodgeCreateStage stage = lodge_machine_creator_get_stage (creator);

  g_array_append_val (observed->stages, stage);
}

static void
observe_progress_cb (LodgeMachineCreator *creator,
                     GParamSpec          *pspec,
                     Observed            *observed)
{
  double progress = lodge_machine_creator_get_progress (creator);

  if (progress < observed->last_progress)
    observed->progress_went_back = TRUE;
  observed->last_progress = progress;
}

static char *
run_creator (LodgeMachineSpec     *spec,
             GCancellable         *cancellable,
             Observed             *observed,
             GError              **error)
{
  g_autoptr(LodgeMachineCreator) creator = lodge_machine_creator_new (connection, spec);
  g_autoptr(GAsyncResult) result = NULL;

  if (observed != NULL)
    {
      g_signal_connect (creator, "notify::stage", G_CALLBACK (observe_stage_cb), observed);
      g_signal_connect (creator, "notify::progress", G_CALLBACK (observe_progress_cb), observed);
    }

  lodge_machine_creator_run_async (creator, cancellable, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  return lodge_machine_creator_run_finish (creator, result, error);
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

static gboolean
domain_exists (const char *name)
{
  virDomainPtr dom = virDomainLookupByName (raw, name);

  if (dom == NULL)
    return FALSE;
  virDomainFree (dom);
  return TRUE;
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
test_create (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec ("lodge-test-create-a");
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  Observed observed = { g_array_new (FALSE, FALSE, sizeof (LodgeCreateStage)), 0.0, FALSE };
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  virStorageVolInfo info;
  virDomainPtr dom;
  char dom_uuid[VIR_UUID_STRING_BUFLEN];
  g_autofree char *xml = NULL;
  gboolean seen_disk = FALSE, seen_define = FALSE, seen_start = FALSE;

  uuid = run_creator (spec, NULL, &observed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uuid);

  /* Lodge's pool exists and runs, with a thin qcow2 of the asked size. */
  pool = virStoragePoolLookupByName (raw, LODGE_POOL_NAME);
  g_assert_nonnull (pool);
  g_assert_cmpint (virStoragePoolIsActive (pool), ==, 1);
  vol = virStorageVolLookupByName (pool, "lodge-test-create-a.qcow2");
  g_assert_nonnull (vol);
  g_assert_cmpint (virStorageVolGetInfo (vol, &info), ==, 0);
  g_assert_cmpuint (info.capacity, ==, 10 * GiB);
  virStorageVolFree (vol);
  virStoragePoolFree (pool);

  /* Defined, persistent, running, with the volume and the ISO. */
  dom = virDomainLookupByName (raw, "lodge-test-create-a");
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainIsActive (dom), ==, 1);
  g_assert_cmpint (virDomainIsPersistent (dom), ==, 1);
  g_assert_cmpint (virDomainGetUUIDString (dom, dom_uuid), ==, 0);
  g_assert_cmpstr (dom_uuid, ==, uuid);
  xml = virDomainGetXMLDesc (dom, 0);
  g_assert_nonnull (strstr (xml, "lodge/lodge-test-create-a.qcow2"));
  g_assert_nonnull (strstr (xml, "Fedora-Server-dvd-x86_64-37-1.7.iso"));
  g_assert_nonnull (strstr (xml, "http://fedoraproject.org/fedora/37"));
  virDomainFree (dom);

  /* Stages in order, progress never going back. */
  for (guint i = 0; i < observed.stages->len; i++)
    {
      LodgeCreateStage s = g_array_index (observed.stages, LodgeCreateStage, i);

      g_assert_cmpint (s, !=, LODGE_CREATE_STAGE_FAILED);
      g_assert_cmpint (s, !=, LODGE_CREATE_STAGE_CLEANING_UP);
      seen_disk |= s == LODGE_CREATE_STAGE_CREATING_DISK;
      seen_define |= s == LODGE_CREATE_STAGE_DEFINING;
      seen_start |= s == LODGE_CREATE_STAGE_STARTING;
    }
  g_assert_true (seen_disk && seen_define && seen_start);
  g_assert_cmpint (g_array_index (observed.stages, LodgeCreateStage, observed.stages->len - 1),
                   ==, LODGE_CREATE_STAGE_DONE);
  g_assert_false (observed.progress_went_back);
  g_assert_cmpfloat (observed.last_progress, ==, 1.0);
  g_array_unref (observed.stages);

  /* A second machine with the same name is refused, and leaves nothing. */
  {
    g_autoptr(LodgeMachineSpec) again = make_spec ("lodge-test-create-a");
    g_autofree char *none = NULL;
    int before = count_lodge_volumes ();

    none = run_creator (again, NULL, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NAME_TAKEN);
    g_assert_cmpint (count_lodge_volumes (), ==, before);
    g_clear_error (&error);
  }

  /* The model sees it (through libvirt's events). */
  {
    gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (lodge_connection_lookup_machine (connection, "lodge-test-create-a") == NULL &&
           g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
    g_assert_nonnull (lodge_connection_lookup_machine (connection, "lodge-test-create-a"));
  }

  remove_domain_and_disk ("lodge-test-create-a");
}

static void
test_names (void)
{
  const char *bad[] = { "", "  ", "a/b", "tab\tname", "line\nname", NULL };
  int before = count_lodge_volumes ();

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(LodgeMachineSpec) spec = make_spec (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *uuid = run_creator (spec, NULL, NULL, &error);

      g_assert_null (uuid);
      g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME);
    }

  /* "test" is the test driver's own machine. */
  {
    g_autoptr(LodgeMachineSpec) spec = make_spec ("test");
    g_autoptr(GError) error = NULL;
    g_autofree char *uuid = run_creator (spec, NULL, NULL, &error);

    g_assert_null (uuid);
    g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NAME_TAKEN);
    g_assert_nonnull (strstr (error->message, "test"));
  }

  g_assert_cmpint (count_lodge_volumes (), ==, before);

  /* Suggestions: "test" is taken, so test-2; slashes go. */
  {
    const char *bases[] = { "test", "fedora/37", "lodge-test-create-fresh" };
    const char *expected[] = { "test-2", "fedora-37", "lodge-test-create-fresh" };

    for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
      {
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *name = NULL;

        lodge_machine_creator_suggest_name_async (connection, bases[i], NULL,
                                                  lodge_create_test_store_cb, &result);
        lodge_create_test_wait (&result, 30);
        name = lodge_machine_creator_suggest_name_finish (result, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (name, ==, expected[i]);
      }
  }

  /* The review step's check. */
  {
    const char *names[] = { "test", "a/b", "", "lodge-test-create-free" };
    int codes[] = { LODGE_CREATE_ERROR_NAME_TAKEN, LODGE_CREATE_ERROR_INVALID_NAME,
                    LODGE_CREATE_ERROR_INVALID_NAME, -1 };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(GError) error = NULL;
        gboolean ok;

        lodge_machine_creator_check_name_async (connection, names[i], NULL,
                                                lodge_create_test_store_cb, &result);
        lodge_create_test_wait (&result, 30);
        ok = lodge_machine_creator_check_name_finish (result, &error);
        if (codes[i] < 0)
          {
            g_assert_no_error (error);
            g_assert_true (ok);
          }
        else
          {
            g_assert_false (ok);
            g_assert_error (error, LODGE_CREATE_ERROR, codes[i]);
          }
      }
  }
}

static void
test_no_space (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec ("lodge-test-create-big");
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  int before = count_lodge_volumes ();

  /* The test driver's pools have 100 GiB free. */
  lodge_machine_spec_set_disk_size (spec, 4096 * GiB);
  uuid = run_creator (spec, NULL, NULL, &error);
  g_assert_null (uuid);
  g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NO_SPACE);
  g_assert_cmpint (count_lodge_volumes (), ==, before);
  g_assert_false (domain_exists ("lodge-test-create-big"));
}

/* libvirt refuses the definition after the volume was made: the volume goes. */
static void
test_failure_midway (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec ("lodge-test-create-midway");
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  Observed observed = { g_array_new (FALSE, FALSE, sizeof (LodgeCreateStage)), 0.0, FALSE };
  int before = count_lodge_volumes ();
  gboolean seen_disk = FALSE;

  g_object_set (spec, "arch", "lodge-bogus-arch", NULL);
  uuid = run_creator (spec, NULL, &observed, &error);
  g_assert_null (uuid);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT);
  g_assert_cmpint (count_lodge_volumes (), ==, before);
  g_assert_false (domain_exists ("lodge-test-create-midway"));

  for (guint i = 0; i < observed.stages->len; i++)
    seen_disk |= g_array_index (observed.stages, LodgeCreateStage, i) == LODGE_CREATE_STAGE_CREATING_DISK;
  g_assert_true (seen_disk);
  g_assert_cmpint (g_array_index (observed.stages, LodgeCreateStage, observed.stages->len - 1),
                   ==, LODGE_CREATE_STAGE_FAILED);
  g_array_unref (observed.stages);
}

static void
cancel_on_disk_cb (LodgeMachineCreator *creator,
                   GParamSpec          *pspec,
                   GCancellable        *cancellable)
{
  if (lodge_machine_creator_get_stage (creator) == LODGE_CREATE_STAGE_CREATING_DISK)
    g_cancellable_cancel (cancellable);
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int before = count_lodge_volumes ();

  /* Cancelled before it starts: nothing at all. */
  {
    g_autoptr(LodgeMachineSpec) spec = make_spec ("lodge-test-create-cancel");
    g_autoptr(GError) error = NULL;
    g_autofree char *uuid = NULL;

    g_cancellable_cancel (cancellable);
    uuid = run_creator (spec, cancellable, NULL, &error);
    g_assert_null (uuid);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpint (count_lodge_volumes (), ==, before);
    g_assert_false (domain_exists ("lodge-test-create-cancel"));
  }

  /* Cancelled while the disk is made: either it was too late (a machine)
   * or nothing is left. */
  {
    g_autoptr(LodgeMachineSpec) spec = make_spec ("lodge-test-create-cancel");
    g_autoptr(LodgeMachineCreator) creator = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *uuid = NULL;

    g_cancellable_reset (cancellable);
    creator = lodge_machine_creator_new (connection, spec);
    g_signal_connect (creator, "notify::stage", G_CALLBACK (cancel_on_disk_cb), cancellable);
    lodge_machine_creator_run_async (creator, cancellable, lodge_create_test_store_cb, &result);
    lodge_create_test_wait (&result, 60);
    uuid = lodge_machine_creator_run_finish (creator, result, &error);
    if (uuid == NULL)
      {
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        g_assert_cmpint (count_lodge_volumes (), ==, before);
        g_assert_false (domain_exists ("lodge-test-create-cancel"));
        g_assert_null (lodge_machine_creator_get_volume_path (creator));
      }
    else
      {
        g_assert_true (domain_exists ("lodge-test-create-cancel"));
        remove_domain_and_disk ("lodge-test-create-cancel");
      }
  }
}

static void
overlay_removed_cb (LodgeThrowawayWatcher *watcher,
                    const char            *uuid,
                    const char            *path,
                    const GError          *error,
                    char                 **removed)
{
  g_assert_no_error ((GError *)error);
  *removed = g_strdup (uuid);
}

static gboolean
string_set (gpointer data)
{
  return *(char **)data != NULL;
}

static void
test_throwaway (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec ("lodge-test-create-throwaway");
  g_autoptr(LodgeMachineCreator) creator = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *path = NULL;
  LodgeThrowawayWatcher *watcher;
  virDomainPtr dom;
  int before = count_lodge_volumes ();

  watcher = lodge_host_get_throwaway_watcher (lodge_host);
  g_assert_true (watcher == lodge_host_get_throwaway_watcher (lodge_host));
  g_signal_connect (watcher, "overlay-removed", G_CALLBACK (overlay_removed_cb), &removed);

  lodge_machine_spec_set_throwaway (spec, TRUE);
  creator = lodge_machine_creator_new (connection, spec);
  lodge_machine_creator_run_async (creator, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  uuid = lodge_machine_creator_run_finish (creator, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uuid);
  path = g_strdup (lodge_machine_creator_get_volume_path (creator));
  g_assert_nonnull (path);
  g_assert_nonnull (strstr (path, uuid));

  /* A transient, running domain; its overlay in Lodge's pool. */
  dom = virDomainLookupByUUIDString (raw, uuid);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainIsActive (dom), ==, 1);
  g_assert_cmpint (virDomainIsPersistent (dom), ==, 0);
  g_assert_cmpint (count_lodge_volumes (), ==, before + 1);
  g_assert_cmpuint (lodge_throwaway_watcher_get_n_watched (watcher), >=, 1);

  /* Force it off: the overlay goes. */
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);
  g_assert_true (lodge_create_test_wait_until (string_set, &removed, 30));
  g_assert_cmpstr (removed, ==, uuid);
  g_assert_cmpint (count_lodge_volumes (), ==, before);
  {
    virStorageVolPtr vol = virStorageVolLookupByPath (raw, path);

    g_assert_null (vol);
  }
  g_signal_handlers_disconnect_by_func (watcher, overlay_removed_cb, &removed);
}

/* An overlay being made (its uuid held) is not an orphan, even though no
 * domain exists yet; once released it is. */
static void
test_throwaway_held (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name = g_strdup_printf ("%s%s.qcow2", LODGE_THROWAWAY_PREFIX, uuid);
  g_autofree char *xml = NULL;
  g_autofree char *removed = NULL;
  LodgeThrowawayWatcher *watcher = lodge_host_get_throwaway_watcher (lodge_host);
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  char *path;
  int before;

  /* Lodge's pool exists after the earlier creations. */
  pool = virStoragePoolLookupByName (raw, LODGE_POOL_NAME);
  g_assert_nonnull (pool);
  before = count_lodge_volumes ();
  xml = g_strdup_printf ("<volume><name>%s</name><capacity>1048576</capacity>"
                         "<target><format type='qcow2'/></target></volume>", name);
  lodge_throwaway_watcher_hold (watcher, uuid);
  vol = virStorageVolCreateXML (pool, xml, 0);
  g_assert_nonnull (vol);
  path = virStorageVolGetPath (vol);
  virStorageVolFree (vol);
  g_signal_connect (watcher, "overlay-removed", G_CALLBACK (overlay_removed_cb), &removed);

  /* What a sweep does with every overlay it finds: held, it stays. */
  lodge_throwaway_watcher_watch (watcher, uuid, path);
  g_assert_false (lodge_create_test_wait_until (string_set, &removed, 2));
  g_assert_cmpint (count_lodge_volumes (), ==, before + 1);

  /* Released with no domain behind it: an orphan, removed. */
  lodge_throwaway_watcher_release (watcher, uuid);
  lodge_throwaway_watcher_watch (watcher, uuid, path);
  g_assert_true (lodge_create_test_wait_until (string_set, &removed, 30));
  g_assert_cmpstr (removed, ==, uuid);
  g_assert_cmpint (count_lodge_volumes (), ==, before);

  g_signal_handlers_disconnect_by_func (watcher, overlay_removed_cb, &removed);
  free (path);
  virStoragePoolFree (pool);
}

static void
test_host_info (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeHostInfo) host = NULL;

  /* The test environment sets LODGE_FORCE_EMULATION=1. */
  lodge_host_info_query_async (lodge_host, FALSE, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 30);
  host = lodge_host_info_query_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (host);
  g_assert_cmpuint (host->memory, >, 0);
  g_assert_cmpuint (host->cpus, >, 0);
  g_assert_cmpint (host->acceleration, ==, LODGE_ACCELERATION_QEMU);
  g_assert_cmpint (host->acceleration_reason, ==, LODGE_ACCELERATION_REASON_FORCED);
  g_assert_nonnull (lodge_acceleration_reason_to_string (host->acceleration_reason));
  g_assert_cmpstr (host->arch, ==, "x86_64");
  g_assert_cmpstr (host->machine, ==, "q35");
  g_assert_false (host->session);
  /* The test driver has no domain capabilities: no firmware is known. */
  g_assert_false (host->uefi);
}

static void
test_express_refused (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec ("lodge-test-create-express");
  LodgeExpressScript script = { (char *)"# kickstart", (char *)"fedora.ks", (char *)"jeos",
                                LODGE_EXPRESS_INJECTION_CDROM, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  int before = count_lodge_volumes ();

  /* A throwaway machine is never installed. */
  lodge_machine_spec_set_express_script (spec, &script);
  lodge_machine_spec_set_throwaway (spec, TRUE);
  uuid = run_creator (spec, NULL, NULL, &error);
  g_assert_null (uuid);
  g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG);
  g_assert_cmpint (count_lodge_volumes (), ==, before);
  g_assert_false (domain_exists ("lodge-test-create-express"));
}

/* Importing needs files of this computer: the test driver has none. */
static void
test_import_refused (void)
{
  g_autoptr(LodgeMachineSpec) spec = make_spec ("lodge-test-create-import");
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  int before = count_lodge_volumes ();

  lodge_machine_spec_set_import_path (spec, "/images/old.vmdk");
  lodge_machine_spec_set_import_format (spec, LODGE_DISK_FORMAT_VMDK);
  uuid = run_creator (spec, NULL, NULL, &error);
  g_assert_null (uuid);
  g_assert_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG);
  g_assert_cmpint (count_lodge_volumes (), ==, before);
  g_assert_false (domain_exists ("lodge-test-create-import"));
}

static void
pending_finished_cb (LodgePendingCleanup *pending,
                     guint                n_pending,
                     int                 *last)
{
  *last = (int)n_pending;
}

static gboolean
int_is_set (gpointer data)
{
  return *(int *)data >= 0;
}

/* What a creation could not remove (the daemon was away) is on record; a
 * later session (a new host of the URI) removes it when it connects, then
 * forgets it. */
static void
test_pending_cleanup (void)
{
  g_autoptr(LodgeHost) later = lodge_host_new ("test:///default", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) domains = NULL;
  g_auto(GStrv) volumes = NULL;
  const char *uuid = "5f8c2a8e-0d3b-4c55-9a57-0b5e5f4e0a11";
  const char *listed_domains[] = { uuid, "0b0b0b0b-0000-4000-8000-000000000000", NULL };
  const char *listed_volumes[] = { "default-pool/lodge-pending.img", "default-pool/never-made.img",
                                   "missing-pool/x.img", NULL };
  g_autofree char *dom_xml = g_strdup_printf ("<domain type='test'><name>lodge-pending</name>"
                                              "<uuid>%s</uuid><memory>65536</memory>"
                                              "<os><type>hvm</type></os></domain>", uuid);
  virStoragePoolPtr pool = virStoragePoolLookupByName (raw, "default-pool");
  virStorageVolPtr vol;
  virDomainPtr dom;
  LodgePendingCleanup *pending;
  int last = -1;

  g_assert_nonnull (pool);
  vol = virStorageVolCreateXML (pool, "<volume><name>lodge-pending.img</name>"
                                      "<capacity>1048576</capacity></volume>", 0);
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  dom = virDomainDefineXML (raw, dom_xml);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainCreate (dom), ==, 0);
  virDomainFree (dom);

  g_assert_true (lodge_pending_cleanup_record ("test:///default", listed_domains, listed_volumes, &error));
  g_assert_no_error (error);
  /* Twice is once. */
  g_assert_true (lodge_pending_cleanup_record ("test:///default", listed_domains, NULL, &error));
  lodge_pending_cleanup_list ("test:///default", &domains, &volumes);
  g_assert_cmpuint (g_strv_length (domains), ==, 2);
  g_assert_cmpuint (g_strv_length (volumes), ==, 3);
  g_clear_pointer (&domains, g_strfreev);
  g_clear_pointer (&volumes, g_strfreev);

  /* The host runs the record when it connects. */
  pending = lodge_host_get_pending_cleanup (later);
  g_signal_connect (pending, "finished", G_CALLBACK (pending_finished_cb), &last);
  lodge_host_connect_async (later, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 30);
  g_assert_true (lodge_host_connect_finish (later, result, &error));
  g_assert_no_error (error);
  g_assert_true (lodge_create_test_wait_until (int_is_set, &last, 30));
  g_assert_cmpint (last, ==, 0);
  g_assert_cmpuint (lodge_pending_cleanup_get_n_pending (pending), ==, 0);

  dom = virDomainLookupByUUIDString (raw, uuid);
  g_assert_null (dom);
  vol = virStorageVolLookupByName (pool, "lodge-pending.img");
  g_assert_null (vol);
  virResetLastError ();
  virStoragePoolFree (pool);

  lodge_pending_cleanup_list ("test:///default", &domains, &volumes);
  g_assert_cmpuint (g_strv_length (domains), ==, 0);
  g_assert_cmpuint (g_strv_length (volumes), ==, 0);
  lodge_host_disconnect (later);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, quiet_libvirt_error_cb);

  lodge_connection_init_events ();
  lodge_host = lodge_host_new ("test:///default", &error);
  g_assert_no_error (error);
  connection = lodge_host_get_connection (lodge_host);
  lodge_connection_open_async (connection, NULL, lodge_create_test_store_cb, &result);
  lodge_create_test_wait (&result, 60);
  if (!lodge_connection_open_finish (connection, result, &error))
    g_error ("Could not open test:///default: %s", error->message);

  raw = virConnectOpen ("test:///default");
  g_assert_nonnull (raw);
  lodge_create_test_get_db ();

  g_test_add_func ("/create/creator/host-info", test_host_info);
  g_test_add_func ("/create/creator/create", test_create);
  g_test_add_func ("/create/creator/names", test_names);
  g_test_add_func ("/create/creator/no-space", test_no_space);
  g_test_add_func ("/create/creator/failure-midway", test_failure_midway);
  g_test_add_func ("/create/creator/cancel", test_cancel);
  g_test_add_func ("/create/creator/throwaway", test_throwaway);
  g_test_add_func ("/create/creator/throwaway-held", test_throwaway_held);
  g_test_add_func ("/create/creator/import-refused", test_import_refused);
  g_test_add_func ("/create/creator/express-refused", test_express_refused);
  g_test_add_func ("/create/creator/pending-cleanup", test_pending_cleanup);

  return g_test_run ();
}
