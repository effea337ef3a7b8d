/* The calibration file (docs/signposts.md, section 5) and its reader: after
 * the root attributes (method "calibrate"), /model and /params of the
 * results format, the group /calibrate holds the coordinate variables point,
 * param, year, scenario, observation and variant (HDF5 dimension scales, so
 * netCDF readers see named dimensions) and
 *   value [point, param], log_prior, log_likelihood, posterior, credible
 *   [point] (likelihood_se and effective_size [point] for Monte Carlo),
 *   prior, posterior_mean, posterior_sd [param],
 *   point_scenario_probability [point, year, scenario],
 *   predictive_scenario_probability [year, scenario],
 *   observation_year, observation_descriptor, observation_hard,
 *   observation_where [observation], observation_likelihood [observation,
 *   variant] (NaN for the variants of other descriptors). */
#include "io/calibrate_write.h"
#include "io/axes.h"
#include "io/h5.h"
#include "io/kind_write.h"
#include "io/results_read.h"
#include "base/util.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { D_POINT, D_PARAM, D_YEAR, D_SCENARIO, D_OBS, D_VARIANT, N_DIMS };
static const char *const dim_names[N_DIMS] = {"point", "param", "year", "scenario", "observation", "variant"};

typedef struct cw {
    const scenmc_model *m;
    const scenmc_params *p;
    const scenmc_observations *o;
    const scenmc_calibration *c;
    hid_t g;
    scenmc__axes ax;
} cw;

/* The six coordinate variables. */
static void cw_axes(cw *w)
{
    scenmc__axes *ax = &w->ax;
    scenmc__axes_coord_index(ax, D_POINT, "design point (row of value)");
    scenmc__axes_coord_strings(ax, D_PARAM, (const char *const *)w->c->param_name, "calibrated parameter");
    scenmc__axes_coord_years(ax, D_YEAR, w->p->year_start, "observation year");
    scenmc__axes_coord_scenarios(ax, D_SCENARIO, w->m, "scenario");
    scenmc__axes_coord_index(ax, D_OBS, "observation, in the order given");
    scenmc__axes_coord_variants(ax, D_VARIANT, w->m, "variant (descriptor=variant)");
}

/* The observations: year, descriptor, hard, where, likelihood per variant. */
static void cw_observations(cw *w)
{
    const scenmc_observations *o = w->o;
    const scenmc_model *m = w->m;
    size_t n = (size_t)o->n, V = (size_t)m->n_variants;
    int32_t *year = scenmc__xcalloc(n + 1, sizeof(int32_t)), *hard = scenmc__xcalloc(n + 1, sizeof(int32_t));
    const char **id = scenmc__xcalloc(n + 1, sizeof(char *)), **where = scenmc__xcalloc(n + 1, sizeof(char *));
    double *lik = scenmc__xcalloc(n * V + 1, sizeof(double));
    for (size_t k = 0; k < n; k++) {
        const scenmc_observation *ob = &o->obs[k];
        year[k] = ob->year, hard[k] = ob->hard;
        id[k] = m->descriptors[ob->descriptor].id;
        where[k] = ob->where ? ob->where : "";
        for (size_t v = 0; v < V; v++)
            lik[k * V + v] = NAN;
        for (int b = 0; b < ob->n_variants; b++)
            lik[k * V + (size_t)(m->descriptors[ob->descriptor].offset + b)] = ob->likelihood[b];
    }
    int d1 = D_OBS, d2[2] = {D_OBS, D_VARIANT};
    scenmc__axes_var(&w->ax, "observation_year", H5T_NATIVE_INT32, 1, &d1, year, "year of the observation", NULL);
    scenmc__axes_strings(&w->ax, "observation_descriptor", D_OBS, id, "descriptor observed (id)");
    scenmc__axes_var(&w->ax, "observation_hard", H5T_NATIVE_INT32, 1, &d1, hard, "1: hard evidence (one variant seen)", NULL);
    scenmc__axes_strings(&w->ax, "observation_where", D_OBS, where, "where the observation was given");
    scenmc__axes_var(&w->ax, "observation_likelihood", H5T_NATIVE_DOUBLE, 2, d2, lik,
           "P(what was seen | the descriptor at the variant); NaN: another descriptor's variant", "1");
    free(year);
    free(hard);
    free(id);
    free(where);
    free(lik);
}

/* The group's attributes: how the likelihoods were computed and the summary. */
static void cw_attrs(cw *w)
{
    const scenmc_calibration *c = w->c;
    hid_t g = w->g;
    int32_t nc = c->n_credible;
    uint64_t n = c->n_trajectories, seed = c->seed;
    if (!scenmc__h5_put_attr_str(g, "likelihood_method", c->method == SCENMC_EXACT ? "exact" : "monte-carlo", 0) ||
        !scenmc__h5_put_attr_str(g, "prior", "each design point has prior mass proportional to the "
                                 "product over parameters of 1 (uniform) or 1/value (log-uniform), "
                                 "normalised over the points", 0) ||
        !scenmc__h5_put_attr(g, "credible_level", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &c->level) ||
        !scenmc__h5_put_attr(g, "credible_mass", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &c->credible_mass) ||
        !scenmc__h5_put_attr(g, "n_credible", H5T_STD_I32LE, H5T_NATIVE_INT32, &nc) ||
        !scenmc__h5_put_attr(g, "log_marginal_likelihood", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &c->log_marginal) ||
        !scenmc__h5_put_attr(g, "n_trajectories", H5T_STD_U64LE, H5T_NATIVE_UINT64, &n) ||
        !scenmc__h5_put_attr(g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed) ||
        !scenmc__h5_put_attr(g, "wall_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &c->wall_seconds) ||
        !scenmc__h5_put_attr_str(g, "observations_source", w->o->source ? w->o->source : "", 0))
        w->ax.ok = 0;
    if (w->o->start) {
        char *txt = scenmc__xcalloc((size_t)w->m->n_descriptors * 3 * 80 + 1, 1);
        size_t at = 0;
        for (int d = 0; d < w->o->n_start && d < w->m->n_descriptors; d++)
            at += (size_t)snprintf(txt + at, 240, "%s%s=%s", d ? "," : "", w->m->descriptors[d].id,
                                   w->m->variant_name[w->m->descriptors[d].offset + w->o->start[d]]);
        if (!scenmc__h5_put_attr_str(g, "observed_start", txt, 0))
            w->ax.ok = 0;
        free(txt);
    }
}

/* The design, the likelihoods and the posterior. */
static void cw_tables(cw *w)
{
    const scenmc_calibration *c = w->c;
    int dP = D_POINT, dK = D_PARAM, dPK[2] = {D_POINT, D_PARAM};
    int dPYS[3] = {D_POINT, D_YEAR, D_SCENARIO}, dYS[2] = {D_YEAR, D_SCENARIO};
    scenmc__axes_var(&w->ax, "value", H5T_NATIVE_DOUBLE, 2, dPK, c->value, "the parameter's value at the point", NULL);
    scenmc__axes_var(&w->ax, "log_prior", H5T_NATIVE_DOUBLE, 1, &dP, c->log_prior, "log of the point's prior mass", NULL);
    scenmc__axes_var(&w->ax, "log_likelihood", H5T_NATIVE_DOUBLE, 1, &dP, c->log_likelihood,
           "log P(observations | parameters at the point)", NULL);
    if (c->likelihood_se) {
        scenmc__axes_var(&w->ax, "likelihood_se", H5T_NATIVE_DOUBLE, 1, &dP, c->likelihood_se,
               "standard error of the Monte Carlo estimate of P(observations | point)", "1");
        scenmc__axes_var(&w->ax, "effective_size", H5T_NATIVE_DOUBLE, 1, &dP, c->effective_size,
               "Kish's effective sample size of the weighted trajectories", "1");
    }
    scenmc__axes_var(&w->ax, "posterior", H5T_NATIVE_DOUBLE, 1, &dP, c->posterior, "posterior mass of the point", "1");
    int32_t *cred = scenmc__xcalloc((size_t)c->n_points + 1, sizeof(int32_t));
    for (int i = 0; i < c->n_points; i++)
        cred[i] = c->credible[i];
    scenmc__axes_var(&w->ax, "credible", H5T_NATIVE_INT32, 1, &dP, cred,
           "1: in the highest-posterior credible set of credible_level", NULL);
    free(cred);
    const char **pr = scenmc__xcalloc((size_t)c->n_params + 1, sizeof(char *));
    for (int j = 0; j < c->n_params; j++)
        pr[j] = c->log_uniform[j] ? "log-uniform" : "uniform";
    scenmc__axes_strings(&w->ax, "prior", D_PARAM, pr, "prior density of the parameter on the design's range");
    free(pr);
    scenmc__axes_var(&w->ax, "posterior_mean", H5T_NATIVE_DOUBLE, 1, &dK, c->post_mean, "posterior mean", NULL);
    scenmc__axes_var(&w->ax, "posterior_sd", H5T_NATIVE_DOUBLE, 1, &dK, c->post_sd, "posterior standard deviation", NULL);
    scenmc__axes_var(&w->ax, "point_scenario_probability", H5T_NATIVE_DOUBLE, 3, dPYS, c->point_scenario,
           c->method == SCENMC_EXACT ? "P(scenario at year | observations up to the year, point)"
                                     : "P(scenario at year | all observations, point)", "1");
    scenmc__axes_var(&w->ax, "predictive_scenario_probability", H5T_NATIVE_DOUBLE, 2, dYS, c->predictive,
           "posterior mixture over the points of point_scenario_probability", "1");
}

static int cw_add(hid_t file, const void *ctx)
{
    cw w = *(const cw *)ctx;
    if ((w.g = scenmc__kind_group(file, "calibrate", &w.ax, N_DIMS, dim_names, 0)) < 0)
        return 0;
    w.ax.len[D_POINT] = (hsize_t)w.c->n_points, w.ax.len[D_PARAM] = (hsize_t)w.c->n_params;
    w.ax.len[D_YEAR] = (hsize_t)w.c->n_years, w.ax.len[D_SCENARIO] = (hsize_t)w.c->n_scenarios;
    w.ax.len[D_OBS] = (hsize_t)w.o->n, w.ax.len[D_VARIANT] = (hsize_t)w.m->n_variants;
    cw_attrs(&w);
    cw_axes(&w);
    cw_tables(&w);
    cw_observations(&w);
    return scenmc__kind_group_close(&w.ax);
}

scenmc_status scenmc_calibration_write(const char *path, const scenmc_model *m, const scenmc_params *base,
                                       const scenmc_observations *o, const scenmc_calibration *c,
                                       const scenmc_write_options *opt, scenmc_error *err)
{
    scenmc__kind_head head = {.method = c->method, .n_trajectories = c->method == SCENMC_EXACT ? 0 : c->n_trajectories,
                              .wall_seconds = c->wall_seconds, .threads = c->threads, .file_method = "calibrate"};
    cw ctx = {.m = m, .p = base, .o = o, .c = c};
    scenmc__output_extra extra = {.add = cw_add, .ctx = &ctx, .failed = "the calibration could not be written"};
    return scenmc__kind_write(path, m, base, &head, opt, &extra, err);
}
