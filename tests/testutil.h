/* Shared helpers for the cmocka tests. */
#ifndef SCENMC_TESTUTIL_H
#define SCENMC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "scenmc/scenmc.h"

/* Debian's cmocka 1.1.5 has no assert_double_equal. */
#define assert_close(a, b, tol)                                                              \
    do {                                                                                     \
        double a_ = (a), b_ = (b), t_ = (tol);                                               \
        if (!(fabs(a_ - b_) <= t_))                                                          \
            fail_msg("%s = %.17g, %s = %.17g, differ by %.3g > %.3g", #a, a_, #b, b_,         \
                     fabs(a_ - b_), t_);                                                     \
    } while (0)

/* Fails the test unless the output of the last sh() call contains text. */
#define assert_out_has(text)                                                                 \
    do {                                                                                     \
        if (!strstr(sh_out, (text)))                                                          \
            fail_msg("expected '%s' in the output:\n%s", (text), sh_out);                     \
    } while (0)

/* Path of a file in the source tree (src_path and scratch_path share 16
 * rotating buffers: keep at most sixteen at a time). */
const char *src_path(const char *rel);
/* Parses a model from a string; fails the test with the loader's message. */
scenmc_model *model_from_string(const char *yaml);
/* The built-in Västernorrland model; fails the test if it does not load. */
scenmc_model *default_model(void);
/* A small model of 4 descriptors (36 states) used by several tests: two
 * scenarios and an unclassified slot, consistency only, beta 0.4, rate 4,
 * years 0..40 (long enough to reach its Boltzmann distribution). */
extern const char test_small_model[];
/* A small model without consistency whose cross impacts (a self-impact of A
 * too) make it non-reversible: 12 states, years 0..30, scenarios one (A = a1)
 * and two (A = a2), beta 0.5, rate 3. */
extern const char test_cross_model[];
/* scenmc_exact on 2 threads; fails the test with the solver's message. */
scenmc_results exact_or_fail(const scenmc_model *m, const scenmc_params *p);
/* The same on the given number of threads. */
scenmc_results exact_threads_or_fail(const scenmc_model *m, const scenmc_params *p, int threads);
/* scenmc_exact_given on 2 threads (o may be NULL); fails the test with the solver's message. */
scenmc_results exact_given_or_fail(const scenmc_model *m, const scenmc_params *p, const struct scenmc_observations *o);
/* A model of 3 descriptors (12 states) with consistency and cross impact,
 * two scenarios and an unclassified slot, years 2020-2025: the calibration
 * tests' model. */
extern const char test_calib_model[];
/* A whole file, NUL-terminated (malloc'd), or NULL if it cannot be opened. */
char *slurp(const char *path, size_t *len);
/* Output (stdout and stderr) of the last sh() call, malloc'd; NULL before. */
extern char *sh_out;
/* Runs a printf-formatted shell command, its output into sh_out (the previous
 * one freed); returns its exit status. */
int sh(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Reads a results file back (fails the test with the reader's message). */
void read_or_fail(const char *path, scenmc_model **m, scenmc_results *r);
/* A fresh scratch folder for a test program (scratch_dir), made by
 * scratch_setup and removed with everything in it by scratch_teardown (which
 * also frees sh_out): cmocka group setup and teardown. */
extern char scratch_dir[256];
int scratch_setup(void **state);
int scratch_teardown(void **state);
/* A path in the scratch folder (the rotating buffers of src_path). */
const char *scratch_path(const char *name);
/* Writes text to a file of the scratch folder (fails the test if it
 * cannot) and returns its path (a scratch_path buffer). */
const char *scratch_write(const char *name, const char *text);
/* Removes a test's scratch folder with everything in it; 0 or -1. */
int remove_tree(const char *dir);
/* Runs a shell command, capturing stdout+stderr into out (malloc'd); returns exit status. */
int run_capture(const char *cmd, char **out);

#endif
