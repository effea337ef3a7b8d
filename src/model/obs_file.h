/* The observations file (YAML, docs/model-format.md): scenmc_observations_load,
 * declared in scenmc/observe.h, and its in-memory form for tests and fuzzing. */
#ifndef SCENMC_MODEL_OBS_FILE_H
#define SCENMC_MODEL_OBS_FILE_H

#include "scenmc/observe.h"

#include <stddef.h>

/* Parses the text of an observations file (file: its name in messages and in
 * each observation's `where`) and appends its observations and start state
 * to o, all or nothing: on failure o is as it was and err names every
 * problem found as FILE:LINE:COLUMN. */
scenmc_status scenmc__observations_parse(scenmc_observations *o, const scenmc_model *m, const char *text,
                                         size_t len, const char *file, scenmc_error *err);

#endif
