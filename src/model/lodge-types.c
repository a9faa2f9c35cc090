/* lodge-types.c: the model layer's error domain and state names
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include "model/lodge-types.h"

G_DEFINE_QUARK (lodge-model-error-quark, lodge_model_error)

/* Untranslated, stable nicks: the UI maps them to translated labels. */
const char *
lodge_machine_state_to_string (LodgeMachineState state)
{
  switch (state)
    {
    case LODGE_MACHINE_STATE_RUNNING:
      return "running";
    case LODGE_MACHINE_STATE_BLOCKED:
      return "blocked";
    case LODGE_MACHINE_STATE_PAUSED:
      return "paused";
    case LODGE_MACHINE_STATE_SHUTTING_DOWN:
      return "shutting-down";
    case LODGE_MACHINE_STATE_SHUT_OFF:
      return "shut-off";
    case LODGE_MACHINE_STATE_CRASHED:
      return "crashed";
    case LODGE_MACHINE_STATE_SUSPENDED:
      return "suspended";
    case LODGE_MACHINE_STATE_SAVED:
      return "saved";
    case LODGE_MACHINE_STATE_UNKNOWN:
    default:
      return "unknown";
    }
}
