/* Benchmark of the exact derivatives (engine/adjoint.c): every derivative of
 * P(scenario, year) for every year with respect to every parameter, then all
 * three tables (scenario, variant, variant | scenario), against one plain
 * exact solve, on the given model (default: the built-in one).
 *
 *   bench_derivative [--threads T] [--repeat R] [--scenario-only] [--no-solve] [MODEL]
 *
 * --no-solve leaves out the plain exact solve (for profiling the derivatives).
 *
 * Wall seconds are the best of R runs; CPU seconds (all threads) are less
 * disturbed by other load on the machine. */
#include "bench_util.h"
#include "scenmc/derivative.h"
#include "scenmc/scenmc.h"

#include <stdio.h>
#include <string.h>

/* Best wall and its CPU seconds of R runs of the derivatives (all: every table). */
static int bench(const scenmc_model *m, const scenmc_params *p, int threads, int repeat, int all)
{
    bench_best best = {1e300, 0};
    int np = 0;
    for (int r = 0; r < repeat; r++) {
        scenmc_derivatives d;
        scenmc_error err;
        scenmc_error_clear(&err);
        bench_clock t0 = bench_start();
        if (scenmc_exact_derivatives(m, p, threads, all, NULL, NULL, &d, &err) != SCENMC_OK) {
            fprintf(stderr, "bench_derivative: %s\n", err.msg);
            return 1;
        }
        bench_clock t = bench_lap(t0);
        np = d.n_param;
        bench_best_add_paired(&best, t.wall, t.cpu);
        scenmc_derivatives_free(&d);
    }
    printf("%-34s %6d params  wall %8.2f s  cpu %8.2f s\n",
           all ? "exact derivatives, all tables" : "exact derivatives, P(scenario,year)", np, best.wall, best.cpu);
    return 0;
}

int main(int argc, char **argv)
{
    bench_common c = {.threads = 2, .repeat = 1,
                      .usage = "usage: bench_derivative [--threads T] [--repeat R] [--scenario-only] [--no-solve] "
                               "[MODEL]\n"};
    int scenario_only = 0, solve = 1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (bench_common_option(argc, argv, &i, &c))
            continue;
        if (!strcmp(argv[i], "--scenario-only"))
            scenario_only = 1;
        else if (!strcmp(argv[i], "--no-solve"))
            solve = 0;
        else if (bench_positional(argv[i]))
            path = argv[i];
        else
            return bench_unknown("bench_derivative", argv[i], &c);
    }
    scenmc_model *m = bench_load_model("bench_derivative", path);
    if (!m)
        return 1;
    int threads = c.threads, repeat = c.repeat;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_params p;
    scenmc_params_init(&p, m);
    printf("%s: %llu states, %d variants, %d years, %d threads\n", m->name,
           (unsigned long long)scenmc_model_state_count(m), m->n_variants, p.year_end - p.year_start + 1, threads);
    scenmc_results r;
    bench_clock t0 = bench_start();
    if (solve && scenmc_exact(m, &p, threads, &r, &err) != SCENMC_OK) {
        fprintf(stderr, "bench_derivative: %s\n", err.msg);
        return 1;
    }
    if (solve) {
        bench_clock t = bench_lap(t0);
        printf("%-34s %6s         wall %8.2f s  cpu %8.2f s\n", "one exact solve (scenmc exact)", "", t.wall, t.cpu);
        scenmc_results_free(&r);
    }
    int rc = bench(m, &p, threads, repeat, 0);
    if (!rc && !scenario_only)
        rc = bench(m, &p, threads, repeat, 1);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return rc;
}
