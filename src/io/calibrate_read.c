/* Reads /calibrate exactly as io/calibrate_write.c lays it out, every array
 * checked against the lengths of the coordinate variables and the model. */
#include "io/calibrate_read.h"
#include "io/h5.h"
#include "io/kinds_read.h"
#include "io/results_read.h"
#include "base/util.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scenmc_status damaged(scenmc_error *err, const char *path, const char *what)
{
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s: /calibrate: %s: the file is damaged", path, what);
}

int scenmc_calibration_file(const char *path)
{
    return scenmc__h5_file_has(path, "/calibrate");
}

/* The strings of dataset name, exactly n of them, copied into out[n]. */
static int read_names(hid_t g, const char *name, size_t n, char **out)
{
    size_t got = 0;
    char **s = scenmc__h5_read_strings(g, name, &got);
    if (!s)
        return n == 0;
    int ok = got == n;
    for (size_t i = 0; ok && i < n; i++)
        out[i] = scenmc__strdup(s[i]);
    scenmc__h5_free_strings(s, got);
    return ok;
}

/* The observations back into o: descriptor by id, likelihood from its row. */
static int read_observations(hid_t g, const scenmc_model *m, size_t n, scenmc_observations *o)
{
    size_t V = (size_t)m->n_variants;
    int32_t *year = scenmc__xcalloc(n + 1, sizeof(int32_t));
    double *lik = scenmc__xcalloc(n * V + 1, sizeof(double));
    char **id = scenmc__xcalloc(n + 1, sizeof(char *)), **where = scenmc__xcalloc(n + 1, sizeof(char *));
    int ok = n == 0 || (scenmc__h5_read_num(g, "observation_year", H5T_NATIVE_INT32, n, year) == 1 &&
                        scenmc__h5_read_num(g, "observation_likelihood", H5T_NATIVE_DOUBLE, n * V, lik) == 1 &&
                        read_names(g, "observation_descriptor", n, id) &&
                        read_names(g, "observation_where", n, where));
    for (size_t k = 0; ok && k < n; k++) {
        int d = scenmc_model_find_descriptor(m, id[k]);
        ok = d >= 0;
        if (!ok)
            break;
        const scenmc_descriptor *D = &m->descriptors[d];
        const double *row = lik + k * V + D->offset;
        for (int b = 0; b < D->n_variants; b++)
            ok &= isfinite(row[b]) && row[b] >= 0;
        if (ok)
            scenmc_observations_add(o, year[k], d, row, D->n_variants, where[k]);
    }
    for (size_t k = 0; k < n; k++) {
        free(id[k]);
        free(where[k]);
    }
    free(id);
    free(where);
    free(year);
    free(lik);
    return ok;
}

/* The per-point, per-parameter and per-year arrays. */
static int read_arrays(hid_t g, scenmc_calibration *c)
{
    size_t P = (size_t)c->n_points, K = (size_t)c->n_params, YS = (size_t)c->n_years * (size_t)c->n_scenarios;
    int32_t *cred = scenmc__xcalloc(P + 1, sizeof(int32_t));
    char **prior = scenmc__xcalloc(K + 1, sizeof(char *));
    int ok = read_names(g, "param", K, c->param_name) && read_names(g, "prior", K, prior) &&
             scenmc__h5_read_num(g, "value", H5T_NATIVE_DOUBLE, P * K, c->value) == 1 &&
             scenmc__h5_read_num(g, "log_prior", H5T_NATIVE_DOUBLE, P, c->log_prior) == 1 &&
             scenmc__h5_read_num(g, "log_likelihood", H5T_NATIVE_DOUBLE, P, c->log_likelihood) == 1 &&
             scenmc__h5_read_num(g, "posterior", H5T_NATIVE_DOUBLE, P, c->posterior) == 1 &&
             scenmc__h5_read_num(g, "credible", H5T_NATIVE_INT32, P, cred) == 1 &&
             scenmc__h5_read_num(g, "posterior_mean", H5T_NATIVE_DOUBLE, K, c->post_mean) == 1 &&
             scenmc__h5_read_num(g, "posterior_sd", H5T_NATIVE_DOUBLE, K, c->post_sd) == 1 &&
             scenmc__h5_read_num(g, "point_scenario_probability", H5T_NATIVE_DOUBLE, P * YS,
                                 c->point_scenario) == 1 &&
             scenmc__h5_read_num(g, "predictive_scenario_probability", H5T_NATIVE_DOUBLE, YS,
                                 c->predictive) == 1;
    if (ok && c->likelihood_se)
        ok = scenmc__h5_read_num(g, "likelihood_se", H5T_NATIVE_DOUBLE, P, c->likelihood_se) == 1 &&
             scenmc__h5_read_num(g, "effective_size", H5T_NATIVE_DOUBLE, P, c->effective_size) == 1;
    for (size_t i = 0; i < P; i++)
        c->credible[i] = cred[i] != 0;
    for (size_t j = 0; j < K; j++) {
        c->log_uniform[j] = prior[j] && !strcmp(prior[j], "log-uniform");
        free(prior[j]);
    }
    free(prior);
    free(cred);
    return ok;
}

/* The group: its dimensions against the model and years, then its contents. */
static scenmc_status read_group(hid_t g, const char *path, const scenmc__meta *mt, scenmc_observations *o,
                                scenmc_calibration *c, scenmc_error *err)
{
    const scenmc_model *m = mt->model;
    long P = scenmc__h5_axis_len(g, "point"), K = scenmc__h5_axis_len(g, "param"), Y = scenmc__h5_axis_len(g, "year");
    long S = scenmc__h5_axis_len(g, "scenario"), N = scenmc__h5_axis_len(g, "observation"), V = scenmc__h5_axis_len(g, "variant");
    if (P < 1 || K < 1 || Y != mt->params.year_end - mt->params.year_start + 1 || N < 0 ||
        (S != m->n_scenarios && S != m->n_scenarios + 1) || V != m->n_variants)
        return damaged(err, path, "its dimensions do not fit the model and years");
    char *how = scenmc__h5_attr_string(g, ".", "likelihood_method");
    int mc = how && !strcmp(how, "monte-carlo");
    free(how);
    scenmc_calibration_alloc(c, (int)P, (int)K, (int)Y, (int)S, mc);
    scenmc__h5_get_attr(g, ".", "credible_level", H5T_NATIVE_DOUBLE, &c->level);
    scenmc__h5_get_attr(g, ".", "credible_mass", H5T_NATIVE_DOUBLE, &c->credible_mass);
    scenmc__h5_get_attr(g, ".", "n_credible", H5T_NATIVE_INT, &c->n_credible);
    scenmc__h5_get_attr(g, ".", "log_marginal_likelihood", H5T_NATIVE_DOUBLE, &c->log_marginal);
    scenmc__h5_get_attr(g, ".", "n_trajectories", H5T_NATIVE_UINT64, &c->n_trajectories);
    scenmc__h5_get_attr(g, ".", "seed", H5T_NATIVE_UINT64, &c->seed);
    scenmc__h5_get_attr(g, ".", "wall_seconds", H5T_NATIVE_DOUBLE, &c->wall_seconds);
    if (!read_arrays(g, c))
        return damaged(err, path, "a table is missing or of another shape");
    if (!read_observations(g, m, (size_t)N, o))
        return damaged(err, path, "the observations do not fit the model");
    o->source = scenmc__h5_attr_string(g, ".", "observations_source");
    if (o->source && !*o->source) {
        free(o->source);
        o->source = NULL;
    }
    return SCENMC_OK;
}

scenmc_status scenmc_calibration_read(const char *path, scenmc_model **model, scenmc_params *base,
                                      scenmc_observations *o, scenmc_calibration *c,
                                      scenmc_results_info *info, scenmc_error *err)
{
    *model = NULL;
    memset(c, 0, sizeof *c);
    memset(base, 0, sizeof *base);
    scenmc_observations_init(o);
    scenmc__meta mt;
    hid_t g;
    scenmc_status st = scenmc__kind_open(path, "/calibrate", "calibration", &mt, &g, info, err);
    if (st != SCENMC_OK)
        return st;
    st = read_group(g, path, &mt, o, c, err);
    if (st != SCENMC_OK) {
        scenmc_calibration_free(c);
        scenmc_observations_free(o);
    }
    return scenmc__kind_close(st, &mt, g, model, base, info);
}
