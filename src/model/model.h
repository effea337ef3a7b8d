/* The model: loading a YAML model file (scenmc_model_parse) and the queries
 * on a loaded model (state count, total consistency, scenario of a state,
 * look-ups by id). The API is in scenmc/scenmc.h; nothing here is internal. */
#ifndef SCENMC_MODEL_MODEL_H
#define SCENMC_MODEL_MODEL_H

#include "scenmc/scenmc.h"

#endif
