/* scenmc signposts --method mc, the pairs of indicators (engine/signposts.c):
 * - every pair's plug-in information, less its bias, agrees with the exact
 *   pair information (checked against an enumeration of paths in
 *   test_signposts.c) within 4 standard errors, in every year, without and
 *   with hard and soft observations;
 * - a pair independent of the target (Z and W: no impact links, in no
 *   scenario definition, drawn independently at the start) gets 0 bits
 *   within its error, and over many seeds 2 N ln2 I averages the
 *   chi-square's degrees of freedom (r_X - 1)(r_T - 1): the bias is
 *   df / (2 N ln 2), derived here, with the spread the standard error says;
 * - the singles are scenmc_run's early-warning counts, bit for bit (the same
 *   trajectories), also weighted and for a binary target, and on a model
 *   too large for the exact solver (top-states mode);
 * - 1 and 2 threads give identical numbers. */
#include "testutil.h"
#include "scenmc/signposts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* test_signposts.c's model and W: Z and W are independent of everything. */
static const char mc_model[] =
    "name: sigmc\n"
    "years: {start: 0, end: 3}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2]}\n"
    "  - {id: B, variants: [b1, b2, b3]}\n"
    "  - {id: C, variants: [c1, c2]}\n"
    "  - {id: Z, variants: [z1, z2]}\n"
    "  - {id: W, variants: [w1, w2, w3]}\n"
    "consistency:\n"
    "  - {between: [A, C], scores: [[2, -1], [-1, 1]]}\n"
    "cross_impact:\n"
    "  - {from: A, to: B, impacts: [[2, -1, 0], [-2, 1, 3]]}\n"
    "  - {from: B, to: A, impacts: [[1, -1], [0, 2], [-3, 1]]}\n"
    "  - {from: B, to: C, impacts: [[2, -2], [0, 1], [1, 0]]}\n"
    "scenarios:\n"
    "  - {name: one, when: {A: a1, C: c1}}\n"
    "  - {name: two, when: {A: a2}}\n"
    "defaults: {beta: 0.8, rate: 0.9, trajectories: 200000, seed: 23}\n";

enum { NY = 4, ND = 5, DZ = 3, DW = 4 };

static size_t at(int y, int d, int e)
{
    return ((size_t)y * ND + (size_t)d) * ND + (size_t)e;
}

static scenmc_signposts compute(const scenmc_model *m, const scenmc_params *p, const scenmc_signposts_options *o)
{
    scenmc_signposts sp;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_signposts_compute(m, p, o, &sp, &err) != SCENMC_OK)
        fail_msg("signposts failed: %s", err.msg);
    return sp;
}

/* Monte Carlo against exact: every pair (and single) of every year. */
static void pairs_against_exact(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *obs)
{
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_EXACT, .given = obs};
    scenmc_signposts ex = compute(m, p, &o);
    o.method = SCENMC_SIGNPOSTS_MC;
    scenmc_signposts mc = compute(m, p, &o);
    assert_true(mc.method == SCENMC_MONTE_CARLO && mc.has_pairs && ex.has_pairs);
    assert_int_equal(mc.conditioned, obs != NULL);
    int checked = 0;
    for (int y = 0; y < NY; y++)
        for (int d = 0; d < ND; d++)
            for (int e = d; e < ND; e++) {
                size_t i = at(y, d, e), j = at(y, e, d);
                assert_true(mc.pair_mi[i] == mc.pair_mi[j] && mc.pair_mi_se[i] == mc.pair_mi_se[j] &&
                            mc.pair_mi_bias[i] == mc.pair_mi_bias[j]);
                if (d == e) { /* the diagonal is the single, bit for bit */
                    assert_true(mc.pair_mi[i] == mc.mi[d * NY + y] && mc.pair_mi_se[i] == mc.mi_se[d * NY + y] &&
                                mc.pair_mi_bias[i] == mc.mi_bias[d * NY + y]);
                    continue;
                }
                /* the pair refines each single's partition: never less information (plug-in too) */
                assert_true(mc.pair_mi[i] >= fmax(mc.mi[d * NY + y], mc.mi[e * NY + y]) - 1e-12);
                assert_true(ex.pair_mi_se[i] == 0 && ex.pair_mi_bias[i] == 0);
                if (mc.pair_mi_se[i] == 0) { /* both observed hard in that year: nothing to learn */
                    assert_true(mc.pair_mi[i] < 1e-12 && ex.pair_mi[i] < 1e-12);
                    continue;
                }
                double z = (mc.pair_mi[i] - mc.pair_mi_bias[i] - ex.pair_mi[i]) / mc.pair_mi_se[i];
                if (!(fabs(z) < 4))
                    fail_msg("y %d pair %d %d: mc %.6g - bias %.3g vs exact %.6g, se %.3g: z %.2f", y, d, e,
                             mc.pair_mi[i], mc.pair_mi_bias[i], ex.pair_mi[i], mc.pair_mi_se[i], z);
                checked += ex.pair_mi[i] > 1e-3;
            }
    assert_true(checked >= 12); /* most pairs carry information: the check is not empty */
    scenmc_signposts_free(&ex);
    scenmc_signposts_free(&mc);
}

static void test_pairs_against_exact(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(mc_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    pairs_against_exact(m, &p, NULL);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* Hard B = b2 in year 1 and soft C in year 2; then soft evidence only. */
static void test_pairs_given(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(mc_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_observations obs;
    scenmc_observations_init(&obs);
    const double hard[3] = {0, 1, 0}, soft[2] = {0.8, 0.2}, soft3[3] = {0.2, 0.3, 0.9};
    scenmc_observations_add(&obs, 1, 1, hard, 3, "test B");
    scenmc_observations_add(&obs, 2, 2, soft, 2, "test C");
    pairs_against_exact(m, &p, &obs);
    scenmc_observations_free(&obs);
    scenmc_observations_init(&obs);
    scenmc_observations_add(&obs, 2, 1, soft3, 3, "test B soft");
    pairs_against_exact(m, &p, &obs);
    scenmc_observations_free(&obs);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* (Z, W) tells nothing about the target: exact 0; Monte Carlo 0 within its
 * error; over R seeds, 2 N ln2 I (chi-square with df degrees of freedom at
 * independence) averages df, and its spread is the standard error's. */
static void test_independent_pair(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(mc_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_EXACT};
    scenmc_signposts ex = compute(m, &p, &o);
    for (int y = 0; y < NY; y++)
        assert_true(ex.pair_mi[at(y, DZ, DW)] < 1e-12);
    scenmc_signposts_free(&ex);
    enum { R = 40 };
    const double N = 10000, nl = N * log(2);
    p.n_trajectories = (uint64_t)N;
    o.method = SCENMC_SIGNPOSTS_MC;
    double sum = 0, sum2 = 0, se = 0;
    for (int r = 0; r < R; r++) {
        p.seed = 1000 + (uint64_t)r;
        scenmc_signposts mc = compute(m, &p, &o);
        int rt = 0;
        for (int k = 0; k < mc.K; k++)
            rt += mc.target_prob[k] > 0;
        assert_int_equal(rt, 3);
        const double df = (2 * 3 - 1) * (rt - 1); /* the 6 (z, w) seen, the 3 classes */
        for (int y = 0; y < NY; y++) {
            size_t i = at(y, DZ, DW);
            assert_close(mc.pair_mi_bias[i], df / (2 * nl), 1e-15);
            /* the chi-square term is the least it can be; Var(g) adds where the sample strays */
            assert_true(mc.pair_mi_se[i] >= sqrt(df / 2) / nl * (1 - 1e-12));
            if (!(fabs(mc.pair_mi[i] - mc.pair_mi_bias[i]) < 4.5 * mc.pair_mi_se[i]))
                fail_msg("seed %d year %d: I %.3g bias %.3g se %.3g", r, y, mc.pair_mi[i], mc.pair_mi_bias[i],
                         mc.pair_mi_se[i]);
        }
        double x = 2 * nl * mc.pair_mi[at(NY - 1, DZ, DW)];
        sum += x, sum2 += x * x, se += mc.pair_mi_se[at(NY - 1, DZ, DW)] * 2 * nl;
        scenmc_signposts_free(&mc);
    }
    double mean = sum / R, sd = sqrt((sum2 - R * mean * mean) / (R - 1)), df = 10;
    if (!(fabs(mean - df) < 4 * sqrt(2 * df / R)))
        fail_msg("mean of 2 N ln2 I over %d seeds %.3g, expected df = %g", R, mean, df);
    /* the mean standard error: about sqrt(2 df), the chi-square's spread */
    if (!(se / R < 1.3 * sqrt(2 * df) && sd > 0.6 * se / R && sd < 1.5 * se / R))
        fail_msg("spread of 2 N ln2 I %.3g, the standard error says %.3g (sqrt(2 df) %.3g)", sd, se / R,
                 sqrt(2 * df));
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The singles' joint times the total weight are scenmc_run's early-warning
 * counts summed per target class, exactly; the effective size and the
 * evidence are the run's. */
static void singles_equal_run(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *obs,
                              int n_target, const int *target)
{
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_MC, .given = obs, .n_target = n_target,
                                  .target = target, .threads = 2};
    scenmc_signposts sp = compute(m, p, &o);
    scenmc_run_options ro = {.threads = 2, .given = obs};
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_run(m, p, &ro, &r, &err) != SCENMC_OK)
        fail_msg("run: %s", err.msg);
    double W = r.conditioned ? (double)r.weight_sum : (double)r.n_trajectories;
    const uint64_t *c = r.t[SCENMC_T_EARLY_WARNING].counts;
    uint64_t *n = calloc((size_t)sp.K, sizeof(uint64_t));
    for (size_t yv = 0; yv < (size_t)sp.Y * (size_t)sp.V; yv++) {
        memset(n, 0, sizeof(uint64_t) * (size_t)sp.K);
        for (int a = 0; a < sp.S; a++)
            n[sp.target_of[a]] += c[yv * (size_t)sp.S + (size_t)a];
        for (int k = 0; k < sp.K; k++)
            if (sp.joint[yv * (size_t)sp.K + (size_t)k] != (double)n[k] / W)
                fail_msg("joint %zu %d: %.17g, run %.17g", yv, k, sp.joint[yv * (size_t)sp.K + (size_t)k],
                         (double)n[k] / W);
    }
    assert_true(sp.n_trajectories == r.n_trajectories && sp.conditioned == r.conditioned);
    if (r.conditioned)
        assert_true(sp.n_effective == r.effective_size && sp.log_evidence == r.log_evidence);
    free(n);
    scenmc_results_free(&r);
    scenmc_signposts_free(&sp);
}

static void test_singles_equal_run(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(mc_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 30000;
    singles_equal_run(m, &p, NULL, 0, NULL);
    scenmc_observations obs;
    scenmc_observations_init(&obs);
    const double soft[3] = {0.2, 0.3, 0.9}, hard[2] = {1, 0};
    scenmc_observations_add(&obs, 2, 1, soft, 3, "test B soft");
    int target[2] = {1, 2};
    singles_equal_run(m, &p, &obs, 2, target);
    scenmc_observations_add(&obs, 1, 3, hard, 2, "test Z hard");
    singles_equal_run(m, &p, &obs, 0, NULL);
    scenmc_observations_free(&obs);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* 16 descriptors of 5 variants (1.5e11 states): the exact solver does not
 * fit, scenmc run counts its final states in top-states mode; auto takes
 * Monte Carlo, whose singles are still the run's. */
static void test_large_model(void **state)
{
    (void)state;
    char *y = calloc(8192, 1), *at_ = y;
    at_ += sprintf(at_, "name: large\nyears: {start: 0, end: 4}\ndescriptors:\n");
    for (int d = 1; d <= 16; d++)
        at_ += sprintf(at_, "  - {id: X%02d, variants: [v1, v2, v3, v4, v5]}\n", d);
    at_ += sprintf(at_, "cross_impact:\n");
    for (int d = 1; d <= 16; d++)
        at_ += sprintf(at_, "  - {from: X%02d, to: X%02d, impacts: [[2, -1, 0, 0, 0], [0, 2, -1, 0, 0], "
                       "[0, 0, 2, -1, 0], [0, 0, 0, 2, -1], [-1, 0, 0, 0, 2]]}\n", d, d % 16 + 1);
    sprintf(at_, "scenarios:\n  - {name: first, when: {X01: v1, X02: v1}}\n  - {name: second, when: {X01: v2}}\n"
                 "defaults: {beta: 0.7, rate: 0.6, trajectories: 3000, seed: 5}\n");
    scenmc_model *m = model_from_string(y);
    free(y);
    scenmc_params p;
    scenmc_params_init(&p, m);
    singles_equal_run(m, &p, NULL, 0, NULL);
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_AUTO};
    scenmc_signposts sp = compute(m, &p, &o);
    assert_int_equal(sp.method, SCENMC_MONTE_CARLO);
    assert_true(sp.has_pairs && sp.D == 16);
    for (int t = 0; t < sp.Y; t++) {
        int a = sp.best_pair[2 * t], b = sp.best_pair[2 * t + 1];
        assert_true(a >= 2 && b > a && b < 16); /* X01, X02 define the scenarios */
        for (int d = 0; d < 16; d++)
            for (int e = d + 1; e < 16; e++) {
                size_t i = ((size_t)t * 16 + (size_t)d) * 16 + (size_t)e;
                assert_true(sp.pair_mi[i] >= fmax(sp.mi[d * sp.Y + t], sp.mi[e * sp.Y + t]) - 1e-12);
                assert_true(sp.pair_mi_se[i] > 0 && isfinite(sp.pair_mi_se[i]));
                assert_true(!sp.defining[d] || !sp.defining[e] || t < sp.Y - 1 || sp.pair_mi[i] > 0.3);
            }
    }
    /* the defining pair in the last year tells the target (plug-in: its entropy) */
    assert_close(sp.pair_mi[((size_t)(sp.Y - 1) * 16 + 0) * 16 + 1], sp.target_entropy, 1e-9);
    scenmc_signposts_free(&sp);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* 1 and 2 threads: the same numbers, bit for bit (soft evidence: weights). */
static void test_threads(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(mc_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 20000;
    scenmc_observations obs;
    scenmc_observations_init(&obs);
    const double soft[3] = {0.2, 0.3, 0.9};
    scenmc_observations_add(&obs, 2, 1, soft, 3, "test B soft");
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_MC, .given = &obs, .threads = 1};
    scenmc_signposts a = compute(m, &p, &o);
    o.threads = 2;
    scenmc_signposts b = compute(m, &p, &o);
    size_t YDD = (size_t)NY * ND * ND, DY = (size_t)ND * NY, YVK = (size_t)NY * (size_t)a.V * (size_t)a.K;
    assert_int_equal(a.threads, 1);
    assert_int_equal(b.threads, 2);
    assert_memory_equal(a.joint, b.joint, YVK * sizeof(double));
    assert_memory_equal(a.mi, b.mi, DY * sizeof(double));
    assert_memory_equal(a.mi_se, b.mi_se, DY * sizeof(double));
    assert_memory_equal(a.pair_mi, b.pair_mi, YDD * sizeof(double));
    assert_memory_equal(a.pair_mi_se, b.pair_mi_se, YDD * sizeof(double));
    assert_memory_equal(a.pair_mi_bias, b.pair_mi_bias, YDD * sizeof(double));
    assert_memory_equal(a.best_pair, b.best_pair, 2 * NY * sizeof(int));
    assert_true(a.n_effective == b.n_effective && a.log_evidence == b.log_evidence);
    scenmc_signposts_free(&a);
    scenmc_signposts_free(&b);
    scenmc_observations_free(&obs);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The command: pairs with their errors on the terminal, in the file (read
 * back) and in the report. */
static void test_command(void **state)
{
    (void)state;
    const char *model = scratch_write("sigmc.yaml", mc_model), *file = scratch_path("spmc.h5");
    assert_int_equal(sh("%s signposts %s --method mc -n 20000 --given 1:B=b2 -o %s", SCENMC_BINARY, model, file), 0);
    assert_non_null(strstr(sh_out, "pair B+"));
    assert_non_null(strstr(sh_out, " +- "));
    scenmc_model *m = NULL;
    scenmc_params p;
    scenmc_signposts sp;
    scenmc_results_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_signposts_read(file, &m, &p, &sp, &info, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    scenmc_signposts_options o = {.method = SCENMC_SIGNPOSTS_MC, .given = NULL};
    scenmc_observations obs;
    scenmc_observations_init(&obs);
    assert_int_equal(scenmc_observations_add_given(&obs, m, "1:B=b2", &err), SCENMC_OK);
    o.given = &obs;
    scenmc_signposts want = compute(m, &p, &o);
    assert_true(sp.has_pairs && sp.method == SCENMC_MONTE_CARLO);
    size_t YDD = (size_t)NY * ND * ND;
    assert_memory_equal(sp.pair_mi, want.pair_mi, YDD * sizeof(double));
    assert_memory_equal(sp.pair_mi_se, want.pair_mi_se, YDD * sizeof(double));
    assert_memory_equal(sp.pair_mi_bias, want.pair_mi_bias, YDD * sizeof(double));
    assert_memory_equal(sp.best_pair, want.best_pair, 2 * NY * sizeof(int));
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, file), 0);
    assert_non_null(strstr(sh_out, "| Best pair | Information | Std. error |"));
    assert_int_equal(sh("%s signposts --help", SCENMC_BINARY), 0);
    assert_non_null(strstr(sh_out, "year (both methods)"));
    scenmc_observations_free(&obs);
    scenmc_signposts_free(&sp);
    scenmc_signposts_free(&want);
    scenmc_results_info_free(&info);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_against_exact),
        cmocka_unit_test(test_pairs_given),
        cmocka_unit_test(test_independent_pair),
        cmocka_unit_test(test_singles_equal_run),
        cmocka_unit_test(test_large_model),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_command),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
