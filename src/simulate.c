/* The Monte Carlo engine: continuous-time heat-bath dynamics (spec section 3),
 * simulated exactly by drawing each year's revision count from Poisson(Lambda).
 *
 * Trajectory k uses only the random stream (seed, k), and every tally is an
 * integer count, so a run's result is a pure function of (model, params,
 * trajectory range): threads and chunk sizes only decide who adds what. */
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
    uint64_t *sv; /* [Y][S][V] variant by scenario */
    uint64_t *tr; /* [Y-1][S][S] scenario transitions */
    uint64_t *ew; /* [Y][V][S_final] */
    uint64_t *kb; /* [Y][bins] total consistency */
    uint64_t *li; /* [Y][S] lock-in year by final scenario */
    uint64_t *fs; /* [n_states] final states (full mode) */
    size_t n;
} tally;

/* Per-thread scratch for one trajectory. */
typedef struct worker {
    int *s;          /* [D] current state */
    double *F;       /* [V] field: h + sum_j W[s_j][.] */
    double *G;       /* [V] consistency field: sum_j C[s_j][.] */
    double *w;       /* [max variants] heat-bath weights */
    uint8_t *hist;   /* [Y][D] state at each year */
    int *scen;       /* [Y] scenario at each year */
} worker;

static size_t tally_size(const scenmc_results *r, size_t parts[6])
{
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)r->model->n_variants;
    parts[0] = Y * S * V;
    parts[1] = (Y - 1) * S * S;
    parts[2] = Y * V * S;
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

static inline int poisson_draw(const scenmc_kernel *k, scenmc_rng *rng)
{
    double u = scenmc_rng_uniform53(rng);
    int j = k->pois_guide[(int)(u * k->n_pois)];
    while (k->pois_cdf[j] < u)
        j++;
    return j;
}

static inline int pick_descriptor(const scenmc_kernel *k, scenmc_rng *rng)
{
    uint32_t u = scenmc_rng_u32(rng);
    if (k->equal_rates)
        return (int)(((uint64_t)u * (uint64_t)k->D) >> 32);
    double x = ((double)u + 0.5) * (1.0 / 4294967296.0);
    int lo = 0, hi = k->D - 1; /* first i with desc_cum[i] > x */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (k->desc_cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static inline int consistency_bin(const scenmc_kernel *k, const worker *w)
{
    double K = 0;
    for (int d = 0; d < k->D; d++)
        K += w->G[k->offset[d] + w->s[d]];
    K *= 0.5; /* each pair was counted from both ends */
    int b = (int)floor((K - k->bin_lo) / k->bin_width + 0.5);
    return b < 0 ? 0 : (b >= k->n_bins ? k->n_bins - 1 : b);
}

static void simulate_one(const scenmc_kernel *k, uint64_t seed, uint64_t traj, worker *w, tally *t)
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
    memcpy(w->F, k->h, sizeof(double) * (size_t)V);
    memset(w->G, 0, sizeof(double) * (size_t)V);
    long scen_idx = 0;
    uint64_t state_idx = 0;
    for (int d = 0; d < D; d++) {
        int u = k->offset[d] + w->s[d];
        const double *Wrow = k->W + (size_t)u * V, *Crow = k->C + (size_t)u * V;
        for (int v = 0; v < V; v++) {
            w->F[v] += Wrow[v];
            w->G[v] += Crow[v];
        }
        scen_idx += (long)k->scen_stride[d] * w->s[d];
        state_idx += k->state_stride[d] * (uint64_t)w->s[d];
    }

    for (int y = 0; y < Y; y++) {
        if (y > 0) {
            int n_rev = poisson_draw(k, &rng);
            for (int r = 0; r < n_rev; r++) {
                int i = pick_descriptor(k, &rng);
                int off = k->offset[i], nv = k->n_var[i], a = w->s[i];
                const double *f = w->F + off;
                double mx = f[0];
                for (int b = 1; b < nv; b++)
                    mx = f[b] > mx ? f[b] : mx;
                double total = 0;
                for (int b = 0; b < nv; b++) {
                    w->w[b] = exp(f[b] - mx);
                    total += w->w[b];
                }
                double target = scenmc_rng_uniform32(&rng) * total;
                int b = 0;
                double acc = w->w[0];
                while (b < nv - 1 && acc < target)
                    acc += w->w[++b];
                if (b != a) {
                    const double *Wn = k->W + (size_t)(off + b) * V, *Wo = k->W + (size_t)(off + a) * V;
                    const double *Cn = k->C + (size_t)(off + b) * V, *Co = k->C + (size_t)(off + a) * V;
                    for (int v = 0; v < V; v++) {
                        w->F[v] += Wn[v] - Wo[v];
                        w->G[v] += Cn[v] - Co[v];
                    }
                    w->s[i] = b;
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
        t->kb[(size_t)y * k->n_bins + consistency_bin(k, w)]++;
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
        uint64_t *sv = t->sv + ((size_t)y * S + w->scen[y]) * V;
        uint64_t *ew = t->ew + (size_t)y * V * S + fin;
        for (int d = 0; d < D; d++) {
            int u = k->offset[d] + h[d];
            sv[u]++;
            ew[(size_t)u * S]++;
        }
    }
    if (k->full_states)
        t->fs[state_idx]++;
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
    for (int i = 0; i < threads; i++) {
        const uint64_t *src[6] = {tallies[i].sv, tallies[i].tr, tallies[i].ew,
                                  tallies[i].kb, tallies[i].li, tallies[i].fs};
        for (int q = 0; q < 6; q++)
            for (size_t j = 0; j < parts[q]; j++)
                dst[q][j] += src[q][j];
        free(tallies[i].block);
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
