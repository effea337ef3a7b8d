/* scenmc merge: shard files -> one results file, exactly (docs/hpc.md). */
#include "cli.h"
#include "hpc_cli.h"
#include "scenmc/reader.h"
#include "io/checkpoint.h"
#include "io/derivative_merge.h"
#include "io/derivative_read.h"
#include "summary.h"

#include <stdlib.h>
#include <string.h>

static const char head[] =
    "usage: scenmc merge PART.h5 [PART.h5 ...] -o FILE.h5 [--force] [--quiet]\n\n"
    "Adds the counts of the results files written by 'scenmc run --shard K/M' (or of\n"
    "any runs of one model and parameters over disjoint trajectory ranges) and\n"
    "writes one results file whose tables equal, bit for bit, those of a single\n"
    "run over all N trajectories. Files of 'scenmc sweep --shard K/M' are joined\n"
    "into one sweep file the same way, and the shards of 'scenmc sensitivity\n"
    "--method score --shard K/M' into the derivative file of one run (their\n"
    "integer sums are added; docs/sensitivity.md).\n\n"
    "The parts must belong together: Monte Carlo results of the same model (SHA-256),\n"
    "the same parameters (seed, N, beta, rates, ...) and format version; their\n"
    "trajectory ranges (sweep points) must not overlap and must cover [0, N)\n"
    "([0, P)) exactly. Otherwise nothing is written and every problem is named.\n"
    "Checkpoints are refused: finish them with 'scenmc run --resume'.\n\n"
    "options:\n";
static const cli_option options[] = {
    CLI_OUTPUT_OPTION("the merged file (atomically)"),
    CLI_FORCE_OPTION,
    {"quiet", CLI_K_QUIET, 0, "  --quiet                no table, only errors\n"},
    CLI_HELP_OPTION,
    CLI_END,
};
static const char foot[] =
    "\nExit status: 0 done, 1 runtime failure (I/O, memory), 2 bad input or usage\n"
    "(including parts that do not belong together, overlap or leave a gap).\n";
static const cli_command command = {"merge", head, foot, options};

/* The shards of a score run into one derivative file. */
static int merge_derivatives(const char *const *parts, int n, const char *out, const scenmc_write_options *wo,
                             int quiet)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    uint64_t N = 0;
    scenmc_status st = scenmc__merge_derivative_files(parts, n, out, wo, &N, &err);
    if (st != SCENMC_OK) {
        cli_print_error("merge", &err);
        fprintf(stderr, "scenmc merge: nothing written\n");
        return st == SCENMC_E_NOMEM || st == SCENMC_E_IO ? 1 : EXIT_USAGE;
    }
    if (!quiet)
        printf("Merged %d derivative shard%s: %llu trajectories -> %s\n", n, n == 1 ? "" : "s",
               (unsigned long long)N, out);
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc == CLI_HELP_SHOWN ? 0 : rc;
    const char *out = cli_value(&a, CLI_K_OUTPUT);
    int force = cli_flag(&a, CLI_K_FORCE), quiet = cli_flag(&a, CLI_K_QUIET);
    const char **parts = a.pos;
    int n = a.n_pos;
    if (!rc && n == 0)
        rc = cli_usage_error("merge", "no files to merge; expected PART.h5 ... -o FILE.h5");
    if (!rc && !out)
        rc = cli_usage_error("merge", "no output; expected -o FILE.h5");
    for (int i = 0; i < n && !rc; i++)
        if (cli_same_file(parts[i], out))
            rc = cli_usage_error("merge", "%s is both a part and the output", out);
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && scenmc_output_check(out, force, &err) != SCENMC_OK) {
        cli_print_error("merge", &err);
        rc = EXIT_USAGE;
    }
    if (rc) {
        cli_args_free(&a);
        return rc;
    }
    char *cl = cli_command_line(argc, argv);
    scenmc_write_options wo = {.command_line = cl, .force = force};
    if (scenmc__is_derivative_file(parts[0])) {
        rc = merge_derivatives(parts, n, out, &wo, quiet);
        free(cl);
        cli_args_free(&a);
        return rc;
    }
    if (scenmc__is_sweep_file(parts[0])) {
        int P = 0;
        scenmc_status st = scenmc_merge_sweep_files(parts, n, out, &wo, &P, &err);
        if (st != SCENMC_OK) {
            cli_print_error("merge", &err);
            rc = cli_exit_code(st);
        } else if (!quiet) {
            printf("Merged %d sweep file%s: %d points -> %s\n", n, n == 1 ? "" : "s", P, out);
        }
        free(cl);
        cli_args_free(&a);
        return rc;
    }
    scenmc_model *m = NULL;
    scenmc_results r;
    scenmc_status st = scenmc_merge_files(parts, n, 0, &m, &r, &err);
    if (st != SCENMC_OK) {
        cli_print_error("merge", &err);
        fprintf(stderr, "scenmc merge: nothing written\n");
        free(cl);
        cli_args_free(&a);
        /* A part that cannot be read is bad input, like one that does not fit. */
        return st == SCENMC_E_NOMEM ? 1 : EXIT_USAGE;
    }
    st = scenmc_output_write(out, &r, &wo, &err);
    if (st != SCENMC_OK) {
        cli_print_error("merge", &err);
        rc = cli_exit_code(st);
    } else if (!quiet) {
        printf("%s: %d part%s, %llu trajectories [0, %llu), seed %llu -> %s\n\n", m->name, n,
               n == 1 ? "" : "s", (unsigned long long)r.n_trajectories,
               (unsigned long long)r.params.n_trajectories, (unsigned long long)r.params.seed, out);
        summary_scenarios(stdout, &r);
    }
    scenmc_results_free(&r);
    scenmc_model_free(m);
    free(cl);
    cli_args_free(&a);
    return rc;
}
