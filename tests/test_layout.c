/* The layout task (issue 16): the reader API of the other kinds of file
 * (scenmc_file_kind_read, scenmc_ensemble_read, scenmc_sweep_read,
 * scenmc_sensitivity_read) on the version-1 fixtures in tests/data/v1 and on
 * files written now, each checked against the engine recomputing the same
 * numbers independently of any file. */
#include "testutil.h"
#include "scenmc/reader.h"
#include "scenmc/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *fixture(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "tests/data/v1/%s", name);
    return src_path(buf[k]);
}

static scenmc_model *small_model(void)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    if (scenmc_model_load(src_path("tests/data/good/small.yaml"), &m, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    return m;
}

/* The fixtures' parameters: the model's defaults, seed 7, n trajectories. */
static void fixture_params(const scenmc_model *m, scenmc_params *p, uint64_t n)
{
    scenmc_params_init(p, m);
    p->seed = 7;
    p->n_trajectories = n;
}

static void kind_is(const char *path, scenmc_file_kind want, int want_version)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_file_kind k = SCENMC_FILE_OTHER;
    int v = 0;
    if (scenmc_file_kind_read(path, &k, &v, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(k, want);
    assert_int_equal(v, want_version);
}

static void test_kinds_v1(void **state)
{
    (void)state;
    kind_is(fixture("run.h5"), SCENMC_FILE_RESULTS, 1);
    kind_is(fixture("exact.h5"), SCENMC_FILE_RESULTS, 1);
    kind_is(fixture("merge.h5"), SCENMC_FILE_RESULTS, 1);
    kind_is(fixture("ensemble.h5"), SCENMC_FILE_ENSEMBLE, 1);
    kind_is(fixture("sweep.h5"), SCENMC_FILE_SWEEP, 1);
    kind_is(fixture("sensitivity.h5"), SCENMC_FILE_SENSITIVITY, 1);
}

/* Each sweep point equals a standalone run with that point's parameters. */
static void check_sweep(const char *path, int n_points, const double *betas, uint64_t n)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_sweep_data s;
    scenmc_results_info info;
    if (scenmc_sweep_read(path, &m, &s, &info, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(s.n_points, n_points);
    assert_int_equal(s.n_params, 1);
    assert_string_equal(s.param_names[0], "beta");
    for (int i = 0; i < n_points; i++) {
        assert_true(s.values[i] == betas[i]);
        assert_true(s.points[i].params.beta == betas[i]);
        scenmc_params p;
        fixture_params(m, &p, n);
        p.beta = betas[i];
        scenmc_run_options o = {.threads = 1};
        scenmc_results r;
        if (scenmc_run(m, &p, &o, &r, &err) != SCENMC_OK)
            fail_msg("%s", err.msg);
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            assert_int_equal(r.t[k].size, s.points[i].t[k].size);
            if (r.t[k].size)
                assert_memory_equal(r.t[k].counts, s.points[i].t[k].counts,
                                    r.t[k].size * sizeof(uint64_t));
        }
        assert_true(s.points[i].t[SCENMC_T_SCENARIO].prob[3] == r.t[SCENMC_T_SCENARIO].prob[3]);
        scenmc_results_free(&r);
        scenmc_params_free(&p);
    }
    scenmc_sweep_data_free(&s);
    scenmc_results_info_free(&info);
    scenmc_model_free(m);
}

static void test_sweep_v1(void **state)
{
    (void)state;
    const double betas[3] = {0, 0.5, 1};
    check_sweep(fixture("sweep.h5"), 3, betas, 500);
}

/* The file's cell effects equal scenmc_sensitivity's, computed again. */
static void test_sensitivity_v1(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_params base;
    scenmc_sensitivity_result s, again;
    if (scenmc_sensitivity_read(fixture("sensitivity.h5"), &m, &base, &s, NULL, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_true(base.seed == 7 && base.n_trajectories == 200);
    if (scenmc_sensitivity(m, &base, s.delta, 1, NULL, NULL, &again, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(s.n_cells, again.n_cells);
    assert_int_equal(s.n_scenarios, again.n_scenarios);
    size_t nS = (size_t)s.n_cells * (size_t)s.n_scenarios;
    assert_memory_equal(s.u, again.u, (size_t)s.n_cells * sizeof(int));
    assert_memory_equal(s.effect, again.effect, nS * sizeof(double));
    assert_memory_equal(s.stderr_, again.stderr_, nS * sizeof(double));
    assert_memory_equal(s.plus_value, again.plus_value, (size_t)s.n_cells * sizeof(double));
    scenmc_sensitivity_free(&s);
    scenmc_sensitivity_free(&again);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

/* The members' scenario tables equal those of scenmc_run_ensemble run again,
 * and the quantiles lie between the members' smallest and largest values. */
static void check_ensemble(const char *path, int members, uint64_t n, int want_all)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_results r, again;
    read_or_fail(path, &m, &r);
    scenmc_ensemble_data e;
    if (scenmc_ensemble_read(path, &r, &e, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(e.n_members, members);
    assert_int_equal(e.n_quantiles, 5);
    assert_true(e.quantile_levels[2] == 0.5);
    scenmc_params p;
    fixture_params(m, &p, n);
    scenmc_run_options o = {.threads = 1};
    scenmc_ensemble_info info;
    if (scenmc_run_ensemble(m, &p, members, e.judgement_sd, &o, &again, &info, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    size_t YS = r.t[SCENMC_T_SCENARIO].size;
    assert_memory_equal(e.scenario_prob, info.scenario_prob, (size_t)members * YS * sizeof(double));
    for (size_t i = 0; i < YS; i++) {
        double lo = 1, hi = 0;
        for (int j = 0; j < members; j++) {
            double x = info.scenario_prob[(size_t)j * YS + i];
            if (isnan(x))
                continue;
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
        double q5 = e.quantiles[SCENMC_T_SCENARIO][i], q95 = e.quantiles[SCENMC_T_SCENARIO][4 * YS + i];
        if (lo <= hi)
            assert_true(q5 >= lo - 1e-15 && q95 <= hi + 1e-15 && q5 <= q95);
    }
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (k != SCENMC_T_FINAL_STATE && k != SCENMC_T_SCENARIO)
            assert_int_equal(e.quantiles[k] != NULL, want_all);
    assert_null(e.quantiles[SCENMC_T_FINAL_STATE]);
    scenmc_ensemble_free(&info);
    scenmc_results_free(&again);
    scenmc_ensemble_data_free(&e);
    scenmc_params_free(&p);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

static void test_ensemble_v1(void **state)
{
    (void)state;
    check_ensemble(fixture("ensemble.h5"), 5, 2000, 0);
}

/* A file without an ensemble: n_members 0, nothing to free. */
static void test_no_ensemble(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_results r;
    read_or_fail(fixture("run.h5"), &m, &r);
    scenmc_ensemble_data e;
    assert_int_equal(scenmc_ensemble_read(fixture("run.h5"), &r, &e, &err), SCENMC_OK);
    assert_int_equal(e.n_members, 0);
    scenmc_ensemble_data_free(&e);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

/* The version-1 run file still reads, and its counts equal a run made now. */
static void test_run_v1(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL, *mine = small_model();
    scenmc_results r, again;
    read_or_fail(fixture("run.h5"), &m, &r);
    scenmc_params p;
    fixture_params(mine, &p, 2000);
    scenmc_run_options o = {.threads = 1};
    if (scenmc_run(mine, &p, &o, &again, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (r.t[k].size)
            assert_memory_equal(r.t[k].counts, again.t[k].counts, r.t[k].size * sizeof(uint64_t));
    scenmc_results_free(&again);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    scenmc_model_free(mine);
}

/* Files written now (format version 2): the same readers, the same checks. */
static const char *fresh(const char *name)
{
    static char buf[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

static void make(const char *args, const char *out)
{
    if (sh("%s %s --quiet --force --seed 7 --threads 1 -o '%s'", SCENMC_BINARY, args, out) != 0)
        fail_msg("scenmc %s:\n%s", args, sh_out);
}

static void test_kinds_and_readers_v2(void **state)
{
    (void)state;
    const char *M = src_path("tests/data/good/small.yaml");
    char args[1024];
    snprintf(args, sizeof args, "sweep '%s' --param beta=0,0.5,1 -n 500", M);
    make(args, fresh("sweep.h5"));
    snprintf(args, sizeof args, "sensitivity '%s' --method difference -n 200", M);
    make(args, fresh("sensitivity.h5"));
    snprintf(args, sizeof args, "run '%s' -n 2000 --ensemble 5", M);
    make(args, fresh("ensemble.h5"));
    snprintf(args, sizeof args, "run '%s' -n 2000", M);
    make(args, fresh("run.h5"));
    kind_is(fresh("run.h5"), SCENMC_FILE_RESULTS, 2);
    kind_is(fresh("ensemble.h5"), SCENMC_FILE_ENSEMBLE, 2);
    kind_is(fresh("sweep.h5"), SCENMC_FILE_SWEEP, 2);
    kind_is(fresh("sensitivity.h5"), SCENMC_FILE_SENSITIVITY, 2);
    const double betas[3] = {0, 0.5, 1};
    check_sweep(fresh("sweep.h5"), 3, betas, 500);
    check_ensemble(fresh("ensemble.h5"), 5, 2000, 1);
}

/* Provenance of version 2: the engine's commit, host, folder, generator, an absolute model path. */
static void test_provenance(void **state)
{
    (void)state;
    const char *M = src_path("tests/data/good/small.yaml");
    char args[1024];
    snprintf(args, sizeof args, "run '%s' -n 100", M);
    make(args, fresh("prov.h5"));
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_results r;
    scenmc_results_info info;
    if (scenmc_results_read_info(fresh("prov.h5"), &m, &r, &info, 0, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(info.format_version, 2);
    assert_true(info.engine_commit && *info.engine_commit);
    assert_true(info.host && *info.host);
    assert_true(info.working_directory && info.working_directory[0] == '/');
    assert_string_equal(info.rng, "Philox4x32-10 (Random123)");
    assert_int_equal(r.threads, 1);
    scenmc_results_info_free(&info);
    scenmc_results_free(&r);
    scenmc_model_free(m);
    if (sh("h5dump -a /model/path_absolute '%s'", fresh("prov.h5")) != 0 || !strstr(sh_out, M))
        fail_msg("/model path_absolute does not name %s:\n%s", M, sh_out);
}

/* A resumed run records the command that started it (original_command_line),
 * also through a second interruption. */
static void test_original_command(void **state)
{
    (void)state;
    const char *ck = fresh("long.h5.ckpt");
    int rc = sh("%s run -n 200000000 --seed 11 --quiet --threads 1 --chunk 20000 --max-time 1s -o '%s'",
                SCENMC_BINARY, fresh("long.h5"));
    if (rc != 3)
        fail_msg("expected an interrupted run (exit 3), got %d:\n%s", rc, sh_out);
    rc = sh("%s run --resume '%s' --quiet --threads 1 --max-time 1s", SCENMC_BINARY, ck);
    if (rc != 3)
        fail_msg("expected the resumed run to stop again (exit 3), got %d:\n%s", rc, sh_out);
    if (sh("h5dump -a /original_command_line '%s'", ck) != 0 || !strstr(sh_out, "-n 200000000"))
        fail_msg("the resumed checkpoint does not record the first command:\n%s", sh_out);
}

/* The commands still read version 1: report, export, and merge of version-1 shards
 * gives the version-1 merge's counts. */
static void test_commands_read_v1(void **state)
{
    (void)state;
    if (sh("%s report '%s'", SCENMC_BINARY, fixture("run.h5")) != 0)
        fail_msg("report of a version-1 file:\n%s", sh_out);
    if (sh("%s export '%s' --csv '%s' --force", SCENMC_BINARY, fixture("ensemble.h5"), fresh("csv1")) != 0)
        fail_msg("export of a version-1 file:\n%s", sh_out);
    if (sh("%s merge '%s' '%s' -o '%s' --force --quiet", SCENMC_BINARY, fixture("shard1.h5"),
           fixture("shard2.h5"), fresh("merged.h5")) != 0)
        fail_msg("merge of version-1 shards:\n%s", sh_out);
    if (sh("%s merge '%s' -o '%s' --force --quiet", SCENMC_BINARY, fixture("sweep.h5"),
           fresh("sweep-merged.h5")) != 0)
        fail_msg("merge of a version-1 sweep:\n%s", sh_out);
    scenmc_model *m1 = NULL, *m2 = NULL;
    scenmc_results a, b;
    read_or_fail(fixture("merge.h5"), &m1, &a);
    read_or_fail(fresh("merged.h5"), &m2, &b);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (a.t[k].size)
            assert_memory_equal(a.t[k].counts, b.t[k].counts, a.t[k].size * sizeof(uint64_t));
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_model_free(m1);
    scenmc_model_free(m2);
    const double betas[3] = {0, 0.5, 1};
    check_sweep(fresh("sweep-merged.h5"), 3, betas, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_v1),       cmocka_unit_test(test_run_v1),
        cmocka_unit_test(test_sweep_v1),       cmocka_unit_test(test_sensitivity_v1),
        cmocka_unit_test(test_ensemble_v1),    cmocka_unit_test(test_no_ensemble),
        cmocka_unit_test(test_kinds_and_readers_v2), cmocka_unit_test(test_provenance),
        cmocka_unit_test(test_commands_read_v1), cmocka_unit_test(test_original_command),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
