/* The list of changes over time: the public part is in scenmc/schedule.h. */
#ifndef SCENMC_MODEL_SCHEDULE_LIST_H
#define SCENMC_MODEL_SCHEDULE_LIST_H

#include "scenmc/schedule.h"

/* Frees what one change owns (not the change itself). */
void scenmc__change_free(scenmc_change *c);
/* Appends c to s, taking over what it owns (scenmc_schedule_add copies). */
void scenmc__schedule_take(scenmc_schedule *s, const scenmc_change *c);

#endif
