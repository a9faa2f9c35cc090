/* lodge-create-types.c: the create layer's error domain and small helpers
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "create/lodge-create-types.h"
#include "create/lodge-create-private.h"

G_DEFINE_QUARK (lodge-create-error-quark, lodge_create_error)

const char *
lodge_acceleration_to_string (LodgeAcceleration acceleration)
{
  return acceleration == LODGE_ACCELERATION_KVM ? "kvm" : "qemu";
}

const char *
lodge_disk_format_to_string (LodgeDiskFormat format)
{
  switch (format)
    {
    case LODGE_DISK_FORMAT_RAW: return "raw";
    case LODGE_DISK_FORMAT_QCOW2: return "qcow2";
    case LODGE_DISK_FORMAT_VMDK: return "vmdk";
    case LODGE_DISK_FORMAT_VDI: return "vdi";
    case LODGE_DISK_FORMAT_UNKNOWN:
    default: return NULL;
    }
}

LodgeDiskFormat
lodge_disk_format_from_string (const char *str)
{
  if (g_strcmp0 (str, "raw") == 0)
    return LODGE_DISK_FORMAT_RAW;
  if (g_strcmp0 (str, "qcow2") == 0)
    return LODGE_DISK_FORMAT_QCOW2;
  if (g_strcmp0 (str, "vmdk") == 0)
    return LODGE_DISK_FORMAT_VMDK;
  if (g_strcmp0 (str, "vdi") == 0)
    return LODGE_DISK_FORMAT_VDI;
  return LODGE_DISK_FORMAT_UNKNOWN;
}

#define NAME_MAX_BYTES 200

gboolean
lodge_create_check_name_syntax (const char  *name,
                                GError     **error)
{
  g_autofree char *stripped = name ? g_strstrip (g_strdup (name)) : NULL;

  if (stripped == NULL || *stripped == '\0')
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME,
                   _("The machine needs a name"));
      return FALSE;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME,
                   _("The name is not valid text"));
      return FALSE;
    }

  if (strchr (name, '/') != NULL)
    {
      /* libvirt stores machines in files named after them. */
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME,
                   _("The name cannot contain “/”"));
      return FALSE;
    }

  if (g_str_equal (stripped, ".") || g_str_equal (stripped, ".."))
    {
      /* They name folders wherever a name becomes a path. */
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME,
                   _("The name cannot be “.” or “..”"));
      return FALSE;
    }

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        {
          g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME,
                       _("The name cannot contain control characters such as tabs or line breaks"));
          return FALSE;
        }
      /* Marks, embeddings, overrides and isolates: invisible, and able to
       * make one name look like another ("…\u202Eosi.exe"). */
      if (c == 0x200E || c == 0x200F || c == 0x061C ||
          (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
        {
          g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME,
                       _("The name cannot contain invisible characters that change the direction of text"));
          return FALSE;
        }
    }

  /* Its files (NAME.xml, NAME.qcow2, NAME.log…) must fit the 255 bytes
   * a file name may have. */
  if (strlen (name) > NAME_MAX_BYTES)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_NAME,
                   _("The name is too long: at most %u letters (fewer for letters outside the Latin alphabet)"),
                   NAME_MAX_BYTES);
      return FALSE;
    }

  return TRUE;
}
