/* ScenarioWizard .scw models in and out (scenmc__scw_read_draft, scenmc__scw_format;
 * scenmc_scw_write is public, in scenmc/interop.h). */
#ifndef SCENMC_INTEROP_SCW_H
#define SCENMC_INTEROP_SCW_H

#include "scenmc/interop.h"

#include <stddef.h>

/* Reads a .scw model from memory; name is used in messages. Returns a draft
 * (model/draft.h), not yet validated; free it with scenmc_model_free. */
scenmc_status scenmc__scw_read_draft(const char *text, size_t len, const char *name,
                                    scenmc_model **draft, char **notes, scenmc_error *err);

/* The model as the text of a ScenarioWizard 4.0 file (what scenmc_scw_write
 * writes): descriptor and variant names, labels as descriptions, the
 * cross-impact matrix (or, for a model without one, the consistency matrix,
 * which gives the same CIB-consistent states). Matrix entries must be whole
 * numbers (ScenarioWizard stores integers). */
scenmc_status scenmc__scw_format(const scenmc_model *m, const scenmc_export_options *opt,
                                char **text, size_t *len, char **notes, scenmc_error *err);

#endif
