/* The depth-first walk over CIB's states that enumeration and every-state
 * basins share: descriptors fixed one at a time in model order, with the
 * partial impact balances of each depth kept, split into tasks by prefix.
 * What happens at a complete state depends on the walker's mode. */
#ifndef SCENMC_CIB_WALK_H
#define SCENMC_CIB_WALK_H

#include "cib/balance.h"

enum scenmc_cib_leaf {
    SCENMC_CIB_LEAF_PRUNE, /* keep the states with IC <= K, pruning by the bounds */
    SCENMC_CIB_LEAF_SWEEP, /* every state: its IC into the histogram, keep IC <= K */
    SCENMC_CIB_LEAF_SUCC   /* every state: its successor's index into succ[] */
};

/* Pruning bounds, level L = number of fixed descriptors:
 * dmin[L * dlevel + doff[i] + a * n_i + b]
 *   = sum_{j >= L} min_c (M[o_j + c][o_i + b] - M[o_j + c][o_i + a]),
 * the least that the unfixed descriptors can add to B_i(b) - B_i(a). */
typedef struct scenmc__cib_bounds {
    double *dmin;
    size_t *doff;
    size_t dlevel;
} scenmc__cib_bounds;

/* 0 when out of memory (nothing to free then). */
int scenmc__cib_bounds_build(scenmc__cib_bounds *b, const scenmc__cib_space *sp);
void scenmc__cib_bounds_free(scenmc__cib_bounds *b);

typedef struct scenmc__cib_walker {
    const scenmc__cib_space *sp;
    int mode;
    /* pruning bounds (scenmc__cib_bounds), LEAF_PRUNE */
    const double *dmin;
    const size_t *doff;
    size_t dlevel;
    double kmax; /* max_ic + TOL */
    /* scratch */
    double *P;      /* [(D + 1) * V] */
    int *s;         /* [D] */
    uint64_t *pidx; /* [D + 1] index of the prefix */
    /* results of the current task */
    uint64_t found, visited;
    uint64_t *idx;
    double *ic;
    uint64_t n_st, cap_st;
    int store;            /* keep the states found (else only count them) */
    uint64_t stop_after;  /* > 0: stop when this many are kept */
    uint64_t *budget_used; /* shared count of kept states, or NULL */
    uint64_t budget;
    int budget_out, halt, nomem;
    uint64_t hist[SCENMC_CIB_HIST_BINS];
    uint32_t *succ; /* SCENMC_CIB_LEAF_SUCC */
} scenmc__cib_walker;

/* A walker of the given mode, its scratch allocated; bounds (LEAF_PRUNE
 * only, else NULL) and kmax = max_ic + SCENMC_CIB_TOL. 0 when out of memory;
 * scenmc__cib_walker_free is due either way. */
int scenmc__cib_walker_init(scenmc__cib_walker *w, const scenmc__cib_space *sp, int mode,
                           const scenmc__cib_bounds *bounds, double kmax);
void scenmc__cib_walker_free(scenmc__cib_walker *w);

/* Runs task t: every completion of the prefix of the first p descriptors
 * numbered t, in increasing state index. */
void scenmc__cib_run_task(scenmc__cib_walker *w, int p, uint64_t t);

#endif
