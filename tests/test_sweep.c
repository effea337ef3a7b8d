/* Sweeps, designs, cell sensitivity and ensembles. */
#include "testutil.h"
#include "io/h5.h" /* the tables' dataset names (format version 2) */

#include "scenmc/sweep.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scenmc_sweep_param parse_ok(const scenmc_model *m, const char *arg)
{
    scenmc_sweep_param p;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_sweep_param_parse(m, arg, &p, &err) != SCENMC_OK)
        fail_msg("'%s': %s", arg, err.msg);
    return p;
}

static void run_ok(const scenmc_model *m, const scenmc_params *p, scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options o = {.threads = 2};
    if (scenmc_run(m, p, &o, r, &err) != SCENMC_OK)
        fail_msg("%s", err.msg);
}

/* A sweep point is exactly the run with those parameters set by hand. */
static void test_point_equals_standalone_run(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_sweep_param ps[3] = {parse_ok(m, "beta=0.2,1.4"), parse_ok(m, "rate.EK=lin:0.3:0.9:2"),
                                parse_ok(m, "cell:EK=Omöjligt,KM=Inga riktade samarbeten=-3")};
    double *values;
    int P;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_sweep_design(ps, 3, 0, 5, &values, &P, &err), SCENMC_OK);
    assert_int_equal(P, 4);
    scenmc_params base;
    scenmc_params_init(&base, m);
    base.n_trajectories = 4000;
    base.seed = 5;
    int ek = scenmc_model_find_descriptor(m, "EK"), km = scenmc_model_find_descriptor(m, "KM");
    int u = m->descriptors[ek].offset + 2, v = m->descriptors[km].offset + 3;
    for (int i = 0; i < P; i++) {
        scenmc_params a, b;
        scenmc_params_copy(&a, &base);
        scenmc_params_copy(&b, &base);
        assert_int_equal(scenmc_sweep_apply(m, ps, 3, values + 3 * i, &a, &err), SCENMC_OK);
        b.beta = i < 2 ? 0.2 : 1.4;
        b.rate[ek] = i % 2 ? 0.9 : 0.3;
        scenmc_params_add_cell(&b, u, v, 0, -3);
        scenmc_results ra, rb;
        run_ok(m, &a, &ra);
        run_ok(m, &b, &rb);
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            assert_int_equal(ra.t[k].size, rb.t[k].size);
            assert_memory_equal(ra.t[k].counts, rb.t[k].counts, ra.t[k].size * sizeof(uint64_t));
        }
        scenmc_results_free(&ra);
        scenmc_results_free(&rb);
        scenmc_params_free(&a);
        scenmc_params_free(&b);
    }
    free(values);
    for (int j = 0; j < 3; j++)
        scenmc_sweep_param_free(&ps[j]);
    scenmc_params_free(&base);
    scenmc_model_free(m);
}

static uint64_t *read_counts(const char *path, const char *table, size_t *n)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, table, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t s = H5Dget_space(d);
    *n = (size_t)H5Sget_simple_extent_npoints(s);
    uint64_t *c = calloc(*n, sizeof(uint64_t));
    assert_true(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, c) >= 0);
    H5Sclose(s);
    H5Dclose(d);
    H5Fclose(f);
    return c;
}

/* The command line: a one-point sweep file equals a run file, table by table. */
static void test_one_point_sweep_equals_run(void **state)
{
    (void)state;
    char dir[] = "/tmp/scenmc-sweep-XXXXXX", cmd[1024], *out;
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "%s sweep --quiet -n 3000 --seed 9 --param beta=0.8 -o %s/s.h5",
             SCENMC_BINARY, dir);
    assert_int_equal(run_capture(cmd, &out), 0);
    free(out);
    snprintf(cmd, sizeof cmd, "%s run --quiet -n 3000 --seed 9 --beta 0.8 -o %s/r.h5", SCENMC_BINARY,
             dir);
    assert_int_equal(run_capture(cmd, &out), 0);
    free(out);
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/s.h5", dir);
    snprintf(b, sizeof b, "%s/r.h5", dir);
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        char name[128];
        snprintf(name, sizeof name, "/counts/%s", scenmc__table_h5_names[k]);
        size_t na, nb;
        uint64_t *ca = read_counts(a, name, &na), *cb = read_counts(b, name, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(ca, cb, na * sizeof(uint64_t));
        free(ca);
        free(cb);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    run_capture(cmd, NULL);
}

static void test_designs(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_sweep_param ps[2] = {parse_ok(m, "beta=0:1:0.5"), parse_ok(m, "w-consistency=2,3")};
    double *v;
    int P;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_sweep_design(ps, 2, 0, 1, &v, &P, &err), SCENMC_OK);
    static const double grid[6][2] = {{0, 2}, {0, 3}, {0.5, 2}, {0.5, 3}, {1, 2}, {1, 3}};
    assert_int_equal(P, 6);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 2; j++)
            assert_close(v[2 * i + j], grid[i][j], 1e-15);
    free(v);
    /* Latin hypercube: 10 points, each tenth of each range used exactly once. */
    assert_int_equal(scenmc_sweep_design(ps, 2, 10, 77, &v, &P, &err), SCENMC_OK);
    assert_int_equal(P, 10);
    for (int j = 0; j < 2; j++) {
        int used[10] = {0};
        double lo = j ? 2 : 0, hi = j ? 3 : 1;
        for (int i = 0; i < 10; i++) {
            double x = v[2 * i + j];
            assert_true(x >= lo && x <= hi);
            int stratum = (int)floor((x - lo) / (hi - lo) * 10);
            assert_true(stratum >= 0 && stratum < 10);
            used[stratum]++;
        }
        for (int s = 0; s < 10; s++)
            assert_int_equal(used[s], 1);
    }
    free(v);
    for (int j = 0; j < 2; j++)
        scenmc_sweep_param_free(&ps[j]);
    scenmc_model_free(m);
}

static void test_bad_specs(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    static const struct {
        const char *arg, *says;
    } cases[] = {
        {"beta=1:0:0.5", "goes away"},
        {"beta=0:1:0", "step 0"},
        {"beta=0:1:-0.1", "goes away"},
        {"beta=", "expected NAME=SPEC"},
        {"gamma=1,2", "unknown parameter"},
        {"beta=1,x", "'x'"},
        {"beta=-1", "expected beta >= 0"},
        {"rate=0,1", "positive rate"},
        {"rate.XX=1", "unknown descriptor 'XX'"},
        {"cell:EK=Nope,KM=Inga riktade samarbeten=1", "unknown descriptor or variant"},
        {"cell:EK=Balanserad,EK=Utmanande=1", "both variants belong to EK"},
        {"cell:EK=Balanserad,KM=Inga riktade samarbeten=5", "scale"},
        {"initial.EK=Balanserad=1.5", "probability"},
        {"beta=lin:0:1:0", "lin:START:STOP:COUNT"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scenmc_sweep_param p;
        scenmc_error err;
        scenmc_error_clear(&err);
        if (scenmc_sweep_param_parse(m, cases[i].arg, &p, &err) == SCENMC_OK)
            fail_msg("'%s' was accepted", cases[i].arg);
        if (!strstr(err.msg, cases[i].says))
            fail_msg("'%s': message '%s' does not say '%s'", cases[i].arg, err.msg, cases[i].says);
    }
    /* And on the command line: exit status 2. */
    char cmd[512], *out;
    snprintf(cmd, sizeof cmd, "%s sweep --quiet -n 100 --param beta=0:1:0", SCENMC_BINARY);
    assert_int_equal(run_capture(cmd, &out), 2);
    free(out);
    snprintf(cmd, sizeof cmd, "%s sweep --quiet -n 100", SCENMC_BINARY);
    assert_int_equal(run_capture(cmd, &out), 2);
    assert_non_null(strstr(out, "no --param"));
    free(out);
    scenmc_model_free(m);
}

/* Two descriptors; scenario S1 = {A = a1}. The stationary law is
 * pi ~ exp(beta C[s_A][s_B]), so dP(A = a1)/dC[a1][b1] = beta P(a1, b1) (1 - P(a1)) > 0:
 * raising that score must raise P(S1). The paired test must see it clearly. */
static const char two[] =
    "name: two\n"
    "years: {start: 0, end: 8}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2]}\n"
    "  - {id: B, variants: [b1, b2]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[0, 1], [1, 0]]}\n"
    "scenarios:\n"
    "  - {name: S1, when: {A: a1}}\n"
    "  - {name: S2, when: {A: a2}}\n"
    "defaults: {beta: 1, rate: 1}\n";

static void test_cell_sign_and_beta0(void **state)
{
    (void)state;
    scenmc_model *m = model_from_string(two);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 20000;
    scenmc_sensitivity_result s;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_sensitivity(m, &p, 1, 2, NULL, NULL, &s, &err), SCENMC_OK);
    assert_int_equal(s.n_cells, 4);
    for (int c = 0; c < s.n_cells; c++) {
        int a1 = s.u[c] == 0, b1 = s.v[c] == 2;
        double e = s.effect[c * 2 + 0], se = s.stderr_[c * 2 + 0];
        /* Cells with a1 raise P(S1); cells with a2 lower it (by the same argument). */
        double sign = a1 ? 1 : -1;
        if (!(sign * e > 5 * se))
            fail_msg("cell (%d,%d) b1=%d: effect %g, se %g, expected sign %g", s.u[c], s.v[c], b1, e, se,
                     sign);
        assert_close(s.effect[c * 2 + 0], -s.effect[c * 2 + 1], 1e-15);
    }
    scenmc_sensitivity_free(&s);
    /* beta = 0: the matrix has no effect, and common random numbers make it exactly zero. */
    p.beta = 0;
    scenmc_model *dm = default_model();
    scenmc_params q;
    scenmc_params_init(&q, dm);
    q.beta = 0;
    q.n_trajectories = 300;
    assert_int_equal(scenmc_sensitivity(dm, &q, 1, 2, NULL, NULL, &s, &err), SCENMC_OK);
    assert_int_equal(s.n_cells, 371);
    for (int i = 0; i < s.n_cells * s.n_scenarios; i++)
        assert_true(s.effect[i] == 0);
    scenmc_sensitivity_free(&s);
    scenmc_params_free(&q);
    scenmc_model_free(dm);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* A judgement sd of 0 draws the model's own matrix for every member: the pooled
 * counts equal a plain run's (members split the trajectory range). */
static void test_ensemble(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 6000;
    scenmc_results pooled, plain;
    scenmc_ensemble_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options o = {.threads = 2};
    assert_int_equal(scenmc_run_ensemble(m, &p, 7, 0.0, &o, &pooled, &info, &err), SCENMC_OK);
    run_ok(m, &p, &plain);
    assert_int_equal(pooled.n_trajectories, 6000);
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        if (k == SCENMC_T_CONSISTENCY)
            continue; /* binned over the scale for ensembles */
        assert_memory_equal(pooled.t[k].counts, plain.t[k].counts, plain.t[k].size * sizeof(uint64_t));
    }
    scenmc_ensemble_free(&info);
    scenmc_results_free(&pooled);
    /* With noise: quantiles are ordered and the members differ. */
    assert_int_equal(scenmc_run_ensemble(m, &p, 9, 0.8, &o, &pooled, &info, &err), SCENMC_OK);
    int Y = pooled.n_years, S = pooled.n_scenarios;
    for (int l = 1; l < info.n_quantiles; l++)
        for (int i = 0; i < Y * S; i++)
            assert_true(info.quantiles[l * Y * S + i] >= info.quantiles[(l - 1) * Y * S + i]);
    assert_true(info.scenario_prob[(Y - 1) * S] != info.scenario_prob[Y * S + (Y - 1) * S]);
    scenmc_ensemble_free(&info);
    scenmc_results_free(&pooled);
    scenmc_results_free(&plain);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* The same parameter twice would make a grid whose value labels lie: refused. */
static void test_param_twice(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    const char *pairs[][2] = {
        {"beta=0,1", "beta=2,3"},
        {"rate.EK=0.1,0.2", "rate.EK=0.3"},
        {"initial.EK=Omöjligt=0.1,0.2", "initial.EK=Omöjligt=0.3"},
        {"cell:EK=Omöjligt,KM=Inga riktade samarbeten=-3", "cell:KM=Inga riktade samarbeten,EK=Omöjligt=1"},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        scenmc_sweep_param ps[2] = {parse_ok(m, pairs[k][0]), parse_ok(m, pairs[k][1])};
        double *v = NULL;
        int P = 0;
        scenmc_error err;
        scenmc_error_clear(&err);
        if (scenmc_sweep_design(ps, 2, 0, 1, &v, &P, &err) != SCENMC_E_INPUT)
            fail_msg("'%s' and '%s' accepted", pairs[k][0], pairs[k][1]);
        assert_non_null(strstr(err.msg, "is given twice"));
        scenmc_error_clear(&err);
        assert_int_equal(scenmc_sweep_design(ps, 2, 4, 1, &v, &P, &err), SCENMC_E_INPUT);
        scenmc_sweep_param_free(&ps[0]);
        scenmc_sweep_param_free(&ps[1]);
    }
    /* Two different descriptors' rates, a consistency and a cross cell: fine. */
    scenmc_sweep_param ok[2] = {parse_ok(m, "rate.EK=0.1,0.2"), parse_ok(m, "rate.KM=0.3")};
    double *v = NULL;
    int P = 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_sweep_design(ok, 2, 0, 1, &v, &P, &err), SCENMC_OK);
    assert_int_equal(P, 2);
    free(v);
    scenmc_sweep_param_free(&ok[0]);
    scenmc_sweep_param_free(&ok[1]);
    scenmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_equals_standalone_run),
        cmocka_unit_test(test_one_point_sweep_equals_run),
        cmocka_unit_test(test_designs),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_cell_sign_and_beta0),
        cmocka_unit_test(test_ensemble),
        cmocka_unit_test(test_param_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
