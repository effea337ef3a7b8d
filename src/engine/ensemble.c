/* Judgement-uncertainty ensembles: the consistency matrix treated as uncertain
 * expert judgement, members drawn around it, each running its own disjoint
 * share of the trajectory range so that the pooled tables stay exact counts. */
#include "engine/ensemble.h"
#include "engine/rng.h"
#include "base/util.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Streams for matrix draws, far from any trajectory index. */
#define ENSEMBLE_STREAM (UINT64_C(1) << 63)

static const double levels[5] = {0.05, 0.25, 0.5, 0.75, 0.95};

/* The quantiles at levels[] of the members' values of each cell: members
 * [M][size] -> q [5][size]; NaN members (0/0) are left out, NaN when all are. */
static double *member_quantiles(const double *members, int M, size_t size)
{
    double *q = scenmc__xcalloc(5 * size + 1, sizeof(double));
    double *col = scenmc__xcalloc((size_t)M, sizeof(double));
    for (size_t i = 0; i < size; i++) {
        size_t n = 0;
        for (int j = 0; j < M; j++) {
            double x = members[(size_t)j * size + i];
            if (!isnan(x))
                col[n++] = x;
        }
        if (n)
            gsl_sort(col, 1, n);
        for (int l = 0; l < 5; l++)
            q[(size_t)l * size + i] = n ? gsl_stats_quantile_from_sorted_data(col, 1, n, levels[l]) : NAN;
    }
    free(col);
    return q;
}

/* Member j's matrix: every scored consistency score plus N(0, sd), clipped to the scale. */
static void member_params(const scenmc_model *m, const scenmc_params *p, int j, double sd,
                          scenmc_params *q)
{
    size_t V = (size_t)m->n_variants;
    scenmc_params_copy(q, p);
    scenmc__rng rng;
    scenmc__rng_init(&rng, p->seed, ENSEMBLE_STREAM + (uint64_t)j);
    for (size_t u = 0; u < V; u++)
        for (size_t v = u + 1; v < V; v++)
            if (m->scored[u * V + v]) {
                double z = gsl_cdf_ugaussian_Pinv(scenmc__rng_uniform53(&rng));
                double x = m->consistency[u * V + v] + sd * z;
                x = fmin(fmax(x, m->scale_c[0]), m->scale_c[1]);
                scenmc_params_add_cell(q, (int)u, (int)v, 0, x);
            }
}

/* Runs the members, pooling their counts into r and keeping each member's
 * probabilities of every table but final_state: members[k] [M][size]. */
static scenmc_status run_members(const scenmc_model *m, const scenmc_params *p, int M, double sd,
                                 const scenmc_run_options *opt, scenmc_results *r,
                                 double *members[SCENMC_N_TABLES], scenmc_error *err)
{
    scenmc_status st = SCENMC_OK;
    for (int j = 0; j < M && st == SCENMC_OK; j++) {
        scenmc_params q;
        member_params(m, p, j, sd, &q);
        scenmc_run_options o = opt ? *opt : (scenmc_run_options){0};
        o.first = p->n_trajectories * (uint64_t)j / (uint64_t)M;
        o.last = p->n_trajectories * (uint64_t)(j + 1) / (uint64_t)M;
        scenmc_results part;
        st = scenmc_run(m, &q, &o, j == 0 ? r : &part, err);
        scenmc_params_free(&q);
        if (st != SCENMC_OK)
            break;
        scenmc_results *mine = j == 0 ? r : &part;
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            size_t size = r->t[k].size;
            if (k == SCENMC_T_FINAL_STATE || mine->t[k].size != size)
                continue;
            if (j == 0)
                members[k] = scenmc__xcalloc((size_t)M * size + 1, sizeof(double));
            memcpy(members[k] + (size_t)j * size, mine->t[k].prob, sizeof(double) * size);
        }
        if (j > 0) {
            st = scenmc_results_add(r, &part, err);
            scenmc_results_free(&part);
        }
    }
    if (st != SCENMC_OK && members[SCENMC_T_SCENARIO])
        scenmc_results_free(r);
    return st;
}

scenmc_status scenmc_run_ensemble(const scenmc_model *m, const scenmc_params *p, int n_members,
                                  double sd, const scenmc_run_options *opt, scenmc_results *r,
                                  scenmc_ensemble_info *info, scenmc_error *err)
{
    memset(info, 0, sizeof *info);
    if (n_members < 1 || (uint64_t)n_members > p->n_trajectories)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--ensemble %d: expected 1 to N members",
                                n_members);
    if (!(sd >= 0) || !isfinite(sd))
        return scenmc_error_add(err, SCENMC_E_INPUT, "--judgement-sd %g: expected a number >= 0", sd);
    size_t V = (size_t)m->n_variants;
    double *members[SCENMC_N_TABLES] = {0};
    scenmc_status st = run_members(m, p, n_members, sd, opt, r, members, err);
    if (st != SCENMC_OK) {
        for (int k = 0; k < SCENMC_N_TABLES; k++)
            free(members[k]);
        return st;
    }
    /* The pooled file's parameters: the base ones, with every scored cell set to the
     * model's own value (the members' cells widened the consistency bins the same way,
     * so a reader recomputes the same shape from them). */
    scenmc_params_free(&r->params);
    scenmc_params_copy(&r->params, p);
    for (size_t u = 0; u < V; u++)
        for (size_t v = u + 1; v < V; v++)
            if (m->scored[u * V + v])
                scenmc_params_add_cell(&r->params, (int)u, (int)v, 0, m->consistency[u * V + v]);
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        if (members[k] && k != SCENMC_T_SCENARIO) {
            info->table_quantiles[k] = member_quantiles(members[k], n_members, r->t[k].size);
            free(members[k]);
        }
    }
    info->n_members = n_members;
    info->judgement_sd = sd;
    info->seed = p->seed;
    info->scenario_prob = members[SCENMC_T_SCENARIO];
    info->n_quantiles = 5;
    info->quantile_levels = levels;
    info->quantiles = member_quantiles(members[SCENMC_T_SCENARIO], n_members,
                                       r->t[SCENMC_T_SCENARIO].size);
    info->table_quantiles[SCENMC_T_SCENARIO] = info->quantiles;
    return SCENMC_OK;
}

void scenmc_ensemble_free(scenmc_ensemble_info *info)
{
    free((double *)info->scenario_prob);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (k != SCENMC_T_SCENARIO)
            free((double *)info->table_quantiles[k]);
    free((double *)info->quantiles);
    memset(info, 0, sizeof *info);
}
