/* lodge-display.c: the remote display widget
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-display"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#ifdef LODGE_HAVE_X11_SHM
#include <gdk/x11/gdkx.h>
#include <cairo-xlib.h>
#endif

#include "lodge-console-enums.h"
#include "lodge-display.h"
#include "lodge-display-geometry.h"
#include "lodge-keymap.h"

/* LodgeDisplay draws a LodgeFramebuffer scaled into its allocation and
 * turns pointer and keyboard events into guest input.
 *
 * GTK 4 cannot grab or confine the pointer, so "grab" means inhibiting the
 * system shortcuts of the toplevel from the first click until the release
 * key (default Ctrl+Alt) is pressed. Every key pressed in
 * the guest is remembered and released when the widget loses focus, so no
 * key ever sticks. */

#define RESIZE_GUEST_DELAY_MS 300
/* No cursor grows past this, in its own pixels. */
#define CURSOR_MAX_SIZE 512
#define ZOOM_STEP 1.25
#define ZOOM_MIN 0.125
#define ZOOM_MAX 8.0
#define DEFAULT_RELEASE_KEY "<Control><Alt>"
/* The modifiers a release key may name. */
#define RELEASE_MODIFIER_MASK (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK | GDK_SUPER_MASK)

/* XT scancodes used by the send-key menu. */
#define XT_LEFT_CTRL 0x1d
#define XT_LEFT_ALT 0x38
#define XT_BACKSPACE 0x0e
#define XT_DELETE 0x153
#define XT_F1 0x3b
#define XT_F11 0x57
#define XT_F12 0x58

struct _LodgeDisplay
{
  GtkWidget parent_instance;

  LodgeDisplaySource *source;
  /* The source when it is SPICE, for what only SPICE has (file copy). */
  LodgeSpiceSession *session;
  LodgeFramebuffer *framebuffer;

  LodgeDisplayScaling scaling;
  double zoom;
  LodgeDisplayGeometry geometry;

  /* Keyboard */
  guint32 pressed[(LODGE_XT_MAX + 1) / 32];
  guint n_pressed;
  char *release_key;
  guint release_keyval;
  GdkModifierType release_modifiers;
  gboolean release_armed;
  gboolean grabbed;

  /* Pointer */
  guint button_state;
  gboolean have_last_guest_pos;
  int last_guest_x;
  int last_guest_y;
  double scroll_accumulator;

  /* Agent */
  gboolean resize_guest;
  gboolean share_clipboard;
  guint resize_guest_source;
  int requested_width;
  int requested_height;

  GdkCursor *none_cursor;
  /* The guest's cursor scaled like the picture, and what it was made of */
  GdkCursor *scaled_cursor;
  GdkCursor *scaled_from;
  double scaled_factor;

  /* See lodge_display_keep_shm_pool() */
  cairo_surface_t *shm_keepalive;
  gsize shm_capacity;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_SOURCE,
  PROP_STATE,
  PROP_DISCONNECT_REASON,
  PROP_SCALING,
  PROP_ZOOM,
  PROP_GRABBED,
  PROP_RELEASE_KEY,
  PROP_RESIZE_GUEST,
  PROP_SHARE_CLIPBOARD,
  N_PROPS
};

enum {
  OPEN_FD,
  DISCONNECTED,
  FILES_DROPPED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LodgeDisplay, lodge_display, GTK_TYPE_WIDGET)

/* Geometry */

static void
lodge_display_update_geometry (LodgeDisplay *self)
{
  lodge_display_geometry_compute (&self->geometry, self->scaling, self->zoom,
                                  gtk_widget_get_width (GTK_WIDGET (self)),
                                  gtk_widget_get_height (GTK_WIDGET (self)),
                                  gtk_widget_get_scale_factor (GTK_WIDGET (self)),
                                  lodge_framebuffer_get_width (self->framebuffer),
                                  lodge_framebuffer_get_height (self->framebuffer));
}

/* Keyboard */

static inline gboolean
key_is_pressed (LodgeDisplay *self,
                guint         scancode)
{
  return (self->pressed[scancode / 32] & (1u << (scancode % 32))) != 0;
}

static void
lodge_display_send_key (LodgeDisplay *self,
                        guint         scancode,
                        gboolean      press)
{
  guint32 bit;

  g_assert (scancode > 0 && scancode <= LODGE_XT_MAX);

  bit = 1u << (scancode % 32);
  if (press)
    {
      if (!(self->pressed[scancode / 32] & bit))
        self->n_pressed++;
      self->pressed[scancode / 32] |= bit;
    }
  else
    {
      if (!(self->pressed[scancode / 32] & bit))
        return;
      self->pressed[scancode / 32] &= ~bit;
      self->n_pressed--;
    }

  if (press)
    lodge_display_source_key_press (self->source, scancode);
  else
    lodge_display_source_key_release (self->source, scancode);

  /* Pause is E1 1D 45: the 0x45 that follows the E1-prefixed 1D. */
  if (scancode == LODGE_XT_PAUSE)
    {
      if (press)
        lodge_display_source_key_press (self->source, LODGE_XT_NUM_LOCK);
      else
        lodge_display_source_key_release (self->source, LODGE_XT_NUM_LOCK);
    }
}

static void
lodge_display_release_all_keys (LodgeDisplay *self)
{
  if (self->n_pressed == 0)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (self->pressed); i++)
    while (self->pressed[i] != 0)
      {
        guint bit = g_bit_nth_lsf (self->pressed[i], -1);

        lodge_display_send_key (self, i * 32 + bit, FALSE);
      }
  g_assert (self->n_pressed == 0);
}

static void
lodge_display_sync_locks (LodgeDisplay *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GdkSeat *seat = gdk_display_get_default_seat (display);
  GdkDevice *keyboard = seat ? gdk_seat_get_keyboard (seat) : NULL;
  LodgeKeyLocks locks = 0;

  if (keyboard == NULL || !lodge_display_source_has_inputs (self->source))
    return;

  if (gdk_device_get_caps_lock_state (keyboard))
    locks |= LODGE_KEY_LOCK_CAPS;
  if (gdk_device_get_num_lock_state (keyboard))
    locks |= LODGE_KEY_LOCK_NUM;
  if (gdk_device_get_scroll_lock_state (keyboard))
    locks |= LODGE_KEY_LOCK_SCROLL;

  if (locks != lodge_display_source_get_key_locks (self->source))
    lodge_display_source_set_key_locks (self->source, locks);
}

static GdkModifierType
modifier_of_keyval (guint keyval)
{
  switch (keyval)
    {
    case GDK_KEY_Control_L:
    case GDK_KEY_Control_R:
      return GDK_CONTROL_MASK;
    case GDK_KEY_Alt_L:
    case GDK_KEY_Alt_R:
    case GDK_KEY_Meta_L:
    case GDK_KEY_Meta_R:
    case GDK_KEY_ISO_Level3_Shift:
      return GDK_ALT_MASK;
    case GDK_KEY_Shift_L:
    case GDK_KEY_Shift_R:
      return GDK_SHIFT_MASK;
    case GDK_KEY_Super_L:
    case GDK_KEY_Super_R:
      return GDK_SUPER_MASK;
    default:
      return 0;
    }
}

/* A release key with a key of its own (Shift+F12): that key pressed with
 * exactly those modifiers. */
static gboolean
lodge_display_is_release_key (LodgeDisplay    *self,
                              guint            keyval,
                              GdkModifierType  state)
{
  return self->release_keyval != 0 &&
         gdk_keyval_to_lower (keyval) == self->release_keyval &&
         (state & RELEASE_MODIFIER_MASK) == self->release_modifiers;
}

/* Modifiers only (Ctrl+Alt): all of them held arms the release, which
 * happens when one of them is let go, unless another key came in between:
 * Ctrl+Alt+Del and Ctrl+Alt+F2 are the guest's. */
static void
lodge_display_arm_release (LodgeDisplay    *self,
                           guint            keyval,
                           GdkModifierType  state)
{
  GdkModifierType modifier = modifier_of_keyval (keyval);

  if (!self->grabbed || self->release_keyval != 0 || self->release_modifiers == 0)
    self->release_armed = FALSE;
  else if (modifier == 0)
    self->release_armed = FALSE;
  else if ((((state & RELEASE_MODIFIER_MASK) | modifier) & self->release_modifiers) ==
           self->release_modifiers)
    self->release_armed = TRUE;
}

static gboolean
is_lock_key (guint scancode)
{
  return scancode == 0x3a || scancode == 0x45 || scancode == 0x46;
}

static gboolean
lodge_display_key_pressed_cb (LodgeDisplay          *self,
                              guint                  keyval,
                              guint                  keycode,
                              GdkModifierType        state,
                              GtkEventControllerKey *controller)
{
  guint scancode = lodge_keymap_hardware_to_xt (keycode);

  /* Without a guest, keys are the application's. */
  if (lodge_display_source_get_state (self->source) != LODGE_DISPLAY_STATE_CONNECTED)
    return FALSE;
  if (scancode == 0)
    return TRUE;

  /* PrintScreen sends the SysRq code while Alt is held. */
  if (scancode == LODGE_XT_PRINT_SCREEN && (state & GDK_ALT_MASK))
    scancode = LODGE_XT_SYSRQ;

  /* A release key with a key of its own is the user's, not the guest's:
   * that key never reaches the guest, and what the guest saw of the
   * combination is let go, so nothing stays pressed there while the
   * user's fingers leave the keys. */
  if (self->grabbed && lodge_display_is_release_key (self, keyval, state))
    {
      lodge_display_release_all_keys (self);
      lodge_display_release_grab (self);
      return TRUE;
    }

  if (!is_lock_key (scancode) && self->n_pressed == 0)
    lodge_display_sync_locks (self);

  lodge_display_send_key (self, scancode, TRUE);
  lodge_display_arm_release (self, keyval, state);

  return TRUE;
}

static void
lodge_display_key_released_cb (LodgeDisplay          *self,
                               guint                  keyval,
                               guint                  keycode,
                               GdkModifierType        state,
                               GtkEventControllerKey *controller)
{
  guint scancode = lodge_keymap_hardware_to_xt (keycode);

  if (scancode == 0)
    return;
  /* Release whichever code the press sent. */
  if (scancode == LODGE_XT_PRINT_SCREEN && key_is_pressed (self, LODGE_XT_SYSRQ))
    scancode = LODGE_XT_SYSRQ;
  lodge_display_send_key (self, scancode, FALSE);

  /* Modifiers-only release key: one of them let go after all were held.
   * The guest lets go of the others too. */
  if (self->release_armed && (modifier_of_keyval (keyval) & self->release_modifiers) != 0)
    {
      self->release_armed = FALSE;
      if (self->grabbed)
        {
          lodge_display_release_all_keys (self);
          lodge_display_release_grab (self);
        }
    }
}

static void
lodge_display_focus_enter_cb (LodgeDisplay            *self,
                              GtkEventControllerFocus *controller)
{
  lodge_display_sync_locks (self);
}

static void
lodge_display_focus_leave_cb (LodgeDisplay            *self,
                              GtkEventControllerFocus *controller)
{
  lodge_display_release_all_keys (self);
  self->release_armed = FALSE;

  /* Nor a mouse button held down in the guest. */
  for (guint button = LODGE_MOUSE_BUTTON_LEFT; self->button_state != 0 && button <= 7; button++)
    if (self->button_state & (1u << (button - 1)))
      {
        self->button_state &= ~(1u << (button - 1));
        lodge_display_source_pointer_button (self->source, button, FALSE, self->button_state);
      }
}

/* Grab */

static GdkToplevel *
lodge_display_get_toplevel (LodgeDisplay *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkSurface *surface = native ? gtk_native_get_surface (native) : NULL;

  return GDK_IS_TOPLEVEL (surface) ? GDK_TOPLEVEL (surface) : NULL;
}

static void
lodge_display_grab (LodgeDisplay *self,
                    GdkEvent     *event)
{
  GdkToplevel *toplevel;

  if (self->grabbed)
    return;
  toplevel = lodge_display_get_toplevel (self);
  if (toplevel == NULL)
    return;

  gdk_toplevel_inhibit_system_shortcuts (toplevel, event);
  self->grabbed = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRABBED]);
}

/* Pointer */

static guint
button_mask_of (guint spice_button)
{
  return spice_button >= 1 && spice_button <= 7 ? 1u << (spice_button - 1) : 0;
}

static guint
spice_button_of_gdk (guint button)
{
  switch (button)
    {
    case GDK_BUTTON_PRIMARY:
      return LODGE_MOUSE_BUTTON_LEFT;
    case GDK_BUTTON_MIDDLE:
      return LODGE_MOUSE_BUTTON_MIDDLE;
    case GDK_BUTTON_SECONDARY:
      return LODGE_MOUSE_BUTTON_RIGHT;
    case 8:
      return LODGE_MOUSE_BUTTON_BACK;
    case 9:
      return LODGE_MOUSE_BUTTON_FORWARD;
    default:
      return 0;
    }
}

static void
lodge_display_pointer_moved (LodgeDisplay *self,
                             double        x,
                             double        y)
{
  int gx, gy;

  if (!lodge_framebuffer_has_surface (self->framebuffer))
    return;

  lodge_display_update_geometry (self);
  lodge_display_geometry_to_guest (&self->geometry,
                                   lodge_framebuffer_get_width (self->framebuffer),
                                   lodge_framebuffer_get_height (self->framebuffer),
                                   x, y, &gx, &gy);

  if (lodge_display_source_get_server_mouse (self->source))
    {
      /* Server mode: only relative motion reaches the guest. GTK 4 cannot
       * warp or confine the pointer, so this works while the pointer
       * stays over the picture. */
      if (self->have_last_guest_pos && (gx != self->last_guest_x || gy != self->last_guest_y))
        lodge_display_source_pointer_motion (self->source, gx - self->last_guest_x,
                                             gy - self->last_guest_y, self->button_state);
    }
  else if (!self->have_last_guest_pos || gx != self->last_guest_x || gy != self->last_guest_y)
    lodge_display_source_pointer_position (self->source, gx, gy, self->button_state);

  self->have_last_guest_pos = TRUE;
  self->last_guest_x = gx;
  self->last_guest_y = gy;
}

static void
lodge_display_wheel (LodgeDisplay *self,
                     guint         button)
{
  lodge_display_source_pointer_button (self->source, button, TRUE,
                                    self->button_state | button_mask_of (button));
  lodge_display_source_pointer_button (self->source, button, FALSE, self->button_state);
}

/* Legacy events come in surface coordinates: take away the surface's
 * offset (client-side decorations' shadow) and the widget's position. */
static gboolean
lodge_display_event_position (LodgeDisplay *self,
                              GdkEvent     *event,
                              double       *x,
                              double       *y)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  graphene_point_t p;
  double sx, sy, ex, ey;

  if (native == NULL || !gdk_event_get_position (event, &ex, &ey))
    return FALSE;
  gtk_native_get_surface_transform (native, &sx, &sy);
  if (!gtk_widget_compute_point (GTK_WIDGET (native), GTK_WIDGET (self),
                                 &GRAPHENE_POINT_INIT (ex - sx, ey - sy), &p))
    return FALSE;
  *x = p.x;
  *y = p.y;
  return TRUE;
}

static gboolean
lodge_display_event_cb (LodgeDisplay             *self,
                        GdkEvent                 *event,
                        GtkEventControllerLegacy *controller)
{
  GdkEventType type = gdk_event_get_event_type (event);
  double x, y;

  switch ((int) type)
    {
    case GDK_MOTION_NOTIFY:
    case GDK_ENTER_NOTIFY:
      if (lodge_display_event_position (self, event, &x, &y))
        lodge_display_pointer_moved (self, x, y);
      return type == GDK_MOTION_NOTIFY;

    case GDK_BUTTON_PRESS:
    case GDK_BUTTON_RELEASE:
      {
        guint button = spice_button_of_gdk (gdk_button_event_get_button (event));
        gboolean press = type == GDK_BUTTON_PRESS;

        if (press)
          {
            gtk_widget_grab_focus (GTK_WIDGET (self));
            lodge_display_grab (self, event);
          }
        if (button == 0)
          return TRUE;
        if (lodge_display_event_position (self, event, &x, &y))
          lodge_display_pointer_moved (self, x, y);
        if (press)
          self->button_state |= button_mask_of (button);
        else
          self->button_state &= ~button_mask_of (button);
        lodge_display_source_pointer_button (self->source, button, press, self->button_state);
        return TRUE;
      }

    case GDK_SCROLL:
      switch (gdk_scroll_event_get_direction (event))
        {
        case GDK_SCROLL_UP:
          lodge_display_wheel (self, LODGE_MOUSE_BUTTON_WHEEL_UP);
          break;
        case GDK_SCROLL_DOWN:
          lodge_display_wheel (self, LODGE_MOUSE_BUTTON_WHEEL_DOWN);
          break;
        case GDK_SCROLL_SMOOTH:
          {
            double dx, dy;

            gdk_scroll_event_get_deltas (event, &dx, &dy);
            self->scroll_accumulator += dy;
            while (self->scroll_accumulator <= -1)
              {
                lodge_display_wheel (self, LODGE_MOUSE_BUTTON_WHEEL_UP);
                self->scroll_accumulator += 1;
              }
            while (self->scroll_accumulator >= 1)
              {
                lodge_display_wheel (self, LODGE_MOUSE_BUTTON_WHEEL_DOWN);
                self->scroll_accumulator -= 1;
              }
          }
          break;
        case GDK_SCROLL_LEFT:
        case GDK_SCROLL_RIGHT:
        default:
          /* SPICE has no horizontal wheel: SpiceMouseButton (spice-protocol
           * 0.14.3, spice/enums.h) knows only UP and DOWN besides the
           * buttons, spice-server 0.15's tablet and mouse interfaces take
           * one wheel axis, and QEMU turns only those two into wheel
           * events. */
          break;
        }
      return TRUE;

    case GDK_LEAVE_NOTIFY:
      self->have_last_guest_pos = FALSE;
      return FALSE;

    default:
      return FALSE;
    }
}

/* Session */

/* How many of the cursor texture's pixels one guest pixel covers. The
 * picture's scale is in logical pixels; an X11 cursor is in device pixels
 * (GTK 4.8 hands a texture cursor to Xcursor pixel for pixel, whatever the
 * scale factor), while on other backends a texture cursor's pixels are
 * logical ones (Wayland: a buffer of scale 1). */
static double
lodge_display_cursor_factor (LodgeDisplay *self)
{
  double factor;

  if (!lodge_framebuffer_has_surface (self->framebuffer))
    return 1.0;
  lodge_display_update_geometry (self);
  factor = self->geometry.scale;
  if (factor <= 0)
    return 1.0;
#ifdef LODGE_HAVE_X11_SHM
  if (GDK_IS_X11_DISPLAY (gtk_widget_get_display (GTK_WIDGET (self))))
    factor *= gtk_widget_get_scale_factor (GTK_WIDGET (self));
#endif
  return factor;
}

/* The guest's cursor drawn @factor times its size, its hotspot moved with
 * it: enlarged by a whole factor it keeps its hard pixels, otherwise it is
 * filtered. */
static GdkCursor *
scale_cursor (GdkCursor *cursor,
              double     factor)
{
  GdkTexture *texture = gdk_cursor_get_texture (cursor);
  g_autoptr(GdkTexture) scaled = NULL;
  g_autoptr(GBytes) bytes = NULL;
  cairo_surface_t *source, *target;
  cairo_pattern_t *pattern;
  cairo_t *cr;
  int width, height, scaled_width, scaled_height, hot_x, hot_y;

  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  scaled_width = CLAMP ((int) round (width * factor), 1, CURSOR_MAX_SIZE);
  scaled_height = CLAMP ((int) round (height * factor), 1, CURSOR_MAX_SIZE);

  source = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  gdk_texture_download (texture, cairo_image_surface_get_data (source),
                        cairo_image_surface_get_stride (source));
  cairo_surface_mark_dirty (source);

  target = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, scaled_width, scaled_height);
  cr = cairo_create (target);
  cairo_scale (cr, (double) scaled_width / width, (double) scaled_height / height);
  cairo_set_source_surface (cr, source, 0, 0);
  pattern = cairo_get_source (cr);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  cairo_pattern_set_filter (pattern, factor >= 1 && factor == floor (factor)
                                     ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (target);

  /* cairo's ARGB32 is GDK's default memory format (premultiplied). */
  bytes = g_bytes_new (cairo_image_surface_get_data (target),
                       (gsize) cairo_image_surface_get_stride (target) * scaled_height);
  scaled = gdk_memory_texture_new (scaled_width, scaled_height, GDK_MEMORY_DEFAULT,
                                   bytes, cairo_image_surface_get_stride (target));
  cairo_surface_destroy (target);
  cairo_surface_destroy (source);

  hot_x = (int) floor (gdk_cursor_get_hotspot_x (cursor) * scaled_width / (double) width);
  hot_y = (int) floor (gdk_cursor_get_hotspot_y (cursor) * scaled_height / (double) height);
  return gdk_cursor_new_from_texture (scaled,
                                      CLAMP (hot_x, 0, scaled_width - 1),
                                      CLAMP (hot_y, 0, scaled_height - 1),
                                      gdk_cursor_get_fallback (cursor));
}

static void
lodge_display_update_cursor (LodgeDisplay *self)
{
  GdkCursor *cursor;
  double factor;

  if (!lodge_display_source_get_cursor_visible (self->source))
    {
      if (self->none_cursor == NULL)
        self->none_cursor = gdk_cursor_new_from_name ("none", NULL);
      gtk_widget_set_cursor (GTK_WIDGET (self), self->none_cursor);
      return;
    }

  cursor = lodge_display_source_get_cursor (self->source);
  factor = lodge_display_cursor_factor (self);
  if (cursor == NULL || gdk_cursor_get_texture (cursor) == NULL || fabs (factor - 1.0) < 0.01)
    {
      g_clear_object (&self->scaled_cursor);
      g_clear_object (&self->scaled_from);
      gtk_widget_set_cursor (GTK_WIDGET (self), cursor);
      return;
    }

  if (self->scaled_from != cursor || self->scaled_factor != factor)
    {
      g_clear_object (&self->scaled_cursor);
      self->scaled_cursor = scale_cursor (cursor, factor);
      g_set_object (&self->scaled_from, cursor);
      self->scaled_factor = factor;
    }
  gtk_widget_set_cursor (GTK_WIDGET (self), self->scaled_cursor);
}

static void
lodge_display_scale_factor_cb (LodgeDisplay *self,
                               GParamSpec   *pspec,
                               gpointer      user_data)
{
  lodge_display_update_cursor (self);
}

static void
lodge_display_source_cursor_cb (LodgeDisplay       *self,
                                GParamSpec         *pspec,
                                LodgeDisplaySource *source)
{
  lodge_display_update_cursor (self);
}

static gboolean
lodge_display_resize_guest_timeout_cb (gpointer user_data)
{
  LodgeDisplay *self = user_data;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self)) * scale;
  int height = gtk_widget_get_height (GTK_WIDGET (self)) * scale;

  self->resize_guest_source = 0;
  if (width != self->requested_width || height != self->requested_height)
    {
      self->requested_width = width;
      self->requested_height = height;
      lodge_display_source_request_guest_size (self->source, width, height);
    }
  return G_SOURCE_REMOVE;
}

static void
lodge_display_queue_resize_guest (LodgeDisplay *self)
{
  if (!self->resize_guest ||
      !(lodge_display_source_get_capabilities (self->source) & LODGE_DISPLAY_CAPABILITY_GUEST_RESIZE))
    return;
  g_clear_handle_id (&self->resize_guest_source, g_source_remove);
  self->resize_guest_source = g_timeout_add (RESIZE_GUEST_DELAY_MS,
                                             lodge_display_resize_guest_timeout_cb, self);
}

static void
lodge_display_source_capabilities_cb (LodgeDisplay       *self,
                                      GParamSpec         *pspec,
                                      LodgeDisplaySource *source)
{
  self->requested_width = self->requested_height = 0;
  lodge_display_queue_resize_guest (self);
}

static void
lodge_display_source_state_cb (LodgeDisplay       *self,
                               GParamSpec         *pspec,
                               LodgeDisplaySource *source)
{
  LodgeDisplayState state = lodge_display_source_get_state (source);

  if (state != LODGE_DISPLAY_STATE_CONNECTED)
    {
      /* The guest is gone: forget what it had pressed. */
      memset (self->pressed, 0, sizeof self->pressed);
      self->n_pressed = 0;
      self->button_state = 0;
      self->have_last_guest_pos = FALSE;
      self->requested_width = self->requested_height = 0;
    }
  if (state == LODGE_DISPLAY_STATE_DISCONNECTED)
    lodge_display_release_grab (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (state == LODGE_DISPLAY_STATE_DISCONNECTED)
    g_signal_emit (self, signals[DISCONNECTED], 0,
                   lodge_display_source_get_disconnect_reason (source));
}

static void
lodge_display_source_reason_cb (LodgeDisplay       *self,
                                GParamSpec         *pspec,
                                LodgeDisplaySource *source)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCONNECT_REASON]);
}

static void
lodge_display_source_open_fd_cb (LodgeDisplay       *self,
                                 guint               request_id,
                                 int                 channel_type,
                                 LodgeDisplaySource *source)
{
  g_signal_emit (self, signals[OPEN_FD], 0, request_id, channel_type);
}

static void
lodge_display_framebuffer_invalidate_contents_cb (LodgeDisplay *self,
                                                  GdkPaintable *paintable)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lodge_display_framebuffer_invalidate_size_cb (LodgeDisplay *self,
                                              GdkPaintable *paintable)
{
  self->have_last_guest_pos = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  lodge_display_update_cursor (self);
}

/* The source */

static void
lodge_display_attach_source (LodgeDisplay       *self,
                             LodgeDisplaySource *source)
{
  g_assert (self->source == NULL);

  self->source = g_object_ref (source);
  self->session = LODGE_IS_SPICE_SESSION (source) ? LODGE_SPICE_SESSION (source) : NULL;
  self->framebuffer = g_object_ref (lodge_display_source_get_framebuffer (source));

  g_signal_connect_object (self->framebuffer, "invalidate-contents",
                           G_CALLBACK (lodge_display_framebuffer_invalidate_contents_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->framebuffer, "invalidate-size",
                           G_CALLBACK (lodge_display_framebuffer_invalidate_size_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "notify::state",
                           G_CALLBACK (lodge_display_source_state_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "notify::disconnect-reason",
                           G_CALLBACK (lodge_display_source_reason_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "notify::cursor",
                           G_CALLBACK (lodge_display_source_cursor_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "notify::cursor-visible",
                           G_CALLBACK (lodge_display_source_cursor_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "notify::capabilities",
                           G_CALLBACK (lodge_display_source_capabilities_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (source, "open-fd",
                           G_CALLBACK (lodge_display_source_open_fd_cb),
                           self, G_CONNECT_SWAPPED);
}

static void
lodge_display_detach_source (LodgeDisplay *self)
{
  if (self->source == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->source, self);
  g_signal_handlers_disconnect_by_data (self->framebuffer, self);
  lodge_display_source_set_clipboard (self->source, NULL);
  lodge_display_source_disconnect (self->source);
  g_clear_object (&self->framebuffer);
  self->session = NULL;
  g_clear_object (&self->source);
}

static gboolean
lodge_display_drop_target_drop_cb (LodgeDisplay  *self,
                                   const GValue  *value,
                                   double         x,
                                   double         y,
                                   GtkDropTarget *target)
{
  GSList *list;
  g_autoptr(GPtrArray) files = NULL;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = gdk_file_list_get_files (g_value_get_boxed (value));
  files = g_ptr_array_new_with_free_func (g_object_unref);
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, g_object_ref (l->data));
  g_slist_free (list);
  if (files->len == 0)
    return FALSE;
  g_ptr_array_add (files, NULL);
  g_signal_emit (self, signals[FILES_DROPPED], 0, (GFile **) files->pdata);
  return TRUE;
}

/* GtkWidget */

/* GTK 4.8's cairo renderer on X11 draws each frame into a fresh image and
 * hands it to cairo-xlib, which copies it into an MIT-SHM segment for
 * XShmPutImage. cairo gives a segment back as soon as nothing in it is in
 * use, that is after every frame, so every frame maps a new segment and
 * page-faults its way through it: measured, about a third of the client's
 * CPU time for full-screen updates. Holding one small image in a segment
 * big enough for a whole frame keeps that segment alive, and cairo reuses
 * its already mapped pages from then on. */
static void
lodge_display_keep_shm_pool (LodgeDisplay *self,
                             gboolean      cairo_renderer)
{
#ifdef LODGE_HAVE_X11_SHM
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GdkSurface *surface = native ? gtk_native_get_surface (native) : NULL;
  cairo_surface_t *root, *frame;
  Display *xdisplay;
  gsize needed;
  int scale, width, height;

  if (!cairo_renderer || surface == NULL || !GDK_IS_X11_DISPLAY (display))
    {
      g_clear_pointer (&self->shm_keepalive, cairo_surface_destroy);
      self->shm_capacity = 0;
      return;
    }

  scale = gdk_surface_get_scale_factor (surface);
  width = gdk_surface_get_width (surface) * scale;
  height = gdk_surface_get_height (surface) * scale;
  needed = (gsize) MAX (width, 1) * MAX (height, 1) * 4;
  if (self->shm_keepalive != NULL && needed <= self->shm_capacity)
    return;

  g_clear_pointer (&self->shm_keepalive, cairo_surface_destroy);
  xdisplay = gdk_x11_display_get_xdisplay (display);
  root = cairo_xlib_surface_create (xdisplay, DefaultRootWindow (xdisplay),
                                    DefaultVisual (xdisplay, DefaultScreen (xdisplay)), 1, 1);
  /* A frame-sized image makes cairo map a segment that holds several such
   * frames; the small one lands in it too and, kept, keeps it mapped. */
  frame = cairo_surface_create_similar_image (root, CAIRO_FORMAT_ARGB32, width, height);
  self->shm_keepalive = cairo_surface_create_similar_image (root, CAIRO_FORMAT_ARGB32, 16, 16);
  cairo_surface_destroy (frame);
  cairo_surface_destroy (root);
  self->shm_capacity = needed;
#else
  (void) self;
  (void) cairo_renderer;
#endif
}

static void
lodge_display_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LodgeDisplay *self = LODGE_DISPLAY (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkNative *native = gtk_widget_get_native (widget);
  GdkRGBA black = { 0, 0, 0, 1 };
  double top, bottom, left, right;

  /* Tiles as cairo nodes for the cairo renderer, textures for GL. */
  if (native != NULL)
    {
      gboolean cairo_renderer = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native));

      lodge_framebuffer_set_use_cairo (self->framebuffer, cairo_renderer);
      lodge_display_keep_shm_pool (self, cairo_renderer);
    }

  if (!lodge_framebuffer_has_surface (self->framebuffer))
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }

  lodge_display_update_geometry (self);

  /* Black only around the picture: under it, it would cost a fill of the
   * damaged area in every frame. The bars reach to whole pixels under the
   * picture's edges, which the picture then covers. */
  top = ceil (self->geometry.y);
  bottom = floor (self->geometry.y + self->geometry.height);
  left = ceil (self->geometry.x);
  right = floor (self->geometry.x + self->geometry.width);
  if (top > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, top));
  if (bottom < height)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (0, bottom, width, height - bottom));
  if (left > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, left, height));
  if (right < width)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (right, 0, width - right, height));

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (self->geometry.x, self->geometry.y));
  gdk_paintable_snapshot (GDK_PAINTABLE (self->framebuffer), snapshot,
                          self->geometry.width, self->geometry.height);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

static void
lodge_display_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  LodgeDisplay *self = LODGE_DISPLAY (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  int guest = orientation == GTK_ORIENTATION_HORIZONTAL
    ? lodge_framebuffer_get_width (self->framebuffer)
    : lodge_framebuffer_get_height (self->framebuffer);

  *minimum = 32;
  *natural = guest > 0 ? MAX (32, guest / scale) : 640;
  if (self->scaling == LODGE_DISPLAY_SCALING_ZOOM)
    *natural = MAX (32, (int) (guest * self->zoom / scale));
}

static void
lodge_display_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  LodgeDisplay *self = LODGE_DISPLAY (widget);

  self->have_last_guest_pos = FALSE;
  lodge_display_queue_resize_guest (self);
  /* The picture's scale may have changed: the cursor's follows. */
  lodge_display_update_cursor (self);
}

static void
lodge_display_realize (GtkWidget *widget)
{
  LodgeDisplay *self = LODGE_DISPLAY (widget);

  GTK_WIDGET_CLASS (lodge_display_parent_class)->realize (widget);

  if (self->share_clipboard)
    lodge_display_source_set_clipboard (self->source, gtk_widget_get_clipboard (widget));
}

static void
lodge_display_unrealize (GtkWidget *widget)
{
  LodgeDisplay *self = LODGE_DISPLAY (widget);

  lodge_display_release_grab (self);
  lodge_display_source_set_clipboard (self->source, NULL);
  lodge_display_keep_shm_pool (self, FALSE);

  GTK_WIDGET_CLASS (lodge_display_parent_class)->unrealize (widget);
}

/* GObject */

static void
lodge_display_dispose (GObject *object)
{
  LodgeDisplay *self = LODGE_DISPLAY (object);

  g_clear_handle_id (&self->resize_guest_source, g_source_remove);
  lodge_display_detach_source (self);
  g_clear_object (&self->none_cursor);
  g_clear_object (&self->scaled_cursor);
  g_clear_object (&self->scaled_from);
  g_clear_pointer (&self->shm_keepalive, cairo_surface_destroy);

  G_OBJECT_CLASS (lodge_display_parent_class)->dispose (object);
}

static void
lodge_display_finalize (GObject *object)
{
  LodgeDisplay *self = LODGE_DISPLAY (object);

  g_free (self->release_key);

  G_OBJECT_CLASS (lodge_display_parent_class)->finalize (object);
}

static void
lodge_display_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LodgeDisplay *self = LODGE_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_STATE:
      g_value_set_enum (value, lodge_display_get_state (self));
      break;
    case PROP_DISCONNECT_REASON:
      g_value_set_string (value, lodge_display_get_disconnect_reason (self));
      break;
    case PROP_SCALING:
      g_value_set_enum (value, self->scaling);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_GRABBED:
      g_value_set_boolean (value, self->grabbed);
      break;
    case PROP_RELEASE_KEY:
      g_value_set_string (value, self->release_key);
      break;
    case PROP_RESIZE_GUEST:
      g_value_set_boolean (value, self->resize_guest);
      break;
    case PROP_SHARE_CLIPBOARD:
      g_value_set_boolean (value, self->share_clipboard);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_display_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LodgeDisplay *self = LODGE_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_SCALING:
      lodge_display_set_scaling (self, g_value_get_enum (value));
      break;
    case PROP_ZOOM:
      lodge_display_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_RELEASE_KEY:
      lodge_display_set_release_key (self, g_value_get_string (value));
      break;
    case PROP_RESIZE_GUEST:
      lodge_display_set_resize_guest (self, g_value_get_boolean (value));
      break;
    case PROP_SHARE_CLIPBOARD:
      lodge_display_set_share_clipboard (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_display_class_init (LodgeDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_display_dispose;
  object_class->finalize = lodge_display_finalize;
  object_class->get_property = lodge_display_get_property;
  object_class->set_property = lodge_display_set_property;

  widget_class->snapshot = lodge_display_snapshot;
  widget_class->measure = lodge_display_measure;
  widget_class->size_allocate = lodge_display_size_allocate;
  widget_class->realize = lodge_display_realize;
  widget_class->unrealize = lodge_display_unrealize;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, LODGE_TYPE_SPICE_SESSION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, LODGE_TYPE_DISPLAY_SOURCE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       LODGE_TYPE_DISPLAY_STATE, LODGE_DISPLAY_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISCONNECT_REASON] =
    g_param_spec_string ("disconnect-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCALING] =
    g_param_spec_enum ("scaling", NULL, NULL,
                       LODGE_TYPE_DISPLAY_SCALING, LODGE_DISPLAY_SCALING_FIT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRABBED] =
    g_param_spec_boolean ("grabbed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LodgeDisplay:release-key:
   *
   * What ends the grab, in gtk_accelerator_parse() syntax: modifiers only
   * ("<Control><Alt>", the default) or modifiers and a key
   * ("<Shift>F12"). Show it while grabbed (lodge_display_get_release_label()).
   */
  properties[PROP_RELEASE_KEY] =
    g_param_spec_string ("release-key", NULL, NULL, DEFAULT_RELEASE_KEY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESIZE_GUEST] =
    g_param_spec_boolean ("resize-guest", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHARE_CLIPBOARD] =
    g_param_spec_boolean ("share-clipboard", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LodgeDisplay::open-fd:
   * @request_id: pass it to lodge_display_give_fd()
   * @channel_type: the SPICE channel type
   *
   * A channel needs a socket (see lodge_display_connect_fd()).
   */
  signals[OPEN_FD] =
    g_signal_new ("open-fd", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT);

  /**
   * LodgeDisplay::disconnected:
   * @reason: (nullable): why, for the user; %NULL after lodge_display_disconnect()
   */
  signals[DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * LodgeDisplay::files-dropped:
   * @files: (array zero-terminated=1): the dropped files
   *
   * Files were dropped on the display: copy them with
   * lodge_display_copy_files_async(), showing progress and a way to cancel.
   */
  signals[FILES_DROPPED] =
    g_signal_new ("files-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_css_name (widget_class, "lodge-display");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lodge_display_init (LodgeDisplay *self)
{
  GtkEventController *controller;

  self->scaling = LODGE_DISPLAY_SCALING_FIT;
  self->zoom = 1.0;
  self->release_key = g_strdup (DEFAULT_RELEASE_KEY);
  self->release_modifiers = GDK_CONTROL_MASK | GDK_ALT_MASK;
  self->resize_guest = TRUE;
  self->share_clipboard = TRUE;

  {
    g_autoptr(LodgeSpiceSession) session = lodge_spice_session_new ();

    lodge_display_attach_source (self, LODGE_DISPLAY_SOURCE (session));
  }

  g_signal_connect (self, "notify::scale-factor",
                    G_CALLBACK (lodge_display_scale_factor_cb), NULL);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed",
                           G_CALLBACK (lodge_display_key_pressed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "key-released",
                           G_CALLBACK (lodge_display_key_released_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_object (controller, "enter",
                           G_CALLBACK (lodge_display_focus_enter_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave",
                           G_CALLBACK (lodge_display_focus_leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = GTK_EVENT_CONTROLLER (gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY));
  g_signal_connect_object (controller, "drop",
                           G_CALLBACK (lodge_display_drop_target_drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Raw events: a click gesture would swallow the release of a drag. */
  controller = gtk_event_controller_legacy_new ();
  g_signal_connect_object (controller, "event",
                           G_CALLBACK (lodge_display_event_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/* Public API */

/**
 * lodge_display_new:
 *
 * Returns: a new display; connect it with one of the lodge_display_connect_*()
 */
GtkWidget *
lodge_display_new (void)
{
  return g_object_new (LODGE_TYPE_DISPLAY, NULL);
}

/**
 * lodge_display_get_session:
 *
 * Returns: (transfer none) (nullable): the SPICE session behind the
 *   display, or %NULL when its source speaks another protocol
 */
LodgeSpiceSession *
lodge_display_get_session (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), NULL);
  return self->session;
}

/**
 * lodge_display_get_source:
 *
 * Returns: (transfer none): the connection behind the display (a new
 *   display has a LodgeSpiceSession)
 */
LodgeDisplaySource *
lodge_display_get_source (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), NULL);
  return self->source;
}

/**
 * lodge_display_set_source:
 * @source: the connection to show, such as a LodgeVncSession
 *
 * Disconnects the current source (keys it holds are released first) and
 * shows @source, in whatever state it is. The lodge_display_connect_*()
 * calls speak SPICE: they put a new LodgeSpiceSession back when the source
 * is another protocol's.
 */
void
lodge_display_set_source (LodgeDisplay       *self,
                          LodgeDisplaySource *source)
{
  g_autoptr(LodgeDisplaySource) keep = NULL;

  g_return_if_fail (LODGE_IS_DISPLAY (self));
  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (source));

  if (source == self->source)
    return;
  keep = g_object_ref (source);

  lodge_display_release_all_keys (self);
  lodge_display_release_grab (self);
  g_clear_handle_id (&self->resize_guest_source, g_source_remove);
  lodge_display_detach_source (self);
  lodge_display_attach_source (self, source);

  memset (self->pressed, 0, sizeof self->pressed);
  self->n_pressed = 0;
  self->button_state = 0;
  self->have_last_guest_pos = FALSE;
  self->requested_width = self->requested_height = 0;
  if (self->share_clipboard && gtk_widget_get_realized (GTK_WIDGET (self)))
    lodge_display_source_set_clipboard (source, gtk_widget_get_clipboard (GTK_WIDGET (self)));

  gtk_widget_queue_resize (GTK_WIDGET (self));
  lodge_display_update_cursor (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCONNECT_REASON]);
}

/* The connect calls below speak SPICE. */
static LodgeSpiceSession *
lodge_display_ensure_spice (LodgeDisplay *self)
{
  if (self->session == NULL)
    {
      g_autoptr(LodgeSpiceSession) session = lodge_spice_session_new ();

      lodge_display_set_source (self, LODGE_DISPLAY_SOURCE (session));
    }
  return self->session;
}

void
lodge_display_connect_uri (LodgeDisplay *self,
                           const char   *uri)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_spice_session_connect_uri (lodge_display_ensure_spice (self), uri);
}

void
lodge_display_connect_host (LodgeDisplay *self,
                            const char   *host,
                            int           port,
                            int           tls_port,
                            const char   *password)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_spice_session_connect_host (lodge_display_ensure_spice (self), host, port, tls_port, password);
}

void
lodge_display_connect_unix (LodgeDisplay *self,
                            const char   *path,
                            const char   *password)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_spice_session_connect_unix (lodge_display_ensure_spice (self), path, password);
}

/**
 * lodge_display_connect_fd:
 * @fd: a socket for the main channel (taken over), or -1 to ask for it
 *   through #LodgeDisplay::open-fd too
 *
 * Each further channel asks for its socket through #LodgeDisplay::open-fd;
 * answer with lodge_display_give_fd().
 */
void
lodge_display_connect_fd (LodgeDisplay *self,
                          int           fd)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_spice_session_connect_fd (lodge_display_ensure_spice (self), fd);
}

void
lodge_display_give_fd (LodgeDisplay *self,
                       guint         request_id,
                       int           fd)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_display_source_give_fd (self->source, request_id, fd);
}

void
lodge_display_fail_fd (LodgeDisplay *self,
                       guint         request_id,
                       const char   *message)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_display_source_fail_fd (self->source, request_id, message);
}

void
lodge_display_disconnect (LodgeDisplay *self)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_display_release_all_keys (self);
  lodge_display_source_disconnect (self->source);
}

LodgeDisplayState
lodge_display_get_state (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), LODGE_DISPLAY_STATE_DISCONNECTED);
  return lodge_display_source_get_state (self->source);
}

const char *
lodge_display_get_disconnect_reason (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), NULL);
  return lodge_display_source_get_disconnect_reason (self->source);
}

LodgeDisplayScaling
lodge_display_get_scaling (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), LODGE_DISPLAY_SCALING_FIT);
  return self->scaling;
}

void
lodge_display_set_scaling (LodgeDisplay        *self,
                           LodgeDisplayScaling  scaling)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));

  if (scaling == self->scaling)
    return;
  self->scaling = scaling;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALING]);
}

double
lodge_display_get_zoom (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), 1.0);
  return self->zoom;
}

void
lodge_display_set_zoom (LodgeDisplay *self,
                        double        zoom)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (zoom == self->zoom)
    return;
  self->zoom = zoom;
  if (self->scaling == LODGE_DISPLAY_SCALING_ZOOM)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

void
lodge_display_zoom_in (LodgeDisplay *self)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_display_set_zoom (self, self->zoom * ZOOM_STEP);
  lodge_display_set_scaling (self, LODGE_DISPLAY_SCALING_ZOOM);
}

void
lodge_display_zoom_out (LodgeDisplay *self)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));
  lodge_display_set_zoom (self, self->zoom / ZOOM_STEP);
  lodge_display_set_scaling (self, LODGE_DISPLAY_SCALING_ZOOM);
}

/**
 * lodge_display_get_guest_size:
 *
 * Returns: whether the guest has a screen now
 */
gboolean
lodge_display_get_guest_size (LodgeDisplay *self,
                              int          *width,
                              int          *height)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), FALSE);

  if (width)
    *width = lodge_framebuffer_get_width (self->framebuffer);
  if (height)
    *height = lodge_framebuffer_get_height (self->framebuffer);
  return lodge_framebuffer_has_surface (self->framebuffer);
}

/**
 * lodge_display_widget_to_guest:
 *
 * Maps a point in widget coordinates to the guest pixel under it, the way
 * pointer events are mapped.
 *
 * Returns: whether the point is on the picture
 */
gboolean
lodge_display_widget_to_guest (LodgeDisplay *self,
                               double        x,
                               double        y,
                               int          *guest_x,
                               int          *guest_y)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), FALSE);

  lodge_display_update_geometry (self);
  return lodge_display_geometry_to_guest (&self->geometry,
                                          lodge_framebuffer_get_width (self->framebuffer),
                                          lodge_framebuffer_get_height (self->framebuffer),
                                          x, y, guest_x, guest_y);
}

/**
 * lodge_display_get_screenshot:
 *
 * Returns: (transfer full) (nullable): the guest screen as it is now
 */
GdkTexture *
lodge_display_get_screenshot (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), NULL);
  return lodge_framebuffer_to_texture (self->framebuffer);
}

gboolean
lodge_display_save_screenshot (LodgeDisplay  *self,
                               const char    *filename,
                               GError       **error)
{
  g_autoptr(GdkTexture) texture = NULL;

  g_return_val_if_fail (LODGE_IS_DISPLAY (self), FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);

  texture = lodge_framebuffer_to_texture (self->framebuffer);
  if (texture == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The machine shows no picture"));
      return FALSE;
    }
  if (!gdk_texture_save_to_png (texture, filename))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not save the screenshot to “%s”"), filename);
      return FALSE;
    }
  return TRUE;
}

/**
 * lodge_display_send_keys:
 *
 * Presses the keys of @keys in order, then releases them in reverse.
 */
void
lodge_display_send_keys (LodgeDisplay *self,
                         LodgeSendKey  keys)
{
  guint codes[3];
  guint n = 0;

  g_return_if_fail (LODGE_IS_DISPLAY (self));

  switch (keys)
    {
    case LODGE_SEND_KEY_CTRL_ALT_DEL:
      codes[n++] = XT_LEFT_CTRL;
      codes[n++] = XT_LEFT_ALT;
      codes[n++] = XT_DELETE;
      break;
    case LODGE_SEND_KEY_CTRL_ALT_BACKSPACE:
      codes[n++] = XT_LEFT_CTRL;
      codes[n++] = XT_LEFT_ALT;
      codes[n++] = XT_BACKSPACE;
      break;
    case LODGE_SEND_KEY_PRINT_SCREEN:
      codes[n++] = LODGE_XT_PRINT_SCREEN;
      break;
    case LODGE_SEND_KEY_SYSRQ:
      codes[n++] = XT_LEFT_ALT;
      codes[n++] = LODGE_XT_SYSRQ;
      break;
    default:
      if (keys >= LODGE_SEND_KEY_CTRL_ALT_F1 && keys <= LODGE_SEND_KEY_CTRL_ALT_F12)
        {
          guint f = keys - LODGE_SEND_KEY_CTRL_ALT_F1;

          codes[n++] = XT_LEFT_CTRL;
          codes[n++] = XT_LEFT_ALT;
          codes[n++] = f < 10 ? XT_F1 + f : (f == 10 ? XT_F11 : XT_F12);
        }
      else
        g_return_if_reached ();
    }

  for (guint i = 0; i < n; i++)
    lodge_display_source_key_press (self->source, codes[i]);
  for (guint i = n; i > 0; i--)
    lodge_display_source_key_release (self->source, codes[i - 1]);
}

/**
 * lodge_display_copy_files_async:
 * @files: (array zero-terminated=1): files to copy into the guest
 * @progress_callback: (nullable): bytes done and total
 *
 * Copies files into the guest through its agent; cancel with @cancellable.
 */
static void
lodge_display_copy_files_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (lodge_spice_session_copy_files_finish (LODGE_SPICE_SESSION (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lodge_display_copy_files_async (LodgeDisplay          *self,
                                GFile                **files,
                                GCancellable          *cancellable,
                                GFileProgressCallback  progress_callback,
                                gpointer               progress_data,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  GTask *task;

  g_return_if_fail (LODGE_IS_DISPLAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lodge_display_copy_files_async);
  if (self->session == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Files can be copied only to a machine running the guest agent"));
      g_object_unref (task);
      return;
    }
  lodge_spice_session_copy_files_async (self->session, files, cancellable, progress_callback,
                                        progress_data, lodge_display_copy_files_cb, task);
}

gboolean
lodge_display_copy_files_finish (LodgeDisplay  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lodge_display_get_grabbed (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), FALSE);
  return self->grabbed;
}

/**
 * lodge_display_release_grab:
 *
 * Gives the system shortcuts back; the next click on the display grabs
 * again.
 */
void
lodge_display_release_grab (LodgeDisplay *self)
{
  GdkToplevel *toplevel;

  g_return_if_fail (LODGE_IS_DISPLAY (self));

  self->release_armed = FALSE;
  if (!self->grabbed)
    return;
  toplevel = lodge_display_get_toplevel (self);
  if (toplevel != NULL)
    gdk_toplevel_restore_system_shortcuts (toplevel);
  self->grabbed = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRABBED]);
}

const char *
lodge_display_get_release_key (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), NULL);
  return self->release_key;
}

/**
 * lodge_display_set_release_key:
 * @accelerator: (nullable): what ends the grab, as gtk_accelerator_parse()
 *   reads it: "<Control><Alt>", "<Control><Alt><Shift>", "<Shift>F12",
 *   "<Control><Alt>g"; %NULL for the default, Ctrl+Alt
 *
 * Returns: whether @accelerator was understood (if not, nothing changes)
 */
gboolean
lodge_display_set_release_key (LodgeDisplay *self,
                               const char   *accelerator)
{
  GdkModifierType modifiers = 0;
  guint keyval = 0;

  g_return_val_if_fail (LODGE_IS_DISPLAY (self), FALSE);

  if (accelerator == NULL || *accelerator == '\0')
    accelerator = DEFAULT_RELEASE_KEY;
  if (!gtk_accelerator_parse (accelerator, &keyval, &modifiers) ||
      (modifiers & ~RELEASE_MODIFIER_MASK) != 0 ||
      (keyval == 0 && modifiers == 0) || modifier_of_keyval (keyval) != 0)
    {
      g_warning ("Not a release key: “%s”", accelerator);
      return FALSE;
    }

  self->release_keyval = gdk_keyval_to_lower (keyval);
  self->release_modifiers = modifiers;
  if (g_strcmp0 (accelerator, self->release_key) != 0)
    {
      g_free (self->release_key);
      self->release_key = g_strdup (accelerator);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RELEASE_KEY]);
    }
  return TRUE;
}

/**
 * lodge_display_get_release_label:
 *
 * Returns: (transfer full): the release key for people, such as “Ctrl+Alt”
 */
char *
lodge_display_get_release_label (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), NULL);
  return gtk_accelerator_get_label (self->release_keyval, self->release_modifiers);
}

gboolean
lodge_display_get_resize_guest (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), FALSE);
  return self->resize_guest;
}

/**
 * lodge_display_set_resize_guest:
 *
 * Whether the guest agent is asked to match the guest's resolution to the
 * widget's size (debounced).
 */
void
lodge_display_set_resize_guest (LodgeDisplay *self,
                                gboolean      resize_guest)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));

  resize_guest = !!resize_guest;
  if (resize_guest == self->resize_guest)
    return;
  self->resize_guest = resize_guest;
  self->requested_width = self->requested_height = 0;
  if (resize_guest)
    lodge_display_queue_resize_guest (self);
  else
    g_clear_handle_id (&self->resize_guest_source, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIZE_GUEST]);
}

gboolean
lodge_display_get_share_clipboard (LodgeDisplay *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY (self), FALSE);
  return self->share_clipboard;
}

/**
 * lodge_display_set_share_clipboard:
 *
 * Whether text and images are copied between the host's clipboard and the
 * guest's (through the guest agent).
 */
void
lodge_display_set_share_clipboard (LodgeDisplay *self,
                                   gboolean      share_clipboard)
{
  g_return_if_fail (LODGE_IS_DISPLAY (self));

  share_clipboard = !!share_clipboard;
  if (share_clipboard == self->share_clipboard)
    return;
  self->share_clipboard = share_clipboard;
  if (gtk_widget_get_realized (GTK_WIDGET (self)))
    lodge_display_source_set_clipboard (self->source,
                                       share_clipboard
                                       ? gtk_widget_get_clipboard (GTK_WIDGET (self))
                                       : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARE_CLIPBOARD]);
}
