/* Signposts (docs/signposts.md, section 4): the mutual information between
 * the target T (the last year's scenario, or a set of them) and each
 * indicator, a descriptor's variant X in a year t:
 *     I(T; X) = sum_{v,k} P(v, k) log2 P(v, k) / (P(v) P(k)).
 * Exactly: with alpha_t(x) = P(x at t, observations up to t) (forward) and
 * beta_t(x, k) = P(T = k, observations after t | x at t) (backward),
 * P(x at t, T = k | observations) = alpha_t(x) beta_t(x, k) / evidence, and
 * every single and pair table is a sum of it over the states. By Monte
 * Carlo: the joint counts of variant (or pair of variants) and target class
 * over the trajectories of scenmc run (the reference engine, bit for bit the
 * same trajectories), weighted by the observations' likelihood, with
 * delta-method plus chi-square standard errors. */
#include "engine/signposts.h"
#include "engine/exact_chain.h"
#include "engine/kernel.h"
#include "engine/reference.h"
#include "model/results.h"
#include "base/util.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- information */

/* I(X; T) in bits and E[g^2] with g = log2 P(x,k) / (P(x) P(k)), of the
 * joint P (normalised here; NaN when it is all zero). */
static double mi_moments(const double *P, int nx, int K, double *second)
{
    double *pk = scenmc__xcalloc((size_t)K, sizeof(double)), total = 0;
    for (int x = 0; x < nx; x++)
        for (int k = 0; k < K; k++) {
            pk[k] += P[x * K + k];
            total += P[x * K + k];
        }
    double I = 0, g2 = 0;
    for (int x = 0; x < nx && total > 0; x++) {
        double px = 0;
        for (int k = 0; k < K; k++)
            px += P[x * K + k];
        for (int k = 0; k < K; k++) {
            double q = P[x * K + k];
            if (q <= 0)
                continue;
            double g = log2(q * total / (px * pk[k]));
            I += q / total * g;
            g2 += q / total * g * g;
        }
    }
    free(pk);
    if (second)
        *second = g2;
    return total > 0 ? fmax(I, 0) : NAN;
}

double scenmc_mutual_information(const double *P, int nx, int K)
{
    return mi_moments(P, nx, K, NULL);
}

/* ---------------------------------------------------------------- shape */

static char *join_names(const scenmc_model *m, int n, const int *target)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(target[i] < m->n_scenarios ? m->scenarios[target[i]].name : "unclassified") + 3;
    char *s = scenmc__xcalloc(len, 1);
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " | ");
        strcat(s, target[i] < m->n_scenarios ? m->scenarios[target[i]].name : "unclassified");
    }
    return s;
}

void scenmc__signposts_alloc(scenmc_signposts *sp, const scenmc_model *m, const scenmc_params *p,
                             int n_target, const int *target)
{
    memset(sp, 0, sizeof *sp);
    sp->D = m->n_descriptors;
    sp->V = m->n_variants;
    sp->Y = p->year_end - p->year_start + 1;
    sp->year_start = p->year_start;
    sp->S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    sp->K = n_target > 0 ? 2 : sp->S;
    sp->binary = n_target > 0;
    sp->target_of = scenmc__xcalloc((size_t)sp->S, sizeof(int));
    sp->target_name = scenmc__xcalloc((size_t)sp->K, sizeof(char *));
    for (int a = 0; a < sp->S; a++)
        sp->target_of[a] = n_target > 0 ? 1 : a;
    for (int i = 0; i < n_target; i++)
        sp->target_of[target[i]] = 0;
    if (n_target > 0) {
        sp->target_name[0] = join_names(m, n_target, target);
        sp->target_name[1] = scenmc__strdup("other");
    } else {
        for (int a = 0; a < sp->S; a++)
            sp->target_name[a] = scenmc__strdup(a < m->n_scenarios ? m->scenarios[a].name : "unclassified");
    }
    sp->defining = scenmc__xcalloc((size_t)sp->D, sizeof(int));
    for (int a = 0; a < m->n_scenarios; a++)
        for (int c = 0; c < m->scenarios[a].n_conditions; c++)
            sp->defining[m->scenarios[a].cond_descriptor[c]] = 1;
    size_t YVK = (size_t)sp->Y * (size_t)sp->V * (size_t)sp->K, DY = (size_t)sp->D * (size_t)sp->Y;
    sp->target_prob = scenmc__xcalloc((size_t)sp->K, sizeof(double));
    sp->joint = scenmc__xcalloc(YVK, sizeof(double));
    sp->cond = scenmc__xcalloc(YVK, sizeof(double));
    sp->mi = scenmc__xcalloc(DY, sizeof(double));
    sp->mi_se = scenmc__xcalloc(DY, sizeof(double));
    sp->mi_bias = scenmc__xcalloc(DY, sizeof(double));
    sp->rank = scenmc__xcalloc(DY, sizeof(int));
    sp->best = scenmc__xcalloc((size_t)sp->Y, sizeof(int));
    size_t YDD = (size_t)sp->Y * (size_t)sp->D * (size_t)sp->D;
    sp->pair_mi = scenmc__xcalloc(YDD, sizeof(double));
    sp->pair_mi_se = scenmc__xcalloc(YDD, sizeof(double));
    sp->pair_mi_bias = scenmc__xcalloc(YDD, sizeof(double));
    sp->best_pair = scenmc__xcalloc((size_t)sp->Y * 2, sizeof(int));
}

void scenmc_signposts_free(scenmc_signposts *sp)
{
    if (!sp)
        return;
    for (int k = 0; k < sp->K && sp->target_name; k++)
        free(sp->target_name[k]);
    free(sp->target_name);
    free(sp->target_of);
    free(sp->defining);
    free(sp->target_prob);
    free(sp->joint);
    free(sp->cond);
    free(sp->mi);
    free(sp->mi_se);
    free(sp->mi_bias);
    free(sp->rank);
    free(sp->best);
    free(sp->pair_mi);
    free(sp->pair_mi_se);
    free(sp->pair_mi_bias);
    free(sp->best_pair);
    memset(sp, 0, sizeof *sp);
}

/* ---------------------------------------------------------------- ranking */

typedef struct rank_item {
    double mi;
    int at; /* d * Y + y */
} rank_item;

static int by_mi(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    if (x->mi != y->mi)
        return x->mi > y->mi ? -1 : 1;
    return x->at - y->at;
}

/* Ranked by I - bias (Monte Carlo: the plug-in's first-order bias, larger
 * for indicators and pairs of more variants; exact: 0): among indicators
 * that tell nothing, the plug-in would favour the most variants. */
void scenmc__signposts_rank(scenmc_signposts *sp)
{
    const int D = sp->D, Y = sp->Y;
    rank_item *it = scenmc__xcalloc((size_t)D * (size_t)Y + 1, sizeof(rank_item));
    for (int g = 0; g < 2; g++) {
        int n = 0;
        for (int d = 0; d < D; d++)
            for (int y = 0; y < Y && sp->defining[d] == g; y++)
                it[n++] = (rank_item){isnan(sp->mi[d * Y + y]) ? -1 : sp->mi[d * Y + y] - sp->mi_bias[d * Y + y],
                                      d * Y + y};
        qsort(it, (size_t)n, sizeof *it, by_mi);
        for (int i = 0; i < n; i++)
            sp->rank[it[i].at] = i + 1;
    }
    free(it);
    for (int y = 0; y < Y; y++) {
        sp->best[y] = sp->best_pair[2 * y] = sp->best_pair[2 * y + 1] = -1;
        double top = -1, top2 = -1;
        for (int d = 0; d < D; d++) {
            if (sp->defining[d])
                continue;
            if (sp->mi[d * Y + y] - sp->mi_bias[d * Y + y] > top)
                top = sp->mi[d * Y + y] - sp->mi_bias[d * Y + y], sp->best[y] = d;
            for (int e = d + 1; e < D && sp->has_pairs; e++) {
                size_t de = ((size_t)y * D + (size_t)d) * D + (size_t)e;
                double v = sp->pair_mi[de] - sp->pair_mi_bias[de];
                if (!sp->defining[e] && v > top2) {
                    top2 = v;
                    sp->best_pair[2 * y] = d, sp->best_pair[2 * y + 1] = e;
                }
            }
        }
    }
}

void scenmc__signposts_singles(scenmc_signposts *sp, const scenmc_model *m)
{
    const int K = sp->K, V = sp->V, Y = sp->Y;
    memset(sp->target_prob, 0, sizeof(double) * (size_t)K);
    for (int v = 0; v < m->descriptors[0].n_variants; v++)
        for (int k = 0; k < K; k++)
            sp->target_prob[k] += sp->joint[((size_t)(Y - 1) * V + (size_t)v) * K + (size_t)k];
    sp->target_entropy = 0;
    for (int k = 0; k < K; k++)
        if (sp->target_prob[k] > 0)
            sp->target_entropy -= sp->target_prob[k] * log2(sp->target_prob[k]);
    for (size_t yv = 0; yv < (size_t)Y * (size_t)V; yv++) {
        double pv = 0;
        for (int k = 0; k < K; k++)
            pv += sp->joint[yv * K + (size_t)k];
        for (int k = 0; k < K; k++)
            sp->cond[yv * K + (size_t)k] = pv > 0 ? sp->joint[yv * K + (size_t)k] / pv : NAN;
    }
    for (int d = 0; d < sp->D; d++)
        for (int y = 0; y < Y; y++) {
            const double *P = sp->joint + ((size_t)y * V + (size_t)m->descriptors[d].offset) * K;
            sp->mi[d * Y + y] = scenmc_mutual_information(P, m->descriptors[d].n_variants, K);
            if (sp->has_pairs)
                sp->pair_mi[((size_t)y * sp->D + (size_t)d) * sp->D + (size_t)d] = sp->mi[d * Y + y];
        }
}

/* ---------------------------------------------------------------- exact */

typedef struct sp_exact {
    const scenmc_model *m;
    const scenmc_params *p;
    const scenmc_observations *o;
    scenmc_signposts *sp;
    scenmc__chain c;
    uint64_t n;
    double **pt;      /* [Y][n] alpha_t */
    double *beta;     /* [n][K] */
    int *scen;        /* [n] */
    size_t *pair_off; /* [D*D] the pair (d, e), d < e: its table's offset in the pair block */
    size_t pair_len, acc_len; /* doubles of the pair block; of a whole accumulator (V*K + pairs) */
    double *acc;      /* [threads][acc_len] */
    double evidence;
} sp_exact;

/* v[x] *= the likelihood of year y's observations (and the start state), for
 * nvec interleaved vectors; 0 when there are none that year. */
static int observe_year(const sp_exact *e, double *v, int nvec, int y)
{
    const scenmc_observations *o = e->o;
    int year = e->p->year_start + y, any = y == 0 && o && o->start;
    for (int i = 0; o && i < o->n && !any; i++)
        any = o->obs[i].year == year;
    if (!any)
        return 0;
    int *s = scenmc__xcalloc((size_t)e->c.D, sizeof(int));
    for (uint64_t x = 0; x < e->n; x++) {
        double l = scenmc_observations_likelihood(o, year, s);
        for (int d = 0; y == 0 && o->start && d < e->c.D; d++)
            l *= o->start[d] == s[d];
        for (int j = 0; j < nvec; j++)
            v[x * (uint64_t)nvec + (uint64_t)j] *= l;
        scenmc__chain_odometer(&e->c, s);
    }
    free(s);
    return 1;
}

static double total(const double *v, uint64_t n)
{
    double z = 0;
    for (uint64_t x = 0; x < n; x++)
        z += v[x];
    return z;
}

/* alpha_t for every year; fails naming the first year whose observations
 * have probability zero. */
static scenmc_status forward(sp_exact *e, scenmc_error *err)
{
    const int Y = e->sp->Y;
    scenmc__chain_forward(&e->c, e->p, 1, e->scen, e->pt);
    for (int y = 0; y < Y; y++) {
        if (y > 0) {
            memcpy(e->pt[y], e->pt[y - 1], sizeof(double) * e->n);
            scenmc__chain_apply_year(&e->c, e->pt[y], 1, 0);
        }
        if (observe_year(e, e->pt[y], 1, y) && !(total(e->pt[y], e->n) > 0))
            return scenmc_error_add(err, SCENMC_E_INPUT, "the observations of %d have probability zero "
                                    "given the model and those before them", e->p->year_start + y);
    }
    e->evidence = total(e->pt[Y - 1], e->n);
    return SCENMC_OK;
}

static void pair_layout(sp_exact *e)
{
    const int D = e->c.D;
    const scenmc_model *m = e->m;
    e->pair_off = scenmc__xcalloc((size_t)D * (size_t)D, sizeof(size_t));
    e->pair_len = 0;
    for (int d = 0; d < D && e->sp->has_pairs; d++)
        for (int f = d + 1; f < D; f++) {
            e->pair_off[d * D + f] = e->pair_len;
            e->pair_len += (size_t)m->descriptors[d].n_variants * (size_t)m->descriptors[f].n_variants *
                           (size_t)e->sp->K;
        }
    e->acc_len = (size_t)e->c.V * (size_t)e->sp->K + e->pair_len;
}

/* Adds alpha_t(x) beta_t(x, .) of states [lo, hi) to acc (singles, then pairs). */
static void accumulate_range(const sp_exact *e, const double *q, uint64_t lo, uint64_t hi, double *acc)
{
    const int D = e->c.D, K = e->sp->K, *off = e->c.k->offset, *nv = e->c.k->n_var;
    double *pairs = acc + (size_t)e->c.V * (size_t)K, *w = scenmc__xcalloc((size_t)K, sizeof(double));
    int *s = scenmc__xcalloc((size_t)D, sizeof(int));
    scenmc__chain_decode(&e->c, lo, s);
    for (uint64_t x = lo; x < hi; x++, scenmc__chain_odometer(&e->c, s)) {
        if (q[x] == 0)
            continue;
        for (int k = 0; k < K; k++)
            w[k] = q[x] * e->beta[x * (uint64_t)K + (uint64_t)k];
        for (int d = 0; d < D; d++) {
            double *a = acc + (size_t)(off[d] + s[d]) * (size_t)K;
            for (int k = 0; k < K; k++)
                a[k] += w[k];
            for (int f = d + 1; f < D && e->sp->has_pairs; f++) {
                double *b = pairs + e->pair_off[d * D + f] + (size_t)(s[d] * nv[f] + s[f]) * (size_t)K;
                for (int k = 0; k < K; k++)
                    b[k] += w[k];
            }
        }
    }
    free(w);
    free(s);
}

/* Year y's single and pair tables: per-thread sums added in thread order,
 * so that a thread count gives one result. */
static void year_tables(sp_exact *e, int y)
{
    const int T = e->c.threads, D = e->c.D, K = e->sp->K;
    memset(e->acc, 0, sizeof(double) * e->acc_len * (size_t)T);
#pragma omp parallel num_threads(T)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        uint64_t lo = e->n * (uint64_t)t / (uint64_t)nt, hi = e->n * (uint64_t)(t + 1) / (uint64_t)nt;
        accumulate_range(e, e->pt[y], lo, hi, e->acc + e->acc_len * (size_t)t);
    }
    for (int t = 1; t < T; t++)
        for (size_t i = 0; i < e->acc_len; i++)
            e->acc[i] += e->acc[e->acc_len * (size_t)t + i];
    for (size_t i = 0; i < e->acc_len; i++)
        e->acc[i] /= e->evidence;
    memcpy(e->sp->joint + (size_t)y * (size_t)e->c.V * (size_t)K, e->acc, sizeof(double) * (size_t)e->c.V * K);
    const double *pairs = e->acc + (size_t)e->c.V * (size_t)K;
    for (int d = 0; d < D && e->sp->has_pairs; d++)
        for (int f = d + 1; f < D; f++) {
            int rows = e->c.k->n_var[d] * e->c.k->n_var[f];
            double v = scenmc_mutual_information(pairs + e->pair_off[d * D + f], rows, K);
            e->sp->pair_mi[((size_t)y * D + (size_t)d) * D + (size_t)f] = v;
            e->sp->pair_mi[((size_t)y * D + (size_t)f) * D + (size_t)d] = v;
        }
}

/* beta from the last year back, each year's tables on the way. */
static void backward(sp_exact *e)
{
    const int K = e->sp->K;
    for (uint64_t x = 0; x < e->n; x++)
        for (int k = 0; k < K; k++)
            e->beta[x * (uint64_t)K + (uint64_t)k] = e->sp->target_of[e->scen[x]] == k;
    for (int y = e->sp->Y - 1; y >= 0; y--) {
        year_tables(e, y);
        if (y > 0) {
            observe_year(e, e->beta, K, y);
            scenmc__chain_apply_year(&e->c, e->beta, K, 1);
        }
    }
}

static int exact_alloc(sp_exact *e)
{
    const int Y = e->sp->Y, K = e->sp->K;
    e->pt = scenmc__xcalloc((size_t)Y, sizeof(double *));
    int ok = 1;
    for (int y = 0; y < Y && ok; y++)
        ok = (e->pt[y] = malloc(sizeof(double) * e->n)) != NULL;
    e->beta = malloc(sizeof(double) * e->n * (uint64_t)K);
    e->scen = malloc(sizeof(int) * e->n);
    e->c.T = malloc(sizeof(double) * e->n * (uint64_t)e->c.V);
    e->c.work[0] = malloc(sizeof(double) * e->n * (uint64_t)K);
    e->c.work[1] = malloc(sizeof(double) * e->n * (uint64_t)K);
    pair_layout(e);
    e->acc = malloc(sizeof(double) * e->acc_len * (size_t)e->c.threads);
    return ok && e->beta && e->scen && e->c.T && e->c.work[0] && e->c.work[1] && e->acc;
}

static void exact_free(sp_exact *e)
{
    for (int y = 0; y < e->sp->Y && e->pt; y++)
        free(e->pt[y]);
    free(e->pt);
    free(e->beta);
    free(e->scen);
    free(e->c.T);
    free(e->c.work[0]);
    free(e->c.work[1]);
    free(e->c.pois);
    free(e->pair_off);
    free(e->acc);
}

static scenmc_status compute_exact(const scenmc_model *m, const scenmc_params *p,
                                   const scenmc_signposts_options *opt, uint64_t n, scenmc_signposts *sp,
                                   scenmc_error *err)
{
    scenmc_results shape; /* the kernel's bins come from the results' shape */
    scenmc__kernel_base k;
    scenmc_status st = scenmc_results_init(&shape, m, p, SCENMC_EXACT, err);
    if (st == SCENMC_OK) {
        st = scenmc__kernel_base_init(&k, m, p, &shape, err);
        scenmc_results_free(&shape);
    }
    if (st != SCENMC_OK)
        return st;
    sp_exact e = {.m = m, .p = p, .o = opt->given && opt->given->n + (opt->given->start != NULL) > 0 ? opt->given : NULL,
                  .sp = sp, .n = n};
    e.c = (scenmc__chain){.k = &k, .n = n, .D = m->n_descriptors, .V = m->n_variants, .stride = k.state_stride,
                          .threads = sp->threads};
    sp->has_pairs = !opt->no_pairs;
    scenmc__chain_poisson(&e.c, k.lambda);
    if (!exact_alloc(&e)) {
        st = scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the signposts' exact pass");
    } else {
        scenmc__chain_build_transitions(&e.c, p);
        st = forward(&e, err);
        if (st == SCENMC_OK) {
            backward(&e);
            sp->conditioned = e.o != NULL;
            sp->log_evidence = log(e.evidence);
        }
    }
    exact_free(&e);
    scenmc__kernel_base_free(&k);
    return st;
}

/* ---------------------------------------------------------------- Monte Carlo */

/* Plug-in MI of the joint P (nx rows, K classes; normalised inside), its
 * standard error and first-order bias df / (2 N ln 2), df = (r_X - 1)(r_T - 1)
 * (r_X the rows seen, r_T the classes seen). The variance is the delta
 * method's Var(g) / N plus the chi-square term df / (2 (N ln 2)^2): 2 N ln2 I
 * is chi-square(df) under independence, where Var(g) vanishes. Var(g) is
 * estimated by E^[g^2] - I^2 less its own first-order bias df / (N ln^2 2)
 * (Pearson's chi-square / N in bits^2 at independence): uncorrected, it adds
 * twice the chi-square term there and the error bar is sqrt(3) too wide. */
static double plug_in(const double *P, int nx, int K, int rt, double N, double *se, double *bias)
{
    double g2, I = mi_moments(P, nx, K, &g2);
    int rx = 0;
    for (int x = 0; x < nx; x++) {
        double px = 0;
        for (int k = 0; k < K; k++)
            px += P[x * K + k];
        rx += px > 0;
    }
    double df = rx > 0 && rt > 0 ? (double)(rx - 1) * (rt - 1) : 0, nl = N * log(2);
    *se = sqrt(fmax(g2 - I * I - df / (N * log(2) * log(2)), 0) / N + df / (2 * nl * nl));
    *bias = df / (2 * nl);
    return I;
}

/* One pass over trajectories [0, N) of the run's seed, each by the
 * reference engine (the same trajectories as scenmc run, bit for bit),
 * tallied per thread as integer (weighted) counts:
 *   singles n(v at t, k): [Y][V][K]
 *   pairs n(v1 of d, v2 of e at t, k), d < e: [Y][pair block] after them
 * Integer sums in any order: one result for every thread count. */
typedef struct sp_mc {
    const scenmc__kernel *k;
    const scenmc__given *g;  /* NULL: every weight 1 */
    const int *target_of;    /* [S] */
    uint64_t seed;
    int D, Y, V, K, pairs;
    size_t *pair_off;        /* [D*D] (d, e), d < e: its table in a year's pair block */
    size_t pair_len, len;    /* a year's pair block; a whole tally */
} sp_mc;

typedef struct mc_tally {
    uint64_t *c;             /* [len] */
    uint64_t wsum, wsq[2];   /* the weights' sum and (128-bit) sum of squares */
} mc_tally;

static void mc_layout(sp_mc *e)
{
    const int D = e->D;
    e->pair_off = scenmc__xcalloc((size_t)D * (size_t)D + 1, sizeof(size_t));
    e->pair_len = 0;
    for (int d = 0; d < D && e->pairs; d++)
        for (int f = d + 1; f < D; f++) {
            e->pair_off[d * D + f] = e->pair_len;
            e->pair_len += (size_t)e->k->base.n_var[d] * (size_t)e->k->base.n_var[f] * (size_t)e->K;
        }
    e->len = (size_t)e->Y * ((size_t)e->V * (size_t)e->K + e->pair_len);
}

/* Tallies one trajectory (weighted as the engines weigh it) into t. */
static void mc_trajectory(const sp_mc *e, uint64_t traj, int *nrev, int *states, mc_tally *t)
{
    const int D = e->D, Y = e->Y, K = e->K, *off = e->k->base.offset, *nv = e->k->base.n_var;
    scenmc__reference_trajectory(e->k, NULL, e->seed, traj, nrev, states);
    uint64_t w = e->g ? scenmc__given_trajectory_weight(e->g, states, D) : 1;
    t->wsum += w;
    scenmc__u128_add(t->wsq, w * w, 0);
    if (!w)
        return;
    const int *last = states + (size_t)(Y - 1) * (size_t)D;
    long si = 0;
    for (int d = 0; d < D; d++)
        si += (long)e->k->base.scen_stride[d] * last[d];
    const size_t k = (size_t)e->target_of[e->k->base.scen_table[si]];
    uint64_t *pairs = t->c + (size_t)Y * (size_t)e->V * (size_t)K;
    for (int y = 0; y < Y; y++) {
        const int *s = states + (size_t)y * (size_t)D;
        uint64_t *c = t->c + (size_t)y * (size_t)e->V * (size_t)K, *b = pairs + (size_t)y * e->pair_len;
        for (int d = 0; d < D; d++) {
            c[(size_t)(off[d] + s[d]) * (size_t)K + k] += w;
            for (int f = d + 1; f < D && e->pairs; f++)
                b[e->pair_off[d * D + f] + (size_t)(s[d] * nv[f] + s[f]) * (size_t)K + k] += w;
        }
    }
}

/* Simulates and tallies [0, n) on T threads into sum (its c of e->len
 * counts); 0 when the per-thread tallies do not fit in memory. */
static int mc_pass(const sp_mc *e, uint64_t n, int T, mc_tally *sum)
{
    mc_tally *t = scenmc__xcalloc((size_t)T, sizeof *t);
    int ok = 1;
    for (int i = 0; i < T && ok; i++)
        ok = (t[i].c = calloc(e->len, sizeof(uint64_t))) != NULL;
    if (ok) {
#pragma omp parallel num_threads(T)
        {
            mc_tally *mine = &t[omp_get_thread_num()];
            int *nrev = scenmc__xcalloc((size_t)e->Y, sizeof(int));
            int *states = scenmc__xcalloc((size_t)e->Y * (size_t)e->D, sizeof(int));
#pragma omp for schedule(dynamic, 256)
            for (uint64_t j = 0; j < n; j++)
                mc_trajectory(e, j, nrev, states, mine);
            free(nrev);
            free(states);
        }
        for (int i = 0; i < T; i++) {
            for (size_t j = 0; j < e->len; j++)
                sum->c[j] += t[i].c[j];
            sum->wsum += t[i].wsum;
            scenmc__u128_add(sum->wsq, t[i].wsq[0], t[i].wsq[1]);
        }
    }
    for (int i = 0; i < T; i++)
        free(t[i].c);
    free(t);
    return ok;
}

/* Every pair's plug-in MI, standard error and bias from the pair counts
 * (the diagonal: the singles'). */
static void mc_pairs(scenmc_signposts *sp, const sp_mc *e, const uint64_t *pairs, double W, double N, int rt)
{
    const int D = sp->D, Y = sp->Y, K = sp->K, *nv = e->k->base.n_var;
    int most = 0;
    for (int d = 0; d < D; d++)
        most = nv[d] > most ? nv[d] : most;
    double *P = scenmc__xcalloc((size_t)most * (size_t)most * (size_t)K, sizeof(double));
    for (int y = 0; y < Y; y++)
        for (int d = 0; d < D; d++) {
            size_t dd = ((size_t)y * D + (size_t)d) * D + (size_t)d;
            sp->pair_mi[dd] = sp->mi[d * Y + y];
            sp->pair_mi_se[dd] = sp->mi_se[d * Y + y];
            sp->pair_mi_bias[dd] = sp->mi_bias[d * Y + y];
            for (int f = d + 1; f < D; f++) {
                size_t n = (size_t)nv[d] * (size_t)nv[f] * (size_t)K, de = dd + (size_t)(f - d);
                size_t ed = ((size_t)y * D + (size_t)f) * D + (size_t)d;
                const uint64_t *c = pairs + (size_t)y * e->pair_len + e->pair_off[d * D + f];
                for (size_t i = 0; i < n; i++)
                    P[i] = (double)c[i] / W;
                sp->pair_mi[de] = sp->pair_mi[ed] =
                    plug_in(P, nv[d] * nv[f], K, rt, N, &sp->pair_mi_se[de], &sp->pair_mi_bias[de]);
                sp->pair_mi_se[ed] = sp->pair_mi_se[de];
                sp->pair_mi_bias[ed] = sp->pair_mi_bias[de];
            }
        }
    free(P);
}

/* The tallies' estimates: joint = counts over the total weight, N the
 * trajectory count (conditioned: Kish's effective size). */
static void mc_estimates(scenmc_signposts *sp, const scenmc_model *m, const sp_mc *e, const mc_tally *t)
{
    const int K = sp->K, Y = sp->Y;
    double W = (double)t->wsum, sq = ldexp((double)t->wsq[1], 64) + (double)t->wsq[0];
    double N = e->g ? W * W / sq : (double)sp->n_trajectories;
    for (size_t i = 0; i < (size_t)Y * (size_t)sp->V * (size_t)K; i++)
        sp->joint[i] = (double)t->c[i] / W;
    sp->n_effective = N;
    if (e->g) { /* the evidence: the mean weight scaled back to likelihoods, as scenmc_run has it */
        double unit = scenmc__given_max(e->g->o) / (double)e->g->one;
        sp->log_evidence = log(W / (double)sp->n_trajectories * unit);
    }
    scenmc__signposts_singles(sp, m);
    int rt = 0;
    for (int k = 0; k < K; k++)
        rt += sp->target_prob[k] > 0;
    for (int d = 0; d < sp->D; d++)
        for (int y = 0; y < Y; y++) {
            const double *P = sp->joint + ((size_t)y * sp->V + (size_t)m->descriptors[d].offset) * K;
            plug_in(P, m->descriptors[d].n_variants, K, rt, N, &sp->mi_se[d * Y + y], &sp->mi_bias[d * Y + y]);
        }
    if (sp->has_pairs)
        mc_pairs(sp, e, t->c + (size_t)Y * (size_t)sp->V * (size_t)K, W, N, rt);
}

/* The kernel (its random stream's tables) and the weights of the
 * observations, as scenmc_run prepares them. */
static scenmc_status mc_prepare(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                scenmc__kernel *k, scenmc__given *g, int *weighted, scenmc_error *err)
{
    scenmc_results shape;
    scenmc_status st = o ? scenmc__given_check(m, p, o, err) : SCENMC_OK;
    for (int d = 0; st == SCENMC_OK && d < m->n_descriptors; d++)
        if (m->descriptors[d].n_variants > 255)
            st = scenmc_error_add(err, SCENMC_E_LIMIT, "descriptor %s has more than 255 variants",
                                  m->descriptors[d].id);
    if (st == SCENMC_OK && (st = scenmc_results_init(&shape, m, p, SCENMC_MONTE_CARLO, err)) == SCENMC_OK) {
        st = scenmc__kernel_init(k, m, p, &shape, err);
        scenmc_results_free(&shape);
        /* the start blocks the random stream reads come with the groups */
        if (st == SCENMC_OK && (st = scenmc__kernel_build_groups(k, 0, err)) != SCENMC_OK)
            scenmc__kernel_free(k);
    }
    *weighted = st == SCENMC_OK && scenmc__given_init(g, o, p->year_start);
    return st;
}

static scenmc_status compute_mc(const scenmc_model *m, const scenmc_params *p, const scenmc_signposts_options *opt,
                                scenmc_signposts *sp, scenmc_error *err)
{
    const scenmc_observations *o = opt->given && opt->given->n > 0 ? opt->given : NULL;
    scenmc__kernel k;
    scenmc__given g;
    int weighted;
    memset(&g, 0, sizeof g);
    scenmc_status st = mc_prepare(m, p, o, &k, &g, &weighted, err);
    if (st != SCENMC_OK)
        return st;
    sp->has_pairs = !opt->no_pairs;
    sp_mc e = {.k = &k, .g = weighted ? &g : NULL, .target_of = sp->target_of, .seed = p->seed,
               .D = sp->D, .Y = sp->Y, .V = sp->V, .K = sp->K, .pairs = sp->has_pairs};
    mc_layout(&e);
    mc_tally t = {.c = calloc(e.len, sizeof(uint64_t))};
    if (!t.c || !mc_pass(&e, p->n_trajectories, sp->threads, &t))
        st = scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the signposts' per-thread tallies "
                              "(%.0f MB each): use --no-pairs or fewer threads", 8e-6 * (double)e.len);
    else if (t.wsum == 0)
        st = scenmc_error_add(err, SCENMC_E_INPUT, "no trajectory is compatible with the observations: "
                              "use --method exact, or more trajectories");
    if (st == SCENMC_OK) {
        sp->n_trajectories = p->n_trajectories;
        sp->conditioned = weighted;
        mc_estimates(sp, m, &e, &t);
    }
    free(t.c);
    free(e.pair_off);
    scenmc__given_free(&g);
    scenmc__kernel_free(&k);
    return st;
}

/* ---------------------------------------------------------------- entry */

static scenmc_status check_target(const scenmc_model *m, const scenmc_signposts_options *opt, scenmc_error *err)
{
    int S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    if (m->n_scenarios == 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "the model defines no scenarios: signposts need a target");
    for (int i = 0; i < opt->n_target; i++)
        if (!opt->target || opt->target[i] < 0 || opt->target[i] >= S)
            return scenmc_error_add(err, SCENMC_E_INPUT, "target scenario %d out of range 1..%d", i + 1, S);
    return SCENMC_OK;
}

scenmc_status scenmc_signposts_compute(const scenmc_model *m, const scenmc_params *p,
                                       const scenmc_signposts_options *opt, scenmc_signposts *sp,
                                       scenmc_error *err)
{
    memset(sp, 0, sizeof *sp);
    scenmc_status st = scenmc_params_check(p, err);
    if (st == SCENMC_OK)
        st = check_target(m, opt, err);
    if (st == SCENMC_OK && opt->given)
        st = scenmc_observations_check(m, opt->given, p, err);
    if (st != SCENMC_OK)
        return st;
    double t0 = scenmc__now(), need;
    scenmc_error quiet;
    scenmc_error_clear(&quiet);
    uint64_t n = opt->method == SCENMC_SIGNPOSTS_MC ? 0
                 : scenmc__exact_states(m, p, &need, opt->method == SCENMC_SIGNPOSTS_EXACT ? err : &quiet);
    if (!n && opt->method == SCENMC_SIGNPOSTS_EXACT)
        return SCENMC_E_LIMIT;
    scenmc__signposts_alloc(sp, m, p, opt->n_target, opt->target);
    sp->threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    sp->method = n ? SCENMC_EXACT : SCENMC_MONTE_CARLO;
    if (n) {
        st = compute_exact(m, p, opt, n, sp, err);
        if (st == SCENMC_OK) {
            scenmc__signposts_singles(sp, m);
            sp->n_trajectories = 0;
        }
    } else {
        st = compute_mc(m, p, opt, sp, err);
    }
    if (st != SCENMC_OK) {
        scenmc_signposts_free(sp);
        return st;
    }
    scenmc__signposts_rank(sp);
    sp->wall_seconds = scenmc__now() - t0;
    return SCENMC_OK;
}
