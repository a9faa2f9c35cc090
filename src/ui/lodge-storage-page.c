/* lodge-storage-page.c: a host's storage pools and their volumes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Actions on the selected pool and volume (storage.* actions, enabled in
 * one place), dialogs for new pools and volumes, confirmations for what
 * destroys data, and one transfer (clone, upload, download) at a time with
 * its progress and Cancel. The pools are few (a row each, through
 * gtk_list_box_bind_model); a pool's volumes may be thousands, so they are
 * a GtkColumnView over a GtkSortListModel of the pool's own model, whose
 * cells are made for the rows on screen only and bound to the volume they
 * show while they show it.
 */
#define G_LOG_DOMAIN "lodge-storage-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-storage-dialog.h"
#include "ui/lodge-storage-page.h"
#include "ui/lodge-ui-private.h"

/* Warn when the volumes are promised more than this share of the space
 * the pool has (free plus allocated): at 100 % guests writing to thin
 * volumes pause with an I/O error once the pool fills. */
#define PROMISED_WARNING 0.9

static char *
format_size (guint64 bytes)
{
  /* Disks are sized in binary units: a "100 GiB" volume reads so. */
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static const char *
pool_type_label (const char *type)
{
  static const struct { const char *type; const char *label; } labels[] = {
    { "dir", N_("Folder") },
    { "fs", N_("File system") },
    { "netfs", N_("Network share (NFS)") },
    { "logical", N_("LVM volume group") },
    { "disk", N_("Disk") },
    { "iscsi", N_("iSCSI") },
    { "iscsi-direct", N_("iSCSI (direct)") },
    { "scsi", N_("SCSI host adapter") },
    { "mpath", N_("Multipath devices") },
    { "rbd", N_("Ceph RBD") },
    { "gluster", N_("Gluster") },
    { "zfs", N_("ZFS") },
    { "vstorage", N_("Virtuozzo storage") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (type, labels[i].type) == 0)
      return _(labels[i].label);
  return type != NULL ? type : "";
}

static const char *
pool_type_icon (const char *type)
{
  if (g_strcmp0 (type, "dir") == 0 || g_strcmp0 (type, "fs") == 0)
    return "folder-symbolic";
  if (g_strcmp0 (type, "netfs") == 0 || g_strcmp0 (type, "iscsi") == 0 ||
      g_strcmp0 (type, "iscsi-direct") == 0 || g_strcmp0 (type, "rbd") == 0 ||
      g_strcmp0 (type, "gluster") == 0 || g_strcmp0 (type, "vstorage") == 0)
    return "network-server-symbolic";
  return "drive-harddisk-symbolic";
}

static const char *
pool_state_label (LodgeStoragePoolState state)
{
  switch (state)
    {
    case LODGE_STORAGE_POOL_STATE_INACTIVE:
      return C_("storage pool", "Stopped");
    case LODGE_STORAGE_POOL_STATE_BUILDING:
      return C_("storage pool", "Building");
    case LODGE_STORAGE_POOL_STATE_RUNNING:
      return C_("storage pool", "Running");
    case LODGE_STORAGE_POOL_STATE_DEGRADED:
      return C_("storage pool", "Degraded");
    case LODGE_STORAGE_POOL_STATE_INACCESSIBLE:
      return C_("storage pool", "Inaccessible");
    default:
      return "";
    }
}

/* A pool's row -------------------------------------------------------------- */

#define LODGE_TYPE_STORAGE_POOL_ROW (lodge_storage_pool_row_get_type ())
G_DECLARE_FINAL_TYPE (LodgeStoragePoolRow, lodge_storage_pool_row, LODGE, STORAGE_POOL_ROW, GtkListBoxRow)

struct _LodgeStoragePoolRow
{
  GtkListBoxRow     parent_instance;

  LodgeStoragePool *pool;
  GtkImage         *icon;
  GtkLabel         *name_label;
  GtkLabel         *state_label;
  GtkLabel         *details_label;
  GtkLevelBar      *level_bar;
  GtkLabel         *usage_label;
  GtkWidget        *promised_box;
  GtkWidget        *promised_icon;
  GtkLabel         *promised_label;
  gboolean          warns;
};

G_DEFINE_FINAL_TYPE (LodgeStoragePoolRow, lodge_storage_pool_row, GTK_TYPE_LIST_BOX_ROW)

static void
lodge_storage_pool_row_update (LodgeStoragePoolRow *self)
{
  LodgeStoragePool *pool = self->pool;
  LodgeStoragePoolState state = lodge_storage_pool_get_state (pool);
  const char *type = lodge_storage_pool_get_pool_type (pool);
  guint64 capacity = lodge_storage_pool_get_capacity (pool);
  guint64 allocation = lodge_storage_pool_get_allocation (pool);
  guint64 available = lodge_storage_pool_get_available (pool);
  guint64 promised = lodge_storage_pool_get_volumes_capacity (pool);
  gboolean active = lodge_storage_pool_get_active (pool);
  g_autofree char *details = NULL;
  g_autofree char *accessible = NULL;

  gtk_image_set_from_icon_name (self->icon, pool_type_icon (type));
  gtk_label_set_label (self->name_label, lodge_storage_pool_get_name (pool));
  gtk_label_set_label (self->state_label, pool_state_label (state));
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "error");
  if (state == LODGE_STORAGE_POOL_STATE_DEGRADED)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "warning");
  else if (state == LODGE_STORAGE_POOL_STATE_INACCESSIBLE)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "error");

  /* Translators: a storage pool's type, then whether it starts with the host. */
  details = g_strdup_printf (_("%s · %s"), pool_type_label (type),
                             lodge_storage_pool_get_autostart (pool) ? _("Starts with the host")
                                                                     : _("Started by hand"));
  gtk_label_set_label (self->details_label, details);

  /* Space: a stopped pool says nothing libvirt could vouch for. */
  gtk_widget_set_visible (GTK_WIDGET (self->level_bar), active && capacity > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->usage_label), active && capacity > 0);
  if (active && capacity > 0)
    {
      g_autofree char *used = format_size (allocation);
      g_autofree char *total = format_size (capacity);
      g_autofree char *free_ = format_size (available);
      g_autofree char *usage = NULL;

      gtk_level_bar_set_value (self->level_bar, MIN ((double) allocation / (double) capacity, 1.0));
      /* Translators: space in a storage pool: "2.0 GiB used of 100.0 GiB, 98.0 GiB free". */
      usage = g_strdup_printf (_("%s used of %s, %s free"), used, total, free_);
      gtk_label_set_label (self->usage_label, usage);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->level_bar),
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, usage, -1);
    }

  /* Thin volumes: what they may grow to, against what there is. */
  self->warns = FALSE;
  if (active && capacity > 0 && promised > allocation)
    {
      g_autofree char *size = format_size (promised);
      g_autofree char *text = NULL;
      guint percent = (guint) MIN ((double) promised * 100.0 / (double) capacity + 0.5, (double) G_MAXUINT);

      self->warns = (double) promised > PROMISED_WARNING * (double) (available + allocation);
      /* Translators: the sum of a pool's volumes' sizes, which thin volumes
       * do not use yet, and its share of the pool's size. */
      text = g_strdup_printf (_("Promised to volumes: %s (%u %% of capacity)"), size, percent);
      gtk_label_set_label (self->promised_label, text);
      gtk_widget_set_visible (self->promised_box, TRUE);
    }
  else
    gtk_widget_set_visible (self->promised_box, FALSE);

  gtk_widget_set_visible (self->promised_icon, self->warns);
  if (self->warns)
    {
      gtk_widget_add_css_class (self->promised_box, "warning");
      gtk_widget_set_tooltip_text (self->promised_box,
                                   _("If the volumes grow to their full size the pool runs out of "
                                     "space, and machines writing to it pause."));
    }
  else
    {
      gtk_widget_remove_css_class (self->promised_box, "warning");
      gtk_widget_set_tooltip_text (self->promised_box,
                                   _("Thin volumes use space only as they are written to."));
    }

  accessible = g_strdup_printf ("%s, %s", lodge_storage_pool_get_name (pool), pool_state_label (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
lodge_storage_pool_row_pool_notify_cb (LodgeStoragePoolRow *self,
                                       GParamSpec          *pspec,
                                       LodgeStoragePool    *pool)
{
  lodge_storage_pool_row_update (self);
}

static void
lodge_storage_pool_row_dispose (GObject *object)
{
  LodgeStoragePoolRow *self = LODGE_STORAGE_POOL_ROW (object);

  g_clear_object (&self->pool);

  G_OBJECT_CLASS (lodge_storage_pool_row_parent_class)->dispose (object);
}

static void
lodge_storage_pool_row_class_init (LodgeStoragePoolRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lodge_storage_pool_row_dispose;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "row");
}

static GtkLabel *
caption_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "caption");
  return GTK_LABEL (label);
}

static void
lodge_storage_pool_row_init (LodgeStoragePoolRow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 4);
  gtk_widget_set_margin_end (box, 4);

  self->icon = g_object_new (GTK_TYPE_IMAGE, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
  self->name_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->name_label, 0);
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->name_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "heading");
  self->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "dim-label");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->icon));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->name_label));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->state_label));
  gtk_box_append (GTK_BOX (box), top);

  self->details_label = caption_label ();
  gtk_widget_add_css_class (GTK_WIDGET (self->details_label), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->details_label));

  /* Usage fills from the left; only its last tenth is a warning colour
   * (GTK's own offsets are for batteries, where low is bad). */
  self->level_bar = GTK_LEVEL_BAR (gtk_level_bar_new_for_interval (0.0, 1.0));
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_level_bar_add_offset_value (self->level_bar, "lodge-fine", PROMISED_WARNING);
  gtk_level_bar_add_offset_value (self->level_bar, "lodge-nearly-full", 1.0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->level_bar), 2);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->level_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Space used"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->level_bar));

  self->usage_label = caption_label ();
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->usage_label));

  self->promised_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->promised_icon = g_object_new (GTK_TYPE_IMAGE, "icon-name", "dialog-warning-symbolic",
                                      "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                      "valign", GTK_ALIGN_START, NULL);
  self->promised_label = caption_label ();
  gtk_widget_set_hexpand (GTK_WIDGET (self->promised_label), TRUE);
  gtk_box_append (GTK_BOX (self->promised_box), self->promised_icon);
  gtk_box_append (GTK_BOX (self->promised_box), GTK_WIDGET (self->promised_label));
  gtk_box_append (GTK_BOX (box), self->promised_box);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), box);
}

static GtkWidget *
lodge_storage_pool_row_new (LodgeStoragePool *pool)
{
  LodgeStoragePoolRow *self = g_object_new (LODGE_TYPE_STORAGE_POOL_ROW, NULL);

  self->pool = g_object_ref (pool);
  g_signal_connect_object (pool, "notify", G_CALLBACK (lodge_storage_pool_row_pool_notify_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_storage_pool_row_update (self);
  return GTK_WIDGET (self);
}

/* The page ------------------------------------------------------------------ */

struct _LodgeStoragePage
{
  GtkWidget          parent_instance;

  LodgeHost         *host;
  LodgeStorage      *storage;
  GtkSortListModel  *sorted_pools;  /* by name: the model appends new ones */
  LodgeStoragePool  *pool;          /* selected */
  GtkSortListModel  *sorted_volumes;

  GtkStack          *stack;
  GtkSpinner        *spinner;
  AdwStatusPage     *error_status;
  GtkListBox        *pool_list;
  GtkStack          *volume_stack;
  GtkColumnView     *volume_view;
  GtkSingleSelection *volume_selection;
  AdwToastOverlay   *toast_overlay;
  GtkRevealer       *transfer_revealer;
  GtkLabel          *transfer_label;
  GtkProgressBar    *transfer_bar;

  GtkWindow         *dialog;         /* the dialog open now, for tests */
  GCancellable      *transfer;       /* the clone, upload or download under way */
  guint              busy;           /* actions under way */
  char              *last_message;   /* the last toast, for tests */
};

G_DEFINE_FINAL_TYPE (LodgeStoragePage, lodge_storage_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HOST,
  PROP_POOL_AUTOSTART,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lodge_storage_page_update_actions (LodgeStoragePage *self);

static void
lodge_storage_page_update_volumes (LodgeStoragePage *self)
{
  const char *page;

  if (self->pool == NULL)
    page = "none";
  else if (!lodge_storage_pool_get_active (self->pool))
    page = "inactive";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->sorted_volumes)) == 0)
    page = "no-volumes";
  else
    page = "volumes";
  gtk_stack_set_visible_child_name (self->volume_stack, page);
}

static void
lodge_storage_page_update (LodgeStoragePage *self)
{
  LodgeConnectionState state = lodge_host_get_state (self->host);
  const char *page;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->storage)) > 0)
    page = "pools";
  else if (lodge_storage_get_loaded (self->storage))
    page = "empty";
  else if (lodge_storage_get_error (self->storage) != NULL)
    {
      adw_status_page_set_description (self->error_status, lodge_storage_get_error (self->storage)->message);
      page = "error";
    }
  else if (state == LODGE_CONNECTION_STATE_DISCONNECTED || state == LODGE_CONNECTION_STATE_FAILED)
    page = "disconnected";
  else
    page = "loading";

  gtk_spinner_set_spinning (self->spinner, g_str_equal (page, "loading"));
  gtk_stack_set_visible_child_name (self->stack, page);

  /* Something is always selected while there are pools. */
  if (gtk_list_box_get_selected_row (self->pool_list) == NULL)
    {
      GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->pool_list, 0);

      if (first != NULL)
        gtk_list_box_select_row (self->pool_list, first);
    }
}

static void
lodge_storage_page_storage_notify_cb (LodgeStoragePage *self,
                                      GParamSpec       *pspec,
                                      GObject          *object)
{
  lodge_storage_page_update (self);
  lodge_storage_page_update_actions (self);
}

static void
lodge_storage_page_storage_items_changed_cb (LodgeStoragePage *self,
                                             guint             position,
                                             guint             removed,
                                             guint             added,
                                             GListModel       *model)
{
  lodge_storage_page_update (self);
}

static void
lodge_storage_page_pool_notify_cb (LodgeStoragePage *self,
                                   GParamSpec       *pspec,
                                   LodgeStoragePool *pool)
{
  if (g_str_equal (pspec->name, "active"))
    lodge_storage_page_update_volumes (self);
  if (g_str_equal (pspec->name, "autostart"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOL_AUTOSTART]);
  lodge_storage_page_update_actions (self);
}

static void
lodge_storage_page_volumes_items_changed_cb (LodgeStoragePage *self,
                                             guint             position,
                                             guint             removed,
                                             guint             added,
                                             GListModel       *model)
{
  lodge_storage_page_update_volumes (self);
}

static void
lodge_storage_page_set_pool (LodgeStoragePage *self,
                             LodgeStoragePool *pool)
{
  if (self->pool == pool)
    return;

  if (self->pool != NULL)
    g_signal_handlers_disconnect_by_data (self->pool, self);
  g_set_object (&self->pool, pool);
  if (pool != NULL)
    g_signal_connect_object (pool, "notify", G_CALLBACK (lodge_storage_page_pool_notify_cb),
                             self, G_CONNECT_SWAPPED);
  gtk_sort_list_model_set_model (self->sorted_volumes,
                                 pool != NULL ? lodge_storage_pool_get_volumes (pool) : NULL);
  lodge_storage_page_update_volumes (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOL_AUTOSTART]);
  lodge_storage_page_update_actions (self);
}

static void
lodge_storage_page_pool_list_row_selected_cb (LodgeStoragePage *self,
                                              GtkListBoxRow    *row,
                                              GtkListBox       *list)
{
  lodge_storage_page_set_pool (self, row != NULL ? LODGE_STORAGE_POOL_ROW (row)->pool : NULL);
}

static void
lodge_storage_page_pool_list_row_activated_cb (LodgeStoragePage *self,
                                               GtkListBoxRow    *row,
                                               GtkListBox       *list)
{
  gtk_list_box_select_row (list, row);
}

static GtkWidget *
lodge_storage_page_create_pool_row (gpointer item,
                                    gpointer user_data)
{
  return lodge_storage_pool_row_new (LODGE_STORAGE_POOL (item));
}

/* Volume columns -------------------------------------------------------- */

typedef enum
{
  COLUMN_NAME,
  COLUMN_FORMAT,
  COLUMN_SIZE,
  COLUMN_USES,
  COLUMN_BACKING,
} Column;

static gboolean
transform_size (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  g_value_take_string (to, format_size (g_value_get_uint64 (from)));
  return TRUE;
}

static gboolean
transform_nullable (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  const char *text = g_value_get_string (from);

  g_value_set_string (to, text != NULL ? text : "");
  return TRUE;
}

static void
lodge_storage_page_volume_cell_setup_cb (GtkSignalListItemFactory *factory,
                                         GtkListItem              *item,
                                         gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  switch (column)
    {
    case COLUMN_SIZE:
    case COLUMN_USES:
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
      break;
    case COLUMN_BACKING:
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      /* The file's name is at the end of its path. */
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
      gtk_label_set_width_chars (GTK_LABEL (label), 8);
      gtk_widget_add_css_class (label, "dim-label");
      break;
    case COLUMN_NAME:
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 10);
      break;
    case COLUMN_FORMAT:
    default:
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      break;
    }
  gtk_list_item_set_child (item, label);
}

static void
lodge_storage_page_volume_cell_bind_cb (GtkSignalListItemFactory *factory,
                                        GtkListItem              *item,
                                        gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_list_item_get_child (item);
  LodgeStorageVolume *volume = gtk_list_item_get_item (item);
  GBinding *binding = NULL;

  switch (column)
    {
    case COLUMN_NAME:
      binding = g_object_bind_property (volume, "name", label, "label", G_BINDING_SYNC_CREATE);
      break;
    case COLUMN_FORMAT:
      binding = g_object_bind_property_full (volume, "format", label, "label", G_BINDING_SYNC_CREATE,
                                             transform_nullable, NULL, NULL, NULL);
      break;
    case COLUMN_SIZE:
      binding = g_object_bind_property_full (volume, "capacity", label, "label", G_BINDING_SYNC_CREATE,
                                             transform_size, NULL, NULL, NULL);
      break;
    case COLUMN_USES:
      binding = g_object_bind_property_full (volume, "allocation", label, "label", G_BINDING_SYNC_CREATE,
                                             transform_size, NULL, NULL, NULL);
      break;
    case COLUMN_BACKING:
      binding = g_object_bind_property_full (volume, "backing-path", label, "label", G_BINDING_SYNC_CREATE,
                                             transform_nullable, NULL, NULL, NULL);
      g_object_set_data (G_OBJECT (label), "lodge-tooltip-binding",
                         g_object_bind_property (volume, "backing-path", label, "tooltip-text",
                                                 G_BINDING_SYNC_CREATE));
      break;
    default:
      g_assert_not_reached ();
    }
  g_object_set_data (G_OBJECT (label), "lodge-binding", binding);
}

static void
lodge_storage_page_volume_cell_unbind_cb (GtkSignalListItemFactory *factory,
                                          GtkListItem              *item,
                                          gpointer                  user_data)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *keys[] = { "lodge-binding", "lodge-tooltip-binding" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GBinding *binding = g_object_steal_data (G_OBJECT (label), keys[i]);

      if (binding != NULL)
        g_binding_unbind (binding);
    }
}

static GtkColumnViewColumn *
lodge_storage_page_add_column (LodgeStoragePage *self,
                               const char       *title,
                               Column            column,
                               GtkSorter        *sorter,
                               gboolean          expand,
                               int               fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (lodge_storage_page_volume_cell_setup_cb),
                    GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (lodge_storage_page_volume_cell_bind_cb),
                    GINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (lodge_storage_page_volume_cell_unbind_cb),
                    GINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  if (sorter != NULL)
    gtk_column_view_column_set_sorter (view_column, sorter);
  gtk_column_view_append_column (self->volume_view, view_column);
  g_object_unref (view_column);
  g_clear_object (&sorter);
  return view_column;
}

static void
lodge_storage_page_volume_selected_cb (LodgeStoragePage *self)
{
  lodge_storage_page_update_actions (self);
}

static void
lodge_storage_page_setup_volume_view (LodgeStoragePage *self)
{
  GtkColumnViewColumn *name_column;
  GtkSingleSelection *selection;

  name_column = lodge_storage_page_add_column (self, _("Name"), COLUMN_NAME,
    GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (LODGE_TYPE_STORAGE_VOLUME, NULL, "name"))),
    TRUE, -1);
  lodge_storage_page_add_column (self, _("Format"), COLUMN_FORMAT, NULL, FALSE, 70);
  lodge_storage_page_add_column (self, _("Size"), COLUMN_SIZE,
    GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (LODGE_TYPE_STORAGE_VOLUME, NULL, "capacity"))),
    FALSE, 90);
  lodge_storage_page_add_column (self, _("Uses"), COLUMN_USES,
    GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (LODGE_TYPE_STORAGE_VOLUME, NULL, "allocation"))),
    FALSE, 90);
  lodge_storage_page_add_column (self, _("Backing File"), COLUMN_BACKING, NULL, TRUE, -1);

  self->sorted_volumes = gtk_sort_list_model_new (NULL, g_object_ref (gtk_column_view_get_sorter (self->volume_view)));
  g_signal_connect_object (self->sorted_volumes, "items-changed",
                           G_CALLBACK (lodge_storage_page_volumes_items_changed_cb), self, G_CONNECT_SWAPPED);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sorted_volumes)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  self->volume_selection = selection;
  g_signal_connect_object (selection, "notify::selected-item",
                           G_CALLBACK (lodge_storage_page_volume_selected_cb), self, G_CONNECT_SWAPPED);
  /* Kept (self->volume_selection) beyond the view, for actions that end
   * after the window closed. */
  gtk_column_view_set_model (self->volume_view, GTK_SELECTION_MODEL (selection));
  gtk_column_view_sort_by_column (self->volume_view, name_column, GTK_SORT_ASCENDING);
}

/* Actions ------------------------------------------------------------------- */

static LodgeStorageVolume *
lodge_storage_page_get_volume (LodgeStoragePage *self)
{
  return self->volume_selection != NULL ? gtk_single_selection_get_selected_item (self->volume_selection) : NULL;
}

/* The one place that says which actions apply. */
static void
lodge_storage_page_update_actions (LodgeStoragePage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  LodgeStoragePool *pool = self->pool;
  LodgeStorageVolume *volume;
  gboolean connected, has_pool, active, has_volume, transferring;

  if (self->host == NULL)
    return; /* disposed while an action ran */
  volume = lodge_storage_page_get_volume (self);
  connected = lodge_host_get_state (self->host) == LODGE_CONNECTION_STATE_CONNECTED;
  has_pool = connected && pool != NULL && lodge_storage_pool_get_storage (pool) != NULL;
  active = has_pool && lodge_storage_pool_get_active (pool);
  has_volume = active && volume != NULL && lodge_storage_volume_get_pool (volume) != NULL;
  transferring = self->transfer != NULL;
  gtk_widget_action_set_enabled (widget, "storage.new-pool", connected);
  gtk_widget_action_set_enabled (widget, "storage.start-pool", has_pool && !active);
  gtk_widget_action_set_enabled (widget, "storage.stop-pool", active);
  gtk_widget_action_set_enabled (widget, "storage.refresh-pool", active);
  gtk_widget_action_set_enabled (widget, "storage.autostart", has_pool && lodge_storage_pool_get_persistent (pool));
  gtk_widget_action_set_enabled (widget, "storage.delete-pool", has_pool);
  gtk_widget_action_set_enabled (widget, "storage.new-volume", active);
  gtk_widget_action_set_enabled (widget, "storage.clone-volume", has_volume && !transferring);
  gtk_widget_action_set_enabled (widget, "storage.resize-volume", has_volume);
  gtk_widget_action_set_enabled (widget, "storage.wipe-volume", has_volume);
  gtk_widget_action_set_enabled (widget, "storage.delete-volume", has_volume);
  gtk_widget_action_set_enabled (widget, "storage.upload-volume", has_volume && !transferring);
  gtk_widget_action_set_enabled (widget, "storage.download-volume", has_volume && !transferring);
  gtk_widget_action_set_enabled (widget, "storage.cancel-transfer", transferring);
}

static void
lodge_storage_page_toast (LodgeStoragePage *self,
                          const char       *message)
{
  AdwToast *toast;

  if (self->toast_overlay == NULL)
    return; /* the window closed meanwhile */
  toast = adw_toast_new (message);
  g_free (self->last_message);
  self->last_message = g_strdup (message);
  /* Errors stay until read: they say what to do. */
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Every action's end: its error, if any, as a toast. */
static void
lodge_storage_page_action_done (LodgeStoragePage *self,
                                const GError     *error,
                                const char       *what)
{
  g_assert (self->busy > 0);
  self->busy--;
  lodge_storage_page_update_actions (self);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: the pool or volume acted on, then the model's message:
       * "“a.qcow2”: Could not delete the volume: …". */
      g_autofree char *message = g_strdup_printf (_("%s: %s"), what, error->message);
      lodge_storage_page_toast (self, message);
    }
  else if (error != NULL)
    lodge_storage_page_toast (self, error->message);
}

static void
lodge_storage_page_present (LodgeStoragePage *self,
                            GtkWindow        *dialog)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    lodge_ui_window_set_parent (dialog, GTK_WINDOW (root));
  g_set_weak_pointer (&self->dialog, dialog);
  gtk_window_present (dialog);
}

static AdwMessageDialog *
lodge_storage_page_question (LodgeStoragePage *self,
                             const char       *heading,
                             const char       *body,
                             const char       *id,
                             const char       *label,
                             gboolean          destructive)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                                         heading, body));

  lodge_ui_dialog_add_choice (dialog, id, label, destructive);
  return dialog;
}

/* Pools */

static void
lodge_storage_page_dialog_created_cb (LodgeStoragePage *self,
                                      GObject          *created,
                                      GtkWidget        *dialog)
{
  if (LODGE_IS_STORAGE_POOL (created))
    lodge_storage_page_select_pool (self, lodge_storage_pool_get_name (LODGE_STORAGE_POOL (created)));
  else if (LODGE_IS_STORAGE_VOLUME (created))
    {
      GListModel *model = G_LIST_MODEL (self->volume_selection);

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (model, i);

          if (item == created)
            gtk_single_selection_set_selected (self->volume_selection, i);
        }
    }
}

static void
lodge_storage_page_new_pool_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);
  GtkWidget *dialog = lodge_storage_dialog_new_pool (self->storage);

  g_signal_connect_object (dialog, "created", G_CALLBACK (lodge_storage_page_dialog_created_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_storage_page_present (self, GTK_WINDOW (dialog));
}

typedef struct
{
  LodgeStoragePage *page;
  char             *what;
} Done;

static Done *
done_new (LodgeStoragePage *self,
          char             *what)
{
  Done *done = g_new (Done, 1);

  self->busy++;
  lodge_storage_page_update_actions (self);
  done->page = g_object_ref (self);
  done->what = what;
  return done;
}

static void
done_finish (Done         *done,
             const GError *error)
{
  lodge_storage_page_action_done (done->page, error, done->what);
  g_object_unref (done->page);
  g_free (done->what);
  g_free (done);
}

static void
lodge_storage_page_pool_action_cb (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  lodge_storage_pool_run_action_finish (LODGE_STORAGE_POOL (object), result, &error);
  done_finish (user_data, error);
}

static void
lodge_storage_page_run_pool_action (LodgeStoragePage       *self,
                                    LodgeStoragePoolAction  action,
                                    char                   *what)
{
  g_autofree char *text = what;

  if (self->pool == NULL)
    return;
  lodge_storage_pool_run_action_async (self->pool, action, NULL, lodge_storage_page_pool_action_cb,
                                       done_new (self, g_steal_pointer (&text)));
}

static void
lodge_storage_page_start_pool_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);

  if (self->pool != NULL)
    lodge_storage_page_run_pool_action (self, LODGE_STORAGE_POOL_ACTION_START,
                                        /* Translators: %s is a pool's name. */
                                        g_strdup_printf (_("“%s”"),
                                                         lodge_storage_pool_get_name (self->pool)));
}

static void
lodge_storage_page_stop_pool_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);

  if (self->pool != NULL)
    lodge_storage_page_run_pool_action (self, LODGE_STORAGE_POOL_ACTION_STOP,
                                        /* Translators: %s is a pool's name. */
                                        g_strdup_printf (_("“%s”"),
                                                         lodge_storage_pool_get_name (self->pool)));
}

static void
lodge_storage_page_refresh_pool_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);

  if (self->pool != NULL)
    lodge_storage_page_run_pool_action (self, LODGE_STORAGE_POOL_ACTION_REFRESH,
                                        /* Translators: %s is a pool's name. */
                                        g_strdup_printf (_("“%s”"),
                                                         lodge_storage_pool_get_name (self->pool)));
}

static void
lodge_storage_page_pool_deleted_cb (GObject      *object,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  lodge_storage_pool_delete_finish (LODGE_STORAGE_POOL (object), result, &error);
  done_finish (user_data, error);
}

static void
lodge_storage_page_delete_pool_response_cb (LodgeStoragePage *self,
                                            const char       *response,
                                            AdwMessageDialog *dialog)
{
  LodgeStoragePool *pool = g_object_get_data (G_OBJECT (dialog), "lodge-pool");
  GtkWidget *check = adw_message_dialog_get_extra_child (dialog);
  g_autofree char *what = NULL;

  if (!g_str_equal (response, "delete") || pool == NULL)
    return;
  /* Translators: %s is a pool's name. */
  what = g_strdup_printf (_("“%s”"), lodge_storage_pool_get_name (pool));
  lodge_storage_pool_delete_async (pool, gtk_check_button_get_active (GTK_CHECK_BUTTON (check)), NULL,
                                   lodge_storage_page_pool_deleted_cb, done_new (self, g_steal_pointer (&what)));
}

static void
lodge_storage_page_delete_pool_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);
  AdwMessageDialog *dialog;
  GtkWidget *check;
  g_autofree char *heading = NULL;

  if (self->pool == NULL)
    return;
  /* Translators: %s is a pool's name. */
  heading = g_strdup_printf (_("Delete Pool “%s”?"), lodge_storage_pool_get_name (self->pool));
  dialog = lodge_storage_page_question (self, heading,
                                        _("Lodge forgets the pool. Its volumes stay on the host, "
                                          "unless you choose to delete them too."),
                                        "delete", _("_Delete"), TRUE);
  /* Unchecked: data goes only when asked for. */
  check = gtk_check_button_new_with_mnemonic (_("Also delete its _volumes and its folder"));
  adw_message_dialog_set_extra_child (dialog, check);
  g_object_set_data_full (G_OBJECT (dialog), "lodge-pool", g_object_ref (self->pool), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (lodge_storage_page_delete_pool_response_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_storage_page_present (self, GTK_WINDOW (dialog));
}

/* Volumes */

static void
lodge_storage_page_new_volume_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);
  GtkWidget *dialog;

  if (self->pool == NULL)
    return;
  dialog = lodge_storage_dialog_new_volume (self->pool);
  g_signal_connect_object (dialog, "created", G_CALLBACK (lodge_storage_page_dialog_created_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_storage_page_present (self, GTK_WINDOW (dialog));
}

static void
lodge_storage_page_volume_action_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  LodgeStorageVolume *volume = LODGE_STORAGE_VOLUME (object);
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (G_TASK (result));

  if (tag == lodge_storage_volume_delete_async)
    lodge_storage_volume_delete_finish (volume, result, &error);
  else if (tag == lodge_storage_volume_wipe_async)
    lodge_storage_volume_wipe_finish (volume, result, &error);
  else
    lodge_storage_volume_resize_finish (volume, result, &error);
  done_finish (user_data, error);
}

static void
lodge_storage_page_volume_response_cb (LodgeStoragePage *self,
                                       const char       *response,
                                       AdwMessageDialog *dialog)
{
  LodgeStorageVolume *volume = g_object_get_data (G_OBJECT (dialog), "lodge-volume");
  const char *name;
  Done *done;

  if (g_str_equal (response, "cancel") || volume == NULL)
    return;
  name = lodge_storage_volume_get_name (volume);
  if (g_str_equal (response, "delete"))
    {
      /* Translators: %s is a volume's name. */
      done = done_new (self, g_strdup_printf (_("“%s”"), name));
      lodge_storage_volume_delete_async (volume, NULL, lodge_storage_page_volume_action_cb, done);
    }
  else if (g_str_equal (response, "wipe"))
    {
      /* Translators: %s is a volume's name. */
      done = done_new (self, g_strdup_printf (_("“%s”"), name));
      lodge_storage_volume_wipe_async (volume, NULL, lodge_storage_page_volume_action_cb, done);
    }
  else if (g_str_equal (response, "grow"))
    {
      GtkSpinButton *spin = GTK_SPIN_BUTTON (adw_message_dialog_get_extra_child (dialog));
      guint64 capacity = (guint64) (gtk_spin_button_get_value (spin) * 1024.0 + 0.5) << 20;

      /* Translators: %s is a volume's name. */
      done = done_new (self, g_strdup_printf (_("“%s”"), name));
      lodge_storage_volume_resize_async (volume, capacity, NULL, lodge_storage_page_volume_action_cb, done);
    }
}

static void
lodge_storage_page_ask_volume (LodgeStoragePage *self,
                               char             *heading_owned,
                               const char       *body,
                               const char       *id,
                               const char       *label,
                               gboolean          destructive,
                               GtkWidget        *extra)
{
  LodgeStorageVolume *volume = lodge_storage_page_get_volume (self);
  g_autofree char *heading = heading_owned;
  AdwMessageDialog *dialog;

  if (volume == NULL)
    {
      if (extra != NULL)
        g_object_unref (g_object_ref_sink (extra));
      return;
    }
  dialog = lodge_storage_page_question (self, heading, body, id, label, destructive);
  if (extra != NULL)
    adw_message_dialog_set_extra_child (dialog, extra);
  g_object_set_data_full (G_OBJECT (dialog), "lodge-volume", g_object_ref (volume), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (lodge_storage_page_volume_response_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_storage_page_present (self, GTK_WINDOW (dialog));
}

static void
lodge_storage_page_delete_volume_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);
  LodgeStorageVolume *volume = lodge_storage_page_get_volume (self);

  if (volume == NULL)
    return;
  /* Translators: %s is a volume's name. */
  lodge_storage_page_ask_volume (self, g_strdup_printf (_("Delete Volume “%s”?"), lodge_storage_volume_get_name (volume)),
                                 _("What it holds is lost for good."), "delete", _("_Delete"), TRUE, NULL);
}

static void
lodge_storage_page_wipe_volume_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);
  LodgeStorageVolume *volume = lodge_storage_page_get_volume (self);

  if (volume == NULL)
    return;
  /* Translators: %s is a volume's name. */
  lodge_storage_page_ask_volume (self, g_strdup_printf (_("Wipe Volume “%s”?"), lodge_storage_volume_get_name (volume)),
                                 _("Everything written on it is replaced by zeros; the volume stays."),
                                 "wipe", _("_Wipe"), TRUE, NULL);
}

static void
lodge_storage_page_resize_volume_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);
  LodgeStorageVolume *volume = lodge_storage_page_get_volume (self);
  GtkWidget *spin;
  double gib;

  if (volume == NULL)
    return;
  gib = (double) lodge_storage_volume_get_capacity (volume) / (double) (G_GUINT64_CONSTANT (1) << 30);
  /* Volumes only grow: the smallest choice is the size it has. */
  spin = gtk_spin_button_new_with_range (gib, MAX (gib * 16, 65536.0), 1.0);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), gib);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New size in GiB"), -1);
  /* Translators: %s is a volume's name. */
  lodge_storage_page_ask_volume (self, g_strdup_printf (_("Grow Volume “%s”"), lodge_storage_volume_get_name (volume)),
                                 _("The new size in GiB. Volumes cannot shrink. The machine using it must "
                                   "then grow its partition and file system."),
                                 "grow", _("_Grow"), FALSE, spin);
}

/* Transfers: clone, upload, download */

static void
lodge_storage_page_transfer_progress_cb (guint64  done,
                                         guint64  total,
                                         gpointer user_data)
{
  LodgeStoragePage *self = user_data;
  g_autofree char *done_text = format_size (done);
  g_autofree char *total_text = format_size (total);
  g_autofree char *text = NULL;

  if (self->transfer_bar == NULL)
    return; /* the window closed meanwhile */
  if (total > 0)
    {
      gtk_progress_bar_set_fraction (self->transfer_bar, MIN ((double) done / (double) total, 1.0));
      /* Translators: progress of a copy: "1.2 GiB of 4.0 GiB". */
      text = g_strdup_printf (_("%s of %s"), done_text, total_text);
    }
  else
    {
      gtk_progress_bar_pulse (self->transfer_bar);
      text = g_strdup (done_text);
    }
  gtk_progress_bar_set_text (self->transfer_bar, text);
  gtk_progress_bar_set_show_text (self->transfer_bar, TRUE);
}

static void
lodge_storage_page_transfer_done_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  Done *done = user_data;
  LodgeStoragePage *self = done->page;
  LodgeStorageVolume *volume = LODGE_STORAGE_VOLUME (object);
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (G_TASK (result));

  if (tag == lodge_storage_volume_clone_async)
    {
      g_autoptr(LodgeStorageVolume) copy = lodge_storage_volume_clone_finish (volume, result, &error);
      if (copy != NULL)
        lodge_storage_page_dialog_created_cb (self, G_OBJECT (copy), NULL);
    }
  else if (tag == lodge_storage_volume_upload_async)
    lodge_storage_volume_upload_finish (volume, result, &error);
  else
    lodge_storage_volume_download_finish (volume, result, &error);

  g_clear_object (&self->transfer);
  if (self->transfer_revealer != NULL)
    gtk_revealer_set_reveal_child (self->transfer_revealer, FALSE);
  done_finish (done, error);
}

static Done *
lodge_storage_page_begin_transfer (LodgeStoragePage *self,
                                   char             *label,
                                   char             *what)
{
  g_assert (self->transfer == NULL);
  self->transfer = g_cancellable_new ();
  gtk_label_set_label (self->transfer_label, label);
  gtk_progress_bar_set_fraction (self->transfer_bar, 0.0);
  gtk_progress_bar_set_show_text (self->transfer_bar, FALSE);
  gtk_revealer_set_reveal_child (self->transfer_revealer, TRUE);
  g_free (label);
  return done_new (self, what);
}

static void
lodge_storage_page_clone_response_cb (LodgeStoragePage *self,
                                      const char       *response,
                                      AdwMessageDialog *dialog)
{
  LodgeStorageVolume *volume = g_object_get_data (G_OBJECT (dialog), "lodge-volume");
  const char *name = gtk_editable_get_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)));
  Done *done;

  if (!g_str_equal (response, "clone") || volume == NULL || self->transfer != NULL)
    return;
  done = lodge_storage_page_begin_transfer (self,
                                            /* Translators: %s is a volume's name. */
                                            g_strdup_printf (_("Copying to “%s”…"), name),
                                            /* Translators: %s is a volume's name. */
                                            g_strdup_printf (_("“%s”"),
                                                             lodge_storage_volume_get_name (volume)));
  lodge_storage_volume_clone_async (volume, name, lodge_storage_page_transfer_progress_cb, self,
                                    self->transfer, lodge_storage_page_transfer_done_cb, done);
}

static char *
clone_name (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot != NULL && dot != name)
    {
      g_autofree char *base = g_strndup (name, dot - name);
      return g_strdup_printf ("%s-clone%s", base, dot);
    }
  return g_strdup_printf ("%s-clone", name);
}

static void
lodge_storage_page_clone_volume_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);
  LodgeStorageVolume *volume = lodge_storage_page_get_volume (self);
  g_autofree char *name = NULL;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (volume == NULL)
    return;
  name = clone_name (lodge_storage_volume_get_name (volume));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name of the copy"), -1);
  /* Translators: %s is a volume's name. */
  heading = g_strdup_printf (_("Clone Volume “%s”"), lodge_storage_volume_get_name (volume));
  dialog = lodge_storage_page_question (self, heading,
                                        _("A copy in the same pool, under this name. Holes in the volume stay holes."),
                                        "clone", _("C_lone"), FALSE);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_object_set_data_full (G_OBJECT (dialog), "lodge-volume", g_object_ref (volume), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (lodge_storage_page_clone_response_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_storage_page_present (self, GTK_WINDOW (dialog));
}

static void
lodge_storage_page_upload_response_cb (LodgeStoragePage *self,
                                       const char       *response,
                                       AdwMessageDialog *dialog)
{
  LodgeStorageVolume *volume = g_object_get_data (G_OBJECT (dialog), "lodge-volume");
  const char *path = g_object_get_data (G_OBJECT (dialog), "lodge-path");
  g_autofree char *base = NULL;
  Done *done;

  if (!g_str_equal (response, "upload") || volume == NULL || self->transfer != NULL)
    return;
  base = g_path_get_basename (path);
  done = lodge_storage_page_begin_transfer (self,
                                            /* Translators: %s is a file's name. */
                                            g_strdup_printf (_("Uploading “%s”…"), base),
                                            /* Translators: %s is a volume's name. */
                                            g_strdup_printf (_("“%s”"),
                                                             lodge_storage_volume_get_name (volume)));
  lodge_storage_volume_upload_async (volume, path, lodge_storage_page_transfer_progress_cb, self,
                                     self->transfer, lodge_storage_page_transfer_done_cb, done);
}

void
lodge_storage_page_upload_file (LodgeStoragePage *self,
                                const char       *path)
{
  LodgeStorageVolume *volume;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *base = NULL;
  AdwMessageDialog *dialog;

  g_return_if_fail (LODGE_IS_STORAGE_PAGE (self));
  g_return_if_fail (path != NULL);

  volume = lodge_storage_page_get_volume (self);
  if (volume == NULL)
    return;
  base = g_path_get_basename (path);
  /* Translators: %s is a volume's name. */
  heading = g_strdup_printf (_("Replace the Content of “%s”?"), lodge_storage_volume_get_name (volume));
  /* Translators: %s is a file's name. */
  body = g_strdup_printf (_("Everything on the volume is replaced by the file “%s”. A raw volume takes "
                            "the file’s size."), base);
  dialog = lodge_storage_page_question (self, heading, body, "upload", _("_Replace"), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "lodge-volume", g_object_ref (volume), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "lodge-path", g_strdup (path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (lodge_storage_page_upload_response_cb),
                           self, G_CONNECT_SWAPPED);
  lodge_storage_page_present (self, GTK_WINDOW (dialog));
}

void
lodge_storage_page_download_file (LodgeStoragePage *self,
                                  const char       *path)
{
  LodgeStorageVolume *volume;
  g_autofree char *base = NULL;
  Done *done;

  g_return_if_fail (LODGE_IS_STORAGE_PAGE (self));
  g_return_if_fail (path != NULL);

  volume = lodge_storage_page_get_volume (self);
  if (volume == NULL || self->transfer != NULL)
    return;
  base = g_path_get_basename (path);
  done = lodge_storage_page_begin_transfer (self,
                                            /* Translators: %s is a file's name. */
                                            g_strdup_printf (_("Downloading to “%s”…"), base),
                                            /* Translators: %s is a volume's name. */
                                            g_strdup_printf (_("“%s”"),
                                                             lodge_storage_volume_get_name (volume)));
  lodge_storage_volume_download_async (volume, path, lodge_storage_page_transfer_progress_cb, self,
                                       self->transfer, lodge_storage_page_transfer_done_cb, done);
}

static void
lodge_storage_page_chooser_response_cb (LodgeStoragePage     *self,
                                        int                   response,
                                        GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path == NULL)
        lodge_storage_page_toast (self, _("Choose a file on this computer"));
      else if (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) == GTK_FILE_CHOOSER_ACTION_SAVE)
        lodge_storage_page_download_file (self, path);
      else
        lodge_storage_page_upload_file (self, path);
    }
  g_object_unref (chooser);
}

static void
lodge_storage_page_choose_file (LodgeStoragePage     *self,
                                GtkFileChooserAction  action)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  LodgeStorageVolume *volume = lodge_storage_page_get_volume (self);
  gboolean save = action == GTK_FILE_CHOOSER_ACTION_SAVE;
  GtkFileChooserNative *chooser;

  if (volume == NULL)
    return;
  chooser = gtk_file_chooser_native_new (save ? _("Download the Volume") : _("Upload a File Into the Volume"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, action,
                                         save ? _("_Download") : _("_Upload"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (save)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), lodge_storage_volume_get_name (volume));
  g_signal_connect_object (chooser, "response", G_CALLBACK (lodge_storage_page_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
lodge_storage_page_upload_volume_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  lodge_storage_page_choose_file (LODGE_STORAGE_PAGE (widget), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
lodge_storage_page_download_volume_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter)
{
  lodge_storage_page_choose_file (LODGE_STORAGE_PAGE (widget), GTK_FILE_CHOOSER_ACTION_SAVE);
}

static void
lodge_storage_page_cancel_transfer_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (widget);

  if (self->transfer != NULL)
    g_cancellable_cancel (self->transfer);
}

static void
lodge_storage_page_set_pool_autostart (LodgeStoragePage *self,
                                       gboolean          autostart)
{
  if (self->pool == NULL || lodge_storage_pool_get_autostart (self->pool) == autostart)
    return;
  lodge_storage_page_run_pool_action (self, autostart ? LODGE_STORAGE_POOL_ACTION_AUTOSTART_ON
                                                      : LODGE_STORAGE_POOL_ACTION_AUTOSTART_OFF,
                                      /* Translators: %s is a pool's name. */
                                      g_strdup_printf (_("“%s”"),
                                                       lodge_storage_pool_get_name (self->pool)));
}

/* GObject ------------------------------------------------------------------- */

static void
lodge_storage_page_constructed (GObject *object)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (object);

  G_OBJECT_CLASS (lodge_storage_page_parent_class)->constructed (object);

  g_assert (self->host != NULL);
  self->storage = g_object_ref (lodge_host_get_storage (self->host));
  g_signal_connect_object (self->storage, "notify::loaded", G_CALLBACK (lodge_storage_page_storage_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->storage, "notify::error", G_CALLBACK (lodge_storage_page_storage_notify_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host, "notify::state", G_CALLBACK (lodge_storage_page_storage_notify_cb),
                           self, G_CONNECT_SWAPPED);
  self->sorted_pools = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->storage)),
    GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (LODGE_TYPE_STORAGE_POOL, NULL, "name"))));
  gtk_list_box_bind_model (self->pool_list, G_LIST_MODEL (self->sorted_pools),
                           lodge_storage_page_create_pool_row, NULL, NULL);
  /* After the list box's own handler: its rows are there when we look. */
  g_signal_connect_object (self->sorted_pools, "items-changed",
                           G_CALLBACK (lodge_storage_page_storage_items_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  lodge_storage_page_update (self);
  lodge_storage_page_update_actions (self);
}

static void
lodge_storage_page_dispose (GObject *object)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (object);

  if (self->transfer != NULL)
    g_cancellable_cancel (self->transfer);
  g_clear_weak_pointer (&self->dialog);
  g_clear_pointer (&self->last_message, g_free);
  lodge_storage_page_set_pool (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_STORAGE_PAGE);
  g_clear_object (&self->volume_selection);
  g_clear_object (&self->sorted_volumes);
  g_clear_object (&self->sorted_pools);
  g_clear_object (&self->storage);
  g_clear_object (&self->host);

  G_OBJECT_CLASS (lodge_storage_page_parent_class)->dispose (object);
}

static void
lodge_storage_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_object (value, self->host);
      break;
    case PROP_POOL_AUTOSTART:
      g_value_set_boolean (value, self->pool != NULL && lodge_storage_pool_get_autostart (self->pool));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_storage_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_object (value);
      break;
    case PROP_POOL_AUTOSTART:
      lodge_storage_page_set_pool_autostart (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_storage_page_class_init (LodgeStoragePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = lodge_storage_page_constructed;
  object_class->dispose = lodge_storage_page_dispose;
  object_class->get_property = lodge_storage_page_get_property;
  object_class->set_property = lodge_storage_page_set_property;

  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, LODGE_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The selected pool's, as the storage.autostart action's state. */
  properties[PROP_POOL_AUTOSTART] =
    g_param_spec_boolean ("pool-autostart", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-storage-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, error_status);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, pool_list);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, volume_stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, volume_view);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, transfer_revealer);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, transfer_label);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, transfer_bar);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_page_pool_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_page_pool_list_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "storage.new-pool", NULL, lodge_storage_page_new_pool_action);
  gtk_widget_class_install_action (widget_class, "storage.start-pool", NULL, lodge_storage_page_start_pool_action);
  gtk_widget_class_install_action (widget_class, "storage.stop-pool", NULL, lodge_storage_page_stop_pool_action);
  gtk_widget_class_install_action (widget_class, "storage.refresh-pool", NULL, lodge_storage_page_refresh_pool_action);
  gtk_widget_class_install_property_action (widget_class, "storage.autostart", "pool-autostart");
  gtk_widget_class_install_action (widget_class, "storage.delete-pool", NULL, lodge_storage_page_delete_pool_action);
  gtk_widget_class_install_action (widget_class, "storage.new-volume", NULL, lodge_storage_page_new_volume_action);
  gtk_widget_class_install_action (widget_class, "storage.clone-volume", NULL, lodge_storage_page_clone_volume_action);
  gtk_widget_class_install_action (widget_class, "storage.resize-volume", NULL, lodge_storage_page_resize_volume_action);
  gtk_widget_class_install_action (widget_class, "storage.wipe-volume", NULL, lodge_storage_page_wipe_volume_action);
  gtk_widget_class_install_action (widget_class, "storage.delete-volume", NULL, lodge_storage_page_delete_volume_action);
  gtk_widget_class_install_action (widget_class, "storage.upload-volume", NULL, lodge_storage_page_upload_volume_action);
  gtk_widget_class_install_action (widget_class, "storage.download-volume", NULL, lodge_storage_page_download_volume_action);
  gtk_widget_class_install_action (widget_class, "storage.cancel-transfer", NULL, lodge_storage_page_cancel_transfer_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "storage.refresh-pool", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lodgestoragepage");
}

static void
lodge_storage_page_init (LodgeStoragePage *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  lodge_storage_page_setup_volume_view (self);

  /* Delete in the volume list asks to delete the selected volume. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                          gtk_named_action_new ("storage.delete-volume")));
  gtk_widget_add_controller (GTK_WIDGET (self->volume_view), shortcuts);
}

GtkWidget *
lodge_storage_page_new (LodgeHost *host)
{
  g_return_val_if_fail (LODGE_IS_HOST (host), NULL);

  return g_object_new (LODGE_TYPE_STORAGE_PAGE, "host", host, NULL);
}

LodgeHost *
lodge_storage_page_get_host (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  return self->host;
}

const char *
lodge_storage_page_get_visible_page (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
lodge_storage_page_get_volumes_page (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->volume_stack);
}

GtkListBox *
lodge_storage_page_get_pool_list (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  return self->pool_list;
}

GtkColumnView *
lodge_storage_page_get_volume_view (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  return self->volume_view;
}

LodgeStoragePool *
lodge_storage_page_get_selected_pool (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  return self->pool;
}

static LodgeStoragePoolRow *
lodge_storage_page_find_row (LodgeStoragePage *self,
                             const char       *name)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->pool_list, i)) != NULL; i++)
    if (g_strcmp0 (lodge_storage_pool_get_name (LODGE_STORAGE_POOL_ROW (row)->pool), name) == 0)
      return LODGE_STORAGE_POOL_ROW (row);
  return NULL;
}

gboolean
lodge_storage_page_select_pool (LodgeStoragePage *self,
                                const char       *name)
{
  LodgeStoragePoolRow *row;

  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), FALSE);

  row = lodge_storage_page_find_row (self, name);
  if (row == NULL)
    return FALSE;
  gtk_list_box_select_row (self->pool_list, GTK_LIST_BOX_ROW (row));
  return TRUE;
}

static void
collect_texts (GtkWidget *widget,
               GString   *texts)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child))
        {
          if (texts->len > 0)
            g_string_append_c (texts, '\n');
          g_string_append (texts, gtk_label_get_text (GTK_LABEL (child)));
        }
      collect_texts (child, texts);
    }
}

char *
lodge_storage_page_dup_pool_text (LodgeStoragePage *self,
                                  const char       *name)
{
  LodgeStoragePoolRow *row;
  GString *texts;

  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  row = lodge_storage_page_find_row (self, name);
  if (row == NULL)
    return NULL;
  texts = g_string_new (NULL);
  collect_texts (GTK_WIDGET (row), texts);
  return g_string_free (texts, FALSE);
}

gboolean
lodge_storage_page_get_pool_warns (LodgeStoragePage *self,
                                   const char       *name)
{
  LodgeStoragePoolRow *row;

  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), FALSE);

  row = lodge_storage_page_find_row (self, name);
  return row != NULL && row->warns && gtk_widget_get_visible (row->promised_box) &&
         gtk_widget_has_css_class (row->promised_box, "warning");
}

GtkWindow *
lodge_storage_page_get_dialog (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  return self->dialog;
}

const char *
lodge_storage_page_get_last_message (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), NULL);

  return self->last_message;
}

gboolean
lodge_storage_page_select_volume (LodgeStoragePage *self,
                                  const char       *name)
{
  GListModel *model;

  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), FALSE);

  model = G_LIST_MODEL (self->volume_selection);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LodgeStorageVolume) volume = g_list_model_get_item (model, i);

      if (g_strcmp0 (lodge_storage_volume_get_name (volume), name) == 0)
        {
          gtk_single_selection_set_selected (self->volume_selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
lodge_storage_page_get_transferring (LodgeStoragePage *self)
{
  g_return_val_if_fail (LODGE_IS_STORAGE_PAGE (self), FALSE);

  return self->transfer != NULL;
}
