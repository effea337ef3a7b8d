/* Shards of a score run into one derivative file (derivative_merge.h). The
 * sums are integers (fixed point, engine/score.c), so they add exactly in
 * any order and the merged tables are computed from them as one run
 * computes its own: the file's tables equal the unsharded run's bit for bit. */
#include "io/derivative_merge.h"
#include "io/derivative_read.h"
#include "io/derivative_write.h"
#include "io/merge.h"
#include "engine/score.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct dpart {
    const char *path;
    scenmc_model *m;
    scenmc_params p;
    scenmc_derivatives d;
    scenmc_results_info info;
    scenmc__score_sums s;
    scenmc_range span;
    int k, M;
    int loaded;
} dpart;

static void dpart_free(dpart *q)
{
    if (!q->loaded)
        return;
    scenmc_derivatives_free(&q->d);
    scenmc_params_free(&q->p);
    scenmc_model_free(q->m);
    scenmc_results_info_free(&q->info);
    scenmc__score_sums_free(&q->s);
    q->loaded = 0;
}

/* One part: a score-method derivative file with its sums, whose sums hold
 * exactly the trajectories of its range. */
static scenmc_status dpart_load(dpart *q, const char *path, scenmc_error *err)
{
    memset(q, 0, sizeof *q);
    q->path = path;
    scenmc_status st = scenmc_derivatives_read(path, &q->m, &q->p, &q->d, &q->info, err);
    if (st != SCENMC_OK)
        return st;
    q->loaded = 1;
    if (strcmp(q->d.method, "score"))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: derivatives by the %s method; only the shards of "
                                "'scenmc sensitivity --method score --shard K/M' can be merged", path, q->d.method);
    if ((st = scenmc__derivative_sums_read(path, &q->d, &q->s, &q->span, &q->k, &q->M, err)) != SCENMC_OK)
        return st;
    const uint64_t held = scenmc__score_sums_count(&q->s);
    if (held != q->span.last - q->span.first)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: holds %llu trajectories but spans [%llu, %llu): damaged",
                                path, (unsigned long long)held, (unsigned long long)q->span.first,
                                (unsigned long long)q->span.last);
    return SCENMC_OK;
}

/* The first parameter where the lists differ, or -1. */
static int param_differs(const scenmc_dparam *a, int na, const scenmc_dparam *b, int nb)
{
    for (int e = 0; e < na || e < nb; e++)
        if (e >= na || e >= nb || a[e].kind != b[e].kind || a[e].u != b[e].u || a[e].v != b[e].v ||
            a[e].value != b[e].value || a[e].step != b[e].step || strcmp(a[e].label, b[e].label))
            return e;
    return -1;
}

/* Whether part b belongs with part a: format, model, parameters, the
 * parameter list, the tables. */
static void dpart_together(const dpart *a, const dpart *b, scenmc_error *err)
{
    char why[256];
    int e;
    if (b->info.format_version != a->info.format_version)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: format version %d and %d",
                         a->path, b->path, a->info.format_version, b->info.format_version);
    else if (strcmp(a->info.sha256, b->info.sha256) != 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: different models (SHA-256 "
                         "%.12s... and %.12s...)", a->path, b->path, a->info.sha256, b->info.sha256);
    else if (!scenmc_params_same(&b->p, &a->p, why, sizeof why))
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: %s has %s", a->path, b->path,
                         b->path, why);
    else if ((e = param_differs(a->d.param, a->d.n_param, b->d.param, b->d.n_param)) >= 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: different parameter lists "
                         "(%d and %d parameters; parameter %d is %s and %s)", a->path, b->path, a->d.n_param,
                         b->d.n_param, e + 1, e < a->d.n_param ? a->d.param[e].label : "-",
                         e < b->d.n_param ? b->d.param[e].label : "-");
    else if (a->s.sv != b->s.sv)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: %s has every table, %s only "
                         "the scenario table (--tables)", a->path, b->path, a->s.sv ? a->path : b->path,
                         a->s.sv ? b->path : a->path);
}

/* The parts' sums added (into the first in order), estimated and written. */
static scenmc_status dmerge_write(dpart *ps, int n, const int *order, const char *out,
                                  const scenmc_write_options *opt, scenmc_error *err)
{
    dpart *q0 = &ps[order[0]];
    double wall = 0;
    for (int j = 0; j < n; j++) {
        wall += ps[order[j]].d.wall_seconds;
        if (j > 0)
            scenmc__score_sums_add(&q0->s, &ps[order[j]].s); /* the shapes are checked */
    }
    scenmc_derivatives d;
    memset(&d, 0, sizeof d);
    scenmc_status st = scenmc_dparams_list(q0->m, &q0->p, &d.param, &d.n_param, err);
    if (st == SCENMC_OK && param_differs(d.param, d.n_param, q0->d.param, q0->d.n_param) >= 0)
        st = scenmc_error_add(err, SCENMC_E_INPUT, "%s: its parameter list is not the one its model and "
                              "parameters give: damaged", q0->path);
    if (st == SCENMC_OK)
        st = scenmc__score_estimate(&q0->s, &d, err);
    if (st == SCENMC_OK) {
        strcpy(d.method, "score");
        d.wall_seconds = wall;
        scenmc_write_options wo = {0};
        if (opt)
            wo = *opt;
        wo.method = "derivative";
        st = scenmc_derivatives_write(out, q0->m, &q0->p, &d, &wo, err);
    }
    scenmc_derivatives_free(&d);
    return st;
}

scenmc_status scenmc__merge_derivative_files(const char *const *paths, int n, const char *out,
                                             const scenmc_write_options *opt, uint64_t *n_trajectories,
                                             scenmc_error *err)
{
    if (n < 1)
        return scenmc_error_add(err, SCENMC_E_INPUT, "no files to merge");
    dpart *ps = scenmc__xcalloc((size_t)n, sizeof *ps);
    scenmc_status st = SCENMC_OK;
    for (int i = 0; i < n && st == SCENMC_OK; i++) {
        st = dpart_load(&ps[i], paths[i], err);
        if (st == SCENMC_OK && i > 0)
            dpart_together(&ps[0], &ps[i], err);
    }
    int *order = NULL;
    if (st == SCENMC_OK && err->code == SCENMC_OK) {
        scenmc__span *sp = scenmc__xcalloc((size_t)n, sizeof *sp);
        for (int i = 0; i < n; i++)
            sp[i] = (scenmc__span){ps[i].span.first, ps[i].span.last, ps[i].path};
        order = scenmc__cover_order(sp, n, ps[0].p.n_trajectories, "trajectories", err);
    }
    if (st == SCENMC_OK)
        st = err->code;
    if (st == SCENMC_OK)
        st = dmerge_write(ps, n, order, out, opt, err);
    if (st == SCENMC_OK && n_trajectories)
        *n_trajectories = ps[0].p.n_trajectories;
    free(order);
    for (int i = 0; i < n; i++)
        dpart_free(&ps[i]);
    free(ps);
    return st;
}
