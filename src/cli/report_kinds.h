/* scenmc report of ensembles, sweeps, sensitivity and derivative files. */
#ifndef SCENMC_CLI_REPORT_KINDS_H
#define SCENMC_CLI_REPORT_KINDS_H

#include "cli/report_out.h"
#include "cli/results_src.h"

/* The judgement-uncertainty section of an ensemble: per scenario in the final
 * year the pooled estimate ± its standard error beside the members' 5-50-95%
 * quantiles, and which of the two dominates. */
void report_ensemble(const out *o, const scenmc_results *r, const scenmc_ensemble_data *e);
/* A sweep: its design and, per point, the final-year scenario probabilities. */
void report_sweep(const out *o, const results_src *s);
/* A sensitivity file: the cells of largest effect on the final scenarios. */
void report_sensitivity(const out *o, const results_src *s, int top);
/* A derivative file: the parameters of largest elasticity on the final
 * year's scenario probabilities, with standard errors when present. */
void report_derivative(const out *o, const results_src *s, int top);
/* The level's index among e's quantile levels, or -1. */
int report_quantile_index(const scenmc_ensemble_data *e, double level);

#endif
