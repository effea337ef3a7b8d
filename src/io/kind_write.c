/* The scaffolding of the writers of files of their own kind (kind_write.h). */
#include "io/kind_write.h"

scenmc_status scenmc__kind_write(const char *path, const scenmc_model *m, const scenmc_params *p,
                                 const scenmc__kind_head *head, const scenmc_write_options *opt,
                                 const scenmc__output_extra *extra, scenmc_error *err)
{
    scenmc_results shape;
    scenmc_status st = scenmc_results_init(&shape, m, p, head->method, err);
    if (st != SCENMC_OK)
        return st;
    shape.n_trajectories = head->n_trajectories;
    shape.first = head->first;
    shape.last = head->last;
    shape.wall_seconds = head->wall_seconds;
    shape.threads = head->threads;
    scenmc_write_options o = opt ? *opt : (scenmc_write_options){0};
    if (head->file_method)
        o.method = head->file_method;
    st = scenmc__output_write_meta(path, &shape, p, &o, extra, err);
    scenmc_results_free(&shape);
    return st;
}

hid_t scenmc__kind_group(hid_t file, const char *name, scenmc__axes *a, int n, const char *const *names,
                         int fixed)
{
    hid_t g = H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g >= 0)
        scenmc__axes_init(a, g, n, names, fixed);
    return g;
}

int scenmc__kind_group_close(scenmc__axes *a)
{
    int ok = scenmc__axes_close(a);
    return H5Gclose(a->g) >= 0 && ok;
}
