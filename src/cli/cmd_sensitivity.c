/* scenmc sensitivity: how much each parameter moves the scenario
 * probabilities (docs/sensitivity.md): exact derivatives (adjoint of the
 * exact solver), Monte Carlo derivatives (score method) or paired finite
 * differences of every scored cell. */
#include "cli.h"
#include "scenmc/derivative.h"
#include "scenmc/sweep.h"
#include "summary.h"
#include "hpc_cli.h"
#include "cli/sched_cli.h"
#include "model/params.h"
#include "scenmc/schedule.h"
#include "io/mpi.h"
#include "engine/exact_chain.h"
#include "engine/score.h"
#include "io/derivative_write.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_DELTA = CLI_KEY_FIRST, K_TOP, K_METHOD, K_TABLES, K_PROGRESS, K_NO_PROGRESS, K_SHARD };
static const char sens_help[] =
    "usage: scenmc sensitivity [MODEL] [--method exact|score|difference|auto] [options]\n\n"
    "Which judgements and parameters move the scenario probabilities, and how much.\n\n"
    "--method exact: the derivative of every P(scenario, year), P(variant, year)\n"
    "and P(variant | scenario, year) with respect to every consistency and\n"
    "cross-impact cell, beta, the weights, each descriptor's rate and each bias\n"
    "entry, exactly (reverse-mode differentiation of the exact solver); needs the\n"
    "exact solver's memory. --method score: the same by Monte Carlo (likelihood\n"
    "ratio), with standard errors, for models of any size. The table ranks the\n"
    "parameters by their effect on the final year's scenarios per step (one scale\n"
    "point for cells and biases, a tenth of the value for beta, weights, rates).\n\n"
    "--method difference: changes every scored consistency cell by -D and +D in\n"
    "turn (clipped to the model's scale; both symmetric entries) and reports the\n"
    "change of each scenario's final-year probability, P(+D) - P(-D), with its\n"
    "paired standard error (common random numbers). Ranked by the largest\n"
    "absolute change: the data of a tornado chart (scenmc-plot draws it).\n\n"
    "Under mpirun/srun, --method score splits the trajectories over the ranks\n"
    "(contiguous slices, like scenmc run); the integer sums are added exactly, so\n"
    "the file is bit for bit the one-process file, and rank 0 writes it. The other\n"
    "methods run in one process.\n\n"
    "--shard K/M (score) computes only the K-th of M slices of the trajectories and\n"
    "writes, with its own estimates, its integer sums; 'scenmc merge' adds the M\n"
    "shard files into the file of one run over all N trajectories, table for table.\n\n"
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

static const cli_option sens_head[] = {
    {"method", K_METHOD, 1,
     "  --method M             auto (default: exact when the exact solver fits in\n"
     "                         memory, else score; difference with trends,\n"
     "                         interventions or shocks, which only it takes),\n"
     "                         exact, score or difference\n"},
    {"tables", K_TABLES, 1,
     "  --tables T             exact/score: all (scenario, variant and variant |\n"
     "                         scenario; default) or scenario (faster)\n"},
    {"delta", K_DELTA, 1, "  --delta D              difference: the change of a score (default 1)\n"},
    {"shard", K_SHARD, 1,
     "  --shard K/M            score: only the K-th of M slices of the trajectories, a\n"
     "                         shard file for 'scenmc merge' (needs -o; with auto the\n"
     "                         method is score)\n"},
    {"top", K_TOP, 1, "  --top K                rows shown in the table (default 20; the file has all)\n"},
    {"trajectories", CLI_K_TRAJECTORIES, 1,
     "  -n, --trajectories N   score and difference: trajectories per run (default\n"
     "                         100000, whatever the model says)\n"},
    CLI_END,
};
static const cli_option sens_tail[] = {
    CLI_SCHEDULE_OPTIONS, /* difference only: the derivative methods refuse them */
    CLI_OUTPUT_OPTION("the sensitivity or derivative file (atomically)"),
    CLI_FORCE_OPTION,
    {"threads", CLI_K_THREADS, 1, "  --threads T            OpenMP threads (default: all cores)\n"},
    {"quiet", CLI_K_QUIET, 0,
     "  -q, --quiet            no table; no progress unless --progress\n"},
    {"progress", K_PROGRESS, 0,
     "  --progress             progress on standard error even with --quiet (a bar on a\n"
     "                         terminal, else a line about every 10 s; the default\n"
     "                         without --quiet)\n"},
    {"no-progress", K_NO_PROGRESS, 0, "  --no-progress          no progress, table as usual\n"},
    CLI_HELP_OPTION,
    CLI_END,
};

/* The options: sens_head, the shared parameter options but -n (whose
 * default differs here: one default in the help), sens_tail. */
static const cli_option *sens_options(void)
{
    static cli_option all[40];
    if (all[0].name)
        return all;
    int n = 0;
    for (const cli_option *o = sens_head; o->name; o++)
        all[n++] = *o;
    for (const cli_option *o = cli_param_options; o->name; o++)
        if (o->key != CLI_K_TRAJECTORIES)
            all[n++] = *o;
    for (const cli_option *o = sens_tail; o->name; o++)
        all[n++] = *o;
    all[n] = (cli_option)CLI_END;
    return all;
}
static const char sens_foot[] = "";

enum { SENS_AUTO, SENS_EXACT, SENS_SCORE, SENS_DIFFERENCE };
/* The method without --method: exact where the exact solver fits in memory,
 * else score (docs/sensitivity.md). */
#define SENS_DEFAULT SENS_AUTO

/* A sensitivity analysis from the command line. */
typedef struct sens_cmd {
    scenmc_model *m;
    scenmc_params base;
    const char *out, *start, *shard;
    int shard_k, shard_m;    /* --shard K/M; 0, 0 when not a shard */
    int force, quiet, progress, no_progress;
    int method;     /* SENS_EXACT, SENS_SCORE, SENS_DIFFERENCE; SENS_AUTO until planned */
    int all_tables;
    long threads, top;
    double delta;
    int argc;
    char **argv;
    hpc_proc *h;    /* this process's MPI rank and the number of ranks */
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
    case K_METHOD:
        sc->method = !strcmp(o->value, "exact") ? SENS_EXACT : !strcmp(o->value, "score") ? SENS_SCORE
                     : !strcmp(o->value, "difference") ? SENS_DIFFERENCE : !strcmp(o->value, "auto") ? SENS_AUTO : -1;
        return sc->method < 0 ? cli_usage_error("sensitivity", "--method %s: expected exact, score, difference "
                                                "or auto", o->value) : 0;
    case K_TABLES:
        sc->all_tables = !strcmp(o->value, "all") ? 1 : !strcmp(o->value, "scenario") ? 0 : -1;
        return sc->all_tables < 0 ? cli_usage_error("sensitivity", "--tables %s: expected all or scenario",
                                                    o->value) : 0;
    case K_SHARD: sc->shard = o->value; return 0;
    case K_TOP: return cli_parse_int("sensitivity", "--top", o->value, 1, 1000000, &sc->top) ? 0 : EXIT_USAGE;
    case CLI_K_OUTPUT: sc->out = o->value; return 0;
    case CLI_K_THREADS:
        return cli_parse_int("sensitivity", "--threads", o->value, 1, 4096, &sc->threads) ? 0 : EXIT_USAGE;
    case CLI_K_FORCE: sc->force = 1; return 0;
    case CLI_K_QUIET: sc->quiet = 1; return 0;
    case K_PROGRESS: sc->progress = 1; sc->no_progress = 0; return 0;
    case K_NO_PROGRESS: sc->no_progress = 1; sc->progress = 0; return 0;
    }
    return 0;
}

/* --shard K/M: parsed, and only with the score method and a file. */
static int sens_plan_shard(sens_cmd *sc)
{
    if (!sc->shard)
        return 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_shard_parse(sc->shard, &sc->shard_k, &sc->shard_m, &err) != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        return EXIT_USAGE;
    }
    if (sc->method != SENS_SCORE)
        return cli_usage_error("sensitivity", "--shard %s splits the trajectories of --method score only "
                               "(the exact and difference methods run whole)", sc->shard);
    if (!sc->out)
        return cli_usage_error("sensitivity", "--shard %s writes a shard file for 'scenmc merge': give -o FILE",
                               sc->shard);
    if ((uint64_t)sc->shard_m > sc->base.n_trajectories)
        return cli_usage_error("sensitivity", "--shard %s: more shards than trajectories (%llu)", sc->shard,
                               (unsigned long long)sc->base.n_trajectories);
    return 0;
}

/* Changes over time (the model file's or --trend/--push/--intervene/--shock):
 * the paired runs of --method difference simulate them; the derivative
 * methods (exact, score) do not, and say so, naming the first change. */
static int sens_plan_schedule(sens_cmd *sc)
{
    const scenmc_schedule *s = sc->base.schedule;
    if (!s || s->n == 0)
        return 0;
    if (sc->method == SENS_AUTO)
        sc->method = SENS_DIFFERENCE;
    if (sc->method == SENS_DIFFERENCE)
        return 0;
    const scenmc_change *c = &s->ch[0];
    return cli_usage_error("sensitivity", "--method %s computes derivatives without trends, "
                           "interventions or shocks, and this run has %s%s%s; give --method difference",
                           sc->method == SENS_EXACT ? "exact" : "score", c->where ? c->where : "",
                           c->where ? "" : scenmc_change_kind_names[c->kind],
                           s->n > 1 ? " and more" : "");
}

/* Plan: the model, the options and the base parameters, checked. */
static int sens_plan(int argc, char **argv, sens_cmd *sc)
{
    cli_args a;
    const cli_command sens_command = {"sensitivity", sens_help, sens_foot, sens_options()};
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
    if (!rc)
        rc = cli_schedule("sensitivity", &a, sc->m, &sc->base);
    cli_args_free(&a);
    if (!rc)
        rc = sens_plan_schedule(sc);
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && ((sc->start && scenmc_params_parse_start(&sc->base, sc->m, sc->start, &err) != SCENMC_OK) ||
                scenmc__params_check_scheduled(&sc->base, &err) != SCENMC_OK ||
                (sc->out && scenmc_output_check(sc->out, sc->force, &err) != SCENMC_OK))) {
        cli_print_error("sensitivity", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && sc->method == SENS_AUTO) { /* exact where the exact solver fits in memory */
        double need;
        scenmc_error_clear(&err);
        sc->method = !sc->shard && scenmc__exact_states(sc->m, &sc->base, &need, &err) ? SENS_EXACT : SENS_SCORE;
    }
    return rc ? rc : sens_plan_shard(sc);
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

/* ---------------------------------------------------------------- derivatives */

/* Largest |elasticity| over the final year's scenarios of parameter e. */
static double deriv_strength(const scenmc_derivatives *d, int e)
{
    size_t Y = (size_t)d->Y, S = (size_t)d->S, E = (size_t)e;
    double mx = 0;
    for (size_t a = 0; a < S; a++)
        mx = fmax(mx, fabs(d->scenario[(E * Y + Y - 1) * S + a] * d->param[e].step));
    return mx;
}

static const scenmc_derivatives *deriv_ctx;
static int deriv_order(const void *a, const void *b)
{
    double x = deriv_strength(deriv_ctx, *(const int *)a), y = deriv_strength(deriv_ctx, *(const int *)b);
    if (x != y)
        return x < y ? 1 : -1;
    return *(const int *)a - *(const int *)b;
}

/* The trajectories of this run: the shard's slice, or all. */
static scenmc_range deriv_target(const sens_cmd *sc)
{
    const uint64_t N = sc->base.n_trajectories;
    return sc->shard_m ? scenmc_slice(0, N, (uint64_t)sc->shard_k, (uint64_t)sc->shard_m) : (scenmc_range){0, N};
}

/* The score engine's exact reduction across the MPI ranks. */
static int mpi_sum(void *ctx, void *data, size_t n, int kind)
{
    (void)ctx;
    return scenmc__mpi_allreduce_sum(data, n, kind);
}

/* The derivatives by the chosen method (a shard: its sums into *sums). */
static scenmc_status deriv_compute(const sens_cmd *sc, progress *prog, scenmc_derivatives *d,
                                   scenmc__score_sums *sums, scenmc_error *err)
{
    switch (sc->method) {
    case SENS_EXACT:
        return scenmc_exact_derivatives(sc->m, &sc->base, (int)sc->threads, sc->all_tables, progress_cb, prog, d,
                                        err);
    case SENS_SCORE: {
        scenmc__score_options o = {.threads = (int)sc->threads, .scenario_only = !sc->all_tables,
                                   .progress = progress_cb, .ctx = prog, .sums = sc->shard ? sums : NULL};
        const scenmc_range t = deriv_target(sc); /* the shard's trajectories, or all */
        const uint64_t n = t.last - t.first, R = (uint64_t)sc->h->size, r = (uint64_t)sc->h->rank;
        /* rank r's slice: n / R trajectories, one more for the first n % R ranks (so
         * o.last is never 0, which would mean all) */
        o.first = t.first + n / R * r + (r < n % R ? r : n % R);
        o.last = o.first + n / R + (r < n % R);
        o.reduce = R > 1 ? mpi_sum : NULL;
        return scenmc__score_run(sc->m, &sc->base, &o, d, err);
    }
    default:
        memset(d, 0, sizeof *d);
        return scenmc_error_add(err, SCENMC_E_INPUT, "no derivative method chosen");
    }
}

/* The top parameters by their effect per step on the final year's scenarios. */
static void deriv_print(const sens_cmd *sc, const scenmc_derivatives *d)
{
    const scenmc_model *m = sc->m;
    size_t n = (size_t)d->n_param, Y = (size_t)d->Y, S = (size_t)d->S;
    int *order = scenmc__xcalloc(n ? n : 1, sizeof(int));
    for (size_t e = 0; e < n; e++)
        order[e] = (int)e;
    deriv_ctx = d;
    qsort(order, n, sizeof(int), deriv_order);
    printf("%s: %s derivatives of every table for %d parameters, %.1f s", m->name, d->method, d->n_param,
           d->wall_seconds);
    if (d->n_trajectories)
        printf(", %llu trajectories", (unsigned long long)d->n_trajectories);
    printf("\n\nChange of P(scenario in %d) per step of each parameter (derivative x step%s), strongest first\n",
           sc->base.year_end, d->scenario_se ? ", ± standard error" : "");
    for (long i = 0; i < sc->top && (size_t)i < n; i++) {
        size_t e = (size_t)order[i];
        const scenmc_dparam *par = &d->param[e];
        printf("%3ld. %s (value %g, step %g)\n    ", i + 1, par->label, par->value, par->step);
        for (size_t a = 0; a < S; a++) {
            size_t k = (e * Y + Y - 1) * S + a;
            printf("  %s %+.4f", a < (size_t)m->n_scenarios ? m->scenarios[a].name : "unclassified",
                   d->scenario[k] * par->step);
            if (d->scenario_se)
                printf("±%.4f", d->scenario_se[k] * par->step);
        }
        printf("\n");
    }
    if (sc->out)
        printf("\nResults: %s\n", sc->out);
    free(order);
}

static int deriv_write(const sens_cmd *sc, const scenmc_derivatives *d, const scenmc__score_sums *sums)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    char *cl = cli_command_line(sc->argc, sc->argv);
    scenmc_write_options wo = {.command_line = cl, .force = sc->force, .method = "derivative"};
    const scenmc__deriv_shard shard = {.sums = sums, .span = deriv_target(sc), .k = sc->shard_k, .M = sc->shard_m};
    scenmc_status st = scenmc__derivatives_write_shard(sc->out, sc->m, &sc->base, d, sc->shard ? &shard : NULL,
                                                       &wo, &err);
    free(cl);
    if (st != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        return cli_exit_code(st);
    }
    return 0;
}

/* --method exact or score. */
static int deriv_run(const sens_cmd *sc)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    progress prog;
    progress_init(&prog, "sensitivity", sc->no_progress || (sc->quiet && !sc->progress) || sc->h->rank != 0);
    scenmc_derivatives d;
    scenmc__score_sums sums;
    memset(&sums, 0, sizeof sums);
    scenmc_status st = deriv_compute(sc, &prog, &d, &sums, &err);
    progress_end(&prog);
    int rc = 0;
    if (st != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        rc = cli_exit_code(st);
    }
    rc = hpc_agree("sensitivity", sc->h, rc);
    if (!rc && sc->h->rank == 0) { /* rank 0 writes */
        rc = sc->out ? deriv_write(sc, &d, &sums) : 0;
        if (!sc->quiet && !rc)
            deriv_print(sc, &d);
    }
    if (st == SCENMC_OK)
        scenmc_derivatives_free(&d);
    scenmc__score_sums_free(&sums);
    return hpc_share(sc->h, rc);
}

/* --method difference: paired runs of every scored cell. */
static int diff_run(const sens_cmd *sc)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    progress prog;
    progress_init(&prog, "sensitivity", sc->no_progress || (sc->quiet && !sc->progress));
    scenmc_sensitivity_result s;
    scenmc_status st = scenmc_sensitivity(sc->m, &sc->base, sc->delta, (int)sc->threads, progress_cb, &prog, &s, &err);
    progress_end(&prog);
    if (st != SCENMC_OK) {
        cli_print_error("sensitivity", &err);
        return cli_exit_code(st);
    }
    int rc = sc->out ? sens_write(sc, &s) : 0;
    if (!sc->quiet && !rc)
        sens_print(sc, &s);
    scenmc_sensitivity_free(&s);
    return rc;
}

int cmd_sensitivity(int argc, char **argv)
{
    sens_cmd sc;
    memset(&sc, 0, sizeof sc);
    sc.argc = argc;
    sc.argv = argv;
    sc.top = 20;
    sc.delta = 1;
    sc.all_tables = 1;
    sc.method = SENS_DEFAULT;
    hpc_proc h;
    sc.h = &h;
    int rc = hpc_begin("sensitivity", &h);
    if (!rc)
        rc = sens_plan(argc, argv, &sc);
    const int all = hpc_agree("sensitivity", &h, rc == CLI_HELP_SHOWN ? 0 : rc);
    if (rc != CLI_HELP_SHOWN) /* every rank the same answer */
        rc = all;
    if (!rc && h.size > 1 && sc.method != SENS_SCORE)
        rc = hpc_agree("sensitivity", &h, h.rank == 0 ? cli_usage_error("sensitivity", "under MPI (%d ranks) "
                       "only --method score splits the work: start one process", h.size) : EXIT_USAGE);
    if (!rc && h.size > 1)
        rc = hpc_same_inputs("sensitivity", &h, sc.m, &sc.base);
    if (!rc)
        rc = sc.method == SENS_DIFFERENCE ? diff_run(&sc) : deriv_run(&sc);
    if (sc.m) {
        scenmc_params_free(&sc.base);
        scenmc_model_free(sc.m);
    }
    hpc_end(&h);
    return rc == CLI_HELP_SHOWN ? 0 : rc;
}
