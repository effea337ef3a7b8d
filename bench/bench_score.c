/* Benchmark of the score-function derivatives (src/engine/score.c) against
 * the difference method (`scenmc sensitivity --method difference`,
 * scenmc_sensitivity: two runs per scored consistency cell, paired):
 * trajectories per second with derivatives on, and the compute (process CPU
 * seconds, all threads) each method needs for a standard error of 0.002 per
 * scale step on the ten most influential cells (dP(scenario, final year)).
 *
 *   bench_score [-n N_SCORE] [-d N_DIFFERENCE] [--threads T] [MODEL]
 *
 * Standard errors fall as 1/sqrt(N), so the compute for the target is the
 * measured compute times (largest standard error / 0.002)^2. */
#include "bench_util.h"
#include "scenmc/derivative.h"
#include "scenmc/sweep.h"
#include "engine/score.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#define TARGET_SE 0.002
#define TOP 10

/* The TOP scored consistency cells with the largest |dP(s, final)| over s. */
static void top_cells(const scenmc_derivatives *d, int *top)
{
    double best[TOP];
    for (int k = 0; k < TOP; k++) {
        top[k] = -1;
        best[k] = -1;
    }
    for (int t = 0; t < d->n_param; t++) {
        if (d->param[t].kind != SCENMC_DP_CONSISTENCY || !d->param[t].scored)
            continue;
        double x = 0;
        for (int s = 0; s < d->S; s++)
            x = fmax(x, fabs(d->scenario[((size_t)t * d->Y + d->Y - 1) * d->S + s]));
        for (int k = 0; k < TOP; k++)
            if (x > best[k]) {
                memmove(best + k + 1, best + k, sizeof(double) * (TOP - 1 - k));
                memmove(top + k + 1, top + k, sizeof(int) * (TOP - 1 - k));
                best[k] = x;
                top[k] = t;
                break;
            }
    }
}

/* The difference method's cell for parameter q, or -1. */
static int diff_cell(const scenmc_sensitivity_result *r, const scenmc_dparam *q)
{
    for (int c = 0; c < r->n_cells; c++)
        if (r->u[c] == q->u && r->v[c] == q->v)
            return c;
    return -1;
}

int main(int argc, char **argv)
{
    bench_common opt = {.n = 20000, .takes_n = 1, .threads = omp_get_max_threads(), .repeat = 1, .no_repeat = 1,
                        .usage = "usage: bench_score [-n N_SCORE] [-d N_DIFFERENCE] [--threads T] [MODEL]\n"};
    uint64_t n_diff = 10000;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (bench_common_option(argc, argv, &i, &opt))
            continue;
        if (!strcmp(argv[i], "-d") && i + 1 < argc)
            n_diff = bench_count(argv[++i]);
        else if (bench_positional(argv[i]))
            path = argv[i];
        else
            return bench_unknown("bench_score", argv[i], &opt);
    }
    scenmc_model *m = bench_load_model("bench_score", path);
    if (!m)
        return 2;
    uint64_t n_score = opt.n;
    int threads = opt.threads;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_params p;
    scenmc_params_init(&p, m);

    p.n_trajectories = n_score;
    scenmc_derivatives d;
    bench_clock t0 = bench_start();
    if (scenmc__score_derivatives(m, &p, threads, NULL, NULL, &d, &err) != SCENMC_OK) {
        fprintf(stderr, "bench_score: %s\n", err.msg);
        return 1;
    }
    bench_clock t = bench_lap(t0);
    double cpu_s = t.cpu, wall_s = t.wall;
    printf("model %s: %d parameters, %d years, %d scenario slots; %d threads\n", m->name, d.n_param, d.Y,
           d.S, threads);
    printf("score, all tables: %llu trajectories, %.2f s wall, %.2f CPU s: %.0f trajectories/s, %.0f per CPU s\n",
           (unsigned long long)n_score, wall_s, cpu_s, (double)n_score / wall_s, (double)n_score / cpu_s);
    scenmc_derivatives d1;
    const scenmc__score_options o = {.threads = threads, .scenario_only = 1};
    t0 = bench_start();
    if (scenmc__score_run(m, &p, &o, &d1, &err) != SCENMC_OK) {
        fprintf(stderr, "bench_score: %s\n", err.msg);
        return 1;
    }
    t = bench_lap(t0);
    double cpu_1 = t.cpu, wall_1 = t.wall;
    printf("score, scenario table only: %.2f s wall, %.2f CPU s: %.0f trajectories/s, %.0f per CPU s\n", wall_1,
           cpu_1, (double)n_score / wall_1, (double)n_score / cpu_1);
    scenmc_derivatives_free(&d1);

    p.n_trajectories = n_diff;
    scenmc_sensitivity_result r;
    t0 = bench_start();
    if (scenmc_sensitivity(m, &p, 1, threads, NULL, NULL, &r, &err) != SCENMC_OK) {
        fprintf(stderr, "bench_score: %s\n", err.msg);
        return 1;
    }
    t = bench_lap(t0);
    double cpu_d = t.cpu, wall_d = t.wall;
    printf("difference: %d cells x 2 runs x %llu trajectories, %.2f s wall, %.2f CPU s\n", r.n_cells,
           (unsigned long long)n_diff, wall_d, cpu_d);

    int top[TOP];
    top_cells(&d, top);
    double se_s = 0, se_d = 0;
    printf("\n%-52s %9s %9s %9s %9s  (final year, the scenario with the largest score derivative)\n",
           "cell", "score", "se", "diff/step", "se");
    for (int k = 0; k < TOP && top[k] >= 0; k++) {
        const scenmc_dparam *q = &d.param[top[k]];
        int c = diff_cell(&r, q), best = 0;
        const double *row = d.scenario + ((size_t)top[k] * d.Y + d.Y - 1) * d.S;
        const double *row_se = d.scenario_se + ((size_t)top[k] * d.Y + d.Y - 1) * d.S;
        for (int s = 0; s < d.S; s++) {
            best = fabs(row[s]) > fabs(row[best]) ? s : best;
            se_s = fmax(se_s, row_se[s]);
        }
        double step = c >= 0 ? r.plus_value[c] - r.minus_value[c] : NAN;
        for (int s = 0; c >= 0 && s < d.S; s++)
            se_d = fmax(se_d, r.stderr_[(size_t)c * r.n_scenarios + s] / step);
        printf("%-52s %9.5f %9.5f %9.5f %9.5f\n", q->label, row[best], row_se[best],
               c >= 0 ? r.effect[(size_t)c * r.n_scenarios + best] / step : NAN,
               c >= 0 ? r.stderr_[(size_t)c * r.n_scenarios + best] / step : NAN);
    }
    double need_s = cpu_s * pow(se_s / TARGET_SE, 2), need_d = cpu_d * pow(se_d / TARGET_SE, 2);
    double need_d10 = need_d * TOP / r.n_cells; /* had one known the ten cells beforehand */
    double need_1 = cpu_1 * pow(se_s / TARGET_SE, 2);
    printf("\nlargest standard error per step over the ten cells and all scenarios: score %.5f, difference %.5f\n",
           se_s, se_d);
    printf("compute for %.3f per step: score %.1f CPU s (N = %.0f); difference %.1f CPU s (N = %.0f per run, "
           "%d runs); ratio %.1f\n", TARGET_SE, need_s, (double)n_score * pow(se_s / TARGET_SE, 2), need_d,
           (double)n_diff * pow(se_d / TARGET_SE, 2), 2 * r.n_cells, need_d / need_s);
    printf("score with the scenario table only: %.2f CPU s; ratio %.1f\n", need_1, need_d / need_1);
    printf("difference on the ten cells alone (20 runs): %.1f CPU s; ratio %.1f\n", need_d10, need_d10 / need_s);
    scenmc_sensitivity_free(&r);
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return 0;
}
