/* Parameters: the model's defaults, overridden by the command line or a sweep
 * point. The API is in scenmc/scenmc.h (scenmc_params_same, which compares
 * two parameter sets for checkpoints and merges, is declared in scenmc/hpc.h). */
#ifndef SCENMC_MODEL_PARAMS_H
#define SCENMC_MODEL_PARAMS_H

#include "scenmc/scenmc.h"

/* scenmc_params_check without refusing a schedule of changes over time:
 * for the entry points that simulate one. */
scenmc_status scenmc__params_check_scheduled(const scenmc_params *p, scenmc_error *err);

#endif
