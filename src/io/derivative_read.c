/* Reads /derivative exactly as io/derivative_write.c lays it out
 * (docs/sensitivity.md, "The derivative file"): the coordinates param, year,
 * scenario, variant, the parameters' descriptions along param, and the
 * tables dP_* [param, year, ...] with stderr_* for the score method. The
 * elasticity_* tables are dP_* x param_step and are not read back. A
 * shard's /derivative/sums is read on its own (scenmc__derivative_sums_read). */
#include "io/derivative_read.h"
#include "io/h5.h"
#include "io/kinds_read.h"
#include "io/results_read.h"
#include "base/util.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

static scenmc_status bad(scenmc_error *err, const char *path, const char *what)
{
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s: %s: the file is damaged", path, what);
}

/* The parameters' list: label, kind, u, v, scored, value, step. */
static int read_params(hid_t g, scenmc_derivatives *d)
{
    size_t P = (size_t)d->n_param, n1 = 0, n2 = 0;
    char **label = scenmc__h5_read_strings(g, "param", &n1);
    char **kind = scenmc__h5_read_strings(g, "param_kind", &n2);
    int32_t *iv = scenmc__xcalloc(3 * P + 1, sizeof(int32_t));
    double *dv = scenmc__xcalloc(2 * P + 1, sizeof(double));
    int ok = label && kind && n1 == P && n2 == P &&
             scenmc__h5_read_num(g, "param_u", H5T_NATIVE_INT32, P, iv) == 1 &&
             scenmc__h5_read_num(g, "param_v", H5T_NATIVE_INT32, P, iv + P) == 1 &&
             scenmc__h5_read_num(g, "param_scored", H5T_NATIVE_INT32, P, iv + 2 * P) == 1 &&
             scenmc__h5_read_num(g, "param_value", H5T_NATIVE_DOUBLE, P, dv) == 1 &&
             scenmc__h5_read_num(g, "param_step", H5T_NATIVE_DOUBLE, P, dv + P) == 1;
    d->param = scenmc__xcalloc(P + 1, sizeof(scenmc_dparam));
    for (size_t e = 0; ok && e < P; e++) {
        scenmc_dparam *q = &d->param[e];
        int k = 0;
        while (k < SCENMC_DP_N_KINDS && strcmp(kind[e], scenmc_dparam_kind_names[k]))
            k++;
        ok = k < SCENMC_DP_N_KINDS;
        q->kind = (scenmc_dparam_kind)k;
        q->u = iv[e], q->v = iv[P + e], q->scored = iv[2 * P + e];
        q->value = dv[e], q->step = dv[P + e];
        q->label = scenmc__strdup(label[e]);
    }
    if (label)
        scenmc__h5_free_strings(label, n1);
    if (kind)
        scenmc__h5_free_strings(kind, n2);
    free(iv);
    free(dv);
    return ok;
}

/* dP_what and (when present) stderr_what, of per values per parameter:
 * 1 read, 0 absent (optional tables), -1 of another shape. */
static int read_table(hid_t g, const char *what, size_t n, double **x, double **se)
{
    char name[64];
    snprintf(name, sizeof name, "dP_%s", what);
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0)
        return 0;
    *x = scenmc__xcalloc(n + 1, sizeof(double));
    if (scenmc__h5_read_num(g, name, H5T_NATIVE_DOUBLE, n, *x) != 1)
        return -1;
    snprintf(name, sizeof name, "stderr_%s", what);
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0)
        return 1;
    *se = scenmc__xcalloc(n + 1, sizeof(double));
    return scenmc__h5_read_num(g, name, H5T_NATIVE_DOUBLE, n, *se) == 1 ? 1 : -1;
}

/* The group's axes against the model and parameters, then its contents. */
static scenmc_status read_group(hid_t g, const char *path, const scenmc__meta *mt, scenmc_derivatives *d,
                                scenmc_error *err)
{
    const scenmc_model *m = mt->model;
    long P = scenmc__h5_axis_len(g, "param"), Y = scenmc__h5_axis_len(g, "year"), S = scenmc__h5_axis_len(g, "scenario");
    long V = scenmc__h5_axis_len(g, "variant");
    if (P < 0 || Y != mt->params.year_end - mt->params.year_start + 1 ||
        (S != m->n_scenarios && S != m->n_scenarios + 1) || V != m->n_variants)
        return bad(err, path, "/derivative: its axes do not fit the model and years");
    d->n_param = (int)P, d->Y = (int)Y, d->S = (int)S, d->V = (int)V;
    char *meth = scenmc__h5_attr_string(g, ".", "method");
    snprintf(d->method, sizeof d->method, "%s", meth ? meth : "");
    free(meth);
    scenmc__h5_get_attr(g, ".", "n_trajectories", H5T_NATIVE_UINT64, &d->n_trajectories);
    scenmc__h5_get_attr(g, ".", "wall_seconds", H5T_NATIVE_DOUBLE, &d->wall_seconds);
    if (strcmp(d->method, "exact") && strcmp(d->method, "score"))
        return bad(err, path, "/derivative: method is neither 'exact' nor 'score'");
    if (!read_params(g, d))
        return bad(err, path, "/derivative: the parameters' descriptions do not fit param");
    size_t per = (size_t)P * (size_t)Y;
    if (read_table(g, "scenario", per * (size_t)S, &d->scenario, &d->scenario_se) != 1 ||
        read_table(g, "variant", per * (size_t)V, &d->variant, &d->variant_se) < 0 ||
        read_table(g, "scenario_variant", per * (size_t)S * (size_t)V, &d->scenario_variant,
                   &d->scenario_variant_se) < 0)
        return bad(err, path, "/derivative: a dP_ or stderr_ table is missing or of another shape");
    return SCENMC_OK;
}

scenmc_status scenmc_derivatives_read(const char *path, scenmc_model **model, scenmc_params *p,
                                      scenmc_derivatives *d, scenmc_results_info *info,
                                      scenmc_error *err)
{
    *model = NULL;
    memset(d, 0, sizeof *d);
    memset(p, 0, sizeof *p);
    scenmc__meta mt;
    hid_t g;
    scenmc_status st = scenmc__kind_open(path, "/derivative", "derivative", &mt, &g, info, err);
    if (st != SCENMC_OK)
        return st;
    st = read_group(g, path, &mt, d, err);
    if (st != SCENMC_OK)
        scenmc_derivatives_free(d);
    return scenmc__kind_close(st, &mt, g, model, p, info);
}

int scenmc__is_derivative_file(const char *path)
{
    return scenmc__h5_file_has(path, "derivative");
}

/* The sums of the open group /derivative/sums: 1 read, 0 missing or of
 * another shape. */
static int read_sums(hid_t g, const scenmc_derivatives *d, scenmc__score_sums *s, scenmc_range *span, int *k,
                     int *M)
{
    int sv = 0;
    if (scenmc__h5_get_attr(g, ".", "all_tables", H5T_NATIVE_INT, &sv) != 1 ||
        scenmc__h5_get_attr(g, ".", "trajectory_first", H5T_NATIVE_UINT64, &span->first) != 1 ||
        scenmc__h5_get_attr(g, ".", "trajectory_last", H5T_NATIVE_UINT64, &span->last) != 1 ||
        scenmc__h5_get_attr(g, ".", "shard_index", H5T_NATIVE_INT, k) != 1 ||
        scenmc__h5_get_attr(g, ".", "shard_count", H5T_NATIVE_INT, M) != 1)
        return 0;
    scenmc__score_sums_init(s, d->Y, d->S, d->V, d->n_param, sv != 0);
    const size_t ys = (size_t)d->Y * (size_t)d->S, P2 = 2 * (size_t)d->n_param, ysv = ys * (size_t)d->V;
    return scenmc__h5_get_attr(g, ".", "bound", H5T_NATIVE_DOUBLE, &s->bound) == 1 &&
           scenmc__h5_read_num(g, "score", H5T_NATIVE_INT64, ys * P2, s->s12) == 1 &&
           scenmc__h5_read_num(g, "count", H5T_NATIVE_UINT64, ys, s->ns) == 1 &&
           (!s->sv || (scenmc__h5_read_num(g, "score_variant", H5T_NATIVE_INT64, ysv * P2, s->sv12) == 1 &&
                       scenmc__h5_read_num(g, "count_variant", H5T_NATIVE_UINT64, ysv, s->nsv) == 1)) &&
           span->first <= span->last && (s->sv == (d->variant != NULL));
}

scenmc_status scenmc__derivative_sums_read(const char *path, const scenmc_derivatives *d, scenmc__score_sums *s,
                                          scenmc_range *span, int *k, int *M, scenmc_error *err)
{
    memset(s, 0, sizeof *s);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: cannot open it as HDF5", path);
    scenmc_status st = SCENMC_OK;
    if (H5Lexists(f, "derivative", H5P_DEFAULT) <= 0 || H5Lexists(f, "derivative/sums", H5P_DEFAULT) <= 0) {
        st = scenmc_error_add(err, SCENMC_E_INPUT, "%s: not a shard of a score run (no /derivative/sums): only "
                              "the files of 'scenmc sensitivity --method score --shard K/M' can be merged", path);
    } else {
        hid_t g = H5Gopen2(f, "derivative/sums", H5P_DEFAULT);
        if (g < 0 || !read_sums(g, d, s, span, k, M))
            st = bad(err, path, "/derivative/sums is incomplete or does not fit the tables");
        if (g >= 0)
            H5Gclose(g);
    }
    H5Fclose(f);
    if (st != SCENMC_OK)
        scenmc__score_sums_free(s);
    return st;
}
