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
#include "io/h5.h"
#include "io/results_read.h"
#include "io/results_write.h"
#include "base/util.h"

#include <hdf5.h>
#include <hdf5_hl.h>
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
    hid_t scale[N_DIMS];
    hsize_t len[N_DIMS];
    int ok;
} cw;

/* Dataset `name` over the dimensions dims[rank] with its long_name (and
 * units unless NULL); a coordinate variable of its own dimension when coord. */
static void cw_var(cw *w, const char *name, hid_t type, int rank, const int *dims, const void *data,
                   const char *long_name, const char *units, int coord)
{
    if (!w->ok)
        return;
    hsize_t ext[3];
    for (int i = 0; i < rank; i++)
        ext[i] = w->len[dims[i]];
    hid_t space = H5Screate_simple(rank, ext, NULL);
    hid_t ds = H5Dcreate2(w->g, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    int empty = 0;
    for (int i = 0; i < rank; i++)
        empty |= ext[i] == 0;
    if (ds < 0 || (!empty && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) ||
        !scenmc__h5_put_attr_str(ds, "long_name", long_name, 0) ||
        (units && !scenmc__h5_put_attr_str(ds, "units", units, 0))) {
        w->ok = 0;
    } else if (coord) {
        if (H5DSset_scale(ds, name) < 0)
            w->ok = 0;
        w->scale[dims[0]] = ds;
        return;
    } else {
        for (int i = 0; i < rank; i++)
            if (H5DSattach_scale(ds, w->scale[dims[i]], (unsigned)i) < 0 ||
                H5DSset_label(ds, (unsigned)i, dim_names[dims[i]]) < 0)
                w->ok = 0;
    }
    if (ds >= 0)
        H5Dclose(ds);
}

static void cw_strings(cw *w, const char *name, int dim, const char *const *s, const char *long_name,
                       int coord)
{
    hid_t t = scenmc__h5_vstr_type();
    cw_var(w, name, t, 1, &dim, s, long_name, NULL, coord);
    H5Tclose(t);
}

static void cw_index(cw *w, int dim, const char *long_name)
{
    int32_t *v = scenmc__xcalloc((size_t)w->len[dim] + 1, sizeof(int32_t));
    for (hsize_t i = 0; i < w->len[dim]; i++)
        v[i] = (int32_t)i;
    cw_var(w, dim_names[dim], H5T_NATIVE_INT32, 1, &dim, v, long_name, "1", 1);
    free(v);
}

/* "ID=name" for every variant (malloc'd, V of them). */
static char **variant_labels(const scenmc_model *m)
{
    char **t = scenmc__xcalloc((size_t)m->n_variants + 1, sizeof(char *));
    for (int v = 0; v < m->n_variants; v++) {
        const char *id = m->descriptors[m->variant_descriptor[v]].id;
        size_t n = strlen(id) + strlen(m->variant_name[v]) + 2;
        t[v] = scenmc__xmalloc(n);
        snprintf(t[v], n, "%s=%s", id, m->variant_name[v]);
    }
    return t;
}

/* The six coordinate variables. */
static void cw_axes(cw *w)
{
    const scenmc_model *m = w->m;
    const scenmc_calibration *c = w->c;
    cw_index(w, D_POINT, "design point (row of value)");
    cw_strings(w, "param", D_PARAM, (const char *const *)c->param_name, "calibrated parameter", 1);
    int32_t *year = scenmc__xcalloc((size_t)c->n_years + 1, sizeof(int32_t));
    for (int y = 0; y < c->n_years; y++)
        year[y] = w->p->year_start + y;
    int dy = D_YEAR;
    cw_var(w, "year", H5T_NATIVE_INT32, 1, &dy, year, "observation year", NULL, 1);
    free(year);
    const char **sc = scenmc__xcalloc((size_t)c->n_scenarios + 1, sizeof(char *));
    for (int a = 0; a < c->n_scenarios; a++)
        sc[a] = a < m->n_scenarios ? m->scenarios[a].name : "unclassified";
    cw_strings(w, "scenario", D_SCENARIO, sc, "scenario", 1);
    free(sc);
    cw_index(w, D_OBS, "observation, in the order given");
    char **vl = variant_labels(m);
    cw_strings(w, "variant", D_VARIANT, (const char *const *)vl, "variant (descriptor=variant)", 1);
    for (int v = 0; v < m->n_variants; v++)
        free(vl[v]);
    free(vl);
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
    cw_var(w, "observation_year", H5T_NATIVE_INT32, 1, &d1, year, "year of the observation", NULL, 0);
    cw_strings(w, "observation_descriptor", D_OBS, id, "descriptor observed (id)", 0);
    cw_var(w, "observation_hard", H5T_NATIVE_INT32, 1, &d1, hard, "1: hard evidence (one variant seen)", NULL, 0);
    cw_strings(w, "observation_where", D_OBS, where, "where the observation was given", 0);
    cw_var(w, "observation_likelihood", H5T_NATIVE_DOUBLE, 2, d2, lik,
           "P(what was seen | the descriptor at the variant); NaN: another descriptor's variant", "1", 0);
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
        w->ok = 0;
    if (w->o->start) {
        char *txt = scenmc__xcalloc((size_t)w->m->n_descriptors * 3 * 80 + 1, 1);
        size_t at = 0;
        for (int d = 0; d < w->o->n_start && d < w->m->n_descriptors; d++)
            at += (size_t)snprintf(txt + at, 240, "%s%s=%s", d ? "," : "", w->m->descriptors[d].id,
                                   w->m->variant_name[w->m->descriptors[d].offset + w->o->start[d]]);
        if (!scenmc__h5_put_attr_str(g, "observed_start", txt, 0))
            w->ok = 0;
        free(txt);
    }
}

/* The design, the likelihoods and the posterior. */
static void cw_tables(cw *w)
{
    const scenmc_calibration *c = w->c;
    int dP = D_POINT, dK = D_PARAM, dPK[2] = {D_POINT, D_PARAM};
    int dPYS[3] = {D_POINT, D_YEAR, D_SCENARIO}, dYS[2] = {D_YEAR, D_SCENARIO};
    cw_var(w, "value", H5T_NATIVE_DOUBLE, 2, dPK, c->value, "the parameter's value at the point", NULL, 0);
    cw_var(w, "log_prior", H5T_NATIVE_DOUBLE, 1, &dP, c->log_prior, "log of the point's prior mass", NULL, 0);
    cw_var(w, "log_likelihood", H5T_NATIVE_DOUBLE, 1, &dP, c->log_likelihood,
           "log P(observations | parameters at the point)", NULL, 0);
    if (c->likelihood_se) {
        cw_var(w, "likelihood_se", H5T_NATIVE_DOUBLE, 1, &dP, c->likelihood_se,
               "standard error of the Monte Carlo estimate of P(observations | point)", "1", 0);
        cw_var(w, "effective_size", H5T_NATIVE_DOUBLE, 1, &dP, c->effective_size,
               "Kish's effective sample size of the weighted trajectories", "1", 0);
    }
    cw_var(w, "posterior", H5T_NATIVE_DOUBLE, 1, &dP, c->posterior, "posterior mass of the point", "1", 0);
    int32_t *cred = scenmc__xcalloc((size_t)c->n_points + 1, sizeof(int32_t));
    for (int i = 0; i < c->n_points; i++)
        cred[i] = c->credible[i];
    cw_var(w, "credible", H5T_NATIVE_INT32, 1, &dP, cred,
           "1: in the highest-posterior credible set of credible_level", NULL, 0);
    free(cred);
    const char **pr = scenmc__xcalloc((size_t)c->n_params + 1, sizeof(char *));
    for (int j = 0; j < c->n_params; j++)
        pr[j] = c->log_uniform[j] ? "log-uniform" : "uniform";
    cw_strings(w, "prior", D_PARAM, pr, "prior density of the parameter on the design's range", 0);
    free(pr);
    cw_var(w, "posterior_mean", H5T_NATIVE_DOUBLE, 1, &dK, c->post_mean, "posterior mean", NULL, 0);
    cw_var(w, "posterior_sd", H5T_NATIVE_DOUBLE, 1, &dK, c->post_sd, "posterior standard deviation", NULL, 0);
    cw_var(w, "point_scenario_probability", H5T_NATIVE_DOUBLE, 3, dPYS, c->point_scenario,
           c->method == SCENMC_EXACT ? "P(scenario at year | observations up to the year, point)"
                                     : "P(scenario at year | all observations, point)", "1", 0);
    cw_var(w, "predictive_scenario_probability", H5T_NATIVE_DOUBLE, 2, dYS, c->predictive,
           "posterior mixture over the points of point_scenario_probability", "1", 0);
}

static int cw_add(hid_t file, const void *ctx)
{
    cw w = *(const cw *)ctx;
    w.ok = 1;
    for (int i = 0; i < N_DIMS; i++)
        w.scale[i] = -1;
    w.len[D_POINT] = (hsize_t)w.c->n_points, w.len[D_PARAM] = (hsize_t)w.c->n_params;
    w.len[D_YEAR] = (hsize_t)w.c->n_years, w.len[D_SCENARIO] = (hsize_t)w.c->n_scenarios;
    w.len[D_OBS] = (hsize_t)w.o->n, w.len[D_VARIANT] = (hsize_t)w.m->n_variants;
    w.g = H5Gcreate2(file, "calibrate", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (w.g < 0)
        return 0;
    cw_attrs(&w);
    cw_axes(&w);
    cw_tables(&w);
    cw_observations(&w);
    for (int i = 0; i < N_DIMS; i++)
        if (w.scale[i] >= 0)
            H5Dclose(w.scale[i]);
    H5Gclose(w.g);
    return w.ok;
}

scenmc_status scenmc_calibration_write(const char *path, const scenmc_model *m, const scenmc_params *base,
                                       const scenmc_observations *o, const scenmc_calibration *c,
                                       const scenmc_write_options *opt, scenmc_error *err)
{
    scenmc_results shape;
    scenmc_status st = scenmc_results_init(&shape, m, base, c->method, err);
    if (st != SCENMC_OK)
        return st;
    shape.n_trajectories = c->method == SCENMC_EXACT ? 0 : c->n_trajectories;
    shape.wall_seconds = c->wall_seconds;
    shape.threads = c->threads;
    scenmc_write_options wo = opt ? *opt : (scenmc_write_options){0};
    wo.method = "calibrate";
    cw ctx = {.m = m, .p = base, .o = o, .c = c};
    scenmc__output_extra extra = {.add = cw_add, .ctx = &ctx, .failed = "the calibration could not be written"};
    st = scenmc__output_write_meta(path, &shape, base, &wo, &extra, err);
    scenmc_results_free(&shape);
    return st;
}
