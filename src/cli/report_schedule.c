/* scenmc report: the changes over time of a results file, as the reader gave
 * them back in params.schedule (docs/file-format.md, /schedule). */
#include "cli/report_schedule.h"
#include "scenmc/schedule.h"
#include "model/yaml_write.h"

#include <stdio.h>
#include <string.h>

/* Until when a change acts: the run ends at year_end, so a change whose
 * years reach it acts to the end of the run (docs/model.md 12.2). */
static void until_text(char *buf, size_t n, const scenmc_change *c, int year_end)
{
    if (c->last >= year_end)
        snprintf(buf, n, "from %d to the end of the run (%d)", c->first, year_end);
    else
        snprintf(buf, n, "from the start of %d to the end of %d", c->first, c->last);
}

/* What the change does, in words. */
static void change_text(char *buf, size_t n, const scenmc_model *m, const scenmc_change *c, int year_end)
{
    const scenmc_descriptor *D = &m->descriptors[c->descriptor];
    const char *v = m->variant_name[D->offset + c->variant];
    char when[96];
    until_text(when, sizeof when, c, year_end);
    int at = 0;
    if (c->kind == SCENMC_CHANGE_HOLD) {
        snprintf(buf, n, "%s held at %s %s", D->id, v, when);
    } else if (c->kind == SCENMC_CHANGE_SHOCK) {
        snprintf(buf, n, "events at %g per year set %s to %s, %s", c->value, D->id, v, when);
    } else if (scenmc__change_is_push(c)) {
        snprintf(buf, n, "bias %g on %s = %s %s", c->knot_value[1], D->id, v, when);
    } else {
        at = snprintf(buf, n, "bias on %s = %s:", D->id, v);
        for (int k = 0; k < c->n_knots && at > 0 && (size_t)at < n; k++)
            at += snprintf(buf + at, n - (size_t)at, "%s %g in %d", k ? "," : "", c->knot_value[k],
                           c->knot_year[k]);
        if (at > 0 && (size_t)at < n)
            snprintf(buf + at, n - (size_t)at, "%s", c->n_knots > 1 ? " (linear between)" : "");
    }
}

void report_schedule(const out *o, const scenmc_model *m, const scenmc_params *p)
{
    const scenmc_schedule *s = p->schedule;
    if (!s || !s->n)
        return;
    heading(o, 2, "Changes over time");
    para(o, "The dynamics change over the years (docs/interventions.md): %d change%s, in the order they apply "
         "(a later intervention on a descriptor wins).", s->n, s->n == 1 ? "" : "s");
    tbl t = {.ncol = 4, .align = "llll"};
    tbl_cell(&t, "Kind");
    tbl_cell(&t, "Name");
    tbl_cell(&t, "What");
    tbl_cell(&t, "Given");
    char buf[1024];
    for (int i = 0; i < s->n; i++) {
        const scenmc_change *c = &s->ch[i];
        change_text(buf, sizeof buf, m, c, p->year_end);
        tbl_cell(&t, "%s", c->kind == SCENMC_CHANGE_TREND && scenmc__change_is_push(c) ? "push" : scenmc_change_kind_names[c->kind]);
        tbl_cell(&t, "%s", c->name ? c->name : "");
        tbl_cell(&t, "%s", buf);
        tbl_cell(&t, "%s", c->where ? c->where : "");
    }
    tbl_print(o, &t);
}
