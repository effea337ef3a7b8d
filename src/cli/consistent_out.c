#include "cli/consistent_out.h"
#include "cli.h"
#include "cli/json_out.h"
#include "base/atomic_file.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *consistent_scenario(const scenmc_model *m, const int *s)
{
    int k = scenmc_model_scenario_of(m, s);
    return k < m->n_scenarios ? m->scenarios[k].name : "unclassified";
}

static void csv_header(csv *c, const cons_table *t)
{
    const scenmc_model *m = t->m;
    char buf[300];
    csv_text(c, "rank");
    csv_text(c, "state");
    for (int d = 0; d < m->n_descriptors; d++)
        csv_text(c, m->descriptors[d].id);
    csv_text(c, "scenario");
    csv_text(c, "K");
    csv_text(c, "IC");
    if (t->uses_cross)
        csv_text(c, "impact_score");
    if (t->results) {
        csv_text(c, "probability");
        if (t->fm->mc)
            csv_text(c, "stderr");
    }
    for (int d = 0; d < m->n_descriptors; d++) {
        snprintf(buf, sizeof buf, "margin_%s", m->descriptors[d].id);
        csv_text(c, buf);
    }
    csv_end(c);
}

char *consistent_csv(const cons_table *t, const csv_style *st, size_t *len)
{
    const scenmc_model *m = t->m;
    int D = m->n_descriptors;
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f)
        return NULL;
    int *s = scenmc__xcalloc((size_t)D, sizeof(int));
    csv c;
    csv_begin(&c, f, st);
    csv_header(&c, t);
    for (size_t i = 0; i < t->n; i++) {
        const cons_row *w = &t->rows[i];
        scenmc_state_from_index(m, w->index, s);
        csv_u64(&c, i + 1);
        csv_u64(&c, w->index);
        for (int d = 0; d < D; d++)
            csv_text(&c, m->variant_name[m->descriptors[d].offset + s[d]]);
        csv_text(&c, consistent_scenario(m, s));
        csv_double(&c, w->k);
        csv_double(&c, w->ic);
        if (t->uses_cross)
            csv_double(&c, w->tis);
        if (t->results) {
            csv_double(&c, t->p[i]);
            if (t->fm->mc)
                csv_double(&c, t->se[i]);
        }
        for (int d = 0; d < D; d++)
            csv_double(&c, t->margins[i * (size_t)D + (size_t)d]);
        csv_end(&c);
    }
    free(s);
    return cli_text_done(f, &text);
}

/* "results": where the probabilities come from and the mass in all states found. */
static void json_results(FILE *f, const cons_table *t)
{
    const scenmc_results *r = t->r;
    json_key(f, 0, 2, "results");
    if (!t->results) {
        fputs("null", f);
        return;
    }
    fputs("{", f);
    json_key(f, 1, 4, "file");
    json_string(f, t->results);
    json_key(f, 0, 4, "method");
    json_string(f, r->method == SCENMC_EXACT ? "exact" : "monte-carlo");
    json_key(f, 0, 4, "year");
    fprintf(f, "%d", r->params.year_end);
    json_key(f, 0, 4, "n_trajectories");
    fprintf(f, "%llu", (unsigned long long)r->n_trajectories);
    json_key(f, 0, 4, "complete");
    fputs(t->fm->complete ? "true" : "false", f);
    json_key(f, 0, 4, "probability_all_found");
    json_number(f, t->fm->total);
    json_key(f, 0, 4, "stderr_all_found");
    json_number(f, t->fm->total_se);
    fputs("\n  }", f);
}

static void json_state(FILE *f, const cons_table *t, size_t i, int *s)
{
    const scenmc_model *m = t->m;
    const cons_row *w = &t->rows[i];
    int D = m->n_descriptors;
    scenmc_state_from_index(m, w->index, s);
    fprintf(f, "%s\n    {\"rank\": %zu, \"state\": %llu, \"variants\": ", i ? "," : "", i + 1,
            (unsigned long long)w->index);
    json_variants(f, m, s);
    fputs(",\n     \"scenario\": ", f);
    json_string(f, consistent_scenario(m, s));
    fputs(", \"K\": ", f);
    json_number(f, w->k);
    fputs(", \"IC\": ", f);
    json_number(f, w->ic);
    if (t->uses_cross) {
        fputs(", \"impact_score\": ", f);
        json_number(f, w->tis);
    }
    if (t->results) {
        fputs(", \"probability\": ", f);
        json_number(f, t->p[i]);
        fputs(", \"stderr\": ", f);
        json_number(f, t->se[i]);
    }
    fputs(",\n     \"margins\": {", f);
    for (int d = 0; d < D; d++) {
        fputs(d ? ", " : "", f);
        json_string(f, m->descriptors[d].id);
        fputs(": ", f);
        json_number(f, t->margins[i * (size_t)D + (size_t)d]);
    }
    fputs("}}", f);
}

char *consistent_json(const cons_table *t, size_t *len)
{
    const scenmc_model *m = t->m;
    char *text = NULL, hex[65];
    FILE *f = open_memstream(&text, len);
    if (!f)
        return NULL;
    scenmc_model_sha256_hex(m, hex);
    fputs("{", f);
    json_key(f, 1, 2, "model");
    json_string(f, m->name);
    json_key(f, 0, 2, "model_path");
    json_string(f, m->path);
    json_key(f, 0, 2, "model_sha256");
    json_string(f, hex);
    json_key(f, 0, 2, "matrix");
    json_string(f, t->uses_cross ? "cross" : "consistency");
    json_key(f, 0, 2, "max_ic");
    json_number(f, t->max_ic);
    json_key(f, 0, 2, "n_states");
    fprintf(f, "%llu", (unsigned long long)t->n_states);
    json_key(f, 0, 2, "n_found");
    fprintf(f, "%llu", (unsigned long long)t->n_found);
    json_key(f, 0, 2, "n_listed");
    fprintf(f, "%zu", t->n);
    json_results(f, t);
    json_key(f, 0, 2, "states");
    fputs("[", f);
    int *s = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
    for (size_t i = 0; i < t->n; i++)
        json_state(f, t, i, s);
    free(s);
    fputs("]\n}\n", f);
    return cli_text_done(f, &text);
}

int consistent_write(const char *path, const char *ext, const char *text, size_t len, int force)
{
    if (!strcmp(path, "-"))
        return fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
    struct stat st;
    char *full = NULL;
    size_t n = strlen(path);
    if ((stat(path, &st) == 0 && S_ISDIR(st.st_mode)) || (n && path[n - 1] == '/')) {
        full = scenmc__xmalloc(n + 32);
        snprintf(full, n + 32, "%s%sconsistent.%s", path, path[n - 1] == '/' ? "" : "/", ext);
    }
    const char *target = full ? full : path;
    scenmc_error err;
    scenmc_error_clear(&err);
    int exists = stat(target, &st) == 0;
    scenmc_status s = scenmc__write_text_file(target, text, len, force, &err);
    free(full);
    if (s == SCENMC_OK)
        return 0;
    cli_print_error("consistent", &err);
    return exists && !force ? EXIT_USAGE : cli_exit_code(s) ? cli_exit_code(s) : 1;
}
