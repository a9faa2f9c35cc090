/* lodge-fuzz.h: what every fuzz target shares
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each target defines LLVMFuzzerTestOneInput(). Built with clang and
 * -Dfuzzing=true it links libFuzzer; otherwise fuzz-replay.c gives it a
 * main() that runs the files and folders named on its command line (the
 * seed corpus: a regression test in the normal build).
 */
#pragma once

#include <stdint.h>
#include <stdlib.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* The bytes as a NUL-terminated string (a NUL inside ends it early, as
 * it would for a caller passing C strings). */
static inline char *
lodge_fuzz_string (const uint8_t *data,
                   size_t         size)
{
  return g_strndup ((const char *)data, size);
}

/* An invariant the parser promises: a broken one is a finding. */
#define LODGE_FUZZ_CHECK(expr)                                             \
  G_STMT_START {                                                           \
    if (!(expr))                                                           \
      {                                                                    \
        g_printerr ("%s:%d: invariant failed: %s\n", __FILE__, __LINE__,   \
                    #expr);                                                \
        abort ();                                                          \
      }                                                                    \
  } G_STMT_END
