/* Results -> one self-describing HDF5 file (docs/file-format.md).
 *
 * Written atomically: everything goes to a temporary file in the target's
 * directory, which is renamed over the target only when complete, so a
 * failure (disk full, signal) never leaves a half-written results file. */
#include "io/results_write.h"
#include "base/atomic_file.h"
#include "io/axes.h"
#include "io/h5.h"
#include "io/kinds_read.h"
#include "base/util.h"
#include "model/results.h"
#include "scenmc/observe.h"
#include "scenmc/reader.h"
#include "scenmc/schedule.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    hid_t file;
    int ok;
    hid_t descriptor, variant; /* the model's dimension scales (root), -1 until written */
} writer;

static hid_t dataset(writer *w, hid_t loc, const char *name, hid_t type, int rank,
                     const hsize_t *dims, const void *data)
{
    if (!w->ok)
        return -1;
    hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    /* Large tables are chunked and deflated: the final-state table is mostly zeros. */
    if (rank > 0 && n >= 4096 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
        hsize_t chunk[H5S_MAX_RANK];
        for (int i = 0; i < rank; i++)
            chunk[i] = dims[i] ? dims[i] : 1;
        size_t c = n;
        for (int i = 0; c > 65536 && i < rank; i++)
            while (c > 65536 && chunk[i] > 1) {
                chunk[i] = (chunk[i] + 1) / 2;
                c = 1;
                for (int j = 0; j < rank; j++)
                    c *= chunk[j];
            }
        H5Pset_chunk(dcpl, rank, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 4);
    }
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (d < 0 || (n > 0 && data && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)) {
        w->ok = 0;
        if (d >= 0)
            H5Dclose(d);
        return -1;
    }
    return d;
}

static void put(writer *w, hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                const void *data)
{
    hid_t d = dataset(w, loc, name, type, rank, dims, data);
    if (d >= 0)
        H5Dclose(d);
}

static hid_t strings(writer *w, hid_t loc, const char *name, size_t n, const char *const *s)
{
    hid_t t = scenmc__h5_vstr_type();
    hsize_t dims[1] = {n};
    const char **copy = scenmc__xcalloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        copy[i] = s[i] ? s[i] : "";
    hid_t d = dataset(w, loc, name, t, 1, dims, copy);
    free(copy);
    H5Tclose(t);
    return d;
}

static void put_string(writer *w, hid_t loc, const char *name, const char *s)
{
    if (!w->ok)
        return;
    hid_t t = scenmc__h5_vstr_type();
    const char *v = s ? s : "";
    put(w, loc, name, t, 0, NULL, &v);
    H5Tclose(t);
}

static void attr(writer *w, hid_t loc, const char *name, hid_t type, const void *value)
{
    if (w->ok && !scenmc__h5_put_attr(loc, name, type, type, value))
        w->ok = 0;
}

static void attr_str(writer *w, hid_t loc, const char *name, const char *s)
{
    if (w->ok && !scenmc__h5_put_attr_str(loc, name, s, 0))
        w->ok = 0;
}

static hid_t group(writer *w, const char *name)
{
    if (!w->ok)
        return -1;
    hid_t g = H5Gcreate2(w->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        w->ok = 0;
    return g;
}

/* ---------------------------------------------------------------- netCDF-4 conventions */

/* CF's long_name and units (units may be NULL: text has none). */
static void cf(writer *w, hid_t d, const char *long_name, const char *units)
{
    if (d < 0)
        return;
    attr_str(w, d, "long_name", long_name);
    if (units)
        attr_str(w, d, "units", units);
}

/* d becomes the coordinate variable of the dimension named like it. */
static hid_t scale(writer *w, hid_t d, const char *name, const char *long_name, const char *units)
{
    if (d >= 0 && w->ok && H5DSset_scale(d, name) < 0)
        w->ok = 0;
    cf(w, d, long_name, units);
    return d;
}

static hid_t coord_strings(writer *w, hid_t loc, const char *name, size_t n, const char *const *s,
                           const char *long_name)
{
    return scale(w, strings(w, loc, name, n, s), name, long_name, NULL);
}

/* A coordinate 0, 1, ..., n - 1. */
static hid_t coord_index(writer *w, hid_t loc, const char *name, size_t n, const char *long_name)
{
    int32_t *v = scenmc__xcalloc(n + 1, sizeof(int32_t));
    for (size_t i = 0; i < n; i++)
        v[i] = (int32_t)i;
    hsize_t d[1] = {n};
    hid_t c = dataset(w, loc, name, H5T_NATIVE_INT32, 1, d, v);
    free(v);
    return scale(w, c, name, long_name, "1");
}

/* A netCDF dimension without a coordinate variable (netCDF-4's own marker),
 * for long axes whose index is all there is to say; no storage is written. */
static hid_t bare_dim(writer *w, hid_t loc, const char *name, size_t n)
{
    if (!w->ok)
        return -1;
    hsize_t d[1] = {n};
    hid_t sp = H5Screate_simple(1, d, NULL);
    hid_t ds = H5Dcreate2(loc, name, H5T_IEEE_F32BE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(sp);
    char nm[96];
    snprintf(nm, sizeof nm, "This is a netCDF dimension but not a netCDF variable.%10zu", n);
    if (ds < 0 || H5DSset_scale(ds, nm) < 0)
        w->ok = 0;
    return ds;
}

/* d's dimensions are the scales s[0 .. rank - 1] (each when >= 0), with CF
 * attributes; closes d. */
static void finish_var(writer *w, hid_t d, int rank, const hid_t *s, const char *long_name,
                       const char *units)
{
    if (d < 0)
        return;
    /* Unlabelled dimensions get their scale's name (h5py's and hdf5r's view). */
    for (int i = 0; i < rank; i++)
        if (s[i] >= 0 && w->ok && !scenmc__axes_attach(d, (unsigned)i, s[i], NULL))
            w->ok = 0;
    cf(w, d, long_name, units);
    H5Dclose(d);
}

/* A 1-D variable along scale s. */
static void put_1d(writer *w, hid_t loc, const char *name, hid_t type, size_t n, const void *data,
                   hid_t s, const char *long_name, const char *units)
{
    hsize_t d[1] = {n};
    finish_var(w, dataset(w, loc, name, type, 1, d, data), 1, &s, long_name, units);
}

static void put_strings_1d(writer *w, hid_t loc, const char *name, size_t n, const char *const *v,
                           hid_t s, const char *long_name)
{
    finish_var(w, strings(w, loc, name, n, v), 1, &s, long_name, NULL);
}

static void close_id(hid_t *id)
{
    if (*id >= 0)
        H5Idec_ref(*id);
    *id = -1;
}

/* ---------------------------------------------------------------- the model */

/* "ID: name" for every variant (malloc'd; free with free_texts). */
static char **variant_texts(const scenmc_model *m)
{
    size_t V = (size_t)m->n_variants;
    char **vn = scenmc__xcalloc(V ? V : 1, sizeof(char *));
    for (size_t v = 0; v < V; v++) {
        const char *id = m->descriptors[m->variant_descriptor[v]].id;
        size_t n = strlen(id) + strlen(m->variant_name[v]) + 3;
        vn[v] = scenmc__xmalloc(n);
        snprintf(vn[v], n, "%s: %s", id, m->variant_name[v]);
    }
    return vn;
}

static void free_texts(char **t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

/* The root dimensions every file shares: descriptor (ids), variant ("ID:
 * name", unique) and its descriptor as a second coordinate. */
static void write_model_dims(writer *w, const scenmc_model *m)
{
    size_t D = (size_t)m->n_descriptors, V = (size_t)m->n_variants;
    const char **ids = scenmc__xcalloc(D + 1, sizeof(char *)), **vd = scenmc__xcalloc(V + 1, sizeof(char *));
    for (size_t d = 0; d < D; d++)
        ids[d] = m->descriptors[d].id;
    for (size_t v = 0; v < V; v++)
        vd[v] = m->descriptors[m->variant_descriptor[v]].id;
    char **vn = variant_texts(m);
    w->descriptor = coord_strings(w, w->file, "descriptor", D, ids, "descriptor id");
    w->variant = coord_strings(w, w->file, "variant", V, (const char *const *)vn,
                               "variant (descriptor id: variant name)");
    put_strings_1d(w, w->file, "variant_descriptor", V, vd, w->variant, "descriptor of the variant");
    free_texts(vn, V);
    free(ids);
    free(vd);
}

/* /model/consistency and /model/cross_impact [from_variant, to_variant]. */
static void write_matrices(writer *w, hid_t g, const scenmc_model *m)
{
    size_t V = (size_t)m->n_variants;
    char **vn = variant_texts(m);
    hid_t s[2];
    s[0] = coord_strings(w, g, "from_variant", V, (const char *const *)vn, "row variant of a matrix");
    s[1] = coord_strings(w, g, "to_variant", V, (const char *const *)vn, "column variant of a matrix");
    free_texts(vn, V);
    hsize_t dVV[2] = {V, V};
    finish_var(w, dataset(w, g, "consistency", H5T_NATIVE_DOUBLE, 2, dVV, m->consistency), 2, s,
               "consistency score between two variants", "1");
    double *x = m->cross_impact ? m->cross_impact : scenmc__xcalloc(V * V + 1, sizeof(double));
    finish_var(w, dataset(w, g, "cross_impact", H5T_NATIVE_DOUBLE, 2, dVV, x), 2, s,
               "cross impact of from_variant on to_variant", "1");
    if (!m->cross_impact)
        free(x);
    close_id(&s[0]);
    close_id(&s[1]);
}

/* The model's own scenarios (no "unclassified"): their own dimension, scenario_name. */
static void write_model_scenarios(writer *w, hid_t g, const scenmc_model *m)
{
    size_t S = (size_t)m->n_scenarios;
    const char **sn = scenmc__xcalloc(S + 1, sizeof(char *));
    for (size_t s = 0; s < S; s++)
        sn[s] = m->scenarios[s].name;
    hid_t sc = coord_strings(w, g, "scenario_name", S, sn, "scenario defined in the model");
    for (size_t s = 0; s < S; s++)
        sn[s] = m->scenarios[s].label;
    put_strings_1d(w, g, "scenario_label", S, sn, sc, "scenario label");
    close_id(&sc);
    free(sn);
}

/* The model file's absolute name (the working directory joined on), when it
 * exists here: the built-in model has none. */
static char *absolute_name(const char *path)
{
    if (!path || !*path || access(path, F_OK) != 0)
        return NULL;
    if (path[0] == '/')
        return scenmc__strdup(path);
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return NULL;
    size_t n = strlen(cwd) + strlen(path) + 2;
    char *abs = scenmc__xmalloc(n);
    snprintf(abs, n, "%s/%s", cwd, path);
    free(cwd);
    return abs;
}

static void write_model(writer *w, const scenmc_results *r)
{
    const scenmc_model *m = r->model;
    write_model_dims(w, m);
    hid_t g = group(w, "model");
    if (g < 0)
        return;
    size_t D = (size_t)m->n_descriptors, V = (size_t)m->n_variants;
    const char **ids = scenmc__xcalloc(D + 1, sizeof(char *)), **names = scenmc__xcalloc(D + 1, sizeof(char *));
    const char **labels = scenmc__xcalloc(D + 1, sizeof(char *));
    int32_t *nvar = scenmc__xcalloc(D + 1, sizeof(int32_t)), *vd = scenmc__xcalloc(V + 1, sizeof(int32_t));
    for (size_t d = 0; d < D; d++) {
        ids[d] = m->descriptors[d].id;
        names[d] = m->descriptors[d].name;
        labels[d] = m->descriptors[d].label;
        nvar[d] = m->descriptors[d].n_variants;
    }
    for (size_t v = 0; v < V; v++)
        vd[v] = m->variant_descriptor[v];
    put_strings_1d(w, g, "descriptor_id", D, ids, w->descriptor, "descriptor id");
    put_strings_1d(w, g, "descriptor_name", D, names, w->descriptor, "descriptor name");
    put_strings_1d(w, g, "descriptor_label", D, labels, w->descriptor, "descriptor label");
    put_1d(w, g, "descriptor_n_variants", H5T_NATIVE_INT32, D, nvar, w->descriptor,
           "number of variants of the descriptor", "1");
    put_strings_1d(w, g, "variant_name", V, (const char *const *)m->variant_name, w->variant,
                   "variant name");
    put_strings_1d(w, g, "variant_label", V, (const char *const *)m->variant_label, w->variant,
                   "variant label");
    put_1d(w, g, "variant_descriptor", H5T_NATIVE_INT32, V, vd, w->variant,
           "index of the variant's descriptor", "1");
    write_matrices(w, g, m);
    write_model_scenarios(w, g, m);
    put_string(w, g, "source", m->text);
    char hex[65];
    scenmc_model_sha256_hex(m, hex);
    attr_str(w, g, "name", m->name);
    attr_str(w, g, "path", m->path);
    char *abs = absolute_name(m->path);
    attr_str(w, g, "path_absolute", abs ? abs : "");
    free(abs);
    attr_str(w, g, "sha256", hex);
    int has_cross = m->cross_impact != NULL;
    attr(w, g, "has_cross_impact", H5T_NATIVE_INT, &has_cross);
    free(ids);
    free(names);
    free(labels);
    free(nvar);
    free(vd);
    H5Gclose(g);
}

/* Matrix cells that override the model's (sweeps, sensitivity, ensembles), along /params/override. */
/* ---------------------------------------------------------------- changes over time */

/* /schedule/knot_*: every trend's knots end to end (a contiguous ragged
 * array: knot_change says whose), written only when some trend has knots. */
static void write_knots(writer *w, hid_t g, const scenmc_schedule *s)
{
    size_t n = 0;
    for (int i = 0; i < s->n; i++)
        n += (size_t)s->ch[i].n_knots;
    if (!n)
        return;
    int32_t *who = scenmc__xcalloc(n, sizeof(int32_t)), *year = scenmc__xcalloc(n, sizeof(int32_t));
    double *value = scenmc__xcalloc(n, sizeof(double));
    size_t j = 0;
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < s->ch[i].n_knots; k++, j++) {
            who[j] = i;
            year[j] = s->ch[i].knot_year[k];
            value[j] = s->ch[i].knot_value[k];
        }
    hid_t kd = coord_index(w, g, "knot", n, "knot of a trend (the trends' knots end to end)");
    put_1d(w, g, "knot_change", H5T_NATIVE_INT32, n, who, kd, "the change (trend) the knot belongs to", "1");
    put_1d(w, g, "knot_year", H5T_NATIVE_INT32, n, year, kd, "year of the knot", "year");
    put_1d(w, g, "knot_value", H5T_NATIVE_DOUBLE, n, value, kd, "the trend's bias at that year", "1");
    close_id(&kd);
    free(who);
    free(year);
    free(value);
}

/* /schedule: the trends, interventions and shocks the results were computed
 * with, in order (docs/file-format.md); none without changes. */
static void write_schedule(writer *w, const scenmc_params *p)
{
    const scenmc_schedule *s = p->schedule;
    if (!s || !s->n)
        return;
    hid_t g = group(w, "schedule");
    if (g < 0)
        return;
    size_t n = (size_t)s->n;
    int32_t *col[4];
    for (int c = 0; c < 4; c++)
        col[c] = scenmc__xcalloc(n, sizeof(int32_t));
    double *hazard = scenmc__xcalloc(n, sizeof(double));
    const char **kind = scenmc__xcalloc(n, sizeof(char *)), **name = scenmc__xcalloc(n, sizeof(char *));
    const char **where = scenmc__xcalloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const scenmc_change *c = &s->ch[i];
        col[0][i] = c->descriptor;
        col[1][i] = c->variant;
        col[2][i] = c->first;
        col[3][i] = c->last;
        hazard[i] = c->kind == SCENMC_CHANGE_SHOCK ? c->value : 0;
        kind[i] = scenmc_change_kind_names[c->kind];
        name[i] = c->name ? c->name : "";
        where[i] = c->where ? c->where : "";
    }
    hid_t cd = coord_index(w, g, "change", n, "change over time (in the order they apply)");
    put_strings_1d(w, g, "kind", n, kind, cd, "trend, intervention or shock");
    put_1d(w, g, "descriptor", H5T_NATIVE_INT32, n, col[0], cd, "index of the descriptor (0-based, as /descriptor)", "1");
    put_1d(w, g, "variant", H5T_NATIVE_INT32, n, col[1], cd, "the variant (0-based, within the descriptor)", "1");
    put_1d(w, g, "first", H5T_NATIVE_INT32, n, col[2], cd, "first year it acts in", "year");
    put_1d(w, g, "last", H5T_NATIVE_INT32, n, col[3], cd, "last year it acts in", "year");
    put_1d(w, g, "hazard", H5T_NATIVE_DOUBLE, n, hazard, cd, "shock: events per year (0 for the others)", "1/year");
    put_strings_1d(w, g, "name", n, name, cd, "the model file's name for it (empty: from the command line)");
    put_strings_1d(w, g, "where", n, where, cd, "where it was given");
    write_knots(w, g, s);
    close_id(&cd);
    for (int c = 0; c < 4; c++)
        free(col[c]);
    free(hazard);
    free(kind);
    free(name);
    free(where);
    H5Gclose(g);
}

static void write_cells(writer *w, hid_t g, const scenmc_params *p)
{
    size_t n = (size_t)p->n_cells;
    int32_t *iu = scenmc__xcalloc(n, sizeof(int32_t)), *iv = scenmc__xcalloc(n, sizeof(int32_t));
    int32_t *ix = scenmc__xcalloc(n, sizeof(int32_t));
    double *val = scenmc__xcalloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        iu[i] = p->cells[i].u;
        iv[i] = p->cells[i].v;
        ix[i] = p->cells[i].cross;
        val[i] = p->cells[i].value;
    }
    hid_t o = coord_index(w, g, "override", n, "matrix cell override, applied in order");
    put_1d(w, g, "cell_u", H5T_NATIVE_INT32, n, iu, o, "row variant index of the cell", "1");
    put_1d(w, g, "cell_v", H5T_NATIVE_INT32, n, iv, o, "column variant index of the cell", "1");
    put_1d(w, g, "cell_cross", H5T_NATIVE_INT32, n, ix, o, "1: cross-impact cell, 0: consistency", "1");
    put_1d(w, g, "cell_value", H5T_NATIVE_DOUBLE, n, val, o, "the cell's value", "1");
    close_id(&o);
    free(iu);
    free(iv);
    free(ix);
    free(val);
}

static void write_params(writer *w, const scenmc_params *p)
{
    hid_t g = group(w, "params");
    if (g < 0)
        return;
    size_t D = (size_t)p->n_descriptors, V = (size_t)p->n_variants;
    put(w, g, "beta", H5T_NATIVE_DOUBLE, 0, NULL, &p->beta);
    put(w, g, "w_consistency", H5T_NATIVE_DOUBLE, 0, NULL, &p->w_consistency);
    put(w, g, "w_cross", H5T_NATIVE_DOUBLE, 0, NULL, &p->w_cross);
    put_1d(w, g, "rate", H5T_NATIVE_DOUBLE, D, p->rate, w->descriptor, "revision rate", "1/year");
    put_1d(w, g, "initial", H5T_NATIVE_DOUBLE, V, p->initial, w->variant,
           "initial probability of the variant", "1");
    static const char *const bounds[2] = {"start", "end"};
    hid_t b = coord_strings(w, g, "bound", 2, bounds, "first and last year");
    int32_t years[2] = {p->year_start, p->year_end};
    put_1d(w, g, "years", H5T_NATIVE_INT32, 2, years, b, "first and last year simulated", "year");
    close_id(&b);
    if (p->start) {
        int32_t *s = scenmc__xcalloc(D + 1, sizeof(int32_t));
        for (size_t d = 0; d < D; d++)
            s[d] = p->start[d];
        put_1d(w, g, "start", H5T_NATIVE_INT32, D, s, w->descriptor,
               "fixed start variant (index within the descriptor)", "1");
        free(s);
    }
    if (p->n_cells)
        write_cells(w, g, p);
    put(w, g, "seed", H5T_NATIVE_UINT64, 0, NULL, &p->seed);
    put(w, g, "n_trajectories", H5T_NATIVE_UINT64, 0, NULL, &p->n_trajectories);
    H5Gclose(g);
    write_schedule(w, p);
}

/* ---------------------------------------------------------------- the tables' axes */

/* The scenario names, "unclassified" last when it can occur (a results axis). */
static hid_t scenario_axis(writer *w, hid_t loc, const char *name, const scenmc_model *m, size_t S,
                           const char *long_name)
{
    const char **sn = scenmc__xcalloc(S + 1, sizeof(char *));
    for (size_t s = 0; s < S; s++)
        sn[s] = s < (size_t)m->n_scenarios ? m->scenarios[s].name : "unclassified";
    hid_t d = coord_strings(w, loc, name, S, sn, long_name);
    free(sn);
    return d;
}

/* state in loc, and (in the root) state_variants [state, descriptor]. */
static hid_t state_axis(writer *w, hid_t loc, const scenmc_results *r)
{
    const scenmc_model *m = r->model;
    size_t n = r->t[SCENMC_T_FINAL_STATE].dims[0];
    uint64_t *idx = scenmc__xcalloc(n ? n : 1, sizeof(uint64_t));
    for (size_t i = 0; i < n; i++)
        idx[i] = r->full_states ? i : r->top_state[i];
    hsize_t dS[1] = {n};
    hid_t st = scale(w, dataset(w, loc, "state", H5T_NATIVE_UINT64, 1, dS, idx), "state",
                     "state index (mixed radix, last descriptor fastest)", "1");
    /* The variants of each listed state, for readers who do not want to decode indices. */
    size_t D = (size_t)m->n_descriptors;
    if (loc == w->file && n * D <= ((size_t)1 << 26)) {
        uint8_t *sv = scenmc__xcalloc(n * D > 0 ? n * D : 1, 1);
        int *s = scenmc__xcalloc(D, sizeof(int));
        for (size_t i = 0; i < n; i++) {
            scenmc_state_from_index(m, idx[i], s);
            for (size_t d = 0; d < D; d++)
                sv[i * D + d] = (uint8_t)s[d];
        }
        hsize_t dSD[2] = {n, D};
        hid_t sc[2] = {st, w->descriptor};
        finish_var(w, dataset(w, w->file, "state_variants", H5T_NATIVE_UINT8, 2, dSD, sv), 2, sc,
                   "variant of each descriptor in the state (index within the descriptor)", "1");
        free(sv);
        free(s);
    }
    free(idx);
    return st;
}

/* The labelled axes in loc: one dimension scale (coordinate variable) per
 * axis. Each group of tables has its own copy besides the root's, so that
 * xarray opens a group with its labels (it does not look into the parent). */
static void write_axes(writer *w, hid_t loc, const scenmc_results *r, hid_t axis[SCENMC_N_AXES])
{
    const scenmc_model *m = r->model;
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios;
    int32_t *years = scenmc__xcalloc(Y, sizeof(int32_t));
    for (size_t y = 0; y < Y; y++)
        years[y] = r->params.year_start + (int32_t)y;
    hsize_t dY[1] = {Y}, dY1[1] = {Y - 1}, dB[1] = {(hsize_t)r->n_bins};
    axis[SCENMC_AX_YEAR] = scale(w, dataset(w, loc, "year", H5T_NATIVE_INT32, 1, dY, years),
                                 "year", "year", "year");
    axis[SCENMC_AX_YEAR_FROM] =
        scale(w, dataset(w, loc, "year_from", H5T_NATIVE_INT32, 1, dY1, years), "year_from",
              "year of departure of a one-year transition", "year");
    free(years);
    axis[SCENMC_AX_SCENARIO] = scenario_axis(w, loc, "scenario", m, S, "scenario");
    axis[SCENMC_AX_FROM_SCENARIO] = scenario_axis(w, loc, "from_scenario", m, S, "scenario at year_from");
    axis[SCENMC_AX_TO_SCENARIO] =
        scenario_axis(w, loc, "to_scenario", m, S, "scenario one year after year_from");
    axis[SCENMC_AX_FINAL_SCENARIO] =
        scenario_axis(w, loc, "final_scenario", m, S, "scenario at the final year");
    if (loc == w->file) {
        if (w->variant >= 0 && H5Iinc_ref(w->variant) >= 0)
            axis[SCENMC_AX_VARIANT] = w->variant;
    } else {
        char **vn = variant_texts(m);
        axis[SCENMC_AX_VARIANT] = coord_strings(w, loc, "variant", (size_t)m->n_variants,
                                                (const char *const *)vn,
                                                "variant (descriptor id: variant name)");
        free_texts(vn, (size_t)m->n_variants);
    }
    double *bins = scenmc__xcalloc((size_t)r->n_bins, sizeof(double));
    for (int b = 0; b < r->n_bins; b++)
        bins[b] = r->bin_lo + b * r->bin_width;
    axis[SCENMC_AX_CONSISTENCY] =
        scale(w, dataset(w, loc, "consistency_bin", H5T_NATIVE_DOUBLE, 1, dB, bins),
              "consistency_bin", "centre of a bin of total consistency", "1");
    free(bins);
    if (axis[SCENMC_AX_CONSISTENCY] >= 0)
        attr(w, axis[SCENMC_AX_CONSISTENCY], "bin_width", H5T_NATIVE_DOUBLE, &r->bin_width);
    axis[SCENMC_AX_STATE] = state_axis(w, loc, r);
}

static void close_axis_ids(hid_t axis[SCENMC_N_AXES])
{
    for (int a = 0; a < SCENMC_N_AXES; a++)
        close_id(&axis[a]);
}

/* What each table holds, for its long_name. */
static const char *const table_meaning[SCENMC_N_TABLES] = {
    "P(scenario at year)",
    "P(variant at year)",
    "P(variant | scenario, year)",
    "P(to_scenario at year_from + 1 | from_scenario at year_from)",
    "P(final_scenario at the end | variant at year)",
    "P(total consistency in bin at year)",
    "P(end in final_scenario, staying in it from year on)",
    "P(state at the final year)"};

/* Table k's long_name and units in group g (into buf). */
static const char *table_long_name(char *buf, size_t n, int g, int k, const char **units)
{
    static const char *const prefix[SCENMC_N_GROUPS] = {"trajectories counted for ", "",
                                                        "standard error of "};
    *units = g == SCENMC_G_COUNTS ? "count" : "1";
    snprintf(buf, n, "%s%s", prefix[g], table_meaning[k]);
    return buf;
}

/* d's dimensions: table t's axes after `shift` leading ones (lead: their scales). */
static void table_dims(writer *w, hid_t d, const scenmc_table *t, const hid_t axis[SCENMC_N_AXES],
                       int shift, const hid_t *lead, int g, int k, const char *long_name)
{
    hid_t s[4];
    for (int i = 0; i < shift; i++)
        s[i] = lead[i];
    for (int i = 0; i < t->rank; i++)
        s[shift + i] = axis[t->axes[i]];
    char ln[160];
    const char *units;
    table_long_name(ln, sizeof ln, g, k, &units);
    if (d < 0)
        return;
    for (int i = 0; i < t->rank; i++)
        H5DSset_label(d, (unsigned)(shift + i), scenmc_axis_names[t->axes[i]]);
    finish_var(w, d, shift + t->rank, s, long_name ? long_name : ln, units);
}

static void write_tables(writer *w, const scenmc_results *r)
{
    for (int gi = 0; gi < SCENMC_N_GROUPS; gi++) {
        if (!scenmc__group_present(r->method, gi))
            continue;
        hid_t g = group(w, scenmc__group_names[gi]);
        if (g < 0)
            return;
        hid_t local[SCENMC_N_AXES];
        write_axes(w, g, r, local);
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            const scenmc_table *t = &r->t[k];
            hsize_t dims[3];
            int rank = scenmc__table_dims(t, dims);
            hid_t d = dataset(w, g, scenmc__table_h5_names[k], scenmc__group_type(gi), rank, dims,
                              scenmc__group_data(t, gi));
            if (d < 0)
                break;
            table_dims(w, d, t, local, 0, NULL, gi, k, NULL);
        }
        close_axis_ids(local);
        H5Gclose(g);
    }
}

/* ---------------------------------------------------------------- root attributes */

#ifndef SCENMC_GIT_COMMIT
#define SCENMC_GIT_COMMIT "unknown"
#endif

/* Where and by what the file was made (docs/file-format.md, provenance). */
static void write_provenance(writer *w, const scenmc_write_options *opt)
{
    hid_t f = w->file;
    attr_str(w, f, "engine_commit", SCENMC_GIT_COMMIT);
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    attr_str(w, f, "host", host);
    char *cwd = getcwd(NULL, 0);
    attr_str(w, f, "working_directory", cwd ? cwd : "");
    free(cwd);
    attr_str(w, f, "rng", "Philox4x32-10 (Random123)");
    attr_str(w, f, "original_command_line",
             opt && opt->original_command_line ? opt->original_command_line : "");
    attr_str(w, f, "Conventions", "CF-1.8");
}

static void write_root_attrs(writer *w, const scenmc_results *r, const scenmc_write_options *opt)
{
    hid_t f = w->file;
    attr_str(w, f, "format", "scenmc-results");
    int version = SCENMC_RESULTS_FORMAT_VERSION;
    attr(w, f, "format_version", H5T_NATIVE_INT, &version);
    attr_str(w, f, "method", opt && opt->method ? opt->method
                             : r->method == SCENMC_EXACT ? "exact" : "monte-carlo");
    attr_str(w, f, "engine_version", SCENMC_VERSION);
    char created[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    attr_str(w, f, "created", created);
    attr_str(w, f, "command_line", opt && opt->command_line ? opt->command_line : "");
    write_provenance(w, opt);
    attr(w, f, "seed", H5T_NATIVE_UINT64, &r->params.seed);
    uint64_t n = r->method == SCENMC_EXACT ? 0 : r->n_trajectories;
    attr(w, f, "n_trajectories", H5T_NATIVE_UINT64, &n);
    attr(w, f, "trajectory_first", H5T_NATIVE_UINT64, &r->first);
    attr(w, f, "trajectory_last", H5T_NATIVE_UINT64, &r->last);
    attr(w, f, "threads", H5T_NATIVE_INT, &r->threads);
    attr(w, f, "wall_seconds", H5T_NATIVE_DOUBLE, &r->wall_seconds);
    int full = r->full_states;
    attr(w, f, "final_state_full", H5T_NATIVE_INT, &full);
    attr(w, f, "n_states", H5T_NATIVE_UINT64, &r->n_states);
    if (!r->full_states)
        attr(w, f, "n_top_distinct", H5T_NATIVE_UINT64, &r->n_top_distinct);
    if (!r->full_states && r->final_state_dropped)
        attr_str(w, f, "final_state_dropped", scenmc__final_state_dropped_text(r->final_state_dropped));
    if (r->method == SCENMC_EXACT) {
        attr(w, f, "truncation_bound", H5T_NATIVE_DOUBLE, &r->truncation_bound);
        attr(w, f, "memory_bytes", H5T_NATIVE_DOUBLE, &r->mem_peak_bytes);
    }
}

scenmc_status scenmc_output_check(const char *path, int force, scenmc_error *err)
{
    return scenmc__atomic_check(path, force, err);
}

/* An output file in the making: a temporary file beside the target. */
typedef struct outfile {
    writer w;
    scenmc__atomic tmp; /* written by finish_file */
    const char *path;
    hid_t axis[SCENMC_N_AXES];
} outfile;

static scenmc_status begin_file(outfile *o, const char *path, int force, scenmc_error *err)
{
    memset(o, 0, sizeof *o);
    for (int a = 0; a < SCENMC_N_AXES; a++)
        o->axis[a] = -1;
    o->path = path;
    scenmc_status st = scenmc_output_check(path, force, err);
    if (st == SCENMC_OK)
        st = scenmc__atomic_begin(&o->tmp, path, err);
    if (st != SCENMC_OK)
        return st;
    o->tmp.what = "writing the results failed";
    o->w.ok = 1;
    o->w.descriptor = o->w.variant = -1;
    /* HDF5 builds the file in memory (core driver, no backing store); finish_file
     * writes the image out with plain write() and fsync(), so that a full disk or
     * an I/O error is ours to report, and never leaves HDF5 with a half-closed file. */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, (size_t)1 << 20, 0);
    o->w.file = H5Fcreate(o->tmp.tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (o->w.file < 0) {
        scenmc__atomic_abandon(&o->tmp);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot create an HDF5 file", path);
    }
    return SCENMC_OK;
}

/* Every axis holds its own reference (the variant axis one more on the model's). */
static void close_axes(outfile *o)
{
    for (int a = 0; a < SCENMC_N_AXES; a++)
        close_id(&o->axis[a]);
    close_id(&o->w.descriptor);
    close_id(&o->w.variant);
}

/* The finished image, from memory (malloc'd, its size in *size), and the file closed. */
static unsigned char *take_image(outfile *o, int abandon, ssize_t *size)
{
    unsigned char *image = NULL;
    *size = -1;
    if (o->w.ok && !abandon && H5Fflush(o->w.file, H5F_SCOPE_GLOBAL) >= 0)
        *size = H5Fget_file_image(o->w.file, NULL, 0);
    if (*size > 0 && (image = malloc((size_t)*size)) != NULL &&
        H5Fget_file_image(o->w.file, image, (size_t)*size) != *size) {
        free(image);
        image = NULL;
    }
    if (H5Fclose(o->w.file) < 0 || !image)
        o->w.ok = 0;
    return image;
}

/* Closes the file and renames it into place, or removes it when anything failed
 * (abandon != 0: the caller gave up). */
static scenmc_status finish_file(outfile *o, int abandon, scenmc_error *err)
{
    close_axes(o);
    ssize_t size;
    unsigned char *image = take_image(o, abandon, &size);
    scenmc_status st = SCENMC_E_IO;
    if (abandon) {
        scenmc__atomic_abandon(&o->tmp);
    } else if (!o->w.ok) {
        scenmc__atomic_abandon(&o->tmp);
        st = scenmc_error_add(err, SCENMC_E_IO, "%s: writing the results failed (HDF5 error); "
                              "nothing was written", o->path);
    } else {
        st = scenmc__atomic_commit(&o->tmp, scenmc__atomic_write(&o->tmp, image, (size_t)size), err);
    }
    free(image);
    return st;
}

/* /ensemble: the members' scenario tables [member, year, scenario], every
 * table's quantiles across members [quantile, table axes...] and the settings. */
static void write_ensemble(writer *w, const scenmc_results *r, const scenmc_ensemble_info *e)
{
    hid_t g = group(w, "ensemble");
    if (g < 0)
        return;
    hid_t axis[SCENMC_N_AXES];
    write_axes(w, g, r, axis);
    hid_t member = coord_index(w, g, "member", (size_t)e->n_members, "ensemble member");
    hsize_t dq[1] = {(hsize_t)e->n_quantiles};
    hid_t q = scale(w, dataset(w, g, "quantile", H5T_NATIVE_DOUBLE, 1, dq, e->quantile_levels),
                    "quantile", "quantile level across members", "1");
    hsize_t dm[3] = {(hsize_t)e->n_members, (hsize_t)r->n_years, (hsize_t)r->n_scenarios};
    hid_t s3[3] = {member, axis[SCENMC_AX_YEAR], axis[SCENMC_AX_SCENARIO]};
    finish_var(w, dataset(w, g, "scenario_probability", H5T_NATIVE_DOUBLE, 3, dm, e->scenario_prob),
               3, s3, "each member's P(scenario at year)", "1");
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        const double *v = k == SCENMC_T_SCENARIO ? e->quantiles : e->table_quantiles[k];
        const scenmc_table *t = &r->t[k];
        if (!v || t->size == 0)
            continue;
        char name[64], ln[200];
        scenmc__ensemble_quantile_name(name, sizeof name, k);
        hsize_t dims[4] = {(hsize_t)e->n_quantiles};
        for (int i = 0; i < t->rank; i++)
            dims[i + 1] = t->dims[i];
        snprintf(ln, sizeof ln, "members' quantiles of %s", table_meaning[k]);
        hid_t d = dataset(w, g, name, H5T_NATIVE_DOUBLE, t->rank + 1, dims, v);
        table_dims(w, d, t, axis, 1, &q, SCENMC_G_PROBABILITY, k, ln);
    }
    attr(w, g, "n_members", H5T_NATIVE_INT, &e->n_members);
    attr(w, g, "judgement_sd", H5T_NATIVE_DOUBLE, &e->judgement_sd);
    attr(w, g, "seed", H5T_NATIVE_UINT64, &e->seed);
    attr_str(w, g, "seed_rule", "member j: its matrix's noise from Philox stream 2^63 + j of the "
             "seed; its trajectories [jN/M, (j+1)N/M) of the run");
    attr_str(w, g, "quantile_method", "linear interpolation between order statistics "
             "(gsl_stats_quantile_from_sorted_data); members with NaN (0/0) left out");
    close_id(&member);
    close_id(&q);
    close_axis_ids(axis);
    H5Gclose(g);
}

/* Whether r's list of distinct final states is the one its table shows the
 * top of (a caller may have set the table by hand) and adds up. */
static int list_fits(const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    if (!r->top_list_state || !r->top_list_count || r->n_top_distinct <= t->size)
        return 0;
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)r->n_top_distinct; i++)
        sum += r->top_list_count[i];
    for (size_t i = 0; i < t->size; i++)
        if (r->top_list_state[i] != r->top_state[i] || r->top_list_count[i] != t->counts[i])
            return 0;
    /* Conditioned results count each trajectory with its integer weight. */
    return sum == (r->conditioned ? r->weight_sum : r->n_trajectories);
}

/* Top mode: every distinct final state with its count, [n_top_distinct, 2]
 * (state index, count) in the table's order, when there are more than the table
 * shows, so that shards and checkpoints merge by state exactly. */
static void write_state_list(writer *w, const scenmc_results *r)
{
    size_t n = (size_t)r->n_top_distinct;
    if (r->full_states || r->method != SCENMC_MONTE_CARLO || !list_fits(r))
        return;
    uint64_t *pairs = scenmc__xcalloc(2 * n, sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) {
        pairs[2 * i] = r->top_list_state[i];
        pairs[2 * i + 1] = r->top_list_count[i];
    }
    hsize_t dims[2] = {n, 2};
    static const char *const cols[2] = {"state", "count"};
    hid_t s[2] = {bare_dim(w, w->file, "listed_state", n),
                  coord_strings(w, w->file, "list_column", 2, cols, "column of final_state_list")};
    finish_var(w, dataset(w, w->file, "final_state_list", H5T_NATIVE_UINT64, 2, dims, pairs), 2, s,
               "every distinct final state (index) with its count", "1");
    close_id(&s[0]);
    close_id(&s[1]);
    free(pairs);
}

/* ---------------------------------------------------------------- conditioning */

/* The root attributes of results conditioned on observations: the evidence,
 * and for Monte Carlo the effective sample size and the integer weight sums
 * (shards and checkpoints add them exactly). Unconditioned files have none. */
static void write_conditioning_attrs(writer *w, const scenmc_results *r)
{
    hid_t f = w->file;
    int one = 1;
    double evidence = exp(r->log_evidence);
    attr(w, f, "conditioned", H5T_NATIVE_INT, &one);
    attr(w, f, "log_evidence", H5T_NATIVE_DOUBLE, &r->log_evidence);
    attr(w, f, "evidence", H5T_NATIVE_DOUBLE, &evidence);
    if (r->method == SCENMC_EXACT)
        return;
    attr(w, f, "evidence_se", H5T_NATIVE_DOUBLE, &r->evidence_se);
    attr(w, f, "effective_sample_size", H5T_NATIVE_DOUBLE, &r->effective_size);
    attr(w, f, "weight_one", H5T_NATIVE_UINT64, &r->weight_one);
    attr(w, f, "weight_sum", H5T_NATIVE_UINT64, &r->weight_sum);
    attr(w, f, "weight_sq_sum_low", H5T_NATIVE_UINT64, &r->weight_sq_sum[0]);
    attr(w, f, "weight_sq_sum_high", H5T_NATIVE_UINT64, &r->weight_sq_sum[1]);
}

/* The observations' per-observation columns along the observation axis. */
static void write_obs_columns(writer *w, hid_t g, const scenmc_observations *o, hid_t ob)
{
    size_t n = (size_t)o->n;
    int32_t *year = scenmc__xcalloc(n + 1, sizeof(int32_t)), *di = scenmc__xcalloc(n + 1, sizeof(int32_t));
    int8_t *hard = scenmc__xcalloc(n + 1, 1);
    const char **where = scenmc__xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        year[i] = o->obs[i].year;
        di[i] = o->obs[i].descriptor;
        hard[i] = (int8_t)(o->obs[i].hard != 0);
        where[i] = o->obs[i].where;
    }
    put_1d(w, g, "observation_year", H5T_NATIVE_INT32, n, year, ob, "year of the observation", "year");
    put_1d(w, g, "observation_descriptor", H5T_NATIVE_INT32, n, di, ob,
           "index of the observed descriptor (0-based, as /descriptor)", "1");
    put_1d(w, g, "hard", H5T_NATIVE_INT8, n, hard, ob,
           "1: hard evidence (likelihood 1 for one variant, 0 for the others)", "1");
    put_strings_1d(w, g, "where", n, where, ob, "where the observation was given");
    free(year);
    free(di);
    free(hard);
    free(where);
}

/* The observed first-year state: its variant (0-based) per descriptor. */
static void write_obs_start(writer *w, hid_t g, const scenmc_model *m, const int *start)
{
    size_t D = (size_t)m->n_descriptors;
    const char **ids = scenmc__xcalloc(D + 1, sizeof(char *));
    int32_t *v = scenmc__xcalloc(D + 1, sizeof(int32_t));
    for (size_t d = 0; d < D; d++) {
        ids[d] = m->descriptors[d].id;
        v[d] = start[d];
    }
    hid_t dd = coord_strings(w, g, "descriptor", D, ids, "descriptor id");
    put_1d(w, g, "start", H5T_NATIVE_INT32, D, v, dd,
           "observed variant of the descriptor in the first year (0-based)", "1");
    close_id(&dd);
    free(ids);
    free(v);
}

/* /observations: what the results are conditioned on (docs/file-format.md). */
static void write_observations(writer *w, const scenmc_results *r)
{
    const scenmc_observations *o = r->given;
    const scenmc_model *m = r->model;
    hid_t g = group(w, "observations");
    if (g < 0)
        return;
    size_t n = (size_t)o->n, V = (size_t)m->n_variants;
    hid_t s[2] = {coord_index(w, g, "observation", n, "observation (in the order given)"), -1};
    char **vn = variant_texts(m);
    s[1] = coord_strings(w, g, "variant", V, (const char *const *)vn, "variant (descriptor id: variant name)");
    free_texts(vn, V);
    write_obs_columns(w, g, o, s[0]);
    /* The likelihood on the model's variant axis: NaN off the observed descriptor. */
    double *lik = scenmc__xcalloc(n * V + 1, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const scenmc_observation *ob = &o->obs[i];
        for (size_t v = 0; v < V; v++)
            lik[i * V + v] = NAN;
        for (int b = 0; b < ob->n_variants; b++)
            lik[i * V + (size_t)(m->descriptors[ob->descriptor].offset + b)] = ob->likelihood[b];
    }
    hsize_t dims[2] = {n, V};
    finish_var(w, dataset(w, g, "likelihood", H5T_NATIVE_DOUBLE, 2, dims, lik), 2, s,
               "P(what was seen | variant); NaN for the other descriptors' variants", "1");
    free(lik);
    if (o->start && o->n_start == m->n_descriptors)
        write_obs_start(w, g, m, o->start);
    attr_str(w, g, "source", o->source ? o->source : "");
    close_id(&s[0]);
    close_id(&s[1]);
    H5Gclose(g);
}

scenmc_status scenmc__output_write_extra(const char *path, const scenmc_results *r,
                                        const scenmc_write_options *opt,
                                        const scenmc__output_extra *extra, scenmc_error *err)
{
    outfile o;
    int force = opt && opt->force;
    scenmc_status st = begin_file(&o, path, force, err);
    if (st != SCENMC_OK)
        return st;
    write_root_attrs(&o.w, r, opt);
    write_model(&o.w, r);
    write_params(&o.w, &r->params);
    write_axes(&o.w, o.w.file, r, o.axis);
    write_tables(&o.w, r);
    write_state_list(&o.w, r);
    if (r->conditioned)
        write_conditioning_attrs(&o.w, r);
    if (r->conditioned && r->given)
        write_observations(&o.w, r);
    if (opt && opt->ensemble)
        write_ensemble(&o.w, r, opt->ensemble);
    if (extra && o.w.ok) {
        o.tmp.no_clobber = extra->no_clobber && !force;
        if (!extra->add(o.w.file, extra->ctx)) {
            finish_file(&o, 1, err);
            return scenmc_error_add(err, SCENMC_E_IO, "%s: %s; nothing was written", path,
                                    extra->failed);
        }
    }
    return finish_file(&o, 0, err);
}

scenmc_status scenmc__output_write_meta(const char *path, const scenmc_results *shape,
                                       const scenmc_params *params, const scenmc_write_options *opt,
                                       const scenmc__output_extra *extra, scenmc_error *err)
{
    outfile o;
    scenmc_status st = begin_file(&o, path, opt && opt->force, err);
    if (st != SCENMC_OK)
        return st;
    write_root_attrs(&o.w, shape, opt);
    write_model(&o.w, shape);
    write_params(&o.w, params);
    if (o.w.ok && !extra->add(o.w.file, extra->ctx)) {
        finish_file(&o, 1, err);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: %s; nothing was written", path, extra->failed);
    }
    return finish_file(&o, 0, err);
}

scenmc_status scenmc_output_write(const char *path, const scenmc_results *r,
                                  const scenmc_write_options *opt, scenmc_error *err)
{
    return scenmc__output_write_extra(path, r, opt, NULL, err);
}

/* ---------------------------------------------------------------- sweeps */

struct scenmc_sweep_writer {
    outfile o;
    int P;
    scenmc_results shape;   /* dims of every point's tables */
    hid_t ds[SCENMC_N_GROUPS][SCENMC_N_TABLES];
    /* The whole sweep's provenance: the first point's wall time plus the time
     * since the file was opened, and the most threads any point used. */
    double wall_before;
    struct timespec opened;
    int threads;
};

/* /point, the sweep's own axis (0 .. n_points - 1); the caller closes it. */
static hid_t write_points(writer *w, hid_t loc, int n_points)
{
    return coord_index(w, loc, "point", (size_t)n_points, "sweep point (row of /sweep/value)");
}

/* /sweep: the swept parameters' names (the param axis) and their values at every point. */
static void write_sweep_group(writer *w, hid_t point, int n_points, int n_params,
                              const char *const *names, const double *values)
{
    hid_t g = group(w, "sweep");
    if (g < 0)
        return;
    hid_t s[2] = {point, coord_strings(w, g, "param", (size_t)n_params, names, "swept parameter")};
    hsize_t dPK[2] = {(hsize_t)n_points, (hsize_t)n_params};
    finish_var(w, dataset(w, g, "value", H5T_NATIVE_DOUBLE, 2, dPK, values), 2, s,
               "the swept parameter's value at the point", NULL);
    close_id(&s[1]);
    H5Gclose(g);
}

/* One table of group g for every point: [n_points, table dims...], chunked by
 * point (and halved until a chunk holds at most 65536 cells), filled later. */
static hid_t create_point_table(writer *w, hid_t g, int gi, int k, const scenmc_table *t, int n_points)
{
    hsize_t dims[4] = {(hsize_t)n_points, 0, 0, 0}, chunk[4] = {1, 1, 1, 1};
    size_t csize = 1;
    for (int i = 0; i < t->rank; i++) {
        dims[i + 1] = t->dims[i] ? t->dims[i] : 1;
        chunk[i + 1] = dims[i + 1];
        csize *= dims[i + 1];
    }
    for (int i = 0; csize > 65536 && i < t->rank; i++)
        while (csize > 65536 && chunk[i + 1] > 1) {
            csize /= chunk[i + 1];
            chunk[i + 1] = (chunk[i + 1] + 1) / 2;
            csize *= chunk[i + 1];
        }
    if (t->dims[0] == 0)
        dims[1] = 0;
    hid_t space = H5Screate_simple(t->rank + 1, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (t->size > 0) {
        H5Pset_chunk(dcpl, t->rank + 1, chunk);
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, 4);
        }
    }
    hid_t d = H5Dcreate2(g, scenmc__table_h5_names[k], scenmc__group_type(gi), space, H5P_DEFAULT,
                         dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (d < 0)
        w->ok = 0;
    return d;
}

static void create_point_tables(scenmc_sweep_writer *sw, const scenmc_results *first)
{
    writer *w = &sw->o.w;
    for (int gi = 0; gi < SCENMC_N_GROUPS && w->ok; gi++) {
        if (!scenmc__group_present(first->method, gi))
            continue;
        hid_t gg = group(w, scenmc__group_names[gi]);
        if (gg < 0)
            break;
        hid_t local[SCENMC_N_AXES];
        write_axes(w, gg, first, local);
        hid_t point = write_points(w, gg, sw->P);
        for (int k = 0; k < SCENMC_N_TABLES && w->ok; k++) {
            const scenmc_table *t = &first->t[k];
            hid_t d = create_point_table(w, gg, gi, k, t, sw->P);
            if (d < 0)
                break;
            H5DSset_label(d, 0, "point");
            /* table_dims closes its handle; the writer keeps its own. */
            H5Iinc_ref(d);
            table_dims(w, d, t, local, 1, &point, gi, k, NULL);
            sw->ds[gi][k] = d;
        }
        close_axis_ids(local);
        close_id(&point);
        H5Gclose(gg);
    }
}

scenmc_status scenmc_sweep_writer_open(const char *path, const scenmc_results *first, int n_points,
                                       int n_params, const char *const *names, const double *values,
                                       const scenmc_params *base, const scenmc_write_options *opt,
                                       scenmc_sweep_writer **out, scenmc_error *err)
{
    *out = NULL;
    scenmc_sweep_writer *sw = scenmc__xcalloc(1, sizeof *sw);
    scenmc_status st = begin_file(&sw->o, path, opt && opt->force, err);
    if (st != SCENMC_OK) {
        free(sw);
        return st;
    }
    sw->P = n_points;
    sw->shape = *first; /* only dims and counts are read from it */
    sw->wall_before = first->wall_seconds;
    sw->threads = first->threads;
    clock_gettime(CLOCK_MONOTONIC, &sw->opened);
    writer *w = &sw->o.w;
    write_root_attrs(w, first, opt);
    attr(w, w->file, "n_points", H5T_NATIVE_INT, &n_points);
    attr_str(w, w->file, "design", opt && opt->design ? opt->design : "grid");
    write_model(w, first);
    write_params(w, base);
    write_axes(w, w->file, first, sw->o.axis);
    hid_t point = write_points(w, w->file, n_points);
    write_sweep_group(w, point, n_points, n_params, names, values);
    close_id(&point);
    create_point_tables(sw, first);
    if (!w->ok) {
        scenmc_sweep_writer_close(sw, 1, err);
        return scenmc_error_add(err, SCENMC_E_IO, "%s: cannot lay out the sweep file", path);
    }
    *out = sw;
    return SCENMC_OK;
}

scenmc_status scenmc_sweep_writer_point(scenmc_sweep_writer *sw, int i, const scenmc_results *r,
                                        scenmc_error *err)
{
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (r->t[k].size != sw->shape.t[k].size || r->t[k].rank != sw->shape.t[k].rank)
            return scenmc_error_add(err, SCENMC_E_INPUT, "sweep point %d: table %s has another shape "
                                    "than point 0", i, scenmc_table_names[k]);
    if (r->threads > sw->threads)
        sw->threads = r->threads;
    for (int gi = 0; gi < SCENMC_N_GROUPS; gi++)
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            const scenmc_table *t = &r->t[k];
            hid_t d = sw->ds[gi][k];
            if (t->size == 0 || d <= 0)
                continue;
            hid_t fs, ms;
            scenmc__h5_point_spaces(d, i, t, &fs, &ms);
            if (H5Dwrite(d, scenmc__group_type(gi), ms, fs, H5P_DEFAULT, scenmc__group_data(t, gi)) < 0)
                sw->o.w.ok = 0;
            H5Sclose(ms);
            H5Sclose(fs);
        }
    if (!sw->o.w.ok)
        return scenmc_error_add(err, SCENMC_E_IO, "%s: writing sweep point %d failed", sw->o.path, i);
    return SCENMC_OK;
}

scenmc_status scenmc_sweep_writer_close(scenmc_sweep_writer *sw, int abandon, scenmc_error *err)
{
    for (int gi = 0; gi < SCENMC_N_GROUPS; gi++)
        for (int k = 0; k < SCENMC_N_TABLES; k++)
            if (sw->ds[gi][k] > 0)
                H5Dclose(sw->ds[gi][k]);
    if (!abandon) {
        /* The whole sweep's wall time and threads, not the first point's. */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double wall = sw->wall_before + (double)(now.tv_sec - sw->opened.tv_sec) +
                      1e-9 * (double)(now.tv_nsec - sw->opened.tv_nsec);
        attr(&sw->o.w, sw->o.w.file, "wall_seconds", H5T_NATIVE_DOUBLE, &wall);
        attr(&sw->o.w, sw->o.w.file, "threads", H5T_NATIVE_INT, &sw->threads);
    }
    scenmc_status st = finish_file(&sw->o, abandon, err);
    free(sw);
    return st;
}

/* ---------------------------------------------------------------- cell sensitivity */

/* "A=a,B=b" for every cell (malloc'd; free with free_texts). */
static char **cell_texts(const scenmc_model *m, size_t n, const int *u, const int *v)
{
    char **labels = scenmc__xcalloc(n ? n : 1, sizeof(char *));
    for (size_t c = 0; c < n; c++) {
        const scenmc_descriptor *A = &m->descriptors[m->variant_descriptor[u[c]]];
        const scenmc_descriptor *B = &m->descriptors[m->variant_descriptor[v[c]]];
        size_t len = strlen(A->id) + strlen(B->id) + strlen(m->variant_name[u[c]]) +
                     strlen(m->variant_name[v[c]]) + 8;
        labels[c] = scenmc__xmalloc(len);
        snprintf(labels[c], len, "%s=%s,%s=%s", A->id, m->variant_name[u[c]], B->id,
                 m->variant_name[v[c]]);
    }
    return labels;
}

/* /sensitivity: the cells (their axis, cell) and the four tables [cell, final_scenario]. */
static void write_sensitivity_group(writer *w, const scenmc_model *m, int n_cells, int n_scenarios,
                                    const int *u, const int *v, const double *values,
                                    const double *tables, double delta)
{
    hid_t g = group(w, "sensitivity");
    if (g < 0)
        return;
    size_t n = (size_t)n_cells, S = (size_t)n_scenarios;
    char **labels = cell_texts(m, n, u, v);
    hid_t cl = coord_strings(w, g, "cell", n, (const char *const *)labels, "consistency cell");
    free_texts(labels, n);
    hid_t sc = scenario_axis(w, g, "final_scenario", m, S, "scenario at the final year");
    int32_t *cu = scenmc__xcalloc(n + 1, sizeof(int32_t)), *cv = scenmc__xcalloc(n + 1, sizeof(int32_t));
    for (size_t c = 0; c < n; c++) {
        cu[c] = u[c];
        cv[c] = v[c];
    }
    put_1d(w, g, "variant_u", H5T_NATIVE_INT32, n, cu, cl, "first variant index of the cell", "1");
    put_1d(w, g, "variant_v", H5T_NATIVE_INT32, n, cv, cl, "second variant index of the cell", "1");
    free(cu);
    free(cv);
    static const char *const vnames[3] = {"base_value", "minus_value", "plus_value"};
    static const char *const vlong[3] = {"the cell's score in the model", "score minus delta (clipped)",
                                         "score plus delta (clipped)"};
    for (int k = 0; k < 3; k++)
        put_1d(w, g, vnames[k], H5T_NATIVE_DOUBLE, n, values + (size_t)k * n, cl, vlong[k], "1");
    static const char *const tnames[4] = {"p_minus", "p_plus", "effect", "stderr"};
    static const char *const tlong[4] = {
        "P(final_scenario) at minus_value", "P(final_scenario) at plus_value",
        "p_plus - p_minus", "paired standard error of effect"};
    hsize_t dns[2] = {n, S};
    hid_t s2[2] = {cl, sc};
    for (int k = 0; k < 4; k++)
        finish_var(w, dataset(w, g, tnames[k], H5T_NATIVE_DOUBLE, 2, dns, tables + (size_t)k * n * S),
                   2, s2, tlong[k], "1");
    attr(w, g, "delta", H5T_NATIVE_DOUBLE, &delta);
    close_id(&cl);
    close_id(&sc);
    H5Gclose(g);
}

scenmc_status scenmc_output_write_sensitivity(const char *path, const scenmc_model *m,
                                              const scenmc_params *base, const scenmc_results *shape,
                                              int n_cells, int n_scenarios, const int *u, const int *v,
                                              const double *values /* [3][n_cells]: base, minus, plus */,
                                              const double *tables /* [4][n_cells][S]: p_minus, p_plus, effect, stderr */,
                                              double delta, const scenmc_write_options *opt,
                                              scenmc_error *err)
{
    outfile o;
    scenmc_status st = begin_file(&o, path, opt && opt->force, err);
    if (st != SCENMC_OK)
        return st;
    writer *w = &o.w;
    write_root_attrs(w, shape, opt);
    write_model(w, shape);
    write_params(w, base);
    write_sensitivity_group(w, m, n_cells, n_scenarios, u, v, values, tables, delta);
    return finish_file(&o, 0, err);
}
