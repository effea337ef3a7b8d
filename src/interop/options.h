/* Defaults of the importers' and exporters' options (scenmc_import_options_init,
 * scenmc_export_options_init). */
#ifndef SCENMC_INTEROP_OPTIONS_H
#define SCENMC_INTEROP_OPTIONS_H

#include "scenmc/interop.h"

#endif
