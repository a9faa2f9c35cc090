/* lodge-test-domains.h: test guests on a real libvirtd, and their clean-up
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Integration tests name their domains lodge-test-PID-… so that each run
 * removes its own, and what a run that died left behind (its PID is gone),
 * but never another running test's. Needs libvirt (tests only).
 */
#pragma once

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "lodge-test.h"

#define LODGE_TEST_DOMAIN_PREFIX "lodge-test-"

/* lodge-test-PID-WHAT of this process. */
static inline char *
lodge_test_domain_name (const char *what)
{
  return g_strdup_printf (LODGE_TEST_DOMAIN_PREFIX "%d-%s", (int) getpid (), what);
}

/* Ours, or (with @also_stale) left by a test run whose process is gone. */
static inline gboolean
lodge_test_domain_is_removable (const char *name,
                                gboolean    also_stale)
{
  g_autofree char *prefix = g_strdup_printf (LODGE_TEST_DOMAIN_PREFIX "%d-", (int) getpid ());
  const char *rest;
  char *end = NULL;
  gint64 pid;

  if (g_str_has_prefix (name, prefix))
    return TRUE;
  if (!also_stale || !g_str_has_prefix (name, LODGE_TEST_DOMAIN_PREFIX))
    return FALSE;
  rest = name + strlen (LODGE_TEST_DOMAIN_PREFIX);
  pid = g_ascii_strtoll (rest, &end, 10);
  if (end == rest || *end != '-' || pid <= 0)
    return FALSE;
  return kill ((pid_t) pid, 0) < 0 && errno == ESRCH;
}

/* Destroys and undefines the removable test domains of @conn. */
static inline void
lodge_test_remove_domains (virConnectPtr conn,
                           gboolean      also_stale)
{
  virDomainPtr *domains = NULL;
  int n;

  if (conn == NULL)
    return;
  n = virConnectListAllDomains (conn, &domains, 0);
  for (int i = 0; i < n; i++)
    {
      const char *name = virDomainGetName (domains[i]);

      if (lodge_test_domain_is_removable (name, also_stale))
        {
          if (virDomainIsActive (domains[i]) == 1)
            virDomainDestroy (domains[i]);
          if (virDomainIsPersistent (domains[i]) == 1)
            virDomainUndefineFlags (domains[i], VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                                VIR_DOMAIN_UNDEFINE_NVRAM);
        }
      virDomainFree (domains[i]);
    }
  free (domains);
  virResetLastError ();
}

/* Builds the small test guest (tests/guest/make-guest.sh, cached) into
 * @guest_dir; skips the whole program when it cannot. */
static inline void
lodge_test_prepare_guest (const char *make_guest,
                          const char *guest_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { make_guest, guest_dir, NULL };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_autofree char *why = g_strdup_printf ("cannot build the test guest (%s): %s",
                                              error->message, err ? err : "");
      lodge_test_skip_all (why);
    }
}
