/* The derivative file (docs/sensitivity.md, "The derivative file"): after the
 * root attributes, /model and /params of the results format, the group
 * /derivative holds the coordinate variables param, year, scenario and
 * variant (HDF5 dimension scales, so netCDF readers see named dimensions),
 * the parameters' descriptions along param, and the tables
 *   dP_scenario [param, year, scenario], dP_variant [param, year, variant],
 *   dP_scenario_variant [param, year, scenario, variant],
 * the same as elasticity_* (derivative x the parameter's step) and, for the
 * score method, stderr_* (standard errors of the derivatives). A shard of
 * a score run adds /derivative/sums: the run's integer sums, which
 * `scenmc merge` adds (io/derivative_merge.c). */
#include "io/derivative_write.h"
#include "io/h5.h"
#include "io/results_write.h"
#include "base/util.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dw {
    const scenmc_model *m;
    const scenmc_params *p;
    const scenmc_derivatives *d;
    const scenmc__deriv_shard *shard; /* NULL: not a shard */
    hid_t g;
    hid_t dim[4]; /* param, year, scenario, variant */
    int ok;
} dw;

enum { DIM_PARAM, DIM_YEAR, DIM_SCENARIO, DIM_VARIANT };

/* A dataset of g with its long_name and units (units NULL: none), the
 * dimensions' scales attached (dims: DIM_* per axis); closed unless keep. */
static hid_t dw_put(dw *w, const char *name, hid_t type, int rank, const int *dims, const void *data,
                    const char *long_name, const char *units, int keep)
{
    hsize_t ext[4];
    for (int i = 0; i < rank; i++)
        ext[i] = (hsize_t)(dims[i] == DIM_PARAM ? w->d->n_param : dims[i] == DIM_YEAR ? w->d->Y
                           : dims[i] == DIM_SCENARIO ? w->d->S : w->d->V);
    hid_t space = H5Screate_simple(rank, ext, NULL);
    hid_t ds = space < 0 ? -1 : H5Dcreate2(w->g, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (space >= 0)
        H5Sclose(space);
    if (ds < 0 || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ||
        !scenmc__h5_put_attr_str(ds, "long_name", long_name, 1) ||
        (units && !scenmc__h5_put_attr_str(ds, "units", units, 1))) {
        w->ok = 0;
        if (ds >= 0)
            H5Dclose(ds);
        return -1;
    }
    static const char *const dim_names[4] = {"param", "year", "scenario", "variant"};
    for (int i = 0; i < rank && !keep; i++)
        if ((w->dim[dims[i]] >= 0 && H5DSattach_scale(ds, w->dim[dims[i]], (unsigned)i) < 0) ||
            H5DSset_label(ds, (unsigned)i, dim_names[dims[i]]) < 0) /* as every results table */
            w->ok = 0;
    if (!keep)
        H5Dclose(ds);
    return ds;
}

/* A coordinate variable: dataset `name` along its own dimension. */
static void dw_coord(dw *w, int dim, const char *name, hid_t type, const void *data, const char *long_name)
{
    hid_t ds = dw_put(w, name, type, 1, &dim, data, long_name, NULL, 1);
    if (ds >= 0 && H5DSset_scale(ds, name) < 0)
        w->ok = 0;
    w->dim[dim] = ds;
}

/* The coordinates and the parameters' descriptions. */
static void dw_axes(dw *w)
{
    const scenmc_derivatives *d = w->d;
    const scenmc_model *m = w->m;
    size_t P = (size_t)d->n_param, S = (size_t)d->S, V = (size_t)d->V;
    hid_t str = scenmc__h5_vstr_type();
    const char **txt = scenmc__xcalloc(P + S + V + 1, sizeof(char *));
    char **own = scenmc__xcalloc(V + 1, sizeof(char *));
    for (size_t e = 0; e < P; e++)
        txt[e] = d->param[e].label;
    dw_coord(w, DIM_PARAM, "param", str, txt, "parameter of the dynamics");
    int32_t *year = scenmc__xcalloc((size_t)d->Y, sizeof(int32_t));
    for (int y = 0; y < d->Y; y++)
        year[y] = w->p->year_start + y;
    dw_coord(w, DIM_YEAR, "year", H5T_NATIVE_INT32, year, "observation year");
    for (size_t a = 0; a < S; a++)
        txt[a] = a < (size_t)m->n_scenarios ? m->scenarios[a].name : "unclassified";
    dw_coord(w, DIM_SCENARIO, "scenario", str, txt, "scenario");
    for (size_t v = 0; v < V; v++) {
        const char *id = m->descriptors[m->variant_descriptor[v]].id;
        size_t len = strlen(id) + strlen(m->variant_name[v]) + 2;
        own[v] = scenmc__xmalloc(len);
        snprintf(own[v], len, "%s=%s", id, m->variant_name[v]);
    }
    dw_coord(w, DIM_VARIANT, "variant", str, own, "variant (descriptor=variant)");
    for (size_t e = 0; e < P; e++)
        txt[e] = scenmc_dparam_kind_names[d->param[e].kind];
    int dp = DIM_PARAM;
    dw_put(w, "param_kind", str, 1, &dp, txt, "kind of parameter", NULL, 0);
    int32_t *iv = scenmc__xcalloc(3 * P + 1, sizeof(int32_t));
    double *dv = scenmc__xcalloc(2 * P + 1, sizeof(double));
    for (size_t e = 0; e < P; e++) {
        iv[e] = d->param[e].u, iv[P + e] = d->param[e].v, iv[2 * P + e] = d->param[e].scored;
        dv[e] = d->param[e].value, dv[P + e] = d->param[e].step;
    }
    dw_put(w, "param_u", H5T_NATIVE_INT32, 1, &dp, iv, "first variant (cells, bias) or descriptor (rate); -1 unused", NULL, 0);
    dw_put(w, "param_v", H5T_NATIVE_INT32, 1, &dp, iv + P, "second variant (cells); -1 unused", NULL, 0);
    dw_put(w, "param_scored", H5T_NATIVE_INT32, 1, &dp, iv + 2 * P, "the model file scores this cell or bias", NULL, 0);
    dw_put(w, "param_value", H5T_NATIVE_DOUBLE, 1, &dp, dv, "value of the parameter in the run", NULL, 0);
    dw_put(w, "param_step", H5T_NATIVE_DOUBLE, 1, &dp, dv + P, "step of the elasticity", NULL, 0);
    H5Tclose(str);
    for (size_t v = 0; v < V; v++)
        free(own[v]);
    free(own);
    free(txt);
    free(year);
    free(iv);
    free(dv);
}

/* One table as dP_*, elasticity_* and (score) stderr_*. */
static void dw_table(dw *w, const char *what, int rank, const int *dims, const double *x, const double *se,
                     const char *long_name)
{
    if (!x)
        return;
    size_t per = 1, P = (size_t)w->d->n_param;
    for (int i = 1; i < rank; i++)
        per *= (size_t)(dims[i] == DIM_YEAR ? w->d->Y : dims[i] == DIM_SCENARIO ? w->d->S : w->d->V);
    char name[64], ln[256];
    snprintf(name, sizeof name, "dP_%s", what);
    snprintf(ln, sizeof ln, "derivative of %s with respect to the parameter", long_name);
    dw_put(w, name, H5T_NATIVE_DOUBLE, rank, dims, x, ln, "1/parameter unit", 0);
    double *el = scenmc__xmalloc(sizeof(double) * P * per);
    for (size_t e = 0; e < P; e++)
        for (size_t i = 0; i < per; i++)
            el[e * per + i] = x[e * per + i] * w->d->param[e].step;
    snprintf(name, sizeof name, "elasticity_%s", what);
    snprintf(ln, sizeof ln, "change of %s per step of the parameter (derivative x param_step)", long_name);
    dw_put(w, name, H5T_NATIVE_DOUBLE, rank, dims, el, ln, "1", 0);
    free(el);
    if (se) {
        snprintf(name, sizeof name, "stderr_%s", what);
        snprintf(ln, sizeof ln, "standard error of dP_%s", what);
        dw_put(w, name, H5T_NATIVE_DOUBLE, rank, dims, se, ln, "1/parameter unit", 0);
    }
}

/* A dataset of integers of the given extent in g, with its long_name. */
static void dw_ints(dw *w, hid_t g, const char *name, hid_t type, int rank, const hsize_t *ext, const void *data,
                    const char *long_name)
{
    hid_t space = H5Screate_simple(rank, ext, NULL);
    hid_t ds = space < 0 ? -1 : H5Dcreate2(g, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds < 0 || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ||
        !scenmc__h5_put_attr_str(ds, "long_name", long_name, 1))
        w->ok = 0;
    if (ds >= 0)
        H5Dclose(ds);
    if (space >= 0)
        H5Sclose(space);
}

/* /derivative/sums: the shard's sums, its range and --shard K/M. */
static void dw_sums(dw *w)
{
    const scenmc__deriv_shard *sh = w->shard;
    const scenmc__score_sums *s = sh->sums;
    hid_t g = H5Gcreate2(w->g, "sums", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) {
        w->ok = 0;
        return;
    }
    const hsize_t ys[5] = {(hsize_t)s->Y, (hsize_t)s->S, (hsize_t)s->P, 2};
    const hsize_t ysv[5] = {(hsize_t)s->Y, (hsize_t)s->S, (hsize_t)s->V, (hsize_t)s->P, 2};
    int tables = s->sv;
    if (!scenmc__h5_put_attr(g, "trajectory_first", H5T_STD_U64LE, H5T_NATIVE_UINT64, &sh->span.first) ||
        !scenmc__h5_put_attr(g, "trajectory_last", H5T_STD_U64LE, H5T_NATIVE_UINT64, &sh->span.last) ||
        !scenmc__h5_put_attr(g, "shard_index", H5T_STD_I32LE, H5T_NATIVE_INT, &sh->k) ||
        !scenmc__h5_put_attr(g, "shard_count", H5T_STD_I32LE, H5T_NATIVE_INT, &sh->M) ||
        !scenmc__h5_put_attr(g, "all_tables", H5T_STD_I32LE, H5T_NATIVE_INT, &tables) ||
        !scenmc__h5_put_attr(g, "bound", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &s->bound))
        w->ok = 0;
    dw_ints(w, g, "score", H5T_STD_I64LE, 4, ys, s->s12, "sums of the score x 2^24 and of its square x 2^16 "
            "[year, scenario, param, 2]");
    dw_ints(w, g, "count", H5T_STD_U64LE, 2, ys, s->ns, "trajectories [year, scenario]");
    if (s->sv) {
        dw_ints(w, g, "score_variant", H5T_STD_I64LE, 5, ysv, s->sv12, "sums of the score x 2^24 and of its "
                "square x 2^16 [year, scenario, variant, param, 2]");
        dw_ints(w, g, "count_variant", H5T_STD_U64LE, 3, ysv, s->nsv, "trajectories [year, scenario, variant]");
    }
    H5Gclose(g);
}

static int dw_add(hid_t file, const void *ctx)
{
    dw w = *(const dw *)ctx;
    const scenmc_derivatives *d = w.d;
    w.ok = 1;
    for (int i = 0; i < 4; i++)
        w.dim[i] = -1;
    w.g = H5Gcreate2(file, "derivative", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (w.g < 0)
        return 0;
    uint64_t n = d->n_trajectories;
    if (!scenmc__h5_put_attr_str(w.g, "method", d->method, 1) ||
        !scenmc__h5_put_attr(w.g, "n_trajectories", H5T_STD_U64LE, H5T_NATIVE_UINT64, &n) ||
        !scenmc__h5_put_attr(w.g, "wall_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &d->wall_seconds))
        w.ok = 0;
    dw_axes(&w);
    const int d3[3] = {DIM_PARAM, DIM_YEAR, DIM_SCENARIO}, dv[3] = {DIM_PARAM, DIM_YEAR, DIM_VARIANT};
    const int d4[4] = {DIM_PARAM, DIM_YEAR, DIM_SCENARIO, DIM_VARIANT};
    dw_table(&w, "scenario", 3, d3, d->scenario, d->scenario_se, "P(scenario, year)");
    dw_table(&w, "variant", 3, dv, d->variant, d->variant_se, "P(variant, year)");
    dw_table(&w, "scenario_variant", 4, d4, d->scenario_variant, d->scenario_variant_se,
             "P(variant | scenario, year)");
    if (w.shard)
        dw_sums(&w);
    for (int i = 0; i < 4; i++)
        if (w.dim[i] >= 0)
            H5Dclose(w.dim[i]);
    H5Gclose(w.g);
    return w.ok;
}

scenmc_status scenmc_derivatives_write(const char *path, const scenmc_model *m, const scenmc_params *p,
                                       const scenmc_derivatives *d, const scenmc_write_options *opt,
                                       scenmc_error *err)
{
    return scenmc__derivatives_write_shard(path, m, p, d, NULL, opt, err);
}

scenmc_status scenmc__derivatives_write_shard(const char *path, const scenmc_model *m, const scenmc_params *p,
                                             const scenmc_derivatives *d, const scenmc__deriv_shard *shard,
                                             const scenmc_write_options *opt, scenmc_error *err)
{
    scenmc_results shape;
    scenmc_status st = scenmc_results_init(&shape, m, p, strcmp(d->method, "exact") ? SCENMC_MONTE_CARLO
                                                                                      : SCENMC_EXACT, err);
    if (st != SCENMC_OK)
        return st;
    shape.n_trajectories = d->n_trajectories;
    shape.wall_seconds = d->wall_seconds;
    if (shard) {
        shape.first = shard->span.first;
        shape.last = shard->span.last;
    }
    dw ctx = {.m = m, .p = p, .d = d, .shard = shard};
    scenmc__output_extra extra = {.add = dw_add, .ctx = &ctx, .failed = "the derivative tables could not be written"};
    st = scenmc__output_write_meta(path, &shape, p, opt, &extra, err);
    scenmc_results_free(&shape);
    return st;
}
