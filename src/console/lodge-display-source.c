/* lodge-display-source.c: what a display widget needs from any protocol
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-display-source"

#include "config.h"

#include "lodge-console-enums.h"
#include "lodge-display-source.h"

/* The state every protocol shares lives here, set by the subclasses
 * through the protected setters, so that notifications are the same
 * whatever the protocol. Input calls are dropped unless connected. */

typedef struct
{
  LodgeDisplayState state;
  GError *disconnect_error;
  LodgeFramebuffer *framebuffer;
  GdkCursor *cursor;
  gboolean cursor_visible;
  gboolean server_mouse;
  LodgeDisplayCapabilities capabilities;
} LodgeDisplaySourcePrivate;

enum {
  PROP_0,
  PROP_STATE,
  PROP_DISCONNECT_REASON,
  PROP_DISCONNECT_ERROR,
  PROP_FRAMEBUFFER,
  PROP_CURSOR,
  PROP_CURSOR_VISIBLE,
  PROP_SERVER_MOUSE,
  PROP_CAPABILITIES,
  N_PROPS
};

enum {
  OPEN_FD,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LodgeDisplaySource, lodge_display_source, G_TYPE_OBJECT)

static void
lodge_display_source_dispose (GObject *object)
{
  LodgeDisplaySourcePrivate *priv =
    lodge_display_source_get_instance_private (LODGE_DISPLAY_SOURCE (object));

  g_clear_object (&priv->cursor);

  G_OBJECT_CLASS (lodge_display_source_parent_class)->dispose (object);
}

static void
lodge_display_source_finalize (GObject *object)
{
  LodgeDisplaySourcePrivate *priv =
    lodge_display_source_get_instance_private (LODGE_DISPLAY_SOURCE (object));

  g_clear_object (&priv->framebuffer);
  g_clear_error (&priv->disconnect_error);

  G_OBJECT_CLASS (lodge_display_source_parent_class)->finalize (object);
}

static void
lodge_display_source_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LodgeDisplaySource *self = LODGE_DISPLAY_SOURCE (object);
  LodgeDisplaySourcePrivate *priv = lodge_display_source_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, priv->state);
      break;
    case PROP_DISCONNECT_REASON:
      g_value_set_string (value, lodge_display_source_get_disconnect_reason (self));
      break;
    case PROP_DISCONNECT_ERROR:
      g_value_set_boxed (value, priv->disconnect_error);
      break;
    case PROP_FRAMEBUFFER:
      g_value_set_object (value, priv->framebuffer);
      break;
    case PROP_CURSOR:
      g_value_set_object (value, priv->cursor);
      break;
    case PROP_CURSOR_VISIBLE:
      g_value_set_boolean (value, priv->cursor_visible);
      break;
    case PROP_SERVER_MOUSE:
      g_value_set_boolean (value, priv->server_mouse);
      break;
    case PROP_CAPABILITIES:
      g_value_set_flags (value, priv->capabilities);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_display_source_class_init (LodgeDisplaySourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lodge_display_source_dispose;
  object_class->finalize = lodge_display_source_finalize;
  object_class->get_property = lodge_display_source_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       LODGE_TYPE_DISPLAY_STATE, LODGE_DISPLAY_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISCONNECT_REASON] =
    g_param_spec_string ("disconnect-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISCONNECT_ERROR] =
    g_param_spec_boxed ("disconnect-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRAMEBUFFER] =
    g_param_spec_object ("framebuffer", NULL, NULL, LODGE_TYPE_FRAMEBUFFER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURSOR] =
    g_param_spec_object ("cursor", NULL, NULL, GDK_TYPE_CURSOR,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURSOR_VISIBLE] =
    g_param_spec_boolean ("cursor-visible", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_MOUSE] =
    g_param_spec_boolean ("server-mouse", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAPABILITIES] =
    g_param_spec_flags ("capabilities", NULL, NULL,
                        LODGE_TYPE_DISPLAY_CAPABILITIES, LODGE_DISPLAY_CAPABILITY_NONE,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LodgeDisplaySource::open-fd:
   * @request_id: pass it to lodge_display_source_give_fd()
   * @channel_type: what the socket is for (SPICE: the channel type,
   *   SPICE_CHANNEL_MAIN = 1, …; VNC: 0)
   *
   * The source needs a connected socket. Answer (now or later) with
   * lodge_display_source_give_fd() or lodge_display_source_fail_fd().
   */
  signals[OPEN_FD] =
    g_signal_new ("open-fd", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT);
}

static void
lodge_display_source_init (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv = lodge_display_source_get_instance_private (self);

  priv->framebuffer = lodge_framebuffer_new ();
  priv->cursor_visible = TRUE;
}

/* Getters */

LodgeDisplayState
lodge_display_source_get_state (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), LODGE_DISPLAY_STATE_DISCONNECTED);
  priv = lodge_display_source_get_instance_private (self);
  return priv->state;
}

/**
 * lodge_display_source_get_disconnect_reason:
 *
 * Returns: (nullable): why the last connection ended, for the user; %NULL
 *   while connected and after lodge_display_source_disconnect()
 */
const char *
lodge_display_source_get_disconnect_reason (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), NULL);
  priv = lodge_display_source_get_instance_private (self);
  return priv->disconnect_error != NULL ? priv->disconnect_error->message : NULL;
}

/**
 * lodge_display_source_get_disconnect_error:
 *
 * Returns: (nullable): the same as a LODGE_CONSOLE_ERROR, for code that
 *   tells causes apart (a refused password from a server gone)
 */
const GError *
lodge_display_source_get_disconnect_error (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), NULL);
  priv = lodge_display_source_get_instance_private (self);
  return priv->disconnect_error;
}

/**
 * lodge_display_source_get_framebuffer:
 *
 * Returns: (transfer none): the picture, a #GdkPaintable
 */
LodgeFramebuffer *
lodge_display_source_get_framebuffer (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), NULL);
  priv = lodge_display_source_get_instance_private (self);
  return priv->framebuffer;
}

/**
 * lodge_display_source_get_cursor:
 *
 * Returns: (transfer none) (nullable): the guest's cursor shape, or %NULL
 *   for the default one
 */
GdkCursor *
lodge_display_source_get_cursor (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), NULL);
  priv = lodge_display_source_get_instance_private (self);
  return priv->cursor;
}

gboolean
lodge_display_source_get_cursor_visible (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), TRUE);
  priv = lodge_display_source_get_instance_private (self);
  return priv->cursor_visible;
}

gboolean
lodge_display_source_get_server_mouse (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), FALSE);
  priv = lodge_display_source_get_instance_private (self);
  return priv->server_mouse;
}

LodgeDisplayCapabilities
lodge_display_source_get_capabilities (LodgeDisplaySource *self)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), LODGE_DISPLAY_CAPABILITY_NONE);
  priv = lodge_display_source_get_instance_private (self);
  return priv->capabilities;
}

/* Connection */

/**
 * lodge_display_source_disconnect:
 *
 * Ends the connection; the state becomes DISCONNECTED with no reason.
 */
void
lodge_display_source_disconnect (LodgeDisplaySource *self)
{
  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  LODGE_DISPLAY_SOURCE_GET_CLASS (self)->disconnect (self);
}

/**
 * lodge_display_source_give_fd:
 * @fd: a connected socket, taken over
 */
void
lodge_display_source_give_fd (LodgeDisplaySource *self,
                              guint               request_id,
                              int                 fd)
{
  LodgeDisplaySourceClass *klass;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  klass = LODGE_DISPLAY_SOURCE_GET_CLASS (self);
  if (klass->give_fd != NULL)
    klass->give_fd (self, request_id, fd);
}

void
lodge_display_source_fail_fd (LodgeDisplaySource *self,
                              guint               request_id,
                              const char         *message)
{
  LodgeDisplaySourceClass *klass;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  klass = LODGE_DISPLAY_SOURCE_GET_CLASS (self);
  if (klass->fail_fd != NULL)
    klass->fail_fd (self, request_id, message);
}

/* Input */

gboolean
lodge_display_source_has_inputs (LodgeDisplaySource *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), FALSE);
  return LODGE_DISPLAY_SOURCE_GET_CLASS (self)->has_inputs (self);
}

/* Whether keys and the pointer reach the guest now (they are dropped
 * before). */
gboolean
lodge_display_source_get_inputs_ready (LodgeDisplaySource *self)
{
  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), FALSE);
  return lodge_display_source_get_state (self) == LODGE_DISPLAY_STATE_CONNECTED &&
         LODGE_DISPLAY_SOURCE_GET_CLASS (self)->get_inputs_ready (self);
}

/**
 * lodge_display_source_key_press:
 * @scancode: an XT scancode (see lodge-keymap.h)
 */
void
lodge_display_source_key_press (LodgeDisplaySource *self,
                                guint               scancode)
{
  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  if (lodge_display_source_get_inputs_ready (self))
    LODGE_DISPLAY_SOURCE_GET_CLASS (self)->key_event (self, scancode, TRUE);
}

void
lodge_display_source_key_release (LodgeDisplaySource *self,
                                  guint               scancode)
{
  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  if (lodge_display_source_get_inputs_ready (self))
    LODGE_DISPLAY_SOURCE_GET_CLASS (self)->key_event (self, scancode, FALSE);
}

LodgeKeyLocks
lodge_display_source_get_key_locks (LodgeDisplaySource *self)
{
  LodgeDisplaySourceClass *klass;

  g_return_val_if_fail (LODGE_IS_DISPLAY_SOURCE (self), 0);
  klass = LODGE_DISPLAY_SOURCE_GET_CLASS (self);
  return klass->get_key_locks != NULL ? klass->get_key_locks (self) : 0;
}

void
lodge_display_source_set_key_locks (LodgeDisplaySource *self,
                                    LodgeKeyLocks       locks)
{
  LodgeDisplaySourceClass *klass;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  klass = LODGE_DISPLAY_SOURCE_GET_CLASS (self);
  if (klass->set_key_locks != NULL && lodge_display_source_get_inputs_ready (self))
    klass->set_key_locks (self, locks);
}

void
lodge_display_source_pointer_position (LodgeDisplaySource *self,
                                       int                 x,
                                       int                 y,
                                       guint               button_state)
{
  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  if (lodge_display_source_get_inputs_ready (self))
    LODGE_DISPLAY_SOURCE_GET_CLASS (self)->pointer_position (self, x, y, button_state);
}

void
lodge_display_source_pointer_motion (LodgeDisplaySource *self,
                                     int                 dx,
                                     int                 dy,
                                     guint               button_state)
{
  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  if (lodge_display_source_get_inputs_ready (self))
    LODGE_DISPLAY_SOURCE_GET_CLASS (self)->pointer_motion (self, dx, dy, button_state);
}

/**
 * lodge_display_source_pointer_button:
 * @button_state: the buttons held after this event, as SPICE's mask
 *   (1 << (button - 1) for left, middle, right)
 */
void
lodge_display_source_pointer_button (LodgeDisplaySource *self,
                                     LodgeMouseButton    button,
                                     gboolean            press,
                                     guint               button_state)
{
  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  if (lodge_display_source_get_inputs_ready (self))
    LODGE_DISPLAY_SOURCE_GET_CLASS (self)->pointer_button (self, button, press, button_state);
}

void
lodge_display_source_request_guest_size (LodgeDisplaySource *self,
                                         int                 width,
                                         int                 height)
{
  LodgeDisplaySourceClass *klass;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  klass = LODGE_DISPLAY_SOURCE_GET_CLASS (self);
  if (klass->request_guest_size != NULL)
    klass->request_guest_size (self, width, height);
}

void
lodge_display_source_set_clipboard (LodgeDisplaySource *self,
                                    GdkClipboard       *clipboard)
{
  LodgeDisplaySourceClass *klass;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  g_return_if_fail (clipboard == NULL || GDK_IS_CLIPBOARD (clipboard));
  klass = LODGE_DISPLAY_SOURCE_GET_CLASS (self);
  if (klass->set_clipboard != NULL)
    klass->set_clipboard (self, clipboard);
}

/* For subclasses */

void
lodge_display_source_set_state (LodgeDisplaySource *self,
                                LodgeDisplayState   state,
                                const GError       *error)
{
  LodgeDisplaySourcePrivate *priv;
  const char *old_reason;
  const char *new_reason;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  priv = lodge_display_source_get_instance_private (self);

  if (state != LODGE_DISPLAY_STATE_DISCONNECTED)
    error = NULL;
  old_reason = priv->disconnect_error != NULL ? priv->disconnect_error->message : NULL;
  new_reason = error != NULL ? error->message : NULL;
  if (g_strcmp0 (old_reason, new_reason) != 0 ||
      (priv->disconnect_error != NULL && error != NULL &&
       !g_error_matches (priv->disconnect_error, error->domain, error->code)))
    {
      g_clear_error (&priv->disconnect_error);
      priv->disconnect_error = error != NULL ? g_error_copy (error) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCONNECT_ERROR]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCONNECT_REASON]);
    }
  if (state != priv->state)
    {
      priv->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

void
lodge_display_source_set_cursor (LodgeDisplaySource *self,
                                 GdkCursor          *cursor,
                                 gboolean            visible)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  priv = lodge_display_source_get_instance_private (self);

  if (g_set_object (&priv->cursor, cursor))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR]);
  visible = !!visible;
  if (visible != priv->cursor_visible)
    {
      priv->cursor_visible = visible;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR_VISIBLE]);
    }
}

void
lodge_display_source_set_server_mouse (LodgeDisplaySource *self,
                                       gboolean            server_mouse)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  priv = lodge_display_source_get_instance_private (self);

  server_mouse = !!server_mouse;
  if (server_mouse == priv->server_mouse)
    return;
  priv->server_mouse = server_mouse;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_MOUSE]);
}

void
lodge_display_source_set_capabilities (LodgeDisplaySource       *self,
                                       LodgeDisplayCapabilities  capabilities)
{
  LodgeDisplaySourcePrivate *priv;

  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  priv = lodge_display_source_get_instance_private (self);

  if (capabilities == priv->capabilities)
    return;
  priv->capabilities = capabilities;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPABILITIES]);
}

void
lodge_display_source_request_fd (LodgeDisplaySource *self,
                                 guint               request_id,
                                 int                 channel_type)
{
  g_return_if_fail (LODGE_IS_DISPLAY_SOURCE (self));
  g_signal_emit (self, signals[OPEN_FD], 0, request_id, channel_type);
}
