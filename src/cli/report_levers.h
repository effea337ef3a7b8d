/* scenmc report on a levers file (scenmc levers): the target, the baseline,
 * the levers by effect and the best pair. */
#ifndef SCENMC_CLI_REPORT_LEVERS_H
#define SCENMC_CLI_REPORT_LEVERS_H

#include "cli/report_out.h"

/* 1 when path is a levers file: then its report is printed to o and *rc is
 * 0 or the exit code; 0 when it is not one (nothing printed). */
int report_levers_file(const out *o, const char *path, long top, int *rc);

#endif
