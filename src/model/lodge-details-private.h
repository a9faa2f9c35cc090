/* lodge-details-private.h: what the details files of the model share
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/tree.h>

#include "model/lodge-types.h"

G_BEGIN_DECLS

/* Which domain an editor, snapshot list or clone works on: either a
 * LodgeMachine (its connection is asked for a fresh virConnectPtr before each
 * call, so a reconnection is followed) or a fixed virConnectPtr and UUID. */
typedef struct
{
  LodgeMachine  *machine;
  virConnectPtr  conn;
  char          *uuid;
} LodgeDomainTarget;

void           lodge_domain_target_init_machine (LodgeDomainTarget *target,
                                                 LodgeMachine      *machine);
void           lodge_domain_target_init_conn    (LodgeDomainTarget *target,
                                                 gpointer           virconnect,
                                                 const char        *uuid);
void           lodge_domain_target_clear        (LodgeDomainTarget *target);
/* Main thread: a new reference to the connection to use now, or NULL with
 * LODGE_MODEL_ERROR_NOT_CONNECTED. */
virConnectPtr  lodge_domain_target_ref_conn     (LodgeDomainTarget *target,
                                                 GError           **error);

/* Worker thread helpers. */
virDomainPtr   lodge_details_lookup_domain      (virConnectPtr      conn,
                                                 const char        *uuid,
                                                 GError           **error);
/* Sets LODGE_MODEL_ERROR_LIBVIRT with libvirt's last message on this
 * thread, prefixed by what was being done when prefix is not NULL. */
void           lodge_details_set_virt_error     (GError           **error,
                                                 const char        *prefix);

/* Small libxml2 helpers; NULL nodes are allowed and give NULL. Strings
 * are newly allocated with GLib. */
xmlNode       *lodge_xml_child                  (xmlNode           *node,
                                                 const char        *name);
void           lodge_xml_remove_children        (xmlNode           *node,
                                                 const char        *name);
char          *lodge_xml_prop                   (xmlNode           *node,
                                                 const char        *name);
char          *lodge_xml_text                   (xmlNode           *node);
char          *lodge_xml_node_to_string         (xmlDoc            *doc,
                                                 xmlNode           *node);

/* Initializes libxml2 once (parsing on worker threads needs it). */
void           lodge_machine_config_init_xml    (void);

G_END_DECLS
