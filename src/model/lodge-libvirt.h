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

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* Undefines a persistent domain with everything libvirt keeps for it
 * (managed save, snapshot and checkpoint metadata, NVRAM, TPM state),
 * dropping the flags a driver does not support (the test driver refuses
 * most). Returns libvirt's result: 0, or -1 with libvirt's last error set.
 * Blocking: worker threads only. */
int lodge_virt_domain_undefine_all (virDomainPtr domain);

G_END_DECLS
