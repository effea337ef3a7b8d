/* scenmc export of a levers file (scenmc levers, docs/interventions.md): one
 * row per lever and per pair of holds, as tidy CSV (columns: docs/export.md). */
#ifndef SCENMC_CLI_EXPORT_LEVERS_H
#define SCENMC_CLI_EXPORT_LEVERS_H

#include "cli/export_tables.h"
#include "io/levers_read.h"

typedef struct export_levers {
    scenmc_model *m;
    scenmc_params base;
    scenmc_results_info info;
    scenmc__levers_file f;
    int *desc, *var; /* [n_levers] each lever's descriptor and variant (within it) */
} export_levers;

enum { EXPORT_LEV_LEVERS, EXPORT_LEV_PAIRS, EXPORT_LEV_META, EXPORT_LEV_N };

/* The file name (without .csv) of table k. */
extern const char *const export_lev_names[EXPORT_LEV_N];
/* 1 when path is a levers file (io/levers_read.h), else 0. */
int export_levers_is_file(const char *path);
/* Reads the levers file at path into x: 0, or the exit code after saying why
 * (x holds nothing then). */
int export_levers_read(const char *path, export_levers *x);
void export_levers_free(export_levers *x);
/* Whether the file has table k (the pairs only when it has pairs). */
int export_lev_has(const export_levers *x, int k);
/* Table k with its header row. */
void export_lev_table(csv *c, const export_levers *x, int k);

#endif
