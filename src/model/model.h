/* The model: loading a YAML model file (scenmc_model_parse) and the queries
 * on a loaded model (state count, total consistency, scenario of a state,
 * look-ups by id). The API is in scenmc/scenmc.h; below are the internal
 * helpers that the importers share with the loader. */
#ifndef SCENMC_MODEL_MODEL_H
#define SCENMC_MODEL_MODEL_H

#include "scenmc/scenmc.h"

/* Whether s is a valid descriptor or variant id: non-empty, of letters,
 * digits, '_' and '-'. */
int scenmc_model_valid_id(const char *s);

/* Frees the model's scenarios and leaves it with none. */
void scenmc_model_clear_scenarios(scenmc_model *m);

#endif
