/* The plain reference engine (see reference.h): the dynamics of
 * docs/model.md, section 5, and the stream order of its section 11: one
 * 32-bit word per start block, one per year for the year's revision count,
 * then one per revision. It uses the kernel's model tables and its
 * start blocks' cumulative distribution, never the grouped weight tables. */
#include "engine/reference.h"
#include "engine/rng.h"
#include "model/results.h"
#include "base/util.h"

#include "model/schedule.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The first j with cum[j] >= u (cum's last entry is at least 1). */
static int invert(const double *cum, double u)
{
    int j = 0;
    while (cum[j] < u)
        j++;
    return j;
}

/* The revised descriptor and the uniform for its new variant, from one word:
 * equal rates split word * D into its high part (the descriptor) and low part;
 * otherwise the word's uniform x falls in descriptor i's share of [0, 1), and
 * where it falls within that share is the variant's uniform. */
int scenmc__reference_pick(const scenmc__kernel *k, uint32_t word, double *uv)
{
    if (k->equal_rates) {
        uint64_t m = (uint64_t)word * (uint64_t)k->base.D;
        *uv = ((double)(uint32_t)m + 0.5) * (1.0 / 4294967296.0);
        return (int)(m >> 32);
    }
    double x = ((double)word + 0.5) * (1.0 / 4294967296.0);
    int i = 0;
    while (k->desc_cum[i] <= x)
        i++;
    double f = (x - (i ? k->desc_cum[i - 1] : 0)) / k->desc_prob[i];
    *uv = f < 1 ? f : 0.9999999999999999;
    return i;
}

/* One revision of state s: descriptor i takes variant b with probability
 * proportional to exp(F_b), F = h + sum_j W[s_j] (the heat-bath rule); b is
 * the number of cumulative weights at or below uv times their total. */
static void revise_variant(const scenmc__kernel *k, const double *xb, int i, double uv, int *s)
{
    double w[SCENMC_MAX_VARIANTS], mx = -INFINITY, total = 0;
    const int n = k->base.n_var[i], V = k->base.V;
    for (int b = 0; b < n; b++) {
        w[b] = k->base.h[k->base.offset[i] + b];
        if (xb) /* a trend's bias adds to h before the impacts: a constant trend equals `bias` exactly */
            w[b] += xb[k->base.offset[i] + b];
        for (int j = 0; j < k->base.D; j++)
            w[b] += k->base.W[(size_t)(k->base.offset[j] + s[j]) * (size_t)V + (size_t)(k->base.offset[i] + b)];
        mx = fmax(mx, w[b]);
    }
    double cum[SCENMC_MAX_VARIANTS];
    for (int b = 0; b < n; b++)
        cum[b] = total += exp(w[b] - mx);
    int b = 0;
    while (b < n - 1 && cum[b] <= uv * total)
        b++;
    s[i] = b;
}

static void revise(const scenmc__kernel *k, scenmc__rng *rng, int *s)
{
    double uv;
    const int i = scenmc__reference_pick(k, scenmc__rng_u32(rng), &uv);
    revise_variant(k, NULL, i, uv, s);
}

void scenmc__reference_start(const scenmc__kernel *k, scenmc__rng *rng, int *s)
{
    for (int b = 0; b < k->n_blocks && !k->start; b++) { /* the block's joint variant, last descriptor fastest */
        int c = invert(k->start_cum + k->block_row[b], scenmc__rng_uniform32(rng));
        for (int d = k->block_first[b + 1] - 1; d >= k->block_first[b]; d--) {
            s[d] = c % k->base.n_var[d];
            c /= k->base.n_var[d];
        }
    }
    if (k->start)
        memcpy(s, k->start, sizeof(int) * (size_t)k->base.D);
}

void scenmc__reference_step_year(const scenmc__kernel *k, scenmc__rng *rng, int *s)
{
    int n = invert(k->pois_cdf, scenmc__rng_uniform32(rng));
    for (int q = 0; q < n; q++)
        revise(k, rng, s);
}

/* Trajectory traj: its state at the end of each year, states[y * D + d]. */
static void trajectory(const scenmc__kernel *k, uint64_t seed, uint64_t traj, int *nrev, int *states)
{
    const int D = k->base.D;
    scenmc__rng rng;
    scenmc__rng_init(&rng, seed, traj);
    int *s = states;
    scenmc__reference_start(k, &rng, s);
    for (int y = 1; y < k->base.Y; y++)
        nrev[y] = invert(k->pois_cdf, scenmc__rng_uniform32(&rng));
    for (int y = 1; y < k->base.Y; y++) {
        s = memcpy(states + (size_t)y * D, s, sizeof(int) * (size_t)D);
        for (int q = 0; q < nrev[y]; q++)
            revise(k, &rng, s);
    }
}

/* The poisson(mu) CDF as the kernel builds its table (kernel.c, init_revisions). */
static double *poisson_table(double mu, int *n)
{
    int kmax = (int)ceil(mu + 12.0 * sqrt(mu) + 40.0);
    while (kmax > 0 && gsl_cdf_poisson_Q((unsigned)kmax, mu) > 1e-17)
        kmax += 8;
    *n = kmax + 1;
    double *cdf = scenmc__xcalloc((size_t)*n, sizeof(double));
    for (int j = 0; j < *n; j++)
        cdf[j] = gsl_cdf_poisson_P((unsigned)j, mu);
    cdf[*n - 1] = 1.0;
    return cdf;
}

/* The shocks of calendar year c and the event types' cumulative shares:
 * the descriptors' revisions (lambda_i), then the shocks (H_{d,v}), over
 * Lambda + H. */
static void sched_shocks(scenmc__sched_year *e, const scenmc__kernel *k, const scenmc_model *m,
                         const scenmc_schedule *s, int c)
{
    const int D = k->base.D;
    double H = 0;
    e->shock_d = scenmc__xcalloc((size_t)k->base.V, sizeof(int));
    e->shock_v = scenmc__xcalloc((size_t)k->base.V, sizeof(int));
    double *h = scenmc__xcalloc((size_t)k->base.V, sizeof(double));
    for (int d = 0; d < D; d++)
        for (int v = 0; v < m->descriptors[d].n_variants; v++) {
            double x = scenmc_schedule_hazard(s, c, d, v);
            if (x > 0) {
                e->shock_d[e->n_shocks] = d;
                e->shock_v[e->n_shocks] = v;
                h[e->n_shocks++] = x;
                H += x;
            }
        }
    if (H > 0) {
        const double L = k->base.lambda, T = L + H;
        double acc = 0;
        e->cum = scenmc__xcalloc((size_t)(D + e->n_shocks), sizeof(double));
        for (int i = 0; i < D; i++)
            e->cum[i] = (acc += k->desc_prob[i] * L) / T;
        for (int q = 0; q < e->n_shocks; q++)
            e->cum[D + q] = (acc += h[q]) / T;
        e->cum[D + e->n_shocks - 1] = 1.0;
        e->pois_cdf = poisson_table(T, &e->n_pois);
    }
    free(h);
}

static void sched_year(scenmc__sched_year *e, const scenmc__kernel *k, const scenmc_model *m,
                       const scenmc_params *p, int c)
{
    const scenmc_schedule *s = p->schedule;
    e->held = scenmc__xmalloc(sizeof(int) * (size_t)k->base.D);
    for (int d = 0; d < k->base.D; d++)
        e->held[d] = scenmc_schedule_held(s, c, d);
    int any = 0;
    double *xb = scenmc__xcalloc((size_t)k->base.V, sizeof(double));
    for (int u = 0; u < k->base.V; u++) {
        xb[u] = p->beta * scenmc_schedule_bias(s, m, c, u);
        any |= xb[u] != 0;
    }
    if (any)
        e->bias = xb;
    else
        free(xb);
    sched_shocks(e, k, m, s, c);
}

int scenmc__sched_init(scenmc__sched *sc, const scenmc__kernel *k, const scenmc_model *m, const scenmc_params *p)
{
    memset(sc, 0, sizeof *sc);
    const scenmc_schedule *s = p->schedule;
    if (!s || s->n == 0)
        return 0;
    const int Y = k->base.Y, D = k->base.D, t0 = p->year_start;
    int any = 0;
    sc->Y = Y;
    sc->D = D;
    sc->yr = scenmc__xcalloc((size_t)Y, sizeof *sc->yr);
    sc->set = scenmc__xmalloc(sizeof(int) * (size_t)Y * (size_t)D);
    for (size_t j = 0; j < (size_t)Y * (size_t)D; j++)
        sc->set[j] = -1;
    for (int i = 0; i < s->n; i++) { /* holds' starts, in the order given: the later wins */
        const scenmc_change *c = &s->ch[i];
        int y = c->first <= t0 ? 0 : c->first - t0;
        if (c->kind == SCENMC_CHANGE_HOLD && y < Y && c->last >= (c->first > t0 ? c->first : t0)) {
            sc->set[(size_t)y * (size_t)D + (size_t)c->descriptor] = c->variant;
            any = 1;
        }
    }
    for (int y = 1; y < Y; y++) {
        sched_year(&sc->yr[y], k, m, p, t0 + y - 1);
        any |= scenmc_schedule_active(s, m, t0 + y - 1);
    }
    if (!any)
        scenmc__sched_free(sc);
    return any;
}

void scenmc__sched_free(scenmc__sched *sc)
{
    for (int y = 0; sc->yr && y < sc->Y; y++) {
        scenmc__sched_year *e = &sc->yr[y];
        free(e->pois_cdf);
        free(e->bias);
        free(e->held);
        free(e->shock_d);
        free(e->shock_v);
        free(e->cum);
    }
    free(sc->yr);
    free(sc->set);
    memset(sc, 0, sizeof *sc);
}

/* One event of year e: a shock, or a revision (held: it keeps its variant). */
static void sched_event(const scenmc__kernel *k, const scenmc__sched_year *e, uint32_t word, int *s)
{
    double uv;
    int i;
    if (!e->cum)
        i = scenmc__reference_pick(k, word, &uv);
    else {
        const double x = ((double)word + 0.5) * (1.0 / 4294967296.0);
        i = 0;
        while (e->cum[i] <= x)
            i++;
        const double lo = i ? e->cum[i - 1] : 0, f = (x - lo) / (e->cum[i] - lo);
        uv = f < 1 ? f : 0.9999999999999999;
    }
    if (i >= k->base.D) { /* a shock: the hold wins */
        const int d = e->shock_d[i - k->base.D];
        if (e->held[d] < 0)
            s[d] = e->shock_v[i - k->base.D];
        return;
    }
    if (e->held[i] < 0)
        revise_variant(k, e->bias, i, uv, s);
}

static void sched_set(const scenmc__sched *sc, int y, int *s)
{
    for (int d = 0; d < sc->D; d++)
        if (sc->set[(size_t)y * (size_t)sc->D + (size_t)d] >= 0)
            s[d] = sc->set[(size_t)y * (size_t)sc->D + (size_t)d];
}

static int sched_count(const scenmc__kernel *k, const scenmc__sched_year *e, scenmc__rng *rng)
{
    return invert(e->pois_cdf ? e->pois_cdf : k->pois_cdf, scenmc__rng_uniform32(rng));
}

void scenmc__reference_step_year_sched(const scenmc__kernel *k, const scenmc__sched *sc, int y, scenmc__rng *rng,
                                       int *s)
{
    const int n = sched_count(k, &sc->yr[y], rng);
    for (int q = 0; q < n; q++)
        sched_event(k, &sc->yr[y], scenmc__rng_u32(rng), s);
    sched_set(sc, y, s);
}

void scenmc__reference_trajectory(const scenmc__kernel *k, const scenmc__sched *sc, uint64_t seed, uint64_t traj,
                                  int *nrev, int *states)
{
    if (!sc) {
        trajectory(k, seed, traj, nrev, states);
        return;
    }
    const int D = k->base.D;
    scenmc__rng rng;
    scenmc__rng_init(&rng, seed, traj);
    int *s = states;
    scenmc__reference_start(k, &rng, s);
    sched_set(sc, 0, s);
    for (int y = 1; y < k->base.Y; y++)
        nrev[y] = sched_count(k, &sc->yr[y], &rng);
    for (int y = 1; y < k->base.Y; y++) {
        s = memcpy(states + (size_t)y * D, s, sizeof(int) * (size_t)D);
        for (int q = 0; q < nrev[y]; q++)
            sched_event(k, &sc->yr[y], scenmc__rng_u32(&rng), s);
        sched_set(sc, y, s);
    }
}

scenmc_status scenmc__given_check(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                  scenmc_error *err)
{
    scenmc_status st = scenmc_observations_check(m, o, p, err);
    /* A run draws its start from the parameters: an observed start must be
     * their fixed start too (the command line copies it there). */
    if (st == SCENMC_OK && o->start &&
        (!p->start || memcmp(p->start, o->start, sizeof(int) * (size_t)m->n_descriptors) != 0))
        st = scenmc_error_add(err, SCENMC_E_INPUT, "the observed start state is not the parameters' fixed "
                              "start: set params.start to it (as --observations does)");
    if (st == SCENMC_OK && !scenmc_observations_all_hard(o) && p->n_trajectories > SCENMC__WEIGHTED_MAX)
        st = scenmc_error_add(err, SCENMC_E_LIMIT, "soft evidence weighs at most 2^40 trajectories "
                              "(integer weight sums), not %llu", (unsigned long long)p->n_trajectories);
    return st;
}

int scenmc__given_init(scenmc__given *g, const scenmc_observations *o, int year_start)
{
    memset(g, 0, sizeof *g);
    if (!o || o->n == 0)
        return 0;
    g->o = o;
    g->year_start = year_start;
    g->year = scenmc__xmalloc(sizeof(int) * (size_t)o->n);
    for (int i = 0; i < o->n; i++) { /* the distinct years, in increasing order */
        int y = o->obs[i].year - year_start, j = g->n_years;
        int seen = 0;
        for (int q = 0; q < g->n_years; q++)
            seen |= g->year[q] == y;
        if (seen)
            continue;
        while (j > 0 && g->year[j - 1] > y) {
            g->year[j] = g->year[j - 1];
            j--;
        }
        g->year[j] = y;
        g->n_years++;
    }
    g->one = scenmc__given_one(o);
    g->scale = (double)g->one / scenmc__given_max(o);
    return 1;
}

void scenmc__given_free(scenmc__given *g)
{
    free(g->year);
    memset(g, 0, sizeof *g);
}

/* A trajectory's weight from its states (states[y * D + d]). */
uint64_t scenmc__given_trajectory_weight(const scenmc__given *g, const int *states, int D)
{
    double L = 1;
    for (int i = 0; i < g->n_years; i++)
        L *= scenmc_observations_likelihood(g->o, g->year_start + g->year[i], states + (size_t)g->year[i] * (size_t)D);
    return scenmc__given_weight(g, L);
}

void scenmc__reference_tally(const scenmc__kernel *k, const int *states, int *scen, uint64_t w,
                            scenmc_results *r)
{
    const size_t D = (size_t)k->base.D, V = (size_t)k->base.V, S = (size_t)k->base.S, Y = (size_t)k->base.Y;
    for (size_t y = 0; y < Y; y++) {
        long si = 0;
        for (size_t d = 0; d < D; d++)
            si += (long)k->base.scen_stride[d] * states[y * D + d];
        scen[y] = k->base.scen_table[si];
    }
    const size_t fin = (size_t)scen[Y - 1];
    size_t lock = 0, x = 0;
    for (size_t y = 0; y < Y; y++) {
        const int *s = states + y * D;
        const double K = scenmc__kernel_total_consistency(&k->base, s);
        r->t[SCENMC_T_CONSISTENCY].counts[y * (size_t)k->base.n_bins + (size_t)scenmc__consistency_bin(&k->base, K)] += w;
        if (y > 0)
            r->t[SCENMC_T_TRANSITION].counts[((y - 1) * S + (size_t)scen[y - 1]) * S + (size_t)scen[y]] += w;
        for (size_t d = 0; d < D; d++) {
            const size_t u = (size_t)(k->base.offset[d] + s[d]);
            r->t[SCENMC_T_SCENARIO_VARIANT].counts[(y * S + (size_t)scen[y]) * V + u] += w;
            r->t[SCENMC_T_EARLY_WARNING].counts[(y * V + u) * S + fin] += w;
        }
        lock = y + 1 < Y && (size_t)scen[y] != fin ? y + 1 : lock; /* the first year from which it stays */
    }
    r->t[SCENMC_T_LOCK_IN].counts[lock * S + fin] += w;
    for (size_t d = 0; d < D && k->base.full_states; d++)
        x += k->base.state_stride[d] * (uint64_t)states[(Y - 1) * D + d];
    if (k->base.full_states)
        r->t[SCENMC_T_FINAL_STATE].counts[x] += w;
}

static void add_weight(const scenmc__given *g, uint64_t w, scenmc_results *r)
{
    if (g) {
        r->weight_sum += w;
        scenmc__u128_add(r->weight_sq_sum, w * w, 0);
    }
}

void scenmc__reference_run_sched(const scenmc__kernel *k, const scenmc__sched *sc, uint64_t seed, uint64_t first,
                                 uint64_t last, const scenmc__given *g, int threads, scenmc_results *r)
{
    const size_t YD = (size_t)k->base.Y * (size_t)k->base.D, chunk = 8192;
    int *states = scenmc__xcalloc(chunk * YD, sizeof(int)), *scen = scenmc__xcalloc((size_t)k->base.Y, sizeof(int));
    uint64_t *w = scenmc__xcalloc(chunk, sizeof(uint64_t));
    for (uint64_t c = first; c < last; c += chunk) {
        const long n = (long)(last - c < chunk ? last - c : chunk);
#pragma omp parallel num_threads(threads > 0 ? threads : 1)
        {
            int *nrev = scenmc__xcalloc((size_t)k->base.Y, sizeof(int));
#pragma omp for schedule(dynamic, 16)
            for (long j = 0; j < n; j++) {
                int *st = states + (size_t)j * YD;
                scenmc__reference_trajectory(k, sc, seed, c + (uint64_t)j, nrev, st);
                w[j] = g ? scenmc__given_trajectory_weight(g, st, k->base.D) : 1;
            }
            free(nrev);
        }
        for (long j = 0; j < n; j++) { /* in order: the counts do not depend on the threads */
            add_weight(g, w[j], r);
            if (w[j])
                scenmc__reference_tally(k, states + (size_t)j * YD, scen, w[j], r);
        }
    }
    free(states);
    free(scen);
    free(w);
}

void scenmc__reference_run(const scenmc__kernel *k, uint64_t seed, uint64_t first, uint64_t last,
                          const scenmc__given *g, scenmc_results *r)
{
    int *nrev = scenmc__xcalloc((size_t)k->base.Y, sizeof(int)), *scen = scenmc__xcalloc((size_t)k->base.Y, sizeof(int));
    int *states = scenmc__xcalloc((size_t)k->base.Y * (size_t)k->base.D, sizeof(int));
    for (uint64_t traj = first; traj < last; traj++) {
        trajectory(k, seed, traj, nrev, states);
        uint64_t w = g ? scenmc__given_trajectory_weight(g, states, k->base.D) : 1;
        if (g) {
            r->weight_sum += w;
            scenmc__u128_add(r->weight_sq_sum, w * w, 0);
        }
        if (w)
            scenmc__reference_tally(k, states, scen, w, r);
    }
    free(nrev);
    free(scen);
    free(states);
}
