/* Import dispatch: a model file of any supported format (YAML, ScenarioWizard
 * .scw, CSV matrices) to a model, by its extension. */
#include "interop/import.h"
#include "interop/csv_matrix.h"
#include "interop/scw.h"
#include "model/draft.h"
#include "base/text.h"
#include "base/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ formats, options */

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)s[n - k + i]) != tolower((unsigned char)suffix[i]))
            return 0;
    return 1;
}

scenmc_file_format scenmc_file_format_of(const char *path)
{
    if (ends_with_ci(path, ".scw"))
        return SCENMC_FORMAT_SCW;
    if (ends_with_ci(path, ".csv"))
        return SCENMC_FORMAT_CSV;
    return SCENMC_FORMAT_YAML;
}

/* ------------------------------------------------------------ import */

scenmc_status scenmc_import_yaml(const char *path, const scenmc_import_options *opt,
                                 char **yaml, size_t *len, scenmc_model **out, char **notes,
                                 scenmc_error *err)
{
    if (yaml)
        *yaml = NULL;
    if (len)
        *len = 0;
    if (out)
        *out = NULL;
    if (notes)
        *notes = NULL;
    scenmc_import_options defaults;
    if (!opt) {
        scenmc_import_options_init(&defaults);
        opt = &defaults;
    }
    scenmc_file_format fmt = scenmc_file_format_of(path);
    if (fmt == SCENMC_FORMAT_YAML)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: not a .scw or .csv file; expected a "
                                "ScenarioWizard model (.scw) or a CSV matrix (.csv)", path);
    if (fmt == SCENMC_FORMAT_SCW && (opt->consistency || opt->descriptors))
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: --consistency and --descriptors apply to "
                                "CSV matrices; a .scw file names its descriptors and holds cross "
                                "impacts", path);
    char *raw = NULL;
    size_t raw_len = 0;
    scenmc_status st = scenmc__read_file(path, SCENMC_MAX_FILE_BYTES, &raw, &raw_len, err);
    if (st != SCENMC_OK)
        return st;
    scenmc_model *draft = NULL;
    if (fmt == SCENMC_FORMAT_SCW)
        st = scenmc__scw_read_draft(raw, raw_len, path, &draft, notes, err);
    else
        st = scenmc__csv_read_draft(raw, raw_len, path, opt, &draft, notes, err);
    free(raw);
    if (st != SCENMC_OK)
        return st;

    char comment[2048];
    const char *base = scenmc__path_base(path);
    if (fmt == SCENMC_FORMAT_SCW)
        snprintf(comment, sizeof comment,
                 "%s: a ScenarioWizard 4.0 model, converted by 'scenmc import'.\n"
                 "The cross-impact matrix is ScenarioWizard's: rows are the source (impacting)\n"
                 "variant, columns the target (impacted) one. A descriptor's block on itself\n"
                 "appears only where the file has non-zero self-impacts; they are kept, as\n"
                 "ScenarioWizard counts them. Years, scale, scenarios and defaults are scenmc's\n"
                 "own (docs/interop.md): edit them as needed and check with 'scenmc validate'.",
                 base);
    else
        snprintf(comment, sizeof comment,
                 "%s: a %s from a CSV file, converted by 'scenmc import'.\n"
                 "Years, scale, scenarios and defaults are scenmc's own (docs/interop.md): edit\n"
                 "them as needed and check with 'scenmc validate'.",
                 base, opt->consistency ? "symmetric consistency matrix"
                                        : "cross-impact matrix (rows: source, columns: target)");
    st = scenmc__model_build(draft, opt->scenario_axes, comment, path, yaml, len, out, err);
    scenmc_model_free(draft);
    if (st != SCENMC_OK && notes) {
        free(*notes);
        *notes = NULL;
    }
    return st;
}

scenmc_status scenmc_import_model(const char *path, const scenmc_import_options *opt,
                                  scenmc_model **out, char **notes, scenmc_error *err)
{
    return scenmc_import_yaml(path, opt, NULL, NULL, out, notes, err);
}

scenmc_status scenmc_model_load(const char *path, scenmc_model **out, scenmc_error *err)
{
    *out = NULL;
    /* ScenarioWizard .scw and CSV matrices: converted to YAML and parsed (model/draft.c). */
    if (scenmc_file_format_of(path) != SCENMC_FORMAT_YAML)
        return scenmc_import_model(path, NULL, out, NULL, err);
    char *text = NULL;
    size_t len = 0;
    scenmc_status st = scenmc__read_file(path, SCENMC_MAX_FILE_BYTES, &text, &len, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc_model_parse(text, len, path, out, err);
    free(text);
    return st;
}

