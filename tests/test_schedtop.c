/* Schedules (trends, pushes, interventions, shocks) on a model of more than
 * SCENMC_FULL_STATE_LIMIT states, where the lane engine keeps only the
 * distinct final states it saw ("top states" mode, docs/model.md 11.7).
 *
 * The model: four free descriptors A (3), B (2), C (3), E (2) that do not
 * interact with each other, and 20 binary descriptors F0..F19 that make the
 * state space 36 * 2^20. In the "held" schedule every F is held from the
 * start, so each free descriptor is a chain of its own (its impacts from the
 * held F's are constants) and every year's distribution is a product of
 * closed forms: one year of a descriptor revised at rate lambda with
 * heat-bath law pi and shocked to v at hazard H is
 *     p' = e^-(lambda+H) p + (1 - e^-(lambda+H)) (lambda pi + H e_v) / (lambda + H)
 * (docs/model.md 12.4 for one descriptor), a held one p' = p. The counts are
 * checked against it by chi-square (tests/testref.c), year by year and for
 * the final states. In the "spread" schedule the F's move (about as many
 * distinct final states as trajectories, so the top table is a selection):
 * there the tables and the list of final states must equal the plain
 * reference engine's (engine/reference.c), which is run here trajectory by
 * trajectory (also conditioned on hard evidence, the trajectories that meet
 * it picked by hand), and threads, ranges and shards merged must give the
 * same results bit for bit. Both schedules: the list agrees with the
 * marginals. */
#include "testutil.h"
#include "testref.h"

#include "scenmc/observe.h"
#include "scenmc/schedule.h"
#include "engine/kernel.h"
#include "engine/reference.h"
#include "engine/simulate.h"
#include "model/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NF 20          /* filler descriptors F0..F19 */
#define ND (4 + NF)    /* descriptors */
#define NV (10 + 2 * NF)
#define NY 7           /* observations 0..6 */
#define BETA 0.7

static const int nvar[4] = {3, 2, 3, 2};
static const int off[4] = {0, 3, 5, 8};
static const double lam[4] = {1.5, 2, 0.7, 1.5};

static scenmc_model *M;
static char model_yaml[8192];

static int setup(void **state)
{
    size_t n = (size_t)snprintf(model_yaml, sizeof model_yaml,
                                "name: wide_sched\nyears: {start: 0, end: 6}\ndescriptors:\n"
                                "  - {id: A, variants: [a1, a2, a3]}\n"
                                "  - {id: B, variants: [b1, b2], rate: 2}\n"
                                "  - {id: C, variants: [c1, c2, c3], rate: 0.7}\n"
                                "  - {id: E, variants: [e1, e2]}\n");
    for (int f = 0; f < NF; f++)
        n += (size_t)snprintf(model_yaml + n, sizeof model_yaml - n,
                              "  - {id: F%d, variants: [x, y], rate: 0.1}\n", f);
    snprintf(model_yaml + n, sizeof model_yaml - n,
             "consistency:\n"
             "  - {between: [A, F0], scores: [[1, 0], [-1, 2], [0, -1]]}\n"
             "  - {between: [C, F1], scores: [[0, 1], [2, 0], [-1, 1]]}\n"
             "  - {between: [F4, F5], scores: [[1, -1], [-1, 1]]}\n"
             "bias: {E: [0.5, 0]}\n"
             "scenarios:\n"
             "  - {name: S1, when: {A: a1}}\n"
             "  - {name: S2, when: {A: a3, B: b2}}\n"
             "defaults: {beta: 0.7, rate: 1.5}\n");
    M = model_from_string(model_yaml);
    return scratch_setup(state);
}

static int teardown(void **state)
{
    scenmc_model_free(M);
    return scratch_teardown(state);
}

/* The changes of the free descriptors, as command-line texts. */
#define TREND "B=b2:0=-1,6=2.5"
#define PUSH "2:A=a3:1.2"
#define SHOCK "1-4:C=c1@0.8"
#define HOLD "2-3:E=e2"
/* The spread schedule's changes of the F's. */
#define HOLD_F2 "3:F2=y"
#define SHOCK_F3 "1-5:F3=y@0.6"

typedef enum { HELD, SPREAD } sched_kind;

static void params_for(scenmc_params *p, sched_kind kind, uint64_t n)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_params_init(p, M);
    p->n_trajectories = n;
    p->seed = 2026;
    p->schedule = malloc(sizeof *p->schedule);
    scenmc_schedule_init(p->schedule);
    scenmc_schedule *s = p->schedule;
    assert_int_equal(scenmc_schedule_add_trend(s, M, TREND, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_push(s, M, PUSH, 6, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_shock(s, M, SHOCK, 6, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_intervention(s, M, HOLD, 6, &err), SCENMC_OK);
    if (kind == SPREAD) {
        assert_int_equal(scenmc_schedule_add_intervention(s, M, HOLD_F2, 6, &err), SCENMC_OK);
        assert_int_equal(scenmc_schedule_add_shock(s, M, SHOCK_F3, 6, &err), SCENMC_OK);
        return;
    }
    for (int f = 0; f < NF; f++) { /* every F held from the start at x (even f) or y (odd f) */
        char text[32];
        snprintf(text, sizeof text, "0:F%d=%s", f, f % 2 ? "y" : "x");
        assert_int_equal(scenmc_schedule_add_intervention(s, M, text, 6, &err), SCENMC_OK);
    }
}

static void run_or_fail(const scenmc_params *p, int threads, uint64_t first, uint64_t last, scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {.threads = threads, .first = first, .last = last};
    if (scenmc_run(M, p, &opt, r, &err) != SCENMC_OK)
        fail_msg("run: %s", err.msg);
    assert_false(r->full_states);
    assert_int_equal(r->final_state_dropped, 0);
}

/* ------------------------------------------------------------ closed form */

/* The balance of variant b of free descriptor d in calendar year c (the
 * held F0 = x and F1 = y give A and C constant impacts, w_C = 1), typed in
 * from the model and the changes above. */
static double balance(int d, int b, int c)
{
    static const double a_from_f0[3] = {1, -1, 0}, c_from_f1[3] = {1, 0, 1}, e_bias[2] = {0.5, 0};
    switch (d) {
    case 0: return a_from_f0[b] + (b == 2 && c >= 2 ? 1.2 : 0);
    case 1: return b == 1 ? -1 + 3.5 * c / 6 : 0;
    case 2: return c_from_f1[b];
    default: return e_bias[b];
    }
}

/* marg[y][off[d] + b]: P(free descriptor d at variant b at observation y). */
static void closed_form(const scenmc_params *p, double marg[NY][10])
{
    for (int d = 0; d < 4; d++)
        for (int b = 0; b < nvar[d]; b++)
            marg[0][off[d] + b] = p->initial[off[d] + b];
    for (int y = 1; y < NY; y++) {
        const int c = y - 1; /* year y is the interval from c to c + 1 */
        for (int d = 0; d < 4; d++) {
            double *q = marg[y] + off[d];
            const double *q0 = marg[y - 1] + off[d];
            if (d == 3 && (c == 2 || c == 3)) { /* E held over 2-3 */
                memcpy(q, q0, sizeof(double) * 2);
                continue;
            }
            double pi[3], z = 0;
            for (int b = 0; b < nvar[d]; b++)
                z += pi[b] = exp(BETA * balance(d, b, c));
            const double H = (d == 2 && c >= 1 && c <= 4) ? 0.8 : 0, rate = lam[d] + H;
            const double stay = exp(-rate);
            for (int b = 0; b < nvar[d]; b++) {
                double mu = (lam[d] * pi[b] / z + (d == 2 && b == 0 ? H : 0)) / rate;
                q[b] = stay * q0[b] + (1 - stay) * mu;
            }
        }
        if (y == 2) /* the hold of E sets e2 at time 2 */
            marg[y][off[3]] = 0, marg[y][off[3] + 1] = 1;
    }
}

/* Counts of variant u at observation y, summed over the scenarios. */
static uint64_t variant_count(const scenmc_results *r, int y, int u)
{
    const size_t S = (size_t)r->n_scenarios, V = (size_t)M->n_variants;
    uint64_t c = 0;
    for (size_t s = 0; s < S; s++)
        c += r->t[SCENMC_T_SCENARIO_VARIANT].counts[((size_t)y * S + s) * V + (size_t)u];
    return c;
}

/* The count of state x in r's list of distinct final states (0: not seen). */
static uint64_t listed_count(const scenmc_results *r, uint64_t x)
{
    for (uint64_t i = 0; i < r->n_top_distinct; i++)
        if (r->top_list_state[i] == x)
            return r->top_list_count[i];
    return 0;
}

/* Every year's marginals of the free descriptors and the scenarios, then
 * the 36 final states that can occur, against the closed form. */
static void check_closed_form(const scenmc_params *p, const scenmc_results *r)
{
    double marg[NY][10];
    closed_form(p, marg);
    const uint64_t N = r->n_trajectories;
    for (int y = 0; y < NY; y++) {
        for (int d = 0; d < 4; d++) {
            uint64_t obs[3];
            for (int b = 0; b < nvar[d]; b++)
                obs[b] = variant_count(r, y, off[d] + b);
            double pv = testref_chi2_pvalue_counts(obs, marg[y] + off[d], (size_t)nvar[d], N);
            if (pv < 1e-6)
                fail_msg("year %d, descriptor %d: chi-square p-value %.3g", y, d, pv);
        }
        /* scenarios S1 (A = a1), S2 (A = a3, B = b2), unclassified */
        assert_int_equal(r->n_scenarios, 3);
        double ps[3] = {marg[y][0], marg[y][2] * marg[y][4], 0};
        ps[2] = 1 - ps[0] - ps[1];
        double pv = testref_chi2_pvalue_counts(r->t[SCENMC_T_SCENARIO].counts + (size_t)y * 3, ps, 3, N);
        if (pv < 1e-6)
            fail_msg("year %d: scenarios: chi-square p-value %.3g", y, pv);
    }
    /* The final states: the free part over its 36 values, the F's as held. */
    int s[ND];
    for (int f = 0; f < NF; f++)
        s[4 + f] = f % 2;
    uint64_t obs[36], seen = 0;
    double prob[36];
    for (int i = 0; i < 36; i++) {
        s[0] = i / 12, s[1] = i / 6 % 2, s[2] = i / 2 % 3, s[3] = i % 2;
        prob[i] = 1;
        for (int d = 0; d < 4; d++)
            prob[i] *= marg[NY - 1][off[d] + s[d]];
        seen += obs[i] = listed_count(r, scenmc_state_index(M, s));
    }
    if (seen != N)
        fail_msg("%llu of %llu trajectories end in a state the closed form allows",
                 (unsigned long long)seen, (unsigned long long)N);
    double pv = testref_chi2_pvalue_counts(obs, prob, 36, N);
    if (pv < 1e-6)
        fail_msg("final states: chi-square p-value %.3g", pv);
}

/* --------------------------------------------- the list against the tables */

/* The list holds every distinct final state once, by count then index, its
 * counts sum to N (the weight sum when conditioned), no state is counted more often than any of its variants
 * in the final year, the table shows the list's head, and a descriptor held
 * to the end (held[d] >= 0) shows its held variant in every listed state. */
static void check_list(const scenmc_results *r, const int *held)
{
    const uint64_t n = r->n_top_distinct;
    assert_non_null(r->top_list_state);
    uint64_t sum = 0;
    int s[ND];
    for (uint64_t i = 0; i < n; i++) {
        const uint64_t x = r->top_list_state[i], c = r->top_list_count[i];
        assert_true(c > 0 && x < r->n_states);
        if (i > 0) {
            const uint64_t xp = r->top_list_state[i - 1], cp = r->top_list_count[i - 1];
            if (!(cp > c || (cp == c && xp < x)))
                fail_msg("list entries %llu and %llu are out of order", (unsigned long long)i - 1,
                         (unsigned long long)i);
        }
        sum += c;
        scenmc_state_from_index(M, x, s);
        for (int d = 0; d < ND; d++) {
            if (held[d] >= 0 && s[d] != held[d])
                fail_msg("state %llu: descriptor %d is %d, held at %d", (unsigned long long)x, d, s[d], held[d]);
            if (c > variant_count(r, NY - 1, M->descriptors[d].offset + s[d]))
                fail_msg("state %llu counted %llu times, more than its variant of descriptor %d",
                         (unsigned long long)x, (unsigned long long)c, d);
        }
    }
    assert_true(sum == (r->conditioned ? r->weight_sum : r->n_trajectories));
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    assert_int_equal(t->size, n < SCENMC_TOP_STATES ? n : SCENMC_TOP_STATES);
    for (size_t i = 0; i < t->size; i++)
        assert_true(t->counts[i] == r->top_list_count[i] && r->top_state[i] == r->top_list_state[i]);
}

static void held_at_end(sched_kind kind, int *held)
{
    for (int d = 0; d < ND; d++)
        held[d] = kind == HELD && d >= 4 ? (d - 4) % 2 : -1;
    if (kind == SPREAD)
        held[4 + 2] = 1; /* F2 = y from 3 to the end */
}

/* ------------------------------------------------ the reference engine */

static int by_state(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Hard evidence applied by hand: a trajectory is kept when descriptor d is
 * at variant v at observation y, for each of n (y, d, v); n = 0 keeps all. */
typedef struct filter {
    int n, y[2], d[2], v[2];
} filter;

static int kept(const filter *f, const int *states)
{
    for (int i = 0; i < f->n; i++)
        if (states[f->y[i] * ND + f->d[i]] != f->v[i])
            return 0;
    return 1;
}

/* The reference engine, one trajectory at a time, tallied in order (as
 * scenmc__reference_run_sched does) over the trajectories f keeps: every
 * table but the final states', and those as sorted indices fin[*n_kept]. */
static void reference_run(const scenmc_params *p, const filter *f, scenmc_results *r, uint64_t *fin,
                          uint64_t *n_kept)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc__kernel k;
    scenmc__sched sc;
    assert_int_equal(scenmc_results_init(r, M, p, SCENMC_MONTE_CARLO, &err), SCENMC_OK);
    assert_int_equal(scenmc__kernel_init(&k, M, p, r, &err), SCENMC_OK);
    /* the start blocks the start words are read by (the grouped tables are not used) */
    assert_int_equal(scenmc__kernel_build_groups(&k, 0, &err), SCENMC_OK);
    assert_true(scenmc__sched_init(&sc, &k, M, p));
    int nrev[NY], states[NY * ND], scen[NY];
    *n_kept = 0;
    for (uint64_t j = 0; j < p->n_trajectories; j++) {
        scenmc__reference_trajectory(&k, &sc, p->seed, j, nrev, states);
        if (!kept(f, states))
            continue;
        scenmc__reference_tally(&k, states, scen, 1, r);
        fin[(*n_kept)++] = scenmc_state_index(M, states + (NY - 1) * ND);
    }
    qsort(fin, *n_kept, sizeof *fin, by_state);
    r->n_trajectories = *n_kept;
    scenmc_results_finalize(r); /* the scenario and variant tables: sums of the tallies */
    scenmc__sched_free(&sc);
    scenmc__kernel_free(&k);
}

/* The run's tables equal the reference's, and its list of final states is
 * the reference's final states counted by state. */
static void check_reference(const scenmc_params *p, const filter *f, const scenmc_results *r)
{
    scenmc_results ref;
    uint64_t *fin = malloc(p->n_trajectories * sizeof *fin), N;
    reference_run(p, f, &ref, fin, &N);
    if (f->n)
        assert_true(r->conditioned && r->weight_one == 1 && r->weight_sum == N);
    for (int t = 0; t < SCENMC_N_TABLES; t++)
        if (t != SCENMC_T_FINAL_STATE && r->t[t].counts &&
            memcmp(r->t[t].counts, ref.t[t].counts, r->t[t].size * sizeof(uint64_t)) != 0)
            fail_msg("table %s differs from the reference engine's", scenmc_table_names[t]);
    const uint64_t n = r->n_top_distinct;
    scenmc__state_count *list = malloc((n ? n : 1) * sizeof *list);
    for (uint64_t i = 0; i < n; i++)
        list[i] = (scenmc__state_count){r->top_list_state[i], r->top_list_count[i]};
    qsort(list, n, sizeof *list, by_state); /* state is the first member */
    uint64_t i = 0;
    for (uint64_t j = 0; j < N; i++) {
        uint64_t c = 0, x = fin[j];
        while (j < N && fin[j] == x)
            j++, c++;
        if (i >= n || list[i].state != x || list[i].count != c)
            fail_msg("final state %llu: the reference counts %llu, the run %llu", (unsigned long long)x,
                     (unsigned long long)c, i < n && list[i].state == x ? (unsigned long long)list[i].count : 0ULL);
    }
    assert_true(i == n);
    free(list);
    free(fin);
    scenmc_results_free(&ref);
}

/* ------------------------------------------------------------------ tests */

static void test_held_closed_form(void **state)
{
    (void)state;
    scenmc_params p;
    scenmc_results r;
    params_for(&p, HELD, 100000);
    run_or_fail(&p, 2, 0, 0, &r);
    int held[ND];
    held_at_end(HELD, held);
    check_list(&r, held);
    /* The held F's show their variant in every year, E its e2 in 2 and 3. */
    for (int y = 0; y < NY; y++)
        for (int f = 0; f < NF; f++)
            assert_true(variant_count(&r, y, 10 + 2 * f + f % 2) == r.n_trajectories);
    assert_true(variant_count(&r, 2, off[3] + 1) == r.n_trajectories);
    assert_true(variant_count(&r, 3, off[3] + 1) == r.n_trajectories);
    check_closed_form(&p, &r);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
}

static void test_reference_engine(void **state)
{
    (void)state;
    for (int kind = HELD; kind <= SPREAD; kind++) {
        scenmc_params p;
        scenmc_results r;
        params_for(&p, kind, 6000);
        run_or_fail(&p, 2, 0, 0, &r);
        int held[ND];
        held_at_end(kind, held);
        check_list(&r, held);
        if (kind == SPREAD) /* a true selection: more distinct states than the table shows */
            assert_true(r.n_top_distinct > SCENMC_TOP_STATES);
        check_reference(&p, &(filter){0}, &r);
        scenmc_results_free(&r);
        scenmc_params_free(&p);
    }
}

/* Conditioned on hard evidence (--given): the run's weighted tables and
 * list are the reference's over the trajectories that meet it, picked by
 * hand from their states. */
static void test_given_hard(void **state)
{
    (void)state;
    scenmc_params p;
    params_for(&p, SPREAD, 6000);
    scenmc_observations o;
    scenmc_observations_init(&o);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_observations_add_given(&o, M, "3:A=a2", &err), SCENMC_OK);
    assert_int_equal(scenmc_observations_add_given(&o, M, "5:F3=y", &err), SCENMC_OK);
    scenmc_run_options opt = {.threads = 2, .given = &o};
    scenmc_results r;
    if (scenmc_run(M, &p, &opt, &r, &err) != SCENMC_OK)
        fail_msg("run: %s", err.msg);
    assert_false(r.full_states);
    assert_true(r.weight_sum > 500 && r.weight_sum < 6000);
    int held[ND];
    held_at_end(SPREAD, held);
    check_list(&r, held);
    check_reference(&p, &(filter){2, {3, 5}, {0, 4 + 3}, {1, 1}}, &r);
    scenmc_results_free(&r);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
}

/* A bias beyond the lanes' range (|beta x bias| > 300) needs the
 * per-trajectory engine, which has no top-states mode: refused, naming the
 * year, the variant and the limits. */
static void test_bias_beyond_lanes(void **state)
{
    (void)state;
    scenmc_params p;
    params_for(&p, SPREAD, 1000);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_trend(p.schedule, M, "A=a1:3=500", &err), SCENMC_OK);
    scenmc_run_options opt = {.threads = 1};
    scenmc_results r;
    assert_int_equal(scenmc_run(M, &p, &opt, &r, &err), SCENMC_E_LIMIT);
    if (!strstr(err.msg, "in 0 the changes over time give A = a1 a bias of 350 (beta x bias)") ||
        !strstr(err.msg, "at most 300") || !strstr(err.msg, "at most 16777216 states"))
        fail_msg("message: %s", err.msg);
    scenmc_params_free(&p);
}

/* Every table, the top table's states and the whole list, bit for bit. */
static void assert_same(const scenmc_results *a, const scenmc_results *b, const char *what)
{
    for (int t = 0; t < SCENMC_N_TABLES; t++) {
        assert_int_equal(a->t[t].size, b->t[t].size);
        if (a->t[t].counts && memcmp(a->t[t].counts, b->t[t].counts, a->t[t].size * sizeof(uint64_t)) != 0)
            fail_msg("%s: table %s differs", what, scenmc_table_names[t]);
    }
    assert_true(a->n_trajectories == b->n_trajectories && a->n_top_distinct == b->n_top_distinct);
    const size_t n = a->n_top_distinct;
    if (memcmp(a->top_state, b->top_state, a->t[SCENMC_T_FINAL_STATE].size * sizeof(uint64_t)) != 0 ||
        memcmp(a->top_list_state, b->top_list_state, n * sizeof(uint64_t)) != 0 ||
        memcmp(a->top_list_count, b->top_list_count, n * sizeof(uint64_t)) != 0)
        fail_msg("%s: the final states differ", what);
}

/* 1 thread, 2 and 3 threads, and two ranges added give the same results. */
static void test_threads_and_ranges(void **state)
{
    (void)state;
    scenmc_params p;
    scenmc_results one, two, three, lo, hi;
    params_for(&p, SPREAD, 9001);
    run_or_fail(&p, 1, 0, 0, &one);
    run_or_fail(&p, 2, 0, 0, &two);
    run_or_fail(&p, 3, 0, 0, &three);
    assert_same(&one, &two, "2 threads");
    assert_same(&one, &three, "3 threads");
    run_or_fail(&p, 2, 0, 4000, &lo);
    run_or_fail(&p, 1, 4000, 9001, &hi);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_results_add(&lo, &hi, &err), SCENMC_OK);
    lo.first = 0; /* the sum covers [0, 9001) */
    lo.last = 9001;
    assert_same(&one, &lo, "ranges added");
    scenmc_results *all[] = {&one, &two, &three, &lo, &hi};
    for (size_t i = 0; i < 5; i++)
        scenmc_results_free(all[i]);
    scenmc_params_free(&p);
}

/* The command line: two shards merged equal one run, files read back. */
static void test_shards_merged(void **state)
{
    (void)state;
    const char *model = scratch_write("wide.yaml", model_yaml);
    char opts[512];
    snprintf(opts, sizeof opts, "-n 4000 --seed 7 --quiet --threads 2 --trend %s --push %s --shock %s "
             "--intervene %s --intervene %s --shock %s", TREND, PUSH, SHOCK, HOLD, HOLD_F2, SHOCK_F3);
    char one[512], parts[2][512], merged[512];
    snprintf(one, sizeof one, "%s", scratch_path("one.h5"));
    snprintf(merged, sizeof merged, "%s", scratch_path("merged.h5"));
    if (sh("%s run %s %s -o %s", SCENMC_BINARY, model, opts, one) != 0)
        fail_msg("run:\n%s", sh_out);
    for (int k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "part%d.h5", k + 1);
        snprintf(parts[k], sizeof parts[k], "%s", scratch_path(name));
        if (sh("%s run %s %s --shard %d/2 -o %s", SCENMC_BINARY, model, opts, k + 1, parts[k]) != 0)
            fail_msg("shard %d/2:\n%s", k + 1, sh_out);
    }
    if (sh("%s merge %s %s -o %s", SCENMC_BINARY, parts[0], parts[1], merged) != 0)
        fail_msg("merge:\n%s", sh_out);
    scenmc_model *ma, *mb;
    scenmc_results ra, rb;
    read_or_fail(one, &ma, &ra);
    read_or_fail(merged, &mb, &rb);
    assert_false(ra.full_states);
    assert_true(ra.n_top_distinct > SCENMC_TOP_STATES);
    assert_same(&ra, &rb, "shards merged");
    scenmc_results_free(&ra);
    scenmc_results_free(&rb);
    scenmc_model_free(ma);
    scenmc_model_free(mb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_closed_form),
        cmocka_unit_test(test_reference_engine),
        cmocka_unit_test(test_given_hard),
        cmocka_unit_test(test_threads_and_ranges),
        cmocka_unit_test(test_shards_merged),
        cmocka_unit_test(test_bias_beyond_lanes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
