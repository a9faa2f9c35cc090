/* lodge-machine-editor-firmware.c: BIOS or UEFI, with or without Secure Boot
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-machine-editor-firmware"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/tree.h>

#include "model/lodge-host.h"
#include "model/lodge-machine.h"
#include "model/lodge-machine-editor-private.h"

typedef struct
{
  LodgeEditTask          base;
  LodgeFirmware          firmware;
  gboolean               secure_boot;
  LodgeHostCapabilities *caps;   /* the host's, when known */
} FirmwareTask;

static void
firmware_task_free (FirmwareTask *data)
{
  lodge_edit_task_clear (&data->base);
  g_clear_pointer (&data->caps, lodge_host_capabilities_unref);
  g_free (data);
}

static gboolean
edit_firmware (xmlDoc   *doc,
               gpointer  task_data,
               GError  **error)
{
  FirmwareTask *data = task_data;
  xmlNode *root = xmlDocGetRootElement (doc);
  xmlNode *os = lodge_xml_ensure_child (root, "os");
  xmlNode *type = lodge_xml_child (os, "type");
  gboolean uefi = data->firmware == LODGE_FIRMWARE_UEFI;
  gboolean secure = uefi && data->secure_boot;

  /* Whatever named the old firmware goes: a fixed loader and variable
   * store, the old autoselection's wishes. */
  lodge_xml_remove_children (os, "loader");
  lodge_xml_remove_children (os, "nvram");
  lodge_xml_remove_children (os, "firmware");

  if (!uefi)
    {
      xmlUnsetProp (os, (const xmlChar *) "firmware");
      return TRUE;
    }

  /* Autoselection among the host's firmware descriptors. Secure Boot off
   * is said explicitly: on Q35 libvirt would otherwise prefer a build with
   * Microsoft's keys enrolled. */
  {
    xmlNode *firmware = xmlNewNode (NULL, (const xmlChar *) "firmware");
    xmlNode *feature;

    lodge_xml_set_prop (os, "firmware", "efi");
    if (type != NULL)
      xmlAddNextSibling (type, firmware);
    else
      xmlAddChild (os, firmware);
    feature = xmlNewChild (firmware, NULL, (const xmlChar *) "feature", NULL);
    lodge_xml_set_prop (feature, "enabled", secure ? "yes" : "no");
    lodge_xml_set_prop (feature, "name", "enrolled-keys");
    feature = xmlNewChild (firmware, NULL, (const xmlChar *) "feature", NULL);
    lodge_xml_set_prop (feature, "enabled", secure ? "yes" : "no");
    lodge_xml_set_prop (feature, "name", "secure-boot");

    if (secure)
      {
        xmlNode *loader = xmlNewNode (NULL, (const xmlChar *) "loader");

        lodge_xml_set_prop (loader, "secure", "yes");
        xmlAddNextSibling (firmware, loader);
        /* Secure Boot firmware keeps its variables in SMM. */
        lodge_xml_set_prop (lodge_xml_ensure_child (lodge_xml_ensure_child (root, "features"), "smm"), "state", "on");
      }
  }
  return TRUE;
}

/* What the host's QEMU offers for this machine, from the host's domain
 * capabilities (the one parser, lodge_domain_capabilities_parse(), read
 * once per host and arch/machine/type): FALSE with an error when it has no
 * UEFI, or no Secure Boot for it. A driver without domain capabilities
 * (the test driver), or a combination the host does not describe, is not
 * judged here: libvirt's validation is. */
static gboolean
check_firmware_offered (LodgeHostCapabilities  *host_caps,
                        virConnectPtr           conn,
                        LodgeMachineConfig     *config,
                        gboolean                secure,
                        GError                **error)
{
  g_autoptr(LodgeHostCapabilities) read = NULL;
  const LodgeDomainCapabilities *caps;

  /* A machine of no host (tests), or asked before its host read them. */
  if (host_caps == NULL)
    host_caps = read = lodge_host_capabilities_read (conn, NULL);
  if (host_caps == NULL)
    return TRUE;

  caps = lodge_host_capabilities_lookup_domain (host_caps, conn,
                                                lodge_machine_config_get_arch (config),
                                                lodge_machine_config_get_machine_type (config),
                                                lodge_machine_config_get_hypervisor (config));
  if (caps == NULL)
    return TRUE;

  if (!caps->uefi)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                           _("The host has no UEFI firmware for this machine (on Debian and Ubuntu, "
                             "the package “ovmf” provides it)"));
      return FALSE;
    }
  if (secure && !caps->secure_boot)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                           _("The host has no UEFI firmware with Secure Boot for this machine"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_firmware (LodgeEditCtx      *ctx,
              FirmwareTask      *data,
              LodgeEditOutcome  *outcome,
              GError           **error)
{
  virConnectPtr conn = virDomainGetConnect (ctx->dom);
  g_autoptr(LodgeMachineConfig) config = NULL;
  g_autofree char *old_nvram = NULL;
  LodgeFirmware old_firmware;
  gboolean old_secure;
  LodgeFirmware firmware = data->firmware;
  gboolean secure = firmware == LODGE_FIRMWARE_UEFI && data->secure_boot;
  const char *arch;

  *outcome = LODGE_EDIT_APPLIED;

  /* The variable store is removed or made anew: not under a running
   * firmware. */
  if (ctx->active)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                           _("Shut the machine down to change its firmware"));
      return FALSE;
    }

  config = lodge_edit_ctx_get_config (ctx, TRUE, error);
  if (config == NULL)
    return FALSE;

  arch = lodge_machine_config_get_arch (config);
  if (g_strcmp0 (arch, "x86_64") != 0 && g_strcmp0 (arch, "i686") != 0)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("Lodge changes the firmware of PC (x86) machines only"));
      return FALSE;
    }
  if (secure && !lodge_machine_config_get_is_q35 (config))
    {
      if (lodge_machine_config_get_machine_type (config) != NULL)
        g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                     _("Secure Boot needs the Q35 chipset; this machine has “%s”"),
                     lodge_machine_config_get_machine_type (config));
      else
        g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                             _("Secure Boot needs the Q35 chipset"));
      return FALSE;
    }

  old_firmware = lodge_machine_config_get_firmware (config);
  old_secure = lodge_machine_config_get_secure_boot (config);
  if (old_firmware == firmware && (firmware != LODGE_FIRMWARE_UEFI || old_secure == secure))
    return TRUE;

  if (firmware == LODGE_FIRMWARE_UEFI &&
      !check_firmware_offered (data->caps, conn, config, secure, error))
    return FALSE;

  old_nvram = lodge_nvram_path (conn, config);

  if (!lodge_edit_ctx_edit_definition (ctx, data, edit_firmware, outcome, error))
    return FALSE;

  /* The old variable store does not fit the new firmware (another build,
   * other keys): the machine's own one is removed, and libvirt makes a new
   * one from the new firmware's template when the machine next starts.
   * Someone else's file is left alone. */
  if (old_nvram != NULL
      && lodge_nvram_is_own (conn, lodge_machine_config_get_name (config), data->base.uuid, old_nvram))
    {
      g_autoptr(GError) nvram_error = NULL;

      if (!lodge_nvram_remove (conn, old_nvram, &nvram_error))
        g_message ("Firmware changed, but its old variables stay in %s: %s", old_nvram, nvram_error->message);
    }
  else if (old_nvram != NULL)
    g_debug ("Left %s: not this machine’s own", old_nvram);

  return TRUE;
}

static void
firmware_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  FirmwareTask *data = task_data;
  LodgeEditOutcome outcome = LODGE_EDIT_APPLIED;
  GError *error = NULL;
  LodgeEditCtx ctx = { 0 };
  gboolean ok = FALSE;

  if (lodge_edit_ctx_open (&ctx, &data->base, &error))
    {
      ok = set_firmware (&ctx, data, &outcome, &error);
      lodge_edit_ctx_close (&ctx);
    }
  lodge_edit_task_return (task, ok, outcome, error);
}

void
lodge_machine_editor_set_firmware_async (LodgeMachineEditor  *self,
                                         LodgeFirmware        firmware,
                                         gboolean             secure_boot,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  LodgeMachine *machine;
  FirmwareTask *data;

  g_return_if_fail (LODGE_IS_MACHINE_EDITOR (self));
  g_return_if_fail (firmware == LODGE_FIRMWARE_BIOS || firmware == LODGE_FIRMWARE_UEFI);

  data = g_new0 (FirmwareTask, 1);
  data->firmware = firmware;
  data->secure_boot = firmware == LODGE_FIRMWARE_UEFI && secure_boot;
  machine = lodge_machine_editor_get_machine (self);
  if (machine != NULL && lodge_machine_get_host (machine) != NULL)
    {
      LodgeHostCapabilities *caps = lodge_host_get_capabilities (lodge_machine_get_host (machine));

      data->caps = caps != NULL ? lodge_host_capabilities_ref (caps) : NULL;
    }
  lodge_machine_editor_run (self, data, (GDestroyNotify) firmware_task_free,
                            lodge_machine_editor_set_firmware_async, firmware_thread,
                            cancellable, callback, user_data);
}
