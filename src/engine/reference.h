/* The plain reference engine: one trajectory at a time, the heat-bath rule
 * as docs/model.md states it, the random stream read in the same order as
 * the optimised engines of simulate.c. Read it first; the tests check that
 * every specialised engine gives its counts, bit for bit. */
#ifndef SCENMC_ENGINE_REFERENCE_H
#define SCENMC_ENGINE_REFERENCE_H

#include "engine/kernel.h"
#include "engine/rng.h"
#include "scenmc/observe.h"

/* Conditioning (docs/signposts.md, section 3): trajectory weights from the
 * likelihood of the observations. Every engine takes L as the product, over
 * the observation years in increasing order, of
 * scenmc_observations_likelihood of the state that year, so that all give
 * the same weights, bit for bit. */
typedef struct scenmc__given {
    const scenmc_observations *o;
    int year_start;
    int n_years;   /* observation years */
    int *year;     /* [n_years] their indices (calendar year - year_start), increasing */
    uint64_t one;  /* the weight of likelihood Lmax (scenmc__given_one) */
    double scale;  /* one / Lmax */
} scenmc__given;

/* Checks o against the model and the parameters (years, descriptors,
 * variant counts, likelihoods) and, for soft evidence, N against
 * SCENMC__WEIGHTED_MAX. */
scenmc_status scenmc__given_check(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                  scenmc_error *err);

/* NULL or no observations: returns 0 (unweighted). */
int scenmc__given_init(scenmc__given *g, const scenmc_observations *o, int year_start);
void scenmc__given_free(scenmc__given *g);

/* The integer weight of likelihood L: round(L / Lmax * one), at most one. */
static inline uint64_t scenmc__given_weight(const scenmc__given *g, double L)
{
    double x = L * g->scale + 0.5;
    return x >= (double)g->one ? g->one : (uint64_t)x;
}

/* The integer weight of a trajectory (states[y * D + d] for its years): the
 * product of the observation years' likelihoods, in increasing year order. */
uint64_t scenmc__given_trajectory_weight(const scenmc__given *g, const int *states, int D);

/* The start state of a trajectory (its first words, docs/model.md 11.2). */
void scenmc__reference_start(const scenmc__kernel *k, scenmc__rng *rng, int *s);

/* The revised descriptor and the uniform for its new variant, from one word. */
int scenmc__reference_pick(const scenmc__kernel *k, uint32_t word, double *uv);

/* One year of the dynamics from state s (in place): the year's revision
 * count from one word, then the revisions (the particle filter, smc.c). */
void scenmc__reference_step_year(const scenmc__kernel *k, scenmc__rng *rng, int *s);

/* Adds one trajectory's years (states[y * D + d]) to r's counts (their
 * layouts: scenmc.h), each count by w (its weight; 1 unconditioned); scen:
 * [Y] scratch. */
void scenmc__reference_tally(const scenmc__kernel *k, const int *states, int *scen, uint64_t w,
                            scenmc_results *r);

/* Simulates trajectories [first, last) under seed, serially, and adds their
 * counts to r's tables (the final-state table only in full-state mode);
 * with g (not NULL), each trajectory's weight instead of 1, and the weight
 * sums to r->weight_sum and r->weight_sq_sum. */
void scenmc__reference_run(const scenmc__kernel *k, uint64_t seed, uint64_t first, uint64_t last,
                          const scenmc__given *g, scenmc_results *r);


/* A schedule of changes over time (scenmc/schedule.h, docs/model.md 11.7),
 * laid out per simulated year y = 1 .. Y-1 (the year from calendar
 * year_start + y - 1 to year_start + y). */
typedef struct scenmc__sched_year {
    int n_pois;        /* 0: the kernel's Poisson(Lambda) table */
    double *pois_cdf;  /* [n_pois] Poisson(Lambda + H) with H the year's shock hazard */
    double *bias;      /* [V] beta times the year's extra bias, or NULL */
    int *held;         /* [D] the variant held this year, -1 when free */
    int n_shocks;      /* (descriptor, variant) pairs with a hazard this year */
    int *shock_d, *shock_v;
    double *cum;       /* [D + n_shocks] cumulative shares of the event types, last 1 */
} scenmc__sched_year;

typedef struct scenmc__sched {
    int Y, D;
    scenmc__sched_year *yr; /* [Y] (entry 0 unused) */
    int *set;               /* [Y * D] variant a hold's start sets d to before year y's observation, or -1 */
} scenmc__sched;

/* Lays out p->schedule; returns 0 (s cleared) when it changes nothing. */
int scenmc__sched_init(scenmc__sched *s, const scenmc__kernel *k, const scenmc_model *m, const scenmc_params *p);
void scenmc__sched_free(scenmc__sched *s);

/* Trajectory traj's states (states[y * D + d]), under schedule sc or NULL;
 * nrev: [Y] scratch. */
void scenmc__reference_trajectory(const scenmc__kernel *k, const scenmc__sched *sc, uint64_t seed, uint64_t traj,
                                  int *nrev, int *states);

/* One year (y >= 1) of the dynamics from state s under sc (the particle filter). */
void scenmc__reference_step_year_sched(const scenmc__kernel *k, const scenmc__sched *sc, int y, scenmc__rng *rng,
                                       int *s);

/* scenmc__reference_run under schedule sc: in chunks, trajectories
 * simulated on `threads` threads and tallied in order (counts independent of
 * the thread count). */
void scenmc__reference_run_sched(const scenmc__kernel *k, const scenmc__sched *sc, uint64_t seed, uint64_t first,
                                 uint64_t last, const scenmc__given *g, int threads, scenmc_results *r);

#endif
