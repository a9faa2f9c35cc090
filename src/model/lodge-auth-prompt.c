/* lodge-auth-prompt.c: what a credential question asks, read from its text
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>

#include "model/lodge-auth-prompt.h"

void
lodge_auth_prompt_free (LodgeAuthPrompt *prompt)
{
  if (prompt == NULL)
    return;
  g_free (prompt->host);
  g_free (prompt->user);
  g_free (prompt->fingerprint);
  g_free (prompt->key_type);
  g_free (prompt->key_file);
  g_free (prompt);
}

LodgeAuthPrompt *
lodge_auth_prompt_copy (const LodgeAuthPrompt *prompt)
{
  LodgeAuthPrompt *copy;

  if (prompt == NULL)
    return NULL;

  copy = g_new0 (LodgeAuthPrompt, 1);
  copy->kind = prompt->kind;
  copy->host = g_strdup (prompt->host);
  copy->user = g_strdup (prompt->user);
  copy->fingerprint = g_strdup (prompt->fingerprint);
  copy->key_type = g_strdup (prompt->key_type);
  copy->key_file = g_strdup (prompt->key_file);
  copy->echo = prompt->echo;
  return copy;
}

static LodgeAuthPrompt *
prompt_new (LodgeAuthKind kind,
            gboolean      echo)
{
  LodgeAuthPrompt *prompt = g_new0 (LodgeAuthPrompt, 1);

  prompt->kind = kind;
  prompt->echo = echo;
  return prompt;
}

static gboolean
is_hex_pairs (const char *text,
              gsize       len)
{
  /* "aa:bb:cc…": at least two pairs. */
  if (len < 5 || (len + 1) % 3 != 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (i % 3 == 2 ? text[i] != ':' : !g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

gboolean
lodge_auth_prompt_is_fingerprint (const char *text)
{
  gsize len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);

  if (g_str_has_prefix (text, "SHA256:"))
    {
      if (len == strlen ("SHA256:"))
        return FALSE;
      for (const char *p = text + strlen ("SHA256:"); *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
          return FALSE;
      return TRUE;
    }
  if (g_str_has_prefix (text, "MD5:"))
    return is_hex_pairs (text + strlen ("MD5:"), len - strlen ("MD5:"));
  return is_hex_pairs (text, len);
}

/* The single-quoted parts of @text, in order. */
static GPtrArray *
quoted_parts (const char *text)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  while (p != NULL && (p = strchr (p, '\'')) != NULL)
    {
      const char *end = strchr (p + 1, '\'');

      if (end == NULL)
        break;
      g_ptr_array_add (parts, g_strndup (p + 1, end - p - 1));
      p = end + 1;
    }
  return parts;
}

/* The text between @start and the next @end (NULL when either is
 * missing). */
static char *
between (const char *text,
         const char *start,
         const char *end)
{
  const char *from = strstr (text, start);
  const char *to;

  if (from == NULL)
    return NULL;
  from += strlen (start);
  to = strstr (from, end);
  if (to == NULL)
    return NULL;
  return g_strndup (from, to - from);
}

/* "user@host" into its parts; the user name may hold '@' itself (a
 * domain login), the host never does. */
static void
split_user_host (const char  *text,
                 char       **user,
                 char       **host)
{
  const char *at = strrchr (text, '@');

  if (at == NULL)
    {
      *host = g_strdup (text);
      return;
    }
  *user = g_strndup (text, at - text);
  *host = g_strdup (at + 1);
}

LodgeAuthPrompt *
lodge_auth_prompt_parse_libvirt (int         cred_type,
                                 const char *prompt,
                                 const char *challenge)
{
  LodgeAuthPrompt *result;

  if (prompt == NULL)
    prompt = "";

  switch (cred_type)
    {
    case VIR_CRED_AUTHNAME:
      result = prompt_new (LODGE_AUTH_KIND_USERNAME, TRUE);
      break;

    case VIR_CRED_ECHOPROMPT:
      {
        /* libssh and libssh2 transports: "Accept SSH host key with hash
         * '%s' for host '%s:%d' (y/n)?", in the user's language. */
        g_autoptr(GPtrArray) parts = quoted_parts (prompt);

        if (parts->len >= 2 && lodge_auth_prompt_is_fingerprint (parts->pdata[0]))
          {
            result = prompt_new (LODGE_AUTH_KIND_HOST_KEY, TRUE);
            result->fingerprint = g_strdup (parts->pdata[0]);
            result->host = g_strdup (parts->pdata[1]);
          }
        else
          result = prompt_new (LODGE_AUTH_KIND_OTHER, TRUE);
      }
      break;

    case VIR_CRED_PASSPHRASE:
    case VIR_CRED_NOECHOPROMPT:
      {
        g_autoptr(GPtrArray) parts = quoted_parts (prompt);

        /* "Passphrase for key '%s'" (libssh's private key). */
        if (strstr (prompt, "assphrase") != NULL)
          {
            result = prompt_new (LODGE_AUTH_KIND_PASSPHRASE, FALSE);
            if (parts->len >= 1)
              result->key_file = g_strdup (parts->pdata[0]);
          }
        else if (cred_type == VIR_CRED_NOECHOPROMPT &&
                 strstr (prompt, "assword") == NULL)
          {
            /* Keyboard-interactive questions (a one-time code…) are not
             * passwords: never remembered. */
            result = prompt_new (LODGE_AUTH_KIND_OTHER, FALSE);
          }
        else
          {
            /* "Enter %s's password for %s": the user only in English; the
             * host is the challenge. */
            result = prompt_new (LODGE_AUTH_KIND_PASSWORD, FALSE);
            result->user = between (prompt, "Enter ", "'s password for ");
            if (result->user != NULL && (result->user[0] == '\0' || strchr (result->user, ' ')))
              g_clear_pointer (&result->user, g_free);
          }
      }
      break;

    default:
      result = prompt_new (LODGE_AUTH_KIND_OTHER, cred_type != VIR_CRED_NOECHOPROMPT);
      break;
    }

  if (result->host == NULL && challenge != NULL && challenge[0] != '\0' &&
      result->kind != LODGE_AUTH_KIND_OTHER)
    result->host = g_strdup (challenge);

  return result;
}

/* "The authenticity of host '[127.0.0.5]:2225 ([127.0.0.5]:2225)' can't be
 * established.\nED25519 key fingerprint is SHA256:….\n…\nAre you sure you want
 * to continue connecting (yes/no/[fingerprint])? " */
static void
parse_openssh_host_key (LodgeAuthPrompt *result,
                        const char      *prompt)
{
  g_autofree char *host = between (prompt, "authenticity of host '", "'");
  const char *marker = strstr (prompt, " key fingerprint is ");

  if (host != NULL)
    {
      /* "name (address)": the name the user gave is what they know. */
      char *paren = strstr (host, " (");

      if (paren != NULL)
        *paren = '\0';
      result->host = g_steal_pointer (&host);
    }

  if (marker != NULL)
    {
      const char *line = marker;
      const char *value = marker + strlen (" key fingerprint is ");
      gsize len = strcspn (value, "\n");

      while (line > prompt && line[-1] != '\n')
        line--;
      if (marker > line)
        result->key_type = g_strndup (line, marker - line);

      /* The sentence ends with a full stop, which no fingerprint holds. */
      while (len > 0 && (value[len - 1] == '.' || g_ascii_isspace (value[len - 1])))
        len--;
      result->fingerprint = g_strndup (value, len);
      if (!lodge_auth_prompt_is_fingerprint (result->fingerprint))
        g_clear_pointer (&result->fingerprint, g_free);
    }
}

LodgeAuthPrompt *
lodge_auth_prompt_parse_openssh (const char *prompt)
{
  LodgeAuthPrompt *result;
  g_autofree char *text = g_strdup (prompt != NULL ? prompt : "");
  const char *end;

  g_strchomp (text);

  if (strstr (text, "continue connecting (yes/no") != NULL ||
      strstr (text, "Please type 'yes', 'no'") != NULL ||
      strstr (text, "Please type 'yes' or 'no'") != NULL)
    {
      result = prompt_new (LODGE_AUTH_KIND_HOST_KEY, TRUE);
      parse_openssh_host_key (result, text);
      return result;
    }

  /* "Enter passphrase for key '/root/.ssh/id_ed25519': " */
  if (g_str_has_prefix (text, "Enter passphrase for"))
    {
      g_autoptr(GPtrArray) parts = quoted_parts (text);

      result = prompt_new (LODGE_AUTH_KIND_PASSPHRASE, FALSE);
      if (parts->len >= 1)
        result->key_file = g_strdup (parts->pdata[0]);
      return result;
    }

  /* "root@127.0.0.5's password: " */
  end = g_strrstr (text, "'s password:");
  if (end != NULL && end[strlen ("'s password:")] == '\0')
    {
      g_autofree char *who = g_strndup (text, end - text);

      result = prompt_new (LODGE_AUTH_KIND_PASSWORD, FALSE);
      split_user_host (who, &result->user, &result->host);
      return result;
    }

  /* Keyboard-interactive: "(root@host) Password: ", "(root@host) Verification
   * code: " — OpenSSH puts who asks in parentheses. */
  if (text[0] == '(' && (end = strstr (text, ") ")) != NULL)
    {
      g_autofree char *who = g_strndup (text + 1, end - text - 1);
      const char *question = end + 2;

      result = prompt_new (g_ascii_strncasecmp (question, "password", strlen ("password")) == 0
                           ? LODGE_AUTH_KIND_PASSWORD : LODGE_AUTH_KIND_OTHER,
                           FALSE);
      split_user_host (who, &result->user, &result->host);
      return result;
    }

  return prompt_new (LODGE_AUTH_KIND_OTHER, FALSE);
}

/* The line of @text that holds @needle, without what libvirt adds after
 * ssh's full stop (": Connection reset by peer"). */
static char *
line_with (const char *text,
           const char *needle)
{
  const char *hit = strstr (text, needle);
  const char *start;
  const char *end;

  if (hit == NULL)
    return NULL;
  start = hit;
  while (start > text && start[-1] != '\n')
    start--;
  end = hit + strcspn (hit, "\n");
  for (const char *p = hit; p < end; p++)
    if (p[0] == '.' && p[1] == ':')
      {
        end = p + 1;
        break;
      }
  return g_strndup (start, end - start);
}

gboolean
lodge_auth_classify_ssh_failure (const char  *libvirt_message,
                                 const char  *host,
                                 int         *code,
                                 char       **message)
{
  g_autofree char *line = NULL;

  g_return_val_if_fail (code != NULL && message != NULL, FALSE);

  if (libvirt_message == NULL)
    return FALSE;
  if (host == NULL)
    host = "";

  /* OpenSSH, when a known host shows another key; libssh the same. */
  if (strstr (libvirt_message, "REMOTE HOST IDENTIFICATION HAS CHANGED") != NULL ||
      strstr (libvirt_message, "HOST KEY VERIFICATION FAILED") != NULL)
    {
      *code = LODGE_MODEL_ERROR_HOST_KEY_REFUSED;
      *message = g_strdup_printf (_("The key of %s is not the one known for it, so Lodge did not "
                                    "connect. If the host was not reinstalled, another computer "
                                    "may be pretending to be it."), host);
      return TRUE;
    }

  /* OpenSSH, after a refused question or in batch mode. */
  if (strstr (libvirt_message, "Host key verification failed") != NULL)
    {
      *code = LODGE_MODEL_ERROR_HOST_KEY_REFUSED;
      *message = g_strdup_printf (_("The key of %s could not be verified, so Lodge did not "
                                    "connect."), host);
      return TRUE;
    }

  if ((line = line_with (libvirt_message, "Permission denied (")) != NULL)
    {
      *code = LODGE_MODEL_ERROR_AUTH_FAILED;
      /* Translators: the second %s is ssh's own words, e.g.
       * "root@lab: Permission denied (publickey,password)." */
      *message = g_strdup_printf (_("%s refused the login: %s"), host, g_strstrip (line));
      return TRUE;
    }

  return FALSE;
}
