/* The steps every reader and writer of other tools' model files shares:
 * their text read as UTF-8, the draft handed back with its notes, the
 * exported text written to its file. */
#ifndef SCENMC_INTEROP_COMMON_H
#define SCENMC_INTEROP_COMMON_H

#include "scenmc/interop.h"
#include "base/util.h"

#include <stddef.h>

/* The file's text as UTF-8 (scenmc__text_to_utf8) and the notes opened, with
 * "NAME: not UTF-8; read as Windows-1252" + why_1252 first when it was
 * converted. On failure nothing is left open. */
scenmc_status scenmc__import_text(const char *text, size_t len, const char *name,
                                 const char *why_1252, char **utf8, size_t *ulen, scenmc__notes *N,
                                 scenmc_error *err);

/* Hands a reader's draft m to *draft and its notes to *notes (may be NULL),
 * or, when m is NULL or err has more problems than before, frees both and
 * returns the error's code. */
scenmc_status scenmc__import_finish(scenmc_model *m, scenmc__notes *N, int before,
                                   scenmc_model **draft, char **notes, scenmc_error *err);

/* Clears an exporter's outputs (len and notes may be NULL); returns opt, or
 * the defaults in *defaults when opt is NULL. */
const scenmc_export_options *scenmc__export_begin(const scenmc_export_options *opt,
                                                 scenmc_export_options *defaults, char **text,
                                                 size_t *len, char **notes);

/* The text an exporter's format function makes, written to path whole or
 * not at all (replacing a file only with opt->force). */
typedef scenmc_status (*scenmc__export_format_fn)(const scenmc_model *m,
                                                 const scenmc_export_options *opt, char **text,
                                                 size_t *len, char **notes, scenmc_error *err);
scenmc_status scenmc__export_write(scenmc__export_format_fn format, const char *path,
                                  const scenmc_model *m, const scenmc_export_options *opt,
                                  char **notes, scenmc_error *err);

#endif
