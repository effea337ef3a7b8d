/* scenmc: reading a results file back (docs/file-format.md).
 *
 * The inverse of scenmc_output_write: export, report, merge and --resume all
 * start here. The model is re-parsed from the text embedded in the file, so
 * the results come back with exactly the model that produced them; every
 * count comes back bit for bit.
 */
#ifndef SCENMC_READER_H
#define SCENMC_READER_H

#include "scenmc/scenmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The results-file format this library reads (the root attribute format_version). */
#define SCENMC_RESULTS_FORMAT "scenmc-results"
#define SCENMC_RESULTS_FORMAT_VERSION 1

/* Reads the results file at path.
 *
 * On success *model is the model re-parsed from /model/source (its SHA-256
 * checked against /model/sha256) and r is initialised as scenmc_results_init
 * would for that model, the file's parameters (/params) and method, with
 * every table filled from the file: counts, probabilities and standard
 * errors for Monte Carlo, probabilities for exact results. r->model points
 * to *model. Free with scenmc_results_free(r), then scenmc_model_free(*model).
 *
 * The file is checked, not trusted: it must be HDF5, carry the root
 * attributes format = "scenmc-results" and format_version = 1, every table
 * must have the shape the model and parameters imply, the axes must match the
 * model, and (Monte Carlo) the counts must add up the way a run tallies them
 * and the probabilities must be the counts' ratios. A file that fails any of
 * this gives SCENMC_E_INPUT and a message naming the file and the problem; a
 * file that cannot be opened gives SCENMC_E_IO. On failure *model is NULL and
 * r holds nothing to free (freeing it anyway is harmless).
 *
 * HDF5's automatic error printing is left as the program set it (the scenmc
 * command switches it off once, in main). The file is first read in a forked child (see SCENMC_READ_NO_GUARD), so reading costs
 * about twice the time of one read. */
scenmc_status scenmc_results_read(const char *path, scenmc_model **model, scenmc_results *r,
                                  scenmc_error *err);

/* Provenance kept in a results file beyond what scenmc_results holds. */
typedef struct scenmc_results_info {
    int format_version;
    char method[32];          /* "monte-carlo" or "exact" */
    char engine_version[64];  /* scenmc version that wrote it */
    char created[64];         /* UTC, ISO 8601 */
    char sha256[65];          /* the model text's SHA-256, lowercase hex */
    char *command_line;       /* as typed (malloc'd, "" when not recorded) */
    char *model_path;         /* the model file it was read from (malloc'd) */
    int has_n_top_distinct;   /* 1 when the file records n_top_distinct */
} scenmc_results_info;

/* Flags of scenmc_results_read_info. */
enum {
    /* Read in this process only. By default the file is first read in a forked
     * child, because HDF5 1.10 can crash (read out of bounds) on damaged
     * metadata before any check of ours could run: a crash there is reported
     * as a damaged file. Pass this where fork is unwelcome (some MPI stacks)
     * and the file is trusted. */
    SCENMC_READ_NO_GUARD = 1u
};

/* scenmc_results_read, plus the provenance attributes into *info (may be NULL).
 * Free info with scenmc_results_info_free (also after a failure). */
scenmc_status scenmc_results_read_info(const char *path, scenmc_model **model, scenmc_results *r,
                                       scenmc_results_info *info, unsigned flags,
                                       scenmc_error *err);
void scenmc_results_info_free(scenmc_results_info *info);

#ifdef __cplusplus
}
#endif
#endif
