/* The observations file (YAML): scenmc_observations_load, declared in
 * scenmc/observe.h. */
#ifndef SCENMC_MODEL_OBS_FILE_H
#define SCENMC_MODEL_OBS_FILE_H

#include "scenmc/observe.h"

#endif
