/* scenmc sweep and scenmc sensitivity: sensitivity studies from the command line. */
#include "cli.h"
#include "cmd_hpc.h"
#include "scenmc/sweep.h"
#include "summary.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char sweep_head[] =
    "usage: scenmc sweep [MODEL] --param NAME=SPEC [--param ...] [options]\n\n"
    "Runs the engine at every point of a parameter design and writes one HDF5\n"
    "file: every table of 'scenmc run' with a leading 'point' dimension, plus\n"
    "/sweep/param_name and /sweep/value (docs/file-format.md). Every point uses\n"
    "the same seed (common random numbers): trajectory k draws the same random\n"
    "numbers at every point, so differences between points are far less noisy\n"
    "than independent runs, and a point equals a standalone 'scenmc run' with\n"
    "those parameters.\n\n"
    "NAME: beta | rate (every descriptor) | rate.ID | w-consistency | w-cross |\n"
    "      initial.ID=VARIANT (its start probability; the others keep their\n"
    "      proportions) | cell:ID=VARIANT,ID=VARIANT (a consistency score; both\n"
    "      symmetric entries) | cross:ID=VARIANT,ID=VARIANT (a cross impact, from\n"
    "      the first to the second)\n"
    "SPEC: START:STOP:STEP | lin:START:STOP:COUNT | a,b,c\n"
    "Several --param make a full factorial grid (the last one fastest).\n\n"
    "options:\n"
    "  --param NAME=SPEC      a swept parameter (repeatable)\n"
    "  --design lhs:K         K Latin-hypercube points over the parameters' ranges\n"
    "                         instead of the grid\n";
static const char sweep_tail[] =
    "  -o, --output FILE.h5   the sweep file (atomically)\n"
    "  --force                overwrite an existing output file\n"
    "  --threads T            OpenMP threads (per MPI rank; default: all cores)\n"
    "  --quiet                no progress and no table\n"
    "  -h, --help             this text\n\n"
    "beyond one machine (docs/hpc.md):\n"
    "  --shard K/M            only the K-th of M slices of the points [P(K-1)/M, PK/M);\n"
    "                         'scenmc merge' joins the M sweep files into one equal to the\n"
    "                         whole sweep, bit for bit\n"
    "  Under mpirun/srun every point's trajectories are split over the ranks, rank 0\n"
    "  adds the counts exactly and writes the file.\n";

static int sweep_main(int argc, char **argv, hpc_proc *h);

int cmd_sweep(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(sweep_head, stdout);
            fputs(cli_param_help, stdout);
            fputs(sweep_tail, stdout);
            return 0;
        }
    hpc_proc h;
    int rc = hpc_begin("sweep", &h);
    if (!rc)
        rc = sweep_main(argc, argv, &h);
    hpc_end(&h);
    return rc;
}

static int sweep_main(int argc, char **argv, hpc_proc *h)
{
    static const char *const value_opts[] = {CLI_PARAM_VALUE_OPTS, "-o", "--output", "--threads",
                                              "--param", "--design", "--shard", NULL};
    const char *pos[2] = {NULL, NULL};
    int npos = cli_positionals(argc, argv, value_opts, pos, 2);
    if (npos > 1)
        return hpc_agree("sweep", h, cli_usage_error("sweep", "more than one MODEL ('%s', '%s'); "
                                                     "expected one", pos[0], pos[1]));
    int rc = 0;
    scenmc_model *m = cli_load_model("sweep", pos[0], &rc);
    if (!m)
        return hpc_agree("sweep", h, rc);
    scenmc_params base;
    scenmc_params_init(&base, m);
    const char *out = NULL, *start = NULL, *design = NULL, *shard = NULL;
    int force = 0, quiet = 0, K = 0;
    long threads = 0;
    scenmc_sweep_param *ps = scenmc_xcalloc((size_t)argc, sizeof *ps);
    scenmc_error err;
    scenmc_error_clear(&err);
    for (int i = 1; i < argc && !rc; i++) {
        int missing = 0;
        const char *v;
        int k = cli_param_option("sweep", argc, argv, &i, &base, &start);
        if (k < 0)
            rc = EXIT_USAGE;
        else if (k > 0)
            continue;
        else if ((v = cli_opt(argc, argv, &i, "--param", &missing))) {
            if (scenmc_sweep_param_parse(m, v, &ps[K], &err) != SCENMC_OK) {
                cli_print_error("sweep", &err);
                rc = EXIT_USAGE;
            } else {
                K++;
            }
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--design", &missing)))
            design = v;
        else if (!missing && (v = cli_opt(argc, argv, &i, "--shard", &missing)))
            shard = v;
        else if (!missing && ((v = cli_opt(argc, argv, &i, "-o", &missing)) ||
                              (!missing && (v = cli_opt(argc, argv, &i, "--output", &missing)))))
            out = v;
        else if (!missing && (v = cli_opt(argc, argv, &i, "--threads", &missing))) {
            if (!cli_parse_int("sweep", "--threads", v, 1, 4096, &threads))
                rc = EXIT_USAGE;
        } else if (missing)
            rc = cli_usage_error("sweep", "%s needs a value", argv[i]);
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
            quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            rc = cli_usage_error("sweep", "unknown option '%s'", argv[i]);
    }
    long lhs = 0;
    if (!rc && design) {
        if (!strcmp(design, "grid"))
            lhs = 0;
        else if (strncmp(design, "lhs:", 4) || !cli_parse_int("sweep", "--design lhs:K", design + 4, 1,
                                                              1000000, &lhs))
            rc = strncmp(design, "lhs:", 4) ? cli_usage_error("sweep", "--design '%s': expected grid "
                                                              "or lhs:K", design)
                                            : EXIT_USAGE;
    }
    if (!rc && K == 0)
        rc = cli_usage_error("sweep", "no --param given; expected at least one NAME=SPEC");
    if (!rc && start && scenmc_params_parse_start(&base, m, start, &err) != SCENMC_OK) {
        cli_print_error("sweep", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && scenmc_params_check(&base, &err) != SCENMC_OK) {
        cli_print_error("sweep", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && out && h->rank == 0 && scenmc_output_check(out, force, &err) != SCENMC_OK) {
        cli_print_error("sweep", &err);
        rc = EXIT_USAGE;
    }
    int shard_k = 0, shard_m = 0;
    if (!rc && shard && scenmc_shard_parse(shard, &shard_k, &shard_m, &err) != SCENMC_OK) {
        cli_print_error("sweep", &err);
        rc = EXIT_USAGE;
    }
    double *values = NULL;
    int P = 0;
    if (!rc && scenmc_sweep_design(ps, K, (int)lhs, base.seed, &values, &P, &err) != SCENMC_OK) {
        cli_print_error("sweep", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && shard_m > P)
        rc = cli_usage_error("sweep", "--shard %s: more shards than points (%d)", shard, P);
    /* Check every point's parameters before spending any compute. */
    for (int i = 0; i < P && !rc; i++) {
        scenmc_params p;
        scenmc_params_copy(&p, &base);
        if (scenmc_sweep_apply(m, ps, K, values + (size_t)i * (size_t)K, &p, &err) != SCENMC_OK ||
            scenmc_params_check(&p, &err) != SCENMC_OK) {
            cli_print_error("sweep", &err);
            rc = EXIT_USAGE;
        }
        scenmc_params_free(&p);
    }
    const char **names = scenmc_xcalloc((size_t)(K ? K : 1), sizeof(char *));
    for (int j = 0; j < K; j++)
        names[j] = ps[j].name;
    rc = hpc_agree("sweep", h, rc);
    if (!rc)
        rc = hpc_same_inputs("sweep", h, m, &base);
    /* A shard computes the points [p_first, p_last); MPI ranks split each point's trajectories. */
    int p_first = 0, p_last = P;
    if (!rc && shard_m) {
        scenmc_range sl = scenmc_slice(0, (uint64_t)P, (uint64_t)shard_k, (uint64_t)shard_m);
        p_first = (int)sl.first;
        p_last = (int)sl.last;
    }
    scenmc_range mine = scenmc_slice(0, base.n_trajectories, (uint64_t)h->rank + 1, (uint64_t)h->size);
    char *cl = cli_command_line(argc + 1, argv - 1);
    scenmc_write_options wo = {.command_line = cl, .force = force, .design = design ? design : "grid"};
    scenmc_sweep_writer *sw = NULL;
    char *tmp_out = NULL; /* shards: written beside, marked, then renamed */
    int S = 0, final_year = 0;
    double *final_prob = NULL; /* [P][S] */
    progress prog;
    progress_init(&prog, "sweep", quiet || h->rank != 0);
    double t0 = scenmc_now();
    for (int i = p_first; i < p_last && !rc; i++) {
        scenmc_params p;
        scenmc_params_copy(&p, &base);
        scenmc_sweep_apply(m, ps, K, values + (size_t)i * (size_t)K, &p, &err);
        scenmc_run_options opt = {.threads = (int)threads};
        scenmc_results r;
        scenmc_range done_r;
        size_t n_done = 0;
        scenmc_status st = scenmc_run_ranges(m, &p, &opt, &mine, mine.last > mine.first ? 1 : 0, &r,
                                             &done_r, &n_done, &err);
        scenmc_params_free(&p);
        if (st != SCENMC_OK) {
            cli_print_error("sweep", &err);
            rc = cli_exit_code(st);
        }
        rc = hpc_agree("sweep", h, rc);
        if (rc) {
            if (st == SCENMC_OK)
                scenmc_results_free(&r);
            break;
        }
        r.wall_seconds = scenmc_mpi_max_double(r.wall_seconds);
        scenmc_mpi_reduce_results(&r, 0, &err);
        if (h->rank == 0) {
            r.first = 0;
            r.last = base.n_trajectories;
            if (i == p_first) {
                S = r.n_scenarios;
                final_year = r.n_years - 1;
                final_prob = scenmc_xcalloc((size_t)P * (size_t)(S ? S : 1), sizeof(double));
                if (out && shard_m)
                    tmp_out = scenmc_hpc_temp_name(out);
                if (out && scenmc_sweep_writer_open(tmp_out ? tmp_out : out, &r, p_last - p_first, K,
                                                    names, values + (size_t)p_first * (size_t)K, &base,
                                                    &wo, &sw, &err) != SCENMC_OK) {
                    cli_print_error("sweep", &err);
                    rc = 1;
                }
            }
            for (int s = 0; s < S; s++)
                final_prob[(size_t)i * (size_t)S + (size_t)s] =
                    r.t[SCENMC_T_SCENARIO].prob[(size_t)final_year * (size_t)S + (size_t)s];
            if (!rc && sw && scenmc_sweep_writer_point(sw, i - p_first, &r, &err) != SCENMC_OK) {
                cli_print_error("sweep", &err);
                rc = 1;
            }
        }
        scenmc_results_free(&r);
        rc = hpc_share(h, rc);
        progress_cb(&prog, (uint64_t)(i + 1 - p_first), (uint64_t)(p_last - p_first), scenmc_now() - t0);
    }
    progress_end(&prog);
    if (sw && scenmc_sweep_writer_close(sw, rc != 0, &err) != SCENMC_OK && !rc) {
        cli_print_error("sweep", &err);
        rc = 1;
    }
    if (sw && tmp_out && !rc &&
        scenmc_sweep_shard_commit(tmp_out, out, force, p_first, p_last, P, shard_k, shard_m, &err) !=
            SCENMC_OK) {
        cli_print_error("sweep", &err);
        rc = 1;
    }
    free(tmp_out);
    rc = hpc_share(h, rc);
    if (!rc && !quiet && h->rank == 0) {
        printf("%s: %d points x %llu trajectories, seed %llu (common random numbers)", m->name, P,
               (unsigned long long)base.n_trajectories, (unsigned long long)base.seed);
        if (shard_m)
            printf("; shard %d/%d: points %d to %d", shard_k, shard_m, p_first + 1, p_last);
        if (h->size > 1)
            printf("; %d MPI ranks", h->size);
        printf("\n\n");
        printf("Scenario probabilities in %d\n", base.year_end);
        for (int j = 0; j < K; j++) {
            summary_cell(stdout, ps[j].name, 14);
            putchar(' ');
        }
        for (int s = 0; s < S; s++) {
            putchar(' ');
            summary_cell(stdout, s < m->n_scenarios ? m->scenarios[s].name : "unclassified", 14);
        }
        printf("\n");
        for (int i = p_first; i < p_last && i < p_first + 200; i++) {
            for (int j = 0; j < K; j++)
                printf("%-14.6g ", values[(size_t)i * (size_t)K + (size_t)j]);
            for (int s = 0; s < S; s++)
                printf(" %-14.4f", final_prob[(size_t)i * (size_t)S + (size_t)s]);
            printf("\n");
        }
        if (p_last - p_first > 200)
            printf("(%d more points in the file)\n", p_last - p_first - 200);
        printf("\n%.1f s%s%s\n", scenmc_now() - t0, out ? "; results: " : "", out ? out : "");
    }
    free(final_prob);
    free(cl);
    free(names);
    free(values);
    for (int j = 0; j < K; j++)
        scenmc_sweep_param_free(&ps[j]);
    free(ps);
    scenmc_params_free(&base);
    scenmc_model_free(m);
    return rc;
}

static const char sens_help[] =
    "usage: scenmc sensitivity [MODEL] [--delta D] [options]\n\n"
    "Changes every scored consistency cell by -D and +D in turn (clipped to the\n"
    "model's scale; both symmetric entries) and reports, per cell, the change of\n"
    "each scenario's final-year probability, P(+D) - P(-D), with its paired\n"
    "standard error: both runs use the same random numbers trajectory by\n"
    "trajectory, so the error is that of the paired difference. Ranked by the\n"
    "largest absolute change: the data of a tornado chart (scenmc-plot draws it).\n\n"
    "options:\n"
    "  --delta D              the change of a score (default 1)\n"
    "  --top K                cells shown in the table (default 20; the file has all)\n";
static const char sens_tail[] =
    "  -o, --output FILE.h5   the sensitivity file (atomically)\n"
    "  --force                overwrite an existing output file\n"
    "  --threads T            OpenMP threads (default: all cores)\n"
    "  --quiet                no progress and no table\n"
    "  -h, --help             this text\n"
    "(-n defaults to 100000 here: 2 runs per cell)\n";

typedef struct {
    const scenmc_sensitivity_result *s;
    int *order;
} ranking;

static double cell_strength(const scenmc_sensitivity_result *s, int c)
{
    double mx = 0;
    for (int k = 0; k < s->n_scenarios; k++)
        mx = fmax(mx, fabs(s->effect[(size_t)c * (size_t)s->n_scenarios + (size_t)k]));
    return mx;
}

static const scenmc_sensitivity_result *sort_ctx;
static int by_strength(const void *a, const void *b)
{
    double x = cell_strength(sort_ctx, *(const int *)a), y = cell_strength(sort_ctx, *(const int *)b);
    if (x != y)
        return x < y ? 1 : -1;
    return *(const int *)a - *(const int *)b;
}

int cmd_sensitivity(int argc, char **argv)
{
    static const char *const value_opts[] = {CLI_PARAM_VALUE_OPTS, "-o", "--output", "--threads",
                                              "--delta", "--top", NULL};
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(sens_help, stdout);
            fputs(cli_param_help, stdout);
            fputs(sens_tail, stdout);
            return 0;
        }
    const char *pos[2] = {NULL, NULL};
    int npos = cli_positionals(argc, argv, value_opts, pos, 2);
    if (npos > 1)
        return cli_usage_error("sensitivity", "more than one MODEL ('%s', '%s'); expected one", pos[0],
                               pos[1]);
    int rc = 0;
    scenmc_model *m = cli_load_model("sensitivity", pos[0], &rc);
    if (!m)
        return rc;
    scenmc_params base;
    scenmc_params_init(&base, m);
    base.n_trajectories = 100000;
    const char *out = NULL, *start = NULL;
    int force = 0, quiet = 0;
    long threads = 0, top = 20;
    double delta = 1;
    for (int i = 1; i < argc && !rc; i++) {
        int missing = 0;
        const char *v;
        int k = cli_param_option("sensitivity", argc, argv, &i, &base, &start);
        if (k < 0)
            rc = EXIT_USAGE;
        else if (k > 0)
            continue;
        else if ((v = cli_opt(argc, argv, &i, "--delta", &missing))) {
            if (!cli_parse_double("sensitivity", "--delta", v, &delta))
                rc = EXIT_USAGE;
            else if (!(delta > 0))
                rc = cli_usage_error("sensitivity", "--delta %s: expected a positive number", v);
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--top", &missing))) {
            if (!cli_parse_int("sensitivity", "--top", v, 1, 1000000, &top))
                rc = EXIT_USAGE;
        } else if (!missing && ((v = cli_opt(argc, argv, &i, "-o", &missing)) ||
                                (!missing && (v = cli_opt(argc, argv, &i, "--output", &missing)))))
            out = v;
        else if (!missing && (v = cli_opt(argc, argv, &i, "--threads", &missing))) {
            if (!cli_parse_int("sensitivity", "--threads", v, 1, 4096, &threads))
                rc = EXIT_USAGE;
        } else if (missing)
            rc = cli_usage_error("sensitivity", "%s needs a value", argv[i]);
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
            quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            rc = cli_usage_error("sensitivity", "unknown option '%s'", argv[i]);
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && start && scenmc_params_parse_start(&base, m, start, &err) != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && scenmc_params_check(&base, &err) != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && out && scenmc_output_check(out, force, &err) != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        rc = EXIT_USAGE;
    }
    if (rc) {
        scenmc_params_free(&base);
        scenmc_model_free(m);
        return rc;
    }
    progress prog;
    progress_init(&prog, "sensitivity", quiet);
    scenmc_sensitivity_result s;
    scenmc_status st = scenmc_sensitivity(m, &base, delta, (int)threads, progress_cb, &prog, &s, &err);
    progress_end(&prog);
    if (st != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        scenmc_params_free(&base);
        scenmc_model_free(m);
        return cli_exit_code(st);
    }
    size_t n = (size_t)s.n_cells, S = (size_t)s.n_scenarios;
    if (out) {
        double *values = scenmc_xcalloc(3 * n, sizeof(double));
        double *tables = scenmc_xcalloc(4 * n * S, sizeof(double));
        memcpy(values, s.base_value, n * sizeof(double));
        memcpy(values + n, s.minus_value, n * sizeof(double));
        memcpy(values + 2 * n, s.plus_value, n * sizeof(double));
        memcpy(tables, s.p_minus, n * S * sizeof(double));
        memcpy(tables + n * S, s.p_plus, n * S * sizeof(double));
        memcpy(tables + 2 * n * S, s.effect, n * S * sizeof(double));
        memcpy(tables + 3 * n * S, s.stderr_, n * S * sizeof(double));
        scenmc_results shape;
        char *cl = cli_command_line(argc + 1, argv - 1);
        scenmc_write_options wo = {.command_line = cl, .force = force, .method = "sensitivity"};
        st = scenmc_results_init(&shape, m, &base, SCENMC_MONTE_CARLO, &err);
        if (st == SCENMC_OK) {
            shape.n_trajectories = base.n_trajectories;
            shape.wall_seconds = s.wall_seconds;
            st = scenmc_output_write_sensitivity(out, m, &base, &shape, s.n_cells, s.n_scenarios, s.u,
                                                 s.v, values, tables, delta, &wo, &err);
            scenmc_results_free(&shape);
        }
        if (st != SCENMC_OK) {
            cli_print_error("sensitivity", &err);
            rc = cli_exit_code(st);
        }
        free(cl);
        free(values);
        free(tables);
    }
    if (!quiet && !rc) {
        int *order = scenmc_xcalloc(n ? n : 1, sizeof(int));
        for (size_t c = 0; c < n; c++)
            order[c] = (int)c;
        sort_ctx = &s;
        qsort(order, n, sizeof(int), by_strength);
        printf("%s: %d cells x 2 runs x %llu trajectories, delta %g, %.1f s\n\n", m->name, s.n_cells,
               (unsigned long long)base.n_trajectories, delta, s.wall_seconds);
        printf("Change of P(scenario in %d) from -%g to +%g (± paired standard error), strongest first\n",
               base.year_end, delta, delta);
        for (long i = 0; i < top && (size_t)i < n; i++) {
            int c = order[i];
            const scenmc_descriptor *A = &m->descriptors[m->variant_descriptor[s.u[c]]];
            const scenmc_descriptor *B = &m->descriptors[m->variant_descriptor[s.v[c]]];
            printf("%3ld. %s=%s / %s=%s (score %g)\n    ", i + 1, A->id, m->variant_name[s.u[c]], B->id,
                   m->variant_name[s.v[c]], s.base_value[c]);
            for (size_t k = 0; k < S; k++)
                printf("  %s %+.4f±%.4f", k < (size_t)m->n_scenarios ? m->scenarios[k].name : "unclassified",
                       s.effect[(size_t)c * S + k], s.stderr_[(size_t)c * S + k]);
            printf("\n");
        }
        if (out)
            printf("\nResults: %s\n", out);
        free(order);
    }
    scenmc_sensitivity_free(&s);
    scenmc_params_free(&base);
    scenmc_model_free(m);
    return rc;
}
