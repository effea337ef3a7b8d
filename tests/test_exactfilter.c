/* Forward filtering (scenmc_exact_filter) against the unconditioned exact
 * solver's tables, combined by Bayes' rule here: the evidence of one year's
 * observations is the sum over that year's distribution of their likelihood,
 * and the filtered scenario distribution in the final year is the final-state
 * table weighted by the likelihood and renormalised. Two years: the chain
 * rule through a solve from each observed start state. */
#include "testutil.h"

#include "scenmc/observe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double filter(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o, double *sp)
{
    double le;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact_filter(m, p, o, 2, &le, sp, &err) != SCENMC_OK)
        fail_msg("filter failed: %s", err.msg);
    return le;
}

/* The default model at its default parameters, solved once for the three tests
 * that compare with it (each solved it anew: seconds under the sanitizers); none
 * changes it. Freed by the group teardown. */
static scenmc_model *g_m;
static scenmc_params g_p;
static scenmc_results g_r;

static void default_solved(scenmc_model **m, scenmc_params *p, scenmc_results *r)
{
    if (!g_m) {
        g_m = default_model();
        scenmc_params_init(&g_p, g_m);
        g_r = exact_or_fail(g_m, &g_p);
    }
    *m = g_m;
    *p = g_p;
    *r = g_r;
}

static int default_teardown(void **state)
{
    (void)state;
    if (g_m) {
        scenmc_results_free(&g_r);
        scenmc_params_free(&g_p);
        scenmc_model_free(g_m);
        g_m = NULL;
    }
    return 0;
}

/* No observations: evidence 1 and the plain scenario table. */
static void test_no_observations(void **state)
{
    (void)state;
    scenmc_model *m;
    scenmc_params p;
    scenmc_results r;
    default_solved(&m, &p, &r);
    size_t YS = (size_t)r.n_years * (size_t)r.n_scenarios;
    double *sp = calloc(YS, sizeof(double));
    scenmc_observations o;
    scenmc_observations_init(&o);
    /* The years' renormalisation absorbs the series' dropped tail, within its bound. */
    assert_close(filter(m, &p, &o, sp), 0, 2 * r.n_years * r.truncation_bound);
    for (size_t i = 0; i < YS; i++)
        assert_close(sp[i], r.t[SCENMC_T_SCENARIO].prob[i], 1e-12);
    free(sp);
}

/* Soft evidence on one descriptor in 2024: sum_b lik(b) P(variant b, 2024). */
static void test_one_year_soft(void **state)
{
    (void)state;
    scenmc_model *m;
    scenmc_params p;
    scenmc_results r;
    default_solved(&m, &p, &r);
    int d = 5, nv = m->descriptors[d].n_variants, y = 2024 - p.year_start;
    double lik[4] = {0.8, 0.2, 0.5, 0.1};
    scenmc_observations o;
    scenmc_observations_init(&o);
    scenmc_observations_add(&o, 2024, d, lik, nv, "test");
    double want = 0;
    for (int b = 0; b < nv; b++)
        want += lik[b] * r.t[SCENMC_T_VARIANT].prob[(size_t)y * (size_t)m->n_variants +
                                                   (size_t)(m->descriptors[d].offset + b)];
    assert_close(filter(m, &p, &o, NULL), log(want), 1e-11);
    scenmc_observations_free(&o);
}

/* Hard and soft evidence in the final year against the final-state table. */
static void test_final_year_against_states(void **state)
{
    (void)state;
    scenmc_model *m;
    scenmc_params p;
    scenmc_results r;
    default_solved(&m, &p, &r);
    assert_true(r.full_states);
    const int D = m->n_descriptors, S = r.n_scenarios, Y = r.n_years;
    double l3[4] = {0, 1, 0, 0}, l6[4] = {0.3, 0.9, 0.6, 0.2};
    scenmc_observations o;
    scenmc_observations_init(&o);
    scenmc_observations_add(&o, p.year_end, 3, l3, m->descriptors[3].n_variants, "a");
    scenmc_observations_add(&o, p.year_end, 6, l6, m->descriptors[6].n_variants, "b");
    double ev = 0, *want = calloc((size_t)S, sizeof(double));
    int *s = calloc((size_t)D, sizeof(int));
    for (uint64_t x = 0; x < r.n_states; x++) {
        scenmc_state_from_index(m, x, s);
        double w = r.t[SCENMC_T_FINAL_STATE].prob[x] * l3[s[3]] * l6[s[6]];
        int a = scenmc_model_scenario_of(m, s);
        ev += w;
        want[a] += w;
    }
    double *sp = calloc((size_t)(Y * S), sizeof(double));
    assert_close(filter(m, &p, &o, sp), log(ev), 1e-11);
    for (int a = 0; a < S; a++)
        assert_close(sp[(size_t)(Y - 1) * (size_t)S + (size_t)a], want[a] / ev, 1e-11);
    free(sp);
    free(want);
    free(s);
    scenmc_observations_free(&o);
}

/* Two years of hard evidence on the small model (full state observed in
 * year 2, one descriptor in year 5): P(x2 = a) P(d at 5 = v | x2 = a), the
 * second factor from a solve started at a over the remaining years. */
static void test_two_years_chain_rule(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.year_end = p.year_start + 8;
    scenmc_results r = exact_or_fail(m, &p);
    const int D = m->n_descriptors;
    int a[4] = {1, 0, 2, 1};
    a[2] = a[2] % m->descriptors[2].n_variants;
    scenmc_observations o;
    scenmc_observations_init(&o);
    for (int d = 0; d < D; d++) {
        double lik[8] = {0};
        lik[a[d]] = 1;
        scenmc_observations_add(&o, p.year_start + 2, d, lik, m->descriptors[d].n_variants, "x2");
    }
    double lv[8] = {0, 1};
    scenmc_observations_add(&o, p.year_start + 5, 3, lv, m->descriptors[3].n_variants, "d5");
    /* P(x_2 = a): solve to year 2 and read the state from a full-state table. */
    scenmc_params q;
    scenmc_params_copy(&q, &p);
    q.year_end = q.year_start + 2;
    scenmc_results r2 = exact_or_fail(m, &q);
    double first = r2.t[SCENMC_T_FINAL_STATE].prob[scenmc_state_index(m, a)];
    /* P(d3 at 5 = 1 | x_2 = a): start at a, three years on. */
    q.year_end = q.year_start + 3;
    q.start = malloc(sizeof(int) * (size_t)D);
    memcpy(q.start, a, sizeof(int) * (size_t)D);
    scenmc_results r3 = exact_or_fail(m, &q);
    double second = r3.t[SCENMC_T_VARIANT].prob[(size_t)3 * (size_t)m->n_variants +
                                                (size_t)(m->descriptors[3].offset + 1)];
    assert_true(first > 0 && second > 0);
    assert_close(filter(m, &p, &o, NULL), log(first * second), 1e-10);
    scenmc_results_free(&r3);
    scenmc_results_free(&r2);
    scenmc_params_free(&q);
    scenmc_observations_free(&o);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* An impossible observation: probability zero, log evidence -infinity. */
static void test_impossible(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.start = calloc((size_t)m->n_descriptors, sizeof(int));
    double lik[8] = {0, 1};
    scenmc_observations o;
    scenmc_observations_init(&o);
    scenmc_observations_add(&o, p.year_start, 0, lik, m->descriptors[0].n_variants, "never");
    assert_true(isinf(filter(m, &p, &o, NULL)));
    scenmc_observations_free(&o);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_observations),
        cmocka_unit_test(test_one_year_soft),
        cmocka_unit_test(test_final_year_against_states),
        cmocka_unit_test(test_two_years_chain_rule),
        cmocka_unit_test(test_impossible),
    };
    return cmocka_run_group_tests(tests, NULL, default_teardown);
}
