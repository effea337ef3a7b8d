/* Files written whole or not at all: a temporary beside the target, renamed
 * over it at the end, removed on failure. The one mechanism behind every file
 * scenmc writes (results, checkpoints, shards, models, exported matrices). */
#include "base/atomic_file.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Temporaries take at most this much of the target's name, so that a name
 * that fits NAME_MAX has temporaries that fit too (ours and HDF5's). */
#define TEMP_STEM 200

/* ------------------------------------------------------- live temporaries */

/* Every temporary that exists now, in a fixed table (no allocation, no lock)
 * so that a signal handler can remove them before the process ends: unlink
 * is async-signal-safe. A slot is 0 free, 1 being filled or emptied, 2 live. */
#define LIVE_SLOTS 64
static char live_path[LIVE_SLOTS][PATH_MAX];
static atomic_int live_state[LIVE_SLOTS];

static void live_add(const char *tmp)
{
    size_t n = strlen(tmp);
    if (n >= PATH_MAX)
        return;
    for (int i = 0; i < LIVE_SLOTS; i++) {
        int free_slot = 0;
        if (atomic_compare_exchange_strong(&live_state[i], &free_slot, 1)) {
            memcpy(live_path[i], tmp, n + 1);
            atomic_store(&live_state[i], 2);
            return;
        }
    }
    /* More than LIVE_SLOTS at once (never, in scenmc): that one is not tracked. */
}

static void live_remove(const char *tmp)
{
    for (int i = 0; i < LIVE_SLOTS; i++) {
        int live = 2;
        if (atomic_load(&live_state[i]) == 2 && strcmp(live_path[i], tmp) == 0 &&
            atomic_compare_exchange_strong(&live_state[i], &live, 1)) {
            atomic_store(&live_state[i], 0);
            return;
        }
    }
}

void scenmc__atomic_unlink_live(void)
{
    for (int i = 0; i < LIVE_SLOTS; i++)
        if (atomic_load(&live_state[i]) == 2)
            unlink(live_path[i]);
}

/* Test hook (SCENMC_TEST_HOLD_TEMP=SECONDS or SECONDS:TEXT): once a temporary
 * (whose name holds TEXT) exists, wait that long, so that a test can signal
 * the process at that moment. A signal cuts the wait short only once it is
 * over: the rest is waited for too. */
static void hold_for_tests(const char *tmp)
{
    const char *s = getenv("SCENMC_TEST_HOLD_TEMP");
    if (!s || !*s)
        return;
    const char *colon = strchr(s, ':');
    if (colon && !strstr(tmp, colon + 1))
        return;
    struct timespec t = {atoi(s), 0}, rest;
    while (nanosleep(&t, &rest) != 0 && errno == EINTR)
        t = rest;
}

/* dir/STEM<suffix>XXXXXX beside path (STEM: the first TEMP_STEM bytes of
 * its last component), made by mkstemp; *fd the open file, or -1 with errno. */
static char *make_temp(const char *path, const char *suffix, int *fd)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    size_t base = strlen(path + dir);
    if (base > TEMP_STEM)
        base = TEMP_STEM;
    size_t n = dir + base + strlen(suffix) + 8;
    char *tmp = scenmc__xmalloc(n);
    snprintf(tmp, n, "%.*s%.*s%sXXXXXX", (int)dir, path, (int)base, path + dir, suffix);
    /* The ending signals wait while the file is made and registered: a handler
     * that ran in between would not know the file and leave it behind. */
    sigset_t ending, old;
    sigemptyset(&ending);
    sigaddset(&ending, SIGTERM);
    sigaddset(&ending, SIGINT);
    sigaddset(&ending, SIGHUP);
    sigaddset(&ending, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &ending, &old);
    *fd = mkstemp(tmp);
    int saved = errno;
    if (*fd >= 0)
        live_add(tmp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return tmp;
}

scenmc_status scenmc__path_check_name(const char *path, scenmc_error *err)
{
    if (!path || !*path)
        return scenmc_error_add(err, SCENMC_E_INPUT, "an empty file name; expected a file to write");
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: a folder name; expected a file name", path);
    if (strlen(path) >= PATH_MAX || strlen(base) > NAME_MAX)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%.64s...: the file name is too long (at most %d "
                                "bytes a name, %d a path)", path, NAME_MAX, PATH_MAX - 1);
    return SCENMC_OK;
}

/* What stands at path: 0 nothing, 1 a regular file, or an error. Symbolic
 * links are refused, never followed: replacing one would replace the link,
 * not the file it names, and writing through it would write elsewhere. */
static scenmc_status existing(const char *path, int *exists, scenmc_error *err)
{
    struct stat st;
    *exists = 0;
    if (lstat(path, &st) != 0)
        return SCENMC_OK;
    if (S_ISLNK(st.st_mode))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: is a symbolic link; scenmc writes only "
                                "regular files (give the file it points to)", path);
    if (S_ISDIR(st.st_mode))
        return scenmc_error_add(err, SCENMC_E_IO, "%s: is a directory; expected a file name", path);
    if (!S_ISREG(st.st_mode))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: not a regular file (a device, FIFO or "
                                "socket); scenmc writes only regular files, with or without --force",
                                path);
    *exists = 1;
    return SCENMC_OK;
}

int scenmc__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return !strcmp(a, b);
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

scenmc_status scenmc__atomic_check(const char *path, int force, scenmc_error *err)
{
    int exists;
    scenmc_status s = scenmc__path_check_name(path, err);
    if (s == SCENMC_OK)
        s = existing(path, &exists, err);
    if (s != SCENMC_OK)
        return s;
    if (exists && !force)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: already exists; use --force to overwrite it",
                                path);
    /* A file created beside it: the only reliable test of writability. */
    int fd;
    char *probe = make_temp(path, ".tmp-", &fd);
    if (fd < 0) {
        s = scenmc_error_add(err, SCENMC_E_IO, "%s: cannot write there: %s", path, strerror(errno));
    } else {
        close(fd);
        scenmc__atomic_forget(probe);
    }
    free(probe);
    return s;
}

scenmc_status scenmc__atomic_begin(scenmc__atomic *a, const char *path, scenmc_error *err)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    a->what = "writing failed";
    /* Nothing there yet: claim the name without replacing what may appear meanwhile. */
    struct stat st;
    a->no_clobber = lstat(path, &st) != 0;
    a->tmp = make_temp(path, ".tmp-", &a->fd);
    if (a->fd < 0) {
        scenmc_status s = scenmc_error_add(err, SCENMC_E_IO, "%s: cannot write there: %s", path,
                                           strerror(errno));
        free(a->tmp);
        a->tmp = NULL;
        return s;
    }
    hold_for_tests(a->tmp);
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
    struct stat st;
    a->no_clobber = lstat(path, &st) != 0;
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
    if (a->tmp) {
        unlink(a->tmp);
        live_remove(a->tmp);
    }
    if (owned)
        free(a->tmp);
    a->tmp = NULL;
}

void scenmc__atomic_abandon(scenmc__atomic *a)
{
    drop(a, !a->adopted);
}

/* Puts the finished temporary at the target. Without replacing: link(2), which
 * fails on an existing name, so of two writers exactly one wins; where the file
 * system has no hard links, a check and a rename. Replacing: only a regular
 * file, checked again now. The temporary is gone afterwards either way. */
static scenmc_status place(scenmc__atomic *a, scenmc_error *err)
{
    int exists = 0;
    scenmc_status s = existing(a->path, &exists, err);
    if (s == SCENMC_OK && a->no_clobber) {
        if (link(a->tmp, a->path) == 0) {
            unlink(a->tmp);
            live_remove(a->tmp);
            return SCENMC_OK;
        }
        if (errno == EEXIST || exists)
            s = scenmc_error_add(err, SCENMC_E_IO, "%s: already exists (written meanwhile by "
                                 "another process?); use --force to overwrite it", a->path);
    }
    if (s == SCENMC_OK && rename(a->tmp, a->path) != 0)
        s = scenmc_error_add(err, SCENMC_E_IO, "%s: cannot rename the finished file into place: %s",
                             a->path, strerror(errno));
    if (s != SCENMC_OK)
        unlink(a->tmp);
    live_remove(a->tmp);
    return s;
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
    /* mkstemp made it private; give it the mode a plain create would have. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(a->tmp, 0666 & ~mask);
    scenmc_status s = place(a, err);
    if (owned)
        free(a->tmp);
    a->tmp = NULL;
    return s;
}

scenmc_status scenmc__atomic_commit_all(scenmc__atomic *a, size_t n, scenmc_error *err)
{
    int e = 0;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        int ei = sync_close(&a[i]);
        if (ei && !e) {
            e = ei;
            bad = i;
        }
    }
    for (size_t i = 0; i < n && !e; i++) {
        int exists;
        if (existing(a[i].path, &exists, err) != SCENMC_OK || (exists && a[i].no_clobber))
            e = -1;
    }
    scenmc_status s = SCENMC_OK;
    if (e > 0)
        s = scenmc_error_add(err, SCENMC_E_IO, "%s: %s (%s); nothing was written", a[bad].path,
                             a[bad].what, strerror(e));
    else if (e < 0 && err->code == SCENMC_OK)
        s = scenmc_error_add(err, SCENMC_E_IO, "%s: already exists (written meanwhile?); nothing "
                             "was written", a[0].path);
    else if (e < 0)
        s = err->code;
    for (size_t i = 0; i < n; i++) {
        if (s != SCENMC_OK) {
            drop(&a[i], !a[i].adopted);
            continue;
        }
        /* Checked above: only a rename failing now could leave some in place. */
        scenmc_status si = scenmc__atomic_commit(&a[i], 0, err);
        if (si != SCENMC_OK && s == SCENMC_OK)
            s = si;
    }
    return s;
}

char *scenmc__atomic_temp_name(const char *path)
{
    int fd;
    char *t = make_temp(path, ".part-", &fd);
    if (fd < 0) {
        free(t);
        return NULL;
    }
    close(fd);
    hold_for_tests(t);
    return t;
}

void scenmc__atomic_forget(const char *tmp)
{
    unlink(tmp);
    live_remove(tmp);
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
