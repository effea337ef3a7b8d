/* Ensembles, sweeps and cell-sensitivity files back into memory (reader.h,
 * docs/file-format.md): versions 1 and 2 of the format. */
#include "io/kinds_read.h"
#include "io/h5.h"
#include "io/results_read.h"
#include "base/util.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scenmc__ensemble_quantile_name(char *buf, size_t n, int k)
{
    snprintf(buf, n, "%s_quantile", scenmc_table_names[k]);
}

static scenmc_status bad(scenmc_error *err, const char *path, const char *what)
{
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s: %s: the file is damaged", path, what);
}

/* ---------------------------------------------------------------- opening a kind */

scenmc_status scenmc__kind_open(const char *path, const char *group, const char *what, scenmc__meta *mt,
                                hid_t *g, scenmc_results_info *info, scenmc_error *err)
{
    *g = -1;
    scenmc_status st = scenmc__meta_open(path, mt, info, err);
    if (st != SCENMC_OK)
        return st;
    if (H5Lexists(mt->file, group, H5P_DEFAULT) > 0)
        *g = H5Gopen2(mt->file, group, H5P_DEFAULT);
    if (*g >= 0)
        return SCENMC_OK;
    st = scenmc_error_add(err, SCENMC_E_INPUT, "%s: not a %s file (no %s)", path, what, group);
    return scenmc__kind_close(st, mt, -1, NULL, NULL, info);
}

scenmc_status scenmc__kind_close(scenmc_status st, scenmc__meta *mt, hid_t g, scenmc_model **model,
                                 scenmc_params *p, scenmc_results_info *info)
{
    if (g >= 0)
        H5Gclose(g);
    if (st == SCENMC_OK) { /* the model and parameters move out of mt */
        if (p)
            scenmc_params_copy(p, &mt->params);
        *model = mt->model;
        mt->model = NULL;
    } else {
        scenmc_results_info_free(info);
    }
    scenmc__meta_close(mt);
    return st;
}

/* ---------------------------------------------------------------- kind */

scenmc_status scenmc_file_kind_read(const char *path, scenmc_file_kind *kind, int *version,
                                    scenmc_error *err)
{
    scenmc__meta mt;
    scenmc_results_info info;
    scenmc_status st = scenmc__meta_open(path, &mt, &info, err);
    if (st != SCENMC_OK)
        return st;
    if (H5Lexists(mt.file, "/sweep", H5P_DEFAULT) > 0)
        *kind = SCENMC_FILE_SWEEP;
    else if (H5Lexists(mt.file, "/sensitivity", H5P_DEFAULT) > 0)
        *kind = SCENMC_FILE_SENSITIVITY;
    else if (H5Lexists(mt.file, "/derivative", H5P_DEFAULT) > 0)
        *kind = SCENMC_FILE_DERIVATIVE;
    else if (strcmp(info.method, "monte-carlo") && strcmp(info.method, "exact"))
        *kind = SCENMC_FILE_OTHER;
    else if (H5Lexists(mt.file, "/ensemble", H5P_DEFAULT) > 0)
        *kind = SCENMC_FILE_ENSEMBLE;
    else
        *kind = SCENMC_FILE_RESULTS;
    if (version)
        *version = mt.version;
    scenmc_results_info_free(&info);
    scenmc__meta_close(&mt);
    return SCENMC_OK;
}

/* ---------------------------------------------------------------- ensembles */

void scenmc_ensemble_data_free(scenmc_ensemble_data *e)
{
    if (!e)
        return;
    free(e->scenario_prob);
    free(e->quantile_levels);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        free(e->quantiles[k]);
    memset(e, 0, sizeof *e);
}

/* The tables' quantiles: every one in version 2, scenario alone in version 1. */
static int read_ensemble_quantiles(hid_t g, const scenmc_results *r, scenmc_ensemble_data *e)
{
    size_t Q = (size_t)e->n_quantiles;
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        char name[64];
        scenmc__ensemble_quantile_name(name, sizeof name, k);
        size_t n = Q * r->t[k].size;
        if (n == 0 || H5Lexists(g, name, H5P_DEFAULT) <= 0)
            continue;
        e->quantiles[k] = scenmc__xcalloc(n, sizeof(double));
        if (scenmc__h5_read_num(g, name, H5T_NATIVE_DOUBLE, n, e->quantiles[k]) != 1)
            return 0;
    }
    return e->quantiles[SCENMC_T_SCENARIO] != NULL;
}

scenmc_status scenmc_ensemble_read(const char *path, const scenmc_results *r,
                                   scenmc_ensemble_data *e, scenmc_error *err)
{
    memset(e, 0, sizeof *e);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot open it as HDF5", path);
    int version = 1;
    scenmc__h5_get_attr(f, "/", "format_version", H5T_NATIVE_INT, &version);
    scenmc_status st = SCENMC_OK;
    if (H5Lexists(f, "/ensemble", H5P_DEFAULT) <= 0) {
        H5Fclose(f);
        return SCENMC_OK;
    }
    hid_t g = H5Gopen2(f, "/ensemble", H5P_DEFAULT);
    e->n_years = r->n_years;
    e->n_scenarios = r->n_scenarios;
    char *rule = scenmc__h5_attr_string(g, ".", "seed_rule");
    snprintf(e->seed_rule, sizeof e->seed_rule, "%s", rule ? rule :
             "member j: matrix draws from stream 2^63 + j of the seed; trajectories [jN/M, (j+1)N/M)");
    free(rule);
    const char *qname = version >= 2 ? "quantile" : "quantile_level";
    hid_t qd = H5Dopen2(g, qname, H5P_DEFAULT);
    int rank = 0;
    hsize_t dims[H5S_MAX_RANK] = {0};
    if (qd < 0 || scenmc__h5_extent(qd, 0, &rank, dims) != 0 || rank != 1 || dims[0] < 1 ||
        dims[0] > 100) {
        st = bad(err, path, "/ensemble has no quantile levels");
    } else if (scenmc__h5_get_attr(g, ".", "n_members", H5T_NATIVE_INT, &e->n_members) != 1 ||
               e->n_members < 1 ||
               scenmc__h5_get_attr(g, ".", "judgement_sd", H5T_NATIVE_DOUBLE, &e->judgement_sd) != 1) {
        st = bad(err, path, "/ensemble lacks n_members or judgement_sd");
    } else {
        e->n_quantiles = (int)dims[0];
        e->quantile_levels = scenmc__xcalloc(dims[0], sizeof(double));
        size_t nm = (size_t)e->n_members * r->t[SCENMC_T_SCENARIO].size;
        e->scenario_prob = scenmc__xcalloc(nm ? nm : 1, sizeof(double));
        if (scenmc__h5_read_num(g, qname, H5T_NATIVE_DOUBLE, dims[0], e->quantile_levels) != 1 ||
            scenmc__h5_read_num(g, "scenario_probability", H5T_NATIVE_DOUBLE, nm, e->scenario_prob) != 1)
            st = bad(err, path, "/ensemble: the quantile levels or members' scenario tables do not "
                     "fit the results");
        else if (!read_ensemble_quantiles(g, r, e))
            st = bad(err, path, "/ensemble: a table's quantiles do not fit the results");
    }
    if (qd >= 0)
        H5Dclose(qd);
    H5Gclose(g);
    H5Fclose(f);
    if (st != SCENMC_OK)
        scenmc_ensemble_data_free(e);
    return st;
}

/* ---------------------------------------------------------------- sweeps */

void scenmc_sweep_data_free(scenmc_sweep_data *s)
{
    if (!s)
        return;
    for (int i = 0; s->points && i < s->n_points; i++)
        scenmc_results_free(&s->points[i]);
    free(s->points);
    scenmc__h5_free_strings(s->param_names, (size_t)s->n_params);
    free(s->values);
    if (s->base.rate)
        scenmc_params_free(&s->base);
    memset(s, 0, sizeof *s);
}

/* The swept parameters, parsed back from their names and point 0's values. */
static scenmc_sweep_param *sweep_params(const scenmc_model *m, const scenmc_sweep_data *s,
                                        scenmc_error *err)
{
    int K = s->n_params;
    scenmc_sweep_param *sp = scenmc__xcalloc((size_t)(K ? K : 1), sizeof *sp);
    for (int j = 0; j < K; j++) {
        char arg[1024];
        snprintf(arg, sizeof arg, "%s=%.17g", s->param_names[j], s->values[j]);
        if (scenmc_sweep_param_parse(m, arg, &sp[j], err) != SCENMC_OK) {
            for (int q = 0; q < j; q++)
                scenmc_sweep_param_free(&sp[q]);
            free(sp);
            return NULL;
        }
    }
    return sp;
}

/* Point i's slice of every table of the file into r (shaped already). */
static int sweep_point_tables(hid_t f, int version, int P, int i, scenmc_results *r)
{
    for (int g = 0; g < SCENMC_N_GROUPS; g++) {
        if (!scenmc__group_present(r->method, g))
            continue;
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            scenmc_table *t = &r->t[k];
            if (t->size == 0)
                continue;
            char name[128];
            scenmc__table_path(name, sizeof name, version, g, k);
            int ok = scenmc__h5_read_point(f, name, scenmc__group_type(g), (hsize_t)P, i, t,
                                           scenmc__group_data(t, g));
            if (!ok)
                return 0;
        }
    }
    return 1;
}

/* Every point's tables: shaped as point 0's (the writer's rule), each with its own parameters. */
static scenmc_status sweep_points(const char *path, const scenmc__meta *mt, scenmc_sweep_data *s,
                                  scenmc_error *err)
{
    scenmc_sweep_param *sp = sweep_params(mt->model, s, err);
    if (!sp)
        return err->code;
    int K = s->n_params, P = s->n_points;
    s->points = scenmc__xcalloc((size_t)P, sizeof *s->points);
    scenmc_params p0;
    scenmc_params_copy(&p0, &s->base);
    scenmc_status st = scenmc_sweep_apply(mt->model, sp, K, s->values, &p0, err);
    uint64_t first = 0, last = s->base.n_trajectories, n = last;
    int threads = 0;
    double wall = 0;
    scenmc__h5_get_attr(mt->file, "/", "trajectory_first", H5T_NATIVE_UINT64, &first);
    scenmc__h5_get_attr(mt->file, "/", "trajectory_last", H5T_NATIVE_UINT64, &last);
    scenmc__h5_get_attr(mt->file, "/", "n_trajectories", H5T_NATIVE_UINT64, &n);
    scenmc__h5_get_attr(mt->file, "/", "threads", H5T_NATIVE_INT, &threads);
    scenmc__h5_get_attr(mt->file, "/", "wall_seconds", H5T_NATIVE_DOUBLE, &wall);
    for (int i = 0; i < P && st == SCENMC_OK; i++) {
        scenmc_results *r = &s->points[i];
        st = scenmc_results_init(r, mt->model, &p0, mt->method, err);
        if (st != SCENMC_OK)
            break;
        scenmc_params_free(&r->params);
        scenmc_params_copy(&r->params, &s->base);
        st = scenmc_sweep_apply(mt->model, sp, K, s->values + (size_t)i * (size_t)K, &r->params, err);
        r->first = first;
        r->last = last;
        r->n_trajectories = mt->method == SCENMC_EXACT ? 0 : n;
        r->threads = threads;
        r->wall_seconds = wall / P;
        if (st == SCENMC_OK && !sweep_point_tables(mt->file, mt->version, P, i, r))
            st = scenmc_error_add(err, SCENMC_E_INPUT, "%s: point %d's tables do not have the "
                                  "shape of the model and parameters: damaged", path, i);
    }
    scenmc_params_free(&p0);
    for (int j = 0; j < K; j++)
        scenmc_sweep_param_free(&sp[j]);
    free(sp);
    return st;
}

/* n_points, the parameters' names and their values at the points. */
static scenmc_status sweep_design(const char *path, const scenmc__meta *mt, scenmc_sweep_data *s,
                                  scenmc_error *err)
{
    const char *pname = mt->version >= 2 ? "/sweep/param" : "/sweep/param_name";
    size_t K = 0;
    int P = 0;
    char *design = scenmc__h5_attr_string(mt->file, "/", "design");
    snprintf(s->design, sizeof s->design, "%s", design ? design : "grid");
    free(design);
    if (scenmc__h5_get_attr(mt->file, "/", "n_points", H5T_NATIVE_INT, &P) != 1 || P < 1 ||
        !(s->param_names = scenmc__h5_read_strings(mt->file, pname, &K)))
        return bad(err, path, "no n_points or parameter names");
    s->n_points = P;
    s->n_params = (int)K;
    s->values = scenmc__xcalloc((size_t)P * K + 1, sizeof(double));
    if (scenmc__h5_read_num(mt->file, "/sweep/value", H5T_NATIVE_DOUBLE, (size_t)P * K, s->values) != 1)
        return bad(err, path, "/sweep/value is not [n_points, n_params]");
    return SCENMC_OK;
}

scenmc_status scenmc_sweep_read(const char *path, scenmc_model **model, scenmc_sweep_data *s,
                                scenmc_results_info *info, scenmc_error *err)
{
    *model = NULL;
    memset(s, 0, sizeof *s);
    scenmc__meta mt;
    hid_t g;
    scenmc_status st = scenmc__kind_open(path, "/sweep", "sweep", &mt, &g, info, err);
    if (st != SCENMC_OK)
        return st;
    st = sweep_design(path, &mt, s, err);
    if (st == SCENMC_OK) {
        scenmc_params_copy(&s->base, &mt.params);
        st = sweep_points(path, &mt, s, err);
    }
    if (st != SCENMC_OK)
        scenmc_sweep_data_free(s);
    for (int i = 0; st == SCENMC_OK && i < s->n_points; i++)
        s->points[i].model = mt.model;
    return scenmc__kind_close(st, &mt, g, model, NULL, info);
}

/* ---------------------------------------------------------------- cell sensitivity */

static int sens_tables(hid_t g, scenmc_sensitivity_result *s)
{
    size_t n = (size_t)s->n_cells, S = (size_t)s->n_scenarios;
    s->u = scenmc__xcalloc(n + 1, sizeof(int));
    s->v = scenmc__xcalloc(n + 1, sizeof(int));
    double **one[3] = {&s->base_value, &s->minus_value, &s->plus_value};
    static const char *const one_name[3] = {"base_value", "minus_value", "plus_value"};
    double **two[4] = {&s->p_minus, &s->p_plus, &s->effect, &s->stderr_};
    static const char *const two_name[4] = {"p_minus", "p_plus", "effect", "stderr"};
    int ok = scenmc__h5_read_num(g, "variant_u", H5T_NATIVE_INT, n, s->u) == 1 &&
             scenmc__h5_read_num(g, "variant_v", H5T_NATIVE_INT, n, s->v) == 1;
    for (int k = 0; k < 3; k++) {
        *one[k] = scenmc__xcalloc(n + 1, sizeof(double));
        ok = ok && scenmc__h5_read_num(g, one_name[k], H5T_NATIVE_DOUBLE, n, *one[k]) == 1;
    }
    for (int k = 0; k < 4; k++) {
        *two[k] = scenmc__xcalloc(n * S + 1, sizeof(double));
        ok = ok && scenmc__h5_read_num(g, two_name[k], H5T_NATIVE_DOUBLE, n * S, *two[k]) == 1;
    }
    return ok;
}

scenmc_status scenmc_sensitivity_read(const char *path, scenmc_model **model, scenmc_params *base,
                                      scenmc_sensitivity_result *s, scenmc_results_info *info,
                                      scenmc_error *err)
{
    *model = NULL;
    memset(s, 0, sizeof *s);
    memset(base, 0, sizeof *base);
    scenmc__meta mt;
    hid_t g;
    scenmc_status st = scenmc__kind_open(path, "/sensitivity", "cell-sensitivity", &mt, &g, info, err);
    if (st != SCENMC_OK)
        return st;
    int rank = 0;
    hsize_t dims[H5S_MAX_RANK] = {0};
    hid_t d = H5Dopen2(g, "effect", H5P_DEFAULT);
    if (d < 0 || scenmc__h5_extent(d, 0, &rank, dims) != 0 || rank != 2 || dims[1] > SCENMC_MAX_SCENARIOS + 1) {
        st = bad(err, path, "/sensitivity/effect is not [cells, scenarios]");
    } else {
        s->n_cells = (int)dims[0];
        s->n_scenarios = (int)dims[1];
        s->n_trajectories = mt.params.n_trajectories;
        scenmc__h5_get_attr(g, ".", "delta", H5T_NATIVE_DOUBLE, &s->delta);
        scenmc__h5_get_attr(mt.file, "/", "wall_seconds", H5T_NATIVE_DOUBLE, &s->wall_seconds);
        if (!sens_tables(g, s))
            st = bad(err, path, "a /sensitivity dataset does not have the cells' shape");
    }
    if (d >= 0)
        H5Dclose(d);
    if (st != SCENMC_OK)
        scenmc_sensitivity_free(s);
    return scenmc__kind_close(st, &mt, g, model, base, info);
}
