/* scenmc report: a readable summary of a results file (Markdown or plain text). */
#include "cli.h"
#include "base/text.h"
#include "model/results.h"
#include "scenmc/calibrate.h"
#include "scenmc/reader.h"
#include "summary.h"
#include "cli/report_out.h"
#include "cli/report_calibrate.h"
#include "cli/report_kinds.h"
#include "cli/report_signposts.h"
#include "cli/report_levers.h"
#include "cli/final_mass.h"
#include "cli/report_json.h"
#include "cli/report_given.h"
#include "base/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char head[] =
    "usage: scenmc report FILE.h5 [--format markdown|text|json] [options]\n\n"
    "Summarises a results file for a reader: where it came from (model, SHA-256,\n"
    "parameters, seed, N, method, engine version, date, command line), the\n"
    "scenario probabilities per year, each scenario's characteristics in the final\n"
    "year, the strongest early-warning signals, and the most frequent (Monte Carlo)\n"
    "or most probable (exact) final states with their total consistency K.\n"
    "Monte Carlo numbers carry their standard errors (±). When the model has at most\n"
    "2^24 states, also the probability of ending in each CIB-consistent state.\n"
    "Results conditioned on observations (--given, --observations) get a section\n"
    "\"Conditioned on\": the observations, their probability (the evidence; Monte\n"
    "Carlo: ± its standard error) and the effective sample size, with a warning\n"
    "when it is small (under 1000 or 1% of the trajectories).\n"
    "Also reads ensembles (the members' spread), sweeps (per point), sensitivity\n"
    "files (the cells of largest effect) and derivative files (the parameters of\n"
    "largest elasticity on the final year's scenarios).\n\n"
    "options:\n";
enum { K_FORMAT = CLI_KEY_FIRST, K_YEAR, K_TOP, K_JSON };
static const cli_option options[] = {
    {"format", K_FORMAT, 1, "  --format F    markdown (default), text or json\n"},
    {"json", K_JSON, 0, "  --json        the same as --format json (fields: docs/export.md)\n"},
    {"year", K_YEAR, 1, "  --year YEAR   the year of the early-warning signals (default: start + 3)\n"},
    {"top", K_TOP, 1, "  --top N       final states to list (default 10) and signals per scenario (N/2)\n"},
    {"help", 'h', 0, "  -h, --help    this text\n"},
    CLI_END,
};
static const char foot[] =
    "\nExit status: 0 done, 1 runtime failure, 2 bad input or usage (including a file\n"
    "that is not a scenmc results file).\n";
static const cli_command command = {"report", head, foot, options};

/* ------------------------------------------------------------------ helpers */

static const char *scen_name(const scenmc_results *r, int s)
{
    return s < r->model->n_scenarios ? r->model->scenarios[s].name : "unclassified";
}

/* "0.1234 ± 0.0012" (Monte Carlo) or "0.123456" (exact). */
static void prob_text(char *buf, size_t n, const scenmc_results *r, const scenmc_table *t, size_t i)
{
    if (isnan(t->prob[i]))
        snprintf(buf, n, "n/a");
    else if (r->method == SCENMC_MONTE_CARLO)
        snprintf(buf, n, "%.4f ± %.4f", t->prob[i], t->stderr_[i]);
    else
        snprintf(buf, n, "%.6f", t->prob[i]);
}

static void state_text(char *buf, size_t n, const scenmc_model *m, const int *s)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int d = 0; d < m->n_descriptors && at < n; d++)
        at += (size_t)snprintf(buf + at, n - at, "%s%s=%s", d ? "; " : "", m->descriptors[d].id,
                               m->variant_name[m->descriptors[d].offset + s[d]]);
}

/* ------------------------------------------------------------------ sections */

/* The revision rates: one for all, or each descriptor's. */
static void rates_text(char *buf, size_t size, const scenmc_model *m, const scenmc_params *p)
{
    int same = 1;
    for (int d = 1; d < p->n_descriptors; d++)
        same &= p->rate[d] == p->rate[0];
    size_t at = 0;
    if (same) {
        snprintf(buf, size, "%g per year for every descriptor", p->rate[0]);
        return;
    }
    for (int d = 0; d < p->n_descriptors && at < size; d++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s %g", d ? ", " : "", m->descriptors[d].id,
                               p->rate[d]);
}

/* Overrides of the model's matrices (sweep points); a judgement ensemble's pooled
 * file lists every scored cell at its own value (it fixes the bins), so only
 * cells whose value differs from the model's are reported: the first three in
 * buf, their number returned. */
static int changed_cells_text(char *buf, size_t size, const scenmc_model *m, const scenmc_params *p)
{
    int changed = 0;
    size_t at = 0;
    buf[0] = '\0';
    for (int k = 0; k < p->n_cells; k++) {
        const scenmc_cell *c = &p->cells[k];
        const double *mat = c->cross ? m->cross_impact : m->consistency;
        double was = mat ? mat[(size_t)c->u * (size_t)m->n_variants + (size_t)c->v] : 0;
        if (c->value == was)
            continue;
        if (changed++ < 3 && at < size)
            at += (size_t)snprintf(buf + at, size - at, "%s%s %s: %s x %s: %s = %g",
                                   changed > 1 ? "; " : "", c->cross ? "X" : "C",
                                   m->descriptors[m->variant_descriptor[c->u]].id,
                                   m->variant_name[c->u],
                                   m->descriptors[m->variant_descriptor[c->v]].id,
                                   m->variant_name[c->v], c->value);
    }
    return changed;
}

/* The start state: fixed, uniform, or each descriptor's probabilities. */
static void start_cell(tbl *t, char *buf, size_t size, const scenmc_model *m, const scenmc_params *p)
{
    if (p->start) {
        state_text(buf, size, m, p->start);
        tbl_cell(t, "fixed: %s", buf);
        return;
    }
    int uniform = 1;
    for (int d = 0; d < m->n_descriptors; d++)
        for (int b = 0; b < m->descriptors[d].n_variants; b++)
            uniform &= fabs(p->initial[m->descriptors[d].offset + b] -
                            1.0 / m->descriptors[d].n_variants) < 1e-12;
    if (uniform) {
        tbl_cell(t, "drawn at random, every variant equally likely");
        return;
    }
    size_t at = 0;
    for (int d = 0; d < m->n_descriptors && at < size; d++) {
        at += (size_t)snprintf(buf + at, size - at, "%s%s ", d ? "; " : "", m->descriptors[d].id);
        for (int b = 0; b < m->descriptors[d].n_variants && at < size; b++)
            at += (size_t)snprintf(buf + at, size - at, "%s%g", b ? "/" : "",
                                   p->initial[m->descriptors[d].offset + b]);
    }
    tbl_cell(t, "drawn at random: %s", buf);
}

static void provenance(const out *o, const scenmc_results *r, const scenmc_results_info *info)
{
    const scenmc_model *m = r->model;
    const scenmc_params *p = &r->params;
    int mc = r->method == SCENMC_MONTE_CARLO;
    tbl t = {.ncol = 2, .align = "ll"};
    tbl_cell(&t, "Item");
    tbl_cell(&t, "Value");
    tbl_cell(&t, "Model");
    tbl_cell(&t, "%s (%s)", m->name, info->model_path);
    tbl_cell(&t, "Model SHA-256");
    tbl_cell(&t, "%s", info->sha256);
    tbl_cell(&t, "Method");
    if (mc)
        tbl_cell(&t, "Monte Carlo: %llu trajectories (numbers %llu to %llu), seed %llu",
                 (unsigned long long)r->n_trajectories, (unsigned long long)r->first,
                 (unsigned long long)(r->last ? r->last - 1 : 0), (unsigned long long)p->seed);
    else
        tbl_cell(&t, "exact (uniformization), Poisson series truncated below %.3g per year",
                 r->truncation_bound);
    tbl_cell(&t, "Years");
    tbl_cell(&t, "%d to %d (%d years of dynamics)", p->year_start, p->year_end,
             p->year_end - p->year_start);
    tbl_cell(&t, "Consistency seeking β");
    tbl_cell(&t, "%g", p->beta);
    tbl_cell(&t, "Weights w_C, w_X");
    tbl_cell(&t, "%g, %g%s", p->w_consistency, p->w_cross,
             m->cross_impact ? "" : " (the model has no cross-impact matrix)");
    char buf[4096];
    rates_text(buf, sizeof buf, m, p);
    tbl_cell(&t, "Revision rates");
    tbl_cell(&t, "%s", buf);
    int changed = changed_cells_text(buf, sizeof buf, m, p);
    if (changed > 0) {
        tbl_cell(&t, "Matrix cells changed");
        tbl_cell(&t, "%d, overriding the model's scores (%s%s)", changed, buf, changed > 3 ? "; ..." : "");
    }
    tbl_cell(&t, "Start state");
    start_cell(&t, buf, sizeof buf, m, p);
    tbl_cell(&t, "Engine");
    tbl_cell(&t, "scenmc %s", info->engine_version);
    tbl_cell(&t, "Created");
    tbl_cell(&t, "%s", info->created);
    if (mc) {
        tbl_cell(&t, "Run time");
        tbl_cell(&t, "%.2f s on %d threads", r->wall_seconds, r->threads);
    }
    tbl_cell(&t, "Command line");
    tbl_cell(&t, o->md ? "`%s`" : "%s", info->command_line);
    tbl_print(o, &t);
}

static void scenarios(const out *o, const scenmc_results *r)
{
    int mc = r->method == SCENMC_MONTE_CARLO;
    if (!o->md) { /* the table 'scenmc run' prints */
        summary_scenarios(o->f, r);
        return;
    }
    heading(o, 2, "Scenario probabilities per year");
    para(o, "P(scenario in year%s)%s.", r->conditioned ? " | observations" : "",
         mc ? ", ± one standard error" : ", exact");
    int S = r->n_scenarios;
    tbl t = {.ncol = S + 1};
    t.align[0] = 'l';
    for (int s = 0; s < S; s++)
        t.align[s + 1] = 'r';
    if (S + 1 > 16) {
        para(o, "(%d scenarios: see the CSV export)", S);
        return;
    }
    tbl_cell(&t, "Year");
    for (int s = 0; s < S; s++)
        tbl_cell(&t, "%s", scen_name(r, s));
    const scenmc_table *sc = &r->t[SCENMC_T_SCENARIO];
    for (int y = 0; y < r->n_years; y++) {
        tbl_cell(&t, "%d", r->params.year_start + y);
        for (int s = 0; s < S; s++) {
            char buf[64];
            prob_text(buf, sizeof buf, r, sc, (size_t)y * (size_t)S + (size_t)s);
            tbl_cell(&t, "%s", buf);
        }
    }
    tbl_print(o, &t);
}

static void characteristics(const out *o, const scenmc_results *r)
{
    const scenmc_model *m = r->model;
    int S = r->n_scenarios, V = m->n_variants, y = r->n_years - 1;
    if (!o->md) { /* as 'scenmc run' prints them */
        summary_characteristics(o->f, r);
        fputc('\n', o->f);
        return;
    }
    heading(o, 2, "The scenarios in %d", r->params.year_end);
    para(o, "For each scenario, each descriptor's most likely variant in %d and "
            "P(variant | scenario).", r->params.year_end);
    const scenmc_table *sv = &r->t[SCENMC_T_SCENARIO_VARIANT], *sc = &r->t[SCENMC_T_SCENARIO];
    for (int s = 0; s < S; s++) {
        size_t si = (size_t)y * (size_t)S + (size_t)s;
        if (!(sc->prob[si] > 0))
            continue;
        char buf[64];
        prob_text(buf, sizeof buf, r, sc, si);
        heading(o, 3, "%s (p = %s)", scen_name(r, s), buf);
        tbl t = {.ncol = 3, .align = "llr"};
        tbl_cell(&t, "Descriptor");
        tbl_cell(&t, "Most likely variant");
        tbl_cell(&t, "P(variant | scenario)");
        for (int d = 0; d < m->n_descriptors; d++) {
            const scenmc_descriptor *D = &m->descriptors[d];
            int best = 0;
            double bp = -1;
            for (int b = 0; b < D->n_variants; b++) {
                double p = sv->prob[si * (size_t)V + (size_t)(D->offset + b)];
                if (p > bp) {
                    bp = p;
                    best = b;
                }
            }
            tbl_cell(&t, "%s: %s", D->id, D->name);
            tbl_cell(&t, "%s", m->variant_name[D->offset + best]);
            prob_text(buf, sizeof buf, r, sv, si * (size_t)V + (size_t)(D->offset + best));
            tbl_cell(&t, "%s", buf);
        }
        tbl_print(o, &t);
    }
}

typedef struct signal_ {
    int v;
    double shift;
} signal_;

static int by_shift(const void *a, const void *b)
{
    double x = fabs(((const signal_ *)a)->shift), y = fabs(((const signal_ *)b)->shift);
    if (x != y)
        return x < y ? 1 : -1;
    return ((const signal_ *)a)->v - ((const signal_ *)b)->v;
}

static void early_warning(const out *o, const scenmc_results *r, int year, int top)
{
    const scenmc_model *m = r->model;
    int S = r->n_scenarios, V = m->n_variants, Y = r->n_years;
    int y = year - r->params.year_start;
    heading(o, 2, "Early-warning signals in %d", year);
    para(o, "Which variants, if they hold in %d, shift the chances of ending in each scenario in "
            "%d most: P(final scenario | variant in %d) compared with P(final scenario). A variant "
            "with a large shift is a signpost worth watching; its own probability in %d says how "
            "often the signpost shows.", year, r->params.year_end, year, year);
    const scenmc_table *ew = &r->t[SCENMC_T_EARLY_WARNING], *va = &r->t[SCENMC_T_VARIANT];
    const scenmc_table *sc = &r->t[SCENMC_T_SCENARIO];
    signal_ *sig = malloc((size_t)V * sizeof *sig);
    if (!sig)
        return;
    for (int f = 0; f < S; f++) {
        double base = sc->prob[(size_t)(Y - 1) * (size_t)S + (size_t)f];
        if (!(base > 0))
            continue;
        int n = 0;
        for (int v = 0; v < V; v++) {
            double pv = va->prob[(size_t)y * (size_t)V + (size_t)v];
            double p = ew->prob[((size_t)y * (size_t)V + (size_t)v) * (size_t)S + (size_t)f];
            if (pv > 0 && !isnan(p))
                sig[n++] = (signal_){v, p - base};
        }
        qsort(sig, (size_t)n, sizeof *sig, by_shift);
        char buf[64];
        prob_text(buf, sizeof buf, r, sc, (size_t)(Y - 1) * (size_t)S + (size_t)f);
        heading(o, 3, "Ending in %s (P = %s)", scen_name(r, f), buf);
        tbl t = {.ncol = 4, .align = "lrrr"};
        tbl_cell(&t, "Variant in %d", year);
        tbl_cell(&t, "P(variant)");
        tbl_cell(&t, "P(%s | variant)", scen_name(r, f));
        tbl_cell(&t, "Shift");
        for (int i = 0; i < n && i < top; i++) {
            int v = sig[i].v;
            tbl_cell(&t, "%s: %s", m->descriptors[m->variant_descriptor[v]].id, m->variant_name[v]);
            tbl_cell(&t, "%.4f", va->prob[(size_t)y * (size_t)V + (size_t)v]);
            prob_text(buf, sizeof buf, r, ew, ((size_t)y * (size_t)V + (size_t)v) * (size_t)S + (size_t)f);
            tbl_cell(&t, "%s", buf);
            tbl_cell(&t, "%+.1f pp", 100 * sig[i].shift);
        }
        tbl_print(o, &t);
    }
    free(sig);
}

typedef struct ranked {
    double p;
    uint64_t i; /* position in the final-state table */
} ranked;

/* Keeps the k most probable cells of the final-state table, sorted. */
static int top_states(const scenmc_table *t, ranked *best, int k)
{
    int n = 0;
    for (size_t i = 0; i < t->size; i++) {
        double p = t->prob[i];
        if (!(p > 0) || (n == k && p <= best[n - 1].p))
            continue;
        int j = n < k ? n++ : k - 1;
        while (j > 0 && best[j - 1].p < p) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = (ranked){p, i};
    }
    return n;
}

/* The whole distribution: how many states occur, the mean and the largest K
 * among them (s: room for one state). */
static void distribution_para(const out *o, const scenmc_results *r, int *s)
{
    const scenmc_model *m = r->model;
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    uint64_t occurring = 0;
    double meanK = 0, maxK = -INFINITY, pmax = 0;
    for (size_t i = 0; i < t->size; i++) {
        if (!(t->prob[i] > 0))
            continue;
        occurring++;
        scenmc_state_from_index(m, r->full_states ? i : r->top_state[i], s);
        double K = scenmc_model_total_consistency(m, s);
        meanK += t->prob[i] * K;
        if (K > maxK || (K == maxK && t->prob[i] > pmax)) {
            maxK = K;
            pmax = t->prob[i];
        }
    }
    para(o, "%llu of the %llu states %s in %d%s; their mean total consistency K is %.2f and the "
            "highest K among them is %g (p = %.3g).",
         (unsigned long long)occurring, (unsigned long long)r->n_states,
         r->method == SCENMC_MONTE_CARLO ? "occurred" : "have a probability above 0",
         r->params.year_end, r->full_states ? "" : " (top-state table)", meanK, maxK, pmax);
}

static void final_states(const out *o, const scenmc_results *r, int top)
{
    const scenmc_model *m = r->model;
    const scenmc_table *t = &r->t[SCENMC_T_FINAL_STATE];
    int mc = r->method == SCENMC_MONTE_CARLO;
    heading(o, 2, "Final states in %d", r->params.year_end);
    if (t->size == 0) {
        if (r->final_state_dropped)
            para(o, "The file has no final-state table: %s.",
                 scenmc__final_state_dropped_text(r->final_state_dropped));
        else if (mc && r->n_trajectories > 0)
            para(o, "The file has no final-state table and does not say why (older versions "
                 "dropped it when merging shards or resuming, or above 2097152 distinct final "
                 "states).");
        else
            para(o, "The file has no final-state table (the model has more than %u states).",
                 SCENMC_FULL_STATE_LIMIT);
        return;
    }
    int pool = 2 * top;
    ranked *best = calloc((size_t)pool, sizeof *best);
    int *s = calloc((size_t)m->n_descriptors, sizeof(int));
    if (!best || !s) {
        free(best);
        free(s);
        return;
    }
    int n = top_states(t, best, pool);
    distribution_para(o, r, s);
    heading(o, 3, "The %d most %s states", n < top ? n : top, mc ? "frequent" : "probable");
    tbl a = {.ncol = 5, .align = "rrrll"};
    tbl_cell(&a, "#");
    tbl_cell(&a, "p");
    tbl_cell(&a, "K");
    tbl_cell(&a, "Scenario");
    tbl_cell(&a, "State");
    char buf[4096], pb[64];
    for (int i = 0; i < n && i < top; i++) {
        uint64_t idx = r->full_states ? best[i].i : r->top_state[best[i].i];
        scenmc_state_from_index(m, idx, s);
        state_text(buf, sizeof buf, m, s);
        prob_text(pb, sizeof pb, r, t, (size_t)best[i].i);
        tbl_cell(&a, "%d", i + 1);
        tbl_cell(&a, "%s", pb);
        tbl_cell(&a, "%g", scenmc_model_total_consistency(m, s));
        tbl_cell(&a, "%s", scen_name(r, scenmc_model_scenario_of(m, s)));
        tbl_cell(&a, "%s", buf);
    }
    tbl_print(o, &a);

    /* Among the 2*top most frequent, the most consistent. */
    ranked *byK = calloc((size_t)(n ? n : 1), sizeof *byK);
    int *rank = calloc((size_t)(n ? n : 1), sizeof(int));
    for (int i = 0; byK && rank && i < n; i++) {
        scenmc_state_from_index(m, r->full_states ? best[i].i : r->top_state[best[i].i], s);
        double K = scenmc_model_total_consistency(m, s);
        int j = i;
        while (j > 0 && byK[j - 1].p < K) {
            byK[j] = byK[j - 1];
            rank[j] = rank[j - 1];
            j--;
        }
        byK[j] = (ranked){K, best[i].i};
        rank[j] = i + 1;
    }
    if (byK && rank && n > 0) {
        int k = top / 2 > 0 ? top / 2 : 1;
        heading(o, 3, "The most consistent of the %d most %s states", n, mc ? "frequent" : "probable");
        tbl b = {.ncol = 5, .align = "rrrll"};
        tbl_cell(&b, "K");
        tbl_cell(&b, "p");
        tbl_cell(&b, "# by p");
        tbl_cell(&b, "Scenario");
        tbl_cell(&b, "State");
        for (int i = 0; i < n && i < k; i++) {
            uint64_t idx = r->full_states ? byK[i].i : r->top_state[byK[i].i];
            scenmc_state_from_index(m, idx, s);
            state_text(buf, sizeof buf, m, s);
            prob_text(pb, sizeof pb, r, t, (size_t)byK[i].i);
            tbl_cell(&b, "%g", byK[i].p);
            tbl_cell(&b, "%s", pb);
            tbl_cell(&b, "%d", rank[i]);
            tbl_cell(&b, "%s", scen_name(r, scenmc_model_scenario_of(m, s)));
            tbl_cell(&b, "%s", buf);
        }
        tbl_print(o, &b);
    }
    free(byK);
    free(rank);
    free(best);
    free(s);
}

/* The CIB link: how much probability ends in the model's consistent states. */
static void consistent_section(const out *o, const scenmc_results *r, int top)
{
    const scenmc_model *m = r->model;
    consistent_mass cm;
    heading(o, 2, "CIB-consistent states in %d", r->params.year_end);
    if (consistent_mass_of(r, &cm) != 0) {
        para(o, "Not computed: the model has more than %u states (scenmc consistent lists them; "
                "--results FILE.h5 adds these probabilities).", SCENMC_FULL_STATE_LIMIT);
        return;
    }
    char pb[64], buf[4096];
    if (!cm.fm.available) {
        para(o, "The model has %llu consistent states in the sense of CIB (IC = 0, %s matrix; "
                "docs/consistent.md); the file has no final-state table to weigh them.",
             (unsigned long long)cm.n_found, cm.uses_cross ? "cross-impact" : "consistency");
        consistent_mass_free(&cm);
        return;
    }
    if (cm.fm.mc)
        snprintf(pb, sizeof pb, "%.4f ± %.4f", cm.fm.total, cm.fm.total_se);
    else
        snprintf(pb, sizeof pb, "%.6f", cm.fm.total);
    para(o, "The model has %llu consistent states in the sense of CIB (IC = 0, %s matrix; "
            "docs/consistent.md). The probability that the dynamics end in %d in one of them is "
            "%s%s.", (unsigned long long)cm.n_found, cm.uses_cross ? "cross-impact" : "consistency",
         r->params.year_end, pb,
         cm.fm.complete ? "" : " at least (only the top-state table is in the file)");
    if (!cm.n) { /* no consistent state: no table (its header cells would be left) */
        consistent_mass_free(&cm);
        return;
    }
    tbl t = {.ncol = 5, .align = "rrrll"};
    tbl_cell(&t, "#");
    tbl_cell(&t, "p");
    tbl_cell(&t, "K");
    tbl_cell(&t, "Scenario");
    tbl_cell(&t, "State");
    int *s = scenmc__xcalloc((size_t)m->n_descriptors, sizeof(int));
    for (size_t k = 0; k < cm.n && k < (size_t)top; k++) {
        scenmc_state_from_index(m, cm.index[k], s);
        state_text(buf, sizeof buf, m, s);
        if (cm.fm.mc)
            snprintf(pb, sizeof pb, "%.4f ± %.4f", cm.p[k], cm.se[k]);
        else
            snprintf(pb, sizeof pb, "%.6f", cm.p[k]);
        tbl_cell(&t, "%zu", k + 1);
        tbl_cell(&t, "%s", pb);
        tbl_cell(&t, "%g", scenmc_model_total_consistency(m, s));
        tbl_cell(&t, "%s", scen_name(r, scenmc_model_scenario_of(m, s)));
        tbl_cell(&t, "%s", buf);
    }
    tbl_print(o, &t);
    if (cm.n > (size_t)top)
        para(o, "(%zu more: scenmc consistent --results lists them all.)", cm.n - (size_t)top);
    free(s);
    consistent_mass_free(&cm);
}

/* Takes the options in a into o, year (*have_year when given) and top. */
static int take_options(const cli_args *a, out *o, long *year, int *have_year, long *top)
{
    for (int k = 0; k < a->n_opts; k++) {
        const char *v = a->opts[k].value;
        if (a->opts[k].key == K_FORMAT) {
            if (!strcmp(v, "markdown") || !strcmp(v, "md"))
                o->md = 1;
            else if (!strcmp(v, "text"))
                o->md = 0;
            else if (!strcmp(v, "json"))
                o->json = 1;
            else
                return cli_usage_error("report", "--format '%s': expected markdown or text, or json",
                                       v);
        } else if (a->opts[k].key == K_JSON) {
            o->json = 1;
        } else if (a->opts[k].key == K_YEAR) {
            if (!cli_parse_int("report", "--year", v, -100000, 100000, year))
                return EXIT_USAGE;
            *have_year = 1;
        } else if (a->opts[k].key == K_TOP) {
            if (!cli_parse_int("report", "--top", v, 1, 1000, top))
                return EXIT_USAGE;
        }
    }
    return 0;
}

/* Writes out, then checks that it went out; 0 or 1. */
static int flushed(const out *o)
{
    if (fflush(o->f) != 0 || ferror(o->f)) {
        perror("scenmc report: writing the report");
        return 1;
    }
    return 0;
}

static void title(const out *o, const char *name, const char *file, const char *what)
{
    if (o->md)
        fprintf(o->f, "# %s: scenario dynamics\n\n", name);
    else
        heading(o, 1, "%s: scenario dynamics", name);
    para(o, "A report on the results file %s%s%s (%s).", o->md ? "`" : "", file, o->md ? "`" : "",
         what);
}

/* The report of one run, exact solution or ensemble. */
static int report_results(const out *o, const char *file, const results_src *s, long year, long top)
{
    const scenmc_results *r = &s->r;
    const scenmc_params *p = &r->params;
    const scenmc_ensemble_data *e = s->kind == SCENMC_FILE_ENSEMBLE ? &s->ens : NULL;
    if (o->json) {
        report_json(o->f, file, r, &s->info, e, (int)top);
        return flushed(o);
    }
    title(o, s->m->name, file, r->method == SCENMC_EXACT ? "exact probabilities"
                               : e ? "Monte Carlo estimates of a judgement ensemble"
                                   : "Monte Carlo estimates");
    heading(o, 2, "Provenance");
    provenance(o, r, &s->info);
    report_given(o, r);
    scenarios(o, r);
    if (e)
        report_ensemble(o, r, e);
    characteristics(o, r);
    if (r->n_years > 1 && year < p->year_end)
        early_warning(o, r, (int)year, (int)(top / 2 > 0 ? top / 2 : 1));
    final_states(o, r, (int)top);
    consistent_section(o, r, (int)top);
    return flushed(o);
}

/* A sweep, sensitivity or derivative file: its provenance and its tables per
 * point, cell or parameter. */
static int report_other(const out *o, const char *file, const results_src *s, long top)
{
    if (o->json)
        return cli_usage_error("report", "--json reads the files of run, exact and ensembles; "
                               "'scenmc export %s --csv DIR' writes this file's tables", file);
    if (s->kind == SCENMC_FILE_SWEEP) {
        title(o, s->m->name, file, "a parameter sweep");
        if (s->sweep.n_points > 0) {
            scenmc_results first = s->sweep.points[0];
            first.params = s->sweep.base;
            heading(o, 2, "Provenance (the parameters every point starts from)");
            provenance(o, &first, &s->info);
        }
        report_sweep(o, s);
    } else if (s->is_signposts) {
        title(o, s->m->name, file, "signposts: what to watch");
        para(o, "Model %s (SHA-256 %s), scenmc %s, created %s; command line: %s%s%s.", s->info.model_path,
             s->info.sha256, s->info.engine_version, s->info.created, o->md ? "`" : "", s->info.command_line,
             o->md ? "`" : "");
        report_signposts(o, s, (int)top);
    } else {
        int deriv = s->kind == SCENMC_FILE_DERIVATIVE;
        title(o, s->m->name, file, deriv ? "derivatives of the scenario probabilities"
                                         : "sensitivity to each consistency score");
        para(o, "Model %s (SHA-256 %s), scenmc %s, created %s; command line: %s%s%s.",
             s->info.model_path, s->info.sha256, s->info.engine_version, s->info.created,
             o->md ? "`" : "", s->info.command_line, o->md ? "`" : "");
        if (deriv)
            report_derivative(o, s, (int)top);
        else
            report_sensitivity(o, s, (int)top);
    }
    return flushed(o);
}

int cmd_report(int argc, char **argv)
{
    out o = {stdout, 1, 0};
    long year = 0, top = 10;
    int have_year = 0;
    const char *file = NULL;
    cli_args a;
    int rc = cli_parse(&command, argc, argv, &a);
    if (rc)
        return rc == CLI_HELP_SHOWN ? 0 : rc;
    rc = take_options(&a, &o, &year, &have_year, &top);
    if (!rc)
        rc = cli_one_results_file("report", &a, &file);
    cli_args_free(&a);
    if (rc)
        return rc;
    if (scenmc_calibration_file(file))
        return report_calibrate(&o, file, (int)top);
    if (report_levers_file(&o, file, top, &rc))
        return rc;
    results_src s;
    if ((rc = results_src_read("report", file, &s)) != 0)
        return rc;
    if (s.kind == SCENMC_FILE_SWEEP || s.kind == SCENMC_FILE_SENSITIVITY ||
        s.kind == SCENMC_FILE_DERIVATIVE || s.is_signposts) {
        rc = report_other(&o, file, &s, top);
        results_src_free(&s);
        return rc;
    }
    const scenmc_params *p = &s.r.params;
    if (!have_year)
        year = p->year_start + 3 < p->year_end ? p->year_start + 3 : p->year_start;
    if (year < p->year_start || year > p->year_end)
        rc = cli_usage_error("report", "--year %ld: the file covers %d to %d", year, p->year_start,
                             p->year_end);
    else
        rc = report_results(&o, file, &s, year, top);
    results_src_free(&s);
    return rc;
}
