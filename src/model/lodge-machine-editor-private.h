/* lodge-machine-editor-private.h: what the machine editor's files share
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each operation has a typed task-data struct whose first member is a
 * LodgeEditTask, and a thread function of its own; lodge_machine_editor_run()
 * starts it. The thread function opens a LodgeEditCtx on the domain, does
 * its work and ends with lodge_edit_task_return().
 */
#pragma once

#include "model/lodge-details-private.h"
#include "model/lodge-machine-editor.h"

G_BEGIN_DECLS

/* The part every task data starts with. */
typedef struct
{
  virConnectPtr     conn;
  char             *uuid;
  /* result, read by lodge_machine_editor_edit_finish() */
  LodgeEditOutcome  outcome;
} LodgeEditTask;

void                lodge_edit_task_clear        (LodgeEditTask      *task);

/* Main thread: fills task's connection and UUID from the editor and runs
 * thread on a worker; task_data is freed with free_func when the GTask
 * goes. */
void                lodge_machine_editor_run     (LodgeMachineEditor  *self,
                                                  gpointer             task_data,
                                                  GDestroyNotify       free_func,
                                                  gpointer             source_tag,
                                                  GTaskThreadFunc      thread,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);

/* What a worker knows about the domain it edits. */
typedef struct
{
  virDomainPtr dom;
  gboolean     active;
  gboolean     persistent;
} LodgeEditCtx;

/* Worker thread: looks the domain up (a clear NOT_FOUND when it went). */
gboolean            lodge_edit_ctx_open          (LodgeEditCtx       *ctx,
                                                  LodgeEditTask      *task,
                                                  GError            **error);
void                lodge_edit_ctx_close         (LodgeEditCtx       *ctx);
/* The definition: the running one, or the saved one when inactive is TRUE
 * or the machine is off. */
char               *lodge_edit_get_xml           (virDomainPtr        dom,
                                                  gboolean            inactive,
                                                  GError            **error);
LodgeMachineConfig *lodge_edit_ctx_get_config    (LodgeEditCtx       *ctx,
                                                  gboolean            inactive,
                                                  GError            **error);
/* VIR_DOMAIN_AFFECT_LIVE when running, _CONFIG when persistent: a change
 * that should hold now and later. */
unsigned int        lodge_edit_ctx_affect_flags  (LodgeEditCtx       *ctx);

/* An edit of the saved definition as a whole: edit changes the parsed
 * inactive XML, libvirt validates the result (and refuses it as a whole).
 * Transient machines have no definition to change. */
typedef gboolean (*LodgeDocEdit) (xmlDoc   *doc,
                                  gpointer  data,
                                  GError  **error);

gboolean            lodge_edit_ctx_edit_definition (LodgeEditCtx      *ctx,
                                                    gpointer           data,
                                                    LodgeDocEdit       edit,
                                                    LodgeEditOutcome  *outcome,
                                                    GError           **error);

/* Main thread: the machine edited, or NULL for an editor made on a bare
 * connection. */
LodgeMachine       *lodge_machine_editor_get_machine (LodgeMachineEditor *self);

/* Worker thread: ends an edit's GTask (a boolean, outcome kept in the
 * task data). */
void                lodge_edit_task_return       (GTask              *task,
                                                  gboolean            ok,
                                                  LodgeEditOutcome    outcome,
                                                  GError             *error);

G_END_DECLS
