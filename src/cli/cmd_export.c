/* scenmc export: every table of a results file as tidy CSV (docs/file-format.md). */
#include "cli.h"
#include "scenmc/reader.h"
#include "cli/csv_out.h"
#include "base/atomic_file.h"
#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char head[] =
    "usage: scenmc export FILE.h5 --csv DIR [--order] [--labels en] [--excel] [--force]\n\n"
    "Writes every table of a results file as CSV in tidy (long) form, one file per\n"
    "table and one row per cell, with a header row of named columns:\n\n"
    "  scenario.csv             year, scenario, [count], probability, [stderr]\n"
    "  variant.csv              year, descriptor, variant, ...\n"
    "  scenario_variant.csv     year, scenario, descriptor, variant, ...\n"
    "                           (probability = P(variant | scenario, year))\n"
    "  scenario_transition.csv  year_from, from_scenario, to_scenario, ...\n"
    "                           (P(to_scenario at year_from+1 | from_scenario at year_from))\n"
    "  early_warning.csv        year, descriptor, variant, final_scenario, ...\n"
    "                           (P(final_scenario at the end | variant at year))\n"
    "  consistency.csv          year, consistency (bin centre), ...\n"
    "  lock_in.csv              year, final_scenario, ... (P(end in it, staying from year on))\n"
    "  final_state.csv          state, one column per descriptor (the variant), scenario,\n"
    "                           consistency (total K), ...; only states that occur\n"
    "  metadata.csv             key, value: model, SHA-256, method, seed, N, parameters\n\n"
    "count and stderr appear for Monte Carlo results only. Descriptors are given by id,\n"
    "variants and scenarios by name as in the model. UTF-8 without a byte-order mark,\n"
    "RFC 4180 quoting and LF line ends; a probability is written with as many digits\n"
    "as it takes to read back the identical double (at most 17), 0/0 as NaN.\n"
    "Columns: docs/export.md.\n\n"
    "options:\n";
enum { K_CSV = CLI_KEY_FIRST, K_ORDER, K_LABELS, K_EXCEL, K_CRLF };
static const cli_option options[] = {
    {"csv", K_CSV, 1, "  --csv DIR     the folder to write to (created, with its parents, if missing)\n"},
    {"order", K_ORDER, 0,
     "  --order       beside each descriptor, variant and scenario column X, a column\n"
     "                X_order: its 1-based position in the model (sort or order a\n"
     "                factor by it to keep the model's order in pivots and ggplot)\n"},
    {"labels", K_LABELS, 1,
     "  --labels en   beside each such column X, a column X_label: the model's English\n"
     "                label (its name where the model gives no label)\n"},
    {"excel", K_EXCEL, 0,
     "  --excel       for spreadsheets in comma-decimal locales (Swedish, German, ...):\n"
     "                ';' between fields, a decimal comma and a UTF-8 byte-order mark\n"},
    {"crlf", K_CRLF, 0, "  --crlf        CR LF line ends instead of LF (older scenmc wrote these)\n"},
    {"force", CLI_K_FORCE, 0, "  --force       overwrite CSV files already there\n"},
    {"quiet", CLI_K_QUIET, 0, "  -q, --quiet   print nothing but errors\n"},
    {"help", 'h', 0, "  -h, --help    this text\n"},
    CLI_END,
};
static const char foot[] =
    "\nExit status: 0 done, 1 runtime failure (I/O, memory), 2 bad input or usage\n"
    "(including a file that is not a scenmc results file, and CSV files that are\n"
    "already there without --force).\n";
static const cli_command command = {"export", head, foot, options};

static const char *const csv_names[] = {"scenario",      "variant",     "scenario_variant",
                                        "scenario_transition", "early_warning", "consistency",
                                        "lock_in",       "final_state", "metadata"};
#define N_CSV (sizeof csv_names / sizeof csv_names[0])

/* ------------------------------------------------------------------ CSV writing */

/* What the user asked for beyond the plain tables. */
typedef struct export_opts {
    const csv_style *style;
    int order;  /* --order: model-order columns beside each name */
    int labels; /* --labels en: English label columns */
} export_opts;

static const export_opts *xo; /* the options of this export, for the writers below */

/* count, probability, stderr of cell i (count and stderr for Monte Carlo only). */
static void csv_cell(csv *c, const scenmc_table *t, size_t i)
{
    if (t->counts)
        csv_u64(c, t->counts[i]);
    csv_double(c, t->prob[i]);
    if (t->stderr_)
        csv_double(c, t->stderr_[i]);
    csv_end(c);
}

static void csv_value_header(csv *c, const scenmc_results *r)
{
    if (r->method == SCENMC_MONTE_CARLO)
        csv_text(c, "count");
    csv_text(c, "probability");
    if (r->method == SCENMC_MONTE_CARLO)
        csv_text(c, "stderr");
    csv_end(c);
}

static const char *scen_name(const scenmc_results *r, size_t s)
{
    return s < (size_t)r->model->n_scenarios ? r->model->scenarios[s].name : "unclassified";
}

static const char *desc_id(const scenmc_model *m, size_t v)
{
    return m->descriptors[m->variant_descriptor[v]].id;
}

/* A name column's header, with its _order and _label companions when asked for. */
static void head_key(csv *c, const char *name)
{
    char buf[64];
    csv_text(c, name);
    if (xo->order) {
        snprintf(buf, sizeof buf, "%s_order", name);
        csv_text(c, buf);
    }
    if (xo->labels) {
        snprintf(buf, sizeof buf, "%s_label", name);
        csv_text(c, buf);
    }
}

/* name, then (when asked for) its 1-based position in the model and its label. */
static void key(csv *c, const char *name, long order, const char *label)
{
    csv_text(c, name);
    if (xo->order)
        csv_int(c, order);
    if (xo->labels)
        csv_text(c, label ? label : name);
}

static void key_scen(csv *c, const scenmc_results *r, size_t s)
{
    const scenmc_model *m = r->model;
    key(c, scen_name(r, s), (long)s + 1,
        s < (size_t)m->n_scenarios ? m->scenarios[s].label : NULL);
}

static void head_var(csv *c)
{
    head_key(c, "descriptor");
    head_key(c, "variant");
}

/* descriptor and variant columns of variant v (global index). */
static void key_var(csv *c, const scenmc_model *m, size_t v)
{
    int d = m->variant_descriptor[v];
    const scenmc_descriptor *D = &m->descriptors[d];
    key(c, D->id, d + 1, D->label ? D->label : D->name);
    key(c, m->variant_name[v], (long)v - D->offset + 1, m->variant_label[v]);
}

/* ------------------------------------------------------------------ the tables */

static void table_scenario(csv *c, const scenmc_results *r, scenmc_table_id k, const char *what)
{
    const scenmc_table *t = &r->t[k];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios;
    csv_text(c, "year"); head_key(c, what); csv_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t s = 0; s < S; s++) {
            csv_int(c, r->params.year_start + (long)y); key_scen(c, r, s);
            csv_cell(c, t, y * S + s);
        }
}

static void table_variant(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_VARIANT];
    size_t Y = (size_t)r->n_years, V = (size_t)r->model->n_variants;
    csv_text(c, "year"); head_var(c); csv_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t v = 0; v < V; v++) {
            csv_int(c, r->params.year_start + (long)y); key_var(c, r->model, v);
            csv_cell(c, t, y * V + v);
        }
}

static void table_scenario_variant(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_SCENARIO_VARIANT];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)r->model->n_variants;
    csv_text(c, "year"); head_key(c, "scenario"); head_var(c); csv_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t s = 0; s < S; s++)
            for (size_t v = 0; v < V; v++) {
                csv_int(c, r->params.year_start + (long)y); key_scen(c, r, s);
                key_var(c, r->model, v);
                csv_cell(c, t, (y * S + s) * V + v);
            }
}

static void table_transition(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_TRANSITION];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios;
    csv_text(c, "year_from"); head_key(c, "from_scenario"); head_key(c, "to_scenario");
    csv_value_header(c, r);
    for (size_t y = 0; y + 1 < Y; y++)
        for (size_t a = 0; a < S; a++)
            for (size_t b = 0; b < S; b++) {
                csv_int(c, r->params.year_start + (long)y); key_scen(c, r, a); key_scen(c, r, b);
                csv_cell(c, t, (y * S + a) * S + b);
            }
}

static void table_early_warning(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_EARLY_WARNING];
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)r->model->n_variants;
    csv_text(c, "year"); head_var(c); head_key(c, "final_scenario"); csv_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t v = 0; v < V; v++)
            for (size_t s = 0; s < S; s++) {
                csv_int(c, r->params.year_start + (long)y); key_var(c, r->model, v);
                key_scen(c, r, s);
                csv_cell(c, t, (y * V + v) * S + s);
            }
}

static void table_consistency(csv *c, const scenmc_results *r)
{
    const scenmc_table *t = &r->t[SCENMC_T_CONSISTENCY];
    size_t Y = (size_t)r->n_years, B = (size_t)r->n_bins;
    csv_text(c, "year"); csv_text(c, "consistency"); csv_value_header(c, r);
    for (size_t y = 0; y < Y; y++)
        for (size_t b = 0; b < B; b++) {
            csv_int(c, r->params.year_start + (long)y);
            csv_double(c, r->bin_lo + (double)b * r->bin_width);
            csv_cell(c, t, y * B + b);
        }
}

static void table_final_state(csv *c, const scenmc_results *r)
{
    const scenmc_model *m = r->model;
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    int D = m->n_descriptors;
    int *st = scenmc__xcalloc((size_t)D, sizeof(int));
    csv_text(c, "state");
    for (int d = 0; d < D; d++)
        csv_text(c, m->descriptors[d].id);
    head_key(c, "scenario"); csv_text(c, "consistency"); csv_value_header(c, r);
    for (size_t i = 0; i < t->size; i++) {
        if (t->counts ? t->counts[i] == 0 : !(t->prob[i] > 0))
            continue;
        uint64_t idx = r->full_states ? (uint64_t)i : r->top_state[i];
        scenmc_state_from_index(m, idx, st);
        csv_u64(c, idx);
        for (int d = 0; d < D; d++)
            csv_text(c, m->variant_name[m->descriptors[d].offset + st[d]]);
        key_scen(c, r, (size_t)scenmc_model_scenario_of(m, st));
        csv_double(c, scenmc_model_total_consistency(m, st));
        csv_cell(c, t, i);
    }
    free(st);
}

static void write_table(csv *c, const scenmc_results *r, scenmc_table_id k)
{
    switch (k) {
    case SCENMC_T_SCENARIO: table_scenario(c, r, k, "scenario"); break;
    case SCENMC_T_VARIANT: table_variant(c, r); break;
    case SCENMC_T_SCENARIO_VARIANT: table_scenario_variant(c, r); break;
    case SCENMC_T_TRANSITION: table_transition(c, r); break;
    case SCENMC_T_EARLY_WARNING: table_early_warning(c, r); break;
    case SCENMC_T_CONSISTENCY: table_consistency(c, r); break;
    case SCENMC_T_LOCK_IN: table_scenario(c, r, k, "final_scenario"); break;
    case SCENMC_T_FINAL_STATE: table_final_state(c, r); break;
    default: break;
    }
}

static void kv(csv *c, const char *key, const char *value)
{
    csv_text(c, key); csv_text(c, value); csv_end(c);
}

static void kv_u64(csv *c, const char *key, uint64_t x)
{
    csv_text(c, key); csv_u64(c, x); csv_end(c);
}

static void kv_int(csv *c, const char *key, long x)
{
    csv_text(c, key);
    csv_int(c, x);
    csv_end(c);
}

static void kv_double(csv *c, const char *key, double x)
{
    csv_text(c, key); csv_double(c, x); csv_end(c);
}

static void write_metadata(csv *c, const scenmc_results *r, const scenmc_results_info *info)
{
    const scenmc_model *m = r->model;
    const scenmc_params *p = &r->params;
    char key[512];
    kv(c, "key", "value");
    kv(c, "format", SCENMC_RESULTS_FORMAT);
    kv_int(c, "format_version", info->format_version);
    kv(c, "method", info->method);
    kv(c, "engine_version", info->engine_version);
    kv(c, "created", info->created);
    kv(c, "command_line", info->command_line);
    kv(c, "model_name", m->name);
    kv(c, "model_path", info->model_path);
    kv(c, "model_sha256", info->sha256);
    kv_int(c, "year_start", p->year_start);
    kv_int(c, "year_end", p->year_end);
    kv_u64(c, "seed", p->seed);
    kv_u64(c, "n_trajectories", r->n_trajectories);
    kv_u64(c, "trajectory_first", r->first);
    kv_u64(c, "trajectory_last", r->last);
    kv_int(c, "threads", r->threads);
    kv_double(c, "wall_seconds", r->wall_seconds);
    kv_double(c, "beta", p->beta);
    kv_double(c, "w_consistency", p->w_consistency);
    kv_double(c, "w_cross", p->w_cross);
    for (int d = 0; d < m->n_descriptors; d++) {
        snprintf(key, sizeof key, "rate:%s", m->descriptors[d].id);
        kv_double(c, key, p->rate[d]);
    }
    for (int v = 0; v < m->n_variants; v++) {
        snprintf(key, sizeof key, "initial:%s:%s", desc_id(m, (size_t)v), m->variant_name[v]);
        kv_double(c, key, p->initial[v]);
    }
    if (p->start)
        for (int d = 0; d < m->n_descriptors; d++) {
            snprintf(key, sizeof key, "start:%s", m->descriptors[d].id);
            kv(c, key, m->variant_name[m->descriptors[d].offset + p->start[d]]);
        }
    kv_int(c, "n_scenarios", r->n_scenarios);
    kv_int(c, "has_unclassified", r->has_unclassified);
    kv_double(c, "consistency_bin_width", r->bin_width);
    kv_u64(c, "n_states", r->n_states);
    kv_int(c, "final_state_full", r->full_states);
    if (r->method == SCENMC_EXACT) {
        kv_double(c, "truncation_bound", r->truncation_bound);
        kv_double(c, "memory_bytes", r->mem_peak_bytes);
    }
}

/* The text of the k-th CSV file (malloc'd), or NULL when out of memory. */
static char *render(size_t k, const scenmc_results *r, const scenmc_results_info *info, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f)
        return NULL;
    csv c;
    csv_begin(&c, f, xo->style);
    if (k < SCENMC_N_TABLES)
        write_table(&c, r, (scenmc_table_id)k);
    else
        write_metadata(&c, r, info);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        free(text);
        return NULL;
    }
    return text;
}

/* DIR/NAME.csv (malloc'd). */
static char *csv_path(const char *dir, size_t k)
{
    size_t n = strlen(dir) + 64;
    char *path = scenmc__xmalloc(n);
    snprintf(path, n, "%s/%s.csv", dir, csv_names[k]);
    return path;
}

/* Every CSV file written, or none: each goes to a temporary beside its
 * target, and the targets change only once every temporary is complete
 * (an export --force that fails leaves the earlier files as they were). */
static int write_all(const char *dir, const scenmc_results *r, const scenmc_results_info *info)
{
    scenmc__atomic a[N_CSV];
    char *path[N_CSV];
    size_t begun = 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    int rc = 0;
    for (size_t k = 0; k < N_CSV; k++)
        path[k] = csv_path(dir, k);
    for (size_t k = 0; k < N_CSV && !rc; k++) {
        size_t len = 0;
        char *text = render(k, r, info, &len);
        if (!text) {
            fprintf(stderr, "scenmc export: %s: out of memory; nothing was written\n", path[k]);
            rc = 1;
        } else if (scenmc__atomic_begin(&a[k], path[k], &err) != SCENMC_OK) {
            rc = 1;
        } else {
            begun++;
            a[k].what = "cannot write";
            int e = scenmc__atomic_write(&a[k], text, len);
            if (e) {
                scenmc_error_add(&err, SCENMC_E_IO, "%s: cannot write (%s); nothing was written",
                                 path[k], strerror(e));
                rc = 1;
            }
        }
        free(text);
    }
    if (!rc && scenmc__atomic_commit_all(a, N_CSV, &err) != SCENMC_OK)
        rc = 1;
    for (size_t k = 0; rc && k < begun && k < N_CSV; k++)
        scenmc__atomic_abandon(&a[k]); /* a no-op once committed */
    if (rc && err.code != SCENMC_OK)
        fprintf(stderr, "scenmc export: %s\n", err.msg);
    for (size_t k = 0; k < N_CSV; k++)
        free(path[k]);
    return rc;
}

/* mkdir -p: the folder and any missing parents. */
static int make_folder(const char *dir)
{
    char *p = strdup(dir);
    int rc = 0;
    if (!p)
        return 1;
    for (char *q = p + 1;; q++) {
        if (*q != '/' && *q != '\0')
            continue;
        char c = *q;
        *q = '\0';
        struct stat st;
        if (mkdir(p, 0777) != 0 && !(errno == EEXIST && stat(p, &st) == 0 && S_ISDIR(st.st_mode))) {
            if (errno == EEXIST)
                fprintf(stderr, "scenmc export: %s: exists and is not a folder\n", p);
            else
                fprintf(stderr, "scenmc export: %s: cannot create the folder: %s\n", p,
                        strerror(errno));
            rc = 1;
            break;
        }
        *q = c;
        if (!c)
            break;
    }
    free(p);
    return rc;
}

/* The options beyond --csv, --force and --quiet into o (style: room for the style). */
static int take_options(const cli_args *a, export_opts *o, csv_style *style)
{
    *style = csv_plain;
    for (int k = 0; k < a->n_opts; k++) {
        const char *v = a->opts[k].value;
        switch (a->opts[k].key) {
        case K_ORDER: o->order = 1; break;
        case K_EXCEL: style->sep = csv_excel.sep; style->decimal = csv_excel.decimal;
                      style->bom = csv_excel.bom; break;
        case K_CRLF: style->crlf = 1; break;
        case K_LABELS:
            if (strcmp(v, "en") != 0)
                return cli_usage_error("export", "--labels '%s': expected 'en' (the model's "
                                       "English labels)", v);
            o->labels = 1;
            break;
        }
    }
    o->style = style;
    return 0;
}

/* Refuses before reading: an existing non-folder, or files that --force would overwrite. */
static int check_folder(const char *dir, int force)
{
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "scenmc export: %s: exists and is not a folder\n", dir);
        return EXIT_USAGE;
    }
    int dir_exists = stat(dir, &st) == 0;
    for (size_t k = 0; k < N_CSV && dir_exists; k++) {
        /* Regular files only; existing ones only with --force. */
        char *path = csv_path(dir, k);
        scenmc_error err;
        scenmc_error_clear(&err);
        int exists = access(path, F_OK) == 0;
        scenmc_status cs = scenmc__atomic_check(path, force, &err);
        free(path);
        if (cs != SCENMC_OK) {
            fprintf(stderr, "scenmc export: %s\n", err.msg);
            /* A file in the way is bad input, as in every command (status 2). */
            return exists && !force ? EXIT_USAGE : 1;
        }
    }
    return 0;
}

int cmd_export(int argc, char **argv)
{
    const char *file = NULL;
    export_opts o = {0};
    csv_style style;
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc == CLI_HELP_SHOWN ? 0 : rc;
    const char *dir = cli_value(&a, K_CSV);
    int force = cli_flag(&a, CLI_K_FORCE), quiet = cli_flag(&a, CLI_K_QUIET);
    rc = take_options(&a, &o, &style);
    if (!rc)
        rc = cli_one_results_file("export", &a, &file);
    cli_args_free(&a);
    if (rc)
        return rc;
    if (!dir || !*dir)
        return cli_usage_error("export", "no output folder given; expected --csv DIR");
    rc = check_folder(dir, force);
    if (rc)
        return rc;
    xo = &o;

    scenmc_model *m = NULL;
    scenmc_results r;
    scenmc_results_info info;
    rc = cli_read_results("export", file, &m, &r, &info);
    if (rc)
        return rc;
    rc = make_folder(dir);
    if (!rc)
        rc = write_all(dir, &r, &info);
    if (!rc && !quiet)
        printf("%s: %zu CSV files written to %s (%s, %s)\n", file, N_CSV, dir, m->name,
               info.method);
    scenmc_results_info_free(&info);
    scenmc_results_free(&r);
    scenmc_model_free(m);
    return rc;
}
