/* Derivatives of the scenario probabilities from one Monte Carlo run, by the
 * score-function (likelihood-ratio) method (docs/sensitivity.md, "Score
 * method"): the trajectories of `scenmc run` with the same seed, each
 * carrying d log P(trajectory) / dtheta for every parameter of
 * scenmc_dparams_list. */
#ifndef SCENMC_ENGINE_SCORE_H
#define SCENMC_ENGINE_SCORE_H

#include "scenmc/derivative.h"

/* Simulates p->n_trajectories trajectories (docs/model.md, section 11) and
 * fills out (method "score", every table with its standard errors). The
 * result depends only on (m, p), never on threads (0: OpenMP's default).
 * progress, when not NULL, is called between chunks; non-zero stops the run
 * (SCENMC_E_INTERRUPTED, out empty). */
scenmc_status scenmc__score_derivatives(const scenmc_model *m, const scenmc_params *p, int threads,
                                        int (*progress)(void *, uint64_t done, uint64_t total, double seconds),
                                        void *ctx, scenmc_derivatives *out, scenmc_error *err);

/* The same with options. */
typedef struct scenmc__score_options {
    int threads;            /* 0: OpenMP's default */
    int scenario_only;      /* the scenario table alone (variant, scenario_variant and their
                             * errors NULL): about a tenth of the tallying */
    int (*progress)(void *, uint64_t, uint64_t, double);
    void *ctx;
    uint64_t *counts;       /* not NULL: the scenario counts per year, [Y * S] (they equal
                             * scenmc_run's: the tests) */
    /* A share of the run (MPI ranks): only trajectories [first, last) are
     * simulated (last 0: all), then reduce, when not NULL, must add every
     * share's n entries of data in place, exactly (kind 0: int64_t, 1:
     * uint64_t, 2: double); it is called for every array in the same order on
     * every share, even when the run stopped; non-zero: failed. */
    uint64_t first, last;
    int (*reduce)(void *ctx, void *data, size_t n, int kind);
    void *reduce_ctx;
} scenmc__score_options;

scenmc_status scenmc__score_run(const scenmc_model *m, const scenmc_params *p, const scenmc__score_options *o,
                                scenmc_derivatives *out, scenmc_error *err);

#endif
