/* The derivative file of `scenmc sensitivity --method exact|score`
 * (docs/sensitivity.md, "The derivative file"): the results format's root
 * attributes, /model and /params, then /derivative with named dimensions.
 * The entry point, scenmc_derivatives_write, is declared in
 * scenmc/derivative.h. */
#ifndef SCENMC_IO_DERIVATIVE_WRITE_H
#define SCENMC_IO_DERIVATIVE_WRITE_H

#include "scenmc/derivative.h"
#include "scenmc/hpc.h"
#include "engine/score.h"

/* A shard of a score run (`scenmc sensitivity --method score --shard K/M`):
 * its integer sums, which `scenmc merge` adds, and what it covers. */
typedef struct scenmc__deriv_shard {
    const scenmc__score_sums *sums;
    scenmc_range span;      /* the trajectories of this shard */
    int k, M;               /* --shard K/M; 0, 0 for a slice given otherwise */
} scenmc__deriv_shard;

/* scenmc_derivatives_write, plus (shard not NULL) the group
 * /derivative/sums and the shard's trajectory range in the root attributes. */
scenmc_status scenmc__derivatives_write_shard(const char *path, const scenmc_model *m, const scenmc_params *p,
                                             const scenmc_derivatives *d, const scenmc__deriv_shard *shard,
                                             const scenmc_write_options *opt, scenmc_error *err);

#endif
