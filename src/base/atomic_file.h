/* Files written whole or not at all: a temporary beside the target, renamed
 * over it at the end, removed on failure. The one mechanism behind every
 * file scenmc writes. */
#ifndef SCENMC_BASE_ATOMIC_FILE_H
#define SCENMC_BASE_ATOMIC_FILE_H

#include "scenmc/scenmc.h"

#include <stddef.h>

typedef struct scenmc__atomic {
    const char *path; /* the target */
    char *tmp;        /* the temporary beside it (malloc'd), NULL when none */
    int fd;           /* open on tmp for writing, or -1 */
    int no_clobber;   /* commit refuses an existing target ("use --force") */
    int adopted;      /* tmp is the caller's name: never freed here */
    const char *what; /* "writing the results failed", or how else a failed write is told */
} scenmc__atomic;

/* Refuses a directory, and an existing path unless force; then tries creating
 * a file beside it, the only reliable test of writability. */
scenmc_status scenmc__atomic_check(const char *path, int force, scenmc_error *err);

/* A fresh temporary beside path (path.tmp-XXXXXX, private until commit), open
 * for writing. */
scenmc_status scenmc__atomic_begin(scenmc__atomic *a, const char *path, scenmc_error *err);

/* Adopts tmp, a finished file that someone else wrote beside path (not freed
 * here; commit or abandon leave a->tmp NULL without freeing it). */
void scenmc__atomic_adopt(scenmc__atomic *a, const char *tmp, const char *path);

/* Writes n bytes to the temporary; 0 or the errno of the failure. */
int scenmc__atomic_write(scenmc__atomic *a, const void *buf, size_t n);

/* Flushes the temporary to disk, gives it the mode a plain create would have
 * (0666 & ~umask) and renames it over the target; on any failure removes it.
 * e: an errno from the caller's own writing (0: none), reported as the
 * failure. Fsync before rename: a crash cannot leave an empty file under the
 * final name. */
scenmc_status scenmc__atomic_commit(scenmc__atomic *a, int e, scenmc_error *err);

/* Removes the temporary: the caller gave up or failed before commit. */
void scenmc__atomic_abandon(scenmc__atomic *a);

/* A fresh name for a temporary file beside path (malloc'd; nothing created):
 * for files that another writer builds before they are committed. */
char *scenmc__atomic_temp_name(const char *path);

/* Writes text to path through a temporary file beside it and a rename;
 * refuses to replace an existing file unless force. */
scenmc_status scenmc__write_text_file(const char *path, const char *text, size_t len, int force,
                                     scenmc_error *err);

#endif
