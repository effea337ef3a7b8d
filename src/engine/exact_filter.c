/* Forward filtering (docs/signposts.md, section 2):
 *     alpha_0 = start .* L_0,   alpha_y = (alpha_{y-1} Year) .* L_y,
 * each normalised to a distribution; the normalisers z_y = P(observations
 * of year y | those before) multiply to the probability of all of them. */
#include "engine/exact_filter.h"
#include "base/util.h"
#include "model/params.h"
#include "scenmc/schedule.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

double **scenmc__chain_likelihood(const scenmc__chain *c, const scenmc_observations *o, int year_start, int Y)
{
    double **L = scenmc__xcalloc((size_t)Y, sizeof(double *));
    int *s = scenmc__xcalloc((size_t)c->D, sizeof(int));
    for (int y = 0; y < Y; y++) {
        int any = 0;
        for (int i = 0; o && i < o->n; i++)
            any |= o->obs[i].year == year_start + y;
        if (!any)
            continue;
        L[y] = scenmc__xmalloc(sizeof(double) * c->n);
        memset(s, 0, sizeof(int) * (size_t)c->D);
        for (uint64_t x = 0; x < c->n; x++) { /* x in order: s steps by the odometer */
            L[y][x] = scenmc_observations_likelihood(o, year_start + y, s);
            scenmc__chain_odometer(c, s);
        }
    }
    free(s);
    return L;
}

void scenmc__chain_likelihood_free(double **L, int Y)
{
    for (int y = 0; L && y < Y; y++)
        free(L[y]);
    free(L);
}

/* v .* L (when L), normalised; the log of the normaliser, -INFINITY for 0. */
static double weigh(double *v, const double *L, uint64_t n)
{
    double z = 0;
    for (uint64_t x = 0; x < n; x++)
        z += L ? (v[x] *= L[x]) : v[x];
    if (!(z > 0))
        return -INFINITY;
    double inv = 1 / z;
    for (uint64_t x = 0; x < n; x++)
        v[x] *= inv;
    return log(z);
}

static void scenario_sums(const double *v, const int *scen, uint64_t n, int S, double *out)
{
    memset(out, 0, sizeof(double) * (size_t)S);
    for (uint64_t x = 0; x < n; x++)
        out[scen[x]] += v[x];
}

int scenmc__chain_filter(scenmc__chain *c, const scenmc_params *p, int Y, double *const *L, int *scen, double **pt,
                         double *log_norm, int S, double *scen_prob)
{
    const scenmc__kernel_base *k = c->k;
    int *s = scenmc__xcalloc((size_t)c->D, sizeof(int));
    for (uint64_t x = 0; x < c->n; x++) {
        long si = 0;
        for (int d = 0; d < c->D; d++)
            si += (long)k->scen_stride[d] * s[d];
        scen[x] = k->scen_table[si];
        pt[0][x] = scenmc__chain_start(c, p, s);
        scenmc__chain_odometer(c, s);
    }
    free(s);
    for (int y = 0; y < Y; y++) {
        if (y > 0) {
            if (pt[y] != pt[y - 1])
                memcpy(pt[y], pt[y - 1], sizeof(double) * c->n);
            scenmc__chain_use_year(c, p, y - 1);
            scenmc__chain_apply_year(c, pt[y], 1, 0);
        }
        scenmc__chain_hold_starts(c, pt[y], 1, y, 0); /* before the year's observations */
        log_norm[y] = weigh(pt[y], L[y], c->n);
        if (log_norm[y] == -INFINITY)
            return y;
        if (scen_prob)
            scenario_sums(pt[y], scen, c->n, S, scen_prob + (size_t)y * (size_t)S);
    }
    return -1;
}

/* ---------------------------------------------------------------- points filtered together */

/* What T is built from (docs/signposts.md, section 5): the kernel's W and h,
 * each descriptor's share of the revisions rate_d / Lambda and the start;
 * with changes over time, the schedule too (such a point shares with none). */
struct scenmc__filter_key {
    int V, D, Y, year_start, scheduled;
    double *W, *h, *share, *start; /* [V*V], [V], [D], [V] (a fixed start: 1 at its variants) */
};

scenmc__filter_key *scenmc__filter_key_new(const scenmc_model *m, const scenmc_params *p, scenmc_error *err)
{
    scenmc_results shape;
    if (scenmc_results_init(&shape, m, p, SCENMC_EXACT, err) != SCENMC_OK)
        return NULL;
    scenmc__kernel_base k;
    scenmc_status st = scenmc__kernel_base_init(&k, m, p, &shape, err);
    scenmc_results_free(&shape);
    if (st != SCENMC_OK)
        return NULL;
    scenmc__filter_key *key = scenmc__xcalloc(1, sizeof *key);
    int V = k.V, D = k.D;
    *key = (scenmc__filter_key){.V = V, .D = D, .Y = p->year_end - p->year_start + 1,
                                .year_start = p->year_start,
                                .scheduled = p->schedule && p->schedule->n > 0};
    key->W = scenmc__xmalloc(sizeof(double) * (size_t)V * (size_t)V);
    memcpy(key->W, k.W, sizeof(double) * (size_t)V * (size_t)V);
    key->h = scenmc__xmalloc(sizeof(double) * (size_t)V);
    memcpy(key->h, k.h, sizeof(double) * (size_t)V);
    key->share = scenmc__xmalloc(sizeof(double) * (size_t)D);
    key->start = scenmc__xcalloc((size_t)V, sizeof(double));
    for (int d = 0; d < D; d++) {
        key->share[d] = p->rate[d] / k.lambda;
        for (int b = 0; b < k.n_var[d]; b++)
            key->start[k.offset[d] + b] = p->start ? p->start[d] == b : p->initial[k.offset[d] + b];
    }
    scenmc__kernel_base_free(&k);
    return key;
}

void scenmc__filter_key_free(scenmc__filter_key *key)
{
    if (!key)
        return;
    free(key->W);
    free(key->h);
    free(key->share);
    free(key->start);
    free(key);
}

static int same_doubles(const double *a, const double *b, int n)
{
    return memcmp(a, b, sizeof(double) * (size_t)n) == 0;
}

int scenmc__filter_key_same(const scenmc__filter_key *a, const scenmc__filter_key *b)
{
    if (a->scheduled || b->scheduled || a->V != b->V || a->D != b->D || a->Y != b->Y ||
        a->year_start != b->year_start)
        return 0;
    if (!same_doubles(a->W, b->W, a->V * a->V) || !same_doubles(a->h, b->h, a->V) ||
        !same_doubles(a->start, b->start, a->V))
        return 0;
    /* rate_d / Lambda: one global rate gives the same share up to rounding
     * (a few units in the last place, far below the solver's 1e-13). */
    for (int d = 0; d < a->D; d++)
        if (!(fabs(a->share[d] - b->share[d]) <= 8 * DBL_EPSILON * fabs(a->share[d])))
            return 0;
    return 1;
}

/* The filter's buffers for nvec interleaved vectors. */
typedef struct group {
    scenmc__kernel_base k;
    scenmc__chain c;
    int nvec, Y, S;
    int *order;      /* [nvec] vector j is point order[j] (fewest Poisson terms last) */
    double **pois;   /* [nvec] each point's Poisson weights */
    int *n_terms;    /* [nvec] */
    double *v;       /* [n * nvec] */
    int *scen;       /* [n] */
    double *z;       /* [nvec] */
} group;

static void group_free(group *g)
{
    free(g->c.T);
    free(g->c.work[0]);
    free(g->c.work[1]);
    free(g->c.pois);
    for (int j = 0; g->pois && j < g->nvec; j++)
        free(g->pois[j]);
    free(g->pois);
    free(g->n_terms);
    free(g->order);
    free(g->v);
    free(g->scen);
    free(g->z);
    scenmc__kernel_base_free(&g->k);
}

static int by_terms_desc(const void *a, const void *b, void *ctx)
{
    const int *nt = ctx, i = *(const int *)a, j = *(const int *)b;
    return nt[i] != nt[j] ? (nt[i] < nt[j]) - (nt[i] > nt[j]) : (i > j) - (i < j);
}

/* Each point's Poisson weights under its own Lambda (the sum of its rates, as
 * the kernel sums them), the vectors ordered by their term counts. */
static void group_poisson(group *g, const scenmc_params *const *p)
{
    int *nt = scenmc__xcalloc((size_t)g->nvec, sizeof(int));
    double **w = scenmc__xcalloc((size_t)g->nvec, sizeof(double *));
    for (int j = 0; j < g->nvec; j++) {
        scenmc__chain one = g->c;
        double lambda = 0;
        for (int d = 0; d < g->c.D; d++)
            lambda += p[j]->rate[d];
        scenmc__chain_poisson(&one, lambda);
        w[j] = one.pois, nt[j] = one.n_terms;
        g->order[j] = j;
    }
    /* insertion sort: no qsort_r in C11, and a group is small */
    for (int a = 1; a < g->nvec; a++)
        for (int b = a; b > 0 && by_terms_desc(&g->order[b - 1], &g->order[b], nt) > 0; b--) {
            int t = g->order[b];
            g->order[b] = g->order[b - 1];
            g->order[b - 1] = t;
        }
    for (int j = 0; j < g->nvec; j++)
        g->pois[j] = w[g->order[j]], g->n_terms[j] = nt[g->order[j]];
    free(w);
    free(nt);
}

static scenmc_status group_init(group *g, const scenmc_model *m, const scenmc_params *const *p, int nvec,
                                int threads, scenmc_error *err)
{
    memset(g, 0, sizeof *g);
    double need;
    uint64_t n = scenmc__exact_states(m, p[0], &need, err);
    if (!n)
        return SCENMC_E_LIMIT;
    scenmc_results shape;
    scenmc_status st = scenmc_results_init(&shape, m, p[0], SCENMC_EXACT, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc__kernel_base_init(&g->k, m, p[0], &shape, err);
    g->Y = shape.n_years, g->S = shape.n_scenarios, g->nvec = nvec;
    scenmc_results_free(&shape);
    if (st != SCENMC_OK)
        return st;
    size_t nv_ = (size_t)nvec;
    g->c = (scenmc__chain){.k = &g->k, .n = n, .D = m->n_descriptors, .V = m->n_variants};
    g->c.threads = threads > 0 ? threads : omp_get_max_threads();
    g->c.stride = g->k.state_stride;
    scenmc__chain_poisson(&g->c, g->k.lambda);
    g->c.T = malloc(sizeof(double) * n * (uint64_t)g->c.V);
    g->c.work[0] = malloc(sizeof(double) * n * nv_);
    g->c.work[1] = malloc(sizeof(double) * n * nv_);
    g->v = malloc(sizeof(double) * n * nv_);
    g->scen = malloc(sizeof(int) * n);
    g->z = scenmc__xcalloc(nv_, sizeof(double));
    g->order = scenmc__xcalloc(nv_, sizeof(int));
    g->pois = scenmc__xcalloc(nv_, sizeof(double *));
    g->n_terms = scenmc__xcalloc(nv_, sizeof(int));
    if (!g->c.T || !g->c.work[0] || !g->c.work[1] || !g->v || !g->scen)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for forward filtering");
    group_poisson(g, p);
    return SCENMC_OK;
}

/* The start of each vector and each state's scenario. */
static void group_start(group *g, const scenmc_params *const *p)
{
    const scenmc__kernel_base *k = &g->k;
    size_t nv_ = (size_t)g->nvec;
    int *s = scenmc__xcalloc((size_t)g->c.D, sizeof(int));
    for (uint64_t x = 0; x < g->c.n; x++) {
        long si = 0;
        for (int d = 0; d < g->c.D; d++)
            si += (long)k->scen_stride[d] * s[d];
        g->scen[x] = k->scen_table[si];
        for (size_t j = 0; j < nv_; j++)
            g->v[x * nv_ + j] = scenmc__chain_start(&g->c, p[g->order[j]], s);
        scenmc__chain_odometer(&g->c, s);
    }
    free(s);
}

/* Vector j .* L (when L), normalised, as weigh does for one vector; the log of
 * each normaliser (-INFINITY for 0) into lz. */
static void weigh_each(group *g, const double *L, double *lz)
{
    size_t nv_ = (size_t)g->nvec;
    double *z = g->z;
    for (size_t j = 0; j < nv_; j++)
        z[j] = 0;
    for (uint64_t x = 0; x < g->c.n; x++)
        for (size_t j = 0; j < nv_; j++)
            z[j] += L ? (g->v[x * nv_ + j] *= L[x]) : g->v[x * nv_ + j];
    for (size_t j = 0; j < nv_; j++) {
        lz[j] = z[j] > 0 ? log(z[j]) : -INFINITY;
        z[j] = z[j] > 0 ? 1 / z[j] : 0;
    }
    for (uint64_t x = 0; x < g->c.n; x++)
        for (size_t j = 0; j < nv_; j++)
            g->v[x * nv_ + j] *= z[j];
}

/* Forward filtering of the group's vectors (the loop of scenmc__chain_filter,
 * one vector per point); bad[j]: the first year index whose observations
 * have probability zero for vector j, or -1. */
static void group_filter(group *g, const scenmc_params *p0, double *const *L, int *bad, double **log_norm,
                         double *const *scen_prob)
{
    const int Y = g->Y, S = g->S;
    size_t nv_ = (size_t)g->nvec;
    double *lz = scenmc__xcalloc(nv_, sizeof(double)), *sums = scenmc__xcalloc((size_t)S, sizeof(double));
    for (int y = 0; y < Y; y++) {
        if (y > 0) {
            scenmc__chain_use_year(&g->c, p0, y - 1);
            if (g->c.sched) /* one point: the year's own weights */
                g->pois[0] = g->c.pois, g->n_terms[0] = g->c.n_terms;
            scenmc__chain_apply_year_each(&g->c, g->v, g->nvec, g->pois, g->n_terms);
        }
        scenmc__chain_hold_starts(&g->c, g->v, g->nvec, y, 0);
        weigh_each(g, L[y], lz);
        for (size_t j = 0; j < nv_; j++) {
            if (bad[j] >= 0)
                continue;
            log_norm[j][y] = lz[j];
            if (lz[j] == -INFINITY) {
                bad[j] = y;
                continue;
            }
            if (!scen_prob[j])
                continue;
            memset(sums, 0, sizeof(double) * (size_t)S);
            for (uint64_t x = 0; x < g->c.n; x++)
                sums[g->scen[x]] += g->v[x * nv_ + j];
            memcpy(scen_prob[j] + (size_t)y * (size_t)S, sums, sizeof(double) * (size_t)S);
        }
    }
    free(lz);
    free(sums);
}

scenmc_status scenmc__exact_filter_points(const scenmc_model *m, const scenmc_params *const *p, int nvec,
                                          const scenmc_observations *o, int threads, double *log_evidence,
                                          double *const *scenario_prob, scenmc_error *err)
{
    scenmc_status st = SCENMC_OK;
    for (int j = 0; j < nvec && st == SCENMC_OK; j++) {
        st = scenmc__params_check_scheduled(p[j], err);
        if (st == SCENMC_OK && o)
            st = scenmc_observations_check(m, o, p[j], err);
    }
    if (st != SCENMC_OK)
        return st;
    if (nvec > 1 && p[0]->schedule && p[0]->schedule->n > 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "points with changes over time are filtered one at a time");
    group g;
    if ((st = group_init(&g, m, p, nvec, threads, err)) != SCENMC_OK) {
        group_free(&g);
        return st;
    }
    const int Y = g.Y, S = g.S;
    int *bad = scenmc__xcalloc((size_t)nvec, sizeof(int));
    double **log_norm = scenmc__xcalloc((size_t)nvec, sizeof(double *));
    double **sp = scenmc__xcalloc((size_t)nvec, sizeof(double *));
    for (int j = 0; j < nvec; j++) {
        bad[j] = -1;
        log_norm[j] = scenmc__xcalloc((size_t)Y, sizeof(double));
        sp[j] = scenario_prob ? scenario_prob[g.order[j]] : NULL;
    }
    double **L = scenmc__chain_likelihood(&g.c, o, p[0]->year_start, Y);
    scenmc__chain_build_transitions(&g.c, p[0]);
    scenmc__chain_schedule(&g.c, m, p[0]);
    if (g.c.sched) { /* one point: the chain's weights, reloaded by year */
        free(g.pois[0]);
        g.pois[0] = g.c.pois, g.n_terms[0] = g.c.n_terms;
    }
    group_start(&g, p);
    group_filter(&g, p[0], L, bad, log_norm, sp);
    scenmc__chain_likelihood_free(L, Y);
    for (int j = 0; j < nvec; j++) {
        double *le = &log_evidence[g.order[j]];
        *le = 0;
        for (int y = 0; y < Y; y++)
            *le += bad[j] >= 0 && y >= bad[j] ? 0 : log_norm[j][y];
        if (bad[j] >= 0) { /* impossible observations: a valid answer (probability 0), no forecast */
            *le = -INFINITY;
            for (size_t i = (size_t)bad[j] * (size_t)S; sp[j] && i < (size_t)Y * (size_t)S; i++)
                sp[j][i] = NAN;
        }
        free(log_norm[j]);
    }
    if (g.c.sched)
        g.pois[0] = NULL; /* the chain's own, freed with it */
    free(bad);
    free(log_norm);
    free(sp);
    group_free(&g);
    return SCENMC_OK;
}

scenmc_status scenmc_exact_filter(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                  int threads, double *log_evidence, double *scenario_prob, scenmc_error *err)
{
    return scenmc__exact_filter_points(m, &p, 1, o, threads, log_evidence, &scenario_prob, err);
}
