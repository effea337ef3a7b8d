/* The plain reference engine: one trajectory at a time, the heat-bath rule
 * as docs/model.md states it, the random stream read in the same order as
 * the optimised engines of simulate.c. Read it first; the tests check that
 * every specialised engine gives its counts, bit for bit. */
#ifndef SCENMC_ENGINE_REFERENCE_H
#define SCENMC_ENGINE_REFERENCE_H

#include "engine/kernel.h"
#include "engine/rng.h"

/* The start state of a trajectory (its first words, docs/model.md 11.2). */
void scenmc__reference_start(const scenmc__kernel *k, scenmc__rng *rng, int *s);

/* The revised descriptor and the uniform for its new variant, from one word. */
int scenmc__reference_pick(const scenmc__kernel *k, uint32_t word, double *uv);

/* Simulates trajectories [first, last) under seed, serially, and adds their
 * counts to r's tables (the final-state table only in full-state mode). */
void scenmc__reference_run(const scenmc__kernel *k, uint64_t seed, uint64_t first, uint64_t last,
                          scenmc_results *r);

#endif
