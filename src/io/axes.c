/* Named axes for the tables of one group (axes.h). */
#include "io/axes.h"
#include "io/h5.h"
#include "base/util.h"

#include <hdf5_hl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scenmc__axes_init(scenmc__axes *a, hid_t g, int n, const char *const *names, int fixed)
{
    memset(a, 0, sizeof *a);
    a->g = g;
    a->n = n;
    a->names = names;
    a->fixed = fixed;
    a->ok = n <= SCENMC_AXES_MAX;
    for (int i = 0; i < SCENMC_AXES_MAX; i++)
        a->scale[i] = -1;
}

int scenmc__axes_close(scenmc__axes *a)
{
    for (int i = 0; i < SCENMC_AXES_MAX; i++)
        if (a->scale[i] >= 0)
            H5Dclose(a->scale[i]);
    for (int i = 0; i < SCENMC_AXES_MAX; i++)
        a->scale[i] = -1;
    return a->ok;
}

int scenmc__axes_attach(hid_t ds, unsigned i, hid_t scale, const char *label)
{
    if (scale >= 0 && H5DSattach_scale(ds, scale, i) < 0)
        return 0;
    if (label)
        return H5DSset_label(ds, i, label) >= 0;
    char have[128], path[256];
    if (scale >= 0 && H5DSget_label(ds, i, have, sizeof have) <= 0 && H5Iget_name(scale, path, sizeof path) > 0) {
        const char *base = strrchr(path, '/');
        H5DSset_label(ds, i, base ? base + 1 : path);
    }
    return 1;
}

/* The dataset with its data, CF attributes and netCDF coordinates (NULL:
 * none), no scales yet. */
static hid_t make(scenmc__axes *a, const char *name, hid_t type, int rank, const int *dims, const void *data,
                  const char *long_name, const char *units, const char *coords)
{
    if (!a->ok || rank > SCENMC_AXES_MAX) {
        a->ok = 0;
        return -1;
    }
    hsize_t ext[SCENMC_AXES_MAX];
    int empty = 0;
    for (int i = 0; i < rank; i++) {
        ext[i] = a->len[dims[i]];
        empty |= ext[i] == 0;
    }
    hid_t space = H5Screate_simple(rank, ext, NULL);
    hid_t ds = space < 0 ? -1 : H5Dcreate2(a->g, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (space >= 0)
        H5Sclose(space);
    if (ds < 0 || (!empty && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) ||
        !scenmc__h5_put_attr_str(ds, "long_name", long_name, a->fixed) ||
        (units && !scenmc__h5_put_attr_str(ds, "units", units, a->fixed)) ||
        (coords && !scenmc__h5_put_attr_str(ds, "coordinates", coords, a->fixed))) {
        a->ok = 0;
        if (ds >= 0)
            H5Dclose(ds);
        return -1;
    }
    return ds;
}

void scenmc__axes_var_coords(scenmc__axes *a, const char *name, hid_t type, int rank, const int *dims,
                             const void *data, const char *long_name, const char *units, const char *coords)
{
    hid_t ds = make(a, name, type, rank, dims, data, long_name, units, coords);
    for (int i = 0; ds >= 0 && i < rank; i++)
        if (!scenmc__axes_attach(ds, (unsigned)i, a->scale[dims[i]], a->names[dims[i]])) {
            a->ok = 0;
            break;
        }
    if (ds >= 0)
        H5Dclose(ds);
}

void scenmc__axes_var(scenmc__axes *a, const char *name, hid_t type, int rank, const int *dims,
                      const void *data, const char *long_name, const char *units)
{
    scenmc__axes_var_coords(a, name, type, rank, dims, data, long_name, units, NULL);
}

void scenmc__axes_strings(scenmc__axes *a, const char *name, int dim, const char *const *s,
                          const char *long_name)
{
    hid_t t = scenmc__h5_vstr_type();
    scenmc__axes_var(a, name, t, 1, &dim, s, long_name, NULL);
    H5Tclose(t);
}

void scenmc__axes_coord(scenmc__axes *a, int dim, hid_t type, const void *data, const char *long_name,
                        const char *units)
{
    const char *name = a->names[dim];
    hid_t ds = make(a, name, type, 1, &dim, data, long_name, units, NULL);
    if (ds < 0)
        return;
    if (H5DSset_scale(ds, name) < 0)
        a->ok = 0;
    if (a->scale[dim] >= 0)
        H5Dclose(a->scale[dim]);
    a->scale[dim] = ds;
}

void scenmc__axes_coord_strings(scenmc__axes *a, int dim, const char *const *s, const char *long_name)
{
    hid_t t = scenmc__h5_vstr_type();
    scenmc__axes_coord(a, dim, t, s, long_name, NULL);
    H5Tclose(t);
}

/* first, first + 1, ... along dim. */
static void coord_count(scenmc__axes *a, int dim, int32_t first, const char *long_name, const char *units)
{
    size_t n = (size_t)a->len[dim];
    int32_t *v = scenmc__xcalloc(n + 1, sizeof(int32_t));
    for (size_t i = 0; i < n; i++)
        v[i] = first + (int32_t)i;
    scenmc__axes_coord(a, dim, H5T_NATIVE_INT32, v, long_name, units);
    free(v);
}

void scenmc__axes_coord_index(scenmc__axes *a, int dim, const char *long_name)
{
    coord_count(a, dim, 0, long_name, "1");
}

void scenmc__axes_coord_years(scenmc__axes *a, int dim, int year_start, const char *long_name)
{
    coord_count(a, dim, (int32_t)year_start, long_name, NULL);
}

void scenmc__axes_coord_scenarios(scenmc__axes *a, int dim, const scenmc_model *m, const char *long_name)
{
    size_t n = (size_t)a->len[dim];
    const char **s = scenmc__xcalloc(n + 1, sizeof(char *));
    for (size_t k = 0; k < n; k++)
        s[k] = k < (size_t)m->n_scenarios ? m->scenarios[k].name : "unclassified";
    scenmc__axes_coord_strings(a, dim, s, long_name);
    free(s);
}

void scenmc__axes_coord_variants(scenmc__axes *a, int dim, const scenmc_model *m, const char *long_name)
{
    size_t V = (size_t)a->len[dim];
    char **s = scenmc__xcalloc(V + 1, sizeof(char *));
    for (size_t v = 0; v < V && v < (size_t)m->n_variants; v++) {
        const char *id = m->descriptors[m->variant_descriptor[v]].id;
        size_t n = strlen(id) + strlen(m->variant_name[v]) + 2;
        s[v] = scenmc__xmalloc(n);
        snprintf(s[v], n, "%s=%s", id, m->variant_name[v]);
    }
    scenmc__axes_coord_strings(a, dim, (const char *const *)s, long_name);
    scenmc__h5_free_strings(s, V);
}
