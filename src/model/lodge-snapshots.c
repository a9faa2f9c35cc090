/* lodge-snapshots.c: the snapshots of one machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-snapshots"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "model/lodge-details-private.h"
#include "model/lodge-libvirt.h"
#include "model/lodge-machine-config.h"
#include "model/lodge-snapshots.h"

struct _LodgeSnapshots
{
  GObject parent_instance;

  LodgeDomainTarget target;
};

G_DEFINE_FINAL_TYPE (LodgeSnapshots, lodge_snapshots, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (LodgeSnapshot, lodge_snapshot, lodge_snapshot_ref, lodge_snapshot_unref)

LodgeSnapshot *
lodge_snapshot_ref (LodgeSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  g_atomic_ref_count_inc (&snapshot->ref_count);
  return snapshot;
}

void
lodge_snapshot_unref (LodgeSnapshot *snapshot)
{
  g_return_if_fail (snapshot != NULL);

  if (!g_atomic_ref_count_dec (&snapshot->ref_count))
    return;

  g_free (snapshot->name);
  g_free (snapshot->parent);
  g_free (snapshot->description);
  g_free (snapshot->state);
  g_free (snapshot);
}

typedef enum
{
  SNAP_LIST,
  SNAP_CREATE,
  SNAP_REVERT,
  SNAP_DELETE,
  SNAP_DESCRIBE,
} SnapOpKind;

typedef struct
{
  SnapOpKind     kind;
  virConnectPtr  conn;
  char          *uuid;
  char          *name;
  char          *description;
} SnapOp;

static void
snap_op_free (SnapOp *op)
{
  g_clear_pointer (&op->conn, virConnectClose);
  g_free (op->uuid);
  g_free (op->name);
  g_free (op->description);
  g_free (op);
}




static void
parse_snapshot_xml (LodgeSnapshot *snapshot,
                    const char    *xml)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "snapshot.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *root;
  xmlNode *disks;
  g_autofree char *creation = NULL;
  g_autofree char *memory = NULL;

  if (doc == NULL)
    return;

  root = xmlDocGetRootElement (doc);
  snapshot->description = lodge_xml_text (lodge_xml_child (root, "description"));
  snapshot->state = lodge_xml_text (lodge_xml_child (root, "state"));
  creation = lodge_xml_text (lodge_xml_child (root, "creationTime"));
  snapshot->creation_time = creation ? g_ascii_strtoll (creation, NULL, 10) : 0;
  memory = lodge_xml_prop (lodge_xml_child (root, "memory"), "snapshot");
  snapshot->has_memory = g_strcmp0 (memory, "internal") == 0 || g_strcmp0 (memory, "external") == 0;
  if (memory == NULL)
    snapshot->has_memory = g_strcmp0 (snapshot->state, "running") == 0
                           || g_strcmp0 (snapshot->state, "paused") == 0;

  snapshot->is_external = g_strcmp0 (memory, "external") == 0
                          || g_strcmp0 (snapshot->state, "disk-snapshot") == 0;
  disks = lodge_xml_child (root, "disks");
  for (xmlNode *it = disks ? disks->children : NULL; it != NULL; it = it->next)
    {
      g_autofree char *kind = NULL;

      if (it->type != XML_ELEMENT_NODE)
        continue;
      kind = lodge_xml_prop (it, "snapshot");
      if (g_strcmp0 (kind, "external") == 0)
        snapshot->is_external = TRUE;
    }

  xmlFreeDoc (doc);
}

static int
compare_by_time (gconstpointer a,
                 gconstpointer b)
{
  const LodgeSnapshot *sa = *(LodgeSnapshot * const *) a;
  const LodgeSnapshot *sb = *(LodgeSnapshot * const *) b;

  if (sa->creation_time != sb->creation_time)
    return sa->creation_time < sb->creation_time ? -1 : 1;
  return g_strcmp0 (sa->name, sb->name);
}

static void
flatten (GPtrArray     *sorted,
         GPtrArray     *out,
         const char    *parent,
         guint          depth)
{
  for (guint i = 0; i < sorted->len; i++)
    {
      LodgeSnapshot *snapshot = g_ptr_array_index (sorted, i);

      if (g_strcmp0 (snapshot->parent, parent) != 0)
        continue;
      snapshot->depth = depth;
      g_ptr_array_add (out, lodge_snapshot_ref (snapshot));
      flatten (sorted, out, snapshot->name, depth + 1);
    }
}

static GPtrArray *
list_snapshots (virDomainPtr   dom,
                GError       **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_snapshot_unref);
  GPtrArray *out;
  virDomainSnapshotPtr *snaps = NULL;
  int n;

  n = virDomainListAllSnapshots (dom, &snaps, 0);
  if (n < 0)
    {
      lodge_model_set_error_from_virt (error, NULL);
      return NULL;
    }

  for (int i = 0; i < n; i++)
    {
      LodgeSnapshot *snapshot = g_new0 (LodgeSnapshot, 1);
      virDomainSnapshotPtr parent;
      g_autofree char *xml = NULL;

      g_atomic_ref_count_init (&snapshot->ref_count);
      snapshot->name = g_strdup (virDomainSnapshotGetName (snaps[i]));
      snapshot->is_current = virDomainSnapshotIsCurrent (snaps[i], 0) == 1;

      parent = virDomainSnapshotGetParent (snaps[i], 0);
      if (parent != NULL)
        {
          snapshot->parent = g_strdup (virDomainSnapshotGetName (parent));
          virDomainSnapshotFree (parent);
        }
      virResetLastError ();

      xml = virDomainSnapshotGetXMLDesc (snaps[i], 0);
      if (xml != NULL)
        parse_snapshot_xml (snapshot, xml);

      g_ptr_array_add (all, snapshot);
      virDomainSnapshotFree (snaps[i]);
    }
  free (snaps);

  for (guint i = 0; i < all->len; i++)
    {
      LodgeSnapshot *snapshot = g_ptr_array_index (all, i);

      for (guint j = 0; j < all->len; j++)
        {
          LodgeSnapshot *other = g_ptr_array_index (all, j);

          if (g_strcmp0 (other->parent, snapshot->name) == 0)
            snapshot->n_children++;
        }
    }

  g_ptr_array_sort (all, compare_by_time);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_snapshot_unref);
  flatten (all, out, NULL, 0);

  /* A parent that is missing (metadata edited by hand) must not hide its
   * children: list what the walk did not reach as roots. */
  if (out->len < all->len)
    for (guint i = 0; i < all->len; i++)
      {
        LodgeSnapshot *snapshot = g_ptr_array_index (all, i);
        gboolean seen = FALSE;

        for (guint j = 0; j < out->len && !seen; j++)
          seen = g_ptr_array_index (out, j) == snapshot;
        if (!seen)
          {
            snapshot->depth = 0;
            g_ptr_array_add (out, lodge_snapshot_ref (snapshot));
          }
      }

  return out;
}

static char *
create_snapshot (virDomainPtr   dom,
                 SnapOp        *op,
                 GError       **error)
{
  g_autofree char *domain_xml = NULL;
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autoptr(GString) xml = g_string_new ("<domainsnapshot>");
  g_autofree char *name = NULL;
  virDomainSnapshotPtr snap;
  unsigned int flags = 0;
  gboolean pflash;

  domain_xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  if (domain_xml == NULL)
    {
      lodge_model_set_error_from_virt (error, NULL);
      return NULL;
    }
  config = lodge_machine_config_new_from_xml (domain_xml, error);
  if (config == NULL)
    return NULL;
  pflash = lodge_machine_config_get_has_pflash (config);

  if (op->name != NULL && *op->name != '\0')
    name = g_strdup (op->name);
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      name = g_date_time_format (now, "%Y-%m-%d_%H-%M-%S");
    }

  {
    g_autofree char *escaped = g_markup_escape_text (name, -1);

    g_string_append_printf (xml, "<name>%s</name>", escaped);
  }
  if (op->description != NULL && *op->description != '\0')
    {
      g_autofree char *escaped = g_markup_escape_text (op->description, -1);

      g_string_append_printf (xml, "<description>%s</description>", escaped);
    }
  g_string_append (xml, "</domainsnapshot>");

  /* libvirt 9.0 refuses internal snapshots when the firmware variables live
   * in a pflash image (UEFI). External disk-only snapshots work there. */
  if (pflash)
    flags = VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC;

  snap = virDomainSnapshotCreateXML (dom, xml->str, flags);
  if (snap == NULL)
    {
      if (pflash)
        lodge_model_set_error_from_virt_prefixed (error, _("This machine uses UEFI firmware, so only an external "
                                               "snapshot of its disks is possible, and that failed"));
      else
        lodge_model_set_error_from_virt (error, NULL);
      return NULL;
    }
  virDomainSnapshotFree (snap);
  return g_steal_pointer (&name);
}

static gboolean
describe_snapshot (virDomainPtr          dom,
                   virDomainSnapshotPtr  snap,
                   SnapOp               *op,
                   GError              **error)
{
  g_autofree char *xml = virDomainSnapshotGetXMLDesc (snap, VIR_DOMAIN_SNAPSHOT_XML_SECURE);
  g_autofree char *new_xml = NULL;
  xmlNode *root;
  xmlNode *description;
  xmlDoc *doc;
  virDomainSnapshotPtr redefined;
  unsigned int flags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;

  if (xml == NULL)
    {
      lodge_model_set_error_from_virt (error, NULL);
      return FALSE;
    }

  doc = xmlReadMemory (xml, strlen (xml), "snapshot.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                           _("Could not read the snapshot’s definition"));
      return FALSE;
    }
  root = xmlDocGetRootElement (doc);
  description = lodge_xml_child (root, "description");
  if (description != NULL)
    {
      xmlUnlinkNode (description);
      xmlFreeNode (description);
    }
  if (op->description != NULL && *op->description != '\0')
    {
      xmlNode *name = lodge_xml_child (root, "name");

      /* xmlNewTextChild escapes the text. */
      description = xmlNewTextChild (root, NULL, (const xmlChar *) "description",
                                     (const xmlChar *) op->description);
      if (name != NULL)
        {
          xmlUnlinkNode (description);
          xmlAddNextSibling (name, description);
        }
    }

  new_xml = lodge_xml_node_to_string (doc, root);
  xmlFreeDoc (doc);

  if (virDomainSnapshotIsCurrent (snap, 0) == 1)
    flags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;

  redefined = virDomainSnapshotCreateXML (dom, new_xml, flags);
  if (redefined == NULL)
    {
      lodge_model_set_error_from_virt (error, NULL);
      return FALSE;
    }
  virDomainSnapshotFree (redefined);
  return TRUE;
}

static gboolean
snapshot_is_external (virDomainSnapshotPtr snap)
{
  g_autofree char *xml = virDomainSnapshotGetXMLDesc (snap, 0);
  LodgeSnapshot probe = { 0 };
  gboolean external;

  if (xml == NULL)
    return FALSE;
  parse_snapshot_xml (&probe, xml);
  external = probe.is_external;
  g_free (probe.description);
  g_free (probe.state);
  return external;
}

static void
snapshots_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  SnapOp *op = task_data;
  g_autoptr(GError) error = NULL;
  virDomainSnapshotPtr snap = NULL;
  virDomainPtr dom;
  gboolean ok = FALSE;

  dom = lodge_details_lookup_domain (op->conn, op->uuid, &error);
  if (dom == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (op->kind)
    {
    case SNAP_LIST:
      {
        GPtrArray *list = list_snapshots (dom, &error);

        if (list != NULL)
          g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
        else
          g_task_return_error (task, g_steal_pointer (&error));
        virDomainFree (dom);
        return;
      }

    case SNAP_CREATE:
      {
        char *name = create_snapshot (dom, op, &error);

        if (name != NULL)
          g_task_return_pointer (task, name, g_free);
        else
          g_task_return_error (task, g_steal_pointer (&error));
        virDomainFree (dom);
        return;
      }

    case SNAP_REVERT:
    case SNAP_DELETE:
    case SNAP_DESCRIBE:
    default:
      break;
    }

  snap = virDomainSnapshotLookupByName (dom, op->name, 0);
  if (snap == NULL)
    lodge_model_set_error_from_virt (&error, NULL);
  else if (op->kind == SNAP_REVERT)
    {
      ok = virDomainRevertToSnapshot (snap, 0) == 0;
      if (!ok)
        {
          g_autoptr(GError) virt_error = NULL;

          /* Converted first: the next call resets libvirt's error. */
          lodge_model_set_error_from_virt (&virt_error, NULL);
          if (snapshot_is_external (snap))
            g_set_error (&error, LODGE_MODEL_ERROR, virt_error->code, "%s (%s)",
                         _("This is an external snapshot (the only kind libvirt can take of a UEFI "
                           "machine), and this version of libvirt cannot go back to external snapshots"),
                         virt_error->message);
          else
            g_propagate_error (&error, g_steal_pointer (&virt_error));
        }
    }
  else if (op->kind == SNAP_DELETE)
    {
      ok = virDomainSnapshotDelete (snap, 0) == 0;
      if (!ok)
        lodge_model_set_error_from_virt (&error, NULL);
    }
  else
    ok = describe_snapshot (dom, snap, op, &error);

  g_clear_pointer (&snap, virDomainSnapshotFree);
  virDomainFree (dom);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
run_op (LodgeSnapshots      *self,
        SnapOp              *op,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) snap_op_free);
  op->uuid = g_strdup (self->target.uuid);
  op->conn = lodge_domain_target_ref_conn (&self->target, &error);
  if (op->conn == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  lodge_virt_task_run_in_thread (task, snapshots_thread, &op->conn);
}

static SnapOp *
snap_op_new (SnapOpKind  kind,
             const char *name,
             const char *description)
{
  SnapOp *op = g_new0 (SnapOp, 1);

  op->kind = kind;
  op->name = g_strdup (name);
  op->description = g_strdup (description);
  return op;
}

static void
lodge_snapshots_finalize (GObject *object)
{
  LodgeSnapshots *self = (LodgeSnapshots *) object;

  lodge_domain_target_clear (&self->target);

  G_OBJECT_CLASS (lodge_snapshots_parent_class)->finalize (object);
}

static void
lodge_snapshots_class_init (LodgeSnapshotsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lodge_snapshots_finalize;
}

static void
lodge_snapshots_init (LodgeSnapshots *self)
{
}

LodgeSnapshots *
lodge_snapshots_new (LodgeMachine *machine)
{
  LodgeSnapshots *self;

  g_return_val_if_fail (machine != NULL, NULL);

  self = g_object_new (LODGE_TYPE_SNAPSHOTS, NULL);
  lodge_domain_target_init_machine (&self->target, machine);
  return self;
}

LodgeSnapshots *
lodge_snapshots_new_for_virconnect (virConnectPtr  conn,
                                    const char    *uuid)
{
  LodgeSnapshots *self;

  g_return_val_if_fail (conn != NULL && uuid != NULL, NULL);

  self = g_object_new (LODGE_TYPE_SNAPSHOTS, NULL);
  lodge_domain_target_init_conn (&self->target, conn, uuid);
  return self;
}

void
lodge_snapshots_list_async (LodgeSnapshots      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_SNAPSHOTS (self));
  run_op (self, snap_op_new (SNAP_LIST, NULL, NULL), lodge_snapshots_list_async,
          cancellable, callback, user_data);
}

GPtrArray *
lodge_snapshots_list_finish (LodgeSnapshots  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lodge_snapshots_create_async (LodgeSnapshots      *self,
                              const char          *name,
                              const char          *description,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_SNAPSHOTS (self));
  run_op (self, snap_op_new (SNAP_CREATE, name, description), lodge_snapshots_create_async,
          cancellable, callback, user_data);
}

char *
lodge_snapshots_create_finish (LodgeSnapshots  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lodge_snapshots_revert_async (LodgeSnapshots      *self,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_SNAPSHOTS (self));
  g_return_if_fail (name != NULL);
  run_op (self, snap_op_new (SNAP_REVERT, name, NULL), lodge_snapshots_revert_async,
          cancellable, callback, user_data);
}

void
lodge_snapshots_delete_async (LodgeSnapshots      *self,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_SNAPSHOTS (self));
  g_return_if_fail (name != NULL);
  run_op (self, snap_op_new (SNAP_DELETE, name, NULL), lodge_snapshots_delete_async,
          cancellable, callback, user_data);
}

void
lodge_snapshots_set_description_async (LodgeSnapshots      *self,
                                       const char          *name,
                                       const char          *description,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (LODGE_IS_SNAPSHOTS (self));
  g_return_if_fail (name != NULL);
  run_op (self, snap_op_new (SNAP_DESCRIBE, name, description),
          lodge_snapshots_set_description_async, cancellable, callback, user_data);
}

gboolean
lodge_snapshots_action_finish (LodgeSnapshots  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
