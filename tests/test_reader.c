/* Reading results files back: scenmc_results_read, scenmc export, scenmc report and
 * scripts/scenmc-plot (docs/file-format.md). */
#include "testutil.h"
#include "scenmc/reader.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PY "/usr/bin/python3"

static char tmp[256]; /* this run's scratch folder */

static const char *tpath(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, name);
    return buf[k];
}

static int group_setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/scenmc-test-reader-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmp) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return remove_tree(tmp);
}

/* ------------------------------------------------------------------ making results files */

static scenmc_model *load(const char *rel)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_status s = rel ? scenmc_model_load(src_path(rel), &m, &err)
                          : scenmc_model_load_default(&m, &err);
    if (s != SCENMC_OK)
        fail_msg("model did not load:\n%s", err.msg);
    return m;
}

static void write_or_fail(const char *path, const scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_write_options wo = {.command_line = "test_reader", .force = 1};
    if (scenmc_output_write(path, r, &wo, &err) != SCENMC_OK)
        fail_msg("writing %s failed:\n%s", path, err.msg);
}

/* Runs N trajectories of a model (NULL: the built-in one) into r and writes path. */
static scenmc_model *mc_file(const char *rel, uint64_t n, const char *path, scenmc_results *r)
{
    scenmc_model *m = load(rel);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = n;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {.threads = 2};
    if (scenmc_run(m, &p, &opt, r, &err) != SCENMC_OK)
        fail_msg("run failed:\n%s", err.msg);
    scenmc_params_free(&p);
    write_or_fail(path, r);
    return m;
}

static void copy_file(const char *from, const char *to)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    assert_int_equal(system(cmd), 0);
}

/* The default model's 100 000-trajectory... no: a small, quick results file shared by tests. */
static const char *shared_mc(void)
{
    static int made;
    const char *path = tpath("default.h5");
    if (!made) {
        scenmc_results r;
        scenmc_model *m = mc_file(NULL, 20000, path, &r);
        scenmc_results_free(&r);
        scenmc_model_free(m);
        made = 1;
    }
    return path;
}

static const char *shared_exact(void)
{
    static int made;
    const char *path = tpath("exact.h5");
    if (!made) {
        scenmc_model *m = load("tests/data/good/small.yaml");
        scenmc_params p;
        scenmc_params_init(&p, m);
        scenmc_results r;
        scenmc_error err;
        scenmc_error_clear(&err);
        if (scenmc_exact(m, &p, 1, &r, &err) != SCENMC_OK)
            fail_msg("exact failed:\n%s", err.msg);
        write_or_fail(path, &r);
        scenmc_results_free(&r);
        scenmc_params_free(&p);
        scenmc_model_free(m);
        made = 1;
    }
    return path;
}

/* ------------------------------------------------------------------ round trips */

static void same_bits(const void *a, const void *b, size_t n, const char *what, int k)
{
    if ((a == NULL) != (b == NULL))
        fail_msg("%s of table %s: present in one results struct only", what, scenmc_table_names[k]);
    if (a && n && memcmp(a, b, n) != 0)
        fail_msg("%s of table %s differ after the round trip", what, scenmc_table_names[k]);
}

static void assert_same_results(const scenmc_results *a, const scenmc_results *b)
{
    assert_int_equal(a->method, b->method);
    assert_int_equal(a->n_years, b->n_years);
    assert_int_equal(a->n_scenarios, b->n_scenarios);
    assert_int_equal(a->has_unclassified, b->has_unclassified);
    assert_int_equal(a->n_bins, b->n_bins);
    assert_true(a->bin_lo == b->bin_lo && a->bin_width == b->bin_width);
    assert_int_equal(a->full_states, b->full_states);
    assert_true(a->n_states == b->n_states);
    assert_true(a->first == b->first && a->last == b->last);
    assert_true(a->n_trajectories == b->n_trajectories);
    assert_int_equal(a->threads, b->threads);
    assert_true(a->wall_seconds == b->wall_seconds);
    if (a->method == SCENMC_EXACT) {
        assert_true(a->truncation_bound == b->truncation_bound);
        assert_true(a->mem_peak_bytes == b->mem_peak_bytes);
    }
    const scenmc_params *p = &a->params, *q = &b->params;
    assert_true(p->beta == q->beta && p->w_consistency == q->w_consistency &&
                p->w_cross == q->w_cross);
    assert_int_equal(p->n_descriptors, q->n_descriptors);
    assert_int_equal(p->n_variants, q->n_variants);
    assert_memory_equal(p->rate, q->rate, sizeof(double) * (size_t)p->n_descriptors);
    assert_memory_equal(p->initial, q->initial, sizeof(double) * (size_t)p->n_variants);
    assert_int_equal(p->start == NULL, q->start == NULL);
    if (p->start)
        assert_memory_equal(p->start, q->start, sizeof(int) * (size_t)p->n_descriptors);
    assert_int_equal(p->year_start, q->year_start);
    assert_int_equal(p->year_end, q->year_end);
    assert_true(p->seed == q->seed && p->n_trajectories == q->n_trajectories);
    assert_int_equal(p->n_cells, q->n_cells);
    for (int i = 0; i < p->n_cells; i++) {
        assert_int_equal(p->cells[i].u, q->cells[i].u);
        assert_int_equal(p->cells[i].v, q->cells[i].v);
        assert_int_equal(p->cells[i].cross, q->cells[i].cross);
        assert_true(p->cells[i].value == q->cells[i].value);
    }
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        const scenmc_table *s = &a->t[k], *t = &b->t[k];
        assert_int_equal(s->rank, t->rank);
        assert_int_equal(s->size, t->size);
        for (int i = 0; i < s->rank; i++) {
            assert_int_equal(s->dims[i], t->dims[i]);
            assert_int_equal(s->axes[i], t->axes[i]);
        }
        same_bits(s->counts, t->counts, s->size * sizeof(uint64_t), "counts", k);
        same_bits(s->prob, t->prob, s->size * sizeof(double), "probabilities", k);
        same_bits(s->stderr_, t->stderr_, s->size * sizeof(double), "standard errors", k);
    }
    assert_true(a->n_top_distinct == b->n_top_distinct);
    if (!a->full_states)
        same_bits(a->top_state, b->top_state, a->t[SCENMC_T_FINAL_STATE].size * sizeof(uint64_t),
                  "top-state indices", SCENMC_T_FINAL_STATE);
}

static void assert_same_model(const scenmc_model *a, const scenmc_model *b)
{
    assert_int_equal(a->text_len, b->text_len);
    assert_memory_equal(a->text, b->text, a->text_len);
    assert_memory_equal(a->sha256, b->sha256, 32);
    assert_string_equal(a->path, b->path);
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->n_variants, b->n_variants);
}

static void round_trip(const char *rel)
{
    const char *path = tpath("rt.h5");
    scenmc_results r, back;
    scenmc_model *m = mc_file(rel, 3000, path, &r), *m2 = NULL;
    read_or_fail(path, &m2, &back);
    assert_ptr_equal(back.model, m2);
    assert_same_model(m, m2);
    assert_same_results(&r, &back);
    /* Written again from what was read, it reads back the same once more. */
    const char *again = tpath("rt2.h5");
    write_or_fail(again, &back);
    scenmc_results third;
    scenmc_model *m3 = NULL;
    read_or_fail(again, &m3, &third);
    assert_same_results(&r, &third);
    scenmc_results_free(&third);
    scenmc_model_free(m3);
    scenmc_results_free(&back);
    scenmc_model_free(m2);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

static void test_round_trip_monte_carlo(void **state)
{
    (void)state;
    round_trip(NULL);                           /* the built-in model */
    round_trip("tests/data/good/small.yaml");   /* fixed start, own rates, unclassified states */
    round_trip("tests/data/good/example.yaml"); /* cross impacts, bias, labels */
}

/* Matrix-cell overrides (as sweeps and ensembles set them) come back, and with them
 * the wider consistency bins they imply. */
static void test_round_trip_cells(void **state)
{
    (void)state;
    scenmc_model *m = load(NULL);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 2000;
    scenmc_params_add_cell(&p, 0, 4, 0, 2.5);  /* IK=Lokala aktörer x KO=Dyrt, individualiserat */
    scenmc_params_add_cell(&p, 7, 28, 0, -3); /* EK=Omöjligt x KM=Inga riktade samarbeten */
    scenmc_results r, back;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_run(m, &p, NULL, &r, &err), SCENMC_OK);
    const char *path = tpath("cells.h5");
    write_or_fail(path, &r);
    scenmc_model *m2 = NULL;
    read_or_fail(path, &m2, &back);
    assert_int_equal(back.params.n_cells, 2);
    assert_same_results(&r, &back);
    scenmc_results_free(&back);
    scenmc_model_free(m2);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

static void test_round_trip_info(void **state)
{
    (void)state;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_results r;
    scenmc_results_info info;
    assert_int_equal(scenmc_results_read_info(shared_mc(), &m, &r, &info, 0, &err), SCENMC_OK);
    assert_int_equal(info.format_version, SCENMC_RESULTS_FORMAT_VERSION);
    assert_string_equal(info.method, "monte-carlo");
    assert_string_equal(info.engine_version, SCENMC_VERSION);
    assert_string_equal(info.command_line, "test_reader");
    assert_int_equal(strlen(info.created), 20); /* 2026-01-02T03:04:05Z */
    char hex[65];
    scenmc_model_sha256_hex(m, hex);
    assert_string_equal(info.sha256, hex);
    assert_string_equal(info.model_path, m->path);
    assert_true(r.n_trajectories == 20000);
    scenmc_results_info_free(&info);
    scenmc_results_free(&r);
    scenmc_model_free(m);
    /* The unguarded read gives the same. */
    scenmc_results r2;
    assert_int_equal(scenmc_results_read_info(shared_mc(), &m, &r2, NULL, SCENMC_READ_NO_GUARD, &err),
                     SCENMC_OK);
    scenmc_results_free(&r2);
    scenmc_model_free(m);
}

static void test_round_trip_exact(void **state)
{
    (void)state;
    scenmc_model *m = load("tests/data/good/small.yaml");
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_results r, back;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact(m, &p, 1, &r, &err) != SCENMC_OK)
        fail_msg("exact failed:\n%s", err.msg);
    const char *path = tpath("exact-rt.h5");
    write_or_fail(path, &r);
    scenmc_model *m2 = NULL;
    read_or_fail(path, &m2, &back);
    assert_int_equal(back.method, SCENMC_EXACT);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        assert_null(back.t[k].counts);
    assert_same_results(&r, &back);
    scenmc_results_free(&back);
    scenmc_model_free(m2);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* A model with 2^25 states: the final-state table lists top states only. */
static void test_round_trip_top_states(void **state)
{
    (void)state;
    char yaml[8192];
    size_t at = (size_t)snprintf(yaml, sizeof yaml, "name: Many descriptors\n"
                                 "years: {start: 2020, end: 2023}\ndescriptors:\n");
    for (int d = 1; d <= 25; d++)
        at += (size_t)snprintf(yaml + at, sizeof yaml - at,
                               "  - {id: D%d, name: Descriptor %d, variants: [a, b]}\n", d, d);
    snprintf(yaml + at, sizeof yaml - at, "consistency:\n  - between: [D1, D2]\n"
             "    scores: [[2, -1], [-1, 2]]\nscenarios:\n  - name: Both a\n"
             "    when: {D1: a, D2: a}\n");
    scenmc_model *m = model_from_string(yaml);
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 500;
    scenmc_results r, back;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_run(m, &p, NULL, &r, &err), SCENMC_OK);
    assert_int_equal(r.full_states, 0);
    /* As the run left it ... */
    const char *run_path = tpath("top-run.h5");
    write_or_fail(run_path, &r);
    scenmc_model *m1 = NULL;
    scenmc_results r1;
    read_or_fail(run_path, &m1, &r1);
    assert_same_results(&r, &r1);
    scenmc_results_free(&r1);
    scenmc_model_free(m1);
    /* ... and with a hand-made list. */
    /* A hand-made top list of three states, as a top-state tally would leave it. */
    scenmc_table *t = &r.t[SCENMC_T_FINAL_STATE];
    free(t->counts);
    free(t->prob);
    free(t->stderr_);
    t->dims[0] = t->size = 3;
    t->counts = calloc(3, sizeof(uint64_t));
    t->prob = calloc(3, sizeof(double));
    t->stderr_ = calloc(3, sizeof(double));
    free(r.top_state); /* the run's own top list, replaced */
    r.top_state = calloc(3, sizeof(uint64_t));
    uint64_t idx[3] = {33554431, 0, 12345}, cnt[3] = {40, 30, 0};
    for (int i = 0; i < 3; i++) {
        r.top_state[i] = idx[i];
        t->counts[i] = cnt[i];
        t->prob[i] = (double)cnt[i] / 500.0;
        t->stderr_[i] = sqrt(t->prob[i] * (1 - t->prob[i]) / 500.0);
    }
    const char *path = tpath("top.h5");
    write_or_fail(path, &r);
    scenmc_model *m2 = NULL;
    read_or_fail(path, &m2, &back);
    assert_same_results(&r, &back);
    scenmc_results_free(&back);
    scenmc_model_free(m2);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------ damaged and foreign files */

static void expect_read_error(const char *path, scenmc_status code, const char *fragment)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = (scenmc_model *)1;
    scenmc_results r;
    scenmc_status s = scenmc_results_read(path, &m, &r, &err);
    if (s == SCENMC_OK)
        fail_msg("%s: read without an error; expected one containing '%s'", path, fragment);
    assert_int_equal(s, code);
    assert_null(m);
    if (!strstr(err.msg, fragment))
        fail_msg("%s: the message\n%s\ndoes not contain '%s'", path, err.msg, fragment);
    if (!strstr(err.msg, path))
        fail_msg("the message\n%s\ndoes not name the file %s", err.msg, path);
    scenmc_results_free(&r); /* harmless after a failure */
}

static long file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long)st.st_size;
}

static void truncate_half(const char *from, const char *to)
{
    copy_file(from, to);
    assert_int_equal(truncate(to, file_size(to) / 2), 0);
}

/* Overwrites n bytes at offset with a pattern. */
static void overwrite(const char *path, long offset, long n, int byte)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, offset, SEEK_SET), 0);
    for (long i = 0; i < n; i++)
        fputc(byte, f);
    assert_int_equal(fclose(f), 0);
}

static void set_root_int(const char *path, const char *name, int value)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, H5T_NATIVE_INT, &value) >= 0);
    H5Aclose(a);
    H5Fclose(f);
}

static void delete_root_attr(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_true(H5Adelete(f, name) >= 0);
    H5Fclose(f);
}

/* An HDF5 file with a dataset but none of the results attributes. */
static void plain_hdf5(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    hsize_t dims[1] = {4};
    double x[4] = {1, 2, 3, 4};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t d = H5Dcreate2(f, "data", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
    H5Dclose(d);
    H5Sclose(sp);
    H5Fclose(f);
}

static void text_file(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("year,scenario,probability\n2020,A,0.5\n", f);
    fclose(f);
}

/* The damaged files every reader must refuse; the message fragment each gives. */
typedef struct {
    const char *name, *fragment;
} bad_file;

static const bad_file bad_files[] = {
    {"text.csv", "not an HDF5 file"},
    {"plain.h5", "not a scenmc results file (no 'format' attribute)"},
    {"noformat.h5", "not a scenmc results file (no 'format' attribute)"},
    {"v7.h5", "format_version 7; this scenmc"},
    {"half.h5", "damaged"},
};

static void make_bad_files(void)
{
    static int made;
    if (made)
        return;
    text_file(tpath("text.csv"));
    plain_hdf5(tpath("plain.h5"));
    copy_file(shared_mc(), tpath("noformat.h5"));
    delete_root_attr(tpath("noformat.h5"), "format");
    copy_file(shared_mc(), tpath("v7.h5"));
    set_root_int(tpath("v7.h5"), "format_version", 7);
    truncate_half(shared_mc(), tpath("half.h5"));
    /* A sixteenth of the file, from just before the middle, overwritten. */
    copy_file(shared_mc(), tpath("middle.h5"));
    long n = file_size(tpath("middle.h5"));
    overwrite(tpath("middle.h5"), n / 2 - n / 32, n / 16, 0x5A);
    made = 1;
}

static void test_read_rejects(void **state)
{
    (void)state;
    make_bad_files();
    expect_read_error(tpath("text.csv"), SCENMC_E_INPUT, "not an HDF5 file");
    expect_read_error(tpath("plain.h5"), SCENMC_E_INPUT,
                      "an HDF5 file but not a scenmc results file (no 'format' attribute)");
    expect_read_error(tpath("noformat.h5"), SCENMC_E_INPUT, "(no 'format' attribute)");
    expect_read_error(tpath("v7.h5"), SCENMC_E_INPUT, "format_version 7; this scenmc reads versions 1 to 2");
    expect_read_error(tpath("half.h5"), SCENMC_E_INPUT, "truncated or damaged");
    expect_read_error(tpath("middle.h5"), SCENMC_E_INPUT, "middle.h5: ");
    expect_read_error(tpath("no-such-file.h5"), SCENMC_E_IO, "cannot open");
    expect_read_error(tmp, SCENMC_E_INPUT, "is a directory");
    /* The same bytes, read in this process only (no guard), give the same verdicts. */
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m;
    scenmc_results r;
    assert_int_equal(scenmc_results_read_info(tpath("middle.h5"), &m, &r, NULL,
                                              SCENMC_READ_NO_GUARD, &err), SCENMC_E_INPUT);

    /* A results file of another model's shape: a table of the wrong size. */
    const char *wrong = tpath("wrong-shape.h5");
    copy_file(shared_mc(), wrong);
    hid_t f = H5Fopen(wrong, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_true(H5Ldelete(f, "/probability/lock_in", H5P_DEFAULT) >= 0);
    hsize_t dims[2] = {3, 3};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t d = H5Dcreate2(f, "/probability/lock_in", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    H5Dclose(d);
    H5Sclose(sp);
    H5Fclose(f);
    expect_read_error(wrong, SCENMC_E_INPUT, "/probability/lock_in: corrupt or mismatched table");

    /* The other kinds of file with the same format attribute. */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s sweep '%s' --param beta=0:1:0.5 -n 300 -o '%s' --quiet",
             SCENMC_BINARY, src_path("tests/data/good/small.yaml"), tpath("sweep.h5"));
    assert_int_equal(run_capture(cmd, NULL), 0);
    expect_read_error(tpath("sweep.h5"), SCENMC_E_INPUT, "a sweep file (scenmc sweep: 3 parameter");
    snprintf(cmd, sizeof cmd, "%s sensitivity '%s' --method difference -n 300 -o '%s' --quiet", SCENMC_BINARY,
             src_path("tests/data/good/small.yaml"), tpath("sensitivity.h5"));
    assert_int_equal(run_capture(cmd, NULL), 0);
    expect_read_error(tpath("sensitivity.h5"), SCENMC_E_INPUT, "a cell-sensitivity file");

    /* Counts that do not add up. */
    const char *sum = tpath("bad-sum.h5");
    copy_file(shared_mc(), sum);
    f = H5Fopen(sum, H5F_ACC_RDWR, H5P_DEFAULT);
    d = H5Dopen2(f, "/counts/scenario_by_year", H5P_DEFAULT);
    uint64_t c[64 * 8];
    assert_true(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, c) >= 0);
    c[0]++;
    assert_true(H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, c) >= 0);
    H5Dclose(d);
    H5Fclose(f);
    expect_read_error(sum, SCENMC_E_INPUT, "/counts/scenario_by_year: corrupt");
}

/* Damage anywhere: the reader answers (an error, or the data where the damage hit
 * nothing it uses) and never crashes; this process surviving is the test. (A copy
 * where HDF5 would loop forever costs the guard's 10 s before it says so.) */
static void test_read_survives_damage(void **state)
{
    (void)state;
    const char *src = shared_mc(), *bad = tpath("damaged.h5");
    long n = file_size(src);
    int errors = 0, tries = 0;
    for (int k = 1; k < 32; k++) {
        {
            copy_file(src, bad);
            overwrite(bad, n * k / 32, 24, k % 2 ? 0xFF : 0x00);
            scenmc_error err;
            scenmc_error_clear(&err);
            scenmc_model *m = NULL;
            scenmc_results r;
            scenmc_status s = scenmc_results_read(bad, &m, &r, &err);
            tries++;
            if (s == SCENMC_OK) {
                scenmc_results_free(&r);
                scenmc_model_free(m);
            } else {
                errors++;
                assert_non_null(strstr(err.msg, bad));
            }
        }
    }
    /* Most of a results file is data that the reader checks. */
    if (errors < tries / 2)
        fail_msg("only %d of %d damaged copies were refused", errors, tries);
}

/* ------------------------------------------------------------------ CSV export */

typedef struct table_csv {
    int ncol, nrow; /* nrow excludes the header */
    char ***row;    /* [nrow + 1][ncol] */
} table_csv;

/* An RFC 4180 reader: quoted fields with doubled quotes, CRLF or LF line ends. */
static table_csv read_csv(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s: missing", path);
    fseek(f, 0, SEEK_END);
    len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc(len + 1);
    assert_int_equal(fread(text, 1, len, f), len);
    text[len] = '\0';
    fclose(f);
    table_csv t = {0, 0, NULL};
    size_t cap_rows = 0, i = 0;
    char *field = malloc(len + 1);
    while (i < len) {
        char **cells = NULL;
        int n = 0;
        for (;;) {
            size_t k = 0;
            if (text[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len)
                        fail_msg("%s: unterminated quoted field", path);
                    if (text[i] == '"') {
                        if (text[i + 1] == '"') {
                            field[k++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field[k++] = text[i++];
                }
            } else {
                while (i < len && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
                    if (text[i] == '"')
                        fail_msg("%s: a quote inside an unquoted field", path);
                    field[k++] = text[i++];
                }
            }
            field[k] = '\0';
            cells = realloc(cells, (size_t)(n + 1) * sizeof(char *));
            cells[n++] = strdup(field);
            if (i < len && text[i] == ',') {
                i++;
                continue;
            }
            if (i < len && text[i] == '\r')
                i++;
            if (i < len && text[i] == '\n')
                i++;
            break;
        }
        if (t.nrow == 0 && !t.row)
            t.ncol = n;
        else if (n != t.ncol)
            fail_msg("%s: a row of %d fields after a header of %d", path, n, t.ncol);
        if ((size_t)t.nrow + 1 >= cap_rows) {
            cap_rows = cap_rows ? 2 * cap_rows : 256;
            t.row = realloc(t.row, cap_rows * sizeof(char **));
        }
        t.row[t.nrow++] = cells;
    }
    t.nrow--; /* the header */
    free(field);
    free(text);
    return t;
}

static void free_csv(table_csv *t)
{
    for (int r = 0; r <= t->nrow; r++) {
        for (int c = 0; c < t->ncol; c++)
            free(t->row[r][c]);
        free(t->row[r]);
    }
    free(t->row);
}

static int col(const table_csv *t, const char *name)
{
    for (int c = 0; c < t->ncol; c++)
        if (!strcmp(t->row[0][c], name))
            return c;
    fail_msg("no column '%s'", name);
    return -1;
}

static void assert_header(const table_csv *t, const char *const *names)
{
    int n = 0;
    for (; names[n]; n++)
        if (n >= t->ncol || strcmp(t->row[0][n], names[n]) != 0)
            fail_msg("column %d is '%s', expected '%s'", n + 1, n < t->ncol ? t->row[0][n] : "(none)",
                     names[n]);
    assert_int_equal(n, t->ncol);
}

/* Sums the count column over rows grouped by the given key columns; every
 * group must sum to want. Returns the number of groups. */
static int check_group_sums(const table_csv *t, const char *const *keys, uint64_t want,
                            const char *file)
{
    int kc[4], nk = 0, cc = col(t, "count");
    for (; keys[nk]; nk++)
        kc[nk] = col(t, keys[nk]);
    /* Rows of a group need not be adjacent: collect group keys naively. */
    char **gkey = calloc((size_t)t->nrow + 1, sizeof(char *));
    uint64_t *gsum = calloc((size_t)t->nrow + 1, sizeof(uint64_t));
    int ng = 0;
    for (int r = 1; r <= t->nrow; r++) {
        char key[1024] = "";
        for (int k = 0; k < nk; k++) {
            strncat(key, t->row[r][kc[k]], sizeof key - strlen(key) - 2);
            strcat(key, "\x1f");
        }
        int g = 0;
        while (g < ng && strcmp(gkey[g], key) != 0)
            g++;
        if (g == ng)
            gkey[ng++] = strdup(key);
        gsum[g] += strtoull(t->row[r][cc], NULL, 10);
    }
    for (int g = 0; g < ng; g++)
        if (gsum[g] != want)
            fail_msg("%s: the counts of group '%s' sum to %llu, expected %llu", file, gkey[g],
                     (unsigned long long)gsum[g], (unsigned long long)want);
    for (int g = 0; g < ng; g++)
        free(gkey[g]);
    free(gkey);
    free(gsum);
    return ng;
}

static table_csv export_table(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    return read_csv(path);
}

static void test_export_csv(void **state)
{
    (void)state;
    const char *h5 = shared_mc(), *dir = tpath("csv");
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s export '%s' --csv '%s'", SCENMC_BINARY, h5, dir);
    int rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", cmd, rc, out);
    free(out);
    /* Again without --force: refused, nothing overwritten. */
    assert_int_equal(run_capture(cmd, &out), 2); /* bad input, as in every command */
    assert_non_null(strstr(out, "already exists; use --force"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s export '%s' --csv '%s' --force --quiet", SCENMC_BINARY, h5, dir);
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_string_equal(out, "");
    free(out);

    scenmc_model *m = NULL;
    scenmc_results r;
    read_or_fail(h5, &m, &r);
    uint64_t N = r.n_trajectories;
    int Y = r.n_years, D = m->n_descriptors;

    table_csv t = export_table(dir, "scenario");
    assert_header(&t, (const char *const[]){"year", "scenario", "count", "probability", "stderr", NULL});
    assert_int_equal(t.nrow, Y * r.n_scenarios);
    assert_int_equal(check_group_sums(&t, (const char *const[]){"year", NULL}, N, "scenario.csv"), Y);
    for (int i = 0; i < t.nrow; i++) { /* numbers read back to the identical double */
        assert_true(strtod(t.row[i + 1][3], NULL) == r.t[SCENMC_T_SCENARIO].prob[i]);
        assert_true(strtod(t.row[i + 1][4], NULL) == r.t[SCENMC_T_SCENARIO].stderr_[i]);
        assert_true(strtoull(t.row[i + 1][2], NULL, 10) == r.t[SCENMC_T_SCENARIO].counts[i]);
    }
    assert_string_equal(t.row[1][0], "2020");
    assert_string_equal(t.row[1][1], "En gemensam färd");
    free_csv(&t);

    t = export_table(dir, "variant");
    assert_header(&t, (const char *const[]){"year", "descriptor", "variant", "count", "probability",
                                            "stderr", NULL});
    assert_int_equal(check_group_sums(&t, (const char *const[]){"year", "descriptor", NULL}, N,
                                      "variant.csv"), Y * D);
    int comma = 0; /* a name with a comma survives the quoting */
    for (int i = 1; i <= t.nrow; i++)
        comma += !strcmp(t.row[i][2], "Dyrt, individualiserat");
    assert_int_equal(comma, Y);
    free_csv(&t);

    t = export_table(dir, "scenario_variant");
    assert_header(&t, (const char *const[]){"year", "scenario", "descriptor", "variant", "count",
                                            "probability", "stderr", NULL});
    assert_int_equal(check_group_sums(&t, (const char *const[]){"year", "descriptor", NULL}, N,
                                      "scenario_variant.csv"), Y * D);
    free_csv(&t);

    t = export_table(dir, "scenario_transition");
    assert_header(&t, (const char *const[]){"year_from", "from_scenario", "to_scenario", "count",
                                            "probability", "stderr", NULL});
    assert_int_equal(check_group_sums(&t, (const char *const[]){"year_from", NULL}, N,
                                      "scenario_transition.csv"), Y - 1);
    free_csv(&t);

    t = export_table(dir, "early_warning");
    assert_header(&t, (const char *const[]){"year", "descriptor", "variant", "final_scenario", "count",
                                            "probability", "stderr", NULL});
    assert_int_equal(check_group_sums(&t, (const char *const[]){"year", "descriptor", NULL}, N,
                                      "early_warning.csv"), Y * D);
    free_csv(&t);

    t = export_table(dir, "consistency");
    assert_header(&t, (const char *const[]){"year", "consistency", "count", "probability", "stderr",
                                            NULL});
    assert_int_equal(check_group_sums(&t, (const char *const[]){"year", NULL}, N, "consistency.csv"), Y);
    free_csv(&t);

    t = export_table(dir, "lock_in");
    assert_header(&t, (const char *const[]){"year", "final_scenario", "count", "probability", "stderr",
                                            NULL});
    assert_int_equal(check_group_sums(&t, (const char *const[]){NULL}, N, "lock_in.csv"), 1);
    free_csv(&t);

    t = export_table(dir, "final_state");
    assert_int_equal(t.ncol, 1 + D + 5);
    assert_string_equal(t.row[0][0], "state");
    for (int d = 0; d < D; d++)
        assert_string_equal(t.row[0][1 + d], m->descriptors[d].id);
    assert_int_equal(check_group_sums(&t, (const char *const[]){NULL}, N, "final_state.csv"), 1);
    /* Each row's variants are its state index decoded, and K is that state's. */
    int *s = calloc((size_t)D, sizeof(int));
    for (int i = 1; i <= t.nrow; i++) {
        uint64_t idx = strtoull(t.row[i][0], NULL, 10);
        assert_true(strtoull(t.row[i][col(&t, "count")], NULL, 10) > 0);
        scenmc_state_from_index(m, idx, s);
        for (int d = 0; d < D; d++)
            assert_string_equal(t.row[i][1 + d], m->variant_name[m->descriptors[d].offset + s[d]]);
        assert_true(strtod(t.row[i][col(&t, "consistency")], NULL) ==
                    scenmc_model_total_consistency(m, s));
    }
    free(s);
    free_csv(&t);

    t = export_table(dir, "metadata");
    assert_header(&t, (const char *const[]){"key", "value", NULL});
    char hex[65], n_text[32];
    scenmc_model_sha256_hex(m, hex);
    snprintf(n_text, sizeof n_text, "%llu", (unsigned long long)N);
    int seen = 0;
    for (int i = 1; i <= t.nrow; i++) {
        if (!strcmp(t.row[i][0], "model_sha256"))
            seen += !strcmp(t.row[i][1], hex);
        if (!strcmp(t.row[i][0], "n_trajectories"))
            seen += !strcmp(t.row[i][1], n_text);
        if (!strcmp(t.row[i][0], "method"))
            seen += !strcmp(t.row[i][1], "monte-carlo");
        if (!strcmp(t.row[i][0], "model_name"))
            seen += !strcmp(t.row[i][1], m->name);
        if (!strcmp(t.row[i][0], "beta"))
            seen += strtod(t.row[i][1], NULL) == r.params.beta;
    }
    assert_int_equal(seen, 5);
    free_csv(&t);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

static void test_export_exact(void **state)
{
    (void)state;
    const char *h5 = shared_exact(), *dir = tpath("csv-exact");
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s export '%s' --csv '%s' --quiet", SCENMC_BINARY, h5, dir);
    int rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", cmd, rc, out);
    free(out);
    scenmc_model *m = NULL;
    scenmc_results r;
    read_or_fail(h5, &m, &r);
    table_csv t = export_table(dir, "scenario");
    assert_header(&t, (const char *const[]){"year", "scenario", "probability", NULL});
    /* small.yaml has unclassified states: the extra scenario is named so. */
    assert_int_equal(t.nrow, r.n_years * r.n_scenarios);
    int unclassified = 0;
    for (int i = 1; i <= t.nrow; i++) {
        unclassified += !strcmp(t.row[i][1], "unclassified");
        assert_true(strtod(t.row[i][2], NULL) == r.t[SCENMC_T_SCENARIO].prob[i - 1]);
    }
    assert_int_equal(unclassified, r.n_years);
    free_csv(&t);
    t = export_table(dir, "early_warning");
    assert_header(&t, (const char *const[]){"year", "descriptor", "variant", "final_scenario",
                                            "probability", NULL});
    free_csv(&t);
    t = export_table(dir, "metadata");
    int bound = 0;
    for (int i = 1; i <= t.nrow; i++)
        bound += !strcmp(t.row[i][0], "truncation_bound") &&
                 strtod(t.row[i][1], NULL) == r.truncation_bound;
    assert_int_equal(bound, 1);
    free_csv(&t);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------ report */

static void must_contain(const char *out, const char *what, const char *cmd)
{
    if (!strstr(out, what))
        fail_msg("'%s' printed no '%s':\n%s", cmd, what, out);
}

static void test_report(void **state)
{
    (void)state;
    const char *h5 = shared_mc();
    scenmc_model *m = NULL;
    scenmc_results r;
    read_or_fail(h5, &m, &r);
    int S = r.n_scenarios, Y = r.n_years, V = m->n_variants;
    const scenmc_table *sc = &r.t[SCENMC_T_SCENARIO];
    char hex[65], want[256];
    scenmc_model_sha256_hex(m, hex);
    for (int fmt = 0; fmt < 2; fmt++) {
        char cmd[2048], *out = NULL;
        snprintf(cmd, sizeof cmd, "%s report '%s'%s", SCENMC_BINARY, h5,
                 fmt ? " --format text" : "");
        int rc = run_capture(cmd, &out);
        if (rc != 0)
            fail_msg("%s: exit %d\n%s", cmd, rc, out);
        must_contain(out, hex, cmd);
        must_contain(out, m->name, cmd);
        must_contain(out, "test_reader", cmd); /* the command line that made it */
        snprintf(want, sizeof want, "seed %llu", (unsigned long long)r.params.seed);
        must_contain(out, want, cmd);
        /* Every scenario's probability, in the first and the final year. */
        for (int s = 0; s < S; s++)
            for (int y = 0; y < Y; y += Y - 1) {
                size_t i = (size_t)y * (size_t)S + (size_t)s;
                snprintf(want, sizeof want, "%.4f ± %.4f", sc->prob[i], sc->stderr_[i]);
                must_contain(out, want, cmd);
            }
        if (!fmt) {
            /* The strongest early-warning signal for the first scenario, in start + 3. */
            int y = 3, best = -1;
            double base = sc->prob[(size_t)(Y - 1) * (size_t)S], bs = -1;
            const scenmc_table *ew = &r.t[SCENMC_T_EARLY_WARNING], *va = &r.t[SCENMC_T_VARIANT];
            for (int v = 0; v < V; v++) {
                double p = ew->prob[((size_t)y * (size_t)V + (size_t)v) * (size_t)S];
                if (va->prob[(size_t)y * (size_t)V + (size_t)v] > 0 && fabs(p - base) > bs) {
                    bs = fabs(p - base);
                    best = v;
                }
            }
            size_t i = ((size_t)y * (size_t)V + (size_t)best) * (size_t)S;
            snprintf(want, sizeof want, "| %s: %s | %.4f | %.4f ± %.4f | %+.1f pp |",
                     m->descriptors[m->variant_descriptor[best]].id, m->variant_name[best],
                     va->prob[(size_t)y * (size_t)V + (size_t)best], ew->prob[i], ew->stderr_[i],
                     100 * (ew->prob[i] - base));
            must_contain(out, want, cmd);
            must_contain(out, "## Early-warning signals in 2023", cmd);
            /* The most frequent final state and its K. */
            const scenmc_table *fs = &r.t[SCENMC_T_FINAL_STATE];
            size_t top = 0;
            for (size_t k = 1; k < fs->size; k++)
                if (fs->prob[k] > fs->prob[top])
                    top = k;
            int st[64];
            scenmc_state_from_index(m, top, st);
            snprintf(want, sizeof want, "| 1 | %.4f ± %.4f | %g |", fs->prob[top], fs->stderr_[top],
                     scenmc_model_total_consistency(m, st));
            must_contain(out, want, cmd);
        }
        free(out);
    }
    /* An exact file: probabilities without ±. */
    scenmc_model *me = NULL;
    scenmc_results re;
    read_or_fail(shared_exact(), &me, &re);
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s report '%s' --year 2002 --top 4", SCENMC_BINARY, shared_exact());
    int rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", cmd, rc, out);
    snprintf(want, sizeof want, "| 2005 | %.6f |", re.t[SCENMC_T_SCENARIO].prob[(size_t)5 * (size_t)re.n_scenarios]);
    must_contain(out, want, cmd);
    must_contain(out, "exact (uniformization)", cmd);
    must_contain(out, "Early-warning signals in 2002", cmd);
    free(out);
    /* A year outside the file. */
    snprintf(cmd, sizeof cmd, "%s report '%s' --year 1990", SCENMC_BINARY, shared_exact());
    assert_int_equal(run_capture(cmd, &out), 2);
    must_contain(out, "covers 2000 to 2005", cmd);
    free(out);
    scenmc_results_free(&re);
    scenmc_model_free(me);
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

/* ------------------------------------------------------------------ every command refuses */

static int have_python(void)
{
    static int known = -1;
    if (known < 0)
        known = run_capture(PY " -c 'import h5py, matplotlib, numpy'", NULL) == 0;
    return known;
}

static void expect_refusal(const char *cmd, int status, const char *fragment)
{
    char *out = NULL;
    int rc = run_capture(cmd, &out);
    if (rc != status || !strstr(out, fragment))
        fail_msg("'%s': exit %d (expected %d), output:\n%s(expected it to contain '%s')", cmd, rc,
                 status, out, fragment);
    free(out);
}

static void test_commands_reject(void **state)
{
    (void)state;
    make_bad_files();
    if (have_python()) { /* also a file made by h5py, without the attributes */
        char cmd[1024];
        snprintf(cmd, sizeof cmd, PY " -c \"import h5py; f = h5py.File('%s', 'w'); "
                 "f['probability/scenario'] = [[0.5, 0.5]]; f.close()\"", tpath("h5py.h5"));
        assert_int_equal(run_capture(cmd, NULL), 0);
    }
    for (size_t b = 0; b < sizeof bad_files / sizeof bad_files[0] + 2; b++) {
        const char *name = b < sizeof bad_files / sizeof bad_files[0] ? bad_files[b].name
                         : b == sizeof bad_files / sizeof bad_files[0] ? "h5py.h5" : "middle.h5";
        const char *frag = b < sizeof bad_files / sizeof bad_files[0] ? bad_files[b].fragment
                         : b == sizeof bad_files / sizeof bad_files[0]
                             ? "not a scenmc results file (no 'format' attribute)" : "middle.h5: ";
        if (!strcmp(name, "h5py.h5") && !have_python())
            continue;
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "%s export '%s' --csv '%s'", SCENMC_BINARY, tpath(name),
                 tpath("csv-bad"));
        expect_refusal(cmd, 2, frag);
        snprintf(cmd, sizeof cmd, "%s report '%s'", SCENMC_BINARY, tpath(name));
        expect_refusal(cmd, 2, frag);
        /* The plot script reads only what it draws: damage elsewhere may pass unseen. */
        if (have_python() && strcmp(name, "middle.h5") != 0) {
            snprintf(cmd, sizeof cmd, PY " '%s' '%s' -o '%s'", src_path("scripts/scenmc-plot"),
                     tpath(name), tpath("fig-bad"));
            expect_refusal(cmd, 2, strcmp(name, "half.h5") ? frag : "damaged");
        }
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s report '%s'", SCENMC_BINARY, tpath("no-such.h5"));
    expect_refusal(cmd, 1, "cannot open");
    snprintf(cmd, sizeof cmd, "%s export '%s'", SCENMC_BINARY, shared_mc());
    expect_refusal(cmd, 2, "expected --csv DIR");
    snprintf(cmd, sizeof cmd, "%s report", SCENMC_BINARY);
    expect_refusal(cmd, 2, "no results file given");
    snprintf(cmd, sizeof cmd, "%s report '%s' --format html", SCENMC_BINARY, shared_mc());
    expect_refusal(cmd, 2, "expected markdown or text");
    if (have_python()) {
        snprintf(cmd, sizeof cmd, PY " '%s' '%s' -o '%s'", src_path("scripts/scenmc-plot"),
                 tpath("no-such.h5"), tpath("fig-bad"));
        expect_refusal(cmd, 1, "no such file");
        snprintf(cmd, sizeof cmd, PY " '%s' '%s' -o '%s' --format png,xyz",
                 src_path("scripts/scenmc-plot"), shared_mc(), tpath("fig-bad"));
        expect_refusal(cmd, 2, "--format xyz");
    }
}

/* ------------------------------------------------------------------ the file as others read it */

static const char axes_py[] =
    "import sys, h5py\n"
    "f = h5py.File(sys.argv[1], 'r')\n"
    "want = {'scenario_by_year': ['year', 'scenario'], 'variant_by_year': ['year', 'variant'],\n"
    "        'scenario_variant': ['year', 'scenario', 'variant'],\n"
    "        'scenario_transition': ['year_from', 'from_scenario', 'to_scenario'],\n"
    "        'early_warning': ['year', 'variant', 'final_scenario'],\n"
    "        'consistency_by_year': ['year', 'consistency'], 'lock_in': ['year', 'final_scenario'],\n"
    "        'final_state': ['state']}\n"
    "scale = {'year': '/year', 'year_from': '/year_from', 'scenario': '/scenario',\n"
    "         'from_scenario': '/from_scenario', 'to_scenario': '/to_scenario',\n"
    "         'final_scenario': '/final_scenario', 'variant': '/variant',\n"
    "         'consistency': '/consistency_bin', 'state': '/state'}\n"
    "groups = ['probability'] + ([] if f.attrs['method'] == 'exact' else ['counts', 'stderr'])\n"
    "n = 0\n"
    "for g in groups:\n"
    "    # the tables, and the group's own copy of the coordinates (format version 2)\n"
    "    assert sorted(f[g].keys()) == sorted(list(want) + [v[1:] for v in scale.values()]), \\\n"
    "        (g, sorted(f[g].keys()))\n"
    "    for name, labels in want.items():\n"
    "        d = f[g][name]\n"
    "        assert [x.label for x in d.dims] == labels, (g, name, [x.label for x in d.dims])\n"
    "        for i, lab in enumerate(labels):\n"
    "            assert len(d.dims[i]) == 1, (g, name, i, 'no scale attached')\n"
    "            s = d.dims[i][0]\n"
    "            assert s.name == '/' + g + scale[lab], (g, name, i, s.name)\n"
    "            assert s.shape[0] == d.shape[i], (g, name, i, s.shape, d.shape)\n"
    "            n += 1\n"
    "assert list(f['year'][()]) == list(range(f['params/years'][0], f['params/years'][1] + 1))\n"
    "assert f['scenario'].attrs['NAME'] == b'scenario'\n"
    "assert [x.decode() if isinstance(x, bytes) else x for x in f['variant'][:1]][0].startswith"
    "(f['model/descriptor_id'][0].decode() + ': ')\n"
    "print('AXES OK', n)\n";

static void test_axes_with_h5py(void **state)
{
    (void)state;
    if (!have_python()) {
        print_message("skipped: " PY " lacks h5py, matplotlib or numpy\n");
        skip();
    }
    const char *script = tpath("axes.py");
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs(axes_py, f);
    fclose(f);
    const char *files[2] = {shared_mc(), shared_exact()};
    for (int i = 0; i < 2; i++) {
        char cmd[2048], *out = NULL;
        snprintf(cmd, sizeof cmd, PY " '%s' '%s'", script, files[i]);
        int rc = run_capture(cmd, &out);
        if (rc != 0 || !strstr(out, "AXES OK"))
            fail_msg("%s: exit %d\n%s", cmd, rc, out);
        free(out);
    }
}

/* ------------------------------------------------------------------ plots */

static int is_png(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char sig[8] = {0};
    size_t n = fread(sig, 1, 8, f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    return n == 8 && !memcmp(sig, "\x89PNG\r\n\x1a\n", 8) && size > 1000;
}

static void test_plot(void **state)
{
    (void)state;
    if (!have_python()) {
        print_message("skipped: " PY " lacks h5py, matplotlib or numpy\n");
        skip();
    }
    /* A small results file from the command line, as a user makes one. */
    const char *h5 = tpath("plot.h5"), *dir = tpath("figures");
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s run -n 20000 -o '%s' --quiet", SCENMC_BINARY, h5);
    assert_int_equal(run_capture(cmd, NULL), 0);
    snprintf(cmd, sizeof cmd, PY " '%s' '%s' -o '%s' --dpi 60", src_path("scripts/scenmc-plot"), h5,
             dir);
    int rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", cmd, rc, out);
    free(out);
    static const char *const figs[] = {"scenarios", "characteristics", "pathways", "early_warning",
                                       "consistency"};
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        char png[1024];
        snprintf(png, sizeof png, "%s/%s.png", dir, figs[i]);
        if (!is_png(png))
            fail_msg("%s: missing, empty or not a PNG", png);
    }
    /* An exact file, English labels, another year, PNG and PDF. */
    const char *dir2 = tpath("figures-exact");
    snprintf(cmd, sizeof cmd, PY " '%s' '%s' -o '%s' --dpi 60 --labels en --year 2001 "
             "--format png,pdf --only scenarios,early_warning", src_path("scripts/scenmc-plot"),
             shared_exact(), dir2);
    rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", cmd, rc, out);
    free(out);
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s/early_warning.png", dir2);
    snprintf(p2, sizeof p2, "%s/scenarios.pdf", dir2);
    assert_true(is_png(p1));
    assert_true(file_size(p2) > 1000);
    snprintf(p2, sizeof p2, "%s/pathways.png", dir2);
    assert_int_not_equal(access(p2, F_OK), 0); /* --only */
    /* A sweep file and a cell-sensitivity file each get their own figure. */
    const char *kinds[2][2] = {{"sweep.h5", "sweep"}, {"sensitivity.h5", "sensitivity"}};
    for (int i = 0; i < 2; i++) {
        const char *h = tpath(kinds[i][0]);
        if (access(h, F_OK) != 0) { /* made by test_read_rejects; make it here if run alone */
            snprintf(cmd, sizeof cmd, "%s %s '%s' %s -n 300 -o '%s' --quiet", SCENMC_BINARY,
                     kinds[i][1], src_path("tests/data/good/small.yaml"),
                     i ? "--method difference" : "--param beta=0:1:0.5", h);
            assert_int_equal(run_capture(cmd, NULL), 0);
        }
        snprintf(cmd, sizeof cmd, PY " '%s' '%s' -o '%s' --dpi 50", src_path("scripts/scenmc-plot"),
                 h, tpath("figures-kinds"));
        rc = run_capture(cmd, &out);
        if (rc != 0)
            fail_msg("%s: exit %d\n%s", cmd, rc, out);
        free(out);
        snprintf(p1, sizeof p1, "%s/%s.png", tpath("figures-kinds"), kinds[i][1]);
        if (!is_png(p1))
            fail_msg("%s: missing, empty or not a PNG", p1);
    }
    /* --help works and names the figures. */
    snprintf(cmd, sizeof cmd, PY " '%s' --help", src_path("scripts/scenmc-plot"));
    assert_int_equal(run_capture(cmd, &out), 0);
    assert_non_null(strstr(out, "early_warning"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_monte_carlo),
        cmocka_unit_test(test_round_trip_cells),
        cmocka_unit_test(test_round_trip_info),
        cmocka_unit_test(test_round_trip_exact),
        cmocka_unit_test(test_round_trip_top_states),
        cmocka_unit_test(test_read_rejects),
        cmocka_unit_test(test_read_survives_damage),
        cmocka_unit_test(test_export_csv),
        cmocka_unit_test(test_export_exact),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_commands_reject),
        cmocka_unit_test(test_axes_with_h5py),
        cmocka_unit_test(test_plot),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
