#include "cli/export_tables.h"
#include "base/util.h"
#include "scenmc/schedule.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ CSV writing */

static const export_opts *xo; /* the options of this export, for the writers below */
/* Ensemble mode: the members' quantiles instead of count, probability, stderr. */
static const scenmc_ensemble_data *xe;
static scenmc_table_id xk;

void export_set(const export_opts *o, const scenmc_ensemble_data *e)
{
    xo = o;
    xe = e;
}

/* count, probability, stderr of cell i (count and stderr for Monte Carlo only). */
void export_cell(csv *c, const scenmc_table *t, size_t i)
{
    if (xe) {
        for (int l = 0; l < xe->n_quantiles; l++)
            csv_double(c, xe->quantiles[xk][(size_t)l * t->size + i]);
        csv_end(c);
        return;
    }
    if (t->counts)
        csv_u64(c, t->counts[i]);
    csv_double(c, t->prob[i]);
    if (t->stderr_)
        csv_double(c, t->stderr_[i]);
    csv_end(c);
}

void export_value_header(csv *c, const scenmc_results *r)
{
    if (xe) {
        char name[32];
        for (int l = 0; l < xe->n_quantiles; l++) {
            snprintf(name, sizeof name, "q%02.0f", 100 * xe->quantile_levels[l]);
            csv_text(c, name);
        }
        csv_end(c);
        return;
    }
    if (r->method == SCENMC_MONTE_CARLO)
        csv_text(c, "count");
    csv_text(c, "probability");
    if (r->method == SCENMC_MONTE_CARLO)
        csv_text(c, "stderr");
    csv_end(c);
}

const char *export_scen_name(const scenmc_results *r, size_t s)
{
    return s < (size_t)r->model->n_scenarios ? r->model->scenarios[s].name : "unclassified";
}

static const char *desc_id(const scenmc_model *m, size_t v)
{
    return m->descriptors[m->variant_descriptor[v]].id;
}

/* A name column's header, with its _order and _label companions when asked for. */
void export_head_key(csv *c, const char *name)
{
    char buf[64];
    csv_text(c, name);
    if (xo->order) {
        snprintf(buf, sizeof buf, "%s_order", name);
        csv_text(c, buf);
    }
    if (xo->labels) {
        snprintf(buf, sizeof buf, "%s_label", name);
        csv_text(c, buf);
    }
}

/* name, then (when asked for) its 1-based position in the model and its label. */
void export_key(csv *c, const char *name, long order, const char *label)
{
    csv_text(c, name);
    if (xo->order)
        csv_int(c, order);
    if (xo->labels)
        csv_text(c, label ? label : name);
}

void export_key_scen(csv *c, const scenmc_results *r, size_t s)
{
    const scenmc_model *m = r->model;
    export_key(c, export_scen_name(r, s), (long)s + 1,
        s < (size_t)m->n_scenarios ? m->scenarios[s].label : NULL);
}

void export_head_var(csv *c)
{
    export_head_key(c, "descriptor");
    export_head_key(c, "variant");
}

void export_key_desc(csv *c, const scenmc_model *m, int d)
{
    const scenmc_descriptor *D = &m->descriptors[d];
    export_key(c, D->id, d + 1, D->label ? D->label : D->name);
}

void export_key_var(csv *c, const scenmc_model *m, size_t v)
{
    int d = m->variant_descriptor[v];
    export_key_desc(c, m, d);
    export_key(c, m->variant_name[v], (long)v - m->descriptors[d].offset + 1, m->variant_label[v]);
}

/* ------------------------------------------------------------------ the tables */

static void table_scenario(csv *c, const scenmc_results *r, scenmc_table_id k, const char *what)
{
    const scenmc_table *t = &r->t[k];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios;
    csv_text(c, "year"); export_head_key(c, what); export_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t s = 0; s < S; s++) {
            csv_int(c, r->params.year_start + (long)y); export_key_scen(c, r, s);
            export_cell(c, t, y * S + s);
        }
}

static void table_variant(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_VARIANT];
    size_t Y = (size_t)r->n_years, V = (size_t)r->model->n_variants;
    csv_text(c, "year"); export_head_var(c); export_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t v = 0; v < V; v++) {
            csv_int(c, r->params.year_start + (long)y); export_key_var(c, r->model, v);
            export_cell(c, t, y * V + v);
        }
}

static void table_scenario_variant(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_SCENARIO_VARIANT];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)r->model->n_variants;
    csv_text(c, "year"); export_head_key(c, "scenario"); export_head_var(c); export_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t s = 0; s < S; s++)
            for (size_t v = 0; v < V; v++) {
                csv_int(c, r->params.year_start + (long)y); export_key_scen(c, r, s);
                export_key_var(c, r->model, v);
                export_cell(c, t, (y * S + s) * V + v);
            }
}

static void table_transition(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_TRANSITION];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios;
    csv_text(c, "year_from"); export_head_key(c, "from_scenario"); export_head_key(c, "to_scenario");
    export_value_header(c, r);
    for (size_t y = 0; y + 1 < Y; y++)
        for (size_t a = 0; a < S; a++)
            for (size_t b = 0; b < S; b++) {
                csv_int(c, r->params.year_start + (long)y); export_key_scen(c, r, a); export_key_scen(c, r, b);
                export_cell(c, t, (y * S + a) * S + b);
            }
}

static void table_early_warning(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_EARLY_WARNING];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)r->model->n_variants;
    csv_text(c, "year"); export_head_var(c); export_head_key(c, "final_scenario"); export_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t v = 0; v < V; v++)
            for (size_t s = 0; s < S; s++) {
                csv_int(c, r->params.year_start + (long)y); export_key_var(c, r->model, v);
                export_key_scen(c, r, s);
                export_cell(c, t, (y * V + v) * S + s);
            }
}

static void table_consistency(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_CONSISTENCY];
    size_t Y = (size_t)r->n_years, B = (size_t)r->n_bins;
    csv_text(c, "year"); csv_text(c, "consistency"); export_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t b = 0; b < B; b++) {
            csv_int(c, r->params.year_start + (long)y);
            csv_double(c, r->bin_lo + (double)b * r->bin_width);
            export_cell(c, t, y * B + b);
        }
}

static void table_final_state(csv *c, const scenmc_results *r)
{
    const scenmc_model *m = r->model;
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    int D = m->n_descriptors;
    int *st = scenmc__xcalloc((size_t)D, sizeof(int));
    csv_text(c, "state");
    for (int d = 0; d < D; d++)
        csv_text(c, m->descriptors[d].id);
    export_head_key(c, "scenario"); csv_text(c, "consistency"); export_value_header(c, r);
    for (size_t i = 0; i < t->size; i++) {
        if (t->counts ? t->counts[i] == 0 : !(t->prob[i] > 0))
            continue;
        uint64_t idx = r->full_states ? (uint64_t)i : r->top_state[i];
        scenmc_state_from_index(m, idx, st);
        csv_u64(c, idx);
        for (int d = 0; d < D; d++)
            csv_text(c, m->variant_name[m->descriptors[d].offset + st[d]]);
        export_key_scen(c, r, (size_t)scenmc_model_scenario_of(m, st));
        csv_double(c, scenmc_model_total_consistency(m, st));
        export_cell(c, t, i);
    }
    free(st);
}

void export_table(csv *c, const scenmc_results *r, scenmc_table_id k)
{
    xk = k;
    switch (k) {
    case SCENMC_T_SCENARIO: table_scenario(c, r, k, "scenario"); break;
    case SCENMC_T_VARIANT: table_variant(c, r); break;
    case SCENMC_T_SCENARIO_VARIANT: table_scenario_variant(c, r); break;
    case SCENMC_T_TRANSITION: table_transition(c, r); break;
    case SCENMC_T_EARLY_WARNING: table_early_warning(c, r); break;
    case SCENMC_T_CONSISTENCY: table_consistency(c, r); break;
    case SCENMC_T_LOCK_IN: table_scenario(c, r, k, "final_scenario"); break;
    case SCENMC_T_FINAL_STATE: table_final_state(c, r); break;
    default: break;
    }
}

void export_kv(csv *c, const char *key, const char *value)
{
    csv_text(c, key); csv_text(c, value); csv_end(c);
}

void export_kv_u64(csv *c, const char *key, uint64_t x)
{
    csv_text(c, key); csv_u64(c, x); csv_end(c);
}

void export_kv_int(csv *c, const char *key, long x)
{
    csv_text(c, key);
    csv_int(c, x);
    csv_end(c);
}

void export_kv_double(csv *c, const char *key, double x)
{
    csv_text(c, key); csv_double(c, x); csv_end(c);
}

/* The changes over time (/schedule), change:K:FIELD rows, K from 1 in the
 * order they apply; none without changes. */
static void export_schedule_meta(csv *c, const scenmc_model *m, const scenmc_params *p)
{
    const scenmc_schedule *s = p->schedule;
    char key[64], val[1024];
    for (int i = 0; s && i < s->n; i++) {
        const scenmc_change *ch = &s->ch[i];
        const scenmc_descriptor *D = &m->descriptors[ch->descriptor];
        snprintf(key, sizeof key, "change:%d:kind", i + 1);
        export_kv(c, key, scenmc_change_kind_names[ch->kind]);
        snprintf(key, sizeof key, "change:%d:name", i + 1);
        export_kv(c, key, ch->name ? ch->name : "");
        snprintf(key, sizeof key, "change:%d:variant", i + 1);
        snprintf(val, sizeof val, "%s=%s", D->id, m->variant_name[D->offset + ch->variant]);
        export_kv(c, key, val);
        snprintf(key, sizeof key, "change:%d:first", i + 1);
        export_kv_int(c, key, ch->first);
        snprintf(key, sizeof key, "change:%d:last", i + 1);
        export_kv_int(c, key, ch->last);
        int at = 0;
        val[0] = '\0';
        for (int k = 0; k < ch->n_knots && at >= 0 && (size_t)at < sizeof val; k++)
            at += snprintf(val + at, sizeof val - (size_t)at, "%s%d=%.17g", k ? ";" : "", ch->knot_year[k],
                           ch->knot_value[k]);
        snprintf(key, sizeof key, "change:%d:knots", i + 1);
        export_kv(c, key, val);
        snprintf(key, sizeof key, "change:%d:hazard", i + 1);
        export_kv_double(c, key, ch->kind == SCENMC_CHANGE_SHOCK ? ch->value : 0);
        snprintf(key, sizeof key, "change:%d:where", i + 1);
        export_kv(c, key, ch->where ? ch->where : "");
    }
}

void export_provenance(csv *c, const scenmc_results_info *info, const scenmc_model *m)
{
    export_kv(c, "key", "value");
    export_kv(c, "format", SCENMC_RESULTS_FORMAT);
    export_kv_int(c, "format_version", info->format_version);
    export_kv(c, "method", info->method);
    export_kv(c, "engine_version", info->engine_version);
    export_kv(c, "created", info->created);
    export_kv(c, "command_line", info->command_line);
    export_kv(c, "model_name", m->name);
}

void export_metadata(csv *c, const scenmc_results *r, const scenmc_results_info *info)
{
    const scenmc_model *m = r->model;
    const scenmc_params *p = &r->params;
    char key[512];
    export_provenance(c, info, m);
    export_kv(c, "model_path", info->model_path);
    export_kv(c, "model_sha256", info->sha256);
    export_kv_int(c, "year_start", p->year_start);
    export_kv_int(c, "year_end", p->year_end);
    export_kv_u64(c, "seed", p->seed);
    export_kv_u64(c, "n_trajectories", r->n_trajectories);
    export_kv_u64(c, "trajectory_first", r->first);
    export_kv_u64(c, "trajectory_last", r->last);
    export_kv_int(c, "threads", r->threads);
    export_kv_double(c, "wall_seconds", r->wall_seconds);
    export_kv_double(c, "beta", p->beta);
    export_kv_double(c, "w_consistency", p->w_consistency);
    export_kv_double(c, "w_cross", p->w_cross);
    for (int d = 0; d < m->n_descriptors; d++) {
        snprintf(key, sizeof key, "rate:%s", m->descriptors[d].id);
        export_kv_double(c, key, p->rate[d]);
    }
    for (int v = 0; v < m->n_variants; v++) {
        snprintf(key, sizeof key, "initial:%s:%s", desc_id(m, (size_t)v), m->variant_name[v]);
        export_kv_double(c, key, p->initial[v]);
    }
    if (p->start)
        for (int d = 0; d < m->n_descriptors; d++) {
            snprintf(key, sizeof key, "start:%s", m->descriptors[d].id);
            export_kv(c, key, m->variant_name[m->descriptors[d].offset + p->start[d]]);
        }
    export_kv_int(c, "n_scenarios", r->n_scenarios);
    export_kv_int(c, "has_unclassified", r->has_unclassified);
    export_kv_double(c, "consistency_bin_width", r->bin_width);
    export_kv_u64(c, "n_states", r->n_states);
    export_kv_int(c, "final_state_full", r->full_states);
    if (r->method == SCENMC_EXACT) {
        export_kv_double(c, "truncation_bound", r->truncation_bound);
        export_kv_double(c, "memory_bytes", r->mem_peak_bytes);
    }
    export_schedule_meta(c, m, p);
}

