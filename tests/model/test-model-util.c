/* test-model-util.c: the model's pure helpers and its machine list
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-model-util"

#include "config.h"

#include "model/lodge-model-private.h"

static void
test_os_id (void)
{
  static const struct {
    const char *xml;
    const char *id;
  } cases[] = {
    { "<libosinfo:libosinfo xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">"
      "<libosinfo:os id=\"http://debian.org/debian/11\"/></libosinfo:libosinfo>",
      "http://debian.org/debian/11" },
    /* libvirt may give it back with another prefix */
    { "<x:libosinfo xmlns:x=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
      "  <x:os id='http://microsoft.com/win/11'/>\n</x:libosinfo>",
      "http://microsoft.com/win/11" },
    { "<libosinfo><os id=\"http://a&amp;b\"/></libosinfo>", "http://a&b" },
    { "<libosinfo:libosinfo xmlns:libosinfo=\"x\"/>", NULL },
    { "<libosinfo><os/></libosinfo>", NULL },
    { "<libosinfo><os id=\"\"/></libosinfo>", NULL },
    { "<libosinfo><os id=\"broken\"></libosinfo>", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = lodge_parse_libosinfo_os_id (cases[i].xml);
      g_assert_cmpstr (id, ==, cases[i].id);
    }
  g_assert_null (lodge_parse_libosinfo_os_id (NULL));
}

static void
test_disks (void)
{
  const char *xml =
    "<domain type='kvm'>\n"
    "  <name>x</name>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'>\n"
    "      <source file='/var/lib/libvirt/images/a.qcow2'/>\n"
    "      <backingStore type='file'><source file='/base.qcow2'/></backingStore>\n"
    "      <target dev='vda'/>\n"
    "    </disk>\n"
    "    <disk type='file' device='cdrom'>\n"
    "      <source file='/isos/install.iso'/>\n"
    "    </disk>\n"
    "    <disk type='block'>\n"
    "      <source dev='/dev/vg/lv'/>\n"
    "    </disk>\n"
    "    <disk type='volume' device='disk'>\n"
    "      <source pool='default' volume='b.img'/>\n"
    "    </disk>\n"
    "    <disk type='network' device='disk'>\n"
    "      <source protocol='nbd' name='x'/>\n"
    "    </disk>\n"
    "    <disk type='file' device='floppy'><source file='/f.img'/></disk>\n"
    "    <disk type='file' device='cdrom'>\n"
    "      <source file='/var/lib/libvirt/images/lodge/x-unattended.iso'/>\n"
    "    </disk>\n"
    "    <disk type='file' device='disk'/>\n"
    "    <interface type='network'><source network='default'/></interface>\n"
    "  </devices>\n"
    "  <metadata><disk device='disk'><source file='/not/a/device'/></disk></metadata>\n"
    "</domain>\n";
  g_autoptr(GPtrArray) disks = NULL;
  g_autoptr(GError) error = NULL;
  LodgeDiskSource *disk;

  disks = lodge_parse_domain_disks (xml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (disks);
  /* The three disks, and the express-install image (never other CD-ROMs) */
  g_assert_cmpuint (disks->len, ==, 4);

  disk = g_ptr_array_index (disks, 0);
  g_assert_cmpstr (disk->path, ==, "/var/lib/libvirt/images/a.qcow2");
  disk = g_ptr_array_index (disks, 1);
  g_assert_cmpstr (disk->path, ==, "/dev/vg/lv");
  disk = g_ptr_array_index (disks, 2);
  g_assert_null (disk->path);
  g_assert_cmpstr (disk->pool, ==, "default");
  g_assert_cmpstr (disk->volume, ==, "b.img");
  disk = g_ptr_array_index (disks, 3);
  g_assert_cmpstr (disk->path, ==, "/var/lib/libvirt/images/lodge/x-unattended.iso");

  g_clear_pointer (&disks, g_ptr_array_unref);
  disks = lodge_parse_domain_disks ("<domain><devices><disk>", &error);
  g_assert_null (disks);
  g_assert_nonnull (error);
}

static void
test_states (void)
{
  g_assert_cmpint (lodge_machine_state_from_virt (VIR_DOMAIN_RUNNING, 0, FALSE), ==,
                   LODGE_MACHINE_STATE_RUNNING);
  g_assert_cmpint (lodge_machine_state_from_virt (VIR_DOMAIN_PAUSED, 0, FALSE), ==,
                   LODGE_MACHINE_STATE_PAUSED);
  g_assert_cmpint (lodge_machine_state_from_virt (VIR_DOMAIN_SHUTOFF, 0, FALSE), ==,
                   LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_cmpint (lodge_machine_state_from_virt (VIR_DOMAIN_SHUTOFF, 0, TRUE), ==,
                   LODGE_MACHINE_STATE_SAVED);
  g_assert_cmpint (lodge_machine_state_from_virt (VIR_DOMAIN_SHUTOFF,
                                                  VIR_DOMAIN_SHUTOFF_CRASHED, FALSE), ==,
                   LODGE_MACHINE_STATE_CRASHED);
  g_assert_cmpint (lodge_machine_state_from_virt (VIR_DOMAIN_PMSUSPENDED, 0, FALSE), ==,
                   LODGE_MACHINE_STATE_SUSPENDED);
  g_assert_cmpint (lodge_machine_state_from_virt (VIR_DOMAIN_SHUTDOWN, 0, FALSE), ==,
                   LODGE_MACHINE_STATE_SHUTTING_DOWN);
  g_assert_cmpint (lodge_machine_state_from_virt (VIR_DOMAIN_NOSTATE, 0, FALSE), ==,
                   LODGE_MACHINE_STATE_UNKNOWN);
  g_assert_cmpint (lodge_machine_state_from_virt (99, 0, FALSE), ==,
                   LODGE_MACHINE_STATE_UNKNOWN);

  g_assert_cmpstr (lodge_machine_state_to_string (LODGE_MACHINE_STATE_RUNNING), ==, "running");
  g_assert_cmpstr (lodge_machine_state_to_string (LODGE_MACHINE_STATE_SHUT_OFF), ==, "shut-off");
  g_assert_cmpstr (lodge_machine_state_to_string (LODGE_MACHINE_STATE_SAVED), ==, "saved");
  g_assert_cmpstr (lodge_machine_state_to_string (42), ==, "unknown");

  /* Each state's nick is distinct (the UI keys translations on them). */
  for (int a = LODGE_MACHINE_STATE_UNKNOWN; a <= LODGE_MACHINE_STATE_SAVED; a++)
    for (int b = a + 1; b <= LODGE_MACHINE_STATE_SAVED; b++)
      g_assert_cmpstr (lodge_machine_state_to_string (a), !=, lodge_machine_state_to_string (b));

  g_assert_cmpstr (g_quark_to_string (LODGE_MODEL_ERROR), ==, "lodge-model-error-quark");
}

static LodgeMachine *
make_machine (const char        *uuid,
              const char        *name,
              LodgeMachineState  state)
{
  LodgeMachineData data = { 0 };

  data.uuid = (char *)uuid;
  data.name = (char *)name;
  data.state = state;
  data.persistent = TRUE;
  data.vcpus = 2;
  data.memory = 1 << 30;
  return lodge_machine_new (NULL, &data);
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint n_signals;
} ItemsChanged;

static void
items_changed_cb (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *last)
{
  last->position = position;
  last->removed = removed;
  last->added = added;
  last->n_signals++;
}

static void
test_list (void)
{
  g_autoptr(LodgeMachineList) list = lodge_machine_list_new ();
  g_autoptr(GPtrArray) machines = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LodgeMachine) removed = NULL;
  ItemsChanged changed = { 0 };
  char uuid[64];

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &changed);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == LODGE_TYPE_MACHINE);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("m%u", i);

      g_snprintf (uuid, sizeof uuid, "00000000-0000-0000-0000-%012u", i);
      g_ptr_array_add (machines, make_machine (uuid, name,
                                               i % 3 == 0 ? LODGE_MACHINE_STATE_RUNNING
                                                          : LODGE_MACHINE_STATE_SHUT_OFF));
    }
  lodge_machine_list_append (list, machines);

  /* One signal for the whole batch. */
  g_assert_cmpuint (changed.n_signals, ==, 1);
  g_assert_cmpuint (changed.position, ==, 0);
  g_assert_cmpuint (changed.added, ==, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 10);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 4);

  /* Adding a duplicate is refused. */
  {
    g_autoptr(GPtrArray) duplicate = g_ptr_array_new ();

    g_ptr_array_add (duplicate, g_ptr_array_index (machines, 4));
    g_test_expect_message ("lodge-model", G_LOG_LEVEL_WARNING, "*already in the list*");
    lodge_machine_list_append (list, duplicate);
    g_test_assert_expected_messages ();
  }
  g_assert_cmpuint (changed.n_signals, ==, 1);

  removed = lodge_machine_list_remove (list, "00000000-0000-0000-0000-000000000003");
  g_assert_nonnull (removed);
  g_assert_cmpstr (lodge_machine_get_name (removed), ==, "m3");
  g_assert_cmpuint (changed.position, ==, 3);
  g_assert_cmpuint (changed.removed, ==, 1);
  g_assert_cmpuint (changed.added, ==, 0);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 3);
  g_assert_null (lodge_machine_list_remove (list, "00000000-0000-0000-0000-000000000003"));

  /* The index follows the renumbering. */
  for (guint i = 0; i < 10; i++)
    {
      LodgeMachine *machine;

      g_snprintf (uuid, sizeof uuid, "00000000-0000-0000-0000-%012u", i);
      machine = lodge_machine_list_lookup_uuid (list, uuid);
      if (i == 3)
        {
          g_assert_null (machine);
        }
      else
        {
          g_autoptr(LodgeMachine) item =
            g_list_model_get_item (G_LIST_MODEL (list), i < 3 ? i : i - 1);
          g_assert_true (machine == item);
        }
    }

  /* n-running follows state changes of listed machines only. */
  lodge_machine_set_state (g_ptr_array_index (machines, 1), LODGE_MACHINE_STATE_PAUSED);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 4);
  lodge_machine_set_state (removed, LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 4);
  lodge_machine_set_state (g_ptr_array_index (machines, 0), LODGE_MACHINE_STATE_SAVED);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 3);

  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 9));

  lodge_machine_list_clear (list);
  g_assert_cmpuint (changed.removed, ==, 9);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 0);
  lodge_machine_set_state (g_ptr_array_index (machines, 2), LODGE_MACHINE_STATE_RUNNING);
  g_assert_cmpuint (lodge_machine_list_get_n_running (list), ==, 0);
}

static guint notify_count;

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  notify_count++;
}

static void
test_machine_stats (void)
{
  g_autoptr(LodgeMachine) machine =
    make_machine ("11111111-0000-0000-0000-000000000000", "m", LODGE_MACHINE_STATE_RUNNING);
  LodgeMachineSample sample = { 0 };
  LodgeMachineSample read;

  g_signal_connect (machine, "notify::cpu-usage", G_CALLBACK (count_notify_cb), NULL);
  g_assert_false (lodge_machine_get_sample (machine, &read));
  g_assert_cmpfloat (lodge_machine_get_cpu_usage (machine), ==, -1.0);

  sample.timestamp = 1000000;
  sample.cpu_time = 5000000000;
  sample.memory_used = 512 << 20;
  sample.vcpus = 2;
  lodge_machine_apply_sample (machine, &sample);
  /* One sample gives no rate yet. */
  g_assert_cmpfloat (lodge_machine_get_cpu_usage (machine), ==, -1.0);
  g_assert_cmpuint (lodge_machine_get_memory_used (machine), ==, 512 << 20);
  g_assert_true (lodge_machine_get_sample (machine, &read));
  g_assert_cmpuint (read.cpu_time, ==, 5000000000);

  /* 1 s of CPU over 2 s of wall time on 2 vCPUs is 25 %. */
  sample.timestamp += 2000000;
  sample.cpu_time += 1000000000;
  lodge_machine_apply_sample (machine, &sample);
  g_assert_cmpfloat_with_epsilon (lodge_machine_get_cpu_usage (machine), 25.0, 0.001);
  g_assert_cmpuint (notify_count, ==, 1);

  /* Same figures again: no notification. */
  sample.timestamp += 2000000;
  sample.cpu_time += 1000000000;
  lodge_machine_apply_sample (machine, &sample);
  g_assert_cmpuint (notify_count, ==, 1);

  /* Never above 100 %. */
  sample.timestamp += 1000000;
  sample.cpu_time += 10000000000;
  lodge_machine_apply_sample (machine, &sample);
  g_assert_cmpfloat (lodge_machine_get_cpu_usage (machine), ==, 100.0);

  /* Stopping forgets the figures. */
  lodge_machine_set_state (machine, LODGE_MACHINE_STATE_SHUT_OFF);
  g_assert_cmpfloat (lodge_machine_get_cpu_usage (machine), ==, -1.0);
  g_assert_cmpuint (lodge_machine_get_memory_used (machine), ==, 0);
  g_assert_false (lodge_machine_get_sample (machine, &read));
}

static void
test_machine_properties (void)
{
  g_autoptr(LodgeMachine) machine =
    make_machine ("22222222-0000-0000-0000-000000000000", "plain", LODGE_MACHINE_STATE_SHUT_OFF);
  LodgeMachineData data = { 0 };

  notify_count = 0;
  g_signal_connect (machine, "notify::display-name", G_CALLBACK (count_notify_cb), NULL);

  g_assert_cmpstr (lodge_machine_get_display_name (machine), ==, "plain");
  g_assert_true (lodge_machine_can_start (machine) == FALSE); /* no connection */
  g_assert_false (lodge_machine_is_active (machine));

  lodge_machine_set_title (machine, "Nice <name> & “title”");
  g_assert_cmpstr (lodge_machine_get_display_name (machine), ==, "Nice <name> & “title”");
  g_assert_cmpuint (notify_count, ==, 1);
  lodge_machine_set_title (machine, "Nice <name> & “title”");
  g_assert_cmpuint (notify_count, ==, 1);
  lodge_machine_set_title (machine, "");
  g_assert_null (lodge_machine_get_title (machine));
  g_assert_cmpstr (lodge_machine_get_display_name (machine), ==, "plain");
  g_assert_cmpuint (notify_count, ==, 2);

  data.uuid = (char *)"22222222-0000-0000-0000-000000000000";
  data.name = (char *)"renamed";
  data.os_id = (char *)"http://debian.org/debian/11";
  data.state = LODGE_MACHINE_STATE_PAUSED;
  data.vcpus = 4;
  data.memory = 2u << 30;
  data.persistent = FALSE;
  lodge_machine_update (machine, &data);
  g_assert_cmpstr (lodge_machine_get_display_name (machine), ==, "renamed");
  g_assert_cmpuint (notify_count, ==, 3);
  g_assert_cmpstr (lodge_machine_get_os_id (machine), ==, "http://debian.org/debian/11");
  g_assert_cmpint (lodge_machine_get_state (machine), ==, LODGE_MACHINE_STATE_PAUSED);
  g_assert_cmpuint (lodge_machine_get_vcpus (machine), ==, 4);
  g_assert_cmpuint (lodge_machine_get_memory (machine), ==, 2u << 30);
  g_assert_false (lodge_machine_get_persistent (machine));
  g_assert_true (lodge_machine_is_active (machine));
}

/* The one conversion of libvirt's errors: the code mapping, libvirt's own
 * message (with a prefix when asked), and libvirt's error reset. */
static void
test_virt_errors (void)
{
  static const struct {
    int             virt_code;
    LodgeModelError code;
  } cases[] = {
    { VIR_ERR_NO_DOMAIN, LODGE_MODEL_ERROR_NOT_FOUND },
    { VIR_ERR_NO_DOMAIN_SNAPSHOT, LODGE_MODEL_ERROR_NOT_FOUND },
    { VIR_ERR_NO_STORAGE_POOL, LODGE_MODEL_ERROR_NOT_FOUND },
    { VIR_ERR_NO_STORAGE_VOL, LODGE_MODEL_ERROR_NOT_FOUND },
    { VIR_ERR_NO_NETWORK, LODGE_MODEL_ERROR_NOT_FOUND },
    { VIR_ERR_NO_NODE_DEVICE, LODGE_MODEL_ERROR_NOT_FOUND },
    { VIR_ERR_OPERATION_INVALID, LODGE_MODEL_ERROR_INVALID_STATE },
    { VIR_ERR_AUTH_CANCELLED, LODGE_MODEL_ERROR_AUTH_CANCELLED },
    { VIR_ERR_AUTH_FAILED, LODGE_MODEL_ERROR_AUTH_FAILED },
    { VIR_ERR_OPERATION_UNSUPPORTED, LODGE_MODEL_ERROR_NOT_SUPPORTED },
    { VIR_ERR_NO_SUPPORT, LODGE_MODEL_ERROR_NOT_SUPPORTED },
    { VIR_ERR_INVALID_ARG, LODGE_MODEL_ERROR_INVALID_ARGUMENT },
    { VIR_ERR_INTERNAL_ERROR, LODGE_MODEL_ERROR_LIBVIRT },
    { VIR_ERR_OPERATION_FAILED, LODGE_MODEL_ERROR_LIBVIRT },
    { VIR_ERR_XML_ERROR, LODGE_MODEL_ERROR_LIBVIRT },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (lodge_model_error_code_from_virt (cases[i].virt_code), ==, cases[i].code);

  lodge_model_init_libvirt ();

  /* No libvirt error: the fallback, or a sentence of its own. */
  virResetLastError ();
  lodge_model_set_error_from_virt (&error, "Nothing to say");
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Nothing to say");
  g_clear_error (&error);
  lodge_model_set_error_from_virt (&error, NULL);
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED);
  g_clear_error (&error);

  /* A call that fails without any daemon: an invalid domain pointer. */
  g_assert_cmpint (virDomainFree (NULL), <, 0);
  g_assert_nonnull (virGetLastError ());
  message = g_strdup (virGetLastErrorMessage ());
  lodge_model_set_error_from_virt (&error, "unused");
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT);
  g_assert_cmpstr (error->message, ==, message);
  /* Reset: the next failure does not report this one. */
  g_assert_null (virGetLastError ());
  g_clear_error (&error);

  g_assert_cmpint (virDomainFree (NULL), <, 0);
  lodge_model_set_error_from_virt_prefixed (&error, "Could not do it");
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT);
  g_assert_true (g_str_has_prefix (error->message, "Could not do it: "));
  g_assert_true (g_str_has_suffix (error->message, message));
  g_assert_null (virGetLastError ());
  g_clear_error (&error);

  lodge_model_set_error_from_virt_prefixed (&error, "Could not do it");
  g_assert_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Could not do it");
}

static void
test_connection_names (void)
{
  static const struct {
    const char *uri;
    const char *hostname;
  } cases[] = {
    { "qemu:///system", NULL },
    { "qemu:///session", NULL },
    { "test:///default", NULL },
    { "qemu+ssh://root@example.org/system", "example.org" },
    { "qemu+tls://host.example.com:16514/system?no_verify=1", "host.example.com" },
    { "qemu+ssh://[2001:db8::1]/system", "2001:db8::1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LodgeConnection) connection = lodge_connection_new (cases[i].uri);

      g_assert_cmpstr (lodge_connection_get_uri (connection), ==, cases[i].uri);
      g_assert_cmpstr (lodge_connection_get_hostname (connection), ==, cases[i].hostname);
      g_assert_cmpint (lodge_connection_get_state (connection), ==,
                       LODGE_CONNECTION_STATE_DISCONNECTED);
      g_assert_null (lodge_connection_get_error (connection));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lodge_connection_get_machines (connection))),
                        ==, 0);
    }

  g_assert_true (g_str_has_prefix (lodge_connection_default_uri (), "qemu:///"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/util/os-id", test_os_id);
  g_test_add_func ("/model/util/disks", test_disks);
  g_test_add_func ("/model/util/states", test_states);
  g_test_add_func ("/model/util/virt-errors", test_virt_errors);
  g_test_add_func ("/model/list", test_list);
  g_test_add_func ("/model/machine/stats", test_machine_stats);
  g_test_add_func ("/model/machine/properties", test_machine_properties);
  g_test_add_func ("/model/connection/names", test_connection_names);

  return g_test_run ();
}
