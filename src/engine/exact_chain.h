/* The uniformization chain of the exact solver (docs/model.md, section 10),
 * shared by the solver (exact.c) and its adjoint (adjoint.c): the transition
 * weights T, one revision M and one year A = sum_k r_k M^k applied to
 * interleaved blocks of vectors, and the forward pass over the years. */
#ifndef SCENMC_ENGINE_EXACT_CHAIN_H
#define SCENMC_ENGINE_EXACT_CHAIN_H

#include "engine/kernel.h"
#include "scenmc/observe.h"

typedef struct scenmc__chain {
    const scenmc__kernel_base *k;
    uint64_t n;           /* states */
    int D, V;
    uint64_t *stride;     /* [D] */
    double *T;            /* [n*V] transition weights (lambda_i/Lambda) P_i(b|x) */
    int n_terms;          /* Poisson terms kept */
    double *pois;         /* [n_terms] */
    double tail;          /* Poisson mass dropped: bound on the L1 error per year */
    double *work[2];      /* [n * widest block] scratch for the series */
    int threads;          /* of each parallel region (the process's setting is left alone) */
    /* Changes over time (docs/model.md, section 12); sched NULL: none, T and
     * pois are the model's own for every year. */
    const scenmc_model *m;
    const struct scenmc_schedule *sched;
    int year_start;       /* calendar year of index 0 */
    int loaded;           /* calendar year whose operator T and pois hold; SCENMC__CHAIN_OWN: the model's */
    double pois_lambda;   /* the uniformization rate of pois */
    double tail_max;      /* the largest tail over the years solved */
} scenmc__chain;

#define SCENMC__CHAIN_OWN (-2147483647 - 1)

/* Decodes x into s (last descriptor fastest); odometer steps s to x + 1. */
void scenmc__chain_decode(const scenmc__chain *c, uint64_t x, int *s);
void scenmc__chain_odometer(const scenmc__chain *c, int *s);

/* T from the kernel's matrices and p's rates. */
void scenmc__chain_build_transitions(scenmc__chain *c, const scenmc_params *p);

/* Takes p's schedule (none or empty: nothing changes): after this, T and
 * pois are loaded per year by scenmc__chain_use_year. Call after
 * scenmc__chain_poisson and before any pass. */
void scenmc__chain_schedule(scenmc__chain *c, const scenmc_model *m, const scenmc_params *p);

/* Loads the operator of year index y (from year_start + y to the next): the
 * model's own when no change acts in it (built once and reused), else T and
 * pois under the year's biases, holds (identity blocks) and shocks (extra
 * transitions at their hazards, Lambda_y = Lambda + their sum). */
void scenmc__chain_use_year(scenmc__chain *c, const scenmc_params *p, int y);

/* The holds that start at year index y (y = 0: every hold in force at the
 * start) applied to nvec interleaved vectors: forward, the distribution's
 * mass moved to "d set to v"; backward, f(x) <- f(x with d set to v). */
void scenmc__chain_hold_starts(const scenmc__chain *c, double *v, int nvec, int y, int backward);

/* out = in M (forward: distributions) or out = M in (backward: functions),
 * for nvec interleaved vectors (v[x * nvec + j]). */
void scenmc__chain_apply_M(const scenmc__chain *c, const double *in, double *out, int nvec, int backward);

/* v <- v A (forward) or A v (backward) by the truncated Poisson series;
 * work[0], work[1] must hold n * nvec doubles. */
void scenmc__chain_apply_year(scenmc__chain *c, double *v, int nvec, int backward);

/* v <- v A_j forward for nvec interleaved vectors, vector j with its own
 * Poisson weights pois[j][0 .. n_terms[j] - 1] (points that share T but not
 * the uniformization rate); n_terms must not increase with j (each term's
 * apply_M then covers only the vectors whose series goes on). Each vector
 * gets what scenmc__chain_apply_year gives it alone. */
void scenmc__chain_apply_year_each(scenmc__chain *c, double *v, int nvec, double *const *pois, const int *n_terms);

/* The Poisson weights until the dropped tail is below 1e-13. */
void scenmc__chain_poisson(scenmc__chain *c, double lambda);

/* Probability of state s at the start (the fixed start or the product of
 * the initial distributions). */
double scenmc__chain_start(const scenmc__chain *c, const scenmc_params *p, const int *s);

/* Each state's scenario (scen[n]) and the distribution at every year
 * (pt[Y][n]; pt[0] the start). */
void scenmc__chain_forward(scenmc__chain *c, const scenmc_params *p, int Y, int *scen, double **pt);

/* The state count, or 0 with an error when the exact solver would not fit
 * in memory (need: its bytes). */
uint64_t scenmc__exact_states(const scenmc_model *m, const scenmc_params *p, double *need, scenmc_error *err);
/* The same for scenmc_exact_given conditioned on o (NULL or none: as
 * scenmc__exact_states): a wider backward block and the observed years'
 * likelihood vectors. */
uint64_t scenmc__exact_states_given(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                    double *need, scenmc_error *err);

/* Physical memory of this machine in bytes. */
double scenmc__physical_memory(void);

#endif
