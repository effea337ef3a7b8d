/* Trends, interventions and shocks (scenmc/schedule.h): their command-line
 * forms and what they do in a given year (the list itself: schedule_list.c). */
#include "model/schedule.h"
#include "model/observations.h"
#include "model/schedule_list.h"
#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- parsing */

/* A whole number that is all of text. */
static int parse_year(const char *text, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno == ERANGE || v < -100000 || v > 100000)
        return 0;
    *out = (int)v;
    return 1;
}

static int parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* "Y" (Y to year_end) or "Y1-Y2" (a minus after the first digit: years may
 * not be negative here). */
/* "Y" (from Y to year_end) or "Y1-Y2": 1; 0 when it is not years; -1 (and
 * err says why) when the years are in the wrong order or after the end. */
static int parse_years(char *text, int year_end, int *first, int *last, const char *opt, const char *whole,
                       scenmc_error *err)
{
    char *dash = strchr(text + (*text == '-'), '-');
    if (dash)
        *dash = '\0';
    if (!parse_year(text, first) || (dash ? !parse_year(dash + 1, last) : !(*last = year_end, 1)))
        return 0;
    if (*first <= *last)
        return 1;
    if (dash)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s %s: the years run backwards (%d-%d); expected FIRST-LAST", opt,
                         whole, *first, *last);
    else
        scenmc_error_add(err, SCENMC_E_INPUT, "%s %s: %d is after the last year, %d", opt, whole, *first,
                         year_end);
    return -1;
}

/* "ID=V": the descriptor and its variant. */
static int parse_ref(const scenmc_model *m, char *text, int *d, int *b, const char *opt, const char *whole,
                     scenmc_error *err)
{
    char *eq = strchr(text, '=');
    if (!eq) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s %s: '%s' is not ID=VARIANT", opt, whole, text);
        return 0;
    }
    *eq = '\0';
    if ((*d = scenmc_model_find_descriptor(m, text)) < 0) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s %s: unknown descriptor '%s'", opt, whole, text);
        return 0;
    }
    if ((*b = scenmc__variant_ref(m, *d, eq + 1)) < 0) {
        scenmc_error_add(err, SCENMC_E_INPUT, "%s %s: '%s' is not a variant of %s (name, id or number 1..%d "
                         "expected)", opt, whole, eq + 1, text, m->descriptors[*d].n_variants);
        return 0;
    }
    return 1;
}

/* Splits "YEARS:REST" and parses the years (as parse_years); *rest points
 * into copy. */
static int split_years(char *copy, int year_end, int *first, int *last, char **rest, const char *opt,
                       const char *whole, scenmc_error *err)
{
    char *colon = strchr(copy, ':');
    if (!colon)
        return 0;
    *colon = '\0';
    *rest = colon + 1;
    return parse_years(copy, year_end, first, last, opt, whole, err);
}

static void where_of(scenmc_change *c, const char *opt, const char *text)
{
    size_t len = strlen(opt) + strlen(text) + 2;
    c->where = scenmc__xmalloc(len);
    snprintf(c->where, len, "%s %s", opt, text);
}

static scenmc_status knots(scenmc_change *c, char *list, const char *whole, scenmc_error *err)
{
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        int y;
        double v;
        if (eq)
            *eq = '\0';
        if (!eq || !parse_year(tok, &y) || !parse_number(eq + 1, &v))
            return scenmc_error_add(err, SCENMC_E_INPUT, "--trend %s: '%s' is not YEAR=BIAS", whole, tok);
        if (c->n_knots && y <= c->knot_year[c->n_knots - 1])
            return scenmc_error_add(err, SCENMC_E_INPUT, "--trend %s: the years must increase (%d after %d)",
                                    whole, y, c->knot_year[c->n_knots - 1]);
        c->knot_year = scenmc__xrealloc(c->knot_year, sizeof(int) * (size_t)(c->n_knots + 1));
        c->knot_value = scenmc__xrealloc(c->knot_value, sizeof(double) * (size_t)(c->n_knots + 1));
        c->knot_year[c->n_knots] = y;
        c->knot_value[c->n_knots++] = v;
    }
    if (!c->n_knots)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--trend %s: no YEAR=BIAS after the variant", whole);
    return SCENMC_OK;
}

scenmc_status scenmc_schedule_add_trend(scenmc_schedule *s, const scenmc_model *m, const char *text,
                                        scenmc_error *err)
{
    scenmc_change c = {.kind = SCENMC_CHANGE_TREND};
    char *copy = scenmc__strdup(text), *colon = strchr(copy, ':');
    scenmc_status st = SCENMC_E_INPUT;
    if (!colon)
        scenmc_error_add(err, SCENMC_E_INPUT, "--trend '%s': expected ID=VARIANT:YEAR=BIAS,YEAR=BIAS,..., "
                         "e.g. DA=Datamonopol:2020=0,2030=2", text);
    else if ((*colon = '\0', parse_ref(m, copy, &c.descriptor, &c.variant, "--trend", text, err)) &&
             (st = knots(&c, colon + 1, text, err)) == SCENMC_OK) {
        c.first = c.knot_year[0];
        c.last = c.knot_year[c.n_knots - 1];
        where_of(&c, "--trend", text);
        scenmc_schedule_add(s, &c);
    }
    scenmc__change_free(&c);
    free(copy);
    return st == SCENMC_OK ? SCENMC_OK : err->code;
}

/* A push is a trend that steps to BIAS at the first year and back to 0
 * after the last (values are taken at whole years, so the steps are exact). */
scenmc_status scenmc_schedule_add_push(scenmc_schedule *s, const scenmc_model *m, const char *text, int year_end,
                                       scenmc_error *err)
{
    scenmc_change c = {.kind = SCENMC_CHANGE_TREND};
    char *copy = scenmc__strdup(text), *rest = NULL, *colon;
    double v = 0;
    const int years = split_years(copy, year_end, &c.first, &c.last, &rest, "--push", text, err);
    int ok = years > 0 && (colon = strrchr(rest, ':')) && (*colon = '\0', parse_number(colon + 1, &v));
    if (!ok && years >= 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "--push '%s': expected YEAR[-YEAR]:ID=VARIANT:BIAS, e.g. "
                         "2023:FI=Offentligt:1.5", text);
    else if (ok && (ok = parse_ref(m, rest, &c.descriptor, &c.variant, "--push", text, err))) {
        int ky[4] = {c.first - 1, c.first, c.last, c.last + 1};
        double kv[4] = {0, v, v, 0};
        c.n_knots = 4;
        c.knot_year = ky;
        c.knot_value = kv;
        where_of(&c, "--push", text);
        scenmc_schedule_add(s, &c);
        c.knot_year = NULL;
        c.knot_value = NULL;
    }
    scenmc__change_free(&c);
    free(copy);
    return ok ? SCENMC_OK : err->code;
}

/* Interventions and shocks: "YEARS:ID=V" and "YEARS:ID=V@HAZARD". */
static scenmc_status add_held(scenmc_schedule *s, const scenmc_model *m, const char *text, int year_end,
                              scenmc_change_kind kind, scenmc_error *err)
{
    const char *opt = kind == SCENMC_CHANGE_SHOCK ? "--shock" : "--intervene";
    scenmc_change c = {.kind = kind};
    char *copy = scenmc__strdup(text), *rest = NULL, *at = NULL;
    const int years = split_years(copy, year_end, &c.first, &c.last, &rest, opt, text, err);
    int ok = years > 0;
    if (ok && kind == SCENMC_CHANGE_SHOCK)
        ok = (at = strrchr(rest, '@')) && (*at = '\0', parse_number(at + 1, &c.value)) && c.value >= 0;
    if (!ok && years >= 0)
        scenmc_error_add(err, SCENMC_E_INPUT, "%s '%s': expected %s", opt, text,
                         kind == SCENMC_CHANGE_SHOCK ? "YEAR[-YEAR]:ID=VARIANT@HAZARD (events per year, >= 0), "
                                                       "e.g. 2022-2030:DA=Datamonopol@0.1"
                                                     : "YEAR[-YEAR]:ID=VARIANT, e.g. 2023:FI=Offentligt");
    else if (ok && (ok = parse_ref(m, rest, &c.descriptor, &c.variant, opt, text, err))) {
        where_of(&c, opt, text);
        scenmc_schedule_add(s, &c);
    }
    scenmc__change_free(&c);
    free(copy);
    return ok ? SCENMC_OK : err->code;
}

scenmc_status scenmc_schedule_add_intervention(scenmc_schedule *s, const scenmc_model *m, const char *text,
                                               int year_end, scenmc_error *err)
{
    return add_held(s, m, text, year_end, SCENMC_CHANGE_HOLD, err);
}

scenmc_status scenmc_schedule_add_shock(scenmc_schedule *s, const scenmc_model *m, const char *text, int year_end,
                                        scenmc_error *err)
{
    return add_held(s, m, text, year_end, SCENMC_CHANGE_SHOCK, err);
}

/* ---------------------------------------------------------------- a year's changes */

/* The trend's bias at a whole year: linear between knots, constant beyond. */
static double trend_value(const scenmc_change *c, int year)
{
    const int k = c->n_knots;
    if (year <= c->knot_year[0])
        return c->knot_value[0];
    if (year >= c->knot_year[k - 1])
        return c->knot_value[k - 1];
    int j = 1;
    while (c->knot_year[j] < year)
        j++;
    double f = (double)(year - c->knot_year[j - 1]) / (double)(c->knot_year[j] - c->knot_year[j - 1]);
    return c->knot_value[j - 1] + f * (c->knot_value[j] - c->knot_value[j - 1]);
}

double scenmc_schedule_bias(const scenmc_schedule *s, const scenmc_model *m, int year, int u)
{
    double h = 0;
    for (int i = 0; i < s->n; i++) {
        const scenmc_change *c = &s->ch[i];
        if (c->kind == SCENMC_CHANGE_TREND && m->descriptors[c->descriptor].offset + c->variant == u)
            h += trend_value(c, year);
    }
    return h;
}

int scenmc_schedule_held(const scenmc_schedule *s, int year, int d)
{
    int b = -1;
    for (int i = 0; i < s->n; i++) {
        const scenmc_change *c = &s->ch[i];
        if (c->kind == SCENMC_CHANGE_HOLD && c->descriptor == d && year >= c->first && year <= c->last)
            b = c->variant;
    }
    return b;
}

double scenmc_schedule_hazard(const scenmc_schedule *s, int year, int d, int b)
{
    double h = 0;
    for (int i = 0; i < s->n; i++) {
        const scenmc_change *c = &s->ch[i];
        if (c->kind == SCENMC_CHANGE_SHOCK && c->descriptor == d && c->variant == b && year >= c->first &&
            year <= c->last)
            h += c->value;
    }
    return h;
}

int scenmc_schedule_active(const scenmc_schedule *s, const scenmc_model *m, int year)
{
    for (int i = 0; i < s->n; i++) {
        const scenmc_change *c = &s->ch[i];
        if (c->kind == SCENMC_CHANGE_TREND
                ? scenmc_schedule_bias(s, m, year, m->descriptors[c->descriptor].offset + c->variant) != 0
                : year >= c->first && year <= c->last && (c->kind == SCENMC_CHANGE_HOLD || c->value > 0))
            return 1;
    }
    return 0;
}

scenmc_status scenmc__schedule_unsupported(const scenmc_params *p, const char *what, scenmc_error *err)
{
    if (!p->schedule || p->schedule->n == 0)
        return SCENMC_OK;
    const scenmc_change *c = &p->schedule->ch[0];
    return scenmc_error_add(err, SCENMC_E_LIMIT, "%s cannot take trends, interventions or shocks (%s)", what,
                            c->where ? c->where : c->name ? c->name : scenmc_change_kind_names[c->kind]);
}
