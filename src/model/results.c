/* One results struct for every method: table shapes, probabilities, standard errors. */
#include "model/results.h"
#include "model/observations.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const scenmc_table_names[SCENMC_N_TABLES] = {
    "scenario", "variant", "scenario_variant", "scenario_transition",
    "early_warning", "consistency", "lock_in", "final_state"};

const char *const scenmc_axis_names[SCENMC_N_AXES] = {
    "year", "year_from", "scenario", "from_scenario", "to_scenario", "final_scenario",
    "variant", "consistency", "state"};

uint64_t scenmc_state_index(const scenmc_model *m, const int *s)
{
    uint64_t idx = 0;
    for (int d = 0; d < m->n_descriptors; d++)
        idx = idx * (uint64_t)m->descriptors[d].n_variants + (uint64_t)s[d];
    return idx;
}

void scenmc_state_from_index(const scenmc_model *m, uint64_t idx, int *s)
{
    for (int d = m->n_descriptors - 1; d >= 0; d--) {
        uint64_t n = (uint64_t)m->descriptors[d].n_variants;
        s[d] = (int)(idx % n);
        idx /= n;
    }
}

/* Bounds of K(s) = sum_{i<j} C: each pair contributes between its block's min and max. */
static void consistency_bounds(const scenmc_model *m, const scenmc_params *p, const double *C,
                               double *lo, double *hi)
{
    size_t V = (size_t)m->n_variants;
    double a = 0, b = 0;
    for (int i = 0; i < m->n_descriptors; i++)
        for (int j = i + 1; j < m->n_descriptors; j++) {
            const scenmc_descriptor *I = &m->descriptors[i], *J = &m->descriptors[j];
            double mn = INFINITY, mx = -INFINITY;
            for (int x = 0; x < I->n_variants; x++)
                for (int y = 0; y < J->n_variants; y++) {
                    double c = C[(size_t)(I->offset + x) * V + (size_t)(J->offset + y)];
                    mn = fmin(mn, c);
                    mx = fmax(mx, c);
                }
            /* A block with overridden cells may take any value on the scale: bound it
             * by the scale, so every point of a sweep gets the same bins. */
            for (int k = 0; k < p->n_cells; k++) {
                const scenmc_cell *c = &p->cells[k];
                int du = m->variant_descriptor[c->u], dv = m->variant_descriptor[c->v];
                if (!c->cross && ((du == i && dv == j) || (du == j && dv == i))) {
                    mn = fmin(mn, m->scale_c[0]);
                    mx = fmax(mx, m->scale_c[1]);
                }
            }
            a += mn;
            b += mx;
        }
    *lo = a;
    *hi = b;
}

static void shape(scenmc_table *t, int rank, size_t d0, scenmc_axis a0, size_t d1, scenmc_axis a1,
                  size_t d2, scenmc_axis a2)
{
    t->rank = rank;
    t->dims[0] = d0;
    t->dims[1] = d1;
    t->dims[2] = d2;
    t->axes[0] = a0;
    t->axes[1] = a1;
    t->axes[2] = a2;
    t->size = d0 * (rank > 1 ? d1 : 1) * (rank > 2 ? d2 : 1);
}

scenmc_status scenmc_results_init(scenmc_results *r, const scenmc_model *m, const scenmc_params *p,
                                  scenmc_method method, scenmc_error *err)
{
    memset(r, 0, sizeof *r);
    r->method = method;
    r->model = m;
    scenmc_params_copy(&r->params, p);
    r->n_years = p->year_end - p->year_start + 1;
    r->has_unclassified = scenmc_model_has_unclassified(m);
    r->n_scenarios = m->n_scenarios + (r->has_unclassified ? 1 : 0);
    double lo = 0, hi = 0;
    double *C = scenmc_params_matrix(p, m, 0);
    if (!C) {
        scenmc_params_free(&r->params);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory");
    }
    consistency_bounds(m, p, C, &lo, &hi);
    free(C);
    if (!isfinite(hi - lo)) { /* the bin count below would convert infinity to int */
        scenmc_params_free(&r->params);
        return scenmc_error_add(err, SCENMC_E_INPUT, "the total consistency of a state reaches "
                                "%g to %g, beyond what a double can bin; expected scores of "
                                "sensible size", lo, hi);
    }
    /* Unit bins centred on integers, widened so that there are at most 4096. */
    r->bin_width = 1;
    while ((hi - lo) / r->bin_width > 4095)
        r->bin_width *= 2;
    r->bin_lo = r->bin_width * floor(lo / r->bin_width);
    r->n_bins = (int)ceil((hi - r->bin_lo) / r->bin_width + 0.5) + 1;
    r->n_states = scenmc_model_state_count(m);
    r->full_states = r->n_states > 0 && r->n_states <= SCENMC_FULL_STATE_LIMIT;
    if (!r->full_states && method == SCENMC_MONTE_CARLO) {
        /* No trajectory yet: the (empty) list of distinct final states is complete. */
        r->top_list_state = scenmc__xcalloc(1, sizeof(uint64_t));
        r->top_list_count = scenmc__xcalloc(1, sizeof(uint64_t));
    }

    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)m->n_variants;
    shape(&r->t[SCENMC_T_SCENARIO], 2, Y, SCENMC_AX_YEAR, S, SCENMC_AX_SCENARIO, 0, 0);
    shape(&r->t[SCENMC_T_VARIANT], 2, Y, SCENMC_AX_YEAR, V, SCENMC_AX_VARIANT, 0, 0);
    shape(&r->t[SCENMC_T_SCENARIO_VARIANT], 3, Y, SCENMC_AX_YEAR, S, SCENMC_AX_SCENARIO, V,
          SCENMC_AX_VARIANT);
    shape(&r->t[SCENMC_T_TRANSITION], 3, Y - 1, SCENMC_AX_YEAR_FROM, S, SCENMC_AX_FROM_SCENARIO, S,
          SCENMC_AX_TO_SCENARIO);
    shape(&r->t[SCENMC_T_EARLY_WARNING], 3, Y, SCENMC_AX_YEAR, V, SCENMC_AX_VARIANT, S,
          SCENMC_AX_FINAL_SCENARIO);
    shape(&r->t[SCENMC_T_CONSISTENCY], 2, Y, SCENMC_AX_YEAR, (size_t)r->n_bins,
          SCENMC_AX_CONSISTENCY, 0, 0);
    shape(&r->t[SCENMC_T_LOCK_IN], 2, Y, SCENMC_AX_YEAR, S, SCENMC_AX_FINAL_SCENARIO, 0, 0);
    shape(&r->t[SCENMC_T_FINAL_STATE], 1, r->full_states ? (size_t)r->n_states : 0,
          SCENMC_AX_STATE, 0, 0, 0, 0);

    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        scenmc_table *t = &r->t[k];
        size_t n = t->size ? t->size : 1;
        t->prob = calloc(n, sizeof(double));
        if (method == SCENMC_MONTE_CARLO) {
            t->counts = calloc(n, sizeof(uint64_t));
            t->stderr_ = calloc(n, sizeof(double));
        }
        if (!t->prob || (method == SCENMC_MONTE_CARLO && (!t->counts || !t->stderr_))) {
            scenmc_results_free(r);
            return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the result tables");
        }
    }
    return SCENMC_OK;
}

static void free_list(scenmc_results *r)
{
    free(r->top_list_state);
    free(r->top_list_count);
    r->top_list_state = r->top_list_count = NULL;
}

void scenmc_results_free(scenmc_results *r)
{
    for (int k = 0; k < SCENMC_N_TABLES; k++) {
        free(r->t[k].counts);
        free(r->t[k].prob);
        free(r->t[k].stderr_);
        r->t[k].counts = NULL;
        r->t[k].prob = r->t[k].stderr_ = NULL;
    }
    free(r->top_state);
    r->top_state = NULL;
    free_list(r);
    scenmc_params_free(&r->params);
    if (r->given) {
        scenmc_observations_free(r->given);
        free(r->given);
        r->given = NULL;
    }
}

/* p = count / denominator with its binomial standard error; NaN for 0/0.
 * Weighted counts (a conditioned run): the binomial error of the effective
 * sample, the denominator's share of Kish's effective size, den * ess_per
 * (ess_per = ESS / total weight; 1 for trajectory counts). */
static void ratio_w(const scenmc_table *t, size_t i, uint64_t den, double ess_per)
{
    if (den == 0) {
        t->prob[i] = NAN;
        t->stderr_[i] = NAN;
        return;
    }
    double p = (double)t->counts[i] / (double)den;
    t->prob[i] = p;
    t->stderr_[i] = sqrt(p * (1 - p) / ((double)den * ess_per));
}

double scenmc__given_max(const scenmc_observations *o)
{
    double mx = 1;
    for (int i = 0; o && i < o->n; i++) {
        double m = 0;
        for (int b = 0; b < o->obs[i].n_variants; b++)
            m = o->obs[i].likelihood[b] > m ? o->obs[i].likelihood[b] : m;
        mx *= m;
    }
    return mx;
}

uint64_t scenmc__given_one(const scenmc_observations *o)
{
    return scenmc_observations_all_hard(o) ? 1 : SCENMC__WEIGHT_ONE;
}

void scenmc__results_set_given(scenmc_results *r, const scenmc_observations *o)
{
    if (r->given) {
        scenmc_observations_free(r->given);
        free(r->given);
    }
    r->given = scenmc__xmalloc(sizeof *r->given);
    scenmc_observations_copy(r->given, o);
    r->conditioned = 1;
    r->weight_one = scenmc__given_one(o);
}

/* A conditioned run: Kish's effective size, and the evidence as the mean
 * weight scaled back to likelihoods, with the standard error of that mean. */
static void weighted_summary(scenmc_results *r)
{
    double sq = ldexp((double)r->weight_sq_sum[1], 64) + (double)r->weight_sq_sum[0];
    double sum = (double)r->weight_sum, N = (double)r->n_trajectories;
    r->effective_size = sq > 0 ? sum * sum / sq : 0;
    double unit = r->given && r->weight_one ? scenmc__given_max(r->given) / (double)r->weight_one : NAN;
    double mean = N > 0 ? sum / N : NAN;
    double var = N > 1 ? fmax(sq / N - mean * mean, 0) * N / (N - 1) : NAN;
    r->log_evidence = log(mean * unit);
    r->evidence_se = sqrt(var / N) * unit;
}

void scenmc_results_finalize(scenmc_results *r)
{
    if (r->method != SCENMC_MONTE_CARLO)
        return;
    const scenmc_model *m = r->model;
    size_t Y = (size_t)r->n_years, S = (size_t)r->n_scenarios, V = (size_t)m->n_variants;
    /* Conditioned: weighted counts over the total weight. */
    uint64_t N = r->conditioned ? r->weight_sum : r->n_trajectories;
    double ess_per = 1;
    if (r->conditioned) {
        weighted_summary(r);
        ess_per = r->weight_sum ? r->effective_size / (double)r->weight_sum : 1;
    }
    scenmc_table *sc = &r->t[SCENMC_T_SCENARIO], *va = &r->t[SCENMC_T_VARIANT];
    scenmc_table *sv = &r->t[SCENMC_T_SCENARIO_VARIANT];

    /* The marginals are exact sums of the joint tallies (each state has one variant per
     * descriptor, so summing one descriptor's variants counts each trajectory once). */
    const scenmc_descriptor *D0 = &m->descriptors[0];
    for (size_t y = 0; y < Y; y++) {
        for (size_t s = 0; s < S; s++) {
            uint64_t c = 0;
            for (int b = 0; b < D0->n_variants; b++)
                c += sv->counts[(y * S + s) * V + (size_t)(D0->offset + b)];
            sc->counts[y * S + s] = c;
        }
        for (size_t v = 0; v < V; v++) {
            uint64_t c = 0;
            for (size_t s = 0; s < S; s++)
                c += sv->counts[(y * S + s) * V + v];
            va->counts[y * V + v] = c;
        }
    }
    for (size_t i = 0; i < sc->size; i++)
        ratio_w(sc, i, N, ess_per);
    for (size_t i = 0; i < va->size; i++)
        ratio_w(va, i, N, ess_per);
    for (size_t i = 0; i < sv->size; i++)
        ratio_w(sv, i, sc->counts[i / V], ess_per);
    scenmc_table *tr = &r->t[SCENMC_T_TRANSITION];
    for (size_t i = 0; i < tr->size; i++)
        ratio_w(tr, i, sc->counts[i / S], ess_per); /* row (year, from) of [Y-1, S, S] = [y*S + from] */
    scenmc_table *ew = &r->t[SCENMC_T_EARLY_WARNING];
    for (size_t i = 0; i < ew->size; i++)
        ratio_w(ew, i, va->counts[i / S], ess_per);
    for (int k = SCENMC_T_CONSISTENCY; k < SCENMC_N_TABLES; k++) {
        scenmc_table *t = &r->t[k];
        if (k == SCENMC_T_EARLY_WARNING)
            continue;
        for (size_t i = 0; i < t->size; i++)
            ratio_w(t, i, N, ess_per);
    }
}

static const char *const dropped_text[] = {
    "",
    "more distinct final states than the limit of 2097152 (2^21)",
    "a merged part held only its top states, not every distinct final state",
    "out of memory for the list of distinct final states"};

const char *scenmc__final_state_dropped_text(int why)
{
    return why > 0 && why <= SCENMC__FS_NO_MEMORY ? dropped_text[why] : "unknown reason";
}

int scenmc__final_state_dropped_code(const char *text)
{
    for (int i = 1; i <= SCENMC__FS_NO_MEMORY; i++)
        if (strcmp(text, dropped_text[i]) == 0)
            return i;
    return SCENMC__FS_NO_LIST; /* a reason this version does not know: not mergeable */
}

/* The table: the first min(n, SCENMC_TOP_STATES) of sc, which is sorted. */
static void set_final_table(scenmc_results *r, const scenmc__state_count *sc, size_t n)
{
    scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    size_t shown = n < SCENMC_TOP_STATES ? n : SCENMC_TOP_STATES;
    free(t->counts);
    free(t->prob);
    free(t->stderr_);
    free(r->top_state);
    r->top_state = scenmc__xcalloc(shown ? shown : 1, sizeof(uint64_t));
    t->counts = scenmc__xcalloc(shown ? shown : 1, sizeof(uint64_t));
    t->prob = scenmc__xcalloc(shown ? shown : 1, sizeof(double));
    t->stderr_ = scenmc__xcalloc(shown ? shown : 1, sizeof(double));
    for (size_t i = 0; i < shown; i++) {
        r->top_state[i] = sc[i].state;
        t->counts[i] = sc[i].count;
    }
    t->dims[0] = t->size = shown;
}

void scenmc__results_drop_top(scenmc_results *r, int why)
{
    set_final_table(r, NULL, 0);
    free_list(r);
    r->n_top_distinct = 0;
    r->final_state_dropped = why;
}

static int by_count(const void *a, const void *b)
{
    const scenmc__state_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return x->state < y->state ? -1 : (x->state > y->state);
}

static int by_state(const void *a, const void *b)
{
    const scenmc__state_count *x = a, *y = b;
    return x->state < y->state ? -1 : (x->state > y->state);
}

scenmc_status scenmc__results_set_top(scenmc_results *r, scenmc__state_count *sc, size_t n)
{
    if (n > SCENMC__TOP_LIST_MAX) {
        scenmc__results_drop_top(r, SCENMC__FS_TOO_MANY);
        return SCENMC_OK;
    }
    qsort(sc, n, sizeof *sc, by_count);
    free_list(r);
    r->top_list_state = malloc((n ? n : 1) * sizeof(uint64_t));
    r->top_list_count = malloc((n ? n : 1) * sizeof(uint64_t));
    if (!r->top_list_state || !r->top_list_count) {
        scenmc__results_drop_top(r, SCENMC__FS_NO_MEMORY);
        return SCENMC_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        r->top_list_state[i] = sc[i].state;
        r->top_list_count[i] = sc[i].count;
    }
    set_final_table(r, sc, n);
    r->n_top_distinct = n;
    r->final_state_dropped = 0;
    return SCENMC_OK;
}

scenmc_status scenmc__results_add_top(scenmc_results *dst, const scenmc_results *src)
{
    if (dst->final_state_dropped || src->final_state_dropped) {
        int why = dst->final_state_dropped ? dst->final_state_dropped : src->final_state_dropped;
        scenmc__results_drop_top(dst, why);
        return SCENMC_OK;
    }
    if (!dst->top_list_state || !src->top_list_state) {
        scenmc__results_drop_top(dst, SCENMC__FS_NO_LIST);
        return SCENMC_OK;
    }
    size_t a = (size_t)dst->n_top_distinct, b = (size_t)src->n_top_distinct;
    scenmc__state_count *sc = malloc((a + b ? a + b : 1) * sizeof *sc);
    if (!sc) {
        scenmc__results_drop_top(dst, SCENMC__FS_NO_MEMORY);
        return SCENMC_E_NOMEM;
    }
    for (size_t i = 0; i < a; i++)
        sc[i] = (scenmc__state_count){dst->top_list_state[i], dst->top_list_count[i]};
    for (size_t i = 0; i < b; i++)
        sc[a + i] = (scenmc__state_count){src->top_list_state[i], src->top_list_count[i]};
    /* Sorted by state, equal states are neighbours: add their counts. */
    qsort(sc, a + b, sizeof *sc, by_state);
    size_t n = 0;
    for (size_t i = 0; i < a + b; i++) {
        if (n && sc[n - 1].state == sc[i].state)
            sc[n - 1].count += sc[i].count;
        else
            sc[n++] = sc[i];
    }
    scenmc_status st = scenmc__results_set_top(dst, sc, n);
    free(sc);
    return st;
}

scenmc_status scenmc_results_add(scenmc_results *dst, const scenmc_results *src, scenmc_error *err)
{
    if (dst->method != SCENMC_MONTE_CARLO || src->method != SCENMC_MONTE_CARLO)
        return scenmc_error_add(err, SCENMC_E_INPUT, "only Monte Carlo counts can be added");
    /* A top-states table (more than 2^24 states) is added by state, below. */
    int top = !dst->full_states || !src->full_states;
    if (dst->full_states != src->full_states || dst->n_states != src->n_states)
        return scenmc_error_add(err, SCENMC_E_INPUT, "%llu states here, %llu there; the results do "
                                "not belong together", (unsigned long long)dst->n_states,
                                (unsigned long long)src->n_states);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        if (dst->t[k].size != src->t[k].size && !(top && k == SCENMC_T_FINAL_STATE))
            return scenmc_error_add(err, SCENMC_E_INPUT, "table %s: %zu cells here, %zu there; the "
                                    "results do not belong together", scenmc_table_names[k],
                                    dst->t[k].size, src->t[k].size);
    /* A part with no trajectories (a rank or range with nothing to do) may
     * lack the conditioning; otherwise both must be weighted alike. */
    if (src->n_trajectories && !dst->n_trajectories && src->conditioned && !dst->conditioned)
        scenmc__results_set_given(dst, src->given);
    else if (src->n_trajectories && dst->n_trajectories &&
             (dst->conditioned != src->conditioned || dst->weight_one != src->weight_one))
        return scenmc_error_add(err, SCENMC_E_INPUT, "one part is conditioned on observations and the "
                                "other is not, or weighted otherwise; the results do not belong together");
    dst->weight_sum += src->weight_sum;
    scenmc__u128_add(dst->weight_sq_sum, src->weight_sq_sum[0], src->weight_sq_sum[1]);
    for (int k = 0; k < SCENMC_N_TABLES; k++)
        for (size_t i = 0; i < dst->t[k].size && !(top && k == SCENMC_T_FINAL_STATE); i++)
            dst->t[k].counts[i] += src->t[k].counts[i];
    if (top && scenmc__results_add_top(dst, src) != SCENMC_OK)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory adding the final states");
    dst->n_trajectories += src->n_trajectories;
    dst->first = src->first < dst->first ? src->first : dst->first;
    dst->last = src->last > dst->last ? src->last : dst->last;
    dst->wall_seconds += src->wall_seconds;
    scenmc_results_finalize(dst);
    return SCENMC_OK;
}
