/* The basins of attraction of CIB's global succession: from every state
 * (the successor map from the walk, then followed once from each state) or
 * from random starts (each trajectory followed until it closes a cycle or
 * joins one a thread has seen; docs/model.md, section 8). */
#include "cib/basins.h"
#include "cib/balance.h"
#include "cib/walk.h"
#include "model/results.h"
#include "base/util.h"

#include <Random123/philox.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_FLAG 0x80000000u
#define ON_PATH 0x7fffffffu

typedef scenmc__cib_space space;

void scenmc_cib_basin_options_init(scenmc_cib_basin_options *o)
{
    memset(o, 0, sizeof *o);
    o->use_cross = SCENMC_CIB_AUTO;
    o->max_memory = SCENMC_CIB_BASIN_MEMORY;
}

void scenmc_cib_basins_free(scenmc_cib_basin_result *b)
{
    if (!b)
        return;
    free(b->attractors);
    b->attractors = NULL;
    b->n_fixed = b->n_cycles = 0;
}

void scenmc_cib_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double den = 1 + z2 / nn;
    double c = (p + z2 / (2 * nn)) / den;
    double h = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / den;
    *lo = c - h < 0 ? 0 : c - h;
    *hi = c + h > 1 ? 1 : c + h;
}

static int cmp_attractor(const void *pa, const void *pb)
{
    const scenmc_cib_attractor *a = pa, *b = pb;
    int ca = a->cycle_length > 1, cb = b->cycle_length > 1;
    if (ca != cb)
        return ca - cb;
    return a->index < b->index ? -1 : a->index > b->index;
}

static void finish_attractors(scenmc_cib_basin_result *out, scenmc_cib_attractor *at, uint64_t n)
{
    qsort(at, n, sizeof *at, cmp_attractor);
    out->attractors = at;
    for (uint64_t i = 0; i < n; i++) {
        if (at[i].cycle_length == 1) {
            out->n_fixed++;
        } else {
            out->n_cycles++;
            out->in_cycles += at[i].basin;
        }
    }
}

typedef struct {
    scenmc_cib_attractor *a;
    uint64_t n, cap;
} attractor_list;

static int attractor_add(attractor_list *l, uint64_t index, uint64_t len)
{
    if (l->n == l->cap) {
        uint64_t cap = l->cap ? 2 * l->cap : 64;
        scenmc_cib_attractor *na = realloc(l->a, cap * sizeof *na);
        if (!na)
            return 0;
        l->a = na;
        l->cap = cap;
    }
    l->a[l->n].index = index;
    l->a[l->n].cycle_length = len;
    l->a[l->n].basin = 0;
    l->n++;
    return 1;
}

/* a[s] = the successor of every state s, from the walk; 0 when out of memory. */
static int successor_map(const space *sp, int nt, uint32_t *a)
{
    uint64_t n_tasks;
    int p = scenmc__cib_split_depth(sp, 256 * (uint64_t)nt, &n_tasks);
    int failed = 0;
#pragma omp parallel num_threads(nt)
    {
        scenmc__cib_walker w;
        int ok = scenmc__cib_walker_init(&w, sp, SCENMC_CIB_LEAF_SUCC, NULL, 0);
        w.succ = a;
        if (!ok)
            scenmc__cib_fail(&failed);
#pragma omp for schedule(dynamic, 1)
        for (uint64_t t = 0; t < n_tasks; t++)
            if (ok)
                scenmc__cib_run_task(&w, p, t);
        scenmc__cib_walker_free(&w);
    }
    return !failed;
}

/* The states followed from one start, until a labelled one or the path. */
typedef struct {
    uint32_t *s;
    uint64_t len, cap;
} state_path;

/* Labels, by following the successor map a[] from s0, every state on the
 * way with its attractor (LABEL_FLAG | attractor number), adding a new
 * attractor to at when the way closes a cycle. 0 when out of memory. */
static int follow(uint32_t *a, uint64_t s0, state_path *path, attractor_list *at)
{
    uint64_t len = 0, s = s0;
    while (a[s] < ON_PATH) {
        if (len == path->cap) {
            uint64_t cap = path->cap ? 2 * path->cap : 256;
            uint32_t *np = realloc(path->s, cap * sizeof *np);
            if (!np)
                return 0;
            path->s = np;
            path->cap = cap;
        }
        uint32_t nx = a[s];
        a[s] = ON_PATH;
        path->s[len++] = (uint32_t)s;
        s = nx;
    }
    uint32_t label;
    if (a[s] == ON_PATH) { /* a new attractor: the path from s on is its cycle */
        uint64_t pos = len;
        while (path->s[pos - 1] != s)
            pos--;
        pos--;
        uint64_t lo = s;
        for (uint64_t q = pos; q < len; q++)
            lo = path->s[q] < lo ? path->s[q] : lo;
        if (!attractor_add(at, lo, len - pos))
            return 0;
        label = LABEL_FLAG | (uint32_t)(at->n - 1);
    } else {
        label = a[s];
    }
    for (uint64_t q = 0; q < len; q++)
        a[path->s[q]] = label;
    at->a[label & ~LABEL_FLAG].basin += len;
    return 1;
}

static scenmc_status check_exact(const space *sp, const scenmc_cib_basin_options *o,
                                 scenmc_error *err)
{
    uint64_t n = sp->n_states;
    if (n >= ON_PATH)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: %llu states; every-state basins need "
                                "fewer than 2^31 (use random starts, --starts M)", sp->m->path,
                                (unsigned long long)n);
    if (n > o->max_memory / sizeof(uint32_t))
        return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: %llu states need %.1f GiB for the "
                                "state-to-basin map, more than the limit of %.1f GiB; expected "
                                "a smaller model (use random starts, --starts M)", sp->m->path,
                                (unsigned long long)n, (double)n * 4 / 1073741824.0,
                                (double)o->max_memory / 1073741824.0);
    return SCENMC_OK;
}

static scenmc_status basins_exact(const space *sp, const scenmc_cib_basin_options *o,
                                  scenmc_cib_basin_result *out, scenmc_error *err)
{
    scenmc_status st = check_exact(sp, o, err);
    if (st != SCENMC_OK)
        return st;
    uint64_t n = sp->n_states;
    uint32_t *a = malloc(n * sizeof *a);
    if (!a)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the state-to-basin map "
                                "(%llu states)", (unsigned long long)n);
    int ok = successor_map(sp, scenmc__cib_thread_count(o->threads), a);
    attractor_list at = {NULL, 0, 0};
    state_path path = {NULL, 0, 0};
    for (uint64_t s0 = 0; s0 < n && ok; s0++)
        if (!(a[s0] & LABEL_FLAG))
            ok = follow(a, s0, &path, &at);
    free(path.s);
    free(a);
    if (!ok) {
        free(at.a);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory");
    }
    out->exact = 1;
    out->n_starts = n;
    finish_attractors(out, at.a, at.n);
    return SCENMC_OK;
}

typedef struct {
    uint64_t *key, *len, *cnt;
    uint64_t n, cap; /* cap: a power of 2 */
} amap;

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static int amap_init(amap *h, uint64_t cap)
{
    h->n = 0;
    h->cap = cap;
    h->key = malloc(cap * sizeof *h->key);
    h->len = calloc(cap, sizeof *h->len); /* len 0: empty slot */
    h->cnt = malloc(cap * sizeof *h->cnt);
    return h->key && h->len && h->cnt;
}

static void amap_free(amap *h)
{
    free(h->key);
    free(h->len);
    free(h->cnt);
}

static int amap_add(amap *h, uint64_t key, uint64_t len, uint64_t cnt)
{
    if (2 * (h->n + 1) > h->cap) {
        amap g;
        if (!amap_init(&g, 2 * h->cap)) {
            amap_free(&g);
            return 0;
        }
        for (uint64_t i = 0; i < h->cap; i++)
            if (h->len[i])
                amap_add(&g, h->key[i], h->len[i], h->cnt[i]);
        amap_free(h);
        *h = g;
    }
    uint64_t i = mix64(key) & (h->cap - 1);
    while (h->len[i] && h->key[i] != key)
        i = (i + 1) & (h->cap - 1);
    if (!h->len[i]) {
        h->key[i] = key;
        h->len[i] = len;
        h->cnt[i] = 0;
        h->n++;
    }
    h->cnt[i] += cnt;
    return 1;
}

static void random_start(const space *sp, uint64_t seed, uint64_t start, int *s)
{
    philox4x32_key_t key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    philox4x32_ctr_t r = {{0, 0, 0, 0}};
    for (int i = 0; i < sp->D; i++) {
        if (i % 4 == 0) {
            philox4x32_ctr_t ctr = {{(uint32_t)start, (uint32_t)(start >> 32), (uint32_t)(i / 4), 0}};
            r = philox4x32(ctr, key);
        }
        s[i] = (int)(((uint64_t)r.v[i % 4] * (uint64_t)sp->n[i]) >> 32);
    }
}

/* What a thread remembers of the trajectories it has followed: for a state,
 * its attractor (lowest index), the cycle's length and the steps to reach it.
 * Open addressing, never grown: once full, it stops taking states. It only
 * shortens the walks, so results do not depend on what it holds. */
typedef struct {
    uint64_t *key; /* UINT64_MAX: empty */
    uint64_t *attr;
    uint32_t *len, *dist;
    uint64_t n, cap;
} memo;

static int memo_init(memo *h, uint64_t cap)
{
    h->n = 0;
    h->cap = cap;
    h->key = malloc(cap * sizeof *h->key);
    h->attr = malloc(cap * sizeof *h->attr);
    h->len = malloc(cap * sizeof *h->len);
    h->dist = malloc(cap * sizeof *h->dist);
    if (h->key)
        memset(h->key, 0xff, cap * sizeof *h->key);
    return h->key && h->attr && h->len && h->dist;
}

static void memo_free(memo *h)
{
    free(h->key);
    free(h->attr);
    free(h->len);
    free(h->dist);
}

static inline uint64_t memo_find(const memo *h, uint64_t key)
{
    uint64_t i = mix64(key) & (h->cap - 1);
    while (h->key[i] != UINT64_MAX && h->key[i] != key)
        i = (i + 1) & (h->cap - 1);
    return i;
}

static void memo_put(memo *h, uint64_t key, uint64_t attr, uint64_t len, uint64_t dist)
{
    if (2 * (h->n + 1) > h->cap || len > UINT32_MAX || dist > UINT32_MAX)
        return;
    uint64_t i = memo_find(h, key);
    if (h->key[i] != UINT64_MAX)
        return;
    h->key[i] = key;
    h->attr[i] = attr;
    h->len[i] = (uint32_t)len;
    h->dist[i] = (uint32_t)dist;
    h->n++;
}

/* The states of the trajectory being followed: index -> step. Entries of
 * earlier trajectories are told apart by a generation number. */
typedef struct {
    uint64_t *key, *pos;
    uint32_t *gen;
    uint64_t cap;
    uint32_t now;
    uint64_t *traj; /* the trajectory's state indices */
    uint64_t len, traj_cap;
} path_set;

static int path_reset(path_set *p)
{
    if (++p->now == 0) { /* wrapped: forget everything */
        memset(p->gen, 0, p->cap * sizeof *p->gen);
        p->now = 1;
    }
    p->len = 0;
    return 1;
}

static int path_grow(path_set *p)
{
    uint64_t cap = p->cap ? 2 * p->cap : 256;
    uint64_t *key = malloc(cap * sizeof *key), *pos = malloc(cap * sizeof *pos);
    uint32_t *gen = calloc(cap, sizeof *gen);
    if (!key || !pos || !gen) {
        free(key);
        free(pos);
        free(gen);
        return 0;
    }
    for (uint64_t q = 0; q < p->len; q++) { /* re-insert the current trajectory */
        uint64_t i = mix64(p->traj[q]) & (cap - 1);
        while (gen[i] == 1)
            i = (i + 1) & (cap - 1);
        key[i] = p->traj[q];
        pos[i] = q;
        gen[i] = 1;
    }
    free(p->key);
    free(p->pos);
    free(p->gen);
    p->key = key;
    p->pos = pos;
    p->gen = gen;
    p->cap = cap;
    p->now = 1;
    return 1;
}

/* Adds state idx as the next step, or returns its earlier step (< len). */
static int path_visit(path_set *p, uint64_t idx, uint64_t *earlier)
{
    if (2 * (p->len + 1) > p->cap && !path_grow(p))
        return -1;
    if (p->len == p->traj_cap) {
        uint64_t cap = p->traj_cap ? 2 * p->traj_cap : 256;
        uint64_t *nt = realloc(p->traj, cap * sizeof *nt);
        if (!nt)
            return -1;
        p->traj = nt;
        p->traj_cap = cap;
    }
    uint64_t i = mix64(idx) & (p->cap - 1);
    while (p->gen[i] == p->now) {
        if (p->key[i] == idx) {
            *earlier = p->pos[i];
            return 1;
        }
        i = (i + 1) & (p->cap - 1);
    }
    p->key[i] = idx;
    p->pos[i] = p->len;
    p->gen[i] = p->now;
    p->traj[p->len++] = idx;
    return 0;
}

static void path_free(path_set *p)
{
    free(p->key);
    free(p->pos);
    free(p->gen);
    free(p->traj);
}

/* One step of global succession in place: s and its balances bal move to
 * the successor, whose index is returned. The balances are updated by the
 * rows of the descriptors that moved when `incremental` (integral matrices,
 * where that is exact), else recomputed. */
static uint64_t step_in_place(const space *sp, int *s, int *t, double *bal, int incremental)
{
    size_t V = (size_t)sp->V;
    uint64_t idx = 0;
    for (int i = 0; i < sp->D; i++) {
        t[i] = scenmc__cib_best_response(bal, sp->off[i], sp->n[i], s[i]);
        idx += (uint64_t)t[i] * sp->place[i];
    }
    if (!incremental) {
        memcpy(s, t, (size_t)sp->D * sizeof *s);
        scenmc__cib_balance_of(sp->m, sp->M, s, bal);
        return idx;
    }
    for (int i = 0; i < sp->D; i++)
        if (t[i] != s[i]) {
            const double *add = sp->M + (size_t)(sp->off[i] + t[i]) * V;
            const double *sub = sp->M + (size_t)(sp->off[i] + s[i]) * V;
            for (size_t v = 0; v < V; v++)
                bal[v] += add[v] - sub[v];
            s[i] = t[i];
        }
    return idx;
}

/* Memo slots a thread: 24 bytes a slot, about 256 MiB in all, at most 2^21
 * slots a thread, and not many more than the states the starts can reach. */
static uint64_t memo_slots(const space *sp, uint64_t starts, int nt)
{
    uint64_t memo_cap = 1u << 21;
    uint64_t want = starts < sp->n_states / 64 ? starts * 64 : sp->n_states;
    while (memo_cap > 1024 &&
           (memo_cap * 24 * (uint64_t)nt > ((uint64_t)256 << 20) || memo_cap / 4 > want))
        memo_cap /= 2;
    return memo_cap;
}

/* What a thread needs to follow random starts. */
typedef struct {
    const space *sp;
    int incremental; /* balances updated row by row (step_in_place) */
    int *s, *t;      /* [D] the state and its successor */
    double *bal;     /* [V] */
    memo mm;
    path_set ps;
    uint64_t max_mu; /* most steps before an attractor */
} tracer;

/* 0 when out of memory; tracer_free is due either way. */
static int tracer_init(tracer *tr, const space *sp, int incremental, uint64_t memo_cap)
{
    memset(tr, 0, sizeof *tr);
    tr->sp = sp;
    tr->incremental = incremental;
    tr->s = malloc((size_t)sp->D * sizeof(int) + 1);
    tr->t = malloc((size_t)sp->D * sizeof(int) + 1);
    tr->bal = malloc((size_t)sp->V * sizeof(double) + 1);
    int ok = memo_init(&tr->mm, memo_cap);
    return tr->s && tr->t && tr->bal && ok;
}

static void tracer_free(tracer *tr)
{
    free(tr->s);
    free(tr->t);
    free(tr->bal);
    memo_free(&tr->mm);
    path_free(&tr->ps);
}

/* Follows random start m to its attractor and counts it in map; 0 when out
 * of memory. */
static int trace_start(tracer *tr, uint64_t seed, uint64_t m, amap *map)
{
    const space *sp = tr->sp;
    memo *mm = &tr->mm;
    path_set *ps = &tr->ps;
    random_start(sp, seed, m, tr->s);
    scenmc__cib_balance_of(sp->m, sp->M, tr->s, tr->bal);
    uint64_t idx = scenmc_state_index(sp->m, tr->s);
    uint64_t attr = 0, lam = 0, mu = 0, earlier = 0;
    path_reset(ps);
    for (;;) {
        uint64_t slot = memo_find(mm, idx);
        if (mm->key[slot] == idx) { /* joins a known way */
            attr = mm->attr[slot];
            lam = mm->len[slot];
            mu = ps->len + mm->dist[slot];
            for (uint64_t q = 0; q < ps->len; q++)
                memo_put(mm, ps->traj[q], attr, lam, mu - q);
            break;
        }
        int seen = path_visit(ps, idx, &earlier);
        if (seen < 0)
            return 0;
        if (seen) { /* closes a cycle: steps earlier .. len-1 */
            lam = ps->len - earlier;
            mu = earlier;
            attr = idx;
            for (uint64_t q = earlier; q < ps->len; q++)
                attr = ps->traj[q] < attr ? ps->traj[q] : attr;
            for (uint64_t q = 0; q < ps->len; q++)
                memo_put(mm, ps->traj[q], attr, lam, q < earlier ? earlier - q : 0);
            break;
        }
        idx = step_in_place(sp, tr->s, tr->t, tr->bal, tr->incremental);
    }
    if (!amap_add(map, attr, lam, 1))
        return 0;
    if (mu > tr->max_mu)
        tr->max_mu = mu;
    return 1;
}

/* Every start, in parallel, counted in maps[thread]; 0 when out of memory. */
static int trace_starts(const space *sp, const scenmc_cib_basin_options *o, int nt, amap *maps,
                        uint64_t *max_transient)
{
    int incremental = scenmc__cib_integral(sp->M, (size_t)sp->V * (size_t)sp->V);
    uint64_t memo_cap = memo_slots(sp, o->starts, nt);
    uint64_t max_mu = 0;
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(max : max_mu)
    {
        int me = omp_get_thread_num();
        tracer tr;
        int ok = tracer_init(&tr, sp, incremental, memo_cap);
        ok = amap_init(&maps[me], 64) && ok;
        if (!ok)
            scenmc__cib_fail(&failed);
#pragma omp for schedule(dynamic, 256)
        for (uint64_t m = 0; m < o->starts; m++) {
            if (!ok)
                continue;
            if (!trace_start(&tr, o->seed, m, &maps[me])) {
                ok = 0;
                scenmc__cib_fail(&failed);
            }
        }
        max_mu = tr.max_mu;
        tracer_free(&tr);
    }
    *max_transient = max_mu;
    return !failed;
}

/* The attractors of the maps joined, in *at[*n]; 0 when out of memory. */
static int join_maps(const amap *maps, int nt, scenmc_cib_attractor **at, uint64_t *n)
{
    amap all;
    memset(&all, 0, sizeof all);
    int ok = amap_init(&all, 64);
    for (int th = 0; th < nt && ok; th++)
        for (uint64_t i = 0; i < maps[th].cap && ok; i++)
            if (maps[th].len[i])
                ok = amap_add(&all, maps[th].key[i], maps[th].len[i], maps[th].cnt[i]);
    *at = ok ? malloc((all.n ? all.n : 1) * sizeof **at) : NULL;
    if (!*at) {
        amap_free(&all);
        return 0;
    }
    uint64_t k = 0;
    for (uint64_t i = 0; i < all.cap; i++)
        if (all.len[i]) {
            (*at)[k].index = all.key[i];
            (*at)[k].cycle_length = all.len[i];
            (*at)[k].basin = all.cnt[i];
            k++;
        }
    amap_free(&all);
    *n = k;
    return 1;
}

static scenmc_status basins_random(const space *sp, const scenmc_cib_basin_options *o,
                                   scenmc_cib_basin_result *out, scenmc_error *err)
{
    int nt = scenmc__cib_thread_count(o->threads);
    amap *maps = scenmc__xcalloc((size_t)nt, sizeof *maps);
    uint64_t max_mu = 0, n = 0;
    scenmc_cib_attractor *at = NULL;
    int ok = trace_starts(sp, o, nt, maps, &max_mu) && join_maps(maps, nt, &at, &n);
    for (int th = 0; th < nt; th++)
        amap_free(&maps[th]);
    free(maps);
    if (!ok)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory");
    out->exact = 0;
    out->n_starts = o->starts;
    out->max_transient = max_mu;
    finish_attractors(out, at, n);
    return SCENMC_OK;
}

scenmc_status scenmc_cib_basins(const scenmc_model *m, const scenmc_cib_basin_options *o,
                                scenmc_cib_basin_result *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    double t0 = scenmc__now();
    space sp;
    scenmc_status st = scenmc__cib_space_init(&sp, m, o->use_cross, err);
    if (st != SCENMC_OK)
        return st;
    out->uses_cross = sp.uses_cross;
    st = o->starts ? basins_random(&sp, o, out, err) : basins_exact(&sp, o, out, err);
    scenmc__cib_space_free(&sp);
    out->seconds = scenmc__now() - t0;
    return st;
}
