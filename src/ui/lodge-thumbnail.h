/* lodge-thumbnail.h: a live, read-only picture of a machine's screen
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "model/lodge-model.h"

G_BEGIN_DECLS

#define LODGE_TYPE_THUMBNAIL (lodge_thumbnail_get_type ())

G_DECLARE_FINAL_TYPE (LodgeThumbnail, lodge_thumbnail, LODGE, THUMBNAIL, GtkWidget)

/* For the library's items: set the machine on bind and NULL on unbind.
 * While the machine runs and the thumbnail is inside the visible part of
 * its scrolled view (and stays there for a moment), it holds a read-only
 * SPICE session refreshed at most once a second; otherwise none. It takes
 * no room until it has a picture ("has-picture"), so an item can show an
 * icon instead. Never on test-driver connections (no graphics there). */
GtkWidget    *lodge_thumbnail_new             (void);
LodgeMachine *lodge_thumbnail_get_machine     (LodgeThumbnail *self);
void          lodge_thumbnail_set_machine     (LodgeThumbnail *self,
                                               LodgeMachine   *machine);
gboolean      lodge_thumbnail_get_has_picture (LodgeThumbnail *self);
/* Width of the picture in the item; its height follows the guest's. */
void          lodge_thumbnail_set_width       (LodgeThumbnail *self,
                                               int             width);

/* How many thumbnails hold a SPICE session now, in this process. */
guint         lodge_thumbnail_get_n_sessions  (void);
/* For tests: also on test-driver connections (a test's SPICE server named
 * in the domain XML). */
void          lodge_thumbnail_set_allow_test_driver (gboolean allow);

G_END_DECLS
