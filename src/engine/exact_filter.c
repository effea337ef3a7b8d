/* Forward filtering (docs/signposts.md, section 2):
 *     alpha_0 = start .* L_0,   alpha_y = (alpha_{y-1} Year) .* L_y,
 * each normalised to a distribution; the normalisers z_y = P(observations
 * of year y | those before) multiply to the probability of all of them. */
#include "engine/exact_filter.h"
#include "base/util.h"
#include "model/params.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

double **scenmc__chain_likelihood(const scenmc__chain *c, const scenmc_observations *o, int year_start, int Y)
{
    double **L = scenmc__xcalloc((size_t)Y, sizeof(double *));
    int *s = scenmc__xcalloc((size_t)c->D, sizeof(int));
    for (int y = 0; y < Y; y++) {
        int any = 0;
        for (int i = 0; o && i < o->n; i++)
            any |= o->obs[i].year == year_start + y;
        if (!any)
            continue;
        L[y] = scenmc__xmalloc(sizeof(double) * c->n);
        memset(s, 0, sizeof(int) * (size_t)c->D);
        for (uint64_t x = 0; x < c->n; x++) { /* x in order: s steps by the odometer */
            L[y][x] = scenmc_observations_likelihood(o, year_start + y, s);
            scenmc__chain_odometer(c, s);
        }
    }
    free(s);
    return L;
}

void scenmc__chain_likelihood_free(double **L, int Y)
{
    for (int y = 0; L && y < Y; y++)
        free(L[y]);
    free(L);
}

/* v .* L (when L), normalised; the log of the normaliser, -INFINITY for 0. */
static double weigh(double *v, const double *L, uint64_t n)
{
    double z = 0;
    for (uint64_t x = 0; x < n; x++)
        z += L ? (v[x] *= L[x]) : v[x];
    if (!(z > 0))
        return -INFINITY;
    double inv = 1 / z;
    for (uint64_t x = 0; x < n; x++)
        v[x] *= inv;
    return log(z);
}

static void scenario_sums(const double *v, const int *scen, uint64_t n, int S, double *out)
{
    memset(out, 0, sizeof(double) * (size_t)S);
    for (uint64_t x = 0; x < n; x++)
        out[scen[x]] += v[x];
}

int scenmc__chain_filter(scenmc__chain *c, const scenmc_params *p, int Y, double *const *L, int *scen, double **pt,
                         double *log_norm, int S, double *scen_prob)
{
    const scenmc__kernel_base *k = c->k;
    int *s = scenmc__xcalloc((size_t)c->D, sizeof(int));
    for (uint64_t x = 0; x < c->n; x++) {
        long si = 0;
        for (int d = 0; d < c->D; d++)
            si += (long)k->scen_stride[d] * s[d];
        scen[x] = k->scen_table[si];
        pt[0][x] = scenmc__chain_start(c, p, s);
        scenmc__chain_odometer(c, s);
    }
    free(s);
    for (int y = 0; y < Y; y++) {
        if (y > 0) {
            if (pt[y] != pt[y - 1])
                memcpy(pt[y], pt[y - 1], sizeof(double) * c->n);
            scenmc__chain_use_year(c, p, y - 1);
            scenmc__chain_apply_year(c, pt[y], 1, 0);
        }
        scenmc__chain_hold_starts(c, pt[y], 1, y, 0); /* before the year's observations */
        log_norm[y] = weigh(pt[y], L[y], c->n);
        if (log_norm[y] == -INFINITY)
            return y;
        if (scen_prob)
            scenario_sums(pt[y], scen, c->n, S, scen_prob + (size_t)y * (size_t)S);
    }
    return -1;
}

scenmc_status scenmc_exact_filter(const scenmc_model *m, const scenmc_params *p, const scenmc_observations *o,
                                  int threads, double *log_evidence, double *scenario_prob, scenmc_error *err)
{
    scenmc_status st = scenmc__params_check_scheduled(p, err);
    if (st == SCENMC_OK && o)
        st = scenmc_observations_check(o, p, err);
    double need;
    uint64_t n = st == SCENMC_OK ? scenmc__exact_states(m, p, &need, err) : 0;
    if (!n)
        return st != SCENMC_OK ? st : SCENMC_E_LIMIT;
    scenmc_results shape;
    if ((st = scenmc_results_init(&shape, m, p, SCENMC_EXACT, err)) != SCENMC_OK)
        return st;
    scenmc__kernel_base k;
    st = scenmc__kernel_base_init(&k, m, p, &shape, err);
    const int Y = shape.n_years, S = shape.n_scenarios;
    scenmc_results_free(&shape);
    if (st != SCENMC_OK)
        return st;
    scenmc__chain c = {.k = &k, .n = n, .D = m->n_descriptors, .V = m->n_variants};
    c.threads = threads > 0 ? threads : omp_get_max_threads();
    c.stride = k.state_stride;
    scenmc__chain_poisson(&c, k.lambda);
    c.T = malloc(sizeof(double) * n * (uint64_t)c.V);
    c.work[0] = malloc(sizeof(double) * n);
    c.work[1] = malloc(sizeof(double) * n);
    double *v = malloc(sizeof(double) * n), *log_norm = scenmc__xcalloc((size_t)Y, sizeof(double));
    int *scen = malloc(sizeof(int) * n);
    double **pt = scenmc__xcalloc((size_t)Y, sizeof(double *));
    if (!c.T || !c.work[0] || !c.work[1] || !v || !scen) {
        st = scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for forward filtering");
    } else {
        for (int y = 0; y < Y; y++)
            pt[y] = v; /* one buffer, overwritten year by year */
        double **L = scenmc__chain_likelihood(&c, o, p->year_start, Y);
        scenmc__chain_build_transitions(&c, p);
        scenmc__chain_schedule(&c, m, p);
        int bad = scenmc__chain_filter(&c, p, Y, L, scen, pt, log_norm, S, scenario_prob);
        scenmc__chain_likelihood_free(L, Y);
        *log_evidence = 0;
        for (int y = 0; y < Y; y++)
            *log_evidence += bad >= 0 && y >= bad ? 0 : log_norm[y];
        if (bad >= 0) { /* impossible observations: a valid answer (probability 0), no forecast */
            *log_evidence = -INFINITY;
            for (size_t i = (size_t)bad * (size_t)S; scenario_prob && i < (size_t)Y * (size_t)S; i++)
                scenario_prob[i] = NAN;
        }
    }
    free(c.T);
    free(c.work[0]);
    free(c.work[1]);
    free(c.pois);
    free(v);
    free(log_norm);
    free(scen);
    free(pt);
    scenmc__kernel_base_free(&k);
    return st;
}
