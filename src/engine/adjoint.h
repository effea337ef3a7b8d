/* Exact derivatives of the scenario probabilities by reverse-mode (adjoint)
 * differentiation of the exact solver's uniformization series
 * (docs/sensitivity.md, "Exact method"). The entry point,
 * scenmc_exact_derivatives, is declared in scenmc/derivative.h. */
#ifndef SCENMC_ENGINE_ADJOINT_H
#define SCENMC_ENGINE_ADJOINT_H

#include "scenmc/derivative.h"

#endif
