/* lodge-network.c: one virtual network of a host, and one host interface
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-network"

#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "model/lodge-model-private.h"
#include "model/lodge-network-private.h"

/* Plain data ---------------------------------------------------------------- */

void
lodge_network_data_free (LodgeNetworkData *data)
{
  if (data == NULL)
    return;
  g_free (data->uuid);
  g_free (data->name);
  g_free (data->forward_mode);
  g_free (data->bridge);
  g_strfreev (data->addresses);
  g_strfreev (data->dhcp_ranges);
  g_strfreev (data->machines);
  g_strfreev (data->running_machines);
  g_clear_pointer (&data->subnets, g_array_unref);
  g_free (data);
}

void
lodge_host_interface_data_free (LodgeHostInterfaceData *data)
{
  if (data == NULL)
    return;
  g_free (data->name);
  g_free (data->mac);
  g_free (data);
}

/* Addresses ----------------------------------------------------------------- */

gboolean
lodge_network_parse_ipv4 (const char *text,
                          guint32    *address)
{
  guint32 value = 0;
  const char *p = text;

  g_return_val_if_fail (address != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      guint part = 0;
      int digits = 0;

      while (g_ascii_isdigit (*p) && digits < 4)
        {
          part = part * 10 + (guint) (*p - '0');
          p++;
          digits++;
        }
      if (digits == 0 || digits > 3 || part > 255)
        return FALSE;
      value = (value << 8) | part;
      if (i < 3 && *p++ != '.')
        return FALSE;
    }
  if (*p != '\0')
    return FALSE;
  *address = value;
  return TRUE;
}

char *
lodge_network_format_ipv4 (guint32 address)
{
  return g_strdup_printf ("%u.%u.%u.%u", address >> 24, (address >> 16) & 0xff,
                          (address >> 8) & 0xff, address & 0xff);
}

static guint32
prefix_mask (guint prefix)
{
  return prefix == 0 ? 0 : G_MAXUINT32 << (32 - prefix);
}

gboolean
lodge_network_parse_subnet (const char       *cidr,
                            LodgeIpv4Subnet  *subnet,
                            GError          **error)
{
  g_auto(GStrv) parts = NULL;
  guint32 address;
  guint64 prefix;
  char *end = NULL;

  g_return_val_if_fail (subnet != NULL, FALSE);

  parts = g_strsplit (cidr != NULL ? cidr : "", "/", 2);
  if (g_strv_length (parts) != 2 || !lodge_network_parse_ipv4 (g_strstrip (parts[0]), &address))
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IPv4 subnet: write it as address/length, like 192.168.100.0/24"),
                   cidr != NULL ? cidr : "");
      return FALSE;
    }
  prefix = g_ascii_strtoull (g_strstrip (parts[1]), &end, 10);
  if (end == parts[1] || *end != '\0' || prefix < 8 || prefix > 30)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("The length of a subnet must be between 8 and 30 bits, not “%s”"), parts[1]);
      return FALSE;
    }
  if ((address & ~prefix_mask ((guint) prefix)) != 0)
    {
      g_autofree char *network = lodge_network_format_ipv4 (address & prefix_mask ((guint) prefix));

      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not the start of a subnet: did you mean %s/%u?"),
                   cidr, network, (guint) prefix);
      return FALSE;
    }
  subnet->network = address;
  subnet->prefix = (guint) prefix;
  return TRUE;
}

gboolean
lodge_network_subnets_overlap (const LodgeIpv4Subnet *a,
                               const LodgeIpv4Subnet *b)
{
  guint prefix = MIN (a->prefix, b->prefix);

  return (a->network & prefix_mask (prefix)) == (b->network & prefix_mask (prefix));
}

gboolean
lodge_network_check_dhcp_range (const LodgeIpv4Subnet  *subnet,
                                const char             *start,
                                const char             *end,
                                GError                **error)
{
  guint32 first = subnet->network + 2;   /* after the host's address */
  guint32 last = (subnet->network | ~prefix_mask (subnet->prefix)) - 1;
  guint32 from, to;

  if (!lodge_network_parse_ipv4 (start, &from) || !lodge_network_parse_ipv4 (end, &to))
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("The DHCP range must go from one IPv4 address to another"));
      return FALSE;
    }
  if (from < first || from > last || to < first || to > last)
    {
      g_autofree char *low = lodge_network_format_ipv4 (first);
      g_autofree char *high = lodge_network_format_ipv4 (last);

      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("The DHCP range must lie between %s and %s"), low, high);
      return FALSE;
    }
  if (from > to)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("The DHCP range ends before it starts"));
      return FALSE;
    }
  return TRUE;
}

gboolean
lodge_network_default_dhcp_range (const char  *cidr,
                                  char       **start,
                                  char       **end)
{
  LodgeIpv4Subnet subnet;
  guint32 last;

  g_return_val_if_fail (start != NULL && end != NULL, FALSE);

  if (!lodge_network_parse_subnet (cidr, &subnet, NULL))
    return FALSE;
  last = (subnet.network | ~prefix_mask (subnet.prefix)) - 1;
  *start = lodge_network_format_ipv4 (subnet.prefix <= 24 ? subnet.network + 100 : subnet.network + 2);
  *end = lodge_network_format_ipv4 (subnet.prefix <= 24 ? MIN (last, subnet.network + 254) : last);
  return TRUE;
}

gboolean
lodge_network_check_name (const char  *name,
                          GError     **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("A network needs a name"));
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > 50)
    {
      g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                   _("A network’s name can have at most 50 characters"));
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          g_set_error (error, LODGE_MODEL_ERROR, LODGE_MODEL_ERROR_INVALID_ARGUMENT,
                       _("A network’s name cannot contain spaces or “/”"));
          return FALSE;
        }
    }
  return TRUE;
}

char *
lodge_network_build_xml (const char            *name,
                         const char            *mode,
                         const LodgeIpv4Subnet *subnet,
                         const char            *dhcp_start,
                         const char            *dhcp_end)
{
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autofree char *address = lodge_network_format_ipv4 (subnet->network + 1);
  GString *xml = g_string_new ("<network>\n");

  g_string_append_printf (xml, "  <name>%s</name>\n", escaped);
  if (g_strcmp0 (mode, "nat") == 0)
    g_string_append (xml, "  <forward mode='nat'/>\n");
  /* libvirt picks a free virbrN. */
  g_string_append (xml, "  <bridge stp='on' delay='0'/>\n");
  g_string_append_printf (xml, "  <ip address='%s' prefix='%u'>\n", address, subnet->prefix);
  if (dhcp_start != NULL && dhcp_end != NULL)
    g_string_append_printf (xml, "    <dhcp>\n      <range start='%s' end='%s'/>\n    </dhcp>\n",
                            dhcp_start, dhcp_end);
  g_string_append (xml, "  </ip>\n</network>\n");
  return g_string_free (xml, FALSE);
}

GArray *
lodge_network_parse_routes (const char *proc_net_route)
{
  GArray *routes = g_array_new (FALSE, FALSE, sizeof (LodgeIpv4Subnet));
  g_auto(GStrv) lines = g_strsplit (proc_net_route != NULL ? proc_net_route : "", "\n", -1);

  /* Iface Destination Gateway Flags RefCnt Use Metric Mask …: addresses
   * are the network-order bytes printed as one host-order hex number. */
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (lines[i], " \t", -1);
      const char *values[8];
      guint n = 0;
      guint32 destination, mask;
      guint prefix;

      for (guint j = 0; fields[j] != NULL && n < G_N_ELEMENTS (values); j++)
        if (fields[j][0] != '\0')
          values[n++] = fields[j];
      if (n < 8)
        continue;
      destination = g_ntohl ((guint32) g_ascii_strtoull (values[1], NULL, 16));
      mask = g_ntohl ((guint32) g_ascii_strtoull (values[7], NULL, 16));
      prefix = 32 - (guint) g_bit_nth_lsf (mask, -1);
      if (mask == 0)
        continue; /* the default route overlaps everything */
      g_array_append_vals (routes, &(LodgeIpv4Subnet) { destination & mask, prefix }, 1);
    }
  return routes;
}

/* XML ----------------------------------------------------------------------- */

static xmlDoc *
parse_doc (const char *xml,
           const char *root)
{
  xmlDoc *doc;

  if (xml == NULL)
    return NULL;
  doc = xmlReadMemory (xml, strlen (xml), "network.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc != NULL && (xmlDocGetRootElement (doc) == NULL ||
                      !xmlStrEqual (xmlDocGetRootElement (doc)->name, (const xmlChar *) root)))
    g_clear_pointer (&doc, xmlFreeDoc);
  return doc;
}

static char *
attribute (xmlNode    *node,
           const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *ret = value != NULL && *value != '\0' ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return ret;
}

/* The nodes an XPath expression selects, or NULL. */
static xmlXPathObject *
select_nodes (xmlXPathContext *context,
              const char      *path)
{
  xmlXPathObject *result = xmlXPathEvalExpression ((const xmlChar *) path, context);

  if (result != NULL && (result->nodesetval == NULL || result->nodesetval->nodeNr == 0))
    g_clear_pointer (&result, xmlXPathFreeObject);
  return result;
}

static guint
ipv4_netmask_prefix (const char *netmask)
{
  guint32 mask;

  if (!lodge_network_parse_ipv4 (netmask, &mask) || mask == 0)
    return 0;
  return 32 - (guint) g_bit_nth_lsf (mask, -1);
}

gboolean
lodge_network_parse_xml (const char       *xml,
                         LodgeNetworkData *data)
{
  xmlDoc *doc = parse_doc (xml, "network");
  xmlXPathContext *context;
  xmlXPathObject *nodes;
  g_autoptr(GPtrArray) addresses = g_ptr_array_new ();
  g_autoptr(GPtrArray) v6 = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ranges = g_ptr_array_new ();

  g_return_val_if_fail (data != NULL, FALSE);

  if (doc == NULL)
    return FALSE;
  context = xmlXPathNewContext (doc);

  g_clear_pointer (&data->forward_mode, g_free);
  /* <forward/> without a mode is NAT; no <forward> at all: isolated. */
  if ((nodes = select_nodes (context, "/network/forward")) != NULL)
    {
      data->forward_mode = attribute (nodes->nodesetval->nodeTab[0], "mode");
      if (data->forward_mode == NULL)
        data->forward_mode = g_strdup ("nat");
      xmlXPathFreeObject (nodes);
    }
  else
    data->forward_mode = g_strdup ("isolated");

  g_clear_pointer (&data->bridge, g_free);
  if ((nodes = select_nodes (context, "/network/bridge")) != NULL)
    {
      data->bridge = attribute (nodes->nodesetval->nodeTab[0], "name");
      xmlXPathFreeObject (nodes);
    }

  g_clear_pointer (&data->subnets, g_array_unref);
  data->subnets = g_array_new (FALSE, FALSE, sizeof (LodgeIpv4Subnet));
  if ((nodes = select_nodes (context, "/network/ip")) != NULL)
    {
      for (int i = 0; i < nodes->nodesetval->nodeNr; i++)
        {
          xmlNode *ip = nodes->nodesetval->nodeTab[i];
          g_autofree char *family = attribute (ip, "family");
          g_autofree char *address = attribute (ip, "address");
          g_autofree char *prefix_text = attribute (ip, "prefix");
          g_autofree char *netmask = attribute (ip, "netmask");
          gboolean ipv6 = g_strcmp0 (family, "ipv6") == 0 || (address != NULL && strchr (address, ':') != NULL);
          guint prefix = prefix_text != NULL ? (guint) g_ascii_strtoull (prefix_text, NULL, 10)
                                             : netmask != NULL ? ipv4_netmask_prefix (netmask)
                                                               : ipv6 ? 64 : 24;
          guint32 value;

          if (address == NULL)
            continue;
          g_ptr_array_add (ipv6 ? v6 : addresses, g_strdup_printf ("%s/%u", address, prefix));
          if (!ipv6 && lodge_network_parse_ipv4 (address, &value) && prefix <= 32)
            g_array_append_vals (data->subnets,
                                 &(LodgeIpv4Subnet) { value & prefix_mask (prefix), prefix }, 1);

          for (xmlNode *dhcp = ip->children; dhcp != NULL; dhcp = dhcp->next)
            {
              if (dhcp->type != XML_ELEMENT_NODE || !xmlStrEqual (dhcp->name, (const xmlChar *) "dhcp"))
                continue;
              for (xmlNode *range = dhcp->children; range != NULL; range = range->next)
                {
                  g_autofree char *start = NULL;
                  g_autofree char *end = NULL;

                  if (range->type != XML_ELEMENT_NODE || !xmlStrEqual (range->name, (const xmlChar *) "range"))
                    continue;
                  start = attribute (range, "start");
                  end = attribute (range, "end");
                  if (start != NULL && end != NULL)
                    g_ptr_array_add (ranges, g_strdup_printf ("%s-%s", start, end));
                }
            }
        }
      xmlXPathFreeObject (nodes);
    }
  /* IPv4 first. */
  for (guint i = 0; i < v6->len; i++)
    g_ptr_array_add (addresses, g_steal_pointer (&v6->pdata[i]));
  g_ptr_array_add (addresses, NULL);
  g_ptr_array_add (ranges, NULL);
  g_strfreev (data->addresses);
  data->addresses = (GStrv) g_ptr_array_steal (addresses, NULL);
  g_strfreev (data->dhcp_ranges);
  data->dhcp_ranges = (GStrv) g_ptr_array_steal (ranges, NULL);

  xmlXPathFreeContext (context);
  xmlFreeDoc (doc);
  return TRUE;
}

GStrv
lodge_network_parse_domain_networks (const char *domain_xml)
{
  xmlDoc *doc = parse_doc (domain_xml, "domain");
  xmlXPathContext *context;
  xmlXPathObject *nodes;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (doc == NULL)
    return NULL;
  context = xmlXPathNewContext (doc);
  if ((nodes = select_nodes (context, "/domain/devices/interface[@type='network']/source")) != NULL)
    {
      for (int i = 0; i < nodes->nodesetval->nodeNr; i++)
        {
          char *name = attribute (nodes->nodesetval->nodeTab[i], "network");

          if (name == NULL || g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
            g_free (name);
          else
            g_ptr_array_add (names, name);
        }
      xmlXPathFreeObject (nodes);
    }
  xmlXPathFreeContext (context);
  xmlFreeDoc (doc);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* LodgeNetwork ---------------------------------------------------------------- */

struct _LodgeNetwork
{
  GObject   parent_instance;

  char     *name;
  char     *uuid;
  gboolean  active;
  gboolean  persistent;
  gboolean  autostart;
  char     *forward_mode;
  char     *bridge;
  GStrv     addresses;
  GStrv     dhcp_ranges;
  GStrv     machines;
  GStrv     running_machines;
};

G_DEFINE_FINAL_TYPE (LodgeNetwork, lodge_network, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_UUID,
  PROP_ACTIVE,
  PROP_PERSISTENT,
  PROP_AUTOSTART,
  PROP_FORWARD_MODE,
  PROP_BRIDGE,
  PROP_ADDRESSES,
  PROP_DHCP_RANGES,
  PROP_MACHINES,
  PROP_RUNNING_MACHINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const empty_strv[] = { NULL };

static void
lodge_network_finalize (GObject *object)
{
  LodgeNetwork *self = (LodgeNetwork *)object;

  g_free (self->name);
  g_free (self->uuid);
  g_free (self->forward_mode);
  g_free (self->bridge);
  g_strfreev (self->addresses);
  g_strfreev (self->dhcp_ranges);
  g_strfreev (self->machines);
  g_strfreev (self->running_machines);

  G_OBJECT_CLASS (lodge_network_parent_class)->finalize (object);
}

static void
lodge_network_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LodgeNetwork *self = LODGE_NETWORK (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_PERSISTENT:
      g_value_set_boolean (value, self->persistent);
      break;
    case PROP_AUTOSTART:
      g_value_set_boolean (value, self->autostart);
      break;
    case PROP_FORWARD_MODE:
      g_value_set_string (value, self->forward_mode);
      break;
    case PROP_BRIDGE:
      g_value_set_string (value, self->bridge);
      break;
    case PROP_ADDRESSES:
      g_value_set_boxed (value, self->addresses);
      break;
    case PROP_DHCP_RANGES:
      g_value_set_boxed (value, self->dhcp_ranges);
      break;
    case PROP_MACHINES:
      g_value_set_boxed (value, self->machines);
      break;
    case PROP_RUNNING_MACHINES:
      g_value_set_boxed (value, self->running_machines);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_network_class_init (LodgeNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lodge_network_finalize;
  object_class->get_property = lodge_network_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, ro);
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, ro);
  properties[PROP_PERSISTENT] = g_param_spec_boolean ("persistent", NULL, NULL, FALSE, ro);
  properties[PROP_AUTOSTART] = g_param_spec_boolean ("autostart", NULL, NULL, FALSE, ro);
  properties[PROP_FORWARD_MODE] = g_param_spec_string ("forward-mode", NULL, NULL, NULL, ro);
  properties[PROP_BRIDGE] = g_param_spec_string ("bridge", NULL, NULL, NULL, ro);
  properties[PROP_ADDRESSES] = g_param_spec_boxed ("addresses", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_DHCP_RANGES] = g_param_spec_boxed ("dhcp-ranges", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_MACHINES] = g_param_spec_boxed ("machines", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_RUNNING_MACHINES] = g_param_spec_boxed ("running-machines", NULL, NULL, G_TYPE_STRV, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lodge_network_init (LodgeNetwork *self)
{
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
set_strv (GStrv              *field,
          const char * const *value)
{
  if (value == NULL)
    value = empty_strv;
  if (*field != NULL && g_strv_equal ((const char * const *) *field, value))
    return FALSE;
  g_strfreev (*field);
  *field = g_strdupv ((char **) value);
  return TRUE;
}

static gboolean
set_boolean (gboolean *field,
             gboolean  value)
{
  if (*field == !!value)
    return FALSE;
  *field = !!value;
  return TRUE;
}

void
lodge_network_update (LodgeNetwork           *self,
                      const LodgeNetworkData *data)
{
  gboolean changed[N_PROPS] = { FALSE, };

  g_return_if_fail (LODGE_IS_NETWORK (self));

  changed[PROP_NAME] = set_string (&self->name, data->name);
  changed[PROP_UUID] = set_string (&self->uuid, data->uuid);
  changed[PROP_ACTIVE] = set_boolean (&self->active, data->active);
  changed[PROP_PERSISTENT] = set_boolean (&self->persistent, data->persistent);
  changed[PROP_AUTOSTART] = set_boolean (&self->autostart, data->autostart);
  changed[PROP_FORWARD_MODE] = set_string (&self->forward_mode, data->forward_mode);
  changed[PROP_BRIDGE] = set_string (&self->bridge, data->bridge);
  changed[PROP_ADDRESSES] = set_strv (&self->addresses, (const char * const *) data->addresses);
  changed[PROP_DHCP_RANGES] = set_strv (&self->dhcp_ranges, (const char * const *) data->dhcp_ranges);
  changed[PROP_MACHINES] = set_strv (&self->machines, (const char * const *) data->machines);
  changed[PROP_RUNNING_MACHINES] = set_strv (&self->running_machines,
                                             (const char * const *) data->running_machines);

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 1; i < N_PROPS; i++)
    if (changed[i])
      g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

LodgeNetwork *
lodge_network_new (const LodgeNetworkData *data)
{
  LodgeNetwork *self = g_object_new (LODGE_TYPE_NETWORK, NULL);

  lodge_network_update (self, data);
  return self;
}

const char *
lodge_network_get_name (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), NULL);
  return self->name;
}

const char *
lodge_network_get_uuid (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), NULL);
  return self->uuid;
}

gboolean
lodge_network_get_active (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), FALSE);
  return self->active;
}

gboolean
lodge_network_get_persistent (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), FALSE);
  return self->persistent;
}

gboolean
lodge_network_get_autostart (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), FALSE);
  return self->autostart;
}

const char *
lodge_network_get_forward_mode (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), NULL);
  return self->forward_mode;
}

const char *
lodge_network_get_bridge (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), NULL);
  return self->bridge;
}

const char * const *
lodge_network_get_addresses (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), empty_strv);
  return (const char * const *) self->addresses;
}

const char * const *
lodge_network_get_dhcp_ranges (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), empty_strv);
  return (const char * const *) self->dhcp_ranges;
}

const char * const *
lodge_network_get_machines (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), empty_strv);
  return (const char * const *) self->machines;
}

const char * const *
lodge_network_get_running_machines (LodgeNetwork *self)
{
  g_return_val_if_fail (LODGE_IS_NETWORK (self), empty_strv);
  return (const char * const *) self->running_machines;
}

/* LodgeHostInterface ------------------------------------------------------- */

struct _LodgeHostInterface
{
  GObject   parent_instance;

  char     *name;
  char     *mac;
  gboolean  active;
};

G_DEFINE_FINAL_TYPE (LodgeHostInterface, lodge_host_interface, G_TYPE_OBJECT)

enum {
  IFACE_PROP_0,
  IFACE_PROP_NAME,
  IFACE_PROP_MAC,
  IFACE_PROP_ACTIVE,
  IFACE_N_PROPS
};

static GParamSpec *iface_properties[IFACE_N_PROPS];

static void
lodge_host_interface_finalize (GObject *object)
{
  LodgeHostInterface *self = (LodgeHostInterface *)object;

  g_free (self->name);
  g_free (self->mac);

  G_OBJECT_CLASS (lodge_host_interface_parent_class)->finalize (object);
}

static void
lodge_host_interface_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LodgeHostInterface *self = LODGE_HOST_INTERFACE (object);

  switch (prop_id)
    {
    case IFACE_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case IFACE_PROP_MAC:
      g_value_set_string (value, self->mac);
      break;
    case IFACE_PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_host_interface_class_init (LodgeHostInterfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lodge_host_interface_finalize;
  object_class->get_property = lodge_host_interface_get_property;

  iface_properties[IFACE_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  iface_properties[IFACE_PROP_MAC] = g_param_spec_string ("mac", NULL, NULL, NULL, ro);
  iface_properties[IFACE_PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, IFACE_N_PROPS, iface_properties);
}

static void
lodge_host_interface_init (LodgeHostInterface *self)
{
}

/* Interfaces are read whole each time: a new object each time. */
LodgeHostInterface *
lodge_host_interface_new (const LodgeHostInterfaceData *data)
{
  LodgeHostInterface *self = g_object_new (LODGE_TYPE_HOST_INTERFACE, NULL);

  self->name = g_strdup (data->name);
  self->mac = g_strdup (data->mac);
  self->active = data->active;
  return self;
}

const char *
lodge_host_interface_get_name (LodgeHostInterface *self)
{
  g_return_val_if_fail (LODGE_IS_HOST_INTERFACE (self), NULL);
  return self->name;
}

const char *
lodge_host_interface_get_mac (LodgeHostInterface *self)
{
  g_return_val_if_fail (LODGE_IS_HOST_INTERFACE (self), NULL);
  return self->mac;
}

gboolean
lodge_host_interface_get_active (LodgeHostInterface *self)
{
  g_return_val_if_fail (LODGE_IS_HOST_INTERFACE (self), FALSE);
  return self->active;
}
