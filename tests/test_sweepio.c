/* Streaming sweeps and temporaries after signals (task sweepio, issue 19).
 *
 * A sweep with -o saves every point as it finishes in OUT.points; a failure
 * (out of memory, a signal) keeps the finished points and the same command
 * computes only the missing ones, giving the file of an uninterrupted sweep.
 * A second signal ends a process at once but leaves no temporary file. The
 * references are independent: a standalone 'scenmc run' at a point's
 * parameters, and an uninterrupted sweep. */
#include "testutil.h"

#include "io/mpi.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SCENMC SCENMC_BINARY
/* 6 points of the built-in model; the 4th (index 3) has beta 0.8. */
#define SWEEP_ARGS "--param beta=0.2:1.2:0.2 -n 3000 --seed 11 --threads 2 --quiet"
#define SAME "/usr/bin/python3 " SCENMC_SOURCE_DIR "/tests/sweepio_same.py"

static const char *path(const char *name)
{
    static char buf[32][512];
    static int k;
    k = (k + 1) % 32;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

/* Files in dir whose name holds text (-1: no such folder). */
static int count_files(const char *dir, const char *text)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, text) != NULL;
    closedir(d);
    return n;
}

static int exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

/* The uninterrupted sweep, once; checked against a standalone run at point 3. */
static const char *reference(void)
{
    static int done;
    const char *ref = path("ref.h5");
    if (done)
        return ref;
    if (sh("%s sweep " SWEEP_ARGS " -o %s", SCENMC, ref) != 0)
        fail_msg("the plain sweep failed:\n%s", sh_out);
    assert_false(exists(path("ref.h5.points"))); /* removed once the file is there */
    if (sh("%s run --beta 0.8 -n 3000 --seed 11 --threads 2 --quiet -o %s", SCENMC, path("p3.h5")) ||
        sh(SAME " point %s 3 %s", ref, path("p3.h5")))
        fail_msg("point 3 is not the standalone run:\n%s", sh_out);
    done = 1;
    return ref;
}

static void assert_same_file(const char *a, const char *b)
{
    if (sh(SAME " same %s %s", a, b) != 0)
        fail_msg("%s differs from %s: %s", b, a, sh_out);
}

/* Point 3 failing like an out-of-memory keeps points 0..2; the same command
 * then computes only the three missing points (a fourth would fail again). */
static void test_failure_keeps_points(void **state)
{
    (void)state;
    const char *ref = reference(), *out = path("oom.h5"), *dir = path("oom.h5.points");
    int rc = sh("SCENMC_TEST_FAIL_AFTER_POINTS=3 %s sweep " SWEEP_ARGS " -o %s", SCENMC, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(sh_out, "out of memory"));
    assert_false(exists(out));
    assert_int_equal(count_files(dir, "point-"), 3);
    for (int i = 0; i < 3; i++) {
        char name[600];
        snprintf(name, sizeof name, "%s/point-%06d.h5", dir, i);
        assert_true(exists(name));
    }
    rc = sh("SCENMC_TEST_FAIL_AFTER_POINTS=3 %s sweep " SWEEP_ARGS " -o %s", SCENMC, out);
    if (rc != 0)
        fail_msg("the resumed sweep failed (%d):\n%s", rc, sh_out);
    assert_false(exists(dir));
    assert_same_file(ref, out);
}

/* A SIGTERM while point 1 is being saved: that point is finished, the sweep
 * stops with exit 3 and says how to continue; continuing gives the file. */
static void test_signal_stops_between_points(void **state)
{
    (void)state;
    const char *ref = reference(), *out = path("sig.h5"), *dir = path("sig.h5.points");
    int rc = sh("cd %s && (SCENMC_TEST_HOLD_TEMP=3:point-000001 %s sweep " SWEEP_ARGS " -o sig.h5 & p=$!; "
                "i=0; while [ $i -lt 400 ] && ! ls sig.h5.points | grep -q 'point-000001.h5.tmp'; do "
                "sleep 0.05; i=$((i+1)); done; kill -TERM $p; wait $p; echo \"status=$?\")",
                scratch_dir, SCENMC);
    assert_int_equal(rc, 0);
    if (!strstr(sh_out, "status=3"))
        fail_msg("expected exit 3:\n%s", sh_out);
    assert_non_null(strstr(sh_out, "stopped by SIGTERM; 2 of 6 points are saved"));
    assert_non_null(strstr(sh_out, "continue with the same command"));
    assert_int_equal(count_files(dir, "point-"), 2);
    assert_int_equal(count_files(dir, ".tmp-"), 0);
    assert_false(exists(out));
    if ((rc = sh("%s sweep " SWEEP_ARGS " -o %s", SCENMC, out)) != 0)
        fail_msg("the resumed sweep failed (%d):\n%s", rc, sh_out);
    assert_false(exists(dir));
    assert_same_file(ref, out);
}

/* A SIGTERM as soon as the sweep starts: the point in progress (of 10^8
 * trajectories, minutes of work) is dropped at its first chunk, exit 3. */
static void test_signal_drops_point_in_progress(void **state)
{
    (void)state;
    int rc = sh("cd %s && (%s sweep --param beta=0.2,0.4 -n 100000000 --seed 1 --threads 2 -o long.h5 "
                "2>log & p=$!; i=0; while [ $i -lt 600 ] && ! grep -q 'points are saved' log; do "
                "sleep 0.05; i=$((i+1)); done; kill -TERM $p; wait $p; echo \"status=$?\"; cat log)",
                scratch_dir, SCENMC);
    assert_int_equal(rc, 0);
    if (!strstr(sh_out, "status=3") || !strstr(sh_out, "stopped by SIGTERM; 0 of 2 points are saved"))
        fail_msg("expected exit 3 and no point saved:\n%s", sh_out);
    assert_int_equal(count_files(path("long.h5.points"), "point-"), 0);
    assert_false(exists(path("long.h5")));
}

/* The folder of another sweep (another seed) is refused before computing and
 * kept as it is. */
static void test_other_sweep_refused(void **state)
{
    (void)state;
    const char *out = path("other.h5"), *dir = path("other.h5.points");
    assert_int_equal(sh("SCENMC_TEST_FAIL_AFTER_POINTS=2 %s sweep " SWEEP_ARGS " -o %s", SCENMC, out), 1);
    assert_int_equal(sh("%s sweep --param beta=0.2:1.2:0.2 -n 3000 --seed 12 --quiet -o %s", SCENMC, out),
                     2);
    assert_non_null(strstr(sh_out, "holds the points of another sweep ('seed 11' there, 'seed 12' here)"));
    assert_int_equal(sh("%s sweep --param beta=0.2:1.4:0.2 -n 3000 --seed 11 --quiet -o %s", SCENMC, out),
                     2);
    assert_int_equal(count_files(dir, "point-"), 2);
    assert_false(exists(out));
}

/* Shards keep their points too, and merge to the whole sweep. */
static void test_shards_resume(void **state)
{
    (void)state;
    (void)reference(); /* and the standalone run at point 3 */
    for (int k = 1; k <= 2; k++) {
        char out[64];
        snprintf(out, sizeof out, "shard%d.h5", k);
        assert_int_equal(sh("SCENMC_TEST_FAIL_AFTER_POINTS=1 %s sweep " SWEEP_ARGS " --shard %d/2 -o %s",
                            SCENMC, k, path(out)), 1);
        if (sh("%s sweep " SWEEP_ARGS " --shard %d/2 -o %s", SCENMC, k, path(out)) != 0)
            fail_msg("shard %d:\n%s", k, sh_out);
    }
    if (sh("%s merge %s %s -o %s", SCENMC, path("shard1.h5"), path("shard2.h5"), path("merged.h5")) != 0)
        fail_msg("merge:\n%s", sh_out);
    if (sh(SAME " point %s 3 %s", path("merged.h5"), path("p3.h5")) != 0)
        fail_msg("merged point 3 is not the standalone run: %s", sh_out);
}

/* Under mpirun -np 2: stopped after 2 points, resumed with 3 ranks, equal to
 * the single-process sweep. */
static void test_mpi_resume(void **state)
{
    (void)state;
    if (!scenmc__mpi_built() || sh("command -v mpirun") != 0) {
        print_message("skipped: %s\n", scenmc__mpi_built() ? "no mpirun" : "built without MPI");
        skip();
    }
#define MPIRUN "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " \
               "ASAN_OPTIONS=detect_leaks=0 mpirun --oversubscribe --bind-to none"
    const char *ref = reference(), *out = path("mpi.h5");
    int rc = sh("SCENMC_TEST_FAIL_AFTER_POINTS=2 " MPIRUN " -np 2 %s sweep " SWEEP_ARGS " -o %s", SCENMC,
                out);
    assert_int_not_equal(rc, 0);
    assert_int_equal(count_files(path("mpi.h5.points"), "point-"), 2);
    if ((rc = sh(MPIRUN " -np 3 %s sweep " SWEEP_ARGS " -o %s", SCENMC, out)) != 0)
        fail_msg("resumed under MPI (%d):\n%s", rc, sh_out);
    assert_same_file(ref, out);
}

/* Runs cmd in the scratch folder with SCENMC_TEST_HOLD_TEMP=30:hold; once
 * ready shows in its stderr (when given; the first SIGTERM then when
 * kill_at_ready) waits for a file whose name holds hold, then sends SIGTERM
 * (twice unless sent at ready): the process must end by SIGTERM, at once,
 * leaving no temporary. */
static void two_signals(const char *cmd, const char *ready, int kill_at_ready, const char *hold)
{
    char wait_ready[512] = "";
    if (ready)
        snprintf(wait_ready, sizeof wait_ready, "i=0; while [ $i -lt 600 ] && ! grep -q '%s' log; do "
                 "sleep 0.05; i=$((i+1)); done; %s", ready, kill_at_ready ? "kill -TERM $p; " : "");
    int rc = sh("cd %s && (SCENMC_TEST_HOLD_TEMP=30:%s %s 2>log & p=$!; %s"
                "i=0; while [ $i -lt 600 ] && ! find . -name '*%s*' | grep -q .; do sleep 0.05; "
                "i=$((i+1)); done; %skill -TERM $p; wait $p; echo \"status=$?\"; cat log)",
                scratch_dir, hold, cmd, wait_ready, hold, kill_at_ready ? "" : "kill -TERM $p; sleep 0.3; ");
    assert_int_equal(rc, 0);
    if (!strstr(sh_out, "status=143"))
        fail_msg("expected the end by SIGTERM (143):\n%s", sh_out);
    sh("cd %s && find . -name '*.tmp-*' -o -name '*.part-*'", scratch_dir);
    if (sh_out && *sh_out)
        fail_msg("temporaries left after a second signal:\n%s", sh_out);
}

/* (b) A second SIGTERM while the output, a checkpoint or a shard is being
 * written removes the temporary file before the process ends. */
static void test_second_signal_no_temporaries(void **state)
{
    (void)state;
    char cmd[1024];
    /* --checkpoint: a batch run says "stops the run with a checkpoint" only when
     * the checkpoint was chosen (task cliout). */
    snprintf(cmd, sizeof cmd, "%s run -n 20000 --seed 1 --threads 2 -o two.h5 --checkpoint two.ckpt",
             SCENMC);
    two_signals(cmd, "stops the run with a checkpoint", 0, "two.h5.tmp-");
    assert_false(exists(path("two.h5")));
    /* The first signal stops the run; the second comes while its checkpoint is written. */
    snprintf(cmd, sizeof cmd, "%s run -n 200000000 --seed 1 --threads 2 --chunk 2000 -o big.h5", SCENMC);
    two_signals(cmd, "stops the run with a checkpoint", 1, "big.h5.ckpt.tmp-");
    assert_false(exists(path("big.h5.ckpt")));
    /* A shard's reservation (.part-) while the sweep file is assembled. */
    snprintf(cmd, sizeof cmd, "%s sweep " SWEEP_ARGS " --shard 1/2 -o sh.h5", SCENMC);
    two_signals(cmd, NULL, 0, "sh.h5.part-");
    assert_int_equal(count_files(path("sh.h5.points"), "point-"), 3); /* kept: resumable */
    if (sh("%s sweep " SWEEP_ARGS " --shard 1/2 -o %s", SCENMC, path("sh.h5")) != 0)
        fail_msg("resuming the shard:\n%s", sh_out);
    assert_false(exists(path("sh.h5.points")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_keeps_points),
        cmocka_unit_test(test_signal_stops_between_points),
        cmocka_unit_test(test_signal_drops_point_in_progress),
        cmocka_unit_test(test_other_sweep_refused),
        cmocka_unit_test(test_shards_resume),
        cmocka_unit_test(test_mpi_resume),
        cmocka_unit_test(test_second_signal_no_temporaries),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
