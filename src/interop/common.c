/* The steps every reader and writer of other tools' model files shares. */
#include "interop/common.h"
#include "interop/options.h"
#include "base/atomic_file.h"
#include "base/text.h"

#include <stdlib.h>

scenmc_status scenmc__import_text(const char *text, size_t len, const char *name,
                                 const char *why_1252, char **utf8, size_t *ulen, scenmc__notes *N,
                                 scenmc_error *err)
{
    int converted = 0;
    scenmc_status st = scenmc__text_to_utf8(text, len, name, utf8, ulen, &converted, err);
    if (st != SCENMC_OK)
        return st;
    scenmc__notes_open(N);
    if (converted)
        scenmc__note(N, "%s: not UTF-8; read as Windows-1252%s", name, why_1252 ? why_1252 : "");
    return SCENMC_OK;
}

scenmc_status scenmc__import_finish(scenmc_model *m, scenmc__notes *N, int before,
                                   scenmc_model **draft, char **notes, scenmc_error *err)
{
    if (!m || err->n_problems > before) {
        scenmc_model_free(m);
        scenmc__notes_close(N, NULL);
        return err->code ? err->code : SCENMC_E_INPUT;
    }
    scenmc__notes_close(N, notes);
    *draft = m;
    return SCENMC_OK;
}

const scenmc_export_options *scenmc__export_begin(const scenmc_export_options *opt,
                                                 scenmc_export_options *defaults, char **text,
                                                 size_t *len, char **notes)
{
    *text = NULL;
    if (len)
        *len = 0;
    if (notes)
        *notes = NULL;
    if (opt)
        return opt;
    scenmc_export_options_init(defaults);
    return defaults;
}

scenmc_status scenmc__export_write(scenmc__export_format_fn format, const char *path,
                                  const scenmc_model *m, const scenmc_export_options *opt,
                                  char **notes, scenmc_error *err)
{
    char *text = NULL;
    size_t len = 0;
    scenmc_status st = format(m, opt, &text, &len, notes, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc__write_text_file(path, text, len, opt && opt->force, err);
    free(text);
    return st;
}
