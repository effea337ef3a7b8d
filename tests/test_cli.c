/* The command line's option parsing: every unknown, abbreviated or value-less
 * option is named and exits 2, every command's --help lists its options, and
 * options and positionals mix in any order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "io/run_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *model(void)
{
    return src_path("models/vasternorrland2030.yaml");
}

/* The example: "--seeed 5" used to make "5" the MODEL ("5: cannot open"). */
static void test_misspelt_option_named(void **state)
{
    (void)state;
    assert_int_equal(sh("cd %s && %s run --seeed 5 -n 10 -o y.h5", scratch_dir, SCENMC_BINARY), 2);
    assert_out_has("--seeed");
    assert_null(strstr(sh_out, "cannot open"));
    char path[4096];
    snprintf(path, sizeof path, "%s/y.h5", scratch_dir);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(sh("%s sweep --seeed 5 --param beta=0,1", SCENMC_BINARY), 2);
    assert_out_has("--seeed");
    assert_null(strstr(sh_out, "cannot open"));
}

/* Every command names an option it does not know, before reading any file. */
static void test_unknown_option_every_command(void **state)
{
    (void)state;
    static const char *const cmds[] = {"run", "exact", "consistent", "sweep", "sensitivity",
                                       "validate", "info", "import", "export-model", "export",
                                       "report", "merge"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        assert_int_equal(sh("%s %s --no-such-option x.h5", SCENMC_BINARY, cmds[i]), 2);
        assert_out_has("--no-such-option");
        assert_int_equal(sh("%s %s -Z", SCENMC_BINARY, cmds[i]), 2);
        assert_out_has("-Z");
    }
}

/* getopt_long would take a unique prefix; scenmc names it and refuses. */
static void test_abbreviation_rejected(void **state)
{
    (void)state;
    assert_int_equal(sh("%s run --see 5 -n 10", SCENMC_BINARY), 2);
    assert_out_has("--see");
    assert_int_equal(sh("%s run --traj=10", SCENMC_BINARY), 2);
    assert_out_has("--traj");
    assert_int_equal(sh("%s exact --stat", SCENMC_BINARY), 2);
    assert_out_has("--stat");
    assert_int_equal(sh("%s report --form text x.h5", SCENMC_BINARY), 2);
    assert_out_has("--form");
    assert_int_equal(sh("%s info --js", SCENMC_BINARY), 2);
    assert_out_has("--js");
}

static void test_missing_value(void **state)
{
    (void)state;
    assert_int_equal(sh("%s run -n", SCENMC_BINARY), 2);
    assert_out_has("-n needs a value");
    assert_int_equal(sh("%s run --seed", SCENMC_BINARY), 2);
    assert_out_has("--seed needs a value");
    assert_int_equal(sh("%s run --output", SCENMC_BINARY), 2);
    assert_out_has("--output needs a value");
    assert_int_equal(sh("%s report x.h5 --top", SCENMC_BINARY), 2);
    assert_out_has("--top needs a value");
    assert_int_equal(sh("%s merge a.h5 -o", SCENMC_BINARY), 2);
    assert_out_has("-o needs a value");
}

/* Each command's --help exits 0 and lists every option of its table. */
static void test_help_lists_options(void **state)
{
    (void)state;
#define PARAMS "-n", "--trajectories", "--seed", "--beta", "--rate", "--w-consistency", \
    "--w-cross", "--start"
    static const struct {
        const char *cmd;
        const char *opts[24];
    } cases[] = {
        {"run", {PARAMS, "-o", "--output", "--force", "--threads", "--chunk", "--ensemble",
                 "--judgement-sd", "--quiet", "--help", "--shard", "--checkpoint", "--max-time",
                 "--resume"}},
        {"exact", {PARAMS, "--stationary", "-o", "--output", "--force", "--threads", "--quiet",
                   "--help"}},
        {"sweep", {"--param", "--design", PARAMS, "-o", "--output", "--force", "--threads",
                   "--quiet", "--help", "--shard"}},
        {"sensitivity", {"--delta", "--top", PARAMS, "-o", "--output", "--force", "--threads",
                         "--quiet", "--help"}},
        {"consistent", {"--max-ic", "--count", "--sweep", "--limit", "--compare", "--top",
                        "--min-pair", "--basins", "--starts", "--seed", "--matrix", "--threads",
                        "--help"}},
        {"validate", {"MODEL"}},
        {"info", {"--json"}},
        {"import", {"-o", "--output", "--force", "--scenario-axes", "--descriptors",
                    "--consistency"}},
        {"export-model", {"--scw", "--csv", "--consistency", "--force", "--crlf", "--utf8"}},
        {"export", {"--csv", "--force", "-q", "--quiet", "--help"}},
        {"report", {"--format", "--year", "--top", "--help"}},
        {"merge", {"-o", "--output", "--force", "--quiet", "--help"}},
    };
#undef PARAMS
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(sh("%s %s --help", SCENMC_BINARY, cases[i].cmd), 0);
        assert_out_has("usage: scenmc ");
        for (size_t k = 0; k < 24 && cases[i].opts[k]; k++)
            assert_out_has(cases[i].opts[k]);
        char *first = sh_out;
        sh_out = NULL;
        assert_int_equal(sh("%s %s -h", SCENMC_BINARY, cases[i].cmd), 0);
        assert_string_equal(sh_out, first);
        free(first);
    }
}

/* A valid run: options before and after MODEL, --name=value, -n=value. */
static void test_valid_run(void **state)
{
    (void)state;
    assert_int_equal(sh("cd %s && %s run -n 2000 --seed=3 -o a.h5 %s --quiet", scratch_dir, SCENMC_BINARY,
                        model()),
                     0);
    assert_int_equal(sh("cd %s && %s run %s --trajectories=2000 --seed 3 -q --output=b.h5", scratch_dir,
                        SCENMC_BINARY, model()),
                     0);
    assert_int_equal(sh("cd %s && %s run -n=2000 --seed 3 --quiet -o c.h5", scratch_dir, SCENMC_BINARY), 0);
    /* The same counts however the options were written. */
    assert_int_equal(sh("cd %s && %s export a.h5 --csv A -q && %s export --csv=B b.h5 -q && "
                        "%s export -q c.h5 --csv C && cmp A/scenario.csv B/scenario.csv && "
                        "cmp A/scenario.csv C/scenario.csv",
                        scratch_dir, SCENMC_BINARY, SCENMC_BINARY, SCENMC_BINARY),
                     0);
    assert_int_equal(sh("cd %s && %s run -n 100 %s %s", scratch_dir, SCENMC_BINARY, model(), model()), 2);
    assert_out_has("more than one MODEL");
}

/* The run plan is library code: a driver other than the CLI gets the same
 * checks, ranges and completion decision. */
static void test_run_plan_library(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc__run_request q = {.sd_given = 1, .size = 1};
    scenmc__run_plan pl;
    scenmc__run_plan_init(&pl, &q);
    scenmc__run_plan_from_model(&pl, default_model());
    assert_int_equal(scenmc__run_plan_check(&pl, &err), SCENMC_E_INPUT);
    assert_true(pl.usage);
    assert_non_null(strstr(err.msg, "--judgement-sd needs --ensemble"));
    scenmc__run_plan_free(&pl);

    /* Shard 2 of 4 of 100 trajectories, on rank 2 of 2: [25, 50), this rank [37, 50). */
    scenmc_error_clear(&err);
    q = (scenmc__run_request){.shard = "2/4", .rank = 1, .size = 2};
    scenmc__run_plan_init(&pl, &q);
    scenmc__run_plan_from_model(&pl, default_model());
    pl.p.n_trajectories = 100;
    assert_int_equal(scenmc__run_plan_check(&pl, &err), SCENMC_OK);
    scenmc__run_plan_ranges(&pl);
    assert_int_equal(pl.target.first, 25);
    assert_int_equal(pl.target.last, 50);
    assert_int_equal(pl.n_mine, 1);
    assert_int_equal(pl.mine[0].first, 37);
    assert_int_equal(pl.mine[0].last, 50);
    scenmc_range all[2] = {{25, 50}, {0, 0}};
    assert_true(scenmc__run_complete(&pl, all, 1));
    all[0].last = 40;
    assert_false(scenmc__run_complete(&pl, all, 1));
    scenmc_results r = {0};
    scenmc_hpc_info info;
    scenmc__run_checkpoint_info(&pl, all, 1, &r, &info);
    assert_int_equal(info.next, 40);
    assert_int_equal(info.shard_index, 2);
    assert_int_equal(info.shard_count, 4);
    assert_int_equal(r.first, 25);
    assert_int_equal(r.last, 40);
    scenmc__run_plan_free(&pl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misspelt_option_named),
        cmocka_unit_test(test_unknown_option_every_command),
        cmocka_unit_test(test_abbreviation_rejected),
        cmocka_unit_test(test_missing_value),
        cmocka_unit_test(test_help_lists_options),
        cmocka_unit_test(test_valid_run),
        cmocka_unit_test(test_run_plan_library),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
