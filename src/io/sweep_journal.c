/* A sweep's points saved as they finish: the folder OUT.points (see the header). */
#include "io/sweep_journal.h"
#include "scenmc/hpc.h"
#include "scenmc/reader.h"
#include "base/atomic_file.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Like the temporaries: at most this much of the sweep file's name, so that a
 * name that fits has a folder name that fits too. */
#define STEM 200

char *scenmc__sweep_journal_dir(const char *out)
{
    const char *slash = strrchr(out, '/');
    size_t dir = slash ? (size_t)(slash - out) + 1 : 0, base = strlen(out + dir);
    if (base > STEM)
        base = STEM;
    size_t n = dir + base + sizeof ".points";
    char *d = scenmc__xmalloc(n);
    snprintf(d, n, "%.*s%.*s.points", (int)dir, out, (int)base, out + dir);
    return d;
}

/* dir/name (malloc'd). */
static char *in_dir(const scenmc__sweep_journal *j, const char *name)
{
    size_t n = strlen(j->dir) + strlen(name) + 2;
    char *p = scenmc__xmalloc(n);
    snprintf(p, n, "%s/%s", j->dir, name);
    return p;
}

static char *point_path(const scenmc__sweep_journal *j, int i)
{
    char name[32];
    snprintf(name, sizeof name, "point-%06d.h5", i);
    return in_dir(j, name);
}

/* The first line where a and b differ, as "LINE there, LINE here" into why. */
static void first_difference(const char *there, const char *here, char *why, size_t n)
{
    while (*there && *here) {
        size_t a = strcspn(there, "\n"), b = strcspn(here, "\n");
        if (a != b || memcmp(there, here, a) != 0) {
            snprintf(why, n, "'%.*s' there, '%.*s' here", (int)(a < 120 ? a : 120), there,
                     (int)(b < 120 ? b : 120), here);
            return;
        }
        there += a + (there[a] == '\n');
        here += b + (here[b] == '\n');
    }
    snprintf(why, n, "%s", *there ? "more lines there" : "more lines here");
}

/* An existing folder: its design must be this sweep's. */
static scenmc_status check_design(scenmc__sweep_journal *j, const char *design, scenmc_error *err)
{
    char *path = in_dir(j, "design"), *text = NULL;
    size_t len;
    scenmc_status s = SCENMC_OK;
    struct stat st;
    if (lstat(path, &st) != 0) {
        /* Stopped between creating the folder and writing the design: nothing saved yet. */
        s = scenmc__write_text_file(path, design, strlen(design), 0, err);
    } else if ((s = scenmc__read_file(path, 1 << 20, &text, &len, err)) == SCENMC_OK &&
               (len != strlen(design) || memcmp(text, design, len) != 0)) {
        char why[300];
        first_difference(text, design, why, sizeof why);
        s = scenmc_error_add(err, SCENMC_E_INPUT, "%s: holds the points of another sweep (%s); "
                             "resume with the same command, or remove %s to start afresh", j->dir,
                             why, j->dir);
    }
    free(text);
    free(path);
    return s;
}

scenmc_status scenmc__sweep_journal_open(scenmc__sweep_journal *j, const char *out, const char *design,
                                        scenmc_error *err)
{
    memset(j, 0, sizeof *j);
    j->dir = scenmc__sweep_journal_dir(out);
    char *last = point_path(j, 999999);
    scenmc_status s = scenmc__path_check_name(last, err);
    free(last);
    if (s != SCENMC_OK)
        return s;
    if (mkdir(j->dir, 0777) == 0)
        return check_design(j, design, err); /* writes it */
    struct stat st;
    if (errno != EEXIST || lstat(j->dir, &st) != 0)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot create the folder for the sweep's "
                                "points: %s", j->dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return scenmc_error_add(err, SCENMC_E_IO, "%s: exists and is not a folder; the sweep keeps "
                                "its points there (remove it or choose another -o)", j->dir);
    j->resumed = 1;
    return check_design(j, design, err);
}

int scenmc__sweep_journal_has(const scenmc__sweep_journal *j, int i)
{
    char *p = point_path(j, i);
    struct stat st;
    int yes = lstat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return yes;
}

int scenmc__sweep_journal_count(const scenmc__sweep_journal *j, int first, int last)
{
    int n = 0;
    for (int i = first; i < last; i++)
        n += scenmc__sweep_journal_has(j, i);
    return n;
}

scenmc_status scenmc__sweep_journal_save(const scenmc__sweep_journal *j, int i, const scenmc_results *r,
                                        const scenmc_write_options *wo, scenmc_error *err)
{
    char *p = point_path(j, i);
    scenmc_write_options own = *wo;
    own.force = 1;
    scenmc_status s = scenmc_output_write(p, r, &own, err);
    free(p);
    return s;
}

/* Whether the file's results are this sweep's point: model, parameters, range. */
static scenmc_status check_point(const char *path, const scenmc_model *fm, const scenmc_model *m,
                                 const scenmc_params *p, const scenmc_results *r, scenmc_error *err)
{
    char why[256] = "";
    if (memcmp(fm->sha256, m->sha256, sizeof m->sha256) != 0)
        snprintf(why, sizeof why, "another model");
    else if (r->method != SCENMC_MONTE_CARLO || r->first != 0 || r->last != p->n_trajectories ||
             r->n_trajectories != p->n_trajectories)
        snprintf(why, sizeof why, "not every trajectory of the point");
    else if (!scenmc_params_same(&r->params, p, why, sizeof why))
        ; /* why says which */
    else
        return SCENMC_OK;
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s: not this sweep's point (%s); remove the "
                            "folder to start afresh", path, why);
}

scenmc_status scenmc__sweep_journal_load(const scenmc__sweep_journal *j, int i, const scenmc_model *m,
                                        const scenmc_params *p, unsigned flags, scenmc_results *r,
                                        scenmc_error *err)
{
    char *path = point_path(j, i);
    scenmc_model *fm = NULL;
    scenmc_status s = scenmc_results_read_info(path, &fm, r, NULL, flags, err);
    if (s == SCENMC_OK && (s = check_point(path, fm, m, p, r, err)) != SCENMC_OK)
        scenmc_results_free(r);
    if (s == SCENMC_OK)
        r->model = m; /* the same text, checked: fm can go */
    scenmc_model_free(fm);
    free(path);
    return s;
}

/* Ours: the design, point files and their temporaries (design.tmp-*, point-*). */
static int ours(const char *name)
{
    return !strncmp(name, "design", 6) || !strncmp(name, "point-", 6);
}

scenmc_status scenmc__sweep_journal_remove(scenmc__sweep_journal *j, scenmc_error *err)
{
    DIR *d = opendir(j->dir);
    if (!d)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot list it to remove it: %s", j->dir,
                                strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!ours(e->d_name))
            continue;
        char *p = in_dir(j, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    if (rmdir(j->dir) != 0)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: not removed (%s): it holds files that are "
                                "not the sweep's", j->dir, strerror(errno));
    return SCENMC_OK;
}

void scenmc__sweep_journal_free(scenmc__sweep_journal *j)
{
    free(j->dir);
    j->dir = NULL;
}
