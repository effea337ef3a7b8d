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
 * builds a *draft* (a scenmc_model with only the fields a model file can set),
 * scenmc_model_to_yaml writes it as a scenmc YAML model, and
 * scenmc_model_parse reads that text back. The model's text (and SHA-256) is
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

/* The readers, from memory. name is used in messages. They return a draft
 * (see scenmc_model_build), not yet validated; free it with scenmc_model_free. */
scenmc_status scenmc_scw_read_draft(const char *text, size_t len, const char *name,
                                    scenmc_model **draft, char **notes, scenmc_error *err);
scenmc_status scenmc_csv_read_draft(const char *text, size_t len, const char *name,
                                    const scenmc_import_options *opt, scenmc_model **draft,
                                    char **notes, scenmc_error *err);

/* ------------------------------------------------------------ drafts and YAML */

/* A draft is a scenmc_model with these fields set (all malloc'd, so that
 * scenmc_model_free frees it): name; description, source (or NULL);
 * year_start, year_end; scale_c, scale_x; n_descriptors and descriptors[]
 * (id or NULL, name, label or NULL, n_variants, offset, rate (<= 0: none),
 * initial or NULL); n_variants, variant_name[V], and optionally
 * variant_id[V], variant_label[V] (arrays or entries NULL); consistency and
 * scored (V*V, or NULL: no consistency matrix); cross_impact (V*V or NULL);
 * bias (V or NULL); scenarios; the defaults beta, w_consistency, w_cross,
 * rate, trajectories, seed and start (or NULL). scenmc_model_draft_new
 * allocates one with those defaults (years 2020-2030, scales [-3, 3] and
 * [-20, 20], beta 0.5, rate 0.5, weights 1, 1000000 trajectories, seed 1) and
 * the descriptor and variant arrays (names NULL, offsets set). */
scenmc_model *scenmc_model_draft_new(int n_descriptors, const int *n_variants);

/* Writes a model (a loaded one or a draft) as scenmc YAML: the descriptors,
 * one consistency block per scored pair of descriptors, one cross-impact block
 * per ordered pair of different descriptors (and per descriptor with itself
 * when it has non-zero self-impacts), bias, scenarios and defaults, every
 * matrix row commented with its variant and every block with its columns.
 * comment (or NULL) opens the file, one "# " line per line of it. */
scenmc_status scenmc_model_to_yaml(const scenmc_model *m, const char *comment, char **yaml,
                                   size_t *len, scenmc_error *err);

/* Completes and validates a draft: gives descriptors without an id one made
 * from their name (letters, digits, '_' and '-'; unique), adds the scenario
 * cross of scenario_axes ("ID1,ID2" or NULL), writes the YAML (comment as for
 * scenmc_model_to_yaml) and parses it. The draft is modified (ids,
 * scenarios). yaml and len may be NULL; out may be NULL. Messages about the
 * YAML itself name "NAME (as YAML)". */
scenmc_status scenmc_model_build(scenmc_model *draft, const char *scenario_axes,
                                 const char *comment, const char *name, char **yaml, size_t *len,
                                 scenmc_model **out, scenmc_error *err);

/* ------------------------------------------------------------ export */

typedef struct scenmc_export_options {
    int force;        /* overwrite an existing file */
    int crlf;         /* end lines with CR LF (default: LF, as the sample files) */
    int consistency;  /* CSV: write the consistency matrix even when there is a cross-impact one */
    int utf8;         /* .scw: write UTF-8 (default: Windows-1252 when every name fits it) */
} scenmc_export_options;

void scenmc_export_options_init(scenmc_export_options *o);

/* The model as a ScenarioWizard 4.0 file: descriptor and variant names,
 * labels as descriptions, the cross-impact matrix (or, for a model without
 * one, the consistency matrix, which gives the same CIB-consistent states).
 * Matrix entries must be whole numbers (ScenarioWizard stores integers). */
scenmc_status scenmc_scw_format(const scenmc_model *m, const scenmc_export_options *opt,
                                char **text, size_t *len, char **notes, scenmc_error *err);
scenmc_status scenmc_scw_write(const char *path, const scenmc_model *m,
                               const scenmc_export_options *opt, char **notes, scenmc_error *err);

/* The model as a CSV matrix: the cross-impact matrix when it has one (unless
 * opt->consistency), else the consistency matrix; labels are the variant names
 * when they already group into the model's descriptors by prefix, else
 * "ID1", "ID2", ... (a note then gives the --descriptors map that re-imports
 * the file exactly). */
scenmc_status scenmc_csv_format(const scenmc_model *m, const scenmc_export_options *opt,
                                char **text, size_t *len, char **notes, scenmc_error *err);
scenmc_status scenmc_csv_write(const char *path, const scenmc_model *m,
                               const scenmc_export_options *opt, char **notes, scenmc_error *err);

/* Writes text to path through a temporary file beside it and a rename;
 * refuses to replace an existing file unless force. */
scenmc_status scenmc_write_text_file(const char *path, const char *text, size_t len, int force,
                                     scenmc_error *err);

/* ------------------------------------------------------------ text */

/* Text from Windows tools: drops a UTF-8 byte-order mark and, when the rest
 * is not valid UTF-8, reads it as Windows-1252 and converts it. Returns a
 * malloc'd NUL-terminated copy; *converted (optional) says whether it was
 * converted. NUL bytes are refused (SCENMC_E_INPUT, with line and column). */
scenmc_status scenmc_text_to_utf8(const char *in, size_t len, const char *name, char **out,
                                  size_t *out_len, int *converted, scenmc_error *err);

/* A descriptor id made from a name: ASCII letters and digits kept, accented
 * Latin letters without their accents, every other run of characters one '_',
 * no '_' at either end, at most 48 characters; "D" followed by fallback_number
 * when nothing is left. out must hold 64 bytes. */
void scenmc_id_from_name(const char *name, int fallback_number, char out[64]);

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
scenmc_status scenmc_sl_parse(const char *text, size_t len, const char *name,
                              const scenmc_model *m, scenmc_sl_solution **out, int *n,
                              scenmc_error *err);
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
