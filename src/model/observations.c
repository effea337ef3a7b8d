/* Observations (docs/signposts.md): a list of per-descriptor likelihoods at
 * given years, whose product is the likelihood of a state in that year. */
#include "model/observations.h"
#include "base/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

void scenmc_observations_init(scenmc_observations *o)
{
    memset(o, 0, sizeof *o);
}

void scenmc_observations_free(scenmc_observations *o)
{
    for (int i = 0; i < o->n; i++) {
        free(o->obs[i].likelihood);
        free(o->obs[i].where);
    }
    free(o->obs);
    free(o->start);
    free(o->source);
    memset(o, 0, sizeof *o);
}

void scenmc_observations_add(scenmc_observations *o, int year, int descriptor, const double *likelihood,
                             int n_variants, const char *where)
{
    o->obs = scenmc__xrealloc(o->obs, sizeof *o->obs * (size_t)(o->n + 1));
    scenmc_observation *ob = &o->obs[o->n++];
    ob->year = year;
    ob->descriptor = descriptor;
    ob->n_variants = n_variants;
    ob->likelihood = scenmc__xmalloc(sizeof(double) * (size_t)n_variants);
    memcpy(ob->likelihood, likelihood, sizeof(double) * (size_t)n_variants);
    int ones = 0, zeros = 0;
    for (int b = 0; b < n_variants; b++) {
        ones += likelihood[b] == 1;
        zeros += likelihood[b] == 0;
    }
    ob->hard = ones == 1 && zeros == n_variants - 1;
    ob->where = where ? scenmc__strdup(where) : NULL;
}

void scenmc_observations_copy(scenmc_observations *dst, const scenmc_observations *src)
{
    scenmc_observations_init(dst);
    for (int i = 0; i < src->n; i++) {
        const scenmc_observation *ob = &src->obs[i];
        scenmc_observations_add(dst, ob->year, ob->descriptor, ob->likelihood, ob->n_variants, ob->where);
    }
    dst->source = src->source ? scenmc__strdup(src->source) : NULL;
    if (src->start) {
        dst->n_start = src->n_start;
        dst->start = scenmc__xmalloc(sizeof(int) * (size_t)src->n_start);
        memcpy(dst->start, src->start, sizeof(int) * (size_t)src->n_start);
    }
}

int scenmc__variant_ref(const scenmc_model *m, int d, const char *ref)
{
    int v = scenmc_model_find_variant(m, d, ref);
    if (v >= 0)
        return v;
    char *end;
    long k = strtol(ref, &end, 10);
    return *ref && *end == '\0' && k >= 1 && k <= m->descriptors[d].n_variants ? (int)k - 1 : -1;
}

/* One "ID=V" of a --given value. */
static int given_item(scenmc_observations *o, const scenmc_model *m, int year, char *item, const char *text,
                      scenmc_error *err)
{
    char *eq = strchr(item, '=');
    if (!eq)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--given %s: '%s' is not ID=VARIANT", text, item), 0;
    *eq = '\0';
    int d = scenmc_model_find_descriptor(m, item);
    if (d < 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--given %s: unknown descriptor '%s'", text, item), 0;
    int v = scenmc__variant_ref(m, d, eq + 1);
    int nv = m->descriptors[d].n_variants;
    if (v < 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--given %s: '%s' is not a variant of %s (name, id or "
                                "number 1..%d expected)", text, eq + 1, item, nv), 0;
    double *lik = scenmc__xcalloc((size_t)nv, sizeof(double));
    lik[v] = 1;
    char where[512];
    snprintf(where, sizeof where, "--given %s", text);
    scenmc_observations_add(o, year, d, lik, nv, where);
    free(lik);
    return 1;
}

scenmc_status scenmc_observations_add_given(scenmc_observations *o, const scenmc_model *m, const char *text,
                                            scenmc_error *err)
{
    const char *colon = strchr(text, ':');
    char *end = NULL;
    long year = colon ? strtol(text, &end, 10) : 0;
    if (!colon || end != colon || end == text || year < -100000 || year > 100000)
        return scenmc_error_add(err, SCENMC_E_INPUT, "--given '%s': expected YEAR:ID=VARIANT[,ID=VARIANT...], "
                                "e.g. 2023:DA=Datamonopol", text);
    int before = err->n_problems, n0 = o->n;
    char *copy = scenmc__strdup(colon + 1), *save = NULL;
    int items = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), items++)
        given_item(o, m, (int)year, tok, text, err);
    free(copy);
    if (!items)
        scenmc_error_add(err, SCENMC_E_INPUT, "--given '%s': no ID=VARIANT after the year", text);
    if (err->n_problems > before) {
        while (o->n > n0) { /* all or nothing */
            o->n--;
            free(o->obs[o->n].likelihood);
            free(o->obs[o->n].where);
        }
        return err->code;
    }
    return SCENMC_OK;
}

/* Whether every observation is of one of m's descriptors with its number of
 * variants (an observation made for another model would be read past its
 * likelihood table). */
static scenmc_status check_model(const scenmc_model *m, const scenmc_observations *o, scenmc_error *err)
{
    int before = err->n_problems;
    for (int i = 0; i < o->n; i++) {
        const scenmc_observation *ob = &o->obs[i];
        if (ob->descriptor < 0 || ob->descriptor >= m->n_descriptors ||
            ob->n_variants != m->descriptors[ob->descriptor].n_variants)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s: not an observation of this model's descriptors",
                             ob->where ? ob->where : "observation");
    }
    if (o->start && o->n_start != m->n_descriptors)
        scenmc_error_add(err, SCENMC_E_INPUT, "the observed start state has %d descriptors; the model has %d",
                         o->n_start, m->n_descriptors);
    for (int d = 0; o->start && o->n_start == m->n_descriptors && d < m->n_descriptors; d++)
        if (o->start[d] < 0 || o->start[d] >= m->descriptors[d].n_variants)
            scenmc_error_add(err, SCENMC_E_INPUT, "the observed start state has no variant %d of %s",
                             o->start[d] + 1, m->descriptors[d].id);
    return err->n_problems > before ? err->code : SCENMC_OK;
}

scenmc_status scenmc_observations_check(const scenmc_model *m, const scenmc_observations *o,
                                        const scenmc_params *p, scenmc_error *err)
{
    if (check_model(m, o, err) != SCENMC_OK)
        return err->code;
    int before = err->n_problems;
    for (int i = 0; i < o->n; i++) {
        const scenmc_observation *ob = &o->obs[i];
        if (ob->year < p->year_start || ob->year > p->year_end)
            scenmc_error_add(err, SCENMC_E_INPUT, "%s: year %d is outside the model's years %d-%d",
                             ob->where ? ob->where : "observation", ob->year, p->year_start, p->year_end);
        double sum = 0;
        for (int b = 0; b < ob->n_variants; b++) {
            double l = ob->likelihood[b];
            if (!(l >= 0) || l > 1e300)
                scenmc_error_add(err, SCENMC_E_INPUT, "%s: a likelihood must be a finite number >= 0",
                                 ob->where ? ob->where : "observation");
            sum += l;
        }
        if (!(sum > 0))
            scenmc_error_add(err, SCENMC_E_INPUT, "%s: the likelihoods are all 0 (no variant could "
                             "have been seen)", ob->where ? ob->where : "observation");
    }
    return err->n_problems > before ? err->code : SCENMC_OK;
}

double scenmc_observations_likelihood(const scenmc_observations *o, int year, const int *s)
{
    double l = 1;
    for (int i = 0; i < o->n; i++)
        if (o->obs[i].year == year)
            l *= o->obs[i].likelihood[s[o->obs[i].descriptor]];
    return l;
}

int scenmc_observations_all_hard(const scenmc_observations *o)
{
    for (int i = 0; i < o->n; i++)
        if (!o->obs[i].hard)
            return 0;
    return o->n > 0;
}

int scenmc_observations_last_year(const scenmc_observations *o)
{
    int y = INT_MIN;
    for (int i = 0; i < o->n; i++)
        y = o->obs[i].year > y ? o->obs[i].year : y;
    return y;
}
