/* scenmc report: what results conditioned on observations were conditioned
 * on, how probable that was (the evidence), and how many trajectories the
 * Monte Carlo estimates effectively rest on. */
#include "cli/report_given.h"
#include "cli/json_out.h"
#include "scenmc/observe.h"

#include <math.h>
#include <string.h>

int report_ess_small(const scenmc_results *r)
{
    if (!r->conditioned || r->method != SCENMC_MONTE_CARLO)
        return 0;
    double n = (double)r->n_trajectories;
    return !(r->effective_size >= REPORT_ESS_MIN) || !(r->effective_size >= REPORT_ESS_FRACTION * n);
}

static const char *variant_name(const scenmc_model *m, int d, int b)
{
    return m->variant_name[m->descriptors[d].offset + b];
}

/* What was seen: the variant (hard), or "Medborgare 0.8, Verksamhet 0.2"
 * (soft: the likelihoods above 0). */
static void seen_text(char *buf, size_t n, const scenmc_model *m, const scenmc_observation *ob)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int b = 0; b < ob->n_variants && at + 1 < n; b++) {
        if (ob->hard && ob->likelihood[b] == 1)
            at += (size_t)snprintf(buf + at, n - at, "%s", variant_name(m, ob->descriptor, b));
        else if (!ob->hard && ob->likelihood[b] > 0)
            at += (size_t)snprintf(buf + at, n - at, "%s%s %.3g", at ? ", " : "",
                                   variant_name(m, ob->descriptor, b), ob->likelihood[b]);
    }
}

static void observations_table(const out *o, const scenmc_results *r)
{
    const scenmc_observations *g = r->given;
    const scenmc_model *m = r->model;
    if (g->n == 0)
        para(o, "No observation after the first year.");
    tbl t = {.ncol = 5, .align = "rllll"};
    for (int i = 0; i < g->n; i++) {
        const scenmc_observation *ob = &g->obs[i];
        if (i == 0) {
            tbl_cell(&t, "Year");
            tbl_cell(&t, "Descriptor");
            tbl_cell(&t, "Evidence");
            tbl_cell(&t, "Seen (soft: the likelihood of each variant)");
            tbl_cell(&t, "Given at");
        }
        char seen[1024];
        seen_text(seen, sizeof seen, m, ob);
        tbl_cell(&t, "%d", ob->year);
        tbl_cell(&t, "%s", m->descriptors[ob->descriptor].id);
        tbl_cell(&t, "%s", ob->hard ? "hard" : "soft");
        tbl_cell(&t, "%s", seen);
        tbl_cell(&t, o->md ? "`%s`" : "%s", ob->where ? ob->where : "-");
    }
    if (g->n)
        tbl_print(o, &t);
    if (g->start) {
        char buf[4096];
        size_t at = 0;
        for (int d = 0; d < m->n_descriptors && at + 1 < sizeof buf; d++)
            at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s = %s", d ? ", " : "",
                                   m->descriptors[d].id, variant_name(m, d, g->start[d]));
        para(o, "Observed state of %d (every trajectory starts there): %s.", r->params.year_start, buf);
    }
}

/* The evidence P(observations): exact, or estimated with its standard error. */
static void evidence_para(const out *o, const scenmc_results *r)
{
    double ev = exp(r->log_evidence);
    if (r->method == SCENMC_EXACT) {
        para(o, "Probability of the observations (the evidence): %.6g (natural log %.6g), exact.", ev,
             r->log_evidence);
        return;
    }
    para(o, "Probability of the observations (the evidence), Monte Carlo estimate: %.4g ± %.2g "
         "(natural log %.6g).", ev, r->evidence_se, r->log_evidence);
    double n = (double)r->n_trajectories;
    para(o, "Effective sample size: %.0f of %llu trajectories (%.3g%%)%s.", r->effective_size,
         (unsigned long long)r->n_trajectories, n > 0 ? 100 * r->effective_size / n : 0.0,
         r->weight_one == 1 ? ", the trajectories that agree with every observation" : "");
    if (report_ess_small(r))
        para(o, "%s the effective sample size is small (under %.0f, or under %.0f%% of the "
             "trajectories): the conditioned estimates rest on few trajectories, and their standard "
             "errors may be too optimistic. Run more trajectories, or use sequential Monte Carlo "
             "(`scenmc run --smc`), which resamples at each observation year.",
             o->md ? "> **Warning:**" : "WARNING:", REPORT_ESS_MIN, 100 * REPORT_ESS_FRACTION);
}

void report_given(const out *o, const scenmc_results *r)
{
    if (!r->conditioned)
        return;
    heading(o, 2, "Conditioned on");
    para(o, "Every table of this report is conditioned on what was observed: P(... | observations).");
    if (r->given)
        observations_table(o, r);
    else
        para(o, "(The file does not list the observations.)");
    evidence_para(o, r);
}

/* {"year": 2023, "descriptor": "DA", "hard": true, "likelihood": {...}, "where": "..."} */
static void observation_json(FILE *f, const scenmc_model *m, const scenmc_observation *ob, int first)
{
    fprintf(f, "%s      {\"year\": %d, \"descriptor\": ", first ? "\n" : ",\n", ob->year);
    json_string(f, m->descriptors[ob->descriptor].id);
    fprintf(f, ", \"hard\": %s, \"likelihood\": {", ob->hard ? "true" : "false");
    for (int b = 0; b < ob->n_variants; b++) {
        fputs(b ? ", " : "", f);
        json_string(f, variant_name(m, ob->descriptor, b));
        fputs(": ", f);
        json_number(f, ob->likelihood[b]);
    }
    fputs("}, \"where\": ", f);
    json_string(f, ob->where);
    fputs("}", f);
}

void report_given_json(FILE *f, const scenmc_results *r)
{
    if (!r->conditioned)
        return;
    int mc = r->method == SCENMC_MONTE_CARLO;
    const scenmc_observations *g = r->given;
    json_key(f, 0, 2, "conditioned");
    fputs("{", f);
    json_key(f, 1, 4, "observations");
    fputs(g ? "[" : "null", f);
    for (int i = 0; g && i < g->n; i++)
        observation_json(f, r->model, &g->obs[i], i == 0);
    fputs(g ? (g->n ? "\n    ]" : "]") : "", f);
    json_key(f, 0, 4, "start");
    if (g && g->start)
        json_variants(f, r->model, g->start);
    else
        fputs("null", f);
    json_key(f, 0, 4, "log_evidence");
    json_number(f, r->log_evidence);
    json_key(f, 0, 4, "evidence");
    json_number(f, exp(r->log_evidence));
    json_key(f, 0, 4, "evidence_se");
    json_number(f, mc ? r->evidence_se : 0);
    json_key(f, 0, 4, "effective_sample_size");
    json_number(f, mc ? r->effective_size : NAN);
    json_key(f, 0, 4, "small_sample_warning");
    fputs(report_ess_small(r) ? "true" : "false", f);
    fputs("\n  }", f);
}
