/* Sensitivity studies: parameter sweeps (grid or Latin hypercube) and the
 * paired matrix-cell sensitivity, all with common random numbers. */
#ifndef SCENMC_SWEEP_H
#define SCENMC_SWEEP_H

#include "scenmc/scenmc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum scenmc_sweep_kind {
    SCENMC_SWEEP_BETA,          /* beta */
    SCENMC_SWEEP_RATE,          /* rate: every descriptor */
    SCENMC_SWEEP_RATE_ONE,      /* rate.ID */
    SCENMC_SWEEP_W_CONSISTENCY, /* w-consistency */
    SCENMC_SWEEP_W_CROSS,       /* w-cross */
    SCENMC_SWEEP_INITIAL,       /* initial.ID=VARIANT: its start probability */
    SCENMC_SWEEP_CELL,          /* cell:ID=V,ID=W (C, symmetric) or cross:ID=V,ID=W (X, from -> to) */
    /* The changes over time (scenmc/schedule.h); K counts the changes of the
     * kind in params.schedule from 1 (the model file's first, then the command
     * line's). */
    SCENMC_SWEEP_TREND_SCALE,   /* trend.K.scale: every knot value of trend K times x */
    SCENMC_SWEEP_INTERVENE_YEAR,/* intervene.K.year: the first year of intervention K */
    SCENMC_SWEEP_SHOCK_HAZARD   /* shock.K.hazard: shock K's hazard per year */
} scenmc_sweep_kind;

typedef struct scenmc_sweep_param {
    char *name;          /* as given, without "=SPEC" */
    scenmc_sweep_kind kind;
    int d, b;            /* descriptor (rate.ID, initial) and variant (initial) */
    int u, v, cross;     /* the cell (global variant indices) */
    int change;          /* trend, intervene, shock: K - 1 */
    int n_values;
    double *values;      /* the grid values */
    double lo, hi;       /* their range (Latin hypercube) */
} scenmc_sweep_param;

/* Parses "NAME=SPEC"; SPEC is start:stop:step, lin:start:stop:count or a,b,c. */
scenmc_status scenmc_sweep_param_parse(const scenmc_model *m, const char *arg, scenmc_sweep_param *p,
                                       scenmc_error *err);
void scenmc_sweep_param_free(scenmc_sweep_param *p);
/* The design's points, values[P][K] (malloc'd): the full grid when
 * lhs_points == 0, else that many Latin-hypercube points over each range. */
scenmc_status scenmc_sweep_design(const scenmc_sweep_param *ps, int K, int lhs_points, uint64_t seed,
                                  double **values, int *n_points, scenmc_error *err);
/* Sets one point's values in p (a copy of the base parameters). */
scenmc_status scenmc_sweep_apply(const scenmc_model *m, const scenmc_sweep_param *ps, int K,
                                 const double *point, scenmc_params *p, scenmc_error *err);

typedef struct scenmc_sensitivity_result {
    int n_cells, n_scenarios;
    double delta;
    uint64_t n_trajectories;
    int *u, *v;                 /* [n_cells] the scored consistency cells (u < v) */
    double *base_value, *minus_value, *plus_value; /* [n_cells] (clipped to the scale) */
    double *p_minus, *p_plus;   /* [n_cells][S] final-year scenario probabilities */
    double *effect;             /* [n_cells][S] p_plus - p_minus */
    double *stderr_;            /* [n_cells][S] paired standard error of effect */
    double wall_seconds;
} scenmc_sensitivity_result;

/* Every scored consistency cell at -delta and +delta (clipped to the scale),
 * paired trajectory by trajectory. */
scenmc_status scenmc_sensitivity(const scenmc_model *m, const scenmc_params *base, double delta,
                                 int threads, int (*progress)(void *, uint64_t, uint64_t, double),
                                 void *progress_ctx, scenmc_sensitivity_result *out,
                                 scenmc_error *err);
void scenmc_sensitivity_free(scenmc_sensitivity_result *s);

#ifdef __cplusplus
}
#endif
#endif
