#include "cli/export_kinds.h"

#include <string.h>

void export_members(csv *c, const scenmc_results *r, const scenmc_ensemble_data *e)
{
    size_t Y = (size_t)e->n_years, S = (size_t)e->n_scenarios;
    csv_text(c, "member"); csv_text(c, "year"); export_head_key(c, "scenario");
    csv_text(c, "probability"); csv_end(c);
    for (size_t k = 0; k < (size_t)e->n_members; k++)
        for (size_t y = 0; y < Y; y++)
            for (size_t s = 0; s < S; s++) {
                csv_u64(c, k + 1); csv_int(c, r->params.year_start + (long)y);
                export_key_scen(c, r, s);
                csv_double(c, e->scenario_prob[(k * Y + y) * S + s]);
                csv_end(c);
            }
}

void export_sweep_points(csv *c, const scenmc_sweep_data *s)
{
    csv_text(c, "point");
    for (int k = 0; k < s->n_params; k++)
        csv_text(c, s->param_names[k]);
    csv_end(c);
    for (int i = 0; i < s->n_points; i++) {
        csv_int(c, i);
        for (int k = 0; k < s->n_params; k++)
            csv_double(c, s->values[(size_t)i * (size_t)s->n_params + (size_t)k]);
        csv_end(c);
    }
}

void export_sweep_scenario(csv *c, const scenmc_sweep_data *s)
{
    if (s->n_points == 0)
        return;
    csv_text(c, "point");
    for (int k = 0; k < s->n_params; k++)
        csv_text(c, s->param_names[k]);
    csv_text(c, "year"); export_head_key(c, "scenario"); export_value_header(c, &s->points[0]);
    for (int i = 0; i < s->n_points; i++) {
        const scenmc_results *r = &s->points[i];
        size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios;
        for (size_t y = 0; y < Y; y++)
            for (size_t sc = 0; sc < S; sc++) {
                csv_int(c, i);
                for (int k = 0; k < s->n_params; k++)
                    csv_double(c, s->values[(size_t)i * (size_t)s->n_params + (size_t)k]);
                csv_int(c, r->params.year_start + (long)y); export_key_scen(c, r, sc);
                export_cell(c, &r->t[SCENMC_T_SCENARIO], y * S + sc);
            }
    }
}

/* The descriptor and variant of variant u: two columns. */
static void cell_side(csv *c, const scenmc_model *m, int u)
{
    csv_text(c, m->descriptors[m->variant_descriptor[u]].id);
    csv_text(c, m->variant_name[u]);
}

void export_sensitivity(csv *c, const scenmc_model *m, const scenmc_sensitivity_result *s)
{
    scenmc_results names;
    memset(&names, 0, sizeof names);
    names.model = m; /* for the scenario columns: only the model is used */
    size_t S = (size_t)s->n_scenarios;
    csv_text(c, "cell"); csv_text(c, "descriptor_u"); csv_text(c, "variant_u");
    csv_text(c, "descriptor_v"); csv_text(c, "variant_v"); csv_text(c, "base_value");
    csv_text(c, "minus_value"); csv_text(c, "plus_value"); export_head_key(c, "final_scenario");
    csv_text(c, "p_minus"); csv_text(c, "p_plus"); csv_text(c, "effect"); csv_text(c, "stderr");
    csv_end(c);
    for (size_t k = 0; k < (size_t)s->n_cells; k++)
        for (size_t j = 0; j < S; j++) {
            size_t i = k * S + j;
            csv_u64(c, k);
            cell_side(c, m, s->u[k]);
            cell_side(c, m, s->v[k]);
            csv_double(c, s->base_value[k]); csv_double(c, s->minus_value[k]);
            csv_double(c, s->plus_value[k]); export_key_scen(c, &names, j);
            csv_double(c, s->p_minus[i]); csv_double(c, s->p_plus[i]);
            csv_double(c, s->effect[i]); csv_double(c, s->stderr_[i]);
            csv_end(c);
        }
}

void export_params_meta(csv *c, const scenmc_results_info *info, const scenmc_model *m, const scenmc_params *p)
{
    export_provenance(c, info, m);
    export_kv(c, "model_sha256", info->sha256);
    export_kv_int(c, "year_start", p->year_start);
    export_kv_int(c, "year_end", p->year_end);
    export_kv_u64(c, "seed", p->seed);
    export_kv_double(c, "beta", p->beta);
    export_kv_double(c, "w_consistency", p->w_consistency);
    export_kv_double(c, "w_cross", p->w_cross);
}

static void params_meta(csv *c, const results_src *s)
{
    export_params_meta(c, &s->info, s->m, &s->base);
}

void export_sensitivity_meta(csv *c, const results_src *s)
{
    params_meta(c, s);
    export_kv_u64(c, "n_trajectories", s->sens.n_trajectories);
    export_kv_double(c, "delta", s->sens.delta);
    export_kv_double(c, "wall_seconds", s->sens.wall_seconds);
}

void export_derivative(csv *c, const scenmc_model *m, const scenmc_derivatives *d, int year_start)
{
    scenmc_results names;
    memset(&names, 0, sizeof names);
    names.model = m; /* for the scenario columns: only the model is used */
    size_t Y = (size_t)d->Y, S = (size_t)d->S;
    csv_text(c, "parameter"); csv_text(c, "kind"); csv_text(c, "value"); csv_text(c, "step");
    csv_text(c, "year"); export_head_key(c, "scenario"); csv_text(c, "derivative");
    csv_text(c, "elasticity");
    if (d->scenario_se)
        csv_text(c, "stderr");
    csv_end(c);
    for (size_t e = 0; e < (size_t)d->n_param; e++)
        for (size_t y = 0; y < Y; y++)
            for (size_t j = 0; j < S; j++) {
                const scenmc_dparam *q = &d->param[e];
                size_t i = (e * Y + y) * S + j;
                csv_text(c, q->label); csv_text(c, scenmc_dparam_kind_names[q->kind]);
                csv_double(c, q->value); csv_double(c, q->step);
                csv_int(c, year_start + (long)y); export_key_scen(c, &names, j);
                csv_double(c, d->scenario[i]); csv_double(c, d->scenario[i] * q->step);
                if (d->scenario_se)
                    csv_double(c, d->scenario_se[i]);
                csv_end(c);
            }
}

void export_derivative_meta(csv *c, const results_src *s)
{
    params_meta(c, s);
    export_kv(c, "derivative_method", s->deriv.method);
    export_kv_int(c, "n_parameters", s->deriv.n_param);
    if (s->deriv.n_trajectories)
        export_kv_u64(c, "n_trajectories", s->deriv.n_trajectories);
    export_kv_double(c, "wall_seconds", s->deriv.wall_seconds);
}
