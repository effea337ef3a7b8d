/* Ranges of trajectory indices and running the engine over them (scenmc_run_ranges). */
#ifndef SCENMC_ENGINE_RANGES_H
#define SCENMC_ENGINE_RANGES_H

#include "scenmc/hpc.h"

#endif
