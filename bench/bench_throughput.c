/* Throughput of the Monte Carlo engine, the figure of merit of scenmc.
 *
 *   bench_throughput [MODEL] [-n N] [--threads T] [--repeat R] [--beta B] [--rate R]
 *                    [--group-limit L] [--engine auto|reference]
 *                    [--trend T] [--push P] [--intervene I] [--shock S]   (each repeatable)
 *
 * Runs the engine R times (default 5) on MODEL (default: the built-in
 * Västernorrland model) with beta 0.5, rate 0.5, uniform start, 10 years,
 * and prints the median trajectories/s and revisions/s, the spread, the
 * peak resident memory, and a verification hash of the counts (equal across
 * thread counts by construction: compare it between runs). One line per
 * measurement, tab-separated, for bench/run_all.sh. The line ends with how
 * the engine ran the model: packed, table or field engine, its groups, and which SIMD
 * path made the random numbers. --engine reference runs the plain reference
 * engine instead (src/engine/reference.c, one thread): the baseline the
 * optimised engines are measured against, with the same hash. The schedule
 * options take the forms of `scenmc run` (scenmc/schedule.h). */
#include "bench_util.h"
#include "scenmc/scenmc.h"
#include "scenmc/schedule.h"
#include "engine/kernel.h"
#include "engine/rng.h"
#include "engine/simulate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* FNV-1a over every count: a verification hash in the spirit of XSBench. */
static uint64_t counts_hash(const scenmc_results *r)
{
    uint64_t h = 1469598103934665603ull;
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        for (size_t i = 0; i < r->t[k].size; i++) {
            uint64_t c = r->t[k].counts[i];
            for (int b = 0; b < 8; b++) {
                h ^= (c >> (8 * b)) & 0xff;
                h *= 1099511628211ull;
            }
        }
    return h;
}

/* The run's parameters: beta, rate, a uniform start, 10 years, n
 * trajectories and the schedule options (kind "--trend" etc., text). */
static scenmc_status setup(scenmc_params *p, const scenmc_model *m, double beta, double rate, uint64_t n, int n_sched,
                           const char *const *kind, const char *const *text, scenmc_error *err)
{
    scenmc_params_init(p, m);
    p->beta = beta;
    scenmc_params_set_rate(p, rate);
    for (int d = 0; d < m->n_descriptors; d++)
        for (int b = 0; b < m->descriptors[d].n_variants; b++)
            p->initial[m->descriptors[d].offset + b] = 1.0 / m->descriptors[d].n_variants;
    free(p->start);
    p->start = NULL;
    p->year_end = p->year_start + 10;
    p->n_trajectories = n;
    if (n_sched) {
        p->schedule = malloc(sizeof *p->schedule);
        scenmc_schedule_init(p->schedule);
    }
    for (int i = 0; i < n_sched; i++) {
        const char *k = kind[i] + 2, *t = text[i];
        scenmc_schedule *sc = p->schedule;
        int end = p->year_end;
        scenmc_status st = !strcmp(k, "trend") ? scenmc_schedule_add_trend(sc, m, t, err)
                           : !strcmp(k, "push") ? scenmc_schedule_add_push(sc, m, t, end, err)
                           : !strcmp(k, "shock") ? scenmc_schedule_add_shock(sc, m, t, end, err)
                                                 : scenmc_schedule_add_intervention(sc, m, t, end, err);
        if (st != SCENMC_OK)
            return st;
    }
    return SCENMC_OK;
}

int main(int argc, char **argv)
{
    bench_common c = {.n = 1000000, .takes_n = 1, .threads = 1, .repeat = 5,
                      .usage = "usage: bench_throughput [MODEL] [-n N] [--threads T] [--repeat R] [--beta B] "
                               "[--rate R] [--group-limit L] [--engine auto|reference] [--trend T] [--push P] "
                               "[--intervene I] [--shock S]\n"};
    const char *path = NULL;
    int group_limit = 0, reference = 0;
    double beta = 0.5, rate = 0.5;
    const char *sched_kind[64], *sched_text[64];
    int n_sched = 0;
    for (int i = 1; i < argc; i++) {
        if (bench_common_option(argc, argv, &i, &c))
            continue;
        if (!strcmp(argv[i], "--beta") && i + 1 < argc)
            beta = atof(argv[++i]);
        else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
            rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--group-limit") && i + 1 < argc)
            group_limit = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--engine") && i + 1 < argc && (!strcmp(argv[i + 1], "auto") ||
                                                                   !strcmp(argv[i + 1], "reference")))
            reference = !strcmp(argv[++i], "reference");
        else if ((!strcmp(argv[i], "--trend") || !strcmp(argv[i], "--push") || !strcmp(argv[i], "--intervene") ||
                  !strcmp(argv[i], "--shock")) && i + 1 < argc && n_sched < 64) {
            sched_kind[n_sched] = argv[i];
            sched_text[n_sched++] = argv[++i];
        } else if (bench_positional(argv[i]))
            path = argv[i];
        else
            return bench_unknown("bench_throughput", argv[i], &c);
    }
    uint64_t n = c.n;
    int threads = c.threads, repeat = c.repeat;
    if (n < 1 || threads < 1 || repeat < 1) {
        fprintf(stderr, "bench_throughput: -n, --threads and --repeat must be positive\n");
        return 2;
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = bench_load_model("bench_throughput", path);
    if (!m)
        return 2;
    scenmc_params p;
    if (setup(&p, m, beta, rate, n, n_sched, sched_kind, sched_text, &err) != SCENMC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    double *tps = calloc((size_t)repeat, sizeof(double));
    uint64_t hash = 0;
    for (int k = 0; k < repeat; k++) {
        scenmc_results r;
        scenmc_run_options opt = {.threads = threads};
        scenmc__engine_tuning tune = {.group_limit = group_limit, .reference = reference};
        if (scenmc__run_tuned(m, &p, &opt, &tune, &r, &err) != SCENMC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        tps[k] = (double)n / r.wall_seconds;
        uint64_t h = counts_hash(&r);
        if (k && h != hash) {
            fprintf(stderr, "bench_throughput: verification hash changed between repeats\n");
            return 1;
        }
        hash = h;
        scenmc_results_free(&r);
    }
    /* The engine's choices for this model (as scenmc_run makes them). */
    scenmc_results shape;
    scenmc__kernel k;
    if (scenmc_results_init(&shape, m, &p, SCENMC_MONTE_CARLO, &err) != SCENMC_OK ||
        scenmc__kernel_init(&k, m, &p, &shape, &err) != SCENMC_OK ||
        scenmc__kernel_build_groups(&k, group_limit, &err) != SCENMC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    qsort(tps, (size_t)repeat, sizeof(double), cmp_double);
    double med = tps[repeat / 2];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double lambda = rate * m->n_descriptors;
    printf("model\t%s\tdescriptors\t%d\tvariants\t%d\tthreads\t%d\tn\t%llu\trepeats\t%d\t"
           "traj_per_s\t%.0f\tmin\t%.0f\tmax\t%.0f\trevisions_per_s\t%.4g\tpeak_rss_mib\t%.1f\t"
           "hash\t%016llx\tengine\t%s\tgroups\t%d\trng\t%s\n",
           m->name, m->n_descriptors, m->n_variants, threads, (unsigned long long)n, repeat, med,
           tps[0], tps[repeat - 1], med * lambda * 10, (double)ru.ru_maxrss / 1024.0,
           (unsigned long long)hash, reference ? "reference" : k.packed ? "packed" : k.field_mode ? "field" : "table",
           k.n_groups, scenmc__rng_kind());
    scenmc__kernel_free(&k);
    scenmc_results_free(&shape);
    free(tps);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return 0;
}
