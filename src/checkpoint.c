/* Trajectory ranges, shards, checkpoint files (docs/hpc.md).
 *
 * A checkpoint is an ordinary results file (scenmc_output_write) over the
 * trajectories done so far, plus root attributes saying which range the run
 * was to compute and a dataset listing the ranges done. Resuming runs the
 * rest and adds the counts: integer addition, so the result is bit for bit
 * that of an uninterrupted run. */
#include "scenmc/hpc.h"
#include "h5util.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- ranges */

/* floor(n * k / M) without overflow (k <= M). */
static uint64_t mul_div(uint64_t n, uint64_t k, uint64_t M)
{
    uint64_t q = n / M, rem = n % M;
    /* rem * k < M * M: exact in 64 bits for M < 2^32. */
    return q * k + (M < ((uint64_t)1 << 32) ? rem * k / M : (uint64_t)((long double)rem * k / M));
}

scenmc_range scenmc_slice(uint64_t first, uint64_t last, uint64_t k, uint64_t M)
{
    scenmc_range r = {first, first};
    if (M == 0 || k == 0 || k > M || last <= first)
        return r;
    uint64_t n = last - first;
    r.first = first + mul_div(n, k - 1, M);
    r.last = first + mul_div(n, k, M);
    return r;
}

scenmc_status scenmc_shard_parse(const char *s, int *k, int *M, scenmc_error *err)
{
    char *end;
    errno = 0;
    long a = -1, b = -1;
    if (isdigit((unsigned char)*s)) {
        a = strtol(s, &end, 10);
        if (*end == '/' && isdigit((unsigned char)end[1])) {
            b = strtol(end + 1, &end, 10);
            if (*end)
                b = -1;
        }
    }
    if (errno || a < 1 || b < 1 || a > b || b > 1000000)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--shard '%s': expected K/M with 1 <= K <= M "
                                "<= 1000000 (e.g. 3/8, the third of eight slices)", s);
    *k = (int)a;
    *M = (int)b;
    return SCENMC_OK;
}

scenmc_status scenmc_duration_parse(const char *s, double *seconds, scenmc_error *err)
{
    const char *p = s;
    double v[4];
    int n = 0, days = -1;
    char *end = NULL;
    /* SLURM's d-h[:m[:s]] */
    const char *dash = strchr(s, '-');
    if (dash && dash != s) {
        errno = 0;
        long d = strtol(s, &end, 10);
        if (end == dash && d >= 0 && !errno) {
            days = (int)d;
            p = dash + 1;
        } else {
            goto bad;
        }
    }
    while (n < 4) {
        if (!isdigit((unsigned char)*p) && *p != '.')
            goto bad;
        errno = 0;
        v[n++] = strtod(p, &end);
        if (errno || end == p || !isfinite(v[n - 1]) || v[n - 1] < 0)
            goto bad;
        p = end;
        if (*p != ':')
            break;
        p++;
    }
    double t;
    if (n == 1 && days < 0) {
        double unit;
        if (!strcmp(p, "s"))
            unit = 1;
        else if (!strcmp(p, "m") || !strcmp(p, "min"))
            unit = 60;
        else if (!strcmp(p, "h"))
            unit = 3600;
        else if (!strcmp(p, "d"))
            unit = 86400;
        else
            goto bad; /* a bare number: seconds or minutes? say which */
        t = v[0] * unit;
    } else {
        if (*p)
            goto bad;
        if (days >= 0) /* d-h, d-h:m, d-h:m:s */
            t = days * 86400.0 + v[0] * 3600 + (n > 1 ? v[1] * 60 : 0) + (n > 2 ? v[2] : 0);
        else if (n == 2) /* m:s */
            t = v[0] * 60 + v[1];
        else if (n == 3) /* h:m:s */
            t = v[0] * 3600 + v[1] * 60 + v[2];
        else
            goto bad;
        if (n > 3)
            goto bad;
    }
    if (!(t > 0) || !isfinite(t))
        goto bad;
    *seconds = t;
    return SCENMC_OK;
bad:
    return scenmc_error_add(err, SCENMC_E_INPUT, "duration '%s': expected a number with a unit "
                            "(90s, 10m, 2h, 1d) or M:SS, H:MM:SS, D-HH:MM:SS, greater than 0", s);
}

static int by_first(const void *a, const void *b)
{
    const scenmc_range *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first ? 1 : 0;
}

size_t scenmc_ranges_normalize(scenmc_range *r, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (r[i].last > r[i].first)
            r[k++] = r[i];
    qsort(r, k, sizeof *r, by_first);
    size_t out = 0;
    for (size_t i = 0; i < k; i++) {
        if (out && r[i].first < r[out - 1].last)
            return (size_t)-1;
        if (out && r[i].first == r[out - 1].last)
            r[out - 1].last = r[i].last;
        else
            r[out++] = r[i];
    }
    return out;
}

uint64_t scenmc_ranges_count(const scenmc_range *r, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += r[i].last - r[i].first;
    return c;
}

size_t scenmc_ranges_complement(const scenmc_range *done, size_t n, uint64_t first, uint64_t last,
                                scenmc_range *out)
{
    size_t k = 0;
    uint64_t at = first;
    for (size_t i = 0; i < n && at < last; i++) {
        uint64_t a = done[i].first > first ? done[i].first : first;
        uint64_t b = done[i].last < last ? done[i].last : last;
        if (b <= a || b <= at)
            continue;
        if (a > at)
            out[k++] = (scenmc_range){at, a};
        at = b;
    }
    if (at < last)
        out[k++] = (scenmc_range){at, last};
    return k;
}

size_t scenmc_ranges_slice(const scenmc_range *r, size_t n, uint64_t k, uint64_t M, scenmc_range *out)
{
    uint64_t total = scenmc_ranges_count(r, n);
    scenmc_range flat = scenmc_slice(0, total, k, M);
    size_t m = 0;
    uint64_t before = 0; /* trajectories in the ranges before r[i] */
    for (size_t i = 0; i < n; i++) {
        uint64_t len = r[i].last - r[i].first;
        /* [flat.first, flat.last) - before, clipped to [0, len) */
        uint64_t a = flat.first > before ? flat.first - before : 0;
        uint64_t b = flat.last > before ? flat.last - before : 0;
        a = a < len ? a : len;
        b = b < len ? b : len;
        if (b > a)
            out[m++] = (scenmc_range){r[i].first + a, r[i].first + b};
        before += len;
    }
    return m;
}

/* ---------------------------------------------------------------- running ranges */

typedef struct ranges_ctx {
    const scenmc_run_options *opt;
    uint64_t before, total;
    double t0;
} ranges_ctx;

static int ranges_progress(void *ctx, uint64_t done, uint64_t total, double seconds)
{
    ranges_ctx *c = ctx;
    (void)total;
    (void)seconds;
    return c->opt->progress(c->opt->progress_ctx, c->before + done, c->total, scenmc_now() - c->t0);
}

scenmc_status scenmc_run_ranges(const scenmc_model *m, const scenmc_params *p,
                                const scenmc_run_options *opt, const scenmc_range *ranges, size_t n,
                                scenmc_results *r, scenmc_range *done, size_t *n_done,
                                scenmc_error *err)
{
    *n_done = 0;
    scenmc_status st = scenmc_params_check(p, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc_results_init(r, m, p, SCENMC_MONTE_CARLO, err);
    if (st != SCENMC_OK)
        return st;
    r->first = r->last = n ? ranges[0].first : 0;
    r->threads = opt ? opt->threads : 0;
    int have = 0;
    ranges_ctx c = {opt, 0, scenmc_ranges_count(ranges, n), scenmc_now()};
    for (size_t i = 0; i < n; i++) {
        if (ranges[i].last <= ranges[i].first)
            continue;
        if (opt && opt->progress && c.before > 0 &&
            opt->progress(opt->progress_ctx, c.before, c.total, scenmc_now() - c.t0))
            return scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %llu of %llu trajectories",
                                    (unsigned long long)c.before, (unsigned long long)c.total);
        scenmc_run_options o = {0};
        if (opt)
            o = *opt;
        o.first = ranges[i].first;
        o.last = ranges[i].last;
        if (opt && opt->progress) {
            o.progress = ranges_progress;
            o.progress_ctx = &c;
        }
        scenmc_results part;
        scenmc_status s = scenmc_run(m, p, &o, &part, err);
        if (s != SCENMC_OK && s != SCENMC_E_INTERRUPTED) {
            scenmc_results_free(r);
            return s;
        }
        if (part.n_trajectories > 0)
            done[(*n_done)++] = (scenmc_range){part.first, part.last};
        c.before += part.n_trajectories;
        if (!have) {
            int threads = part.threads;
            scenmc_results_free(r);
            *r = part;
            r->threads = threads;
            have = 1;
        } else {
            scenmc_status a = scenmc_results_add(r, &part, err);
            scenmc_results_free(&part);
            if (a != SCENMC_OK) {
                scenmc_results_free(r);
                return a;
            }
        }
        if (s == SCENMC_E_INTERRUPTED)
            return s;
    }
    return SCENMC_OK;
}

/* ---------------------------------------------------------------- HDF5 helpers */

char *scenmc_hpc_temp_name(const char *path)
{
    static unsigned counter;
    char *t = scenmc_xmalloc(strlen(path) + 64);
    sprintf(t, "%s.part-%ld-%u", path, (long)getpid(), counter++);
    return t;
}

static int put_attr(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, const void *v)
{
    if (H5Aexists(loc, name) > 0)
        H5Adelete(loc, name);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT);
    int ok = a >= 0 && H5Awrite(a, mem_type, v) >= 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    return ok;
}

static int put_u64(hid_t loc, const char *name, uint64_t v)
{
    return put_attr(loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

static int put_int(hid_t loc, const char *name, int v)
{
    return put_attr(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
}

static int put_str(hid_t loc, const char *name, const char *s)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(s) + 1);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    H5Tset_cset(t, H5T_CSET_UTF8);
    int ok = put_attr(loc, name, t, t, s);
    H5Tclose(t);
    return ok;
}

/* 1 found, 0 absent, -1 unreadable. */
static int get_num(hid_t loc, const char *name, hid_t mem_type, void *v)
{
    if (H5Aexists(loc, name) <= 0)
        return 0;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t sp = H5Aget_space(a);
    int ok = H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, mem_type, v) >= 0;
    H5Sclose(sp);
    H5Aclose(a);
    return ok ? 1 : -1;
}

/* fsync, then rename tmp over path (refusing an existing path unless force). */
static scenmc_status commit(const char *tmp, const char *path, int force, scenmc_error *err)
{
    int f = open(tmp, O_RDONLY);
    int ok = f >= 0 && fsync(f) == 0;
    int e = errno;
    if (f >= 0)
        close(f);
    if (!ok) {
        unlink(tmp);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: writing failed (%s); nothing was written", path,
                                strerror(e));
    }
    struct stat sb;
    if (!force && stat(path, &sb) == 0) {
        unlink(tmp);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: already exists; use --force to overwrite it",
                                path);
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot rename the finished file into place: %s",
                                path, strerror(e));
    }
    return SCENMC_OK;
}

static int add_info_attrs(hid_t f, const scenmc_hpc_info *info)
{
    int ok = 1;
    if (info->shard_count > 0) {
        ok &= put_int(f, "shard_index", info->shard_index);
        ok &= put_int(f, "shard_count", info->shard_count);
    }
    if (!info->checkpoint)
        return ok;
    ok &= put_int(f, "checkpoint", 1);
    ok &= put_u64(f, "checkpoint_target_first", info->target_first);
    ok &= put_u64(f, "checkpoint_target_last", info->target_last);
    ok &= put_u64(f, "checkpoint_next", info->next);
    ok &= put_str(f, "checkpoint_output", info->output ? info->output : "");
    hid_t g = H5Gcreate2(f, "checkpoint", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return 0;
    hsize_t dims[2] = {(hsize_t)info->n_done, 2};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t d = H5Dcreate2(g, "done", H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0) {
        ok = 0;
    } else {
        if (info->n_done) {
            uint64_t *buf = scenmc_xcalloc(2 * info->n_done, sizeof(uint64_t));
            for (size_t i = 0; i < info->n_done; i++) {
                buf[2 * i] = info->done[i].first;
                buf[2 * i + 1] = info->done[i].last;
            }
            ok &= H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
            free(buf);
        }
        H5Dclose(d);
    }
    H5Sclose(sp);
    H5Gclose(g);
    return ok;
}

scenmc_status scenmc_hpc_write(const char *path, const scenmc_results *r,
                               const scenmc_write_options *opt, const scenmc_hpc_info *info,
                               scenmc_error *err)
{
    if (!info || (!info->checkpoint && info->shard_count == 0))
        return scenmc_output_write(path, r, opt, err);
    int force = opt && opt->force;
    scenmc_status st = scenmc_output_check(path, force, err);
    if (st != SCENMC_OK)
        return st;
    char *tmp = scenmc_hpc_temp_name(path);
    scenmc_write_options wo = {0};
    if (opt)
        wo = *opt;
    wo.force = 0;
    st = scenmc_output_write(tmp, r, &wo, err);
    if (st != SCENMC_OK) {
        free(tmp);
        return st;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    int ok = f >= 0 && add_info_attrs(f, info);
    if (f >= 0 && H5Fclose(f) < 0)
        ok = 0;
    if (!ok) {
        unlink(tmp);
        free(tmp);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot add the checkpoint attributes; nothing "
                                "was written", path);
    }
    st = commit(tmp, path, force, err);
    free(tmp);
    return st;
}

void scenmc_hpc_info_free(scenmc_hpc_info *info)
{
    free(info->done);
    free(info->output);
    memset(info, 0, sizeof *info);
}

scenmc_status scenmc_hpc_info_read(const char *path, scenmc_hpc_info *info, scenmc_error *err)
{
    memset(info, 0, sizeof *info);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot open it as HDF5", path);
    int bad = 0;
    bad |= get_num(f, "shard_index", H5T_NATIVE_INT, &info->shard_index) < 0;
    bad |= get_num(f, "shard_count", H5T_NATIVE_INT, &info->shard_count) < 0;
    int ck = 0;
    bad |= get_num(f, "checkpoint", H5T_NATIVE_INT, &ck) < 0;
    if (ck == 1 && !bad) {
        info->checkpoint = 1;
        bad |= get_num(f, "checkpoint_target_first", H5T_NATIVE_UINT64, &info->target_first) != 1;
        bad |= get_num(f, "checkpoint_target_last", H5T_NATIVE_UINT64, &info->target_last) != 1;
        bad |= get_num(f, "checkpoint_next", H5T_NATIVE_UINT64, &info->next) != 1;
        info->output = scenmc_h5_attr_string(f, "/", "checkpoint_output");
        if (info->output && !*info->output) {
            free(info->output);
            info->output = NULL;
        }
        hid_t d = bad ? -1 : H5Dopen2(f, "/checkpoint/done", H5P_DEFAULT);
        if (d < 0) {
            bad = 1;
        } else {
            hid_t sp = H5Dget_space(d);
            hsize_t dims[2] = {0, 0};
            if (H5Sget_simple_extent_ndims(sp) != 2 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0 ||
                dims[1] != 2 || dims[0] > 100000000) {
                bad = 1;
            } else {
                info->n_done = (size_t)dims[0];
                info->done = scenmc_xcalloc(info->n_done ? info->n_done : 1, sizeof(scenmc_range));
                if (info->n_done && H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                            info->done) < 0)
                    bad = 1;
            }
            H5Sclose(sp);
            H5Dclose(d);
        }
        if (!bad) {
            for (size_t i = 0; i < info->n_done; i++)
                if (info->done[i].first >= info->done[i].last ||
                    info->done[i].first < info->target_first || info->done[i].last > info->target_last)
                    bad = 1;
            size_t n = bad ? 0 : scenmc_ranges_normalize(info->done, info->n_done);
            if (n == (size_t)-1 || n != info->n_done || info->target_first > info->target_last)
                bad = 1;
        }
    } else if (ck != 0) {
        bad = 1;
    }
    H5Fclose(f);
    if (bad) {
        scenmc_hpc_info_free(info);
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: its checkpoint or shard attributes are "
                                "damaged", path);
    }
    return SCENMC_OK;
}

/* ---------------------------------------------------------------- parameters */

static int same_doubles(const double *a, const double *b, int n)
{
    return n <= 0 || (a && b && memcmp(a, b, (size_t)n * sizeof(double)) == 0);
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

int scenmc_params_same(const scenmc_params *a, const scenmc_params *b, char *why, size_t n)
{
#define DIFF(...) do { if (why && n) snprintf(why, n, __VA_ARGS__); return 0; } while (0)
    if (a->seed != b->seed)
        DIFF("seed %llu, not %llu", (unsigned long long)a->seed, (unsigned long long)b->seed);
    if (a->n_trajectories != b->n_trajectories)
        DIFF("%llu trajectories (-n), not %llu", (unsigned long long)a->n_trajectories,
             (unsigned long long)b->n_trajectories);
    if (!same_double(a->beta, b->beta))
        DIFF("beta %.17g, not %.17g", a->beta, b->beta);
    if (!same_double(a->w_consistency, b->w_consistency))
        DIFF("w-consistency %.17g, not %.17g", a->w_consistency, b->w_consistency);
    if (!same_double(a->w_cross, b->w_cross))
        DIFF("w-cross %.17g, not %.17g", a->w_cross, b->w_cross);
    if (a->year_start != b->year_start || a->year_end != b->year_end)
        DIFF("years %d-%d, not %d-%d", a->year_start, a->year_end, b->year_start, b->year_end);
    if (a->n_descriptors != b->n_descriptors || a->n_variants != b->n_variants)
        DIFF("%d descriptors and %d variants, not %d and %d", a->n_descriptors, a->n_variants,
             b->n_descriptors, b->n_variants);
    if (!same_doubles(a->rate, b->rate, a->n_descriptors))
        DIFF("different revision rates");
    if (!same_doubles(a->initial, b->initial, a->n_variants))
        DIFF("different initial probabilities");
    if ((a->start != NULL) != (b->start != NULL) ||
        (a->start && memcmp(a->start, b->start, (size_t)a->n_descriptors * sizeof(int)) != 0))
        DIFF("a different start state (--start)");
    if (a->n_cells != b->n_cells)
        DIFF("%d matrix-cell overrides, not %d", a->n_cells, b->n_cells);
    for (int i = 0; i < a->n_cells; i++) {
        const scenmc_cell *x = &a->cells[i], *y = &b->cells[i];
        if (x->u != y->u || x->v != y->v || x->cross != y->cross || !same_double(x->value, y->value))
            DIFF("a different matrix-cell override (#%d)", i + 1);
    }
#undef DIFF
    return 1;
}

/* ---------------------------------------------------------------- sweep shards */

int scenmc_is_sweep_file(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Fis_hdf5(path) <= 0)
        return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    /* Sweep files have a /sweep group and an n_points attribute. */
    int yes = H5Lexists(f, "sweep", H5P_DEFAULT) > 0 && H5Aexists(f, "n_points") > 0;
    H5Fclose(f);
    return yes;
}

scenmc_status scenmc_sweep_shard_commit(const char *tmp, const char *path, int force, int point_first,
                                        int point_last, int n_points, int shard_index,
                                        int shard_count, scenmc_error *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    int ok = f >= 0;
    if (ok) {
        ok &= put_int(f, "sweep_point_first", point_first);
        ok &= put_int(f, "sweep_point_last", point_last);
        ok &= put_int(f, "sweep_n_points", n_points);
        ok &= put_int(f, "shard_index", shard_index);
        ok &= put_int(f, "shard_count", shard_count);
        if (H5Fclose(f) < 0)
            ok = 0;
    }
    if (!ok) {
        unlink(tmp);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot add the shard attributes; nothing was "
                                "written", path);
    }
    return commit(tmp, path, force, err);
}
