/* scenmc report --json: the report's content for programs (docs/export.md). */
#ifndef SCENMC_CLI_REPORT_JSON_H
#define SCENMC_CLI_REPORT_JSON_H

#include "scenmc/reader.h"

#include <stdio.h>

/* Writes the JSON of results file `file` to f: provenance, the scenario
 * probabilities per year, the top final states, the CIB-consistent mass and,
 * for an ensemble (e not NULL), the members' quantiles of the scenario table. */
void report_json(FILE *f, const char *file, const scenmc_results *r,
                 const scenmc_results_info *info, const scenmc_ensemble_data *e, int top);

#endif
