/* The states of highest total consistency K(s) (von Reibnitz's consistency
 * analysis): branch and bound, best first, each thread keeping a heap of the
 * best states it has seen; the heaps are joined and sorted at the end. */
#include "cib/top.h"
#include "cib/balance.h"
#include "base/util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define TOL SCENMC_CIB_TOL

typedef scenmc__cib_space space;

typedef struct {
    double k;
    uint64_t idx;
} kent;

/* a ranks below b: lower K, or equal K and higher index. */
static inline int ranks_below(kent a, kent b)
{
    return a.k < b.k || (a.k == b.k && a.idx > b.idx);
}

typedef struct {
    const space *sp; /* M = C */
    const double *H; /* [V] H[o_j + c] = sum_{k > j} max_d C[o_j + c][o_k + d] */
    int exact;       /* C is integral: K and bounds are exact, so ties can be pruned too */
    int use_min_pair;
    double min_pair;
    double *P;
    int *s;
    uint64_t *pidx;
    double *ub; /* [D * max_n] */
    int *ord;   /* [D * max_n] */
    kent *heap; /* min-heap: the lowest-ranked state on top */
    uint64_t hn, cap;
    uint64_t visited;
} twalker;

static void heap_offer(twalker *w, double k, uint64_t idx)
{
    kent e = {k, idx};
    kent *h = w->heap;
    if (w->hn < w->cap) {
        uint64_t i = w->hn++;
        while (i > 0) {
            uint64_t up = (i - 1) / 2;
            if (!ranks_below(e, h[up]))
                break;
            h[i] = h[up];
            i = up;
        }
        h[i] = e;
        return;
    }
    if (!ranks_below(h[0], e))
        return;
    uint64_t i = 0, n = w->hn;
    for (;;) {
        uint64_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ranks_below(h[c + 1], h[c]))
            c++;
        if (!ranks_below(h[c], e))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = e;
}

static inline int pair_excluded(const twalker *w, int L, int a)
{
    if (!w->use_min_pair)
        return 0;
    const space *sp = w->sp;
    size_t V = (size_t)sp->V;
    size_t v = (size_t)(sp->off[L] + a);
    for (int j = 0; j < L; j++) {
        size_t u = (size_t)(sp->off[j] + w->s[j]);
        if (sp->m->scored[u * V + v] && sp->M[u * V + v] < w->min_pair - TOL)
            return 1;
    }
    return 0;
}

/* Upper bound on K of any completion, with descriptors 0..L fixed and P_{L+1} = p1. */
static inline double top_bound(const twalker *w, int L, const double *p1, double k)
{
    const space *sp = w->sp;
    for (int j = L + 1; j < sp->D; j++) {
        int o = sp->off[j];
        double mx = -INFINITY;
        for (int c = 0; c < sp->n[j]; c++) {
            double x = p1[o + c] + w->H[o + c];
            mx = x > mx ? x : mx;
        }
        k += mx;
    }
    return k;
}

static void top_fix(twalker *w, int L, int a)
{
    const space *sp = w->sp;
    size_t V = (size_t)sp->V;
    const double *row = sp->M + (size_t)(sp->off[L] + a) * V;
    const double *p0 = w->P + (size_t)L * V;
    double *p1 = w->P + (size_t)(L + 1) * V;
#pragma omp simd
    for (size_t v = 0; v < V; v++)
        p1[v] = p0[v] + row[v];
}

static void top_rec(twalker *w, int L, double k)
{
    const space *sp = w->sp;
    if (L == sp->D) {
        heap_offer(w, k, w->pidx[L]);
        return;
    }
    int n = sp->n[L], o = sp->off[L];
    const double *p0 = w->P + (size_t)L * (size_t)sp->V;
    const double *p1 = p0 + sp->V;
    double *ub = w->ub + (size_t)L * (size_t)sp->max_n;
    int *ord = w->ord + (size_t)L * (size_t)sp->max_n;
    int cnt = 0;
    for (int a = 0; a < n; a++) {
        if (pair_excluded(w, L, a))
            continue;
        top_fix(w, L, a);
        ub[a] = top_bound(w, L, p1, k + p0[o + a]);
        /* best bound first, ties by variant */
        int pos = cnt++;
        while (pos > 0 && ub[ord[pos - 1]] < ub[a]) {
            ord[pos] = ord[pos - 1];
            pos--;
        }
        ord[pos] = a;
    }
    for (int r = 0; r < cnt; r++) {
        int a = ord[r];
        if (w->hn == w->cap) {
            if (ub[a] < w->heap[0].k - TOL)
                break; /* the rest are bounded lower still */
            if (w->exact && ub[a] <= w->heap[0].k &&
                w->pidx[L] + (uint64_t)a * sp->place[L] > w->heap[0].idx)
                continue; /* at best ties, with higher state numbers */
        }
        w->s[L] = a;
        top_fix(w, L, a);
        w->pidx[L + 1] = w->pidx[L] + (uint64_t)a * sp->place[L];
        w->visited++;
        top_rec(w, L + 1, k + p0[o + a]);
    }
}

void scenmc_cib_top_options_init(scenmc_cib_top_options *o)
{
    memset(o, 0, sizeof *o);
    o->n = 10;
}

void scenmc_cib_top_free(scenmc_cib_top_result *r)
{
    if (!r)
        return;
    free(r->index);
    free(r->k);
    r->index = NULL;
    r->k = NULL;
    r->n = 0;
}

static int cmp_kent_desc(const void *pa, const void *pb)
{
    kent a = *(const kent *)pa, b = *(const kent *)pb;
    return ranks_below(b, a) ? -1 : ranks_below(a, b) ? 1 : 0;
}

/* H[o_j + c] = sum_{q > j} max_d C[o_j + c][o_q + d]: the most the later
 * descriptors can add to K through variant c of descriptor j. */
static double *heights(const space *sp)
{
    size_t V = (size_t)sp->V;
    double *H = scenmc__xmalloc((V ? V : 1) * sizeof *H);
    for (int j = 0; j < sp->D; j++)
        for (int c = 0; c < sp->n[j]; c++) {
            size_t u = (size_t)(sp->off[j] + c);
            double h = 0;
            for (int q = j + 1; q < sp->D; q++) {
                double mx = -INFINITY;
                for (int d = 0; d < sp->n[q]; d++) {
                    double x = sp->M[u * V + (size_t)(sp->off[q] + d)];
                    mx = x > mx ? x : mx;
                }
                h += mx;
            }
            H[u] = h;
        }
    return H;
}

/* A thread's walker; 0 when out of memory (twalker_free is due either way). */
static int twalker_init(twalker *w, const space *sp, const double *H, int exact,
                        const scenmc_cib_top_options *o, uint64_t cap)
{
    size_t V = (size_t)sp->V;
    memset(w, 0, sizeof *w);
    w->sp = sp;
    w->H = H;
    w->exact = exact;
    w->use_min_pair = o->use_min_pair;
    w->min_pair = o->min_pair;
    w->cap = cap;
    w->P = calloc((size_t)(sp->D + 1) * V + 1, sizeof(double));
    w->s = calloc((size_t)sp->D + 1, sizeof(int));
    w->pidx = calloc((size_t)sp->D + 1, sizeof(uint64_t));
    w->ub = calloc((size_t)sp->D * (size_t)sp->max_n + 1, sizeof(double));
    w->ord = calloc((size_t)sp->D * (size_t)sp->max_n + 1, sizeof(int));
    w->heap = malloc(cap * sizeof(kent));
    return w->P && w->s && w->pidx && w->ub && w->ord && w->heap;
}

/* Frees the scratch; the heap stays with its owner. */
static void twalker_free_scratch(twalker *w)
{
    free(w->P);
    free(w->s);
    free(w->pidx);
    free(w->ub);
    free(w->ord);
}

/* Task t: fixes the prefix of the first p descriptors numbered t, then
 * searches below it unless the prefix is excluded or bounded out. */
static void top_task(twalker *w, int p, uint64_t t)
{
    const space *sp = w->sp;
    size_t V = (size_t)sp->V;
    scenmc__cib_prefix(sp, p, t, w->s);
    double k = 0;
    for (int L = 0; L < p; L++) {
        if (pair_excluded(w, L, w->s[L]))
            return;
        k += w->P[(size_t)L * V + (size_t)(sp->off[L] + w->s[L])];
        top_fix(w, L, w->s[L]);
        w->pidx[L + 1] = w->pidx[L] + (uint64_t)w->s[L] * sp->place[L];
        w->visited++;
        if (w->hn == w->cap) {
            double ubk = top_bound(w, L, w->P + (size_t)(L + 1) * V, k);
            if (ubk < w->heap[0].k - TOL ||
                (w->exact && ubk <= w->heap[0].k && w->pidx[L + 1] > w->heap[0].idx))
                return;
        }
    }
    top_rec(w, p, k);
}

/* The threads' heaps, joined. */
typedef struct {
    int nt;
    kent **heaps; /* [nt] */
    uint64_t *hn; /* [nt] */
    uint64_t visited;
} heaps;

/* Every task, in parallel; 0 when out of memory. */
static int search(const space *sp, const double *H, const scenmc_cib_top_options *o, uint64_t cap,
                  heaps *hs)
{
    int nt = hs->nt;
    uint64_t n_tasks;
    int p = scenmc__cib_split_depth(sp, 64 * (uint64_t)nt, &n_tasks);
    /* Integer scores of moderate size add up exactly in doubles. */
    int exact = scenmc__cib_integral(sp->M, (size_t)sp->V * (size_t)sp->V);
    uint64_t visited = 0;
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(+ : visited)
    {
        int me = omp_get_thread_num();
        twalker w;
        int ok = twalker_init(&w, sp, H, exact, o, cap);
        if (!ok)
            scenmc__cib_fail(&failed);
#pragma omp for schedule(dynamic, 1)
        for (uint64_t t = 0; t < n_tasks; t++)
            if (ok)
                top_task(&w, p, t);
        visited += w.visited;
        hs->heaps[me] = w.heap;
        hs->hn[me] = w.hn;
        twalker_free_scratch(&w);
    }
    hs->visited = visited;
    return !failed;
}

/* The best cap states of all heaps, ranked, into out; 0 when out of memory. */
static int collect(const heaps *hs, uint64_t cap, scenmc_cib_top_result *out)
{
    uint64_t total = 0;
    for (int t = 0; t < hs->nt; t++)
        total += hs->hn[t];
    kent *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return 0;
    uint64_t k = 0;
    for (int t = 0; t < hs->nt; t++) {
        memcpy(all + k, hs->heaps[t], hs->hn[t] * sizeof *all);
        k += hs->hn[t];
    }
    qsort(all, total, sizeof *all, cmp_kent_desc);
    uint64_t n = total < cap ? total : cap;
    out->index = malloc((n ? n : 1) * sizeof *out->index);
    out->k = malloc((n ? n : 1) * sizeof *out->k);
    int ok = out->index && out->k;
    if (ok) {
        for (uint64_t i = 0; i < n; i++) {
            out->index[i] = all[i].idx;
            out->k[i] = all[i].k;
        }
        out->n = n;
    }
    free(all);
    return ok;
}

static scenmc_status check_options(const scenmc_cib_top_options *o, scenmc_error *err)
{
    if (o->n < 1 || o->n > SCENMC_CIB_MAX_TOP)
        return scenmc_error_add(err, SCENMC_E_INPUT, "top %llu states; expected 1 to %u",
                                (unsigned long long)o->n, SCENMC_CIB_MAX_TOP);
    if (o->use_min_pair && !isfinite(o->min_pair))
        return scenmc_error_add(err, SCENMC_E_INPUT, "minimum pair score %g; expected a finite "
                                "number", o->min_pair);
    return SCENMC_OK;
}

scenmc_status scenmc_cib_top(const scenmc_model *m, const scenmc_cib_top_options *o,
                             scenmc_cib_top_result *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    double t0 = scenmc__now();
    scenmc_status st = check_options(o, err);
    if (st != SCENMC_OK)
        return st;
    space sp;
    st = scenmc__cib_space_init(&sp, m, SCENMC_CIB_CONSISTENCY, err);
    if (st != SCENMC_OK)
        return st;
    double *H = heights(&sp);
    uint64_t cap = o->n < sp.n_states ? o->n : sp.n_states;
    heaps hs = {scenmc__cib_thread_count(o->threads), NULL, NULL, 0};
    hs.heaps = scenmc__xcalloc((size_t)hs.nt, sizeof *hs.heaps);
    hs.hn = scenmc__xcalloc((size_t)hs.nt, sizeof *hs.hn);
    int ok = search(&sp, H, o, cap, &hs) && collect(&hs, cap, out);
    for (int t = 0; t < hs.nt; t++)
        free(hs.heaps[t]);
    free(hs.heaps);
    free(hs.hn);
    free(H);
    scenmc__cib_space_free(&sp);
    out->n_visited = hs.visited;
    out->seconds = scenmc__now() - t0;
    if (!ok) {
        scenmc_cib_top_free(out);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the top %llu states",
                                (unsigned long long)cap);
    }
    return SCENMC_OK;
}
