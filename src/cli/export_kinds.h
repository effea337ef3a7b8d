/* scenmc export of ensembles, sweeps, sensitivity and derivative files: the tables beyond
 * one run's (docs/export.md). */
#ifndef SCENMC_CLI_EXPORT_KINDS_H
#define SCENMC_CLI_EXPORT_KINDS_H

#include "cli/export_tables.h"
#include "cli/results_src.h"

/* ensemble_members.csv: member, year, scenario, probability (each member's table). */
void export_members(csv *c, const scenmc_results *r, const scenmc_ensemble_data *e);
/* sweep_points.csv: point, one column per parameter. */
void export_sweep_points(csv *c, const scenmc_sweep_data *s);
/* sweep_scenario.csv: point, the parameters, year, scenario, [count], probability, [stderr]. */
void export_sweep_scenario(csv *c, const scenmc_sweep_data *s);
/* sensitivity.csv: one row per cell and scenario. */
void export_sensitivity(csv *c, const scenmc_model *m, const scenmc_sensitivity_result *s);
/* metadata.csv of a sensitivity file. */
void export_sensitivity_meta(csv *c, const results_src *s);
/* derivative.csv: one row per parameter x year x scenario (label, kind,
 * value, step, year, scenario, derivative, elasticity, [stderr]). */
void export_derivative(csv *c, const scenmc_model *m, const scenmc_derivatives *d, int year_start);
/* metadata.csv's first rows for a file of any kind but run and exact: the
 * header, provenance, years, seed, beta and weights. */
void export_params_meta(csv *c, const scenmc_results_info *info, const scenmc_model *m, const scenmc_params *p);
/* metadata.csv of a derivative file. */
void export_derivative_meta(csv *c, const results_src *s);

#endif
