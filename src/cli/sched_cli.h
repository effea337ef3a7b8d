/* The options of changes over time shared by run, exact, sweep and levers. */
#ifndef SCENMC_CLI_SCHED_CLI_H
#define SCENMC_CLI_SCHED_CLI_H

#include "cli/cli.h"

/* Adds every --trend, --push, --intervene and --shock of a to p's schedule
 * (made when there is none; the model file's changes come first). Returns
 * 0, or the exit code after printing the problems. */
int cli_schedule(const char *cmd, const cli_args *a, const scenmc_model *m, scenmc_params *p);

#endif
