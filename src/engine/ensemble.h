/* Judgement-uncertainty ensembles (scenmc_run_ensemble).
 * The functions are public API, declared in scenmc/scenmc.h. */
#ifndef SCENMC_ENGINE_ENSEMBLE_H
#define SCENMC_ENGINE_ENSEMBLE_H

#include "scenmc/scenmc.h"

#endif
