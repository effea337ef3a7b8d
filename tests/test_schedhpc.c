/* Task "schedhpc" (issue 18): trends, interventions and shocks in sweeps,
 * sensitivity, shards, merge and checkpoints, through the command line on
 * the small hand-made model (12 states, six years).
 *
 * Independent checks: a sweep point against a separate `scenmc run` with the
 * point's schedule written out by hand (bit for bit: common random numbers)
 * and against `scenmc exact` (the uniformization solver: within 5 standard
 * errors); a trend scaled by 0 against a run with no trend at all; shards
 * merged and a resumed run against one uninterrupted run. MPI ranks are
 * checked by tests/hpc/mpi_schedule.sh. */
#include "testutil.h"
#include "scenmc/hpc.h"
#include "scenmc/reader.h"
#include "scenmc/schedule.h"
#include "scenmc/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARGS "-n 4000 --seed 5 --threads 2 --quiet"

static const char *model(void)
{
    return src_path("tests/data/good/small.yaml");
}

static const char *tmp(const char *name)
{
    static char buf[16][512];
    static int k;
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

static void run_ok(const char *what, int rc)
{
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", what, rc, sh_out);
}

/* Every table's counts bit for bit. */
static void assert_same_counts(const scenmc_results *a, const scenmc_results *b, const char *what)
{
    if (a->n_trajectories != b->n_trajectories)
        fail_msg("%s: %llu trajectories, not %llu", what, (unsigned long long)a->n_trajectories,
                 (unsigned long long)b->n_trajectories);
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        if (a->t[k].size != b->t[k].size ||
            memcmp(a->t[k].counts, b->t[k].counts, a->t[k].size * sizeof(uint64_t)) != 0)
            fail_msg("%s: the counts of table %s differ", what, scenmc_table_names[k]);
    }
}

static int same_counts(const scenmc_results *a, const scenmc_results *b)
{
    const scenmc_table *x = &a->t[SCENMC_T_VARIANT], *y = &b->t[SCENMC_T_VARIANT];
    return x->size == y->size && memcmp(x->counts, y->counts, x->size * sizeof(uint64_t)) == 0;
}

/* The Monte Carlo point against the file of a run with the same schedule
 * (bit for bit) and against the exact solver (every scenario and variant in
 * every year within 5 standard errors of the exact probability). */
static void check_point(const scenmc_results *pt, const char *schedule, const char *what)
{
    run_ok("run", sh("%s run %s " ARGS " %s -o %s --force", SCENMC_BINARY, model(), schedule, tmp("one.h5")));
    run_ok("exact", sh("%s exact %s --threads 1 --quiet %s -o %s --force", SCENMC_BINARY, model(), schedule,
                       tmp("one-exact.h5")));
    scenmc_model *m1, *m2;
    scenmc_results r1, r2;
    read_or_fail(tmp("one.h5"), &m1, &r1);
    read_or_fail(tmp("one-exact.h5"), &m2, &r2);
    assert_same_counts(pt, &r1, what);
    static const int tables[2] = {SCENMC_T_SCENARIO, SCENMC_T_VARIANT};
    for (int t = 0; t < 2; t++) {
        const scenmc_table *mc = &pt->t[tables[t]], *ex = &r2.t[tables[t]];
        assert_int_equal(mc->size, ex->size);
        double N = (double)pt->n_trajectories;
        for (size_t i = 0; i < mc->size; i++) {
            double p = ex->prob[i], se = sqrt(fmax(p * (1 - p), 1e-6) / N);
            if (fabs(mc->prob[i] - p) > 5 * se)
                fail_msg("%s: %s cell %zu is %g by Monte Carlo, %g exactly (se %g)", what,
                         scenmc_table_names[tables[t]], i, mc->prob[i], p, se);
        }
    }
    scenmc_results_free(&r1);
    scenmc_results_free(&r2);
    scenmc_model_free(m1);
    scenmc_model_free(m2);
}

static void read_sweep(const char *path, scenmc_model **m, scenmc_sweep_data *s)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_sweep_read(path, m, s, NULL, &err) != SCENMC_OK)
        fail_msg("%s: %s", path, err.msg);
}

/* intervene.1.year: each point is the run with that first year. */
static void test_sweep_intervene_year(void **state)
{
    (void)state;
    run_ok("sweep", sh("%s sweep %s " ARGS " --intervene 2002:Y=y1 --param intervene.1.year=2001,2003 -o %s --force",
                       SCENMC_BINARY, model(), tmp("sw-year.h5")));
    scenmc_model *m;
    scenmc_sweep_data s;
    read_sweep(tmp("sw-year.h5"), &m, &s);
    assert_int_equal(s.n_points, 2);
    assert_false(same_counts(&s.points[0], &s.points[1])); /* the year matters */
    check_point(&s.points[0], "--intervene 2001:Y=y1", "intervene.1.year=2001");
    check_point(&s.points[1], "--intervene 2003:Y=y1", "intervene.1.year=2003");
    /* The file records the base schedule (the first year as given). */
    assert_non_null(s.base.schedule);
    assert_int_equal(s.base.schedule->n, 1);
    assert_int_equal(s.base.schedule->ch[0].first, 2002);
    scenmc_sweep_data_free(&s);
    scenmc_model_free(m);
}

/* trend.1.scale: scale 0 is no trend at all, scale 2 doubles every knot. */
static void test_sweep_trend_scale(void **state)
{
    (void)state;
    run_ok("sweep", sh("%s sweep %s " ARGS " --trend Y=y1:2000=0,2005=2 --param trend.1.scale=0,2 -o %s --force",
                       SCENMC_BINARY, model(), tmp("sw-trend.h5")));
    scenmc_model *m;
    scenmc_sweep_data s;
    read_sweep(tmp("sw-trend.h5"), &m, &s);
    assert_int_equal(s.n_points, 2);
    assert_false(same_counts(&s.points[0], &s.points[1])); /* the trend matters */
    check_point(&s.points[0], "", "trend.1.scale=0 (no trend)");
    check_point(&s.points[1], "--trend Y=y1:2000=0,2005=4", "trend.1.scale=2");
    scenmc_sweep_data_free(&s);
    scenmc_model_free(m);
}

#define SCHED "--trend Y=y2:2000=0,2005=2 --intervene 2002-2003:Y=y1 --shock 2001-2004:Z=z2@0.5"

/* Three shards merged: the unsharded run's counts, and its schedule. */
static void test_shards_merge(void **state)
{
    (void)state;
    run_ok("plain", sh("%s run %s " ARGS " " SCHED " -o %s --force", SCENMC_BINARY, model(), tmp("plain.h5")));
    for (int k = 1; k <= 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "sh-%d.h5", k);
        run_ok("shard", sh("%s run %s " ARGS " " SCHED " --shard %d/3 -o %s --force", SCENMC_BINARY, model(), k,
                           tmp(name)));
    }
    run_ok("merge", sh("%s merge %s %s %s -o %s --force --quiet", SCENMC_BINARY, tmp("sh-3.h5"), tmp("sh-1.h5"),
                       tmp("sh-2.h5"), tmp("merged.h5")));
    scenmc_model *ma, *mb;
    scenmc_results a, b;
    read_or_fail(tmp("plain.h5"), &ma, &a);
    read_or_fail(tmp("merged.h5"), &mb, &b);
    assert_same_counts(&a, &b, "3 shards merged");
    char why[256];
    assert_true(scenmc_params_same(&a.params, &b.params, why, sizeof why));
    assert_non_null(b.params.schedule);
    assert_int_equal(b.params.schedule->n, 3);
    assert_string_equal(b.params.schedule->ch[2].where, "--shock 2001-2004:Z=z2@0.5");
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_model_free(ma);
    scenmc_model_free(mb);
}

/* Shards of runs with other schedules are refused, naming the change. */
static void test_merge_refuses_other_schedule(void **state)
{
    (void)state;
    const char *a = tmp("d-1.h5"), *b = tmp("d-2.h5"), *c = tmp("d-2n.h5");
    run_ok("shard", sh("%s run %s " ARGS " --intervene 2002:Y=y1 --shard 1/2 -o %s --force", SCENMC_BINARY, model(), a));
    run_ok("shard", sh("%s run %s " ARGS " --intervene 2003:Y=y1 --shard 2/2 -o %s --force", SCENMC_BINARY, model(), b));
    run_ok("shard", sh("%s run %s " ARGS " --shard 2/2 -o %s --force", SCENMC_BINARY, model(), c));
    assert_int_equal(sh("%s merge %s %s -o %s", SCENMC_BINARY, a, b, tmp("never.h5")), 2);
    assert_non_null(strstr(sh_out, "--intervene 2003:Y=y1, not --intervene 2002:Y=y1"));
    assert_int_equal(sh("%s merge %s %s -o %s", SCENMC_BINARY, a, c, tmp("never.h5")), 2);
    assert_non_null(strstr(sh_out, "without --intervene 2002:Y=y1"));
    assert_int_equal(access(tmp("never.h5"), F_OK), -1);
}

/* Stopped after its first piece by --max-time, resumed (stopped once more,
 * then to the end): the uninterrupted run's counts. A resume that adds a
 * change is refused, naming it. */
static void test_resume_equals_uninterrupted(void **state)
{
    (void)state;
    const char *out = tmp("res.h5");
    char ckpt[600];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    unlink(out);
    unlink(ckpt);
    int rc = sh("%s run %s " ARGS " " SCHED " --chunk 500 --max-time 0.000001s -o %s", SCENMC_BINARY, model(), out);
    if (rc != 3)
        fail_msg("expected a stop at --max-time (exit 3), got %d\n%s", rc, sh_out);
    assert_int_equal(access(ckpt, F_OK), 0);
    assert_int_equal(access(out, F_OK), -1);
    rc = sh("%s run --resume %s --shock 2003:X=down@1 --quiet", SCENMC_BINARY, ckpt);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(sh_out, "also --shock 2003:X=down@1"));
    rc = sh("%s run --resume %s --chunk 500 --max-time 0.000001s --quiet", SCENMC_BINARY, ckpt);
    if (rc != 3)
        fail_msg("expected a second stop (exit 3), got %d\n%s", rc, sh_out);
    run_ok("resume", sh("%s run --resume %s --quiet", SCENMC_BINARY, ckpt));
    assert_int_equal(access(ckpt, F_OK), -1);
    run_ok("plain", sh("%s run %s " ARGS " " SCHED " -o %s --force", SCENMC_BINARY, model(), tmp("res-ref.h5")));
    scenmc_model *ma, *mb;
    scenmc_results a, b;
    read_or_fail(tmp("res-ref.h5"), &ma, &a);
    read_or_fail(out, &mb, &b);
    assert_same_counts(&a, &b, "resumed twice");
    assert_non_null(b.params.schedule);
    assert_int_equal(b.params.schedule->n, 3);
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_model_free(ma);
    scenmc_model_free(mb);
}

/* A sweep with a schedule killed after its first point (the test hook of
 * cmd_sweep.c) resumes from its folder of points to the uninterrupted file;
 * the folder refuses a sweep of another schedule, naming the change. */
static void test_sweep_resume(void **state)
{
    (void)state;
    const char *sw = "--param intervene.1.year=2001,2002,2003";
    const char *out = tmp("swr.h5");
    int rc = sh("SCENMC_TEST_FAIL_AFTER_POINTS=1 %s sweep %s " ARGS " --intervene 2002:Y=y1 %s -o %s",
                SCENMC_BINARY, model(), sw, out);
    assert_int_equal(rc, 1);
    assert_int_equal(access(out, F_OK), -1);
    assert_int_equal(sh("%s sweep %s " ARGS " --intervene 2002:Y=y2 %s -o %s", SCENMC_BINARY, model(), sw, out), 2);
    assert_non_null(strstr(sh_out, "'change --intervene 2002:Y=y1' there, 'change --intervene 2002:Y=y2' here"));
    run_ok("resume", sh("%s sweep %s " ARGS " --intervene 2002:Y=y1 %s -o %s", SCENMC_BINARY, model(), sw, out));
    run_ok("whole", sh("%s sweep %s " ARGS " --intervene 2002:Y=y1 %s -o %s --force", SCENMC_BINARY, model(), sw,
                       tmp("swr-ref.h5")));
    scenmc_model *ma, *mb;
    scenmc_sweep_data a, b;
    read_sweep(tmp("swr-ref.h5"), &ma, &a);
    read_sweep(out, &mb, &b);
    assert_int_equal(a.n_points, 3);
    assert_int_equal(b.n_points, 3);
    for (int i = 0; i < 3; i++)
        assert_same_counts(&a.points[i], &b.points[i], "resumed sweep point");
    scenmc_sweep_data_free(&a);
    scenmc_sweep_data_free(&b);
    scenmc_model_free(ma);
    scenmc_model_free(mb);
}

/* sensitivity: --method difference (and auto) simulate the schedule; the
 * derivative methods refuse it, naming the change. */
static void test_sensitivity(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sh("%s sensitivity %s -n 300 --quiet --method %s --intervene 2002:Y=y1", SCENMC_BINARY,
                            model(), i ? "score" : "exact"), 2);
        assert_non_null(strstr(sh_out, "--intervene 2002:Y=y1"));
        assert_non_null(strstr(sh_out, "--method difference"));
    }
    /* auto means difference; the paired runs at -D and +D of the cell X=up,
     * Y=y2 (score -1: -2 and 0) count the final scenarios of the sweep's
     * points at those scores, computed by the other engine path. */
    run_ok("sensitivity", sh("%s sensitivity %s -n 3000 --seed 9 --threads 1 --quiet --intervene 2002:Y=y1 -o %s "
                             "--force", SCENMC_BINARY, model(), tmp("sens.h5")));
    run_ok("sweep", sh("%s sweep %s -n 3000 --seed 9 --threads 1 --quiet --intervene 2002:Y=y1 --param "
                       "cell:X=up,Y=y2=-2,0 -o %s --force", SCENMC_BINARY, model(), tmp("sens-sweep.h5")));
    scenmc_model *ms, *mw;
    scenmc_params base;
    scenmc_sensitivity_result r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_sensitivity_read(tmp("sens.h5"), &ms, &base, &r, NULL, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    scenmc_sweep_data w;
    read_sweep(tmp("sens-sweep.h5"), &mw, &w);
    int c = -1;
    for (int i = 0; i < r.n_cells; i++)
        if (r.u[i] == 0 && r.v[i] == 3) /* X=up is variant 0, Y=y2 variant 3 */
            c = i;
    assert_true(c >= 0);
    assert_true(r.minus_value[c] == -2 && r.plus_value[c] == 0);
    const scenmc_table *t[2] = {&w.points[0].t[SCENMC_T_SCENARIO], &w.points[1].t[SCENMC_T_SCENARIO]};
    int S = r.n_scenarios, Y = w.points[0].n_years;
    assert_int_equal(S, w.points[0].n_scenarios);
    for (int k = 0; k < S; k++) {
        double minus = r.p_minus[(size_t)c * (size_t)S + (size_t)k] * 3000;
        double plus = r.p_plus[(size_t)c * (size_t)S + (size_t)k] * 3000;
        assert_true(fabs(minus - (double)t[0]->counts[(size_t)(Y - 1) * (size_t)S + (size_t)k]) < 1e-6);
        assert_true(fabs(plus - (double)t[1]->counts[(size_t)(Y - 1) * (size_t)S + (size_t)k]) < 1e-6);
    }
    assert_non_null(base.schedule); /* the file records the intervention */
    assert_int_equal(base.schedule->n, 1);
    scenmc_sweep_data_free(&w);
    scenmc_model_free(mw);
    scenmc_sensitivity_free(&r);
    scenmc_params_free(&base);
    scenmc_model_free(ms);
    run_ok("sensitivity", sh("%s sensitivity %s -n 300 --threads 1 --quiet --method difference --shock "
                             "2001-2004:Z=z2@0.5", SCENMC_BINARY, model()));
}

/* An ensemble with a schedule runs (each member is scenmc_run). */
static void test_ensemble(void **state)
{
    (void)state;
    run_ok("ensemble", sh("%s run %s -n 400 --ensemble 3 --threads 1 --quiet --intervene 2002:Y=y1 -o %s --force",
                          SCENMC_BINARY, model(), tmp("ens.h5")));
}

/* A sweep parameter naming a change that is not there. */
static void test_sweep_refusals(void **state)
{
    (void)state;
    assert_int_equal(sh("%s sweep %s " ARGS " --intervene 2002:Y=y1 --param intervene.2.year=2001,2003",
                        SCENMC_BINARY, model()), 2);
    assert_non_null(strstr(sh_out, "intervene.2.year"));
    assert_int_equal(sh("%s sweep %s " ARGS " --param shock.1.hazard=0,1", SCENMC_BINARY, model()), 2);
    assert_non_null(strstr(sh_out, "shock.1.hazard"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_intervene_year),
        cmocka_unit_test(test_sweep_trend_scale),
        cmocka_unit_test(test_shards_merge),
        cmocka_unit_test(test_merge_refuses_other_schedule),
        cmocka_unit_test(test_resume_equals_uninterrupted),
        cmocka_unit_test(test_sweep_resume),
        cmocka_unit_test(test_sensitivity),
        cmocka_unit_test(test_ensemble),
        cmocka_unit_test(test_sweep_refusals),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
