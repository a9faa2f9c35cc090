/* fuzz-machine-config.c: domain definitions (LodgeMachineConfig)
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any bytes as a domain's XML: parsed or refused, and a parsed one
 * answers every question the details page asks of it.
 */
#include "config.h"

#include "model/lodge-machine-config.h"
#include "lodge-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *xml = lodge_fuzz_string (data, size);
  g_autoptr(LodgeMachineConfig) config = lodge_machine_config_new_from_xml (xml, NULL);
  const char * const *boot;
  GPtrArray *devices;

  if (config == NULL)
    return 0;

  (void) lodge_machine_config_get_name (config);
  (void) lodge_machine_config_get_uuid (config);
  (void) lodge_machine_config_get_title (config);
  (void) lodge_machine_config_get_description (config);
  (void) lodge_machine_config_get_hypervisor (config);
  (void) lodge_machine_config_get_arch (config);
  (void) lodge_machine_config_get_machine_type (config);
  (void) lodge_machine_config_get_os_id (config);
  (void) lodge_machine_config_get_memory (config);
  (void) lodge_machine_config_get_current_memory (config);
  (void) lodge_machine_config_get_max_memory (config);
  (void) lodge_machine_config_get_cpu_mode (config);
  (void) lodge_machine_config_get_firmware (config);
  (void) lodge_machine_config_get_loader (config);
  (void) lodge_machine_config_get_secure_boot (config);
  (void) lodge_machine_config_get_nvram (config);
  (void) lodge_machine_config_get_kernel (config);
  (void) lodge_machine_config_find_disk (config, "vda");
  LODGE_FUZZ_CHECK (lodge_machine_config_get_xml (config) != NULL);
  (void) lodge_machine_config_get_vcpus (config);
  (void) lodge_machine_config_get_max_vcpus (config);

  boot = lodge_machine_config_get_boot_devices (config);
  for (guint i = 0; boot != NULL && boot[i] != NULL; i++)
    LODGE_FUZZ_CHECK (g_utf8_validate (boot[i], -1, NULL));

  devices = lodge_machine_config_get_devices (config);
  LODGE_FUZZ_CHECK (devices != NULL);
  for (guint i = 0; i < devices->len; i++)
    {
      LodgeDevice *device = g_ptr_array_index (devices, i);

      LODGE_FUZZ_CHECK (lodge_device_kind_to_string (device->kind) != NULL);
      (void) lodge_device_is_editable (device);
    }
  return 0;
}
