/* The levers file (docs/interventions.md, "The levers file"): /levers holds
 * the coordinate variables lever and pair (HDF5 dimension scales, so netCDF
 * readers see named dimensions), the levers' descriptor, variant and kind
 * (coordinates along lever), p_with, effect, se, ratio, rank, defining and
 * trivial, and the pairs' first, second, p_with, effect and se; its
 * attributes record the target, the years, the baseline and the baseline's
 * changes over time. */
#include "io/levers_write.h"
#include "io/axes.h"
#include "io/h5.h"
#include "io/kind_write.h"
#include "scenmc/schedule.h"
#include "scenmc/observe.h"
#include "base/util.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DIM_LEVER, DIM_PAIR };
static const char *const dim_names[2] = {"lever", "pair"};

typedef struct lw {
    const scenmc_model *m;
    const scenmc_params *p;
    const scenmc_levers_spec *spec;
    const scenmc_levers_result *r;
    hid_t g;
    scenmc__axes ax;
} lw;

/* A 1-d variable along dim, its scale attached. */
static void lw_put(lw *w, int dim, const char *name, hid_t type, const void *data, const char *long_name)
{
    scenmc__axes_var(&w->ax, name, type, 1, &dim, data, long_name, NULL);
}

/* A figure per lever or pair; along lever with the netCDF "coordinates" of the lever's description. */
static void lw_double(lw *w, int dim, const char *name, const double *x, const char *long_name)
{
    scenmc__axes_var_coords(&w->ax, name, H5T_NATIVE_DOUBLE, 1, &dim, x, long_name, NULL,
                            dim == DIM_LEVER ? "descriptor variant kind" : NULL);
}

/* "ID=variant" or "push ID=variant", malloc'd. */
static char *lever_label(const scenmc_model *m, const scenmc_lever *l)
{
    const scenmc_descriptor *d = &m->descriptors[l->descriptor];
    size_t n = strlen(d->id) + strlen(m->variant_name[d->offset + l->variant]) + 8;
    char *s = scenmc__xmalloc(n);
    snprintf(s, n, "%s%s=%s", l->kind == SCENMC_LEVER_PUSH ? "push " : "", d->id,
             m->variant_name[d->offset + l->variant]);
    return s;
}

static void lw_levers(lw *w)
{
    const scenmc_levers_result *r = w->r;
    size_t n = (size_t)r->n_levers;
    char **label = scenmc__xcalloc(n + 1, sizeof(char *));
    const char **txt = scenmc__xcalloc(n + 1, sizeof(char *));
    double *x = scenmc__xcalloc(4 * n + 1, sizeof(double));
    int32_t *iv = scenmc__xcalloc(3 * n + 1, sizeof(int32_t));
    for (size_t i = 0; i < n; i++)
        label[i] = lever_label(w->m, &r->lever[i]);
    scenmc__axes_coord_strings(&w->ax, DIM_LEVER, (const char *const *)label,
                               "intervention (descriptor=variant; push: a bias on it)");
    for (size_t i = 0; i < n; i++)
        txt[i] = w->m->descriptors[r->lever[i].descriptor].id;
    scenmc__axes_strings(&w->ax, "descriptor", DIM_LEVER, txt, "descriptor held or pushed");
    for (size_t i = 0; i < n; i++)
        txt[i] = w->m->variant_name[w->m->descriptors[r->lever[i].descriptor].offset + r->lever[i].variant];
    scenmc__axes_strings(&w->ax, "variant", DIM_LEVER, txt, "variant it is held at or pushed towards");
    for (size_t i = 0; i < n; i++)
        txt[i] = r->lever[i].kind == SCENMC_LEVER_PUSH ? "push" : "hold";
    scenmc__axes_strings(&w->ax, "kind", DIM_LEVER, txt, "hold (intervention) or push (bias)");
    for (size_t i = 0; i < n; i++) {
        const scenmc_lever *l = &r->lever[i];
        x[i] = l->p_with, x[n + i] = l->effect, x[2 * n + i] = l->se, x[3 * n + i] = l->ratio;
        iv[i] = l->defining, iv[n + i] = l->trivial;
        iv[2 * n + (size_t)r->order[i]] = (int32_t)i + 1;
    }
    lw_double(w, DIM_LEVER, "p_with", x, "P(target) with the intervention");
    lw_double(w, DIM_LEVER, "effect", x + n, "P(target) with it minus the baseline P(target)");
    lw_double(w, DIM_LEVER, "se", x + 2 * n, "standard error of effect (paired; 0 exact)");
    lw_double(w, DIM_LEVER, "ratio", x + 3 * n, "P(target) with it over the baseline P(target)");
    lw_put(w, DIM_LEVER, "defining", H5T_NATIVE_INT32, iv, "1: the descriptor defines a target scenario");
    lw_put(w, DIM_LEVER, "trivial", H5T_NATIVE_INT32, iv + n,
           "0 or 1: P(target) is that by the scenarios' definitions; -1: not");
    lw_put(w, DIM_LEVER, "rank", H5T_NATIVE_INT32, iv + 2 * n, "rank by effect, 1 = largest");
    for (size_t i = 0; i < n; i++)
        free(label[i]);
    free(label);
    free(txt);
    free(x);
    free(iv);
}

static void lw_pairs(lw *w)
{
    const scenmc_levers_result *r = w->r;
    size_t n = (size_t)r->n_pairs;
    char **label = scenmc__xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        char *a = lever_label(w->m, &r->lever[r->pair_a[i]]), *b = lever_label(w->m, &r->lever[r->pair_b[i]]);
        size_t len = strlen(a) + strlen(b) + 4;
        label[i] = scenmc__xmalloc(len);
        snprintf(label[i], len, "%s + %s", a, b);
        free(a);
        free(b);
    }
    scenmc__axes_coord_strings(&w->ax, DIM_PAIR, (const char *const *)label, "two holds on different descriptors");
    lw_put(w, DIM_PAIR, "pair_first", H5T_NATIVE_INT32, r->pair_a, "index of the first hold along lever");
    lw_put(w, DIM_PAIR, "pair_second", H5T_NATIVE_INT32, r->pair_b, "index of the second hold along lever");
    lw_double(w, DIM_PAIR, "pair_p_with", r->pair_p, "P(target) with both");
    lw_double(w, DIM_PAIR, "pair_effect", r->pair_effect, "P(target) with both minus the baseline");
    lw_double(w, DIM_PAIR, "pair_se", r->pair_se, "standard error of pair_effect (paired; 0 exact)");
    for (size_t i = 0; i < n; i++)
        free(label[i]);
    free(label);
}

/* The target's names ("A,B") and the baseline's changes over time (their
 * where, one a line), malloc'd. */
static char *target_text(const scenmc_model *m, const scenmc_levers_spec *spec)
{
    size_t len = 1;
    for (int i = 0; i < spec->n_target; i++)
        len += strlen(spec->target[i] < m->n_scenarios ? m->scenarios[spec->target[i]].name : "unclassified") + 1;
    char *s = scenmc__xcalloc(len, 1);
    for (int i = 0; i < spec->n_target; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, spec->target[i] < m->n_scenarios ? m->scenarios[spec->target[i]].name : "unclassified");
    }
    return s;
}

static char *schedule_text(const scenmc_params *p)
{
    size_t len = 1;
    for (int i = 0; p->schedule && i < p->schedule->n; i++)
        len += strlen(p->schedule->ch[i].where ? p->schedule->ch[i].where : "(unnamed)") + 1;
    char *s = scenmc__xcalloc(len, 1);
    for (int i = 0; p->schedule && i < p->schedule->n; i++) {
        strcat(s, p->schedule->ch[i].where ? p->schedule->ch[i].where : "(unnamed)");
        strcat(s, "\n");
    }
    return s;
}

/* The observations the levers are conditioned on, one a line as they were
 * given (empty: none). */
static char *given_text(const scenmc_levers_spec *spec)
{
    const scenmc_observations *o = spec->given;
    size_t len = 1;
    for (int i = 0; o && i < o->n; i++)
        len += strlen(o->obs[i].where ? o->obs[i].where : "(unnamed)") + 1;
    char *s = scenmc__xcalloc(len, 1);
    for (int i = 0; o && i < o->n; i++) {
        strcat(s, o->obs[i].where ? o->obs[i].where : "(unnamed)");
        strcat(s, "\n");
    }
    return s;
}

static int lw_attrs(lw *w)
{
    const scenmc_levers_result *r = w->r;
    char *target = target_text(w->m, w->spec), *sched = schedule_text(w->p), *given = given_text(w->spec);
    int32_t iv[6] = {r->year, r->start, r->pair_exhaustive, r->pair_top, r->best_pair, w->spec->pushes};
    static const char *const inames[6] = {"target_year", "start_year", "pair_exhaustive", "pair_top",
                                          "best_pair", "pushes"};
    int ok = scenmc__h5_put_attr_str(w->g, "target", target, 0) &&
             scenmc__h5_put_attr_str(w->g, "method", r->method == SCENMC_EXACT ? "exact" : "monte-carlo", 1) &&
             scenmc__h5_put_attr_str(w->g, "baseline_schedule", sched, 0) &&
             scenmc__h5_put_attr_str(w->g, "given", given, 0) &&
             scenmc__h5_put_attr(w->g, "p_baseline", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &r->p_baseline) &&
             scenmc__h5_put_attr(w->g, "p_baseline_se", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &r->p_baseline_se) &&
             scenmc__h5_put_attr(w->g, "push_strength", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                 &w->spec->push_strength) &&
             scenmc__h5_put_attr(w->g, "n_trajectories", H5T_STD_U64LE, H5T_NATIVE_UINT64, &r->n_trajectories) &&
             scenmc__h5_put_attr(w->g, "wall_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &r->wall_seconds);
    for (int i = 0; i < 6 && ok; i++)
        ok = scenmc__h5_put_attr(w->g, inames[i], H5T_STD_I32LE, H5T_NATIVE_INT32, &iv[i]);
    free(target);
    free(sched);
    free(given);
    return ok;
}

static int lw_add(hid_t file, const void *ctx)
{
    lw w = *(const lw *)ctx;
    if ((w.g = scenmc__kind_group(file, "levers", &w.ax, 2, dim_names, 1)) < 0)
        return 0;
    w.ax.len[DIM_LEVER] = (hsize_t)w.r->n_levers, w.ax.len[DIM_PAIR] = (hsize_t)w.r->n_pairs;
    if (!lw_attrs(&w))
        w.ax.ok = 0;
    lw_levers(&w);
    lw_pairs(&w);
    return scenmc__kind_group_close(&w.ax);
}

scenmc_status scenmc_levers_write(const char *path, const scenmc_model *m, const scenmc_params *base,
                                  const scenmc_levers_spec *spec, const scenmc_levers_result *r,
                                  const scenmc_write_options *opt, scenmc_error *err)
{
    scenmc__kind_head head = {.method = r->method, .n_trajectories = r->n_trajectories,
                              .wall_seconds = r->wall_seconds};
    lw ctx = {.m = m, .p = base, .spec = spec, .r = r};
    scenmc__output_extra extra = {.add = lw_add, .ctx = &ctx, .failed = "the levers tables could not be written"};
    return scenmc__kind_write(path, m, base, &head, opt, &extra, err);
}
