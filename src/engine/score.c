/* The score-function (likelihood-ratio) estimator of every derivative of the
 * scenario probabilities from one run (see score.h; docs/sensitivity.md).
 *
 * Trajectory k reads its random words exactly as docs/model.md, section 11
 * says (the start and the pick of the revised descriptor are the reference
 * engine's), so its states are those of `scenmc run` with the same seed. Each
 * trajectory carries its score S[theta] = d log P(trajectory) / dtheta:
 * - a revision of descriptor i from state s to variant b adds
 *   sum_c (1{c = b} - P(c | s)) dz_c / dtheta, z_c = beta * B_i(c | s): the
 *   heat-bath rule's log-derivative, which touches only the cells between
 *   the other descriptors' current variants and i's variants, beta, the
 *   weights and i's biases;
 * - year y adds n_j / lambda_j - 1 for each rate lambda_j (n_j: j's
 *   revisions in the year), the score of a Poisson(Lambda) count times the
 *   multinomial split of its revisions by lambda_j / Lambda.
 * At the end of each year y the state's scenario s and variants v add S and
 * S^2 to the sums of (y, s) and (y, s, v). The estimators are covariances,
 * dP(A at y) = E[(1{A} - P(A)) S_y]: unbiased like E[1{A} S_y] (E S_y = 0)
 * but with less variance, and they sum to 0 over the scenarios of a year.
 *
 * Determinism: the sums are 64-bit integers in fixed point (a score to
 * 2^-24, a squared score to 2^-16, rounded per trajectory and year), so the
 * threads' sums add exactly in any order. Every sum grows per tally by at
 * most the tally's largest fixed-point term; the run fails with
 * SCENMC_E_LIMIT rather than overflow when those maxima add up to 2^62. */
#include "engine/score.h"
#include "engine/kernel.h"
#include "engine/reference.h"
#include "engine/rng.h"
#include "base/util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define SCALE1 16777216.0   /* 2^24: fixed point of a score */
#define SCALE2 65536.0      /* 2^16: of a squared score */
#define BOUND_LIMIT 4.611686018427387904e18 /* 2^62 */
#define BLOCK 32            /* trajectories simulated before they are tallied year by year */
#define PILOT 1024          /* trajectories that choose the derived rows (choose_derived) */

/* What every thread reads: the kernel, the parameters and where each
 * parameter's score lives. */
typedef struct setup {
    scenmc__kernel k;
    int P, D, V, Y, S;
    int sv;                 /* the variant and scenario_variant tables too */
    double beta, wc, wx;
    double *C, *X;          /* [V*V] with the overrides; X NULL without cross impact */
    double *bias;           /* [V] the model's bias, unscaled (zeros when none) */
    int *idx_c, *idx_x;     /* [V*V] the parameter of a cell, -1 for none */
    int p_beta, p_wc, p_wx; /* -1 for none */
    int *idx_rate;          /* [D] */
    int *idx_bias;          /* [V] */
    double *inv_rate;       /* [D] 1 / lambda_j */
    int *derived;           /* [Y][S][D] the variant of d whose scenario_variant sums are not
                             * tallied but derived at the end (see choose_derived) */
} setup;

/* One thread's fixed-point sums of the score and its square, interleaved
 * (score.h). */
typedef scenmc__score_sums acc;

/* One thread's scratch: a block of trajectories is simulated first, its
 * states and scores kept per year, then tallied year by year, so that the
 * sums a tally touches (one year's) stay in the cache. */
typedef struct work {
    double *score;          /* [BLOCK][Y][P] the score at the end of each year */
    int *state;             /* [BLOCK][Y][D] */
    int64_t *q;             /* [2 P] the score and its square in fixed point */
    int *nrev, *hits;       /* [Y], [D] */
} work;

/* The dparams list's order, as maps from cells, rates and biases. */
static void index_params(setup *g, const scenmc_dparam *list)
{
    const size_t V = (size_t)g->V;
    g->idx_c = scenmc__xmalloc(V * V * sizeof(int));
    g->idx_x = scenmc__xmalloc(V * V * sizeof(int));
    memset(g->idx_c, 0xff, V * V * sizeof(int));
    memset(g->idx_x, 0xff, V * V * sizeof(int));
    g->idx_rate = scenmc__xcalloc((size_t)g->D, sizeof(int));
    g->idx_bias = scenmc__xcalloc(V, sizeof(int));
    g->p_beta = g->p_wc = g->p_wx = -1;
    for (int t = 0; t < g->P; t++) {
        const size_t u = (size_t)list[t].u, v = (size_t)list[t].v;
        switch (list[t].kind) {
        case SCENMC_DP_CONSISTENCY: g->idx_c[u * V + v] = g->idx_c[v * V + u] = t; break;
        case SCENMC_DP_CROSS: g->idx_x[u * V + v] = t; break;
        case SCENMC_DP_BETA: g->p_beta = t; break;
        case SCENMC_DP_W_CONSISTENCY: g->p_wc = t; break;
        case SCENMC_DP_W_CROSS: g->p_wx = t; break;
        case SCENMC_DP_RATE: g->idx_rate[u] = t; break;
        case SCENMC_DP_BIAS: g->idx_bias[u] = t; break;
        default: break;
        }
    }
}

static void setup_free(setup *g)
{
    scenmc__kernel_free(&g->k);
    free(g->C);
    free(g->X);
    free(g->bias);
    free(g->idx_c);
    free(g->idx_x);
    free(g->idx_rate);
    free(g->idx_bias);
    free(g->inv_rate);
    free(g->derived);
}

static scenmc_status setup_init(setup *g, const scenmc_model *m, const scenmc_params *p,
                                const scenmc_results *shape, const scenmc_dparam *list, int P,
                                scenmc_error *err)
{
    memset(g, 0, sizeof *g);
    scenmc_status st = scenmc__kernel_init(&g->k, m, p, shape, err);
    if (st != SCENMC_OK)
        return st;
    /* the start blocks are made with the groups */
    if ((st = scenmc__kernel_build_groups(&g->k, 0, err)) != SCENMC_OK) {
        scenmc__kernel_free(&g->k);
        return st;
    }
    g->P = P;
    g->D = m->n_descriptors;
    g->V = m->n_variants;
    g->Y = shape->n_years;
    g->S = shape->n_scenarios;
    g->beta = p->beta;
    g->wc = p->w_consistency;
    g->wx = p->w_cross;
    g->C = scenmc_params_matrix(p, m, 0);
    g->X = m->cross_impact ? scenmc_params_matrix(p, m, 1) : NULL;
    g->bias = scenmc__xcalloc((size_t)g->V, sizeof(double));
    for (int u = 0; m->bias && u < g->V; u++)
        g->bias[u] = m->bias[u];
    g->inv_rate = scenmc__xcalloc((size_t)g->D, sizeof(double));
    for (int d = 0; d < g->D; d++)
        g->inv_rate[d] = 1 / p->rate[d];
    index_params(g, list);
    return SCENMC_OK;
}

/* Adds to the score the log-derivative of descriptor i's heat-bath choice in
 * state s, r[c] = 1{c = b} - P(c | s): only the touched parameters. */
static void add_choice_score(const setup *g, const int *s, int i, const double *r, double *score)
{
    const scenmc__kernel_base *kb = &g->k.base;
    const size_t V = (size_t)g->V, o = (size_t)kb->offset[i];
    const int n = kb->n_var[i];
    const double bc = g->beta * g->wc, bx = g->beta * g->wx;
    double sum_c = 0, sum_x = 0, sum_h = 0; /* sum_c r_c * (the balance's C, X and h parts) */
    for (int j = 0; j < g->D; j++) {
        const size_t row = ((size_t)kb->offset[j] + (size_t)s[j]) * V + o;
        for (int c = 0; c < n && j != i; c++) {
            const int t = g->idx_c[row + (size_t)c];
            if (t >= 0)
                score[t] += bc * r[c];
            sum_c += r[c] * g->C[row + (size_t)c];
        }
        for (int c = 0; c < n && g->X; c++) { /* j = i too: the self-impact */
            const int t = g->idx_x[row + (size_t)c];
            if (t >= 0)
                score[t] += bx * r[c];
            sum_x += r[c] * g->X[row + (size_t)c];
        }
    }
    for (int c = 0; c < n; c++) {
        score[g->idx_bias[o + (size_t)c]] += g->beta * r[c];
        sum_h += r[c] * g->bias[o + (size_t)c];
    }
    score[g->p_beta] += g->wc * sum_c + g->wx * sum_x + sum_h;
    score[g->p_wc] += g->beta * sum_c;
    if (g->p_wx >= 0)
        score[g->p_wx] += g->beta * sum_x;
}

/* One revision, the reference engine's arithmetic (reference.c) so that the
 * choice is the same to the bit; returns the revised descriptor. */
static int revise(const setup *g, scenmc__rng *rng, int *s, double *score)
{
    const scenmc__kernel_base *kb = &g->k.base;
    double uv, z[SCENMC_MAX_VARIANTS], e[SCENMC_MAX_VARIANTS], r[SCENMC_MAX_VARIANTS];
    double mx = -INFINITY, total = 0;
    const int i = scenmc__reference_pick(&g->k, scenmc__rng_u32(rng), &uv), n = kb->n_var[i];
    const size_t V = (size_t)kb->V, o = (size_t)kb->offset[i];
    for (int b = 0; b < n; b++) {
        z[b] = kb->h[o + (size_t)b];
        for (int j = 0; j < kb->D; j++)
            z[b] += kb->W[((size_t)kb->offset[j] + (size_t)s[j]) * V + o + (size_t)b];
        mx = fmax(mx, z[b]);
    }
    double cum[SCENMC_MAX_VARIANTS];
    for (int b = 0; b < n; b++)
        cum[b] = total += e[b] = exp(z[b] - mx);
    int b = 0;
    while (b < n - 1 && cum[b] <= uv * total)
        b++;
    for (int c = 0; c < n; c++)
        r[c] = (c == b) - e[c] / total;
    add_choice_score(g, s, i, r, score);
    s[i] = b;
    return i;
}

/* The two loops that take most of the time, compiled also for AVX2 and
 * AVX-512 and chosen at load time (GCC's function multiversioning). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SCORE_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define SCORE_CLONES
#endif

SCORE_CLONES static void add_row(int64_t *restrict dst, const int64_t *restrict src, size_t n)
{
    for (size_t t = 0; t < n; t++)
        dst[t] += src[t];
}

/* q[2t], q[2t + 1]: score[t] and its square in fixed point, rounded half away
 * from zero; returns the largest magnitude among them. Two plain loops, so
 * that both vectorise. */
SCORE_CLONES static int64_t to_fixed(const double *restrict score, int64_t *restrict q, size_t P)
{
    for (size_t t = 0; t < P; t++) {
        const double x = score[t] * SCALE1, x2 = score[t] * score[t] * SCALE2;
        q[2 * t] = (int64_t)(x + copysign(0.5, x));
        q[2 * t + 1] = (int64_t)(x2 + 0.5);
    }
    int64_t big = 0;
    for (size_t t = 0; t < 2 * P; t++) {
        const int64_t a = q[t] < 0 ? -q[t] : q[t];
        big = a > big ? a : big;
    }
    return big;
}

/* The scenario slot of state s. */
static size_t scen_slot(const setup *g, const int *s)
{
    const scenmc__kernel_base *kb = &g->k.base;
    long si = 0;
    for (int d = 0; d < g->D; d++)
        si += (long)kb->scen_stride[d] * s[d];
    return (size_t)kb->scen_table[si];
}

/* State s at the end of year y into the sums, with the score so far. */
static void tally(const setup *g, const int *s, const double *score, int y, work *w, acc *a)
{
    const scenmc__kernel_base *kb = &g->k.base;
    const size_t S = (size_t)g->S, V = (size_t)g->V, P = (size_t)g->P;
    const size_t ys = (size_t)y * S + scen_slot(g, s);
    const int *skip = g->sv ? g->derived + ys * (size_t)g->D : NULL;
    a->ns[ys]++;
    for (int d = 0; d < g->D && g->sv; d++)
        if (s[d] != skip[d])
            a->nsv[ys * V + (size_t)(kb->offset[d] + s[d])]++;
    if (y == 0) /* the score is 0 */
        return;
    a->bound += (double)to_fixed(score, w->q, P) + 1;
    add_row(a->s12 + ys * 2 * P, w->q, 2 * P);
    for (int d = 0; d < g->D && g->sv; d++)
        if (s[d] != skip[d])
            add_row(a->sv12 + (ys * V + (size_t)(kb->offset[d] + s[d])) * 2 * P, w->q, 2 * P);
}

/* Trajectory traj into slot b of the block: its state and score per year. */
static void trajectory(const setup *g, uint64_t seed, uint64_t traj, work *w, int b)
{
    const scenmc__kernel *k = &g->k;
    const size_t P = (size_t)g->P, D = (size_t)g->D;
    double *score = w->score + (size_t)b * (size_t)g->Y * P;
    int *s = w->state + (size_t)b * (size_t)g->Y * D;
    scenmc__rng rng;
    scenmc__rng_init(&rng, seed, traj);
    memset(score, 0, sizeof(double) * P);
    scenmc__reference_start(k, &rng, s);
    for (int y = 1; y < g->Y; y++)
        w->nrev[y] = scenmc__guide_draw(k->pois_cdf, k->pois_guide, k->n_guide, scenmc__rng_uniform32(&rng));
    for (int y = 1; y < g->Y; y++) {
        score = memcpy(score + P, score, sizeof(double) * P);
        s = memcpy(s + D, s, sizeof(int) * D);
        memset(w->hits, 0, sizeof(int) * D);
        for (int q = 0; q < w->nrev[y]; q++)
            w->hits[revise(g, &rng, s, score)]++;
        for (size_t d = 0; d < D; d++)
            score[g->idx_rate[d]] += w->hits[d] * g->inv_rate[d] - 1;
    }
}

/* Trajectories [first, last) (at most BLOCK), then their tallies year by year. */
static void run_block(const setup *g, uint64_t seed, uint64_t first, uint64_t last, work *w, acc *a)
{
    const size_t P = (size_t)g->P, D = (size_t)g->D, Y = (size_t)g->Y;
    for (uint64_t j = first; j < last; j++)
        trajectory(g, seed, j, w, (int)(j - first));
    for (size_t y = 0; y < Y; y++)
        for (size_t b = 0; b < last - first; b++)
            tally(g, w->state + (b * Y + y) * D, w->score + (b * Y + y) * P, (int)y, w, a);
}

static size_t n_sv(const acc *a)
{
    return (size_t)a->Y * (size_t)a->S * (size_t)a->V;
}

void scenmc__score_sums_init(scenmc__score_sums *a, int Y, int S, int V, int P, int sv)
{
    *a = (acc){.Y = Y, .S = S, .V = V, .P = P, .sv = sv};
    const size_t ys = (size_t)Y * (size_t)S;
    a->s12 = scenmc__xcalloc(ys * (size_t)P * 2 + 1, sizeof(int64_t));
    a->sv12 = sv ? scenmc__xcalloc(n_sv(a) * (size_t)P * 2 + 1, sizeof(int64_t)) : NULL;
    a->ns = scenmc__xcalloc(ys + 1, sizeof(uint64_t));
    a->nsv = sv ? scenmc__xcalloc(n_sv(a) + 1, sizeof(uint64_t)) : NULL;
}

void scenmc__score_sums_free(scenmc__score_sums *a)
{
    free(a->s12);
    free(a->sv12);
    free(a->ns);
    free(a->nsv);
    memset(a, 0, sizeof *a);
}

/* dst += src, exactly (integers: the order does not matter). */
int scenmc__score_sums_add(scenmc__score_sums *dst, const scenmc__score_sums *src)
{
    if (dst->Y != src->Y || dst->S != src->S || dst->V != src->V || dst->P != src->P || dst->sv != src->sv)
        return 0;
    const size_t ys = (size_t)dst->Y * (size_t)dst->S, P = (size_t)dst->P;
    add_row(dst->s12, src->s12, ys * P * 2);
    if (dst->sv)
        add_row(dst->sv12, src->sv12, n_sv(dst) * P * 2);
    for (size_t j = 0; j < n_sv(dst) && dst->sv; j++)
        dst->nsv[j] += src->nsv[j];
    for (size_t j = 0; j < ys; j++)
        dst->ns[j] += src->ns[j];
    dst->bound += src->bound;
    return 1;
}

uint64_t scenmc__score_sums_count(const scenmc__score_sums *a)
{
    uint64_t n = 0;
    for (int s = 0; s < a->S; s++)
        n += a->ns[s];
    return n;
}

static void work_init(work *w, const setup *g)
{
    const size_t BY = (size_t)BLOCK * (size_t)g->Y;
    w->score = scenmc__xcalloc(BY * (size_t)g->P, sizeof(double));
    w->state = scenmc__xcalloc(BY * (size_t)g->D, sizeof(int));
    w->q = scenmc__xcalloc(2 * (size_t)g->P, sizeof(int64_t));
    w->nrev = scenmc__xcalloc((size_t)g->Y, sizeof(int));
    w->hits = scenmc__xcalloc((size_t)g->D, sizeof(int));
}

static void work_free(work *w)
{
    free(w->score);
    free(w->state);
    free(w->q);
    free(w->nrev);
    free(w->hits);
}

/* For each year, scenario slot and descriptor, the variant whose (y, s, v)
 * sums are derived rather than tallied (derive_rows): the one that most
 * trajectories of a pilot have there (ties: the first), so that the most
 * frequent row costs nothing (a variant a scenario pins is always chosen).
 * The pilot is the run's first PILOT trajectories, whatever share this
 * process computes, so every share and thread count chooses alike. The sums
 * over v of one descriptor's rows equal the scenario's row, so a derived row
 * is that minus the others, exactly (integers): the choice changes the time
 * a run takes, never its sums. */
static void choose_derived(setup *g, const scenmc_params *p)
{
    const scenmc__kernel_base *kb = &g->k.base;
    const size_t YS = (size_t)g->Y * (size_t)g->S, V = (size_t)g->V, D = (size_t)g->D, Y = (size_t)g->Y;
    uint64_t *n = scenmc__xcalloc(YS * V, sizeof(uint64_t));
    const uint64_t K = p->n_trajectories < PILOT ? p->n_trajectories : PILOT;
    work w;
    work_init(&w, g);
    for (uint64_t j = 0; j < K; j += BLOCK) {
        const size_t nb = K - j < BLOCK ? (size_t)(K - j) : BLOCK;
        for (size_t b = 0; b < nb; b++)
            trajectory(g, p->seed, j + b, &w, (int)b);
        for (size_t i = 0; i < nb * Y; i++) { /* slot b, year i % Y */
            const int *s = w.state + i * D;
            const size_t ys = (i % Y) * (size_t)g->S + scen_slot(g, s);
            for (size_t d = 0; d < D; d++)
                n[ys * V + (size_t)(kb->offset[d] + s[d])]++;
        }
    }
    work_free(&w);
    g->derived = scenmc__xmalloc(YS * D * sizeof(int));
    for (size_t ys = 0; ys < YS; ys++)
        for (size_t d = 0; d < D; d++) {
            const uint64_t *c = n + ys * V + (size_t)kb->offset[d];
            int best = 0;
            for (int v = 1; v < kb->n_var[d]; v++)
                best = c[v] > c[best] ? v : best;
            g->derived[ys * D + d] = best;
        }
    free(n);
}

/* The rows choose_derived left out: the scenario's row minus the descriptor's
 * other variants' rows, for the sums and the counts. */
static void derive_rows(const setup *g, acc *a)
{
    const scenmc__kernel_base *kb = &g->k.base;
    const size_t S = (size_t)g->S, V = (size_t)g->V, P2 = 2 * (size_t)g->P;
    for (size_t ys = 0; ys < (size_t)g->Y * S && g->sv; ys++)
        for (int d = 0; d < g->D; d++) {
            const size_t o = ys * V + (size_t)kb->offset[d], dv = o + (size_t)g->derived[ys * (size_t)g->D + (size_t)d];
            int64_t *row = a->sv12 + dv * P2;
            uint64_t n = a->ns[ys];
            memcpy(row, a->s12 + ys * P2, sizeof(int64_t) * P2);
            for (size_t v = o; v < o + (size_t)kb->n_var[d]; v++) {
                if (v == dv)
                    continue;
                n -= a->nsv[v];
                for (size_t t = 0; t < P2; t++)
                    row[t] -= a->sv12[v * P2 + t];
            }
            a->nsv[dv] = n;
        }
}

/* Simulates every trajectory on `threads` threads into acc[0] (the other
 * threads' sums added to it); returns 0 when progress stopped the run. */
static int run_all(const setup *g, const scenmc_params *p, const scenmc__score_options *o, int threads,
                   acc *accs)
{
    int (*progress)(void *, uint64_t, uint64_t, double) = o->progress;
    void *ctx = o->ctx;
    const uint64_t N = o->last ? o->last : p->n_trajectories, chunk = (uint64_t)BLOCK * 2048 * (uint64_t)threads;
    const double t0 = scenmc__now();
    volatile int stop = 0;
#pragma omp parallel num_threads(threads)
    {
        acc *a = &accs[omp_get_thread_num()];
        work w;
        work_init(&w, g);
        for (uint64_t c = o->first; c < N && !stop; c += chunk) {
            const uint64_t c_end = N - c > chunk ? c + chunk : N, blocks = (c_end - c + BLOCK - 1) / BLOCK;
#pragma omp for schedule(dynamic, 1)
            for (uint64_t q = 0; q < blocks; q++) {
                const uint64_t j = c + q * BLOCK;
                run_block(g, p->seed, j, c_end - j < BLOCK ? c_end : j + BLOCK, &w, a);
            }
#pragma omp single
            if (progress && progress(ctx, c_end - o->first, N - o->first, scenmc__now() - t0))
                stop = 1;
        }
        work_free(&w);
    }
    for (int t = 1; t < threads; t++)
        scenmc__score_sums_add(&accs[0], &accs[t]);
    return !stop;
}

/* The covariance estimator of dP(A) for an event A of probability p with
 * m1 = E[1{A} S], m2 = E[1{A} S^2], given mu = E[S] and e2 = E[S^2], and its
 * standard error from the influence function (1{A} - p)(S - mu) - dP. */
static void cov_estimate(double p, double m1, double m2, double mu, double e2, double N,
                         double *d, double *se)
{
    *d = m1 - p * mu;
    const double in = m2 - 2 * mu * m1 + mu * mu * p;  /* E[1{A} (S - mu)^2] */
    const double var = (1 - 2 * p) * in + p * p * (e2 - mu * mu) - *d * *d;
    *se = N > 1 ? sqrt(fmax(var, 0) / (N - 1)) : NAN;
}

/* The derivative of P(v | s) = c / d, with a = E[1{s,v} S], b = E[1{s} S],
 * c = P(s, v), d = P(s): (a - R b) / d, R = c / d (the quotient rule). Its
 * standard error from the influence function 1{s} (alpha_J S + beta_J),
 * J = 1{v}: alpha_1 = (1 - R) / d, beta_1 = (2 R b - a - b) / d^2,
 * alpha_0 = -R / d, beta_0 = (2 R b - a) / d^2 (mean 0). a2 and b2 are the
 * squared scores' E[1{s,v} S^2] and E[1{s} S^2]. */
static void quotient_estimate(double a, double a2, double b, double b2, double c, double d, double N,
                              double *g, double *se)
{
    if (!(d > 0)) {
        *g = *se = NAN;
        return;
    }
    const double R = c / d;
    *g = (a - R * b) / d;
    const double al1 = (1 - R) / d, be1 = (2 * R * b - a - b) / (d * d);
    const double al0 = -R / d, be0 = (2 * R * b - a) / (d * d);
    const double e = al1 * al1 * a2 + 2 * al1 * be1 * a + be1 * be1 * c
                   + al0 * al0 * (b2 - a2) + 2 * al0 * be0 * (b - a) + be0 * be0 * (d - c);
    *se = N > 1 ? sqrt(fmax(e, 0) / (N - 1)) : NAN;
}

/* The three tables of out from the sums of N trajectories. */
static void estimate(const acc *a, double N, scenmc_derivatives *out)
{
    const size_t Y = (size_t)a->Y, S = (size_t)a->S, V = (size_t)a->V, P = (size_t)a->P;
    const double f1 = 1 / (SCALE1 * N), f2 = 1 / (SCALE2 * N);
    for (size_t t = 0; t < P; t++)
        for (size_t y = 0; y < Y; y++) {
            double mu = 0, e2 = 0;
            for (size_t s = 0; s < S; s++) {
                mu += (double)a->s12[((y * S + s) * P + t) * 2] * f1;
                e2 += (double)a->s12[((y * S + s) * P + t) * 2 + 1] * f2;
            }
            for (size_t s = 0; s < S; s++) {
                const size_t ys = y * S + s, o = (t * Y + y) * S + s;
                const double b = (double)a->s12[(ys * P + t) * 2] * f1, b2 = (double)a->s12[(ys * P + t) * 2 + 1] * f2;
                const double d = (double)a->ns[ys] / N;
                cov_estimate(d, b, b2, mu, e2, N, &out->scenario[o], &out->scenario_se[o]);
                for (size_t v = 0; v < V && a->sv; v++) {
                    const size_t j = ys * V + v;
                    quotient_estimate((double)a->sv12[(j * P + t) * 2] * f1, (double)a->sv12[(j * P + t) * 2 + 1] * f2, b, b2,
                                      (double)a->nsv[j] / N, d, N, &out->scenario_variant[o * V + v],
                                      &out->scenario_variant_se[o * V + v]);
                }
            }
            for (size_t v = 0; v < V && a->sv; v++) {
                double m1 = 0, m2 = 0, pv = 0;
                for (size_t s = 0; s < S; s++) {
                    const size_t j = (y * S + s) * V + v;
                    m1 += (double)a->sv12[(j * P + t) * 2] * f1;
                    m2 += (double)a->sv12[(j * P + t) * 2 + 1] * f2;
                    pv += (double)a->nsv[j] / N;
                }
                const size_t o = (t * Y + y) * V + v;
                cov_estimate(pv, m1, m2, mu, e2, N, &out->variant[o], &out->variant_se[o]);
            }
        }
}

static void alloc_out(scenmc_derivatives *out, const acc *g)
{
    const size_t n = (size_t)g->P * (size_t)g->Y;
    out->Y = g->Y;
    out->S = g->S;
    out->V = g->V;
    out->scenario = scenmc__xcalloc(n * (size_t)g->S, sizeof(double));
    out->scenario_se = scenmc__xcalloc(n * (size_t)g->S, sizeof(double));
    if (!g->sv)
        return;
    out->variant = scenmc__xcalloc(n * (size_t)g->V, sizeof(double));
    out->variant_se = scenmc__xcalloc(n * (size_t)g->V, sizeof(double));
    out->scenario_variant = scenmc__xcalloc(n * (size_t)g->S * (size_t)g->V, sizeof(double));
    out->scenario_variant_se = scenmc__xcalloc(n * (size_t)g->S * (size_t)g->V, sizeof(double));
}

/* Every share's sums into a (the same array order on every share). */
static int reduce_shares(const setup *g, const scenmc__score_options *o, acc *a)
{
    const size_t ys = (size_t)g->Y * (size_t)g->S, P2 = 2 * (size_t)g->P;
    int bad = o->reduce(o->reduce_ctx, a->s12, ys * P2, 0);
    bad |= o->reduce(o->reduce_ctx, a->ns, ys, 1);
    if (g->sv) {
        bad |= o->reduce(o->reduce_ctx, a->sv12, n_sv(a) * P2, 0);
        bad |= o->reduce(o->reduce_ctx, a->nsv, n_sv(a), 1);
    }
    bad |= o->reduce(o->reduce_ctx, &a->bound, 1, 2);
    return bad;
}

/* Simulates, then estimates into out (o->counts: the scenario counts). */
static scenmc_status run_and_estimate(setup *g, const scenmc_params *p, const scenmc__score_options *o,
                                      int threads, scenmc_derivatives *out, scenmc_error *err)
{
    acc *accs = scenmc__xcalloc((size_t)threads, sizeof(acc));
    for (int t = 0; t < threads; t++)
        scenmc__score_sums_init(&accs[t], g->Y, g->S, g->V, g->P, g->sv);
    scenmc_status st = SCENMC_OK;
    const int done = run_all(g, p, o, threads, accs);
    if (o->reduce && reduce_shares(g, o, &accs[0]))
        st = scenmc_error_add(err, SCENMC_E_IO, "the score sums could not be added across the MPI ranks");
    else if (!done)
        st = scenmc_error_add(err, SCENMC_E_INTERRUPTED, "the score run was stopped");
    if (st == SCENMC_OK) {
        derive_rows(g, &accs[0]);
        st = scenmc__score_estimate(&accs[0], out, err);
    }
    if (st == SCENMC_OK && o->counts)
        memcpy(o->counts, accs[0].ns, sizeof(uint64_t) * (size_t)g->Y * (size_t)g->S);
    if (st == SCENMC_OK && o->sums) {
        *o->sums = accs[0];
        memset(&accs[0], 0, sizeof accs[0]);
    }
    for (int t = 0; t < threads; t++)
        scenmc__score_sums_free(&accs[t]);
    free(accs);
    return st;
}

scenmc_status scenmc__score_estimate(const scenmc__score_sums *a, scenmc_derivatives *out, scenmc_error *err)
{
    if (a->bound >= BOUND_LIMIT)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "the score sums could overflow their 64 bits: "
                                "use fewer trajectories");
    const uint64_t N = scenmc__score_sums_count(a);
    if (N == 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "the score sums hold no trajectory");
    alloc_out(out, a);
    estimate(a, (double)N, out);
    out->n_trajectories = N;
    return SCENMC_OK;
}

scenmc_status scenmc__score_run(const scenmc_model *m, const scenmc_params *p, const scenmc__score_options *o,
                                scenmc_derivatives *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    scenmc_status st = scenmc_params_check(p, err);
    if (st != SCENMC_OK)
        return st;
    const double t0 = scenmc__now();
    scenmc_results shape;
    if ((st = scenmc_results_init(&shape, m, p, SCENMC_MONTE_CARLO, err)) != SCENMC_OK)
        return st;
    scenmc_dparam *list = NULL;
    int P = 0;
    setup g;
    if ((st = scenmc_dparams_list(m, p, &list, &P, err)) == SCENMC_OK &&
        (st = setup_init(&g, m, p, &shape, list, P, err)) == SCENMC_OK) {
        g.sv = !o->scenario_only;
        if (g.sv)
            choose_derived(&g, p);
        st = run_and_estimate(&g, p, o, o->threads > 0 ? o->threads : omp_get_max_threads(), out, err);
        setup_free(&g);
    }
    scenmc_results_free(&shape);
    out->param = list;
    out->n_param = P;
    if (st != SCENMC_OK) {
        scenmc_derivatives_free(out);
        return st;
    }
    strcpy(out->method, "score");
    out->wall_seconds = scenmc__now() - t0;
    return SCENMC_OK;
}

scenmc_status scenmc__score_derivatives(const scenmc_model *m, const scenmc_params *p, int threads,
                                        int (*progress)(void *, uint64_t, uint64_t, double), void *ctx,
                                        scenmc_derivatives *out, scenmc_error *err)
{
    const scenmc__score_options o = {.threads = threads, .progress = progress, .ctx = ctx};
    return scenmc__score_run(m, p, &o, out, err);
}
