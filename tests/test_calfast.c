/* scenmc calibrate's exact path filters the design's points that share their
 * transition weights together (engine/exact_filter.c,
 * scenmc__exact_filter_points): each point's log-likelihood and scenario
 * probabilities must be what scenmc_exact_filter gives that point alone (to
 * 1e-10 relative), on a grid whose points share T (beta x rate) and on a
 * Latin hypercube whose points do not; the posterior and the credible set are
 * recomputed here by hand from the per-point likelihoods. */
#include "testutil.h"
#include "engine/exact_filter.h"
#include "scenmc/calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void observe(const scenmc_model *m, scenmc_observations *o)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_observations_init(o);
    assert_int_equal(scenmc_observations_add_given(o, m, "2021:B=b2", &err), SCENMC_OK);
    assert_int_equal(scenmc_observations_add_given(o, m, "2023:A=a2,C=c2", &err), SCENMC_OK);
    double soft[3] = {0.2, 0.3, 0.9};
    scenmc_observations_add(o, 2024, 1, soft, 3, "soft");
}

static void assert_rel(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fmax(fabs(want), 1e-300)))
        fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want, tol);
}

/* The calibration of the design against scenmc_exact_filter point by point,
 * and its posterior and credible set against hand computations. */
static void check_design(const char *const *spec, int K, int lhs)
{
    scenmc_model *m = model_from_string(test_calib_model);
    scenmc_params base;
    scenmc_params_init(&base, m);
    scenmc_observations o;
    observe(m, &o);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_sweep_param ps[3];
    for (int j = 0; j < K; j++)
        assert_int_equal(scenmc_sweep_param_parse(m, spec[j], &ps[j], &err), SCENMC_OK);
    double *values = NULL;
    int P = 0;
    assert_int_equal(scenmc_sweep_design(ps, K, lhs, 7, &values, &P, &err), SCENMC_OK);
    scenmc_calibrate_options opt = {.method = SCENMC_CALIBRATE_EXACT, .threads = 2};
    scenmc_calibration c;
    assert_int_equal(scenmc_calibrate(m, &base, ps, K, values, P, &o, &opt, &c, &err), SCENMC_OK);
    const int Y = c.n_years, S = c.n_scenarios;
    double *ll = calloc((size_t)P, sizeof(double)), *sp = calloc((size_t)(Y * S), sizeof(double));
    double top = -INFINITY;
    for (int i = 0; i < P; i++) {
        scenmc_params p;
        scenmc_params_copy(&p, &base);
        assert_int_equal(scenmc_sweep_apply(m, ps, K, values + (size_t)i * (size_t)K, &p, &err), SCENMC_OK);
        assert_int_equal(scenmc_exact_filter(m, &p, &o, 1, &ll[i], sp, &err), SCENMC_OK);
        assert_rel(c.log_likelihood[i], ll[i], 1e-10);
        for (int k = 0; k < Y * S; k++)
            assert_true(fabs(c.point_scenario[(size_t)i * (size_t)(Y * S) + (size_t)k] - sp[k]) <= 1e-10);
        top = fmax(top, ll[i]);
        scenmc_params_free(&p);
    }
    /* Uniform prior: posterior_i = L_i / sum L; the credible set the largest
     * posteriors until their mass reaches 0.95 (no ties in these designs). */
    double sum = 0, mass = 0;
    for (int i = 0; i < P; i++)
        sum += exp(ll[i] - top);
    int *taken = calloc((size_t)P, sizeof(int)), n_taken = 0;
    while (mass < 0.95) {
        int best = -1;
        for (int i = 0; i < P; i++)
            if (!taken[i] && (best < 0 || ll[i] > ll[best]))
                best = i;
        taken[best] = 1, n_taken++;
        mass += exp(ll[best] - top) / sum;
    }
    for (int i = 0; i < P; i++) {
        assert_rel(c.posterior[i], exp(ll[i] - top) / sum, 1e-9);
        assert_int_equal(c.credible[i] != 0, taken[i]);
    }
    assert_int_equal(c.n_credible, n_taken);
    free(taken);
    free(ll);
    free(sp);
    scenmc_calibration_free(&c);
    free(values);
    for (int j = 0; j < K; j++)
        scenmc_sweep_param_free(&ps[j]);
    scenmc_observations_free(&o);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

/* A beta x rate grid: the rows of one beta share T. */
static void test_grid_shares(void **state)
{
    (void)state;
    static const char *const spec[] = {"beta=lin:0.3:1.5:3", "rate=lin:0.1:3:5"};
    check_design(spec, 2, 0);
}

/* A Latin hypercube over beta, rate and w-cross: no two points share T. */
static void test_lhs_alone(void **state)
{
    (void)state;
    static const char *const spec[] = {"beta=lin:0.3:1.5:2", "rate=lin:0.1:3:2", "w-cross=lin:0:2:2"};
    check_design(spec, 3, 9);
}

/* The key groups exactly the points that share T: the same beta with
 * another rate, not another beta nor another descriptor's own rate. */
static void test_key(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_calib_model);
    scenmc_params a, b;
    scenmc_params_init(&a, m);
    scenmc_params_init(&b, m);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_params_set_rate(&a, 0.3);
    scenmc_params_set_rate(&b, 1.7);
    scenmc__filter_key *ka = scenmc__filter_key_new(m, &a, &err), *kb = scenmc__filter_key_new(m, &b, &err);
    assert_true(scenmc__filter_key_same(ka, kb));
    scenmc__filter_key_free(kb);
    b.rate[1] = 0.5;
    kb = scenmc__filter_key_new(m, &b, &err);
    assert_false(scenmc__filter_key_same(ka, kb));
    scenmc__filter_key_free(kb);
    scenmc_params_set_rate(&b, 1.7);
    b.beta = a.beta * 1.5;
    kb = scenmc__filter_key_new(m, &b, &err);
    assert_false(scenmc__filter_key_same(ka, kb));
    scenmc__filter_key_free(kb);
    scenmc__filter_key_free(ka);
    scenmc_params_free(&a);
    scenmc_params_free(&b);
    scenmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_shares),
        cmocka_unit_test(test_lhs_alone),
        cmocka_unit_test(test_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
