/* Sweeps and cell sensitivity with common random numbers (scenmc_sweep_*, scenmc_sensitivity).
 * The functions are public API, declared in scenmc/sweep.h. */
#ifndef SCENMC_ENGINE_SWEEP_H
#define SCENMC_ENGINE_SWEEP_H

#include "scenmc/sweep.h"

#endif
