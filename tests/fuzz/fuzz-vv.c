/* fuzz-vv.c: connection files (.vv) and display URIs (LodgeDisplayEndpoint)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any bytes as a .vv file and, their first line, as a spice:// or vnc://
 * URI. What an endpoint prints for logs reads back as an endpoint.
 */
#include "config.h"

#include <string.h>

#include "console/lodge-display-endpoint.h"
#include "lodge-fuzz.h"

static void
check_endpoint (LodgeDisplayEndpoint *endpoint)
{
  g_autofree char *shown = NULL;
  g_autoptr(LodgeDisplayEndpoint) again = NULL;

  if (endpoint == NULL)
    return;
  shown = lodge_display_endpoint_to_uri (endpoint);
  if (shown == NULL)
    return;
  again = lodge_display_endpoint_new_from_uri (shown, NULL);
  LODGE_FUZZ_CHECK (again != NULL);
  LODGE_FUZZ_CHECK (lodge_display_endpoint_get_protocol (again) ==
                    lodge_display_endpoint_get_protocol (endpoint));
  LODGE_FUZZ_CHECK (g_strcmp0 (lodge_display_endpoint_get_host (again),
                               lodge_display_endpoint_get_host (endpoint)) == 0);
  LODGE_FUZZ_CHECK (lodge_display_endpoint_get_port (again) ==
                    lodge_display_endpoint_get_port (endpoint));
  LODGE_FUZZ_CHECK (g_strcmp0 (lodge_display_endpoint_get_socket (again),
                               lodge_display_endpoint_get_socket (endpoint)) == 0);
  LODGE_FUZZ_CHECK (lodge_display_endpoint_get_unknown_keys (endpoint) != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(LodgeDisplayEndpoint) from_vv = NULL;
  g_autoptr(LodgeDisplayEndpoint) from_uri = NULL;
  g_autofree char *text = lodge_fuzz_string (data, size);
  char *newline = strchr (text, '\n');

  from_vv = lodge_display_endpoint_new_from_vv_data ((const char *)data, size, NULL);
  check_endpoint (from_vv);

  if (newline != NULL)
    *newline = '\0';
  from_uri = lodge_display_endpoint_new_from_uri (text, NULL);
  check_endpoint (from_uri);
  return 0;
}
