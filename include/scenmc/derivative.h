/* Derivatives of the scenario probabilities with respect to every parameter
 * of the dynamics (docs/sensitivity.md): the parameter list, and the result
 * that the exact (adjoint) and the Monte Carlo (score-function) methods fill
 * alike. */
#ifndef SCENMC_DERIVATIVE_H
#define SCENMC_DERIVATIVE_H

#include "scenmc/scenmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a parameter is. A consistency cell is one unordered pair: C[u][v] and
 * C[v][u] move together (the derivative is the sum of both partials). */
typedef enum scenmc_dparam_kind {
    SCENMC_DP_CONSISTENCY = 0, /* C[u][v] = C[v][u], u < v, different descriptors */
    SCENMC_DP_CROSS,           /* X[u][v]: source variant u, target variant v */
    SCENMC_DP_BETA,
    SCENMC_DP_W_CONSISTENCY,
    SCENMC_DP_W_CROSS,
    SCENMC_DP_RATE,            /* lambda of descriptor u */
    SCENMC_DP_BIAS,            /* h of variant u */
    SCENMC_DP_N_KINDS
} scenmc_dparam_kind;

extern const char *const scenmc_dparam_kind_names[SCENMC_DP_N_KINDS];

typedef struct scenmc_dparam {
    scenmc_dparam_kind kind;
    int u, v;        /* variants (cells, bias) or the descriptor (rate); -1 unused */
    double value;    /* its value in the run (overrides applied) */
    double step;     /* the elasticity's step: 1 scale point for cells and biases,
                      * a tenth of the value for beta, weights and rates */
    int scored;      /* cells: the model file scores it */
    char *label;     /* "C:IK=Lokala aktörer,KR=Offentliga" , "beta", "rate:DA", ... */
} scenmc_dparam;

/* Every parameter of (m, p), in a fixed order: consistency cells (u < v, row
 * by row), cross-impact cells (when the model has X), beta, w_C, w_X (when X),
 * the rates, the biases. */
scenmc_status scenmc_dparams_list(const scenmc_model *m, const scenmc_params *p, scenmc_dparam **out,
                                  int *n, scenmc_error *err);
void scenmc_dparams_free(scenmc_dparam *list, int n);

/* dP/dtheta for every parameter theta and every entry of three tables.
 * Arrays are [n_param][...] row-major; the *_se arrays are the Monte Carlo
 * standard errors (NULL for the exact method). scenario_variant is the
 * derivative of the conditional P(v | scenario, year), NaN where
 * P(scenario, year) = 0. */
typedef struct scenmc_derivatives {
    char method[16];           /* "exact" or "score" */
    int n_param;
    scenmc_dparam *param;      /* [n_param] (owned) */
    int Y, S, V;               /* years, scenario slots, variants */
    double *scenario;          /* [n_param][Y][S] */
    double *variant;           /* [n_param][Y][V] */
    double *scenario_variant;  /* [n_param][Y][S][V] */
    double *scenario_se, *variant_se, *scenario_variant_se;
    uint64_t n_trajectories;   /* score method; 0 exact */
    double wall_seconds;
} scenmc_derivatives;

void scenmc_derivatives_free(scenmc_derivatives *d);

/* Exact derivatives by reverse-mode differentiation of the exact solver
 * (method "exact"): P(scenario, year) always; P(variant, year) and
 * P(variant | scenario, year) too when all_tables (else those arrays are
 * NULL). Needs the exact solver's memory (SCENMC_E_LIMIT otherwise).
 * progress (may be NULL) is called after each block of outputs; a nonzero
 * return stops with SCENMC_E_INTERRUPTED. */
scenmc_status scenmc_exact_derivatives(const scenmc_model *m, const scenmc_params *p, int threads,
                                       int all_tables,
                                       int (*progress)(void *, uint64_t, uint64_t, double),
                                       void *progress_ctx, scenmc_derivatives *out, scenmc_error *err);

/* Writes d to an HDF5 file atomically (docs/sensitivity.md, "The derivative
 * file"): the results format's root attributes, /model and /params, and the
 * group /derivative. */
scenmc_status scenmc_derivatives_write(const char *path, const scenmc_model *m, const scenmc_params *p,
                                       const scenmc_derivatives *d, const scenmc_write_options *opt,
                                       scenmc_error *err);

#ifdef __cplusplus
}
#endif
#endif
