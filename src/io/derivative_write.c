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
#include "io/axes.h"
#include "io/h5.h"
#include "io/kind_write.h"
#include "base/util.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DIM_PARAM, DIM_YEAR, DIM_SCENARIO, DIM_VARIANT };
static const char *const dim_names[4] = {"param", "year", "scenario", "variant"};

typedef struct dw {
    const scenmc_model *m;
    const scenmc_params *p;
    const scenmc_derivatives *d;
    const scenmc__deriv_shard *shard; /* NULL: not a shard */
    hid_t g;
    scenmc__axes ax;
} dw;

/* The coordinates and the parameters' descriptions. */
static void dw_axes(dw *w)
{
    const scenmc_derivatives *d = w->d;
    scenmc__axes *ax = &w->ax;
    size_t P = (size_t)d->n_param;
    const char **txt = scenmc__xcalloc(P + 1, sizeof(char *));
    for (size_t e = 0; e < P; e++)
        txt[e] = d->param[e].label;
    scenmc__axes_coord_strings(ax, DIM_PARAM, txt, "parameter of the dynamics");
    scenmc__axes_coord_years(ax, DIM_YEAR, w->p->year_start, "observation year");
    scenmc__axes_coord_scenarios(ax, DIM_SCENARIO, w->m, "scenario");
    scenmc__axes_coord_variants(ax, DIM_VARIANT, w->m, "variant (descriptor=variant)");
    for (size_t e = 0; e < P; e++)
        txt[e] = scenmc_dparam_kind_names[d->param[e].kind];
    int dp = DIM_PARAM;
    scenmc__axes_strings(ax, "param_kind", DIM_PARAM, txt, "kind of parameter");
    int32_t *iv = scenmc__xcalloc(3 * P + 1, sizeof(int32_t));
    double *dv = scenmc__xcalloc(2 * P + 1, sizeof(double));
    for (size_t e = 0; e < P; e++) {
        iv[e] = d->param[e].u, iv[P + e] = d->param[e].v, iv[2 * P + e] = d->param[e].scored;
        dv[e] = d->param[e].value, dv[P + e] = d->param[e].step;
    }
    scenmc__axes_var(ax, "param_u", H5T_NATIVE_INT32, 1, &dp, iv,
                     "first variant (cells, bias) or descriptor (rate); -1 unused", NULL);
    scenmc__axes_var(ax, "param_v", H5T_NATIVE_INT32, 1, &dp, iv + P, "second variant (cells); -1 unused", NULL);
    scenmc__axes_var(ax, "param_scored", H5T_NATIVE_INT32, 1, &dp, iv + 2 * P,
                     "the model file scores this cell or bias", NULL);
    scenmc__axes_var(ax, "param_value", H5T_NATIVE_DOUBLE, 1, &dp, dv, "value of the parameter in the run", NULL);
    scenmc__axes_var(ax, "param_step", H5T_NATIVE_DOUBLE, 1, &dp, dv + P, "step of the elasticity", NULL);
    free(txt);
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
        per *= (size_t)w->ax.len[dims[i]];
    char name[64], ln[256];
    snprintf(name, sizeof name, "dP_%s", what);
    snprintf(ln, sizeof ln, "derivative of %s with respect to the parameter", long_name);
    scenmc__axes_var(&w->ax, name, H5T_NATIVE_DOUBLE, rank, dims, x, ln, "1/parameter unit");
    double *el = scenmc__xmalloc(sizeof(double) * P * per);
    for (size_t e = 0; e < P; e++)
        for (size_t i = 0; i < per; i++)
            el[e * per + i] = x[e * per + i] * w->d->param[e].step;
    snprintf(name, sizeof name, "elasticity_%s", what);
    snprintf(ln, sizeof ln, "change of %s per step of the parameter (derivative x param_step)", long_name);
    scenmc__axes_var(&w->ax, name, H5T_NATIVE_DOUBLE, rank, dims, el, ln, "1");
    free(el);
    if (se) {
        snprintf(name, sizeof name, "stderr_%s", what);
        snprintf(ln, sizeof ln, "standard error of dP_%s", what);
        scenmc__axes_var(&w->ax, name, H5T_NATIVE_DOUBLE, rank, dims, se, ln, "1/parameter unit");
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
        w->ax.ok = 0;
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
        w->ax.ok = 0;
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
        w->ax.ok = 0;
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
    if ((w.g = scenmc__kind_group(file, "derivative", &w.ax, 4, dim_names, 1)) < 0)
        return 0;
    w.ax.len[DIM_PARAM] = (hsize_t)d->n_param, w.ax.len[DIM_YEAR] = (hsize_t)d->Y;
    w.ax.len[DIM_SCENARIO] = (hsize_t)d->S, w.ax.len[DIM_VARIANT] = (hsize_t)d->V;
    uint64_t n = d->n_trajectories;
    if (!scenmc__h5_put_attr_str(w.g, "method", d->method, 1) ||
        !scenmc__h5_put_attr(w.g, "n_trajectories", H5T_STD_U64LE, H5T_NATIVE_UINT64, &n) ||
        !scenmc__h5_put_attr(w.g, "wall_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &d->wall_seconds))
        w.ax.ok = 0;
    dw_axes(&w);
    const int d3[3] = {DIM_PARAM, DIM_YEAR, DIM_SCENARIO}, dv[3] = {DIM_PARAM, DIM_YEAR, DIM_VARIANT};
    const int d4[4] = {DIM_PARAM, DIM_YEAR, DIM_SCENARIO, DIM_VARIANT};
    dw_table(&w, "scenario", 3, d3, d->scenario, d->scenario_se, "P(scenario, year)");
    dw_table(&w, "variant", 3, dv, d->variant, d->variant_se, "P(variant, year)");
    dw_table(&w, "scenario_variant", 4, d4, d->scenario_variant, d->scenario_variant_se,
             "P(variant | scenario, year)");
    if (w.shard)
        dw_sums(&w);
    return scenmc__kind_group_close(&w.ax);
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
    scenmc__kind_head head = {.method = strcmp(d->method, "exact") ? SCENMC_MONTE_CARLO : SCENMC_EXACT,
                              .n_trajectories = d->n_trajectories, .wall_seconds = d->wall_seconds};
    if (shard) {
        head.first = shard->span.first;
        head.last = shard->span.last;
    }
    dw ctx = {.m = m, .p = p, .d = d, .shard = shard};
    scenmc__output_extra extra = {.add = dw_add, .ctx = &ctx, .failed = "the derivative tables could not be written"};
    return scenmc__kind_write(path, m, p, &head, opt, &extra, err);
}
