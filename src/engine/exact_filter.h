/* Forward filtering on the uniformization chain (docs/signposts.md, section
 * 2): the distribution given the observations so far and the probability of
 * the observations; scenmc_exact_filter (scenmc/observe.h) on top. */
#ifndef SCENMC_ENGINE_EXACT_FILTER_H
#define SCENMC_ENGINE_EXACT_FILTER_H

#include "engine/exact_chain.h"
#include "scenmc/observe.h"

/* L[y][x], the likelihood of state x under the observations of year
 * year_start + y, for y < Y; L[y] is NULL in a year without observations.
 * Free with scenmc__chain_likelihood_free. */
double **scenmc__chain_likelihood(const scenmc__chain *c, const scenmc_observations *o, int year_start, int Y);
void scenmc__chain_likelihood_free(double **L, int Y);

/* Forward filtering: pt[y] = P(x at y | the observations of years <= y)
 * (pt[y] may be the same buffer as pt[y - 1]); log_norm[y] = log P(the
 * observations of year y | those before). scen[n] gets each state's
 * scenario; scen_prob[y * S + a], when not NULL, P(scenario a at y | the
 * observations of years <= y). Returns -1, or the first year index whose
 * observations have probability zero (the vectors are then partial). */
int scenmc__chain_filter(scenmc__chain *c, const scenmc_params *p, int Y, double *const *L, int *scen, double **pt,
                         double *log_norm, int S, double *scen_prob);

/* Points whose transition weights T are the same (the same beta, weights,
 * start and shares rate_d / Lambda: points that differ only in one global
 * rate) are filtered together as interleaved vectors, T read once for all;
 * the key says what T is built from. */
typedef struct scenmc__filter_key scenmc__filter_key;
scenmc__filter_key *scenmc__filter_key_new(const scenmc_model *m, const scenmc_params *p, scenmc_error *err);
void scenmc__filter_key_free(scenmc__filter_key *key);
int scenmc__filter_key_same(const scenmc__filter_key *a, const scenmc__filter_key *b);

/* scenmc_exact_filter for nvec points at once, whose keys are the same (one
 * point with changes over time: nvec = 1): point j's log-evidence into
 * log_evidence[j] and, when scenario_prob (and scenario_prob[j]) is not NULL,
 * its scenario probabilities into scenario_prob[j]. Each point gets what
 * scenmc_exact_filter gives it alone. */
scenmc_status scenmc__exact_filter_points(const scenmc_model *m, const scenmc_params *const *p, int nvec,
                                          const scenmc_observations *o, int threads, double *log_evidence,
                                          double *const *scenario_prob, scenmc_error *err);

#endif
