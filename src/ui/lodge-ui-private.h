/* lodge-ui-private.h: helpers shared by the files of the ui layer
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "model/lodge-model.h"
#include "model/lodge-migration.h"

G_BEGIN_DECLS

/* A family icon (adwaita symbolic names only) and a short family name
 * for a libosinfo id; the create layer will give real OS names later. */
const char *lodge_ui_os_icon_name      (const char        *os_id);
const char *lodge_ui_os_family_name    (const char        *os_id);

/* Translated, user-facing state and the CSS class of its dot. */
const char *lodge_ui_state_label       (LodgeMachineState  state);
const char *lodge_ui_state_css_class   (LodgeMachineState  state);

/* "12 % CPU · 310.5 MB" or NULL when the machine is not running. */
char       *lodge_ui_usage_text        (LodgeMachine      *machine);

/* Sort key of a state: running machines first, then paused, then off. */
int         lodge_ui_state_sort_key    (LodgeMachineState  state);

/* Milliseconds since this process started (from /proc/self/stat), for the
 * first-frame benchmark. */
double      lodge_ui_ms_since_process_start (void);

/* Makes @window transient for @parent and destroys it with @parent.  Unlike
 * GTK's destroy-with-parent, @window lets go of @parent as it goes: a window
 * already closed but still held (by an async call's reference) would
 * otherwise point at @parent after @parent is freed, and crash when it is
 * finally released. */
void        lodge_ui_window_set_parent (GtkWindow         *window,
                                        GtkWindow         *parent);

/* The answers of a question dialog: Cancel (also on Escape) and id with
 * label. A destructive choice is red and Cancel is the default; otherwise
 * the choice is the suggested default. */
void        lodge_ui_dialog_add_choice (AdwMessageDialog  *dialog,
                                        const char        *id,
                                        const char        *label,
                                        gboolean           destructive);

/* A host's name for people: the label the user gave it, else "This
 * Computer" for the local system daemon, the host name for remote ones… */
char       *lodge_ui_host_title        (LodgeHost         *host);
/* What a host is doing, in a few words: "Connecting…", "3 of 12 running",
 * "Lost: trying again in 4 s", "Could not connect: …", "Disconnected". */
char       *lodge_ui_host_status       (LodgeHost         *host);
/* A symbolic icon for the host: this computer, or a server elsewhere. */
const char *lodge_ui_host_icon_name    (LodgeHost         *host);

/* A migration's phase for people ("Copying the memory…"). */
const char *lodge_ui_migration_phase_label (LodgeMigrationPhase phase);
/* "312 MiB of 512 MiB · 38 MiB/s · the machine changes 2 MiB/s · expected
 * pause 120 ms · 0:14" */
char       *lodge_ui_migration_details     (LodgeMigration    *migration);
/* How far it is, 0..1, or -1 when not known yet. */
double      lodge_ui_migration_fraction    (LodgeMigration    *migration);
/* The path of a helper program of Lodge's (lodge-askpass): in the build
 * directory when this program runs from there, else in libexecdir. */
char       *lodge_ui_dup_helper_path   (const char        *name);

/* The Send Key menu of every console, its items activating @action
 * ("console.send-key") with a LodgeSendKey as an int32 target. */
GMenuModel *lodge_ui_send_key_menu_new (const char        *action);

G_END_DECLS
