/* Sensitivity studies: sweep parameters, designs (grid, Latin hypercube),
 * with common random numbers.
 *
 * Every point of a sweep uses the same seed, so trajectory k draws the same
 * random numbers at every point (common random numbers): a point's result is
 * exactly what a standalone run with those parameters gives. */
#include "engine/sweep.h"
#include "engine/simulate.h"
#include "engine/rng.h"
#include "scenmc/schedule.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- values */

static int parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* SPEC: "start:stop:step", "lin:start:stop:count", or "a,b,c" (one value allowed). */
static scenmc_status parse_spec(const char *name, const char *spec, scenmc_sweep_param *p,
                                scenmc_error *err)
{
    char *copy = scenmc__strdup(spec);
    scenmc_status st = SCENMC_OK;
    char *f[5] = {0};
    int nf = 0;
    if (!strncmp(copy, "lin:", 4)) {
        for (char *save = NULL, *t = strtok_r(copy + 4, ":", &save); t && nf < 5;
             t = strtok_r(NULL, ":", &save))
            f[nf++] = t;
        double a, b, c;
        if (nf != 3 || !parse_num(f[0], &a) || !parse_num(f[1], &b) || !parse_num(f[2], &c) ||
            c < 1 || c != floor(c) || c > 1e6) {
            st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: '%s' is not lin:START:STOP:COUNT "
                                  "with a whole COUNT from 1 to 10^6", name, spec);
        } else {
            p->n_values = (int)c;
            p->values = scenmc__xcalloc((size_t)p->n_values, sizeof(double));
            for (int i = 0; i < p->n_values; i++)
                p->values[i] = p->n_values == 1 ? a : a + (b - a) * i / (p->n_values - 1);
        }
    } else if (strchr(copy, ':')) {
        for (char *save = NULL, *t = strtok_r(copy, ":", &save); t && nf < 5;
             t = strtok_r(NULL, ":", &save))
            f[nf++] = t;
        double a, b, step;
        if (nf != 3 || !parse_num(f[0], &a) || !parse_num(f[1], &b) || !parse_num(f[2], &step)) {
            st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: '%s' is not START:STOP:STEP", name,
                                  spec);
        } else if (step == 0) {
            st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: step 0 in '%s'; expected a "
                                  "non-zero step", name, spec);
        } else if ((b - a) * step < 0) {
            st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: step %g goes away from %g in "
                                  "'%s'; expected a step of the sign of STOP - START", name, step, b,
                                  spec);
        } else {
            double n = floor((b - a) / step + 1e-9) + 1;
            if (n > 1e6) {
                st = scenmc_error_add(err, SCENMC_E_LIMIT, "--param %s: '%s' has %g values; expected "
                                      "at most 10^6", name, spec, n);
            } else {
                p->n_values = (int)n;
                p->values = scenmc__xcalloc((size_t)p->n_values, sizeof(double));
                for (int i = 0; i < p->n_values; i++)
                    p->values[i] = a + step * i;
            }
        }
    } else {
        int n = 1;
        for (const char *c = copy; *c; c++)
            n += *c == ',';
        p->values = scenmc__xcalloc((size_t)n, sizeof(double));
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (!parse_num(t, &p->values[p->n_values])) {
                st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: '%s' in '%s' is not a "
                                      "number", name, t, spec);
                break;
            }
            p->n_values++;
        }
        if (st == SCENMC_OK && p->n_values == 0)
            st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: empty value list; expected "
                                  "a,b,c or START:STOP:STEP or lin:START:STOP:COUNT", name);
    }
    free(copy);
    if (st == SCENMC_OK) {
        p->lo = p->hi = p->values[0];
        for (int i = 0; i < p->n_values; i++) {
            p->lo = fmin(p->lo, p->values[i]);
            p->hi = fmax(p->hi, p->values[i]);
        }
    }
    return st;
}

/* "ID=variant" -> (descriptor, variant). */
static int variant_of(const scenmc_model *m, const char *ref, int *d, int *b)
{
    const char *eq = strchr(ref, '=');
    if (!eq)
        return 0;
    char id[256];
    size_t n = (size_t)(eq - ref);
    if (n >= sizeof id)
        return 0;
    memcpy(id, ref, n);
    id[n] = '\0';
    *d = scenmc_model_find_descriptor(m, id);
    if (*d < 0)
        return 0;
    *b = scenmc_model_find_variant(m, *d, eq + 1);
    return *b >= 0;
}

/* cell:ID=VARIANT,ID=VARIANT or cross:...: the two variants into p->u, p->v. */
static scenmc_status parse_cell(const scenmc_model *m, const char *name, scenmc_sweep_param *p,
                                scenmc_error *err)
{
    int cross = name[1] == 'r';
    p->kind = SCENMC_SWEEP_CELL;
    p->cross = cross;
    char *refs = scenmc__strdup(name + (cross ? 6 : 5));
    /* The second reference starts after the comma before the second '='. */
    char *first_eq = strchr(refs, '=');
    char *second_eq = first_eq ? strchr(first_eq + 1, '=') : NULL;
    char *comma = NULL;
    if (second_eq)
        for (char *c = second_eq; c > first_eq && !comma; c--)
            if (*c == ',')
                comma = c;
    if (comma)
        *comma = '\0';
    scenmc_status st = SCENMC_OK;
    int d1, b1, d2, b2;
    if (!comma) {
        st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: expected %s:ID=VARIANT,ID=VARIANT",
                              name, cross ? "cross" : "cell");
    } else if (!variant_of(m, refs, &d1, &b1) || !variant_of(m, comma + 1, &d2, &b2)) {
        st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: unknown descriptor or variant; "
                              "expected %s:ID=VARIANT,ID=VARIANT", name, cross ? "cross" : "cell");
    } else if (!cross && d1 == d2) {
        st = scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: both variants belong to %s; "
                              "expected two descriptors", name, m->descriptors[d1].id);
    } else {
        p->u = m->descriptors[d1].offset + b1;
        p->v = m->descriptors[d2].offset + b2;
    }
    free(refs);
    return st;
}

/* trend.K.scale, intervene.K.year, shock.K.hazard: the kind and K (which
 * must exist is checked when applied: the command line adds changes). */
static int parse_change(const char *name, scenmc_sweep_param *p)
{
    static const struct {
        const char *head, *tail;
        scenmc_sweep_kind kind;
    } forms[] = {{"trend.", ".scale", SCENMC_SWEEP_TREND_SCALE},
                 {"intervene.", ".year", SCENMC_SWEEP_INTERVENE_YEAR},
                 {"shock.", ".hazard", SCENMC_SWEEP_SHOCK_HAZARD}};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        size_t h = strlen(forms[f].head);
        if (strncmp(name, forms[f].head, h) || !isdigit((unsigned char)name[h]))
            continue;
        char *end;
        errno = 0;
        long k = strtol(name + h, &end, 10);
        if (errno || k < 1 || k > 1000000 || strcmp(end, forms[f].tail))
            return 0;
        p->kind = forms[f].kind;
        p->change = (int)k - 1;
        return 1;
    }
    return 0;
}

/* NAME: which parameter it is (p->kind and its descriptor, variant or cell). */
static scenmc_status parse_name(const scenmc_model *m, const char *name, scenmc_sweep_param *p,
                                scenmc_error *err)
{
    if (!strcmp(name, "beta")) {
        p->kind = SCENMC_SWEEP_BETA;
    } else if (!strcmp(name, "rate")) {
        p->kind = SCENMC_SWEEP_RATE;
    } else if (!strncmp(name, "rate.", 5)) {
        p->kind = SCENMC_SWEEP_RATE_ONE;
        p->d = scenmc_model_find_descriptor(m, name + 5);
        if (p->d < 0)
            return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: unknown descriptor '%s'", name,
                                    name + 5);
    } else if (!strcmp(name, "w-consistency")) {
        p->kind = SCENMC_SWEEP_W_CONSISTENCY;
    } else if (!strcmp(name, "w-cross")) {
        p->kind = SCENMC_SWEEP_W_CROSS;
    } else if (!strncmp(name, "initial.", 8)) {
        p->kind = SCENMC_SWEEP_INITIAL;
        if (!variant_of(m, name + 8, &p->d, &p->b))
            return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: expected initial.ID=VARIANT with a "
                                    "known descriptor and variant", name);
    } else if (!strncmp(name, "cell:", 5) || !strncmp(name, "cross:", 6)) {
        return parse_cell(m, name, p, err);
    } else if (!parse_change(name, p)) {
        return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: unknown parameter; expected beta, rate, "
                                "rate.ID, w-consistency, w-cross, initial.ID=VARIANT, "
                                "cell:ID=VARIANT,ID=VARIANT, cross:ID=VARIANT,ID=VARIANT, trend.K.scale, "
                                "intervene.K.year or shock.K.hazard", name);
    }
    return SCENMC_OK;
}

/* The ranges each parameter can take. */
static scenmc_status check_values(const scenmc_model *m, const scenmc_sweep_param *p, scenmc_error *err)
{
    for (int i = 0; i < p->n_values; i++) {
        double v = p->values[i];
        const char *bad = NULL;
        switch (p->kind) {
        case SCENMC_SWEEP_BETA: bad = v < 0 ? "expected beta >= 0" : NULL; break;
        case SCENMC_SWEEP_RATE:
        case SCENMC_SWEEP_RATE_ONE: bad = v <= 0 ? "expected a positive rate" : NULL; break;
        case SCENMC_SWEEP_INITIAL: bad = (v < 0 || v > 1) ? "expected a probability 0..1" : NULL; break;
        case SCENMC_SWEEP_SHOCK_HAZARD: bad = v < 0 ? "expected a hazard >= 0 (events per year)" : NULL; break;
        case SCENMC_SWEEP_INTERVENE_YEAR:
            bad = v != floor(v) || fabs(v) > 100000 ? "expected a whole year" : NULL;
            break;
        case SCENMC_SWEEP_CELL: {
            const double *sc = p->cross ? m->scale_x : m->scale_c;
            bad = (v < sc[0] || v > sc[1]) ? "expected a value on the model's scale" : NULL;
            break;
        }
        default: break;
        }
        if (bad)
            return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: value %g; %s", p->name, v, bad);
    }
    return SCENMC_OK;
}

scenmc_status scenmc_sweep_param_parse(const scenmc_model *m, const char *arg, scenmc_sweep_param *p,
                                       scenmc_error *err)
{
    memset(p, 0, sizeof *p);
    const char *eq = strrchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return scenmc_error_add(err, SCENMC_E_INPUT, "--param '%s': expected NAME=SPEC", arg);
    size_t n = (size_t)(eq - arg);
    p->name = scenmc__xmalloc(n + 1);
    memcpy(p->name, arg, n);
    p->name[n] = '\0';
    scenmc_status st = parse_name(m, p->name, p, err);
    if (st == SCENMC_OK)
        st = parse_spec(p->name, eq + 1, p, err);
    if (st == SCENMC_OK)
        st = check_values(m, p, err);
    if (st != SCENMC_OK)
        scenmc_sweep_param_free(p);
    return st;
}

void scenmc_sweep_param_free(scenmc_sweep_param *p)
{
    free(p->name);
    free(p->values);
    memset(p, 0, sizeof *p);
}

/* Whether two parameters set the same thing (a consistency cell either way round). */
static int same_target(const scenmc_sweep_param *a, const scenmc_sweep_param *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case SCENMC_SWEEP_RATE_ONE: return a->d == b->d;
    case SCENMC_SWEEP_INITIAL: return a->d == b->d && a->b == b->b;
    case SCENMC_SWEEP_TREND_SCALE:
    case SCENMC_SWEEP_INTERVENE_YEAR:
    case SCENMC_SWEEP_SHOCK_HAZARD: return a->change == b->change;
    case SCENMC_SWEEP_CELL:
        return a->cross == b->cross && ((a->u == b->u && a->v == b->v) ||
                                        (!a->cross && a->u == b->v && a->v == b->u));
    default: return 1;
    }
}

scenmc_status scenmc_sweep_design(const scenmc_sweep_param *ps, int K, int lhs_points, uint64_t seed,
                                  double **values, int *n_points, scenmc_error *err)
{
    *values = NULL;
    *n_points = 0;
    if (K < 1)
        return scenmc_error_add(err, SCENMC_E_INPUT, "no --param given; expected at least one");
    /* A parameter given twice: the later value would win and the labels of the first lie. */
    for (int j = 0; j < K; j++)
        for (int i = 0; i < j; i++)
            if (same_target(&ps[i], &ps[j]))
                return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s is given twice (also as "
                                        "--param %s); expected each parameter once", ps[j].name,
                                        ps[i].name);
    if (lhs_points > 0) {
        /* Latin hypercube: each parameter's range cut into lhs_points strata, each
         * stratum used exactly once, in an order drawn from the seed. */
        size_t P = (size_t)lhs_points;
        double *v = scenmc__xcalloc(P * (size_t)K, sizeof(double));
        int *perm = scenmc__xcalloc(P, sizeof(int));
        for (int j = 0; j < K; j++) {
            scenmc__rng rng;
            scenmc__rng_init(&rng, seed, UINT64_MAX - (uint64_t)j); /* streams no trajectory uses */
            for (size_t i = 0; i < P; i++)
                perm[i] = (int)i;
            for (size_t i = P - 1; i > 0; i--) {
                size_t r = (size_t)(((uint64_t)scenmc__rng_u32(&rng) * (uint64_t)(i + 1)) >> 32);
                int t = perm[i];
                perm[i] = perm[r];
                perm[r] = t;
            }
            for (size_t i = 0; i < P; i++) {
                double u = scenmc__rng_uniform32(&rng);
                v[i * (size_t)K + (size_t)j] = ps[j].lo + (perm[i] + u) / (double)P * (ps[j].hi - ps[j].lo);
            }
        }
        free(perm);
        *values = v;
        *n_points = lhs_points;
        return SCENMC_OK;
    }
    /* Full factorial grid, the last parameter fastest. */
    double total = 1;
    for (int j = 0; j < K; j++)
        total *= ps[j].n_values;
    if (total > 1e6)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "the grid has %g points; expected at most 10^6 "
                                "(use --design lhs:K)", total);
    size_t P = (size_t)total;
    double *v = scenmc__xcalloc(P * (size_t)K, sizeof(double));
    for (size_t i = 0; i < P; i++) {
        size_t rest = i;
        for (int j = K - 1; j >= 0; j--) {
            v[i * (size_t)K + (size_t)j] = ps[j].values[rest % (size_t)ps[j].n_values];
            rest /= (size_t)ps[j].n_values;
        }
    }
    *values = v;
    *n_points = (int)P;
    return SCENMC_OK;
}

static scenmc_change_kind change_kind(const scenmc_sweep_param *q)
{
    return q->kind == SCENMC_SWEEP_TREND_SCALE      ? SCENMC_CHANGE_TREND
           : q->kind == SCENMC_SWEEP_INTERVENE_YEAR ? SCENMC_CHANGE_HOLD
                                                    : SCENMC_CHANGE_SHOCK;
}

/* The K-th change (0-based) of the parameter's kind in p's schedule, or NULL. */
static scenmc_change *sweep_change(const scenmc_sweep_param *q, scenmc_params *p, int *n_kind)
{
    scenmc_change_kind kind = change_kind(q);
    scenmc_change *found = NULL;
    *n_kind = 0;
    for (int i = 0; p->schedule && i < p->schedule->n; i++)
        if (p->schedule->ch[i].kind == kind && (*n_kind)++ == q->change)
            found = &p->schedule->ch[i];
    return found;
}

/* A trend's knots times v, an intervention's first year, a shock's hazard. */
static scenmc_status apply_change(const scenmc_sweep_param *q, double v, scenmc_params *p, scenmc_error *err)
{
    int n_kind;
    scenmc_change *c = sweep_change(q, p, &n_kind);
    if (!c)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: there %s %d %s%s (the model file's, then "
                                "--trend/--push, --intervene or --shock); expected K from 1 to %d", q->name,
                                n_kind == 1 ? "is" : "are", n_kind, scenmc_change_kind_names[change_kind(q)],
                                n_kind == 1 ? "" : "s", n_kind);
    if (q->kind == SCENMC_SWEEP_TREND_SCALE) {
        for (int k = 0; k < c->n_knots; k++)
            c->knot_value[k] *= v;
    } else if (q->kind == SCENMC_SWEEP_SHOCK_HAZARD) {
        c->value = v;
    } else if (v > c->last) {
        return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: year %g is after the intervention's last "
                                "year %d; expected a first year at most %d", q->name, v, c->last, c->last);
    } else {
        c->first = (int)v;
    }
    return SCENMC_OK;
}

scenmc_status scenmc_sweep_apply(const scenmc_model *m, const scenmc_sweep_param *ps, int K,
                                 const double *point, scenmc_params *p, scenmc_error *err)
{
    for (int j = 0; j < K; j++) {
        const scenmc_sweep_param *q = &ps[j];
        double v = point[j];
        switch (q->kind) {
        case SCENMC_SWEEP_BETA: p->beta = v; break;
        case SCENMC_SWEEP_RATE: scenmc_params_set_rate(p, v); break;
        case SCENMC_SWEEP_RATE_ONE: p->rate[q->d] = v; break;
        case SCENMC_SWEEP_W_CONSISTENCY: p->w_consistency = v; break;
        case SCENMC_SWEEP_W_CROSS: p->w_cross = v; break;
        case SCENMC_SWEEP_INITIAL: {
            if (p->start)
                return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: the start state is fixed; "
                                        "initial probabilities have no effect", q->name);
            const scenmc_descriptor *D = &m->descriptors[q->d];
            double *pi = p->initial + D->offset, old = pi[q->b], rest = 1 - old;
            /* The other variants keep their proportions (uniform if they had none). */
            for (int b = 0; b < D->n_variants; b++)
                if (b != q->b)
                    pi[b] = rest > 0 ? pi[b] * (1 - v) / rest : (1 - v) / (D->n_variants - 1);
            pi[q->b] = v;
            break;
        }
        case SCENMC_SWEEP_CELL: scenmc_params_add_cell(p, q->u, q->v, q->cross, v); break;
        case SCENMC_SWEEP_TREND_SCALE:
        case SCENMC_SWEEP_INTERVENE_YEAR:
        case SCENMC_SWEEP_SHOCK_HAZARD: {
            scenmc_status st = apply_change(q, v, p, err);
            if (st != SCENMC_OK)
                return st;
            break;
        }
        }
    }
    return SCENMC_OK;
}
