/* scenmc run: the Monte Carlo engine from the command line. */
#include "cli.h"
#include "summary.h"

#include <stdlib.h>
#include <string.h>

static const char help_head[] =
    "usage: scenmc run [MODEL] [options]\n\n"
    "Simulates trajectories of the scenario dynamics (docs/model.md) from the start\n"
    "year to the end year, tallies them into the scenario tables and writes one\n"
    "HDF5 results file (docs/file-format.md). Results depend only on the model,\n"
    "the parameters, the seed and N: never on the number of threads.\n"
    "Without MODEL, the built-in Ett Smart Västernorrland 2030 model.\n\n"
    "options:\n";
static const char help_tail[] =
    "  -o, --output FILE.h5   write the results there (atomically)\n"
    "  --force                overwrite an existing output file\n"
    "  --threads T            OpenMP threads (default: all cores)\n"
    "  --chunk C              trajectories between progress reports (no effect on results)\n"
    "  --ensemble M           judgement uncertainty: M consistency matrices drawn around\n"
    "                         the model's, each running N/M of the trajectories; the\n"
    "                         file gets the pooled tables and /ensemble (the members'\n"
    "                         scenario probabilities and their 5-95% quantiles)\n"
    "  --judgement-sd SD      standard deviation of each score's noise (default 0.5;\n"
    "                         clipped to the model's scale)\n"
    "  --quiet                no progress and no tables, only errors\n"
    "  -h, --help             this text\n\n"
    "Exit status: 0 done, 1 runtime failure (I/O, memory), 2 bad input or usage.\n";

int cmd_run(int argc, char **argv)
{
    static const char *const value_opts[] = {CLI_PARAM_VALUE_OPTS, "-o", "--output", "--threads",
                                              "--chunk", "--ensemble", "--judgement-sd", NULL};
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help_head, stdout);
            fputs(cli_param_help, stdout);
            fputs(help_tail, stdout);
            return 0;
        }
    const char *pos[2] = {NULL, NULL};
    int npos = cli_positionals(argc, argv, value_opts, pos, 2);
    if (npos > 1)
        return cli_usage_error("run", "more than one MODEL ('%s', '%s'); expected one", pos[0], pos[1]);
    int rc = 0;
    scenmc_model *m = cli_load_model("run", pos[0], &rc);
    if (!m)
        return rc;
    scenmc_params p;
    scenmc_params_init(&p, m);
    const char *out = NULL, *start = NULL;
    int force = 0, quiet = 0;
    long threads = 0, ensemble = 0;
    double judgement_sd = 0.5;
    int sd_given = 0;
    uint64_t chunk = 0;
    rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        int missing = 0;
        const char *v;
        int k = cli_param_option("run", argc, argv, &i, &p, &start);
        if (k < 0) {
            rc = EXIT_USAGE;
        } else if (k > 0) {
            continue;
        } else if ((v = cli_opt(argc, argv, &i, "-o", &missing)) ||
                   (!missing && (v = cli_opt(argc, argv, &i, "--output", &missing)))) {
            out = v;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--threads", &missing))) {
            if (!cli_parse_int("run", "--threads", v, 1, 4096, &threads))
                rc = EXIT_USAGE;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--ensemble", &missing))) {
            if (!cli_parse_int("run", "--ensemble", v, 1, 1000000, &ensemble))
                rc = EXIT_USAGE;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--judgement-sd", &missing))) {
            sd_given = 1;
            if (!cli_parse_double("run", "--judgement-sd", v, &judgement_sd))
                rc = EXIT_USAGE;
            else if (judgement_sd < 0)
                rc = cli_usage_error("run", "--judgement-sd %s: expected a number >= 0", v);
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--chunk", &missing))) {
            if (!cli_parse_u64("run", "--chunk", v, 1, &chunk))
                rc = EXIT_USAGE;
        } else if (missing) {
            rc = cli_usage_error("run", "%s needs a value", argv[i]);
        } else if (!strcmp(argv[i], "--force")) {
            force = 1;
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            quiet = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = cli_usage_error("run", "unknown option '%s'", argv[i]);
        }
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && start && scenmc_params_parse_start(&p, m, start, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && scenmc_params_check(&p, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && sd_given && !ensemble)
        rc = cli_usage_error("run", "--judgement-sd needs --ensemble M");
    if (!rc && ensemble > 0 && (uint64_t)ensemble > p.n_trajectories)
        rc = cli_usage_error("run", "--ensemble %ld: more members than trajectories (%llu)", ensemble,
                             (unsigned long long)p.n_trajectories);
    /* Refuse an unwritable or existing output before spending the compute. */
    if (!rc && out && scenmc_output_check(out, force, &err) != SCENMC_OK) {
        cli_print_error("run", &err);
        rc = EXIT_USAGE; /* a bad -o is a usage problem: nothing was computed */
    }
    if (rc) {
        scenmc_params_free(&p);
        scenmc_model_free(m);
        return rc;
    }

    progress prog;
    progress_init(&prog, "run", quiet);
    scenmc_run_options opt = {.threads = (int)threads, .chunk = chunk, .progress = progress_cb,
                              .progress_ctx = &prog};
    scenmc_results r;
    scenmc_ensemble_info ens = {0};
    scenmc_status st = ensemble ? scenmc_run_ensemble(m, &p, (int)ensemble, judgement_sd, &opt, &r,
                                                      &ens, &err)
                                : scenmc_run(m, &p, &opt, &r, &err);
    progress_end(&prog);
    if (st != SCENMC_OK) {
        cli_print_error("run", &err);
        scenmc_params_free(&p);
        scenmc_model_free(m);
        return cli_exit_code(st);
    }
    if (out) {
        char *cl = cli_command_line(argc + 1, argv - 1);
        scenmc_write_options wo = {.command_line = cl, .force = force,
                                   .ensemble = ensemble ? &ens : NULL};
        st = scenmc_output_write(out, &r, &wo, &err);
        free(cl);
        if (st != SCENMC_OK) {
            cli_print_error("run", &err);
            rc = cli_exit_code(st);
        }
    }
    if (!quiet && !rc) {
        printf("%s: %llu trajectories, %d-%d, beta %g, seed %llu\n\n", m->name,
               (unsigned long long)r.n_trajectories, p.year_start, p.year_end, p.beta,
               (unsigned long long)p.seed);
        summary_scenarios(stdout, &r);
        summary_characteristics(stdout, &r);
        summary_top_states(stdout, &r, 5);
        if (ensemble) {
            int Y = r.n_years, S = r.n_scenarios;
            printf("\nJudgement uncertainty: %d matrices, score noise sd %g; P(scenario in %d) across "
                   "members\n  %-28s %8s %8s %8s %8s %8s\n", ens.n_members, ens.judgement_sd,
                   p.year_end, "", "5%", "25%", "50%", "75%", "95%");
            for (int s = 0; s < S; s++) {
                printf("  ");
                summary_cell(stdout, s < m->n_scenarios ? m->scenarios[s].name : "unclassified", 28);
                for (int l = 0; l < ens.n_quantiles; l++)
                    printf(" %8.4f", ens.quantiles[((size_t)l * (size_t)Y + (size_t)(Y - 1)) * (size_t)S +
                                                   (size_t)s]);
                printf("\n");
            }
        }
        double lambda = 0;
        for (int d = 0; d < p.n_descriptors; d++)
            lambda += p.rate[d];
        double tps = r.wall_seconds > 0 ? (double)r.n_trajectories / r.wall_seconds : 0;
        printf("\nThroughput: %.0f trajectories/s, about %.3g revisions/s (%d threads, %.2f s)\n", tps,
               tps * lambda * (p.year_end - p.year_start), r.threads, r.wall_seconds);
        if (out)
            printf("Results: %s\n", out);
        else
            printf("(no -o given: the tables above were not saved)\n");
    }
    scenmc_ensemble_free(&ens);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return rc;
}
