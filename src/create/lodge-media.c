/* lodge-media.c: an installation medium (ISO) or a disk image to import
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-create"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "create/lodge-media.h"
#include "create/lodge-create-enums.h"
#include "create/lodge-create-private.h"

struct _LodgeMedia
{
  GObject          parent_instance;

  char            *path;
  LodgeMediaKind   kind;
  LodgeOs         *os;
  char            *volume_id;
  char            *publisher_id;
  char            *label;
  LodgeDiskFormat  disk_format;
  guint64          size;
  guint64          virtual_size;
  guint            installer : 1;
  guint            live : 1;
  guint            takes_script : 1;
};

G_DEFINE_FINAL_TYPE (LodgeMedia, lodge_media, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_KIND,
  PROP_OS,
  PROP_VOLUME_ID,
  PROP_PUBLISHER_ID,
  PROP_INSTALLER,
  PROP_LIVE,
  PROP_DISK_FORMAT,
  PROP_SIZE,
  PROP_VIRTUAL_SIZE,
  PROP_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ISO 9660: the primary volume descriptor is sector 16 (2048-byte sectors). */
#define ISO_PVD_OFFSET        (16 * 2048)
#define ISO_HEADER_SIZE       (ISO_PVD_OFFSET + 2048)

static void
lodge_media_finalize (GObject *object)
{
  LodgeMedia *self = (LodgeMedia *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->os);
  g_clear_pointer (&self->volume_id, g_free);
  g_clear_pointer (&self->publisher_id, g_free);
  g_clear_pointer (&self->label, g_free);

  G_OBJECT_CLASS (lodge_media_parent_class)->finalize (object);
}

static void
lodge_media_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LodgeMedia *self = LODGE_MEDIA (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_OS:
      g_value_set_object (value, self->os);
      break;
    case PROP_VOLUME_ID:
      g_value_set_string (value, self->volume_id);
      break;
    case PROP_PUBLISHER_ID:
      g_value_set_string (value, self->publisher_id);
      break;
    case PROP_INSTALLER:
      g_value_set_boolean (value, self->installer);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    case PROP_DISK_FORMAT:
      g_value_set_enum (value, self->disk_format);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case PROP_VIRTUAL_SIZE:
      g_value_set_uint64 (value, self->virtual_size);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_media_class_init (LodgeMediaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lodge_media_finalize;
  object_class->get_property = lodge_media_get_property;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, LODGE_TYPE_MEDIA_KIND,
                                             LODGE_MEDIA_KIND_UNKNOWN, flags);
  properties[PROP_OS] = g_param_spec_object ("os", NULL, NULL, LODGE_TYPE_OS, flags);
  properties[PROP_VOLUME_ID] = g_param_spec_string ("volume-id", NULL, NULL, NULL, flags);
  properties[PROP_PUBLISHER_ID] = g_param_spec_string ("publisher-id", NULL, NULL, NULL, flags);
  properties[PROP_INSTALLER] = g_param_spec_boolean ("installer", NULL, NULL, FALSE, flags);
  properties[PROP_LIVE] = g_param_spec_boolean ("live", NULL, NULL, FALSE, flags);
  properties[PROP_DISK_FORMAT] = g_param_spec_enum ("disk-format", NULL, NULL,
                                                    LODGE_TYPE_DISK_FORMAT,
                                                    LODGE_DISK_FORMAT_UNKNOWN, flags);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_VIRTUAL_SIZE] = g_param_spec_uint64 ("virtual-size", NULL, NULL,
                                                       0, G_MAXUINT64, 0, flags);
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_media_init (LodgeMedia *self)
{
}

/* What the worker found; turned into a LodgeMedia on the main thread. */
typedef struct
{
  LodgeOsDatabase *db;
  char            *path;
  LodgeMediaKind   kind;
  char            *os_id;
  char            *volume_id;
  char            *publisher_id;
  LodgeDiskFormat  disk_format;
  guint64          size;
  guint64          virtual_size;
  gboolean         installer;
  gboolean         live;
  gboolean         takes_script;
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_object (&probe->db);
  g_free (probe->path);
  g_free (probe->os_id);
  g_free (probe->volume_id);
  g_free (probe->publisher_id);
  g_free (probe);
}

static guint64
read_le64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

static guint64
read_be64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}

/* Opens a regular file (or block device) for reading, with an error a
 * user understands. Never blocks on a FIFO. */
static int
open_for_reading (const char  *path,
                  guint64     *size,
                  GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  GStatBuf st;
  int fd;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved == ENOENT || saved == ENOTDIR)
        g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_FOUND,
                     _("“%s” does not exist"), display);
      else
        g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_UNREADABLE,
                     _("“%s” cannot be read: %s"), display, g_strerror (saved));
      return -1;
    }

  if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode))
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_UNREADABLE,
                   S_ISDIR (st.st_mode) ? _("“%s” is a folder, not a file")
                                        : _("“%s” is not a regular file"),
                   display);
      return -1;
    }

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_UNREADABLE,
                   _("“%s” cannot be read: %s"), display, g_strerror (saved));
      return -1;
    }

  if (S_ISBLK (st.st_mode))
    {
      off_t end = lseek (fd, 0, SEEK_END);

      *size = end > 0 ? (guint64)end : 0;
      lseek (fd, 0, SEEK_SET);
    }
  else
    *size = (guint64)st.st_size;

  return fd;
}

static gssize
read_at (int     fd,
         guint8 *buf,
         gsize   len,
         off_t   offset)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = pread (fd, buf + done, len - done, offset + (off_t)done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += (gsize)n;
    }

  return (gssize)done;
}

static gboolean
has_raw_suffix (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".img") || g_str_has_suffix (lower, ".raw");
}

/* Sniffs the header of an open file. */
static LodgeDiskFormat
sniff_disk_image (int          fd,
                  const char  *path,
                  guint64      size,
                  guint64     *virtual_size)
{
  guint8 header[512] = { 0 };
  gssize n = read_at (fd, header, sizeof header, 0);

  *virtual_size = 0;
  if (n < 0)
    return LODGE_DISK_FORMAT_UNKNOWN;

  if (n >= 32 && memcmp (header, "QFI\xfb", 4) == 0)
    {
      *virtual_size = read_be64 (header + 24);
      return LODGE_DISK_FORMAT_QCOW2;
    }

  /* VMDK sparse extent: "KDMV", capacity in sectors at offset 12. */
  if (n >= 20 && memcmp (header, "KDMV", 4) == 0)
    {
      *virtual_size = read_le64 (header + 12) * 512;
      return LODGE_DISK_FORMAT_VMDK;
    }
  /* A monolithic VMDK descriptor file. */
  if (n >= 21 && memcmp (header, "# Disk DescriptorFile", 21) == 0)
    return LODGE_DISK_FORMAT_VMDK;

  /* VDI: signature 0xbeda107f at 0x40, disk size at 0x170 (version 1.1). */
  if (n >= 0x178 && read_le32 (header + 0x40) == 0xbeda107f)
    {
      *virtual_size = read_le64 (header + 0x170);
      return LODGE_DISK_FORMAT_VDI;
    }

  /* Raw images have no header: trust the name and the size. */
  if (has_raw_suffix (path) && size > 0 && size % 512 == 0)
    {
      *virtual_size = size;
      return LODGE_DISK_FORMAT_RAW;
    }

  return LODGE_DISK_FORMAT_UNKNOWN;
}

LodgeDiskFormat
lodge_disk_image_probe (const char  *path,
                        guint64     *virtual_size,
                        GError     **error)
{
  guint64 size = 0;
  guint64 vsize = 0;
  LodgeDiskFormat format;
  int fd;

  g_return_val_if_fail (path != NULL, LODGE_DISK_FORMAT_UNKNOWN);

  fd = open_for_reading (path, &size, error);
  if (fd < 0)
    return LODGE_DISK_FORMAT_UNKNOWN;

  format = sniff_disk_image (fd, path, size, &vsize);
  close (fd);

  if (virtual_size != NULL)
    *virtual_size = vsize;
  return format;
}

/* Reads the ISO 9660 primary volume descriptor: returns FALSE when the file
 * is not an ISO; sets TRUNCATED when it is one shorter than its volume. */
static gboolean
check_iso (int          fd,
           const char  *path,
           guint64      size,
           GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  guint8 pvd[2048];
  gssize n;
  guint64 blocks;
  guint32 block_size;

  if (size < ISO_PVD_OFFSET + 6)
    return FALSE;

  n = read_at (fd, pvd, sizeof pvd, ISO_PVD_OFFSET);
  if (n < 6 || memcmp (pvd + 1, "CD001", 5) != 0)
    return FALSE;

  if (n < 136)
    {
      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_TRUNCATED,
                   _("“%s” is an incomplete ISO image (the download may have been cut short)"),
                   display);
      return TRUE;
    }

  /* Volume space size (both-endian, little-endian half first) and the
   * logical block size. */
  blocks = read_le32 (pvd + 80);
  block_size = (guint32)pvd[128] | ((guint32)pvd[129] << 8);
  if (block_size == 0)
    block_size = 2048;

  if (blocks * block_size > size)
    {
      /* Sizes as text: a format macro inside _() breaks translations. */
      g_autofree char *have = g_format_size_full (size, G_FORMAT_SIZE_LONG_FORMAT);
      g_autofree char *want = g_format_size_full (blocks * block_size, G_FORMAT_SIZE_LONG_FORMAT);

      g_set_error (error, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_TRUNCATED,
                   _("“%s” is an incomplete ISO image: %s of %s (the download may have been cut short)"),
                   display, have, want);
    }

  return TRUE;
}

static void
lodge_media_probe_worker (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  Probe *probe = task_data;
  g_autofree char *display = g_filename_display_name (probe->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(OsinfoMedia) media = NULL;
  gboolean is_iso;
  int fd;

  fd = open_for_reading (probe->path, &probe->size, &error);
  if (fd < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  is_iso = check_iso (fd, probe->path, probe->size, &error);
  if (!is_iso)
    {
      probe->disk_format = sniff_disk_image (fd, probe->path, probe->size, &probe->virtual_size);
      close (fd);
      if (probe->disk_format == LODGE_DISK_FORMAT_UNKNOWN)
        {
          g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_MEDIA,
                                   _("“%s” is neither an installation image (ISO) nor a disk image"),
                                   display);
          return;
        }
      probe->kind = LODGE_MEDIA_KIND_DISK_IMAGE;
      g_task_return_boolean (task, TRUE);
      return;
    }
  close (fd);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  probe->kind = LODGE_MEDIA_KIND_ISO;
  probe->disk_format = LODGE_DISK_FORMAT_RAW;
  probe->installer = TRUE;
  probe->takes_script = TRUE;

  /* Flags 0: non-bootable media are read too (the plain call refuses them).
   * The call runs a main loop on the thread-default context: without our
   * own context here it would run (and hold) the application's default one
   * from this worker thread, freezing the main thread meanwhile. */
  {
    g_autoptr(GMainContext) context = g_main_context_new ();

    g_main_context_push_thread_default (context);
    media = osinfo_media_create_from_location_with_flags (probe->path, cancellable, 0, &error);
    g_main_context_pop_thread_default (context);
  }
  if (media == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (error != NULL && error->domain == OSINFO_MEDIA_ERROR)
        g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_NOT_MEDIA,
                                 _("“%s” is not a usable ISO image: %s"),
                                 display, error->message);
      else
        g_task_return_new_error (task, LODGE_CREATE_ERROR, LODGE_CREATE_ERROR_UNREADABLE,
                                 _("“%s” cannot be read: %s"),
                                 display, error ? error->message : _("unknown error"));
      return;
    }

  probe->volume_id = g_strdup (osinfo_media_get_volume_id (media));
  probe->publisher_id = g_strdup (osinfo_media_get_publisher_id (media));

  if (osinfo_db_identify_media (lodge_os_database_get_osinfo_db (probe->db), media))
    {
      OsinfoOs *os = osinfo_media_get_os (media);

      if (os != NULL)
        probe->os_id = g_strdup (osinfo_entity_get_id (OSINFO_ENTITY (os)));
      probe->installer = osinfo_media_get_installer (media);
      probe->live = osinfo_media_get_live (media);
      /* Some installers ignore scripts (Ubuntu Server's subiquity). */
      probe->takes_script = osinfo_media_supports_installer_script (media);
      g_clear_object (&os);
    }

  g_task_return_boolean (task, TRUE);
}

static void
lodge_media_db_loaded_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  LodgeOsDatabase *db = LODGE_OS_DATABASE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!lodge_os_database_load_finish (db, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_run_in_thread (task, lodge_media_probe_worker);
}

void
lodge_media_new_for_path_async (LodgeOsDatabase     *db,
                                const char          *path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Probe *probe;

  g_return_if_fail (LODGE_IS_OS_DATABASE (db));
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_media_new_for_path_async);

  probe = g_new0 (Probe, 1);
  probe->db = g_object_ref (db);
  if (g_path_is_absolute (path))
    probe->path = g_strdup (path);
  else
    {
      g_autofree char *cwd = g_get_current_dir ();
      probe->path = g_build_filename (cwd, path, NULL);
    }
  g_task_set_task_data (task, probe, (GDestroyNotify)probe_free);

  if (!lodge_os_database_get_loaded (db))
    lodge_os_database_load_async (db, cancellable, lodge_media_db_loaded_cb,
                                  g_steal_pointer (&task));
  else
    g_task_run_in_thread (task, lodge_media_probe_worker);
}

LodgeMedia *
lodge_media_new_for_path_finish (GAsyncResult  *result,
                                 GError       **error)
{
  LodgeMedia *self;
  Probe *probe;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  probe = g_task_get_task_data (G_TASK (result));

  self = g_object_new (LODGE_TYPE_MEDIA, NULL);
  self->path = g_strdup (probe->path);
  self->kind = probe->kind;
  self->volume_id = g_strdup (probe->volume_id);
  self->publisher_id = g_strdup (probe->publisher_id);
  self->disk_format = probe->disk_format;
  self->size = probe->size;
  self->virtual_size = probe->virtual_size;
  self->installer = probe->installer;
  self->live = probe->live;
  self->takes_script = probe->takes_script;
  if (probe->os_id != NULL)
    {
      LodgeOs *os = lodge_os_database_lookup (probe->db, probe->os_id);

      if (os != NULL)
        self->os = g_object_ref (os);
    }

  if (self->os != NULL)
    self->label = g_strdup (lodge_os_get_name (self->os));
  else if (self->volume_id != NULL && *self->volume_id != '\0')
    self->label = g_strstrip (g_strdup (self->volume_id));
  else
    self->label = g_path_get_basename (self->path);

  return self;
}

const char *
lodge_media_get_path (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), NULL);
  return self->path;
}

LodgeMediaKind
lodge_media_get_kind (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), LODGE_MEDIA_KIND_UNKNOWN);
  return self->kind;
}

LodgeOs *
lodge_media_get_os (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), NULL);
  return self->os;
}

const char *
lodge_media_get_volume_id (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), NULL);
  return self->volume_id;
}

const char *
lodge_media_get_publisher_id (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), NULL);
  return self->publisher_id;
}

gboolean
lodge_media_get_installer (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), FALSE);
  return self->installer;
}

gboolean
lodge_media_get_takes_install_script (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), FALSE);
  return self->takes_script;
}

gboolean
lodge_media_get_live (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), FALSE);
  return self->live;
}

LodgeDiskFormat
lodge_media_get_disk_format (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), LODGE_DISK_FORMAT_UNKNOWN);
  return self->disk_format;
}

guint64
lodge_media_get_size (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), 0);
  return self->size;
}

guint64
lodge_media_get_virtual_size (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), 0);
  return self->virtual_size;
}

const char *
lodge_media_get_label (LodgeMedia *self)
{
  g_return_val_if_fail (LODGE_IS_MEDIA (self), NULL);
  return self->label;
}
