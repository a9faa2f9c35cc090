/* lodge-os-database.c: libosinfo's database, loaded once off the main thread
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "create/lodge-os-database.h"
#include "create/lodge-create-private.h"

struct _LodgeOsDatabase
{
  GObject      parent_instance;

  OsinfoLoader *loader;       /* keeps the db alive */
  OsinfoDb     *db;
  GListStore   *os_list;
  GHashTable   *by_id;        /* id and short ids → LodgeOs (borrowed from os_list) */
  LodgeOs      *generic_linux;
  LodgeOs      *generic_windows;
  LodgeOs      *unknown;

  GPtrArray    *waiting;      /* GTasks waiting for the load in progress */
  GError       *load_error;
  guint         loading : 1;
  guint         loaded : 1;
};

G_DEFINE_FINAL_TYPE (LodgeOsDatabase, lodge_os_database, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What the worker hands back. */
typedef struct
{
  OsinfoLoader *loader;
  GPtrArray    *oses;         /* LodgeOs, generic ones first */
  LodgeOs      *generic_linux;
  LodgeOs      *generic_windows;
  LodgeOs      *unknown;
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_clear_object (&result->loader);
  g_clear_pointer (&result->oses, g_ptr_array_unref);
  g_clear_object (&result->generic_linux);
  g_clear_object (&result->generic_windows);
  g_clear_object (&result->unknown);
  g_free (result);
}

static void
lodge_os_database_dispose (GObject *object)
{
  LodgeOsDatabase *self = (LodgeOsDatabase *)object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_object (&self->os_list);
  g_clear_object (&self->generic_linux);
  g_clear_object (&self->generic_windows);
  g_clear_object (&self->unknown);
  self->db = NULL;
  g_clear_object (&self->loader);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_error (&self->load_error);

  G_OBJECT_CLASS (lodge_os_database_parent_class)->dispose (object);
}

static void
lodge_os_database_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LodgeOsDatabase *self = LODGE_OS_DATABASE (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_os_database_class_init (LodgeOsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_os_database_dispose;
  object_class->get_property = lodge_os_database_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_os_database_init (LodgeOsDatabase *self)
{
  self->os_list = g_list_store_new (LODGE_TYPE_OS);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
}

LodgeOsDatabase *
lodge_os_database_new (void)
{
  return g_object_new (LODGE_TYPE_OS_DATABASE, NULL);
}

static int
compare_os_by_name (gconstpointer a,
                    gconstpointer b)
{
  LodgeOs *os_a = *(LodgeOs **)a;
  LodgeOs *os_b = *(LodgeOs **)b;
  const char *key_a = g_object_get_data (G_OBJECT (os_a), "lodge-sort-key");
  const char *key_b = g_object_get_data (G_OBJECT (os_b), "lodge-sort-key");

  return g_strcmp0 (key_a, key_b);
}

/* The newest "Generic Linux YYYY" entry. */
static OsinfoOs *
find_generic_linux (OsinfoOsList *list)
{
  OsinfoOs *best = NULL;
  const char *best_version = NULL;

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoOs *os = OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (list), i));
      const char *id = osinfo_entity_get_id (OSINFO_ENTITY (os));
      const char *version = osinfo_product_get_version (OSINFO_PRODUCT (os));

      if (!g_str_has_prefix (id, "http://libosinfo.org/linux/"))
        continue;
      if (best == NULL || g_strcmp0 (version, best_version) > 0)
        {
          best = os;
          best_version = version;
        }
    }

  return best;
}

static void
lodge_os_database_load_worker (GTask        *task,
                               gpointer      source_object,
                               gpointer      task_data,
                               GCancellable *cancellable)
{
  g_autoptr(OsinfoLoader) loader = osinfo_loader_new ();
  g_autoptr(OsinfoOsList) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  LoadResult *result;
  OsinfoDb *db;
  OsinfoOs *os;

  osinfo_loader_process_default_path (loader, &error);
  if (error != NULL)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                               _("Could not load the operating system database: %s"),
                               error->message);
      return;
    }

  db = osinfo_loader_get_db (loader);
  list = osinfo_db_get_os_list (db);
  if (osinfo_list_get_length (OSINFO_LIST (list)) == 0)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                               _("The operating system database is empty: is osinfo-db installed?"));
      return;
    }

  result = g_new0 (LoadResult, 1);
  result->loader = g_object_ref (loader);
  result->oses = g_ptr_array_new_with_free_func (g_object_unref);

  os = find_generic_linux (list);
  if (os != NULL)
    result->generic_linux = lodge_os_new_for_osinfo (os, _("Generic Linux"), TRUE);
  os = osinfo_db_get_os (db, LODGE_OS_ID_GENERIC_WINDOWS);
  if (os != NULL)
    result->generic_windows = lodge_os_new_for_osinfo (os, _("Generic Windows"), TRUE);
  os = osinfo_db_get_os (db, LODGE_OS_ID_UNKNOWN);
  if (os != NULL)
    result->unknown = lodge_os_new_for_osinfo (os, _("Unknown operating system"), TRUE);
  else
    {
      /* An osinfo-db without the entry: make our own. */
      g_autoptr(OsinfoOs) made = osinfo_os_new (LODGE_OS_ID_UNKNOWN);
      result->unknown = lodge_os_new_for_osinfo (made, _("Unknown operating system"), TRUE);
    }

  if (result->generic_linux != NULL)
    g_ptr_array_add (result->oses, g_object_ref (result->generic_linux));
  if (result->generic_windows != NULL)
    g_ptr_array_add (result->oses, g_object_ref (result->generic_windows));
  g_ptr_array_add (result->oses, g_object_ref (result->unknown));

  rest = g_ptr_array_new_with_free_func (g_object_unref);
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoOs *each = OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (list), i));
      LodgeOs *lodge_os;

      if (g_strcmp0 (osinfo_entity_get_id (OSINFO_ENTITY (each)), LODGE_OS_ID_UNKNOWN) == 0)
        continue;

      lodge_os = lodge_os_new_for_osinfo (each, NULL, FALSE);
      g_object_set_data_full (G_OBJECT (lodge_os), "lodge-sort-key",
                              g_utf8_collate_key_for_filename (lodge_os_get_name (lodge_os), -1),
                              g_free);
      g_ptr_array_add (rest, lodge_os);
    }
  g_ptr_array_sort (rest, compare_os_by_name);
  for (guint i = 0; i < rest->len; i++)
    g_ptr_array_add (result->oses, g_object_ref (g_ptr_array_index (rest, i)));

  g_task_return_pointer (task, result, (GDestroyNotify)load_result_free);
}

static void
lodge_os_database_load_cb (GObject      *object,
                           GAsyncResult *res,
                           gpointer      user_data)
{
  LodgeOsDatabase *self = LODGE_OS_DATABASE (object);
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GError) error = NULL;
  LoadResult *result;

  g_assert (G_IS_TASK (res));

  self->loading = FALSE;
  waiting = g_steal_pointer (&self->waiting);
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (result == NULL)
    {
      /* Kept so that a later call can retry. */
      for (guint i = 0; i < waiting->len; i++)
        g_task_return_error (g_ptr_array_index (waiting, i), g_error_copy (error));
      return;
    }

  self->loader = g_steal_pointer (&result->loader);
  self->db = osinfo_loader_get_db (self->loader);
  self->generic_linux = g_steal_pointer (&result->generic_linux);
  self->generic_windows = g_steal_pointer (&result->generic_windows);
  self->unknown = g_steal_pointer (&result->unknown);

  for (guint i = 0; i < result->oses->len; i++)
    {
      LodgeOs *os = g_ptr_array_index (result->oses, i);
      const char *short_id = lodge_os_get_short_id (os);

      /* The generic entries are reached through their getters; the real
       * entries own their ids. */
      if (lodge_os_get_generic (os) && os != self->unknown)
        continue;
      g_hash_table_insert (self->by_id, (gpointer)lodge_os_get_id (os), os);
      if (short_id != NULL)
        g_hash_table_insert (self->by_id, (gpointer)short_id, os);
    }

  self->loaded = TRUE;
  g_list_store_splice (self->os_list, 0, 0, result->oses->pdata, result->oses->len);
  load_result_free (result);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);

  for (guint i = 0; i < waiting->len; i++)
    g_task_return_boolean (g_ptr_array_index (waiting, i), TRUE);
}

void
lodge_os_database_load_async (LodgeOsDatabase     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LODGE_IS_OS_DATABASE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_os_database_load_async);

  if (self->loaded)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_ptr_array_add (self->waiting, g_steal_pointer (&task));

  if (!self->loading)
    {
      g_autoptr(GTask) load = NULL;

      self->loading = TRUE;
      /* The load itself is not cancellable: another caller may want it. */
      load = g_task_new (self, NULL, lodge_os_database_load_cb, NULL);
      g_task_set_source_tag (load, lodge_os_database_load_worker);
      g_task_run_in_thread (load, lodge_os_database_load_worker);
    }
}

gboolean
lodge_os_database_load_finish (LodgeOsDatabase  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (LODGE_IS_OS_DATABASE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lodge_os_database_get_loaded (LodgeOsDatabase *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DATABASE (self), FALSE);

  return self->loaded;
}

GListModel *
lodge_os_database_get_os_list (LodgeOsDatabase *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DATABASE (self), NULL);

  return G_LIST_MODEL (self->os_list);
}

LodgeOs *
lodge_os_database_lookup (LodgeOsDatabase *self,
                          const char      *id)
{
  g_return_val_if_fail (LODGE_IS_OS_DATABASE (self), NULL);

  if (id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_id, id);
}

LodgeOs *
lodge_os_database_get_generic_linux (LodgeOsDatabase *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DATABASE (self), NULL);

  return self->generic_linux;
}

LodgeOs *
lodge_os_database_get_generic_windows (LodgeOsDatabase *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DATABASE (self), NULL);

  return self->generic_windows;
}

LodgeOs *
lodge_os_database_get_unknown (LodgeOsDatabase *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DATABASE (self), NULL);

  return self->unknown;
}

OsinfoDb *
lodge_os_database_get_osinfo_db (LodgeOsDatabase *self)
{
  g_return_val_if_fail (LODGE_IS_OS_DATABASE (self), NULL);

  return self->db;
}
