/* The derivative file of `scenmc sensitivity --method exact|score`
 * (docs/sensitivity.md, "The derivative file"): the results format's root
 * attributes, /model and /params, then /derivative with named dimensions.
 * The entry point, scenmc_derivatives_write, is declared in
 * scenmc/derivative.h. */
#ifndef SCENMC_IO_DERIVATIVE_WRITE_H
#define SCENMC_IO_DERIVATIVE_WRITE_H

#include "scenmc/derivative.h"

#endif
