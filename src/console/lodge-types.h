/* lodge-types.h: forward declarations and enums of the console layer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _LodgeDisplay LodgeDisplay;
typedef struct _LodgeDisplayEndpoint LodgeDisplayEndpoint;
typedef struct _LodgeDisplaySource LodgeDisplaySource;
typedef struct _LodgeFramebuffer LodgeFramebuffer;
typedef struct _LodgeSpiceSession LodgeSpiceSession;
typedef struct _LodgeVncSession LodgeVncSession;

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

/**
 * LodgeDisplayProtocol:
 * @LODGE_DISPLAY_PROTOCOL_SPICE: SPICE
 * @LODGE_DISPLAY_PROTOCOL_VNC: VNC (RFB)
 *
 * The same order as the model's LodgeGraphicsProtocol.
 */
typedef enum
{
  LODGE_DISPLAY_PROTOCOL_SPICE,
  LODGE_DISPLAY_PROTOCOL_VNC,
} LodgeDisplayProtocol;

/**
 * LodgeDisplayToggle:
 * @LODGE_DISPLAY_TOGGLE_UNSET: not given: the application's default applies
 * @LODGE_DISPLAY_TOGGLE_OFF: given as 0 or false
 * @LODGE_DISPLAY_TOGGLE_ON: given as 1 or true
 *
 * An on/off option of a connection file, which may also be absent.
 */
typedef enum
{
  LODGE_DISPLAY_TOGGLE_UNSET,
  LODGE_DISPLAY_TOGGLE_OFF,
  LODGE_DISPLAY_TOGGLE_ON,
} LodgeDisplayToggle;

/**
 * LodgeDisplayCapabilities:
 * @LODGE_DISPLAY_CAPABILITY_AGENT: a guest agent answers (SPICE vdagent)
 * @LODGE_DISPLAY_CAPABILITY_CLIPBOARD: the clipboard can be shared
 * @LODGE_DISPLAY_CAPABILITY_FILE_COPY: files can be copied into the guest
 * @LODGE_DISPLAY_CAPABILITY_AUDIO: the guest's sound plays here
 * @LODGE_DISPLAY_CAPABILITY_GUEST_RESIZE: the guest's resolution follows
 *   lodge_display_source_request_guest_size()
 *
 * What the guest side of a display source offers now.
 */
typedef enum /*< flags >*/
{
  LODGE_DISPLAY_CAPABILITY_NONE = 0,
  LODGE_DISPLAY_CAPABILITY_AGENT = 1 << 0,
  LODGE_DISPLAY_CAPABILITY_CLIPBOARD = 1 << 1,
  LODGE_DISPLAY_CAPABILITY_FILE_COPY = 1 << 2,
  LODGE_DISPLAY_CAPABILITY_AUDIO = 1 << 3,
  LODGE_DISPLAY_CAPABILITY_GUEST_RESIZE = 1 << 4,
} LodgeDisplayCapabilities;

#define LODGE_CONSOLE_ERROR (lodge_console_error_quark ())

/**
 * LodgeConsoleError:
 * @LODGE_CONSOLE_ERROR_FAILED: anything else
 * @LODGE_CONSOLE_ERROR_INVALID_ADDRESS: empty, or not a URI
 * @LODGE_CONSOLE_ERROR_UNKNOWN_PROTOCOL: a URI scheme or a .vv type Lodge
 *   does not speak
 * @LODGE_CONSOLE_ERROR_MISSING_HOST: no host name where one is needed
 * @LODGE_CONSOLE_ERROR_INVALID_PORT: a port missing, not a number, or out
 *   of range
 * @LODGE_CONSOLE_ERROR_INVALID_SOCKET: a unix socket path that is not
 *   absolute
 * @LODGE_CONSOLE_ERROR_INVALID_FILE: a connection file that cannot be read
 *   as one: not a key file, no [virt-viewer] group, a bad value
 * @LODGE_CONSOLE_ERROR_CONNECTION_FAILED: the server could not be reached
 *   (refused, unreachable, no such socket)
 * @LODGE_CONSOLE_ERROR_AUTH_FAILED: the server refused the password
 * @LODGE_CONSOLE_ERROR_AUTH_UNSUPPORTED: the server asks for an
 *   authentication Lodge does not speak
 * @LODGE_CONSOLE_ERROR_CLOSED: the connection ended from the other side
 */
typedef enum
{
  LODGE_CONSOLE_ERROR_FAILED,
  LODGE_CONSOLE_ERROR_INVALID_ADDRESS,
  LODGE_CONSOLE_ERROR_UNKNOWN_PROTOCOL,
  LODGE_CONSOLE_ERROR_MISSING_HOST,
  LODGE_CONSOLE_ERROR_INVALID_PORT,
  LODGE_CONSOLE_ERROR_INVALID_SOCKET,
  LODGE_CONSOLE_ERROR_INVALID_FILE,
  LODGE_CONSOLE_ERROR_CONNECTION_FAILED,
  LODGE_CONSOLE_ERROR_AUTH_FAILED,
  LODGE_CONSOLE_ERROR_AUTH_UNSUPPORTED,
  LODGE_CONSOLE_ERROR_CLOSED,
} LodgeConsoleError;

GQuark lodge_console_error_quark (void);

G_END_DECLS
