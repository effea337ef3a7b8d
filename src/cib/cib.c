/* Consistency in the CIB sense: impact balances, inconsistency, enumeration
 * of the states with IC <= K (pruned search or full sweep), the states of
 * highest total consistency and the basins of global succession.
 *
 * Every search here is a depth-first walk over the descriptors in model
 * order that keeps, at each depth L, the partial impact balances
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
#include "scenmc/cib.h"
#include "base/util.h"

#include <Random123/philox.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define TOL SCENMC_CIB_TOL
#define LABEL_FLAG 0x80000000u
#define ON_PATH 0x7fffffffu

/* ---------------------------------------------------------------- the space */

typedef struct {
    const scenmc_model *m;
    int D, V, max_n;
    const double *M; /* V x V, row = source, column = target */
    int uses_cross;
    int *n, *off;    /* [D] */
    uint64_t *place; /* [D] place value of each descriptor in a state index */
    uint64_t n_states;
} space;

static void space_free(space *sp)
{
    free(sp->n);
    free(sp->off);
    free(sp->place);
}

int scenmc_cib_uses_cross(const scenmc_model *m, int use_cross)
{
    if (use_cross == SCENMC_CIB_CROSS)
        return 1;
    if (use_cross == SCENMC_CIB_CONSISTENCY)
        return 0;
    return m->cross_impact != NULL;
}

static scenmc_status check_matrix(const scenmc_model *m, int use_cross, scenmc_error *err)
{
    if (use_cross != SCENMC_CIB_AUTO && use_cross != SCENMC_CIB_CONSISTENCY &&
        use_cross != SCENMC_CIB_CROSS)
        return scenmc_error_add(err, SCENMC_E_INPUT, "matrix choice %d; expected -1 (auto), 0 "
                                "(consistency) or 1 (cross impact)", use_cross);
    if (use_cross == SCENMC_CIB_CROSS && !m->cross_impact)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: the model has no cross-impact matrix; "
                                "expected one, or the consistency matrix to be used", m->path);
    return SCENMC_OK;
}

static const double *matrix_of(const scenmc_model *m, int use_cross)
{
    return scenmc_cib_uses_cross(m, use_cross) ? m->cross_impact : m->consistency;
}

static scenmc_status space_init(space *sp, const scenmc_model *m, int use_cross,
                                scenmc_error *err)
{
    memset(sp, 0, sizeof *sp);
    scenmc_status st = check_matrix(m, use_cross, err);
    if (st != SCENMC_OK)
        return st;
    sp->n_states = scenmc_model_state_count(m);
    if (!sp->n_states)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: the state space of %d descriptors has "
                                "more than 2^64 states; expected one whose states can be "
                                "numbered in 64 bits", m->path, m->n_descriptors);
    sp->m = m;
    sp->D = m->n_descriptors;
    sp->V = m->n_variants;
    sp->uses_cross = scenmc_cib_uses_cross(m, use_cross);
    sp->M = matrix_of(m, use_cross);
    sp->n = scenmc_xmalloc((size_t)sp->D * sizeof(int));
    sp->off = scenmc_xmalloc((size_t)sp->D * sizeof(int));
    sp->place = scenmc_xmalloc((size_t)sp->D * sizeof(uint64_t));
    uint64_t place = 1;
    for (int i = sp->D - 1; i >= 0; i--) {
        sp->n[i] = m->descriptors[i].n_variants;
        sp->off[i] = m->descriptors[i].offset;
        sp->place[i] = place;
        place *= (uint64_t)sp->n[i];
        if (sp->n[i] > sp->max_n)
            sp->max_n = sp->n[i];
    }
    return SCENMC_OK;
}

static int thread_count(int threads)
{
    return threads > 0 ? threads : omp_get_max_threads();
}

/* The first p descriptors whose prefixes make at least `want` tasks (p < D). */
static int split_depth(const space *sp, uint64_t want, uint64_t *n_tasks)
{
    int p = 0;
    uint64_t k = 1;
    while (p < sp->D - 1 && k < want)
        k *= (uint64_t)sp->n[p++];
    *n_tasks = k;
    return p;
}

/* ---------------------------------------------------------- single states */

uint64_t scenmc_cib_state_index(const scenmc_model *m, const int *s)
{
    uint64_t idx = 0;
    for (int i = 0; i < m->n_descriptors; i++)
        idx = idx * (uint64_t)m->descriptors[i].n_variants + (uint64_t)s[i];
    return idx;
}

void scenmc_cib_state_decode(const scenmc_model *m, uint64_t index, int *s)
{
    for (int i = m->n_descriptors - 1; i >= 0; i--) {
        uint64_t n = (uint64_t)m->descriptors[i].n_variants;
        s[i] = (int)(index % n);
        index /= n;
    }
}

static scenmc_status check_state(const scenmc_model *m, const int *s, scenmc_error *err)
{
    for (int i = 0; i < m->n_descriptors; i++)
        if (s[i] < 0 || s[i] >= m->descriptors[i].n_variants)
            return scenmc_error_add(err, SCENMC_E_INPUT, "variant %d of descriptor %s; expected "
                                    "0 to %d", s[i], m->descriptors[i].id,
                                    m->descriptors[i].n_variants - 1);
    return SCENMC_OK;
}

static void balance_of(const scenmc_model *m, const double *M, const int *s, double *bal)
{
    size_t V = (size_t)m->n_variants;
    memset(bal, 0, V * sizeof *bal);
    for (int j = 0; j < m->n_descriptors; j++) {
        const double *row = M + (size_t)(m->descriptors[j].offset + s[j]) * V;
        for (size_t v = 0; v < V; v++)
            bal[v] += row[v];
    }
}

scenmc_status scenmc_cib_impact_balance(const scenmc_model *m, const int *s, int use_cross,
                                        double *bal, scenmc_error *err)
{
    scenmc_status st = check_matrix(m, use_cross, err);
    if (st == SCENMC_OK)
        st = check_state(m, s, err);
    if (st != SCENMC_OK)
        return st;
    balance_of(m, matrix_of(m, use_cross), s, bal);
    return SCENMC_OK;
}

scenmc_status scenmc_cib_inconsistency(const scenmc_model *m, const int *s, int use_cross,
                                       double *ic, double *margins, double *total_impact,
                                       scenmc_error *err)
{
    scenmc_status st = check_matrix(m, use_cross, err);
    if (st == SCENMC_OK)
        st = check_state(m, s, err);
    if (st != SCENMC_OK)
        return st;
    double *bal = scenmc_xmalloc((size_t)m->n_variants * sizeof *bal);
    balance_of(m, matrix_of(m, use_cross), s, bal);
    double worst = 0, tis = 0;
    for (int i = 0; i < m->n_descriptors; i++) {
        const scenmc_descriptor *D = &m->descriptors[i];
        double mine = bal[D->offset + s[i]], other = -INFINITY;
        for (int b = 0; b < D->n_variants; b++)
            if (b != s[i] && bal[D->offset + b] > other)
                other = bal[D->offset + b];
        if (other - mine > worst)
            worst = other - mine;
        if (margins)
            margins[i] = mine - other;
        tis += mine;
    }
    free(bal);
    if (ic)
        *ic = worst <= TOL ? 0 : worst;
    if (total_impact)
        *total_impact = tis;
    return SCENMC_OK;
}

/* The best response of descriptor i (offset o, n variants, current a). */
static inline int best_response(const double *bal, int o, int n, int a)
{
    double mx = bal[o];
    for (int b = 1; b < n; b++)
        if (bal[o + b] > mx)
            mx = bal[o + b];
    if (!(mx > bal[o + a] + TOL))
        return a;
    for (int b = 0; b < n; b++)
        if (bal[o + b] >= mx - TOL)
            return b;
    return a; /* not reached */
}

scenmc_status scenmc_cib_succession_step(const scenmc_model *m, const int *s, int use_cross,
                                         int *next, int *changed, scenmc_error *err)
{
    scenmc_status st = check_matrix(m, use_cross, err);
    if (st == SCENMC_OK)
        st = check_state(m, s, err);
    if (st != SCENMC_OK)
        return st;
    double *bal = scenmc_xmalloc((size_t)m->n_variants * sizeof *bal);
    balance_of(m, matrix_of(m, use_cross), s, bal);
    int moved = 0;
    for (int i = 0; i < m->n_descriptors; i++) {
        next[i] = best_response(bal, m->descriptors[i].offset, m->descriptors[i].n_variants, s[i]);
        moved += next[i] != s[i];
    }
    free(bal);
    if (changed)
        *changed = moved;
    return SCENMC_OK;
}

/* ------------------------------------------------------- the walk (IC <= K) */

enum { LEAF_PRUNE, LEAF_SWEEP, LEAF_SUCC };

typedef struct {
    const space *sp;
    int mode;
    /* pruning bounds, level L = number of fixed descriptors:
     * dmin[L * dlevel + doff[i] + a * n_i + b]
     *   = sum_{j >= L} min_c (M[o_j + c][o_i + b] - M[o_j + c][o_i + a]),
     * the least that the unfixed descriptors can add to B_i(b) - B_i(a). */
    const double *dmin;
    const size_t *doff;
    size_t dlevel;
    double kmax; /* max_ic + TOL */
    /* scratch */
    double *P;      /* [(D + 1) * V] */
    int *s;         /* [D] */
    uint64_t *pidx; /* [D + 1] index of the prefix */
    /* results of the current task */
    uint64_t found, visited;
    uint64_t *idx;
    double *ic;
    uint64_t n_st, cap_st;
    int store;            /* keep the states found (else only count them) */
    uint64_t stop_after;  /* > 0: stop when this many are kept */
    uint64_t *budget_used; /* shared count of kept states, or NULL */
    uint64_t budget;
    int budget_out, halt, nomem;
    uint64_t hist[SCENMC_CIB_HIST_BINS];
    uint32_t *succ; /* LEAF_SUCC */
} walker;

static int walker_init(walker *w, const space *sp, int mode)
{
    memset(w, 0, sizeof *w);
    w->sp = sp;
    w->mode = mode;
    w->P = calloc((size_t)(sp->D + 1) * (size_t)sp->V, sizeof(double));
    w->s = calloc((size_t)sp->D + 1, sizeof(int));
    w->pidx = calloc((size_t)sp->D + 1, sizeof(uint64_t));
    return w->P && w->s && w->pidx;
}

static void walker_free(walker *w)
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
        case LEAF_PRUNE:
            if (within_split(sp, p0, row, w->s, w->kmax)) {
                keep(w, base + (uint64_t)c * place, ic_split(sp, p0, row, w->s));
                if (w->halt)
                    return;
            }
            break;
        case LEAF_SWEEP: {
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
        if (w->mode == LEAF_PRUNE && !feasible(w, L + 1))
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

/* Runs task t: the prefix of the first p descriptors numbered t. */
static void run_task(walker *w, int p, uint64_t t)
{
    const space *sp = w->sp;
    for (int i = p - 1; i >= 0; i--) {
        w->s[i] = (int)(t % (uint64_t)sp->n[i]);
        t /= (uint64_t)sp->n[i];
    }
    for (int L = 0; L < p; L++) {
        fix(w, L);
        if (w->mode == LEAF_PRUNE && !feasible(w, L + 1))
            return;
    }
    walk(w, p);
}

static double *build_dmin(const space *sp, size_t **doff_out, size_t *dlevel_out)
{
    int D = sp->D;
    size_t V = (size_t)sp->V;
    size_t *doff = scenmc_xmalloc((size_t)D * sizeof *doff);
    size_t lvl = 0;
    for (int i = 0; i < D; i++) {
        doff[i] = lvl;
        lvl += (size_t)sp->n[i] * (size_t)sp->n[i];
    }
    double *dmin = calloc((size_t)(D + 1) * lvl, sizeof(double));
    if (!dmin) {
        free(doff);
        return NULL;
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
    *doff_out = doff;
    *dlevel_out = lvl;
    return dmin;
}

void scenmc_cib_options_init(scenmc_cib_options *o)
{
    memset(o, 0, sizeof *o);
    o->use_cross = SCENMC_CIB_AUTO;
    o->max_ic = 0;
    o->method = SCENMC_CIB_PRUNE;
    o->threads = 0;
    o->max_stored = 1000000;
}

void scenmc_cib_list_free(scenmc_cib_list *l)
{
    if (!l)
        return;
    free(l->index);
    free(l->ic);
    l->index = NULL;
    l->ic = NULL;
    l->n_stored = 0;
}

typedef struct {
    uint64_t found, n_st;
    uint64_t *idx;
    double *ic;
} task_out;

scenmc_status scenmc_cib_enumerate(const scenmc_model *m, const scenmc_cib_options *o,
                                   scenmc_cib_list *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    double t0 = scenmc_now();
    if (!(o->max_ic >= 0) || !isfinite(o->max_ic))
        return scenmc_error_add(err, SCENMC_E_INPUT, "maximum inconsistency %g; expected a "
                                "finite number >= 0", o->max_ic);
    if (o->method != SCENMC_CIB_PRUNE && o->method != SCENMC_CIB_SWEEP)
        return scenmc_error_add(err, SCENMC_E_INPUT, "enumeration method %d; expected prune (0) "
                                "or sweep (1)", o->method);
    space sp;
    scenmc_status st = space_init(&sp, m, o->use_cross, err);
    if (st != SCENMC_OK)
        return st;
    int mode = o->method == SCENMC_CIB_SWEEP ? LEAF_SWEEP : LEAF_PRUNE;
    size_t *doff = NULL, dlevel = 0;
    double *dmin = NULL;
    if (mode == LEAF_PRUNE && !(dmin = build_dmin(&sp, &doff, &dlevel))) {
        space_free(&sp);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the pruning bounds");
    }
    int nt = thread_count(o->threads);
    uint64_t n_tasks;
    int p = split_depth(&sp, 256 * (uint64_t)nt, &n_tasks);
    task_out *tasks = calloc(n_tasks, sizeof *tasks);
    if (!tasks) {
        free(dmin);
        free(doff);
        space_free(&sp);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for %llu tasks",
                                (unsigned long long)n_tasks);
    }
    uint64_t used = 0, visited = 0;
    int failed = 0;
    uint64_t hist[SCENMC_CIB_HIST_BINS] = {0};

#pragma omp parallel num_threads(nt) reduction(+ : visited)
    {
        walker w;
        int ok = walker_init(&w, &sp, mode);
        w.dmin = dmin;
        w.doff = doff;
        w.dlevel = dlevel;
        w.kmax = o->max_ic + TOL;
        w.store = o->max_stored > 0;
        w.budget_used = &used;
        w.budget = o->max_stored;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (uint64_t t = 0; t < n_tasks; t++) {
            if (!ok)
                continue;
            w.found = 0;
            w.n_st = w.cap_st = 0;
            w.idx = NULL;
            w.ic = NULL;
            run_task(&w, p, t);
            tasks[t].found = w.found;
            tasks[t].n_st = w.n_st;
            tasks[t].idx = w.idx;
            tasks[t].ic = w.ic;
            w.idx = NULL;
            w.ic = NULL;
            if (w.nomem) {
#pragma omp atomic write
                failed = 1;
            }
        }
        visited += w.visited;
#pragma omp critical(scenmc_cib_hist)
        for (int k = 0; k < SCENMC_CIB_HIST_BINS; k++)
            hist[k] += w.hist[k];
        walker_free(&w);
    }

    uint64_t found = 0, want = 0;
    for (uint64_t t = 0; t < n_tasks; t++)
        found += tasks[t].found;
    want = found < o->max_stored ? found : o->max_stored;
    if (!failed && want) {
        out->index = malloc(want * sizeof *out->index);
        out->ic = malloc(want * sizeof *out->ic);
        if (!out->index || !out->ic)
            failed = 1;
    }
    /* The first `want` states by index: whole tasks in order, re-running a
     * task whose list the shared budget cut short. */
    uint64_t need = want;
    walker rw;
    int have_rw = 0;
    for (uint64_t t = 0; t < n_tasks && need && !failed; t++) {
        uint64_t take = tasks[t].found < need ? tasks[t].found : need;
        if (!take)
            continue;
        const uint64_t *ix = tasks[t].idx;
        const double *ic = tasks[t].ic;
        if (tasks[t].n_st < take) {
            if (!have_rw) {
                if (!walker_init(&rw, &sp, mode)) {
                    failed = 1;
                    break;
                }
                rw.dmin = dmin;
                rw.doff = doff;
                rw.dlevel = dlevel;
                rw.kmax = o->max_ic + TOL;
                rw.store = 1;
                have_rw = 1;
            }
            rw.found = rw.n_st = 0;
            rw.halt = 0;
            rw.stop_after = take;
            run_task(&rw, p, t);
            if (rw.nomem || rw.n_st < take) {
                failed = 1;
                break;
            }
            ix = rw.idx;
            ic = rw.ic;
        }
        memcpy(out->index + out->n_stored, ix, take * sizeof *ix);
        memcpy(out->ic + out->n_stored, ic, take * sizeof *ic);
        out->n_stored += take;
        need -= take;
    }
    if (have_rw)
        walker_free(&rw);
    for (uint64_t t = 0; t < n_tasks; t++) {
        free(tasks[t].idx);
        free(tasks[t].ic);
    }
    free(tasks);
    free(dmin);
    free(doff);
    out->n_states = sp.n_states;
    out->n_found = found;
    out->n_visited = visited;
    out->uses_cross = sp.uses_cross;
    out->have_hist = mode == LEAF_SWEEP;
    memcpy(out->ic_hist, hist, sizeof hist);
    space_free(&sp);
    if (failed) {
        scenmc_cib_list_free(out);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory while listing the states "
                                "found; expected fewer (lower the number of states kept)");
    }
    out->seconds = scenmc_now() - t0;
    return SCENMC_OK;
}

/* ------------------------------------------------------------- top by K(s) */

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

scenmc_status scenmc_cib_top(const scenmc_model *m, const scenmc_cib_top_options *o,
                             scenmc_cib_top_result *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    double t0 = scenmc_now();
    if (o->n < 1 || o->n > SCENMC_CIB_MAX_TOP)
        return scenmc_error_add(err, SCENMC_E_INPUT, "top %llu states; expected 1 to %u",
                                (unsigned long long)o->n, SCENMC_CIB_MAX_TOP);
    if (o->use_min_pair && !isfinite(o->min_pair))
        return scenmc_error_add(err, SCENMC_E_INPUT, "minimum pair score %g; expected a finite "
                                "number", o->min_pair);
    space sp;
    scenmc_status st = space_init(&sp, m, SCENMC_CIB_CONSISTENCY, err);
    if (st != SCENMC_OK)
        return st;
    size_t V = (size_t)sp.V;
    double *H = scenmc_xmalloc((V ? V : 1) * sizeof *H);
    for (int j = 0; j < sp.D; j++)
        for (int c = 0; c < sp.n[j]; c++) {
            size_t u = (size_t)(sp.off[j] + c);
            double h = 0;
            for (int q = j + 1; q < sp.D; q++) {
                double mx = -INFINITY;
                for (int d = 0; d < sp.n[q]; d++) {
                    double x = sp.M[u * V + (size_t)(sp.off[q] + d)];
                    mx = x > mx ? x : mx;
                }
                h += mx;
            }
            H[u] = h;
        }
    /* Integer scores of moderate size add up exactly in doubles. */
    int exact = 1;
    for (size_t u = 0; u < V * V && exact; u++)
        exact = sp.M[u] == floor(sp.M[u]) && fabs(sp.M[u]) <= 1048576;
    uint64_t cap = o->n < sp.n_states ? o->n : sp.n_states;
    int nt = thread_count(o->threads);
    uint64_t n_tasks;
    int p = split_depth(&sp, 64 * (uint64_t)nt, &n_tasks);
    kent **heaps = scenmc_xcalloc((size_t)nt, sizeof *heaps);
    uint64_t *hn = scenmc_xcalloc((size_t)nt, sizeof *hn);
    uint64_t visited = 0;
    int failed = 0;

#pragma omp parallel num_threads(nt) reduction(+ : visited)
    {
        int me = omp_get_thread_num();
        twalker w;
        memset(&w, 0, sizeof w);
        w.sp = &sp;
        w.H = H;
        w.exact = exact;
        w.use_min_pair = o->use_min_pair;
        w.min_pair = o->min_pair;
        w.cap = cap;
        w.P = calloc((size_t)(sp.D + 1) * V + 1, sizeof(double));
        w.s = calloc((size_t)sp.D + 1, sizeof(int));
        w.pidx = calloc((size_t)sp.D + 1, sizeof(uint64_t));
        w.ub = calloc((size_t)sp.D * (size_t)sp.max_n + 1, sizeof(double));
        w.ord = calloc((size_t)sp.D * (size_t)sp.max_n + 1, sizeof(int));
        w.heap = malloc(cap * sizeof(kent));
        int ok = w.P && w.s && w.pidx && w.ub && w.ord && w.heap;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (uint64_t t = 0; t < n_tasks; t++) {
            if (!ok)
                continue;
            uint64_t r = t;
            for (int i = p - 1; i >= 0; i--) {
                w.s[i] = (int)(r % (uint64_t)sp.n[i]);
                r /= (uint64_t)sp.n[i];
            }
            double k = 0;
            int live = 1;
            for (int L = 0; L < p && live; L++) {
                if (pair_excluded(&w, L, w.s[L])) {
                    live = 0;
                    break;
                }
                k += w.P[(size_t)L * V + (size_t)(sp.off[L] + w.s[L])];
                top_fix(&w, L, w.s[L]);
                w.pidx[L + 1] = w.pidx[L] + (uint64_t)w.s[L] * sp.place[L];
                w.visited++;
                if (w.hn == w.cap) {
                    double ubk = top_bound(&w, L, w.P + (size_t)(L + 1) * V, k);
                    if (ubk < w.heap[0].k - TOL ||
                        (w.exact && ubk <= w.heap[0].k && w.pidx[L + 1] > w.heap[0].idx))
                        live = 0;
                }
            }
            if (live)
                top_rec(&w, p, k);
        }
        visited += w.visited;
        heaps[me] = w.heap;
        hn[me] = w.hn;
        free(w.P);
        free(w.s);
        free(w.pidx);
        free(w.ub);
        free(w.ord);
    }

    uint64_t total = 0;
    for (int t = 0; t < nt; t++)
        total += hn[t];
    kent *all = failed ? NULL : malloc((total ? total : 1) * sizeof *all);
    if (all) {
        uint64_t k = 0;
        for (int t = 0; t < nt; t++) {
            memcpy(all + k, heaps[t], hn[t] * sizeof *all);
            k += hn[t];
        }
        qsort(all, total, sizeof *all, cmp_kent_desc);
        uint64_t n = total < cap ? total : cap;
        out->index = malloc((n ? n : 1) * sizeof *out->index);
        out->k = malloc((n ? n : 1) * sizeof *out->k);
        if (out->index && out->k) {
            for (uint64_t i = 0; i < n; i++) {
                out->index[i] = all[i].idx;
                out->k[i] = all[i].k;
            }
            out->n = n;
        } else {
            failed = 1;
        }
    } else {
        failed = 1;
    }
    free(all);
    for (int t = 0; t < nt; t++)
        free(heaps[t]);
    free(heaps);
    free(hn);
    free(H);
    space_free(&sp);
    out->n_visited = visited;
    out->seconds = scenmc_now() - t0;
    if (failed) {
        scenmc_cib_top_free(out);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the top %llu states",
                                (unsigned long long)cap);
    }
    return SCENMC_OK;
}

/* ------------------------------------------------------------------ basins */

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

static scenmc_status basins_exact(const space *sp, const scenmc_cib_basin_options *o,
                                  scenmc_cib_basin_result *out, scenmc_error *err)
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
    uint32_t *a = malloc(n * sizeof *a);
    if (!a)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the state-to-basin map "
                                "(%llu states)", (unsigned long long)n);
    int nt = thread_count(o->threads);
    uint64_t n_tasks;
    int p = split_depth(sp, 256 * (uint64_t)nt, &n_tasks);
    int failed = 0;
#pragma omp parallel num_threads(nt)
    {
        walker w;
        int ok = walker_init(&w, sp, LEAF_SUCC);
        w.succ = a;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (uint64_t t = 0; t < n_tasks; t++)
            if (ok)
                run_task(&w, p, t);
        walker_free(&w);
    }
    if (failed) {
        free(a);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory");
    }
    /* Follow the successor map from every state; label each state on the way
     * with its attractor (LABEL_FLAG | attractor number). */
    attractor_list at = {NULL, 0, 0};
    uint32_t *path = NULL;
    uint64_t path_cap = 0;
    for (uint64_t s0 = 0; s0 < n && !failed; s0++) {
        if (a[s0] & LABEL_FLAG)
            continue;
        uint64_t len = 0, s = s0;
        while (a[s] < ON_PATH) {
            if (len == path_cap) {
                uint64_t cap = path_cap ? 2 * path_cap : 256;
                uint32_t *np = realloc(path, cap * sizeof *np);
                if (!np) {
                    failed = 1;
                    break;
                }
                path = np;
                path_cap = cap;
            }
            uint32_t nx = a[s];
            a[s] = ON_PATH;
            path[len++] = (uint32_t)s;
            s = nx;
        }
        if (failed)
            break;
        uint32_t label;
        if (a[s] == ON_PATH) { /* a new attractor: the path from s on is its cycle */
            uint64_t pos = len;
            while (path[pos - 1] != s)
                pos--;
            pos--;
            uint64_t lo = s;
            for (uint64_t q = pos; q < len; q++)
                lo = path[q] < lo ? path[q] : lo;
            if (!attractor_add(&at, lo, len - pos)) {
                failed = 1;
                break;
            }
            label = LABEL_FLAG | (uint32_t)(at.n - 1);
        } else {
            label = a[s];
        }
        for (uint64_t q = 0; q < len; q++)
            a[path[q]] = label;
        at.a[label & ~LABEL_FLAG].basin += len;
    }
    free(path);
    free(a);
    if (failed) {
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
        t[i] = best_response(bal, sp->off[i], sp->n[i], s[i]);
        idx += (uint64_t)t[i] * sp->place[i];
    }
    if (!incremental) {
        memcpy(s, t, (size_t)sp->D * sizeof *s);
        balance_of(sp->m, sp->M, s, bal);
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

static scenmc_status basins_random(const space *sp, const scenmc_cib_basin_options *o,
                                   scenmc_cib_basin_result *out, scenmc_error *err)
{
    int nt = thread_count(o->threads);
    amap *maps = scenmc_xcalloc((size_t)nt, sizeof *maps);
    uint64_t max_mu = 0;
    int failed = 0;
    int D = sp->D;
    size_t V = (size_t)sp->V;
    int incremental = 1;
    for (size_t u = 0; u < V * V && incremental; u++)
        incremental = sp->M[u] == floor(sp->M[u]) && fabs(sp->M[u]) <= 1048576;
    /* memo: 24 bytes a slot, about 256 MiB in all, at most 2^21 slots a thread */
    uint64_t memo_cap = 1u << 21, want = o->starts < sp->n_states / 64 ? o->starts * 64
                                                                          : sp->n_states;
    while (memo_cap > 1024 &&
           (memo_cap * 24 * (uint64_t)nt > ((uint64_t)256 << 20) || memo_cap / 4 > want))
        memo_cap /= 2;
#pragma omp parallel num_threads(nt) reduction(max : max_mu)
    {
        int me = omp_get_thread_num();
        int *s = malloc((size_t)D * sizeof(int) + 1), *t = malloc((size_t)D * sizeof(int) + 1);
        double *bal = malloc(V * sizeof(double) + 1);
        memo mm;
        path_set ps;
        memset(&ps, 0, sizeof ps);
        int ok = memo_init(&mm, memo_cap);
        ok = s && t && bal && amap_init(&maps[me], 64) && ok;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 256)
        for (uint64_t m = 0; m < o->starts; m++) {
            if (!ok)
                continue;
            random_start(sp, o->seed, m, s);
            balance_of(sp->m, sp->M, s, bal);
            uint64_t idx = scenmc_cib_state_index(sp->m, s);
            uint64_t attr = 0, lam = 0, mu = 0, earlier = 0;
            path_reset(&ps);
            for (;;) {
                uint64_t slot = memo_find(&mm, idx);
                if (mm.key[slot] == idx) { /* joins a known way */
                    attr = mm.attr[slot];
                    lam = mm.len[slot];
                    mu = ps.len + mm.dist[slot];
                    for (uint64_t q = 0; q < ps.len; q++)
                        memo_put(&mm, ps.traj[q], attr, lam, mu - q);
                    break;
                }
                int seen = path_visit(&ps, idx, &earlier);
                if (seen < 0) {
                    ok = 0;
                    break;
                }
                if (seen) { /* closes a cycle: steps earlier .. len-1 */
                    lam = ps.len - earlier;
                    mu = earlier;
                    attr = idx;
                    for (uint64_t q = earlier; q < ps.len; q++)
                        attr = ps.traj[q] < attr ? ps.traj[q] : attr;
                    for (uint64_t q = 0; q < ps.len; q++)
                        memo_put(&mm, ps.traj[q], attr, lam, q < earlier ? earlier - q : 0);
                    break;
                }
                idx = step_in_place(sp, s, t, bal, incremental);
            }
            if (ok && !amap_add(&maps[me], attr, lam, 1))
                ok = 0;
            if (!ok) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            if (mu > max_mu)
                max_mu = mu;
        }
        free(s);
        free(t);
        free(bal);
        memo_free(&mm);
        path_free(&ps);
    }
    amap all;
    if (!failed && !amap_init(&all, 64))
        failed = 1;
    for (int th = 0; th < nt && !failed; th++)
        for (uint64_t i = 0; i < maps[th].cap && !failed; i++)
            if (maps[th].len[i] &&
                !amap_add(&all, maps[th].key[i], maps[th].len[i], maps[th].cnt[i]))
                failed = 1;
    for (int th = 0; th < nt; th++)
        amap_free(&maps[th]);
    free(maps);
    scenmc_cib_attractor *at = NULL;
    if (!failed) {
        at = malloc((all.n ? all.n : 1) * sizeof *at);
        if (!at)
            failed = 1;
    }
    if (failed) {
        if (all.key || all.len || all.cnt)
            amap_free(&all);
        free(at);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory");
    }
    uint64_t k = 0;
    for (uint64_t i = 0; i < all.cap; i++)
        if (all.len[i]) {
            at[k].index = all.key[i];
            at[k].cycle_length = all.len[i];
            at[k].basin = all.cnt[i];
            k++;
        }
    amap_free(&all);
    out->exact = 0;
    out->n_starts = o->starts;
    out->max_transient = max_mu;
    finish_attractors(out, at, k);
    return SCENMC_OK;
}

scenmc_status scenmc_cib_basins(const scenmc_model *m, const scenmc_cib_basin_options *o,
                                scenmc_cib_basin_result *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    double t0 = scenmc_now();
    space sp;
    scenmc_status st = space_init(&sp, m, o->use_cross, err);
    if (st != SCENMC_OK)
        return st;
    out->uses_cross = sp.uses_cross;
    st = o->starts ? basins_random(&sp, o, out, err) : basins_exact(&sp, o, out, err);
    space_free(&sp);
    out->seconds = scenmc_now() - t0;
    return st;
}
