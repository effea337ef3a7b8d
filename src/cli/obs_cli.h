/* The observation options shared by exact, run, signposts and calibrate. */
#ifndef SCENMC_CLI_OBS_CLI_H
#define SCENMC_CLI_OBS_CLI_H

#include "cli/cli.h"
#include "scenmc/observe.h"

/* Fills o (initialised here) from every --given and --observations in a,
 * checked against p's years (p->start is set from a file's start state).
 * Returns 0, or the exit code after printing the problems. */
int cli_observations(const char *cmd, const cli_args *a, const scenmc_model *m, scenmc_params *p,
                     scenmc_observations *o);

#endif
