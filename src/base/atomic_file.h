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

/* The output-path policy, for every file scenmc writes: an empty name, or a
 * name over NAME_MAX bytes (PATH_MAX a path), is refused; so is anything but
 * a regular file at path (a directory, device, FIFO, socket: with or without
 * force; a symbolic link is refused, not followed); an existing file unless
 * force. Then tries creating a file beside it, the only reliable test of
 * writability. Temporaries use at most 200 bytes of the name, so every name
 * derived from a name that passes fits too. */
scenmc_status scenmc__atomic_check(const char *path, int force, scenmc_error *err);

/* Only the name: empty or too long is refused (SCENMC_E_INPUT). */
scenmc_status scenmc__path_check_name(const char *path, scenmc_error *err);

/* Whether a and b name the same file (device and inode; a name that does not
 * exist is the same only as itself, by name). */
int scenmc__same_file(const char *a, const char *b);

/* A fresh temporary beside path (path.tmp-XXXXXX, private until commit), open
 * for writing. */
scenmc_status scenmc__atomic_begin(scenmc__atomic *a, const char *path, scenmc_error *err);

/* Adopts tmp, a finished file that someone else wrote beside path (not freed
 * here; commit or abandon leave a->tmp NULL without freeing it). */
void scenmc__atomic_adopt(scenmc__atomic *a, const char *tmp, const char *path);

/* Writes n bytes to the temporary; 0 or the errno of the failure. */
int scenmc__atomic_write(scenmc__atomic *a, const void *buf, size_t n);

/* Flushes the temporary to disk, gives it the mode a plain create would have
 * (0666 & ~umask) and puts it at the target: when no_clobber (begin sets it
 * when nothing was at the target) by link(2), so that of two writers exactly
 * one wins; else renamed over a regular file. On any failure removes it.
 * e: an errno from the caller's own writing (0: none), reported as the
 * failure. Fsync before rename: a crash cannot leave an empty file under the
 * final name. */
scenmc_status scenmc__atomic_commit(scenmc__atomic *a, int e, scenmc_error *err);

/* Commits n finished files together, all or nothing: every one is flushed
 * and every target checked before the first is put in place; on a failure
 * before that, every temporary is removed and no target changed. */
scenmc_status scenmc__atomic_commit_all(scenmc__atomic *a, size_t n, scenmc_error *err);

/* Removes the temporary: the caller gave up or failed before commit. */
void scenmc__atomic_abandon(scenmc__atomic *a);

/* A fresh temporary file beside path (mkstemp: unique beyond the PID),
 * created empty and closed; its name (malloc'd), or NULL when it cannot be
 * created. For files that another writer builds before they are committed. */
char *scenmc__atomic_temp_name(const char *path);

/* Removes a temporary that scenmc__atomic_temp_name made and nobody committed. */
void scenmc__atomic_forget(const char *tmp);

/* Removes every temporary that exists now (not yet committed or removed):
 * async-signal-safe, for a handler about to end the process. */
void scenmc__atomic_unlink_live(void);

/* Writes text to path through a temporary file beside it and a rename;
 * refuses to replace an existing file unless force. */
scenmc_status scenmc__write_text_file(const char *path, const char *text, size_t len, int force,
                                     scenmc_error *err);

#endif
