/* Benchmark of scenmc calibrate (engine/calibrate.c): the exact likelihood of
 * five observations on the built-in model (or MODEL with --given-free
 * defaults: every descriptor's first variant in the middle year) over a
 * beta x rate grid of --points points, against one exact forward filter.
 *
 *   bench_calibrate [--threads T] [--points P] [--rate-max R] [MODEL]
 *
 * CPU seconds (all threads) are less disturbed by other load on the machine
 * than wall seconds. */
#include "bench_util.h"
#include "scenmc/calibrate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The worked example's observations on the built-in model; on another
 * model, the first variant of the first two descriptors in the middle year. */
static int observations(const scenmc_model *m, const scenmc_params *p, int builtin, scenmc_observations *o)
{
    scenmc_observations_init(o);
    scenmc_error err;
    scenmc_error_clear(&err);
    static const char *const given[] = {"2021:EK=Utmanande", "2023:DA=Datamonopol",
                                        "2024:SY=Medborgare,IK=Lokala aktörer", "2025:KR=Databeställare"};
    if (builtin) {
        for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
            if (scenmc_observations_add_given(o, m, given[i], &err) != SCENMC_OK) {
                fprintf(stderr, "bench_calibrate: %s\n", err.msg);
                return 1;
            }
        return 0;
    }
    double one[SCENMC_MAX_VARIANTS] = {1};
    int mid = (p->year_start + p->year_end) / 2;
    for (int d = 0; d < 2 && d < m->n_descriptors; d++)
        scenmc_observations_add(o, mid, d, one, m->descriptors[d].n_variants, "bench");
    return 0;
}

static int run(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o, int threads, int points,
               double rate_max)
{
    int side = (int)lround(sqrt((double)points));
    char spec[2][96];
    snprintf(spec[0], sizeof spec[0], "beta=lin:0.2:2:%d", side);
    snprintf(spec[1], sizeof spec[1], "rate=lin:0.2:%g:%d", rate_max, side);
    scenmc_sweep_param ps[2];
    scenmc_error err;
    scenmc_error_clear(&err);
    double *values = NULL;
    int P = 0;
    if (scenmc_sweep_param_parse(m, spec[0], &ps[0], &err) != SCENMC_OK ||
        scenmc_sweep_param_parse(m, spec[1], &ps[1], &err) != SCENMC_OK ||
        scenmc_sweep_design(ps, 2, 0, 1, &values, &P, &err) != SCENMC_OK) {
        fprintf(stderr, "bench_calibrate: %s\n", err.msg);
        return 1;
    }
    double le;
    bench_clock t0 = bench_start();
    if (scenmc_exact_filter(m, p, o, threads, &le, NULL, &err) != SCENMC_OK) {
        fprintf(stderr, "bench_calibrate: %s\n", err.msg);
        return 1;
    }
    bench_clock t = bench_lap(t0), t1 = bench_start();
    printf("one forward filter (beta %g, rate %g)        wall %8.2f s  cpu %8.2f s\n", p->beta, p->rate[0],
           t.wall, t.cpu);
    scenmc_calibrate_options opt = {.method = SCENMC_CALIBRATE_EXACT, .threads = threads};
    scenmc_calibration c;
    if (scenmc_calibrate(m, p, ps, 2, values, P, o, &opt, &c, &err) != SCENMC_OK) {
        fprintf(stderr, "bench_calibrate: %s\n", err.msg);
        return 1;
    }
    t = bench_lap(t1);
    printf("calibrate, %3d points (beta 0.2:2 x rate 0.2:%g)  wall %8.2f s  cpu %8.2f s  (%d threads)\n", P,
           rate_max, t.wall, t.cpu, threads);
    scenmc_calibration_free(&c);
    free(values);
    scenmc_sweep_param_free(&ps[0]);
    scenmc_sweep_param_free(&ps[1]);
    return 0;
}

int main(int argc, char **argv)
{
    bench_common c = {.threads = 2, .no_repeat = 1,
                      .usage = "usage: bench_calibrate [--threads T] [--points P] [--rate-max R] [MODEL]\n"};
    int points = 100;
    double rate_max = 2;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (bench_common_option(argc, argv, &i, &c))
            continue;
        if (!strcmp(argv[i], "--points") && i + 1 < argc)
            points = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rate-max") && i + 1 < argc)
            rate_max = atof(argv[++i]);
        else if (bench_positional(argv[i]))
            path = argv[i];
        else
            return bench_unknown("bench_calibrate", argv[i], &c);
    }
    scenmc_model *m = bench_load_model("bench_calibrate", path);
    if (!m)
        return 1;
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_observations o;
    int rc = observations(m, &p, path == NULL, &o);
    if (!rc)
        rc = run(m, &p, &o, c.threads, points, rate_max);
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return rc;
}
