/* Benchmark of scenmc signposts (engine/signposts.c) against one plain exact
 * solve, on the given model (default: the built-in one): the exact pass with
 * and without the pairs, and with --mc the Monte Carlo pass (N trajectories,
 * default 1e5) with and without the pairs, beside a plain scenmc run of the
 * same trajectories. --mc-only skips the exact ones (models too large).
 *
 *   bench_signposts [--threads T] [--repeat R] [--mc] [--mc-only] [-n N] [MODEL]
 *
 * Wall seconds are the best of R runs; CPU seconds (all threads) are less
 * disturbed by other load on the machine. */
#include "scenmc/signposts.h"
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

/* what: 0 plain exact solve, 1 signposts exact without pairs, 2 with pairs,
 * 3 plain Monte Carlo run, 4 signposts Monte Carlo without pairs, 5 with. */
static scenmc_status once(const scenmc_model *m, const scenmc_params *p, int threads, int what, scenmc_error *err)
{
    scenmc_status st;
    scenmc_results res;
    if (what == 0 || what == 3) {
        scenmc_run_options ro = {.threads = threads};
        st = what == 0 ? scenmc_exact(m, p, threads, &res, err) : scenmc_run(m, p, &ro, &res, err);
        if (st == SCENMC_OK)
            scenmc_results_free(&res);
        return st;
    }
    scenmc_signposts_options o = {.threads = threads, .no_pairs = what == 1 || what == 4,
                                  .method = what >= 4 ? SCENMC_SIGNPOSTS_MC : SCENMC_SIGNPOSTS_EXACT};
    scenmc_signposts sp;
    if ((st = scenmc_signposts_compute(m, p, &o, &sp, err)) == SCENMC_OK)
        scenmc_signposts_free(&sp);
    return st;
}

static int bench(const scenmc_model *m, const scenmc_params *p, int threads, int repeat, int what)
{
    static const char *const names[6] = {"exact solve (scenmc exact)", "signposts exact, singles",
                                         "signposts exact, singles + pairs", "Monte Carlo run (scenmc run)",
                                         "signposts Monte Carlo, singles", "signposts Monte Carlo, + pairs"};
    double best = 1e300, best_cpu = 0;
    for (int r = 0; r < repeat; r++) {
        scenmc_error err;
        scenmc_error_clear(&err);
        double w0 = omp_get_wtime(), c0 = cpu_now();
        if (once(m, p, threads, what, &err) != SCENMC_OK) {
            fprintf(stderr, "bench_signposts: %s\n", err.msg);
            return 1;
        }
        double w = omp_get_wtime() - w0, c = cpu_now() - c0;
        if (w < best)
            best = w, best_cpu = c;
    }
    printf("%-36s wall %8.2f s  cpu %8.2f s\n", names[what], best, best_cpu);
    return 0;
}

int main(int argc, char **argv)
{
    int threads = 2, repeat = 1, mc = 0, mc_only = 0;
    long long n = 100000;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--mc"))
            mc = 1;
        else if (!strcmp(argv[i], "--mc-only"))
            mc = mc_only = 1;
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = atoll(argv[++i]);
        else
            path = argv[i];
    }
    scenmc_model *m = NULL;
    scenmc_error err;
    scenmc_error_clear(&err);
    if ((path ? scenmc_model_load(path, &m, &err) : scenmc_model_load_default(&m, &err)) != SCENMC_OK) {
        fprintf(stderr, "bench_signposts: %s\n", err.msg);
        return 1;
    }
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = (uint64_t)(n > 0 ? n : 1);
    printf("model %s: %llu states, %d years, %d threads, %llu trajectories (Monte Carlo)\n", m->name,
           (unsigned long long)scenmc_model_state_count(m), p.year_end - p.year_start + 1, threads,
           (unsigned long long)p.n_trajectories);
    int rc = 0;
    for (int what = mc_only ? 3 : 0; what < (mc ? 6 : 3) && !rc; what++)
        rc = bench(m, &p, threads, repeat, what);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return rc;
}
