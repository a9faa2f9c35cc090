/* lodge-domain-target.c: which domain a details worker works on
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-domain-target"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "model/lodge-connection.h"
#include "model/lodge-details-private.h"
#include "model/lodge-machine.h"

void
lodge_domain_target_init_machine (LodgeDomainTarget *target,
                                  LodgeMachine      *machine)
{
  target->machine = g_object_ref (machine);
  target->conn = NULL;
  target->uuid = g_strdup (lodge_machine_get_uuid (machine));
}

void
lodge_domain_target_init_conn (LodgeDomainTarget *target,
                               virConnectPtr      conn,
                               const char        *uuid)
{
  target->machine = NULL;
  target->conn = conn;
  virConnectRef (target->conn);
  target->uuid = g_strdup (uuid);
}

void
lodge_domain_target_clear (LodgeDomainTarget *target)
{
  g_clear_object (&target->machine);
  g_clear_pointer (&target->conn, virConnectClose);
  g_clear_pointer (&target->uuid, g_free);
}

virConnectPtr
lodge_domain_target_ref_conn (LodgeDomainTarget  *target,
                              GError            **error)
{
  virConnectPtr conn = NULL;

  if (target->conn != NULL)
    {
      virConnectRef (target->conn);
      return target->conn;
    }

  if (target->machine != NULL)
    {
      LodgeConnection *connection = lodge_machine_get_connection (target->machine);

      if (connection != NULL)
        conn = lodge_connection_ref_virconnect (connection);
    }

  if (conn == NULL)
    g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                         _("Not connected to the machine's host"));
  return conn;
}

virDomainPtr
lodge_details_lookup_domain (virConnectPtr   conn,
                             const char     *uuid,
                             GError        **error)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, uuid);

  if (dom == NULL)
    {
      g_autoptr(GError) local_error = NULL;

      lodge_model_set_error_from_virt (&local_error, NULL);
      /* libvirt's "Domain not found: no domain with matching uuid" says
       * less to people than this. */
      if (g_error_matches (local_error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND))
        g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND,
                             _("The machine no longer exists"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return dom;
}
