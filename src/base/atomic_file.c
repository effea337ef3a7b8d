/* Files written whole or not at all: a temporary beside the target, renamed
 * over it at the end, removed on failure. The one mechanism behind every file
 * scenmc writes (results, checkpoints, shards, models, exported matrices). */
#include "base/atomic_file.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkstemp's pattern beside path; *fd the open file, or -1 with errno set. */
static char *make_temp(const char *path, int *fd)
{
    size_t n = strlen(path) + 16;
    char *tmp = scenmc__xmalloc(n);
    snprintf(tmp, n, "%s.tmp-XXXXXX", path);
    *fd = mkstemp(tmp);
    return tmp;
}

scenmc_status scenmc__atomic_check(const char *path, int force, scenmc_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return scenmc_error_add(err, SCENMC_E_IO, "%s: is a directory; expected a file name", path);
        if (!force)
            return scenmc_error_add(err, SCENMC_E_IO, "%s: already exists; use --force to overwrite it",
                                    path);
    }
    scenmc__atomic a;
    scenmc_status s = scenmc__atomic_begin(&a, path, err);
    if (s == SCENMC_OK)
        scenmc__atomic_abandon(&a);
    return s;
}

scenmc_status scenmc__atomic_begin(scenmc__atomic *a, const char *path, scenmc_error *err)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    a->what = "writing failed";
    a->tmp = make_temp(path, &a->fd);
    if (a->fd < 0) {
        scenmc_status s = scenmc_error_add(err, SCENMC_E_IO, "%s: cannot write there: %s", path,
                                           strerror(errno));
        free(a->tmp);
        a->tmp = NULL;
        return s;
    }
    return SCENMC_OK;
}

void scenmc__atomic_adopt(scenmc__atomic *a, const char *tmp, const char *path)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    a->what = "writing failed";
    a->tmp = (char *)tmp;
    a->fd = -1;
    a->adopted = 1;
}

int scenmc__atomic_write(scenmc__atomic *a, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    for (size_t at = 0; at < n;) {
        ssize_t k = write(a->fd, p + at, n - at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? errno : EIO;
        at += (size_t)k;
    }
    return 0;
}

/* fsync and close the temporary (opening it first when adopted); 0 or an errno. */
static int sync_close(scenmc__atomic *a)
{
    int fd = a->fd >= 0 ? a->fd : open(a->tmp, O_RDONLY);
    a->fd = -1;
    if (fd < 0)
        return errno;
    int e = fsync(fd) == 0 ? 0 : errno;
    if (close(fd) != 0 && !e)
        e = errno;
    return e;
}

/* Removes the temporary and forgets it (the adopted name is the caller's to free). */
static void drop(scenmc__atomic *a, int owned)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    if (a->tmp)
        unlink(a->tmp);
    if (owned)
        free(a->tmp);
    a->tmp = NULL;
}

void scenmc__atomic_abandon(scenmc__atomic *a)
{
    drop(a, !a->adopted);
}

scenmc_status scenmc__atomic_commit(scenmc__atomic *a, int e, scenmc_error *err)
{
    int owned = !a->adopted;
    if (e) {
        drop(a, owned);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: %s (%s); nothing was written", a->path, a->what,
                                strerror(e));
    }
    if ((e = sync_close(a)) != 0) {
        drop(a, owned);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: %s (%s); nothing was written", a->path, a->what,
                                strerror(e));
    }
    struct stat sb;
    if (a->no_clobber && stat(a->path, &sb) == 0) {
        drop(a, owned);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: already exists; use --force to overwrite it",
                                a->path);
    }
    /* mkstemp made it private; give it the mode a plain create would have. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(a->tmp, 0666 & ~mask);
    scenmc_status s = SCENMC_OK;
    if (rename(a->tmp, a->path) != 0) {
        e = errno;
        unlink(a->tmp);
        s = scenmc_error_add(err, SCENMC_E_IO, "%s: cannot rename the finished file into place: %s",
                             a->path, strerror(e));
    }
    if (owned)
        free(a->tmp);
    a->tmp = NULL;
    return s;
}

char *scenmc__atomic_temp_name(const char *path)
{
    static unsigned counter;
    size_t n = strlen(path) + 64;
    char *t = scenmc__xmalloc(n);
    snprintf(t, n, "%s.part-%ld-%u", path, (long)getpid(), counter++);
    return t;
}

/* ------------------------------------------------------------ text files */

scenmc_status scenmc__write_text_file(const char *path, const char *text, size_t len, int force,
                                     scenmc_error *err)
{
    scenmc_status s = scenmc__atomic_check(path, force, err);
    scenmc__atomic a;
    if (s == SCENMC_OK)
        s = scenmc__atomic_begin(&a, path, err);
    if (s != SCENMC_OK)
        return s;
    a.what = "cannot write";
    return scenmc__atomic_commit(&a, scenmc__atomic_write(&a, text, len), err);
}
