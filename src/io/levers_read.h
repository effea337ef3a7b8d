/* A levers file back into memory (scenmc report): /levers of
 * io/levers_write.c, without the model. */
#ifndef SCENMC_IO_LEVERS_READ_H
#define SCENMC_IO_LEVERS_READ_H

#include "scenmc/levers.h"

typedef struct scenmc__levers_file {
    scenmc_levers_result r; /* lever[].kind, defining, trivial, p_with, effect, se, ratio; order; pairs */
    char *model_name, *target, *baseline_schedule, *command_line;
    char *given;            /* the observations conditioned on, one a line (NULL or empty: none) */
    char **label;           /* [n_levers] "ID=variant" ("push ID=variant") */
    char **pair_label;      /* [n_pairs] */
} scenmc__levers_file;

/* 1 when path is an HDF5 file with /levers, else 0 (no message). */
int scenmc__levers_is_file(const char *path);
scenmc_status scenmc__levers_read(const char *path, scenmc__levers_file *f, scenmc_error *err);
void scenmc__levers_file_free(scenmc__levers_file *f);

#endif
