/* lodge-storage-page.c: a host's storage pools and their volumes
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Read-only for now. The pools are few (a row each, through
 * gtk_list_box_bind_model); a pool's volumes may be thousands, so they are
 * a GtkColumnView over a GtkSortListModel of the pool's own model, whose
 * cells are made for the rows on screen only and bound to the volume they
 * show while they show it.
 */
#define G_LOG_DOMAIN "lodge-storage-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ui/lodge-storage-page.h"

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
};

G_DEFINE_FINAL_TYPE (LodgeStoragePage, lodge_storage_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HOST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
  lodge_storage_page_update_volumes (self);
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
    g_signal_connect_object (pool, "notify::active", G_CALLBACK (lodge_storage_page_pool_notify_cb),
                             self, G_CONNECT_SWAPPED);
  gtk_sort_list_model_set_model (self->sorted_volumes,
                                 pool != NULL ? lodge_storage_pool_get_volumes (pool) : NULL);
  lodge_storage_page_update_volumes (self);
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
  gtk_column_view_set_model (self->volume_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  gtk_column_view_sort_by_column (self->volume_view, name_column, GTK_SORT_ASCENDING);
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
}

static void
lodge_storage_page_dispose (GObject *object)
{
  LodgeStoragePage *self = LODGE_STORAGE_PAGE (object);

  lodge_storage_page_set_pool (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LODGE_TYPE_STORAGE_PAGE);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lodge-storage-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, error_status);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, pool_list);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, volume_stack);
  gtk_widget_class_bind_template_child (widget_class, LodgeStoragePage, volume_view);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_page_pool_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_storage_page_pool_list_row_activated_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lodgestoragepage");
}

static void
lodge_storage_page_init (LodgeStoragePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  lodge_storage_page_setup_volume_view (self);
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
