/* Trends, interventions and shocks: the API is in scenmc/schedule.h. */
#ifndef SCENMC_MODEL_SCHEDULE_H
#define SCENMC_MODEL_SCHEDULE_H

#include "scenmc/schedule.h"

/* SCENMC_E_LIMIT naming `what` (e.g. "the stationary solve") when p has
 * changes over time that it cannot take; SCENMC_OK otherwise. */
scenmc_status scenmc__schedule_unsupported(const scenmc_params *p, const char *what, scenmc_error *err);

#endif
