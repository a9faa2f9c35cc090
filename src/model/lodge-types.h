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
typedef struct _LodgeHost        LodgeHost;
typedef struct _LodgeHostList    LodgeHostList;
typedef struct _LodgePendingCleanup   LodgePendingCleanup;
typedef struct _LodgeThrowawayWatcher LodgeThrowawayWatcher;
typedef struct _LodgeStorage          LodgeStorage;
typedef struct _LodgeStoragePool      LodgeStoragePool;
typedef struct _LodgeStorageVolume    LodgeStorageVolume;
typedef struct _LodgeNetworks         LodgeNetworks;
typedef struct _LodgeNetwork          LodgeNetwork;
typedef struct _LodgeHostInterface    LodgeHostInterface;

/* Lodge's own directory storage pool on every host: new machines' disks,
 * throwaway overlays and express-install images go there. */
#define LODGE_POOL_NAME "lodge"
/* The end of the name of the express-install image a creation attaches as
 * a CD-ROM ("<machine name>-unattended.iso" in Lodge's pool): it holds the
 * user's password, so it goes with the machine's disks. */
#define LODGE_UNATTENDED_IMAGE_SUFFIX "-unattended.iso"
typedef struct _LodgeMigration   LodgeMigration;

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

/* What a credential question (LodgeAuthRequest) asks for. */
typedef enum
{
  LODGE_AUTH_KIND_OTHER = 0,    /* a question Lodge does not know: the prompt says */
  LODGE_AUTH_KIND_HOST_KEY,     /* accept or refuse a host key Lodge has not seen */
  LODGE_AUTH_KIND_PASSWORD,     /* a user's password on the host */
  LODGE_AUTH_KIND_PASSPHRASE,   /* the passphrase of a private key */
  LODGE_AUTH_KIND_USERNAME,
} LodgeAuthKind;

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

/* Mirrors virStoragePoolState. */
typedef enum
{
  LODGE_STORAGE_POOL_STATE_INACTIVE = 0,
  LODGE_STORAGE_POOL_STATE_BUILDING,
  LODGE_STORAGE_POOL_STATE_RUNNING,
  LODGE_STORAGE_POOL_STATE_DEGRADED,     /* running, with degraded performance */
  LODGE_STORAGE_POOL_STATE_INACCESSIBLE, /* running, but cannot be reached */
} LodgeStoragePoolState;

/* What lodge_networks_run_action_async() does to a virtual network. */
typedef enum
{
  LODGE_NETWORK_ACTION_START,
  LODGE_NETWORK_ACTION_STOP,
  LODGE_NETWORK_ACTION_AUTOSTART_ON,
  LODGE_NETWORK_ACTION_AUTOSTART_OFF,
  LODGE_NETWORK_ACTION_DELETE,        /* stops it first when it runs */
} LodgeNetworkAction;

/* What lodge_storage_pool_run_action_async() does. */
typedef enum
{
  LODGE_STORAGE_POOL_ACTION_START,          /* builds a directory pool's missing folder first */
  LODGE_STORAGE_POOL_ACTION_STOP,
  LODGE_STORAGE_POOL_ACTION_REFRESH,        /* reads files added behind libvirt's back */
  LODGE_STORAGE_POOL_ACTION_AUTOSTART_ON,
  LODGE_STORAGE_POOL_ACTION_AUTOSTART_OFF,
} LodgeStoragePoolAction;

/* How much of a new volume's space is taken when it is made. */
typedef enum
{
  LODGE_STORAGE_ALLOCATION_NONE,      /* thin: space taken as it is written */
  LODGE_STORAGE_ALLOCATION_METADATA,  /* qcow2 only: its tables, not the data */
  LODGE_STORAGE_ALLOCATION_FULL,      /* all of it, now */
} LodgeStorageAllocation;

/* Progress of a long action (bytes done of total; total 0 when unknown),
 * called on the thread that began it, at most about ten times a second and
 * always before the action's callback. */
typedef void (*LodgeStorageProgressFunc) (guint64  done,
                                          guint64  total,
                                          gpointer user_data);

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
  LODGE_MODEL_ERROR_AUTH_FAILED,       /* the host refused the credentials */
  LODGE_MODEL_ERROR_NOT_SUPPORTED,     /* the host's driver, or Lodge, cannot do that (yet) */
  LODGE_MODEL_ERROR_INCOMPATIBLE,      /* the other host cannot run the machine */
  LODGE_MODEL_ERROR_HOST_KEY_REFUSED,  /* the host's key was refused, or does not match */
  LODGE_MODEL_ERROR_TIMED_OUT,
  LODGE_MODEL_ERROR_BUSY,              /* another client holds it (a console) */
} LodgeModelError;

/* Where a migration (lodge-migration.h) is. */
typedef enum
{
  LODGE_MIGRATION_PHASE_NONE = 0,  /* not started */
  LODGE_MIGRATION_PHASE_SETUP,     /* checks, connecting, starting the destination */
  LODGE_MIGRATION_PHASE_DISKS,     /* copying disks (copy storage) */
  LODGE_MIGRATION_PHASE_MEMORY,    /* copying memory while the machine runs */
  LODGE_MIGRATION_PHASE_POST_COPY, /* runs on the destination, memory follows */
  LODGE_MIGRATION_PHASE_FINISHING, /* paused for the switch-over, or cleaning up */
  LODGE_MIGRATION_PHASE_DONE,
  LODGE_MIGRATION_PHASE_CANCELLED,
  LODGE_MIGRATION_PHASE_FAILED,
} LodgeMigrationPhase;

typedef enum
{
  LODGE_MIGRATION_STORAGE_SHARED = 0, /* no disk is copied: the destination reaches them */
  LODGE_MIGRATION_STORAGE_COPY_ALL,   /* disks the destination lacks are copied in full */
} LodgeMigrationStorage;

GQuark lodge_model_error_quark (void);

const char *lodge_machine_state_to_string (LodgeMachineState state);

/* From a worker thread: @func runs once, on the thread that iterates
 * @context, at default priority; @destroy frees @data afterwards.  Unlike
 * g_main_context_invoke(), never on the calling thread, even when no
 * thread owns @context at that moment (a test between two iterations). */
void        lodge_main_context_post       (GMainContext   *context,
                                           const char     *name,
                                           GSourceFunc     func,
                                           gpointer        data,
                                           GDestroyNotify  destroy);

G_END_DECLS
