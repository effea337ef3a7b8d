#include "cli.h"

#include <errno.h>
#include <math.h>
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

const char *cli_opt(int argc, char **argv, int *i, const char *name, int *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

const char cli_param_help[] =
    "  -n, --trajectories N   number of trajectories (default: the model's, 1000000)\n"
    "  --seed S               random seed, 0..2^64-1 (default: the model's)\n"
    "  --beta B               consistency seeking, >= 0 (default 0.5)\n"
    "  --rate R               revision rate per year for every descriptor, > 0\n"
    "  --w-consistency W      weight of the consistency matrix (default 1)\n"
    "  --w-cross W            weight of the cross-impact matrix (default 1)\n"
    "  --start ID=V,ID=V,...  fixed start state (variant name, id or 1-based number)\n";

int cli_param_option(const char *cmd, int argc, char **argv, int *i, scenmc_params *p,
                     const char **start_spec)
{
    int missing = 0;
    const char *v;
    if ((v = cli_opt(argc, argv, i, "-n", &missing)) ||
        (!missing && (v = cli_opt(argc, argv, i, "--trajectories", &missing)))) {
        return cli_parse_u64(cmd, "-n", v, 1, &p->n_trajectories) ? 1 : -1;
    }
    if (!missing && (v = cli_opt(argc, argv, i, "--seed", &missing))) {
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
    if (!missing && (v = cli_opt(argc, argv, i, "--beta", &missing))) {
        if (!cli_parse_double(cmd, "--beta", v, &p->beta))
            return -1;
        if (p->beta < 0) {
            cli_usage_error(cmd, "--beta %s: expected a number >= 0", v);
            return -1;
        }
        return 1;
    }
    if (!missing && (v = cli_opt(argc, argv, i, "--rate", &missing))) {
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
    if (!missing && (v = cli_opt(argc, argv, i, "--w-consistency", &missing)))
        return cli_parse_double(cmd, "--w-consistency", v, &p->w_consistency) ? 1 : -1;
    if (!missing && (v = cli_opt(argc, argv, i, "--w-cross", &missing)))
        return cli_parse_double(cmd, "--w-cross", v, &p->w_cross) ? 1 : -1;
    if (!missing && (v = cli_opt(argc, argv, i, "--start", &missing))) {
        *start_spec = v;
        return 1;
    }
    if (missing) {
        cli_usage_error(cmd, "%s needs a value", argv[*i]);
        return -1;
    }
    return 0;
}

char *cli_command_line(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 3;
    char *s = malloc(n);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        int quote = strpbrk(argv[i], " \t'\"") != NULL;
        if (quote)
            strcat(s, "'");
        strcat(s, argv[i]);
        if (quote)
            strcat(s, "'");
    }
    return s;
}

int cli_positionals(int argc, char **argv, const char *const *value_opts, const char **out, int max)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1]) {
            if (strchr(a, '='))
                continue;
            for (const char *const *v = value_opts; *v; v++)
                if (!strcmp(*v, a)) {
                    i++;
                    break;
                }
            continue;
        }
        if (n < max)
            out[n] = a;
        n++;
    }
    return n;
}
