/* scenmc export of a levers file (cli/export_levers.h). */
#include "cli/export_levers.h"
#include "cli/export_kinds.h"
#include "cli/cli.h"
#include "io/results_read.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

const char *const export_lev_names[EXPORT_LEV_N] = {"levers", "levers_pairs", "metadata"};

int export_levers_is_file(const char *path)
{
    return scenmc__levers_is_file(path);
}

/* The descriptor and variant a lever's label ("ID=variant", "push ID=variant")
 * names in m; 0 when it names none. */
static int parse_label(const scenmc_model *m, const char *label, int *d, int *v)
{
    if (!strncmp(label, "push ", 5))
        label += 5;
    for (int i = 0; i < m->n_descriptors; i++) {
        const scenmc_descriptor *D = &m->descriptors[i];
        size_t n = strlen(D->id);
        if (strncmp(label, D->id, n) || label[n] != '=')
            continue;
        for (int b = 0; b < D->n_variants; b++)
            if (!strcmp(label + n + 1, m->variant_name[D->offset + b])) {
                *d = i, *v = b;
                return 1;
            }
    }
    return 0;
}

/* The model, parameters and provenance (the header every scenmc file has). */
static scenmc_status read_meta(const char *path, export_levers *x, scenmc_error *err)
{
    scenmc__meta mt;
    scenmc_status st = scenmc__meta_open(path, &mt, &x->info, err);
    if (st != SCENMC_OK)
        return st;
    x->m = mt.model;
    mt.model = NULL;
    scenmc_params_copy(&x->base, &mt.params);
    scenmc__meta_close(&mt);
    return SCENMC_OK;
}

int export_levers_read(const char *path, export_levers *x)
{
    memset(x, 0, sizeof *x);
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status st = read_meta(path, x, &err);
    int have_meta = st == SCENMC_OK;
    if (st == SCENMC_OK)
        st = scenmc__levers_read(path, &x->f, &err);
    if (st == SCENMC_OK) {
        size_t n = (size_t)x->f.r.n_levers;
        x->desc = scenmc__xcalloc(n + 1, sizeof(int));
        x->var = scenmc__xcalloc(n + 1, sizeof(int));
        for (size_t i = 0; i < n && st == SCENMC_OK; i++)
            if (!parse_label(x->m, x->f.label[i], &x->desc[i], &x->var[i]))
                st = scenmc_error_add(&err, SCENMC_E_INPUT, "%s: lever '%s' names no variant of the "
                                      "file's model: a damaged levers file", path, x->f.label[i]);
        if (st != SCENMC_OK)
            scenmc__levers_file_free(&x->f);
    }
    if (st == SCENMC_OK)
        return 0;
    cli_print_error("export", &err);
    if (have_meta) {
        free(x->desc);
        free(x->var);
        scenmc_params_free(&x->base);
        scenmc_model_free(x->m);
    }
    scenmc_results_info_free(&x->info);
    memset(x, 0, sizeof *x);
    return cli_exit_code(st);
}

void export_levers_free(export_levers *x)
{
    scenmc__levers_file_free(&x->f);
    free(x->desc);
    free(x->var);
    scenmc_params_free(&x->base);
    scenmc_results_info_free(&x->info);
    scenmc_model_free(x->m);
    memset(x, 0, sizeof *x);
}

int export_lev_has(const export_levers *x, int k)
{
    return k != EXPORT_LEV_PAIRS || x->f.r.n_pairs > 0;
}

/* descriptor, variant of lever i. */
static void key_lever(csv *c, const export_levers *x, int i)
{
    export_key_var(c, x->m, (size_t)(x->m->descriptors[x->desc[i]].offset + x->var[i]));
}

/* rank, descriptor, variant, kind, effect, se, p_with, p_baseline, ratio,
 * defining, trivial: one row per lever, largest effect first. */
static void lev_levers(csv *c, const export_levers *x)
{
    const scenmc_levers_result *r = &x->f.r;
    csv_text(c, "rank"); export_head_var(c); csv_text(c, "kind"); csv_text(c, "effect"); csv_text(c, "se");
    csv_text(c, "p_with"); csv_text(c, "p_baseline"); csv_text(c, "ratio"); csv_text(c, "defining");
    csv_text(c, "trivial"); csv_end(c);
    for (int k = 0; k < r->n_levers; k++) {
        int i = r->order[k];
        const scenmc_lever *l = &r->lever[i];
        csv_int(c, k + 1); key_lever(c, x, i); csv_text(c, l->kind == SCENMC_LEVER_PUSH ? "push" : "hold");
        csv_double(c, l->effect); csv_double(c, l->se); csv_double(c, l->p_with); csv_double(c, r->p_baseline);
        csv_double(c, l->ratio); csv_int(c, l->defining); csv_int(c, l->trivial); csv_end(c);
    }
}

/* pair, descriptor, variant, other_descriptor, other_variant, effect, se,
 * p_with, p_baseline, best: one row per pair evaluated, in the file's order. */
static void lev_pairs(csv *c, const export_levers *x)
{
    const scenmc_levers_result *r = &x->f.r;
    csv_text(c, "pair"); export_head_var(c); export_head_key(c, "other_descriptor");
    export_head_key(c, "other_variant"); csv_text(c, "effect"); csv_text(c, "se"); csv_text(c, "p_with");
    csv_text(c, "p_baseline"); csv_text(c, "best"); csv_end(c);
    for (int k = 0; k < r->n_pairs; k++) {
        csv_int(c, k); key_lever(c, x, r->pair_a[k]); key_lever(c, x, r->pair_b[k]);
        csv_double(c, r->pair_effect[k]); csv_double(c, r->pair_se[k]); csv_double(c, r->pair_p[k]);
        csv_double(c, r->p_baseline); csv_int(c, k == r->best_pair); csv_end(c);
    }
}

static void lev_meta(csv *c, const export_levers *x)
{
    const scenmc_levers_result *r = &x->f.r;
    export_params_meta(c, &x->info, x->m, &x->base);
    export_kv(c, "levers_method", r->method == SCENMC_EXACT ? "exact" : "monte-carlo");
    export_kv(c, "target", x->f.target);
    export_kv_int(c, "target_year", r->year);
    export_kv_int(c, "start_year", r->start);
    export_kv_double(c, "p_baseline", r->p_baseline);
    export_kv_double(c, "p_baseline_se", r->p_baseline_se);
    if (r->method != SCENMC_EXACT)
        export_kv_u64(c, "n_trajectories", r->n_trajectories);
    export_kv_int(c, "n_levers", r->n_levers);
    export_kv_int(c, "n_pairs", r->n_pairs);
    export_kv_int(c, "pair_exhaustive", r->pair_exhaustive);
    export_kv(c, "baseline_schedule", x->f.baseline_schedule);
    export_kv_double(c, "wall_seconds", r->wall_seconds);
}

void export_lev_table(csv *c, const export_levers *x, int k)
{
    switch (k) {
    case EXPORT_LEV_LEVERS: lev_levers(c, x); break;
    case EXPORT_LEV_PAIRS: lev_pairs(c, x); break;
    default: lev_meta(c, x); break;
    }
}
