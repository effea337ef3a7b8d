/* The output-path policy (issue 19, items 3, 5 and 6): what every command
 * that writes does with empty, long, special, shared and foreign paths.
 * All files live in a fresh temporary folder. SCENMC_TEST_BINARY, when set,
 * replaces the scenmc under test (to run these tests against an older one). */
#include "testutil.h"
#include "base/atomic_file.h"
#include "scenmc/hpc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *g_bin = SCENMC_BINARY;

static const char *tmp_path(const char *name)
{
    static char buf[32][768];
    static int k;
    k = (k + 1) % 32;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

/* Fails unless the last command exited rc with text in its output. */
static void expect(int got, int rc, const char *text)
{
    if (got != rc || (text && !strstr(sh_out ? sh_out : "", text)))
        fail_msg("exit %d (expected %d, with '%s'):\n%s", got, rc, text ? text : "", sh_out);
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int file_is(const char *path, const char *text)
{
    size_t n;
    char *s = slurp(path, &n);
    int same = s && n == strlen(text) && !memcmp(s, text, n);
    free(s);
    return same;
}

static int is_fifo(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* A small results file: the default model, n trajectories. */
static void make_results(const char *path, int seed)
{
    expect(sh("%s run -n 200 --seed %d --quiet --threads 1 -o %s", g_bin, seed, path), 0, NULL);
}

/* ---------------------------------------------------------------- empty names */

static void test_empty_paths(void **state)
{
    (void)state;
    expect(sh("%s run -n 100 --quiet -o ''", g_bin), 2, "-o");
    expect(sh("%s run -n 100 --quiet -o %s --checkpoint ''", g_bin, tmp_path("e.h5")), 2,
           "--checkpoint");
    assert_int_equal(access(tmp_path("e.h5"), F_OK), -1);
    expect(sh("%s export-model --scw '' --force", g_bin), 2, "--scw");
    expect(sh("%s import %s -o ''", g_bin, src_path("tests/data/csv/consistency.csv")), 2, "-o");
}

/* ---------------------------------------------------------------- long names */

static char *long_name(size_t len, const char *ext)
{
    char *s = calloc(len + 1, 1);
    memset(s, 'x', len - strlen(ext));
    strcat(s, ext);
    return s;
}

static void test_long_names(void **state)
{
    (void)state;
    /* A shard of a sweep: the name fits, so must every temporary behind it. */
    char *n235 = long_name(235, ".h5");
    expect(sh("%s sweep -n 200 --seed 4 --quiet --threads 1 --param beta=0:1:0.5 --shard 1/2 -o %s",
              g_bin, tmp_path(n235)), 0, NULL);
    assert_int_equal(access(tmp_path(n235), F_OK), 0);
    /* A run whose checkpoint name (NAME.ckpt) is exactly 255 bytes. */
    char *n250 = long_name(250, ".h5");
    expect(sh("%s run -n 100 --quiet --threads 1 -o %s", g_bin, tmp_path(n250)), 0, NULL);
    assert_int_equal(access(tmp_path(n250), F_OK), 0);
    /* One byte more and the checkpoint's name cannot exist: refused before computing. */
    char *n251 = long_name(251, ".h5");
    expect(sh("%s run -n 100 --quiet --threads 1 -o %s", g_bin, tmp_path(n251)), 2, "too long");
    free(n235);
    free(n250);
    free(n251);
}

/* ---------------------------------------------------------------- special files */

static void test_special_targets(void **state)
{
    (void)state;
    /* FIFOs named as each command expects its output. */
    const char *fifo[3] = {tmp_path("fifo.h5"), tmp_path("fifo.scw"), tmp_path("fifo.yaml")};
    for (int i = 0; i < 3; i++)
        assert_int_equal(mkfifo(fifo[i], 0600), 0);
    expect(sh("%s run -n 100 --quiet --threads 1 -o %s --force", g_bin, fifo[0]), 2, "regular");
    expect(sh("%s export-model --scw %s --force", g_bin, fifo[1]), 2, "regular");
    expect(sh("%s import %s -o %s --force", g_bin, src_path("tests/data/csv/consistency.csv"),
              fifo[2]), 2, "regular");
    for (int i = 0; i < 3; i++)
        assert_true(is_fifo(fifo[i]));
    const char *res = tmp_path("special.h5");
    make_results(res, 1);
    const char *dir = tmp_path("csvfifo");
    mkdir(dir, 0777);
    char target[900];
    snprintf(target, sizeof target, "%s/scenario.csv", dir);
    assert_int_equal(mkfifo(target, 0600), 0);
    expect(sh("%s export %s --csv %s --force", g_bin, res, dir), 1, "regular");
    assert_true(is_fifo(target));

    /* A device: never written over (checked on /dev/null, which must survive). */
    if (!getenv("SCENMC_TEST_NO_DEVICE")) {
        expect(sh("%s run -n 100 --quiet --threads 1 -o /dev/null --force", g_bin), 2, "regular");
        struct stat st;
        assert_int_equal(stat("/dev/null", &st), 0);
        assert_true(S_ISCHR(st.st_mode));
    }

    /* A symbolic link is refused, with or without --force; what it names is kept. */
    const char *link = tmp_path("link.h5");
    const char *kept = tmp_path("kept.txt");
    put_file(kept, "not scenmc's\n");
    assert_int_equal(symlink(kept, link), 0);
    expect(sh("%s run -n 100 --quiet --threads 1 -o %s --force", g_bin, link), 2, "symbolic link");
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_true(file_is(kept, "not scenmc's\n"));
}

/* ---------------------------------------------------------------- races, temporaries */

static void test_concurrent_claim(void **state)
{
    (void)state;
    const char *out = tmp_path("race.h5");
    /* Four runs long enough to all pass the early check before any finishes. */
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd %s && for i in 1 2 3 4; do (%s run -n 60000 --seed 3 --quiet --threads 1 -o %s "
             ">/dev/null 2>&1; echo $? > rc$i) & done; wait; cat rc1 rc2 rc3 rc4",
             scratch_dir, g_bin, out);
    assert_int_equal(sh("%s", cmd), 0);
    int ok = 0, n = 0;
    for (const char *p = sh_out; *p; p++)
        if (*p >= '0' && *p <= '9') {
            n++;
            ok += *p == '0';
        }
    assert_int_equal(n, 4);
    if (ok != 1)
        fail_msg("%d of 4 concurrent runs to the same -o succeeded; expected exactly 1", ok);
    assert_int_equal(access(out, F_OK), 0);
}

static void test_temp_names_unique_beyond_pid(void **state)
{
    (void)state;
    const char *path = tmp_path("stale.h5");
    /* What an earlier process with this PID could have left. */
    char stale[16][900];
    for (int i = 0; i < 16; i++) {
        snprintf(stale[i], sizeof stale[i], "%s.part-%ld-%d", path, (long)getpid(), i);
        put_file(stale[i], "left over\n");
    }
    char *t = scenmc__atomic_temp_name(path);
    assert_non_null(t);
    for (int i = 0; i < 16; i++) {
        if (!strcmp(t, stale[i]))
            fail_msg("the temporary %s is a file an earlier process left", t);
        assert_true(file_is(stale[i], "left over\n"));
    }
    unlink(t);
    free(t);
}

/* ---------------------------------------------------------------- same file */

static void test_merge_part_is_output(void **state)
{
    (void)state;
    const char *a = tmp_path("pa.h5"), *b = tmp_path("pb.h5");
    expect(sh("%s run -n 200 --seed 9 --quiet --threads 1 --shard 1/2 -o %s", g_bin, a), 0, NULL);
    expect(sh("%s run -n 200 --seed 9 --quiet --threads 1 --shard 2/2 -o %s", g_bin, b), 0, NULL);
    size_t n0;
    char *before = slurp(a, &n0);
    assert_non_null(before);
    /* The same file by another name. */
    expect(sh("cd %s && %s merge pa.h5 pb.h5 -o ./pa.h5 --force --quiet", scratch_dir, g_bin), 2,
           "both a part and the output");
    size_t n1;
    char *after = slurp(a, &n1);
    assert_true(after && n0 == n1 && !memcmp(before, after, n0));
    free(after);
    free(before);
    assert_true(scenmc__same_file(a, tmp_path("./pa.h5")));
    assert_false(scenmc__same_file(a, b));
}

/* ---------------------------------------------------------------- checkpoints */

/* A checkpoint of the default model over [0, n_done) of [0, n_total), recording
 * output (or none); done_last: the range it claims (n_done when honest). */
static void make_checkpoint(const char *path, uint64_t n_total, uint64_t n_done, uint64_t done_last,
                            const char *output)
{
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = n_total;
    p.seed = 21;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {.threads = 1};
    scenmc_range todo = {0, n_done}, done[2];
    size_t nd = 0;
    scenmc_results r;
    assert_int_equal(scenmc_run_ranges(m, &p, &opt, &todo, 1, &r, done, &nd, &err), SCENMC_OK);
    scenmc_range claimed = {0, done_last};
    scenmc_hpc_info info = {0};
    info.checkpoint = 1;
    info.target_last = n_total;
    info.next = done_last;
    info.n_done = 1;
    info.done = &claimed;
    info.output = (char *)output;
    r.first = 0;
    r.last = n_done;
    scenmc_write_options wo = {.command_line = "test", .force = 1};
    assert_int_equal(scenmc_hpc_write(path, &r, &wo, &info, &err), SCENMC_OK);
    scenmc_results_free(&r);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

static void test_checkpoint_not_ours(void **state)
{
    (void)state;
    /* --checkpoint naming a file that is not a checkpoint: kept, with --force too. */
    const char *model = tmp_path("model.yaml");
    put_file(model, "# my model\n");
    const char *out = tmp_path("nc.h5");
    expect(sh("%s run -n 100 --quiet --threads 1 -o %s --checkpoint %s --force", g_bin, out, model), 2,
           "not a checkpoint of this run");
    assert_true(file_is(model, "# my model\n"));
    assert_int_equal(access(out, F_OK), -1);

    /* Another run's checkpoint at --checkpoint B, when resuming A: kept. */
    const char *a = tmp_path("a.ckpt"), *b = tmp_path("b.ckpt");
    make_checkpoint(a, 400, 100, 100, tmp_path("a.h5"));
    make_checkpoint(b, 400, 100, 100, tmp_path("other.h5"));
    size_t n0;
    char *before = slurp(b, &n0);
    expect(sh("%s run --resume %s --checkpoint %s --quiet --threads 1", g_bin, a, b), 2, b);
    expect(sh("%s run --resume %s --checkpoint %s --force --quiet --threads 1", g_bin, a, b), 2,
           "not a checkpoint of this run");
    size_t n1;
    char *after = slurp(b, &n1);
    assert_true(before && after && n0 == n1 && !memcmp(before, after, n0));
    free(before);
    free(after);

    /* A stale checkpoint of the same run is replaced with --force, and removed at the end. */
    const char *c_out = tmp_path("c.h5");
    char c_ck[900];
    snprintf(c_ck, sizeof c_ck, "%s.ckpt", c_out);
    make_checkpoint(c_ck, 400, 100, 100, c_out);
    expect(sh("%s run -n 100 --quiet --threads 1 -o %s", g_bin, c_out), 2, "--resume");
    expect(sh("%s run -n 100 --quiet --threads 1 -o %s --force", g_bin, c_out), 0, NULL);
    assert_int_equal(access(c_ck, F_OK), -1);
}

static void test_resume_without_output(void **state)
{
    (void)state;
    /* Recorded relative: refused, nothing written, the checkpoint kept. */
    const char *rel = tmp_path("rel.ckpt");
    make_checkpoint(rel, 300, 100, 100, "rel-out.h5");
    const char *elsewhere = tmp_path("elsewhere");
    mkdir(elsewhere, 0777);
    expect(sh("cd %s && %s run --resume %s --quiet --threads 1", elsewhere, g_bin, rel), 2, "-o");
    assert_int_equal(access(rel, F_OK), 0);
    assert_int_equal(access(tmp_path("elsewhere/rel-out.h5"), F_OK), -1);
    /* Recorded absolute: written there from any folder, the checkpoint then removed. */
    const char *abs = tmp_path("abs.ckpt");
    const char *abs_out = tmp_path("abs-out.h5");
    make_checkpoint(abs, 300, 100, 100, abs_out);
    expect(sh("cd %s && %s run --resume %s --quiet --threads 1", elsewhere, g_bin, abs), 0, NULL);
    assert_int_equal(access(abs_out, F_OK), 0);
    assert_int_equal(access(abs, F_OK), -1);
    /* A run interrupted in one folder records where its output goes. */
    scenmc_hpc_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    const char *sub = tmp_path("rec");
    mkdir(sub, 0777);
    expect(sh("cd %s && %s run -n 20000000 --seed 2 --threads 1 --max-time 1s --quiet -o r.h5", sub,
              g_bin), 3, NULL);
    assert_int_equal(scenmc_hpc_info_read(tmp_path("rec/r.h5.ckpt"), &info, &err), SCENMC_OK);
    assert_non_null(info.output);
    assert_int_equal(info.output[0], '/');
    assert_non_null(strstr(info.output, "/rec/r.h5"));
    scenmc_hpc_info_free(&info);
}

static void test_damaged_checkpoint_ranges(void **state)
{
    (void)state;
    const char *ck = tmp_path("damaged.ckpt");
    make_checkpoint(ck, 300, 100, 150, tmp_path("damaged.h5")); /* says 150 done, holds 100 */
    expect(sh("%s run --resume %s --quiet --threads 1", g_bin, ck), 2, "damaged");
    assert_int_equal(access(tmp_path("damaged.h5"), F_OK), -1);
}

/* ---------------------------------------------------------------- export */

static void test_export_all_or_nothing(void **state)
{
    (void)state;
    const char *r1 = tmp_path("x1.h5"), *r2 = tmp_path("x2.h5");
    make_results(r1, 1);
    make_results(r2, 2);
    const char *dir = tmp_path("csv");
    expect(sh("%s export %s --csv %s --quiet", g_bin, r1, dir), 0, NULL);
    char scen[900], meta[900];
    snprintf(scen, sizeof scen, "%s/scenario.csv", dir);
    snprintf(meta, sizeof meta, "%s/metadata.csv", dir);
    size_t n0;
    char *before = slurp(scen, &n0);
    assert_non_null(before);
    /* The last file cannot be written: no file may change. */
    assert_int_equal(unlink(meta), 0);
    assert_int_equal(mkdir(meta, 0777), 0);
    expect(sh("%s export %s --csv %s --force --quiet", g_bin, r2, dir), 1, "metadata.csv");
    size_t n1;
    char *after = slurp(scen, &n1);
    assert_true(after && n0 == n1 && !memcmp(before, after, n0));
    free(before);
    free(after);
}

static int setup(void **state)
{
    (void)state;
    if (getenv("SCENMC_TEST_BINARY"))
        g_bin = getenv("SCENMC_TEST_BINARY");
    return scratch_setup(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_paths),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_special_targets),
        cmocka_unit_test(test_concurrent_claim),
        cmocka_unit_test(test_temp_names_unique_beyond_pid),
        cmocka_unit_test(test_merge_part_is_output),
        cmocka_unit_test(test_checkpoint_not_ours),
        cmocka_unit_test(test_resume_without_output),
        cmocka_unit_test(test_damaged_checkpoint_ranges),
        cmocka_unit_test(test_export_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
