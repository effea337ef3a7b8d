/* scenmc levers by Monte Carlo conditioned on observations (engine/levers.c
 * mc_solve, engine/simulate.c scenmc__run_paired): every lever's effect
 * against the exact levers with the same observations (tests/test_levers2.c
 * checks those against the exact solver's own tables) within the paired
 * standard errors, per lever and pooled over levers and seeds, with hard and
 * soft evidence before and after the start year; the lanes' paired run equals
 * the per-trajectory engine's (final scenarios and weights in both arms) bit
 * for bit; one thread equals several; the command line and the report. */
#include "testutil.h"
#include "engine/levers.h"
#include "engine/simulate.h"
#include "scenmc/observe.h"
#include "scenmc/schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* test_calib_model (A, B, C; 2020-2025) with a trend and a shock in the
 * baseline, so that both arms of every paired run carry a schedule. */
static void baseline(const scenmc_model *m, scenmc_params *p, uint64_t seed, uint64_t n)
{
    scenmc_params_init(p, m);
    p->seed = seed;
    p->n_trajectories = n;
    p->schedule = malloc(sizeof *p->schedule);
    scenmc_schedule_init(p->schedule);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_schedule_add_trend(p->schedule, m, "B=b3:2020=0,2025=1.2", &err), SCENMC_OK);
    assert_int_equal(scenmc_schedule_add_shock(p->schedule, m, "2021-2024:C=c1@0.3", p->year_end, &err),
                     SCENMC_OK);
}

/* Hard: B = b2 in 2021 (before the start, 2022) and C = c2 in 2024 (after
 * it: a hold of C at c1 makes it impossible). Soft: B in 2021 and A in 2023,
 * likelihoods not 0 or 1. */
static void observations(const scenmc_model *m, int soft, scenmc_observations *o)
{
    scenmc_observations_init(o);
    if (soft) {
        const double lb[3] = {0.2, 1, 0.5}, la[2] = {0.3, 0.9};
        scenmc_observations_add(o, 2021, 1, lb, 3, "soft B 2021");
        scenmc_observations_add(o, 2023, 0, la, 2, "soft A 2023");
        return;
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_observations_add_given(o, m, "2021:B=b2", &err), SCENMC_OK);
    assert_int_equal(scenmc_observations_add_given(o, m, "2024:C=c2", &err), SCENMC_OK);
}

static scenmc_levers_result levers_or_fail(const scenmc_model *m, const scenmc_params *p, scenmc_method method,
                                           const scenmc_observations *o, int threads)
{
    static int target = 1; /* S2: A = a2 and C = c2 */
    scenmc_levers_spec spec = {.n_target = 1, .target = &target, .start = 2022, .pushes = 1,
                               .push_strength = 1.0, .method = method, .threads = threads, .given = o};
    scenmc_levers_result r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_levers(m, p, &spec, &r, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    return r;
}

/* Every lever's Monte Carlo effect within 5 paired standard errors of the
 * exact one, NaN exactly where the exact is (observations impossible with
 * the lever), and the pooled mean of z^2 over levers and seeds near 1. */
static void mc_agrees_with_exact(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_calib_model);
    double z2 = 0;
    int nz = 0, nan = 0;
    for (int soft = 0; soft <= 1; soft++) {
        scenmc_observations o;
        observations(m, soft, &o);
        scenmc_params p;
        baseline(m, &p, 1, 4000);
        scenmc_levers_result ex = levers_or_fail(m, &p, SCENMC_EXACT, &o, 1);
        scenmc_params_free(&p);
        for (uint64_t seed = 1; seed <= 3; seed++) {
            baseline(m, &p, seed, 4000);
            scenmc_levers_result mc = levers_or_fail(m, &p, SCENMC_MONTE_CARLO, &o, 2);
            double zb = (mc.p_baseline - ex.p_baseline) / mc.p_baseline_se;
            assert_true(fabs(zb) < 5);
            z2 += zb * zb, nz++;
            for (int i = 0; i < ex.n_levers; i++) {
                const scenmc_lever *e = &ex.lever[i], *l = &mc.lever[i];
                assert_int_equal(isnan(e->effect), isnan(l->effect));
                if (isnan(e->effect)) {
                    nan++;
                    continue;
                }
                if (l->se == 0) { /* both arms the same in every trajectory */
                    assert_close(l->effect, e->effect, 1e-12);
                    continue;
                }
                double z = (l->effect - e->effect) / l->se;
                if (!(fabs(z) < 5))
                    fail_msg("soft %d seed %d lever %d: effect %g exact %g se %g", soft, (int)seed, i, l->effect,
                             e->effect, l->se);
                z2 += z * z, nz++;
            }
            scenmc_levers_free(&mc);
            scenmc_params_free(&p);
        }
        scenmc_levers_free(&ex);
        scenmc_observations_free(&o);
    }
    print_message("pooled: %d z values, mean z^2 %.3f, %d NaN levers\n", nz, z2 / nz, nan);
    assert_true(nz > 60);
    assert_int_equal(nan, 3); /* the hold C = c1 under the hard evidence, each seed */
    assert_true(z2 / nz < 2.0 && z2 / nz > 0.35); /* standard errors neither too small nor too large */
    scenmc_model_free(m);
}

/* The paired run's cells for a lever, on the lanes or the reference engine. */
static scenmc__paired_cell *paired(const scenmc_model *m, const scenmc_params *a, const scenmc_params *b,
                                   const scenmc_observations *o, int reference, int threads)
{
    int S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    scenmc__paired_cell *c = calloc((size_t)S * (size_t)S, sizeof *c);
    scenmc__engine_tuning tune = {.reference = reference};
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc__run_paired(m, a, b, o, &tune, threads, c, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    return c;
}

/* The lanes (with the schedules in both arms) against the per-trajectory
 * engine: the same cells, byte for byte, and the same on 1 and 3 threads;
 * on the small model and on the default one, weighted and not. */
static void lanes_equal_reference(void **state)
{
    (void)state;
    for (int def = 0; def <= 1; def++) {
        scenmc_model *m = def ? default_model() : model_from_string(test_calib_model);
        int S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
        scenmc_params p;
        if (def) {
            scenmc_params_init(&p, m);
            p.n_trajectories = 300;
        } else {
            baseline(m, &p, 7, 1000);
        }
        assert_true(m->descriptors[0].n_variants <= 4 && m->descriptors[1].n_variants <= 4);
        scenmc_observations o;
        scenmc_observations_init(&o);
        const double lk[4] = {0.25, 1, 0.5, 0.75};
        scenmc_observations_add(&o, p.year_start + 1, 0, lk, m->descriptors[0].n_variants, "soft");
        scenmc_observations_add(&o, p.year_end - 1, 1, lk, m->descriptors[1].n_variants, "soft, after the start");
        for (int kind = 0; kind < 2; kind++) {
            scenmc_params w;
            scenmc__lever_params(&w, &p, (scenmc_lever_kind)kind, 1, 1, p.year_start + 2, 1.5);
            for (int given = 0; given <= 1; given++) {
                const scenmc_observations *g = given ? &o : NULL;
                scenmc__paired_cell *lanes = paired(m, &p, &w, g, 0, 1), *ref = paired(m, &p, &w, g, 1, 2),
                                    *three = paired(m, &p, &w, g, 0, 3);
                size_t bytes = (size_t)S * (size_t)S * sizeof *lanes;
                assert_memory_equal(lanes, ref, bytes);
                assert_memory_equal(lanes, three, bytes);
                uint64_t n = 0, wa = 0, wb = 0, differ = 0;
                for (int i = 0; i < S * S; i++) {
                    n += lanes[i].n, wa += lanes[i].wa, wb += lanes[i].wb;
                    differ += i / S != i % S ? lanes[i].n : 0;
                }
                assert_int_equal(n, p.n_trajectories);
                assert_true(differ > 0); /* the lever changes some final scenarios */
                if (given)
                    assert_true(wa != wb && wa > 0 && wb > 0); /* weights differ between the arms */
                else
                    assert_true(wa == n && wb == n);
                free(lanes), free(ref), free(three);
            }
            scenmc_params_free(&w);
        }
        scenmc_observations_free(&o);
        scenmc_params_free(&p);
        scenmc_model_free(m);
    }
}

/* The levers on 1 and 2 threads: every number the same. */
static void threads_equal(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_calib_model);
    scenmc_observations o;
    observations(m, 1, &o);
    scenmc_params p;
    baseline(m, &p, 5, 1500);
    scenmc_levers_result a = levers_or_fail(m, &p, SCENMC_MONTE_CARLO, &o, 1),
                         b = levers_or_fail(m, &p, SCENMC_MONTE_CARLO, &o, 2);
    assert_memory_equal(&a.p_baseline, &b.p_baseline, sizeof(double));
    assert_memory_equal(&a.p_baseline_se, &b.p_baseline_se, sizeof(double));
    for (int i = 0; i < a.n_levers; i++) {
        assert_memory_equal(&a.lever[i].p_with, &b.lever[i].p_with, sizeof(double));
        assert_memory_equal(&a.lever[i].se, &b.lever[i].se, sizeof(double));
    }
    scenmc_levers_free(&a), scenmc_levers_free(&b);
    scenmc_params_free(&p);
    scenmc_observations_free(&o);
    scenmc_model_free(m);
}

/* The command line runs them by Monte Carlo; the file records the
 * observations and `scenmc report` shows them. */
static void command_line_and_report(void **state)
{
    (void)state;
    const char *model = scratch_write("calib.yaml", test_calib_model), *out = scratch_path("levgiven.h5");
    assert_int_equal(sh("%s levers %s --target S2 --from 2022 --given 2021:B=b2 --given 2024:C=c2 --method mc "
                        "-n 2000 --no-progress -o %s", SCENMC_BINARY, model, out), 0);
    assert_out_has("Conditioned on 2 observations");
    assert_out_has("Monte Carlo");
    assert_out_has("no trajectory meets what was observed from 2022 on with it"); /* C held at c1 */
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, out), 0);
    assert_out_has("Conditioned on 2 observations: --given 2021:B=b2; --given 2024:C=c2.");
    assert_out_has("delta method");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mc_agrees_with_exact),
        cmocka_unit_test(lanes_equal_reference),
        cmocka_unit_test(threads_equal),
        cmocka_unit_test(command_line_and_report),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
