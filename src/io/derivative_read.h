/* The derivative file of `scenmc sensitivity --method exact|score` back into
 * memory: the inverse of io/derivative_write.c. The entry point,
 * scenmc_derivatives_read, is declared in scenmc/reader.h. */
#ifndef SCENMC_IO_DERIVATIVE_READ_H
#define SCENMC_IO_DERIVATIVE_READ_H

#include "scenmc/reader.h"
#include "scenmc/hpc.h"
#include "engine/score.h"

/* Whether path is an HDF5 file with the group /derivative. */
int scenmc__is_derivative_file(const char *path);

/* The shard part of a derivative file that scenmc_derivatives_read has read
 * into d: the sums of /derivative/sums (shaped after d), the trajectories
 * they cover and --shard K/M (0, 0 when none). SCENMC_E_INPUT when the file
 * has no sums (not a shard) or they do not fit d. */
scenmc_status scenmc__derivative_sums_read(const char *path, const scenmc_derivatives *d, scenmc__score_sums *s,
                                          scenmc_range *span, int *k, int *M, scenmc_error *err);

#endif
