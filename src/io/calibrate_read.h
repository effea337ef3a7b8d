/* The calibration file read back (scenmc_calibration_read and
 * scenmc_calibration_file, declared in scenmc/calibrate.h). */
#ifndef SCENMC_IO_CALIBRATE_READ_H
#define SCENMC_IO_CALIBRATE_READ_H

#include "scenmc/calibrate.h"

#endif
