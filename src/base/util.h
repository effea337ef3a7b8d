/* Small internal helpers shared by the modules (not part of the public API). */
#ifndef SCENMC_UTIL_H
#define SCENMC_UTIL_H

#include "scenmc/scenmc.h"

#include <stddef.h>
#include <stdio.h>

/* Allocation of small bookkeeping structures: on failure these print one
 * line and end the process (as git's xmalloc does), since no caller could
 * recover. Large buffers (tallies, probability vectors) are allocated with
 * plain malloc and their failure is reported as SCENMC_E_NOMEM instead. */
void *scenmc__xmalloc(size_t n);
void *scenmc__xcalloc(size_t n, size_t size);
void *scenmc__xrealloc(void *p, size_t n);
char *scenmc__strdup(const char *s);

/* Reads a whole file of at most max_bytes. */
scenmc_status scenmc__read_file(const char *path, size_t max_bytes, char **text, size_t *len,
                               scenmc_error *err);

/* Notes for the user that are not errors (importers: generated names, kept
 * self-impacts), collected one per line in a memory buffer. */
typedef struct scenmc__notes {
    char *buf;
    size_t size;
    FILE *f;
} scenmc__notes;
void scenmc__notes_open(scenmc__notes *N);
void scenmc__note(scenmc__notes *N, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Hands the notes to *out (NULL when there are none) or drops them. */
void scenmc__notes_close(scenmc__notes *N, char **out);

/* The shortest decimal text that reads back as the identical double
 * ("NaN", "Inf" and "-Inf" for those); buf holds at least 40 bytes. */
void scenmc__format_double(char *buf, double x);

/* Wall-clock seconds since an arbitrary start. */
double scenmc__now(void);

#endif
