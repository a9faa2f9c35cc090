/* lodge-os-download.c: installation media libosinfo knows a download address for
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "create/lodge-create-private.h"
#include "create/lodge-downloader.h"
#include "create/lodge-os-download.h"

struct _LodgeOsDownload
{
  GObject   parent_instance;

  LodgeOs  *os;
  char     *url;
  char     *file_name;
  char     *variant;
  char     *search_text;
  gboolean  live;
  gboolean  installer;
};

G_DEFINE_FINAL_TYPE (LodgeOsDownload, lodge_os_download, G_TYPE_OBJECT)

static void
lodge_os_download_finalize (GObject *object)
{
  LodgeOsDownload *self = LODGE_OS_DOWNLOAD (object);

  g_clear_object (&self->os);
  g_free (self->url);
  g_free (self->file_name);
  g_free (self->variant);
  g_free (self->search_text);

  G_OBJECT_CLASS (lodge_os_download_parent_class)->finalize (object);
}

static void
lodge_os_download_class_init (LodgeOsDownloadClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lodge_os_download_finalize;
}

static void
lodge_os_download_init (LodgeOsDownload *self)
{
}

LodgeOsDownload *
lodge_os_download_new (LodgeOs    *os,
                       const char *url,
                       const char *variant,
                       gboolean    live,
                       gboolean    installer)
{
  LodgeOsDownload *self;

  g_return_val_if_fail (LODGE_IS_OS (os), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (LODGE_TYPE_OS_DOWNLOAD, NULL);
  self->os = g_object_ref (os);
  self->url = g_strdup (url);
  self->file_name = lodge_downloader_file_name_for_uri (url);
  self->variant = g_strdup (variant);
  self->live = live;
  self->installer = installer;
  self->search_text = g_utf8_strdown (variant != NULL ? variant : "", -1);
  return self;
}

LodgeOs *
lodge_os_download_get_os (LodgeOsDownload *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DOWNLOAD (self), NULL);

  return self->os;
}

const char *
lodge_os_download_get_url (LodgeOsDownload *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DOWNLOAD (self), NULL);

  return self->url;
}

const char *
lodge_os_download_get_file_name (LodgeOsDownload *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DOWNLOAD (self), NULL);

  return self->file_name;
}

const char *
lodge_os_download_get_variant (LodgeOsDownload *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DOWNLOAD (self), NULL);

  return self->variant;
}

gboolean
lodge_os_download_get_live (LodgeOsDownload *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DOWNLOAD (self), FALSE);

  return self->live;
}

gboolean
lodge_os_download_get_installer (LodgeOsDownload *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DOWNLOAD (self), FALSE);

  return self->installer;
}

gboolean
lodge_os_download_matches (LodgeOsDownload *self,
                           const char      *search)
{
  g_return_val_if_fail (LODGE_IS_OS_DOWNLOAD (self), FALSE);

  if (search == NULL || search[0] == '\0')
    return TRUE;
  return lodge_os_matches (self->os, search) || strstr (self->search_text, search) != NULL;
}

/* Newest release first; then name, then variant. */
static int
compare_downloads (gconstpointer a,
                   gconstpointer b)
{
  LodgeOsDownload *da = *(LodgeOsDownload **) a;
  LodgeOsDownload *db = *(LodgeOsDownload **) b;
  int cmp = g_strcmp0 (lodge_os_get_release_date (db->os), lodge_os_get_release_date (da->os));

  if (cmp != 0)
    return cmp;
  cmp = g_utf8_collate (lodge_os_get_name (da->os), lodge_os_get_name (db->os));
  if (cmp != 0)
    return cmp;
  return g_strcmp0 (da->variant, db->variant);
}

static char *
media_variant (OsinfoMedia *media)
{
  g_autoptr(OsinfoOsVariantList) variants = osinfo_media_get_os_variants (media);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (int i = 0; variants != NULL && i < osinfo_list_get_length (OSINFO_LIST (variants)); i++)
    {
      OsinfoOsVariant *variant = OSINFO_OS_VARIANT (osinfo_list_get_nth (OSINFO_LIST (variants), i));
      const char *name = osinfo_os_variant_get_name (variant);

      if (name != NULL)
        g_ptr_array_add (names, (gpointer) name);
    }
  if (names->len == 0)
    return NULL;

  g_ptr_array_add (names, NULL);
  /* TRANSLATORS: the separator between variant names, e.g. "Server, Workstation" */
  return g_strjoinv (_(", "), (char **) names->pdata);
}

/* The items, sorted; the database must be loaded. Reads only: the
 * database is read-only once loaded, so this may run on a worker thread. */
static GPtrArray *
collect_downloads (LodgeOsDatabase *db)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(OsinfoOsList) list = osinfo_db_get_os_list (lodge_os_database_get_osinfo_db (db));

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoOs *each = OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (list), i));
      g_autoptr(OsinfoMediaList) media_list = osinfo_os_get_media_list (each);
      LodgeOs *os = lodge_os_database_lookup (db, osinfo_entity_get_id (OSINFO_ENTITY (each)));

      if (os == NULL || lodge_os_get_generic (os))
        continue;

      for (int j = 0; j < osinfo_list_get_length (OSINFO_LIST (media_list)); j++)
        {
          OsinfoMedia *media = OSINFO_MEDIA (osinfo_list_get_nth (OSINFO_LIST (media_list), j));
          const char *url = osinfo_media_get_url (media);
          const char *arch = osinfo_media_get_architecture (media);
          g_autofree char *variant = NULL;

          /* Only what runs here at full speed, and each URL once. */
          if (url == NULL || g_strcmp0 (arch, "x86_64") != 0 ||
              !(g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://")) ||
              g_hash_table_contains (seen, url))
            continue;
          g_hash_table_add (seen, (gpointer) url);

          variant = media_variant (media);
          g_ptr_array_add (items, lodge_os_download_new (os, url, variant,
                                                         osinfo_media_get_live (media),
                                                         osinfo_media_get_installer (media)));
        }
    }

  g_ptr_array_sort (items, compare_downloads);
  return items;
}

GListModel *
lodge_os_download_list_new (LodgeOsDatabase *db)
{
  GListStore *store;
  g_autoptr(GPtrArray) items = NULL;

  g_return_val_if_fail (LODGE_IS_OS_DATABASE (db), NULL);

  store = g_list_store_new (LODGE_TYPE_OS_DOWNLOAD);
  if (!lodge_os_database_get_loaded (db))
    return G_LIST_MODEL (store);

  items = collect_downloads (db);
  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  return G_LIST_MODEL (store);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_pointer (task, collect_downloads (task_data), (GDestroyNotify) g_ptr_array_unref);
}

void
lodge_os_download_list_new_async (LodgeOsDatabase     *db,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LODGE_IS_OS_DATABASE (db));
  g_return_if_fail (lodge_os_database_get_loaded (db));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_os_download_list_new_async);
  g_task_set_task_data (task, g_object_ref (db), g_object_unref);
  g_task_run_in_thread (task, list_thread);
}

GListModel *
lodge_os_download_list_new_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_autoptr(GPtrArray) items = NULL;
  GListStore *store;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  items = g_task_propagate_pointer (G_TASK (result), error);
  if (items == NULL)
    return NULL;
  store = g_list_store_new (LODGE_TYPE_OS_DOWNLOAD);
  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  return G_LIST_MODEL (store);
}
