#include "cli.h"
#include "cli/json_out.h"
#include "scenmc/schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char head[] =
    "usage: scenmc info [MODEL] [--json]\n\n"
    "Describes a model: descriptors and variants, state-space size, matrix\n"
    "statistics, scenarios and the file's changes over time (trends,\n"
    "interventions, shocks). Without MODEL, the built-in Västernorrland model.\n\n";
enum { K_JSON = CLI_KEY_FIRST };
static const cli_option options[] = {
    {"json", K_JSON, 0,
    "  --json   the same as JSON, with descriptor_ids, variant_names (global\n"
    "           order), the dense symmetric V x V 'consistency' matrix and, when\n"
    "           the model has one, 'cross_impact' (rows: source, columns: target)\n"},
    CLI_END,
};
static const cli_command command = {"info", head, NULL, options};

static void json_matrix(FILE *f, const double *a, int n)
{
    fputs("[", f);
    for (int u = 0; u < n; u++) {
        fputs(u ? ",\n    [" : "\n    [", f);
        for (int v = 0; v < n; v++)
            fprintf(f, "%s%.17g", v ? ", " : "", a[(size_t)u * (size_t)n + (size_t)v]);
        fputs("]", f);
    }
    fputs("]", f);
}

typedef struct {
    int scored;
    double min, max, mean;
    int hist[7]; /* -3..3 for integer scores */
} matrix_stats;

static matrix_stats consistency_stats(const scenmc_model *m)
{
    matrix_stats s = {0, INFINITY, -INFINITY, 0, {0}};
    size_t V = (size_t)m->n_variants;
    double sum = 0;
    for (size_t u = 0; u < V; u++)
        for (size_t v = u + 1; v < V; v++)
            if (m->scored[u * V + v]) {
                double x = m->consistency[u * V + v];
                s.scored++;
                sum += x;
                s.min = fmin(s.min, x);
                s.max = fmax(s.max, x);
                if (x == floor(x) && x >= -3 && x <= 3)
                    s.hist[(int)x + 3]++;
            }
    s.mean = s.scored ? sum / s.scored : 0;
    return s;
}

/* The file's trends, interventions and shocks as a JSON list. */
static void json_schedule(FILE *f, const scenmc_model *m)
{
    const scenmc_schedule *s = m->schedule;
    fputs(",\n  \"schedule\": [", f);
    for (int i = 0; i < s->n; i++) {
        const scenmc_change *c = &s->ch[i];
        const scenmc_descriptor *D = &m->descriptors[c->descriptor];
        fprintf(f, "%s{\"kind\": \"%s\", \"name\": ", i ? ",\n    " : "\n    ", scenmc_change_kind_names[c->kind]);
        json_string(f, c->name);
        fputs(", \"descriptor\": ", f);
        json_string(f, D->id);
        fputs(", \"variant\": ", f);
        json_string(f, m->variant_name[D->offset + c->variant]);
        fprintf(f, ", \"first\": %d, \"last\": %d, \"knots\": [", c->first, c->last);
        for (int k = 0; k < c->n_knots; k++)
            fprintf(f, "%s[%d, %.17g]", k ? ", " : "", c->knot_year[k], c->knot_value[k]);
        fprintf(f, "], \"hazard\": %.17g, \"where\": ", c->value);
        json_string(f, c->where);
        fputs("}", f);
    }
    fputs("]", f);
}

/* One line per change: what, on which variant, when. */
static void print_schedule(const scenmc_model *m)
{
    const scenmc_schedule *s = m->schedule;
    printf("\nchanges over time (added to every run; see docs/model-format.md):\n");
    for (int i = 0; i < s->n; i++) {
        const scenmc_change *c = &s->ch[i];
        const scenmc_descriptor *D = &m->descriptors[c->descriptor];
        printf("  %-12s %s: %s = %s, ", scenmc_change_kind_names[c->kind], c->name ? c->name : "?", D->id,
               m->variant_name[D->offset + c->variant]);
        if (c->kind == SCENMC_CHANGE_TREND) {
            printf("bias");
            for (int k = 0; k < c->n_knots; k++)
                printf("%s %g in %d", k ? "," : "", c->knot_value[k], c->knot_year[k]);
            printf(" (linear between, constant beyond)\n");
        } else if (c->kind == SCENMC_CHANGE_HOLD) {
            printf("held %d-%d\n", c->first, c->last);
        } else {
            printf("%d-%d, hazard %g per year\n", c->first, c->last, c->value);
        }
    }
}

static void print_json(const scenmc_model *m)
{
    FILE *f = stdout;
    char hex[65];
    scenmc_model_sha256_hex(m, hex);
    matrix_stats st = consistency_stats(m);
    fputs("{\n  \"name\": ", f);
    json_string(f, m->name);
    fputs(",\n  \"path\": ", f);
    json_string(f, m->path);
    fprintf(f, ",\n  \"sha256\": \"%s\",\n  \"years\": [%d, %d],\n", hex, m->year_start, m->year_end);
    fprintf(f, "  \"n_descriptors\": %d,\n  \"n_variants\": %d,\n  \"n_states\": %llu,\n",
            m->n_descriptors, m->n_variants, (unsigned long long)scenmc_model_state_count(m));
    fputs("  \"descriptor_ids\": [", f);
    for (int d = 0; d < m->n_descriptors; d++) {
        fputs(d ? ", " : "", f);
        json_string(f, m->descriptors[d].id);
    }
    fputs("],\n  \"descriptors\": [", f);
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        fputs(d ? ",\n    {\"id\": " : "\n    {\"id\": ", f);
        json_string(f, D->id);
        fputs(", \"name\": ", f);
        json_string(f, D->name);
        fputs(", \"label\": ", f);
        json_string(f, D->label);
        fprintf(f, ", \"rate\": %.17g, \"variants\": [", D->rate > 0 ? D->rate : m->rate);
        for (int b = 0; b < D->n_variants; b++) {
            fputs(b ? ", " : "", f);
            json_string(f, m->variant_name[D->offset + b]);
        }
        fputs("]}", f);
    }
    fputs("],\n  \"variant_names\": [", f);
    for (int v = 0; v < m->n_variants; v++) {
        fputs(v ? ", " : "", f);
        json_string(f, m->variant_name[v]);
    }
    fputs("],\n  \"variant_labels\": [", f);
    for (int v = 0; v < m->n_variants; v++) {
        fputs(v ? ", " : "", f);
        json_string(f, m->variant_label[v]);
    }
    fputs("],\n  \"variant_descriptor\": [", f);
    for (int v = 0; v < m->n_variants; v++)
        fprintf(f, "%s%d", v ? ", " : "", m->variant_descriptor[v]);
    fputs("],\n  \"scenarios\": [", f);
    for (int k = 0; k < m->n_scenarios; k++) {
        const scenmc_scenario *S = &m->scenarios[k];
        fputs(k ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        json_string(f, S->name);
        fputs(", \"label\": ", f);
        json_string(f, S->label);
        fputs(", \"when\": {", f);
        for (int c = 0; c < S->n_conditions; c++) {
            const scenmc_descriptor *D = &m->descriptors[S->cond_descriptor[c]];
            fputs(c ? ", " : "", f);
            json_string(f, D->id);
            fputs(": ", f);
            json_string(f, m->variant_name[D->offset + S->cond_variant[c]]);
        }
        fputs("}}", f);
    }
    fprintf(f, "],\n  \"has_unclassified\": %s,\n", scenmc_model_has_unclassified(m) ? "true" : "false");
    fprintf(f, "  \"defaults\": {\"beta\": %.17g, \"w_consistency\": %.17g, \"w_cross\": %.17g, "
               "\"rate\": %.17g, \"trajectories\": %llu, \"seed\": %llu},\n",
            m->beta, m->w_consistency, m->w_cross, m->rate, (unsigned long long)m->trajectories,
            (unsigned long long)m->seed);
    fprintf(f, "  \"consistency_scored_pairs\": %d,\n  \"consistency\": ", st.scored);
    json_matrix(f, m->consistency, m->n_variants);
    if (m->cross_impact) {
        fprintf(f, ",\n  \"self_impacts\": %d,\n  \"cross_impact\": ", m->n_self_impacts);
        json_matrix(f, m->cross_impact, m->n_variants);
    }
    if (m->schedule)
        json_schedule(f, m);
    fputs("\n}\n", f);
}

static void print_text(const scenmc_model *m)
{
    char hex[65];
    scenmc_model_sha256_hex(m, hex);
    printf("%s\n", m->name);
    printf("  file      %s\n  sha256    %s\n", m->path, hex);
    if (m->source)
        printf("  source    %s\n", m->source);
    printf("  years     %d-%d\n", m->year_start, m->year_end);
    uint64_t n = scenmc_model_state_count(m);
    printf("  states    %d descriptors, %d variants, ", m->n_descriptors, m->n_variants);
    if (n)
        printf("%llu states\n", (unsigned long long)n);
    else
        printf("more than 2^64 states\n");
    printf("\ndescriptors (rate per year):\n");
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        printf("  %-4s %s%s%s%s  (rate %g)\n", D->id, D->name, D->label ? " [" : "",
               D->label ? D->label : "", D->label ? "]" : "", D->rate > 0 ? D->rate : m->rate);
        for (int b = 0; b < D->n_variants; b++) {
            int g = D->offset + b;
            printf("       %d. %s", b + 1, m->variant_name[g]);
            if (m->variant_label[g])
                printf(" [%s]", m->variant_label[g]);
            if (D->initial)
                printf("  p0=%g", D->initial[b]);
            printf("\n");
        }
    }
    matrix_stats st = consistency_stats(m);
    int pairs_total = 0;
    for (int i = 0; i < m->n_descriptors; i++)
        for (int j = i + 1; j < m->n_descriptors; j++)
            pairs_total += m->descriptors[i].n_variants * m->descriptors[j].n_variants;
    printf("\nconsistency matrix: %d of %d cross-descriptor pairs scored", st.scored, pairs_total);
    if (st.scored) {
        printf(", range %g..%g, mean %.3f\n  scores", st.min, st.max, st.mean);
        for (int k = 0; k < 7; k++)
            printf("  %+d: %d", k - 3, st.hist[k]);
    }
    printf("\n");
    if (m->cross_impact) {
        size_t V = (size_t)m->n_variants;
        int nz = 0;
        for (size_t u = 0; u < V * V; u++)
            nz += m->cross_impact[u] != 0;
        printf("cross-impact matrix: %d non-zero impacts (%d within descriptors, kept)\n", nz,
               m->n_self_impacts);
    }
    printf("\nscenarios:\n");
    for (int k = 0; k < m->n_scenarios; k++) {
        const scenmc_scenario *S = &m->scenarios[k];
        printf("  %d. %s:", k + 1, S->name);
        for (int c = 0; c < S->n_conditions; c++) {
            const scenmc_descriptor *D = &m->descriptors[S->cond_descriptor[c]];
            printf("%s %s = %s", c ? "," : "", D->id, m->variant_name[D->offset + S->cond_variant[c]]);
        }
        printf("\n");
    }
    if (m->n_scenarios == 0)
        printf("  (none: results are binned by full state only)\n");
    else if (scenmc_model_has_unclassified(m))
        printf("  (states matching no scenario are counted as 'unclassified')\n");
    printf("\ndefaults: beta %g, w_consistency %g, w_cross %g, rate %g, %llu trajectories, seed %llu\n",
           m->beta, m->w_consistency, m->w_cross, m->rate, (unsigned long long)m->trajectories,
           (unsigned long long)m->seed);    if (m->schedule)
        print_schedule(m);
}

int cmd_info(int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc == CLI_HELP_SHOWN ? 0 : rc;
    int json = cli_flag(&a, K_JSON);
    rc = cli_too_many("info", &a, 1);
    scenmc_model *m = rc ? NULL : cli_load_model("info", a.n_pos ? a.pos[0] : NULL, &rc);
    cli_args_free(&a);
    if (!m)
        return rc;
    if (json)
        print_json(m);
    else
        print_text(m);
    scenmc_model_free(m);
    return 0;
}
