/* scenmc levers (scenmc/levers.h, docs/interventions.md): every hold
 * (descriptor x variant from the start year to the target year), optionally
 * every push, ranked by its effect on P(target); the best pair of holds. */
#include "engine/levers.h"
#include "engine/simulate.h"
#include "engine/exact_chain.h"
#include "engine/exact_filter.h"
#include "model/params.h"
#include "scenmc/schedule.h"
#include "base/util.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scenmc__lever_defining(const scenmc_model *m, const uint8_t *in_target, int d)
{
    for (int k = 0; k < m->n_scenarios; k++)
        for (int c = 0; in_target[k] && c < m->scenarios[k].n_conditions; c++)
            if (m->scenarios[k].cond_descriptor[c] == d)
                return 1;
    return 0;
}

int scenmc__lever_trivial(const scenmc_model *m, const uint8_t *in_target, int S, int d, int v)
{
    /* Only the descriptors in some condition classify: enumerate their
     * product with d at v (bounded; larger products are not decided). */
    int list[SCENMC_MAX_DESCRIPTORS], n = 0;
    uint8_t used[SCENMC_MAX_DESCRIPTORS] = {0};
    double combos = 1;
    for (int k = 0; k < m->n_scenarios; k++)
        for (int c = 0; c < m->scenarios[k].n_conditions; c++) {
            int e = m->scenarios[k].cond_descriptor[c];
            if (e != d && !used[e]) {
                used[e] = 1;
                list[n++] = e;
                combos *= m->descriptors[e].n_variants;
            }
        }
    if (combos > (double)(1 << 20))
        return -1;
    int *s = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
    s[d] = v;
    uint64_t in = 0, all = 0;
    for (;;) {
        int k = scenmc_model_scenario_of(m, s);
        in += k < S && in_target[k];
        all++;
        int i = 0;
        while (i < n && ++s[list[i]] == m->descriptors[list[i]].n_variants)
            s[list[i++]] = 0;
        if (i == n)
            break;
    }
    free(s);
    return in == 0 ? 0 : in == all ? 1 : -1;
}

void scenmc__lever_params(scenmc_params *out, const scenmc_params *base, scenmc_lever_kind kind, int d,
                          int v, int start, double b)
{
    scenmc_params_copy(out, base);
    if (!out->schedule) {
        out->schedule = scenmc__xmalloc(sizeof *out->schedule);
        scenmc_schedule_init(out->schedule);
    }
    scenmc_change c = {.kind = kind == SCENMC_LEVER_HOLD ? SCENMC_CHANGE_HOLD : SCENMC_CHANGE_TREND,
                       .descriptor = d, .variant = v, .first = start, .last = base->year_end,
                       .where = "scenmc levers"};
    /* A push is the command line's --push: a step up at start, down after the end. */
    int ky[4] = {start - 1, start, base->year_end, base->year_end + 1};
    double kv[4] = {0, b, b, 0};
    if (kind == SCENMC_LEVER_PUSH) {
        c.n_knots = 4;
        c.knot_year = ky;
        c.knot_value = kv;
    }
    scenmc_schedule_add(out->schedule, &c);
}

typedef struct lev_run {
    const scenmc_model *m;
    const scenmc_params *base;
    const scenmc_levers_spec *spec;
    scenmc__levers_solver solve;
    void *ctx;
    const uint8_t *in_target;
    int S;
    uint64_t done, total;
    double t0;
} lev_run;

/* One evaluation of the levers a (and b >= 0: a pair) into *p, *effect, *se. */
static scenmc_status lev_eval(lev_run *L, const scenmc_lever *a, const scenmc_lever *b, double *pb, double *p,
                              double *se, scenmc_error *err)
{
    scenmc_params w, w2;
    double strength = L->spec->push_strength;
    scenmc__lever_params(&w, L->base, a->kind, a->descriptor, a->variant, L->spec->start, strength);
    if (b) {
        scenmc__lever_params(&w2, &w, b->kind, b->descriptor, b->variant, L->spec->start, strength);
        scenmc_params_free(&w);
        w = w2;
    }
    scenmc_status st = L->solve(L->ctx, L->m, L->base, &w, L->in_target, L->S, pb, p, se, err);
    scenmc_params_free(&w);
    L->done++;
    if (st == SCENMC_OK && L->spec->progress &&
        L->spec->progress(L->spec->progress_ctx, L->done, L->total, scenmc__now() - L->t0))
        st = scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %llu of %llu evaluations",
                              (unsigned long long)L->done, (unsigned long long)L->total);
    return st;
}

static const scenmc_lever *sort_levers;
static int by_effect(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    double ea = sort_levers[a].effect, eb = sort_levers[b].effect;
    if (isnan(ea) != isnan(eb)) /* undefined (observations impossible with the lever) last */
        return isnan(ea) ? 1 : -1;
    if (ea != eb && !isnan(ea))
        return ea < eb ? 1 : -1;
    return a - b;
}

/* The levers to evaluate: holds d x v, then pushes. */
static void lev_list(const scenmc_model *m, const scenmc_levers_spec *spec, const uint8_t *in_target, int S,
                     scenmc_levers_result *out)
{
    int n = 0, V = m->n_variants;
    out->lever = scenmc__xcalloc((size_t)(2 * V), sizeof(scenmc_lever));
    for (int kind = 0; kind < (spec->pushes ? 2 : 1); kind++)
        for (int d = 0; d < m->n_descriptors; d++)
            for (int v = 0; v < m->descriptors[d].n_variants; v++) {
                scenmc_lever *l = &out->lever[n++];
                l->kind = (scenmc_lever_kind)kind;
                l->descriptor = d;
                l->variant = v;
                l->defining = scenmc__lever_defining(m, in_target, d);
                l->trivial = kind == SCENMC_LEVER_HOLD ? scenmc__lever_trivial(m, in_target, S, d, v) : -1;
            }
    out->n_levers = n;
}

/* The pairs: every two holds on different descriptors when there are at
 * most the budget's, else those among the top k non-trivial holds. */
static int lev_pairs_plan(const scenmc_model *m, const scenmc_levers_spec *spec, scenmc_levers_result *out)
{
    long all = 0, budget = spec->pair_budget > 0 ? spec->pair_budget
                                                 : spec->method == SCENMC_EXACT ? 600 : 60;
    for (int d = 0; d < m->n_descriptors; d++)
        for (int e = d + 1; e < m->n_descriptors; e++)
            all += (long)m->descriptors[d].n_variants * m->descriptors[e].n_variants;
    out->pair_exhaustive = all <= budget;
    out->pair_top = spec->pair_top > 0 ? spec->pair_top : 8;
    return out->pair_exhaustive ? (int)all : out->pair_top * (out->pair_top - 1) / 2;
}

static void lev_pairs_list(scenmc_levers_result *o, int cap)
{
    o->pair_a = scenmc__xcalloc((size_t)cap + 1, sizeof(int));
    o->pair_b = scenmc__xcalloc((size_t)cap + 1, sizeof(int));
    int cand[4096], nc = 0;
    for (int i = 0; i < o->n_levers && nc < 4096; i++) {
        int l = o->pair_exhaustive ? i : o->order[i];
        if (o->lever[l].kind == SCENMC_LEVER_HOLD && (o->pair_exhaustive || o->lever[l].trivial < 0))
            cand[nc++] = l;
        if (!o->pair_exhaustive && nc == o->pair_top)
            break;
    }
    int np = 0;
    for (int i = 0; i < nc; i++)
        for (int j = i + 1; j < nc && np < cap; j++)
            if (o->lever[cand[i]].descriptor != o->lever[cand[j]].descriptor) {
                o->pair_a[np] = cand[i];
                o->pair_b[np++] = cand[j];
            }
    o->n_pairs = np;
}

static scenmc_status lev_pairs(lev_run *L, scenmc_levers_result *out, int cap, scenmc_error *err)
{
    lev_pairs_list(out, cap);
    size_t np = (size_t)out->n_pairs + 1;
    out->pair_p = scenmc__xcalloc(np, sizeof(double));
    out->pair_effect = scenmc__xcalloc(np, sizeof(double));
    out->pair_se = scenmc__xcalloc(np, sizeof(double));
    out->best_pair = -1;
    scenmc_status st = SCENMC_OK;
    for (int i = 0; i < out->n_pairs && st == SCENMC_OK; i++) {
        const scenmc_lever *a = &out->lever[out->pair_a[i]], *b = &out->lever[out->pair_b[i]];
        double pb;
        st = lev_eval(L, a, b, &pb, &out->pair_p[i], &out->pair_se[i], err);
        out->pair_effect[i] = out->pair_p[i] - pb;
        /* The best pair: the largest effect among pairs of non-trivial holds. */
        if (st == SCENMC_OK && a->trivial < 0 && b->trivial < 0 && !isnan(out->pair_effect[i]) &&
            (out->best_pair < 0 || out->pair_effect[i] > out->pair_effect[out->best_pair]))
            out->best_pair = i;
    }
    return st;
}

scenmc_status scenmc__levers_run(const scenmc_model *m, const scenmc_params *base, const scenmc_levers_spec *spec,
                                 scenmc__levers_solver solve, void *ctx, scenmc_levers_result *out,
                                 scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    out->best_pair = -1;
    int S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    uint8_t *in_target = scenmc__xcalloc((size_t)S + 1, 1);
    for (int i = 0; i < spec->n_target; i++)
        in_target[spec->target[i]] = 1;
    out->method = spec->method;
    out->year = base->year_end;
    out->start = spec->start;
    out->n_trajectories = spec->method == SCENMC_EXACT ? 0 : base->n_trajectories;
    lev_list(m, spec, in_target, S, out);
    int cap = spec->pairs ? lev_pairs_plan(m, spec, out) : 0;
    lev_run L = {m, base, spec, solve, ctx, in_target, S, 0, (uint64_t)(out->n_levers + cap), scenmc__now()};
    scenmc_status st = SCENMC_OK;
    for (int i = 0; i < out->n_levers && st == SCENMC_OK; i++) {
        scenmc_lever *l = &out->lever[i];
        st = lev_eval(&L, l, NULL, &out->p_baseline, &l->p_with, &l->se, err);
        l->effect = l->p_with - out->p_baseline;
        l->ratio = out->p_baseline > 0 ? l->p_with / out->p_baseline : NAN;
    }
    if (st == SCENMC_OK) {
        out->order = scenmc__xcalloc((size_t)out->n_levers, sizeof(int));
        for (int i = 0; i < out->n_levers; i++)
            out->order[i] = i;
        sort_levers = out->lever;
        qsort(out->order, (size_t)out->n_levers, sizeof(int), by_effect);
        double n = (double)out->n_trajectories, p = out->p_baseline;
        out->p_baseline_se = n > 0 ? sqrt(p * (1 - p) / n) : 0;
    }
    if (st == SCENMC_OK && spec->pairs)
        st = lev_pairs(&L, out, cap, err);
    out->wall_seconds = scenmc__now() - L.t0;
    free(in_target);
    if (st != SCENMC_OK)
        scenmc_levers_free(out);
    return st;
}

void scenmc_levers_free(scenmc_levers_result *r)
{
    free(r->lever);
    free(r->order);
    free(r->pair_a);
    free(r->pair_b);
    free(r->pair_p);
    free(r->pair_effect);
    free(r->pair_se);
    memset(r, 0, sizeof *r);
    r->best_pair = -1;
}

/* ---------------------------------------------------------------- the two solvers */

/* Exact: every lever's process is the baseline's until the start year, so
 * the distribution at the start (before the start year's holds and
 * observations) is solved once; each lever then costs only the forward
 * years from the start, one vector (docs/interventions.md, "Speed"). With
 * observations it is the forward filter: those before the start condition
 * the shared past, those from the start on weigh each lever's own forward
 * distribution, and P(target) is the filtered one in the target year. */
typedef struct exact_ctx {
    scenmc__kernel_base k;
    scenmc__chain c;
    const scenmc_observations *o; /* NULL: unconditioned */
    double **L;    /* [Y] the observed years' likelihoods (NULL without observations) */
    int *scen;     /* [n] each state's scenario */
    double *past;  /* [n] the distribution at the start year's time, before its holds */
    double *v;     /* [n] a lever's forward distribution */
    int ys, Y;     /* the start year's index; years */
    int have_base;
    double p_base;
    double past_seconds, lever_seconds; /* the timing breakdown (wall) */
} exact_ctx;

/* v .* L normalised (L NULL: v untouched); 0 when nothing is left. */
static int exact_weigh(const exact_ctx *e, double *v, int y)
{
    const double *L = e->L ? e->L[y] : NULL;
    if (!L)
        return 1;
    double z = 0;
    for (uint64_t x = 0; x < e->c.n; x++)
        z += (v[x] *= L[x]);
    if (!(z > 0))
        return 0;
    for (uint64_t x = 0; x < e->c.n; x++)
        v[x] /= z;
    return 1;
}

/* The chain's operators back to the model's own (the state that
 * scenmc__chain_schedule expects), then p's schedule. */
static void exact_reset(exact_ctx *e, const scenmc_model *m, const scenmc_params *p)
{
    scenmc__chain *c = &e->c;
    if (c->loaded != SCENMC__CHAIN_OWN)
        scenmc__chain_build_transitions(c, p);
    if (c->pois_lambda != e->k.lambda) {
        free(c->pois);
        scenmc__chain_poisson(c, e->k.lambda);
    }
    scenmc__chain_schedule(c, m, p);
}

/* Each state's scenario and the start distribution, then the baseline's
 * years up to the start year (holds and observations of each year first). */
static scenmc_status exact_past(exact_ctx *e, const scenmc_model *m, const scenmc_params *p, scenmc_error *err)
{
    scenmc__chain *c = &e->c;
    int *s = scenmc__xcalloc((size_t)c->D, sizeof(int));
    for (uint64_t x = 0; x < c->n; x++, scenmc__chain_odometer(c, s)) {
        long si = 0;
        for (int d = 0; d < c->D; d++)
            si += (long)e->k.scen_stride[d] * s[d];
        e->scen[x] = e->k.scen_table[si];
        e->past[x] = scenmc__chain_start(c, p, s);
    }
    free(s);
    exact_reset(e, m, p);
    for (int y = 0; y < e->ys; y++) {
        scenmc__chain_hold_starts(c, e->past, 1, y, 0);
        if (!exact_weigh(e, e->past, y))
            return scenmc_error_add(err, SCENMC_E_INPUT, "what was observed in %d has probability 0 under "
                                    "the model, given its start and the observations before it",
                                    p->year_start + y);
        scenmc__chain_use_year(c, p, y);
        scenmc__chain_apply_year(c, e->past, 1, 0);
    }
    return SCENMC_OK;
}

/* P(target in the last year) under p's schedule from the shared past; NaN
 * when the observations from the start on are impossible under it. */
static double exact_lever(exact_ctx *e, const scenmc_model *m, const scenmc_params *p, const uint8_t *in_target)
{
    scenmc__chain *c = &e->c;
    double *v = e->v, in = 0, all = 0;
    memcpy(v, e->past, sizeof(double) * c->n);
    exact_reset(e, m, p);
    for (int y = e->ys; y < e->Y; y++) {
        if (y > e->ys) {
            scenmc__chain_use_year(c, p, y - 1);
            scenmc__chain_apply_year(c, v, 1, 0);
        }
        scenmc__chain_hold_starts(c, v, 1, y, 0);
        if (!exact_weigh(e, v, y))
            return NAN;
    }
    for (uint64_t x = 0; x < c->n; x++) {
        in += in_target[e->scen[x]] ? v[x] : 0;
        all += v[x];
    }
    return e->o ? in / all : in; /* unconditioned: the exact solver's own sum */
}

static void exact_ctx_free(exact_ctx *e)
{
    free(e->c.T);
    free(e->c.work[0]);
    free(e->c.work[1]);
    free(e->c.pois);
    free(e->scen);
    free(e->past);
    free(e->v);
    scenmc__chain_likelihood_free(e->L, e->Y);
    scenmc__kernel_base_free(&e->k);
}

/* The kernel, the chain and the shared past up to the start year for base
 * (cut to the target year), conditioned on o (NULL: none). */
static scenmc_status exact_ctx_init(exact_ctx *e, const scenmc_model *m, const scenmc_params *base, int start,
                                    const scenmc_observations *o, int threads, scenmc_error *err)
{
    memset(e, 0, sizeof *e);
    double need, t0 = scenmc__now();
    uint64_t n = scenmc__exact_states(m, base, &need, err);
    if (!n)
        return SCENMC_E_LIMIT;
    scenmc_results shape;
    scenmc_status st = scenmc_results_init(&shape, m, base, SCENMC_EXACT, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc__kernel_base_init(&e->k, m, base, &shape, err);
    scenmc_results_free(&shape);
    if (st != SCENMC_OK)
        return st;
    e->o = o && o->n > 0 ? o : NULL;
    e->Y = base->year_end - base->year_start + 1;
    e->ys = start - base->year_start;
    e->c = (scenmc__chain){.k = &e->k, .n = n, .D = m->n_descriptors, .V = m->n_variants,
                           .threads = threads > 0 ? threads : omp_get_max_threads(), .stride = e->k.state_stride,
                           .loaded = 0 /* not the model's own: T is built before the first pass */};
    scenmc__chain_poisson(&e->c, e->k.lambda);
    e->c.pois_lambda = e->k.lambda;
    e->c.T = malloc(sizeof(double) * n * (uint64_t)e->c.V);
    e->c.work[0] = malloc(sizeof(double) * n);
    e->c.work[1] = malloc(sizeof(double) * n);
    e->scen = malloc(sizeof(int) * n);
    e->past = malloc(sizeof(double) * n);
    e->v = malloc(sizeof(double) * n);
    if (!e->c.T || !e->c.work[0] || !e->c.work[1] || !e->scen || !e->past || !e->v)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the exact levers");
    e->L = e->o ? scenmc__chain_likelihood(&e->c, e->o, base->year_start, e->Y) : NULL;
    st = exact_past(e, m, base, err);
    e->past_seconds = scenmc__now() - t0;
    return st;
}

static scenmc_status exact_solve(void *ctx, const scenmc_model *m, const scenmc_params *base,
                                 const scenmc_params *with, const uint8_t *in_target, int S, double *p_base,
                                 double *p_with, double *se, scenmc_error *err)
{
    (void)S, (void)err;
    exact_ctx *e = ctx;
    double t0 = scenmc__now();
    if (!e->have_base) {
        e->p_base = exact_lever(e, m, base, in_target);
        e->have_base = 1;
    }
    *p_with = exact_lever(e, m, with, in_target);
    *p_base = e->p_base;
    *se = 0;
    e->lever_seconds += scenmc__now() - t0;
    return SCENMC_OK;
}

/* The Monte Carlo solver's context: the threads, the observations (NULL:
 * none) and, from the last evaluation, the baseline's standard error. */
typedef struct mc_ctx {
    int threads;
    const scenmc_observations *given;
    double base_se;
} mc_ctx;

static long double u128_ld(const uint64_t x[2])
{
    return (long double)x[1] * 18446744073709551616.0L + (long double)x[0];
}

/* Unconditioned: the paired difference of the target's indicator per
 * trajectory, from the exact counts of the trajectories in the target under
 * one arm only. */
static void mc_plain(const scenmc__paired_cell *cell, const uint8_t *in_target, int S, double N, double *p_base,
                     double *p_with, double *se, double *base_se)
{
    uint64_t a = 0, b = 0, only_a = 0, only_b = 0;
    for (int s = 0; s < S; s++)
        for (int t = 0; t < S; t++) {
            uint64_t c = cell[(size_t)s * (size_t)S + (size_t)t].n;
            a += in_target[s] ? c : 0;
            b += in_target[t] ? c : 0;
            only_a += in_target[s] && !in_target[t] ? c : 0;
            only_b += in_target[t] && !in_target[s] ? c : 0;
        }
    double d = ((double)only_b - (double)only_a) / N;
    *p_base = (double)a / N;
    *p_with = (double)b / N;
    *se = sqrt(fmax(((double)only_a + (double)only_b) / N - d * d, 0) / N);
    *base_se = sqrt(*p_base * (1 - *p_base) / N);
}

/* Conditioned (docs/model.md, levers): P_a = sum wa 1a / sum wa, likewise
 * P_b, and the delta method's paired variance of D = P_b - P_a,
 * sum_j z_j^2 / N^2 with z_j = wb_j (1b_j - P_b) / mean(wb) - wa_j (1a_j -
 * P_a) / mean(wa), that is Saa / Wa^2 + Sbb / Wb^2 - 2 Sab / (Wa Wb) with
 * Sxy = sum_j wx_j wy_j (1x_j - P_x)(1y_j - P_y): within a cell the
 * indicators are constants, so each S is a sum over cells of its exact
 * weight sums. NaN under the lever when no trajectory meets the
 * observations with it; an error when none does under the baseline. */
static scenmc_status mc_weighted(const scenmc__paired_cell *cell, const uint8_t *in_target, int S, uint64_t N,
                                 double *p_base, double *p_with, double *se, double *base_se, scenmc_error *err)
{
    uint64_t Wa = 0, Wb = 0, Aa = 0, Ab = 0;
    for (int s = 0; s < S; s++)
        for (int t = 0; t < S; t++) {
            const scenmc__paired_cell *c = &cell[(size_t)s * (size_t)S + (size_t)t];
            Wa += c->wa, Wb += c->wb;
            Aa += in_target[s] ? c->wa : 0;
            Ab += in_target[t] ? c->wb : 0;
        }
    if (Wa == 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "none of the %llu trajectories of the baseline meets the "
                                "observations: more trajectories (-n) or --method exact", (unsigned long long)N);
    const long double Pa = (long double)Aa / Wa, Pb = Wb ? (long double)Ab / Wb : NAN;
    long double Saa = 0, Sbb = 0, Sab = 0;
    for (int s = 0; s < S; s++)
        for (int t = 0; t < S; t++) {
            const scenmc__paired_cell *c = &cell[(size_t)s * (size_t)S + (size_t)t];
            const long double ea = (in_target[s] ? 1 : 0) - Pa, eb = (in_target[t] ? 1 : 0) - Pb;
            Saa += u128_ld(c->waa) * ea * ea;
            Sbb += u128_ld(c->wbb) * eb * eb;
            Sab += u128_ld(c->wab) * ea * eb;
        }
    const long double wa = Wa, wb = Wb;
    *p_base = (double)Pa;
    *p_with = (double)Pb;
    *se = Wb ? (double)sqrtl(fmaxl(Saa / (wa * wa) + Sbb / (wb * wb) - 2 * Sab / (wa * wb), 0)) : NAN;
    *base_se = (double)(sqrtl(Saa) / wa);
    return SCENMC_OK;
}

/* Common random numbers: both arms run the same trajectories (the same
 * seed and stream), so most of each arm's noise cancels in the difference. */
static scenmc_status mc_solve(void *ctx, const scenmc_model *m, const scenmc_params *base,
                              const scenmc_params *with, const uint8_t *in_target, int S, double *p_base,
                              double *p_with, double *se, scenmc_error *err)
{
    mc_ctx *c = ctx;
    scenmc__paired_cell *cell = scenmc__xcalloc((size_t)S * (size_t)S, sizeof *cell);
    const int weighted = c->given && c->given->n > 0;
    scenmc_status st = scenmc__run_paired(m, base, with, c->given, NULL, c->threads, cell, err);
    if (st == SCENMC_OK && weighted)
        st = mc_weighted(cell, in_target, S, base->n_trajectories, p_base, p_with, se, &c->base_se, err);
    else if (st == SCENMC_OK)
        mc_plain(cell, in_target, S, (double)base->n_trajectories, p_base, p_with, se, &c->base_se);
    free(cell);
    return st;
}

/* The observations (spec->given) checked against the years up to the target
 * year; a file's observed start becomes the start. */
static scenmc_status levers_given(const scenmc_model *m, scenmc_params *cut, const scenmc_levers_spec *spec,
                                  scenmc_error *err)
{
    const scenmc_observations *o = spec->given;
    if (!o || (o->n == 0 && !o->start))
        return SCENMC_OK;
    scenmc_status st = scenmc_observations_check(m, o, cut, err);
    if (st != SCENMC_OK)
        return st;
    if (o->start) {
        free(cut->start);
        cut->start = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
        memcpy(cut->start, o->start, sizeof(int) * (size_t)m->n_descriptors);
    }
    return SCENMC_OK;
}

scenmc_status scenmc_levers(const scenmc_model *m, const scenmc_params *base, const scenmc_levers_spec *spec,
                            scenmc_levers_result *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    out->best_pair = -1;
    int year = spec->year ? spec->year : base->year_end;
    int S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    if (m->n_scenarios == 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "the model has no scenarios; levers ranks interventions "
                                "by their effect on P(target scenarios)");
    if (spec->n_target < 1)
        return scenmc_error_add(err, SCENMC_E_INPUT, "no target scenario");
    for (int i = 0; i < spec->n_target; i++)
        if (spec->target[i] < 0 || spec->target[i] >= S)
            return scenmc_error_add(err, SCENMC_E_INPUT, "target scenario %d out of range", spec->target[i]);
    if (year <= base->year_start || year > base->year_end)
        return scenmc_error_add(err, SCENMC_E_INPUT, "target year %d; expected %d to %d", year,
                                base->year_start + 1, base->year_end);
    if (spec->start < base->year_start || spec->start > year)
        return scenmc_error_add(err, SCENMC_E_INPUT, "start year %d; expected %d to %d (the target year)",
                                spec->start, base->year_start, year);
    if (spec->pushes && !isfinite(spec->push_strength))
        return scenmc_error_add(err, SCENMC_E_INPUT, "push strength %g; expected a finite number",
                                spec->push_strength);
    scenmc_params cut;
    scenmc_params_copy(&cut, base);
    cut.year_end = year; /* what happens after the target year does not matter */
    scenmc_status st = levers_given(m, &cut, spec, err);
    if (st == SCENMC_OK)
        st = scenmc__params_check_scheduled(&cut, err); /* the engines refuse what they cannot do */
    int threads = spec->threads;
    if (st == SCENMC_OK && spec->method == SCENMC_EXACT) {
        exact_ctx ec;
        st = exact_ctx_init(&ec, m, &cut, spec->start, spec->given, spec->threads, err);
        if (st == SCENMC_OK)
            st = scenmc__levers_run(m, &cut, spec, exact_solve, &ec, out, err);
        out->past_seconds = ec.past_seconds;
        out->solve_seconds = ec.lever_seconds;
        exact_ctx_free(&ec);
    } else if (st == SCENMC_OK) {
        mc_ctx mc = {threads, spec->given, 0};
        st = scenmc__levers_run(m, &cut, spec, mc_solve, &mc, out, err);
        if (st == SCENMC_OK)
            out->p_baseline_se = mc.base_se; /* weighted: the delta method's, not sqrt(p (1 - p) / N) */
    }
    scenmc_params_free(&cut);
    return st;
}
