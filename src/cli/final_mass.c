#include "cli/final_mass.h"
#include "base/util.h"
#include "scenmc/cib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cell {
    uint64_t state;
    size_t at; /* position in the table or list */
} cell;

static int by_state(const void *a, const void *b)
{
    uint64_t x = ((const cell *)a)->state, y = ((const cell *)b)->state;
    return x < y ? -1 : x > y;
}

/* The states a table or list holds, sorted for look-up. */
static cell *sorted_cells(const uint64_t *state, size_t n)
{
    cell *c = scenmc__xcalloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; i < n; i++)
        c[i] = (cell){state[i], i};
    qsort(c, n, sizeof *c, by_state);
    return c;
}

static const cell *find(const cell *c, size_t n, uint64_t x)
{
    cell key = {x, 0};
    return bsearch(&key, c, n, sizeof *c, by_state);
}

/* The binomial standard error of a share k/N, as the tables give it. */
static double binomial_se(uint64_t k, uint64_t N)
{
    if (!N)
        return 0;
    double p = (double)k / (double)N;
    return sqrt(p * (1 - p) / (double)N);
}

void final_mass_of(const scenmc_results *r, const uint64_t *idx, size_t n, double *p, double *se,
                   final_mass *fm)
{
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    *fm = (final_mass){0};
    fm->mc = r->method == SCENMC_MONTE_CARLO;
    if (t->size == 0)
        return;
    fm->available = 1;
    /* Where each state's figure is: the full table, the list of every state
     * seen (Monte Carlo top mode), or only the top table. */
    int full = r->full_states, list = !full && fm->mc && r->top_list_state;
    size_t n_cells = list ? (size_t)r->n_top_distinct : t->size;
    fm->complete = full || list;
    cell *cells = full ? NULL : sorted_cells(list ? r->top_list_state : r->top_state, n_cells);
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t c = 0;
        double q = 0;
        const cell *hit = full ? NULL : find(cells, n_cells, idx[k]);
        if (full && idx[k] < t->size) {
            c = fm->mc ? t->counts[idx[k]] : 0;
            q = t->prob[idx[k]];
        } else if (hit) {
            c = !fm->mc ? 0 : list ? r->top_list_count[hit->at] : t->counts[hit->at];
            q = list ? (double)c / (double)r->n_trajectories : t->prob[hit->at];
        }
        p[k] = fm->mc ? (r->n_trajectories ? (double)c / (double)r->n_trajectories : NAN) : q;
        se[k] = fm->mc ? binomial_se(c, r->n_trajectories) : 0;
        fm->total_count += c;
        sum += q;
    }
    fm->total = fm->mc ? (r->n_trajectories ? (double)fm->total_count / (double)r->n_trajectories
                                            : NAN)
                       : sum;
    fm->total_se = fm->mc ? binomial_se(fm->total_count, r->n_trajectories) : 0;
    free(cells);
}

typedef struct by_p_item {
    double p, se;
    uint64_t index;
} by_p_item;

static int by_p(const void *a, const void *b)
{
    const by_p_item *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

int consistent_mass_of(const scenmc_results *r, consistent_mass *cm)
{
    const scenmc_model *m = r->model;
    memset(cm, 0, sizeof *cm);
    uint64_t n_states = scenmc_model_state_count(m);
    if (!n_states || n_states > SCENMC_FULL_STATE_LIMIT)
        return 1;
    scenmc_cib_options co;
    scenmc_cib_options_init(&co);
    co.max_stored = 1u << 20;
    scenmc_cib_list l;
    scenmc_error err;
    scenmc_error_clear(&err);
    if (scenmc_cib_enumerate(m, &co, &l, &err) != SCENMC_OK)
        return 1;
    size_t n = (size_t)l.n_stored;
    cm->uses_cross = l.uses_cross;
    cm->n_found = l.n_found;
    cm->n = n;
    cm->index = scenmc__xcalloc(n + 1, sizeof(uint64_t));
    cm->p = scenmc__xcalloc(n + 1, sizeof(double));
    cm->se = scenmc__xcalloc(n + 1, sizeof(double));
    final_mass_of(r, l.index, n, cm->p, cm->se, &cm->fm);
    by_p_item *it = scenmc__xcalloc(n + 1, sizeof *it);
    for (size_t k = 0; k < n; k++)
        it[k] = (by_p_item){cm->p[k], cm->se[k], l.index[k]};
    qsort(it, n, sizeof *it, by_p);
    for (size_t k = 0; k < n; k++) {
        cm->index[k] = it[k].index;
        cm->p[k] = it[k].p;
        cm->se[k] = it[k].se;
    }
    free(it);
    scenmc_cib_list_free(&l);
    return 0;
}

void consistent_mass_free(consistent_mass *cm)
{
    free(cm->index);
    free(cm->p);
    free(cm->se);
    memset(cm, 0, sizeof *cm);
}
