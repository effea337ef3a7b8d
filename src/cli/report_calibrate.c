/* scenmc report of a calibration file (docs/signposts.md, section 5). */
#include "cli/report_calibrate.h"
#include "cli.h"
#include "scenmc/calibrate.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct calib_src {
    const char *file;
    scenmc_model *m;
    scenmc_params base;
    scenmc_observations obs;
    scenmc_calibration c;
    scenmc_results_info info;
} calib_src;

static const char *scenario_name(const scenmc_model *m, int a)
{
    return a < m->n_scenarios ? m->scenarios[a].name : "unclassified";
}

/* What an observation says: the variant seen, or the likelihood per variant. */
static void observation_text(char *buf, size_t n, const scenmc_model *m, const scenmc_observation *ob)
{
    const scenmc_descriptor *D = &m->descriptors[ob->descriptor];
    size_t at = 0;
    buf[0] = '\0';
    for (int b = 0; b < ob->n_variants && at < n; b++) {
        if (ob->hard && ob->likelihood[b] > 0)
            at += (size_t)snprintf(buf + at, n - at, "%s", m->variant_name[D->offset + b]);
        else if (!ob->hard)
            at += (size_t)snprintf(buf + at, n - at, "%s%s: %g", b ? ", " : "", m->variant_name[D->offset + b],
                                   ob->likelihood[b]);
    }
}

static void observations_section(const out *o, const calib_src *s)
{
    const scenmc_observations *ob = &s->obs;
    heading(o, 2, "Observations");
    para(o, "%d observation%s%s%s%s; soft evidence lists P(what was seen | variant).", ob->n,
         ob->n == 1 ? "" : "s", ob->source ? " from " : "", ob->source ? ob->source : "",
         s->base.start ? ", the start state fixed" : "");
    tbl t = {.ncol = 4};
    memset(t.align, 'l', sizeof t.align);
    tbl_cell(&t, "Year");
    tbl_cell(&t, "Descriptor");
    tbl_cell(&t, "Seen");
    tbl_cell(&t, "Given as");
    char buf[1024];
    for (int k = 0; k < ob->n; k++) {
        observation_text(buf, sizeof buf, s->m, &ob->obs[k]);
        tbl_cell(&t, "%d", ob->obs[k].year);
        tbl_cell(&t, "%s", s->m->descriptors[ob->obs[k].descriptor].id);
        tbl_cell(&t, "%s", buf);
        tbl_cell(&t, "%s", ob->obs[k].where ? ob->obs[k].where : "");
    }
    tbl_print(o, &t);
}

static void parameters_section(const out *o, const scenmc_calibration *c)
{
    int K = c->n_params, P = c->n_points;
    heading(o, 2, "Posterior of the parameters");
    para(o, "The likelihood P(observations | parameters) at %d design points, %s. Prior: every point "
            "carries the same share of the design's box, its mass uniform or, for a log-uniform "
            "parameter, proportional to 1/value; the posterior is prior x likelihood, normalised over "
            "the points. The %g%% credible set holds the points of highest posterior until their mass "
            "reaches %g%%: %d points, mass %.4f. Log marginal likelihood %.6g.", P,
         c->method == SCENMC_EXACT ? "computed exactly by forward filtering"
                                   : "estimated by Monte Carlo with the same random numbers at every point",
         100 * c->level, 100 * c->level, c->n_credible, c->credible_mass, c->log_marginal);
    tbl t = {.ncol = 6};
    memset(t.align, 'r', sizeof t.align);
    t.align[0] = t.align[1] = 'l';
    const char *head[6] = {"Parameter", "Prior", "Mean", "SD", "Credible min", "Credible max"};
    for (int k = 0; k < 6; k++)
        tbl_cell(&t, "%s", head[k]);
    for (int j = 0; j < K; j++) {
        double lo, hi;
        scenmc_calibration_credible_range(c, j, &lo, &hi);
        tbl_cell(&t, "%s", c->param_name[j]);
        tbl_cell(&t, "%s", c->log_uniform[j] ? "log-uniform" : "uniform");
        tbl_cell(&t, "%.4g", c->post_mean[j]);
        tbl_cell(&t, "%.4g", c->post_sd[j]);
        tbl_cell(&t, "%.4g", lo);
        tbl_cell(&t, "%.4g", hi);
    }
    tbl_print(o, &t);
}

typedef struct by_post {
    double w;
    int i;
} by_post;
static int post_desc(const void *a, const void *b)
{
    const by_post *x = a, *y = b;
    return x->w > y->w ? -1 : x->w < y->w ? 1 : x->i - y->i;
}

static void points_section(const out *o, const scenmc_calibration *c, int top)
{
    int K = c->n_params, P = c->n_points, n = top < P ? top : P;
    if (K + 4 > 16)
        return;
    by_post *ord = scenmc__xcalloc((size_t)P, sizeof *ord);
    for (int i = 0; i < P; i++)
        ord[i] = (by_post){c->posterior[i], i};
    qsort(ord, (size_t)P, sizeof *ord, post_desc);
    heading(o, 2, "The most probable points");
    para(o, "The %d points of largest posterior mass%s.", n,
         c->likelihood_se ? "; the likelihood's Monte Carlo standard error beside it" : "");
    tbl t = {.ncol = K + 4};
    memset(t.align, 'r', sizeof t.align);
    tbl_cell(&t, "Point");
    for (int j = 0; j < K; j++)
        tbl_cell(&t, "%s", c->param_name[j]);
    tbl_cell(&t, "%s", c->likelihood_se ? "Likelihood ± SE" : "Log-likelihood");
    tbl_cell(&t, "Posterior");
    tbl_cell(&t, "In set");
    for (int k = 0; k < n; k++) {
        int i = ord[k].i;
        tbl_cell(&t, "%d", i);
        for (int j = 0; j < K; j++)
            tbl_cell(&t, "%g", c->value[(size_t)i * (size_t)K + (size_t)j]);
        if (c->likelihood_se)
            tbl_cell(&t, "%.4g ± %.2g", exp(c->log_likelihood[i]), c->likelihood_se[i]);
        else
            tbl_cell(&t, "%.6g", c->log_likelihood[i]);
        tbl_cell(&t, "%.4f", c->posterior[i]);
        tbl_cell(&t, "%s", c->credible[i] ? "yes" : "no");
    }
    tbl_print(o, &t);
    free(ord);
}

static void predictive_section(const out *o, const calib_src *s)
{
    const scenmc_calibration *c = &s->c;
    int S = c->n_scenarios;
    if (S + 1 > 16)
        return;
    heading(o, 2, "Posterior-predictive scenario probabilities");
    para(o, "Per year, the posterior mixture over the points of P(scenario at year | %s, parameters).",
         c->method == SCENMC_EXACT ? "the observations up to that year" : "all observations");
    tbl t = {.ncol = S + 1};
    memset(t.align, 'r', sizeof t.align);
    tbl_cell(&t, "Year");
    for (int a = 0; a < S; a++)
        tbl_cell(&t, "%s", scenario_name(s->m, a));
    for (int y = 0; y < c->n_years; y++) {
        tbl_cell(&t, "%d", s->base.year_start + y);
        for (int a = 0; a < S; a++)
            tbl_cell(&t, "%.4f", c->predictive[(size_t)y * (size_t)S + (size_t)a]);
    }
    tbl_print(o, &t);
}

int report_calibrate(const out *o, const char *file, int top)
{
    if (o->json)
        return cli_usage_error("report", "--json reads the files of run, exact and ensembles; "
                               "'scenmc export' or h5py read this calibration file's /calibrate");
    calib_src s = {.file = file};
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_status st = scenmc_calibration_read(file, &s.m, &s.base, &s.obs, &s.c, &s.info, &err);
    if (st != SCENMC_OK) {
        cli_print_error("report", &err);
        return cli_exit_code(st);
    }
    if (o->md)
        fprintf(o->f, "# %s: calibration\n\n", s.m->name);
    else
        heading(o, 1, "%s: calibration", s.m->name);
    para(o, "A report on the calibration file %s%s%s. Model %s (SHA-256 %s), scenmc %s, created %s; "
            "command line: %s%s%s.", o->md ? "`" : "", file, o->md ? "`" : "", s.info.model_path,
         s.info.sha256, s.info.engine_version, s.info.created, o->md ? "`" : "", s.info.command_line,
         o->md ? "`" : "");
    observations_section(o, &s);
    parameters_section(o, &s.c);
    points_section(o, &s.c, top);
    predictive_section(o, &s);
    scenmc_calibration_free(&s.c);
    scenmc_observations_free(&s.obs);
    scenmc_params_free(&s.base);
    scenmc_results_info_free(&s.info);
    scenmc_model_free(s.m);
    if (fflush(o->f) != 0 || ferror(o->f)) {
        perror("scenmc report: writing the report");
        return 1;
    }
    return 0;
}
