/* CIB's state space and single states: the matrix in use, the place values
 * of the descriptors, impact balances, inconsistency and succession steps.
 * The searches (walk.h, enumerate.h, top.h, basins.h) build on this. */
#ifndef SCENMC_CIB_BALANCE_H
#define SCENMC_CIB_BALANCE_H

#include "scenmc/cib.h"

#include <stddef.h>
#include <stdint.h>

/* The state space a search walks. */
typedef struct scenmc__cib_space {
    const scenmc_model *m;
    int D, V, max_n;
    const double *M; /* V x V, row = source, column = target */
    int uses_cross;
    int *n, *off;    /* [D] */
    uint64_t *place; /* [D] place value of each descriptor in a state index */
    uint64_t n_states;
} scenmc__cib_space;

/* SCENMC_E_INPUT for a bad matrix choice, SCENMC_E_LIMIT when the states do
 * not fit in 64 bits. */
scenmc_status scenmc__cib_space_init(scenmc__cib_space *sp, const scenmc_model *m, int use_cross,
                                    scenmc_error *err);
void scenmc__cib_space_free(scenmc__cib_space *sp);

/* threads, or OpenMP's default when threads <= 0. */
int scenmc__cib_thread_count(int threads);

/* The first p descriptors whose prefixes make at least `want` tasks (p < D). */
int scenmc__cib_split_depth(const scenmc__cib_space *sp, uint64_t want, uint64_t *n_tasks);

/* s[0..p-1] = the prefix of the first p descriptors numbered t. */
void scenmc__cib_prefix(const scenmc__cib_space *sp, int p, uint64_t t, int *s);

/* Marks a search failed (out of memory) from any thread. */
static inline void scenmc__cib_fail(int *failed)
{
#pragma omp atomic write
    *failed = 1;
}

/* bal[V] = B(. | s) under matrix M. */
void scenmc__cib_balance_of(const scenmc_model *m, const double *M, const int *s, double *bal);

/* Whether every entry of M[n] is an integer of moderate size (|x| <= 2^20):
 * sums of them are then exact in doubles, in any order. */
int scenmc__cib_integral(const double *M, size_t n);

/* The best response of descriptor i (offset o, n variants, current a): it
 * keeps a unless strictly beaten; ties between better ones go to the lowest. */
static inline int scenmc__cib_best_response(const double *bal, int o, int n, int a)
{
    double mx = bal[o];
    for (int b = 1; b < n; b++)
        if (bal[o + b] > mx)
            mx = bal[o + b];
    if (!(mx > bal[o + a] + SCENMC_CIB_TOL))
        return a;
    for (int b = 0; b < n; b++)
        if (bal[o + b] >= mx - SCENMC_CIB_TOL)
            return b;
    return a; /* not reached */
}

#endif
