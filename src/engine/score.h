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

/* The integer sums of a score run (fixed point, see score.c), the derived
 * rows included: they add exactly over disjoint trajectory ranges, so shard
 * files keep them and `scenmc merge` adds them (docs/sensitivity.md). */
typedef struct scenmc__score_sums {
    int Y, S, V, P;          /* years, scenario slots, variants, parameters */
    int sv;                  /* the variant tables too (sv12, nsv not NULL) */
    int64_t *s12;            /* [Y][S][P][2]: sums of the score and of its square */
    int64_t *sv12;           /* [Y][S][V][P][2] */
    uint64_t *ns, *nsv;      /* [Y][S], [Y][S][V]: trajectories */
    double bound;            /* sum of each tally's largest term (the overflow guard) */
} scenmc__score_sums;

/* Zeroed sums of these dimensions. */
void scenmc__score_sums_init(scenmc__score_sums *s, int Y, int S, int V, int P, int sv);
void scenmc__score_sums_free(scenmc__score_sums *s);
/* dst += src exactly; 0 (nothing added) when their dimensions differ. */
int scenmc__score_sums_add(scenmc__score_sums *dst, const scenmc__score_sums *src);
/* The trajectories the sums hold (each is tallied once in the first year). */
uint64_t scenmc__score_sums_count(const scenmc__score_sums *s);
/* out's tables and n_trajectories from the sums, exactly as a run computes
 * them (out->param and the rest untouched); SCENMC_E_LIMIT when the sums may
 * have overflowed, SCENMC_E_INPUT when they hold no trajectory. */
scenmc_status scenmc__score_estimate(const scenmc__score_sums *s, scenmc_derivatives *out, scenmc_error *err);

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
    /* Not NULL: receives the run's sums (all shares' after reduce; the
     * caller frees them with scenmc__score_sums_free). */
    scenmc__score_sums *sums;
} scenmc__score_options;

scenmc_status scenmc__score_run(const scenmc_model *m, const scenmc_params *p, const scenmc__score_options *o,
                                scenmc_derivatives *out, scenmc_error *err);

#endif
