/* Beyond one machine (docs/hpc.md): ranges and shards, checkpoints, merge,
 * MPI ranks, signals. The promise under test: however the trajectories are
 * split (threads, MPI ranks, shards, interruptions and resumptions), the
 * tables read back are bit for bit those of one plain run.
 *
 * The command-line tests run the scenmc binary; those that need mpirun skip
 * (saying so) where MPI is not built in or mpirun is missing. */
#include "testutil.h"
#include "io/h5.h" /* the tables' dataset names (format version 2) */

#include "scenmc/hpc.h"
#include "scenmc/reader.h"
#include "io/mpi.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char g_dir[256];

static const char *tmp_path(const char *name)
{
    static char buf[64][512];
    static int k;
    k = (k + 1) % 64;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
    return buf[k];
}

/* mpirun as root in a container: allow root, more ranks than cores, no binding
 * (OpenMP threads inside a rank), and no leak reports from Open MPI under ASan. */
#define MPIRUN "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " \
               "ASAN_OPTIONS=detect_leaks=0 mpirun --oversubscribe --bind-to none"

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL);
}

static int has_mpirun(void)
{
    static int known = -1;
    if (known < 0)
        known = scenmc__mpi_built() && sh("command -v mpirun") == 0;
    return known;
}

#define SKIP_WITHOUT_MPI()                                                                 \
    do {                                                                                   \
        if (!has_mpirun()) {                                                               \
            print_message("skipped: %s\n", scenmc__mpi_built() ? "no mpirun on PATH"        \
                                                               : "built without MPI");     \
            skip();                                                                        \
        }                                                                                  \
    } while (0)

/* Counts and probabilities bit for bit, and the trajectory range. */
static void assert_same_results(const char *a, const char *b)
{
    scenmc_model *ma, *mb;
    scenmc_results ra, rb;
    read_or_fail(a, &ma, &ra);
    read_or_fail(b, &mb, &rb);
    if (ra.n_trajectories != rb.n_trajectories || ra.first != rb.first || ra.last != rb.last)
        fail_msg("%s has %llu trajectories [%llu, %llu), %s %llu [%llu, %llu)", a,
                 (unsigned long long)ra.n_trajectories, (unsigned long long)ra.first,
                 (unsigned long long)ra.last, b, (unsigned long long)rb.n_trajectories,
                 (unsigned long long)rb.first, (unsigned long long)rb.last);
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        const scenmc_table *x = &ra.t[k], *y = &rb.t[k];
        if (x->size != y->size)
            fail_msg("table %s: %zu cells in %s, %zu in %s", scenmc_table_names[k], x->size, a, y->size, b);
        if (memcmp(x->counts, y->counts, x->size * sizeof(uint64_t)) != 0)
            fail_msg("table %s: the counts of %s and %s differ", scenmc_table_names[k], a, b);
        if (memcmp(x->prob, y->prob, x->size * sizeof(double)) != 0)
            fail_msg("table %s: the probabilities of %s and %s differ", scenmc_table_names[k], a, b);
    }
    scenmc_results_free(&ra);
    scenmc_results_free(&rb);
    scenmc_model_free(ma);
    scenmc_model_free(mb);
}

/* One dataset of two HDF5 files, byte for byte. */
static int same_dataset(const char *a, const char *b, const char *name)
{
    void *buf[2] = {NULL, NULL};
    size_t size[2] = {0, 0};
    const char *files[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        hid_t f = H5Fopen(files[i], H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f < 0)
            return 0;
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        if (d < 0) {
            H5Fclose(f);
            return 0;
        }
        hid_t t = H5Dget_type(d), nt = H5Tget_native_type(t, H5T_DIR_ASCEND);
        hid_t sp = H5Dget_space(d);
        size[i] = (size_t)H5Sget_simple_extent_npoints(sp) * H5Tget_size(nt);
        buf[i] = calloc(size[i] + 1, 1);
        if (size[i])
            H5Dread(d, nt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf[i]);
        H5Sclose(sp);
        H5Tclose(nt);
        H5Tclose(t);
        H5Dclose(d);
        H5Fclose(f);
    }
    int same = size[0] == size[1] && memcmp(buf[0], buf[1], size[0]) == 0;
    free(buf[0]);
    free(buf[1]);
    return same;
}

static void assert_same_sweep(const char *a, const char *b)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    static const char *const groups[] = {"counts", "probability", "stderr"};
    for (int g = 0; g < 3; g++)
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            char name[128];
            snprintf(name, sizeof name, "/%s/%s", groups[g], scenmc__table_h5_names[k]);
            if (!same_dataset(a, b, name))
                fail_msg("%s differs between %s and %s", name, a, b);
        }
    if (!same_dataset(a, b, "/sweep/value") || !same_dataset(a, b, "/point"))
        fail_msg("/sweep/value or /point differs between %s and %s", a, b);
}

/* ---------------------------------------------------------------- ranges, durations */

static void test_slices_and_ranges(void **state)
{
    (void)state;
    /* Slices are disjoint, cover the range, and follow [N(k-1)/M, Nk/M). */
    uint64_t Ns[] = {1, 7, 1000, 1000003, UINT64_C(9000000000000000000)};
    for (size_t i = 0; i < sizeof Ns / sizeof Ns[0]; i++)
        for (uint64_t M = 1; M <= 9; M++) {
            uint64_t at = 5;
            for (uint64_t k = 1; k <= M; k++) {
                scenmc_range s = scenmc_slice(5, 5 + Ns[i], k, M);
                assert_true(s.first == at);
                assert_true(s.last >= s.first);
                at = s.last;
            }
            assert_true(at == 5 + Ns[i]);
        }
    scenmc_range s = scenmc_slice(0, 10, 2, 3);
    assert_true(s.first == 3 && s.last == 6);

    scenmc_range r[5] = {{30, 40}, {0, 10}, {10, 20}, {50, 50}, {60, 70}};
    size_t n = scenmc_ranges_normalize(r, 5);
    assert_int_equal(n, 3);
    assert_true(r[0].first == 0 && r[0].last == 20 && r[1].first == 30 && r[2].last == 70);
    assert_true(scenmc_ranges_count(r, n) == 40);
    scenmc_range ov[2] = {{0, 10}, {5, 20}};
    assert_true(scenmc_ranges_normalize(ov, 2) == (size_t)-1);

    scenmc_range c[4];
    size_t nc = scenmc_ranges_complement(r, n, 0, 100, c);
    assert_int_equal(nc, 3);
    assert_true(c[0].first == 20 && c[0].last == 30 && c[1].first == 40 && c[1].last == 60 &&
                c[2].first == 70 && c[2].last == 100);
    assert_int_equal(scenmc_ranges_complement(NULL, 0, 3, 9, c), 1);
    assert_true(c[0].first == 3 && c[0].last == 9);

    /* Slicing a list of ranges: every trajectory exactly once, in order. */
    for (uint64_t M = 1; M <= 7; M++) {
        uint64_t total = 0, prev_last = 0;
        for (uint64_t k = 1; k <= M; k++) {
            scenmc_range out[4];
            size_t m = scenmc_ranges_slice(c, nc, k, M, out);
            for (size_t j = 0; j < m; j++) {
                assert_true(out[j].first >= prev_last);
                assert_true(out[j].last > out[j].first);
                prev_last = out[j].last;
                total += out[j].last - out[j].first;
            }
        }
        assert_true(total == scenmc_ranges_count(c, nc));
    }
}

static void test_parse_duration_and_shard(void **state)
{
    (void)state;
    struct {
        const char *s;
        double v;
    } ok[] = {{"90s", 90}, {"10m", 600}, {"2h", 7200}, {"1d", 86400}, {"1.5h", 5400},
              {"1:30", 90}, {"1:30:00", 5400}, {"2-00:00:00", 172800}, {"1-12", 129600},
              {"0:0:5", 5}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        scenmc_error err;
        scenmc_error_clear(&err);
        double v = 0;
        if (scenmc_duration_parse(ok[i].s, &v, &err) != SCENMC_OK)
            fail_msg("'%s' refused: %s", ok[i].s, err.msg);
        assert_close(v, ok[i].v, 1e-9);
    }
    const char *bad[] = {"", "90", "-5s", "10x", "1:2:3:4", "0s", "h", "1:xx", "abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        scenmc_error err;
        scenmc_error_clear(&err);
        double v;
        if (scenmc_duration_parse(bad[i], &v, &err) == SCENMC_OK)
            fail_msg("'%s' accepted as %g s", bad[i], v);
    }
    int k, M;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_shard_parse("3/8", &k, &M, &err), SCENMC_OK);
    assert_true(k == 3 && M == 8);
    const char *badsh[] = {"0/3", "4/3", "3", "1/0", "a/b", "1/2x", "-1/2"};
    for (size_t i = 0; i < sizeof badsh / sizeof badsh[0]; i++)
        assert_int_not_equal(scenmc_shard_parse(badsh[i], &k, &M, &err), SCENMC_OK);
}

/* ---------------------------------------------------------------- library */

static int stop_after_two(void *ctx, uint64_t done, uint64_t total, double s)
{
    (void)done;
    (void)total;
    (void)s;
    return ++*(int *)ctx >= 2;
}

/* Ranges run and added, interrupted, checkpointed, read back and finished
 * equal one run; the checkpoint attributes survive the round trip. */
static void test_ranges_checkpoint_roundtrip(void **state)
{
    (void)state;
    scenmc_model *m = default_model();
    scenmc_params p;
    scenmc_params_init(&p, m);
    p.n_trajectories = 12011;
    p.seed = 77;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options opt = {.threads = 2, .chunk = 1000};
    scenmc_results ref;
    assert_int_equal(scenmc_run(m, &p, &opt, &ref, &err), SCENMC_OK);

    /* Two ranges, stopped after two chunks. */
    scenmc_range todo[2] = {{0, 3000}, {7000, 12011}}, done[2];
    size_t n_done = 0;
    int calls = 0;
    scenmc_run_options o = {.threads = 2, .chunk = 1000, .progress = stop_after_two, .progress_ctx = &calls};
    scenmc_results part;
    assert_int_equal(scenmc_run_ranges(m, &p, &o, todo, 2, &part, done, &n_done, &err),
                     SCENMC_E_INTERRUPTED);
    assert_int_equal(n_done, 1);
    assert_true(done[0].first == 0 && done[0].last == 2000 && part.n_trajectories == 2000);

    scenmc_hpc_info info = {0};
    info.checkpoint = 1;
    info.target_first = 0;
    info.target_last = p.n_trajectories;
    info.next = done[0].last;
    info.n_done = n_done;
    info.done = done;
    info.output = "final.h5";
    scenmc_write_options wo = {.command_line = "test", .force = 1};
    const char *ck = tmp_path("lib.ckpt");
    assert_int_equal(scenmc_hpc_write(ck, &part, &wo, &info, &err), SCENMC_OK);
    scenmc_hpc_info back;
    assert_int_equal(scenmc_hpc_info_read(ck, &back, &err), SCENMC_OK);
    assert_true(back.checkpoint == 1 && back.n_done == 1 && back.done[0].last == 2000 &&
                back.next == 2000 && back.target_last == 12011);
    assert_string_equal(back.output, "final.h5");

    /* The rest, from what the checkpoint says, added to what it holds. */
    scenmc_model *cm;
    scenmc_results cr;
    read_or_fail(ck, &cm, &cr);
    scenmc_range rest[3];
    size_t nr = scenmc_ranges_complement(back.done, back.n_done, back.target_first, back.target_last, rest);
    assert_int_equal(nr, 1);
    scenmc_results more;
    scenmc_range done2[3];
    assert_int_equal(scenmc_run_ranges(cm, &cr.params, &opt, rest, nr, &more, done2, &n_done, &err),
                     SCENMC_OK);
    assert_int_equal(scenmc_results_add(&cr, &more, &err), SCENMC_OK);
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        assert_memory_equal(cr.t[k].counts, ref.t[k].counts, ref.t[k].size * sizeof(uint64_t));
        assert_memory_equal(cr.t[k].prob, ref.t[k].prob, ref.t[k].size * sizeof(double));
    }
    /* A plain results file is not a checkpoint. */
    const char *plain = tmp_path("lib.h5");
    assert_int_equal(scenmc_output_write(plain, &ref, &wo, &err), SCENMC_OK);
    scenmc_hpc_info none;
    assert_int_equal(scenmc_hpc_info_read(plain, &none, &err), SCENMC_OK);
    assert_int_equal(none.checkpoint, 0);
    assert_int_equal(none.shard_count, 0);

    char why[256];
    scenmc_params q;
    scenmc_params_copy(&q, &p);
    assert_true(scenmc_params_same(&p, &q, why, sizeof why));
    q.seed++;
    assert_false(scenmc_params_same(&q, &p, why, sizeof why));
    assert_non_null(strstr(why, "seed 78"));

    scenmc_hpc_info_free(&back);
    scenmc_params_free(&q);
    scenmc_results_free(&more);
    scenmc_results_free(&cr);
    scenmc_model_free(cm);
    scenmc_results_free(&part);
    scenmc_results_free(&ref);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* ---------------------------------------------------------------- command line */

#define RUN_ARGS "-n 20011 --seed 5 --quiet --threads 2"

static void make_reference(void)
{
    static int done;
    if (done)
        return;
    if (sh("%s run " RUN_ARGS " -o %s", SCENMC_BINARY, tmp_path("ref.h5")) != 0)
        fail_msg("plain run failed:\n%s", sh_out);
    done = 1;
}

static void test_mpi_ranks_equal_plain_run(void **state)
{
    (void)state;
    SKIP_WITHOUT_MPI();
    make_reference();
    for (int np = 1; np <= 3; np++) {
        char name[64];
        snprintf(name, sizeof name, "mpi%d.h5", np);
        int rc = sh(MPIRUN " -np %d %s run " RUN_ARGS " -o %s", np, SCENMC_BINARY, tmp_path(name));
        if (rc != 0)
            fail_msg("mpirun -np %d: exit %d\n%s", np, rc, sh_out);
        assert_same_results(tmp_path("ref.h5"), tmp_path(name));
    }
    /* An input error every rank finds is reported once, and every rank ends. */
    int rc = sh(MPIRUN " -np 2 %s run --beta -1 -o %s", SCENMC_BINARY, tmp_path("never.h5"));
    assert_int_equal(rc, 2);
    const char *first = strstr(sh_out, "--beta -1");
    assert_non_null(first);
    assert_null(strstr(first + 1, "--beta -1"));
    /* Ranks that read different inputs are refused before any computing. */
    rc = sh(MPIRUN " -np 2 sh -c '%s run -n 3000 --threads 1 --seed $OMPI_COMM_WORLD_RANK -o %s'",
            SCENMC_BINARY, tmp_path("never.h5"));
    assert_int_equal(rc, 2);
    assert_non_null(strstr(sh_out, "do not agree on the model or the parameters"));
    assert_int_equal(access(tmp_path("never.h5"), F_OK), -1);
    /* Only rank 0 prints the tables. */
    rc = sh(MPIRUN " -np 2 %s run -n 3000 --threads 1", SCENMC_BINARY);
    assert_int_equal(rc, 0);
    const char *t = strstr(sh_out, "Throughput");
    assert_non_null(t);
    assert_null(strstr(t + 1, "Throughput"));
    assert_non_null(strstr(sh_out, "2 MPI ranks"));
}

static void test_shards_merge_equal_plain_run(void **state)
{
    (void)state;
    make_reference();
    const int M = 4;
    char parts[1024] = "";
    for (int k = 1; k <= M; k++) {
        char name[64];
        snprintf(name, sizeof name, "part-%d.h5", k);
        int rc = sh("%s run " RUN_ARGS " --shard %d/%d -o %s", SCENMC_BINARY, k, M, tmp_path(name));
        if (rc != 0)
            fail_msg("shard %d/%d: exit %d\n%s", k, M, rc, sh_out);
        /* in reverse order: merge sorts them */
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s %s", tmp_path(name), parts);
        strcpy(parts, tmp);
    }
    int rc = sh("%s merge %s -o %s", SCENMC_BINARY, parts, tmp_path("merged.h5"));
    if (rc != 0)
        fail_msg("merge: exit %d\n%s", rc, sh_out);
    assert_same_results(tmp_path("ref.h5"), tmp_path("merged.h5"));
    /* The shard files say which they are. */
    scenmc_hpc_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_hpc_info_read(tmp_path("part-2.h5"), &info, &err), SCENMC_OK);
    assert_true(info.shard_index == 2 && info.shard_count == 4 && !info.checkpoint);
    /* The existing output is refused without --force. */
    rc = sh("%s merge %s -o %s", SCENMC_BINARY, parts, tmp_path("merged.h5"));
    assert_int_equal(rc, 2);
    assert_non_null(strstr(sh_out, "already exists"));
}

/* An ensemble run is always whole: merging its file (which would drop
 * /ensemble, the members' tables) is refused, saying why. */
static void test_merge_refuses_ensemble(void **state)
{
    (void)state;
    const char *ens = tmp_path("ens.h5");
    if (sh("%s run -n 400 --ensemble 3 --quiet --threads 1 -o %s", SCENMC_BINARY, ens) != 0)
        fail_msg("ensemble run:\n%s", sh_out);
    assert_int_equal(sh("%s merge %s -o %s", SCENMC_BINARY, ens, tmp_path("ens-merged.h5")), 2);
    assert_non_null(strstr(sh_out, "ensemble run"));
    assert_int_equal(access(tmp_path("ens-merged.h5"), F_OK), -1);
}

static void test_merge_refuses_what_does_not_fit(void **state)
{
    (void)state;
    const char *args = "-n 3000 --seed 8 --quiet --threads 1";
    for (int k = 1; k <= 3; k++) {
        char name[64];
        snprintf(name, sizeof name, "m-%d.h5", k);
        assert_int_equal(sh("%s run %s --shard %d/3 -o %s", SCENMC_BINARY, args, k, tmp_path(name)), 0);
    }
    assert_int_equal(sh("%s run -n 3000 --seed 9 --quiet --threads 1 --shard 2/3 -o %s", SCENMC_BINARY,
                        tmp_path("m-seed.h5")), 0);
    assert_int_equal(sh("%s run -n 3000 --seed 8 --beta 0.7 --quiet --threads 1 --shard 2/3 -o %s",
                        SCENMC_BINARY, tmp_path("m-beta.h5")), 0);
    assert_int_equal(sh("%s run -n 3000 --seed 8 --quiet --threads 1 --shard 2/4 -o %s", SCENMC_BINARY,
                        tmp_path("m-over.h5")), 0);
    char out[512];
    snprintf(out, sizeof out, "%s", tmp_path("never.h5"));
    struct {
        const char *files[4];
        const char *expect;
    } cases[] = {
        {{"m-1.h5", "m-seed.h5", "m-3.h5"}, "m-seed.h5 has seed 9, not 8"},
        {{"m-1.h5", "m-beta.h5", "m-3.h5"}, "beta 0.69999"},
        {{"m-1.h5", "m-3.h5"}, "trajectories [1000, 2000) are in no file"},
        {{"m-2.h5", "m-3.h5"}, "trajectories [0, 1000) are in no file"},
        {{"m-1.h5", "m-2.h5"}, "trajectories [2000, 3000) of [0, 3000) are in no file"},
        {{"m-1.h5", "m-2.h5", "m-over.h5", "m-3.h5"}, "overlapping parts"},
        {{"m-1.h5", "m-2.h5", "m-2.h5", "m-3.h5"}, "given twice"},
        {{"m-1.h5", "m-2.h5", "nonexistent.h5", "m-3.h5"}, "nonexistent.h5"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char list[2048] = "";
        for (int i = 0; i < 4 && cases[c].files[i]; i++) {
            strcat(list, " ");
            strcat(list, tmp_path(cases[c].files[i]));
        }
        int rc = sh("%s merge%s -o %s", SCENMC_BINARY, list, out);
        if (rc != 2 || !strstr(sh_out, cases[c].expect))
            fail_msg("merge%s: exit %d (expected 2) and\n%s\n(expected to mention '%s')", list, rc, sh_out,
                     cases[c].expect);
        assert_int_equal(access(out, F_OK), -1);
    }
    /* The same parts in any order merge fine. */
    assert_int_equal(sh("%s merge %s %s %s -o %s --quiet", SCENMC_BINARY, tmp_path("m-3.h5"),
                        tmp_path("m-1.h5"), tmp_path("m-2.h5"), tmp_path("m-all.h5")), 0);
    assert_int_equal(sh("%s run %s -o %s", SCENMC_BINARY, args, tmp_path("m-ref.h5")), 0);
    assert_same_results(tmp_path("m-ref.h5"), tmp_path("m-all.h5"));
}

/* Starts a command in the background with stderr into a file; returns its pid. */
static pid_t spawn(const char *cmd, const char *errfile)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(errfile, "w", stderr) || !freopen("/dev/null", "w", stdout))
            _exit(127);
        setpgid(0, 0);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits up to seconds for text to appear in a file. */
static int wait_for_text(const char *path, const char *text, double seconds)
{
    for (double t = 0; t < seconds; t += 0.05) {
        FILE *f = fopen(path, "r");
        if (f) {
            char buf[8192];
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            buf[n] = '\0';
            fclose(f);
            if (strstr(buf, text))
                return 1;
        }
        sleep_s(0.05);
    }
    return 0;
}

static int wait_status(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *read_log(const char *path)
{
    static char buf[16384];
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

/* Starts a run, waits until it runs, sends sig (to the process itself, or to
 * mpirun which forwards it) and expects exit 3 with a checkpoint. When the
 * machine was so fast that the run ended first, tries again with more
 * trajectories; returns the N that was interrupted. */
static uint64_t interrupt_run(const char *launcher, const char *extra, int sig, const char *out,
                              uint64_t n)
{
    char ckpt[600], err[600], cmd[4096];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    snprintf(err, sizeof err, "%s.err", out);
    for (int attempt = 0; attempt < 4; attempt++, n *= 4) {
        unlink(out);
        unlink(ckpt);
        unlink(err); /* else the last attempt's words could pass for this one's start */
        snprintf(cmd, sizeof cmd, "exec %s %s run -n %llu --seed 11 %s -o %s", launcher, SCENMC_BINARY,
                 (unsigned long long)n, extra, out);
        pid_t pid = spawn(cmd, err);
        if (!wait_for_text(err, "stops the run with a checkpoint", 60))
            fail_msg("%s: did not start:\n%s", cmd, read_log(err));
        sleep_s(0.3);
        kill(pid, sig);
        int rc = wait_status(pid);
        if (rc == 0)
            continue; /* finished before the signal came */
        if (rc != 3)
            fail_msg("%s: exit %d after signal %d, expected 3\n%s", cmd, rc, sig, read_log(err));
        if (!strstr(read_log(err), "checkpoint written to"))
            fail_msg("%s: no word of the checkpoint:\n%s", cmd, read_log(err));
        struct stat sb;
        assert_int_equal(stat(ckpt, &sb), 0);
        assert_int_equal(access(out, F_OK), -1);
        return n;
    }
    fail_msg("%s: always finished before the signal", cmd);
    return 0;
}

static void test_sigterm_checkpoint_resume(void **state)
{
    (void)state;
    const char *out = tmp_path("sig.h5");
    char ckpt[600];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    uint64_t n = interrupt_run("", "--threads 2 --chunk 20000", SIGTERM, out, 400000);
    scenmc_hpc_info info;
    scenmc_error err;
    scenmc_error_clear(&err);
    assert_int_equal(scenmc_hpc_info_read(ckpt, &info, &err), SCENMC_OK);
    assert_true(info.checkpoint && info.n_done == 1 && info.done[0].first == 0);
    assert_true(info.next > 0 && info.next < n && info.target_last == n);
    scenmc_hpc_info_free(&info);
    /* A fresh run refuses to overwrite the checkpoint. */
    int rc = sh("%s run -n %llu --seed 11 --quiet -o %s", SCENMC_BINARY, (unsigned long long)n, out);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(sh_out, "--resume"));
    /* Parameters that contradict the checkpoint are refused. */
    rc = sh("%s run --resume %s --seed 12 --quiet", SCENMC_BINARY, ckpt);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(sh_out, "seed 12, not 11"));
    rc = sh("%s run %s --resume %s --quiet", SCENMC_BINARY, src_path("tests/data/good/minimal.yaml"), ckpt);
    if (access(src_path("tests/data/good/minimal.yaml"), F_OK) == 0) {
        assert_int_equal(rc, 2);
        assert_non_null(strstr(sh_out, "another model"));
    }
    /* Resume, stopping again and again at a short time limit, to the end. */
    int stops = 0;
    for (int i = 0; i < 200; i++) {
        rc = sh("%s run --resume %s --max-time 1s --quiet --threads 2 --chunk 20000 --seed 11",
                SCENMC_BINARY, ckpt);
        if (rc == 0)
            break;
        if (rc != 3)
            fail_msg("resume: exit %d\n%s", rc, sh_out);
        stops++;
    }
    assert_int_equal(rc, 0);
    print_message("resumed %d time(s) after --max-time\n", stops + 1);
    assert_int_equal(access(ckpt, F_OK), -1); /* superseded, removed */
    const char *ref = tmp_path("sig-ref.h5");
    assert_int_equal(sh("%s run -n %llu --seed 11 --quiet --threads 1 -o %s", SCENMC_BINARY,
                        (unsigned long long)n, ref), 0);
    assert_same_results(ref, out);

    /* Under MPI: mpirun forwards SIGUSR1; every rank stops, rank 0 writes one
     * checkpoint of several ranges; a plain resume finishes it. */
    if (!has_mpirun()) {
        print_message("MPI part skipped: %s\n", scenmc__mpi_built() ? "no mpirun" : "built without MPI");
        return;
    }
    const char *mout = tmp_path("sigmpi.h5");
    char mck[600];
    snprintf(mck, sizeof mck, "%s.ckpt", mout);
    unlink(mout);
    char launcher[256];
    snprintf(launcher, sizeof launcher, MPIRUN " -np 2");
    uint64_t nm = interrupt_run(launcher, "--threads 1 --chunk 20000", SIGUSR1, mout, n);
    assert_int_equal(scenmc_hpc_info_read(mck, &info, &err), SCENMC_OK);
    print_message("MPI checkpoint: %zu range(s) done\n", info.n_done);
    scenmc_hpc_info_free(&info);
    rc = sh(MPIRUN " -np 3 %s run --resume %s --quiet --threads 1", SCENMC_BINARY, mck);
    if (rc != 0)
        fail_msg("MPI resume: exit %d\n%s", rc, sh_out);
    if (nm != n) {
        ref = tmp_path("sigmpi-ref.h5");
        assert_int_equal(sh("%s run -n %llu --seed 11 --quiet -o %s", SCENMC_BINARY,
                            (unsigned long long)nm, ref), 0);
    }
    assert_same_results(ref, mout);
}

static void test_sweep_shards_and_mpi(void **state)
{
    (void)state;
    const char *args = "-n 3000 --seed 4 --quiet --threads 1 --param beta=0:1:0.25 --param rate=1,2";
    const char *whole = tmp_path("sweep.h5");
    assert_int_equal(sh("%s sweep %s -o %s", SCENMC_BINARY, args, whole), 0);
    char list[2048] = "";
    for (int k = 3; k >= 1; k--) {
        char name[64];
        snprintf(name, sizeof name, "sweep-%d.h5", k);
        int rc = sh("%s sweep %s --shard %d/3 -o %s", SCENMC_BINARY, args, k, tmp_path(name));
        if (rc != 0)
            fail_msg("sweep shard %d: exit %d\n%s", k, rc, sh_out);
        strcat(list, " ");
        strcat(list, tmp_path(name));
    }
    int rc = sh("%s merge%s -o %s", SCENMC_BINARY, list, tmp_path("sweep-merged.h5"));
    if (rc != 0)
        fail_msg("sweep merge: exit %d\n%s", rc, sh_out);
    assert_same_sweep(whole, tmp_path("sweep-merged.h5"));
    /* A missing shard, or a run file among sweep files, is refused. */
    rc = sh("%s merge %s %s -o %s", SCENMC_BINARY, tmp_path("sweep-1.h5"), tmp_path("sweep-3.h5"),
            tmp_path("never.h5"));
    assert_int_equal(rc, 2);
    assert_non_null(strstr(sh_out, "sweep points [3, 6) are in no file"));
    make_reference();
    rc = sh("%s merge %s %s -o %s", SCENMC_BINARY, tmp_path("sweep-1.h5"), tmp_path("ref.h5"),
            tmp_path("never.h5"));
    assert_int_equal(rc, 2);
    rc = sh("%s sweep %s --shard 11/11 -o %s", SCENMC_BINARY, args, tmp_path("never.h5"));
    assert_int_equal(rc, 2);
    if (!has_mpirun()) {
        print_message("MPI part skipped\n");
        return;
    }
    rc = sh(MPIRUN " -np 3 %s sweep %s -o %s", SCENMC_BINARY, args, tmp_path("sweep-mpi.h5"));
    if (rc != 0)
        fail_msg("mpirun sweep: exit %d\n%s", rc, sh_out);
    assert_same_sweep(whole, tmp_path("sweep-mpi.h5"));
}

static void test_usage_errors(void **state)
{
    (void)state;
    struct {
        const char *args;
        const char *expect;
    } cases[] = {
        {"run --shard 0/3", "--shard '0/3'"},
        {"run --shard 4/3", "--shard '4/3'"},
        {"run -n 2 --shard 3/3", "more shards than trajectories"},
        {"run --max-time 90 -o x.h5", "duration '90'"},
        {"run --max-time 10m", "--max-time needs a place"},
        {"run --ensemble 2 --shard 1/2", "--ensemble runs in one process"},
        {"run --resume /nonexistent.ckpt", "nonexistent.ckpt"},
        {"merge", "no files to merge"},
        {"merge a.h5", "no output"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int rc = sh("cd %s && %s %s", g_dir, SCENMC_BINARY, cases[c].args);
        if (rc != 2 || !strstr(sh_out, cases[c].expect))
            fail_msg("scenmc %s: exit %d (expected 2)\n%s\n(expected to mention '%s')", cases[c].args, rc,
                     sh_out, cases[c].expect);
    }
    /* A finished results file is not a checkpoint. */
    make_reference();
    int rc = sh("%s run --resume %s", SCENMC_BINARY, tmp_path("ref.h5"));
    assert_int_equal(rc, 2);
    assert_non_null(strstr(sh_out, "not a checkpoint"));
    assert_int_equal(sh("%s merge --help", SCENMC_BINARY), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/scenmc-test-hpc-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (remove_tree(g_dir) != 0)
        return -1;
    free(sh_out);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slices_and_ranges),
        cmocka_unit_test(test_parse_duration_and_shard),
        cmocka_unit_test(test_ranges_checkpoint_roundtrip),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_shards_merge_equal_plain_run),
        cmocka_unit_test(test_merge_refuses_what_does_not_fit),
        cmocka_unit_test(test_merge_refuses_ensemble),
        cmocka_unit_test(test_mpi_ranks_equal_plain_run),
        cmocka_unit_test(test_sweep_shards_and_mpi),
        cmocka_unit_test(test_sigterm_checkpoint_resume),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
