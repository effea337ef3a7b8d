/* Drafts of models built by the importers (scenmc_model_draft_new, scenmc_model_build). */
#ifndef SCENMC_MODEL_DRAFT_H
#define SCENMC_MODEL_DRAFT_H

#include "scenmc/interop.h"

#endif
