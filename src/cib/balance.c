/* CIB's state space and single states: impact balances, inconsistency and
 * one step of global succession (docs/model.md, sections 3 and 8). */
#include "cib/balance.h"
#include "model/results.h"
#include "base/util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define TOL SCENMC_CIB_TOL

typedef scenmc__cib_space space;

/* ---------------------------------------------------------------- the space */


void scenmc__cib_space_free(space *sp)
{
    free(sp->n);
    free(sp->off);
    free(sp->place);
}

int scenmc_cib_uses_cross(const scenmc_model *m, int use_cross)
{
    if (use_cross == SCENMC_CIB_CROSS)
        return 1;
    if (use_cross == SCENMC_CIB_CONSISTENCY)
        return 0;
    return m->cross_impact != NULL;
}

static scenmc_status check_matrix(const scenmc_model *m, int use_cross, scenmc_error *err)
{
    if (use_cross != SCENMC_CIB_AUTO && use_cross != SCENMC_CIB_CONSISTENCY &&
        use_cross != SCENMC_CIB_CROSS)
        return scenmc_error_add(err, SCENMC_E_INPUT, "matrix choice %d; expected -1 (auto), 0 "
                                "(consistency) or 1 (cross impact)", use_cross);
    if (use_cross == SCENMC_CIB_CROSS && !m->cross_impact)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%s: the model has no cross-impact matrix; "
                                "expected one, or the consistency matrix to be used", m->path);
    return SCENMC_OK;
}

static const double *matrix_of(const scenmc_model *m, int use_cross)
{
    return scenmc_cib_uses_cross(m, use_cross) ? m->cross_impact : m->consistency;
}

scenmc_status scenmc__cib_space_init(space *sp, const scenmc_model *m, int use_cross,
                                    scenmc_error *err)
{
    memset(sp, 0, sizeof *sp);
    scenmc_status st = check_matrix(m, use_cross, err);
    if (st != SCENMC_OK)
        return st;
    sp->n_states = scenmc_model_state_count(m);
    if (!sp->n_states)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "%s: the state space of %d descriptors has "
                                "more than 2^64 states; expected one whose states can be "
                                "numbered in 64 bits", m->path, m->n_descriptors);
    sp->m = m;
    sp->D = m->n_descriptors;
    sp->V = m->n_variants;
    sp->uses_cross = scenmc_cib_uses_cross(m, use_cross);
    sp->M = matrix_of(m, use_cross);
    sp->n = scenmc__xmalloc((size_t)sp->D * sizeof(int));
    sp->off = scenmc__xmalloc((size_t)sp->D * sizeof(int));
    sp->place = scenmc__xmalloc((size_t)sp->D * sizeof(uint64_t));
    uint64_t place = 1;
    for (int i = sp->D - 1; i >= 0; i--) {
        sp->n[i] = m->descriptors[i].n_variants;
        sp->off[i] = m->descriptors[i].offset;
        sp->place[i] = place;
        place *= (uint64_t)sp->n[i];
        if (sp->n[i] > sp->max_n)
            sp->max_n = sp->n[i];
    }
    return SCENMC_OK;
}

int scenmc__cib_thread_count(int threads)
{
    return threads > 0 ? threads : omp_get_max_threads();
}

int scenmc__cib_split_depth(const space *sp, uint64_t want, uint64_t *n_tasks)
{
    int p = 0;
    uint64_t k = 1;
    while (p < sp->D - 1 && k < want)
        k *= (uint64_t)sp->n[p++];
    *n_tasks = k;
    return p;
}

void scenmc__cib_prefix(const space *sp, int p, uint64_t t, int *s)
{
    for (int i = p - 1; i >= 0; i--) {
        s[i] = (int)(t % (uint64_t)sp->n[i]);
        t /= (uint64_t)sp->n[i];
    }
}

int scenmc__cib_integral(const double *M, size_t n)
{
    for (size_t u = 0; u < n; u++)
        if (!(M[u] == floor(M[u]) && fabs(M[u]) <= 1048576))
            return 0;
    return 1;
}

/* ---------------------------------------------------------- single states */

/* The model's numbering (model/results.c), under the names of this API. */
uint64_t scenmc_cib_state_index(const scenmc_model *m, const int *s)
{
    return scenmc_state_index(m, s);
}

void scenmc_cib_state_decode(const scenmc_model *m, uint64_t index, int *s)
{
    scenmc_state_from_index(m, index, s);
}

static scenmc_status check_state(const scenmc_model *m, const int *s, scenmc_error *err)
{
    for (int i = 0; i < m->n_descriptors; i++)
        if (s[i] < 0 || s[i] >= m->descriptors[i].n_variants)
            return scenmc_error_add(err, SCENMC_E_INPUT, "variant %d of descriptor %s; expected "
                                    "0 to %d", s[i], m->descriptors[i].id,
                                    m->descriptors[i].n_variants - 1);
    return SCENMC_OK;
}

void scenmc__cib_balance_of(const scenmc_model *m, const double *M, const int *s, double *bal)
{
    size_t V = (size_t)m->n_variants;
    memset(bal, 0, V * sizeof *bal);
    for (int j = 0; j < m->n_descriptors; j++) {
        const double *row = M + (size_t)(m->descriptors[j].offset + s[j]) * V;
        for (size_t v = 0; v < V; v++)
            bal[v] += row[v];
    }
}

/* The matrix choice and the state, checked. */
static scenmc_status check_args(const scenmc_model *m, const int *s, int use_cross,
                                scenmc_error *err)
{
    scenmc_status st = check_matrix(m, use_cross, err);
    return st == SCENMC_OK ? check_state(m, s, err) : st;
}

/* B(. | s), newly allocated. */
static double *balance_new(const scenmc_model *m, const int *s, int use_cross)
{
    double *bal = scenmc__xmalloc((size_t)m->n_variants * sizeof *bal);
    scenmc__cib_balance_of(m, matrix_of(m, use_cross), s, bal);
    return bal;
}

scenmc_status scenmc_cib_impact_balance(const scenmc_model *m, const int *s, int use_cross,
                                        double *bal, scenmc_error *err)
{
    scenmc_status st = check_args(m, s, use_cross, err);
    if (st == SCENMC_OK)
        scenmc__cib_balance_of(m, matrix_of(m, use_cross), s, bal);
    return st;
}

scenmc_status scenmc_cib_inconsistency(const scenmc_model *m, const int *s, int use_cross,
                                       double *ic, double *margins, double *total_impact,
                                       scenmc_error *err)
{
    scenmc_status st = check_args(m, s, use_cross, err);
    if (st != SCENMC_OK)
        return st;
    double *bal = balance_new(m, s, use_cross);
    double worst = 0, tis = 0;
    for (int i = 0; i < m->n_descriptors; i++) {
        const scenmc_descriptor *D = &m->descriptors[i];
        double mine = bal[D->offset + s[i]], other = -INFINITY;
        for (int b = 0; b < D->n_variants; b++)
            if (b != s[i] && bal[D->offset + b] > other)
                other = bal[D->offset + b];
        if (other - mine > worst)
            worst = other - mine;
        if (margins)
            margins[i] = mine - other;
        tis += mine;
    }
    free(bal);
    if (ic)
        *ic = worst <= TOL ? 0 : worst;
    if (total_impact)
        *total_impact = tis;
    return SCENMC_OK;
}

scenmc_status scenmc_cib_succession_step(const scenmc_model *m, const int *s, int use_cross,
                                         int *next, int *changed, scenmc_error *err)
{
    scenmc_status st = check_args(m, s, use_cross, err);
    if (st != SCENMC_OK)
        return st;
    double *bal = balance_new(m, s, use_cross);
    int moved = 0;
    for (int i = 0; i < m->n_descriptors; i++) {
        next[i] = scenmc__cib_best_response(bal, m->descriptors[i].offset,
                                           m->descriptors[i].n_variants, s[i]);
        moved += next[i] != s[i];
    }
    free(bal);
    if (changed)
        *changed = moved;
    return SCENMC_OK;
}
