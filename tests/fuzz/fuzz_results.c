/* Fuzz target: the results-file reader (what report, export, merge and
 * --resume read) on mutated HDF5 files. The input is written to a temporary
 * file and read back with scenmc_results_read_info, as a user's file is: in a
 * forked child first (HDF5 itself can crash on damaged metadata), then here.
 * Properties: no crash, no leak, and every rejection says why. Built with
 * libFuzzer by tests/fuzz/build.sh; replayed over the corpus (small results
 * files of run, exact, a checkpoint and a mutated few) by the ctest
 * fuzz_replay/results. */
#include "scenmc/reader.h"

#include <hdf5.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) { /* as the scenmc command does once, in main */
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        quiet = 1;
    }
    char path[] = "/tmp/scenmc-fuzz-results-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    size_t at = 0;
    while (at < size) {
        ssize_t k = write(fd, data + at, size - at);
        if (k <= 0)
            break;
        at += (size_t)k;
    }
    close(fd);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    scenmc_results r;
    scenmc_results_info info;
    scenmc_status st = scenmc_results_read_info(path, &m, &r, &info, 0, &err);
    unlink(path);
    if (st != SCENMC_OK) {
        if (err.code == SCENMC_OK || err.n_problems == 0 || !err.msg[0])
            abort(); /* every failure must say why */
    } else {
        scenmc_results_free(&r);
        scenmc_model_free(m);
    }
    scenmc_results_info_free(&info);
    return 0;
}
