/* scenmc levers: which single intervention moves the odds of a target most
 * (docs/interventions.md). */
#include "cli.h"
#include "sched_cli.h"
#include "obs_cli.h"
#include "summary.h"
#include "scenmc/levers.h"
#include "engine/exact_chain.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_TARGET = CLI_KEY_FIRST, K_YEAR, K_FROM, K_PUSH_STRENGTH, K_PAIRS, K_METHOD, K_PAIR_BUDGET, K_PAIR_TOP,
       K_TOP, K_PROGRESS, K_NO_PROGRESS };

static const char levers_help[] =
    "usage: scenmc levers [MODEL] --target SCENARIO[,SCENARIO...] --from YEAR [options]\n\n"
    "Which single intervention moves the odds of the target most: for every\n"
    "descriptor and variant, the descriptor held at that variant from the start of\n"
    "YEAR (--from) to the target year (as --intervene YEAR:ID=V), and with\n"
    "--push-strength B also a push of B towards it (as --push YEAR:ID=V:B), the\n"
    "target's probability in the target year with it, and its effect: the\n"
    "difference to the baseline (the model with the --trend/--push/--intervene/\n"
    "--shock options given here) and the ratio. Exact (the exact solver) or Monte\n"
    "Carlo with common random numbers: every intervention runs the baseline's\n"
    "trajectories with the same random numbers, and the effect's standard error is\n"
    "that of the paired difference. Descriptors that define a target scenario are\n"
    "marked (*): holding one can make the target impossible or certain by\n"
    "definition (P = 0 or 1, marked 'trivial'). --pairs: also the best pair of holds\n"
    "on two different descriptors, over every pair when there are at most\n"
    "--pair-budget of them, else over the top --pair-top single holds.\n"
    "--given/--observations: the target's probability conditioned on what was\n"
    "observed; observations before --from condition the shared past, those from\n"
    "--from on are weighed under each intervention's own dynamics (Monte Carlo:\n"
    "each trajectory weighted by the observations' likelihood in each arm, the\n"
    "effect's standard error by the delta method on the paired trajectories).\n\n"
    "options:\n";

static const cli_option levers_options[] = {
    {"target", K_TARGET, 1,
     "  --target S[,S...]      the target: scenarios by name or 1-based number\n"
     "                         (their union; 'unclassified' too)\n"},
    {"year", K_YEAR, 1, "  --year Y               the target year (default: the model's last)\n"},
    {"from", K_FROM, 1, "  --from Y               the interventions' first year (required)\n"},
    {"push-strength", K_PUSH_STRENGTH, 1,
     "  --push-strength B      also every push of bias B towards a variant\n"},
    {"pairs", K_PAIRS, 0, "  --pairs                also the best pair of holds\n"},
    {"pair-budget", K_PAIR_BUDGET, 1,
     "  --pair-budget K        every pair when there are at most K (default 600\n"
     "                         exact, 60 Monte Carlo)\n"},
    {"pair-top", K_PAIR_TOP, 1, "  --pair-top K           else pairs among the top K holds (default 8)\n"},
    {"method", K_METHOD, 1,
     "  --method M             exact, mc or auto (default: exact when the exact\n"
     "                         solver fits in memory, else mc)\n"},
    {"top", K_TOP, 1, "  --top K                rows shown (default 15; the file has all)\n"},
    CLI_PARAMS,
    CLI_SCHEDULE_OPTIONS,
    CLI_GIVEN_OPTIONS,
    CLI_OUTPUT_OPTION("the levers file (atomically)"),
    CLI_FORCE_OPTION,
    {"threads", CLI_K_THREADS, 1, "  --threads T            OpenMP threads (default: all cores)\n"},
    {"quiet", CLI_K_QUIET, 0, "  -q, --quiet            no table; no progress unless --progress\n"},
    {"progress", K_PROGRESS, 0, "  --progress             progress on standard error even with --quiet\n"},
    {"no-progress", K_NO_PROGRESS, 0, "  --no-progress          no progress, table as usual\n"},
    CLI_HELP_OPTION,
    CLI_END,
};

enum { M_AUTO, M_EXACT, M_MC };

typedef struct lev_cmd {
    scenmc_model *m;
    scenmc_params base;
    scenmc_levers_spec spec;
    scenmc_observations obs; /* --given, --observations */
    int *target;
    const char *out, *start, *target_text;
    int force, quiet, progress, no_progress, method, have_from;
    long threads, top;
    int argc;
    char **argv;
} lev_cmd;

/* "A,B" or "1,3" into lc->target; 0 or EXIT_USAGE. */
static int parse_target(lev_cmd *lc, const char *text)
{
    const scenmc_model *m = lc->m;
    char *copy = scenmc__strdup(text), *save = NULL;
    int n = 0, rc = 0;
    lc->target = scenmc__xcalloc((size_t)m->n_scenarios + 2, sizeof(int));
    for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
        int k = -1;
        for (int s = 0; s < m->n_scenarios && k < 0; s++)
            if (!strcmp(t, m->scenarios[s].name))
                k = s;
        char *end;
        long num = strtol(t, &end, 10);
        if (k < 0 && *t && !*end && num >= 1 && num <= m->n_scenarios)
            k = (int)num - 1;
        if (k < 0 && !strcmp(t, "unclassified") && scenmc_model_has_unclassified(m))
            k = m->n_scenarios;
        int dup = 0;
        for (int i = 0; i < n; i++)
            dup |= lc->target[i] == k;
        if (k < 0)
            rc = cli_usage_error("levers", "--target: no scenario '%s' in %s", t, m->name);
        else if (!dup && n <= m->n_scenarios)
            lc->target[n++] = k;
    }
    free(copy);
    lc->spec.target = lc->target;
    lc->spec.n_target = n;
    return rc ? rc : n ? 0 : cli_usage_error("levers", "--target: no scenario named");
}

static int lev_option(const cli_arg *o, lev_cmd *lc)
{
    int k = cli_param_apply("levers", o, &lc->base, &lc->start);
    long v;
    if (k)
        return k < 0 ? EXIT_USAGE : 0;
    switch (o->key) {
    case K_TARGET: lc->target_text = o->value; return 0;
    case K_YEAR:
        return cli_parse_int("levers", "--year", o->value, 0, 100000, &v) ? (lc->spec.year = (int)v, 0) : EXIT_USAGE;
    case K_FROM:
        lc->have_from = 1;
        return cli_parse_int("levers", "--from", o->value, 0, 100000, &v) ? (lc->spec.start = (int)v, 0) : EXIT_USAGE;
    case K_PUSH_STRENGTH:
        lc->spec.pushes = 1;
        return cli_parse_double("levers", "--push-strength", o->value, &lc->spec.push_strength) ? 0 : EXIT_USAGE;
    case K_PAIRS: lc->spec.pairs = 1; return 0;
    case K_PAIR_BUDGET:
        return cli_parse_int("levers", "--pair-budget", o->value, 1, 100000000, &lc->spec.pair_budget) ? 0
                                                                                                      : EXIT_USAGE;
    case K_PAIR_TOP:
        return cli_parse_int("levers", "--pair-top", o->value, 2, 1000, &v) ? (lc->spec.pair_top = (int)v, 0)
                                                                            : EXIT_USAGE;
    case K_METHOD:
        lc->method = !strcmp(o->value, "exact") ? M_EXACT : !strcmp(o->value, "mc") ? M_MC
                     : !strcmp(o->value, "auto") ? M_AUTO : -1;
        return lc->method < 0 ? cli_usage_error("levers", "--method %s: expected exact, mc or auto", o->value) : 0;
    case K_TOP: return cli_parse_int("levers", "--top", o->value, 1, 1000000, &lc->top) ? 0 : EXIT_USAGE;
    case CLI_K_OUTPUT: lc->out = o->value; return 0;
    case CLI_K_THREADS: return cli_parse_int("levers", "--threads", o->value, 1, 4096, &lc->threads) ? 0 : EXIT_USAGE;
    case CLI_K_FORCE: lc->force = 1; return 0;
    case CLI_K_QUIET: lc->quiet = 1; return 0;
    case K_PROGRESS: lc->progress = 1; lc->no_progress = 0; return 0;
    case K_NO_PROGRESS: lc->no_progress = 1; lc->progress = 0; return 0;
    }
    return 0;
}

/* --given and --observations (after the years and the start are known). */
static int lev_given(const cli_args *a, lev_cmd *lc)
{
    int rc = cli_observations("levers", a, lc->m, &lc->base, &lc->obs);
    if (!rc && lc->start && lc->obs.start)
        rc = cli_usage_error("levers", "the start state is given twice (--start and the observations "
                             "file's start); give it once");
    if (!rc && (lc->obs.n || lc->obs.start))
        lc->spec.given = &lc->obs;
    return rc;
}

/* The model, the options, the baseline and the method, checked. */
static int lev_plan(int argc, char **argv, lev_cmd *lc)
{
    cli_args a;
    const cli_command cmd = {"levers", levers_help, "", levers_options};
    int rc = cli_parse(&cmd, argc, argv, &a);
    if (rc)
        return rc;
    scenmc_error err;
    scenmc_error_clear(&err);
    rc = cli_too_many("levers", &a, 1);
    if (!rc)
        lc->m = cli_load_model("levers", a.n_pos ? a.pos[0] : NULL, &rc);
    if (lc->m)
        scenmc_params_init(&lc->base, lc->m);
    for (int k = 0; k < a.n_opts && !rc; k++)
        rc = lev_option(&a.opts[k], lc);
    if (!rc)
        rc = cli_schedule("levers", &a, lc->m, &lc->base);
    if (!rc && lc->start && scenmc_params_parse_start(&lc->base, lc->m, lc->start, &err) != SCENMC_OK) {
        cli_print_error("levers", &err);
        rc = EXIT_USAGE;
    }
    if (!rc)
        rc = lev_given(&a, lc);
    cli_args_free(&a);
    if (!rc && !lc->target_text)
        rc = cli_usage_error("levers", "--target is required (a scenario name or number)");
    if (!rc && !lc->have_from)
        rc = cli_usage_error("levers", "--from is required (the interventions' first year)");
    if (!rc)
        rc = parse_target(lc, lc->target_text);
    if (!rc && lc->out && scenmc_output_check(lc->out, lc->force, &err) != SCENMC_OK) {
        cli_print_error("levers", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && lc->method == M_AUTO) { /* exact where the exact solver fits in memory */
        double need;
        scenmc_error_clear(&err);
        lc->method = scenmc__exact_states(lc->m, &lc->base, &need, &err) ? M_EXACT : M_MC;
    }
    lc->spec.method = lc->method == M_EXACT ? SCENMC_EXACT : SCENMC_MONTE_CARLO;
    lc->spec.threads = (int)lc->threads;
    return rc;
}

static void print_lever(const lev_cmd *lc, const scenmc_levers_result *r, int rank, int i)
{
    const scenmc_model *m = lc->m;
    const scenmc_lever *l = &r->lever[i];
    const scenmc_descriptor *d = &m->descriptors[l->descriptor];
    char name[256];
    snprintf(name, sizeof name, "%s%s=%s", l->kind == SCENMC_LEVER_PUSH ? "push " : "", d->id,
             m->variant_name[d->offset + l->variant]);
    printf("%3d. %c ", rank, l->defining ? '*' : ' '); /* before the name, which the cell may cut */
    summary_cell(stdout, name, 34);
    if (isnan(l->p_with)) {
        if (r->method == SCENMC_EXACT)
            printf(" what was observed from %d on is impossible with it\n", r->start);
        else
            printf(" no trajectory meets what was observed from %d on with it\n", r->start);
        return;
    }
    printf(" P %.4f  effect %+.4f", l->p_with, l->effect);
    if (r->method != SCENMC_EXACT)
        printf(" ± %.4f", l->se);
    printf("  ratio %s%.2f%s\n", isfinite(l->ratio) ? "" : "(", l->ratio, l->trivial >= 0 ? "  trivial" : "");
}

static void lev_print(const lev_cmd *lc, const scenmc_levers_result *r)
{
    printf("%s: %d levers from %d, target %s in %d, %s, %.1f s\n", lc->m->name, r->n_levers, r->start,
           lc->target_text, r->year, r->method == SCENMC_EXACT ? "exact"
           : "Monte Carlo (common random numbers)", r->wall_seconds);
    if (lc->obs.n)
        printf("Conditioned on %d observation%s (P(target) is the filtered one)\n", lc->obs.n,
               lc->obs.n == 1 ? "" : "s");
    printf("Baseline P(target) %.4f", r->p_baseline);
    if (r->method != SCENMC_EXACT)
        printf(" ± %.4f (%llu trajectories)", r->p_baseline_se, (unsigned long long)r->n_trajectories);
    printf("\n\nLevers by effect on P(target), largest first (* defines a target scenario)\n");
    for (int k = 0; k < r->n_levers && k < lc->top; k++)
        print_lever(lc, r, k + 1, r->order[k]);
    if (r->best_pair >= 0) {
        int b = r->best_pair;
        printf("\nBest pair (%s, %d pairs): ", r->pair_exhaustive ? "every pair" : "among the top holds", r->n_pairs);
        const scenmc_lever *x = &r->lever[r->pair_a[b]], *y = &r->lever[r->pair_b[b]];
        printf("%s=%s + %s=%s  P %.4f  effect %+.4f", lc->m->descriptors[x->descriptor].id,
               lc->m->variant_name[lc->m->descriptors[x->descriptor].offset + x->variant],
               lc->m->descriptors[y->descriptor].id,
               lc->m->variant_name[lc->m->descriptors[y->descriptor].offset + y->variant], r->pair_p[b],
               r->pair_effect[b]);
        if (r->method != SCENMC_EXACT)
            printf(" ± %.4f", r->pair_se[b]);
        printf("\n");
    }
    if (lc->out)
        printf("\nResults: %s\n", lc->out);
}

static int lev_run(lev_cmd *lc)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    progress prog;
    progress_init(&prog, "levers", lc->no_progress || (lc->quiet && !lc->progress));
    lc->spec.progress = progress_cb;
    lc->spec.progress_ctx = &prog;
    scenmc_levers_result r;
    scenmc_status st = scenmc_levers(lc->m, &lc->base, &lc->spec, &r, &err);
    progress_end(&prog);
    if (st != SCENMC_OK) {
        cli_print_error("levers", &err);
        return cli_exit_code(st);
    }
    int rc = 0;
    if (lc->out) {
        char *cl = cli_command_line(lc->argc, lc->argv);
        scenmc_write_options wo = {.command_line = cl, .force = lc->force, .method = "levers"};
        if ((st = scenmc_levers_write(lc->out, lc->m, &lc->base, &lc->spec, &r, &wo, &err)) != SCENMC_OK) {
            cli_print_error("levers", &err);
            rc = cli_exit_code(st);
        }
        free(cl);
    }
    if (!lc->quiet && !rc)
        lev_print(lc, &r);
    scenmc_levers_free(&r);
    return rc;
}

int cmd_levers(int argc, char **argv)
{
    lev_cmd lc;
    memset(&lc, 0, sizeof lc);
    lc.argc = argc;
    lc.argv = argv;
    lc.top = 15;
    int rc = lev_plan(argc, argv, &lc);
    if (!rc)
        rc = lev_run(&lc);
    if (lc.m) {
        scenmc_params_free(&lc.base);
        scenmc_observations_free(&lc.obs);
        scenmc_model_free(lc.m);
    }
    free(lc.target);
    return rc == CLI_HELP_SHOWN ? 0 : rc;
}
