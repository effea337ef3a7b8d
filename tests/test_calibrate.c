/* scenmc calibrate (docs/signposts.md, section 5): the likelihood at each
 * point against an independent brute-force forward filter (the generator
 * built from docs/model.md's heat-bath rule, one year = expm(Q) by GSL), the
 * posterior and credible set against hand computations, recovery of known
 * parameters from simulated histories with the coverage of the 95% credible
 * set over many seeds, the file written and read back, and the command. */
#include "testutil.h"
#include "testref.h"
#include "scenmc/calibrate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Brute-force forward filter (tests/testref.c, independent of the engines):
 * the generator Q of docs/model.md's heat-bath rule (consistency and cross
 * impact, no bias), one year = expm(Q) by GSL, then alpha_0 = p0 .* L_0,
 * alpha_y = (alpha_{y-1} E) .* L_y, log evidence = sum_y log sum alpha_y
 * (normalising each year). */
static double ref_filter(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                         double *scen_prob)
{
    testref_chain ch;
    testref_chain_from_model(&ch, m, p);
    int n = testref_states(&ch), Y = p->year_end - p->year_start + 1;
    int S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    gsl_matrix *E = testref_year_matrix(&ch, NULL);
    double *p0 = malloc(sizeof(double) * (size_t)n), *lik = malloc(sizeof(double) * (size_t)(Y * n));
    int *scen = malloc(sizeof(int) * (size_t)n);
    testref_initial(&ch, p->initial, p->start, p0);
    testref_likelihoods(&ch, o, p->year_start, Y, lik);
    testref_scenarios(&ch, m, scen);
    double loglik = testref_filter(n, Y, E, p0, lik, scen, S, scen_prob);
    free(p0);
    free(lik);
    free(scen);
    gsl_matrix_free(E);
    return loglik;
}

/* ---------------------------------------------------------------- helpers */

static scenmc_sweep_param *parse_params(const scenmc_model *m, const char *const *specs, int K)
{
    scenmc_sweep_param *ps = calloc((size_t)K, sizeof *ps);
    scenmc_error err;
    scenmc_error_clear(&err);
    for (int j = 0; j < K; j++)
        if (scenmc_sweep_param_parse(m, specs[j], &ps[j], &err) != SCENMC_OK)
            fail_msg("%s", err.msg);
    return ps;
}

static void free_params(scenmc_sweep_param *ps, int K)
{
    for (int j = 0; j < K; j++)
        scenmc_sweep_param_free(&ps[j]);
    free(ps);
}

static void add_hard(scenmc_observations *o, const scenmc_model *m, int year, int d, int b)
{
    double lik[64] = {0};
    lik[b] = 1;
    scenmc_observations_add(o, year, d, lik, m->descriptors[d].n_variants, "test");
}

/* Calibrates exactly over the full grid of specs; fails the test on error. */
static scenmc_calibration calibrate_grid(const scenmc_model *m, const scenmc_params *base, const char *const *specs,
                                         int K, const scenmc_observations *o, const int *log_uniform)
{
    scenmc_sweep_param *ps = parse_params(m, specs, K);
    scenmc_error err;
    scenmc_error_clear(&err);
    double *values = NULL;
    int P = 0;
    assert_int_equal(scenmc_sweep_design(ps, K, 0, 1, &values, &P, &err), SCENMC_OK);
    scenmc_calibrate_options opt = {.method = SCENMC_CALIBRATE_EXACT, .threads = 1, .log_uniform = log_uniform};
    scenmc_calibration c;
    if (scenmc_calibrate(m, base, ps, K, values, P, o, &opt, &c, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    free(values);
    free_params(ps, K);
    return c;
}

/* ---------------------------------------------------------------- likelihood */

/* Every point's log-likelihood and filtered scenario probabilities equal the
 * brute-force filter's at the same parameters set by hand (not through
 * scenmc_sweep_apply), with hard and soft evidence, two reports in one year
 * and an unobserved last year; the posterior and the predictive mixture
 * equal their definitions computed here. */
static void test_likelihood_matches_reference(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_calib_model);
    scenmc_params base;
    scenmc_params_init(&base, m);
    scenmc_observations o;
    scenmc_observations_init(&o);
    add_hard(&o, m, 2020, 0, 0);
    const double soft_b[3] = {0.7, 0.2, 0.1}, soft_c[2] = {0.25, 0.75};
    scenmc_observations_add(&o, 2021, 1, soft_b, 3, "soft B");
    add_hard(&o, m, 2023, 2, 1);
    add_hard(&o, m, 2024, 0, 1);
    scenmc_observations_add(&o, 2024, 2, soft_c, 2, "soft C");
    const char *specs[] = {"beta=0.5,1,2", "rate=0.3,0.9", "w-cross=0,1"};
    scenmc_calibration c = calibrate_grid(m, &base, specs, 3, &o, NULL);
    assert_int_equal(c.n_points, 12);
    assert_int_equal(c.method, SCENMC_EXACT);
    int Y = 6, S = 3;
    assert_int_equal(c.n_years, Y);
    assert_int_equal(c.n_scenarios, S);
    double ll[12], sp[12][18], wsum = 0;
    for (int i = 0; i < 12; i++) {
        scenmc_params p;
        scenmc_params_copy(&p, &base);
        const double *v = c.value + i * 3;
        p.beta = v[0];
        for (int d = 0; d < 3; d++)
            p.rate[d] = v[1];
        p.w_cross = v[2];
        ll[i] = ref_filter(m, &p, &o, sp[i]);
        assert_true(isfinite(ll[i]));
        assert_close(c.log_likelihood[i], ll[i], 1e-9 * fmax(1, fabs(ll[i])));
        for (int k = 0; k < Y * S; k++)
            assert_close(c.point_scenario[i * Y * S + k], sp[i][k], 1e-9);
        wsum += exp(ll[i]);
        scenmc_params_free(&p);
    }
    assert_close(c.log_marginal, log(wsum / 12), 1e-9);
    for (int k = 0; k < Y * S; k++) {
        double mix = 0;
        for (int i = 0; i < 12; i++)
            mix += exp(ll[i]) / wsum * sp[i][k];
        assert_close(c.predictive[k], mix, 1e-9);
    }
    for (int j = 0; j < 3; j++) {
        double m1 = 0, m2 = 0;
        for (int i = 0; i < 12; i++) {
            double x = c.value[i * 3 + j], w = exp(ll[i]) / wsum;
            assert_close(c.posterior[i], w, 1e-12);
            m1 += w * x, m2 += w * x * x;
        }
        assert_close(c.post_mean[j], m1, 1e-12);
        assert_close(c.post_sd[j], sqrt(fmax(0, m2 - m1 * m1)), 1e-9);
    }
    scenmc_calibration_free(&c);
    scenmc_observations_free(&o);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- posterior */

static scenmc_calibration four_points(const double *loglik, int log_uniform, double level)
{
    scenmc_calibration c;
    scenmc_calibration_alloc(&c, 4, 1, 1, 1, 0);
    c.param_name[0] = strdup("rate");
    c.log_uniform[0] = log_uniform;
    c.level = level;
    const double x[4] = {1, 2, 4, 8};
    for (int i = 0; i < 4; i++) {
        c.value[i] = x[i];
        c.log_likelihood[i] = loglik[i];
        c.point_scenario[i] = x[i] / 10;
    }
    return c;
}

/* The posterior, the credible set (ties kept together) and the log-uniform
 * prior's masses, against numbers worked out by hand. */
static void test_posterior_by_hand(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    const double ll[4] = {log(0.1), log(0.2), log(0.3), log(0.4)};
    scenmc_calibration c = four_points(ll, 0, 0.5);
    assert_int_equal(scenmc_calibration_posterior(&c, &err), SCENMC_OK);
    for (int i = 0; i < 4; i++)
        assert_close(c.posterior[i], 0.1 * (i + 1), 1e-12);
    /* 0.4 + 0.3 reaches 0.5: the two largest. */
    assert_int_equal(c.n_credible, 2);
    assert_true(c.credible[3] && c.credible[2] && !c.credible[1] && !c.credible[0]);
    assert_close(c.credible_mass, 0.7, 1e-12);
    double lo, hi;
    scenmc_calibration_credible_range(&c, 0, &lo, &hi);
    assert_close(lo, 4, 0);
    assert_close(hi, 8, 0);
    assert_close(c.post_mean[0], 0.1 * 1 + 0.2 * 2 + 0.3 * 4 + 0.4 * 8, 1e-12);
    assert_close(c.predictive[0], (0.1 * 1 + 0.2 * 2 + 0.3 * 4 + 0.4 * 8) / 10, 1e-12);
    assert_close(c.log_marginal, log(0.25), 1e-12);
    scenmc_calibration_free(&c);

    /* Log-uniform: prior masses 1, 1/2, 1/4, 1/8 (over 15/8); posterior
     * proportional to 0.1, 0.1, 0.075, 0.05: the first two tie. */
    c = four_points(ll, 1, 0.2);
    assert_int_equal(scenmc_calibration_posterior(&c, &err), SCENMC_OK);
    const double w[4] = {0.1 / 0.325, 0.1 / 0.325, 0.075 / 0.325, 0.05 / 0.325};
    for (int i = 0; i < 4; i++) {
        assert_close(c.posterior[i], w[i], 1e-12);
        assert_close(c.log_prior[i], log(pow(0.5, i) / 1.875), 1e-12);
    }
    assert_int_equal(c.n_credible, 2);
    assert_true(c.credible[0] && c.credible[1] && !c.credible[2]);
    assert_close(c.log_marginal, log(0.325 / 1.875), 1e-12);
    scenmc_calibration_free(&c);

    /* The default level 0.95 takes every point here; an impossible point is never taken. */
    const double ll2[4] = {-INFINITY, log(0.2), log(0.3), log(0.5)};
    c = four_points(ll2, 0, 0);
    assert_int_equal(scenmc_calibration_posterior(&c, &err), SCENMC_OK);
    assert_close(c.level, 0.95, 0);
    assert_int_equal(c.n_credible, 3);
    assert_false(c.credible[0]);
    assert_close(c.posterior[0], 0, 0);
    scenmc_calibration_free(&c);

    /* Nothing possible, and a log-uniform prior at 0, are errors that say so. */
    const double none[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    c = four_points(none, 0, 0.95);
    assert_int_equal(scenmc_calibration_posterior(&c, &err), SCENMC_E_INPUT);
    assert_non_null(strstr(err.msg, "probability 0"));
    scenmc_calibration_free(&c);
    scenmc_error_clear(&err);
    c = four_points(ll, 1, 0.95);
    c.value[0] = 0;
    assert_int_equal(scenmc_calibration_posterior(&c, &err), SCENMC_E_INPUT);
    assert_non_null(strstr(err.msg, "log-uniform"));
    scenmc_calibration_free(&c);
}

/* ---------------------------------------------------------------- recovery */

/* One trajectory of the engine (scenmc_run with one trajectory: its variant
 * per year are the 0/1 counts of the variant table), observed as hard
 * evidence on descriptors A and C in every year. */
static void observe_history(const scenmc_model *m, double beta, double rate, uint64_t seed, scenmc_observations *o)
{
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.beta = beta;
    scenmc_params_set_rate(&p, rate);
    p.seed = seed;
    p.n_trajectories = 1;
    scenmc_run_options opt = {.threads = 1};
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_run(m, &p, &opt, &r, &err), SCENMC_OK);
    size_t V = (size_t)m->n_variants;
    scenmc_observations_init(o);
    for (int y = 0; y < r.n_years; y++)
        for (int d = 0; d < 3; d += 2) {
            int seen = -1;
            for (int b = 0; b < m->descriptors[d].n_variants; b++)
                if (r.t[SCENMC_T_VARIANT].counts[(size_t)y * V + (size_t)(m->descriptors[d].offset + b)])
                    seen = b;
            assert_true(seen >= 0);
            add_hard(o, m, p.year_start + y, d, seen);
        }
    scenmc_results_free(&r);
    scenmc_params_free(&p);
}

static const char *const truth_grid[2] = {"beta=0.25,0.5,1,1.5,2,3", "rate=0.2,0.35,0.7,1,1.4,2"};

/* Whether the grid point (beta, rate) is in c's credible set. */
static int covered(const scenmc_calibration *c, double beta, double rate)
{
    for (int i = 0; i < c->n_points; i++)
        if (c->value[2 * i] == beta && c->value[2 * i + 1] == rate)
            return c->credible[i];
    fail_msg("(%g, %g) is not a grid point", beta, rate);
    return 0;
}

/* A history simulated with beta = 1, rate = 0.7 from a fixed seed: the truth
 * lies in the 95% credible set, which is a proper part of the grid. */
static void test_recovers_known_parameters(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_calib_model);
    scenmc_params base;
    scenmc_params_init(&base, m);
    scenmc_observations o;
    observe_history(m, 1.0, 0.7, 20261204, &o);
    scenmc_calibration c = calibrate_grid(m, &base, truth_grid, 2, &o, NULL);
    assert_int_equal(c.n_points, 36);
    assert_true(covered(&c, 1.0, 0.7));
    assert_true(c.n_credible < 36);
    assert_true(c.credible_mass >= 0.95);
    scenmc_calibration_free(&c);
    scenmc_observations_free(&o);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

/* Coverage over many seeds. (1) The truth drawn from the prior (a grid point
 * uniformly): the probability that the credible set covers it is exactly
 * the mean posterior mass of the sets (Bayes' rule), so the count of hits
 * must lie within 3.5 binomial standard deviations of the sum of the masses.
 * (2) The truth fixed at beta = 1, rate = 0.7: at least 95% coverage less 3.5
 * standard deviations. A wrong likelihood (or posterior) fails either. */
static void test_credible_set_coverage(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_calib_model);
    scenmc_params base;
    scenmc_params_init(&base, m);
    const double betas[6] = {0.25, 0.5, 1, 1.5, 2, 3}, rates[6] = {0.2, 0.35, 0.7, 1, 1.4, 2};
    const int R = 200;
    int hits_prior = 0, hits_fixed = 0;
    double mass = 0, var = 0;
    for (int k = 0; k < R; k++) {
        uint64_t seed = 1000 + (uint64_t)k;
        int g = (int)((seed * UINT64_C(2654435761)) % 36);
        double beta = betas[g / 6], rate = rates[g % 6];
        scenmc_observations o;
        observe_history(m, beta, rate, seed, &o);
        scenmc_calibration c = calibrate_grid(m, &base, truth_grid, 2, &o, NULL);
        hits_prior += covered(&c, beta, rate);
        mass += c.credible_mass;
        var += c.credible_mass * (1 - c.credible_mass);
        scenmc_calibration_free(&c);
        scenmc_observations_free(&o);
        observe_history(m, 1.0, 0.7, seed + 5000, &o);
        c = calibrate_grid(m, &base, truth_grid, 2, &o, NULL);
        hits_fixed += covered(&c, 1.0, 0.7);
        scenmc_calibration_free(&c);
        scenmc_observations_free(&o);
    }
    print_message("coverage: truth from the prior %d/%d (expected %.1f +- %.1f); truth fixed %d/%d\n",
                  hits_prior, R, mass, sqrt(var), hits_fixed, R);
    assert_true(fabs(hits_prior - mass) <= 3.5 * sqrt(var) + 1);
    assert_true(hits_fixed >= 0.95 * R - 3.5 * sqrt(R * 0.95 * 0.05));
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- Monte Carlo */

/* The Monte Carlo likelihoods agree with the exact ones within their standard
 * errors (a chi-square over the points, 6 degrees of freedom, 99.9%: 22.46),
 * for hard and soft evidence; every point uses the same random numbers, so a
 * point's estimate does not depend on the design around it. */
static void test_monte_carlo_agrees(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_calib_model);
    scenmc_params base;
    scenmc_params_init(&base, m);
    base.n_trajectories = 40000;
    base.seed = 77;
    scenmc_observations o;
    scenmc_observations_init(&o);
    add_hard(&o, m, 2021, 0, 1);
    const double soft[3] = {0.6, 0.3, 0.1};
    scenmc_observations_add(&o, 2023, 1, soft, 3, "soft B");
    add_hard(&o, m, 2024, 2, 1);
    const char *specs[] = {"beta=0.5,1,2", "rate=0.4,1.2"};
    scenmc_sweep_param *ps = parse_params(m, specs, 2);
    scenmc_error err;
    scenmc_error_clear(&err);
    double *values = NULL;
    int P = 0;
    assert_int_equal(scenmc_sweep_design(ps, 2, 0, 1, &values, &P, &err), SCENMC_OK);
    scenmc_calibrate_options opt = {.method = SCENMC_CALIBRATE_MONTE_CARLO, .threads = 2};
    scenmc_calibration mc, one;
    if (scenmc_calibrate(m, &base, ps, 2, values, P, &o, &opt, &mc, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(mc.method, SCENMC_MONTE_CARLO);
    assert_int_equal(mc.n_trajectories, 40000);
    double chi2 = 0;
    for (int i = 0; i < P; i++) {
        scenmc_params p;
        scenmc_params_copy(&p, &base);
        p.beta = values[2 * i];
        scenmc_params_set_rate(&p, values[2 * i + 1]);
        double exact = exp(ref_filter(m, &p, &o, NULL)), est = exp(mc.log_likelihood[i]);
        assert_true(mc.likelihood_se[i] > 0 && mc.effective_size[i] > 100);
        chi2 += pow((est - exact) / mc.likelihood_se[i], 2);
        scenmc_params_free(&p);
    }
    print_message("Monte Carlo against exact likelihoods: chi-square %.2f on %d points\n", chi2, P);
    assert_true(chi2 < 22.46);
    /* Point 4 alone: the same estimate, bit for bit (common random numbers). */
    if (scenmc_calibrate(m, &base, ps, 2, values + 8, 1, &o, &opt, &one, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_true(one.log_likelihood[0] == mc.log_likelihood[4]);
    scenmc_calibration_free(&one);
    scenmc_calibration_free(&mc);
    free(values);
    free_params(ps, 2);
    scenmc_observations_free(&o);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- file and command */

static const char *write_model_file(void)
{
    return scratch_write("calib.yaml", test_calib_model);
}

/* What scenmc_calibration_write writes, scenmc_calibration_read gives back. */
static void test_file_round_trip(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(test_calib_model);
    scenmc_params base;
    scenmc_params_init(&base, m);
    scenmc_observations o;
    scenmc_observations_init(&o);
    add_hard(&o, m, 2021, 0, 1);
    const double soft[3] = {0.5, 0.3, 0.2};
    scenmc_observations_add(&o, 2023, 1, soft, 3, "obs.yaml:4");
    const char *specs[] = {"beta=0.5,1.5", "rate=0.3,0.6,0.9"};
    int lu[2] = {0, 1};
    scenmc_calibration c = calibrate_grid(m, &base, specs, 2, &o, lu);
    char path[600];
    snprintf(path, sizeof path, "%s/round.h5", scratch_dir);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_write_options wo = {.command_line = "test"};
    if (scenmc_calibration_write(path, m, &base, &o, &c, &wo, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_true(scenmc_calibration_file(path));
    scenmc_model *m2 = NULL;
    scenmc_params b2;
    scenmc_observations o2;
    scenmc_calibration c2;
    scenmc_results_info info;
    if (scenmc_calibration_read(path, &m2, &b2, &o2, &c2, &info, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c2.n_points, 6);
    assert_int_equal(c2.n_params, 2);
    assert_int_equal(c2.method, SCENMC_EXACT);
    assert_string_equal(c2.param_name[1], "rate");
    assert_int_equal(c2.log_uniform[1], 1);
    assert_int_equal(c2.log_uniform[0], 0);
    assert_int_equal(c2.n_credible, c.n_credible);
    for (int i = 0; i < 6; i++) {
        assert_close(c2.log_likelihood[i], c.log_likelihood[i], 0);
        assert_close(c2.posterior[i], c.posterior[i], 0);
        assert_int_equal(c2.credible[i], c.credible[i]);
    }
    for (int k = 0; k < 6 * 3; k++)
        assert_close(c2.predictive[k], c.predictive[k], 0);
    assert_int_equal(o2.n, 2);
    assert_int_equal(o2.obs[1].year, 2023);
    assert_int_equal(o2.obs[1].descriptor, 1);
    assert_close(o2.obs[1].likelihood[2], 0.2, 0);
    assert_string_equal(o2.obs[1].where, "obs.yaml:4");
    assert_int_equal(o2.obs[0].hard, 1);
    scenmc_results_info_free(&info);
    scenmc_calibration_free(&c2);
    scenmc_observations_free(&o2);
    scenmc_params_free(&b2);
    scenmc_model_free(m2);
    scenmc_calibration_free(&c);
    scenmc_observations_free(&o);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

/* The command: LO:HI ranges cut by --points, the file's likelihoods equal
 * the reference filter's, the report reads it, mistakes are usage errors. */
static void test_command(void **state)
{
    (void)state;
    const char *model = write_model_file();
    char out[600];
    snprintf(out, sizeof out, "%s/cmd.h5", scratch_dir);
    int rc = sh("'%s' calibrate '%s' --given 2020:A=a1,C=c1 --given 2022:A=a2 --given 2024:C=c2 "
                "--param beta=0.5:2 --param rate=0.3:1.5 --points 9 --prior rate=log-uniform -o '%s'",
                SCENMC_BINARY, model, out);
    if (rc != 0)
        fail_msg("exit %d: %s", rc, sh_out);
    assert_non_null(strstr(sh_out, "credible set"));
    scenmc_model *m = NULL;
    scenmc_params base;
    scenmc_observations o;
    scenmc_calibration c;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_calibration_read(out, &m, &base, &o, &c, NULL, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.n_points, 9);
    assert_int_equal(o.n, 4);
    assert_int_equal(c.log_uniform[1], 1);
    for (int i = 0; i < 9; i++) {
        scenmc_params p;
        scenmc_params_copy(&p, &base);
        p.beta = c.value[2 * i];
        scenmc_params_set_rate(&p, c.value[2 * i + 1]);
        assert_close(c.log_likelihood[i], ref_filter(m, &p, &o, NULL), 1e-9);
        scenmc_params_free(&p);
    }
    assert_close(c.value[2 * 8], 2, 1e-12);
    assert_close(c.value[2 * 8 + 1], 1.5, 1e-12);
    scenmc_calibration_free(&c);
    scenmc_observations_free(&o);
    scenmc_params_free(&base);
    scenmc_model_free(m);
    rc = sh("'%s' report '%s'", SCENMC_BINARY, out);
    if (rc != 0)
        fail_msg("report: exit %d: %s", rc, sh_out);
    assert_non_null(strstr(sh_out, "Posterior of the parameters"));
    /* Latin hypercube: --points of them. */
    rc = sh("'%s' calibrate '%s' --given 2022:A=a2 --param beta=0.5:2 --design lhs --points 7 --quiet "
            "-o '%s' --force", SCENMC_BINARY, model, out);
    assert_int_equal(rc, 0);
    assert_int_equal(sh("'%s' calibrate '%s' --param beta=0.5:2", SCENMC_BINARY, model), 2);
    assert_non_null(strstr(sh_out, "no observations"));
    assert_int_equal(sh("'%s' calibrate '%s' --given 2022:A=a2", SCENMC_BINARY, model), 2);
    assert_int_equal(sh("'%s' calibrate '%s' --given 2022:A=a2 --param beta=0.5:2 --prior rate=log-uniform",
                        SCENMC_BINARY, model), 2);
    assert_int_equal(sh("'%s' calibrate '%s' --given 2030:A=a2 --param beta=0.5:2", SCENMC_BINARY, model), 2);
    assert_int_equal(sh("'%s' calibrate --help", SCENMC_BINARY), 0);
    assert_non_null(strstr(sh_out, "--param NAME=SPEC"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_likelihood_matches_reference),
        cmocka_unit_test(test_posterior_by_hand),
        cmocka_unit_test(test_recovers_known_parameters),
        cmocka_unit_test(test_credible_set_coverage),
        cmocka_unit_test(test_monte_carlo_agrees),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_command),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
