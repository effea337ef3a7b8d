/* Results -> one self-describing HDF5 file (docs/file-format.md).
 *
 * Written atomically: everything goes to a temporary file in the target's
 * directory, which is renamed over the target only when complete, so a
 * failure (disk full, signal) never leaves a half-written results file. */
#include "io/results_write.h"
#include "base/atomic_file.h"
#include "io/h5.h"
#include "base/util.h"
#include "model/results.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    hid_t file;
    int ok;
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
        hsize_t chunk[3];
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

static void put_strings(writer *w, hid_t loc, const char *name, size_t n, const char *const *s)
{
    hid_t d = strings(w, loc, name, n, s);
    if (d >= 0)
        H5Dclose(d);
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

static void write_model(writer *w, const scenmc_results *r)
{
    const scenmc_model *m = r->model;
    hid_t g = group(w, "model");
    if (g < 0)
        return;
    size_t D = (size_t)m->n_descriptors, V = (size_t)m->n_variants, S = (size_t)m->n_scenarios;
    const char **ids = scenmc__xcalloc(D, sizeof(char *)), **names = scenmc__xcalloc(D, sizeof(char *));
    const char **labels = scenmc__xcalloc(D, sizeof(char *));
    int32_t *nvar = scenmc__xcalloc(D, sizeof(int32_t));
    for (size_t d = 0; d < D; d++) {
        ids[d] = m->descriptors[d].id;
        names[d] = m->descriptors[d].name;
        labels[d] = m->descriptors[d].label;
        nvar[d] = m->descriptors[d].n_variants;
    }
    hsize_t dD[1] = {D}, dV[1] = {V}, dVV[2] = {V, V};
    put_strings(w, g, "descriptor_id", D, ids);
    put_strings(w, g, "descriptor_name", D, names);
    put_strings(w, g, "descriptor_label", D, labels);
    put(w, g, "descriptor_n_variants", H5T_NATIVE_INT32, 1, dD, nvar);
    put_strings(w, g, "variant_name", V, (const char *const *)m->variant_name);
    put_strings(w, g, "variant_label", V, (const char *const *)m->variant_label);
    int32_t *vd = scenmc__xcalloc(V, sizeof(int32_t));
    for (size_t v = 0; v < V; v++)
        vd[v] = m->variant_descriptor[v];
    put(w, g, "variant_descriptor", H5T_NATIVE_INT32, 1, dV, vd);
    put(w, g, "consistency", H5T_NATIVE_DOUBLE, 2, dVV, m->consistency);
    double *x = m->cross_impact ? m->cross_impact : scenmc__xcalloc(V * V, sizeof(double));
    put(w, g, "cross_impact", H5T_NATIVE_DOUBLE, 2, dVV, x);
    if (!m->cross_impact)
        free(x);
    const char **sn = scenmc__xcalloc(S ? S : 1, sizeof(char *));
    for (size_t s = 0; s < S; s++)
        sn[s] = m->scenarios[s].name;
    put_strings(w, g, "scenario_name", S, sn);
    for (size_t s = 0; s < S; s++)
        sn[s] = m->scenarios[s].label;
    put_strings(w, g, "scenario_label", S, sn);
    put_string(w, g, "source", m->text);
    char hex[65];
    scenmc_model_sha256_hex(m, hex);
    attr_str(w, g, "name", m->name);
    attr_str(w, g, "path", m->path);
    attr_str(w, g, "sha256", hex);
    int has_cross = m->cross_impact != NULL;
    attr(w, g, "has_cross_impact", H5T_NATIVE_INT, &has_cross);
    free(ids);
    free(names);
    free(labels);
    free(nvar);
    free(vd);
    free(sn);
    H5Gclose(g);
}

static void write_params(writer *w, const scenmc_params *p)
{
    hid_t g = group(w, "params");
    if (g < 0)
        return;
    hsize_t dD[1] = {(hsize_t)p->n_descriptors}, dV[1] = {(hsize_t)p->n_variants};
    put(w, g, "beta", H5T_NATIVE_DOUBLE, 0, NULL, &p->beta);
    put(w, g, "w_consistency", H5T_NATIVE_DOUBLE, 0, NULL, &p->w_consistency);
    put(w, g, "w_cross", H5T_NATIVE_DOUBLE, 0, NULL, &p->w_cross);
    put(w, g, "rate", H5T_NATIVE_DOUBLE, 1, dD, p->rate);
    put(w, g, "initial", H5T_NATIVE_DOUBLE, 1, dV, p->initial);
    int32_t years[2] = {p->year_start, p->year_end};
    hsize_t d2[1] = {2};
    put(w, g, "years", H5T_NATIVE_INT32, 1, d2, years);
    if (p->start) {
        int32_t *s = scenmc__xcalloc((size_t)p->n_descriptors, sizeof(int32_t));
        for (int d = 0; d < p->n_descriptors; d++)
            s[d] = p->start[d];
        put(w, g, "start", H5T_NATIVE_INT32, 1, dD, s);
        free(s);
    }
    if (p->n_cells) {
        /* Matrix cells that override the model's (sweeps, sensitivity). */
        hsize_t dc[1] = {(hsize_t)p->n_cells};
        int32_t *iu = scenmc__xcalloc((size_t)p->n_cells, sizeof(int32_t));
        int32_t *iv = scenmc__xcalloc((size_t)p->n_cells, sizeof(int32_t));
        int32_t *ix = scenmc__xcalloc((size_t)p->n_cells, sizeof(int32_t));
        double *val = scenmc__xcalloc((size_t)p->n_cells, sizeof(double));
        for (int i = 0; i < p->n_cells; i++) {
            iu[i] = p->cells[i].u;
            iv[i] = p->cells[i].v;
            ix[i] = p->cells[i].cross;
            val[i] = p->cells[i].value;
        }
        put(w, g, "cell_u", H5T_NATIVE_INT32, 1, dc, iu);
        put(w, g, "cell_v", H5T_NATIVE_INT32, 1, dc, iv);
        put(w, g, "cell_cross", H5T_NATIVE_INT32, 1, dc, ix);
        put(w, g, "cell_value", H5T_NATIVE_DOUBLE, 1, dc, val);
        free(iu);
        free(iv);
        free(ix);
        free(val);
    }
    put(w, g, "seed", H5T_NATIVE_UINT64, 0, NULL, &p->seed);
    put(w, g, "n_trajectories", H5T_NATIVE_UINT64, 0, NULL, &p->n_trajectories);
    H5Gclose(g);
}

/* The labelled axes: one dimension scale per kind of dimension. */
static void write_axes(writer *w, const scenmc_results *r, hid_t axis[SCENMC_N_AXES])
{
    const scenmc_model *m = r->model;
    for (int a = 0; a < SCENMC_N_AXES; a++)
        axis[a] = -1;
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)m->n_variants;
    int32_t *years = scenmc__xcalloc(Y, sizeof(int32_t));
    for (size_t y = 0; y < Y; y++)
        years[y] = r->params.year_start + (int32_t)y;
    hsize_t dY[1] = {Y}, dY1[1] = {Y - 1}, dB[1] = {(hsize_t)r->n_bins};
    axis[SCENMC_AX_YEAR] = dataset(w, w->file, "year", H5T_NATIVE_INT32, 1, dY, years);
    axis[SCENMC_AX_YEAR_FROM] = dataset(w, w->file, "year_from", H5T_NATIVE_INT32, 1, dY1, years);
    free(years);

    const char **sn = scenmc__xcalloc(S ? S : 1, sizeof(char *));
    for (size_t s = 0; s < S; s++)
        sn[s] = s < (size_t)m->n_scenarios ? m->scenarios[s].name : "unclassified";
    axis[SCENMC_AX_SCENARIO] = strings(w, w->file, "scenario", S, sn);
    free(sn);

    char **vn = scenmc__xcalloc(V ? V : 1, sizeof(char *));
    for (size_t v = 0; v < V; v++) {
        const char *id = m->descriptors[m->variant_descriptor[v]].id;
        size_t n = strlen(id) + strlen(m->variant_name[v]) + 3;
        vn[v] = scenmc__xmalloc(n);
        snprintf(vn[v], n, "%s: %s", id, m->variant_name[v]);
    }
    axis[SCENMC_AX_VARIANT] = strings(w, w->file, "variant", V, (const char *const *)vn);
    for (size_t v = 0; v < V; v++)
        free(vn[v]);
    free(vn);

    double *bins = scenmc__xcalloc((size_t)r->n_bins, sizeof(double));
    for (int b = 0; b < r->n_bins; b++)
        bins[b] = r->bin_lo + b * r->bin_width;
    axis[SCENMC_AX_CONSISTENCY] = dataset(w, w->file, "consistency_bin", H5T_NATIVE_DOUBLE, 1, dB, bins);
    free(bins);
    if (axis[SCENMC_AX_CONSISTENCY] >= 0)
        attr(w, axis[SCENMC_AX_CONSISTENCY], "bin_width", H5T_NATIVE_DOUBLE, &r->bin_width);

    size_t n = r->t[SCENMC_T_FINAL_STATE].dims[0];
    uint64_t *idx = scenmc__xcalloc(n ? n : 1, sizeof(uint64_t));
    for (size_t i = 0; i < n; i++)
        idx[i] = r->full_states ? i : r->top_state[i];
    hsize_t dS[1] = {n};
    axis[SCENMC_AX_STATE] = dataset(w, w->file, "state", H5T_NATIVE_UINT64, 1, dS, idx);
    /* The variants of each listed state, for readers who do not want to decode indices. */
    size_t D = (size_t)m->n_descriptors;
    if (n * D <= ((size_t)1 << 26)) {
        uint8_t *sv = scenmc__xcalloc(n * D > 0 ? n * D : 1, 1);
        int *s = scenmc__xcalloc(D, sizeof(int));
        for (size_t i = 0; i < n; i++) {
            scenmc_state_from_index(m, idx[i], s);
            for (size_t d = 0; d < D; d++)
                sv[i * D + d] = (uint8_t)s[d];
        }
        hsize_t dSD[2] = {n, D};
        put(w, w->file, "state_variants", H5T_NATIVE_UINT8, 2, dSD, sv);
        free(sv);
        free(s);
    }
    free(idx);

    /* Aliases so that from/to/final scenario dimensions share the scenario scale. */
    axis[SCENMC_AX_FROM_SCENARIO] = axis[SCENMC_AX_TO_SCENARIO] = axis[SCENMC_AX_FINAL_SCENARIO] =
        axis[SCENMC_AX_SCENARIO];
    for (int a = 0; a < SCENMC_N_AXES; a++) {
        if (axis[a] < 0 || !w->ok)
            continue;
        if (a == SCENMC_AX_FROM_SCENARIO || a == SCENMC_AX_TO_SCENARIO || a == SCENMC_AX_FINAL_SCENARIO)
            continue;
        if (H5DSset_scale(axis[a], scenmc_axis_names[a]) < 0)
            w->ok = 0;
    }
}

/* Labels dimension i + shift of d with its axis, attaching the axis's scale when there is one. */
/* A 2-D dataset's two dimension scales (each when present) and labels; closes it. */
static void scales_2d(hid_t d, hid_t s0, const char *l0, hid_t s1, const char *l1)
{
    if (d < 0)
        return;
    if (s0 >= 0)
        H5DSattach_scale(d, s0, 0);
    if (s1 >= 0)
        H5DSattach_scale(d, s1, 1);
    H5DSset_label(d, 0, l0);
    H5DSset_label(d, 1, l1);
    H5Dclose(d);
}

static void label_dims(writer *w, hid_t d, const scenmc_table *t, const hid_t axis[SCENMC_N_AXES],
                       unsigned shift, int strict)
{
    for (int i = 0; i < t->rank; i++) {
        unsigned dim = (unsigned)i + shift;
        if (axis[t->axes[i]] >= 0 && H5DSattach_scale(d, axis[t->axes[i]], dim) < 0 && strict)
            w->ok = 0;
        if (H5DSset_label(d, dim, scenmc_axis_names[t->axes[i]]) < 0 && strict)
            w->ok = 0;
    }
}

static void write_tables(writer *w, const scenmc_results *r, hid_t axis[SCENMC_N_AXES])
{
    for (int gi = 0; gi < SCENMC_N_GROUPS; gi++) {
        if (!scenmc__group_present(r->method, gi))
            continue;
        hid_t g = group(w, scenmc__group_names[gi]);
        if (g < 0)
            return;
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            const scenmc_table *t = &r->t[k];
            hsize_t dims[3];
            int rank = scenmc__table_dims(t, dims);
            hid_t d = dataset(w, g, scenmc_table_names[k], scenmc__group_type(gi), rank, dims,
                              scenmc__group_data(t, gi));
            if (d < 0)
                break;
            label_dims(w, d, t, axis, 0, 1);
            H5Dclose(d);
        }
        H5Gclose(g);
    }
}

static void write_root_attrs(writer *w, const scenmc_results *r, const scenmc_write_options *opt)
{
    hid_t f = w->file;
    attr_str(w, f, "format", "scenmc-results");
    int version = 1;
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

static void close_axes(outfile *o)
{
    for (int a = 0; a < SCENMC_N_AXES; a++) {
        if (o->axis[a] < 0)
            continue;
        int dup = 0;
        for (int b = 0; b < a; b++)
            dup |= o->axis[b] == o->axis[a];
        if (!dup)
            H5Dclose(o->axis[a]);
    }
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

static void write_ensemble(writer *w, const scenmc_results *r, const scenmc_ensemble_info *e)
{
    hid_t g = group(w, "ensemble");
    if (g < 0)
        return;
    hsize_t dm[3] = {(hsize_t)e->n_members, (hsize_t)r->n_years, (hsize_t)r->n_scenarios};
    put(w, g, "scenario_probability", H5T_NATIVE_DOUBLE, 3, dm, e->scenario_prob);
    hsize_t dq[3] = {(hsize_t)e->n_quantiles, (hsize_t)r->n_years, (hsize_t)r->n_scenarios};
    put(w, g, "scenario_quantile", H5T_NATIVE_DOUBLE, 3, dq, e->quantiles);
    hsize_t dl[1] = {(hsize_t)e->n_quantiles};
    put(w, g, "quantile_level", H5T_NATIVE_DOUBLE, 1, dl, e->quantile_levels);
    attr(w, g, "n_members", H5T_NATIVE_INT, &e->n_members);
    attr(w, g, "judgement_sd", H5T_NATIVE_DOUBLE, &e->judgement_sd);
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
    return sum == r->n_trajectories;
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
    put(w, w->file, "final_state_list", H5T_NATIVE_UINT64, 2, dims, pairs);
    free(pairs);
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
    write_axes(&o.w, r, o.axis);
    write_tables(&o.w, r, o.axis);
    write_state_list(&o.w, r);
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
};

/* /point, the sweep's own axis (0 .. n_points - 1); the caller closes it. */
static hid_t write_points(writer *w, int n_points)
{
    int32_t *pt = scenmc__xcalloc((size_t)n_points, sizeof(int32_t));
    for (int i = 0; i < n_points; i++)
        pt[i] = i;
    hsize_t dP[1] = {(hsize_t)n_points};
    hid_t point = dataset(w, w->file, "point", H5T_NATIVE_INT32, 1, dP, pt);
    free(pt);
    if (point >= 0 && H5DSset_scale(point, "point") < 0)
        w->ok = 0;
    return point;
}

/* /sweep: the swept parameters' names and their values at every point. */
static void write_sweep_group(writer *w, hid_t point, int n_points, int n_params,
                              const char *const *names, const double *values)
{
    hid_t g = group(w, "sweep");
    if (g < 0)
        return;
    hid_t pn = strings(w, g, "param_name", (size_t)n_params, names);
    if (pn >= 0 && H5DSset_scale(pn, "param") < 0)
        w->ok = 0;
    hsize_t dPK[2] = {(hsize_t)n_points, (hsize_t)n_params};
    hid_t v = dataset(w, g, "value", H5T_NATIVE_DOUBLE, 2, dPK, values);
    scales_2d(v, point, "point", pn, "param");
    if (pn >= 0)
        H5Dclose(pn);
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
    hid_t d = H5Dcreate2(g, scenmc_table_names[k], scenmc__group_type(gi), space, H5P_DEFAULT, dcpl,
                         H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (d < 0)
        w->ok = 0;
    return d;
}

static void create_point_tables(scenmc_sweep_writer *sw, const scenmc_results *first, hid_t point)
{
    writer *w = &sw->o.w;
    for (int gi = 0; gi < SCENMC_N_GROUPS && w->ok; gi++) {
        hid_t gg = group(w, scenmc__group_names[gi]);
        for (int k = 0; k < SCENMC_N_TABLES && w->ok; k++) {
            const scenmc_table *t = &first->t[k];
            hid_t d = create_point_table(w, gg, gi, k, t, sw->P);
            if (d < 0)
                break;
            if (point >= 0)
                H5DSattach_scale(d, point, 0);
            H5DSset_label(d, 0, "point");
            label_dims(w, d, t, sw->o.axis, 1, 0);
            sw->ds[gi][k] = d;
        }
        if (gg >= 0)
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
    writer *w = &sw->o.w;
    write_root_attrs(w, first, opt);
    attr(w, w->file, "n_points", H5T_NATIVE_INT, &n_points);
    attr_str(w, w->file, "design", opt && opt->design ? opt->design : "grid");
    write_model(w, first);
    write_params(w, base);
    write_axes(w, first, sw->o.axis);
    hid_t point = write_points(w, n_points);
    write_sweep_group(w, point, n_points, n_params, names, values);
    create_point_tables(sw, first, point);
    if (point >= 0)
        H5Dclose(point);
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
    for (int gi = 0; gi < SCENMC_N_GROUPS; gi++)
        for (int k = 0; k < SCENMC_N_TABLES; k++) {
            const scenmc_table *t = &r->t[k];
            if (t->size == 0)
                continue;
            hid_t d = sw->ds[gi][k];
            hid_t fs = H5Dget_space(d);
            hsize_t start[4] = {(hsize_t)i, 0, 0, 0}, count[4] = {1, 1, 1, 1};
            for (int j = 0; j < t->rank; j++)
                count[j + 1] = t->dims[j];
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
            hid_t ms = H5Screate_simple(t->rank + 1, count, NULL);
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
    scenmc_status st = finish_file(&sw->o, abandon, err);
    free(sw);
    return st;
}

/* ---------------------------------------------------------------- cell sensitivity */

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
    hid_t g = group(w, "sensitivity");
    if (g >= 0) {
        size_t n = (size_t)n_cells, S = (size_t)n_scenarios;
        char **labels = scenmc__xcalloc(n ? n : 1, sizeof(char *));
        int32_t *cu = scenmc__xcalloc(n ? n : 1, sizeof(int32_t)), *cv = scenmc__xcalloc(n ? n : 1, sizeof(int32_t));
        for (size_t c = 0; c < n; c++) {
            const scenmc_descriptor *A = &m->descriptors[m->variant_descriptor[u[c]]];
            const scenmc_descriptor *B = &m->descriptors[m->variant_descriptor[v[c]]];
            size_t len = strlen(A->id) + strlen(B->id) + strlen(m->variant_name[u[c]]) +
                         strlen(m->variant_name[v[c]]) + 8;
            labels[c] = scenmc__xmalloc(len);
            snprintf(labels[c], len, "%s=%s,%s=%s", A->id, m->variant_name[u[c]], B->id,
                     m->variant_name[v[c]]);
            cu[c] = u[c];
            cv[c] = v[c];
        }
        hid_t cl = strings(w, g, "cell", n, (const char *const *)labels);
        if (cl >= 0 && H5DSset_scale(cl, "cell") < 0)
            w->ok = 0;
        const char *sn[SCENMC_MAX_SCENARIOS + 1];
        for (size_t s = 0; s < S; s++)
            sn[s] = s < (size_t)m->n_scenarios ? m->scenarios[s].name : "unclassified";
        hid_t sc = strings(w, g, "scenario", S, sn);
        if (sc >= 0 && H5DSset_scale(sc, "scenario") < 0)
            w->ok = 0;
        hsize_t dn[1] = {n}, dns[2] = {n, S};
        put(w, g, "variant_u", H5T_NATIVE_INT32, 1, dn, cu);
        put(w, g, "variant_v", H5T_NATIVE_INT32, 1, dn, cv);
        const char *vnames[3] = {"base_value", "minus_value", "plus_value"};
        for (int k = 0; k < 3; k++) {
            hid_t d = dataset(w, g, vnames[k], H5T_NATIVE_DOUBLE, 1, dn, values + (size_t)k * n);
            if (d >= 0) {
                if (cl >= 0)
                    H5DSattach_scale(d, cl, 0);
                H5Dclose(d);
            }
        }
        const char *tnames[4] = {"p_minus", "p_plus", "effect", "stderr"};
        for (int k = 0; k < 4; k++) {
            hid_t d = dataset(w, g, tnames[k], H5T_NATIVE_DOUBLE, 2, dns, tables + (size_t)k * n * S);
            scales_2d(d, cl, "cell", sc, "final_scenario");
        }
        attr(w, g, "delta", H5T_NATIVE_DOUBLE, &delta);
        if (cl >= 0)
            H5Dclose(cl);
        if (sc >= 0)
            H5Dclose(sc);
        for (size_t c = 0; c < n; c++)
            free(labels[c]);
        free(labels);
        free(cu);
        free(cv);
        H5Gclose(g);
    }
    return finish_file(&o, 0, err);
}
