/* The exact solver against derivations made independently in this file:
 * the closed forms of the spec, the Boltzmann distribution by enumeration,
 * and, for the two-time tables, paths enumerated over the matrix exponential
 * of the generator (GSL), which shares no code with uniformization. */
#include "testutil.h"
#include "testref.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* The default model's full-horizon solves run on one thread: on its small
 * state space a second thread costs about 2.5x the CPU and gives the same
 * numbers bit for bit (test_threads_leave_process_alone checks two threads). */

/* Every distribution sums to 1 within 1e-12, every year. */
static void test_probabilities_sum_to_one(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_results r = exact_threads_or_fail(m, &p, 1);
    size_t Y = (size_t)r.n_years, S = (size_t)r.n_scenarios, V = (size_t)m->n_variants;
    assert_true(r.truncation_bound <= 1e-12);
    double li = 0;
    for (size_t y = 0; y < Y; y++) {
        double sc = 0, kb = 0;
        for (size_t s = 0; s < S; s++)
            sc += r.t[SCENMC_T_SCENARIO].prob[y * S + s];
        for (int b = 0; b < r.n_bins; b++)
            kb += r.t[SCENMC_T_CONSISTENCY].prob[y * (size_t)r.n_bins + (size_t)b];
        assert_close(sc, 1, 1e-12);
        assert_close(kb, 1, 1e-12);
        for (int d = 0; d < m->n_descriptors; d++) {
            double v = 0;
            for (int b = 0; b < m->descriptors[d].n_variants; b++)
                v += r.t[SCENMC_T_VARIANT].prob[y * V + (size_t)(m->descriptors[d].offset + b)];
            assert_close(v, 1, 1e-12);
        }
        for (size_t u = 0; u < V; u++) {
            double e = 0;
            for (size_t s = 0; s < S; s++)
                e += r.t[SCENMC_T_EARLY_WARNING].prob[(y * V + u) * S + s];
            assert_close(e, 1, 1e-12);
        }
        if (y + 1 < Y)
            for (size_t a = 0; a < S; a++) {
                double t = 0;
                for (size_t b = 0; b < S; b++)
                    t += r.t[SCENMC_T_TRANSITION].prob[(y * S + a) * S + b];
                assert_close(t, 1, 1e-12);
            }
        for (size_t s = 0; s < S; s++)
            li += r.t[SCENMC_T_LOCK_IN].prob[y * S + s];
    }
    assert_close(li, 1, 1e-12);
    double fs = 0;
    for (size_t i = 0; i < r.t[SCENMC_T_FINAL_STATE].size; i++)
        fs += r.t[SCENMC_T_FINAL_STATE].prob[i];
    assert_close(fs, 1, 1e-12);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* beta = 0: P(s_i(t) = b) = 1/n_i + (p_i(b) - 1/n_i) exp(-lambda_i t), to 1e-9. */
static void test_beta0_closed_form(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.beta = 0;
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        p.rate[d] = 0.2 + 0.13 * d;
        double z = 0;
        for (int b = 0; b < D->n_variants; b++)
            z += (p.initial[D->offset + b] = 1.0 + b * b);
        for (int b = 0; b < D->n_variants; b++)
            p.initial[D->offset + b] /= z;
    }
    scenmc_results r = exact_threads_or_fail(m, &p, 1);
    size_t V = (size_t)m->n_variants;
    for (int y = 0; y < r.n_years; y++)
        for (int d = 0; d < m->n_descriptors; d++) {
            const scenmc_descriptor *D = &m->descriptors[d];
            for (int b = 0; b < D->n_variants; b++) {
                double u = 1.0 / D->n_variants, p0 = p.initial[D->offset + b];
                double want = u + (p0 - u) * exp(-p.rate[d] * y);
                assert_close(r.t[SCENMC_T_VARIANT].prob[(size_t)y * V + (size_t)(D->offset + b)], want,
                             1e-9);
            }
        }
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* w_X = 0 (test_small_model): the final year equals the Boltzmann distribution exp(beta K)/Z
 * (enumerated here) to 1e-9, and so does the stationary closed form. */
static void test_long_horizon_boltzmann(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_results r = exact_or_fail(m, &p);
    uint64_t n = scenmc_model_state_count(m);
    double *pi = calloc(n, sizeof(double)), z = 0;
    int s[4];
    for (uint64_t x = 0; x < n; x++) {
        scenmc_state_from_index(m, x, s);
        double K = 0;
        for (int i = 0; i < 4; i++)
            for (int j = i + 1; j < 4; j++)
                K += m->consistency[(size_t)(m->descriptors[i].offset + s[i]) * (size_t)m->n_variants +
                                    (size_t)(m->descriptors[j].offset + s[j])];
        z += (pi[x] = exp(0.4 * K));
    }
    for (uint64_t x = 0; x < n; x++) {
        pi[x] /= z;
        assert_close(r.t[SCENMC_T_FINAL_STATE].prob[x], pi[x], 1e-9);
    }
    double *st = NULL;
    scenmc_stationary_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_exact_stationary(m, &p, 1, &st, &info, &err), SCENMC_OK);
    assert_true(info.closed_form);
    for (uint64_t x = 0; x < n; x++)
        assert_close(st[x], pi[x], 1e-12);
    free(st);
    free(pi);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* A model with cross impacts (self-impacts too) is not reversible: the
 * power-iteration stationary distribution must equal the long-horizon
 * uniformization result (test_cross_model, tests/testutil.c). */
static void test_nonreversible_stationary(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_cross_model);
    assert_int_equal(m->n_self_impacts, 1);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_results r = exact_or_fail(m, &p);
    double *st = NULL;
    scenmc_stationary_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_exact_stationary(m, &p, 2, &st, &info, &err), SCENMC_OK);
    assert_false(info.closed_form);
    assert_true(info.residual <= 1e-12);
    for (uint64_t x = 0; x < scenmc_model_state_count(m); x++)
        assert_close(r.t[SCENMC_T_FINAL_STATE].prob[x], st[x], 1e-9);
    free(st);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------------
 * Two-time tables by brute force (tests/testref.c): the generator Q = sum_i
 * lambda_i (G_i - I) built from the spec's formulas, one year = expm(Q) (GSL),
 * and every path over all years enumerated. */

static void test_two_time_tables_by_paths(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_cross_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.year_end = 3; /* 4 years: 12^4 paths */
    p.rate[0] = 0.7, p.rate[1] = 1.3, p.rate[2] = 0.4;
    p.w_consistency = 1;
    scenmc_results r = exact_or_fail(m, &p);
    int Y = 4, S = r.n_scenarios;
    assert_int_equal(S, 2);
    testref_chain ch;
    testref_chain_from_model(&ch, m, &p);
    gsl_matrix *E = testref_year_matrix(&ch, NULL);
    const double *K[4] = {NULL, E->data, E->data, E->data};
    double p0[64];
    int scen[64];
    testref_initial(&ch, p.initial, NULL, p0);
    testref_scenarios(&ch, m, scen);
    testref_paths t = {0};
    testref_paths_run(&t, &ch, Y, p0, K, NULL, scen, S);
    size_t V = (size_t)m->n_variants;
    for (int y = 0; y < Y; y++)
        for (int a = 0; a < S; a++) {
            assert_close(r.t[SCENMC_T_SCENARIO].prob[y * S + a], t.sc[y * S + a], 1e-10);
            assert_close(r.t[SCENMC_T_LOCK_IN].prob[y * S + a], t.lock[y * S + a], 1e-10);
            if (y < 3)
                for (int b = 0; b < S; b++)
                    assert_close(r.t[SCENMC_T_TRANSITION].prob[(y * S + a) * S + b],
                                 t.tr[(y * S + a) * S + b] / t.sc[y * S + a], 1e-10);
            for (size_t u = 0; u < V; u++)
                assert_close(r.t[SCENMC_T_EARLY_WARNING].prob[((size_t)y * V + u) * (size_t)S + (size_t)a],
                             t.ew[((size_t)y * V + u) * (size_t)S + (size_t)a] / t.va[(size_t)y * V + u], 1e-10);
        }
    testref_paths_free(&t);
    gsl_matrix_free(E);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* A product space far beyond memory is refused up front with the amount needed. */
static void test_refuses_what_does_not_fit(void **state)
{
    (void)state;
    char yaml[8192] = "name: big\nyears: {start: 0, end: 2}\ndescriptors:\n";
    for (int d = 0; d < 20; d++) {
        char line[128];
        snprintf(line, sizeof line, "  - {id: D%d, variants: [a, b, c, d]}\n", d);
        strcat(yaml, line);
    }
    strcat(yaml, "consistency:\n  - {between: [D0, D1], scores: [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}\n");
    scenmc_model *m = model_from_string(yaml);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_exact(m, &p, 1, &r, &err), SCENMC_E_LIMIT);
    assert_non_null(strstr(err.msg, "would need"));
    assert_non_null(strstr(err.msg, "GiB"));
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The library leaves the process's OpenMP setting alone (the threads are a
 * clause of each parallel region), and the thread count does not change the
 * probabilities. */
static void test_threads_leave_process_alone(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.year_end = p.year_start + 3;
    omp_set_num_threads(3);
    scenmc_results a, b;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_exact(m, &p, 1, &a, &err), SCENMC_OK);
    assert_int_equal(omp_get_max_threads(), 3);
    assert_int_equal(a.threads, 1);
    assert_int_equal(scenmc_exact(m, &p, 2, &b, &err), SCENMC_OK);
    assert_int_equal(omp_get_max_threads(), 3);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        for (size_t i = 0; i < a.t[k].size; i++)
            if (!isnan(a.t[k].prob[i]))
                assert_true(a.t[k].prob[i] == b.t[k].prob[i]);
    double *pi = NULL;
    scenmc_stationary_info info;
    assert_int_equal(scenmc_exact_stationary(m, &p, 1, &pi, &info, &err), SCENMC_OK);
    assert_int_equal(omp_get_max_threads(), 3);
    free(pi);
    scenmc_results_free(&a);
    scenmc_results_free(&b);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probabilities_sum_to_one),
        cmocka_unit_test(test_beta0_closed_form),
        cmocka_unit_test(test_long_horizon_boltzmann),
        cmocka_unit_test(test_nonreversible_stationary),
        cmocka_unit_test(test_two_time_tables_by_paths),
        cmocka_unit_test(test_refuses_what_does_not_fit),
        cmocka_unit_test(test_threads_leave_process_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
