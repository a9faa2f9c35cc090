/* lodge-clone.c: copies a machine with its disks
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-clone"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <sys/stat.h>

#include "model/lodge-clone.h"
#include "model/lodge-details-private.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-machine-config.h"

struct _LodgeClone
{
  GObject parent_instance;

  LodgeDomainTarget target;
  double progress;
  char *stage;
  guint poll_source;
};

G_DEFINE_FINAL_TYPE (LodgeClone, lodge_clone, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROGRESS,
  PROP_STAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One disk to clone. */
typedef struct
{
  char             *target;
  char             *source_path;
  char             *format;
  guint64           capacity;
  guint64           allocation;
  virStoragePoolPtr pool;
  virStorageVolPtr  source_vol;
  char             *new_name;        /* the clone's volume */
  char             *new_path;
  char             *overlay_name;    /* linked: the original's new overlay */
  char             *overlay_path;
} CloneDisk;

static void
clone_disk_free (CloneDisk *disk)
{
  g_free (disk->target);
  g_free (disk->source_path);
  g_free (disk->format);
  g_clear_pointer (&disk->pool, virStoragePoolFree);
  g_clear_pointer (&disk->source_vol, virStorageVolFree);
  g_free (disk->new_name);
  g_free (disk->new_path);
  g_free (disk->overlay_name);
  g_free (disk->overlay_path);
  g_free (disk);
}

/* Shared by the worker, its progress poller and the main thread. */
typedef struct
{
  gatomicrefcount  ref_count;
  virConnectPtr    conn;
  char            *uuid;
  char            *new_name;
  LodgeCloneMode   mode;
  GCancellable    *cancellable;

  GMutex           lock;
  guint64          total;
  guint64          done;
  guint64          current;
  virStoragePoolPtr current_pool;   /* borrowed from the disk while copying */
  char            *current_name;
  char            *current_path;
  char            *stage;
  gboolean         finished;
} CloneJob;

static CloneJob *
clone_job_ref (CloneJob *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
clone_job_unref (CloneJob *job)
{
  if (!g_atomic_ref_count_dec (&job->ref_count))
    return;

  g_clear_pointer (&job->conn, virConnectClose);
  g_free (job->uuid);
  g_free (job->new_name);
  g_clear_object (&job->cancellable);
  g_mutex_clear (&job->lock);
  g_free (job->current_name);
  g_free (job->current_path);
  g_free (job->stage);
  g_free (job);
}

static void
job_set_stage (CloneJob   *job,
               const char *stage)
{
  g_mutex_lock (&job->lock);
  g_free (job->stage);
  job->stage = g_strdup (stage);
  g_mutex_unlock (&job->lock);
}

static void
job_set_current (CloneJob          *job,
                 virStoragePoolPtr  pool,
                 const char        *name,
                 const char        *path)
{
  g_mutex_lock (&job->lock);
  job->current_pool = pool;
  g_free (job->current_name);
  job->current_name = g_strdup (name);
  g_free (job->current_path);
  job->current_path = g_strdup (path);
  job->current = 0;
  g_mutex_unlock (&job->lock);
}

/* The poller thread: how far the current target volume has grown. */
static gpointer
clone_poll_thread (gpointer data)
{
  CloneJob *job = data;

  for (;;)
    {
      virStoragePoolPtr pool = NULL;
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      guint64 allocation = 0;
      gboolean finished;

      g_usleep (G_USEC_PER_SEC / 4);

      g_mutex_lock (&job->lock);
      finished = job->finished;
      if (job->current_pool != NULL)
        {
          pool = job->current_pool;
          virStoragePoolRef (pool);
        }
      name = g_strdup (job->current_name);
      path = g_strdup (job->current_path);
      g_mutex_unlock (&job->lock);

      if (finished)
        {
          g_clear_pointer (&pool, virStoragePoolFree);
          break;
        }
      if (pool == NULL || name == NULL)
        {
          g_clear_pointer (&pool, virStoragePoolFree);
          continue;
        }

      {
        virStorageVolPtr vol = virStorageVolLookupByName (pool, name);
        virStorageVolInfo info;

        if (vol != NULL && virStorageVolGetInfo (vol, &info) == 0)
          allocation = info.allocation;
        else if (path != NULL)
          {
            struct stat st;

            /* While libvirt builds a volume it may not answer for it; the
             * file on a local pool tells the same. */
            if (g_stat (path, &st) == 0)
              allocation = (guint64) st.st_blocks * 512;
          }
        virResetLastError ();
        g_clear_pointer (&vol, virStorageVolFree);
      }
      virStoragePoolFree (pool);

      g_mutex_lock (&job->lock);
      if (g_strcmp0 (job->current_name, name) == 0)
        job->current = allocation;
      g_mutex_unlock (&job->lock);
    }

  clone_job_unref (job);
  return NULL;
}




static char *
volume_format (virStorageVolPtr vol)
{
  g_autofree char *xml = virStorageVolGetXMLDesc (vol, 0);
  const char *start;
  const char *end;

  if (xml == NULL || (start = strstr (xml, "<format type='")) == NULL)
    return g_strdup ("raw");
  start += strlen ("<format type='");
  end = strchr (start, '\'');
  return end ? g_strndup (start, end - start) : g_strdup ("raw");
}

/* Points the disks of a definition (by target) at new files. */
static char *
rewrite_domain (const char     *xml,
                GPtrArray      *disks,
                LodgeCloneMode  mode,
                const char     *new_name,
                const char     *new_nvram)
{
  gboolean as_clone = new_name != NULL;
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *root;
  xmlNode *devices;
  char *ret;

  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  devices = lodge_xml_child (root, "devices");

  if (as_clone)
    {
      xmlNode *name = lodge_xml_child (root, "name");
      xmlNode *os = lodge_xml_child (root, "os");
      xmlNode *nvram = lodge_xml_child (os, "nvram");

      xmlNodeSetContent (name, NULL);
      xmlNodeAddContent (name, (const xmlChar *) new_name);
      lodge_xml_remove_children (root, "uuid");
      lodge_xml_remove_children (root, "title");
      /* The copy's own variable store: a path given in the original's
       * definition becomes the copy's new file. Without one libvirt uses
       * NAME_VARS.fd, where the copy of the variables was put. When the
       * variables could not be copied (new_nvram NULL), libvirt makes a
       * fresh store from the template. */
      if (nvram != NULL)
        {
          if (new_nvram != NULL)
            {
              xmlNodeSetContent (nvram, NULL);
              xmlNodeAddContent (nvram, (const xmlChar *) new_nvram);
            }
          else
            {
              xmlUnlinkNode (nvram);
              xmlFreeNode (nvram);
            }
        }

      for (xmlNode *it = devices ? devices->children : NULL; it != NULL; it = it->next)
        if (it->type == XML_ELEMENT_NODE && g_str_equal ((const char *) it->name, "interface"))
          lodge_xml_remove_children (it, "mac");
        else if (it->type == XML_ELEMENT_NODE && g_str_equal ((const char *) it->name, "graphics"))
          {
            g_autofree char *autoport = lodge_xml_prop (it, "autoport");

            /* A fixed port would clash with the original's. */
            if (g_strcmp0 (autoport, "no") == 0)
              {
                xmlUnsetProp (it, (const xmlChar *) "port");
                xmlSetProp (it, (const xmlChar *) "autoport", (const xmlChar *) "yes");
              }
          }
    }

  for (xmlNode *it = devices ? devices->children : NULL; it != NULL; it = it->next)
    {
      g_autofree char *dev = NULL;
      xmlNode *target;

      if (it->type != XML_ELEMENT_NODE || !g_str_equal ((const char *) it->name, "disk"))
        continue;
      target = lodge_xml_child (it, "target");
      dev = lodge_xml_prop (target, "dev");

      for (guint i = 0; i < disks->len; i++)
        {
          CloneDisk *disk = g_ptr_array_index (disks, i);
          const char *path = as_clone ? disk->new_path : disk->overlay_path;
          xmlNode *source;
          xmlNode *driver;

          if (g_strcmp0 (disk->target, dev) != 0)
            continue;

          xmlSetProp (it, (const xmlChar *) "type", (const xmlChar *) "file");
          lodge_xml_remove_children (it, "source");
          lodge_xml_remove_children (it, "backingStore");
          source = xmlNewNode (NULL, (const xmlChar *) "source");
          xmlSetProp (source, (const xmlChar *) "file", (const xmlChar *) path);
          xmlAddPrevSibling (target, source);

          /* Overlays are qcow2 whatever their base is. */
          driver = lodge_xml_child (it, "driver");
          if (driver != NULL)
            xmlSetProp (driver, (const xmlChar *) "type",
                        (const xmlChar *) (mode == LODGE_CLONE_LINKED ? "qcow2" : disk->format));
        }
    }

  ret = lodge_xml_node_to_string (doc, root);
  xmlFreeDoc (doc);
  return ret;
}

static virStorageVolPtr
create_overlay (CloneDisk   *disk,
                const char  *name,
                GError     **error)
{
  g_autofree char *escaped_name = g_markup_escape_text (name, -1);
  g_autofree char *escaped_path = g_markup_escape_text (disk->source_path, -1);
  g_autofree char *xml = NULL;
  virStorageVolPtr vol;

  xml = g_strdup_printf ("<volume><name>%s</name>"
                         "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                         "<target><format type='qcow2'/></target>"
                         "<backingStore><path>%s</path><format type='%s'/></backingStore>"
                         "</volume>",
                         escaped_name, disk->capacity, escaped_path, disk->format);
  vol = virStorageVolCreateXML (disk->pool, xml, 0);
  if (vol == NULL)
    lodge_model_set_error_from_virt_prefixed (error, _("Could not create a linked disk"));
  return vol;
}

static virStorageVolPtr
copy_volume (CloneJob    *job,
             CloneDisk   *disk,
             GError     **error)
{
  g_autofree char *escaped_name = g_markup_escape_text (disk->new_name, -1);
  g_autofree char *xml = NULL;
  g_autofree char *pool_path = NULL;
  g_autofree char *pool_xml = virStoragePoolGetXMLDesc (disk->pool, 0);
  virStorageVolPtr vol;

  xml = g_strdup_printf ("<volume><name>%s</name>"
                         "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                         "<target><format type='%s'/></target></volume>",
                         escaped_name, disk->capacity, disk->format);

  /* The target's path (for the poller's fallback) is <pool path>/<name> in
   * directory pools. */
  if (pool_xml != NULL)
    {
      const char *start = strstr (pool_xml, "<path>");
      const char *end = start ? strstr (start, "</path>") : NULL;

      if (start != NULL && end != NULL)
        {
          g_autofree char *dir = g_strndup (start + 6, end - start - 6);

          pool_path = g_build_filename (dir, disk->new_name, NULL);
        }
    }

  job_set_current (job, disk->pool, disk->new_name, pool_path);
  vol = virStorageVolCreateXMLFrom (disk->pool, xml, disk->source_vol, 0);
  job_set_current (job, NULL, NULL, NULL);

  if (vol == NULL)
    lodge_model_set_error_from_virt_prefixed (error, _("Could not copy a disk"));
  return vol;
}


/* The copy's firmware variables: a copy of the original's store (so its
 * boot entries survive) next to it, named as libvirt names the copy's
 * (NEW_VARS.fd), through libvirt's storage API. Returns FALSE on error;
 * *new_path is the copy's store, NULL when the original has none yet (the
 * copy then starts from the template like the original would). */
static gboolean
copy_nvram (CloneJob            *job,
            LodgeMachineConfig  *config,
            LodgeNvramDir       *nvram_dir,
            GPtrArray           *created,
            char               **new_path,
            GError             **error)
{
  g_autofree char *source_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *new_base = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *vol_xml = NULL;
  virStorageVolPtr source = NULL;
  virStorageVolPtr copy = NULL;
  virStorageVolInfo info;

  *new_path = NULL;
  source_path = lodge_nvram_path (job->conn, config);
  if (source_path == NULL)
    {
      /* A remote session: its directory is unknown. */
      g_message ("The firmware variables of %s are not copied: their place on the host is unknown",
                 lodge_machine_config_get_name (config));
      return TRUE;
    }

  dir = g_path_get_dirname (source_path);
  base = g_path_get_basename (source_path);
  new_base = g_strdup_printf ("%s_VARS.fd", job->new_name);
  *new_path = g_build_filename (dir, new_base, NULL);

  job_set_stage (job, _("Copying the firmware variables"));
  if (!lodge_nvram_dir_open (job->conn, dir, nvram_dir, error))
    goto fail;

  /* Never overwrite a store that is there already. */
  copy = lodge_nvram_dir_lookup (nvram_dir, new_base);
  if (copy != NULL)
    {
      virStorageVolFree (copy);
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("Firmware variables for a machine called “%s” exist already (%s)"),
                   job->new_name, *new_path);
      goto fail;
    }

  source = lodge_nvram_dir_lookup (nvram_dir, base);
  if (source == NULL)
    {
      /* Never started: no variables yet. */
      g_debug ("No firmware variables at %s yet", source_path);
      return TRUE;
    }

  if (virStorageVolGetInfo (source, &info) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not copy the firmware variables"));
      goto fail;
    }
  escaped = g_markup_escape_text (new_base, -1);
  vol_xml = g_strdup_printf ("<volume><name>%s</name>"
                             "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                             "<target><format type='raw'/></target></volume>",
                             escaped, (guint64) info.capacity);
  copy = virStorageVolCreateXMLFrom (nvram_dir->pool, vol_xml, source, 0);
  virStorageVolFree (source);
  if (copy == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not copy the firmware variables"));
      goto fail;
    }
  g_ptr_array_add (created, copy);
  return TRUE;

fail:
  g_clear_pointer (new_path, g_free);
  return FALSE;
}

static char *
clone_machine (CloneJob  *job,
               GError   **error)
{
  g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func ((GDestroyNotify) clone_disk_free);
  g_autoptr(GPtrArray) created = g_ptr_array_new ();
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *clone_xml = NULL;
  g_autofree char *original_xml = NULL;
  g_autofree char *new_nvram = NULL;
  LodgeNvramDir nvram_dir = { NULL, FALSE };
  gboolean original_changed = FALSE;
  virDomainPtr dom = NULL;
  virDomainPtr existing;
  virDomainPtr defined = NULL;
  GPtrArray *devices;
  char uuid[VIR_UUID_STRING_BUFLEN];
  char *ret = NULL;
  int state = 0;
  int reason = 0;

  dom = lodge_details_lookup_domain (job->conn, job->uuid, error);
  if (dom == NULL)
    return NULL;

  if (virDomainGetState (dom, &state, &reason, 0) < 0)
    {
      lodge_model_set_error_from_virt (error, NULL);
      goto out;
    }
  if (job->mode == LODGE_CLONE_LINKED ? state != VIR_DOMAIN_SHUTOFF
                                      : (state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_PAUSED))
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                           job->mode == LODGE_CLONE_LINKED
                           ? _("Shut the machine down before making a linked clone of it")
                           : _("Shut the machine down or pause it before cloning it: its disks "
                               "change while it runs"));
      goto out;
    }

  if (job->mode == LODGE_CLONE_LINKED && virDomainSnapshotNum (dom, 0) > 0)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                           _("A machine with snapshots cannot have linked clones: "
                             "delete its snapshots or make a full copy"));
      goto out;
    }

  existing = virDomainLookupByName (job->conn, job->new_name);
  if (existing != NULL)
    {
      virDomainFree (existing);
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("A machine called “%s” already exists"), job->new_name);
      goto out;
    }
  virResetLastError ();

  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  if (xml == NULL)
    {
      lodge_model_set_error_from_virt (error, NULL);
      goto out;
    }
  original_xml = g_strdup (xml);
  config = lodge_machine_config_new_from_xml (xml, error);
  if (config == NULL)
    goto out;

  /* Which disks to copy: writable ones. CD-ROMs and shared disks are shared. */
  devices = lodge_machine_config_get_devices (config);
  for (guint i = 0; i < devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (devices, i);
      virStorageVolInfo info;
      CloneDisk *disk;
      g_autofree char *ext = NULL;
      const char *dot;

      if (device->kind != LODGE_DEVICE_KIND_DISK || device->readonly || device->shareable
          || device->source == NULL)
        continue;

      disk = g_new0 (CloneDisk, 1);
      g_ptr_array_add (disks, disk);
      disk->target = g_strdup (device->target);

      if (device->pool != NULL && device->volume != NULL)
        {
          virStoragePoolPtr pool = virStoragePoolLookupByName (job->conn, device->pool);

          if (pool != NULL)
            {
              disk->source_vol = virStorageVolLookupByName (pool, device->volume);
              virStoragePoolFree (pool);
            }
        }
      else
        disk->source_vol = virStorageVolLookupByPath (job->conn, device->source);

      if (disk->source_vol == NULL)
        {
          virResetLastError ();
          g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                       _("The disk %s (%s) is not in a storage pool, so it cannot be copied"),
                       device->target, device->source);
          goto out;
        }

      disk->pool = virStoragePoolLookupByVolume (disk->source_vol);
      if (disk->pool == NULL || virStorageVolGetInfo (disk->source_vol, &info) < 0)
        {
          lodge_model_set_error_from_virt (error, NULL);
          goto out;
        }
      disk->capacity = info.capacity;
      disk->allocation = info.allocation;
      disk->source_path = virStorageVolGetPath (disk->source_vol);
      disk->format = volume_format (disk->source_vol);

      dot = strrchr (device->source, '.');
      ext = job->mode == LODGE_CLONE_LINKED ? g_strdup ("qcow2")
                                            : g_strdup (dot && !strchr (dot, '/') ? dot + 1 : "img");
      disk->new_name = g_strdup_printf ("%s-%s.%s", job->new_name, disk->target, ext);
      job->total += job->mode == LODGE_CLONE_FULL ? MAX (disk->allocation, 1) : 1;
    }

  /* The firmware variables first: small, and a failure shows early. */
  if (lodge_machine_config_get_firmware (config) == LODGE_FIRMWARE_UEFI
      || lodge_machine_config_get_has_pflash (config)
      || lodge_machine_config_get_nvram (config) != NULL)
    {
      if (!copy_nvram (job, config, &nvram_dir, created, &new_nvram, error))
        goto out;
      if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
        goto out;
    }

  for (guint i = 0; i < disks->len; i++)
    {
      CloneDisk *disk = g_ptr_array_index (disks, i);
      virStorageVolPtr vol;
      g_autofree char *stage = g_strdup_printf (_("Copying disk %s"), disk->target);

      if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
        goto out;

      job_set_stage (job, stage);
      if (job->mode == LODGE_CLONE_FULL)
        vol = copy_volume (job, disk, error);
      else
        vol = create_overlay (disk, disk->new_name, error);
      if (vol == NULL)
        goto out;

      g_ptr_array_add (created, vol);
      disk->new_path = virStorageVolGetPath (vol);

      g_mutex_lock (&job->lock);
      job->done += job->mode == LODGE_CLONE_FULL ? MAX (disk->allocation, 1) : 1;
      g_mutex_unlock (&job->lock);
    }

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    goto out;

  if (job->mode == LODGE_CLONE_LINKED && disks->len > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d%H%M%S");
      g_autofree char *original = NULL;
      virDomainPtr redefined;

      job_set_stage (job, _("Moving the original onto the shared base"));
      for (guint i = 0; i < disks->len; i++)
        {
          CloneDisk *disk = g_ptr_array_index (disks, i);
          virStorageVolPtr vol;

          disk->overlay_name = g_strdup_printf ("%s-%s-%s.qcow2", virDomainGetName (dom),
                                                disk->target, stamp);
          vol = create_overlay (disk, disk->overlay_name, error);
          if (vol == NULL)
            goto out;
          g_ptr_array_add (created, vol);
          disk->overlay_path = virStorageVolGetPath (vol);
        }

      original = rewrite_domain (xml, disks, job->mode, NULL, NULL);
      redefined = original ? virDomainDefineXMLFlags (job->conn, original, VIR_DOMAIN_DEFINE_VALIDATE) : NULL;
      if (redefined == NULL)
        {
          lodge_model_set_error_from_virt_prefixed (error, _("Could not move the original machine onto its new disk"));
          goto out;
        }
      virDomainFree (redefined);
      original_changed = TRUE;
    }

  job_set_stage (job, _("Defining the copy"));
  clone_xml = rewrite_domain (xml, disks, job->mode, job->new_name, new_nvram);
  if (clone_xml == NULL)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                           _("Could not read the machine’s definition"));
      goto out;
    }

  defined = virDomainDefineXMLFlags (job->conn, clone_xml, VIR_DOMAIN_DEFINE_VALIDATE);
  if (defined == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not define the copy"));
      goto out;
    }

  if (g_cancellable_is_cancelled (job->cancellable))
    {
      virDomainUndefineFlags (defined, VIR_DOMAIN_UNDEFINE_NVRAM);
      g_cancellable_set_error_if_cancelled (job->cancellable, error);
      goto out;
    }

  if (virDomainGetUUIDString (defined, uuid) == 0)
    ret = g_strdup (uuid);
  g_ptr_array_set_size (created, 0);   /* keep them */

out:
  /* Undo what was made when failing or cancelled. */
  if (ret == NULL)
    {
      if (original_changed)
        {
          virDomainPtr restored = virDomainDefineXML (job->conn, original_xml);

          g_clear_pointer (&restored, virDomainFree);
        }
      for (guint i = 0; i < created->len; i++)
        virStorageVolDelete (g_ptr_array_index (created, i), 0);
    }
  for (guint i = 0; i < created->len; i++)
    virStorageVolFree (g_ptr_array_index (created, i));
  lodge_nvram_dir_close (&nvram_dir);
  g_clear_pointer (&defined, virDomainFree);
  g_clear_pointer (&dom, virDomainFree);
  return ret;
}

static void
clone_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CloneJob *job = task_data;
  g_autoptr(GError) error = NULL;
  GThread *poller;
  char *uuid;

  poller = g_thread_new ("lodge-clone-poll", clone_poll_thread, clone_job_ref (job));
  uuid = clone_machine (job, &error);

  g_mutex_lock (&job->lock);
  job->finished = TRUE;
  g_mutex_unlock (&job->lock);
  g_thread_join (poller);

  if (uuid != NULL)
    g_task_return_pointer (task, uuid, g_free);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
lodge_clone_set_progress (LodgeClone *self,
                          double      progress,
                          const char *stage)
{
  if (progress != self->progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  if (g_strcmp0 (stage, self->stage) != 0)
    {
      g_free (self->stage);
      self->stage = g_strdup (stage);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }
}

typedef struct
{
  GWeakRef  self;
  CloneJob *job;
} PollData;

static void
poll_data_free (PollData *data)
{
  g_weak_ref_clear (&data->self);
  clone_job_unref (data->job);
  g_free (data);
}

static gboolean
lodge_clone_poll_cb (gpointer user_data)
{
  PollData *data = user_data;
  g_autoptr(LodgeClone) self = g_weak_ref_get (&data->self);
  g_autofree char *stage = NULL;
  double progress;
  gboolean finished;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&data->job->lock);
  finished = data->job->finished;
  if (data->job->total == 0)
    progress = finished ? 1.0 : 0.0;
  else
    progress = MIN (1.0, (double) (data->job->done + MIN (data->job->current, G_MAXUINT64 / 2))
                         / (double) data->job->total);
  stage = g_strdup (data->job->stage);
  g_mutex_unlock (&data->job->lock);

  lodge_clone_set_progress (self, progress, stage);

  if (finished)
    {
      self->poll_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
lodge_clone_dispose (GObject *object)
{
  LodgeClone *self = (LodgeClone *) object;

  g_clear_handle_id (&self->poll_source, g_source_remove);

  G_OBJECT_CLASS (lodge_clone_parent_class)->dispose (object);
}

static void
lodge_clone_finalize (GObject *object)
{
  LodgeClone *self = (LodgeClone *) object;

  lodge_domain_target_clear (&self->target);
  g_free (self->stage);

  G_OBJECT_CLASS (lodge_clone_parent_class)->finalize (object);
}

static void
lodge_clone_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LodgeClone *self = LODGE_CLONE (object);

  switch (prop_id)
    {
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_STAGE:
      g_value_set_string (value, self->stage);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_clone_class_init (LodgeCloneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_clone_dispose;
  object_class->finalize = lodge_clone_finalize;
  object_class->get_property = lodge_clone_get_property;

  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STAGE] =
    g_param_spec_string ("stage", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_clone_init (LodgeClone *self)
{
}

LodgeClone *
lodge_clone_new (LodgeMachine *machine)
{
  LodgeClone *self;

  g_return_val_if_fail (machine != NULL, NULL);

  self = g_object_new (LODGE_TYPE_CLONE, NULL);
  lodge_domain_target_init_machine (&self->target, machine);
  return self;
}

LodgeClone *
lodge_clone_new_for_virconnect (virConnectPtr  conn,
                                const char    *uuid)
{
  LodgeClone *self;

  g_return_val_if_fail (conn != NULL && uuid != NULL, NULL);

  self = g_object_new (LODGE_TYPE_CLONE, NULL);
  lodge_domain_target_init_conn (&self->target, conn, uuid);
  return self;
}

double
lodge_clone_get_progress (LodgeClone *self)
{
  g_return_val_if_fail (LODGE_IS_CLONE (self), 0.0);
  return self->progress;
}

const char *
lodge_clone_get_stage (LodgeClone *self)
{
  g_return_val_if_fail (LODGE_IS_CLONE (self), NULL);
  return self->stage;
}

void
lodge_clone_run_async (LodgeClone          *self,
                       const char          *new_name,
                       LodgeCloneMode       mode,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PollData *poll;
  CloneJob *job;

  g_return_if_fail (LODGE_IS_CLONE (self));
  g_return_if_fail (new_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_clone_run_async);

  if (*new_name == '\0')
    {
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                               _("The copy needs a name"));
      return;
    }

  job = g_new0 (CloneJob, 1);
  g_atomic_ref_count_init (&job->ref_count);
  g_mutex_init (&job->lock);
  job->uuid = g_strdup (self->target.uuid);
  job->new_name = g_strdup (new_name);
  job->mode = mode;
  /* The worker goes on after a cancel to clean up: it needs its own handle
   * on the cancellable even when the caller drops theirs. */
  job->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  g_task_set_task_data (task, job, (GDestroyNotify) clone_job_unref);

  job->conn = lodge_domain_target_ref_conn (&self->target, &error);
  if (job->conn == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lodge_clone_set_progress (self, 0.0, _("Preparing"));
  g_clear_handle_id (&self->poll_source, g_source_remove);
  poll = g_new0 (PollData, 1);
  g_weak_ref_init (&poll->self, self);
  poll->job = clone_job_ref (job);
  self->poll_source = g_timeout_add_full (G_PRIORITY_DEFAULT, 250, lodge_clone_poll_cb, poll,
                                          (GDestroyNotify) poll_data_free);

  g_task_set_return_on_cancel (task, TRUE);
  lodge_virt_task_run_in_thread (task, clone_thread, &job->conn);
}

char *
lodge_clone_run_finish (LodgeClone    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
lodge_clone_suggest_name (const char         *name,
                          const char * const *taken)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 1; i < 1000; i++)
    {
      g_autofree char *candidate = i == 1 ? g_strdup_printf ("%s-clone", name)
                                          : g_strdup_printf ("%s-clone-%u", name, i);

      if (taken == NULL || !g_strv_contains (taken, candidate))
        return g_steal_pointer (&candidate);
    }
  return g_strdup_printf ("%s-clone-%" G_GINT64_FORMAT, name, g_get_real_time ());
}
