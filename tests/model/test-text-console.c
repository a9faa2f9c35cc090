/* test-text-console.c: which of a machine's consoles can be opened
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lodge_text_console_list_for_config() on running definitions as libvirt
 * writes them: pseudo-terminal serial ports and consoles, a <console> that
 * mirrors the first serial port (left out), a virtio console, a serial
 * port on a file (libvirt cannot open it), and the names people see.
 */
#include "config.h"

#include "model/lodge-model.h"

static GPtrArray *
list_for (const char *devices)
{
  g_autofree char *xml = g_strdup_printf ("<domain type='kvm'><name>t</name><devices>%s</devices></domain>",
                                          devices);
  g_autoptr(GError) error = NULL;
  g_autoptr(LodgeMachineConfig) config = lodge_machine_config_new_from_xml (xml, &error);

  g_assert_no_error (error);
  return lodge_text_console_list_for_config (config);
}

static const char *
alias_at (GPtrArray *list,
          guint      i)
{
  return ((LodgeDevice *) g_ptr_array_index (list, i))->alias;
}

static void
test_typical (void)
{
  g_autoptr(GPtrArray) list = NULL;
  g_auto(GStrv) names = NULL;

  /* What virt-install and Lodge define: one serial port, and the console
   * libvirt adds for it, with the same alias once running. */
  list = list_for ("<serial type='pty'><source path='/dev/pts/3'/>"
                   "<target type='isa-serial' port='0'><model name='isa-serial'/></target>"
                   "<alias name='serial0'/></serial>"
                   "<console type='pty' tty='/dev/pts/3'><source path='/dev/pts/3'/>"
                   "<target type='serial' port='0'/><alias name='serial0'/></console>"
                   "<console type='pty'><target type='virtio' port='1'/><alias name='console1'/></console>");
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (alias_at (list, 0), ==, "serial0");
  g_assert_cmpstr (alias_at (list, 1), ==, "console1");
  g_assert_cmpint (((LodgeDevice *) g_ptr_array_index (list, 0))->target_port, ==, 0);
  g_assert_cmpstr (((LodgeDevice *) g_ptr_array_index (list, 1))->target_type, ==, "virtio");
  names = lodge_text_console_describe_all (list);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "Serial 1");
  g_assert_cmpstr (names[1], ==, "Text Console 1");
}

static void
test_order_and_kinds (void)
{
  g_autoptr(GPtrArray) list = NULL;
  g_auto(GStrv) names = NULL;

  /* Consoles before serial ports in the document: serial ports still
   * first. A file or TCP serial port cannot be opened through libvirt. */
  list = list_for ("<console type='pty'><target type='virtio' port='0'/><alias name='console0'/></console>"
                   "<serial type='file'><source path='/tmp/x'/><target port='0'/><alias name='serial0'/></serial>"
                   "<serial type='pty'><target port='1'/><alias name='serial1'/></serial>"
                   "<serial type='pty'><target port='2'/><alias name='serial2'/></serial>"
                   "<console type='pty'><target type='sclp' port='0'/><alias name='console1'/></console>");
  g_assert_cmpuint (list->len, ==, 4);
  g_assert_cmpstr (alias_at (list, 0), ==, "serial1");
  g_assert_cmpstr (alias_at (list, 1), ==, "serial2");
  g_assert_cmpstr (alias_at (list, 2), ==, "console0");
  g_assert_cmpstr (alias_at (list, 3), ==, "console1");
  names = lodge_text_console_describe_all (list);
  g_assert_cmpstr (names[0], ==, "Serial 1");
  g_assert_cmpstr (names[1], ==, "Serial 2");
  g_assert_cmpstr (names[2], ==, "Text Console 1");
  g_assert_cmpstr (names[3], ==, "Console 1");
}

static void
test_none (void)
{
  g_autoptr(GPtrArray) list = NULL;

  list = list_for ("<graphics type='spice'/><video><model type='qxl'/></video>");
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  /* A console mirroring a serial port that is on a file: nothing to
   * open either way. */
  list = list_for ("<serial type='file'><source path='/tmp/x'/><target port='0'/></serial>"
                   "<console type='file'><target type='serial' port='0'/></console>");
  g_assert_cmpuint (list->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text-console/list/typical", test_typical);
  g_test_add_func ("/text-console/list/order-and-kinds", test_order_and_kinds);
  g_test_add_func ("/text-console/list/none", test_none);
  return g_test_run ();
}
