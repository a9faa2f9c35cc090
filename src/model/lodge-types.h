/* lodge-types.h: forward declarations and enums of the model layer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _LodgeConnection  LodgeConnection;
typedef struct _LodgeMachine     LodgeMachine;
typedef struct _LodgeMachineList LodgeMachineList;
typedef struct _LodgeAuthRequest LodgeAuthRequest;

/* Mirrors virDomainState, plus UNKNOWN for a machine whose state has not
 * been read yet. Values are stable: they are used as sort keys. */
typedef enum
{
  LODGE_MACHINE_STATE_UNKNOWN = 0,
  LODGE_MACHINE_STATE_RUNNING,
  LODGE_MACHINE_STATE_BLOCKED,
  LODGE_MACHINE_STATE_PAUSED,
  LODGE_MACHINE_STATE_SHUTTING_DOWN,
  LODGE_MACHINE_STATE_SHUT_OFF,
  LODGE_MACHINE_STATE_CRASHED,
  LODGE_MACHINE_STATE_SUSPENDED,   /* pmsuspended by the guest */
  LODGE_MACHINE_STATE_SAVED,       /* shut off with a managed save image */
} LodgeMachineState;

typedef enum
{
  LODGE_CONNECTION_STATE_DISCONNECTED = 0, /* never opened, or closed on purpose */
  LODGE_CONNECTION_STATE_CONNECTING,       /* first open in progress */
  LODGE_CONNECTION_STATE_CONNECTED,
  LODGE_CONNECTION_STATE_RECONNECTING,     /* lost; retrying with back-off */
  LODGE_CONNECTION_STATE_FAILED,           /* first open failed; see the error */
} LodgeConnectionState;

/* A machine's display (see lodge-machine-graphics.h). */
typedef enum
{
  LODGE_GRAPHICS_PROTOCOL_SPICE,
  LODGE_GRAPHICS_PROTOCOL_VNC,
} LodgeGraphicsProtocol;

/* Where the machine's host lets clients in. */
typedef enum
{
  LODGE_GRAPHICS_LISTEN_NONE,      /* nowhere: only through libvirt, on that host */
  LODGE_GRAPHICS_LISTEN_SOCKET,    /* a unix socket on the machine's host */
  LODGE_GRAPHICS_LISTEN_ADDRESS,   /* TCP on an address of the machine's host */
} LodgeGraphicsListen;

/* How a client on this computer gets there. */
typedef enum
{
  LODGE_GRAPHICS_ROUTE_LIBVIRT,    /* each channel a socket from libvirt (local QEMU) */
  LODGE_GRAPHICS_ROUTE_DIRECT,     /* the client connects to the address or socket itself */
  LODGE_GRAPHICS_ROUTE_SSH,        /* each channel through an SSH tunnel to the host */
} LodgeGraphicsRoute;

#define LODGE_MODEL_ERROR (lodge_model_error_quark ())

typedef enum
{
  LODGE_MODEL_ERROR_FAILED,
  LODGE_MODEL_ERROR_NOT_CONNECTED,
  LODGE_MODEL_ERROR_INVALID_STATE,     /* the action does not apply to the machine's state */
  LODGE_MODEL_ERROR_AUTH_CANCELLED,
  LODGE_MODEL_ERROR_NOT_FOUND,
  LODGE_MODEL_ERROR_INVALID_ARGUMENT,
  LODGE_MODEL_ERROR_LIBVIRT,           /* message is libvirt's own */
  LODGE_MODEL_ERROR_NOT_SUPPORTED,     /* cannot be done for this machine from here */
  LODGE_MODEL_ERROR_TIMED_OUT,
} LodgeModelError;

GQuark lodge_model_error_quark (void);

const char *lodge_machine_state_to_string (LodgeMachineState state);

G_END_DECLS
