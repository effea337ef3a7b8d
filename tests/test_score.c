/* The score-function derivatives (engine/score.c): the same trajectories as
 * `scenmc run`, results independent of the thread count, and agreement
 * within their standard errors with central finite differences of the exact
 * solver (scenmc_exact: uniformization, an independent computation). */
#include "testutil.h"
#include "engine/score.h"
#include "io/mpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scenmc_model *load(const char *rel)
{
    scenmc_model *m = NULL;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_model_load(src_path(rel), &m, &err) != SCENMC_OK)
        fail_msg("%s: %s", rel, err.msg);
    return m;
}

static void score_or_fail(const scenmc_model *m, const scenmc_params *p, int threads,
                          scenmc_derivatives *d, uint64_t *counts)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    const scenmc__score_options o = {.threads = threads, .counts = counts};
    if (scenmc__score_run(m, p, &o, d, &err) != SCENMC_OK)
        fail_msg("score run failed: %s", err.msg);
}

/* ---------------------------------------------------------------- the run's trajectories */

static void same_counts_as_run(scenmc_model *m, scenmc_params *p)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {.threads = 2};
    scenmc_results r;
    if (scenmc_run(m, p, &opt, &r, &err) != SCENMC_OK)
        fail_msg("run failed: %s", err.msg);
    const scenmc_table *t = &r.t[SCENMC_T_SCENARIO];
    uint64_t *counts = calloc(t->size, sizeof(uint64_t));
    scenmc_derivatives d;
    score_or_fail(m, p, 2, &d, counts);
    assert_int_equal((size_t)d.Y * (size_t)d.S, t->size);
    assert_memory_equal(counts, t->counts, t->size * sizeof(uint64_t));
    free(counts);
    scenmc_derivatives_free(&d);
    scenmc_results_free(&r);
}

static void test_same_trajectories_as_run(void **state)
{
    (void)state;
    scenmc_model *m = default_model(); /* equal rates, two start blocks */
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 3001;
    p.seed = 7;
    same_counts_as_run(m, &p);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    m = load("tests/data/good/small.yaml"); /* unequal rates, X, bias; fixed start, then drawn */
    scenmc_params_init(&p, m);
    p.n_trajectories = 5003;
    p.seed = 11;
    same_counts_as_run(m, &p);
    free(p.start);
    p.start = NULL;
    same_counts_as_run(m, &p);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- determinism */

static void assert_same(const scenmc_derivatives *a, const scenmc_derivatives *b)
{
    const size_t n = (size_t)a->n_param * (size_t)a->Y;
    assert_int_equal(a->n_param, b->n_param);
    assert_memory_equal(a->scenario, b->scenario, n * (size_t)a->S * sizeof(double));
    assert_memory_equal(a->scenario_se, b->scenario_se, n * (size_t)a->S * sizeof(double));
    assert_memory_equal(a->variant, b->variant, n * (size_t)a->V * sizeof(double));
    assert_memory_equal(a->variant_se, b->variant_se, n * (size_t)a->V * sizeof(double));
    /* NaN where P(s) = 0: compare the bits */
    assert_memory_equal(a->scenario_variant, b->scenario_variant, n * (size_t)a->S * (size_t)a->V * sizeof(double));
    assert_memory_equal(a->scenario_variant_se, b->scenario_variant_se,
                        n * (size_t)a->S * (size_t)a->V * sizeof(double));
}

static void test_threads_do_not_matter(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 70001; /* more than one chunk on one thread */
    scenmc_derivatives one, two, three;
    score_or_fail(m, &p, 1, &one, NULL);
    score_or_fail(m, &p, 2, &two, NULL);
    score_or_fail(m, &p, 3, &three, NULL);
    assert_string_equal(one.method, "score");
    assert_int_equal(one.n_trajectories, 70001);
    assert_same(&one, &two);
    assert_same(&one, &three);
    /* the scenario table alone: the same numbers */
    scenmc_derivatives alone;
    scenmc_error err;
    scenmc_error_clear(&err);
    const scenmc__score_options o = {.threads = 2, .scenario_only = 1};
    assert_int_equal(scenmc__score_run(m, &p, &o, &alone, &err), SCENMC_OK);
    const size_t n = (size_t)one.n_param * (size_t)one.Y * (size_t)one.S;
    assert_memory_equal(alone.scenario, one.scenario, n * sizeof(double));
    assert_memory_equal(alone.scenario_se, one.scenario_se, n * sizeof(double));
    assert_null(alone.variant);
    assert_null(alone.scenario_variant_se);
    scenmc_derivatives_free(&alone);
    scenmc_derivatives_free(&one);
    scenmc_derivatives_free(&two);
    scenmc_derivatives_free(&three);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The covariance estimator sums to 0 over a year's scenarios and over a
 * descriptor's variants, up to rounding; so does the conditional over the
 * variants of a descriptor given the scenario. */
static void test_sums_to_zero(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 5000;
    scenmc_derivatives d;
    score_or_fail(m, &p, 2, &d, NULL);
    double worst = 0, largest = 0;
    for (int t = 0; t < d.n_param; t++)
        for (int y = 0; y < d.Y; y++) {
            double sum = 0;
            for (int s = 0; s < d.S; s++) {
                double x = d.scenario[((size_t)t * d.Y + y) * d.S + s];
                sum += x;
                largest = fmax(largest, fabs(x));
            }
            worst = fmax(worst, fabs(sum));
            for (int k = 0; k < m->n_descriptors; k++) {
                double vs = 0;
                for (int b = 0; b < m->descriptors[k].n_variants; b++)
                    vs += d.variant[((size_t)t * d.Y + y) * d.V + m->descriptors[k].offset + b];
                worst = fmax(worst, fabs(vs));
            }
        }
    assert_true(largest > 0.01); /* not trivially zero */
    assert_true(worst < 1e-9);
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- against the exact solver */

/* p with parameter t moved by h (the bias in the model itself). */
static void shifted(scenmc_model *m, const scenmc_params *p, const scenmc_dparam *q, double h,
                    scenmc_results *r)
{
    scenmc_params x;
    scenmc_params_copy(&x, p);
    switch (q->kind) {
    case SCENMC_DP_CONSISTENCY: scenmc_params_add_cell(&x, q->u, q->v, 0, q->value + h); break;
    case SCENMC_DP_CROSS: scenmc_params_add_cell(&x, q->u, q->v, 1, q->value + h); break;
    case SCENMC_DP_BETA: x.beta += h; break;
    case SCENMC_DP_W_CONSISTENCY: x.w_consistency += h; break;
    case SCENMC_DP_W_CROSS: x.w_cross += h; break;
    case SCENMC_DP_RATE: x.rate[q->u] += h; break;
    case SCENMC_DP_BIAS: m->bias[q->u] += h; break;
    default: fail();
    }
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact(m, &x, 1, r, &err) != SCENMC_OK)
        fail_msg("exact failed: %s", err.msg);
    if (q->kind == SCENMC_DP_BIAS)
        m->bias[q->u] = q->value;
    scenmc_params_free(&x);
}

/* z-scores of the score estimates against central differences of the exact
 * probabilities, every year after the start, over every parameter: scenario, variant and
 * scenario_variant tables; also against zero (the test's power). */
typedef struct zstats {
    double sum2[3], max[3], zero2[3];
    int n[3];
    double off;      /* the largest |estimate - truth| among cells left out for a tiny error */
} zstats;

/* Only where the normal approximation holds: `rare` trajectories (the
 * expected count of the rarer outcome) at least 50, and a standard error of
 * at least 1e-5 (below it the score is non-zero in so few trajectories that
 * the error estimate itself is unreliable: rare cross impacts and biases). */
static void add_z(zstats *z, int table, double est, double se, double truth, double rare)
{
    if (!isnan(truth) && !(se >= 1e-5))
        z->off = fmax(z->off, fabs(est - truth));
    if (!(se >= 1e-5) || isnan(truth) || !(rare >= 50))
        return;
    double x = (est - truth) / se;
    z->sum2[table] += x * x;
    z->max[table] = fmax(z->max[table], fabs(x));
    z->zero2[table] += est * est / (se * se);
    z->n[table]++;
}

static void compare_with_exact(scenmc_model *m, const scenmc_params *p, const scenmc_derivatives *d, zstats *z)
{
    const int Y = d->Y, S = d->S, V = d->V;
    const double h = 1e-4;
    memset(z, 0, sizeof *z);
    if (!m->bias) /* zeros: the same dynamics, and a place to move a bias */
        m->bias = calloc((size_t)m->n_variants, sizeof(double));
    scenmc_results b;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact(m, p, 1, &b, &err) != SCENMC_OK)
        fail_msg("exact failed: %s", err.msg);
    const double N = (double)d->n_trajectories, *ps = b.t[SCENMC_T_SCENARIO].prob;
    const double *pv = b.t[SCENMC_T_VARIANT].prob, *psv = b.t[SCENMC_T_SCENARIO_VARIANT].prob;
    for (int t = 0; t < d->n_param; t++) {
        scenmc_results lo, hi;
        shifted(m, p, &d->param[t], -h, &lo);
        shifted(m, p, &d->param[t], h, &hi);
        for (int y = 1; y < Y; y++)
        for (int s = 0; s < S; s++) {
            size_t i = (size_t)y * S + s, o = ((size_t)t * Y + y) * S + s;
            double fd = (hi.t[SCENMC_T_SCENARIO].prob[i] - lo.t[SCENMC_T_SCENARIO].prob[i]) / (2 * h);
            add_z(z, 0, d->scenario[o], d->scenario_se[o], fd, N * fmin(ps[i], 1 - ps[i]));
            for (int v = 0; v < V; v++) {
                size_t j = i * V + v;
                double fsv = (hi.t[SCENMC_T_SCENARIO_VARIANT].prob[j] - lo.t[SCENMC_T_SCENARIO_VARIANT].prob[j]) / (2 * h);
                add_z(z, 2, d->scenario_variant[o * V + v], d->scenario_variant_se[o * V + v], fsv,
                      N * ps[i] * fmin(psv[j], 1 - psv[j]));
            }
        }
        for (int y = 1; y < Y; y++)
        for (int v = 0; v < V; v++) {
            size_t i = (size_t)y * V + v, o = ((size_t)t * Y + y) * V + v;
            double fd = (hi.t[SCENMC_T_VARIANT].prob[i] - lo.t[SCENMC_T_VARIANT].prob[i]) / (2 * h);
            add_z(z, 1, d->variant[o], d->variant_se[o], fd, N * fmin(pv[i], 1 - pv[i]));
        }
        scenmc_results_free(&lo);
        scenmc_results_free(&hi);
    }
    scenmc_results_free(&b);
}

/* Mean z^2 near 1 (each z is about standard normal; they are correlated, so
 * the bounds are wide: about 4 standard deviations for independent ones),
 * no |z| beyond 5, and far from 1 against zero. */
static void check_z(const zstats *z, const char *what)
{
    static const char *names[3] = {"scenario", "variant", "scenario_variant"};
    printf("%s: largest |error| where the standard error is below 1e-5: %.2g\n", what, z->off);
    assert_true(z->off < 1e-3); /* a derivative missed altogether (score 0) shows here */
    for (int k = 0; k < 3; k++) {
        double mean = z->sum2[k] / z->n[k], zero = z->zero2[k] / z->n[k];
        printf("%s %s: %d cells, mean z^2 %.3f, max |z| %.2f; against 0: mean z^2 %.1f\n", what,
               names[k], z->n[k], mean, z->max[k], zero);
        assert_true(z->n[k] >= 20);
        assert_true(mean > 0.6 && mean < 1.5);
        assert_true(z->max[k] < 5);
        assert_true(zero > 10);
    }
}

static void test_small_model_against_exact(void **state)
{
    (void)state;
    scenmc_model *m = load("tests/data/good/small.yaml");
    scenmc_params p;
    scenmc_params_init(&p, m);
    free(p.start); /* drawn from the initial distribution: more paths */
    p.start = NULL;
    p.beta = 0.8;
    p.n_trajectories = 200000;
    p.seed = 3;
    scenmc_derivatives d;
    score_or_fail(m, &p, 2, &d, NULL);
    zstats z;
    compare_with_exact(m, &p, &d, &z);
    check_z(&z, "small");
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

static void test_example_model_against_exact(void **state)
{
    (void)state;
    scenmc_model *m = load("tests/data/good/example.yaml");
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 100000;
    p.seed = 5;
    scenmc_derivatives d;
    score_or_fail(m, &p, 2, &d, NULL);
    zstats z;
    compare_with_exact(m, &p, &d, &z);
    check_z(&z, "example");
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- shares (MPI ranks) */

/* A share's reduce that keeps copies of its arrays (record) or adds the
 * recorded copies to the next share's (replay), in call order. */
typedef struct shares {
    int replay, k;
    void *data[8];
    size_t n[8];
} shares;

static int two_shares(void *ctx, void *data, size_t n, int kind)
{
    shares *sh = ctx;
    assert_true(sh->k < 8);
    const int k = sh->k++;
    if (!sh->replay) {
        sh->data[k] = malloc(n * 8);
        memcpy(sh->data[k], data, n * 8);
        sh->n[k] = n;
        return 0;
    }
    assert_int_equal(sh->n[k], n);
    for (size_t j = 0; j < n; j++)
        if (kind == 0)
            ((int64_t *)data)[j] += ((const int64_t *)sh->data[k])[j];
        else if (kind == 1)
            ((uint64_t *)data)[j] += ((const uint64_t *)sh->data[k])[j];
        else
            ((double *)data)[j] += ((const double *)sh->data[k])[j];
    free(sh->data[k]);
    return 0;
}

/* Trajectories [a, N) and [0, a) with their sums added: the whole run, bit
 * for bit (the slices of MPI ranks). */
static void test_shares_add_up(void **state)
{
    (void)state;
    scenmc_model *m = load("tests/data/good/small.yaml");
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 5003;
    p.seed = 3;
    scenmc_derivatives whole, part, rest;
    score_or_fail(m, &p, 2, &whole, NULL);
    scenmc_error err;
    scenmc_error_clear(&err);
    shares sh = {0};
    scenmc__score_options o = {.threads = 2, .first = 1777, .last = 5003, .reduce = two_shares, .reduce_ctx = &sh};
    assert_int_equal(scenmc__score_run(m, &p, &o, &rest, &err), SCENMC_OK);
    assert_int_equal(sh.k, 5);
    sh.replay = 1;
    sh.k = 0;
    o.first = 0;
    o.last = 1777;
    o.threads = 1;
    assert_int_equal(scenmc__score_run(m, &p, &o, &part, &err), SCENMC_OK);
    assert_same(&whole, &part);
    /* one share alone is another estimate: the check can fail */
    assert_memory_not_equal(whole.scenario, rest.scenario, sizeof(double) * (size_t)whole.Y * (size_t)whole.S);
    scenmc_derivatives_free(&whole);
    scenmc_derivatives_free(&part);
    scenmc_derivatives_free(&rest);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Whether h5diff finds the six derivative tables of two files equal. */
static int same_tables(const char *a, const char *b)
{
    static const char *const t[] = {"dP_scenario", "dP_variant", "dP_scenario_variant", "stderr_scenario",
                                    "stderr_variant", "stderr_scenario_variant"};
    for (int k = 0; k < 6; k++)
        if (sh("h5diff -q '%s' '%s' /derivative/%s /derivative/%s", a, b, t[k], t[k]) != 0)
            return 0;
    return 1;
}

#define MPIRUN "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " \
               "ASAN_OPTIONS=detect_leaks=0 mpirun --oversubscribe --bind-to none"

/* `mpirun -np 2 scenmc sensitivity --method score` writes the one-process
 * file's tables bit for bit; the other methods refuse to run under MPI. */
static void test_mpi_same_file(void **state)
{
    (void)state;
    if (!scenmc__mpi_built() || sh("command -v mpirun && command -v h5diff") != 0) {
        print_message("skipped: %s\n", scenmc__mpi_built() ? "no mpirun or h5diff on PATH" : "built without MPI");
        skip();
    }
    char one[512], two[512], other[512];
    snprintf(one, sizeof one, "%s/score1.h5", scratch_dir);
    snprintf(two, sizeof two, "%s/score2.h5", scratch_dir);
    snprintf(other, sizeof other, "%s/seed9.h5", scratch_dir);
#define ARGS "sensitivity --method score -n 3001 --threads 1 --quiet"
    if (sh("%s " ARGS " -o '%s'", SCENMC_BINARY, one) != 0)
        fail_msg("one process: %s", sh_out);
    if (sh(MPIRUN " -np 2 %s " ARGS " -o '%s'", SCENMC_BINARY, two) != 0)
        fail_msg("mpirun -np 2: %s", sh_out);
    if (sh("%s " ARGS " --seed 9 -o '%s'", SCENMC_BINARY, other) != 0)
        fail_msg("seed 9: %s", sh_out);
#undef ARGS
    assert_true(same_tables(one, two));
    assert_false(same_tables(one, other)); /* the comparison can fail */
    assert_int_equal(sh(MPIRUN " -np 2 %s sensitivity --method difference -n 100 --quiet", SCENMC_BINARY), 2);
    assert_non_null(strstr(sh_out, "only --method score"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_trajectories_as_run),
        cmocka_unit_test(test_threads_do_not_matter),
        cmocka_unit_test(test_sums_to_zero),
        cmocka_unit_test(test_small_model_against_exact),
        cmocka_unit_test(test_example_model_against_exact),
        cmocka_unit_test(test_shares_add_up),
        cmocka_unit_test(test_mpi_same_file),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
