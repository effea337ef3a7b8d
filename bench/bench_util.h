/* The pieces the bench programs share: the clocks, best-of-N figures, the
 * common options (-n N, --threads T, --repeat R; --help and -h print the
 * usage and exit 0, an unknown option exits 2) and the model to load.
 * Header only: every .c file in bench/ is a program of its own (CMakeLists.txt). */
#ifndef SCENMC_BENCH_UTIL_H
#define SCENMC_BENCH_UTIL_H

#include "scenmc/scenmc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Process CPU seconds (all threads): a figure that other load on the
 * machine disturbs much less than wall time. */
static inline double bench_cpu_now(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* Wall seconds (monotonic). */
static inline double bench_wall_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A stopwatch of wall and CPU seconds. */
typedef struct bench_clock {
    double wall, cpu;
} bench_clock;

static inline bench_clock bench_start(void)
{
    bench_clock c = {bench_wall_now(), bench_cpu_now()};
    return c;
}

/* The seconds since start. */
static inline bench_clock bench_lap(bench_clock start)
{
    bench_clock c = {bench_wall_now() - start.wall, bench_cpu_now() - start.cpu};
    return c;
}

/* Best of N: the least wall and the least CPU seconds seen (each on its own). */
typedef struct bench_best {
    double wall, cpu;
} bench_best;

static inline bench_best bench_best_init(void)
{
    bench_best b = {1e300, 1e300};
    return b;
}

static inline void bench_best_add(bench_best *b, double wall, double cpu)
{
    b->wall = wall < b->wall ? wall : b->wall;
    b->cpu = cpu < b->cpu ? cpu : b->cpu;
}

/* The same, but the CPU seconds are those of the run of least wall time. */
static inline void bench_best_add_paired(bench_best *b, double wall, double cpu)
{
    if (wall < b->wall)
        b->wall = wall, b->cpu = cpu;
}

/* A count such as 20000 or 1e6. */
static inline uint64_t bench_count(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return *end ? (uint64_t)strtod(s, NULL) : (uint64_t)v;
}

/* The options every bench program reads; a program sets its defaults,
 * whether it takes -n and --repeat, and its usage (every option, one text
 * ending in a newline) for --help and for mistakes. */
typedef struct bench_common {
    uint64_t n;        /* -n N: trajectories (when takes_n) */
    int takes_n;
    int threads;       /* --threads T */
    int repeat;        /* --repeat R: runs per figure, at least 1 (unless no_repeat) */
    int no_repeat;     /* the program runs each figure once: --repeat is not its option */
    const char *usage; /* "usage: prog [options] ...\n" */
} bench_common;

/* The usage on stdout and exit 0: --help and -h in every bench program. */
static inline void bench_help(const bench_common *c)
{
    fputs(c->usage, stdout);
    exit(0);
}

/* An argument the program does not know (or an option without its value):
 * it and the usage on stderr; returns 2, the exit status. */
static inline int bench_unknown(const char *prog, const char *arg, const bench_common *c)
{
    fprintf(stderr, "%s: unknown option or missing value: %s\n%s", prog, arg, c->usage);
    return 2;
}

/* Reads a common option at argv[*i] (advancing *i past its value): 1 when
 * it was one, 0 when the program reads argv[*i] itself. --help and -h
 * print the usage and exit. */
static inline int bench_common_option(int argc, char **argv, int *i, bench_common *c)
{
    const char *a = argv[*i];
    if (c->usage && (!strcmp(a, "--help") || !strcmp(a, "-h")))
        bench_help(c);
    if (*i + 1 >= argc)
        return 0;
    if (c->takes_n && !strcmp(a, "-n"))
        c->n = bench_count(argv[++*i]);
    else if (!strcmp(a, "--threads"))
        c->threads = atoi(argv[++*i]);
    else if (!c->no_repeat && !strcmp(a, "--repeat"))
        c->repeat = atoi(argv[++*i]) < 1 ? 1 : atoi(argv[*i]);
    else
        return 0;
    return 1;
}

/* A positional argument (MODEL): not an option. */
static inline int bench_positional(const char *arg)
{
    return arg[0] != '-';
}

/* The model at path, or the built-in one when path is NULL; NULL after
 * printing "prog: why" on stderr. */
static inline scenmc_model *bench_load_model(const char *prog, const char *path)
{
    scenmc_model *m = NULL;
    scenmc_error err;
    scenmc_error_clear(&err);
    if ((path ? scenmc_model_load(path, &m, &err) : scenmc_model_load_default(&m, &err)) != SCENMC_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return NULL;
    }
    return m;
}

#endif
