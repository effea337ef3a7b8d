/* Signposts (docs/signposts.md, section 4): the mutual information between
 * the target T (the last year's scenario, or a set of them) and each
 * indicator, a descriptor's variant X in a year t:
 *     I(T; X) = sum_{v,k} P(v, k) log2 P(v, k) / (P(v) P(k)).
 * Exactly: with alpha_t(x) = P(x at t, observations up to t) (forward) and
 * beta_t(x, k) = P(T = k, observations after t | x at t) (backward),
 * P(x at t, T = k | observations) = alpha_t(x) beta_t(x, k) / evidence, and
 * every single and pair table is a sum of it over the states. By Monte
 * Carlo: the joint counts of variant and final scenario (the early-warning
 * counts), with delta-method standard errors. */
#include "engine/signposts.h"
#include "engine/exact_chain.h"
#include "engine/kernel.h"
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
    sp->pair_mi = scenmc__xcalloc((size_t)sp->Y * (size_t)sp->D * (size_t)sp->D, sizeof(double));
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

void scenmc__signposts_rank(scenmc_signposts *sp)
{
    const int D = sp->D, Y = sp->Y;
    rank_item *it = scenmc__xcalloc((size_t)D * (size_t)Y + 1, sizeof(rank_item));
    for (int g = 0; g < 2; g++) {
        int n = 0;
        for (int d = 0; d < D; d++)
            for (int y = 0; y < Y && sp->defining[d] == g; y++)
                it[n++] = (rank_item){isnan(sp->mi[d * Y + y]) ? -1 : sp->mi[d * Y + y], d * Y + y};
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
            if (sp->mi[d * Y + y] > top)
                top = sp->mi[d * Y + y], sp->best[y] = d;
            for (int e = d + 1; e < D && sp->has_pairs; e++) {
                double v = sp->pair_mi[((size_t)y * D + (size_t)d) * D + (size_t)e];
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

/* Plug-in MI from the joint counts, its standard error and its first-order
 * bias df / (2 N ln 2), df = (r_X - 1)(r_T - 1) (r: the values seen). The
 * variance is the delta method's (E[g^2] - I^2) / N plus the chi-square
 * term df / (2 (N ln 2)^2): 2 N ln2 I is chi-square(df) under independence,
 * where the delta method's term vanishes. */
static void mc_stats(scenmc_signposts *sp, const scenmc_model *m, double N)
{
    const int K = sp->K, Y = sp->Y;
    for (int d = 0; d < sp->D; d++)
        for (int y = 0; y < Y; y++) {
            int nv = m->descriptors[d].n_variants, rx = 0, rt = 0;
            const double *P = sp->joint + ((size_t)y * sp->V + (size_t)m->descriptors[d].offset) * K;
            double g2, I = mi_moments(P, nv, K, &g2);
            for (int v = 0; v < nv; v++) {
                double pv = 0;
                for (int k = 0; k < K; k++)
                    pv += P[v * K + k];
                rx += pv > 0;
            }
            for (int k = 0; k < K; k++)
                rt += sp->target_prob[k] > 0;
            double df = rx > 0 && rt > 0 ? (double)(rx - 1) * (rt - 1) : 0, nl = N * log(2);
            sp->mi_se[d * Y + y] = sqrt(fmax(g2 - I * I, 0) / N + df / (2 * nl * nl));
            sp->mi_bias[d * Y + y] = df / (2 * nl);
        }
}

static scenmc_status compute_mc(const scenmc_model *m, const scenmc_params *p, const scenmc_signposts_options *opt,
                                scenmc_signposts *sp, scenmc_error *err)
{
    const scenmc_observations *o = opt->given && opt->given->n + (opt->given->start != NULL) > 0 ? opt->given : NULL;
    scenmc_run_options ro = {.threads = sp->threads, .given = o};
    scenmc_results r;
    scenmc_status st = scenmc_run(m, p, &ro, &r, err);
    if (st != SCENMC_OK)
        return st;
    /* Conditioned: weighted counts over the total weight, and Kish's
     * effective size in place of N in the error bars. */
    double W = r.conditioned ? (double)r.weight_sum : (double)r.n_trajectories;
    double N = r.conditioned ? r.effective_size : (double)r.n_trajectories;
    if (!(W > 0)) {
        scenmc_results_free(&r);
        return scenmc_error_add(err, SCENMC_E_INPUT, "no trajectory is compatible with the observations: "
                                "use --method exact, or more trajectories");
    }
    const uint64_t *c = r.t[SCENMC_T_EARLY_WARNING].counts;
    for (size_t yv = 0; yv < (size_t)sp->Y * (size_t)sp->V; yv++)
        for (int a = 0; a < sp->S; a++)
            sp->joint[yv * (size_t)sp->K + (size_t)sp->target_of[a]] += (double)c[yv * (size_t)sp->S + (size_t)a] / W;
    sp->n_trajectories = r.n_trajectories;
    sp->n_effective = N;
    sp->threads = r.threads;
    sp->conditioned = r.conditioned;
    sp->log_evidence = r.conditioned ? r.log_evidence : 0;
    scenmc_results_free(&r);
    scenmc__signposts_singles(sp, m);
    mc_stats(sp, m, N);
    return SCENMC_OK;
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
        st = scenmc_observations_check(opt->given, p, err);
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
