#include "kernel.h"
#include "util.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

scenmc_status scenmc_kernel_init(scenmc_kernel *k, const scenmc_model *m, const scenmc_params *p,
                                 const scenmc_results *shape, scenmc_error *err)
{
    memset(k, 0, sizeof *k);
    int D = m->n_descriptors, V = m->n_variants;
    size_t VV = (size_t)V * (size_t)V;
    k->D = D;
    k->V = V;
    k->Y = p->year_end - p->year_start + 1;
    k->S = shape->n_scenarios;
    k->offset = scenmc_xcalloc((size_t)D, sizeof(int));
    k->n_var = scenmc_xcalloc((size_t)D, sizeof(int));
    for (int d = 0; d < D; d++) {
        k->offset[d] = m->descriptors[d].offset;
        k->n_var[d] = m->descriptors[d].n_variants;
    }
    /* The matrices with the parameters' cell overrides applied. */
    k->C = scenmc_params_matrix(p, m, 0);
    double *X = scenmc_params_matrix(p, m, 1);
    k->W = malloc(VV * sizeof(double));
    if (!k->W || !k->C || !X) {
        free(X);
        scenmc_kernel_free(k);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the %dx%d weight matrix", V, V);
    }
    for (size_t i = 0; i < VV; i++)
        k->W[i] = p->beta * (p->w_consistency * k->C[i] + p->w_cross * X[i]);
    free(X);
    k->h = scenmc_xcalloc((size_t)V, sizeof(double));
    if (m->bias)
        for (int v = 0; v < V; v++)
            k->h[v] = p->beta * m->bias[v];
    /* Largest |F| any state can reach: within double range by a wide margin? */
    double bound = 0;
    for (int v = 0; v < V; v++) {
        double b = fabs(k->h[v]);
        for (int d = 0; d < D; d++) {
            double mx = 0;
            for (int a = 0; a < k->n_var[d]; a++)
                mx = fmax(mx, fabs(k->W[(size_t)(k->offset[d] + a) * V + v]));
            b += mx;
        }
        bound = fmax(bound, b);
    }
    k->use_ratio = bound < 300;
    k->pair_base = scenmc_xcalloc((size_t)D, sizeof(int));
    int pairs = 0;
    for (int d = 0; d < D; d++) {
        k->pair_base[d] = pairs;
        pairs += k->n_var[d] * k->n_var[d];
    }
    if (k->use_ratio) {
        k->expW = malloc(VV * sizeof(double));
        k->ratio = malloc((size_t)pairs * (size_t)V * sizeof(double));
        k->dC = malloc((size_t)pairs * (size_t)V * sizeof(double));
        if (!k->expW || !k->ratio || !k->dC) {
            scenmc_kernel_free(k);
            return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the weight tables");
        }
        k->expH = scenmc_xcalloc((size_t)V, sizeof(double));
        for (size_t i = 0; i < VV; i++)
            k->expW[i] = exp(k->W[i]);
        for (int v = 0; v < V; v++)
            k->expH[v] = exp(k->h[v]);
        for (int d = 0; d < D; d++)
            for (int a = 0; a < k->n_var[d]; a++)
                for (int b = 0; b < k->n_var[d]; b++) {
                    size_t row = (size_t)(k->pair_base[d] + a * k->n_var[d] + b) * (size_t)V;
                    const double *wa = k->W + (size_t)(k->offset[d] + a) * V;
                    const double *wb = k->W + (size_t)(k->offset[d] + b) * V;
                    const double *ca = k->C + (size_t)(k->offset[d] + a) * V;
                    const double *cb = k->C + (size_t)(k->offset[d] + b) * V;
                    for (int v = 0; v < V; v++) {
                        k->ratio[row + (size_t)v] = exp(wb[v] - wa[v]);
                        k->dC[row + (size_t)v] = cb[v] - ca[v];
                    }
                }
    }
    /* Groups of consecutive descriptors for the start-state fields. */
    k->group_first = scenmc_xcalloc((size_t)D + 1, sizeof(int));
    k->group_row = scenmc_xcalloc((size_t)D, sizeof(size_t));
    size_t rows = 0;
    for (int d = 0; d < D;) {
        int e = d, combos = 1;
        while (e < D && combos * k->n_var[e] <= 64)
            combos *= k->n_var[e++];
        if (e == d) /* a descriptor with more than 64 variants stands alone */
            combos = k->n_var[e++];
        k->group_first[k->n_groups] = d;
        k->group_row[k->n_groups++] = rows;
        rows += (size_t)combos;
        d = e;
    }
    k->group_first[k->n_groups] = D;
    k->group_F = malloc(rows * (size_t)V * sizeof(double));
    k->group_G = malloc(rows * (size_t)V * sizeof(double));
    if (!k->group_F || !k->group_G) {
        scenmc_kernel_free(k);
        return scenmc_error_add(err, SCENMC_E_NOMEM, "out of memory for the start tables");
    }
    for (int g = 0; g < k->n_groups; g++) {
        int d0 = k->group_first[g], d1 = k->group_first[g + 1];
        size_t combos = 1;
        for (int d = d0; d < d1; d++)
            combos *= (size_t)k->n_var[d];
        for (size_t c = 0; c < combos; c++) {
            double *F = k->group_F + (k->group_row[g] + c) * (size_t)V;
            double *G = k->group_G + (k->group_row[g] + c) * (size_t)V;
            for (int v = 0; v < V; v++) {
                F[v] = k->use_ratio ? 1.0 : 0.0;
                G[v] = 0;
            }
            size_t rest = c;
            for (int d = d1 - 1; d >= d0; d--) { /* last descriptor of the group fastest */
                size_t u = (size_t)(k->offset[d] + (int)(rest % (size_t)k->n_var[d])) * (size_t)V;
                rest /= (size_t)k->n_var[d];
                for (int v = 0; v < V; v++) {
                    if (k->use_ratio)
                        F[v] *= k->expW[u + (size_t)v];
                    else
                        F[v] += k->W[u + (size_t)v];
                    G[v] += k->C[u + (size_t)v];
                }
            }
        }
    }
    k->init_cum = scenmc_xcalloc((size_t)V, sizeof(double));
    for (int d = 0; d < D; d++) {
        double c = 0;
        for (int b = 0; b < k->n_var[d]; b++) {
            c += p->initial[k->offset[d] + b];
            k->init_cum[k->offset[d] + b] = c;
        }
        k->init_cum[k->offset[d] + k->n_var[d] - 1] = 2.0; /* absorb rounding: last always taken */
    }
    if (p->start) {
        k->start = scenmc_xcalloc((size_t)D, sizeof(int));
        memcpy(k->start, p->start, sizeof(int) * (size_t)D);
    }

    /* Poisson(Lambda) table up to where the upper tail is below 1e-17. */
    k->lambda = 0;
    for (int d = 0; d < D; d++)
        k->lambda += p->rate[d];
    int kmax = (int)ceil(k->lambda + 12.0 * sqrt(k->lambda) + 40.0);
    while (kmax > 0 && gsl_cdf_poisson_Q((unsigned)kmax, k->lambda) > 1e-17)
        kmax += 8;
    k->n_pois = kmax + 1;
    k->pois_cdf = scenmc_xcalloc((size_t)k->n_pois, sizeof(double));
    k->pois_guide = scenmc_xcalloc((size_t)k->n_pois, sizeof(int));
    for (int j = 0; j < k->n_pois; j++)
        k->pois_cdf[j] = gsl_cdf_poisson_P((unsigned)j, k->lambda);
    k->pois_cdf[k->n_pois - 1] = 1.0;
    for (int g = 0, j = 0; g < k->n_pois; g++) {
        double u = (double)g / k->n_pois;
        while (k->pois_cdf[j] < u)
            j++;
        k->pois_guide[g] = j;
    }

    k->equal_rates = 1;
    k->desc_cum = scenmc_xcalloc((size_t)D, sizeof(double));
    k->desc_prob = scenmc_xcalloc((size_t)D, sizeof(double));
    double c = 0;
    for (int d = 0; d < D; d++) {
        k->desc_prob[d] = p->rate[d] / k->lambda;
        c += p->rate[d] / k->lambda;
        k->desc_cum[d] = c;
        if (p->rate[d] != p->rate[0])
            k->equal_rates = 0;
    }
    k->desc_cum[D - 1] = 2.0;

    /* Scenario lookup over the named descriptors (mixed radix). */
    k->scen_stride = scenmc_xcalloc((size_t)D, sizeof(int));
    int used[SCENMC_MAX_DESCRIPTORS] = {0};
    for (int s = 0; s < m->n_scenarios; s++)
        for (int c2 = 0; c2 < m->scenarios[s].n_conditions; c2++)
            used[m->scenarios[s].cond_descriptor[c2]] = 1;
    long n_combo = 1;
    for (int d = D - 1; d >= 0; d--)
        if (used[d]) {
            k->scen_stride[d] = (int)n_combo;
            n_combo *= k->n_var[d];
            if (n_combo > (1L << 24)) {
                scenmc_kernel_free(k);
                return scenmc_error_add(err, SCENMC_E_LIMIT, "the scenario conditions span more than "
                                        "2^24 combinations; expected conditions on fewer descriptors");
            }
        }
    k->scen_table = scenmc_xcalloc((size_t)n_combo, sizeof(int));
    int *s = scenmc_xcalloc((size_t)D, sizeof(int));
    for (long idx = 0; idx < n_combo; idx++) {
        long rest = idx;
        for (int d = 0; d < D; d++)
            if (used[d]) {
                s[d] = (int)(rest / k->scen_stride[d]);
                rest %= k->scen_stride[d];
            }
        int sc = scenmc_model_scenario_of(m, s);
        k->scen_table[idx] = sc; /* == n_scenarios for unclassified, the last slot */
    }
    free(s);

    k->state_stride = scenmc_xcalloc((size_t)D, sizeof(uint64_t));
    uint64_t w = 1;
    for (int d = D - 1; d >= 0; d--) {
        k->state_stride[d] = w;
        w *= (uint64_t)k->n_var[d]; /* wraps for huge spaces; then unused */
    }
    k->bin_lo = shape->bin_lo;
    k->bin_width = shape->bin_width;
    k->n_bins = shape->n_bins;
    k->full_states = shape->full_states;
    return SCENMC_OK;
}

void scenmc_kernel_free(scenmc_kernel *k)
{
    free(k->offset);
    free(k->n_var);
    free(k->W);
    free(k->C);
    free(k->h);
    free(k->expW);
    free(k->expH);
    free(k->pair_base);
    free(k->ratio);
    free(k->dC);
    free(k->group_first);
    free(k->group_row);
    free(k->group_F);
    free(k->group_G);
    free(k->init_cum);
    free(k->start);
    free(k->pois_cdf);
    free(k->pois_guide);
    free(k->desc_cum);
    free(k->desc_prob);
    free(k->scen_stride);
    free(k->scen_table);
    free(k->state_stride);
    memset(k, 0, sizeof *k);
}

void scenmc_kernel_heat_bath(const scenmc_kernel *k, const double *F, int i, double *prob)
{
    const double *f = F + k->offset[i];
    int n = k->n_var[i];
    double mx = f[0];
    for (int b = 1; b < n; b++)
        mx = f[b] > mx ? f[b] : mx;
    double total = 0;
    for (int b = 0; b < n; b++) {
        prob[b] = exp(f[b] - mx);
        total += prob[b];
    }
    for (int b = 0; b < n; b++)
        prob[b] /= total;
}

double scenmc_kernel_total_consistency(const scenmc_kernel *k, const int *s)
{
    double K = 0;
    for (int i = 0; i < k->D; i++) {
        const double *row = k->C + (size_t)(k->offset[i] + s[i]) * (size_t)k->V;
        for (int j = i + 1; j < k->D; j++)
            K += row[k->offset[j] + s[j]];
    }
    return K;
}
