/* The observations file (YAML, docs/model-format.md). CONTRACT STUB: the
 * obsfile task replaces this file. */
#include "model/observations.h"

scenmc_status scenmc_observations_load(scenmc_observations *o, const scenmc_model *m, const char *path,
                                       scenmc_error *err)
{
    (void)o;
    (void)m;
    return scenmc_error_add(err, SCENMC_E_INPUT, "%s: observations files are not read yet", path);
}
