/* lodge-spice-test-server.c: a SPICE server that draws known frames
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built on libspice-server with a QXL device of its own: it draws what it
 * is told on stdin and reports on stdout what the client sends it, one
 * line per event, so that tests and benchmarks can check a SPICE client
 * from the guest's side.
 *
 * Usage: lodge-spice-test-server --port PORT [--width W] [--height H]
 *                                [--no-tablet] [--no-agent] [--password PW]
 *                                [--tls-port PORT --tls-dir DIR] [--audio]
 *
 * Commands (stdin, one per line):
 *   pattern SEED              full frame of the test pattern (see below)
 *   rect X Y W H RRGGBB       a solid rectangle, sent as a bitmap
 *   resize W H                new primary surface (pattern 0 drawn on it)
 *   cursor W H HOTX HOTY      an alpha cursor of the test cursor pattern
 *   cursor-hide
 *   leds N                    keyboard LEDs (1 scroll, 2 num, 4 caps)
 *   clipboard TEXT            the guest copies TEXT (through the agent)
 *   stream-full FPS           full frames without end (FPS 0: as fast as
 *                             the server takes them)
 *   stream-area X Y W H FPS   a W×H area changing at FPS
 *   stop                      end the stream
 *   tone FREQ MS              (--audio) a sine of FREQ Hz for MS ms on
 *                             the playback channel, at the rate the
 *                             server prefers (48 kHz with Opus), stereo;
 *                             the channel stops after it unless started
 *                             with playback-start
 *   playback-start            (--audio) start the playback channel and
 *                             keep it started (silence between tones),
 *                             as a guest whose sound card stays open
 *   playback-stop             (--audio) stop it
 *   sync TOKEN                prints "sync TOKEN" once the commands before
 *                             it have been handed to the display worker
 *   quit
 *
 * Events (stdout):
 *   listening PORT · client connected|disconnected ·
 *   kbd BYTE (hex, one per scancode byte) · tablet X Y BUTTONS ·
 *   tablet-buttons BUTTONS · wheel N BUTTONS · mouse DX DY DZ BUTTONS ·
 *   mouse-buttons BUTTONS · agent connected · agent-monitors W H ·
 *   agent-grab TYPE… · agent-clipboard TYPE SIZE HEX(data) ·
 *   agent-file-start NAME SIZE · agent-file NAME SIZE SHA256 (a file copied
 *   in whole) · agent-file-status ID RESULT (from the client: cancelled…) ·
 *   stream FRAMES · channel playback|record connected|disconnected ·
 *   tone-done FRAMES RATE (frames the playback channel took for the tone)
 *   (frames handed to the worker, every second while streaming)
 *
 * The test pattern at (x, y) for SEED s is xRGB with
 *   R = (x + s) & 0xff, G = (y + 2s) & 0xff, B = ((x ^ y) + 3s) & 0xff.
 */
#define G_LOG_DOMAIN "lodge-spice-test-server"

#include "config.h"

#include <glib.h>
#include <glib-unix.h>
#include <math.h>
#include <spice.h>
#include <spice/vd_agent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define MAX_QUEUE 64

/* Core interface on the GLib main loop */

struct SpiceTimer
{
  SpiceTimerFunc func;
  void *opaque;
  guint source;
};

struct SpiceWatch
{
  int fd;
  int mask;
  SpiceWatchFunc func;
  void *opaque;
  guint source;
};

static GMutex output_lock;

static void G_GNUC_PRINTF (1, 2)
emit (const char *format,
      ...)
{
  va_list args;

  g_mutex_lock (&output_lock);
  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
  g_mutex_unlock (&output_lock);
}

static gboolean
timer_fire_cb (gpointer user_data)
{
  SpiceTimer *timer = user_data;

  timer->source = 0;
  timer->func (timer->opaque);
  return G_SOURCE_REMOVE;
}

static SpiceTimer *
core_timer_add (SpiceTimerFunc func,
                void          *opaque)
{
  SpiceTimer *timer = g_new0 (SpiceTimer, 1);

  timer->func = func;
  timer->opaque = opaque;
  return timer;
}

static void
core_timer_start (SpiceTimer *timer,
                  uint32_t    ms)
{
  g_clear_handle_id (&timer->source, g_source_remove);
  timer->source = g_timeout_add (ms, timer_fire_cb, timer);
}

static void
core_timer_cancel (SpiceTimer *timer)
{
  g_clear_handle_id (&timer->source, g_source_remove);
}

static void
core_timer_remove (SpiceTimer *timer)
{
  core_timer_cancel (timer);
  g_free (timer);
}

static gboolean
watch_fire_cb (int          fd,
               GIOCondition condition,
               gpointer     user_data)
{
  SpiceWatch *watch = user_data;
  int event = 0;

  if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    event |= SPICE_WATCH_EVENT_READ;
  if (condition & G_IO_OUT)
    event |= SPICE_WATCH_EVENT_WRITE;
  watch->func (fd, event & watch->mask, watch->opaque);
  return G_SOURCE_CONTINUE;
}

static void
core_watch_update_mask (SpiceWatch *watch,
                        int         mask)
{
  GIOCondition condition = 0;

  g_clear_handle_id (&watch->source, g_source_remove);
  watch->mask = mask;
  if (mask & SPICE_WATCH_EVENT_READ)
    condition |= G_IO_IN;
  if (mask & SPICE_WATCH_EVENT_WRITE)
    condition |= G_IO_OUT;
  if (condition != 0)
    watch->source = g_unix_fd_add (watch->fd, condition, watch_fire_cb, watch);
}

static SpiceWatch *
core_watch_add (int            fd,
                int            mask,
                SpiceWatchFunc func,
                void          *opaque)
{
  SpiceWatch *watch = g_new0 (SpiceWatch, 1);

  watch->fd = fd;
  watch->func = func;
  watch->opaque = opaque;
  core_watch_update_mask (watch, mask);
  return watch;
}

static void
core_watch_remove (SpiceWatch *watch)
{
  g_clear_handle_id (&watch->source, g_source_remove);
  g_free (watch);
}

/* Called from the worker threads too. */
static void
core_channel_event (int                    event,
                    SpiceChannelEventInfo *info)
{
  if (info->type == SPICE_CHANNEL_MAIN)
    {
      if (event == SPICE_CHANNEL_EVENT_INITIALIZED)
        emit ("client connected");
      else if (event == SPICE_CHANNEL_EVENT_DISCONNECTED)
        emit ("client disconnected");
    }
  else if (info->type == SPICE_CHANNEL_PLAYBACK || info->type == SPICE_CHANNEL_RECORD)
    {
      const char *name = info->type == SPICE_CHANNEL_PLAYBACK ? "playback" : "record";

      if (event == SPICE_CHANNEL_EVENT_INITIALIZED)
        emit ("channel %s connected", name);
      else if (event == SPICE_CHANNEL_EVENT_DISCONNECTED)
        emit ("channel %s disconnected", name);
    }
}

static SpiceCoreInterface core_interface = {
  .base = {
    .type = SPICE_INTERFACE_CORE,
    .description = "lodge test core",
    .major_version = SPICE_INTERFACE_CORE_MAJOR,
    .minor_version = SPICE_INTERFACE_CORE_MINOR,
  },
  .timer_add = core_timer_add,
  .timer_start = core_timer_start,
  .timer_cancel = core_timer_cancel,
  .timer_remove = core_timer_remove,
  .watch_add = core_watch_add,
  .watch_update_mask = core_watch_update_mask,
  .watch_remove = core_watch_remove,
  .channel_event = core_channel_event,
};

/* QXL device */

typedef struct
{
  QXLCommandExt ext;
  union {
    QXLDrawable drawable;
    QXLCursorCmd cursor;
  };
  QXLImage image;
  guint32 *pixels;      /* owned unless borrowed */
  gboolean borrowed;
  QXLCursor *shape;
} Command;

static SpiceServer *server;
static QXLInstance qxl_instance;
static gboolean worker_attached;
static GMutex queue_lock;
static GQueue draw_queue = G_QUEUE_INIT;
static GQueue cursor_queue = G_QUEUE_INIT;
static gint in_flight;           /* drawables not yet released */
static guint64 next_unique = 1;
static int surface_width = 1024;
static int surface_height = 768;
static guint8 *surface_memory;

static void
command_free (Command *command)
{
  if (!command->borrowed)
    g_free (command->pixels);
  g_free (command->shape);
  g_free (command);
}

static void
qxl_attached_worker (QXLInstance *qin)
{
  QXLDevMemSlot slot = {
    .slot_group_id = 0,
    .slot_id = 0,
    .generation = 0,
    .virt_start = 0,
    .virt_end = ~(uintptr_t) 0,
    .addr_delta = 0,
    .qxl_ram_size = ~0u,
  };

  /* Guest physical addresses are plain pointers in this process. */
  spice_qxl_add_memslot (qin, &slot);
  worker_attached = TRUE;
}

static void
qxl_set_compression_level (QXLInstance *qin,
                           int          level)
{
}

static void
qxl_get_init_info (QXLInstance    *qin,
                   QXLDevInitInfo *info)
{
  memset (info, 0, sizeof *info);
  info->num_memslots = 1;
  info->num_memslots_groups = 1;
  info->memslot_id_bits = 1;
  info->memslot_gen_bits = 1;
  info->n_surfaces = 1;
}

static int
take_command (GQueue        *queue,
              QXLCommandExt *ext)
{
  Command *command;

  g_mutex_lock (&queue_lock);
  command = g_queue_pop_head (queue);
  g_mutex_unlock (&queue_lock);
  if (command == NULL)
    return FALSE;
  *ext = command->ext;
  return TRUE;
}

static int
qxl_get_command (QXLInstance   *qin,
                 QXLCommandExt *ext)
{
  return take_command (&draw_queue, ext);
}

static int
qxl_req_cmd_notification (QXLInstance *qin)
{
  gboolean empty;

  g_mutex_lock (&queue_lock);
  empty = g_queue_is_empty (&draw_queue);
  g_mutex_unlock (&queue_lock);
  return empty;
}

static void
qxl_release_resource (QXLInstance       *qin,
                      QXLReleaseInfoExt  release)
{
  Command *command = (Command *) (uintptr_t) release.info->id;

  if (command->ext.cmd.type == QXL_CMD_DRAW)
    g_atomic_int_add (&in_flight, -1);
  command_free (command);
}

static int
qxl_get_cursor_command (QXLInstance   *qin,
                        QXLCommandExt *ext)
{
  return take_command (&cursor_queue, ext);
}

static int
qxl_req_cursor_notification (QXLInstance *qin)
{
  gboolean empty;

  g_mutex_lock (&queue_lock);
  empty = g_queue_is_empty (&cursor_queue);
  g_mutex_unlock (&queue_lock);
  return empty;
}

static void
qxl_notify_update (QXLInstance *qin,
                   uint32_t     update_id)
{
}

static int
qxl_flush_resources (QXLInstance *qin)
{
  return 0;
}

static void
qxl_async_complete (QXLInstance *qin,
                    uint64_t     cookie)
{
}

static void
qxl_update_area_complete (QXLInstance *qin,
                          uint32_t     surface_id,
                          QXLRect     *updated_rects,
                          uint32_t     num_updated_rects)
{
}

static void
qxl_set_client_capabilities (QXLInstance *qin,
                             uint8_t      client_present,
                             uint8_t      caps[58])
{
}

static void resize_from_any_thread (int width, int height);

static int
qxl_client_monitors_config (QXLInstance           *qin,
                            VDAgentMonitorsConfig *config)
{
  /* Not handled by the device: the server passes it on to the agent. */
  return 0;
}

static QXLInterface qxl_interface = {
  .base = {
    .type = SPICE_INTERFACE_QXL,
    .description = "lodge test qxl",
    .major_version = SPICE_INTERFACE_QXL_MAJOR,
    .minor_version = SPICE_INTERFACE_QXL_MINOR,
  },
  .attached_worker = qxl_attached_worker,
  .set_compression_level = qxl_set_compression_level,
  .get_init_info = qxl_get_init_info,
  .get_command = qxl_get_command,
  .req_cmd_notification = qxl_req_cmd_notification,
  .release_resource = qxl_release_resource,
  .get_cursor_command = qxl_get_cursor_command,
  .req_cursor_notification = qxl_req_cursor_notification,
  .notify_update = qxl_notify_update,
  .flush_resources = qxl_flush_resources,
  .async_complete = qxl_async_complete,
  .update_area_complete = qxl_update_area_complete,
  .set_client_capabilities = qxl_set_client_capabilities,
  .client_monitors_config = qxl_client_monitors_config,
};

static void
push_command (GQueue  *queue,
              Command *command)
{
  g_mutex_lock (&queue_lock);
  g_queue_push_tail (queue, command);
  g_mutex_unlock (&queue_lock);
  spice_qxl_wakeup (&qxl_instance);
}

static guint32
pattern_pixel (int x,
               int y,
               int seed)
{
  guint32 r = (x + seed) & 0xff;
  guint32 g = (y + 2 * seed) & 0xff;
  guint32 b = ((x ^ y) + 3 * seed) & 0xff;

  return (r << 16) | (g << 8) | b;
}

/* Queues a COPY of a w×h bitmap to (x, y): the bitmap is top-down xRGB. */
static void
queue_bitmap (int       x,
              int       y,
              int       w,
              int       h,
              guint32  *pixels,
              gboolean  borrowed)
{
  Command *command = g_new0 (Command, 1);
  QXLDrawable *d = &command->drawable;
  QXLImage *image = &command->image;

  command->pixels = pixels;
  command->borrowed = borrowed;

  image->descriptor.id = next_unique++ << 32 | QXL_IMAGE_GROUP_DEVICE;
  image->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
  image->descriptor.width = w;
  image->descriptor.height = h;
  image->bitmap.format = SPICE_BITMAP_FMT_32BIT;
  image->bitmap.flags = QXL_BITMAP_DIRECT | QXL_BITMAP_TOP_DOWN;
  image->bitmap.x = w;
  image->bitmap.y = h;
  image->bitmap.stride = w * 4;
  image->bitmap.data = (QXLPHYSICAL) (uintptr_t) pixels;

  d->release_info.id = (uintptr_t) command;
  d->surface_id = 0;
  d->effect = QXL_EFFECT_OPAQUE;
  d->type = QXL_DRAW_COPY;
  d->bbox = (QXLRect) { .left = x, .top = y, .right = x + w, .bottom = y + h };
  d->clip.type = SPICE_CLIP_TYPE_NONE;
  d->surfaces_dest[0] = d->surfaces_dest[1] = d->surfaces_dest[2] = -1;
  d->u.copy.src_bitmap = (QXLPHYSICAL) (uintptr_t) image;
  d->u.copy.src_area = (QXLRect) { .left = 0, .top = 0, .right = w, .bottom = h };
  d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;

  command->ext.cmd.type = QXL_CMD_DRAW;
  command->ext.cmd.data = (QXLPHYSICAL) (uintptr_t) d;
  command->ext.group_id = 0;

  g_atomic_int_add (&in_flight, 1);
  push_command (&draw_queue, command);
}

static void
draw_pattern (int seed)
{
  guint32 *pixels = g_new (guint32, (gsize) surface_width * surface_height);

  for (int y = 0; y < surface_height; y++)
    for (int x = 0; x < surface_width; x++)
      pixels[(gsize) y * surface_width + x] = pattern_pixel (x, y, seed);
  queue_bitmap (0, 0, surface_width, surface_height, pixels, FALSE);
}

static void
draw_rect (int     x,
           int     y,
           int     w,
           int     h,
           guint32 color)
{
  guint32 *pixels;

  w = MIN (w, surface_width - x);
  h = MIN (h, surface_height - y);
  if (x < 0 || y < 0 || w <= 0 || h <= 0)
    return;
  pixels = g_new (guint32, (gsize) w * h);
  for (gsize i = 0; i < (gsize) w * h; i++)
    pixels[i] = color;
  queue_bitmap (x, y, w, h, pixels, FALSE);
}

static void
create_primary (int width,
                int height)
{
  QXLDevSurfaceCreate surface = { 0 };

  surface_width = width;
  surface_height = height;
  g_free (surface_memory);
  surface_memory = g_malloc0 ((gsize) width * height * 4);

  surface.width = width;
  surface.height = height;
  surface.stride = width * 4;
  surface.format = SPICE_SURFACE_FMT_32_xRGB;
  surface.mouse_mode = TRUE;
  surface.mem = (uint64_t) (uintptr_t) surface_memory;
  surface.group_id = 0;
  spice_qxl_create_primary_surface (&qxl_instance, 0, &surface);
}

static void
resize_primary (int width,
                int height)
{
  if (width < 16 || height < 16 || width > 4096 || height > 4096)
    return;
  spice_qxl_destroy_primary_surface (&qxl_instance, 0);
  create_primary (width, height);
  draw_pattern (0);
}

/* Cursor */

static guint32
cursor_pixel (int x,
              int y,
              int w,
              int h)
{
  /* Opaque red left half, half-transparent blue right half, transparent
   * bottom row. */
  if (y == h - 1)
    return 0;
  return x < w / 2 ? 0xffff0000u : 0x800000ffu;
}

static void
set_cursor (int w,
            int h,
            int hot_x,
            int hot_y)
{
  Command *command = g_new0 (Command, 1);
  gsize size = (gsize) w * h * 4;
  QXLCursor *shape = g_malloc0 (sizeof (QXLCursor) + size);
  guint8 *data = (guint8 *) shape + G_STRUCT_OFFSET (QXLCursor, chunk) +
                 G_STRUCT_OFFSET (QXLDataChunk, data);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 pixel = cursor_pixel (x, y, w, h);

        memcpy (data + ((gsize) y * w + x) * 4, &pixel, 4);
      }

  shape->header.unique = next_unique++;
  shape->header.type = SPICE_CURSOR_TYPE_ALPHA;
  shape->header.width = w;
  shape->header.height = h;
  shape->header.hot_spot_x = hot_x;
  shape->header.hot_spot_y = hot_y;
  shape->data_size = size;
  shape->chunk.data_size = size;
  command->shape = shape;

  command->cursor.release_info.id = (uintptr_t) command;
  command->cursor.type = QXL_CURSOR_SET;
  command->cursor.u.set.visible = 1;
  command->cursor.u.set.shape = (QXLPHYSICAL) (uintptr_t) shape;
  command->ext.cmd.type = QXL_CMD_CURSOR;
  command->ext.cmd.data = (QXLPHYSICAL) (uintptr_t) &command->cursor;
  push_command (&cursor_queue, command);
}

static void
hide_cursor (void)
{
  Command *command = g_new0 (Command, 1);

  command->cursor.release_info.id = (uintptr_t) command;
  command->cursor.type = QXL_CURSOR_HIDE;
  command->ext.cmd.type = QXL_CMD_CURSOR;
  command->ext.cmd.data = (QXLPHYSICAL) (uintptr_t) &command->cursor;
  push_command (&cursor_queue, command);
}

/* Input devices */

static SpiceKbdInstance kbd_instance;
static SpiceMouseInstance mouse_instance;
static SpiceTabletInstance tablet_instance;
static guint8 leds;

static void
kbd_push_scan_freg (SpiceKbdInstance *sin,
                    uint8_t           frag)
{
  emit ("kbd %02x", frag);
}

static uint8_t
kbd_get_leds (SpiceKbdInstance *sin)
{
  return leds;
}

static SpiceKbdInterface kbd_interface = {
  .base = {
    .type = SPICE_INTERFACE_KEYBOARD,
    .description = "lodge test keyboard",
    .major_version = SPICE_INTERFACE_KEYBOARD_MAJOR,
    .minor_version = SPICE_INTERFACE_KEYBOARD_MINOR,
  },
  .push_scan_freg = kbd_push_scan_freg,
  .get_leds = kbd_get_leds,
};

static void
mouse_motion (SpiceMouseInstance *sin,
              int                 dx,
              int                 dy,
              int                 dz,
              uint32_t            buttons)
{
  emit ("mouse %d %d %d %u", dx, dy, dz, buttons);
}

static void
mouse_buttons (SpiceMouseInstance *sin,
               uint32_t            buttons)
{
  emit ("mouse-buttons %u", buttons);
}

static SpiceMouseInterface mouse_interface = {
  .base = {
    .type = SPICE_INTERFACE_MOUSE,
    .description = "lodge test mouse",
    .major_version = SPICE_INTERFACE_MOUSE_MAJOR,
    .minor_version = SPICE_INTERFACE_MOUSE_MINOR,
  },
  .motion = mouse_motion,
  .buttons = mouse_buttons,
};

static void
tablet_set_logical_size (SpiceTabletInstance *sin,
                         int                  width,
                         int                  height)
{
}

static void
tablet_position (SpiceTabletInstance *sin,
                 int                  x,
                 int                  y,
                 uint32_t             buttons)
{
  emit ("tablet %d %d %u", x, y, buttons);
}

static void
tablet_wheel (SpiceTabletInstance *sin,
              int                  motion,
              uint32_t             buttons)
{
  emit ("wheel %d %u", motion, buttons);
}

static void
tablet_buttons (SpiceTabletInstance *sin,
                uint32_t             buttons)
{
  emit ("tablet-buttons %u", buttons);
}

static SpiceTabletInterface tablet_interface = {
  .base = {
    .type = SPICE_INTERFACE_TABLET,
    .description = "lodge test tablet",
    .major_version = SPICE_INTERFACE_TABLET_MAJOR,
    .minor_version = SPICE_INTERFACE_TABLET_MINOR,
  },
  .set_logical_size = tablet_set_logical_size,
  .position = tablet_position,
  .wheel = tablet_wheel,
  .buttons = tablet_buttons,
};

/* Agent: a vdagent character device speaking enough of the protocol for
 * clipboard and monitor configuration. */

static SpiceCharDeviceInstance agent_instance;
static GByteArray *agent_in;     /* from the client */
static GByteArray *agent_out;    /* to the client */
static char *agent_clipboard;

static void
agent_send (guint32       type,
            const void   *data,
            gsize         size)
{
  VDIChunkHeader chunk = { .port = VDP_CLIENT_PORT, .size = sizeof (VDAgentMessage) + size };
  VDAgentMessage message = { .protocol = VD_AGENT_PROTOCOL, .type = type, .size = size };

  g_byte_array_append (agent_out, (const guint8 *) &chunk, sizeof chunk);
  g_byte_array_append (agent_out, (const guint8 *) &message, sizeof message);
  if (size > 0)
    g_byte_array_append (agent_out, data, size);
  spice_server_char_device_wakeup (&agent_instance);
}

static void
agent_announce (gboolean request)
{
  guint32 payload[2] = { request, 0 };

  payload[1] = (1u << VD_AGENT_CAP_MONITORS_CONFIG) |
               (1u << VD_AGENT_CAP_CLIPBOARD_BY_DEMAND) |
               (1u << VD_AGENT_CAP_CLIPBOARD_SELECTION);
  agent_send (VD_AGENT_ANNOUNCE_CAPABILITIES, payload, sizeof payload);
}

/* One file transfer at a time is enough for the tests. */
static guint32 xfer_id;
static char *xfer_name;
static guint64 xfer_size;
static guint64 xfer_received;
static GChecksum *xfer_checksum;

static void
agent_xfer_status (guint32 id,
                   guint32 result)
{
  guint32 status[2] = { id, result };

  agent_send (VD_AGENT_FILE_XFER_STATUS, status, sizeof status);
}

static void
agent_xfer_start (const guint8 *data,
                  gsize         size)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *text = NULL;

  if (size < 4)
    return;
  memcpy (&xfer_id, data, 4);
  text = g_strndup ((const char *) data + 4, size - 4);
  if (!g_key_file_load_from_data (keyfile, text, -1, G_KEY_FILE_NONE, NULL))
    {
      agent_xfer_status (xfer_id, VD_AGENT_FILE_XFER_STATUS_ERROR);
      return;
    }
  g_free (xfer_name);
  xfer_name = g_key_file_get_string (keyfile, "vdagent-file-xfer", "name", NULL);
  xfer_size = g_key_file_get_uint64 (keyfile, "vdagent-file-xfer", "size", NULL);
  xfer_received = 0;
  g_clear_pointer (&xfer_checksum, g_checksum_free);
  xfer_checksum = g_checksum_new (G_CHECKSUM_SHA256);
  emit ("agent-file-start %s %" G_GUINT64_FORMAT, xfer_name, xfer_size);
  agent_xfer_status (xfer_id, VD_AGENT_FILE_XFER_STATUS_CAN_SEND_DATA);
  if (xfer_size == 0)
    {
      emit ("agent-file %s 0 %s", xfer_name, g_checksum_get_string (xfer_checksum));
      agent_xfer_status (xfer_id, VD_AGENT_FILE_XFER_STATUS_SUCCESS);
    }
}

static void
agent_xfer_data (const guint8 *data,
                 gsize         size)
{
  guint32 id;
  guint64 chunk;

  if (size < 12 || xfer_checksum == NULL)
    return;
  memcpy (&id, data, 4);
  memcpy (&chunk, data + 4, 8);
  if (id != xfer_id || chunk > size - 12)
    return;
  g_checksum_update (xfer_checksum, data + 12, chunk);
  xfer_received += chunk;
  if (xfer_received >= xfer_size)
    {
      emit ("agent-file %s %" G_GUINT64_FORMAT " %s", xfer_name, xfer_received,
            g_checksum_get_string (xfer_checksum));
      agent_xfer_status (xfer_id, VD_AGENT_FILE_XFER_STATUS_SUCCESS);
      g_clear_pointer (&xfer_checksum, g_checksum_free);
    }
}

static void
agent_handle (guint32       type,
              const guint8 *data,
              gsize         size)
{
  switch (type)
    {
    case VD_AGENT_FILE_XFER_START:
      agent_xfer_start (data, size);
      break;

    case VD_AGENT_FILE_XFER_DATA:
      agent_xfer_data (data, size);
      break;

    case VD_AGENT_FILE_XFER_STATUS:
      if (size >= 8)
        {
          guint32 status[2];

          memcpy (status, data, 8);
          emit ("agent-file-status %u %u", status[0], status[1]);
          if (status[0] == xfer_id)
            g_clear_pointer (&xfer_checksum, g_checksum_free);
        }
      break;

    case VD_AGENT_ANNOUNCE_CAPABILITIES:
      if (size >= 4 && *(const guint32 *) data)
        agent_announce (FALSE);
      break;

    case VD_AGENT_MONITORS_CONFIG:
      if (size >= sizeof (VDAgentMonitorsConfig) + sizeof (VDAgentMonConfig))
        {
          const VDAgentMonitorsConfig *config = (const VDAgentMonitorsConfig *) data;

          if (config->num_of_monitors > 0)
            {
              emit ("agent-monitors %u %u", config->monitors[0].width,
                    config->monitors[0].height);
              resize_from_any_thread (config->monitors[0].width, config->monitors[0].height);
            }
        }
      break;

    case VD_AGENT_CLIPBOARD_GRAB:
      if (size >= 4)
        {
          GString *line = g_string_new ("agent-grab");
          guint32 types[8];
          guint n = MIN ((size - 4) / 4, G_N_ELEMENTS (types));

          memcpy (types, data + 4, n * 4);
          for (guint i = 0; i < n; i++)
            g_string_append_printf (line, " %u", types[i]);
          emit ("%s", line->str);
          g_string_free (line, TRUE);

          /* Fetch the client's clipboard right away, as a guest pasting would. */
          if (n > 0)
            {
              guint32 request[2] = { VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD, types[0] };

              agent_send (VD_AGENT_CLIPBOARD_REQUEST, request, sizeof request);
            }
        }
      break;

    case VD_AGENT_CLIPBOARD:
      if (size >= 8)
        {
          guint32 clip_type;
          GString *line = g_string_new (NULL);

          memcpy (&clip_type, data + 4, 4);
          g_string_append_printf (line, "agent-clipboard %u %zu ", clip_type, size - 8);
          for (gsize i = 8; i < size; i++)
            g_string_append_printf (line, "%02x", data[i]);
          emit ("%s", line->str);
          g_string_free (line, TRUE);
        }
      break;

    case VD_AGENT_CLIPBOARD_REQUEST:
      if (size >= 8 && agent_clipboard != NULL)
        {
          gsize len = strlen (agent_clipboard);
          guint8 *reply = g_malloc (8 + len);
          guint32 utf8 = VD_AGENT_CLIPBOARD_UTF8_TEXT;

          memset (reply, 0, 4);
          memcpy (reply + 4, &utf8, 4);
          memcpy (reply + 8, agent_clipboard, len);
          agent_send (VD_AGENT_CLIPBOARD, reply, 8 + len);
          g_free (reply);
        }
      break;

    default:
      break;
    }
}

static GByteArray *agent_stream;  /* VDAgentMessages, chunk headers removed */

static void
agent_parse (void)
{
  /* The client splits big messages over several chunks: join the chunks'
   * payloads into one stream, then cut that into messages. */
  for (;;)
    {
      VDIChunkHeader chunk;

      if (agent_in->len < sizeof chunk)
        break;
      memcpy (&chunk, agent_in->data, sizeof chunk);
      if (agent_in->len < sizeof chunk + chunk.size)
        break;
      g_byte_array_append (agent_stream, agent_in->data + sizeof chunk, chunk.size);
      g_byte_array_remove_range (agent_in, 0, sizeof chunk + chunk.size);
    }

  for (;;)
    {
      VDAgentMessage message;

      if (agent_stream->len < sizeof message)
        return;
      memcpy (&message, agent_stream->data, sizeof message);
      if (agent_stream->len < sizeof message + message.size)
        return;
      agent_handle (message.type, agent_stream->data + sizeof message, message.size);
      g_byte_array_remove_range (agent_stream, 0, sizeof message + message.size);
    }
}

static void
agent_state (SpiceCharDeviceInstance *sin,
             int                      connected)
{
}

static int
agent_write (SpiceCharDeviceInstance *sin,
             const uint8_t           *buf,
             int                      len)
{
  g_byte_array_append (agent_in, buf, len);
  agent_parse ();
  return len;
}

static int
agent_read (SpiceCharDeviceInstance *sin,
            uint8_t                 *buf,
            int                      len)
{
  int n = MIN ((guint) len, agent_out->len);

  memcpy (buf, agent_out->data, n);
  g_byte_array_remove_range (agent_out, 0, n);
  return n;
}

static SpiceCharDeviceInterface agent_interface = {
  .base = {
    .type = SPICE_INTERFACE_CHAR_DEVICE,
    .description = "lodge test vdagent",
    .major_version = SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
    .minor_version = SPICE_INTERFACE_CHAR_DEVICE_MINOR,
  },
  .state = agent_state,
  .write = agent_write,
  .read = agent_read,
};

/* Resizes asked for by the agent run on the main loop, outside the
 * server's own call stack. */
static gboolean
resize_idle_cb (gpointer user_data)
{
  int *size = user_data;

  resize_primary (size[0], size[1]);
  g_free (size);
  return G_SOURCE_REMOVE;
}

static void
resize_from_any_thread (int width,
                        int height)
{
  int *size = g_new (int, 2);

  size[0] = width;
  size[1] = height;
  g_idle_add (resize_idle_cb, size);
}

/* Streams for benchmarks */

#define N_STREAM_FRAMES 8

static guint stream_source;
static guint stream_report_source;
static guint64 stream_frames;
static guint32 *stream_buffers[N_STREAM_FRAMES];
static int stream_x, stream_y, stream_w, stream_h;
static guint stream_index;

static void
stream_prepare (int w,
                int h)
{
  for (int i = 0; i < N_STREAM_FRAMES; i++)
    {
      g_free (stream_buffers[i]);
      stream_buffers[i] = g_new (guint32, (gsize) w * h);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          stream_buffers[i][(gsize) y * w + x] = pattern_pixel (x, y, 17 * (i + 1));
    }
}

static gboolean
stream_tick_cb (gpointer user_data)
{
  /* Back-pressure: the server releases a drawable once it is sent or
   * replaced by a newer one, so a slow client is not flooded. */
  if (g_atomic_int_get (&in_flight) >= 4)
    return G_SOURCE_CONTINUE;
  queue_bitmap (stream_x, stream_y, stream_w, stream_h,
                stream_buffers[stream_index++ % N_STREAM_FRAMES], TRUE);
  stream_frames++;
  return G_SOURCE_CONTINUE;
}

static gboolean
stream_report_cb (gpointer user_data)
{
  emit ("stream %" G_GUINT64_FORMAT, stream_frames);
  return G_SOURCE_CONTINUE;
}

static void
stream_stop (void)
{
  g_clear_handle_id (&stream_source, g_source_remove);
  g_clear_handle_id (&stream_report_source, g_source_remove);
}

static void
stream_start (int x,
              int y,
              int w,
              int h,
              int fps)
{
  stream_stop ();
  stream_x = x;
  stream_y = y;
  stream_w = MIN (w, surface_width - x);
  stream_h = MIN (h, surface_height - y);
  if (stream_w <= 0 || stream_h <= 0)
    return;
  stream_prepare (stream_w, stream_h);
  stream_frames = 0;
  if (fps > 0)
    stream_source = g_timeout_add (MAX (1, 1000 / fps), stream_tick_cb, NULL);
  else
    stream_source = g_timeout_add (1, stream_tick_cb, NULL);
  stream_report_source = g_timeout_add_seconds (1, stream_report_cb, NULL);
}

/* Audio: a playback device that plays tones, a record device that takes
 * what comes (the client sends it only when allowed to record). */

#define TONE_TICK_MS 10

/* What the server likes best (48 kHz when it can use Opus), set once as
 * QEMU does: the codec is chosen when a client connects. */
static guint tone_rate;

static const SpicePlaybackInterface playback_interface = {
  .base = {
    .type = SPICE_INTERFACE_PLAYBACK,
    .description = "lodge test playback",
    .major_version = SPICE_INTERFACE_PLAYBACK_MAJOR,
    .minor_version = SPICE_INTERFACE_PLAYBACK_MINOR,
  },
};

static const SpiceRecordInterface record_interface = {
  .base = {
    .type = SPICE_INTERFACE_RECORD,
    .description = "lodge test record",
    .major_version = SPICE_INTERFACE_RECORD_MAJOR,
    .minor_version = SPICE_INTERFACE_RECORD_MINOR,
  },
};

static SpicePlaybackInstance playback_instance;
static SpiceRecordInstance record_instance;

static struct
{
  guint source;
  double frequency;
  guint64 total;      /* frames of the whole tone */
  guint64 done;       /* frames handed to the channel */
  guint64 taken;      /* of which a client's channel took */
  gint64 start;       /* monotonic µs */
  double phase;
  gboolean held;      /* playback-start: the channel stays started */
} tone;

/* Feeds the channel at the tone's own pace: as many frames as the clock
 * says are due, in the buffers the server hands out. */
static gboolean
tone_tick_cb (gpointer user_data)
{
  guint64 due = MIN (tone.total,
                     (guint64) ((g_get_monotonic_time () - tone.start) * tone_rate / G_USEC_PER_SEC));

  while (tone.done < due)
    {
      uint32_t *samples = NULL;
      uint32_t n = 0;

      spice_server_playback_get_buffer (&playback_instance, &samples, &n);
      if (samples == NULL || n == 0)
        {
          /* No client: the frames are lost, as a guest's would be. */
          tone.done = due;
          break;
        }
      for (uint32_t i = 0; i < n; i++)
        {
          gint16 value = 0;

          if (tone.done + i < tone.total)
            {
              value = (gint16) (12000 * sin (tone.phase));
              tone.phase += 2 * G_PI * tone.frequency / tone_rate;
              if (tone.phase > 2 * G_PI)
                tone.phase -= 2 * G_PI;
            }
          samples[i] = (guint16) value | ((uint32_t) (guint16) value << 16);
        }
      spice_server_playback_put_samples (&playback_instance, samples);
      tone.done += n;
      tone.taken += n;
    }

  if (tone.done >= tone.total)
    {
      if (!tone.held)
        spice_server_playback_stop (&playback_instance);
      emit ("tone-done %" G_GUINT64_FORMAT " %u", tone.taken, tone_rate);
      tone.source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
tone_start (double frequency,
            int    ms)
{
  if (playback_instance.base.sif == NULL)
    {
      g_printerr ("tone: started without --audio\n");
      return;
    }
  g_clear_handle_id (&tone.source, g_source_remove);
  tone.frequency = frequency;
  tone.total = (guint64) ms * tone_rate / 1000;
  tone.done = tone.taken = 0;
  tone.phase = 0;
  tone.start = g_get_monotonic_time ();
  if (!tone.held)
    spice_server_playback_start (&playback_instance);
  tone.source = g_timeout_add (TONE_TICK_MS, tone_tick_cb, NULL);
}

/* Commands */

static GMainLoop *loop;

static void
handle_command (char *line)
{
  g_auto(GStrv) argv = g_strsplit (g_strstrip (line), " ", 2);
  const char *cmd = argv[0];
  const char *rest = argv[0] && argv[1] ? argv[1] : "";
  int a = 0, b = 0, c = 0, d = 0, e = 0;
  unsigned int color = 0;

  if (cmd == NULL || *cmd == '\0')
    return;

  if (g_str_equal (cmd, "pattern") && sscanf (rest, "%d", &a) == 1)
    draw_pattern (a);
  else if (g_str_equal (cmd, "rect") && sscanf (rest, "%d %d %d %d %x", &a, &b, &c, &d, &color) == 5)
    draw_rect (a, b, c, d, color & 0xffffff);
  else if (g_str_equal (cmd, "resize") && sscanf (rest, "%d %d", &a, &b) == 2)
    resize_primary (a, b);
  else if (g_str_equal (cmd, "cursor") && sscanf (rest, "%d %d %d %d", &a, &b, &c, &d) == 4)
    set_cursor (a, b, c, d);
  else if (g_str_equal (cmd, "cursor-hide"))
    hide_cursor ();
  else if (g_str_equal (cmd, "leds") && sscanf (rest, "%d", &a) == 1)
    {
      leds = a;
      spice_server_kbd_leds (&kbd_instance, leds);
    }
  else if (g_str_equal (cmd, "clipboard"))
    {
      guint32 grab[2] = { VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD, VD_AGENT_CLIPBOARD_UTF8_TEXT };

      g_free (agent_clipboard);
      agent_clipboard = g_strdup (rest);
      agent_send (VD_AGENT_CLIPBOARD_GRAB, grab, sizeof grab);
    }
  else if (g_str_equal (cmd, "stream-full") && sscanf (rest, "%d", &a) == 1)
    stream_start (0, 0, surface_width, surface_height, a);
  else if (g_str_equal (cmd, "stream-area") &&
           sscanf (rest, "%d %d %d %d %d", &a, &b, &c, &d, &e) == 5)
    stream_start (a, b, c, d, e);
  else if (g_str_equal (cmd, "stop"))
    stream_stop ();
  else if (g_str_equal (cmd, "tone") && sscanf (rest, "%d %d", &a, &b) == 2)
    tone_start (a, b);
  else if (g_str_equal (cmd, "playback-start") && playback_instance.base.sif != NULL)
    {
      tone.held = TRUE;
      spice_server_playback_start (&playback_instance);
    }
  else if (g_str_equal (cmd, "playback-stop") && playback_instance.base.sif != NULL)
    {
      tone.held = FALSE;
      spice_server_playback_stop (&playback_instance);
    }
  else if (g_str_equal (cmd, "sync"))
    emit ("sync %s", rest);
  else if (g_str_equal (cmd, "quit"))
    g_main_loop_quit (loop);
  else
    g_printerr ("unknown command: %s\n", line);
}

static gboolean
stdin_cb (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      user_data)
{
  g_autofree char *line = NULL;
  GIOStatus status;

  status = g_io_channel_read_line (channel, &line, NULL, NULL, NULL);
  if (status == G_IO_STATUS_EOF || status == G_IO_STATUS_ERROR)
    {
      g_main_loop_quit (loop);
      return G_SOURCE_REMOVE;
    }
  if (line != NULL)
    handle_command (line);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  int port = 0;
  int width = 1024, height = 768;
  gboolean no_tablet = FALSE, no_agent = FALSE, audio = FALSE;
  g_autofree char *password = NULL;
  g_autofree char *tls_dir = NULL;
  int tls_port = 0;
  GOptionEntry entries[] = {
    { "tls-port", 0, 0, G_OPTION_ARG_INT, &tls_port, "TLS port", "PORT" },
    { "tls-dir", 0, 0, G_OPTION_ARG_FILENAME, &tls_dir,
      "Directory with ca-cert.pem, server-cert.pem, server-key.pem", "DIR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port", "PORT" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Screen width", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Screen height", "H" },
    { "no-tablet", 0, 0, G_OPTION_ARG_NONE, &no_tablet, "Relative mouse only", NULL },
    { "no-agent", 0, 0, G_OPTION_ARG_NONE, &no_agent, "No guest agent", NULL },
    { "audio", 0, 0, G_OPTION_ARG_NONE, &audio, "Playback and record channels", NULL },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, "SPICE password", "PW" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- SPICE test server");
  g_autoptr(GError) error = NULL;
  GIOChannel *in;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || port <= 0)
    {
      g_printerr ("%s\n", error ? error->message : "--port is required");
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  agent_in = g_byte_array_new ();
  agent_out = g_byte_array_new ();
  agent_stream = g_byte_array_new ();

  server = spice_server_new ();
  spice_server_set_port (server, port);
  spice_server_set_addr (server, "127.0.0.1", 0);
  if (tls_port > 0 && tls_dir != NULL)
    {
      g_autofree char *ca = g_build_filename (tls_dir, "ca-cert.pem", NULL);
      g_autofree char *cert = g_build_filename (tls_dir, "server-cert.pem", NULL);
      g_autofree char *key = g_build_filename (tls_dir, "server-key.pem", NULL);

      if (spice_server_set_tls (server, tls_port, ca, cert, key, NULL, NULL, NULL) != 0)
        {
          g_printerr ("spice_server_set_tls failed\n");
          return 1;
        }
    }
  if (password != NULL)
    spice_server_set_ticket (server, password, 0, 0, 0);
  else
    spice_server_set_noauth (server);
  /* Lossless and cheap: what the client shows must match what was drawn. */
  spice_server_set_image_compression (server, SPICE_IMAGE_COMPRESSION_OFF);
  spice_server_set_streaming_video (server, SPICE_STREAM_VIDEO_OFF);
  /* Positions go to the tablet, not through the agent. */
  spice_server_set_agent_mouse (server, FALSE);
  /* A client that hangs up while the server writes to it (the churn
   * test) must not kill the server, as QEMU ignores SIGPIPE too. */
  signal (SIGPIPE, SIG_IGN);

  if (spice_server_init (server, &core_interface) != 0)
    {
      g_printerr ("spice_server_init failed (port %d in use?)\n", port);
      return 1;
    }

  qxl_instance.base.sif = &qxl_interface.base;
  qxl_instance.id = 0;
  spice_server_add_interface (server, &qxl_instance.base);

  kbd_instance.base.sif = &kbd_interface.base;
  spice_server_add_interface (server, &kbd_instance.base);
  mouse_instance.base.sif = &mouse_interface.base;
  spice_server_add_interface (server, &mouse_instance.base);
  if (!no_tablet)
    {
      tablet_instance.base.sif = &tablet_interface.base;
      spice_server_add_interface (server, &tablet_instance.base);
    }
  if (!no_agent)
    {
      agent_instance.base.sif = &agent_interface.base;
      agent_instance.subtype = "vdagent";
      spice_server_add_interface (server, &agent_instance.base);
    }

  if (audio)
    {
      playback_instance.base.sif = &playback_interface.base;
      spice_server_add_interface (server, &playback_instance.base);
      tone_rate = spice_server_get_best_playback_rate (&playback_instance);
      spice_server_set_playback_rate (&playback_instance, tone_rate);
      record_instance.base.sif = &record_interface.base;
      spice_server_add_interface (server, &record_instance.base);
    }

  spice_server_vm_start (server);
  g_assert (worker_attached);
  create_primary (width, height);
  draw_pattern (0);

  in = g_io_channel_unix_new (0);
  g_io_add_watch (in, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, NULL);

  emit ("listening %d", port);
  g_main_loop_run (loop);

  stream_stop ();
  spice_server_destroy (server);
  g_io_channel_unref (in);
  return 0;
}
