/* The optimised lane engine under schedules (issue 18's speed goals): its
 * counts equal the plain per-trajectory reference engine's
 * (scenmc__reference_run_sched, engine/reference.c), bit for bit, with a
 * trend, a push, holds (with and without an end year, from the start and
 * later), shocks (also on a held descriptor) and their combinations, in
 * every engine layout the group limit selects (packed, table, field, any
 * width, the log domain), on 1 and 2 threads, with observations too; and a
 * model too large for full tallies (top states) runs a schedule. The
 * reference engine is the plain statement of docs/model.md 11.7, checked
 * against matrix exponentials in test_mc18.c. */
#include "testutil.h"

#include "scenmc/observe.h"
#include "scenmc/schedule.h"
#include "engine/simulate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Five descriptors: small enough for seconds, enough for several groups. */
static const char five[] =
    "name: five\n"
    "years: {start: 0, end: 7}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2, a3]}\n"
    "  - {id: B, variants: [b1, b2], rate: 2}\n"
    "  - {id: C, variants: [c1, c2, c3]}\n"
    "  - {id: D, variants: [d1, d2]}\n"
    "  - {id: E, variants: [e1, e2], rate: 0.5}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[2, -1], [0, 1], [-2, 2]]}\n"
    "  - {between: [C, A], scores: [[1, 0, -1], [0, 2, 0], [-1, 0, 1]]}\n"
    "  - {between: [D, E], scores: [[2, -2], [-1, 1]]}\n"
    "  - {between: [B, D], scores: [[1, -1], [-1, 1]]}\n"
    "scenarios:\n"
    "  - {name: S1, when: {A: a1, C: c1}}\n"
    "  - {name: S2, when: {A: a3}}\n"
    "defaults: {beta: 0.7, rate: 1.5}\n";

/* A descriptor of ten variants (padded width 12: the any-width engine). */
static const char wide[] =
    "name: wide\n"
    "years: {start: 0, end: 5}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10]}\n"
    "  - {id: B, variants: [b1, b2]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[2, -1], [0, 1], [-2, 2], [1, 1], [0, 0], [3, -3], [-1, 0], [1, 2], "
    "[0, -2], [2, 2]]}\n"
    "scenarios:\n"
    "  - {name: S1, when: {A: a1}}\n"
    "defaults: {beta: 0.6, rate: 2}\n";

typedef enum {
    T_TREND = 1,      /* B=b2 from -1 to 2.5 */
    T_PUSH = 2,       /* A=a3 +1.2 from year 2 */
    T_HOLD = 4,       /* A=a2 in years 3-4 */
    T_HOLD_OPEN = 8,  /* C=c1 from year 2 to the end */
    T_HOLD_T0 = 16,   /* D=d2 from the start, to year 3 */
    T_SHOCK = 32,     /* B=b1 at 0.8 a year in years 1-5 */
    T_SHOCK_HELD = 64 /* A=a1 at 1.5 in years 2-6 (held in 3-4) */
} kinds;

static void add_schedule(const scenmc_model *m, scenmc_params *p, int kinds_)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    p->schedule = malloc(sizeof *p->schedule);
    scenmc_schedule_init(p->schedule);
    scenmc_schedule *s = p->schedule;
    const int end = p->year_end;
    if (kinds_ & T_TREND)
        assert_int_equal(scenmc_schedule_add_trend(s, m, "B=b2:0=-1,6=2.5", &err), SCENMC_OK);
    if (kinds_ & T_PUSH)
        assert_int_equal(scenmc_schedule_add_push(s, m, "2:A=a3:1.2", end, &err), SCENMC_OK);
    if (kinds_ & T_HOLD)
        assert_int_equal(scenmc_schedule_add_intervention(s, m, "3-4:A=a2", end, &err), SCENMC_OK);
    if (kinds_ & T_HOLD_OPEN)
        assert_int_equal(scenmc_schedule_add_intervention(s, m, "2:C=c1", end, &err), SCENMC_OK);
    if (kinds_ & T_HOLD_T0)
        assert_int_equal(scenmc_schedule_add_intervention(s, m, "0-3:D=d2", end, &err), SCENMC_OK);
    if (kinds_ & T_SHOCK)
        assert_int_equal(scenmc_schedule_add_shock(s, m, "1-5:B=b1@0.8", end, &err), SCENMC_OK);
    if (kinds_ & T_SHOCK_HELD)
        assert_int_equal(scenmc_schedule_add_shock(s, m, "2-6:A=a1@1.5", end, &err), SCENMC_OK);
}

static void run_or_fail(const scenmc_model *m, const scenmc_params *p, const scenmc_run_options *opt,
                        const scenmc__engine_tuning *tune, scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc__run_tuned(m, p, opt, tune, r, &err) != SCENMC_OK)
        fail_msg("run: %s", err.msg);
}

static int same_counts(const scenmc_results *a, const scenmc_results *b)
{
    for (int t = 0; t < SCENMC_N_TABLES; t++)
        if (a->t[t].size != b->t[t].size ||
            (a->t[t].counts && memcmp(a->t[t].counts, b->t[t].counts, a->t[t].size * sizeof(uint64_t)) != 0))
            return 0;
    return a->weight_sum == b->weight_sum && a->weight_sq_sum[0] == b->weight_sq_sum[0] &&
           a->weight_sq_sum[1] == b->weight_sq_sum[1];
}

/* The lanes, at every group limit and split choice, on 1 and 2 threads,
 * against the reference engine (one thread). */
static void expect_reference(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                             const char *what)
{
    scenmc_results ref, r;
    scenmc__engine_tuning reference = {.reference = 1};
    scenmc_run_options opt = {.threads = 1, .given = o};
    run_or_fail(m, p, &opt, &reference, &ref);
    const int limits[] = {0, 1, 2, 4, 1024};
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++)
        for (int threads = 1; threads <= 2; threads++) {
            scenmc__engine_tuning tune = {.group_limit = limits[i], .split_tally = limits[i] == 2};
            opt.threads = threads;
            run_or_fail(m, p, &opt, &tune, &r);
            if (!same_counts(&ref, &r))
                fail_msg("%s: group limit %d on %d threads differs from the reference engine", what, limits[i],
                         threads);
            scenmc_results_free(&r);
        }
    scenmc_results_free(&ref);
}

static void one_case(const char *yaml, double beta, int kinds_, uint64_t n, const scenmc_observations *o)
{
    scenmc_model *m = model_from_string(yaml);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = n;
    p.seed = 2026;
    if (beta > 0)
        p.beta = beta;
    add_schedule(m, &p, kinds_);
    char what[64];
    snprintf(what, sizeof what, "changes %d, beta %g%s", kinds_, p.beta, o ? ", observed" : "");
    expect_reference(m, &p, o, what);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Each kind of change alone, then together. */
static void test_each_change(void **state)
{
    (void)state;
    const int cases[] = {T_TREND, T_PUSH, T_HOLD, T_HOLD_OPEN, T_HOLD_T0, T_SHOCK, T_SHOCK_HELD};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        one_case(five, 0, cases[i], 3001, NULL);
}

static void test_combinations(void **state)
{
    (void)state;
    one_case(five, 0, T_TREND | T_HOLD, 4001, NULL);
    one_case(five, 0, T_PUSH | T_HOLD_OPEN | T_HOLD_T0, 4001, NULL);
    one_case(five, 0, T_TREND | T_PUSH | T_HOLD | T_HOLD_OPEN | T_HOLD_T0 | T_SHOCK | T_SHOCK_HELD, 4001, NULL);
}

/* The any-width engine (a descriptor of ten variants) and the log domain
 * (beta so large that the weights leave the ratio domain). */
static void test_wide_and_log_domain(void **state)
{
    (void)state;
    one_case(wide, 0, T_TREND | T_PUSH | T_HOLD | T_SHOCK, 3001, NULL);
    one_case(five, 60, T_TREND | T_PUSH | T_HOLD | T_SHOCK, 3001, NULL);
}

/* The default model: at group limit 1 its descriptors make more groups
 * than the table engine takes (field mode). */
static void test_default_model(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 1001;
    p.seed = 7;
    free(p.start);
    p.start = NULL;
    scenmc_error err;
    scenmc_error_clear(&err);
    p.schedule = malloc(sizeof *p.schedule);
    scenmc_schedule_init(p.schedule);
    assert_int_equal(scenmc_schedule_add_trend(p.schedule, m, "DA=Datamonopol:2020=0,2030=2", &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_intervention(p.schedule, m, "2023:FI=Offentligt", p.year_end, &err),
                     SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_shock(p.schedule, m, "2022-2030:DA=Datamonopol@0.3", p.year_end, &err),
                     SCENMC_OK);
    expect_reference(m, &p, NULL, "default model");
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Observations weigh the trajectories simulated under a schedule. */
static void test_observed(void **state)
{
    (void)state;
    scenmc_observations o;
    scenmc_observations_init(&o);
    double hard[SCENMC_MAX_VARIANTS] = {0, 1}, soft[SCENMC_MAX_VARIANTS] = {0.2, 0.5, 0.9};
    scenmc_observations_add(&o, 2, 1, hard, 2, "hard B");
    scenmc_observations_add(&o, 5, 2, soft, 3, "soft C");
    one_case(five, 0, T_TREND | T_HOLD | T_SHOCK, 3001, &o);
    one_case(five, 0, T_PUSH | T_HOLD_T0 | T_SHOCK_HELD, 3001, &o);
    scenmc_observations_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_change),
        cmocka_unit_test(test_combinations),
        cmocka_unit_test(test_wide_and_log_domain),
        cmocka_unit_test(test_default_model),
        cmocka_unit_test(test_observed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
