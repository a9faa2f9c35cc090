/* lodge-machine-creator.c: volume + definition + start as one transaction
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "create/lodge-machine-creator.h"
#include "create/lodge-create-enums.h"
#include "create/lodge-create-private.h"
#include "create/lodge-domain-builder.h"
#include "create/lodge-install-boot.h"
#include "create/lodge-machine-spec.h"
#include "create/lodge-media.h"
#include "model/lodge-model.h"
#include "model/lodge-worker-private.h"

/* Volume names: "<machine name><suffix>" in Lodge's pool (the unattended
 * image's suffix is the model's: its delete path knows it). */
#define LODGE_INSTALL_KERNEL_SUFFIX "-install-vmlinuz"
#define LODGE_INSTALL_INITRD_SUFFIX "-install-initrd.img"

struct _LodgeMachineCreator
{
  GObject           parent_instance;

  LodgeConnection  *connection;
  LodgeMachineSpec *spec;
  LodgeCreateStage  stage;
  double            progress;
  char             *volume_path;
  guint             running : 1;
  guint             finished : 1;
};

G_DEFINE_FINAL_TYPE (LodgeMachineCreator, lodge_machine_creator, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_SPEC,
  PROP_STAGE,
  PROP_PROGRESS,
  PROP_VOLUME_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Everything the worker uses; the worker owns it alone. */
typedef struct
{
  LodgeMachineCreator *self;       /* only touched on the main thread */
  GMainContext        *context;
  LodgeWorkerConnection *conn;     /* released on the worker */
  LodgeMachineSpec    *spec;       /* a private copy */
  char                *uri;
  char                *pool_path;

  /* What was created, for the cleanup (released on the worker). */
  LodgeWorkerVolume   *volume;
  LodgeWorkerVolume   *unattended;  /* the unattended-install script image */
  LodgeWorkerVolume   *install_kernel;  /* initrd injection: the installer's kernel */
  LodgeWorkerVolume   *install_initrd;  /* and its initrd with the script (a password) */
  LodgeWorkerDomain   *domain;
  gboolean             local;       /* the spec's paths are files of this computer */
  gboolean             define_tried; /* the domain (named by spec's uuid) may exist */
  GPtrArray           *volume_names; /* every volume this job tried to make, in Lodge's pool */
  gboolean             lost;        /* the connection died: cleanup left for later */

  char                *volume_path;
  char                *uuid;
  LodgeThrowawayWatcher *watcher; /* holds uuid while a throwaway is made */
  guint64                host_memory; /* from the host's capabilities; 0 unknown */
  guint                  host_cpus;
} Job;

/* The last reference to the host's connection may talk to the daemon:
 * the worker lets go of it before it returns. */
static void
job_release_host (Job *job)
{
  g_clear_pointer (&job->volume, lodge_worker_volume_free);
  g_clear_pointer (&job->unattended, lodge_worker_volume_free);
  g_clear_pointer (&job->install_kernel, lodge_worker_volume_free);
  g_clear_pointer (&job->install_initrd, lodge_worker_volume_free);
  g_clear_pointer (&job->domain, lodge_worker_domain_free);
  g_clear_pointer (&job->conn, lodge_worker_connection_free);
}

static void
job_free (Job *job)
{
  job_release_host (job);
  g_clear_pointer (&job->volume_names, g_ptr_array_unref);
  g_clear_object (&job->self);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_object (&job->spec);
  g_free (job->uri);
  g_free (job->pool_path);
  g_free (job->volume_path);
  /* Released in lodge_machine_creator_run_cb, on the main thread. */
  g_clear_object (&job->watcher);
  g_free (job->uuid);
  g_free (job);
}

static void
lodge_machine_creator_dispose (GObject *object)
{
  LodgeMachineCreator *self = (LodgeMachineCreator *)object;

  g_clear_object (&self->connection);
  g_clear_object (&self->spec);
  g_clear_pointer (&self->volume_path, g_free);

  G_OBJECT_CLASS (lodge_machine_creator_parent_class)->dispose (object);
}

static void
lodge_machine_creator_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LodgeMachineCreator *self = LODGE_MACHINE_CREATOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_SPEC:
      g_value_set_object (value, self->spec);
      break;
    case PROP_STAGE:
      g_value_set_enum (value, self->stage);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_VOLUME_PATH:
      g_value_set_string (value, self->volume_path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_machine_creator_class_init (LodgeMachineCreatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lodge_machine_creator_dispose;
  object_class->get_property = lodge_machine_creator_get_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, LODGE_TYPE_CONNECTION, flags);
  properties[PROP_SPEC] =
    g_param_spec_object ("spec", NULL, NULL, LODGE_TYPE_MACHINE_SPEC, flags);
  properties[PROP_STAGE] =
    g_param_spec_enum ("stage", NULL, NULL, LODGE_TYPE_CREATE_STAGE, LODGE_CREATE_STAGE_IDLE, flags);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, flags);
  properties[PROP_VOLUME_PATH] =
    g_param_spec_string ("volume-path", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_machine_creator_init (LodgeMachineCreator *self)
{
}

LodgeMachineCreator *
lodge_machine_creator_new (LodgeConnection  *connection,
                           LodgeMachineSpec *spec)
{
  LodgeMachineCreator *self;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (LODGE_IS_MACHINE_SPEC (spec), NULL);

  self = g_object_new (LODGE_TYPE_MACHINE_CREATOR, NULL);
  self->connection = g_object_ref (connection);
  self->spec = g_object_ref (spec);
  return self;
}

LodgeConnection *
lodge_machine_creator_get_connection (LodgeMachineCreator *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CREATOR (self), NULL);
  return self->connection;
}

LodgeMachineSpec *
lodge_machine_creator_get_spec (LodgeMachineCreator *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CREATOR (self), NULL);
  return self->spec;
}

LodgeCreateStage
lodge_machine_creator_get_stage (LodgeMachineCreator *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CREATOR (self), LODGE_CREATE_STAGE_IDLE);
  return self->stage;
}

double
lodge_machine_creator_get_progress (LodgeMachineCreator *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CREATOR (self), 0.0);
  return self->progress;
}

const char *
lodge_machine_creator_get_volume_path (LodgeMachineCreator *self)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CREATOR (self), NULL);
  return self->volume_path;
}

const char *
lodge_create_stage_to_string (LodgeCreateStage stage)
{
  switch (stage)
    {
    case LODGE_CREATE_STAGE_IDLE: return "";
    case LODGE_CREATE_STAGE_CHECKING: return _("Checking…");
    case LODGE_CREATE_STAGE_PREPARING_STORAGE: return _("Preparing the storage…");
    case LODGE_CREATE_STAGE_CREATING_DISK: return _("Creating the disk…");
    case LODGE_CREATE_STAGE_DEFINING: return _("Setting up the machine…");
    case LODGE_CREATE_STAGE_STARTING: return _("Starting the machine…");
    case LODGE_CREATE_STAGE_CLEANING_UP: return _("Cleaning up…");
    case LODGE_CREATE_STAGE_DONE: return _("Done");
    case LODGE_CREATE_STAGE_FAILED: return _("Failed");
    default: g_assert_not_reached ();
    }
}

char *
lodge_machine_creator_pool_path_for_uri (const char *uri)
{
  g_autoptr(LodgeUri) parsed = uri != NULL ? lodge_uri_parse (uri, NULL) : NULL;

  if (parsed != NULL && lodge_uri_is_session (parsed))
    return g_build_filename (g_get_user_data_dir (), "lodge", "images", NULL);
  return g_strdup ("/var/lib/libvirt/images/lodge");
}

/* ---- progress, marshalled to the main thread ---- */

typedef struct
{
  LodgeMachineCreator *self;
  LodgeCreateStage     stage;
  double               progress;
  char                *volume_path;
  gboolean             set_volume_path;
} Update;

static void
set_stage (LodgeMachineCreator *self,
           LodgeCreateStage     stage,
           double               progress)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->stage != stage)
    {
      self->stage = stage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_volume_path (LodgeMachineCreator *self,
                 const char          *path)
{
  if (g_strcmp0 (self->volume_path, path) == 0)
    return;

  g_free (self->volume_path);
  self->volume_path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUME_PATH]);
}

static gboolean
apply_update (gpointer data)
{
  Update *update = data;

  /* The result arrived first: it has the last word. */
  if (!update->self->finished)
    {
      if (update->set_volume_path)
        set_volume_path (update->self, update->volume_path);
      set_stage (update->self, update->stage, update->progress);
    }

  g_object_unref (update->self);
  g_free (update->volume_path);
  g_free (update);
  return G_SOURCE_REMOVE;
}

static void
report (Job              *job,
        LodgeCreateStage  stage,
        double            progress)
{
  Update *update = g_new0 (Update, 1);

  update->self = g_object_ref (job->self);
  update->stage = stage;
  update->progress = progress;
  update->volume_path = g_strdup (job->volume_path);
  update->set_volume_path = TRUE;
  lodge_main_context_post (job->context, "[lodge] creation progress", apply_update, update, NULL);
}

/* ---- the transaction (worker thread) ---- */

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Creation was cancelled"));
      return TRUE;
    }
  return FALSE;
}

static gboolean
name_is_taken (LodgeWorkerConnection  *conn,
               const char             *name,
               GError                **error)
{
  gboolean exists = FALSE;

  /* Any answer but "there is one" lets the creation go on: a daemon that
   * went away is reported by the next step. */
  if (lodge_worker_domain_name_exists (conn, name, &exists, NULL) && exists)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NAME_TAKEN,
                   _("A machine named “%s” already exists"), name);
      return TRUE;
    }

  return FALSE;
}

/* Lodge's pool, made and started on first use. */
static LodgeWorkerPool *
ensure_pool (Job     *job,
             GError **error)
{
  return lodge_worker_pool_ensure (job->conn, LODGE_POOL_NAME, job->pool_path, error);
}

/* "name.qcow2", or "name-2.qcow2"… when taken. */
static char *
unique_volume_name_with_suffix (LodgeWorkerPool *pool,
                                const char      *base,
                                const char      *suffix)
{
  for (guint i = 1; i < 1000; i++)
    {
      g_autofree char *candidate = i == 1 ? g_strdup_printf ("%s%s", base, suffix)
                                          : g_strdup_printf ("%s-%u%s", base, i, suffix);

      if (!lodge_worker_pool_has_volume (pool, candidate))
        return g_steal_pointer (&candidate);
    }

  {
    g_autofree char *random = g_uuid_string_random ();
    return g_strdup_printf ("%s-%s%s", base, random, suffix);
  }
}

static char *
unique_volume_name (LodgeWorkerPool *pool,
                    const char      *base)
{
  return unique_volume_name_with_suffix (pool, base, ".qcow2");
}

/* Every volume goes through here: if the daemon dies during the call, the
 * volume may exist or not, and the pending cleanup looks for it later. */
static LodgeWorkerVolume *
create_volume_xml (Job              *job,
                   LodgeWorkerPool  *pool,
                   const char       *name,
                   const char       *xml,
                   GError          **error)
{
  g_ptr_array_add (job->volume_names, g_strdup (name));
  return lodge_worker_pool_create_volume (pool, xml, error);
}

static gboolean
create_volume (Job              *job,
               LodgeWorkerPool  *pool,
               GError          **error)
{
  LodgeMachineSpec *spec = job->spec;
  gboolean throwaway = SPEC_BOOL (spec, THROWAWAY);
  const char *backing = SPEC_STRING (spec, DISK_PATH);
  const char *backing_format = lodge_disk_format_to_string (SPEC_ENUM (spec, DISK_FORMAT));
  guint64 capacity = SPEC_UINT64 (spec, DISK_SIZE);
  g_autofree char *vol_name = NULL;
  g_autofree char *escaped_name = NULL;
  g_autoptr(GString) xml = g_string_new (NULL);

  if (throwaway)
    vol_name = g_strdup_printf (LODGE_THROWAWAY_PREFIX "%s.qcow2", job->uuid);
  else
    vol_name = unique_volume_name (pool, SPEC_STRING (spec, NAME));
  escaped_name = g_markup_escape_text (vol_name, -1);

  if (throwaway && backing != NULL)
    {
      /* An overlay: its size is the backing disk's. */
      g_autoptr(LodgeWorkerVolume) base = lodge_worker_volume_lookup_by_path (job->conn, backing, NULL);
      guint64 base_capacity = 0;

      if (base != NULL && lodge_worker_volume_get_capacity (base, &base_capacity, NULL))
        capacity = base_capacity;
      else if (job->local)
        {
          /* A disk outside libvirt's pools: read its header. */
          guint64 virtual_size = 0;

          if (lodge_disk_image_probe (backing, &virtual_size, NULL) != LODGE_DISK_FORMAT_UNKNOWN &&
              virtual_size > 0)
            capacity = virtual_size;
        }
    }

  g_string_append_printf (xml,
                          "<volume>\n"
                          "  <name>%s</name>\n"
                          "  <capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>\n"
                          "  <allocation unit='bytes'>0</allocation>\n"
                          "  <target>\n"
                          "    <format type='qcow2'/>\n"
                          "  </target>\n",
                          escaped_name, capacity);
  if (throwaway && backing != NULL)
    {
      g_autofree char *escaped_backing = g_markup_escape_text (backing, -1);

      g_string_append_printf (xml,
                              "  <backingStore>\n"
                              "    <path>%s</path>\n"
                              "    <format type='%s'/>\n"
                              "  </backingStore>\n",
                              escaped_backing, backing_format ? backing_format : "qcow2");
    }
  g_string_append (xml, "</volume>\n");

  /* No preallocation flag: the qcow2 stays thin. */
  job->volume = create_volume_xml (job, pool, vol_name, xml->str, error);
  if (job->volume == NULL)
    {
      g_prefix_error (error, "%s: ", _("Could not create the disk"));
      return FALSE;
    }

  job->volume_path = lodge_worker_volume_get_path (job->volume, error);
  if (job->volume_path == NULL)
    {
      g_prefix_error (error, "%s: ", _("Could not find the new disk"));
      return FALSE;
    }

  g_object_set (spec,
                "disk-path", job->volume_path,
                "disk-format", LODGE_DISK_FORMAT_QCOW2,
                NULL);
  return TRUE;
}

static gboolean
check_free_space (Job              *job,
                  LodgeWorkerPool  *pool,
                  guint64           needed,
                  GError          **error)
{
  guint64 available = 0;

  if (!lodge_worker_pool_get_available (pool, &available, error))
    {
      g_prefix_error (error, "%s: ", _("Could not read the free space of Lodge’s storage"));
      return FALSE;
    }

  if (needed > available)
    {
      g_autofree char *want = g_format_size_full (needed, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *have = g_format_size_full (available, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NO_SPACE,
                   _("The disk (%s) is larger than the free space left in %s (%s)"),
                   want, job->pool_path, have);
      return FALSE;
    }

  return TRUE;
}

/* A machine bigger than its host only swaps or fails to start: refused
 * before anything is made. The figures are the host's capabilities'
 * (read once per connection); unknown ones check nothing. */
static gboolean
check_fits_host (Job     *job,
                 GError **error)
{
  guint64 memory = SPEC_UINT64 (job->spec, MEMORY);
  guint vcpus = SPEC_UINT (job->spec, VCPUS);

  if (job->host_memory > 0 && memory > job->host_memory)
    {
      g_autofree char *want = g_format_size_full (memory, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *have = g_format_size_full (job->host_memory, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                   _("The machine asks for %s of memory, but the host has only %s"), want, have);
      return FALSE;
    }
  if (job->host_cpus > 0 && vcpus > job->host_cpus)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                   /* vcpus is at least 2 here */
                   _("The machine asks for %u processors, but the host has only %u"),
                   vcpus, job->host_cpus);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_file (const char  *path,
            const char  *what,
            GError     **error)
{
  g_autofree char *display = NULL;
  GStatBuf st;
  int saved_errno;

  if (path == NULL)
    return TRUE;
  if (g_stat (path, &st) == 0)
    {
      if (S_ISREG (st.st_mode) || S_ISBLK (st.st_mode))
        return TRUE;
      display = g_filename_display_name (path);
      if (S_ISDIR (st.st_mode))
        g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_UNREADABLE,
                     /* Translators: the first %s is "installation image" or "disk image" */
                     _("The %s “%s” is a folder, not a file"), what, display);
      else
        g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_UNREADABLE,
                     /* Translators: the first %s is "installation image" or "disk image" */
                     _("The %s “%s” is not a file"), what, display);
      return FALSE;
    }
  saved_errno = errno;

  display = g_filename_display_name (path);
  if (saved_errno == ELOOP)
    g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_UNREADABLE,
                 /* Translators: the first %s is "installation image" or "disk image" */
                 _("The %s “%s” is a link that leads back to itself"), what, display);
  else if (saved_errno == ENOENT || saved_errno == ENOTDIR)
    g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_FOUND,
                 /* Translators: the first %s is "installation image" or "disk image" */
                 _("The %s “%s” no longer exists"), what, display);
  else
    g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_UNREADABLE,
                 /* Translators: the first %s is "installation image" or "disk image",
                  * the last the system's reason */
                 _("The %s “%s” cannot be read: %s"), what, display, g_strerror (saved_errno));
  return FALSE;
}

/* Parses qemu-img's "-p" output, e.g. "    (42.00/100%)\r", for the last
 * figure in buf; -1 when none. */
static double
parse_qemu_img_progress (const char *buf)
{
  const char *open = strrchr (buf, '(');
  double value;
  char *end;

  while (open != NULL)
    {
      value = g_ascii_strtod (open + 1, &end);
      if (end != open + 1 && g_str_has_prefix (end, "/100%"))
        return CLAMP (value / 100.0, 0.0, 1.0);
      if (open == buf)
        break;
      open = g_strrstr_len (buf, open - buf, "(");
    }
  return -1;
}

/* Copies (and converts) a disk image into the volume just created, with
 * progress from qemu-img. */
static gboolean
import_disk (Job           *job,
             GCancellable  *cancellable,
             GError       **error)
{
  const char *source = SPEC_STRING (job->spec, IMPORT_PATH);
  const char *format = lodge_disk_format_to_string (SPEC_ENUM (job->spec, IMPORT_FORMAT));
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  GInputStream *out;
  char buf[512];
  double last = 0.0;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  /* -n: write into the volume libvirt made (it owns the file). */
  process = g_subprocess_launcher_spawn (launcher, &local_error,
                                         "qemu-img", "convert", "-p", "-n",
                                         "-f", format ? format : "raw",
                                         "-O", "qcow2",
                                         source, job->volume_path, NULL);
  if (process == NULL)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                   _("Could not run qemu-img to import the disk: %s"), local_error->message);
      return FALSE;
    }

  out = g_subprocess_get_stdout_pipe (process);
  for (;;)
    {
      gssize n = g_input_stream_read (out, buf, sizeof buf - 1, cancellable, &local_error);
      double fraction;

      if (n <= 0)
        break;
      buf[n] = '\0';
      fraction = parse_qemu_img_progress (buf);
      if (fraction >= 0 && fraction - last >= 0.01)
        {
          last = fraction;
          report (job, LODGE_CREATE_STAGE_CREATING_DISK, 0.3 + 0.3 * fraction);
        }
    }

  if (local_error != NULL)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Creation was cancelled"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!g_subprocess_wait_check (process, cancellable, &local_error))
    {
      g_autofree char *display = g_filename_display_name (source);

      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                   _("Could not import “%s”: qemu-img failed (%s)"), display, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* A new volume "<name><suffix>" of Lodge's pool (mode 0600: it may hold a
 * password) with data uploaded through libvirt: works for remote
 * hypervisors too. */
static gboolean
upload_volume (Job                *job,
               LodgeWorkerPool    *pool,
               const char         *suffix,
               const guint8       *data,
               gsize               len,
               const char         *create_message,
               const char         *write_message,
               LodgeWorkerVolume **out_vol,
               GError            **error)
{
  g_autofree char *vol_name = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *xml = NULL;

  vol_name = unique_volume_name_with_suffix (pool, SPEC_STRING (job->spec, NAME), suffix);
  escaped = g_markup_escape_text (vol_name, -1);
  xml = g_strdup_printf ("<volume>\n"
                         "  <name>%s</name>\n"
                         "  <capacity unit='bytes'>%" G_GSIZE_FORMAT "</capacity>\n"
                         "  <allocation unit='bytes'>0</allocation>\n"
                         "  <target>\n"
                         "    <format type='raw'/>\n"
                         "    <permissions><mode>0600</mode></permissions>\n"
                         "  </target>\n"
                         "</volume>\n", escaped, len);
  /* Set at once: the caller's cleanup removes it if the upload fails. */
  *out_vol = create_volume_xml (job, pool, vol_name, xml, error);
  if (*out_vol == NULL)
    {
      g_prefix_error (error, "%s: ", create_message);
      return FALSE;
    }

  if (!lodge_worker_volume_upload (*out_vol, data, len, error))
    {
      g_prefix_error (error, "%s: ", write_message);
      return FALSE;
    }
  return TRUE;
}

/* Puts the express script on a small ISO image (Joliet names, so Windows
 * finds autounattend.xml; a kickstart goes as ks.cfg on a volume labelled
 * OEMDRV, which Anaconda loads by itself) and uploads it as a volume of
 * Lodge's pool: this works for remote hypervisors too. */
static gboolean
make_unattended_media (Job              *job,
                       LodgeWorkerPool  *pool,
                       GCancellable     *cancellable,
                       GError          **error)
{
  const LodgeExpressScript *script = SPEC_BOXED (job->spec, EXPRESS_SCRIPT);
  gboolean kickstart = g_str_has_suffix (script->filename, ".ks");
  g_autofree char *tmp = NULL;
  g_autofree char *files = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *data = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  gsize len = 0;
  gboolean ok = FALSE;

  tmp = g_dir_make_tmp ("lodge-unattended-XXXXXX", error);
  if (tmp == NULL)
    return FALSE;
  files = g_build_filename (tmp, "files", NULL);
  iso = g_build_filename (tmp, "unattended.iso", NULL);
  g_mkdir (files, 0700);

  {
    g_autofree char *main_path = g_build_filename (files, kickstart ? "ks.cfg" : script->filename, NULL);

    if (!g_file_set_contents_full (main_path, script->content, -1,
                                   G_FILE_SET_CONTENTS_NONE, 0600, error))
      goto out;
    for (guint i = 0; script->extra_filenames && script->extra_filenames[i] != NULL; i++)
      {
        g_autofree char *extra = g_build_filename (files, script->extra_filenames[i], NULL);

        if (!g_file_set_contents_full (extra, script->extra_contents[i], -1,
                                       G_FILE_SET_CONTENTS_NONE, 0600, error))
          goto out;
      }
  }

  {
    const char *args[] = { "-as", "mkisofs", "-quiet", "-J", "-r",
                           "-V", kickstart ? "OEMDRV" : "UNATTENDED", "-o", iso, files, NULL };

    if (!lodge_install_boot_run_xorriso (args, cancellable, &err, &local_error))
      {
        if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
            g_error_matches (local_error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED))
          g_propagate_error (error, g_steal_pointer (&local_error));
        else
          g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                       _("Could not make the unattended installation image: %s"),
                       local_error != NULL ? local_error->message
                       : (err != NULL && *err != '\0') ? g_strstrip (err) : _("xorriso failed"));
        goto out;
      }
  }

  if (!g_file_get_contents (iso, &data, &len, error))
    goto out;

  if (!upload_volume (job, pool, LODGE_UNATTENDED_IMAGE_SUFFIX, (const guint8 *)data, len,
                      _("Could not create the unattended installation image"),
                      _("Could not write the unattended installation image"),
                      &job->unattended, error))
    goto out;

  path = lodge_worker_volume_get_path (job->unattended, error);
  if (path == NULL)
    goto out;
  g_object_set (job->spec, "unattended-path", path, NULL);
  ok = TRUE;

out:
  /* The script holds a password: do not leave copies about. */
  if (data != NULL)
    memset (data, 0, len);
  remove_tree (tmp);
  return ok;
}

/* Initrd injection (Debian, Ubuntu): the installer's kernel and initrd
 * come out of the installation image; the initrd gets the script appended
 * as another cpio archive; both go to Lodge's pool as volumes and the
 * install boot starts the kernel directly with the script's arguments. */
static gboolean
make_install_boot (Job              *job,
                   LodgeWorkerPool  *pool,
                   GCancellable     *cancellable,
                   GError          **error)
{
  const LodgeExpressScript *script = SPEC_BOXED (job->spec, EXPRESS_SCRIPT);
  const char *iso = SPEC_STRING (job->spec, CDROM_PATH);
  g_autofree char *tmp = NULL;
  g_autofree char *kernel_file = NULL;
  g_autofree char *initrd_file = NULL;
  g_autofree char *kernel_data = NULL;
  g_autofree char *initrd_data = NULL;
  g_autoptr(GBytes) initrd = NULL;
  g_autoptr(GBytes) original = NULL;
  gsize kernel_len = 0;
  gsize initrd_len = 0;
  g_autofree char *kernel_path = NULL;
  g_autofree char *initrd_path = NULL;
  gboolean found = FALSE;
  gboolean ok = FALSE;

  if (iso == NULL || !job->local)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                   _("This unattended installation needs the installation image on this computer"));
      return FALSE;
    }
  if (script->kernel_paths == NULL || script->kernel_paths[0] == NULL)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_FOUND,
                   _("The operating system database does not say where the installer’s kernel is"));
      return FALSE;
    }

  tmp = g_dir_make_tmp ("lodge-install-boot-XXXXXX", error);
  if (tmp == NULL)
    return FALSE;
  kernel_file = g_build_filename (tmp, "vmlinuz", NULL);
  initrd_file = g_build_filename (tmp, "initrd", NULL);

  /* The first pair of libosinfo's media that this image has. */
  for (guint i = 0; !found && script->kernel_paths[i] != NULL && script->initrd_paths[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;

      g_unlink (kernel_file);
      g_unlink (initrd_file);
      if (lodge_install_boot_extract (iso, script->kernel_paths[i], kernel_file, cancellable, &local_error) &&
          lodge_install_boot_extract (iso, script->initrd_paths[i], initrd_file, cancellable, &local_error))
        found = TRUE;
      else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }
    }
  if (!found)
    {
      g_autofree char *display = g_filename_display_name (iso);

      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_FOUND,
                   _("The installer’s kernel (%s) is not in “%s”"), script->kernel_paths[0], display);
      goto out;
    }

  if (!g_file_get_contents (kernel_file, &kernel_data, &kernel_len, error) ||
      !g_file_get_contents (initrd_file, &initrd_data, &initrd_len, error))
    goto out;
  original = g_bytes_new_take (g_steal_pointer (&initrd_data), initrd_len);
  initrd = lodge_install_boot_append_file (original, script->filename, script->content, error);
  if (initrd == NULL)
    goto out;

  if (check_cancelled (cancellable, error))
    goto out;

  if (!upload_volume (job, pool, LODGE_INSTALL_KERNEL_SUFFIX, (const guint8 *)kernel_data, kernel_len,
                      _("Could not create the installer’s kernel"),
                      _("Could not write the installer’s kernel"),
                      &job->install_kernel, error) ||
      !upload_volume (job, pool, LODGE_INSTALL_INITRD_SUFFIX,
                      g_bytes_get_data (initrd, NULL), g_bytes_get_size (initrd),
                      _("Could not create the unattended installation image"),
                      _("Could not write the unattended installation image"),
                      &job->install_initrd, error))
    goto out;

  kernel_path = lodge_worker_volume_get_path (job->install_kernel, error);
  initrd_path = kernel_path != NULL ? lodge_worker_volume_get_path (job->install_initrd, error) : NULL;
  if (initrd_path == NULL)
    goto out;
  g_object_set (job->spec, "install-kernel", kernel_path, NULL);
  g_object_set (job->spec, "install-initrd", initrd_path, NULL);
  g_object_set (job->spec, "install-cmdline", script->command_line, NULL);
  ok = TRUE;

out:
  /* The new initrd holds the script and its password. */
  if (initrd != NULL)
    memset ((gpointer)g_bytes_get_data (initrd, NULL), 0, g_bytes_get_size (initrd));
  remove_tree (tmp);
  return ok;
}

/* Whether paths in the spec are files of this computer: not for remote
 * hosts (qemu+ssh://localhost included), nor for the test driver whose
 * storage lives in memory. */
static gboolean
uri_has_local_files (const char *uri)
{
  g_autoptr(LodgeUri) parsed = uri != NULL ? lodge_uri_parse (uri, NULL) : NULL;

  return parsed == NULL || lodge_uri_has_local_files (parsed);
}

/* The install boot runs (QEMU has read the kernel and the initrd into the
 * guest's memory): the persistent definition becomes the one that boots
 * the disk, as virt-install does; the live one keeps on_reboot destroy so
 * the installer's reboot stops the machine. The kernel and initrd volumes
 * are not needed any more and the initrd holds the password: they go now
 * rather than waiting for the machine's deletion. */
static gboolean
finish_install_boot (Job     *job,
                     GError **error)
{
  g_autoptr(LodgeMachineSpec) final = lodge_machine_spec_copy (job->spec);
  g_autoptr(LodgeWorkerDomain) redefined = NULL;
  g_autofree char *xml = NULL;

  g_object_set (final,
                "install-kernel", NULL,
                "install-initrd", NULL,
                "install-cmdline", NULL,
                NULL);
  xml = lodge_domain_builder_build (final, error);
  if (xml == NULL)
    return FALSE;

  redefined = lodge_worker_domain_define (job->conn, xml, error);
  if (redefined == NULL)
    {
      g_prefix_error (error, "%s: ", _("Could not set up the machine for after the installation"));
      return FALSE;
    }

  for (guint i = 0; i < 2; i++)
    {
      LodgeWorkerVolume **vol = i == 0 ? &job->install_kernel : &job->install_initrd;
      g_autoptr(GError) delete_error = NULL;

      if (*vol == NULL)
        continue;
      if (!lodge_worker_volume_delete (*vol, &delete_error))
        {
          g_autofree char *entry = g_strdup_printf (LODGE_POOL_NAME "/%s", lodge_worker_volume_get_name (*vol));
          const char *volumes[] = { entry, NULL };

          g_warning ("Could not remove the installer's %s: %s", i == 0 ? "kernel" : "initrd",
                     delete_error->message);
          /* Not left for ever: the pending cleanup tries again later. */
          lodge_pending_cleanup_record (job->uri, NULL, volumes, NULL);
          continue;
        }
      g_clear_pointer (vol, lodge_worker_volume_free);
    }

  return TRUE;
}

static gboolean
run_transaction (Job           *job,
                 GCancellable  *cancellable,
                 GError       **error)
{
  LodgeMachineSpec *spec = job->spec;
  gboolean throwaway = SPEC_BOOL (spec, THROWAWAY);
  gboolean local = job->local = uri_has_local_files (job->uri);
  const char *import_path = SPEC_STRING (spec, IMPORT_PATH);
  /* A throwaway machine gets an overlay of its disk, or a blank one; with
   * no disk at all (a live ISO) it needs no volume. */
  gboolean need_volume = import_path != NULL ||
                         (throwaway && SPEC_STRING (spec, DISK_PATH) != NULL) ||
                         (SPEC_STRING (spec, DISK_PATH) == NULL && SPEC_UINT64 (spec, DISK_SIZE) > 0);
  guint64 needed = SPEC_UINT64 (spec, DISK_SIZE);
  const LodgeExpressScript *express = SPEC_BOXED (spec, EXPRESS_SCRIPT);
  g_autofree char *xml = NULL;
  char *uuid;

  report (job, LODGE_CREATE_STAGE_CHECKING, 0.0);

  if (!lodge_create_check_name_syntax (SPEC_STRING (spec, NAME), error))
    return FALSE;
  if (name_is_taken (job->conn, SPEC_STRING (spec, NAME), error))
    return FALSE;
  if (!check_fits_host (job, error))
    return FALSE;
  /* The test driver's paths are not files. */
  if (local)
    {
      if (!check_file (SPEC_STRING (spec, CDROM_PATH), _("installation image"), error) ||
          !check_file (SPEC_STRING (spec, DISK_PATH), _("disk image"), error) ||
          !check_file (import_path, _("disk image"), error))
        return FALSE;
    }

  if (import_path != NULL)
    {
      GStatBuf st;
      guint64 virtual_size = 0;
      g_autofree char *display = g_filename_display_name (import_path);

      if (!local || throwaway)
        {
          g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                       _("Disk images can be imported only into a machine of this computer"));
          return FALSE;
        }
      if (lodge_disk_image_probe (import_path, &virtual_size, error) == LODGE_DISK_FORMAT_UNKNOWN ||
          virtual_size == 0)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_MEDIA,
                         _("“%s” is not a disk image"), display);
          return FALSE;
        }
      /* The new volume gets the image's size; the copy takes at most
       * what the image uses on disk now. */
      g_object_set (spec, "disk-size", virtual_size, NULL);
      needed = g_stat (import_path, &st) == 0 ? (guint64)st.st_blocks * 512 : virtual_size;
    }
  if (SPEC_BOXED (spec, EXPRESS_SCRIPT) != NULL && (throwaway || !need_volume))
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                   _("An unattended installation needs a new disk, and cannot be thrown away"));
      return FALSE;
    }
  if (throwaway)
    {
      /* Chosen and held on the main thread before the overlay exists. */
      g_assert (job->uuid != NULL);
      g_object_set (spec, "uuid", job->uuid, NULL);
    }
  else if (SPEC_STRING (spec, UUID) == NULL)
    {
      /* Known before the definition: if the daemon dies during it, the
       * pending cleanup can find the domain by it later. */
      g_autofree char *random = g_uuid_string_random ();

      g_object_set (spec, "uuid", random, NULL);
    }
  if (check_cancelled (cancellable, error))
    return FALSE;

  if (need_volume)
    {
      g_autoptr(LodgeWorkerPool) pool = NULL;
      gboolean ok;

      report (job, LODGE_CREATE_STAGE_PREPARING_STORAGE, 0.1);
      pool = ensure_pool (job, error);
      if (pool == NULL)
        return FALSE;

      /* Refused before anything is created. A thin volume starts empty,
       * but a disk that can never fit is a mistake to stop now. */
      ok = (throwaway && SPEC_STRING (spec, DISK_PATH) != NULL) ||
           check_free_space (job, pool, needed, error);
      if (ok && !check_cancelled (cancellable, error))
        {
          report (job, LODGE_CREATE_STAGE_CREATING_DISK, 0.3);
          ok = create_volume (job, pool, error);
          if (ok && import_path != NULL)
            ok = import_disk (job, cancellable, error);
          if (ok && express != NULL && express->injection == LODGE_EXPRESS_INJECTION_INITRD)
            ok = make_install_boot (job, pool, cancellable, error);
          else if (ok && express != NULL)
            ok = make_unattended_media (job, pool, cancellable, error);
        }
      else
        ok = FALSE;
      if (!ok)
        return FALSE;
    }

  if (check_cancelled (cancellable, error))
    return FALSE;

  report (job, LODGE_CREATE_STAGE_DEFINING, 0.6);
  xml = lodge_domain_builder_build (spec, error);
  if (xml == NULL)
    return FALSE;

  if (!throwaway)
    {
      job->define_tried = TRUE;
      job->domain = lodge_worker_domain_define (job->conn, xml, error);
      if (job->domain == NULL)
        {
          g_prefix_error (error, "%s: ", _("Could not set up the machine"));
          return FALSE;
        }
    }

  if (check_cancelled (cancellable, error))
    return FALSE;

  /* The media may have gone while the disk was made. */
  if (local && !check_file (SPEC_STRING (spec, CDROM_PATH), _("installation image"), error))
    return FALSE;

  report (job, LODGE_CREATE_STAGE_STARTING, 0.8);
  if (throwaway)
    {
      job->domain = lodge_worker_domain_create_transient (job->conn, xml, error);
      if (job->domain == NULL)
        {
          g_prefix_error (error, "%s: ", _("Could not start the machine"));
          return FALSE;
        }
    }
  else if (!lodge_worker_domain_start (job->domain, error))
    {
      g_prefix_error (error, "%s: ", _("Could not start the machine"));
      return FALSE;
    }

  if (SPEC_STRING (spec, INSTALL_KERNEL) != NULL && !finish_install_boot (job, error))
    return FALSE;

  uuid = lodge_worker_domain_get_uuid (job->domain);
  if (uuid != NULL)
    {
      g_free (job->uuid);
      job->uuid = uuid;
    }

  return TRUE;
}

static void
delete_volume (Job                *job,
               LodgeWorkerVolume **vol,
               const char         *what)
{
  g_autoptr(GError) error = NULL;

  if (*vol == NULL)
    return;

  if (!lodge_worker_volume_delete (*vol, &error))
    g_warning ("Could not remove %s after a failed creation: %s", what, error->message);
  g_clear_pointer (vol, lodge_worker_volume_free);
}

/* libvirt's calls fail because the daemon went away (or the link to it). */
static gboolean
connection_lost (Job *job)
{
  return !lodge_worker_connection_is_alive (job->conn);
}

static void
cleanup (Job *job)
{
  report (job, LODGE_CREATE_STAGE_CLEANING_UP, 0.9);

  if (connection_lost (job))
    {
      /* Nothing can be removed now: the record of pending cleanups gets
       * what this creation made, or may have made, and the connection's
       * LodgePendingCleanup removes it once the connection is back. */
      g_autoptr(GStrvBuilder) domains = g_strv_builder_new ();
      g_autoptr(GStrvBuilder) volumes = g_strv_builder_new ();
      g_auto(GStrv) domain_list = NULL;
      g_auto(GStrv) volume_list = NULL;
      g_autoptr(GError) error = NULL;

      job->lost = TRUE;
      if (job->define_tried && SPEC_STRING (job->spec, UUID) != NULL)
        g_strv_builder_add (domains, SPEC_STRING (job->spec, UUID));
      for (guint i = 0; i < job->volume_names->len; i++)
        {
          g_autofree char *entry = g_strdup_printf (LODGE_POOL_NAME "/%s",
                                                    (const char *)g_ptr_array_index (job->volume_names, i));

          g_strv_builder_add (volumes, entry);
        }
      domain_list = g_strv_builder_end (domains);
      volume_list = g_strv_builder_end (volumes);
      if (!lodge_pending_cleanup_record (job->uri, (const char * const *)domain_list,
                                         (const char * const *)volume_list, &error))
        g_warning ("Could not record what a failed creation left: %s", error->message);
      g_clear_pointer (&job->volume_path, g_free);
      return;
    }

  if (job->domain != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* Stopped if it runs, undefined if it was defined (a throwaway's
       * transient domain goes when stopped). */
      if (!lodge_worker_domain_remove (job->domain, &error))
        g_warning ("Could not remove the machine after a failed creation: %s", error->message);
      g_clear_pointer (&job->domain, lodge_worker_domain_free);
    }

  delete_volume (job, &job->volume, job->volume_path ? job->volume_path : "the disk");
  delete_volume (job, &job->unattended, "the unattended installation image");
  delete_volume (job, &job->install_kernel, "the installer's kernel");
  delete_volume (job, &job->install_initrd, "the installer's initrd");

  g_clear_pointer (&job->volume_path, g_free);
}

static void
lodge_machine_creator_run_worker (GTask        *task,
                                  gpointer      source_object,
                                  gpointer      task_data,
                                  GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;

  if (!run_transaction (job, cancellable, &error))
    {
      cleanup (job);
      job_release_host (job);
      if (job->lost && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("Creation failed with the connection lost: %s", error->message);
          g_clear_error (&error);
          g_set_error (&error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_CONNECTED,
                       _("The connection to the virtualization service was lost while the machine "
                         "was being created. What was already made will be removed when the "
                         "connection is back."));
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job_release_host (job);
  g_task_return_boolean (task, TRUE);
}

static void
lodge_machine_creator_run_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  LodgeMachineCreator *self = LODGE_MACHINE_CREATOR (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Job *job = g_task_get_task_data (G_TASK (result));

  self->running = FALSE;
  self->finished = TRUE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* The connection may already be back; if not, the host runs the
       * record when it is. */
      if (job->lost && lodge_connection_get_host (self->connection) != NULL)
        lodge_pending_cleanup_run (lodge_host_get_pending_cleanup (lodge_connection_get_host (self->connection)));
      if (job->watcher != NULL)
        lodge_throwaway_watcher_release (job->watcher, job->uuid);
      set_volume_path (self, NULL);
      set_stage (self, LODGE_CREATE_STAGE_FAILED, 1.0);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_volume_path (self, job->volume_path);
  if (job->watcher != NULL && job->volume_path != NULL)
    lodge_throwaway_watcher_watch (job->watcher, job->uuid, job->volume_path);
  /* After watch: a guest that already stopped is seen on release. */
  if (job->watcher != NULL)
    lodge_throwaway_watcher_release (job->watcher, job->uuid);

  set_stage (self, LODGE_CREATE_STAGE_DONE, 1.0);
  g_task_return_pointer (task, g_strdup (job->uuid), g_free);
}

static void
lodge_machine_creator_caps_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GTask) worker = user_data;
  g_autoptr(LodgeHostCapabilities) caps = NULL;
  Job *job = g_task_get_task_data (worker);

  /* Without them (a read that failed) the check is left to libvirt. */
  caps = lodge_host_get_capabilities_finish (LODGE_HOST (object), result, NULL);
  if (caps != NULL)
    {
      job->host_memory = lodge_host_capabilities_get_memory (caps);
      job->host_cpus = lodge_host_capabilities_get_cpus (caps);
    }
  /* The cleanup must run even when cancelled: no return-on-cancel. */
  g_task_run_in_thread (worker, lodge_machine_creator_run_worker);
}

void
lodge_machine_creator_run_async (LodgeMachineCreator *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  LodgeHost *host;
  Job *job;

  g_return_if_fail (LODGE_IS_MACHINE_CREATOR (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_machine_creator_run_async);
  /* A cancel that comes after the transaction's last check does not undo
   * it: the result (a machine, or the cleaned-up error) is the truth, not
   * GTask's "the cancellable was cancelled at some point". */
  g_task_set_check_cancellable (task, FALSE);

  if (self->running || self->finished)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_FAILED,
                               "A LodgeMachineCreator runs only once");
      return;
    }

  host = lodge_connection_get_host (self->connection);
  if (SPEC_BOOL (self->spec, THROWAWAY) && host == NULL)
    {
      /* Nothing would delete its overlay: the watcher is the host's. */
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_INVALID_CONFIG,
                               "A throwaway machine needs a connection of a LodgeHost");
      return;
    }

  job = g_new0 (Job, 1);
  job->conn = lodge_worker_connection_new (self->connection, NULL);
  if (job->conn == NULL)
    {
      job_free (job);
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_CONNECTED,
                               _("Not connected to the hypervisor"));
      return;
    }
  job->self = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->spec = lodge_machine_spec_copy (self->spec);
  job->uri = g_strdup (lodge_connection_get_uri (self->connection));
  job->pool_path = lodge_machine_creator_pool_path_for_uri (job->uri);
  job->volume_names = g_ptr_array_new_with_free_func (g_free);
  if (SPEC_BOOL (job->spec, THROWAWAY))
    {
      job->uuid = g_uuid_string_random ();
      job->watcher = g_object_ref (lodge_host_get_throwaway_watcher (host));
      lodge_throwaway_watcher_hold (job->watcher, job->uuid);
    }

  self->running = TRUE;
  set_stage (self, LODGE_CREATE_STAGE_CHECKING, 0.0);

  worker = g_task_new (self, cancellable, lodge_machine_creator_run_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, lodge_machine_creator_run_worker);
  g_task_set_task_data (worker, job, (GDestroyNotify)job_free);
  g_task_set_check_cancellable (worker, FALSE);
  if (host != NULL)
    /* The host's size, for check_fits_host(): usually known already. */
    lodge_host_get_capabilities_async (host, cancellable, lodge_machine_creator_caps_cb,
                                       g_steal_pointer (&worker));
  else
    g_task_run_in_thread (worker, lodge_machine_creator_run_worker);
}

char *
lodge_machine_creator_run_finish (LodgeMachineCreator  *self,
                                  GAsyncResult         *result,
                                  GError              **error)
{
  g_return_val_if_fail (LODGE_IS_MACHINE_CREATOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- name check and suggestion ---- */

typedef struct
{
  LodgeWorkerConnection *conn;   /* released on the worker */
  char                  *name;
} NameQuery;

static void
name_query_free (NameQuery *query)
{
  g_clear_pointer (&query->conn, lodge_worker_connection_free);
  g_free (query->name);
  g_free (query);
}

static void
suggest_name_worker (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  NameQuery *query = task_data;
  const char *base = query->name;

  for (guint i = 1; i < 10000; i++)
    {
      g_autofree char *candidate = i == 1 ? g_strdup (base) : g_strdup_printf ("%s-%u", base, i);
      gboolean exists = FALSE;

      if (!lodge_worker_domain_name_exists (query->conn, candidate, &exists, NULL) || !exists)
        {
          g_clear_pointer (&query->conn, lodge_worker_connection_free);
          g_task_return_pointer (task, g_steal_pointer (&candidate), g_free);
          return;
        }
    }

  g_clear_pointer (&query->conn, lodge_worker_connection_free);
  g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NAME_TAKEN,
                           _("Every name like “%s” is taken"), base);
}

void
lodge_machine_creator_suggest_name_async (LodgeConnection     *connection,
                                          const char          *base,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) clean = g_string_new (NULL);
  NameQuery *query;
  LodgeWorkerConnection *conn;

  g_return_if_fail (LODGE_IS_CONNECTION (connection));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_machine_creator_suggest_name_async);

  /* Keep what libvirt accepts: no '/', no control characters. */
  for (const char *p = base ? base : ""; *p != '\0' && g_utf8_validate (p, -1, NULL);
       p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || g_unichar_iscntrl (c))
        g_string_append_c (clean, '-');
      else
        g_string_append_unichar (clean, c);
    }
  if (!lodge_create_check_name_syntax (clean->str, NULL))
    g_string_assign (clean, "machine");

  conn = lodge_worker_connection_new (connection, NULL);
  if (conn == NULL)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_CONNECTED,
                               _("Not connected to the hypervisor"));
      return;
    }

  query = g_new0 (NameQuery, 1);
  query->conn = conn;
  query->name = g_string_free (g_steal_pointer (&clean), FALSE);
  g_task_set_task_data (task, query, (GDestroyNotify)name_query_free);
  g_task_run_in_thread (task, suggest_name_worker);
}

char *
lodge_machine_creator_suggest_name_finish (GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
check_name_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  NameQuery *query = task_data;
  g_autoptr(GError) error = NULL;
  gboolean taken = name_is_taken (query->conn, query->name, &error);

  g_clear_pointer (&query->conn, lodge_worker_connection_free);
  if (taken)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
lodge_machine_creator_check_name_async (LodgeConnection     *connection,
                                        const char          *name,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  LodgeWorkerConnection *conn;
  NameQuery *query;

  g_return_if_fail (LODGE_IS_CONNECTION (connection));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_machine_creator_check_name_async);

  if (!lodge_create_check_name_syntax (name, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  conn = lodge_worker_connection_new (connection, NULL);
  if (conn == NULL)
    {
      g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_CONNECTED,
                               _("Not connected to the hypervisor"));
      return;
    }

  query = g_new0 (NameQuery, 1);
  query->conn = conn;
  query->name = g_strdup (name);
  g_task_set_task_data (task, query, (GDestroyNotify)name_query_free);
  g_task_run_in_thread (task, check_name_worker);
}

gboolean
lodge_machine_creator_check_name_finish (GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
