/* Merging the shard files of a score run (`scenmc sensitivity --method score
 * --shard K/M`) into the derivative file of one run over all trajectories
 * (docs/sensitivity.md, "Shards and merge"). */
#ifndef SCENMC_IO_DERIVATIVE_MERGE_H
#define SCENMC_IO_DERIVATIVE_MERGE_H

#include "scenmc/derivative.h"

/* Checks that the parts belong together (format, model, parameters, the
 * parameter list and the tables) and cover [0, N) once, adds their integer
 * sums and writes, to out, the tables one unsharded run writes, bit for bit.
 * On bad parts nothing is written, every problem is in err (SCENMC_E_INPUT).
 * *n_trajectories (may be NULL) gets N. */
scenmc_status scenmc__merge_derivative_files(const char *const *paths, int n, const char *out,
                                             const scenmc_write_options *opt, uint64_t *n_trajectories,
                                             scenmc_error *err);

#endif
