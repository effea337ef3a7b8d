/* scenmc export-model: a model -> a ScenarioWizard .scw file or a CSV matrix
 * (src/scw.c, src/csv_matrix.c). */
#include "cli.h"
#include "cmd_interop.h"
#include "scenmc/interop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "export-model"

static const char help[] =
    "usage: scenmc export-model [MODEL] --scw FILE.scw [--force] [--crlf] [--utf8]\n"
    "       scenmc export-model [MODEL] --csv FILE.csv [--force] [--crlf] [--consistency]\n\n"
    "Writes a model (YAML, .scw or .csv; without MODEL the built-in Västernorrland\n"
    "model) for other tools:\n"
    "  --scw FILE.scw   a ScenarioWizard 4.0 model: names, labels as descriptions,\n"
    "                   and the cross-impact matrix (a model without one gets its\n"
    "                   consistency matrix, which has the same CIB-consistent\n"
    "                   states); entries must be whole numbers\n"
    "  --csv FILE.csv   the matrix as CSV: variant labels in the first row and\n"
    "                   column, rows = source; the cross-impact matrix when the\n"
    "                   model has one, else the consistency matrix\n"
    "  --consistency    (CSV) write the consistency matrix even when the model has\n"
    "                   a cross-impact matrix\n"
    "  --force          overwrite the file if it exists\n"
    "  --crlf           end lines with CR LF (default: LF, as the sample files)\n"
    "  --utf8           (.scw) write UTF-8 (default: Windows-1252 when every name\n"
    "                   fits it, as ScenarioWizard on Windows expects)\n\n"
    "'scenmc import' reads both back (docs/interop.md).\n"
    "Exit status: 0 ok, 1 the file cannot be written, 2 bad input or usage.\n";

int cmd_export_model(int argc, char **argv)
{
    scenmc_export_options opt;
    scenmc_export_options_init(&opt);
    const char *model = NULL, *scw = NULL, *csv = NULL;
    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return 0;
        }
        if ((v = cli_opt(argc, argv, &i, "--scw", &missing))) {
            scw = v;
        } else if (!missing && (v = cli_opt(argc, argv, &i, "--csv", &missing))) {
            csv = v;
        } else if (missing) {
            return cli_usage_error(CMD, "%s needs a value", argv[i]);
        } else if (!strcmp(argv[i], "--force")) {
            opt.force = 1;
        } else if (!strcmp(argv[i], "--crlf")) {
            opt.crlf = 1;
        } else if (!strcmp(argv[i], "--utf8")) {
            opt.utf8 = 1;
        } else if (!strcmp(argv[i], "--consistency")) {
            opt.consistency = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
        } else if (model) {
            return cli_usage_error(CMD, "two models ('%s' and '%s'); expected one", model, argv[i]);
        } else {
            model = argv[i];
        }
    }
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
    int rc = 0;
    scenmc_model *m = cli_load_model(CMD, model, &rc);
    if (!m)
        return rc;
    scenmc_error err;
    scenmc_error_clear(&err);
    char *notes = NULL;
    scenmc_status st = scw ? scenmc_scw_write(out, m, &opt, &notes, &err)
                           : scenmc_csv_write(out, m, &opt, &notes, &err);
    if (st != SCENMC_OK) {
        cli_print_error(CMD, &err);
        rc = cli_exit_code(st);
    } else {
        const char *p = notes;
        while (p && *p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            fprintf(stderr, "scenmc %s: note: %.*s\n", CMD, (int)n, p);
            p += n;
            if (*p == '\n')
                p++;
        }
        printf("wrote %s: %d descriptors, %d variants\n", out, m->n_descriptors, m->n_variants);
    }
    free(notes);
    scenmc_model_free(m);
    return rc;
}
