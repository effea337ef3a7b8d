/* scenmc: consistency in the cross-impact balance (CIB) sense.
 *
 * Impact balances, inconsistency, enumeration of the consistent states (or of
 * all states with inconsistency <= K), the states of highest total consistency
 * (von Reibnitz's consistency analysis) and the basins of attraction of CIB's
 * global succession. The definitions are in docs/model.md, sections 3 and 8:
 *
 *   B_i(b | s) = sum_j M[o_j + s_j][o_i + b]        (row = source, column = target)
 *   IC(s)      = max_i (max_b B_i(b | s) - B_i(s_i | s));  consistent iff IC = 0
 *
 * M is the model's cross-impact matrix X when it has one (the sum then
 * includes j = i: the self-impact of the current variant, which ScenarioWizard
 * counts), else its consistency matrix C (zero within a descriptor, so the sum
 * is over j != i). Weights are 1 and the bias h is not used. Comparisons allow
 * SCENMC_CIB_TOL, since matrix entries need not be integers.
 *
 * States are numbered in mixed radix, descriptor 0 most significant:
 * index(s) = sum_i s_i * prod_{j > i} n_j. The searches (enumerate, top,
 * basins) need the state count to fit in 64 bits (scenmc_model_state_count
 * != 0) and refuse the model with SCENMC_E_LIMIT otherwise. Results never
 * depend on the number of threads. Nothing here prints.
 */
#ifndef SCENMC_CIB_H
#define SCENMC_CIB_H

#include "scenmc/scenmc.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Absolute tolerance of every comparison of balances and scores. */
#define SCENMC_CIB_TOL 1e-9

/* Which matrix the impact balance uses (the use_cross arguments). */
enum {
    SCENMC_CIB_AUTO = -1,       /* X when the model has one, else C */
    SCENMC_CIB_CONSISTENCY = 0, /* C */
    SCENMC_CIB_CROSS = 1        /* X; SCENMC_E_INPUT when the model has none */
};

/* Resolves use_cross for a model: 1 when X is used, 0 when C is. */
int scenmc_cib_uses_cross(const scenmc_model *m, int use_cross);

/* ------------------------------------------------------ single states */

/* Mixed-radix index of s[D], and back. */
uint64_t scenmc_cib_state_index(const scenmc_model *m, const int *s);
void scenmc_cib_state_decode(const scenmc_model *m, uint64_t index, int *s);

/* B_i(b | s) for every variant, in global variant order: bal[V]. */
scenmc_status scenmc_cib_impact_balance(const scenmc_model *m, const int *s, int use_cross,
                                        double *bal, scenmc_error *err);

/* IC(s) (0 when it is within SCENMC_CIB_TOL of 0). When margins is not NULL,
 * margins[i] = B_i(s_i | s) - max_{b != s_i} B_i(b | s) for every descriptor:
 * positive where the chosen variant wins outright, 0 on a tie, negative where
 * it is beaten. When total_impact is not NULL it receives sum_i B_i(s_i | s)
 * (ScenarioWizard's total impact score). */
scenmc_status scenmc_cib_inconsistency(const scenmc_model *m, const int *s, int use_cross,
                                       double *ic, double *margins, double *total_impact,
                                       scenmc_error *err);

/* One step of CIB's global succession (every descriptor at once): each
 * descriptor moves to its best variant; it keeps its variant unless strictly
 * beaten, and ties between better variants go to the lowest index
 * (ScenarioWizard's rule). next[D] may not alias s. *changed (optional) is the
 * number of descriptors that moved; 0 exactly when s is consistent. */
scenmc_status scenmc_cib_succession_step(const scenmc_model *m, const int *s, int use_cross,
                                         int *next, int *changed, scenmc_error *err);

/* ------------------------------------------------ enumeration (IC <= K) */

enum {
    SCENMC_CIB_PRUNE = 0, /* branch and bound: fix descriptors one at a time and drop a
                             partial state as soon as some fixed descriptor can no longer
                             reach IC_i <= K whatever the unfixed ones do */
    SCENMC_CIB_SWEEP = 1  /* visit every state and compute its IC (also fills ic_hist) */
};

#define SCENMC_CIB_HIST_BINS 34

typedef struct scenmc_cib_options {
    int use_cross;       /* SCENMC_CIB_AUTO (default), _CONSISTENCY or _CROSS */
    double max_ic;       /* K: states with IC <= K; 0 (default) lists the consistent ones */
    int method;          /* SCENMC_CIB_PRUNE (default) or SCENMC_CIB_SWEEP */
    int threads;         /* <= 0 (default): OpenMP's default */
    uint64_t max_stored; /* keep at most this many states, those of lowest index
                            (default 1000000); n_found still counts every one */
} scenmc_cib_options;

void scenmc_cib_options_init(scenmc_cib_options *o);

typedef struct scenmc_cib_list {
    uint64_t n_states;    /* size of the state space */
    uint64_t n_found;     /* states with IC <= max_ic */
    uint64_t n_stored;    /* the first n_stored of them by index: */
    uint64_t *index;      /* [n_stored] state indices, increasing */
    double *ic;           /* [n_stored] their IC */
    uint64_t n_visited;   /* search nodes (prune) or states (sweep) visited */
    int uses_cross;       /* 1 when X was used, 0 for C */
    int have_hist;        /* sweep only: */
    /* states by IC: [0] IC = 0; [k] k-1 < IC <= k (1 <= k < BINS-1); [BINS-1] the rest */
    uint64_t ic_hist[SCENMC_CIB_HIST_BINS];
    double seconds;       /* wall time */
} scenmc_cib_list;

scenmc_status scenmc_cib_enumerate(const scenmc_model *m, const scenmc_cib_options *o,
                                   scenmc_cib_list *out, scenmc_error *err);
void scenmc_cib_list_free(scenmc_cib_list *l);

/* ------------------------------------------- top states by K(s), from C */

typedef struct scenmc_cib_top_options {
    uint64_t n;        /* how many (default 10; at most SCENMC_CIB_MAX_TOP) */
    int use_min_pair;  /* when set, skip states with a scored pair C[u][v] < min_pair */
    double min_pair;
    int threads;       /* <= 0: OpenMP's default */
} scenmc_cib_top_options;

#define SCENMC_CIB_MAX_TOP 10000000u

void scenmc_cib_top_options_init(scenmc_cib_top_options *o);

typedef struct scenmc_cib_top_result {
    uint64_t n;          /* states found (fewer than asked when the space, or the states
                            allowed by min_pair, are fewer) */
    uint64_t *index;     /* [n] by K descending, ties by index ascending */
    double *k;           /* [n] total consistency K(s) */
    uint64_t n_visited;  /* search nodes visited */
    double seconds;
} scenmc_cib_top_result;

/* Branch and bound over the states, best first: exact. */
scenmc_status scenmc_cib_top(const scenmc_model *m, const scenmc_cib_top_options *o,
                             scenmc_cib_top_result *out, scenmc_error *err);
void scenmc_cib_top_free(scenmc_cib_top_result *r);

/* ------------------------------------------- basins of global succession */

typedef struct scenmc_cib_basin_options {
    int use_cross;       /* as for scenmc_cib_options */
    int threads;         /* <= 0: OpenMP's default */
    uint64_t starts;     /* 0 (default): every state, exactly; else this many random starts */
    uint64_t seed;       /* for random starts: Philox4x32(key = seed, counter = start) */
    size_t max_memory;   /* every-state mode needs 4 bytes a state; refused above this
                            (default SCENMC_CIB_BASIN_MEMORY) */
} scenmc_cib_basin_options;

#define SCENMC_CIB_BASIN_MEMORY ((size_t)4 << 30)

void scenmc_cib_basin_options_init(scenmc_cib_basin_options *o);

typedef struct scenmc_cib_attractor {
    uint64_t index;        /* the consistent state, or the lowest state index on the cycle */
    uint64_t cycle_length; /* 1 for a consistent state (a fixed point) */
    uint64_t basin;        /* starts that end here */
} scenmc_cib_attractor;

typedef struct scenmc_cib_basin_result {
    int exact;             /* 1: every state was a start */
    int uses_cross;
    uint64_t n_starts;     /* the number of states, or of random starts */
    uint64_t n_fixed;      /* attractors[0 .. n_fixed): consistent states, by index */
    uint64_t n_cycles;     /* attractors[n_fixed ..): cycles, by lowest index */
    scenmc_cib_attractor *attractors;
    uint64_t in_cycles;    /* starts that end in a cycle */
    uint64_t max_transient; /* random starts: most steps before reaching the attractor */
    double seconds;
} scenmc_cib_basin_result;

/* Every-state mode computes each state's successor once (in parallel) and then
 * follows the map, labelling every state with its attractor: basins sum to
 * the number of states and every consistent state has a basin of at least 1.
 * It needs n_states < 2^31 and 4 * n_states <= max_memory (else
 * SCENMC_E_LIMIT: use random starts). */
scenmc_status scenmc_cib_basins(const scenmc_model *m, const scenmc_cib_basin_options *o,
                                scenmc_cib_basin_result *out, scenmc_error *err);
void scenmc_cib_basins_free(scenmc_cib_basin_result *b);

/* Wilson score interval for k successes in n trials, at normal quantile z
 * (1.959964 for 95%). */
void scenmc_cib_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

#ifdef __cplusplus
}
#endif
#endif
