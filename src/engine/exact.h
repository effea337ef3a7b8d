/* The exact solver: uniformization on the product space (scenmc_exact, scenmc_exact_stationary).
 * The functions are public API, declared in scenmc/scenmc.h. */
#ifndef SCENMC_ENGINE_EXACT_H
#define SCENMC_ENGINE_EXACT_H

#include "scenmc/scenmc.h"

#endif
