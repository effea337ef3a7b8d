/* Signposts (scenmc_signposts_compute, scenmc_mutual_information): the
 * information each indicator gives about the target, exactly by one forward
 * and one backward pass over the uniformization chain, or from the counts
 * of one Monte Carlo run. Public API in scenmc/signposts.h. */
#ifndef SCENMC_ENGINE_SIGNPOSTS_H
#define SCENMC_ENGINE_SIGNPOSTS_H

#include "scenmc/signposts.h"

/* Allocates sp's arrays for (m, p) and the target of opt (no values yet). */
void scenmc__signposts_alloc(scenmc_signposts *sp, const scenmc_model *m, const scenmc_params *p,
                             int n_target, const int *target);

/* From sp->joint: target_prob, its entropy, cond, mi (exact: no error
 * bars), the ranks and the best descriptor per year. */
void scenmc__signposts_singles(scenmc_signposts *sp, const scenmc_model *m);

/* The ranks and best descriptors from mi - mi_bias (and pair_mi - pair_mi_bias
 * when has_pairs; the biases are 0 for exact). */
void scenmc__signposts_rank(scenmc_signposts *sp);

#endif
