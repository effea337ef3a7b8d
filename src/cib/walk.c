/* The walk over CIB's states (walk.h). Every search here is a depth-first
 * walk over the descriptors in model order that keeps, at each depth L, the
 * partial impact balances
 *
 *     P_L[v] = sum_{j < L} M[o_j + s_j][v]      (V numbers)
 *
 * so that fixing descriptor L costs one row addition, and a state costs on
 * average little more than one row addition plus its IC (the odometer order
 * of the states, amortized). The walk is split into tasks, one per prefix of
 * the first descriptors, run by OpenMP threads in any order; each task's
 * results come out in increasing state index and are merged in task order,
 * so nothing depends on the number of threads.
 */
#include "cib/walk.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOL SCENMC_CIB_TOL

typedef scenmc__cib_space space;
typedef scenmc__cib_walker walker;

int scenmc__cib_walker_init(walker *w, const space *sp, int mode, const scenmc__cib_bounds *bounds,
                           double kmax)
{
    memset(w, 0, sizeof *w);
    w->sp = sp;
    w->mode = mode;
    if (bounds) {
        w->dmin = bounds->dmin;
        w->doff = bounds->doff;
        w->dlevel = bounds->dlevel;
    }
    w->kmax = kmax;
    w->P = calloc((size_t)(sp->D + 1) * (size_t)sp->V, sizeof(double));
    w->s = calloc((size_t)sp->D + 1, sizeof(int));
    w->pidx = calloc((size_t)sp->D + 1, sizeof(uint64_t));
    return w->P && w->s && w->pidx;
}

void scenmc__cib_walker_free(walker *w)
{
    free(w->P);
    free(w->s);
    free(w->pidx);
    free(w->idx);
    free(w->ic);
}

static void keep(walker *w, uint64_t index, double ic)
{
    w->found++;
    if (!w->store || w->nomem)
        return;
    if (w->budget_used) {
        if (w->budget_out)
            return;
        uint64_t old;
#pragma omp atomic capture
        old = (*w->budget_used)++;
        if (old >= w->budget) {
            w->budget_out = 1;
            return;
        }
    }
    if (w->n_st == w->cap_st) {
        uint64_t cap = w->cap_st ? 2 * w->cap_st : 64;
        uint64_t *ni = realloc(w->idx, cap * sizeof *ni);
        if (ni)
            w->idx = ni;
        double *nc = ni ? realloc(w->ic, cap * sizeof *nc) : NULL;
        if (nc)
            w->ic = nc;
        if (!ni || !nc) {
            w->nomem = 1;
            w->halt = 1;
            return;
        }
        w->cap_st = cap;
    }
    w->idx[w->n_st] = index;
    w->ic[w->n_st] = ic;
    w->n_st++;
    if (w->stop_after && w->n_st >= w->stop_after)
        w->halt = 1;
}

/* With descriptors 0..L-1 fixed: can every one of them still reach IC_i <= K? */
static inline int feasible(const walker *w, int L)
{
    const space *sp = w->sp;
    const double *P = w->P + (size_t)L * (size_t)sp->V;
    const double *dl = w->dmin + (size_t)L * w->dlevel;
    for (int i = L - 1; i >= 0; i--) {
        int n = sp->n[i], o = sp->off[i], a = w->s[i];
        const double *dm = dl + w->doff[i] + (size_t)a * (size_t)n;
        double lim = P[o + a] + w->kmax;
        for (int b = 0; b < n; b++)
            if (P[o + b] + dm[b] > lim)
                return 0;
    }
    return 1;
}

static inline int hist_bin(double ic)
{
    if (ic <= TOL)
        return 0;
    double k = ceil(ic - TOL);
    return k >= SCENMC_CIB_HIST_BINS - 1 ? SCENMC_CIB_HIST_BINS - 1 : (int)k;
}

static inline void fix(walker *w, int L)
{
    const space *sp = w->sp;
    size_t V = (size_t)sp->V;
    const double *row = sp->M + (size_t)(sp->off[L] + w->s[L]) * V;
    const double *p0 = w->P + (size_t)L * V;
    double *p1 = w->P + (size_t)(L + 1) * V;
#pragma omp simd
    for (size_t v = 0; v < V; v++)
        p1[v] = p0[v] + row[v];
    w->pidx[L + 1] = w->pidx[L] + (uint64_t)w->s[L] * sp->place[L];
    w->visited++;
}

static inline double dmax(double a, double b)
{
    return a > b ? a : b;
}

/* max_b (x[b] + r[b]), written out for the usual small n (shorter dependency
 * chains than a loop). */
static inline double max_sum(const double *x, const double *r, int n)
{
    switch (n) {
    case 2:
        return dmax(x[0] + r[0], x[1] + r[1]);
    case 3:
        return dmax(dmax(x[0] + r[0], x[1] + r[1]), x[2] + r[2]);
    case 4:
        return dmax(dmax(x[0] + r[0], x[1] + r[1]), dmax(x[2] + r[2], x[3] + r[3]));
    default: {
        double m0 = dmax(x[0] + r[0], x[1] + r[1]), m1 = dmax(x[2] + r[2], x[3] + r[3]);
        for (int b = 4; b < n; b++)
            m0 = dmax(m0, x[b] + r[b]);
        return dmax(m0, m1);
    }
    }
}

/* IC of the state whose balances are p0 + row (p0: the first D-1 descriptors'
 * contributions, row: the last descriptor's), without storing the sum. */
static inline double ic_split(const space *sp, const double *p0, const double *row, const int *s)
{
    double ic = 0;
    for (int i = 0; i < sp->D; i++) {
        int a = s[i];
        const double *x = p0 + sp->off[i], *r = row + sp->off[i];
        ic = dmax(ic, max_sum(x, r, sp->n[i]) - (x[a] + r[a]));
    }
    return ic <= TOL ? 0 : ic;
}

/* Whether IC <= kmax, stopping at the first descriptor that breaks it. */
static inline int within_split(const space *sp, const double *p0, const double *row,
                               const int *s, double kmax)
{
    for (int i = sp->D - 1; i >= 0; i--) {
        int n = sp->n[i], a = s[i];
        const double *x = p0 + sp->off[i], *r = row + sp->off[i];
        double lim = x[a] + r[a] + kmax;
        for (int b = 0; b < n; b++)
            if (x[b] + r[b] > lim)
                return 0;
    }
    return 1;
}

/* The successor's index; branch-free, since whether a descriptor moves is
 * as good as random from one state to the next. */
static inline uint64_t succ_split(const space *sp, const double *p0, const double *row,
                                  const int *s)
{
    uint64_t nx = 0;
    for (int i = 0; i < sp->D; i++) {
        int n = sp->n[i], a = s[i];
        const double *x = p0 + sp->off[i], *r = row + sp->off[i];
        double mx = max_sum(x, r, n);
        int first = 0;
        for (int b = n - 1; b >= 0; b--)
            first = x[b] + r[b] >= mx - TOL ? b : first;
        int moves = -(int)(mx > x[a] + r[a] + TOL); /* all ones when a is beaten */
        int best = a ^ ((a ^ first) & moves);
        nx += (uint64_t)best * sp->place[i];
    }
    return nx;
}

/* Every value of the last descriptor, the first D-1 fixed (P[D-1] set). */
static void last_level(walker *w)
{
    const space *sp = w->sp;
    int k = sp->D - 1;
    size_t V = (size_t)sp->V;
    const double *p0 = w->P + (size_t)k * V;
    uint64_t base = w->pidx[k], place = sp->place[k];
    for (int c = 0; c < sp->n[k]; c++) {
        const double *row = sp->M + (size_t)(sp->off[k] + c) * V;
        w->s[k] = c;
        switch (w->mode) {
        case SCENMC_CIB_LEAF_PRUNE:
            if (within_split(sp, p0, row, w->s, w->kmax)) {
                keep(w, base + (uint64_t)c * place, ic_split(sp, p0, row, w->s));
                if (w->halt)
                    return;
            }
            break;
        case SCENMC_CIB_LEAF_SWEEP: {
            double ic = ic_split(sp, p0, row, w->s);
            w->hist[hist_bin(ic)]++;
            if (ic <= w->kmax) {
                keep(w, base + (uint64_t)c * place, ic);
                if (w->halt)
                    return;
            }
            break;
        }
        default:
            w->succ[base + (uint64_t)c * place] = (uint32_t)succ_split(sp, p0, row, w->s);
        }
    }
    w->visited += (uint64_t)sp->n[k];
}

/* Walks every completion of the prefix s[0..depth0-1], depth0 < D (P and
 * pidx set up to depth0). */
static void walk(walker *w, int depth0)
{
    const space *sp = w->sp;
    int last = sp->D - 1;
    if (depth0 == last) {
        last_level(w);
        return;
    }
    int L = depth0;
    w->s[L] = -1;
    for (;;) {
        if (++w->s[L] >= sp->n[L]) {
            if (L == depth0)
                break;
            L--;
            continue;
        }
        fix(w, L);
        if (w->mode == SCENMC_CIB_LEAF_PRUNE && !feasible(w, L + 1))
            continue;
        if (L + 1 == last) {
            last_level(w);
            if (w->halt)
                return;
            continue;
        }
        L++;
        w->s[L] = -1;
    }
}

void scenmc__cib_run_task(walker *w, int p, uint64_t t)
{
    scenmc__cib_prefix(w->sp, p, t, w->s);
    for (int L = 0; L < p; L++) {
        fix(w, L);
        if (w->mode == SCENMC_CIB_LEAF_PRUNE && !feasible(w, L + 1))
            return;
    }
    walk(w, p);
}

int scenmc__cib_bounds_build(scenmc__cib_bounds *bd, const space *sp)
{
    int D = sp->D;
    size_t V = (size_t)sp->V;
    size_t *doff = scenmc__xmalloc((size_t)D * sizeof *doff);
    size_t lvl = 0;
    for (int i = 0; i < D; i++) {
        doff[i] = lvl;
        lvl += (size_t)sp->n[i] * (size_t)sp->n[i];
    }
    double *dmin = calloc((size_t)(D + 1) * lvl, sizeof(double));
    if (!dmin) {
        free(doff);
        return 0;
    }
    for (int L = D - 1; L >= 0; L--) {
        double *cur = dmin + (size_t)L * lvl;
        memcpy(cur, cur + lvl, lvl * sizeof(double));
        int j = L;
        for (int i = 0; i < D; i++) {
            if (i == j)
                continue;
            int n = sp->n[i], oi = sp->off[i];
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) {
                    double lo = INFINITY;
                    for (int c = 0; c < sp->n[j]; c++) {
                        const double *row = sp->M + (size_t)(sp->off[j] + c) * V;
                        double d = row[oi + b] - row[oi + a];
                        lo = d < lo ? d : lo;
                    }
                    cur[doff[i] + (size_t)a * (size_t)n + (size_t)b] += lo;
                }
        }
    }
    bd->dmin = dmin;
    bd->doff = doff;
    bd->dlevel = lvl;
    return 1;
}

void scenmc__cib_bounds_free(scenmc__cib_bounds *bd)
{
    free(bd->dmin);
    free(bd->doff);
    bd->dmin = NULL;
    bd->doff = NULL;
}
