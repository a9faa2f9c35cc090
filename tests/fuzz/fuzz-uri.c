/* fuzz-uri.c: libvirt URIs (lodge_uri_parse)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any bytes: parse, read every part, and what a parsed URI prints parses
 * again to the same parts.
 */
#include "config.h"

#include "model/lodge-uri.h"
#include "lodge-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = lodge_fuzz_string (data, size);
  g_autoptr(LodgeUri) uri = lodge_uri_parse (text, NULL);
  g_autoptr(LodgeUri) again = NULL;

  if (uri == NULL)
    return 0;

  /* Every part can be read. */
  (void) lodge_uri_get_transport (uri);
  (void) lodge_uri_get_user (uri);
  (void) lodge_uri_get_port (uri);
  (void) lodge_uri_get_path (uri);
  (void) lodge_uri_get_param (uri, "keyfile");
  (void) lodge_uri_is_system (uri);
  (void) lodge_uri_is_session (uri);
  (void) lodge_uri_has_local_files (uri);
  LODGE_FUZZ_CHECK (lodge_uri_get_driver (uri) != NULL);

  again = lodge_uri_parse (lodge_uri_get_string (uri), NULL);
  LODGE_FUZZ_CHECK (again != NULL);
  LODGE_FUZZ_CHECK (g_strcmp0 (lodge_uri_get_driver (uri), lodge_uri_get_driver (again)) == 0);
  LODGE_FUZZ_CHECK (g_strcmp0 (lodge_uri_get_host (uri), lodge_uri_get_host (again)) == 0);
  LODGE_FUZZ_CHECK (lodge_uri_is_remote (uri) == lodge_uri_is_remote (again));
  return 0;
}
