/* The exact solver: the dynamics' distribution on the full product space by
 * uniformization (docs/model.md, section 10), without sampling noise.
 *
 * One year of the continuous-time chain is the operator
 *     Year = sum_k Poisson(k; Lambda) M^k,   M = sum_i (lambda_i / Lambda) G_i,
 * with G_i the heat-bath kernel of descriptor i. M is stored as T[x][o_i+b] =
 * (lambda_i/Lambda) P_i(b | x): a state's row has one block per descriptor.
 * Forward steps (distributions) pull from the states that differ in one
 * descriptor; backward steps (conditional expectations) gather the same way.
 * Tables that involve two times (transitions, early warning, lock-in) come
 * from backward propagation of indicator functions, never from sampling. */
#include "engine/exact.h"
#include "engine/exact_chain.h"
#include "engine/exact_filter.h"
#include "base/util.h"
#include "model/params.h"
#include "model/schedule.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>



/* The solver's vectors over the n states (sizes: memory_needed in exact_chain.c). */
typedef struct exact_work {
    int Y, S, W;  /* W: doubles per state of the backward block: 2S (early warning, stay),
                   * 3S when conditioned or scheduled (then g, year dependent, is its third part) */
    double **pt;  /* [Y][n] distribution at each year (conditioned: the filtered one, alpha_t) */
    double *g;    /* [n][S] one-year transition indicators, then P(scenario b next year | x);
                   * NULL when conditioned */
    double *ew;   /* [n][W] P(final = S | x at t), then P(in S on t..T | x) ("stay") */
    int *scen;    /* [n] scenario of each state */
    double *A;    /* [Y][S] P(in S on t..T) */
    int *s;       /* [D] a decoded state */
    /* Conditioning (docs/model.md, section 10, "Conditioning on observations"); o NULL: none. */
    const scenmc_observations *o;
    const scenmc_params *p;
    const scenmc_model *m;
    int wide;      /* g in the backward block: conditioned, or changes over time */
    int t_last;    /* index of the last year with an observation */
    double **L;    /* [Y] each year's likelihood over the states, NULL without observations */
    double inv_z;  /* the year's 1 / sum_x alpha_t(x) beta_t(x) (1 unconditioned) */
    int smooth;    /* the year is before the last observation: weigh by beta_t */
} exact_work;

static int work_alloc(exact_work *w, uint64_t n, int D, int Y, int S)
{
    w->Y = Y;
    w->S = S;
    w->W = (w->wide ? 3 : 2) * S;
    w->inv_z = 1;
    w->pt = scenmc__xcalloc((size_t)Y, sizeof(double *));
    w->g = w->wide ? NULL : malloc(sizeof(double) * n * (uint64_t)S);
    w->ew = malloc(sizeof(double) * n * (uint64_t)w->W);
    w->scen = malloc(sizeof(int) * n);
    w->A = scenmc__xcalloc((size_t)(Y * S), sizeof(double));
    w->s = scenmc__xcalloc((size_t)D, sizeof(int));
    int ok = (w->g || w->wide) && w->ew && w->scen;
    for (int y = 0; y < Y && ok; y++)
        ok = (w->pt[y] = malloc(sizeof(double) * n)) != NULL;
    return ok;
}

static void work_free(exact_work *w)
{
    for (int y = 0; y < w->Y && w->pt; y++)
        free(w->pt[y]);
    free(w->pt);
    free(w->g);
    free(w->ew);
    free(w->scen);
    free(w->A);
    free(w->s);
}

/* Year y's tables in r from its distribution and the backward vectors:
 * joint sums, then conditional as the Monte Carlo tables define them (NaN
 * for 0/0). Conditioned, a state's one-time weight is the smoothed
 * alpha_t(x) beta_t(x) / Z_t and its two-time weight alpha_t(x) / Z_t (the
 * backward vectors carry the future observations' likelihood); unconditioned
 * both are p_t(x) (inv_z is exactly 1). */
static void year_tables(const scenmc__chain *c, exact_work *w, int y, scenmc_results *r)
{
    const scenmc__kernel_base *k = c->k;
    const int D = c->D, S = w->S, Y = w->Y;
    const size_t Sz = (size_t)S, Vz = (size_t)c->V;
    const uint64_t W = (uint64_t)w->W, gs = w->g ? (uint64_t)S : W;
    const double *q = w->pt[y], *ew = w->ew, *stay = w->ew + S, *g = w->g ? w->g : w->ew + 2 * S;
    int *s = w->s;
    double *sc = r->t[SCENMC_T_SCENARIO].prob + (size_t)y * Sz;
    double *va = r->t[SCENMC_T_VARIANT].prob + (size_t)y * Vz;
    double *sv = r->t[SCENMC_T_SCENARIO_VARIANT].prob + (size_t)y * Sz * Vz;
    double *eww = r->t[SCENMC_T_EARLY_WARNING].prob + (size_t)y * Vz * Sz;
    double *kb = r->t[SCENMC_T_CONSISTENCY].prob + (size_t)y * (size_t)r->n_bins;
    double *tr = y < Y - 1 ? r->t[SCENMC_T_TRANSITION].prob + (size_t)y * Sz * Sz : NULL;
    for (uint64_t x = 0; x < c->n; x++) {
        double qb = q[x] * w->inv_z, qx = qb;
        if (w->smooth) {
            double beta = 0;
            for (int f = 0; f < S; f++)
                beta += ew[x * W + (uint64_t)f];
            qx = qb * beta;
        }
        if (qx == 0)
            continue;
        scenmc__chain_decode(c, x, s);
        int a = w->scen[x];
        sc[a] += qx;
        double K = scenmc__kernel_total_consistency(k, s);
        int bin = (int)floor((K - r->bin_lo) / r->bin_width + 0.5);
        bin = bin < 0 ? 0 : (bin >= r->n_bins ? r->n_bins - 1 : bin);
        kb[bin] += qx;
        for (int d = 0; d < D; d++) {
            size_t u = (size_t)(k->offset[d] + s[d]);
            va[u] += qx;
            sv[(size_t)a * Vz + u] += qx;
            for (int f = 0; f < S; f++)
                eww[u * Sz + (size_t)f] += qb * ew[x * W + (uint64_t)f];
        }
        if (tr)
            for (int b = 0; b < S; b++)
                tr[(size_t)a * Sz + (size_t)b] += qb * g[x * gs + (uint64_t)b];
        for (int f = 0; f < S; f++)
            w->A[(size_t)y * Sz + (size_t)f] += qb * stay[x * W + (uint64_t)f];
    }
    for (int a = 0; a < S; a++)
        for (size_t u = 0; u < Vz; u++)
            sv[(size_t)a * Vz + u] = sc[a] > 0 ? sv[(size_t)a * Vz + u] / sc[a] : NAN;
    for (size_t u = 0; u < Vz; u++)
        for (int f = 0; f < S; f++)
            eww[u * Sz + (size_t)f] = va[u] > 0 ? eww[u * Sz + (size_t)f] / va[u] : NAN;
    if (tr)
        for (int a = 0; a < S; a++)
            for (int b = 0; b < S; b++)
                tr[(size_t)a * Sz + (size_t)b] = sc[a] > 0 ? tr[(size_t)a * Sz + (size_t)b] / sc[a] : NAN;
}

/* Conditioned, before the backward year step from y1 = y + 1 to y: the
 * early-warning and stay vectors times L_{y1}, and g_b = L_{y1} beta_{y1} 1_b
 * (beta_{y1} = sum_f e_f(y1), exactly 1 from the last observation on), so
 * that A applied to the block gives the year-y vectors of the smoothed chain. */
static void backward_weigh(const scenmc__chain *c, exact_work *w, int y1)
{
    const int S = w->S;
    const uint64_t W = (uint64_t)w->W;
    const double *L = y1 <= w->t_last ? w->L[y1] : NULL;
    for (uint64_t x = 0; x < c->n; x++) {
        double *e = w->ew + x * W, *g = e + 2 * S, l = L ? L[x] : 1, beta = 0;
        if (y1 < w->t_last)
            for (int f = 0; f < S; f++)
                beta += e[f];
        else
            beta = 1;
        if (L)
            for (int f = 0; f < 2 * S; f++)
                e[f] *= l;
        for (int b = 0; b < S; b++)
            g[b] = w->scen[x] == b ? l * beta : 0;
    }
}

/* Conditioned: year y's normaliser Z_y = sum_x alpha_y(x) beta_y(x) before
 * the last observation (smoothing); 1 from it on (beta = 1, alpha is the
 * filtered distribution). */
static void year_weights(const scenmc__chain *c, exact_work *w, int y)
{
    w->smooth = y < w->t_last;
    if (!w->smooth) {
        w->inv_z = 1;
        return;
    }
    const uint64_t W = (uint64_t)w->W;
    double z = 0;
    for (uint64_t x = 0; x < c->n; x++) {
        double beta = 0;
        for (int f = 0; f < w->S; f++)
            beta += w->ew[x * W + (uint64_t)f];
        z += w->pt[y][x] * beta;
    }
    w->inv_z = 1 / z;
}

/* Backward pass: the one-year transitions g_b = Year 1_b (time-homogeneous,
 * so once; conditioned or with changes over time, per year in the block), then from the final year
 * back, ew_S(t) = P(final = S | x at t) and stay_S(t) = P(in S on t..T | x)
 * (conditioned: jointly with the later observations), each year's tables on
 * the way. */
static void backward_pass(scenmc__chain *c, exact_work *w, scenmc_results *r)
{
    const int S = w->S;
    const uint64_t W = (uint64_t)w->W;
    double *ew = w->ew, *stay = w->ew + S;
    if (w->g) {
        for (uint64_t x = 0; x < c->n; x++)
            for (int b = 0; b < S; b++)
                w->g[x * (uint64_t)S + (uint64_t)b] = w->scen[x] == b;
        scenmc__chain_apply_year(c, w->g, S, 1);
    }
    for (uint64_t x = 0; x < c->n; x++)
        for (int f = 0; f < S; f++)
            ew[x * W + (uint64_t)f] = stay[x * W + (uint64_t)f] = w->scen[x] == f;
    for (int y = w->Y - 1; y >= 0; y--) {
        if (y < w->Y - 1) {
            if (w->wide)
                backward_weigh(c, w, y + 1);
            scenmc__chain_hold_starts(c, ew, w->W, y + 1, 1); /* functions of the state before them */
            scenmc__chain_use_year(c, w->p, y);
            scenmc__chain_apply_year(c, ew, w->W, 1);
            for (uint64_t x = 0; x < c->n; x++)
                for (int f = 0; f < S; f++)
                    if (w->scen[x] != f)
                        stay[x * W + (uint64_t)f] = 0;
        }
        if (w->o)
            year_weights(c, w, y);
        year_tables(c, w, y, r);
    }
}

/* Lock-in at t: in S on t..T but not at t-1. */
static void lock_in_table(const exact_work *w, scenmc_results *r)
{
    const size_t Sz = (size_t)w->S;
    double *li = r->t[SCENMC_T_LOCK_IN].prob;
    for (int y = 0; y < w->Y; y++)
        for (size_t S_ = 0; S_ < Sz; S_++)
            li[(size_t)y * Sz + S_] = w->A[(size_t)y * Sz + S_] - (y > 0 ? w->A[(size_t)(y - 1) * Sz + S_] : 0);
}


/* Year y's prediction again (the start, or the year before it propagated)
 * and its observations applied one by one, in order, to name the first after
 * which nothing is left. */
static scenmc_status name_impossible(scenmc__chain *c, exact_work *w, int y, scenmc_error *err)
{
    double *q = w->pt[y];
    int *s = w->s, year = w->p->year_start + y;
    if (y == 0) {
        memset(s, 0, sizeof(int) * (size_t)c->D);
        for (uint64_t x = 0; x < c->n; x++, scenmc__chain_odometer(c, s))
            q[x] = scenmc__chain_start(c, w->p, s);
    } else {
        memcpy(q, w->pt[y - 1], sizeof(double) * c->n);
        scenmc__chain_use_year(c, w->p, y - 1);
        scenmc__chain_apply_year(c, q, 1, 0);
    }
    scenmc__chain_hold_starts(c, q, 1, y, 0);
    const char *where = "an observation";
    for (int i = 0; i < w->o->n; i++) {
        const scenmc_observation *ob = &w->o->obs[i];
        if (ob->year != year)
            continue;
        double sum = 0;
        memset(s, 0, sizeof(int) * (size_t)c->D);
        for (uint64_t x = 0; x < c->n; x++, scenmc__chain_odometer(c, s))
            sum += (q[x] *= ob->likelihood[s[ob->descriptor]]);
        if (!(sum > 0)) {
            where = ob->where ? ob->where : "an observation";
            break;
        }
    }
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s: what was observed in %d has probability 0 under the "
                            "model, given its start and the observations before it", where, year);
}

/* Forward pass: each state's scenario and every year's distribution, the
 * plain one (scenmc__chain_forward) or, conditioned, the filtered one
 * (scenmc__chain_filter) with the log of the evidence. */
static scenmc_status forward_pass(scenmc__chain *c, exact_work *w, double *log_ev, scenmc_error *err)
{
    *log_ev = 0;
    if (!w->o) {
        scenmc__chain_forward(c, w->p, w->Y, w->scen, w->pt);
        return SCENMC_OK;
    }
    double *log_norm = scenmc__xcalloc((size_t)w->Y, sizeof(double));
    int bad = scenmc__chain_filter(c, w->p, w->Y, w->L, w->scen, w->pt, log_norm, w->S, NULL);
    for (int y = 0; y < w->Y; y++) /* the same sum as scenmc_exact_filter's */
        *log_ev += log_norm[y];
    free(log_norm);
    return bad < 0 ? SCENMC_OK : name_impossible(c, w, bad, err);
}

/* The tables of r from the chain's passes (r and the kernel ready). */
static scenmc_status exact_passes(scenmc__chain *c, exact_work *w, double need, scenmc_results *r,
                                  double *log_ev, scenmc_error *err)
{
    const uint64_t n = c->n;
    const int S = r->n_scenarios;
    c->T = malloc(sizeof(double) * n * (uint64_t)c->V);
    c->work[0] = malloc(sizeof(double) * n * (w->wide ? 3 : 2) * (uint64_t)S);
    c->work[1] = malloc(sizeof(double) * n * (w->wide ? 3 : 2) * (uint64_t)S);
    scenmc_status st = SCENMC_OK;
    if (!work_alloc(w, n, c->D, w->p->year_end - w->p->year_start + 1, S) || !c->T || !c->work[0] ||
        !c->work[1])
        st = scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the exact solver (%.3g GiB)",
                              need / 1073741824.0);
    if (st == SCENMC_OK) {
        w->L = w->o ? scenmc__chain_likelihood(c, w->o, w->p->year_start, w->Y) : NULL;
        scenmc__chain_build_transitions(c, w->p);
        scenmc__chain_schedule(c, w->m, w->p);
        st = forward_pass(c, w, log_ev, err);
    }
    if (st == SCENMC_OK) {
        backward_pass(c, w, r);
        lock_in_table(w, r);
        if (r->full_states)
            memcpy(r->t[SCENMC_T_FINAL_STATE].prob, w->pt[w->Y - 1], sizeof(double) * n);
    }
    scenmc__chain_likelihood_free(w->L, w->Y);
    work_free(w);
    free(c->T);
    free(c->work[0]);
    free(c->work[1]);
    return st;
}

/* scenmc_exact, conditioned on o's observations when o is not NULL (o has
 * at least one; p's start is the one to use). */
static scenmc_status exact_solve(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                 int threads, scenmc_results *r, double *log_ev, scenmc_error *err)
{
    scenmc_status st = scenmc__params_check_scheduled(p, err);
    if (st != SCENMC_OK)
        return st;
    double need;
    uint64_t n = scenmc__exact_states_given(m, p, o, &need, err);
    if (!n)
        return SCENMC_E_LIMIT;
    threads = threads > 0 ? threads : omp_get_max_threads();
    double t0 = scenmc__now();
    st = scenmc_results_init(r, m, p, SCENMC_EXACT, err);
    if (st != SCENMC_OK)
        return st;
    scenmc__kernel_base k;
    st = scenmc__kernel_base_init(&k, m, p, r, err);
    if (st != SCENMC_OK) {
        scenmc_results_free(r);
        return st;
    }
    scenmc__chain c = {.k = &k, .n = n, .D = m->n_descriptors, .V = m->n_variants, .threads = threads};
    c.stride = k.state_stride;
    scenmc__chain_poisson(&c, k.lambda);
    exact_work w = {.o = o, .p = p, .m = m, .t_last = o ? scenmc_observations_last_year(o) - p->year_start : -1};
    w.wide = o || (p->schedule && p->schedule->n > 0);
    st = exact_passes(&c, &w, need, r, log_ev, err);
    free(c.pois);
    scenmc__kernel_base_free(&k);
    if (st != SCENMC_OK) {
        scenmc_results_free(r);
        return st;
    }
    r->truncation_bound = c.tail_max;
    r->mem_peak_bytes = need;
    r->threads = threads;
    r->first = 0;
    r->last = 0;
    r->wall_seconds = scenmc__now() - t0;
    return SCENMC_OK;
}

scenmc_status scenmc_exact(const scenmc_model *m, const scenmc_params *p, int threads,
                           scenmc_results *r, scenmc_error *err)
{
    double log_ev;
    return exact_solve(m, p, NULL, threads, r, &log_ev, err);
}

scenmc_status scenmc_exact_given(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                 int threads, scenmc_results *r, scenmc_error *err)
{
    if (!o || (o->n == 0 && !o->start))
        return scenmc_exact(m, p, threads, r, err);
    scenmc_status st = scenmc_observations_check(m, o, p, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_params q = *p; /* the observed start is the fixed start (as cli_observations makes it) */
    if (o->start)
        q.start = o->start;
    double log_ev;
    st = exact_solve(m, &q, o->n ? o : NULL, threads, r, &log_ev, err);
    if (st != SCENMC_OK)
        return st;
    r->conditioned = 1;
    r->log_evidence = log_ev;
    r->given = scenmc__xmalloc(sizeof *r->given);
    scenmc_observations_copy(r->given, o);
    return SCENMC_OK;
}

/* Detailed balance: pi(s) proportional to exp(beta * w_C * K(s)) (docs/model.md, section 7). */
static scenmc_status stationary_closed_form(const scenmc_model *m, const scenmc_params *p, uint64_t n,
                                            double *pi, scenmc_error *err)
{
    const int V = m->n_variants, D = m->n_descriptors;
    double *C = scenmc_params_matrix(p, m, 0);
    if (!C)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory");
    int *s = scenmc__xcalloc((size_t)D, sizeof(int));
    double mx = -INFINITY;
    for (uint64_t x = 0; x < n; x++) {
        scenmc_state_from_index(m, x, s);
        double K = 0;
        for (int i = 0; i < D; i++)
            for (int j = i + 1; j < D; j++)
                K += C[(size_t)(m->descriptors[i].offset + s[i]) * (size_t)V +
                       (size_t)(m->descriptors[j].offset + s[j])];
        pi[x] = p->beta * p->w_consistency * K;
        mx = fmax(mx, pi[x]);
    }
    free(C);
    free(s);
    double z = 0;
    for (uint64_t x = 0; x < n; x++)
        z += (pi[x] = exp(pi[x] - mx));
    for (uint64_t x = 0; x < n; x++)
        pi[x] /= z;
    return SCENMC_OK;
}

/* Power iteration on M from the uniform distribution (aperiodic: every
 * state can stay). */
static scenmc_status stationary_iterate(const scenmc_model *m, const scenmc_params *p, uint64_t n, int threads,
                                        double *pi, scenmc_stationary_info *info, scenmc_error *err)
{
    scenmc_results shape;
    scenmc_status st = scenmc_results_init(&shape, m, p, SCENMC_EXACT, err);
    if (st != SCENMC_OK)
        return st;
    scenmc__kernel_base k;
    st = scenmc__kernel_base_init(&k, m, p, &shape, err);
    scenmc_results_free(&shape);
    if (st != SCENMC_OK)
        return st;
    scenmc__chain c = {.k = &k, .n = n, .D = m->n_descriptors, .V = m->n_variants, .threads = threads};
    c.stride = k.state_stride;
    c.T = malloc(sizeof(double) * n * (uint64_t)c.V);
    double *next = malloc(sizeof(double) * n);
    if (!c.T || !next) {
        free(c.T);
        free(next);
        scenmc__kernel_base_free(&k);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the stationary solve");
    }
    scenmc__chain_build_transitions(&c, p);
    for (uint64_t x = 0; x < n; x++)
        pi[x] = 1.0 / (double)n;
    double res = INFINITY;
    int it;
    for (it = 0; it < 200000 && res > 1e-13; it++) {
        scenmc__chain_apply_M(&c, pi, next, 1, 0);
        res = 0;
        double z = 0;
        for (uint64_t x = 0; x < n; x++) {
            res += fabs(next[x] - pi[x]);
            z += next[x];
        }
        for (uint64_t x = 0; x < n; x++)
            pi[x] = next[x] / z;
    }
    info->iterations = it;
    info->residual = res;
    free(c.T);
    free(next);
    scenmc__kernel_base_free(&k);
    return SCENMC_OK;
}

scenmc_status scenmc_exact_stationary(const scenmc_model *m, const scenmc_params *p, int threads,
                                      double **pi_out, scenmc_stationary_info *info,
                                      scenmc_error *err)
{
    *pi_out = NULL;
    memset(info, 0, sizeof *info);
    /* a world that changes has no stationary distribution */
    scenmc_status st = scenmc__schedule_unsupported(p, "the stationary solve", err);
    if (st == SCENMC_OK)
        st = scenmc_params_check(p, err);
    if (st != SCENMC_OK)
        return st;
    uint64_t n = scenmc_model_state_count(m);
    double need = n ? (8.0 * m->n_variants + 8.0 * 4) * (double)n : INFINITY, have = scenmc__physical_memory();
    if (!n || need > 0.8 * have)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "the stationary solve would need %.3g GiB; this "
                                "machine has %.3g GiB", need / 1073741824.0, have / 1073741824.0);
    threads = threads > 0 ? threads : omp_get_max_threads();
    double *pi = malloc(sizeof(double) * n);
    if (!pi)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the stationary distribution");
    int cross_cells = 0;
    for (int i = 0; i < p->n_cells; i++)
        cross_cells |= p->cells[i].cross;
    int reversible = !m->bias && ((!m->cross_impact && !cross_cells) || p->w_cross == 0);
    info->closed_form = reversible;
    st = reversible ? stationary_closed_form(m, p, n, pi, err) : stationary_iterate(m, p, n, threads, pi, info, err);
    if (st != SCENMC_OK) {
        free(pi);
        info->closed_form = 0;
        return st;
    }
    *pi_out = pi;
    return SCENMC_OK;
}
