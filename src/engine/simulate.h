/* The Monte Carlo engine's internal entry points (scenmc_run is public:
 * scenmc/scenmc.h). */
#ifndef SCENMC_ENGINE_SIMULATE_H
#define SCENMC_ENGINE_SIMULATE_H

#include "scenmc/scenmc.h"

/* Trajectory k simulated under both parameter sets with the same random
 * numbers; joint[S*S] counts (final scenario under a, under b). For the
 * sensitivity sweep (sweep.c). */
scenmc_status scenmc_run_paired_final(const scenmc_model *m, const scenmc_params *a,
                                      const scenmc_params *b, int threads, uint64_t *joint,
                                      scenmc_error *err);

#endif
