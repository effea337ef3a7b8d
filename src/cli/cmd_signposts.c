/* scenmc signposts: which observation, in which year, tells most about the
 * scenario to come (docs/signposts.md, section 4). */
#include "cli.h"
#include "cli/obs_cli.h"
#include "scenmc/signposts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char help_head[] =
    "usage: scenmc signposts [MODEL] [options]\n\n"
    "Ranks every candidate indicator, a descriptor observed in a year, by the\n"
    "mutual information I(target; indicator) in bits: how much seeing that\n"
    "descriptor's variant then tells, on average, about the target (default: the\n"
    "scenario of the last year). Also the best indicator per year (when to look),\n"
    "every pair of indicators observed in the same year and the best pair of each\n"
    "year (both methods), and for every indicator P(target | each variant).\n"
    "Descriptors that define the scenarios are ranked apart: seeing them late\n"
    "tells the scenario trivially. Exact (one forward and one backward pass of the\n"
    "exact solver) where the model fits in memory, else Monte Carlo from the\n"
    "trajectories of 'scenmc run' with the same seed and -n (plug-in estimates of\n"
    "singles and pairs with standard errors and their first-order bias).\n"
    "docs/signposts.md, section 4.\n\n"
    "options:\n";
enum { K_TARGET = CLI_KEY_FIRST, K_METHOD, K_NO_PAIRS, K_TOP };
static const cli_option options[] = {
    CLI_PARAMS,
    CLI_GIVEN_OPTIONS,
    {"target", K_TARGET, 1,
    "  --target A[,B...]      the binary target \"the last year's scenario is one of\n"
    "                         these\" (names, labels, 1-based numbers or\n"
    "                         'unclassified'); default: the scenario itself\n"},
    {"method", K_METHOD, 1,
    "  --method M             exact, mc or auto (default: exact where it fits in\n"
    "                         memory); mc with --given weighs the trajectories by\n"
    "                         the observations' likelihood (docs/signposts.md)\n"},
    {"no-pairs", K_NO_PAIRS, 0, "  --no-pairs             skip the pairs of indicators (both methods: less\n"
                                "                         time; Monte Carlo: a much smaller tally)\n"},
    {"top", K_TOP, 1, "  --top N                indicators printed (default 10)\n"},
    CLI_OUTPUT_OPTION("write the signposts file there (HDF5, /signposts)"),
    CLI_FORCE_OPTION,
    {"threads", CLI_K_THREADS, 1, "  --threads T            OpenMP threads (default: all cores)\n"},
    {"quiet", CLI_K_QUIET, 0, "  --quiet                print nothing but errors\n"},
    CLI_HELP_OPTION,
    CLI_END,
};
static const cli_command command = {"signposts", help_head,
                                    "\nRead the file with 'scenmc report FILE'; draw it with "
                                    "'scripts/scenmc-plot FILE -o DIR'.\n", options};

typedef struct sp_cmd {
    scenmc_model *m;
    scenmc_params p;
    scenmc_observations obs;
    const char *out, *start;
    int force, quiet, n_target, target[SCENMC_MAX_SCENARIOS + 1];
    long threads, top;
    scenmc_signposts_options so;
} sp_cmd;

/* A scenario slot by name, label, 1-based number or "unclassified"; -1 if none. */
static int find_scenario(const scenmc_model *m, const char *ref)
{
    for (int a = 0; a < m->n_scenarios; a++)
        if (!strcmp(ref, m->scenarios[a].name) || (m->scenarios[a].label && !strcmp(ref, m->scenarios[a].label)))
            return a;
    if (!strcasecmp(ref, "unclassified") && scenmc_model_has_unclassified(m))
        return m->n_scenarios;
    char *end;
    long k = strtol(ref, &end, 10);
    return *ref && !*end && k >= 1 && k <= m->n_scenarios ? (int)k - 1 : -1;
}

static int parse_target(sp_cmd *c, const char *text)
{
    char *copy = strdup(text), *save = NULL;
    int rc = 0;
    c->n_target = 0;
    for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        int a = find_scenario(c->m, t);
        if (a < 0)
            rc = cli_usage_error("signposts", "--target: no scenario '%s' (a name, label, 1-based "
                                 "number or 'unclassified')", t);
        else if (c->n_target <= SCENMC_MAX_SCENARIOS)
            c->target[c->n_target++] = a;
    }
    free(copy);
    if (!rc && c->n_target == 0)
        rc = cli_usage_error("signposts", "--target: name at least one scenario");
    return rc;
}

static int take_options(const cli_args *a, sp_cmd *c)
{
    c->top = 10;
    for (int k = 0; k < a->n_opts; k++) {
        const cli_arg *o = &a->opts[k];
        if (cli_param_apply("signposts", o, &c->p, &c->start) < 0)
            return EXIT_USAGE;
        if ((o->key == CLI_K_THREADS && !cli_parse_int("signposts", "--threads", o->value, 1, 4096, &c->threads)) ||
            (o->key == K_TOP && !cli_parse_int("signposts", "--top", o->value, 1, 1000000, &c->top)) ||
            (o->key == K_TARGET && parse_target(c, o->value)))
            return EXIT_USAGE;
        if (o->key == K_METHOD) {
            const char *v = o->value;
            if (strcmp(v, "exact") && strcmp(v, "mc") && strcmp(v, "auto"))
                return cli_usage_error("signposts", "--method %s: exact, mc or auto", v);
            c->so.method = !strcmp(v, "exact") ? SCENMC_SIGNPOSTS_EXACT
                           : !strcmp(v, "mc") ? SCENMC_SIGNPOSTS_MC : SCENMC_SIGNPOSTS_AUTO;
        }
    }
    c->out = cli_value(a, CLI_K_OUTPUT);
    c->force = cli_flag(a, CLI_K_FORCE);
    c->quiet = cli_flag(a, CLI_K_QUIET);
    c->so.no_pairs = cli_flag(a, K_NO_PAIRS);
    c->so.threads = (int)c->threads;
    c->so.n_target = c->n_target;
    c->so.target = c->target;
    return 0;
}

static int plan(int argc, char **argv, sp_cmd *c)
{
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc;
    rc = cli_too_many("signposts", &a, 1);
    if (!rc)
        c->m = cli_load_model("signposts", a.n_pos ? a.pos[0] : NULL, &rc);
    if (c->m) {
        scenmc_params_init(&c->p, c->m);
        rc = take_options(&a, c);
        if (!rc)
            rc = cli_observations("signposts", &a, c->m, &c->p, &c->obs);
        c->so.given = &c->obs;
    }
    cli_args_free(&a);
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && ((c->start && scenmc_params_parse_start(&c->p, c->m, c->start, &err) != SCENMC_OK) ||
                scenmc_params_check(&c->p, &err) != SCENMC_OK ||
                (c->out && scenmc_output_check(c->out, c->force, &err) != SCENMC_OK))) {
        cli_print_error("signposts", &err);
        rc = EXIT_USAGE;
    }
    return rc;
}

static void print_one(const scenmc_model *m, const scenmc_signposts *sp, int d, int y)
{
    int i = d * sp->Y + y;
    printf("  %3d. %-4s %d  %.4f bit", sp->rank[i], m->descriptors[d].id, sp->year_start + y, sp->mi[i]);
    if (sp->method == SCENMC_MONTE_CARLO)
        printf(" +- %.4f (bias %.1e)", sp->mi_se[i], sp->mi_bias[i]);
    printf("  %s\n", m->descriptors[d].label ? m->descriptors[d].label : m->descriptors[d].name);
}

/* The group's indicators (defining or not) in rank order, the first top. */
static void print_group(const scenmc_model *m, const scenmc_signposts *sp, int defining, long top)
{
    for (int r = 1; r <= top; r++)
        for (int d = 0; d < sp->D; d++)
            for (int y = 0; y < sp->Y; y++)
                if (sp->defining[d] == defining && sp->rank[d * sp->Y + y] == r)
                    print_one(m, sp, d, y);
}

static void print_summary(const sp_cmd *c, const scenmc_signposts *sp)
{
    const scenmc_model *m = c->m;
    printf("%s: signposts (%s), target %s, H(target) = %.4f bit%s\n", m->name,
           sp->method == SCENMC_EXACT ? "exact" : "Monte Carlo",
           sp->binary ? sp->target_name[0] : "the scenario of the last year", sp->target_entropy,
           sp->conditioned ? ", conditioned on the observations" : "");
    printf("\nMost informative indicators (descriptor, year, I(target; indicator)):\n");
    print_group(m, sp, 0, c->top);
    printf("\nScenario-defining descriptors (ranked apart):\n");
    print_group(m, sp, 1, c->top / 2 > 0 ? c->top / 2 : 1);
    printf("\nWhen to look: the best indicator of each year%s:\n", sp->has_pairs ? " and the best pair" : "");
    for (int y = 0; y < sp->Y; y++) {
        int d = sp->best[y];
        if (d < 0)
            continue;
        printf("  %d  %-4s %.4f bit", sp->year_start + y, m->descriptors[d].id, sp->mi[d * sp->Y + y]);
        int a = sp->best_pair[2 * y], b = sp->best_pair[2 * y + 1];
        size_t ab = ((size_t)y * sp->D + (size_t)a) * sp->D + (size_t)b;
        if (sp->has_pairs && a >= 0)
            printf("   pair %s+%s %.4f bit", m->descriptors[a].id, m->descriptors[b].id, sp->pair_mi[ab]);
        if (sp->has_pairs && a >= 0 && sp->method == SCENMC_MONTE_CARLO)
            printf(" +- %.4f", sp->pair_mi_se[ab]);
        printf("\n");
    }
    printf("\n%.2f s, %d threads", sp->wall_seconds, sp->threads);
    if (sp->method == SCENMC_MONTE_CARLO)
        printf(", %llu trajectories", (unsigned long long)sp->n_trajectories);
    printf("\n");
    if (c->out)
        printf("Signposts: %s\n", c->out);
}

static int compute(const sp_cmd *c, int argc, char **argv)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_signposts sp;
    scenmc_status st = scenmc_signposts_compute(c->m, &c->p, &c->so, &sp, &err);
    if (st != SCENMC_OK) {
        cli_print_error("signposts", &err);
        return cli_exit_code(st);
    }
    int rc = 0;
    if (c->out) {
        char *cl = cli_command_line(argc, argv);
        scenmc_write_options wo = {.command_line = cl, .force = c->force};
        st = scenmc_signposts_write(c->out, c->m, &c->p, &sp, &wo, &err);
        free(cl);
        if (st != SCENMC_OK) {
            cli_print_error("signposts", &err);
            rc = cli_exit_code(st);
        }
    }
    if (!c->quiet && !rc)
        print_summary(c, &sp);
    scenmc_signposts_free(&sp);
    return rc;
}

int cmd_signposts(int argc, char **argv)
{
    sp_cmd c;
    memset(&c, 0, sizeof c);
    scenmc_observations_init(&c.obs);
    int rc = plan(argc, argv, &c);
    if (!rc)
        rc = compute(&c, argc, argv);
    if (c.m) {
        scenmc_params_free(&c.p);
        scenmc_model_free(c.m);
    }
    scenmc_observations_free(&c.obs);
    return rc == CLI_HELP_SHOWN ? 0 : rc;
}
