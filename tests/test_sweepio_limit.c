/* The limit of 2^21 distinct final states, reached for real (task sweepio,
 * docs/file-format.md section 6.8).
 *
 * A model of 28 binary descriptors (2^28 states) run with beta = 0: every
 * trajectory starts uniform and moves uniformly, so the final states are
 * independent and uniform over M = 2^28 states, and N of them hold
 * M (1 - (1 - 1/M)^N) distinct states on average (the birthday problem):
 * 2 190 994 for N = 2 200 000, above the limit, and 2 088 960 for N = 2^21,
 * below it. Above it the file has no final_state rows and says why; every
 * other table is intact. */
#include "testutil.h"

#include "scenmc/reader.h"
#include "model/results.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D 28

static const char *path(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

static const char *wide_model(void)
{
    const char *p = path("wide28.yaml");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("name: wide28\nyears: {start: 0, end: 1}\ndescriptors:\n", f);
    for (int d = 0; d < D; d++)
        fprintf(f, "  - {id: D%d, variants: [a, b]}\n", d);
    fputs("consistency:\n  - {between: [D0, D1], scores: [[1, 0], [0, 1]]}\n", f);
    fclose(f);
    return p;
}

/* The expected number of distinct states among n uniform draws from m. */
static double expected_distinct(double m, double n)
{
    return m * -expm1(n * log1p(-1 / m));
}

/* Every table but final_state: each year's scenario counts add up to N, each
 * descriptor's two variants add up to N and are within 5 standard deviations
 * of N/2 (beta = 0: uniform). */
static void assert_tables_intact(const scenmc_results *r, uint64_t N)
{
    const scenmc_table *sc = &r->t[SCENMC_T_SCENARIO], *va = &r->t[SCENMC_T_VARIANT];
    assert_int_equal(sc->dims[0], 2);
    assert_int_equal(va->dims[1], 2 * D);
    for (size_t y = 0; y < 2; y++) {
        uint64_t sum = 0;
        for (size_t s = 0; s < sc->dims[1]; s++)
            sum += sc->counts[y * sc->dims[1] + s];
        assert_true(sum == N);
        for (size_t d = 0; d < D; d++) {
            uint64_t a = va->counts[y * va->dims[1] + 2 * d], b = va->counts[y * va->dims[1] + 2 * d + 1];
            assert_true(a + b == N);
            assert_close((double)a, N / 2.0, 5 * sqrt((double)N) / 2);
        }
    }
    uint64_t bins = 0;
    const scenmc_table *c = &r->t[SCENMC_T_CONSISTENCY];
    for (size_t i = c->dims[1]; i < 2 * c->dims[1]; i++)
        bins += c->counts[i];
    assert_true(bins == N);
}

/* The root attribute final_state_dropped, or "" when absent. */
static void dropped_attribute(const char *file, char *text, size_t n)
{
    text[0] = '\0';
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    if (H5Aexists(f, "final_state_dropped") > 0) {
        hid_t a = H5Aopen(f, "final_state_dropped", H5P_DEFAULT), t = H5Aget_type(a);
        char *s = NULL;
        if (H5Tis_variable_str(t) > 0) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            if (H5Aread(a, mt, &s) >= 0 && s)
                snprintf(text, n, "%s", s);
            H5free_memory(s);
            H5Tclose(mt);
        } else {
            size_t len = H5Tget_size(t);
            char *buf = calloc(len + 1, 1);
            if (H5Aread(a, t, buf) >= 0)
                snprintf(text, n, "%s", buf);
            free(buf);
        }
        H5Tclose(t);
        H5Aclose(a);
    }
    H5Fclose(f);
}

static void test_over_the_limit(void **state)
{
    (void)state;
    const uint64_t N = 2200000;
    assert_true(expected_distinct(ldexp(1, D), (double)N) > 2097152 + 50000);
    const char *out = path("over.h5");
    if (sh("%s run %s --beta 0 -n %llu --seed 7 --threads 2 --quiet -o %s", SCENMC_BINARY, wide_model(),
           (unsigned long long)N, out) != 0)
        fail_msg("run failed:\n%s", sh_out);
    scenmc_model *m;
    scenmc_results r;
    read_or_fail(out, &m, &r);
    assert_false(r.full_states);
    assert_int_equal(r.final_state_dropped, SCENMC__FS_TOO_MANY);
    assert_int_equal(r.t[SCENMC_T_FINAL_STATE].size, 0);
    assert_true(r.n_trajectories == N);
    assert_tables_intact(&r, N);
    scenmc_results_free(&r);
    scenmc_model_free(m);
    char why[256];
    dropped_attribute(out, why, sizeof why);
    assert_non_null(strstr(why, "more distinct final states than the limit of 2097152 (2^21)"));
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, out), 0);
    assert_non_null(strstr(sh_out, "no final-state table: more distinct final states than the limit"));
}

/* N = 2^21 trajectories cannot exceed the limit: the table is kept, with the
 * birthday problem's number of distinct states (within 6 standard deviations:
 * the number of repeated draws is close to Poisson, mean and variance
 * N^2 / 2M = 8192). */
static void test_at_the_limit(void **state)
{
    (void)state;
    const uint64_t N = 2097152;
    const char *out = path("at.h5");
    if (sh("%s run %s --beta 0 -n %llu --seed 7 --threads 2 --quiet -o %s", SCENMC_BINARY, wide_model(),
           (unsigned long long)N, out) != 0)
        fail_msg("run failed:\n%s", sh_out);
    scenmc_model *m;
    scenmc_results r;
    read_or_fail(out, &m, &r);
    assert_int_equal(r.final_state_dropped, 0);
    assert_int_equal(r.t[SCENMC_T_FINAL_STATE].size, SCENMC_TOP_STATES);
    double mean = expected_distinct(ldexp(1, D), (double)N);
    assert_close((double)r.n_top_distinct, mean, 6 * sqrt((double)N - mean));
    assert_tables_intact(&r, N);
    scenmc_results_free(&r);
    scenmc_model_free(m);
    char why[256];
    dropped_attribute(out, why, sizeof why);
    assert_string_equal(why, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_over_the_limit),
        cmocka_unit_test(test_at_the_limit),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
