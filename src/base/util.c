#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Exit status 1, "failed": 3 would tell a batch script a checkpoint was written. */
static void out_of_memory(size_t n)
{
    fprintf(stderr, "scenmc: out of memory (asked for %zu bytes); expected more free memory\n", n);
    exit(1);
}

void *scenmc__xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *scenmc__xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *scenmc__xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *scenmc__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = scenmc__xmalloc(n);
    memcpy(p, s, n);
    return p;
}

scenmc_status scenmc__read_file(const char *path, size_t max_bytes, char **text, size_t *len,
                               scenmc_error *err)
{
    *text = NULL;
    *len = 0;
    struct stat st;
    if (stat(path, &st) != 0)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return scenmc_error_add(err, SCENMC_E_IO, "%s: is a directory; expected a file", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = scenmc__xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes) {
                free(buf);
                fclose(f);
                return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: larger than %zu bytes; expected "
                                        "a smaller file", path, max_bytes);
            }
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return scenmc_error_add(err, SCENMC_E_NOMEM, "%s: out of memory reading it", path);
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: read error", path);
    }
    if (n > max_bytes) {
        free(buf);
        return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: %zu bytes; expected at most %zu", path, n,
                                max_bytes);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return SCENMC_OK;
}

double scenmc__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void scenmc__notes_open(scenmc__notes *N)
{
    N->buf = NULL;
    N->size = 0;
    N->f = open_memstream(&N->buf, &N->size);
}

void scenmc__note(scenmc__notes *N, const char *fmt, ...)
{
    if (!N->f)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (ftell(N->f) > 0)
        fputc('\n', N->f);
    vfprintf(N->f, fmt, ap);
    va_end(ap);
}

void scenmc__notes_close(scenmc__notes *N, char **out)
{
    if (N->f)
        fclose(N->f);
    N->f = NULL;
    if (out && N->buf && N->size) {
        *out = N->buf;
    } else {
        if (out)
            *out = NULL;
        free(N->buf);
    }
    N->buf = NULL;
}

void scenmc__format_double(char *buf, double x)
{
    if (isnan(x)) {
        strcpy(buf, "NaN");
        return;
    }
    if (isinf(x)) {
        strcpy(buf, x > 0 ? "Inf" : "-Inf");
        return;
    }
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, 40, "%.0f", x == 0 ? 0.0 : x); /* no "-0" */
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}
