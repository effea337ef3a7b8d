/* scenmc: models from and to other tools (docs/interop.md).
 *
 * - ScenarioWizard 4.0 model files (.scw): a cross-impact matrix with its
 *   descriptors and variants, as ScenarioWizard (Weimer-Jehle) saves them.
 * - CSV matrices (.csv): a square table whose first row and first column hold
 *   variant labels such as A1, A2, B1, ...: a cross-impact matrix (rows are the
 *   source, columns the target) or, on request, a symmetric consistency matrix.
 * - ScenarioWizard solution lists (.sl): the consistent scenarios it found,
 *   compared with those scenmc finds.
 *
 * Every imported model goes through the one validator there is: the reader
 * builds a draft model, writes it as a scenmc YAML model and parses that
 * text back (scenmc_model_parse). The model's text (and SHA-256) is
 * therefore that YAML, which is what result files embed and re-read.
 *
 * Errors in input files are reported as "FILE:LINE:COLUMN: what is wrong;
 * what was expected" (LINE and COLUMN 1-based, COLUMN counted in characters).
 * Things worth knowing that are not errors (self-impacts kept, names made up
 * for unnamed variants, text converted from Windows-1252) are returned as
 * notes: malloc'd text, one note per line, or NULL when there is none.
 */
#ifndef SCENMC_INTEROP_H
#define SCENMC_INTEROP_H

#include "scenmc/scenmc.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ formats */

typedef enum scenmc_file_format {
    SCENMC_FORMAT_YAML = 0, /* anything else: a scenmc model in YAML */
    SCENMC_FORMAT_SCW = 1,  /* name ends in .scw (any case) */
    SCENMC_FORMAT_CSV = 2   /* name ends in .csv (any case) */
} scenmc_file_format;

/* The format of a model file, from its name. */
scenmc_file_format scenmc_file_format_of(const char *path);

/* ------------------------------------------------------------ import */

typedef struct scenmc_import_options {
    /* CSV: read the matrix as a symmetric consistency matrix instead of a
     * cross-impact matrix. */
    int consistency;
    /* CSV: how labels form descriptors, "ID=LABEL,LABEL,...;ID=LABEL,..."
     * (e.g. "A=A1,A2,A3;B=B1,B2"); NULL groups the labels by their prefix,
     * the label without its trailing digits (A1, A2 -> descriptor A). */
    const char *descriptors;
    /* "ID1,ID2": one scenario per pair of variants of these two descriptors
     * (ids or names), named "ID1=v / ID2=w"; NULL: no scenarios. */
    const char *scenario_axes;
} scenmc_import_options;

void scenmc_import_options_init(scenmc_import_options *o);

/* Reads a .scw or .csv file (by its name; SCENMC_E_INPUT for any other) and
 * returns the validated model. opt may be NULL (defaults). m->text is the
 * generated YAML, m->path is path. notes may be NULL. */
scenmc_status scenmc_import_model(const char *path, const scenmc_import_options *opt,
                                  scenmc_model **out, char **notes, scenmc_error *err);

/* The same, returning also the YAML text (malloc'd, NUL-terminated) that
 * `scenmc import` writes; out may be NULL when only the text is wanted. */
scenmc_status scenmc_import_yaml(const char *path, const scenmc_import_options *opt,
                                 char **yaml, size_t *len, scenmc_model **out, char **notes,
                                 scenmc_error *err);

/* ------------------------------------------------------------ export */

typedef struct scenmc_export_options {
    int force;        /* overwrite an existing file */
    int crlf;         /* end lines with CR LF (default: LF, as the sample files) */
    int consistency;  /* CSV: write the consistency matrix even when there is a cross-impact one */
    int utf8;         /* .scw: write UTF-8 (default: Windows-1252 when every name fits it) */
} scenmc_export_options;

void scenmc_export_options_init(scenmc_export_options *o);

/* Writes the model as a ScenarioWizard 4.0 file: descriptor and variant
 * names, labels as descriptions, the cross-impact matrix (or, for a model
 * without one, the consistency matrix, which gives the same CIB-consistent
 * states). Matrix entries must be whole numbers (ScenarioWizard stores
 * integers). The file is written whole or not at all; an existing one is
 * replaced only with opt->force. */
scenmc_status scenmc_scw_write(const char *path, const scenmc_model *m,
                               const scenmc_export_options *opt, char **notes, scenmc_error *err);

/* Writes the model as a CSV matrix: the cross-impact matrix when it has one
 * (unless opt->consistency), else the consistency matrix; labels are the
 * variant names when they already group into the model's descriptors by
 * prefix, else "ID1", "ID2", ... (a note then gives the --descriptors map
 * that re-imports the file exactly). */
scenmc_status scenmc_csv_write(const char *path, const scenmc_model *m,
                               const scenmc_export_options *opt, char **notes, scenmc_error *err);

/* ------------------------------------------------------------ solution lists */

/* One scenario of a ScenarioWizard solution list (.sl). */
typedef struct scenmc_sl_solution {
    int *state;       /* [D] variant of each descriptor, 0-based */
    int line;         /* its line in the file */
    int n_values;     /* how many of the numbers after the state were given (0..4) */
    double values[4]; /* ScenarioWizard's columns after the state, in file order
                         (the fourth is the total impact score, TIS) */
    char *name;       /* the last, quoted column ("" when empty or absent) */
} scenmc_sl_solution;

/* Reads a solution list ("$ ScenarioWizard 3.0", "Solution set", the count,
 * then one line per scenario: " v1 v2 ... vD",W,C,I,TIS,"name" with 1-based
 * variants) and checks it against the model: D variants per scenario, each
 * within its descriptor's range, as many scenarios as the count says. */
scenmc_status scenmc_sl_read(const char *path, const scenmc_model *m, scenmc_sl_solution **out,
                             int *n, scenmc_error *err);
void scenmc_sl_free(scenmc_sl_solution *s, int n);

typedef struct scenmc_sl_comparison {
    int n_listed;           /* scenarios in the list */
    int n_duplicates;       /* of them, repeats of an earlier line */
    int n_both;             /* distinct listed scenarios that scenmc finds consistent too */
    int n_not_consistent;   /* distinct listed scenarios that scenmc finds inconsistent */
    uint64_t n_consistent;  /* consistent states scenmc finds */
    uint64_t n_missing;     /* consistent states the list does not have */
    int n_tis_differ;       /* listed total impact scores that differ from scenmc's */
    int uses_cross;         /* 1: the cross-impact matrix gave the balances; 0: consistency */
} scenmc_sl_comparison;

/* Compares the solution list at path with the CIB-consistent states of m
 * (include/scenmc/cib.h: the cross-impact matrix when m has one, self-impacts
 * counted). *report (malloc'd) says which listed scenarios scenmc finds
 * consistent too, which it does not (with their inconsistency), and which
 * consistent states the list lacks; *same is 1 exactly when the two sets are
 * equal. cmp (optional) receives the counts. */
scenmc_status scenmc_sl_compare(const scenmc_model *m, const char *path, char **report, int *same,
                                scenmc_error *err);
scenmc_status scenmc_sl_compare_ex(const scenmc_model *m, const char *path, char **report,
                                   int *same, scenmc_sl_comparison *cmp, scenmc_error *err);

#ifdef __cplusplus
}
#endif
#endif
