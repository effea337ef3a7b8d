#include "cli/final_mass.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>

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
