/* lodge-performance-section.c: a machine's performance and limits
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lodge-performance-section"

#include "config.h"

#include <glib/gi18n.h>

#include "model/lodge-machine-editor.h"
#include "model/lodge-machine-tuning.h"
#include "ui/lodge-performance-section.h"

#define MIB (1024 * 1024)

/* The spin buttons of one disk: the simple rate, then the exact six
 * (total, read, write in KiB/s; total, read, write operations per second). */
typedef struct
{
  char           *target;
  AdwActionRow   *row;
  GtkSpinButton  *simple;
  AdwExpanderRow *expander;
  GtkSpinButton  *exact[6];
} DiskRows;

/* One card: the simple rate (both directions), then inbound and outbound
 * average (KiB/s), peak (KiB/s) and burst (KiB). */
typedef struct
{
  char           *mac;
  gboolean        limitable;
  AdwActionRow   *row;
  GtkSpinButton  *simple;
  AdwExpanderRow *expander;
  GtkSpinButton  *exact[6];
} NicRows;

struct _LodgePerformanceSection
{
  AdwBin parent_instance;

  LodgeMachine       *machine;
  LodgeMachineEditor *editor;
  GCancellable       *cancellable;
  LodgeMachineTuning *tuning;
  gboolean            filling;
  guint               pending;

  /* template */
  AdwPreferencesGroup *cpu_group;
  AdwPreferencesGroup *memory_group;
  AdwPreferencesGroup *disk_group;
  AdwPreferencesGroup *nic_group;
  GtkWidget           *cpu_apply_button;
  GtkWidget           *memory_apply_button;
  GtkWidget           *disk_apply_button;
  GtkWidget           *nic_apply_button;
  AdwComboRow         *priority_row;
  AdwExpanderRow      *cpu_exact_row;
  AdwExpanderRow      *memory_exact_row;

  /* built in init */
  AdwActionRow  *cap_row;
  GtkSpinButton *cap_spin;
  AdwActionRow  *weight_row;
  GtkSpinButton *weight_spin;
  AdwActionRow  *vcpus_row;
  GtkSpinButton *vcpus_spin;
  AdwActionRow  *max_vcpus_row;
  GtkSpinButton *max_vcpus_spin;
  AdwActionRow  *hard_limit_row;
  GtkSpinButton *hard_limit_spin;
  AdwActionRow  *memory_row;
  GtkSpinButton *memory_spin;
  AdwActionRow  *max_memory_row;
  GtkSpinButton *max_memory_spin;
  AdwActionRow  *soft_limit_row;
  GtkSpinButton *soft_limit_spin;
  AdwActionRow  *swap_limit_row;
  GtkSpinButton *swap_limit_spin;

  GPtrArray *disk_rows;   /* DiskRows */
  GPtrArray *nic_rows;    /* NicRows */
};

G_DEFINE_FINAL_TYPE (LodgePerformanceSection, lodge_performance_section, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MACHINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lodge_performance_section_changed_cb (LodgePerformanceSection *self);
static void lodge_performance_section_spin_value_changed_cb (GtkSpinButton           *spin,
                                                             LodgePerformanceSection *self);
static void lodge_performance_section_load (LodgePerformanceSection *self);

static void
disk_rows_free (DiskRows *rows)
{
  g_free (rows->target);
  g_free (rows);
}

static void
nic_rows_free (NicRows *rows)
{
  g_free (rows->mac);
  g_free (rows);
}

/* Building rows */

static GtkSpinButton *
spin_row_new (LodgePerformanceSection  *self,
              const char               *title,
              const char               *unit,
              double                    upper,
              double                    step,
              AdwActionRow            **row_out)
{
  GtkAdjustment *adjustment = gtk_adjustment_new (0, 0, upper, step, step * 10, 0);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new (adjustment, step, 0);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 8);
  /* The row names its activatable widget for screen readers (its title);
   * the unit comes as the description. */
  if (unit != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, unit, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  if (unit != NULL)
    {
      GtkWidget *unit_label = gtk_label_new (unit);

      gtk_widget_add_css_class (unit_label, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), unit_label);
    }
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  g_signal_connect (spin, "value-changed", G_CALLBACK (lodge_performance_section_spin_value_changed_cb), self);
  if (row_out != NULL)
    *row_out = ADW_ACTION_ROW (row);
  return GTK_SPIN_BUTTON (spin);
}

static void
add_to (GtkWidget *parent,
        GtkWidget *row)
{
  if (ADW_IS_EXPANDER_ROW (parent))
    adw_expander_row_add_row (ADW_EXPANDER_ROW (parent), row);
  else
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (parent), row);
}

static GtkSpinButton *
add_spin_row (LodgePerformanceSection  *self,
              gpointer                  parent,
              const char               *title,
              const char               *unit,
              double                    upper,
              double                    step,
              AdwActionRow            **row_out)
{
  AdwActionRow *row = NULL;
  GtkSpinButton *spin = spin_row_new (self, title, unit, upper, step, &row);

  add_to (GTK_WIDGET (parent), GTK_WIDGET (row));
  if (row_out != NULL)
    *row_out = row;
  return spin;
}

static void
set_spin (GtkSpinButton *spin,
          double         value)
{
  gtk_spin_button_set_value (spin, value);
}

static guint64
spin_value (GtkSpinButton *spin)
{
  return (guint64) gtk_spin_button_get_value (spin);
}

/* Texts */

/* What the running machine has, and whether a saved value waits for the
 * next start; NULL when the machine is off (everything then waits). */
static char *
running_text (LodgePerformanceSection *self,
              const char              *now,
              gboolean                 differs)
{
  if (self->tuning == NULL || !self->tuning->active)
    return NULL;
  if (differs && self->tuning->persistent)
    /* Translators: %s is a value, e.g. "2 processors" or "20 %" */
    return g_strdup_printf (_("Running with %s; the value above applies at next start"), now);
  /* Translators: %s is a value, e.g. "2 processors" or "20 %" */
  return g_strdup_printf (_("Running with %s"), now);
}

static void
set_row_state (LodgePerformanceSection *self,
               AdwActionRow            *row,
               const char              *when_off,
               const char              *now,
               gboolean                 differs)
{
  g_autofree char *text = running_text (self, now, differs);

  adw_action_row_set_subtitle (row, text != NULL ? text : (when_off ? when_off : ""));
}

static char *
cap_text (guint cap)
{
  if (cap == 0)
    return g_strdup (_("no cap"));
  /* Translators: a processor cap, e.g. "20 % of a core" */
  return g_strdup_printf (_("%u %% of a core"), cap);
}

static char *
limit_text (guint64 bytes)
{
  if (bytes == 0)
    return g_strdup (_("no limit"));
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static void
add_rate (GPtrArray *parts,
          guint64    bytes,
          guint      kind)
{
  g_autofree char *size = NULL;

  if (bytes == 0)
    return;
  size = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
  /* Translators: disk rates, e.g. "2.0 MiB/s in total" */
  if (kind == 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%s/s in total"), size));
  else if (kind == 1)
    g_ptr_array_add (parts, g_strdup_printf (_("%s/s read"), size));
  else
    g_ptr_array_add (parts, g_strdup_printf (_("%s/s written"), size));
}

static void
add_iops (GPtrArray *parts,
          guint64    iops,
          guint      kind)
{
  g_autofree char *number = NULL;

  if (iops == 0)
    return;
  number = g_strdup_printf ("%" G_GUINT64_FORMAT, iops);
  /* Translators: disk operations per second; %s is a number */
  if (kind == 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%s operations/s"), number));
  else if (kind == 1)
    g_ptr_array_add (parts, g_strdup_printf (_("%s reads/s"), number));
  else
    g_ptr_array_add (parts, g_strdup_printf (_("%s writes/s"), number));
}

static char *
disk_text (const LodgeDiskLimits *l)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  add_rate (parts, l->total_bytes_sec, 0);
  add_rate (parts, l->read_bytes_sec, 1);
  add_rate (parts, l->write_bytes_sec, 2);
  add_iops (parts, l->total_iops_sec, 0);
  add_iops (parts, l->read_iops_sec, 1);
  add_iops (parts, l->write_iops_sec, 2);
  if (parts->len == 0)
    return g_strdup (_("no limits"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

static char *
nic_text (const LodgeNicLimits *l)
{
  if (l->inbound.average == 0 && l->outbound.average == 0)
    return g_strdup (_("no limits"));
  /* Translators: network rates in KiB/s, to and from the machine */
  return g_strdup_printf (_("%u KiB/s in, %u KiB/s out"), l->inbound.average, l->outbound.average);
}

/* Messages */

static void
lodge_performance_section_toast (LodgePerformanceSection *self,
                                 const char              *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
lodge_performance_section_show_error (LodgePerformanceSection *self,
                                      const char              *heading,
                                      const GError            *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  body = g_strdup_printf ("%s\n\n%s", self->machine ? lodge_machine_get_display_name (self->machine) : "",
                          error->message);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Filling from the machine's values */

static const LodgeTuningValues *
shown_values (LodgePerformanceSection *self)
{
  /* Changes go to the definition: it is what the controls show; the
   * running machine's values are said below them. */
  return self->tuning->persistent ? &self->tuning->config : &self->tuning->live;
}

static guint64
shown_shares (LodgePerformanceSection *self)
{
  const LodgeTuningValues *v = shown_values (self);

  return v->cpu_shares > 0 ? v->cpu_shares : self->tuning->default_shares;
}

static void
select_priority (LodgePerformanceSection *self,
                 guint64                  shares)
{
  adw_combo_row_set_selected (self->priority_row,
                              lodge_cpu_priority_from_shares (shares, self->tuning->default_shares));
}

static const LodgeDiskLimits *
shown_disk (LodgePerformanceSection *self,
            LodgeDiskTuning         *disk)
{
  return self->tuning->persistent ? &disk->config : &disk->live;
}

static const LodgeNicLimits *
shown_nic (LodgePerformanceSection *self,
           LodgeNicTuning          *nic)
{
  return self->tuning->persistent ? &nic->config : &nic->live;
}

static void
fill_disk_spins (DiskRows              *rows,
                 const LodgeDiskLimits *l)
{
  set_spin (rows->simple, l->total_bytes_sec / (double) MIB);
  set_spin (rows->exact[0], l->total_bytes_sec / 1024);
  set_spin (rows->exact[1], l->read_bytes_sec / 1024);
  set_spin (rows->exact[2], l->write_bytes_sec / 1024);
  set_spin (rows->exact[3], l->total_iops_sec);
  set_spin (rows->exact[4], l->read_iops_sec);
  set_spin (rows->exact[5], l->write_iops_sec);
}

static void
read_disk_spins (DiskRows        *rows,
                 LodgeDiskLimits *l)
{
  l->total_bytes_sec = spin_value (rows->exact[0]) * 1024;
  l->read_bytes_sec = spin_value (rows->exact[1]) * 1024;
  l->write_bytes_sec = spin_value (rows->exact[2]) * 1024;
  l->total_iops_sec = spin_value (rows->exact[3]);
  l->read_iops_sec = spin_value (rows->exact[4]);
  l->write_iops_sec = spin_value (rows->exact[5]);
}

static void
fill_nic_spins (NicRows              *rows,
                const LodgeNicLimits *l)
{
  set_spin (rows->simple, MAX (l->inbound.average, l->outbound.average));
  set_spin (rows->exact[0], l->inbound.average);
  set_spin (rows->exact[1], l->inbound.peak);
  set_spin (rows->exact[2], l->inbound.burst);
  set_spin (rows->exact[3], l->outbound.average);
  set_spin (rows->exact[4], l->outbound.peak);
  set_spin (rows->exact[5], l->outbound.burst);
}

static void
read_nic_spins (NicRows        *rows,
                LodgeNicLimits *l)
{
  l->inbound.average = spin_value (rows->exact[0]);
  l->inbound.peak = spin_value (rows->exact[1]);
  l->inbound.burst = spin_value (rows->exact[2]);
  l->outbound.average = spin_value (rows->exact[3]);
  l->outbound.peak = spin_value (rows->exact[4]);
  l->outbound.burst = spin_value (rows->exact[5]);
}

static void
clear_device_rows (LodgePerformanceSection *self)
{
  for (guint i = 0; i < self->disk_rows->len; i++)
    {
      DiskRows *rows = g_ptr_array_index (self->disk_rows, i);

      adw_preferences_group_remove (self->disk_group, GTK_WIDGET (rows->row));
      adw_preferences_group_remove (self->disk_group, GTK_WIDGET (rows->expander));
    }
  g_ptr_array_set_size (self->disk_rows, 0);
  for (guint i = 0; i < self->nic_rows->len; i++)
    {
      NicRows *rows = g_ptr_array_index (self->nic_rows, i);

      adw_preferences_group_remove (self->nic_group, GTK_WIDGET (rows->row));
      adw_preferences_group_remove (self->nic_group, GTK_WIDGET (rows->expander));
    }
  g_ptr_array_set_size (self->nic_rows, 0);
}

static GtkWidget *
exact_expander_new (const char *title)
{
  GtkWidget *expander = adw_expander_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), _("Exact values"));
  return expander;
}

static void
build_disk_rows (LodgePerformanceSection *self)
{
  for (guint i = 0; i < self->tuning->disks->len; i++)
    {
      LodgeDiskTuning *disk = g_ptr_array_index (self->tuning->disks, i);
      DiskRows *rows = g_new0 (DiskRows, 1);
      g_autofree char *title = g_strdup_printf (_("Disk %s"), disk->target);
      g_autofree char *exact_title = g_strdup_printf (_("Disk %s in Detail"), disk->target);
      const char *titles[6] = { _("Total Rate"), _("Read Rate"), _("Write Rate"),
                                _("Total Operations"), _("Read Operations"), _("Write Operations") };
      g_autofree char *now = disk_text (&disk->live);

      rows->target = g_strdup (disk->target);
      rows->simple = add_spin_row (self, self->disk_group, title, _("MiB/s"), 100000, 1, &rows->row);
      rows->expander = ADW_EXPANDER_ROW (exact_expander_new (exact_title));
      adw_preferences_group_add (self->disk_group, GTK_WIDGET (rows->expander));
      for (guint j = 0; j < 6; j++)
        rows->exact[j] = add_spin_row (self, rows->expander, titles[j], j < 3 ? _("KiB/s") : _("per second"),
                                       j < 3 ? 100000000 : 1000000, j < 3 ? 64 : 10, NULL);
      fill_disk_spins (rows, shown_disk (self, disk));
      set_row_state (self, rows->row, _("Total rate of reads and writes"), now,
                     !lodge_disk_limits_equal (&disk->live, &disk->config));
      g_ptr_array_add (self->disk_rows, rows);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->disk_group), self->disk_rows->len > 0);
}

static void
build_nic_rows (LodgePerformanceSection *self)
{
  for (guint i = 0; i < self->tuning->nics->len; i++)
    {
      LodgeNicTuning *nic = g_ptr_array_index (self->tuning->nics, i);
      NicRows *rows = g_new0 (NicRows, 1);
      g_autofree char *title = g_strdup_printf (_("Card %s"), nic->mac);
      g_autofree char *exact_title = g_strdup_printf (_("Card %s in Detail"), nic->mac);
      const char *titles[6] = { _("Inbound Average"), _("Inbound Peak"), _("Inbound Burst"),
                                _("Outbound Average"), _("Outbound Peak"), _("Outbound Burst") };
      g_autofree char *now = nic_text (&nic->live);

      rows->mac = g_strdup (nic->mac);
      rows->limitable = g_strcmp0 (nic->net_type, "user") != 0;
      rows->simple = add_spin_row (self, self->nic_group, title, _("KiB/s"), 10000000, 100, &rows->row);
      rows->expander = ADW_EXPANDER_ROW (exact_expander_new (exact_title));
      adw_preferences_group_add (self->nic_group, GTK_WIDGET (rows->expander));
      for (guint j = 0; j < 6; j++)
        rows->exact[j] = add_spin_row (self, rows->expander, titles[j], (j % 3) == 2 ? _("KiB") : _("KiB/s"),
                                       10000000, 100, NULL);
      fill_nic_spins (rows, shown_nic (self, nic));
      if (!rows->limitable)
        {
          adw_action_row_set_subtitle (rows->row, _("User networking has no host device to limit"));
          gtk_widget_set_sensitive (GTK_WIDGET (rows->row), FALSE);
          gtk_widget_set_sensitive (GTK_WIDGET (rows->expander), FALSE);
        }
      else
        set_row_state (self, rows->row, _("Each direction, to and from the machine"), now,
                       !lodge_nic_limits_equal (&nic->live, &nic->config));
      g_ptr_array_add (self->nic_rows, rows);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->nic_group), self->nic_rows->len > 0);
}

static void
lodge_performance_section_fill (LodgePerformanceSection *self)
{
  const LodgeTuningValues *v;
  const LodgeTuningValues *live;
  LodgeMachineTuning *t = self->tuning;
  g_autofree char *text = NULL;
  guint host_cpus;

  self->filling = TRUE;
  v = shown_values (self);
  live = &t->live;
  host_cpus = t->host_cpus > 0 ? t->host_cpus : 1024;
  /* A machine made elsewhere may have more than the host: shown as it is. */
  host_cpus = MAX (host_cpus, MAX (v->vcpus, v->max_vcpus));

  /* Processor */
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->vcpus_spin), host_cpus);
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->max_vcpus_spin), host_cpus);
  set_spin (self->weight_spin, shown_shares (self));
  select_priority (self, shown_shares (self));
  set_spin (self->cap_spin, lodge_tuning_values_get_cap (v));
  set_spin (self->vcpus_spin, v->vcpus);
  set_spin (self->max_vcpus_spin, v->max_vcpus);
  gtk_widget_set_sensitive (GTK_WIDGET (self->priority_row), t->has_scheduler);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cap_row), t->has_scheduler);
  gtk_widget_set_sensitive (GTK_WIDGET (self->weight_row), t->has_scheduler);
  adw_preferences_group_set_description (self->cpu_group,
                                         t->has_scheduler ? NULL
                                         : _("This host does not report processor weights and caps"));

  text = cap_text (lodge_tuning_values_get_cap (live));
  set_row_state (self, self->cap_row, _("Each processor at most this share of a host core; 0 is no cap"),
                 text, lodge_tuning_values_get_cap (live) != lodge_tuning_values_get_cap (&t->config));
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%" G_GUINT64_FORMAT, live->cpu_shares);
  set_row_state (self, self->weight_row, _("Relative to other machines; the host’s default is Normal"), text,
                 (t->config.cpu_shares > 0 ? t->config.cpu_shares : t->default_shares) != live->cpu_shares);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf (ngettext ("%u processor", "%u processors", live->vcpus), live->vcpus);
  set_row_state (self, self->vcpus_row, NULL, text, live->vcpus != t->config.vcpus);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%u", live->max_vcpus);
  set_row_state (self, self->max_vcpus_row, NULL, text, live->max_vcpus != t->config.max_vcpus);
  g_clear_pointer (&text, g_free);

  /* Memory */
  set_spin (self->hard_limit_spin, v->hard_limit / MIB);
  set_spin (self->memory_spin, v->memory / MIB);
  set_spin (self->max_memory_spin, v->max_memory / MIB);
  set_spin (self->soft_limit_spin, v->soft_limit / MIB);
  set_spin (self->swap_limit_spin, v->swap_hard_limit / MIB);
  gtk_widget_set_sensitive (GTK_WIDGET (self->hard_limit_row), t->has_memory_limits);
  gtk_widget_set_sensitive (GTK_WIDGET (self->soft_limit_row), t->has_memory_limits);
  gtk_widget_set_sensitive (GTK_WIDGET (self->swap_limit_row), t->has_memory_limits);

  text = limit_text (live->hard_limit);
  set_row_state (self, self->hard_limit_row, _("The kernel holds the machine’s process below it; 0 is no limit"),
                 text, live->hard_limit != t->config.hard_limit);
  g_clear_pointer (&text, g_free);
  text = limit_text (live->memory);
  set_row_state (self, self->memory_row, NULL, text, live->memory != t->config.memory);
  g_clear_pointer (&text, g_free);
  text = limit_text (live->max_memory);
  set_row_state (self, self->max_memory_row, NULL, text, live->max_memory != t->config.max_memory);
  g_clear_pointer (&text, g_free);
  text = limit_text (live->soft_limit);
  set_row_state (self, self->soft_limit_row, _("Reclaimed first when the host runs short"), text, live->soft_limit != t->config.soft_limit);
  g_clear_pointer (&text, g_free);
  text = limit_text (live->swap_hard_limit);
  set_row_state (self, self->swap_limit_row, NULL, text, live->swap_hard_limit != t->config.swap_hard_limit);

  clear_device_rows (self);
  build_disk_rows (self);
  build_nic_rows (self);

  self->filling = FALSE;
  lodge_performance_section_changed_cb (self);
}

/* Which Apply buttons have something to apply */

static gboolean
cpu_changed (LodgePerformanceSection *self)
{
  const LodgeTuningValues *v = shown_values (self);

  return spin_value (self->weight_spin) != shown_shares (self)
         || spin_value (self->cap_spin) != lodge_tuning_values_get_cap (v)
         || spin_value (self->vcpus_spin) != v->vcpus
         || spin_value (self->max_vcpus_spin) != v->max_vcpus;
}

static gboolean
memory_sizes_changed (LodgePerformanceSection *self)
{
  const LodgeTuningValues *v = shown_values (self);

  return spin_value (self->memory_spin) != v->memory / MIB
         || spin_value (self->max_memory_spin) != v->max_memory / MIB;
}

static gboolean
memory_limits_changed (LodgePerformanceSection *self)
{
  const LodgeTuningValues *v = shown_values (self);

  return spin_value (self->hard_limit_spin) != v->hard_limit / MIB
         || spin_value (self->soft_limit_spin) != v->soft_limit / MIB
         || spin_value (self->swap_limit_spin) != v->swap_hard_limit / MIB;
}

static gboolean
disk_changed (LodgePerformanceSection *self,
              DiskRows                *rows)
{
  LodgeDiskTuning *disk = lodge_machine_tuning_find_disk (self->tuning, rows->target);
  LodgeDiskLimits l = { 0 };

  read_disk_spins (rows, &l);
  return disk != NULL && !lodge_disk_limits_equal (&l, shown_disk (self, disk));
}

static gboolean
nic_changed (LodgePerformanceSection *self,
             NicRows                 *rows)
{
  LodgeNicTuning *nic = lodge_machine_tuning_find_nic (self->tuning, rows->mac);
  LodgeNicLimits l = { { 0 } };

  read_nic_spins (rows, &l);
  return nic != NULL && rows->limitable && !lodge_nic_limits_equal (&l, shown_nic (self, nic));
}

/* One function says which Apply buttons are enabled. */
static void
lodge_performance_section_update_actions (LodgePerformanceSection *self)
{
  gboolean ready = self->tuning != NULL && self->pending == 0;
  gboolean disks = FALSE;
  gboolean nics = FALSE;

  for (guint i = 0; ready && i < self->disk_rows->len; i++)
    disks |= disk_changed (self, g_ptr_array_index (self->disk_rows, i));
  for (guint i = 0; ready && i < self->nic_rows->len; i++)
    nics |= nic_changed (self, g_ptr_array_index (self->nic_rows, i));

  gtk_widget_set_sensitive (self->cpu_apply_button, ready && cpu_changed (self));
  gtk_widget_set_sensitive (self->memory_apply_button,
                            ready && (memory_sizes_changed (self) || memory_limits_changed (self)));
  gtk_widget_set_sensitive (self->disk_apply_button, ready && disks);
  gtk_widget_set_sensitive (self->nic_apply_button, ready && nics);
}

/* The simple control and its exact values move together. */
static void
sync_simple_and_exact (LodgePerformanceSection *self,
                       GtkSpinButton           *changed)
{
  for (guint i = 0; i < self->disk_rows->len; i++)
    {
      DiskRows *rows = g_ptr_array_index (self->disk_rows, i);

      if (changed == rows->simple)
        {
          set_spin (rows->exact[0], spin_value (rows->simple) * 1024);
          set_spin (rows->exact[1], 0);
          set_spin (rows->exact[2], 0);
        }
      else if (changed == rows->exact[0])
        set_spin (rows->simple, spin_value (rows->exact[0]) / 1024.0);
    }
  for (guint i = 0; i < self->nic_rows->len; i++)
    {
      NicRows *rows = g_ptr_array_index (self->nic_rows, i);

      if (changed == rows->simple)
        {
          set_spin (rows->exact[0], spin_value (rows->simple));
          set_spin (rows->exact[3], spin_value (rows->simple));
        }
    }
  if (changed == self->weight_spin)
    select_priority (self, spin_value (self->weight_spin));
}

static void
lodge_performance_section_changed_cb (LodgePerformanceSection *self)
{
  if (!self->filling)
    lodge_performance_section_update_actions (self);
}

static void
lodge_performance_section_spin_value_changed_cb (GtkSpinButton           *spin,
                                                 LodgePerformanceSection *self)
{
  if (self->filling)
    return;

  /* The guard keeps the synced spins from answering back. */
  self->filling = TRUE;
  sync_simple_and_exact (self, spin);
  self->filling = FALSE;
  lodge_performance_section_update_actions (self);
}

static void
lodge_performance_section_priority_row_selected_cb (LodgePerformanceSection *self)
{
  LodgeCpuPriority priority = adw_combo_row_get_selected (self->priority_row);

  if (self->filling || self->tuning == NULL)
    return;

  if (priority != LODGE_CPU_PRIORITY_CUSTOM)
    {
      self->filling = TRUE;
      set_spin (self->weight_spin, lodge_cpu_priority_get_shares (priority, self->tuning->default_shares));
      self->filling = FALSE;
    }
  lodge_performance_section_update_actions (self);
}

/* Applying */

typedef struct
{
  LodgePerformanceSection *self;
  const char              *done;     /* translated, static */
  const char              *failed;
} Call;

static void
lodge_performance_section_edit_cb (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  Call *call = user_data;
  LodgePerformanceSection *self = call->self;
  g_autoptr(GError) error = NULL;
  LodgeEditOutcome outcome = LODGE_EDIT_APPLIED;

  if (!lodge_machine_editor_edit_finish (LODGE_MACHINE_EDITOR (object), result, &outcome, &error))
    lodge_performance_section_show_error (self, call->failed, error);
  else if (outcome == LODGE_EDIT_APPLIES_AT_NEXT_BOOT)
    {
      g_autofree char *text = g_strdup_printf (_("%s: applies at next start"), call->done);

      lodge_performance_section_toast (self, text);
    }
  else
    lodge_performance_section_toast (self, call->done);

  g_assert (self->pending > 0);
  if (--self->pending == 0 && self->editor != NULL)
    lodge_performance_section_load (self);
  g_object_unref (self);
  g_free (call);
}

static gpointer
call_new (LodgePerformanceSection *self,
          const char              *done,
          const char              *failed)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->done = done;
  call->failed = failed;
  self->pending++;
  return call;
}

#define EDIT_CB(self, done, failed) \
  lodge_performance_section_edit_cb, call_new ((self), (done), (failed))

static void
lodge_performance_section_cpu_apply_button_clicked_cb (LodgePerformanceSection *self)
{
  const LodgeTuningValues *v;
  guint64 weight;
  guint cap;
  guint vcpus;
  guint max_vcpus;

  if (self->tuning == NULL || self->editor == NULL)
    return;
  v = shown_values (self);
  weight = spin_value (self->weight_spin);
  cap = spin_value (self->cap_spin);
  vcpus = spin_value (self->vcpus_spin);
  max_vcpus = spin_value (self->max_vcpus_spin);

  if (weight != shown_shares (self))
    lodge_machine_editor_set_cpu_shares_async (self->editor, weight, self->cancellable,
                                               EDIT_CB (self, _("Priority changed"),
                                                        _("Could not change the priority")));
  if (cap != lodge_tuning_values_get_cap (v))
    lodge_machine_editor_set_cpu_cap_async (self->editor, cap, self->cancellable,
                                            EDIT_CB (self, _("Processor cap changed"),
                                                     _("Could not change the processor cap")));
  if (vcpus != v->vcpus || max_vcpus != v->max_vcpus)
    lodge_machine_editor_set_vcpu_counts_async (self->editor, vcpus, max_vcpus, self->cancellable,
                                                EDIT_CB (self, _("Processors changed"),
                                                         _("Could not change the processors")));
  lodge_performance_section_update_actions (self);
}

static void
lodge_performance_section_memory_apply_button_clicked_cb (LodgePerformanceSection *self)
{
  if (self->tuning == NULL || self->editor == NULL)
    return;

  if (memory_sizes_changed (self))
    lodge_machine_editor_set_memory_sizes_async (self->editor,
                                                 spin_value (self->memory_spin) * MIB,
                                                 spin_value (self->max_memory_spin) * MIB,
                                                 self->cancellable,
                                                 EDIT_CB (self, _("Memory changed"),
                                                          _("Could not change the memory")));
  if (memory_limits_changed (self))
    lodge_machine_editor_set_memory_limits_async (self->editor,
                                                  spin_value (self->hard_limit_spin) * MIB,
                                                  spin_value (self->soft_limit_spin) * MIB,
                                                  spin_value (self->swap_limit_spin) * MIB,
                                                  self->cancellable,
                                                  EDIT_CB (self, _("Memory limits changed"),
                                                           _("Could not change the memory limits")));
  lodge_performance_section_update_actions (self);
}

static void
lodge_performance_section_disk_apply_button_clicked_cb (LodgePerformanceSection *self)
{
  if (self->tuning == NULL || self->editor == NULL)
    return;

  for (guint i = 0; i < self->disk_rows->len; i++)
    {
      DiskRows *rows = g_ptr_array_index (self->disk_rows, i);
      LodgeDiskLimits l = { 0 };

      if (!disk_changed (self, rows))
        continue;
      read_disk_spins (rows, &l);
      lodge_machine_editor_set_disk_limits_async (self->editor, rows->target, &l, self->cancellable,
                                                  EDIT_CB (self, _("Disk limits changed"),
                                                           _("Could not change the disk limits")));
    }
  lodge_performance_section_update_actions (self);
}

static void
lodge_performance_section_nic_apply_button_clicked_cb (LodgePerformanceSection *self)
{
  if (self->tuning == NULL || self->editor == NULL)
    return;

  for (guint i = 0; i < self->nic_rows->len; i++)
    {
      NicRows *rows = g_ptr_array_index (self->nic_rows, i);
      LodgeNicLimits l = { { 0 } };

      if (!nic_changed (self, rows))
        continue;
      read_nic_spins (rows, &l);
      lodge_machine_editor_set_nic_limits_async (self->editor, rows->mac, &l, self->cancellable,
                                                 EDIT_CB (self, _("Network limits changed"),
                                                          _("Could not change the network limits")));
    }
  lodge_performance_section_update_actions (self);
}

/* Loading */

static void
lodge_performance_section_tuning_cb (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(LodgePerformanceSection) self = user_data;
  g_autoptr(LodgeMachineTuning) tuning = NULL;
  g_autoptr(GError) error = NULL;

  tuning = lodge_machine_editor_get_tuning_finish (LODGE_MACHINE_EDITOR (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || LODGE_MACHINE_EDITOR (object) != self->editor)
    return;
  if (tuning == NULL)
    {
      adw_preferences_group_set_description (self->cpu_group, error->message);
      return;
    }

  g_clear_pointer (&self->tuning, lodge_machine_tuning_unref);
  self->tuning = g_steal_pointer (&tuning);
  lodge_performance_section_fill (self);
}

static void
lodge_performance_section_load (LodgePerformanceSection *self)
{
  if (self->editor == NULL)
    return;
  lodge_machine_editor_get_tuning_async (self->editor, self->cancellable,
                                         lodge_performance_section_tuning_cb, g_object_ref (self));
}

/* Public */

GtkWidget *
lodge_performance_section_new (void)
{
  return g_object_new (LODGE_TYPE_PERFORMANCE_SECTION, NULL);
}

LodgeMachine *
lodge_performance_section_get_machine (LodgePerformanceSection *self)
{
  g_return_val_if_fail (LODGE_IS_PERFORMANCE_SECTION (self), NULL);
  return self->machine;
}

void
lodge_performance_section_set_machine (LodgePerformanceSection *self,
                                       LodgeMachine            *machine)
{
  g_return_if_fail (LODGE_IS_PERFORMANCE_SECTION (self));
  g_return_if_fail (machine == NULL || LODGE_IS_MACHINE (machine));

  if (!g_set_object (&self->machine, machine))
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->editor);
  g_clear_pointer (&self->tuning, lodge_machine_tuning_unref);
  self->pending = 0;
  clear_device_rows (self);
  lodge_performance_section_update_actions (self);

  if (machine != NULL)
    {
      self->editor = lodge_machine_editor_new (machine);
      lodge_performance_section_load (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

void
lodge_performance_section_reload (LodgePerformanceSection *self)
{
  g_return_if_fail (LODGE_IS_PERFORMANCE_SECTION (self));

  /* A reload while changes are under way comes when they end. */
  if (self->pending == 0)
    lodge_performance_section_load (self);
}

/* GObject */

static void
lodge_performance_section_dispose (GObject *object)
{
  LodgePerformanceSection *self = (LodgePerformanceSection *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->editor);
  g_clear_object (&self->machine);
  g_clear_pointer (&self->tuning, lodge_machine_tuning_unref);
  g_clear_pointer (&self->disk_rows, g_ptr_array_unref);
  g_clear_pointer (&self->nic_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (lodge_performance_section_parent_class)->dispose (object);
}

static void
lodge_performance_section_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  LodgePerformanceSection *self = LODGE_PERFORMANCE_SECTION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_performance_section_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  LodgePerformanceSection *self = LODGE_PERFORMANCE_SECTION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      lodge_performance_section_set_machine (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lodge_performance_section_class_init (LodgePerformanceSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lodge_performance_section_dispose;
  object_class->get_property = lodge_performance_section_get_property;
  object_class->set_property = lodge_performance_section_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, LODGE_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lodge/Lodge/lodge-performance-section.ui");
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, cpu_group);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, memory_group);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, disk_group);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, nic_group);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, cpu_apply_button);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, memory_apply_button);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, disk_apply_button);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, nic_apply_button);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, priority_row);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, cpu_exact_row);
  gtk_widget_class_bind_template_child (widget_class, LodgePerformanceSection, memory_exact_row);
  gtk_widget_class_bind_template_callback (widget_class, lodge_performance_section_priority_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_performance_section_cpu_apply_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_performance_section_memory_apply_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_performance_section_disk_apply_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, lodge_performance_section_nic_apply_button_clicked_cb);
}

static void
lodge_performance_section_init (LodgePerformanceSection *self)
{
  GtkWidget *cap_row;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->disk_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_rows_free);
  self->nic_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) nic_rows_free);

  /* The simple controls first (priority is in the template), the exact
   * values in the expanders below them. */
  self->cap_spin = spin_row_new (self, _("Processor Cap"), "%", 100, 5, &self->cap_row);
  cap_row = GTK_WIDGET (self->cap_row);
  /* Above the expander: it is taken out and put back (kept alive meanwhile). */
  g_object_ref (self->cpu_exact_row);
  adw_preferences_group_remove (self->cpu_group, GTK_WIDGET (self->cpu_exact_row));
  adw_preferences_group_add (self->cpu_group, cap_row);
  adw_preferences_group_add (self->cpu_group, GTK_WIDGET (self->cpu_exact_row));
  g_object_unref (self->cpu_exact_row);
  self->weight_spin = add_spin_row (self, self->cpu_exact_row, _("Weight"), NULL, 262144, 64, &self->weight_row);
  gtk_adjustment_set_lower (gtk_spin_button_get_adjustment (self->weight_spin), 1);
  self->vcpus_spin = add_spin_row (self, self->cpu_exact_row, _("Processors Now"), NULL, 1024, 1, &self->vcpus_row);
  gtk_adjustment_set_lower (gtk_spin_button_get_adjustment (self->vcpus_spin), 1);
  self->max_vcpus_spin = add_spin_row (self, self->cpu_exact_row, _("Processors at Most"), NULL, 1024, 1,
                                       &self->max_vcpus_row);
  gtk_adjustment_set_lower (gtk_spin_button_get_adjustment (self->max_vcpus_spin), 1);

  self->hard_limit_spin = spin_row_new (self, _("Memory Limit"), _("MiB"), 16 * 1024 * 1024, 64, &self->hard_limit_row);
  g_object_ref (self->memory_exact_row);
  adw_preferences_group_remove (self->memory_group, GTK_WIDGET (self->memory_exact_row));
  adw_preferences_group_add (self->memory_group, GTK_WIDGET (self->hard_limit_row));
  adw_preferences_group_add (self->memory_group, GTK_WIDGET (self->memory_exact_row));
  g_object_unref (self->memory_exact_row);
  self->memory_spin = add_spin_row (self, self->memory_exact_row, _("Memory Now"), _("MiB"), 16 * 1024 * 1024, 64,
                                    &self->memory_row);
  self->max_memory_spin = add_spin_row (self, self->memory_exact_row, _("Memory at Most"), _("MiB"),
                                        16 * 1024 * 1024, 64, &self->max_memory_row);
  self->soft_limit_spin = add_spin_row (self, self->memory_exact_row, _("Soft Limit"), _("MiB"),
                                        16 * 1024 * 1024, 64, &self->soft_limit_row);
  self->swap_limit_spin = add_spin_row (self, self->memory_exact_row, _("Memory and Swap Limit"), _("MiB"),
                                        16 * 1024 * 1024, 64, &self->swap_limit_row);

  lodge_performance_section_update_actions (self);
}
