/* lodge-assistant-test.h: what the assistant's tests share
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>

#include "lodge-create-test.h"
#include "ui/lodge-new-machine-assistant-private.h"

/* A new assistant on connection and db, looking for install media in
 * downloads (never the real ~/Downloads: the test decides what is found),
 * at its first step. */
static inline LodgeNewMachineAssistant *
lodge_assistant_test_open (LodgeConnection *connection,
                           LodgeOsDatabase *db,
                           const char      *downloads)
{
  LodgeNewMachineAssistant *assistant = lodge_new_machine_assistant_new (NULL, connection, db, FALSE);

  g_mkdir_with_parents (downloads, 0755);
  lodge_new_machine_assistant_set_downloads_dir (assistant, downloads);
  gtk_window_present (GTK_WINDOW (assistant));
  g_assert_cmpstr (lodge_new_machine_assistant_get_page (assistant), ==, "source");
  return assistant;
}

typedef struct
{
  LodgeNewMachineAssistant *assistant;
  const char               *page;
} LodgeAssistantPageCheck;

static inline gboolean
lodge_assistant_test_page_is (gpointer data)
{
  LodgeAssistantPageCheck *check = data;

  return g_strcmp0 (lodge_new_machine_assistant_get_page (check->assistant), check->page) == 0;
}

/* Waits (at most wait_s seconds, to bound a hang) until the assistant
 * shows page; fails the test with the page it shows and its error. */
static inline void
lodge_assistant_test_wait_page (LodgeNewMachineAssistant *assistant,
                                const char               *page,
                                guint                     wait_s)
{
  LodgeAssistantPageCheck check = { assistant, page };

  if (!lodge_create_test_wait_until (lodge_assistant_test_page_is, &check, wait_s))
    g_error ("The assistant shows “%s”, not “%s” (error: %s)",
             lodge_new_machine_assistant_get_page (assistant), page,
             lodge_new_machine_assistant_get_error (assistant));
}
