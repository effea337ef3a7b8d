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
#include "bench_util.h"
#include "scenmc/signposts.h"
#include "scenmc/scenmc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    bench_best best = {1e300, 0};
    for (int r = 0; r < repeat; r++) {
        scenmc_error err;
        scenmc_error_clear(&err);
        bench_clock t0 = bench_start();
        if (once(m, p, threads, what, &err) != SCENMC_OK) {
            fprintf(stderr, "bench_signposts: %s\n", err.msg);
            return 1;
        }
        bench_clock t = bench_lap(t0);
        bench_best_add_paired(&best, t.wall, t.cpu);
    }
    printf("%-36s wall %8.2f s  cpu %8.2f s\n", names[what], best.wall, best.cpu);
    return 0;
}

int main(int argc, char **argv)
{
    bench_common c = {.n = 100000, .takes_n = 1, .threads = 2, .repeat = 1,
                      .usage = "usage: bench_signposts [--threads T] [--repeat R] [--mc] [--mc-only] [-n N] "
                               "[MODEL]\n"};
    int mc = 0, mc_only = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (bench_common_option(argc, argv, &i, &c))
            continue;
        if (!strcmp(argv[i], "--mc"))
            mc = 1;
        else if (!strcmp(argv[i], "--mc-only"))
            mc = mc_only = 1;
        else if (bench_positional(argv[i]))
            path = argv[i];
        else
            return bench_unknown("bench_signposts", argv[i], &c);
    }
    scenmc_model *m = bench_load_model("bench_signposts", path);
    if (!m)
        return 1;
    int threads = c.threads;
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = c.n > 0 ? c.n : 1;
    printf("model %s: %llu states, %d years, %d threads, %llu trajectories (Monte Carlo)\n", m->name,
           (unsigned long long)scenmc_model_state_count(m), p.year_end - p.year_start + 1, threads,
           (unsigned long long)p.n_trajectories);
    int rc = 0;
    for (int what = mc_only ? 3 : 0; what < (mc ? 6 : 3) && !rc; what++)
        rc = bench(m, &p, threads, c.repeat, what);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return rc;
}
