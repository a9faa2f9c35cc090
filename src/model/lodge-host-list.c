/* lodge-host-list.c: the hosts Lodge knows, as a GListModel
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-host-list"

#include "config.h"

#include "model/lodge-host.h"
#include "model/lodge-host-list.h"

struct _LodgeHostList
{
  GObject     parent_instance;

  GPtrArray  *hosts;
};

static void lodge_host_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LodgeHostList, lodge_host_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, lodge_host_list_model_init))

static GType
lodge_host_list_get_item_type (GListModel *model)
{
  return LODGE_TYPE_HOST;
}

static guint
lodge_host_list_get_n_items (GListModel *model)
{
  return LODGE_HOST_LIST (model)->hosts->len;
}

static gpointer
lodge_host_list_get_item (GListModel *model,
                          guint       position)
{
  LodgeHostList *self = LODGE_HOST_LIST (model);

  if (position >= self->hosts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->hosts, position));
}

static void
lodge_host_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lodge_host_list_get_item_type;
  iface->get_n_items = lodge_host_list_get_n_items;
  iface->get_item = lodge_host_list_get_item;
}

static void
lodge_host_list_dispose (GObject *object)
{
  LodgeHostList *self = LODGE_HOST_LIST (object);

  g_clear_pointer (&self->hosts, g_ptr_array_unref);

  G_OBJECT_CLASS (lodge_host_list_parent_class)->dispose (object);
}

static void
lodge_host_list_class_init (LodgeHostListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lodge_host_list_dispose;
}

static void
lodge_host_list_init (LodgeHostList *self)
{
  self->hosts = g_ptr_array_new_with_free_func (g_object_unref);
}

LodgeHostList *
lodge_host_list_new (void)
{
  return g_object_new (LODGE_TYPE_HOST_LIST, NULL);
}

LodgeHost *
lodge_host_list_lookup (LodgeHostList *self,
                        const char    *uri)
{
  g_return_val_if_fail (LODGE_IS_HOST_LIST (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  for (guint i = 0; i < self->hosts->len; i++)
    {
      LodgeHost *host = g_ptr_array_index (self->hosts, i);

      if (g_str_equal (lodge_host_get_uri_string (host), uri))
        return host;
    }
  return NULL;
}

int
lodge_host_list_find (LodgeHostList *self,
                      LodgeHost     *host)
{
  guint index;

  g_return_val_if_fail (LODGE_IS_HOST_LIST (self), -1);

  return g_ptr_array_find (self->hosts, host, &index) ? (int) index : -1;
}

gboolean
lodge_host_list_add (LodgeHostList *self,
                     LodgeHost     *host)
{
  g_return_val_if_fail (LODGE_IS_HOST_LIST (self), FALSE);
  g_return_val_if_fail (LODGE_IS_HOST (host), FALSE);

  if (lodge_host_list_lookup (self, lodge_host_get_uri_string (host)) != NULL)
    return FALSE;
  g_ptr_array_add (self->hosts, g_object_ref (host));
  g_list_model_items_changed (G_LIST_MODEL (self), self->hosts->len - 1, 0, 1);
  return TRUE;
}

gboolean
lodge_host_list_remove (LodgeHostList *self,
                        LodgeHost     *host)
{
  g_autoptr(LodgeHost) removed = NULL;
  int index;

  g_return_val_if_fail (LODGE_IS_HOST_LIST (self), FALSE);
  g_return_val_if_fail (LODGE_IS_HOST (host), FALSE);

  index = lodge_host_list_find (self, host);
  if (index < 0)
    return FALSE;
  removed = g_ptr_array_steal_index (self->hosts, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
  lodge_host_disconnect (removed);
  return TRUE;
}
