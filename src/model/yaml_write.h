/* A model as YAML text (scenmc_model_to_yaml). */
#ifndef SCENMC_MODEL_YAML_WRITE_H
#define SCENMC_MODEL_YAML_WRITE_H

#include "scenmc/interop.h"

#endif
