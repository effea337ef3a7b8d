/* Ranges of trajectory indices: shards, what a checkpoint has done, what is
 * left, and running the engine over a set of ranges. */
#include "engine/ranges.h"
#include "base/util.h"
#include "model/params.h"
#include "scenmc/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    return c->opt->progress(c->opt->progress_ctx, c->before + done, c->total, scenmc__now() - c->t0);
}

/* How many trajectories one call of the engine runs: all of a range, but with
 * a schedule and a progress callback pieces of opt->chunk (default 2^18). The
 * engine for schedules runs a range whole, calling no progress; between the
 * pieces the callback can stop the run (signals, --max-time, MPI peers), so a
 * checkpoint can be written. The counts are the same: each trajectory is a
 * function of the seed and its index, and counts add exactly. */
static uint64_t piece_size(const scenmc_params *p, const scenmc_run_options *opt)
{
    if (!opt || !opt->progress || !p->schedule || p->schedule->n == 0)
        return UINT64_MAX;
    return opt->chunk ? opt->chunk : (uint64_t)1 << 18;
}

/* part added to r (the first part becomes r); its range recorded in done,
 * joined to the previous one where they touch (done holds at most one entry
 * per range given). */
static scenmc_status ranges_add(scenmc_results *r, int *have, scenmc_results *part, scenmc_range *done,
                                size_t *n_done, scenmc_error *err)
{
    if (part->n_trajectories > 0) {
        if (*n_done && done[*n_done - 1].last == part->first)
            done[*n_done - 1].last = part->last;
        else
            done[(*n_done)++] = (scenmc_range){part->first, part->last};
    }
    if (!*have) {
        int threads = part->threads;
        scenmc_results_free(r);
        *r = *part;
        r->threads = threads;
        *have = 1;
        return SCENMC_OK;
    }
    scenmc_status a = scenmc_results_add(r, part, err);
    scenmc_results_free(part);
    if (a != SCENMC_OK)
        scenmc_results_free(r);
    return a;
}

scenmc_status scenmc_run_ranges(const scenmc_model *m, const scenmc_params *p,
                                const scenmc_run_options *opt, const scenmc_range *ranges, size_t n,
                                scenmc_results *r, scenmc_range *done, size_t *n_done,
                                scenmc_error *err)
{
    *n_done = 0;
    scenmc_status st = scenmc__params_check_scheduled(p, err); /* scenmc_run simulates schedules */
    if (st != SCENMC_OK)
        return st;
    st = scenmc_results_init(r, m, p, SCENMC_MONTE_CARLO, err);
    if (st != SCENMC_OK)
        return st;
    r->first = r->last = n ? ranges[0].first : 0;
    r->threads = opt ? opt->threads : 0;
    int have = 0;
    const uint64_t piece = piece_size(p, opt);
    ranges_ctx c = {opt, 0, scenmc_ranges_count(ranges, n), scenmc__now()};
    for (size_t i = 0; i < n; i++)
        for (uint64_t a = ranges[i].first; a < ranges[i].last;) {
            if (opt && opt->progress && c.before > 0 &&
                opt->progress(opt->progress_ctx, c.before, c.total, scenmc__now() - c.t0))
                return scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %llu of %llu trajectories",
                                        (unsigned long long)c.before, (unsigned long long)c.total);
            scenmc_run_options o = {0};
            if (opt)
                o = *opt;
            o.first = a;
            o.last = ranges[i].last - a > piece ? a + piece : ranges[i].last;
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
            c.before += part.n_trajectories;
            a = o.last;
            scenmc_status added = ranges_add(r, &have, &part, done, n_done, err);
            if (added != SCENMC_OK)
                return added;
            if (s == SCENMC_E_INTERRUPTED)
                return s;
        }
    return SCENMC_OK;
}

