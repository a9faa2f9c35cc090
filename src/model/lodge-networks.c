/* lodge-networks.c: a host's virtual networks and interfaces, kept current
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Networks are few: every change (a network's event, a machine's, the
 * connection made) reads them all again on a worker, one read at a time;
 * a change during a read asks for one more once it is done.
 */
#define G_LOG_DOMAIN "lodge-networks"

#include "config.h"

#include <string.h>

#include "model/lodge-libvirt.h"
#include "model/lodge-model-private.h"
#include "model/lodge-network-private.h"

/* How long closing waits for the calls in flight on its connection (see
 * lodge-libvirt.h). */
#define CLOSE_WAIT_MS 30000

/* One virConnectPtr with the network and domain events registered on it.
 * libvirt's callbacks hold references to the session, never to the
 * LodgeNetworks: once detached (owner == NULL, on the main thread) they do
 * nothing, and a worker deregisters them before dropping the connection. */
typedef struct
{
  gatomicrefcount  ref;
  virConnectPtr    conn;           /* closed on a worker by session_close() */
  LodgeNetworks   *owner;          /* main thread; NULL once detached */
  int              network_id;     /* written by the first read, read by the closing worker */
  int              domain_id;
  gboolean         registering;    /* main thread: the first read (which registers) runs */
} Session;

struct _LodgeNetworks
{
  GObject          parent_instance;

  LodgeConnection *connection;     /* weak: its host owns us */
  gboolean         local;
  gulong           state_id;
  Session         *session;        /* NULL while not connected */
  gboolean         reading;        /* a read of this session runs */
  gboolean         read_again;     /* something changed meanwhile */

  GPtrArray       *networks;       /* LodgeNetwork, by name */
  GListStore      *interfaces;     /* LodgeHostInterface, by name */
  char            *interfaces_source;
  GArray          *routes;         /* LodgeIpv4Subnet: this computer's, when local */

  gboolean         loaded;
  GError          *error;
};

static void lodge_networks_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LodgeNetworks, lodge_networks, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lodge_networks_list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_LOADED,
  PROP_ERROR,
  PROP_INTERFACES_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lodge_networks_read (LodgeNetworks *self,
                                 gboolean       first);

/* Reading (worker threads) --------------------------------------------------- */

typedef struct
{
  GPtrArray *networks;           /* LodgeNetworkData, by name */
  GPtrArray *interfaces;         /* LodgeHostInterfaceData, by name */
  char      *interfaces_source;  /* "libvirt", "sysfs" or NULL */
  GArray    *routes;             /* LodgeIpv4Subnet: a local host's, or NULL */
} Listing;

static void
listing_free (Listing *listing)
{
  g_clear_pointer (&listing->networks, g_ptr_array_unref);
  g_clear_pointer (&listing->interfaces, g_ptr_array_unref);
  g_free (listing->interfaces_source);
  g_clear_pointer (&listing->routes, g_array_unref);
  g_free (listing);
}

/* Which machines use which network: name → GPtrArray of machine names,
 * and the same for the running ones. */
typedef struct
{
  GHashTable *all;
  GHashTable *running;
} Attachments;

static void
attachments_clear (Attachments *attachments)
{
  g_clear_pointer (&attachments->all, g_hash_table_unref);
  g_clear_pointer (&attachments->running, g_hash_table_unref);
}

static void
attachments_add (GHashTable *table,
                 const char *network,
                 const char *machine)
{
  GPtrArray *names = g_hash_table_lookup (table, network);

  if (names == NULL)
    {
      names = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (table, g_strdup (network), names);
    }
  g_ptr_array_add (names, g_strdup (machine));
}

static GStrv
attachments_get (GHashTable *table,
                 const char *network)
{
  GPtrArray *names = g_hash_table_lookup (table, network);
  GStrv strv = g_new0 (char *, (names != NULL ? names->len : 0) + 1);

  for (guint i = 0; names != NULL && i < names->len; i++)
    strv[i] = g_strdup (g_ptr_array_index (names, i));
  return strv;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* Reads every domain's definition (the live one of a running domain).
 * FALSE with @error set when the domains cannot be listed. */
static gboolean
attachments_read (virConnectPtr   conn,
                  Attachments    *attachments,
                  GError        **error)
{
  virDomainPtr *domains = NULL;
  int n = virConnectListAllDomains (conn, &domains, 0);
  GHashTableIter iter;
  gpointer value;

  if (n < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not list the machines"));
      return FALSE;
    }
  attachments->all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
  attachments->running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
  for (int i = 0; i < n; i++)
    {
      char *xml = virDomainGetXMLDesc (domains[i], 0);
      gboolean running = virDomainIsActive (domains[i]) == 1;
      const char *name = virDomainGetName (domains[i]);
      g_auto(GStrv) networks = NULL;

      /* One that vanished meanwhile uses nothing. */
      if (xml != NULL)
        networks = lodge_network_parse_domain_networks (xml);
      for (guint j = 0; networks != NULL && networks[j] != NULL; j++)
        {
          attachments_add (attachments->all, networks[j], name);
          if (running)
            attachments_add (attachments->running, networks[j], name);
        }
      free (xml);
      virDomainFree (domains[i]);
    }
  free (domains);
  virResetLastError ();

  g_hash_table_iter_init (&iter, attachments->all);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_sort (value, compare_strings);
  g_hash_table_iter_init (&iter, attachments->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_sort (value, compare_strings);
  return TRUE;
}

/* NULL with *error unset: the network vanished (skipped). */
static LodgeNetworkData *
network_data_read (virNetworkPtr   network,
                   GError        **error)
{
  g_autoptr(LodgeNetworkData) data = g_new0 (LodgeNetworkData, 1);
  char uuid[VIR_UUID_STRING_BUFLEN];
  int active, persistent, autostart = 0;
  char *xml;

  if (virNetworkGetUUIDString (network, uuid) < 0 ||
      (active = virNetworkIsActive (network)) < 0 ||
      (persistent = virNetworkIsPersistent (network)) < 0 ||
      virNetworkGetAutostart (network, &autostart) < 0 ||
      (xml = virNetworkGetXMLDesc (network, 0)) == NULL)
    {
      g_autoptr(GError) local = NULL;

      lodge_model_set_error_from_virt (&local, _("Could not read a network"));
      if (!g_error_matches (local, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  data->uuid = g_strdup (uuid);
  data->name = g_strdup (virNetworkGetName (network));
  data->active = active == 1;
  data->persistent = persistent == 1;
  data->autostart = autostart != 0;
  if (!lodge_network_parse_xml (xml, data))
    g_debug ("Network %s: malformed XML", data->name);
  free (xml);
  return g_steal_pointer (&data);
}

static int
compare_network_data (gconstpointer a,
                      gconstpointer b)
{
  const LodgeNetworkData *na = *(LodgeNetworkData **) a;
  const LodgeNetworkData *nb = *(LodgeNetworkData **) b;

  return g_strcmp0 (na->name, nb->name);
}

/* Every network, without attachments; NULL with @error set on failure. */
static GPtrArray *
networks_read (virConnectPtr   conn,
               GError        **error)
{
  g_autoptr(GPtrArray) datas = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_network_data_free);
  virNetworkPtr *networks = NULL;
  g_autoptr(GError) local = NULL;
  int n = virConnectListAllNetworks (conn, &networks, 0);

  if (n < 0)
    {
      lodge_model_set_error_from_virt_prefixed (error, _("Could not list the networks"));
      return NULL;
    }
  for (int i = 0; i < n; i++)
    {
      LodgeNetworkData *data = local == NULL ? network_data_read (networks[i], &local) : NULL;

      if (data != NULL)
        g_ptr_array_add (datas, data);
      virNetworkFree (networks[i]);
    }
  free (networks);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  g_ptr_array_sort (datas, compare_network_data);
  return g_steal_pointer (&datas);
}

static int
compare_interface_data (gconstpointer a,
                        gconstpointer b)
{
  const LodgeHostInterfaceData *ia = *(LodgeHostInterfaceData **) a;
  const LodgeHostInterfaceData *ib = *(LodgeHostInterfaceData **) b;

  return g_strcmp0 (ia->name, ib->name);
}

static char *
read_sys_file (const char *root,
               const char *name,
               const char *file)
{
  g_autofree char *path = g_build_filename (root, name, file, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

GPtrArray *
lodge_network_read_sysfs_interfaces (const char *root)
{
  GPtrArray *datas = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_host_interface_data_free);
  g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *device = g_build_filename (root, name, "device", NULL);
      g_autofree char *state = NULL;
      LodgeHostInterfaceData *data;

      /* Physical: a device behind it (bridges, tunnels, loopback have none). */
      if (!g_file_test (device, G_FILE_TEST_EXISTS))
        continue;
      data = g_new0 (LodgeHostInterfaceData, 1);
      data->name = g_strdup (name);
      data->mac = read_sys_file (root, name, "address");
      state = read_sys_file (root, name, "operstate");
      data->active = g_strcmp0 (state, "up") == 0;
      g_ptr_array_add (datas, data);
    }
  g_ptr_array_sort (datas, compare_interface_data);
  return datas;
}

/* libvirt's interfaces (all but loopback), or NULL when it has no
 * interface driver. */
static GPtrArray *
interfaces_read_libvirt (virConnectPtr conn)
{
  GPtrArray *datas;
  virInterfacePtr *interfaces = NULL;
  int n = virConnectListAllInterfaces (conn, &interfaces, 0);

  if (n < 0)
    {
      g_autoptr(GError) error = NULL;

      lodge_model_set_error_from_virt (&error, NULL);
      g_debug ("No interfaces from libvirt: %s", error->message);
      return NULL;
    }
  datas = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_host_interface_data_free);
  for (int i = 0; i < n; i++)
    {
      const char *name = virInterfaceGetName (interfaces[i]);

      if (name != NULL && g_strcmp0 (name, "lo") != 0)
        {
          LodgeHostInterfaceData *data = g_new0 (LodgeHostInterfaceData, 1);

          data->name = g_strdup (name);
          data->mac = g_strdup (virInterfaceGetMACString (interfaces[i]));
          data->active = virInterfaceIsActive (interfaces[i]) == 1;
          g_ptr_array_add (datas, data);
        }
      virInterfaceFree (interfaces[i]);
    }
  free (interfaces);
  virResetLastError ();
  return datas;
}

typedef struct
{
  Session       *session;
  virConnectPtr  conn;
  gboolean       first;   /* registers the events */
  gboolean       local;
} Read;

static void session_unref_cb (void *opaque);

static void
read_free (Read *read)
{
  g_assert (read->conn == NULL); /* closed on the worker */
  session_unref_cb (read->session);
  g_free (read);
}

static Session *session_ref (Session *session);
static void lodge_networks_network_lifecycle_cb (virConnectPtr, virNetworkPtr, int, int, void *);
static void lodge_networks_domain_lifecycle_cb (virConnectPtr, virDomainPtr, int, int, void *);

static void
lodge_networks_read_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  Read *read = task_data;
  Session *session = read->session;
  Listing *listing;
  Attachments attachments = { NULL, };
  g_autoptr(GPtrArray) networks = NULL;
  g_autoptr(GError) error = NULL;

  if (read->first)
    {
      /* Registered before listing: a change made meanwhile reads again. */
      session->network_id =
        virConnectNetworkEventRegisterAny (read->conn, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                           VIR_NETWORK_EVENT_CALLBACK (lodge_networks_network_lifecycle_cb),
                                           session_ref (session), session_unref_cb);
      if (session->network_id < 0)
        session_unref_cb (session);
      session->domain_id =
        virConnectDomainEventRegisterAny (read->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK (lodge_networks_domain_lifecycle_cb),
                                          session_ref (session), session_unref_cb);
      if (session->domain_id < 0)
        session_unref_cb (session);
      if (session->network_id < 0 || session->domain_id < 0)
        {
          /* Listed once, not kept current (a driver without events). */
          lodge_model_set_error_from_virt (&error, NULL);
          g_debug ("Could not follow the networks: %s", error->message);
          g_clear_error (&error);
        }
    }

  networks = networks_read (read->conn, &error);
  if (networks == NULL || !attachments_read (read->conn, &attachments, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < networks->len; i++)
    {
      LodgeNetworkData *data = g_ptr_array_index (networks, i);

      data->machines = attachments_get (attachments.all, data->name);
      data->running_machines = attachments_get (attachments.running, data->name);
    }
  attachments_clear (&attachments);

  listing = g_new0 (Listing, 1);
  listing->networks = g_steal_pointer (&networks);
  listing->interfaces = interfaces_read_libvirt (read->conn);
  if (listing->interfaces != NULL)
    listing->interfaces_source = g_strdup ("libvirt");
  else if (read->local)
    {
      listing->interfaces = lodge_network_read_sysfs_interfaces ("/sys/class/net");
      listing->interfaces_source = g_strdup ("sysfs");
    }
  else
    listing->interfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) lodge_host_interface_data_free);
  /* A new network's suggested subnet avoids this computer's routes. */
  if (read->local)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents ("/proc/net/route", &text, NULL, NULL))
        listing->routes = lodge_network_parse_routes (text);
    }
  /* libvirt's udev backend lists the networks' own bridges too: they are
   * the networks, not the host's interfaces. */
  for (guint i = listing->interfaces->len; i > 0; i--)
    {
      LodgeHostInterfaceData *iface = g_ptr_array_index (listing->interfaces, i - 1);

      for (guint j = 0; j < listing->networks->len; j++)
        if (g_strcmp0 (((LodgeNetworkData *) g_ptr_array_index (listing->networks, j))->bridge, iface->name) == 0)
          {
            g_ptr_array_remove_index (listing->interfaces, i - 1);
            break;
          }
    }
  g_ptr_array_sort (listing->interfaces, compare_interface_data);
  g_task_return_pointer (task, listing, (GDestroyNotify) listing_free);
}

/* Sessions ------------------------------------------------------------------ */

static Session *
session_new (virConnectPtr  conn,
             LodgeNetworks *owner)
{
  Session *session = g_new0 (Session, 1);

  g_atomic_ref_count_init (&session->ref);
  session->conn = conn;
  session->owner = owner;
  session->network_id = -1;
  session->domain_id = -1;
  return session;
}

static Session *
session_ref (Session *session)
{
  g_atomic_ref_count_inc (&session->ref);
  return session;
}

static void
session_unref_cb (void *opaque)
{
  Session *session = opaque;

  if (g_atomic_ref_count_dec (&session->ref))
    g_free (session);
}

/* Main thread, once the first read (which registers) has ended. */
static void
session_close (Session *session)
{
  const LodgeVirtEventId ids[] = {
    { LODGE_VIRT_EVENT_NETWORK, session->network_id },
    { LODGE_VIRT_EVENT_DOMAIN, session->domain_id },
  };

  if (session->conn == NULL)
    return;
  lodge_virt_close_events_in_thread (g_steal_pointer (&session->conn), ids, G_N_ELEMENTS (ids),
                                     CLOSE_WAIT_MS);
  session->network_id = session->domain_id = -1;
}

/* Main thread: the session stops feeding its owner. It is closed once its
 * first read, which registers the events, has ended. */
static void
session_detach (Session *session)
{
  session->owner = NULL;
  if (!session->registering)
    session_close (session);
  session_unref_cb (session);
}

/* Events (main thread, through gvir_event_register) ---------------------- */

static void
session_changed (Session *session)
{
  if (session->owner != NULL && session->owner->session == session)
    lodge_networks_read (session->owner, FALSE);
}

static void
lodge_networks_network_lifecycle_cb (virConnectPtr  conn,
                                     virNetworkPtr  network,
                                     int            event,
                                     int            detail,
                                     void          *opaque)
{
  /* Defined, undefined, started, stopped: all is read again. */
  session_changed (opaque);
}

static void
lodge_networks_domain_lifecycle_cb (virConnectPtr  conn,
                                    virDomainPtr   domain,
                                    int            event,
                                    int            detail,
                                    void          *opaque)
{
  /* A machine defined, changed, started or stopped: which networks
   * serve which machines may have changed. */
  session_changed (opaque);
}

/* The list ------------------------------------------------------------------ */

static void
lodge_networks_set_loaded (LodgeNetworks *self,
                           gboolean       loaded)
{
  if (self->loaded == loaded)
    return;
  self->loaded = loaded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
lodge_networks_set_error (LodgeNetworks *self,
                          const GError  *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
lodge_networks_items_changed (LodgeNetworks *self,
                              guint          position,
                              guint          removed,
                              guint          added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
lodge_networks_clear (LodgeNetworks *self)
{
  guint n = self->networks->len;

  if (n > 0)
    {
      g_ptr_array_set_size (self->networks, 0);
      lodge_networks_items_changed (self, 0, n, 0);
    }
  g_list_store_remove_all (self->interfaces);
}

static LodgeNetwork *
lodge_networks_lookup_uuid (LodgeNetworks *self,
                            const char    *uuid)
{
  for (guint i = 0; i < self->networks->len; i++)
    if (g_strcmp0 (lodge_network_get_uuid (g_ptr_array_index (self->networks, i)), uuid) == 0)
      return g_ptr_array_index (self->networks, i);
  return NULL;
}

/* A whole listing: the same object for the same uuid (after a
 * reconnection too), updated in place; items-changed only when the list
 * itself changed, as one change. */
static void
lodge_networks_apply (LodgeNetworks *self,
                      Listing       *listing)
{
  g_autoptr(GPtrArray) networks = g_ptr_array_new_full (listing->networks->len, g_object_unref);
  g_autoptr(GPtrArray) interfaces = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_old = self->networks->len;
  gboolean same = n_old == listing->networks->len;

  for (guint i = 0; i < listing->networks->len; i++)
    {
      const LodgeNetworkData *data = g_ptr_array_index (listing->networks, i);
      LodgeNetwork *network = lodge_networks_lookup_uuid (self, data->uuid);

      if (network != NULL)
        {
          lodge_network_update (network, data);
          g_object_ref (network);
        }
      else
        network = lodge_network_new (data);
      same = same && g_ptr_array_index (self->networks, i) == network;
      g_ptr_array_add (networks, network);
    }
  if (!same)
    {
      g_ptr_array_unref (self->networks);
      self->networks = g_steal_pointer (&networks);
      lodge_networks_items_changed (self, 0, n_old, self->networks->len);
    }

  for (guint i = 0; i < listing->interfaces->len; i++)
    g_ptr_array_add (interfaces, lodge_host_interface_new (g_ptr_array_index (listing->interfaces, i)));
  g_list_store_splice (self->interfaces, 0, g_list_model_get_n_items (G_LIST_MODEL (self->interfaces)),
                       interfaces->pdata, interfaces->len);
  g_clear_pointer (&self->routes, g_array_unref);
  self->routes = listing->routes != NULL ? g_array_ref (listing->routes) : NULL;
  if (g_strcmp0 (self->interfaces_source, listing->interfaces_source) != 0)
    {
      g_free (self->interfaces_source);
      self->interfaces_source = g_strdup (listing->interfaces_source);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERFACES_SOURCE]);
    }
}

static void
lodge_networks_read_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  LodgeNetworks *self = LODGE_NETWORKS (object);
  Read *read = g_task_get_task_data (G_TASK (result));
  Session *session = read->session;
  g_autoptr(GError) error = NULL;
  Listing *listing;

  listing = g_task_propagate_pointer (G_TASK (result), &error);
  if (read->first)
    {
      session->registering = FALSE;
      if (session->owner == NULL)
        {
          /* Detached while registering: close it now that its events are known. */
          session_close (session);
          g_clear_pointer (&listing, listing_free);
          return;
        }
    }
  if (session != self->session)
    {
      /* An older connection's. */
      g_clear_pointer (&listing, listing_free);
      return;
    }

  self->reading = FALSE;
  if (listing != NULL)
    {
      lodge_networks_apply (self, listing);
      listing_free (listing);
      lodge_networks_set_error (self, NULL);
      lodge_networks_set_loaded (self, TRUE);
    }
  else
    {
      g_debug ("%s", error->message);
      lodge_networks_set_error (self, error);
    }

  if (self->read_again)
    lodge_networks_read (self, FALSE);
}

static void
lodge_networks_read (LodgeNetworks *self,
                     gboolean       first)
{
  g_autoptr(GTask) task = NULL;
  Read *read;

  g_assert (self->session != NULL);

  if (self->reading)
    {
      /* What this change did may have been read already: read again. */
      self->read_again = TRUE;
      return;
    }
  self->reading = TRUE;
  self->read_again = FALSE;

  read = g_new0 (Read, 1);
  read->session = session_ref (self->session);
  read->conn = self->session->conn;
  virConnectRef (read->conn);
  read->first = first;
  read->local = self->local;
  if (first)
    self->session->registering = TRUE;

  task = g_task_new (self, NULL, lodge_networks_read_cb, NULL);
  g_task_set_source_tag (task, lodge_networks_read);
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);
  lodge_virt_task_run_in_thread (task, lodge_networks_read_thread, &read->conn);
}

static void
lodge_networks_stop (LodgeNetworks *self)
{
  if (self->session != NULL)
    session_detach (g_steal_pointer (&self->session));
  self->reading = FALSE;
  self->read_again = FALSE;
  lodge_networks_set_loaded (self, FALSE);
}

static void
lodge_networks_start (LodgeNetworks *self)
{
  virConnectPtr conn;

  lodge_networks_stop (self);

  conn = lodge_connection_ref_virconnect (self->connection);
  if (conn == NULL)
    return;
  self->session = session_new (conn, self);
  lodge_networks_read (self, TRUE);
}

static void
lodge_networks_connection_notify_state_cb (LodgeNetworks   *self,
                                           GParamSpec      *pspec,
                                           LodgeConnection *connection)
{
  switch (lodge_connection_get_state (connection))
    {
    case LODGE_CONNECTION_STATE_CONNECTED:
      /* A new virConnectPtr (first connection or reconnection). */
      lodge_networks_start (self);
      break;
    case LODGE_CONNECTION_STATE_RECONNECTING:
      /* Lost: the networks stay (stale) until the connection is back. */
      lodge_networks_stop (self);
      break;
    case LODGE_CONNECTION_STATE_DISCONNECTED:
    case LODGE_CONNECTION_STATE_FAILED:
      lodge_networks_stop (self);
      lodge_networks_clear (self);
      break;
    case LODGE_CONNECTION_STATE_CONNECTING:
    default:
      break;
    }
}

/* Actions (worker threads) -------------------------------------------------- */

typedef struct
{
  virConnectPtr       conn;
  gboolean            local;
  char               *uuid;
  LodgeNetworkAction  action;
  gboolean            force;
  /* creation */
  char               *name;
  char               *mode;
  char               *subnet;
  char               *dhcp_start;
  char               *dhcp_end;
  gboolean            autostart;
} Action;

static void
action_free (Action *action)
{
  g_assert (action->conn == NULL); /* closed on the worker */
  g_free (action->uuid);
  g_free (action->name);
  g_free (action->mode);
  g_free (action->subnet);
  g_free (action->dhcp_start);
  g_free (action->dhcp_end);
  g_free (action);
}

/* The running machines that use @network, sorted, or NULL with @error. */
static GStrv
running_machines_read (virConnectPtr   conn,
                       const char     *network,
                       GError        **error)
{
  Attachments attachments = { NULL, };
  GStrv names;

  if (!attachments_read (conn, &attachments, error))
    return NULL;
  names = attachments_get (attachments.running, network);
  attachments_clear (&attachments);
  return names;
}

static void
lodge_networks_action_thread (GTask        *task,
                              gpointer      source_object,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  Action *action = task_data;
  g_autoptr(GError) error = NULL;
  virNetworkPtr network;
  const char *name;
  int ret = 0;

  network = virNetworkLookupByUUIDString (action->conn, action->uuid);
  if (network == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not find the network"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  name = virNetworkGetName (network);

  if (action->action == LODGE_NETWORK_ACTION_DELETE ||
      (action->action == LODGE_NETWORK_ACTION_STOP && !action->force))
    {
      g_auto(GStrv) running = running_machines_read (action->conn, name, &error);

      if (running == NULL)
        goto out;
      if (running[0] != NULL)
        {
          g_autofree char *list = g_strjoinv (", ", running);

          g_set_error (&error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_STATE,
                       action->action == LODGE_NETWORK_ACTION_DELETE
                       /* Translators: %s is a network's name, then machines' names. */
                       ? _("“%s” cannot be deleted while running machines use it: %s")
                       : _("“%s” is used by running machines: %s"),
                       name, list);
          goto out;
        }
    }

  switch (action->action)
    {
    case LODGE_NETWORK_ACTION_START:
      ret = virNetworkCreate (network);
      break;
    case LODGE_NETWORK_ACTION_STOP:
      ret = virNetworkDestroy (network);
      break;
    case LODGE_NETWORK_ACTION_AUTOSTART_ON:
    case LODGE_NETWORK_ACTION_AUTOSTART_OFF:
      ret = virNetworkSetAutostart (network, action->action == LODGE_NETWORK_ACTION_AUTOSTART_ON);
      break;
    case LODGE_NETWORK_ACTION_DELETE:
      if (virNetworkIsActive (network) == 1)
        ret = virNetworkDestroy (network);
      if (ret == 0 && virNetworkIsPersistent (network) == 1)
        ret = virNetworkUndefine (network);
      break;
    default:
      g_assert_not_reached ();
    }
  if (ret < 0)
    {
      const char *what = NULL;

      switch (action->action)
        {
        case LODGE_NETWORK_ACTION_START: what = _("Could not start the network"); break;
        case LODGE_NETWORK_ACTION_STOP: what = _("Could not stop the network"); break;
        case LODGE_NETWORK_ACTION_DELETE: what = _("Could not delete the network"); break;
        default: what = _("Could not change whether the network starts with the host"); break;
        }
      lodge_model_set_error_from_virt_prefixed (&error, what);
    }

out:
  virNetworkFree (network);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Whether @subnet is free: no network of the host and (@local) no route of
 * this machine overlaps it. */
static gboolean
subnet_check_free (virConnectPtr           conn,
                   gboolean                local,
                   const LodgeIpv4Subnet  *subnet,
                   GError                **error)
{
  g_autoptr(GPtrArray) networks = networks_read (conn, error);

  if (networks == NULL)
    return FALSE;
  for (guint i = 0; i < networks->len; i++)
    {
      LodgeNetworkData *data = g_ptr_array_index (networks, i);

      for (guint j = 0; data->subnets != NULL && j < data->subnets->len; j++)
        {
          const LodgeIpv4Subnet *other = &g_array_index (data->subnets, LodgeIpv4Subnet, j);

          if (lodge_network_subnets_overlap (subnet, other))
            {
              g_autofree char *address = lodge_network_format_ipv4 (other->network);

              g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           /* Translators: a network's name, then its subnet. */
                           _("The subnet overlaps that of the network “%s” (%s/%u)"),
                           data->name, address, other->prefix);
              return FALSE;
            }
        }
    }

  if (local)
    {
      g_autofree char *text = NULL;
      g_autoptr(GArray) routes = NULL;

      if (g_file_get_contents ("/proc/net/route", &text, NULL, NULL))
        routes = lodge_network_parse_routes (text);
      for (guint i = 0; routes != NULL && i < routes->len; i++)
        {
          const LodgeIpv4Subnet *route = &g_array_index (routes, LodgeIpv4Subnet, i);

          if (lodge_network_subnets_overlap (subnet, route))
            {
              g_autofree char *address = lodge_network_format_ipv4 (route->network);

              g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                           _("The subnet overlaps %s/%u, which this computer already reaches directly"),
                           address, route->prefix);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static void
lodge_networks_create_thread (GTask        *task,
                              gpointer      source_object,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  Action *action = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  LodgeIpv4Subnet subnet;
  virNetworkPtr network;

  if (!lodge_network_check_name (action->name, &error) ||
      !lodge_network_parse_subnet (action->subnet, &subnet, &error) ||
      ((action->dhcp_start != NULL || action->dhcp_end != NULL) &&
       !lodge_network_check_dhcp_range (&subnet, action->dhcp_start, action->dhcp_end, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  network = virNetworkLookupByName (action->conn, action->name);
  if (network != NULL)
    {
      virNetworkFree (network);
      g_task_return_new_error (task, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                               _("A network named “%s” exists already"), action->name);
      return;
    }
  virResetLastError ();
  if (!subnet_check_free (action->conn, action->local, &subnet, &error) ||
      g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  xml = lodge_network_build_xml (action->name, action->mode, &subnet, action->dhcp_start, action->dhcp_end);
  network = virNetworkDefineXML (action->conn, xml);
  if (network == NULL)
    {
      lodge_model_set_error_from_virt_prefixed (&error, _("Could not define the network"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (virNetworkCreate (network) < 0)
    lodge_model_set_error_from_virt_prefixed (&error, _("Could not start the network"));
  else if (action->autostart && virNetworkSetAutostart (network, 1) < 0)
    lodge_model_set_error_from_virt_prefixed (&error, _("Could not make the network start with the host"));
  if (error != NULL)
    {
      /* Nothing half-made stays behind. */
      if (virNetworkIsActive (network) == 1)
        virNetworkDestroy (network);
      virNetworkUndefine (network);
      virResetLastError ();
      virNetworkFree (network);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  virNetworkFree (network);
  g_task_return_boolean (task, TRUE);
}

/* Main thread: libvirt sends no event for every change (autostart has
 * none): the list is read again before the caller hears of the outcome. */
static void
lodge_networks_action_done_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  LodgeNetworks *self = LODGE_NETWORKS (object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  if (self->session != NULL)
    lodge_networks_read (self, FALSE);
  g_task_return_boolean (outer, TRUE);
}

/* The worker's task for an action whose caller gets @outer; NULL (and
 * @outer answered) when not connected. */
static GTask *
lodge_networks_action_task (LodgeNetworks  *self,
                            GTask          *outer,
                            Action        **action)
{
  GTask *task;

  if (self->session == NULL)
    {
      g_task_return_new_error (outer, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_NOT_CONNECTED,
                               _("The host is not connected"));
      return NULL;
    }
  task = g_task_new (self, g_task_get_cancellable (outer), lodge_networks_action_done_cb,
                     g_object_ref (outer));
  g_task_set_source_tag (task, lodge_networks_action_task);
  *action = g_new0 (Action, 1);
  (*action)->conn = self->session->conn;
  virConnectRef ((*action)->conn);
  (*action)->local = self->local;
  g_task_set_task_data (task, *action, (GDestroyNotify) action_free);
  return task;
}

/* Object -------------------------------------------------------------------- */

static GType
lodge_networks_get_item_type (GListModel *model)
{
  return LODGE_TYPE_NETWORK;
}

static guint
lodge_networks_get_n_items (GListModel *model)
{
  return LODGE_NETWORKS (model)->networks->len;
}

static gpointer
lodge_networks_get_item (GListModel *model,
                         guint       position)
{
  LodgeNetworks *self = LODGE_NETWORKS (model);

  if (position >= self->networks->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->networks, position));
}

static void
lodge_networks_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lodge_networks_get_item_type;
  iface->get_n_items = lodge_networks_get_n_items;
  iface->get_item = lodge_networks_get_item;
}

static void
lodge_networks_dispose (GObject *object)
{
  LodgeNetworks *self = (LodgeNetworks *)object;

  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->state_id, self->connection);
      g_object_remove_weak_pointer (G_OBJECT (self->connection), (gpointer *)&self->connection);
      self->connection = NULL;
    }
  if (self->session != NULL)
    session_detach (g_steal_pointer (&self->session));
  if (self->networks != NULL)
    g_ptr_array_set_size (self->networks, 0);
  g_clear_object (&self->interfaces);

  G_OBJECT_CLASS (lodge_networks_parent_class)->dispose (object);
}

static void
lodge_networks_finalize (GObject *object)
{
  LodgeNetworks *self = (LodgeNetworks *)object;

  g_clear_pointer (&self->networks, g_ptr_array_unref);
  g_free (self->interfaces_source);
  g_clear_pointer (&self->routes, g_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (lodge_networks_parent_class)->finalize (object);
}

static void
lodge_networks_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LodgeNetworks *self = LODGE_NETWORKS (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->networks->len);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_INTERFACES_SOURCE:
      g_value_set_string (value, self->interfaces_source);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_networks_class_init (LodgeNetworksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lodge_networks_dispose;
  object_class->finalize = lodge_networks_finalize;
  object_class->get_property = lodge_networks_get_property;

  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_INTERFACES_SOURCE] = g_param_spec_string ("interfaces-source", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_networks_init (LodgeNetworks *self)
{
  self->networks = g_ptr_array_new_with_free_func (g_object_unref);
  self->interfaces = g_list_store_new (LODGE_TYPE_HOST_INTERFACE);
}

LodgeNetworks *
lodge_networks_new (LodgeConnection *connection,
                    gboolean         local)
{
  LodgeNetworks *self;

  g_return_val_if_fail (LODGE_IS_CONNECTION (connection), NULL);

  self = g_object_new (LODGE_TYPE_NETWORKS, NULL);
  self->connection = connection;
  self->local = local;
  g_object_add_weak_pointer (G_OBJECT (connection), (gpointer *)&self->connection);
  self->state_id =
    g_signal_connect_object (connection, "notify::state",
                             G_CALLBACK (lodge_networks_connection_notify_state_cb),
                             self, G_CONNECT_SWAPPED);

  if (lodge_connection_get_state (connection) == LODGE_CONNECTION_STATE_CONNECTED)
    lodge_networks_start (self);
  return self;
}

gboolean
lodge_networks_get_loaded (LodgeNetworks *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS (self), FALSE);
  return self->loaded;
}

const GError *
lodge_networks_get_error (LodgeNetworks *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS (self), NULL);
  return self->error;
}

LodgeNetwork *
lodge_networks_lookup (LodgeNetworks *self,
                       const char    *name_or_uuid)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);

  for (guint i = 0; i < self->networks->len; i++)
    {
      LodgeNetwork *network = g_ptr_array_index (self->networks, i);

      if (g_strcmp0 (lodge_network_get_name (network), name_or_uuid) == 0 ||
          g_strcmp0 (lodge_network_get_uuid (network), name_or_uuid) == 0)
        return network;
    }
  return NULL;
}

GListModel *
lodge_networks_get_interfaces (LodgeNetworks *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS (self), NULL);
  return G_LIST_MODEL (self->interfaces);
}

const char *
lodge_networks_get_interfaces_source (LodgeNetworks *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS (self), NULL);
  return self->interfaces_source;
}

char *
lodge_networks_suggest_subnet (LodgeNetworks *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORKS (self), NULL);

  /* 192.168.122.0/24 is libvirt's default network's: start above it. */
  for (guint i = 0; i < 256; i++)
    {
      guint third = (123 + i) % 256;
      LodgeIpv4Subnet candidate = { (192u << 24) | (168u << 16) | (third << 8), 24 };
      gboolean taken = FALSE;

      for (guint j = 0; self->routes != NULL && j < self->routes->len && !taken; j++)
        taken = lodge_network_subnets_overlap (&candidate, &g_array_index (self->routes, LodgeIpv4Subnet, j));
      for (guint j = 0; j < self->networks->len && !taken; j++)
        {
          const char * const *addresses = lodge_network_get_addresses (g_ptr_array_index (self->networks, j));

          for (guint k = 0; addresses[k] != NULL && !taken; k++)
            {
              g_auto(GStrv) parts = g_strsplit (addresses[k], "/", 2);
              LodgeIpv4Subnet other;
              guint32 address;

              if (g_strv_length (parts) == 2 && lodge_network_parse_ipv4 (parts[0], &address))
                {
                  other.prefix = MIN ((guint) g_ascii_strtoull (parts[1], NULL, 10), 32);
                  other.network = other.prefix == 0 ? 0 : address & (G_MAXUINT32 << (32 - other.prefix));
                  taken = lodge_network_subnets_overlap (&candidate, &other);
                }
            }
        }
      if (!taken)
        return g_strdup_printf ("192.168.%u.0/24", third);
    }
  return g_strdup ("10.77.0.0/24");
}

void
lodge_networks_create_async (LodgeNetworks       *self,
                             const char          *name,
                             const char          *mode,
                             const char          *subnet,
                             const char          *dhcp_start,
                             const char          *dhcp_end,
                             gboolean             autostart,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  Action *action;

  g_return_if_fail (LODGE_IS_NETWORKS (self));
  g_return_if_fail (g_strcmp0 (mode, "nat") == 0 || g_strcmp0 (mode, "isolated") == 0);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lodge_networks_create_async);
  task = lodge_networks_action_task (self, outer, &action);
  if (task == NULL)
    return;
  action->name = g_strdup (name);
  action->mode = g_strdup (mode);
  action->subnet = g_strdup (subnet);
  action->dhcp_start = g_strdup (dhcp_start);
  action->dhcp_end = g_strdup (dhcp_end);
  action->autostart = autostart;
  lodge_virt_task_run_in_thread (task, lodge_networks_create_thread, &action->conn);
}

gboolean
lodge_networks_create_finish (LodgeNetworks  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lodge_networks_create_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
lodge_networks_run_action_async (LodgeNetworks       *self,
                                 const char          *uuid,
                                 LodgeNetworkAction   action_kind,
                                 gboolean             force,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  Action *action;

  g_return_if_fail (LODGE_IS_NETWORKS (self));
  g_return_if_fail (uuid != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lodge_networks_run_action_async);
  task = lodge_networks_action_task (self, outer, &action);
  if (task == NULL)
    return;
  action->uuid = g_strdup (uuid);
  action->action = action_kind;
  action->force = force;
  lodge_virt_task_run_in_thread (task, lodge_networks_action_thread, &action->conn);
}

gboolean
lodge_networks_run_action_finish (LodgeNetworks  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lodge_networks_run_action_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
