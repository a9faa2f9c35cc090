/* fuzz-replay.c: main() for a fuzz target built without libFuzzer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs LLVMFuzzerTestOneInput() on every file named, and on every file in
 * every folder named: the seed corpus replayed as a regression test.
 * Fails when it ran nothing.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lodge-fuzz.h"

static guint
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const uint8_t *)data, len);
  return 1;
}

int
main (int   argc,
      char *argv[])
{
  guint ran = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (argv[i], name, NULL);

              ran += run_file (path);
            }
        }
      else if (argv[i][0] != '-')
        ran += run_file (argv[i]);
    }

  g_print ("%u inputs ran\n", ran);
  return ran > 0 ? 0 : 1;
}
