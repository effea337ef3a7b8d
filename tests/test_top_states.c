/* The top-states final-state table (models of more than 2^24 states) is added
 * by state wherever trajectories are split: MPI ranks, shards merged, runs
 * stopped and resumed. Each must give the single-process file's tables bit for
 * bit (docs/hpc.md); where a limit drops the table the file says why
 * (docs/file-format.md). */
#include "testutil.h"

#include "scenmc/hpc.h"
#include "scenmc/reader.h"
#include "io/mpi.h"
#include "model/results.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char *tmp_path(const char *name)
{
    static char buf[16][512];
    static int k;
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch_dir, name);
    return buf[k];
}

#define MPIRUN "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " \
               "ASAN_OPTIONS=detect_leaks=0 mpirun --oversubscribe --bind-to none"
/* 3000 trajectories from uniform start states: about 3000 distinct final
 * states, so the table (the top 1000) is a true selection, mostly by ties. */
#define RUN_ARGS "-n 3000 --seed 9 --quiet --threads 2"

/* 25 binary descriptors: 2^25 states, over SCENMC_FULL_STATE_LIMIT. */
static const char *wide_model(void)
{
    static int done;
    static char path[512];
    snprintf(path, sizeof path, "%s", tmp_path("wide.yaml"));
    if (done)
        return path;
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("name: wide\nyears: {start: 0, end: 2}\ndescriptors:\n", f);
    for (int d = 0; d < 25; d++)
        fprintf(f, "  - {id: D%d, variants: [a, b]}\n", d);
    fputs("consistency:\n  - {between: [D0, D1], scores: [[1, 0], [0, 1]]}\n"
          "  - {between: [D2, D3], scores: [[2, -1], [-1, 2]]}\n", f);
    fclose(f);
    done = 1;
    return path;
}

static const char *reference(void)
{
    static int done;
    static char ref[512];
    snprintf(ref, sizeof ref, "%s", tmp_path("ref.h5"));
    if (!done && sh("%s run %s " RUN_ARGS " -o %s", SCENMC_BINARY, wide_model(), ref) != 0)
        fail_msg("plain run failed:\n%s", sh_out);
    done = 1;
    return ref;
}

/* Every table, the top states' indices and the distinct count, bit for bit. */
static void assert_same_results(const char *a, const char *b)
{
    scenmc_model *ma, *mb;
    scenmc_results ra, rb;
    read_or_fail(a, &ma, &ra);
    read_or_fail(b, &mb, &rb);
    assert_false(ra.full_states);
    assert_true(ra.n_trajectories == rb.n_trajectories && ra.first == rb.first && ra.last == rb.last);
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        const scenmc_table *x = &ra.t[k], *y = &rb.t[k];
        if (x->size != y->size)
            fail_msg("table %s: %zu cells in %s, %zu in %s", scenmc_table_names[k], x->size, a,
                     y->size, b);
        if (memcmp(x->counts, y->counts, x->size * sizeof(uint64_t)) != 0 ||
            memcmp(x->prob, y->prob, x->size * sizeof(double)) != 0)
            fail_msg("table %s: %s and %s differ", scenmc_table_names[k], a, b);
    }
    size_t n = ra.t[SCENMC_T_FINAL_STATE].size;
    assert_int_equal(n, SCENMC_TOP_STATES);
    if (memcmp(ra.top_state, rb.top_state, n * sizeof(uint64_t)) != 0)
        fail_msg("the top states of %s and %s differ", a, b);
    assert_int_equal(ra.n_top_distinct, rb.n_top_distinct);
    assert_true(ra.n_top_distinct > SCENMC_TOP_STATES);
    assert_true(ra.top_list_state && rb.top_list_state);
    assert_memory_equal(ra.top_list_state, rb.top_list_state, ra.n_top_distinct * sizeof(uint64_t));
    assert_memory_equal(ra.top_list_count, rb.top_list_count, ra.n_top_distinct * sizeof(uint64_t));
    scenmc_results_free(&ra);
    scenmc_results_free(&rb);
    scenmc_model_free(ma);
    scenmc_model_free(mb);
}

static void test_mpi_ranks(void **state)
{
    (void)state;
    if (!scenmc__mpi_built() || sh("command -v mpirun") != 0) {
        print_message("skipped: %s\n", scenmc__mpi_built() ? "no mpirun" : "built without MPI");
        skip();
    }
    const char *ref = reference();
    for (int np = 2; np <= 3; np++) {
        char name[32];
        snprintf(name, sizeof name, "mpi%d.h5", np);
        int rc = sh(MPIRUN " -np %d %s run %s " RUN_ARGS " -o %s", np, SCENMC_BINARY, wide_model(),
                    tmp_path(name));
        if (rc != 0)
            fail_msg("mpirun -np %d: exit %d\n%s", np, rc, sh_out);
        assert_same_results(ref, tmp_path(name));
    }
}

/* MPI checkpoints: -np 2 stopped by --max-time after a chunk, resumed by
 * -np 3 (stopping again) to the end. */
static void test_mpi_checkpoints(void **state)
{
    (void)state;
    if (!scenmc__mpi_built() || sh("command -v mpirun") != 0) {
        print_message("skipped: %s\n", scenmc__mpi_built() ? "no mpirun" : "built without MPI");
        skip();
    }
    const char *ref = reference();
    char out[512], ck[600];
    snprintf(out, sizeof out, "%s", tmp_path("mpick.h5"));
    snprintf(ck, sizeof ck, "%s.ckpt", out);
    int rc = sh(MPIRUN " -np 2 %s run %s " RUN_ARGS " --chunk 1000 --max-time 0.000001s -o %s",
                SCENMC_BINARY, wide_model(), out);
    if (rc != 3)
        fail_msg("mpirun -np 2 --max-time: exit %d\n%s", rc, sh_out);
    for (int i = 0; i < 20 && rc == 3; i++)
        rc = sh(MPIRUN " -np 3 %s run --resume %s --quiet --threads 2 --chunk 1000 --max-time "
                "0.000001s -o %s", SCENMC_BINARY, ck, out);
    if (rc != 0)
        fail_msg("mpirun -np 3 --resume: exit %d\n%s", rc, sh_out);
    assert_same_results(ref, out);
}

static void test_shards_merged(void **state)
{
    (void)state;
    const char *ref = reference();
    for (int M = 2; M <= 3; M++) {
        char parts[2048] = "";
        for (int k = 1; k <= M; k++) {
            char name[32];
            snprintf(name, sizeof name, "part-%d-%d.h5", M, k);
            if (sh("%s run %s " RUN_ARGS " --shard %d/%d -o %s", SCENMC_BINARY, wide_model(), k, M,
                   tmp_path(name)) != 0)
                fail_msg("shard %d/%d:\n%s", k, M, sh_out);
            strcat(parts, " ");
            strcat(parts, tmp_path(name));
        }
        char name[32];
        snprintf(name, sizeof name, "merged%d.h5", M);
        if (sh("%s merge %s -o %s", SCENMC_BINARY, parts, tmp_path(name)) != 0)
            fail_msg("merge:\n%s", sh_out);
        assert_same_results(ref, tmp_path(name));
    }
}

static int stop_after_one(void *ctx, uint64_t done, uint64_t total, double s)
{
    (void)done;
    (void)total;
    (void)s;
    return ++*(int *)ctx >= 1;
}

/* A checkpoint of two ranges stopped early, resumed on the command line. */
static void test_resumed(void **state)
{
    (void)state;
    const char *ref = reference();
    scenmc_model *m;
    scenmc_results r0;
    read_or_fail(ref, &m, &r0);
    scenmc_params p;
    scenmc_params_copy(&p, &r0.params);
    scenmc_results_free(&r0);
    scenmc_range todo[2] = {{0, 700}, {1500, 3000}}, done[2];
    size_t n_done = 0;
    int calls = 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_run_options o = {.threads = 2, .chunk = 500, .progress = stop_after_one, .progress_ctx = &calls};
    scenmc_results part;
    assert_int_equal(scenmc_run_ranges(m, &p, &o, todo, 2, &part, done, &n_done, &err),
                     SCENMC_E_INTERRUPTED);
    assert_true(part.n_trajectories > 0 && part.n_trajectories < 3000);
    scenmc_hpc_info info = {0};
    info.checkpoint = 1;
    info.target_first = 0;
    info.target_last = p.n_trajectories;
    info.next = done[n_done - 1].last;
    info.n_done = n_done;
    info.done = done;
    info.output = "resumed.h5";
    scenmc_write_options wo = {.command_line = "test", .force = 1};
    const char *ck = tmp_path("wide.ckpt");
    assert_int_equal(scenmc_hpc_write(ck, &part, &wo, &info, &err), SCENMC_OK);
    if (sh("%s run --resume %s --quiet --threads 2 -o %s", SCENMC_BINARY, ck, tmp_path("resumed.h5")) != 0)
        fail_msg("resume:\n%s", sh_out);
    assert_same_results(ref, tmp_path("resumed.h5"));
    scenmc_results_free(&part);
    scenmc_params_free(&p);
    scenmc_model_free(m);
}

/* A part that holds only its top states (as files before the list did)
 * cannot be added by state: the merged table is dropped and the file says why. */
static void test_dropped_says_why(void **state)
{
    (void)state;
    const char *a = tmp_path("part-2-1.h5"), *b = tmp_path("part-2-2.h5");
    if (access(a, F_OK) != 0)
        test_shards_merged(state);
    const char *old = tmp_path("old-part.h5");
    if (sh("cp %s %s", b, old) != 0)
        fail_msg("cp:\n%s", sh_out);
    hid_t f = H5Fopen(old, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_true(H5Ldelete(f, "final_state_list", H5P_DEFAULT) >= 0);
    H5Fclose(f);
    if (sh("%s merge %s %s -o %s", SCENMC_BINARY, a, old, tmp_path("dropped.h5")) != 0)
        fail_msg("merge:\n%s", sh_out);
    scenmc_model *m;
    scenmc_results r;
    read_or_fail(tmp_path("dropped.h5"), &m, &r);
    assert_int_equal(r.t[SCENMC_T_FINAL_STATE].size, 0);
    assert_int_equal(r.final_state_dropped, SCENMC__FS_NO_LIST);
    /* report gives that reason, not the model's size. */
    assert_int_equal(sh("%s report %s", SCENMC_BINARY, tmp_path("dropped.h5")), 0);
    assert_non_null(strstr(sh_out, "held only its top states"));
    scenmc_results_free(&r);
    scenmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mpi_ranks),
        cmocka_unit_test(test_mpi_checkpoints),
        cmocka_unit_test(test_shards_merged),
        cmocka_unit_test(test_resumed),
        cmocka_unit_test(test_dropped_says_why),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
