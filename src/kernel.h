/* Tables derived once from (model, params) for the hot loops of the Monte
 * Carlo engine and the exact solver: the hot loops see only flat arrays. */
#ifndef SCENMC_KERNEL_H
#define SCENMC_KERNEL_H

#include "scenmc/scenmc.h"

typedef struct scenmc_kernel {
    int D, V, Y, S;          /* descriptors, variants, observation years, scenario slots */
    int *offset, *n_var;     /* [D] */
    double *W;               /* [V*V] beta*(w_C*C + w_X*X), row = source variant */
    double *C;               /* [V*V] consistency (for the total consistency K) */
    double *h;               /* [V] beta*bias (zeros when none) */
    /* Multiplicative form of the field, so the hot loop needs no exp():
     * E[v] = exp(F[v]) = expH[v] * prod_j expW[s_j][v]; when descriptor j moves
     * from a to b, E *= ratio row (j, a, b) and G += dC row (j, a, b). Used when
     * the field is bounded well inside double range (use_ratio). */
    int use_ratio;
    double *expW;            /* [V*V] exp(W) */
    double *expH;            /* [V] exp(h) */
    int *pair_base;          /* [D] first row of descriptor j's (a, b) pairs */
    double *ratio;           /* [pairs*V] exp(W[o_j+b][.] - W[o_j+a][.]) */
    double *dC;              /* [pairs*V] C[o_j+b][.] - C[o_j+a][.] */
    /* Start-state fields by groups of consecutive descriptors (at most 64
     * joint variants each): one row per joint variant holds the group's
     * product of exp rows (or sum of W rows) and sum of C rows, so a
     * trajectory's start costs one row per group instead of one per descriptor. */
    int n_groups;
    int *group_first;        /* [n_groups + 1] first descriptor of each group */
    size_t *group_row;       /* [n_groups] first row of each group in the tables */
    double *group_F;         /* [rows*V] */
    double *group_G;         /* [rows*V] */
    double *init_cum;        /* [V] cumulative initial probabilities per descriptor */
    int *start;              /* [D] or NULL */
    /* yearly revision count ~ Poisson(Lambda): CDF table with a guide table */
    double lambda;
    int n_pois;              /* CDF entries */
    double *pois_cdf;        /* [n_pois], last entry 1 */
    int *pois_guide;         /* [n_pois] */
    /* which descriptor a revision hits */
    int equal_rates;
    double *desc_cum;        /* [D] cumulative lambda_i / Lambda */
    double *desc_prob;       /* [D] lambda_i / Lambda */
    /* scenario of a state: a lookup over the descriptors named in conditions */
    int *scen_stride;        /* [D] (0 for descriptors no scenario names) */
    int *scen_table;         /* [prod of named descriptors' variant counts] */
    uint64_t *state_stride;  /* [D] mixed-radix weights of the full state index */
    double bin_lo, bin_width;
    int n_bins;
    int full_states;
    int joint_tally;         /* set by the engine: see simulate.c */
    int top_states;          /* count final states in a map (too many for a table) */
} scenmc_kernel;

scenmc_status scenmc_kernel_init(scenmc_kernel *k, const scenmc_model *m, const scenmc_params *p,
                                 const scenmc_results *shape, scenmc_error *err);
void scenmc_kernel_free(scenmc_kernel *k);

/* Heat-bath probabilities of descriptor i's variants given the field F
 * (F[u] = h[u] + sum_j W[s_j][u]); writes n_var[i] values to prob. */
void scenmc_kernel_heat_bath(const scenmc_kernel *k, const double *F, int i, double *prob);

/* K(s) from the kernel's consistency matrix (overrides applied). */
double scenmc_kernel_total_consistency(const scenmc_kernel *k, const int *s);

#endif
