#include "cli/report_json.h"
#include "cli/report_given.h"
#include "cli/final_mass.h"
#include "cli/json_out.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static const char *scen_name(const scenmc_results *r, int s)
{
    return s < r->model->n_scenarios ? r->model->scenarios[s].name : "unclassified";
}

static void provenance(FILE *f, const char *file, const scenmc_results *r,
                       const scenmc_results_info *info)
{
    const scenmc_params *p = &r->params;
    json_key(f, 1, 2, "file");
    json_string(f, file);
    json_key(f, 0, 2, "model");
    json_string(f, r->model->name);
    json_key(f, 0, 2, "model_path");
    json_string(f, info->model_path);
    json_key(f, 0, 2, "model_sha256");
    json_string(f, info->sha256);
    json_key(f, 0, 2, "method");
    json_string(f, info->method);
    json_key(f, 0, 2, "engine_version");
    json_string(f, info->engine_version);
    json_key(f, 0, 2, "created");
    json_string(f, info->created);
    json_key(f, 0, 2, "command_line");
    json_string(f, info->command_line);
    json_key(f, 0, 2, "seed");
    fprintf(f, "%llu", (unsigned long long)p->seed);
    json_key(f, 0, 2, "n_trajectories");
    fprintf(f, "%llu", (unsigned long long)r->n_trajectories);
    json_key(f, 0, 2, "beta");
    json_number(f, p->beta);
    json_key(f, 0, 2, "w_consistency");
    json_number(f, p->w_consistency);
    json_key(f, 0, 2, "w_cross");
    json_number(f, p->w_cross);
    json_key(f, 0, 2, "year_start");
    fprintf(f, "%d", p->year_start);
    json_key(f, 0, 2, "year_end");
    fprintf(f, "%d", p->year_end);
}

/* "name": [[row of year 0], [row of year 1], ...] of a [Y][S] array. */
static void year_matrix(FILE *f, const char *name, const double *a, int Y, int S)
{
    json_key(f, 0, 2, name);
    fputs("[", f);
    for (int y = 0; y < Y; y++) {
        fputs(y ? ",\n    [" : "\n    [", f);
        for (int s = 0; s < S; s++) {
            fputs(s ? ", " : "", f);
            json_number(f, a[(size_t)y * (size_t)S + (size_t)s]);
        }
        fputs("]", f);
    }
    fputs("]", f);
}

static void scenarios(FILE *f, const scenmc_results *r)
{
    int Y = r->n_years, S = r->n_scenarios;
    json_key(f, 0, 2, "years");
    fputs("[", f);
    for (int y = 0; y < Y; y++)
        fprintf(f, "%s%d", y ? ", " : "", r->params.year_start + y);
    fputs("]", f);
    json_key(f, 0, 2, "scenarios");
    fputs("[", f);
    for (int s = 0; s < S; s++) {
        fputs(s ? ", " : "", f);
        json_string(f, scen_name(r, s));
    }
    fputs("]", f);
    const scenmc_table *t = &r->t[SCENMC_T_SCENARIO];
    year_matrix(f, "scenario_probability", t->prob, Y, S);
    if (t->stderr_)
        year_matrix(f, "scenario_stderr", t->stderr_, Y, S);
}

/* One state: its index, variants by descriptor id, scenario, K, p, se. */
static void state(FILE *f, const scenmc_results *r, uint64_t idx, double p, double se, int *s,
                  int first)
{
    const scenmc_model *m = r->model;
    scenmc_state_from_index(m, idx, s);
    fprintf(f, "%s\n    {\"state\": %llu, \"variants\": ", first ? "" : ",",
            (unsigned long long)idx);
    json_variants(f, m, s);
    fputs(", \"scenario\": ", f);
    json_string(f, scen_name(r, scenmc_model_scenario_of(m, s)));
    fputs(", \"K\": ", f);
    json_number(f, scenmc_model_total_consistency(m, s));
    fputs(", \"probability\": ", f);
    json_number(f, p);
    if (r->method == SCENMC_MONTE_CARLO) {
        fputs(", \"stderr\": ", f);
        json_number(f, se);
    }
    fputs("}", f);
}

typedef struct ranked {
    double p;
    size_t i;
} ranked;

static int by_p(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void final_states(FILE *f, const scenmc_results *r, int top, int *s)
{
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    json_key(f, 0, 2, "final_states");
    fputs("[", f);
    ranked *all = scenmc__xcalloc(t->size + 1, sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < t->size; i++)
        if (t->prob[i] > 0)
            all[n++] = (ranked){t->prob[i], i};
    qsort(all, n, sizeof *all, by_p);
    for (size_t k = 0; k < n && k < (size_t)top; k++) {
        size_t i = all[k].i;
        state(f, r, r->full_states ? (uint64_t)i : r->top_state[i], t->prob[i],
              t->stderr_ ? t->stderr_[i] : 0, s, k == 0);
    }
    fputs("]", f);
    free(all);
}

static void consistent(FILE *f, const scenmc_results *r, int top, int *s)
{
    consistent_mass cm;
    json_key(f, 0, 2, "cib_consistent");
    if (consistent_mass_of(r, &cm) != 0 || !cm.fm.available) {
        fputs("null", f);
        if (cm.index)
            consistent_mass_free(&cm);
        return;
    }
    fprintf(f, "{\"matrix\": \"%s\", \"n_found\": %llu, \"complete\": %s, \"probability\": ",
            cm.uses_cross ? "cross" : "consistency", (unsigned long long)cm.n_found,
            cm.fm.complete ? "true" : "false");
    json_number(f, cm.fm.total);
    fputs(", \"stderr\": ", f);
    json_number(f, cm.fm.total_se);
    fputs(",\n   \"states\": [", f);
    for (size_t k = 0; k < cm.n && k < (size_t)top; k++)
        state(f, r, cm.index[k], cm.p[k], cm.se[k], s, k == 0);
    fputs("]}", f);
    consistent_mass_free(&cm);
}

/* "ensemble": the members' quantiles of P(scenario in year), [Q][Y][S], or null. */
static void ensemble(FILE *f, const scenmc_results *r, const scenmc_ensemble_data *e)
{
    json_key(f, 0, 2, "ensemble");
    if (!e) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"n_members\": %d, \"judgement_sd\": ", e->n_members);
    json_number(f, e->judgement_sd);
    fputs(", \"quantile_levels\": [", f);
    for (int l = 0; l < e->n_quantiles; l++) {
        fputs(l ? ", " : "", f);
        json_number(f, e->quantile_levels[l]);
    }
    fputs("],\n   \"scenario_quantiles\": [", f);
    size_t size = r->t[SCENMC_T_SCENARIO].size, S = (size_t)r->n_scenarios;
    for (int l = 0; l < e->n_quantiles; l++) {
        fputs(l ? ",\n    [" : "\n    [", f);
        for (size_t i = 0; i < size; i++) {
            fputs(i == 0 ? "[" : i % S == 0 ? "], [" : ", ", f);
            json_number(f, e->quantiles[SCENMC_T_SCENARIO][(size_t)l * size + i]);
        }
        fputs("]]", f);
    }
    fputs("]}", f);
}

void report_json(FILE *f, const char *file, const scenmc_results *r,
                 const scenmc_results_info *info, const scenmc_ensemble_data *e, int top)
{
    int *s = scenmc__xcalloc((size_t)r->model->n_descriptors + 1, sizeof(int));
    fputs("{", f);
    provenance(f, file, r, info);
    report_given_json(f, r);
    scenarios(f, r);
    final_states(f, r, top, s);
    consistent(f, r, top, s);
    ensemble(f, r, e);
    fputs("\n}\n", f);
    free(s);
}
