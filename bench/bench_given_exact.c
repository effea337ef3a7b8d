/* Benchmark of exact conditioning (scenmc_exact_given, docs/signposts.md,
 * section 2) against one plain exact solve (scenmc_exact) and forward
 * filtering alone (scenmc_exact_filter), on the given model (default: the
 * built-in one). The target: conditioning costs at most one extra
 * pass of the solver, i.e. at most 2x a plain solve.
 *
 *   bench_given_exact [--threads T] [--repeat R] [MODEL]
 *
 * Observations (the built-in model's descriptors; another model gets its
 * first descriptor's first variant instead): "mid" is the example,
 * DA = Datamonopol in 2023 and SY = Medborgare, KM = Kommunala
 * sammanslagningar in 2024 (smoothing for 2020-2023, filtering after);
 * "last" is one observation in the final year (every year smoothed, the
 * most backward work). Wall and CPU seconds (all threads) are each the best
 * of R runs; CPU is less disturbed by other load on the machine. */
#include "bench_util.h"
#include "scenmc/observe.h"
#include "scenmc/scenmc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PLAIN, FILTER, GIVEN };

/* One run of the kind; 0 or 1 after printing why. */
static int run_once(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o, int kind,
                    int threads)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_results r;
    scenmc_status st;
    if (kind == FILTER) {
        double le;
        st = scenmc_exact_filter(m, p, o, threads, &le, NULL, &err);
    } else {
        st = kind == PLAIN ? scenmc_exact(m, p, threads, &r, &err) : scenmc_exact_given(m, p, o, threads, &r, &err);
        if (st == SCENMC_OK)
            scenmc_results_free(&r);
    }
    if (st != SCENMC_OK)
        fprintf(stderr, "bench_given_exact: %s\n", err.msg);
    return st != SCENMC_OK;
}

/* Best wall and best CPU seconds of R runs; plain[2]: the plain solve's,
 * for the ratios (filled when NULL entries are 0). */
static int bench(const char *what, const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                 int kind, int threads, int repeat, double *plain)
{
    bench_best best = bench_best_init();
    for (int i = 0; i < repeat; i++) {
        bench_clock t0 = bench_start();
        if (run_once(m, p, o, kind, threads))
            return 1;
        bench_clock t = bench_lap(t0);
        bench_best_add(&best, t.wall, t.cpu);
    }
    printf("%-44s wall %6.2f s  cpu %6.2f s", what, best.wall, best.cpu);
    if (plain[0] > 0)
        printf("  ratio to plain: wall %.2f, cpu %.2f", best.wall / plain[0], best.cpu / plain[1]);
    else
        plain[0] = best.wall, plain[1] = best.cpu;
    printf("\n");
    return 0;
}

static void add(scenmc_observations *o, const scenmc_model *m, const char *given, int year)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_observations_add_given(o, m, given, &err) != SCENMC_OK) {
        double *lik = calloc((size_t)m->descriptors[0].n_variants, sizeof(double));
        lik[0] = 1;
        scenmc_observations_add(o, year, 0, lik, m->descriptors[0].n_variants, "first variant");
        free(lik);
    }
}

int main(int argc, char **argv)
{
    bench_common c = {.threads = 2, .repeat = 1,
                      .usage = "usage: bench_given_exact [--threads T] [--repeat R] [MODEL]\n"};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (bench_common_option(argc, argv, &i, &c))
            continue;
        if (!bench_positional(argv[i]))
            return bench_unknown("bench_given_exact", argv[i], &c);
        path = argv[i];
    }
    scenmc_model *m = bench_load_model("bench_given_exact", path);
    if (!m)
        return 1;
    int threads = c.threads, repeat = c.repeat;
    scenmc_params p;
    scenmc_params_init(&p, m);
    int y0 = p.year_start, y1 = p.year_end, mid = y0 + (y1 - y0) * 2 / 5;
    printf("%s: %llu states, %d variants, %d years, %d threads\n", m->name,
           (unsigned long long)scenmc_model_state_count(m), m->n_variants, y1 - y0 + 1, threads);
    scenmc_observations om, ol;
    scenmc_observations_init(&om);
    scenmc_observations_init(&ol);
    char text[200];
    snprintf(text, sizeof text, "%d:DA=Datamonopol", mid - 1);
    add(&om, m, text, mid - 1);
    snprintf(text, sizeof text, "%d:SY=Medborgare,KM=Kommunala sammanslagningar", mid);
    add(&om, m, text, mid);
    snprintf(text, sizeof text, "%d:DA=Datamonopol", y1);
    add(&ol, m, text, y1);
    double plain[2] = {0, 0};
    int rc = bench("plain solve (scenmc_exact)", m, &p, NULL, PLAIN, threads, repeat, plain);
    rc = rc || bench("filter only (scenmc_exact_filter), mid", m, &p, &om, FILTER, threads, repeat, plain);
    rc = rc || bench("conditioned (scenmc_exact_given), mid", m, &p, &om, GIVEN, threads, repeat, plain);
    rc = rc || bench("conditioned (scenmc_exact_given), last year", m, &p, &ol, GIVEN, threads, repeat, plain);
    scenmc_observations_free(&om);
    scenmc_observations_free(&ol);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return rc;
}
