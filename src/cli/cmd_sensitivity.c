/* scenmc sensitivity: how much each scored cell moves the final scenario
 * probabilities (docs/sensitivity.md). */
#include "cli.h"
#include "scenmc/sweep.h"
#include "summary.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_DELTA = CLI_KEY_FIRST, K_TOP };
static const char sens_help[] =
    "usage: scenmc sensitivity [MODEL] [--delta D] [options]\n\n"
    "Changes every scored consistency cell by -D and +D in turn (clipped to the\n"
    "model's scale; both symmetric entries) and reports, per cell, the change of\n"
    "each scenario's final-year probability, P(+D) - P(-D), with its paired\n"
    "standard error: both runs use the same random numbers trajectory by\n"
    "trajectory, so the error is that of the paired difference. Ranked by the\n"
    "largest absolute change: the data of a tornado chart (scenmc-plot draws it).\n\n"
    "options:\n";
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

static const cli_option sens_options[] = {
    {"delta", K_DELTA, 1, "  --delta D              the change of a score (default 1)\n"},
    {"top", K_TOP, 1, "  --top K                cells shown in the table (default 20; the file has all)\n"},
    CLI_PARAMS,
    CLI_OUTPUT_OPTION("the sensitivity file (atomically)"),
    CLI_FORCE_OPTION,
    {"threads", CLI_K_THREADS, 1, "  --threads T            OpenMP threads (default: all cores)\n"},
    {"quiet", CLI_K_QUIET, 0, "  --quiet                no progress and no table\n"},
    CLI_HELP_OPTION,
    CLI_END,
};
static const char sens_foot[] = "(-n defaults to 100000 here: 2 runs per cell)\n";
static const cli_command sens_command = {"sensitivity", sens_help, sens_foot, sens_options};

/* A sensitivity analysis from the command line. */
typedef struct sens_cmd {
    scenmc_model *m;
    scenmc_params base;
    const char *out, *start;
    int force, quiet;
    long threads, top;
    double delta;
    int argc;
    char **argv;
} sens_cmd;

/* One option into sc; 0, or EXIT_USAGE after saying why. */
static int sens_option(const cli_arg *o, sens_cmd *sc)
{
    int k = cli_param_apply("sensitivity", o, &sc->base, &sc->start);
    if (k)
        return k < 0 ? EXIT_USAGE : 0;
    switch (o->key) {
    case K_DELTA:
        if (!cli_parse_double("sensitivity", "--delta", o->value, &sc->delta))
            return EXIT_USAGE;
        if (!(sc->delta > 0))
            return cli_usage_error("sensitivity", "--delta %s: expected a positive number", o->value);
        return 0;
    case K_TOP: return cli_parse_int("sensitivity", "--top", o->value, 1, 1000000, &sc->top) ? 0 : EXIT_USAGE;
    case CLI_K_OUTPUT: sc->out = o->value; return 0;
    case CLI_K_THREADS:
        return cli_parse_int("sensitivity", "--threads", o->value, 1, 4096, &sc->threads) ? 0 : EXIT_USAGE;
    case CLI_K_FORCE: sc->force = 1; return 0;
    case CLI_K_QUIET: sc->quiet = 1; return 0;
    }
    return 0;
}

/* Plan: the model, the options and the base parameters, checked. */
static int sens_plan(int argc, char **argv, sens_cmd *sc)
{
    cli_args a;
    int rc = cli_parse(&sens_command, argc, argv, &a);
    if (rc)
        return rc;
    rc = cli_too_many("sensitivity", &a, 1);
    if (!rc)
        sc->m = cli_load_model("sensitivity", a.n_pos ? a.pos[0] : NULL, &rc);
    if (sc->m) {
        scenmc_params_init(&sc->base, sc->m);
        sc->base.n_trajectories = 100000;
    }
    for (int k = 0; k < a.n_opts && !rc; k++)
        rc = sens_option(&a.opts[k], sc);
    cli_args_free(&a);
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && ((sc->start && scenmc_params_parse_start(&sc->base, sc->m, sc->start, &err) != SCENMC_OK) ||
                scenmc_params_check(&sc->base, &err) != SCENMC_OK ||
                (sc->out && scenmc_output_check(sc->out, sc->force, &err) != SCENMC_OK))) {
        cli_print_error("sensitivity", &err);
        rc = EXIT_USAGE;
    }
    return rc;
}

/* The sensitivity file: the cells' values and the four tables, one block each. */
static int sens_write(const sens_cmd *sc, const scenmc_sensitivity_result *s)
{
    size_t n = (size_t)s->n_cells, S = (size_t)s->n_scenarios;
    double *values = scenmc__xcalloc(3 * n, sizeof(double));
    double *tables = scenmc__xcalloc(4 * n * S, sizeof(double));
    memcpy(values, s->base_value, n * sizeof(double));
    memcpy(values + n, s->minus_value, n * sizeof(double));
    memcpy(values + 2 * n, s->plus_value, n * sizeof(double));
    memcpy(tables, s->p_minus, n * S * sizeof(double));
    memcpy(tables + n * S, s->p_plus, n * S * sizeof(double));
    memcpy(tables + 2 * n * S, s->effect, n * S * sizeof(double));
    memcpy(tables + 3 * n * S, s->stderr_, n * S * sizeof(double));
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_results shape;
    char *cl = cli_command_line(sc->argc, sc->argv);
    scenmc_write_options wo = {.command_line = cl, .force = sc->force, .method = "sensitivity"};
    scenmc_status st = scenmc_results_init(&shape, sc->m, &sc->base, SCENMC_MONTE_CARLO, &err);
    if (st == SCENMC_OK) {
        shape.n_trajectories = sc->base.n_trajectories;
        shape.wall_seconds = s->wall_seconds;
        st = scenmc_output_write_sensitivity(sc->out, sc->m, &sc->base, &shape, s->n_cells, s->n_scenarios,
                                             s->u, s->v, values, tables, sc->delta, &wo, &err);
        scenmc_results_free(&shape);
    }
    int rc = 0;
    if (st != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        rc = cli_exit_code(st);
    }
    free(cl);
    free(values);
    free(tables);
    return rc;
}

/* Finish: the cells ranked by their strongest effect. */
static void sens_print(const sens_cmd *sc, const scenmc_sensitivity_result *s)
{
    const scenmc_model *m = sc->m;
    size_t n = (size_t)s->n_cells, S = (size_t)s->n_scenarios;
    int *order = scenmc__xcalloc(n ? n : 1, sizeof(int));
    for (size_t c = 0; c < n; c++)
        order[c] = (int)c;
    sort_ctx = s;
    qsort(order, n, sizeof(int), by_strength);
    printf("%s: %d cells x 2 runs x %llu trajectories, delta %g, %.1f s\n\n", m->name, s->n_cells,
           (unsigned long long)sc->base.n_trajectories, sc->delta, s->wall_seconds);
    printf("Change of P(scenario in %d) from -%g to +%g (± paired standard error), strongest first\n",
           sc->base.year_end, sc->delta, sc->delta);
    for (long i = 0; i < sc->top && (size_t)i < n; i++) {
        int c = order[i];
        const scenmc_descriptor *A = &m->descriptors[m->variant_descriptor[s->u[c]]];
        const scenmc_descriptor *B = &m->descriptors[m->variant_descriptor[s->v[c]]];
        printf("%3ld. %s=%s / %s=%s (score %g)\n    ", i + 1, A->id, m->variant_name[s->u[c]], B->id,
               m->variant_name[s->v[c]], s->base_value[c]);
        for (size_t k = 0; k < S; k++)
            printf("  %s %+.4f±%.4f", k < (size_t)m->n_scenarios ? m->scenarios[k].name : "unclassified",
                   s->effect[(size_t)c * S + k], s->stderr_[(size_t)c * S + k]);
        printf("\n");
    }
    if (sc->out)
        printf("\nResults: %s\n", sc->out);
    free(order);
}

int cmd_sensitivity(int argc, char **argv)
{
    sens_cmd sc;
    memset(&sc, 0, sizeof sc);
    sc.argc = argc;
    sc.argv = argv;
    sc.top = 20;
    sc.delta = 1;
    int rc = sens_plan(argc, argv, &sc);
    if (!rc) {
        scenmc_error err;
        scenmc_error_clear(&err);
        progress prog;
        progress_init(&prog, "sensitivity", sc.quiet);
        scenmc_sensitivity_result s;
        scenmc_status st = scenmc_sensitivity(sc.m, &sc.base, sc.delta, (int)sc.threads, progress_cb, &prog,
                                              &s, &err);
        progress_end(&prog);
        if (st != SCENMC_OK) {
            cli_print_error("sensitivity", &err);
            rc = cli_exit_code(st);
        } else {
            if (sc.out)
                rc = sens_write(&sc, &s);
            if (!sc.quiet && !rc)
                sens_print(&sc, &s);
            scenmc_sensitivity_free(&s);
        }
    }
    if (sc.m) {
        scenmc_params_free(&sc.base);
        scenmc_model_free(sc.m);
    }
    return rc == CLI_HELP_SHOWN ? 0 : rc;
}
