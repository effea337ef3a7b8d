/* Benchmark of scenmc levers (src/engine/levers.c) on a model (default:
 * the built-in Västernorrland model, target its first scenario): wall and
 * CPU seconds for every single hold from a start year, exactly and by Monte
 * Carlo with common random numbers, and the largest paired standard error
 * of the Monte Carlo effects; --pairs adds the best pair (every pair within
 * the budget); exact also splits the time into the shared past and the
 * levers' forward years.
 *
 *   bench_levers [-n N] [--from YEAR] [--threads T] [--pairs] [--exact-only | --mc-only]
 *                [--given YEAR:ID=V ...] [MODEL]
 *
 * --given (repeatable): the levers conditioned on those observations (Monte
 * Carlo: weighted paired runs).
 *
 * Prints one line per method; a method the engines refuse prints its
 * message instead. */
#include "bench_util.h"
#include "scenmc/levers.h"
#include "scenmc/observe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void one(const scenmc_model *m, const scenmc_params *p, scenmc_levers_spec *spec, scenmc_method method)
{
    scenmc_levers_result r;
    scenmc_error err;
    scenmc_error_clear(&err);
    spec->method = method;
    const char *name = method == SCENMC_EXACT ? "exact" : "monte-carlo";
    double c0 = bench_cpu_now();
    scenmc_status st = scenmc_levers(m, p, spec, &r, &err);
    double cpu = bench_cpu_now() - c0;
    if (st != SCENMC_OK) {
        printf("%-12s refused: %s\n", name, err.msg);
        return;
    }
    double se = 0;
    for (int i = 0; i < r.n_levers; i++)
        se = fmax(se, r.lever[i].se);
    int evals = r.n_levers + r.n_pairs;
    printf("%-12s levers=%d pairs=%d N=%llu wall_s=%.2f cpu_s=%.2f per_eval_s=%.4f past_s=%.3f solve_s=%.2f "
           "max_se=%.4f top_effect=%+.4f p_baseline=%.6f\n", name, r.n_levers, r.n_pairs,
           (unsigned long long)r.n_trajectories, r.wall_seconds, cpu, r.wall_seconds / evals, r.past_seconds,
           r.solve_seconds, se, r.lever[r.order[0]].effect, r.p_baseline);
    scenmc_levers_free(&r);
}

int main(int argc, char **argv)
{
    bench_common c = {.n = 100000, .takes_n = 1, .threads = 0, .no_repeat = 1,
                      .usage = "usage: bench_levers [-n N] [--from YEAR] [--threads T] [--pairs] [--exact-only] "
                               "[--mc-only] [--given YEAR:ID=V]... [MODEL]\n"};
    int from = 0, pairs = 0, exact_only = 0, mc_only = 0, n_given = 0;
    const char *path = NULL, *given[16];
    for (int i = 1; i < argc; i++) {
        if (bench_common_option(argc, argv, &i, &c))
            continue;
        if (!strcmp(argv[i], "--from") && i + 1 < argc)
            from = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--pairs"))
            pairs = 1;
        else if (!strcmp(argv[i], "--exact-only"))
            exact_only = 1;
        else if (!strcmp(argv[i], "--mc-only"))
            mc_only = 1;
        else if (!strcmp(argv[i], "--given") && i + 1 < argc && n_given < 16)
            given[n_given++] = argv[++i];
        else if (bench_positional(argv[i]))
            path = argv[i];
        else
            return bench_unknown("bench_levers", argv[i], &c);
    }
    scenmc_model *m = bench_load_model("bench_levers", path);
    if (!m)
        return 2;
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = c.n;
    int target = 0;
    scenmc_levers_spec spec = {.n_target = 1, .target = &target, .start = from ? from : p.year_start + 3,
                               .threads = c.threads, .pairs = pairs};
    scenmc_observations o;
    scenmc_observations_init(&o);
    scenmc_error err;
    scenmc_error_clear(&err);
    for (int i = 0; i < n_given; i++)
        if (scenmc_observations_add_given(&o, m, given[i], &err) != SCENMC_OK) {
            fprintf(stderr, "bench_levers: %s\n", err.msg);
            return 2;
        }
    spec.given = n_given ? &o : NULL;
    printf("model=%s target=%s from=%d given=%d\n", m->name, m->scenarios[0].name, spec.start, n_given);
    if (!mc_only)
        one(m, &p, &spec, SCENMC_EXACT);
    if (!exact_only)
        one(m, &p, &spec, SCENMC_MONTE_CARLO);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return 0;
}
