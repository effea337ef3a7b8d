/* Benchmark of CIB consistency (src/cib/): full sweep (every state's IC),
 * pruned search for IC <= K, top states by K(s) and basins of global
 * succession, on the given models (default: the built-in one).
 *
 *   bench_consistent [--threads T] [--repeat R] [--max-ic K] [--no-basins]
 *                    [--no-sweep] [--starts M] [MODEL...]
 *
 * Synthetic models: bench/gen_model.py. Each figure is the best of R runs.
 */
#include "bench_util.h"
#include "scenmc/cib.h"
#include "scenmc/scenmc.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_consistency(const scenmc_model *m)
{
    size_t V = (size_t)m->n_variants;
    for (size_t u = 0; u < V * V; u++)
        if (m->scored[u])
            return 1;
    return 0;
}

typedef struct {
    int threads, repeat, basins, sweep;
    double max_ic;
    uint64_t starts;
} bench_opts;

/* R runs of the enumeration o asks for: the least of its own seconds and of
 * the CPU seconds, and the last run's counts in *l (its lists freed). */
static int best_enumerate(const scenmc_model *m, const scenmc_cib_options *o, int repeat, bench_best *best,
                          scenmc_cib_list *l)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    *best = bench_best_init();
    for (int r = 0; r < repeat; r++) {
        double c0 = bench_cpu_now();
        if (scenmc_cib_enumerate(m, o, l, &err) != SCENMC_OK) {
            fprintf(stderr, "bench_consistent: %s\n", err.msg);
            return 1;
        }
        bench_best_add(best, l->seconds, bench_cpu_now() - c0);
        scenmc_cib_list_free(l);
    }
    return 0;
}

static int bench_model(const char *path, const bench_opts *b)
{
    scenmc_model *m = bench_load_model("bench_consistent", path);
    if (!m)
        return 1;
    scenmc_error err;
    scenmc_error_clear(&err);
    uint64_t n = scenmc_model_state_count(m);
    printf("%s\n  %s: %d descriptors, %d variants, %llu states, matrix %s, %d threads\n",
           path ? path : "<builtin>", m->name, m->n_descriptors, m->n_variants,
           (unsigned long long)n, m->cross_impact ? "X (cross impact)" : "C (consistency)",
           b->threads > 0 ? b->threads : omp_get_max_threads());

    scenmc_cib_options o;
    scenmc_cib_options_init(&o);
    o.threads = b->threads;
    o.max_stored = 0;
    o.max_ic = b->max_ic;
    if (b->sweep) {
        bench_best best;
        scenmc_cib_list l;
        o.method = SCENMC_CIB_SWEEP;
        if (best_enumerate(m, &o, b->repeat, &best, &l)) {
            scenmc_model_free(m);
            return 1;
        }
        printf("  sweep (every state's IC)      %10.4f s  %8.1f M states/s  cpu %7.3f s  IC<=%g: "
               "%llu\n", best.wall, (double)n / best.wall / 1e6, best.cpu, b->max_ic,
               (unsigned long long)l.n_found);
    }
    for (int k = 0; k <= 2; k++) {
        bench_best best;
        scenmc_cib_list l;
        o.method = SCENMC_CIB_PRUNE;
        o.max_ic = k;
        if (best_enumerate(m, &o, b->repeat, &best, &l)) {
            scenmc_model_free(m);
            return 1;
        }
        printf("  pruned search, IC <= %d        %10.4f s  %8.1f M states/s  cpu %7.3f s  found "
               "%llu, %llu nodes\n", k, best.wall, (double)n / best.wall / 1e6, best.cpu,
               (unsigned long long)l.n_found, (unsigned long long)l.n_visited);
    }
    if (has_consistency(m)) {
        scenmc_cib_top_options to;
        scenmc_cib_top_options_init(&to);
        to.threads = b->threads;
        to.n = 10;
        scenmc_cib_top_result tr;
        double best = 1e300;
        for (int r = 0; r < b->repeat; r++) {
            if (scenmc_cib_top(m, &to, &tr, &err) != SCENMC_OK) {
                fprintf(stderr, "bench_consistent: %s\n", err.msg);
                scenmc_model_free(m);
                return 1;
            }
            best = tr.seconds < best ? tr.seconds : best;
            if (r + 1 < b->repeat)
                scenmc_cib_top_free(&tr);
        }
        printf("  top 10 by K(s)                %10.4f s  best K %g, %llu nodes\n", best,
               tr.n ? tr.k[0] : 0.0, (unsigned long long)tr.n_visited);
        scenmc_cib_top_free(&tr);
    }
    if (b->basins) {
        scenmc_cib_basin_options bo;
        scenmc_cib_basin_options_init(&bo);
        bo.threads = b->threads;
        scenmc_cib_basin_result br;
        double c0 = bench_cpu_now();
        if (scenmc_cib_basins(m, &bo, &br, &err) != SCENMC_OK) {
            printf("  basins, every state: %s\n", err.msg);
            scenmc_error_clear(&err);
        } else {
            c0 = bench_cpu_now() - c0;
            printf("  basins, every state           %10.4f s  %8.1f M states/s  cpu %7.3f s  %llu "
                   "consistent, %llu cycles (%llu starts)\n", br.seconds,
                   (double)n / br.seconds / 1e6, c0, (unsigned long long)br.n_fixed,
                   (unsigned long long)br.n_cycles, (unsigned long long)br.in_cycles);
            scenmc_cib_basins_free(&br);
        }
        if (b->starts) {
            bo.starts = b->starts;
            bo.seed = 1;
            c0 = bench_cpu_now();
            if (scenmc_cib_basins(m, &bo, &br, &err) != SCENMC_OK) {
                printf("  basins, random starts: %s\n", err.msg);
                scenmc_error_clear(&err);
            } else {
                c0 = bench_cpu_now() - c0;
                printf("  basins, %llu random starts %10.4f s  %8.3f M starts/s  cpu %7.3f s  %llu "
                       "consistent reached, %llu cycles\n", (unsigned long long)b->starts,
                       br.seconds, (double)b->starts / br.seconds / 1e6, c0,
                       (unsigned long long)br.n_fixed, (unsigned long long)br.n_cycles);
                scenmc_cib_basins_free(&br);
            }
        }
    }
    scenmc_model_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    bench_opts b = {0, 3, 1, 1, 0, 0};
    bench_common c = {.threads = 0, .repeat = 3,
                      .usage = "usage: bench_consistent [--threads T] [--repeat R] [--max-ic K] [--no-basins] "
                               "[--no-sweep] [--starts M] [MODEL...]\n"};
    int n_models = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        if (bench_common_option(argc, argv, &i, &c)) {
            b.threads = c.threads, b.repeat = c.repeat;
        } else if (!strcmp(argv[i], "--max-ic") && i + 1 < argc) {
            b.max_ic = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--starts") && i + 1 < argc) {
            b.starts = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--no-basins")) {
            b.basins = 0;
        } else if (!strcmp(argv[i], "--no-sweep")) {
            b.sweep = 0;
        } else if (!bench_positional(argv[i])) {
            return bench_unknown("bench_consistent", argv[i], &c);
        } else {
            rc |= bench_model(argv[i], &b);
            n_models++;
        }
    }
    if (!n_models)
        rc |= bench_model(NULL, &b);
    return rc;
}
