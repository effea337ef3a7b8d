/* The levers file of `scenmc levers` (docs/interventions.md, "The levers
 * file"): the results format's root attributes, /model and /params, then
 * /levers with the dimensions lever and pair. The entry point,
 * scenmc_levers_write, is declared in scenmc/levers.h. */
#ifndef SCENMC_IO_LEVERS_WRITE_H
#define SCENMC_IO_LEVERS_WRITE_H

#include "scenmc/levers.h"

#endif
