/* Enumeration of the states with IC <= K (scenmc_cib_enumerate in
 * scenmc/cib.h): pruned search or full sweep, over the walk of walk.h. */
#ifndef SCENMC_CIB_ENUMERATE_H
#define SCENMC_CIB_ENUMERATE_H

#include "scenmc/cib.h"

#endif
