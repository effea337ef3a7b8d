/* HDF5 results file -> scenmc_results (docs/file-format.md): the inverse of output_h5.c.
 *
 * A results file is checked, not trusted. Everything the writer derives from
 * the model (axes, the /model datasets, table shapes) is compared with what
 * the re-parsed model implies, and Monte Carlo counts must add up the way a
 * run tallies them. A damaged file therefore gives a message, never garbage,
 * and the reader reads each dataset only after checking its shape. */
#include "io/results_read.h"
#include "io/h5.h"
#include "base/util.h"
#include "model/results.h"
#include "scenmc/observe.h"
#include "scenmc/schedule.h"
#include "model/params.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The guard's time limits: the header, model and parameters are small; the
 * tables get this long plus time for their size at a slow disk's pace. */
#define GUARD_SECONDS_META 10u
#define GUARD_BYTES_PER_SECOND (4.0 * 1024 * 1024)

typedef struct reader {
    const char *path;
    hid_t file;
    scenmc_error *err;
    int ok;
    int version;  /* the file's format_version, once read */
    int any_kind; /* the readers of sweeps and the like: accept every kind of file */
    char hdetail[256]; /* HDF5's words for the last failure, kept before other calls clear them */
} reader;

/* Records one problem, prefixed with the file name; later problems are
 * consequences of the first, so only the first is kept. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void problem(reader *R, scenmc_status code, const char *fmt, ...)
{
    R->hdetail[0] = '\0';
    if (!R->ok)
        return;
    R->ok = 0;
    char line[1800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    scenmc_error_add(R->err, code, "%s: %s", R->path, line);
}

/* Text read from a damaged file, fit to quote in a message: at most 100 bytes, control
 * characters as '?', into buf (the caller's, so that one message can quote two texts). */
#define QUOTED_SIZE 104
static const char *quoted(const char *s, char buf[QUOTED_SIZE])
{
    size_t i = 0;
    for (; s && s[i] && i < 100; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    if (s && s[i]) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

/* Keeps HDF5's description of the failure that just happened: any later HDF5
 * call, even a successful one, clears it. */
static void remember(reader *R)
{
    scenmc__h5_detail(R->hdetail, sizeof R->hdetail);
}

static void damaged(reader *R, const char *name)
{
    char detail[256];
    if (R->hdetail[0])
        snprintf(detail, sizeof detail, "%s", R->hdetail);
    else
        scenmc__h5_detail(detail, sizeof detail);
    problem(R, SCENMC_E_INPUT, "%s cannot be read (HDF5: %s): the file is damaged", name, detail);
}

static void shape_text(char *buf, size_t n, int rank, const hsize_t *dims)
{
    size_t at = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < rank && at < n; i++)
        at += (size_t)snprintf(buf + at, n - at, "%s%llu", i ? ", " : "", (unsigned long long)dims[i]);
    if (at < n)
        snprintf(buf + at, n - at, "]");
}

/* Opens a dataset by absolute name; reports a missing or unreadable one. */
static hid_t open_ds(reader *R, const char *name)
{
    if (!R->ok)
        return -1;
    hid_t d = H5Dopen2(R->file, name, H5P_DEFAULT);
    if (d < 0) {
        remember(R);
        /* H5Lexists fails rather than answers when a parent group is missing. */
        const char *slash = strrchr(name, '/');
        char parent[256];
        snprintf(parent, sizeof parent, "%.*s", (int)(slash - name), name);
        int exists = (slash == name || H5Lexists(R->file, parent, H5P_DEFAULT) > 0) &&
                     H5Lexists(R->file, name, H5P_DEFAULT) > 0;
        if (exists)
            damaged(R, name);
        else
            problem(R, SCENMC_E_INPUT, "%s is missing: the file is incomplete or not a complete "
                    "scenmc results file", name);
    }
    return d;
}

/* Checks that dataset d (named name) has rank and dims; rank 0 means scalar. */
static int check_shape(reader *R, hid_t d, const char *name, int rank, const hsize_t *want)
{
    if (!R->ok)
        return 0;
    hsize_t dims[H5S_MAX_RANK];
    int got = 0;
    int e = scenmc__h5_extent(d, 0, &got, dims);
    if (e < 0 || (e > 0 && rank == 0)) {
        damaged(R, name);
        return 0;
    }
    int same = got == rank;
    for (int i = 0; same && i < rank; i++)
        same = dims[i] == want[i];
    if (!same) {
        char g[128], w[128];
        shape_text(g, sizeof g, got, dims);
        shape_text(w, sizeof w, rank, want);
        problem(R, SCENMC_E_INPUT, "%s: corrupt or mismatched table: shape %s, expected %s for "
                "this model and these parameters", name, g, w);
        return 0;
    }
    return 1;
}

static int check_class(reader *R, hid_t type, const char *name, H5T_class_t want, const char *what)
{
    H5T_class_t c = H5Tget_class(type);
    if (c == want)
        return 1;
    if (c == H5T_NO_CLASS)
        damaged(R, name);
    else
        problem(R, SCENMC_E_INPUT, "%s: corrupt or mismatched table: expected %s", name, what);
    return 0;
}

/* Reads a numeric dataset of the given shape, converted to memtype. */
static int read_array(reader *R, const char *name, hid_t memtype, int rank, const hsize_t *dims,
                      void *buf)
{
    hid_t d = open_ds(R, name);
    if (d < 0)
        return 0;
    int ok = check_shape(R, d, name, rank, dims);
    if (ok) {
        hid_t t = H5Dget_type(d);
        H5T_class_t want = H5Tget_class(memtype);
        ok = t >= 0 && check_class(R, t, name, want, want == H5T_FLOAT ? "floating-point numbers"
                                                                       : "integers");
        if (t >= 0)
            H5Tclose(t);
    }
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    if (ok && n > 0 && H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        damaged(R, name);
        ok = 0;
    }
    H5Dclose(d);
    return ok && R->ok;
}

/* Reads n strings from a string dataset or attribute (obj: a dataset or
 * attribute id, is_attr says which); scalar when rank is 0. Handles both
 * variable-length and fixed-length strings. Returns malloc'd copies. */
static char **read_strings_obj(reader *R, hid_t obj, int is_attr, const char *name, int rank,
                               size_t n)
{
    if (!R->ok)
        return NULL;
    hid_t ft = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t sp = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    char **out = NULL;
    if (ft < 0 || sp < 0) {
        damaged(R, name);
        goto done;
    }
    if (H5Tget_class(ft) != H5T_STRING) {
        problem(R, SCENMC_E_INPUT, "%s: expected text", name);
        goto done;
    }
    int got = H5Sget_simple_extent_ndims(sp);
    hssize_t npts = H5Sget_simple_extent_npoints(sp);
    if (got < 0 || npts < 0) {
        damaged(R, name);
        goto done;
    }
    if (got != rank || (size_t)npts != (rank ? n : 1)) {
        if (rank == 0)
            problem(R, SCENMC_E_INPUT, "%s: expected one text value", name);
        else
            problem(R, SCENMC_E_INPUT, "%s: corrupt or mismatched: %lld names, expected %zu", name,
                    (long long)npts, n);
        goto done;
    }
    size_t cnt = rank ? n : 1;
    out = calloc(cnt ? cnt : 1, sizeof(char *));
    if (!out) {
        problem(R, SCENMC_E_NOMEM, "out of memory reading %s", name);
        goto done;
    }
    if (cnt == 0)
        goto done;
    int rc = scenmc__h5_read_text(obj, is_attr, cnt, (size_t)1 << 24, out, R->hdetail,
                                 sizeof R->hdetail);
    if (rc != 0) {
        free(out);
        out = NULL;
        if (rc == -3)
            problem(R, SCENMC_E_NOMEM, "out of memory reading %s", name);
        else
            damaged(R, name);
    }
done:
    if (ft >= 0)
        H5Tclose(ft);
    if (sp >= 0)
        H5Sclose(sp);
    return out;
}

static char **read_strings(reader *R, const char *name, int rank, size_t n)
{
    hid_t d = open_ds(R, name);
    if (d < 0)
        return NULL;
    char **s = read_strings_obj(R, d, 0, name, rank, n);
    H5Dclose(d);
    return s;
}

/* Opens attribute name of object obj ("/" for the root); 0 when it is absent. */
static hid_t open_attr(reader *R, const char *obj, const char *name, int required)
{
    if (!R->ok)
        return -1;
    htri_t e = H5Aexists_by_name(R->file, obj, name, H5P_DEFAULT);
    if (e < 0) {
        char what[256];
        snprintf(what, sizeof what, "the attribute %s of %s", name, obj);
        damaged(R, what);
        return -1;
    }
    if (e == 0) {
        if (required)
            problem(R, SCENMC_E_INPUT, "the attribute '%s' of %s is missing: not a complete scenmc "
                    "results file", name, obj);
        return 0;
    }
    hid_t a = H5Aopen_by_name(R->file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) {
        char what[256];
        snprintf(what, sizeof what, "the attribute %s of %s", name, obj);
        damaged(R, what);
    }
    return a;
}

/* A text attribute (malloc'd), or NULL when absent or on error. */
static char *attr_string(reader *R, const char *obj, const char *name, int required)
{
    hid_t a = open_attr(R, obj, name, required);
    if (a <= 0)
        return NULL;
    char what[256];
    snprintf(what, sizeof what, "the attribute '%s' of %s", name, obj);
    char **s = read_strings_obj(R, a, 1, what, 0, 1);
    H5Aclose(a);
    if (!s)
        return NULL;
    char *v = s[0];
    free(s);
    return v;
}

/* A scalar numeric attribute; returns 1 when read, 0 when absent (or on error). */
static int attr_number(reader *R, const char *obj, const char *name, hid_t memtype, void *out,
                       int required)
{
    hid_t a = open_attr(R, obj, name, required);
    if (a <= 0)
        return 0;
    char what[256];
    snprintf(what, sizeof what, "the attribute '%s' of %s", name, obj);
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    int ok = t >= 0 && sp >= 0;
    if (!ok) {
        damaged(R, what);
    } else {
        H5T_class_t c = H5Tget_class(t), want = H5Tget_class(memtype);
        if (!(c == want || (want == H5T_FLOAT && c == H5T_INTEGER)) ||
            H5Sget_simple_extent_npoints(sp) != 1) {
            problem(R, SCENMC_E_INPUT, "%s: expected one %s", what,
                    want == H5T_FLOAT ? "number" : "whole number");
            ok = 0;
        } else if (H5Aread(a, memtype, out) < 0) {
            damaged(R, what);
            ok = 0;
        }
    }
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    H5Aclose(a);
    return ok;
}

/* ------------------------------------------------------------------ the model */

/* Re-parses /model/source and checks it against /model/sha256. */
static scenmc_model *read_model(reader *R, scenmc_results_info *info)
{
    char **src = read_strings(R, "/model/source", 0, 1);
    char *sha = attr_string(R, "/model", "sha256", 1);
    char *mpath = attr_string(R, "/model", "path", 0);
    scenmc_model *m = NULL;
    if (R->ok) {
        scenmc_error perr;
        scenmc_error_clear(&perr);
        const char *name = mpath && *mpath ? mpath : "/model/source";
        if (scenmc_model_parse(src[0], strlen(src[0]), name, &m, &perr) != SCENMC_OK) {
            problem(R, SCENMC_E_INPUT, "the model embedded in /model/source does not load; the file "
                    "is damaged or was written by a scenmc that reads models this one does not:");
            scenmc_error_add(R->err, SCENMC_E_INPUT, "%s", perr.msg);
            m = NULL;
        }
    }
    if (m) {
        char hex[65];
        scenmc_model_sha256_hex(m, hex);
        if (strcmp(hex, sha) != 0) {
            problem(R, SCENMC_E_INPUT, "the embedded model's SHA-256 is %s but /model/sha256 says "
                    "%s: the file is damaged", hex, sha);
        } else if (info) {
            snprintf(info->sha256, sizeof info->sha256, "%s", hex);
            info->model_path = strdup(mpath ? mpath : "");
        }
    }
    scenmc__h5_free_strings(src, 1);
    free(sha);
    free(mpath);
    if (!R->ok) {
        scenmc_model_free(m);
        return NULL;
    }
    return m;
}

static void compare_names(reader *R, const char *name, char **got, size_t n,
                          const char *(*want)(const scenmc_model *, size_t), const scenmc_model *m)
{
    char q[QUOTED_SIZE];
    for (size_t i = 0; R->ok && got && i < n; i++) {
        const char *w = want(m, i);
        if (strcmp(got[i], w ? w : "") != 0)
            problem(R, SCENMC_E_INPUT, "%s[%zu] is '%s' but the embedded model says '%s': corrupt or "
                    "mismatched", name, i, quoted(got[i], q), w ? w : "");
    }
    scenmc__h5_free_strings(got, n);
}

static const char *w_desc_id(const scenmc_model *m, size_t i) { return m->descriptors[i].id; }
static const char *w_desc_name(const scenmc_model *m, size_t i) { return m->descriptors[i].name; }
static const char *w_desc_label(const scenmc_model *m, size_t i) { return m->descriptors[i].label; }
static const char *w_var_name(const scenmc_model *m, size_t i) { return m->variant_name[i]; }
static const char *w_var_label(const scenmc_model *m, size_t i) { return m->variant_label[i]; }
static const char *w_scen_name(const scenmc_model *m, size_t i) { return m->scenarios[i].name; }

/* The /model datasets are derived from the text: they must agree with it. */
static void check_model_datasets(reader *R, const scenmc_model *m)
{
    size_t D = (size_t)m->n_descriptors, V = (size_t)m->n_variants, S = (size_t)m->n_scenarios;
    hsize_t dD[1] = {D}, dV[1] = {V}, dVV[2] = {V, V};
    compare_names(R, "/model/descriptor_id", read_strings(R, "/model/descriptor_id", 1, D), D,
                  w_desc_id, m);
    compare_names(R, "/model/descriptor_name", read_strings(R, "/model/descriptor_name", 1, D), D,
                  w_desc_name, m);
    compare_names(R, "/model/descriptor_label", read_strings(R, "/model/descriptor_label", 1, D), D,
                  w_desc_label, m);
    compare_names(R, "/model/variant_name", read_strings(R, "/model/variant_name", 1, V), V,
                  w_var_name, m);
    compare_names(R, "/model/variant_label", read_strings(R, "/model/variant_label", 1, V), V,
                  w_var_label, m);
    compare_names(R, "/model/scenario_name", read_strings(R, "/model/scenario_name", 1, S), S,
                  w_scen_name, m);
    int32_t *iv = calloc(D + V + 1, sizeof(int32_t));
    double *x = malloc((V > 0 ? V * V : 1) * sizeof(double));
    if (!iv || !x) {
        problem(R, SCENMC_E_NOMEM, "out of memory reading /model");
        goto done;
    }
    if (read_array(R, "/model/descriptor_n_variants", H5T_NATIVE_INT32, 1, dD, iv))
        for (size_t d = 0; R->ok && d < D; d++)
            if (iv[d] != m->descriptors[d].n_variants)
                problem(R, SCENMC_E_INPUT, "/model/descriptor_n_variants[%zu] is %d but the embedded "
                        "model says %d: corrupt or mismatched", d, (int)iv[d],
                        m->descriptors[d].n_variants);
    if (read_array(R, "/model/variant_descriptor", H5T_NATIVE_INT32, 1, dV, iv))
        for (size_t v = 0; R->ok && v < V; v++)
            if (iv[v] != m->variant_descriptor[v])
                problem(R, SCENMC_E_INPUT, "/model/variant_descriptor[%zu] is %d but the embedded "
                        "model says %d: corrupt or mismatched", v, (int)iv[v], m->variant_descriptor[v]);
    if (read_array(R, "/model/consistency", H5T_NATIVE_DOUBLE, 2, dVV, x))
        for (size_t i = 0; R->ok && i < V * V; i++)
            if (!(x[i] == m->consistency[i]))
                problem(R, SCENMC_E_INPUT, "/model/consistency[%zu, %zu] is %.17g but the embedded "
                        "model says %.17g: corrupt or mismatched", i / V, i % V, x[i],
                        m->consistency[i]);
    if (read_array(R, "/model/cross_impact", H5T_NATIVE_DOUBLE, 2, dVV, x))
        for (size_t i = 0; R->ok && i < V * V; i++) {
            double w = m->cross_impact ? m->cross_impact[i] : 0.0;
            if (!(x[i] == w))
                problem(R, SCENMC_E_INPUT, "/model/cross_impact[%zu, %zu] is %.17g but the embedded "
                        "model says %.17g: corrupt or mismatched", i / V, i % V, x[i], w);
        }
    char *name = attr_string(R, "/model", "name", 1), q[QUOTED_SIZE];
    if (name && R->ok && strcmp(name, m->name ? m->name : "") != 0)
        problem(R, SCENMC_E_INPUT, "the attribute 'name' of /model is '%s' but the embedded model is "
                "called '%s': corrupt or mismatched", quoted(name, q), m->name ? m->name : "");
    free(name);
done:
    free(iv);
    free(x);
}

/* ------------------------------------------------------------------ params */

/* /params/cell_u, cell_v, cell_cross, cell_value: matrix cells that override the
 * model's (sweeps, sensitivity, ensembles), in the order they apply. */
static int read_cells(reader *R, const scenmc_model *m, scenmc_params *p)
{
    htri_t has = H5Lexists(R->file, "/params/cell_u", H5P_DEFAULT);
    if (has < 0) {
        damaged(R, "/params/cell_u");
        return 0;
    }
    if (has == 0)
        return 1;
    hid_t d = open_ds(R, "/params/cell_u");
    if (d < 0)
        return 0;
    hid_t sp = H5Dget_space(d);
    hsize_t n = 0;
    int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
             H5Sget_simple_extent_dims(sp, &n, NULL) >= 0;
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(d);
    /* Each cell is a pair of variants of different descriptors, set at most once per matrix. */
    size_t V = (size_t)m->n_variants;
    if (!ok || n > 2 * V * V) {
        problem(R, SCENMC_E_INPUT, "/params/cell_u: corrupt: expected a list of at most %zu cells",
                2 * V * V);
        return 0;
    }
    int32_t *u = calloc(n ? n : 1, sizeof(int32_t)), *v = calloc(n ? n : 1, sizeof(int32_t));
    int32_t *x = calloc(n ? n : 1, sizeof(int32_t));
    double *val = calloc(n ? n : 1, sizeof(double));
    if (!u || !v || !x || !val) {
        problem(R, SCENMC_E_NOMEM, "out of memory reading /params/cell_*");
    } else if (read_array(R, "/params/cell_u", H5T_NATIVE_INT32, 1, &n, u) &&
               read_array(R, "/params/cell_v", H5T_NATIVE_INT32, 1, &n, v) &&
               read_array(R, "/params/cell_cross", H5T_NATIVE_INT32, 1, &n, x) &&
               read_array(R, "/params/cell_value", H5T_NATIVE_DOUBLE, 1, &n, val)) {
        for (hsize_t i = 0; i < n && R->ok; i++) {
            if (u[i] < 0 || v[i] < 0 || (size_t)u[i] >= V || (size_t)v[i] >= V ||
                (x[i] != 0 && x[i] != 1) || !isfinite(val[i]))
                problem(R, SCENMC_E_INPUT, "/params cell %llu (%d, %d, cross %d, value %g) is not "
                        "a matrix cell of this model: corrupt", (unsigned long long)i, (int)u[i],
                        (int)v[i], (int)x[i], val[i]);
            else
                scenmc_params_add_cell(p, u[i], v[i], x[i], val[i]);
        }
    }
    free(u);
    free(v);
    free(x);
    free(val);
    return R->ok;
}

/* ------------------------------------------------------------------ changes over time */

/* The length of the 1-D dataset name (at most max): 1, or 0 after saying why. */
static int list_length(reader *R, const char *name, hsize_t max, hsize_t *n)
{
    hid_t d = open_ds(R, name);
    if (d < 0)
        return 0;
    hid_t sp = H5Dget_space(d);
    int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, n, NULL) >= 0;
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(d);
    if (!ok || *n < 1 || *n > max)
        problem(R, SCENMC_E_INPUT, "%s: corrupt: expected a list of 1 to %llu values", name,
                (unsigned long long)max);
    return ok && *n >= 1 && *n <= max && R->ok;
}

static void free_string_list(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

/* /schedule/knot_*: the trends' knots into s (whose trends have none yet). */
static int read_knots(reader *R, scenmc_schedule *s)
{
    htri_t has = H5Lexists(R->file, "/schedule/knot_change", H5P_DEFAULT);
    hsize_t n = 0;
    if (has <= 0) {
        if (has < 0)
            damaged(R, "/schedule/knot_change");
        return has == 0;
    }
    if (!list_length(R, "/schedule/knot_change", 1000000, &n))
        return 0;
    int32_t *who = scenmc__xcalloc(n, sizeof(int32_t)), *year = scenmc__xcalloc(n, sizeof(int32_t));
    double *value = scenmc__xcalloc(n, sizeof(double));
    if (read_array(R, "/schedule/knot_change", H5T_NATIVE_INT32, 1, &n, who) &&
        read_array(R, "/schedule/knot_year", H5T_NATIVE_INT32, 1, &n, year) &&
        read_array(R, "/schedule/knot_value", H5T_NATIVE_DOUBLE, 1, &n, value))
        for (hsize_t j = 0; j < n && R->ok; j++) {
            scenmc_change *c = who[j] >= 0 && who[j] < s->n ? &s->ch[who[j]] : NULL;
            if (!c || c->kind != SCENMC_CHANGE_TREND || !isfinite(value[j]) ||
                (c->n_knots && year[j] <= c->knot_year[c->n_knots - 1])) {
                problem(R, SCENMC_E_INPUT, "/schedule knot %llu (change %d, year %d, value %g) is not the next "
                        "knot of a trend: the file is damaged", (unsigned long long)j, (int)who[j],
                        (int)year[j], value[j]);
                break;
            }
            c->knot_year = scenmc__xrealloc(c->knot_year, sizeof(int) * (size_t)(c->n_knots + 1));
            c->knot_value = scenmc__xrealloc(c->knot_value, sizeof(double) * (size_t)(c->n_knots + 1));
            c->knot_year[c->n_knots] = year[j];
            c->knot_value[c->n_knots++] = value[j];
        }
    free(who);
    free(year);
    free(value);
    return R->ok;
}

/* One change from the columns, checked against the model. */
static int schedule_row(reader *R, const scenmc_model *m, size_t i, const char *kind, const int32_t *col[4],
                        double hazard, scenmc_change *c)
{
    int k = 0;
    while (k < SCENMC_CHANGE_N_KINDS && strcmp(kind, scenmc_change_kind_names[k]))
        k++;
    int d = col[0][i], b = col[1][i];
    if (k == SCENMC_CHANGE_N_KINDS || d < 0 || d >= m->n_descriptors || b < 0 ||
        b >= m->descriptors[d].n_variants || col[2][i] > col[3][i] || !(hazard >= 0) || !isfinite(hazard)) {
        problem(R, SCENMC_E_INPUT, "/schedule change %zu (%s, descriptor %d, variant %d, years %d-%d, hazard %g) "
                "is not a change of this model: the file is damaged", i, kind, d, b, (int)col[2][i],
                (int)col[3][i], hazard);
        return 0;
    }
    *c = (scenmc_change){.kind = (scenmc_change_kind)k, .descriptor = d, .variant = b, .first = col[2][i],
                         .last = col[3][i], .value = hazard};
    return 1;
}

/* /schedule into p->schedule (replacing the model's own, which params_init
 * copied: the file's list is the whole one); none when the group is absent. */
static int read_schedule(reader *R, const scenmc_model *m, scenmc_params *p)
{
    if (p->schedule) {
        scenmc_schedule_free(p->schedule);
        free(p->schedule);
        p->schedule = NULL;
    }
    htri_t has = H5Lexists(R->file, "/schedule", H5P_DEFAULT);
    hsize_t n = 0;
    if (has <= 0) {
        if (has < 0)
            damaged(R, "/schedule");
        return has == 0;
    }
    if (!list_length(R, "/schedule/kind", 100000, &n))
        return 0;
    static const char *const cols[4] = {"/schedule/descriptor", "/schedule/variant", "/schedule/first",
                                        "/schedule/last"};
    int32_t *col[4];
    double *hazard = scenmc__xcalloc(n, sizeof(double));
    int ok = 1;
    for (int c = 0; c < 4; c++) {
        col[c] = scenmc__xcalloc(n, sizeof(int32_t));
        ok = ok && read_array(R, cols[c], H5T_NATIVE_INT32, 1, &n, col[c]);
    }
    ok = ok && read_array(R, "/schedule/hazard", H5T_NATIVE_DOUBLE, 1, &n, hazard);
    char **kind = ok ? read_strings(R, "/schedule/kind", 1, n) : NULL;
    char **name = kind ? read_strings(R, "/schedule/name", 1, n) : NULL;
    char **where = name ? read_strings(R, "/schedule/where", 1, n) : NULL;
    scenmc_schedule *s = scenmc__xcalloc(1, sizeof *s);
    for (size_t i = 0; where && i < n; i++) {
        scenmc_change c;
        if (!schedule_row(R, m, i, kind[i], (const int32_t **)col, hazard[i], &c))
            break;
        c.name = *name[i] ? name[i] : NULL;
        c.where = *where[i] ? where[i] : NULL;
        scenmc_schedule_add(s, &c);
    }
    p->schedule = s;
    for (int c = 0; c < 4; c++)
        free(col[c]);
    free(hazard);
    free_string_list(kind, n);
    free_string_list(name, n);
    free_string_list(where, n);
    if (!R->ok || !read_knots(R, s))
        return 0;
    for (int i = 0; i < s->n; i++)
        if (s->ch[i].kind == SCENMC_CHANGE_TREND && !s->ch[i].n_knots) {
            problem(R, SCENMC_E_INPUT, "/schedule change %d is a trend without knots: the file is damaged", i);
            return 0;
        }
    return 1;
}

static int read_params(reader *R, const scenmc_model *m, scenmc_params *p)
{
    scenmc_params_init(p, m);
    size_t D = (size_t)m->n_descriptors, V = (size_t)m->n_variants;
    hsize_t dD[1] = {D}, dV[1] = {V}, d2[1] = {2};
    int32_t years[2] = {0, 0};
    read_array(R, "/params/beta", H5T_NATIVE_DOUBLE, 0, NULL, &p->beta);
    read_array(R, "/params/w_consistency", H5T_NATIVE_DOUBLE, 0, NULL, &p->w_consistency);
    read_array(R, "/params/w_cross", H5T_NATIVE_DOUBLE, 0, NULL, &p->w_cross);
    read_array(R, "/params/rate", H5T_NATIVE_DOUBLE, 1, dD, p->rate);
    read_array(R, "/params/initial", H5T_NATIVE_DOUBLE, 1, dV, p->initial);
    read_array(R, "/params/years", H5T_NATIVE_INT32, 1, d2, years);
    read_array(R, "/params/seed", H5T_NATIVE_UINT64, 0, NULL, &p->seed);
    read_array(R, "/params/n_trajectories", H5T_NATIVE_UINT64, 0, NULL, &p->n_trajectories);
    if (!R->ok)
        return 0;
    p->year_start = years[0];
    p->year_end = years[1];
    if (years[1] < years[0] || (long)years[1] - years[0] + 1 > SCENMC_MAX_YEARS) {
        problem(R, SCENMC_E_INPUT, "/params/years is [%d, %d]; expected a start year before an end "
                "year at most %d years later: the file is damaged", (int)years[0], (int)years[1],
                SCENMC_MAX_YEARS - 1);
        return 0;
    }
    free(p->start);
    p->start = NULL;
    htri_t has_start = H5Lexists(R->file, "/params/start", H5P_DEFAULT);
    if (has_start > 0) {
        int32_t *s = calloc(D ? D : 1, sizeof(int32_t));
        if (!s) {
            problem(R, SCENMC_E_NOMEM, "out of memory reading /params/start");
            return 0;
        }
        if (read_array(R, "/params/start", H5T_NATIVE_INT32, 1, dD, s)) {
            p->start = scenmc__xcalloc(D ? D : 1, sizeof(int));
            for (size_t d = 0; d < D; d++) {
                if (s[d] < 0 || s[d] >= m->descriptors[d].n_variants) {
                    problem(R, SCENMC_E_INPUT, "/params/start[%zu] is %d; descriptor %s has %d "
                            "variants: the file is damaged", d, (int)s[d], m->descriptors[d].id,
                            m->descriptors[d].n_variants);
                    break;
                }
                p->start[d] = s[d];
            }
        }
        free(s);
    } else if (has_start < 0) {
        damaged(R, "/params/start");
    }
    if (!R->ok || !read_cells(R, m, p) || !read_schedule(R, m, p))
        return 0;
    scenmc_error perr;
    scenmc_error_clear(&perr);
    /* A file records what was computed: changes over time are no damage. */
    if (scenmc__params_check_scheduled(p, &perr) != SCENMC_OK) {
        char *nl = strchr(perr.msg, '\n');
        if (nl)
            *nl = '\0';
        problem(R, SCENMC_E_INPUT, "/params: %s: the file is damaged", perr.msg);
        return 0;
    }
    return R->ok;
}

scenmc_status scenmc__params_read_h5(hid_t file, const char *path, const scenmc_model *m,
                                    scenmc_params *p, scenmc_error *err)
{
    reader R = {.path = path, .file = file, .err = err, .ok = 1};
    return read_params(&R, m, p) ? SCENMC_OK : err && err->code ? err->code : SCENMC_E_INPUT;
}

/* The root's copy of the seed must agree with /params. */
static int check_seed(reader *R, const scenmc_params *p)
{
    uint64_t seed = 0;
    if (attr_number(R, "/", "seed", H5T_NATIVE_UINT64, &seed, 1) && seed != p->seed)
        problem(R, SCENMC_E_INPUT, "the root attribute seed (%llu) differs from /params/seed (%llu): "
                "the file is damaged", (unsigned long long)seed, (unsigned long long)p->seed);
    return R->ok;
}

/* ------------------------------------------------------------------ axes */

static void check_axes(reader *R, scenmc_results *r)
{
    const scenmc_model *m = r->model;
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)m->n_variants;
    int32_t *years = calloc(Y, sizeof(int32_t));
    double *bins = calloc((size_t)r->n_bins, sizeof(double));
    if (!years || !bins) {
        problem(R, SCENMC_E_NOMEM, "out of memory reading the axes");
        goto done;
    }
    hsize_t dY[1] = {Y}, dY1[1] = {Y - 1}, dB[1] = {(hsize_t)r->n_bins};
    if (read_array(R, "/year", H5T_NATIVE_INT32, 1, dY, years))
        for (size_t y = 0; R->ok && y < Y; y++)
            if (years[y] != r->params.year_start + (int32_t)y)
                problem(R, SCENMC_E_INPUT, "/year[%zu] is %d, expected %d: corrupt or mismatched",
                        y, (int)years[y], r->params.year_start + (int)y);
    if (read_array(R, "/year_from", H5T_NATIVE_INT32, 1, dY1, years))
        for (size_t y = 0; R->ok && y + 1 < Y; y++)
            if (years[y] != r->params.year_start + (int32_t)y)
                problem(R, SCENMC_E_INPUT, "/year_from[%zu] is %d, expected %d: corrupt or "
                        "mismatched", y, (int)years[y], r->params.year_start + (int)y);
    char q[QUOTED_SIZE];
    char **sn = read_strings(R, "/scenario", 1, S);
    for (size_t s = 0; sn && R->ok && s < S; s++) {
        const char *w = s < (size_t)m->n_scenarios ? m->scenarios[s].name : "unclassified";
        if (strcmp(sn[s], w) != 0)
            problem(R, SCENMC_E_INPUT, "/scenario[%zu] is '%s' but the embedded model says '%s': "
                    "corrupt or mismatched", s, quoted(sn[s], q), w);
    }
    scenmc__h5_free_strings(sn, S);
    char **vn = read_strings(R, "/variant", 1, V);
    for (size_t v = 0; vn && R->ok && v < V; v++) {
        const char *id = m->descriptors[m->variant_descriptor[v]].id, *nm = m->variant_name[v];
        size_t k = strlen(id);
        if (strncmp(vn[v], id, k) != 0 || strncmp(vn[v] + k, ": ", 2) != 0 ||
            strcmp(vn[v] + k + 2, nm) != 0)
            problem(R, SCENMC_E_INPUT, "/variant[%zu] is '%s' but the embedded model says '%s: %s': "
                    "corrupt or mismatched", v, quoted(vn[v], q), id, nm);
    }
    scenmc__h5_free_strings(vn, V);
    if (read_array(R, "/consistency_bin", H5T_NATIVE_DOUBLE, 1, dB, bins))
        for (int b = 0; R->ok && b < r->n_bins; b++)
            if (!(bins[b] == r->bin_lo + b * r->bin_width))
                problem(R, SCENMC_E_INPUT, "/consistency_bin[%d] is %.17g, expected %.17g: corrupt or "
                        "mismatched", b, bins[b], r->bin_lo + b * r->bin_width);
    double w = 0;
    if (attr_number(R, "/consistency_bin", "bin_width", H5T_NATIVE_DOUBLE, &w, 1) &&
        !(w == r->bin_width))
        problem(R, SCENMC_E_INPUT, "the bin_width of /consistency_bin is %.17g, expected %.17g: "
                "corrupt or mismatched", w, r->bin_width);
done:
    free(years);
    free(bins);
}

/* /state (and state_variants): the final-state axis. In top mode it also sets
 * the final-state table's length and reads r->top_state. */
static void read_states(reader *R, scenmc_results *r)
{
    const scenmc_model *m = r->model;
    scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    hid_t d = open_ds(R, "/state");
    if (d < 0)
        return;
    hsize_t n = 0;
    if (r->full_states) {
        hsize_t want[1] = {r->n_states};
        check_shape(R, d, "/state", 1, want);
        n = r->n_states;
    } else {
        hid_t sp = H5Dget_space(d);
        if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, &n, NULL) < 0)
            problem(R, SCENMC_E_INPUT, "/state: corrupt or mismatched: expected a list of state "
                    "indices");
        else if (n > SCENMC_FULL_STATE_LIMIT || (r->n_states && n > r->n_states))
            problem(R, SCENMC_E_INPUT, "/state lists %llu states; expected at most %llu: corrupt",
                    (unsigned long long)n,
                    (unsigned long long)(r->n_states && r->n_states < SCENMC_FULL_STATE_LIMIT
                                             ? r->n_states : SCENMC_FULL_STATE_LIMIT));
        if (sp >= 0)
            H5Sclose(sp);
    }
    H5Dclose(d);
    if (!R->ok)
        return;
    uint64_t *idx = malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
    if (!idx) {
        problem(R, SCENMC_E_NOMEM, "out of memory reading /state");
        return;
    }
    hsize_t dims[2] = {n, (hsize_t)m->n_descriptors};
    if (read_array(R, "/state", H5T_NATIVE_UINT64, 1, dims, idx)) {
        for (hsize_t i = 0; R->ok && i < n; i++) {
            uint64_t want = r->full_states ? (uint64_t)i : idx[i];
            if (idx[i] != want || (r->n_states && idx[i] >= r->n_states))
                problem(R, SCENMC_E_INPUT, "/state[%llu] is %llu: corrupt", (unsigned long long)i,
                        (unsigned long long)idx[i]);
        }
    }
    /* The writer lists each state's variants when that table is at most 2^26 cells. */
    size_t D = (size_t)m->n_descriptors;
    if (R->ok && (size_t)n * D <= ((size_t)1 << 26) && n > 0) {
        uint8_t *sv = malloc((size_t)n * D);
        int *s = scenmc__xcalloc(D, sizeof(int));
        if (!sv) {
            problem(R, SCENMC_E_NOMEM, "out of memory reading /state_variants");
        } else if (read_array(R, "/state_variants", H5T_NATIVE_UINT8, 2, dims, sv)) {
            for (hsize_t i = 0; R->ok && i < n; i++) {
                scenmc_state_from_index(m, idx[i], s);
                for (size_t k = 0; R->ok && k < D; k++)
                    if (sv[i * D + k] != s[k])
                        problem(R, SCENMC_E_INPUT, "/state_variants[%llu, %zu] is %d but state %llu "
                                "has variant %d there: corrupt", (unsigned long long)i, k, sv[i * D + k],
                                (unsigned long long)idx[i], s[k]);
            }
        }
        free(sv);
        free(s);
    }
    if (!R->ok || r->full_states) {
        free(idx);
        return;
    }
    /* Top mode: the table is as long as the list. */
    free(r->top_state);
    r->top_state = idx;
    t->dims[0] = (size_t)n;
    t->size = (size_t)n;
    size_t cells = n ? (size_t)n : 1;
    free(t->prob);
    t->prob = calloc(cells, sizeof(double));
    int nomem = !t->prob;
    if (r->method == SCENMC_MONTE_CARLO) {
        free(t->counts);
        free(t->stderr_);
        t->counts = calloc(cells, sizeof(uint64_t));
        t->stderr_ = calloc(cells, sizeof(double));
        nomem |= !t->counts || !t->stderr_;
    }
    if (nomem)
        problem(R, SCENMC_E_NOMEM, "out of memory for the final-state table");
}

/* ------------------------------------------------------------------ tables */

static void read_tables(reader *R, scenmc_results *r)
{
    for (int g = 0; g < SCENMC_N_GROUPS && R->ok; g++) {
        if (!scenmc__group_present(r->method, g))
            continue;
        for (int k = 0; k < SCENMC_N_TABLES && R->ok; k++) {
            scenmc_table *t = &r->t[k];
            char name[128];
            scenmc__table_path(name, sizeof name, R->version, g, k);
            hsize_t dims[3];
            int rank = scenmc__table_dims(t, dims);
            read_array(R, name, scenmc__group_type(g), rank, dims, scenmc__group_data(t, g));
        }
    }
}

/* Whether the list pairs (state, count) [n] extend the table read: its first
 * entries, sorted by count then state (so distinct), states in range, and the
 * counts adding up to n_trajectories. */
static void check_state_list(reader *R, const scenmc_results *r, const uint64_t *pairs, size_t n)
{
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    uint64_t sum = 0;
    for (size_t i = 0; R->ok && i < n; i++) {
        uint64_t st = pairs[2 * i], c = pairs[2 * i + 1];
        int ordered = i == 0 || pairs[2 * i - 1] > c || (pairs[2 * i - 1] == c && pairs[2 * i - 2] < st);
        if ((r->n_states && st >= r->n_states) || c == 0 || !ordered || sum + c < sum ||
            (i < t->size && (st != r->top_state[i] || c != t->counts[i])))
            problem(R, SCENMC_E_INPUT, "/final_state_list[%zu] is (%llu, %llu): corrupt", i,
                    (unsigned long long)st, (unsigned long long)c);
        sum += c;
    }
    uint64_t N = r->conditioned ? r->weight_sum : r->n_trajectories;
    if (R->ok && sum != N)
        problem(R, SCENMC_E_INPUT, "/final_state_list: the counts add up to %llu, not to %s %llu",
                (unsigned long long)sum, r->conditioned ? "weight_sum" : "n_trajectories",
                (unsigned long long)N);
}

/* The list of distinct final states is the table itself (every state shown). */
static void list_from_table(scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    size_t n = t->size;
    r->top_list_state = scenmc__xcalloc(n ? n : 1, sizeof(uint64_t));
    r->top_list_count = scenmc__xcalloc(n ? n : 1, sizeof(uint64_t));
    memcpy(r->top_list_state, r->top_state, n * sizeof(uint64_t));
    memcpy(r->top_list_count, t->counts, n * sizeof(uint64_t));
}

/* Top mode: every distinct final state (/final_state_list, when the table
 * shows fewer), so that this file adds to others by state; left NULL when
 * the file does not hold them all. */
static void read_state_list(reader *R, scenmc_results *r)
{
    scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    if (!R->ok || r->full_states || r->method != SCENMC_MONTE_CARLO)
        return;
    free(r->top_list_state);
    free(r->top_list_count);
    r->top_list_state = r->top_list_count = NULL;
    if (r->final_state_dropped)
        return;
    if (H5Lexists(R->file, "/final_state_list", H5P_DEFAULT) <= 0) {
        /* Without the list the table is complete when it shows every distinct state. */
        if (t->size == r->n_top_distinct && (t->size > 0 || r->n_trajectories == 0))
            list_from_table(r);
        return;
    }
    size_t n = (size_t)r->n_top_distinct;
    if (r->n_top_distinct <= t->size || r->n_top_distinct > SCENMC__TOP_LIST_MAX) {
        problem(R, SCENMC_E_INPUT, "/final_state_list with n_top_distinct %llu and a table of %zu: "
                "corrupt", (unsigned long long)r->n_top_distinct, t->size);
        return;
    }
    uint64_t *pairs = malloc(2 * n * sizeof(uint64_t));
    uint64_t *state = malloc(n * sizeof(uint64_t)), *count = malloc(n * sizeof(uint64_t));
    hsize_t dims[2] = {n, 2};
    if (!pairs || !state || !count)
        problem(R, SCENMC_E_NOMEM, "out of memory reading /final_state_list");
    else if (read_array(R, "/final_state_list", H5T_NATIVE_UINT64, 2, dims, pairs))
        check_state_list(R, r, pairs, n);
    if (R->ok) {
        for (size_t i = 0; i < n; i++) {
            state[i] = pairs[2 * i];
            count[i] = pairs[2 * i + 1];
        }
        r->top_list_state = state;
        r->top_list_count = count;
        state = count = NULL;
    }
    free(pairs);
    free(state);
    free(count);
}

static void year_text(const scenmc_results *r, size_t y, char *buf, size_t n)
{
    snprintf(buf, n, "%d", r->params.year_start + (int)y);
}

/* The counts of a Monte Carlo results file, by table. */
typedef struct tally {
    const scenmc_model *m;
    size_t Y, S, V, B;
    uint64_t N;           /* what every year adds up to: trajectories, or their weights */
    const char *N_name;   /* "n_trajectories" or "weight_sum" */
    const uint64_t *sc, *va, *sv, *tr, *ew, *kb, *li;
    const scenmc_table *fs;
} tally;

static tally tally_of(const scenmc_results *r)
{
    tally t = {.m = r->model, .Y = (size_t)r->n_years, .S = (size_t)r->n_scenarios,
               .V = (size_t)r->model->n_variants, .B = (size_t)r->n_bins,
               .N = r->conditioned ? r->weight_sum : r->n_trajectories,
               .N_name = r->conditioned ? "weight_sum" : "n_trajectories",
               .sc = r->t[SCENMC_T_SCENARIO].counts, .va = r->t[SCENMC_T_VARIANT].counts,
               .sv = r->t[SCENMC_T_SCENARIO_VARIANT].counts, .tr = r->t[SCENMC_T_TRANSITION].counts,
               .ew = r->t[SCENMC_T_EARLY_WARNING].counts, .kb = r->t[SCENMC_T_CONSISTENCY].counts,
               .li = r->t[SCENMC_T_LOCK_IN].counts, .fs = &r->t[SCENMC_T_FINAL_STATE]};
    return t;
}

/* The dataset of the table named name (scenmc_table_names) in a file of this version. */
static const char *counts_name(int version, const char *name)
{
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (!strcmp(scenmc_table_names[k], name))
            return scenmc__table_h5_name(version, k);
    return name;
}

#define BAD(table, fmt, ...) \
    problem(R, SCENMC_E_INPUT, "/counts/%s: corrupt: " fmt, counts_name(R->version, table), __VA_ARGS__)

/* The probabilities and standard errors, against the counts. */
static void check_ratios(reader *R, const tally *tc, const scenmc_results *r)
{
    size_t S = tc->S, V = tc->V;
    uint64_t N = tc->N;
    const uint64_t *sc = tc->sc, *va = tc->va;
    for (int k = 0; R->ok && k < SCENMC_N_TABLES; k++) {
        const scenmc_table *t = &r->t[k];
        for (size_t i = 0; R->ok && i < t->size; i++) {
            uint64_t den = N;
            if (k == SCENMC_T_SCENARIO_VARIANT)
                den = sc[i / V];
            else if (k == SCENMC_T_TRANSITION)
                den = sc[i / S];
            else if (k == SCENMC_T_EARLY_WARNING)
                den = va[i / S];
            double p = den ? (double)t->counts[i] / (double)den : NAN;
            double se = den ? sqrt(p * (1 - p) / (double)den) : NAN;
            /* A ratio of integers is correctly rounded: exact. The standard error gets a
             * little room for a writer whose libm rounds sqrt's neighbours differently. */
            int p_ok = isnan(p) ? isnan(t->prob[i]) : t->prob[i] == p;
            /* Conditioned results' standard errors come from the effective sample size
             * (results.c), which the weight sums give only in total: not checked here. */
            int s_ok = r->conditioned || (isnan(se) ? isnan(t->stderr_[i])
                                          : t->stderr_[i] == se || fabs(t->stderr_[i] - se) <= 1e-13 * se);
            if (!p_ok || !s_ok)
                problem(R, SCENMC_E_INPUT, "/%s/%s[%zu] is %.17g but its counts give %.17g: corrupt",
                        p_ok ? "stderr" : "probability", scenmc__table_h5_name(R->version, k), i,
                        p_ok ? t->stderr_[i] : t->prob[i], p_ok ? se : p);
        }
    }
}

/* Year y: every table adds up to the scenario table, and that to N. */
static void check_year(reader *R, const scenmc_results *r, const tally *tc, size_t y)
{
    const scenmc_model *m = tc->m;
    size_t Y = tc->Y, S = tc->S, V = tc->V, B = tc->B;
    uint64_t N = tc->N;
    const uint64_t *sc = tc->sc, *va = tc->va, *sv = tc->sv, *tr = tc->tr, *ew = tc->ew, *kb = tc->kb;
    char yr[16];
    year_text(r, y, yr, sizeof yr);
    uint64_t tot = 0, ktot = 0;
    for (size_t s = 0; s < S; s++)
        tot += sc[y * S + s];
    for (size_t b = 0; b < B; b++)
        ktot += kb[y * B + b];
    if (tot != N)
        BAD("scenario", "the counts of %s add up to %llu, not to %s %llu", yr,
            (unsigned long long)tot, tc->N_name, (unsigned long long)N);
    else if (ktot != N)
        BAD("consistency", "the counts of %s add up to %llu, not to %s %llu", yr,
            (unsigned long long)ktot, tc->N_name, (unsigned long long)N);
    for (size_t s = 0; R->ok && s < S; s++)
        for (int d = 0; R->ok && d < m->n_descriptors; d++) {
            const scenmc_descriptor *Dd = &m->descriptors[d];
            uint64_t c = 0;
            for (int b = 0; b < Dd->n_variants; b++)
                c += sv[(y * S + s) * V + (size_t)(Dd->offset + b)];
            if (c != sc[y * S + s])
                BAD("scenario_variant", "%s, scenario %zu, descriptor %s: the counts add up to "
                    "%llu, not to the scenario's %llu", yr, s, Dd->id, (unsigned long long)c,
                    (unsigned long long)sc[y * S + s]);
        }
    for (size_t v = 0; R->ok && v < V; v++) {
        uint64_t c = 0, e = 0;
        for (size_t s = 0; s < S; s++) {
            c += sv[(y * S + s) * V + v];
            e += ew[(y * V + v) * S + s];
        }
        if (c != va[y * V + v])
            BAD("variant", "%s, variant %zu: %llu, but scenario_variant adds up to %llu", yr, v,
                (unsigned long long)va[y * V + v], (unsigned long long)c);
        else if (e != c)
            BAD("early_warning", "%s, variant %zu: the counts add up to %llu, not to the "
                "variant's %llu", yr, v, (unsigned long long)e, (unsigned long long)c);
    }
    for (size_t f = 0; R->ok && f < S; f++) {
        uint64_t c = 0;
        const scenmc_descriptor *D0 = &m->descriptors[0];
        for (int b = 0; b < D0->n_variants; b++)
            c += ew[(y * V + (size_t)(D0->offset + b)) * S + f];
        if (c != sc[(Y - 1) * S + f])
            BAD("early_warning", "%s, final scenario %zu: the counts add up to %llu, not to the "
                "final year's %llu", yr, f, (unsigned long long)c,
                (unsigned long long)sc[(Y - 1) * S + f]);
    }
    if (y + 1 < Y)
        for (size_t a = 0; R->ok && a < S; a++) {
            uint64_t out = 0, in = 0;
            for (size_t b = 0; b < S; b++) {
                out += tr[(y * S + a) * S + b];
                in += tr[(y * S + b) * S + a];
            }
            if (out != sc[y * S + a] || in != sc[(y + 1) * S + a])
                BAD("scenario_transition", "from %s, scenario %zu: %llu leave and %llu arrive, "
                    "but the scenario table has %llu and %llu", yr, a, (unsigned long long)out,
                    (unsigned long long)in, (unsigned long long)sc[y * S + a],
                    (unsigned long long)sc[(y + 1) * S + a]);
        }
}

/* Monte Carlo: the counts must add up the way one run tallies them, and the
 * probabilities and standard errors must be their ratios (results.c). */
static void check_counts(reader *R, const scenmc_results *r)
{
    const tally t = tally_of(r), *tc = &t;
    size_t Y = tc->Y, S = tc->S;
    uint64_t N = tc->N;
    const uint64_t *sc = tc->sc, *li = tc->li;
    const scenmc_table *fs = tc->fs;
    for (size_t y = 0; R->ok && y < Y; y++)
        check_year(R, r, tc, y);
    for (size_t f = 0; R->ok && f < S; f++) {
        uint64_t c = 0;
        for (size_t y = 0; y < Y; y++)
            c += li[y * S + f];
        if (c != sc[(Y - 1) * S + f])
            BAD("lock_in", "final scenario %zu: the counts add up to %llu, not to the final year's "
                "%llu", f, (unsigned long long)c, (unsigned long long)sc[(Y - 1) * S + f]);
    }
    if (R->ok) {
        uint64_t c = 0;
        for (size_t i = 0; i < fs->size; i++)
            c += fs->counts[i];
        if (r->full_states ? c != N : c > N)
            BAD("final_state", "the counts add up to %llu, %s %s %llu", (unsigned long long)c,
                r->full_states ? "not to" : "more than", tc->N_name, (unsigned long long)N);
    }
    if (R->ok)
        check_ratios(R, tc, r);
}
#undef BAD

/* Exact results: every probability is one, or NaN (0/0). */
static void check_probabilities(reader *R, const scenmc_results *r)
{
    for (int k = 0; R->ok && k < SCENMC_N_TABLES; k++) {
        const scenmc_table *t = &r->t[k];
        for (size_t i = 0; R->ok && i < t->size; i++) {
            double p = t->prob[i];
            if (!isnan(p) && !(p >= -1e-9 && p <= 1 + 1e-9))
                problem(R, SCENMC_E_INPUT, "/probability/%s[%zu] is %.17g, not a probability: corrupt",
                        scenmc_table_names[k], i, p);
        }
    }
}

/* ------------------------------------------------------------------ the file */

/* Version 2's provenance attributes ("" when absent, as in version 1). */
static void read_provenance(reader *R, scenmc_results_info *info)
{
    if (!info || !R->ok)
        return;
    static const char *const names[5] = {"engine_commit", "host", "working_directory",
                                         "original_command_line", "rng"};
    char **slot[5] = {&info->engine_commit, &info->host, &info->working_directory,
                      &info->original_command_line, &info->rng};
    for (int i = 0; i < 5; i++) {
        free(*slot[i]);
        char *s = H5Aexists(R->file, names[i]) > 0 ? attr_string(R, "/", names[i], 0) : NULL;
        *slot[i] = s ? s : scenmc__strdup("");
    }
}

static void read_root(reader *R, scenmc_results *r, scenmc_results_info *info)
{
    uint64_t n = 0, nst = 0;
    int full = 0;
    attr_number(R, "/", "n_trajectories", H5T_NATIVE_UINT64, &r->n_trajectories, 1);
    attr_number(R, "/", "trajectory_first", H5T_NATIVE_UINT64, &r->first, 1);
    attr_number(R, "/", "trajectory_last", H5T_NATIVE_UINT64, &r->last, 1);
    attr_number(R, "/", "threads", H5T_NATIVE_INT, &r->threads, 1);
    attr_number(R, "/", "wall_seconds", H5T_NATIVE_DOUBLE, &r->wall_seconds, 1);
    attr_number(R, "/", "final_state_full", H5T_NATIVE_INT, &full, 1);
    attr_number(R, "/", "n_states", H5T_NATIVE_UINT64, &nst, 1);
    if (!r->full_states && H5Aexists(R->file, "final_state_dropped") > 0) {
        char *why = attr_string(R, "/", "final_state_dropped", 0);
        r->final_state_dropped = why ? scenmc__final_state_dropped_code(why) : SCENMC__FS_NO_LIST;
        free(why);
    }
    if (attr_number(R, "/", "n_top_distinct", H5T_NATIVE_UINT64, &n, 0)) {
        r->n_top_distinct = n;
        if (info)
            info->has_n_top_distinct = 1;
    }
    if (r->method == SCENMC_EXACT) {
        attr_number(R, "/", "truncation_bound", H5T_NATIVE_DOUBLE, &r->truncation_bound, 1);
        attr_number(R, "/", "memory_bytes", H5T_NATIVE_DOUBLE, &r->mem_peak_bytes, 0);
    }
    if (!R->ok)
        return;
    if (nst != r->n_states || (full != 0) != (r->full_states != 0))
        problem(R, SCENMC_E_INPUT, "the root attributes say %llu states (final_state_full %d) but the "
                "embedded model has %llu (%d): corrupt or mismatched", (unsigned long long)nst, full,
                (unsigned long long)r->n_states, r->full_states);
    else if (r->first > r->last)
        problem(R, SCENMC_E_INPUT, "trajectory_first %llu is after trajectory_last %llu: corrupt",
                (unsigned long long)r->first, (unsigned long long)r->last);
    if (info && R->ok) {
        char *s;
        if ((s = attr_string(R, "/", "engine_version", 0)))
            snprintf(info->engine_version, sizeof info->engine_version, "%s", s);
        free(s);
        if ((s = attr_string(R, "/", "created", 0)))
            snprintf(info->created, sizeof info->created, "%s", s);
        free(s);
        s = attr_string(R, "/", "command_line", 0);
        info->command_line = s ? s : strdup("");
    }
    read_provenance(R, info);
}

/* ------------------------------------------------------------------ conditioning */

#define OBS_MAX 1000000 /* observations in one file, far more than any study makes */

/* The number of observations in /observations (the length of observation_year). */
static size_t obs_count(reader *R)
{
    hid_t d = open_ds(R, "/observations/observation_year");
    if (d < 0)
        return 0;
    int rank = 0;
    hsize_t dims[H5S_MAX_RANK];
    if (scenmc__h5_extent(d, 0, &rank, dims) != 0 || rank != 1 || dims[0] > OBS_MAX)
        problem(R, SCENMC_E_INPUT, "/observations/observation_year: expected a list of at most %d years: "
                "corrupt", OBS_MAX);
    H5Dclose(d);
    return R->ok ? (size_t)dims[0] : 0;
}

/* Observation i from its columns into o, checked against the model and years. */
static void obs_take(reader *R, const scenmc_results *r, scenmc_observations *o, size_t i, int year, int d,
                     int hard, const double *row, const char *where)
{
    const scenmc_model *m = r->model;
    if (d < 0 || d >= m->n_descriptors || year < r->params.year_start || year > r->params.year_end) {
        problem(R, SCENMC_E_INPUT, "/observations: observation %zu (descriptor %d, year %d) is not of this "
                "model and these years: corrupt", i, d, year);
        return;
    }
    const scenmc_descriptor *D = &m->descriptors[d];
    const double *lik = row + D->offset;
    double sum = 0;
    for (int b = 0; b < D->n_variants; b++) {
        if (!(lik[b] >= 0) || !isfinite(lik[b]))
            sum = NAN;
        sum += lik[b];
    }
    if (!(sum > 0)) {
        problem(R, SCENMC_E_INPUT, "/observations/likelihood[%zu]: expected numbers >= 0, not all 0, for the "
                "variants of %s: corrupt", i, D->id);
        return;
    }
    scenmc_observations_add(o, year, d, lik, D->n_variants, where);
    if (o->obs[o->n - 1].hard != (hard != 0))
        problem(R, SCENMC_E_INPUT, "/observations/hard[%zu] is %d but the likelihood says %d: corrupt", i,
                hard, o->obs[o->n - 1].hard);
}

/* /observations/start: the observed first-year state, when the file has it. */
static void obs_start(reader *R, const scenmc_model *m, scenmc_observations *o)
{
    if (!R->ok || H5Lexists(R->file, "/observations/start", H5P_DEFAULT) <= 0)
        return;
    size_t D = (size_t)m->n_descriptors;
    hsize_t dims[1] = {D};
    int *s = scenmc__xcalloc(D + 1, sizeof(int));
    if (read_array(R, "/observations/start", H5T_NATIVE_INT, 1, dims, s))
        for (size_t d = 0; d < D; d++)
            if (s[d] < 0 || s[d] >= m->descriptors[d].n_variants)
                problem(R, SCENMC_E_INPUT, "/observations/start[%zu] is %d: corrupt", d, s[d]);
    if (R->ok) {
        o->start = s;
        o->n_start = (int)D;
    } else {
        free(s);
    }
}

/* /observations -> a new set (NULL on failure). */
static scenmc_observations *read_obs_group(reader *R, const scenmc_results *r)
{
    size_t n = obs_count(R), V = (size_t)r->model->n_variants;
    hsize_t dn[1] = {n}, dnv[2] = {n, V};
    int *year = scenmc__xcalloc(n + 1, sizeof(int)), *desc = scenmc__xcalloc(n + 1, sizeof(int));
    int *hard = scenmc__xcalloc(n + 1, sizeof(int));
    double *lik = malloc((n * V + 1) * sizeof(double));
    if (!lik)
        problem(R, SCENMC_E_NOMEM, "out of memory reading /observations");
    read_array(R, "/observations/observation_year", H5T_NATIVE_INT, 1, dn, year);
    read_array(R, "/observations/observation_descriptor", H5T_NATIVE_INT, 1, dn, desc);
    read_array(R, "/observations/hard", H5T_NATIVE_INT, 1, dn, hard);
    read_array(R, "/observations/likelihood", H5T_NATIVE_DOUBLE, 2, dnv, lik);
    char **where = read_strings(R, "/observations/where", 1, n);
    scenmc_observations *o = scenmc__xmalloc(sizeof *o);
    scenmc_observations_init(o);
    for (size_t i = 0; R->ok && i < n; i++)
        obs_take(R, r, o, i, year[i], desc[i], hard[i], lik + i * V, where[i]);
    obs_start(R, r->model, o);
    char *src = R->ok ? attr_string(R, "/observations", "source", 0) : NULL;
    o->source = src && *src ? src : NULL;
    if (o->source != src)
        free(src);
    if (where)
        scenmc__h5_free_strings(where, n);
    free(year);
    free(desc);
    free(hard);
    free(lik);
    if (!R->ok) {
        scenmc_observations_free(o);
        free(o);
        return NULL;
    }
    return o;
}

/* The conditioning root attributes and /observations (absent: unconditioned). */
static void read_conditioning(reader *R, scenmc_results *r)
{
    int cond = 0;
    if (!R->ok || !attr_number(R, "/", "conditioned", H5T_NATIVE_INT, &cond, 0) || cond == 0)
        return;
    r->conditioned = 1;
    attr_number(R, "/", "log_evidence", H5T_NATIVE_DOUBLE, &r->log_evidence, 1);
    if (r->method == SCENMC_MONTE_CARLO) {
        attr_number(R, "/", "evidence_se", H5T_NATIVE_DOUBLE, &r->evidence_se, 1);
        attr_number(R, "/", "effective_sample_size", H5T_NATIVE_DOUBLE, &r->effective_size, 1);
        attr_number(R, "/", "weight_one", H5T_NATIVE_UINT64, &r->weight_one, 1);
        attr_number(R, "/", "weight_sum", H5T_NATIVE_UINT64, &r->weight_sum, 1);
        attr_number(R, "/", "weight_sq_sum_low", H5T_NATIVE_UINT64, &r->weight_sq_sum[0], 1);
        attr_number(R, "/", "weight_sq_sum_high", H5T_NATIVE_UINT64, &r->weight_sq_sum[1], 1);
        if (R->ok && r->weight_one == 0)
            problem(R, SCENMC_E_INPUT, "the attribute weight_one is 0: corrupt");
    }
    /* No trajectory yet (an empty shard or checkpoint): no estimate, NaN. */
    int none = r->method == SCENMC_MONTE_CARLO && r->n_trajectories == 0;
    if (R->ok && (cond != 1 || (isnan(r->log_evidence) && !none)))
        problem(R, SCENMC_E_INPUT, "the attributes conditioned %d, log_evidence %g: corrupt", cond,
                r->log_evidence);
    if (R->ok && H5Lexists(R->file, "/observations", H5P_DEFAULT) > 0)
        r->given = read_obs_group(R, r);
}

/* Format checks: is it HDF5, is it ours, which version and method. */
static int read_header(reader *R, scenmc_method *method, scenmc_results_info *info)
{
    char q[QUOTED_SIZE];
    char *fmt = attr_string(R, "/", "format", 0);
    if (!R->ok)
        return 0;
    if (!fmt) {
        problem(R, SCENMC_E_INPUT, "an HDF5 file but not a scenmc results file (no 'format' "
                "attribute)");
        return 0;
    }
    if (strcmp(fmt, SCENMC_RESULTS_FORMAT) != 0) {
        problem(R, SCENMC_E_INPUT, "an HDF5 file but not a scenmc results file (its 'format' "
                "attribute is '%s', expected '%s')", quoted(fmt, q), SCENMC_RESULTS_FORMAT);
        free(fmt);
        return 0;
    }
    free(fmt);
    long long version = 0;
    if (!attr_number(R, "/", "format_version", H5T_NATIVE_LLONG, &version, 0)) {
        if (R->ok)
            problem(R, SCENMC_E_INPUT, "a scenmc results file without a 'format_version' "
                    "attribute; this scenmc reads versions %d to %d",
                    SCENMC_RESULTS_FORMAT_VERSION_MIN, SCENMC_RESULTS_FORMAT_VERSION);
        return 0;
    }
    if (version < SCENMC_RESULTS_FORMAT_VERSION_MIN || version > SCENMC_RESULTS_FORMAT_VERSION) {
        problem(R, SCENMC_E_INPUT, "format_version %lld; this scenmc reads versions %d to %d%s",
                version, SCENMC_RESULTS_FORMAT_VERSION_MIN, SCENMC_RESULTS_FORMAT_VERSION,
                version > SCENMC_RESULTS_FORMAT_VERSION ? " (a newer scenmc wrote it)" : "");
        return 0;
    }
    R->version = (int)version;
    char *meth = attr_string(R, "/", "method", 1);
    if (!meth)
        return 0;
    /* Files of the same format that hold something else than one set of tables. */
    htri_t sweep = H5Lexists(R->file, "/sweep", H5P_DEFAULT);
    htri_t sens = H5Lexists(R->file, "/sensitivity", H5P_DEFAULT);
    if (R->any_kind) {
        *method = strcmp(meth, "exact") ? SCENMC_MONTE_CARLO : SCENMC_EXACT;
        if (info) {
            info->format_version = (int)version;
            snprintf(info->method, sizeof info->method, "%s", meth);
        }
        free(meth);
        return R->ok;
    }
    if (sweep > 0 || !strcmp(meth, "sweep")) {
        int points = 0;
        attr_number(R, "/", "n_points", H5T_NATIVE_INT, &points, 0);
        problem(R, SCENMC_E_INPUT, "a sweep file (scenmc sweep: %d parameter points, each with its "
                "own tables), not the results of one run; this reads the files of scenmc run and "
                "scenmc exact", points);
        free(meth);
        return 0;
    }
    if (sens > 0 || !strcmp(meth, "sensitivity")) {
        problem(R, SCENMC_E_INPUT, "a cell-sensitivity file (scenmc sensitivity: /sensitivity), "
                "not the results of one run; this reads the files of scenmc run and scenmc exact");
        free(meth);
        return 0;
    }
    if (!strcmp(meth, "monte-carlo"))
        *method = SCENMC_MONTE_CARLO;
    else if (!strcmp(meth, "exact"))
        *method = SCENMC_EXACT;
    else
        problem(R, SCENMC_E_INPUT, "method '%s'; this scenmc reads 'monte-carlo' or 'exact'",
                quoted(meth, q));
    if (info) {
        info->format_version = (int)version;
        snprintf(info->method, sizeof info->method, "%s", meth);
    }
    free(meth);
    return R->ok;
}

void scenmc_results_info_free(scenmc_results_info *info)
{
    if (!info)
        return;
    free(info->command_line);
    free(info->model_path);
    info->command_line = info->model_path = NULL;
    char **more[5] = {&info->engine_commit, &info->host, &info->working_directory,
                      &info->original_command_line, &info->rng};
    for (int i = 0; i < 5; i++) {
        free(*more[i]);
        *more[i] = NULL;
    }
}

/* The operating system's answer first (HDF5's would be vaguer), then HDF5's:
 * opens R->path into R->file. */
static scenmc_status open_file(reader *R)
{
    const char *path = R->path;
    scenmc_error *err = R->err;
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot open: %s", path, strerror(e));
    }
    close(fd);
    if (S_ISDIR(st.st_mode))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: is a directory; expected a results file "
                                "(.h5)", path);
    if (!S_ISREG(st.st_mode))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: not a regular file; expected a results "
                                "file (.h5)", path);
#if H5_VERSION_GE(1, 12, 0)
    htri_t is = H5Fis_accessible(path, H5P_DEFAULT);
#else
    htri_t is = H5Fis_hdf5(path);
#endif
    if (is <= 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: not an HDF5 file; expected a results file "
                                "written by scenmc", path);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG); /* closing the file closes whatever is left */
    R->file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (R->file < 0)
        remember(R);
    H5Pclose(fapl);
    if (R->file < 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: an HDF5 file that cannot be opened, "
                                "truncated or damaged (HDF5: %s)", path, R->hdetail);
    return SCENMC_OK;
}

/* A guard's time for the tables: their size is known now, and so is a fair time to read them. */
static unsigned table_seconds(const scenmc_results *r, const scenmc_model *m)
{
    double bytes = 0;
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        bytes += (double)r->t[k].size * (r->method == SCENMC_EXACT ? 8 : 24);
    bytes += (double)r->t[SCENMC_T_FINAL_STATE].size * (double)(8 + m->n_descriptors);
    return GUARD_SECONDS_META + (unsigned)(bytes / GUARD_BYTES_PER_SECOND);
}

/* Everything in the open file R->file, into *m and r (p: its parameters,
 * *have_p once initialised). 1 when read and checked. */
static int read_contents(reader *R, scenmc_model **m, scenmc_params *p, int *have_p,
                         scenmc_results *r, scenmc_results_info *info, int probe)
{
    scenmc_method method = SCENMC_MONTE_CARLO;
    if (probe)
        alarm(GUARD_SECONDS_META);
    if (!read_header(R, &method, info))
        return 0;
    *m = read_model(R, info);
    if (!*m)
        return 0;
    check_model_datasets(R, *m);
    *have_p = 1;
    if (!read_params(R, *m, p) || !check_seed(R, p))
        return 0;
    if (scenmc_results_init(r, *m, p, method, R->err) != SCENMC_OK) {
        R->ok = 0;
        return 0;
    }
    if (probe)
        alarm(table_seconds(r, *m));
    read_root(R, r, info);
    read_conditioning(R, r);
    check_axes(R, r);
    read_states(R, r);
    read_tables(R, r);
    read_state_list(R, r);
    if (probe)
        ; /* the numbers' checks below cannot crash */
    else if (R->ok && method == SCENMC_MONTE_CARLO)
        check_counts(R, r);
    else if (R->ok)
        check_probabilities(R, r);
    return R->ok;
}

/* One read. probe: only what touches HDF5 (a guard's dry run; the checks of our
 * own on the numbers it read cannot crash). */
static scenmc_status read_once(const char *path, scenmc_model **model, scenmc_results *r,
                               scenmc_results_info *info, int probe, scenmc_error *err)
{
    *model = NULL;
    memset(r, 0, sizeof *r);
    if (info)
        memset(info, 0, sizeof *info);
    reader R = {.path = path, .file = -1, .err = err, .ok = 1};
    scenmc_status s = open_file(&R);
    if (s != SCENMC_OK)
        return s;
    scenmc_model *m = NULL;
    scenmc_params p;
    int have_p = 0;
    if (!read_contents(&R, &m, &p, &have_p, r, info, probe))
        goto fail;
    scenmc_params_free(&p);
    if (H5Fclose(R.file) < 0) {
        R.file = -1;
        char detail[256];
        scenmc__h5_detail(detail, sizeof detail);
        problem(&R, SCENMC_E_INPUT, "closing it failed (HDF5: %s): the file is damaged", detail);
        have_p = 0;
        goto fail;
    }
    *model = m;
    return SCENMC_OK;

fail:
    if (have_p)
        scenmc_params_free(&p);
    scenmc_results_free(r);
    memset(r, 0, sizeof *r);
    scenmc_model_free(m);
    if (R.file >= 0)
        H5Fclose(R.file);
    if (err && err->code == SCENMC_OK)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: cannot be read", path);
    return err ? err->code : SCENMC_E_INPUT;
}

/* The guard's child: reads the file under alarms and writes its verdict to fd
 * (a status byte, then the message). Never returns. */
static _Noreturn void guard_child(const char *path, int fd)
{
    /* A crash must end the child, whatever handlers the parent installed (a
     * test framework's longjmp would carry on running the parent's program). */
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        signal(faults[i], SIG_DFL);
    /* read_once arms alarms: a loop in HDF5 ends the child by SIGALRM. */
    scenmc_error e;
    scenmc_error_clear(&e);
    scenmc_model *m = NULL;
    scenmc_results r;
    scenmc_results_info info; /* so that it reads everything the parent will */
    scenmc_status s = read_once(path, &m, &r, &info, 1, &e);
    alarm(0);
    if (s == SCENMC_OK) { /* tidy, for leak checkers that follow the child */
        scenmc_results_free(&r);
        scenmc_model_free(m);
    }
    scenmc_results_info_free(&info);
    H5close();
    char code = (char)s;
    size_t n = s == SCENMC_OK ? 0 : strlen(e.msg);
    ssize_t k = write(fd, &code, 1);
    for (size_t at = 0; k > 0 && at < n; at += (size_t)k)
        k = write(fd, e.msg + at, n - at);
    _exit(0); /* no atexit handlers, no stdio flushing: they are the parent's */
}

/* How the child ended (st from waitpid, w its pid or -1), and what it sent
 * (buf, got bytes): 1 to go on reading, 0 when err holds the verdict. */
static int guard_verdict(const char *path, pid_t pid, pid_t w, int st, char *buf, size_t got,
                         scenmc_error *err)
{
    if (w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: a damaged HDF5 file: reading it did not finish "
                         "in time (HDF5 can loop forever on damaged metadata); the file is "
                         "truncated or overwritten in places, or on a very slow disk", path);
        return 0;
    }
    if (w == pid && WIFSIGNALED(st) &&
        (WTERMSIG(st) == SIGINT || WTERMSIG(st) == SIGTERM || WTERMSIG(st) == SIGHUP)) {
        scenmc_error_add(err, SCENMC_E_INTERRUPTED, "%s: reading was interrupted (signal %d)", path,
                         WTERMSIG(st));
        return 0;
    }
    if (w == pid && WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: a damaged HDF5 file: reading it %s (signal %d, "
                         "%s); the file is truncated or overwritten in places", path,
                         sig == SIGKILL ? "was killed, perhaps for memory" : "crashed the HDF5 library",
                         sig, strsignal(sig));
        return 0;
    }
    if (w == pid && got < 1) { /* it ended without a verdict: HDF5 gave up inside */
        scenmc_error_add(err, SCENMC_E_INPUT, "%s: a damaged HDF5 file: reading it ended "
                         "abnormally (exit status %d); the file is truncated or overwritten in "
                         "places", path, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return 0;
    }
    if (got < 1 || buf[0] == SCENMC_OK || w != pid)
        return 1;
    scenmc_status code = (scenmc_status)buf[0];
    for (char *line = buf + 1; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        scenmc_error_add(err, code, "%s", line);
        if (!nl)
            break;
        line = nl + 1;
    }
    if (err && err->code == SCENMC_OK)
        scenmc_error_add(err, code, "%s: cannot be read", path);
    return 0;
}

/* HDF5 1.10 can crash on damaged metadata (a bad object header or global-heap
 * entry makes it read out of bounds), or loop forever in its metadata cache:
 * no check of ours can run before HDF5 parses those. So a child process reads
 * the file first, under an alarm, and sends back its verdict. A crash or a
 * timeout there is reported as a damaged file, a problem the child found is
 * reported as found, and only a file the child read cleanly is read again
 * here. Returns 1 to go on reading, 0 when err holds the verdict. */
static int guard(const char *path, scenmc_error *err)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 1; /* cannot guard: read unguarded */
    fflush(NULL); /* a child must not write out the parent's buffers twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        guard_child(path, fds[1]);
    }
    close(fds[1]);
    char buf[SCENMC_ERROR_MSG_SIZE + 1];
    size_t got = 0;
    for (;;) {
        ssize_t k = read(fds[0], buf + got, sizeof buf - 1 - got);
        if (k > 0)
            got += (size_t)k;
        else if (k == 0 || errno != EINTR || got == sizeof buf - 1)
            break;
    }
    close(fds[0]);
    buf[got] = '\0';
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    return guard_verdict(path, pid, w, st, buf, got, err);
}

scenmc_status scenmc_results_read_info(const char *path, scenmc_model **model, scenmc_results *r,
                                       scenmc_results_info *info, unsigned flags, scenmc_error *err)
{
    if (!(flags & SCENMC_READ_NO_GUARD) && !guard(path, err)) {
        *model = NULL;
        memset(r, 0, sizeof *r);
        if (info)
            memset(info, 0, sizeof *info);
        return err ? err->code : SCENMC_E_INPUT;
    }
    return read_once(path, model, r, info, 0, err);
}

scenmc_status scenmc_results_read(const char *path, scenmc_model **model, scenmc_results *r,
                                  scenmc_error *err)
{
    return scenmc_results_read_info(path, model, r, NULL, 0, err);
}

/* ------------------------------------------------------------------ other kinds (reader.h) */

scenmc_status scenmc__meta_open(const char *path, scenmc__meta *mt, scenmc_results_info *info,
                                scenmc_error *err)
{
    memset(mt, 0, sizeof *mt);
    mt->file = -1;
    if (info)
        memset(info, 0, sizeof *info);
    reader R = {.path = path, .file = -1, .err = err, .ok = 1, .any_kind = 1};
    scenmc_status st = open_file(&R);
    if (st != SCENMC_OK)
        return st;
    scenmc_method method = SCENMC_MONTE_CARLO;
    if (read_header(&R, &method, info) && (mt->model = read_model(&R, info)) != NULL) {
        check_model_datasets(&R, mt->model);
        mt->have_params = 1;
        if (read_params(&R, mt->model, &mt->params))
            check_seed(&R, &mt->params);
    }
    if (R.ok && info) {
        char *s;
        if ((s = attr_string(&R, "/", "engine_version", 0)))
            snprintf(info->engine_version, sizeof info->engine_version, "%s", s);
        free(s);
        if ((s = attr_string(&R, "/", "created", 0)))
            snprintf(info->created, sizeof info->created, "%s", s);
        free(s);
        s = attr_string(&R, "/", "command_line", 0);
        info->command_line = s ? s : scenmc__strdup("");
        read_provenance(&R, info);
    }
    mt->file = R.file;
    mt->version = R.version;
    mt->method = method;
    if (!R.ok) {
        scenmc__meta_close(mt);
        if (err && err->code == SCENMC_OK)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s: cannot be read", path);
        return err ? err->code : SCENMC_E_INPUT;
    }
    return SCENMC_OK;
}

void scenmc__meta_close(scenmc__meta *mt)
{
    if (mt->have_params)
        scenmc_params_free(&mt->params);
    scenmc_model_free(mt->model);
    if (mt->file >= 0)
        H5Fclose(mt->file);
    memset(mt, 0, sizeof *mt);
    mt->file = -1;
}
