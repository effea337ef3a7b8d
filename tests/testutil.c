#include "testutil.h"
#include "scenmc/observe.h"
#include "scenmc/reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* dir/name in one of 16 rotating buffers, so that a few may be held at once. */
static const char *joined_path(const char *dir, const char *name)
{
    static char buf[16][4096];
    static int k;
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

const char *src_path(const char *rel)
{
    return joined_path(SCENMC_SOURCE_DIR, rel);
}

scenmc_model *model_from_string(const char *yaml)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    if (scenmc_model_parse(yaml, strlen(yaml), "<test>", &m, &err) != SCENMC_OK)
        fail_msg("model did not load:\n%s", err.msg);
    return m;
}

int run_capture(const char *cmd, char **out)
{
    char full[8192];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[n] = '\0';
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

scenmc_model *default_model(void)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    if (scenmc_model_load_default(&m, &err) != SCENMC_OK)
        fail_msg("the built-in model did not load:\n%s", err.msg);
    return m;
}

const char test_small_model[] =
    "name: small\n"
    "years: {start: 0, end: 40}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2, a3]}\n"
    "  - {id: B, variants: [b1, b2]}\n"
    "  - {id: C, variants: [c1, c2, c3]}\n"
    "  - {id: E, variants: [e1, e2]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[3, -2], [0, 1], [-3, 2]]}\n"
    "  - {between: [A, C], scores: [[2, 0, -1], [-1, 2, 0], [0, -2, 3]]}\n"
    "  - {between: [B, C], scores: [[1, -1, 0], [-2, 2, 1]]}\n"
    "  - {between: [C, E], scores: [[2, -2], [0, 0], [-3, 3]]}\n"
    "  - {between: [A, E], scores: [[1, 0], [0, 1], [-1, 2]]}\n"
    "scenarios:\n"
    "  - {name: S1, when: {A: a1}}\n"
    "  - {name: S2, when: {A: a2, B: b2}}\n"
    "defaults: {beta: 0.4, rate: 4}\n";

const char test_cross_model[] =
    "name: cross\n"
    "years: {start: 0, end: 30}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2]}\n"
    "  - {id: B, variants: [b1, b2, b3]}\n"
    "  - {id: C, variants: [c1, c2]}\n"
    "cross_impact:\n"
    "  - {from: A, to: B, impacts: [[2, -1, 0], [-2, 1, 3]]}\n"
    "  - {from: B, to: A, impacts: [[1, -1], [0, 2], [-3, 1]]}\n"
    "  - {from: B, to: C, impacts: [[2, -2], [0, 1], [1, 0]]}\n"
    "  - {from: C, to: A, impacts: [[-1, 2], [3, -3]]}\n"
    "  - {from: A, to: A, impacts: [[1, 0], [0, 0]]}\n"
    "scenarios:\n"
    "  - {name: one, when: {A: a1}}\n"
    "  - {name: two, when: {A: a2}}\n"
    "defaults: {beta: 0.5, rate: 3}\n";

scenmc_results exact_threads_or_fail(const scenmc_model *m, const scenmc_params *p, int threads)
{
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact(m, p, threads, &r, &err) != SCENMC_OK)
        fail_msg("exact failed: %s", err.msg);
    return r;
}

scenmc_results exact_or_fail(const scenmc_model *m, const scenmc_params *p)
{
    return exact_threads_or_fail(m, p, 2);
}

scenmc_results exact_given_or_fail(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o)
{
    scenmc_results r;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_exact_given(m, p, o, 2, &r, &err) != SCENMC_OK)
        fail_msg("exact_given failed: %s", err.msg);
    return r;
}

char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *sh_out;

int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    free(sh_out);
    sh_out = NULL;
    return run_capture(cmd, &sh_out);
}

void read_or_fail(const char *path, scenmc_model **m, scenmc_results *r)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_results_read(path, m, r, &err) != SCENMC_OK)
        fail_msg("reading %s failed:\n%s", path, err.msg);
}

int remove_tree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

char scratch_dir[256];

int scratch_setup(void **state)
{
    (void)state;
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/scenmc-test-XXXXXX");
    return mkdtemp(scratch_dir) ? 0 : -1;
}

int scratch_teardown(void **state)
{
    (void)state;
    free(sh_out);
    sh_out = NULL;
    return remove_tree(scratch_dir);
}

const char *scratch_path(const char *name)
{
    return joined_path(scratch_dir, name);
}

const char *scratch_write(const char *name, const char *text)
{
    const char *path = scratch_path(name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        fail_msg("cannot write %s", path);
    return path;
}

const char test_calib_model[] =
    "name: calib\n"
    "years: {start: 2020, end: 2025}\n"
    "descriptors:\n"
    "  - {id: A, variants: [a1, a2]}\n"
    "  - {id: B, variants: [b1, b2, b3]}\n"
    "  - {id: C, variants: [c1, c2]}\n"
    "consistency:\n"
    "  - {between: [A, B], scores: [[2, -1, -2], [-2, 1, 2]]}\n"
    "  - {between: [B, C], scores: [[2, -2], [0, 1], [-2, 2]]}\n"
    "  - {between: [A, C], scores: [[1, -1], [-1, 1]]}\n"
    "cross_impact:\n"
    "  - {from: A, to: C, impacts: [[1, -1], [0, 0]]}\n"
    "scenarios:\n"
    "  - {name: S1, when: {A: a1}}\n"
    "  - {name: S2, when: {A: a2, C: c2}}\n";
