/* Writing JSON for info, consistent and report: strings escaped, numbers that
 * read back to the identical double, NaN and infinities as null (JSON has
 * neither). */
#ifndef SCENMC_CLI_JSON_OUT_H
#define SCENMC_CLI_JSON_OUT_H

#include "scenmc/scenmc.h"

#include <stdint.h>
#include <stdio.h>

/* A JSON string, or null for NULL. */
void json_string(FILE *f, const char *s);
/* A number (shortest exact form), or null when it is not finite. */
void json_number(FILE *f, double x);
/* "key": (the key escaped), preceded by ",\n" unless first, and indent spaces. */
void json_key(FILE *f, int first, int indent, const char *key);
/* {"ID": "variant", ...}: the variant of each descriptor in state s. */
void json_variants(FILE *f, const scenmc_model *m, const int *s);

#endif
