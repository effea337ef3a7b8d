/* The basins of attraction of CIB's global succession (scenmc_cib_basins
 * and the Wilson interval in scenmc/cib.h). */
#ifndef SCENMC_CIB_BASINS_H
#define SCENMC_CIB_BASINS_H

#include "scenmc/cib.h"

#endif
