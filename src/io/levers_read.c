/* A levers file back into memory (io/levers_read.h). */
#include "io/levers_read.h"
#include "io/h5.h"
#include "base/util.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

int scenmc__levers_is_file(const char *path)
{
    return scenmc__h5_file_has(path, "/levers");
}

static int read_doubles(hid_t g, const char *name, size_t n, double **out)
{
    *out = scenmc__xcalloc(n + 1, sizeof(double));
    return !n || scenmc__h5_read_num(g, name, H5T_NATIVE_DOUBLE, n, *out) == 1;
}

static int read_ints(hid_t g, const char *name, size_t n, int **out)
{
    *out = scenmc__xcalloc(n + 1, sizeof(int));
    return !n || scenmc__h5_read_num(g, name, H5T_NATIVE_INT, n, *out) == 1;
}

/* The lever columns into f->r.lever. */
static int read_levers(hid_t g, scenmc__levers_file *f, size_t n)
{
    double *col[4];
    int *ic[3];
    static const char *const dn[4] = {"p_with", "effect", "se", "ratio"};
    static const char *const in[3] = {"defining", "trivial", "rank"};
    int ok = 1;
    for (int k = 0; k < 4; k++)
        ok &= read_doubles(g, dn[k], n, &col[k]);
    for (int k = 0; k < 3; k++)
        ok &= read_ints(g, in[k], n, &ic[k]);
    f->r.lever = scenmc__xcalloc(n + 1, sizeof(scenmc_lever));
    f->r.order = scenmc__xcalloc(n + 1, sizeof(int));
    for (size_t i = 0; i < n && ok; i++) {
        scenmc_lever *l = &f->r.lever[i];
        l->kind = strncmp(f->label[i], "push ", 5) ? SCENMC_LEVER_HOLD : SCENMC_LEVER_PUSH;
        l->p_with = col[0][i], l->effect = col[1][i], l->se = col[2][i], l->ratio = col[3][i];
        l->defining = ic[0][i], l->trivial = ic[1][i];
        if (ic[2][i] < 1 || (size_t)ic[2][i] > n)
            ok = 0;
        else
            f->r.order[ic[2][i] - 1] = (int)i;
    }
    for (int k = 0; k < 4; k++)
        free(col[k]);
    for (int k = 0; k < 3; k++)
        free(ic[k]);
    return ok;
}

static int read_attrs(hid_t g, scenmc__levers_file *f)
{
    int32_t v[4] = {0, 0, 0, -1};
    static const char *const names[4] = {"target_year", "start_year", "pair_exhaustive", "best_pair"};
    int ok = 1;
    for (int k = 0; k < 4; k++)
        ok &= scenmc__h5_get_attr(g, ".", names[k], H5T_NATIVE_INT32, &v[k]) == 1;
    f->r.year = v[0], f->r.start = v[1], f->r.pair_exhaustive = v[2], f->r.best_pair = v[3];
    ok &= scenmc__h5_get_attr(g, ".", "p_baseline", H5T_NATIVE_DOUBLE, &f->r.p_baseline) == 1;
    ok &= scenmc__h5_get_attr(g, ".", "p_baseline_se", H5T_NATIVE_DOUBLE, &f->r.p_baseline_se) == 1;
    ok &= scenmc__h5_get_attr(g, ".", "n_trajectories", H5T_NATIVE_UINT64, &f->r.n_trajectories) == 1;
    ok &= scenmc__h5_get_attr(g, ".", "wall_seconds", H5T_NATIVE_DOUBLE, &f->r.wall_seconds) == 1;
    char *method = scenmc__h5_attr_string(g, ".", "method");
    f->r.method = method && !strcmp(method, "exact") ? SCENMC_EXACT : SCENMC_MONTE_CARLO;
    free(method);
    f->target = scenmc__h5_attr_string(g, ".", "target");
    f->baseline_schedule = scenmc__h5_attr_string(g, ".", "baseline_schedule");
    f->given = scenmc__h5_attr_string(g, ".", "given"); /* optional: files before it have none */
    return ok && f->target && f->baseline_schedule;
}

static int read_group(hid_t file, scenmc__levers_file *f)
{
    hid_t g = H5Gopen2(file, "/levers", H5P_DEFAULT);
    if (g < 0)
        return 0;
    size_t n = 0, np = 0;
    f->label = scenmc__h5_read_strings(g, "lever", &n);
    f->pair_label = H5Lexists(g, "pair", H5P_DEFAULT) > 0 ? scenmc__h5_read_strings(g, "pair", &np) : NULL;
    int ok = f->label && n > 0 && read_attrs(g, f);
    f->r.n_levers = (int)n;
    f->r.n_pairs = (int)np;
    ok = ok && read_levers(g, f, n) && read_ints(g, "pair_first", np, &f->r.pair_a) &&
         read_ints(g, "pair_second", np, &f->r.pair_b) && read_doubles(g, "pair_p_with", np, &f->r.pair_p) &&
         read_doubles(g, "pair_effect", np, &f->r.pair_effect) && read_doubles(g, "pair_se", np, &f->r.pair_se);
    for (size_t i = 0; ok && i < np; i++)
        ok = f->r.pair_a[i] >= 0 && (size_t)f->r.pair_a[i] < n && f->r.pair_b[i] >= 0 && (size_t)f->r.pair_b[i] < n;
    ok = ok && f->r.best_pair >= -1 && f->r.best_pair < (int)np;
    H5Gclose(g);
    return ok;
}

scenmc_status scenmc__levers_read(const char *path, scenmc__levers_file *f, scenmc_error *err)
{
    memset(f, 0, sizeof *f);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot open the file", path);
    int ok = read_group(file, f);
    f->model_name = scenmc__h5_attr_string(file, "/model", "name");
    f->command_line = scenmc__h5_attr_string(file, "/", "command_line");
    H5Fclose(file);
    if (!ok) {
        scenmc__levers_file_free(f);
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: a damaged or incomplete levers file (/levers)", path);
    }
    return SCENMC_OK;
}

void scenmc__levers_file_free(scenmc__levers_file *f)
{
    if (f->label)
        scenmc__h5_free_strings(f->label, (size_t)f->r.n_levers);
    if (f->pair_label)
        scenmc__h5_free_strings(f->pair_label, (size_t)f->r.n_pairs);
    scenmc_levers_free(&f->r);
    free(f->model_name);
    free(f->target);
    free(f->baseline_schedule);
    free(f->given);
    free(f->command_line);
    memset(f, 0, sizeof *f);
}
