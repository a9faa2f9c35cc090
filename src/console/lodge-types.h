/* lodge-types.h: forward declarations and enums of the console layer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _LodgeDisplay LodgeDisplay;
typedef struct _LodgeFramebuffer LodgeFramebuffer;
typedef struct _LodgeSpiceSession LodgeSpiceSession;

/**
 * LodgeDisplayState:
 * @LODGE_DISPLAY_STATE_DISCONNECTED: not connected (initially, or after a
 *   disconnection: see the disconnect-reason property)
 * @LODGE_DISPLAY_STATE_CONNECTING: connecting
 * @LODGE_DISPLAY_STATE_CONNECTED: the main channel is up
 */
typedef enum
{
  LODGE_DISPLAY_STATE_DISCONNECTED,
  LODGE_DISPLAY_STATE_CONNECTING,
  LODGE_DISPLAY_STATE_CONNECTED,
} LodgeDisplayState;

/**
 * LodgeDisplayScaling:
 * @LODGE_DISPLAY_SCALING_FIT: scale to the widget, aspect ratio kept
 * @LODGE_DISPLAY_SCALING_ONE_TO_ONE: one guest pixel per device pixel
 * @LODGE_DISPLAY_SCALING_ZOOM: the zoom property times one-to-one
 */
typedef enum
{
  LODGE_DISPLAY_SCALING_FIT,
  LODGE_DISPLAY_SCALING_ONE_TO_ONE,
  LODGE_DISPLAY_SCALING_ZOOM,
} LodgeDisplayScaling;

/**
 * LodgeSendKey:
 * Key combinations of the send-key menu.
 */
typedef enum
{
  LODGE_SEND_KEY_CTRL_ALT_DEL,
  LODGE_SEND_KEY_CTRL_ALT_BACKSPACE,
  LODGE_SEND_KEY_CTRL_ALT_F1,
  LODGE_SEND_KEY_CTRL_ALT_F2,
  LODGE_SEND_KEY_CTRL_ALT_F3,
  LODGE_SEND_KEY_CTRL_ALT_F4,
  LODGE_SEND_KEY_CTRL_ALT_F5,
  LODGE_SEND_KEY_CTRL_ALT_F6,
  LODGE_SEND_KEY_CTRL_ALT_F7,
  LODGE_SEND_KEY_CTRL_ALT_F8,
  LODGE_SEND_KEY_CTRL_ALT_F9,
  LODGE_SEND_KEY_CTRL_ALT_F10,
  LODGE_SEND_KEY_CTRL_ALT_F11,
  LODGE_SEND_KEY_CTRL_ALT_F12,
  LODGE_SEND_KEY_PRINT_SCREEN,
  LODGE_SEND_KEY_SYSRQ,
} LodgeSendKey;

/**
 * LodgeFramebufferFormat:
 * Pixel formats of a guest surface (little-endian words).
 */
typedef enum
{
  LODGE_FRAMEBUFFER_FORMAT_XRGB8888,
  LODGE_FRAMEBUFFER_FORMAT_RGB565,
  LODGE_FRAMEBUFFER_FORMAT_XRGB1555,
} LodgeFramebufferFormat;

G_END_DECLS
