/* Monte Carlo with trends, interventions and shocks (issue 18): counts of
 * scenmc_run against an independent small-model computation (the per-year
 * generator of docs/model.md built from the model's matrix by tests/testref.c
 * and exponentiated by GSL, holds applied as projections at their first year),
 * by chi-square over every year's descriptor marginals and the final states;
 * the reference engine and every thread count give the same counts; a
 * shock of hazard 0 changes no count; a constant trend equals `bias`. */
#include "testutil.h"
#include "testref.h"

#include "scenmc/schedule.h"
#include "engine/simulate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char tiny[] =
    "name: tiny\n"
    "years: {start: 0, end: 6}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2, a3]}\n"
    "  - {id: B, variants: [b1, b2], rate: 2}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[2, -1], [0, 1], [-2, 2]]}\n"
    "scenarios:\n"
    "  - {name: S1, when: {A: a1}}\n"
    "  - {name: S2, when: {A: a3, B: b2}}\n"
    "defaults: {beta: 0.7, rate: 1.5}\n";

#define NS 6 /* states: A (3) x B (2), index a * 2 + b */

static void state_of(int x, int *s)
{
    s[0] = x / 2;
    s[1] = x % 2;
}

/* exp(Q_c) for calendar year c (tests/testref.c): heat-bath revisions at
 * each descriptor's rate under the year's biases (none for a held
 * descriptor), and shocks; the year's changes read from the schedule. */
static gsl_matrix *year_matrix(const scenmc_model *m, const scenmc_params *p, int c)
{
    testref_chain ch;
    testref_chain_from_model(&ch, m, p);
    double bias[5] = {0}, shock[5] = {0};
    int held[2] = {-1, -1};
    for (int d = 0; d < 2 && p->schedule; d++) {
        held[d] = scenmc_schedule_held(p->schedule, c, d);
        for (int b = 0; b < ch.nvar[d]; b++) {
            bias[ch.off[d] + b] = scenmc_schedule_bias(p->schedule, m, c, ch.off[d] + b);
            shock[ch.off[d] + b] = scenmc_schedule_hazard(p->schedule, c, d, b);
        }
    }
    testref_year chg = {.bias = bias, .shock = shock, .held = held};
    return testref_year_matrix(&ch, &chg);
}

/* Holds starting at calendar year c (or before the start when y = 0). */
static void apply_starts(const scenmc_params *p, int y, double *pi)
{
    for (int k = 0; p->schedule && k < p->schedule->n; k++) {
        const scenmc_change *ch = &p->schedule->ch[k];
        int at = ch->first <= p->year_start ? 0 : ch->first - p->year_start;
        if (ch->kind != SCENMC_CHANGE_HOLD || at != y)
            continue;
        double q[NS] = {0};
        for (int x = 0; x < NS; x++) {
            int s[2];
            state_of(x, s);
            s[ch->descriptor] = ch->variant;
            q[s[0] * 2 + s[1]] += pi[x];
        }
        memcpy(pi, q, sizeof q);
    }
}

/* pi[y][x]: the state distribution at each observation year. */
static void exact_tiny(const scenmc_model *m, const scenmc_params *p, double pi[][NS])
{
    int Y = p->year_end - p->year_start + 1;
    for (int x = 0; x < NS; x++) {
        int s[2];
        state_of(x, s);
        pi[0][x] = p->initial[s[0]] * p->initial[3 + s[1]];
    }
    apply_starts(p, 0, pi[0]);
    for (int y = 1; y < Y; y++) {
        gsl_matrix *E = year_matrix(m, p, p->year_start + y - 1);
        for (int x = 0; x < NS; x++) {
            pi[y][x] = 0;
            for (int z = 0; z < NS; z++)
                pi[y][x] += pi[y - 1][z] * gsl_matrix_get(E, z, x);
        }
        gsl_matrix_free(E);
        apply_starts(p, y, pi[y]);
    }
}

static void check_against_exact(const scenmc_model *m, const scenmc_params *p, const scenmc_results *r,
                                 const char *what)
{
    double pi[16][NS];
    exact_tiny(m, p, pi);
    const int Y = r->n_years, S = r->n_scenarios, V = 5;
    const double N = (double)r->n_trajectories;
    for (int y = 0; y < Y; y++) {
        double obs[5] = {0}, pr[5] = {0};
        for (int s = 0; s < S; s++)
            for (int u = 0; u < V; u++)
                obs[u] += (double)r->t[SCENMC_T_SCENARIO_VARIANT].counts[((size_t)y * S + s) * V + u];
        for (int x = 0; x < NS; x++) {
            pr[x / 2] += pi[y][x];
            pr[3 + x % 2] += pi[y][x];
        }
        /* Pearson chi-square, cells with expectation < 5 pooled (tests/testref.c) */
        double pa = testref_chi2_pvalue(obs, pr, 3, N), pb = testref_chi2_pvalue(obs + 3, pr + 3, 2, N);
        if (pa < 1e-6 || pb < 1e-6)
            fail_msg("%s: year %d: chi-square p-values %.3g (A), %.3g (B)", what, y, pa, pb);
    }
    double fin[NS];
    for (int x = 0; x < NS; x++)
        fin[x] = (double)r->t[SCENMC_T_FINAL_STATE].counts[x];
    double pf = testref_chi2_pvalue(fin, pi[Y - 1], NS, N);
    if (pf < 1e-6)
        fail_msg("%s: final states: chi-square p-value %.3g", what, pf);
}

static scenmc_model *M;

static int setup(void **state)
{
    (void)state;
    M = model_from_string(tiny);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    scenmc_model_free(M);
    return 0;
}

typedef enum { T_TREND = 1, T_PUSH = 2, T_HOLD = 4, T_SHOCK = 8, T_SHOCK0 = 16, T_CONST = 32 } kinds;

static void params_with(scenmc_params *p, int kinds_, uint64_t n)
{
    scenmc_params_init(p, M);
    p->n_trajectories = n;
    p->seed = 18;
    if (!kinds_)
        return;
    scenmc_error err;
    scenmc_error_clear(&err);
    p->schedule = malloc(sizeof *p->schedule);
    scenmc_schedule_init(p->schedule);
    scenmc_schedule *s = p->schedule;
    if (kinds_ & T_TREND)
        assert_int_equal(scenmc_schedule_add_trend(s, M, "B=b2:0=-1,6=2.5", &err), SCENMC_OK);
    if (kinds_ & T_PUSH)
        assert_int_equal(scenmc_schedule_add_push(s, M, "2:A=a3:1.2", 6, &err), SCENMC_OK);
    if (kinds_ & T_HOLD)
        assert_int_equal(scenmc_schedule_add_intervention(s, M, "3-4:A=a2", 6, &err), SCENMC_OK);
    if (kinds_ & T_SHOCK)
        assert_int_equal(scenmc_schedule_add_shock(s, M, "1-5:B=b1@0.8", 6, &err), SCENMC_OK);
    if (kinds_ & T_SHOCK0)
        assert_int_equal(scenmc_schedule_add_shock(s, M, "1-5:B=b1@0", 6, &err), SCENMC_OK);
    if (kinds_ & T_CONST)
        assert_int_equal(scenmc_schedule_add_trend(s, M, "B=b2:3=1.5", &err), SCENMC_OK);
}

static void run_or_fail(const scenmc_model *m, const scenmc_params *p, int threads, int reference,
                        scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {0};
    opt.threads = threads;
    scenmc__engine_tuning tune = {.reference = reference};
    if (scenmc__run_tuned(m, p, &opt, &tune, r, &err) != SCENMC_OK)
        fail_msg("run: %s", err.msg);
}

static int same_counts(const scenmc_results *a, const scenmc_results *b)
{
    for (int t = 0; t < SCENMC_N_TABLES; t++)
        if (a->t[t].counts && memcmp(a->t[t].counts, b->t[t].counts, a->t[t].size * sizeof(uint64_t)) != 0)
            return 0;
    return 1;
}

/* The independent computation reproduces the engine without changes, then
 * each kind of change alone and all together. */
static void test_against_matrix_exponential(void **state)
{
    (void)state;
    const int cases[] = {0, T_TREND, T_PUSH, T_HOLD, T_SHOCK, T_TREND | T_PUSH | T_HOLD | T_SHOCK};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scenmc_params p;
        scenmc_results r;
        params_with(&p, cases[i], 200000);
        run_or_fail(M, &p, 2, 0, &r);
        char what[32];
        snprintf(what, sizeof what, "changes %d", cases[i]);
        check_against_exact(M, &p, &r, what);
        scenmc_results_free(&r);
        scenmc_params_free(&p);
    }
}

/* The reference engine on one thread and the engine on 1 and 3 threads,
 * and the trajectories in two ranges, give the same counts. */
static void test_threads_and_ranges(void **state)
{
    (void)state;
    scenmc_params p;
    scenmc_results a, b, c, h1, h2;
    params_with(&p, T_TREND | T_PUSH | T_HOLD | T_SHOCK, 30011);
    run_or_fail(M, &p, 1, 1, &a);
    run_or_fail(M, &p, 1, 0, &b);
    run_or_fail(M, &p, 3, 0, &c);
    assert_true(same_counts(&a, &b));
    assert_true(same_counts(&a, &c));
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {0};
    opt.threads = 2;
    opt.first = 0;
    opt.last = 12345;
    assert_int_equal(scenmc_run(M, &p, &opt, &h1, &err), SCENMC_OK);
    opt.first = 12345;
    opt.last = p.n_trajectories;
    assert_int_equal(scenmc_run(M, &p, &opt, &h2, &err), SCENMC_OK);
    for (int t = 0; t < SCENMC_N_TABLES; t++)
        for (size_t j = 0; a.t[t].counts && j < a.t[t].size; j++)
            assert_true(a.t[t].counts[j] == h1.t[t].counts[j] + h2.t[t].counts[j]);
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_results_free(&c);
    scenmc_results_free(&h1);
    scenmc_results_free(&h2);
    scenmc_params_free(&p);
}

/* A shock of hazard 0 changes no count: the stream is the one without it. */
static void test_zero_hazard(void **state)
{
    (void)state;
    scenmc_params p0, p1;
    scenmc_results a, b;
    params_with(&p0, 0, 20000);
    params_with(&p1, T_SHOCK0, 20000);
    run_or_fail(M, &p0, 2, 0, &a);
    run_or_fail(M, &p1, 2, 0, &b);
    assert_true(same_counts(&a, &b));
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_params_free(&p0);
    scenmc_params_free(&p1);
}

/* A trend constant in time equals the model's bias bit for bit: the same
 * stream (no shocks) and the same sums (0 + beta T == beta T). */
static void test_constant_trend_is_bias(void **state)
{
    (void)state;
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%sbias: {B: [0, 1.5]}\n", tiny);
    scenmc_model *mb = model_from_string(yaml);
    scenmc_params pt, pb;
    scenmc_results a, b;
    params_with(&pt, T_CONST, 20000);
    scenmc_params_init(&pb, mb);
    pb.n_trajectories = 20000;
    pb.seed = 18;
    run_or_fail(M, &pt, 2, 0, &a);
    run_or_fail(mb, &pb, 2, 0, &b);
    assert_true(same_counts(&a, &b));
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_params_free(&pt);
    scenmc_params_free(&pb);
    scenmc_model_free(mb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_matrix_exponential),
        cmocka_unit_test(test_threads_and_ranges),
        cmocka_unit_test(test_zero_hazard),
        cmocka_unit_test(test_constant_trend_is_bias),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
