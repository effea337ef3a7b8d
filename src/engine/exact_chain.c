/* The uniformization chain (docs/model.md, section 10): one revision M is
 * stored as T[x][o_i+b] = (lambda_i/Lambda) P_i(b | x), a state's row one
 * block per descriptor; forward steps (distributions) pull from the states
 * that differ in one descriptor, backward steps (functions) gather the same
 * way. Shared by the exact solver and its adjoint. */
#include "engine/exact_chain.h"
#include "base/util.h"
#include "scenmc/schedule.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Decodes x into s (last descriptor fastest). */
void scenmc__chain_decode(const scenmc__chain *c, uint64_t x, int *s)
{
    for (int d = c->D - 1; d >= 0; d--) {
        uint64_t nv = (uint64_t)c->k->n_var[d];
        s[d] = (int)(x % nv);
        x /= nv;
    }
}

void scenmc__chain_odometer(const scenmc__chain *c, int *s)
{
    for (int d = c->D - 1; d >= 0; d--) {
        if (++s[d] < c->k->n_var[d])
            return;
        s[d] = 0;
    }
}

/* T under the biases h (beta-scaled, [V]); held[i] >= 0 makes descriptor
 * i's block the identity; hz[V] (NULL: none) adds the shocks' transitions;
 * lam is the uniformization rate (the rates' sum plus the hazards). */
static void build(scenmc__chain *c, const scenmc_params *p, const double *h, const int *held, const double *hz,
                  double lam)
{
    const scenmc__kernel_base *k = c->k;
    const int D = c->D, V = c->V;
#pragma omp parallel num_threads(c->threads)
    {
        int *s = scenmc__xcalloc((size_t)D, sizeof(int));
        double *F = scenmc__xcalloc((size_t)V, sizeof(double));
        double *prob = scenmc__xcalloc((size_t)V, sizeof(double));
        int have = 0;
#pragma omp for schedule(static)
        for (uint64_t x = 0; x < c->n; x++) {
            if (!have) {
                scenmc__chain_decode(c, x, s);
                have = 1;
            }
            memcpy(F, h, sizeof(double) * (size_t)V);
            for (int j = 0; j < D; j++) {
                const double *row = k->W + (size_t)(k->offset[j] + s[j]) * V;
                for (int v = 0; v < V; v++)
                    F[v] += row[v];
            }
            double *t = c->T + x * (uint64_t)V;
            for (int i = 0; i < D; i++) {
                if (held && held[i] >= 0)
                    for (int b = 0; b < k->n_var[i]; b++)
                        prob[b] = b == s[i];
                else
                    scenmc__kernel_heat_bath(k, F, i, prob);
                double w = p->rate[i] / lam;
                for (int b = 0; b < k->n_var[i]; b++)
                    t[k->offset[i] + b] = w * prob[b];
            }
            for (int u = 0; hz && u < V; u++)
                t[u] += hz[u] / lam;
            scenmc__chain_odometer(c, s);
        }
        free(s);
        free(F);
        free(prob);
    }
}

void scenmc__chain_build_transitions(scenmc__chain *c, const scenmc_params *p)
{
    build(c, p, c->k->h, NULL, NULL, c->k->lambda);
}

void scenmc__chain_schedule(scenmc__chain *c, const scenmc_model *m, const scenmc_params *p)
{
    c->m = m;
    c->sched = p->schedule && p->schedule->n > 0 ? p->schedule : NULL;
    c->year_start = p->year_start;
    c->loaded = SCENMC__CHAIN_OWN;
    c->pois_lambda = c->k->lambda;
    c->tail_max = c->tail;
}

/* The year's operator: biases h + beta T(year), holds, and shocks on the
 * descriptors not held (the hold wins); T and pois rebuilt. */
static void load_year(scenmc__chain *c, const scenmc_params *p, int year)
{
    const scenmc__kernel_base *k = c->k;
    const int D = c->D, V = c->V;
    double *h = scenmc__xcalloc((size_t)V, sizeof(double)), *hz = scenmc__xcalloc((size_t)V, sizeof(double));
    int *held = scenmc__xcalloc((size_t)D, sizeof(int));
    double lam = k->lambda;
    for (int d = 0; d < D; d++) {
        held[d] = scenmc_schedule_held(c->sched, year, d);
        for (int b = 0; b < k->n_var[d]; b++) {
            int u = k->offset[d] + b;
            h[u] = k->h[u] + p->beta * scenmc_schedule_bias(c->sched, c->m, year, u);
            hz[u] = held[d] >= 0 ? 0 : scenmc_schedule_hazard(c->sched, year, d, b);
            lam += hz[u];
        }
    }
    build(c, p, h, held, hz, lam);
    free(h);
    free(hz);
    free(held);
    if (lam != c->pois_lambda) {
        free(c->pois);
        scenmc__chain_poisson(c, lam);
        c->pois_lambda = lam;
        c->tail_max = fmax(c->tail_max, c->tail);
    }
}

void scenmc__chain_use_year(scenmc__chain *c, const scenmc_params *p, int y)
{
    if (!c->sched)
        return;
    int year = c->year_start + y;
    int key = scenmc_schedule_active(c->sched, c->m, year) ? year : SCENMC__CHAIN_OWN;
    if (key == c->loaded)
        return;
    if (key == SCENMC__CHAIN_OWN) {
        scenmc__chain_build_transitions(c, p);
        if (c->pois_lambda != c->k->lambda) {
            free(c->pois);
            scenmc__chain_poisson(c, c->k->lambda);
            c->pois_lambda = c->k->lambda;
        }
    } else {
        load_year(c, p, year);
    }
    c->loaded = key;
}

/* The variant descriptor d is set to at year index y, or -1: at the start
 * every hold in force then, later the holds that begin that year (the one
 * in force, the last given, wins). */
static int hold_start(const scenmc__chain *c, int y, int d)
{
    int year = c->year_start + y;
    if (y == 0)
        return scenmc_schedule_held(c->sched, year, d);
    for (int i = 0; i < c->sched->n; i++) {
        const scenmc_change *ch = &c->sched->ch[i];
        if (ch->kind == SCENMC_CHANGE_HOLD && ch->descriptor == d && ch->first == year)
            return scenmc_schedule_held(c->sched, year, d);
    }
    return -1;
}

void scenmc__chain_hold_starts(const scenmc__chain *c, double *v, int nvec, int y, int backward)
{
    if (!c->sched)
        return;
    const size_t nv_ = (size_t)nvec;
    for (int d = 0; d < c->D; d++) {
        int b = hold_start(c, y, d);
        if (b < 0)
            continue;
        uint64_t st = c->stride[d], nd = (uint64_t)c->k->n_var[d];
        for (uint64_t x = 0; x < c->n; x++) {
            int a = (int)((x / st) % nd);
            if (a == b)
                continue;
            double *src = v + x * nv_, *dst = v + (x + (uint64_t)(b - a) * st) * nv_;
            for (size_t j = 0; j < nv_; j++) {
                if (backward) {
                    src[j] = dst[j];
                } else {
                    dst[j] += src[j];
                    src[j] = 0;
                }
            }
        }
    }
}

/* One state's row of M for nact vectors stored stride apart (v[x * stride + j]):
 * acc[j] = sum over the states x one revision from y of T * in[x]. */
static inline void row_M(const scenmc__chain *c, const double *in, const int *s, uint64_t y, double *acc,
                         size_t nact, size_t stride, int backward)
{
    const scenmc__kernel_base *k = c->k;
    const int D = c->D, V = c->V;
    for (size_t j = 0; j < nact; j++)
        acc[j] = 0;
    for (int i = 0; i < D; i++) {
        int off = k->offset[i], nv = k->n_var[i], cur = s[i];
        uint64_t st = c->stride[i], base = y - (uint64_t)cur * st;
        if (backward) {
            const double *t = c->T + y * (uint64_t)V + off;
            for (int b = 0; b < nv; b++) {
                const double *src = in + (base + (uint64_t)b * st) * stride;
                for (size_t j = 0; j < nact; j++)
                    acc[j] += t[b] * src[j];
            }
        } else {
            for (int a = 0; a < nv; a++) {
                uint64_t x = base + (uint64_t)a * st;
                double t = c->T[x * (uint64_t)V + off + cur];
                const double *src = in + x * stride;
                for (size_t j = 0; j < nact; j++)
                    acc[j] += src[j] * t;
            }
        }
    }
}

/* The same for one vector: the sum stays in a register (the same operations
 * in the same order as row_M, so the same result). */
static inline double row_M1(const scenmc__chain *c, const double *in, const int *s, uint64_t y, size_t stride,
                            int backward)
{
    const scenmc__kernel_base *k = c->k;
    const int D = c->D, V = c->V;
    double acc = 0;
    for (int i = 0; i < D; i++) {
        int off = k->offset[i], nv = k->n_var[i], cur = s[i];
        uint64_t st = c->stride[i], base = y - (uint64_t)cur * st;
        if (backward) {
            const double *t = c->T + y * (uint64_t)V + off;
            for (int b = 0; b < nv; b++)
                acc += t[b] * in[(base + (uint64_t)b * st) * stride];
        } else {
            for (int a = 0; a < nv; a++) {
                uint64_t x = base + (uint64_t)a * st;
                acc += in[x * stride] * c->T[x * (uint64_t)V + off + cur];
            }
        }
    }
    return acc;
}

/* out = in M (forward) or M in (backward) for the first nact of the vectors
 * stored stride apart; the others are left alone. */
static void apply_M_strided(const scenmc__chain *c, const double *in, double *out, size_t nact, size_t stride,
                            int backward)
{
#pragma omp parallel num_threads(c->threads)
    {
        int *s = scenmc__xcalloc((size_t)c->D, sizeof(int));
        double *acc = scenmc__xcalloc(nact, sizeof(double));
        int have = 0;
#pragma omp for schedule(static)
        for (uint64_t y = 0; y < c->n; y++) {
            if (!have) {
                scenmc__chain_decode(c, y, s);
                have = 1;
            }
            if (nact == 1) {
                out[y * stride] = row_M1(c, in, s, y, stride, backward);
            } else {
                row_M(c, in, s, y, acc, nact, stride, backward);
                memcpy(out + y * stride, acc, sizeof(double) * nact);
            }
            scenmc__chain_odometer(c, s);
        }
        free(s);
        free(acc);
    }
}

/* out = in M (forward: distributions) or out = M in (backward: functions),
 * for nvec vectors at once, stored interleaved (v[x * nvec + j]) so that the
 * transition weights are read once for all of them. */
void scenmc__chain_apply_M(const scenmc__chain *c, const double *in, double *out, int nvec, int backward)
{
    apply_M_strided(c, in, out, (size_t)nvec, (size_t)nvec, backward);
}

/* v <- Year v for nvec interleaved vectors, by the truncated Poisson series. */
void scenmc__chain_apply_year(scenmc__chain *c, double *v, int nvec, int backward)
{
    size_t len = c->n * (size_t)nvec;
    double *cur = c->work[0], *next = c->work[1];
    memcpy(cur, v, sizeof(double) * len);
    for (size_t x = 0; x < len; x++)
        v[x] = c->pois[0] * cur[x];
    for (int t = 1; t < c->n_terms; t++) {
        scenmc__chain_apply_M(c, cur, next, nvec, backward);
        double w = c->pois[t];
        for (size_t x = 0; x < len; x++)
            v[x] += w * next[x];
        double *tmp = cur;
        cur = next;
        next = tmp;
    }
}

void scenmc__chain_apply_year_each(scenmc__chain *c, double *v, int nvec, double *const *pois, const int *n_terms)
{
    const size_t nv_ = (size_t)nvec;
    double *cur = c->work[0], *next = c->work[1];
    memcpy(cur, v, sizeof(double) * c->n * nv_);
    for (uint64_t x = 0; x < c->n; x++)
        for (size_t j = 0; j < nv_; j++)
            v[x * nv_ + j] = pois[j][0] * cur[x * nv_ + j];
    size_t act = nv_;
    for (int t = 1; t < n_terms[0]; t++) {
        while (act > 1 && n_terms[act - 1] <= t) /* the vectors whose series has ended */
            act--;
        apply_M_strided(c, cur, next, act, nv_, 0);
        for (uint64_t x = 0; x < c->n; x++)
            for (size_t j = 0; j < act; j++)
                v[x * nv_ + j] += pois[j][t] * next[x * nv_ + j];
        double *tmp = cur;
        cur = next;
        next = tmp;
    }
}

double scenmc__physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 16e9;
}

/* Bytes the solver needs for n states (docs/model.md, section 10); conditioned
 * on observations in lik_years years (its conditioning paragraph; 0: none), the
 * backward block is 3S wide with the transition vectors inside it, and each
 * observed year keeps its likelihood vector; with changes over time the
 * transitions differ by year, so the block is 3S wide too (T is rebuilt in
 * place per year: no extra memory). */
static double memory_needed(uint64_t n, int V, int Y, int S, int lik_years, int scheduled)
{
    int conditioned = lik_years > 0;
    int block = conditioned || scheduled ? 3 * S : 2 * S;
    double per_state = 8.0 * V               /* T */
                       + 8.0 * Y             /* p_t (conditioned: alpha_t) for every year */
                       + 8.0 * 2 * block     /* series scratch, as wide as the backward block */
                       + 8.0 * block         /* backward vectors: early warning, lock-in (and g) */
                       + (conditioned ? 8.0 * lik_years /* the observed years' likelihoods */
                          : scheduled ? 0.0              /* (the indicators are in the block) */
                                      : 8.0 * S)         /* one-year transition indicators */
                       + 4.0;                /* scenario of each state */
    return per_state * (double)n;
}

/* Poisson terms until the dropped tail is below 1e-13 (the year's L1 error bound). */
void scenmc__chain_poisson(scenmc__chain *c, double lambda)
{
    c->n_terms = 1;
    while (gsl_cdf_poisson_Q((unsigned)(c->n_terms - 1), lambda) > 1e-13)
        c->n_terms++;
    c->pois = scenmc__xcalloc((size_t)c->n_terms, sizeof(double));
    for (int t = 0; t < c->n_terms; t++)
        c->pois[t] = gsl_ran_poisson_pdf((unsigned)t, lambda);
    c->tail = gsl_cdf_poisson_Q((unsigned)(c->n_terms - 1), lambda);
}

double scenmc__chain_start(const scenmc__chain *c, const scenmc_params *p, const int *s)
{
    double q = 1;
    for (int d = 0; d < c->D; d++)
        q *= p->start ? (p->start[d] == s[d]) : p->initial[c->k->offset[d] + s[d]];
    return q;
}

/* Each state's scenario, the initial distribution, and the distribution at
 * every later year. */
void scenmc__chain_forward(scenmc__chain *c, const scenmc_params *p, int Y, int *scen, double **pt)
{
    const scenmc__kernel_base *k = c->k;
    const int D = c->D;
    int *s = scenmc__xcalloc((size_t)D, sizeof(int));
    for (uint64_t x = 0; x < c->n; x++) {
        scenmc__chain_decode(c, x, s);
        long si = 0;
        for (int d = 0; d < D; d++)
            si += (long)k->scen_stride[d] * s[d];
        scen[x] = k->scen_table[si];
        pt[0][x] = scenmc__chain_start(c, p, s);
    }
    free(s);
    scenmc__chain_hold_starts(c, pt[0], 1, 0, 0);
    for (int y = 1; y < Y; y++) {
        memcpy(pt[y], pt[y - 1], sizeof(double) * c->n);
        scenmc__chain_use_year(c, p, y - 1);
        scenmc__chain_apply_year(c, pt[y], 1, 0);
        scenmc__chain_hold_starts(c, pt[y], 1, y, 0);
    }
}

/* The state count, or 0 with an error when the solver would not fit in memory. */
uint64_t scenmc__exact_states_given(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                    double *need, scenmc_error *err)
{
    int lik_years = 0; /* distinct years with observations */
    for (int i = 0; o && i < o->n; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = o->obs[j].year == o->obs[i].year;
        lik_years += !seen;
    }
    uint64_t n = scenmc_model_state_count(m);
    int Y = p->year_end - p->year_start + 1, V = m->n_variants;
    int S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    double have = scenmc__physical_memory();
    int scheduled = p->schedule && p->schedule->n > 0;
    *need = n ? memory_needed(n, V, Y, S, lik_years, scheduled) : INFINITY;
    if (!n || *need > 0.8 * have) {
        scenmc_error_add(err, SCENMC_E_LIMIT, "the exact solver would need %.3g GiB for %s%llu "
                         "states; this machine has %.3g GiB (use 'scenmc run' instead)",
                         *need / 1073741824.0, n ? "" : "more than ",
                         (unsigned long long)(n ? n : UINT64_MAX), have / 1073741824.0);
        return 0;
    }
    return n;
}

uint64_t scenmc__exact_states(const scenmc_model *m, const scenmc_params *p, double *need, scenmc_error *err)
{
    return scenmc__exact_states_given(m, p, NULL, need, err);
}
