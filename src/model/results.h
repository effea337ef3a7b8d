/* One results struct for every method (table shapes, probabilities, standard
 * errors) and the mixed-radix numbering of states (scenmc_state_index,
 * scenmc_state_from_index), which every layer above shares. The API is in
 * scenmc/scenmc.h. */
#ifndef SCENMC_MODEL_RESULTS_H
#define SCENMC_MODEL_RESULTS_H

#include "scenmc/scenmc.h"

/* Top mode (more than SCENMC_FULL_STATE_LIMIT states): the most distinct final
 * states a result keeps (in memory, in shard files and checkpoints) so that
 * parts merge by state exactly; beyond it the final-state table is dropped. */
#define SCENMC__TOP_LIST_MAX ((size_t)1 << 21)

/* Why a top-mode final-state table is empty (scenmc_results.final_state_dropped). */
enum {
    SCENMC__FS_KEPT = 0,
    SCENMC__FS_TOO_MANY = 1, /* more than SCENMC__TOP_LIST_MAX distinct final states */
    SCENMC__FS_NO_LIST = 2,  /* a part held only its top states (a file from before the list) */
    SCENMC__FS_NO_MEMORY = 3
};

typedef struct scenmc__state_count {
    uint64_t state, count;
} scenmc__state_count;

/* The text of a reason above (the file's final_state_dropped attribute), and back. */
const char *scenmc__final_state_dropped_text(int why);
int scenmc__final_state_dropped_code(const char *text);
/* Top mode: sets the final-state list from n distinct (state, count) pairs,
 * sorted here by count, ties by state index; the table is the first
 * SCENMC_TOP_STATES. Over SCENMC__TOP_LIST_MAX pairs it drops the table. */
scenmc_status scenmc__results_set_top(scenmc_results *r, scenmc__state_count *sc, size_t n);
/* Top mode: empties the final-state table, saying why. */
void scenmc__results_drop_top(scenmc_results *r, int why);
/* Top mode: adds src's final states to dst's, by state. */
scenmc_status scenmc__results_add_top(scenmc_results *dst, const scenmc_results *src);

/* Conditioning on observations (docs/signposts.md, section 3). A trajectory
 * of likelihood L gets the integer weight round(L / Lmax * one), Lmax the
 * product over the observations of their largest likelihood: one is 1 when
 * every observation is hard evidence (weights 0 or 1: the counts stay
 * trajectory counts), else SCENMC__WEIGHT_ONE. */
#define SCENMC__WEIGHT_ONE ((uint64_t)1 << 24)
/* Trajectories a soft-evidence run may weigh: sums stay below 2^64. */
#define SCENMC__WEIGHTED_MAX ((uint64_t)1 << 40)
double scenmc__given_max(const struct scenmc_observations *o);
uint64_t scenmc__given_one(const struct scenmc_observations *o);
/* Marks r conditioned on o (a copy kept in r->given; weight_one set). */
void scenmc__results_set_given(scenmc_results *r, const struct scenmc_observations *o);
/* x[2] (low, high word) += a: exact 128-bit sums of squared weights. */
static inline void scenmc__u128_add(uint64_t x[2], uint64_t lo, uint64_t hi)
{
    x[0] += lo;
    x[1] += hi + (x[0] < lo);
}

#endif
