/* lodge-snapshots.h: the snapshots of one machine
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_SNAPSHOT (lodge_snapshot_get_type ())

/* One snapshot, plain data. */
typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;
  /*< public >*/
  char     *name;
  char     *parent;         /* parent snapshot's name, NULL for a root */
  char     *description;    /* may be NULL */
  gint64    creation_time;  /* unix time */
  char     *state;          /* machine state when taken: "running", "shutoff", "disk-snapshot"... */
  gboolean  has_memory;     /* reverting resumes the machine where it was */
  gboolean  is_current;
  gboolean  is_external;    /* disks became overlays (UEFI machines, disk-only) */
  guint     depth;          /* 0 for roots; for drawing the tree */
  guint     n_children;
} LodgeSnapshot;

GType          lodge_snapshot_get_type (void) G_GNUC_CONST;
LodgeSnapshot *lodge_snapshot_ref      (LodgeSnapshot *snapshot);
void           lodge_snapshot_unref    (LodgeSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeSnapshot, lodge_snapshot_unref)

#define LODGE_TYPE_SNAPSHOTS (lodge_snapshots_get_type ())

G_DECLARE_FINAL_TYPE (LodgeSnapshots, lodge_snapshots, LODGE, SNAPSHOTS, GObject)

LodgeSnapshots *lodge_snapshots_new                 (LodgeMachine       *machine);

/* All snapshots as a tree flattened depth-first (children after their
 * parent, oldest first at each level): a GPtrArray of LodgeSnapshot. */
void            lodge_snapshots_list_async          (LodgeSnapshots     *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
GPtrArray      *lodge_snapshots_list_finish         (LodgeSnapshots     *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

/* Takes a snapshot; name NULL: a name from the date. A running machine's
 * memory is included (reverting resumes it). Machines with UEFI (pflash)
 * firmware get an external disk-only snapshot, because libvirt 9.0 cannot
 * take internal snapshots of them; returns the new snapshot's name. */
void            lodge_snapshots_create_async        (LodgeSnapshots     *self,
                                                     const char         *name,
                                                     const char         *description,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
char           *lodge_snapshots_create_finish       (LodgeSnapshots     *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

/* Revert, delete (children are kept, attached to the parent) and change the
 * description all complete with lodge_snapshots_action_finish(). */
void            lodge_snapshots_revert_async        (LodgeSnapshots     *self,
                                                     const char         *name,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
void            lodge_snapshots_delete_async        (LodgeSnapshots     *self,
                                                     const char         *name,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
void            lodge_snapshots_set_description_async (LodgeSnapshots   *self,
                                                       const char       *name,
                                                       const char       *description,
                                                       GCancellable     *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer          user_data);
gboolean        lodge_snapshots_action_finish       (LodgeSnapshots     *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

G_END_DECLS
