/* scenmc export-model: a model -> a ScenarioWizard .scw file or a CSV matrix
 * (src/scw.c, src/csv_matrix.c). */
#include "cli.h"
#include "scenmc/interop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "export-model"

static const char head[] =
    "usage: scenmc export-model [MODEL] --scw FILE.scw [--force] [--crlf] [--utf8]\n"
    "       scenmc export-model [MODEL] --csv FILE.csv [--force] [--crlf] [--consistency]\n\n"
    "Writes a model (YAML, .scw or .csv; without MODEL the built-in Västernorrland\n"
    "model) for other tools:\n";
enum { K_SCW = CLI_KEY_FIRST, K_CSV, K_CONSISTENCY, K_CRLF, K_UTF8 };
static const cli_option options[] = {
    {"scw", K_SCW, 1,
    "  --scw FILE.scw   a ScenarioWizard 4.0 model: names, labels as descriptions,\n"
    "                   and the cross-impact matrix (a model without one gets its\n"
    "                   consistency matrix, which has the same CIB-consistent\n"
    "                   states); entries must be whole numbers\n"},
    {"csv", K_CSV, 1,
    "  --csv FILE.csv   the matrix as CSV: variant labels in the first row and\n"
    "                   column, rows = source; the cross-impact matrix when the\n"
    "                   model has one, else the consistency matrix\n"},
    {"consistency", K_CONSISTENCY, 0,
    "  --consistency    (CSV) write the consistency matrix even when the model has\n"
    "                   a cross-impact matrix\n"},
    {"force", CLI_K_FORCE, 0, "  --force          overwrite the file if it exists\n"},
    {"crlf", K_CRLF, 0, "  --crlf           end lines with CR LF (default: LF, as the sample files)\n"},
    {"utf8", K_UTF8, 0,
    "  --utf8           (.scw) write UTF-8 (default: Windows-1252 when every name\n"
    "                   fits it, as ScenarioWizard on Windows expects)\n"},
    CLI_END,
};
static const char foot[] =
    "\n'scenmc import' reads both back (docs/interop.md).\n"
    "Exit status: 0 ok, 1 the file cannot be written, 2 bad input or usage.\n";
static const cli_command command = {CMD, head, foot, options};

/* Takes the options in a into opt, scw and csv. */
static void take_options(const cli_args *a, scenmc_export_options *opt, const char **scw,
                         const char **csv)
{
    for (int k = 0; k < a->n_opts; k++) {
        switch (a->opts[k].key) {
        case K_SCW: *scw = a->opts[k].value; break;
        case K_CSV: *csv = a->opts[k].value; break;
        case CLI_K_FORCE: opt->force = 1; break;
        case K_CRLF: opt->crlf = 1; break;
        case K_UTF8: opt->utf8 = 1; break;
        case K_CONSISTENCY: opt->consistency = 1; break;
        }
    }
}

int cmd_export_model(int argc, char **argv)
{
    scenmc_export_options opt;
    scenmc_export_options_init(&opt);
    const char *scw = NULL, *csv = NULL;
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc == CLI_HELP_SHOWN ? 0 : rc;
    take_options(&a, &opt, &scw, &csv);
    const char *model = a.n_pos ? a.pos[0] : NULL;
    if (a.n_pos > 1)
        rc = cli_usage_error(CMD, "two models ('%s' and '%s'); expected one", a.pos[0], a.pos[1]);
    cli_args_free(&a); /* the strings stay: they are argv's */
    if (rc)
        return rc;
    if (!scw == !csv)
        return cli_usage_error(CMD, "expected exactly one of --scw FILE.scw and --csv FILE.csv");
    if (scw && opt.consistency)
        return cli_usage_error(CMD, "--consistency applies to --csv");
    if (csv && opt.utf8)
        return cli_usage_error(CMD, "--utf8 applies to --scw (CSV files are always UTF-8)");
    const char *out = scw ? scw : csv;
    if (scenmc_file_format_of(out) != (scw ? SCENMC_FORMAT_SCW : SCENMC_FORMAT_CSV))
        return cli_usage_error(CMD, "%s: expected a name ending in %s, so that scenmc and other "
                               "tools recognise it", out, scw ? ".scw" : ".csv");
    scenmc_model *m = cli_load_model(CMD, model, &rc);
    if (!m)
        return rc;
    scenmc_error err;
    scenmc_error_clear(&err);
    char *notes = NULL;
    int in_the_way = !opt.force && access(out, F_OK) == 0; /* bad input: status 2, as everywhere */
    scenmc_status st = scw ? scenmc_scw_write(out, m, &opt, &notes, &err)
                           : scenmc_csv_write(out, m, &opt, &notes, &err);
    if (st != SCENMC_OK) {
        cli_print_error(CMD, &err);
        rc = in_the_way ? EXIT_USAGE : cli_exit_code(st);
    } else {
        cli_print_notes(CMD, notes);
        printf("wrote %s: %d descriptors, %d variants\n", out, m->n_descriptors, m->n_variants);
    }
    free(notes);
    scenmc_model_free(m);
    return rc;
}
