/* lodge-machine.h: one libvirt domain as a GObject
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

#define LODGE_TYPE_MACHINE (lodge_machine_get_type ())

G_DECLARE_FINAL_TYPE (LodgeMachine, lodge_machine, LODGE, MACHINE, GObject)

/* Properties (all read-only from outside, notified only on change):
 *   connection     LodgeConnection*  (weak: the connection owns its machines)
 *   uuid           string
 *   name           string   libvirt's name
 *   title          string   libvirt's <title>, may be NULL
 *   display-name   string   title if set, else name
 *   description    string   libvirt's <description>, may be NULL
 *   state          LodgeMachineState
 *   os-id          string   libosinfo id from the libosinfo metadata, may be NULL
 *   memory         guint64  configured memory, bytes
 *   vcpus          guint
 *   persistent     boolean  false for transient domains
 *   has-managed-save boolean
 *   cpu-usage      double   0..100, percent of the machine's vCPUs; -1 when unknown
 *   memory-used    guint64  bytes, 0 when unknown
 *   last-used      gint64   unix time the machine was last seen starting or running; 0 unknown
 */
LodgeConnection   *lodge_machine_get_connection        (LodgeMachine *self);
const char        *lodge_machine_get_uuid              (LodgeMachine *self);
const char        *lodge_machine_get_name              (LodgeMachine *self);
const char        *lodge_machine_get_title             (LodgeMachine *self);
const char        *lodge_machine_get_display_name      (LodgeMachine *self);
const char        *lodge_machine_get_description       (LodgeMachine *self);
LodgeMachineState  lodge_machine_get_state             (LodgeMachine *self);
const char        *lodge_machine_get_os_id             (LodgeMachine *self);
guint64            lodge_machine_get_memory            (LodgeMachine *self);
guint              lodge_machine_get_vcpus             (LodgeMachine *self);
gboolean           lodge_machine_get_persistent        (LodgeMachine *self);
gboolean           lodge_machine_get_has_managed_save  (LodgeMachine *self);
double             lodge_machine_get_cpu_usage         (LodgeMachine *self);
guint64            lodge_machine_get_memory_used       (LodgeMachine *self);
gint64             lodge_machine_get_last_used         (LodgeMachine *self);

/* The raw figures of the last stats tick (for graphs): counters are
 * cumulative since the machine started, summed over its devices; compute
 * rates from two samples. Cheap; read it from LodgeConnection::stats-updated. */
typedef struct
{
  gint64  timestamp;        /* g_get_monotonic_time () when read, µs */
  guint64 cpu_time;         /* ns of CPU time used by the machine */
  guint64 memory_used;      /* bytes (balloon rss, else balloon current) */
  guint64 block_rd_bytes;
  guint64 block_wr_bytes;
  guint64 net_rx_bytes;
  guint64 net_tx_bytes;
  guint   vcpus;            /* vCPUs online, 0 when not reported */
} LodgeMachineSample;

/* FALSE (and *sample untouched) when there is no sample: the machine is not
 * active or no tick has read it yet. */
gboolean           lodge_machine_get_sample            (LodgeMachine       *self,
                                                        LodgeMachineSample *sample);

/* Whether an action applies to the current state (for enabling actions). */
gboolean           lodge_machine_can_start             (LodgeMachine *self); /* shut off, crashed, saved */
gboolean           lodge_machine_can_shutdown          (LodgeMachine *self); /* running, paused */
gboolean           lodge_machine_can_force_off         (LodgeMachine *self); /* any active state */
gboolean           lodge_machine_can_reboot            (LodgeMachine *self); /* running */
gboolean           lodge_machine_can_pause             (LodgeMachine *self); /* running */
gboolean           lodge_machine_can_resume            (LodgeMachine *self); /* paused, pmsuspended */
gboolean           lodge_machine_can_save              (LodgeMachine *self); /* running or paused, persistent */
gboolean           lodge_machine_can_rename            (LodgeMachine *self);
gboolean           lodge_machine_can_delete            (LodgeMachine *self);
gboolean           lodge_machine_is_active             (LodgeMachine *self); /* has a running QEMU */

/* Every action runs its libvirt call on a worker thread. The machine's
 * state property changes when libvirt's lifecycle event arrives, not when
 * the call returns. Errors are LODGE_MODEL_ERROR with libvirt's message. */
typedef enum
{
  LODGE_MACHINE_ACTION_START,      /* also restores a managed save */
  LODGE_MACHINE_ACTION_SHUTDOWN,   /* ACPI request */
  LODGE_MACHINE_ACTION_FORCE_OFF,
  LODGE_MACHINE_ACTION_REBOOT,
  LODGE_MACHINE_ACTION_PAUSE,
  LODGE_MACHINE_ACTION_RESUME,
  LODGE_MACHINE_ACTION_SAVE,       /* managed save */
} LodgeMachineAction;

void               lodge_machine_run_action_async      (LodgeMachine        *self,
                                                        LodgeMachineAction   action,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean           lodge_machine_run_action_finish     (LodgeMachine        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* Sets the title (the name users see); works in every state. An empty or
 * NULL title removes it. */
void               lodge_machine_rename_async          (LodgeMachine        *self,
                                                        const char          *title,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean           lodge_machine_rename_finish         (LodgeMachine        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* Force-offs an active machine, undefines it with its managed save, snapshot
 * metadata and NVRAM; with delete_disks also deletes the storage volumes of
 * its disks (only those that belong to a libvirt pool, never CD-ROMs). */
void               lodge_machine_delete_async          (LodgeMachine        *self,
                                                        gboolean             delete_disks,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean           lodge_machine_delete_finish         (LodgeMachine        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* The domain's current XML (inactive definition when with_inactive). */
void               lodge_machine_get_xml_async         (LodgeMachine        *self,
                                                        gboolean             inactive,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
char              *lodge_machine_get_xml_finish        (LodgeMachine        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
