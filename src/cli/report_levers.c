/* scenmc report on a levers file (cli/report_levers.h). */
#include "cli/report_levers.h"
#include "cli/cli.h"
#include "io/levers_read.h"

#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void lever_row(tbl *t, const scenmc__levers_file *f, int rank, int i)
{
    const scenmc_lever *l = &f->r.lever[i];
    tbl_cell(t, "%d", rank);
    tbl_cell(t, "%s%s", f->label[i], l->defining ? " *" : "");
    tbl_cell(t, "%.4f", l->p_with);
    if (f->r.method == SCENMC_EXACT)
        tbl_cell(t, "%+.4f", l->effect);
    else
        tbl_cell(t, "%+.4f ± %.4f", l->effect, l->se);
    tbl_cell(t, isfinite(l->ratio) ? "%.2f" : "-", l->ratio);
    tbl_cell(t, "%s", l->trivial == 1 ? "P = 1" : l->trivial == 0 ? "P = 0" : "");
}

/* The observations the levers are conditioned on (the file's `given`, one
 * a line), as one paragraph; nothing when there are none. */
static void given_para(const out *o, const scenmc__levers_file *f)
{
    const char *g = f->given;
    if (!g || !*g)
        return;
    int n = 0;
    for (const char *c = g; *c; c++)
        n += *c == '\n' || !c[1];
    size_t len = strlen(g);
    char *list = scenmc__xcalloc(2 * len + 1, 1), *w = list;
    for (const char *c = g; *c; c++) /* lines joined by "; " */
        if (*c != '\n')
            *w++ = *c;
        else if (c[1])
            w += sprintf(w, "; ");
    para(o, "Conditioned on %d observation%s: %s. P(target) is the probability given them%s.", n,
         n == 1 ? "" : "s", list, f->r.method == SCENMC_EXACT ? " (the forward filter)"
         : " (each trajectory weighted by their likelihood in each arm; the effects' paired standard errors "
           "by the delta method)");
    free(list);
}

static void levers_body(const out *o, const scenmc__levers_file *f, long top)
{
    const scenmc_levers_result *r = &f->r;
    int exact = r->method == SCENMC_EXACT;
    para(o, "Target: %s in %d; interventions from %d. Baseline P(target) = %.4f. %s.", f->target, r->year,
         r->start, r->p_baseline, exact ? "Exact (the exact solver)"
         : "Monte Carlo with common random numbers: every intervention runs the baseline's trajectories");
    given_para(o, f);
    if (!exact)
        para(o, "Standard error of the baseline: %.4f (%llu trajectories); of each effect: paired.",
             r->p_baseline_se, (unsigned long long)r->n_trajectories);
    if (f->baseline_schedule && *f->baseline_schedule)
        para(o, "The baseline's changes over time: %s", f->baseline_schedule);
    heading(o, 2, "Levers by effect on P(target), largest first");
    para(o, "* the descriptor defines a target scenario; P = 0 or 1: by the scenarios' definitions alone.");
    tbl t = {.ncol = 6, .align = "rlrrrl"};
    const char *head[6] = {"rank", "intervention", "P(target)", "effect", "ratio", "trivial"};
    for (int c = 0; c < 6; c++)
        tbl_cell(&t, "%s", head[c]);
    for (int k = 0; k < r->n_levers && k < top; k++)
        lever_row(&t, f, k + 1, r->order[k]);
    tbl_print(o, &t);
    if (r->best_pair >= 0) {
        int b = r->best_pair;
        heading(o, 2, "Best pair of holds");
        para(o, "%s: P(target) %.4f, effect %+.4f (paired standard error %.4f; %s, %d pairs evaluated).",
             f->pair_label[b], r->pair_p[b], r->pair_effect[b], r->pair_se[b], r->pair_exhaustive ? "every pair"
             : "pairs among the top single holds", r->n_pairs);
    }
}

int report_levers_file(const out *o, const char *path, long top, int *rc)
{
    if (!scenmc__levers_is_file(path))
        return 0;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc__levers_file f;
    *rc = 0;
    if (o->json)
        *rc = cli_usage_error("report", "--json reads the files of run, exact and ensembles, not levers files");
    else if (scenmc__levers_read(path, &f, &err) != SCENMC_OK) {
        cli_print_error("report", &err);
        *rc = cli_exit_code(err.code);
    } else {
        heading(o, 1, "%s: levers", f.model_name ? f.model_name : "a model");
        para(o, "A report on the levers file %s%s%s (scenmc levers); command line: %s%s%s.", o->md ? "`" : "",
             path, o->md ? "`" : "", o->md ? "`" : "", f.command_line ? f.command_line : "", o->md ? "`" : "");
        levers_body(o, &f, top);
        scenmc__levers_file_free(&f);
        *rc = fflush(o->f) ? 1 : 0;
    }
    return 1;
}
