/* lodge-xml.c: small libxml2 helpers shared by the details files
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-xml"

#include "config.h"

#include <libxml/tree.h>

#include "model/lodge-details-private.h"

xmlNode *
lodge_xml_child (xmlNode    *node,
                 const char *name)
{
  for (xmlNode *it = node ? node->children : NULL; it != NULL; it = it->next)
    if (it->type == XML_ELEMENT_NODE && g_strcmp0 ((const char *) it->name, name) == 0)
      return it;
  return NULL;
}

void
lodge_xml_remove_children (xmlNode    *node,
                           const char *name)
{
  xmlNode *it = node ? node->children : NULL;

  while (it != NULL)
    {
      xmlNode *next = it->next;

      if (it->type == XML_ELEMENT_NODE && g_strcmp0 ((const char *) it->name, name) == 0)
        {
          xmlUnlinkNode (it);
          xmlFreeNode (it);
        }
      it = next;
    }
}

char *
lodge_xml_prop (xmlNode    *node,
                const char *name)
{
  xmlChar *value = node ? xmlGetProp (node, (const xmlChar *) name) : NULL;
  char *ret = g_strdup ((const char *) value);

  xmlFree (value);
  return ret;
}

char *
lodge_xml_text (xmlNode *node)
{
  xmlChar *content = node ? xmlNodeGetContent (node) : NULL;
  char *ret = g_strdup ((const char *) content);

  xmlFree (content);
  return ret;
}

/* node NULL: the document's root element. */
char *
lodge_xml_node_to_string (xmlDoc  *doc,
                          xmlNode *node)
{
  xmlBuffer *buffer = xmlBufferCreate ();
  char *ret;

  xmlNodeDump (buffer, doc, node != NULL ? node : xmlDocGetRootElement (doc), 0, 0);
  ret = g_strdup ((const char *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  return ret;
}

xmlNode *
lodge_xml_ensure_child (xmlNode    *node,
                        const char *name)
{
  xmlNode *child = lodge_xml_child (node, name);

  if (child == NULL)
    child = xmlNewChild (node, NULL, (const xmlChar *) name, NULL);
  return child;
}

void
lodge_xml_set_prop (xmlNode    *node,
                    const char *name,
                    const char *value)
{
  xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) value);
}
