/* Task "deriv": shards of the score method and their merge
 * (`scenmc sensitivity --method score --shard K/M`, `scenmc merge`,
 * io/derivative_merge.c): the merged tables equal those of one unsharded run
 * bit for bit, and parts that do not belong together are refused, each with
 * a message that names the problem. */
#include "testutil.h"
#include "scenmc/reader.h"
#include "engine/score.h"
#include "io/derivative_write.h"
#include "io/mpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL SCENMC_SOURCE_DIR "/tests/data/good/small.yaml"
#define EXAMPLE SCENMC_SOURCE_DIR "/tests/data/good/example.yaml"

static const char *file(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

static void run_ok(const char *args, const char *out)
{
    if (sh("%s sensitivity %s --method score --threads 1 --quiet -o '%s'", SCENMC_BINARY, args, out) != 0)
        fail_msg("sensitivity %s: %s", args, sh_out);
}

static void read_deriv(const char *path, scenmc_derivatives *d)
{
    scenmc_model *m = NULL;
    scenmc_params p;
    scenmc_results_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_derivatives_read(path, &m, &p, d, &info, &err) != SCENMC_OK)
        fail_msg("%s: %s", path, err.msg);
    scenmc_results_info_free(&info);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Whether every table (and its errors) of a equals b's bit for bit (NaN too). */
static int same_tables(const char *a, const char *b)
{
    scenmc_derivatives x, y;
    read_deriv(a, &x);
    read_deriv(b, &y);
    const size_t n = (size_t)x.n_param * (size_t)x.Y, S = (size_t)x.S, V = (size_t)x.V;
    int same = x.n_param == y.n_param && x.Y == y.Y && x.S == y.S && x.V == y.V &&
               x.n_trajectories == y.n_trajectories && !strcmp(x.method, y.method) &&
               !x.variant == !y.variant && !memcmp(x.scenario, y.scenario, n * S * sizeof(double)) &&
               !memcmp(x.scenario_se, y.scenario_se, n * S * sizeof(double));
    if (same && x.variant)
        same = !memcmp(x.variant, y.variant, n * V * sizeof(double)) &&
               !memcmp(x.variant_se, y.variant_se, n * V * sizeof(double)) &&
               !memcmp(x.scenario_variant, y.scenario_variant, n * S * V * sizeof(double)) &&
               !memcmp(x.scenario_variant_se, y.scenario_variant_se, n * S * V * sizeof(double));
    scenmc_derivatives_free(&x);
    scenmc_derivatives_free(&y);
    return same;
}

/* Three shards, merged in any order, are the unsharded run, every table; so
 * are two shards of the scenario table alone. */
static void test_merge_equals_whole(void **state)
{
    (void)state;
    run_ok(SMALL " -n 3001", file("whole.h5"));
    for (int k = 1; k <= 3; k++) {
        char args[256], name[32];
        snprintf(args, sizeof args, SMALL " -n 3001 --shard %d/3", k);
        snprintf(name, sizeof name, "s%d.h5", k);
        run_ok(args, file(name));
    }
    /* a shard alone is another estimate: the comparison can fail */
    assert_false(same_tables(file("whole.h5"), file("s1.h5")));
    if (sh("%s merge '%s' '%s' '%s' -o '%s'", SCENMC_BINARY, file("s3.h5"), file("s1.h5"), file("s2.h5"),
           file("merged.h5")) != 0)
        fail_msg("merge: %s", sh_out);
    assert_non_null(strstr(sh_out, "3001 trajectories"));
    assert_true(same_tables(file("whole.h5"), file("merged.h5")));

    run_ok(EXAMPLE " -n 2000 --seed 5 --tables scenario", file("wholeS.h5"));
    run_ok(EXAMPLE " -n 2000 --seed 5 --tables scenario --shard 2/2", file("t2.h5"));
    run_ok(EXAMPLE " -n 2000 --seed 5 --tables scenario --shard 1/2", file("t1.h5"));
    if (sh("%s merge '%s' '%s' -o '%s' --quiet", SCENMC_BINARY, file("t1.h5"), file("t2.h5"), file("mergedS.h5")) != 0)
        fail_msg("merge: %s", sh_out);
    assert_true(same_tables(file("wholeS.h5"), file("mergedS.h5")));
    assert_false(same_tables(file("wholeS.h5"), file("t1.h5")));
}

/* merge of parts that do not fit: exit 2, nothing written, the reason named. */
static void refused(const char *a, const char *b, const char *why)
{
    const char *out = file("refused.h5");
    remove(out);
    assert_int_equal(sh("%s merge '%s' '%s' -o '%s'", SCENMC_BINARY, a, b, out), 2);
    if (!strstr(sh_out, why))
        fail_msg("merge %s %s: expected '%s' in:\n%s", a, b, why, sh_out);
    assert_non_null(strstr(sh_out, "nothing written"));
    FILE *f = fopen(out, "rb");
    assert_null(f);
}

/* Shards of other models, parameters or tables; gaps and overlaps; files
 * that are not shards. */
static void test_merge_refuses(void **state)
{
    (void)state;
    run_ok(SMALL " -n 1000 --shard 1/2", file("a1.h5"));
    run_ok(SMALL " -n 1000 --shard 2/2", file("a2.h5"));
    run_ok(SMALL " -n 1000 --shard 2/2 --seed 7", file("seed7.h5"));
    run_ok(SMALL " -n 1000 --shard 2/2 --beta 0.5", file("beta.h5"));
    run_ok(SMALL " -n 1000 --shard 2/2 --tables scenario", file("scen.h5"));
    run_ok(EXAMPLE " -n 1000 --shard 2/2", file("other.h5"));
    run_ok(SMALL " -n 1000 --shard 2/3", file("third.h5"));
    run_ok(SMALL " -n 1000", file("unsharded.h5"));
    refused(file("a1.h5"), file("other.h5"), "different models");
    refused(file("a1.h5"), file("seed7.h5"), "do not belong together");
    refused(file("a1.h5"), file("beta.h5"), "beta");
    refused(file("a1.h5"), file("scen.h5"), "only the scenario table");
    refused(file("a1.h5"), file("third.h5"), "overlapping parts");
    refused(file("a1.h5"), file("a1.h5"), "given twice");
    refused(file("a1.h5"), file("unsharded.h5"), "not a shard");
    assert_int_equal(sh("%s merge '%s' -o '%s'", SCENMC_BINARY, file("a2.h5"), file("refused.h5")), 2);
    assert_non_null(strstr(sh_out, "missing part: trajectories [0, 500)"));
    if (sh("%s sensitivity " SMALL " --method exact --quiet -o '%s'", SCENMC_BINARY, file("exact.h5")) != 0)
        fail_msg("exact: %s", sh_out);
    refused(file("exact.h5"), file("a2.h5"), "by the exact method");
    /* the options that do not combine */
    assert_int_equal(sh("%s sensitivity " SMALL " --method exact --shard 1/2 -o '%s'", SCENMC_BINARY,
                        file("x.h5")), 2);
    assert_non_null(strstr(sh_out, "--method score only"));
    assert_int_equal(sh("%s sensitivity " SMALL " --method score --shard 1/2", SCENMC_BINARY), 2);
    assert_non_null(strstr(sh_out, "give -o"));
    assert_int_equal(sh("%s sensitivity " SMALL " -n 3 --method score --shard 1/4 -o '%s'", SCENMC_BINARY,
                        file("x.h5")), 2);
    assert_non_null(strstr(sh_out, "more shards than trajectories"));
}

/* Two shards written by the library, one with a parameter's value changed
 * in its list (which its model and parameters cannot give: a damaged or
 * foreign list): refused as a different parameter list. */
static void test_merge_refuses_other_list(void **state)
{
    (void)state;
    scenmc_model *m = NULL;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_model_load(SMALL, &m, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 400;
    const char *names[2] = {file("l1.h5"), file("l2.h5")};
    for (int k = 0; k < 2; k++) {
        scenmc__score_sums sums;
        scenmc_derivatives d;
        scenmc__score_options o = {.threads = 1, .first = k ? 200 : 0, .last = k ? 400 : 200, .sums = &sums};
        assert_int_equal(scenmc__score_run(m, &p, &o, &d, &err), SCENMC_OK);
        if (k)
            d.param[3].value += 0.5;
        scenmc__deriv_shard sh = {.sums = &sums, .span = {o.first, o.last}, .k = k + 1, .M = 2};
        scenmc_write_options wo = {.method = "derivative"};
        assert_int_equal(scenmc__derivatives_write_shard(names[k], m, &p, &d, &sh, &wo, &err), SCENMC_OK);
        scenmc__score_sums_free(&sums);
        scenmc_derivatives_free(&d);
    }
    refused(names[0], names[1], "different parameter lists");
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

#define MPIRUN "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " \
               "ASAN_OPTIONS=detect_leaks=0 mpirun --oversubscribe --bind-to none"

/* A shard run by two MPI ranks (which split its slice) is the one-process
 * shard bit for bit, so it merges like any other. */
static void test_mpi_shard(void **state)
{
    (void)state;
    if (!scenmc__mpi_built() || sh("command -v mpirun") != 0) {
        print_message("skipped: %s\n", scenmc__mpi_built() ? "no mpirun on PATH" : "built without MPI");
        skip();
    }
    run_ok(SMALL " -n 2001 --seed 4", file("mw.h5"));
    run_ok(SMALL " -n 2001 --seed 4 --shard 2/2", file("m2.h5"));
    if (sh(MPIRUN " -np 2 %s sensitivity " SMALL " -n 2001 --seed 4 --shard 1/2 --method score --threads 1 --quiet "
           "-o '%s'", SCENMC_BINARY, file("m1.h5")) != 0)
        fail_msg("mpirun -np 2: %s", sh_out);
    if (sh("%s merge '%s' '%s' -o '%s' --quiet", SCENMC_BINARY, file("m1.h5"), file("m2.h5"), file("mm.h5")) != 0)
        fail_msg("merge: %s", sh_out);
    assert_true(same_tables(file("mw.h5"), file("mm.h5")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_equals_whole),
        cmocka_unit_test(test_merge_refuses),
        cmocka_unit_test(test_merge_refuses_other_list),
        cmocka_unit_test(test_mpi_shard),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
