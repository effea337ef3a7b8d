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

#endif
