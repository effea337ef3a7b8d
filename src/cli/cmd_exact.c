/* scenmc exact: the distribution of the dynamics without sampling noise. */
#include "cli.h"
#include "obs_cli.h"
#include "sched_cli.h"
#include "summary.h"
#include "model/params.h"
#include "scenmc/schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char help_head[] =
    "usage: scenmc exact [MODEL] [options]\n\n"
    "Computes the year-by-year distribution of the dynamics exactly on the full\n"
    "product space (uniformization; docs/model.md) and the same tables as\n"
    "'scenmc run', as probabilities. The Poisson series is truncated where the\n"
    "dropped probability mass is below 1e-13 per year (written to the file as\n"
    "truncation_bound). Memory grows with the number of states; the command\n"
    "refuses up front, with the amount needed, when it would not fit.\n\n"
    "With --given or --observations every table is conditioned on what was\n"
    "observed (forward filtering, and forward-backward smoothing for the years\n"
    "before the last observation; docs/signposts.md, section 2), and the\n"
    "probability of the observations (the evidence) is printed and written.\n\n"
    "With --trend, --push, --intervene or --shock (or changes in the model file)\n"
    "the world changes over the years: each year has its own generator, solved\n"
    "exactly (docs/model.md, sections 10 and 12).\n\n"
    "options (-n and --seed are accepted for symmetry with run; they change nothing):\n";
enum { K_STATIONARY = CLI_KEY_FIRST };
static const cli_option options[] = {
    CLI_PARAMS,
    {"stationary", K_STATIONARY, 0,
    "  --stationary           print the long-run distribution instead: the closed form\n"
    "                         exp(beta*w_C*K(s))/Z when the chain is reversible (no\n"
    "                         cross impacts in play, no bias), else power iteration\n"
    "                         with its residual\n"},
    CLI_GIVEN_OPTIONS,
    CLI_SCHEDULE_OPTIONS,
    CLI_OUTPUT_OPTION("write the results there (atomically; method = \"exact\")"),
    CLI_FORCE_OPTION,
    {"threads", CLI_K_THREADS, 1, "  --threads T            OpenMP threads (default: all cores)\n"},
    {"quiet", CLI_K_QUIET, 0, "  --quiet                print nothing but errors\n"},
    CLI_HELP_OPTION,
    CLI_END,
};
static const cli_command command = {"exact", help_head, NULL, options};

static void print_stationary(const scenmc_model *m, const double *pi, uint64_t n,
                             const scenmc_stationary_info *info)
{
    int S = m->n_scenarios;
    double *ps = calloc((size_t)S + 1, sizeof(double));
    double *pv = calloc((size_t)m->n_variants, sizeof(double));
    int *s = calloc((size_t)m->n_descriptors, sizeof(int));
    uint64_t best[5];
    int n_best = 0;
    for (uint64_t x = 0; x < n; x++) {
        scenmc_state_from_index(m, x, s);
        ps[scenmc_model_scenario_of(m, s)] += pi[x];
        for (int d = 0; d < m->n_descriptors; d++)
            pv[m->descriptors[d].offset + s[d]] += pi[x];
        /* Keep the five most probable, sorted. */
        if (n_best < 5 || pi[x] > pi[best[n_best - 1]]) {
            int j = n_best < 5 ? n_best++ : 4;
            while (j > 0 && pi[best[j - 1]] < pi[x]) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = x;
        }
    }
    printf("%s: stationary distribution (%s", m->name,
           info->closed_form ? "closed form, reversible chain)\n" : "power iteration, ");
    if (!info->closed_form)
        printf("%d iterations, residual %.3g)\n", info->iterations, info->residual);
    printf("\nScenario probabilities\n");
    for (int k = 0; k <= S; k++)
        if (k < S || ps[k] > 0)
            printf("  %-28s %.6f\n", k < S ? m->scenarios[k].name : "unclassified", ps[k]);
    printf("\nVariant probabilities\n");
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        printf("  %s:", D->id);
        for (int b = 0; b < D->n_variants; b++)
            printf("  %s %.4f", m->variant_name[D->offset + b], pv[D->offset + b]);
        printf("\n");
    }
    printf("\nMost probable states\n");
    for (int j = 0; j < n_best; j++) {
        scenmc_state_from_index(m, best[j], s);
        printf("  %d. p = %.6f  K = %g\n     ", j + 1, pi[best[j]], scenmc_model_total_consistency(m, s));
        for (int d = 0; d < m->n_descriptors; d++)
            printf("%s%s=%s", d ? ", " : "", m->descriptors[d].id,
                   m->variant_name[m->descriptors[d].offset + s[d]]);
        printf("\n");
    }
    free(ps);
    free(pv);
    free(s);
}

/* The exact solver from the command line. */
typedef struct exact_cmd {
    scenmc_model *m;
    scenmc_params p;
    const char *out, *start;
    int force, quiet, stationary;
    long threads;
    scenmc_observations obs; /* --given, --observations */
} exact_cmd;

/* The options into ec (the model loaded); 0, or EXIT_USAGE after saying why. */
static int exact_options(const cli_args *a, exact_cmd *ec)
{
    for (int k = 0; k < a->n_opts; k++) {
        const cli_arg *o = &a->opts[k];
        int r = cli_param_apply("exact", o, &ec->p, &ec->start);
        if (r < 0)
            return EXIT_USAGE;
        if (o->key == CLI_K_THREADS && !cli_parse_int("exact", "--threads", o->value, 1, 4096, &ec->threads))
            return EXIT_USAGE;
    }
    ec->out = cli_value(a, CLI_K_OUTPUT);
    ec->force = cli_flag(a, CLI_K_FORCE);
    ec->quiet = cli_flag(a, CLI_K_QUIET);
    ec->stationary = cli_flag(a, K_STATIONARY);
    return 0;
}

/* The start state and the observations (after the other options: the
 * observations are checked against the years); 0 or an exit code. */
static int exact_given_options(const cli_args *a, exact_cmd *ec)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (ec->start && scenmc_params_parse_start(&ec->p, ec->m, ec->start, &err) != SCENMC_OK) {
        cli_print_error("exact", &err);
        return EXIT_USAGE;
    }
    int rc = cli_observations("exact", a, ec->m, &ec->p, &ec->obs);
    if (!rc && ec->start && ec->obs.start)
        rc = cli_usage_error("exact", "the start state is given twice (--start and the observations "
                             "file's start); give it once");
    if (!rc && ec->stationary && (ec->obs.n || ec->obs.start))
        rc = cli_usage_error("exact", "--stationary is the long-run distribution; it takes no "
                             "--given or --observations");
    return rc;
}

/* Plan: the model, the parameters, the observations, the output; checked
 * before the compute. */
static int exact_plan(int argc, char **argv, exact_cmd *ec)
{
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc;
    rc = cli_too_many("exact", &a, 1);
    if (!rc)
        ec->m = cli_load_model("exact", a.n_pos ? a.pos[0] : NULL, &rc);
    if (ec->m) {
        scenmc_params_init(&ec->p, ec->m);
        rc = exact_options(&a, ec);
    }
    if (!rc)
        rc = cli_schedule("exact", &a, ec->m, &ec->p);
    if (!rc)
        rc = exact_given_options(&a, ec);
    cli_args_free(&a);
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && ec->stationary && ec->out)
        rc = cli_usage_error("exact", "--stationary prints the long-run distribution; it does not "
                             "take -o");
    if (!rc && ec->stationary && ec->p.schedule && ec->p.schedule->n)
        rc = cli_usage_error("exact", "--stationary is the long-run distribution of an unchanging world; "
                             "it takes no trends, interventions or shocks");
    /* A bad -o is a usage problem too: nothing was computed. */
    if (!rc && (scenmc__params_check_scheduled(&ec->p, &err) != SCENMC_OK ||
                (ec->out && scenmc_output_check(ec->out, ec->force, &err) != SCENMC_OK))) {
        cli_print_error("exact", &err);
        rc = EXIT_USAGE;
    }
    return rc;
}

/* --stationary: the long-run distribution, printed. */
static int exact_stationary(const exact_cmd *ec)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    double *pi = NULL;
    scenmc_stationary_info info;
    int rc = 0;
    scenmc_status st = scenmc_exact_stationary(ec->m, &ec->p, (int)ec->threads, &pi, &info, &err);
    if (st != SCENMC_OK) {
        cli_print_error("exact", &err);
        rc = cli_exit_code(st);
    } else if (!ec->quiet) {
        print_stationary(ec->m, pi, scenmc_model_state_count(ec->m), &info);
    }
    free(pi);
    return rc;
}

/* One line naming the changes over time, as they were given. */
static void print_changes(const scenmc_params *p)
{
    if (!p->schedule || !p->schedule->n)
        return;
    printf("Changes over time:");
    for (int i = 0; i < p->schedule->n; i++) {
        const scenmc_change *c = &p->schedule->ch[i];
        printf("%s %s", i ? ";" : "", c->where ? c->where : c->name ? c->name : scenmc_change_kind_names[c->kind]);
    }
    printf("\n\n");
}

/* The year-by-year distribution: computed, written, printed. */
static int exact_tables(const exact_cmd *ec, int argc, char **argv)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_results r;
    scenmc_status st = scenmc_exact_given(ec->m, &ec->p, &ec->obs, (int)ec->threads, &r, &err);
    if (st != SCENMC_OK) {
        cli_print_error("exact", &err);
        return cli_exit_code(st);
    }
    int rc = 0;
    if (ec->out) {
        char *cl = cli_command_line(argc, argv);
        scenmc_write_options wo = {.command_line = cl, .force = ec->force};
        st = scenmc_output_write(ec->out, &r, &wo, &err);
        free(cl);
        if (st != SCENMC_OK) {
            cli_print_error("exact", &err);
            rc = cli_exit_code(st);
        }
    }
    if (!ec->quiet && !rc) {
        printf("%s: exact distribution, %d-%d, beta %g, %llu states\n\n", ec->m->name, ec->p.year_start,
               ec->p.year_end, ec->p.beta, (unsigned long long)r.n_states);
        print_changes(&ec->p);
        if (r.conditioned)
            printf("Conditioned on %d observation%s%s: evidence P(observations) = %.6g (log %.6g)\n\n",
                   ec->obs.n, ec->obs.n == 1 ? "" : "s", ec->obs.start ? " and the observed start" : "",
                   exp(r.log_evidence), r.log_evidence);
        summary_scenarios(stdout, &r);
        summary_characteristics(stdout, &r);
        summary_top_states(stdout, &r, 5);
        printf("\nTruncation bound %.3g per year; %.2f s, %.3g MiB, %d threads\n", r.truncation_bound,
               r.wall_seconds, r.mem_peak_bytes / 1048576.0, r.threads);
        if (ec->out)
            printf("Results: %s\n", ec->out);
    }
    scenmc_results_free(&r);
    return rc;
}

int cmd_exact(int argc, char **argv)
{
    exact_cmd ec;
    memset(&ec, 0, sizeof ec);
    int rc = exact_plan(argc, argv, &ec);
    if (!rc)
        rc = ec.stationary ? exact_stationary(&ec) : exact_tables(&ec, argc, argv);
    scenmc_observations_free(&ec.obs);
    if (ec.m) {
        scenmc_params_free(&ec.p);
        scenmc_model_free(ec.m);
    }
    return rc == CLI_HELP_SHOWN ? 0 : rc;
}
