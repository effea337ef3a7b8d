/* scenmc report of a signposts file (docs/signposts.md, section 4): the
 * indicators ranked by their information about the target, the scenario-
 * defining descriptors apart, when to look (the best indicator and pair of
 * each year) and P(target | variant) for the leading indicators. */
#include "cli/report_signposts.h"

#include <math.h>
#include <string.h>

/* The indicator (d, y) of the group with rank r; 0 when none. */
static int find_rank(const scenmc_signposts *sp, int defining, int r, int *d, int *y)
{
    for (*d = 0; *d < sp->D; (*d)++)
        for (*y = 0; *y < sp->Y; (*y)++)
            if (sp->defining[*d] == defining && sp->rank[*d * sp->Y + *y] == r)
                return 1;
    return 0;
}

static const char *desc_label(const scenmc_model *m, int d)
{
    return m->descriptors[d].label ? m->descriptors[d].label : m->descriptors[d].name;
}

static void ranking(const out *o, const results_src *s, int defining, int top)
{
    const scenmc_signposts *sp = &s->sp;
    int mc = sp->method == SCENMC_MONTE_CARLO;
    tbl t = {.ncol = mc ? 6 : 5};
    memset(t.align, 'r', sizeof t.align);
    t.align[1] = t.align[2] = 'l';
    tbl_cell(&t, "Rank");
    tbl_cell(&t, "Indicator");
    tbl_cell(&t, "Descriptor");
    tbl_cell(&t, "Information");
    if (mc)
        tbl_cell(&t, "Std. error");
    tbl_cell(&t, "Share of H(target)");
    int d, y;
    for (int r = 1; r <= top && find_rank(sp, defining, r, &d, &y); r++) {
        int i = d * sp->Y + y;
        tbl_cell(&t, "%d", r);
        tbl_cell(&t, "%s %d", s->m->descriptors[d].id, sp->year_start + y);
        tbl_cell(&t, "%s", desc_label(s->m, d));
        tbl_cell(&t, "%.4f bit", sp->mi[i]);
        if (mc)
            tbl_cell(&t, "%.4f", sp->mi_se[i]);
        tbl_cell(&t, "%.1f%%", sp->target_entropy > 0 ? 100 * sp->mi[i] / sp->target_entropy : 0);
    }
    tbl_print(o, &t);
}

static void when_to_look(const out *o, const results_src *s)
{
    const scenmc_signposts *sp = &s->sp;
    const int mc = sp->method == SCENMC_MONTE_CARLO, pairs = sp->has_pairs;
    tbl t = {.ncol = 3 + mc + (pairs ? 2 + mc : 0)};
    memset(t.align, 'r', sizeof t.align);
    t.align[1] = t.align[3 + mc] = 'l';
    tbl_cell(&t, "Year");
    tbl_cell(&t, "Best indicator");
    tbl_cell(&t, "Information");
    if (mc)
        tbl_cell(&t, "Std. error");
    if (pairs) {
        tbl_cell(&t, "Best pair");
        tbl_cell(&t, "Information");
        if (mc)
            tbl_cell(&t, "Std. error");
    }
    for (int y = 0; y < sp->Y; y++) {
        int d = sp->best[y], a = sp->best_pair[2 * y], b = sp->best_pair[2 * y + 1];
        size_t ab = a >= 0 ? ((size_t)y * sp->D + (size_t)a) * sp->D + (size_t)b : 0;
        tbl_cell(&t, "%d", sp->year_start + y);
        tbl_cell(&t, "%s", d >= 0 ? s->m->descriptors[d].id : "-");
        tbl_cell(&t, "%.4f bit", d >= 0 ? sp->mi[d * sp->Y + y] : 0);
        if (mc)
            tbl_cell(&t, "%.4f", d >= 0 ? sp->mi_se[d * sp->Y + y] : 0);
        if (!pairs)
            continue;
        tbl_cell(&t, "%s%s%s", a >= 0 ? s->m->descriptors[a].id : "-", a >= 0 ? " + " : "",
                 a >= 0 ? s->m->descriptors[b].id : "");
        tbl_cell(&t, "%.4f bit", a >= 0 ? sp->pair_mi[ab] : 0);
        if (mc)
            tbl_cell(&t, "%.4f", a >= 0 ? sp->pair_mi_se[ab] : 0);
    }
    tbl_print(o, &t);
}

/* P(target | each variant) of indicator (d, y), beside P(variant). */
static void conditional(const out *o, const results_src *s, int d, int y)
{
    const scenmc_signposts *sp = &s->sp;
    const scenmc_model *m = s->m;
    if (sp->K + 2 > 16)
        return;
    heading(o, 3, "%s in %d: %s", m->descriptors[d].id, sp->year_start + y, desc_label(m, d));
    tbl t = {.ncol = 2 + sp->K};
    memset(t.align, 'r', sizeof t.align);
    t.align[0] = 'l';
    tbl_cell(&t, "Variant seen");
    tbl_cell(&t, "P(variant)");
    for (int k = 0; k < sp->K; k++)
        tbl_cell(&t, "%s", sp->target_name[k]);
    for (int b = 0; b < m->descriptors[d].n_variants; b++) {
        size_t u = (size_t)y * sp->V + (size_t)(m->descriptors[d].offset + b);
        double pv = 0;
        for (int k = 0; k < sp->K; k++)
            pv += sp->joint[u * sp->K + (size_t)k];
        tbl_cell(&t, "%s", m->variant_name[m->descriptors[d].offset + b]);
        tbl_cell(&t, "%.3f", pv);
        for (int k = 0; k < sp->K; k++)
            tbl_cell(&t, isnan(sp->cond[u * sp->K + (size_t)k]) ? "-" : "%.3f", sp->cond[u * sp->K + (size_t)k]);
    }
    tbl_cell(&t, "(before looking)");
    tbl_cell(&t, "1");
    for (int k = 0; k < sp->K; k++)
        tbl_cell(&t, "%.3f", sp->target_prob[k]);
    tbl_print(o, &t);
}

void report_signposts(const out *o, const results_src *s, int top)
{
    const scenmc_signposts *sp = &s->sp;
    heading(o, 2, "What to watch: signposts");
    para(o, "The target is %s%s; its entropy H(target) = %.4f bit is all there is to learn. Each "
            "indicator, a descriptor observed in a year, is ranked by the mutual information I(target; "
            "indicator): the expected drop of that entropy from seeing the descriptor's variant. %s%s",
         sp->binary ? "whether the last year's scenario is one of: " : "the scenario of the last year",
         sp->binary ? sp->target_name[0] : "", sp->target_entropy,
         sp->method == SCENMC_EXACT ? "Exact values (forward and backward passes of the exact solver)."
                                    : "Monte Carlo plug-in estimates, of the single indicators and of the pairs, with their "
                                      "standard errors (delta method plus the chi-square term).",
         sp->conditioned ? " Everything is conditioned on the observations of the command line above." : "");
    heading(o, 3, "The indicators that do not define the scenarios");
    ranking(o, s, 0, top);
    heading(o, 3, "The scenario-defining descriptors (ranked apart)");
    para(o, "Seeing these tells the scenario by definition once it is late enough.");
    ranking(o, s, 1, top / 2 > 0 ? top / 2 : 1);
    heading(o, 3, "When to look");
    para(o, "The most informative indicator among those that do not define the scenarios, per year%s.",
         sp->has_pairs ? ", and the most informative pair of them observed together" : "");
    when_to_look(o, s);
    int d, y;
    for (int r = 1; r <= 3 && find_rank(sp, 0, r, &d, &y); r++)
        conditional(o, s, d, y);
}
