/* lodge-thumbnail.c: a live, read-only picture of a machine's screen
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-thumbnail"

#include "config.h"

#include <math.h>

#include "console/lodge-console.h"
#include "ui/lodge-console-target.h"
#include "ui/lodge-thumbnail.h"

/* Scrolling through the library must not open and close sessions: a
 * thumbnail waits this long after it became visible (or the view moved)
 * before it decides. */
#define SETTLE_MS 400
#define REFRESH_MS 1000
#define DEFAULT_WIDTH 160

struct _LodgeThumbnail
{
  GtkWidget           parent_instance;

  LodgeMachine       *machine;
  GtkWidget          *picture;
  LodgeSpiceSession  *session;
  LodgeConsoleTarget *target;
  GCancellable       *cancellable;
  GtkWidget          *scrolled;     /* watched while mapped */
  guint               settle_source;
  gboolean            has_picture;
  gboolean            failed;       /* until the machine's state changes */
  int                 width;
};

G_DEFINE_FINAL_TYPE (LodgeThumbnail, lodge_thumbnail, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_HAS_PICTURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint n_sessions;
static gboolean allow_test_driver;

static void lodge_thumbnail_schedule (LodgeThumbnail *self);

static void
lodge_thumbnail_set_has_picture (LodgeThumbnail *self,
                                 gboolean        has_picture)
{
  if (self->has_picture == has_picture)
    return;
  self->has_picture = has_picture;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_PICTURE]);
}

static void
lodge_thumbnail_stop (LodgeThumbnail *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->session != NULL)
    {
      LodgeFramebuffer *framebuffer = lodge_spice_session_get_framebuffer (self->session);

      g_signal_handlers_disconnect_by_data (framebuffer, self);
      g_signal_handlers_disconnect_by_data (self->session, self);
      if (self->target != NULL)
        lodge_console_target_detach (self->target, self->session);
      lodge_spice_session_disconnect (self->session);
      g_clear_object (&self->session);
      g_assert (n_sessions > 0);
      n_sessions--;
    }
  g_clear_object (&self->target);
  g_clear_pointer (&self->picture, gtk_widget_unparent);
  lodge_thumbnail_set_has_picture (self, FALSE);
}

static void
lodge_thumbnail_framebuffer_size_cb (LodgeThumbnail *self,
                                     GdkPaintable   *paintable)
{
  lodge_thumbnail_set_has_picture (self, lodge_framebuffer_has_surface (LODGE_FRAMEBUFFER (paintable)));
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
lodge_thumbnail_session_state_cb (LodgeThumbnail    *self,
                                  GParamSpec        *pspec,
                                  LodgeSpiceSession *session)
{
  if (lodge_spice_session_get_state (session) == LODGE_DISPLAY_STATE_DISCONNECTED)
    {
      /* No stale picture; try again when the machine's state changes. */
      self->failed = TRUE;
      lodge_thumbnail_stop (self);
    }
}

static void
lodge_thumbnail_resolve_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(LodgeThumbnail) self = user_data;
  g_autoptr(GError) error = NULL;
  LodgeConsoleTarget *target;
  LodgeFramebuffer *framebuffer;

  target = lodge_console_target_resolve_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->session == NULL
      || (gpointer) object != (gpointer) self->machine)
    {
      g_clear_object (&target);
      return;
    }
  g_clear_object (&self->cancellable);
  if (target == NULL)
    {
      g_debug ("No thumbnail for %s: %s", lodge_machine_get_name (self->machine), error->message);
      self->failed = TRUE;
      lodge_thumbnail_stop (self);
      return;
    }

  self->target = target;
  framebuffer = lodge_spice_session_get_framebuffer (self->session);
  lodge_framebuffer_set_refresh_interval (framebuffer, REFRESH_MS);
  g_signal_connect_object (framebuffer, "invalidate-size",
                           G_CALLBACK (lodge_thumbnail_framebuffer_size_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (lodge_thumbnail_session_state_cb),
                           self, G_CONNECT_SWAPPED);
  /* The picture exists only with a session: the library keeps many idle
   * items alive, and each widget costs in their first frame. */
  g_assert (self->picture == NULL);
  self->picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (framebuffer));
  gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), TRUE);
  /* Fitted by lodge_thumbnail_size_allocate() onto whole pixels. */
  gtk_picture_set_content_fit (GTK_PICTURE (self->picture), GTK_CONTENT_FIT_FILL);
  gtk_widget_set_parent (self->picture, GTK_WIDGET (self));
  lodge_console_target_connect (self->target, self->session);
}

static void
lodge_thumbnail_start (LodgeThumbnail *self)
{
  g_assert (self->session == NULL);

  self->session = lodge_spice_session_new ();
  n_sessions++;
  lodge_spice_session_set_read_only (self->session, TRUE);
  lodge_spice_session_set_audio (self->session, FALSE);
  self->cancellable = g_cancellable_new ();
  lodge_console_target_resolve_async (self->machine, self->cancellable,
                                      lodge_thumbnail_resolve_cb, g_object_ref (self));
}

/* Whether some of the thumbnail is inside its scrolled window's viewport
 * (list and grid views keep more items than they show). */
static gboolean
lodge_thumbnail_in_view (LodgeThumbnail *self)
{
  graphene_rect_t bounds;
  int width, height;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;
  if (self->scrolled == NULL)
    return TRUE;
  if (!gtk_widget_compute_bounds (GTK_WIDGET (self), self->scrolled, &bounds))
    return FALSE;

  width = gtk_widget_get_width (self->scrolled);
  height = gtk_widget_get_height (self->scrolled);
  return bounds.origin.x + bounds.size.width >= 0 && bounds.origin.x <= width
         && bounds.origin.y + bounds.size.height >= 0 && bounds.origin.y <= height;
}

static gboolean
lodge_thumbnail_wanted (LodgeThumbnail *self)
{
  LodgeConnection *connection;

  if (self->machine == NULL || self->failed)
    return FALSE;
  if (lodge_machine_get_state (self->machine) != LODGE_MACHINE_STATE_RUNNING
      && lodge_machine_get_state (self->machine) != LODGE_MACHINE_STATE_PAUSED)
    return FALSE;
  connection = lodge_machine_get_connection (self->machine);
  if (connection == NULL
      || lodge_connection_get_state (connection) != LODGE_CONNECTION_STATE_CONNECTED)
    return FALSE;
  if (!allow_test_driver && !lodge_console_target_connection_has_graphics (connection))
    return FALSE;
  return lodge_thumbnail_in_view (self);
}

static void
lodge_thumbnail_update (LodgeThumbnail *self)
{
  gboolean wanted = lodge_thumbnail_wanted (self);

  if (wanted && self->session == NULL)
    lodge_thumbnail_start (self);
  else if (!wanted && self->session != NULL)
    lodge_thumbnail_stop (self);
}

static gboolean
lodge_thumbnail_settle_cb (gpointer user_data)
{
  LodgeThumbnail *self = user_data;

  self->settle_source = 0;
  lodge_thumbnail_update (self);
  return G_SOURCE_REMOVE;
}

static void
lodge_thumbnail_schedule (LodgeThumbnail *self)
{
  g_clear_handle_id (&self->settle_source, g_source_remove);
  /* Leaving the view or stopping: at once. */
  if (self->session != NULL && !lodge_thumbnail_wanted (self))
    {
      lodge_thumbnail_stop (self);
      return;
    }
  if (self->machine != NULL)
    self->settle_source = g_timeout_add (SETTLE_MS, lodge_thumbnail_settle_cb, self);
}

static void
lodge_thumbnail_machine_notify_cb (LodgeThumbnail *self,
                                   GParamSpec     *pspec,
                                   LodgeMachine   *machine)
{
  if (g_str_equal (pspec->name, "state"))
    {
      self->failed = FALSE;
      lodge_thumbnail_schedule (self);
    }
}

static void
lodge_thumbnail_adjustment_changed_cb (LodgeThumbnail *self)
{
  lodge_thumbnail_schedule (self);
}

static void
lodge_thumbnail_watch_scrolled (LodgeThumbnail *self,
                                GtkWidget      *scrolled)
{
  if (self->scrolled == scrolled)
    return;

  if (self->scrolled != NULL)
    {
      GtkScrolledWindow *old = GTK_SCROLLED_WINDOW (self->scrolled);

      g_signal_handlers_disconnect_by_data (gtk_scrolled_window_get_vadjustment (old), self);
      g_signal_handlers_disconnect_by_data (gtk_scrolled_window_get_hadjustment (old), self);
    }
  self->scrolled = scrolled;
  if (scrolled != NULL)
    {
      GtkAdjustment *adjustments[] = {
        gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
        gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scrolled)),
      };

      for (guint i = 0; i < G_N_ELEMENTS (adjustments); i++)
        {
          g_signal_connect_object (adjustments[i], "value-changed",
                                   G_CALLBACK (lodge_thumbnail_adjustment_changed_cb),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (adjustments[i], "changed",
                                   G_CALLBACK (lodge_thumbnail_adjustment_changed_cb),
                                   self, G_CONNECT_SWAPPED);
        }
    }
}

/* GtkWidget ----------------------------------------------------------- */

static void
lodge_thumbnail_map (GtkWidget *widget)
{
  LodgeThumbnail *self = LODGE_THUMBNAIL (widget);

  GTK_WIDGET_CLASS (lodge_thumbnail_parent_class)->map (widget);

  /* Shown again (back from a console, which took the guest's only SPICE
   * client slot): worth another try. */
  self->failed = FALSE;
  lodge_thumbnail_watch_scrolled (self, gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW));
  lodge_thumbnail_schedule (self);
}

static void
lodge_thumbnail_unmap (GtkWidget *widget)
{
  LodgeThumbnail *self = LODGE_THUMBNAIL (widget);

  lodge_thumbnail_watch_scrolled (self, NULL);
  g_clear_handle_id (&self->settle_source, g_source_remove);
  lodge_thumbnail_stop (self);

  GTK_WIDGET_CLASS (lodge_thumbnail_parent_class)->unmap (widget);
}

static void
lodge_thumbnail_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  LodgeThumbnail *self = LODGE_THUMBNAIL (widget);
  LodgeFramebuffer *framebuffer;
  int fb_width, fb_height, width;

  *minimum = *natural = 0;
  if (!self->has_picture || self->session == NULL)
    return;

  framebuffer = lodge_spice_session_get_framebuffer (self->session);
  fb_width = lodge_framebuffer_get_width (framebuffer);
  fb_height = lodge_framebuffer_get_height (framebuffer);
  if (fb_width <= 0 || fb_height <= 0)
    return;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = self->width;
  else
    {
      width = for_size > 0 ? MIN (for_size, self->width) : self->width;
      *minimum = *natural = CLAMP (width * fb_height / fb_width, 1, self->width);
    }
}

static GtkSizeRequestMode
lodge_thumbnail_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
lodge_thumbnail_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  LodgeThumbnail *self = LODGE_THUMBNAIL (widget);
  LodgeFramebuffer *framebuffer;
  int fb_width, fb_height, picture_width, picture_height;
  double scale;

  if (self->picture == NULL)
    return;

  /* The picture fitted with its aspect kept, as GtkPicture's "contain"
   * would, but on whole pixels: at a fraction of a pixel every tile edge
   * of the framebuffer would fall between pixels and show as a seam. */
  framebuffer = lodge_spice_session_get_framebuffer (self->session);
  fb_width = lodge_framebuffer_get_width (framebuffer);
  fb_height = lodge_framebuffer_get_height (framebuffer);
  if (fb_width <= 0 || fb_height <= 0 || width <= 0 || height <= 0)
    {
      gtk_widget_allocate (self->picture, width, height, baseline, NULL);
      return;
    }
  scale = MIN ((double) width / fb_width, (double) height / fb_height);
  picture_width = CLAMP ((int) round (fb_width * scale), 1, width);
  picture_height = CLAMP ((int) round (fb_height * scale), 1, height);
  gtk_widget_allocate (self->picture, picture_width, picture_height, -1,
                       gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT ((width - picture_width) / 2,
                                                                            (height - picture_height) / 2)));
}

/* The framebuffer draws its tiles as cairo nodes for the cairo renderer
 * (cheap, and sharp-edged when scaled), as textures for GL. */
static void
lodge_thumbnail_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  LodgeThumbnail *self = LODGE_THUMBNAIL (widget);
  GtkNative *native = gtk_widget_get_native (widget);

  if (self->picture == NULL)
    return;
  if (native != NULL && self->session != NULL)
    lodge_framebuffer_set_use_cairo (lodge_spice_session_get_framebuffer (self->session),
                                     GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native)));
  gtk_widget_snapshot_child (widget, self->picture, snapshot);
}

/* GObject ------------------------------------------------------------- */

static void
lodge_thumbnail_dispose (GObject *object)
{
  LodgeThumbnail *self = LODGE_THUMBNAIL (object);

  lodge_thumbnail_set_machine (self, NULL);
  lodge_thumbnail_watch_scrolled (self, NULL);
  g_clear_handle_id (&self->settle_source, g_source_remove);
  lodge_thumbnail_stop (self);

  G_OBJECT_CLASS (lodge_thumbnail_parent_class)->dispose (object);
}

static void
lodge_thumbnail_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LodgeThumbnail *self = LODGE_THUMBNAIL (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;
    case PROP_HAS_PICTURE:
      g_value_set_boolean (value, self->has_picture);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_thumbnail_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LodgeThumbnail *self = LODGE_THUMBNAIL (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      lodge_thumbnail_set_machine (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_thumbnail_class_init (LodgeThumbnailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_thumbnail_dispose;
  object_class->get_property = lodge_thumbnail_get_property;
  object_class->set_property = lodge_thumbnail_set_property;

  widget_class->map = lodge_thumbnail_map;
  widget_class->unmap = lodge_thumbnail_unmap;
  widget_class->measure = lodge_thumbnail_measure;
  widget_class->get_request_mode = lodge_thumbnail_get_request_mode;
  widget_class->size_allocate = lodge_thumbnail_size_allocate;
  widget_class->snapshot = lodge_thumbnail_snapshot;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, LODGE_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_PICTURE] =
    g_param_spec_boolean ("has-picture", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "lodgethumbnail");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
lodge_thumbnail_init (LodgeThumbnail *self)
{
  self->width = DEFAULT_WIDTH;
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

/* Public API ---------------------------------------------------------- */

GtkWidget *
lodge_thumbnail_new (void)
{
  return g_object_new (LODGE_TYPE_THUMBNAIL, NULL);
}

LodgeMachine *
lodge_thumbnail_get_machine (LodgeThumbnail *self)
{
  g_return_val_if_fail (LODGE_IS_THUMBNAIL (self), NULL);

  return self->machine;
}

void
lodge_thumbnail_set_machine (LodgeThumbnail *self,
                             LodgeMachine   *machine)
{
  g_return_if_fail (LODGE_IS_THUMBNAIL (self));
  g_return_if_fail (machine == NULL || LODGE_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_func (self->machine, lodge_thumbnail_machine_notify_cb, self);
  g_clear_handle_id (&self->settle_source, g_source_remove);
  lodge_thumbnail_stop (self);
  g_set_object (&self->machine, machine);
  self->failed = FALSE;

  if (machine != NULL)
    {
      g_signal_connect_object (machine, "notify::state",
                               G_CALLBACK (lodge_thumbnail_machine_notify_cb),
                               self, G_CONNECT_SWAPPED);
      lodge_thumbnail_schedule (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

gboolean
lodge_thumbnail_get_has_picture (LodgeThumbnail *self)
{
  g_return_val_if_fail (LODGE_IS_THUMBNAIL (self), FALSE);

  return self->has_picture;
}

void
lodge_thumbnail_set_width (LodgeThumbnail *self,
                           int             width)
{
  g_return_if_fail (LODGE_IS_THUMBNAIL (self));
  g_return_if_fail (width > 0);

  self->width = width;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
lodge_thumbnail_get_n_sessions (void)
{
  return n_sessions;
}

void
lodge_thumbnail_set_allow_test_driver (gboolean allow)
{
  allow_test_driver = !!allow;
}
