/* scenmc calibrate: which parameters fit the observed history
 * (docs/signposts.md, section 5). */
#include "cli.h"
#include "cli/obs_cli.h"
#include "scenmc/calibrate.h"
#include "summary.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help_head[] =
    "usage: scenmc calibrate [MODEL] --given YEAR:ID=V,... | --observations FILE\n"
    "                        --param NAME=SPEC [--param ...] [options]\n\n"
    "Weighs parameter values by how well they explain what was observed: the\n"
    "likelihood P(observations | parameters) at every point of a design (a grid\n"
    "or a Latin hypercube, as 'scenmc sweep'), computed exactly by forward\n"
    "filtering where the model fits in memory, else by Monte Carlo (the same seed\n"
    "at every point: common random numbers, with the standard error of each\n"
    "point's estimate). Then the posterior under the prior: every design point\n"
    "has the same prior mass (uniform on the design's box), or mass proportional\n"
    "to 1/value for a parameter with a log-uniform prior; the posterior mean and\n"
    "sd of each parameter, the 95% highest-posterior credible set of points, and\n"
    "the posterior-predictive scenario probabilities per year (the posterior\n"
    "mixture over the points). docs/signposts.md, section 5.\n\n"
    "NAME: beta | rate (every descriptor) | rate.ID | w-consistency | w-cross\n"
    "      (and the other names of 'scenmc sweep --help')\n"
    "SPEC: LO:HI (a range: --points values for a grid, the box of a Latin\n"
    "      hypercube) | START:STOP:STEP | lin:START:STOP:COUNT | a,b,c\n\n"
    "options:\n";
enum { K_PARAM = CLI_KEY_FIRST, K_DESIGN, K_POINTS, K_PRIOR, K_METHOD, K_LEVEL, K_PROGRESS, K_NO_PROGRESS };
static const cli_option options[] = {
    CLI_GIVEN_OPTIONS,
    {"param", K_PARAM, 1, "  --param NAME=SPEC      a calibrated parameter (repeatable)\n"},
    {"design", K_DESIGN, 1,
     "  --design grid|lhs|lhs:K  the full grid (default) or a Latin hypercube over the\n"
     "                         parameters' ranges (K points, else --points)\n"},
    {"points", K_POINTS, 1,
     "  --points N             Latin hypercube: N points; grid: about N in all, each\n"
     "                         LO:HI range cut into N^(1/k) values (default 100)\n"},
    {"prior", K_PRIOR, 1,
     "  --prior uniform|log-uniform|NAME=log-uniform  the prior density on the design's\n"
     "                         range: uniform (default) or log-uniform (1/x; values\n"
     "                         > 0), for every parameter or one (repeatable)\n"},
    {"method", K_METHOD, 1,
     "  --method auto|exact|monte-carlo  how the likelihood is computed (default auto:\n"
     "                         exact unless the model does not fit in memory); Monte\n"
     "                         Carlo uses -n trajectories per point\n"},
    {"level", K_LEVEL, 1, "  --level L              level of the credible set, 0 < L < 1 (default 0.95)\n"},
    CLI_PARAMS,
    CLI_OUTPUT_OPTION("the calibration file (atomically; docs/signposts.md, section 5)"),
    CLI_FORCE_OPTION,
    {"threads", CLI_K_THREADS, 1, "  --threads T            OpenMP threads (default: all cores)\n"},
    {"quiet", CLI_K_QUIET, 0, "  -q, --quiet            no table; no progress unless --progress\n"},
    {"progress", K_PROGRESS, 0,
     "  --progress             progress on standard error (points done) even with\n"
     "                         --quiet (the default without it)\n"},
    {"no-progress", K_NO_PROGRESS, 0, "  --no-progress          no progress lines\n"},
    CLI_HELP_OPTION,
    CLI_END,
};
static const char help_foot[] =
    "\nexample:\n"
    "  scenmc calibrate --given 2023:DA=Datamonopol --given 2024:SY=Medborgare \\\n"
    "      --param beta=0.2:2 --param rate=0.2:2 --points 100 -o calib.h5\n";
static const cli_command command = {"calibrate", help_head, help_foot, options};

typedef struct calib_cmd {
    scenmc_model *m;
    scenmc_params base;
    scenmc_observations obs;
    const char *out, *start, *design;
    const char **raw;   /* the --param values, parsed once the design is known */
    int n_raw;
    scenmc_sweep_param *ps;
    int K;
    int *log_uniform;   /* [K] */
    const char **priors;
    int n_priors;
    long points, lhs, threads;
    double level;
    scenmc_calibrate_method method;
    int force, quiet, progress, no_progress;
} calib_cmd;

/* One option into cc; 0, or EXIT_USAGE after saying why. */
static int calib_option(const cli_arg *o, calib_cmd *cc)
{
    int k = cli_param_apply("calibrate", o, &cc->base, &cc->start);
    if (k)
        return k < 0 ? EXIT_USAGE : 0;
    switch (o->key) {
    case K_PARAM: cc->raw[cc->n_raw++] = o->value; return 0;
    case K_PRIOR: cc->priors[cc->n_priors++] = o->value; return 0;
    case K_DESIGN: cc->design = o->value; return 0;
    case K_POINTS:
        return cli_parse_int("calibrate", "--points", o->value, 1, 1000000, &cc->points) ? 0 : EXIT_USAGE;
    case K_METHOD:
        if (!strcmp(o->value, "auto"))
            cc->method = SCENMC_CALIBRATE_AUTO;
        else if (!strcmp(o->value, "exact"))
            cc->method = SCENMC_CALIBRATE_EXACT;
        else if (!strcmp(o->value, "monte-carlo") || !strcmp(o->value, "mc"))
            cc->method = SCENMC_CALIBRATE_MONTE_CARLO;
        else
            return cli_usage_error("calibrate", "--method '%s': expected auto, exact or monte-carlo", o->value);
        return 0;
    case K_LEVEL:
        if (!cli_parse_double("calibrate", "--level", o->value, &cc->level))
            return EXIT_USAGE;
        return cc->level > 0 && cc->level < 1 ? 0 : cli_usage_error("calibrate", "--level %s: expected a "
                                                                    "number between 0 and 1", o->value);
    case CLI_K_OUTPUT: cc->out = o->value; return 0;
    case CLI_K_FORCE: cc->force = 1; return 0;
    case CLI_K_THREADS:
        return cli_parse_int("calibrate", "--threads", o->value, 1, 4096, &cc->threads) ? 0 : EXIT_USAGE;
    case CLI_K_QUIET: cc->quiet = 1; return 0;
    case K_PROGRESS: cc->progress = 1, cc->no_progress = 0; return 0;
    case K_NO_PROGRESS: cc->no_progress = 1, cc->progress = 0; return 0;
    }
    return 0; /* --given and --observations: cli_observations */
}

/* --design: grid (lhs 0), lhs (--points of them) or lhs:K. */
static int calib_design(calib_cmd *cc)
{
    const char *d = cc->design;
    cc->lhs = 0;
    if (!d || !strcmp(d, "grid"))
        return 0;
    if (!strcmp(d, "lhs")) {
        cc->lhs = cc->points;
        return 0;
    }
    if (strncmp(d, "lhs:", 4))
        return cli_usage_error("calibrate", "--design '%s': expected grid, lhs or lhs:K", d);
    return cli_parse_int("calibrate", "--design lhs:K", d + 4, 1, 1000000, &cc->lhs) ? 0 : EXIT_USAGE;
}

/* Whether spec is LO:HI (two numbers): then *lo and *hi. */
static int range_spec(const char *spec, double *lo, double *hi)
{
    char *end;
    if (!strncmp(spec, "lin:", 4))
        return 0;
    *lo = strtod(spec, &end);
    if (end == spec || *end != ':')
        return 0;
    const char *rest = end + 1;
    *hi = strtod(rest, &end);
    return end != rest && !*end && isfinite(*lo) && isfinite(*hi);
}

/* Every --param, LO:HI ranges made into lin:LO:HI:N (N from --points on a
 * grid; the two ends for a Latin hypercube, which only needs the range). */
static int calib_params(calib_cmd *cc)
{
    int n_range = 0;
    double lo, hi;
    for (int j = 0; j < cc->n_raw; j++) {
        const char *eq = strrchr(cc->raw[j], '=');
        n_range += eq && range_spec(eq + 1, &lo, &hi);
    }
    long per_axis = n_range ? lround(pow((double)cc->points, 1.0 / n_range)) : 2;
    if (per_axis < 2)
        per_axis = 2;
    scenmc_error err;
    scenmc_error_clear(&err);
    for (int j = 0; j < cc->n_raw; j++) {
        const char *arg = cc->raw[j], *eq = strrchr(arg, '=');
        char *made = NULL;
        if (eq && range_spec(eq + 1, &lo, &hi)) {
            size_t n = (size_t)(eq - arg) + 96;
            made = scenmc__xmalloc(n);
            snprintf(made, n, "%.*s=lin:%.17g:%.17g:%ld", (int)(eq - arg), arg, lo, hi, cc->lhs ? 2 : per_axis);
        }
        scenmc_status st = scenmc_sweep_param_parse(cc->m, made ? made : arg, &cc->ps[cc->K], &err);
        free(made);
        if (st != SCENMC_OK) {
            cli_print_error("calibrate", &err);
            return EXIT_USAGE;
        }
        cc->K++;
    }
    return 0;
}

/* --prior: uniform or log-uniform, for all or NAME=... */
static int calib_priors(calib_cmd *cc)
{
    cc->log_uniform = scenmc__xcalloc((size_t)cc->K + 1, sizeof(int));
    for (int i = 0; i < cc->n_priors; i++) {
        const char *v = cc->priors[i], *eq = strrchr(v, '=');
        const char *kind = eq ? eq + 1 : v;
        int log_u = !strcmp(kind, "log-uniform");
        if (!log_u && strcmp(kind, "uniform"))
            return cli_usage_error("calibrate", "--prior '%s': expected uniform, log-uniform or "
                                   "NAME=uniform|log-uniform", v);
        int hit = 0;
        for (int j = 0; j < cc->K; j++)
            if (!eq || (strlen(cc->ps[j].name) == (size_t)(eq - v) && !strncmp(cc->ps[j].name, v, (size_t)(eq - v)))) {
                cc->log_uniform[j] = log_u;
                hit = 1;
            }
        if (!hit)
            return cli_usage_error("calibrate", "--prior '%s': no --param of that name", v);
    }
    return 0;
}

/* Parses and checks everything before any computing. */
static int calib_plan(int argc, char **argv, calib_cmd *cc)
{
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc;
    rc = cli_too_many("calibrate", &a, 1);
    if (!rc)
        cc->m = cli_load_model("calibrate", a.n_pos ? a.pos[0] : NULL, &rc);
    if (cc->m) {
        scenmc_params_init(&cc->base, cc->m);
        cc->raw = scenmc__xcalloc((size_t)a.n_opts + 1, sizeof(char *));
        cc->priors = scenmc__xcalloc((size_t)a.n_opts + 1, sizeof(char *));
        cc->ps = scenmc__xcalloc((size_t)a.n_opts + 1, sizeof *cc->ps);
        for (int k = 0; k < a.n_opts && !rc; k++)
            rc = calib_option(&a.opts[k], cc);
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!rc && cc->start && scenmc_params_parse_start(&cc->base, cc->m, cc->start, &err) != SCENMC_OK) {
        cli_print_error("calibrate", &err);
        rc = EXIT_USAGE;
    }
    if (!rc && (rc = cli_observations("calibrate", &a, cc->m, &cc->base, &cc->obs)) == 0 && cc->obs.n == 0)
        rc = cli_usage_error("calibrate", "no observations; expected --given YEAR:ID=V or --observations FILE");
    if (!rc && cc->n_raw == 0)
        rc = cli_usage_error("calibrate", "no --param given; expected at least one NAME=SPEC");
    if (!rc)
        rc = calib_design(cc);
    if (!rc)
        rc = calib_params(cc);
    if (!rc)
        rc = calib_priors(cc);
    if (!rc && (scenmc_params_check(&cc->base, &err) != SCENMC_OK ||
                (cc->out && scenmc_output_check(cc->out, cc->force, &err) != SCENMC_OK))) {
        cli_print_error("calibrate", &err);
        rc = EXIT_USAGE;
    }
    cli_args_free(&a);
    return rc;
}

/* The parameters' posterior and the credible set, printed. */
static void print_posterior(const scenmc_calibration *c)
{
    int K = c->n_params, P = c->n_points, best = 0;
    for (int i = 1; i < P; i++)
        if (c->posterior[i] > c->posterior[best])
            best = i;
    int n_log = 0;
    for (int j = 0; j < K; j++)
        n_log += c->log_uniform[j];
    printf("Posterior (prior: %s on the design's box; every point's prior mass is its share of it)\n",
           n_log == 0 ? "uniform" : n_log == K ? "log-uniform" : "uniform, log-uniform where marked");
    printf("  %-20s %12s %12s %12s %12s %12s\n", "parameter", "mean", "sd", "MAP", "credible lo", "credible hi");
    for (int j = 0; j < K; j++) {
        double lo, hi;
        scenmc_calibration_credible_range(c, j, &lo, &hi);
        printf("  ");
        summary_cell(stdout, c->param_name[j], 20);
        printf(" %12.5g %12.5g %12.5g %12.5g %12.5g%s\n", c->post_mean[j], c->post_sd[j],
               c->value[(size_t)best * (size_t)K + (size_t)j], lo, hi, c->log_uniform[j] ? "  (log-uniform)" : "");
    }
    printf("\n%d of %d points form the %g%% highest-posterior credible set (mass %.4f);\n"
           "log marginal likelihood %.6g; the most probable point has posterior %.4g.\n",
           c->n_credible, P, 100 * c->level, c->credible_mass, c->log_marginal, c->posterior[best]);
}

/* The posterior-predictive scenario probabilities, every year. */
static void print_predictive(const calib_cmd *cc, const scenmc_calibration *c)
{
    const scenmc_model *m = cc->m;
    int S = c->n_scenarios;
    printf("\nPosterior-predictive scenario probabilities (the posterior mixture over the points)\n  year ");
    int *w = scenmc__xcalloc((size_t)S, sizeof(int)); /* each column as wide as its name */
    for (int a = 0; a < S; a++) {
        const char *name = a < m->n_scenarios ? m->scenarios[a].name : "unclassified";
        putchar(' ');
        summary_cell(stdout, name, w[a] = summary_width(name, 14, 40));
    }
    printf("\n");
    for (int y = 0; y < c->n_years; y++) {
        printf("  %4d ", cc->base.year_start + y);
        for (int a = 0; a < S; a++)
            printf(" %-*.4f", w[a], c->predictive[(size_t)y * (size_t)S + (size_t)a]);
        printf("\n");
    }
    free(w);
}

static void calib_print(const calib_cmd *cc, const scenmc_calibration *c)
{
    printf("%s: calibration on %d points of %d parameter%s (%s design), %d observation%s; likelihood %s",
           cc->m->name, c->n_points, c->n_params, c->n_params == 1 ? "" : "s", cc->lhs ? "Latin-hypercube" : "grid",
           cc->obs.n, cc->obs.n == 1 ? "" : "s", c->method == SCENMC_EXACT ? "exact (forward filtering)" : "");
    if (c->method != SCENMC_EXACT)
        printf("by Monte Carlo, %llu trajectories per point, seed %llu (common random numbers)",
               (unsigned long long)c->n_trajectories, (unsigned long long)c->seed);
    printf("\n\n");
    print_posterior(c);
    print_predictive(cc, c);
    printf("\n%.1f s%s%s\n", c->wall_seconds, cc->out ? "; results: " : "", cc->out ? cc->out : "");
}

/* The calibration: computed, written, printed. */
static int calib_run(const calib_cmd *cc, int argc, char **argv)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    double *values = NULL;
    int P = 0;
    scenmc_status st = scenmc_sweep_design(cc->ps, cc->K, (int)cc->lhs, cc->base.seed, &values, &P, &err);
    if (st != SCENMC_OK) {
        cli_print_error("calibrate", &err);
        return EXIT_USAGE;
    }
    progress prog;
    progress_init(&prog, "calibrate", cc->no_progress || (cc->quiet && !cc->progress));
    scenmc_calibrate_options opt = {.method = cc->method, .threads = (int)cc->threads, .level = cc->level,
                                    .log_uniform = cc->log_uniform, .progress = progress_cb,
                                    .progress_ctx = &prog};
    scenmc_calibration c;
    st = scenmc_calibrate(cc->m, &cc->base, cc->ps, cc->K, values, P, &cc->obs, &opt, &c, &err);
    progress_end(&prog);
    free(values);
    if (st != SCENMC_OK) {
        cli_print_error("calibrate", &err);
        return cli_exit_code(st);
    }
    int rc = 0;
    if (cc->out) {
        char *cl = cli_command_line(argc, argv);
        scenmc_write_options wo = {.command_line = cl, .force = cc->force, .design = cc->lhs ? "lhs" : "grid"};
        st = scenmc_calibration_write(cc->out, cc->m, &cc->base, &cc->obs, &c, &wo, &err);
        free(cl);
        if (st != SCENMC_OK) {
            cli_print_error("calibrate", &err);
            rc = cli_exit_code(st);
        }
    }
    if (!rc && !cc->quiet)
        calib_print(cc, &c);
    scenmc_calibration_free(&c);
    return rc;
}

int cmd_calibrate(int argc, char **argv)
{
    calib_cmd cc;
    memset(&cc, 0, sizeof cc);
    cc.points = 100;
    cc.level = 0.95;
    int rc = calib_plan(argc, argv, &cc);
    if (!rc)
        rc = calib_run(&cc, argc, argv);
    for (int j = 0; j < cc.K; j++)
        scenmc_sweep_param_free(&cc.ps[j]);
    free(cc.ps);
    free(cc.raw);
    free(cc.priors);
    free(cc.log_uniform);
    scenmc_observations_free(&cc.obs);
    if (cc.m) {
        scenmc_params_free(&cc.base);
        scenmc_model_free(cc.m);
    }
    return rc == CLI_HELP_SHOWN ? 0 : rc;
}
