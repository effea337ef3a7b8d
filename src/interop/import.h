/* Import dispatch by file extension (scenmc_import_yaml, scenmc_model_load). */
#ifndef SCENMC_INTEROP_IMPORT_H
#define SCENMC_INTEROP_IMPORT_H

#include "scenmc/interop.h"

#endif
