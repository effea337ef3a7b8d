/* A model as YAML text (scenmc__model_to_yaml). */
#ifndef SCENMC_MODEL_YAML_WRITE_H
#define SCENMC_MODEL_YAML_WRITE_H

#include "scenmc/scenmc.h"

#include <stddef.h>

/* Writes a model (a loaded one or a draft, model/draft.h) as scenmc YAML: the
 * descriptors, one consistency block per scored pair of descriptors, one
 * cross-impact block per ordered pair of different descriptors (and per
 * descriptor with itself when it has non-zero self-impacts), bias, scenarios
 * and defaults, every matrix row commented with its variant and every block
 * with its columns. comment (or NULL) opens the file, one "# " line per line
 * of it. */
scenmc_status scenmc__model_to_yaml(const scenmc_model *m, const char *comment, char **yaml,
                                   size_t *len, scenmc_error *err);

struct scenmc_change;
/* Whether a trend is a push: the four knots (first - 1: 0, first: B, last: B,
 * last + 1: 0) that --push and a model file's `years` with one bias make. */
int scenmc__change_is_push(const struct scenmc_change *c);

#endif
