/* scenmc: reading a results file back (docs/file-format.md).
 *
 * The inverse of scenmc_output_write: export, report, merge and --resume all
 * start here. The model is re-parsed from the text embedded in the file, so
 * the results come back with exactly the model that produced them; every
 * count comes back bit for bit.
 */
#ifndef SCENMC_READER_H
#define SCENMC_READER_H

#include "scenmc/derivative.h"
#include "scenmc/scenmc.h"
#include "scenmc/sweep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The results-file format (the root attribute format_version): this library
 * writes version 2 (netCDF-4 compatible, docs/file-format.md) and reads
 * versions 1 and 2. */
#define SCENMC_RESULTS_FORMAT "scenmc-results"
#define SCENMC_RESULTS_FORMAT_VERSION 2
#define SCENMC_RESULTS_FORMAT_VERSION_MIN 1

/* Reads the results file at path.
 *
 * On success *model is the model re-parsed from /model/source (its SHA-256
 * checked against /model/sha256) and r is initialised as scenmc_results_init
 * would for that model, the file's parameters (/params) and method, with
 * every table filled from the file: counts, probabilities and standard
 * errors for Monte Carlo, probabilities for exact results. r->model points
 * to *model. Free with scenmc_results_free(r), then scenmc_model_free(*model).
 * Results conditioned on observations (docs/file-format.md, section 13)
 * come back with r->conditioned, the evidence, (Monte Carlo) the effective
 * sample size and the integer weight sums, and r->given, the observations
 * (owned by r).
 *
 * The file is checked, not trusted: it must be HDF5, carry the root
 * attributes format = "scenmc-results" and format_version 1 or 2, every table
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
    /* Version 2 provenance (malloc'd, "" when the file does not record it). */
    char *engine_commit;      /* git describe of the engine's source, or "unknown" */
    char *host;               /* host name of the machine that wrote it */
    char *working_directory;  /* the writer's working directory */
    char *original_command_line; /* a resumed run: the command that started it */
    char *rng;                /* the random number generator's name */
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

/* ---------------------------------------------------------------- other kinds of file */

/* What a scenmc file holds. Every kind shares the root attributes, /model and
 * /params; the readers below check those the way scenmc_results_read does
 * (without its forked guard: pass trusted files). */
typedef enum scenmc_file_kind {
    SCENMC_FILE_RESULTS = 0,   /* run, exact, merge, shard: scenmc_results_read */
    SCENMC_FILE_ENSEMBLE,      /* a run with /ensemble: scenmc_results_read + scenmc_ensemble_read */
    SCENMC_FILE_SWEEP,         /* scenmc sweep: scenmc_sweep_read */
    SCENMC_FILE_SENSITIVITY,   /* scenmc sensitivity: scenmc_sensitivity_read */
    SCENMC_FILE_OTHER,         /* of the format but none of these */
    SCENMC_FILE_DERIVATIVE     /* sensitivity --method exact|score: scenmc_derivatives_read */
} scenmc_file_kind;

/* The kind of the scenmc file at path (its format and version checked) and
 * its format_version into *version (may be NULL). */
scenmc_status scenmc_file_kind_read(const char *path, scenmc_file_kind *kind, int *version,
                                    scenmc_error *err);

/* A judgement ensemble (scenmc run --ensemble): the members' spread. */
typedef struct scenmc_ensemble_data {
    int n_members;
    double judgement_sd;
    char seed_rule[256];          /* how the members' matrices and trajectories derive from the seed */
    int n_years, n_scenarios;
    double *scenario_prob;        /* [M][Y][S] each member's scenario table */
    int n_quantiles;
    double *quantile_levels;      /* [Q] (0.05, 0.25, 0.5, 0.75, 0.95) */
    /* [Q][the table's size, shaped as in scenmc_results] the members'
     * quantiles of table k's probabilities; NULL where the file has none
     * (final_state always; version-1 files have only SCENMC_T_SCENARIO). */
    double *quantiles[SCENMC_N_TABLES];
} scenmc_ensemble_data;

/* The /ensemble group of the file at path, whose tables r holds (r from
 * scenmc_results_read of the same file: its shapes are checked against the
 * file). SCENMC_OK with n_members = 0 when the file has no ensemble. Free
 * with scenmc_ensemble_data_free (also after a failure). */
scenmc_status scenmc_ensemble_read(const char *path, const scenmc_results *r,
                                   scenmc_ensemble_data *e, scenmc_error *err);
void scenmc_ensemble_data_free(scenmc_ensemble_data *e);

/* A sweep file (scenmc sweep, or a merge of sweep shards). */
typedef struct scenmc_sweep_data {
    int n_points, n_params;
    char **param_names;       /* [K] as given to --param, without "=SPEC" */
    double *values;           /* [P][K] each point's parameter values */
    char design[64];          /* "grid" or "lhs:K" */
    scenmc_params base;       /* the parameters every point starts from (/params) */
    /* [P] each point's tables, as scenmc_results_read gives them; points[i].params
     * is the base with point i's values applied; .model is *model. */
    scenmc_results *points;
} scenmc_sweep_data;

/* Reads the sweep file at path: *model as scenmc_results_read gives it, s
 * filled. info (may be NULL) gets the provenance. Free with
 * scenmc_sweep_data_free(s) first, then scenmc_model_free(*model); on
 * failure *model is NULL and s holds nothing to free. */
scenmc_status scenmc_sweep_read(const char *path, scenmc_model **model, scenmc_sweep_data *s,
                                scenmc_results_info *info, scenmc_error *err);
void scenmc_sweep_data_free(scenmc_sweep_data *s);

/* Reads the cell-sensitivity file at path (scenmc sensitivity): *model,
 * *base (its /params; free with scenmc_params_free) and s as
 * scenmc_sensitivity computed it (free with scenmc_sensitivity_free). On
 * failure nothing is left to free. */
scenmc_status scenmc_sensitivity_read(const char *path, scenmc_model **model, scenmc_params *base,
                                      scenmc_sensitivity_result *s, scenmc_results_info *info,
                                      scenmc_error *err);

/* Reads the derivative file at path (scenmc sensitivity --method
 * exact|score, written by scenmc_derivatives_write): *model, *p (its /params;
 * free with scenmc_params_free) and d as the writer had it (the parameters,
 * dP_* tables, stderr_* for the score method; elasticity = derivative x
 * param[e].step). A file without P(variant) tables (--tables scenario)
 * leaves those arrays NULL. Free d with scenmc_derivatives_free. On failure
 * nothing is left to free. */
scenmc_status scenmc_derivatives_read(const char *path, scenmc_model **model, scenmc_params *p,
                                      scenmc_derivatives *d, scenmc_results_info *info,
                                      scenmc_error *err);

#ifdef __cplusplus
}
#endif
#endif
