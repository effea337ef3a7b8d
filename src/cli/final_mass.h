/* How much probability ends (final year) in given states: the link between
 * CIB's consistent states and the dynamics, for consistent --results and report. */
#ifndef SCENMC_CLI_FINAL_MASS_H
#define SCENMC_CLI_FINAL_MASS_H

#include "scenmc/scenmc.h"

#include <stddef.h>
#include <stdint.h>

typedef struct final_mass {
    int available; /* 0: the file has no final-state table (nothing below is set) */
    int complete;  /* 1: every state's probability is known; 0: only the top-state
                      table's, the rest count as 0, so the sums are lower bounds */
    int mc;        /* Monte Carlo: counts and binomial standard errors */
    double total, total_se;   /* over the n states (se 0 for exact results) */
    uint64_t total_count;     /* Monte Carlo: trajectories ending in one of them */
} final_mass;

/* P(final state = idx[k]) into p[k] and its standard error into se[k] (0 for
 * exact results), and the sum over the n states (distinct) into *fm. */
void final_mass_of(const scenmc_results *r, const uint64_t *idx, size_t n, double *p, double *se,
                   final_mass *fm);



/* The CIB-consistent states of r's model (IC = 0, the matrix CIB uses by
 * default) with the probability of ending in each, most probable first. */
typedef struct consistent_mass {
    int uses_cross;
    uint64_t n_found;  /* consistent states */
    size_t n;          /* of them held below (all, up to 2^20) */
    uint64_t *index;   /* [n] */
    double *p, *se;    /* [n] */
    final_mass fm;     /* over the n held */
} consistent_mass;

/* 0, or 1 when the state space is too large to enumerate quickly (more than
 * SCENMC_FULL_STATE_LIMIT states) or the search failed (cm is then empty). */
int consistent_mass_of(const scenmc_results *r, consistent_mass *cm);
void consistent_mass_free(consistent_mass *cm);
#endif
