/* lodge-storage-actions.c: what a user does to pools and volumes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every action is an outer GTask (its source object the storage, pool or
 * volume) around a worker task holding plain data and a connection
 * reference. The worker acts, then reads the pool again; the main thread
 * applies that reading to the list before the outer task returns, so the
 * caller sees the result at once (libvirt has no volume events).
 * Streams (clone, upload, download) live in lodge-storage-transfer.c.
 */
#define G_LOG_DOMAIN "lodge-storage"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "model/lodge-libvirt.h"
#include "model/lodge-machine-config.h"
#include "model/lodge-model-private.h"
#include "model/lodge-storage-actions-private.h"
#include "model/lodge-uri.h"

/* Pure helpers ------------------------------------------------------------ */

gboolean
lodge_storage_check_name (const char  *name,
                          gboolean     volume,
                          GError     **error)
{
  if (name == NULL || *name == '\0' || g_str_equal (name, ".") || g_str_equal (name, ".."))
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           volume ? _("Enter a name for the volume") : _("Enter a name for the pool"));
      return FALSE;
    }
  if (strchr (name, '/') != NULL)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   /* Translators: %s is a name the user typed. */
                   _("“%s” has a “/”, which a name cannot have"), name);
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("The name is not valid text"));
      return FALSE;
    }
  return TRUE;
}

char *
lodge_storage_dir_pool_xml (const char *name,
                            const char *path)
{
  return g_markup_printf_escaped ("<pool type='dir'><name>%s</name>"
                                  "<target><path>%s</path></target></pool>", name, path);
}

char *
lodge_storage_volume_xml (const char             *name,
                          const char             *format,
                          guint64                 capacity,
                          LodgeStorageAllocation  allocation,
                          const char             *backing_path,
                          const char             *backing_format)
{
  GString *xml = g_string_new ("<volume>");
  g_autofree char *head = NULL;

  /* libvirt preallocates a file in full when allocation equals capacity;
   * qcow2's metadata preallocation is a flag of the call. */
  head = g_markup_printf_escaped ("<name>%s</name>"
                                  "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                                  "<allocation unit='bytes'>%" G_GUINT64_FORMAT "</allocation>"
                                  "<target><format type='%s'/></target>",
                                  name, capacity,
                                  allocation == LODGE_STORAGE_ALLOCATION_FULL ? capacity : 0,
                                  format);
  g_string_append (xml, head);
  if (backing_path != NULL)
    {
      g_autofree char *backing = NULL;

      if (backing_format != NULL)
        backing = g_markup_printf_escaped ("<backingStore><path>%s</path><format type='%s'/></backingStore>",
                                           backing_path, backing_format);
      else
        backing = g_markup_printf_escaped ("<backingStore><path>%s</path></backingStore>", backing_path);
      g_string_append (xml, backing);
    }
  g_string_append (xml, "</volume>");
  return g_string_free (xml, FALSE);
}

/* Worker side ------------------------------------------------------------- */

/* libvirt's malloc()ed string as GLib's. */
static char *
take_string (char *string)
{
  char *ret = g_strdup (string);

  free (string);
  return ret;
}


void
lodge_storage_action_free (LodgeStorageAction *action)
{
  g_assert (action->conn == NULL); /* closed on the worker */
  g_free (action->pool_uuid);
  g_free (action->vol_key);
  g_free (action->name);
  g_free (action->path);
  g_free (action->format);
  g_free (action->backing_key);
  g_free (action->result_name);
  g_clear_pointer (&action->pool_data, lodge_storage_pool_data_free);
  g_clear_pointer (&action->context, g_main_context_unref);
  g_free (action);
}

virStoragePoolPtr
lodge_storage_action_lookup_pool (LodgeStorageAction  *action,
                                  GError             **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByUUIDString (action->conn, action->pool_uuid);

  if (pool == NULL)
    lodge_model_set_error_from_virt (error, _("The storage pool is gone"));
  return pool;
}

virStorageVolPtr
lodge_storage_action_lookup_volume (LodgeStorageAction  *action,
                                    GError             **error)
{
  virStorageVolPtr vol = virStorageVolLookupByKey (action->conn, action->vol_key);

  if (vol == NULL)
    lodge_model_set_error_from_virt (error, _("The volume is gone"));
  return vol;
}

/* The pool read again after acting; a pool that is gone reads as NULL. */
void
lodge_storage_action_read_pool (LodgeStorageAction *action)
{
  virStoragePoolPtr pool = virStoragePoolLookupByUUIDString (action->conn, action->pool_uuid);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&action->pool_data, lodge_storage_pool_data_free);
  action->pool_gone = pool == NULL;
  if (pool == NULL)
    {
      virResetLastError ();
      return;
    }
  action->pool_data = lodge_storage_pool_data_read (pool, &error);
  if (action->pool_data == NULL)
    {
      /* Not read: left to the pool's events. */
      g_debug ("%s", error->message);
      action->pool_gone = g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND);
    }
  virStoragePoolFree (pool);
}

static char *
vol_format (virStorageVolPtr vol)
{
  g_autoptr(LodgeStorageVolumeData) data = g_new0 (LodgeStorageVolumeData, 1);
  char *xml = virStorageVolGetXMLDesc (vol, 0);

  if (xml == NULL)
    {
      virResetLastError ();
      return NULL;
    }
  lodge_storage_parse_volume_xml (xml, data);
  free (xml);
  return g_steal_pointer (&data->format);
}

static gboolean
disk_uses (LodgeDevice *device,
           const char  *path,
           const char  *pool_name,
           const char  *vol_name)
{
  if (device->kind != LODGE_DEVICE_KIND_DISK && device->kind != LODGE_DEVICE_KIND_CDROM &&
      device->kind != LODGE_DEVICE_KIND_FLOPPY)
    return FALSE;
  if (g_strcmp0 (device->source_type, "volume") == 0)
    return pool_name != NULL && g_strcmp0 (device->pool, pool_name) == 0 &&
           g_strcmp0 (device->volume, vol_name) == 0;
  return path != NULL && g_strcmp0 (device->source, path) == 0;
}

/* The names of the running machines whose disks (CD-ROMs and floppies
 * too) are one of @vols, or NULL when none; FALSE when that cannot be
 * known. */
gboolean
lodge_storage_action_find_users (LodgeStorageAction  *action,
                                 virStorageVolPtr    *vols,
                                 guint                n_vols,
                                 char               **users,
                                 GError             **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pools = g_ptr_array_new_with_free_func (g_free);
  virDomainPtr *domains = NULL;
  int n;

  /* Read once: the volumes' paths and pools. */
  *users = NULL;
  for (guint i = 0; i < n_vols; i++)
    {
      virStoragePoolPtr pool = virStoragePoolLookupByVolume (vols[i]);

      g_ptr_array_add (paths, take_string (virStorageVolGetPath (vols[i])));
      g_ptr_array_add (pools, pool != NULL ? g_strdup (virStoragePoolGetName (pool)) : NULL);
      if (pool != NULL)
        virStoragePoolFree (pool);
      virResetLastError ();
    }

  n = virConnectListAllDomains (action->conn, &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
  if (n < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not find which machines use the volume"));
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      char *xml = virDomainGetXMLDesc (domains[i], 0);
      g_autoptr(LodgeMachineConfig) config = NULL;

      if (xml == NULL)
        {
          virResetLastError (); /* stopped meanwhile */
          virDomainFree (domains[i]);
          continue;
        }
      config = lodge_machine_config_new_from_xml (xml, NULL);
      free (xml);
      virDomainFree (domains[i]);
      if (config == NULL)
        continue;

      for (guint d = 0; d < lodge_machine_config_get_devices (config)->len; d++)
        {
          LodgeDevice *device = g_ptr_array_index (lodge_machine_config_get_devices (config), d);
          gboolean used = FALSE;

          for (guint v = 0; v < n_vols && !used; v++)
            used = disk_uses (device, g_ptr_array_index (paths, v), g_ptr_array_index (pools, v),
                              virStorageVolGetName (vols[v]));
          if (used)
            {
              const char *title = lodge_machine_config_get_title (config);

              g_ptr_array_add (names, g_strdup (title != NULL && *title != '\0' ? title
                                                : lodge_machine_config_get_name (config)));
              break;
            }
        }
    }
  free (domains);

  if (names->len > 0)
    {
      g_ptr_array_add (names, NULL);
      /* Translators: separates the names of machines in a list. */
      *users = g_strjoinv (_(", "), (char **) names->pdata);
    }
  return TRUE;
}

gboolean
lodge_storage_action_check_unused (LodgeStorageAction  *action,
                                   virStorageVolPtr     vol,
                                   GError             **error)
{
  g_autofree char *users = NULL;

  if (!lodge_storage_action_find_users (action, &vol, 1, &users, error))
    return FALSE;
  if (users != NULL)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                   /* Translators: %s is the name of a machine (or several, separated by commas). */
                   _("The volume is in use by the running machine %s. Shut it down first."), users);
      return FALSE;
    }
  return TRUE;
}

/* Progress ----------------------------------------------------------------- */

typedef struct
{
  LodgeStorageProgressFunc func;
  gpointer                 data;
  guint64                  done;
  guint64                  total;
} ProgressCall;

static gboolean
progress_call_cb (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->func (call->done, call->total, call->data);
  return G_SOURCE_REMOVE;
}

void
lodge_storage_action_progress (LodgeStorageAction *action,
                               guint64             done,
                               gboolean            force)
{
  gint64 now = g_get_monotonic_time ();
  ProgressCall *call;

  if (action->progress == NULL)
    return;
  if (!force && now - action->last_progress < G_USEC_PER_SEC / 10)
    return;
  action->last_progress = now;
  call = g_new (ProgressCall, 1);
  call->func = action->progress;
  call->data = action->progress_data;
  call->done = done;
  call->total = action->total;
  /* Queued before the task's result, which comes through the same context. */
  g_main_context_invoke_full (action->context, G_PRIORITY_DEFAULT, progress_call_cb, call, g_free);
}

/* Running ------------------------------------------------------------------ */

LodgeStorageAction *
lodge_storage_action_new (LodgeStorage  *storage,
                          const char    *pool_uuid,
                          GError       **error)
{
  LodgeStorageAction *action;
  virConnectPtr conn;

  if (storage == NULL)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                           _("The storage pool is no longer listed"));
      return NULL;
    }
  conn = lodge_storage_ref_conn (storage, error);
  if (conn == NULL)
    return NULL;
  action = g_new0 (LodgeStorageAction, 1);
  action->conn = conn;
  action->pool_uuid = g_strdup (pool_uuid);
  action->context = g_main_context_ref_thread_default ();
  return action;
}

static void
lodge_storage_action_done_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  LodgeStorageAction *action = g_task_get_task_data (G_TASK (result));
  LodgeStorage *storage = g_task_get_task_data (outer);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* Whatever happened, the pool as it is now. */
  if (action->pool_uuid != NULL && (action->pool_data != NULL || action->pool_gone))
    lodge_storage_apply_action (storage, action->pool_uuid, action->pool_data);

  if (!ok)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  if (action->result_name != NULL)
    {
      LodgeStoragePool *pool = lodge_storage_lookup_pool (storage, action->pool_uuid);
      LodgeStorageVolume *volume = pool != NULL ? lodge_storage_pool_lookup_volume (pool, action->result_name) : NULL;

      if (volume != NULL)
        g_task_return_pointer (outer, g_object_ref (volume), g_object_unref);
      else
        g_task_return_new_error (outer, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                                 _("The new volume “%s” is not listed"), action->result_name);
      return;
    }
  if (action->returns_pool)
    {
      LodgeStoragePool *pool = lodge_storage_lookup_pool (storage, action->pool_uuid);

      if (pool != NULL)
        g_task_return_pointer (outer, g_object_ref (pool), g_object_unref);
      else
        g_task_return_new_error (outer, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                                 _("The new pool “%s” is not listed"), action->name);
      return;
    }
  g_task_return_boolean (outer, TRUE);
}

void
lodge_storage_action_run (LodgeStorageAction  *action,
                          LodgeStorage        *storage,
                          gpointer             source_object,
                          gpointer             source_tag,
                          GTaskThreadFunc      func,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *outer = g_task_new (source_object, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;

  g_task_set_source_tag (outer, source_tag);
  g_task_set_check_cancellable (outer, FALSE);
  g_task_set_task_data (outer, g_object_ref (storage), g_object_unref);
  /* The outer task returns from the callback even if cancelled meanwhile:
   * what was done is reported, never dropped. */
  inner = g_task_new (NULL, cancellable, lodge_storage_action_done_cb, outer);
  g_task_set_source_tag (inner, source_tag);
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, action, (GDestroyNotify) lodge_storage_action_free);
  lodge_virt_task_run_in_thread (inner, func, &action->conn);
}

/* Creating a directory pool ------------------------------------------------ */

static void
create_dir_pool_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  LodgeStorageAction *action = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeUri) uri = NULL;
  g_autofree char *xml = NULL;
  char uuid[VIR_UUID_STRING_BUFLEN];
  virStoragePoolPtr pool;

  pool = virStoragePoolLookupByName (action->conn, action->name);
  if (pool != NULL)
    {
      virStoragePoolFree (pool);
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                               _("A storage pool named “%s” exists already"), action->name);
      return;
    }
  lodge_model_set_error_from_virt (&error, NULL);
  if (!g_error_matches (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND))
    {
      g_prefix_error (&error, _("Could not check the pool’s name: "));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);

  /* On this machine's host the folder is checked here, with a message
   * that says what is wrong; a remote host's libvirt says it when the
   * pool starts. */
  uri = lodge_virt_connect_get_uri (action->conn);
  if (uri != NULL && lodge_uri_has_local_files (uri))
    {
      GStatBuf st;

      if (g_stat (action->path, &st) != 0)
        {
          int saved = errno;
          g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                                   saved == ENOENT ? _("The folder %s does not exist")
                                                   : _("The folder %s cannot be used: %s"),
                                   action->path, g_strerror (saved));
          return;
        }
      if (!S_ISDIR (st.st_mode))
        {
          g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                                   _("%s is not a folder"), action->path);
          return;
        }
    }

  xml = lodge_storage_dir_pool_xml (action->name, action->path);
  pool = virStoragePoolDefineXML (action->conn, xml, 0);
  if (pool == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not define the pool"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (virStoragePoolCreate (pool, 0) < 0 || virStoragePoolSetAutostart (pool, 1) < 0)
    {
      /* Nothing half-made: the definition goes again. */
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not start the pool"));
      if (virStoragePoolIsActive (pool) == 1)
        virStoragePoolDestroy (pool);
      virStoragePoolUndefine (pool);
      virResetLastError ();
      virStoragePoolFree (pool);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (virStoragePoolGetUUIDString (pool, uuid) == 0)
    action->pool_uuid = g_strdup (uuid);
  virStoragePoolFree (pool);
  if (action->pool_uuid != NULL)
    lodge_storage_action_read_pool (action);
  g_task_return_boolean (task, TRUE);
}

void
lodge_storage_create_dir_pool_async (LodgeStorage        *self,
                                     const char          *name,
                                     const char          *path,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  LodgeStorageAction *action;

  g_return_if_fail (LODGE_IS_STORAGE (self));

  if (!lodge_storage_check_name (name, FALSE, &error))
    {
      g_task_report_error (self, callback, user_data, lodge_storage_create_dir_pool_async,
                           g_steal_pointer (&error));
      return;
    }
  if (path == NULL || !g_path_is_absolute (path))
    {
      g_task_report_new_error (self, callback, user_data, lodge_storage_create_dir_pool_async,
                               LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                               _("Enter the full path of the folder, starting with “/”"));
      return;
    }
  action = lodge_storage_action_new (self, NULL, &error);
  if (action == NULL)
    {
      g_task_report_error (self, callback, user_data, lodge_storage_create_dir_pool_async,
                           g_steal_pointer (&error));
      return;
    }
  action->name = g_strdup (name);
  action->path = g_strdup (path);
  action->returns_pool = TRUE;
  lodge_storage_action_run (action, self, self, lodge_storage_create_dir_pool_async,
                            create_dir_pool_thread, cancellable, callback, user_data);
}

LodgeStoragePool *
lodge_storage_create_dir_pool_finish (LodgeStorage  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE (self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Pool actions --------------------------------------------------------------- */

static void
pool_action_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LodgeStorageAction *action = task_data;
  g_autoptr(GError) error = NULL;
  virStoragePoolPtr pool;
  int ret = 0;

  pool = lodge_storage_action_lookup_pool (action, &error);
  if (pool == NULL)
    {
      lodge_storage_action_read_pool (action);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch ((LodgeStoragePoolAction) action->action)
    {
    case LODGE_STORAGE_POOL_ACTION_START:
      {
        char *xml = virStoragePoolGetXMLDesc (pool, 0);
        g_autofree char *type = NULL;

        if (xml != NULL)
          lodge_storage_parse_pool_xml (xml, &type);
        free (xml);
        /* A directory pool whose folder was removed makes it again
         * (building other kinds may format a device: never here). */
        ret = virStoragePoolCreate (pool, 0);
        if (ret < 0 && g_strcmp0 (type, "dir") == 0)
          {
            virResetLastError ();
            if (virStoragePoolBuild (pool, 0) == 0)
              ret = virStoragePoolCreate (pool, 0);
          }
        if (ret < 0)
          lodge_model_set_error_from_virt_prefixed (&error, _("Could not start the pool"));
        break;
      }
    case LODGE_STORAGE_POOL_ACTION_STOP:
      ret = virStoragePoolDestroy (pool);
      if (ret < 0)
        lodge_model_set_error_from_virt_prefixed (&error, _("Could not stop the pool"));
      break;
    case LODGE_STORAGE_POOL_ACTION_REFRESH:
      ret = virStoragePoolRefresh (pool, 0);
      if (ret < 0)
        lodge_model_set_error_from_virt_prefixed (&error, _("Could not refresh the pool"));
      break;
    case LODGE_STORAGE_POOL_ACTION_AUTOSTART_ON:
    case LODGE_STORAGE_POOL_ACTION_AUTOSTART_OFF:
      ret = virStoragePoolSetAutostart (pool, action->action == LODGE_STORAGE_POOL_ACTION_AUTOSTART_ON);
      if (ret < 0)
        lodge_model_set_error_from_virt_prefixed (&error, _("Could not change whether the pool starts with the host"));
      break;
    default:
      g_assert_not_reached ();
    }
  virStoragePoolFree (pool);
  lodge_storage_action_read_pool (action);
  if (ret < 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lodge_storage_pool_run_action_async (LodgeStoragePool       *self,
                                     LodgeStoragePoolAction  action_kind,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data)
{
  g_autoptr(GError) error = NULL;
  LodgeStorageAction *action;

  g_return_if_fail (LODGE_IS_STORAGE_POOL (self));

  action = lodge_storage_action_new (lodge_storage_pool_get_storage (self),
                                     lodge_storage_pool_get_uuid (self), &error);
  if (action == NULL)
    {
      g_task_report_error (self, callback, user_data, lodge_storage_pool_run_action_async,
                           g_steal_pointer (&error));
      return;
    }
  action->action = action_kind;
  lodge_storage_action_run (action, lodge_storage_pool_get_storage (self), self,
                            lodge_storage_pool_run_action_async, pool_action_thread,
                            cancellable, callback, user_data);
}

gboolean
lodge_storage_pool_run_action_finish (LodgeStoragePool  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Deleting a pool ------------------------------------------------------------ */

static gboolean
delete_pool_data (LodgeStorageAction  *action,
                  virStoragePoolPtr    pool,
                  GError             **error)
{
  virStorageVolPtr *vols = NULL;
  g_autofree char *users = NULL;
  int n;

  /* The volumes can be listed and deleted only while the pool runs. */
  if (virStoragePoolIsActive (pool) != 1 && virStoragePoolCreate (pool, 0) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("The pool must run to delete its volumes, and could not start"));
      return FALSE;
    }
  n = virStoragePoolListAllVolumes (pool, &vols, 0);
  if (n < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not list the pool’s volumes"));
      return FALSE;
    }
  if (!lodge_storage_action_find_users (action, vols, n, &users, error))
    ;
  else if (users != NULL)
    g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                 /* Translators: %s is the name of a machine (or several, separated by commas). */
                 _("The pool’s volumes are in use by the running machine %s. Shut it down first."), users);
  else
    for (int i = 0; i < n; i++)
      if (virStorageVolDelete (vols[i], 0) < 0)
        {
          g_autofree char *prefix = g_strdup_printf (_("Could not delete the volume “%s”"),
                                                     virStorageVolGetName (vols[i]));
          lodge_model_set_error_from_virt_prefixed (error, prefix);
          break;
        }
  for (int i = 0; i < n; i++)
    virStorageVolFree (vols[i]);
  free (vols);
  if (error != NULL && *error != NULL)
    return FALSE;

  if (virStoragePoolDestroy (pool) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not stop the pool"));
      return FALSE;
    }
  /* What the pool is made of (a directory pool's folder); a kind that
   * cannot says so, and its definition still goes. */
  if (virStoragePoolDelete (pool, 0) < 0)
    {
      g_autoptr(GError) local = NULL;

      lodge_model_set_error_from_virt (&local, NULL);
      if (!g_error_matches (local, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_SUPPORTED))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local), _("Could not delete the pool’s data: "));
          return FALSE;
        }
    }
  return TRUE;
}

static void
delete_pool_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LodgeStorageAction *action = task_data;
  g_autoptr(GError) error = NULL;
  virStoragePoolPtr pool;
  gboolean ok = TRUE;

  pool = lodge_storage_action_lookup_pool (action, &error);
  if (pool == NULL)
    {
      lodge_storage_action_read_pool (action);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (action->flag)
    ok = delete_pool_data (action, pool, &error);
  else if (virStoragePoolIsActive (pool) == 1 && virStoragePoolDestroy (pool) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not stop the pool"));
      ok = FALSE;
    }
  if (ok && virStoragePoolIsPersistent (pool) == 1 && virStoragePoolUndefine (pool) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not delete the pool"));
      ok = FALSE;
    }
  virResetLastError ();
  virStoragePoolFree (pool);
  lodge_storage_action_read_pool (action);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lodge_storage_pool_delete_async (LodgeStoragePool    *self,
                                 gboolean             delete_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  LodgeStorageAction *action;

  g_return_if_fail (LODGE_IS_STORAGE_POOL (self));

  action = lodge_storage_action_new (lodge_storage_pool_get_storage (self),
                                     lodge_storage_pool_get_uuid (self), &error);
  if (action == NULL)
    {
      g_task_report_error (self, callback, user_data, lodge_storage_pool_delete_async,
                           g_steal_pointer (&error));
      return;
    }
  action->flag = delete_data;
  lodge_storage_action_run (action, lodge_storage_pool_get_storage (self), self,
                            lodge_storage_pool_delete_async, delete_pool_thread,
                            cancellable, callback, user_data);
}

gboolean
lodge_storage_pool_delete_finish (LodgeStoragePool  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Creating a volume ---------------------------------------------------------- */

static void
create_volume_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  LodgeStorageAction *action = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *backing_path = NULL;
  g_autofree char *backing_format = NULL;
  g_autofree char *xml = NULL;
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  unsigned int flags = 0;

  pool = lodge_storage_action_lookup_pool (action, &error);
  if (pool == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (virStoragePoolIsActive (pool) != 1)
    {
      virStoragePoolFree (pool);
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                               _("The pool does not run: start it first"));
      return;
    }
  vol = virStorageVolLookupByName (pool, action->name);
  if (vol != NULL)
    {
      virStorageVolFree (vol);
      virStoragePoolFree (pool);
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                               _("The pool has a volume named “%s” already"), action->name);
      return;
    }
  virResetLastError ();

  if (action->backing_key != NULL)
    {
      virStorageVolPtr backing = virStorageVolLookupByKey (action->conn, action->backing_key);

      if (backing == NULL)
        {
          virStoragePoolFree (pool);
          lodge_model_set_error_from_virt_prefixed (&error, _("The backing volume is gone"));
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      backing_path = take_string (virStorageVolGetPath (backing));
      backing_format = vol_format (backing);
      virStorageVolFree (backing);
    }

  if (action->allocation == LODGE_STORAGE_ALLOCATION_METADATA)
    flags |= VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA;
  xml = lodge_storage_volume_xml (action->name, action->format, action->capacity, action->allocation,
                                  backing_path, backing_format);
  /* libvirt removes what it made if the creation fails. */
  vol = virStorageVolCreateXML (pool, xml, flags);
  if (vol == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not create the volume"));
      virStoragePoolFree (pool);
      lodge_storage_action_read_pool (action);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  action->result_name = g_strdup (virStorageVolGetName (vol));
  virStorageVolFree (vol);
  virStoragePoolFree (pool);
  lodge_storage_action_read_pool (action);
  g_task_return_boolean (task, TRUE);
}

void
lodge_storage_pool_create_volume_async (LodgeStoragePool       *self,
                                        const char             *name,
                                        const char             *format,
                                        guint64                 capacity,
                                        LodgeStorageAllocation  allocation,
                                        LodgeStorageVolume     *backing,
                                        GCancellable           *cancellable,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data)
{
  g_autoptr(GError) error = NULL;
  LodgeStorageAction *action;
  gboolean qcow2;

  g_return_if_fail (LODGE_IS_STORAGE_POOL (self));
  g_return_if_fail (backing == NULL || LODGE_IS_STORAGE_VOLUME (backing));

  qcow2 = g_strcmp0 (format, "qcow2") == 0;
  if (!lodge_storage_check_name (name, TRUE, &error))
    ;
  else if (!qcow2 && g_strcmp0 (format, "raw") != 0)
    g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                 _("Lodge makes volumes of format qcow2 or raw, not “%s”"), format != NULL ? format : "");
  else if (capacity == 0)
    g_set_error_literal (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                         _("A volume needs a size larger than 0"));
  else if (allocation == LODGE_STORAGE_ALLOCATION_METADATA && !qcow2)
    g_set_error_literal (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                         _("Only qcow2 volumes have metadata to allocate"));
  else if (backing != NULL && !qcow2)
    g_set_error_literal (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                         _("Only a qcow2 volume can have a backing volume"));
  else if (backing != NULL && lodge_storage_volume_get_key (backing) == NULL)
    g_set_error_literal (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                         _("The backing volume cannot be found again"));
  if (error == NULL)
    action = lodge_storage_action_new (lodge_storage_pool_get_storage (self),
                                       lodge_storage_pool_get_uuid (self), &error);
  if (error != NULL)
    {
      g_task_report_error (self, callback, user_data, lodge_storage_pool_create_volume_async,
                           g_steal_pointer (&error));
      return;
    }
  action->name = g_strdup (name);
  action->format = g_strdup (format);
  action->capacity = capacity;
  action->allocation = allocation;
  if (backing != NULL)
    action->backing_key = g_strdup (lodge_storage_volume_get_key (backing));
  lodge_storage_action_run (action, lodge_storage_pool_get_storage (self), self,
                            lodge_storage_pool_create_volume_async, create_volume_thread,
                            cancellable, callback, user_data);
}

LodgeStorageVolume *
lodge_storage_pool_create_volume_finish (LodgeStoragePool  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_POOL (self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Volume actions ------------------------------------------------------------- */

LodgeStorageAction *
lodge_storage_volume_action_new (LodgeStorageVolume  *volume,
                                 GError             **error)
{
  LodgeStoragePool *pool = lodge_storage_volume_get_pool (volume);
  LodgeStorageAction *action;

  if (pool == NULL || lodge_storage_volume_get_key (volume) == NULL)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                           _("The volume is no longer listed"));
      return NULL;
    }
  action = lodge_storage_action_new (lodge_storage_pool_get_storage (pool),
                                     lodge_storage_pool_get_uuid (pool), error);
  if (action != NULL)
    action->vol_key = g_strdup (lodge_storage_volume_get_key (volume));
  return action;
}

static gboolean
is_qcow2_file (virStorageVolPtr vol)
{
  g_autofree char *format = vol_format (vol);
  virStorageVolInfo info;

  if (virStorageVolGetInfo (vol, &info) < 0)
    {
      virResetLastError ();
      return FALSE;
    }
  return info.type == VIR_STORAGE_VOL_FILE && g_strcmp0 (format, "qcow2") == 0;
}

/* libvirt wipes a qcow2 file by writing zeros over it, header and all: it
 * is then an empty raw file of the qcow2's old length. Made anew instead,
 * thin, with the same size and backing volume: a qcow2 that reads as
 * zeros (or as its backing volume). */
static gboolean
wipe_qcow2 (virStorageVolPtr   vol,
            GError           **error)
{
  g_autoptr(LodgeStorageVolumeData) data = g_new0 (LodgeStorageVolumeData, 1);
  g_autofree char *name = g_strdup (virStorageVolGetName (vol));
  g_autofree char *backing_format = NULL;
  g_autofree char *xml = NULL;
  virStoragePoolPtr pool;
  virStorageVolInfo info;
  virStorageVolPtr made;
  char *desc;

  if (virStorageVolGetInfo (vol, &info) < 0 || (desc = virStorageVolGetXMLDesc (vol, 0)) == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not read the volume"));
      return FALSE;
    }
  lodge_storage_parse_volume_xml (desc, data);
  free (desc);
  if (data->backing_path != NULL)
    {
      virStorageVolPtr backing = virStorageVolLookupByPath (virStorageVolGetConnect (vol), data->backing_path);

      if (backing != NULL)
        {
          backing_format = vol_format (backing);
          virStorageVolFree (backing);
        }
      virResetLastError ();
    }
  pool = virStoragePoolLookupByVolume (vol);
  if (pool == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not find the volume’s pool"));
      return FALSE;
    }
  xml = lodge_storage_volume_xml (name, "qcow2", info.capacity, LODGE_STORAGE_ALLOCATION_NONE,
                                  data->backing_path, backing_format);
  if (virStorageVolDelete (vol, 0) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not wipe the volume"));
      virStoragePoolFree (pool);
      return FALSE;
    }
  made = virStorageVolCreateXML (pool, xml, 0);
  virStoragePoolFree (pool);
  if (made == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("The volume was emptied but not made again"));
      return FALSE;
    }
  virStorageVolFree (made);
  return TRUE;
}

static void
volume_action_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  LodgeStorageAction *action = task_data;
  g_autoptr(GError) error = NULL;
  virStorageVolPtr vol;
  virStorageVolInfo info;
  gboolean ok = FALSE;

  vol = lodge_storage_action_lookup_volume (action, &error);
  if (vol == NULL)
    {
      lodge_storage_action_read_pool (action);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (action->action)
    {
    case LODGE_STORAGE_VOLUME_ACTION_RESIZE:
      /* QEMU holds a running machine's image locked; its size changes
       * through the machine (a block resize), not here. */
      if (!lodge_storage_action_check_unused (action, vol, &error))
        ;
      else if (virStorageVolGetInfo (vol, &info) < 0)
        lodge_model_set_error_from_virt_prefixed (&error, _("Could not read the volume"));
      else if (action->capacity < info.capacity)
        {
          g_autofree char *now = g_format_size_full (info.capacity, G_FORMAT_SIZE_IEC_UNITS);
          g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                       /* Translators: %s is a size, like "10.0 GiB". */
                       _("Volumes can only grow: this one holds %s, and a smaller size would cut off "
                         "the end of what is written on it"), now);
        }
      else if (action->capacity == info.capacity)
        ok = TRUE;
      else if (virStorageVolResize (vol, action->capacity, 0) < 0)
        lodge_model_set_error_from_virt_prefixed (&error, _("Could not grow the volume"));
      else
        ok = TRUE;
      break;
    case LODGE_STORAGE_VOLUME_ACTION_WIPE:
      if (!lodge_storage_action_check_unused (action, vol, &error))
        ;
      else if (is_qcow2_file (vol))
        ok = wipe_qcow2 (vol, &error);
      else if (virStorageVolWipe (vol, 0) < 0)
        lodge_model_set_error_from_virt_prefixed (&error, _("Could not wipe the volume"));
      else
        ok = TRUE;
      break;
    case LODGE_STORAGE_VOLUME_ACTION_DELETE:
      if (!lodge_storage_action_check_unused (action, vol, &error))
        ;
      else if (virStorageVolDelete (vol, 0) < 0)
        lodge_model_set_error_from_virt_prefixed (&error, _("Could not delete the volume"));
      else
        ok = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }
  virStorageVolFree (vol);
  lodge_storage_action_read_pool (action);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
lodge_storage_volume_run (LodgeStorageVolume  *self,
                          int                  action_kind,
                          guint64              capacity,
                          gpointer             source_tag,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  LodgeStorageAction *action = lodge_storage_volume_action_new (self, &error);

  if (action == NULL)
    {
      g_task_report_error (self, callback, user_data, source_tag, g_steal_pointer (&error));
      return;
    }
  action->action = action_kind;
  action->capacity = capacity;
  lodge_storage_action_run (action, lodge_storage_pool_get_storage (lodge_storage_volume_get_pool (self)),
                            self, source_tag, volume_action_thread, cancellable, callback, user_data);
}

void
lodge_storage_volume_resize_async (LodgeStorageVolume  *self,
                                   guint64              capacity,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_STORAGE_VOLUME (self));

  lodge_storage_volume_run (self, LODGE_STORAGE_VOLUME_ACTION_RESIZE, capacity,
                            lodge_storage_volume_resize_async, cancellable, callback, user_data);
}

gboolean
lodge_storage_volume_resize_finish (LodgeStorageVolume  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_storage_volume_wipe_async (LodgeStorageVolume  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_STORAGE_VOLUME (self));

  lodge_storage_volume_run (self, LODGE_STORAGE_VOLUME_ACTION_WIPE, 0,
                            lodge_storage_volume_wipe_async, cancellable, callback, user_data);
}

gboolean
lodge_storage_volume_wipe_finish (LodgeStorageVolume  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_storage_volume_delete_async (LodgeStorageVolume  *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_STORAGE_VOLUME (self));

  lodge_storage_volume_run (self, LODGE_STORAGE_VOLUME_ACTION_DELETE, 0,
                            lodge_storage_volume_delete_async, cancellable, callback, user_data);
}

gboolean
lodge_storage_volume_delete_finish (LodgeStorageVolume  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_VOLUME (self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
