/* The Monte Carlo engine's internal entry points (scenmc_run is public:
 * scenmc/scenmc.h). */
#ifndef SCENMC_ENGINE_SIMULATE_H
#define SCENMC_ENGINE_SIMULATE_H

#include "scenmc/scenmc.h"

/* Engine tuning, for tests and benchmarks only: counts do not depend on it
 * (tests/test_simulate.c checks every choice against the reference engine). */
typedef struct scenmc__engine_tuning {
    int group_limit; /* most joint variants per group of the field tables (0: automatic) */
    int split_tally; /* non-zero: tally variants per descriptor, not jointly per group */
    int reference;   /* non-zero: the plain reference engine (engine/reference.c): one
                      * trajectory at a time on one thread, full-state models only */
} scenmc__engine_tuning;

/* scenmc_run with the engine chosen by tune (NULL: automatic, as scenmc_run). */
scenmc_status scenmc__run_tuned(const scenmc_model *m, const scenmc_params *p,
                                const scenmc_run_options *opt, const scenmc__engine_tuning *tune,
                                scenmc_results *r, scenmc_error *err);

/* Trajectory k simulated under both parameter sets with the same random
 * numbers; joint[S*S] counts (final scenario under a, under b). For the
 * sensitivity sweep (sweep.c). */
scenmc_status scenmc__run_paired_final(const scenmc_model *m, const scenmc_params *a,
                                      const scenmc_params *b, int threads, uint64_t *joint,
                                      scenmc_error *err);

/* A paired run's trajectories with final scenario s under a and t under b
 * (cell s * S + t): their count and the exact sums of their weights wa, wb
 * (the likelihood of the observations in each arm; 1 unconditioned) and of
 * wa^2, wb^2, wa * wb (128 bits: low, high word). Integer sums: the same on
 * any number of threads. */
typedef struct scenmc__paired_cell {
    uint64_t n, wa, wb;
    uint64_t waa[2], wbb[2], wab[2];
} scenmc__paired_cell;

/* scenmc__run_paired_final with each trajectory weighted by observations o
 * in both arms (NULL or none: weights 1), into cells[S*S] (cleared here).
 * tune->reference: the per-trajectory engine for both arms (tests: the
 * lanes must give its finals and weights). */
scenmc_status scenmc__run_paired(const scenmc_model *m, const scenmc_params *a, const scenmc_params *b,
                                 const struct scenmc_observations *o, const scenmc__engine_tuning *tune,
                                 int threads, scenmc__paired_cell *cells, scenmc_error *err);

#endif
