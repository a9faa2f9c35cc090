/* lodge-libvirt.h: libvirt helpers of the model's worker threads
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model is the only layer that calls libvirt: its files that do so on
 * a worker thread (machines, details, host services), and tests, include
 * this one. Other layers ask the model (lodge-worker-private.h for the
 * create layer's workers).
 */
#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* Undefines a persistent domain with everything libvirt keeps for it
 * (managed save, snapshot and checkpoint metadata, NVRAM, TPM state),
 * dropping the flags a driver does not support (the test driver refuses
 * most). Returns libvirt's result: 0, or -1 with libvirt's last error set.
 * Blocking: worker threads only. */
int lodge_virt_domain_undefine_all (virDomainPtr domain);

/* g_task_run_in_thread() for a task whose data holds a connection
 * reference at *conn: once func returns, the worker closes it (the last
 * reference may talk to the daemon: never on the main thread). *conn must
 * live as long as the task's data. */
void lodge_virt_task_run_in_thread (GTask           *task,
                                    GTaskThreadFunc  func,
                                    virConnectPtr   *conn);

/* Calls in flight on a connection, from worker threads. libvirt 9.0's
 * client did not survive a connection's close (its events' deregistration
 * ran its I/O loop) while another thread's call waited on the same
 * connection over an ssh transport: a session closes only once the calls
 * begun on its connection have ended (lodge_virt_wait_calls), and
 * lodge_virt_task_run_in_thread() counts its function as one. */
void     lodge_virt_call_begin  (virConnectPtr conn);
void     lodge_virt_call_end    (virConnectPtr conn);
/* Waits (worker threads only) until no call is in flight on @conn, at most
 * @timeout_ms (a call can hang on a host that stopped answering until its
 * keepalive gives up). FALSE when it gave up waiting. */
gboolean lodge_virt_wait_calls  (virConnectPtr conn,
                                 guint         timeout_ms);
/* An event registration of a session's connection, to drop at close. */
typedef enum
{
  LODGE_VIRT_EVENT_DOMAIN,
  LODGE_VIRT_EVENT_NETWORK,
  LODGE_VIRT_EVENT_STORAGE_POOL,
} LodgeVirtEventKind;

typedef struct
{
  LodgeVirtEventKind kind;
  int                id;       /* < 0: none */
} LodgeVirtEventId;

/* Main thread: takes @conn (a session's reference). On a worker, once the
 * calls in flight on it ended (at most @wait_ms), deregisters @ids (their
 * callbacks hold what they need until then) and closes it. */
void     lodge_virt_close_events_in_thread (virConnectPtr           conn,
                                            const LodgeVirtEventId *ids,
                                            guint                   n_ids,
                                            guint                   wait_ms);
/* For tests: how many lodge_virt_wait_calls() wait now. */
guint    lodge_virt_get_n_waiting (void);

G_END_DECLS
