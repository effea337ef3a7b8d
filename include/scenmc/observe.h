/* Observations (evidence) about the region at given years, and the results
 * conditioned on them (docs/signposts.md): hard evidence ("DA was
 * Datamonopol in 2023") and soft evidence (a likelihood per variant, "SY
 * looked like Medborgare, 80% sure"). */
#ifndef SCENMC_OBSERVE_H
#define SCENMC_OBSERVE_H

#include "scenmc/scenmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One observation of one descriptor in one year: likelihood[b] = P(what was
 * seen | descriptor is at its variant b). Hard evidence has 1 for the variant
 * seen and 0 for the others. */
typedef struct scenmc_observation {
    int year;           /* calendar year, year_start .. year_end */
    int descriptor;     /* 0-based */
    int n_variants;     /* of the descriptor */
    double *likelihood; /* [n_variants], each >= 0 and finite, not all 0 */
    int hard;           /* the likelihood is one variant's indicator */
    char *where;        /* where it was given, for messages ("--given 2023:DA=Datamonopol", "obs.yaml:4") */
} scenmc_observation;

/* A set of observations, in the order given. Several observations of one
 * descriptor in one year multiply (independent reports). */
typedef struct scenmc_observations {
    int n;
    scenmc_observation *obs;
    int *start;   /* [n_start] the observed state of the first year (a file's start:), or NULL */
    int n_start;  /* the model's descriptor count when start is set */
    char *source; /* the observations file, or NULL */
} scenmc_observations;

void scenmc_observations_init(scenmc_observations *o);
void scenmc_observations_free(scenmc_observations *o);
void scenmc_observations_copy(scenmc_observations *dst, const scenmc_observations *src);

/* Appends one observation (likelihood copied; hard when it is an indicator). */
void scenmc_observations_add(scenmc_observations *o, int year, int descriptor, const double *likelihood,
                             int n_variants, const char *where);

/* Parses one --given value, "YEAR:ID=V[,ID=V...]" (a variant by name, id or
 * 1-based number), and appends hard observations. */
scenmc_status scenmc_observations_add_given(scenmc_observations *o, const scenmc_model *m, const char *text,
                                            scenmc_error *err);

/* Reads an observations file (YAML, docs/model-format.md) and appends its
 * observations (and its start state, if any). */
scenmc_status scenmc_observations_load(scenmc_observations *o, const scenmc_model *m, const char *path,
                                       scenmc_error *err);

/* Checks the observations against the model and the parameters: each one of
 * a descriptor of m with its number of variants (checked before any
 * likelihood is read), an observed start state of m's descriptors, every year
 * within year_start .. year_end, likelihoods finite, >= 0, not all 0. */
scenmc_status scenmc_observations_check(const scenmc_model *m, const scenmc_observations *o,
                                        const scenmc_params *p, scenmc_error *err);

/* The likelihood of state s (s[d] the variant of descriptor d) under the
 * observations of `year`: the product over them (1 when there are none). */
double scenmc_observations_likelihood(const scenmc_observations *o, int year, const int *s);

/* Whether every observation is hard evidence (0 when there are none). */
int scenmc_observations_all_hard(const scenmc_observations *o);
/* The last year with an observation (INT_MIN when there are none). */
int scenmc_observations_last_year(const scenmc_observations *o);

/* ---------------------------------------------------------------- exact */

/* scenmc_exact conditioned on o (NULL or none: unconditioned, as
 * scenmc_exact): every table is P(... | observations), by forward filtering
 * to the last observation and forward-backward smoothing before it;
 * r->conditioned, r->log_evidence and r->given are set. An observation of
 * probability zero is SCENMC_E_INPUT naming it. */
scenmc_status scenmc_exact_given(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                 int threads, scenmc_results *r, scenmc_error *err);

/* Forward filtering only (cheap: one forward pass): the log of the
 * probability of the observations (log_evidence, -INFINITY when it is zero)
 * and, when scenario_prob is not NULL, P(scenario at year y | the
 * observations up to y) into scenario_prob[y * S + a] (S: the results'
 * scenario count, n_scenarios plus unclassified). For calibration. */
scenmc_status scenmc_exact_filter(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                  int threads, double *log_evidence, double *scenario_prob, scenmc_error *err);

/* ---------------------------------------------------------------- particle filter */

/* Monte Carlo conditioned on o by a particle filter (docs/signposts.md,
 * section 3): p->n_trajectories particles simulated year by year, weighted
 * by the likelihood of each observation year's observations and resampled
 * there (systematic resampling on integer weights), every particle carrying
 * its whole path, from which all tables are tallied (a final observation
 * year is not resampled: its weights stay, as in scenmc_run). The result is
 * a pure function of (model, params, o): never of threads. r->log_evidence
 * is the log of the product over the observation years of the mean weight,
 * r->evidence_se its delta-method error ignoring the resampling's
 * correlations, r->effective_size the smallest Kish ESS of an observation
 * year before its resampling, and the standard errors are widened to that
 * effective size. Models of at most 2^24 states; memory: two
 * paths of Y x D bytes per particle. */
scenmc_status scenmc_run_smc(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                             int threads, scenmc_results *r, scenmc_error *err);

#ifdef __cplusplus
}
#endif

#endif
