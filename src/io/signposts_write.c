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
#include "io/axes.h"
#include "io/h5.h"
#include "io/kind_write.h"
#include "base/util.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sw {
    const scenmc_model *m;
    const scenmc_signposts *sp;
    hid_t g;
    scenmc__axes ax;
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

/* The six coordinate variables (fixed-length long_name, as ever). */
static void sw_axes(sw *w)
{
    const scenmc_signposts *sp = w->sp;
    scenmc__axes *ax = &w->ax;
    const char **id = scenmc__xcalloc((size_t)sp->D + 1, sizeof(char *));
    for (int d = 0; d < sp->D; d++)
        id[d] = w->m->descriptors[d].id;
    scenmc__axes_coord_strings(ax, SCENMC_SP_DESCRIPTOR, id, "descriptor observed (the indicator)");
    scenmc__axes_coord_strings(ax, SCENMC_SP_OTHER, id, "second descriptor of a pair");
    scenmc__axes_coord_years(ax, SCENMC_SP_YEAR, sp->year_start, "year of the observation");
    scenmc__axes_coord_variants(ax, SCENMC_SP_VARIANT, w->m, "variant seen (descriptor=variant)");
    scenmc__axes_coord_scenarios(ax, SCENMC_SP_SCENARIO, w->m, "scenario of the last year");
    scenmc__axes_coord_strings(ax, SCENMC_SP_TARGET, (const char *const *)sp->target_name, "class of the target");
    free(id);
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
    scenmc__axes *ax = &w->ax;
    const int dd = SCENMC_SP_DESCRIPTOR, dy = SCENMC_SP_YEAR, dv = SCENMC_SP_VARIANT, ds = SCENMC_SP_SCENARIO;
    const int dy2[2] = {SCENMC_SP_DESCRIPTOR, SCENMC_SP_YEAR};
    int32_t *buf = scenmc__xcalloc((size_t)(sp->D * sp->Y + sp->V + sp->S + 2 * sp->Y) + 1, sizeof(int32_t));
    scenmc__axes_var(ax, "defining", H5T_NATIVE_INT32, 1, &dd, sp->defining,
                     "1: the descriptor appears in a scenario definition (ranked apart)", NULL);
    scenmc__axes_var(ax, "rank", H5T_NATIVE_INT32, 2, dy2, sp->rank,
                     "rank by mutual information among the indicators of its group (defining or not), 1 = most", NULL);
    scenmc__axes_var(ax, "best_descriptor", H5T_NATIVE_INT32, 1, &dy, sp->best,
                     "0-based index of the most informative non-defining descriptor in the year, -1 none", NULL);
    for (int y = 0; y < sp->Y; y++)
        buf[y] = sp->best_pair[2 * y], buf[sp->Y + y] = sp->best_pair[2 * y + 1];
    if (sp->has_pairs) {
        scenmc__axes_var(ax, "best_pair_first", H5T_NATIVE_INT32, 1, &dy, buf,
                         "0-based index of the first descriptor of the most informative non-defining pair, -1 none",
                         NULL);
        scenmc__axes_var(ax, "best_pair_second", H5T_NATIVE_INT32, 1, &dy, buf + sp->Y,
                         "0-based index of the second descriptor of that pair, -1 none", NULL);
    }
    for (int v = 0; v < sp->V; v++)
        buf[v] = w->m->variant_descriptor[v];
    scenmc__axes_var(ax, "variant_descriptor", H5T_NATIVE_INT32, 1, &dv, buf, "0-based descriptor of the variant",
                     NULL);
    scenmc__axes_var(ax, "target_class", H5T_NATIVE_INT32, 1, &ds, sp->target_of,
                     "0-based target class of each scenario of the last year", NULL);
    free(buf);
}

static void sw_tables(sw *w)
{
    const scenmc_signposts *sp = w->sp;
    scenmc__axes *ax = &w->ax;
    const int dy2[2] = {SCENMC_SP_DESCRIPTOR, SCENMC_SP_YEAR}, dk = SCENMC_SP_TARGET;
    const int yvk[3] = {SCENMC_SP_YEAR, SCENMC_SP_VARIANT, SCENMC_SP_TARGET};
    const int ydd[3] = {SCENMC_SP_YEAR, SCENMC_SP_DESCRIPTOR, SCENMC_SP_OTHER};
    hid_t f = H5T_NATIVE_DOUBLE;
    scenmc__axes_var(ax, "mutual_information", f, 2, dy2, sp->mi,
                     "I(target; descriptor in year): expected information of observing it", "bit");
    if (sp->method == SCENMC_MONTE_CARLO) {
        scenmc__axes_var(ax, "mutual_information_stderr", f, 2, dy2, sp->mi_se,
                         "standard error of mutual_information (delta method plus the chi-square term)", "bit");
        scenmc__axes_var(ax, "mutual_information_bias", f, 2, dy2, sp->mi_bias,
                         "first-order bias of the plug-in mutual_information, (r_X - 1)(r_T - 1) / (2 N ln 2)", "bit");
    }
    scenmc__axes_var(ax, "target_probability", f, 1, &dk, sp->target_prob, "P(target class)", "1");
    scenmc__axes_var(ax, "joint", f, 3, yvk, sp->joint, "P(variant in year, target class)", "1");
    scenmc__axes_var(ax, "conditional", f, 3, yvk, sp->cond,
                     "P(target class | variant in year); NaN where P(variant) = 0", "1");
    if (!sp->has_pairs)
        return;
    scenmc__axes_var(ax, "pair_mutual_information", f, 3, ydd, sp->pair_mi,
                     "I(target; (descriptor, other_descriptor) in year); the diagonal is mutual_information", "bit");
    if (sp->method == SCENMC_MONTE_CARLO) {
        scenmc__axes_var(ax, "pair_mutual_information_stderr", f, 3, ydd, sp->pair_mi_se,
                         "standard error of pair_mutual_information (delta method plus the chi-square term)", "bit");
        scenmc__axes_var(ax, "pair_mutual_information_bias", f, 3, ydd, sp->pair_mi_bias,
                         "first-order bias of the plug-in pair_mutual_information, (r_X - 1)(r_T - 1) / (2 N ln 2), "
                         "r_X the pairs of variants seen", "bit");
    }
}

static int sw_add(hid_t file, const void *ctx)
{
    sw w = *(const sw *)ctx;
    if ((w.g = scenmc__kind_group(file, "signposts", &w.ax, SCENMC_SP_N_DIMS, scenmc__sp_dim_names, 1)) < 0)
        return 0;
    for (int i = 0; i < SCENMC_SP_N_DIMS; i++)
        w.ax.len[i] = scenmc__sp_dim_len(w.sp, i);
    if (!sw_attrs(&w))
        w.ax.ok = 0;
    sw_axes(&w);
    sw_ints(&w);
    sw_tables(&w);
    return scenmc__kind_group_close(&w.ax);
}

scenmc_status scenmc_signposts_write(const char *path, const scenmc_model *m, const scenmc_params *p,
                                     const scenmc_signposts *sp, const scenmc_write_options *opt,
                                     scenmc_error *err)
{
    scenmc__kind_head head = {.method = sp->method, .n_trajectories = sp->n_trajectories,
                              .wall_seconds = sp->wall_seconds, .threads = sp->threads, .file_method = "signposts"};
    sw ctx = {.m = m, .sp = sp};
    scenmc__output_extra extra = {.add = sw_add, .ctx = &ctx, .failed = "the signposts tables could not be written"};
    return scenmc__kind_write(path, m, p, &head, opt, &extra, err);
}
