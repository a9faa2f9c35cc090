/* lodge-display-source.h: what a display widget needs from any protocol
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An abstract connection to a guest's screen: LodgeSpiceSession and
 * LodgeVncSession derive from it, and LodgeDisplay speaks to it.
 *
 * State: "state" (LodgeDisplayState), and once disconnected the reason as
 * a GError ("disconnect-error", LODGE_CONSOLE_ERROR) and its message
 * ("disconnect-reason", translated, for the user). Picture: "framebuffer"
 * (a LodgeFramebuffer, a GdkPaintable, the same object for the source's
 * life). Pointer: "cursor" (NULL for the default shape), "cursor-visible",
 * "server-mouse" (the guest draws its pointer: send relative motion).
 * "capabilities": what the guest side offers now (agent, clipboard, file
 * copy, audio, guest resize); it changes while connected.
 *
 * Sockets: a source opened on a file descriptor may need more sockets
 * (SPICE: one per channel); it asks with the "open-fd" signal, answered
 * with lodge_display_source_give_fd() or _fail_fd().
 *
 * Input goes to the guest only while connected; before, it is dropped.
 * Keys are XT scancodes (lodge-keymap.h); pointer positions are guest
 * pixels. Main thread only.
 */
#pragma once

#include <gtk/gtk.h>

#include "lodge-types.h"
#include "lodge-framebuffer.h"

G_BEGIN_DECLS

/* Mouse buttons as SPICE numbers them. */
typedef enum
{
  LODGE_MOUSE_BUTTON_LEFT = 1,
  LODGE_MOUSE_BUTTON_MIDDLE = 2,
  LODGE_MOUSE_BUTTON_RIGHT = 3,
  LODGE_MOUSE_BUTTON_WHEEL_UP = 4,
  LODGE_MOUSE_BUTTON_WHEEL_DOWN = 5,
  LODGE_MOUSE_BUTTON_BACK = 6,
  LODGE_MOUSE_BUTTON_FORWARD = 7,
} LodgeMouseButton;

/* Lock keys as the guest reports them. */
typedef enum
{
  LODGE_KEY_LOCK_SCROLL = 1 << 0,
  LODGE_KEY_LOCK_NUM = 1 << 1,
  LODGE_KEY_LOCK_CAPS = 1 << 2,
} LodgeKeyLocks;

#define LODGE_TYPE_DISPLAY_SOURCE (lodge_display_source_get_type ())
G_DECLARE_DERIVABLE_TYPE (LodgeDisplaySource, lodge_display_source, LODGE, DISPLAY_SOURCE, GObject)

struct _LodgeDisplaySourceClass
{
  GObjectClass parent_class;

  void          (*disconnect)         (LodgeDisplaySource *self);
  void          (*give_fd)            (LodgeDisplaySource *self,
                                       guint               request_id,
                                       int                 fd);
  void          (*fail_fd)            (LodgeDisplaySource *self,
                                       guint               request_id,
                                       const char         *message);
  /* Whether the source can take input at all (not a read-only one) and
   * whether it takes it now. */
  gboolean      (*has_inputs)         (LodgeDisplaySource *self);
  gboolean      (*get_inputs_ready)   (LodgeDisplaySource *self);
  void          (*key_event)          (LodgeDisplaySource *self,
                                       guint               scancode,
                                       gboolean            press);
  LodgeKeyLocks (*get_key_locks)      (LodgeDisplaySource *self);
  void          (*set_key_locks)      (LodgeDisplaySource *self,
                                       LodgeKeyLocks       locks);
  void          (*pointer_position)   (LodgeDisplaySource *self,
                                       int                 x,
                                       int                 y,
                                       guint               button_state);
  void          (*pointer_motion)     (LodgeDisplaySource *self,
                                       int                 dx,
                                       int                 dy,
                                       guint               button_state);
  void          (*pointer_button)     (LodgeDisplaySource *self,
                                       LodgeMouseButton    button,
                                       gboolean            press,
                                       guint               button_state);
  void          (*request_guest_size) (LodgeDisplaySource *self,
                                       int                 width,
                                       int                 height);
  void          (*set_clipboard)      (LodgeDisplaySource *self,
                                       GdkClipboard       *clipboard);

  gpointer padding[8];
};

LodgeDisplayState             lodge_display_source_get_state             (LodgeDisplaySource *self);
const char                   *lodge_display_source_get_disconnect_reason (LodgeDisplaySource *self);
const GError                 *lodge_display_source_get_disconnect_error  (LodgeDisplaySource *self);
LodgeFramebuffer             *lodge_display_source_get_framebuffer       (LodgeDisplaySource *self);
GdkCursor                    *lodge_display_source_get_cursor            (LodgeDisplaySource *self);
gboolean                      lodge_display_source_get_cursor_visible    (LodgeDisplaySource *self);
gboolean                      lodge_display_source_get_server_mouse      (LodgeDisplaySource *self);
LodgeDisplayCapabilities      lodge_display_source_get_capabilities      (LodgeDisplaySource *self);

void                          lodge_display_source_disconnect            (LodgeDisplaySource *self);
void                          lodge_display_source_give_fd               (LodgeDisplaySource *self,
                                                                          guint               request_id,
                                                                          int                 fd);
void                          lodge_display_source_fail_fd               (LodgeDisplaySource *self,
                                                                          guint               request_id,
                                                                          const char         *message);

gboolean                      lodge_display_source_has_inputs            (LodgeDisplaySource *self);
gboolean                      lodge_display_source_get_inputs_ready      (LodgeDisplaySource *self);
void                          lodge_display_source_key_press             (LodgeDisplaySource *self,
                                                                          guint               scancode);
void                          lodge_display_source_key_release           (LodgeDisplaySource *self,
                                                                          guint               scancode);
LodgeKeyLocks                 lodge_display_source_get_key_locks         (LodgeDisplaySource *self);
void                          lodge_display_source_set_key_locks         (LodgeDisplaySource *self,
                                                                          LodgeKeyLocks       locks);
void                          lodge_display_source_pointer_position      (LodgeDisplaySource *self,
                                                                          int                 x,
                                                                          int                 y,
                                                                          guint               button_state);
void                          lodge_display_source_pointer_motion        (LodgeDisplaySource *self,
                                                                          int                 dx,
                                                                          int                 dy,
                                                                          guint               button_state);
void                          lodge_display_source_pointer_button        (LodgeDisplaySource *self,
                                                                          LodgeMouseButton    button,
                                                                          gboolean            press,
                                                                          guint               button_state);
/* Device pixels; only when the capabilities have GUEST_RESIZE. */
void                          lodge_display_source_request_guest_size    (LodgeDisplaySource *self,
                                                                          int                 width,
                                                                          int                 height);
/* @clipboard: (nullable): the clipboard to share with the guest. */
void                          lodge_display_source_set_clipboard         (LodgeDisplaySource *self,
                                                                          GdkClipboard       *clipboard);

/* For subclasses. @error is copied; it is ignored unless @state is
 * DISCONNECTED, and NULL there means a disconnection that was asked for. */
void                          lodge_display_source_set_state             (LodgeDisplaySource *self,
                                                                          LodgeDisplayState   state,
                                                                          const GError       *error);
void                          lodge_display_source_set_cursor            (LodgeDisplaySource *self,
                                                                          GdkCursor          *cursor,
                                                                          gboolean            visible);
void                          lodge_display_source_set_server_mouse      (LodgeDisplaySource *self,
                                                                          gboolean            server_mouse);
void                          lodge_display_source_set_capabilities      (LodgeDisplaySource *self,
                                                                          LodgeDisplayCapabilities capabilities);
void                          lodge_display_source_request_fd            (LodgeDisplaySource *self,
                                                                          guint               request_id,
                                                                          int                 channel_type);

G_END_DECLS
