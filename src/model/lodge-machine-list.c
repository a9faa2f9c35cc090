/* lodge-machine-list.c: the machines of one connection as a GListModel
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include "model/lodge-model-private.h"

struct _LodgeMachineList
{
  GObject     parent_instance;
  GPtrArray  *items;      /* LodgeMachine*, owned */
  GHashTable *index;      /* uuid (owned by the machine) -> position + 1 */
  guint       n_running;
};

static void lodge_machine_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LodgeMachineList, lodge_machine_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lodge_machine_list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_N_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
lodge_machine_list_get_item_type (GListModel *model)
{
  return LODGE_TYPE_MACHINE;
}

static guint
lodge_machine_list_get_n_items (GListModel *model)
{
  return LODGE_MACHINE_LIST (model)->items->len;
}

static gpointer
lodge_machine_list_get_item (GListModel *model,
                             guint       position)
{
  LodgeMachineList *self = LODGE_MACHINE_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
lodge_machine_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lodge_machine_list_get_item_type;
  iface->get_n_items = lodge_machine_list_get_n_items;
  iface->get_item = lodge_machine_list_get_item;
}

static void
lodge_machine_list_set_n_running (LodgeMachineList *self,
                                  guint             n_running)
{
  if (self->n_running == n_running)
    return;
  self->n_running = n_running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
}

/* Tracks each machine's activity to keep n-running exact without scans. */
static void
lodge_machine_list_machine_notify_state_cb (LodgeMachine     *machine,
                                            GParamSpec       *pspec,
                                            LodgeMachineList *self)
{
  gboolean was_active = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (machine),
                                                            "lodge-list-active"));
  gboolean active = lodge_machine_is_active (machine);

  if (was_active == active)
    return;

  g_object_set_data (G_OBJECT (machine), "lodge-list-active", GINT_TO_POINTER (active));
  lodge_machine_list_set_n_running (self, active ? self->n_running + 1 : self->n_running - 1);
}

static void
lodge_machine_list_unwatch (LodgeMachineList *self,
                            LodgeMachine     *machine)
{
  g_signal_handlers_disconnect_by_func (machine,
                                        lodge_machine_list_machine_notify_state_cb,
                                        self);
  g_object_set_data (G_OBJECT (machine), "lodge-list-active", NULL);
}

static void
lodge_machine_list_dispose (GObject *object)
{
  LodgeMachineList *self = (LodgeMachineList *)object;

  if (self->items != NULL)
    {
      for (guint i = 0; i < self->items->len; i++)
        lodge_machine_list_unwatch (self, g_ptr_array_index (self->items, i));
    }
  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (lodge_machine_list_parent_class)->dispose (object);
}

static void
lodge_machine_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LodgeMachineList *self = LODGE_MACHINE_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    case PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_machine_list_class_init (LodgeMachineListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_machine_list_dispose;
  object_class->get_property = lodge_machine_list_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Machines with a running QEMU (running, paused, suspended...). */
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_machine_list_init (LodgeMachineList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->index = g_hash_table_new (g_str_hash, g_str_equal);
}

LodgeMachineList *
lodge_machine_list_new (void)
{
  return g_object_new (LODGE_TYPE_MACHINE_LIST, NULL);
}

LodgeMachine *
lodge_machine_list_lookup_uuid (LodgeMachineList *self,
                                const char       *uuid)
{
  gpointer value;

  g_return_val_if_fail (LODGE_IS_MACHINE_LIST (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  value = g_hash_table_lookup (self->index, uuid);
  if (value == NULL)
    return NULL;

  return g_ptr_array_index (self->items, GPOINTER_TO_UINT (value) - 1);
}

guint
lodge_machine_list_get_n_running (LodgeMachineList *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_LIST (self), 0);
  return self->n_running;
}

void
lodge_machine_list_append (LodgeMachineList *self,
                           GPtrArray        *machines)
{
  guint position;
  guint added = 0;
  guint n_running;

  g_return_if_fail (LODGE_IS_MACHINE_LIST (self));

  if (machines == NULL || machines->len == 0)
    return;

  position = self->items->len;
  n_running = self->n_running;

  for (guint i = 0; i < machines->len; i++)
    {
      LodgeMachine *machine = g_ptr_array_index (machines, i);
      const char *uuid = lodge_machine_get_uuid (machine);
      gboolean active;

      if (g_hash_table_contains (self->index, uuid))
        {
          g_warning ("Machine %s is already in the list", uuid);
          continue;
        }

      g_ptr_array_add (self->items, g_object_ref (machine));
      g_hash_table_insert (self->index, (gpointer)uuid,
                           GUINT_TO_POINTER (self->items->len));

      active = lodge_machine_is_active (machine);
      g_object_set_data (G_OBJECT (machine), "lodge-list-active", GINT_TO_POINTER (active));
      if (active)
        n_running++;
      g_signal_connect (machine, "notify::state",
                        G_CALLBACK (lodge_machine_list_machine_notify_state_cb), self);
      added++;
    }

  if (added == 0)
    return;

  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, added);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  lodge_machine_list_set_n_running (self, n_running);
}

LodgeMachine *
lodge_machine_list_remove (LodgeMachineList *self,
                           const char       *uuid)
{
  LodgeMachine *machine;
  gpointer value;
  guint position;
  gboolean was_active;

  g_return_val_if_fail (LODGE_IS_MACHINE_LIST (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  value = g_hash_table_lookup (self->index, uuid);
  if (value == NULL)
    return NULL;

  position = GPOINTER_TO_UINT (value) - 1;
  machine = g_object_ref (g_ptr_array_index (self->items, position));

  g_hash_table_remove (self->index, lodge_machine_get_uuid (machine));
  was_active = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (machine), "lodge-list-active"));
  lodge_machine_list_unwatch (self, machine);
  g_ptr_array_remove_index (self->items, position);

  /* Removal is rare (undefine): renumbering the tail is cheaper than
   * keeping a tree for positions. */
  for (guint i = position; i < self->items->len; i++)
    {
      LodgeMachine *other = g_ptr_array_index (self->items, i);
      g_hash_table_insert (self->index, (gpointer)lodge_machine_get_uuid (other),
                           GUINT_TO_POINTER (i + 1));
    }

  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (was_active)
    lodge_machine_list_set_n_running (self, self->n_running - 1);

  return machine;
}

void
lodge_machine_list_clear (LodgeMachineList *self)
{
  g_autoptr(GPtrArray) old = NULL;

  g_return_if_fail (LODGE_IS_MACHINE_LIST (self));

  if (self->items->len == 0)
    return;

  old = g_steal_pointer (&self->items);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_remove_all (self->index);
  for (guint i = 0; i < old->len; i++)
    lodge_machine_list_unwatch (self, g_ptr_array_index (old, i));

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  lodge_machine_list_set_n_running (self, 0);
}
