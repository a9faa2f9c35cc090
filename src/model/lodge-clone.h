/* lodge-clone.h: copies a machine with its disks
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

typedef enum
{
  /* Every writable disk copied (virStorageVolCreateXMLFrom): independent. */
  LODGE_CLONE_FULL,
  /* Instant: the current qcow2 disks become a shared read-only base and both
   * machines get a new qcow2 overlay on it. The original machine is changed
   * to use its overlay; it must be shut off and have no snapshots. */
  LODGE_CLONE_LINKED,
} LodgeCloneMode;

#define LODGE_TYPE_CLONE (lodge_clone_get_type ())

G_DECLARE_FINAL_TYPE (LodgeClone, lodge_clone, LODGE, CLONE, GObject)

/* Properties (notified on the main thread, about 4 times a second while
 * copying):
 *   progress  double  0..1 of the bytes to copy
 *   stage     string  what is happening, for people */
LodgeClone *lodge_clone_new                (LodgeMachine        *machine);
double      lodge_clone_get_progress       (LodgeClone          *self);
const char *lodge_clone_get_stage          (LodgeClone          *self);

/* The source must be shut off or paused (a running machine's disks change
 * under the copy). Cancelling completes the task at once with
 * G_IO_ERROR_CANCELLED; the copy of the current disk then finishes in the
 * background and everything made so far is deleted. Returns the new
 * machine's UUID. */
void        lodge_clone_run_async          (LodgeClone          *self,
                                            const char          *new_name,
                                            LodgeCloneMode       mode,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
char       *lodge_clone_run_finish         (LodgeClone          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* A free name like "NAME (clone)" / "NAME-clone-2" for a suggestion; pure. */
char       *lodge_clone_suggest_name       (const char          *name,
                                            const char * const  *taken);

G_END_DECLS
