#include "cli.h"
#include "base/atomic_file.h"
#include "base/util.h"
#include "scenmc/reader.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_exit_code(scenmc_status st)
{
    switch (st) {
    case SCENMC_OK: return 0;
    case SCENMC_E_INPUT:
    case SCENMC_E_LIMIT: return EXIT_USAGE;
    case SCENMC_E_INTERRUPTED: return EXIT_INTERRUPTED;
    default: return 1;
    }
}

void cli_print_error(const char *cmd, const scenmc_error *err)
{
    const char *p = err->msg;
    if (!*p) {
        fprintf(stderr, "scenmc %s: %s\n", cmd, scenmc_status_name(err->code));
        return;
    }
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(stderr, "scenmc %s: %.*s\n", cmd, (int)n, p);
        p += n;
        if (*p == '\n')
            p++;
    }
}

void cli_print_notes(const char *cmd, const char *notes)
{
    const char *p = notes;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(stderr, "scenmc %s: note: %.*s\n", cmd, (int)n, p);
        p += n;
        if (*p == '\n')
            p++;
    }
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "scenmc %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'scenmc %s --help')\n", cmd);
    return EXIT_USAGE;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno == ERANGE || !isfinite(v)) {
        cli_usage_error(cmd, "%s '%s': expected a finite number", opt, s);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t *out)
{
    char *end;
    errno = 0;
    /* Accept 1e6-style counts too: researchers write them that way. */
    if (strpbrk(s, "eE") && !strpbrk(s, "-")) {
        double v = strtod(s, &end);
        if (*s && !*end && isfinite(v) && v >= (double)lo && v < 9.2e18 && v == floor(v)) {
            *out = (uint64_t)v;
            return 1;
        }
    } else if (*s && *s != '-' && *s != '+') {
        unsigned long long v = strtoull(s, &end, 10);
        if (!*end && errno != ERANGE && v >= lo && v <= (unsigned long long)INT64_MAX) {
            *out = v;
            return 1;
        }
    }
    cli_usage_error(cmd, "%s '%s': expected a whole number from %llu to 2^63-1", opt, s,
                    (unsigned long long)lo);
    return 0;
}

int cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno == ERANGE || v < lo || v > hi) {
        cli_usage_error(cmd, "%s '%s': expected a whole number from %ld to %ld", opt, s, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

scenmc_model *cli_load_model(const char *cmd, const char *path, int *exit_code)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_status st = path ? scenmc_model_load(path, &m, &err) : scenmc_model_load_default(&m, &err);
    if (st != SCENMC_OK) {
        cli_print_error(cmd, &err);
        /* A model that cannot be read is bad input, like one that cannot be parsed. */
        *exit_code = st == SCENMC_E_NOMEM ? 1 : EXIT_USAGE;
        return NULL;
    }
    return m;
}

const cli_option cli_param_options[] = {
    {"trajectories", CLI_K_TRAJECTORIES, 1,
     "  -n, --trajectories N   number of trajectories (default: the model's\n"
     "                         defaults.trajectories; 1000000 when it sets none)\n"},
    {"seed", CLI_K_SEED, 1, "  --seed S               random seed, 0..2^64-1 (default: the model's)\n"},
    {"beta", CLI_K_BETA, 1, "  --beta B               consistency seeking, >= 0 (default: the model file's\n"
                             "                         defaults: beta, else 0.5)\n"},
    {"rate", CLI_K_RATE, 1, "  --rate R               revision rate per year for every descriptor, > 0\n"},
    {"w-consistency", CLI_K_W_CONSISTENCY, 1,
     "  --w-consistency W      weight of the consistency matrix (default 1)\n"},
    {"w-cross", CLI_K_W_CROSS, 1, "  --w-cross W            weight of the cross-impact matrix (default 1)\n"},
    {"start", CLI_K_START, 1,
     "  --start ID=V,ID=V,...  fixed start state (variant name, id or 1-based number)\n"},
    CLI_END,
};

static int param_seed(const char *cmd, const char *v, scenmc_params *p)
{
    char *end;
    errno = 0;
    unsigned long long s = strtoull(v, &end, 10);
    if (!*v || *end || *v == '-' || errno == ERANGE) {
        cli_usage_error(cmd, "--seed '%s': expected a whole number from 0 to 2^64-1", v);
        return -1;
    }
    p->seed = s;
    return 1;
}

static int param_rate(const char *cmd, const char *v, scenmc_params *p)
{
    double r;
    if (!cli_parse_double(cmd, "--rate", v, &r))
        return -1;
    if (!(r > 0)) {
        cli_usage_error(cmd, "--rate %s: expected a positive number of revisions per year", v);
        return -1;
    }
    scenmc_params_set_rate(p, r);
    return 1;
}

int cli_param_apply(const char *cmd, const cli_arg *a, scenmc_params *p, const char **start)
{
    const char *v = a->value;
    switch (a->key) {
    case CLI_K_TRAJECTORIES:
        return cli_parse_u64(cmd, "-n", v, 1, &p->n_trajectories) ? 1 : -1;
    case CLI_K_SEED:
        return param_seed(cmd, v, p);
    case CLI_K_BETA:
        if (!cli_parse_double(cmd, "--beta", v, &p->beta))
            return -1;
        if (p->beta < 0) {
            cli_usage_error(cmd, "--beta %s: expected a number >= 0", v);
            return -1;
        }
        return 1;
    case CLI_K_RATE:
        return param_rate(cmd, v, p);
    case CLI_K_W_CONSISTENCY:
        return cli_parse_double(cmd, "--w-consistency", v, &p->w_consistency) ? 1 : -1;
    case CLI_K_W_CROSS:
        return cli_parse_double(cmd, "--w-cross", v, &p->w_cross) ? 1 : -1;
    case CLI_K_START:
        *start = v;
        return 1;
    default:
        return 0;
    }
}

static const char *program = "scenmc";

void cli_set_program(const char *argv0)
{
    if (argv0)
        program = argv0;
}

/* Appends s to the command line at *end, quoted when it holds blanks or quotes. */
static char *append_word(char *end, const char *s, int first)
{
    int quote = strpbrk(s, " \t'\"") != NULL;
    end += sprintf(end, "%s%s%s%s", first ? "" : " ", quote ? "'" : "", s, quote ? "'" : "");
    return end;
}

char *cli_command_line(int argc, char **argv)
{
    size_t n = strlen(program) + 4;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 3;
    char *s = malloc(n);
    if (!s)
        return NULL;
    char *end = append_word(s, program, 1);
    for (int i = 0; i < argc; i++)
        end = append_word(end, argv[i], 0);
    return s;
}

/* The command's options flattened (CLI_PARAMS expanded), help-only entries left out. */
static int flatten(const cli_option *t, const cli_option **out, int n)
{
    for (; t->key; t++) {
        if (t->key == CLI_KEY_PARAMS)
            n = flatten(cli_param_options, out, n);
        else if (t->name)
            out[n++] = t;
    }
    return n;
}

static void help_lines(const cli_option *t)
{
    for (; t->key; t++) {
        if (t->key == CLI_KEY_PARAMS)
            help_lines(cli_param_options);
        else if (t->help)
            fputs(t->help, stdout);
    }
}

void cli_help(const cli_command *cmd)
{
    if (cmd->head)
        fputs(cmd->head, stdout);
    help_lines(cmd->options);
    if (cmd->foot)
        fputs(cmd->foot, stdout);
}

/* The option's text as written ("--seed" of "--seed=5"), for messages. */
static const char *option_text(char *buf, size_t size, const char *arg)
{
    size_t n = strcspn(arg, "=");
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), arg);
    return buf;
}

/* getopt_long takes unique prefixes of long options; scenmc does not, so
 * that a later option cannot change what an old command line means. */
static int abbreviated(const char *cmd, const char *arg, const char *name)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    size_t n = strcspn(arg + 2, "=");
    if (n == strlen(name))
        return 0;
    char buf[128];
    cli_usage_error(cmd, "unknown option '%s' (abbreviations are not accepted; did you mean --%s?)",
                    option_text(buf, sizeof buf, arg), name);
    return 1;
}

/* Reports the option getopt_long refused (c is '?' or ':'), written as
 * text; returns EXIT_USAGE. */
static int refused(const char *cmd, int c, const char *text)
{
    char buf[128];
    int is_long = !strncmp(text, "--", 2);
    if (c == ':') {
        if (is_long)
            return cli_usage_error(cmd, "%s needs a value", option_text(buf, sizeof buf, text));
        return cli_usage_error(cmd, "-%c needs a value", optopt);
    }
    if (is_long)
        return cli_usage_error(cmd, "unknown option '%s'", text);
    return cli_usage_error(cmd, "unknown option '-%c'", optopt);
}

int cli_wants_help(const cli_command *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cli_help(cmd);
            return 1;
        }
    return 0;
}

/* getopt_long's tables for the flattened options. */
static void getopt_tables(const cli_option **opt, int n, struct option *lo, char *shorts)
{
    char *s = shorts;
    *s++ = '-'; /* positionals in place, in order: argv is not reordered */
    *s++ = ':'; /* a missing value is ':' */
    for (int i = 0; i < n; i++) {
        lo[i] = (struct option){opt[i]->name, opt[i]->has_arg ? required_argument : no_argument,
                                NULL, opt[i]->key};
        if (opt[i]->key < 256) {
            *s++ = (char)opt[i]->key;
            if (opt[i]->has_arg)
                *s++ = ':';
        }
    }
    if (!memchr(shorts, 'h', (size_t)(s - shorts))) { /* --help, listed in the help or not */
        lo[n++] = (struct option){"help", no_argument, NULL, 'h'};
        *s++ = 'h';
    }
    lo[n] = (struct option){NULL, 0, NULL, 0};
    *s = '\0';
}

/* One option getopt_long returned, found in argv[at]: check it is written
 * in full and record it. */
static int take_option(const char *cmd, int c, int li, const struct option *lo, int at, int argc,
                       char **argv, cli_args *out)
{
    int has_arg = 0;
    for (const struct option *o = lo; o->name; o++)
        if (o->val == c)
            has_arg = o->has_arg == required_argument;
    const char *value = has_arg ? optarg : NULL;
    int separate = value && at + 1 < argc && value == argv[at + 1];
    if (li >= 0 && abbreviated(cmd, argv[at], lo[li].name))
        return EXIT_USAGE;
    if (li < 0 && value && !separate && *value == '=')
        value++; /* "-n=5", as the hand-written parser took it */
    if (value && !*value) { /* an unset shell variable: refused before any work */
        char buf[128];
        return cli_usage_error(cmd, "%s: an empty value (an unset variable?); expected a value",
                               option_text(buf, sizeof buf, argv[at]));
    }
    out->opts[out->n_opts++] = (cli_arg){c, value};
    return 0;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out)
{
    memset(out, 0, sizeof *out);
    if (cli_wants_help(cmd, argc, argv))
        return CLI_HELP_SHOWN;
    const cli_option *flat[128];
    int n = flatten(cmd->options, flat, 0);
    struct option lo[130];
    char shorts[3 * 128 + 4];
    getopt_tables(flat, n, lo, shorts);
    out->opts = scenmc__xcalloc((size_t)argc + 1, sizeof *out->opts);
    out->pos = scenmc__xcalloc((size_t)argc + 1, sizeof *out->pos);
    opterr = 0;
    optind = 0; /* a full restart of getopt's state */
    int c, li = -1, rc = 0, at = 1;
    /* "-" mode does not reorder argv, so the element being read is argv[optind]. */
    while (!rc && (c = getopt_long(argc, argv, shorts, lo, &li)) != -1) {
        if (c == 1) {
            out->pos[out->n_pos++] = optarg;
        } else if (c == 'h') {
            cli_help(cmd);
            rc = CLI_HELP_SHOWN;
        } else if (c == '?' || c == ':') {
            rc = refused(cmd->name, c, at < argc ? argv[at] : "");
        } else {
            rc = take_option(cmd->name, c, li, lo, at, argc, argv, out);
        }
        li = -1;
        at = optind;
    }
    for (int i = optind; !rc && i < argc; i++)
        out->pos[out->n_pos++] = argv[i]; /* after "--" */
    if (rc)
        cli_args_free(out);
    return rc == CLI_HELP_SHOWN ? rc : rc ? EXIT_USAGE : 0;
}

const char *cli_value(const cli_args *a, int key)
{
    const char *v = NULL;
    for (int k = 0; k < a->n_opts; k++)
        if (a->opts[k].key == key)
            v = a->opts[k].value; /* the last one counts */
    return v;
}

int cli_flag(const cli_args *a, int key)
{
    for (int k = 0; k < a->n_opts; k++)
        if (a->opts[k].key == key)
            return 1;
    return 0;
}

void cli_args_free(cli_args *a)
{
    free(a->opts);
    free(a->pos);
    memset(a, 0, sizeof *a);
}

int cli_too_many(const char *cmd, const cli_args *a, int max)
{
    if (a->n_pos <= max)
        return 0;
    return cli_usage_error(cmd, "more than one MODEL ('%s', '%s'); expected one", a->pos[0], a->pos[1]);
}

int cli_one_results_file(const char *cmd, const cli_args *a, const char **file)
{
    if (a->n_pos == 0)
        return cli_usage_error(cmd, "no results file given; expected FILE.h5");
    if (a->n_pos > 1)
        return cli_usage_error(cmd, "more than one results file ('%s', '%s'); expected one", a->pos[0],
                               a->pos[1]);
    *file = a->pos[0];
    return 0;
}

int cli_read_results(const char *cmd, const char *file, scenmc_model **m, scenmc_results *r,
                     scenmc_results_info *info)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status s = scenmc_results_read_info(file, m, r, info, 0, &err);
    if (s != SCENMC_OK) {
        cli_print_error(cmd, &err);
        scenmc_results_info_free(info);
        return cli_exit_code(s);
    }
    return 0;
}

int cli_same_file(const char *a, const char *b)
{
    return scenmc__same_file(a, b);
}

char *cli_text_done(FILE *f, char **text)
{
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        free(*text);
        *text = NULL;
    }
    return *text;
}

void cli_end_by_signal(int s)
{
    scenmc__atomic_unlink_live(); /* unlink is async-signal-safe */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(s, &dfl, NULL);
    raise(s); /* blocked until the handler returns, then the default action */
}
