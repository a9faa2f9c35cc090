/* lodge-media-scanner.c: installation media and disk images found in a folder
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "create/lodge-media-scanner.h"
#include "create/lodge-media.h"
#include "create/lodge-os-database.h"

struct _LodgeMediaScanner
{
  GObject          parent_instance;

  LodgeOsDatabase *db;
  GPtrArray       *items;       /* LodgeMedia, newest first */
  GTask           *scan;        /* the running scan */
  guint            generation;  /* bumped by each scan: late results of older ones are dropped */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LodgeMediaScanner, lodge_media_scanner, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_SCANNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const extensions[] = { ".iso", ".img", ".raw", ".qcow2", ".vmdk", ".vdi" };

/* One scan: the files to look at, in order. */
typedef struct
{
  GPtrArray *paths;       /* newest first */
  guint      next;
  guint      generation;
} Scan;

static void
scan_free (Scan *scan)
{
  g_clear_pointer (&scan->paths, g_ptr_array_unref);
  g_free (scan);
}

static GType
list_model_get_item_type (GListModel *model)
{
  return LODGE_TYPE_MEDIA;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return LODGE_MEDIA_SCANNER (model)->items->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  LodgeMediaScanner *self = LODGE_MEDIA_SCANNER (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

static void
lodge_media_scanner_dispose (GObject *object)
{
  LodgeMediaScanner *self = (LodgeMediaScanner *)object;

  g_clear_object (&self->db);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (lodge_media_scanner_parent_class)->dispose (object);
}

static void
lodge_media_scanner_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LodgeMediaScanner *self = LODGE_MEDIA_SCANNER (object);

  switch (prop_id)
    {
    case PROP_SCANNING:
      g_value_set_boolean (value, self->scan != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_media_scanner_class_init (LodgeMediaScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_media_scanner_dispose;
  object_class->get_property = lodge_media_scanner_get_property;

  properties[PROP_SCANNING] =
    g_param_spec_boolean ("scanning", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_media_scanner_init (LodgeMediaScanner *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

LodgeMediaScanner *
lodge_media_scanner_new (LodgeOsDatabase *db)
{
  LodgeMediaScanner *self;

  g_return_val_if_fail (LODGE_IS_OS_DATABASE (db), NULL);

  self = g_object_new (LODGE_TYPE_MEDIA_SCANNER, NULL);
  self->db = g_object_ref (db);
  return self;
}

gboolean
lodge_media_scanner_get_scanning (LodgeMediaScanner *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA_SCANNER (self), FALSE);

  return self->scan != NULL;
}

static gboolean
has_media_extension (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_has_suffix (lower, extensions[i]))
      return TRUE;
  return FALSE;
}

typedef struct
{
  char   *path;
  guint64 mtime;
} Candidate;

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const Candidate *ca = *(Candidate **)a;
  const Candidate *cb = *(Candidate **)b;

  if (ca->mtime != cb->mtime)
    return ca->mtime > cb->mtime ? -1 : 1;
  return g_strcmp0 (ca->path, cb->path);
}

static void
candidate_free (Candidate *candidate)
{
  g_free (candidate->path);
  g_free (candidate);
}

/* Lists the folder on a worker thread. */
static void
list_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *directory = task_data;
  g_autoptr(GFile) dir = g_file_new_for_path (directory);
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify)candidate_free);
  g_autoptr(GError) error = NULL;
  GPtrArray *paths;
  GFileInfo *info;

  enumerator = g_file_enumerate_children (dir,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                          G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                          G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (enumerator == NULL)
    {
      /* No Downloads folder is no error: there is simply nothing. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_free),
                               (GDestroyNotify)g_ptr_array_unref);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  while ((info = g_file_enumerator_next_file (enumerator, cancellable, &error)) != NULL)
    {
      const char *name = g_file_info_get_name (info);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR && has_media_extension (name))
        {
          Candidate *candidate = g_new0 (Candidate, 1);

          candidate->path = g_build_filename (directory, name, NULL);
          candidate->mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
          g_ptr_array_add (candidates, candidate);
        }
      g_object_unref (info);
    }

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_sort (candidates, compare_newest_first);
  paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < candidates->len; i++)
    g_ptr_array_add (paths, g_strdup (((Candidate *)g_ptr_array_index (candidates, i))->path));

  g_task_return_pointer (task, paths, (GDestroyNotify)g_ptr_array_unref);
}

static void identify_next (LodgeMediaScanner *self);

static void
finish_scan (LodgeMediaScanner *self,
             GError            *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->scan);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
lodge_media_scanner_identify_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LodgeMediaScanner) self = user_data;
  g_autoptr(LodgeMedia) media = NULL;
  g_autoptr(GError) error = NULL;
  Scan *scan;

  media = lodge_media_new_for_path_finish (result, &error);

  if (self->scan == NULL)
    return;
  scan = g_task_get_task_data (self->scan);
  if (scan->generation != self->generation)
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish_scan (self, g_steal_pointer (&error));
      return;
    }

  /* Not media: left out quietly, as promised. */
  if (media != NULL)
    {
      g_ptr_array_add (self->items, g_steal_pointer (&media));
      g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
    }

  identify_next (self);
}

static void
identify_next (LodgeMediaScanner *self)
{
  Scan *scan = g_task_get_task_data (self->scan);
  const char *path;

  if (scan->next >= scan->paths->len)
    {
      finish_scan (self, NULL);
      return;
    }

  path = g_ptr_array_index (scan->paths, scan->next++);
  lodge_media_new_for_path_async (self->db, path, g_task_get_cancellable (self->scan),
                                  lodge_media_scanner_identify_cb, g_object_ref (self));
}

static void
lodge_media_scanner_list_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  LodgeMediaScanner *self = LODGE_MEDIA_SCANNER (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(GError) error = NULL;
  GPtrArray *paths;
  Scan *scan;

  paths = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->scan == NULL || generation != self->generation)
    {
      g_clear_pointer (&paths, g_ptr_array_unref);
      return;
    }

  if (paths == NULL)
    {
      finish_scan (self, g_steal_pointer (&error));
      return;
    }

  scan = g_task_get_task_data (self->scan);
  scan->paths = paths;
  identify_next (self);
}

void
lodge_media_scanner_scan_async (LodgeMediaScanner   *self,
                                const char          *directory,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) list = NULL;
  Scan *scan;
  guint removed;

  g_return_if_fail (LODGE_IS_MEDIA_SCANNER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (directory == NULL)
    directory = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  if (directory == NULL)
    directory = g_get_home_dir ();

  /* A scan already running ends now: its remaining results are dropped. */
  if (self->scan != NULL)
    {
      g_autoptr(GTask) old = g_steal_pointer (&self->scan);

      g_task_return_new_error (old, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Replaced by a newer scan"));
    }

  self->generation++;
  removed = self->items->len;
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);

  scan = g_new0 (Scan, 1);
  scan->generation = self->generation;
  self->scan = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->scan, lodge_media_scanner_scan_async);
  g_task_set_task_data (self->scan, scan, (GDestroyNotify)scan_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);

  list = g_task_new (self, cancellable, lodge_media_scanner_list_cb,
                     GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (list, list_worker);
  g_task_set_task_data (list, g_strdup (directory), g_free);
  g_task_run_in_thread (list, list_worker);
}

gboolean
lodge_media_scanner_scan_finish (LodgeMediaScanner  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (LODGE_IS_MEDIA_SCANNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
