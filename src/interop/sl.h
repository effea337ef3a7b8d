/* ScenarioWizard solution lists (.sl): read and compare (scenmc_sl_read, scenmc_sl_compare). */
#ifndef SCENMC_INTEROP_SL_H
#define SCENMC_INTEROP_SL_H

#include "scenmc/interop.h"

#endif
