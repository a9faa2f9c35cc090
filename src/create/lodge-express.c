/* lodge-express.c: unattended ("express") installation scripts from libosinfo
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "create/lodge-express.h"
#include "create/lodge-create-private.h"

G_DEFINE_BOXED_TYPE (LodgeExpressSettings, lodge_express_settings,
                     lodge_express_settings_copy, lodge_express_settings_free)

G_STATIC_ASSERT ((int)LODGE_EXPRESS_INJECTION_CDROM == (int)OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_CDROM);
G_STATIC_ASSERT ((int)LODGE_EXPRESS_INJECTION_INITRD == (int)OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_INITRD);
G_STATIC_ASSERT ((int)LODGE_EXPRESS_INJECTION_WEB == (int)OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_WEB);

static char *
read_timezone (void)
{
  g_autofree char *contents = NULL;
  g_autofree char *link = NULL;
  const char *zoneinfo;

  if (g_file_get_contents ("/etc/timezone", &contents, NULL, NULL))
    {
      g_strstrip (contents);
      if (*contents != '\0')
        return g_steal_pointer (&contents);
    }

  link = g_file_read_link ("/etc/localtime", NULL);
  if (link != NULL && (zoneinfo = strstr (link, "zoneinfo/")) != NULL)
    return g_strdup (zoneinfo + strlen ("zoneinfo/"));

  return g_strdup ("UTC");
}

static char *
read_keyboard (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/etc/default/keyboard", &contents, NULL, NULL))
    return g_strdup ("us");

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *value = NULL;
      char *comma;

      if (!g_str_has_prefix (lines[i], "XKBLAYOUT="))
        continue;
      value = g_shell_unquote (lines[i] + strlen ("XKBLAYOUT="), NULL);
      if (value == NULL || *value == '\0')
        break;
      /* "fr,us": the first is the one in use. */
      if ((comma = strchr (value, ',')) != NULL)
        *comma = '\0';
      return g_steal_pointer (&value);
    }

  return g_strdup ("us");
}

static char *
read_language (void)
{
  const char * const *names = g_get_language_names ();

  /* The first name with a territory, without encoding or modifier. */
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = names[i];

      if (strchr (name, '_') != NULL && strchr (name, '.') == NULL && strchr (name, '@') == NULL)
        return g_strdup (name);
    }

  return g_strdup ("en_US");
}

LodgeExpressSettings *
lodge_express_settings_new_from_host (void)
{
  LodgeExpressSettings *settings = g_new0 (LodgeExpressSettings, 1);
  const char *login = g_get_user_name ();
  const char *realname = g_get_real_name ();

  if (login == NULL || g_str_equal (login, "root") || *login == '\0')
    login = "user";
  settings->user_login = g_ascii_strdown (login, -1);
  settings->user_realname = g_strdup (realname != NULL && !g_str_equal (realname, "Unknown") &&
                                      *realname != '\0' ? realname : settings->user_login);
  settings->timezone = read_timezone ();
  settings->keyboard = read_keyboard ();
  settings->language = read_language ();
  return settings;
}

LodgeExpressSettings *
lodge_express_settings_copy (const LodgeExpressSettings *settings)
{
  LodgeExpressSettings *copy;

  g_return_val_if_fail (settings != NULL, NULL);

  copy = g_new0 (LodgeExpressSettings, 1);
  copy->user_login = g_strdup (settings->user_login);
  copy->user_realname = g_strdup (settings->user_realname);
  copy->user_password = g_strdup (settings->user_password);
  copy->admin_password = g_strdup (settings->admin_password);
  copy->hostname = g_strdup (settings->hostname);
  copy->timezone = g_strdup (settings->timezone);
  copy->keyboard = g_strdup (settings->keyboard);
  copy->language = g_strdup (settings->language);
  return copy;
}

void
lodge_express_settings_free (LodgeExpressSettings *settings)
{
  if (settings == NULL)
    return;

  g_free (settings->user_login);
  g_free (settings->user_realname);
  /* Passwords do not linger in freed memory. */
  if (settings->user_password != NULL)
    memset (settings->user_password, 0, strlen (settings->user_password));
  if (settings->admin_password != NULL)
    memset (settings->admin_password, 0, strlen (settings->admin_password));
  g_free (settings->user_password);
  g_free (settings->admin_password);
  g_free (settings->hostname);
  g_free (settings->timezone);
  g_free (settings->keyboard);
  g_free (settings->language);
  g_free (settings);
}

static int
lodge_express_compare_strings (const char **a,
                               const char **b)
{
  return g_strcmp0 (*a, *b);
}

G_DEFINE_BOXED_TYPE (LodgeExpressScript, lodge_express_script,
                     lodge_express_script_copy, lodge_express_script_free)

LodgeExpressScript *
lodge_express_script_copy (const LodgeExpressScript *script)
{
  LodgeExpressScript *copy;

  g_return_val_if_fail (script != NULL, NULL);

  copy = g_new0 (LodgeExpressScript, 1);
  copy->content = g_strdup (script->content);
  copy->filename = g_strdup (script->filename);
  copy->profile = g_strdup (script->profile);
  copy->injection = script->injection;
  copy->extra_filenames = g_strdupv (script->extra_filenames);
  copy->extra_contents = g_strdupv (script->extra_contents);
  copy->command_line = g_strdup (script->command_line);
  copy->kernel_paths = g_strdupv (script->kernel_paths);
  copy->initrd_paths = g_strdupv (script->initrd_paths);
  return copy;
}

/* The kernel/initrd pairs of the OS's x86_64 installer media that take a
 * script (Ubuntu's server media do not), without repeats. */
static void
collect_boot_files (OsinfoOs      *os,
                    GStrvBuilder  *kernels,
                    GStrvBuilder  *initrds)
{
  g_autoptr(OsinfoMediaList) media = osinfo_os_get_media_list (os);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (media)); i++)
    {
      OsinfoMedia *each = OSINFO_MEDIA (osinfo_list_get_nth (OSINFO_LIST (media), i));
      const char *kernel = osinfo_media_get_kernel_path (each);
      const char *initrd = osinfo_media_get_initrd_path (each);
      char *key;

      if (g_strcmp0 (osinfo_media_get_architecture (each), "x86_64") != 0 ||
          !osinfo_media_supports_installer_script (each) ||
          kernel == NULL || initrd == NULL)
        continue;
      key = g_strconcat (kernel, "\n", initrd, NULL);
      if (!g_hash_table_add (seen, key))
        continue;
      g_strv_builder_add (kernels, kernel);
      g_strv_builder_add (initrds, initrd);
    }
}

static gboolean
has_boot_files (OsinfoOs *os)
{
  g_autoptr(GStrvBuilder) kernels = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) initrds = g_strv_builder_new ();
  g_auto(GStrv) found = NULL;

  collect_boot_files (os, kernels, initrds);
  found = g_strv_builder_end (kernels);
  return found[0] != NULL;
}

LodgeExpressInjection
lodge_express_choose_injection (LodgeExpressInjection methods)
{
  if (methods & LODGE_EXPRESS_INJECTION_CDROM)
    return LODGE_EXPRESS_INJECTION_CDROM;
  if (methods & LODGE_EXPRESS_INJECTION_INITRD)
    return LODGE_EXPRESS_INJECTION_INITRD;
  return 0;
}

LodgeExpressInjection
lodge_express_get_injection_methods (LodgeOs    *os,
                                     const char *profile)
{
  g_autoptr(OsinfoInstallScriptList) list = NULL;
  LodgeExpressInjection methods = 0;

  g_return_val_if_fail (LODGE_IS_OS (os), 0);

  list = osinfo_os_get_install_script_list (lodge_os_get_osinfo (os));
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoInstallScript *script = OSINFO_INSTALL_SCRIPT (osinfo_list_get_nth (OSINFO_LIST (list), i));

      if (profile == NULL || g_strcmp0 (osinfo_install_script_get_profile (script), profile) == 0)
        methods |= osinfo_install_script_get_injection_methods (script);
    }

  return methods;
}

char **
lodge_express_get_profiles (LodgeOs *os)
{
  g_autoptr(OsinfoInstallScriptList) list = NULL;
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (LODGE_IS_OS (os), NULL);

  list = osinfo_os_get_install_script_list (lodge_os_get_osinfo (os));
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      const char *profile = osinfo_install_script_get_profile (OSINFO_INSTALL_SCRIPT (osinfo_list_get_nth (OSINFO_LIST (list), i)));

      if (profile != NULL &&
          !g_ptr_array_find_with_equal_func (profiles, profile, g_str_equal, NULL))
        g_ptr_array_add (profiles, g_strdup (profile));
    }
  g_ptr_array_sort (profiles, (GCompareFunc)lodge_express_compare_strings);
  g_ptr_array_add (profiles, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&profiles), FALSE);
}

gboolean
lodge_express_is_supported (LodgeOs *os)
{
  LodgeExpressInjection methods;

  g_return_val_if_fail (LODGE_IS_OS (os), FALSE);

  methods = lodge_express_get_injection_methods (os, NULL);
  switch (lodge_express_choose_injection (methods))
    {
    case LODGE_EXPRESS_INJECTION_CDROM:
      return TRUE;
    case LODGE_EXPRESS_INJECTION_INITRD:
      /* Lodge boots the installer's own kernel: it must know where it is. */
      return has_boot_files (lodge_os_get_osinfo (os));
    default:
      return FALSE;
    }
}

void
lodge_express_script_free (LodgeExpressScript *script)
{
  if (script == NULL)
    return;

  if (script->content != NULL)
    memset (script->content, 0, strlen (script->content));
  g_free (script->content);
  g_free (script->filename);
  g_free (script->profile);
  g_strfreev (script->extra_filenames);
  g_strfreev (script->extra_contents);
  g_free (script->command_line);
  g_strfreev (script->kernel_paths);
  g_strfreev (script->initrd_paths);
  g_free (script);
}

typedef struct
{
  OsinfoOs             *os;
  LodgeExpressSettings *settings;
  LodgeDiskBus          disk_bus;
  char                 *profile;
  gboolean              windows;
} Generate;

static void
generate_free (Generate *data)
{
  g_clear_object (&data->os);
  lodge_express_settings_free (data->settings);
  g_free (data->profile);
  g_free (data);
}

static void
generate_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Generate *data = task_data;
  LodgeExpressSettings *s = data->settings;
  g_autoptr(OsinfoInstallConfig) config = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GError) error = NULL;
  OsinfoInstallScript *script = NULL;
  g_autoptr(GPtrArray) extras = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GStrvBuilder) extra_names = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) extra_contents = g_strv_builder_new ();
  LodgeExpressScript *result;
  LodgeExpressInjection injection;
  g_autofree char *command_line = NULL;
  char *content;

  /* Windows has several scripts per profile: autounattend.xml drives
   * Setup, windows.cmd/.reg are helpers it calls. The main one first; the
   * helpers go along as extra files. */
  {
    g_autoptr(OsinfoInstallScriptList) list = osinfo_os_get_install_script_list (data->os);
    const char *wanted = data->profile;

    if (wanted == NULL)
      {
        wanted = OSINFO_INSTALL_SCRIPT_PROFILE_JEOS;
        for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
          if (g_strcmp0 (osinfo_install_script_get_profile (OSINFO_INSTALL_SCRIPT (osinfo_list_get_nth (OSINFO_LIST (list), i))),
                         OSINFO_INSTALL_SCRIPT_PROFILE_DESKTOP) == 0)
            wanted = OSINFO_INSTALL_SCRIPT_PROFILE_DESKTOP;
      }

    for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
      {
        OsinfoInstallScript *each = OSINFO_INSTALL_SCRIPT (osinfo_list_get_nth (OSINFO_LIST (list), i));
        const char *filename = osinfo_install_script_get_expected_filename (each);

        if (g_strcmp0 (osinfo_install_script_get_profile (each), wanted) != 0)
          continue;
        if (script == NULL && filename != NULL &&
            !g_str_has_suffix (filename, ".cmd") && !g_str_has_suffix (filename, ".reg"))
          script = g_object_ref (each);
        else
          g_ptr_array_add (extras, g_object_ref (each));
      }
  }
  if (script == NULL)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_FOUND,
                               _("There is no unattended installation for this operating system"));
      return;
    }

  config = osinfo_install_config_new ("http://lodge.org/install-config");
  osinfo_install_config_set_hardware_arch (config, "x86_64");
  osinfo_install_config_set_user_login (config, s->user_login ? s->user_login : "user");
  osinfo_install_config_set_user_realname (config, s->user_realname ? s->user_realname : "User");
  if (s->user_password != NULL)
    osinfo_install_config_set_user_password (config, s->user_password);
  osinfo_install_config_set_admin_password (config, s->admin_password ? s->admin_password
                                                                       : s->user_password ? s->user_password : "");
  osinfo_install_config_set_user_administrator (config, TRUE);
  osinfo_install_config_set_user_autologin (config, TRUE);
  if (s->hostname != NULL)
    osinfo_install_config_set_hostname (config, s->hostname);
  if (s->timezone != NULL)
    osinfo_install_config_set_l10n_timezone (config, s->timezone);
  if (s->keyboard != NULL)
    osinfo_install_config_set_l10n_keyboard (config, s->keyboard);
  if (s->language != NULL)
    osinfo_install_config_set_l10n_language (config, s->language);
  /* Windows names drives by letter; Linux by bus. */
  osinfo_install_config_set_target_disk (config,
                                         data->windows ? "C"
                                         : data->disk_bus == LODGE_DISK_BUS_SATA ? "/dev/sda"
                                                                                 : "/dev/vda");

  injection = lodge_express_choose_injection (osinfo_install_script_get_injection_methods (script));
  if (injection == 0)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_FOUND,
                               _("There is no unattended installation for this operating system"));
      g_object_unref (script);
      return;
    }
  /* Some templates differ by method (where the installer finds files). */
  osinfo_install_script_set_preferred_injection_method (script, (OsinfoInstallScriptInjectionMethod)injection);

  /* Like media identification, generation runs a main loop on the
   * thread-default context: give it its own. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  content = osinfo_install_script_generate (script, data->os, config, cancellable, &error);
  if (content != NULL && injection == LODGE_EXPRESS_INJECTION_INITRD)
    {
      command_line = osinfo_install_script_generate_command_line (script, data->os, config);
      if (command_line != NULL)
        g_strstrip (command_line);
    }
  for (guint i = 0; content != NULL && i < extras->len; i++)
    {
      OsinfoInstallScript *extra = g_ptr_array_index (extras, i);
      g_autofree char *extra_content = osinfo_install_script_generate (extra, data->os, config,
                                                                       cancellable, NULL);

      if (extra_content != NULL && osinfo_install_script_get_expected_filename (extra) != NULL)
        {
          g_strv_builder_add (extra_names, osinfo_install_script_get_expected_filename (extra));
          g_strv_builder_add (extra_contents, extra_content);
        }
    }
  g_main_context_pop_thread_default (context);

  if (content == NULL)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                               _("Could not write the unattended installation script: %s"),
                               error ? error->message : _("unknown error"));
      g_object_unref (script);
      return;
    }

  result = g_new0 (LodgeExpressScript, 1);
  result->content = content;
  result->filename = g_strdup (osinfo_install_script_get_expected_filename (script));
  result->profile = g_strdup (osinfo_install_script_get_profile (script));
  result->injection = injection;
  result->extra_filenames = g_strv_builder_end (extra_names);
  result->extra_contents = g_strv_builder_end (extra_contents);
  if (injection == LODGE_EXPRESS_INJECTION_INITRD)
    {
      g_autoptr(GStrvBuilder) kernels = g_strv_builder_new ();
      g_autoptr(GStrvBuilder) initrds = g_strv_builder_new ();

      collect_boot_files (data->os, kernels, initrds);
      result->command_line = command_line ? g_steal_pointer (&command_line) : g_strdup ("");
      result->kernel_paths = g_strv_builder_end (kernels);
      result->initrd_paths = g_strv_builder_end (initrds);
    }
  g_object_unref (script);

  g_task_return_pointer (task, result, (GDestroyNotify)lodge_express_script_free);
}

void
lodge_express_generate_async (LodgeOs                    *os,
                              const LodgeExpressSettings *settings,
                              LodgeDiskBus                disk_bus,
                              const char                 *profile,
                              GCancellable               *cancellable,
                              GAsyncReadyCallback         callback,
                              gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  Generate *data;

  g_return_if_fail (LODGE_IS_OS (os));
  g_return_if_fail (settings != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_express_generate_async);

  data = g_new0 (Generate, 1);
  data->os = g_object_ref (lodge_os_get_osinfo (os));
  data->settings = lodge_express_settings_copy (settings);
  data->disk_bus = disk_bus;
  data->profile = g_strdup (profile);
  data->windows = lodge_os_is_windows (os);
  g_task_set_task_data (task, data, (GDestroyNotify)generate_free);
  g_task_run_in_thread (task, generate_worker);
}

LodgeExpressScript *
lodge_express_generate_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
