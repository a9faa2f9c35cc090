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

G_END_DECLS
