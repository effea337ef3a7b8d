/* The tables of scenmc export as CSV: one writer per table, the name columns
 * with their --order and --labels companions, and the ensemble form (the
 * members' quantiles in place of count, probability and stderr). */
#ifndef SCENMC_CLI_EXPORT_TABLES_H
#define SCENMC_CLI_EXPORT_TABLES_H

#include "cli/csv_out.h"
#include "scenmc/reader.h"

/* What the user asked for beyond the plain tables. */
typedef struct export_opts {
    const csv_style *style;
    int order;  /* --order: model-order columns beside each name */
    int labels; /* --labels en: English label columns */
} export_opts;

/* The options every writer below follows; with e, export_table writes the
 * members' quantiles of each cell (q05 ... q95) instead of its values. */
void export_set(const export_opts *o, const scenmc_ensemble_data *e);
/* Table k of r with its header row. */
void export_table(csv *c, const scenmc_results *r, scenmc_table_id k);
/* key, value rows: the provenance and parameters of r. */
void export_metadata(csv *c, const scenmc_results *r, const scenmc_results_info *info);
/* Its first rows, for every kind of file: the header, the format, method,
 * engine, date, command line and model name. */
void export_provenance(csv *c, const scenmc_results_info *info, const scenmc_model *m);
void export_kv(csv *c, const char *key, const char *value);
void export_kv_u64(csv *c, const char *key, uint64_t x);
void export_kv_int(csv *c, const char *key, long x);
void export_kv_double(csv *c, const char *key, double x);

/* Pieces for other tables: a name column's header with its companions,
 * scenario s's columns, the value columns' header and cell i's values. */
void export_head_key(csv *c, const char *name);
void export_key_scen(csv *c, const scenmc_results *r, size_t s);
void export_value_header(csv *c, const scenmc_results *r);
void export_cell(csv *c, const scenmc_table *t, size_t i);
const char *export_scen_name(const scenmc_results *r, size_t s);
/* A name column: name, then (with --order, --labels) its 1-based position and label. */
void export_key(csv *c, const char *name, long order, const char *label);
/* The header "descriptor, variant" and their columns for descriptor d or
 * variant v (global index), each with its companions. */
void export_head_var(csv *c);
void export_key_desc(csv *c, const scenmc_model *m, int d);
void export_key_var(csv *c, const scenmc_model *m, size_t v);

#endif
