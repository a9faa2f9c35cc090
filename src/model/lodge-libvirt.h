/* lodge-libvirt.h: helpers for layers that make their own libvirt calls
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model's other public headers keep libvirt out; code that talks to
 * libvirt itself on a worker thread (machine creation, the details files)
 * includes this one.
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
