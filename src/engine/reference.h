/* The plain reference engine: one trajectory at a time, the heat-bath rule
 * as docs/model.md states it, the random stream read in the same order as
 * the optimised engines of simulate.c. Read it first; the tests check that
 * every specialised engine gives its counts, bit for bit. */
#ifndef SCENMC_ENGINE_REFERENCE_H
#define SCENMC_ENGINE_REFERENCE_H

#include "engine/kernel.h"

/* Simulates trajectories [first, last) under seed, serially, and adds their
 * counts to r's tables (the final-state table only in full-state mode). */
void scenmc__reference_run(const scenmc__kernel *k, uint64_t seed, uint64_t first, uint64_t last,
                          scenmc_results *r);

#endif
