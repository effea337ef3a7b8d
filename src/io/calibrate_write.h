/* The calibration file of `scenmc calibrate` (docs/signposts.md, section 5).
 * The entry point, scenmc_calibration_write, is declared in scenmc/calibrate.h. */
#ifndef SCENMC_IO_CALIBRATE_WRITE_H
#define SCENMC_IO_CALIBRATE_WRITE_H

#include "scenmc/calibrate.h"

#endif
