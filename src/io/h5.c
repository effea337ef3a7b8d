/* The one HDF5 layer (h5.h). */
#include "io/h5.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- schema */

const char *const scenmc__group_names[SCENMC_N_GROUPS] = {"counts", "probability", "stderr"};

int scenmc__group_present(scenmc_method m, int g)
{
    return m != SCENMC_EXACT || g == SCENMC_G_PROBABILITY;
}

hid_t scenmc__group_type(int g)
{
    return g == SCENMC_G_COUNTS ? H5T_NATIVE_UINT64 : H5T_NATIVE_DOUBLE;
}

void *scenmc__group_data(const scenmc_table *t, int g)
{
    return g == SCENMC_G_COUNTS ? (void *)t->counts
           : g == SCENMC_G_PROBABILITY ? (void *)t->prob : (void *)t->stderr_;
}

/* Version 2 renames the tables that version 1 named like an axis (netCDF
 * cannot have a 2-D variable named like a dimension). */
const char *const scenmc__table_h5_names[SCENMC_N_TABLES] = {
    "scenario_by_year", "variant_by_year", "scenario_variant", "scenario_transition",
    "early_warning",    "consistency_by_year", "lock_in",      "final_state"};

const char *scenmc__table_h5_name(int version, int k)
{
    return version >= 2 ? scenmc__table_h5_names[k] : scenmc_table_names[k];
}

void scenmc__table_path(char *buf, size_t n, int version, int g, int k)
{
    snprintf(buf, n, "/%s/%s", scenmc__group_names[g], scenmc__table_h5_name(version, k));
}

int scenmc__table_dims(const scenmc_table *t, hsize_t *dims)
{
    for (int i = 0; i < t->rank; i++)
        dims[i] = t->dims[i];
    return t->rank;
}

/* ---------------------------------------------------------------- writing */

hid_t scenmc__h5_vstr_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

int scenmc__h5_put_attr(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, const void *v)
{
    if (H5Aexists(loc, name) > 0)
        H5Adelete(loc, name);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT);
    int ok = a >= 0 && H5Awrite(a, mem_type, v) >= 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    return ok;
}

int scenmc__h5_put_attr_str(hid_t loc, const char *name, const char *s, int fixed)
{
    const char *v = s ? s : "";
    int ok;
    if (fixed) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, strlen(v) + 1);
        H5Tset_strpad(t, H5T_STR_NULLTERM);
        H5Tset_cset(t, H5T_CSET_UTF8);
        ok = scenmc__h5_put_attr(loc, name, t, t, v);
        H5Tclose(t);
    } else {
        hid_t t = scenmc__h5_vstr_type();
        ok = scenmc__h5_put_attr(loc, name, t, t, &v);
        H5Tclose(t);
    }
    return ok;
}

/* ---------------------------------------------------------------- reading */

int scenmc__h5_get_attr(hid_t loc, const char *obj, const char *name, hid_t mem_type, void *v)
{
    if (H5Aexists_by_name(loc, obj, name, H5P_DEFAULT) <= 0)
        return 0;
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t sp = H5Aget_space(a);
    int ok = H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, mem_type, v) >= 0;
    H5Sclose(sp);
    H5Aclose(a);
    return ok ? 1 : -1;
}

/* Walked from the innermost error outwards: keeps the first one that says something. */
static herr_t innermost_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    char *buf = data;
    if (!buf[0] && e && e->desc && e->desc[0])
        snprintf(buf, 256, "%s", e->desc);
    return 0;
}

void scenmc__h5_detail(char *buf, size_t n)
{
    char d[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, d);
    snprintf(buf, n, "%s", d[0] ? d : "no detail");
}

/* 0, or -1 with HDF5's words for the failure in detail (when not NULL). */
static int read_obj(hid_t obj, int is_attr, hid_t mt, void *buf, char *detail, size_t nd)
{
    herr_t e = is_attr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    if (e >= 0)
        return 0;
    if (detail)
        scenmc__h5_detail(detail, nd);
    return -1;
}

/* Variable-length strings: HDF5 allocates them, we copy and give them back. */
static int read_vlen(hid_t obj, int is_attr, hid_t mt, size_t cnt, char **out, char *detail,
                     size_t nd)
{
    H5Tset_size(mt, H5T_VARIABLE);
    char **tmp = calloc(cnt, sizeof(char *));
    if (!tmp)
        return -3;
    int rc = read_obj(obj, is_attr, mt, tmp, detail, nd);
    for (size_t i = 0; !rc && i < cnt; i++)
        if (!(out[i] = strdup(tmp[i] ? tmp[i] : "")))
            rc = -3;
    hid_t sp = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, tmp);
    H5Sclose(sp);
    free(tmp);
    return rc;
}

static int read_fixed(hid_t obj, int is_attr, hid_t mt, size_t sz, size_t cnt, char **out,
                      char *detail, size_t nd)
{
    char *tmp = calloc(cnt, sz + 1);
    if (!tmp)
        return -3;
    H5Tset_size(mt, sz + 1);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    int rc = read_obj(obj, is_attr, mt, tmp, detail, nd);
    for (size_t i = 0; !rc && i < cnt; i++)
        if (!(out[i] = strdup(tmp + i * (sz + 1))))
            rc = -3;
    free(tmp);
    return rc;
}

int scenmc__h5_read_text(hid_t obj, int is_attr, size_t cnt, size_t max_len, char **out,
                        char *detail, size_t n_detail)
{
    hid_t ft = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    if (ft < 0) {
        if (detail)
            scenmc__h5_detail(detail, n_detail);
        return -1;
    }
    H5T_cset_t cset = H5Tget_cset(ft);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mt, cset == H5T_CSET_ERROR ? H5T_CSET_ASCII : cset);
    int rc;
    if (H5Tis_variable_str(ft) > 0) {
        rc = read_vlen(obj, is_attr, mt, cnt, out, detail, n_detail);
    } else {
        size_t sz = H5Tget_size(ft);
        rc = sz > 0 && sz < max_len ? read_fixed(obj, is_attr, mt, sz, cnt, out, detail, n_detail)
                                    : -2;
    }
    H5Tclose(mt);
    H5Tclose(ft);
    if (rc)
        for (size_t i = 0; i < cnt; i++) {
            free(out[i]);
            out[i] = NULL;
        }
    return rc;
}

char *scenmc__h5_attr_string(hid_t loc, const char *obj, const char *name)
{
    if (H5Aexists_by_name(loc, obj, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return NULL;
    hid_t ft = H5Aget_type(a);
    char *out = NULL;
    if (H5Tget_class(ft) == H5T_STRING &&
        scenmc__h5_read_text(a, 1, 1, (size_t)1 << 20, &out, NULL, 0) != 0)
        out = NULL;
    H5Tclose(ft);
    H5Aclose(a);
    return out;
}

void scenmc__h5_free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

char **scenmc__h5_read_strings(hid_t loc, const char *name, size_t *n)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return NULL;
    hid_t sp = H5Dget_space(d);
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    hid_t ft = H5Dget_type(d);
    char **out = NULL;
    if (np >= 0 && np < 1000000 && H5Tget_class(ft) == H5T_STRING) {
        out = scenmc__xcalloc((size_t)np + 1, sizeof(char *));
        if (np > 0 && scenmc__h5_read_text(d, 0, (size_t)np, (size_t)1 << 24, out, NULL, 0) != 0) {
            free(out);
            out = NULL;
        } else {
            *n = (size_t)np;
        }
    }
    H5Tclose(ft);
    H5Sclose(sp);
    H5Dclose(d);
    return out;
}

int scenmc__h5_extent(hid_t obj, int is_attr, int *rank, hsize_t *dims)
{
    hid_t sp = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    if (sp < 0)
        return -1;
    int got = H5Sget_simple_extent_ndims(sp);
    int ok = got >= 0 && got <= H5S_MAX_RANK && H5Sget_simple_extent_dims(sp, dims, NULL) >= 0;
    int null = ok && got == 0 && H5Sget_simple_extent_type(sp) != H5S_SCALAR;
    H5Sclose(sp);
    *rank = got;
    return !ok ? -1 : null ? 1 : 0;
}

long scenmc__h5_axis_len(hid_t loc, const char *name)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    int rank = 0;
    hsize_t dims[H5S_MAX_RANK] = {0};
    long n = ds >= 0 && scenmc__h5_extent(ds, 0, &rank, dims) == 0 && rank == 1 ? (long)dims[0] : -1;
    if (ds >= 0)
        H5Dclose(ds);
    return n;
}

int scenmc__h5_file_has(const char *path, const char *name)
{
    if (H5Fis_hdf5(path) <= 0)
        return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    int yes = H5Lexists(f, name, H5P_DEFAULT) > 0;
    H5Fclose(f);
    return yes;
}

int scenmc__h5_read_num(hid_t loc, const char *name, hid_t mem_type, size_t want, void *buf)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return 0;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return -1;
    hid_t sp = H5Dget_space(d);
    int ok = H5Sget_simple_extent_npoints(sp) == (hssize_t)want &&
             (want == 0 || H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    return ok ? 1 : -1;
}

/* ---------------------------------------------------------------- sweeps: one point of a table */

void scenmc__h5_point_spaces(hid_t d, int i, const scenmc_table *t, hid_t *fs, hid_t *ms)
{
    hsize_t start[4] = {(hsize_t)i, 0, 0, 0}, count[4] = {1, 1, 1, 1};
    for (int q = 0; q < t->rank; q++)
        count[q + 1] = t->dims[q];
    *fs = H5Dget_space(d);
    H5Sselect_hyperslab(*fs, H5S_SELECT_SET, start, NULL, count, NULL);
    *ms = H5Screate_simple(t->rank + 1, count, NULL);
}

int scenmc__h5_read_point(hid_t loc, const char *name, hid_t mem_type, hsize_t P, int i,
                          const scenmc_table *t, void *buf)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return 0;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    int rank = 0, ok = d >= 0;
    hsize_t dims[H5S_MAX_RANK];
    ok = ok && scenmc__h5_extent(d, 0, &rank, dims) == 0 && rank == t->rank + 1 && dims[0] == P &&
         i >= 0 && (hsize_t)i < P;
    for (int q = 0; ok && q < t->rank; q++)
        ok = dims[q + 1] == t->dims[q];
    if (ok) {
        hid_t fs, ms;
        scenmc__h5_point_spaces(d, i, t, &fs, &ms);
        ok = H5Dread(d, mem_type, ms, fs, H5P_DEFAULT, buf) >= 0;
        H5Sclose(ms);
        H5Sclose(fs);
    }
    if (d >= 0)
        H5Dclose(d);
    return ok;
}
