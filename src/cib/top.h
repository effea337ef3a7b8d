/* The states of highest total consistency K(s) (scenmc_cib_top in
 * scenmc/cib.h). */
#ifndef SCENMC_CIB_TOP_H
#define SCENMC_CIB_TOP_H

#include "scenmc/cib.h"

#endif
