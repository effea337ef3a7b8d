/* Golden fingerprints: the results of `scenmc run` and `scenmc exact` on the
 * built-in model, recorded before the code was reorganised (tests/data/golden/).
 * Any change to the layout of the code must leave them as they are:
 * - run: every count table of the results file, byte for byte (FNV-1a hash),
 *   for seeds 1 and 2, 1 and 2 threads, beta 0.5 and 1;
 * - exact: every probability table within 1e-15 (the final-state table by its
 *   sum and its index-weighted sum).
 * SCENMC_GOLDEN_WRITE=1 rewrites the data files instead of checking them (only
 * ever do that on a commit whose counts are known to be right). */
#include "testutil.h"

#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const count_tables[] = {"consistency", "early_warning", "final_state",
                                           "lock_in", "scenario", "scenario_transition",
                                           "scenario_variant", "variant"};
#define N_TABLES (sizeof count_tables / sizeof count_tables[0])
/* Their datasets in the file (format version 2 renamed three: *_by_year); the
 * golden data keep the table names above. */
static const char *const h5_names[N_TABLES] = {"consistency_by_year", "early_warning", "final_state",
                                               "lock_in", "scenario_by_year", "scenario_transition",
                                               "scenario_variant", "variant_by_year"};

static int writing(void)
{
    const char *w = getenv("SCENMC_GOLDEN_WRITE");
    return w && strcmp(w, "1") == 0;
}

/* A whole dataset as native unsigned 64-bit integers or doubles (malloc'd). */
static void *read_dataset(hid_t f, const char *name, hid_t mem, size_t elem, size_t *n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0)
        fail_msg("%s: missing", name);
    hid_t s = H5Dget_space(d);
    hssize_t count = H5Sget_simple_extent_npoints(s);
    void *buf = malloc((size_t)(count > 0 ? count : 1) * elem);
    if (H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        fail_msg("%s: cannot read", name);
    H5Sclose(s);
    H5Dclose(d);
    *n = (size_t)count;
    return buf;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* FNV-1a over every count table and the final-state labels of a results file. */
static uint64_t counts_fingerprint(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("%s: cannot open", path);
    uint64_t h = 14695981039346656037ull;
    for (size_t t = 0; t < N_TABLES + 1; t++) {
        char name[64];
        if (t < N_TABLES)
            snprintf(name, sizeof name, "/counts/%s", h5_names[t]);
        else
            snprintf(name, sizeof name, "/state");
        size_t n;
        uint64_t *v = read_dataset(f, name, H5T_NATIVE_UINT64, sizeof *v, &n);
        h = fnv1a(h, &n, sizeof n);
        h = fnv1a(h, v, n * sizeof *v);
        free(v);
    }
    H5Fclose(f);
    return h;
}

static void run_cli(const char *args, const char *out)
{
    char cmd[1024], *log = NULL;
    snprintf(cmd, sizeof cmd, "%s %s --quiet --force -o %s", SCENMC_BINARY, args, out);
    int rc = run_capture(cmd, &log);
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", cmd, rc, log);
    free(log);
}

static void test_run_counts(void **state)
{
    (void)state;
    const char *golden = src_path("tests/data/golden/run_counts.txt");
    FILE *g = fopen(golden, writing() ? "w" : "r");
    assert_non_null(g);
    char dir[] = "/tmp/scenmc-golden-XXXXXX", out[64];
    assert_non_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/run.h5", dir);
    static const char *const betas[] = {"0.5", "1"};
    for (int seed = 1; seed <= 2; seed++)
        for (int b = 0; b < 2; b++)
            for (int threads = 1; threads <= 2; threads++) {
                char args[256];
                snprintf(args, sizeof args, "run -n 100000 --seed %d --beta %s --threads %d",
                         seed, betas[b], threads);
                run_cli(args, out);
                uint64_t h = counts_fingerprint(out);
                if (writing()) {
                    fprintf(g, "%s %016" PRIx64 "\n", args, h);
                    continue;
                }
                char line[512], want[512];
                snprintf(want, sizeof want, "%s %016" PRIx64 "\n", args, h);
                if (!fgets(line, sizeof line, g))
                    fail_msg("%s: no line for '%s'", golden, args);
                if (strcmp(line, want) != 0)
                    fail_msg("golden counts changed:\n  recorded %s  now      %s", line, want);
            }
    fclose(g);
    unlink(out);
    rmdir(dir);
}

/* Every probability of the exact tables, one "name index value" line each. */
static void exact_values(const char *path, const char *label, FILE *g)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("%s: cannot open", path);
    for (size_t t = 0; t < N_TABLES; t++) {
        char name[64];
        snprintf(name, sizeof name, "/probability/%s", h5_names[t]);
        size_t n;
        double *v = read_dataset(f, name, H5T_NATIVE_DOUBLE, sizeof *v, &n);
        int summarise = strcmp(count_tables[t], "final_state") == 0;
        if (summarise) { /* 27 648 states: two moments stand for them */
            double s = 0, si = 0;
            for (size_t i = 0; i < n; i++) {
                s += v[i];
                si += v[i] * (double)i;
            }
            fprintf(g, "%s %s sum %.17g\n%s %s isum %.17g\n", label, count_tables[t], s, label,
                    count_tables[t], si / (double)n);
        } else {
            for (size_t i = 0; i < n; i++)
                fprintf(g, "%s %s %zu %.17g\n", label, count_tables[t], i, v[i]);
        }
        free(v);
    }
    H5Fclose(f);
}

static void compare_values(const char *recorded, const char *now)
{
    FILE *a = fopen(recorded, "r"), *b = fopen(now, "r");
    assert_non_null(a);
    assert_non_null(b);
    char la[256], lb[256];
    int lines = 0;
    while (fgets(la, sizeof la, a)) {
        if (!fgets(lb, sizeof lb, b))
            fail_msg("exact: fewer values than recorded (%d)", lines);
        char ka[128], kb[128];
        double va, vb;
        char *sa = strrchr(la, ' '), *sb = strrchr(lb, ' ');
        assert_non_null(sa);
        assert_non_null(sb);
        snprintf(ka, sizeof ka, "%.*s", (int)(sa - la), la);
        snprintf(kb, sizeof kb, "%.*s", (int)(sb - lb), lb);
        va = strtod(sa + 1, NULL);
        vb = strtod(sb + 1, NULL);
        if (strcmp(ka, kb) != 0)
            fail_msg("exact: recorded '%s', now '%s'", ka, kb);
        if (!(fabs(va - vb) <= 1e-15))
            fail_msg("exact: %s recorded %.17g, now %.17g", ka, va, vb);
        lines++;
    }
    if (fgets(lb, sizeof lb, b))
        fail_msg("exact: more values than recorded (%d)", lines);
    assert_true(lines > 1000);
    fclose(a);
    fclose(b);
}

static void test_exact_probabilities(void **state)
{
    (void)state;
    const char *golden = src_path("tests/data/golden/exact.txt");
    char dir[] = "/tmp/scenmc-golden-XXXXXX", out[64], now[64];
    assert_non_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/exact.h5", dir);
    snprintf(now, sizeof now, "%s/exact.txt", dir);
    FILE *g = fopen(now, "w");
    assert_non_null(g);
    static const char *const betas[] = {"0.5", "1"};
    for (int b = 0; b < 2; b++) {
        char args[128], label[32];
        snprintf(args, sizeof args, "exact --beta %s --threads 2", betas[b]);
        snprintf(label, sizeof label, "beta=%s", betas[b]);
        run_cli(args, out);
        exact_values(out, label, g);
    }
    fclose(g);
    if (writing()) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "cp %s %s", now, golden);
        assert_int_equal(system(cmd), 0);
    } else {
        compare_values(golden, now);
    }
    unlink(out);
    unlink(now);
    rmdir(dir);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_counts),
        cmocka_unit_test(test_exact_probabilities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
