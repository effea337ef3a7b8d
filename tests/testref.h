/* The independent reference of the statistical tests: docs/model.md written
 * down again for small models (tens of states), dense and by brute force.
 *
 * Nothing here calls scenmc's engines or solvers (src/engine, src/cib): the
 * generator Q is built from the model's definition (heat-bath revisions of
 * each descriptor at its rate, docs/model.md sections 2-5; trends, holds and
 * shocks of section 12), one year is expm(Q) by GSL (which shares no code
 * with uniformization), and the tables are sums over every path or a forward
 * pass. Only plain data is read: the chain's numbers come either from the
 * public structs of scenmc/scenmc.h (testref_chain_from_model) or typed in by
 * a test. States are numbered in the mixed radix of the descriptors, the last
 * descriptor fastest (the results' state order). */
#ifndef SCENMC_TESTREF_H
#define SCENMC_TESTREF_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>

#include "scenmc/scenmc.h"

enum { TESTREF_MAX_D = 16, TESTREF_MAX_V = 64 };

/* A small model's continuous-time chain: balance of variant b of descriptor
 * i in state s = bias[b] + sum_j (j != i) w_c C[s_j][b] + sum_j w_x X[s_j][b]
 * (X includes self-impacts), revision to b with probability
 * exp(beta balance) / sum, descriptor i revised at rate[i]. */
typedef struct testref_chain {
    int D, V;
    int nvar[TESTREF_MAX_D], off[TESTREF_MAX_D];
    const double *C;    /* [V*V] consistency, or NULL */
    const double *X;    /* [V*V] cross impact (row = source), or NULL */
    const double *bias; /* [V], or NULL */
    double beta, w_c, w_x;
    double rate[TESTREF_MAX_D];
} testref_chain;

/* One calendar year's changes (docs/model.md, section 12), as a test states them. */
typedef struct testref_year {
    const double *bias;  /* [V] added to the balance (trends, pushes), or NULL */
    const double *shock; /* [V] hazard of a jump to the variant, or NULL */
    const int *held;     /* [D] variant a hold keeps (no revision, no shock) or -1, or NULL */
} testref_year;

/* The chain of m under p's beta, weights and rates (the model's matrices and
 * bias as the loader holds them; p's cell overrides are not applied). */
void testref_chain_from_model(testref_chain *c, const scenmc_model *m, const scenmc_params *p);
/* Number of states, and a state index to and from its variants s[D]. */
int testref_states(const testref_chain *c);
void testref_decode(const testref_chain *c, int x, int *s);
int testref_encode(const testref_chain *c, const int *s);

/* prob[b], the heat-bath law of descriptor i's next variant in state s;
 * extra_bias[V] (or NULL) added to the balance. */
void testref_heat_bath(const testref_chain *c, const int *s, int i, const double *extra_bias, double *prob);
/* The dense generator Q (n x n, rows summing to 0) under one year's changes (or NULL). */
gsl_matrix *testref_generator(const testref_chain *c, const testref_year *chg);
/* One year of the chain, expm(Q) by GSL (fails the test if GSL does). */
gsl_matrix *testref_year_matrix(const testref_chain *c, const testref_year *chg);
/* p0[x]: the start state's law, the product of initial[V] over the
 * descriptors, or the point mass on start[D] when start is not NULL. */
void testref_initial(const testref_chain *c, const double *initial, const int *start, double *p0);
/* scen[x]: the scenario slot of every state, by scenmc_model_scenario_of. */
void testref_scenarios(const testref_chain *c, const scenmc_model *m, int *scen);

/* lik[Y*n]: L_y(x), the product of the likelihoods of o's observations in
 * year year_start + y (read from o's struct; o NULL: all 1). */
void testref_likelihoods(const testref_chain *c, const struct scenmc_observations *o, int year_start, int Y,
                         double *lik);

/* Forward filter, normalised each year: alpha_0 = p0 .* L_0, alpha_y =
 * (alpha_{y-1} E) .* L_y; lik[Y*n] (L_y of each state). Returns log P(all
 * observations) = sum_y log sum alpha_y; with scen_prob (scen[n], S slots)
 * fills scen_prob[Y*S], the filtered scenario laws. Stops at a year of
 * probability 0 (then -inf). */
double testref_filter(int n, int Y, const gsl_matrix *E, const double *p0, const double *lik, const int *scen,
                      int S, double *scen_prob);

/* Forward-backward, not normalised: post[y*n+x] = P(state x at y, all
 * observations) = alpha_y(x) beta_y(x) with alpha_0 = p0 .* L_0, alpha_y =
 * (alpha_{y-1} E) .* L_y, beta_{Y-1} = 1, beta_y = E (L_{y+1} .* beta_{y+1});
 * returns the evidence sum alpha_{Y-1}. */
double testref_forward_backward(int n, int Y, const gsl_matrix *E, const double *p0, const double *lik,
                                double *post);

/* Sums over every path x_0..x_{Y-1} of weight p0(x_0) L_0(x_0) prod_y K_y(x_{y-1}, x_y) L_y(x_y),
 * accumulated into the results' tables, not yet divided. */
typedef struct testref_paths {
    int n, Y, S, V;
    double total;       /* sum of all weights: the observations' probability */
    double *sc;         /* [Y*S] scenario a at year y */
    double *lock;       /* [Y*S] final scenario a reached for good at year y */
    double *tr;         /* [Y*S*S] scenario a at y and b at y + 1 */
    double *va;         /* [Y*V] variant u at y */
    double *sv;         /* [Y*S*V] scenario a and variant u at y */
    double *ew;         /* [Y*V*S] variant u at y and final scenario a */
    double *fin;        /* [n] final state */
    /* Called for every path of non-zero weight (after the tables), or NULL. */
    void (*leaf)(const int *path, double w, void *ctx);
    void *ctx;
} testref_paths;

/* K[y] (y = 1..Y-1): n x n row-major, the step from year y-1 to y; lik[Y*n]
 * or NULL (all 1); scen[n] with S slots. Paths of weight 0 are skipped. */
void testref_paths_run(testref_paths *t, const testref_chain *c, int Y, const double *p0, const double *const *K,
                       const double *lik, const int *scen, int S);
void testref_paths_free(testref_paths *t);

/* Pearson chi-square p-value of counts obs[n] against probabilities prob[n]
 * out of total: cells whose expected count is below 5 are pooled into one;
 * counts where the probability is (almost) 0 give 0; under 2 cells give 1. */
double testref_chi2_pvalue(const double *obs, const double *prob, size_t n, double total);
/* The same for integer counts (the results' tables). */
double testref_chi2_pvalue_counts(const uint64_t *obs, const double *prob, size_t n, uint64_t total);

#endif
