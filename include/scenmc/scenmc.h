/* scenmc: Monte Carlo and exact engine for scenario dynamics.
 *
 * Public API of libscenmc. Every function that can fail returns a
 * scenmc_status and, on failure, fills the caller-owned scenmc_error with a
 * human-readable message (for input files: "FILE:LINE:COLUMN: problem;
 * expectation", one problem per line). Nothing in the library prints or exits.
 */
#ifndef SCENMC_H
#define SCENMC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCENMC_VERSION "0.1.0"

/* ---------------------------------------------------------------- errors */

typedef enum scenmc_status {
    SCENMC_OK = 0,
    SCENMC_E_INPUT = 1,     /* a model file, results file or argument is invalid */
    SCENMC_E_IO = 2,        /* reading or writing a file failed */
    SCENMC_E_NOMEM = 3,     /* out of memory */
    SCENMC_E_LIMIT = 4,     /* the problem exceeds a documented limit */
    SCENMC_E_INTERRUPTED = 5 /* stopped early on request (signal, time limit) */
} scenmc_status;

#define SCENMC_ERROR_MSG_SIZE 16384

typedef struct scenmc_error {
    scenmc_status code;
    int n_problems;                  /* number of problems recorded */
    char msg[SCENMC_ERROR_MSG_SIZE]; /* problems, one per line, no final newline */
} scenmc_error;

void scenmc_error_clear(scenmc_error *err);
/* Appends one problem (printf-style) and sets err->code if it is still OK. */
scenmc_status scenmc_error_add(scenmc_error *err, scenmc_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
const char *scenmc_status_name(scenmc_status s);

/* ----------------------------------------------------------------- model */

/* Limits that hold against hostile files; each is refused up front. */
#define SCENMC_MAX_FILE_BYTES (16u << 20)
#define SCENMC_MAX_DEPTH 32
#define SCENMC_MAX_DESCRIPTORS 1024
#define SCENMC_MAX_VARIANTS 64   /* per descriptor */
#define SCENMC_MAX_TOTAL_VARIANTS 1024 /* V x V matrices stay at most 8 MiB each */
#define SCENMC_MAX_SCENARIOS 256
#define SCENMC_MAX_YEARS 1000

typedef struct scenmc_descriptor {
    char *id;
    char *name;
    char *label;        /* English label or NULL */
    int n_variants;
    int offset;         /* global index of its first variant */
    double rate;        /* revision rate per year; <= 0 means "use the default" */
    double *initial;    /* [n_variants] initial probabilities, or NULL (uniform) */
} scenmc_descriptor;

typedef struct scenmc_scenario {
    char *name;
    char *label;        /* or NULL */
    int n_conditions;
    int *cond_descriptor; /* [n_conditions] descriptor index */
    int *cond_variant;    /* [n_conditions] variant index within that descriptor */
} scenmc_scenario;

struct scenmc_schedule; /* scenmc/schedule.h */

typedef struct scenmc_model {
    char *path;          /* file it was read from (or "<builtin>") */
    char *name;
    char *description;   /* or NULL */
    char *source;        /* bibliographic source, or NULL */
    char *text;          /* the model file's full text */
    size_t text_len;
    uint8_t sha256[32];  /* SHA-256 of text */

    int year_start, year_end;
    double scale_c[2];   /* allowed range of consistency scores */
    double scale_x[2];   /* allowed range of cross impacts */

    int n_descriptors;
    scenmc_descriptor *descriptors;
    int n_variants;      /* V: all variants, global order */
    char **variant_id;   /* [V] or NULL entries */
    char **variant_name; /* [V] */
    char **variant_label;/* [V] or NULL entries */
    int *variant_descriptor; /* [V] */

    double *consistency;  /* [V*V] symmetric, zero within a descriptor */
    uint8_t *scored;      /* [V*V] 1 where the file scores the pair */
    double *cross_impact; /* [V*V] row = source, column = target, or NULL */
    double *bias;         /* [V] or NULL */
    int n_self_impacts;   /* non-zero cross impacts within a descriptor (kept) */

    int n_scenarios;
    scenmc_scenario *scenarios;

    /* defaults, used when the command line does not say otherwise */
    double beta, w_consistency, w_cross, rate;
    uint64_t trajectories;
    uint64_t seed;
    int *start;          /* [D] fixed start state, or NULL */
    /* The file's trends, interventions and shocks (scenmc/schedule.h), or NULL. */
    struct scenmc_schedule *schedule;
} scenmc_model;

/* Reads and validates a model file. Every problem found is added to err. */
scenmc_status scenmc_model_load(const char *path, scenmc_model **out, scenmc_error *err);
/* The same from memory; name is used in messages. */
scenmc_status scenmc_model_parse(const char *text, size_t len, const char *name,
                                 scenmc_model **out, scenmc_error *err);
/* The built-in default model (Ett Smart Västernorrland 2030). */
scenmc_status scenmc_model_load_default(scenmc_model **out, scenmc_error *err);
const char *scenmc_default_model_text(size_t *len);
void scenmc_model_free(scenmc_model *m);

/* Product-space size, or 0 if it does not fit in 64 bits. */
uint64_t scenmc_model_state_count(const scenmc_model *m);
/* Total consistency K(s) of a state s[D]. */
double scenmc_model_total_consistency(const scenmc_model *m, const int *s);
/* Scenario of a state (0..S-1), or S for "unclassified". */
int scenmc_model_scenario_of(const scenmc_model *m, const int *s);
/* Whether some state matches no scenario (then an "unclassified" slot exists). */
int scenmc_model_has_unclassified(const scenmc_model *m);
/* Finds a descriptor by id; -1 if none. */
int scenmc_model_find_descriptor(const scenmc_model *m, const char *id);
/* Finds a variant of descriptor d by id or name; -1 if none. */
int scenmc_model_find_variant(const scenmc_model *m, int d, const char *ref);
/* Lowercase hex SHA-256 of the model text (65 bytes with NUL). */
void scenmc_model_sha256_hex(const scenmc_model *m, char hex[65]);


/* ---------------------------------------------------------------- params */

struct scenmc_schedule; /* scenmc/schedule.h */

/* One matrix cell set to a value (sweeps, sensitivity, ensembles): for the
 * consistency matrix both symmetric entries change together; for the
 * cross-impact matrix only (u -> v). */
typedef struct scenmc_cell {
    int u, v;     /* global variant indices */
    int cross;    /* 0: consistency C, 1: cross impact X */
    double value;
} scenmc_cell;

/* Everything the dynamics depend on besides the model (docs/model.md, sections 2-5). */
typedef struct scenmc_params {
    double beta;          /* >= 0 */
    double w_consistency; /* weight of the consistency matrix */
    double w_cross;       /* weight of the cross-impact matrix */
    int n_descriptors, n_variants;
    double *rate;         /* [D] revision rates per year, > 0 */
    double *initial;      /* [V] initial probabilities, per descriptor summing to 1 */
    int *start;           /* [D] fixed start state, or NULL (draw from initial) */
    int year_start, year_end;
    uint64_t seed;
    uint64_t n_trajectories;
    int n_cells;          /* matrix cells overriding the model's, applied in order */
    scenmc_cell *cells;
    /* Trends, interventions and shocks (scenmc/schedule.h), or NULL: the
     * same dynamics every year. */
    struct scenmc_schedule *schedule;
} scenmc_params;

/* Fills p with the model's defaults (all allocated; free with scenmc_params_free). */
void scenmc_params_init(scenmc_params *p, const scenmc_model *m);
void scenmc_params_copy(scenmc_params *dst, const scenmc_params *src);
void scenmc_params_free(scenmc_params *p);
/* Checks ranges (beta >= 0 and finite, rates > 0, probabilities, N >= 1). */
scenmc_status scenmc_params_check(const scenmc_params *p, scenmc_error *err);
/* Sets every rate to r. */
void scenmc_params_set_rate(scenmc_params *p, double r);
/* Appends a matrix-cell override. */
void scenmc_params_add_cell(scenmc_params *p, int u, int v, int cross, double value);
/* The consistency (cross = 0) or cross-impact matrix with p's overrides applied
 * (malloc'd V*V; zeros for an absent cross-impact matrix). */
double *scenmc_params_matrix(const scenmc_params *p, const scenmc_model *m, int cross);
/* Parses "ID=variant,ID=variant,..." (every descriptor) into p->start. */
scenmc_status scenmc_params_parse_start(scenmc_params *p, const scenmc_model *m, const char *spec,
                                        scenmc_error *err);

/* ---------------------------------------------------------------- results */

struct scenmc_observations; /* scenmc/observe.h */

/* The tables every method produces (docs/file-format.md). */
typedef enum scenmc_table_id {
    SCENMC_T_SCENARIO = 0,      /* [Y, S]      P(scenario at year) */
    SCENMC_T_VARIANT,           /* [Y, V]      P(variant at year) */
    SCENMC_T_SCENARIO_VARIANT,  /* [Y, S, V]   P(variant | scenario, year) */
    SCENMC_T_TRANSITION,        /* [Y-1, S, S] P(scenario at t+1 | scenario at t) */
    SCENMC_T_EARLY_WARNING,     /* [Y, V, S]   P(final scenario | variant at year) */
    SCENMC_T_CONSISTENCY,       /* [Y, B]      P(total consistency in bin) */
    SCENMC_T_LOCK_IN,           /* [Y, S]      P(final scenario S, locked in from year) */
    SCENMC_T_FINAL_STATE,       /* [n_states] or [top]  P(full state at the final year) */
    SCENMC_N_TABLES
} scenmc_table_id;

typedef enum scenmc_axis {
    SCENMC_AX_YEAR, SCENMC_AX_YEAR_FROM, SCENMC_AX_SCENARIO, SCENMC_AX_FROM_SCENARIO,
    SCENMC_AX_TO_SCENARIO, SCENMC_AX_FINAL_SCENARIO, SCENMC_AX_VARIANT,
    SCENMC_AX_CONSISTENCY, SCENMC_AX_STATE, SCENMC_N_AXES
} scenmc_axis;

extern const char *const scenmc_table_names[SCENMC_N_TABLES];
extern const char *const scenmc_axis_names[SCENMC_N_AXES];

typedef struct scenmc_table {
    int rank;
    size_t dims[3];
    scenmc_axis axes[3];
    size_t size;          /* product of dims */
    uint64_t *counts;     /* [size] Monte Carlo counts, NULL for exact results */
    double *prob;         /* [size] probabilities (see scenmc_table_id; NaN where 0/0) */
    double *stderr_;      /* [size] binomial standard errors, NULL for exact results */
} scenmc_table;

typedef enum scenmc_method { SCENMC_MONTE_CARLO = 0, SCENMC_EXACT = 1 } scenmc_method;

#define SCENMC_FULL_STATE_LIMIT (1u << 24) /* full final-state table up to this many states */
#define SCENMC_TOP_STATES 1000             /* otherwise the most frequent states, this many */

typedef struct scenmc_results {
    scenmc_method method;
    const scenmc_model *model;  /* borrowed */
    scenmc_params params;       /* owned copy */
    int n_years;                /* Y = year_end - year_start + 1 */
    int n_scenarios;            /* S: the model's scenarios, plus 1 when "unclassified" can occur */
    int has_unclassified;
    int n_bins;                 /* consistency bins: bin b holds K in */
    double bin_lo, bin_width;   /* [bin_lo + (b-0.5)*w, bin_lo + (b+0.5)*w) */
    int full_states;            /* 1: final_state covers every state; 0: top states only */
    uint64_t n_states;          /* product-space size (0 if > 2^64) */
    uint64_t *top_state;        /* [dims] state indices of the top table, when !full_states */
    uint64_t n_top_distinct;    /* distinct final states seen (top mode) */
    uint64_t first, last;       /* trajectory range covered [first, last) */
    uint64_t n_trajectories;    /* trajectories tallied */
    int threads;
    double wall_seconds;
    double truncation_bound;    /* exact: bound on the Poisson-series error per year */
    double mem_peak_bytes;      /* exact: memory it used */
    scenmc_table t[SCENMC_N_TABLES];
    /* Top mode: every distinct final state seen, by count then index (the
     * table shows the first SCENMC_TOP_STATES), n_top_distinct of them, so
     * that parts add by state exactly; NULL when not known. */
    uint64_t *top_list_state, *top_list_count;
    int final_state_dropped;    /* top mode: why the table is empty (0: it is not) */
    /* Conditioned on observations (scenmc/observe.h, docs/signposts.md). */
    int conditioned;            /* 1: every table is P(... | the observations) */
    double log_evidence;        /* log P(observations): exact, or the log of the Monte Carlo estimate */
    double evidence_se;         /* Monte Carlo: standard error of the evidence estimate exp(log_evidence) */
    double effective_size;      /* Monte Carlo: Kish's effective sample size (sum w)^2 / sum w^2 */
    uint64_t weight_one;        /* Monte Carlo: the integer weight of likelihood 1 (1 for hard
                                 * evidence: the counts are trajectories) */
    uint64_t weight_sum;        /* Monte Carlo: sum of the trajectories' integer weights */
    uint64_t weight_sq_sum[2];  /* their squares' sum in 128 bits: [0] low, [1] high word */
    struct scenmc_observations *given; /* owned copy of the observations, or NULL */
} scenmc_results;

/* Shapes and allocates empty tables (counts when method is Monte Carlo). */
scenmc_status scenmc_results_init(scenmc_results *r, const scenmc_model *m, const scenmc_params *p,
                                  scenmc_method method, scenmc_error *err);
void scenmc_results_free(scenmc_results *r);
/* Computes prob (and stderr) from the counts. */
void scenmc_results_finalize(scenmc_results *r);
/* dst += src: exact addition of the counts (shards, ensembles, resumed runs),
 * then probabilities again. The shapes must agree. */
scenmc_status scenmc_results_add(scenmc_results *dst, const scenmc_results *src, scenmc_error *err);
/* Mixed-radix index of a state (last descriptor fastest). */
uint64_t scenmc_state_index(const scenmc_model *m, const int *s);
void scenmc_state_from_index(const scenmc_model *m, uint64_t idx, int *s);

/* Judgement-uncertainty ensembles (scenmc run --ensemble): per member and
 * across members. */
typedef struct scenmc_ensemble_info {
    int n_members;
    double judgement_sd;
    const double *scenario_prob;   /* [M][Y][S] each member's scenario probabilities */
    int n_quantiles;
    const double *quantile_levels; /* [Q] */
    const double *quantiles;       /* [Q][Y][S] across members */
    /* [Q][table size] across members, for every table but final_state (NULL);
     * members whose value is NaN (0/0 in a conditional table) are left out. */
    const double *table_quantiles[SCENMC_N_TABLES];
    uint64_t seed;                 /* the seed the members' draws derive from */
} scenmc_ensemble_info;

/* ---------------------------------------------------------------- Monte Carlo */

typedef struct scenmc_run_options {
    int threads;            /* 0: OpenMP's default */
    uint64_t chunk;         /* trajectories per chunk between progress reports (0: automatic) */
    uint64_t first, last;   /* trajectory range; last == 0 means n_trajectories */
    /* Called by one thread between chunks; return non-zero to stop early. */
    int (*progress)(void *ctx, uint64_t done, uint64_t total, double seconds);
    void *progress_ctx;
    /* Observations to condition on (scenmc/observe.h), or NULL: each
     * trajectory is weighted by their likelihood. */
    const struct scenmc_observations *given;
} scenmc_run_options;

/* Simulates trajectories [first, last) and tallies them into r (which it
 * initialises). The result depends only on (model, params, range). */
scenmc_status scenmc_run(const scenmc_model *m, const scenmc_params *p,
                         const scenmc_run_options *opt, scenmc_results *r, scenmc_error *err);

/* Judgement uncertainty: n_members consistency matrices drawn around the
 * model's (every scored score plus normal noise of standard deviation sd,
 * clipped to the scale; the draws depend only on the seed), member j running
 * trajectories [j*N/M, (j+1)*N/M). r gets the pooled tables; info (its arrays
 * malloc'd, free with scenmc_ensemble_free) the members' scenario
 * probabilities and their quantiles 5, 25, 50, 75 and 95%. */
scenmc_status scenmc_run_ensemble(const scenmc_model *m, const scenmc_params *p, int n_members,
                                  double sd, const scenmc_run_options *opt, scenmc_results *r,
                                  scenmc_ensemble_info *info, scenmc_error *err);
void scenmc_ensemble_free(scenmc_ensemble_info *info);

/* ---------------------------------------------------------------- exact */

/* The same tables as scenmc_run, as exact probabilities (uniformization, the
 * Poisson series truncated at a dropped mass below 1e-13 per year, reported
 * in r->truncation_bound). Refuses up front when memory would not suffice. */
scenmc_status scenmc_exact(const scenmc_model *m, const scenmc_params *p, int threads,
                           scenmc_results *r, scenmc_error *err);

typedef struct scenmc_stationary_info {
    int closed_form;   /* 1: reversible chain, Boltzmann closed form */
    int iterations;    /* otherwise: power iterations used */
    double residual;   /* and the final L1 change ||pi M - pi|| */
} scenmc_stationary_info;

/* The long-run distribution over all states (malloc'd [n_states], state index order). */
scenmc_status scenmc_exact_stationary(const scenmc_model *m, const scenmc_params *p, int threads,
                                      double **pi, scenmc_stationary_info *info, scenmc_error *err);

/* ---------------------------------------------------------------- output */

typedef struct scenmc_write_options {
    const char *command_line;
    int force;              /* overwrite an existing file */
    const char *method;     /* overrides the root 'method' attribute (sweep, sensitivity) */
    const char *design;     /* sweeps: "grid" or "lhs:K" */
    const scenmc_ensemble_info *ensemble; /* written as /ensemble when set */
    const char *original_command_line; /* a resumed run: the command that started it */
} scenmc_write_options;

/* Checks up front that path can be written (and does not exist, unless force). */
scenmc_status scenmc_output_check(const char *path, int force, scenmc_error *err);
/* Writes r to an HDF5 file atomically (temporary file, then rename). */
scenmc_status scenmc_output_write(const char *path, const scenmc_results *r,
                                  const scenmc_write_options *opt, scenmc_error *err);

/* Sweep files: every table with a leading 'point' dimension, written point by
 * point (memory does not grow with the number of points), plus
 * /sweep/param_name [K] and /sweep/value [P, K]. Atomic like the above. */
typedef struct scenmc_sweep_writer scenmc_sweep_writer;
scenmc_status scenmc_sweep_writer_open(const char *path, const scenmc_results *first, int n_points,
                                       int n_params, const char *const *names, const double *values,
                                       const scenmc_params *base, const scenmc_write_options *opt,
                                       scenmc_sweep_writer **out, scenmc_error *err);
scenmc_status scenmc_sweep_writer_point(scenmc_sweep_writer *sw, int i, const scenmc_results *r,
                                        scenmc_error *err);
/* Renames the file into place, or removes it when abandon is non-zero. */
scenmc_status scenmc_sweep_writer_close(scenmc_sweep_writer *sw, int abandon, scenmc_error *err);

/* The cell-sensitivity file (/sensitivity; docs/file-format.md). */
scenmc_status scenmc_output_write_sensitivity(const char *path, const scenmc_model *m,
                                              const scenmc_params *base, const scenmc_results *shape,
                                              int n_cells, int n_scenarios, const int *u, const int *v,
                                              const double *values, const double *tables,
                                              double delta, const scenmc_write_options *opt,
                                              scenmc_error *err);

#ifdef __cplusplus
}
#endif
#endif
