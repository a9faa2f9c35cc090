/* lodge-new-machine-assistant-private.h: what the ui tests look at inside the assistant
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "create/lodge-downloader.h"
#include "create/lodge-os-download.h"
#include "ui/lodge-new-machine-assistant.h"

G_BEGIN_DECLS

/* "source", "download-os", "download", "identify", "os", "review" or "progress". */
const char          *lodge_new_machine_assistant_get_page          (LodgeNewMachineAssistant *self);
/* Whether an assistant.* action is enabled (GTK has no public query). */
gboolean             lodge_new_machine_assistant_get_action_enabled (LodgeNewMachineAssistant *self,
                                                                     const char               *action);
/* The error shown on the current page (source, download or review), NULL when none. */
const char          *lodge_new_machine_assistant_get_error         (LodgeNewMachineAssistant *self);
/* The inline message under the name, NULL when none; whether a check runs. */
const char          *lodge_new_machine_assistant_get_name_error    (LodgeNewMachineAssistant *self);
gboolean             lodge_new_machine_assistant_get_name_checking (LodgeNewMachineAssistant *self);
GtkEditable         *lodge_new_machine_assistant_get_name_editable (LodgeNewMachineAssistant *self);
LodgeMachineSpec    *lodge_new_machine_assistant_get_spec          (LodgeNewMachineAssistant *self);
LodgeMedia          *lodge_new_machine_assistant_get_media         (LodgeNewMachineAssistant *self);
LodgeOs             *lodge_new_machine_assistant_get_os            (LodgeNewMachineAssistant *self);
/* NULL until the host was read. */
const LodgeHostInfo *lodge_new_machine_assistant_get_host          (LodgeNewMachineAssistant *self);
/* The OS identified or chosen, as shown on the review page. */
const char          *lodge_new_machine_assistant_get_os_label      (LodgeNewMachineAssistant *self);
const char          *lodge_new_machine_assistant_get_kind_label    (LodgeNewMachineAssistant *self);
const char          *lodge_new_machine_assistant_get_accel_notice  (LodgeNewMachineAssistant *self);
/* Express install: whether it is offered (the OS has a script Lodge can
 * hand over), and what a user types into it. */
gboolean             lodge_new_machine_assistant_get_express_offered (LodgeNewMachineAssistant *self);
void                 lodge_new_machine_assistant_set_express       (LodgeNewMachineAssistant *self,
                                                                    gboolean                  enable,
                                                                    const char               *user,
                                                                    const char               *password,
                                                                    const char               *host_name);
/* Whether the throwaway switch can be turned on (not with express or an import). */
gboolean             lodge_new_machine_assistant_get_throwaway_allowed (LodgeNewMachineAssistant *self);
/* How many warnings (besides the emulation notice) the review shows. */
guint                lodge_new_machine_assistant_get_n_warnings    (LodgeNewMachineAssistant *self);
/* The media found in Downloads (LodgeMedia); NULL before the scan starts. */
GListModel          *lodge_new_machine_assistant_get_downloads     (LodgeNewMachineAssistant *self);
/* Where to look instead of ~/Downloads; before the window is shown. */
void                 lodge_new_machine_assistant_set_downloads_dir (LodgeNewMachineAssistant *self,
                                                                    const char               *directory);
/* The OS list as filtered by the search, and its search entry. */
GListModel          *lodge_new_machine_assistant_get_os_results    (LodgeNewMachineAssistant *self);
GtkEditable         *lodge_new_machine_assistant_get_os_search     (LodgeNewMachineAssistant *self);
/* What a click on an OS of the list does. */
void                 lodge_new_machine_assistant_pick_os           (LodgeNewMachineAssistant *self,
                                                                    LodgeOs                  *os);
/* What a click on an item of the Downloads list does. */
void                 lodge_new_machine_assistant_pick_media        (LodgeNewMachineAssistant *self,
                                                                    LodgeMedia               *media);
/* Downloading an OS: the list as filtered by its search, and the search;
 * what a click on an item does; a download of any URL for an OS (what a
 * click does, with the test's address); the downloader of the running or
 * last download; whether one runs; the note over the list after a cancel;
 * an item's detail line as the list shows it. Downloads go to the
 * folder of set_downloads_dir(). */
GListModel          *lodge_new_machine_assistant_get_download_results (LodgeNewMachineAssistant *self);
GtkEditable         *lodge_new_machine_assistant_get_download_search  (LodgeNewMachineAssistant *self);
void                 lodge_new_machine_assistant_pick_download     (LodgeNewMachineAssistant *self,
                                                                    LodgeOsDownload          *item);
void                 lodge_new_machine_assistant_start_download    (LodgeNewMachineAssistant *self,
                                                                    LodgeOs                  *os,
                                                                    const char               *url);
LodgeDownloader     *lodge_new_machine_assistant_get_downloader    (LodgeNewMachineAssistant *self);
gboolean             lodge_new_machine_assistant_get_downloading   (LodgeNewMachineAssistant *self);
const char          *lodge_new_machine_assistant_get_download_note (LodgeNewMachineAssistant *self);
/* How many times the download folder was looked at for partial files. */
guint                lodge_new_machine_assistant_get_n_partial_scans (LodgeNewMachineAssistant *self);
const char          *lodge_new_machine_assistant_get_download_detail (LodgeNewMachineAssistant *self,
                                                                      LodgeOsDownload          *item);
/* The running creator, NULL outside creation. */
LodgeMachineCreator *lodge_new_machine_assistant_get_creator       (LodgeNewMachineAssistant *self);

G_END_DECLS
