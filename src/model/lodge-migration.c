/* lodge-migration.c: moves a machine to another host, live when it runs
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The migration itself is libvirt's (virDomainMigrate3, or
 * virDomainMigrateToURI3 peer to peer). Around it Lodge checks what libvirt
 * would refuse late or not at all, watches the job from a second worker,
 * aborts it when asked or when the destination goes away, and afterwards
 * makes sure nothing of a failed migration is left on the destination.
 */
#define G_LOG_DOMAIN "lodge-migration"

#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "model/lodge-details-private.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-migration.h"
#include "model/lodge-model-private.h"

/* How often the job statistics are read while migrating. */
#define POLL_INTERVAL_MS 500
/* How long libvirt may take to remove the destination's half of a failed
 * migration before Lodge removes it. */
#define DESTINATION_CLEANUP_WAIT_MS 30000
#define TRANSIENT_POOL_PREFIX "lodge-migration-"

/* The options, copied for the workers. */
typedef struct
{
  gboolean               live;
  LodgeMigrationStorage  storage;
  gboolean               peer_to_peer;
  char                  *peer_uri;
  gboolean               keep_source;
  guint64                bandwidth;
  gboolean               auto_converge;
  gboolean               compressed;
  gboolean               post_copy;
  guint64                max_downtime;
  char                  *migrate_uri;
  char                  *listen_address;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->peer_uri, g_free);
  g_clear_pointer (&options->migrate_uri, g_free);
  g_clear_pointer (&options->listen_address, g_free);
}

static void
options_copy (Options       *to,
              const Options *from)
{
  *to = *from;
  to->peer_uri = g_strdup (from->peer_uri);
  to->migrate_uri = g_strdup (from->migrate_uri);
  to->listen_address = g_strdup (from->listen_address);
}

typedef struct
{
  LodgeMigrationPhase phase;
  guint64 memory_processed;
  guint64 memory_remaining;
  guint64 memory_total;
  guint64 disk_processed;
  guint64 disk_remaining;
  guint64 disk_total;
  guint64 rate;
  guint64 dirty_rate;
  guint64 expected_downtime;
  guint64 downtime;
  guint64 elapsed;
} Progress;

/* Shared by the main thread, the migrating worker and its poller. */
typedef struct
{
  gatomicrefcount  ref_count;

  /* Set on the main thread before the workers start, then read-only. */
  virConnectPtr    src;
  virConnectPtr    dst;
  char            *uuid;
  char            *display_name;
  char            *src_label;   /* host names for messages */
  char            *dst_label;
  Options          options;
  GMainContext    *context;
  GWeakRef         self;

  /* Worker only. */
  virDomainPtr     dom;
  GPtrArray       *created_paths;  /* disks to be made on the destination (by libvirt, or
                                    * streamed by Lodge for a machine that is off) */

  GMutex           lock;
  GCond            cond;
  gboolean         finished;       /* the migrate call has returned */
  gboolean         cancel_requested;
  gboolean         wake;           /* the poller acts now, not at its next tick */
  gboolean         abort_sent;
  gboolean         destination_lost;
  gboolean         job_seen;
  gboolean         post_copy_started;
  gboolean         source_gone;    /* done, and the source has no definition left */
  Progress         progress;       /* latest, then final */
  gulong           cancel_handler;
  GCancellable    *cancellable;
} Job;

static Job *
job_ref (Job *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
job_unref (Job *job)
{
  if (!g_atomic_ref_count_dec (&job->ref_count))
    return;

  /* The workers close the connections; these are left over only when no
   * worker ran, and then no call is in flight on them. */
  g_clear_pointer (&job->dom, virDomainFree);
  g_clear_pointer (&job->src, virConnectClose);
  g_clear_pointer (&job->dst, virConnectClose);
  g_free (job->uuid);
  g_free (job->display_name);
  g_free (job->src_label);
  g_free (job->dst_label);
  options_clear (&job->options);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_weak_ref_clear (&job->self);
  g_clear_pointer (&job->created_paths, g_ptr_array_unref);
  g_clear_object (&job->cancellable);
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_unref)

struct _LodgeMigration
{
  GObject parent_instance;

  LodgeMachine    *machine;
  LodgeConnection *destination;
  Options          options;

  gboolean         started;
  gboolean         completed;
  Job             *job;         /* while running */
  Progress         progress;
};

G_DEFINE_FINAL_TYPE (LodgeMigration, lodge_migration, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_DESTINATION,
  PROP_LIVE,
  PROP_STORAGE,
  PROP_PEER_TO_PEER,
  PROP_PEER_URI,
  PROP_KEEP_SOURCE,
  PROP_BANDWIDTH,
  PROP_AUTO_CONVERGE,
  PROP_COMPRESSED,
  PROP_POST_COPY,
  PROP_MAX_DOWNTIME,
  PROP_MIGRATE_URI,
  PROP_LISTEN_ADDRESS,
  PROP_PHASE,
  PROP_MEMORY_PROCESSED,
  PROP_MEMORY_REMAINING,
  PROP_MEMORY_TOTAL,
  PROP_DISK_PROCESSED,
  PROP_DISK_REMAINING,
  PROP_DISK_TOTAL,
  PROP_RATE,
  PROP_DIRTY_RATE,
  PROP_EXPECTED_DOWNTIME,
  PROP_DOWNTIME,
  PROP_ELAPSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------ errors -- */

/* libvirt's last error on this thread, taken (and reset). */
static char *
take_virt_error (int *code)
{
  virErrorPtr err = virGetLastError ();
  char *message;

  if (code != NULL)
    *code = err ? err->code : VIR_ERR_OK;
  message = g_strdup (err && err->message ? err->message : _("Unknown error"));
  virResetLastError ();
  return message;
}

/* Problems found by the checks, all reported at once. */
typedef struct
{
  GString         *text;
  LodgeModelError  code;
} Problems;

static void G_GNUC_PRINTF (3, 4)
problems_add (Problems        *problems,
              LodgeModelError  code,
              const char      *format,
              ...)
{
  va_list args;

  if (problems->text == NULL)
    {
      problems->text = g_string_new (NULL);
      problems->code = code;
    }
  else
    g_string_append_c (problems->text, '\n');

  va_start (args, format);
  g_string_append_vprintf (problems->text, format, args);
  va_end (args);
}

static gboolean
problems_report (Problems  *problems,
                 GError   **error)
{
  if (problems->text == NULL)
    return TRUE;
  g_set_error_literal (error, LODGE_MODEL_ERROR, problems->code, problems->text->str);
  g_string_free (problems->text, TRUE);
  problems->text = NULL;
  return FALSE;
}

/* -------------------------------------------------- what is migrated -- */

typedef enum
{
  DISK_FILE,
  DISK_BLOCK,
  DISK_VOLUME,
  DISK_OTHER,   /* network, nvme ...: reached by both hosts on their own */
} DiskKind;

typedef struct
{
  char     *target;
  char     *device;     /* disk, cdrom, floppy, lun */
  DiskKind  kind;
  char     *path;       /* file or block */
  char     *pool;       /* volume */
  char     *volume;
  gboolean  readonly;
  gboolean  shareable;
} Disk;

static void
disk_free (Disk *disk)
{
  g_free (disk->target);
  g_free (disk->device);
  g_free (disk->path);
  g_free (disk->pool);
  g_free (disk->volume);
  g_free (disk);
}

typedef struct
{
  char      *virt_type;   /* qemu (TCG), kvm ... */
  char      *arch;
  char      *machine;
  char      *emulator;
  char      *cpu_mode;    /* custom, host-model, host-passthrough, maximum; NULL: no <cpu> */
  char      *cpu_model;
  char      *cpu_xml;
  GPtrArray *disks;
} Facts;

static void
facts_free (Facts *facts)
{
  g_free (facts->virt_type);
  g_free (facts->arch);
  g_free (facts->machine);
  g_free (facts->emulator);
  g_free (facts->cpu_mode);
  g_free (facts->cpu_model);
  g_free (facts->cpu_xml);
  g_clear_pointer (&facts->disks, g_ptr_array_unref);
  g_free (facts);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Facts, facts_free)

static xmlDoc *
parse_xml (const char *xml)
{
  lodge_machine_config_init_xml ();
  return xmlReadMemory (xml, strlen (xml), "libvirt.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* What the checks need of a domain definition; NULL on malformed XML. */
static Facts *
facts_from_xml (const char *xml)
{
  g_autoptr(Facts) facts = g_new0 (Facts, 1);
  xmlDoc *doc = parse_xml (xml);
  xmlNode *root;
  xmlNode *os_type;
  xmlNode *cpu;
  xmlNode *devices;

  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  facts->virt_type = lodge_xml_prop (root, "type");
  os_type = lodge_xml_child (lodge_xml_child (root, "os"), "type");
  facts->arch = lodge_xml_prop (os_type, "arch");
  facts->machine = lodge_xml_prop (os_type, "machine");

  cpu = lodge_xml_child (root, "cpu");
  if (cpu != NULL)
    {
      facts->cpu_mode = lodge_xml_prop (cpu, "mode");
      if (facts->cpu_mode == NULL)
        facts->cpu_mode = g_strdup ("custom");
      facts->cpu_model = lodge_xml_text (lodge_xml_child (cpu, "model"));
      facts->cpu_xml = lodge_xml_node_to_string (doc, cpu);
    }

  devices = lodge_xml_child (root, "devices");
  facts->emulator = lodge_xml_text (lodge_xml_child (devices, "emulator"));
  facts->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_free);
  for (xmlNode *it = devices ? devices->children : NULL; it != NULL; it = it->next)
    {
      g_autofree char *type = NULL;
      xmlNode *source;
      Disk *disk;

      if (it->type != XML_ELEMENT_NODE || !g_str_equal ((const char *) it->name, "disk"))
        continue;

      disk = g_new0 (Disk, 1);
      g_ptr_array_add (facts->disks, disk);
      type = lodge_xml_prop (it, "type");
      source = lodge_xml_child (it, "source");
      disk->device = lodge_xml_prop (it, "device");
      if (disk->device == NULL)
        disk->device = g_strdup ("disk");
      disk->target = lodge_xml_prop (lodge_xml_child (it, "target"), "dev");
      disk->readonly = lodge_xml_child (it, "readonly") != NULL;
      disk->shareable = lodge_xml_child (it, "shareable") != NULL;
      if (g_strcmp0 (type, "file") == 0 || type == NULL)
        {
          disk->kind = DISK_FILE;
          disk->path = lodge_xml_prop (source, "file");
        }
      else if (g_strcmp0 (type, "block") == 0)
        {
          disk->kind = DISK_BLOCK;
          disk->path = lodge_xml_prop (source, "dev");
        }
      else if (g_strcmp0 (type, "volume") == 0)
        {
          disk->kind = DISK_VOLUME;
          disk->pool = lodge_xml_prop (source, "pool");
          disk->volume = lodge_xml_prop (source, "volume");
        }
      else
        disk->kind = DISK_OTHER;
    }

  xmlFreeDoc (doc);
  return g_steal_pointer (&facts);
}

typedef struct
{
  char *uuid;
  char *arch;
  char *cpu_xml;       /* <cpu> of <host> */
  char *capabilities;  /* the whole document, for the guest list */
} HostFacts;

static void
host_facts_clear (HostFacts *host)
{
  g_clear_pointer (&host->uuid, g_free);
  g_clear_pointer (&host->arch, g_free);
  g_clear_pointer (&host->cpu_xml, g_free);
  g_clear_pointer (&host->capabilities, g_free);
}

static gboolean
host_facts_read (virConnectPtr  conn,
                 HostFacts     *host)
{
  xmlDoc *doc;
  xmlNode *node;

  host->capabilities = virConnectGetCapabilities (conn);
  if (host->capabilities == NULL || (doc = parse_xml (host->capabilities)) == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  node = lodge_xml_child (xmlDocGetRootElement (doc), "host");
  host->uuid = lodge_xml_text (lodge_xml_child (node, "uuid"));
  node = lodge_xml_child (node, "cpu");
  host->arch = lodge_xml_text (lodge_xml_child (node, "arch"));
  if (node != NULL)
    host->cpu_xml = lodge_xml_node_to_string (doc, node);
  xmlFreeDoc (doc);
  return TRUE;
}

/* Whether the host's capabilities offer guests of this architecture and
 * virtualization type (qemu, kvm ...). */
static gboolean
host_runs (HostFacts  *host,
           const char *arch,
           const char *virt_type)
{
  xmlDoc *doc = parse_xml (host->capabilities);
  gboolean found = FALSE;

  if (doc == NULL)
    return TRUE;   /* cannot tell: libvirt will */
  for (xmlNode *guest = xmlDocGetRootElement (doc)->children; guest != NULL && !found; guest = guest->next)
    {
      xmlNode *arch_node;

      if (guest->type != XML_ELEMENT_NODE || !g_str_equal ((const char *) guest->name, "guest"))
        continue;
      arch_node = lodge_xml_child (guest, "arch");
      {
        g_autofree char *name = lodge_xml_prop (arch_node, "name");

        if (g_strcmp0 (name, arch) != 0)
          continue;
      }
      for (xmlNode *it = arch_node->children; it != NULL && !found; it = it->next)
        if (it->type == XML_ELEMENT_NODE && g_str_equal ((const char *) it->name, "domain"))
          {
            g_autofree char *type = lodge_xml_prop (it, "type");

            found = g_strcmp0 (type, virt_type) == 0;
          }
    }
  xmlFreeDoc (doc);
  return found;
}

/* ------------------------------------------ storage of the destination -- */

static char *
pool_path (virStoragePoolPtr pool)
{
  g_autofree char *xml = virStoragePoolGetXMLDesc (pool, 0);
  xmlDoc *doc;
  char *path;

  if (xml == NULL || (doc = parse_xml (xml)) == NULL)
    {
      virResetLastError ();
      return NULL;
    }
  path = lodge_xml_text (lodge_xml_child (lodge_xml_child (xmlDocGetRootElement (doc), "target"), "path"));
  xmlFreeDoc (doc);
  return path;
}

/* The pool whose folder is dir, or NULL. */
static virStoragePoolPtr
find_pool_for_dir (virConnectPtr  conn,
                   const char    *dir)
{
  g_autofree char *wanted = g_canonicalize_filename (dir, "/");
  virStoragePoolPtr *pools = NULL;
  virStoragePoolPtr found = NULL;
  int n = virConnectListAllStoragePools (conn, &pools, 0);

  for (int i = 0; i < n; i++)
    {
      g_autofree char *path = found == NULL ? pool_path (pools[i]) : NULL;
      g_autofree char *canonical = path ? g_canonicalize_filename (path, "/") : NULL;

      if (found == NULL && g_strcmp0 (canonical, wanted) == 0)
        found = pools[i];
      else
        virStoragePoolFree (pools[i]);
    }
  free (pools);
  virResetLastError ();
  return found;
}

typedef enum
{
  FILE_UNKNOWN,
  FILE_EXISTS,
  FILE_MISSING,
} FileState;

/* Whether a file exists on conn's host, through libvirt's storage (so it
 * works on a remote host): the pool of its folder (refreshed first: a file
 * changed behind a pool's back is otherwise missed), else a transient pool
 * made for the question. *pool_out gets the active pool of the folder. */
static FileState
destination_file_state (virConnectPtr       conn,
                        const char         *path,
                        virStoragePoolPtr  *pool_out)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  virStoragePoolPtr pool = find_pool_for_dir (conn, dir);
  virStorageVolPtr vol;
  gboolean transient = FALSE;
  FileState state;

  if (pool != NULL && virStoragePoolIsActive (pool) != 1)
    {
      /* Its folder belongs to a pool that is off: a transient pool on it
       * would be refused, and Lodge should not start theirs. */
      virStoragePoolFree (pool);
      virResetLastError ();
      return FILE_UNKNOWN;
    }
  if (pool != NULL)
    virStoragePoolRefresh (pool, 0);
  else
    {
      g_autofree char *escaped = g_markup_escape_text (dir, -1);
      g_autofree char *xml = g_strdup_printf ("<pool type='dir'><name>" TRANSIENT_POOL_PREFIX "%08x</name>"
                                              "<target><path>%s</path></target></pool>",
                                              g_random_int (), escaped);

      pool = virStoragePoolCreateXML (conn, xml, 0);
      if (pool == NULL)
        {
          int code;
          g_autofree char *message = take_virt_error (&code);

          g_debug ("No pool for %s on the destination: %s", dir, message);
          /* libvirt says so when the folder is not there. */
          return code == VIR_ERR_SYSTEM_ERROR || code == VIR_ERR_STORAGE_POOL_BUILT ? FILE_MISSING
                                                                                   : FILE_UNKNOWN;
        }
      transient = TRUE;
    }

  vol = virStorageVolLookupByName (pool, base);
  state = vol != NULL ? FILE_EXISTS : FILE_MISSING;
  g_clear_pointer (&vol, virStorageVolFree);
  virResetLastError ();

  if (transient)
    {
      virStoragePoolDestroy (pool);
      virStoragePoolFree (pool);
      virResetLastError ();
    }
  else if (pool_out != NULL)
    *pool_out = pool;
  else
    virStoragePoolFree (pool);
  return state;
}

/* A file of conn's host as a storage volume: through the pool of its
 * folder, else a transient pool made for it (*transient, to destroy and
 * free when done). NULL when libvirt cannot reach it. */
static virStorageVolPtr
open_volume (virConnectPtr       conn,
             const char         *path,
             virStoragePoolPtr  *transient)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  virStoragePoolPtr pool = find_pool_for_dir (conn, dir);
  virStorageVolPtr vol = NULL;

  *transient = NULL;
  if (pool != NULL && virStoragePoolIsActive (pool) == 1)
    {
      virStoragePoolRefresh (pool, 0);
      vol = virStorageVolLookupByName (pool, base);
      virStoragePoolFree (pool);
    }
  else if (pool == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (dir, -1);
      g_autofree char *xml = g_strdup_printf ("<pool type='dir'><name>" TRANSIENT_POOL_PREFIX "%08x</name>"
                                              "<target><path>%s</path></target></pool>",
                                              g_random_int (), escaped);

      pool = virStoragePoolCreateXML (conn, xml, 0);
      if (pool != NULL)
        {
          vol = virStorageVolLookupByName (pool, base);
          *transient = pool;
        }
    }
  else
    virStoragePoolFree (pool);
  virResetLastError ();
  return vol;
}

static void
close_transient_pool (virStoragePoolPtr *transient)
{
  if (*transient == NULL)
    return;
  virStoragePoolDestroy (*transient);
  g_clear_pointer (transient, virStoragePoolFree);
  virResetLastError ();
}

/* Why a disk of a machine that is off cannot be streamed to the other
 * host, or NULL. */
static char *
offline_copy_problem (Job        *job,
                      const Disk *disk)
{
  virStoragePoolPtr transient = NULL;
  virStorageVolPtr vol = open_volume (job->src, disk->path, &transient);
  g_autofree char *xml = vol ? virStorageVolGetXMLDesc (vol, 0) : NULL;
  g_autofree char *backing = NULL;
  xmlDoc *doc = xml ? parse_xml (xml) : NULL;
  char *problem = NULL;

  if (doc != NULL)
    {
      backing = lodge_xml_text (lodge_xml_child (lodge_xml_child (xmlDocGetRootElement (doc), "backingStore"),
                                                 "path"));
      xmlFreeDoc (doc);
    }
  if (vol == NULL || xml == NULL)
    problem = g_strdup_printf (_("The disk %s of “%s” (%s) cannot be read through libvirt on %s, "
                                 "so it cannot be copied"),
                               disk->target, job->display_name, disk->path, job->src_label);
  else if (backing != NULL && *backing != '\0')
    problem = g_strdup_printf (_("The disk %s of “%s” (%s) is an overlay on %s: copying a chain of "
                                 "disks of a machine that is off is not supported yet. Start the "
                                 "machine to move it with its disks"),
                               disk->target, job->display_name, disk->path, backing);
  g_clear_pointer (&vol, virStorageVolFree);
  close_transient_pool (&transient);
  virResetLastError ();
  return problem;
}

/* ------------------------------------------------------------ checks -- */

/* What keeps a machine in this state from moving, or NULL. */
static char *
state_problem (Job             *job,
               int              state,
               gboolean         has_managed_save,
               LodgeModelError *code)
{
  const char *name = job->display_name;

  *code = LODGE_MODEL_ERROR_INVALID_STATE;
  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_BLOCKED:
      return NULL;
    case VIR_DOMAIN_SHUTOFF:
      return has_managed_save
        ? g_strdup_printf (_("“%s” has a saved state: start it, or discard the saved state, before moving it"), name)
        : NULL;
    case VIR_DOMAIN_SHUTDOWN:
      return g_strdup_printf (_("“%s” is shutting down: wait until it is off, or move it while it runs"), name);
    case VIR_DOMAIN_CRASHED:
      return g_strdup_printf (_("“%s” has crashed: turn it off before moving it"), name);
    case VIR_DOMAIN_PMSUSPENDED:
      return g_strdup_printf (_("“%s” is suspended by its guest: wake it up before moving it"), name);
    default:
      return g_strdup_printf (_("“%s” is in a state that cannot be moved"), name);
    }
}

static void
check_cpu (Job          *job,
           virDomainPtr  dom,
           gboolean      active,
           Facts        *facts,
           HostFacts    *src_host,
           Problems     *problems)
{
  g_autofree char *xml = NULL;
  g_autoptr(Facts) cpu_facts = NULL;
  int result;

  /* An emulated (TCG) processor is QEMU's own, whatever the host has. */
  if (g_strcmp0 (facts->virt_type, "qemu") == 0)
    return;

  /* The processor the guest really got (host-model expanded). */
  xml = virDomainGetXMLDesc (dom, active ? VIR_DOMAIN_XML_UPDATE_CPU | VIR_DOMAIN_XML_MIGRATABLE
                                         : VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE);
  cpu_facts = xml ? facts_from_xml (xml) : NULL;
  if (cpu_facts == NULL || cpu_facts->cpu_xml == NULL)
    {
      virResetLastError ();
      return;
    }

  if (g_strcmp0 (cpu_facts->cpu_mode, "host-passthrough") == 0 ||
      g_strcmp0 (cpu_facts->cpu_mode, "maximum") == 0)
    {
      /* The guest sees the source's processor as it is: the destination's
       * must have everything it has. */
      if (src_host->cpu_xml == NULL)
        return;
      result = virConnectCompareCPU (job->dst, src_host->cpu_xml,
                                     VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE);
      if (result == VIR_CPU_COMPARE_INCOMPATIBLE || result == VIR_CPU_COMPARE_ERROR)
        {
          int code;
          g_autofree char *message = take_virt_error (&code);

          if (result == VIR_CPU_COMPARE_INCOMPATIBLE || code == VIR_ERR_CPU_INCOMPATIBLE)
            problems_add (problems, LODGE_MODEL_ERROR_INCOMPATIBLE,
                          _("“%s” uses the processor of %s as it is, and the processor of %s "
                            "lacks some of its features (%s)"),
                          job->display_name, job->src_label, job->dst_label, message);
          else
            g_debug ("Could not compare the processors: %s", message);
        }
      return;
    }

  result = virConnectCompareHypervisorCPU (job->dst, facts->emulator, facts->arch, facts->machine,
                                           facts->virt_type, cpu_facts->cpu_xml,
                                           VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE);
  if (result == VIR_CPU_COMPARE_INCOMPATIBLE || result == VIR_CPU_COMPARE_ERROR)
    {
      int code;
      g_autofree char *message = take_virt_error (&code);

      if (result == VIR_CPU_COMPARE_INCOMPATIBLE || code == VIR_ERR_CPU_INCOMPATIBLE)
        problems_add (problems, LODGE_MODEL_ERROR_INCOMPATIBLE,
                      _("The processor of “%s” (%s) cannot be given to it on %s (%s)"),
                      job->display_name, cpu_facts->cpu_model ? cpu_facts->cpu_model : cpu_facts->cpu_mode,
                      job->dst_label, message);
      else
        g_debug ("Could not compare the processors: %s", message);
    }
}

static void
check_memory (Job          *job,
              virDomainPtr  dom,
              Problems     *problems)
{
  virDomainInfo info;
  virNodeMemoryStatsPtr stats = NULL;
  int n = 0;
  guint64 available = 0;
  guint64 needed;

  if (virDomainGetInfo (dom, &info) < 0)
    {
      virResetLastError ();
      return;
    }
  needed = (guint64) info.maxMem * 1024;

  /* Free memory plus what the kernel gives back at once (caches): a host
   * whose page cache filled its memory still has room. */
  if (virNodeGetMemoryStats (job->dst, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) == 0 && n > 0)
    {
      stats = g_new0 (virNodeMemoryStats, n);
      if (virNodeGetMemoryStats (job->dst, VIR_NODE_MEMORY_STATS_ALL_CELLS, stats, &n, 0) == 0)
        for (int i = 0; i < n; i++)
          if (g_str_equal (stats[i].field, VIR_NODE_MEMORY_STATS_FREE) ||
              g_str_equal (stats[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) ||
              g_str_equal (stats[i].field, VIR_NODE_MEMORY_STATS_CACHED))
            available += stats[i].value * 1024;
      g_free (stats);
    }
  if (available == 0)
    available = virNodeGetFreeMemory (job->dst);
  virResetLastError ();
  if (available == 0)
    return;   /* not told */

  if (available < needed)
    {
      g_autofree char *has = g_format_size_full (available, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *wants = g_format_size_full (needed, G_FORMAT_SIZE_IEC_UNITS);

      problems_add (problems, LODGE_MODEL_ERROR_INCOMPATIBLE,
                    _("%s has %s of memory free, and “%s” needs %s"),
                    job->dst_label, has, job->display_name, wants);
    }
}

static void
check_disks (Job       *job,
             Facts     *facts,
             gboolean   active,
             GPtrArray *copy_targets,
             Problems  *problems)
{
  for (guint i = 0; i < facts->disks->len; i++)
    {
      Disk *disk = g_ptr_array_index (facts->disks, i);
      gboolean is_cdrom = g_strcmp0 (disk->device, "cdrom") == 0 || g_strcmp0 (disk->device, "floppy") == 0;
      virStoragePoolPtr pool = NULL;
      FileState state;

      if (disk->kind == DISK_VOLUME)
        {
          virStoragePoolPtr dst_pool;
          virStorageVolPtr vol = NULL;

          if (disk->pool == NULL || disk->volume == NULL)
            continue;
          dst_pool = virStoragePoolLookupByName (job->dst, disk->pool);
          if (dst_pool != NULL)
            {
              virStoragePoolRefresh (dst_pool, 0);
              vol = virStorageVolLookupByName (dst_pool, disk->volume);
            }
          virResetLastError ();
          if (vol != NULL)
            {
              virStorageVolFree (vol);
              virStoragePoolFree (dst_pool);
              continue;
            }
          if (dst_pool == NULL)
            problems_add (problems, LODGE_MODEL_ERROR_NOT_FOUND,
                          _("The disk %s of “%s” is in the storage pool “%s”, which %s does not have"),
                          disk->target, job->display_name, disk->pool, job->dst_label);
          else if (job->options.storage == LODGE_MIGRATION_STORAGE_COPY_ALL && !active && !disk->readonly)
            problems_add (problems, LODGE_MODEL_ERROR_NOT_SUPPORTED,
                          _("Copying the disk %s of “%s” (volume “%s” of the pool “%s”) while the "
                            "machine is off is not supported yet: start it to move it with its disks"),
                          disk->target, job->display_name, disk->volume, disk->pool);
          else if (job->options.storage != LODGE_MIGRATION_STORAGE_COPY_ALL || disk->readonly)
            problems_add (problems, LODGE_MODEL_ERROR_NOT_FOUND,
                          _("The disk %s of “%s” (volume “%s” of the pool “%s”) is not on %s: "
                            "copy the storage, or use storage both hosts share"),
                          disk->target, job->display_name, disk->volume, disk->pool, job->dst_label);
          else
            g_ptr_array_add (copy_targets, g_strdup (disk->target));
          g_clear_pointer (&dst_pool, virStoragePoolFree);
          continue;
        }

      /* Block devices cannot be looked for through a folder; network disks
       * are reached by each host on its own. libvirt checks those. */
      if (disk->kind != DISK_FILE || disk->path == NULL || *disk->path == '\0')
        continue;

      state = destination_file_state (job->dst, disk->path, &pool);
      if (state != FILE_MISSING)
        {
          g_clear_pointer (&pool, virStoragePoolFree);
          continue;
        }

      if (is_cdrom || disk->readonly)
        problems_add (problems, LODGE_MODEL_ERROR_NOT_FOUND,
                      _("The CD-ROM or read-only disk %s of “%s” (%s) is not on %s: "
                        "remove it, or put it on storage both hosts share"),
                      disk->target, job->display_name, disk->path, job->dst_label);
      else if (job->options.storage != LODGE_MIGRATION_STORAGE_COPY_ALL)
        problems_add (problems, LODGE_MODEL_ERROR_NOT_FOUND,
                      _("The disk %s of “%s” (%s) is not on %s: copy the storage, "
                        "or use storage both hosts share"),
                      disk->target, job->display_name, disk->path, job->dst_label);
      else if (pool == NULL)
        {
          g_autofree char *dir = g_path_get_dirname (disk->path);

          problems_add (problems, LODGE_MODEL_ERROR_NOT_FOUND,
                        _("The disk %s of “%s” (%s) would be created on %s in a storage pool "
                          "for the folder %s, and there is none there: define one"),
                        disk->target, job->display_name, disk->path, job->dst_label, dir);
        }
      else
        {
          g_autofree char *problem = active ? NULL : offline_copy_problem (job, disk);

          if (problem != NULL)
            problems_add (problems, LODGE_MODEL_ERROR_NOT_SUPPORTED, "%s", problem);
          else
            {
              g_ptr_array_add (copy_targets, g_strdup (disk->target));
              if (job->created_paths != NULL)
                g_ptr_array_add (job->created_paths, g_strdup (disk->path));
            }
        }
      g_clear_pointer (&pool, virStoragePoolFree);
    }
}

/* Worker thread: every check. copy_targets gets the disks libvirt must
 * copy (target names). */
static gboolean
run_checks (Job           *job,
            virDomainPtr   dom,
            GPtrArray     *copy_targets,
            GError       **error)
{
  Problems problems = { NULL };
  g_autofree char *xml = NULL;
  g_autoptr(Facts) facts = NULL;
  HostFacts src_host = { NULL };
  HostFacts dst_host = { NULL };
  g_autofree char *state_text = NULL;
  LodgeModelError code;
  int state = VIR_DOMAIN_NOSTATE;
  int has_save;
  gboolean active;
  virDomainPtr other;

  if (virDomainGetState (dom, &state, NULL, 0) < 0)
    {
      g_autofree char *message = take_virt_error (NULL);

      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT,
                   _("Could not read the state of “%s”: %s"), job->display_name, message);
      return FALSE;
    }
  has_save = virDomainHasManagedSaveImage (dom, 0);
  virResetLastError ();
  state_text = state_problem (job, state, has_save == 1, &code);
  if (state_text != NULL)
    problems_add (&problems, code, "%s", state_text);
  active = state != VIR_DOMAIN_SHUTOFF;
  if (!active && virDomainIsPersistent (dom) != 1)
    problems_add (&problems, LODGE_MODEL_ERROR_INVALID_STATE,
                  _("“%s” is neither running nor defined"), job->display_name);

  xml = virDomainGetXMLDesc (dom, active ? 0 : VIR_DOMAIN_XML_INACTIVE);
  facts = xml ? facts_from_xml (xml) : NULL;
  if (facts == NULL)
    {
      g_autofree char *message = take_virt_error (NULL);

      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT,
                   _("Could not read the definition of “%s”: %s"), job->display_name, message);
      problems_report (&problems, NULL);   /* frees them */
      return FALSE;
    }

  host_facts_read (job->src, &src_host);
  if (!host_facts_read (job->dst, &dst_host))
    problems_add (&problems, LODGE_MODEL_ERROR_NOT_CONNECTED,
                  _("Could not read what %s can run"), job->dst_label);
  else
    {
      if (src_host.uuid != NULL && g_strcmp0 (src_host.uuid, dst_host.uuid) == 0)
        problems_add (&problems, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                      _("%s and %s are the same host (host UUID %s): “%s” is already there"),
                      job->src_label, job->dst_label, dst_host.uuid, job->display_name);

      /* A KVM guest runs on the host's processor itself: the same
       * architecture. An emulated one needs an emulator for it. */
      if (g_strcmp0 (facts->virt_type, "qemu") != 0 && src_host.arch != NULL &&
          dst_host.arch != NULL && g_strcmp0 (src_host.arch, dst_host.arch) != 0)
        problems_add (&problems, LODGE_MODEL_ERROR_INCOMPATIBLE,
                      _("“%s” runs on the %s processor of %s, and %s has an %s processor"),
                      job->display_name, src_host.arch, job->src_label, job->dst_label, dst_host.arch);
      else if (facts->arch != NULL && facts->virt_type != NULL &&
               !host_runs (&dst_host, facts->arch, facts->virt_type))
        problems_add (&problems, LODGE_MODEL_ERROR_INCOMPATIBLE,
                      _("%s cannot run %s machines of the type “%s”, like “%s”"),
                      job->dst_label, facts->arch, facts->virt_type, job->display_name);
      else
        check_cpu (job, dom, active, facts, &src_host, &problems);
    }
  host_facts_clear (&src_host);
  host_facts_clear (&dst_host);

  if (active)
    check_memory (job, dom, &problems);

  other = virDomainLookupByUUIDString (job->dst, job->uuid);
  if (other != NULL)
    {
      problems_add (&problems, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                    _("%s already has a machine with the UUID of “%s” (“%s”)"),
                    job->dst_label, job->display_name, virDomainGetName (other));
      virDomainFree (other);
    }
  else
    {
      other = virDomainLookupByName (job->dst, virDomainGetName (dom));
      if (other != NULL)
        {
          problems_add (&problems, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                        _("%s already has a machine called “%s”"),
                        job->dst_label, virDomainGetName (dom));
          virDomainFree (other);
        }
    }
  virResetLastError ();

  check_disks (job, facts, active, copy_targets, &problems);

  return problems_report (&problems, error);
}

/* ----------------------------------------------------------- progress -- */

static guint64
param_ull (virTypedParameterPtr  params,
           int                   n,
           const char           *name)
{
  unsigned long long value = 0;

  if (virTypedParamsGetULLong (params, n, name, &value) != 1)
    return 0;
  return value;
}

static void
progress_from_params (Progress             *progress,
                      virTypedParameterPtr  params,
                      int                   n,
                      guint64              *memory_bps,
                      guint64              *disk_bps)
{
  guint64 page_size = param_ull (params, n, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE);

  progress->memory_processed = param_ull (params, n, VIR_DOMAIN_JOB_MEMORY_PROCESSED);
  progress->memory_remaining = param_ull (params, n, VIR_DOMAIN_JOB_MEMORY_REMAINING);
  progress->memory_total = param_ull (params, n, VIR_DOMAIN_JOB_MEMORY_TOTAL);
  progress->disk_processed = param_ull (params, n, VIR_DOMAIN_JOB_DISK_PROCESSED);
  progress->disk_remaining = param_ull (params, n, VIR_DOMAIN_JOB_DISK_REMAINING);
  progress->disk_total = param_ull (params, n, VIR_DOMAIN_JOB_DISK_TOTAL);
  progress->dirty_rate = param_ull (params, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE) * (page_size ? page_size : 4096);
  progress->expected_downtime = param_ull (params, n, VIR_DOMAIN_JOB_DOWNTIME);
  progress->elapsed = param_ull (params, n, VIR_DOMAIN_JOB_TIME_ELAPSED);
  /* What flows now, not the average of the whole job. */
  *memory_bps = param_ull (params, n, VIR_DOMAIN_JOB_MEMORY_BPS);
  *disk_bps = param_ull (params, n, VIR_DOMAIN_JOB_DISK_BPS);
}

typedef struct
{
  Job      *job;
  Progress  progress;
} ProgressUpdate;

static void
progress_update_free (ProgressUpdate *update)
{
  job_unref (update->job);
  g_free (update);
}

static void
lodge_migration_apply_progress (LodgeMigration *self,
                                const Progress *progress)
{
  struct { guint64 *field; guint64 value; guint prop; } values[] = {
    { &self->progress.memory_processed, progress->memory_processed, PROP_MEMORY_PROCESSED },
    { &self->progress.memory_remaining, progress->memory_remaining, PROP_MEMORY_REMAINING },
    { &self->progress.memory_total, progress->memory_total, PROP_MEMORY_TOTAL },
    { &self->progress.disk_processed, progress->disk_processed, PROP_DISK_PROCESSED },
    { &self->progress.disk_remaining, progress->disk_remaining, PROP_DISK_REMAINING },
    { &self->progress.disk_total, progress->disk_total, PROP_DISK_TOTAL },
    { &self->progress.rate, progress->rate, PROP_RATE },
    { &self->progress.dirty_rate, progress->dirty_rate, PROP_DIRTY_RATE },
    { &self->progress.expected_downtime, progress->expected_downtime, PROP_EXPECTED_DOWNTIME },
    { &self->progress.downtime, progress->downtime, PROP_DOWNTIME },
    { &self->progress.elapsed, progress->elapsed, PROP_ELAPSED },
  };

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (*values[i].field != values[i].value)
      {
        *values[i].field = values[i].value;
        g_object_notify_by_pspec (G_OBJECT (self), properties[values[i].prop]);
      }
  if (self->progress.phase != progress->phase)
    {
      self->progress.phase = progress->phase;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
progress_update_cb (gpointer user_data)
{
  ProgressUpdate *update = user_data;
  /* On the main thread: the last reference may go here, never on a worker. */
  g_autoptr(LodgeMigration) self = g_weak_ref_get (&update->job->self);

  /* A late sample must not undo the final figures. */
  if (self != NULL && self->job == update->job && !self->completed)
    lodge_migration_apply_progress (self, &update->progress);
  return G_SOURCE_REMOVE;
}

static void
job_publish (Job            *job,
             const Progress *progress)
{
  ProgressUpdate *update = g_new0 (ProgressUpdate, 1);

  update->job = job_ref (job);
  update->progress = *progress;
  lodge_main_context_post (job->context, "[lodge] migration progress", progress_update_cb, update,
                           (GDestroyNotify) progress_update_free);
}

/* The poller: reads the source's job statistics until the migration call
 * returns, aborts the job when asked (cancel) or when the destination's
 * connection is lost while Lodge drives the migration. */
static gpointer
poll_thread (gpointer data)
{
  Job *job = data;
  gint64 next = g_get_monotonic_time ();

  for (;;)
    {
      virTypedParameterPtr params = NULL;
      int nparams = 0;
      int type = VIR_DOMAIN_JOB_NONE;
      guint64 postcopy_requests;
      gboolean abort_now;
      guint64 memory_bps = 0;
      guint64 disk_bps = 0;
      Progress progress = { LODGE_MIGRATION_PHASE_SETUP };

      g_mutex_lock (&job->lock);
      while (!job->finished && !job->wake && g_get_monotonic_time () < next)
        g_cond_wait_until (&job->cond, &job->lock, next);
      job->wake = FALSE;
      if (job->finished)
        {
          g_mutex_unlock (&job->lock);
          break;
        }
      if (!job->options.peer_to_peer && !job->destination_lost && virConnectIsAlive (job->dst) != 1)
        job->destination_lost = TRUE;
      abort_now = (job->cancel_requested || job->destination_lost) && !job->abort_sent;
      g_mutex_unlock (&job->lock);
      next = g_get_monotonic_time () + POLL_INTERVAL_MS * 1000;

      if (abort_now)
        {
          /* Refused while no job runs yet (retried on the next tick; libvirt
           * also stops a job that was asked to abort before it began) and in
           * post-copy (the machine already runs on the destination). */
          if (virDomainAbortJob (job->dom) == 0)
            {
              g_mutex_lock (&job->lock);
              job->abort_sent = TRUE;
              g_mutex_unlock (&job->lock);
            }
          else
            {
              g_autofree char *message = take_virt_error (NULL);

              g_debug ("Could not abort the migration of %s yet: %s", job->display_name, message);
            }
          continue;   /* the figures at the next tick (see below) */
        }

      /* One call a tick, and nothing else on the connection from here: in
       * libvirt 9.0 a second call made right after the first, while the
       * migrating thread waits in its own call on the same connection,
       * can stall until the keepalive wakes the connection (5 s). */
      if (virDomainGetJobStats (job->dom, &type, &params, &nparams, 0) < 0)
        {
          virResetLastError ();
          continue;
        }
      if (type != VIR_DOMAIN_JOB_NONE)
        progress_from_params (&progress, params, nparams, &memory_bps, &disk_bps);
      postcopy_requests = param_ull (params, nparams, VIR_DOMAIN_JOB_MEMORY_POSTCOPY_REQS);
      virTypedParamsFree (params, nparams);

      g_mutex_lock (&job->lock);
      if (type != VIR_DOMAIN_JOB_NONE)
        job->job_seen = TRUE;
      if (type == VIR_DOMAIN_JOB_NONE)
        progress.phase = job->job_seen ? LODGE_MIGRATION_PHASE_FINISHING : LODGE_MIGRATION_PHASE_SETUP;
      else if (job->post_copy_started || postcopy_requests > 0)
        progress.phase = LODGE_MIGRATION_PHASE_POST_COPY;
      else if (progress.disk_total > 0 && progress.memory_processed == 0)
        progress.phase = LODGE_MIGRATION_PHASE_DISKS;
      else if (progress.memory_total > 0)
        progress.phase = LODGE_MIGRATION_PHASE_MEMORY;
      else
        progress.phase = LODGE_MIGRATION_PHASE_SETUP;
      progress.rate = progress.phase == LODGE_MIGRATION_PHASE_DISKS ? disk_bps : memory_bps;
      job->progress = progress;
      g_mutex_unlock (&job->lock);

      job_publish (job, &progress);
    }

  job_unref (job);
  return NULL;
}

/* ------------------------------------------------------------ worker -- */

/* Where the machine is after a failure, as a sentence. */
static char *
source_state_sentence (Job *job)
{
  virDomainPtr dom = virDomainLookupByUUIDString (job->src, job->uuid);
  int state = VIR_DOMAIN_NOSTATE;
  char *sentence;

  if (dom == NULL || virDomainGetState (dom, &state, NULL, 0) < 0)
    sentence = g_strdup_printf (_("Check where it is now: %s does not say."), job->src_label);
  else if (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED)
    sentence = g_strdup_printf (_("It still runs on %s."), job->src_label);
  else if (state == VIR_DOMAIN_PAUSED)
    sentence = g_strdup_printf (_("It is paused on %s."), job->src_label);
  else if (state == VIR_DOMAIN_SHUTOFF)
    sentence = g_strdup_printf (_("It is still on %s, shut off."), job->src_label);
  else
    sentence = g_strdup_printf (_("It is still on %s."), job->src_label);
  g_clear_pointer (&dom, virDomainFree);
  virResetLastError ();
  return sentence;
}

/* A machine that is off: its disks the destination lacks are streamed
 * there through libvirt (file for file, holes kept), before its
 * definition follows. The volumes are made in the pool of the same folder
 * there; cleanup_destination () removes them when anything fails. */
static gboolean
copy_disks_offline (Job       *job,
                    Progress  *progress,
                    GError   **error)
{
  gsize buffer_size = 1 << 20;
  g_autofree char *buffer = g_malloc (buffer_size);
  guint64 total = 0;
  guint64 done = 0;
  gint64 started = g_get_monotonic_time ();
  gint64 published = 0;

  /* The whole size first, for the progress. */
  for (guint i = 0; i < job->created_paths->len; i++)
    {
      virStoragePoolPtr transient = NULL;
      virStorageVolPtr vol = open_volume (job->src, g_ptr_array_index (job->created_paths, i), &transient);
      virStorageVolInfo info;

      if (vol != NULL && virStorageVolGetInfoFlags (vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) == 0)
        total += info.allocation;
      g_clear_pointer (&vol, virStorageVolFree);
      close_transient_pool (&transient);
    }
  progress->phase = LODGE_MIGRATION_PHASE_DISKS;
  progress->disk_total = total;

  for (guint i = 0; i < job->created_paths->len; i++)
    {
      const char *path = g_ptr_array_index (job->created_paths, i);
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *escaped = g_markup_escape_text (base, -1);
      g_autofree char *xml = NULL;
      g_autofree char *message = NULL;
      virStoragePoolPtr transient = NULL;
      virStorageVolPtr source_vol = open_volume (job->src, path, &transient);
      virStoragePoolPtr pool = find_pool_for_dir (job->dst, dir);
      virStorageVolPtr vol = NULL;
      virStreamPtr in = NULL;
      virStreamPtr out = NULL;
      virStorageVolInfo info;
      gboolean ok = FALSE;
      gboolean cancelled = FALSE;

      if (source_vol == NULL || pool == NULL ||
          virStorageVolGetInfoFlags (source_vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0)
        goto next;

      /* The file as it is (a qcow2 image too: its bytes, not its guest
       * view), into an empty sparse file of the same length. */
      xml = g_strdup_printf ("<volume><name>%s</name>"
                             "<capacity unit='bytes'>%llu</capacity>"
                             "<allocation unit='bytes'>0</allocation>"
                             "<target><format type='raw'/></target></volume>",
                             escaped, info.allocation);
      vol = virStorageVolCreateXML (pool, xml, 0);
      in = virStreamNew (job->src, 0);
      out = virStreamNew (job->dst, 0);
      if (vol == NULL || in == NULL || out == NULL ||
          virStorageVolDownload (source_vol, in, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0 ||
          virStorageVolUpload (vol, out, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0)
        goto next;

      for (;;)
        {
          int got = virStreamRecvFlags (in, buffer, buffer_size, VIR_STREAM_RECV_STOP_AT_HOLE);
          gint64 now;

          if (got > 0)
            {
              for (int sent = 0; sent < got; )
                {
                  int n = virStreamSend (out, buffer + sent, got - sent);

                  if (n < 0)
                    goto next;
                  sent += n;
                }
              done += got;
            }
          else if (got == -3)
            {
              long long hole = 0;

              if (virStreamRecvHole (in, &hole, 0) < 0 || virStreamSendHole (out, hole, 0) < 0)
                goto next;
              done += hole;
            }
          else if (got == 0)
            break;
          else
            goto next;

          g_mutex_lock (&job->lock);
          cancelled = job->cancel_requested;
          g_mutex_unlock (&job->lock);
          if (cancelled)
            goto next;

          now = g_get_monotonic_time ();
          if (now - published >= POLL_INTERVAL_MS * 1000)
            {
              progress->disk_processed = MIN (done, total);
              progress->disk_remaining = total - progress->disk_processed;
              progress->elapsed = (now - started) / 1000;
              progress->rate = now > started ? done * G_USEC_PER_SEC / (now - started) : 0;
              g_mutex_lock (&job->lock);
              job->progress = *progress;
              g_mutex_unlock (&job->lock);
              job_publish (job, progress);
              published = now;
            }
        }
      ok = virStreamFinish (in) == 0 && virStreamFinish (out) == 0;
      g_clear_pointer (&in, virStreamFree);
      g_clear_pointer (&out, virStreamFree);

    next:
      if (!ok)
        {
          message = take_virt_error (NULL);
          if (in != NULL)
            virStreamAbort (in);
          if (out != NULL)
            virStreamAbort (out);
          virResetLastError ();
        }
      g_clear_pointer (&in, virStreamFree);
      g_clear_pointer (&out, virStreamFree);
      g_clear_pointer (&vol, virStorageVolFree);
      g_clear_pointer (&pool, virStoragePoolFree);
      g_clear_pointer (&source_vol, virStorageVolFree);
      close_transient_pool (&transient);

      if (cancelled)
        {
          progress->phase = LODGE_MIGRATION_PHASE_CANCELLED;
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
          return FALSE;
        }
      if (!ok)
        {
          g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT,
                       _("Could not copy the disk %s of “%s” to %s: %s"),
                       path, job->display_name, job->dst_label, message);
          return FALSE;
        }
    }

  progress->disk_processed = total;
  progress->disk_remaining = 0;
  progress->elapsed = (g_get_monotonic_time () - started) / 1000;
  return TRUE;
}

/* After a failure or a cancel, while the source still has the machine:
 * whatever the destination has of it is a leftover. libvirt removes the
 * incoming half by itself; Lodge waits for that, removes it when libvirt
 * does not, and deletes the volumes libvirt created for copied disks. */
static void
cleanup_destination (Job *job)
{
  virDomainPtr sdom;
  virDomainPtr ddom = NULL;
  int state = VIR_DOMAIN_NOSTATE;
  int reason = 0;
  gint64 end;

  if (virConnectIsAlive (job->dst) != 1)
    return;
  sdom = virDomainLookupByUUIDString (job->src, job->uuid);
  if (sdom == NULL || virDomainGetState (sdom, &state, &reason, 0) < 0)
    {
      g_clear_pointer (&sdom, virDomainFree);
      virResetLastError ();
      return;
    }
  virDomainFree (sdom);
  /* After a failed post-copy neither half is whole: leave both to people. */
  if (state == VIR_DOMAIN_PAUSED &&
      (reason == VIR_DOMAIN_PAUSED_POSTCOPY || reason == VIR_DOMAIN_PAUSED_POSTCOPY_FAILED))
    return;

  end = g_get_monotonic_time () + DESTINATION_CLEANUP_WAIT_MS * 1000;
  while ((ddom = virDomainLookupByUUIDString (job->dst, job->uuid)) != NULL &&
         g_get_monotonic_time () < end)
    {
      g_clear_pointer (&ddom, virDomainFree);
      g_usleep (200 * 1000);
    }
  virResetLastError ();
  if (ddom != NULL)
    {
      g_warning ("libvirt left “%s” on %s after a failed migration: removing it",
                 job->display_name, job->dst_label);
      if (virDomainIsActive (ddom) == 1)
        virDomainDestroy (ddom);
      if (virDomainIsPersistent (ddom) == 1)
        lodge_virt_domain_undefine_all (ddom);
      virDomainFree (ddom);
      virResetLastError ();
    }

  for (guint i = 0; job->created_paths != NULL && i < job->created_paths->len; i++)
    {
      const char *path = g_ptr_array_index (job->created_paths, i);
      g_autofree char *dir = g_path_get_dirname (path);
      virStoragePoolPtr pool = find_pool_for_dir (job->dst, dir);
      virStorageVolPtr vol;

      if (pool != NULL)
        virStoragePoolRefresh (pool, 0);
      vol = virStorageVolLookupByPath (job->dst, path);
      if (vol != NULL)
        {
          g_debug ("Deleting %s on %s, created for the migration", path, job->dst_label);
          if (virStorageVolDelete (vol, 0) < 0)
            {
              g_autofree char *message = take_virt_error (NULL);

              g_warning ("Could not delete %s on %s: %s", path, job->dst_label, message);
            }
          virStorageVolFree (vol);
        }
      g_clear_pointer (&pool, virStoragePoolFree);
      virResetLastError ();
    }
}

static gboolean
migrate_run (Job       *job,
             Progress  *final,
             GError   **error)
{
  g_autoptr(GPtrArray) copy_targets = g_ptr_array_new_with_free_func (g_free);
  virTypedParameterPtr params = NULL;
  int nparams = 0;
  int maxparams = 0;
  unsigned int flags = 0;
  int state = VIR_DOMAIN_NOSTATE;
  gboolean active;
  gboolean persistent;
  gboolean ok;
  gboolean cancelled;
  guint64 disk_bytes = 0;
  gboolean lost;
  virDomainPtr ddom = NULL;
  g_autofree char *message = NULL;
  g_autofree char *where = NULL;
  int code = VIR_ERR_OK;
  GThread *poller;
  gint64 t0;

  final->phase = LODGE_MIGRATION_PHASE_FAILED;

  job->dom = virDomainLookupByUUIDString (job->src, job->uuid);
  if (job->dom == NULL)
    {
      virResetLastError ();
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                   _("“%s” is no longer on %s"), job->display_name, job->src_label);
      return FALSE;
    }
  t0 = g_get_monotonic_time ();
  if (!run_checks (job, job->dom, copy_targets, error))
    return FALSE;
  g_debug ("Checks for %s took %.2f s", job->display_name, (g_get_monotonic_time () - t0) / 1e6);

  if (virDomainGetState (job->dom, &state, NULL, 0) < 0)
    {
      message = take_virt_error (NULL);
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT,
                   _("Could not read the state of “%s”: %s"), job->display_name, message);
      return FALSE;
    }
  active = state != VIR_DOMAIN_SHUTOFF;
  persistent = virDomainIsPersistent (job->dom) == 1;

  if (active)
    {
      if (job->options.live)
        flags |= VIR_MIGRATE_LIVE;
      for (guint i = 0; i < copy_targets->len; i++)
        {
          virDomainBlockInfo info;

          if (virDomainGetBlockInfo (job->dom, g_ptr_array_index (copy_targets, i), &info, 0) == 0)
            disk_bytes += info.capacity;
          virResetLastError ();
        }
      if (copy_targets->len > 0)
        {
          /* Only what the destination lacks: a disk it has at the same path
           * is on shared storage, and copying it onto itself would ruin it. */
          g_ptr_array_add (copy_targets, NULL);
          flags |= VIR_MIGRATE_NON_SHARED_DISK;
          virTypedParamsAddStringList (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_MIGRATE_DISKS,
                                       (const char **) copy_targets->pdata);
        }
      if (job->options.auto_converge)
        flags |= VIR_MIGRATE_AUTO_CONVERGE;
      if (job->options.compressed)
        flags |= VIR_MIGRATE_COMPRESSED;
      if (job->options.post_copy)
        flags |= VIR_MIGRATE_POSTCOPY;
      if (job->options.bandwidth > 0)
        virTypedParamsAddULLong (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_BANDWIDTH,
                                 job->options.bandwidth);
      if (job->options.migrate_uri != NULL)
        virTypedParamsAddString (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_URI,
                                 job->options.migrate_uri);
      if (job->options.listen_address != NULL)
        virTypedParamsAddString (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                 job->options.listen_address);
      /* Applies to this domain's next migration as well as to a running
       * one: set before, it holds from the start. */
      if (job->options.max_downtime > 0 &&
          virDomainMigrateSetMaxDowntime (job->dom, job->options.max_downtime, 0) < 0)
        {
          g_autofree char *why = take_virt_error (NULL);

          g_debug ("Could not set the maximum downtime of %s: %s", job->display_name, why);
        }
    }
  else
    flags |= VIR_MIGRATE_OFFLINE;
  if (persistent)
    flags |= VIR_MIGRATE_PERSIST_DEST;
  if (persistent && !job->options.keep_source)
    flags |= VIR_MIGRATE_UNDEFINE_SOURCE;
  if (job->options.peer_to_peer)
    flags |= VIR_MIGRATE_PEER2PEER;

  g_mutex_lock (&job->lock);
  cancelled = job->cancel_requested;
  g_mutex_unlock (&job->lock);
  if (cancelled)
    {
      virTypedParamsFree (params, nparams);
      final->phase = LODGE_MIGRATION_PHASE_CANCELLED;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   _("The migration of “%s” to %s was cancelled. It did not start."),
                   job->display_name, job->dst_label);
      return FALSE;
    }

  if (!active && job->created_paths->len > 0)
    {
      g_autoptr(GError) copy_error = NULL;

      if (!copy_disks_offline (job, final, &copy_error))
        {
          virTypedParamsFree (params, nparams);
          cleanup_destination (job);
          if (g_error_matches (copy_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              final->phase = LODGE_MIGRATION_PHASE_CANCELLED;
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The migration of “%s” to %s was cancelled. It is still on %s, shut off."),
                           job->display_name, job->dst_label, job->src_label);
            }
          else
            {
              final->phase = LODGE_MIGRATION_PHASE_FAILED;
              g_propagate_error (error, g_steal_pointer (&copy_error));
            }
          return FALSE;
        }
      g_mutex_lock (&job->lock);
      job->progress = *final;
      g_mutex_unlock (&job->lock);
    }

  /* An offline migration has no job to watch: it defines, and is done. */
  poller = active ? g_thread_new ("lodge-migration-poll", poll_thread, job_ref (job)) : NULL;
  t0 = g_get_monotonic_time ();
  if (job->options.peer_to_peer)
    ok = virDomainMigrateToURI3 (job->dom, job->options.peer_uri, params, nparams, flags) == 0;
  else
    {
      ddom = virDomainMigrate3 (job->dom, job->dst, params, nparams, flags);
      ok = ddom != NULL;
    }
  if (!ok)
    message = take_virt_error (&code);
  virTypedParamsFree (params, nparams);
  g_debug ("Migrating %s took %.2f s", job->display_name, (g_get_monotonic_time () - t0) / 1e6);

  g_mutex_lock (&job->lock);
  job->finished = TRUE;
  g_cond_broadcast (&job->cond);
  g_mutex_unlock (&job->lock);
  if (poller != NULL)
    g_thread_join (poller);

  g_mutex_lock (&job->lock);
  *final = job->progress;
  cancelled = job->cancel_requested;
  lost = job->destination_lost;
  g_mutex_unlock (&job->lock);

  if (ok)
    {
      virTypedParameterPtr stats = NULL;
      int nstats = 0;
      int type = VIR_DOMAIN_JOB_NONE;

      if (ddom == NULL)
        ddom = virDomainLookupByUUIDString (job->dst, job->uuid);
      /* The whole job's figures, with the real downtime, are kept on the
       * destination. */
      if (ddom != NULL && active &&
          virDomainGetJobStats (ddom, &type, &stats, &nstats, VIR_DOMAIN_JOB_STATS_COMPLETED) == 0 &&
          type != VIR_DOMAIN_JOB_NONE)
        {
          guint64 memory_bps = 0;
          guint64 disk_bps = 0;
          guint64 expected = final->expected_downtime;

          guint64 disk_total = final->disk_total;

          progress_from_params (final, stats, nstats, &memory_bps, &disk_bps);
          final->downtime = final->expected_downtime;
          final->expected_downtime = expected;
          final->rate = memory_bps;
          /* The destination keeps no disk figures: the copy is whole. A
           * quick copy may have gone by between two readings. */
          final->disk_total = disk_total > 0 ? disk_total : disk_bytes;
          final->disk_processed = final->disk_total;
          final->disk_remaining = 0;
        }
      virTypedParamsFree (stats, nstats);
      g_clear_pointer (&ddom, virDomainFree);
      virResetLastError ();
      final->phase = LODGE_MIGRATION_PHASE_DONE;
      g_mutex_lock (&job->lock);
      job->source_gone = !persistent || !job->options.keep_source;
      g_mutex_unlock (&job->lock);
      return TRUE;
    }

  if (!lost && virConnectIsAlive (job->dst) != 1)
    lost = TRUE;
  final->phase = LODGE_MIGRATION_PHASE_FINISHING;
  cleanup_destination (job);
  where = source_state_sentence (job);

  if (lost && code == VIR_ERR_OPERATION_ABORTED)
    {
      /* Lodge aborted it on seeing the connection go: libvirt's "canceled
       * by client" would mislead. */
      final->phase = LODGE_MIGRATION_PHASE_FAILED;
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                   _("The connection to %s was lost while “%s” was moving there. %s"),
                   job->dst_label, job->display_name, where);
    }
  else if (lost)
    {
      final->phase = LODGE_MIGRATION_PHASE_FAILED;
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                   _("The connection to %s was lost while “%s” was moving there (%s). %s"),
                   job->dst_label, job->display_name, message, where);
    }
  else if (cancelled || code == VIR_ERR_OPERATION_ABORTED)
    {
      final->phase = LODGE_MIGRATION_PHASE_CANCELLED;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   _("The migration of “%s” to %s was cancelled. %s"),
                   job->display_name, job->dst_label, where);
    }
  else if (job->options.post_copy && message != NULL &&
           strstr (message, "ostcopy is not supported") != NULL)
    {
      /* QEMU copies memory after the switch through the kernel's
       * userfaultfd, which a QEMU that does not run as root may use only
       * where the kernel allows it. */
      final->phase = LODGE_MIGRATION_PHASE_FAILED;
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT,
                   _("Could not move “%s” to %s: %s. Post-copy needs QEMU to use the kernel’s "
                     "userfaultfd on both hosts (on Linux: sysctl vm.unprivileged_userfaultfd=1); "
                     "move it without post-copy. %s"),
                   job->display_name, job->dst_label, message, where);
    }
  else
    {
      final->phase = LODGE_MIGRATION_PHASE_FAILED;
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT,
                   _("Could not move “%s” to %s: %s. %s"),
                   job->display_name, job->dst_label, message, where);
    }
  return FALSE;
}

/* The worker's end: the connections are released here, off the main
 * thread (a last reference talks to the daemon). */
static void
job_release_connections (Job *job)
{
  g_clear_pointer (&job->dom, virDomainFree);
  g_clear_pointer (&job->src, virConnectClose);
  g_clear_pointer (&job->dst, virConnectClose);
}

static void
migrate_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  Progress final = { LODGE_MIGRATION_PHASE_FAILED };
  gboolean ok;

  ok = migrate_run (job, &final, &error);
  g_mutex_lock (&job->lock);
  job->progress = final;
  g_mutex_unlock (&job->lock);
  job_release_connections (job);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GPtrArray) copy_targets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  job->dom = virDomainLookupByUUIDString (job->src, job->uuid);
  if (job->dom == NULL)
    {
      virResetLastError ();
      g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                   _("“%s” is no longer on %s"), job->display_name, job->src_label);
    }
  else
    ok = run_checks (job, job->dom, copy_targets, &error);
  job_release_connections (job);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* ------------------------------------------------------- main thread -- */

static char *
host_label (LodgeConnection *connection)
{
  const char *hostname = connection ? lodge_connection_get_hostname (connection) : NULL;

  return g_strdup (hostname != NULL ? hostname : _("this computer"));
}

static Job *
job_new (LodgeMigration  *self,
         GError         **error)
{
  LodgeConnection *source = lodge_machine_get_connection (self->machine);
  g_autoptr(Job) job = g_new0 (Job, 1);

  g_atomic_ref_count_init (&job->ref_count);
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  g_weak_ref_init (&job->self, self);
  job->context = g_main_context_ref_thread_default ();
  job->uuid = g_strdup (lodge_machine_get_uuid (self->machine));
  job->display_name = g_strdup (lodge_machine_get_display_name (self->machine));
  job->src_label = host_label (source);
  job->dst_label = host_label (self->destination);
  options_copy (&job->options, &self->options);
  if (job->options.peer_uri == NULL)
    job->options.peer_uri = g_strdup (lodge_connection_get_uri (self->destination));

  job->src = source ? lodge_connection_ref_virconnect (source) : NULL;
  if (job->src == NULL)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                   _("Not connected to the host of “%s”"), job->display_name);
      return NULL;
    }
  job->dst = lodge_connection_ref_virconnect (self->destination);
  if (job->dst == NULL)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                   _("Not connected to %s"), job->dst_label);
      return NULL;
    }
  return g_steal_pointer (&job);
}

/* The start's cancellable, on whatever thread cancels it. */
static void
lodge_migration_cancellable_cancelled_cb (GCancellable *cancellable,
                                          Job          *job)
{
  g_mutex_lock (&job->lock);
  job->cancel_requested = TRUE;
  job->wake = TRUE;
  g_cond_broadcast (&job->cond);
  g_mutex_unlock (&job->lock);
}

static void
lodge_migration_start_done_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  LodgeMigration *self = LODGE_MIGRATION (object);
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  Progress final;
  gboolean source_gone;

  g_mutex_lock (&job->lock);
  final = job->progress;
  source_gone = job->source_gone;
  g_mutex_unlock (&job->lock);
  if (job->cancellable != NULL && job->cancel_handler != 0)
    g_cancellable_disconnect (job->cancellable, job->cancel_handler);
  job->cancel_handler = 0;

  /* The figures are final before the caller hears of the end. */
  lodge_migration_apply_progress (self, &final);
  self->completed = TRUE;
  g_clear_pointer (&self->job, job_unref);

  /* libvirt sends no event when a migration undefines the source (a live
   * one says "stopped", an offline one nothing): the source's list is told
   * here, as after a delete. */
  if (source_gone)
    {
      LodgeConnection *connection = lodge_machine_get_connection (self->machine);

      if (connection != NULL)
        lodge_connection_machine_removed_by_action (connection, lodge_machine_get_uuid (self->machine));
    }

  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lodge_migration_start_async (LodgeMigration      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  g_autoptr(GError) error = NULL;
  Progress setup = { LODGE_MIGRATION_PHASE_SETUP };
  Job *job;

  g_return_if_fail (LODGE_IS_MIGRATION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_migration_start_async);
  /* A migration that went through is reported as such, cancelled late or
   * not: the machine has moved. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->started)
    {
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                               _("This migration of “%s” has already run"),
                               lodge_machine_get_display_name (self->machine));
      return;
    }
  self->started = TRUE;

  job = job_new (self, &error);
  if (job == NULL)
    {
      Progress failed = { LODGE_MIGRATION_PHASE_FAILED };

      self->completed = TRUE;
      lodge_migration_apply_progress (self, &failed);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job->created_paths = g_ptr_array_new_with_free_func (g_free);
  self->job = job_ref (job);
  lodge_migration_apply_progress (self, &setup);

  if (cancellable != NULL)
    {
      job->cancellable = g_object_ref (cancellable);
      job->cancel_handler = g_cancellable_connect (cancellable,
                                                   G_CALLBACK (lodge_migration_cancellable_cancelled_cb),
                                                   job_ref (job), (GDestroyNotify) job_unref);
    }

  worker = g_task_new (self, NULL, lodge_migration_start_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, migrate_thread);
  g_task_set_task_data (worker, job, (GDestroyNotify) job_unref);
  g_task_run_in_thread (worker, migrate_thread);
}

gboolean
lodge_migration_start_finish (LodgeMigration  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_migration_check_async (LodgeMigration      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Job *job;

  g_return_if_fail (LODGE_IS_MIGRATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_migration_check_async);
  job = job_new (self, &error);
  if (job == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, job, (GDestroyNotify) job_unref);
  g_task_run_in_thread (task, check_thread);
}

gboolean
lodge_migration_check_finish (LodgeMigration  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_migration_cancel (LodgeMigration *self)
{
  g_return_if_fail (LODGE_IS_MIGRATION (self));

  /* The poller aborts the job: off the main thread, and again on its next
   * tick when libvirt has not begun the job yet. */
  if (self->job != NULL)
    lodge_migration_cancellable_cancelled_cb (NULL, self->job);
}

typedef struct
{
  virConnectPtr  conn;
  char          *uuid;
  char          *display_name;
  Job           *job;
} PostCopy;

static void
post_copy_free (PostCopy *data)
{
  /* The worker closed the connection. */
  job_unref (data->job);
  g_free (data->uuid);
  g_free (data->display_name);
  g_free (data);
}

static void
post_copy_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PostCopy *data = task_data;
  virDomainPtr dom = virDomainLookupByUUIDString (data->conn, data->uuid);

  if (dom == NULL || virDomainMigrateStartPostCopy (dom, 0) < 0)
    {
      g_autofree char *message = take_virt_error (NULL);

      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_LIBVIRT,
                               _("Could not switch the migration of “%s” to post-copy: %s"),
                               data->display_name, message);
    }
  else
    {
      g_mutex_lock (&data->job->lock);
      data->job->post_copy_started = TRUE;
      data->job->wake = TRUE;
      g_cond_broadcast (&data->job->cond);
      g_mutex_unlock (&data->job->lock);
      g_task_return_boolean (task, TRUE);
    }
  g_clear_pointer (&dom, virDomainFree);
}

void
lodge_migration_start_post_copy_async (LodgeMigration      *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LodgeConnection *source;
  PostCopy *data;

  g_return_if_fail (LODGE_IS_MIGRATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_migration_start_post_copy_async);
  if (self->job == NULL || !self->options.post_copy)
    {
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                               _("“%s” is not being migrated with post-copy allowed"),
                               lodge_machine_get_display_name (self->machine));
      return;
    }

  data = g_new0 (PostCopy, 1);
  data->uuid = g_strdup (lodge_machine_get_uuid (self->machine));
  data->display_name = g_strdup (lodge_machine_get_display_name (self->machine));
  data->job = job_ref (self->job);
  g_task_set_task_data (task, data, (GDestroyNotify) post_copy_free);
  source = lodge_machine_get_connection (self->machine);
  data->conn = source ? lodge_connection_ref_virconnect (source) : NULL;
  if (data->conn == NULL)
    {
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                               _("Not connected to the host of “%s”"), data->display_name);
      return;
    }
  lodge_virt_task_run_in_thread (task, post_copy_thread, &data->conn);
}

gboolean
lodge_migration_start_post_copy_finish (LodgeMigration  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------ object -- */

static void
lodge_migration_dispose (GObject *object)
{
  LodgeMigration *self = (LodgeMigration *) object;

  /* A running migration goes on without its object (the workers hold the
   * job); only its figures are no longer shown. */
  g_clear_pointer (&self->job, job_unref);
  g_clear_object (&self->machine);
  g_clear_object (&self->destination);

  G_OBJECT_CLASS (lodge_migration_parent_class)->dispose (object);
}

static void
lodge_migration_finalize (GObject *object)
{
  LodgeMigration *self = (LodgeMigration *) object;

  options_clear (&self->options);

  G_OBJECT_CLASS (lodge_migration_parent_class)->finalize (object);
}

static void
lodge_migration_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LodgeMigration *self = LODGE_MIGRATION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;
    case PROP_DESTINATION:
      g_value_set_object (value, self->destination);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->options.live);
      break;
    case PROP_STORAGE:
      g_value_set_enum (value, self->options.storage);
      break;
    case PROP_PEER_TO_PEER:
      g_value_set_boolean (value, self->options.peer_to_peer);
      break;
    case PROP_PEER_URI:
      g_value_set_string (value, self->options.peer_uri);
      break;
    case PROP_KEEP_SOURCE:
      g_value_set_boolean (value, self->options.keep_source);
      break;
    case PROP_BANDWIDTH:
      g_value_set_uint64 (value, self->options.bandwidth);
      break;
    case PROP_AUTO_CONVERGE:
      g_value_set_boolean (value, self->options.auto_converge);
      break;
    case PROP_COMPRESSED:
      g_value_set_boolean (value, self->options.compressed);
      break;
    case PROP_POST_COPY:
      g_value_set_boolean (value, self->options.post_copy);
      break;
    case PROP_MAX_DOWNTIME:
      g_value_set_uint64 (value, self->options.max_downtime);
      break;
    case PROP_MIGRATE_URI:
      g_value_set_string (value, self->options.migrate_uri);
      break;
    case PROP_LISTEN_ADDRESS:
      g_value_set_string (value, self->options.listen_address);
      break;
    case PROP_PHASE:
      g_value_set_enum (value, self->progress.phase);
      break;
    case PROP_MEMORY_PROCESSED:
      g_value_set_uint64 (value, self->progress.memory_processed);
      break;
    case PROP_MEMORY_REMAINING:
      g_value_set_uint64 (value, self->progress.memory_remaining);
      break;
    case PROP_MEMORY_TOTAL:
      g_value_set_uint64 (value, self->progress.memory_total);
      break;
    case PROP_DISK_PROCESSED:
      g_value_set_uint64 (value, self->progress.disk_processed);
      break;
    case PROP_DISK_REMAINING:
      g_value_set_uint64 (value, self->progress.disk_remaining);
      break;
    case PROP_DISK_TOTAL:
      g_value_set_uint64 (value, self->progress.disk_total);
      break;
    case PROP_RATE:
      g_value_set_uint64 (value, self->progress.rate);
      break;
    case PROP_DIRTY_RATE:
      g_value_set_uint64 (value, self->progress.dirty_rate);
      break;
    case PROP_EXPECTED_DOWNTIME:
      g_value_set_uint64 (value, self->progress.expected_downtime);
      break;
    case PROP_DOWNTIME:
      g_value_set_uint64 (value, self->progress.downtime);
      break;
    case PROP_ELAPSED:
      g_value_set_uint64 (value, self->progress.elapsed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_migration_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LodgeMigration *self = LODGE_MIGRATION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      self->machine = g_value_dup_object (value);
      break;
    case PROP_DESTINATION:
      self->destination = g_value_dup_object (value);
      break;
    case PROP_LIVE:
      lodge_migration_set_live (self, g_value_get_boolean (value));
      break;
    case PROP_STORAGE:
      lodge_migration_set_storage (self, g_value_get_enum (value));
      break;
    case PROP_PEER_TO_PEER:
      lodge_migration_set_peer_to_peer (self, g_value_get_boolean (value));
      break;
    case PROP_PEER_URI:
      lodge_migration_set_peer_uri (self, g_value_get_string (value));
      break;
    case PROP_KEEP_SOURCE:
      lodge_migration_set_keep_source (self, g_value_get_boolean (value));
      break;
    case PROP_BANDWIDTH:
      lodge_migration_set_bandwidth (self, g_value_get_uint64 (value));
      break;
    case PROP_AUTO_CONVERGE:
      lodge_migration_set_auto_converge (self, g_value_get_boolean (value));
      break;
    case PROP_COMPRESSED:
      lodge_migration_set_compressed (self, g_value_get_boolean (value));
      break;
    case PROP_POST_COPY:
      lodge_migration_set_post_copy (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_DOWNTIME:
      lodge_migration_set_max_downtime (self, g_value_get_uint64 (value));
      break;
    case PROP_MIGRATE_URI:
      lodge_migration_set_migrate_uri (self, g_value_get_string (value));
      break;
    case PROP_LISTEN_ADDRESS:
      lodge_migration_set_listen_address (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_migration_class_init (LodgeMigrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const struct { guint prop; const char *name; } figures[] = {
    { PROP_MEMORY_PROCESSED, "memory-processed" },
    { PROP_MEMORY_REMAINING, "memory-remaining" },
    { PROP_MEMORY_TOTAL, "memory-total" },
    { PROP_DISK_PROCESSED, "disk-processed" },
    { PROP_DISK_REMAINING, "disk-remaining" },
    { PROP_DISK_TOTAL, "disk-total" },
    { PROP_RATE, "rate" },
    { PROP_DIRTY_RATE, "dirty-rate" },
    { PROP_EXPECTED_DOWNTIME, "expected-downtime" },
    { PROP_DOWNTIME, "downtime" },
    { PROP_ELAPSED, "elapsed" },
  };

  object_class->dispose = lodge_migration_dispose;
  object_class->finalize = lodge_migration_finalize;
  object_class->get_property = lodge_migration_get_property;
  object_class->set_property = lodge_migration_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, LODGE_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESTINATION] =
    g_param_spec_object ("destination", NULL, NULL, LODGE_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIVE] = g_param_spec_boolean ("live", NULL, NULL, TRUE, rw);
  properties[PROP_STORAGE] =
    g_param_spec_enum ("storage", NULL, NULL, LODGE_TYPE_MIGRATION_STORAGE,
                       LODGE_MIGRATION_STORAGE_SHARED, rw);
  properties[PROP_PEER_TO_PEER] = g_param_spec_boolean ("peer-to-peer", NULL, NULL, FALSE, rw);
  properties[PROP_PEER_URI] = g_param_spec_string ("peer-uri", NULL, NULL, NULL, rw);
  properties[PROP_KEEP_SOURCE] = g_param_spec_boolean ("keep-source", NULL, NULL, FALSE, rw);
  properties[PROP_BANDWIDTH] = g_param_spec_uint64 ("bandwidth", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_AUTO_CONVERGE] = g_param_spec_boolean ("auto-converge", NULL, NULL, FALSE, rw);
  properties[PROP_COMPRESSED] = g_param_spec_boolean ("compressed", NULL, NULL, FALSE, rw);
  properties[PROP_POST_COPY] = g_param_spec_boolean ("post-copy", NULL, NULL, FALSE, rw);
  properties[PROP_MAX_DOWNTIME] = g_param_spec_uint64 ("max-downtime", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_MIGRATE_URI] = g_param_spec_string ("migrate-uri", NULL, NULL, NULL, rw);
  properties[PROP_LISTEN_ADDRESS] = g_param_spec_string ("listen-address", NULL, NULL, NULL, rw);
  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, NULL, LODGE_TYPE_MIGRATION_PHASE, LODGE_MIGRATION_PHASE_NONE, ro);
  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    properties[figures[i].prop] = g_param_spec_uint64 (figures[i].name, NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_migration_init (LodgeMigration *self)
{
  self->options.live = TRUE;
  self->options.storage = LODGE_MIGRATION_STORAGE_SHARED;
}

LodgeMigration *
lodge_migration_new (LodgeMachine    *machine,
                     LodgeConnection *destination)
{
  g_return_val_if_fail (LODGE_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (LODGE_IS_CONNECTION (destination), NULL);

  return g_object_new (LODGE_TYPE_MIGRATION, "machine", machine, "destination", destination, NULL);
}

LodgeMachine *
lodge_migration_get_machine (LodgeMigration *self)
{
  g_return_val_if_fail (LODGE_IS_MIGRATION (self), NULL);
  return self->machine;
}

LodgeConnection *
lodge_migration_get_destination (LodgeMigration *self)
{
  g_return_val_if_fail (LODGE_IS_MIGRATION (self), NULL);
  return self->destination;
}

/* Options: the same few lines for each. */
#define OPTION_BOOLEAN(name, field, prop)                                   \
  gboolean                                                                  \
  lodge_migration_get_##name (LodgeMigration *self)                         \
  {                                                                         \
    g_return_val_if_fail (LODGE_IS_MIGRATION (self), FALSE);                \
    return self->options.field;                                             \
  }                                                                         \
  void                                                                      \
  lodge_migration_set_##name (LodgeMigration *self,                         \
                              gboolean        value)                        \
  {                                                                         \
    g_return_if_fail (LODGE_IS_MIGRATION (self));                           \
    g_return_if_fail (!self->started);                                      \
    value = !!value;                                                        \
    if (self->options.field == value)                                       \
      return;                                                               \
    self->options.field = value;                                            \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);           \
  }

#define OPTION_UINT64(name, field, prop)                                    \
  guint64                                                                   \
  lodge_migration_get_##name (LodgeMigration *self)                         \
  {                                                                         \
    g_return_val_if_fail (LODGE_IS_MIGRATION (self), 0);                    \
    return self->options.field;                                             \
  }                                                                         \
  void                                                                      \
  lodge_migration_set_##name (LodgeMigration *self,                         \
                              guint64         value)                        \
  {                                                                         \
    g_return_if_fail (LODGE_IS_MIGRATION (self));                           \
    g_return_if_fail (!self->started);                                      \
    if (self->options.field == value)                                       \
      return;                                                               \
    self->options.field = value;                                            \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);           \
  }

#define OPTION_STRING(name, field, prop)                                    \
  const char *                                                              \
  lodge_migration_get_##name (LodgeMigration *self)                         \
  {                                                                         \
    g_return_val_if_fail (LODGE_IS_MIGRATION (self), NULL);                 \
    return self->options.field;                                             \
  }                                                                         \
  void                                                                      \
  lodge_migration_set_##name (LodgeMigration *self,                         \
                              const char     *value)                        \
  {                                                                         \
    g_return_if_fail (LODGE_IS_MIGRATION (self));                           \
    g_return_if_fail (!self->started);                                      \
    if (value != NULL && *value == '\0')                                    \
      value = NULL;                                                         \
    if (g_strcmp0 (self->options.field, value) == 0)                        \
      return;                                                               \
    g_free (self->options.field);                                           \
    self->options.field = g_strdup (value);                                 \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);           \
  }

OPTION_BOOLEAN (live, live, PROP_LIVE)
OPTION_BOOLEAN (peer_to_peer, peer_to_peer, PROP_PEER_TO_PEER)
OPTION_BOOLEAN (keep_source, keep_source, PROP_KEEP_SOURCE)
OPTION_BOOLEAN (auto_converge, auto_converge, PROP_AUTO_CONVERGE)
OPTION_BOOLEAN (compressed, compressed, PROP_COMPRESSED)
OPTION_BOOLEAN (post_copy, post_copy, PROP_POST_COPY)
OPTION_UINT64 (bandwidth, bandwidth, PROP_BANDWIDTH)
OPTION_UINT64 (max_downtime, max_downtime, PROP_MAX_DOWNTIME)
OPTION_STRING (peer_uri, peer_uri, PROP_PEER_URI)
OPTION_STRING (migrate_uri, migrate_uri, PROP_MIGRATE_URI)
OPTION_STRING (listen_address, listen_address, PROP_LISTEN_ADDRESS)

LodgeMigrationStorage
lodge_migration_get_storage (LodgeMigration *self)
{
  g_return_val_if_fail (LODGE_IS_MIGRATION (self), LODGE_MIGRATION_STORAGE_SHARED);
  return self->options.storage;
}

void
lodge_migration_set_storage (LodgeMigration        *self,
                             LodgeMigrationStorage  storage)
{
  g_return_if_fail (LODGE_IS_MIGRATION (self));
  g_return_if_fail (!self->started);

  if (self->options.storage == storage)
    return;
  self->options.storage = storage;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORAGE]);
}

#define FIGURE(name)                                                        \
  guint64                                                                   \
  lodge_migration_get_##name (LodgeMigration *self)                         \
  {                                                                         \
    g_return_val_if_fail (LODGE_IS_MIGRATION (self), 0);                    \
    return self->progress.name;                                             \
  }

FIGURE (memory_processed)
FIGURE (memory_remaining)
FIGURE (memory_total)
FIGURE (disk_processed)
FIGURE (disk_remaining)
FIGURE (disk_total)
FIGURE (rate)
FIGURE (dirty_rate)
FIGURE (expected_downtime)
FIGURE (downtime)
FIGURE (elapsed)

LodgeMigrationPhase
lodge_migration_get_phase (LodgeMigration *self)
{
  g_return_val_if_fail (LODGE_IS_MIGRATION (self), LODGE_MIGRATION_PHASE_NONE);
  return self->progress.phase;
}
