/* CIB analysis: impact balances, consistency, enumeration, top lists, basins. */
#ifndef SCENMC_CIB_CIB_H
#define SCENMC_CIB_CIB_H

#include "scenmc/cib.h"

#endif
