/* scenmc report of a calibration file (scenmc calibrate). */
#ifndef SCENMC_CLI_REPORT_CALIBRATE_H
#define SCENMC_CLI_REPORT_CALIBRATE_H

#include "cli/report_out.h"

/* The observations, the parameters' posterior, the most probable points (top
 * of them) and the posterior-predictive scenario probabilities; 0 or an exit
 * code after saying why. */
int report_calibrate(const out *o, const char *file, int top);

#endif
