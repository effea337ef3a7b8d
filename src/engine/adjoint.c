/* Exact derivatives of P(scenario, year), P(variant, year) and
 * P(variant | scenario, year) with respect to every parameter of
 * scenmc_dparams_list, by reverse-mode differentiation of the exact solver's
 * uniformization series (docs/sensitivity.md, "Exact method").
 *
 * An output is L = <p_0 A^y, f> for an indicator f over states. The chain is
 * the same every year, so with g_j = A^j f (backward) and p_k = p_0 A^k
 * (forward), dL = sum over k + j = y - 1 of <p_k, dA g_j>. One year's
 * A g = sum_t r_t M^t g is evaluated by Horner, h_(K-1) = r_(K-1) g,
 * h_a = r_a g + M h_(a+1), and its adjoint is
 *     d<p, A g> = sum_(a<K-1) <p M^a, dM h_(a+1)> + sum_t dr_t <p M^t, g>,
 * so the gradient with respect to the transition weights is
 * dL/dT[x][o_i+b] = sum q_a(x) h_(a+1)(x with descriptor i set to b),
 * q_a = p_k M^a: accumulated over every pair (k, j) and every term first, then
 * mapped to the parameters once per output through
 *     T = (lambda_i/Lambda) P_i(b|x),  dP_i(b|x)/dz_c = P_i(b|x) (1[b=c] - P_i(c|x)),
 *     z_b = beta B_i(b|x) = beta h_b + sum_j W[o_j+x_j][o_i+b].
 * Many outputs are carried at once (interleaved blocks), so T is read once
 * for all of them. Reductions over states run over a fixed partition, so the
 * numbers do not depend on the number of threads. */
#include "engine/adjoint.h"
#include "engine/exact_chain.h"
#include "base/util.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADJ_CHUNKS 32 /* fixed partition of the states for sums over states */
#define ADJ_BLOCK 16  /* most outputs carried at once */

typedef struct adj {
    const scenmc_model *m;
    const scenmc_params *p;
    scenmc__kernel_base k;
    scenmc__chain c;
    uint64_t n;
    int D, V, Y, S, K, nf_max;
    int *scen;          /* [n] scenario of each state */
    double **pt;        /* [Y][n] distribution at each year */
    double *q;          /* [(Y-1) K][n]: (p_k M^a)(x) at q[(k K + a) n + x] */
    double *Cm, *Xm;    /* [V*V] the matrices, overrides applied */
    const scenmc_dparam *par;
    int np;
    int *fun_s, *fun_v; /* [nF] output f: 1[scenario = fun_s] (and 1[fun_v in x] when >= 0) */
    int nF;
    double *g;          /* [(Y-1)][n][nf] g_j = A^j f */
    double *h[2];       /* [n][nf] Horner vectors */
    double *GT;         /* [n][V][nf] dL/dT */
    double *gr;         /* [K][nf] dL/dr_t */
    double *red;        /* [ADJ_CHUNKS][(V*V + V + D) nf] partial sums of the mapping */
    double *grad;       /* [nF][Y][np] the result */
} adj;

/* The outputs: every scenario, then (all tables) the joint indicator of
 * scenario s and variant v for every v but the last of its descriptor (the
 * last follows: the joint probabilities of a descriptor sum to P(s)). */
static void adj_outputs(adj *A, int all_tables)
{
    int n = A->S;
    for (int v = 0; all_tables && v + 1 < A->V; v++)
        n += A->m->variant_descriptor[v] == A->m->variant_descriptor[v + 1] ? A->S : 0;
    A->nF = n;
    A->fun_s = scenmc__xcalloc((size_t)n, sizeof(int));
    A->fun_v = scenmc__xcalloc((size_t)n, sizeof(int));
    int j = 0;
    for (int s = 0; s < A->S; s++, j++) {
        A->fun_s[j] = s;
        A->fun_v[j] = -1;
    }
    for (int v = 0; all_tables && v + 1 < A->V; v++)
        if (A->m->variant_descriptor[v] == A->m->variant_descriptor[v + 1])
            for (int s = 0; s < A->S; s++, j++) {
                A->fun_s[j] = s;
                A->fun_v[j] = v;
            }
}

/* g_0 = f for outputs first .. first + nf - 1, then g_j = A g_(j-1). */
static void adj_backward_vectors(adj *A, int first, int nf)
{
    const size_t len = (size_t)A->n * (size_t)nf;
    int *s = scenmc__xcalloc((size_t)A->D, sizeof(int));
    for (uint64_t x = 0; x < A->n; x++) {
        scenmc__chain_decode(&A->c, x, s);
        for (int j = 0; j < nf; j++) {
            int v = A->fun_v[first + j];
            int in = v < 0 || s[A->m->variant_descriptor[v]] == v - A->k.offset[A->m->variant_descriptor[v]];
            A->g[x * (uint64_t)nf + (uint64_t)j] = A->scen[x] == A->fun_s[first + j] && in;
        }
    }
    free(s);
    for (int j = 1; j < A->Y - 1; j++) {
        memcpy(A->g + (size_t)j * len, A->g + (size_t)(j - 1) * len, sizeof(double) * len);
        scenmc__chain_apply_year(&A->c, A->g + (size_t)j * len, nf, 1);
    }
}

/* One Horner step fused with the gradient: GT[x][o_i+b] += qa(x) hin(nb),
 * and, when hout, hout = r g + M hin (nb: x with descriptor i set to b). */
static void adj_step(adj *A, const double *hin, double *hout, const double *qa, const double *gj, double r,
                     int nf)
{
    const scenmc__kernel_base *k = &A->k;
    const int D = A->D, V = A->V;
    const size_t nv_ = (size_t)nf;
#pragma omp parallel num_threads(A->c.threads)
    {
        int *s = scenmc__xcalloc((size_t)D, sizeof(int));
        double *acc = scenmc__xcalloc(nv_, sizeof(double));
        int have = 0;
#pragma omp for schedule(static)
        for (uint64_t x = 0; x < A->n; x++) {
            if (!have) {
                scenmc__chain_decode(&A->c, x, s);
                have = 1;
            }
            const double qx = qa[x];
            double *G = A->GT + x * (uint64_t)V * nv_;
            for (size_t j = 0; j < nv_; j++)
                acc[j] = r * gj[x * nv_ + j];
            for (int i = 0; i < D; i++) {
                int off = k->offset[i], nv = k->n_var[i];
                uint64_t base = x - (uint64_t)s[i] * A->c.stride[i];
                const double *t = A->c.T + x * (uint64_t)V + off;
                for (int b = 0; b < nv; b++) {
                    const double *src = hin + (base + (uint64_t)b * A->c.stride[i]) * nv_;
                    double *gb = G + (size_t)(off + b) * nv_;
                    if (hout)
                        for (size_t j = 0; j < nv_; j++)
                            acc[j] += t[b] * src[j];
                    if (qx != 0)
                        for (size_t j = 0; j < nv_; j++)
                            gb[j] += qx * src[j];
                }
            }
            if (hout)
                memcpy(hout + x * nv_, acc, sizeof(double) * nv_);
            scenmc__chain_odometer(&A->c, s);
        }
        free(s);
        free(acc);
    }
}

/* gr[t] += <p_k M^t, g_j> for every term t, over the fixed partition. */
static void adj_poisson_terms(adj *A, int k, const double *gj, int nf)
{
    const int K = A->K;
    const size_t nv_ = (size_t)nf;
    double *part = scenmc__xcalloc((size_t)ADJ_CHUNKS * (size_t)K * nv_, sizeof(double));
#pragma omp parallel for schedule(static) num_threads(A->c.threads)
    for (int ch = 0; ch < ADJ_CHUNKS; ch++) {
        uint64_t x0 = A->n * (uint64_t)ch / ADJ_CHUNKS, x1 = A->n * (uint64_t)(ch + 1) / ADJ_CHUNKS;
        for (int t = 0; t < K; t++) {
            const double *qt = A->q + ((size_t)k * (size_t)K + (size_t)t) * A->n;
            double *o = part + ((size_t)ch * (size_t)K + (size_t)t) * nv_;
            for (uint64_t x = x0; x < x1; x++)
                for (size_t j = 0; j < nv_; j++)
                    o[j] += qt[x] * gj[x * nv_ + j];
        }
    }
    for (int ch = 0; ch < ADJ_CHUNKS; ch++)
        for (size_t i = 0; i < (size_t)K * nv_; i++)
            A->gr[i] += part[(size_t)ch * (size_t)K * nv_ + i];
    free(part);
}

/* dL/dT (GT) to dL/dW (gW), dL/dh (gh) and R_i = sum T dL/dT over
 * descriptor i's blocks, summed over the states of chunk ch. */
static void adj_map_chunk(adj *A, int ch, int nf, double *buf)
{
    const int D = A->D, V = A->V;
    const size_t nv_ = (size_t)nf, VV = (size_t)V * (size_t)V;
    double *gW = buf, *gh = buf + VV * nv_, *R = gh + (size_t)V * nv_;
    double *gF = scenmc__xcalloc((size_t)V * nv_, sizeof(double));
    int *s = scenmc__xcalloc((size_t)D, sizeof(int));
    uint64_t x0 = A->n * (uint64_t)ch / ADJ_CHUNKS, x1 = A->n * (uint64_t)(ch + 1) / ADJ_CHUNKS;
    scenmc__chain_decode(&A->c, x0, s);
    for (uint64_t x = x0; x < x1; x++) {
        const double *T = A->c.T + x * (uint64_t)V, *G = A->GT + x * (uint64_t)V * nv_;
        for (int i = 0; i < D; i++) {
            int off = A->k.offset[i], nv = A->k.n_var[i];
            double w = A->p->rate[i] / A->k.lambda;
            for (size_t j = 0; j < nv_; j++) {
                double tg = 0;
                for (int b = 0; b < nv; b++)
                    tg += T[off + b] * G[(size_t)(off + b) * nv_ + j];
                R[(size_t)i * nv_ + j] += tg;
                for (int b = 0; b < nv; b++)
                    gF[(size_t)(off + b) * nv_ + j] = T[off + b] * (G[(size_t)(off + b) * nv_ + j] - tg / w);
            }
        }
        for (size_t e = 0; e < (size_t)V * nv_; e++)
            gh[e] += gF[e];
        for (int l = 0; l < D; l++) {
            double *row = gW + (size_t)(A->k.offset[l] + s[l]) * (size_t)V * nv_;
            for (size_t e = 0; e < (size_t)V * nv_; e++)
                row[e] += gF[e];
        }
        scenmc__chain_odometer(&A->c, s);
    }
    free(gF);
    free(s);
}

/* Output j's gradient with respect to every parameter from the sums. */
static void adj_params(const adj *A, const double *buf, int j, int nf, double *out)
{
    const int V = A->V, D = A->D;
    const size_t nv_ = (size_t)nf, VV = (size_t)V * (size_t)V;
    const double *gW = buf, *gh = buf + VV * nv_, *R = gh + (size_t)V * nv_;
    const scenmc_params *p = A->p;
#define GW(u, v) gW[((size_t)(u) * (size_t)V + (size_t)(v)) * nv_ + (size_t)j]
    double sC = 0, sX = 0, sh = 0, sR = 0, gL = 0;
    for (int u = 0; u < V; u++)
        for (int v = 0; v < V; v++) {
            sC += GW(u, v) * A->Cm[(size_t)u * V + v];
            sX += GW(u, v) * A->Xm[(size_t)u * V + v];
        }
    for (int v = 0; v < V; v++)
        sh += gh[(size_t)v * nv_ + (size_t)j] * (A->m->bias ? A->m->bias[v] : 0);
    for (int i = 0; i < D; i++)
        sR += R[(size_t)i * nv_ + (size_t)j];
    for (int t = 0; t < A->K; t++) /* dr_t/dLambda = r_(t-1) - r_t */
        gL += A->gr[(size_t)t * nv_ + (size_t)j] * ((t ? A->c.pois[t - 1] : 0) - A->c.pois[t]);
    for (int e = 0; e < A->np; e++) {
        const scenmc_dparam *d = &A->par[e];
        double v = 0;
        switch (d->kind) {
        case SCENMC_DP_CONSISTENCY: v = p->beta * p->w_consistency * (GW(d->u, d->v) + GW(d->v, d->u)); break;
        case SCENMC_DP_CROSS: v = p->beta * p->w_cross * GW(d->u, d->v); break;
        case SCENMC_DP_BETA: v = p->w_consistency * sC + p->w_cross * sX + sh; break;
        case SCENMC_DP_W_CONSISTENCY: v = p->beta * sC; break;
        case SCENMC_DP_W_CROSS: v = p->beta * sX; break;
        case SCENMC_DP_RATE: v = R[(size_t)d->u * nv_ + (size_t)j] / p->rate[d->u] - sR / A->k.lambda + gL; break;
        case SCENMC_DP_BIAS: v = p->beta * gh[(size_t)d->u * nv_ + (size_t)j]; break;
        default: break;
        }
        out[e] = v;
    }
#undef GW
}

/* The parameter gradient of outputs first.. at year y from GT and gr. */
static void adj_map(adj *A, int first, int nf, int y)
{
    const size_t per = ((size_t)A->V * (size_t)A->V + (size_t)A->V + (size_t)A->D) * (size_t)nf;
    memset(A->red, 0, sizeof(double) * per * ADJ_CHUNKS);
#pragma omp parallel for schedule(static) num_threads(A->c.threads)
    for (int ch = 0; ch < ADJ_CHUNKS; ch++)
        adj_map_chunk(A, ch, nf, A->red + (size_t)ch * per);
    for (int ch = 1; ch < ADJ_CHUNKS; ch++)
        for (size_t i = 0; i < per; i++)
            A->red[i] += A->red[(size_t)ch * per + i];
    for (int j = 0; j < nf; j++)
        adj_params(A, A->red, j, nf,
                   A->grad + ((size_t)(first + j) * (size_t)A->Y + (size_t)y) * (size_t)A->np);
}

/* dL/dtheta for outputs first .. first + nf - 1 at year y: every pair
 * k + j = y - 1 of forward and backward vectors through one year. */
static void adj_year(adj *A, int first, int nf, int y)
{
    const size_t len = (size_t)A->n * (size_t)nf;
    const int K = A->K;
    memset(A->GT, 0, sizeof(double) * len * (size_t)A->V);
    memset(A->gr, 0, sizeof(double) * (size_t)K * (size_t)nf);
    for (int k = 0; k < y; k++) {
        const double *gj = A->g + (size_t)(y - 1 - k) * len;
        adj_poisson_terms(A, k, gj, nf);
        double *h = A->h[0], *hn = A->h[1];
        for (size_t i = 0; i < len; i++)
            h[i] = A->c.pois[K - 1] * gj[i];
        for (int a = K - 1; a >= 1; a--) {
            const double *qa = A->q + ((size_t)k * (size_t)K + (size_t)(a - 1)) * A->n;
            adj_step(A, h, a > 1 ? hn : NULL, qa, gj, A->c.pois[a - 1], nf);
            double *tmp = h;
            h = hn;
            hn = tmp;
        }
    }
    adj_map(A, first, nf, y);
}

/* Bytes per state that do not depend on the outputs, and per output carried. */
static double adj_fixed_bytes(int V, int Y, int K) { return 8.0 * (V + Y + (double)(Y - 1) * K) + 4.0; }
static double adj_block_bytes(int V, int Y) { return 8.0 * ((Y - 1) + 2 + V + 2); }

static void adj_free(adj *A)
{
    for (int y = 0; A->pt && y < A->Y; y++)
        free(A->pt[y]);
    free(A->pt);
    free(A->scen);
    free(A->q);
    free(A->Cm);
    free(A->Xm);
    free(A->fun_s);
    free(A->fun_v);
    free(A->g);
    free(A->h[0]);
    free(A->h[1]);
    free(A->GT);
    free(A->gr);
    free(A->red);
    free(A->grad);
    free(A->c.T);
    free(A->c.work[0]);
    free(A->c.work[1]);
    free(A->c.pois);
    scenmc__kernel_base_free(&A->k);
}

/* The chain, its memory, the forward distributions and the forward iterates
 * p_k M^a of every year's series. */
static scenmc_status adj_init(adj *A, const scenmc_model *m, const scenmc_params *p, int threads,
                              scenmc_error *err)
{
    double need;
    uint64_t n = scenmc__exact_states(m, p, &need, err);
    if (!n)
        return SCENMC_E_LIMIT;
    scenmc_results shape;
    scenmc_status st = scenmc_results_init(&shape, m, p, SCENMC_EXACT, err);
    if (st != SCENMC_OK)
        return st;
    st = scenmc__kernel_base_init(&A->k, m, p, &shape, err);
    A->S = shape.n_scenarios;
    scenmc_results_free(&shape);
    if (st != SCENMC_OK)
        return st;
    A->m = m;
    A->p = p;
    A->n = n;
    A->D = m->n_descriptors;
    A->V = m->n_variants;
    A->Y = p->year_end - p->year_start + 1;
    A->c = (scenmc__chain){.k = &A->k, .n = n, .D = A->D, .V = A->V, .threads = threads};
    A->c.stride = A->k.state_stride;
    scenmc__chain_poisson(&A->c, A->k.lambda);
    A->K = A->c.n_terms;
    double have = 0.6 * scenmc__physical_memory() - adj_fixed_bytes(A->V, A->Y, A->K) * (double)n;
    double nf = floor(have / (adj_block_bytes(A->V, A->Y) * (double)n));
    A->nf_max = nf > ADJ_BLOCK ? ADJ_BLOCK : (int)fmax(nf, 0);
    if (A->nf_max < 1)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "exact derivatives would need %.3g GiB for %llu states "
                                "(use --method score)", (adj_fixed_bytes(A->V, A->Y, A->K) +
                                adj_block_bytes(A->V, A->Y)) * (double)n / 1073741824.0, (unsigned long long)n);
    size_t N = (size_t)n, nfz = (size_t)A->nf_max, Vz = (size_t)A->V;
    A->pt = scenmc__xcalloc((size_t)A->Y, sizeof(double *));
    int ok = 1;
    for (int y = 0; y < A->Y; y++)
        ok &= (A->pt[y] = malloc(sizeof(double) * N)) != NULL;
    A->scen = malloc(sizeof(int) * N);
    A->q = malloc(sizeof(double) * N * (size_t)(A->Y - 1) * (size_t)A->K + 1);
    A->c.T = malloc(sizeof(double) * N * Vz);
    A->c.work[0] = malloc(sizeof(double) * N * nfz);
    A->c.work[1] = malloc(sizeof(double) * N * nfz);
    A->g = malloc(sizeof(double) * N * nfz * (size_t)(A->Y - 1) + 1);
    A->h[0] = malloc(sizeof(double) * N * nfz);
    A->h[1] = malloc(sizeof(double) * N * nfz);
    A->GT = malloc(sizeof(double) * N * Vz * nfz);
    A->gr = scenmc__xcalloc((size_t)A->K * nfz, sizeof(double));
    A->red = malloc(sizeof(double) * ADJ_CHUNKS * (Vz * Vz + Vz + (size_t)A->D) * nfz);
    if (!ok || !A->scen || !A->q || !A->c.T || !A->c.work[0] || !A->c.work[1] || !A->g || !A->h[0] ||
        !A->h[1] || !A->GT || !A->red)
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the exact derivatives");
    A->Cm = scenmc_params_matrix(p, m, 0);
    A->Xm = scenmc_params_matrix(p, m, 1);
    scenmc__chain_build_transitions(&A->c, p);
    scenmc__chain_forward(&A->c, p, A->Y, A->scen, A->pt);
    for (int k = 0; k < A->Y - 1; k++) {
        double *qk = A->q + (size_t)k * (size_t)A->K * N;
        memcpy(qk, A->pt[k], sizeof(double) * N);
        for (int a = 1; a < A->K; a++)
            scenmc__chain_apply_M(&A->c, qk + (size_t)(a - 1) * N, qk + (size_t)a * N, 1, 0);
    }
    return SCENMC_OK;
}

/* The joint P(scenario s, variant v in the state) [Y][S][V] and P(s) [Y][S]. */
static void adj_joint(const adj *A, double *J, double *Ps)
{
    const size_t S = (size_t)A->S, V = (size_t)A->V;
    int *s = scenmc__xcalloc((size_t)A->D, sizeof(int));
    for (int y = 0; y < A->Y; y++) {
        memset(s, 0, sizeof(int) * (size_t)A->D);
        for (uint64_t x = 0; x < A->n; x++) {
            double w = A->pt[y][x];
            size_t a = (size_t)A->scen[x];
            Ps[(size_t)y * S + a] += w;
            for (int d = 0; d < A->D; d++)
                J[((size_t)y * S + a) * V + (size_t)(A->k.offset[d] + s[d])] += w;
            scenmc__chain_odometer(&A->c, s);
        }
    }
    free(s);
}

/* dJ(s, v) [np][Y][S][V] from the outputs: the last variant of each
 * descriptor from dP(s) less the others. */
static double *adj_joint_derivatives(const adj *A)
{
    const size_t S = (size_t)A->S, V = (size_t)A->V, Y = (size_t)A->Y, np = (size_t)A->np;
    double *dJ = scenmc__xcalloc(np * Y * S * V, sizeof(double));
    for (int f = A->S; f < A->nF; f++)
        for (size_t y = 0; y < Y; y++)
            for (size_t e = 0; e < np; e++)
                dJ[((e * Y + y) * S + (size_t)A->fun_s[f]) * V + (size_t)A->fun_v[f]] =
                    A->grad[((size_t)f * Y + y) * np + e];
    for (int d = 0; d < A->D; d++) {
        size_t last = (size_t)(A->k.offset[d] + A->k.n_var[d] - 1);
        for (size_t e = 0; e < np; e++)
            for (size_t y = 0; y < Y; y++)
                for (size_t a = 0; a < S; a++) {
                    double *row = dJ + ((e * Y + y) * S + a) * V;
                    double rest = A->grad[(a * Y + y) * np + e];
                    for (size_t v = (size_t)A->k.offset[d]; v < last; v++)
                        rest -= row[v];
                    row[last] = rest;
                }
    }
    return dJ;
}

/* The three tables of out from the outputs' gradients. */
static void adj_tables(const adj *A, int all_tables, scenmc_derivatives *out)
{
    const size_t S = (size_t)A->S, V = (size_t)A->V, Y = (size_t)A->Y, np = (size_t)A->np;
    out->scenario = scenmc__xcalloc(np * Y * S, sizeof(double));
    for (size_t e = 0; e < np; e++)
        for (size_t y = 0; y < Y; y++)
            for (size_t a = 0; a < S; a++)
                out->scenario[(e * Y + y) * S + a] = A->grad[(a * Y + y) * np + e];
    if (!all_tables)
        return;
    double *J = scenmc__xcalloc(Y * S * V, sizeof(double)), *Ps = scenmc__xcalloc(Y * S, sizeof(double));
    adj_joint(A, J, Ps);
    double *dJ = adj_joint_derivatives(A);
    out->variant = scenmc__xcalloc(np * Y * V, sizeof(double));
    out->scenario_variant = scenmc__xcalloc(np * Y * S * V, sizeof(double));
    for (size_t e = 0; e < np; e++)
        for (size_t y = 0; y < Y; y++)
            for (size_t a = 0; a < S; a++) {
                double P = Ps[y * S + a], dP = out->scenario[(e * Y + y) * S + a];
                for (size_t v = 0; v < V; v++) {
                    size_t i = ((e * Y + y) * S + a) * V + v;
                    out->variant[(e * Y + y) * V + v] += dJ[i];
                    /* d(J/P) = (dJ - (J/P) dP) / P */
                    out->scenario_variant[i] = P > 0 ? (dJ[i] - J[y * S * V + a * V + v] / P * dP) / P : NAN;
                }
            }
    free(J);
    free(Ps);
    free(dJ);
}

scenmc_status scenmc_exact_derivatives(const scenmc_model *m, const scenmc_params *p, int threads,
                                       int all_tables,
                                       int (*progress)(void *, uint64_t, uint64_t, double),
                                       void *progress_ctx, scenmc_derivatives *out, scenmc_error *err)
{
    memset(out, 0, sizeof *out);
    scenmc_status st = scenmc_params_check(p, err);
    if (st != SCENMC_OK)
        return st;
    double t0 = scenmc__now();
    adj A;
    memset(&A, 0, sizeof A);
    threads = threads > 0 ? threads : omp_get_max_threads();
    st = adj_init(&A, m, p, threads, err);
    scenmc_dparam *par = NULL;
    if (st == SCENMC_OK)
        st = scenmc_dparams_list(m, p, &par, &A.np, err);
    if (st == SCENMC_OK) {
        A.par = par;
        adj_outputs(&A, all_tables);
        A.grad = scenmc__xcalloc((size_t)A.nF * (size_t)A.Y * (size_t)A.np, sizeof(double));
        uint64_t blocks = (uint64_t)((A.nF + A.nf_max - 1) / A.nf_max), done = 0;
        for (int first = 0; first < A.nF && st == SCENMC_OK; first += A.nf_max) {
            int nf = A.nF - first < A.nf_max ? A.nF - first : A.nf_max;
            adj_backward_vectors(&A, first, nf);
            for (int y = 1; y < A.Y && st == SCENMC_OK; y++) {
                adj_year(&A, first, nf, y);
                if (progress && progress(progress_ctx, ++done, blocks * (uint64_t)(A.Y - 1), scenmc__now() - t0))
                    st = scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %llu of %llu blocks",
                                          (unsigned long long)done,
                                          (unsigned long long)(blocks * (uint64_t)(A.Y - 1)));
            }
        }
    }
    if (st == SCENMC_OK) {
        snprintf(out->method, sizeof out->method, "exact");
        out->n_param = A.np;
        out->param = par;
        par = NULL;
        out->Y = A.Y;
        out->S = A.S;
        out->V = A.V;
        adj_tables(&A, all_tables, out);
        out->wall_seconds = scenmc__now() - t0;
    }
    scenmc_dparams_free(par, A.np);
    adj_free(&A);
    return st;
}
