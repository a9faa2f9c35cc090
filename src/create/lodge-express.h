/* lodge-express.h: unattended ("express") installation scripts from libosinfo
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "create/lodge-create-types.h"

G_BEGIN_DECLS

/* What the script configures; strings owned by the struct. */
typedef struct
{
  char *user_login;      /* never "root": installers refuse it */
  char *user_realname;
  char *user_password;
  char *admin_password;  /* NULL: the user's password */
  char *hostname;
  char *timezone;        /* e.g. "Europe/Paris" */
  char *keyboard;        /* XKB layout, e.g. "us", "fr" */
  char *language;        /* e.g. "en_US" */
} LodgeExpressSettings;

#define LODGE_TYPE_EXPRESS_SETTINGS (lodge_express_settings_get_type ())

GType                 lodge_express_settings_get_type      (void) G_GNUC_CONST;
/* From this computer: the user's login and real name, the time zone
 * (/etc/timezone or /etc/localtime), the keyboard layout
 * (/etc/default/keyboard), the language (LANG). No password. */
LodgeExpressSettings *lodge_express_settings_new_from_host (void);
LodgeExpressSettings *lodge_express_settings_copy          (const LodgeExpressSettings *settings);
void                  lodge_express_settings_free          (LodgeExpressSettings       *settings);

/* libosinfo's injection methods (OsinfoInstallScriptInjectionMethod bits). */
typedef enum
{
  LODGE_EXPRESS_INJECTION_CDROM  = 1 << 0,
  LODGE_EXPRESS_INJECTION_DISK   = 1 << 1,
  LODGE_EXPRESS_INJECTION_FLOPPY = 1 << 2,
  LODGE_EXPRESS_INJECTION_INITRD = 1 << 3,
  LODGE_EXPRESS_INJECTION_WEB    = 1 << 4,
} LodgeExpressInjection;

/* A generated script. */
typedef struct
{
  char                  *content;
  char                  *filename;   /* the name the installer looks for, e.g. "autounattend.xml" */
  char                  *profile;    /* "desktop" or "jeos" */
  LodgeExpressInjection  injection;  /* how it reaches the installer: one method, CD-ROM when
                                      * the script offers it, else initrd */
  char                 **extra_filenames; /* helpers that go along (Windows: windows.cmd) */
  char                 **extra_contents;  /* same order; both NULL-terminated, maybe empty */
  /* Initrd injection only (else NULL): the script goes into the
   * installer's initrd as /<filename>, the installer's kernel boots with
   * command_line. The kernel and initrd are files of the installation
   * image: kernel_paths[i] goes with initrd_paths[i] (candidates from
   * libosinfo's x86_64 media of the OS, first match wins; NULL-terminated,
   * same length). */
  char                  *command_line;
  char                 **kernel_paths;
  char                 **initrd_paths;
} LodgeExpressScript;

#define LODGE_TYPE_EXPRESS_SCRIPT (lodge_express_script_get_type ())

GType                 lodge_express_script_get_type        (void) G_GNUC_CONST;
LodgeExpressScript   *lodge_express_script_copy            (const LodgeExpressScript *script);
void                  lodge_express_script_free            (LodgeExpressScript *script);

/* The OS has a script that Lodge can hand to the installer: on a small
 * CD-ROM image (kickstart, Windows unattend), or inside the installer's
 * initrd with the installer's kernel booted directly (Debian and Ubuntu
 * preseeds; needs the OS's x86_64 media to name their kernel and initrd). */
gboolean              lodge_express_is_supported           (LodgeOs            *os);

/* The install-script profiles the OS has ("desktop", "jeos"), sorted,
 * NULL-terminated, maybe empty. */
char                **lodge_express_get_profiles           (LodgeOs            *os);
/* The injection methods the OS's scripts of profile (NULL: any) offer. */
LodgeExpressInjection lodge_express_get_injection_methods  (LodgeOs            *os,
                                                            const char         *profile);
/* The one Lodge uses among methods: CD-ROM when offered, else initrd;
 * 0 when neither. */
LodgeExpressInjection lodge_express_choose_injection       (LodgeExpressInjection methods);

/* Generates the OS's install script on a worker thread. profile: "desktop",
 * "jeos" or NULL (desktop when there is one). disk_bus decides the target
 * disk name (/dev/vda or /dev/sda). Errors: LODGE_CREATE_ERROR_NOT_FOUND
 * when the OS has no script for the profile. */
void                  lodge_express_generate_async         (LodgeOs                    *os,
                                                            const LodgeExpressSettings *settings,
                                                            LodgeDiskBus                disk_bus,
                                                            const char                 *profile,
                                                            GCancellable               *cancellable,
                                                            GAsyncReadyCallback         callback,
                                                            gpointer                    user_data);
LodgeExpressScript   *lodge_express_generate_finish        (GAsyncResult               *result,
                                                            GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeExpressSettings, lodge_express_settings_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeExpressScript, lodge_express_script_free)

G_END_DECLS
