/* scenmc export of a calibration file (cli/export_calibrate.h). */
#include "cli/export_calibrate.h"
#include "cli/export_kinds.h"
#include "cli/cli.h"

#include <math.h>
#include <string.h>

const char *const export_cal_names[EXPORT_CAL_N] = {
    "calibration_points", "calibration_parameters", "calibration_predictive", "calibration_point_scenario",
    "calibration_observations", "metadata"};

int export_calib_read(const char *path, export_calib *x)
{
    memset(x, 0, sizeof *x);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status st = scenmc_calibration_read(path, &x->m, &x->base, &x->obs, &x->c, &x->info, &err);
    if (st != SCENMC_OK) {
        cli_print_error("export", &err);
        memset(x, 0, sizeof *x);
        return cli_exit_code(st);
    }
    return 0;
}

void export_calib_free(export_calib *x)
{
    scenmc_calibration_free(&x->c);
    scenmc_observations_free(&x->obs);
    scenmc_params_free(&x->base);
    scenmc_results_info_free(&x->info);
    scenmc_model_free(x->m);
    memset(x, 0, sizeof *x);
}

/* point, then one column per parameter (the header, or point i's values). */
static void head_point(csv *c, const scenmc_calibration *k)
{
    csv_text(c, "point");
    for (int j = 0; j < k->n_params; j++)
        csv_text(c, k->param_name[j]);
}

static void point_cols(csv *c, const scenmc_calibration *k, int i)
{
    csv_int(c, i);
    for (int j = 0; j < k->n_params; j++)
        csv_double(c, k->value[(size_t)i * (size_t)k->n_params + (size_t)j]);
}

/* point, the parameters, log_likelihood, [likelihood_se, effective_size],
 * log_prior, prior, posterior, credible. */
static void cal_points(csv *c, const scenmc_calibration *k)
{
    int mc = k->likelihood_se && k->effective_size;
    head_point(c, k);
    csv_text(c, "log_likelihood");
    if (mc) {
        csv_text(c, "likelihood_se"); csv_text(c, "effective_size");
    }
    csv_text(c, "log_prior"); csv_text(c, "prior"); csv_text(c, "posterior"); csv_text(c, "credible"); csv_end(c);
    for (int i = 0; i < k->n_points; i++) {
        point_cols(c, k, i);
        csv_double(c, k->log_likelihood[i]);
        if (mc) {
            csv_double(c, k->likelihood_se[i]); csv_double(c, k->effective_size[i]);
        }
        csv_double(c, k->log_prior[i]); csv_double(c, exp(k->log_prior[i])); csv_double(c, k->posterior[i]);
        csv_int(c, k->credible[i] != 0); csv_end(c);
    }
}

/* parameter, prior, posterior_mean, posterior_sd, credible_min, credible_max. */
static void cal_parameters(csv *c, const scenmc_calibration *k)
{
    csv_text(c, "parameter"); csv_text(c, "prior"); csv_text(c, "posterior_mean"); csv_text(c, "posterior_sd");
    csv_text(c, "credible_min"); csv_text(c, "credible_max"); csv_end(c);
    for (int j = 0; j < k->n_params; j++) {
        double lo, hi;
        scenmc_calibration_credible_range(k, j, &lo, &hi);
        csv_text(c, k->param_name[j]); csv_text(c, k->log_uniform[j] ? "log-uniform" : "uniform");
        csv_double(c, k->post_mean[j]); csv_double(c, k->post_sd[j]); csv_double(c, lo); csv_double(c, hi);
        csv_end(c);
    }
}

/* year, scenario, probability: the posterior-predictive table. */
static void cal_predictive(csv *c, const export_calib *x)
{
    const scenmc_calibration *k = &x->c;
    scenmc_results names;
    memset(&names, 0, sizeof names);
    names.model = x->m; /* for the scenario columns: only the model is used */
    csv_text(c, "year"); export_head_key(c, "scenario"); csv_text(c, "probability"); csv_end(c);
    for (int y = 0; y < k->n_years; y++)
        for (int s = 0; s < k->n_scenarios; s++) {
            csv_int(c, x->base.year_start + y); export_key_scen(c, &names, (size_t)s);
            csv_double(c, k->predictive[(size_t)y * (size_t)k->n_scenarios + (size_t)s]); csv_end(c);
        }
}

/* point, the parameters, year, scenario, probability: each point's table. */
static void cal_point_scenario(csv *c, const export_calib *x)
{
    const scenmc_calibration *k = &x->c;
    size_t Y = (size_t)k->n_years, S = (size_t)k->n_scenarios;
    scenmc_results names;
    memset(&names, 0, sizeof names);
    names.model = x->m;
    head_point(c, k);
    csv_text(c, "year"); export_head_key(c, "scenario"); csv_text(c, "probability"); csv_end(c);
    for (int i = 0; i < k->n_points; i++)
        for (size_t y = 0; y < Y; y++)
            for (size_t s = 0; s < S; s++) {
                point_cols(c, k, i);
                csv_int(c, x->base.year_start + (long)y); export_key_scen(c, &names, s);
                csv_double(c, k->point_scenario[((size_t)i * Y + y) * S + s]); csv_end(c);
            }
}

/* observation, year, descriptor, variant, likelihood, hard, where: one row
 * per observation and variant of its descriptor. */
static void cal_observations(csv *c, const export_calib *x)
{
    const scenmc_model *m = x->m;
    csv_text(c, "observation"); csv_text(c, "year"); export_head_var(c); csv_text(c, "likelihood");
    csv_text(c, "hard"); csv_text(c, "where"); csv_end(c);
    for (int i = 0; i < x->obs.n; i++) {
        const scenmc_observation *ob = &x->obs.obs[i];
        for (int b = 0; b < ob->n_variants; b++) {
            csv_int(c, i); csv_int(c, ob->year);
            export_key_var(c, m, (size_t)(m->descriptors[ob->descriptor].offset + b));
            csv_double(c, ob->likelihood[b]); csv_int(c, ob->hard); csv_text(c, ob->where ? ob->where : "");
            csv_end(c);
        }
    }
}

static void cal_meta(csv *c, const export_calib *x)
{
    const scenmc_calibration *k = &x->c;
    export_params_meta(c, &x->info, x->m, &x->base);
    export_kv(c, "likelihood_method", k->method == SCENMC_EXACT ? "exact" : "monte-carlo");
    export_kv_int(c, "n_points", k->n_points);
    export_kv_int(c, "n_params", k->n_params);
    export_kv_double(c, "credible_level", k->level);
    export_kv_double(c, "credible_mass", k->credible_mass);
    export_kv_int(c, "n_credible", k->n_credible);
    export_kv_double(c, "log_marginal_likelihood", k->log_marginal);
    if (k->method != SCENMC_EXACT)
        export_kv_u64(c, "n_trajectories", k->n_trajectories);
    export_kv_int(c, "n_observations", x->obs.n);
    export_kv(c, "observations_source", x->obs.source ? x->obs.source : "");
    export_kv_double(c, "wall_seconds", k->wall_seconds);
}

void export_cal_table(csv *c, const export_calib *x, int k)
{
    switch (k) {
    case EXPORT_CAL_POINTS: cal_points(c, &x->c); break;
    case EXPORT_CAL_PARAMETERS: cal_parameters(c, &x->c); break;
    case EXPORT_CAL_PREDICTIVE: cal_predictive(c, x); break;
    case EXPORT_CAL_POINT_SCENARIO: cal_point_scenario(c, x); break;
    case EXPORT_CAL_OBSERVATIONS: cal_observations(c, x); break;
    default: cal_meta(c, x); break;
    }
}
