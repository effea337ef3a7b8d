/* scenmc export of a calibration file (scenmc calibrate, docs/signposts.md
 * section 5): the design points with their likelihood, prior and posterior,
 * the parameters' posterior, the posterior-predictive scenario probabilities,
 * each point's scenario probabilities and the observations, as tidy CSV
 * (columns: docs/export.md). */
#ifndef SCENMC_CLI_EXPORT_CALIBRATE_H
#define SCENMC_CLI_EXPORT_CALIBRATE_H

#include "cli/export_tables.h"
#include "scenmc/calibrate.h"

typedef struct export_calib {
    scenmc_model *m;
    scenmc_params base;
    scenmc_observations obs;
    scenmc_calibration c;
    scenmc_results_info info;
} export_calib;

enum { EXPORT_CAL_POINTS, EXPORT_CAL_PARAMETERS, EXPORT_CAL_PREDICTIVE, EXPORT_CAL_POINT_SCENARIO,
       EXPORT_CAL_OBSERVATIONS, EXPORT_CAL_META, EXPORT_CAL_N };

/* The file name (without .csv) of table k. */
extern const char *const export_cal_names[EXPORT_CAL_N];
/* Reads the calibration file at path into x: 0, or the exit code after
 * saying why (x holds nothing then). */
int export_calib_read(const char *path, export_calib *x);
void export_calib_free(export_calib *x);
/* Table k with its header row. */
void export_cal_table(csv *c, const export_calib *x, int k);

#endif
