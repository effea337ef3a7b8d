/* Which single intervention moves the odds most (scenmc levers,
 * docs/interventions.md): for a target (a set of scenarios in a final year)
 * and a start year, every hold "descriptor d at variant v from the start year
 * to the target year" (and optionally every push of a given strength), its
 * effect on P(target) against the baseline without it, exactly or by Monte
 * Carlo with common random numbers (paired standard errors); and the best
 * pair of holds on two different descriptors. */
#ifndef SCENMC_LEVERS_H
#define SCENMC_LEVERS_H

#include "scenmc/scenmc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum scenmc_lever_kind { SCENMC_LEVER_HOLD = 0, SCENMC_LEVER_PUSH = 1 } scenmc_lever_kind;

typedef struct scenmc_levers_spec {
    int n_target;
    const int *target;      /* [n_target] scenario indices (0..S-1; S: unclassified) */
    int year;               /* the target year; 0: the params' last year */
    int start;              /* the interventions' first year */
    int pushes;             /* non-zero: also every push of push_strength */
    double push_strength;
    int pairs;              /* non-zero: the best pair of holds */
    long pair_budget;       /* most pairs evaluated exhaustively (0: 600 exact, 60 Monte Carlo) */
    int pair_top;           /* otherwise pairs among the top k holds (0: 8) */
    scenmc_method method;   /* SCENMC_EXACT or SCENMC_MONTE_CARLO (params' seed and N) */
    int threads;
    /* Observations to condition on (scenmc/observe.h), or NULL: P(target) is
     * then the filtered one; those before the start year condition the
     * shared past, those from it on are weighed under each lever's own
     * dynamics. Exact only (Monte Carlo refuses them). */
    const struct scenmc_observations *given;
    /* Called after each evaluation; non-zero stops (SCENMC_E_INTERRUPTED). */
    int (*progress)(void *ctx, uint64_t done, uint64_t total, double seconds);
    void *progress_ctx;
} scenmc_levers_spec;

typedef struct scenmc_lever {
    scenmc_lever_kind kind;
    int descriptor, variant; /* variant within the descriptor */
    int defining;            /* the descriptor is in a target scenario's conditions */
    int trivial;             /* hold only: 0 or 1 when P(target) is that by the definitions; -1 */
    double p_with, effect, ratio, se; /* effect = p_with - p_baseline; se: paired (0 exact);
                                       * NaN when the observations are impossible with the lever */
} scenmc_lever;

typedef struct scenmc_levers_result {
    scenmc_method method;
    int year, start;
    double p_baseline, p_baseline_se;
    int n_levers;
    scenmc_lever *lever;     /* holds (descriptor x variant), then pushes */
    int *order;              /* [n_levers] lever indices by effect, largest first */
    int pair_exhaustive;     /* 1: every pair of holds; 0: pairs among the top pair_top holds */
    int pair_top;
    int n_pairs;
    int *pair_a, *pair_b;    /* [n_pairs] lever indices (holds on different descriptors) */
    double *pair_p, *pair_effect, *pair_se;
    int best_pair;           /* index into the pairs, or -1 */
    uint64_t n_trajectories; /* Monte Carlo; 0 exact */
    double wall_seconds;
    double past_seconds;     /* exact: the shared past (kernel, start distribution, years to the start) */
    double solve_seconds;    /* exact: the levers' and pairs' forward years from the start */
} scenmc_levers_result;

scenmc_status scenmc_levers(const scenmc_model *m, const scenmc_params *base, const scenmc_levers_spec *spec,
                            scenmc_levers_result *out, scenmc_error *err);
void scenmc_levers_free(scenmc_levers_result *r);

/* The levers file: the results format's root attributes, /model, /params
 * (the baseline schedule and observations as every results file), then
 * /levers with named dimensions (docs/interventions.md). */
scenmc_status scenmc_levers_write(const char *path, const scenmc_model *m, const scenmc_params *base,
                                  const scenmc_levers_spec *spec, const scenmc_levers_result *r,
                                  const scenmc_write_options *opt, scenmc_error *err);

#ifdef __cplusplus
}
#endif

#endif
