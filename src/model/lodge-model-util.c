/* lodge-model-util.c: reading domains on worker threads, and small parsers
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-model"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "model/lodge-model-private.h"

static void
lodge_model_libvirt_error_cb (void        *user_data,
                              virErrorPtr  error)
{
  /* Every error reaches the user as a GError; libvirt must not also print
   * it on stderr. Expected ones (no metadata, ...) are not even errors. */
}

void
lodge_main_context_post (GMainContext   *context,
                         const char     *name,
                         GSourceFunc     func,
                         gpointer        data,
                         GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
}

void
lodge_model_init_libvirt (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      struct sigaction action;

      /* libvirt writes to sockets whose other end may be gone (a daemon
       * killed or restarted): that must be an error, not the end of the
       * application through SIGPIPE. virsh does the same. */
      if (sigaction (SIGPIPE, NULL, &action) == 0 && action.sa_handler == SIG_DFL)
        signal (SIGPIPE, SIG_IGN);

      if (virInitialize () < 0)
        g_warning ("Could not initialize libvirt");
      virSetErrorFunc (NULL, lodge_model_libvirt_error_cb);
      g_once_init_leave (&initialized, 1);
    }
}

LodgeModelError
lodge_model_error_code_from_virt (int virt_code)
{
  switch (virt_code)
    {
    /* Something named that the host does not have (any more). */
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_DOMAIN_SNAPSHOT:
    case VIR_ERR_NO_DOMAIN_CHECKPOINT:
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_STORAGE_VOL:
    case VIR_ERR_NO_NETWORK:
    case VIR_ERR_NO_NETWORK_PORT:
    case VIR_ERR_NO_INTERFACE:
    case VIR_ERR_NO_NODE_DEVICE:
    case VIR_ERR_NO_SECRET:
    case VIR_ERR_NO_NWFILTER:
      return LODGE_MODEL_ERROR_NOT_FOUND;
    case VIR_ERR_OPERATION_INVALID:
      return LODGE_MODEL_ERROR_INVALID_STATE;
    case VIR_ERR_AUTH_CANCELLED:
      return LODGE_MODEL_ERROR_AUTH_CANCELLED;
    case VIR_ERR_AUTH_FAILED:
      return LODGE_MODEL_ERROR_AUTH_FAILED;
    case VIR_ERR_OPERATION_UNSUPPORTED:
    case VIR_ERR_NO_SUPPORT:
      return LODGE_MODEL_ERROR_NOT_SUPPORTED;
    case VIR_ERR_INVALID_ARG:
      return LODGE_MODEL_ERROR_INVALID_ARGUMENT;
    default:
      return LODGE_MODEL_ERROR_LIBVIRT;
    }
}

/* The one conversion: libvirt's code mapped, its message kept (after
 * prefix when there is one), its thread-local error reset so that the
 * next failure does not report this one. */
static void
set_error_from_virt (GError     **error,
                     const char  *prefix,
                     const char  *fallback)
{
  virErrorPtr err = virGetLastError ();

  if (err == NULL || err->message == NULL)
    {
      g_set_error_literal (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_FAILED,
                           prefix != NULL ? prefix
                           : fallback != NULL ? fallback
                           : _("The virtualization service failed without saying why"));
      virResetLastError ();
      return;
    }

  if (prefix != NULL)
    g_set_error (error, LODGE_MODEL_ERROR, lodge_model_error_code_from_virt (err->code),
                 "%s: %s", prefix, err->message);
  else
    g_set_error_literal (error, LODGE_MODEL_ERROR, lodge_model_error_code_from_virt (err->code),
                         err->message);
  virResetLastError ();
}

void
lodge_model_set_error_from_virt (GError     **error,
                                 const char  *fallback)
{
  set_error_from_virt (error, NULL, fallback);
}

void
lodge_model_set_error_from_virt_prefixed (GError     **error,
                                          const char  *prefix)
{
  g_return_if_fail (prefix != NULL);

  set_error_from_virt (error, prefix, NULL);
}

LodgeUri *
lodge_virt_connect_get_uri (virConnectPtr conn)
{
  char *string = virConnectGetURI (conn);
  LodgeUri *uri;

  if (string == NULL)
    {
      virResetLastError ();
      return NULL;
    }
  uri = lodge_uri_parse (string, NULL);
  free (string);
  return uri;
}

LodgeMachineState
lodge_machine_state_from_virt (int      state,
                               int      reason,
                               gboolean has_managed_save)
{
  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
      return LODGE_MACHINE_STATE_RUNNING;
    case VIR_DOMAIN_BLOCKED:
      return LODGE_MACHINE_STATE_BLOCKED;
    case VIR_DOMAIN_PAUSED:
      return LODGE_MACHINE_STATE_PAUSED;
    case VIR_DOMAIN_SHUTDOWN:
      return LODGE_MACHINE_STATE_SHUTTING_DOWN;
    case VIR_DOMAIN_SHUTOFF:
      if (has_managed_save)
        return LODGE_MACHINE_STATE_SAVED;
      if (reason == VIR_DOMAIN_SHUTOFF_CRASHED)
        return LODGE_MACHINE_STATE_CRASHED;
      return LODGE_MACHINE_STATE_SHUT_OFF;
    case VIR_DOMAIN_CRASHED:
      return LODGE_MACHINE_STATE_CRASHED;
    case VIR_DOMAIN_PMSUSPENDED:
      return LODGE_MACHINE_STATE_SUSPENDED;
    case VIR_DOMAIN_NOSTATE:
    default:
      return LODGE_MACHINE_STATE_UNKNOWN;
    }
}

void
lodge_machine_data_free (LodgeMachineData *data)
{
  if (data == NULL)
    return;
  g_free (data->uuid);
  g_free (data->name);
  g_free (data->title);
  g_free (data->description);
  g_free (data->os_id);
  g_free (data);
}

/* NULL when the domain has no such metadata, which is not an error. */
static char *
get_metadata (virDomainPtr  domain,
              int           type,
              const char   *uri)
{
  char *value = virDomainGetMetadata (domain, type, uri, 0);
  char *ret;

  if (value == NULL)
    {
      virResetLastError ();
      return NULL;
    }
  ret = g_strdup (value);
  free (value);
  return ret;
}

LodgeMachineData *
lodge_machine_data_fetch (virDomainPtr   domain,
                          GError       **error)
{
  g_autoptr(LodgeMachineData) data = g_new0 (LodgeMachineData, 1);
  char uuid[VIR_UUID_STRING_BUFLEN];
  g_autofree char *os_xml = NULL;
  virDomainInfo info;
  int state = VIR_DOMAIN_NOSTATE;
  int reason = 0;

  g_assert (domain != NULL);

  if (virDomainGetUUIDString (domain, uuid) < 0 ||
      virDomainGetState (domain, &state, &reason, 0) < 0 ||
      virDomainGetInfo (domain, &info) < 0)
    {
      lodge_model_set_error_from_virt (error, _("Could not read a machine"));
      return NULL;
    }

  data->uuid = g_strdup (uuid);
  data->name = g_strdup (virDomainGetName (domain));
  data->memory = (guint64)info.maxMem * 1024;
  data->vcpus = info.nrVirtCpu;
  data->persistent = virDomainIsPersistent (domain) == 1;
  if (data->persistent && state == VIR_DOMAIN_SHUTOFF)
    data->has_managed_save = virDomainHasManagedSaveImage (domain, 0) == 1;
  virResetLastError ();
  data->state = lodge_machine_state_from_virt (state, reason, data->has_managed_save);

  data->title = get_metadata (domain, VIR_DOMAIN_METADATA_TITLE, NULL);
  if (data->title != NULL && *data->title == '\0')
    g_clear_pointer (&data->title, g_free);
  data->description = get_metadata (domain, VIR_DOMAIN_METADATA_DESCRIPTION, NULL);
  if (data->description != NULL && *data->description == '\0')
    g_clear_pointer (&data->description, g_free);
  os_xml = get_metadata (domain, VIR_DOMAIN_METADATA_ELEMENT, LODGE_LIBOSINFO_NS);
  if (os_xml != NULL)
    data->os_id = lodge_parse_libosinfo_os_id (os_xml);

  return g_steal_pointer (&data);
}

typedef struct
{
  virDomainPtr      *domains;
  LodgeMachineData **results;
  int                n;
  gint               next;
} FetchJob;

static gpointer
fetch_job_run (gpointer user_data)
{
  FetchJob *job = user_data;
  int i;

  while ((i = g_atomic_int_add (&job->next, 1)) < job->n)
    {
      g_autoptr(GError) error = NULL;

      job->results[i] = lodge_machine_data_fetch (job->domains[i], &error);
      /* One that vanished meanwhile is not an error. */
      if (job->results[i] == NULL)
        g_debug ("Skipping a machine: %s", error->message);
    }

  return NULL;
}

GPtrArray *
lodge_machine_data_fetch_all (virDomainPtr *domains,
                              int           n,
                              guint         n_threads)
{
  g_autofree LodgeMachineData **results = g_new0 (LodgeMachineData *, MAX (n, 1));
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  FetchJob job = { domains, results, n, 0 };
  GPtrArray *datas;

  /* Each machine costs a few round trips to the daemon: over a remote
   * link, several in flight at once divide the wait. libvirtd serves up to
   * 5 requests of one client at a time (max_client_requests). */
  n_threads = CLAMP (n_threads, 1, 5);
  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("lodge-fetch", fetch_job_run, &job));
  fetch_job_run (&job);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));

  datas = g_ptr_array_new_full (n, (GDestroyNotify)lodge_machine_data_free);
  for (int i = 0; i < n; i++)
    if (results[i] != NULL)
      g_ptr_array_add (datas, results[i]);

  return datas;
}

/* Parsers: GMarkup reads libvirt's XML well enough for these few elements,
 * and keeps libxml2 out of the model. */

static const char *
local_name (const char *element_name)
{
  const char *colon = strrchr (element_name, ':');

  return colon != NULL ? colon + 1 : element_name;
}

static void
os_id_start_element (GMarkupParseContext  *context,
                     const char           *element_name,
                     const char          **attribute_names,
                     const char          **attribute_values,
                     gpointer              user_data,
                     GError              **error)
{
  char **os_id = user_data;

  if (*os_id != NULL || strcmp (local_name (element_name), "os") != 0)
    return;

  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      if (strcmp (attribute_names[i], "id") == 0 && attribute_values[i][0] != '\0')
        {
          *os_id = g_strdup (attribute_values[i]);
          break;
        }
    }
}

char *
lodge_parse_libosinfo_os_id (const char *metadata_xml)
{
  static const GMarkupParser parser = { os_id_start_element, NULL, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  char *os_id = NULL;

  if (metadata_xml == NULL)
    return NULL;

  context = g_markup_parse_context_new (&parser, 0, &os_id, NULL);
  if (!g_markup_parse_context_parse (context, metadata_xml, -1, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    {
      g_debug ("Unreadable libosinfo metadata: %s", error->message);
      g_clear_pointer (&os_id, g_free);
    }

  return os_id;
}

void
lodge_disk_source_free (LodgeDiskSource *source)
{
  if (source == NULL)
    return;
  g_free (source->path);
  g_free (source->pool);
  g_free (source->volume);
  g_free (source);
}

typedef struct
{
  GPtrArray       *disks;
  int              depth;
  gboolean         in_domain;
  gboolean         in_devices;
  gboolean         is_disk_device;
  gboolean         is_cdrom;
  LodgeDiskSource *disk;     /* the <disk> being read */
} DisksParse;

static const char *
find_attribute (const char **names,
                const char **values,
                const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

static void
disks_start_element (GMarkupParseContext  *context,
                     const char           *element_name,
                     const char          **names,
                     const char          **values,
                     gpointer              user_data,
                     GError              **error)
{
  DisksParse *parse = user_data;

  parse->depth++;

  if (parse->depth == 1)
    {
      parse->in_domain = strcmp (element_name, "domain") == 0;
    }
  else if (parse->depth == 2)
    {
      parse->in_devices = parse->in_domain && strcmp (element_name, "devices") == 0;
    }
  else if (parse->depth == 3 && parse->in_devices && strcmp (element_name, "disk") == 0)
    {
      const char *device = find_attribute (names, values, "device");

      /* device defaults to "disk" */
      parse->is_disk_device = device == NULL || strcmp (device, "disk") == 0;
      parse->is_cdrom = g_strcmp0 (device, "cdrom") == 0;
      parse->disk = g_new0 (LodgeDiskSource, 1);
    }
  else if (parse->depth == 4 && parse->disk != NULL && strcmp (element_name, "source") == 0 &&
           parse->disk->path == NULL && parse->disk->pool == NULL)
    {
      const char *file = find_attribute (names, values, "file");
      const char *dev = find_attribute (names, values, "dev");
      const char *pool = find_attribute (names, values, "pool");
      const char *volume = find_attribute (names, values, "volume");

      if (file != NULL && *file != '\0')
        parse->disk->path = g_strdup (file);
      else if (dev != NULL && *dev != '\0')
        parse->disk->path = g_strdup (dev);
      else if (pool != NULL && volume != NULL)
        {
          parse->disk->pool = g_strdup (pool);
          parse->disk->volume = g_strdup (volume);
        }
    }
}

static void
disks_end_element (GMarkupParseContext  *context,
                   const char           *element_name,
                   gpointer              user_data,
                   GError              **error)
{
  DisksParse *parse = user_data;

  if (parse->depth == 3 && parse->disk != NULL)
    {
      /* The express-install image Lodge made for this machine holds the
       * user's password: it goes with the disks. Other CD-ROMs are the
       * user's own media and are never deleted. */
      gboolean own_install_image = parse->is_cdrom && parse->disk->path != NULL &&
                                   g_str_has_suffix (parse->disk->path, LODGE_UNATTENDED_IMAGE_SUFFIX);

      if ((parse->is_disk_device || own_install_image) &&
          (parse->disk->path != NULL || parse->disk->pool != NULL))
        g_ptr_array_add (parse->disks, g_steal_pointer (&parse->disk));
      else
        g_clear_pointer (&parse->disk, lodge_disk_source_free);
    }
  else if (parse->depth == 2)
    {
      parse->in_devices = FALSE;
    }

  parse->depth--;
}

GPtrArray *
lodge_parse_domain_disks (const char  *domain_xml,
                          GError     **error)
{
  static const GMarkupParser parser = { disks_start_element, disks_end_element, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  DisksParse parse = { 0 };
  gboolean ok;

  g_return_val_if_fail (domain_xml != NULL, NULL);

  parse.disks = g_ptr_array_new_with_free_func ((GDestroyNotify)lodge_disk_source_free);
  context = g_markup_parse_context_new (&parser, 0, &parse, NULL);
  ok = g_markup_parse_context_parse (context, domain_xml, -1, error) &&
       g_markup_parse_context_end_parse (context, error);
  g_clear_pointer (&parse.disk, lodge_disk_source_free);

  if (!ok)
    {
      g_ptr_array_unref (parse.disks);
      return NULL;
    }

  return parse.disks;
}
