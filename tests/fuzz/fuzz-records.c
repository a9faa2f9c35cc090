/* fuzz-records.c: the small files Lodge reads back (a download's sidecar,
 * the record of pending clean-ups)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any bytes: what they let Lodge resume or remove keeps the shapes the
 * parsers promise (a one-line validator; UUIDs; "pool/name").
 */
#include "config.h"

#include <string.h>

#include "create/lodge-create-private.h"
#include "model/lodge-pending-cleanup.h"
#include "lodge-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *validator = NULL;
  g_auto(GStrv) domains = NULL;
  g_auto(GStrv) volumes = NULL;

  validator = lodge_download_sidecar_parse ((const char *)data, size, "https://example.org/os.iso");
  if (validator != NULL)
    LODGE_FUZZ_CHECK (*validator != '\0' && strpbrk (validator, "\r\n") == NULL);

  lodge_pending_cleanup_parse ((const char *)data, size, "qemu:///system", &domains, &volumes);
  LODGE_FUZZ_CHECK (domains != NULL && volumes != NULL);
  for (guint i = 0; domains[i] != NULL; i++)
    LODGE_FUZZ_CHECK (g_uuid_string_is_valid (domains[i]));
  for (guint i = 0; volumes[i] != NULL; i++)
    {
      const char *slash = strchr (volumes[i], '/');

      LODGE_FUZZ_CHECK (slash != NULL && slash != volumes[i] && slash[1] != '\0');
      LODGE_FUZZ_CHECK (strchr (slash + 1, '/') == NULL);
    }
  return 0;
}
