/* One results struct for every method (table shapes, probabilities, standard
 * errors) and the mixed-radix numbering of states (scenmc_state_index,
 * scenmc_state_from_index), which every layer above shares. The API is in
 * scenmc/scenmc.h. */
#ifndef SCENMC_MODEL_RESULTS_H
#define SCENMC_MODEL_RESULTS_H

#include "scenmc/scenmc.h"

#endif
