/* The list of changes over time (scenmc/schedule.h): kept apart from the
 * parsing and evaluation in schedule.c, which look descriptors up through
 * model.c, so that the model loader can build its list with these. */
#include "model/schedule_list.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

const char *const scenmc_change_kind_names[SCENMC_CHANGE_N_KINDS] = {"trend", "intervention", "shock"};

void scenmc_schedule_init(scenmc_schedule *s)
{
    memset(s, 0, sizeof *s);
}

void scenmc__change_free(scenmc_change *c)
{
    free(c->knot_year);
    free(c->knot_value);
    free(c->name);
    free(c->where);
}

void scenmc_schedule_free(scenmc_schedule *s)
{
    for (int i = 0; i < s->n; i++)
        scenmc__change_free(&s->ch[i]);
    free(s->ch);
    memset(s, 0, sizeof *s);
}

void scenmc__schedule_take(scenmc_schedule *s, const scenmc_change *c)
{
    s->ch = scenmc__xrealloc(s->ch, sizeof *s->ch * (size_t)(s->n + 1));
    s->ch[s->n++] = *c;
}

void scenmc_schedule_add(scenmc_schedule *s, const scenmc_change *c)
{
    scenmc__schedule_take(s, c);
    scenmc_change *d = &s->ch[s->n - 1];
    size_t k = (size_t)c->n_knots;
    d->knot_year = k ? scenmc__xmalloc(sizeof(int) * k) : NULL;
    d->knot_value = k ? scenmc__xmalloc(sizeof(double) * k) : NULL;
    if (k) {
        memcpy(d->knot_year, c->knot_year, sizeof(int) * k);
        memcpy(d->knot_value, c->knot_value, sizeof(double) * k);
    }
    d->name = c->name ? scenmc__strdup(c->name) : NULL;
    d->where = c->where ? scenmc__strdup(c->where) : NULL;
}

void scenmc_schedule_copy(scenmc_schedule *dst, const scenmc_schedule *src)
{
    scenmc_schedule_init(dst);
    for (int i = 0; i < src->n; i++)
        scenmc_schedule_add(dst, &src->ch[i]);
}
