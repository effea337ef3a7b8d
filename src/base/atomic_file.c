/* Files written whole or not at all: a temporary beside the target, renamed over it. */
#include "base/atomic_file.h"
#include "base/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

scenmc_status scenmc_output_target_check(const char *path, int force, scenmc_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return scenmc_error_add(err, SCENMC_E_IO, "%s: is a directory; expected a file name",
                                    path);
        if (!force)
            return scenmc_error_add(err, SCENMC_E_IO, "%s: already exists; use --force to "
                                    "overwrite it", path);
    }
    return SCENMC_OK;
}

int scenmc_temp_beside(const char *path, char **tmp, scenmc_error *err)
{
    size_t n = strlen(path) + 16;
    *tmp = scenmc_xmalloc(n);
    snprintf(*tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(*tmp);
    if (fd < 0) {
        scenmc_error_add(err, SCENMC_E_IO, "%s: cannot write there: %s", path, strerror(errno));
        free(*tmp);
        *tmp = NULL;
    }
    return fd;
}

void scenmc_temp_set_mode(const char *tmp)
{
    /* umask can only be read by setting it; put it straight back. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmp, 0666 & ~mask);
}

/* ------------------------------------------------------------ text files */

scenmc_status scenmc_write_text_file(const char *path, const char *text, size_t len, int force,
                                     scenmc_error *err)
{
    scenmc_status s = scenmc_output_target_check(path, force, err);
    if (s != SCENMC_OK)
        return s;
    char *tmp;
    int fd = scenmc_temp_beside(path, &tmp, err);
    if (fd < 0)
        return SCENMC_E_IO;
    FILE *f = fdopen(fd, "wb");
    int ok = f != NULL;
    if (ok)
        ok = fwrite(text, 1, len, f) == len;
    if (f)
        ok = (fclose(f) == 0) && ok;
    else
        close(fd);
    if (ok) {
        scenmc_temp_set_mode(tmp);
        ok = rename(tmp, path) == 0;
    }
    if (!ok) {
        s = scenmc_error_add(err, SCENMC_E_IO, "%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return s;
}
