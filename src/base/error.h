/* Errors: codes and messages collected in a scenmc_error.
 * The functions are public API, declared in scenmc/scenmc.h. */
#ifndef SCENMC_BASE_ERROR_H
#define SCENMC_BASE_ERROR_H

#include "scenmc/scenmc.h"

#endif
