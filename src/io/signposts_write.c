/* The signposts file (docs/signposts.md, section 4): the results format's
 * root attributes, /model and /params, then /signposts with the coordinate
 * variables descriptor, other_descriptor, year, variant, scenario and target
 * (HDF5 dimension scales: netCDF readers see named dimensions) and
 *   mutual_information [descriptor, year] (bits), its stderr and bias
 *   (Monte Carlo), rank [descriptor, year], defining [descriptor],
 *   joint and conditional [year, variant, target], target_probability
 *   [target], target_class [scenario], variant_descriptor [variant],
 *   best_descriptor [year], best_pair_first/second [year] and
 *   pair_mutual_information [year, descriptor, other_descriptor], its
 *   stderr and bias (Monte Carlo), unless --no-pairs. */
#include "io/signposts_write.h"
#include "io/h5.h"
#include "io/results_write.h"
#include "base/util.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sw {
    const scenmc_model *m;
    const scenmc_signposts *sp;
    hid_t g;
    hid_t dim[SCENMC_SP_N_DIMS];
    int ok;
} sw;

const char *const scenmc__sp_dim_names[SCENMC_SP_N_DIMS] = {"descriptor", "other_descriptor", "year",
                                                            "variant", "scenario", "target"};

hsize_t scenmc__sp_dim_len(const scenmc_signposts *sp, int dim)
{
    switch (dim) {
    case SCENMC_SP_DESCRIPTOR:
    case SCENMC_SP_OTHER:
        return (hsize_t)sp->D;
    case SCENMC_SP_YEAR:
        return (hsize_t)sp->Y;
    case SCENMC_SP_VARIANT:
        return (hsize_t)sp->V;
    case SCENMC_SP_SCENARIO:
        return (hsize_t)sp->S;
    default:
        return (hsize_t)sp->K;
    }
}

/* A dataset of g (H5LT) with its long_name and units (NULL: none), the
 * dimensions' scales attached (a scale itself: keep, returned open). */
static hid_t sw_put(sw *w, const char *name, hid_t type, int rank, const int *dims, const void *data,
                    const char *long_name, const char *units, int keep)
{
    hsize_t ext[3];
    for (int i = 0; i < rank; i++)
        ext[i] = scenmc__sp_dim_len(w->sp, dims[i]);
    hid_t ds = H5LTmake_dataset(w->g, name, rank, ext, type, data) < 0 ? -1 : H5Dopen2(w->g, name, H5P_DEFAULT);
    int ok = ds >= 0 && scenmc__h5_put_attr_str(ds, "long_name", long_name, 1) &&
             (!units || scenmc__h5_put_attr_str(ds, "units", units, 1));
    for (int i = 0; ok && i < rank && !keep; i++)
        ok = (w->dim[dims[i]] < 0 || H5DSattach_scale(ds, w->dim[dims[i]], (unsigned)i) >= 0) &&
             H5DSset_label(ds, (unsigned)i, scenmc__sp_dim_names[dims[i]]) >= 0;
    if (!ok)
        w->ok = 0;
    if (ds >= 0 && (!keep || !ok)) {
        H5Dclose(ds);
        ds = -1;
    }
    return ds;
}

static void sw_coord(sw *w, int dim, hid_t type, const void *data, const char *long_name)
{
    hid_t ds = sw_put(w, scenmc__sp_dim_names[dim], type, 1, &dim, data, long_name, NULL, 1);
    if (ds >= 0 && H5DSset_scale(ds, scenmc__sp_dim_names[dim]) < 0)
        w->ok = 0;
    w->dim[dim] = ds;
}

static void sw_axes(sw *w)
{
    const scenmc_model *m = w->m;
    const scenmc_signposts *sp = w->sp;
    size_t V = (size_t)sp->V;
    hid_t str = scenmc__h5_vstr_type();
    const char **txt = scenmc__xcalloc((size_t)(sp->D + sp->S + 1), sizeof(char *));
    for (int d = 0; d < sp->D; d++)
        txt[d] = m->descriptors[d].id;
    sw_coord(w, SCENMC_SP_DESCRIPTOR, str, txt, "descriptor observed (the indicator)");
    sw_coord(w, SCENMC_SP_OTHER, str, txt, "second descriptor of a pair");
    int32_t *year = scenmc__xcalloc((size_t)sp->Y, sizeof(int32_t));
    for (int y = 0; y < sp->Y; y++)
        year[y] = sp->year_start + y;
    sw_coord(w, SCENMC_SP_YEAR, H5T_NATIVE_INT32, year, "year of the observation");
    size_t total = 1; /* "ID=name" of every variant, in one block */
    for (size_t v = 0; v < V; v++)
        total += strlen(m->descriptors[m->variant_descriptor[v]].id) + strlen(m->variant_name[v]) + 2;
    char *block = scenmc__xmalloc(total), **names = scenmc__xcalloc(V + 1, sizeof(char *)), *at = block;
    for (size_t v = 0; v < V; v++) {
        names[v] = at;
        at += sprintf(at, "%s=%s", m->descriptors[m->variant_descriptor[v]].id, m->variant_name[v]) + 1;
    }
    sw_coord(w, SCENMC_SP_VARIANT, str, names, "variant seen (descriptor=variant)");
    for (int a = 0; a < sp->S; a++)
        txt[a] = a < m->n_scenarios ? m->scenarios[a].name : "unclassified";
    sw_coord(w, SCENMC_SP_SCENARIO, str, txt, "scenario of the last year");
    sw_coord(w, SCENMC_SP_TARGET, str, sp->target_name, "class of the target");
    H5Tclose(str);
    free(names);
    free(block);
    free(txt);
    free(year);
}

static int sw_attrs(const sw *w)
{
    const scenmc_signposts *sp = w->sp;
    int32_t cond = sp->conditioned, pairs = sp->has_pairs, bin = sp->binary;
    uint64_t n = sp->n_trajectories;
    return scenmc__h5_put_attr_str(w->g, "method", sp->method == SCENMC_EXACT ? "exact" : "monte-carlo", 1) &&
           scenmc__h5_put_attr(w->g, "n_trajectories", H5T_STD_U64LE, H5T_NATIVE_UINT64, &n) &&
           scenmc__h5_put_attr(w->g, "n_effective", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &sp->n_effective) &&
           scenmc__h5_put_attr(w->g, "wall_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &sp->wall_seconds) &&
           scenmc__h5_put_attr(w->g, "target_entropy", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &sp->target_entropy) &&
           scenmc__h5_put_attr(w->g, "conditioned", H5T_STD_I32LE, H5T_NATIVE_INT32, &cond) &&
           scenmc__h5_put_attr(w->g, "log_evidence", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &sp->log_evidence) &&
           scenmc__h5_put_attr(w->g, "has_pairs", H5T_STD_I32LE, H5T_NATIVE_INT32, &pairs) &&
           scenmc__h5_put_attr(w->g, "binary_target", H5T_STD_I32LE, H5T_NATIVE_INT32, &bin);
}

/* The integer tables (int32 on file). */
static void sw_ints(sw *w)
{
    const scenmc_signposts *sp = w->sp;
    const int dd = SCENMC_SP_DESCRIPTOR, dy = SCENMC_SP_YEAR, dv = SCENMC_SP_VARIANT, ds = SCENMC_SP_SCENARIO;
    const int dy2[2] = {SCENMC_SP_DESCRIPTOR, SCENMC_SP_YEAR};
    int32_t *buf = scenmc__xcalloc((size_t)(sp->D * sp->Y + sp->V + sp->S + 2 * sp->Y) + 1, sizeof(int32_t));
    sw_put(w, "defining", H5T_NATIVE_INT32, 1, &dd, sp->defining,
           "1: the descriptor appears in a scenario definition (ranked apart)", NULL, 0);
    sw_put(w, "rank", H5T_NATIVE_INT32, 2, dy2, sp->rank,
           "rank by mutual information among the indicators of its group (defining or not), 1 = most", NULL, 0);
    sw_put(w, "best_descriptor", H5T_NATIVE_INT32, 1, &dy, sp->best,
           "0-based index of the most informative non-defining descriptor in the year, -1 none", NULL, 0);
    for (int y = 0; y < sp->Y; y++)
        buf[y] = sp->best_pair[2 * y], buf[sp->Y + y] = sp->best_pair[2 * y + 1];
    if (sp->has_pairs) {
        sw_put(w, "best_pair_first", H5T_NATIVE_INT32, 1, &dy, buf,
               "0-based index of the first descriptor of the most informative non-defining pair, -1 none", NULL, 0);
        sw_put(w, "best_pair_second", H5T_NATIVE_INT32, 1, &dy, buf + sp->Y,
               "0-based index of the second descriptor of that pair, -1 none", NULL, 0);
    }
    for (int v = 0; v < sp->V; v++)
        buf[v] = w->m->variant_descriptor[v];
    sw_put(w, "variant_descriptor", H5T_NATIVE_INT32, 1, &dv, buf, "0-based descriptor of the variant", NULL, 0);
    sw_put(w, "target_class", H5T_NATIVE_INT32, 1, &ds, sp->target_of,
           "0-based target class of each scenario of the last year", NULL, 0);
    free(buf);
}

static void sw_tables(sw *w)
{
    const scenmc_signposts *sp = w->sp;
    const int dy2[2] = {SCENMC_SP_DESCRIPTOR, SCENMC_SP_YEAR}, dk = SCENMC_SP_TARGET;
    const int yvk[3] = {SCENMC_SP_YEAR, SCENMC_SP_VARIANT, SCENMC_SP_TARGET};
    const int ydd[3] = {SCENMC_SP_YEAR, SCENMC_SP_DESCRIPTOR, SCENMC_SP_OTHER};
    hid_t f = H5T_NATIVE_DOUBLE;
    sw_put(w, "mutual_information", f, 2, dy2, sp->mi,
           "I(target; descriptor in year): expected information of observing it", "bit", 0);
    if (sp->method == SCENMC_MONTE_CARLO) {
        sw_put(w, "mutual_information_stderr", f, 2, dy2, sp->mi_se,
               "standard error of mutual_information (delta method plus the chi-square term)", "bit", 0);
        sw_put(w, "mutual_information_bias", f, 2, dy2, sp->mi_bias,
               "first-order bias of the plug-in mutual_information, (r_X - 1)(r_T - 1) / (2 N ln 2)", "bit", 0);
    }
    sw_put(w, "target_probability", f, 1, &dk, sp->target_prob, "P(target class)", "1", 0);
    sw_put(w, "joint", f, 3, yvk, sp->joint, "P(variant in year, target class)", "1", 0);
    sw_put(w, "conditional", f, 3, yvk, sp->cond, "P(target class | variant in year); NaN where P(variant) = 0",
           "1", 0);
    if (!sp->has_pairs)
        return;
    sw_put(w, "pair_mutual_information", f, 3, ydd, sp->pair_mi,
           "I(target; (descriptor, other_descriptor) in year); the diagonal is mutual_information", "bit", 0);
    if (sp->method == SCENMC_MONTE_CARLO) {
        sw_put(w, "pair_mutual_information_stderr", f, 3, ydd, sp->pair_mi_se,
               "standard error of pair_mutual_information (delta method plus the chi-square term)", "bit", 0);
        sw_put(w, "pair_mutual_information_bias", f, 3, ydd, sp->pair_mi_bias,
               "first-order bias of the plug-in pair_mutual_information, (r_X - 1)(r_T - 1) / (2 N ln 2), "
               "r_X the pairs of variants seen", "bit", 0);
    }
}

static int sw_add(hid_t file, const void *ctx)
{
    sw w = *(const sw *)ctx;
    w.ok = 1;
    for (int i = 0; i < SCENMC_SP_N_DIMS; i++)
        w.dim[i] = -1;
    w.g = H5Gcreate2(file, "signposts", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (w.g < 0)
        return 0;
    if (!sw_attrs(&w))
        w.ok = 0;
    sw_axes(&w);
    sw_ints(&w);
    sw_tables(&w);
    int ok = w.ok;
    for (int i = SCENMC_SP_N_DIMS - 1; i >= 0; i--) /* the scales, kept open for attaching */
        ok &= w.dim[i] < 0 || H5Dclose(w.dim[i]) >= 0;
    return H5Gclose(w.g) >= 0 && ok;
}

scenmc_status scenmc_signposts_write(const char *path, const scenmc_model *m, const scenmc_params *p,
                                     const scenmc_signposts *sp, const scenmc_write_options *opt,
                                     scenmc_error *err)
{
    scenmc_results shape;
    scenmc_status st = scenmc_results_init(&shape, m, p, sp->method, err);
    if (st != SCENMC_OK)
        return st;
    shape.n_trajectories = sp->n_trajectories;
    shape.wall_seconds = sp->wall_seconds;
    shape.threads = sp->threads;
    scenmc_write_options o = opt ? *opt : (scenmc_write_options){0};
    o.method = "signposts";
    sw ctx = {.m = m, .sp = sp};
    scenmc__output_extra extra = {.add = sw_add, .ctx = &ctx, .failed = "the signposts tables could not be written"};
    st = scenmc__output_write_meta(path, &shape, p, &o, &extra, err);
    scenmc_results_free(&shape);
    return st;
}
