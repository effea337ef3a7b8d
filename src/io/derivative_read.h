/* The derivative file of `scenmc sensitivity --method exact|score` back into
 * memory: the inverse of io/derivative_write.c. The entry point,
 * scenmc_derivatives_read, is declared in scenmc/reader.h. */
#ifndef SCENMC_IO_DERIVATIVE_READ_H
#define SCENMC_IO_DERIVATIVE_READ_H

#include "scenmc/reader.h"

#endif
