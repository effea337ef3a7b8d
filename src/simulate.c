/* The Monte Carlo engine: continuous-time heat-bath dynamics (spec section 3),
 * simulated exactly by drawing each year's revision count from Poisson(Lambda).
 *
 * Trajectory k uses only the random stream (seed, k), and every tally is an
 * integer count, so a run's result is a pure function of (model, params,
 * trajectory range): threads and chunk sizes only decide who adds what. */
#include "scenmc/sweep.h"
#include "kernel.h"
#include "rng.h"
#include "util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Per-thread integer tallies, one contiguous block (no sharing, no false sharing). */
typedef struct tally {
    uint64_t *block;
    uint64_t *sv; /* [Y][S][V] variant by scenario, or [Y][S][V][S_final] when joint */
    uint64_t *tr; /* [Y-1][S][S] scenario transitions */
    uint64_t *ew; /* [Y][V][S_final] */
    uint64_t *kb; /* [Y][bins] total consistency */
    uint64_t *li; /* [Y][S] lock-in year by final scenario */
    uint64_t *fs; /* [n_states] final states (full mode) */
    size_t n;
    /* Top mode (more than SCENMC_FULL_STATE_LIMIT states): final state -> count. */
    uint64_t *map_key;   /* state index + 1; 0 marks an empty slot */
    uint64_t *map_count;
    size_t map_cap, map_n;
    int map_overflow;
} tally;

/* Distinct final states a run may count in top mode; beyond it the table is
 * dropped (a criterion on the union, so it does not depend on threads). */
#define TOP_MAP_MAX ((size_t)1 << 21)

static size_t map_slot(const uint64_t *key, size_t cap, uint64_t k)
{
    size_t i = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
    while (key[i] && key[i] != k)
        i = (i + 1) & (cap - 1);
    return i;
}

/* Adds c to state x's count; returns 0 when the map would grow past TOP_MAP_MAX. */
static int map_add(tally *t, uint64_t x, uint64_t c)
{
    if (t->map_overflow)
        return 0;
    uint64_t k = x + 1;
    if (2 * (t->map_n + 1) > t->map_cap) {
        size_t cap = t->map_cap ? 2 * t->map_cap : 1024;
        if (cap > 2 * TOP_MAP_MAX) {
            t->map_overflow = 1;
            return 0;
        }
        uint64_t *nk = calloc(cap, sizeof(uint64_t)), *nc = calloc(cap, sizeof(uint64_t));
        if (!nk || !nc) {
            free(nk);
            free(nc);
            t->map_overflow = 1;
            return 0;
        }
        for (size_t i = 0; i < t->map_cap; i++)
            if (t->map_key[i]) {
                size_t j = map_slot(nk, cap, t->map_key[i]);
                nk[j] = t->map_key[i];
                nc[j] = t->map_count[i];
            }
        free(t->map_key);
        free(t->map_count);
        t->map_key = nk;
        t->map_count = nc;
        t->map_cap = cap;
    }
    size_t i = map_slot(t->map_key, t->map_cap, k);
    if (!t->map_key[i]) {
        t->map_key[i] = k;
        t->map_n++;
    }
    t->map_count[i] += c;
    return 1;
}

/* Per-thread scratch for one trajectory. */
typedef struct worker {
    int *s;          /* [D] current state */
    double *F;       /* [V] field: h + sum_j W[s_j][.] */
    double *G;       /* [V] consistency field: sum_j C[s_j][.] */
    double *w;       /* [max variants] heat-bath weights */
    uint8_t *hist;   /* [Y][D] state at each year */
    int *scen;       /* [Y] scenario at each year */
} worker;

/* When small enough, variant x scenario and early warning are tallied as one
 * joint table [Y][S][V][S_final] (half the increments) and split at the end. */
static int joint_tally(const scenmc_results *r)
{
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)r->model->n_variants;
    return Y * S * S * V <= 65536;
}

static size_t tally_size(const scenmc_results *r, size_t parts[6])
{
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)r->model->n_variants;
    int joint = joint_tally(r);
    parts[0] = Y * S * V * (joint ? S : 1);
    parts[1] = (Y - 1) * S * S;
    parts[2] = joint ? 0 : Y * V * S;
    parts[3] = Y * (size_t)r->n_bins;
    parts[4] = Y * S;
    parts[5] = r->full_states ? (size_t)r->n_states : 0;
    size_t n = 0;
    for (int i = 0; i < 6; i++)
        n += (parts[i] + 7) & ~(size_t)7; /* keep each part on its own cache line */
    return n;
}

static int tally_alloc(tally *t, const scenmc_results *r)
{
    size_t parts[6];
    t->n = tally_size(r, parts);
    t->block = calloc(t->n, sizeof(uint64_t));
    if (!t->block)
        return 0;
    uint64_t **ptr[6] = {&t->sv, &t->tr, &t->ew, &t->kb, &t->li, &t->fs};
    size_t at = 0;
    for (int i = 0; i < 6; i++) {
        *ptr[i] = t->block + at;
        at += (parts[i] + 7) & ~(size_t)7;
    }
    return 1;
}

static void worker_alloc(worker *w, const scenmc_kernel *k)
{
    int maxv = 1;
    for (int d = 0; d < k->D; d++)
        maxv = k->n_var[d] > maxv ? k->n_var[d] : maxv;
    w->s = scenmc_xcalloc((size_t)k->D, sizeof(int));
    w->F = scenmc_xcalloc((size_t)k->V, sizeof(double));
    w->G = scenmc_xcalloc((size_t)k->V, sizeof(double));
    w->w = scenmc_xcalloc((size_t)maxv, sizeof(double));
    w->hist = scenmc_xcalloc((size_t)k->Y * (size_t)k->D, 1);
    w->scen = scenmc_xcalloc((size_t)k->Y, sizeof(int));
}

static void worker_free(worker *w)
{
    free(w->s);
    free(w->F);
    free(w->G);
    free(w->w);
    free(w->hist);
    free(w->scen);
}

/* The year's revision count by inversion of the Poisson CDF (guide table),
 * from one 32-bit word: the CDF is resolved to 2^-32. */
static inline int poisson_draw(const scenmc_kernel *k, scenmc_rng *rng)
{
    double u = scenmc_rng_uniform32(rng);
    int j = k->pois_guide[(int)(u * k->n_pois)];
    while (k->pois_cdf[j] < u)
        j++;
    return j;
}

/* Which descriptor a revision hits, and a uniform for its new variant, from
 * one 32-bit word: the descriptor from the high part of u*D (or of the
 * cumulative rates), the variant from what is left of the word. */
static inline int pick_descriptor(const scenmc_kernel *k, uint32_t u, double *uv)
{
    if (k->equal_rates) {
        uint64_t m = (uint64_t)u * (uint64_t)k->D;
        *uv = ((double)(uint32_t)m + 0.5) * (1.0 / 4294967296.0);
        return (int)(m >> 32);
    }
    double x = ((double)u + 0.5) * (1.0 / 4294967296.0);
    int lo = 0, hi = k->D - 1; /* first i with desc_cum[i] > x */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (k->desc_cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    double below = lo ? k->desc_cum[lo - 1] : 0;
    double f = (x - below) / k->desc_prob[lo];
    *uv = f < 1 ? f : 0.9999999999999999;
    return lo;
}

static inline int consistency_bin(const scenmc_kernel *k, double K)
{
    int b = (int)floor((K - k->bin_lo) / k->bin_width + 0.5);
    return b < 0 ? 0 : (b >= k->n_bins ? k->n_bins - 1 : b);
}

/* Total consistency of the start state from its field: each pair counted twice. */
static inline double start_consistency(const scenmc_kernel *k, const worker *w)
{
    double K = 0;
    for (int d = 0; d < k->D; d++)
        K += w->G[k->offset[d] + w->s[d]];
    return 0.5 * K;
}

/* The fields of the start state: E = exp(F) (ratio form) or F itself, and G,
 * one precomputed row per group of descriptors. */
static inline void init_fields(const scenmc_kernel *k, worker *w)
{
    const int V = k->V;
    double *restrict F = w->F, *restrict G = w->G;
    memcpy(F, k->use_ratio ? k->expH : k->h, sizeof(double) * (size_t)V);
    memset(G, 0, sizeof(double) * (size_t)V);
    for (int g = 0; g < k->n_groups; g++) {
        size_t c = 0;
        for (int d = k->group_first[g]; d < k->group_first[g + 1]; d++)
            c = c * (size_t)k->n_var[d] + (size_t)w->s[d];
        size_t row = (k->group_row[g] + c) * (size_t)V;
        const double *restrict Frow = k->group_F + row, *restrict Grow = k->group_G + row;
        if (k->use_ratio)
            for (int v = 0; v < V; v++)
                F[v] *= Frow[v];
        else
            for (int v = 0; v < V; v++)
                F[v] += Frow[v];
        for (int v = 0; v < V; v++)
            G[v] += Grow[v];
    }
}

/* One revision of descriptor i: draw its new variant from the heat bath and
 * update the fields and the total consistency *K (G[o_i+b] is the sum of
 * C[s_j][o_i+b] over the other descriptors, as C is zero within one).
 * Returns the new variant. */
static inline int revise(const scenmc_kernel *k, worker *w, int i, double uv, double *K)
{
    const int V = k->V, off = k->offset[i], nv = k->n_var[i], a = w->s[i];
    const double *wt;
    if (k->use_ratio) {
        wt = w->F + off; /* already exp(F) */
    } else {
        const double *f = w->F + off;
        double mx = f[0];
        for (int b = 1; b < nv; b++)
            mx = f[b] > mx ? f[b] : mx;
        for (int b = 0; b < nv; b++)
            w->w[b] = exp(f[b] - mx);
        wt = w->w;
    }
    double total = 0;
    for (int b = 0; b < nv; b++)
        total += wt[b];
    /* b = the first variant whose cumulative weight exceeds the target, counted
     * without data-dependent branches (the outcome is random, so a branch on it
     * would be mispredicted half the time). */
    double target = uv * total, acc = 0;
    int b = 0;
    for (int j = 0; j < nv - 1; j++) {
        acc += wt[j];
        b += acc <= target;
    }
    if (b == a)
        return b;
    *K += w->G[off + b] - w->G[off + a];
    size_t row = (size_t)(k->pair_base[i] + a * nv + b) * (size_t)V;
    double *restrict F = w->F, *restrict G = w->G;
    const double *restrict dC = k->dC ? k->dC + row : NULL;
    if (k->use_ratio) {
        const double *restrict R = k->ratio + row;
        for (int v = 0; v < V; v++) {
            F[v] *= R[v];
            G[v] += dC[v];
        }
    } else {
        const double *Wn = k->W + (size_t)(off + b) * V, *Wo = k->W + (size_t)(off + a) * V;
        const double *Cn = k->C + (size_t)(off + b) * V, *Co = k->C + (size_t)(off + a) * V;
        for (int v = 0; v < V; v++) {
            F[v] += Wn[v] - Wo[v];
            G[v] += Cn[v] - Co[v];
        }
    }
    w->s[i] = b;
    return b;
}

/* Compiled twice, for AVX2 and for the baseline, and chosen at load time:
 * the field updates are short vector loops over the variants. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
static int simulate_one(const scenmc_kernel *k, uint64_t seed, uint64_t traj, worker *w, tally *t)
{
    const int D = k->D, V = k->V, Y = k->Y, S = k->S;
    scenmc_rng rng;
    scenmc_rng_init(&rng, seed, traj);

    /* Initial state. */
    for (int d = 0; d < D; d++) {
        if (k->start) {
            w->s[d] = k->start[d];
            continue;
        }
        double u = scenmc_rng_uniform32(&rng);
        const double *cum = k->init_cum + k->offset[d];
        int b = 0;
        while (cum[b] < u)
            b++;
        w->s[d] = b;
    }
    init_fields(k, w);
    double K = start_consistency(k, w);
    long scen_idx = 0;
    uint64_t state_idx = 0;
    for (int d = 0; d < D; d++) {
        scen_idx += (long)k->scen_stride[d] * w->s[d];
        state_idx += k->state_stride[d] * (uint64_t)w->s[d];
    }

    for (int y = 0; y < Y; y++) {
        if (y > 0) {
            int n_rev = poisson_draw(k, &rng);
            for (int r = 0; r < n_rev; r++) {
                double uv;
                int i = pick_descriptor(k, scenmc_rng_u32(&rng), &uv);
                int a = w->s[i], b = revise(k, w, i, uv, &K);
                if (b != a) {
                    scen_idx += (long)k->scen_stride[i] * (b - a);
                    state_idx += k->state_stride[i] * (uint64_t)b - k->state_stride[i] * (uint64_t)a;
                }
            }
        }
        int sc = k->scen_table[scen_idx];
        w->scen[y] = sc;
        uint8_t *h = w->hist + (size_t)y * D;
        for (int d = 0; d < D; d++)
            h[d] = (uint8_t)w->s[d];
        t->kb[(size_t)y * k->n_bins + consistency_bin(k, K)]++;
        if (y > 0)
            t->tr[((size_t)(y - 1) * S + w->scen[y - 1]) * S + sc]++;
    }

    int fin = w->scen[Y - 1];
    int lock = Y - 1;
    while (lock > 0 && w->scen[lock - 1] == fin)
        lock--;
    t->li[(size_t)lock * S + fin]++;
    for (int y = 0; y < Y; y++) {
        const uint8_t *h = w->hist + (size_t)y * D;
        if (k->joint_tally) {
            uint64_t *j = t->sv + ((size_t)y * S + w->scen[y]) * V * S + fin;
            for (int d = 0; d < D; d++)
                j[(size_t)(k->offset[d] + h[d]) * S]++;
        } else {
            uint64_t *sv = t->sv + ((size_t)y * S + w->scen[y]) * V;
            uint64_t *ew = t->ew + (size_t)y * V * S + fin;
            for (int d = 0; d < D; d++) {
                int u = k->offset[d] + h[d];
                sv[u]++;
                ew[(size_t)u * S]++;
            }
        }
    }
    if (k->full_states)
        t->fs[state_idx]++;
    else if (k->top_states)
        map_add(t, state_idx, 1);
    return fin;
}

typedef struct {
    uint64_t state, count;
} state_count;

static int by_count(const void *a, const void *b)
{
    const state_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x->state < y->state ? -1 : (x->state > y->state);
}

/* Top mode: the threads' maps merged exactly, and the SCENMC_TOP_STATES most
 * frequent final states (ties by index) kept as the final-state table. When
 * more than TOP_MAP_MAX distinct states occurred, the table is left empty. */
static scenmc_status keep_top_states(scenmc_results *r, tally *tallies, int threads)
{
    tally all = {0};
    int overflow = 0;
    for (int i = 0; i < threads && !overflow; i++) {
        overflow |= tallies[i].map_overflow;
        for (size_t j = 0; j < tallies[i].map_cap && !overflow; j++)
            if (tallies[i].map_key[j] && !map_add(&all, tallies[i].map_key[j] - 1, tallies[i].map_count[j]))
                overflow = 1;
    }
    scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    r->n_top_distinct = overflow ? 0 : all.map_n;
    size_t n = 0;
    state_count *sc = NULL;
    if (!overflow && all.map_n) {
        sc = malloc(all.map_n * sizeof *sc);
        if (!sc) {
            free(all.map_key);
            free(all.map_count);
            return SCENMC_E_NOMEM;
        }
        for (size_t j = 0; j < all.map_cap; j++)
            if (all.map_key[j])
                sc[n++] = (state_count){all.map_key[j] - 1, all.map_count[j]};
        qsort(sc, n, sizeof *sc, by_count);
        if (n > SCENMC_TOP_STATES)
            n = SCENMC_TOP_STATES;
    }
    free(all.map_key);
    free(all.map_count);
    free(t->counts);
    free(t->prob);
    free(t->stderr_);
    free(r->top_state);
    t->counts = calloc(n ? n : 1, sizeof(uint64_t));
    t->prob = calloc(n ? n : 1, sizeof(double));
    t->stderr_ = calloc(n ? n : 1, sizeof(double));
    r->top_state = calloc(n ? n : 1, sizeof(uint64_t));
    if (!t->counts || !t->prob || !t->stderr_ || !r->top_state) {
        free(sc);
        return SCENMC_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        t->counts[i] = sc[i].count;
        r->top_state[i] = sc[i].state;
    }
    t->dims[0] = t->size = n;
    free(sc);
    return SCENMC_OK;
}

scenmc_status scenmc_run(const scenmc_model *m, const scenmc_params *p,
                         const scenmc_run_options *opt, scenmc_results *r, scenmc_error *err)
{
    scenmc_status st = scenmc_params_check(p, err);
    if (st != SCENMC_OK)
        return st;
    for (int d = 0; d < m->n_descriptors; d++)
        if (m->descriptors[d].n_variants > 255)
            return scenmc_error_add(err, SCENMC_E_LIMIT, "descriptor %s has more than 255 variants",
                                    m->descriptors[d].id);
    st = scenmc_results_init(r, m, p, SCENMC_MONTE_CARLO, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_kernel k;
    st = scenmc_kernel_init(&k, m, p, r, err);
    if (st != SCENMC_OK) {
        scenmc_results_free(r);
        return st;
    }
    k.joint_tally = joint_tally(r);
    k.top_states = !r->full_states && r->n_states > 0;
    uint64_t first = opt ? opt->first : 0;
    uint64_t last = (opt && opt->last) ? opt->last : p->n_trajectories;
    if (first > last || last > p->n_trajectories) {
        scenmc_kernel_free(&k);
        scenmc_results_free(r);
        return scenmc_error_add(err, SCENMC_E_INPUT, "trajectory range [%llu, %llu) is not within "
                                "[0, %llu)", (unsigned long long)first, (unsigned long long)last,
                                (unsigned long long)p->n_trajectories);
    }
    int threads = (opt && opt->threads > 0) ? opt->threads : omp_get_max_threads();
    uint64_t chunk = (opt && opt->chunk) ? opt->chunk : (uint64_t)65536 * (uint64_t)threads;

    tally *tallies = scenmc_xcalloc((size_t)threads, sizeof(tally));
    int ok = 1;
    for (int i = 0; i < threads; i++)
        ok = ok && tally_alloc(&tallies[i], r);
    if (!ok) {
        for (int i = 0; i < threads; i++)
            free(tallies[i].block);
        free(tallies);
        scenmc_kernel_free(&k);
        scenmc_results_free(r);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for %d per-thread tallies", threads);
    }

    double t0 = scenmc_now();
    volatile int stop = 0;
    uint64_t done_to = first;
#pragma omp parallel num_threads(threads)
    {
        worker w;
        worker_alloc(&w, &k);
        tally *t = &tallies[omp_get_thread_num()];
        for (uint64_t c = first; c < last; c += chunk) {
            uint64_t c_end = last - c > chunk ? c + chunk : last;
#pragma omp for schedule(dynamic, 256)
            for (uint64_t j = c; j < c_end; j++)
                simulate_one(&k, p->seed, j, &w, t);
#pragma omp single
            {
                done_to = c_end;
                if (opt && opt->progress &&
                    opt->progress(opt->progress_ctx, c_end - first, last - first, scenmc_now() - t0))
                    stop = 1;
            }
            if (stop)
                break;
        }
        worker_free(&w);
    }

    /* Exact merge: integer addition, in any order. */
    size_t parts[6];
    tally_size(r, parts);
    uint64_t *dst[6] = {r->t[SCENMC_T_SCENARIO_VARIANT].counts, r->t[SCENMC_T_TRANSITION].counts,
                        r->t[SCENMC_T_EARLY_WARNING].counts, r->t[SCENMC_T_CONSISTENCY].counts,
                        r->t[SCENMC_T_LOCK_IN].counts, r->t[SCENMC_T_FINAL_STATE].counts};
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)m->n_variants;
    for (int i = 0; i < threads; i++) {
        const uint64_t *src[6] = {tallies[i].sv, tallies[i].tr, tallies[i].ew,
                                  tallies[i].kb, tallies[i].li, tallies[i].fs};
        for (int q = 0; q < 6; q++) {
            if (q == 0 && k.joint_tally) { /* split [Y][S][V][S_final] */
                for (size_t y = 0; y < Y; y++)
                    for (size_t s = 0; s < S; s++)
                        for (size_t v = 0; v < V; v++)
                            for (size_t f = 0; f < S; f++) {
                                uint64_t c = src[0][((y * S + s) * V + v) * S + f];
                                dst[0][(y * S + s) * V + v] += c;
                                dst[2][(y * V + v) * S + f] += c;
                            }
                continue;
            }
            for (size_t j = 0; j < parts[q]; j++)
                dst[q][j] += src[q][j];
        }
        free(tallies[i].block);
    }
    if (k.top_states && keep_top_states(r, tallies, threads) != SCENMC_OK) {
        for (int i = 0; i < threads; i++) {
            free(tallies[i].map_key);
            free(tallies[i].map_count);
        }
        free(tallies);
        scenmc_kernel_free(&k);
        scenmc_results_free(r);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the final-state table");
    }
    for (int i = 0; i < threads; i++) {
        free(tallies[i].map_key);
        free(tallies[i].map_count);
    }
    free(tallies);
    scenmc_kernel_free(&k);

    r->first = first;
    r->last = done_to;
    r->n_trajectories = done_to - first;
    r->threads = threads;
    r->wall_seconds = scenmc_now() - t0;
    scenmc_results_finalize(r);
    if (stop && done_to < last)
        return scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %llu of %llu trajectories",
                                (unsigned long long)(done_to - first),
                                (unsigned long long)(last - first));
    return SCENMC_OK;
}

scenmc_status scenmc_run_paired_final(const scenmc_model *m, const scenmc_params *a,
                                      const scenmc_params *b, int threads, uint64_t *joint,
                                      scenmc_error *err)
{
    scenmc_status st = scenmc_params_check(a, err);
    if (st == SCENMC_OK)
        st = scenmc_params_check(b, err);
    if (st != SCENMC_OK)
        return st;
    if (a->seed != b->seed || a->n_trajectories != b->n_trajectories)
        return scenmc_error_add(err, SCENMC_E_INPUT, "paired runs need the same seed and trajectory count");
    scenmc_results ra, rb;
    if ((st = scenmc_results_init(&ra, m, a, SCENMC_MONTE_CARLO, err)) != SCENMC_OK)
        return st;
    if ((st = scenmc_results_init(&rb, m, b, SCENMC_MONTE_CARLO, err)) != SCENMC_OK) {
        scenmc_results_free(&ra);
        return st;
    }
    scenmc_kernel ka, kb;
    if ((st = scenmc_kernel_init(&ka, m, a, &ra, err)) != SCENMC_OK) {
        scenmc_results_free(&ra);
        scenmc_results_free(&rb);
        return st;
    }
    if ((st = scenmc_kernel_init(&kb, m, b, &rb, err)) != SCENMC_OK) {
        scenmc_kernel_free(&ka);
        scenmc_results_free(&ra);
        scenmc_results_free(&rb);
        return st;
    }
    ka.joint_tally = joint_tally(&ra);
    kb.joint_tally = joint_tally(&rb);
    int S = ra.n_scenarios;
    if (threads <= 0)
        threads = omp_get_max_threads();
    int ok = 1;
#pragma omp parallel num_threads(threads)
    {
        worker wa, wb;
        worker_alloc(&wa, &ka);
        worker_alloc(&wb, &kb);
        tally ta, tb; /* tallied but not used: only the final scenarios are */
        int mine = tally_alloc(&ta, &ra) & tally_alloc(&tb, &rb);
        uint64_t *local = scenmc_xcalloc((size_t)S * (size_t)S, sizeof(uint64_t));
        if (!mine) {
#pragma omp atomic write
            ok = 0;
        }
#pragma omp for schedule(dynamic, 256)
        for (uint64_t j = 0; j < a->n_trajectories; j++) {
            if (!mine)
                continue;
            int fa = simulate_one(&ka, a->seed, j, &wa, &ta);
            int fb = simulate_one(&kb, b->seed, j, &wb, &tb);
            local[(size_t)fa * (size_t)S + (size_t)fb]++;
        }
#pragma omp critical
        for (size_t i = 0; i < (size_t)S * (size_t)S; i++)
            joint[i] += local[i];
        free(local);
        free(ta.block);
        free(tb.block);
        worker_free(&wa);
        worker_free(&wb);
    }
    scenmc_kernel_free(&ka);
    scenmc_kernel_free(&kb);
    scenmc_results_free(&ra);
    scenmc_results_free(&rb);
    if (!ok)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the per-thread tallies");
    return SCENMC_OK;
}
