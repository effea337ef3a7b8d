/* Exact derivatives of P(scenario, year), P(variant, year) and
 * P(variant | scenario, year) with respect to every parameter of
 * scenmc_dparams_list, by reverse-mode differentiation of the uniformization
 * series (docs/sensitivity.md, "Exact method").
 *
 * An output is L = <p_0 A^y, f> for an indicator f over states, and
 * A^y = sum_m pi_m(y Lambda) M^m (uniformization over y years at once), so
 * L = <p_0, H_0> with Horner's H_M = pi_M f, H_a = pi_a f + M H_(a+1).
 * Its adjoint is
 *     dL = sum_(a=1..M) <u_(a-1), dM H_a> + sum_m dpi_m <u_m, f>,  u_a = p_0 M^a,
 * so the gradient with respect to the transition weights is
 * dL/dT[x][o_i+b] = sum_a u_(a-1)(x) H_a(x with descriptor i set to b),
 * formed state by state from the stored H_a and mapped at once to the
 * parameters through
 *     T = (lambda_i/Lambda) P_i(b|x),  dP_i(b|x)/dz_c = P_i(b|x) (1[b=c] - P_i(c|x)),
 *     z_b = beta B_i(b|x) = beta h_b + sum_j W[o_j+x_j][o_i+b],
 * and dpi_m(y Lambda)/dLambda = y (pi_(m-1) - pi_m). Many outputs are carried
 * at once (interleaved blocks), so T is read once for all of them. Sums over
 * states run over a fixed partition, so the numbers do not depend on the
 * number of threads. */
#include "engine/adjoint.h"
#include "engine/exact_chain.h"
#include "base/util.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADJ_CHUNKS 32 /* fixed partition of the states for sums over states */
#define ADJ_BLOCK 16  /* most outputs carried at once */
#define ADJ_TAIL 1e-13 /* Poisson mass dropped from each output's series */

typedef struct adj {
    const scenmc_model *m;
    const scenmc_params *p;
    scenmc__kernel_base k;
    scenmc__chain c;
    uint64_t n;
    int D, V, Y, S, Mx, nf_max; /* Mx: terms of the longest series (Y - 1 years) */
    int *scen;          /* [n] scenario of each state */
    double *u;          /* [n][Mx + 1]: (p_0 M^a)(x); the year distributions are sums of these */
    double *Cm, *Xm;    /* [V*V] the matrices, overrides applied */
    const scenmc_dparam *par;
    int np;
    int *fun_s, *fun_v; /* [nF] output f: 1[scenario = fun_s] (and 1[fun_v in x] when >= 0) */
    int nF;
    double *f;          /* [n][nf] the block's indicators */
    double *H;          /* [n][Mx][nf]: B_k = M^k f at slot k */
    double *h[2];       /* [n][nf] Horner scratch */
    double *dots;       /* [Mx + 1][nf] <u_m, f> */
    double *pois;       /* [Y][Mx + 1] pi_m(y Lambda) (year 0: pi_0 = 1) */
    int *terms;         /* [Y] last term M_y of year y's series (year 0: 0) */
    double *red;        /* [ADJ_CHUNKS][Y][(V*V + V + D) nf] partial sums of the mapping */
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

/* Terms of the series of Poisson(mean) that leave at most ADJ_TAIL out. */
static int adj_terms(double mean)
{
    int M = 1;
    while (gsl_cdf_poisson_Q((unsigned)(M - 1), mean) > ADJ_TAIL)
        M++;
    return M;
}

/* f for outputs first .. first + nf - 1. */
static void adj_indicators(adj *A, int first, int nf)
{
    const size_t nv_ = (size_t)nf;
    int *s = scenmc__xcalloc((size_t)A->D, sizeof(int));
    for (uint64_t x = 0; x < A->n; x++, scenmc__chain_odometer(&A->c, s))
        for (size_t j = 0; j < nv_; j++) {
            int v = A->fun_v[first + (int)j], d = v < 0 ? 0 : A->m->variant_descriptor[v];
            int in = v < 0 || s[d] == v - A->k.offset[d];
            A->f[x * nv_ + j] = A->scen[x] == A->fun_s[first + (int)j] && in;
        }
    free(s);
}

/* <u_m, f> for every m and the block's outputs (after adj_powers: u). */
static void adj_dots(adj *A, int nf)
{
    const size_t nv_ = (size_t)nf, M1 = (size_t)A->Mx + 1;
    memset(A->dots, 0, sizeof(double) * M1 * nv_);
    for (uint64_t x = 0; x < A->n; x++)
        for (size_t j = 0; j < nv_; j++)
            if (A->f[x * nv_ + j] != 0)
                for (size_t m = 0; m < M1; m++)
                    A->dots[m * nv_ + j] += A->u[x * M1 + m];
}

/* u_a = p_0 M^a for a = 0 .. Mx, on one thread (single vectors: a barrier
 * per step would cost more than the step). The year distributions are
 * sum_m pi_m(y Lambda) u_m, so no forward pass over the years is needed. */
static void adj_u(adj *A)
{
    const size_t M1 = (size_t)A->Mx + 1;
    scenmc__chain c1 = A->c;
    c1.threads = 1;
    double *cur = A->c.work[0], *next = A->c.work[1];
    int *s = scenmc__xcalloc((size_t)A->D, sizeof(int));
    for (uint64_t x = 0; x < A->n; x++, scenmc__chain_odometer(&c1, s)) /* p_0 */
        cur[x] = scenmc__chain_start(&c1, A->p, s);
    free(s);
    for (size_t a = 0; a < M1; a++) {
        for (uint64_t x = 0; x < A->n; x++)
            A->u[x * M1 + a] = cur[x];
        if (a + 1 == M1)
            break;
        scenmc__chain_apply_M(&c1, cur, next, 1, 0);
        double *t = cur;
        cur = next;
        next = t;
    }
}

/* B_k = M^k f for outputs j0 .. j0 + w - 1 on one thread. */
static void adj_power_group(adj *A, int nf, int j0, int w)
{
    const size_t row = (size_t)A->Mx * (size_t)nf;
    scenmc__chain c1 = A->c;
    c1.threads = 1;
    double *cur = A->h[0] + A->n * (uint64_t)j0, *next = A->h[1] + A->n * (uint64_t)j0;
    /* plain loops, not memcpy: a few values per state */
    for (uint64_t x = 0; x < A->n; x++)
        for (int j = 0; j < w; j++)
            cur[x * (uint64_t)w + (uint64_t)j] = A->f[x * (uint64_t)nf + (uint64_t)(j0 + j)];
    for (int k = 0; k + 1 < A->Mx; k++) { /* the longest series uses B_0 .. B_(Mx-2) */
        double *Hk = A->H + (size_t)k * (size_t)nf + (size_t)j0;
        for (uint64_t x = 0; x < A->n; x++)
            for (int j = 0; j < w; j++)
                Hk[x * row + (size_t)j] = cur[x * (uint64_t)w + (uint64_t)j];
        if (k + 2 == A->Mx)
            break;
        scenmc__chain_apply_M(&c1, cur, next, w, 1);
        double *t = cur;
        cur = next;
        next = t;
    }
}

/* B_k = M^k f for k = 0 .. Mx - 2 into slots k: shared by every year, whose
 * H_a = sum_(m>=a) pi_m B_(m-a) is never formed (see adj_weights). Each
 * thread takes its own outputs through all powers: no barrier per power, and
 * each output's numbers are the same whatever the grouping. With with_u the
 * chain u_a = p_0 M^a is one more item, run beside the powers. */
static void adj_powers(adj *A, int nf, int with_u)
{
    const int groups = A->c.threads < nf ? A->c.threads : nf, items = groups + with_u;
#pragma omp parallel for schedule(dynamic, 1) num_threads(A->c.threads < items ? A->c.threads : items)
    for (int g = 0; g < items; g++) {
        if (g < with_u) {
            adj_u(A);
            continue;
        }
        const int q = g - with_u, j0 = nf * q / groups;
        adj_power_group(A, nf, j0, nf * (q + 1) / groups - j0);
    }
}

/* State x's dL/dT (G [V][nf]) mapped into buf: dL/dW (gW [V][V][nf]), dL/dh
 * (gh [V][nf]) and R_i = sum T dL/dT over descriptor i's block (R [D][nf]). */
static void adj_map_state(const adj *A, uint64_t x, const int *s, const double *G, double *gF, int nf,
                          double *buf)
{
    const int D = A->D, V = A->V;
    const size_t nv_ = (size_t)nf, VV = (size_t)V * (size_t)V;
    double *gW = buf, *gh = buf + VV * nv_, *R = gh + (size_t)V * nv_;
    const double *T = A->c.T + x * (uint64_t)V;
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
}

/* W_k(x) = sum_(i <= M-1-k) pi_(i+k+1) u_i(x) for every year (W [Y][Mx]), so
 * that dL_y/dT[x][o_i+b] = sum_(k<M_y) W_k(x) B_k(x with descriptor i set
 * to b): the same sum over pairs (i, k) as sum_a u_(a-1)(x) H_a(...). */
static void adj_weights(const adj *A, const double *restrict ux, double *restrict W)
{
    const size_t M1 = (size_t)A->Mx + 1;
    for (int y = 1; y < A->Y; y++) {
        const double *pi = A->pois + (size_t)y * M1;
        double *restrict w = W + (size_t)y * (size_t)A->Mx;
        const int M = A->terms[y];
        memset(w, 0, sizeof(double) * (size_t)M);
        /* i outermost: the inner loop is a vectorisable axpy, and each w_k
         * still adds its terms in the order of i */
        for (int i = 0; i < M; i++) {
            const double c = ux[i], *q = pi + i + 1;
            for (int k = 0; k < M - i; k++)
                w[k] += q[k] * c;
        }
    }
}

/* The accumulation below, the most time-consuming loop, is compiled also
 * for AVX2 and AVX-512 and chosen at load time (GCC's function
 * multiversioning); four outputs at a time in GCC's vector type. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define ADJ_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define ADJ_CLONES
#endif
#if defined(__GNUC__)
#define ADJ_VEC 1
typedef double adj_v4 __attribute__((vector_size(4 * sizeof(double))));
#endif

/* G_y[o_i+b][j] += sum_k W_y,k B_k(x_b)[j] for every year: neighbour x_b's
 * powers Bb are read once for all years. The sums over k are kept in
 * registers, in two halves (even and odd k) so that they overlap. */
ADJ_CLONES static void adj_accumulate(const adj *A, const double *restrict W, const double *restrict Bb, int nf,
                                      double *restrict G, size_t col)
{
    const size_t nv_ = (size_t)nf, Gy = (size_t)A->V * nv_;
    for (int y = 1; y < A->Y; y++) {
        const double *w = W + (size_t)y * (size_t)A->Mx;
        double *g = G + (size_t)y * Gy + col;
        const int M = A->terms[y];
        size_t j = 0;
#ifdef ADJ_VEC
        for (; j + 4 <= nv_; j += 4) {
            adj_v4 a0 = {0, 0, 0, 0}, a1 = {0, 0, 0, 0}, b;
            int k = 0;
            for (; k + 1 < M; k += 2) {
                memcpy(&b, Bb + (size_t)k * nv_ + j, sizeof b);
                a0 += w[k] * b;
                memcpy(&b, Bb + (size_t)(k + 1) * nv_ + j, sizeof b);
                a1 += w[k + 1] * b;
            }
            if (k < M) {
                memcpy(&b, Bb + (size_t)k * nv_ + j, sizeof b);
                a0 += w[k] * b;
            }
            memcpy(&b, g + j, sizeof b);
            b += a0 + a1;
            memcpy(g + j, &b, sizeof b);
        }
#endif
        for (; j < nv_; j++) {
            double a0 = 0, a1 = 0;
            int k = 0;
            for (; k + 1 < M; k += 2) {
                a0 += w[k] * Bb[(size_t)k * nv_ + j];
                a1 += w[k + 1] * Bb[(size_t)(k + 1) * nv_ + j];
            }
            if (k < M)
                a0 += w[k] * Bb[(size_t)k * nv_ + j];
            g[j] += a0 + a1;
        }
    }
}

/* dL_y/dT state by state over chunk ch for every year, mapped into buf
 * ([Y][per], year y at y * per). */
static void adj_gradient_chunk(const adj *A, int ch, int nf, double *buf, size_t per)
{
    const int D = A->D, V = A->V, Y = A->Y;
    const size_t nv_ = (size_t)nf, row = (size_t)A->Mx * nv_, M1 = (size_t)A->Mx + 1, Gy = (size_t)V * nv_;
    double *G = scenmc__xcalloc((size_t)Y * Gy, sizeof(double));
    double *gF = scenmc__xcalloc(Gy, sizeof(double));
    double *W = scenmc__xcalloc((size_t)Y * (size_t)A->Mx, sizeof(double));
    int *s = scenmc__xcalloc((size_t)D, sizeof(int));
    uint64_t x0 = A->n * (uint64_t)ch / ADJ_CHUNKS, x1 = A->n * (uint64_t)(ch + 1) / ADJ_CHUNKS;
    scenmc__chain_decode(&A->c, x0, s);
    for (uint64_t x = x0; x < x1; x++) {
        adj_weights(A, A->u + x * M1, W);
        memset(G, 0, sizeof(double) * (size_t)Y * Gy);
        for (int i = 0; i < D; i++) {
            uint64_t base = x - (uint64_t)s[i] * A->c.stride[i];
            for (int b = 0; b < A->k.n_var[i]; b++)
                adj_accumulate(A, W, A->H + (base + (uint64_t)b * A->c.stride[i]) * row, nf, G,
                               (size_t)(A->k.offset[i] + b) * nv_);
        }
        for (int y = 1; y < Y; y++)
            adj_map_state(A, x, s, G + (size_t)y * Gy, gF, nf, buf + (size_t)y * per);
        scenmc__chain_odometer(&A->c, s);
    }
    free(G);
    free(gF);
    free(W);
    free(s);
}

/* Output j's gradient with respect to every parameter from the sums (gL:
 * dL/dLambda through the Poisson weights). */
static void adj_params(const adj *A, const double *buf, int j, int nf, double gL, double *out)
{
    const int V = A->V, D = A->D;
    const size_t nv_ = (size_t)nf, VV = (size_t)V * (size_t)V;
    const double *gW = buf, *gh = buf + VV * nv_, *R = gh + (size_t)V * nv_;
    const scenmc_params *p = A->p;
#define GW(u, v) gW[((size_t)(u) * (size_t)V + (size_t)(v)) * nv_ + (size_t)j]
    double sC = 0, sX = 0, sh = 0, sR = 0;
    for (int u = 0; u < V; u++)
        for (int v = 0; v < V; v++) {
            sC += GW(u, v) * A->Cm[(size_t)u * V + v];
            sX += GW(u, v) * A->Xm[(size_t)u * V + v];
        }
    for (int v = 0; v < V; v++)
        sh += gh[(size_t)v * nv_ + (size_t)j] * (A->m->bias ? A->m->bias[v] : 0);
    for (int i = 0; i < D; i++)
        sR += R[(size_t)i * nv_ + (size_t)j];
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

/* dL_y/dtheta for outputs first .. first + nf - 1 at every year y >= 1. */
static void adj_block(adj *A, int first, int nf)
{
    const size_t per = ((size_t)A->V * (size_t)A->V + (size_t)A->V + (size_t)A->D) * (size_t)nf;
    const size_t all = per * (size_t)A->Y, M1 = (size_t)A->Mx + 1;
    adj_powers(A, nf, first == 0); /* u with the first block's powers */
    adj_dots(A, nf);
    memset(A->red, 0, sizeof(double) * all * ADJ_CHUNKS);
#pragma omp parallel for schedule(dynamic) num_threads(A->c.threads)
    for (int ch = 0; ch < ADJ_CHUNKS; ch++)
        adj_gradient_chunk(A, ch, nf, A->red + (size_t)ch * all, per);
    for (int ch = 1; ch < ADJ_CHUNKS; ch++)
        for (size_t i = 0; i < all; i++)
            A->red[i] += A->red[(size_t)ch * all + i];
    for (int y = 1; y < A->Y; y++) {
        const double *pi = A->pois + (size_t)y * M1;
        for (int j = 0; j < nf; j++) {
            double gL = 0; /* dpi_m/dLambda = y (pi_(m-1) - pi_m) */
            for (int m = 0; m <= A->terms[y]; m++)
                gL += A->dots[(size_t)m * (size_t)nf + (size_t)j] * y * ((m ? pi[m - 1] : 0) - pi[m]);
            adj_params(A, A->red + (size_t)y * per, j, nf, gL,
                       A->grad + ((size_t)(first + j) * (size_t)A->Y + (size_t)y) * (size_t)A->np);
        }
    }
}

/* Bytes per state that do not depend on the outputs (T, u, two vectors, the
 * scenario), and per output carried. */
static double adj_fixed_bytes(int V, int Mx) { return 8.0 * (V + Mx + 3) + 4.0; }
static double adj_block_bytes(int Mx) { return 8.0 * (Mx + 3); }

static void adj_free(adj *A)
{
    free(A->scen);
    free(A->u);
    free(A->Cm);
    free(A->Xm);
    free(A->fun_s);
    free(A->fun_v);
    free(A->f);
    free(A->H);
    free(A->h[0]);
    free(A->h[1]);
    free(A->dots);
    free(A->pois);
    free(A->terms);
    free(A->red);
    free(A->grad);
    free(A->c.T);
    free(A->c.work[0]);
    free(A->c.work[1]);
    free(A->c.pois);
    scenmc__kernel_base_free(&A->k);
}

/* Allocates the vectors (nf_max outputs at once); 0 when out of memory. */
static int adj_alloc(adj *A)
{
    size_t N = (size_t)A->n, nfz = (size_t)A->nf_max, Vz = (size_t)A->V, M1 = (size_t)A->Mx + 1;
    A->scen = malloc(sizeof(int) * N);
    A->u = malloc(sizeof(double) * N * M1);
    A->c.T = malloc(sizeof(double) * N * Vz);
    A->c.work[0] = malloc(sizeof(double) * N);
    A->c.work[1] = malloc(sizeof(double) * N);
    A->f = malloc(sizeof(double) * N * nfz);
    A->H = malloc(sizeof(double) * N * nfz * (size_t)A->Mx);
    A->h[0] = malloc(sizeof(double) * N * nfz);
    A->h[1] = malloc(sizeof(double) * N * nfz);
    A->dots = scenmc__xcalloc(M1 * nfz, sizeof(double));
    A->pois = scenmc__xcalloc(M1 * (size_t)A->Y, sizeof(double));
    A->terms = scenmc__xcalloc((size_t)A->Y, sizeof(int));
    A->pois[0] = 1; /* year 0: the start, u_0 */
    for (int y = 1; y < A->Y; y++) {
        A->terms[y] = adj_terms(y * A->k.lambda) - 1; /* terms 0 .. M_y */
        for (int m = 0; m <= A->terms[y]; m++)
            A->pois[(size_t)y * M1 + (size_t)m] = gsl_ran_poisson_pdf((unsigned)m, y * A->k.lambda);
    }
    A->red = malloc(sizeof(double) * ADJ_CHUNKS * (size_t)A->Y * (Vz * Vz + Vz + (size_t)A->D) * nfz);
    return A->scen && A->u && A->c.T && A->c.work[0] && A->c.work[1] && A->f && A->H && A->h[0] &&
           A->h[1] && A->red;
}

/* The scenario of each state. */
static void adj_scenarios(adj *A)
{
    int *s = scenmc__xcalloc((size_t)A->D, sizeof(int));
    for (uint64_t x = 0; x < A->n; x++, scenmc__chain_odometer(&A->c, s)) {
        long si = 0;
        for (int d = 0; d < A->D; d++)
            si += (long)A->k.scen_stride[d] * s[d];
        A->scen[x] = A->k.scen_table[si];
    }
    free(s);
}

/* The chain, its memory and the scenario of each state (u_a = p_0 M^a comes
 * with the first block's powers). */
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
    A->Mx = adj_terms((A->Y - 1) * A->k.lambda);
    double fixed = adj_fixed_bytes(A->V, A->Mx) * (double)n, per = adj_block_bytes(A->Mx) * (double)n;
    double nf = floor((0.6 * scenmc__physical_memory() - fixed) / per);
    A->nf_max = nf > ADJ_BLOCK ? ADJ_BLOCK : (int)fmax(nf, 0);
    if (A->nf_max < 1)
        return scenmc_error_add(err, SCENMC_E_LIMIT, "exact derivatives would need %.3g GiB for %llu states "
                                "(use --method score)", (fixed + per) / 1073741824.0, (unsigned long long)n);
    if (!adj_alloc(A))
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the exact derivatives");
    A->Cm = scenmc_params_matrix(p, m, 0);
    A->Xm = scenmc_params_matrix(p, m, 1);
    scenmc__chain_build_transitions(&A->c, p);
    adj_scenarios(A);
    return SCENMC_OK;
}

/* The joint P(scenario s, variant v in the state) [Y][S][V] and P(s) [Y][S],
 * from the year distributions sum_m pi_m(y Lambda) u_m. */
static void adj_joint(const adj *A, double *J, double *Ps)
{
    const size_t S = (size_t)A->S, V = (size_t)A->V, M1 = (size_t)A->Mx + 1;
    int *s = scenmc__xcalloc((size_t)A->D, sizeof(int));
    for (int y = 0; y < A->Y; y++) {
        memset(s, 0, sizeof(int) * (size_t)A->D);
        const double *pi = A->pois + (size_t)y * M1;
        for (uint64_t x = 0; x < A->n; x++) {
            double w = 0;
            for (int m = 0; m <= A->terms[y]; m++)
                w += pi[m] * A->u[x * M1 + (size_t)m];
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
            adj_indicators(&A, first, nf);
            adj_block(&A, first, nf);
            if (progress && progress(progress_ctx, ++done, blocks, scenmc__now() - t0))
                st = scenmc_error_add(err, SCENMC_E_INTERRUPTED, "stopped after %llu of %llu blocks",
                                      (unsigned long long)done, (unsigned long long)blocks);
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
