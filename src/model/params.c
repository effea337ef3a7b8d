/* Parameters: the model's defaults, overridden by the command line or a sweep point. */
#include "model/params.h"
#include "scenmc/hpc.h" /* scenmc_params_same */
#include "base/util.h"
#include "model/model.h" /* SCENMC__MAX_MAGNITUDE */
#include "model/schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scenmc_params_init(scenmc_params *p, const scenmc_model *m)
{
    memset(p, 0, sizeof *p);
    p->beta = m->beta;
    p->w_consistency = m->w_consistency;
    p->w_cross = m->w_cross;
    p->n_descriptors = m->n_descriptors;
    p->n_variants = m->n_variants;
    p->rate = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(double));
    p->initial = scenmc__xcalloc((size_t)m->n_variants, sizeof(double));
    for (int d = 0; d < m->n_descriptors; d++) {
        const scenmc_descriptor *D = &m->descriptors[d];
        p->rate[d] = D->rate > 0 ? D->rate : m->rate;
        for (int b = 0; b < D->n_variants; b++)
            p->initial[D->offset + b] = D->initial ? D->initial[b] : 1.0 / D->n_variants;
    }
    if (m->start) {
        p->start = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
        memcpy(p->start, m->start, sizeof(int) * (size_t)m->n_descriptors);
    }
    p->year_start = m->year_start;
    p->year_end = m->year_end;
    p->seed = m->seed;
    p->n_trajectories = m->trajectories;
    /* The file's changes come first; the command line's are appended (cli_schedule). */
    if (m->schedule && m->schedule->n) {
        p->schedule = scenmc__xmalloc(sizeof *p->schedule);
        scenmc_schedule_copy(p->schedule, m->schedule);
    }
}

void scenmc_params_copy(scenmc_params *dst, const scenmc_params *src)
{
    *dst = *src;
    dst->rate = scenmc__xcalloc((size_t)src->n_descriptors, sizeof(double));
    memcpy(dst->rate, src->rate, sizeof(double) * (size_t)src->n_descriptors);
    dst->initial = scenmc__xcalloc((size_t)src->n_variants, sizeof(double));
    memcpy(dst->initial, src->initial, sizeof(double) * (size_t)src->n_variants);
    if (src->start) {
        dst->start = scenmc__xcalloc((size_t)src->n_descriptors, sizeof(int));
        memcpy(dst->start, src->start, sizeof(int) * (size_t)src->n_descriptors);
    }
    dst->cells = NULL;
    if (src->n_cells) {
        dst->cells = scenmc__xcalloc((size_t)src->n_cells, sizeof(scenmc_cell));
        memcpy(dst->cells, src->cells, sizeof(scenmc_cell) * (size_t)src->n_cells);
    }
    if (src->schedule) {
        dst->schedule = scenmc__xmalloc(sizeof *dst->schedule);
        scenmc_schedule_copy(dst->schedule, src->schedule);
    }
}

void scenmc_params_add_cell(scenmc_params *p, int u, int v, int cross, double value)
{
    p->cells = scenmc__xrealloc(p->cells, sizeof(scenmc_cell) * (size_t)(p->n_cells + 1));
    p->cells[p->n_cells++] = (scenmc_cell){.u = u, .v = v, .cross = cross, .value = value};
}

double *scenmc_params_matrix(const scenmc_params *p, const scenmc_model *m, int cross)
{
    size_t V = (size_t)m->n_variants;
    double *a = malloc(V * V * sizeof(double));
    if (!a)
        return NULL;
    const double *src = cross ? m->cross_impact : m->consistency;
    if (src)
        memcpy(a, src, V * V * sizeof(double));
    else
        memset(a, 0, V * V * sizeof(double));
    for (int i = 0; i < p->n_cells; i++) {
        const scenmc_cell *c = &p->cells[i];
        if (c->cross != cross)
            continue;
        a[(size_t)c->u * V + (size_t)c->v] = c->value;
        if (!cross)
            a[(size_t)c->v * V + (size_t)c->u] = c->value;
    }
    return a;
}

void scenmc_params_free(scenmc_params *p)
{
    free(p->cells);
    p->cells = NULL;
    p->n_cells = 0;
    free(p->rate);
    free(p->initial);
    free(p->start);
    p->rate = p->initial = NULL;
    p->start = NULL;
    if (p->schedule) {
        scenmc_schedule_free(p->schedule);
        free(p->schedule);
        p->schedule = NULL;
    }
}

void scenmc_params_set_rate(scenmc_params *p, double r)
{
    for (int d = 0; d < p->n_descriptors; d++)
        p->rate[d] = r;
}

/* Beta, the weights and cell overrides: finite and at most SCENMC__MAX_MAGNITUDE, so
 * that the consistency bounds and the histogram's bin count stay finite. */
static void check_magnitudes(const scenmc_params *p, scenmc_error *err)
{
    const double M = SCENMC__MAX_MAGNITUDE;
    if (!isfinite(p->beta) || p->beta < 0 || p->beta > M)
        scenmc_error_add(err, SCENMC_E_INPUT, "beta is %g; expected a number from 0 to %.0f",
                         p->beta, M);
    if (!isfinite(p->w_consistency) || fabs(p->w_consistency) > M)
        scenmc_error_add(err, SCENMC_E_INPUT, "w_consistency is %g; expected a number from -%.0f "
                         "to %.0f", p->w_consistency, M, M);
    if (!isfinite(p->w_cross) || fabs(p->w_cross) > M)
        scenmc_error_add(err, SCENMC_E_INPUT, "w_cross is %g; expected a number from -%.0f to %.0f",
                         p->w_cross, M, M);
    for (int i = 0; i < p->n_cells; i++)
        if (!isfinite(p->cells[i].value) || fabs(p->cells[i].value) > M) {
            scenmc_error_add(err, SCENMC_E_INPUT, "a matrix cell is set to %g; expected a number "
                             "from -%.0f to %.0f", p->cells[i].value, M, M);
            break;
        }
}

scenmc_status scenmc__params_check_scheduled(const scenmc_params *p, scenmc_error *err)
{
    int before = err->n_problems;
    check_magnitudes(p, err);
    for (int d = 0; d < p->n_descriptors; d++)
        if (!isfinite(p->rate[d]) || !(p->rate[d] > 0)) {
            scenmc_error_add(err, SCENMC_E_INPUT, "rate of descriptor %d is %g; expected a positive "
                             "finite number of revisions per year", d + 1, p->rate[d]);
            break;
        }
    double total = 0;
    for (int d = 0; d < p->n_descriptors; d++)
        total += p->rate[d];
    /* The yearly Poisson table must stay small: at most ~1e4 revisions a year. */
    if (total > 1e4)
        scenmc_error_add(err, SCENMC_E_LIMIT, "the rates sum to %g revisions per year; expected at "
                         "most 10000", total);
    if (p->n_trajectories < 1)
        scenmc_error_add(err, SCENMC_E_INPUT, "the number of trajectories is 0; expected at least 1");
    if (p->year_end <= p->year_start)
        scenmc_error_add(err, SCENMC_E_INPUT, "end year %d is not after start year %d", p->year_end,
                         p->year_start);
    return err->n_problems > before ? err->code : SCENMC_OK;
}

/* Changes over time are refused rather than ignored by every entry point
 * that has not been taught them: those that have call
 * scenmc__params_check_scheduled instead. */
scenmc_status scenmc_params_check(const scenmc_params *p, scenmc_error *err)
{
    scenmc_status st = scenmc__params_check_scheduled(p, err);
    return st != SCENMC_OK ? st : scenmc__schedule_unsupported(p, "this command", err);
}

scenmc_status scenmc_params_parse_start(scenmc_params *p, const scenmc_model *m, const char *spec,
                                        scenmc_error *err)
{
    int *s = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
    for (int d = 0; d < m->n_descriptors; d++)
        s[d] = -1;
    char *copy = scenmc__strdup(spec), *save = NULL;
    int before = err->n_problems;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--start: '%s' is not ID=VARIANT", tok);
            continue;
        }
        *eq = '\0';
        int d = scenmc_model_find_descriptor(m, tok);
        if (d < 0) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--start: unknown descriptor '%s'", tok);
            continue;
        }
        int v = scenmc_model_find_variant(m, d, eq + 1);
        if (v < 0) {
            /* Also accept a 1-based variant number. */
            char *end;
            long k = strtol(eq + 1, &end, 10);
            if (*end == '\0' && k >= 1 && k <= m->descriptors[d].n_variants)
                v = (int)k - 1;
        }
        if (v < 0) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--start: '%s' is not a variant of %s (name, id "
                             "or number 1..%d expected)", eq + 1, tok, m->descriptors[d].n_variants);
            continue;
        }
        if (s[d] >= 0) {
            scenmc_error_add(err, SCENMC_E_INPUT, "--start sets descriptor %s twice; expected "
                             "ID=VARIANT once for every descriptor", m->descriptors[d].id);
            continue;
        }
        s[d] = v;
    }
    for (int d = 0; d < m->n_descriptors; d++)
        if (s[d] < 0)
            scenmc_error_add(err, SCENMC_E_INPUT, "--start does not set descriptor %s; expected "
                             "ID=VARIANT for every descriptor", m->descriptors[d].id);
    free(copy);
    if (err->n_problems > before) {
        free(s);
        return err->code;
    }
    free(p->start);
    p->start = s;
    return SCENMC_OK;
}
/* ---------------------------------------------------------------- parameters */

static int same_doubles(const double *a, const double *b, int n)
{
    return n <= 0 || (a && b && memcmp(a, b, (size_t)n * sizeof(double)) == 0);
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Whether two changes over time act alike (names and places aside). */
static int same_change(const scenmc_change *x, const scenmc_change *y)
{
    if (x->kind != y->kind || x->descriptor != y->descriptor || x->variant != y->variant)
        return 0;
    if (x->kind == SCENMC_CHANGE_TREND)
        return x->n_knots == y->n_knots &&
               memcmp(x->knot_year, y->knot_year, sizeof(int) * (size_t)x->n_knots) == 0 &&
               same_doubles(x->knot_value, y->knot_value, x->n_knots);
    return x->first == y->first && x->last == y->last && (x->kind == SCENMC_CHANGE_HOLD || same_double(x->value, y->value));
}

/* 0 when both schedules are the same list (none and empty alike), else the
 * 1-based position of the first difference. */
static int schedule_diff(const scenmc_schedule *a, const scenmc_schedule *b)
{
    const int na = a ? a->n : 0, nb = b ? b->n : 0;
    for (int i = 0; i < na && i < nb; i++)
        if (!same_change(&a->ch[i], &b->ch[i]))
            return i + 1;
    return na == nb ? 0 : (na < nb ? na : nb) + 1;
}

/* A change in words: where it was given ("--intervene 2023:FI=Offentligt",
 * "m.yaml:12"), else its kind and place in the list. */
static void change_words(const scenmc_change *c, int i, char *out, size_t n)
{
    if (c->where && *c->where)
        snprintf(out, n, "%s", c->where);
    else
        snprintf(out, n, "%s #%d", scenmc_change_kind_names[c->kind], i + 1);
}

/* The first difference of two schedules (at index i) in words: a change
 * only one has, or the two changes; where both were given alike (a sweep
 * moved one), their years or values. */
static void schedule_why(const scenmc_schedule *a, const scenmc_schedule *b, int i, char *why, size_t n)
{
    const int na = a ? a->n : 0, nb = b ? b->n : 0;
    char x[160], y[160];
    const char *head = "different trends, interventions or shocks";
    if (i >= nb || i >= na) {
        change_words(i < na ? &a->ch[i] : &b->ch[i], i, x, sizeof x);
        snprintf(why, n, "%s (%s %s)", head, i < na ? "also" : "without", x);
        return;
    }
    const scenmc_change *p = &a->ch[i], *q = &b->ch[i];
    change_words(p, i, x, sizeof x);
    change_words(q, i, y, sizeof y);
    if (strcmp(x, y))
        snprintf(why, n, "%s (%s, not %s)", head, x, y);
    else if (p->kind == q->kind && p->kind != SCENMC_CHANGE_TREND && (p->first != q->first || p->last != q->last))
        snprintf(why, n, "%s (%s in the years %d-%d, not %d-%d)", head, x, p->first, p->last, q->first, q->last);
    else if (p->kind == q->kind && p->kind == SCENMC_CHANGE_SHOCK)
        snprintf(why, n, "%s (%s at hazard %.17g, not %.17g)", head, x, p->value, q->value);
    else
        snprintf(why, n, "%s (%s with other values)", head, x);
}

int scenmc_params_same(const scenmc_params *a, const scenmc_params *b, char *why, size_t n)
{
#define DIFF(...) do { if (why && n) snprintf(why, n, __VA_ARGS__); return 0; } while (0)
    if (a->seed != b->seed)
        DIFF("seed %llu, not %llu", (unsigned long long)a->seed, (unsigned long long)b->seed);
    if (a->n_trajectories != b->n_trajectories)
        DIFF("%llu trajectories (-n), not %llu", (unsigned long long)a->n_trajectories,
             (unsigned long long)b->n_trajectories);
    if (!same_double(a->beta, b->beta))
        DIFF("beta %.17g, not %.17g", a->beta, b->beta);
    if (!same_double(a->w_consistency, b->w_consistency))
        DIFF("w-consistency %.17g, not %.17g", a->w_consistency, b->w_consistency);
    if (!same_double(a->w_cross, b->w_cross))
        DIFF("w-cross %.17g, not %.17g", a->w_cross, b->w_cross);
    if (a->year_start != b->year_start || a->year_end != b->year_end)
        DIFF("years %d-%d, not %d-%d", a->year_start, a->year_end, b->year_start, b->year_end);
    if (a->n_descriptors != b->n_descriptors || a->n_variants != b->n_variants)
        DIFF("%d descriptors and %d variants, not %d and %d", a->n_descriptors, a->n_variants,
             b->n_descriptors, b->n_variants);
    if (!same_doubles(a->rate, b->rate, a->n_descriptors))
        DIFF("different revision rates");
    if (!same_doubles(a->initial, b->initial, a->n_variants))
        DIFF("different initial probabilities");
    if ((a->start != NULL) != (b->start != NULL) ||
        (a->start && memcmp(a->start, b->start, (size_t)a->n_descriptors * sizeof(int)) != 0))
        DIFF("a different start state (--start)");
    if (a->n_cells != b->n_cells)
        DIFF("%d matrix-cell overrides, not %d", a->n_cells, b->n_cells);
    for (int i = 0; i < a->n_cells; i++) {
        const scenmc_cell *x = &a->cells[i], *y = &b->cells[i];
        if (x->u != y->u || x->v != y->v || x->cross != y->cross || !same_double(x->value, y->value))
            DIFF("a different matrix-cell override (#%d)", i + 1);
    }
    const int sd = schedule_diff(a->schedule, b->schedule);
    if (sd) {
        if (why && n)
            schedule_why(a->schedule, b->schedule, sd - 1, why, n);
        return 0;
    }
#undef DIFF
    return 1;
}

