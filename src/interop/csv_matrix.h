/* CSV matrices in and out (scenmc__csv_read_draft, scenmc__csv_format;
 * scenmc_csv_write is public, in scenmc/interop.h). */
#ifndef SCENMC_INTEROP_CSV_MATRIX_H
#define SCENMC_INTEROP_CSV_MATRIX_H

#include "scenmc/interop.h"

#include <stddef.h>

/* Reads a CSV matrix from memory; name is used in messages, opt may be NULL
 * (defaults). Returns a draft (model/draft.h), not yet validated; free it
 * with scenmc_model_free. */
scenmc_status scenmc__csv_read_draft(const char *text, size_t len, const char *name,
                                    const scenmc_import_options *opt, scenmc_model **draft,
                                    char **notes, scenmc_error *err);

/* The model as the text of a CSV matrix (what scenmc_csv_write writes): the
 * cross-impact matrix when it has one (unless opt->consistency), else the
 * consistency matrix; labels are the variant names when they already group
 * into the model's descriptors by prefix, else "ID1", "ID2", ... (a note then
 * gives the --descriptors map that re-imports the file exactly). */
scenmc_status scenmc__csv_format(const scenmc_model *m, const scenmc_export_options *opt,
                                char **text, size_t *len, char **notes, scenmc_error *err);

#endif
