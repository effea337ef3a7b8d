/* Calibration (docs/signposts.md, section 5): the likelihood of the
 * observations at every point of a design, then the posterior over the
 * points.
 *
 * Exact: the forward filter (scenmc_exact_filter) gives log P(observations |
 * theta) and P(scenario at y | observations up to y); points that share their
 * transition weights (they differ only in the global rate) are filtered
 * together, T read once for all of them (scenmc__exact_filter_points).
 * Monte Carlo: scenmc_run weighted by the observations' likelihood, the same
 * seed at every point (common random numbers: trajectory k draws the same
 * random numbers at every point, so the likelihood surface is smooth). */
#include "engine/calibrate.h"
#include "engine/exact_chain.h"
#include "engine/exact_filter.h"
#include "base/util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

void scenmc_calibration_alloc(scenmc_calibration *c, int P, int K, int Y, int S, int mc)
{
    memset(c, 0, sizeof *c);
    size_t p = (size_t)(P > 0 ? P : 1), k = (size_t)(K > 0 ? K : 1);
    c->n_points = P, c->n_params = K, c->n_years = Y, c->n_scenarios = S;
    c->method = mc ? SCENMC_MONTE_CARLO : SCENMC_EXACT;
    c->level = 0.95;
    c->param_name = scenmc__xcalloc(k, sizeof(char *));
    c->log_uniform = scenmc__xcalloc(k, sizeof(int));
    c->value = scenmc__xcalloc(p * k, sizeof(double));
    c->log_likelihood = scenmc__xcalloc(p, sizeof(double));
    if (mc) {
        c->likelihood_se = scenmc__xcalloc(p, sizeof(double));
        c->effective_size = scenmc__xcalloc(p, sizeof(double));
    }
    c->log_prior = scenmc__xcalloc(p, sizeof(double));
    c->posterior = scenmc__xcalloc(p, sizeof(double));
    c->credible = scenmc__xcalloc(p, 1);
    c->post_mean = scenmc__xcalloc(k, sizeof(double));
    c->post_sd = scenmc__xcalloc(k, sizeof(double));
    size_t ys = (size_t)(Y > 0 ? Y : 1) * (size_t)(S > 0 ? S : 1);
    c->point_scenario = scenmc__xcalloc(p * ys, sizeof(double));
    c->predictive = scenmc__xcalloc(ys, sizeof(double));
}

void scenmc_calibration_free(scenmc_calibration *c)
{
    if (!c)
        return;
    for (int j = 0; c->param_name && j < c->n_params; j++)
        free(c->param_name[j]);
    free(c->param_name);
    free(c->log_uniform);
    free(c->value);
    free(c->log_likelihood);
    free(c->likelihood_se);
    free(c->effective_size);
    free(c->log_prior);
    free(c->posterior);
    free(c->credible);
    free(c->post_mean);
    free(c->post_sd);
    free(c->point_scenario);
    free(c->predictive);
    memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- posterior */

/* The prior mass of each point, as logs summing (in exp) to 1: every point of
 * a grid or Latin hypercube stands for the same share of the design box, so
 * the uniform prior gives each the same mass and a log-uniform one (density
 * 1/x) a mass proportional to 1/x at the point. */
static scenmc_status prior_masses(scenmc_calibration *c, scenmc_error *err)
{
    int P = c->n_points, K = c->n_params;
    double top = -INFINITY;
    for (int i = 0; i < P; i++) {
        double lp = 0;
        for (int j = 0; j < K; j++) {
            if (!c->log_uniform[j])
                continue;
            double x = c->value[(size_t)i * (size_t)K + (size_t)j];
            if (!(x > 0))
                return scenmc_error_add(err, SCENMC_E_INPUT, "--param %s: value %g at point %d; a "
                                        "log-uniform prior needs values > 0", c->param_name[j]
                                        ? c->param_name[j] : "?", x, i + 1);
            lp -= log(x);
        }
        c->log_prior[i] = lp;
        top = fmax(top, lp);
    }
    double sum = 0;
    for (int i = 0; i < P; i++)
        sum += exp(c->log_prior[i] - top);
    for (int i = 0; i < P; i++)
        c->log_prior[i] -= top + log(sum);
    return SCENMC_OK;
}

typedef struct ranked {
    double w;
    int i;
} ranked;
static int by_posterior_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return x->w > y->w ? -1 : x->w < y->w ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* The highest-posterior set: the points of largest posterior mass, taken
 * until their mass reaches the level; points tied with the last one taken
 * are taken too, so the set does not depend on the order of the design. */
static void credible_set(scenmc_calibration *c)
{
    int P = c->n_points;
    ranked *order = scenmc__xcalloc((size_t)P, sizeof *order);
    for (int i = 0; i < P; i++)
        order[i] = (ranked){c->posterior[i], i};
    qsort(order, (size_t)P, sizeof *order, by_posterior_desc);
    double mass = 0, last = INFINITY;
    c->n_credible = 0;
    for (int i = 0; i < P; i++)
        c->credible[i] = 0;
    for (int k = 0; k < P; k++) {
        double w = order[k].w;
        if (mass >= c->level && w < last)
            break;
        if (w <= 0)
            break;
        c->credible[order[k].i] = 1;
        c->n_credible++;
        mass += w;
        last = w;
    }
    c->credible_mass = fmin(mass, 1.0);
    free(order);
}

scenmc_status scenmc_calibration_posterior(scenmc_calibration *c, scenmc_error *err)
{
    int P = c->n_points, K = c->n_params;
    if (!(c->level > 0 && c->level < 1))
        c->level = 0.95;
    scenmc_status st = prior_masses(c, err);
    if (st != SCENMC_OK)
        return st;
    double top = -INFINITY;
    for (int i = 0; i < P; i++)
        top = fmax(top, c->log_prior[i] + c->log_likelihood[i]);
    if (!isfinite(top))
        return scenmc_error_add(err, SCENMC_E_INPUT, "the observations have probability 0 at every "
                                "one of the %d design points; expected a design where some point "
                                "makes them possible", P);
    double sum = 0;
    for (int i = 0; i < P; i++)
        sum += c->posterior[i] = exp(c->log_prior[i] + c->log_likelihood[i] - top);
    for (int i = 0; i < P; i++)
        c->posterior[i] /= sum;
    c->log_marginal = top + log(sum);
    for (int j = 0; j < K; j++) {
        double m1 = 0, m2 = 0;
        for (int i = 0; i < P; i++)
            m1 += c->posterior[i] * c->value[(size_t)i * (size_t)K + (size_t)j];
        for (int i = 0; i < P; i++) {
            double d = c->value[(size_t)i * (size_t)K + (size_t)j] - m1;
            m2 += c->posterior[i] * d * d;
        }
        c->post_mean[j] = m1;
        c->post_sd[j] = sqrt(m2);
    }
    size_t YS = (size_t)c->n_years * (size_t)c->n_scenarios;
    memset(c->predictive, 0, YS * sizeof(double));
    for (int i = 0; i < P; i++)
        if (c->posterior[i] > 0)
            for (size_t k = 0; k < YS; k++)
                c->predictive[k] += c->posterior[i] * c->point_scenario[(size_t)i * YS + k];
    credible_set(c);
    return SCENMC_OK;
}

void scenmc_calibration_credible_range(const scenmc_calibration *c, int j, double *lo, double *hi)
{
    size_t K = (size_t)c->n_params;
    *lo = NAN, *hi = NAN;
    for (int i = 0; i < c->n_points; i++) {
        double x = c->value[(size_t)i * K + (size_t)j];
        if (c->credible[i]) {
            *lo = isnan(*lo) ? x : fmin(*lo, x);
            *hi = isnan(*hi) ? x : fmax(*hi, x);
        }
    }
}

/* ---------------------------------------------------------------- likelihoods */

/* One point by Monte Carlo: scenmc_run conditioned on o. */
static scenmc_status point_mc(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                              int threads, scenmc_calibration *c, int i, scenmc_error *err)
{
    scenmc_run_options ro = {.threads = threads, .given = o};
    scenmc_results r;
    scenmc_status st = scenmc_run(m, p, &ro, &r, err);
    if (st != SCENMC_OK)
        return st;
    if (!r.conditioned && o->n > 0) {
        scenmc_results_free(&r);
        return scenmc_error_add(err, SCENMC_E_LIMIT, "this build's Monte Carlo engine does not "
                                "condition on observations; expected scenmc_run with given");
    }
    size_t YS = (size_t)c->n_years * (size_t)c->n_scenarios;
    c->log_likelihood[i] = r.conditioned ? r.log_evidence : 0;
    c->likelihood_se[i] = r.conditioned ? r.evidence_se : 0;
    c->effective_size[i] = r.conditioned ? r.effective_size : (double)r.n_trajectories;
    /* A point where no trajectory matched has no conditional tables (0/0). */
    const double *prob = r.t[SCENMC_T_SCENARIO].prob;
    for (size_t k = 0; k < YS; k++)
        c->point_scenario[(size_t)i * YS + k] = isfinite(c->log_likelihood[i]) && isfinite(prob[k]) ? prob[k] : 0;
    scenmc_results_free(&r);
    return SCENMC_OK;
}

/* Monte Carlo from point 0 on: asked for, or the model does not fit in memory
 * for the exact filter (and the method is left to scenmc). */
static int use_mc(const scenmc_model *m, const scenmc_params *p, const scenmc_calibrate_options *opt)
{
    if (opt->method == SCENMC_CALIBRATE_MONTE_CARLO)
        return 1;
    if (opt->method == SCENMC_CALIBRATE_EXACT)
        return 0;
    double need;
    scenmc_error e;
    scenmc_error_clear(&e);
    return scenmc__exact_states(m, p, &need, &e) == 0;
}

/* The design and the parameters' names and priors into c. */
static void describe(scenmc_calibration *c, const scenmc_params *base, const scenmc_sweep_param *ps, int K,
                     const double *values, int P, const scenmc_calibrate_options *opt)
{
    for (int j = 0; j < K; j++) {
        c->param_name[j] = scenmc__strdup(ps[j].name);
        c->log_uniform[j] = opt->log_uniform ? opt->log_uniform[j] != 0 : 0;
    }
    memcpy(c->value, values, sizeof(double) * (size_t)P * (size_t)K);
    c->level = opt->level > 0 && opt->level < 1 ? opt->level : 0.95;
    c->n_trajectories = base->n_trajectories;
    c->seed = base->seed;
    c->threads = opt->threads;
}

/* Point i's parameters: base with the point's values, checked. */
static scenmc_status point_params(const scenmc_model *m, const scenmc_params *base, const scenmc_sweep_param *ps,
                                  int K, const double *values, int i, scenmc_params *p, scenmc_error *err)
{
    scenmc_params_copy(p, base);
    scenmc_status st = scenmc_sweep_apply(m, ps, K, values + (size_t)i * (size_t)K, p, err);
    return st == SCENMC_OK ? scenmc_params_check(p, err) : st;
}

typedef struct point_job {
    const scenmc_model *m;
    const scenmc_params *base;
    const scenmc_sweep_param *ps;
    int K, P;
    const double *values;
    const scenmc_observations *o;
    const scenmc_calibrate_options *opt;
    scenmc_calibration *c;
    double t0;
} point_job;

/* The points filtered together: batch b is points member[first[b] ..
 * first[b + 1] - 1], all with the same key (docs/signposts.md, section 5). */
typedef struct batches {
    int n, *first, *member;
} batches;

/* Points with the same key in one group (in the design's order), groups cut
 * into batches of at most cap points; a point without a key alone. */
static void make_batches(scenmc__filter_key *const *key, int P, int cap, batches *b)
{
    int *group = scenmc__xcalloc((size_t)P, sizeof(int)), *leader = scenmc__xcalloc((size_t)P, sizeof(int));
    int G = 0;
    for (int i = 0; i < P; i++) {
        int g = 0;
        while (g < G && !(key[i] && key[leader[g]] && scenmc__filter_key_same(key[leader[g]], key[i])))
            g++;
        if (g == G)
            leader[G++] = i;
        group[i] = g;
    }
    b->first = scenmc__xcalloc((size_t)P + 1, sizeof(int));
    b->member = scenmc__xcalloc((size_t)P, sizeof(int));
    b->n = 0;
    int at = 0;
    for (int g = 0; g < G; g++)
        for (int i = leader[g], in_batch = cap; i < P; i++) {
            if (group[i] != g)
                continue;
            if (in_batch == cap) {
                b->first[b->n++] = at;
                in_batch = 0;
            }
            b->member[at++] = i;
            in_batch++;
        }
    b->first[b->n] = at;
    free(group);
    free(leader);
}

/* At most 32 points in a batch (their vectors are 3 n doubles each), fewer
 * when that leaves threads idle. */
static int batch_cap(int P, int T)
{
    int cap = (P + T - 1) / T;
    return cap < 1 ? 1 : cap > 32 ? 32 : cap;
}

/* Every point's parameters and key (NULL where the point has changes over
 * time or its kernel fails: then it is filtered alone and reports why). */
static scenmc_status point_keys(const point_job *j, scenmc_params *p, scenmc__filter_key **key, scenmc_error *err)
{
    for (int i = 0; i < j->P; i++) {
        scenmc_status st = point_params(j->m, j->base, j->ps, j->K, j->values, i, &p[i], err);
        if (st != SCENMC_OK) {
            for (int k = i + 1; k < j->P; k++)
                scenmc_params_copy(&p[k], j->base);
            return st;
        }
        scenmc_error e;
        scenmc_error_clear(&e);
        key[i] = scenmc__filter_key_new(j->m, &p[i], &e);
    }
    return SCENMC_OK;
}

/* One batch: its points filtered together. */
static scenmc_status exact_batch(const point_job *j, const scenmc_params *p, const batches *b, int bi, int inner,
                                 scenmc_error *err)
{
    int first = b->first[bi], nb = b->first[bi + 1] - first;
    const scenmc_params **pp = scenmc__xcalloc((size_t)nb, sizeof *pp);
    double **sp = scenmc__xcalloc((size_t)nb, sizeof *sp), *le = scenmc__xcalloc((size_t)nb, sizeof *le);
    size_t YS = (size_t)j->c->n_years * (size_t)j->c->n_scenarios;
    for (int q = 0; q < nb; q++) {
        int i = b->member[first + q];
        pp[q] = &p[i];
        sp[q] = j->c->point_scenario + (size_t)i * YS;
    }
    scenmc_status st = scenmc__exact_filter_points(j->m, pp, nb, j->o, inner, le, sp, err);
    for (int q = 0; st == SCENMC_OK && q < nb; q++)
        j->c->log_likelihood[b->member[first + q]] = le[q];
    free(pp);
    free(sp);
    free(le);
    return st;
}

/* Every point exactly, in batches of points that share their transition
 * weights, batches in parallel (each filter on threads / width threads);
 * progress from the first thread only, as scenmc_run does. The first failure
 * is the one reported. */
static scenmc_status exact_points(const point_job *j, scenmc_error *err)
{
    int T = j->opt->threads > 0 ? j->opt->threads : omp_get_max_threads(), P = j->P;
    scenmc_params *p = scenmc__xcalloc((size_t)P, sizeof *p);
    scenmc__filter_key **key = scenmc__xcalloc((size_t)P, sizeof *key);
    scenmc_status st = point_keys(j, p, key, err);
    batches b = {0};
    if (st == SCENMC_OK)
        make_batches(key, P, batch_cap(P, T), &b);
    int width = b.n < T ? b.n : T, inner = width > 0 && T / width > 0 ? T / width : 1;
    int stop = 0, done = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(width > 0 ? width : 1)
    for (int bi = 0; bi < b.n; bi++) {
        int halt;
#pragma omp atomic read
        halt = stop;
        if (halt)
            continue;
        scenmc_error e;
        scenmc_error_clear(&e);
        scenmc_status s = exact_batch(j, p, &b, bi, inner, &e);
        int now;
#pragma omp atomic capture
        now = done += b.first[bi + 1] - b.first[bi];
        if (s == SCENMC_OK && omp_get_thread_num() == 0 && j->opt->progress &&
            j->opt->progress(j->opt->progress_ctx, (uint64_t)now, (uint64_t)P, scenmc__now() - j->t0)) {
            s = SCENMC_E_INTERRUPTED;
            scenmc_error_add(&e, s, "stopped after %d of %d points", now, P);
        }
        if (s != SCENMC_OK) {
#pragma omp critical(calibrate_error)
            if (st == SCENMC_OK) {
                st = s;
                scenmc_error_add(err, s, "%s", e.msg);
            }
#pragma omp atomic write
            stop = 1;
        }
    }
    if (st == SCENMC_OK && j->opt->progress)
        j->opt->progress(j->opt->progress_ctx, (uint64_t)P, (uint64_t)P, scenmc__now() - j->t0);
    for (int i = 0; i < P; i++) {
        scenmc_params_free(&p[i]);
        scenmc__filter_key_free(key[i]);
    }
    free(p);
    free(key);
    free(b.first);
    free(b.member);
    return st;
}

/* Points first .. P - 1 by Monte Carlo, one after the other (each run is
 * parallel over its trajectories). */
static scenmc_status mc_points(const point_job *j, int first, scenmc_error *err)
{
    scenmc_status st = SCENMC_OK;
    for (int i = first; i < j->P && st == SCENMC_OK; i++) {
        scenmc_params p;
        st = point_params(j->m, j->base, j->ps, j->K, j->values, i, &p, err);
        if (st == SCENMC_OK)
            st = point_mc(j->m, &p, j->o, j->opt->threads, j->c, i, err);
        scenmc_params_free(&p);
        if (st == SCENMC_OK && j->opt->progress &&
            j->opt->progress(j->opt->progress_ctx, (uint64_t)(i + 1), (uint64_t)j->P, scenmc__now() - j->t0))
            st = scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %d of %d points", i + 1, j->P);
    }
    return st;
}

/* Every point's likelihood: exactly where the model fits, else (or when
 * asked) by Monte Carlo. */
static scenmc_status all_points(const point_job *j, scenmc_error *err)
{
    scenmc_params p;
    scenmc_status st = point_params(j->m, j->base, j->ps, j->K, j->values, 0, &p, err);
    int mc = st == SCENMC_OK && use_mc(j->m, &p, j->opt);
    if (st == SCENMC_OK && !mc) {
        scenmc_params_free(&p);
        return exact_points(j, err);
    }
    if (st == SCENMC_OK) {
        j->c->method = SCENMC_MONTE_CARLO;
        if (!j->c->likelihood_se) {
            j->c->likelihood_se = scenmc__xcalloc((size_t)j->P, sizeof(double));
            j->c->effective_size = scenmc__xcalloc((size_t)j->P, sizeof(double));
        }
        st = point_mc(j->m, &p, j->o, j->opt->threads, j->c, 0, err);
    }
    scenmc_params_free(&p);
    if (st == SCENMC_OK && j->opt->progress &&
        j->opt->progress(j->opt->progress_ctx, 1, (uint64_t)j->P, scenmc__now() - j->t0))
        st = scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after 1 of %d points", j->P);
    if (st != SCENMC_OK || j->P == 1)
        return st;
    return mc_points(j, 1, err);
}

scenmc_status scenmc_calibrate(const scenmc_model *m, const scenmc_params *base, const scenmc_sweep_param *ps,
                               int K, const double *values, int P, const scenmc_observations *o,
                               const scenmc_calibrate_options *opt, scenmc_calibration *out,
                               scenmc_error *err)
{
    static const scenmc_calibrate_options defaults = {0};
    if (!opt)
        opt = &defaults;
    memset(out, 0, sizeof *out);
    if (K < 1 || P < 1)
        return scenmc_error_add(err, SCENMC_E_INPUT, "a calibration needs at least one parameter and "
                                "one design point");
    if (!o || o->n == 0)
        return scenmc_error_add(err, SCENMC_E_INPUT, "a calibration needs observations; expected "
                                "--given or --observations");
    double t0 = scenmc__now();
    int Y = base->year_end - base->year_start + 1;
    int S = m->n_scenarios + (scenmc_model_has_unclassified(m) ? 1 : 0);
    scenmc_calibration c;
    scenmc_calibration_alloc(&c, P, K, Y, S, opt->method == SCENMC_CALIBRATE_MONTE_CARLO);
    describe(&c, base, ps, K, values, P, opt);
    point_job job = {.m = m, .base = base, .ps = ps, .K = K, .P = P, .values = values, .o = o, .opt = opt,
                     .c = &c, .t0 = t0};
    scenmc_status st = all_points(&job, err);
    if (st == SCENMC_OK)
        st = scenmc_calibration_posterior(&c, err);
    if (st != SCENMC_OK) {
        scenmc_calibration_free(&c);
        return st;
    }
    c.wall_seconds = scenmc__now() - t0;
    *out = c;
    return SCENMC_OK;
}
