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

#endif
