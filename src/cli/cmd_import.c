/* scenmc import: a ScenarioWizard .scw file or a CSV matrix -> an editable
 * scenmc YAML model. The conversion is in src/scw.c, src/csv_matrix.c and
 * src/model_write.c. */
#include "cli.h"
#include "scenmc/interop.h"
#include "base/atomic_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "import"

static const char head[] =
    "usage: scenmc import FILE.scw|FILE.csv -o MODEL.yaml [--force]\n"
    "                     [--scenario-axes ID1,ID2] [--descriptors MAP] [--consistency]\n\n"
    "Converts a ScenarioWizard 4.0 model (.scw) or a matrix in a CSV file into a\n"
    "scenmc model in YAML, one block per pair of descriptors with comments naming\n"
    "rows and columns, ready to edit and to check with 'scenmc validate'. Every\n"
    "command also reads .scw and .csv files directly (with the defaults below).\n\n";
enum { K_AXES = CLI_KEY_FIRST, K_DESCRIPTORS, K_CONSISTENCY };
static const cli_option options[] = {
    {"output", CLI_K_OUTPUT, 1, "  -o, --output MODEL.yaml   where to write the model ('-': standard output)\n"},
    {"force", CLI_K_FORCE, 0, "  --force                   overwrite MODEL.yaml if it exists\n"},
    {"scenario-axes", K_AXES, 1,
    "  --scenario-axes ID1,ID2   one scenario per pair of variants of these two\n"
    "                            descriptors (ids or names), named 'ID1=v / ID2=w';\n"
    "                            without it the model has no scenarios\n"},
    CLI_HELP("CSV files (a header row of variant labels, then one row per label):\n"),
    {"descriptors", K_DESCRIPTORS, 1,
    "  --descriptors MAP         which labels form which descriptor, e.g.\n"
    "                            'A=A1,A2,A3;B=B1,B2' (default: by label prefix,\n"
    "                            the label without its trailing digits)\n"},
    {"consistency", K_CONSISTENCY, 0,
    "  --consistency             the matrix is a symmetric consistency matrix\n"
    "                            (default: a cross-impact matrix, rows = source)\n"},
    CLI_END,
};
static const char foot[] =
    "\nYears 2020-2030, beta 0.5, rate 0.5 and the other defaults are scenmc's;\n"
    "see docs/interop.md for what is kept and what is not.\n"
    "Exit status: 0 ok, 1 the output cannot be written, 2 bad input or usage.\n";
static const cli_command command = {CMD, head, foot, options};

/* Takes the options in a into opt, out and force. */
static void take_options(const cli_args *a, scenmc_import_options *opt, const char **out, int *force)
{
    for (int k = 0; k < a->n_opts; k++) {
        switch (a->opts[k].key) {
        case CLI_K_OUTPUT: *out = a->opts[k].value; break;
        case K_AXES: opt->scenario_axes = a->opts[k].value; break;
        case K_DESCRIPTORS: opt->descriptors = a->opts[k].value; break;
        case CLI_K_FORCE: *force = 1; break;
        case K_CONSISTENCY: opt->consistency = 1; break;
        }
    }
}

int cmd_import(int argc, char **argv)
{
    scenmc_import_options opt;
    scenmc_import_options_init(&opt);
    const char *out = NULL;
    int force = 0;
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc == CLI_HELP_SHOWN ? 0 : rc;
    take_options(&a, &opt, &out, &force);
    const char *in = a.n_pos ? a.pos[0] : NULL;
    if (a.n_pos > 1)
        rc = cli_usage_error(CMD, "two input files ('%s' and '%s'); expected one", a.pos[0], a.pos[1]);
    cli_args_free(&a); /* the strings stay: they are argv's */
    if (rc)
        return rc;
    if (!in)
        return cli_usage_error(CMD, "no input file; expected FILE.scw or FILE.csv");
    if (!out)
        return cli_usage_error(CMD, "no output; expected -o MODEL.yaml (or -o - for standard "
                               "output)");
    scenmc_file_format fmt = scenmc_file_format_of(in);
    if (fmt == SCENMC_FORMAT_YAML)
        return cli_usage_error(CMD, "%s: expected a ScenarioWizard model (.scw) or a CSV matrix "
                               "(.csv)", in);
    if (fmt == SCENMC_FORMAT_SCW && (opt.consistency || opt.descriptors))
        return cli_usage_error(CMD, "--consistency and --descriptors apply to CSV files; %s is a "
                               "ScenarioWizard model (cross impacts, named descriptors)", in);
    int to_stdout = !strcmp(out, "-");
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!to_stdout && !force) {
        FILE *f = fopen(out, "r");
        if (f) {
            fclose(f);
            fprintf(stderr, "scenmc %s: %s: already exists; use --force to overwrite it\n", CMD,
                    out);
            return EXIT_USAGE; /* bad input, as in every command */
        }
    }
    char *yaml = NULL, *notes = NULL;
    size_t len = 0;
    scenmc_model *m = NULL;
    scenmc_status st = scenmc_import_yaml(in, &opt, &yaml, &len, &m, &notes, &err);
    if (st != SCENMC_OK) {
        cli_print_error(CMD, &err);
        return cli_exit_code(st);
    }
    cli_print_notes(CMD, notes);
    rc = 0;
    if (to_stdout) {
        if (fwrite(yaml, 1, len, stdout) != len) {
            fprintf(stderr, "scenmc %s: cannot write to standard output\n", CMD);
            rc = 1;
        }
    } else {
        st = scenmc__write_text_file(out, yaml, len, force, &err);
        if (st != SCENMC_OK) {
            cli_print_error(CMD, &err);
            rc = cli_exit_code(st);
        }
    }
    if (rc == 0) {
        FILE *f = to_stdout ? stderr : stdout;
        int self = m->n_self_impacts;
        fprintf(f, "%s: %d descriptors, %d variants, %s%s", in, m->n_descriptors,
                m->n_variants, m->cross_impact ? "cross-impact matrix" : "consistency matrix",
                m->n_scenarios ? "" : ", no scenarios");
        if (m->n_scenarios)
            fprintf(f, ", %d scenarios", m->n_scenarios);
        if (self)
            fprintf(f, ", %d self-impacts kept", self);
        fprintf(f, "\n");
        if (!to_stdout)
            fprintf(f, "wrote %s (check or edit it, then: scenmc validate %s)\n", out, out);
    }
    scenmc_model_free(m);
    free(yaml);
    free(notes);
    return rc;
}
