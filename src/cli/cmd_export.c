/* scenmc export: every table of a results file as tidy CSV, or as one JSON
 * file (docs/export.md). */
#include "cli.h"
#include "scenmc/reader.h"
#include "cli/export_in.h"
#include "cli/export_kinds.h"
#include "cli/export_signposts.h"
#include "cli/json_out.h"
#include "base/atomic_file.h"
#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char head[] =
    "usage: scenmc export FILE.h5 --csv DIR [--json FILE.json] [--order] [--labels en]\n"
    "                     [--excel] [--crlf] [--force] [-q]\n"
    "       scenmc export FILE.h5 --json FILE.json|- [--order] [--labels en] [--force]\n\n"
    "Writes every table of a results file as CSV in tidy (long) form, one file per\n"
    "table and one row per cell, with a header row of named columns (--json: the\n"
    "same tables in one JSON file, each an array of row objects keyed by the\n"
    "column names):\n\n"
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
    "as it takes to read back the identical double (at most 17), 0/0 as NaN.\n\n"
    "Other kinds of file: an ensemble adds ensemble_TABLE.csv (the members'\n"
    "quantiles) and ensemble_members.csv; a sweep gives sweep_points.csv and\n"
    "sweep_scenario.csv; a sensitivity file sensitivity.csv; a derivative file\n"
    "(sensitivity --method exact|score) derivative.csv: one row per parameter x year\n"
    "x scenario with its derivative, elasticity and (score) standard error.\n"
    "A signposts file (scenmc signposts) gives signposts_mutual_information.csv\n"
    "(descriptor, year, bits, [stderr, bias], rank, defining, best),\n"
    "signposts_conditional.csv (year, descriptor, variant, target, probability =\n"
    "P(target | variant at year), joint), signposts_pairs.csv (year, descriptor,\n"
    "other_descriptor, bits, best; when the file has pairs) and signposts_target.csv;\n"
    "a calibration file (scenmc calibrate) calibration_points.csv (point, the\n"
    "parameters, log_likelihood, log_prior, prior, posterior, credible, ...),\n"
    "calibration_parameters.csv, calibration_predictive.csv (year, scenario,\n"
    "probability), calibration_point_scenario.csv and calibration_observations.csv;\n"
    "a levers file (scenmc levers) levers.csv (rank, descriptor, variant, kind,\n"
    "effect, se, p_with, p_baseline, ratio, defining, trivial) and levers_pairs.csv.\n"
    "Columns: docs/export.md.\n\n"
    "options:\n";
enum { K_CSV = CLI_KEY_FIRST, K_ORDER, K_LABELS, K_EXCEL, K_CRLF, K_JSON };
static const cli_option options[] = {
    {"csv", K_CSV, 1, "  --csv DIR     the folder to write to (created, with its parents, if missing)\n"},
    {"json", K_JSON, 1,
     "  --json FILE   the tables as one JSON file ('-': standard output): {\"file\",\n"
     "                \"model\", \"method\", \"tables\": {NAME: [{COLUMN: value, ...}, ...]}},\n"
     "                NAME as the CSV file's name; numbers as numbers, NaN as null\n"
     "                (--excel and --crlf are for CSV only)\n"},
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
    {"force", CLI_K_FORCE, 0, "  --force       overwrite CSV (and JSON) files already there\n"},
    {"quiet", CLI_K_QUIET, 0, "  -q, --quiet   print nothing but errors\n"},
    {"help", 'h', 0, "  -h, --help    this text\n"},
    CLI_END,
};
static const char foot[] =
    "\nExit status: 0 done, 1 runtime failure (I/O, memory), 2 bad input or usage\n"
    "(including a file that is not a scenmc results file, and CSV or JSON files that\n"
    "are already there without --force).\n";
static const cli_command command = {"export", head, foot, options};

/* The files of one export: what each holds. */
enum { W_TABLE, W_META, W_ENSEMBLE, W_MEMBERS, W_SWEEP_POINTS, W_SWEEP_SCENARIO, W_SENS,
       W_SENS_META, W_DERIV, W_DERIV_META, W_SIGNPOSTS, W_CALIB, W_LEVERS };
typedef struct out_file {
    char name[64];
    int what, k;
} out_file;
enum { MAX_FILES = 2 * SCENMC_N_TABLES + 4 };

static int add_file(out_file *f, int n, const char *prefix, const char *name, int what, int k)
{
    snprintf(f[n].name, sizeof f[n].name, "%s%s", prefix, name);
    f[n].what = what;
    f[n].k = k;
    return n + 1;
}

/* The files of a signposts, calibration or levers file; their number. */
static int plan_study(const export_in *in, out_file *f)
{
    int n = 0;
    if (in->src == EXPORT_SRC_CALIB)
        for (int k = 0; k < EXPORT_CAL_N; k++)
            n = add_file(f, n, "", export_cal_names[k], W_CALIB, k);
    else if (in->src == EXPORT_SRC_LEVERS)
        for (int k = 0; k < EXPORT_LEV_N; k++)
            n = export_lev_has(&in->lev, k) ? add_file(f, n, "", export_lev_names[k], W_LEVERS, k) : n;
    else
        for (int k = 0; k < EXPORT_SP_N; k++)
            n = export_sp_has(&in->s.sp, k) ? add_file(f, n, "", export_sp_names[k], W_SIGNPOSTS, k) : n;
    return n;
}

/* The files the source gives (by kind); their number. */
static int plan_files(const export_in *in, out_file *f)
{
    const results_src *s = &in->s;
    int n = 0;
    if (in->src != EXPORT_SRC_RESULTS || s->is_signposts)
        return plan_study(in, f);
    switch (s->kind) {
    case SCENMC_FILE_SWEEP:
        n = add_file(f, n, "", "sweep_points", W_SWEEP_POINTS, 0);
        n = add_file(f, n, "", "sweep_scenario", W_SWEEP_SCENARIO, 0);
        return add_file(f, n, "", "metadata", W_META, 0);
    case SCENMC_FILE_SENSITIVITY:
        n = add_file(f, n, "", "sensitivity", W_SENS, 0);
        return add_file(f, n, "", "metadata", W_SENS_META, 0);
    case SCENMC_FILE_DERIVATIVE:
        n = add_file(f, n, "", "derivative", W_DERIV, 0);
        return add_file(f, n, "", "metadata", W_DERIV_META, 0);
    default:
        break;
    }
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        n = add_file(f, n, "", scenmc_table_names[k], W_TABLE, k);
    n = add_file(f, n, "", "metadata", W_META, 0);
    if (s->kind != SCENMC_FILE_ENSEMBLE)
        return n;
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (s->ens.quantiles[k])
            n = add_file(f, n, "ensemble_", scenmc_table_names[k], W_ENSEMBLE, k);
    return add_file(f, n, "", "ensemble_members", W_MEMBERS, 0);
}

/* A sweep's metadata: its first point's, with the base parameters. */
static void sweep_meta(csv *c, const results_src *s)
{
    if (s->sweep.n_points == 0)
        return;
    scenmc_results first = s->sweep.points[0];
    first.params = s->sweep.base;
    export_metadata(c, &first, &s->info);
    export_kv(c, "design", s->sweep.design);
    export_kv_int(c, "n_points", s->sweep.n_points);
}

static void render_to(csv *c, const out_file *f, const export_in *in, const export_opts *o)
{
    const results_src *s = &in->s;
    switch (f->what) {
    case W_TABLE: export_table(c, &s->r, (scenmc_table_id)f->k); break;
    case W_META:
        if (s->kind == SCENMC_FILE_SWEEP)
            sweep_meta(c, s);
        else
            export_metadata(c, &s->r, &s->info);
        break;
    case W_ENSEMBLE:
        export_set(o, &s->ens);
        export_table(c, &s->r, (scenmc_table_id)f->k);
        export_set(o, NULL);
        break;
    case W_MEMBERS: export_members(c, &s->r, &s->ens); break;
    case W_SWEEP_POINTS: export_sweep_points(c, &s->sweep); break;
    case W_SWEEP_SCENARIO: export_sweep_scenario(c, &s->sweep); break;
    case W_SENS: export_sensitivity(c, s->m, &s->sens); break;
    case W_SENS_META: export_sensitivity_meta(c, s); break;
    case W_DERIV: export_derivative(c, s->m, &s->deriv, s->base.year_start); break;
    case W_DERIV_META: export_derivative_meta(c, s); break;
    case W_SIGNPOSTS: export_sp_table(c, s, f->k); break;
    case W_CALIB: export_cal_table(c, &in->cal, f->k); break;
    case W_LEVERS: export_lev_table(c, &in->lev, f->k); break;
    }
}

/* The text of one CSV file (malloc'd), or NULL when out of memory. */
static char *render(const out_file *f, const export_in *s, const export_opts *o, size_t *len)
{
    char *text = NULL;
    FILE *mf = open_memstream(&text, len);
    if (!mf)
        return NULL;
    csv c;
    csv_begin(&c, mf, o->style);
    render_to(&c, f, s, o);
    return cli_text_done(mf, &text);
}

/* DIR/NAME.csv (malloc'd). */
static char *csv_path(const char *dir, const out_file *f)
{
    size_t n = strlen(dir) + sizeof f->name + 8;
    char *path = scenmc__xmalloc(n);
    snprintf(path, n, "%s/%s.csv", dir, f->name);
    return path;
}

/* Every CSV file written, or none: each goes to a temporary beside its
 * target, and the targets change only once every temporary is complete
 * (an export --force that fails leaves the earlier files as they were). */
static int write_all(const char *dir, const out_file *files, int n, const export_in *s,
                     const export_opts *o)
{
    scenmc__atomic a[MAX_FILES];
    char *path[MAX_FILES];
    int begun = 0, rc = 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    for (int k = 0; k < n; k++)
        path[k] = csv_path(dir, &files[k]);
    for (int k = 0; k < n && !rc; k++) {
        size_t len = 0;
        char *text = render(&files[k], s, o, &len);
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
    if (!rc && scenmc__atomic_commit_all(a, (size_t)n, &err) != SCENMC_OK)
        rc = 1;
    for (int k = 0; rc && k < begun; k++)
        scenmc__atomic_abandon(&a[k]); /* a no-op once committed */
    if (rc && err.code != SCENMC_OK)
        fprintf(stderr, "scenmc export: %s\n", err.msg);
    for (int k = 0; k < n; k++)
        free(path[k]);
    return rc;
}

/* The JSON document of every table (malloc'd), or NULL when out of memory. */
static char *render_json(const out_file *f, int n, const export_in *in, const export_opts *o,
                         const char *file, size_t *len)
{
    const char *model, *method;
    char *text = NULL;
    FILE *mf = open_memstream(&text, len);
    if (!mf)
        return NULL;
    export_in_names(in, &model, &method);
    fputs("{", mf);
    json_key(mf, 1, 2, "file");
    json_string(mf, file);
    json_key(mf, 0, 2, "model");
    json_string(mf, model);
    json_key(mf, 0, 2, "method");
    json_string(mf, method);
    json_key(mf, 0, 2, "tables");
    fputs("{", mf);
    for (int k = 0; k < n; k++) {
        csv c;
        json_key(mf, k == 0, 4, f[k].name);
        csv_begin_json(&c, mf);
        render_to(&c, &f[k], in, o);
        csv_end_json(&c);
    }
    fputs("\n  }\n}\n", mf);
    return cli_text_done(mf, &text);
}

/* The JSON file (path, or '-' standard output). */
static int write_json(const char *path, const out_file *f, int n, const export_in *in, const export_opts *o,
                      const char *file, int force)
{
    size_t len = 0;
    char *text = render_json(f, n, in, o, file, &len);
    int rc = 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!text) {
        fprintf(stderr, "scenmc export: %s: out of memory; nothing was written\n", path);
        rc = 1;
    } else if (!strcmp(path, "-")) {
        rc = fwrite(text, 1, len, stdout) != len || fflush(stdout) ? 1 : 0;
    } else if (scenmc__write_text_file(path, text, len, force, &err) != SCENMC_OK) {
        fprintf(stderr, "scenmc export: %s\n", err.msg);
        rc = cli_exit_code(err.code);
    }
    free(text);
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
static int check_folder(const char *dir, int force, const out_file *files, int n)
{
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "scenmc export: %s: exists and is not a folder\n", dir);
        return EXIT_USAGE;
    }
    int dir_exists = stat(dir, &st) == 0;
    for (int k = 0; k < n && dir_exists; k++) {
        /* Regular files only; existing ones only with --force. */
        char *path = csv_path(dir, &files[k]);
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

/* Refuses before reading: a JSON file already there without --force (status 2). */
static int check_json(const char *path, int force)
{
    if (!path || !strcmp(path, "-"))
        return 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    int exists = access(path, F_OK) == 0;
    if (scenmc__atomic_check(path, force, &err) == SCENMC_OK)
        return 0;
    fprintf(stderr, "scenmc export: %s\n", err.msg);
    return exists && !force ? EXIT_USAGE : 1;
}

/* The CSV files into dir and the JSON file; 0 or an exit code. */
static int write_outputs(const char *dir, const char *json, const char *file, const export_in *in,
                         const export_opts *o, int force, int quiet)
{
    out_file files[MAX_FILES];
    int n = plan_files(in, files), rc = 0;
    const char *model, *method;
    export_in_names(in, &model, &method);
    if (dir) {
        rc = check_folder(dir, force, files, n);
        if (!rc)
            rc = make_folder(dir);
        if (!rc)
            rc = write_all(dir, files, n, in, o);
        if (!rc && !quiet && !(json && !strcmp(json, "-")))
            printf("%s: %d CSV files written to %s (%s, %s)\n", file, n, dir, model, method);
    }
    if (!rc && json)
        rc = write_json(json, files, n, in, o, file, force);
    if (!rc && json && strcmp(json, "-") && !quiet)
        printf("%s: %d tables written to %s (%s, %s)\n", file, n, json, model, method);
    return rc;
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
    const char *dir = cli_value(&a, K_CSV), *json = cli_value(&a, K_JSON);
    int force = cli_flag(&a, CLI_K_FORCE), quiet = cli_flag(&a, CLI_K_QUIET);
    rc = take_options(&a, &o, &style);
    if (!rc)
        rc = cli_one_results_file("export", &a, &file);
    cli_args_free(&a);
    if (rc)
        return rc;
    if ((!dir || !*dir) && (!json || !*json))
        return cli_usage_error("export", "no output given; expected --csv DIR or --json FILE");
    if (dir && !*dir)
        return cli_usage_error("export", "--csv: an empty folder name");
    if (json && !*json)
        return cli_usage_error("export", "--json: an empty file name");
    /* A file in place of the folder: refused before reading; the CSV files
     * (which depend on the kind of file) once it is read. */
    out_file none[1];
    if ((dir && (rc = check_folder(dir, force, none, 0)) != 0) || (rc = check_json(json, force)) != 0)
        return rc;
    export_in in;
    if ((rc = export_in_read(file, &in)) != 0)
        return rc;
    export_set(&o, NULL);
    rc = write_outputs(dir, json, file, &in, &o, force, quiet);
    export_in_free(&in);
    return rc;
}
