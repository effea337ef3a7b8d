/* The particle filter (scenmc_run_smc; its API is in scenmc/observe.h):
 * Monte Carlo conditioned on observations that stays effective when they are
 * rare, by resampling the particles at every observation year. */
#ifndef SCENMC_ENGINE_SMC_H
#define SCENMC_ENGINE_SMC_H

#include "scenmc/observe.h"

#endif
