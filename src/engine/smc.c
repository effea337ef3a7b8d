/* The particle filter (sequential Monte Carlo; docs/signposts.md, section 3).
 *
 * N particles are simulated year by year with the reference engine's pieces
 * (engine/reference.c). In each observation year every particle gets the
 * integer weight of its state's likelihood (scenmc__given_weight, that
 * year's observations only), and before the final year the particles are
 * resampled by systematic resampling on those integer weights. Each particle
 * keeps its whole path (years x descriptors), so the tables of every year
 * are tallied from the final particles' paths: after a resampling the
 * ancestors' years come along (smoothing by genealogy).
 *
 * Randomness: particle i's year y uses only the stream (seed, y 2^44 + i),
 * its start in year 0 the stream (seed, i) as plain trajectory i does, and
 * the resampling of year y one uniform from (seed, y 2^44 + 2^44 - 1). All
 * sums are integer and the resampling is serial, so the result is a pure
 * function of (model, params, observations, seed, N), never of threads. */
#include "engine/smc.h"
#include "engine/kernel.h"
#include "engine/reference.h"
#include "engine/rng.h"
#include "model/params.h"
#include "model/results.h"
#include "model/schedule.h"
#include "base/util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define SMC_INDEX_BITS 44
#define SMC_MAX_PARTICLES (((uint64_t)1 << SMC_INDEX_BITS) - 1)

__extension__ typedef unsigned __int128 smc_u128;

typedef struct smc {
    const scenmc__kernel *k;
    uint64_t N;
    int Y, D;
    size_t stride;       /* bytes per path: Y * D */
    uint8_t *path, *spare; /* [N][Y][D] variants; spare: the resampling's target */
    uint64_t *w;         /* [N] the weights of the last observation year */
    int threads;
} smc;

static uint64_t stream_of(int y, uint64_t i)
{
    return ((uint64_t)y << SMC_INDEX_BITS) | i;
}

/* Year y of every particle: its start (y = 0), or one year of the dynamics
 * from its state the year before. */
static void smc_step(smc *f, uint64_t seed, int y)
{
    const int D = f->D;
#pragma omp parallel for num_threads(f->threads) schedule(static)
    for (int64_t i = 0; i < (int64_t)f->N; i++) {
        int s[SCENMC_MAX_DESCRIPTORS];
        uint8_t *p = f->path + (size_t)i * f->stride;
        scenmc__rng rng;
        scenmc__rng_init(&rng, seed, stream_of(y, (uint64_t)i));
        if (y == 0) {
            scenmc__reference_start(f->k, &rng, s);
        } else {
            for (int d = 0; d < D; d++)
                s[d] = p[(size_t)(y - 1) * D + d];
            scenmc__reference_step_year(f->k, &rng, s);
        }
        for (int d = 0; d < D; d++)
            p[(size_t)y * D + d] = (uint8_t)s[d];
    }
}

/* The particles' weights in year y under g (that year's observations);
 * returns their sum, their squares' sum into sq. */
static uint64_t smc_weigh(smc *f, const scenmc__given *g, int y, uint64_t sq[2])
{
    const int D = f->D;
#pragma omp parallel for num_threads(f->threads) schedule(static)
    for (int64_t i = 0; i < (int64_t)f->N; i++) {
        int s[SCENMC_MAX_DESCRIPTORS];
        const uint8_t *p = f->path + (size_t)i * f->stride + (size_t)y * D;
        for (int d = 0; d < D; d++)
            s[d] = p[d];
        f->w[i] = scenmc__given_weight(g, scenmc_observations_likelihood(g->o, g->year_start + y, s));
    }
    uint64_t sum = 0;
    sq[0] = sq[1] = 0;
    for (uint64_t i = 0; i < f->N; i++) {
        sum += f->w[i];
        scenmc__u128_add(sq, f->w[i] * f->w[i], 0);
    }
    return sum;
}

/* Systematic resampling on the integer weights (total W > 0): with u
 * uniform on [0, W), new particle j is the old particle whose share
 * [N C_i, N C_{i+1}) of [0, N W) holds u + j W (C_i: the weights before i),
 * in exact 128-bit integers. */
static void smc_resample(smc *f, uint64_t seed, int y, uint64_t W)
{
    scenmc__rng rng;
    scenmc__rng_init(&rng, seed, stream_of(y, SMC_MAX_PARTICLES));
    uint64_t r64 = (uint64_t)scenmc__rng_u32(&rng) << 32;
    r64 |= scenmc__rng_u32(&rng);
    const smc_u128 u = ((smc_u128)r64 * W) >> 64, N = f->N;
    smc_u128 below = 0; /* N C_i */
    uint64_t i = 0;
    for (uint64_t j = 0; j < f->N; j++) {
        const smc_u128 t = u + (smc_u128)j * W;
        while (below + (smc_u128)f->w[i] * N <= t)
            below += (smc_u128)f->w[i++] * N;
        memcpy(f->spare + (size_t)j * f->stride, f->path + (size_t)i * f->stride, f->stride);
    }
    uint8_t *t = f->path;
    f->path = f->spare;
    f->spare = t;
}

/* Year y's observations alone, as a weighting (0 when there are none). */
static int year_given(const scenmc_observations *o, int year, int year_start, scenmc_observations *sub,
                      scenmc__given *g)
{
    scenmc_observations_init(sub);
    for (int i = 0; i < o->n; i++)
        if (o->obs[i].year == year)
            scenmc_observations_add(sub, year, o->obs[i].descriptor, o->obs[i].likelihood,
                                    o->obs[i].n_variants, o->obs[i].where);
    return scenmc__given_init(g, sub, year_start);
}

/* What the filter reports beyond the tables: the evidence's log and its
 * relative variance (summed over the years), the smallest ESS, and the
 * weighting of the final year when it is observed (then not resampled). */
typedef struct smc_summary {
    double log_evidence, rel_var, min_ess;
    int final_weighted;
    uint64_t final_one;
} smc_summary;

/* One observation year: weights, the evidence's factor, resampling. */
static scenmc_status smc_observe(smc *f, const scenmc_observations *o, const scenmc_params *p, int y,
                                 smc_summary *sm, scenmc_error *err)
{
    scenmc_observations sub;
    scenmc__given g;
    scenmc_status st = SCENMC_OK;
    if (!year_given(o, p->year_start + y, p->year_start, &sub, &g)) {
        scenmc_observations_free(&sub);
        return SCENMC_OK;
    }
    uint64_t sq[2];
    const uint64_t W = smc_weigh(f, &g, y, sq);
    const double N = (double)f->N, mean = (double)W / N, sqd = ldexp((double)sq[1], 64) + (double)sq[0];
    if (W == 0) {
        st = scenmc_error_add(err, SCENMC_E_INPUT, "no particle agrees with the observations of %d "
                              "(the evidence estimate is 0); more particles", p->year_start + y);
    } else {
        sm->log_evidence += log(mean / g.scale);
        sm->rel_var += fmax(sqd / N / (mean * mean) - 1, 0) / N;
        sm->min_ess = fmin(sm->min_ess, (double)W * (double)W / sqd);
        if (y < f->Y - 1) {
            smc_resample(f, p->seed, y, W);
        } else {
            sm->final_weighted = 1;
            sm->final_one = g.one;
        }
    }
    scenmc__given_free(&g);
    scenmc_observations_free(&sub);
    return st;
}

/* The final particles' paths into r, weighted by the final year's weights
 * when it was observed (else 1 each). */
static void smc_tally(const smc *f, const smc_summary *sm, scenmc_results *r)
{
    int *states = scenmc__xmalloc(sizeof(int) * f->stride), *scen = scenmc__xmalloc(sizeof(int) * (size_t)f->Y);
    for (uint64_t i = 0; i < f->N; i++) {
        const uint8_t *p = f->path + (size_t)i * f->stride;
        for (size_t j = 0; j < f->stride; j++)
            states[j] = p[j];
        const uint64_t w = sm->final_weighted ? f->w[i] : 1;
        r->weight_sum += w;
        scenmc__u128_add(r->weight_sq_sum, w * w, 0);
        if (w)
            scenmc__reference_tally(f->k, states, scen, w, r);
    }
    free(states);
    free(scen);
}

static scenmc_status smc_check(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                               scenmc_error *err)
{
    scenmc_status st = scenmc__params_check_scheduled(p, err);
    if (st == SCENMC_OK) /* not yet: weigh with scenmc_run instead (it takes schedules and observations) */
        st = scenmc__schedule_unsupported(p, "the particle filter (--smc; run without --smc to weigh instead)", err);
    if (st != SCENMC_OK)
        return st;
    if (!o || o->n == 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "the particle filter needs observations");
    if ((st = scenmc__given_check(m, p, o, err)) != SCENMC_OK)
        return st;
    uint64_t states = scenmc_model_state_count(m);
    if (states == 0 || states > SCENMC_FULL_STATE_LIMIT)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "the particle filter tallies the full final-state "
                                "table: models of at most 2^24 states");
    if (p->n_trajectories > SMC_MAX_PARTICLES)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "at most 2^44 - 1 particles");
    return SCENMC_OK;
}

/* Every year: step, then weigh and resample where observed; then the tally. */
static scenmc_status smc_filter(smc *f, const scenmc_params *p, const scenmc_observations *o,
                                smc_summary *sm, scenmc_results *r, scenmc_error *err)
{
    scenmc_status st = SCENMC_OK;
    for (int y = 0; y < f->Y && st == SCENMC_OK; y++) {
        smc_step(f, p->seed, y);
        st = smc_observe(f, o, p, y, sm, err);
    }
    if (st == SCENMC_OK)
        smc_tally(f, sm, r);
    return st;
}

scenmc_status scenmc_run_smc(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                             int threads, scenmc_results *r, scenmc_error *err)
{
    scenmc_status st = smc_check(m, p, o, err);
    if (st != SCENMC_OK || (st = scenmc_results_init(r, m, p, SCENMC_MONTE_CARLO, err)) != SCENMC_OK)
        return st;
    scenmc__kernel k;
    if ((st = scenmc__kernel_init(&k, m, p, r, err)) != SCENMC_OK) {
        scenmc_results_free(r);
        return st;
    }
    /* The start blocks (the start's words) come with the group tables. */
    if ((st = scenmc__kernel_build_groups(&k, 0, err)) != SCENMC_OK) {
        scenmc__kernel_free(&k);
        scenmc_results_free(r);
        return st;
    }
    smc f = {.k = &k, .N = p->n_trajectories, .Y = r->n_years, .D = m->n_descriptors,
             .threads = threads > 0 ? threads : omp_get_max_threads()};
    f.stride = (size_t)f.Y * (size_t)f.D;
    f.path = malloc(f.N * f.stride);
    f.spare = malloc(f.N * f.stride);
    f.w = malloc(f.N * sizeof(uint64_t));
    smc_summary sm = {.min_ess = INFINITY, .final_one = 1};
    double t0 = scenmc__now();
    if (!f.path || !f.spare || !f.w)
        st = scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for %llu particles' paths (%zu bytes "
                              "each, twice)", (unsigned long long)f.N, f.stride);
    else
        st = smc_filter(&f, p, o, &sm, r, err);
    free(f.path);
    free(f.spare);
    free(f.w);
    scenmc__kernel_free(&k);
    if (st != SCENMC_OK) {
        scenmc_results_free(r);
        return st;
    }
    r->first = 0;
    r->last = r->n_trajectories = f.N;
    r->threads = f.threads;
    r->wall_seconds = scenmc__now() - t0;
    scenmc__results_set_given(r, o);
    r->weight_one = sm.final_one;
    scenmc_results_finalize(r);
    /* The standard errors from the smallest ESS of an observation year: the
     * paths before it descend from that many particles (conservative after
     * it). */
    const double widen = sm.min_ess < r->effective_size ? sqrt(r->effective_size / sm.min_ess) : 1;
    for (int t = 0; t < SCENMC_N_TABLES; t++)
        for (size_t i = 0; i < r->t[t].size; i++)
            r->t[t].stderr_[i] *= widen;
    /* The filter's own estimates, not the final weights' (see smc.h). */
    r->log_evidence = sm.log_evidence;
    r->evidence_se = exp(sm.log_evidence) * sqrt(sm.rel_var);
    r->effective_size = sm.min_ess;
    return SCENMC_OK;
}
