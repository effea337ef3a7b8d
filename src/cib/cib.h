/* The CIB layer as a whole, for callers outside it: the API of
 * scenmc/cib.h, implemented in balance.c (impact balances, inconsistency,
 * succession steps), enumerate.c, top.c and basins.c over walk.c. */
#ifndef SCENMC_CIB_CIB_H
#define SCENMC_CIB_CIB_H

#include "scenmc/cib.h"

#endif
