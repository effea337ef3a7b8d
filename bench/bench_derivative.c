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
#include "scenmc/derivative.h"
#include "scenmc/scenmc.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* Best wall and its CPU seconds of R runs of the derivatives (all: every table). */
static int bench(const scenmc_model *m, const scenmc_params *p, int threads, int repeat, int all)
{
    double best = 1e300, best_cpu = 0;
    int np = 0;
    for (int r = 0; r < repeat; r++) {
        scenmc_derivatives d;
        scenmc_error err;
        scenmc_error_clear(&err);
        double w0 = omp_get_wtime(), c0 = cpu_now();
        if (scenmc_exact_derivatives(m, p, threads, all, NULL, NULL, &d, &err) != SCENMC_OK) {
            fprintf(stderr, "bench_derivative: %s\n", err.msg);
            return 1;
        }
        double w = omp_get_wtime() - w0, c = cpu_now() - c0;
        np = d.n_param;
        if (w < best)
            best = w, best_cpu = c;
        scenmc_derivatives_free(&d);
    }
    printf("%-34s %6d params  wall %8.2f s  cpu %8.2f s\n",
           all ? "exact derivatives, all tables" : "exact derivatives, P(scenario,year)", np, best, best_cpu);
    return 0;
}

int main(int argc, char **argv)
{
    int threads = 2, repeat = 1, scenario_only = 0, solve = 1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--scenario-only"))
            scenario_only = 1;
        else if (!strcmp(argv[i], "--no-solve"))
            solve = 0;
        else
            path = argv[i];
    }
    scenmc_model *m;
    scenmc_error err;
    scenmc_error_clear(&err);
    if ((path ? scenmc_model_load(path, &m, &err) : scenmc_model_load_default(&m, &err)) != SCENMC_OK) {
        fprintf(stderr, "bench_derivative: %s\n", err.msg);
        return 1;
    }
    scenmc_params p;
    scenmc_params_init(&p, m);
    printf("%s: %llu states, %d variants, %d years, %d threads\n", m->name,
           (unsigned long long)scenmc_model_state_count(m), m->n_variants, p.year_end - p.year_start + 1, threads);
    scenmc_results r;
    double w0 = omp_get_wtime(), c0 = cpu_now();
    if (solve && scenmc_exact(m, &p, threads, &r, &err) != SCENMC_OK) {
        fprintf(stderr, "bench_derivative: %s\n", err.msg);
        return 1;
    }
    if (solve) {
        printf("%-34s %6s         wall %8.2f s  cpu %8.2f s\n", "one exact solve (scenmc exact)", "",
               omp_get_wtime() - w0, cpu_now() - c0);
        scenmc_results_free(&r);
    }
    int rc = bench(m, &p, threads, repeat, 0);
    if (!rc && !scenario_only)
        rc = bench(m, &p, threads, repeat, 1);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return rc;
}
