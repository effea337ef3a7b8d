/* Calibration (docs/signposts.md, section 5): which parameters fit the
 * observed history. The likelihood P(observations | theta) at every point
 * theta of a design (the sweep designs, scenmc/sweep.h), computed exactly by
 * forward filtering (scenmc_exact_filter) where the model fits in memory, by
 * Monte Carlo otherwise (scenmc_run conditioned on the observations, the same
 * seed at every point: common random numbers); the posterior under a stated
 * prior, the posterior mean and sd of each parameter, the highest-posterior
 * credible set of points and the posterior-predictive scenario probabilities
 * per year. */
#ifndef SCENMC_CALIBRATE_H
#define SCENMC_CALIBRATE_H

#include "scenmc/observe.h"
#include "scenmc/reader.h"
#include "scenmc/scenmc.h"
#include "scenmc/sweep.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum scenmc_calibrate_method {
    SCENMC_CALIBRATE_AUTO = 0,    /* exact unless the model does not fit in memory */
    SCENMC_CALIBRATE_EXACT,
    SCENMC_CALIBRATE_MONTE_CARLO
} scenmc_calibrate_method;

typedef struct scenmc_calibrate_options {
    scenmc_calibrate_method method;
    int threads;            /* 0: OpenMP's default */
    double level;           /* of the credible set; 0 means 0.95 */
    /* [K] 1: that parameter's prior density is log-uniform (1/x on the
     * design's range), 0: uniform; NULL: every parameter uniform. */
    const int *log_uniform;
    /* Called after each point (done points of total); non-zero stops
     * (SCENMC_E_INTERRUPTED). */
    int (*progress)(void *ctx, uint64_t done, uint64_t total, double seconds);
    void *progress_ctx;
} scenmc_calibrate_options;

typedef struct scenmc_calibration {
    int n_points, n_params;     /* P design points of K parameters */
    int n_years, n_scenarios;   /* Y, S (the results' scenario count, with unclassified) */
    scenmc_method method;       /* how the likelihoods were computed */
    uint64_t n_trajectories;    /* Monte Carlo: per point (the same seed at every point) */
    uint64_t seed;
    char **param_name;          /* [K] as given to --param (without =SPEC) */
    int *log_uniform;           /* [K] the prior of each parameter (1: log-uniform) */
    double *value;              /* [P][K] the design */
    double *log_likelihood;     /* [P] log P(observations | point); -INFINITY: impossible */
    double *likelihood_se;      /* [P] Monte Carlo: standard error of the likelihood estimate; else NULL */
    double *effective_size;     /* [P] Monte Carlo: Kish's effective sample size; else NULL */
    double *log_prior;          /* [P] log of the point's prior mass (they sum to 1) */
    double *posterior;          /* [P] the point's posterior mass */
    unsigned char *credible;    /* [P] 1: in the highest-posterior credible set */
    int n_credible;
    double level;               /* the set's nominal level (0.95) */
    double credible_mass;       /* its posterior mass (>= level) */
    double log_marginal;        /* log of sum over points of prior x likelihood */
    double *post_mean, *post_sd;/* [K] posterior mean and standard deviation of each parameter */
    /* [P][Y][S] at each point: exact, P(scenario at year | the observations
     * up to that year); Monte Carlo, P(scenario at year | all observations). */
    double *point_scenario;
    double *predictive;         /* [Y][S] the mixture of point_scenario by the posterior */
    int threads;
    double wall_seconds;
} scenmc_calibration;

/* The likelihood of o at each of the P points of values[P][K] (ps: the K
 * parameters, as scenmc_sweep_param_parse made them; each point applied to a
 * copy of base with scenmc_sweep_apply), then scenmc_calibration_posterior.
 * base's seed and n_trajectories serve the Monte Carlo method. */
scenmc_status scenmc_calibrate(const scenmc_model *m, const scenmc_params *base, const scenmc_sweep_param *ps,
                               int K, const double *values, int P, const scenmc_observations *o,
                               const scenmc_calibrate_options *opt, scenmc_calibration *out,
                               scenmc_error *err);

/* From c's value, log_likelihood, point_scenario, log_uniform and level:
 * log_prior, posterior, credible set, log_marginal, post_mean, post_sd and
 * predictive. SCENMC_E_INPUT when no point gives the observations a positive
 * likelihood, or a log-uniform parameter has a value <= 0. */
scenmc_status scenmc_calibration_posterior(scenmc_calibration *c, scenmc_error *err);

/* The smallest and largest value of parameter j among the credible set's
 * points (NaN when the set is empty). */
void scenmc_calibration_credible_range(const scenmc_calibration *c, int j, double *lo, double *hi);

/* Allocates c's arrays for P points, K parameters, Y years and S scenarios
 * (zeroed; likelihood_se and effective_size when mc). */
void scenmc_calibration_alloc(scenmc_calibration *c, int P, int K, int Y, int S, int mc);
void scenmc_calibration_free(scenmc_calibration *c);

/* The calibration file (docs/signposts.md, section 5; src/io/calibrate_write.c):
 * the results format's root attributes (method "calibrate"), /model and
 * /params (base), then /calibrate with named dimensions point, param, year,
 * scenario, observation and variant, the observations recorded. */
scenmc_status scenmc_calibration_write(const char *path, const scenmc_model *m, const scenmc_params *base,
                                       const scenmc_observations *o, const scenmc_calibration *c,
                                       const scenmc_write_options *opt, scenmc_error *err);
/* Whether the file at path is a calibration file (0 when it cannot tell). */
int scenmc_calibration_file(const char *path);
/* Reads it back: *model, *base, *o (initialised here), *c and info (the
 * provenance; may be NULL). On failure nothing is held. */
scenmc_status scenmc_calibration_read(const char *path, scenmc_model **model, scenmc_params *base,
                                      scenmc_observations *o, scenmc_calibration *c,
                                      scenmc_results_info *info, scenmc_error *err);

#ifdef __cplusplus
}
#endif

#endif
