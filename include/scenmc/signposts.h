/* Signposts: which observation tells most about the scenario to come
 * (docs/signposts.md, section 4). Every candidate indicator (a descriptor
 * observed in a year) is ranked by the mutual information I(target;
 * indicator) in bits; also the best pair of indicators in a year. */
#ifndef SCENMC_SIGNPOSTS_H
#define SCENMC_SIGNPOSTS_H

#include "scenmc/observe.h"
#include "scenmc/reader.h"
#include "scenmc/scenmc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum scenmc_signposts_method {
    SCENMC_SIGNPOSTS_AUTO = 0, /* exact where the model fits in memory, else Monte Carlo */
    SCENMC_SIGNPOSTS_EXACT,
    SCENMC_SIGNPOSTS_MC
} scenmc_signposts_method;

typedef struct scenmc_signposts_options {
    scenmc_signposts_method method;
    /* The target: n_target == 0 the scenario of the last year (one class per
     * scenario slot); otherwise the binary target "the last year's scenario
     * is one of target[0..n_target-1]" (0-based slots; S-1 may be
     * "unclassified"). */
    int n_target;
    const int *target;
    const scenmc_observations *given; /* condition on these, or NULL (Monte Carlo: weighted run) */
    int threads;                      /* 0: OpenMP's default */
    int no_pairs;                     /* skip the pairs (both methods) */
} scenmc_signposts_options;

typedef struct scenmc_signposts {
    scenmc_method method;
    int D, Y, V, S, K;      /* descriptors, years, variants, scenario slots, target classes */
    int year_start;
    int binary;             /* the target is a set of scenarios: class 0 in it, class 1 "other" */
    int *target_of;         /* [S] the target class of each final scenario slot */
    char **target_name;     /* [K] */
    int *defining;          /* [D] 1: the descriptor appears in a scenario definition */
    double *target_prob;    /* [K] P(target = k) */
    double target_entropy;  /* H(target), bits */
    double *joint;          /* [Y][V][K] P(variant at year, target = k) */
    double *cond;           /* [Y][V][K] P(target = k | variant at year); NaN where P(variant) = 0 */
    double *mi;             /* [D][Y] I(target; descriptor at year), bits */
    double *mi_se;          /* [D][Y] Monte Carlo: standard error (delta method + chi-square term); exact: 0 */
    double *mi_bias;        /* [D][Y] Monte Carlo: first-order bias of the plug-in estimate; exact: 0 */
    int *rank;              /* [D][Y] 1-based rank among its group (defining or not), by mi - mi_bias */
    int *best;              /* [Y] the most informative non-defining descriptor, or -1 */
    int has_pairs;
    double *pair_mi;        /* [Y][D][D] I(target; (d1 at year, d2 at year)); diagonal: mi */
    double *pair_mi_se;     /* [Y][D][D] Monte Carlo: standard error of pair_mi (as mi_se); exact: 0 */
    double *pair_mi_bias;   /* [Y][D][D] Monte Carlo: first-order bias of pair_mi (as mi_bias); exact: 0 */
    int *best_pair;         /* [Y][2] the best pair of non-defining descriptors, or -1 */
    uint64_t n_trajectories;/* Monte Carlo: trajectories 0 .. n-1 of the seed, as scenmc run's */
    double n_effective;     /* Monte Carlo: N of the error bars (conditioned: Kish's effective size) */
    int conditioned;
    double log_evidence;    /* conditioned: log P(observations) */
    double wall_seconds;
    int threads;
} scenmc_signposts;

/* Computes every indicator's information about the target (sp initialised
 * here; free with scenmc_signposts_free). */
scenmc_status scenmc_signposts_compute(const scenmc_model *m, const scenmc_params *p,
                                       const scenmc_signposts_options *opt, scenmc_signposts *sp,
                                       scenmc_error *err);
void scenmc_signposts_free(scenmc_signposts *sp);

/* I(X; T) in bits of a joint distribution P[x * K + k] (nx rows, K columns,
 * summing to 1; zeros allowed). */
double scenmc_mutual_information(const double *P, int nx, int K);

/* The signposts file (docs/signposts.md, section 4): the results format's
 * root attributes, /model and /params, then /signposts. */
scenmc_status scenmc_signposts_write(const char *path, const scenmc_model *m, const scenmc_params *p,
                                     const scenmc_signposts *sp, const scenmc_write_options *opt,
                                     scenmc_error *err);
/* Reads it back (m, p, sp and info allocated here; free info with
 * scenmc_results_info_free also after a failure). */
scenmc_status scenmc_signposts_read(const char *path, scenmc_model **m, scenmc_params *p,
                                    scenmc_signposts *sp, scenmc_results_info *info, scenmc_error *err);

#ifdef __cplusplus
}
#endif

#endif
