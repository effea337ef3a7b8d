/* scenmc consistent's tables for spreadsheets and programs: --csv and --json,
 * with the probability that a results file ends in each state (--results). */
#ifndef SCENMC_CLI_CONSISTENT_OUT_H
#define SCENMC_CLI_CONSISTENT_OUT_H

#include "cli/csv_out.h"
#include "cli/final_mass.h"
#include "scenmc/scenmc.h"

typedef struct cons_row {
    uint64_t index;
    double ic, k, tis;
} cons_row;

/* What consistent found, in the order listed. */
typedef struct cons_table {
    const scenmc_model *m;
    int uses_cross, show_k;
    double max_ic;
    uint64_t n_states, n_found;
    size_t n;              /* rows listed */
    const cons_row *rows;  /* [n] */
    const double *margins; /* [n][D] each descriptor's margin */
    /* --results: P(final state) of each row and over every state found. */
    const char *results;   /* the file, or NULL */
    const scenmc_results *r;
    const double *p, *se;  /* [n] */
    const final_mass *fm;
} cons_table;

/* The CSV and JSON texts (malloc'd, *len set), or NULL when out of memory. */
char *consistent_csv(const cons_table *t, const csv_style *st, size_t *len);
char *consistent_json(const cons_table *t, size_t *len);
/* Writes text to path ("-": stdout; a folder: FOLDER/consistent.csv or .json);
 * 0 or an exit code after saying why. */
int consistent_write(const char *path, const char *ext, const char *text, size_t len, int force);
/* The name of the scenario state s belongs to. */
const char *consistent_scenario(const scenmc_model *m, const int *s);

#endif
