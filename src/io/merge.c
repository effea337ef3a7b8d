/* Merging shard files into one (docs/hpc.md): checks that the parts belong
 * together and cover the trajectories (or sweep points) exactly once, then
 * adds their integer counts. Probabilities are recomputed from the counts the
 * way a run computes them, so the merged tables equal one run's bit for bit. */
#include "io/merge.h"
#include "scenmc/observe.h"
#include "scenmc/reader.h"
#include "scenmc/sweep.h"
#include "io/h5.h"
#include "io/results_read.h"
#include "base/util.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct part {
    const char *path;
    scenmc_model *model;
    scenmc_results r;
    scenmc_results_info info;
    scenmc_hpc_info hpc;
    int loaded;
    int ensemble; /* the file has /ensemble */
} part;

static void free_parts(part *ps, int n, int keep)
{
    for (int i = 0; i < n; i++) {
        if (i == keep)
            continue;
        if (ps[i].loaded) {
            scenmc_results_free(&ps[i].r);
            scenmc_model_free(ps[i].model);
        }
        scenmc_results_info_free(&ps[i].info);
        scenmc_hpc_info_free(&ps[i].hpc);
    }
}

typedef scenmc__span span;

/* Checks coverage of [0, total) by the sorted spans; adds one problem per gap
 * or overlap. what: "trajectories" or "sweep points". */
static void check_cover(const span *sp, const int *order, int n, uint64_t total, const char *what,
                        scenmc_error *err)
{
    uint64_t at = 0;
    int prev = -1;
    for (int j = 0; j < n; j++) {
        const span *s = &sp[order[j]], *p = prev >= 0 ? &sp[prev] : NULL;
        if (s->first > at) {
            if (!p)
                scenmc_error_add(err, SCENMC_E_INPUT, "missing part: %s [%llu, %llu) are in no file "
                                 "(the first, %s, starts at %llu)", what, (unsigned long long)at,
                                 (unsigned long long)s->first, s->name, (unsigned long long)s->first);
            else
                scenmc_error_add(err, SCENMC_E_INPUT, "missing part: %s [%llu, %llu) are in no file "
                                 "(between %s and %s)", what, (unsigned long long)at,
                                 (unsigned long long)s->first, p->name, s->name);
        } else if (s->first < at && p && !strcmp(p->name, s->name)) {
            scenmc_error_add(err, SCENMC_E_INPUT, "overlapping parts: %s is given twice", s->name);
        } else if (s->first < at && p) {
            scenmc_error_add(err, SCENMC_E_INPUT, "overlapping parts: %s has %s [%llu, %llu) and %s "
                             "[%llu, %llu); each must be given once", p->name, what,
                             (unsigned long long)p->first, (unsigned long long)p->last, s->name,
                             (unsigned long long)s->first, (unsigned long long)s->last);
        }
        if (!p || s->last > at) {
            at = s->last;
            prev = order[j];
        }
    }
    if (at < total)
        scenmc_error_add(err, SCENMC_E_INPUT, "missing part: %s [%llu, %llu) of [0, %llu) are in no "
                         "file (the last, %s, ends at %llu)", what, (unsigned long long)at,
                         (unsigned long long)total, (unsigned long long)total,
                         prev >= 0 ? sp[prev].name : "-", (unsigned long long)at);
}

/* The parts in order of (first, last), ties in the order given (a stable
 * insertion sort: few parts), checked to cover [0, total) once. Frees sp. */
int *scenmc__cover_order(span *sp, int n, uint64_t total, const char *what, scenmc_error *err)
{
    int *order = scenmc__xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0; j--) {
            const span *x = &sp[order[j - 1]], *y = &sp[order[j]];
            if (x->first < y->first || (x->first == y->first && x->last <= y->last))
                break;
            int t = order[j - 1];
            order[j - 1] = order[j];
            order[j] = t;
        }
    check_cover(sp, order, n, total, what, err);
    free(sp);
    return order;
}

static int has_ensemble(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    int e = H5Lexists(f, "ensemble", H5P_DEFAULT) > 0;
    H5Fclose(f);
    return e;
}

/* Reads every part with its checkpoint and shard attributes; on failure frees them. */
static scenmc_status load_parts(part *ps, const char *const *paths, int n, unsigned read_flags,
                                scenmc_error *err)
{
    for (int i = 0; i < n; i++) {
        ps[i].path = paths[i];
        scenmc_error e;
        scenmc_error_clear(&e);
        scenmc_status st =
            scenmc_results_read_info(paths[i], &ps[i].model, &ps[i].r, &ps[i].info, read_flags, &e);
        if (st == SCENMC_OK)
            st = scenmc_hpc_info_read(paths[i], &ps[i].hpc, &e);
        else
            memset(&ps[i].hpc, 0, sizeof ps[i].hpc);
        if (st != SCENMC_OK) {
            if (ps[i].model) {
                scenmc_results_free(&ps[i].r);
                scenmc_model_free(ps[i].model);
            }
            scenmc_error_add(err, st, "%s", e.msg);
            free_parts(ps, i + 1, -1);
            return st;
        }
        ps[i].loaded = 1;
        ps[i].ensemble = has_ensemble(paths[i]);
    }
    return SCENMC_OK;
}

/* Finished Monte Carlo results of one contiguous range. */
static void check_part(const part *b, scenmc_error *err)
{
    if (b->r.method != SCENMC_MONTE_CARLO || strcmp(b->info.method, "monte-carlo") != 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: method '%s'; only Monte Carlo results "
                         "(scenmc run) can be merged", b->path, b->info.method);
    else if (b->ensemble)
        /* An ensemble runs in one process to the end (no shards): its pooled tables
         * are never a part, and /ensemble, the members' own tables, cannot be added. */
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: results of an ensemble run (scenmc run "
                         "--ensemble), which is always whole: there is nothing to merge it with",
                         b->path);
    else if (b->hpc.checkpoint)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: a checkpoint of an unfinished run (trajectories "
                         "%llu of [%llu, %llu) done), not finished results; finish it with "
                         "'scenmc run --resume %s'", b->path, (unsigned long long)b->r.n_trajectories,
                         (unsigned long long)b->hpc.target_first,
                         (unsigned long long)b->hpc.target_last, b->path);
    else if (b->r.n_trajectories != b->r.last - b->r.first)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: holds %llu trajectories but spans [%llu, %llu); "
                         "not one contiguous range", b->path, (unsigned long long)b->r.n_trajectories,
                         (unsigned long long)b->r.first, (unsigned long long)b->r.last);
}

/* Whether part b belongs with part a: format, model, parameters. */
static void check_together(const part *a, const part *b, scenmc_error *err)
{
    char why[256];
    if (b->info.format_version != a->info.format_version)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: format version %d "
                         "and %d", a->path, b->path, a->info.format_version, b->info.format_version);
    else if (strcmp(a->info.sha256, b->info.sha256) != 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: different models "
                         "(SHA-256 %.12s... and %.12s...)", a->path, b->path, a->info.sha256,
                         b->info.sha256);
    else if (!scenmc_params_same(&b->r.params, &a->r.params, why, sizeof why))
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: %s has %s",
                         a->path, b->path, b->path, why);
}

/* ---------------------------------------------------------------- conditioning */

/* Whether a and b are the same evidence: the same observations in the same
 * order, likelihoods bit for bit, and the same start state (where each was
 * given and the file names may differ); why says the first difference. */
static int same_observations(const scenmc_observations *a, const scenmc_observations *b, char *why,
                             size_t n)
{
    if (!a || !b) {
        snprintf(why, n, "%s", a || b ? "one lists its observations, the other not" : "");
        return !a && !b;
    }
    if (a->n != b->n) {
        snprintf(why, n, "%d observations and %d", a->n, b->n);
        return 0;
    }
    for (int i = 0; i < a->n; i++) {
        const scenmc_observation *x = &a->obs[i], *y = &b->obs[i];
        if (x->year != y->year || x->descriptor != y->descriptor || x->n_variants != y->n_variants ||
            memcmp(x->likelihood, y->likelihood, sizeof(double) * (size_t)x->n_variants) != 0) {
            snprintf(why, n, "observation %d differs (%s; %s)", i + 1, x->where ? x->where : "-",
                     y->where ? y->where : "-");
            return 0;
        }
    }
    int same_start = (!a->start && !b->start) ||
                     (a->start && b->start && a->n_start == b->n_start &&
                      !memcmp(a->start, b->start, sizeof(int) * (size_t)a->n_start));
    if (!same_start)
        snprintf(why, n, "different observed start states");
    return same_start;
}

/* Parts conditioned on observations merge only with parts conditioned on the
 * same ones, weighted on the same scale. */
static void check_conditioning(const part *a, const part *b, scenmc_error *err)
{
    char why[512];
    if (a->r.conditioned != b->r.conditioned)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: %s is conditioned on "
                         "observations and %s is not", a->path, b->path, a->r.conditioned ? a->path : b->path,
                         a->r.conditioned ? b->path : a->path);
    else if (a->r.conditioned && !same_observations(a->r.given, b->r.given, why, sizeof why))
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: conditioned on different "
                         "observations: %s", a->path, b->path, why);
    else if (a->r.conditioned && a->r.weight_one != b->r.weight_one)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: weights on different "
                         "scales (weight_one %llu and %llu)", a->path, b->path,
                         (unsigned long long)a->r.weight_one, (unsigned long long)b->r.weight_one);
}

/* The parts' weight sums, added exactly (the squares in 128 bits), taken
 * before the counts are added; 0 when they pass 64 (128) bits. */
typedef struct weights {
    uint64_t sum, sq[2];
} weights;

static int sum_weights(const part *ps, int n, weights *w)
{
    memset(w, 0, sizeof *w);
    int over = 0;
    for (int i = 0; i < n; i++) {
        const scenmc_results *r = &ps[i].r;
        over |= w->sum + r->weight_sum < w->sum;
        w->sum += r->weight_sum;
        uint64_t lo = w->sq[0] + r->weight_sq_sum[0];
        uint64_t hi = w->sq[1] + r->weight_sq_sum[1];
        over |= hi < w->sq[1];
        over |= hi + (lo < w->sq[0]) < hi;
        hi += lo < w->sq[0];
        w->sq[0] = lo;
        w->sq[1] = hi;
    }
    return !over;
}

/* The merged results get the parts' total weights (whatever adding the
 * counts did with them): the evidence and effective size follow from them. */
static void set_weights(scenmc_results *out, const weights *w)
{
    out->weight_sum = w->sum;
    out->weight_sq_sum[0] = w->sq[0];
    out->weight_sq_sum[1] = w->sq[1];
    scenmc_results_finalize(out);
}

/* Adds the parts in trajectory order (the order does not matter: integers)
 * into the first; on success *out and *model take them over. */
static scenmc_status add_parts(part *ps, int n, const int *order, scenmc_model **model,
                               scenmc_results *out, scenmc_error *err)
{
    int base = order[0];
    scenmc_status st = SCENMC_OK;
    weights w;
    if (!sum_weights(ps, n, &w))
        st = scenmc_error_add(err, SCENMC_E_LIMIT, "the parts' weights add up to more than 64 bits (128 "
                              "for their squares); merge fewer trajectories");
    for (int j = 1; j < n && st == SCENMC_OK; j++)
        st = scenmc_results_add(&ps[base].r, &ps[order[j]].r, err);
    if (st == SCENMC_OK && ps[base].r.conditioned)
        set_weights(&ps[base].r, &w);
    int threads = 0;
    for (int i = 0; i < n; i++)
        threads = ps[i].r.threads > threads ? ps[i].r.threads : threads;
    if (st != SCENMC_OK) {
        free_parts(ps, n, -1);
        return st;
    }
    *out = ps[base].r;
    out->threads = threads;
    *model = ps[base].model;
    free_parts(ps, n, base);
    scenmc_results_info_free(&ps[base].info);
    scenmc_hpc_info_free(&ps[base].hpc);
    return SCENMC_OK;
}

scenmc_status scenmc_merge_files(const char *const *paths, int n, unsigned read_flags,
                                 scenmc_model **model, scenmc_results *out, scenmc_error *err)
{
    *model = NULL;
    memset(out, 0, sizeof *out);
    if (n < 1)
        return scenmc_error_add(err, SCENMC_E_INPUT, "no files to merge");
    part *ps = scenmc__xcalloc((size_t)n, sizeof *ps);
    scenmc_status st = load_parts(ps, paths, n, read_flags, err);
    if (st != SCENMC_OK) {
        free(ps);
        return st;
    }
    /* Do they belong together? Every part against the first. */
    for (int i = 0; i < n; i++) {
        check_part(&ps[i], err);
        if (i > 0)
            check_together(&ps[0], &ps[i], err);
        if (i > 0)
            check_conditioning(&ps[0], &ps[i], err);
    }
    int *order = NULL;
    if (err->code == SCENMC_OK) {
        /* Disjoint, and together exactly [0, N)? */
        span *sp = scenmc__xcalloc((size_t)n, sizeof *sp);
        for (int i = 0; i < n; i++)
            sp[i] = (span){ps[i].r.first, ps[i].r.last, ps[i].path};
        order = scenmc__cover_order(sp, n, ps[0].r.params.n_trajectories, "trajectories", err);
    }
    if (err->code != SCENMC_OK) {
        st = err->code;
        free_parts(ps, n, -1);
    } else {
        st = add_parts(ps, n, order, model, out, err);
    }
    free(order);
    free(ps);
    return st;
}

/* ---------------------------------------------------------------- sweep files */

typedef struct sweep_part {
    const char *path;
    hid_t f;
    char *sha, *design, *source, *model_path;
    int n_points, point_first, point_last, total;
    int K;
    char **names;
    double *values; /* [n_points][K] */
    scenmc_params p; /* base parameters (after the model is known) */
    int have_p;
    int version;    /* format_version: 1 or 2 (the tables' names) */
} sweep_part;

static int read_int_attr(hid_t f, const char *name, int *v)
{
    return scenmc__h5_get_attr(f, "/", name, H5T_NATIVE_INT, v);
}

static void sweep_part_free(sweep_part *s)
{
    if (s->f > 0)
        H5Fclose(s->f);
    free(s->sha);
    free(s->design);
    free(s->source);
    free(s->model_path);
    scenmc__h5_free_strings(s->names, (size_t)s->K);
    free(s->values);
    if (s->have_p)
        scenmc_params_free(&s->p);
}

static int sweep_open(sweep_part *s, const char *path, scenmc_error *err)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->f = -1;
    if (H5Fis_hdf5(path) <= 0 || (s->f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: cannot open it as HDF5", path);
        return 0;
    }
    char *method = scenmc__h5_attr_string(s->f, "/", "method");
    char *format = scenmc__h5_attr_string(s->f, "/", "format");
    int version = 0;
    int okm = method && !strcmp(method, "monte-carlo") && format && !strcmp(format, "scenmc-results") &&
              read_int_attr(s->f, "format_version", &version) == 1 &&
              version >= SCENMC_RESULTS_FORMAT_VERSION_MIN && version <= SCENMC_RESULTS_FORMAT_VERSION &&
              H5Lexists(s->f, "sweep", H5P_DEFAULT) > 0;
    if (!okm) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: not a scenmc sweep file (method '%s', format '%s' "
                         "version %d, %s /sweep); the files of scenmc run and of scenmc sweep cannot be "
                         "merged together", path, method ? method : "?", format ? format : "?", version,
                         H5Lexists(s->f, "sweep", H5P_DEFAULT) > 0 ? "with" : "no");
        free(method);
        free(format);
        return 0;
    }
    free(method);
    free(format);
    s->version = version;
    s->sha = scenmc__h5_attr_string(s->f, "/model", "sha256");
    s->model_path = scenmc__h5_attr_string(s->f, "/model", "path");
    s->design = scenmc__h5_attr_string(s->f, "/", "design");
    size_t one = 0;
    char **src = scenmc__h5_read_strings(s->f, "/model/source", &one);
    if (src && one == 1) {
        s->source = src[0];
        src[0] = NULL;
    }
    scenmc__h5_free_strings(src, one);
    if (read_int_attr(s->f, "n_points", &s->n_points) != 1 || !s->sha || !s->source || !s->design) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: a sweep file without n_points, design or model: "
                         "damaged", path);
        return 0;
    }
    int has = read_int_attr(s->f, "sweep_point_first", &s->point_first);
    if (has == 1 && read_int_attr(s->f, "sweep_point_last", &s->point_last) == 1 &&
        read_int_attr(s->f, "sweep_n_points", &s->total) == 1) {
        if (s->point_first < 0 || s->point_last < s->point_first || s->total < s->point_last ||
            s->point_last - s->point_first != s->n_points) {
            scenmc_error_add(err, SCENMC_E_INPUT, "%s: sweep points [%d, %d) of %d but %d points in the "
                             "file: damaged", path, s->point_first, s->point_last, s->total, s->n_points);
            return 0;
        }
    } else if (has == 0) {
        s->point_first = 0; /* a whole sweep */
        s->point_last = s->total = s->n_points;
    } else {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: damaged shard attributes", path);
        return 0;
    }
    size_t K = 0;
    /* Version 2 names the parameter axis after its dimension. */
    const char *pname = version >= 2 ? "/sweep/param" : "/sweep/param_name";
    s->names = scenmc__h5_read_strings(s->f, pname, &K);
    s->K = (int)K;
    if (!s->names) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: no %s: damaged", path, pname);
        return 0;
    }
    s->values = scenmc__xcalloc((size_t)s->n_points * K + 1, sizeof(double));
    if (scenmc__h5_read_num(s->f, "/sweep/value", H5T_NATIVE_DOUBLE, (size_t)s->n_points * K, s->values) != 1) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: /sweep/value is not [%d, %zu]: damaged", path,
                         s->n_points, K);
        return 0;
    }
    return 1;
}

/* The model embedded in the first part, checked against its SHA-256. */
static int sweep_model(const sweep_part *p0, scenmc_model **m, scenmc_error *err)
{
    scenmc_error e;
    scenmc_error_clear(&e);
    const char *name = p0->model_path && *p0->model_path ? p0->model_path : "/model/source";
    if (scenmc_model_parse(p0->source, strlen(p0->source), name, m, &e) != SCENMC_OK) {
        *m = NULL;
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: the embedded model does not load:", p0->path);
        scenmc_error_add(err, SCENMC_E_INPUT, "%s", e.msg);
        return 0;
    }
    char hex[65];
    scenmc_model_sha256_hex(*m, hex);
    if (strcmp(hex, p0->sha) != 0) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: the embedded model's SHA-256 does not match "
                         "/model/sha256: damaged", p0->path);
        return 0;
    }
    return 1;
}

/* Whether part b belongs with part a (b's parameters read already). */
static void sweep_together(const sweep_part *a, const sweep_part *b, scenmc_error *err)
{
    char why[256];
    if (strcmp(a->sha, b->sha) != 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: different models "
                         "(SHA-256 %.12s... and %.12s...)", a->path, b->path, a->sha, b->sha);
    else if (!scenmc_params_same(&b->p, &a->p, why, sizeof why))
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: %s has %s",
                         a->path, b->path, b->path, why);
    else if (strcmp(a->design, b->design) != 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: design %s and %s",
                         a->path, b->path, a->design, b->design);
    else if (a->total != b->total)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: sweeps of %d and "
                         "%d points", a->path, b->path, a->total, b->total);
    else {
        int same = a->K == b->K;
        for (int j = 0; same && j < a->K; j++)
            same = !strcmp(a->names[j], b->names[j]);
        if (!same)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s and %s do not belong together: different "
                             "swept parameters", a->path, b->path);
    }
}

/* Every part's base parameters, and every part against the first. */
static int sweep_check_parts(sweep_part *ps, int n, const scenmc_model *m, scenmc_error *err)
{
    for (int i = 0; i < n; i++) {
        sweep_part *a = &ps[0], *b = &ps[i];
        scenmc_error e;
        scenmc_error_clear(&e);
        if (scenmc__params_read_h5(b->f, b->path, m, &b->p, &e) != SCENMC_OK) {
            scenmc_params_free(&b->p);
            /* A part of another model cannot have this model's parameters: say which. */
            if (i == 0 || !strcmp(a->sha, b->sha)) {
                scenmc_error_add(err, SCENMC_E_INPUT, "%s: /params is incomplete or damaged", b->path);
                return 0;
            }
        } else {
            b->have_p = 1;
        }
        if (i > 0)
            sweep_together(a, b, err);
    }
    return err->code == SCENMC_OK;
}

/* Orders the parts by their points and checks that they cover [0, total) once. */
static int *sweep_order(const sweep_part *ps, int n, scenmc_error *err)
{
    span *sp = scenmc__xcalloc((size_t)n, sizeof *sp);
    for (int i = 0; i < n; i++)
        sp[i] = (span){(uint64_t)ps[i].point_first, (uint64_t)ps[i].point_last, ps[i].path};
    return scenmc__cover_order(sp, n, (uint64_t)ps[0].total, "sweep points", err);
}

/* The merged sweep's tables, shaped as point 0's were (the swept parameters
 * can change the shape: the final-state table), with the parts' run totals. */
static scenmc_status sweep_shape(const sweep_part *ps, int n, const sweep_part *p0,
                                 const scenmc_model *m, const double *values,
                                 scenmc_sweep_param **sp_out, scenmc_results *r, scenmc_error *err)
{
    int K = ps[0].K;
    scenmc_sweep_param *sp = scenmc__xcalloc((size_t)(K ? K : 1), sizeof *sp);
    *sp_out = sp;
    for (int j = 0; j < K; j++) {
        char arg[1024];
        snprintf(arg, sizeof arg, "%s=%.17g", p0->names[j], p0->values[j]);
        if (scenmc_sweep_param_parse(m, arg, &sp[j], err) != SCENMC_OK)
            return err->code;
    }
    scenmc_params p;
    scenmc_params_copy(&p, &p0->p);
    scenmc_status st = scenmc_sweep_apply(m, sp, K, values, &p, err);
    if (st == SCENMC_OK)
        st = scenmc_results_init(r, m, &p, SCENMC_MONTE_CARLO, err);
    scenmc_params_free(&p);
    if (st != SCENMC_OK)
        return st;
    uint64_t N = p0->p.n_trajectories;
    r->n_trajectories = N;
    r->first = 0;
    r->last = N;
    double wall = 0;
    int threads = 0, t;
    for (int i = 0; i < n; i++) {
        double w = 0;
        scenmc__h5_get_attr(ps[i].f, "/", "wall_seconds", H5T_NATIVE_DOUBLE, &w);
        wall += w;
        if (read_int_attr(ps[i].f, "threads", &t) == 1 && t > threads)
            threads = t;
    }
    r->wall_seconds = wall;
    r->threads = threads;
    return SCENMC_OK;
}

/* Point i of part s: its counts into r's tables (shapes checked). */
static scenmc_status sweep_read_point(const sweep_part *s, int i, scenmc_results *r,
                                      scenmc_error *err)
{
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        scenmc_table *tb = &r->t[k];
        if (tb->size == 0)
            continue;
        char name[64];
        scenmc__table_path(name, sizeof name, s->version, SCENMC_G_COUNTS, k);
        int ok = scenmc__h5_read_point(s->f, name, H5T_NATIVE_UINT64, (hsize_t)s->n_points, i, tb,
                                       tb->counts);
        if (!ok)
            return scenmc_error_add(err, SCENMC_E_INPUT, "%s: %s is missing or has another shape "
                                    "than the sweep implies: damaged", s->path, name);
    }
    return SCENMC_OK;
}

/* Writes the merged sweep: every point of every part, in order. */
static scenmc_status sweep_write(const sweep_part *ps, int n, const int *order, const double *values,
                                 scenmc_results *r, const char *out_path,
                                 const scenmc_write_options *opt, scenmc_error *err)
{
    const sweep_part *p0 = &ps[order[0]];
    int K = ps[0].K;
    const char **pnames = scenmc__xcalloc((size_t)(K ? K : 1), sizeof(char *));
    for (int j = 0; j < K; j++)
        pnames[j] = ps[0].names[j];
    scenmc_write_options wo = {0};
    if (opt)
        wo = *opt;
    wo.design = ps[0].design;
    scenmc_sweep_writer *sw = NULL;
    scenmc_status st = scenmc_sweep_writer_open(out_path, r, ps[0].total, K, pnames, values, &p0->p,
                                                &wo, &sw, err);
    for (int j = 0; j < n && st == SCENMC_OK; j++) {
        const sweep_part *s = &ps[order[j]];
        for (int i = 0; i < s->n_points && st == SCENMC_OK; i++) {
            st = sweep_read_point(s, i, r, err);
            if (st != SCENMC_OK)
                break;
            scenmc_results_finalize(r);
            st = scenmc_sweep_writer_point(sw, s->point_first + i, r, err);
        }
    }
    if (sw) {
        scenmc_status c = scenmc_sweep_writer_close(sw, st != SCENMC_OK, err);
        if (st == SCENMC_OK)
            st = c;
    }
    free(pnames);
    return st;
}

scenmc_status scenmc_merge_sweep_files(const char *const *paths, int n, const char *out_path,
                                       const scenmc_write_options *opt, int *n_points,
                                       scenmc_error *err)
{
    if (n < 1)
        return scenmc_error_add(err, SCENMC_E_INPUT, "no files to merge");
    sweep_part *ps = scenmc__xcalloc((size_t)n, sizeof *ps);
    scenmc_model *m = NULL;
    scenmc_sweep_param *sp = NULL;
    int *order = NULL, K = 0;
    scenmc_status st = SCENMC_OK;
    for (int i = 0; i < n; i++)
        if (!sweep_open(&ps[i], paths[i], err))
            goto done;
    if (!sweep_model(&ps[0], &m, err) || !sweep_check_parts(ps, n, m, err))
        goto done;
    order = sweep_order(ps, n, err);
    if (err->code != SCENMC_OK)
        goto done;
    int total = ps[0].total;
    K = ps[0].K;
    double *values = scenmc__xcalloc((size_t)total * (size_t)K + 1, sizeof(double));
    for (int i = 0; i < n; i++)
        memcpy(values + (size_t)ps[i].point_first * (size_t)K, ps[i].values,
               (size_t)ps[i].n_points * (size_t)K * sizeof(double));
    scenmc_results r;
    st = sweep_shape(ps, n, &ps[order[0]], m, values, &sp, &r, err);
    if (st == SCENMC_OK) {
        st = sweep_write(ps, n, order, values, &r, out_path, opt, err);
        scenmc_results_free(&r);
    }
    if (st == SCENMC_OK && n_points)
        *n_points = total;
    free(values);
done:
    if (st == SCENMC_OK && err->code != SCENMC_OK)
        st = err->code;
    for (int j = 0; sp && j < K; j++)
        scenmc_sweep_param_free(&sp[j]);
    free(sp);
    free(order);
    for (int i = 0; i < n; i++)
        sweep_part_free(&ps[i]);
    free(ps);
    scenmc_model_free(m);
    return st;
}
