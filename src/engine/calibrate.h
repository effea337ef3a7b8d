/* Calibration over a design of parameter points (scenmc_calibrate). The
 * functions are public API, declared in scenmc/calibrate.h. */
#ifndef SCENMC_ENGINE_CALIBRATE_H
#define SCENMC_ENGINE_CALIBRATE_H

#include "scenmc/calibrate.h"

#endif
