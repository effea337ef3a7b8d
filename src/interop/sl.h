/* ScenarioWizard solution lists (.sl): read and compare (scenmc_sl_read and
 * scenmc_sl_compare are public, in scenmc/interop.h). */
#ifndef SCENMC_INTEROP_SL_H
#define SCENMC_INTEROP_SL_H

#include "scenmc/interop.h"

#include <stddef.h>

/* scenmc_sl_read from memory; name is used in messages. */
scenmc_status scenmc__sl_parse(const char *text, size_t len, const char *name,
                              const scenmc_model *m, scenmc_sl_solution **out, int *n,
                              scenmc_error *err);

#endif
