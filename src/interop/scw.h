/* ScenarioWizard .scw models in and out (scenmc_scw_read_draft, scenmc_scw_format). */
#ifndef SCENMC_INTEROP_SCW_H
#define SCENMC_INTEROP_SCW_H

#include "scenmc/interop.h"

#endif
