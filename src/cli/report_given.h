/* scenmc report of results conditioned on observations (docs/signposts.md):
 * the "Conditioned on" section and its JSON. */
#ifndef SCENMC_CLI_REPORT_GIVEN_H
#define SCENMC_CLI_REPORT_GIVEN_H

#include "cli/report_out.h"
#include "scenmc/scenmc.h"

#include <stdio.h>

/* The effective sample size below which the report warns that conditioned
 * Monte Carlo estimates rest on few trajectories: under REPORT_ESS_MIN, or
 * under REPORT_ESS_FRACTION of the trajectories. */
#define REPORT_ESS_MIN 1000.0
#define REPORT_ESS_FRACTION 0.01

/* Whether r is Monte Carlo conditioned with an effective sample size that small. */
int report_ess_small(const scenmc_results *r);

/* "Conditioned on": the observations (year, descriptor, what was seen, where
 * it was given), the observed start state, the evidence (exact, or the Monte
 * Carlo estimate ± its standard error), the effective sample size and, when
 * it is small, a warning that suggests `scenmc run --smc`. Nothing when r is
 * not conditioned. */
void report_given(const out *o, const scenmc_results *r);

/* The same as the JSON member "conditioned" (docs/export.md), preceded by
 * ",\n"; nothing when r is not conditioned. */
void report_given_json(FILE *f, const scenmc_results *r);

#endif
