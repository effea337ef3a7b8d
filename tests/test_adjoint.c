/* Exact (adjoint) derivatives against derivations that share no code with
 * them: central finite differences of scenmc_exact on the default model, and
 * a small model solved here by GSL matrix exponentials of the generator built
 * from the spec's formulas (docs/model.md, sections 3 and 5), differentiated
 * by a fourth-order central difference. Then the identities: derivatives sum
 * to zero over a year's scenarios, and at beta = 0 no cell matters. */
#include "testutil.h"
#include "scenmc/derivative.h"
#include "engine/score.h"

#include <gsl/gsl_linalg.h>
#include <hdf5.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scenmc_derivatives derivs(const scenmc_model *m, const scenmc_params *p, int all)
{
    scenmc_derivatives d;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact_derivatives(m, p, 2, all, NULL, NULL, &d, &err) != SCENMC_OK)
        fail_msg("exact derivatives failed: %s", err.msg);
    return d;
}

/* Sets parameter e of the list to value (in p, or in the model for a bias). */
static void set_param(scenmc_model *m, scenmc_params *p, const scenmc_dparam *d, double value)
{
    switch (d->kind) {
    case SCENMC_DP_CONSISTENCY: scenmc_params_add_cell(p, d->u, d->v, 0, value); break;
    case SCENMC_DP_CROSS: scenmc_params_add_cell(p, d->u, d->v, 1, value); break;
    case SCENMC_DP_BETA: p->beta = value; break;
    case SCENMC_DP_W_CONSISTENCY: p->w_consistency = value; break;
    case SCENMC_DP_W_CROSS: p->w_cross = value; break;
    case SCENMC_DP_RATE: p->rate[d->u] = value; break;
    case SCENMC_DP_BIAS:
        if (!m->bias)
            m->bias = calloc((size_t)m->n_variants, sizeof(double));
        m->bias[d->u] = value;
        break;
    default: fail_msg("unknown parameter kind");
    }
}

/* ------------------------------------------------------------------------
 * Finite differences of scenmc_exact on the default model. */

/* The three tables of the exact solver, concatenated. */
static double *exact_tables(scenmc_model *m, const scenmc_params *p, const scenmc_dparam *d, double value,
                            size_t *len)
{
    scenmc_params q;
    scenmc_params_copy(&q, p);
    double saved = d->kind == SCENMC_DP_BIAS && m->bias ? m->bias[d->u] : 0;
    set_param(m, &q, d, value);
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    /* one thread: these solves are only the reference, and on the default
     * model's small state space two threads cost 2.5x the CPU of one */
    if (scenmc_exact(m, &q, 1, &r, &err) != SCENMC_OK)
        fail_msg("exact failed: %s", err.msg);
    if (d->kind == SCENMC_DP_BIAS)
        m->bias[d->u] = saved;
    size_t a = r.t[SCENMC_T_SCENARIO].size, b = r.t[SCENMC_T_VARIANT].size, c = r.t[SCENMC_T_SCENARIO_VARIANT].size;
    double *out = malloc(sizeof(double) * (a + b + c));
    memcpy(out, r.t[SCENMC_T_SCENARIO].prob, sizeof(double) * a);
    memcpy(out + a, r.t[SCENMC_T_VARIANT].prob, sizeof(double) * b);
    memcpy(out + a + b, r.t[SCENMC_T_SCENARIO_VARIANT].prob, sizeof(double) * c);
    *len = a + b + c;
    scenmc_results_free(&r);
    scenmc_params_free(&q);
    return out;
}

/* Largest |adjoint - FD| over the three tables, relative to the largest |derivative|. */
static double fd_compare(scenmc_model *m, const scenmc_params *p, const scenmc_derivatives *d, int e)
{
    const scenmc_dparam *par = &d->param[e];
    double h = 1e-4 * (par->step > 0 ? par->step : 1);
    size_t len, len2;
    double *plus = exact_tables(m, p, par, par->value + h, &len);
    double *minus = exact_tables(m, p, par, par->value - h, &len2);
    size_t Y = (size_t)d->Y, S = (size_t)d->S, V = (size_t)d->V, E = (size_t)e;
    assert_int_equal(len, Y * S + Y * V + Y * S * V);
    double mx = 0, err = 0;
    for (size_t i = 0; i < len; i++) {
        double ad = i < Y * S ? d->scenario[E * Y * S + i]
                    : i < Y * (S + V) ? d->variant[E * Y * V + i - Y * S]
                                      : d->scenario_variant[E * Y * S * V + i - Y * (S + V)];
        double fd = (plus[i] - minus[i]) / (2 * h);
        if (isnan(ad) || isnan(fd)) {
            assert_true(isnan(ad) && isnan(fd));
            continue;
        }
        mx = fmax(mx, fabs(ad));
        err = fmax(err, fabs(ad - fd));
    }
    free(plus);
    free(minus);
    return mx > 0 ? err / mx : err;
}

/* A sample of every kind of parameter on the default model (4 years). */
static void test_default_model_vs_finite_differences(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.year_end = p.year_start + 3;
    p.rate[3] = 0.7; /* unequal rates: lambda_i/Lambda matters */
    scenmc_derivatives d = derivs(m, &p, 1);
    int seen[SCENMC_DP_N_KINDS] = {0};
    double worst = 0;
    for (int e = 0; e < d.n_param; e++) {
        int kind = (int)d.param[e].kind;
        if (seen[kind] >= (kind == SCENMC_DP_CONSISTENCY ? 2 : 1) || (kind <= SCENMC_DP_CROSS && e % 37 != 5) ||
            (kind == SCENMC_DP_RATE && d.param[e].u != 3) || (kind == SCENMC_DP_BIAS && d.param[e].u != 9))
            continue;
        seen[kind]++;
        double rel = fd_compare(m, &p, &d, e);
        printf("# %-40s max |adjoint - FD| / max |dP| = %.2e\n", d.param[e].label, rel);
        worst = fmax(worst, rel);
        assert_true(rel <= 1e-6);
    }
    printf("# default model: worst relative disagreement %.2e\n", worst);
    for (int k = 0; k < SCENMC_DP_N_KINDS; k++)
        if (k != SCENMC_DP_CROSS && k != SCENMC_DP_W_CROSS) /* the default model has no X */
            assert_true(seen[k] > 0);
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------------
 * A small model by GSL matrix exponentials. */

static const char small_model[] =
    "name: small\n"
    "years: {start: 0, end: 3}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2], initial: [0.7, 0.3]}\n"
    "  - {id: B, variants: [b1, b2, b3], initial: [0.2, 0.5, 0.3]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[2, -1, 0], [-2, 1, 3]]}\n"
    "cross_impact:\n"
    "  - {from: A, to: B, impacts: [[1, 0, -1], [0, 2, -2]]}\n"
    "  - {from: B, to: A, impacts: [[1, -1], [0, 2], [-1, 1]]}\n"
    "  - {from: A, to: A, impacts: [[1, 0], [0, -1]]}\n"
    "bias:\n"
    "  B: [0.3, 0, -0.4]\n"
    "scenarios:\n"
    "  - {name: one, when: {A: a1, B: b1}}\n"
    "  - {name: two, when: {B: b3}}\n"
    "defaults: {beta: 0.8, rate: 1}\n";

/* The dynamics' parameters as this test keeps them (full matrices). */
typedef struct small_par {
    double C[25], X[25], h[5], rate[2], beta, wC, wX;
} small_par;

/* Perturbs parameter d of q by dx (a consistency cell and its mirror together). */
static void small_shift(small_par *q, const scenmc_dparam *d, double dx)
{
    switch (d->kind) {
    case SCENMC_DP_CONSISTENCY: q->C[d->u * 5 + d->v] += dx, q->C[d->v * 5 + d->u] += dx; break;
    case SCENMC_DP_CROSS: q->X[d->u * 5 + d->v] += dx; break;
    case SCENMC_DP_BETA: q->beta += dx; break;
    case SCENMC_DP_W_CONSISTENCY: q->wC += dx; break;
    case SCENMC_DP_W_CROSS: q->wX += dx; break;
    case SCENMC_DP_RATE: q->rate[d->u] += dx; break;
    case SCENMC_DP_BIAS: q->h[d->u] += dx; break;
    default: fail_msg("unknown parameter kind");
    }
}

/* Scenario, variant and conditional tables [Y][S], [Y][V], [Y][S][V] at q:
 * p(y) = p(0) expm(Q)^y with Q built from sections 3 and 5 of docs/model.md. */
static void small_tables(const scenmc_model *m, const small_par *q, const double *p0, double *out)
{
    enum { N = 6, Y = 4, S = 3, V = 5 };
    const int off[2] = {0, 2}, nv[2] = {2, 3};
    gsl_matrix *Q = gsl_matrix_calloc(N, N), *E = gsl_matrix_alloc(N, N);
    for (int x = 0; x < N; x++) {
        int s[2] = {x / 3, x % 3};
        for (int i = 0; i < 2; i++) {
            double z[3], tot = 0;
            for (int c = 0; c < nv[i]; c++) {
                double B = q->h[off[i] + c];
                for (int j = 0; j < 2; j++) {
                    int src = off[j] + s[j], dst = off[i] + c;
                    B += (j != i ? q->wC * q->C[src * V + dst] : 0) + q->wX * q->X[src * V + dst];
                }
                tot += (z[c] = exp(q->beta * B));
            }
            for (int c = 0; c < nv[i]; c++) {
                int t[2] = {s[0], s[1]};
                t[i] = c;
                double r = q->rate[i] * z[c] / tot;
                *gsl_matrix_ptr(Q, (size_t)x, (size_t)(t[0] * 3 + t[1])) += r;
                *gsl_matrix_ptr(Q, (size_t)x, (size_t)x) -= r;
            }
        }
    }
    assert_int_equal(gsl_linalg_exponential_ss(Q, E, GSL_PREC_DOUBLE), 0);
    double p[N], np_[N];
    memcpy(p, p0, sizeof p);
    memset(out, 0, sizeof(double) * (Y * S + Y * V + Y * S * V));
    for (int y = 0; y < Y; y++) {
        double J[S][V] = {{0}}, Ps[S] = {0};
        for (int x = 0; x < N; x++) {
            int s[2] = {x / 3, x % 3}, a = scenmc_model_scenario_of(m, s);
            Ps[a] += p[x];
            out[Y * S + y * V + s[0]] += p[x];
            out[Y * S + y * V + 2 + s[1]] += p[x];
            J[a][s[0]] += p[x];
            J[a][2 + s[1]] += p[x];
        }
        for (int a = 0; a < S; a++) {
            out[y * S + a] = Ps[a];
            for (int v = 0; v < V; v++)
                out[Y * (S + V) + (y * S + a) * V + v] = J[a][v] / Ps[a];
        }
        for (int x = 0; x < N; x++) {
            np_[x] = 0;
            for (int w = 0; w < N; w++)
                np_[x] += p[w] * gsl_matrix_get(E, (size_t)w, (size_t)x);
        }
        memcpy(p, np_, sizeof p);
    }
    gsl_matrix_free(Q);
    gsl_matrix_free(E);
}

static void test_small_model_vs_matrix_exponential(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.rate[0] = 0.7, p.rate[1] = 1.3;
    p.w_consistency = 0.9, p.w_cross = 1.2;
    scenmc_derivatives d = derivs(m, &p, 1);
    assert_int_equal(d.S, 3);
    small_par base = {.rate = {0.7, 1.3}, .beta = 0.8, .wC = 0.9, .wX = 1.2};
    memcpy(base.C, m->consistency, sizeof base.C);
    memcpy(base.X, m->cross_impact, sizeof base.X);
    memcpy(base.h, m->bias, sizeof base.h);
    double p0[6];
    for (int x = 0; x < 6; x++)
        p0[x] = p.initial[x / 3] * p.initial[2 + x % 3];
    enum { LEN = 4 * 3 + 4 * 5 + 4 * 3 * 5 };
    double f[4][LEN], worst = 0;
    const double h = 1e-3, sh[4] = {h, -h, 2 * h, -2 * h};
    int kinds = 0;
    for (int e = 0; e < d.n_param; e++) {
        for (int k = 0; k < 4; k++) {
            small_par q = base;
            small_shift(&q, &d.param[e], sh[k]);
            small_tables(m, &q, p0, f[k]);
        }
        kinds |= 1 << d.param[e].kind;
        for (int i = 0; i < LEN; i++) {
            double fd = (8 * (f[0][i] - f[1][i]) - (f[2][i] - f[3][i])) / (12 * h);
            size_t E = (size_t)e;
            double ad = i < 12 ? d.scenario[E * 12 + (size_t)i]
                        : i < 32 ? d.variant[E * 20 + (size_t)i - 12]
                                 : d.scenario_variant[E * 60 + (size_t)i - 32];
            worst = fmax(worst, fabs(ad - fd));
            assert_close(ad, fd, 1e-9);
        }
    }
    assert_int_equal(kinds, (1 << SCENMC_DP_N_KINDS) - 1);
    printf("# small model: %d parameters, worst |adjoint - expm FD| %.2e\n", d.n_param, worst);
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------------
 * Identities. */

/* Over a year's scenarios (and a descriptor's variants) the derivatives sum
 * to zero: the probabilities sum to one whatever the parameters. */
static void test_derivatives_sum_to_zero(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_derivatives d = derivs(m, &p, 1);
    size_t Y = (size_t)d.Y, S = (size_t)d.S, V = (size_t)d.V;
    double big = 0;
    for (size_t e = 0; e < (size_t)d.n_param; e++)
        for (size_t y = 0; y < Y; y++) {
            double sum = 0, sa = 0;
            for (size_t a = 0; a < S; a++) {
                sum += d.scenario[(e * Y + y) * S + a];
                big = fmax(big, fabs(d.scenario[(e * Y + y) * S + a]));
            }
            for (size_t v = 0; v < 2; v++)
                sa += d.variant[(e * Y + y) * V + v];
            /* not exactly 0 for the rates: the truncated series drops a Poisson
             * tail of 1e-13 a year that depends on Lambda */
            assert_close(sum, 0, 1e-11);
            assert_close(sa, 0, 1e-11);
            for (size_t a = 0; a < S; a++) { /* P(A = a1 | s) + P(A = a2 | s) = 1 */
                const double *c = d.scenario_variant + ((e * Y + y) * S + a) * V;
                if (!isnan(c[0]))
                    assert_close(c[0] + c[1], 0, 1e-11);
            }
        }
    assert_true(big > 1e-3); /* the identity is not met by zeros */
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* At beta = 0 revisions ignore the matrices, the weights and the bias: their
 * derivatives are exactly zero, while beta's and the rates' are not. The
 * start year's derivatives are zero too (the start does not depend on any
 * parameter). */
static void test_beta_zero_cells_do_not_matter(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.beta = 0;
    scenmc_derivatives d = derivs(m, &p, 0);
    size_t Y = (size_t)d.Y, S = (size_t)d.S;
    assert_null(d.variant);
    for (size_t e = 0; e < (size_t)d.n_param; e++) {
        double mx = 0;
        for (size_t i = 0; i < Y * S; i++)
            mx = fmax(mx, fabs(d.scenario[e * Y * S + i]));
        for (size_t a = 0; a < S; a++)
            assert_true(d.scenario[e * Y * S + a] == 0);
        scenmc_dparam_kind k = d.param[e].kind;
        if (k == SCENMC_DP_BETA)
            assert_true(mx > 1e-3);
        else if (k != SCENMC_DP_RATE)
            assert_true(mx == 0);
    }
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------------
 * A cell between two variants that never co-occur in any reachable state
 * (docs/sensitivity.md, "Zero derivatives"). Every revision draws from the
 * heat bath, whose probabilities are all positive, at positive rates, so at
 * any time after the start every state is reachable: two variants of
 * different descriptors can fail to co-occur only at the start, in a state
 * the start excludes. From the fixed start A = a1, B = b1 the start is the
 * only state of the start year, and there the cell C[a2][b3] (neither
 * variant held) has derivative exactly 0 by both methods, with standard
 * errors exactly 0 (every trajectory's score is 0). A year later the same
 * cell moves every table: the check can fail (and does when a year's
 * derivatives land in another year's slot). */
static int cell_index(const scenmc_derivatives *d, scenmc_dparam_kind kind, int u, int v)
{
    for (int e = 0; e < d->n_param; e++)
        if (d->param[e].kind == kind && d->param[e].u == u && d->param[e].v == v)
            return e;
    fail_msg("no parameter %d (%d, %d)", (int)kind, u, v);
    return -1;
}

/* The largest |entry| of parameter e's rows of year y in the three tables
 * (se: of their standard errors); NaN, where P(scenario, y) = 0, counts as 0. */
static double param_max(const scenmc_derivatives *d, int e, int y, int se)
{
    const size_t Y = (size_t)d->Y, S = (size_t)d->S, V = (size_t)d->V;
    const double *t[3] = {se ? d->scenario_se : d->scenario, se ? d->variant_se : d->variant,
                          se ? d->scenario_variant_se : d->scenario_variant};
    const size_t n[3] = {S, V, S * V};
    double mx = 0;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < n[k]; i++) {
            const double x = t[k][((size_t)e * Y + (size_t)y) * n[k] + i];
            if (!isnan(x))
                mx = fmax(mx, fabs(x));
        }
    return mx;
}

static void test_never_co_occurring_cell(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_params_parse_start(&p, m, "A=a1,B=b1", &err), SCENMC_OK);
    p.n_trajectories = 4000;
    p.year_end = p.year_start + 1;
    scenmc_derivatives x = derivs(m, &p, 1), s;
    const scenmc__score_options o = {.threads = 2};
    assert_int_equal(scenmc__score_run(m, &p, &o, &s, &err), SCENMC_OK);
    const int e = cell_index(&x, SCENMC_DP_CONSISTENCY, 1, 4); /* a2 and b3 */
    assert_int_equal(cell_index(&s, SCENMC_DP_CONSISTENCY, 1, 4), e);
    assert_int_equal(x.Y, 2);
    /* the start year: exactly 0, no tolerance */
    assert_true(param_max(&x, e, 0, 0) == 0);
    assert_true(param_max(&s, e, 0, 0) == 0);
    assert_true(param_max(&s, e, 0, 1) == 0);
    /* a year later every pair co-occurs with positive probability */
    assert_true(param_max(&x, e, 1, 0) > 1e-3);
    assert_true(param_max(&s, e, 1, 0) > 1e-3);
    scenmc_derivatives_free(&x);
    scenmc_derivatives_free(&s);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------------
 * The command: the file holds the library's numbers under named dimensions;
 * --method score writes the score engine's derivatives and standard errors. */
static void test_command_writes_the_derivative_file(void **state)
{
    (void)state;
    char path[512], model[512];
    snprintf(path, sizeof path, "%s/deriv.h5", scratch_dir);
    snprintf(model, sizeof model, "%s/small.yaml", scratch_dir);
    FILE *fp = fopen(model, "w");
    assert_non_null(fp);
    fputs(small_model, fp);
    fclose(fp);
    assert_int_equal(sh("%s sensitivity '%s' --method exact --top 3 -o '%s'", SCENMC_BINARY, model, path), 0);
    assert_non_null(strstr(sh_out, "per step of each parameter"));
    scenmc_model *m = model_from_string(small_model);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 100000; /* as the command sets it */
    scenmc_derivatives d = derivs(m, &p, 1);
    size_t n = (size_t)d.n_param * (size_t)d.Y * (size_t)d.S * (size_t)d.V;
    double *buf = malloc(sizeof(double) * n);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    const char *names[3] = {"/derivative/dP_scenario", "/derivative/dP_variant", "/derivative/dP_scenario_variant"};
    const double *want[3] = {d.scenario, d.variant, d.scenario_variant};
    size_t len[3] = {(size_t)d.n_param * (size_t)(d.Y * d.S), (size_t)d.n_param * (size_t)(d.Y * d.V), n};
    for (int t = 0; t < 3; t++) {
        hid_t ds = H5Dopen2(f, names[t], H5P_DEFAULT);
        assert_true(ds >= 0);
        hid_t sp = H5Dget_space(ds);
        assert_int_equal((size_t)H5Sget_simple_extent_npoints(sp), len[t]);
        assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
        for (size_t i = 0; i < len[t]; i++)
            assert_true(buf[i] == want[t][i] || (isnan(buf[i]) && isnan(want[t][i])));
        H5Sclose(sp);
        H5Dclose(ds);
    }
    H5Fclose(f);
    free(buf);
    /* netCDF readers see the named dimensions */
    assert_int_equal(sh("/usr/bin/python3 -c \"import xarray as x; d = x.open_dataset('%s', group='derivative', "
                        "engine='h5netcdf'); print(d.dP_scenario_variant.dims, d.sizes['param'])\"", path), 0);
    char expect[128];
    snprintf(expect, sizeof expect, "('param', 'year', 'scenario', 'variant') %d", d.n_param);
    if (!strstr(sh_out, expect))
        fail_msg("xarray: %s", sh_out);
    /* --method score: the file holds the score engine's derivatives and their errors */
    char spath[512];
    snprintf(spath, sizeof spath, "%s/score.h5", scratch_dir);
    assert_int_equal(sh("%s sensitivity '%s' --method score --tables scenario -n 3000 --seed 5 --threads 2 "
                        "-o '%s'", SCENMC_BINARY, model, spath), 0);
    scenmc_derivatives ds;
    scenmc_error err;
    scenmc_error_clear(&err);
    p.n_trajectories = 3000;
    p.seed = 5;
    scenmc__score_options so = {.threads = 1, .scenario_only = 1};
    assert_int_equal(scenmc__score_run(m, &p, &so, &ds, &err), SCENMC_OK);
    hid_t fs = H5Fopen(spath, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(fs >= 0);
    const char *snames[2] = {"/derivative/dP_scenario", "/derivative/stderr_scenario"};
    const double *swant[2] = {ds.scenario, ds.scenario_se};
    size_t slen = (size_t)ds.n_param * (size_t)(ds.Y * ds.S);
    double *sbuf = malloc(sizeof(double) * slen);
    for (int t = 0; t < 2; t++) {
        hid_t dd = H5Dopen2(fs, snames[t], H5P_DEFAULT);
        assert_true(dd >= 0);
        assert_true(H5Dread(dd, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, sbuf) >= 0);
        for (size_t i = 0; i < slen; i++)
            assert_true(sbuf[i] == swant[t][i] || (isnan(sbuf[i]) && isnan(swant[t][i])));
        H5Dclose(dd);
    }
    H5Fclose(fs);
    free(sbuf);
    scenmc_derivatives_free(&ds);
    assert_int_equal(sh("%s sensitivity '%s' --method nope", SCENMC_BINARY, model), 2);
    assert_int_equal(sh("%s sensitivity '%s' --method exact --tables nope", SCENMC_BINARY, model), 2);
    scenmc_derivatives_free(&d);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_model_vs_matrix_exponential),
        cmocka_unit_test(test_derivatives_sum_to_zero),
        cmocka_unit_test(test_beta_zero_cells_do_not_matter),
        cmocka_unit_test(test_never_co_occurring_cell),
        cmocka_unit_test(test_command_writes_the_derivative_file),
        cmocka_unit_test(test_default_model_vs_finite_differences),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
