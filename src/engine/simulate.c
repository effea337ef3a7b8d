/* The Monte Carlo engine: continuous-time heat-bath dynamics (docs/model.md, section 5),
 * simulated exactly by drawing each year's revision count from Poisson(Lambda).
 *
 * Trajectory k uses only the random stream (seed, k), and every tally is an
 * integer count, so a run's result is a pure function of (model, params,
 * trajectory range): threads and chunk sizes only decide who adds what.
 *
 * The plain reference engine (reference.c) states the same computation for
 * one trajectory at a time; read it first. Every specialised engine here
 * gives its counts (tests/test_simulate.c). */
#include "engine/simulate.h"
#include "engine/kernel.h"
#include "engine/reference.h"
#include "engine/rng.h"
#include "model/params.h"
#include "model/results.h"
#include "base/util.h"

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
    uint64_t wsum, wsq[2]; /* conditioned runs: the weights' sum and their squares' (128 bits) */
} tally;

/* Distinct final states a run may count in top mode; beyond it the table is
 * dropped (a criterion on the union, so it does not depend on threads). */
#define TOP_MAP_MAX SCENMC__TOP_LIST_MAX

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

/* The engine runs LANES trajectories side by side. Within one trajectory the
 * revisions form a chain (each draw depends on the state the previous one
 * left), so one trajectory at a time leaves the processor waiting on
 * latencies; interleaving independent trajectories fills those waits.
 *
 * Trajectory k reads its own stream (seed, k) in this order: one 32-bit word
 * per start block (its joint start variant; none with a fixed start), one per
 * year 1..Y-1 (the year's Poisson revision count), then one per revision (the
 * descriptor from the high part of word * D, the uniform for the variant from
 * the low part). Each lane queues up to ROUND revisions (descriptor, uniform,
 * year); the lanes then run their queues in lockstep, a lane that has run out
 * doing phantom revisions that change nothing. The state after each revision
 * is recorded for its year, so the last one in a year is the state at the
 * year's end; years without revisions take the previous year's. (The packed
 * engine records the state after every revision instead and reads the year
 * ends from the records.) Eight lanes: four measured 0.85x, twelve 0.96x. */
#define LANES 8
#define ROUND 256

typedef struct lane {
    scenmc__rng rng;
    long total;      /* revisions in the whole trajectory */
    long queued;     /* revisions queued so far */
    int next_year;   /* first year whose end is not yet queued */
    int n;           /* revisions queued in this round */
    int rev_d[ROUND];       /* descriptor (D: the phantom) */
    int rev_slot[ROUND];    /* year the state after it is recorded for (Y: none) */
    double rev_u[ROUND];    /* uniform for the new variant */
    int rev_f[ROUND];       /* schedules: the variant a hold's start or a shock sets, else -1 */
    /* Schedules, packed engine: rev_d holds an event's code (lane_sched),
     * made in lane_queue_sched from the descriptor (or the code relative to
     * its year's), the round's first year and the marks up to the event. */
    int mark[ROUND];        /* D + 1 for each year that ends just before the event; zero between rounds */
    int s[SCENMC_MAX_DESCRIPTORS + 1]; /* state (the phantom's variant last) */
    int row[SCENMC_MAX_DESCRIPTORS];   /* table row of each group's joint variant */
    /* Packed engine (k->packed): the rows of the groups in one word, as byte
     * offsets into the weight table (see kernel.h), the word after each
     * revision of the round, and the first year whose end state is not yet
     * taken from those records. */
    uint64_t pk;
    uint64_t rec[ROUND];
    int snapped;
    uint64_t *snap_pk; /* [Y] the word at the end of each year */
    double K;        /* total consistency */
    int *nrev;       /* [Y] events in each year (revisions; under a schedule also shocks, hold starts) */
    long *year_end;  /* [Y] revisions up to the end of each year */
    int *snap_row;   /* [(Y + 1) * G] row of each group at the end of each year
                      * (-1: no revision of the group that year); year Y: discarded */
    double *snap_K;  /* [Y + 1] */
    int *scen;       /* [Y] scenario at each year */
    double *F, *Gf;  /* [V] field mode: weights (log domain: field) and consistency field */
} lane;

typedef struct worker {
    lane lane[LANES];
} worker;

/* A schedule (docs/model.md 11.7) as the lanes read it. A year's events are
 * its revisions and shocks (one word each, as scenmc__reference_run_sched
 * reads them), then the hold starts that set a descriptor before the year's
 * record: those take no word and are queued as revisions with a set variant
 * (rev_f), so the engines record them like any revision. A held
 * descriptor's revision, and a shock on it, are phantoms that still record
 * the year. A year's extra bias is a factor on the heat-bath weights (log
 * domain: a term), laid out like the table's entries: descriptor i's
 * variants at fac[y] + foff[i]. */
typedef struct lane_sched {
    const scenmc__sched *sc;
    const double **fac;  /* [Y + 1]: year y's factors; `ones` when the year has no bias (Y: the padding's) */
    double *ones;        /* [n_fac] ones (log domain: zeros) */
    double **own;        /* [Y] the tables built (NULL where shared) */
    int *foff;           /* [D + 1] first entry of each descriptor (padded widths) */
    int *n_set;          /* [Y] hold starts at the end of year y */
    int *set_d, *set_v;  /* [Y * D] their descriptors and variants, in descriptor order */
    int *hold_map;       /* [Y * D] what a revision of d in year y does: d, or D when d is held */
    int shocks;          /* some year has shocks (its own Poisson table) */
    int *next_stop;      /* [Y] the first year from y on with hold starts or whose next year has shocks (Y-1 at most) */
    /* The packed engine reads an event as one code t (D + 1) + d: factor
     * table t, descriptor d. Tables 1 .. Y-1 are the years' (a held
     * descriptor's code revises the phantom), Y the padding's (ones), and
     * Y + 1 + v sets variant v (one-hot factors: only v has weight, so the
     * heat bath draws v and no event needs a branch on rev_f). */
    double *pfac;        /* [(Y + 1 + W) (D + 1) W] the factor rows by code */
    int *code_d;         /* [(Y + 1 + W) (D + 1)] the descriptor a code revises (D: none) */
    /* Years with shocks, packed engine: the event type of a word from a
     * guide table (the first type whose share ends above the word's bucket)
     * and a short search, then the code relative to the year's. */
    int *guide;          /* [Y * SCHED_GUIDE] */
    int *rel;            /* [Y * (D + V)] event type -> relative code */
} lane_sched;

#define SCHED_GUIDE_BITS 8
#define SCHED_GUIDE (1 << SCHED_GUIDE_BITS)

/* The packed engine's code for descriptor d in factor table t. */
#define SCHED_CODE(k, t, d) ((t) * ((k)->base.D + 1) + (d))

/* When small enough, variant x scenario and early warning are tallied as one
 * joint table [row][S_final][Y][S] over the group rows (a year costs one
 * increment per group, not per descriptor) and split at the end. */
static int joint_tally(const scenmc_results *r, int rows)
{
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios;
    return Y * S * S * (size_t)rows <= ((size_t)1 << 17);
}

static size_t tally_size(const scenmc_results *r, int rows, int joint, size_t parts[6])
{
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)r->model->n_variants;
    parts[0] = Y * S * (joint ? (size_t)rows * S : V);
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

static int tally_alloc(tally *t, const scenmc_results *r, int rows, int joint)
{
    size_t parts[6];
    t->n = tally_size(r, rows, joint, parts);
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

/* A thread's lanes, on the heap (about 140 KB: more than a small thread
 * stack should have to hold). */
static worker *worker_new(const scenmc__kernel *k)
{
    size_t G = (size_t)k->n_groups, Y = (size_t)k->base.Y;
    worker *w = scenmc__xcalloc(1, sizeof *w);
    for (int i = 0; i < LANES; i++) {
        lane *l = &w->lane[i];
        l->nrev = scenmc__xcalloc(Y, sizeof(int));
        l->year_end = scenmc__xcalloc(Y, sizeof(long));
        l->snap_row = scenmc__xcalloc((Y + 1) * G, sizeof(int));
        l->snap_K = scenmc__xcalloc(Y + 1, sizeof(double));
        l->scen = scenmc__xcalloc(Y, sizeof(int));
        l->snap_pk = scenmc__xcalloc(Y, sizeof(uint64_t));
        if (k->field_mode) {
            l->F = scenmc__xcalloc((size_t)k->base.V, sizeof(double));
            l->Gf = scenmc__xcalloc((size_t)k->base.V, sizeof(double));
        }
    }
    return w;
}

static void worker_free(worker *w)
{
    for (int i = 0; i < LANES; i++) {
        lane *l = &w->lane[i];
        free(l->nrev);
        free(l->year_end);
        free(l->snap_row);
        free(l->snap_K);
        free(l->scen);
        free(l->snap_pk);
        free(l->F);
        free(l->Gf);
    }
    free(w);
}

/* The year's revision count by inversion of the Poisson CDF (guide table),
 * from one 32-bit word: the CDF is resolved to 2^-32. */
static inline int poisson_draw(const scenmc__kernel *k, scenmc__rng *rng)
{
    return scenmc__guide_draw(k->pois_cdf, k->pois_guide, k->n_guide, scenmc__rng_uniform32(rng));
}

/* Which descriptor a revision hits, and a uniform for its new variant, from
 * one 32-bit word: the descriptor from the high part of u*D (or of the
 * cumulative rates), the variant from what is left of the word. */
static inline int pick_descriptor(const scenmc__kernel *k, uint32_t u, double *uv)
{
    if (k->equal_rates) {
        uint64_t m = (uint64_t)u * (uint64_t)k->base.D;
        *uv = ((double)(uint32_t)m + 0.5) * (1.0 / 4294967296.0);
        return (int)(m >> 32);
    }
    double x = ((double)u + 0.5) * (1.0 / 4294967296.0);
    int lo = 0, hi = k->base.D - 1; /* first i with desc_cum[i] > x */
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

/* Bias beyond which the ratio domain's weights could leave double range
 * (kernel.c, choose_domain, keeps the model's own fields below 300): such a
 * schedule runs on the per-trajectory engine. */
#define SCHED_BIAS_MAX 300

/* Year y's weight factors (ratio domain: exp of the bias; log domain: the
 * bias) in the padded layout; padding and the phantom: the identity. */
static double *sched_factors(const scenmc__kernel *k, const lane_sched *ls, const double *xb, size_t n_fac)
{
    double *f = aligned_alloc(64, (n_fac * sizeof(double) + 63) & ~(size_t)63);
    if (!f)
        return NULL;
    memcpy(f, ls->ones, n_fac * sizeof(double));
    for (int i = 0; i < k->base.D; i++)
        for (int b = 0; b < k->base.n_var[i]; b++) {
            const double x = xb[k->base.offset[i] + b];
            f[ls->foff[i] + b] = k->log_domain ? x : exp(x);
        }
    return f;
}

/* The hold starts of each year, in descriptor order (their order does not
 * matter: they set distinct descriptors). */
static void sched_sets(const scenmc__kernel *k, lane_sched *ls)
{
    const int Y = k->base.Y, D = k->base.D;
    ls->n_set = scenmc__xcalloc((size_t)Y, sizeof(int));
    ls->set_d = scenmc__xcalloc((size_t)Y * (size_t)D, sizeof(int));
    ls->set_v = scenmc__xcalloc((size_t)Y * (size_t)D, sizeof(int));
    ls->hold_map = scenmc__xcalloc((size_t)Y * (size_t)D, sizeof(int));
    for (int y = 0; y < Y; y++)
        for (int d = 0; d < D; d++) {
            const int *held = ls->sc->yr[y].held;
            ls->hold_map[(size_t)y * (size_t)D + (size_t)d] = held && held[d] >= 0 ? D : d;
        }
    for (int y = 1; y < Y; y++)
        for (int d = 0; d < D; d++) {
            const int v = ls->sc->set[(size_t)y * (size_t)D + (size_t)d];
            if (v >= 0) {
                ls->set_d[(size_t)y * (size_t)D + (size_t)ls->n_set[y]] = d;
                ls->set_v[(size_t)y * (size_t)D + (size_t)ls->n_set[y]++] = v;
            }
        }
}

/* The packed engine's factor rows and code map (lane_sched). */
static int sched_codes(const scenmc__kernel *k, lane_sched *ls)
{
    const int Y = k->base.Y, D = k->base.D, W = k->max_pw, T = Y + 1 + W;
    const size_t n = (size_t)T * (size_t)(D + 1);
    ls->pfac = aligned_alloc(64, (n * (size_t)W * sizeof(double) + 63) & ~(size_t)63);
    if (!ls->pfac)
        return 0;
    ls->code_d = scenmc__xcalloc(n, sizeof(int));
    for (int t = 0; t < T; t++)
        for (int d = 0; d <= D; d++) {
            double *f = ls->pfac + (size_t)SCHED_CODE(k, t, d) * (size_t)W;
            const int y = t < Y ? t : Y; /* table Y: ones */
            for (int j = 0; j < W; j++)
                f[j] = t <= Y ? (d < D && j < k->pw[d] ? ls->fac[y][ls->foff[d] + j] : 1) : j == t - Y - 1;
            ls->code_d[SCHED_CODE(k, t, d)] = t > 0 && t < Y && d < D ? ls->hold_map[(size_t)t * D + d] : d;
        }
    return 1;
}

/* The packed engine's guide tables and relative codes for the years with shocks. */
static void sched_shock_codes(const scenmc__kernel *k, lane_sched *ls)
{
    const int Y = k->base.Y, D = k->base.D, V = k->base.V;
    ls->guide = scenmc__xcalloc((size_t)Y * SCHED_GUIDE, sizeof(int));
    ls->rel = scenmc__xcalloc((size_t)Y * (size_t)(D + V), sizeof(int));
    for (int y = 1; y < Y; y++) {
        const scenmc__sched_year *e = &ls->sc->yr[y];
        if (!e->cum)
            continue;
        for (int b = 0, i = 0; b < SCHED_GUIDE; b++) { /* x of the bucket's smallest word, as sched_decode */
            const double x = ((double)((uint32_t)b << (32 - SCHED_GUIDE_BITS)) + 0.5) * (1.0 / 4294967296.0);
            while (e->cum[i] <= x)
                i++;
            ls->guide[(size_t)y * SCHED_GUIDE + (size_t)b] = i;
        }
        int *rel = ls->rel + (size_t)y * (size_t)(D + V);
        for (int i = 0; i < D; i++)
            rel[i] = i; /* a held descriptor's code revises the phantom */
        for (int q = 0; q < e->n_shocks; q++) { /* a shock: the hold wins */
            const int dd = e->shock_d[q];
            rel[D + q] = e->held[dd] >= 0 ? dd : SCHED_CODE(k, Y + 1 + e->shock_v[q], dd) - SCHED_CODE(k, y, 0);
        }
    }
}

static void lane_sched_free(lane_sched *ls)
{
    free(ls->guide);
    free(ls->rel);
    free(ls->pfac);
    free(ls->code_d);
    free(ls->next_stop);
    for (int y = 0; ls->own && y < ls->sc->Y; y++)
        free(ls->own[y]);
    free(ls->own);
    free((void *)ls->fac);
    free(ls->ones);
    free(ls->foff);
    free(ls->n_set);
    free(ls->set_d);
    free(ls->set_v);
    free(ls->hold_map);
    memset(ls, 0, sizeof *ls);
}

/* Why a top-states model cannot take schedule sc: the first variant whose
 * beta x bias is beyond the lanes' range; the per-trajectory engine that
 * could run it counts final states in full-state mode only. */
static scenmc_status sched_top_refusal(const scenmc_model *m, const scenmc_params *p, const scenmc__sched *sc,
                                       scenmc_error *err)
{
    for (int y = 1; y < sc->Y; y++)
        for (int d = 0; d < m->n_descriptors; d++)
            for (int b = 0; sc->yr[y].bias && b < m->descriptors[d].n_variants; b++) {
                const double x = sc->yr[y].bias[m->descriptors[d].offset + b];
                if (!(fabs(x) <= SCHED_BIAS_MAX))
                    return scenmc_error_add(err, SCENMC_E_LIMIT, "in %d the changes over time give %s = %s a bias "
                                            "of %g (beta x bias); the lane engine takes at most %d, and the "
                                            "per-trajectory engine that takes more needs the full final-state "
                                            "table (at most %u states; this model has more)",
                                            p->year_start + y - 1, m->descriptors[d].id,
                                            m->variant_name[m->descriptors[d].offset + b], x, SCHED_BIAS_MAX,
                                            SCENMC_FULL_STATE_LIMIT);
            }
    return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the lanes' form of the changes over time");
}

/* The lanes' form of schedule sc; 0 when its biases are too large for them
 * (or memory ran out): then the per-trajectory engine runs it. A factor
 * table is built only for a year whose biases differ from the year
 * before's. */
static int lane_sched_init(lane_sched *ls, const scenmc__kernel *k, const scenmc__sched *sc)
{
    const int Y = k->base.Y, D = k->base.D, V = k->base.V;
    memset(ls, 0, sizeof *ls);
    ls->sc = sc;
    for (int y = 1; y < Y; y++)
        for (int u = 0; sc->yr[y].bias && u < V; u++)
            if (!(fabs(sc->yr[y].bias[u]) <= SCHED_BIAS_MAX))
                return 0;
    ls->foff = scenmc__xcalloc((size_t)D + 1, sizeof(int));
    size_t n_fac = 0;
    for (int i = 0; i <= D; i++) {
        ls->foff[i] = (int)n_fac;
        n_fac += (size_t)k->pw[i];
    }
    ls->ones = aligned_alloc(64, (n_fac * sizeof(double) + 63) & ~(size_t)63);
    ls->fac = scenmc__xcalloc((size_t)Y + 1, sizeof(double *));
    ls->own = scenmc__xcalloc((size_t)Y, sizeof(double *));
    int ok = ls->ones != NULL;
    for (size_t j = 0; ok && j < n_fac; j++)
        ls->ones[j] = k->log_domain ? 0 : 1;
    for (int y = 0; ok && y <= Y; y++) {
        const double *xb = y > 0 && y < Y ? sc->yr[y].bias : NULL, *prev = y > 1 ? sc->yr[y - 1].bias : NULL;
        if (!xb)
            ls->fac[y] = ls->ones;
        else if (prev && !memcmp(xb, prev, sizeof(double) * (size_t)V))
            ls->fac[y] = ls->fac[y - 1];
        else
            ok = (ls->fac[y] = ls->own[y] = sched_factors(k, ls, xb, n_fac)) != NULL;
    }
    if (!ok) {
        lane_sched_free(ls);
        return 0;
    }
    sched_sets(k, ls);
    for (int y = 1; y < Y; y++)
        ls->shocks |= sc->yr[y].pois_cdf != NULL;
    ls->next_stop = scenmc__xcalloc((size_t)Y, sizeof(int));
    for (int y = Y - 1; y >= 0; y--)
        ls->next_stop[y] = y == Y - 1 || ls->n_set[y] || sc->yr[y + 1].cum ? y : ls->next_stop[y + 1];
    if (k->packed && !sched_codes(k, ls)) {
        lane_sched_free(ls);
        return 0;
    }
    if (k->packed)
        sched_shock_codes(k, ls);
    return 1;
}

/* One word of a year with changes, as scenmc__reference_run_sched reads it
 * (reference.c, sched_event): the event (a revision or a shock) and the
 * uniform for the new variant; a held descriptor's revision or shock is a
 * phantom (D) that changes nothing; a shock sets its variant (*force). */
static inline void sched_decode(const scenmc__kernel *k, const scenmc__sched_year *e, uint32_t word, int *d,
                                double *uv, int *force)
{
    const int D = k->base.D;
    int i;
    *force = -1;
    if (!e->cum) {
        i = pick_descriptor(k, word, uv);
    } else {
        const double x = ((double)word + 0.5) * (1.0 / 4294967296.0);
        i = 0; /* the first i with cum[i] > x, counted without a data-dependent exit */
        for (int j = 0; j < D + e->n_shocks - 1; j++)
            i += e->cum[j] <= x;
        const double lo = i ? e->cum[i - 1] : 0, f = (x - lo) / (e->cum[i] - lo);
        *uv = f < 1 ? f : 0.9999999999999999;
    }
    if (i >= D) { /* a shock: the hold wins */
        const int dd = e->shock_d[i - D];
        *d = e->held[dd] < 0 ? dd : D;
        *force = e->held[dd] < 0 ? e->shock_v[i - D] : -1;
        *uv = 0.5;
    } else {
        *d = e->held[i] < 0 ? i : D;
    }
}

/* The words for the years' revision counts (all drawn up front, so the
 * counts do not wait on each other; then one word per revision), and where
 * each year's events end. */
static inline __attribute__((always_inline)) void lane_counts(const scenmc__kernel *k, lane *l,
                                                               const lane_sched *ls)
{
    int *restrict nrev = l->nrev;
    long *restrict year_end = l->year_end, total = 0;
    const int shocks = ls && ls->shocks, *restrict n_set = ls ? ls->n_set : NULL;
    nrev[0] = 0;
    year_end[0] = 0;
    for (int y = 1; y < k->base.Y; y++) {
        if (!ls) {
            nrev[y] = poisson_draw(k, &l->rng);
        } else if (!shocks) {
            nrev[y] = poisson_draw(k, &l->rng) + n_set[y];
        } else { /* a year with shocks: Poisson(Lambda + H); then the year's hold starts */
            const double *cdf = ls->sc->yr[y].pois_cdf;
            if (cdf) {
                const double u = scenmc__rng_uniform32(&l->rng);
                int j = 0;
                while (cdf[j] < u)
                    j++;
                nrev[y] = j;
            } else {
                nrev[y] = poisson_draw(k, &l->rng);
            }
            nrev[y] += n_set[y];
        }
        year_end[y] = total += nrev[y];
    }
    l->total = total;
    l->queued = 0;
    l->next_year = 1;
}

/* Trajectory traj's start state (one word per descriptor unless fixed) and
 * its table rows, total consistency and year-0 record. */
static inline __attribute__((always_inline)) void lane_start(const scenmc__kernel *k, lane *l, uint64_t seed,
                                                              uint64_t traj, const lane_sched *ls)
{
    const int D = k->base.D, G = k->n_groups;
    scenmc__rng_init(&l->rng, seed, traj);
    if (k->start) {
        for (int d = 0; d < D; d++)
            l->s[d] = k->start[d];
    } else { /* one word per start block: its joint variant */
        for (int b = 0; b < k->n_blocks; b++) {
            const int r0 = k->block_row[b], n = k->block_row[b + 1] - r0;
            const int c = scenmc__guide_draw(k->start_cum + r0, k->start_guide + 4 * (size_t)r0, 4 * n,
                                            scenmc__rng_uniform32(&l->rng));
            const uint8_t *digit = k->block_digit + (size_t)(r0 + c) * (size_t)k->block_width;
            for (int d = k->block_first[b]; d < k->block_first[b + 1]; d++)
                l->s[d] = digit[d - k->block_first[b]];
            if (k->blocks_are_groups) /* the same joint variant, the same order */
                l->row[b] = k->group_row[b] + c;
        }
    }
    int set0 = 0; /* holds from the start override the start state */
    for (int d = 0; ls && d < D; d++)
        if (ls->sc->set[d] >= 0) {
            l->s[d] = ls->sc->set[d];
            set0 = 1;
        }
    if (k->start || !k->blocks_are_groups || set0) {
        for (int g = 0; g < G; g++)
            l->row[g] = k->group_row[g];
        for (int d = 0; d < D; d++)
            l->row[k->desc[d].group] += k->desc[d].radix * l->s[d];
    }
    l->s[D] = 0;
    if (k->field_mode) { /* the fields from one row per group */
        const int V = k->base.V;
        double *restrict F = l->F, *restrict Gf = l->Gf;
        for (int v = 0; v < V; v++) {
            F[v] = k->log_domain ? 0 : 1;
            Gf[v] = 0;
        }
        for (int g = 0; g < G; g++) {
            const double *restrict Fr = k->field_F + (size_t)l->row[g] * V;
            const double *restrict Gr = k->field_G + (size_t)l->row[g] * V;
            if (k->log_domain)
                for (int v = 0; v < V; v++)
                    F[v] += Fr[v];
            else
                for (int v = 0; v < V; v++)
                    F[v] *= Fr[v];
            for (int v = 0; v < V; v++)
                Gf[v] += Gr[v];
        }
        double K = 0; /* each pair counted twice */
        for (int d = 0; d < D; d++)
            K += Gf[k->base.offset[d] + l->s[d]];
        l->K = 0.5 * K;
    } else if (k->packed) { /* the rows in one word; K comes from them in the tally */
        l->pk = 0;
        for (int g = 0; g < G; g++)
            l->pk |= (uint64_t)l->row[g] * (uint64_t)k->row_bytes << (k->packed_bits * g);
        l->snap_pk[0] = l->pk;
        l->snapped = 1;
    } else if (k->K_pair) {
        l->K = scenmc__rows_consistency(k, l->row, G);
    } else {
        double K = 0; /* each pair counted twice */
        for (int d = 0; d < D; d++) {
            const double *e = k->table + k->desc[d].blk + (size_t)(k->pw[d] + l->s[d]);
            for (int g = 0; g < G; g++)
                K += e[(size_t)l->row[g] * 2 * (size_t)k->pw[d]];
        }
        l->K = 0.5 * K;
    }
    if (!k->packed) {
        for (int g = 0; g < G; g++)
            l->snap_row[g] = l->row[g];
        memset(l->snap_row + G, 0xff, sizeof(int) * (size_t)G * (size_t)k->base.Y); /* -1: not revised */
        l->snap_K[0] = l->K;
    }
    lane_counts(k, l, ls);
}


/* m words to revisions: the descriptor and the uniform for its variant. */
static inline __attribute__((always_inline)) void decode_words(const scenmc__kernel *k,
                                                                const uint64_t *restrict word, int m,
                                                                int *restrict rev_d, double *restrict rev_u)
{
    if (k->equal_rates) {
        const uint64_t D = (uint64_t)k->base.D;
        for (int q = 0; q < m; q++) {
            uint64_t x = (uint64_t)(uint32_t)word[q] * D;
            rev_d[q] = (int)(x >> 32);
            /* (low word + 1/2) / 2^32, exactly, by the exponent trick
             * (2^52 + low) - (2^52 - 1/2): no scalar conversion, so the
             * loop vectorises. */
            uint64_t bits = (x & 0xffffffffu) | 0x4330000000000000ull;
            double v;
            memcpy(&v, &bits, sizeof v);
            rev_u[q] = (v - 4503599627370495.5) * (1.0 / 4294967296.0);
        }
    } else {
        for (int q = 0; q < m; q++)
            rev_d[q] = pick_descriptor(k, (uint32_t)word[q], &rev_u[q]);
    }
}

/* The lane's next m words decoded (decode_words) into rev_d and rev_u; with
 * slot (the number of years that end before each revision), slot becomes
 * each revision's year, counted from year first. */
static inline __attribute__((always_inline)) void queue_words(const scenmc__kernel *k, lane *l,
                                                               int *restrict rev_d, double *restrict rev_u, int m,
                                                               int *restrict slot, int first)
{
    scenmc__rng *rng = &l->rng;
    int year = first;
    for (int j = 0; j < m;) { /* the words at hand, then a new batch */
        if (rng->next == SCENMC_RNG_BUFFER) /* no more batches than the round needs */
            m - j <= SCENMC_RNG_BATCH ? scenmc__rng_refill_one(rng) : scenmc__rng_refill(rng);
        const int take = SCENMC_RNG_BUFFER - rng->next < m - j ? SCENMC_RNG_BUFFER - rng->next : m - j;
        decode_words(k, rng->word + rng->next, take, rev_d + j, rev_u + j);
        if (slot)
            for (int q = 0; q < take; q++) {
                year += slot[j + q];
                slot[j + q] = year;
            }
        j += take;
        rng->next += take;
    }
}

/* Queues the lane's next revisions (at most ROUND): the descriptor and the
 * uniform for the variant from one word each, and the year each belongs to,
 * counted without a branch per year: revision r is in year 1 + the number of
 * years that end at or before r. */
static inline __attribute__((always_inline)) void lane_queue(const scenmc__kernel *k, lane *l)
{
    const long r0 = l->queued;
    const int n = l->total - r0 < ROUND ? (int)(l->total - r0) : ROUND;
    l->n = n;
    if (n == 0)
        return;
    /* Mark where years end (slot[j]: how many end just before revision
     * r0 + j), then one pass: the words and the running year. The packed
     * engine takes the year ends from its records instead. */
    const int slots = !k->packed;
    int *restrict slot = l->rev_slot;
    const int first = l->next_year; /* the year of revision r0 */
    if (slots) {
        memset(slot, 0, sizeof(int) * (size_t)n);
        const long *restrict end = l->year_end;
        int y = first;
        for (const int last = k->base.Y - 1; y < last && end[y] < r0 + n; y++)
            slot[end[y] - r0] += 1;
        l->next_year = y;
    }
    queue_words(k, l, l->rev_d, l->rev_u, n, slots ? slot : NULL, first);
    l->queued = r0 + n;
}


/* Events j0 .. j0 + m - 1 of the round, all words of years without shocks
 * from year y on, as lane_queue reads them (the years by marking where they
 * end, then one vectorised pass over the words at hand), each descriptor
 * then mapped by its year's holds: what sched_decode gives for such words. */
static inline __attribute__((always_inline)) void sched_words(const scenmc__kernel *k, const lane_sched *ls,
                                                               lane *l, int y, int j0, int m)
{
    const long r0 = l->queued + j0;
    const long *restrict end = l->year_end;
    int *restrict slot = l->rev_slot + j0, *restrict rev_d = l->rev_d + j0, *restrict rev_f = l->rev_f + j0;
    double *restrict rev_u = l->rev_u + j0;
    if (k->packed) { /* the descriptors as drawn: the year's table and holds come from the marks */
        queue_words(k, l, rev_d, rev_u, m, NULL, 0);
        return;
    }
    const int *restrict map = ls->hold_map;
    memset(slot, 0, sizeof(int) * (size_t)m);
    for (int yy = y; end[yy] < r0 + m; yy++)
        slot[end[yy] - r0] += 1;
    for (int q = 0, year = y; q < m; q++) {
        year += slot[q];
        slot[q] = year;
    }
    scenmc__rng *rng = &l->rng;
    const uint64_t D = (uint64_t)k->base.D;
    for (int j = 0; j < m;) {
        if (rng->next == SCENMC_RNG_BUFFER)
            scenmc__rng_refill(rng); /* as scenmc__rng_u32 */
        const int take = SCENMC_RNG_BUFFER - rng->next < m - j ? SCENMC_RNG_BUFFER - rng->next : m - j;
        const uint64_t *restrict word = rng->word + rng->next;
        if (k->equal_rates) {
            for (int q = 0; q < take; q++) {
                const uint64_t x = (uint64_t)(uint32_t)word[q] * D;
                rev_d[j + q] = map[(size_t)slot[j + q] * D + (x >> 32)];
                uint64_t bits = (x & 0xffffffffu) | 0x4330000000000000ull; /* lane_queue's exponent trick */
                double v;
                memcpy(&v, &bits, sizeof v);
                rev_u[j + q] = (v - 4503599627370495.5) * (1.0 / 4294967296.0);
            }
        } else {
            for (int q = 0; q < take; q++) {
                const int i = pick_descriptor(k, (uint32_t)word[q], &rev_u[j + q]);
                rev_d[j + q] = map[(size_t)slot[j + q] * D + (size_t)i];
            }
        }
        j += take;
        rng->next += take;
    }
    for (int q = 0; q < m; q++)
        rev_f[q] = -1;
}

/* Events j0 .. j0 + m - 1 of the round, words of year y with shocks, for
 * the packed engine: the event type as sched_decode finds it (the guide
 * table only skips types whose share ends below the word), then its code
 * relative to the year's; a shock's uniform does not matter (one-hot). */
static inline __attribute__((always_inline)) void sched_shock_words(const scenmc__kernel *k, const lane_sched *ls,
                                                                     lane *l, int y, int j0, int m)
{
    const int D = k->base.D;
    const scenmc__sched_year *e = &ls->sc->yr[y];
    const double *restrict cum = e->cum;
    const int *restrict guide = ls->guide + (size_t)y * SCHED_GUIDE;
    const int *restrict rel = ls->rel + (size_t)y * (size_t)(D + k->base.V);
    int *restrict rev_d = l->rev_d + j0;
    double *restrict rev_u = l->rev_u + j0;
    scenmc__rng *rng = &l->rng;
    for (int j = 0; j < m;) {
        if (rng->next == SCENMC_RNG_BUFFER) /* the stream either way: no more batches than needed */
            m - j <= SCENMC_RNG_BATCH ? scenmc__rng_refill_one(rng) : scenmc__rng_refill(rng);
        const int take = SCENMC_RNG_BUFFER - rng->next < m - j ? SCENMC_RNG_BUFFER - rng->next : m - j;
        const uint64_t *restrict word = rng->word + rng->next;
        for (int q = 0; q < take; q++) {
            const uint32_t wd = (uint32_t)word[q];
            const double x = ((double)wd + 0.5) * (1.0 / 4294967296.0);
            int i = guide[wd >> (32 - SCHED_GUIDE_BITS)];
            while (cum[i] <= x)
                i++;
            const double lo = i ? cum[i - 1] : 0, f = (x - lo) / (cum[i] - lo);
            rev_u[j + q] = i >= D ? 0.5 : f < 1 ? f : 0.9999999999999999;
            rev_d[j + q] = rel[i];
        }
        j += take;
        rng->next += take;
    }
}

/* lane_queue under a schedule: the words of years without shocks up to the
 * next year with shocks or hold starts in one pass (sched_words); a year with
 * shocks event by event; hold starts take no word. */
static inline __attribute__((always_inline)) void lane_queue_sched(const scenmc__kernel *k, const lane_sched *ls,
                                                                    lane *l)
{
    const long r0 = l->queued, stop = l->total - r0 < ROUND ? l->total : r0 + ROUND;
    const int n = (int)(stop - r0), D = k->base.D;
    l->n = n;
    const long *restrict end = l->year_end;
    int y = l->next_year; /* the year of event r0 */
    while (n && end[y] <= r0)
        y++;
    const int y0 = y;
    if (k->packed && n) /* the round's year ends as marks */
        for (int yy = y; end[yy] < stop; yy++)
            l->mark[end[yy] - r0] += D + 1;
    for (int j = 0; j < n;) {
        const long r = r0 + j;
        while (end[y] <= r)
            y++;
        const long sets = end[y] - ls->n_set[y];
        const scenmc__sched_year *e = &ls->sc->yr[y];
        int m;
        if (r >= sets) { /* hold starts */
            m = (int)((end[y] < stop ? end[y] : stop) - r);
            const size_t at = (size_t)y * (size_t)D + (size_t)(r - sets);
            for (int q = 0; q < m; q++) {
                l->rev_d[j + q] = ls->set_d[at + (size_t)q];
                l->rev_f[j + q] = ls->set_v[at + (size_t)q];
                l->rev_u[j + q] = 0.5;
                l->rev_slot[j + q] = y;
                if (k->packed) /* the one-hot table of the variant set */
                    l->rev_d[j + q] = SCHED_CODE(k, k->base.Y + 1 + l->rev_f[j + q], l->rev_d[j + q]) -
                                      SCHED_CODE(k, y, 0);
            }
        } else if (e->cum && k->packed) { /* shocks, as codes */
            m = (int)((sets < stop ? sets : stop) - r);
            sched_shock_words(k, ls, l, y, j, m);
        } else if (e->cum) { /* shocks */
            m = (int)((sets < stop ? sets : stop) - r);
            for (int q = 0; q < m; q++) {
                sched_decode(k, e, scenmc__rng_u32(&l->rng), &l->rev_d[j + q], &l->rev_u[j + q],
                             &l->rev_f[j + q]);
                l->rev_slot[j + q] = y;
                if (k->packed) /* a shock's variant by its one-hot table; a phantom (D) by the year's */
                    l->rev_d[j + q] = SCHED_CODE(k, l->rev_f[j + q] >= 0 ? k->base.Y + 1 + l->rev_f[j + q] : y,
                                                 l->rev_d[j + q]) - SCHED_CODE(k, y, 0);
            }
        } else { /* up to the next hold start or year with shocks */
            /* (A year before the next stop that ends at or after stop has no
             * hold starts: either year gives the same m.) */
            const int yy = ls->next_stop[y];
            const long upto = ls->n_set[yy] ? end[yy] - ls->n_set[yy] : end[yy];
            m = (int)((upto < stop ? upto : stop) - r);
            sched_words(k, ls, l, y, j, m);
        }
        j += m;
    }
    if (k->packed && n) { /* the codes: each year's table from the marks */
        int acc = SCHED_CODE(k, y0, 0), *restrict mark = l->mark, *restrict rev_d = l->rev_d;
        for (int p = 0; p < n; p++) {
            acc += mark[p];
            rev_d[p] += acc;
        }
        for (int yy = y0; end[yy] < stop; yy++) /* zero again, for the next round */
            mark[end[yy] - r0] = 0;
    }
    while (n && end[y] <= stop - 1) /* the year of the last event */
        y++;
    l->next_year = y;
    l->queued = stop;
}

/* Revision r of each lane's queue: descriptor i's new variant b from the
 * heat bath, where the weight of each variant is the product (log domain:
 * sum) of one table entry per group; then the state, the rows and K are
 * updated and recorded for the revision's year.
 *
 * Fixed padded width W (4 or 8), in vectors of four doubles (GCC vector
 * extensions: AVX2 registers in the AVX2 clone, SSE2 pairs otherwise). Each
 * lane's weights are loaded as vectors, then transposed so that vector j
 * holds variant j's weight in four lanes, and the cumulative sums, targets
 * and comparisons run once for the four. */
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4i __attribute__((vector_size(32)));

#ifdef __clang__
#define SHUFFLE4(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
#define SHUFFLE4(a, b, i, j, k, l) __builtin_shuffle(a, b, (v4i){i, j, k, l})
#endif

static inline __attribute__((always_inline)) void transpose4(v4d m[4])
{
    v4d t0 = SHUFFLE4(m[0], m[1], 0, 4, 2, 6), t1 = SHUFFLE4(m[0], m[1], 1, 5, 3, 7);
    v4d t2 = SHUFFLE4(m[2], m[3], 0, 4, 2, 6), t3 = SHUFFLE4(m[2], m[3], 1, 5, 3, 7);
    m[0] = SHUFFLE4(t0, t2, 0, 1, 4, 5);
    m[1] = SHUFFLE4(t1, t3, 0, 1, 4, 5);
    m[2] = SHUFFLE4(t0, t2, 2, 3, 6, 7);
    m[3] = SHUFFLE4(t1, t3, 2, 3, 6, 7);
}
#undef SHUFFLE4

/* The variants of four lanes: m[h][q] holds lane q's weights 4 h .. 4 h + 3
 * (overwritten), u the lanes' uniforms. b is the number of cumulative weights
 * at or below u times the total, counted without data-dependent branches
 * (padding adds weight 0 at the end, never drawn). */
static inline __attribute__((always_inline)) void heat_bath4(v4d m[2][4], const v4d *u, const int W, v4i *b)
{
    for (int h = 0; h < W / 4; h++)
        transpose4(m[h]);
    v4d c[8], acc = m[0][0];
    c[0] = acc;
    for (int j = 1; j < W; j++) {
        acc += m[j / 4][j % 4];
        c[j] = acc;
    }
    const v4d target = *u * acc;
    *b = (v4i){0, 0, 0, 0};
    for (int j = 0; j < W - 1; j++)
        *b -= (v4i)(c[j] <= target); /* true is -1 */
}

/* Lanes q0 .. q0 + 3's uniforms for revision r. */
static inline __attribute__((always_inline)) void lane_uniforms(const worker *w, int q0, int r, v4d *u)
{
    *u = (v4d){w->lane[q0].rev_u[r], w->lane[q0 + 1].rev_u[r], w->lane[q0 + 2].rev_u[r],
               w->lane[q0 + 3].rev_u[r]};
}

/* The table engine, lane by lane: with many groups the lanes' own chains
 * overlap better than four lanes held in lockstep by a shared transpose
 * (measured: 0.93x for seven groups). GC: the group count as a constant, or
 * 0; track: K per revision (no pair tables), else per year from the rows. */
static inline __attribute__((always_inline)) void lanes_run_fixed(const scenmc__kernel *k, worker *w,
                                                                  int n, const int W, const int GC,
                                                                  const int track, const lane_sched *ls,
                                                                  const int SCHED)
{
    const int G = GC ? GC : k->n_groups;
    const double *restrict table = k->table;
    const scenmc__desc *restrict desc = k->desc;
    for (int r = 0; r < n; r++)
        for (int q = 0; q < LANES; q++) {
            lane *l = &w->lane[q];
            int *restrict s = l->s, *restrict row = l->row;
            const int i = l->rev_d[r], slot = l->rev_slot[r];
            const scenmc__desc di = desc[i];
            const double *t = table + di.blk;
            v4d wt[2], cs[2]; /* weights and consistency-field entries of the variants */
            const double *e = t + (size_t)row[0] * (2 * W);
            for (int h = 0; h < W / 4; h++)
                wt[h] = *(const v4d *)(e + 4 * h);
            for (int g = 1; g < G; g++) {
                e = t + (size_t)row[g] * (2 * W);
                for (int h = 0; h < W / 4; h++)
                    wt[h] *= *(const v4d *)(e + 4 * h);
            }
            if (SCHED) /* the year's bias */
                for (int h = 0; h < W / 4; h++)
                    wt[h] *= *(const v4d *)(ls->fac[slot] + (size_t)i * W + 4 * h);
            /* b = the number of cumulative weights at or below the target,
             * counted without data-dependent branches (padding adds weight 0
             * at the end). */
            double c[8], acc = 0;
            for (int j = 0; j < W; j++) {
                acc += wt[j / 4][j % 4];
                c[j] = acc;
            }
            const double target = l->rev_u[r] * acc;
            int b = 0;
            for (int j = 0; j < W - 1; j++)
                b += c[j] <= target;
            if (SCHED && l->rev_f[r] >= 0) /* a hold's start or a shock */
                b = l->rev_f[r];
            const int a = s[i], gi = di.group;
            if (track) {
                for (int h = 0; h < W / 4; h++)
                    cs[h] = *(const v4d *)(t + (size_t)row[0] * (2 * W) + W + 4 * h);
                for (int g = 1; g < G; g++)
                    for (int h = 0; h < W / 4; h++)
                        cs[h] += *(const v4d *)(t + (size_t)row[g] * (2 * W) + W + 4 * h);
                double cv[8];
                memcpy(cv, cs, sizeof(double) * W);
                l->K += cv[b] - cv[a];
                l->snap_K[slot] = l->K;
            }
            s[i] = b;
            row[gi] += (b - a) * di.radix;
            l->snap_row[(size_t)slot * G + gi] = row[gi];
        }
}

/* The packed engine (one to three groups): the rows live in one word per
 * lane, and the word after each revision is recorded: the year ends are
 * read from those records after the round.
 *
 * Group g's field of a packed word (G groups): a byte offset into the table. */
static inline __attribute__((always_inline)) uint64_t packed_field(uint64_t pk, const int g, const int G)
{
    const int F = SCENMC_PACKED_BITS(G); /* k->packed_bits, as a constant */
    return g == G - 1 ? pk >> (F * g) : (pk >> (F * g)) & (((uint64_t)1 << F) - 1);
}

static inline __attribute__((always_inline)) void lanes_run_packed(const scenmc__kernel *k, worker *w,
                                                                   int n, const int W, const int G,
                                                                   const lane_sched *ls, const int SCHED)
{
    const char *restrict table = (const char *)k->ptable;
    const uint64_t *restrict unit = k->unit;
    uint64_t pk[LANES];
    for (int q = 0; q < LANES; q++)
        pk[q] = w->lane[q].pk;
    for (int r = 0; r < n; r++)
        for (int q0 = 0; q0 < LANES; q0 += 4) {
            v4d m[2][4];
            int d[4];
            int code[4];
            for (int q = 0; q < 4; q++) {
                code[q] = w->lane[q0 + q].rev_d[r];
                d[q] = SCHED ? ls->code_d[code[q]] : code[q];
                const char *t = table + (size_t)d[q] * (W * sizeof(double));
                for (int g = 0; g < G; g++) {
                    const double *e = (const double *)(t + packed_field(pk[q0 + q], g, G));
                    for (int h = 0; h < W / 4; h++)
                        m[h][q] = g ? m[h][q] * *(const v4d *)(e + 4 * h) : *(const v4d *)(e + 4 * h);
                }
                if (SCHED) { /* the year's bias, or the one-hot factors of a variant set */
                    const double *f = ls->pfac + (size_t)code[q] * W;
                    for (int h = 0; h < W / 4; h++)
                        m[h][q] *= *(const v4d *)(f + 4 * h);
                }
            }
            v4d u;
            v4i b;
            lane_uniforms(w, q0, r, &u);
            heat_bath4(m, &u, W, &b);
            for (int q = 0; q < 4; q++) {
                lane *l = &w->lane[q0 + q];
                const int bq = (int)b[q], a = l->s[d[q]];
                l->s[d[q]] = bq;
                pk[q0 + q] += (uint64_t)(int64_t)(bq - a) * unit[d[q]];
                l->rec[r] = pk[q0 + q];
            }
        }
    for (int q = 0; q < LANES; q++)
        w->lane[q].pk = pk[q];
}

/* After a round of the packed engine that started at revision r0 with rows
 * before: the end state of every year whose last revision is now done. */
static inline void lane_take_years(const scenmc__kernel *k, lane *l, long r0, uint64_t before)
{
    const long *restrict end = l->year_end, done = l->queued;
    const uint64_t *restrict rec = l->rec; /* rec[e - 1 - r0]: the word after revision e - 1 */
    uint64_t *restrict snap = l->snap_pk;
    int y = l->snapped;
    for (const int Y = k->base.Y; y < Y && end[y] <= done; y++)
        snap[y] = end[y] > r0 ? rec[end[y] - 1 - r0] : before;
    l->snapped = y;
}

/* Heat-bath weights from log weights, in place: exp(w - max). */
static inline void weights_from_logs(double *w, int n)
{
    double mx = w[0];
    for (int j = 1; j < n; j++)
        mx = w[j] > mx ? w[j] : mx;
    for (int j = 0; j < n; j++)
        w[j] = exp(w[j] - mx);
}

/* The variant drawn with uniform u from n weights: the number of cumulative
 * weights at or below u times the total, counted without data-dependent
 * branches (trailing zero weights, padding, are never drawn). */
static inline int draw_variant(const double *w, int n, double u)
{
    double c[SCENMC_MAX_VARIANTS], acc = 0;
    for (int j = 0; j < n; j++) {
        acc += w[j];
        c[j] = acc;
    }
    const double target = u * acc;
    int b = 0;
    for (int j = 0; j < n - 1; j++)
        b += c[j] <= target;
    return b;
}

/* Field mode: the weights are the lane's field; a change multiplies it by a
 * ratio row (log domain: adds the difference of two W rows). */
static inline __attribute__((always_inline)) void lanes_run_field(const scenmc__kernel *k, worker *w,
                                                                  const lane_sched *ls, const int SCHED)
{
    const int V = k->base.V, G = k->n_groups;
    for (int q = 0; q < LANES; q++) /* lane by lane: each field stays in cache */
        for (int r = 0; r < w->lane[q].n; r++) {
            lane *l = &w->lane[q];
            const int i = l->rev_d[r];
            if (i == k->base.D) { /* a phantom revision (under a schedule it may be the year's only one) */
                if (SCHED)
                    l->snap_K[l->rev_slot[r]] = l->K;
                continue;
            }
            const int off = k->base.offset[i], nv = k->base.n_var[i], a = l->s[i], slot = l->rev_slot[r];
            double wt[SCENMC_MAX_VARIANTS];
            memcpy(wt, l->F + off, sizeof(double) * (size_t)nv);
            for (int j = 0; SCHED && j < nv; j++) { /* the year's bias */
                const double f = ls->fac[slot][ls->foff[i] + j];
                wt[j] = k->log_domain ? wt[j] + f : wt[j] * f;
            }
            if (k->log_domain)
                weights_from_logs(wt, nv);
            const int b = SCHED && l->rev_f[r] >= 0 ? l->rev_f[r] : draw_variant(wt, nv, l->rev_u[r]);
            if (b != a) {
                l->K += l->Gf[off + b] - l->Gf[off + a];
                size_t row = (size_t)(k->pair_base[i] + a * nv + b) * (size_t)V;
                double *restrict F = l->F, *restrict Gf = l->Gf;
                const double *restrict dC = k->dC + row;
                if (k->log_domain) {
                    const double *Wn = k->base.W + (size_t)(off + b) * V, *Wo = k->base.W + (size_t)(off + a) * V;
                    for (int v = 0; v < V; v++) {
                        F[v] += Wn[v] - Wo[v];
                        Gf[v] += dC[v];
                    }
                } else {
                    const double *restrict R = k->ratio + row;
                    for (int v = 0; v < V; v++) {
                        F[v] *= R[v];
                        Gf[v] += dC[v];
                    }
                }
                l->s[i] = b;
                l->row[k->desc[i].group] += (b - a) * k->desc[i].radix;
            }
            l->snap_K[slot] = l->K;
            l->snap_row[(size_t)slot * G + k->desc[i].group] = l->row[k->desc[i].group];
        }
}

/* Any width (up to SCENMC_MAX_VARIANTS), either domain. */
static inline __attribute__((always_inline)) void lanes_run_any_width(const scenmc__kernel *k,
                                                                      worker *w, int n,
                                                                      const lane_sched *ls, const int SCHED)
{
    const int G = k->n_groups;
    for (int r = 0; r < n; r++)
        for (int q = 0; q < LANES; q++) {
            lane *l = &w->lane[q];
            const int i = l->rev_d[r], slot = l->rev_slot[r], pw = k->pw[i];
            const double *t = k->table + k->desc[i].blk;
            double wt[SCENMC_MAX_VARIANTS], cs[SCENMC_MAX_VARIANTS];
            const double *e = t + (size_t)l->row[0] * 2 * (size_t)pw;
            for (int j = 0; j < pw; j++) {
                wt[j] = e[j];
                cs[j] = e[pw + j];
            }
            for (int g = 1; g < G; g++) {
                e = t + (size_t)l->row[g] * 2 * (size_t)pw;
                for (int j = 0; j < pw; j++) {
                    wt[j] = k->log_domain ? wt[j] + e[j] : wt[j] * e[j];
                    cs[j] += e[pw + j];
                }
            }
            for (int j = 0; SCHED && j < pw; j++) { /* the year's bias */
                const double f = ls->fac[slot][ls->foff[i] + j];
                wt[j] = k->log_domain ? wt[j] + f : wt[j] * f;
            }
            if (k->log_domain)
                weights_from_logs(wt, pw);
            const int b = SCHED && l->rev_f[r] >= 0 ? l->rev_f[r] : draw_variant(wt, pw, l->rev_u[r]);
            const int a = l->s[i], gi = k->desc[i].group;
            l->s[i] = b;
            l->row[gi] += (b - a) * k->desc[i].radix;
            l->K += cs[b] - cs[a];
            l->snap_K[slot] = l->K;
            l->snap_row[(size_t)slot * G + gi] = l->row[gi];
        }
}

static inline __attribute__((always_inline)) void lanes_run(const scenmc__kernel *k, worker *w, int n,
                                                             const lane_sched *ls, const int SCHED)
{
    /* Fixed widths and small group counts as constants: unrolled loops. */
#define BY_GROUPS(W)                                                                               \
    if (!k->K_pair)                                                                                \
        lanes_run_fixed(k, w, n, W, 0, 1, ls, SCHED);                                            \
    else                                                                                           \
        switch (k->n_groups) {                                                                     \
        case 1: lanes_run_fixed(k, w, n, W, 1, 0, ls, SCHED); break;                             \
        case 2: lanes_run_fixed(k, w, n, W, 2, 0, ls, SCHED); break;                             \
        case 3: lanes_run_fixed(k, w, n, W, 3, 0, ls, SCHED); break;                             \
        case 4: lanes_run_fixed(k, w, n, W, 4, 0, ls, SCHED); break;                             \
        default: lanes_run_fixed(k, w, n, W, 0, 0, ls, SCHED);                                   \
        }
    if (k->packed) {
#define PACKED_BY_GROUPS(W)                                                                        \
    switch (k->n_groups) {                                                                         \
    case 1: lanes_run_packed(k, w, n, W, 1, ls, SCHED); break;                                     \
    case 2: lanes_run_packed(k, w, n, W, 2, ls, SCHED); break;                                     \
    default: lanes_run_packed(k, w, n, W, 3, ls, SCHED);                                           \
    }
        if (k->max_pw == 4) {
            PACKED_BY_GROUPS(4)
        } else {
            PACKED_BY_GROUPS(8)
        }
#undef PACKED_BY_GROUPS
    } else if (k->field_mode)
        lanes_run_field(k, w, ls, SCHED);
    else if (k->max_pw == 4 && !k->log_domain) {
        BY_GROUPS(4)
    } else if (k->max_pw == 8 && !k->log_domain) {
        BY_GROUPS(8)
    } else
        lanes_run_any_width(k, w, n, ls, SCHED);
#undef BY_GROUPS
}

/* Adds one finished trajectory to the tallies, each count by wt (its weight:
 * the constant 1 unconditioned); returns its final scenario. GC: the group
 * count as a constant, or 0. */
static inline __attribute__((always_inline)) int lane_tally_g(const scenmc__kernel *k, lane *l,
                                                              tally *t, const int GC,
                                                              const uint64_t wt)
{
    const int Y = k->base.Y, G = GC ? GC : k->n_groups, S = k->base.S, n_bins = k->base.n_bins;
    const int *restrict row_scen = k->row_scen, *restrict scen_table = k->base.scen_table;
    const int *restrict nrev = l->nrev;
    const double *restrict snap_K = l->snap_K;
    int *restrict snap_row = l->snap_row, *restrict scen = l->scen;
    uint64_t *restrict kb = t->kb, *restrict tr = t->tr;
    if (k->packed) { /* rows from the year-end words' byte offsets: exact division by row_bytes */
        const uint64_t *restrict snap_pk = l->snap_pk, inv = k->row_inverse;
        for (int y = 0; y < Y; y++)
            for (int g = 0; g < G; g++)
                snap_row[(size_t)y * G + g] = (int)((packed_field(snap_pk[y], g, G) * inv) >> 32);
    }
    if (k->state_info) { /* scenario and bin from one lookup */
        const uint32_t *restrict info = k->state_info;
        const int rows0 = k->group_row[1], info_rows = k->info_rows;
        for (int y = 0; y < Y; y++) {
            const int *rw = snap_row + (size_t)y * G;
            const uint32_t in = info[(size_t)rw[0] * (size_t)info_rows + (size_t)(G == 2 ? rw[1] - rows0 : 0)];
            const int sc = scen[y] = (int)(in & 0xffff);
            kb[(size_t)y * n_bins + (in >> 16)] += wt;
            if (y > 0)
                tr[((size_t)(y - 1) * S + scen[y - 1]) * S + sc] += wt;
        }
    } else {
        /* Groups not revised in a year keep the year before's row (carried in
         * registers, not reloaded from the record just written). */
        int prev[SCENMC_MAX_DESCRIPTORS];
        double K = snap_K[0];
        for (int y = 0; y < Y; y++) {
            int *rw = snap_row + (size_t)y * G;
            long si = 0;
            for (int g = 0; g < G; g++) {
                int x = y == 0 || rw[g] >= 0 ? rw[g] : prev[g];
                rw[g] = prev[g] = x;
                si += row_scen[x];
            }
            if (k->K_pair)
                K = scenmc__rows_consistency(k, rw, G);
            else if (nrev[y])
                K = snap_K[y];
            int sc = scen[y] = scen_table[si];
            kb[(size_t)y * n_bins + scenmc__consistency_bin(&k->base, K)] += wt;
            if (y > 0)
                tr[((size_t)(y - 1) * S + scen[y - 1]) * S + sc] += wt;
        }
    }
    /* Lock-in: the first year from which the scenario stays the final one
     * (counted without a data-dependent exit). */
    const int fin = scen[Y - 1];
    int lock = 0;
    for (int y = 0; y < Y - 1; y++)
        lock = scen[y] != fin ? y + 1 : lock;
    t->li[(size_t)lock * S + fin] += wt;
    if (k->joint_tally) {
        /* A row's years for one final scenario lie together, a few cache
         * lines, and rows change slowly: a trajectory's counts share lines. */
        uint64_t *restrict sv = t->sv + (size_t)fin * Y * S;
        const size_t row_stride = (size_t)S * Y * S;
        for (int y = 0; y < Y; y++) {
            const int *rw = snap_row + (size_t)y * G;
            uint64_t *j = sv + (size_t)y * S + scen[y];
            for (int g = 0; g < G; g++)
                j[(size_t)rw[g] * row_stride] += wt;
        }
    } else {
        const int V = k->base.V;
        for (int y = 0; y < Y; y++) {
            const int *rw = snap_row + (size_t)y * G;
            uint64_t *sv = t->sv + ((size_t)y * S + scen[y]) * V;
            uint64_t *ew = t->ew + (size_t)y * V * S + fin;
            for (int g = 0; g < G; g++) {
                const uint16_t *u = k->row_variant + (size_t)rw[g] * k->group_width;
                for (int q = 0; q < k->group_first[g + 1] - k->group_first[g]; q++) {
                    sv[u[q]] += wt;
                    ew[(size_t)u[q] * S] += wt;
                }
            }
        }
    }
    if (k->base.full_states || k->top_states) {
        const int *rw = snap_row + (size_t)(Y - 1) * G;
        uint64_t x = 0;
        for (int g = 0; g < G; g++)
            x += (uint64_t)(rw[g] - k->group_row[g]) * k->group_state_stride[g];
        if (k->base.full_states)
            t->fs[x] += wt;
        else
            map_add(t, x, wt);
    }
    return fin;
}

static inline __attribute__((always_inline)) int lane_tally(const scenmc__kernel *k, lane *l, tally *t,
                                                            const uint64_t wt)
{
    switch (k->n_groups) {
    case 1: return lane_tally_g(k, l, t, 1, wt);
    case 2: return lane_tally_g(k, l, t, 2, wt);
    case 3: return lane_tally_g(k, l, t, 3, wt);
    case 4: return lane_tally_g(k, l, t, 4, wt);
    default: return lane_tally_g(k, l, t, 0, wt);
    }
}

/* Group g's row at the end of year y, without changing the lane's records
 * (lane_tally resolves them later). */
static int lane_row_at(const scenmc__kernel *k, const lane *l, int y, int g)
{
    const int G = k->n_groups;
    if (k->packed) {
        const int F = k->packed_bits;
        uint64_t f = l->snap_pk[y] >> (F * g);
        if (g < G - 1)
            f &= ((uint64_t)1 << F) - 1;
        return (int)((f * k->row_inverse) >> 32);
    }
    while (l->snap_row[(size_t)y * G + g] < 0) /* not revised that year: the year before's */
        y--;
    return l->snap_row[(size_t)y * G + g];
}

/* A finished trajectory's weight (scenmc__given): the likelihood of its
 * state in each observation year, in increasing year order as the
 * reference engine takes it. */
static uint64_t lane_weight(const scenmc__kernel *k, const lane *l, const scenmc__given *given)
{
    int s[SCENMC_MAX_DESCRIPTORS];
    double L = 1;
    for (int i = 0; i < given->n_years; i++) {
        const int y = given->year[i];
        for (int g = 0; g < k->n_groups; g++) {
            const uint16_t *u = k->row_variant + (size_t)lane_row_at(k, l, y, g) * (size_t)k->group_width;
            for (int d = k->group_first[g]; d < k->group_first[g + 1]; d++)
                s[d] = u[d - k->group_first[g]] - k->base.offset[d];
        }
        L *= scenmc_observations_likelihood(given->o, given->year_start + y, s);
    }
    return scenmc__given_weight(given, L);
}

/* The lanes' trajectories first .. first + count - 1, to their year-end
 * records; SCHED: under schedule ls (a constant: the plain engine carries
 * none of its code). */
static inline __attribute__((always_inline)) void lanes_simulate(const scenmc__kernel *k, uint64_t seed,
                                                                 uint64_t first, int count, worker *w,
                                                                 const lane_sched *ls, const int SCHED)
{
    for (int q = 0; q < LANES; q++) {
        lane *l = &w->lane[q];
        lane_start(k, l, seed, first + (uint64_t)(q < count ? q : 0), SCHED ? ls : NULL);
        if (q >= count) /* no trajectory: phantoms only */
            l->total = 0;
    }
    for (;;) {
        int n = 0;
        long r0[LANES];
        uint64_t before[LANES];
        for (int q = 0; q < LANES; q++) {
            lane *l = &w->lane[q];
            r0[q] = l->queued;
            before[q] = l->pk;
            if (SCHED)
                lane_queue_sched(k, ls, l);
            else
                lane_queue(k, l);
            n = l->n > n ? l->n : n;
        }
        if (n == 0)
            break;
        for (int q = 0; q < LANES; q++) {
            lane *l = &w->lane[q];
            for (int r = l->n; r < n; r++) { /* phantom revisions, recorded nowhere */
                l->rev_d[r] = SCHED && k->packed ? SCHED_CODE(k, k->base.Y, k->base.D) : k->base.D;
                l->rev_u[r] = 0.5;
                l->rev_slot[r] = k->base.Y;
                l->rev_f[r] = -1;
            }
        }
        lanes_run(k, w, n, ls, SCHED);
        if (k->packed)
            for (int q = 0; q < count; q++)
                lane_take_years(k, &w->lane[q], r0[q], before[q]);
    }
    if (k->packed) /* the years after the last revision (all of them when there was none) */
        for (int q = 0; q < count; q++)
            lane_take_years(k, &w->lane[q], w->lane[q].queued, w->lane[q].pk);
}

/* Simulates trajectories first .. first + count - 1 (count <= LANES), under
 * schedule ls when not NULL, and tallies them, weighted when given is not
 * NULL; their final scenarios go to fin (when not NULL; unweighted runs
 * only). */
/* Compiled twice, for AVX2 and for the baseline, and chosen at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
static void simulate_lanes(const scenmc__kernel *k, uint64_t seed, uint64_t first, int count,
                           worker *w, tally *t, int *fin, const scenmc__given *given, const lane_sched *ls)
{
    if (ls)
        lanes_simulate(k, seed, first, count, w, ls, 1);
    else
        lanes_simulate(k, seed, first, count, w, NULL, 0);
    if (given) { /* kept apart, so that the plain tally keeps its constant 1 */
        for (int q = 0; q < count; q++) {
            const uint64_t wt = lane_weight(k, &w->lane[q], given);
            t->wsum += wt;
            scenmc__u128_add(t->wsq, wt * wt, 0);
            if (wt) /* weight 0 (hard evidence not met): nothing to add */
                lane_tally(k, &w->lane[q], t, wt);
        }
        return;
    }
    for (int q = 0; q < count; q++) {
        int f = lane_tally(k, &w->lane[q], t, 1);
        if (fin)
            fin[q] = f;
    }
}

/* Top mode: the threads' maps merged exactly, and every distinct final state
 * kept with its count (the table shows the SCENMC_TOP_STATES most frequent,
 * ties by index), so that ranks, shards and resumed parts add by state. Over
 * SCENMC__TOP_LIST_MAX distinct states the table is dropped, saying why. */
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
    scenmc_status st = SCENMC_OK;
    scenmc__state_count *sc = overflow ? NULL : malloc((all.map_n ? all.map_n : 1) * sizeof *sc);
    if (overflow) {
        scenmc__results_drop_top(r, SCENMC__FS_TOO_MANY);
    } else if (!sc) {
        st = SCENMC_E_NOMEM;
    } else {
        size_t n = 0;
        for (size_t j = 0; j < all.map_cap; j++)
            if (all.map_key[j])
                sc[n++] = (scenmc__state_count){all.map_key[j] - 1, all.map_count[j]};
        st = scenmc__results_set_top(r, sc, n);
    }
    free(sc);
    free(all.map_key);
    free(all.map_count);
    return st;
}

/* The request's checks, then r and the kernel for it (both freed on failure). */
static scenmc_status run_prepare(const scenmc_model *m, const scenmc_params *p,
                                 const scenmc__engine_tuning *tune, scenmc_results *r,
                                 scenmc__kernel *k, scenmc_error *err)
{
    scenmc_status st = scenmc__params_check_scheduled(p, err);
    if (st != SCENMC_OK)
        return st;
    for (int d = 0; d < m->n_descriptors; d++)
        if (m->descriptors[d].n_variants > 255)
            return scenmc_error_add(err, SCENMC_E_LIMIT, "descriptor %s has more than 255 variants",
                                    m->descriptors[d].id);
    st = scenmc_results_init(r, m, p, SCENMC_MONTE_CARLO, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc__kernel_init(k, m, p, r, err);
    if (st == SCENMC_OK && (st = scenmc__kernel_build_groups(k, tune ? tune->group_limit : 0, err)) != SCENMC_OK)
        scenmc__kernel_free(k);
    if (st != SCENMC_OK) {
        scenmc_results_free(r);
        return st;
    }
    k->joint_tally = joint_tally(r, k->group_row[k->n_groups]) && !(tune && tune->split_tally);
    k->top_states = !r->full_states && r->n_states > 0;
    return SCENMC_OK;
}

/* Simulates [first, last) in chunks on `threads` threads, into their
 * tallies; returns the end of the chunks done (less than last when the
 * progress callback stopped the run). */
static uint64_t run_chunks(const scenmc__kernel *k, const scenmc_params *p, const scenmc_run_options *opt,
                           const scenmc__given *given, const lane_sched *ls, uint64_t first, uint64_t last,
                           int threads, tally *tallies, double t0)
{
    uint64_t chunk = (opt && opt->chunk) ? opt->chunk : (uint64_t)65536 * (uint64_t)threads;
    volatile int stop = 0;
    uint64_t done_to = first;
#pragma omp parallel num_threads(threads)
    {
        worker *w = worker_new(k);
        tally *t = &tallies[omp_get_thread_num()];
        for (uint64_t c = first; c < last; c += chunk) {
            uint64_t c_end = last - c > chunk ? c + chunk : last;
            uint64_t blocks = (c_end - c + LANES - 1) / LANES;
#pragma omp for schedule(dynamic, 64)
            for (uint64_t q = 0; q < blocks; q++) {
                uint64_t j = c + q * LANES;
                simulate_lanes(k, p->seed, j, c_end - j < LANES ? (int)(c_end - j) : LANES, w, t, NULL, given, ls);
            }
#pragma omp single
            {
                done_to = c_end;
                if (opt && opt->progress &&
                    opt->progress(opt->progress_ctx, c_end - first, last - first, scenmc__now() - t0))
                    stop = 1;
            }
            if (stop)
                break;
        }
        worker_free(w);
    }
    return done_to;
}

/* The joint table [row][S_final][Y][S] split into variant x scenario and
 * early warning. */
static void split_joint_tally(const scenmc__kernel *k, const scenmc_results *r, const uint64_t *src,
                              uint64_t *sv, uint64_t *ew)
{
    const size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)k->base.V;
    const size_t rows = (size_t)k->group_row[k->n_groups];
    for (size_t y = 0; y < Y; y++)
        for (size_t s = 0; s < S; s++)
            for (size_t row = 0; row < rows; row++) {
                int g = k->row_group[row];
                const uint16_t *u = k->row_variant + row * (size_t)k->group_width;
                for (size_t f = 0; f < S; f++) {
                    uint64_t c = src[((row * S + f) * Y + y) * S + s];
                    if (!c)
                        continue;
                    for (int d = 0; d < k->group_first[g + 1] - k->group_first[g]; d++) {
                        sv[(y * S + s) * V + u[d]] += c;
                        ew[(y * V + u[d]) * S + f] += c;
                    }
                }
            }
}

/* Exact merge of the threads' tallies into r: integer addition, in any
 * order; frees each tally's block. */
static void merge_tallies(const scenmc__kernel *k, scenmc_results *r, tally *tallies, int threads)
{
    size_t parts[6];
    tally_size(r, k->group_row[k->n_groups], k->joint_tally, parts);
    uint64_t *dst[6] = {r->t[SCENMC_T_SCENARIO_VARIANT].counts, r->t[SCENMC_T_TRANSITION].counts,
                        r->t[SCENMC_T_EARLY_WARNING].counts, r->t[SCENMC_T_CONSISTENCY].counts,
                        r->t[SCENMC_T_LOCK_IN].counts, r->t[SCENMC_T_FINAL_STATE].counts};
    for (int i = 0; i < threads; i++) {
        const uint64_t *src[6] = {tallies[i].sv, tallies[i].tr, tallies[i].ew,
                                  tallies[i].kb, tallies[i].li, tallies[i].fs};
        for (int q = 0; q < 6; q++) {
            if (q == 0 && k->joint_tally)
                split_joint_tally(k, r, src[0], dst[0], dst[2]);
            else
                for (size_t j = 0; j < parts[q]; j++)
                    dst[q][j] += src[q][j];
        }
        r->weight_sum += tallies[i].wsum;
        scenmc__u128_add(r->weight_sq_sum, tallies[i].wsq[0], tallies[i].wsq[1]);
        free(tallies[i].block);
    }
}

/* The optimised engines over [first, last) into r, timed from *t0 (set
 * here); returns the end of the trajectories done, with *st set on failure. */
static uint64_t run_engines(const scenmc__kernel *k, const scenmc_params *p, const scenmc_run_options *opt,
                            const scenmc__given *given, const lane_sched *ls, uint64_t first, uint64_t last,
                            int threads, scenmc_results *r, double *t0, scenmc_status *st, scenmc_error *err)
{
    tally *tallies = scenmc__xcalloc((size_t)threads, sizeof(tally));
    int ok = 1;
    for (int i = 0; i < threads; i++)
        ok = ok && tally_alloc(&tallies[i], r, k->group_row[k->n_groups], k->joint_tally);
    if (!ok) {
        for (int i = 0; i < threads; i++)
            free(tallies[i].block);
        free(tallies);
        *st = scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for %d per-thread tallies", threads);
        return 0;
    }
    *t0 = scenmc__now(); /* the simulation only */
    uint64_t done_to = run_chunks(k, p, opt, given, ls, first, last, threads, tallies, *t0);
    merge_tallies(k, r, tallies, threads);
    if (k->top_states && keep_top_states(r, tallies, threads) != SCENMC_OK)
        *st = scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the final-state table");
    for (int i = 0; i < threads; i++) {
        free(tallies[i].map_key);
        free(tallies[i].map_count);
    }
    free(tallies);
    return done_to;
}

/* The observations to weigh by (none: 0), checked against the model and
 * the parameters. */
static scenmc_status given_prepare(const scenmc_model *m, const scenmc_params *p, const scenmc_run_options *opt,
                                   scenmc__given *g, int *weighted, scenmc_error *err)
{
    const scenmc_observations *o = opt ? opt->given : NULL;
    *weighted = 0;
    memset(g, 0, sizeof *g);
    if (!o || (o->n == 0 && !o->start))
        return SCENMC_OK;
    scenmc_status st = scenmc__given_check(m, p, o, err);
    if (st == SCENMC_OK)
        *weighted = scenmc__given_init(g, o, p->year_start);
    return st;
}

scenmc_status scenmc_run(const scenmc_model *m, const scenmc_params *p,
                         const scenmc_run_options *opt, scenmc_results *r, scenmc_error *err)
{
    return scenmc__run_tuned(m, p, opt, NULL, r, err);
}

scenmc_status scenmc__run_tuned(const scenmc_model *m, const scenmc_params *p,
                                const scenmc_run_options *opt, const scenmc__engine_tuning *tune,
                                scenmc_results *r, scenmc_error *err)
{
    scenmc__kernel k;
    scenmc__given given;
    int weighted;
    scenmc_status st = given_prepare(m, p, opt, &given, &weighted, err);
    if (st != SCENMC_OK)
        return st;
    st = run_prepare(m, p, tune, r, &k, err);
    if (st != SCENMC_OK) {
        scenmc__given_free(&given);
        return st;
    }
    const scenmc__given *g = weighted ? &given : NULL;
    uint64_t first = opt ? opt->first : 0;
    uint64_t last = (opt && opt->last) ? opt->last : p->n_trajectories;
    if (first > last || last > p->n_trajectories)
        st = scenmc_error_add(err, SCENMC_E_INPUT, "trajectory range [%llu, %llu) is not within "
                              "[0, %llu)", (unsigned long long)first, (unsigned long long)last,
                              (unsigned long long)p->n_trajectories);
    else if (tune && tune->reference && k.top_states)
        st = scenmc_error_add(err, SCENMC_E_LIMIT, "the reference engine counts final states only "
                              "in full-state mode");
    int threads = (opt && opt->threads > 0) ? opt->threads : omp_get_max_threads();
    double t0 = scenmc__now();
    uint64_t done_to = last;
    scenmc__sched sc;
    lane_sched ls;
    const int sched = st == SCENMC_OK && scenmc__sched_init(&sc, &k, m, p);
    /* The lanes run a schedule unless the reference engine is asked for or
     * its biases are too large for them (lane_sched_init). */
    const int lanes_sched = sched && !(tune && tune->reference) && lane_sched_init(&ls, &k, &sc);
    if (sched && !lanes_sched && k.top_states)
        st = sched_top_refusal(m, p, &sc, err);
    if (sched && !lanes_sched && st == SCENMC_OK) /* the per-trajectory engine (docs/model.md 11.7) */
        scenmc__reference_run_sched(&k, &sc, p->seed, first, last, g, tune && tune->reference ? 1 : threads, r);
    else if (st == SCENMC_OK && tune && tune->reference)
        scenmc__reference_run(&k, p->seed, first, last, g, r);
    else if (st == SCENMC_OK)
        done_to = run_engines(&k, p, opt, g, lanes_sched ? &ls : NULL, first, last, threads, r, &t0, &st, err);
    if (lanes_sched)
        lane_sched_free(&ls);
    if (sched)
        scenmc__sched_free(&sc);
    scenmc__kernel_free(&k);
    scenmc__given_free(&given);
    if (st == SCENMC_OK && g)
        scenmc__results_set_given(r, opt->given);
    if (st != SCENMC_OK) {
        scenmc_results_free(r);
        return st;
    }
    r->first = first;
    r->last = done_to;
    r->n_trajectories = done_to - first;
    r->threads = tune && tune->reference ? 1 : threads;
    r->wall_seconds = scenmc__now() - t0;
    scenmc_results_finalize(r);
    if (done_to < last)
        return scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %llu of %llu trajectories",
                                (unsigned long long)(done_to - first),
                                (unsigned long long)(last - first));
    return SCENMC_OK;
}

/* The final scenario of trajectory traj (states: [Y * D] scratch). */
static int final_scenario(const scenmc__kernel *k, const scenmc__sched *sc, uint64_t seed, uint64_t traj,
                          int *nrev, int *states)
{
    scenmc__reference_trajectory(k, sc, seed, traj, nrev, states);
    const int *s = states + (size_t)(k->base.Y - 1) * (size_t)k->base.D;
    long si = 0;
    for (int d = 0; d < k->base.D; d++)
        si += (long)k->base.scen_stride[d] * s[d];
    return k->base.scen_table[si];
}

/* One trajectory's pair of outcomes into its cell. Unweighted runs count
 * only (their weight sums are filled in at the end). */
static inline void cell_add(scenmc__paired_cell *c, uint64_t wa, uint64_t wb, int weighted)
{
    c->n++;
    if (!weighted)
        return;
    c->wa += wa;
    c->wb += wb;
    scenmc__u128_add(c->waa, wa * wa, 0); /* weights <= 2^24: products fit in 64 bits */
    scenmc__u128_add(c->wbb, wb * wb, 0);
    scenmc__u128_add(c->wab, wa * wb, 0);
}

/* A thread's cells added to the run's: integer sums, in any order. */
static void cells_merge(scenmc__paired_cell *dst, const scenmc__paired_cell *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i].n += src[i].n;
        dst[i].wa += src[i].wa;
        dst[i].wb += src[i].wb;
        scenmc__u128_add(dst[i].waa, src[i].waa[0], src[i].waa[1]);
        scenmc__u128_add(dst[i].wbb, src[i].wbb[0], src[i].wbb[1]);
        scenmc__u128_add(dst[i].wab, src[i].wab[0], src[i].wab[1]);
    }
}

/* One arm of a paired run: its kernel, and its schedule for both engines. */
typedef struct paired_arm {
    scenmc_results r;
    scenmc__kernel k;
    scenmc__sched sc;
    lane_sched ls;
    int sched; /* a schedule that changes something */
    int lanes; /* the lanes run it (always without a schedule) */
} paired_arm;

static scenmc_status arm_init(paired_arm *A, const scenmc_model *m, const scenmc_params *p, scenmc_error *err)
{
    memset(A, 0, sizeof *A);
    scenmc_status st = run_prepare(m, p, NULL, &A->r, &A->k, err);
    if (st != SCENMC_OK)
        return st;
    A->k.top_states = 0; /* only the final scenarios are used */
    A->sched = scenmc__sched_init(&A->sc, &A->k, m, p);
    A->lanes = !A->sched || lane_sched_init(&A->ls, &A->k, &A->sc);
    return SCENMC_OK;
}

static void arm_free(paired_arm *A)
{
    if (A->sched && A->lanes)
        lane_sched_free(&A->ls);
    if (A->sched)
        scenmc__sched_free(&A->sc);
    scenmc__kernel_free(&A->k);
    scenmc_results_free(&A->r);
}

/* The paired run on the per-trajectory reference engine (a schedule the
 * lanes cannot run, or asked for): the same random stream as the lanes'. */
static void paired_sched(const paired_arm *A, const paired_arm *B, const scenmc_params *a, const scenmc__given *g,
                         int threads, scenmc__paired_cell *cells)
{
    const scenmc__kernel *ka = &A->k, *kb = &B->k;
    const scenmc__sched *sa = A->sched ? &A->sc : NULL, *sb = B->sched ? &B->sc : NULL;
    const size_t S = (size_t)A->r.n_scenarios;
#pragma omp parallel num_threads(threads)
    {
        const size_t YD = (size_t)ka->base.Y * (size_t)ka->base.D;
        int *nrev = scenmc__xcalloc((size_t)ka->base.Y, sizeof(int)), *st = scenmc__xcalloc(YD, sizeof(int));
        scenmc__paired_cell *local = scenmc__xcalloc(S * S, sizeof *local);
#pragma omp for schedule(dynamic, 256)
        for (uint64_t j = 0; j < a->n_trajectories; j++) {
            const int fa = final_scenario(ka, sa, a->seed, j, nrev, st);
            const uint64_t wa = g ? scenmc__given_trajectory_weight(g, st, ka->base.D) : 1;
            const int fb = final_scenario(kb, sb, a->seed, j, nrev, st);
            const uint64_t wb = g ? scenmc__given_trajectory_weight(g, st, kb->base.D) : 1;
            cell_add(&local[(size_t)fa * S + (size_t)fb], wa, wb, g != NULL);
        }
#pragma omp critical
        cells_merge(cells, local, S * S);
        free(local);
        free(nrev);
        free(st);
    }
}

/* The final scenarios (fin) and weights (wt: 1 without g) of trajectories
 * first .. first + count - 1 on the lanes, from their year-end records:
 * nothing else is tallied. Compiled like simulate_lanes. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
static void lanes_final(const scenmc__kernel *k, uint64_t seed, uint64_t first, int count, worker *w,
                        const lane_sched *ls, const scenmc__given *g, int *fin, uint64_t *wt)
{
    if (ls)
        lanes_simulate(k, seed, first, count, w, ls, 1);
    else
        lanes_simulate(k, seed, first, count, w, NULL, 0);
    for (int q = 0; q < count; q++) {
        const lane *l = &w->lane[q];
        long si = 0;
        for (int gr = 0; gr < k->n_groups; gr++)
            si += k->row_scen[lane_row_at(k, l, k->base.Y - 1, gr)];
        fin[q] = k->base.scen_table[si];
        wt[q] = g ? lane_weight(k, l, g) : 1;
    }
}

/* The paired run on the lanes, eight trajectories at a time per arm, each
 * arm with its schedule; the weights as scenmc_run weighs (lane_weight). */
static void paired_lanes(const paired_arm *A, const paired_arm *B, const scenmc_params *a, const scenmc__given *g,
                         int threads, scenmc__paired_cell *cells)
{
    const scenmc__kernel *ka = &A->k, *kb = &B->k;
    const lane_sched *la = A->sched ? &A->ls : NULL, *lb = B->sched ? &B->ls : NULL;
    const size_t S = (size_t)A->r.n_scenarios;
#pragma omp parallel num_threads(threads)
    {
        worker *wa = worker_new(ka), *wb = worker_new(kb);
        scenmc__paired_cell *local = scenmc__xcalloc(S * S, sizeof *local);
        uint64_t blocks = (a->n_trajectories + LANES - 1) / LANES;
#pragma omp for schedule(dynamic, 64)
        for (uint64_t q = 0; q < blocks; q++) {
            uint64_t j = q * LANES;
            int n = a->n_trajectories - j < LANES ? (int)(a->n_trajectories - j) : LANES;
            int fa[LANES], fb[LANES];
            uint64_t xa[LANES], xb[LANES];
            lanes_final(ka, a->seed, j, n, wa, la, g, fa, xa);
            lanes_final(kb, a->seed, j, n, wb, lb, g, fb, xb);
            for (int i = 0; i < n; i++)
                cell_add(&local[(size_t)fa[i] * S + (size_t)fb[i]], xa[i], xb[i], g != NULL);
        }
#pragma omp critical
        cells_merge(cells, local, S * S);
        free(local);
        worker_free(wa);
        worker_free(wb);
    }
}

scenmc_status scenmc__run_paired(const scenmc_model *m, const scenmc_params *a, const scenmc_params *b,
                                 const scenmc_observations *o, const scenmc__engine_tuning *tune,
                                 int threads, scenmc__paired_cell *cells, scenmc_error *err)
{
    if (a->seed != b->seed || a->n_trajectories != b->n_trajectories)
        return scenmc_error_add(err, SCENMC_E_INPUT, "paired runs need the same seed and trajectory count");
    scenmc__given given;
    int weighted;
    const scenmc_run_options opt = {.given = o};
    scenmc_status st = given_prepare(m, a, &opt, &given, &weighted, err);
    if (st != SCENMC_OK)
        return st;
    paired_arm A, B;
    if ((st = arm_init(&A, m, a, err)) != SCENMC_OK) {
        scenmc__given_free(&given);
        return st;
    }
    if ((st = arm_init(&B, m, b, err)) != SCENMC_OK) {
        arm_free(&A);
        scenmc__given_free(&given);
        return st;
    }
    const scenmc__given *g = weighted ? &given : NULL;
    const size_t S = (size_t)A.r.n_scenarios;
    memset(cells, 0, S * S * sizeof *cells);
    if (threads <= 0)
        threads = omp_get_max_threads();
    if ((tune && tune->reference) || !A.lanes || !B.lanes)
        paired_sched(&A, &B, a, g, threads, cells);
    else
        paired_lanes(&A, &B, a, g, threads, cells);
    for (size_t i = 0; i < S * S && !g; i++) { /* unweighted: every weight 1 */
        scenmc__paired_cell *c = &cells[i];
        c->wa = c->wb = c->waa[0] = c->wbb[0] = c->wab[0] = c->n;
    }
    arm_free(&A);
    arm_free(&B);
    scenmc__given_free(&given);
    return st;
}

scenmc_status scenmc__run_paired_final(const scenmc_model *m, const scenmc_params *a,
                                      const scenmc_params *b, int threads, uint64_t *joint,
                                      scenmc_error *err)
{
    const size_t S = (size_t)m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0), SS = S * S;
    scenmc__paired_cell *cells = scenmc__xcalloc(SS, sizeof *cells);
    scenmc_status st = scenmc__run_paired(m, a, b, NULL, NULL, threads, cells, err);
    for (size_t i = 0; i < SS && st == SCENMC_OK; i++)
        joint[i] += cells[i].n;
    free(cells);
    return st;
}
