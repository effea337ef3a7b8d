/* scenmc levers, exact, from the shared past (engine/levers.c): every lever's
 * P(target) and the baseline's against scenmc_exact solved from the first
 * year with the lever in the schedule (an independent path: the full forward
 * pass), with a baseline that has a trend, a push and a shock; the pairs
 * too. Conditioned (--given): against the unconditioned solver's
 * early-warning table, P(final = target | the observed variant at t), a
 * backward pass (restrict and renormalise); observations made impossible by
 * a hold give NaN, ranked last; Monte Carlo runs them (tests/test_levgiven.c
 * checks it against these). */
#include "testutil.h"
#include "engine/levers.h"
#include "scenmc/observe.h"
#include "scenmc/schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char four[] =
    "name: four\n"
    "years: {start: 0, end: 5}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2]}\n"
    "  - {id: B, variants: [b1, b2]}\n"
    "  - {id: C, variants: [c1, c2, c3]}\n"
    "  - {id: E, variants: [e1, e2]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[2, -1], [-1, 2]]}\n"
    "  - {between: [B, C], scores: [[1, 0, -1], [-1, 0, 1]]}\n"
    "  - {between: [C, E], scores: [[1, -1], [0, 0], [-2, 2]]}\n"
    "scenarios:\n"
    "  - {name: X, when: {A: a1, B: b1}}\n"
    "  - {name: Y, when: {A: a1}}\n"
    "  - {name: Z, when: {A: a2}}\n"
    "defaults: {beta: 0.7, rate: 1.5}\n";

/* P(target) in the last year by scenmc_exact with p's schedule. */
static double exact_target(const scenmc_model *m, const scenmc_params *p, const uint8_t *in)
{
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact(m, p, 1, &r, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    const double *q = r.t[SCENMC_T_SCENARIO].prob + (size_t)(r.n_years - 1) * (size_t)r.n_scenarios;
    double s = 0;
    for (int k = 0; k < r.n_scenarios; k++)
        s += in[k] ? q[k] : 0;
    scenmc_results_free(&r);
    return s;
}

/* A baseline with a trend, a push (from before the start) and a shock. */
static void baseline(const scenmc_model *m, scenmc_params *p)
{
    scenmc_params_init(p, m);
    p->schedule = malloc(sizeof *p->schedule);
    scenmc_schedule_init(p->schedule);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_trend(p->schedule, m, "C=c3:0=0,5=1.5", &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_push(p->schedule, m, "1:E=e2:0.8", p->year_end, &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_shock(p->schedule, m, "1-4:B=b2@0.3", p->year_end, &err), SCENMC_OK);
}

static void shared_past_equals_full_solve(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(four);
    scenmc_params p;
    baseline(m, &p);
    int target[2] = {0, 1};
    uint8_t in[4] = {1, 1, 0, 0};
    for (int start = 0; start <= 3; start += 3) {
        scenmc_levers_spec spec = {.n_target = 2, .target = target, .start = start, .pushes = 1,
                                   .push_strength = 1.2, .pairs = 1, .method = SCENMC_EXACT, .threads = 1};
        scenmc_levers_result r;
        scenmc_error err;
        scenmc_error_clear(&err);
        assert_int_equal(scenmc_levers(m, &p, &spec, &r, &err), SCENMC_OK);
        assert_int_equal(r.n_levers, 2 * 9);
        assert_close(r.p_baseline, exact_target(m, &p, in), 1e-12);
        for (int i = 0; i < r.n_levers; i++) {
            const scenmc_lever *l = &r.lever[i];
            scenmc_params w;
            scenmc__lever_params(&w, &p, l->kind, l->descriptor, l->variant, start, spec.push_strength);
            assert_close(l->p_with, exact_target(m, &w, in), 1e-12);
            scenmc_params_free(&w);
        }
        for (int i = 0; i < r.n_pairs; i += 5) { /* every fifth pair */
            const scenmc_lever *a = &r.lever[r.pair_a[i]], *b = &r.lever[r.pair_b[i]];
            scenmc_params w, w2;
            scenmc__lever_params(&w, &p, a->kind, a->descriptor, a->variant, start, 0);
            scenmc__lever_params(&w2, &w, b->kind, b->descriptor, b->variant, start, 0);
            assert_close(r.pair_p[i], exact_target(m, &w2, in), 1e-12);
            scenmc_params_free(&w), scenmc_params_free(&w2);
        }
        scenmc_levers_free(&r);
    }
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* P(final in target | d at variant v in year y) from the unconditioned
 * solver's early-warning table. */
static double ew_target(const scenmc_model *m, const scenmc_params *p, int y, int d, int v, const uint8_t *in)
{
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact(m, p, 1, &r, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    size_t S = (size_t)r.n_scenarios, V = (size_t)m->n_variants, u = (size_t)(m->descriptors[d].offset + v);
    const double *ew = r.t[SCENMC_T_EARLY_WARNING].prob + (size_t)(y - p->year_start) * V * S + u * S;
    double s = 0;
    for (size_t k = 0; k < S; k++)
        s += in[k] ? ew[k] : 0;
    scenmc_results_free(&r);
    return s;
}

/* One hard observation, E = e2 in year `oy`: before the start year (it
 * conditions the shared past), in it and after it (weighed under each
 * lever's dynamics). */
static void given_against_early_warning(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(four);
    scenmc_params p;
    baseline(m, &p);
    int target = 0;
    uint8_t in[4] = {1, 0, 0, 0};
    const int start = 2, oys[3] = {1, 2, 4};
    for (int k = 0; k < 3; k++) {
        scenmc_observations o;
        scenmc_observations_init(&o);
        scenmc_error err;
        scenmc_error_clear(&err);
        char text[32];
        snprintf(text, sizeof text, "%d:E=e2", oys[k]);
        assert_int_equal(scenmc_observations_add_given(&o, m, text, &err), SCENMC_OK);
        scenmc_levers_spec spec = {.n_target = 1, .target = &target, .start = start, .pushes = 1,
                                   .push_strength = -0.9, .method = SCENMC_EXACT, .threads = 1, .given = &o};
        scenmc_levers_result r;
        assert_int_equal(scenmc_levers(m, &p, &spec, &r, &err), SCENMC_OK);
        assert_close(r.p_baseline, ew_target(m, &p, oys[k], 3, 1, in), 1e-12);
        int nan = 0;
        for (int i = 0; i < r.n_levers; i++) {
            const scenmc_lever *l = &r.lever[i];
            if (l->kind == SCENMC_LEVER_HOLD && l->descriptor == 3 && l->variant == 0 && oys[k] >= start) {
                assert_true(isnan(l->p_with)); /* E held at e1: e2 cannot be seen */
                assert_int_equal(r.order[r.n_levers - 1], i);
                nan++;
                continue;
            }
            scenmc_params w;
            scenmc__lever_params(&w, &p, l->kind, l->descriptor, l->variant, start, spec.push_strength);
            assert_close(l->p_with, ew_target(m, &w, oys[k], 3, 1, in), 1e-12);
            scenmc_params_free(&w);
        }
        assert_int_equal(nan, oys[k] >= start);
        scenmc_levers_free(&r);
        /* The conditioning changes the answer (the test would not see a solver that ignores it). */
        spec.given = NULL;
        assert_int_equal(scenmc_levers(m, &p, &spec, &r, &err), SCENMC_OK);
        assert_true(fabs(r.p_baseline - ew_target(m, &p, oys[k], 3, 1, in)) > 1e-3);
        scenmc_levers_free(&r);
        /* Monte Carlo runs observations too: its baseline within 5 standard errors. */
        spec.given = &o;
        spec.method = SCENMC_MONTE_CARLO;
        p.n_trajectories = 4000;
        assert_int_equal(scenmc_levers(m, &p, &spec, &r, &err), SCENMC_OK);
        assert_true(r.p_baseline_se > 0);
        assert_true(fabs(r.p_baseline - ew_target(m, &p, oys[k], 3, 1, in)) < 5 * r.p_baseline_se);
        scenmc_levers_free(&r);
        scenmc_observations_free(&o);
    }
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The command line: --given runs exactly and says so; with --method mc by Monte Carlo. */
static void command_line_given(void **state)
{
    (void)state;
    assert_int_equal(sh("%s levers --help", SCENMC_BINARY), 0);
    assert_non_null(strstr(sh_out, "--given"));
    assert_int_equal(sh("%s levers --target 1 --from 2024 --given 2023:DA=Datamonopol --method mc -n 200 "
                        "--no-progress", SCENMC_BINARY), 0);
    assert_non_null(strstr(sh_out, "Conditioned on 1 observation"));
    assert_non_null(strstr(sh_out, "Monte Carlo"));
    /* A small model: the conditioned levers printed and the observations recorded in the file. */
    const char *model = scratch_write("four.yaml", four), *out = scratch_path("given.h5");
    assert_int_equal(sh("%s levers %s --target X --from 2 --given 3:E=e2 --no-progress -o %s", SCENMC_BINARY, model,
                        out), 0);
    assert_non_null(strstr(sh_out, "Conditioned on 1 observation"));
    assert_non_null(strstr(sh_out, "impossible with it")); /* E held at e1 */
    int rc = sh("/usr/bin/python3 -c \"\n"
                "import h5py, math\n"
                "g = h5py.File('%s', 'r')['levers']\n"
                "assert '3:E=e2' in str(g.attrs['given']), g.attrs['given']\n"
                "assert math.isnan(g['p_with'][7]), g['p_with'][7]\n"
                "print('ok')\n\"", out);
    if (rc)
        fail_msg("%s", sh_out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_past_equals_full_solve),
        cmocka_unit_test(given_against_early_warning),
        cmocka_unit_test(command_line_given),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
