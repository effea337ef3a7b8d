/* The tests' independent reference (testref.h): docs/model.md written down
 * again, dense, for small models. It must not call scenmc's engines: only
 * the public structs are read (and scenmc_model_scenario_of, the scenarios'
 * definition, in testref_scenarios). */
#include "testref.h"
#include "testutil.h"
#include "scenmc/observe.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void testref_chain_from_model(testref_chain *c, const scenmc_model *m, const scenmc_params *p)
{
    memset(c, 0, sizeof *c);
    assert_true(m->n_descriptors <= TESTREF_MAX_D && m->n_variants <= TESTREF_MAX_V);
    c->D = m->n_descriptors;
    c->V = m->n_variants;
    for (int d = 0; d < c->D; d++) {
        c->nvar[d] = m->descriptors[d].n_variants;
        c->off[d] = m->descriptors[d].offset;
        c->rate[d] = p->rate[d];
    }
    c->C = m->consistency;
    c->X = m->cross_impact;
    c->bias = m->bias;
    c->beta = p->beta;
    c->w_c = p->w_consistency;
    c->w_x = p->w_cross;
}

int testref_states(const testref_chain *c)
{
    int n = 1;
    for (int d = 0; d < c->D; d++)
        n *= c->nvar[d];
    return n;
}

void testref_decode(const testref_chain *c, int x, int *s)
{
    for (int d = c->D - 1; d >= 0; d--) {
        s[d] = x % c->nvar[d];
        x /= c->nvar[d];
    }
}

int testref_encode(const testref_chain *c, const int *s)
{
    int x = 0;
    for (int d = 0; d < c->D; d++)
        x = x * c->nvar[d] + s[d];
    return x;
}

void testref_heat_bath(const testref_chain *c, const int *s, int i, const double *extra_bias, double *prob)
{
    size_t V = (size_t)c->V;
    double z = 0;
    for (int b = 0; b < c->nvar[i]; b++) {
        size_t dst = (size_t)(c->off[i] + b);
        double B = 0;
        if (c->bias)
            B += c->bias[dst];
        if (extra_bias)
            B += extra_bias[dst];
        for (int j = 0; j < c->D; j++) {
            size_t src = (size_t)(c->off[j] + s[j]);
            if (j != i && c->C)
                B += c->w_c * c->C[src * V + dst];
            if (c->X)
                B += c->w_x * c->X[src * V + dst]; /* j == i: a self-impact */
        }
        z += (prob[b] = exp(c->beta * B));
    }
    for (int b = 0; b < c->nvar[i]; b++)
        prob[b] /= z;
}

/* Q[x][x'] += q and Q[x][x] -= q for every move, the stay (x' = x) included. */
gsl_matrix *testref_generator(const testref_chain *c, const testref_year *chg)
{
    int n = testref_states(c), s[TESTREF_MAX_D], t[TESTREF_MAX_D];
    double prob[TESTREF_MAX_V];
    gsl_matrix *Q = gsl_matrix_calloc((size_t)n, (size_t)n);
    for (int x = 0; x < n; x++) {
        testref_decode(c, x, s);
        for (int i = 0; i < c->D; i++) {
            int held = chg && chg->held ? chg->held[i] : -1;
            testref_heat_bath(c, s, i, chg ? chg->bias : NULL, prob);
            for (int b = 0; b < c->nvar[i]; b++) {
                double q = held >= 0 ? 0 : c->rate[i] * prob[b];
                if (chg && chg->shock && held < 0)
                    q += chg->shock[c->off[i] + b];
                memcpy(t, s, sizeof(int) * (size_t)c->D);
                t[i] = b;
                int y = testref_encode(c, t);
                *gsl_matrix_ptr(Q, (size_t)x, (size_t)y) += q;
                *gsl_matrix_ptr(Q, (size_t)x, (size_t)x) -= q;
            }
        }
    }
    return Q;
}

gsl_matrix *testref_year_matrix(const testref_chain *c, const testref_year *chg)
{
    gsl_matrix *Q = testref_generator(c, chg);
    gsl_matrix *E = gsl_matrix_alloc(Q->size1, Q->size2);
    assert_int_equal(gsl_linalg_exponential_ss(Q, E, GSL_PREC_DOUBLE), 0);
    gsl_matrix_free(Q);
    return E;
}

void testref_initial(const testref_chain *c, const double *initial, const int *start, double *p0)
{
    int n = testref_states(c), s[TESTREF_MAX_D];
    for (int x = 0; x < n; x++) {
        testref_decode(c, x, s);
        p0[x] = 1;
        for (int d = 0; d < c->D; d++)
            p0[x] *= start ? (start[d] == s[d]) : initial[c->off[d] + s[d]];
    }
}

void testref_scenarios(const testref_chain *c, const scenmc_model *m, int *scen)
{
    int n = testref_states(c), s[TESTREF_MAX_D];
    for (int x = 0; x < n; x++) {
        testref_decode(c, x, s);
        scen[x] = scenmc_model_scenario_of(m, s);
    }
}

void testref_likelihoods(const testref_chain *c, const scenmc_observations *o, int year_start, int Y, double *lik)
{
    int n = testref_states(c), s[TESTREF_MAX_D];
    for (int y = 0; y < Y; y++)
        for (int x = 0; x < n; x++) {
            testref_decode(c, x, s);
            double l = 1;
            for (int i = 0; o && i < o->n; i++)
                if (o->obs[i].year == year_start + y)
                    l *= o->obs[i].likelihood[s[o->obs[i].descriptor]];
            lik[(size_t)y * (size_t)n + (size_t)x] = l;
        }
}

double testref_filter(int n, int Y, const gsl_matrix *E, const double *p0, const double *lik, const int *scen,
                      int S, double *scen_prob)
{
    double *a = calloc((size_t)n, sizeof(double)), *b = calloc((size_t)n, sizeof(double));
    double loglik = 0;
    for (int y = 0; y < Y; y++) {
        for (int x = 0; x < n; x++) {
            double v = 0;
            if (y == 0)
                v = p0[x];
            else
                for (int z = 0; z < n; z++)
                    v += a[z] * gsl_matrix_get(E, (size_t)z, (size_t)x);
            b[x] = v * lik[(size_t)y * (size_t)n + (size_t)x];
        }
        double c = 0;
        for (int x = 0; x < n; x++)
            c += b[x];
        loglik += log(c);
        for (int k = 0; k < S && scen_prob; k++)
            scen_prob[y * S + k] = 0;
        for (int x = 0; x < n; x++) {
            a[x] = c > 0 ? b[x] / c : 0;
            if (scen_prob)
                scen_prob[y * S + scen[x]] += a[x];
        }
        if (!(c > 0))
            break;
    }
    free(a);
    free(b);
    return loglik;
}

double testref_forward_backward(int n, int Y, const gsl_matrix *E, const double *p0, const double *lik,
                                double *post)
{
    size_t N = (size_t)n;
    double *alpha = malloc(sizeof(double) * (size_t)Y * N), *beta = malloc(sizeof(double) * (size_t)Y * N);
    for (size_t x = 0; x < N; x++)
        alpha[x] = p0[x] * lik[x];
    for (size_t y = 1; y < (size_t)Y; y++)
        for (size_t t = 0; t < N; t++) {
            double a = 0;
            for (size_t x = 0; x < N; x++)
                a += alpha[(y - 1) * N + x] * gsl_matrix_get(E, x, t);
            alpha[y * N + t] = a * lik[y * N + t];
        }
    for (size_t x = 0; x < N; x++)
        beta[(size_t)(Y - 1) * N + x] = 1;
    for (int y = Y - 2; y >= 0; y--)
        for (size_t x = 0; x < N; x++) {
            double b = 0;
            for (size_t t = 0; t < N; t++)
                b += gsl_matrix_get(E, x, t) * lik[(size_t)(y + 1) * N + t] * beta[(size_t)(y + 1) * N + t];
            beta[(size_t)y * N + x] = b;
        }
    double Z = 0;
    for (size_t x = 0; x < N; x++)
        Z += alpha[(size_t)(Y - 1) * N + x];
    for (size_t i = 0; i < (size_t)Y * N; i++)
        post[i] = alpha[i] * beta[i];
    free(alpha);
    free(beta);
    return Z;
}

/* ---------------------------------------------------------------- paths */

typedef struct paths_walk {
    testref_paths *t;
    const testref_chain *c;
    const double *p0, *const *K, *lik;
    const int *scen;
    int *st; /* [n*D] decoded states */
    int path[64];
} paths_walk;

static void paths_leaf(paths_walk *pw, double w)
{
    testref_paths *t = pw->t;
    const int *x = pw->path, *scen = pw->scen;
    int Y = t->Y, S = t->S, V = t->V, D = pw->c->D;
    int fin = scen[x[Y - 1]], L = Y - 1;
    while (L > 0 && scen[x[L - 1]] == fin)
        L--;
    t->total += w;
    t->lock[L * S + fin] += w;
    t->fin[x[Y - 1]] += w;
    for (int y = 0; y < Y; y++) {
        int a = scen[x[y]];
        t->sc[y * S + a] += w;
        if (y < Y - 1)
            t->tr[(y * S + a) * S + scen[x[y + 1]]] += w;
        const int *s = pw->st + (size_t)x[y] * (size_t)D;
        for (int d = 0; d < D; d++) {
            int u = pw->c->off[d] + s[d];
            t->va[y * V + u] += w;
            t->sv[(y * S + a) * V + u] += w;
            t->ew[(y * V + u) * S + fin] += w;
        }
    }
    if (t->leaf)
        t->leaf(x, w, t->ctx);
}

/* Depth-first in lexicographic order (x_0 slowest), the weight a running product. */
static void paths_walk_from(paths_walk *pw, int y, double w)
{
    testref_paths *t = pw->t;
    if (y == t->Y) {
        paths_leaf(pw, w);
        return;
    }
    for (int x = 0; x < t->n; x++) {
        double wx = y == 0 ? pw->p0[x] : w * pw->K[y][(size_t)pw->path[y - 1] * (size_t)t->n + (size_t)x];
        if (pw->lik)
            wx *= pw->lik[(size_t)y * (size_t)t->n + (size_t)x];
        if (wx == 0)
            continue;
        pw->path[y] = x;
        paths_walk_from(pw, y + 1, wx);
    }
}

void testref_paths_run(testref_paths *t, const testref_chain *c, int Y, const double *p0, const double *const *K,
                       const double *lik, const int *scen, int S)
{
    int n = testref_states(c), V = c->V;
    assert_true(Y >= 1 && Y <= 64);
    t->n = n, t->Y = Y, t->S = S, t->V = V;
    t->total = 0;
    t->sc = calloc((size_t)(Y * S), sizeof(double));
    t->lock = calloc((size_t)(Y * S), sizeof(double));
    t->tr = calloc((size_t)(Y * S * S), sizeof(double));
    t->va = calloc((size_t)(Y * V), sizeof(double));
    t->sv = calloc((size_t)(Y * S * V), sizeof(double));
    t->ew = calloc((size_t)(Y * V * S), sizeof(double));
    t->fin = calloc((size_t)n, sizeof(double));
    paths_walk pw = {.t = t, .c = c, .p0 = p0, .K = K, .lik = lik, .scen = scen};
    pw.st = malloc(sizeof(int) * (size_t)n * (size_t)c->D);
    for (int x = 0; x < n; x++)
        testref_decode(c, x, pw.st + (size_t)x * (size_t)c->D);
    paths_walk_from(&pw, 0, 1);
    free(pw.st);
}

void testref_paths_free(testref_paths *t)
{
    free(t->sc);
    free(t->lock);
    free(t->tr);
    free(t->va);
    free(t->sv);
    free(t->ew);
    free(t->fin);
    t->sc = t->lock = t->tr = t->va = t->sv = t->ew = t->fin = NULL;
}

/* ---------------------------------------------------------------- chi-square */

double testref_chi2_pvalue(const double *obs, const double *prob, size_t n, double total)
{
    double chi = 0, pool_o = 0, pool_e = 0;
    int cells = 0;
    for (size_t i = 0; i < n; i++) {
        double e = prob[i] * total, o = obs[i];
        if (e < 5) {
            pool_o += o;
            pool_e += e;
            continue;
        }
        chi += (o - e) * (o - e) / e;
        cells++;
    }
    if (pool_e >= 1e-12) {
        chi += (pool_o - pool_e) * (pool_o - pool_e) / fmax(pool_e, 1e-12);
        cells++;
    } else if (pool_o > 0) {
        return 0; /* counts where the probability is zero */
    }
    if (cells < 2)
        return 1;
    return gsl_cdf_chisq_Q(chi, cells - 1);
}

double testref_chi2_pvalue_counts(const uint64_t *obs, const double *prob, size_t n, uint64_t total)
{
    double *o = malloc(sizeof(double) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        o[i] = (double)obs[i];
    double pv = testref_chi2_pvalue(o, prob, n, (double)total);
    free(o);
    return pv;
}
