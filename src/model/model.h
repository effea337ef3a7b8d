/* The model: loading a YAML model file (scenmc_model_parse) and the queries
 * on a loaded model (state count, total consistency, scenario of a state,
 * look-ups by id). The API is in scenmc/scenmc.h; below are the internal
 * helpers that the importers share with the loader. */
#ifndef SCENMC_MODEL_MODEL_H
#define SCENMC_MODEL_MODEL_H

#include "scenmc/scenmc.h"

#include <yaml.h>

/* The largest magnitude of any number of the dynamics (scores, scale bounds,
 * rates, biases, beta, weights): sums and products of them stay finite and
 * the consistency histogram's bin count fits an int. */
#define SCENMC__MAX_MAGNITUDE 1e6

/* The defaults of the dynamics when a model file gives none (docs/model.md,
 * section 5): beta 0.5, weights 1, rate 0.5, 10^6 trajectories, seed 1. */
void scenmc__model_set_defaults(scenmc_model *m);
/* Frees the model's scenarios and leaves it with none. */
void scenmc__model_clear_scenarios(scenmc_model *m);
/* libyaml's parser failure as an error: FILE:LINE:COLUMN and libyaml's problem
 * (SCENMC_E_INPUT), or out of memory (SCENMC_E_NOMEM) when libyaml ran out. */
scenmc_status scenmc__yaml_problem(const yaml_parser_t *p, const char *file,
                                   const unsigned char *text, size_t len, scenmc_error *err);

#endif
