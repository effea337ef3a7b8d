/* Trends, interventions and shocks: the API is in scenmc/schedule.h. */
#ifndef SCENMC_MODEL_SCHEDULE_H
#define SCENMC_MODEL_SCHEDULE_H

#include "scenmc/schedule.h"

#endif
