#include "cli/report_kinds.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *scen_name(const scenmc_model *m, int s)
{
    return s < m->n_scenarios ? m->scenarios[s].name : "unclassified";
}

int report_quantile_index(const scenmc_ensemble_data *e, double level)
{
    for (int l = 0; l < e->n_quantiles; l++)
        if (fabs(e->quantile_levels[l] - level) < 1e-9)
            return l;
    return -1;
}

/* The sentence on what dominates: the members' 5-95% range against the
 * sampling noise, the pooled estimate's and each member's own (N/M
 * trajectories: sqrt(M) times the pooled standard error). */
static void dominance(const out *o, const scenmc_results *r, const scenmc_ensemble_data *e,
                      int q05, int q95)
{
    const scenmc_table *sc = &r->t[SCENMC_T_SCENARIO];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, size = sc->size;
    double best = 0, pooled = 0;
    int at = -1;
    for (size_t s = 0; s < S; s++) {
        size_t i = (Y - 1) * S + s;
        double range = e->quantiles[SCENMC_T_SCENARIO][(size_t)q95 * size + i] -
                       e->quantiles[SCENMC_T_SCENARIO][(size_t)q05 * size + i];
        double member = 2 * 1.645 * sc->stderr_[i] * sqrt((double)e->n_members);
        if (!(sc->stderr_[i] > 0))
            continue;
        double ratio = range / member;
        if (ratio > best) {
            best = ratio;
            at = (int)s;
            pooled = range / (2 * 1.645 * sc->stderr_[i]);
        }
    }
    if (at < 0) {
        para(o, "No scenario has sampling noise to compare the spread with.");
        return;
    }
    const char *b = o->md ? "**" : "";
    if (best >= 2)
        para(o, "%sJudgement spread dominates.%s For %s the members' 5–95%% range is %.1f times "
                "the 90%% interval that each member's own sampling noise (N/M trajectories) would "
                "give, and %.0f times the 90%% Monte Carlo interval of the pooled estimate: the "
                "± column understates the uncertainty; quote the members' range.",
             b, b, scen_name(r->model, at), best, pooled);
    else
        para(o, "%sMonte Carlo error dominates.%s The members' 5–95%% ranges are at most %.1f "
                "times (for %s) what each member's own sampling noise (N/M trajectories) gives: "
                "the spread is mostly noise; run more trajectories per member to see the "
                "judgement spread.", b, b, best, scen_name(r->model, at));
}

void report_ensemble(const out *o, const scenmc_results *r, const scenmc_ensemble_data *e)
{
    int q05 = report_quantile_index(e, 0.05), q50 = report_quantile_index(e, 0.5),
        q95 = report_quantile_index(e, 0.95);
    const scenmc_table *sc = &r->t[SCENMC_T_SCENARIO];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios;
    heading(o, 2, "Judgement uncertainty: %d members", e->n_members);
    para(o, "The file pools %d members, each with a consistency matrix drawn around the model's "
            "(score noise sd %g) and N/M of the trajectories. Beside the pooled estimate ± one "
            "standard error (Monte Carlo error only), the members' 5%%, 50%% and 95%% quantiles of "
            "P(scenario in %d).", e->n_members, e->judgement_sd, r->params.year_end);
    if (q05 < 0 || q50 < 0 || q95 < 0 || !sc->stderr_) {
        para(o, "(The file lacks the 5, 50 and 95%% quantiles.)");
        return;
    }
    tbl t = {.ncol = 5, .align = "lrrrr"};
    tbl_cell(&t, "Scenario");
    tbl_cell(&t, "Pooled p ± se");
    tbl_cell(&t, "Members 5%%");
    tbl_cell(&t, "50%%");
    tbl_cell(&t, "95%%");
    for (size_t s = 0; s < S; s++) {
        size_t i = (Y - 1) * S + s;
        const double *q = e->quantiles[SCENMC_T_SCENARIO];
        tbl_cell(&t, "%s", scen_name(r->model, (int)s));
        tbl_cell(&t, "%.4f ± %.4f", sc->prob[i], sc->stderr_[i]);
        tbl_cell(&t, "%.4f", q[(size_t)q05 * sc->size + i]);
        tbl_cell(&t, "%.4f", q[(size_t)q50 * sc->size + i]);
        tbl_cell(&t, "%.4f", q[(size_t)q95 * sc->size + i]);
    }
    tbl_print(o, &t);
    dominance(o, r, e, q05, q95);
}

void report_sweep(const out *o, const results_src *src)
{
    const scenmc_sweep_data *s = &src->sweep;
    const scenmc_model *m = src->m;
    heading(o, 2, "Sweep: %d points (%s design)", s->n_points, s->design);
    if (s->n_points == 0)
        return;
    const scenmc_results *r0 = &s->points[0];
    int S = r0->n_scenarios, K = s->n_params, mc = r0->method == SCENMC_MONTE_CARLO;
    para(o, "P(scenario in %d) at each point%s; every point ran the same %llu trajectories with "
            "the same random numbers (seed %llu), so differences between points are paired.",
         r0->params.year_end, mc ? ", ± one standard error" : "",
         (unsigned long long)r0->n_trajectories, (unsigned long long)r0->params.seed);
    if (1 + K + S > 16) {
        para(o, "(%d parameters and %d scenarios: see scenmc export, sweep_scenario.csv.)", K, S);
        return;
    }
    tbl t = {.ncol = 1 + K + S};
    memset(t.align, 'r', sizeof t.align);
    tbl_cell(&t, "Point");
    for (int k = 0; k < K; k++)
        tbl_cell(&t, "%s", s->param_names[k]);
    for (int j = 0; j < S; j++)
        tbl_cell(&t, "%s", scen_name(m, j));
    for (int i = 0; i < s->n_points; i++) {
        const scenmc_results *r = &s->points[i];
        const scenmc_table *sc = &r->t[SCENMC_T_SCENARIO];
        size_t base = (size_t)(r->n_years - 1) * (size_t)S;
        tbl_cell(&t, "%d", i);
        for (int k = 0; k < K; k++)
            tbl_cell(&t, "%g", s->values[(size_t)i * (size_t)K + (size_t)k]);
        for (int j = 0; j < S; j++) {
            if (mc)
                tbl_cell(&t, "%.4f ± %.4f", sc->prob[base + (size_t)j], sc->stderr_[base + (size_t)j]);
            else
                tbl_cell(&t, "%.6f", sc->prob[base + (size_t)j]);
        }
    }
    tbl_print(o, &t);
}

typedef struct ranked_cell {
    int k;
    double size; /* the largest |effect| over the scenarios */
} ranked_cell;

static int by_size(const void *a, const void *b)
{
    const ranked_cell *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->k - y->k;
}

void report_sensitivity(const out *o, const results_src *src, int top)
{
    const scenmc_sensitivity_result *s = &src->sens;
    const scenmc_model *m = src->m;
    int S = s->n_scenarios;
    heading(o, 2, "Sensitivity to each consistency score");
    para(o, "Each of the %d scored cells at its value -%g and +%g (clipped to the scale), with the "
            "same %llu trajectories: the effect is P(scenario in %d) at + minus at -, ± the "
            "standard error of the paired difference. The %d cells of largest effect:",
         s->n_cells, s->delta, s->delta, (unsigned long long)s->n_trajectories,
         src->base.year_end, top);
    if (2 + S > 16) {
        para(o, "(%d scenarios: see scenmc export, sensitivity.csv.)", S);
        return;
    }
    ranked_cell *rank = scenmc__xcalloc((size_t)s->n_cells + 1, sizeof *rank);
    for (int k = 0; k < s->n_cells; k++) {
        rank[k].k = k;
        for (int j = 0; j < S; j++)
            rank[k].size = fmax(rank[k].size, fabs(s->effect[(size_t)k * (size_t)S + (size_t)j]));
    }
    qsort(rank, (size_t)s->n_cells, sizeof *rank, by_size);
    tbl t = {.ncol = 2 + S};
    memset(t.align, 'r', sizeof t.align);
    t.align[0] = 'l';
    tbl_cell(&t, "Cell");
    tbl_cell(&t, "Score");
    for (int j = 0; j < S; j++)
        tbl_cell(&t, "%s", scen_name(m, j));
    for (int n = 0; n < s->n_cells && n < top; n++) {
        int k = rank[n].k, u = s->u[k], v = s->v[k];
        tbl_cell(&t, "%s=%s x %s=%s", m->descriptors[m->variant_descriptor[u]].id,
                 m->variant_name[u], m->descriptors[m->variant_descriptor[v]].id, m->variant_name[v]);
        tbl_cell(&t, "%g", s->base_value[k]);
        for (int j = 0; j < S; j++) {
            size_t i = (size_t)k * (size_t)S + (size_t)j;
            tbl_cell(&t, "%+.1f ± %.1f pp", 100 * s->effect[i], 100 * s->stderr_[i]);
        }
    }
    tbl_print(o, &t);
    free(rank);
}

/* A derivative file: the parameters whose one step (param_step) moves the
 * final year's scenario probabilities most, ranked by the largest
 * |elasticity| over the scenarios, with standard errors (score method). */
void report_derivative(const out *o, const results_src *src, int top)
{
    const scenmc_derivatives *d = &src->deriv;
    const scenmc_model *m = src->m;
    size_t Y = (size_t)d->Y, S = (size_t)d->S, last = Y - 1;
    heading(o, 2, "Derivatives of the final year's scenario probabilities");
    para(o, "The %s method (%s) gives dP/dθ for %d parameters; the elasticity is the derivative "
            "times the parameter's step (one scale point for cells and biases, a tenth of the value "
            "for beta, the weights and the rates): the change of P(scenario in %d) in percentage "
            "points per step%s. The %d parameters of largest elasticity:",
         d->method, strcmp(d->method, "exact") ? "Monte Carlo, likelihood ratio"
                                              : "reverse-mode differentiation of the exact solver",
         d->n_param, src->base.year_end, d->scenario_se ? ", ± its standard error" : "", top);
    if (2 + S > 16 || Y == 0) {
        para(o, "(%zu scenarios: see scenmc export, derivative.csv.)", S);
        return;
    }
    ranked_cell *rank = scenmc__xcalloc((size_t)d->n_param + 1, sizeof *rank);
    for (int e = 0; e < d->n_param; e++) {
        rank[e].k = e;
        for (size_t j = 0; j < S; j++)
            rank[e].size = fmax(rank[e].size, fabs(d->scenario[((size_t)e * Y + last) * S + j] *
                                                   d->param[e].step));
    }
    qsort(rank, (size_t)d->n_param, sizeof *rank, by_size);
    tbl t = {.ncol = 3 + (int)S};
    memset(t.align, 'r', sizeof t.align);
    t.align[0] = 'l';
    tbl_cell(&t, "Parameter");
    tbl_cell(&t, "Value");
    tbl_cell(&t, "Step");
    for (size_t j = 0; j < S; j++)
        tbl_cell(&t, "%s", scen_name(m, (int)j));
    for (int n = 0; n < d->n_param && n < top; n++) {
        const scenmc_dparam *q = &d->param[rank[n].k];
        tbl_cell(&t, "%s", q->label);
        tbl_cell(&t, "%g", q->value);
        tbl_cell(&t, "%g", q->step);
        for (size_t j = 0; j < S; j++) {
            size_t i = ((size_t)rank[n].k * Y + last) * S + j;
            if (d->scenario_se)
                tbl_cell(&t, "%+.2f ± %.2f pp", 100 * d->scenario[i] * q->step,
                         100 * d->scenario_se[i] * fabs(q->step));
            else
                tbl_cell(&t, "%+.2f pp", 100 * d->scenario[i] * q->step);
        }
    }
    tbl_print(o, &t);
    free(rank);
}
