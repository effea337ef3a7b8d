/* scenmc report's "Changes over time" section (issue 18). */
#ifndef SCENMC_CLI_REPORT_SCHEDULE_H
#define SCENMC_CLI_REPORT_SCHEDULE_H

#include "cli/report_out.h"
#include "scenmc/scenmc.h"

/* The trends, interventions and shocks the results were computed with, one
 * row each in the order they apply; nothing when there are none. */
void report_schedule(const out *o, const scenmc_model *m, const scenmc_params *p);

#endif
