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
    scenmc_status st = SCENMC_OK;
    double *member_prob = NULL;
    int Y = 0, S = 0;
    for (int j = 0; j < n_members && st == SCENMC_OK; j++) {
        scenmc_params q;
        scenmc_params_copy(&q, p);
        scenmc__rng rng;
        scenmc__rng_init(&rng, p->seed, ENSEMBLE_STREAM + (uint64_t)j);
        for (size_t u = 0; u < V; u++)
            for (size_t v = u + 1; v < V; v++)
                if (m->scored[u * V + v]) {
                    double z = gsl_cdf_ugaussian_Pinv(scenmc__rng_uniform53(&rng));
                    double x = m->consistency[u * V + v] + sd * z;
                    x = fmin(fmax(x, m->scale_c[0]), m->scale_c[1]);
                    scenmc_params_add_cell(&q, (int)u, (int)v, 0, x);
                }
        scenmc_run_options o = opt ? *opt : (scenmc_run_options){0};
        o.first = p->n_trajectories * (uint64_t)j / (uint64_t)n_members;
        o.last = p->n_trajectories * (uint64_t)(j + 1) / (uint64_t)n_members;
        scenmc_results part;
        st = scenmc_run(m, &q, &o, j == 0 ? r : &part, err);
        scenmc_params_free(&q);
        if (st != SCENMC_OK)
            break;
        scenmc_results *mine = j == 0 ? r : &part;
        if (j == 0) {
            Y = r->n_years;
            S = r->n_scenarios;
            member_prob = scenmc__xcalloc((size_t)n_members * (size_t)Y * (size_t)S, sizeof(double));
        }
        memcpy(member_prob + (size_t)j * (size_t)Y * (size_t)S, mine->t[SCENMC_T_SCENARIO].prob,
               sizeof(double) * (size_t)Y * (size_t)S);
        if (j > 0) {
            st = scenmc_results_add(r, &part, err);
            scenmc_results_free(&part);
        }
    }
    if (st != SCENMC_OK) {
        if (member_prob)
            scenmc_results_free(r);
        free(member_prob);
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
    double *q = scenmc__xcalloc(5 * (size_t)Y * (size_t)S, sizeof(double));
    double *col = scenmc__xcalloc((size_t)n_members, sizeof(double));
    for (int y = 0; y < Y; y++)
        for (int s = 0; s < S; s++) {
            for (int j = 0; j < n_members; j++)
                col[j] = member_prob[((size_t)j * (size_t)Y + (size_t)y) * (size_t)S + (size_t)s];
            gsl_sort(col, 1, (size_t)n_members);
            for (int l = 0; l < 5; l++)
                q[((size_t)l * (size_t)Y + (size_t)y) * (size_t)S + (size_t)s] =
                    gsl_stats_quantile_from_sorted_data(col, 1, (size_t)n_members, levels[l]);
        }
    free(col);
    info->n_members = n_members;
    info->judgement_sd = sd;
    info->scenario_prob = member_prob;
    info->n_quantiles = 5;
    info->quantile_levels = levels;
    info->quantiles = q;
    return SCENMC_OK;
}

void scenmc_ensemble_free(scenmc_ensemble_info *info)
{
    free((double *)info->scenario_prob);
    free((double *)info->quantiles);
    memset(info, 0, sizeof *info);
}
