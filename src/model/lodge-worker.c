/* lodge-worker.c: a host's domains and storage, for worker threads
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-worker"

#include "config.h"

#include <stdlib.h>

#include "model/lodge-connection.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-worker-private.h"

/* Each handle owns one libvirt reference (libvirt's objects hold their
 * connection), so that they may be freed in any order. */

struct _LodgeWorkerConnection
{
  virConnectPtr conn;
};

struct _LodgeWorkerDomain
{
  virDomainPtr dom;
};

struct _LodgeWorkerPool
{
  virStoragePoolPtr pool;
};

struct _LodgeWorkerVolume
{
  virStorageVolPtr  vol;
  char             *name;
};

static LodgeWorkerDomain *
domain_new (virDomainPtr dom)
{
  LodgeWorkerDomain *self = g_new0 (LodgeWorkerDomain, 1);

  self->dom = dom;
  return self;
}

static LodgeWorkerPool *
pool_new (virStoragePoolPtr pool)
{
  LodgeWorkerPool *self = g_new0 (LodgeWorkerPool, 1);

  self->pool = pool;
  return self;
}

static LodgeWorkerVolume *
volume_new (virStorageVolPtr vol)
{
  LodgeWorkerVolume *self = g_new0 (LodgeWorkerVolume, 1);

  self->vol = vol;
  self->name = g_strdup (virStorageVolGetName (vol));
  return self;
}

/* Connection ------------------------------------------------------------- */

LodgeWorkerConnection *
lodge_worker_connection_new (LodgeConnection  *connection,
                             GError          **error)
{
  LodgeWorkerConnection *self;
  virConnectPtr conn;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);

  conn = lodge_connection_ref_virconnect (connection);
  if (conn == NULL)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                   _("Not connected to %s"), lodge_connection_get_uri (connection));
      return NULL;
    }

  self = g_new0 (LodgeWorkerConnection, 1);
  self->conn = conn;
  return self;
}

void
lodge_worker_connection_free (LodgeWorkerConnection *self)
{
  if (self == NULL)
    return;
  virConnectClose (self->conn);
  g_free (self);
}

gboolean
lodge_worker_connection_is_alive (LodgeWorkerConnection *self)
{
  int alive;

  g_return_val_if_fail (self != NULL, FALSE);

  alive = virConnectIsAlive (self->conn);
  virResetLastError ();
  return alive == 1;
}

/* Domains ---------------------------------------------------------------- */

LodgeWorkerDomain *
lodge_worker_domain_lookup_by_name (LodgeWorkerConnection  *conn,
                                    const char             *name,
                                    GError                **error)
{
  virDomainPtr dom;

  g_return_val_if_fail (conn != NULL && name != NULL, NULL);

  dom = virDomainLookupByName (conn->conn, name);
  if (dom == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Machine not found"));
      return NULL;
    }
  return domain_new (dom);
}

LodgeWorkerDomain *
lodge_worker_domain_lookup_by_uuid (LodgeWorkerConnection  *conn,
                                    const char             *uuid,
                                    GError                **error)
{
  virDomainPtr dom;

  g_return_val_if_fail (conn != NULL && uuid != NULL, NULL);

  dom = virDomainLookupByUUIDString (conn->conn, uuid);
  if (dom == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Machine not found"));
      return NULL;
    }
  return domain_new (dom);
}

gboolean
lodge_worker_domain_name_exists (LodgeWorkerConnection  *conn,
                                 const char             *name,
                                 gboolean               *exists,
                                 GError                **error)
{
  g_autoptr(LodgeWorkerDomain) dom = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (conn != NULL && name != NULL && exists != NULL, FALSE);

  dom = lodge_worker_domain_lookup_by_name (conn, name, &local_error);
  if (dom != NULL || g_error_matches (local_error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND))
    {
      *exists = dom != NULL;
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

LodgeWorkerDomain *
lodge_worker_domain_define (LodgeWorkerConnection  *conn,
                            const char             *xml,
                            GError                **error)
{
  virDomainPtr dom;

  g_return_val_if_fail (conn != NULL && xml != NULL, NULL);

  dom = virDomainDefineXML (conn->conn, xml);
  if (dom == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Could not set up the machine"));
      return NULL;
    }
  return domain_new (dom);
}

LodgeWorkerDomain *
lodge_worker_domain_create_transient (LodgeWorkerConnection  *conn,
                                      const char             *xml,
                                      GError                **error)
{
  virDomainPtr dom;

  g_return_val_if_fail (conn != NULL && xml != NULL, NULL);

  dom = virDomainCreateXML (conn->conn, xml, 0);
  if (dom == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Could not start the machine"));
      return NULL;
    }
  return domain_new (dom);
}

gboolean
lodge_worker_domain_start (LodgeWorkerDomain  *domain,
                           GError            **error)
{
  g_return_val_if_fail (domain != NULL, FALSE);

  if (virDomainCreate (domain->dom) < 0)
    {
      lodge_model_set_error_from_virt (error, _("Could not start the machine"));
      return FALSE;
    }
  return TRUE;
}

gboolean
lodge_worker_domain_remove (LodgeWorkerDomain  *domain,
                            GError            **error)
{
  g_return_val_if_fail (domain != NULL, FALSE);

  if (virDomainIsActive (domain->dom) == 1 && virDomainDestroy (domain->dom) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not stop the machine"));
      return FALSE;
    }
  /* A transient domain is gone once stopped. */
  if (virDomainIsPersistent (domain->dom) == 1 && lodge_virt_domain_undefine_all (domain->dom) < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not delete the machine"));
      return FALSE;
    }
  virResetLastError ();
  return TRUE;
}

char *
lodge_worker_domain_get_uuid (LodgeWorkerDomain *domain)
{
  char uuid[VIR_UUID_STRING_BUFLEN];

  g_return_val_if_fail (domain != NULL, NULL);

  if (virDomainGetUUIDString (domain->dom, uuid) < 0)
    {
      virResetLastError ();
      return NULL;
    }
  return g_strdup (uuid);
}

void
lodge_worker_domain_free (LodgeWorkerDomain *domain)
{
  if (domain == NULL)
    return;
  virDomainFree (domain->dom);
  g_free (domain);
}

/* Storage pools ---------------------------------------------------------- */

LodgeWorkerPool *
lodge_worker_pool_lookup (LodgeWorkerConnection  *conn,
                          const char             *name,
                          GError                **error)
{
  virStoragePoolPtr pool;

  g_return_val_if_fail (conn != NULL && name != NULL, NULL);

  pool = virStoragePoolLookupByName (conn->conn, name);
  if (pool == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Storage pool not found"));
      return NULL;
    }
  return pool_new (pool);
}

LodgeWorkerPool *
lodge_worker_pool_ensure (LodgeWorkerConnection  *conn,
                          const char             *name,
                          const char             *path,
                          GError                **error)
{
  virStoragePoolPtr pool;
  int active;

  g_return_val_if_fail (conn != NULL && name != NULL && path != NULL, NULL);

  pool = virStoragePoolLookupByName (conn->conn, name);
  if (pool == NULL)
    {
      g_autofree char *escaped_name = g_markup_escape_text (name, -1);
      g_autofree char *escaped_path = g_markup_escape_text (path, -1);
      g_autofree char *xml = NULL;
      g_autofree char *what = NULL;

      virResetLastError ();
      xml = g_strdup_printf ("<pool type='dir'>\n"
                             "  <name>%s</name>\n"
                             "  <target>\n"
                             "    <path>%s</path>\n"
                             "  </target>\n"
                             "</pool>\n", escaped_name, escaped_path);
      pool = virStoragePoolDefineXML (conn->conn, xml, 0);
      if (pool == NULL)
        {
          what = g_strdup_printf (_("Could not set up the storage pool “%s”"), name);
          lodge_model_set_error_from_virt_prefixed (error, what);
          return NULL;
        }
      /* Build makes the directory (with its parents). */
      if (virStoragePoolBuild (pool, 0) < 0)
        {
          what = g_strdup_printf (_("Could not create the folder of the storage pool “%s”"), name);
          lodge_model_set_error_from_virt_prefixed (error, what);
          virStoragePoolUndefine (pool);
          virStoragePoolFree (pool);
          virResetLastError ();
          return NULL;
        }
      virStoragePoolSetAutostart (pool, 1);
      virResetLastError ();
    }

  active = virStoragePoolIsActive (pool);
  if (active == 0 && virStoragePoolCreate (pool, 0) < 0)
    {
      /* Its folder was removed behind libvirt's back: make it again. */
      virResetLastError ();
      if (virStoragePoolBuild (pool, 0) < 0 || virStoragePoolCreate (pool, 0) < 0)
        {
          g_autofree char *what = g_strdup_printf (_("Could not start the storage pool “%s”"), name);

          lodge_model_set_error_from_virt_prefixed (error, what);
          virStoragePoolFree (pool);
          return NULL;
        }
    }

  /* Picks up files added behind libvirt's back and the current free space. */
  if (virStoragePoolRefresh (pool, 0) < 0)
    virResetLastError ();

  return pool_new (pool);
}

gboolean
lodge_worker_pool_get_available (LodgeWorkerPool  *pool,
                                 guint64          *available,
                                 GError          **error)
{
  virStoragePoolInfo info;

  g_return_val_if_fail (pool != NULL && available != NULL, FALSE);

  if (virStoragePoolGetInfo (pool->pool, &info) < 0)
    {
      lodge_model_set_error_from_virt (error, _("Could not read the free space of the storage"));
      return FALSE;
    }
  *available = info.available;
  return TRUE;
}

gboolean
lodge_worker_pool_has_volume (LodgeWorkerPool *pool,
                              const char      *name)
{
  virStorageVolPtr vol;

  g_return_val_if_fail (pool != NULL && name != NULL, FALSE);

  vol = virStorageVolLookupByName (pool->pool, name);
  if (vol == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  virStorageVolFree (vol);
  return TRUE;
}

LodgeWorkerVolume *
lodge_worker_pool_lookup_volume (LodgeWorkerPool  *pool,
                                 const char       *name,
                                 GError          **error)
{
  virStorageVolPtr vol;

  g_return_val_if_fail (pool != NULL && name != NULL, NULL);

  vol = virStorageVolLookupByName (pool->pool, name);
  if (vol == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Storage volume not found"));
      return NULL;
    }
  return volume_new (vol);
}

LodgeWorkerVolume *
lodge_worker_pool_create_volume (LodgeWorkerPool  *pool,
                                 const char       *xml,
                                 GError          **error)
{
  virStorageVolPtr vol;

  g_return_val_if_fail (pool != NULL && xml != NULL, NULL);

  vol = virStorageVolCreateXML (pool->pool, xml, 0);
  if (vol == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Could not create the volume"));
      return NULL;
    }
  return volume_new (vol);
}

void
lodge_worker_pool_free (LodgeWorkerPool *pool)
{
  if (pool == NULL)
    return;
  virStoragePoolFree (pool->pool);
  g_free (pool);
}

/* Volumes ---------------------------------------------------------------- */

LodgeWorkerVolume *
lodge_worker_volume_lookup_by_path (LodgeWorkerConnection  *conn,
                                    const char             *path,
                                    GError                **error)
{
  virStorageVolPtr vol;

  g_return_val_if_fail (conn != NULL && path != NULL, NULL);

  vol = virStorageVolLookupByPath (conn->conn, path);
  if (vol == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Storage volume not found"));
      return NULL;
    }
  return volume_new (vol);
}

const char *
lodge_worker_volume_get_name (LodgeWorkerVolume *volume)
{
  g_return_val_if_fail (volume != NULL, NULL);
  return volume->name;
}

char *
lodge_worker_volume_get_path (LodgeWorkerVolume  *volume,
                              GError            **error)
{
  char *path;
  char *ret;

  g_return_val_if_fail (volume != NULL, NULL);

  path = virStorageVolGetPath (volume->vol);
  if (path == NULL)
    {
      lodge_model_set_error_from_virt (error, _("Could not find the volume’s file"));
      return NULL;
    }
  ret = g_strdup (path);
  free (path);
  return ret;
}

gboolean
lodge_worker_volume_get_capacity (LodgeWorkerVolume  *volume,
                                  guint64            *capacity,
                                  GError            **error)
{
  virStorageVolInfo info;

  g_return_val_if_fail (volume != NULL && capacity != NULL, FALSE);

  if (virStorageVolGetInfo (volume->vol, &info) < 0)
    {
      lodge_model_set_error_from_virt (error, _("Could not read the volume"));
      return FALSE;
    }
  *capacity = info.capacity;
  return TRUE;
}

gboolean
lodge_worker_volume_upload (LodgeWorkerVolume  *volume,
                            const guint8       *data,
                            gsize               len,
                            GError            **error)
{
  virStreamPtr stream;
  gsize sent = 0;

  g_return_val_if_fail (volume != NULL && (data != NULL || len == 0), FALSE);

  stream = virStreamNew (virStorageVolGetConnect (volume->vol), 0);
  if (stream == NULL || virStorageVolUpload (volume->vol, stream, 0, len, 0) < 0)
    goto failed;
  while (sent < len)
    {
      int n = virStreamSend (stream, (const char *) data + sent, MIN (len - sent, 256 * 1024));

      if (n < 0)
        {
          g_autoptr(GError) send_error = NULL;

          /* The abort would replace the reason. */
          lodge_model_set_error_from_virt (&send_error, _("Could not write the volume"));
          virStreamAbort (stream);
          virStreamFree (stream);
          virResetLastError ();
          g_propagate_error (error, g_steal_pointer (&send_error));
          return FALSE;
        }
      sent += (gsize) n;
    }
  if (virStreamFinish (stream) < 0)
    goto failed;
  virStreamFree (stream);
  return TRUE;

failed:
  lodge_model_set_error_from_virt (error, _("Could not write the volume"));
  if (stream != NULL)
    virStreamFree (stream);
  return FALSE;
}

gboolean
lodge_worker_volume_delete (LodgeWorkerVolume  *volume,
                            GError            **error)
{
  g_return_val_if_fail (volume != NULL, FALSE);

  if (virStorageVolDelete (volume->vol, 0) < 0)
    {
      lodge_model_set_error_from_virt (error, _("Could not delete the volume"));
      return FALSE;
    }
  return TRUE;
}

void
lodge_worker_volume_free (LodgeWorkerVolume *volume)
{
  if (volume == NULL)
    return;
  virStorageVolFree (volume->vol);
  g_free (volume->name);
  g_free (volume);
}
