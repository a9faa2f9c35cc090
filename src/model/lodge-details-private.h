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

#include "model/lodge-machine-config.h"
#include "model/lodge-model-private.h"
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
                                                 virConnectPtr      conn,
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
/* The first child element so named, made when there is none. */
xmlNode       *lodge_xml_ensure_child           (xmlNode           *node,
                                                 const char        *name);
void           lodge_xml_set_prop               (xmlNode           *node,
                                                 const char        *name,
                                                 const char        *value);

/* Initializes libxml2 once (parsing on worker threads needs it). */
void           lodge_machine_config_init_xml    (void);

/* Firmware variable stores (lodge-nvram.c), through libvirt's storage API
 * so that a remote host works too. Worker threads only. */
typedef struct
{
  virStoragePoolPtr pool;
  gboolean          transient;   /* made for this work: stopped on close */
} LodgeNvramDir;

/* The pool that holds dir: an existing active one, else a transient
 * directory pool made for it. */
gboolean          lodge_nvram_dir_open     (virConnectPtr        conn,
                                            const char          *dir,
                                            LodgeNvramDir       *out,
                                            GError             **error);
void              lodge_nvram_dir_close    (LodgeNvramDir       *nvram_dir);
/* A file of the directory, or NULL when there is none. */
virStorageVolPtr  lodge_nvram_dir_lookup   (LodgeNvramDir       *nvram_dir,
                                            const char          *file_name);
/* libvirt's directory for NVRAM files of this connection's QEMU driver
 * (system: /var/lib/libvirt/qemu/nvram, also on remote hosts; a local
 * session's), or NULL when Lodge cannot know it (remote session, other
 * drivers). */
char             *lodge_nvram_default_dir  (virConnectPtr        conn);
/* Where the machine's NVRAM is or will be: its <nvram> path, else
 * libvirt's default NAME_VARS.fd; NULL when unknown. */
char             *lodge_nvram_path         (virConnectPtr        conn,
                                            LodgeMachineConfig  *config);
/* The file is the machine's own: named NAME_VARS.fd as libvirt names it,
 * and no other machine of the host uses it. */
gboolean          lodge_nvram_is_own       (virConnectPtr        conn,
                                            const char          *name,
                                            const char          *uuid,
                                            const char          *path);
/* Removes the file if it exists (no file: success). */
gboolean          lodge_nvram_remove       (virConnectPtr        conn,
                                            const char          *path,
                                            GError             **error);

G_END_DECLS
