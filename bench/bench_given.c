/* The cost of conditioning (docs/benchmarks.md, "Conditioning (Monte Carlo)").
 *
 *   bench_given [-n N] [--threads T] [--repeat R]
 *
 * On the built-in Västernorrland model, N trajectories (default 1000000),
 * each run R times (default 5), interleaved so that a busy machine slows all
 * alike, and the median wall time of each reported with its ratio to the
 * unconditioned run:
 *   plain   no observations (scenmc_run as before)
 *   hard    --given 2023:DA=2 --given 2025:SY=1 (weights 0 or 1)
 *   soft    the same, plus a soft observation of KM in 2024 (fixed-point weights)
 *   smc     the particle filter on the hard observations (scenmc_run_smc)
 *   softonly  the soft observation alone: no trajectory has weight 0, every one
 *           is tallied (the worst case for the cost of weighting)
 * One tab-separated line each: name, median seconds, trajectories/s, ratio. */
#include "bench_util.h"
#include "scenmc/observe.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kind 0 plain, 1 hard, 2 soft, 3 smc, 4 soft only: one run's wall seconds. */
static double one_run(const scenmc_model *m, const scenmc_params *p, int kind, int threads,
                      const scenmc_observations *hard, const scenmc_observations *soft,
                      const scenmc_observations *soft_only)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_results r;
    scenmc_run_options opt = {.threads = threads, .given = kind == 1 ? hard : kind == 2 ? soft : kind == 4 ? soft_only : NULL};
    double t0 = bench_wall_now();
    scenmc_status st = kind == 3 ? scenmc_run_smc(m, p, hard, threads, &r, &err) : scenmc_run(m, p, &opt, &r, &err);
    double t = bench_wall_now() - t0;
    if (st != SCENMC_OK) {
        fprintf(stderr, "bench_given: %s\n", err.msg);
        exit(1);
    }
    scenmc_results_free(&r);
    return t;
}

/* soft_too: 0 hard only, 1 hard and soft, 2 soft only. */
static void observations(const scenmc_model *m, int soft_too, scenmc_observations *o)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_observations_init(o);
    if (soft_too < 2 && (scenmc_observations_add_given(o, m, "2023:DA=2", &err) != SCENMC_OK ||
                         scenmc_observations_add_given(o, m, "2025:SY=1", &err) != SCENMC_OK)) {
        fprintf(stderr, "bench_given: %s\n", err.msg);
        exit(1);
    }
    if (soft_too) {
        int d = scenmc_model_find_descriptor(m, "KM");
        double l[SCENMC_MAX_VARIANTS];
        for (int b = 0; b < m->descriptors[d].n_variants; b++)
            l[b] = b == 0 ? 0.8 : 0.2;
        scenmc_observations_add(o, 2024, d, l, m->descriptors[d].n_variants, "bench");
    }
}

int main(int argc, char **argv)
{
    bench_common c = {.n = 1000000, .takes_n = 1, .threads = 1, .repeat = 5,
                      .usage = "usage: bench_given [-n N] [--threads T] [--repeat R]\n"};
    for (int i = 1; i < argc; i++)
        if (!bench_common_option(argc, argv, &i, &c))
            return bench_unknown("bench_given", argv[i], &c);
    scenmc_model *m = bench_load_model("bench_given", NULL);
    if (!m)
        return 1;
    uint64_t n = c.n;
    int threads = c.threads, repeat = c.repeat;
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = n;
    scenmc_observations hard, soft, soft_only;
    observations(m, 0, &hard);
    observations(m, 1, &soft);
    observations(m, 2, &soft_only);
    static const char *const names[5] = {"plain", "hard", "soft", "smc", "softonly"};
    double *t = calloc((size_t)(5 * repeat), sizeof(double)), med[5];
    for (int rep = 0; rep < repeat; rep++)
        for (int k = 0; k < 5; k++)
            t[k * repeat + rep] = one_run(m, &p, k, threads, &hard, &soft, &soft_only);
    for (int k = 0; k < 5; k++) {
        qsort(t + k * repeat, (size_t)repeat, sizeof(double), cmp_double);
        med[k] = t[k * repeat + repeat / 2];
        printf("%s\t%.3f s\t%.0f trajectories/s\t%.3fx\n", names[k], med[k], (double)n / med[k], med[k] / med[0]);
    }
    free(t);
    scenmc_observations_free(&hard);
    scenmc_observations_free(&soft);
    scenmc_observations_free(&soft_only);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return 0;
}
