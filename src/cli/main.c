/* scenmc: one binary, one subcommand per task. */
#include "cli.h"

#include <hdf5.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} command;

static const command commands[] = {
    {"run", cmd_run, "simulate trajectories and write the tallies to HDF5"},
    {"exact", cmd_exact, "the same tables without sampling noise (uniformization)"},
    {"consistent", cmd_consistent, "CIB consistency: consistent states, top states, basins"},
    {"sweep", cmd_sweep, "run a parameter design (grid or Latin hypercube), common random numbers"},
    {"calibrate", cmd_calibrate, "which parameters fit observations: likelihood, posterior, credible set"},
    {"sensitivity", cmd_sensitivity, "effect of every consistency score on the final scenarios"},
    {"signposts", cmd_signposts, "what to watch: the information each observation gives about the scenario"},
    {"levers", cmd_levers, "which single intervention moves the odds of a target most"},
    {"validate", cmd_validate, "check model files and report every problem"},
    {"info", cmd_info, "describe a model (text or --json)"},
    {"import", cmd_import, "convert a ScenarioWizard .scw or CSV matrix into a scenmc model"},
    {"export-model", cmd_export_model, "write a model as ScenarioWizard .scw or CSV"},
    {"export", cmd_export, "write every table of a results file as CSV"},
    {"report", cmd_report, "a readable summary of a results file"},
    {"merge", cmd_merge, "combine shard results into one file, exactly"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "scenmc %s: Monte Carlo and exact scenario dynamics\n\n"
               "usage: scenmc <command> [options]\n\ncommands:\n", SCENMC_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'scenmc <command> --help' (or 'scenmc help <command>') describes each. A\n"
               "command given no MODEL uses the built-in model Ett Smart Västernorrland 2030.\n"
               "Documentation: docs/.\n");
}

/* "scenmc help CMD": the command's --help, as 'scenmc CMD --help' prints it. */
static int help_of(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i].name)) {
            char *args[] = {(char *)commands[i].name, "--help", NULL};
            return commands[i].fn(2, args);
        }
    fprintf(stderr, "scenmc help: unknown command '%s'\n\n", name);
    usage(stderr);
    return EXIT_USAGE;
}

/* The default thread count comes from OMP_NUM_THREADS; libgomp crashes creating
 * 10^5 threads, so it is bounded like --threads (1..4096). */
static int omp_threads_ok(void)
{
    int n = omp_get_max_threads();
    if (n <= 4096)
        return 1;
    fprintf(stderr, "scenmc: OMP_NUM_THREADS asks for %d threads; expected 1 to 4096\n", n);
    return 0;
}

/* Every command writes its files through temporaries (base/atomic_file.c).
 * A signal that ends the process must not leave one behind: the handler
 * (cli_end_by_signal) removes the live temporaries, then ends the process by
 * the same signal with its default action. run and sweep replace it with
 * hpc_cli's when they have a checkpoint (first signal: stop with one). */
static void fatal_signals_install(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_end_by_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        /* An ignored signal (SIGHUP under nohup) stays ignored. */
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") && argc > 2) /* "scenmc help run": run's own --help */
        return help_of(argv[2]);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("scenmc %s\n", SCENMC_VERSION);
        return 0;
    }
    if (!omp_threads_ok())
        return EXIT_USAGE;
    /* The CLI reports HDF5's failures in its own words: once, for the whole process. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cli_set_program(argv[0]);
    fatal_signals_install();
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "scenmc: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
