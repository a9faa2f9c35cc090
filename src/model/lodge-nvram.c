/* lodge-nvram.c: a UEFI machine's firmware variables (NVRAM) as storage
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Firmware variable stores live in libvirt's nvram directory, which is no
 * storage pool. To copy or remove one through libvirt (so that it works on
 * a remote host too) the directory is looked up among the host's pools and,
 * when none holds it, opened as a transient directory pool for the time of
 * the work. Worker threads only.
 */
#define G_LOG_DOMAIN "lodge-nvram"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <string.h>

#include "model/lodge-details-private.h"
#include "model/lodge-machine-config.h"

#define TRANSIENT_PREFIX "lodge-nvram-"

static char *
pool_target_path (virStoragePoolPtr pool)
{
  g_autofree char *xml = virStoragePoolGetXMLDesc (pool, 0);
  xmlDoc *doc;
  char *path = NULL;

  if (xml == NULL)
    return NULL;
  doc = xmlReadMemory (xml, strlen (xml), "pool.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    return NULL;
  path = lodge_xml_text (lodge_xml_child (lodge_xml_child (xmlDocGetRootElement (doc), "target"), "path"));
  xmlFreeDoc (doc);
  return path;
}

static gboolean
same_dir (const char *a,
          const char *b)
{
  g_autofree char *ca = g_canonicalize_filename (a, "/");
  g_autofree char *cb = g_canonicalize_filename (b, "/");

  return g_strcmp0 (ca, cb) == 0;
}

/* The pool whose target is dir, or NULL; *active says whether it runs. */
static virStoragePoolPtr
find_pool (virConnectPtr  conn,
           const char    *dir,
           gboolean      *active)
{
  virStoragePoolPtr *pools = NULL;
  virStoragePoolPtr found = NULL;
  int n = virConnectListAllStoragePools (conn, &pools, 0);

  for (int i = 0; i < n; i++)
    {
      g_autofree char *path = found == NULL ? pool_target_path (pools[i]) : NULL;

      if (found == NULL && path != NULL && same_dir (path, dir))
        {
          found = pools[i];
          *active = virStoragePoolIsActive (found) == 1;
        }
      else
        virStoragePoolFree (pools[i]);
    }
  free (pools);
  virResetLastError ();
  return found;
}

gboolean
lodge_nvram_dir_open (virConnectPtr   conn,
                      const char     *dir,
                      LodgeNvramDir  *out,
                      GError        **error)
{
  g_return_val_if_fail (conn != NULL && dir != NULL && out != NULL, FALSE);

  out->pool = NULL;
  out->transient = FALSE;

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      gboolean active = FALSE;
      g_autofree char *escaped = NULL;
      g_autofree char *xml = NULL;
      g_autofree char *name = NULL;

      out->pool = find_pool (conn, dir, &active);
      if (out->pool != NULL)
        {
          if (!active)
            {
              g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                           _("The storage pool “%s” holds the firmware variables but is not active"),
                           virStoragePoolGetName (out->pool));
              g_clear_pointer (&out->pool, virStoragePoolFree);
              return FALSE;
            }
          /* Another Lodge's transient pool is used but left to its maker. */
          virStoragePoolRefresh (out->pool, 0);
          virResetLastError ();
          return TRUE;
        }

      escaped = g_markup_escape_text (dir, -1);
      name = g_strdup_printf (TRANSIENT_PREFIX "%08x", g_random_int ());
      xml = g_strdup_printf ("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>",
                             name, escaped);
      out->pool = virStoragePoolCreateXML (conn, xml, 0);
      if (out->pool != NULL)
        {
          out->transient = TRUE;
          return TRUE;
        }
      /* Someone made a pool on it meanwhile: look again once. */
    }

  lodge_model_set_error_from_virt_prefixed (error, _("Could not reach the firmware variables"));
  return FALSE;
}

void
lodge_nvram_dir_close (LodgeNvramDir *nvram_dir)
{
  if (nvram_dir->pool != NULL && nvram_dir->transient)
    {
      /* A transient pool goes away when stopped; its files stay. */
      if (virStoragePoolDestroy (nvram_dir->pool) < 0)
        virResetLastError ();
    }
  g_clear_pointer (&nvram_dir->pool, virStoragePoolFree);
  nvram_dir->transient = FALSE;
}

virStorageVolPtr
lodge_nvram_dir_lookup (LodgeNvramDir *nvram_dir,
                        const char    *file_name)
{
  virStorageVolPtr vol = virStorageVolLookupByName (nvram_dir->pool, file_name);

  if (vol == NULL)
    virResetLastError ();
  return vol;
}

char *
lodge_nvram_default_dir (virConnectPtr conn)
{
  g_autoptr(LodgeUri) uri = lodge_virt_connect_get_uri (conn);

  /* qemu, qemu+ssh, qemu+unix, … */
  if (uri == NULL || !g_str_equal (lodge_uri_get_driver (uri), "qemu"))
    return NULL;

  /* libvirt's defaults: the system daemon's state directory (also on a
   * remote host); a session daemon's in the user's configuration, known
   * only on this computer. */
  if (lodge_uri_is_system (uri))
    return g_strdup ("/var/lib/libvirt/qemu/nvram");
  if (lodge_uri_is_session (uri) && !lodge_uri_is_remote (uri))
    return g_build_filename (g_get_user_config_dir (), "libvirt", "qemu", "nvram", NULL);
  return NULL;
}

char *
lodge_nvram_path (virConnectPtr       conn,
                  LodgeMachineConfig *config)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  const char *explicit_path = lodge_machine_config_get_nvram (config);

  if (explicit_path != NULL && *explicit_path != '\0')
    return g_strdup (explicit_path);

  /* Without a path libvirt uses <nvram dir>/<name>_VARS.fd. */
  dir = lodge_nvram_default_dir (conn);
  if (dir == NULL || lodge_machine_config_get_name (config) == NULL)
    return NULL;
  file = g_strdup_printf ("%s_VARS.fd", lodge_machine_config_get_name (config));
  return g_build_filename (dir, file, NULL);
}

/* Whether the file at path belongs to the machine: libvirt's name for its
 * store (NAME_VARS.fd), and no other machine of the host points at it. */
gboolean
lodge_nvram_is_own (virConnectPtr  conn,
                    const char    *name,
                    const char    *uuid,
                    const char    *path)
{
  g_autofree char *expected = g_strdup_printf ("%s_VARS.fd", name);
  g_autofree char *base = g_path_get_basename (path);
  virDomainPtr *domains = NULL;
  gboolean own;
  int n;

  if (!g_str_equal (base, expected))
    return FALSE;

  own = TRUE;
  n = virConnectListAllDomains (conn, &domains, 0);
  if (n < 0)
    own = FALSE;
  for (int i = 0; i < n; i++)
    {
      char other_uuid[VIR_UUID_STRING_BUFLEN];

      if (own && virDomainGetUUIDString (domains[i], other_uuid) == 0
          && g_ascii_strcasecmp (other_uuid, uuid) != 0)
        {
          g_autofree char *xml = virDomainGetXMLDesc (domains[i], VIR_DOMAIN_XML_INACTIVE);
          /* Most machines have no variable store: no need to parse theirs. */
          g_autoptr(LodgeMachineConfig) other =
            xml != NULL && strstr (xml, "<nvram") != NULL ? lodge_machine_config_new_from_xml (xml, NULL)
                                                          : NULL;

          if (other != NULL && g_strcmp0 (lodge_machine_config_get_nvram (other), path) == 0)
            own = FALSE;
        }
      virDomainFree (domains[i]);
    }
  free (domains);
  virResetLastError ();
  return own;
}

gboolean
lodge_nvram_remove (virConnectPtr   conn,
                    const char     *path,
                    GError        **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  LodgeNvramDir nvram_dir;
  virStorageVolPtr vol;
  gboolean ok = TRUE;

  if (!lodge_nvram_dir_open (conn, dir, &nvram_dir, error))
    return FALSE;

  vol = lodge_nvram_dir_lookup (&nvram_dir, base);
  if (vol != NULL)
    {
      if (virStorageVolDelete (vol, 0) < 0)
        {
          lodge_model_set_error_from_virt_prefixed (error, _("Could not remove the firmware variables"));
          ok = FALSE;
        }
      virStorageVolFree (vol);
    }
  lodge_nvram_dir_close (&nvram_dir);
  return ok;
}
