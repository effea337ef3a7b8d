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
#define SCENMC_MAX_TOTAL_VARIANTS 4096
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

#ifdef __cplusplus
}
#endif
#endif
