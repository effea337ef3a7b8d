/* Observations: the set and its likelihood (the API is in scenmc/observe.h;
 * the YAML observations file is read by obs_file.c). */
#ifndef SCENMC_MODEL_OBSERVATIONS_H
#define SCENMC_MODEL_OBSERVATIONS_H

#include "scenmc/observe.h"

/* Descriptor d's variant named by ref (id, name or 1-based number), or -1. */
int scenmc__variant_ref(const scenmc_model *m, int d, const char *ref);

#endif
