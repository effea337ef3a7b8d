/* Reads /signposts exactly as io/signposts_write.c lays it out: the axes
 * checked against the model and years, then every table. */
#include "io/signposts_read.h"
#include "io/signposts_write.h"
#include "io/h5.h"
#include "io/kinds_read.h"
#include "io/results_read.h"
#include "engine/signposts.h"
#include "base/util.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

static scenmc_status bad(scenmc_error *err, const char *path, const char *what)
{
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s: /signposts: %s: the file is damaged", path, what);
}

/* Whether the coordinate variable of dimension dim holds len values
 * (strings, or years for the year axis). */
static int axis_fits(hid_t g, int dim, size_t len)
{
    if (dim == SCENMC_SP_YEAR) {
        int32_t *y = scenmc__xcalloc(len + 1, sizeof(int32_t));
        int ok = scenmc__h5_read_num(g, scenmc__sp_dim_names[dim], H5T_NATIVE_INT32, len, y) == 1;
        free(y);
        return ok;
    }
    size_t n = 0;
    char **txt = scenmc__h5_read_strings(g, scenmc__sp_dim_names[dim], &n);
    if (txt)
        scenmc__h5_free_strings(txt, n);
    return txt && n == len;
}

/* The target as the writer had it: the scenarios of class 0 when binary. */
static scenmc_status shape(hid_t g, const char *path, const scenmc__meta *mt, scenmc_signposts *sp,
                           scenmc_error *err)
{
    const scenmc_model *m = mt->model;
    int32_t bin = 0, S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    scenmc__h5_get_attr(g, ".", "binary_target", H5T_NATIVE_INT32, &bin);
    int32_t *cls = scenmc__xcalloc((size_t)S, sizeof(int32_t));
    int *target = scenmc__xcalloc((size_t)S, sizeof(int)), n = 0;
    int ok = axis_fits(g, SCENMC_SP_SCENARIO, (size_t)S) && scenmc__h5_read_num(g, "target_class", H5T_NATIVE_INT32, (size_t)S, cls) == 1;
    for (int a = 0; ok && a < S && bin; a++)
        if (cls[a] == 0)
            target[n++] = a;
    if (ok)
        scenmc__signposts_alloc(sp, m, &mt->params, bin ? n : 0, target);
    free(cls);
    free(target);
    if (!ok || (bin && n == 0))
        return bad(err, path, "scenario or target_class");
    for (int d = 0; d < SCENMC_SP_N_DIMS; d++)
        if (!axis_fits(g, d, (size_t)scenmc__sp_dim_len(sp, d)))
            return bad(err, path, "its axes do not fit the model and years");
    return SCENMC_OK;
}

static int attrs(hid_t g, scenmc_signposts *sp)
{
    char *meth = scenmc__h5_attr_string(g, ".", "method");
    int ok = meth && (!strcmp(meth, "exact") || !strcmp(meth, "monte-carlo"));
    sp->method = ok && !strcmp(meth, "exact") ? SCENMC_EXACT : SCENMC_MONTE_CARLO;
    free(meth);
    int32_t cond = 0, pairs = 0;
    scenmc__h5_get_attr(g, ".", "n_trajectories", H5T_NATIVE_UINT64, &sp->n_trajectories);
    scenmc__h5_get_attr(g, ".", "wall_seconds", H5T_NATIVE_DOUBLE, &sp->wall_seconds);
    scenmc__h5_get_attr(g, ".", "n_effective", H5T_NATIVE_DOUBLE, &sp->n_effective);
    scenmc__h5_get_attr(g, ".", "target_entropy", H5T_NATIVE_DOUBLE, &sp->target_entropy);
    scenmc__h5_get_attr(g, ".", "log_evidence", H5T_NATIVE_DOUBLE, &sp->log_evidence);
    scenmc__h5_get_attr(g, ".", "conditioned", H5T_NATIVE_INT32, &cond);
    scenmc__h5_get_attr(g, ".", "has_pairs", H5T_NATIVE_INT32, &pairs);
    sp->conditioned = cond, sp->has_pairs = pairs;
    return ok;
}

static int tables(hid_t g, scenmc_signposts *sp)
{
    size_t DY = (size_t)sp->D * (size_t)sp->Y, YVK = (size_t)sp->Y * (size_t)sp->V * (size_t)sp->K;
    hid_t f = H5T_NATIVE_DOUBLE, i = H5T_NATIVE_INT32;
    int mc = sp->method == SCENMC_MONTE_CARLO, ok = 1;
    ok &= scenmc__h5_read_num(g, "mutual_information", f, DY, sp->mi) == 1;
    ok &= !mc || scenmc__h5_read_num(g, "mutual_information_stderr", f, DY, sp->mi_se) == 1;
    ok &= !mc || scenmc__h5_read_num(g, "mutual_information_bias", f, DY, sp->mi_bias) == 1;
    ok &= scenmc__h5_read_num(g, "rank", i, DY, sp->rank) == 1;
    ok &= scenmc__h5_read_num(g, "defining", i, (size_t)sp->D, sp->defining) == 1;
    ok &= scenmc__h5_read_num(g, "best_descriptor", i, (size_t)sp->Y, sp->best) == 1;
    ok &= scenmc__h5_read_num(g, "target_probability", f, (size_t)sp->K, sp->target_prob) == 1;
    ok &= scenmc__h5_read_num(g, "joint", f, YVK, sp->joint) == 1;
    ok &= scenmc__h5_read_num(g, "conditional", f, YVK, sp->cond) == 1;
    if (!sp->has_pairs || !ok)
        return ok;
    int32_t *bp = scenmc__xcalloc(2 * (size_t)sp->Y, sizeof(int32_t));
    ok &= scenmc__h5_read_num(g, "pair_mutual_information", f, DY * (size_t)sp->D, sp->pair_mi) == 1;
    ok &= !mc || scenmc__h5_read_num(g, "pair_mutual_information_stderr", f, DY * (size_t)sp->D, sp->pair_mi_se) == 1;
    ok &= !mc || scenmc__h5_read_num(g, "pair_mutual_information_bias", f, DY * (size_t)sp->D, sp->pair_mi_bias) == 1;
    ok &= scenmc__h5_read_num(g, "best_pair_first", i, (size_t)sp->Y, bp) == 1;
    ok &= scenmc__h5_read_num(g, "best_pair_second", i, (size_t)sp->Y, bp + sp->Y) == 1;
    for (int y = 0; y < sp->Y; y++)
        sp->best_pair[2 * y] = bp[y], sp->best_pair[2 * y + 1] = bp[sp->Y + y];
    free(bp);
    return ok;
}

scenmc_status scenmc_signposts_read(const char *path, scenmc_model **model, scenmc_params *p,
                                    scenmc_signposts *sp, scenmc_results_info *info, scenmc_error *err)
{
    *model = NULL;
    memset(sp, 0, sizeof *sp);
    memset(p, 0, sizeof *p);
    scenmc__meta mt;
    hid_t g;
    scenmc_status st = scenmc__kind_open(path, "/signposts", "signposts", &mt, &g, info, err);
    if (st != SCENMC_OK)
        return st;
    if ((st = shape(g, path, &mt, sp, err)) == SCENMC_OK && !(attrs(g, sp) && tables(g, sp)))
        st = bad(err, path, "a table is missing or of another shape");
    if (st == SCENMC_OK)
        sp->threads = 0;
    else
        scenmc_signposts_free(sp);
    return scenmc__kind_close(st, &mt, g, model, p, info);
}
