/* lodge-test-host2.h: a second libvirt host for test programs
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives tests/common/lodge-second-host.sh: start an instance with a name,
 * a loopback address and an SSH port, read what its 'env' prints, run
 * commands inside it, stop it. The script's path comes from the caller
 * (meson passes it in LODGE_SECOND_HOST).
 */
#pragma once

#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "lodge-test.h"

typedef struct
{
  char       *script;
  char       *name;
  char       *addr;
  guint       ssh_port;
  char       *password;
  /* What 'env' printed, LODGE_HOST2_* without the prefix: URI, URI_LIBSSH,
   * URI_LIBSSH_PASSWORD, KEYFILE, KNOWN_HOSTS, KNOWN_HOSTS_UNKNOWN, ADDR,
   * HOST_URI_FROM_REMOTE, STATE, IMAGES, LOGS, INIT_PID ... */
  GHashTable *env;
  /* The ones every test needs, from env. */
  const char *uri;                   /* qemu+ssh, key, private known_hosts */
  const char *uri_libssh;            /* qemu+libssh, key */
  const char *uri_libssh_password;   /* qemu+libssh, password, unknown host key */
  const char *host_uri_from_remote;  /* the first host's daemon, seen from inside */
  const char *state;
  const char *images;                /* its /var/lib/libvirt/images, seen from here */
  const char *logs;                  /* its /var/log/libvirt, seen from here */
} LodgeTestHost2;

/* Skips the whole test program (lodge_test_skip_all) when a precondition
 * of the second host is truly missing: not root, no sshd, no unshare. */
static inline void
lodge_test_host2_check_preconditions (const char *script)
{
  static const char * const programs[] = { "unshare", "nsenter", "flock", "setsid", "ssh",
                                            "ssh-keygen", "libvirtd", "virtlogd", "virsh" };

  if (geteuid () != 0)
    lodge_test_skip_all ("a second libvirt host needs root");
  if (!g_file_test ("/usr/sbin/sshd", G_FILE_TEST_IS_EXECUTABLE))
    lodge_test_skip_all ("a second libvirt host needs sshd (apt-get install openssh-server)");
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *path = g_find_program_in_path (programs[i]);
      g_autofree char *sbin = g_build_filename ("/usr/sbin", programs[i], NULL);

      if (path == NULL && !g_file_test (sbin, G_FILE_TEST_IS_EXECUTABLE))
        {
          g_autofree char *why = g_strdup_printf ("a second libvirt host needs %s", programs[i]);
          lodge_test_skip_all (why);
        }
    }
  if (script == NULL || !g_file_test (script, G_FILE_TEST_EXISTS))
    lodge_test_skip_all ("run through meson: LODGE_SECOND_HOST is not set");
}

static inline void
lodge_test_host2_free (LodgeTestHost2 *host)
{
  if (host == NULL)
    return;
  g_free (host->script);
  g_free (host->name);
  g_free (host->addr);
  g_free (host->password);
  g_clear_pointer (&host->env, g_hash_table_unref);
  g_free (host);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LodgeTestHost2, lodge_test_host2_free)

static inline char **
lodge_test_host2_environ (LodgeTestHost2 *host)
{
  char **envp = g_get_environ ();
  g_autofree char *port = g_strdup_printf ("%u", host->ssh_port);
  g_autofree char *owner = g_strdup_printf ("%d", (int) getpid ());

  envp = g_environ_setenv (envp, "LODGE_HOST2_NAME", host->name, TRUE);
  envp = g_environ_setenv (envp, "LODGE_HOST2_ADDR", host->addr, TRUE);
  envp = g_environ_setenv (envp, "LODGE_HOST2_SSH_PORT", port, TRUE);
  /* Should this test crash, its host stops by itself. */
  envp = g_environ_setenv (envp, "LODGE_HOST2_OWNER", owner, TRUE);
  if (host->password != NULL)
    envp = g_environ_setenv (envp, "LODGE_HOST2_PASSWORD", host->password, TRUE);
  else
    envp = g_environ_unsetenv (envp, "LODGE_HOST2_PASSWORD");
  /* The state folder follows the name. */
  envp = g_environ_unsetenv (envp, "LODGE_HOST2_STATE");
  envp = g_environ_unsetenv (envp, "LODGE_HOST2_MIG_PORTS");
  return envp;
}

/* Runs the script with arguments; its output in *out (may be NULL). */
static inline gboolean
lodge_test_host2_run (LodgeTestHost2      *host,
                      const char * const  *args,
                      char               **out,
                      GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = lodge_test_host2_environ (host);
  g_autofree char *err = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) "sh");
  g_ptr_array_add (argv, host->script);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s %s: %s: ", host->script, args[0], err ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

static inline gboolean
lodge_test_host2_parse_env (LodgeTestHost2  *host,
                            const char      *text,
                            GError         **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_clear_pointer (&host->env, g_hash_table_unref);
  host->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *eq = strchr (lines[i], '=');
      g_autofree char *value = NULL;

      if (!g_str_has_prefix (lines[i], "LODGE_HOST2_") || eq == NULL)
        continue;
      value = g_shell_unquote (eq + 1, error);
      if (value == NULL)
        return FALSE;
      g_hash_table_insert (host->env,
                           g_strndup (lines[i] + strlen ("LODGE_HOST2_"),
                                      eq - lines[i] - strlen ("LODGE_HOST2_")),
                           g_steal_pointer (&value));
    }

  host->uri = g_hash_table_lookup (host->env, "URI");
  host->uri_libssh = g_hash_table_lookup (host->env, "URI_LIBSSH");
  host->uri_libssh_password = g_hash_table_lookup (host->env, "URI_LIBSSH_PASSWORD");
  host->host_uri_from_remote = g_hash_table_lookup (host->env, "HOST_URI_FROM_REMOTE");
  host->state = g_hash_table_lookup (host->env, "STATE");
  host->images = g_hash_table_lookup (host->env, "IMAGES");
  host->logs = g_hash_table_lookup (host->env, "LOGS");
  if (host->uri == NULL || host->host_uri_from_remote == NULL || host->state == NULL)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "%s env printed no LODGE_HOST2_URI/STATE", host->script);
      return FALSE;
    }
  return TRUE;
}

/* Describes an instance without starting it; its env is read at once.
 * password may be NULL (key logins only). */
static inline LodgeTestHost2 *
lodge_test_host2_new (const char *script,
                      const char *name,
                      const char *addr,
                      guint       ssh_port,
                      const char *password)
{
  LodgeTestHost2 *host = g_new0 (LodgeTestHost2, 1);
  const char * const args[] = { "env", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  lodge_test_host2_check_preconditions (script);
  host->script = g_strdup (script);
  host->name = g_strdup (name);
  host->addr = g_strdup (addr);
  host->ssh_port = ssh_port;
  host->password = g_strdup (password);
  if (!lodge_test_host2_run (host, args, &out, &error) ||
      !lodge_test_host2_parse_env (host, out, &error))
    g_error ("second host %s: %s", name, error->message);
  return host;
}

/* Starts it (idempotent: a running instance with the same settings is
 * reused) and reads its env again. */
static inline gboolean
lodge_test_host2_start (LodgeTestHost2  *host,
                        GError         **error)
{
  const char * const args[] = { "start", NULL };
  g_autofree char *out = NULL;

  return lodge_test_host2_run (host, args, &out, error) &&
         lodge_test_host2_parse_env (host, out, error);
}

/* Starts a new instance or fails the test. */
static inline LodgeTestHost2 *
lodge_test_host2_start_new (const char *script,
                            const char *name,
                            const char *addr,
                            guint       ssh_port,
                            const char *password)
{
  LodgeTestHost2 *host = lodge_test_host2_new (script, name, addr, ssh_port, password);
  g_autoptr(GError) error = NULL;

  if (!lodge_test_host2_start (host, &error))
    g_error ("could not start the second host %s: %s", name, error->message);
  return host;
}

static inline gboolean
lodge_test_host2_stop (LodgeTestHost2  *host,
                       GError         **error)
{
  const char * const args[] = { "stop", NULL };

  return lodge_test_host2_run (host, args, NULL, error);
}

/* Runs argv inside the second host (its mounts, hostname, pids); its
 * standard output in *out when out is not NULL. */
static inline gboolean
lodge_test_host2_exec (LodgeTestHost2      *host,
                       const char * const  *argv,
                       char               **out,
                       GError             **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (char *) "exec");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);
  return lodge_test_host2_run (host, (const char * const *) args->pdata, out, error);
}

/* A value of its env (LODGE_HOST2_ without the prefix), or NULL. */
static inline const char *
lodge_test_host2_get (LodgeTestHost2 *host,
                      const char     *key)
{
  return host->env ? g_hash_table_lookup (host->env, key) : NULL;
}
