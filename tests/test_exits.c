/* Exit statuses that mean one thing (issue 19): 0 done, 1 failed (out of
 * memory among them), 2 bad input, 3 stopped with a checkpoint. */
#include "testutil.h"

#include "base/util.h"
#include "model/model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ASan and TSan reserve terabytes of address space: no ulimit -v under them. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#else
#define UNDER_SANITIZER 0
#endif

/* scenmc__xmalloc's one exit is status 1, not 3 ("checkpoint written"). */
static void test_xmalloc_exits_1(void **state)
{
    (void)state;
    if (UNDER_SANITIZER)
        skip();
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        void *p = scenmc__xmalloc(SIZE_MAX / 2);
        free(p);
        _exit(0);
    }
    close(fd[1]);
    char buf[512] = {0};
    ssize_t n = read(fd[0], buf, sizeof buf - 1);
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(n > 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_non_null(strstr(buf, "out of memory"));
}

/* libyaml's memory error is out of memory, not "not valid YAML: syntax error". */
static void test_yaml_memory_error(void **state)
{
    (void)state;
    yaml_parser_t p;
    memset(&p, 0, sizeof p);
    p.error = YAML_MEMORY_ERROR;
    scenmc_error err;
    scenmc_error_clear(&err);
    const unsigned char text[] = "a: b\n";
    assert_int_equal(scenmc__yaml_problem(&p, "m.yaml", text, 5, &err), SCENMC_E_NOMEM);
    assert_non_null(strstr(err.msg, "out of memory"));
    assert_null(strstr(err.msg, "syntax"));
    memset(&p, 0, sizeof p);
    p.error = YAML_SCANNER_ERROR;
    p.problem = "found character that cannot start any token";
    scenmc_error_clear(&err);
    assert_int_equal(scenmc__yaml_problem(&p, "m.yaml", text, 5, &err), SCENMC_E_INPUT);
    assert_non_null(strstr(err.msg, "m.yaml:1:1: not valid YAML: found character"));
}

/* Under a falling memory limit, a 15 MB model never exits 3 and never blames
 * its syntax; where memory runs out, the exit is 1 and the message says so. */
static void test_out_of_memory_cli(void **state)
{
    (void)state;
    if (UNDER_SANITIZER)
        skip();
    const char *path = "exits_huge.yaml";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("format: scenmc-model\nformat_version: 1\nname: ", f);
    for (int i = 0; i < (15 << 20) / 64; i++)
        fputs("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", f);
    fputs("\n", f);
    fclose(f);
    int n_oom = 0;
    for (int kib = 40000; kib <= 200000; kib += 10000) {
        char cmd[1024], *out = NULL;
        snprintf(cmd, sizeof cmd, "ulimit -v %d; '%s' run %s -n 10 -o exits_huge.h5 --force "
                 "--threads 1", kib, SCENMC_BINARY, path);
        int rc = run_capture(cmd, &out);
        if (rc == 127 || strstr(out, "error while loading")) { /* the loader itself ran out */
            free(out);
            continue;
        }
        if (rc != 2 || !strstr(out, "has no 'years'")) {
            if (rc != 1 || !strstr(out, "out of memory"))
                fail_msg("ulimit -v %d: exit %d: %s", kib, rc, out);
            n_oom++;
        }
        assert_null(strstr(out, "syntax error"));
        free(out);
    }
    remove(path);
    assert_true(n_oom > 0);
}

/* run-resumable.sbatch with stub scenmc (exits 3) and sbatch: it resubmits
 * only when the checkpoint is really there. */
static void test_sbatch_resubmits_only_with_checkpoint(void **state)
{
    (void)state;
    const char *setup =
        "d=exits_sbatch; rm -rf $d; mkdir -p $d; cd $d; "
        "printf '#!/bin/sh\\nexit 3\\n' > scenmc; "
        "printf '#!/bin/sh\\necho \\\"$@\\\" >> sbatch.log; echo 42\\n' > sbatch; "
        "chmod +x scenmc sbatch; ";
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s SLURM_JOB_ID=1 PATH=$PWD:$PATH SCENMC=$PWD/scenmc OUT=r.h5 SCENMC_SELF=%s "
             "bash %s 2>&1; echo rc=$?; test -e sbatch.log && echo RESUBMITTED || true",
             setup, src_path("scripts/slurm/run-resumable.sbatch"),
             src_path("scripts/slurm/run-resumable.sbatch"));
    run_capture(cmd, &out);
    if (!strstr(out, "no checkpoint") || !strstr(out, "rc=1") || strstr(out, "RESUBMITTED"))
        fail_msg("without a checkpoint: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "%s echo ckpt > r.h5.ckpt; SLURM_JOB_ID=1 PATH=$PWD:$PATH SCENMC=$PWD/scenmc "
             "OUT=r.h5 SCENMC_SELF=%s bash %s 2>&1; echo rc=$?; test -e sbatch.log && echo RESUBMITTED "
             "|| true", setup, src_path("scripts/slurm/run-resumable.sbatch"),
             src_path("scripts/slurm/run-resumable.sbatch"));
    run_capture(cmd, &out);
    if (!strstr(out, "resubmitted as job 42") || !strstr(out, "RESUBMITTED"))
        fail_msg("with a checkpoint: %s", out);
    free(out);
    run_capture("rm -rf exits_sbatch", &out);
    free(out);
}

/* Huge beta or weights on the command line: bad input (2) with the range, not
 * "out of memory" from an undefined float-to-int conversion. */
static void test_huge_parameters(void **state)
{
    (void)state;
    const char *opts[] = {"--beta 1e308", "--w-consistency 1e308", "--w-cross -1e308"};
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        char cmd[1024], *out = NULL;
        snprintf(cmd, sizeof cmd, "'%s' run -n 10 --threads 1 -o exits_huge_param.h5 --force %s",
                 SCENMC_BINARY, opts[k]);
        int rc = run_capture(cmd, &out);
        if (rc != 2 || !strstr(out, "expected a number from"))
            fail_msg("%s: exit %d: %s", opts[k], rc, out);
        free(out);
    }
    remove("exits_huge_param.h5");
}

/* OMP_NUM_THREADS=100000 crashed in libgomp (SIGSEGV): bounded like --threads. */
static void test_omp_num_threads_bounded(void **state)
{
    (void)state;
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=100000 '%s' run -n 10 -o exits_omp.h5 --force",
             SCENMC_BINARY);
    int rc = run_capture(cmd, &out);
    if (rc != 2 || !strstr(out, "OMP_NUM_THREADS asks for 100000 threads; expected 1 to 4096"))
        fail_msg("exit %d: %s", rc, out);
    free(out);
    snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=2 '%s' run -n 10 -o exits_omp.h5 --force",
             SCENMC_BINARY);
    rc = run_capture(cmd, &out);
    if (rc != 0)
        fail_msg("OMP_NUM_THREADS=2: exit %d: %s", rc, out);
    free(out);
    remove("exits_omp.h5");
}

/* SIGHUP (a dropped ssh session) stops a run with a checkpoint, exit 3, like SIGTERM.
 * The handlers' message (the cue to send the signal) is printed off a terminal only
 * with --checkpoint, --max-time or --resume: a --max-time far beyond the test makes
 * it appear while the checkpoint keeps its default name (-o + .ckpt); without it the
 * loop waited its full 60 s. SIGHUP in the output says which of the two stopped it. */
static void test_sighup_checkpoints(void **state)
{
    (void)state;
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "rm -f exits_hup.h5 exits_hup.h5.ckpt exits_hup.err; "
             "'%s' run -n 1000000000 --threads 1 --chunk 20000 --max-time 10h -o exits_hup.h5 "
             "2>exits_hup.err & "
             "pid=$!; for i in $(seq 600); do grep -q 'stops the run' exits_hup.err && break; "
             "sleep 0.1; done; sleep 0.3; kill -HUP $pid; wait $pid; echo rc=$?; "
             "test -s exits_hup.h5.ckpt && echo CHECKPOINT; cat exits_hup.err",
             SCENMC_BINARY);
    run_capture(cmd, &out);
    if (!strstr(out, "rc=3") || !strstr(out, "CHECKPOINT") || !strstr(out, "SIGHUP"))
        fail_msg("%s", out);
    free(out);
    remove("exits_hup.h5.ckpt");
    remove("exits_hup.err");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmalloc_exits_1),
        cmocka_unit_test(test_yaml_memory_error),
        cmocka_unit_test(test_out_of_memory_cli),
        cmocka_unit_test(test_sbatch_resubmits_only_with_checkpoint),
        cmocka_unit_test(test_huge_parameters),
        cmocka_unit_test(test_omp_num_threads_bounded),
        cmocka_unit_test(test_sighup_checkpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
